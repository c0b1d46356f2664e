"""Fetch: bring both sides of a connection into the local snapshot tables, and say what changed.

The first fetch reads everything. Later fetches are incremental where the APIs allow it:
Xero contacts with If-Modified-Since (the expensive list, under Xero's 60/minute and
5,000/day limits), QuickBooks Time lists with ``modified_since``. Lists that cannot be read
incrementally or where deletions matter (Xero items can be deleted; tracking categories,
payroll) are read whole: each is a single call or a few pages.

Snapshots store the raw API object; :func:`load_snapshot` maps rows back to typed records
through the same mapping functions the clients use, so there is one mapping path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from core.engine.records import (
    QBTCustomField,
    Snapshot,
    XeroProblem,
    XeroTrackingCategory,
)
from core.engine.regions import PayrollApi, payroll_api
from core.errors import ApiError, ReauthorizationRequired
from core.i18n import N_
from core.services.http import XERO_MAX_CONCURRENT
from core.services.qbtime import mapping as qmap
from core.services.xero import mapping as xmap
from core.store.models import (
    Connection,
    QBTRecord,
    Setting,
    SyncCursor,
    XeroRecord,
    bulk_insert,
    db,
    json_text,
    utcnow,
)

if TYPE_CHECKING:
    from core.app.context import AppContext

log = logging.getLogger(__name__)

#: After this long without a full read, Xero contacts are read whole again: a contact's
#: first invoice makes it a customer without bumping UpdatedDateUTC (Xero's docs), so an
#: incremental read alone would never see it. AU payroll employees and QuickBooks Time are
#: read whole as often too: the bound on anything an incremental read could miss.
FULL_CONTACTS_EVERY_S = 24 * 3600

Progress = Callable[[str, int, int], None]

#: the QuickBooks Time lists a fetch reads (last_modified_timestamps endpoint names)
QBT_ENDPOINTS = ("users", "jobcodes", "customfields", "customfielditems", "locations",
                 "jobcode_assignments")


@dataclass
class KindChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    def as_counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)}


@dataclass
class FetchReport:
    xero: dict[str, KindChanges] = field(default_factory=dict)
    qbtime: dict[str, KindChanges] = field(default_factory=dict)
    full_contacts: bool = False
    first_time: bool = False

    @property
    def changed(self) -> bool:
        return any(c.count for c in (*self.xero.values(), *self.qbtime.values()))

    def summary(self) -> dict[str, Any]:
        return {"xero": {k: v.as_counts() for k, v in self.xero.items()},
                "qbtime": {k: v.as_counts() for k, v in self.qbtime.items()}}


#: plan kind of each stored Xero kind that can carry a bad record
_PROBLEM_KINDS = {"contact": "customer", "item": "item", "employee": "employee"}
NO_ID = N_("Xero sent this record without an ID: it is left out (nothing is imported or "
           "changed for it). Check it in Xero")
SAME_ID = N_("Xero sent this record and \"{kept}\" with the same ID ({xero_id}): only "
             "\"{kept}\" is imported, this one is left out. Check both in Xero")
BAD_END_DATE = N_("Xero sent an impossible date ({value}) in this employee's end date, which "
                  "decides whether they still work here: they are left out (nothing is "
                  "changed for them) until the date is corrected in Xero")


def _unique(kind: str, records: Sequence[Any], id_of: Callable[[Any], str],
            name_of: Callable[[Any], str]) -> tuple[list[Any], list[XeroProblem]]:
    """The records with a usable, unique id; the others reported: a record without an id,
    and each further record sharing an id (the first one read is kept), with both names."""
    kept: dict[str, Any] = {}
    problems: list[XeroProblem] = []
    plan_kind = _PROBLEM_KINDS[kind]
    for record in records:
        rid = (id_of(record) or "").strip()
        name = name_of(record)
        if not rid:
            problems.append(XeroProblem(plan_kind, "", name, NO_ID))
            continue
        first = kept.setdefault(rid.lower(), record)
        if first is not record:
            problems.append(XeroProblem(plan_kind, rid, name, SAME_ID,
                                        {"kept": name_of(first), "xero_id": rid}))
    if problems:
        log.warning("Xero sent %d %s record(s) without an ID or under another's ID: left out "
                    "and reported", len(problems), kind)
    return list(kept.values()), problems


def _problems_setting(conn: Connection) -> str:
    return f"xero_problems:{conn.xero_tenant_id}"


def _record_problems(conn: Connection, kind: str, problems: list[XeroProblem], *,
                     whole: bool, read_ids: Iterable[str]) -> None:
    """Keep the bad records of ``kind`` found by this read, so that every plan made from the
    snapshot reports them. A whole read replaces the list; an incremental one replaces the
    entries of the records it read again (an id-less record cannot be told apart: it stays
    reported until the next whole read)."""
    stored = Setting.get_value(_problems_setting(conn)) or {}
    again = {i.lower() for i in read_ids}
    old = [] if whole else [p for p in stored.get(kind, [])
                            if not p.get("xero_id") or p["xero_id"].lower() not in again]
    fresh = [p.as_dict() for p in problems]
    merged = [*old, *(p for p in fresh if p not in old)]
    if merged or stored.get(kind):
        Setting.set_value(_problems_setting(conn), {**stored, kind: merged})


def stored_problems(conn: Connection) -> list[XeroProblem]:
    """The bad records the last reads of Xero found (no network)."""
    stored = Setting.get_value(_problems_setting(conn)) or {}
    return [XeroProblem(p["kind"], p["xero_id"], p["name"], p["reason"], p.get("params") or {})
            for kind in _PROBLEM_KINDS for p in stored.get(kind, [])]


def _employee_name(raw: dict[str, Any]) -> str:
    first = raw.get("FirstName", raw.get("firstName"))
    last = raw.get("LastName", raw.get("lastName"))
    return " ".join(x.strip() for x in (first, last) if isinstance(x, str) and x.strip())


# ---------------------------------------------------------------------------- cursors
def _cursor(conn: Connection, source: str, resource: str) -> str | None:
    row = SyncCursor.get_or_none(connection=conn, source=source, resource=resource)
    return None if row is None else row.value


def _set_cursor(conn: Connection, source: str, resource: str, value: str) -> None:
    (SyncCursor.insert(connection=conn, source=source, resource=resource, value=value,
                       updated_at=utcnow())
     .on_conflict(conflict_target=[SyncCursor.connection, SyncCursor.source, SyncCursor.resource],
                  update={SyncCursor.value: value, SyncCursor.updated_at: utcnow()})
     .execute())


# ---------------------------------------------------------------------------- storing
def _ts(value: float | None) -> datetime | None:
    return None if not value else datetime.fromtimestamp(value, UTC)




def _store(model: type, conn: Connection, kind: str, id_field: str, rows: Sequence[dict[str, Any]],
           *, complete: bool, changes: KindChanges, within: Any = None) -> None:
    """Upsert snapshot rows; when ``complete``, rows no longer listed are removed.

    ``within`` (a peewee expression) narrows the rows this read covers, e.g. the items of
    one custom field, so a complete read of one field never removes another's items.
    """
    key = getattr(model, id_field)
    covered = (model.connection == conn) & (model.kind == kind)
    if within is not None:
        covered &= within
    # Compare canonical JSON text (as stored) rather than parsed values: parsing every stored
    # row again cost as much CPU as the network on large organisations.
    sql, params = model.select(key, model.raw).where(covered).sql()
    existing = dict(db.execute_sql(sql, params).fetchall())
    seen: set[Any] = set()
    now = utcnow()
    changed_rows: list[dict[str, Any]] = []
    for row in rows:
        ident = row[id_field]
        seen.add(ident)
        text = json_text(row["raw"])
        before = existing.get(ident)
        if before is None:
            changes.added.append(str(ident))
        elif before != text:
            changes.changed.append(str(ident))
        else:
            continue
        changed_rows.append({**row, "raw": text, "connection": conn, "kind": kind,
                             "fetched_at": now})
    with db.atomic():
        if changed_rows:
            bulk_insert(model, changed_rows, conflict=("connection", "kind", id_field),
                        update=[name for name in changed_rows[0]
                                if name not in ("connection", "kind", id_field)])
        if complete:
            gone = [i for i in existing if i not in seen]
            changes.removed.extend(str(i) for i in gone)
            for start in range(0, len(gone), 500):
                model.delete().where(covered & key.in_(gone[start:start + 500])).execute()


def _xero_row(xero_id: str, name: str, raw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"xero_id": xero_id, "name": name, "raw": raw, **extra}


def _qbt_row(qbt_id: int, name: str, raw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"qbt_id": int(qbt_id), "name": name, "raw": raw, **extra}


# ---------------------------------------------------------------------------- fetch
def fetch(ctx: AppContext, conn: Connection, *, full: bool = False,
          progress: Progress | None = None) -> FetchReport:
    """Read both sides of ``conn`` into the snapshot tables. Returns what changed."""
    report = FetchReport()
    step = progress or (lambda _phase, _done, _total: None)
    report.first_time = _cursor(conn, "xero", "contacts") is None
    _fetch_xero(ctx, conn, report, full=full, step=step)
    token = ctx.qbtime_token_for(conn)
    whole = full or report.first_time or _whole_read_due(ctx, conn, "qbtime", "full")
    _fetch_qbtime(ctx, conn, token, report, full=whole, step=step)
    if whole:
        _set_cursor(conn, "qbtime", "full", repr(ctx.clock()))
    log.info("Fetched %s: %s", conn.xero_tenant_name, report.summary())
    return report


def fetch_qbtime(ctx: AppContext, conn: Connection) -> FetchReport:
    """Refresh only the QuickBooks Time side (incremental): after an import or an undo."""
    report = FetchReport()
    token = ctx.qbtime_token_for(conn)
    _fetch_qbtime(ctx, conn, token, report, full=False, step=lambda *_: None)
    return report


XERO_STEPS = 6
QBT_STEPS = 6


def _whole_read_due(ctx: AppContext, conn: Connection, source: str, resource: str) -> bool:
    """No whole read of ``resource`` recorded, or none for :data:`FULL_CONTACTS_EVERY_S`."""
    last_whole = _cursor(conn, source, resource)
    return last_whole is None or ctx.clock() - float(last_whole) > FULL_CONTACTS_EVERY_S


def _incremental_since(ctx: AppContext, conn: Connection, resource: str, *,
                       full: bool) -> float | None:
    """The If-Modified-Since cursor for ``resource``, or None when this read must be whole:
    asked for, never read, or no whole read for :data:`FULL_CONTACTS_EVERY_S`."""
    since_raw = _cursor(conn, "xero", resource)
    if full or since_raw is None or _whole_read_due(ctx, conn, "xero", f"{resource}_full"):
        return None
    return float(since_raw or 0)


def _advance_xero(ctx: AppContext, conn: Connection, client: Any, resource: str, *,
                  whole: bool) -> None:
    info = client.last_fetch.get(resource)
    server_time = (info.server_time if info and info.server_time else None) or ctx.clock()
    _set_cursor(conn, "xero", resource, repr(server_time))
    if whole:
        _set_cursor(conn, "xero", f"{resource}_full", repr(server_time))


def _invoiced_contact_ids(client: Any, since: float) -> list[str]:
    """The contacts of sales invoices changed since ``since``; [] when Xero refuses (a
    sign-in made before the app asked for invoices): the daily whole read still finds them."""
    try:
        return list(client.invoiced_contact_ids(since))
    except (ReauthorizationRequired, ApiError) as exc:
        log.info("Could not read the recent sales invoices (%s): contacts that became "
                 "customers are found by the next whole read", type(exc).__name__)
        return []


def _discard(futures: dict[str, Future[Any]]) -> None:
    """Forget reads whose answer is not used: cancel those not started, swallow the errors
    of the others (a speculative payroll read of an organisation without payroll fails)."""
    for future in futures.values():
        if not future.cancel():
            future.add_done_callback(lambda f: f.cancelled() or f.exception())


def _fetch_xero(ctx: AppContext, conn: Connection, report: FetchReport, *, full: bool,
                step: Progress) -> None:
    """Every kind at once: up to XERO_MAX_CONCURRENT reads in flight (the organisation's
    limiter keeps Xero's minute and concurrency limits), stored here, in this thread, in a
    fixed order. Payroll depends on the organisation's Version: it is read at once with the
    Version saved by the last fetch, and again only if the organisation says otherwise.

    Contacts and AU payroll employees are read incrementally (If-Modified-Since) between
    whole reads; NZ/UK payroll has no If-Modified-Since, items and tracking categories are
    one call each.
    """
    client = ctx.xero_client(conn.xero_tenant_id)
    with client.session, ThreadPoolExecutor(max_workers=XERO_MAX_CONCURRENT,
                                            thread_name_prefix="xero-read") as pool:
        contacts_since = _incremental_since(ctx, conn, "contacts", full=full)
        report.full_contacts = contacts_since is None
        au_employees_since = _incremental_since(ctx, conn, "employees", full=full)

        def payroll_reads(version: str) -> dict[str, Future[Any]]:
            if payroll_api(version) is PayrollApi.NONE:
                return {}
            since = au_employees_since if payroll_api(version) is PayrollApi.AU else None
            return {"employees": pool.submit(client.employees, version, modified_since=since),
                    "leave_types": pool.submit(client.leave_types, version)}

        futures: dict[str, Future[Any]] = {
            "organisation": pool.submit(client.organisation),
            "contacts": pool.submit(client.contacts, contacts_since),
            # Between whole reads: the contacts whose first sales invoice came since (Xero
            # does not bump their UpdatedDateUTC, so the read above cannot see them).
            **({"invoiced": pool.submit(_invoiced_contact_ids, client, contacts_since)}
               if contacts_since is not None else {}),
            "items": pool.submit(client.items),
            "tracking_categories": pool.submit(client.tracking_categories,
                                               include_archived=True),
        }
        guessed = conn.xero_version
        speculative = payroll_reads(guessed) if guessed else {}
        try:
            org = futures["organisation"].result()
            if (org.version, org.country_code) != (conn.xero_version, conn.xero_country_code):
                conn.xero_version, conn.xero_country_code = org.version, org.country_code
                conn.save()
            step("xero", 1, XERO_STEPS)
            payroll = payroll_api(org.version)
            if speculative and payroll_api(guessed) is payroll:
                futures.update(speculative)
            else:   # the Version changed (or was unknown): the guess is not used
                _discard(speculative)
                futures.update(payroll_reads(org.version))
            results = {name: future.result() for name, future in futures.items()}
        except BaseException:
            _discard(futures)
            _discard(speculative)
            raise
        employees_since = au_employees_since if payroll is PayrollApi.AU else None

        contacts = results["contacts"]
        invoiced = results.get("invoiced") or []
        if invoiced:
            known = {c.contact_id.lower() for c in contacts}
            customers = {str(row.xero_id).lower() for row in XeroRecord.select(
                XeroRecord.xero_id).where(
                (XeroRecord.connection == conn) & (XeroRecord.kind == "contact")
                & (XeroRecord.is_customer == True))}  # noqa: E712 (peewee)
            wanted = [i for i in invoiced if i.lower() not in known and i.lower() not in customers]
            if wanted:
                contacts = [*contacts, *client.contacts_by_ids(wanted)]
        contacts, problems = _unique("contact", contacts, lambda c: c.contact_id,
                                     lambda c: c.name)
        _record_problems(conn, "contact", problems, whole=contacts_since is None,
                         read_ids=[c.contact_id for c in contacts])
        _store(XeroRecord, conn, "contact", "xero_id", [
            _xero_row(c.contact_id, c.name, c.raw, first_name=c.first_name, last_name=c.last_name,
                      email=c.email, status=c.status, archived=c.archived,
                      is_customer=c.is_customer, updated_utc=_ts(c.updated_utc))
            for c in contacts], complete=contacts_since is None,
            changes=report.xero.setdefault("contacts", KindChanges()))
        _advance_xero(ctx, conn, client, "contacts", whole=contacts_since is None)
        step("xero", 2, XERO_STEPS)

        items, problems = _unique("item", results["items"], lambda i: i.item_id,
                                  lambda i: i.name or i.code)
        _record_problems(conn, "item", problems, whole=True, read_ids=())
        _store(XeroRecord, conn, "item", "xero_id", [
            _xero_row(i.item_id, i.name or i.code, i.raw, updated_utc=_ts(i.updated_utc))
            for i in items], complete=True,
            changes=report.xero.setdefault("items", KindChanges()))
        step("xero", 3, XERO_STEPS)

        categories = results["tracking_categories"]
        _store(XeroRecord, conn, "tracking_category", "xero_id", [
            _xero_row(t.category_id, t.name, t.raw, status=t.status, archived=t.status != "ACTIVE")
            for t in categories], complete=True,
            changes=report.xero.setdefault("tracking_categories", KindChanges()))
        _store(XeroRecord, conn, "tracking_option", "xero_id", [
            _xero_row(o.option_id, o.name, {"TrackingOptionID": o.option_id, "Name": o.name,
                                            "Status": o.status},
                      parent_xero_id=t.category_id, status=o.status, archived=o.status != "ACTIVE")
            for t in categories for o in t.options], complete=True,
            changes=report.xero.setdefault("tracking_options", KindChanges()))
        step("xero", 4, XERO_STEPS)

        if payroll is not PayrollApi.NONE:
            employees, problems = _unique("employee", results["employees"],
                                          lambda e: e.employee_id, lambda e: _employee_name(e.raw))
            _record_problems(conn, "employee", problems, whole=employees_since is None,
                             read_ids=[e.employee_id for e in employees])
            _store(XeroRecord, conn, "employee", "xero_id", [
                _xero_row(e.employee_id, f"{e.first_name} {e.last_name}".strip(), e.raw,
                          first_name=e.first_name, last_name=e.last_name, email=e.email,
                          status="ACTIVE" if e.active else "TERMINATED", archived=not e.active,
                          updated_utc=_ts(e.updated_utc))
                for e in employees], complete=employees_since is None,
                changes=report.xero.setdefault("employees", KindChanges()))
            if payroll is PayrollApi.AU:
                _advance_xero(ctx, conn, client, "employees", whole=employees_since is None)
            step("xero", 5, XERO_STEPS)
            _store(XeroRecord, conn, "leave_type", "xero_id", [
                _xero_row(t.leave_type_id, t.name, t.raw, archived=not t.active)
                for t in results["leave_types"]], complete=True,
                changes=report.xero.setdefault("leave_types", KindChanges()))
        step("xero", XERO_STEPS, XERO_STEPS)


def _latest(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v]
    return max(present) if present else None


def _fetch_qbtime(ctx: AppContext, conn: Connection, token: str, report: FetchReport, *,
                  full: bool, step: Progress) -> None:
    client = ctx.qbtime_client(token)
    with client.session:
        remember_key_owner(conn, client, token)

        def since(resource: str) -> float | None:
            value = None if full else _cursor(conn, "qbtime", resource)
            return float(value) if value else None

        def advance(resource: str, raws: Iterable[dict[str, Any]], endpoint: str) -> None:
            old = None if full else _cursor(conn, "qbtime", resource)
            latest = _latest([qmap.parse_timestamp(r.get("last_modified")) for r in raws]
                             + [float(old) if old else None])
            if latest is not None:
                _set_cursor(conn, "qbtime", resource, repr(latest))
            read_at = client.read_at.get(endpoint)
            if read_at is not None:
                _set_cursor(conn, "qbtime", resource + "@read", repr(read_at))

        # One call says which lists changed at all (QuickBooks Time's documented use of
        # last_modified_timestamps): a list whose newest change is one we have already read
        # is not read again. The whole read every 24 h (fetch) bounds what this could miss.
        stamps: dict[str, float | None] = {}
        if not full:
            stamps = {k: qmap.parse_timestamp(v) for k, v in client.last_modified_timestamps(
                QBT_ENDPOINTS).items()}

        def unchanged(endpoint: str, resource: str, *, siblings: Sequence[str] = ()) -> bool:
            """The list's newest change is one we read, and we read the list in a later
            second (stamps are whole seconds: a change in the same second may have come
            after our read). ``siblings``: the resources sharing the endpoint's one stamp
            (custom field items, read per field): the newest change may be in any."""
            stamp = stamps.get(endpoint)
            seen = [_cursor(conn, "qbtime", r) for r in (resource, *siblings)]
            read_at = _cursor(conn, "qbtime", resource + "@read")
            if stamp is None or read_at is None or seen[0] is None:
                return False
            newest = max(float(c) for c in seen if c is not None)
            return stamp <= newest < math.floor(float(read_at))

        users = [] if unchanged("users", "users") else client.users(modified_since=since("users"))
        _store(QBTRecord, conn, "user", "qbt_id", [
            _qbt_row(u.id, f"{u.first_name} {u.last_name}".strip(), u.raw, first_name=u.first_name,
                     last_name=u.last_name, email=u.email, username=u.username, active=u.active)
            for u in users], complete=full, changes=report.qbtime.setdefault("users", KindChanges()))
        advance("users", (u.raw for u in users), "users")
        step("qbtime", 1, QBT_STEPS)

        jobcodes = ([] if unchanged("jobcodes", "jobcodes")
                    else client.jobcodes(modified_since=since("jobcodes")))
        _store(QBTRecord, conn, "jobcode", "qbt_id", [
            _qbt_row(j.id, j.name, j.raw, parent_id=j.parent_id, type=j.type, active=j.active)
            for j in jobcodes], complete=full,
            changes=report.qbtime.setdefault("jobcodes", KindChanges()))
        advance("jobcodes", (j.raw for j in jobcodes), "jobcodes")
        step("qbtime", 2, QBT_STEPS)

        fields = ([] if unchanged("customfields", "customfields")
                  else client.customfields(modified_since=since("customfields")))
        _store(QBTRecord, conn, "customfield", "qbt_id", [
            _qbt_row(f.id, f.name, f.raw, active=f.active, type=f.type) for f in fields],
            complete=full, changes=report.qbtime.setdefault("customfields", KindChanges()))
        advance("customfields", (f.raw for f in fields), "customfields")
        step("qbtime", 3, QBT_STEPS)

        # Items are read per field (the API requires customfield_id); every known field.
        field_ids = sorted({int(r.qbt_id) for r in QBTRecord.select(QBTRecord.qbt_id).where(
            (QBTRecord.connection == conn) & (QBTRecord.kind == "customfield"))})
        item_changes = report.qbtime.setdefault("customfielditems", KindChanges())
        for field_id in field_ids:
            resource = f"customfielditems:{field_id}"
            if unchanged("customfielditems", resource, siblings=[
                    f"customfielditems:{other}" for other in field_ids if other != field_id]):
                continue
            field_items = client.customfielditems(field_id, modified_since=since(resource))
            _store(QBTRecord, conn, "customfielditem", "qbt_id", [
                _qbt_row(i.id, i.name, i.raw, parent_id=i.customfield_id, active=i.active)
                for i in field_items], complete=full, changes=item_changes,
                within=QBTRecord.parent_id == field_id)
            advance(resource, (i.raw for i in field_items), "customfielditems")
        step("qbtime", 4, QBT_STEPS)

        locations = ([] if unchanged("locations", "locations")
                     else client.locations(modified_since=since("locations")))
        _store(QBTRecord, conn, "location", "qbt_id", [
            _qbt_row(loc.id, loc.label or loc.address.line1, loc.raw, active=loc.active)
            for loc in locations], complete=full,
            changes=report.qbtime.setdefault("locations", KindChanges()))
        advance("locations", (loc.raw for loc in locations), "locations")
        step("qbtime", 5, QBT_STEPS)

        assignments = ([] if unchanged("jobcode_assignments", "jobcode_assignments") else
                       client.jobcode_assignments(modified_since=since("jobcode_assignments")))
        _store(QBTRecord, conn, "jobcode_assignment", "qbt_id", [
            _qbt_row(a.id, "", {"id": a.id, "user_id": a.user_id, "jobcode_id": a.jobcode_id,
                                "active": a.active},
                     parent_id=a.jobcode_id, active=a.active)
            for a in assignments], complete=full,
            changes=report.qbtime.setdefault("assignments", KindChanges()))
        advance("jobcode_assignments",
                ({"last_modified": a.last_modified} for a in assignments),
                "jobcode_assignments")
        step("qbtime", QBT_STEPS, QBT_STEPS)


# ---------------------------------------------------------------------------- key owner
def _key_owner_setting(conn: Connection) -> str:
    return f"qbtime_key_owner:{conn.xero_tenant_id}"


def _key_digest(token: str) -> str:
    return hashlib.sha256(b"xqb key owner\0" + token.encode()).hexdigest()[:16]


def remember_key_owner(conn: Connection, client: Any, token: str) -> int:
    """The id of the QuickBooks Time user behind ``token`` (an import never changes them).

    Known from the last fetch with the same key (a digest of the key is kept, never the
    key); one ``GET /current_user`` only when the key is new or was replaced."""
    stored = Setting.get_value(_key_owner_setting(conn)) or {}
    digest = _key_digest(token)
    if stored.get("key") == digest and stored.get("user_id"):
        return int(stored["user_id"])
    user_id = int(client.current_user().id)
    Setting.set_value(_key_owner_setting(conn), {"key": digest, "user_id": user_id})
    if conn.qbtime_user_id != user_id:
        conn.qbtime_user_id = user_id
        conn.save()
    return user_id


def key_owner_id(conn: Connection) -> int | None:
    """The key owner as last recorded (no network): by the last fetch, else at connection."""
    stored = Setting.get_value(_key_owner_setting(conn)) or {}
    if stored.get("user_id"):
        return int(stored["user_id"])
    return int(conn.qbtime_user_id) if conn.qbtime_user_id else None


# ---------------------------------------------------------------------------- loading
def load_snapshot(conn: Connection, *, today: date | None = None) -> Snapshot:
    """The snapshot tables of ``conn`` as typed records (no network)."""
    today = today or date.today()
    snap = Snapshot(version=conn.xero_version, key_owner_id=key_owner_id(conn))

    # Only the stored JSON is needed: reading it as text and parsing it here is several
    # times cheaper than building a model object (every column converted) per row.
    def raws(query: Any) -> list[dict[str, Any]]:
        sql, params = query.sql()
        return [json.loads(text) for (text,) in db.execute_sql(sql, params).fetchall()]

    def xrows(kind: str) -> list[dict[str, Any]]:
        return raws(XeroRecord.select(XeroRecord.raw)
                    .where((XeroRecord.connection == conn) & (XeroRecord.kind == kind))
                    .order_by(XeroRecord.id))

    def qrows(kind: str) -> list[dict[str, Any]]:
        return raws(QBTRecord.select(QBTRecord.raw)
                    .where((QBTRecord.connection == conn) & (QBTRecord.kind == kind))
                    .order_by(QBTRecord.qbt_id))

    snap.contacts = [xmap.map_contact(r) for r in xrows("contact")]
    snap.items = [xmap.map_item(r) for r in xrows("item")]
    snap.tracking = [xmap.map_tracking_category(r) for r in xrows("tracking_category")]
    api = payroll_api(conn.xero_version)
    snap.problems = stored_problems(conn)
    if api is not PayrollApi.NONE:
        v2 = api is PayrollApi.V2
        readable = []
        for r in xrows("employee"):
            bad = xmap.employee_end_date_problem(r, v2)
            if bad is None:
                readable.append(r)
                continue
            eid = str(r.get("employeeID") or r.get("employeeId") or r.get("EmployeeID") or "")
            snap.problems.append(XeroProblem("employee", eid, _employee_name(r), BAD_END_DATE,
                                             {"value": bad}))
        mapper = xmap.map_v2_employee if v2 else xmap.map_au_employee
        snap.employees = [mapper(r, today) for r in readable]
        snap.leave_types = [(xmap.map_v2_leave_type if v2 else xmap.map_au_leave_type)(r)
                            for r in xrows("leave_type")]
    snap.users = [qmap.user(r) for r in qrows("user")]
    snap.jobcodes = [qmap.jobcode(r) for r in qrows("jobcode")]
    snap.customfields = [qmap.customfield(r) for r in qrows("customfield")]
    snap.customfielditems = [qmap.customfielditem(r) for r in qrows("customfielditem")]
    snap.locations = [qmap.location(r) for r in qrows("location")]
    snap.assignments = [qmap.assignment(r) for r in qrows("jobcode_assignment")]
    return snap


def load_fields(conn: Connection) -> tuple[list[QBTCustomField], list[XeroTrackingCategory]]:
    """Only the QuickBooks Time custom fields and the Xero tracking categories of ``conn``'s
    snapshot (no network): what the field-name rule needs, cheap enough for a form."""
    def raws(model: Any, kind: str, order: Any) -> list[dict[str, Any]]:
        sql, params = (model.select(model.raw)
                       .where((model.connection == conn) & (model.kind == kind))
                       .order_by(order).sql())
        return [json.loads(text) for (text,) in db.execute_sql(sql, params).fetchall()]

    return ([qmap.customfield(r) for r in raws(QBTRecord, "customfield", QBTRecord.qbt_id)],
            [xmap.map_tracking_category(r)
             for r in raws(XeroRecord, "tracking_category", XeroRecord.id)])
