"""Sending hours to Xero Payroll: time off is never sent as worked hours, nor more of it than
a day holds, and a time-off code linked to two leave types is said, not settled by chance.

- Time off on a QuickBooks Time code made after the last import: the export reads that code
  by id and holds its time off back ("not linked to a Xero leave type", import again), never
  sends it as ordinary hours; a job made since stays work; a code it cannot read holds its
  hours back with why.
- A day whose work and time off together exceed what a day holds (7.6 mistyped as 76): all
  its hours are held back, leave included, with the "more work than a day holds" message.
- One time-off code linked to two Xero leave types (older data): sent as the one linked last,
  every time, and listed as a problem.
"""

from __future__ import annotations

from core.app.payroll import export_hours, preview_hours
from core.app.sync import sync
from core.engine import payroll as eng
from core.engine.leave import leave_link_rows, save_leave_links
from core.errors import ApiError
from core.services.fetch import load_snapshot
from core.services.qbtime.client import QBTimeClient
from tests.e2e.test_payroll_export import (
    AU_WEEK2,
    employee_id,
    reasons,
    shifted,
    time_off,
    xero_sheets,
)


def setup(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[0]["payroll"]
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    # (as tests/e2e/test_payroll_export: Olivia's approved timesheet was deleted in Xero)
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    return ctx, conn, store, payroll, start, olivia


def applications(payroll):
    names = {lt["LeaveTypeID"]: lt["Name"] for lt in payroll["LeaveTypes"]}
    return [
        (names[a["LeaveTypeID"]], [p["NumberOfUnits"] for p in a["LeavePeriods"]])
        for a in payroll["LeaveApplications"]
    ]


def new_jobcode(store, like: str, **changes):
    """A jobcode made in QuickBooks Time after the import (a copy of ``like``)."""
    jobcode = dict(next(j for j in store.qbtime["jobcodes"] if j["name"] == like))
    jobcode.update(changes)
    store.qbtime["jobcodes"].append(jobcode)
    return jobcode


def moved(ts, **changes):
    ts.update(changes)
    ts["last_modified"] = "2026-12-03T00:00:00+00:00"


def olivia_left_out(preview):
    person = next(p for p in preview.people if p.name == "Olivia Brown")
    return {(x.day, x.reason("en")) for x in person.left_out}


def test_time_off_on_a_code_made_after_the_import_is_held_back_not_sent_as_worked_hours(
    demo_ctx,
):
    ctx, conn, store, payroll, start, olivia = setup(demo_ctx)
    new_jobcode(store, "Sick Leave", id=17399999, name="Jury Duty")
    _thursday, friday = time_off(store, "Olivia Brown")
    moved(friday, jobcode_id=17399999)

    preview = preview_hours(ctx, conn, period=start)
    assert (friday["date"], eng.LEFT_UNLINKED) in olivia_left_out(preview)

    r = export_hours(ctx, conn, period=start)
    _status, days = xero_sheets(store, 0, olivia)[start]
    assert friday["date"] not in days  # never ordinary hours
    assert applications(payroll) == [("Annual Leave", [7.6])]  # Thursday's, as linked
    said = reasons(r, "Olivia Brown")
    assert 'Time off on "Jury Duty" (7.6 h) was not sent' in said
    assert "after the last import" in said and "Import again" in said


def test_a_job_made_after_the_import_stays_work(demo_ctx):
    ctx, conn, store, _payroll, start, olivia = setup(demo_ctx)
    new_jobcode(store, "Dee Why Reserve", id=17399998, name="Narrabeen Lakes")
    shift = next(
        t
        for t in store.qbtime["timesheets"]
        if t["user_id"] == time_off(store, "Olivia Brown")[0]["user_id"]
        and t["date"] == "2026-12-09"
    )
    moved(shift, jobcode_id=17399998)
    export_hours(ctx, conn, period=start)
    _status, days = xero_sheets(store, 0, olivia)[start]
    assert days["2026-12-09"] == 7.35  # both of Wednesday's shifts, as before


def test_hours_on_a_new_code_that_cannot_be_read_are_held_back_with_why(demo_ctx, monkeypatch):
    ctx, conn, store, payroll, start, olivia = setup(demo_ctx)
    new_jobcode(store, "Sick Leave", id=17399999, name="Jury Duty")
    _thursday, friday = time_off(store, "Olivia Brown")
    moved(friday, jobcode_id=17399999)

    def refused(self, ids):
        raise ApiError(service="QuickBooks Time", reason="503 Service Unavailable")

    monkeypatch.setattr(QBTimeClient, "jobcodes_by_ids", refused)
    preview = preview_hours(ctx, conn, period=start)
    assert (friday["date"], eng.LEFT_CODE_UNREAD) in olivia_left_out(preview)

    r = export_hours(ctx, conn, period=start)
    _status, days = xero_sheets(store, 0, olivia)[start]
    assert friday["date"] not in days
    assert applications(payroll) == [("Annual Leave", [7.6])]
    said = reasons(r, "Olivia Brown")
    assert "7.6 h on a QuickBooks Time job or time-off code added after the last import" in said
    assert "could not read" in said


def test_a_code_quickbooks_time_does_not_return_holds_its_hours_back(demo_ctx):
    ctx, conn, store, _payroll, start, _olivia = setup(demo_ctx)
    _thursday, friday = time_off(store, "Olivia Brown")
    moved(friday, jobcode_id=17399997)  # (no such jobcode: GET /jobcodes?ids= omits it)
    preview = preview_hours(ctx, conn, period=start)
    assert (friday["date"], eng.LEFT_CODE_UNREAD) in olivia_left_out(preview)
    assert "2026-12-11" not in next(p for p in preview.people if p.name == "Olivia Brown").days


def test_jobcodes_are_read_by_id_ids_per_read_a_call(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    known = [j["id"] for j in ctx.sandbox.store.qbtime["jobcodes"]][:3]
    qbt = ctx.qbtime_client(ctx.qbtime_token_for(conn), conn.id)
    asked: list[str] = []
    real = QBTimeClient._get

    def spy(self, endpoint, params=None):
        if endpoint == "jobcodes":
            asked.append(params["ids"])
        return real(self, endpoint, params)

    monkeypatch.setattr(QBTimeClient, "_get", spy)
    with qbt.session:
        found = qbt.jobcodes_by_ids([*known, *range(1, 418)])  # (IDS_PER_READ: 200)
        none = qbt.jobcodes_by_ids([])
    assert sorted(j.id for j in found) == sorted(known)
    assert [len(a.split(",")) for a in asked] == [200, 200, 20] and none == []


def test_time_off_longer_than_a_day_holds_is_held_back(demo_ctx):
    ctx, conn, store, payroll, start, _olivia = setup(demo_ctx)
    _thursday, friday = time_off(store, "Olivia Brown")
    moved(friday, duration=76 * 3600)  # 7.6 mistyped as 76
    preview = preview_hours(ctx, conn, period=start)
    assert (friday["date"], eng.LEFT_OVER_DAY) in olivia_left_out(preview)

    r = export_hours(ctx, conn, period=start)
    assert applications(payroll) == [("Annual Leave", [7.6])]  # Thursday only
    assert f"More work than a day holds on {friday['date']}" in reasons(r, "Olivia Brown")


def test_work_and_time_off_together_over_a_day_are_both_held_back(demo_ctx):
    ctx, conn, store, payroll, start, olivia = setup(demo_ctx)
    thursday, _friday = time_off(store, "Olivia Brown")
    work = dict(thursday)  # 18 h of work keyed in by hand on Thursday, besides 7.6 h of leave
    moved(work, id=135399999, jobcode_id=17301317, duration=18 * 3600)
    store.qbtime["timesheets"].append(work)

    r = export_hours(ctx, conn, period=start)
    _status, days = xero_sheets(store, 0, olivia)[start]
    assert thursday["date"] not in days
    assert applications(payroll) == [("Annual Leave", [7.6])]  # Friday only
    assert f"More work than a day holds on {thursday['date']}" in reasons(r, "Olivia Brown")


def test_a_code_linked_to_two_leave_types_goes_with_the_last_link_and_is_listed(demo_ctx):
    ctx, conn, _store, payroll, start, _olivia = setup(demo_ctx)
    snap = load_snapshot(conn)
    code = next(j for j in snap.jobcodes if j.name == "Annual Leave")
    personal = next(lt for lt in snap.leave_types if lt.name.startswith("Personal"))
    annual = next(lt for lt in snap.leave_types if lt.name == "Annual Leave")
    rows = {r.leave_type_id: r.qbt_jobcode_id for r in leave_link_rows(conn, snap)}
    save_leave_links(conn, rows, snap.leave_types)  # (Annual Leave's link saved first)
    # older data: the same code saved for a second leave type, as the dialog once allowed
    save_leave_links(conn, {personal.leave_type_id: code.id}, snap.leave_types)

    preview = preview_hours(ctx, conn, period=start)
    listed = [p.reason for p in preview.problems if p.who == "Link leave types"]
    assert listed == [
        'The time-off code "Annual Leave" is linked to more than one Xero leave type '
        f'("{annual.name}", "{personal.name}"): its time off is sent as "{personal.name}", the '
        'leave type linked to it last. Choose one leave type for this code under "Link leave '
        'types", then send again.'
    ]
    export_hours(ctx, conn, period=start)
    assert applications(payroll) == [(personal.name, [15.2])]
