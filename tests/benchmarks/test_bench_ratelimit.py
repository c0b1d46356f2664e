"""Benchmark 5: total time against the floor Xero's minute limit imposes.

The simulator's minute window is fixed at 60 s, so time is scaled instead: its clock runs
10x fast (60 calls per simulated minute = 60 per 6 real seconds) and the client's limiter
is built with the same scaling (core.services.http.xero_limiter's 60 per sliding 62 s becomes 60 per
6.2 s, 4 in flight).
50 ms latency on every call. Workload: repeated full Xero reads of the Demo Company (AU).
"""

from __future__ import annotations

import math
import time

import pytest

from core.sandbox.common import Clock, FaultPlan
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.sandbox.xero_config import XeroConfig
from core.services.fetch import FetchReport, _fetch_xero
from core.services.http import (
    XERO,
    XERO_MAX_CONCURRENT,
    XERO_MINUTE_WINDOW_S,
    XERO_PER_MINUTE,
    LimiterRegistry,
    RateLimiter,
)
from tests.benchmarks.harness import Endpoints, calls, connect, reset_counter

pytestmark = pytest.mark.benchmark

SPEED = 10.0  # simulated seconds per real second
LIMIT = 60  # the simulator's calls per (simulated) minute
WINDOW_S = 60.0 / SPEED
LATENCY_S = 0.05
TARGET_CALLS = 240


class FastClock(Clock):
    def __init__(self) -> None:
        self.t0 = time.time()

    def now(self) -> float:
        return self.t0 + (time.time() - self.t0) * SPEED


def test_rate_limit_floor(tmp_path, results):
    box = Sandbox.open(
        DEMO_COMPANY_FILE,
        tmp_path / "state",
        clock=FastClock(),
        xero_faults=FaultPlan(latency_s=LATENCY_S),
        xero_config=XeroConfig(minute_limit=LIMIT),
    )
    tenant = next(
        o["tenantId"] for o in box.store.xero_orgs if o["tenantName"] == "Maison Verdure Australia"
    )
    ctx, conn = connect(
        Endpoints(box.xero_base, box.qbtime_base, box.qbtime_token, tenant), sandbox=box
    )
    try:
        # connect() already built the product's real-time limiter for this tenant: start a
        # fresh registry so the scaled one below is the one every call goes through.
        ctx.limiters = LimiterRegistry()
        limiter = ctx.limiters.for_key(
            f"xero:{tenant}",
            lambda: RateLimiter(
                max_concurrent=XERO_MAX_CONCURRENT,
                per_window=XERO_PER_MINUTE,
                window_s=XERO_MINUTE_WINDOW_S / SPEED,
                per_day=100_000,
                name=tenant,
                sleep=time.sleep,
                service=XERO,
            ),
        )
        assert ctx.limiters.for_key(f"xero:{tenant}", lambda: None) is limiter
        time.sleep(WINDOW_S)  # the connect calls' window is over: start from a fresh one
        reset_counter(ctx)
        start = time.perf_counter()
        rounds = 0
        while calls(ctx)["xero"]["requests"] < TARGET_CALLS:
            _fetch_xero(ctx, conn, FetchReport(), full=True, step=lambda *_: None)
            rounds += 1
        elapsed = time.perf_counter() - start
        seen = calls(ctx)["xero"]
    finally:
        ctx.close()
    n = seen["by_status"].get("200", 0)
    floor = max(
        (math.ceil(n / LIMIT) - 1) * WINDOW_S + LATENCY_S, n * LATENCY_S / XERO_MAX_CONCURRENT
    )
    ratio = elapsed / floor
    results.add(
        "rate-limit floor: total time / floor",
        ratio,
        "ratio",
        "<= 1.15",
        ratio <= 1.15,
        f"{n} Xero calls ({rounds} full reads) in {elapsed:.1f} s; floor {floor:.1f} s "
        f"= {LIMIT} per {WINDOW_S:g} s window, {LATENCY_S * 1000:g} ms latency; one run",
    )
    limited = seen["rate_limited"]
    results.add(
        "rate-limit floor: 429 answers received",
        limited,
        "count",
        "= 0 (all recovered)",
        limited == 0,
        f"429s seen {limited}, every read completed",
    )
