"""Sending approved QuickBooks Time hours to Xero Payroll, on the AU (payroll 1.0) and UK
(payroll 2.0) Demo Company organisations (resources/demo/README.md: the hours and the traps).

The expected hours are computed here from the simulator's own QuickBooks Time data (shifts
cut at local midnight, days up to ``approved_to``), independently of core/engine/payroll.py,
and compared with what the Xero simulator holds after the export.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

import main
from core.app.cli import Output, cmd_export_hours
from core.app.payroll import export_hours, pay_periods, preview_hours
from core.app.sync import history, sync, undo
from core.engine.leave import save_leave_links
from core.errors import BridgeError
from core.i18n import set_language
from core.sandbox.xero_payroll import parse_day
from core.services.fetch import load_snapshot
from core.store.models import ImportRun, JournalEntry, SentHours
from core.store.secrets import TokenStore

AU_WEEK1, AU_WEEK2 = date(2026, 11, 16), date(2026, 11, 23)
UK_FORTNIGHT1, UK_FORTNIGHT2 = date(2026, 11, 2), date(2026, 11, 16)


# ---------------------------------------------------------------------------- helpers
def shifted(store, day: date) -> date:
    """A date of the README moved as the simulator moved the hours of this state."""
    return day + timedelta(days=int(store.qbtime.get("demo_shift_days") or 0))


def user_named(store, name):
    return next(u for u in store.qbtime["users"] if f"{u['first_name']} {u['last_name']}" == name)


def approved_hours(store, name, start, end) -> dict[str, float]:
    """QuickBooks Time's approved regular hours per day of ``name`` in start..end: those of
    the timesheets dated on or before ``approved_to`` (a timesheet is approved whole)."""
    user = user_named(store, name)
    approved = date.fromisoformat(user["approved_to"])
    off = {j["id"] for j in store.qbtime["jobcodes"] if j["type"] in ("pto", "unpaid_time_off")}
    seconds: dict[date, float] = {}
    for ts in store.qbtime["timesheets"]:
        if ts["user_id"] != user["id"] or ts.get("on_the_clock") or ts["jobcode_id"] in off:
            continue
        if date.fromisoformat(ts["date"]) > approved:
            continue
        zone = ZoneInfo(ts["tz_str"])
        if ts["type"] == "manual" or not ts.get("start"):
            d = date.fromisoformat(ts["date"])
            seconds[d] = seconds.get(d, 0) + ts["duration"]
            continue
        cursor = datetime.fromisoformat(ts["start"]).astimezone(zone)
        stop = datetime.fromisoformat(ts["end"]).astimezone(zone)
        while cursor < stop:
            nxt = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), zone)
            piece = min(stop, nxt)
            seconds[cursor.date()] = (
                seconds.get(cursor.date(), 0) + (piece - cursor).total_seconds()
            )
            cursor = piece
    return {
        d.isoformat(): s / 3600 for d, s in sorted(seconds.items()) if start <= d <= end and s > 0
    }


def employee_id(store, org_index, name):
    payroll = store.xero_orgs[org_index]["payroll"]
    for emp in payroll["Employees"]:
        first = emp.get("FirstName") or emp.get("firstName")
        last = emp.get("LastName") or emp.get("lastName")
        if f"{first} {last}" == name:
            return emp.get("EmployeeID") or emp.get("employeeID")
    raise AssertionError(name)


def xero_sheets(store, org_index, emp_id):
    """{start: (status, {day: hours})} of the employee's Xero timesheets."""
    out = {}
    for sheet in store.xero_orgs[org_index]["payroll"]["Timesheets"]:
        if (sheet.get("EmployeeID") or sheet.get("employeeID")) != emp_id:
            continue
        start = parse_day(sheet.get("StartDate") or sheet.get("startDate"))
        days: dict[str, float] = {}
        if "TimesheetLines" in sheet:
            for line in sheet["TimesheetLines"]:
                for i, units in enumerate(line["NumberOfUnits"]):
                    if units:
                        key = (start + timedelta(days=i)).isoformat()
                        days[key] = round(days.get(key, 0) + units, 4)
        else:
            for line in sheet["timesheetLines"]:
                key = parse_day(line["date"]).isoformat()
                days[key] = round(days.get(key, 0) + line["numberOfUnits"], 4)
        out[start] = (sheet.get("Status") or sheet.get("status"), days)
    return out


def assert_same_hours(xero_days, qbt_days):
    assert set(xero_days) == {d for d, h in qbt_days.items() if round(h, 2) > 0}
    for day, hours in qbt_days.items():
        assert abs(xero_days.get(day, 0) - hours) < 0.01, (day, xero_days.get(day), hours)
    assert round(sum(xero_days.values()), 2) == round(sum(qbt_days.values()), 2)


def link_holiday(conn):
    """The user links the "Annual Leave" time-off code to Xero UK's "Holiday" (returned)."""
    snap = load_snapshot(conn)
    annual = next(j for j in snap.jobcodes if j.name == "Annual Leave")
    holiday = next(lt for lt in snap.leave_types if lt.name == "Holiday")
    save_leave_links(conn, {holiday.leave_type_id: annual.id}, snap.leave_types)
    return holiday


def reasons(result, who):
    return " ".join(p["reason"] for p in result.as_json()["problems"] if p["who"] == who)


@pytest.fixture
def au(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)  # people link on import
    return ctx, conn


@pytest.fixture
def uk(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    return ctx, conn


# ---------------------------------------------------------------------------- AU (payroll 1.0)
def test_au_first_week_sends_approved_hours_and_reports_every_trap(au):
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    before = json.dumps(store.xero_orgs[0]["payroll"], sort_keys=True)

    dry = export_hours(ctx, conn, period=start + timedelta(days=3), dry_run=True)
    assert json.dumps(store.xero_orgs[0]["payroll"], sort_keys=True) == before
    assert dry.run is None and dry.as_json()["timesheets"]["created"] == 1

    result = export_hours(ctx, conn, period=start + timedelta(days=3))
    out = result.as_json()
    assert out["period"] == {"start": start.isoformat(), "end": end.isoformat()}
    assert out["timesheets"]["created"] == 1 and out["run_id"] is not None

    olivia = employee_id(store, 0, "Olivia Brown")
    status, days = xero_sheets(store, 0, olivia)[start]
    assert status == "DRAFT"
    expected = approved_hours(store, "Olivia Brown", start, end)
    # the Sunday night shift counts 2 h on Sunday (the rest goes to the next week)
    assert abs(expected[end.isoformat()] - 2.0) < 0.01
    assert_same_hours(days, expected)

    # the traps, each with a reason that says what to do
    assert "no longer active" in reasons(result, "Noah Williams")
    assert "no payroll calendar" in reasons(result, "Jack Wilson")
    assert "not linked to a Xero employee" in reasons(result, "Dave Kowalski")
    assert '"Holiday"' in reasons(result, "Jack Wilson")  # unlinked time-off code
    noah = next(p for p in result.preview.people if p.name == "Noah Williams")
    assert any("unpaid leave" in left.reason() for left in noah.left_out)
    # nothing for the others reached Xero: not their hours, not the unpaid leave
    for name in ("Noah Williams", "Jack Wilson"):
        assert xero_sheets(store, 0, employee_id(store, 0, name)) == {}
    assert store.xero_orgs[0]["payroll"]["LeaveApplications"] == []

    # a second export of the unchanged period writes nothing and makes no run
    runs = ImportRun.select().count()
    again = export_hours(ctx, conn, period=start)
    assert again.run is None and ImportRun.select().count() == runs
    assert again.as_json()["timesheets"]["unchanged"] == 1
    assert xero_sheets(store, 0, olivia)[start][1] == days


def set_custom_field(ctx, timesheet_id, field_id, value):
    """What a user does in QuickBooks Time: pick an item of a custom field on a timesheet."""
    resp = requests.put(
        f"{ctx.sandbox.qbtime_base}/timesheets",
        json={"data": [{"id": timesheet_id, "customfields": {str(field_id): value}}]},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    [row] = resp.json()["results"]["timesheets"].values()
    assert row["_status_code"] == 200, row


def test_hours_on_a_region_item_carry_the_timesheet_category_option(au):
    """The AU Demo Company's timesheet tracking category is Region (Xero payroll settings);
    the import made it a QuickBooks Time custom field. Hours whose timesheet holds one of
    its items go on their own line with that option; the totals stay the approved hours."""
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    org = store.xero_orgs[0]
    region = next(c for c in org["TrackingCategories"] if c["Name"] == "Region")
    option = {o["Name"]: o["TrackingOptionID"] for o in region["Options"]}
    field = next(f for f in store.qbtime["customfields"] if f["name"] == "Region" and f["active"])
    user = user_named(store, "Olivia Brown")
    zone_day = lambda t, key: datetime.fromisoformat(t[key]).astimezone(ZoneInfo(t["tz_str"]))  # noqa: E731
    shift = min(
        (
            t
            for t in store.qbtime["timesheets"]
            if t["user_id"] == user["id"]
            and t["type"] == "regular"
            and not t.get("on_the_clock")
            and start.isoformat() <= t["date"] <= user["approved_to"]
            and t["date"] <= end.isoformat()
            and zone_day(t, "start").date() == zone_day(t, "end").date()
        ),
        key=lambda t: (t["date"], t["start"]),
    )
    set_custom_field(ctx, shift["id"], field["id"], "sydney north ")  # QB Time keeps "Sydney North"
    expected = approved_hours(store, "Olivia Brown", start, end)

    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["timesheets"]["created"] == 1
    olivia = employee_id(store, 0, "Olivia Brown")

    def lines():
        [sheet] = [
            t
            for t in org["payroll"]["Timesheets"]
            if t["EmployeeID"] == olivia and parse_day(t["StartDate"]) == start
        ]
        return sheet["TimesheetLines"]

    index = (date.fromisoformat(shift["date"]) - start).days
    tracked = [ln for ln in lines() if ln.get("TrackingItemID")]
    assert [ln["TrackingItemID"] for ln in tracked] == [option["Sydney North"].lower()]
    units = tracked[0]["NumberOfUnits"]
    assert [i for i, u in enumerate(units) if u] == [index]
    assert abs(units[index] - shift["duration"] / 3600) < 0.01
    # one NumberOfUnits list per (earnings rate, tracking item), on the same ordinary rate
    assert len(lines()) == 2 and len({ln["EarningsRateID"] for ln in lines()}) == 1
    assert_same_hours(xero_sheets(store, 0, olivia)[start][1], expected)

    # read back with its option, the draft is unchanged: nothing is written again
    again = export_hours(ctx, conn, period=start)
    assert again.run is None and again.as_json()["timesheets"]["unchanged"] == 1

    # the item changed in QuickBooks Time: our draft moves those hours to the new option
    set_custom_field(ctx, shift["id"], field["id"], "Sydney South")
    moved = export_hours(ctx, conn, period=start)
    assert moved.as_json()["timesheets"]["updated"] == 1
    # the Sydney North line is sent at zero units (nothing says Xero drops a line an AU
    # update leaves out), the hours are on the Sydney South one
    assert {
        ln["TrackingItemID"]: sum(ln["NumberOfUnits"]) > 0
        for ln in lines()
        if ln.get("TrackingItemID")
    } == {option["Sydney South"].lower(): True, option["Sydney North"].lower(): False}
    assert_same_hours(xero_sheets(store, 0, olivia)[start][1], expected)
    # undo puts the hours back on the Sydney North line (Sydney South's at zero)
    undo(ctx, conn, moved.run.id)
    assert {
        ln["TrackingItemID"]: sum(ln["NumberOfUnits"]) > 0
        for ln in lines()
        if ln.get("TrackingItemID")
    } == {option["Sydney South"].lower(): False, option["Sydney North"].lower(): True}
    assert_same_hours(xero_sheets(store, 0, olivia)[start][1], expected)


def test_au_second_week_leaves_the_approved_timesheet_alone_and_reports_unapproved(au):
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    approved_before = xero_sheets(store, 0, olivia)[start]
    result = export_hours(ctx, conn, period=start)
    assert result.run is None
    assert "no longer a draft" in reasons(result, "Olivia Brown")
    assert "still on the clock" in reasons(result, "Olivia Brown").replace("Is still", "still")
    assert "not approved yet" in reasons(result, "Noah Williams")
    assert "not submitted yet" in reasons(result, "Jack Wilson")
    assert xero_sheets(store, 0, olivia)[start] == approved_before
    assert store.xero_orgs[0]["payroll"]["LeaveApplications"] == []


def test_au_leave_goes_as_a_leave_application_once_xero_takes_the_timesheet(au):
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll = store.xero_orgs[0]["payroll"]
    # the payroll officer deleted the approved timesheet in Xero
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    result = export_hours(ctx, conn, period=start)
    out = result.as_json()
    assert out["timesheets"]["created"] == 1 and out["leave"]["created"] == 1
    (leave,) = payroll["LeaveApplications"]
    assert leave["EmployeeID"] == olivia
    assert parse_day(leave["StartDate"]) == start + timedelta(days=3)
    assert parse_day(leave["EndDate"]) == start + timedelta(days=4)
    assert leave["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(15.2)
    assert out["hours"]["leave"] == pytest.approx(15.2)
    # the leave days are not regular hours too; Monday holds the night shift's 6 h
    status, days = xero_sheets(store, 0, olivia)[start]
    assert_same_hours(days, approved_hours(store, "Olivia Brown", start, start + timedelta(6)))
    assert (
        abs(
            days[start.isoformat()]
            - approved_hours(store, "Olivia Brown", start, start)[start.isoformat()]
        )
        < 0.01
    )
    # sent once: a second export sends no second leave application
    export_hours(ctx, conn, period=start)
    assert len(payroll["LeaveApplications"]) == 1

    # undo: AU has no DELETE: our draft goes back to zero hours; our leave application is
    # rejected (POST /LeaveApplications/{id}/reject), so it pays nothing
    undone = undo(ctx, conn, result.run.id)
    status, days = xero_sheets(store, 0, olivia)[start]
    assert status == "DRAFT" and days == {}
    assert undone.counts["left_alone"] == []
    assert undone.counts["outcomes"]["reverted"] == {"timesheets": 1, "leave": 1}
    assert {p["LeavePeriodStatus"] for p in leave["LeavePeriods"]} == {"REJECTED"}
    assert ImportRun.get_by_id(result.run.id).status == "undone"
    assert not SentHours.select().where(SentHours.active == True).exists()  # noqa: E712
    # sending again re-uses our (empty) draft: no duplicate timesheet; the rejected
    # application cannot be approved again (only a requested one can), so a new one is sent
    again = export_hours(ctx, conn, period=start)
    assert again.as_json()["timesheets"]["updated"] == 1
    assert again.as_json()["leave"]["created"] == 1
    assert len([t for t in payroll["Timesheets"] if t["EmployeeID"] == olivia]) == 1
    live = [
        a
        for a in payroll["LeaveApplications"]
        if a["LeavePeriods"][0]["LeavePeriodStatus"] == "SCHEDULED"
    ]
    assert len(live) == 1 and len(payroll["LeaveApplications"]) == 2


def test_an_edit_in_qbtime_updates_our_draft_and_undo_restores_it(au):
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    olivia = employee_id(store, 0, "Olivia Brown")
    first = export_hours(ctx, conn, period=start)
    sheet_id = next(
        t["TimesheetID"]
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["EmployeeID"] == olivia and parse_day(t["StartDate"]) == start
    )
    created_days = xero_sheets(store, 0, olivia)[start][1]
    # Olivia's Tuesday afternoon shift ends 45 minutes later
    user = user_named(store, "Olivia Brown")
    tuesday = (start + timedelta(days=1)).isoformat()
    shift = max(
        (
            t
            for t in store.qbtime["timesheets"]
            if t["user_id"] == user["id"] and t["date"] == tuesday
        ),
        key=lambda t: t["start"],
    )
    shift["end"] = (datetime.fromisoformat(shift["end"]) + timedelta(minutes=45)).isoformat()
    shift["duration"] += 45 * 60
    shift["last_modified"] = "2026-12-01T00:00:00+00:00"
    second = export_hours(ctx, conn, period=start)
    assert second.as_json()["timesheets"]["updated"] == 1
    assert second.as_json()["timesheets"]["created"] == 0
    sheets = [
        t
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["EmployeeID"] == olivia and parse_day(t["StartDate"]) == start
    ]
    assert [t["TimesheetID"] for t in sheets] == [sheet_id]  # our draft, updated in place
    days = xero_sheets(store, 0, olivia)[start][1]
    assert days[tuesday] == pytest.approx(created_days[tuesday] + 0.75)
    assert_same_hours(days, approved_hours(store, "Olivia Brown", start, end))

    # undo of the update puts the earlier hours back; undo of the first export empties it
    undo(ctx, conn, second.run.id)
    assert xero_sheets(store, 0, olivia)[start][1] == created_days
    undo(ctx, conn, first.run.id)
    assert xero_sheets(store, 0, olivia)[start][1] == {}


def test_hours_edited_after_xero_approved_them_are_flagged(au):
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    olivia = employee_id(store, 0, "Olivia Brown")
    export_hours(ctx, conn, period=start)
    sheet = next(
        t
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["EmployeeID"] == olivia and parse_day(t["StartDate"]) == start
    )
    sheet["Status"] = "APPROVED"  # the payroll officer approved it in Xero
    frozen = json.dumps(sheet, sort_keys=True)
    user = user_named(store, "Olivia Brown")
    shift = next(
        t
        for t in store.qbtime["timesheets"]
        if t["user_id"] == user["id"] and t["date"] == start.isoformat()
    )
    shift["last_modified"] = "2026-12-02T00:00:00+00:00"
    shift["notes"] = "edited after payroll"
    result = export_hours(ctx, conn, period=start)
    assert "changed in QuickBooks Time after their Xero timesheet stopped being a draft" in reasons(
        result, "Olivia Brown"
    )
    assert json.dumps(sheet, sort_keys=True) == frozen and result.run is None
    # undo leaves a timesheet that is no longer a draft alone, and says so
    run = ImportRun.select().where(ImportRun.kind == "payroll_export").get()
    undone = undo(ctx, conn, run.id)
    assert any("no longer a draft" in x["what"] for x in undone.counts["left_alone"])
    assert json.dumps(sheet, sort_keys=True) == frozen


# ---------------------------------------------------------------------------- UK (payroll 2.0)
def test_uk_first_fortnight_sends_hours_and_linked_leave_then_undo_deletes_them(uk):
    ctx, conn = uk
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT1)
    end = start + timedelta(days=13)
    payroll = store.xero_orgs[1]["payroll"]
    before = json.dumps(payroll, sort_keys=True)
    holiday = link_holiday(conn)

    preview = preview_hours(ctx, conn, start)
    assert preview.period.start == start and preview.period.end == end
    result = export_hours(ctx, conn, period=start)
    out = result.as_json()
    assert out["timesheets"]["created"] == 2  # Oliver, Sophie
    assert out["leave"]["created"] == 1
    assert "no payroll calendar" in reasons(result, "Amelia Clarke")
    assert not xero_sheets(store, 1, employee_id(store, 1, "Amelia Clarke"))
    for name in ("Oliver Hughes", "Sophie Turner"):
        status, days = xero_sheets(store, 1, employee_id(store, 1, name))[start]
        assert status == "Draft"
        assert_same_hours(days, approved_hours(store, name, start, end))
    oliver = employee_id(store, 1, "Oliver Hughes")
    (leave,) = payroll["EmployeeLeave"][oliver]
    assert leave["leaveTypeID"] == holiday.leave_type_id
    assert leave["periods"][0]["numberOfUnits"] == pytest.approx(15.0)
    # Sophie's unpaid leave never reaches Xero, and says so
    sophie = next(p for p in result.preview.people if p.name == "Sophie Turner")
    assert any("unpaid leave" in left.reason() for left in sophie.left_out)
    assert not payroll["EmployeeLeave"].get(employee_id(store, 1, "Sophie Turner"))

    assert export_hours(ctx, conn, period=start).run is None  # nothing twice

    undo(ctx, conn, result.run.id)
    payroll["EmployeeLeave"] = {k: v for k, v in payroll["EmployeeLeave"].items() if v}
    assert json.dumps(payroll, sort_keys=True) == before  # timesheets and leave deleted


def test_uk_leave_of_a_long_leave_type_name_is_sent_with_a_title_xero_takes(demo_ctx):
    """NZ/UK leave ``description`` is required and at most 50 characters (both payroll 2.0
    specs); the app names leave after its leave type, whose name has no such limit."""
    ctx, conn = demo_ctx("UK")
    store = ctx.sandbox.store
    long_name = "Holiday (annual paid leave, entitlement carried over from last year)"
    assert len(long_name) > 50
    for leave_type in store.xero_orgs[1]["payroll"]["LeaveTypes"]:
        if leave_type["name"] == "Holiday":
            leave_type["name"] = long_name
    sync(ctx, conn)
    snap = load_snapshot(conn)
    annual = next(j for j in snap.jobcodes if j.name == "Annual Leave")
    holiday = next(lt for lt in snap.leave_types if lt.name == long_name)
    save_leave_links(conn, {holiday.leave_type_id: annual.id}, snap.leave_types)
    start = shifted(store, UK_FORTNIGHT1)

    result = export_hours(ctx, conn, period=start)

    assert result.as_json()["leave"]["created"] == 1, result.as_json()
    oliver = employee_id(store, 1, "Oliver Hughes")
    (leave,) = store.xero_orgs[1]["payroll"]["EmployeeLeave"][oliver]
    assert leave["description"] == long_name[:49].rstrip() + "\u2026"
    assert len(leave["description"]) == 50


def test_uk_second_fortnight_traps(uk):
    ctx, conn = uk
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT2)
    result = export_hours(ctx, conn, period=start + timedelta(days=5))
    assert "no longer a draft" in reasons(result, "Oliver Hughes")
    assert "no payroll calendar" in reasons(result, "Amelia Clarke")
    assert "not submitted yet" in reasons(result, "Sophie Turner")
    oliver = employee_id(store, 1, "Oliver Hughes")
    assert xero_sheets(store, 1, oliver)[start][0] == "Approved"
    assert len(xero_sheets(store, 1, oliver)) == 1
    # none of Sophie's days of the fortnight is approved: nothing of hers is sent
    assert not xero_sheets(store, 1, employee_id(store, 1, "Sophie Turner"))
    assert result.run is None


def test_pay_periods_offer_the_calendar_dates_newest_first(uk):
    ctx, conn = uk
    periods = pay_periods(ctx, conn)
    assert periods and all(p.calendar_name == "Fortnightly" for p in periods)
    assert all((p.end - p.start).days == 13 for p in periods)
    assert [p.start for p in periods] == sorted((p.start for p in periods), reverse=True)


# ---------------------------------------------------------------------------- the command
@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv):
        code = main.main([*argv, "--demo-state", str(state), "--json"], tokens=store)
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out else None)

    return invoke


def test_export_hours_command_json_history_and_undo(run):
    assert run("connect-qbtime")[0] == 0
    assert run("connect-xero", "--org", "Maison Verdure UK")[0] == 0
    assert run("sync")[0] == 0
    code, _out = run("export-hours", "--period", "not-a-date")
    assert code == 2
    code, dry = run("export-hours", "--dry-run")
    assert code == 0 and dry["dry_run"] is True and dry["run_id"] is None
    assert set(dry) == {
        "run_id",
        "dry_run",
        "period",
        "timesheets",
        "leave",
        "hours",
        "problems",
        "api_calls",
        "earnings_rates",
        "estimate",  # (the Xero calls the sending needs, and how far today's calls go)
    }
    assert all(set(x) == {"who", "rate", "rate_id"} for x in dry["earnings_rates"])
    assert set(dry["timesheets"]) == {"created", "updated", "unchanged", "skipped"}
    assert set(dry["leave"]) == {"created", "updated", "withdrawn", "locked", "skipped"}
    assert set(dry["hours"]) == {
        "regular",
        "leave",
        "kept_in_xero",
        "not_sent_regular",  # (what Xero refused at the send: none in a dry run)
        "not_sent_leave",
    }
    assert dry["hours"]["not_sent_regular"] == dry["hours"]["not_sent_leave"] == 0
    assert set(dry["api_calls"]) == {"xero", "qbtime"}
    assert all(set(p) == {"who", "reason"} for p in dry["problems"])
    code, sent = run("export-hours", "--period", dry["period"]["start"])
    assert code == 0 and sent["period"] == dry["period"]
    assert sent["timesheets"]["created"] == dry["timesheets"]["created"]
    if sent["run_id"] is not None:
        code, hist = run("history")
        assert any(
            r["kind"] == "payroll_export" and r["run_id"] == sent["run_id"] for r in hist["runs"]
        )
        code, undone = run("undo", str(sent["run_id"]))
        assert code == 0 and undone["undone_run_id"] == sent["run_id"]
        code, again = run("export-hours", "--period", dry["period"]["start"], "--dry-run")
        assert again["timesheets"]["created"] == dry["timesheets"]["created"]


def test_a_connection_made_before_payroll_export_is_asked_to_sign_in_again(au):
    from core.errors import ReauthorizationRequired
    from core.services.auth.xero_oauth import TokenSet

    ctx, conn = au
    manager = ctx.xero_tokens_for(conn)
    tokens = manager.token_set()
    old_scope = " ".join(
        s for s in tokens.scope.split() if s not in ("payroll.timesheets", "payroll.employees")
    )
    manager.save(
        TokenSet(
            tokens.access_token, tokens.refresh_token, tokens.expires_at, old_scope, tokens.id_token
        )
    )
    with pytest.raises(ReauthorizationRequired) as caught:
        export_hours(ctx, conn)
    assert caught.value.user_message().startswith("Sign in to Xero again, because")
    assert history(conn)[0].kind == "import"


def test_undo_names_what_it_undid(au):
    """`undo` of a sending of hours says so, not "Import #N was undone"."""
    import io

    from core.app.cli import Output, cmd_undo

    ctx, conn = au
    sent = export_hours(ctx, conn)
    assert sent.run is not None
    out = io.StringIO()
    assert cmd_undo(ctx, Output(stream=out), None, sent.run.id) == 0
    said = out.getvalue()
    assert f"Sending of hours #{sent.run.id} to Xero Payroll was undone" in said
    assert "Import #" not in said


def test_au_pay_period_reads_pay_items_once(au, monkeypatch):
    """AU's earnings rates and leave types are both in ``GET /PayItems``: one read per pay
    period, not one per list (the payroll export's floor)."""
    from core.services.xero.client import XeroClient

    ctx, conn = au
    paths: list[str] = []
    real_get = XeroClient._get

    def counting_get(self, info, path, **kwargs):
        paths.append(path)
        return real_get(self, info, path, **kwargs)

    monkeypatch.setattr(XeroClient, "_get", counting_get)
    preview_hours(ctx, conn, shifted(ctx.sandbox.store, AU_WEEK1))
    assert sum(p.endswith("/PayItems") for p in paths) == 1, paths


# ---------------------------------------------------------------------------- leave edits
def time_off(store, name):
    """``name``'s time-off timesheets (on pto codes) in QuickBooks Time, by date."""
    user = user_named(store, name)
    pto = {j["id"] for j in store.qbtime["jobcodes"] if j["type"] == "pto"}
    return sorted(
        (
            t
            for t in store.qbtime["timesheets"]
            if t["user_id"] == user["id"] and t["jobcode_id"] in pto
        ),
        key=lambda t: t["date"],
    )


def edit(ts, **changes):
    ts.update(changes)
    ts["last_modified"] = "2026-12-03T00:00:00+00:00"


def leave_blocks(preview, who):
    person = next(p for p in preview.people if p.name == who)
    return [b for b in person.leave if b.action != "skip"]


def test_au_leave_edited_in_qbtime_is_updated_withdrawn_and_undone(au):
    """Time off already sent as a leave application, then changed in QuickBooks Time before
    the pay run: the preview shows the change, the send updates the same application
    (POST /LeaveApplications/{id}), deleted time off withdraws it (reject), each once, and
    undo puts back what Xero held."""
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll = store.xero_orgs[0]["payroll"]
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    first = export_hours(ctx, conn, period=start)
    (app,) = payroll["LeaveApplications"]
    app_id = app["LeaveApplicationID"]
    thursday, friday = time_off(store, "Olivia Brown")

    # Friday's time off becomes a half day (3.8 h) in QuickBooks Time
    edit(friday, duration=3.8 * 3600)
    preview = preview_hours(ctx, conn, start)
    (block,) = leave_blocks(preview, "Olivia Brown")
    assert block.action == "update" and block.xero_id == app_id.lower()
    first_day, last_day = (
        (start + timedelta(days=3)).isoformat(),
        (start + timedelta(4)).isoformat(),
    )
    assert block.before == (first_day, last_day, 15.2)
    assert (block.start, block.end, block.hours) == (first_day, last_day, 11.4)
    assert preview.plan.writes == 1  # the leave only: the timesheet is unchanged
    said = io.StringIO()  # export-hours --dry-run says the change with what Xero holds now
    assert cmd_export_hours(ctx, Output(stream=said), None, start.isoformat(), True) == 0
    assert (
        f"leave Annual Leave: 11.4 h, {first_day} to {last_day} (in Xero now: 15.2 h, "
        f"{first_day} to {last_day}; updated in Xero)"
    ) in said.getvalue()
    assert "Leave: 0 sent, 1 updated, 0 withdrawn, 0 not sent." in said.getvalue()
    second = export_hours(ctx, conn, period=start)
    assert second.as_json()["leave"] == {
        "created": 0,
        "updated": 1,
        "withdrawn": 0,
        "locked": 0,
        "skipped": 0,
    }
    (app,) = payroll["LeaveApplications"]
    assert app["LeaveApplicationID"] == app_id  # the same application, updated
    assert app["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(11.4)
    assert export_hours(ctx, conn, period=start).run is None  # nothing twice
    # undo of the update puts back what Xero held, in the same application; sent again after
    undone = undo(ctx, conn, second.run.id)
    assert undone.counts["outcomes"]["reverted"] == {"timesheets": 0, "leave": 1}
    (app,) = payroll["LeaveApplications"]
    assert app["LeaveApplicationID"] == app_id
    assert app["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(15.2)
    assert (parse_day(app["StartDate"]), parse_day(app["EndDate"])) == (
        start + timedelta(days=3),
        start + timedelta(days=4),
    )
    assert export_hours(ctx, conn, period=start).as_json()["leave"]["updated"] == 1
    assert app["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(11.4)

    # the time off request is deleted in QuickBooks Time: the leave is withdrawn (rejected)
    store.qbtime["timesheets"] = [
        t for t in store.qbtime["timesheets"] if t["id"] not in (thursday["id"], friday["id"])
    ]
    preview = preview_hours(ctx, conn, start)
    (block,) = leave_blocks(preview, "Olivia Brown")
    assert block.action == "withdraw" and block.before == (first_day, last_day, 11.4)
    assert block.hours == 0
    third = export_hours(ctx, conn, period=start)
    assert third.as_json()["leave"]["withdrawn"] == 1
    assert {p["LeavePeriodStatus"] for p in app["LeavePeriods"]} == {"REJECTED"}
    assert len(payroll["LeaveApplications"]) == 1
    assert export_hours(ctx, conn, period=start).run is None  # withdrawn once
    live = SentHours.select().where(
        (SentHours.active == True) & (SentHours.target == "leave")  # noqa: E712
    )
    assert not live.exists()

    # undo the withdrawal: Xero gets the leave back as it was (a rejected application cannot
    # be approved again, so it is a new one), recognised as ours by the next preview
    undone = undo(ctx, conn, third.run.id)
    assert undone.counts["left_alone"] == [] and undone.counts["outcomes"]["reverted"]["leave"] == 1
    (back,) = [a for a in payroll["LeaveApplications"] if a["LeaveApplicationID"] != app_id]
    assert back["LeavePeriods"][0]["LeavePeriodStatus"] == "SCHEDULED"
    assert back["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(11.4)
    assert (parse_day(back["StartDate"]), parse_day(back["EndDate"])) == (
        start + timedelta(days=3),
        start + timedelta(days=4),
    )
    (block,) = leave_blocks(preview_hours(ctx, conn, start), "Olivia Brown")
    assert block.action == "withdraw" and block.xero_id == back["LeaveApplicationID"].lower()
    del first


def test_au_leave_in_a_posted_pay_run_is_never_changed(au):
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll = store.xero_orgs[0]["payroll"]
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    first = export_hours(ctx, conn, period=start)
    (app,) = payroll["LeaveApplications"]
    app["LeavePeriods"][0]["LeavePeriodStatus"] = "PROCESSED"  # the pay run was posted
    frozen = json.dumps(app, sort_keys=True)
    _thursday, friday = time_off(store, "Olivia Brown")
    edit(friday, duration=3.8 * 3600)
    preview = preview_hours(ctx, conn, start)
    (block,) = leave_blocks(preview, "Olivia Brown")
    assert block.action == "locked" and preview.plan.writes == 0
    assert any("pay run that is posted" in p.reason for p in preview.problems)
    result = export_hours(ctx, conn, period=start)
    assert result.run is None and result.as_json()["leave"]["locked"] == 1
    assert json.dumps(app, sort_keys=True) == frozen
    # deleted time off: still not touched, still said
    store.qbtime["timesheets"] = [t for t in store.qbtime["timesheets"] if t["id"] != friday["id"]]
    store.qbtime["timesheets"] = [
        t for t in store.qbtime["timesheets"] if t not in time_off(store, "Olivia Brown")
    ]
    preview = preview_hours(ctx, conn, start)
    assert [b.action for b in leave_blocks(preview, "Olivia Brown")] == ["locked"]
    assert any("no longer approved" in p.reason for p in preview.problems)
    # undo of the first export leaves the processed application alone, and says so
    undone = undo(ctx, conn, first.run.id)
    assert any("pay run Xero has posted" in x["what"] for x in undone.counts["left_alone"])
    assert json.dumps(app, sort_keys=True) == frozen


def test_uk_leave_edited_in_qbtime_is_updated_withdrawn_and_undone(uk):
    ctx, conn = uk
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT1)
    payroll = store.xero_orgs[1]["payroll"]
    link_holiday(conn)
    export_hours(ctx, conn, period=start)
    oliver = employee_id(store, 1, "Oliver Hughes")
    (leave,) = payroll["EmployeeLeave"][oliver]
    leave_id = leave["leaveID"]
    monday, tuesday = time_off(store, "Oliver Hughes")

    # Tuesday's time off is moved to Wednesday: same two days' hours, new dates
    tuesday_was = tuesday["date"]
    wednesday = (date.fromisoformat(tuesday_was) + timedelta(days=1)).isoformat()
    edit(tuesday, date=wednesday)
    preview = preview_hours(ctx, conn, start)
    # Monday and Wednesday are not consecutive: our leave keeps Monday (updated), Wednesday
    # is new leave
    update, create = sorted(leave_blocks(preview, "Oliver Hughes"), key=lambda b: b.action)[::-1]
    assert (update.action, create.action) == ("update", "create")
    assert update.xero_id == leave_id.lower()
    assert update.before == (monday["date"], tuesday_was, 15.0)
    assert (update.start, update.end, update.hours) == (monday["date"], monday["date"], 7.5)
    assert (create.start, create.hours) == (wednesday, 7.5)
    second = export_hours(ctx, conn, period=start)
    out = second.as_json()["leave"]
    assert out["updated"] == 1 and out["created"] == 1
    records = {x["leaveID"]: x for x in payroll["EmployeeLeave"][oliver]}
    assert (
        records[leave_id]["startDate"][:10] == records[leave_id]["endDate"][:10] == monday["date"]
    )
    assert records[leave_id]["periods"][0]["numberOfUnits"] == pytest.approx(7.5)
    (new_id,) = set(records) - {leave_id}
    assert records[new_id]["startDate"][:10] == wednesday
    assert export_hours(ctx, conn, period=start).run is None

    # both requests deleted: both records deleted (DELETE /Employees/{id}/Leave/{leaveID})
    store.qbtime["timesheets"] = [
        t for t in store.qbtime["timesheets"] if t["id"] not in (monday["id"], tuesday["id"])
    ]
    third = export_hours(ctx, conn, period=start)
    assert third.as_json()["leave"]["withdrawn"] == 2
    assert payroll["EmployeeLeave"][oliver] == []
    assert export_hours(ctx, conn, period=start).run is None

    # undo, newest first: the two records come back, then the update is reverted
    undo(ctx, conn, third.run.id)
    back = payroll["EmployeeLeave"][oliver]
    assert sorted((x["startDate"][:10], x["periods"][0]["numberOfUnits"]) for x in back) == [
        (monday["date"], pytest.approx(7.5)),
        (wednesday, pytest.approx(7.5)),
    ]


def test_uk_completed_leave_is_never_changed(uk):
    ctx, conn = uk
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT1)
    payroll = store.xero_orgs[1]["payroll"]
    link_holiday(conn)
    export_hours(ctx, conn, period=start)
    oliver = employee_id(store, 1, "Oliver Hughes")
    (leave,) = payroll["EmployeeLeave"][oliver]
    leave["periods"][0]["periodStatus"] = "Completed"
    frozen = json.dumps(leave, sort_keys=True)
    _monday, tuesday = time_off(store, "Oliver Hughes")
    edit(tuesday, duration=3 * 3600)
    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["leave"]["locked"] == 1
    assert "pay run that is posted" in reasons(result, "Oliver Hughes")
    assert json.dumps(leave, sort_keys=True) == frozen


# ---------------------------------------------------------------------------- nothing left
def touches(ts, start: date, end: date) -> bool:
    """Whether QuickBooks Time timesheet ``ts`` holds time on a day of start..end (a shift
    over midnight counts on both days)."""
    if ts["type"] == "manual" or not ts.get("start"):
        return start <= date.fromisoformat(ts["date"]) <= end
    zone = ZoneInfo(ts["tz_str"])
    first = datetime.fromisoformat(ts["start"]).astimezone(zone).date()
    stop = ts.get("end") or ts["start"]
    last = (datetime.fromisoformat(stop) - timedelta(seconds=1)).astimezone(zone).date()
    return first <= end and last >= max(first, start)


def remove_everything(store, name, start: date, end: date) -> int:
    """Someone's shifts and time off of start..end, and of the day either side (read with
    the period for shifts over midnight), deleted in QuickBooks Time (a time off request
    cancelled takes its timesheets with it): nothing of theirs is read for the period. How
    many timesheets went."""
    start, end = start - timedelta(days=1), end + timedelta(days=1)
    user = user_named(store, name)
    gone = {
        t["id"]
        for t in store.qbtime["timesheets"]
        if t["user_id"] == user["id"] and touches(t, start, end)
    }
    store.qbtime["timesheets"] = [t for t in store.qbtime["timesheets"] if t["id"] not in gone]
    for entry in store.qbtime.get("time_off_request_entries") or []:
        if entry.get("approved_timesheet_id") in gone:
            edit(entry, status="canceled", active=False, approved_timesheet_id=None)
    return len(gone)


def journal_of(run):
    return [
        (e.entity_kind, e.action, e.state)
        for e in JournalEntry.select().where(JournalEntry.run == run).order_by(JournalEntry.seq)
    ]


def test_au_nothing_left_in_the_period_empties_our_draft_and_withdraws_the_leave(au):
    """Hours and leave sent, then every shift and the time off of the period deleted in
    QuickBooks Time: the person has only a leave withdrawal left, and is still planned. The
    next send empties our draft (no hours are paid twice) and withdraws the leave (rejected),
    both journaled; undo puts back both the hours and the leave."""
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK2)
    end = start + timedelta(days=6)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll = store.xero_orgs[0]["payroll"]
    # the payroll officer deleted the approved timesheet in Xero: ours can be sent
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    first = export_hours(ctx, conn, period=start)
    assert first.as_json()["timesheets"]["created"] == 1
    assert first.as_json()["leave"]["created"] == 1
    (app,) = payroll["LeaveApplications"]
    sent_days = xero_sheets(store, 0, olivia)[start][1]
    assert sum(sent_days.values()) > 0

    assert remove_everything(store, "Olivia Brown", start, end) >= 3  # shifts and time off
    preview = preview_hours(ctx, conn, start)
    person = next(p for p in preview.people if p.name == "Olivia Brown")
    assert person.days == {} and person.action == "update"
    assert person.before and round(sum(person.before.values()), 2) == round(
        sum(sent_days.values()), 2
    )
    (block,) = leave_blocks(preview, "Olivia Brown")
    assert block.action == "withdraw" and block.hours == 0
    assert block.xero_id == app["LeaveApplicationID"].lower()
    assert preview.plan.writes == 2

    second = export_hours(ctx, conn, period=start)
    out = second.as_json()
    assert out["timesheets"]["updated"] == 1 and out["timesheets"]["created"] == 0
    assert out["leave"]["withdrawn"] == 1
    assert out["hours"]["regular"] == 0 and out["hours"]["leave"] == 0
    status, days = xero_sheets(store, 0, olivia)[start]
    assert status == "DRAFT" and days == {}  # our draft, emptied: nothing to pay twice
    assert len([t for t in payroll["Timesheets"] if t["EmployeeID"] == olivia]) == 1
    assert {p["LeavePeriodStatus"] for p in app["LeavePeriods"]} == {"REJECTED"}
    assert journal_of(second.run) == [
        ("xero_timesheet", "update", "done"),
        ("xero_leave", "delete", "done"),  # withdrawn: AU rejects it, UK deletes it
    ]
    assert not SentHours.select().where(SentHours.active == True).exists()  # noqa: E712
    assert export_hours(ctx, conn, period=start).run is None  # nothing twice

    # undo, newest first: the leave is sent again (a rejected application cannot be approved
    # again: a new one, as it was) and our draft gets its hours back
    undone = undo(ctx, conn, second.run.id)
    assert undone.counts["left_alone"] == []
    assert undone.counts["outcomes"]["reverted"] == {"timesheets": 1, "leave": 1}
    assert xero_sheets(store, 0, olivia)[start] == ("DRAFT", sent_days)
    (back,) = [
        a
        for a in payroll["LeaveApplications"]
        if a["LeaveApplicationID"] != app["LeaveApplicationID"]
    ]
    assert back["LeavePeriods"][0]["LeavePeriodStatus"] == "SCHEDULED"
    assert back["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(15.2)
    assert (parse_day(back["StartDate"]), parse_day(back["EndDate"])) == (
        start + timedelta(days=3),
        start + timedelta(days=4),
    )
    assert ImportRun.get_by_id(second.run.id).status == "undone"
    # QuickBooks Time still holds nothing: the next preview would empty and withdraw again
    again = preview_hours(ctx, conn, start)
    person = next(p for p in again.people if p.name == "Olivia Brown")
    assert person.action == "update" and person.days == {}
    assert [b.action for b in leave_blocks(again, "Olivia Brown")] == ["withdraw"]


def test_au_hours_all_deleted_after_sending_empty_our_draft(au):
    """Hours sent, then every shift of the period deleted in QuickBooks Time (no time off):
    the person is still in the preview and our draft is emptied, or Xero would pay hours
    QuickBooks Time no longer has; undo puts them back."""
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    olivia = employee_id(store, 0, "Olivia Brown")
    export_hours(ctx, conn, period=start)
    sent_days = xero_sheets(store, 0, olivia)[start][1]
    assert sum(sent_days.values()) > 30

    assert remove_everything(store, "Olivia Brown", start, end) >= 5
    preview = preview_hours(ctx, conn, start)
    person = next(p for p in preview.people if p.name == "Olivia Brown")
    assert (person.action, person.days, person.leave) == ("update", {}, [])
    assert round(sum(person.before.values()), 2) == round(sum(sent_days.values()), 2)
    second = export_hours(ctx, conn, period=start)
    assert second.as_json()["timesheets"]["updated"] == 1
    assert xero_sheets(store, 0, olivia)[start] == ("DRAFT", {})
    # emptied by sending each line it held at zero units, not an empty TimesheetLines (which
    # nothing says Xero takes as "no lines"; the simulator keeps the lines then)
    (sheet,) = au_drafts(store, olivia, start)
    assert sheet["TimesheetLines"] and all(
        not any(line["NumberOfUnits"]) for line in sheet["TimesheetLines"]
    )
    assert journal_of(second.run) == [("xero_timesheet", "update", "done")]
    again = preview_hours(ctx, conn, start)  # nothing twice: the empty draft is left alone
    assert "Olivia Brown" not in {p.name for p in again.people}
    assert export_hours(ctx, conn, period=start).run is None

    undo(ctx, conn, second.run.id)
    assert xero_sheets(store, 0, olivia)[start] == ("DRAFT", sent_days)


def test_au_export_hours_dry_run_says_what_our_draft_holds_in_xero_now(au):
    """``export-hours --dry-run`` on a draft of ours to be emptied (every shift deleted in
    QuickBooks Time after sending): the line says the hours our draft holds in Xero now, as the
    wizard's preview does, in English and in French; nothing is sent."""
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    olivia = employee_id(store, 0, "Olivia Brown")
    export_hours(ctx, conn, period=start)
    held = round(sum(xero_sheets(store, 0, olivia)[start][1].values()), 2)
    assert held > 30
    remove_everything(store, "Olivia Brown", start, start + timedelta(days=6))
    before = json.dumps(store.xero_orgs[0]["payroll"], sort_keys=True)

    said = io.StringIO()
    assert cmd_export_hours(ctx, Output(stream=said), None, start.isoformat(), True) == 0
    text = said.getvalue()
    assert (
        f"  Olivia Brown: 0 h — update of our draft timesheet (in Xero now: {held:g} h)\n" in text
    )
    assert "Timesheets: 0 created, 1 updated," in text
    # the other people's lines say no "in Xero now" (nothing of theirs is updated)
    assert text.count("in Xero now") == 1
    set_language("fr")
    try:
        said_fr = io.StringIO()
        assert cmd_export_hours(ctx, Output(stream=said_fr), None, start.isoformat(), True) == 0
    finally:
        set_language("en")
    assert (
        f"  Olivia Brown: 0 h — mise à jour de notre brouillon de feuille de temps "
        f"(dans Xero actuellement\u00a0: {held:g} h)\n"
    ) in said_fr.getvalue()
    assert json.dumps(store.xero_orgs[0]["payroll"], sort_keys=True) == before


def au_drafts(store, emp_id: str, start: date) -> list[dict]:
    return [
        t
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["EmployeeID"] == emp_id and parse_day(t["StartDate"]) == start
    ]


def test_au_hours_back_in_our_emptied_draft_undo_empties_it_again(au):
    """Our draft emptied (every shift deleted in QuickBooks Time), then the shifts back: the
    next send puts the hours in the same draft; undoing that send empties it again. The
    update's 'before' is no hours, and an AU update with an empty TimesheetLines is not known
    to clear anything (the simulator keeps the lines): undo sends each line at zero units."""
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    olivia = employee_id(store, 0, "Olivia Brown")
    export_hours(ctx, conn, period=start)
    sent_days = xero_sheets(store, 0, olivia)[start][1]
    kept = list(store.qbtime["timesheets"])
    assert remove_everything(store, "Olivia Brown", start, end) >= 5
    assert export_hours(ctx, conn, period=start).as_json()["timesheets"]["updated"] == 1
    assert xero_sheets(store, 0, olivia)[start] == ("DRAFT", {})

    store.qbtime["timesheets"] = kept  # the shifts are back
    back = export_hours(ctx, conn, period=start)
    assert back.as_json()["timesheets"]["updated"] == 1
    assert xero_sheets(store, 0, olivia)[start] == ("DRAFT", sent_days)
    (sheet,) = au_drafts(store, olivia, start)

    undo(ctx, conn, back.run.id)
    assert xero_sheets(store, 0, olivia)[start] == ("DRAFT", {})
    assert [t["TimesheetID"] for t in au_drafts(store, olivia, start)] == [sheet["TimesheetID"]]


def test_uk_nothing_left_in_the_period_empties_our_draft_and_withdraws_the_leave(uk):
    """The same on payroll 2.0: our draft's lines are deleted (it stays, an empty draft) and
    the leave is deleted; undo puts the lines and the leave back."""
    ctx, conn = uk
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT1)
    end = start + timedelta(days=13)
    payroll = store.xero_orgs[1]["payroll"]
    holiday = link_holiday(conn)
    first = export_hours(ctx, conn, period=start)
    assert first.as_json()["leave"]["created"] == 1
    oliver = employee_id(store, 1, "Oliver Hughes")
    (leave,) = payroll["EmployeeLeave"][oliver]
    sent_days = xero_sheets(store, 1, oliver)[start][1]
    assert sum(sent_days.values()) > 0
    sheet_id = next(
        t["timesheetID"]
        for t in payroll["Timesheets"]
        if t["employeeID"] == oliver and parse_day(t["startDate"]) == start
    )

    assert remove_everything(store, "Oliver Hughes", start, end) >= 3
    preview = preview_hours(ctx, conn, start)
    person = next(p for p in preview.people if p.name == "Oliver Hughes")
    assert person.days == {} and person.action == "update"
    (block,) = leave_blocks(preview, "Oliver Hughes")
    assert block.action == "withdraw" and block.xero_id == leave["leaveID"].lower()

    second = export_hours(ctx, conn, period=start)
    out = second.as_json()
    assert out["timesheets"]["updated"] == 1 and out["leave"]["withdrawn"] == 1
    assert xero_sheets(store, 1, oliver)[start] == ("Draft", {})  # the same draft, emptied
    assert [
        t["timesheetID"]
        for t in payroll["Timesheets"]
        if t["employeeID"] == oliver and parse_day(t["startDate"]) == start
    ] == [sheet_id]
    assert payroll["EmployeeLeave"][oliver] == []
    assert journal_of(second.run) == [
        ("xero_timesheet", "update", "done"),
        ("xero_leave", "delete", "done"),  # withdrawn: AU rejects it, UK deletes it
    ]
    assert export_hours(ctx, conn, period=start).run is None

    undone = undo(ctx, conn, second.run.id)
    assert undone.counts["left_alone"] == []
    assert undone.counts["outcomes"]["reverted"] == {"timesheets": 1, "leave": 1}
    assert xero_sheets(store, 1, oliver)[start] == ("Draft", sent_days)
    (back,) = payroll["EmployeeLeave"][oliver]
    assert back["leaveTypeID"] == holiday.leave_type_id
    assert back["startDate"][:10] == leave["startDate"][:10]
    assert back["endDate"][:10] == leave["endDate"][:10]
    assert back["periods"][0]["numberOfUnits"] == pytest.approx(15.0)
    assert ImportRun.get_by_id(second.run.id).status == "undone"


def test_a_twice_monthly_calendar_is_said_as_such_not_as_no_calendar(au):
    """AU TWICEMONTHLY (and NZ/UK TwiceMonthly) are valid Xero calendars whose periods this
    app cannot count. The export uses the most used calendar it can count, and lists the
    people paid on the other; with none it can count, it says so (before: 'this
    organisation has no payroll calendar', whole export refused)."""
    ctx, conn = au
    store = ctx.sandbox.store
    calendars = store.xero_orgs[0]["payroll"]["PayrollCalendars"]
    weekly = next(c for c in calendars if c["CalendarType"] == "WEEKLY")
    weekly["CalendarType"] = "TWICEMONTHLY"  # the calendar 15 of 16 employees are paid on
    store.save()
    start = shifted(store, AU_WEEK1)

    result = export_hours(ctx, conn, period=start + timedelta(days=3), dry_run=True)
    assert result.preview.period.calendar_name == "Fortnightly"
    people = {p.name: p for p in result.preview.people}
    said = " ".join(p.reason() for p in people["Olivia Brown"].left_out) + " ".join(
        r["reason"] for r in result.as_json()["problems"] if r["who"] == "Olivia Brown"
    )
    assert 'calendar "Weekly" has periods this app cannot count' in said

    for cal in calendars:
        cal["CalendarType"] = "TWICEMONTHLY"
    store.save()
    with pytest.raises(BridgeError) as err:
        export_hours(ctx, conn, period=start, dry_run=True)
    en, fr = err.value.user_message("en"), err.value.user_message("fr")
    assert (
        "Weekly (TWICEMONTHLY)" in en and "cannot count" in en and "no payroll calendar" not in en
    )
    assert "Weekly (TWICEMONTHLY)" in fr and fr != en
