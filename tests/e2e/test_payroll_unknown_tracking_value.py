"""Payroll (AU): hours whose timesheet holds a value of the timesheet tracking category's
QuickBooks Time field that no Xero option was ever linked to (an item added by hand in
QuickBooks Time). They are still sent, without that category, and the preview says so, with
the hours and what to do, on the command line and in the window's list of problems (billing
says the same of its lines: core.engine.invoicing.UNKNOWN_OPTION). Before, the hours lost
their category silently."""

from __future__ import annotations

import io
from datetime import timedelta

import requests

from core.app.cli import Output, cmd_export_hours
from core.app.payroll import export_hours, preview_hours
from core.i18n import tr
from core.sandbox.xero_payroll import parse_day
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
from tests.e2e.test_renamed_in_xero_payroll import _two_shifts


def _hunter_valley_shift(ctx):
    """An approved shift of Olivia Brown's first week tagged "Hunter Valley": an item a user
    added to the Region field in QuickBooks Time, linked to no Xero option."""
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    end = start + timedelta(days=6)
    field = next(f for f in store.qbtime["customfields"] if f["name"] == "Region" and f["active"])
    resp = requests.post(
        f"{ctx.sandbox.qbtime_base}/customfielditems",
        json={"data": [{"customfield_id": int(field["id"]), "name": "Hunter Valley"}]},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    first, _second = _two_shifts(store, user_named(store, "Olivia Brown"), start, end)
    set_custom_field(ctx, first["id"], field["id"], "Hunter Valley")
    return start, end, first


def _said(hours: float, language: str = "en") -> str:
    return tr(
        'The value "{option}" of "{category}" on {hours} h of work is linked to no option of '
        "that Xero tracking category, so those hours are sent without one: pick one of its "
        "options on those timesheets in QuickBooks Time, then send again.",
        language,
        option="Hunter Valley",
        category="Region",
        hours=round(hours, 2),
    )


def test_a_value_no_option_has_is_said_and_its_hours_sent_without_it(au):  # noqa: F811
    ctx, conn = au
    store = ctx.sandbox.store
    start, end, shift = _hunter_valley_shift(ctx)
    hours = shift["duration"] / 3600

    preview = preview_hours(ctx, conn, start)
    olivia = next(p for p in preview.people if p.name == "Olivia Brown")
    assert olivia.action == "create"  # (still sent)
    reasons = [p.reason for p in preview.problems if p.who == "Olivia Brown"]
    assert reasons == [_said(hours)]
    assert "Hunter Valley" in _said(hours, "fr") and "envoyées sans option" in _said(hours, "fr")

    # the command line's dry run lists it under "To look at", with the hours
    text = io.StringIO()
    assert cmd_export_hours(ctx, Output(stream=text), None, start.isoformat(), True) == 0
    assert f"  - Olivia Brown: {_said(hours)}" in text.getvalue().splitlines()

    # sent: every approved hour in Xero, those without a tracking item
    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["timesheets"]["created"] == 1
    emp = employee_id(store, 0, "Olivia Brown")
    assert_same_hours(
        xero_sheets(store, 0, emp)[start][1], approved_hours(store, "Olivia Brown", start, end)
    )
    [sheet] = [
        t
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["EmployeeID"] == emp and parse_day(t["StartDate"]) == start
    ]
    assert not any(ln.get("TrackingItemID") for ln in sheet["TimesheetLines"])
