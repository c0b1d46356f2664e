"""UK statutory leave types (``isStatutoryLeave``: "Statutory Sick Leave"…) are never sent as
employee leave in hours: Xero takes them through ``POST /StatutoryLeaves/Sick`` with a work
pattern and notice (specs/xero/xero-payroll-uk.yaml), entered in Xero Payroll.

Time off on a code linked to one is listed, with what to do; the import does not link a
time-off code to one (it says why), and "Link leave types" does not offer them.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from core.app.payroll import export_hours
from core.app.sync import current_plan, sync
from core.engine.leave import leave_link_rows, save_leave_links
from core.i18n import tr
from core.services.fetch import load_snapshot
from tests.e2e.test_payroll_export import employee_id, shifted

UK = 1
# (dates are resources/demo/README.md's: ``shifted`` moves them as the simulator did)
SICK_DAYS = (date(2026, 11, 18), date(2026, 11, 19))


@pytest.fixture
def uk_sick(demo_ctx, monkeypatch):
    """UK: the user linked "Sick Leave" to "Statutory Sick Leave" (and "Annual Leave" to
    "Holiday"); Sophie Turner is off sick two days of the fortnight 16-29 Nov."""
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    snap = load_snapshot(conn)
    codes = {j.name: j.id for j in snap.jobcodes if j.type == "pto"}
    kinds = {lt.name: lt.leave_type_id for lt in snap.leave_types}
    save_leave_links(
        conn,
        {
            kinds["Statutory Sick Leave"]: codes["Sick Leave"],
            kinds["Holiday"]: codes["Annual Leave"],
        },
        snap.leave_types,
    )
    sophie = next(u for u in store.qbtime["users"] if u["first_name"] == "Sophie")
    days = {shifted(store, d).isoformat() for d in SICK_DAYS}
    template = next(t for t in store.qbtime["timesheets"] if t["jobcode_id"] in codes.values())
    store.qbtime["timesheets"] = [
        t
        for t in store.qbtime["timesheets"]
        if not (t["user_id"] == sophie["id"] and t["date"] in days)
    ]
    for i, day in enumerate(sorted(days)):
        sick = copy.deepcopy(template)
        sick.update(
            id=99000001 + i,
            user_id=sophie["id"],
            jobcode_id=codes["Sick Leave"],
            date=day,
            duration=7 * 3600,
        )
        store.qbtime["timesheets"].append(sick)
    for user in store.qbtime["users"]:
        user["approved_to"] = user["submitted_to"] = shifted(store, date(2026, 11, 30)).isoformat()
    store.save()
    monkeypatch.setattr("core.app.payroll.org_today", lambda _c: shifted(store, date(2026, 12, 1)))
    return ctx, conn, kinds["Statutory Sick Leave"], shifted(store, date(2026, 11, 20))


def _sophie_leave(store):
    eid = employee_id(store, UK, "Sophie Turner")
    return store.xero_orgs[UK]["payroll"].get("EmployeeLeave", {}).get(eid) or []


def test_time_off_on_a_statutory_leave_type_is_listed_not_sent(uk_sick):
    ctx, conn, statutory_id, day = uk_sick
    store = ctx.sandbox.store
    result = export_hours(ctx, conn, period=day)

    assert not _sophie_leave(store)  # nothing sent as employee leave
    sophie = next(p for p in result.preview.people if p.name == "Sophie Turner")
    assert sophie.days  # her work is sent
    left = [x for x in sophie.left_out if "statutory leave" in x.reason()]
    assert sorted(x.day for x in left) == [shifted(store, d).isoformat() for d in SICK_DAYS]
    assert all(x.hours == pytest.approx(7.0) for x in left)
    assert "enter it in Xero Payroll" in left[0].reason()
    why = " ".join(p.reason for p in result.preview.problems if p.who == "Sophie Turner")
    assert '"Sick Leave" (14.0 h) was not sent' in why
    assert "statutory sick leave needs a work pattern and the notice Xero asks for" in why
    said = tr(left[0].message, "fr")
    assert said != left[0].reason() and "Xero Payroll" in said
    leave = store.xero_orgs[UK]["payroll"].get("EmployeeLeave", {}).values()
    assert not any(x["leaveTypeID"] == statutory_id for rows in leave for x in rows)


def test_statutory_leave_sent_before_is_left_as_it_is(uk_sick, monkeypatch):
    ctx, conn, statutory_id, day = uk_sick
    store = ctx.sandbox.store
    # as the app did before it held statutory leave back: sent as employee leave
    monkeypatch.setattr("core.app.payroll.is_statutory", lambda _lt: False, raising=False)
    export_hours(ctx, conn, period=day)
    (sent,) = _sophie_leave(store)
    assert sent["leaveTypeID"] == statutory_id
    kept = copy.deepcopy(sent)

    monkeypatch.undo()
    monkeypatch.setattr("core.app.payroll.org_today", lambda _c: shifted(store, date(2026, 12, 1)))
    result = export_hours(ctx, conn, period=day)
    assert _sophie_leave(store) == [kept]  # neither withdrawn nor changed
    assert result.as_json()["leave"]["withdrawn"] == 0
    why = " ".join(p.reason for p in result.preview.problems if p.who == "Sophie Turner")
    assert "before this app stopped sending statutory leave" in why


def test_the_import_links_no_time_off_code_to_statutory_leave(demo_ctx):
    ctx, conn = demo_ctx("UK")
    store = ctx.sandbox.store
    template = next(j for j in store.qbtime["jobcodes"] if j["type"] == "pto")
    same_name = copy.deepcopy(template)
    same_name.update(id=99000077, name="Statutory Sick Leave")
    store.qbtime["jobcodes"].append(same_name)  # a code with the statutory type's name
    store.save()
    result = sync(ctx, conn)
    snap, plan = current_plan(conn)
    statutory = next(lt for lt in snap.leave_types if lt.name == "Statutory Sick Leave")
    assert not any(a.xero_id == statutory.leave_type_id for a in result.plan.actions)
    (skipped,) = [s for s in plan.skipped if s.xero_id == statutory.leave_type_id]
    assert "statutory leave" in tr(skipped.reason, "en")
    assert tr(skipped.reason, "fr") != tr(skipped.reason, "en")
    rows = {r.name for r in leave_link_rows(conn, snap)}
    assert "Holiday" in rows
    assert not rows & {"Statutory Sick Leave", "Statutory Maternity Leave"}
