"""Benchmarks (`make bench`): each test adds rows to one results table, printed at the end
and written to bench-results.json at the repository root. Not part of `make test`
(tests/benchmarks is in norecursedirs)."""

from __future__ import annotations

import logging

import pytest

from tests.benchmarks.harness import Results, write_large_company

_RESULTS = Results()


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.benchmark)
        item.add_marker(pytest.mark.timeout(900))


@pytest.fixture(scope="session")
def results():
    return _RESULTS


@pytest.fixture(scope="session")
def large_company(tmp_path_factory):
    """The large organisation of issue #7, written once per session."""
    return write_large_company(tmp_path_factory.mktemp("bench-data") / "large.json")


@pytest.fixture(autouse=True)
def _quiet_simulators():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    yield


def pytest_sessionfinish(session, exitstatus):
    if not _RESULTS.rows:
        return
    _RESULTS.write()
    print("\n\nBenchmarks (bench-results.json):\n" + _RESULTS.table(), flush=True)
    misses = [r.name for r in _RESULTS.rows if r.meets is False]
    print(
        f"\n{len(misses)} figure(s) miss their target"
        + (": " + "; ".join(misses) if misses else ""),
        flush=True,
    )
