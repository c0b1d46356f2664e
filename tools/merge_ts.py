"""Fill unfinished messages of a .ts file from other .ts files (same context + source).

Usage: python tools/merge_ts.py TARGET.ts SOURCE.ts [SOURCE.ts ...]
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def translations(path: str) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            tr = message.find("translation")
            if tr is not None and tr.text and tr.get("type") not in ("unfinished", "vanished", "obsolete"):
                found[(name, message.findtext("source") or "")] = tr.text
    return found


def main(target: str, *sources: str) -> int:
    known: dict[tuple[str, str], str] = {}
    by_source: dict[str, str] = {}
    for src in sources:
        for key, text in translations(src).items():
            known.setdefault(key, text)
            by_source.setdefault(key[1], text)
    tree = ET.parse(target)
    filled = left = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            tr = message.find("translation")
            if tr is None or (tr.text and tr.get("type") != "unfinished"):
                continue
            text = known.get((name, message.findtext("source") or "")) or by_source.get(message.findtext("source") or "")
            if text:
                tr.text = text
                tr.attrib.pop("type", None)
                filled += 1
            else:
                left += 1
    tree.write(target, encoding="utf-8", xml_declaration=True)
    print(f"filled {filled}, still unfinished {left}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
