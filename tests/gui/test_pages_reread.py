"""Pages that read again what they show each time they are entered, in a window left open (an
auditor's findings): after switching business, "Send hours to Xero" listed the other
business's pay periods (and Preview then failed on a calendar this organisation does not
have); a period that ended while the window stayed open was still "(not ended yet)"; "Bill
time in Xero" proposed again the days of its first visit, not the days since the last billing
run, nor the other business's days after a switch, nor those of a new day.

Driven in the real window on the Demo Company with two payroll businesses (AU and UK).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero
from core.app.connections import demo_qbtime_key
from core.app.invoicing import bill_time, billing_today, turn_invoicing_on
from core.app.payroll import pay_periods
from core.app.sync import sync
from core.services.auth.xero_oauth import demo_consent_opener
from core.store.models import Connection
from wizard.billing_dates import default_billing_range
from wizard.i18n import install_language
from wizard.pages.billing_range import BillingRangePage, from_qdate, to_qdate
from wizard.pages.home import HomePage
from wizard.pages.payroll_period import PayrollPeriodPage
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 30000
QUIET = Output(as_json=True, stream=open("/dev/null", "w"))
UK = "Maison Verdure UK"


@pytest.fixture
def two_businesses(connected_env):
    """AU (connected first, imported, signed in for invoicing too) and UK, with its own
    QuickBooks Time account: (ctx, box, au, uk)."""
    ctx, box, tenants, au = connected_env
    ctx.sleep = lambda s: None
    sync(ctx, au)  # (customers linked: hours can be billed)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)  # AU, with the invoices permission
    ctx.opener = demo_consent_opener([tenants["UK"]])
    cmd_connect_qbtime(ctx, QUIET, demo_qbtime_key(ctx))
    assert cmd_connect_xero(ctx, QUIET, UK, None) == 0
    uk = Connection.get(Connection.xero_tenant_name == UK)
    return ctx, box, au, uk


def _window(ctx, conn, qtbot, language="en"):
    install_language(language)
    state = WizardState(ctx, language=language, country="AU", connection_id=conn.id)
    wiz = BridgeWizard(state, already_set_up=True)
    qtbot.addWidget(wiz, before_close_func=lambda w: w.tasks.wait(WAIT))
    wiz.show()
    home = wiz.pages[PageId.HOME]
    assert isinstance(home, HomePage)
    qtbot.waitUntil(lambda: not home.busy and home._info is not None, timeout=WAIT)
    return wiz, home


def _home_again(wiz, home, qtbot):
    wiz.restart_at(PageId.HOME)
    qtbot.waitUntil(
        lambda: wiz.currentId() == int(PageId.HOME) and not home.busy and home._info is not None,
        timeout=WAIT,
    )


def _switch(wiz, home, qtbot, conn):
    business = next(b for b in home._businesses if b.connection_id == conn.id)
    home.show_business(business)
    qtbot.waitUntil(lambda: not home.busy and home._info is not None, timeout=WAIT)
    assert wiz.state.connection_id == conn.id


def _period_page(wiz, home, qtbot) -> PayrollPeriodPage:
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.PAYROLL_PERIOD), timeout=WAIT)
    page = wiz.pages[PageId.PAYROLL_PERIOD]
    assert isinstance(page, PayrollPeriodPage)
    qtbot.waitUntil(lambda: not page.busy and page._loaded, timeout=WAIT)
    return page


def _listed(page: PayrollPeriodPage) -> list[tuple[str, date, date]]:
    return [(p.calendar_id, p.start, p.end) for p in page._periods]


def _of(ctx, conn) -> list[tuple[str, date, date]]:
    return [(p.calendar_id, p.start, p.end) for p in pay_periods(ctx, conn)]


def _range_page(wiz, home, qtbot) -> BillingRangePage:
    qtbot.waitUntil(lambda: not home.busy and home.bill_button.isVisible(), timeout=WAIT)
    qtbot.mouseClick(home.bill_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_RANGE), timeout=WAIT)
    page = wiz.pages[PageId.BILL_RANGE]
    assert isinstance(page, BillingRangePage)
    qtbot.waitUntil(lambda: page._defaults_set and not wiz.tasks.busy(), timeout=WAIT)
    return page


def _range(page: BillingRangePage) -> tuple[date, date]:
    return from_qdate(page.start_edit.date()), from_qdate(page.end_edit.date())


def _bill_hours(ctx, box, conn) -> date:
    """Bill the days with hours up to 5 days ago (the last billing run): its last day."""
    until = billing_today(conn) - timedelta(days=5)
    days = sorted(date.fromisoformat(t["date"]) for t in box.store.qbtime["timesheets"])
    assert days[0] < until
    result = bill_time(ctx, conn, start=days[0], end=until)
    assert result.run is not None and result.run.status == "done"
    return until


def test_send_hours_lists_the_periods_of_the_business_switched_to(two_businesses, qtbot):
    ctx, _box, au, uk = two_businesses
    assert {c for c, _s, _e in _of(ctx, au)}.isdisjoint({c for c, _s, _e in _of(ctx, uk)})
    wiz, home = _window(ctx, au, qtbot)
    page = _period_page(wiz, home, qtbot)
    assert _listed(page) == _of(ctx, au)
    page.periods.setCurrentRow(1)  # the user's pick: AU's, not carried to UK

    _home_again(wiz, home, qtbot)
    _switch(wiz, home, qtbot, uk)
    page = _period_page(wiz, home, qtbot)
    assert _listed(page) == _of(ctx, uk)  # UK's calendars, not AU's
    assert page.periods.count() == len(page._periods)
    assert page.periods.currentRow() == page.default_index()
    assert "suggested" in page.periods.currentItem().text()

    # and Preview reads UK's period (before: "Xero has no pay calendar "…" whose periods…")
    qtbot.mouseClick(wiz.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD) or page.banner.isVisible(),
        timeout=WAIT,
    )
    assert not page.banner.isVisible(), page.banner.label.text()
    assert wiz.state.payroll_preview is not None


def test_a_period_that_ended_while_the_window_stayed_open_is_suggested(
    two_businesses, qtbot, monkeypatch
):
    ctx, _box, au, _uk = two_businesses
    newest = max(pay_periods(ctx, au), key=lambda p: p.end)
    # the organisation's today: within its newest period, then the day after that ends
    today = {"day": newest.end}
    monkeypatch.setattr("core.app.payroll.org_today", lambda _conn: today["day"])
    wiz, home = _window(ctx, au, qtbot)
    page = _period_page(wiz, home, qtbot)
    rows = [p.end for p in page._periods]
    newest_row = rows.index(newest.end)
    assert "(not ended yet)" in page.periods.item(newest_row).text()
    assert page.chosen().end < newest.end  # the one before it suggested

    _home_again(wiz, home, qtbot)
    today["day"] = newest.end + timedelta(days=1)
    page = _period_page(wiz, home, qtbot)
    row = next(
        i for i, p in enumerate(page._periods) if (p.start, p.end) == (newest.start, newest.end)
    )
    assert "(not ended yet)" not in page.periods.item(row).text()
    assert page.chosen().end == newest.end  # now the last one that has ended
    assert "suggested" in page.periods.currentItem().text()

    # a period the user picked stays picked when they come back, if it is still there
    oldest = len(page._periods) - 1
    page.periods.setCurrentRow(oldest)
    picked = page.chosen()
    _home_again(wiz, home, qtbot)
    page = _period_page(wiz, home, qtbot)
    assert page.chosen() == picked
    assert "suggested" not in page.periods.currentItem().text()


def test_bill_time_again_proposes_the_days_since_the_last_billing(two_businesses, qtbot):
    ctx, box, au, _uk = two_businesses
    today = billing_today(au)
    wiz, home = _window(ctx, au, qtbot)
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == default_billing_range(today)  # nothing billed yet: last month

    billed_to = _bill_hours(ctx, box, au)  # billed meanwhile (this window, or the CLI)
    _home_again(wiz, home, qtbot)
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == (billed_to + timedelta(days=1), today - timedelta(days=1))
    assert "never billed twice" in page.range_note.text()

    # days typed on a visit are the user's for that visit only: Home, then Bill time again,
    # proposes afresh
    page.start_edit.setDate(to_qdate(today - timedelta(days=3)))
    page.end_edit.setDate(to_qdate(today - timedelta(days=2)))
    _home_again(wiz, home, qtbot)
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == (billed_to + timedelta(days=1), today - timedelta(days=1))


def test_bill_time_proposes_the_days_of_the_business_switched_to(two_businesses, qtbot):
    ctx, box, au, uk = two_businesses
    today = billing_today(au)
    billed_to = _bill_hours(ctx, box, au)
    wiz, home = _window(ctx, au, qtbot)
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == (billed_to + timedelta(days=1), today - timedelta(days=1))

    _home_again(wiz, home, qtbot)
    _switch(wiz, home, qtbot, uk)
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == default_billing_range(billing_today(uk))  # UK: never billed
    assert "never billed twice" not in page.range_note.text()


def test_bill_time_on_a_new_day_proposes_that_day_s_range(two_businesses, qtbot, monkeypatch):
    ctx, _box, au, _uk = two_businesses
    day = {"today": date(2026, 11, 20)}
    monkeypatch.setattr("core.app.invoicing.billing_today", lambda _conn: day["today"])
    wiz, home = _window(ctx, au, qtbot)
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == (date(2026, 10, 1), date(2026, 10, 31))
    _home_again(wiz, home, qtbot)
    day["today"] = date(2026, 12, 2)  # the window stayed open into December
    page = _range_page(wiz, home, qtbot)
    assert _range(page) == (date(2026, 11, 1), date(2026, 11, 30))


def test_days_typed_are_kept_back_from_the_preview(two_businesses, qtbot):
    ctx, _box, au, _uk = two_businesses
    today = billing_today(au)
    wiz, home = _window(ctx, au, qtbot)
    page = _range_page(wiz, home, qtbot)
    typed = (today - timedelta(days=20), today - timedelta(days=5))
    page.start_edit.setDate(to_qdate(typed[0]))
    page.end_edit.setDate(to_qdate(typed[1]))
    qtbot.mouseClick(wiz.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_PREVIEW), timeout=WAIT)
    qtbot.waitUntil(lambda: not wiz.currentPage().busy, timeout=WAIT)
    wiz.back()
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_RANGE), timeout=WAIT)
    qtbot.wait(200)
    assert _range(page) == typed
