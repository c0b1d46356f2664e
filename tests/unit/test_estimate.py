"""The run estimate (core.app.estimate): its arithmetic against the product's own limiter,
the batching against the importer's, the daily limit, the sentences in both languages."""

from __future__ import annotations

from core.app.estimate import (
    DAY_S,
    describe,
    estimate_run,
    window_wait,
    window_wait_after,
    write_calls,
    xero_read_calls,
)
from core.engine.plan import Action, ImportPlan
from core.engine.records import Snapshot, XeroContact, XeroEmployee
from core.services.http import (
    QBTIME_PER_WINDOW,
    QBTIME_WINDOW_S,
    XERO_MINUTE_WINDOW_S,
    XERO_PER_MINUTE,
    qbtime_limiter,
    xero_limiter,
)


class FakeTime:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


def _waited(limiter_factory, calls: int) -> float:
    clock = FakeTime()
    limiter = limiter_factory(clock=clock.now, sleep=clock.sleep)
    start = clock.t
    for _ in range(calls):
        limiter.acquire()
        limiter.release()
    return clock.t - start


def test_window_wait_is_what_the_product_limiters_make_calls_wait():
    for calls in (0, 1, 299, 300, 301, 600, 601, 2_047):
        assert window_wait(calls, QBTIME_PER_WINDOW, QBTIME_WINDOW_S) == _waited(
            qbtime_limiter, calls
        ), calls
    for calls in (1, 60, 61, 135, 1_000):
        assert window_wait(calls, XERO_PER_MINUTE, XERO_MINUTE_WINDOW_S) == _waited(
            xero_limiter, calls
        ), calls
    # calls made just before (the read before the preview) count against the window
    assert window_wait(250, QBTIME_PER_WINDOW, QBTIME_WINDOW_S, used=100) == QBTIME_WINDOW_S


def _action(n: int, phase: str, op: str, entity: str) -> Action:
    return Action(f"{entity}:{op}:{n}", phase, op, entity, "customers", f"R {n}")


def test_write_calls_batch_each_phase_operation_and_kind_by_fifty():
    plan = ImportPlan()
    plan.actions += [_action(i, "customers", "create", "jobcode") for i in range(101)]
    plan.actions += [_action(i, "customers", "update", "jobcode") for i in range(3)]
    plan.actions += [_action(i, "customers", "link", "jobcode") for i in range(70)]  # local
    plan.actions += [_action(i, "locations", "create", "location") for i in range(50)]
    plan.actions += [_action(i, "archive", "archive", "jobcode") for i in range(2)]
    assert write_calls(plan) == {"jobcode": 3 + 1 + 1, "location": 1}


def _snap(contacts: int, employees: int, version: str = "AU") -> Snapshot:
    snap = Snapshot(version=version)
    snap.contacts = [
        XeroContact(f"c{i}", f"Contact {i}", "ACTIVE", True, False) for i in range(contacts)
    ]
    snap.employees = [XeroEmployee(f"e{i}", "A", f"B{i}", "", True) for i in range(employees)]
    return snap


def test_xero_read_calls_count_pages_as_the_client_reads_them():
    # organisation + contact pages + items + tracking (+ employee pages + leave types)
    assert xero_read_calls(_snap(0, 0, "US")) == 1 + 1 + 2
    assert xero_read_calls(_snap(1_000, 0, "US")) == 1 + 1 + 2
    assert xero_read_calls(_snap(1_001, 0, "US")) == 1 + 2 + 2
    assert xero_read_calls(_snap(100_000, 3_000)) == 1 + 100 + 2 + 31 + 1
    assert xero_read_calls(_snap(10_000, 299)) == 1 + 10 + 2 + 3 + 1


def test_the_daily_limit_says_when_it_would_go_on():
    plan = ImportPlan()
    plan.actions += [_action(i, "customers", "create", "jobcode") for i in range(700 * 50)]
    snap = _snap(100_000, 3_000)
    plenty = estimate_run(snap, plan, now=1000.0)
    assert plenty.qbtime_calls == 702 and not plenty.xero_daily_limit_hit
    assert plenty.qbtime_wait_s == 2 * QBTIME_WINDOW_S and plenty.resume_at is None
    tight = estimate_run(snap, plan, now=1000.0, xero_remaining_today=100)
    assert tight.xero_daily_limit_hit and tight.resume_at == 1000.0 + DAY_S
    known = estimate_run(
        snap, plan, now=1000.0, xero_remaining_today=100, xero_day_resets_at=5000.0
    )
    assert known.resume_at == 5000.0
    assert estimate_run(snap, ImportPlan(), now=1.0).qbtime_calls == 0
    # a run that read QuickBooks Time just before (sync) skips the check before writing
    assert estimate_run(snap, plan, now=1000.0, just_read=True).qbtime_calls == 701


def test_describe_in_english_and_french():
    plan = ImportPlan()
    plan.actions += [_action(i, "customers", "create", "jobcode") for i in range(700 * 50)]
    est = estimate_run(_snap(100_000, 3_000), plan, now=0.0, xero_remaining_today=10)
    en = describe(est, "en")
    assert "702 calls to QuickBooks Time" in en and "300 every 5 minutes" in en
    assert "about 14 minutes" in en and "10 are left today" in en
    fr = describe(est, "fr")
    assert "702 appels à QuickBooks Time" in fr and "environ 14 minutes" in fr
    assert "10 restent aujourd’hui" in fr
    small = estimate_run(
        _snap(10, 0), ImportPlan(actions=[_action(1, "customers", "create", "jobcode")])
    )
    assert describe(small, "en") == "The import makes 3 calls to QuickBooks Time."
    assert describe(estimate_run(_snap(1, 0), ImportPlan()), "fr") == (
        "L’importation n’envoie rien à QuickBooks Time."
    )


def _waited_after(sent: list[float], now: float, calls: int) -> float:
    """What the product's QuickBooks Time limiter, started from calls sent at ``sent`` (a
    process before it), makes ``calls`` more wait at ``now``."""
    clock = FakeTime()
    clock.t = now
    limiter = qbtime_limiter(clock=clock.now, sleep=clock.sleep)
    limiter.seed_window(sent)
    for _ in range(calls):
        limiter.acquire()
        limiter.release()
    return clock.t - now


def test_the_wait_after_calls_already_sent_is_what_the_product_limiter_waits():
    now = 10_000.0
    cases = [
        ([], 301),
        ([now - 200] * 290, 20),  # the 11th waits until they leave the window (105 s)
        ([now - 400] * 300, 300),  # over: they no longer count
        ([now - 300 + i for i in range(300)], 5),  # one frees every second
        ([now - 10] * 150 + [now - 5] * 150, 700),
        ([now - 1] * 299, 1),
    ]
    for sent, calls in cases:
        expected = _waited_after(sent, now, calls)
        assert window_wait_after(calls, QBTIME_PER_WINDOW, QBTIME_WINDOW_S, sent, now) == (
            expected
        ), (len(sent), calls)
    assert window_wait_after(20, 300, QBTIME_WINDOW_S, [now - 200] * 290, now) == 105.0


def test_the_estimate_counts_the_calls_already_made_in_the_window():
    plan = ImportPlan()
    plan.actions += [_action(i, "customers", "create", "jobcode") for i in range(18 * 50)]
    snap, now = _snap(10, 0), 50_000.0
    fresh = estimate_run(snap, plan, now=now)
    assert fresh.qbtime_calls == 20 and fresh.qbtime_wait_s == 0
    assert "in the last 5 minutes" not in describe(fresh, "en")
    # 290 calls two minutes ago (a run before a restart): the 11th call waits 3 minutes
    after = estimate_run(snap, plan, now=now, qbtime_sent=[now - 120] * 290)
    assert after.qbtime_used_in_window == 290 and after.as_json()["qbtime_used_in_window"] == 290
    assert after.qbtime_wait_s == QBTIME_WINDOW_S - 120
    assert after.import_s == after.qbtime_wait_s + 20 * 0.3
    en = describe(after, "en")
    assert "The import makes 20 calls to QuickBooks Time, which accepts 300 every 5 minutes" in en
    assert "This app made 290 calls to QuickBooks Time in the last 5 minutes" in en
    assert "waits about 3 minutes in all" in en
    fr = describe(after, "fr")
    assert "Cette application a fait 290 appels à QuickBooks Time" in fr
    assert "attendra environ 3 minutes en tout" in fr and "aussi\u00a0:" in fr
    # calls older than the window do not count; a few that leave room say nothing more
    assert estimate_run(snap, plan, now=now, qbtime_sent=[now - 400] * 290).qbtime_wait_s == 0
    roomy = estimate_run(snap, plan, now=now, qbtime_sent=[now - 10] * 5)
    assert roomy.qbtime_wait_s == 0 and "last 5 minutes" not in describe(roomy, "en")
