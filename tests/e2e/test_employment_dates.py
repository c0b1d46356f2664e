"""Employment dates from Xero Payroll (AU ``StartDate``/``TerminationDate``, NZ/UK
``startDate``/``endDate``), in the payroll export and in the employee import.

* Hours and time off dated before a person's start date were sent to Xero with no word
  (hours after a leaver's last day were already held back): now held back the same way, with
  a message that says what to check.
* A leaver was archived in QuickBooks Time on their last day (NZ/UK end date today), and an
  AU employee TERMINATED with a termination date still ahead (their notice period) at once:
  a person works through their last day, so the archive waits for a run after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.app import sync as sync_module
from core.app.payroll import export_hours
from core.app.sync import sync
from core.sandbox.xero_payroll import parse_day
from core.services.xero import mapping as m
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    AU_WEEK2,
    UK_FORTNIGHT1,
    approved_hours,
    assert_same_hours,
    employee_id,
    reasons,
    shifted,
    user_named,
    xero_sheets,
)


def _ms(day: date) -> str:
    stamp = datetime.combine(day, time(), UTC).timestamp()
    return f"/Date({int(stamp * 1000)}+0000)/"


def _record(store, org: int, emp_id: str) -> dict:
    key = "EmployeeID" if org == 0 else "employeeID"
    return next(e for e in store.xero_orgs[org]["payroll"]["Employees"] if e[key] == emp_id)


def _person(result, who: str):
    return next(p for p in result.preview.people if p.name == who)


# ---------------------------------------------------------------------------- start date
def _check_held_back(result, store, org, who, emp, start, end, first):
    days = xero_sheets(store, org, emp)[start][1]
    want = approved_hours(store, who, start, end)
    early = {d: h for d, h in want.items() if d < first.isoformat()}
    assert early, "the period has hours before the start date (the test needs some)"
    assert_same_hours(days, {d: h for d, h in want.items() if d >= first.isoformat()})
    said = reasons(result, who)
    total = round(sum(early.values()), 2)
    assert f"{total:g} h dated before this person's start date in Xero ({first})" in said
    assert "correct their start date in Xero Payroll" in said
    person = _person(result, who)
    held = {x.day for x in person.left_out if "start date" in x.reason()}
    assert held == {d for d, h in early.items() if round(h, 2) > 0}
    assert any("date d’entrée" in p.reason("fr") for p in person.problems)


def test_au_hours_before_the_start_date_are_held_back_and_said(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    olivia = employee_id(store, 0, "Olivia Brown")
    first = start + timedelta(days=3)
    _record(store, 0, olivia)["StartDate"] = _ms(first)
    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["timesheets"]["created"] >= 1
    _check_held_back(
        result, store, 0, "Olivia Brown", olivia, start, start + timedelta(days=6), first
    )


def test_uk_hours_before_the_start_date_are_held_back_and_said(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT1)
    oliver = employee_id(store, 1, "Oliver Hughes")
    first = start + timedelta(days=5)
    _record(store, 1, oliver)["startDate"] = f"{first.isoformat()}T00:00:00"
    result = export_hours(ctx, conn, period=start)
    _check_held_back(
        result, store, 1, "Oliver Hughes", oliver, start, start + timedelta(days=13), first
    )


def test_a_start_date_on_the_first_day_of_the_period_holds_nothing_back(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    olivia = employee_id(store, 0, "Olivia Brown")
    _record(store, 0, olivia)["StartDate"] = _ms(start)
    result = export_hours(ctx, conn, period=start)
    days = xero_sheets(store, 0, olivia)[start][1]
    assert_same_hours(days, approved_hours(store, "Olivia Brown", start, start + timedelta(6)))
    assert "start date" not in reasons(result, "Olivia Brown")


def test_au_time_off_before_the_start_date_is_not_sent_as_leave(demo_ctx):
    """Olivia's annual leave of Thursday and Friday of week 2, her start date on the Friday:
    only Friday's leave goes to Xero; Thursday's is held back, with why."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll = store.xero_orgs[0]["payroll"]
    # (the approved timesheet of that week deleted in Xero, so the week can be sent)
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    first = start + timedelta(days=4)
    _record(store, 0, olivia)["StartDate"] = _ms(first)
    result = export_hours(ctx, conn, period=start)
    (leave,) = payroll["LeaveApplications"]
    assert parse_day(leave["StartDate"]) == parse_day(leave["EndDate"]) == first
    assert leave["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(7.6)
    thursday = (start + timedelta(days=3)).isoformat()
    person = _person(result, "Olivia Brown")
    assert any(x.day == thursday and "start date" in x.reason() for x in person.left_out)
    assert f"before this person's start date in Xero ({first})" in reasons(result, "Olivia Brown")
    sent = xero_sheets(store, 0, olivia).get(start, (None, {}))[1]
    assert not {d for d in sent if d < first.isoformat()}


# ---------------------------------------------------------------------------- last day
def test_au_mapping_a_termination_date_ahead_is_a_notice_period():
    today = date(2026, 3, 2)

    def au(**fields):
        return m.map_au_employee({"EmployeeID": "e", **fields}, today)

    def ended(day: date):
        return au(Status="TERMINATED", TerminationDate=_ms(day))

    assert ended(today + timedelta(days=14)).active  # notice period
    assert ended(today).active  # their last day
    assert not ended(today - timedelta(days=1)).active
    assert not au(Status="TERMINATED").active  # no last day: gone
    assert au(Status="ACTIVE").active
    assert m.map_v2_employee({"employeeID": "e", "endDate": "2026-03-02T00:00:00"}, today).active
    assert not m.map_v2_employee({"employeeID": "e", "endDate": "2026-03-01"}, today).active
    # a TERMINATED record's termination date decides now: one no calendar holds is reported
    bad = {"Status": "TERMINATED", "TerminationDate": "/Date(99999999999999999)/"}
    assert m.employee_end_date_problem(bad, v2=False)
    assert m.employee_end_date_problem({**bad, "Status": "ACTIVE"}, v2=False) is None


def _run_on(ctx, conn, monkeypatch, day: date):
    monkeypatch.setattr(sync_module, "_today", lambda _conn: day)
    return sync(ctx, conn)


def _archive_of(result, emp_id: str):
    return [
        a
        for a in result.plan.actions
        if a.op == "archive" and a.entity == "user" and (a.xero_id or "").lower() == emp_id.lower()
    ]


def test_uk_leaver_stays_active_through_their_last_day_then_is_archived(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("UK")
    today = date.today()
    _run_on(ctx, conn, monkeypatch, today)
    store = ctx.sandbox.store
    oliver = employee_id(store, 1, "Oliver Hughes")
    record = _record(store, 1, oliver)
    record["endDate"] = f"{today.isoformat()}T00:00:00"
    record["updatedDateUTC"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    on_last_day = _run_on(ctx, conn, monkeypatch, today)
    assert not _archive_of(on_last_day, oliver)
    assert user_named(store, "Oliver Hughes")["active"], "archived on their last day"
    # the next day, with nothing changed in Xero: this run archives them, and says why
    after = _run_on(ctx, conn, monkeypatch, today + timedelta(days=1))
    (archive,) = _archive_of(after, oliver)
    assert archive.describe() == (
        f"no longer employed: their last day in Xero ({today.isoformat()}) has passed"
    )
    assert today.isoformat() in archive.describe("fr") and "dernier jour" in archive.describe("fr")
    assert not user_named(store, "Oliver Hughes")["active"]


def test_au_notice_period_keeps_the_user_active_until_the_termination_date_passed(
    demo_ctx, monkeypatch
):
    ctx, conn = demo_ctx("AU")
    today = date.today()
    _run_on(ctx, conn, monkeypatch, today)
    store = ctx.sandbox.store
    olivia = employee_id(store, 0, "Olivia Brown")
    last = today + timedelta(days=14)
    record = _record(store, 0, olivia)
    record["Status"], record["TerminationDate"] = "TERMINATED", _ms(last)
    record["UpdatedDateUTC"] = f"/Date({int(datetime.now(UTC).timestamp() * 1000)}+0000)/"
    for day in (today, last):  # told today, and on their last day
        assert not _archive_of(_run_on(ctx, conn, monkeypatch, day), olivia)
        assert user_named(store, "Olivia Brown")["active"], f"archived on {day}, before {last}"
    (archive,) = _archive_of(_run_on(ctx, conn, monkeypatch, last + timedelta(days=1)), olivia)
    assert last.isoformat() in archive.describe()
    assert not user_named(store, "Olivia Brown")["active"]
