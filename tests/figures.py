"""Figures the benchmarks and soak runs measure, and the results files they are kept in.

Safety cases: a test marked ``@pytest.mark.safety("group")`` is one case of that group: it
passes when the product held (refused clearly, or did the right thing). ``make soak`` turns
the outcomes into figures "n of N held".

Results files (``bench-results.json``, ``soak-results.json``)::

    {"about": "...",
     "machines": {"<key>": {"cores", "cpu", "ram_gb", "python", "os"}},
     "figures": [{"name", "value", "unit", "target", "meets", "note",
                  "source", "commit", "date", "machine"}, ...]}

Each figure row carries the test that measured it (``source``), the commit, the date and the
machine of the run that measured it. A run that covers only some tests (``-k``, one file)
**merges by source**: the rows of every test that ran are replaced by what it measured in
this run, in the place its rows held; the rows of tests that did not run keep their last
values with their own commit and date (the README table shows both, so an old figure is
seen as old). A full run (``make bench``/``make soak`` without PYTEST_ARGS, which set
XQB_RESULTS_FULL=1) also drops the figures of tests that no longer exist. A test that ran and failed keeps a row for every figure it did not measure
this time, as a miss ("not measured: ...") — a failed figure never disappears. Figures
of a test that is new to the file come after the others, in the order they were measured.

The README's tables are generated from these files by ``tools/readme_tables.py``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: group -> {nodeid: passed}
SAFETY: dict[str, dict[str, bool]] = {}
#: nodeid -> group, filled at collection
_GROUP_OF: dict[str, str] = {}
#: nodeid -> None (passed) or the first line of why it failed; skipped tests are absent
OUTCOMES: dict[str, str | None] = {}
#: node ids collected in this session (selected or not)
COLLECTED: set[str] = set()


def collect(items) -> None:
    for item in items:
        COLLECTED.add(item.nodeid)
        marker = item.get_closest_marker("safety")
        if marker is not None:
            if not marker.args or not isinstance(marker.args[0], str):
                raise ValueError(f"{item.nodeid}: @pytest.mark.safety needs a group name")
            _GROUP_OF[item.nodeid] = marker.args[0]


def _why(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    lines = [line for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else "failed")[:200]


def record(report) -> None:
    """Called for every test report (tests/conftest.py): outcomes and safety cases."""
    if not report.skipped:
        if report.failed:
            OUTCOMES.setdefault(report.nodeid, None)
            if OUTCOMES[report.nodeid] is None:
                OUTCOMES[report.nodeid] = f"{report.when} failed: {_why(report)}"
        elif report.when == "call":
            OUTCOMES.setdefault(report.nodeid, None)
    group = _GROUP_OF.get(report.nodeid)
    if group is None or report.skipped:
        return
    cases = SAFETY.setdefault(group, {})
    if report.when == "call":
        cases[report.nodeid] = report.passed
    elif report.failed:  # a failure in set-up or tear-down is a case that did not hold
        cases[report.nodeid] = False


def safety_figures() -> list[dict]:
    figures = []
    for group, cases in sorted(SAFETY.items()):
        held, total = sum(cases.values()), len(cases)
        figures.append(
            {
                "name": group,
                "value": f"{held}/{total}",
                "unit": "cases",
                "target": f"{total}/{total}",
                "meets": held == total,
                "source": f"safety:{group}",
            }
        )
    return figures


def current_test() -> str:
    """The node id of the test running now (pytest sets PYTEST_CURRENT_TEST)."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    return current.rsplit(" (", 1)[0] if current else "outside a test"


def family(nodeid: str) -> str:
    """A parametrized test's id without its parameters: the source of a figure over all."""
    return nodeid.split("[", 1)[0]


# ---------------------------------------------------------------------------- the run
def commit(root: Path = ROOT) -> str:
    """The commit measured, with "+changes" when the working tree differs from it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short=10", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "core", "wizard", "tests")
    return head + ("+changes" if dirty else "")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    ram_gb: float | None = None
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    if ram_gb is None and hasattr(os, "sysconf"):
        try:
            ram_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
        except (ValueError, OSError):
            ram_gb = None
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
    }


def machine_key(info: Mapping[str, Any]) -> str:
    return f"{info.get('cores')} cores, {info.get('cpu')}, {info.get('ram_gb')} GB"


def now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------------------- the file
def load(path: Path) -> dict[str, Any]:
    """The results file (none reads as empty; an older plain list as figures of no source,
    kept until a full run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"machines": {}, "figures": []}
    if isinstance(data, list):
        data = {"figures": data}
    if not isinstance(data, dict):
        return {"machines": {}, "figures": []}
    data.setdefault("machines", {})
    data.setdefault("figures", [])
    return data


def full_run() -> bool:
    """``make bench`` / ``make soak`` without PYTEST_ARGS: every test of the set ran."""
    return os.environ.get("XQB_RESULTS_FULL") == "1"


def merge(
    old: Mapping[str, Any],
    produced: Iterable[Mapping[str, Any]],
    ran: Mapping[str, str | None],
    *,
    run: Mapping[str, Any],
    about: str = "",
    full: bool = False,
    collected: Iterable[str] = (),
) -> dict[str, Any]:
    """The results file after a run (see the module docstring).

    ``produced``: the figures of this run, each with its ``source``; ``ran``: every source
    that ran in this run -> None (passed) or why it failed; ``run``: {"commit", "date",
    "machine": {...}}. A source is a test's node id, or a parametrized test's id without
    its parameters (then it stands for every one of them). ``full``: the run covered the
    whole set (``make bench``/``make soak``), so the figures of tests that no longer exist
    (not in ``collected``) and of no source are dropped; skipped ones keep their last values.
    """
    key = machine_key(run["machine"])
    stamp = {"commit": run["commit"], "date": run["date"], "machine": key}
    new_by_source: dict[str, list[dict[str, Any]]] = {}
    for row in produced:
        source = str(row.get("source") or "unknown")
        fresh = {k: v for k, v in row.items() if k not in ("commit", "date", "machine")}
        fresh["source"] = source
        fresh.update(stamp)
        rows = new_by_source.setdefault(source, [])
        rows[:] = [r for r in rows if r["name"] != fresh["name"]] + [fresh]
    sources = list(dict.fromkeys([*ran, *new_by_source]))

    def replacement(source: str, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = list(new_by_source.get(source, []))
        failed = ran.get(source)
        if failed:
            names = {r["name"] for r in rows}
            for old_row in previous:
                if old_row["name"] not in names:  # measured before, not this time: a miss
                    rows.append(_miss(old_row["name"], old_row, failed, stamp, source))
            if not rows:
                rows.append(_miss(f"{source}: no figure", {}, failed, stamp, source))
        return rows

    def owner(row_source: str) -> str | None:
        """The source of this run that replaces an old row of ``row_source``."""
        for candidate in (row_source, family(row_source)):
            if candidate and candidate in sources:
                return candidate
        return None

    alive = set(collected) | {family(c) for c in collected}
    old_rows = [dict(r) for r in old.get("figures", []) if isinstance(r, dict) and "name" in r]
    out: list[dict[str, Any]] = []
    placed: set[str] = set()
    for row in old_rows:
        source = str(row.get("source") or "")
        mine = owner(source)
        if mine is not None:
            if mine not in placed:
                placed.add(mine)
                out += replacement(
                    mine, [r for r in old_rows if owner(str(r.get("source") or "")) == mine]
                )
            continue
        if full and source not in alive:
            continue  # a test that is gone, or a figure of no source
        out.append(row)
    for source in sources:
        if source not in placed:
            out += replacement(source, [])
    # a name appears once: the latest measurement wins
    seen: set[str] = set()
    unique: list[dict[str, Any]] = []
    for row in reversed(out):
        if row["name"] not in seen:
            seen.add(row["name"])
            unique.append(row)
    unique.reverse()
    machines = {k: v for k, v in dict(old.get("machines", {})).items()}
    machines[key] = dict(run["machine"])
    used = {r.get("machine") for r in unique}
    return {
        "about": about or str(old.get("about", "")),
        "machines": {k: v for k, v in machines.items() if k in used},
        "figures": unique,
    }


def _miss(
    name: str, old_row: Mapping[str, Any], why: str, stamp: Mapping[str, str], source: str
) -> dict[str, Any]:
    return {
        "name": name,
        "value": None,
        "unit": old_row.get("unit", ""),
        "target": old_row.get("target", ""),
        "meets": False,
        "note": f"not measured: {why}",
        "source": source,
        **stamp,
    }


def write(
    path: Path,
    produced: Iterable[Mapping[str, Any]],
    ran: Mapping[str, str | None],
    *,
    about: str,
    root: Path = ROOT,
) -> dict[str, Any]:
    run = {"commit": commit(root), "date": now(), "machine": machine()}
    data = merge(
        load(path), produced, ran, run=run, about=about, full=full_run(), collected=COLLECTED
    )
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return data


def print_table(rows: Iterable[Mapping[str, Any]], write_line: Any = None) -> None:
    """Each figure beside its target, misses marked MISS."""
    out = write_line or (lambda s: print(s, file=sys.stdout, flush=True))
    rows = list(rows)
    out(f"{'figure':<70} {'value':>12} {'target':>14}  meets")
    for f in rows:
        value = "-" if f.get("value") is None else f"{f['value']!s} {f.get('unit') or ''}"
        verdict = "n/a" if f.get("meets") is None else ("yes" if f["meets"] else "MISS")
        out(
            f"{str(f['name'])[:70]:<70} {value[:12]:>12} {str(f.get('target'))[:14]:>14}  {verdict}"
        )
