"""The send-hours preview says a person's own pay period beside their name when it is not the
page's (they are paid on another Xero calendar): nobody's hours go to another period than
the one shown. On the Demo Company's AU organisation, Olivia Brown moved to the Fortnightly
calendar, a Weekly period chosen in the list (wizard/pages/payroll_preview.py)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from wizard.pages.payroll_period import period_text
from wizard.state import PageId

from .test_payroll_pages import WAIT, _cells, _click_next, _imported, _page, _window


def test_a_person_on_another_calendar_has_their_period_beside_their_name(
    connected_env, qtbot, monkeypatch
):
    ctx, box, _t, conn = connected_env
    _imported(ctx, conn)
    store = box.store
    org = next(o for o in store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)
    payroll = org["payroll"]
    fortnightly = next(c for c in payroll["PayrollCalendars"] if c["Name"] == "Fortnightly")
    for emp in payroll["Employees"]:
        if (emp["FirstName"], emp["LastName"]) == ("Olivia", "Brown"):
            emp["PayrollCalendarID"] = fortnightly["PayrollCalendarID"]
    store.save()
    moved = int(store.qbtime.get("demo_shift_days") or 0)

    def shifted(day: date) -> date:
        return date.fromordinal(day.toordinal() + moved)

    # the organisation's today: the Tuesday after the hours' second week
    monkeypatch.setattr("core.app.payroll.org_today", lambda _conn: shifted(date(2026, 12, 1)))
    week = (shifted(date(2026, 11, 23)), shifted(date(2026, 11, 29)))
    fortnight = (shifted(date(2026, 11, 16)), shifted(date(2026, 11, 29)))

    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    period_page = _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    row = next(
        i
        for i, p in enumerate(period_page._periods)
        if p.calendar_name == "Weekly" and (p.start, p.end) == week
    )
    period_page.periods.setCurrentRow(row)
    _click_next(wiz, qtbot)
    qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD), timeout=WAIT)
    if wiz.currentId() == int(PageId.PAYROLL_PROBLEMS):
        _click_next(wiz, qtbot)
    page = _page(wiz, qtbot, PageId.PAYROLL_PREVIEW)

    assert period_text(*week) in page.subTitle()  # the Weekly period chosen
    who = _cells(page.table, 0)
    olivia = next(text for text in who if text.startswith("Olivia Brown"))
    assert olivia == "Olivia Brown\nFortnightly: " + period_text(*fortnight)
    # the people paid on the chosen period's calendar have no period of their own beside them
    noah = next(text for text in who if text.startswith("Noah Williams"))
    assert noah == "Noah Williams"
