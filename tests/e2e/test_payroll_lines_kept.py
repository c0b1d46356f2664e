"""A line a payroll officer adds in Xero to the draft timesheet the app made (overtime, an
allowance: another earnings rate) is theirs: sending the period again, with or without a
change in QuickBooks Time, keeps it as it is (UX.md: nothing is rewritten silently). It was
zeroed (AU) or deleted (UK) by the next send, which the preview called an update of our own
draft.
"""

from __future__ import annotations

import copy
import io
from datetime import datetime, timedelta

import pytest

from core.app.cli import Output, cmd_export_hours
from core.app.payroll import export_hours
from core.app.sync import sync, undo
from core.sandbox.xero_payroll import parse_day
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    approved_hours,
    employee_id,
    reasons,
    shifted,
    user_named,
)

OVERTIME_LINE_ID = "11111111-2222-3333-4444-555555555555"


def _sheet(store, emp_id, start, org=0):
    (sheet,) = [
        t
        for t in store.xero_orgs[org]["payroll"]["Timesheets"]
        if (t.get("EmployeeID") or t.get("employeeID")) == emp_id
        and parse_day(t.get("StartDate") or t.get("startDate")) == start
    ]
    return sheet


def _longer_shift(store, name, day):
    """``name``'s last shift of ``day`` ends 45 minutes later in QuickBooks Time."""
    user = user_named(store, name)
    shift = max(
        (t for t in store.qbtime["timesheets"] if t["user_id"] == user["id"] and t["date"] == day),
        key=lambda t: t["start"],
    )
    shift["end"] = (datetime.fromisoformat(shift["end"]) + timedelta(minutes=45)).isoformat()
    shift["duration"] += 45 * 60
    shift["last_modified"] = "2026-12-01T00:00:00+00:00"


def _dry_run(ctx, start) -> str:
    out = io.StringIO()
    cmd_export_hours(ctx, Output(stream=out), None, start.isoformat(), True)
    return out.getvalue()


def _sent(demo_ctx, org: str, week, index: int, name: str):
    """The Demo Company's ``org`` imported and ``name``'s period sent once: (ctx, conn,
    store, payroll, period start, employee id, the first sending)."""
    ctx, conn = demo_ctx(org)
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[index]["payroll"]
    start = shifted(store, week)
    employee = employee_id(store, index, name)
    first = export_hours(ctx, conn, period=start)
    return ctx, conn, store, payroll, start, employee, first


@pytest.mark.parametrize("edit_in_qbtime", [False, True])
def test_au_an_overtime_line_added_in_xero_stays(demo_ctx, edit_in_qbtime):
    ctx, conn, store, payroll, start, olivia, first = _sent(
        demo_ctx, "AU", AU_WEEK1, 0, "Olivia Brown"
    )
    sheet = _sheet(store, olivia, start)
    ordinary = sheet["TimesheetLines"][0]["EarningsRateID"]
    overtime = next(r for r in payroll["EarningsRates"] if "Overtime" in r["Name"])
    assert overtime["EarningsRateID"] != ordinary
    sheet["TimesheetLines"].append(
        {"EarningsRateID": overtime["EarningsRateID"], "NumberOfUnits": [0, 0, 2.0, 0, 0, 0, 0]}
    )
    if edit_in_qbtime:
        _longer_shift(store, "Olivia Brown", (start + timedelta(days=1)).isoformat())

    said = _dry_run(ctx, start)
    assert "2 h on lines added in Xero, kept" in said
    again = export_hours(ctx, conn, period=start)

    sheet = _sheet(store, olivia, start)
    by_rate = {line["EarningsRateID"]: line["NumberOfUnits"] for line in sheet["TimesheetLines"]}
    assert by_rate[overtime["EarningsRateID"]] == [0, 0, 2.0, 0, 0, 0, 0]
    ours = sum(by_rate[ordinary])
    want = sum(approved_hours(store, "Olivia Brown", start, start + timedelta(days=6)).values())
    assert ours == pytest.approx(want, abs=0.01)
    assert again.as_json()["timesheets"]["updated"] == (1 if edit_in_qbtime else 0)

    # undo, newest first: our hours go back, then to zero (AU has no delete); the officer's
    # line is never touched
    for run in [r for r in (again.run, first.run) if r is not None]:
        undo(ctx, conn, run.id)
    sheet = _sheet(store, olivia, start)
    by_rate = {line["EarningsRateID"]: line["NumberOfUnits"] for line in sheet["TimesheetLines"]}
    assert by_rate[overtime["EarningsRateID"]] == [0, 0, 2.0, 0, 0, 0, 0]
    assert sum(by_rate.get(ordinary, [])) == 0


@pytest.mark.parametrize("edit_in_qbtime", [False, True])
def test_uk_an_overtime_line_added_in_xero_stays(demo_ctx, edit_in_qbtime):
    ctx, conn, store, payroll, start, oliver, first = _sent(
        demo_ctx, "UK", UK_FORTNIGHT1, 1, "Oliver Hughes"
    )
    sheet = _sheet(store, oliver, start, org=1)
    ordinary = sheet["timesheetLines"][0]["earningsRateID"]
    other = next(
        r
        for r in payroll["EarningsRates"]
        if r["earningsRateID"] != ordinary and r.get("currentRecord", True)
    )
    line = copy.deepcopy(sheet["timesheetLines"][0])
    line.update(
        timesheetLineID=OVERTIME_LINE_ID, earningsRateID=other["earningsRateID"], numberOfUnits=2.0
    )
    sheet["timesheetLines"].append(line)
    sheet["totalHours"] += 2.0
    if edit_in_qbtime:
        _longer_shift(store, "Oliver Hughes", (start + timedelta(days=1)).isoformat())

    said = _dry_run(ctx, start)
    assert "2 h on lines added in Xero, kept" in said
    again = export_hours(ctx, conn, period=start)

    sheet = _sheet(store, oliver, start, org=1)
    kept = [x for x in sheet["timesheetLines"] if x["timesheetLineID"] == OVERTIME_LINE_ID]
    assert [(x["earningsRateID"], x["numberOfUnits"]) for x in kept] == [
        (other["earningsRateID"], 2.0)
    ]
    ours = sum(
        x["numberOfUnits"] for x in sheet["timesheetLines"] if x["earningsRateID"] == ordinary
    )
    want = sum(approved_hours(store, "Oliver Hughes", start, start + timedelta(days=13)).values())
    assert ours == pytest.approx(want, abs=0.01)
    assert again.as_json()["timesheets"]["updated"] == (1 if edit_in_qbtime else 0)

    # undo, newest first: the draft we made is not deleted while it holds their line; ours go
    for run in [r for r in (again.run, first.run) if r is not None]:
        undo(ctx, conn, run.id)
    sheet = _sheet(store, oliver, start, org=1)
    assert [(x["timesheetLineID"], x["numberOfUnits"]) for x in sheet["timesheetLines"]] == [
        (OVERTIME_LINE_ID, 2.0)
    ]


def test_au_a_line_added_on_the_rate_our_hours_now_go_on_is_not_overwritten(demo_ctx):
    """The officer changes Olivia's ordinary earnings rate in Xero and adds 2 h on that rate
    to our draft: our hours now go on the line they added. Merged, their 2 h replaced her
    7.35 h of that day (35.4 h in Xero for 40.75 approved), and the next send wrote over
    their line. Neither is overwritten: nothing is sent, with why and what to do."""
    ctx, conn, store, payroll, start, olivia, _first = _sent(
        demo_ctx, "AU", AU_WEEK1, 0, "Olivia Brown"
    )
    sheet = _sheet(store, olivia, start)
    ordinary = sheet["TimesheetLines"][0]["EarningsRateID"]
    overtime = next(r for r in payroll["EarningsRates"] if "Overtime" in r["Name"])
    record = next(e for e in payroll["Employees"] if e["EmployeeID"] == olivia)
    record["OrdinaryEarningsRateID"] = overtime["EarningsRateID"]
    added = [0, 0, 2.0, 0, 0, 0, 0]
    sheet["TimesheetLines"].append(
        {"EarningsRateID": overtime["EarningsRateID"], "NumberOfUnits": added}
    )
    before = copy.deepcopy(_sheet(store, olivia, start)["TimesheetLines"])

    again = export_hours(ctx, conn, period=start)
    assert again.as_json()["timesheets"]["updated"] == 0
    assert _sheet(store, olivia, start)["TimesheetLines"] == before  # nothing overwritten
    said = reasons(again, "Olivia Brown")
    assert "holds a line someone added there" in said and overtime["Name"] in said
    assert ordinary != overtime["EarningsRateID"]
