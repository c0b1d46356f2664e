"""Write the README's figure tables from the files the benchmarks and soak runs wrote.

Each table in README.md sits between ``<!-- table: FILE -->`` and ``<!-- /table -->``; this
rewrites what is between them from FILE (``bench-results.json``, ``soak-results.json``: a list
of ``{"name", "value", "unit", "target", "meets"}``, or ``{"figures": [...], ...}``), so no
figure in the README is typed by hand. ``--check`` only says whether the README is current.

    python tools/readme_tables.py [--check]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- table: (?P<file>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /table -->)", re.S)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(row: dict[str, Any]) -> str:
    value, unit = row.get("value"), row.get("unit") or ""
    if isinstance(value, float):
        value = f"{value:g}"
    # "3/3 cases" reads worse than "3/3": a count n/N carries its own unit.
    return f"{value}" if isinstance(value, str) and "/" in value else f"{value} {unit}".strip()


def figures_of(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["figures"] if isinstance(data, dict) else data
    return [r for r in rows if isinstance(r, dict) and "name" in r]


def table(rows: list[dict[str, Any]]) -> str:
    out = ["| Figure | Value | Target | Meets |", "| --- | --- | --- | --- |"]
    for row in rows:
        meets = row.get("meets")
        verdict = "n/a" if meets is None else ("yes" if meets else "**no**")
        out.append(
            f"| {_cell(row['name'])} | {_cell(_value(row))} | {_cell(row.get('target', ''))}"
            f" | {verdict} |"
        )
    return "\n".join(out) + "\n"


def render(readme: str, root: Path = ROOT) -> str:
    def fill(match: re.Match[str]) -> str:
        source = root / match.group("file")
        if not source.exists():
            return match.group(0)  # keep the last table until the run is made again
        return match.group(1) + table(figures_of(source)) + match.group(4)

    return BLOCK.sub(fill, readme)


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(
                "README.md tables differ from the results files: run python tools/readme_tables.py"
            )
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md tables rewritten from the results files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
