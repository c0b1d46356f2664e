"""Executes an :class:`~core.engine.plan.ImportPlan`: journal the intent, write, record the result.

Every write to QuickBooks Time goes through :class:`Importer` (imports) or :func:`undo_run`
(undo): one journaled path. Guarantees:

* an action is journaled (``intent``) before its batch is sent and updated with the outcome
  after (``done`` / ``failed`` with QuickBooks Time's reason); one failure never stops the rest;
* batches hold at most 50 rows (QuickBooks Time answers 413 beyond);
* a batch whose answer was lost is reconciled by reading back before anything is re-sent,
  so nothing is created twice;
* killed at any moment, the next run marks the interrupted run, plans again from fresh
  snapshots (what was created is found and linked) and converges with no duplicate;
* cancellation is checked between batches: a batch is never half-sent;
* progress is reported per phase with counts and an ETA.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.engine.names import NAME_LIMIT, qbt_name_key
from core.engine.plan import PHASES, Action, ImportPlan, ordered_groups
from core.engine.writes import WriteOutcomeUnknown, WriteResult
from core.errors import BridgeError
from core.i18n import N_, Msg, MsgList, tr
from core.jsontext import dumps_canonical
from core.store.models import (
    _SQL_ERRORS_AS_PEEWEE,
    Decision,
    ImportRun,
    JournalEntry,
    LeaveLink,
    Link,
    db,
    utcnow,
)

if TYPE_CHECKING:
    from core.services.qbtime.client import QBTimeClient
    from core.store.models import Connection

log = logging.getLogger(__name__)

BATCH_SIZE = 50
#: re-sends of a batch whose answer was lost (each after reading back what was written)
RESENDS = 3

_CREATE = {
    "jobcode": "create_jobcodes",
    "user": "create_users",
    "customfield": "create_customfields",
    "customfielditem": "create_customfielditems",
    "location": "create_locations",
}
_UPDATE = {
    "jobcode": "update_jobcodes",
    "user": "update_users",
    "customfield": "update_customfields",
    "customfielditem": "update_customfielditems",
    "location": "update_locations",
}
_LIST = {
    "jobcode": "jobcodes",
    "user": "users",
    "customfield": "customfields",
    "location": "locations",
}


class ImportCancelled(BridgeError):
    message = (
        "The import was stopped. Everything written so far is recorded; "
        "importing again finishes the job without duplicates."
    )


@dataclass(frozen=True)
class ProgressEvent:
    phase: str
    done: int
    total: int
    eta_s: float | None
    message: str = ""


ProgressCallback = Callable[[ProgressEvent], None]
#: told after each answered write batch: (entity, op, [(action, its result)...]) for the rows
#: QuickBooks Time accepted, so the caller can keep its snapshot from the answers (each answer
#: is the whole object) instead of reading the lists again after the import
WrittenCallback = Callable[[str, str, list[tuple["Action", WriteResult]]], None]


@dataclass(slots=True)
class _Entry:
    """A journal entry just written by :meth:`Importer._journal_many`: the few attributes
    the importer reads and settles (a peewee model object per row cost more CPU than the
    row's INSERT)."""

    id: int
    qbt_id: int | None
    state: str = "intent"
    error: str | None = None


#: a journal entry as the importer settles it (``Undoer`` journals one at a time)
_Journaled = JournalEntry | _Entry

#: the fields an intent is written with (those bulk_insert would write for the same rows:
#: the ones given, and ``created_at``/``updated_at``; ``error`` defaults to NULL)
_INTENT_FIELDS = (
    "run",
    "seq",
    "action",
    "entity_kind",
    "xero_id",
    "qbt_id",
    "batch_key",
    "before",
    "after",
    "state",
    "created_at",
    "updated_at",
)
_JOURNAL_INTENT = 'INSERT INTO "journal_entry" ({}) VALUES ({})'.format(  # noqa: S608 (names from the model, values bound)
    ", ".join(f'"{JournalEntry._meta.fields[n].column_name}"' for n in _INTENT_FIELDS),
    ", ".join("?" for _ in _INTENT_FIELDS),
)


_LINK_FIELDS = ("connection", "kind", "xero_id", "qbt_id", "created_by_run", "created_at")
_LINK_INSERT = 'INSERT INTO "link" ({}) VALUES ({})'.format(  # noqa: S608 (names from the model, values bound)
    ", ".join(f'"{Link._meta.fields[n].column_name}"' for n in _LINK_FIELDS),
    ", ".join("?" for _ in _LINK_FIELDS),
)


def _json(value: Mapping[str, Any]) -> str:
    """A journal entry's ``before``/``after`` as its JSONField stores it (of a dict copy of
    any other mapping, as the entries were always given)."""
    if type(value) is not dict:
        value = dict(value)
    return dumps_canonical(value) if value else "{}"  # (a create's before: no call)


# ============================================================================ helpers
def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _matches(entity: str, row: Mapping[str, Any], record: Any) -> bool:
    """Is ``record`` (a typed QB Time record) the object ``row`` asked to create?"""
    if entity == "jobcode":
        return (
            record.parent_id == int(row.get("parent_id", 0))
            and _norm(record.name) == _norm(row.get("name"))
            and record.type == row.get("type", "regular")
        )
    if entity == "user":
        return _norm(record.username) == _norm(row.get("username"))
    if entity == "customfield":
        return _norm(record.name) == _norm(row.get("name"))
    if entity == "customfielditem":
        return record.customfield_id == row.get("customfield_id") and _norm(record.name) == _norm(
            row.get("name")
        )
    if entity == "location":
        wanted = set((row.get("linked_objects") or {}).get("jobcodes") or [])
        addr = record.address
        return (
            wanted <= set(record.jobcode_ids)
            and _norm(addr.line1) == _norm(row.get("addr1"))
            and _norm(addr.city) == _norm(row.get("city"))
            and _norm(addr.postal_code) == _norm(row.get("zip"))
        )
    return False


def _read_back(
    client: QBTimeClient, entity: str, rows: Sequence[Mapping[str, Any]], since: float
) -> dict[int, int]:
    """Index of ``rows`` (by position) → id of the QB Time object that matches it."""
    if entity == "customfielditem":
        found: list[Any] = []
        for field_id in sorted({int(r["customfield_id"]) for r in rows}):
            found += client.customfielditems(field_id, modified_since=since)
    else:
        found = getattr(client, _LIST[entity])(modified_since=since)
    out: dict[int, int] = {}
    used: set[int] = set()
    for index, row in enumerate(rows):
        for record in found:
            if record.id not in used and _matches(entity, row, record):
                out[index] = record.id
                used.add(record.id)
                break
    return out


def interrupted_runs(conn: Connection) -> list[ImportRun]:
    return list(
        ImportRun.select().where((ImportRun.connection == conn) & (ImportRun.status == "running"))
    )


def close_interrupted(conn: Connection) -> int:
    """Runs left ``running`` by a crash (the instance lock rules out a live one): mark them,
    and their unanswered journal entries ``unknown``. The next plan, computed from fresh
    snapshots, finds what they did write.

    A run that ended on a storage error (a full disk while it journaled its answers) could
    not record its outcomes either: its entries still ``intent`` become ``unknown`` too."""
    ended = ImportRun.select(ImportRun.id).where(
        (ImportRun.connection == conn) & (ImportRun.status != "running")
    )
    (
        JournalEntry.update(state="unknown", error="the run ended before the answer was recorded")
        .where((JournalEntry.run.in_(ended)) & (JournalEntry.state == "intent"))
        .execute()
    )
    count = 0
    for run in interrupted_runs(conn):
        (
            JournalEntry.update(state="unknown", error="interrupted before the answer was recorded")
            .where((JournalEntry.run == run) & (JournalEntry.state == "intent"))
            .execute()
        )
        run.status = "failed"
        run.finished_at = utcnow()
        run.counts = {**(run.counts or {}), "interrupted": True}
        run.save()
        count += 1
        log.warning("Import run %s had been interrupted; its work is picked up by this run", run.id)
    return count


# ============================================================================ importer
class Importer:
    """Runs a plan for one connection. Not reusable: one instance, one run."""

    def __init__(
        self,
        conn: Connection,
        client: QBTimeClient,
        plan: ImportPlan,
        *,
        options: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        clock: Callable[[], float] = time.time,
        batch_size: int = BATCH_SIZE,
        kind: str = "import",
        undoes: ImportRun | None = None,
        on_written: WrittenCallback | None = None,
    ) -> None:
        self.conn = conn
        self.on_written = on_written
        self.client = client
        self.plan = plan
        self.options = dict(options or {})
        self.dry_run = dry_run
        self.progress = progress or (lambda _e: None)
        self.cancel = cancel or threading.Event()
        self.clock = clock
        self.batch_size = min(batch_size, BATCH_SIZE)
        self.kind = kind
        self.undoes = undoes
        self.refs: dict[str, int] = {}
        self._pending_updates: list[tuple[str, int | None, str | None, int]] = []
        self._pending_links: list[tuple[str, str, int]] = []
        self._labels = {a.ref: a.label for a in plan.actions}
        self.failed_refs: set[str] = set()
        self.outcomes: dict[str, dict[str, int]] = {}
        self.problems: list[tuple[Action, str]] = []
        self.run: ImportRun | None = None
        #: batches whose answer was lost (reconciled by reading back, not from the answer)
        self.answers_lost = 0
        self._seq = 0
        self._started = 0.0
        #: the open transaction holding what was recorded since the last send (see _hold)
        self._held: Any = None
        self._done = 0

    # ---------------------------------------------------------------- public
    def execute(self) -> ImportRun:
        close_interrupted(self.conn)
        # What is planned is recorded first, so a killed run's history can say how much of
        # it reached QuickBooks Time (cmd_history, from the journal).
        self.run = ImportRun.create(
            connection=self.conn,
            kind=self.kind,
            status="running",
            dry_run=self.dry_run,
            options=self.options,
            undoes_run=self.undoes,
            started_at=utcnow(),
            counts={"planned_writes": sum(1 for a in self.plan.actions if a.writes)},
        )
        self._started = self.clock()
        total = len(self.plan.actions)
        try:
            if not self.dry_run:
                by_phase: dict[str, list[Action]] = {}  # (one pass over the plan, in order)
                for action in self.plan.actions:
                    by_phase.setdefault(action.phase, []).append(action)
                for phase in PHASES:
                    actions = by_phase.get(phase)
                    if actions:
                        self._phase(phase, actions, total)
            status = "done"
        except ImportCancelled:
            status = "cancelled"
            raise
        except BaseException:
            status = "failed"
            raise
        finally:
            try:
                self._commit_held()
            except Exception:
                if status == "done":
                    raise
                # (the run is ending on an error already: that error is the one to show)
                log.exception("The last outcomes of the stopped run could not be recorded")
            self.run.status = status
            self.run.finished_at = utcnow()
            self.run.counts = self.summary()
            self.run.save()
            self.progress(ProgressEvent("finished", self._done, total, 0.0))
        return self.run

    def summary(self) -> dict[str, Any]:
        return {
            "outcomes": self.outcomes,
            "failed": len(self.problems),
            "planned": self.plan.counts(),
        }

    # ---------------------------------------------------------------- transactions
    def _hold(self) -> None:
        """Record into one open transaction until the next send (:meth:`_commit_held`): an
        answered batch's outcomes, the snapshot kept from its answers, the local batches
        after it and the next batch's intents are synced to disk once, just before that
        batch is sent. What is sent is always journaled on disk first; what a crash between
        an answer and the next send loses is the answer's record (its entries read
        "unknown" at the next run, whose plan, from fresh reads, finds what was written)."""
        if self._held is None:
            self._held = db.transaction()
            self._held.__enter__()

    def _commit_held(self) -> None:
        """Commit what :meth:`_hold` holds (before anything is sent, and at the run's end)."""
        held, self._held = self._held, None
        if held is not None:
            held.__exit__(None, None, None)

    # ---------------------------------------------------------------- phases
    def _phase(self, phase: str, actions: list[Action], total: int) -> None:
        ordered = ordered_groups(actions)
        for (op, entity), group in ordered:
            for start in range(0, len(group), self.batch_size):
                if self.cancel.is_set():
                    raise ImportCancelled()
                batch = group[start : start + self.batch_size]
                if op == "local":
                    self._local(batch)
                else:
                    self._batch(op, entity, batch)
                self._done += len(batch)
                elapsed = self.clock() - self._started
                eta = elapsed / self._done * (total - self._done) if self._done else None
                self.progress(ProgressEvent(phase, self._done, total, eta))

    def _journal(
        self, action: Action, row: Mapping[str, Any] | None, journal_op: str
    ) -> JournalEntry:
        assert self.run is not None
        self._seq += 1
        return JournalEntry.create(
            run=self.run,
            seq=self._seq,
            action=journal_op,
            entity_kind=action.entity,
            xero_id=action.xero_id,
            qbt_id=action.qbt_id,
            batch_key=f"{self.run.id}:{action.ref}",
            before=dict(action.before),
            after=dict(row or action.after),
            state="intent",
        )

    def _journal_many(
        self,
        items: Sequence[tuple[Action, Mapping[str, Any] | None, str]],
    ) -> list[_Entry]:
        """Journal a whole batch's intents in a few statements (one INSERT per row cost more
        CPU than the network on large imports); returns saved entries, in order."""
        assert self.run is not None
        if not items:
            return []
        run_id = self.run.id
        # The values as JournalEntry's fields store them (what bulk_insert or create would
        # bind: tests/unit/test_journal_rows.py), bound in one executemany: a row dict per
        # entry, then a column per field, cost more CPU than the INSERT itself.
        now = JournalEntry.created_at.db_value(utcnow())
        intent = JournalEntry.state.db_value("intent")
        ops = {op: JournalEntry.action.db_value(op) for op in {op for _a, _r, op in items}}
        xero_text, qbt_int = JournalEntry.xero_id.db_value, JournalEntry.qbt_id.db_value
        first = self._seq + 1
        params: list[tuple[Any, ...]] = []
        for action, row, journal_op in items:
            self._seq += 1
            params.append(
                (
                    run_id,
                    self._seq,
                    ops[journal_op],
                    action.entity,
                    x if (x := action.xero_id) is None or type(x) is str else xero_text(x),
                    q if (q := action.qbt_id) is None or type(q) is int else qbt_int(q),
                    f"{run_id}:{action.ref}",
                    _json(action.before),
                    _json(row or action.after),
                    intent,
                    now,
                    now,
                )
            )
        with db.atomic(), _SQL_ERRORS_AS_PEEWEE:  # (as bulk_insert: all rows or none)
            db.connection().executemany(_JOURNAL_INTENT, params)
        # (seq, id) as SQLite gives them: only two numbers are read (a model object per row,
        # or peewee building the query, cost more than running it)
        saved = db.execute_sql(
            'SELECT "seq", "id" FROM "journal_entry" WHERE "run_id" = ? AND "seq" BETWEEN ? AND ?',
            (run_id, first, self._seq),
        )
        ids: dict[int, int] = dict(saved.fetchall())
        return [
            _Entry(ids[p[1]], action.qbt_id)
            for p, (action, _r, _o) in zip(params, items, strict=True)
        ]

    def _settle(self, entry: _Journaled, state: str, qbt_id: int | None, error: str | None) -> None:
        """Record an outcome; written with the batch's others by :meth:`_flush`."""
        entry.state, entry.qbt_id, entry.error = state, qbt_id, error
        self._pending_updates.append((state, qbt_id, error, entry.id))

    def _flush(self) -> None:
        """Write the batch's outcomes and links: one statement each, in one transaction."""
        if not (self._pending_updates or self._pending_links):
            return
        now = JournalEntry.updated_at.db_value(utcnow())
        cursor = db.connection()
        with db.atomic():
            if self._pending_updates:
                cursor.executemany(
                    'UPDATE "journal_entry" SET "state" = ?, "qbt_id" = ?, "error" = ?, '
                    '"updated_at" = ? WHERE "id" = ?',
                    [(st, q, err, now, ident) for st, q, err, ident in self._pending_updates],
                )
            if self._pending_links:
                cursor.executemany(
                    'DELETE FROM "link" WHERE "connection_id" = ? AND "kind" = ? '
                    'AND ("xero_id" = ? OR "qbt_id" = ?)',
                    [
                        (self.conn.id, kind, xero_id, qbt_id)
                        for kind, xero_id, qbt_id in self._pending_links
                    ],
                )
                # (the values bulk_insert would bind for these rows: one executemany, no
                # row dict per link; tests/unit/test_journal_rows.py)
                kinds = {k: Link.kind.db_value(k) for k in {k for k, _x, _q in self._pending_links}}
                xero_text, qbt_int = Link.xero_id.db_value, Link.qbt_id.db_value
                run_id = None if self.run is None else self.run.id
                created = Link.created_at.db_value(utcnow())
                with _SQL_ERRORS_AS_PEEWEE:
                    cursor.executemany(
                        _LINK_INSERT,
                        [
                            (
                                self.conn.id,
                                kinds[kind],
                                xero_id if type(xero_id) is str else xero_text(xero_id),
                                qbt_id if type(qbt_id) is int else qbt_int(qbt_id),
                                run_id,
                                created,
                            )
                            for kind, xero_id, qbt_id in self._pending_links
                        ],
                    )
        self._pending_updates.clear()
        self._pending_links.clear()

    def _count(self, action: Action, outcome: str, kind: str | None = None) -> None:
        """One more ``outcome`` of ``kind`` (the action's summary kind by default)."""
        kind = action.summary_kind if kind is None else kind
        bucket = self.outcomes.setdefault(outcome, {})
        bucket[kind] = bucket.get(kind, 0) + 1

    # ---------------------------------------------------------------- local actions
    def _local(self, batch: Sequence[Action]) -> None:
        # Nothing is sent: the batch's journal, links and outcomes go in the transaction
        # held until the next send (one savepoint: all of the batch or none of it).
        self._hold()
        with db.atomic():
            self._local_batch(batch)

    def _local_batch(self, batch: Sequence[Action]) -> None:
        entries = self._journal_many([(action, None, "link") for action in batch])
        for action, entry in zip(batch, entries, strict=True):
            if action.entity == "leave_link":
                after = action.after
                with db.atomic():
                    previous = LeaveLink.get_or_none(
                        connection=self.conn, xero_leave_type_id=action.xero_id
                    )
                    if previous is not None:
                        (
                            JournalEntry.update(before={"qbt_jobcode_id": previous.qbt_jobcode_id})
                            .where(JournalEntry.id == entry.id)
                            .execute()
                        )
                    LeaveLink.delete().where(
                        (LeaveLink.connection == self.conn)
                        & (LeaveLink.xero_leave_type_id == action.xero_id)
                    ).execute()
                    LeaveLink.create(
                        connection=self.conn,
                        xero_leave_type_id=action.xero_id,
                        qbt_jobcode_id=after["qbt_jobcode_id"],
                        is_paid=bool(after["is_paid"]),
                        export_to_xero=bool(after["export_to_xero"]),
                    )
            elif action.qbt_id is not None:
                if action.link_kind is not None:
                    self._pending_links.append(
                        (action.link_kind, action.xero_id or "", action.qbt_id)
                    )
                self.refs[action.ref.removesuffix(":link")] = action.qbt_id
            self._settle(entry, "done", entry.qbt_id, None)
            self._count(action, "linked")
        self._flush()

    # ---------------------------------------------------------------- writes
    def _row(self, op: str, action: Action) -> dict[str, Any] | None:
        """The row to send, with ids of parents created earlier in this run filled in."""
        row = dict(action.after)
        if action.needs is not None:
            parent = self.refs.get(action.needs)
            if parent is None:
                return None
            if action.entity == "location":
                row["linked_objects"] = {"jobcodes": [parent]}
            elif action.entity == "customfielditem":
                row["customfield_id"] = parent
        if op != "create":
            row["id"] = action.qbt_id
        return row

    def _batch(self, op: str, entity: str, batch: Sequence[Action]) -> None:
        journal_op = {
            "create": "create",
            "update": "update",
            "restore": "restore",
            "archive": "archive",
        }[op]
        prepared = [(action, self._row(op, action)) for action in batch]
        self._hold()
        entries = self._journal_many([(a, r, journal_op) for a, r in prepared])
        sendable: list[tuple[Action, dict[str, Any], _Entry]] = []
        for (action, row), entry in zip(prepared, entries, strict=True):
            if (
                entity == "user"
                and op != "create"
                and action.qbt_id is not None
                and action.qbt_id == self.plan.key_owner_id
            ):
                # The last guard: the plan never asks this (core.engine.plan.employees).
                self._fail(
                    action,
                    entry,
                    tr(
                        "the QuickBooks Time user whose access key this "
                        "app uses is never changed by an import or an undo"
                    ),
                )
                continue
            if row is None:
                parent = self._labels.get(action.needs or "", action.needs or "")
                self._fail(
                    action,
                    entry,
                    tr('it depends on "{name}", which could not be written', name=parent),
                )
                continue
            sendable.append((action, row, entry))
        if not sendable:
            self._flush()
            return
        rows = [row for _a, row, _e in sendable]
        method = getattr(self.client, (_CREATE if op == "create" else _UPDATE)[entity])
        self._commit_held()  # the intents are on disk before the batch leaves
        sent_at = self.clock()
        try:
            try:
                results = method(rows)
            except WriteOutcomeUnknown as lost:
                results = self._reconcile(op, entity, rows, lost, sent_at)
        except BaseException as exc:
            # The run is ending on an error (or a cancel/kill signal) with this batch's
            # outcome unknown. Never leave its journal entries at "intent" under a run that
            # is no longer "running": say what is known, as close_interrupted() does.
            self._pending_updates.clear()
            for _action, _row, entry in sendable:
                self._settle(
                    entry,
                    "unknown",
                    entry.qbt_id,
                    f"the run stopped before the answer was recorded: {type(exc).__name__}",
                )
            self._flush()
            raise
        by_row = {id(r.input): r for r in results}
        accepted: list[tuple[Action, WriteResult]] = []
        for action, row, entry in sendable:
            result = by_row.get(id(row))
            if result is None and len(results) == len(rows):
                # Positional fallback (the client keeps identity; belt and braces), only when
                # there is one result per row — after a lost answer the results may cover
                # some rows only, and a position would give a row another row's id.
                result = results[[id(r) for r in rows].index(id(row))]
            self._record(action, entry, result)
            if result is not None and result.ok:
                accepted.append((action, result))
        # The batch's outcomes and the snapshot kept from its answers: one transaction, held
        # until the next send (_hold). The upkeep runs in a savepoint, so the outcomes are
        # recorded even if it fails (and its error still ends the run).
        self._hold()
        self._flush()
        if self.on_written is not None and accepted:
            try:
                with db.atomic():
                    self.on_written(entity, op, accepted)
            except Exception:
                self._commit_held()
                raise

    def _reconcile(
        self,
        op: str,
        entity: str,
        rows: list[dict[str, Any]],
        lost: WriteOutcomeUnknown,
        sent_at: float,
    ) -> list[WriteResult]:
        """The answer to a batch was lost: find out what QB Time did before re-sending.

        The answer to the re-send may be lost too (a flaky connection rarely fails once),
        and one more lost answer must not end the whole run: read back and re-send up to
        ``RESENDS`` times; rows whose outcome is still unknown after that get no result
        (recorded as failed, the rest of the run goes on; the next run's plan finds them if
        they were written).
        """
        self.answers_lost += 1
        results: dict[int, WriteResult] = {id(r.input): r for r in lost.completed}
        pending = [r for r in rows if id(r) not in results]
        log.warning(
            "Answer lost for %d %s %s row(s); reading back before re-sending",
            len(pending),
            op,
            entity,
        )
        method = getattr(self.client, (_CREATE if op == "create" else _UPDATE)[entity])
        for attempt in range(RESENDS + 1):
            if op == "create" and pending:
                found = _read_back(self.client, entity, pending, sent_at - 120)
                for index, row in enumerate(pending):
                    if index in found:
                        results[id(row)] = WriteResult(
                            row, True, 200, {"id": found[index], **row}, "found after a lost answer"
                        )
                pending = [r for r in pending if id(r) not in results]
            if not pending or attempt == RESENDS:
                break
            try:
                for result in method(pending):
                    results[id(result.input)] = result
                pending = []
            except WriteOutcomeUnknown as again:
                for result in again.completed:
                    results[id(result.input)] = result
                pending = [r for r in pending if id(r) not in results]
                log.warning(
                    "Answer lost again for %d %s %s row(s) (re-send %d of %d)",
                    len(pending),
                    op,
                    entity,
                    attempt + 1,
                    RESENDS,
                )
        return [results[id(r)] for r in rows if id(r) in results]

    def _record(self, action: Action, entry: _Journaled, result: WriteResult | None) -> None:
        if result is None or not result.ok:
            reason = result.message if result is not None else tr("no answer for this row")
            self._fail(action, entry, reason or tr("QuickBooks Time refused it"))
            return
        qbt_id = result.id if action.op == "create" else action.qbt_id
        self._settle(
            entry,
            "done",
            qbt_id,
            "already existed in QuickBooks Time: linked" if result.duplicate else None,
        )
        if qbt_id is not None:
            self.refs[action.ref] = qbt_id
            if action.op == "create" and action.link_kind is not None:
                self._pending_links.append((action.link_kind, action.xero_id or "", qbt_id))
        verb = {
            "create": "created",
            "update": "updated",
            "restore": "updated",
            "archive": "archived",
        }[action.op]
        self._count(action, "linked" if result.duplicate else verb)
        if action.op == "create" and action.after.get("assigned_to_all"):
            self._count(action, "created", "assignments")

    def _fail(self, action: Action, entry: _Journaled, reason: str) -> None:
        self._settle(entry, "failed", entry.qbt_id, reason)
        self.failed_refs.add(action.ref)
        self.problems.append((action, reason))
        self._count(action, "failed")
        log.info("Could not %s %s %r: %s", action.op, action.entity, action.label, reason)


# ============================================================================ undo
#: the words for the fields an undo leaves as a QuickBooks Time user changed them since
_FIELD_WORDS = {
    "name": N_("name"),
    "first_name": N_("first name"),
    "last_name": N_("last name"),
    "email": N_("e-mail"),
    "active": N_("active or archived"),
    "assigned_to_all": N_("assigned to all team members"),
    "required": N_("required"),
    "linked_objects": N_("customers it is on"),
    **{k: N_("address") for k in ("addr1", "addr2", "city", "state", "zip", "country")},
}
_CHANGED_SINCE = N_("changed in QuickBooks Time after the import ({fields}): left as it is")
_CHILDREN_SINCE = N_(
    "jobs were added under it in QuickBooks Time after the import: kept, still linked to Xero "
    "(archive it in QuickBooks Time if it must go)"
)
_HOURS_SINCE = N_(
    "time was tracked on it in QuickBooks Time after the import: kept, still linked to Xero "
    "(archive it in QuickBooks Time if it must go)"
)
_USER_HOURS_SINCE = N_(
    "they tracked time in QuickBooks Time after the import: kept, still linked to Xero "
    "(archive them in QuickBooks Time if they must go)"
)
_NAME_KEPT = N_(
    'its earlier name "{name}" is held by a customer this undo keeps: the name is left as it is'
)


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _same_value(key: str, a: Any, b: Any) -> bool:
    """Does QuickBooks Time's ``a`` hold the value ``b`` written to field ``key``?"""
    if key == "linked_objects":
        ids = [sorted(int(j) for j in ((v or {}).get("jobcodes") or [])) for v in (a, b)]
        return ids[0] == ids[1]
    if isinstance(a, bool) or isinstance(b, bool):
        return _truth(a) == _truth(b)
    if key == "email":
        return _norm(a) == _norm(b)
    if isinstance(a, int | float) or isinstance(b, int | float):
        return str(a if a is not None else "") == str(b if b is not None else "")
    return " ".join(str(a or "").split()) == " ".join(str(b or "").split())


def _display_name(kind: str, raw: Mapping[str, Any] | None, fallback: str) -> str:
    if not raw:
        return fallback
    if kind == "user":
        name = " ".join(str(raw.get(k) or "").strip() for k in ("first_name", "last_name"))
        return name.strip() or fallback
    if kind == "location":
        return str(raw.get("addr1") or fallback)
    return str(raw.get("name") or fallback)


@dataclass
class QBTimeNow:
    """What QuickBooks Time holds now of the records an undo is about to write, read just
    before it: each record's fields (raw), and the records the import created that someone
    built on since (the reason they are kept)."""

    records: dict[tuple[str, int], Mapping[str, Any]]
    kept: dict[tuple[str, int], str]


def _created(entry: JournalEntry) -> bool:
    return (
        entry.action == "create"
        and entry.qbt_id is not None
        and not (entry.error and "already existed" in entry.error)
    )


def read_qbtime_now(
    conn: Connection, client: QBTimeClient, run: ImportRun, entries: Sequence[JournalEntry]
) -> QBTimeNow:
    """Read, by ids, the records ``entries`` (``run``'s done writes) changed, and whether the
    jobcodes and users it created have jobs under them or time tracked since: a few calls
    per kind (the client splits the ids into calls: ``IDS_PER_READ`` a call), none for a kind
    the run did not write."""
    from core.store.models import QBTRecord

    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.qbt_id is None:
            continue
        if e.action in ("update", "restore") or (_created(e) and e.entity_kind == "jobcode"):
            wanted.setdefault(e.entity_kind, set()).add(int(e.qbt_id))
    records: dict[tuple[str, int], Mapping[str, Any]] = {}
    for kind, ids in wanted.items():
        if kind == "customfielditem":  # read per custom field (the API needs its id)
            fields: dict[int, set[int]] = {}
            for rec in QBTRecord.select(QBTRecord.qbt_id, QBTRecord.parent_id).where(
                (QBTRecord.connection == conn)
                & (QBTRecord.kind == "customfielditem")
                & (QBTRecord.qbt_id.in_(sorted(ids)))
            ):
                if rec.parent_id:
                    fields.setdefault(int(rec.parent_id), set()).add(int(rec.qbt_id))
            for field_id, item_ids in sorted(fields.items()):
                for item in client.customfielditems(field_id, ids=item_ids):
                    records[(kind, item.id)] = item.raw
            continue
        if kind not in _LIST:
            continue
        for record in getattr(client, _LIST[kind])(ids=ids):
            records[(kind, record.id)] = record.raw
    kept: dict[tuple[str, int], str] = {}
    made = {
        kind: {int(e.qbt_id or 0) for e in entries if _created(e) and e.entity_kind == kind}
        for kind in ("jobcode", "user")
    }
    for job_id in made["jobcode"]:
        if _truth((records.get(("jobcode", job_id)) or {}).get("has_children")):
            kept[("jobcode", job_id)] = _CHILDREN_SINCE
    # Every hour on what the import created was tracked after it; a day earlier than the
    # run's start allows for the two clocks' difference.
    since = run.started_at - timedelta(days=1)
    for kind, param, reason in (
        ("jobcode", "jobcode_ids", _HOURS_SINCE),
        ("user", "user_ids", _USER_HOURS_SINCE),
    ):
        unknown = made[kind] - {i for k, i in kept if k == kind}
        if not unknown:
            continue
        for sheet in client.timesheets_since(since, **{param: unknown}):
            ident = sheet.get("jobcode_id" if kind == "jobcode" else "user_id")
            if ident is not None and int(ident) in made[kind]:
                kept.setdefault((kind, int(ident)), reason)
    return QBTimeNow(records, kept)


def undo_plan(
    run: ImportRun, key_owner_id: int | None = None, now: QBTimeNow | None = None
) -> ImportPlan:
    """The actions that revert ``run``, from its journal (most recent write first).

    ``key_owner_id``: the QuickBooks Time user behind the access key. Whatever the journal
    says, an undo never archives, renames, re-mails or restores them (reported as skipped).

    ``now`` (:func:`read_qbtime_now`): what QuickBooks Time holds now. A field is reverted
    only while it still holds what the import wrote; one changed in QuickBooks Time since is
    left as it is (skipped, with the fields), one already back as it was is not written
    again (an undo run again after a stop). A jobcode or user the import created that
    someone built on since (jobs under it, time tracked) is kept, linked, and skipped.
    """
    from core.engine.plan import Action as PlanAction
    from core.engine.plan import Skipped

    actions: list[PlanAction] = []
    skipped: list[Skipped] = []
    entries = list(
        JournalEntry.select()
        .where((JournalEntry.run == run) & (JournalEntry.state == "done"))
        .order_by(JournalEntry.seq.desc())
    )
    if key_owner_id is not None:
        kept = []
        for e in entries:
            if (
                e.entity_kind == "user"
                and e.qbt_id == key_owner_id
                and e.action in ("create", "update", "restore", "archive")
                and not (e.action == "create" and e.error and "already existed" in e.error)
            ):
                skipped.append(
                    Skipped(
                        "employee",
                        e.xero_id or "",
                        str(e.qbt_id),
                        N_(
                            "the QuickBooks Time user whose access key this app uses is never changed "
                            "by an undo"
                        ),
                    )
                )
                continue
            kept.append(e)
        entries = kept
    # A rename can free a name that a create of the same run then took (core.engine.plan settles
    # names after renames). Reverting that rename needs the name back, and QuickBooks Time
    # keeps jobcode names unique among siblings, archived ones included: the created
    # jobcode is archived under a marked name first, then the rename is reverted.
    created_names = {
        (
            int((e.after or {}).get("parent_id") or 0),
            qbt_name_key((e.after or {}).get("name")),
        ): e.seq
        for e in entries
        if e.action == "create"
        and e.entity_kind == "jobcode"
        and e.qbt_id is not None
        and not (e.error and "already existed" in e.error)
    }
    records = now.records if now is not None else {}
    kept_now = now.kept if now is not None else {}
    kept_jobcodes = {qbt_id for kind, qbt_id in kept_now if kind == "jobcode"}
    kept_seqs = {
        e.seq for e in entries if _created(e) and (e.entity_kind, int(e.qbt_id or 0)) in kept_now
    }
    reclaimed: dict[int, str] = {}  # seq of a create -> the name it must give back
    for e in entries:
        before, after = e.before or {}, e.after or {}
        if e.entity_kind == "jobcode" and e.action in ("update", "restore") and "name" in after:
            key = (
                int(before.get("parent_id") or after.get("parent_id") or 0),
                qbt_name_key(before.get("name")),
            )
            if key in created_names:
                reclaimed[created_names[key]] = str(before.get("name"))
    deferred: list[PlanAction] = []  # reverts that wait for the archive freeing their name
    for e in entries:
        before, after = dict(e.before or {}), dict(e.after or {})
        ref = f"undo:{e.seq}"
        kind = "customers" if e.entity_kind in ("jobcode", "location") else "items"
        kind = {
            "user": "employees",
            "customfield": "custom_fields",
            "location": "locations",
            "leave_link": "leave",
        }.get(e.entity_kind, kind)
        label = str(
            after.get("name")
            or before.get("name")
            or after.get("username")
            or e.xero_id
            or e.qbt_id
        )
        if e.action == "link":
            actions.append(
                PlanAction(
                    ref,
                    "leave" if e.entity_kind == "leave_link" else "customers",
                    "link",
                    e.entity_kind,
                    kind,
                    label,
                    e.xero_id,
                    e.qbt_id,
                    None,
                    before=before,
                    after={"unlink": True},
                )
            )
        elif e.action == "create" and e.qbt_id is not None:
            if e.error and "already existed" in e.error:
                actions.append(
                    PlanAction(
                        ref,
                        "customers",
                        "link",
                        e.entity_kind,
                        kind,
                        label,
                        e.xero_id,
                        e.qbt_id,
                        None,
                        after={"unlink": True},
                    )
                )
                continue
            reason_kept = kept_now.get((e.entity_kind, int(e.qbt_id)))
            if reason_kept is not None:
                skipped.append(
                    Skipped(
                        kind,
                        e.xero_id or "",
                        _display_name(e.entity_kind, records.get((e.entity_kind, e.qbt_id)), label),
                        reason_kept,
                    )
                )
                continue
            if e.entity_kind == "location" and kept_jobcodes & set(
                (after.get("linked_objects") or {}).get("jobcodes") or []
            ):
                continue  # the address of a customer kept (listed above): kept with it
            archived: dict[str, Any] = {"active": False}
            if e.seq in reclaimed:
                archived["name"] = _undone_name(str(after.get("name") or label))
            if e.entity_kind == "location" and (after.get("linked_objects") or {}).get("jobcodes"):
                # off the customers it was put on too: a customer that was there before the
                # import lists its locations, and had none of this one
                archived["linked_objects"] = {"jobcodes": []}
            actions.append(
                PlanAction(
                    ref,
                    "archive",
                    "archive",
                    e.entity_kind,
                    kind,
                    label,
                    e.xero_id,
                    e.qbt_id,
                    None,
                    before={"active": True},
                    after=archived,
                    reason="created by the import",
                )
            )
            if e.entity_kind == "location":
                # The archived location stays linked to its contact: the next import restores
                # it for that contact instead of creating a second one at the same address.
                continue
            actions.append(
                PlanAction(
                    ref + ":unlink",
                    "leave",
                    "link",
                    e.entity_kind,
                    kind,
                    label,
                    e.xero_id,
                    e.qbt_id,
                    None,
                    after={"unlink": True},
                )
            )
        elif e.action in ("update", "restore"):
            current = records.get((e.entity_kind, int(e.qbt_id))) if e.qbt_id else None
            revert: dict[str, Any] = {}
            changed_since: list[str] = []
            for k in after:
                if k == "id":
                    continue
                if (
                    current is not None
                    and k in current
                    and not _same_value(k, current[k], after[k])
                ):
                    if not _same_value(k, current[k], before.get(k)):
                        changed_since.append(k)  # someone's since: theirs stays
                    continue  # (or already back as it was: nothing to write)
                revert[k] = before.get(k)
            # (named as the undo leaves it)
            who = _display_name(e.entity_kind, current and {**current, **revert}, label)
            if changed_since:
                words = list(dict.fromkeys(_FIELD_WORDS.get(k, Msg(k)) for k in changed_since))
                skipped.append(
                    Skipped(
                        kind,
                        e.xero_id or "",
                        who,
                        _CHANGED_SINCE,
                        {"fields": MsgList(words)},
                    )
                )
            gives_back = (
                e.entity_kind == "jobcode"
                and "name" in revert
                and str(before.get("name")) in reclaimed.values()
            )
            if gives_back and any(
                reclaimed[seq] == str(before.get("name")) for seq in kept_seqs if seq in reclaimed
            ):
                # the customer that took the name is kept: QuickBooks Time would refuse it
                del revert["name"]
                gives_back = False
                skipped.append(
                    Skipped(kind, e.xero_id or "", who, _NAME_KEPT, {"name": before.get("name")})
                )
            if not revert:
                continue
            (deferred if gives_back else actions).append(
                PlanAction(
                    ref,
                    "archive" if gives_back else "customers",
                    "update",
                    e.entity_kind,
                    kind,
                    label,
                    e.xero_id,
                    e.qbt_id,
                    None,
                    before={k: after.get(k) for k in revert},
                    after=revert,
                    reason="undo a change",
                )
            )
        elif e.action == "archive":
            restore = {"active": True}
            if e.entity_kind == "jobcode" and before.get("assigned_to_all"):
                restore["assigned_to_all"] = True
            actions.append(
                PlanAction(
                    ref,
                    "customers",
                    "restore",
                    e.entity_kind,
                    kind,
                    label,
                    e.xero_id,
                    e.qbt_id,
                    None,
                    before={"active": False},
                    after=restore,
                    reason="undo an archive",
                )
            )
            for child in before.get("children", []):
                child_after = {"active": True}
                if child in before.get("children_assigned_to_all", []):
                    child_after["assigned_to_all"] = True
                actions.append(
                    PlanAction(
                        f"{ref}:child:{child}",
                        "locations",
                        "restore",
                        "jobcode",
                        kind,
                        label,
                        None,
                        int(child),
                        None,
                        before={"active": False},
                        after=child_after,
                        reason="undo an archive",
                    )
                )
            for user_id, jobcode_id in before.get("assignments", []):
                actions.append(
                    PlanAction(
                        f"{ref}:assign:{user_id}:{jobcode_id}",
                        "employees",
                        "create",
                        "assignment",
                        "assignments",
                        label,
                        None,
                        None,
                        None,
                        after={"user_id": int(user_id), "jobcode_id": int(jobcode_id)},
                        reason="undo an archive",
                    )
                )
    # Last in the archive phase (after the archives: ordered_groups keeps plan order).
    return ImportPlan(actions=actions + deferred, skipped=skipped, key_owner_id=key_owner_id)


def reopened_mark(run: ImportRun) -> str:
    """The ``depends_on`` of a decision the undo of ``run`` re-opened: it matches no
    conflict's fingerprint, so the review shows the conflict as re-opened (with the earlier
    answer) and no plan applies it until it is answered again."""
    return f"undone:{run.id}"


def _undone_name(name: str) -> str:
    """The name an archived jobcode created by an undone import takes when its own name
    must be given back (kept within QuickBooks Time's length limit)."""
    suffix = " " + tr("(undone)")
    return name[: NAME_LIMIT - len(suffix)].rstrip() + suffix


class Undoer(Importer):
    """Runs an undo plan: the same journaled path, plus unlinking and assignments.

    A link the undone import made on a review decision to link (or restore and link) puts
    that decision back to review, in the same transaction as the unlink: the next import
    would otherwise make the same link, and the same changes, again. The decision is kept,
    re-opened (its answer shown, no longer applied): see :func:`reopened_mark`."""

    def summary(self) -> dict[str, Any]:
        out = super().summary()
        left = [
            {"who": s.name, "what": s.describe()}
            for s in self.plan.skipped  # (in the language of the undo, as a payroll undo's)
        ]
        if left:
            out["left_alone"] = left
        reopened = self.decisions_reopened()
        if reopened:
            out["decisions_reopened"] = reopened
        return out

    def decisions_reopened(self) -> int:
        """The decisions the undo of this import re-opened, still open: this attempt's and,
        for an undo run again after a stop, the stopped attempt's (whose links are gone
        already, so this one finds none of them to delete). Counted from the decisions
        marked :func:`reopened_mark`, so none is counted twice."""
        if self.undoes is None or self.dry_run:
            return 0
        return int(
            Decision.select()
            .where(
                (Decision.connection == self.conn)
                & (Decision.depends_on == reopened_mark(self.undoes))
            )
            .count()
        )

    def _local(self, batch: Sequence[Action]) -> None:
        for action in batch:
            entry = self._journal(action, None, "link")
            with db.atomic():
                if action.entity == "leave_link":
                    LeaveLink.delete().where(
                        (LeaveLink.connection == self.conn)
                        & (LeaveLink.xero_leave_type_id == action.xero_id)
                    ).execute()
                else:
                    linked = (
                        (Link.connection == self.conn)
                        & (Link.qbt_id == action.qbt_id)
                        & (Link.xero_id == (action.xero_id or ""))
                    )
                    kinds = [link.kind for link in Link.select(Link.kind).where(linked)]
                    Link.delete().where(linked).execute()
                    self._reopen(kinds, action)
                entry.state = "done"
                entry.save()
            self._count(action, "unlinked")

    def _reopen(self, kinds: Sequence[str], action: Action) -> None:
        """The decisions to link ``action``'s records that the undone import applied (made
        before it started, naming this very record) are open again."""
        if not kinds or self.undoes is None or action.qbt_id is None:
            return
        (
            Decision.update(depends_on=reopened_mark(self.undoes))
            .where(
                (Decision.connection == self.conn)
                & (Decision.kind.in_(list(kinds)))
                & (Decision.xero_id == (action.xero_id or ""))
                & (Decision.action.in_(("link", "restore_link")))
                & (Decision.target_qbt_id == action.qbt_id)
                & (Decision.decided_at <= self.undoes.started_at)
            )
            .execute()
        )

    def _batch(self, op: str, entity: str, batch: Sequence[Action]) -> None:
        if entity != "assignment":
            super()._batch(op, entity, batch)
            return
        existing = {
            (a.user_id, a.jobcode_id) for a in self.client.jobcode_assignments() if a.active
        }
        todo = [a for a in batch if (a.after["user_id"], a.after["jobcode_id"]) not in existing]
        rows = [dict(a.after) for a in todo]
        entries = [self._journal(a, r, "assign") for a, r in zip(todo, rows, strict=True)]
        self._commit_held()  # the intents are on disk before the batch leaves
        results = self.client.create_assignments(rows) if rows else []
        for action, entry, result in zip(todo, entries, results, strict=False):
            self._record(action, entry, result)
        self._flush()


def undo_run(
    conn: Connection,
    client: QBTimeClient,
    run: ImportRun,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ImportRun:
    """Revert ``run`` (journaled as an ``undo`` run); ``run`` becomes ``undone``.

    The key's owner is asked of QuickBooks Time (one call) only when the run wrote users.
    What the run wrote is read back first, by ids (:func:`read_qbtime_now`): what QuickBooks
    Time users changed or built on since is left as it is, and listed in the undo run's
    ``counts["left_alone"]``."""
    owner = None
    if (
        JournalEntry.select()
        .where(
            (JournalEntry.run == run)
            & (JournalEntry.state == "done")
            & (JournalEntry.entity_kind == "user")
        )
        .exists()
    ):
        owner = int(client.current_user().id)
    done = list(
        JournalEntry.select().where((JournalEntry.run == run) & (JournalEntry.state == "done"))
    )
    plan = undo_plan(run, owner, read_qbtime_now(conn, client, run, done))
    undoer = Undoer(
        conn,
        client,
        plan,
        options={"undo_of": run.id},
        progress=progress,
        cancel=cancel,
        kind="undo",
        undoes=run,
    )
    result = undoer.execute()
    if not undoer.problems:
        run.status = "undone"
        run.save()
    return result
