"""Bill time in Xero on the Demo Company (AU): an invoice's currency and tax mode.

- Prices (Xero items' sales prices, QuickBooks Time's billable rates) are amounts in the
  organisation's base currency, so a new invoice is in that currency even for a contact whose
  default currency in Xero is another; the preview says so for that customer.
- A new invoice's ``LineAmountTypes`` is the contact's ``SalesDefaultLineAmountType``, else the
  organisation's ``DefaultSalesTax``, else Exclusive; the amounts shown say which (the product
  never works out the tax: Xero does).
- An update of our draft sends only its lines: the currency, tax mode and date a bookkeeper
  set on the draft in Xero stay as they are, and the preview plans with them.
"""

from __future__ import annotations

import copy
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from core.app.cli import Output, cmd_bill_time
from core.app.invoicing import bill_time, preview_invoices, send_invoices
from core.engine import invoicing as engine
from core.i18n import tr
from core.sandbox.common import ms_date
from core.store.models import JournalEntry
from tests.e2e.test_invoicing import add_hours, hours_range, org_of, ready
from tests.e2e.test_invoicing_draft_lines import a_job_line, held


def contact(ctx, conn, contact_id):
    return next(c for c in org_of(ctx, conn)["Contacts"] if c["ContactID"] == contact_id)


def in_xero(ctx, change):
    """Someone changes the organisation in Xero's own screens (``change`` edits the stored
    organisation); ``UpdatedDateUTC`` of what it returns is bumped."""
    box = ctx.sandbox
    with box.store.lock:
        for record in change():
            record["UpdatedDateUTC"] = ms_date(box.clock.now())
        box.store.save("xero")


def to_bill(ctx, conn, start, end):
    """The new invoices a preview of the range plans, by contact id (at least three)."""
    planned = {i.contact_id: i for i in preview_invoices(ctx, conn, start, end).invoices}
    creates = {k: v for k, v in planned.items() if v.action == "create"}
    assert len(creates) >= 3, "the Demo Company must have three customers to bill"
    return creates


def test_line_amount_types_of_reads_every_way_xero_says_it():
    for words, kind in [
        (("Tax Inclusive", "INCLUSIVE", "Inclusive"), engine.INCLUSIVE),
        (("Tax Exclusive", "EXCLUSIVE", "Exclusive"), engine.EXCLUSIVE),
        (("No Tax", "NONE", "NoTax"), engine.NO_TAX),
        (("", None, "Tax Free?", 3), ""),
    ]:
        assert {engine.line_amount_types_of(w) for w in words} == {kind}


def test_a_customer_in_another_currency_is_invoiced_in_the_currency_of_the_prices(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    base = org_of(ctx, conn)["Organisation"]["BaseCurrency"]
    assert base == "AUD"
    creates = to_bill(ctx, conn, start, end)
    usd_id = sorted(creates)[0]
    usd = contact(ctx, conn, usd_id)
    in_xero(ctx, lambda: [usd] if usd.update(DefaultCurrency="USD") is None else [])

    result = bill_time(ctx, conn, start=start, end=end)
    assert result.counts["created"] == len(creates)
    (planned,) = [i for i in result.written if i.contact_id == usd_id]
    assert planned.currency == "AUD"
    invoices = [i for i in org_of(ctx, conn)["Invoices"] if i["Status"] == "DRAFT"]
    assert {i["CurrencyCode"] for i in invoices} == {"AUD"}
    made = next(i for i in invoices if i["Contact"]["ContactID"] == usd_id)
    # at the prices of the hours (the rates and items' prices, in AUD): what was previewed
    assert [(x["Quantity"], x["UnitAmount"]) for x in made["LineItems"]] == [
        (line.hours, line.unit_price) for line in planned.lines
    ]
    # the preview says so for that customer, and what to do; for it only
    said = [(who, why) for who, why in result.problems if "currency" in why]
    assert said == [
        (
            usd["Name"],
            "Invoiced in AUD, the currency of its prices; its default currency in Xero is "
            "USD: change the invoice's currency in Xero if needed.",
        )
    ]
    problem = next(p for p in result.preview.plan.problems if p.message == engine.OTHER_CURRENCY)
    assert "devise par défaut dans Xero est USD" in problem.reason("fr")


def test_a_new_invoice_takes_the_contact_s_tax_mode_else_the_organisation_s(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    ids = sorted(to_bill(ctx, conn, start, end))
    none, exclusive, *unset = ids
    org = org_of(ctx, conn)

    def change():
        # two contacts with a default of their own; the others with none (the organisation's
        # then, in Xero's words)
        for contact_id, value in [(none, "NONE"), (exclusive, "EXCLUSIVE")]:
            contact(ctx, conn, contact_id)["SalesDefaultLineAmountType"] = value
        for contact_id in unset:
            contact(ctx, conn, contact_id).pop("SalesDefaultLineAmountType", None)
        org["Organisation"]["DefaultSalesTax"] = "Tax Inclusive"
        return [contact(ctx, conn, i) for i in ids]

    in_xero(ctx, change)
    text = io.StringIO()
    assert cmd_bill_time(ctx, Output(stream=text), None, str(start), str(end), False) == 0
    invoices = {i["Contact"]["ContactID"]: i for i in org["Invoices"] if i["Status"] == "DRAFT"}
    assert invoices[none]["LineAmountTypes"] == "NoTax"
    assert invoices[exclusive]["LineAmountTypes"] == "Exclusive"
    assert {invoices[i]["LineAmountTypes"] for i in unset} == {"Inclusive"}
    # The command says what each invoice's amount is (the product works out no tax).
    printed = text.getvalue().splitlines()
    for contact_id, words in [(none, "no tax"), (exclusive, "excl. tax"), (unset[0], "incl. tax")]:
        name = contact(ctx, conn, contact_id)["Name"]
        row = next(line for line in printed if line.startswith(f"  {name}: "))
        assert f" AUD ({words}) — new draft invoice" in row, row


def test_with_no_default_anywhere_a_new_invoice_is_tax_exclusive():
    """The planner alone: the contact's default, else the organisation's, else Exclusive."""
    day = date(2026, 11, 30)
    inp = engine.InvoicingInput(
        start=day,
        end=day,
        timesheets=[engine.Timesheet(1, 7, 10, day.isoformat(), 7200, "t1")],
        jobs={10: engine.Job(10, 0, "Garden care", True, 80.0)},
        people={7: engine.Person(7, "Ann Lee", day.isoformat())},
        customers={10: engine.Customer("c-1", "Garden Co")},
        base_currency="AUD",
    )
    for own, organisation, kind in [
        ("", "", "Exclusive"),
        ("", "NoTax", "NoTax"),
        ("Inclusive", "NoTax", "Inclusive"),
    ]:
        inp.customers = {10: engine.Customer("c-1", "Garden Co", line_amount_types=own)}
        inp.default_line_amount_types = organisation
        (planned,) = engine.plan_invoices(inp).invoices
        assert planned.line_amount_types == kind
        assert planned.as_xero(day, day)["LineAmountTypes"] == kind
        assert planned.total == 160.0  # the lines' amount, as the invoice's lines are


def test_the_json_amounts_are_per_currency_and_tax_mode(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    ids = sorted(to_bill(ctx, conn, start, end))
    in_xero(
        ctx,
        lambda: [
            c
            for c in [contact(ctx, conn, ids[0])]
            if c.update(SalesDefaultLineAmountType="EXCLUSIVE") is None
        ],
    )
    result = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    amounts = result.as_json()["amounts"]
    want: dict[tuple[str, str], float] = {}
    for inv in result.written:
        key = (inv.currency, inv.line_amount_types)
        want[key] = round(want.get(key, 0.0) + inv.lines_total, 2)
    assert {(a["currency"], a["line_amount_types"]): a["amount"] for a in amounts} == want
    assert set(want) == {("AUD", "Exclusive"), ("AUD", "Inclusive")}
    assert tr(engine.TAX_WORDS["Inclusive"], "fr") == "taxes comprises"


def bookkeeper_sets(ctx, conn, invoice_id, field):
    """In Xero's invoice screen, a bookkeeper changes one header field of our draft: its
    currency (to one the organisation enabled), its tax mode or its date. Returns what the
    field holds then."""
    org = org_of(ctx, conn)
    draft = held(ctx, conn, invoice_id)

    def change():
        if field == "CurrencyCode":
            codes = org.setdefault(
                "Currencies", [{"Code": "AUD", "Description": "Australian Dollar"}]
            )
            if not any(c.get("Code") == "USD" for c in codes):
                codes.append({"Code": "USD", "Description": "United States Dollar"})
            draft["CurrencyCode"] = "USD"
        elif field == "LineAmountTypes":
            draft["LineAmountTypes"] = "NoTax"
        else:
            day = date.fromisoformat(draft["DateString"][:10]) + timedelta(days=2)
            draft["DateString"] = f"{day.isoformat()}T00:00:00"
            draft["Date"] = ms_date(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        return [draft]

    in_xero(ctx, change)
    return draft[field]


@pytest.mark.parametrize("field", ["CurrencyCode", "LineAmountTypes", "Date"])
def test_an_update_keeps_the_header_a_bookkeeper_changed_on_our_draft(demo_ctx, field):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    first = bill_time(ctx, conn, start=start, end=end)
    assert first.counts["created"] >= 1
    inv, _line, job, user = a_job_line(ctx, conn, start)
    before = copy.deepcopy(held(ctx, conn, inv["InvoiceID"]))
    theirs = bookkeeper_sets(ctx, conn, inv["InvoiceID"], field)
    assert theirs != before[field]
    add_hours(ctx, user, job, start, 1.5)

    now = copy.deepcopy(held(ctx, conn, inv["InvoiceID"]))
    preview = preview_invoices(ctx, conn, start, end)
    (planned,) = [i for i in preview.invoices if i.invoice_id == inv["InvoiceID"]]
    assert planned.action == "update"
    result = send_invoices(ctx, conn, preview)
    assert result.counts["updated"] == 1
    after = held(ctx, conn, inv["InvoiceID"])
    # the new hours are on the draft; what the bookkeeper set is as they left it
    assert sum(x["Quantity"] for x in after["LineItems"]) == pytest.approx(
        sum(x["Quantity"] for x in now["LineItems"]) + 1.5
    )
    assert after[field] == theirs
    for kept in ("CurrencyCode", "LineAmountTypes", "DateString", "Reference", "Contact"):
        assert after[kept] == now[kept], kept
    # the update sent only what the app owns: its lines, by the draft's id
    entry = (
        JournalEntry.select()
        .where((JournalEntry.run == result.run) & (JournalEntry.action == "update"))
        .get()
    )
    assert set(entry.after["body"]) == {"InvoiceID", "LineItems"}
    # planned with the draft as Xero holds it: its currency and tax mode
    assert planned.currency == now["CurrencyCode"]
    assert planned.line_amount_types == now["LineAmountTypes"]
    notes = [p for p in preview.plan.problems if p.message == engine.DRAFT_CURRENCY]
    if field == "CurrencyCode":
        (note,) = notes
        assert note.reason() == (
            f"Draft {inv['InvoiceNumber']} is in USD in Xero, kept as it is, but the prices of "
            "the hours added or changed on it are in AUD: check their prices in Xero."
        )
    else:
        assert notes == []
