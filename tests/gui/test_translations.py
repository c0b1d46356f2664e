"""Every string the wizard shows has a French translation, with the same placeholders."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "wizard_fr.ts"
BIN = Path(sys.executable).parent


def _fresh_ts(tmp_path: Path) -> Path:
    """The committed .ts updated with the strings in today's sources (nothing written back)."""
    target = tmp_path / "wizard_fr.ts"
    shutil.copy(TS, target)
    sources = sorted(str(p) for p in (ROOT / "wizard").rglob("*.py"))
    subprocess.run(
        [
            str(BIN / "pyside6-lupdate"),
            *sources,
            "-locations",
            "none",
            "-no-obsolete",
            "-ts",
            str(target),
        ],
        check=True,
        capture_output=True,
    )
    return target


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[a-z_]*\}|%[0-9n]", text or ""))


def test_every_wizard_string_is_translated_to_french(tmp_path):
    ts = _fresh_ts(tmp_path)
    missing, mismatched = [], []
    messages = 0
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            messages += 1
            source = message.findtext("source") or ""
            translation = message.find("translation")
            forms = (
                [f.text or "" for f in translation.iter("numerusform")]
                if translation is not None
                else []
            )
            text = (
                " | ".join(forms)
                if forms
                else ((translation.text or "") if translation is not None else "")
            )
            if (
                translation is None
                or translation.get("type") in ("unfinished", "vanished")
                or not text.strip()
            ):
                missing.append(f"{name}: {source}")
            elif any(not f.strip() for f in forms):
                missing.append(f"{name}: {source} (a plural form is empty)")
            elif any(_placeholders(source) != _placeholders(t) for t in (forms or [text])):
                mismatched.append(f"{name}: {source!r} -> {text!r}")
    assert messages > 10
    assert not missing, (
        f"{len(missing)} untranslated (run `make translations`, then translate):\n"
        + "\n".join(missing)
    )
    assert not mismatched, "placeholders differ:\n" + "\n".join(mismatched)
