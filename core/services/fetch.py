"""Fetch: bring both sides of a connection into the local snapshot tables, and say what changed.

The first fetch reads everything. Later fetches are incremental where the APIs allow it:
Xero contacts with If-Modified-Since (the expensive list, under Xero's 60/minute and
5,000/day limits), QuickBooks Time lists with ``modified_since``. Lists that cannot be read
incrementally or where deletions matter (Xero items can be deleted; tracking categories,
payroll) are read whole: each is a single call or a few pages.

Snapshots store the raw API object, only the fields the product reads of it for the records
that hold private data (core.services.stored_fields); :func:`load_snapshot` maps rows back
to typed records through the same mapping functions the clients use, so there is one
mapping path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from peewee import SQL

from core.engine.records import (
    QBTAssignment,
    QBTCustomField,
    QBTCustomFieldItem,
    QBTJobcode,
    QBTLocation,
    QBTUser,
    Snapshot,
    XeroContact,
    XeroEmployee,
    XeroItem,
    XeroLeaveType,
    XeroProblem,
    XeroTrackingCategory,
    keep_raw_as_text,
    raw_text,
    without_raw,
)
from core.engine.regions import PayrollApi, payroll_api
from core.errors import ApiError, ReauthorizationRequired
from core.i18n import N_
from core.jsontext import dumps_canonical
from core.services.http import XERO_MAX_CONCURRENT
from core.services.qbtime import mapping as qmap
from core.services.stored_fields import stored_part
from core.services.xero import mapping as xmap
from core.services.xero.timezones import remember_timezone
from core.store.models import (
    Connection,
    QBTRecord,
    Setting,
    SyncCursor,
    XeroRecord,
    bulk_insert,
    db,
    utcnow,
)
from core.store.models import Stored as StoredText

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.services.qbtime.client import QBTimeClient
    from core.services.xero.client import XeroClient

log = logging.getLogger(__name__)

#: After this long without a full read, Xero contacts are read whole again: a contact's
#: first invoice makes it a customer without bumping UpdatedDateUTC (Xero's docs), so an
#: incremental read alone would never see it.
FULL_CONTACTS_EVERY_S = 24 * 3600
#: AU payroll employees (every change bumps UpdatedDateUTC) and QuickBooks Time (every
#: change bumps last_modified, and last_modified_timestamps says which lists changed) are
#: read whole once a week: the bound on anything an incremental read could miss (a change
#: made by someone else while an import wrote, whose answers keep the snapshot:
#: core.services.written). Reading them whole every day cost a scheduled re-import most of
#: its calls (issue 16).
WHOLE_READ_EVERY_S = 7 * 24 * 3600
#: the whole-read interval of each incremental Xero list (the default: FULL_CONTACTS_EVERY_S)
_WHOLE_EVERY = {"employees": WHOLE_READ_EVERY_S}

Progress = Callable[[str, int, int], None]


@dataclass
class KindChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    def as_counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
        }


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
        return {
            "xero": {k: v.as_counts() for k, v in self.xero.items()},
            "qbtime": {k: v.as_counts() for k, v in self.qbtime.items()},
        }


#: plan kind of each stored Xero kind that can carry a bad record
_PROBLEM_KINDS = {"contact": "customer", "item": "item", "employee": "employee"}
NO_ID = N_(
    "Xero sent this record without an ID: it is left out (nothing is imported or "
    "changed for it). Check it in Xero"
)
SAME_ID = N_(
    'Xero sent this record and "{kept}" with the same ID ({xero_id}): only '
    '"{kept}" is imported, this one is left out. Check both in Xero'
)
BAD_END_DATE = N_(
    "Xero sent an impossible date ({value}) in this employee's end date, which "
    "decides whether they still work here: they are left out (nothing is "
    "changed for them) until the date is corrected in Xero"
)


class _Unique:
    """The records of one read with a usable, unique id, page after page; the others
    reported (:attr:`problems`): a record without an id, and each further record sharing an
    id (the first one read is kept), with both names. ``again_ok``: a paged read, where a
    row pushed across a page boundary comes again unchanged (dropped silently; only a
    different row under a known id is reported, once)."""

    def __init__(self, check: IdCheck, *, again_ok: bool = False) -> None:
        self.check = check
        self.again_ok = again_ok
        self.kept: dict[str, Any] = {}  # lower-case id -> the first record read
        self.problems: list[XeroProblem] = []
        self._clashes: dict[str, list[Any]] = {}

    def __call__(self, records: Iterable[Any]) -> list[Any]:
        """The records of this page to keep."""
        check, kept, out = self.check, self.kept, []
        plan_kind = _PROBLEM_KINDS[check.kind]
        for record in records:
            rid = (check.id_of(record) or "").strip()
            if not rid:
                self.problems.append(XeroProblem(plan_kind, "", check.name_of(record), NO_ID))
                continue
            first = kept.setdefault(rid.lower(), record)
            if first is record:
                out.append(record)
                continue
            if self.again_ok:
                clashes = self._clashes.setdefault(rid.lower(), [])
                if record.raw == first.raw or any(record.raw == c.raw for c in clashes):
                    continue  # the same row again
                clashes.append(record)
            self.problems.append(
                XeroProblem(
                    plan_kind,
                    rid,
                    check.name_of(record),
                    SAME_ID,
                    {"kept": check.name_of(first), "xero_id": rid},
                )
            )
        return out

    def read_ids(self) -> list[str]:
        return [self.check.id_of(r) for r in self.kept.values()]

    def log(self) -> None:
        if self.problems:
            log.warning(
                "Xero sent %d %s record(s) without an ID or under another's ID: left out "
                "and reported",
                len(self.problems),
                self.check.kind,
            )


def _problems_setting(conn: Connection) -> str:
    return f"xero_problems:{conn.xero_tenant_id}"


def _record_problems(
    conn: Connection,
    kind: str,
    problems: list[XeroProblem],
    *,
    whole: bool,
    read_ids: Iterable[str],
) -> None:
    """Keep the bad records of ``kind`` found by this read, so that every plan made from the
    snapshot reports them. A whole read replaces the list; an incremental one replaces the
    entries of the records it read again (an id-less record cannot be told apart: it stays
    reported until the next whole read)."""
    stored = Setting.get_value(_problems_setting(conn)) or {}
    again = {i.lower() for i in read_ids}
    old = (
        []
        if whole
        else [
            p
            for p in stored.get(kind, [])
            if not p.get("xero_id") or p["xero_id"].lower() not in again
        ]
    )
    fresh = [p.as_dict() for p in problems]
    merged = [*old, *(p for p in fresh if p not in old)]
    if merged or stored.get(kind):
        Setting.set_value(_problems_setting(conn), {**stored, kind: merged})


def stored_problems(conn: Connection) -> list[XeroProblem]:
    """The bad records the last reads of Xero found (no network)."""
    stored = Setting.get_value(_problems_setting(conn)) or {}
    return [
        XeroProblem(p["kind"], p["xero_id"], p["name"], p["reason"], p.get("params") or {})
        for kind in _PROBLEM_KINDS
        for p in stored.get(kind, [])
    ]


def _employee_name(raw: dict[str, Any]) -> str:
    first = raw.get("FirstName", raw.get("firstName"))
    last = raw.get("LastName", raw.get("lastName"))
    return " ".join(x.strip() for x in (first, last) if isinstance(x, str) and x.strip())


# ---------------------------------------------------------------------------- cursors
def _cursor(conn: Connection, source: str, resource: str) -> str | None:
    row = SyncCursor.get_or_none(connection=conn, source=source, resource=resource)
    return None if row is None else row.value


def _set_cursor(conn: Connection, source: str, resource: str, value: str) -> None:
    (
        SyncCursor.insert(
            connection=conn, source=source, resource=resource, value=value, updated_at=utcnow()
        )
        .on_conflict(
            conflict_target=[SyncCursor.connection, SyncCursor.source, SyncCursor.resource],
            update={SyncCursor.value: value, SyncCursor.updated_at: utcnow()},
        )
        .execute()
    )


# ---------------------------------------------------------------------------- storing
def _ts(value: float | None) -> datetime | None:
    return None if not value else datetime.fromtimestamp(value, UTC)


# ---------------------------------------------------------------------------- parsed records
#: The kinds whose records a read hands on to load_snapshot, with the attribute that holds the
#: id stored in the row (rows made one per record: Stored.rows keeps the order).
_KEPT_IDS = {
    ("xero_record", "contact"): "contact_id",
    ("xero_record", "item"): "item_id",
    ("qbt_record", "user"): "id",
    ("qbt_record", "jobcode"): "id",
    ("qbt_record", "customfield"): "id",
    ("qbt_record", "customfielditem"): "id",
    ("qbt_record", "location"): "id",
}

#: (table, connection id, kind) -> {row id: the record}: the records this process has just
#: read, so that loading the snapshot after a fetch does not parse again the rows the fetch
#: has just parsed (issue 16: at 10,000 contacts the second parse was a sixth of a
#: re-import's CPU). Each holds its raw object as the text it was stored as
#: (:func:`raw_text`); a row is reused only when its stored text is, character for
#: character, that text; any other row is parsed. The record alone, not a (text, record)
#: pair: a pair is one more object per record for every garbage collection to go through
#: (136,000 of them at 100,000 contacts: issue 16's growth). The next load takes them (held
#: from a read to the load that follows it, not longer).
_PARSED: dict[tuple[str, int, str], dict[Any, Any]] = {}
_PARSED_LOCK = threading.Lock()


def _keep_parsed(
    table: str, conn: Connection, kind: str, parsed: dict[Any, Any], *, whole: bool
) -> None:
    key = (table, int(conn.id), kind)
    with _PARSED_LOCK:
        if whole or key not in _PARSED:
            _PARSED[key] = parsed
        else:
            _PARSED[key].update(parsed)


def forget_parsed(conn: Connection) -> None:
    """Let go of what the reads of ``conn`` kept for a load that will not come (a run whose
    plan is the one kept: nothing loaded), so a long-lived process does not hold them."""
    with _PARSED_LOCK:
        for key in [k for k in _PARSED if k[1] == int(conn.id)]:
            del _PARSED[key]


class _Storing:
    """One snapshot kind stored as a read brings it, a page (or a whole list) at a time,
    each in its own transaction: what was stored can be let go before the next page comes
    (a read of 100,000 contacts held at once took most of a gigabyte; issue 16). A read that
    fails part-way leaves the pages before stored and its cursors where they were: the
    next read reads them again and finds them unchanged.

    ``complete``: after the last page (:meth:`finish`), rows no longer listed are removed.
    ``within`` (a peewee expression) narrows the rows this read covers, e.g. the items of
    one custom field, so a complete read of one field never removes another's items. The
    records of the kinds in :data:`_KEPT_IDS` are kept for :func:`load_snapshot` with their
    stored text (see ``_PARSED``), holding their raw object as that same text."""

    def __init__(
        self,
        model: type[XeroRecord] | type[QBTRecord],
        conn: Connection,
        kind: str,
        id_field: str,
        *,
        complete: bool,
        changes: KindChanges,
        within: Any = None,
    ) -> None:
        self.model, self.conn, self.kind, self.id_field = model, conn, kind, id_field
        self.complete, self.changes, self.within = complete, changes, within
        self.key = getattr(model, id_field)
        self.covered = (model.connection == conn) & (model.kind == kind)
        if within is not None:
            self.covered &= within
        self.id_attr = _KEPT_IDS.get((model._meta.table_name, kind))
        #: what a row keeps of its raw object (None: all of it; core.services.stored_fields)
        self.part = stored_part(model._meta.table_name, kind)
        self.parsed: dict[Any, Any] = {}
        self.seen: set[Any] = set()
        self.now = utcnow()
        sql, params = model.select(SQL("1")).where(self.covered).limit(1).sql()
        self.empty = db.execute_sql(sql, params).fetchone() is None

    def _stored_texts(self, idents: list[Any]) -> dict[Any, str]:
        """The stored text of the rows among ``idents`` (compared as text: parsing every
        stored row again cost as much CPU as the network on large organisations). One
        query, the ids as one JSON parameter (peewee writing a ``?`` per id cost more than
        the query). None stored before this read (a first read): none to look up."""
        if self.empty:
            return {}
        ids = SQL("(SELECT value FROM json_each(?))", (dumps_canonical(idents),))
        sql, params = (
            self.model.select(self.key, self.model.raw)
            .where(self.covered & self.key.in_(ids))
            .sql()
        )
        return dict(db.execute_sql(sql, params).fetchall())

    def add(self, rows: Sequence[dict[str, Any]], records: Sequence[Any] = ()) -> None:
        """Store ``rows`` (added or changed ones written). ``records``: the records the rows
        were made from, one row each, in order."""
        if not rows:
            return
        id_attr, id_field, part = self.id_attr, self.id_field, self.part
        keep = id_attr is not None and len(records) == len(rows)
        existing = self._stored_texts([row[id_field] for row in rows])
        changed_rows: list[dict[str, Any]] = []
        seen = self.seen
        for index, row in enumerate(rows):
            ident = row[id_field]
            # a row this read stored already, come again on a later page (the list shifted
            # while it was read): this later copy is kept, the change said once
            again = ident in seen
            seen.add(ident)
            raw = row["raw"]
            # only the fields the product reads (a record kept below holds those too)
            text = dumps_canonical(raw if part is None else part(raw))  # (a str: no GC)
            if keep:
                record = records[index]
                if getattr(record, id_attr or "") == ident and record.raw is raw:
                    keep_raw_as_text(record, text)
                    if raw_text(record) is text:  # (a record class holding raw as text)
                        self.parsed[ident] = record
            before = existing.get(ident)
            if again:
                if before == text:
                    continue
            elif before is None:
                self.changes.added.append(str(ident))
            elif before != text:
                self.changes.changed.append(str(ident))
            else:
                continue
            # (the row is this read's own: completed in place)
            row["raw"] = StoredText(text)
            row["connection"] = self.conn
            row["kind"] = self.kind
            row["fetched_at"] = self.now
            changed_rows.append(row)
        if changed_rows:
            with db.atomic():
                bulk_insert(
                    self.model,
                    changed_rows,
                    conflict=("connection", "kind", id_field),
                    update=[
                        name
                        for name in changed_rows[0]
                        if name not in ("connection", "kind", id_field)
                    ],
                )

    def finish(self) -> None:
        """The read is whole: remove, when ``complete``, the rows it did not list; keep the
        records for the load that follows."""
        if self.complete:
            sql, params = self.model.select(self.key).where(self.covered).sql()
            stored = [i for (i,) in db.execute_sql(sql, params).fetchall()]
            gone = [i for i in stored if i not in self.seen]
            self.changes.removed.extend(str(i) for i in gone)
            with db.atomic():
                for start in range(0, len(gone), 500):
                    self.model.delete().where(
                        self.covered & self.key.in_(gone[start : start + 500])
                    ).execute()
        if self.parsed:
            _keep_parsed(
                self.model._meta.table_name,
                self.conn,
                self.kind,
                self.parsed,
                whole=self.complete and self.within is None,
            )


def _store(
    model: type[XeroRecord] | type[QBTRecord],
    conn: Connection,
    kind: str,
    id_field: str,
    rows: Sequence[dict[str, Any]],
    *,
    complete: bool,
    changes: KindChanges,
    within: Any = None,
    records: Sequence[Any] = (),
) -> None:
    """Upsert one whole answer's snapshot rows (:class:`_Storing`, one page); when
    ``complete``, rows no longer listed are removed."""
    storing = _Storing(
        model, conn, kind, id_field, complete=complete, changes=changes, within=within
    )
    storing.add(rows, records)
    storing.finish()


def _xero_row(xero_id: str, name: str, raw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"xero_id": xero_id, "name": name, "raw": raw, **extra}


def _qbt_row(qbt_id: int, name: str, raw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"qbt_id": int(qbt_id), "name": name, "raw": raw, **extra}


# ---------------------------------------------------------------------------- fetch
def fetch(
    ctx: AppContext, conn: Connection, *, full: bool = False, progress: Progress | None = None
) -> FetchReport:
    """Read both sides of ``conn`` into the snapshot tables. Returns what changed."""
    report = FetchReport()
    forget_parsed(conn)  # a read no load took: this one's records replace them
    step = progress or (lambda _phase, _done, _total: None)
    report.first_time = _cursor(conn, "xero", "contacts") is None
    _fetch_xero(ctx, conn, report, full=full, step=step)
    token = ctx.qbtime_token_for(conn)
    whole = (
        full
        or report.first_time
        or _whole_read_due(ctx, conn, "qbtime", "full", every=WHOLE_READ_EVERY_S)
    )
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


def _whole_read_due(
    ctx: AppContext,
    conn: Connection,
    source: str,
    resource: str,
    *,
    every: float = FULL_CONTACTS_EVERY_S,
) -> bool:
    """No whole read of ``resource`` recorded, or none for ``every`` seconds."""
    last_whole = _cursor(conn, source, resource)
    return last_whole is None or ctx.clock() - float(last_whole) > every


def _incremental_since(
    ctx: AppContext, conn: Connection, resource: str, *, full: bool
) -> float | None:
    """The If-Modified-Since cursor for ``resource``, or None when this read must be whole:
    asked for, never read, or no whole read for :data:`FULL_CONTACTS_EVERY_S`."""
    since_raw = _cursor(conn, "xero", resource)
    every = _WHOLE_EVERY.get(resource, FULL_CONTACTS_EVERY_S)
    if (
        full
        or since_raw is None
        or _whole_read_due(ctx, conn, "xero", f"{resource}_full", every=every)
    ):
        return None
    return float(since_raw or 0)


def _advance_xero(
    ctx: AppContext, conn: Connection, client: Any, resource: str, *, whole: bool
) -> None:
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
        log.info(
            "Could not read the recent sales invoices (%s): contacts that became "
            "customers are found by the next whole read",
            type(exc).__name__,
        )
        return []


def _add_first_invoiced(
    conn: Connection, client: XeroClient, known: set[str], invoiced: list[str]
) -> list[XeroContact]:
    """The contacts whose first sales invoice came since the last read (Xero does not bump
    their UpdatedDateUTC, so an incremental read cannot see them), unless already read
    (``known``: the lower-case ids read) or already known as customers."""
    customers = {
        str(row.xero_id).lower()
        for row in XeroRecord.select(XeroRecord.xero_id).where(
            (XeroRecord.connection == conn)
            & (XeroRecord.kind == "contact")
            & (XeroRecord.is_customer == True)  # noqa: E712 (peewee)
        )
    }
    wanted = [i for i in invoiced if i.lower() not in known and i.lower() not in customers]
    return client.contacts_by_ids(wanted) if wanted else []


class _PageStream:
    """The pages of one read, made by a reader thread (:meth:`run`) and taken by the storing
    thread (iterating) one at a time as they come: at most ``ahead`` pages wait, so a read
    of any size holds a few pages, not the whole list. Iterating gives the pages in order,
    then raises the reader's error, if any; :meth:`close` stops the reader (at its next
    page) and lets go of the waiting pages."""

    def __init__(self, ahead: int = 2) -> None:
        self._pages: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
        self._closed = threading.Event()

    def run(self, read: Callable[..., Iterable[Any]], *args: Any) -> None:
        """In the reader thread: ``read(*args)``'s pages, then its end or its error.
        Closed before it began (another read failed first): no call is made."""
        if self._closed.is_set():
            return
        pages = iter(read(*args))
        try:
            for page in pages:
                if not self._put(("page", page)):
                    return
        except BaseException as exc:  # handed to the storing thread, raised there
            self._put(("error", exc))
        else:
            self._put(("end", None))
        finally:
            close = getattr(pages, "close", None)
            if close is not None:  # a generator stopped part-way ends here, not later
                close()

    def _put(self, item: tuple[str, Any]) -> bool:
        while not self._closed.is_set():
            try:
                self._pages.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Any]:
        while True:
            kind, value = self._pages.get()
            if kind == "page":
                yield value
            elif kind == "error":
                self.close()
                raise value
            else:
                return

    def close(self) -> None:
        self._closed.set()
        while True:
            try:
                self._pages.get_nowait()
            except queue.Empty:
                return


def _discard(futures: dict[str, Any]) -> None:
    """Forget reads whose answer is not used: cancel those not started, swallow the errors
    of the others (a speculative payroll read of an organisation without payroll fails),
    stop the paged ones."""
    for future in futures.values():
        if isinstance(future, _PageStream):
            future.close()
        elif not future.cancel():
            future.add_done_callback(lambda f: f.cancelled() or f.exception())


# ---------------------------------------------------------------------------- the resources
Rows = Callable[[Sequence[Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Stored:
    """One snapshot kind filled by a read: ``kind`` in the snapshot table, ``report`` its
    key in :class:`FetchReport`, ``rows`` the table rows of the records read."""

    kind: str
    report: str
    rows: Rows


@dataclass(frozen=True)
class IdCheck:
    """Records without an id, or sharing one, are left out and reported (:func:`_unique`);
    ``kind`` is a key of :data:`_PROBLEM_KINDS`."""

    kind: str
    id_of: Callable[[Any], str]
    name_of: Callable[[Any], str]


@dataclass(frozen=True)
class TopUp:
    """A second read sent with an incremental one, for what If-Modified-Since cannot see:
    ``read(client, since)`` in parallel, then ``add(conn, client, known, answer)``: the
    records to add to those read (``known``: their ids, in lower case)."""

    read: Callable[[XeroClient, float], Any]
    add: Callable[[Connection, XeroClient, set[str], Any], list[Any]]


@dataclass(frozen=True)
class XeroResource:
    """One Xero list. ``read(client, version, since)``: ``since`` None is a whole read;
    ``version`` is the organisation's (payroll lists depend on it). ``name`` keys the read,
    Xero's ``last_fetch`` and, when it can be incremental, the cursors ``name`` and
    ``name_full``. A list read whole is complete: rows no longer listed are removed.
    ``paged``: ``read`` gives the records page after page (an iterator of lists), made in
    a reader thread while this one stores each page and lets it go (:class:`_PageStream`)."""

    name: str
    read: Callable[[XeroClient, str | None, float | None], Any]
    stores: tuple[Stored, ...]
    #: If-Modified-Since between whole reads: never, always, or under these payroll APIs
    incremental: bool | frozenset[PayrollApi] = False
    payroll: bool = False  # only for an organisation with payroll
    checked: IdCheck | None = None
    topup: TopUp | None = None
    paged: bool = False

    def reads_incrementally(self, api: PayrollApi) -> bool:
        if isinstance(self.incremental, bool):
            return self.incremental
        return api in self.incremental


@dataclass(frozen=True)
class QBTResource:
    """One QuickBooks Time list. ``endpoint``: its name in the API, in
    ``last_modified_timestamps`` and in its cursors. ``read(client, part, since)``: ``since``
    None is a whole read. ``parts``: the list is read per parent (custom field items, per
    custom field: the API requires ``customfield_id``), each with its own cursor
    ``endpoint:part``. ``stamps``: what of each record carries its ``last_modified``."""

    endpoint: str
    read: Callable[[QBTimeClient, int | None, float | None], Sequence[Any]]
    stored: Stored
    parts: Callable[[Connection], list[int]] | None = None
    stamps: Callable[[Any], dict[str, Any]] = lambda record: record.raw
    #: ``pages(client, since)``: the records page after page, each stored as it comes (a
    #: list as large as the organisation: 30,000 jobcodes held whole before being stored
    #: were a full garbage collection or two of the fetch at 100,000 contacts; issue 16)
    pages: Callable[[QBTimeClient, float | None], Iterable[Sequence[Any]]] | None = None


def _contact_rows(contacts: Sequence[XeroContact]) -> list[dict[str, Any]]:
    # (the row written out: _xero_row's merge of keywords, 10,000 times, cost a tenth of it)
    return [
        {
            "xero_id": c.contact_id,
            "name": c.name,
            "raw": c.raw,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "email": c.email,
            "status": c.status,
            "archived": c.archived,
            "is_customer": c.is_customer,
            "updated_utc": _ts(c.updated_utc),
        }
        for c in contacts
    ]


def _item_rows(items: Sequence[XeroItem]) -> list[dict[str, Any]]:
    return [
        _xero_row(i.item_id, i.name or i.code, i.raw, updated_utc=_ts(i.updated_utc)) for i in items
    ]


def _category_rows(categories: Sequence[XeroTrackingCategory]) -> list[dict[str, Any]]:
    return [
        _xero_row(t.category_id, t.name, t.raw, status=t.status, archived=t.status != "ACTIVE")
        for t in categories
    ]


def _option_rows(categories: Sequence[XeroTrackingCategory]) -> list[dict[str, Any]]:
    return [
        _xero_row(
            o.option_id,
            o.name,
            {"TrackingOptionID": o.option_id, "Name": o.name, "Status": o.status},
            parent_xero_id=t.category_id,
            status=o.status,
            archived=o.status != "ACTIVE",
        )
        for t in categories
        for o in t.options
    ]


def _employee_rows(employees: Sequence[XeroEmployee]) -> list[dict[str, Any]]:
    return [
        _xero_row(
            e.employee_id,
            f"{e.first_name} {e.last_name}".strip(),
            e.raw,
            first_name=e.first_name,
            last_name=e.last_name,
            email=e.email,
            status="ACTIVE" if e.active else "TERMINATED",
            archived=not e.active,
            updated_utc=_ts(e.updated_utc),
        )
        for e in employees
    ]


def _leave_type_rows(leave_types: Sequence[XeroLeaveType]) -> list[dict[str, Any]]:
    return [_xero_row(t.leave_type_id, t.name, t.raw, archived=not t.active) for t in leave_types]


def _user_rows(users: Sequence[QBTUser]) -> list[dict[str, Any]]:
    return [
        _qbt_row(
            u.id,
            f"{u.first_name} {u.last_name}".strip(),
            u.raw,
            first_name=u.first_name,
            last_name=u.last_name,
            email=u.email,
            username=u.username,
            active=u.active,
        )
        for u in users
    ]


def _jobcode_rows(jobcodes: Sequence[QBTJobcode]) -> list[dict[str, Any]]:
    return [
        _qbt_row(j.id, j.name, j.raw, parent_id=j.parent_id, type=j.type, active=j.active)
        for j in jobcodes
    ]


def _customfield_rows(fields: Sequence[QBTCustomField]) -> list[dict[str, Any]]:
    return [_qbt_row(f.id, f.name, f.raw, active=f.active, type=f.type) for f in fields]


def _customfielditem_rows(items: Sequence[QBTCustomFieldItem]) -> list[dict[str, Any]]:
    return [
        _qbt_row(i.id, i.name, i.raw, parent_id=i.customfield_id, active=i.active) for i in items
    ]


def _location_rows(locations: Sequence[QBTLocation]) -> list[dict[str, Any]]:
    return [
        _qbt_row(loc.id, loc.label or loc.address.line1, loc.raw, active=loc.active)
        for loc in locations
    ]


def _assignment_rows(assignments: Sequence[QBTAssignment]) -> list[dict[str, Any]]:
    """Assignments to one team member each. A ``user_id`` 0 row is a jobcode's
    ``assigned_to_all``, already on the jobcode: not kept (an import's answers say the
    jobcode, not that row; core.services.written)."""
    return [
        _qbt_row(
            a.id,
            "",
            {"id": a.id, "user_id": a.user_id, "jobcode_id": a.jobcode_id, "active": a.active},
            parent_id=a.jobcode_id,
            active=a.active,
        )
        for a in assignments
        if a.user_id != 0
    ]


def _contact_pages(client: XeroClient, since: float | None) -> Iterator[list[XeroContact]]:
    for rows in client.contact_pages(since):
        yield [xmap.map_contact(r) for r in rows]


def _read_customfielditems(
    client: QBTimeClient, field_id: int | None, since: float | None
) -> list[QBTCustomFieldItem]:
    assert field_id is not None  # read per custom field (parts)
    return client.customfielditems(field_id, modified_since=since)


def _known_customfields(conn: Connection) -> list[int]:
    return sorted(
        {
            int(r.qbt_id)
            for r in QBTRecord.select(QBTRecord.qbt_id).where(
                (QBTRecord.connection == conn) & (QBTRecord.kind == "customfield")
            )
        }
    )


#: What a fetch reads from Xero and how, stored in this order. Contacts and AU payroll
#: employees are read incrementally (If-Modified-Since) between whole reads; NZ/UK payroll
#: has no If-Modified-Since; items and tracking categories are one call each.
XERO_RESOURCES: tuple[XeroResource, ...] = (
    XeroResource(
        "contacts",
        lambda c, _version, since: _contact_pages(c, since),
        (Stored("contact", "contacts", _contact_rows),),
        incremental=True,
        checked=IdCheck("contact", lambda c: c.contact_id, lambda c: c.name),
        topup=TopUp(_invoiced_contact_ids, _add_first_invoiced),
        paged=True,
    ),
    XeroResource(
        "items",
        lambda c, _version, _since: c.items(),
        (Stored("item", "items", _item_rows),),
        checked=IdCheck("item", lambda i: i.item_id, lambda i: i.name or i.code),
    ),
    XeroResource(
        "tracking_categories",
        lambda c, _version, _since: c.tracking_categories(include_archived=True),
        (
            Stored("tracking_category", "tracking_categories", _category_rows),
            Stored("tracking_option", "tracking_options", _option_rows),
        ),
    ),
    XeroResource(
        "employees",
        lambda c, version, since: c.employees(version, modified_since=since),
        (Stored("employee", "employees", _employee_rows),),
        payroll=True,
        incremental=frozenset({PayrollApi.AU}),
        checked=IdCheck("employee", lambda e: e.employee_id, lambda e: _employee_name(e.raw)),
    ),
    XeroResource(
        "leave_types",
        lambda c, version, _since: c.leave_types(version),
        (Stored("leave_type", "leave_types", _leave_type_rows),),
        payroll=True,
    ),
)

#: What a fetch reads from QuickBooks Time, in this order (custom fields before their items).
QBT_RESOURCES: tuple[QBTResource, ...] = (
    QBTResource(
        "users",
        lambda c, _part, since: c.users(modified_since=since),
        Stored("user", "users", _user_rows),
    ),
    QBTResource(
        "jobcodes",
        lambda c, _part, since: c.jobcodes(modified_since=since),
        Stored("jobcode", "jobcodes", _jobcode_rows),
        pages=lambda c, since: c.jobcode_pages(modified_since=since),
    ),
    QBTResource(
        "customfields",
        lambda c, _part, since: c.customfields(modified_since=since),
        Stored("customfield", "customfields", _customfield_rows),
    ),
    QBTResource(
        "customfielditems",
        _read_customfielditems,
        Stored("customfielditem", "customfielditems", _customfielditem_rows),
        parts=_known_customfields,
    ),
    QBTResource(
        "locations",
        lambda c, _part, since: c.locations(modified_since=since),
        Stored("location", "locations", _location_rows),
    ),
    QBTResource(
        "jobcode_assignments",
        lambda c, _part, since: c.jobcode_assignments(modified_since=since),
        Stored("jobcode_assignment", "assignments", _assignment_rows),
        stamps=lambda a: {"last_modified": a.last_modified},
    ),
)

#: the QuickBooks Time lists a fetch reads (last_modified_timestamps endpoint names)
QBT_ENDPOINTS = tuple(r.endpoint for r in QBT_RESOURCES)

XERO_STEPS = 1 + len(XERO_RESOURCES)  # the organisation, then each list
QBT_STEPS = len(QBT_RESOURCES)


# ---------------------------------------------------------------------------- Xero
def _fetch_xero(
    ctx: AppContext, conn: Connection, report: FetchReport, *, full: bool, step: Progress
) -> None:
    """Every list at once (:func:`_read_xero`), then each stored here, in this thread, in
    the order of :data:`XERO_RESOURCES`."""
    client = ctx.xero_client(conn.xero_tenant_id)
    with (
        client.session,
        ThreadPoolExecutor(max_workers=XERO_MAX_CONCURRENT, thread_name_prefix="xero-read") as pool,
    ):
        cursors = {
            r.name: _incremental_since(ctx, conn, r.name, full=full)
            for r in XERO_RESOURCES
            if r.incremental
        }
        report.full_contacts = cursors["contacts"] is None
        results, payroll = _read_xero(conn, client, pool, cursors, step)
        try:
            for index, resource in enumerate(XERO_RESOURCES):
                if resource.payroll and payroll is PayrollApi.NONE:
                    continue
                incremental = resource.reads_incrementally(payroll)
                _store_xero(
                    ctx,
                    conn,
                    client,
                    report,
                    resource,
                    results,
                    since=cursors.get(resource.name) if incremental else None,
                    incremental=incremental,
                )
                if index + 2 < XERO_STEPS:  # the last step is said once, at the end
                    step("xero", index + 2, XERO_STEPS)
        finally:  # a paged read not taken to its end (an error storing) stops its reader
            for answer in results.values():
                if isinstance(answer, _PageStream):
                    answer.close()
        step("xero", XERO_STEPS, XERO_STEPS)


def _read_xero(
    conn: Connection,
    client: XeroClient,
    pool: ThreadPoolExecutor,
    cursors: dict[str, float | None],
    step: Progress,
) -> tuple[dict[str, Any], PayrollApi]:
    """Every list's answer, read at once: up to XERO_MAX_CONCURRENT reads in flight (the
    organisation's limiter keeps Xero's minute and concurrency limits). Payroll depends on
    the organisation's Version: it is read at once with the Version saved by the last
    fetch, and again only if the organisation says otherwise. A top-up's answer is under
    ``name + "+"``. A paged list's answer is its :class:`_PageStream`, read on while the
    pages are stored."""

    def submit(resources: Iterable[XeroResource], version: str | None) -> dict[str, Any]:
        api = payroll_api(version)
        futures: dict[str, Any] = {}
        for resource in resources:
            since = cursors.get(resource.name) if resource.reads_incrementally(api) else None
            if resource.paged:
                stream = _PageStream()
                pool.submit(stream.run, resource.read, client, version, since)
                futures[resource.name] = stream
            else:
                futures[resource.name] = pool.submit(resource.read, client, version, since)
            if resource.topup is not None and since is not None:
                futures[resource.name + "+"] = pool.submit(resource.topup.read, client, since)
        return futures

    def payroll_reads(version: str | None) -> dict[str, Any]:
        if payroll_api(version) is PayrollApi.NONE:
            return {}
        return submit((r for r in XERO_RESOURCES if r.payroll), version)

    futures: dict[str, Any] = {
        "organisation": pool.submit(client.organisation),
        **submit((r for r in XERO_RESOURCES if not r.payroll), conn.xero_version),
    }
    guessed = conn.xero_version
    speculative = payroll_reads(guessed) if guessed else {}
    try:
        org = futures["organisation"].result()
        if (org.version, org.country_code) != (conn.xero_version, conn.xero_country_code):
            conn.xero_version, conn.xero_country_code = org.version, org.country_code
            conn.save()
        remember_timezone(conn.xero_tenant_id, org.timezone)  # (its "today": no call later)
        step("xero", 1, XERO_STEPS)
        payroll = payroll_api(org.version)
        if speculative and payroll_api(guessed) is payroll:
            futures.update(speculative)
        else:  # the Version changed (or was unknown): the guess is not used
            _discard(speculative)
            futures.update(payroll_reads(org.version))
        return {
            name: future if isinstance(future, _PageStream) else future.result()
            for name, future in futures.items()
        }, payroll
    except BaseException:
        _discard(futures)
        _discard(speculative)
        raise


def _store_xero(
    ctx: AppContext,
    conn: Connection,
    client: XeroClient,
    report: FetchReport,
    resource: XeroResource,
    results: dict[str, Any],
    *,
    since: float | None,
    incremental: bool,
) -> None:
    """Store one list's answer (page after page for a paged one, each stored as it comes):
    checked for bad ids, topped up, then its cursors moved."""
    whole = since is None
    answer = results[resource.name]
    storing = [
        (
            stored,
            _Storing(
                XeroRecord,
                conn,
                stored.kind,
                "xero_id",
                complete=whole,
                changes=report.xero.setdefault(stored.report, KindChanges()),
            ),
        )
        for stored in resource.stores
    ]
    check = resource.checked
    unique = None if check is None else _Unique(check, again_ok=resource.paged)
    known: set[str] = set()  # the lower-case ids read (with a top-up)

    def store(records: Sequence[Any]) -> None:
        if unique is not None:
            records = unique(records)
        if resource.topup is not None and check is not None:
            known.update((check.id_of(r) or "").lower() for r in records)
        for stored, kind in storing:
            kind.add(stored.rows(records), records)

    for page in answer if resource.paged else [answer]:
        store(page)
    extra = results.get(resource.name + "+")
    if resource.topup is not None and extra:
        store(resource.topup.add(conn, client, known, extra))
    if unique is not None and check is not None:
        unique.log()
        _record_problems(conn, check.kind, unique.problems, whole=whole, read_ids=unique.read_ids())
    for _stored, kind in storing:
        kind.finish()
    if incremental:
        _advance_xero(ctx, conn, client, resource.name, whole=whole)


# ---------------------------------------------------------------------------- QuickBooks Time
def _latest(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v]
    return max(present) if present else None


def _fetch_qbtime(
    ctx: AppContext,
    conn: Connection,
    token: str,
    report: FetchReport,
    *,
    full: bool,
    step: Progress,
) -> None:
    client = ctx.qbtime_client(token, conn.id)
    with client.session:
        remember_key_owner(conn, client, token)
        reads = _QBTReads(conn, client, full=full)
        for number, resource in enumerate(QBT_RESOURCES, start=1):
            changes = report.qbtime.setdefault(resource.stored.report, KindChanges())
            if resource.parts is None:
                reads.read(resource, resource.endpoint, changes)
            else:
                parts = resource.parts(conn)
                for part in parts:
                    reads.read(
                        resource,
                        f"{resource.endpoint}:{part}",
                        changes,
                        part=part,
                        siblings=[
                            f"{resource.endpoint}:{other}" for other in parts if other != part
                        ],
                    )
            step("qbtime", number, QBT_STEPS)


def _kept(conn: Connection, cursor: str, value: str) -> bool:
    """``cursor``'s value is the newest of an import's own writes, stored from their
    answers, checked to be the list's newest change in a later second, and not moved by a
    read since (core.services.written)."""
    return _cursor(conn, "qbtime", cursor + "@kept") == value


class _QBTReads:
    """The cursors of one QuickBooks Time fetch: whether a list must be read, since when,
    and what its reading saw. Cursor ``resource``: the newest ``last_modified`` read;
    ``resource@read``: when the list was read (the server's clock)."""

    def __init__(self, conn: Connection, client: QBTimeClient, *, full: bool) -> None:
        self.conn = conn
        self.client = client
        self.full = full
        # One call says which lists changed at all (QuickBooks Time's documented use of
        # last_modified_timestamps): a list whose newest change is one we have already read
        # is not read again. The whole read every 24 h (fetch) bounds what this could miss.
        self.stamps: dict[str, float | None] = {}
        if not full:
            self.stamps = {
                k: qmap.parse_timestamp(v)
                for k, v in client.last_modified_timestamps(QBT_ENDPOINTS).items()
            }

    def read(
        self,
        resource: QBTResource,
        cursor: str,
        changes: KindChanges,
        *,
        part: int | None = None,
        siblings: Sequence[str] = (),
    ) -> None:
        """Read ``resource`` (one ``part`` of it) unless unchanged, store it, move its
        cursor. A whole read is complete: rows no longer listed (in this part) are removed."""
        if self.unchanged(resource.endpoint, cursor, siblings=siblings):
            return
        if resource.pages is not None and part is None:
            self.read_pages(resource, cursor, changes)
            return
        records = resource.read(self.client, part, self.since(cursor))
        # (before storing: a stored record may hold its raw object as text, parsed if read)
        stamps = [resource.stamps(r) for r in records]
        _store(
            QBTRecord,
            self.conn,
            resource.stored.kind,
            "qbt_id",
            resource.stored.rows(records),
            complete=self.full,
            changes=changes,
            within=None if part is None else QBTRecord.parent_id == part,
            records=records,
        )
        self.advance(cursor, stamps, resource.endpoint)

    def read_pages(self, resource: QBTResource, cursor: str, changes: KindChanges) -> None:
        """:meth:`read` of a list read page after page (``resource.pages``), each page
        stored as it comes. A read that fails part-way leaves its earlier pages stored and
        the cursor where it was (the next read reads them again: unchanged)."""
        assert resource.pages is not None
        storing = _Storing(
            QBTRecord,
            self.conn,
            resource.stored.kind,
            "qbt_id",
            complete=self.full,
            changes=changes,
        )
        latest: float | None = None
        for records in resource.pages(self.client, self.since(cursor)):
            # (before storing: a stored record may hold its raw object as text, parsed if read)
            latest = _latest(
                [latest]
                + [qmap.parse_timestamp(resource.stamps(r).get("last_modified")) for r in records]
            )
            storing.add(resource.stored.rows(records), records)
        storing.finish()
        self.advance_to(cursor, latest, resource.endpoint)

    def since(self, cursor: str) -> float | None:
        value = None if self.full else _cursor(self.conn, "qbtime", cursor)
        if not value:
            return None
        if _kept(self.conn, cursor, value):
            # The newest change is an import's own write, stored from its answer and found
            # to be the list's newest in a later second (core.services.written): read what
            # came after it, not a skew earlier (the import's last seconds of writes again).
            return float(value) + self.client.since_skew_s
        return float(value)

    def unchanged(self, endpoint: str, cursor: str, *, siblings: Sequence[str] = ()) -> bool:
        """The list's newest change is one we read, and we read the list in a later
        second (stamps are whole seconds: a change in the same second may have come
        after our read). ``siblings``: the cursors sharing the endpoint's one stamp
        (custom field items, read per field): the newest change may be in any."""
        stamp = self.stamps.get(endpoint)
        seen = [_cursor(self.conn, "qbtime", r) for r in (cursor, *siblings)]
        read_at = _cursor(self.conn, "qbtime", cursor + "@read")
        if stamp is None or read_at is None or seen[0] is None:
            return False
        newest = max(float(c) for c in seen if c is not None)
        return stamp <= newest < math.floor(float(read_at))

    def advance(self, cursor: str, raws: Iterable[dict[str, Any]], endpoint: str) -> None:
        self.advance_to(
            cursor, _latest([qmap.parse_timestamp(r.get("last_modified")) for r in raws]), endpoint
        )

    def advance_to(self, cursor: str, newest: float | None, endpoint: str) -> None:
        """Move ``cursor`` to ``newest`` (the newest ``last_modified`` read; never back)."""
        old = None if self.full else _cursor(self.conn, "qbtime", cursor)
        latest = _latest([newest, float(old) if old else None])
        if latest is not None:
            _set_cursor(self.conn, "qbtime", cursor, repr(latest))
        if _cursor(self.conn, "qbtime", cursor + "@kept"):
            # read now: the list's cursor is a read's again (core.services.written)
            _set_cursor(self.conn, "qbtime", cursor + "@kept", "")
        read_at = self.client.read_at.get(endpoint)
        if read_at is not None:
            _set_cursor(self.conn, "qbtime", cursor + "@read", repr(read_at))


# ---------------------------------------------------------------------------- key owner
def _key_owner_setting(conn: Connection) -> str:
    return f"qbtime_key_owner:{conn.xero_tenant_id}"


def _key_digest(token: str) -> str:
    return hashlib.sha256(b"xqb key owner\0" + token.encode()).hexdigest()[:16]


def key_digest(token: str) -> str:
    """What identifies a key without keeping it: the key owner is recorded against it."""
    return _key_digest(token)


def record_key_owner(conn: Connection, digest: str, user_id: int) -> None:
    """The owner of the key whose digest is ``digest``, as connecting learned it (its
    ``GET /current_user`` when the key was checked): the first fetch with that key needs
    not ask again. A key that differs later is asked about (remember_key_owner)."""
    Setting.set_value(_key_owner_setting(conn), {"key": digest, "user_id": int(user_id)})


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
#: rows a snapshot load reads from SQLite at a time
_LOAD_PART = 2_000


def load_snapshot(conn: Connection, *, today: date | None = None, raw: bool = True) -> Snapshot:
    """The snapshot tables of ``conn`` as typed records (no network). ``raw``: False to
    plan only (a scheduled sync): the contacts', items', jobcodes', custom fields' and their
    items' and locations' raw objects are not kept (``without_raw``: the plan reads typed
    fields), which were about half of a 100,000-contact snapshot's memory; users, employees
    and leave types keep theirs (an administrator is read from a user's)."""
    from operator import itemgetter

    from core.jsontext import loads  # (orjson: the stored text read several times faster)

    today = today or date.today()
    snap = Snapshot(version=conn.xero_version, key_owner_id=key_owner_id(conn))

    # Only the stored JSON is needed: reading it as text and parsing it here is several
    # times cheaper than building a model object (every column converted) per row.
    def raws(query: Any) -> list[dict[str, Any]]:
        sql, params = query.sql()
        return [loads(text) for (text,) in db.execute_sql(sql, params).fetchall()]

    def xrows(kind: str) -> list[dict[str, Any]]:
        return raws(
            XeroRecord.select(XeroRecord.raw)
            .where((XeroRecord.connection == conn) & (XeroRecord.kind == kind))
            .order_by(XeroRecord.id)
        )

    def qrows(kind: str) -> list[dict[str, Any]]:
        return raws(
            QBTRecord.select(QBTRecord.raw)
            .where((QBTRecord.connection == conn) & (QBTRecord.kind == kind))
            .order_by(QBTRecord.qbt_id)
        )

    def records(
        model: Any, id_field: str, order: Any, kind: str, mapper: Any, *, keep: bool = True
    ) -> list[Any]:
        """The rows of ``kind`` as records: those this process has just read with the same
        stored text reused (taken: a later load parses), the others parsed. ``keep``:
        whether the others keep their raw object (as its text) or not (``without_raw``)."""
        key = getattr(model, id_field)
        # ordered here, not by SQLite: ordering by the row id, it sorted every row's text in
        # a temporary B-tree (10,000 contacts: 0.07 s instead of 0.02 s)
        sql, params = (
            model.select(order, key, model.raw)
            .where((model.connection == conn) & (model.kind == kind))
            .sql()
        )
        table = model._meta.table_name
        with _PARSED_LOCK:
            known = _PARSED.pop((table, int(conn.id), kind), {})
        keeping = keep_raw_as_text if keep else (lambda record, _text: without_raw(record))
        # read a part at a time: a text not kept is gone once parsed (all of them at once
        # were 140 MB at 100,000 contacts)
        ordered: list[tuple[Any, Any]] = []
        rows = db.execute_sql(sql, params)
        while part := rows.fetchmany(_LOAD_PART):
            for position, ident, text in part:
                hit = known.get(ident)
                ordered.append(
                    (
                        position,
                        keeping(hit, text)  # (held here only: made as if parsed now)
                        if hit is not None and raw_text(hit) == text
                        else keeping(mapper(loads(text)), text),
                    )
                )
        ordered.sort(key=itemgetter(0))
        return [record for _position, record in ordered]

    snap.contacts = records(
        XeroRecord, "xero_id", XeroRecord.id, "contact", xmap.map_contact, keep=raw
    )
    snap.items = records(XeroRecord, "xero_id", XeroRecord.id, "item", xmap.map_item, keep=raw)
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
            snap.problems.append(
                XeroProblem("employee", eid, _employee_name(r), BAD_END_DATE, {"value": bad})
            )
        mapper = xmap.map_v2_employee if v2 else xmap.map_au_employee
        snap.employees = [mapper(r, today) for r in readable]
        snap.leave_types = [
            (xmap.map_v2_leave_type if v2 else xmap.map_au_leave_type)(r)
            for r in xrows("leave_type")
        ]

    def qrecords(kind: str, mapper: Any, *, keep: bool = raw) -> list[Any]:
        return records(QBTRecord, "qbt_id", QBTRecord.qbt_id, kind, mapper, keep=keep)

    snap.users = qrecords("user", qmap.user, keep=True)
    snap.jobcodes = qrecords("jobcode", qmap.jobcode)
    snap.customfields = qrecords("customfield", qmap.customfield)
    snap.customfielditems = qrecords("customfielditem", qmap.customfielditem)
    snap.locations = qrecords("location", qmap.location)
    snap.assignments = [qmap.assignment(r) for r in qrows("jobcode_assignment")]
    return snap


def load_fields(conn: Connection) -> tuple[list[QBTCustomField], list[XeroTrackingCategory]]:
    """Only the QuickBooks Time custom fields and the Xero tracking categories of ``conn``'s
    snapshot (no network): what the field-name rule needs, cheap enough for a form."""

    def raws(model: Any, kind: str, order: Any) -> list[dict[str, Any]]:
        sql, params = (
            model.select(model.raw)
            .where((model.connection == conn) & (model.kind == kind))
            .order_by(order)
            .sql()
        )
        return [json.loads(text) for (text,) in db.execute_sql(sql, params).fetchall()]

    return (
        [qmap.customfield(r) for r in raws(QBTRecord, "customfield", QBTRecord.qbt_id)],
        [
            xmap.map_tracking_category(r)
            for r in raws(XeroRecord, "tracking_category", XeroRecord.id)
        ],
    )
