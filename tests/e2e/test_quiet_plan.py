"""The plan kept for a re-import with nothing changed (core.engine.snapshots, issue 16): a
plan with nothing to write is kept with the fingerprint of its inputs, and the next run
with the same inputs takes it instead of loading the snapshot and planning. It must be the
plan, to the last candidate, detail and reason: the run reports it. It holds from one day
to the next (a daily scheduled run takes it) until an employee's end date is reached."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from core.app import sync as sync_module
from core.app.sync import load_options, sync
from core.engine.records import XeroEmployee
from core.engine.snapshots import (
    plan_inputs_fingerprint,
    quiet_days,
    quiet_plan,
    remember_quiet_plan,
)
from core.services.fetch import fetch, load_snapshot

ALWAYS = ("", "")  # no end date on either side: the plan holds whatever the day


def test_the_kept_plan_is_the_plan(demo_ctx):
    ctx, conn = demo_ctx("AU")
    today = date.today()
    sync(ctx, conn)  # the first import: something to write, nothing kept
    fingerprint = plan_inputs_fingerprint(conn, load_options(conn).to_dict())
    assert quiet_plan(conn, fingerprint, today) is None
    again = sync(ctx, conn)  # nothing to write: kept
    plan = again.plan
    assert plan.actions == [] and plan.conflicts and plan.skipped
    assert any(c.candidates for c in plan.conflicts) and any(c.details for c in plan.conflicts)
    kept = quiet_plan(conn, fingerprint, today)
    assert kept is not None
    assert kept.conflicts == plan.conflicts and kept.skipped == plan.skipped
    assert kept.key_owner_id == plan.key_owner_id
    assert quiet_plan(conn, "another fingerprint", today) is None


def test_a_plan_that_does_not_survive_being_saved_is_not_kept(demo_ctx):
    ctx, conn = demo_ctx("AU")
    today = date.today()
    sync(ctx, conn)
    plan = sync(ctx, conn).plan
    conflict = plan.conflicts[0]
    odd = replace(conflict, details={**conflict.details, "when": {1, 2}})  # no JSON for a set
    assert not remember_quiet_plan(conn, "f", replace(plan, conflicts=[odd]), ALWAYS)
    assert quiet_plan(conn, "f", today) is None
    # a float key comes back a string: saved, but not the same plan, so not kept either
    odd = replace(conflict, details={**conflict.details, 1.5: "x"})
    assert not remember_quiet_plan(conn, "f", replace(plan, conflicts=[odd]), ALWAYS)
    assert remember_quiet_plan(conn, "f", plan, ALWAYS) and quiet_plan(conn, "f", today)


def _employee(end: str) -> XeroEmployee:
    return XeroEmployee(
        employee_id=end or "none",
        first_name="A",
        last_name="B",
        email="",
        active=True,
        end_date=end,
    )


def test_the_days_a_plan_holds_for_are_between_end_dates():
    staff = [_employee(d) for d in ("2026-03-01", "2026-06-30", "2026-12-31", "")]
    # (each works through their end date, their last day: gone from the day after it)
    assert quiet_days(staff, date(2026, 7, 2)) == ("2026-07-01", "2027-01-01")
    assert quiet_days(staff, date(2026, 7, 1)) == ("2026-07-01", "2027-01-01")  # gone today
    assert quiet_days(staff, date(2026, 6, 30)) == ("2026-03-02", "2026-07-01")  # last day
    assert quiet_days(staff, date(2027, 1, 1)) == ("2027-01-01", "")
    assert quiet_days(staff[3:], date(2027, 1, 1)) == ALWAYS


@pytest.mark.parametrize("region", ["AU", "UK"])
def test_a_daily_run_takes_the_kept_plan_until_an_employee_leaves(demo_ctx, monkeypatch, region):
    """The next days' runs with nothing changed take the kept plan; from the day after an
    employee's end date, their last day, on (the plan may archive their user), or with the
    clock set back past one, the run plans again."""
    ctx, conn = demo_ctx(region)
    fetch(ctx, conn)
    ends = sorted({e.end_date for e in load_snapshot(conn).employees if e.end_date})
    assert ends, "the Demo Company has leavers"
    end = date.fromisoformat(ends[-1])
    planned: list[date] = []
    real_plan = sync_module.current_plan
    day = end - timedelta(days=30)

    def counted(*args, **kwargs):
        planned.append(day)
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(sync_module, "current_plan", counted)
    monkeypatch.setattr(sync_module, "_today", lambda _conn: day)

    def run_on(when: date) -> bool:
        nonlocal day
        day, before = when, len(planned)
        result = sync(ctx, conn)
        assert result.plan.conflicts or result.plan.skipped  # the plan, kept or made
        return len(planned) > before

    assert run_on(end - timedelta(days=30))  # the first import
    assert run_on(end - timedelta(days=30))  # QuickBooks Time changed by it; nothing to write
    assert not run_on(end - timedelta(days=29))  # the next day: the kept plan
    assert not run_on(end - timedelta(days=1))
    assert not run_on(end)  # the last leaver's last day: they still work here
    assert run_on(end + timedelta(days=1))  # the day after it: planned again
    run_on(end + timedelta(days=1))  # (planned again if that run archived their user)
    assert not run_on(end + timedelta(days=1))
    assert not run_on(end + timedelta(days=400))  # no end date ahead: kept for good
    assert run_on(end)  # the clock set back to their last day: planned again


def test_the_kept_plan_is_saved_as_the_canonical_text_of_the_whole_deflated(demo_ctx):
    """Saved a record at a time (each read back at once, then deflated: never a second
    plan nor its whole text in memory), what is kept is the text the whole plan makes (keys
    sorted, no spaces); the fingerprint and the days are read without inflating it."""
    import base64
    import json
    import zlib

    from core.store.models import Setting

    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    plan = sync(ctx, conn).plan
    assert plan.conflicts and plan.skipped
    assert remember_quiet_plan(conn, "f", plan, ("2026-01-01", "2026-02-01"))
    whole = {
        "conflicts": [
            {**vars(c), "candidates": [vars(x) for x in c.candidates], "details": c.details}
            for c in plan.conflicts
        ],
        "skipped": [{**vars(s), "params": s.params} for s in plan.skipped],
        "key_owner_id": plan.key_owner_id,
    }
    saved = Setting.get_value(f"quiet_plan:{conn.xero_tenant_id}")
    assert saved["fingerprint"] == "f" and saved["days"] == ["2026-01-01", "2026-02-01"]
    text = zlib.decompress(base64.b64decode(saved["plan"])).decode()
    assert text == json.dumps(whole, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert quiet_plan(conn, "f", date(2026, 1, 15)).conflicts == plan.conflicts
    # a kept plan that does not read back (damaged, or of an older form) is not taken
    Setting.set_value(f"quiet_plan:{conn.xero_tenant_id}", {**saved, "plan": "not base64!"})
    assert quiet_plan(conn, "f", date(2026, 1, 15)) is None
    Setting.set_value(f"quiet_plan:{conn.xero_tenant_id}", {**saved, "format": 2})
    assert quiet_plan(conn, "f", date(2026, 1, 15)) is None
