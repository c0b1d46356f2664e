"""What the conflict review screen shows, as plain data (no Qt): used by wizard/pages/review.py.

* :func:`review_conflicts` — the conflicts the screen lists: those waiting for a decision
  (``plan.conflicts``) AND those already decided (they sit in ``plan.matches[kind].conflicts``
  only), so a person can look at an answer again and change it. Conflicts the planner settles
  on its own without asking (e.g. a former employee with a near namesake) are left out,
  unless someone answered them earlier.
* :func:`load_review` — one call for the background worker: plan, conflicts, saved rows.
* :func:`record_facts` — e-mail, phone and address of each Xero record and each QuickBooks
  Time record the review may compare, read from the snapshot (side by side on the screen).
* :func:`tracked_hours` — the work hours tracked in QuickBooks Time against the user or
  customer of the pair shown (one read, run on a worker when a pair is shown, never for all).
* :func:`link_changes` — field by field, what linking a Xero record to a QuickBooks Time
  candidate changes on the QuickBooks Time side, by the plan's own rules
  (:func:`~core.engine.plan.linked_name`, :func:`~core.engine.plan.linked_email`,
  :func:`~core.engine.plan.linked_active`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from core.engine.matching import Candidate, Conflict
from core.engine.names import exact_key
from core.engine.plan import ImportOptions, ImportPlan, linked_active, linked_email, linked_name
from core.engine.records import Address, Snapshot
from core.engine.review import ReviewRow, review_rows
from core.engine.review.hours import TrackedHours, has_hours, tracked_seconds, tracked_window
from core.engine.review.suggestions import Suggestion, suggestion
from core.store.models import Connection, Decision

if TYPE_CHECKING:
    from core.app.context import AppContext

__all__ = [
    "FieldChange",
    "RecordFacts",
    "ReviewData",
    "link_changes",
    "load_review",
    "record_facts",
    "review_conflicts",
    "tracked_hours",
    "unmatched_for_export",
]


def _key(conflict: Conflict) -> tuple[str, str]:
    return (conflict.kind, conflict.xero_id)


def review_conflicts(conn: Connection | int, plan: ImportPlan) -> list[Conflict]:
    """Every conflict the review lists: waiting ones first in plan order, then decided ones."""
    cid = conn if isinstance(conn, int) else int(conn.get_id())
    seen: set[tuple[str, str]] = set()
    out: list[Conflict] = []
    for conflict in plan.conflicts:
        if _key(conflict) not in seen:
            seen.add(_key(conflict))
            out.append(conflict)
    others = [c for m in plan.matches.values() for c in m.conflicts if _key(c) not in seen]
    if others:
        kinds = {c.kind for c in others}
        answered = {
            (d.kind, d.xero_id)
            for d in Decision.select(Decision.kind, Decision.xero_id).where(
                Decision.connection == cid, Decision.kind.in_(kinds)
            )
        }
        for conflict in others:
            if _key(conflict) in answered and _key(conflict) not in seen:
                seen.add(_key(conflict))
                out.append(conflict)
    # keep the planner's order (kind by kind, names sorted) for a stable first view
    order = {id(c): i for i, c in enumerate(c for m in plan.matches.values() for c in m.conflicts)}
    kind_order = {kind: i for i, kind in enumerate(plan.matches)}
    out.sort(key=lambda c: (kind_order.get(c.kind, len(kind_order)), order.get(id(c), 1 << 30)))
    return out


def unmatched_for_export(plan: ImportPlan) -> list[tuple[str, str, str]]:
    """(kind, xero id, name) of the records with no candidate that the import creates."""
    names = {
        (a.link_kind, a.xero_id): a.label for a in plan.actions if a.op == "create" and a.xero_id
    }
    out = []
    for kind, result in plan.matches.items():
        for xero_id in result.unmatched_xero:
            name = names.get((kind, xero_id))
            if name is not None:
                out.append((kind, xero_id, name))
    return out


@dataclass
class ReviewData:
    plan: ImportPlan
    conflicts: list[Conflict]
    rows: list[ReviewRow]
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)
    #: nothing was ever fetched for this connection (an empty review would be misleading)
    no_data: bool = False
    #: e-mail, phone, address by (kind, xero id) and by (kind, QuickBooks Time id)
    xero_facts: dict[tuple[str, str], RecordFacts] = field(default_factory=dict)
    qbt_facts: dict[tuple[str, int], RecordFacts] = field(default_factory=dict)
    #: each conflict's suggestion (core.engine.review.suggestion) by (kind, xero id), worked
    #: out with the rest (comparing names is not the window's work)
    suggestions: dict[tuple[str, str], Suggestion | None] = field(default_factory=dict)


def load_review(conn: Connection, options: ImportOptions | None = None) -> ReviewData:
    """Plan from the local data (no network) and gather what the review screen lists."""
    from core.app.sync import current_plan

    snap, plan = current_plan(conn, options)
    conflicts = review_conflicts(conn, plan)
    xero_facts, qbt_facts = record_facts(snap)
    return ReviewData(
        plan=plan,
        conflicts=conflicts,
        rows=review_rows(conn, conflicts),
        unmatched=unmatched_for_export(plan),
        no_data=_empty(snap),
        xero_facts=xero_facts,
        qbt_facts=qbt_facts,
        suggestions={(c.kind, c.xero_id): suggestion(c) for c in conflicts},
    )


@dataclass(frozen=True)
class RecordFacts:
    """What tells two look-alike records apart besides the name ("" when unknown)."""

    email: str = ""
    phone: str = ""
    address: str = ""


def address_text(address: Address | None) -> str:
    """An address on one line: "12 Beach Rd, Bondi NSW 2026, Australia"."""
    if address is None:
        return ""
    town = " ".join(p.strip() for p in (address.city, address.region, address.postal_code) if p)
    parts = (address.line1, address.line2, town, address.country)
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _contact_phone(raw: dict) -> str:
    """The first phone of a Xero contact (default, then mobile, then the others)."""
    phones = [p for p in raw.get("Phones") or () if isinstance(p, dict)]
    order = {"DEFAULT": 0, "MOBILE": 1, "DDI": 2}
    for phone in sorted(phones, key=lambda p: order.get(str(p.get("PhoneType")), 3)):
        number = _text(phone.get("PhoneNumber"))
        if number:
            prefix = [_text(phone.get(k)) for k in ("PhoneCountryCode", "PhoneAreaCode")]
            cc, area = prefix
            return " ".join(p for p in (f"+{cc}" if cc else "", area, number) if p)
    return ""


def _employee_address(raw: dict) -> str:
    home = raw.get("HomeAddress") or raw.get("address")
    if not isinstance(home, dict):
        return ""

    def get(*keys: str) -> str:
        return next((_text(home.get(k)) for k in keys if _text(home.get(k))), "")

    return address_text(
        Address(
            line1=get("AddressLine1", "addressLine1"),
            line2=get("AddressLine2", "addressLine2"),
            city=get("City", "city"),
            region=get("Region", "region"),
            postal_code=get("PostalCode", "postCode"),
            country=get("Country", "countryName"),
        )
    )


def record_facts(
    snap: Snapshot,
) -> tuple[dict[tuple[str, str], RecordFacts], dict[tuple[str, int], RecordFacts]]:
    """E-mail, phone and address of the records a review compares, by review kind:
    customers and locations (Xero contacts, QuickBooks Time customers and job locations),
    team members (Xero employees, QuickBooks Time users). Only what is known."""
    xero: dict[tuple[str, str], RecordFacts] = {}
    qbt: dict[tuple[str, int], RecordFacts] = {}
    for contact in snap.contacts:
        facts = RecordFacts(
            contact.email.strip(), _contact_phone(contact.raw), address_text(contact.best_address)
        )
        if facts != RecordFacts():
            xero[("customer", contact.contact_id)] = facts
            xero[("location", contact.contact_id)] = facts
    for emp in snap.employees:
        raw = emp.raw
        phone = _text(raw.get("Mobile")) or _text(raw.get("Phone")) or _text(raw.get("phoneNumber"))
        facts = RecordFacts(emp.email.strip(), phone, _employee_address(raw))
        if facts != RecordFacts():
            xero[("employee", emp.employee_id)] = facts
    for user in snap.users:
        facts = RecordFacts(user.email.strip(), _text(user.raw.get("mobile_number")), "")
        if facts != RecordFacts():
            qbt[("employee", user.id)] = facts
    places: dict[int, list[str]] = {}
    for loc in snap.locations:
        text = address_text(loc.address)
        if text and loc.active:
            qbt[("location", loc.id)] = RecordFacts(address=text)
            for jobcode_id in loc.jobcode_ids:
                places.setdefault(jobcode_id, []).append(text)
    for job in snap.jobcodes:
        found = list(places.get(job.id, []))
        found += [qbt[("location", i)].address for i in job.locations if ("location", i) in qbt]
        if found:
            qbt[("customer", job.id)] = RecordFacts(address="; ".join(dict.fromkeys(found)))
    return xero, qbt


def tracked_hours(
    ctx: AppContext, conn: Connection | int, kind: str, qbt_id: int, today: date | None = None
) -> TrackedHours | None:
    """The work hours tracked in QuickBooks Time against one user (``employee``) or one
    customer jobcode and its children (``customer``) over the last year; None for a kind
    without hours. Reads the network (one call a page of timesheets): run it on a worker."""
    if not has_hours(kind):
        return None
    connection = conn if isinstance(conn, Connection) else Connection.get_by_id(conn)
    qbt = ctx.qbtime_client(ctx.qbtime_token_for(connection), connection.id)
    start, end = tracked_window(today or date.today())
    with qbt.session:
        if kind == "employee":
            rows = qbt.timesheets_of(start, end, user_id=qbt_id)
        else:
            rows = qbt.timesheets_of(start, end, jobcode_id=qbt_id)
    return TrackedHours(tracked_seconds(rows), start, end)


def _empty(snap: Snapshot) -> bool:
    return not (
        snap.contacts
        or snap.items
        or snap.tracking
        or snap.employees
        or snap.users
        or snap.jobcodes
        or snap.customfields
    )


@dataclass(frozen=True)
class FieldChange:
    """One field of the comparison: the Xero value, the QuickBooks Time value now, and the
    QuickBooks Time value after linking (``changes``: linking writes the Xero value)."""

    field: str  # "name" | "email" | "status"
    xero: str
    qbt: str
    after: str
    changes: bool


def link_changes(conflict: Conflict, candidate: Candidate) -> list[FieldChange]:
    """What linking ``conflict`` to ``candidate`` would write to QuickBooks Time, by field.

    Status values are the codes ``active`` / ``archived``.
    """
    out: list[FieldChange] = []
    details = conflict.details or {}
    after = linked_name(conflict.kind, conflict.xero_name, candidate.name)
    out.append(
        FieldChange("name", conflict.xero_name, candidate.name, after, after != candidate.name)
    )
    if conflict.kind == "employee":
        xmail = exact_key(str(details.get("email") or ""))
        qmail = candidate.email or ""
        new_mail = linked_email(xmail, qmail)
        out.append(FieldChange("email", xmail, qmail, new_mail, new_mail != qmail))
    in_xero = details.get("active") is not False
    was = not candidate.archived
    now = linked_active(conflict.kind, in_xero, was)
    out.append(FieldChange("status", _status(in_xero), _status(was), _status(now), now != was))
    return out


def _status(active: bool) -> str:
    return "active" if active else "archived"
