"""Benchmarks (`make bench`): each test adds rows to one results table, printed at the end
and merged into bench-results.json at the repository root (committed; the README's
Benchmarks table is generated from it by tools/readme_tables.py). Not part of `make test`
(tests/benchmarks is in norecursedirs).

Each row is stamped with the test that measured it, the commit, the date and the machine. A
run of some benchmarks only (``-k``, one file) replaces the rows of the tests it ran and
keeps the others with their own commit and date; a benchmark that fails leaves its figures
as misses ("not measured: ..."), never removes them. See tests/figures.py.
"""

from __future__ import annotations

import logging

import pytest

from tests import figures
from tests.benchmarks.harness import RESULTS_FILE, Results, write_large_company

_RESULTS = Results()
#: figure name -> the node id of the benchmark that measured it in this session
_SOURCE: dict[str, str] = {}
#: node ids of the benchmarks collected in this session
_BENCHMARKS: list[str] = []

ABOUT = (
    "Written by `make bench` (tests/benchmarks). Each figure carries the test that measured "
    "it (source), the commit, the date and the machine; a partial run replaces only the "
    "figures of the tests it ran (tests/figures.py)."
)


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.benchmark)
        item.add_marker(pytest.mark.timeout(900))
        if "tests/benchmarks/" in item.nodeid:
            _BENCHMARKS.append(item.nodeid)


@pytest.fixture(scope="session")
def results():
    return _RESULTS


@pytest.fixture(autouse=True)
def _figure_source(request):
    """Remember which benchmark measured each row it adds."""
    before = {id(r) for r in _RESULTS.rows}
    yield
    for row in _RESULTS.rows:
        if id(row) not in before:
            _SOURCE[row.name] = request.node.nodeid


@pytest.fixture(scope="session")
def large_company(tmp_path_factory):
    """The large organisation of issue #7, written once per session."""
    return write_large_company(tmp_path_factory.mktemp("bench-data") / "large.json")


@pytest.fixture(autouse=True)
def _quiet_simulators():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    yield


def produced_rows() -> list[dict]:
    return [{**row.as_json(), "source": _SOURCE.get(row.name, "unknown")} for row in _RESULTS.rows]


def pytest_sessionfinish(session, exitstatus):
    ran = {nodeid: figures.OUTCOMES[nodeid] for nodeid in _BENCHMARKS if nodeid in figures.OUTCOMES}
    if not ran and not _RESULTS.rows:
        return
    data = figures.write(RESULTS_FILE, produced_rows(), ran, about=ABOUT)
    from tools import readme_tables

    readme_tables.main([])  # the README's Benchmarks table, generated from the file
    mine = [r for r in data["figures"] if r.get("source") in ran or r["name"] in _SOURCE]
    print("\n\nBenchmarks (merged into bench-results.json):", flush=True)
    figures.print_table(mine)
    misses = [r["name"] for r in mine if r.get("meets") is False]
    print(
        f"\n{len(misses)} figure(s) of this run miss their target"
        + (": " + "; ".join(misses) if misses else ""),
        flush=True,
    )
