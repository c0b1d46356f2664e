"""Benchmarks 1-3: API economy of a first import of the large organisation, the re-import
with nothing changed, and our own CPU/RSS (simulators in another process)."""

from __future__ import annotations

import pytest

from tests.benchmarks.harness import (
    LARGE,
    QBT_BATCH,
    QBT_PAGE,
    XERO_CONTACTS_PAGE,
    XERO_PAYROLL_PAGE,
    SandboxProcess,
    pages,
    run_worker,
)

pytestmark = pytest.mark.benchmark


def minimum_calls(outcomes: dict[str, dict[str, int]], leave_types: int) -> dict[str, int]:
    """Pages at the documented page sizes + writes at 50 per batch, each list read once."""
    xero = (
        1  # organisation
        + pages(LARGE["contacts"], XERO_CONTACTS_PAGE)
        + 1
        + 1  # items, tracking categories
        + pages(LARGE["employees"], XERO_PAYROLL_PAGE)
        + pages(leave_types, XERO_PAYROLL_PAGE)
    )
    qbt_reads = (
        pages(LARGE["qbt_users"], QBT_PAGE)
        + pages(LARGE["qbt_customers"] + 3, QBT_PAGE)  # + 3 time-off jobcodes
        + 1
        + 1
        + 1
        + 1
    )  # customfields, their items (1 field), locations, assignments
    writes = sum(
        pages(n, QBT_BATCH)
        for outcome in ("created", "updated", "archived")
        for n in outcomes.get(outcome, {}).values()
        if n
    )
    return {
        "xero": xero,
        "qbtime_reads": qbt_reads,
        "qbtime_writes": writes,
        "total": xero + qbt_reads + writes,
    }


def test_large_import(large_company, tmp_path, results):
    with SandboxProcess(large_company, tmp_path / "state") as box:
        out = run_worker(
            [
                "large_import",
                box.endpoints.xero_base,
                box.endpoints.qbtime_base,
                box.endpoints.qbtime_token,
                box.endpoints.tenant_id,
            ],
            timeout=1200,
        )
    first, second = out["first"], out["second"]
    made = first["calls"]["xero"]["requests"] + first["calls"]["qbtime"]["requests"]
    minimum = minimum_calls(first["outcomes"], leave_types=8)
    print("\nfirst import:", first["summary"], "\ncalls:", first["calls"], "\nminimum:", minimum)
    ratio = made / minimum["total"]
    results.add(
        "API economy: first import calls / minimum",
        ratio,
        "ratio",
        "<= 1.10",
        ratio <= 1.10,
        f"{made} calls vs minimum {minimum['total']} "
        f"(Xero {first['calls']['xero']['requests']}/{minimum['xero']}, QB Time "
        f"{first['calls']['qbtime']['requests']}/{minimum['qbtime_reads'] + minimum['qbtime_writes']}); one run",
    )
    xero2 = second["calls"]["xero"]["requests"]
    kinds = 6  # organisation, contacts, items, tracking categories, employees, leave types
    writes2 = sum(n for m, n in second["calls"]["qbtime"]["by_method"].items() if m != "GET")
    results.add(
        "re-import unchanged: Xero calls",
        xero2,
        "calls",
        f"<= {kinds} (one per kind)",
        xero2 <= kinds,
    )
    results.add("re-import unchanged: QB Time writes", writes2, "calls", "= 0", writes2 == 0)
    share = second["wall_s"] / first["wall_s"]
    results.add(
        "re-import unchanged: wall time / first import",
        share,
        "ratio",
        "<= 0.05",
        share <= 0.05,
        f"{second['wall_s']:.1f} s vs {first['wall_s']:.1f} s; one run",
    )
    results.add(
        "local overhead: CPU of our process, first import",
        first["cpu_s"],
        "s",
        "<= 3",
        first["cpu_s"] <= 3.0,
        "simulators in another process, latency 0; one run",
    )
    results.add(
        "local overhead: peak RSS of our process",
        out["peak_rss_mb"],
        "MB",
        "<= 300",
        out["peak_rss_mb"] <= 300,
    )
