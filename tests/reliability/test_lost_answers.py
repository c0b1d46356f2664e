"""Lost answers to full write batches, on the large organisation (``make soak`` only).

The organisation is the benchmarks' large one (tests/benchmarks/harness.py: 10,000 contacts,
6,000 customers, 300 employees, 500 items; QuickBooks Time already holding 3,000 customers
and 150 users), so the import writes full batches of 50 records. QuickBooks Time applies
every fourth write request (POST/PUT, retries included) and its answer is lost on the way
back: the importer does not know which records it created. Syncs run until nothing is left
to do; QuickBooks Time must end exactly as after a fault-free import of the same
organisation, with no duplicate (archived records and NFC/NFD spellings included) and no
journal entry left "intent".

The figure counts runs converged, n of N, and says how many answers were lost, how many of
them to full batches of 50 records (at least one, or the figure is a miss: the run would not
have tested what it is for).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from core.store.models import JournalEntry
from tests.figures import family
from tests.reliability.support import (
    SOAK,
    MemoryBackend,
    canonical_state,
    converge,
    diff,
    duplicates,
    open_demo,
    record_figure,
)

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="soak test: set XQB_SOAK=1")]

BATCH = 50  # QuickBooks Time's records per write request
EVERY = 4  # one write answer lost in EVERY
_CLEAN: dict[str, Any] = {}
#: node id -> (converged, answers lost, of which full batches, by endpoint)
_RUNS: dict[str, tuple[bool, int, int, Counter[str]]] = {}


def _company(workdir: Path) -> Path:
    from tests.benchmarks.harness import write_large_company

    return write_large_company(workdir / "large.json")


def _created_duplicates(store: Any, company: Path) -> list[str]:
    """Duplicates the import made: the large organisation's QuickBooks Time data already
    holds a few (names cut to 64 characters by the benchmark's generator), not counted."""
    if "before" not in _CLEAN:
        data = json.loads(company.read_text(encoding="utf-8"))
        _CLEAN["before"] = set(duplicates(data["qbtime"]))
    return [p for p in duplicates(store) if p not in _CLEAN["before"]]


class _SharedClock:
    """The simulators' clock follows the importer's virtual time (support.VirtualTime): their
    real rate limits (QuickBooks Time's 300 requests per 5 minutes) apply, and the waits the
    importer makes for them pass at once, on both sides."""

    def __init__(self) -> None:
        self.ctx: Any = None

    def now(self) -> float:
        vt = getattr(self.ctx, "vtime", None)
        return vt.now() if vt is not None else time.time()


def _open(home: Path, state: Path, company: Path, **sandbox_kwargs: Any) -> tuple[Any, Any]:
    clock = _SharedClock()
    ctx, conn = open_demo(
        "*",
        home,
        state,
        MemoryBackend(),
        data_file=company,
        sandbox_kwargs={"clock": clock, **sandbox_kwargs},
    )
    clock.ctx = ctx
    return ctx, conn


def _clean(workdir: Path, company: Path) -> dict[str, list[Any]]:
    if "state" not in _CLEAN:
        ctx, conn = _open(workdir / "clean-home", workdir / "clean-state", company)
        try:
            converge(ctx, conn, max_runs=2)
            assert _created_duplicates(ctx.sandbox.store, company) == []
            _CLEAN["state"] = canonical_state(ctx.sandbox.store)
        finally:
            ctx.close()
    return _CLEAN["state"]


class _LoseAnswers:
    """Loses the answer of every EVERY-th write (from ``offset``) and counts what it lost."""

    def __init__(self, faults: Any, qbt: Any, offset: int) -> None:
        self.offset = offset
        self.writes = 0
        self.lost: list[tuple[str, int]] = []  # (endpoint, records in the request)
        self._local = threading.local()
        self._lock = threading.Lock()
        pick, handle = faults.pick, qbt.handle

        def picking(method: str, path: str) -> str | None:
            kind = pick(method, path)
            lose = False
            if method.upper() in ("POST", "PUT"):
                with self._lock:
                    self.writes += 1
                    lose = kind is None and self.writes % EVERY == self.offset % EVERY
            self._local.lose = lose
            return "lost_response" if lose else kind

        def handling(request: Any) -> Any:
            if getattr(self._local, "lose", False):
                self._local.lose = False
                try:
                    records = len(json.loads(request.get_data() or b"{}").get("data") or [])
                except ValueError:
                    records = 0
                with self._lock:
                    self.lost.append((request.path.rsplit("/", 1)[-1], records))
            return handle(request)

        faults.pick = picking
        qbt.handle = handling


@pytest.mark.timeout(900)
@pytest.mark.parametrize("offset", [1, 3])
def test_lost_answers_to_full_batches_on_the_large_organisation(
    tmp_path_factory, tmp_path, offset, request
):
    from core.sandbox.common import FaultPlan

    shared = tmp_path_factory.getbasetemp() / "lost-answers"
    shared.mkdir(exist_ok=True)
    company = _company(shared)
    clean = _clean(shared, company)
    faults = FaultPlan(seed=offset)
    ctx, conn = _open(tmp_path / "home", tmp_path / "state", company, qbtime_faults=faults)
    losing = _LoseAnswers(faults, ctx.sandbox.qbtime, offset)
    converged = False
    try:
        converge(ctx, conn, max_runs=4)
        store = ctx.sandbox.store
        problems = _created_duplicates(store, company)
        assert problems == [], problems[:10]
        now = canonical_state(store)
        assert now == clean, diff(clean, now)
        assert JournalEntry.select().where(JournalEntry.state == "intent").count() == 0
        converged = True
    finally:
        ctx.close()
        full = sum(1 for _e, n in losing.lost if n == BATCH)
        by_endpoint = Counter(e for e, n in losing.lost if n == BATCH)
        _RUNS[request.node.nodeid] = (converged, len(losing.lost), full, by_endpoint)
        ok = sum(c for c, _l, _f, _b in _RUNS.values())
        lost = sum(n for _c, n, _f, _b in _RUNS.values())
        fulls = sum(f for _c, _l, f, _b in _RUNS.values())
        ends: Counter[str] = Counter()
        for _c, _l, _f, b in _RUNS.values():
            ends.update(b)
        record_figure(
            "lost answers to write batches, large organisation: syncs converged to the clean state",
            f"{ok}/{len(_RUNS)}",
            "runs",
            f"{len(_RUNS)}/{len(_RUNS)}",
            ok == len(_RUNS) and fulls >= 1,
            note=(
                f"{lost} answers lost (1 write in {EVERY}), {fulls} of them to full batches of "
                f"{BATCH} ("
                + ", ".join(f"{e} {n}" for e, n in sorted(ends.items()))
                + "); converged: the state of a fault-free import, no duplicate, nothing "
                "left 'intent'"
            ),
            source=family(request.node.nodeid),
        )
    assert full >= 1, f"no answer to a full batch was lost: {losing.lost}"
