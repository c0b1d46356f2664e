"""Benchmark 7: UI responsiveness (issue 16). The gaps in the window's event loop over the
whole wizard flow on the 10,000-contact organisation (fetch, review, preview, import, result;
10 runs, a fresh process each; the Demo Company's simulators in their own process, the
engine's work in the window's engine process, as the app runs them): the 99th percentile,
the count over 50 ms and the longest. Cold start to the first page painted vs a bare QWizard,
for a first run and for a returning user's home page (each in a fresh subprocess)."""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import pytest

from tests.benchmarks.harness import median, run_worker
from tests.benchmarks.workers import BEAT_MS, STALL_LIMIT_MS

pytestmark = pytest.mark.benchmark

COLD_REPEATS = 5


def test_cold_start(results, tmp_path_factory):
    """Cold start to the first page painted, against a bare QWizard, for a first run (the
    welcome page) and for a returning user (the home page: a business connected on the Demo
    Company, the app started as for the real services, its sign-ins in a file keyring that
    reads the disk at each use: workers._file_keyring). The home page is painted as the user
    first sees it, saying it is reading: its database is opened once it is painted, on a
    worker, before the page names the business (when it does, and the page's first keyring
    read, in the background, are reported beside: the time to the paint does not hide them)."""
    # Started as a person starts it: an installed copy runs from compiled bytecode (pip and
    # the packaged builds compile it). A checkout run with PYTHONDONTWRITEBYTECODE=1 would
    # compile the app's own modules again at every start, a cost no user pays, so both sides
    # get a bytecode cache of their own (outside the checkout), filled by a first run of each
    # that is not counted. The app side is the product's own start (workers.cold_start).
    cache = tmp_path_factory.mktemp("bytecode")
    returning = tmp_path_factory.mktemp("returning")
    home_args = [str(returning / "home"), str(returning / "keyring.json"), str(returning / "demo")]
    env = {"PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": ""}
    run_worker(["cold_start_prepare", *home_args], env=env)
    kinds = {"bare": [], "app": [], "home": []}
    for kind in kinds:
        run_worker(["cold_start", kind, repr(time.time()), *home_args], env=env)
    reads: list[float] = []
    filled: list[float] = []
    for _ in range(COLD_REPEATS):
        for kind, times in kinds.items():
            out = run_worker(["cold_start", kind, repr(time.time()), *home_args], env=env)
            times.append(out["first_paint_s"])
            if kind == "home" and out.get("first_keyring_read_s") is not None:
                reads.append(out["first_keyring_read_s"])
            if kind == "home" and out.get("first_filled_s") is not None:
                filled.append(out["first_filled_s"])
    bare = median(kinds["bare"])
    common = (
        f"median of {COLD_REPEATS}, subprocess each, bytecode compiled (first run of each "
        "not counted)"
    )
    app = median(kinds["app"])
    results.add(
        "cold start to first page painted / bare QWizard",
        app / bare,
        "ratio",
        "<= 1.5",
        app / bare <= 1.5,
        f"first run, the welcome page: {app:.3f} s vs {bare:.3f} s, {common}",
    )
    home = median(kinds["home"])
    read = f"; the first keyring read at {median(reads):.3f} s (background)" if reads else ""
    if filled:  # painted reading, its database opened after the paint: then the business
        read = f"; the business named on it at {median(filled):.3f} s{read}"
    results.add(
        "cold start to the home page painted (returning user) / bare QWizard",
        home / bare,
        "ratio",
        "<= 1.5",
        home / bare <= 1.5,
        f"connected (on the Demo Company), started as for the real services, file keyring "
        f"(a real read from disk at each use): "
        f"{home:.3f} s vs {bare:.3f} s, {common}{read}",
    )


#: issue 16: at least 10 runs, each in a fresh process
STALL_REPEATS = 10


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank: a value that occurred)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def test_event_loop_stall(tmp_path, results, large_company):
    """The whole wizard flow on the 10,000-contact organisation, as a user runs it: Next on
    the organisation page starts the fetch (options page), then the review, the preview,
    the import and the result page. The window is the product's own (``open_wizard``, with
    its engine process); the Demo Company's simulators run in their own process. Each run
    in a fresh process (the other benchmarks' data must not sit in the heap), every gap
    between two heartbeats of the window's event loop recorded."""
    runs: list[dict[str, Any]] = []
    started = time.perf_counter()
    for i in range(STALL_REPEATS):
        runs.append(
            run_worker(["ui_flow", str(large_company), str(tmp_path / f"run-{i}")], timeout=900)
        )
    elapsed = time.perf_counter() - started
    gaps = [g for run in runs for g in run["gaps_ms"]]
    p99 = percentile(gaps, 99)
    over = sum(1 for g in gaps if g > STALL_LIMIT_MS)
    worst = max(gaps)
    per_run = ", ".join(f"{max(r['gaps_ms']):.0f}" for r in runs)
    where = ", ".join(
        f"{page} {n}" for page, n in sorted(_count_pages(runs).items(), key=lambda kv: -kv[1])
    )
    flow_s = statistics.median(r["flow_s"] for r in runs)
    note = (
        f"{STALL_REPEATS} runs of the whole flow (fetch, review, preview, import, result) on "
        f"the 10,000-contact organisation, a fresh process each, simulators in their own "
        f"process; {len(gaps)} gaps between {BEAT_MS} ms heartbeats; flow {flow_s:.0f} s "
        f"(median); bench {elapsed:.0f} s"
    )
    results.add(
        "UI: event-loop gap, 99th percentile, whole flow (10,000 contacts)",
        p99,
        "ms",
        "<= 50",
        p99 <= STALL_LIMIT_MS,
        note,
    )
    results.add(
        "UI: event-loop gaps over 50 ms, whole flow (10,000 contacts)",
        over,
        "gaps",
        "0",
        over == 0,
        f"over {STALL_REPEATS} runs" + (f"; by page: {where}" if where else ""),
    )
    results.add(
        "UI: longest event-loop gap, whole flow (10,000 contacts)",
        worst,
        "ms",
        "<= 50",
        worst <= STALL_LIMIT_MS,
        f"longest of each run: {per_run} ms",
    )


def _count_pages(runs: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for run in runs:
        for page in run["over_pages"]:
            out[page] = out.get(page, 0) + 1
    return out
