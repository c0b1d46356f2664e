"""What ``bill-time`` and ``export-hours`` say when they sent nothing: "Xero already has these
hours" only when it has them; when the problems listed kept every hour back, that; when the
range holds no hours at all, that. In English and in French, on the Demo Company."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from core.app.cli import Output, cmd_bill_time, cmd_connect_xero, cmd_export_hours
from core.app.invoicing import turn_invoicing_on
from core.app.sync import sync
from core.i18n import set_language

ALREADY_BILLED = "Nothing new to bill: Xero already has these hours."
ALREADY_SENT = "Nothing new to send: Xero already has these hours."
BILLED_AND_KEPT_BACK = (
    "Nothing new to bill: Xero already has the hours that could be billed; the others are "
    'not billed, for the reasons under "To look at" above.'
)
SENT_AND_KEPT_BACK = (
    "Nothing new to send: Xero already has the hours that could be sent; the others are not "
    'sent, for the reasons under "To look at" above.'
)
NOTHING_BILLED = 'Nothing was billed: see what to do under "To look at" above.'
NOTHING_SENT = 'Nothing was sent: see what to do under "To look at" above.'
AU_WEEK1 = date(2026, 11, 16)


def hours_range(ctx):
    days = sorted(t["date"] for t in ctx.sandbox.store.qbtime["timesheets"])
    return days[0], days[-1]


def bill(ctx, start, end, language="en"):
    said = io.StringIO()
    set_language(language)
    try:
        code = cmd_bill_time(ctx, Output(stream=said), None, start, end, False)
    finally:
        set_language("en")
    assert code == 0
    return said.getvalue()


def send(ctx, period, language="en"):
    said = io.StringIO()
    set_language(language)
    try:
        code = cmd_export_hours(ctx, Output(stream=said), None, period, False)
    finally:
        set_language("en")
    assert code == 0
    return said.getvalue()


def last_line(text):
    return text.strip().splitlines()[-1]


def test_bill_time_with_no_customer_linked_says_nothing_was_billed(demo_ctx):
    """Before the first import no customer is linked: every customer's hours are listed as
    not billed, and Xero has no invoice at all. The old closing sentence said Xero already
    had these hours."""
    ctx, _conn = demo_ctx("AU")
    start, end = hours_range(ctx)
    text = bill(ctx, start, end)
    assert "To look at:" in text
    assert "already has" not in text
    assert last_line(text) == NOTHING_BILLED
    assert not [i for o in ctx.sandbox.store.xero_orgs for i in o.get("Invoices", [])]
    french = bill(ctx, start, end, "fr")
    assert "déjà" not in french
    assert (
        last_line(french)
        == "Rien n’a été facturé\u00a0: voyez quoi faire sous «\u00a0À examiner\u00a0» ci-dessus."
    )


def test_bill_time_of_days_without_hours_says_there_are_none(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    text = bill(ctx, "2001-03-01", "2001-03-31")
    assert "To look at:" not in text and "already has" not in text
    assert last_line(text) == (
        "There are no billable hours in QuickBooks Time from 2001-03-01 to 2001-03-31: "
        "nothing was billed."
    )
    assert last_line(bill(ctx, "2001-03-01", "2001-03-31", "fr")) == (
        "Il n’y a aucune heure facturable dans QuickBooks Time du 2001-03-01 au 2001-03-31"
        "\u00a0: rien n’a été facturé."
    )


@pytest.fixture
def billed_once(demo_ctx):
    """The Demo Company imported and its hours billed once (invoicing's sign-in made)."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, Output(as_json=True, stream=io.StringIO()), None, None)
    start, end = hours_range(ctx)
    first = bill(ctx, start, end)
    assert "To take it back: undo" in first
    return ctx, conn, start, end


def test_bill_time_again_says_xero_has_the_hours_and_what_it_kept_back(billed_once):
    ctx, _conn, start, end = billed_once
    text = bill(ctx, start, end)
    # the Demo Company's traps (hours not approved…) stay listed: the sentence says both
    assert "To look at:" in text
    assert last_line(text) == BILLED_AND_KEPT_BACK
    assert last_line(bill(ctx, start, end, "fr")).startswith(
        "Rien de nouveau à facturer\u00a0: Xero a déjà les heures qui pouvaient être facturées"
    )


def test_bill_time_of_hours_on_approved_invoices_says_xero_has_them(billed_once):
    """Hours billed on invoices approved since are in no plan at all (never billed twice):
    Xero has them, and only them in a range of their days with nothing else to look at."""
    ctx, _conn, _start, _end = billed_once
    invoices = [i for o in ctx.sandbox.store.xero_orgs for i in o.get("Invoices", [])]
    assert invoices
    for inv in invoices:
        inv["Status"] = "AUTHORISED"
    ctx.sandbox.store.save()
    days = sorted(
        t["date"] for t in ctx.sandbox.store.qbtime["timesheets"]
    )  # a day of billed hours alone: find one whose bill-time lists nothing to look at
    for day in days:
        text = bill(ctx, day, day)
        if "To look at:" not in text and "Invoices: 0 created, 0 updated, 0 unchanged" in text:
            break
    else:
        pytest.fail("no day of the Demo Company is billed with nothing to look at")
    assert last_line(text) == ALREADY_BILLED


def test_export_hours_with_no_employee_linked_says_nothing_was_sent(demo_ctx):
    """Before the first import no employee is linked: every person's hours are listed as not
    sent. The old closing sentence said Xero already had these hours."""
    ctx, _conn = demo_ctx("AU")
    period = shifted(ctx, AU_WEEK1).isoformat()
    text = send(ctx, period)
    assert "To look at:" in text and "already has" not in text
    assert last_line(text) == NOTHING_SENT
    assert last_line(send(ctx, period, "fr")) == (
        "Rien n’a été envoyé\u00a0: voyez quoi faire sous «\u00a0À examiner\u00a0» ci-dessus."
    )


def test_export_hours_again_says_xero_has_the_hours(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    period = shifted(ctx, AU_WEEK1).isoformat()
    assert "To take it back: undo" in send(ctx, period)
    text = send(ctx, period)
    assert last_line(text) in (ALREADY_SENT, SENT_AND_KEPT_BACK)
    assert (last_line(text) == SENT_AND_KEPT_BACK) == ("To look at:" in text)
    assert "Xero a déjà" in last_line(send(ctx, period, "fr"))


def test_export_hours_of_a_period_without_hours_says_there_are_none(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    period = shifted(ctx, date(2026, 10, 5)).isoformat()  # weeks before the Demo's hours
    text = send(ctx, period)
    assert "To look at:" not in text and "already has" not in text
    assert last_line(text) == (
        "There are no approved hours or paid time off in QuickBooks Time for this pay period: "
        "nothing was sent."
    )
    assert last_line(send(ctx, period, "fr")) == (
        "Il n’y a ni heures approuvées ni congés payés dans QuickBooks Time pour cette période "
        "de paie\u00a0: rien n’a été envoyé."
    )


def shifted(ctx, day: date) -> date:
    """A date of resources/demo/README.md moved as the simulator moved this state's hours."""
    return day + timedelta(days=int(ctx.sandbox.store.qbtime.get("demo_shift_days") or 0))
