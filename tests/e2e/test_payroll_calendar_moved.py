"""A person moved to another pay calendar in Xero (or their calendar re-anchored) after their
hours were sent: never the same day's hours in two Xero timesheets.

Our earlier draft still holding hours of days of the new period: nothing is sent for the
person, with a problem naming that draft and what to do (undo, or delete it in Xero); after
the undo the next send goes through. Our earlier timesheet no longer a draft: its days are
paid, left out with why, and the other days are sent.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest

from core.app.cli import Output, cmd_export_hours
from core.app.payroll import export_hours, preview_hours
from core.app.sync import sync, undo
from tests.e2e.test_payroll_export import approved_hours, employee_id, shifted, xero_sheets

AU, UK = 0, 1
# (dates below are resources/demo/README.md's: ``shifted`` moves them as the simulator did)


def _approve_to(store, day: date) -> None:
    for user in store.qbtime["users"]:
        user["approved_to"] = user["submitted_to"] = shifted(store, day).isoformat()
    store.save()


@pytest.fixture
def uk_sent(demo_ctx, monkeypatch):
    """UK: Sophie Turner's fortnight 16-29 Nov sent as our draft; then Xero moves her to a
    new Weekly calendar (weeks from Monday 2 Nov)."""
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    monkeypatch.setattr("core.app.payroll.org_today", lambda _c: shifted(store, date(2026, 12, 1)))
    _approve_to(store, date(2026, 11, 30))
    first = export_hours(ctx, conn, period=shifted(store, date(2026, 11, 20)))
    eid = employee_id(store, UK, "Sophie Turner")
    fortnight = shifted(store, date(2026, 11, 16))
    assert xero_sheets(store, UK, eid)[fortnight][0] == "Draft"
    payroll = store.xero_orgs[UK]["payroll"]
    weekly = str(uuid.uuid4())
    payroll["PayRunCalendars"].append(
        {
            "payrollCalendarID": weekly,
            "name": "Weekly",
            "calendarType": "Weekly",
            "periodStartDate": shifted(store, date(2026, 11, 2)).isoformat() + "T00:00:00",
            "periodEndDate": shifted(store, date(2026, 11, 8)).isoformat() + "T00:00:00",
            "paymentDate": "2026-11-26T00:00:00",
            "updatedDateUTC": "2025-10-09T08:53:20",
        }
    )
    for emp in payroll["Employees"]:
        if emp["employeeID"] == eid:
            emp["payrollCalendarID"] = weekly
    store.save()
    return ctx, conn, first, eid, fortnight


def test_uk_moved_to_weekly_sends_nothing_twice_then_undo_and_send_again(uk_sent):
    ctx, conn, first, eid, fortnight = uk_sent
    store = ctx.sandbox.store
    week = shifted(store, date(2026, 11, 23))
    held = xero_sheets(store, UK, eid)

    preview = preview_hours(ctx, conn, week)
    sophie = next(p for p in preview.people if p.name == "Sophie Turner")
    assert (sophie.period_start, sophie.period_end) == (week, week + timedelta(days=6))
    assert sophie.action == "skip" and sophie.days  # her week's hours: not sent
    why = " ".join(p.reason for p in preview.problems if p.who == "Sophie Turner")
    assert "pay calendar changed in Xero" in why
    assert f"{fortnight.isoformat()} to {(fortnight + timedelta(days=13)).isoformat()}" in why
    assert "Delete that draft in Xero Payroll (or undo the sending that made it" in why

    second = export_hours(ctx, conn, period=week)
    assert xero_sheets(store, UK, eid) == held  # no second draft with the same days
    assert second.as_json()["timesheets"]["created"] == 0

    undo(ctx, conn, first.run.id)  # the earlier draft deleted: the week can go
    assert not xero_sheets(store, UK, eid)
    third = export_hours(ctx, conn, period=week)
    sheets = xero_sheets(store, UK, eid)
    assert list(sheets) == [week] and sheets[week][0] == "Draft"
    expected = approved_hours(store, "Sophie Turner", week, week + timedelta(days=6))
    assert sheets[week][1] == pytest.approx({d: round(h, 2) for d, h in expected.items()})
    undo(ctx, conn, third.run.id)  # and its undo still deletes it
    assert not xero_sheets(store, UK, eid)


def test_uk_moved_after_the_fortnight_was_paid_sends_only_the_other_days(uk_sent):
    ctx, conn, _first, eid, fortnight = uk_sent
    store = ctx.sandbox.store
    for sheet in store.xero_orgs[UK]["payroll"]["Timesheets"]:
        if sheet["employeeID"] == eid:
            sheet["status"] = "Approved"  # Xero took the fortnight in a pay run
    # her calendar re-anchored on Sundays: her week overlaps the paid fortnight by Sunday 29th
    payroll = store.xero_orgs[UK]["payroll"]
    emp = next(e for e in payroll["Employees"] if e["employeeID"] == eid)
    for cal in payroll["PayRunCalendars"]:
        if cal["payrollCalendarID"] == emp["payrollCalendarID"]:  # (re-anchored on Sundays)
            cal["periodStartDate"] = shifted(store, date(2026, 11, 1)).isoformat() + "T00:00:00"
            cal["periodEndDate"] = shifted(store, date(2026, 11, 7)).isoformat() + "T00:00:00"
    sophie_id = next(u["id"] for u in store.qbtime["users"] if u["first_name"] == "Sophie")
    regular = {j["id"] for j in store.qbtime["jobcodes"] if j["type"] == "regular"}
    job = next(t["jobcode_id"] for t in store.qbtime["timesheets"] if t["jobcode_id"] in regular)
    template = next(t for t in store.qbtime["timesheets"] if t["type"] == "manual")
    for i, (day, hours) in enumerate(((date(2026, 11, 29), 4), (date(2026, 11, 30), 6))):
        store.qbtime["timesheets"].append(
            {
                **template,
                "id": 99000001 + i,
                "user_id": sophie_id,
                "jobcode_id": job,
                "date": shifted(store, day).isoformat(),
                "duration": hours * 3600,
                "on_the_clock": False,
            }
        )
    _approve_to(store, date(2026, 12, 6))
    week = shifted(store, date(2026, 11, 29))
    preview = preview_hours(ctx, conn, week)
    sophie = next(p for p in preview.people if p.name == "Sophie Turner")
    assert (sophie.period_start, sophie.period_end) == (week, week + timedelta(days=6))
    paid_day = week.isoformat()
    assert paid_day not in sophie.days
    (left,) = [x for x in sophie.left_out if x.day == paid_day]
    assert left.hours == pytest.approx(4.0) and "no longer a draft" in left.reason()
    why = " ".join(p.reason for p in preview.problems if p.who == "Sophie Turner")
    assert "is no longer a draft, so Xero has paid its days" in why and "(4.0 h)" in why

    export_hours(ctx, conn, period=week)
    sheets = xero_sheets(store, UK, eid)
    assert sheets[fortnight][0] == "Approved"
    expected = approved_hours(store, "Sophie Turner", week, week + timedelta(days=6))
    expected.pop(paid_day)
    assert sheets[week][1] == pytest.approx({d: round(h, 2) for d, h in expected.items()})


@pytest.fixture
def au_sent(demo_ctx, monkeypatch):
    """AU: Olivia Brown's week 23-29 Nov sent as our draft; then Xero moves her to the
    Fortnightly calendar (fortnight 16-29 Nov)."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[AU]["payroll"]
    eid = employee_id(store, AU, "Olivia Brown")
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != eid]
    _approve_to(store, date(2026, 11, 30))
    monkeypatch.setattr("core.app.payroll.org_today", lambda _c: shifted(store, date(2026, 12, 1)))
    first = export_hours(ctx, conn, period=shifted(store, date(2026, 11, 25)))
    week = shifted(store, date(2026, 11, 23))
    assert xero_sheets(store, AU, eid)[week][0] == "DRAFT"
    fortnightly = next(c for c in payroll["PayrollCalendars"] if c["Name"] == "Fortnightly")
    for emp in payroll["Employees"]:
        if emp["EmployeeID"] == eid:
            emp["PayrollCalendarID"] = fortnightly["PayrollCalendarID"]
    store.save()
    return ctx, conn, first, eid, week


def test_au_moved_to_fortnightly_preview_says_why_and_nothing_is_sent_twice(au_sent):
    ctx, conn, first, eid, week = au_sent
    store = ctx.sandbox.store
    day = shifted(store, date(2026, 11, 25))
    held = xero_sheets(store, AU, eid)

    text = io.StringIO()
    cmd_export_hours(ctx, Output(as_json=False, stream=text), None, day.isoformat(), dry_run=True)
    lines = text.getvalue().splitlines()
    (line,) = [x for x in lines if x.startswith("  Olivia Brown (")]
    assert line.endswith("— not sent") and "new draft timesheet" not in line
    said = "\n".join(x for x in lines if "Olivia Brown:" in x)
    assert "pay calendar changed in Xero: our draft timesheet for " in said
    assert f"{week.isoformat()} to {(week + timedelta(days=6)).isoformat()}" in said

    second = export_hours(ctx, conn, period=day)
    assert second.run is None and xero_sheets(store, AU, eid) == held

    # AU: Xero takes no change to a timesheet of a period not of her calendar now, so the
    # undo cannot empty the weekly draft: it says so, and the draft is deleted in Xero
    undone = undo(ctx, conn, first.run.id)
    assert any(x["who"] == "Olivia Brown" for x in undone.counts["left_alone"])
    assert xero_sheets(store, AU, eid) == held
    payroll = store.xero_orgs[AU]["payroll"]
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != eid]
    store.save()
    sent = export_hours(ctx, conn, period=day)
    sheets = xero_sheets(store, AU, eid)
    fortnight = shifted(store, date(2026, 11, 16))
    assert list(sheets) == [fortnight] and sheets[fortnight][0] == "DRAFT"
    expected = approved_hours(store, "Olivia Brown", fortnight, fortnight + timedelta(days=13))
    assert sheets[fortnight][1] == pytest.approx({d: round(h, 2) for d, h in expected.items()})
    undo(ctx, conn, sent.run.id)  # the fortnight is hers now: its undo empties it
    assert xero_sheets(store, AU, eid)[fortnight][1] == {}
