"""Bill time in Xero: billable QuickBooks Time hours -> draft sales invoices (pure planning).

``plan_invoices(InvoicingInput)`` decides, for one date range, one draft ``ACCREC`` invoice
per Xero contact linked to a QuickBooks Time customer (a top-level jobcode; its child jobs
bill to it), with one line per item and job (the item: the value of the import's items custom
field on the timesheet; the line names the job) or per job when no item is set, split by the
tracking options the timesheets' tracking fields map to. Nothing here reads the network or the database: the app gives the
inputs (timesheets, the links, Xero's items and contacts, what ``SentHours`` says was already
billed and the status Xero gives each invoice the product made) and writes what it plans.

Rules:
- Billable hours only: the timesheet's job (or its customer) is billable, its customer is
  linked to a Xero contact; approved hours only (the day is on or before the person's
  ``approved_to``, as for payroll) unless ``include_unapproved`` (those lines say so).
- Never twice: a timesheet already on an invoice of ours that Xero still holds (draft,
  approved or paid) is not billed again. Hours edited in QuickBooks Time since they were
  billed update our draft; on an approved or paid invoice they are reported, never touched.
  Hours deleted, moved to other days or to another customer leave our draft of the range in
  the same run (moved ones are billed to their new customer then: that draft is written
  first, ``PlannedInvoice.takes_from``); once the invoice is approved or paid they are
  reported under its customer. A draft deleted in Xero frees its hours.
- New hours of a range whose draft is still ours are added to that draft; when the range's
  invoice was approved or paid since, they go on a new draft.
- An update of our draft changes only the lines the product made, by their ``LineItemID``
  (Xero deletes the lines an update leaves out): the lines someone added in Xero are sent back
  as they are; a line of ours that someone changed or removed in Xero is theirs from then on
  (kept as it is, never overwritten: the hours on it stay billed, new hours of that kind go on
  a new line, and hours of it edited in QuickBooks Time are reported, as for an approved
  invoice). Keeping their line is the safe choice: a person's change in Xero is never undone
  by a machine, the draft stays editable in Xero, and the preview says what is kept and why.
- Quantity = hours to the hundredth of each line; unit price = the item's Xero sales price,
  else the job's billable rate (``price_source`` says which); no price at all, an item no
  longer sold, an item unknown to Xero, a customer archived in Xero (or merged there into
  another contact: its hours belong to that one) or not linked: problems with what to do,
  those hours left out.
- The lines' text and the Reference are in the language chosen for the business
  (``InvoicingInput.language``, worded by ``invoice_wording``). A line of ours in Xero that
  says the same in another language is unchanged: the draft is not sent for it; a draft sent
  anyway gets all our lines in the language chosen.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.engine import invoice_wording
from core.engine.payroll import DAY_HOLDS_S  # (as much a day for a bill as a payslip)
from core.i18n import N_, tr

#: Xero's answer statuses we keep apart (SUBMITTED = awaiting approval: no longer ours to edit)
DRAFT = "DRAFT"
GONE = frozenset({"DELETED", "VOIDED"})
#: what the product may still change
EDITABLE = frozenset({DRAFT})
MAX_TRACKING = 2

#: Xero's ``LineAmountTypes`` of an invoice: its line amounts are before tax (Xero adds the
#: tax of each line's tax rate), include it, or bear none
EXCLUSIVE, INCLUSIVE, NO_TAX = "Exclusive", "Inclusive", "NoTax"
#: how Xero words a default for it: a contact's ``SalesDefaultLineAmountType`` (INCLUSIVE,
#: EXCLUSIVE, NONE), the organisation's ``DefaultSalesTax`` ("Tax Inclusive", "Tax
#: Exclusive", "No Tax") and an invoice's own ``LineAmountTypes``
_LINE_AMOUNT_WORDS = {
    "inclusive": INCLUSIVE,
    "taxinclusive": INCLUSIVE,
    "exclusive": EXCLUSIVE,
    "taxexclusive": EXCLUSIVE,
    "none": NO_TAX,
    "notax": NO_TAX,
}
#: what the amounts of an invoice of each kind are, said next to them (the product never works
#: out the tax: Xero does, from each line's tax rate)
TAX_WORDS = {EXCLUSIVE: N_("excl. tax"), INCLUSIVE: N_("incl. tax"), NO_TAX: N_("no tax")}

# A customer whose default currency in Xero is not the organisation's: prices are in the base
# currency, so its invoice is too (Xero converts the accounting, never the prices).
OTHER_CURRENCY = N_(
    "Invoiced in {currency}, the currency of its prices; its default currency in Xero is "
    "{default}: change the invoice's currency in Xero if needed."
)
DRAFT_CURRENCY = N_(
    "Draft {invoice} is in {draft_currency} in Xero, kept as it is, but the prices of the "
    "hours added or changed on it are in {currency}: check their prices in Xero."
)


def line_amount_types_of(value: Any) -> str:
    """Xero's ``LineAmountTypes`` for one of its ways of saying it ("Tax Inclusive",
    "INCLUSIVE", "No Tax", "NONE", "Exclusive"…); "" for anything else (nothing said)."""
    word = "".join(str(value or "").split()).casefold()
    return _LINE_AMOUNT_WORDS.get(word, "")


# Billed hours changed in QuickBooks Time where the product may no longer change them.
EDITED_APPROVED = N_(
    "Hours of {day} were changed in QuickBooks Time after invoice {invoice} was approved in "
    "Xero: the invoice is left as it is; correct it in Xero (a credit note or a new invoice) "
    "if needed."
)
GONE_APPROVED = N_(
    "Hours of {day} billed on invoice {invoice} were deleted in QuickBooks Time, or moved to "
    "other days or to hours not billed, after the invoice was approved in Xero: the invoice "
    "is left as it is; correct it in Xero (a credit note) if needed."
)
EDITED_LINE = N_(
    "Hours of {day} were changed in QuickBooks Time, but their line on draft {invoice} was "
    "changed or removed in Xero: that line is left as it is; correct it in Xero if needed."
)
GONE_LINE = N_(
    "Hours of {day} were deleted in QuickBooks Time, or moved to other days or to hours not "
    "billed, but their line on draft {invoice} was changed or removed in Xero: that line is "
    "left as it is; correct it in Xero if needed."
)
OTHER_DRAFT = N_(
    "Hours of {day} were changed in QuickBooks Time after they were billed on draft "
    "{invoice} ({reference}), which this run does not update: bill the days of that draft "
    "again to update it."
)
ARCHIVED_CONTACT = N_(
    "The contact is archived in Xero, so its {hours} hours are not billed: restore the "
    "contact in Xero, then bill again."
)
MERGED_INTO = N_(
    'The contact was merged into "{other}" in Xero, so its {hours} hours are not billed: '
    'move them to "{other}"\'s job in QuickBooks Time (or bill them there), then bill again.'
)
MERGED = N_(
    "The contact was merged into another contact in Xero, so its {hours} hours are not "
    "billed: move them to the job of the contact it was merged into in QuickBooks Time (or "
    "bill them there), then bill again."
)

# A shift still on the clock: its hours are not known yet. Billing the same range again once it
# is clocked out adds just those hours (to our draft of the range, or a new draft once that
# one is approved): what was billed is never billed twice. The next range does not bill them
# (they are dated in this one).
ON_THE_CLOCK = N_(
    "Is still on the clock on {days} ({customers}): that shift is not billed. Clock them out "
    "in QuickBooks Time, then bill {start} to {end} again (a later range does not include "
    "those days): only the hours not billed yet are added, nothing is billed twice."
)

OVER_DAY = N_(
    "More work than a day holds on {days} in QuickBooks Time (timesheets that overlap, or a "
    "manual entry mistyped): those days' {hours} billable hours are not billed. Correct the "
    "timesheets in QuickBooks Time, then bill again."
)

# A value of the items field or of a tracking field that no item linked to Xero has or had
# (a rename by an import keeps the old name the linked item's: core.app.item_names).
UNKNOWN_ITEM = N_(
    '{hours} hours are tagged with the item "{item}", which is linked to no Xero item, so '
    "they are not billed: pick an item imported from Xero on those timesheets in QuickBooks "
    "Time, then bill again."
)
UNKNOWN_OPTION = N_(
    'The value "{option}" of "{category}" on {hours} hours is linked to no option of that '
    "Xero tracking category, so those hours are billed without one: pick one of its options "
    "on those timesheets in QuickBooks Time, then bill again."
)

# Billable hours of a customer not linked to a Xero contact: the review lists it (a look-alike
# waiting for a decision, or decided), or nothing in Xero can be linked to it yet.
NOT_LINKED_LOOK_ALIKE = N_(
    "{hours} billable hours on this customer are not billed: it is not linked to a Xero "
    'contact yet. "Review look-alike records" lists it as a look-alike of the Xero contact '
    '"{contact}": decide there whether they are the same, then bill again.'
)
NO_XERO_CUSTOMER = N_(
    "{hours} billable hours on this customer are not billed: it is not linked to a Xero "
    "contact, and no Xero customer looks like it. If this business bills it, make it a "
    'customer in Xero (add the contact in Xero, or, if it was never invoiced, add it with "Manage '
    'Xero customers…" in "Import options"), import again, then bill again. If not, nothing '
    "needs doing."
)


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Timesheet:
    id: int
    user_id: int
    jobcode_id: int
    day: str  # YYYY-MM-DD
    seconds: int
    last_modified: str = ""
    customfields: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: a shift still on the clock (its length is not known yet): never billed, reported
    on_the_clock: bool = False


@dataclass(frozen=True)
class Job:
    id: int
    parent_id: int
    name: str
    billable: bool
    billable_rate: float | None = None


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    approved_to: str = ""  # YYYY-MM-DD; "" = never approved


@dataclass(frozen=True)
class Customer:
    """A Xero contact linked to a QuickBooks Time customer (top-level jobcode)."""

    contact_id: str
    name: str
    archived: bool = False
    #: the contact's default currency in Xero (``DefaultCurrency``; "" when not set)
    currency: str = ""
    #: its default for sales invoices' ``LineAmountTypes`` (``line_amount_types_of`` its
    #: ``SalesDefaultLineAmountType``; "" when not set)
    line_amount_types: str = ""
    #: merged into another contact in Xero (which archives this one)
    merged: bool = False
    #: the name of the contact it was merged into ("" when not read)
    merged_into: str = ""
    #: its sales payment terms in Xero (``PaymentTerms.Sales``: day, type), None when not set
    terms: tuple[int, str] | None = None


@dataclass(frozen=True)
class Item:
    item_id: str
    code: str
    name: str
    is_sold: bool
    unit_price: float | None = None


@dataclass(frozen=True)
class TrackingField:
    """A QuickBooks Time custom field linked to a Xero tracking category."""

    field_id: str
    category_name: str
    #: the field's value (a custom field item's name) -> the Xero option's name
    options: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: values whose linked option is archived in Xero (Xero refuses it on an invoice line)
    archived: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Billed:
    """One ``SentHours`` row still active: a timesheet on one of our invoices."""

    timesheet_id: int
    last_modified: str
    invoice_id: str
    line_key: str
    hours: float
    day: str = ""
    amount: float = 0.0


@dataclass(frozen=True)
class OurInvoice:
    """An invoice the product made, as Xero holds it now."""

    invoice_id: str
    contact_id: str
    reference: str
    status: str
    number: str = ""
    #: the contact's name, the invoice's currency and its ``LineAmountTypes`` as Xero gives
    #: them on the invoice (a bookkeeper may have changed them on our draft: kept as they are)
    contact_name: str = ""
    currency: str = ""
    line_amount_types: str = ""


@dataclass(frozen=True)
class XeroLine:
    """A line of one of our drafts as Xero holds it now."""

    line_item_id: str
    description: str
    quantity: float
    unit_amount: float
    item_code: str = ""
    tracking: tuple[tuple[str, str], ...] = ()
    amount: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_sent_back(self) -> dict[str, Any]:
        """The line as read, to send back unchanged (its ``LineItemID`` keeps it)."""
        return {k: v for k, v in self.raw.items() if k != "ValidationErrors"}


@dataclass(frozen=True)
class OurLine:
    """A line the product put on one of its invoices, as Xero answered it (``line_item_id``
    "" when an older run did not keep it: the line is then found by what it says)."""

    key: str
    line_item_id: str
    description: str
    quantity: float
    unit_amount: float
    item_code: str = ""
    tracking: tuple[tuple[str, str], ...] = ()


def tracking_of(raw: Any) -> tuple[tuple[str, str], ...]:
    """A line's ``Tracking`` as (category name, option name) pairs, sorted."""
    out = []
    for t in raw if isinstance(raw, list) else []:
        if isinstance(t, dict):
            out.append((str(t.get("Name") or ""), str(t.get("Option") or "")))
    return tuple(sorted(out))


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def xero_line(raw: dict[str, Any]) -> XeroLine:
    return XeroLine(
        str(raw.get("LineItemID") or ""),
        str(raw.get("Description") or ""),
        _num(raw.get("Quantity")),
        _num(raw.get("UnitAmount")),
        str(raw.get("ItemCode") or ""),
        tracking_of(raw.get("Tracking")),
        _num(raw.get("LineAmount")),
        raw,
    )


def line_amount(x: XeroLine) -> float:
    """A line's amount as Xero gives it (``LineAmount``), else its quantity by its price."""
    return x.amount if x.amount else round(x.quantity * x.unit_amount, 2)


def same_line(a: XeroLine | OurLine | PlannedLine, b: XeroLine | OurLine | PlannedLine) -> bool:
    """What a person sees on the line: description, quantity, price, item and tracking (the
    numbers to the cent: Xero gives 2 decimals back unless asked for 4 with ``unitdp``)."""

    def sig(x: XeroLine | OurLine | PlannedLine) -> tuple[Any, ...]:
        if isinstance(x, PlannedLine):
            return (
                x.description.strip(),
                round(x.hours, 2),
                round(x.unit_price, 2),
                x.item_code,
                tuple(sorted(x.tracking)),
            )
        return (
            x.description.strip(),
            round(x.quantity, 2),
            round(x.unit_amount, 2),
            x.item_code,
            tuple(sorted(x.tracking)),
        )

    return sig(a) == sig(b)


@dataclass
class InvoicingInput:
    start: date
    end: date
    timesheets: list[Timesheet]
    jobs: dict[int, Job]
    people: dict[int, Person]
    #: top-level jobcode id -> its linked Xero contact
    customers: dict[int, Customer]
    #: the import's items custom field (its id as the timesheets' ``customfields`` key)
    item_field_id: str | None = None
    #: that field's values (item names as QuickBooks Time holds them) -> the Xero item
    items: dict[str, Item] = field(default_factory=dict)
    tracking: list[TrackingField] = field(default_factory=list)
    billed: list[Billed] = field(default_factory=list)
    invoices: dict[str, OurInvoice] = field(default_factory=dict)
    include_unapproved: bool = False
    name_people: bool = False
    #: the organisation's base currency (``Organisation.BaseCurrency``): the currency of the
    #: Xero items' prices and of QuickBooks Time's billable rates, so of every new invoice
    base_currency: str = ""
    #: the organisation's default ``LineAmountTypes`` on sales (``line_amount_types_of`` its
    #: ``DefaultSalesTax``; "" when not known): for a contact with no default of its own
    default_line_amount_types: str = ""
    #: the organisation's sales payment terms (``PaymentTerms.Sales``: day, type), or None
    default_terms: tuple[int, str] | None = None
    #: a link back to the hours (QuickBooks Time's timesheets page), "" for none
    hours_url: str = ""
    #: the lines each draft of ours holds in Xero now (invoice id -> lines, in Xero's order)
    draft_lines: dict[str, list[XeroLine]] = field(default_factory=dict)
    #: the lines the product put on each of its invoices (invoice id -> lines)
    our_lines: dict[str, list[OurLine]] = field(default_factory=dict)
    #: the language of the lines' text ("en", "fr": ``invoice_wording.LANGUAGES``)
    language: str = "en"
    #: customers not linked to a Xero contact that "Review look-alike records" lists as the
    #: look-alike of one (top-level jobcode id -> that contact's name); the others have no
    #: Xero customer to link to: the problem says what to do in each case
    look_alikes: dict[int, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------- outputs
@dataclass(frozen=True)
class Problem:
    who: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def reason(self, language: str | None = None) -> str:
        return tr(self.message, language, **self.params)


@dataclass
class PlannedLine:
    key: str
    description: str
    hours: float  # to the hundredth
    unit_price: float
    #: "item" (the item's Xero sales price) or "job" (the job's billable rate)
    price_source: str
    item_code: str = ""
    item_name: str = ""
    job_name: str = ""
    tracking: tuple[tuple[str, str], ...] = ()
    unapproved: bool = False
    timesheets: list[Timesheet] = field(default_factory=list, repr=False)
    #: on an update of our draft: the line of ours it changes in Xero ("" = a new line)
    line_item_id: str = ""
    #: "new" (added), "updated" (our line, changed), "same" (our line, as it is in Xero)
    change: str = "new"
    #: the line as Xero holds it before the update (for "updated" and "same")
    before: XeroLine | None = field(default=None, repr=False)
    #: the same line worded in each language (the text of a line of ours in Xero may be in
    #: another language than the one chosen now: the line is still the same)
    wordings: tuple[str, ...] = field(default=(), repr=False, compare=False)
    #: our line in Xero says the same in another language ("same" unless the draft is sent)
    reworded: bool = False

    @property
    def amount(self) -> float:
        return round(self.hours * self.unit_price, 2)

    def as_xero(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "Description": self.description,
            "Quantity": self.hours,
            "UnitAmount": self.unit_price,
        }
        if self.item_code:
            line["ItemCode"] = self.item_code
        if self.tracking:
            line["Tracking"] = [{"Name": c, "Option": o} for c, o in self.tracking]
        if self.line_item_id:
            line["LineItemID"] = self.line_item_id
        return line


@dataclass(frozen=True)
class KeptLine:
    """A line of our draft the update sends back as Xero holds it: ``why`` is "theirs" (added
    in Xero) or "edited" (made by the product, then changed in Xero: theirs from then on)."""

    line: XeroLine
    why: str


@dataclass
class PlannedInvoice:
    contact_id: str
    contact_name: str
    currency: str
    reference: str
    action: str  # create | update | unchanged | skip
    lines: list[PlannedLine] = field(default_factory=list)
    #: the draft to update (action update/unchanged)
    invoice_id: str = ""
    number: str = ""
    #: hours of this customer left out (not approved, no price…), for the preview
    left_out_hours: float = 0.0
    #: on an update: the draft's lines in Xero now, in order; the ones sent back as they are;
    #: our lines the update deletes (no hours left on them); the hours billed on lines that
    #: are theirs now (recorded again as billed, never billed twice)
    current: list[XeroLine] = field(default_factory=list, repr=False)
    kept: list[KeptLine] = field(default_factory=list)
    removed: list[XeroLine] = field(default_factory=list)
    kept_billed: list[Billed] = field(default_factory=list, repr=False)
    #: our drafts of the range this invoice takes hours from (hours moved to this customer in
    #: QuickBooks Time): those drafts' updates must be written first, or this one not at all
    takes_from: set[str] = field(default_factory=set)
    #: what its amounts are (Xero's ``LineAmountTypes``: ``TAX_WORDS`` says it): a new
    #: invoice's is the contact's default, else the organisation's; our draft's, as Xero holds it
    line_amount_types: str = EXCLUSIVE
    #: a new invoice's due date, from the contact's sales payment terms, else the
    #: organisation's (None: Xero's draft has none until someone sets it)
    due_date: date | None = None

    @property
    def hours(self) -> float:
        return round(sum(line.hours for line in self.lines), 2)

    @property
    def tax_words(self) -> str:
        """What its amounts are, untranslated (``N_``): "excl. tax", "incl. tax", "no tax"."""
        return TAX_WORDS.get(self.line_amount_types, TAX_WORDS[EXCLUSIVE])

    @property
    def lines_total(self) -> float:
        """What our lines come to (the hours this invoice bills), as the invoice's lines are:
        before tax, tax included or no tax (``line_amount_types``)."""
        return round(sum(line.amount for line in self.lines), 2)

    @property
    def kept_total(self) -> float:
        """What the lines kept as Xero holds them come to (on an update of our draft)."""
        return round(sum(line_amount(k.line) for k in self.kept), 2)

    @property
    def total(self) -> float:
        """What the invoice's lines come to in Xero once written (``line_amount_types`` says
        whether that is before tax, tax included or no tax; Xero works out the tax): our lines
        and the lines of the draft kept as they are."""
        return round(self.lines_total + self.kept_total, 2)

    @property
    def total_now(self) -> float:
        """The draft's amount in Xero now, before this run (0 for a new invoice)."""
        return round(sum(line_amount(x) for x in self.current), 2)

    @property
    def change(self) -> float:
        """What this run adds to the invoice's amount in Xero (negative: takes off)."""
        return round(self.total - self.total_now, 2)

    @property
    def timesheet_ids(self) -> set[int]:
        return {t.id for line in self.lines for t in line.timesheets}

    def line_items(self) -> tuple[list[dict[str, Any]], list[str | None]]:
        """The ``LineItems`` to send and, for each, the key of our line (None: not ours).
        An update names every line it keeps by its ``LineItemID``, in the draft's order
        (Xero deletes the lines an update leaves out); our new lines come last."""
        ours = {line.line_item_id: line for line in self.lines if line.line_item_id}
        kept = {k.line.line_item_id for k in self.kept}
        items: list[dict[str, Any]] = []
        keys: list[str | None] = []
        for x in self.current:
            if x.line_item_id in ours:
                items.append(ours[x.line_item_id].as_xero())
                keys.append(ours[x.line_item_id].key)
            elif x.line_item_id in kept:
                items.append(x.as_sent_back())
                keys.append(None)
        for line in self.lines:
            if not line.line_item_id:
                items.append(line.as_xero())
                keys.append(line.key)
        return items, keys

    def as_xero(self, start: date, end: date, url: str = "") -> dict[str, Any]:
        """The body to write. An update of our draft sends only its lines (by
        ``InvoiceID``): what a bookkeeper may have changed on the draft in Xero (its date,
        currency, tax mode, contact, reference, due date…) stays as Xero holds it."""
        if self.invoice_id:
            return {"InvoiceID": self.invoice_id, "LineItems": self.line_items()[0]}
        body: dict[str, Any] = {
            "Type": "ACCREC",
            "Contact": {"ContactID": self.contact_id},
            "Date": end.isoformat(),
            "Status": DRAFT,
            "LineAmountTypes": self.line_amount_types,
            "Reference": self.reference,
            "LineItems": self.line_items()[0],
        }
        if self.currency:
            body["CurrencyCode"] = self.currency
        if self.due_date is not None:
            body["DueDate"] = self.due_date.isoformat()
        if url:
            body["Url"] = url
        return body


@dataclass
class InvoicingPlan:
    start: date
    end: date
    invoices: list[PlannedInvoice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def to_write(self) -> list[PlannedInvoice]:
        return [i for i in self.invoices if i.action in ("create", "update")]

    @property
    def is_empty(self) -> bool:
        return not self.to_write

    def counts(self) -> dict[str, int]:
        out = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        names = {"create": "created", "update": "updated", "unchanged": "unchanged"}
        for inv in self.invoices:
            out[names.get(inv.action, "skipped")] += 1
        return out


# ---------------------------------------------------------------------------- rules
def reference_for(start: date, end: date, n: int = 1, language: str = "en") -> str:
    """The invoice's Reference: the hours' range in the invoice's language (and a number for a
    second invoice of a range whose first one was approved meanwhile). Also how a lost answer
    is found again (by the Reference journaled with it)."""
    base = f"QB Time {invoice_wording.range_text(start, end, language)}"
    return base if n <= 1 else f"{base} ({n})"


def _range_references(start: date, end: date, n: int) -> set[str]:
    """The range's n-th Reference in every language: a draft of the range made when another
    language was chosen is still the range's."""
    return {reference_for(start, end, n, language) for language in invoice_wording.LANGUAGES}


#: Xero's ``PaymentTermType`` values (spec: PaymentTerm / Bill ``Type``)
PAYMENT_TERM_TYPES = frozenset(
    {"DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH"}
)


def terms_of(raw: Any) -> tuple[int, str] | None:
    """``PaymentTerms`` as Xero gives it (a contact's or the organisation's) -> its sales
    terms (day, type), None when not set or not understood."""
    sales = (raw or {}).get("Sales") if isinstance(raw, dict) else None
    if not isinstance(sales, dict):
        return None
    kind, day = str(sales.get("Type") or "").upper(), sales.get("Day")
    if kind not in PAYMENT_TERM_TYPES or isinstance(day, bool) or not isinstance(day, int | float):
        return None
    if day < 0:
        return None
    return int(day), kind


def _month_day(year: int, month: int, day: int) -> date:
    """Day ``day`` of that month, the month's last day when it has fewer."""
    if month > 12:
        year, month = year + 1, month - 12
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(max(day, 1), last))


def due_date(invoice_date: date, terms: tuple[int, str] | None) -> date | None:
    """When an invoice dated ``invoice_date`` is due under sales payment ``terms`` (the
    contact's, else the organisation's), as Xero reads them: so many days after the invoice
    date, or after the end of its month; that day of its month, or of the following month."""
    if terms is None:
        return None
    day, kind = terms
    if kind == "DAYSAFTERBILLDATE":
        return invoice_date + timedelta(days=day)
    if kind == "DAYSAFTERBILLMONTH":
        month_end = _month_day(invoice_date.year, invoice_date.month, 31)
        return month_end + timedelta(days=day)
    if kind == "OFCURRENTMONTH":
        return _month_day(invoice_date.year, invoice_date.month, day)
    return _month_day(invoice_date.year, invoice_date.month + 1, day)  # OFFOLLOWINGMONTH


def hours_of(seconds: int) -> float:
    return seconds / 3600.0


def _top(jobs: dict[int, Job], job_id: int) -> int | None:
    seen: set[int] = set()
    current = jobs.get(job_id)
    while current is not None and current.parent_id and current.id not in seen:
        seen.add(current.id)
        parent = jobs.get(current.parent_id)
        if parent is None:
            return None
        current = parent
    return current.id if current is not None else None


def _billable(jobs: dict[int, Job], job_id: int) -> bool:
    """QuickBooks Time's ``billable`` flag of the job the hours are on."""
    job = jobs.get(job_id)
    return job is not None and job.billable


def _rate(jobs: dict[int, Job], job_id: int, top: int) -> float | None:
    for jid in (job_id, top):
        job = jobs.get(jid)
        if job is not None and job.billable_rate:
            return float(job.billable_rate)
    return None


def _over_days(timesheets: Iterable[Timesheet], start: str, end: str) -> set[tuple[int, str]]:
    """The (person, day) pairs with more work than a day holds, on any job, billable or not
    (timesheets that overlap, a mistyped manual entry)."""
    per_day: dict[tuple[int, str], int] = defaultdict(int)
    for ts in timesheets:
        if start <= ts.day <= end and ts.seconds > 0 and not ts.on_the_clock:
            per_day[(ts.user_id, ts.day)] += ts.seconds
    return {key for key, secs in per_day.items() if secs > DAY_HOLDS_S}


def _billed_for_good(inp: InvoicingInput, prior: Billed | None) -> bool:
    """Billed on an invoice the product may no longer change (approved in Xero)."""
    inv = inp.invoices.get(prior.invoice_id) if prior is not None else None
    return inv is not None and inv.status not in EDITABLE


def _approved(inp: InvoicingInput, ts: Timesheet) -> bool:
    person = inp.people.get(ts.user_id)
    return bool(person and person.approved_to and ts.day <= person.approved_to)


@dataclass
class _LineDraft:
    key: str
    label: str
    unit_price: float
    price_source: str
    item: Item | None
    job_name: str
    tracking: tuple[tuple[str, str], ...]
    timesheets: list[Timesheet] = field(default_factory=list)
    unapproved: bool = False


def _count_hours(
    problems: dict[tuple, Problem], key: tuple, who: str, message: str, ts: Timesheet, **params: Any
) -> None:
    """``problems[key]``, its ``hours`` counting ``ts``'s too."""
    was = problems.get(key)
    hours = (float(was.params["hours"]) if was is not None else 0.0) + hours_of(ts.seconds)
    problems[key] = Problem(who, message, {**params, "hours": Decimal(f"{hours:.2f}")})


def _line_for(
    inp: InvoicingInput, ts: Timesheet, top: int, who: str, problems: dict[tuple, Problem]
) -> _LineDraft | None:
    """The line ``ts`` goes on, or None (a problem saying why)."""
    job = inp.jobs[ts.jobcode_id]
    value = (ts.customfields.get(inp.item_field_id, "") if inp.item_field_id else "").strip()
    item = None
    if value:
        item = inp.items.get(value)
        if item is None:
            # (a name an item linked to a Xero item has, or had before an import renamed it,
            # is in ``items``: this one never was, or was two items' name)
            _count_hours(problems, ("unknown_item", who, value), who, UNKNOWN_ITEM, ts, item=value)
            return None
        if not item.is_sold:
            problems[("not_sold", item.item_id)] = Problem(
                who,
                N_(
                    'The item "{item}" is no longer sold in Xero: tick "I sell this item" on '
                    "it in Xero, or pick another item on those timesheets."
                ),
                {"item": item.name},
            )
            return None
    price: float | None
    if item is not None and item.unit_price is not None:
        price, source = float(item.unit_price), "item"
    else:
        price, source = _rate(inp.jobs, ts.jobcode_id, top), "job"
    if price is None:
        what = item.name if item is not None else job.name
        problems[("no_price", what)] = Problem(
            who,
            N_(
                'There is no price for "{what}": set a sales price on the item in Xero or a '
                "billable rate on the job in QuickBooks Time, then bill again."
            ),
            {"what": what},
        )
        return None
    tracking: list[tuple[str, str]] = []
    for tf in inp.tracking[:MAX_TRACKING]:
        chosen = (ts.customfields.get(tf.field_id) or "").strip()
        if chosen in tf.archived:
            # Xero refuses an archived option on a line, and with it the whole invoice
            problems[("archived_option", tf.category_name, chosen)] = Problem(
                who,
                N_(
                    'The tracking option "{option}" of "{category}" is archived in Xero, so '
                    "the hours tagged with it are not billed: restore the option in Xero, or "
                    "pick another one on those timesheets in QuickBooks Time, then bill again."
                ),
                {"option": tf.archived[chosen], "category": tf.category_name},
            )
            return None
        option = tf.options.get(chosen)
        if option:
            tracking.append((tf.category_name, option))
        elif chosen:
            said = ("unknown_option", who, tf.category_name, chosen)
            _count_hours(
                problems, said, who, UNKNOWN_OPTION, ts, option=chosen, category=tf.category_name
            )
    track = tuple(tracking)
    if item is not None:
        # one line per item and job: the line names the job its hours are on
        key = f"item:{item.code or item.item_id}|job:{job.id}"
        label = item.name
    else:
        key = f"job:{job.id}"
        label = job.name
    if track:
        key += "|" + "|".join(f"{c}={o}" for c, o in track)
    key += f"|{price:g}"
    unapproved = not _approved(inp, ts)
    if unapproved:
        key += "|unapproved"
    return _LineDraft(key, label, price, source, item, job.name, track, unapproved=unapproved)


def _lines(inp: InvoicingInput, drafts: dict[str, _LineDraft]) -> list[PlannedLine]:
    out = []
    for key in sorted(drafts):
        d = drafts[key]
        seconds = sum(t.seconds for t in d.timesheets)
        names = (
            [inp.people[t.user_id].name for t in d.timesheets if t.user_id in inp.people]
            if inp.name_people
            else []
        )
        wordings = {
            language: invoice_wording.line_text(
                d.label,
                [t.day for t in d.timesheets],
                language,
                job_name=d.job_name if d.item is not None else "",
                people=names,
                unapproved=d.unapproved,
            )
            for language in invoice_wording.LANGUAGES
        }
        chosen = invoice_wording.language_or_default(inp.language)
        out.append(
            PlannedLine(
                key=key,
                description=wordings[chosen],
                wordings=tuple(wordings.values()),
                hours=round(hours_of(seconds), 2),
                unit_price=d.unit_price,
                price_source=d.price_source,
                item_code=d.item.code if d.item is not None else "",
                item_name=d.item.name if d.item is not None else "",
                job_name=d.job_name,
                tracking=d.tracking,
                unapproved=d.unapproved,
                timesheets=sorted(d.timesheets, key=lambda t: t.id),
            )
        )
    return out


def _still_ours(current: list[XeroLine], recorded: list[OurLine]) -> dict[str, XeroLine]:
    """Our lines still on the draft as we made them: line key -> the line in Xero. A line is
    found by its ``LineItemID`` (by what it says when an older run did not keep the id); one
    that differs from what Xero answered us was changed in Xero, one not found was removed
    there: neither is ours to change any more."""
    by_id = {x.line_item_id: x for x in current if x.line_item_id}
    claimed: set[str] = set()
    out: dict[str, XeroLine] = {}
    for rec in recorded:
        if rec.line_item_id:
            found = by_id.get(rec.line_item_id)
        else:
            found = next(
                (x for x in current if x.line_item_id not in claimed and same_line(x, rec)),
                None,
            )
        if found is None or found.line_item_id in claimed:
            continue
        claimed.add(found.line_item_id)
        if same_line(found, rec) and rec.key not in out:
            out[rec.key] = found
    return out


#: the same, for the app (undo: is a draft of ours still only ours?)
lines_still_ours = _still_ours


def _recorded_ids(inp: InvoicingInput, draft: OurInvoice) -> set[str]:
    """The LineItemIDs of the lines the product made on ``draft`` (found by id or by what
    they said)."""
    current = inp.draft_lines.get(draft.invoice_id, [])
    out: set[str] = set()
    for rec in inp.our_lines.get(draft.invoice_id, []):
        if rec.line_item_id:
            out.add(rec.line_item_id)
    return out & {x.line_item_id for x in current}


def _legacy_key(key: str) -> str:
    """The key an item line had before lines were split by job (``item:CODE|…`` without the
    ``job:ID`` part): a line of ours made then is the line of one of its jobs now."""
    parts = key.split("|")
    if parts[0].startswith("item:") and len(parts) > 1 and parts[1].startswith("job:"):
        del parts[1]
    return "|".join(parts)


def _place_on_draft(lines: list[PlannedLine], mine: dict[str, XeroLine]) -> bool:
    """Give each planned line the LineItemID of our line of the same key (none: a new line)
    and say what changes; True when something does. An item line made before lines were split
    by job goes to the first of its jobs' lines (the same line when it had one job: nothing
    changes; when it had several, it is updated to that job's hours, the others new lines)."""
    found = {line.key: mine[line.key] for line in lines if line.key in mine}
    claimed = {x.line_item_id for x in found.values()}
    for line in lines:
        legacy = mine.get(_legacy_key(line.key))
        if line.key not in found and legacy is not None and legacy.line_item_id not in claimed:
            found[line.key] = legacy
            claimed.add(legacy.line_item_id)
    changed = False
    for line in lines:
        x = found.get(line.key)
        if x is None:
            line.line_item_id, line.change, line.before = "", "new", None
            changed = True
            continue
        line.line_item_id, line.before = x.line_item_id, x
        line.reworded = not same_line(line, x) and _same_but_wording(line, x)
        line.change = "same" if line.reworded or same_line(line, x) else "updated"
        changed = changed or line.change == "updated"
    return changed


def _same_but_wording(line: PlannedLine, x: XeroLine) -> bool:
    """``x`` is ``line`` worded in another language (what was chosen when it was sent)."""
    if x.description.strip() not in {w.strip() for w in line.wordings}:
        return False
    worded = PlannedLine(line.key, x.description, line.hours, line.unit_price, "")
    worded.item_code, worded.tracking = line.item_code, line.tracking
    return same_line(worded, x)


def _settle_wording(lines: list[PlannedLine], sent: bool) -> None:
    """Our lines in Xero worded in another language than the one chosen now: a draft that is
    sent anyway gets them in the chosen language (one language per invoice); a draft left
    as it is keeps them as Xero holds them, so choosing another language never makes an
    unchanged draft look changed, and the preview says what Xero holds."""
    for line in lines:
        if not line.reworded or line.before is None:
            continue
        if sent:
            line.change = "updated"
        else:
            line.description = line.before.description


def customers_with_hours(
    jobs: dict[int, Job], timesheets: Iterable[Timesheet], start: date, end: date
) -> set[int]:
    """The customers (top-level jobcodes) that have billable hours in the range: the only
    ones whose Xero contact a billing run needs (plan_invoices skips the same hours)."""
    first, last = start.isoformat(), end.isoformat()
    out: set[int] = set()
    for ts in timesheets:
        if not (first <= ts.day <= last) or ts.seconds <= 0 or ts.jobcode_id not in jobs:
            continue
        if ts.on_the_clock:
            continue
        top = _top(jobs, ts.jobcode_id)
        if top is not None and _billable(jobs, ts.jobcode_id):
            out.add(top)
    return out


def plan_invoices(inp: InvoicingInput) -> InvoicingPlan:
    plan = InvoicingPlan(inp.start, inp.end)
    start, end = inp.start.isoformat(), inp.end.isoformat()
    billed: dict[int, Billed] = {}
    for row in inp.billed:
        inv = inp.invoices.get(row.invoice_id)
        if inv is not None and inv.status in GONE:
            continue  # the user deleted or voided it in Xero: those hours are free again
        billed[row.timesheet_id] = row
    problems: dict[tuple, Problem] = {}
    over = _over_days(inp.timesheets, start, end)
    held: dict[int, tuple[set[str], float]] = {}
    # timesheets per customer (top-level jobcode)
    per_customer: dict[int, list[Timesheet]] = defaultdict(list)
    unlinked: dict[int, float] = defaultdict(float)
    #: person -> (days, customers) of their billable shifts still on the clock
    running: dict[int, tuple[set[str], set[str]]] = {}
    for ts in sorted(inp.timesheets, key=lambda t: t.id):
        if not (start <= ts.day <= end) or ts.jobcode_id not in inp.jobs:
            continue
        if ts.on_the_clock:
            top = _top(inp.jobs, ts.jobcode_id)
            if top is not None and _billable(inp.jobs, ts.jobcode_id):
                days, names = running.setdefault(ts.user_id, (set(), set()))
                days.add(ts.day)
                cust = inp.customers.get(top)
                names.add(cust.name if cust is not None else inp.jobs[top].name)
            continue
        if ts.seconds <= 0:
            continue
        top = _top(inp.jobs, ts.jobcode_id)
        if top is None or not _billable(inp.jobs, ts.jobcode_id):
            continue
        if (ts.user_id, ts.day) in over and not _billed_for_good(inp, billed.get(ts.id)):
            # never billed (or taken off our draft): an impossible day is not a customer's
            days, hours = held.get(ts.user_id, (set(), 0.0))
            held[ts.user_id] = (days | {ts.day}, hours + hours_of(ts.seconds))
            continue
        if top not in inp.customers:
            unlinked[top] += hours_of(ts.seconds)
            continue
        per_customer[top].append(ts)
    for top, hours in sorted(unlinked.items()):
        name = inp.jobs[top].name
        params: dict[str, Any] = {"hours": Decimal(f"{hours:.2f}")}
        contact = inp.look_alikes.get(top)
        if contact is not None:
            params["contact"] = contact
        problems[("unlinked", top)] = Problem(
            name, NOT_LINKED_LOOK_ALIKE if contact is not None else NO_XERO_CUSTOMER, params
        )
    for user_id, (days, hours) in sorted(held.items()):
        person = inp.people.get(user_id)
        problems[("over_day", user_id)] = Problem(
            person.name if person is not None else str(user_id),
            OVER_DAY,
            {"days": ", ".join(sorted(days)), "hours": Decimal(f"{hours:.2f}")},
        )
    for user_id, (days, names) in sorted(running.items()):
        person = inp.people.get(user_id)
        problems[("on_the_clock", user_id)] = Problem(
            person.name if person is not None else str(user_id),
            ON_THE_CLOCK,
            {
                "days": ", ".join(sorted(days)),
                "customers": ", ".join(sorted(names, key=str.casefold)),
                "start": start,
                "end": end,
            },
        )
    # our invoices per contact; the draft of this range each contact has that is still ours
    ours: dict[str, list[OurInvoice]] = defaultdict(list)
    for inv in inp.invoices.values():
        ours[inv.contact_id].append(inv)
    range_refs = set().union(*(_range_references(inp.start, inp.end, n) for n in range(1, 100)))
    drafts: dict[str, OurInvoice] = {}
    for contact_id, invs in ours.items():
        draft = next((i for i in invs if i.reference in range_refs and i.status in EDITABLE), None)
        if draft is not None:
            drafts[contact_id] = draft
    # Each draft's lines that are still ours as we made them (by LineItemID).
    still: dict[str, dict[str, XeroLine]] = {
        d.invoice_id: _still_ours(
            inp.draft_lines.get(d.invoice_id, []), inp.our_lines.get(d.invoice_id, [])
        )
        for d in drafts.values()
    }
    # The customers to plan: those with hours, and those whose draft of the range holds hours
    # that are no longer theirs (deleted, moved to other days or to another customer).
    customer_of = {c.contact_id: (t, c) for t, c in inp.customers.items()}
    todo: list[tuple[int, Customer, list[Timesheet]]] = [
        (top, inp.customers[top], rows) for top, rows in per_customer.items()
    ]
    with_hours = {c.contact_id for _t, c, _r in todo}
    holding = {b.invoice_id for b in billed.values()}
    for contact_id, d in drafts.items():
        if contact_id in with_hours or d.invoice_id not in holding:
            continue
        # (no hours of theirs in the range: the top-level jobcode is never needed)
        top_of, cust_of = customer_of.get(
            contact_id, (0, Customer(contact_id, d.contact_name or d.number))
        )
        todo.append((top_of, cust_of, []))
    # The drafts this run updates: hours on a line of ours there may move to another customer
    # (the update takes them off that draft).
    updated = {
        drafts[c.contact_id].invoice_id
        for _t, c, _r in todo
        if c.contact_id in drafts and not c.archived
    }
    # where each timesheet of the range is billable now (the contact it bills to)
    where_now = {
        ts.id: inp.customers[t].contact_id for t, rows in per_customer.items() for ts in rows
    }

    def who(inv: OurInvoice | None, fallback: str) -> str:
        """The name of the customer of ``inv`` (where billed hours are flagged)."""
        if inv is None:
            return fallback
        known = customer_of.get(inv.contact_id)
        return known[1].name if known is not None else (inv.contact_name or fallback)

    def locked(b: Billed, inv: OurInvoice | None, fallback: str, day: str, gone: bool) -> None:
        """Billed hours changed (``gone``: deleted or moved out) in QuickBooks Time on an
        invoice this run does not update: flagged under the invoice's customer, the invoice
        left as it is. ``day``: the day they were billed for."""
        label = (inv.number if inv is not None else "") or b.invoice_id
        params: dict[str, Any] = {"day": day, "invoice": label}
        if inv is not None and inv.status in EDITABLE:
            message = OTHER_DRAFT
            params["reference"] = inv.reference
        else:
            message = GONE_APPROVED if gone else EDITED_APPROVED
        problems[("edited", b.timesheet_id)] = Problem(who(inv, fallback), message, params)

    for top, cust, rows in sorted(todo, key=lambda e: e[1].name.casefold()):
        if cust.archived:
            hours = sum(hours_of(t.seconds) for t in rows if t.id not in billed)
            if hours:
                # (a merge cannot be undone into a contact to bill: its survivor is the
                # customer now, where the hours belong)
                params = {"hours": Decimal(f"{hours:.2f}")}
                message = ARCHIVED_CONTACT
                if cust.merged and cust.merged_into:
                    message, params["other"] = MERGED_INTO, cust.merged_into
                elif cust.merged:
                    message = MERGED
                problems[("archived", cust.contact_id)] = Problem(cust.name, message, params)
            continue
        # Prices (Xero's items, QuickBooks Time's rates) are in the organisation's currency:
        # so is a new invoice, whatever the contact's default (said when it differs).
        currency = inp.base_currency
        line_amount_types = cust.line_amount_types or inp.default_line_amount_types or EXCLUSIVE
        mine = [i for i in ours.get(cust.contact_id, []) if i.reference in range_refs]
        live = [i for i in mine if i.status not in GONE]
        # The draft of this range that is still ours to change, if any, and its lines still
        # ours as we made them.
        draft = drafts.get(cust.contact_id)
        still_ours = still[draft.invoice_id] if draft is not None else {}
        # Which timesheets go where.
        keep_on_draft: list[Timesheet] = []
        kept_billed: list[Billed] = []
        new: list[Timesheet] = []
        moved_in: dict[int, str] = {}
        left_out = 0.0
        for ts in rows:
            approved = _approved(inp, ts)
            prior = billed.get(ts.id)
            if prior is not None:
                inv = inp.invoices.get(prior.invoice_id)
                edited = prior.last_modified != ts.last_modified
                label = (inv.number if inv is not None else "") or prior.invoice_id
                if draft is not None and prior.invoice_id == draft.invoice_id:
                    if prior.line_key in still_ours:
                        keep_on_draft.append(ts)
                        continue
                    # its line was changed or removed in Xero: theirs now, left as it is
                    kept_billed.append(prior)
                    if edited:
                        problems[("edited_line", ts.id)] = Problem(
                            cust.name, EDITED_LINE, {"day": ts.day, "invoice": label}
                        )
                    continue
                if prior.invoice_id in updated:
                    if prior.line_key in still[prior.invoice_id]:
                        # moved here from another customer's draft, which this run updates:
                        # off that draft, billed here
                        moved_in[ts.id] = prior.invoice_id
                    else:
                        continue  # on a line theirs now: that draft's customer says so
                else:
                    if edited:
                        locked(prior, inv, cust.name, prior.day or ts.day, gone=False)
                    continue
            if not approved and not inp.include_unapproved:
                left_out += hours_of(ts.seconds)
                continue
            new.append(ts)
        if draft is not None:
            # Hours of the draft no longer this customer's: off our lines (the update leaves
            # them out); on a line theirs now, still billed there, and flagged.
            here = {ts.id for ts in rows}
            for b in sorted(billed.values(), key=lambda b: b.timesheet_id):
                if b.invoice_id != draft.invoice_id or b.timesheet_id in here:
                    continue
                if b.line_key in still_ours:
                    continue
                kept_billed.append(b)
                problems[("edited_line", b.timesheet_id)] = Problem(
                    cust.name,
                    EDITED_LINE if b.timesheet_id in where_now else GONE_LINE,
                    {"day": b.day, "invoice": draft.number or draft.invoice_id},
                )
        if left_out:
            problems[("unapproved", cust.contact_id)] = Problem(
                cust.name,
                N_(
                    "{hours} hours are not approved yet in QuickBooks Time and are left out: "
                    "approve them (or include unapproved hours), then bill again."
                ),
                {"hours": Decimal(f"{left_out:.2f}")},
            )
        line_drafts: dict[str, _LineDraft] = {}
        target = sorted(keep_on_draft + new, key=lambda t: t.id) if draft is not None else new
        for ts in target:
            line = _line_for(inp, ts, top, cust.name, problems)
            if line is None:
                left_out += hours_of(ts.seconds)
                continue
            line_drafts.setdefault(line.key, line).timesheets.append(ts)
        lines = _lines(inp, line_drafts)
        placed_ids = {t.id for line in lines for t in line.timesheets}
        takes_from = {src for ts_id, src in moved_in.items() if ts_id in placed_ids}
        if draft is not None:
            current = inp.draft_lines.get(draft.invoice_id, [])
            changed = _place_on_draft(lines, still_ours)
            ours_now = {line.line_item_id for line in lines if line.line_item_id}
            mine_ids = {x.line_item_id for x in still_ours.values()}
            kept = [
                KeptLine(x, "edited" if x.line_item_id in _recorded_ids(inp, draft) else "theirs")
                for x in current
                if x.line_item_id not in mine_ids
            ]
            removed = [x for x in still_ours.values() if x.line_item_id not in ours_now]
            placed = {t.id: t.last_modified for line in lines for t in line.timesheets}
            frozen = {b.timesheet_id for b in kept_billed}
            before = {
                b.timesheet_id: b.last_modified
                for b in billed.values()
                if b.invoice_id == draft.invoice_id and b.timesheet_id not in frozen
            }
            action = "update" if changed or removed or placed != before else "unchanged"
            if not rows and action == "unchanged":
                continue  # no hours of this customer left, and nothing to take off its draft
            _settle_wording(lines, action == "update")
            # The draft's currency and tax mode as Xero holds them (the update keeps them).
            draft_currency = draft.currency or currency
            if (
                action == "update"
                and currency
                and draft_currency != currency
                and any(line.change != "same" for line in lines)
            ):
                problems[("draft_currency", draft.invoice_id)] = Problem(
                    cust.name,
                    DRAFT_CURRENCY,
                    {
                        "invoice": draft.number or draft.invoice_id,
                        "draft_currency": draft_currency,
                        "currency": currency,
                    },
                )
            plan.invoices.append(
                PlannedInvoice(
                    cust.contact_id,
                    cust.name,
                    draft_currency,
                    draft.reference,
                    action,
                    lines,
                    invoice_id=draft.invoice_id,
                    number=draft.number,
                    left_out_hours=round(left_out, 2),
                    current=list(current),
                    kept=kept,
                    removed=removed,
                    kept_billed=kept_billed,
                    takes_from=takes_from,
                    line_amount_types=line_amount_types_of(draft.line_amount_types) or EXCLUSIVE,
                )
            )
            continue
        if not lines:
            if left_out:
                plan.invoices.append(
                    PlannedInvoice(
                        cust.contact_id,
                        cust.name,
                        currency,
                        reference_for(inp.start, inp.end, language=inp.language),
                        "skip",
                        left_out_hours=round(left_out, 2),
                        line_amount_types=line_amount_types,
                    )
                )
            continue
        used = {i.reference for i in live}
        n = 1
        while _range_references(inp.start, inp.end, n) & used:
            n += 1
        plan.invoices.append(
            PlannedInvoice(
                cust.contact_id,
                cust.name,
                currency,
                reference_for(
                    inp.start, inp.end, n, invoice_wording.language_or_default(inp.language)
                ),
                "create",
                lines,
                left_out_hours=round(left_out, 2),
                takes_from=takes_from,
                line_amount_types=line_amount_types,
                due_date=due_date(inp.end, cust.terms or inp.default_terms),
            )
        )
        if currency and cust.currency and cust.currency != currency:
            problems[("currency", cust.contact_id)] = Problem(
                cust.name, OTHER_CURRENCY, {"currency": currency, "default": cust.currency}
            )
    # Billed hours of these days gone from QuickBooks Time's billable hours (deleted, moved to
    # other days, to a job not billed…) on an invoice this run does not update: flagged.
    for b in sorted(billed.values(), key=lambda b: b.timesheet_id):
        if b.timesheet_id in where_now or not (start <= b.day <= end):
            continue
        if b.invoice_id in updated:
            continue  # our draft of the range: its update takes them off (or flags them)
        inv = inp.invoices.get(b.invoice_id)
        if inv is not None:  # (an invoice Xero did not give back: what it holds is not known)
            locked(b, inv, inv.number or b.invoice_id, b.day, gone=True)
    plan.problems = list(problems.values())
    return plan


__all__ = [
    "Billed",
    "Customer",
    "InvoicingInput",
    "InvoicingPlan",
    "Item",
    "Job",
    "KeptLine",
    "OurInvoice",
    "OurLine",
    "Person",
    "PlannedInvoice",
    "PlannedLine",
    "Problem",
    "Timesheet",
    "TrackingField",
    "XeroLine",
    "plan_invoices",
    "reference_for",
]
