"""Employees on another pay calendar than the one most people are paid on (an auditor's
finding, AU and NZ/UK): each person's hours go to a period of their OWN Xero calendar.

Before, the export took the main calendar's period and gave a person on another calendar
their calendar's period holding its first day: with most people paid fortnightly (period
11-16..29), a weekly person got 11-16..22, a week already sent, and their approved hours of
11-23..29 were never sent nor listed. And a Weekly period chosen in the wizard's list ran
the Fortnightly export holding its first day.

The organisation's "today" is set relative to the Demo Company's hours (moved by whole
fortnights with the real date: ``shifted``), so each test reads the same on any day.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import date

import pytest

from core.app.cli import Output, cmd_export_hours
from core.app.payroll import PayCalendarUnknown, export_hours, pay_periods, preview_hours
from core.app.sync import sync, undo
from tests.e2e.test_payroll_export import (
    approved_hours,
    assert_same_hours,
    employee_id,
    shifted,
    xero_sheets,
)
from wizard.pages.payroll_period import preview_task

AU, UK = 0, 1
WEEKLY_PEOPLE = ("Olivia Brown", "Noah Williams")  # AU: the two paid weekly


def _today_is(monkeypatch, day: date) -> None:
    """The organisation's today (both the export and the wizard's list read it here)."""
    monkeypatch.setattr("core.app.payroll.org_today", lambda _conn: day)


def _name(emp) -> str:
    return f"{emp.get('FirstName') or emp.get('firstName')} {emp.get('LastName') or emp.get('lastName')}"


def _drop_sheets(store, org, name) -> None:
    """Take out the Demo Company's non-draft timesheet of ``name`` (a trap of other tests)."""
    payroll = store.xero_orgs[org]["payroll"]
    emp = employee_id(store, org, name)
    payroll["Timesheets"] = [
        t for t in payroll["Timesheets"] if (t.get("EmployeeID") or t.get("employeeID")) != emp
    ]


@pytest.fixture
def au_mixed(demo_ctx, monkeypatch):
    """AU, most people moved to the Fortnightly calendar; Olivia Brown and Noah Williams
    stay on the Weekly one. Today: Tuesday after the hours' second week (Olivia's week
    11-23..29 and the fortnight 11-16..29 have both ended)."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[AU]["payroll"]
    cals = {c["Name"]: c["PayrollCalendarID"] for c in payroll["PayrollCalendars"]}
    for emp in payroll["Employees"]:
        if _name(emp) not in WEEKLY_PEOPLE:
            emp["PayrollCalendarID"] = cals["Fortnightly"]  # (Jack Wilson had none)
    _drop_sheets(store, AU, "Olivia Brown")  # (her week 11-23..29 was approved in Xero)
    store.save()
    _today_is(monkeypatch, shifted(store, date(2026, 12, 1)))
    return ctx, conn, store


def _person(result, name):
    return next(p for p in result.preview.people if p.name == name)


# ---------------------------------------------------------------------------- the default
def test_au_default_sends_each_person_their_own_last_ended_period(au_mixed):
    ctx, conn, store = au_mixed
    fortnight = (shifted(store, date(2026, 11, 16)), shifted(store, date(2026, 11, 29)))
    week = (shifted(store, date(2026, 11, 23)), shifted(store, date(2026, 11, 29)))

    result = export_hours(ctx, conn)
    out = result.as_json()
    # the export is named by the calendar most people are paid on
    assert result.preview.period.calendar_name == "Fortnightly"
    assert out["period"] == {"start": fortnight[0].isoformat(), "end": fortnight[1].isoformat()}
    olivia, jack = _person(result, "Olivia Brown"), _person(result, "Jack Wilson")
    assert (olivia.period_start, olivia.period_end) == week  # her last week, not 11-16..22
    assert (jack.period_start, jack.period_end) == fortnight
    # never silent: the weekly people's own period is said next to them
    assert {"who": "Olivia Brown", "calendar": "Weekly", "start": week[0].isoformat()}.items() <= (
        next(p for p in out["own_periods"] if p["who"] == "Olivia Brown").items()
    )
    assert all(p["who"] in WEEKLY_PEOPLE for p in out["own_periods"])

    # Xero holds each person's hours of their own period
    sheets = xero_sheets(store, AU, employee_id(store, AU, "Olivia Brown"))
    assert set(sheets) == {week[0]}
    status, days = sheets[week[0]]
    assert status == "DRAFT"
    assert_same_hours(days, approved_hours(store, "Olivia Brown", *week))
    jack_sheets = xero_sheets(store, AU, employee_id(store, AU, "Jack Wilson"))
    assert set(jack_sheets) == {fortnight[0]}
    assert_same_hours(
        jack_sheets[fortnight[0]][1], approved_hours(store, "Jack Wilson", *fortnight)
    )

    # a scheduled run again: nothing changed, nothing written
    again = export_hours(ctx, conn)
    assert again.run is None and again.as_json()["timesheets"]["created"] == 0
    assert _person(again, "Olivia Brown").action == "unchanged"
    # undo takes back each person's own timesheet (AU: our drafts back to zero hours)
    undo(ctx, conn, result.run.id)
    assert xero_sheets(store, AU, employee_id(store, AU, "Olivia Brown"))[week[0]][1] == {}
    assert xero_sheets(store, AU, employee_id(store, AU, "Jack Wilson"))[fortnight[0]][1] == {}


def test_uk_default_sends_a_weekly_person_their_last_week(demo_ctx, monkeypatch):
    """UK (payroll 2.0): a Weekly pay-run calendar added, Oliver Hughes paid on it; the
    others stay Fortnightly. Today: Tuesday in the second fortnight, so the last ended
    fortnight is 11-02..15 and Oliver's last ended week 11-16..22 (before: 11-02..08)."""
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[UK]["payroll"]
    weekly = str(uuid.uuid4())
    payroll["PayRunCalendars"].append(
        {
            "payrollCalendarID": weekly,
            "name": "Weekly",
            "calendarType": "Weekly",
            "periodStartDate": "2026-11-16T00:00:00",
            "periodEndDate": "2026-11-22T00:00:00",
            "paymentDate": "2026-11-26T00:00:00",
            "updatedDateUTC": "2025-10-09T08:53:20",
        }
    )
    for emp in payroll["Employees"]:
        if _name(emp) == "Oliver Hughes":
            emp["payrollCalendarID"] = weekly
    _drop_sheets(store, UK, "Oliver Hughes")  # (his fortnight 11-16..29 was approved)
    store.save()
    _today_is(monkeypatch, shifted(store, date(2026, 11, 24)))
    fortnight = (shifted(store, date(2026, 11, 2)), shifted(store, date(2026, 11, 15)))
    week = (shifted(store, date(2026, 11, 16)), shifted(store, date(2026, 11, 22)))

    result = export_hours(ctx, conn)
    assert (result.preview.period.start, result.preview.period.end) == fortnight
    oliver = _person(result, "Oliver Hughes")
    assert (oliver.period_start, oliver.period_end) == week
    assert result.as_json()["own_periods"] == [
        {
            "who": "Oliver Hughes",
            "calendar": "Weekly",
            "start": week[0].isoformat(),
            "end": week[1].isoformat(),
        }
    ]
    sheets = xero_sheets(store, UK, employee_id(store, UK, "Oliver Hughes"))
    assert set(sheets) == {week[0]}
    assert_same_hours(sheets[week[0]][1], approved_hours(store, "Oliver Hughes", *week))
    sophie = xero_sheets(store, UK, employee_id(store, UK, "Sophie Turner"))
    assert_same_hours(sophie[fortnight[0]][1], approved_hours(store, "Sophie Turner", *fortnight))


# ---------------------------------------------------------------------------- --period DAY
def test_a_chosen_day_gives_each_person_their_own_period_holding_it(au_mixed):
    ctx, conn, store = au_mixed
    day = shifted(store, date(2026, 11, 25))
    week = (shifted(store, date(2026, 11, 23)), shifted(store, date(2026, 11, 29)))
    fortnight = (shifted(store, date(2026, 11, 16)), shifted(store, date(2026, 11, 29)))
    text = io.StringIO()
    code = cmd_export_hours(
        ctx, Output(as_json=False, stream=text), None, day.isoformat(), dry_run=True
    )
    said = text.getvalue()
    assert code == 0
    assert f"pay period {fortnight[0]} to {fortnight[1]}" in said
    olivia_line = next(line for line in said.splitlines() if "Olivia Brown" in line)
    assert f"Olivia Brown (Weekly: {week[0]} to {week[1]}):" in olivia_line
    hours = round(sum(approved_hours(store, "Olivia Brown", *week).values()), 2)
    assert f": {hours:g} h" in olivia_line
    # the people on the export's own calendar have no period of their own beside them
    jack_line = next(line for line in said.splitlines() if "Jack Wilson" in line)
    assert "Fortnightly:" not in jack_line and "Weekly:" not in jack_line

    result = export_hours(ctx, conn, period=day, dry_run=True)
    olivia = _person(result, "Olivia Brown")
    assert (olivia.period_start, olivia.period_end) == week


# ---------------------------------------------------------------------------- a calendar's period
def test_a_weekly_period_chosen_in_the_wizard_makes_a_weekly_export(au_mixed, monkeypatch):
    ctx, conn, store = au_mixed
    week = (shifted(store, date(2026, 11, 23)), shifted(store, date(2026, 11, 29)))
    fortnight = (shifted(store, date(2026, 11, 16)), shifted(store, date(2026, 11, 29)))
    chosen = next(
        p for p in pay_periods(ctx, conn) if p.calendar_name == "Weekly" and p.start == week[0]
    )
    preview = preview_task(ctx, conn.id, chosen)
    assert (preview.period.start, preview.period.end, preview.period.calendar_name) == (
        *week,
        "Weekly",
    )
    olivia = next(p for p in preview.people if p.name == "Olivia Brown")
    jack = next(p for p in preview.people if p.name == "Jack Wilson")
    assert (olivia.period_start, olivia.period_end) == week
    assert (jack.period_start, jack.period_end) == fortnight  # his fortnight ending with it

    # the last week that has ended, chosen: the fortnight not ended yet is never sent, the
    # one that ended before it is (and said beside each person)
    later = (shifted(store, date(2026, 11, 30)), shifted(store, date(2026, 12, 6)))
    _today_is(monkeypatch, shifted(store, date(2026, 12, 8)))
    chosen = next(
        p for p in pay_periods(ctx, conn) if p.calendar_name == "Weekly" and p.start == later[0]
    )
    preview = preview_task(ctx, conn.id, chosen)
    assert (preview.period.start, preview.period.end) == later
    jack = next(p for p in preview.people if p.name == "Jack Wilson")
    assert (jack.period_start, jack.period_end) == fortnight

    # the command line takes the same: a calendar by name, a name it does not know refused
    result = export_hours(ctx, conn, period=later[0], calendar="weekly", dry_run=True)
    assert result.preview.period.calendar_name == "Weekly"
    text = io.StringIO()
    assert cmd_export_hours(ctx, Output(as_json=True, stream=text), None, None, True, "Weekly") == 0
    said = json.loads(text.getvalue().strip().splitlines()[-1])
    assert said["period"] == {"start": later[0].isoformat(), "end": later[1].isoformat()}
    assert {"who": "Jack Wilson", "calendar": "Fortnightly"}.items() <= next(
        p for p in said["own_periods"] if p["who"] == "Jack Wilson"
    ).items()
    with pytest.raises(PayCalendarUnknown) as err:
        preview_hours(ctx, conn, later[0], calendar="Monthly")
    assert "Fortnightly, Weekly" in err.value.user_message("en")
    assert err.value.user_message("fr") != err.value.user_message("en")
