"""Payroll (AU): hours tagged with a timesheet tracking option that was renamed in Xero since.

A QuickBooks Time timesheet holds the NAME its custom field item had when it was picked
(references/qbtime-api.md §6). The import renames the option's item in place; the hours tagged
before keep the old name, and still go on the line of the linked option (they lost it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.app.payroll import export_hours
from core.app.sync import sync, undo
from core.sandbox.xero_payroll import parse_day
from core.store.models import Link, QBTRecord
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    approved_hours,
    assert_same_hours,
    au,  # noqa: F401 (the fixture)
    employee_id,
    set_custom_field,
    shifted,
    user_named,
    xero_sheets,
)


def _two_shifts(store, user, start, end):
    """Two approved clocked-out shifts of ``user`` in start..end, each within one day."""

    def zone_day(t, key):
        return datetime.fromisoformat(t[key]).astimezone(ZoneInfo(t["tz_str"])).date()

    return sorted(
        (
            t
            for t in store.qbtime["timesheets"]
            if t["user_id"] == user["id"]
            and t["type"] == "regular"
            and not t.get("on_the_clock")
            and start.isoformat() <= t["date"] <= min(user["approved_to"], end.isoformat())
            and zone_day(t, "start") == zone_day(t, "end")
        ),
        key=lambda t: (t["date"], t["start"]),
    )[:2]


def test_hours_tagged_with_a_renamed_option_keep_their_tracking_item(au):  # noqa: F811
    ctx, conn = au
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    org = store.xero_orgs[0]
    region = next(c for c in org["TrackingCategories"] if c["Name"] == "Region")
    option = next(o for o in region["Options"] if o["Name"] == "Sydney North")
    field = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn)
            & (Link.kind == "tracking_category")
            & (Link.xero_id == region["TrackingCategoryID"])
        )
    )
    user = user_named(store, "Olivia Brown")
    first, second = _two_shifts(store, user, start, end)
    set_custom_field(ctx, first["id"], field, "Sydney North")

    # renamed in Xero, imported again: QuickBooks Time's item is renamed in place
    with store.lock:
        option["Name"] = "Sydney North Shore"
        store.save("xero")
    rename = sync(ctx, conn)
    item = next(
        r
        for r in QBTRecord.select().where(
            (QBTRecord.connection == conn)
            & (QBTRecord.kind == "customfielditem")
            & (QBTRecord.parent_id == field)
        )
        if r.name.startswith("Sydney North")
    )
    assert item.name == "Sydney North Shore"
    olivia = employee_id(store, 0, "Olivia Brown")
    expected = approved_hours(store, "Olivia Brown", start, end)

    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["timesheets"]["created"] == 1
    assert _tracked(org, olivia, start) == {
        option["TrackingOptionID"].lower(): _units(start, first)
    }
    assert_same_hours(xero_sheets(store, 0, olivia)[start][1], expected)

    # tagged with the new name, then the rename undone: both names are the option's
    set_custom_field(ctx, second["id"], field, "Sydney North Shore")
    undo(ctx, conn, rename.run.id)
    assert QBTRecord.get_by_id(item.id).name == "Sydney North"
    again = export_hours(ctx, conn, period=start)
    assert again.as_json()["timesheets"]["updated"] == 1
    assert _tracked(org, olivia, start) == {
        option["TrackingOptionID"].lower(): _units(start, first, second)
    }
    assert_same_hours(xero_sheets(store, 0, olivia)[start][1], expected)


def _tracked(org, employee, start):
    """The employee's timesheet of ``start``: tracking item id -> its units per day."""
    [sheet] = [
        t
        for t in org["payroll"]["Timesheets"]
        if t["EmployeeID"] == employee and parse_day(t["StartDate"]) == start
    ]
    return {
        ln["TrackingItemID"]: [round(u, 2) for u in ln["NumberOfUnits"]]
        for ln in sheet["TimesheetLines"]
        if ln.get("TrackingItemID")
    }


def _units(start, *shifts):
    out = [0.0] * 7
    for shift in shifts:
        out[(date.fromisoformat(shift["date"]) - start).days] += shift["duration"] / 3600
    return [round(u, 2) for u in out]
