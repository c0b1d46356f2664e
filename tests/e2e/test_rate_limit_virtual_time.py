"""The Demo Company runs on one virtual clock (tests/virtual_time.py): more than a minute's
worth of Xero calls waits for Xero's minute limit in virtual time, at once, and the
simulator (on the same clock) sees that limit honoured."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

# core.services.limits: 60 calls per sliding 62 s for one organisation
PER_WINDOW, WINDOW_S = 60, 62.0
XERO_MINUTE_S = 60.0  # Xero: 60 calls a minute per organisation
CALLS = 150


def test_more_than_sixty_xero_calls_wait_in_virtual_time_within_the_minute_limit(demo_ctx):
    ctx, conn = demo_ctx("UK")
    tenant = conn.xero_tenant_id
    box = ctx.sandbox
    sim = box.xero.api.limiter
    admit = sim.admit
    sent: list[float] = []  # the simulator's time of each call it let through for the org

    def recording(t: str):
        admission = admit(t)
        if admission.ok and t == tenant:
            sent.append(box.clock.now())
        return admission

    sim.admit = recording
    client = ctx.xero_client(tenant)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:  # as the fetch's parallel reads
        names = list(pool.map(lambda _i: client.organisation().name, range(CALLS)))
    real_s = time.monotonic() - started

    assert set(names) == {"Maison Verdure UK"} and len(sent) == CALLS
    assert ctx.counter.snapshot()["services"]["Xero"]["rate_limited"] == 0  # never refused
    sent.sort()
    for i, t in enumerate(sent):  # at most 60 in any 60 s, hence in any of Xero's minutes
        assert sum(1 for u in sent[i:] if u < t + XERO_MINUTE_S) <= PER_WINDOW
    windows = (CALLS - 1) // PER_WINDOW
    assert sent[-1] - sent[0] >= XERO_MINUTE_S * windows  # 150 calls span over 2 minutes...
    # ...of the shared clock, which moved by the waits (62 s each) instead of waiting them out
    assert ctx.vtime.advanced >= WINDOW_S * windows - 1.0 - real_s
