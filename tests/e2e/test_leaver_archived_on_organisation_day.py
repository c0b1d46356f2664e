"""A leaver is archived in QuickBooks Time once their last day is over on the
organisation's calendar (Xero's ``Organisation.Timezone``), not on the computer's: a
scheduled sync on a computer ahead of the organisation archived a leaver during their last
day there. The payroll preview reads the snapshot's employees on the same day.

The organisation's clock is moved 40 days from the computer's (``timezones._now``), so the
two calendars differ whatever the real date and time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.app import payroll as payroll_module
from core.app.payroll import preview_hours
from core.app.sync import sync
from core.services.xero import timezones
from core.services.xero.timezones import organisation_today
from tests.e2e.test_employment_dates import _ms, _record
from tests.e2e.test_payroll_export import AU_WEEK1, employee_id, shifted, user_named

SHIFT = timedelta(days=40)


def _org_clock(monkeypatch, shift: timedelta) -> None:
    monkeypatch.setattr(timezones, "_now", lambda: datetime.now(UTC) + shift)


def _leaves_on(ctx, last: date) -> str:
    """Olivia Brown TERMINATED in Xero with ``last`` as her last day; her employee id."""
    store = ctx.sandbox.store
    olivia = employee_id(store, 0, "Olivia Brown")
    record = _record(store, 0, olivia)
    record["Status"], record["TerminationDate"] = "TERMINATED", _ms(last)
    record["UpdatedDateUTC"] = f"/Date({int(datetime.now(UTC).timestamp() * 1000)}+0000)/"
    return olivia


def _archived(result, emp_id: str) -> bool:
    return any(
        a.op == "archive" and a.entity == "user" and (a.xero_id or "").lower() == emp_id.lower()
        for a in result.plan.actions
    )


@pytest.mark.parametrize("shift", [SHIFT, -SHIFT], ids=["org_ahead", "org_behind"])
def test_leaver_archived_after_their_last_day_on_the_organisation_s_calendar(
    demo_ctx, monkeypatch, shift
):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    _org_clock(monkeypatch, shift)
    org_day = organisation_today(conn)
    assert abs((org_day - date.today()).days) >= 39
    # org ahead: their last day (yesterday there) is over, still to come on the computer;
    # org behind: their last day is today there, long over on the computer
    last = org_day - timedelta(days=1) if shift > timedelta(0) else org_day
    olivia = _leaves_on(ctx, last)
    result = sync(ctx, conn)
    ended = shift > timedelta(0)
    assert _archived(result, olivia) is ended, f"last day {last}, organisation's day {org_day}"
    assert user_named(ctx.sandbox.store, "Olivia Brown")["active"] is not ended


def test_payroll_preview_reads_the_snapshot_on_the_organisation_s_day(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    _org_clock(monkeypatch, SHIFT)
    real = payroll_module.load_snapshot
    days: list[date | None] = []

    def load(conn_, *, today=None, **kwargs):
        days.append(today)
        return real(conn_, today=today, **kwargs)

    monkeypatch.setattr(payroll_module, "load_snapshot", load)
    preview_hours(ctx, conn, shifted(ctx.sandbox.store, AU_WEEK1))
    assert days == [organisation_today(conn)]
