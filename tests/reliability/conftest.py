"""Reliability tests: slow ones are marked ``soak`` and run only with XQB_SOAK=1.

With XQB_SOAK=1 the session also gathers the soak figures (runs converged, duplicates,
faults injected by kind and method, crash points converged, power losses survived, hostile
records with their expected outcome), prints them beside their targets and merges them
into ``soak-results.json`` at the repository root (shape and merge rule: tests/figures.py;
each figure stamped with its test, commit, date and machine; a failed one stays as a miss).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.figures import OUTCOMES, load, print_table, safety_figures, write
from tests.figures import family as family_of
from tests.reliability.support import DUPLICATES, FIGURES, SOAK, fault_figures

ROOT = Path(__file__).resolve().parents[2]
RESULTS_FILE = ROOT / "soak-results.json"

#: outcomes of the parametrized soak runs, per family: {nodeid: (passed, duplicates|None)}
_RUNS: dict[str, dict[str, tuple[bool, int | None]]] = {"fault": {}, "crash": {}}
#: node ids of the soak tests collected (a failed one keeps its figures as misses)
_SOAK_TESTS: set[str] = set()


def pytest_configure(config):
    # Registered here (not in pyproject) so `--strict-markers` accepts it.
    config.addinivalue_line("markers", "soak: slow reliability runs; only with XQB_SOAK=1")


def pytest_collection_modifyitems(config, items):
    _SOAK_TESTS.update(item.nodeid for item in items if item.get_closest_marker("soak"))
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
        # the test stores what it counted before asserting (support.DUPLICATES); a run that
        # died before counting counts as not converged, its duplicates unknown (None)
        _RUNS[family][report.nodeid] = (report.passed, DUPLICATES.get(report.nodeid))


def _run_figures(
    family: str, source: str, converged: str, unit: str, runs: dict[str, tuple[bool, int | None]]
) -> list[dict]:
    ok = sum(p for p, _ in runs.values())
    unknown = sum(1 for _, d in runs.values() if d is None)
    dupes = sum(d or 0 for _, d in runs.values())
    return [
        {
            "name": converged,
            "value": f"{ok}/{len(runs)}",
            "unit": unit,
            "target": f"{len(runs)}/{len(runs)}",
            "meets": ok == len(runs),
            "source": source,
        },
        {
            "name": f"{family}: duplicates created",
            "value": dupes,
            "unit": "duplicates",
            "target": 0,
            "meets": dupes == 0 and unknown == 0,
            "note": (f"{unknown} run(s) ended before counting; " if unknown else "")
            + f"counted in {len(runs) - unknown} of {len(runs)} runs (archived records and "
            "NFC/NFD spellings included)",
            "source": source,
        },
    ]


def soak_figures() -> list[dict]:
    figures: list[dict] = []
    fault, crash = _RUNS["fault"], _RUNS["crash"]
    if fault:
        figures += _run_figures(
            "fault soak",
            "tests/reliability/test_fault_soak.py::test_fault_soak",
            "fault soak: imports converged to the clean state (10 % faults)",
            "runs",
            fault,
        )
        figures += fault_figures()
    if crash:
        figures += _run_figures(
            "crash/resume",
            "tests/reliability/test_crash_resume.py::test_soak_killed_at_random_points",
            "crash/resume: SIGKILL points converged",
            "crash points",
            crash,
        )
    return figures + FIGURES + safety_figures()


ABOUT = (
    "Written by `make soak` (tests/reliability and the safety cases). Each figure carries "
    "the test that measured it (source), the commit, the date and the machine; a partial "
    "run replaces only the figures of the tests it ran (tests/figures.py)."
)


def pytest_terminal_summary(terminalreporter):
    if not SOAK:
        return
    produced = soak_figures()
    sources = {f["source"] for f in produced}
    old = {f.get("source") for f in load(RESULTS_FILE)["figures"]}
    ran: dict[str, str | None] = {}
    for nodeid, outcome in OUTCOMES.items():
        # a parametrized family counting n of N is one source; any other test is its own
        source = family_of(nodeid)
        if source not in sources and source not in old:
            source = nodeid
            if source not in sources and source not in old and nodeid not in _SOAK_TESTS:
                continue
        if ran.get(source) is None:
            ran[source] = outcome
    if not produced and not ran:
        return
    data = write(RESULTS_FILE, produced, ran, about=ABOUT)
    mine = [f for f in data["figures"] if f.get("source") in ran or f.get("source") in sources]
    write_line = terminalreporter.write_line
    write_line("")
    print_table(mine, write_line)
    write_line(f"merged into: {RESULTS_FILE.name}")
    from tools import readme_tables

    readme_tables.main([])  # the README's Reliability table, generated from the file
