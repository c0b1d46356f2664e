"""Fault soak: 30 imports of the Demo Company with 10 % of requests faulted, every kind.

Every request to QuickBooks Time suffers a fault with probability 10 % (429, 500, 503,
reset, read timeout, cut-short answer, lost answer: equally likely), and so does every
request to Xero (429, 500, 503, reset). Each of the 30 runs (one seed each, organisations in
turn) syncs until nothing is left to do (at most 3 syncs; a sync may end in an error the
user would see and retry) and must end exactly where a clean import ends: 0 duplicates,
0 lost. Run with ``XQB_SOAK=1`` (about two minutes); ``-s`` prints one line per run.
The faults injected are counted by service, kind and HTTP method (every kind asked for must
have been injected at least once, or the figure is a miss), the duplicates of every run are
counted (archived records and NFC/NFD spellings included).
"""

from __future__ import annotations

import pytest

from core.errors import BridgeError
from core.store.models import JournalEntry
from tests.reliability.support import (
    FAULT_KINDS,
    SOAK,
    MemoryBackend,
    canonical_state,
    clean_state,
    converge,
    count_faults,
    diff,
    duplicates,
    open_demo,
    record_duplicates,
)

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="soak test: set XQB_SOAK=1")]

QBT_KINDS = ("429", "500", "503", "reset", "read_timeout", "truncated", "lost_response")
XERO_KINDS = ("429", "500", "503", "reset")
RATE = 0.10
ORGS = ("AU", "UK", "CA")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("seed", range(30))
def test_fault_soak(tmp_path, seed):
    from core.sandbox.common import FaultPlan

    org = ORGS[seed % len(ORGS)]
    clean = clean_state(org, tmp_path)
    qbt, xero = FaultPlan(seed=seed, stall_s=0.6), FaultPlan(seed=1000 + seed)
    ctx, conn = open_demo(
        org,
        tmp_path / "home",
        tmp_path / "state",
        MemoryBackend(),
        sandbox_kwargs={"qbtime_faults": qbt, "xero_faults": xero},
        timeout=(2.0, 0.3),
    )
    FAULT_KINDS.update({"QuickBooks Time": QBT_KINDS, "Xero": XERO_KINDS})
    count_faults(qbt, "QuickBooks Time")
    count_faults(xero, "Xero")
    try:
        for kind in QBT_KINDS:  # after connecting: the faults are for the import
            setattr(qbt, f"p_{kind}", RATE / len(QBT_KINDS))
        for kind in XERO_KINDS:
            setattr(xero, f"p_{kind}", RATE / len(XERO_KINDS))
        results = converge(ctx, conn, max_runs=3, tolerate=(BridgeError,))
        store = ctx.sandbox.store
        problems = duplicates(store)
        record_duplicates(len(problems))
        state = canonical_state(store)
        print(
            f"soak seed={seed} org={org} syncs={len(results)} "
            f"errors={sum(isinstance(r, BaseException) for r in results)} "
            f"duplicates={len(problems)} same_as_clean={state == clean}"
        )
        assert problems == []
        assert state == clean, diff(clean, state)
        assert JournalEntry.select().where(JournalEntry.state == "intent").count() == 0
    finally:
        ctx.close()
