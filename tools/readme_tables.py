"""Write the README's figure tables from the files the benchmarks and soak runs wrote.

Each table in README.md sits between ``<!-- table: FILE -->`` and ``<!-- /table -->``; this
rewrites what is between them from FILE (``bench-results.json``, ``soak-results.json``: see
tests/figures.py for their shape; an older plain list of ``{"name", "value", "unit",
"target", "meets"}`` is read too), so no figure in the README is typed by hand. Every row
keeps the file's order, says when and on which commit it was measured, and a miss (or a
figure not measured by its last run) is shown as such. The machines the figures were
measured on are listed under the table. ``--check`` only says whether the README is current.

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
    if value is None:
        return "not measured"
    if isinstance(value, float):
        value = f"{value:g}"
    # "3/3 cases" reads worse than "3/3": a count n/N carries its own unit.
    return f"{value}" if isinstance(value, str) and "/" in value else f"{value} {unit}".strip()


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        data = {"figures": data}
    data["figures"] = [r for r in data.get("figures", []) if isinstance(r, dict) and "name" in r]
    data.setdefault("machines", {})
    return data


def figures_of(path: Path) -> list[dict[str, Any]]:
    return load(path)["figures"]


def _measured(row: dict[str, Any], machines: list[str]) -> str:
    parts = []
    if row.get("commit"):
        parts.append(f"`{row['commit']}`")
    if row.get("date"):
        parts.append(str(row["date"]))
    if row.get("machine") in machines and len(machines) > 1:
        parts.append(f"machine {machines.index(row['machine']) + 1}")
    return ", ".join(parts)


def table(rows: list[dict[str, Any]], machines: dict[str, Any] | None = None) -> str:
    machines = machines or {}
    keys = list(machines)
    stamped = any(r.get("commit") or r.get("date") for r in rows)
    noted = any(r.get("note") for r in rows)
    head = ["Figure", "Value", "Target", "Meets"]
    if noted:
        head.append("How")
    if stamped:
        head.append("Measured")
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        meets = row.get("meets")
        verdict = "n/a" if meets is None else ("yes" if meets else "**no**")
        cells = [
            _cell(row["name"]),
            _cell(_value(row)),
            _cell(row.get("target", "")),
            verdict,
        ]
        if noted:
            cells.append(_cell(row.get("note", "")))
        if stamped:
            cells.append(_cell(_measured(row, keys)))
        out.append("| " + " | ".join(cells) + " |")
    text = "\n".join(out) + "\n"
    if machines:
        text += "\n"
        for n, info in enumerate(machines.values(), 1):
            label = f"Machine {n}" if len(machines) > 1 else "Machine"
            text += (
                f"{label}: {info.get('cores')} cores, {info.get('cpu')}, "
                f"{info.get('ram_gb')} GB RAM, Python {info.get('python')}, {info.get('os')}.\n"
            )
    return text


def render(readme: str, root: Path = ROOT) -> str:
    def fill(match: re.Match[str]) -> str:
        source = root / match.group("file")
        if not source.exists():
            return match.group(0)  # keep the last table until the run is made again
        data = load(source)
        return match.group(1) + table(data["figures"], data["machines"]) + match.group(4)

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
