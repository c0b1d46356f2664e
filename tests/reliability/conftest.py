"""Reliability tests: slow ones are marked ``soak`` and run only with XQB_SOAK=1.

With XQB_SOAK=1 the session also gathers the soak figures (runs converged, duplicates,
crash points converged, power cuts survived, hostile records), prints them as a table and
writes ``soak-results.json`` at the repository root: a list of
``{"name", "value", "unit", "target", "meets"}``, like ``bench-results.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.figures import safety_figures
from tests.reliability.support import FIGURES, SOAK

ROOT = Path(__file__).resolve().parents[2]
RESULTS_FILE = ROOT / "soak-results.json"

#: outcomes of the parametrized soak runs, per family: {nodeid: (passed, duplicates|None)}
_RUNS: dict[str, dict[str, tuple[bool, int | None]]] = {"fault": {}, "crash": {}}
_DUPES = re.compile(r"duplicates=(\d+)")


def pytest_configure(config):
    # Registered here (not in pyproject) so `--strict-markers` accepts it.
    config.addinivalue_line("markers", "soak: slow reliability runs; only with XQB_SOAK=1")


def pytest_collection_modifyitems(config, items):
    if SOAK:
        return
    skip = pytest.mark.skip(reason="soak test: set XQB_SOAK=1")
    for item in items:
        if item.get_closest_marker("soak"):
            item.add_marker(skip)


def _family(nodeid: str) -> str | None:
    if "test_fault_soak.py::test_fault_soak[" in nodeid:
        return "fault"
    if "test_crash_resume.py::test_soak_killed_at_random_points[" in nodeid:
        return "crash"
    return None


def pytest_runtest_logreport(report):
    family = _family(report.nodeid)
    if family is None or report.skipped:
        return
    if report.when == "call" or (report.when == "setup" and report.failed):
        dupes = None
        found = _DUPES.findall(report.capstdout or "")
        if found:
            dupes = int(found[-1])
        elif report.passed:
            dupes = 0  # the test asserts there is none
        elif "duplicate" in str(report.longrepr):
            dupes = 1
        _RUNS[family][report.nodeid] = (report.passed, dupes)


def soak_figures() -> list[dict]:
    figures: list[dict] = []
    fault, crash = _RUNS["fault"], _RUNS["crash"]
    if fault:
        ok = sum(p for p, _ in fault.values())
        dupes = sum(d or 0 for _, d in fault.values())
        figures.append(
            {
                "name": "fault soak: imports converged to the clean state (10 % faults)",
                "value": f"{ok}/{len(fault)}",
                "unit": "runs",
                "target": f"{len(fault)}/{len(fault)}",
                "meets": ok == len(fault),
            }
        )
        figures.append(
            {
                "name": "fault soak: duplicates created",
                "value": dupes,
                "unit": "duplicates",
                "target": 0,
                "meets": dupes == 0,
            }
        )
    if crash:
        ok = sum(p for p, _ in crash.values())
        dupes = sum(d or 0 for _, d in crash.values())
        figures.append(
            {
                "name": "crash/resume: SIGKILL points converged",
                "value": f"{ok}/{len(crash)}",
                "unit": "crash points",
                "target": f"{len(crash)}/{len(crash)}",
                "meets": ok == len(crash),
            }
        )
        figures.append(
            {
                "name": "crash/resume: duplicates created",
                "value": dupes,
                "unit": "duplicates",
                "target": 0,
                "meets": dupes == 0,
            }
        )
    return figures + FIGURES + safety_figures()


def pytest_terminal_summary(terminalreporter):
    if not SOAK:
        return
    figures = soak_figures()
    if not figures:
        return
    RESULTS_FILE.write_text(
        json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write = terminalreporter.write_line
    write("")
    write(f"{'reliability figure':<66} {'value':>10} {'target':>10}  meets")
    for f in figures:
        write(
            f"{f['name'][:66]:<66} {f['value']!s:>10} {f['target']!s:>10}  "
            f"{'yes' if f['meets'] else 'NO'}"
        )
    write(f"written: {RESULTS_FILE.name}")
