"""The "Bill time in Xero" page reads "today" on the organisation's calendar, as the payroll
page does (an auditor's finding): the range it proposes ("last full month", "up to
yesterday") and its check "These days have not come yet" followed the computer's date.

The organisation's clock is set 40 days ahead of the computer's (``timezones._now``), so
the two calendars differ by more than a month whatever the real date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.services.xero import timezones
from wizard.billing_dates import default_billing_range
from wizard.pages.billing_range import BillingRangePage, from_qdate, last_billed_until, to_qdate
from wizard.state import PageId, WizardState

WAIT = 20000
AHEAD = timedelta(days=40)


def _org_clock_ahead(monkeypatch) -> date:
    """The organisation's clock 40 days ahead; its today (Sydney: the Demo Company's zone)."""
    monkeypatch.setattr(timezones, "_now", lambda: datetime.now(UTC) + AHEAD)
    return (datetime.now(UTC) + AHEAD).astimezone(timezones.ZoneInfo("Australia/Sydney")).date()


def _page(connected_env, host, qtbot) -> BillingRangePage:
    ctx, _box, _tenants, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    wiz = host(state, {PageId.BILL_RANGE: BillingRangePage})
    page = wiz.pages[PageId.BILL_RANGE]
    qtbot.waitUntil(lambda: page._defaults_set, timeout=WAIT)
    return page


def test_the_range_proposed_is_on_the_organisation_s_calendar(
    connected_env, host, qtbot, monkeypatch
):
    org_today = _org_clock_ahead(monkeypatch)
    _ctx, _box, _tenants, conn = connected_env
    assert last_billed_until(conn.id)[2] == org_today  # the page's worker reads it
    page = _page(connected_env, host, qtbot)
    start, end = default_billing_range(org_today)  # its last full month
    assert (from_qdate(page.start_edit.date()), from_qdate(page.end_edit.date())) == (start, end)
    assert end >= date.today()  # (a month the computer's calendar has not finished)
    assert page.range_error() == ""
    assert page.ready()


def test_days_that_have_come_for_the_organisation_can_be_billed(
    connected_env, host, qtbot, monkeypatch
):
    org_today = _org_clock_ahead(monkeypatch)
    page = _page(connected_env, host, qtbot)
    # days after the computer's today, but before the organisation's
    page.start_edit.setDate(to_qdate(org_today - timedelta(days=3)))
    page.end_edit.setDate(to_qdate(org_today - timedelta(days=1)))
    assert page.range_error() == ""
    assert not page.error_label.isVisibleTo(page)
    # a day after the organisation's today has not come yet
    page.end_edit.setDate(to_qdate(org_today + timedelta(days=2)))
    page.start_edit.setDate(to_qdate(org_today + timedelta(days=1)))
    assert "have not come yet" in page.range_error()
    assert not page.ready()
