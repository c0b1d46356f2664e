"""Keep the QuickBooks Time snapshot from an import's own write answers.

Every answer to a QuickBooks Time write is the whole object as stored (the same shape a
GET returns), so after an import there is nothing to read back: each accepted row is
stored as answered, with the side effects QuickBooks Time documents applied to the rows
already stored (a location linked to a customer lists itself in that jobcode's
``locations``; a sub-job makes its parent ``has_children``; ``assigned_to_all`` is a
``user_id`` 0 assignment, which the snapshot does not keep).

The lists' cursors move past the import's own writes only when nothing else can have
changed them: the lists were as last read before the first write (the run read them a moment
ago, or one ``last_modified_timestamps`` call says so), and one call after the last write
says each list's newest change is ours. A list changed by someone else meanwhile, an answer
that was lost (reconciled by a read-back, not a whole object), an archive of a jobcode with
sub-jobs or assignments, a restore or move of a sub-job (their cascades are QuickBooks Time's
to tell) or a run that stopped leaves that list's cursor where the last read left it: it is
read again from there, as before. What a change made by someone else *while* the import
wrote could hide is bounded by the weekly whole read (core.services.fetch).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.jsontext import dumps_canonical, loads
from core.services.fetch import (
    QBT_ENDPOINTS,
    _cursor,
    _customfield_rows,
    _customfielditem_rows,
    _QBTReads,
    _set_cursor,
    _user_rows,
)
from core.services.qbtime import mapping as qmap
from core.services.stored_fields import stored_part
from core.store.models import QBTRecord, bulk_insert, db, json_text, utcnow

if TYPE_CHECKING:
    from core.engine.plan import Action
    from core.engine.writes import WriteResult
    from core.services.qbtime.client import QBTimeClient
    from core.store.models import Connection

log = logging.getLogger(__name__)


def _jobcode_row(raw: dict[str, Any]) -> dict[str, Any]:
    """``_jobcode_rows([qmap.jobcode(raw)])[0]`` without typing the whole record (its
    address, its ``locations``, a copy of ``raw``): the columns only, read as it reads them
    (tests/unit/test_written_rows.py holds the two to the same answers)."""
    return {
        "qbt_id": qmap.as_int(raw.get("id")),
        "name": qmap.as_str(raw.get("name")),
        "raw": raw,
        "parent_id": qmap.as_int(raw.get("parent_id")),
        "type": qmap.as_str(raw.get("type")).strip().lower() or "regular",
        "active": qmap.as_bool(raw.get("active"), True),
    }


def _location_row(raw: dict[str, Any]) -> dict[str, Any]:
    """``_location_rows([qmap.location(raw)])[0]``, the columns only (as _jobcode_row)."""
    return {
        "qbt_id": qmap.as_int(raw.get("id")),
        "name": qmap.as_str(raw.get("label")) or qmap.as_str(raw.get("addr1")).strip(),
        "raw": raw,
        "active": qmap.as_bool(raw.get("active"), True),
    }


def _linked_jobcodes(raw: dict[str, Any]) -> tuple[int, ...]:
    """``qmap.location(raw).jobcode_ids``, without typing the rest of the location."""
    return qmap.as_id_list(qmap.as_map(raw.get("linked_objects")).get("jobcodes"))


def _typed_rows(
    typed: Callable[[Any], Any], rows: Callable[[Sequence[Any]], list[dict[str, Any]]]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A kind's snapshot row through its typed record (the kinds an import writes few of)."""
    return lambda raw: rows([typed(raw)])[0]


@dataclass(frozen=True)
class _Kind:
    endpoint: str  # the list, as last_modified_timestamps names it
    kind: str  # the snapshot kind
    #: the snapshot row (columns and ``raw``) of one answered object, as a fetch stores it
    row: Callable[[dict[str, Any]], dict[str, Any]]


_KINDS = {
    "jobcode": _Kind("jobcodes", "jobcode", _jobcode_row),
    "user": _Kind("users", "user", _typed_rows(qmap.user, _user_rows)),
    "customfield": _Kind(
        "customfields", "customfield", _typed_rows(qmap.customfield, _customfield_rows)
    ),
    "customfielditem": _Kind(
        "customfielditems",
        "customfielditem",
        _typed_rows(qmap.customfielditem, _customfielditem_rows),
    ),
    "location": _Kind("locations", "location", _location_row),
}
ASSIGNMENTS = "jobcode_assignments"


def _cursor_of(entity: str, raw: dict[str, Any]) -> str:
    """The fetch cursor a stored row of ``entity`` belongs to (custom field items: per field)."""
    spec = _KINDS[entity]
    if entity == "customfielditem":
        return f"{spec.endpoint}:{qmap.as_int(raw.get('customfield_id'))}"
    return spec.endpoint


def _cascades(action: Action, answer: dict[str, Any]) -> bool:
    """Did this jobcode write change other records than the one answered? An archive of a
    jobcode with sub-jobs or team members assigned (the plan lists both in ``before``), a
    restore of a sub-job (its parents come back too), a move. An archive of a jobcode with
    neither only drops its own ``assigned_to_all`` (in the answer; its ``user_id`` 0
    assignment is not kept)."""
    after, before = action.after, action.before
    if "parent_id" in after:
        return True
    if after.get("active") is False or action.op == "archive":
        return bool(before.get("children") or before.get("assignments"))
    if after.get("active") is True or action.op == "restore":
        return bool(qmap.as_int(answer.get("parent_id")))
    return False


def _assignment_changed(action: Action, answer: dict[str, Any]) -> bool:
    """Did this jobcode write add or drop its ``user_id`` 0 assignment (``assigned_to_all``)?
    Only a write that set it, or an archive of a jobcode that had it, can have."""
    now = qmap.as_bool(answer.get("assigned_to_all"))
    if action.op == "create":
        return now
    if action.op == "archive" or action.after.get("active") is False:
        return qmap.as_bool(action.before.get("assigned_to_all"))
    if "assigned_to_all" in action.after:
        return now != qmap.as_bool(action.before.get("assigned_to_all"))
    return False


@dataclass
class WrittenSnapshot:
    """One import's snapshot upkeep: :meth:`begin` before the first write, :meth:`written`
    after each answered batch (the importer's ``on_written``), :meth:`finish` at the end."""

    conn: Connection
    client: QBTimeClient
    #: cursor -> the newest last_modified among the rows this import stored under it
    newest: dict[str, float] = field(default_factory=dict)
    #: cursors whose list was as last read before the first write
    current: set[str] = field(default_factory=set)
    #: cursors that must be read again (a cascade or a lost answer: not from answers alone)
    dirty: set[str] = field(default_factory=set)
    #: custom fields this import created (their items had nothing to read before)
    created_fields: set[int] = field(default_factory=set)
    started: bool = False

    # ---------------------------------------------------------------- before the writes
    def begin(self, *, just_read: bool = False) -> None:
        """Which lists are exactly as the snapshot last read them: one call, or none when
        ``just_read`` (this same run read them a moment ago: a scheduled sync plans and
        writes right after its fetch, with no one in between)."""
        if just_read:
            self.current = {c for c in self._cursors() if _cursor(self.conn, "qbtime", c + "@read")}
            self.started = True
            return
        reads = _QBTReads(self.conn, self.client, full=False)
        parts = [c for c in self._cursors() if c.startswith("customfielditems:")]
        for cursor in self._cursors():
            endpoint = cursor.split(":", 1)[0]
            group = [cursor, *(p for p in parts if p != cursor)] if ":" in cursor else [cursor]
            read_at = _cursor(self.conn, "qbtime", cursor + "@read")
            if read_at is None:
                continue  # never read
            stamp = reads.stamps.get(endpoint)
            seen = [float(v) for v in (_cursor(self.conn, "qbtime", c) for c in group) if v]
            # The list's newest change came in a second before our read (stamps are whole
            # seconds) and is one we read; an empty list has no cursor, only its read time.
            if stamp is not None and (
                stamp < math.floor(float(read_at)) and (not seen or stamp <= max(seen))
            ):
                self.current.add(cursor)
        self.started = True

    def _cursors(self) -> list[str]:
        fields = sorted(
            {
                int(r.qbt_id)
                for r in QBTRecord.select(QBTRecord.qbt_id).where(
                    (QBTRecord.connection == self.conn) & (QBTRecord.kind == "customfield")
                )
            }
        )
        return [
            *(e for e in QBT_ENDPOINTS if e != "customfielditems"),
            *(f"customfielditems:{f}" for f in fields),
        ]

    # ---------------------------------------------------------------- each answered batch
    def written(self, entity: str, op: str, accepted: list[tuple[Action, WriteResult]]) -> None:
        spec = _KINDS.get(entity)
        if spec is None:
            return
        raws: list[dict[str, Any]] = []
        stamps: list[float] = []  # each raw's last_modified, parsed once
        assigned: list[dict[str, Any]] = []  # jobcodes whose assigned_to_all changed
        assigned_stamps: list[float] = []
        for action, result in accepted:
            raw = result.record
            stamp = qmap.parse_timestamp(raw.get("last_modified")) if raw else None
            if not raw or stamp is None:
                # A read-back after a lost answer knows the id, not the whole object.
                self.dirty.add(spec.endpoint if entity != "customfielditem" else "customfielditems")
                continue
            raws.append(raw)  # (never changed here: stored as answered)
            stamps.append(stamp)
            if entity == "customfield" and op == "create" and result.id is not None:
                self.created_fields.add(result.id)
            if entity == "jobcode" and _assignment_changed(action, raw):
                assigned.append(raw)
                assigned_stamps.append(stamp)
            if entity == "jobcode" and op != "create" and _cascades(action, raw):
                # Archiving cascades to sub-jobs and assignments, restoring to parents,
                # a move to both parents: QuickBooks Time's to tell.
                self.dirty.update(("jobcodes", ASSIGNMENTS))
        if not raws:
            return
        rows = [spec.row(r) for r in raws]
        with db.atomic():
            if entity == "location":
                self._link_side_effects(rows)
            if entity == "jobcode":
                self._parent_side_effects(raws, op)
                # assigned_to_all is a user_id 0 assignment (not kept in the snapshot),
                # added or dropped with the jobcode's change
                self._note_stamps(ASSIGNMENTS, assigned_stamps)
            self._store(entity, raws, stamps, rows)

    def _note_stamps(self, cursor: str, stamps: Iterable[float | None]) -> None:
        present = [s for s in stamps if s is not None]
        if present:
            self.newest[cursor] = max(self.newest.get(cursor, 0.0), max(present))

    def _store(
        self,
        entity: str,
        raws: list[dict[str, Any]],
        stamps: Sequence[float | None],
        rows: list[dict[str, Any]],
    ) -> None:
        """Store ``raws`` as answered, with ``stamps`` (their ``last_modified`` parsed) and
        ``rows`` (their snapshot rows, ``_Kind.row``: completed here), one each."""
        spec = _KINDS[entity]
        if entity == "customfielditem":
            for raw, stamp in zip(raws, stamps, strict=True):
                self._note_stamps(_cursor_of(entity, raw), [stamp])
        else:
            self._note_stamps(spec.endpoint, stamps)
        now = utcnow()
        part = stored_part("qbt_record", spec.kind)  # (only what a fetch keeps of it)
        for row in rows:  # (made for this call: completed in place, not copied)
            row["raw"] = json_text(row["raw"] if part is None else part(row["raw"]))
            row["connection"] = self.conn
            row["kind"] = spec.kind
            row["fetched_at"] = now
        prepared = rows
        bulk_insert(
            QBTRecord,
            prepared,
            conflict=("connection", "kind", "qbt_id"),
            update=[n for n in prepared[0] if n not in ("connection", "kind", "qbt_id")],
        )

    def _rewrite_raw(self, entity: str, raws: dict[int, dict[str, Any]]) -> None:
        """Store the changed raw objects (by id) of rows already stored, when what changed
        is in no column of theirs (a jobcode's ``locations``, ``has_children`` and
        ``last_modified``): the JSON text and the fetch time are rewritten, the row is not
        typed and upserted again (as :meth:`_store` would, to the same columns)."""
        spec = _KINDS[entity]
        self._note_stamps(
            spec.endpoint, [qmap.parse_timestamp(r.get("last_modified")) for r in raws.values()]
        )
        now = QBTRecord.fetched_at.db_value(utcnow())
        db.connection().executemany(
            'UPDATE "qbt_record" SET "raw" = ?, "fetched_at" = ? '
            'WHERE "connection_id" = ? AND "kind" = ? AND "qbt_id" = ?',
            [
                (dumps_canonical(raw), now, self.conn.id, spec.kind, qbt_id)
                for qbt_id, raw in raws.items()
            ],
        )

    def _stored(self, kind: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = sorted({int(i) for i in ids})
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            # SQL written here, rows as SQLite gives them: peewee built this query (a node
            # per id) and a model object per row at several times the cost of running it
            rows = db.execute_sql(
                'SELECT "qbt_id", "raw" FROM "qbt_record" WHERE "connection_id" = ? '  # noqa: S608 (marks only)
                f'AND "kind" = ? AND "qbt_id" IN ({", ".join("?" * len(part))})',
                [self.conn.id, kind, *part],
            )
            for qbt_id, text in rows.fetchall():
                out[int(qbt_id)] = dict(loads(text))
        return out

    def _link_side_effects(self, locations: list[dict[str, Any]]) -> None:
        """A location's ``linked_objects.jobcodes`` is mirrored in each jobcode's
        ``locations`` (read-only there), which changes with the link. ``locations``: the
        snapshot rows of the answered objects (``_location_row``)."""
        before = self._stored("location", (loc["qbt_id"] for loc in locations))
        changes: list[tuple[int, int, bool, str]] = []  # jobcode, location, linked, when
        for loc in locations:
            lid, raw = loc["qbt_id"], loc["raw"]
            new = set(_linked_jobcodes(raw))
            old = set(_linked_jobcodes(before[lid])) if lid in before else set()
            when = str(raw.get("last_modified"))
            changes += [(j, lid, True, when) for j in new - old]
            changes += [(j, lid, False, when) for j in old - new]
        if not changes:
            return
        jobcodes = self._stored("jobcode", (c[0] for c in changes))
        touched: dict[int, dict[str, Any]] = {}
        for jid, lid, linked, when in changes:
            found = touched.get(jid) or jobcodes.get(jid)
            if found is None:
                self.dirty.add("jobcodes")  # a jobcode we never read: the next read finds it
                continue
            raw = found
            current = [int(x) for x in (raw.get("locations") or [])]
            if linked and lid not in current:
                raw["locations"] = [*current, lid]
            elif not linked and lid in current:
                raw["locations"] = [x for x in current if x != lid]
            else:
                continue
            raw["last_modified"] = when
            touched[jid] = raw
        if touched:
            self._rewrite_raw("jobcode", touched)

    def _parent_side_effects(self, jobcodes: list[dict[str, Any]], op: str) -> None:
        """A new sub-job makes its parent ``has_children`` (bumping the parent's change time)."""
        if op != "create":
            return
        children = {
            qmap.as_int(r.get("parent_id")): str(r.get("last_modified"))
            for r in jobcodes
            if qmap.as_int(r.get("parent_id"))
        }
        if not children:
            return
        parents = self._stored("jobcode", children)
        touched: dict[int, dict[str, Any]] = {}
        for pid, when in children.items():
            raw = parents.get(pid)
            if raw is None:
                if pid not in {qmap.as_int(r.get("id")) for r in jobcodes}:
                    self.dirty.add("jobcodes")
                continue
            if raw.get("has_children") is not True:
                raw["has_children"] = True
                raw["last_modified"] = when
                touched[pid] = raw
        if touched:
            self._rewrite_raw("jobcode", touched)

    # ---------------------------------------------------------------- after the writes
    def finish(self, *, clean: bool, sleep: Callable[[float], None] = time.sleep) -> list[str]:
        """Move the cursors of the lists this import kept current past its own writes;
        returns the cursors that must be read again (the caller reads those lists
        incrementally, from where the last read left them). ``clean``: the run ended
        normally (not stopped, no lost answer).

        One call after the last write (``last_modified_timestamps``): each list's newest
        change is ours, or it is read again. Stamps are whole seconds, so the call is made
        in the second after our last write (``sleep``, at most a second): a change made
        after the import then stamps a later second, which the next fetch sees. Called in
        the same second (a clock that does not wait), the lists are read again from a
        skew before their cursor, as before."""
        if not self.started:
            return []
        if not clean:
            return sorted(self.newest) or ["all"]
        if not self.newest:
            return []
        cursors = set(self.newest)
        dirty = {c for c in cursors if c in self.dirty or c.split(":", 1)[0] in self.dirty}
        keep_up = {c for c in cursors - dirty if c in self.current or self._new_part(c)}
        for c in sorted(cursors - keep_up):
            log.info(
                "QuickBooks Time list %s: %s",
                c,
                "not proven from the answers (a cascade or a lost answer)"
                if c in dirty
                else "not as last read before the first write",
            )
        if not keep_up:
            return sorted(cursors)
        newest = max(self.newest[c] for c in keep_up)
        now = time.time()
        if math.floor(now) <= newest:
            sleep(min(1.0, newest + 1.05 - now))
        reads = _QBTReads(self.conn, self.client, full=False)
        server = self.client.last_server_time
        again: set[str] = cursors - keep_up
        by_endpoint: dict[str, list[str]] = {}
        for c in keep_up:
            by_endpoint.setdefault(c.split(":", 1)[0], []).append(c)
        for endpoint, group in by_endpoint.items():
            stamp = reads.stamps.get(endpoint)
            ours = [max(self.newest[c], self._old(c)) for c in group]
            siblings = (
                [self._old(c) for c in self._cursors() if c.startswith(endpoint + ":")]
                if endpoint == "customfielditems"
                else []
            )
            last = max([*ours, *siblings])
            if stamp is None or server is None or stamp > last:
                again.update(group)  # changed after our last write: read it again
                log.info(
                    "QuickBooks Time list %s: its newest change (%s) is not our last write "
                    "to it (%s)",
                    endpoint,
                    stamp,
                    last,
                )
                continue
            proven = math.floor(server) > max(ours)  # checked in a later second
            for c, value in zip(group, ours, strict=True):
                _set_cursor(self.conn, "qbtime", c, repr(value))
                _set_cursor(self.conn, "qbtime", c + "@read", repr(server))
                if proven:
                    _set_cursor(self.conn, "qbtime", c + "@kept", repr(value))
            # The other parts of the list (custom field items of fields not written) were
            # as read before the first write and the list's newest change is ours: they are
            # as read at this moment too.
            for c in self.current:
                if c.startswith(endpoint + ":") and c not in group:
                    _set_cursor(self.conn, "qbtime", c + "@read", repr(server))
        if again:
            log.info("QuickBooks Time lists to read again after the import: %s", sorted(again))
        return sorted(again)

    def _old(self, cursor: str) -> float:
        value = _cursor(self.conn, "qbtime", cursor)
        return float(value) if value else 0.0

    def _new_part(self, cursor: str) -> bool:
        """The items of a custom field this import created: nothing was there to read."""
        if not cursor.startswith("customfielditems:"):
            return False
        return int(cursor.split(":", 1)[1]) in self.created_fields
