"""Bill time in Xero: preview, send (journaled), undo and the invoices' status in Xero.

The wizard and the headless ``bill-time`` / ``invoices`` commands both go through here:

- :func:`preview_invoices` reads both sides (what changed since the last read, the range's
  timesheets, the people's approvals, the status of the invoices the product made) and plans
  with :func:`core.engine.invoicing.plan_invoices`. Nothing is written.
- :func:`send_invoices` journals each invoice before it is sent (``JournalEntry``, entity
  ``xero_invoice``), sends creates with ``PUT`` and updates of our drafts with ``POST`` (at
  most 50 per request, one ``Idempotency-Key`` per request), records the answer and which
  timesheets went on which line (``SentHours``).
- A run interrupted before its answers were recorded is reconciled first, by the invoice's
  ``Reference`` and contact: an invoice Xero made is recorded, never made twice.
- :func:`undo_invoicing` deletes the drafts a run created (``Status`` ``DELETED``), puts back
  the lines of drafts it updated, and lists the invoices approved or paid since (left alone).
  An undo whose answers were lost is settled by reading the drafts (:func:`_settle_undo`),
  by the next undo or billing run, before anything is sent again.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from core.app import item_names
from core.engine import invoice_wording
from core.engine import invoicing as engine
from core.engine.importer import ProgressCallback, ProgressEvent, close_interrupted
from core.engine.records import MERGE_HOPS, merge_survivor
from core.errors import (
    BillingStoppedAtDailyLimit,
    BridgeError,
    DailyLimitReached,
    UndoStoppedAtDailyLimit,
    said_by,
)
from core.i18n import N_, current_language, tr
from core.services.fetch import fetch_qbtime, load_snapshot
from core.services.qbtime import mapping as qbt_mapping
from core.services.xero.timezones import organisation_today, remember_timezone
from core.store.db import backup_after_writes
from core.store.models import (
    Connection,
    ImportRun,
    JournalEntry,
    Link,
    SentHours,
    Setting,
    db,
    utcnow,
)

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.records import XeroContact, XeroItem, XeroTrackingCategory
    from core.services.xero.client import XeroClient

log = logging.getLogger(__name__)

ENTITY = "xero_invoice"
BATCH = 50
#: Xero's own invoice page (the signed-in user's organisation)
XERO_INVOICE_URL = "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={id}"
STATUS_WORDS = {
    "DRAFT": N_("draft"),
    "SUBMITTED": N_("awaiting approval"),
    "AUTHORISED": N_("approved"),
    "PAID": N_("paid"),
    "DELETED": N_("deleted"),
    "VOIDED": N_("voided"),
}


class BadRange(BridgeError):
    message = "The range {start} to {end} is not valid: the first day must not be after the last."


# ---------------------------------------------------------------------------- results
@dataclass
class InvoiceStatus:
    invoice_id: str
    number: str
    contact: str
    total: float
    currency: str
    #: draft | awaiting approval | approved | paid | deleted | voided (what Xero says)
    status: str
    xero_status: str
    reference: str = ""
    amount_due: float | None = None
    amount_paid: float | None = None
    paid_on: str = ""
    url: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "invoice_id": self.invoice_id,
            "number": self.number,
            "contact": self.contact,
            "reference": self.reference,
            "total": self.total,
            "currency": self.currency,
            "status": self.status,
            "amount_due": self.amount_due,
            "amount_paid": self.amount_paid,
            "paid_on": self.paid_on,
            "url": self.url,
        }


@dataclass
class InvoicePreview:
    start: date
    end: date
    plan: engine.InvoicingPlan
    include_unapproved: bool = False
    name_people: bool = False
    #: Xero's copy of each draft the plan updates (its lines, for undo)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    hours_url: str = ""
    #: the language of the lines' text (``invoice_wording.LANGUAGES``), and whether it is
    #: the business's choice (False: proposed, nothing chosen yet)
    language: str = "en"
    language_chosen: bool = False
    #: what was planned from: another wording is planned again from it (nothing read)
    source: engine.InvoicingInput | None = field(default=None, repr=False, compare=False)

    @property
    def invoices(self) -> list[engine.PlannedInvoice]:
        return self.plan.invoices

    @property
    def problems(self) -> list[tuple[str, str]]:
        return [(p.who, p.reason()) for p in self.plan.problems]

    @property
    def is_empty(self) -> bool:
        return self.plan.is_empty


@dataclass
class InvoicingResult:
    preview: InvoicePreview
    run: ImportRun | None
    dry_run: bool
    counts: dict[str, int]
    #: the invoices written (or that would be): their lines, hours and amounts
    written: list[engine.PlannedInvoice]
    problems: list[tuple[str, str]]
    api_calls: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        amounts: dict[str, float] = {}
        by_tax: dict[tuple[str, str], float] = {}
        for inv in self.written:
            # what the lines (and hours) counted here come to, as the preview's headline
            amounts[inv.currency] = round(amounts.get(inv.currency, 0.0) + inv.lines_total, 2)
            # the same per currency and tax mode: before tax, tax included or no tax (Xero
            # works out the tax; the product never does)
            key = (inv.currency, inv.line_amount_types)
            by_tax[key] = round(by_tax.get(key, 0.0) + inv.lines_total, 2)
        return {
            "run_id": self.run.id if self.run is not None else None,
            "dry_run": self.dry_run,
            "range": {"from": self.preview.start.isoformat(), "to": self.preview.end.isoformat()},
            "invoice_language": self.preview.language,
            "invoices": {
                k: self.counts.get(k, 0) for k in ("created", "updated", "unchanged", "skipped")
            },
            "lines": sum(len(i.lines) for i in self.written),
            "hours": round(sum(i.hours for i in self.written), 2),
            "amount_by_currency": amounts,
            "amounts": [
                {"currency": c, "line_amount_types": t, "amount": v}
                for (c, t), v in sorted(by_tax.items())
            ],
            "problems": [{"who": who, "reason": reason} for who, reason in self.problems],
            "api_calls": self.api_calls,
        }


# ---------------------------------------------------------------------------- helpers
def invoice_url(invoice_id: str) -> str:
    """A link that opens the invoice in Xero (the signed-in organisation)."""
    return XERO_INVOICE_URL.format(id=invoice_id)


def hours_url(conn: Connection) -> str:
    """The QuickBooks Time account the hours are in (its ``client_url`` address), which each
    invoice's ``Url`` points back to; "" when only a numeric company id is known."""
    company = (conn.qbtime_company_id or "").strip().lower()
    if not company or company.isdigit() or not all(c.isalnum() or c == "-" for c in company):
        return ""
    return f"https://{company}.tsheets.com/"


def _calls(ctx: AppContext) -> dict[str, int]:
    services = ctx.counter.snapshot().get("services", {})

    def total(name: str) -> int:
        return int(sum(services.get(name, {}).get("by_method", {}).values()))

    return {"xero": total("Xero"), "qbtime": total("QuickBooks Time")}


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in ("xero", "qbtime")}


def _emit(progress: ProgressCallback | None, phase: str, done: int, total: int) -> None:
    if progress is not None:
        progress(ProgressEvent(phase, done, total, None))


def our_invoice_ids(conn: Connection) -> list[str]:
    """Every invoice the product made for ``conn`` (from the journal: created and answered)."""
    rows = (
        JournalEntry.select(JournalEntry.xero_id)
        .join(ImportRun)
        .where(
            (ImportRun.connection == conn)
            & (ImportRun.kind == "invoicing")
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.action == "create")
            & (JournalEntry.state == "done")
            & JournalEntry.xero_id.is_null(False)
        )
        .order_by(JournalEntry.id)
    )
    seen: dict[str, None] = {}
    for row in rows:
        seen[str(row.xero_id)] = None
    return list(seen)


def billing_invoice_ids(
    conn: Connection, start: date, end: date, timesheet_ids: Iterable[int]
) -> list[str]:
    """The invoices of ours whose state in Xero can change the plan of ``start``-``end``
    (:func:`core.engine.invoicing.plan_invoices` reads no other): the ones made for this
    range (its drafts to update, the References already used), and the ones holding hours
    still billed that are of the range (``timesheet_ids``: the range's timesheets, or billed
    for one of its days). Not the others, however many months of invoices pile up: an
    approved or paid invoice of another range, or a draft an undo deleted, plans nothing
    here. No network: one of ours whose Reference was changed in Xero to this range's is
    found by :func:`renamed_to_range`."""
    first, last = start.isoformat(), end.isoformat()
    runs = [
        int(r.id)
        for r in ImportRun.select(ImportRun.id, ImportRun.options).where(
            (ImportRun.connection == conn) & (ImportRun.kind == "invoicing")
        )
        if (r.options or {}).get("from") == first and (r.options or {}).get("to") == last
    ]
    out: dict[str, None] = {}
    if runs:
        made: Any = (
            JournalEntry.select(JournalEntry.xero_id)
            .where(
                JournalEntry.run.in_(runs)
                & (JournalEntry.entity_kind == ENTITY)
                & (JournalEntry.action == "create")
                & (JournalEntry.state == "done")
                & JournalEntry.xero_id.is_null(False)
            )
            .order_by(JournalEntry.id)
            .tuples()
        )
        for (xero_id,) in made:
            out[str(xero_id)] = None
    in_range = set(timesheet_ids)
    rows: Any = (
        SentHours.select(SentHours.xero_id, SentHours.qbt_timesheet_id, SentHours.day)
        .where(
            (SentHours.connection == conn)
            & (SentHours.target == "invoice")
            & (SentHours.active == True)  # noqa: E712
        )
        .order_by(SentHours.id)
        .tuples()
    )
    for xero_id, timesheet_id, day in rows:
        if int(timesheet_id) in in_range or first <= str(day or "") <= last:
            out[str(xero_id)] = None
    deleted = _deleted_by_undo(conn)
    return [i for i in out if i not in deleted]


def renamed_to_range(
    xero: XeroClient, conn: Connection, start: date, end: date
) -> dict[str, dict[str, Any]]:
    """Xero's copy of each invoice of ours that has one of the References of ``start``-``end``
    now, whatever range it was made for: a bookkeeper may change a draft's Reference in Xero
    to this range's, and the plan then updates it (or numbers a new one after it) as it
    would the range's own. One call (a page of 100 invoices), asking by the Reference's start
    in each language; none when the product never made an invoice for this business. The drafts an
    undo deleted are left out."""
    ours = set(our_invoice_ids(conn))
    if not ours:
        return {}
    refs = set().union(*(engine._range_references(start, end, n) for n in range(1, 100)))
    gone = _deleted_by_undo(conn)
    found = xero.invoices_by_reference_start(engine._range_references(start, end, 1))
    return {
        str(raw.get("InvoiceID")): raw
        for raw in found
        if str(raw.get("InvoiceID")) in ours
        and str(raw.get("InvoiceID")) not in gone
        and str(raw.get("Reference") or "") in refs
    }


def _deleted_by_undo(conn: Connection) -> set[str]:
    """The drafts an undo of a billing run deleted in Xero (answered): gone for good."""
    rows: Any = (
        JournalEntry.select(JournalEntry.xero_id)
        .join(ImportRun)
        .where(
            (ImportRun.connection == conn)
            & (ImportRun.kind == "undo")
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.action == "delete")
            & (JournalEntry.state == "done")
            & JournalEntry.xero_id.is_null(False)
        )
        .tuples()
    )
    return {str(xero_id) for (xero_id,) in rows}


def _cache_key(conn: Connection) -> str:
    return f"invoices:{conn.xero_tenant_id}"


#: What the cache keeps of an invoice that is not a draft: what the plan and the invoices'
#: list read of it (a draft is kept whole: its lines are planned on)
_KEPT_FIELDS = (
    "InvoiceID",
    "Type",
    "InvoiceNumber",
    "Reference",
    "Status",
    "CurrencyCode",
    "LineAmountTypes",
    "Total",
    "AmountDue",
    "AmountPaid",
    "FullyPaidOnDate",
    "UpdatedDateUTC",
)


def _kept(raw: dict[str, Any]) -> dict[str, Any]:
    if str(raw.get("Status") or "") in engine.EDITABLE:
        return raw
    out = {k: raw[k] for k in _KEPT_FIELDS if k in raw}
    contact = raw.get("Contact")
    if isinstance(contact, dict):
        out["Contact"] = {k: contact[k] for k in ("ContactID", "Name") if k in contact}
    return out


def read_our_invoices(
    xero: XeroClient,
    conn: Connection,
    wanted: Iterable[str] | None = None,
    *,
    fresh: dict[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Xero's copy of ``wanted`` invoices of ours (default: every one the product made), with
    as few calls as Xero allows. One Xero deleted or voided is never asked again (it never
    comes back); one read before is asked by ``IDs`` with ``If-Modified-Since`` the time it
    was last seen as it is (only the changed ones come back), a new one by ``IDs``; 50 ids a
    call. ``fresh``: invoices of ours just read from Xero another way (by their Reference):
    returned as they are and not asked again. The cache keeps a draft whole, of another
    invoice only what is planned or listed of it, and is written only when something
    changed."""
    fresh = fresh or {}
    ids = list(dict.fromkeys(str(i) for i in (our_invoice_ids(conn) if wanted is None else wanted)))
    ids += [i for i in fresh if i not in ids]
    if not ids:
        return {}
    cache = Setting.get_value(_cache_key(conn)) or {}
    known: dict[str, dict[str, Any]] = dict(cache.get("invoices") or {})
    legacy = "seen" not in cache  # (a cache from before: one time for all)
    seen: dict[str, float] = (
        {i: cache["since"] for i in known if cache.get("since") is not None}
        if legacy
        else dict(cache["seen"])
    )
    changed = legacy
    out: dict[str, dict[str, Any]] = {}
    asked: list[str] = []
    new: list[str] = []
    # (``fresh`` was the last invoices read: its server time is when they were seen)
    fresh_time = xero.last_fetch["invoices"].server_time if fresh else None
    for i in ids:
        raw = known.get(i)
        if i in fresh:
            kept = _kept(fresh[i])
            if raw != kept or seen.get(i) is None:
                known[i] = kept
                changed = True
                if fresh_time is not None:
                    seen[i] = fresh_time
            out[i] = kept
        elif raw is not None and str(raw.get("Status") or "") in engine.GONE:
            out[i] = raw
        elif raw is not None and seen.get(i) is not None:
            out[i] = raw
            asked.append(i)
        else:
            new.append(i)
    asked.sort(key=lambda i: (seen[i], i))  # a call asks its ids from the oldest time seen
    for start in range(0, len(asked), BATCH):
        chunk = asked[start : start + BATCH]
        answered = xero.invoices_by_ids(chunk, modified_since=min(seen[i] for i in chunk))
        now = xero.last_fetch["invoices"].server_time
        fresh = {str(r.get("InvoiceID")): _kept(r) for r in answered}
        if any(known.get(i) != raw for i, raw in fresh.items()):
            changed = True
            for i in chunk:
                if now is not None:
                    seen[i] = now
        for i, raw in fresh.items():
            known[i] = out[i] = raw
    if new:
        answered = xero.invoices_by_ids(new)
        now = xero.last_fetch["invoices"].server_time
        for raw in answered:
            i = str(raw.get("InvoiceID"))
            known[i] = out[i] = _kept(raw)
            if now is not None:
                seen[i] = now
            changed = True
    if changed:
        ours = set(our_invoice_ids(conn))
        known = {k: v for k, v in known.items() if k in ours}
        Setting.set_value(
            _cache_key(conn),
            {"invoices": known, "seen": {k: v for k, v in seen.items() if k in known}},
        )
    return out


def _forget_cache(conn: Connection, ids: Iterable[str]) -> None:
    cache = Setting.get_value(_cache_key(conn)) or {}
    known = dict(cache.get("invoices") or {})
    for i in ids:
        known.pop(i, None)
    Setting.set_value(_cache_key(conn), {**cache, "invoices": known})


def _status_of(raw: dict[str, Any], invoice_id: str) -> InvoiceStatus:
    from core.services.xero.mapping import xero_date

    status = str(raw.get("Status") or "")
    contact = raw.get("Contact") or {}

    def num(key: str) -> float | None:
        value = raw.get(key)
        return float(value) if isinstance(value, int | float) else None

    return InvoiceStatus(
        invoice_id=invoice_id,
        number=str(raw.get("InvoiceNumber") or ""),
        contact=str(contact.get("Name") or ""),
        total=num("Total") or 0.0,
        currency=str(raw.get("CurrencyCode") or ""),
        status=STATUS_WORDS.get(status, status.lower()),
        xero_status=status,
        reference=str(raw.get("Reference") or ""),
        amount_due=num("AmountDue"),
        amount_paid=num("AmountPaid"),
        paid_on=xero_date(raw.get("FullyPaidOnDate")) if raw.get("FullyPaidOnDate") else "",
        url=invoice_url(invoice_id),
    )


def invoice_statuses(ctx: AppContext, conn: Connection) -> list[InvoiceStatus]:
    """Each invoice the product made, as Xero says it is now (draft, approved, paid…)."""
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        raws = read_our_invoices(xero, conn)
    out = [_status_of(raws[i], i) for i in our_invoice_ids(conn) if i in raws]
    return sorted(out, key=lambda s: (s.number, s.invoice_id))


# ---------------------------------------------------------------------------- inputs
def _xero_items_field(conn: Connection) -> tuple[str | None, dict[int, str]]:
    """The import's items custom field (the field of the items linked to Xero items) and
    its items (QuickBooks Time id -> Xero item id)."""
    from core.store.models import QBTRecord

    links = {
        int(row.qbt_id): str(row.xero_id)
        for row in Link.select().where((Link.connection == conn) & (Link.kind == "item"))
    }
    if not links:
        return None, {}
    fields = {
        int(r.parent_id)
        for r in QBTRecord.select(QBTRecord.parent_id).where(
            (QBTRecord.connection == conn)
            & (QBTRecord.kind == "customfielditem")
            & (QBTRecord.qbt_id.in_(list(links)))
        )
        if r.parent_id
    }
    field_id = str(min(fields)) if len(fields) >= 1 else None
    return field_id, links


def _links(conn: Connection) -> dict[str, dict[str, int]]:
    links: dict[str, dict[str, int]] = {}
    rows: Any = (
        Link.select(Link.kind, Link.xero_id, Link.qbt_id).where(Link.connection == conn).tuples()
    )
    for kind, xero_id, qbt_id in rows:
        links.setdefault(kind, {})[xero_id] = int(qbt_id)
    return links


@dataclass
class _XeroSide:
    """What billing reads from Xero each time: the linked customers' contacts (archived?),
    the items (price, sold?) and the tracking categories."""

    contacts: list[XeroContact]
    items: list[XeroItem]
    tracking: list[XeroTrackingCategory]


def _read_xero_side(xero: XeroClient, conn: Connection, customers: set[int]) -> _XeroSide:
    """Only the contacts of ``customers`` (the linked customers that have billable hours in
    the range), 50 ids a call: the others' contacts are not needed to bill (but the one a
    contact of theirs was merged into, to name it)."""
    wanted = [x for x, q in _links(conn).get("customer", {}).items() if q in customers]
    contacts = xero.contacts_by_ids(wanted) if wanted else []
    # A contact merged into another in Xero: the one it was merged into is read too (one
    # more call, only then), so the hours left out can name where they belong now.
    for _hop in range(MERGE_HOPS):
        read = {c.contact_id for c in contacts}
        survivors = sorted({c.merged_to for c in contacts if c.merged_to} - read)
        if not survivors:
            break
        contacts += xero.contacts_by_ids(survivors)
    return _XeroSide(contacts, xero.items(), xero.tracking_categories())


def _jobs(snap: Any) -> dict[int, engine.Job]:
    return {
        j.id: engine.Job(
            j.id,
            j.parent_id,
            j.name,
            bool(j.raw.get("billable")),
            float(j.raw["billable_rate"])
            if isinstance(j.raw.get("billable_rate"), int | float)
            else None,
        )
        for j in snap.jobcodes
    }


def _timesheets(raw_timesheets: list[dict[str, Any]]) -> list[engine.Timesheet]:
    return [
        engine.Timesheet(
            int(t["id"]),
            int(t.get("user_id") or 0),
            int(t.get("jobcode_id") or 0),
            str(t.get("date") or ""),
            int(t.get("duration") or 0),
            str(t.get("last_modified") or ""),
            {str(k): str(v) for k, v in (t.get("customfields") or {}).items()}
            if isinstance(t.get("customfields"), dict)
            else {},
            on_the_clock=qbt_mapping.as_bool(t.get("on_the_clock")),
        )
        for t in raw_timesheets
        if isinstance(t, dict) and t.get("id") is not None
    ]


def _input(
    ctx: AppContext,
    conn: Connection,
    start: date,
    end: date,
    *,
    include_unapproved: bool,
    name_people: bool,
    invoices: dict[str, dict[str, Any]],
    people: dict[int, engine.Person],
    base_currency: str,
    xero_side: _XeroSide,
    default_line_amount_types: str = "",
    default_terms: tuple[int, str] | None = None,
    snap: Any,
    timesheets: list[engine.Timesheet],
) -> engine.InvoicingInput:
    links = _links(conn)
    contacts = {c.contact_id: c for c in xero_side.contacts}
    customers: dict[int, engine.Customer] = {}
    for xero_id, qbt_id in links.get("customer", {}).items():
        contact = contacts.get(xero_id)
        if contact is None:
            continue
        survivor = merge_survivor(contact, contacts) if contact.merged_to else None
        customers[qbt_id] = engine.Customer(
            contact.contact_id,
            contact.name,
            archived=contact.status == "ARCHIVED",
            currency=str(contact.raw.get("DefaultCurrency") or ""),
            line_amount_types=engine.line_amount_types_of(
                contact.raw.get("SalesDefaultLineAmountType")
            ),
            merged=bool(contact.merged_to),
            merged_into=survivor.name if survivor is not None else "",
            terms=engine.terms_of(contact.raw.get("PaymentTerms")),
        )
    jobs = _jobs(snap)
    # Items: the values of the import's items field -> the Xero items they are linked to.
    field_id, item_links = _xero_items_field(conn)
    xitems = {i.item_id: i for i in xero_side.items}
    cf_items = {i.id: i for i in snap.customfielditems}
    linked_items: dict[int, engine.Item] = {}
    for qbt_id, xero_id in item_links.items():
        cfi, xi = cf_items.get(qbt_id), xitems.get(xero_id)
        if cfi is None or xi is None:
            continue
        linked_items[qbt_id] = engine.Item(xi.item_id, xi.code, xi.name, xi.is_sold, xi.unit_price)
    # A timesheet holds the name its item had when it was picked: hours tagged before an
    # import renamed the item (or before its undo named it back) are that item's too.
    items = item_names.values_of(
        conn,
        (
            (i.id, i.name)
            for i in snap.customfielditems
            if i.id in linked_items or str(i.customfield_id) == field_id
        ),
        linked_items,
        str.strip,
    )
    # Tracking: QuickBooks Time fields linked to Xero tracking categories.
    tracking: list[engine.TrackingField] = []
    categories = {c.category_id: c for c in xero_side.tracking}
    options = {o.option_id: o for c in xero_side.tracking for o in c.options}
    option_links = links.get("tracking_option", {})
    for cat_id, cf_id in sorted(links.get("tracking_category", {}).items(), key=lambda kv: kv[1]):
        cat = categories.get(cat_id)
        if cat is None or cat.status == "ARCHIVED":
            continue
        linked_options: dict[int, tuple[bool, str]] = {}  # item -> (option active?, name)
        for opt_id, item_id in option_links.items():
            opt, cfi = options.get(opt_id), cf_items.get(item_id)
            if opt is None or cfi is None or cfi.customfield_id != cf_id:
                continue
            linked_options[item_id] = (opt.status == "ACTIVE", opt.name)
        # (as for items: a name the option's item had before an import renamed it is its too)
        values = item_names.values_of(
            conn,
            ((i.id, i.name) for i in snap.customfielditems if i.customfield_id == cf_id),
            linked_options,
            str.strip,
        )
        names = {v: name for v, (active, name) in values.items() if active}
        archived = {v: name for v, (active, name) in values.items() if not active}
        tracking.append(engine.TrackingField(str(cf_id), cat.name, names, archived))
    billed = [
        engine.Billed(
            int(r.qbt_timesheet_id),
            r.qbt_last_modified,
            r.xero_id,
            r.line_key,
            float(r.hours),
            str(r.day or ""),
            float(r.amount or 0.0),
        )
        for r in SentHours.select().where(
            (SentHours.connection == conn)
            & (SentHours.target == "invoice")
            & (SentHours.active == True)  # noqa: E712
        )
    ]
    ours = {
        i: engine.OurInvoice(
            i,
            str((raw.get("Contact") or {}).get("ContactID") or ""),
            str(raw.get("Reference") or ""),
            str(raw.get("Status") or ""),
            str(raw.get("InvoiceNumber") or ""),
            str((raw.get("Contact") or {}).get("Name") or ""),
            str(raw.get("CurrencyCode") or ""),
            str(raw.get("LineAmountTypes") or ""),
        )
        for i, raw in invoices.items()
    }
    # Our drafts' lines as Xero holds them now, and the lines the product made on them.
    draft_lines = {
        i: [engine.xero_line(x) for x in raw.get("LineItems") or [] if isinstance(x, dict)]
        for i, raw in invoices.items()
        if str(raw.get("Status") or "") in engine.EDITABLE
    }
    return engine.InvoicingInput(
        start=start,
        end=end,
        timesheets=timesheets,
        draft_lines=draft_lines,
        our_lines=our_lines(conn, draft_lines),
        jobs=jobs,
        people=people,
        customers=customers,
        item_field_id=field_id,
        items=items,
        tracking=tracking[: engine.MAX_TRACKING],
        billed=billed,
        invoices=ours,
        include_unapproved=include_unapproved,
        name_people=name_people,
        base_currency=base_currency,
        default_line_amount_types=default_line_amount_types,
        default_terms=default_terms,
    )


def look_alikes(conn: Connection, snap: Any) -> dict[int, str]:
    """The QuickBooks Time customers "Review look-alike records" lists as the look-alike of a
    Xero contact: jobcode id -> that contact's name (the first by name). From what the last
    plan offered (core.engine.snapshots.remembered_lookalikes): no plan is made for a bill
    (a whole plan of a large organisation costs seconds, and writes what it offered)."""
    from core.engine.snapshots import remembered_lookalikes

    offered = remembered_lookalikes(conn).get("customer", {})
    if not offered:
        return {}
    names = {c.contact_id: c.name for c in snap.contacts if c.contact_id in offered}
    out: dict[int, str] = {}
    for xero_id in sorted(offered, key=lambda x: (names.get(x, ""), x)):
        if xero_id in names:
            for qbt_id in offered[xero_id]:
                out.setdefault(qbt_id, names[xero_id])
    return out


def our_lines(conn: Connection, wanted: Iterable[str]) -> dict[str, list[engine.OurLine]]:
    """The lines the product made on each of ``wanted`` invoices: those of the last run that
    wrote the invoice and was not undone, with the ``LineItemID`` Xero answered. A run from
    before the ids were kept gives its lines without id (found in Xero by what they say):
    its body's lines are its lines' keys in order."""
    ids = sorted(set(wanted))
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit of bound values
        rows = (
            JournalEntry.select(JournalEntry.id, JournalEntry.xero_id, JournalEntry.after)
            .join(ImportRun)
            .where(
                (ImportRun.connection == conn)
                & (ImportRun.kind == "invoicing")
                & (ImportRun.status != "undone")
                & (JournalEntry.entity_kind == ENTITY)
                & (JournalEntry.action.in_(["create", "update"]))
                & (JournalEntry.state == "done")
                & (JournalEntry.xero_id.in_(ids[start : start + 500]))
            )
            .order_by(JournalEntry.id)
        )
        for row in rows:
            latest[str(row.xero_id)] = (int(row.id), row.after or {})
    out: dict[str, list[engine.OurLine]] = {}
    for invoice_id, (_id, after) in latest.items():
        if isinstance(after.get("lines"), list):
            out[invoice_id] = [_our_line(x) for x in after["lines"] if isinstance(x, dict)]
            continue
        body_lines = (after.get("body") or {}).get("LineItems") or []
        keys = sorted({str(r[2]) for r in after.get("sent") or [] if len(r) > 2})
        if len(keys) != len(body_lines):
            out[invoice_id] = []
            continue
        out[invoice_id] = [
            _our_line({**line, "key": key, "LineItemID": ""})
            for key, line in zip(keys, body_lines, strict=True)
            if isinstance(line, dict)
        ]
    return out


def _our_line(x: dict[str, Any]) -> engine.OurLine:
    line = engine.xero_line(x)
    return engine.OurLine(
        str(x.get("key") or ""),
        line.line_item_id,
        line.description,
        line.quantity,
        line.unit_amount,
        line.item_code,
        line.tracking,
    )


_LINE_FIELDS = ("Description", "Quantity", "UnitAmount", "ItemCode", "Tracking", "LineItemID")


def _lines_answered(
    body: dict[str, Any], keys: list[str | None], answer: dict[str, Any]
) -> list[dict[str, Any]]:
    """Our lines as Xero answered them, each with its key and ``LineItemID``. The answer's
    order is not the order sent (Xero puts an update's new lines before the lines it keeps:
    Xero-NetStandard#374, xero-python#111): a line sent with its ``LineItemID`` is the
    answered line of that id; a new line is the first answered line not yet taken that says
    the same (description, quantity, price, item, tracking: ``engine.same_line``). A line
    found in neither way is kept without its id (found again later by what it says)."""
    sent = body.get("LineItems") or []
    got = [x for x in answer.get("LineItems") or [] if isinstance(x, dict)]
    by_id = {str(x.get("LineItemID") or "").lower(): n for n, x in enumerate(got)}
    by_id.pop("", None)
    taken: set[int] = set()
    found: list[int | None] = []
    for line in sent:  # lines named by id first: a new line never takes a kept line's answer
        lid = str((line.get("LineItemID") if isinstance(line, dict) else "") or "").lower()
        n = by_id.get(lid) if lid else None
        found.append(n)
        if n is not None:
            taken.add(n)
    for i, line in enumerate(sent):
        if found[i] is not None or not isinstance(line, dict):
            continue
        mine = engine.xero_line(line)
        n = next(
            (
                n
                for n, x in enumerate(got)
                if n not in taken and engine.same_line(mine, engine.xero_line(x))
            ),
            None,
        )
        found[i] = n
        if n is not None:
            taken.add(n)
    out = []
    for line, key, n in zip(sent, keys, found, strict=True):
        if key is None:
            continue
        back = got[n] if n is not None else {**line, "LineItemID": ""}
        out.append({"key": key, **{f: back[f] for f in _LINE_FIELDS if f in back}})
    return out


def _wording_key(conn: Connection) -> str:
    return f"invoice_language:{conn.id}"


def chosen_wording(conn: Connection) -> str | None:
    """The language the business chose for its invoices' text (None: not chosen yet)."""
    value = Setting.get_value(_wording_key(conn))
    return value if value in invoice_wording.LANGUAGES else None


def choose_wording(conn: Connection, language: str) -> None:
    """Remember the language of this business's invoice text (for the app and the commands)."""
    if language not in invoice_wording.LANGUAGES:
        raise ValueError(language)
    Setting.set_value(_wording_key(conn), language)


def proposed_wording(conn: Connection, organisation: dict[str, Any] | None) -> str:
    """The wording proposed before the business chooses: French for an organisation in Québec
    (its addresses, as Xero's ``GET /Organisation`` gives them) or an app running in French."""
    org = organisation or {}
    regions = [
        str(a.get("Region") or "") for a in org.get("Addresses") or [] if isinstance(a, dict)
    ]
    country = str(org.get("CountryCode") or conn.xero_country_code or "")
    return invoice_wording.default_language(country, regions, current_language())


def reword_preview(conn: Connection, preview: InvoicePreview, language: str) -> InvoicePreview:
    """The same preview with the lines worded in ``language``, which becomes the business's
    choice. Planned again from what the preview read (nothing is read or sent): the drafts
    seen are the same, so the send still refuses one changed in Xero since."""
    choose_wording(conn, language)
    if preview.source is None:
        raise ValueError("a preview without its inputs cannot be worded again")
    source = dataclasses.replace(preview.source, language=language)
    return dataclasses.replace(
        preview,
        plan=engine.plan_invoices(source),
        language=language,
        language_chosen=True,
        source=source,
    )


def billing_today(conn: Connection) -> date:
    """Today in the organisation's own time zone (no network): the range proposed ends the
    day before, and a range starting after it holds no hours yet."""
    return organisation_today(conn)


def turn_invoicing_on() -> None:
    """Remember that the user turned invoicing on: the next Xero sign-in asks for the scope
    that writes invoices (never asked before)."""
    from core.services.auth.xero_oauth import INVOICING_SETTING

    Setting.set_value(INVOICING_SETTING, True)


def check_scopes(ctx: AppContext, conn: Connection) -> None:
    """Turn invoicing on, then refuse, with the sentence that says why, a Xero sign-in that
    was made without the permission to write invoices (a new sign-in adds it)."""
    from core.services.auth.xero_oauth import require_invoice_scopes

    turn_invoicing_on()
    require_invoice_scopes(ctx.xero_tokens_for(conn).token_set(), ctx.xero_settings.scopes_legacy)


# ---------------------------------------------------------------------------- preview
@said_by(BillingStoppedAtDailyLimit)
def preview_invoices(
    ctx: AppContext,
    conn: Connection,
    start: date,
    end: date,
    *,
    include_unapproved: bool = False,
    name_people: bool = False,
    language: str | None = None,
    progress: ProgressCallback | None = None,
) -> InvoicePreview:
    """Read both sides and plan the range's invoices; nothing is written. The lines are
    worded in ``language``, else the business's choice, else the one proposed for it."""
    if start > end:
        raise BadRange(start=start.isoformat(), end=end.isoformat())
    if language is not None and language not in invoice_wording.LANGUAGES:
        raise ValueError(f"no invoice wording in {language!r}")
    _emit(progress, "fetch", 0, 4)
    fetch_qbtime(ctx, conn)  # jobs (billable, rates), custom fields and their items
    xero = ctx.xero_client(conn.xero_tenant_id)
    qbt = ctx.qbtime_client(ctx.qbtime_token_for(conn), conn.id)
    # The hours first: only the customers that have some need their Xero contact read.
    _emit(progress, "hours", 1, 4)
    with qbt.session:
        # (shifts still on the clock come in the same pages: reported, never billed; their
        # people are read with the others, for their names)
        raw_ts = qbt.timesheets_for_invoicing(start, end)
        user_ids = sorted({int(t["user_id"]) for t in raw_ts if t.get("user_id")})
        users = qbt.users(ids=user_ids) if user_ids else []
    snap = load_snapshot(conn)
    jobs = _jobs(snap)
    timesheets = _timesheets(raw_ts)
    with xero.session:
        _emit(progress, "reconcile", 2, 4)
        reconcile(conn, xero)
        org = xero.organisation()
        remember_timezone(conn.xero_tenant_id, org.timezone)
        xero_side = _read_xero_side(
            xero, conn, engine.customers_with_hours(jobs, timesheets, start, end)
        )
        invoices = read_our_invoices(
            xero,
            conn,
            billing_invoice_ids(conn, start, end, (t.id for t in timesheets)),
            fresh=renamed_to_range(xero, conn, start, end),
        )
    people = {
        u.id: engine.Person(
            u.id,
            f"{u.first_name} {u.last_name}".strip(),
            str(u.raw.get("approved_to") or ""),
        )
        for u in users
    }
    inp = _input(
        ctx,
        conn,
        start,
        end,
        include_unapproved=include_unapproved,
        name_people=name_people,
        invoices=invoices,
        people=people,
        base_currency=org.base_currency,
        xero_side=xero_side,
        # (read with the base currency: the same GET /Organisation)
        default_line_amount_types=engine.line_amount_types_of(
            (getattr(xero, "organisation_raw", None) or {}).get("DefaultSalesTax")
        ),
        default_terms=engine.terms_of(
            (getattr(xero, "organisation_raw", None) or {}).get("PaymentTerms")
        ),
        snap=snap,
        timesheets=timesheets,
    )
    inp.look_alikes = look_alikes(conn, snap)
    chosen = chosen_wording(conn)
    inp.language = (
        language or chosen or proposed_wording(conn, getattr(xero, "organisation_raw", None))
    )
    plan = engine.plan_invoices(inp)
    drafts = {
        inv.invoice_id: invoices[inv.invoice_id]
        for inv in plan.invoices
        if inv.invoice_id and inv.invoice_id in invoices
    }
    _emit(progress, "planned", 4, 4)
    return InvoicePreview(
        start,
        end,
        plan,
        include_unapproved,
        name_people,
        drafts,
        hours_url(conn),
        language=inp.language,
        language_chosen=bool(language or chosen),
        source=inp,
    )


# ---------------------------------------------------------------------------- send
def _sent_rows(inv: engine.PlannedInvoice) -> list[list[Any]]:
    rows = []
    # Hours on a line that is someone else's in Xero now: still billed, under a key no
    # planned line has (they are never placed on a line of ours again).
    for b in inv.kept_billed:
        key = b.line_key if b.line_key.startswith("xero:") else f"xero:{b.line_key}"
        rows.append([b.timesheet_id, b.last_modified, key, b.day, b.hours, b.amount])
    for line in inv.lines:
        for ts in line.timesheets:
            hours = engine.hours_of(ts.seconds)
            rows.append(
                [
                    ts.id,
                    ts.last_modified,
                    line.key,
                    ts.day,
                    hours,
                    round(hours * line.unit_price, 2),
                ]
            )
    return rows


def _record_sent(
    run: ImportRun, conn: Connection, invoice_id: str, rows: list[list[Any]], currency: str
) -> list[int]:
    ids = []
    for ts_id, lm, key, day, hours, amount in rows:
        row = SentHours.create(
            run=run,
            connection=conn,
            target="invoice",
            qbt_timesheet_id=int(ts_id),
            qbt_last_modified=str(lm),
            xero_id=invoice_id,
            line_key=str(key),
            day=str(day),
            hours=float(hours),
            amount=float(amount),
            currency=currency,
        )
        ids.append(int(row.id))
    return ids


def _deactivate(conn: Connection, invoice_id: str) -> list[int]:
    rows = list(
        SentHours.select(SentHours.id).where(
            (SentHours.connection == conn)
            & (SentHours.target == "invoice")
            & (SentHours.xero_id == invoice_id)
            & (SentHours.active == True)  # noqa: E712
        )
    )
    ids = [int(r.id) for r in rows]
    if ids:
        SentHours.update(active=False).where(SentHours.id.in_(ids)).execute()
    return ids


def _errors(answer: dict[str, Any]) -> str:
    errs = answer.get("ValidationErrors") or []
    text = "; ".join(str(e.get("Message")) for e in errs if isinstance(e, dict))
    if text or answer.get("HasErrors") or answer.get("StatusAttributeString") == "ERROR":
        return text or "refused by Xero"
    return ""


def _next_seq(run: ImportRun) -> int:
    last = (
        JournalEntry.select(JournalEntry.seq)
        .where(JournalEntry.run == run)
        .order_by(JournalEntry.seq.desc())
        .first()
    )
    return (int(last.seq) + 1) if last is not None else 1


def _still_as_previewed(
    xero: XeroClient,
    preview: InvoicePreview,
    todo: list[engine.PlannedInvoice],
    counts: dict[str, int],
    problems: list[tuple[str, str]],
) -> list[engine.PlannedInvoice]:
    """The drafts to update read again just before sending (50 a call): one changed in Xero
    since the preview (someone edited it) is not sent, so their change is never overwritten
    with the lines the preview read; billing again shows it as it is now."""
    ids = [i.invoice_id for i in todo if i.action == "update" and i.invoice_id]
    if not ids:
        return todo
    now = {str(r.get("InvoiceID")): r for r in xero.invoices_by_ids(ids)}
    out = []
    for inv in todo:
        if inv.action != "update":
            out.append(inv)
            continue
        seen = preview.drafts.get(inv.invoice_id) or {}
        raw = now.get(inv.invoice_id) or {}
        same = raw.get("Status") == engine.DRAFT and (
            raw.get("UpdatedDateUTC") == seen.get("UpdatedDateUTC")
            and (raw.get("LineItems") or []) == (seen.get("LineItems") or [])
        )
        if same:
            out.append(inv)
            continue
        _not_sent(
            counts,
            problems,
            inv,
            N_(
                "Draft {invoice} was changed in Xero after the preview: it is not "
                "updated, so that change is kept. Bill these days again to see it as it "
                "is now."
            ),
            invoice=inv.number or inv.invoice_id,
        )
    return out


def _not_sent(
    counts: dict[str, int],
    problems: list[tuple[str, str]],
    inv: engine.PlannedInvoice,
    message: str,
    **params: Any,
) -> None:
    """``inv`` is not sent in this run: counted as skipped, and why, under its customer."""
    counts["skipped"] += 1
    problems.append((inv.contact_name, tr(message, **params)))


def billing_steps(preview: InvoicePreview) -> list[tuple[int, int]]:
    """The Xero calls of sending ``preview``, as (calls, invoices) in the order
    :func:`send_invoices` makes them: the drafts to update read again (50 a call), then each
    wave's invoices, 50 a call. What core.app.estimate works out the time and Xero's day
    from."""
    todo = preview.plan.to_write
    updates = sum(1 for i in todo if i.action == "update" and i.invoice_id)
    steps = [(math.ceil(updates / BATCH), 0)] if updates else []
    for _create, wave in _waves(todo):
        steps.extend((1, len(wave[n : n + BATCH])) for n in range(0, len(wave), BATCH))
    return steps


def estimate_billing(ctx: AppContext, conn: Connection, preview: InvoicePreview) -> Any:
    """The Xero calls billing ``preview`` makes, how long Xero's limits make it and how far
    today's calls go (core.app.estimate.XeroRunEstimate)."""
    from core.app.estimate import estimate_xero_for

    return estimate_xero_for(ctx, conn, "billing", billing_steps(preview))


def _waves(
    todo: list[engine.PlannedInvoice],
) -> list[tuple[bool, list[engine.PlannedInvoice]]]:
    """The order of the writes, as (create?, invoices): first the updates of our drafts that
    hours moved to another customer are taken off, then the new drafts, then the other
    updates; hours are never on two invoices at once, even if a run stops half-way."""
    sources = {x for inv in todo for x in inv.takes_from}
    first = [i for i in todo if i.action == "update" and i.invoice_id in sources]
    rest = [i for i in todo if not (i.action == "update" and i.invoice_id in sources)]
    return [
        (False, first),
        (True, [i for i in rest if i.action == "create"]),
        (False, [i for i in rest if i.action != "create"]),
    ]


def _takers_ready(
    preview: InvoicePreview,
    wave: list[engine.PlannedInvoice],
    updating: set[str],
    counts: dict[str, int],
    problems: list[tuple[str, str]],
) -> list[engine.PlannedInvoice]:
    """``wave`` without the invoices that take hours from a draft of ours this run does not
    update (``updating``: not changed in Xero after the preview, not refused): those hours
    are still on that draft, so they are not billed here too."""
    numbers = {i.invoice_id: i.number or i.invoice_id for i in preview.invoices}
    ready = []
    for inv in wave:
        missing = sorted(inv.takes_from - updating)
        if not missing:
            ready.append(inv)
            continue
        _not_sent(
            counts,
            problems,
            inv,
            N_(
                "Hours moved to this customer in QuickBooks Time are still on draft "
                "{invoice}, which was not updated: this invoice is not sent, so those "
                "hours are never billed twice. Bill these days again."
            ),
            invoice=", ".join(numbers.get(x, x) for x in missing),
        )
    return ready


def send_invoices(
    ctx: AppContext,
    conn: Connection,
    preview: InvoicePreview,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> InvoicingResult:
    """Write the previewed invoices (journaled). A run that writes nothing makes no run."""
    started_calls = _calls(ctx)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    problems = list(preview.problems)
    written: list[engine.PlannedInvoice] = []
    todo = preview.plan.to_write
    for inv in preview.invoices:
        if inv.action not in ("create", "update"):
            counts["unchanged" if inv.action == "unchanged" else "skipped"] += 1
    if not todo:
        return InvoicingResult(preview, None, False, counts, [], problems, _calls(ctx))
    check_scopes(ctx, conn)
    close_interrupted(conn)
    from core.app.estimate import refuse_while_daily_stop

    refuse_while_daily_stop(ctx, conn, BillingStoppedAtDailyLimit, len(todo))
    xero = ctx.xero_client(conn.xero_tenant_id)
    run = ImportRun.create(
        connection=conn,
        kind="invoicing",
        status="running",
        options={
            "from": preview.start.isoformat(),
            "to": preview.end.isoformat(),
            "include_unapproved": preview.include_unapproved,
            "name_people": preview.name_people,
            "language": preview.language,
        },
        started_at=utcnow(),
    )
    url = preview.hours_url
    done_count = 0
    try:
        with xero.session:
            todo = _still_as_previewed(xero, preview, todo, counts, problems)
            writing = {i.invoice_id for i in todo if i.invoice_id}
            refused: set[str] = set()
            for create, wave in _waves(todo):
                group = _takers_ready(preview, wave, writing - refused, counts, problems)
                sending = {id(i) for i in group}
                refused |= {i.invoice_id for i in wave if id(i) not in sending and i.invoice_id}
                for start in range(0, len(group), BATCH):
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled()
                    chunk = group[start : start + BATCH]
                    key = f"xqb-{conn.id}-{run.id}-{uuid.uuid4().hex}"
                    entries = []
                    bodies = []
                    seq = _next_seq(run)
                    for n, inv in enumerate(chunk):
                        body = inv.as_xero(preview.start, preview.end, url)
                        keys = inv.line_items()[1]
                        bodies.append(body)
                        before: dict[str, Any] | None = None
                        if not create:
                            old = preview.drafts.get(inv.invoice_id) or {}
                            before = {"LineItems": old.get("LineItems"), "sent_rows": []}
                        entries.append(
                            JournalEntry.create(
                                run=run,
                                seq=seq + n,
                                action="create" if create else "update",
                                entity_kind=ENTITY,
                                xero_id=inv.invoice_id or None,
                                batch_key=key,
                                before=before,
                                after={
                                    "body": body,
                                    "keys": keys,
                                    "sent": _sent_rows(inv),
                                    "contact_id": inv.contact_id,
                                    "reference": inv.reference,
                                    "currency": inv.currency,
                                },
                            )
                        )
                    try:
                        answers = xero.write_invoices(bodies, create=create, idempotency_key=key)
                    except Exception as exc:
                        maybe = bool(getattr(exc, "maybe_applied", True))
                        for entry in entries:
                            entry.state = "unknown" if maybe else "failed"
                            entry.error = type(exc).__name__
                            entry.save()
                        raise
                    for inv, entry, answer in zip(chunk, entries, answers, strict=True):
                        error = _errors(answer)
                        if error:
                            entry.state, entry.error = "failed", error
                            entry.save()
                            counts["skipped"] += 1
                            refused.add(inv.invoice_id)
                            problems.append(
                                (
                                    inv.contact_name,
                                    tr(
                                        N_("Xero refused the invoice: {error}"),
                                        error=error,
                                    ),
                                )
                            )
                            continue
                        invoice_id = str(answer.get("InvoiceID") or inv.invoice_id)
                        rows = entry.after["sent"]
                        # one write: the hours an update replaced are kept in its entry as
                        # they stop being billed (its undo bills them again), never lost
                        # to a kill between the two
                        with db.atomic():
                            if not create:
                                entry.before = {
                                    **(entry.before or {}),
                                    "sent_rows": _deactivate(conn, invoice_id),
                                }
                            _record_sent(run, conn, invoice_id, rows, inv.currency)
                            entry.after = {
                                **entry.after,
                                "lines": _lines_answered(
                                    entry.after["body"], entry.after["keys"], answer
                                ),
                                "answer_ids": [
                                    str(x.get("LineItemID") or "")
                                    for x in answer.get("LineItems") or []
                                    if isinstance(x, dict)
                                ],
                            }
                            entry.xero_id = invoice_id
                            entry.state = "done"
                            entry.save()
                        counts["created" if create else "updated"] += 1
                        written.append(inv)
                    done_count += len(chunk)
                    _emit(progress, "send", done_count, len(todo))
    except _Cancelled:
        run.status = "cancelled"
    except BaseException as exc:
        run.status = "failed"
        run.finished_at = utcnow()
        run.counts = _with_outcomes(counts)
        run.save()
        backup_after_writes()  # (what reached Xero, kept in the copy a restore puts back)
        if isinstance(exc, DailyLimitReached):
            # Xero's day is used up: the run stops here, said with what was written and what
            # not (billing the same days again writes the rest, never an invoice twice)
            total = len(preview.plan.to_write)
            sent = counts["created"] + counts["updated"]
            raise exc.during(
                BillingStoppedAtDailyLimit, done=sent, total=total, left=total - sent
            ) from exc
        raise
    else:
        run.status = "done"
    run.finished_at = utcnow()
    run.counts = _with_outcomes(counts)
    run.save()
    backup_after_writes()
    if written:
        _forget_cache(conn, [i.invoice_id for i in written if i.invoice_id])
        if chosen_wording(conn) is None and preview.language in invoice_wording.LANGUAGES:
            # the drafts in Xero are worded so now: the business's next ones too, whoever
            # runs the next billing (a scheduled task in English, the bookkeeper in French)
            choose_wording(conn, preview.language)
    return InvoicingResult(
        preview, run, False, counts, written, problems, _delta(started_calls, _calls(ctx))
    )


class _Cancelled(Exception):
    pass


def _with_outcomes(counts: dict[str, int]) -> dict[str, Any]:
    """The run's counts, with the ``outcomes`` block the history shows (per verb, per kind)."""
    outcomes = {
        verb: {"invoices": counts[verb]} for verb in ("created", "updated") if counts.get(verb)
    }
    return {**counts, "outcomes": outcomes}


def bill_time(
    ctx: AppContext,
    conn: Connection,
    *,
    start: date,
    end: date,
    dry_run: bool = False,
    include_unapproved: bool = False,
    name_people: bool = False,
    language: str | None = None,
) -> InvoicingResult:
    """The headless command's one call: preview, then send unless ``dry_run``. The lines are
    worded in ``language`` (remembered as the business's choice once sent), else in the one
    chosen for the business, else the one proposed for it."""
    before = _calls(ctx)
    preview = preview_invoices(
        ctx,
        conn,
        start,
        end,
        include_unapproved=include_unapproved,
        name_people=name_people,
        language=language,
    )
    if dry_run:
        counts = preview.plan.counts()
        result = InvoicingResult(
            preview, None, True, counts, preview.plan.to_write, preview.problems
        )
    else:
        if language:
            choose_wording(conn, language)
        result = send_invoices(ctx, conn, preview)
    result.api_calls = _delta(before, _calls(ctx))
    log.info("Bill time of %s: %s", conn.xero_tenant_name, result.as_json())
    return result


# ---------------------------------------------------------------------------- reconcile
def reconcile(conn: Connection, xero: XeroClient) -> int:
    """Journal entries of invoicing runs whose answer was never recorded (a crash, a lost
    answer): a created invoice is looked up by its Reference and contact and recorded, so
    the next plan does not make it again; anything else is marked failed (the plan redoes
    it). The writes of an undo of a billing run are settled by reading the drafts
    (:func:`_settle_undo`). Returns how many invoices were found."""
    found = 0
    entries = list(
        JournalEntry.select()
        .join(ImportRun)
        .where(
            (ImportRun.connection == conn)
            & (ImportRun.kind.in_(["invoicing", "undo"]))
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.state.in_(["intent", "unknown"]))
        )
        .order_by(JournalEntry.id)
    )
    undos = {int(e.run.id): e.run for e in entries if e.run.kind == "undo"}
    for _number, undo_run in sorted(undos.items()):
        _settle_undo(conn, xero, undo_run, {})
    entries = [e for e in entries if e.run.kind != "undo"]
    known = set(our_invoice_ids(conn))
    for entry in entries:
        after = entry.after or {}
        if entry.action == "create":
            hits = [
                raw
                for raw in xero.invoices_by_reference(str(after.get("reference") or ""))
                if str((raw.get("Contact") or {}).get("ContactID") or "").lower()
                == str(after.get("contact_id") or "").lower()
                and raw.get("Status") not in engine.GONE
                and str(raw.get("InvoiceID")) not in known
            ]
            if hits:
                invoice_id = str(hits[0]["InvoiceID"])
                with db.atomic():
                    _record_sent(
                        entry.run,
                        conn,
                        invoice_id,
                        after.get("sent") or [],
                        after.get("currency", ""),
                    )
                    entry.xero_id, entry.state, entry.error = invoice_id, "done", None
                    entry.save()
                known.add(invoice_id)
                found += 1
                continue
        if entry.action == "update" and entry.xero_id:
            if _update_applied(conn, xero, entry):
                found += 1
                continue
        entry.state = "failed"
        entry.error = (entry.error or "") + " (not found in Xero afterwards)"
        entry.save()
    for run in {e.run for e in entries}:
        if run.status == "running":
            run.status = "failed"
            run.finished_at = utcnow()
            run.save()
    return found


def _update_applied(conn: Connection, xero: XeroClient, entry: JournalEntry) -> bool:
    """An update of our draft whose answer was lost: when the draft holds exactly the lines
    it sent, Xero applied it: recorded as if answered (its hours billed, our lines with the
    ids Xero gave them), so they are never added a second time."""
    after = entry.after or {}
    body = after.get("body") or {}
    keys = after.get("keys")
    sent = body.get("LineItems") or []
    if not isinstance(keys, list) or len(keys) != len(sent):
        return False
    found = xero.invoices_by_ids([str(entry.xero_id)])
    if not found or found[0].get("Status") != engine.DRAFT:
        return False
    raw = found[0]
    if not _holds_lines(raw, sent):
        return False
    invoice_id = str(entry.xero_id)
    with db.atomic():
        entry.before = {**(entry.before or {}), "sent_rows": _deactivate(conn, invoice_id)}
        _record_sent(
            entry.run, conn, invoice_id, after.get("sent") or [], after.get("currency", "")
        )
        entry.after = {
            **after,
            "lines": _lines_answered(body, keys, raw),
            "answer_ids": [str(x.get("LineItemID") or "") for x in raw.get("LineItems") or []],
        }
        entry.state, entry.error = "done", None
        entry.save()
    return True


def _holds_lines(raw: dict[str, Any], lines: list[Any]) -> bool:
    """Whether draft ``raw`` holds exactly ``lines`` (as they were sent to Xero), in order:
    what a person sees on each (:func:`engine.same_line`)."""
    now = [engine.xero_line(x) for x in raw.get("LineItems") or [] if isinstance(x, dict)]
    return len(now) == len(lines) and all(
        isinstance(b, dict) and engine.same_line(a, engine.xero_line(b))
        for a, b in zip(now, lines, strict=True)
    )


# ---------------------------------------------------------------------------- undo
class InvoicingNotUndoable(BridgeError):
    message = "Run {run} cannot be undone: {reason}."


class BillingUndoAnswerLost(BridgeError):
    """The undo of a billing run sent changes to Xero but no answer came back (after the
    client's retries): Xero may have applied them. Undoing the run again checks them in
    Xero first (:func:`_settle_undo`), then undoes the rest."""

    message = (
        "Xero did not answer while billing run {run} was being undone, so some of its drafts "
        "may already be deleted, or their lines put back, in Xero. Undo billing run {run} "
        "again: what reached Xero is checked first, then the rest is undone."
    )


def _undo_counts(
    deleted: int, restored: int, left: list[dict[str, Any]], planned: int, failed: int = 0
) -> dict[str, Any]:
    """An undo run's counts: what it deleted and put back (``outcomes``, as the history shows
    them), what it left alone and why, how many writes it planned (``planned_writes``: an
    undo whose answers were lost is done once that many are found done in Xero) and how many
    Xero refused (``failed``)."""
    counts: dict[str, Any] = {
        "deleted": deleted,
        "restored": restored,
        "left_alone": left,
        "planned_writes": planned,
        "outcomes": {
            verb: {"invoices": n} for verb, n in (("deleted", deleted), ("restored", restored)) if n
        },
    }
    if failed:
        counts["failed"] = failed
    return counts


def _record_reverted(run: ImportRun, invoice_id: str, sent_rows: Any) -> None:
    """An undo's write to ``invoice_id`` is done: the hours billing run ``run`` put on it are
    no longer billed; an update's ``sent_rows`` (the hours it replaced) are billed again."""
    SentHours.update(active=False).where(
        (SentHours.run == run) & (SentHours.xero_id == invoice_id)
    ).execute()
    if sent_rows:
        SentHours.update(active=True).where(SentHours.id.in_(list(sent_rows))).execute()


def _reverted_entries(run: ImportRun) -> set[int]:
    """The journal entries of billing run ``run`` an earlier undo of it reverted (a part
    undo: Xero refused some writes, or its answers were lost and were settled since)."""
    return {
        int((j.before or {}).get("of_entry") or 0)
        for j in JournalEntry.select(JournalEntry.before)
        .join(ImportRun)
        .where(
            (ImportRun.kind == "undo")
            & (ImportRun.undoes_run == run)
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.state == "done")
        )
    }


def _settle_undo(
    conn: Connection,
    xero: XeroClient,
    undo_run: ImportRun,
    current: dict[str, dict[str, Any]],
) -> bool:
    """The writes of undo ``undo_run`` whose answer was never recorded (lost, or the app
    stopped first), settled by reading the drafts (``current``: the ones already read, by
    id; the others are read here): a draft now deleted is a delete done, a draft holding
    exactly the lines the undo sent is a restore done. Those are recorded as if answered
    (the billing run's hours no longer billed there, the ones an update replaced billed
    again) and counted in the undo's run, so the history says what it did; the others did
    not reach Xero and are marked failed (undoing the billing run again sends them). When
    every write the undo planned is done, the undo is done and its billing run undone:
    returns True then."""
    journal = list(
        JournalEntry.select()
        .where((JournalEntry.run == undo_run) & (JournalEntry.entity_kind == ENTITY))
        .order_by(JournalEntry.seq)
    )
    unsettled = [j for j in journal if j.state in ("intent", "unknown")]
    if not unsettled:
        return False
    missing = sorted({str(j.xero_id) for j in unsettled if j.xero_id} - set(current))
    now = dict(current)
    if missing:
        now.update({str(r.get("InvoiceID")): r for r in xero.invoices_by_ids(missing)})
    billing = ImportRun.get_by_id(undo_run.undoes_run_id)
    counts = dict(undo_run.counts or {})
    deleted = int(counts.get("deleted") or 0)
    restored = int(counts.get("restored") or 0)
    for j in unsettled:
        raw = now.get(str(j.xero_id)) or {}
        status = raw.get("Status")
        if j.action == "delete":
            applied = status == "DELETED"
        else:
            lines = (j.after or {}).get("LineItems")
            applied = (
                status == engine.DRAFT and isinstance(lines, list) and _holds_lines(raw, lines)
            )
        if not applied:
            j.state = "failed"
            j.error = f"{j.error or ''} (not applied in Xero, checked afterwards)".strip()
            j.save()
            continue
        of = JournalEntry.get_or_none(JournalEntry.id == int((j.before or {}).get("of_entry") or 0))
        replaced = ((of.before or {}).get("sent_rows") if of is not None else None) or []
        with db.atomic():
            j.state, j.error = "done", None
            j.save()
            _record_reverted(billing, str(j.xero_id), replaced if j.action == "update" else [])
        if j.action == "delete":
            deleted += 1
        else:
            restored += 1
    planned = counts.get("planned_writes")
    complete = (
        isinstance(planned, int)
        and sum(1 for j in journal if j.state == "done") == planned
        and not any(j.state == "failed" for j in journal)
    )
    counts.update(
        _undo_counts(
            deleted,
            restored,
            list(counts.get("left_alone") or []),
            int(planned or 0),
            int(counts.get("failed") or 0),
        )
    )
    if not isinstance(planned, int):  # (an undo from before the count was kept)
        counts.pop("planned_writes", None)
    if complete:
        counts.pop("interrupted", None)
    undo_run.counts = counts
    undo_run.status = "done" if complete else "failed"
    undo_run.finished_at = undo_run.finished_at or utcnow()
    with db.atomic():
        undo_run.save()
        if complete:
            ImportRun.update(status="undone").where(ImportRun.id == billing.id).execute()
    _forget_cache(conn, [str(j.xero_id) for j in unsettled if j.xero_id])
    return complete


@said_by(UndoStoppedAtDailyLimit, lambda _ctx, _conn, run, **_kw: {"run": run.id})
def undo_invoicing(
    ctx: AppContext,
    conn: Connection,
    run: ImportRun,
    *,
    progress: ProgressCallback | None = None,
) -> ImportRun:
    """Delete the drafts ``run`` created (``Status`` ``DELETED``), put back the lines of the
    drafts it updated; invoices approved or paid since are left alone and listed in the undo
    run's counts (``left_alone``).

    An earlier undo of ``run`` whose answers were lost is settled first (:func:`_settle_undo`):
    what it did in Xero is counted in its own run and never done or reported again; when it
    had done everything, it is the undo returned (no new undo run)."""
    if run.kind != "invoicing" or run.dry_run:
        raise InvoicingNotUndoable(run=run.id, reason=N_("it is not a billing run"))
    if run.status == "undone":
        raise InvoicingNotUndoable(run=run.id, reason=N_("it was already undone"))
    check_scopes(ctx, conn)
    close_interrupted(conn)
    xero = ctx.xero_client(conn.xero_tenant_id)
    entries = list(
        JournalEntry.select()
        .where(
            (JournalEntry.run == run)
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.state == "done")
        )
        .order_by(JournalEntry.seq)
    )
    earlier = list(
        ImportRun.select()
        .where((ImportRun.kind == "undo") & (ImportRun.undoes_run == run))
        .order_by(ImportRun.id)
    )
    left: list[dict[str, Any]] = []
    deleted = restored = 0
    failed = 0
    with xero.session:
        ids = [str(e.xero_id) for e in entries if e.xero_id]
        current = {str(r.get("InvoiceID")): r for r in xero.invoices_by_ids(ids)} if ids else {}
        for before in earlier:
            if _settle_undo(conn, xero, before, current):
                run.status = "undone"
                return ImportRun.get_by_id(before.id)
        reverted = _reverted_entries(run)
        entries = [e for e in entries if e.id not in reverted]
        # the lines this run made on its drafts: one read for all (not one per draft)
        recorded = our_lines(conn, [str(e.xero_id) for e in entries if e.action == "create"])
        undo_run = ImportRun.create(
            connection=conn, kind="undo", status="running", undoes_run=run, started_at=utcnow()
        )
        todo: list[tuple[JournalEntry, dict[str, Any], str]] = []
        for entry in entries:
            raw = current.get(str(entry.xero_id)) or {}
            status = str(raw.get("Status") or "")
            if status in engine.GONE:
                continue
            # a draft someone added or changed lines on in Xero is not deleted: theirs too
            worked_on = entry.action == "create" and _worked_on_in_xero(conn, entry, raw, recorded)
            if status != engine.DRAFT or worked_on:
                item: dict[str, Any] = {
                    "invoice_id": str(entry.xero_id),
                    "number": str(raw.get("InvoiceNumber") or ""),
                    "contact": str((raw.get("Contact") or {}).get("Name") or ""),
                    "status": STATUS_WORDS.get(status, status.lower()),
                }
                if worked_on and status == engine.DRAFT:
                    item["changed_in_xero"] = True
                # who/what: how the history and the undo command list what was left alone
                left.append({**item, "who": item["contact"], "what": _left_alone_text(item)})
                continue
            body: dict[str, Any]
            if entry.action == "create":
                body = {"InvoiceID": str(entry.xero_id), "Status": "DELETED"}
            else:
                lines = _lines_before(entry, raw)
                if lines is None:
                    continue
                if _changes_nothing(lines, raw):
                    # nothing of this run's left to take back: never counted as restored
                    item = {
                        "invoice_id": str(entry.xero_id),
                        "number": str(raw.get("InvoiceNumber") or ""),
                        "contact": str((raw.get("Contact") or {}).get("Name") or ""),
                        "status": STATUS_WORDS.get(status, status.lower()),
                        "nothing_to_put_back": True,
                    }
                    left.append({**item, "who": item["contact"], "what": _left_alone_text(item)})
                    continue
                body = {"InvoiceID": str(entry.xero_id), "LineItems": lines}
            todo.append((entry, body, str(entry.xero_id)))
        undo_run.counts = _undo_counts(0, 0, left, len(todo))
        undo_run.save()
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            key = f"xqb-undo-{conn.id}-{undo_run.id}-{uuid.uuid4().hex}"
            seq = _next_seq(undo_run)
            journal = [
                JournalEntry.create(
                    run=undo_run,
                    seq=seq + n,
                    action="delete" if entry.action == "create" else "update",
                    entity_kind=ENTITY,
                    xero_id=xid,
                    batch_key=key,
                    before={"of_entry": entry.id},
                    after=body,
                )
                for n, (entry, body, xid) in enumerate(chunk)
            ]
            try:
                answers = xero.write_invoices(
                    [b for _, b, _ in chunk], create=False, idempotency_key=key
                )
            except Exception as exc:
                maybe = bool(getattr(exc, "maybe_applied", True))
                for j in journal:
                    j.state, j.error = ("unknown" if maybe else "failed"), type(exc).__name__
                    j.save()
                undo_run.counts = _undo_counts(deleted, restored, left, len(todo), failed)
                undo_run.status = "failed"
                undo_run.finished_at = utcnow()
                undo_run.save()
                if isinstance(exc, DailyLimitReached) and not maybe:
                    # Xero's day is used up: Xero has not had this call nor the ones after
                    # it; undoing the run again goes on with them (_reverted_entries)
                    raise exc.during(
                        UndoStoppedAtDailyLimit,
                        run=run.id,
                        undo=undo_run.id,
                        done=deleted + restored,
                        left=len(todo) - start,
                    ) from exc
                if maybe:  # never "nothing was lost": Xero may have done it all
                    raise BillingUndoAnswerLost(
                        str(getattr(exc, "detail", "") or ""), run=run.id
                    ) from exc
                raise
            for (entry, _body, xid), j, answer in zip(chunk, journal, answers, strict=True):
                error = _errors(answer)
                if error:
                    j.state, j.error = "failed", error
                    j.save()
                    failed += 1
                    continue
                update = entry.action != "create"
                with db.atomic():
                    j.state = "done"
                    j.save()
                    _record_reverted(
                        run, xid, (entry.before or {}).get("sent_rows") if update else []
                    )
                if update:
                    restored += 1
                else:
                    deleted += 1
            _emit(progress, "undo", start + len(chunk), len(todo))
    _forget_cache(conn, [str(e.xero_id) for e in entries if e.xero_id])
    undo_run.counts = _undo_counts(deleted, restored, left, len(todo), failed)
    undo_run.status = "done" if not failed else "failed"
    undo_run.finished_at = utcnow()
    undo_run.save()
    if not failed:
        run.status = "undone"
        run.save()
    return undo_run


def _lines_before(entry: JournalEntry, raw: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The lines that undo an update of our draft, from the draft as it is now: our lines the
    update changed go back to what they were, the ones it added go, the ones it deleted come
    back (with new ids); every other line (added or changed in Xero since) stays as it is."""
    before = (entry.before or {}).get("LineItems")
    if not isinstance(before, list):
        return None
    after = entry.after or {}
    if not isinstance(after.get("lines"), list) or not isinstance(after.get("answer_ids"), list):
        return before  # a run from before the ids were kept: its lines as they were
    strip = engine.xero_line
    was = {str(x.get("LineItemID")): x for x in before if isinstance(x, dict)}
    ours = {str(x.get("LineItemID")): x for x in after["lines"] if x.get("LineItemID")}
    answered = {str(i) for i in after["answer_ids"]}
    out: list[dict[str, Any]] = []
    for line in raw.get("LineItems") or []:
        if not isinstance(line, dict):
            continue
        lid = str(line.get("LineItemID") or "")
        if lid in ours and engine.same_line(strip(line), strip(ours[lid])):
            if lid in was:
                out.append(strip(was[lid]).as_sent_back())
            continue  # added by the update: deleted by leaving it out
        out.append(strip(line).as_sent_back())
    for lid, line in was.items():
        if lid not in answered:
            out.append({k: v for k, v in strip(line).as_sent_back().items() if k != "LineItemID"})
    return out


def _changes_nothing(lines: list[dict[str, Any]], raw: dict[str, Any]) -> bool:
    """Whether sending ``lines`` back leaves the draft ``raw`` as it is: the same lines, with
    the same ids, saying the same (the update's lines were all changed in Xero since)."""
    now = [engine.xero_line(x) for x in raw.get("LineItems") or [] if isinstance(x, dict)]
    back = [engine.xero_line(x) for x in lines]
    return len(now) == len(back) and all(
        a.line_item_id and a.line_item_id == b.line_item_id and engine.same_line(a, b)
        for a, b in zip(now, back, strict=True)
    )


def written_invoices(run: ImportRun) -> set[str]:
    """The Xero invoices billing run ``run`` created or updated (its undo deletes them or
    puts their lines back). Another billing run writing one of them later is undone first
    (``core.app.sync.undo``)."""
    return {
        str(entry.xero_id)
        for entry in JournalEntry.select(JournalEntry.xero_id).where(
            (JournalEntry.run == run)
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.state == "done")
            & JournalEntry.xero_id.is_null(False)
        )
    }


def _worked_on_in_xero(
    conn: Connection,
    entry: JournalEntry,
    raw: dict[str, Any],
    recorded: dict[str, list[engine.OurLine]] | None = None,
) -> bool:
    """Whether the draft holds a line that is not one of ours as we made it (added, changed
    or kept as theirs in Xero). ``recorded``: :func:`our_lines` of the drafts being looked
    at, read once for all of them (else read here for this one)."""
    invoice_id = str(entry.xero_id)
    current = [engine.xero_line(x) for x in raw.get("LineItems") or [] if isinstance(x, dict)]
    if recorded is None:
        recorded = our_lines(conn, [invoice_id])
    ours = engine.lines_still_ours(current, recorded.get(invoice_id, []))
    mine = {x.line_item_id for x in ours.values()}
    return any(x.line_item_id not in mine for x in current)


def _left_alone_text(inv: dict[str, Any], language: str | None = None) -> str:
    if inv.get("nothing_to_put_back"):
        return tr(
            N_(
                "Draft {number} for {contact} was left as it is: the lines this billing run "
                "changed on it were changed again in Xero since, so there was nothing of this "
                "run to put back."
            ),
            language,
            number=inv.get("number") or inv.get("invoice_id"),
            contact=inv.get("contact", ""),
        )
    if inv.get("changed_in_xero"):
        return tr(
            N_(
                "Draft {number} for {contact} was left alone: lines were added or changed on "
                "it in Xero since. Delete it in Xero if it is no longer needed."
            ),
            language,
            number=inv.get("number") or inv.get("invoice_id"),
            contact=inv.get("contact", ""),
        )
    return tr(
        N_("Invoice {number} for {contact} was left alone: it is {status} in Xero."),
        language,
        number=inv.get("number") or inv.get("invoice_id"),
        contact=inv.get("contact", ""),
        status=tr(inv.get("status", ""), language),
    )


def left_alone_words(undo_run: ImportRun, language: str | None = None) -> list[str]:
    """The invoices an undo left alone (approved or paid since), as sentences."""
    return [
        _left_alone_text(inv, language)
        for inv in (undo_run.counts or {}).get("left_alone", [])
        if "invoice_id" in inv
    ]


__all__ = [
    "BadRange",
    "InvoicePreview",
    "InvoiceStatus",
    "InvoicingResult",
    "bill_time",
    "billing_today",
    "invoice_statuses",
    "invoice_url",
    "preview_invoices",
    "reconcile",
    "send_invoices",
    "undo_invoicing",
    "written_invoices",
]
