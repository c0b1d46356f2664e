"""The app's local database: what it knows about both sides and everything it did.

All models bind to the ``core.store.db.db`` proxy; ``core.store.db.open_database`` creates or migrates the
schema. Conventions:

* Times are UTC-aware ``datetime`` objects, stored as fixed-width ISO 8601 text
  (``2025-06-27T10:15:00.000000+00:00``) so they sort and compare as text; naive datetimes are
  refused (``UTCDateTimeField``).
* JSON columns are TEXT holding canonical JSON (``JSONField``): portable, no json1 extension
  needed, byte-for-byte stable for the same value.
* Enumerations are TEXT validated on write (``ChoiceField``): adding a value later needs no
  table rebuild.
* NO secrets in any table: tokens live in the OS keyring (``core.store.secrets``); rows keep only the
  keyring key names (``*_key`` columns).
* Rows owned by a connection are deleted with it, except import runs (and their journal): the
  journal is the only record of what was written to QB Time, so deleting a connection that has
  runs fails until the runs are removed on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.jsontext import dumps_canonical, loads

#: every model binds to this proxy; core.store.db.open_database points it at the file
db = pw.DatabaseProxy()


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- field types -------------------------------------------------------------------------------


class UTCDateTimeField(pw.Field):
    """A timezone-aware UTC datetime stored as fixed-width ISO 8601 text."""

    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):  # already in storage form (e.g. a query bound by hand)
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"{self.name}: expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{self.name}: naive datetime; use an aware UTC datetime")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def python_value(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        parsed = datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class JSONField(pw.TextField):
    """Canonical JSON text (sorted keys, UTF-8, compact)."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if type(value) is Stored:  # already this column's text (see Stored)
            return str(value)
        # json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False), faster
        return dumps_canonical(value)

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return loads(value)


class ChoiceField(pw.CharField):
    """TEXT limited to ``choices`` (a tuple of strings), checked when written."""

    def __init__(self, choices: Iterable[str], **kwargs: Any) -> None:
        self.allowed = tuple(choices)
        super().__init__(max_length=32, choices=[(c, c) for c in self.allowed], **kwargs)

    def db_value(self, value: Any) -> Any:
        if value is not None and value not in self.allowed:
            raise ValueError(f"{self.name}: {value!r} is not one of {', '.join(self.allowed)}")
        return super().db_value(value)


# -- enumerations --------------------------------------------------------------------------------

CONNECTION_STATUSES = ("active", "needs_xero_signin", "needs_qbtime_token", "disconnected")
XERO_KINDS = ("contact", "item", "tracking_category", "tracking_option", "employee", "leave_type")
QBT_KINDS = ("user", "jobcode", "customfield", "customfielditem", "location", "jobcode_assignment")
SOURCES = ("xero", "qbtime")
LINK_KINDS = (
    "customer",
    "employee",
    "item",
    "tracking_category",
    "tracking_option",
    "leave_type",
    "location",
)
DECISION_ACTIONS = ("link", "restore_link", "create", "skip", "rename", "later")
RUN_STATUSES = ("planned", "running", "cancelled", "failed", "done", "undone")
#: import: Xero -> QuickBooks Time; payroll_export: hours and time off -> Xero Payroll;
#: invoicing: billable hours -> draft Xero invoices; undo: any of them reverted
RUN_KINDS = ("import", "undo", "payroll_export", "invoicing")
#: delete: a Xero draft the run made is removed (payroll 2.0 timesheets, invoices: DELETED)
JOURNAL_ACTIONS = (
    "create",
    "update",
    "archive",
    "restore",
    "assign",
    "unassign",
    "link",
    "delete",
)
#: where QuickBooks Time hours were sent (SentHours.target)
SENT_TARGETS = ("payroll", "leave", "invoice")
JOURNAL_STATES = ("intent", "done", "failed", "unknown")


# -- models --------------------------------------------------------------------------------------


class BaseModel(pw.Model):
    if TYPE_CHECKING:  # peewee adds these when the class is made
        id: Any

    class Meta:
        database = db
        legacy_table_names = False


class Connection(BaseModel):
    """One Xero organisation bound to one QB Time company (one-to-one both ways)."""

    xero_tenant_id = pw.CharField(unique=True)
    xero_tenant_name = pw.CharField()
    xero_country_code = pw.CharField(max_length=2, default="")
    #: Xero's organisation "Version": AU, NZ, UK, US, GLOBAL (…ONRAMP variants): decides payroll.
    xero_version = pw.CharField(max_length=16, default="")
    #: keyring key of the Xero token set (``core.store.secrets.xero_grant_key``), never the token.
    xero_grant_key = pw.CharField(null=True)
    #: QB Time company identity (the account's ``client_url`` or ``company_id``): text.
    qbtime_company_id = pw.CharField(unique=True)
    qbtime_company_name = pw.CharField(default="")
    qbtime_user_id = pw.BigIntegerField(null=True)
    #: keyring key of the QB Time access token (``core.store.secrets.qbtime_token_key``).
    qbtime_token_key = pw.CharField(null=True)
    status = ChoiceField(CONNECTION_STATUSES, default="active")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "connection"

    def save(self, *args: Any, **kwargs: Any) -> int:
        if self.get_id() is not None:
            self.updated_at = utcnow()
        return super().save(*args, **kwargs)


class XeroRecord(BaseModel):
    """A snapshot of one Xero object, as last fetched."""

    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    kind = ChoiceField(XERO_KINDS)
    xero_id = pw.CharField()
    #: tracking options -> their category's id
    parent_xero_id = pw.CharField(null=True)
    name = pw.CharField(default="")
    first_name = pw.CharField(null=True)
    last_name = pw.CharField(null=True)
    email = pw.CharField(null=True)
    #: Xero's own status text (ACTIVE, ARCHIVED, GDPRREQUEST…), when the object has one
    status = pw.CharField(null=True)
    archived = pw.BooleanField(default=False)
    is_customer = pw.BooleanField(default=False)
    updated_utc = UTCDateTimeField(null=True)
    raw = JSONField(default=dict)
    fetched_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any

    class Meta:
        table_name = "xero_record"
        # Only what a query searches by (tests/unit/test_query_plans.py): every query on the
        # snapshot asks by connection and kind, then the id. The name, e-mail, last/first name
        # and parent indexes no query used were dropped in schema v4 (each one cost every
        # stored row an index write: 10,000 contacts stored in ~0.20 s of CPU, ~0.11 s without).
        indexes = ((("connection", "kind", "xero_id"), True),)


class QBTRecord(BaseModel):
    """A snapshot of one QB Time object, as last fetched (``active=both&type=all``)."""

    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    kind = ChoiceField(QBT_KINDS)
    qbt_id = pw.BigIntegerField()
    #: jobcode parent (0 = top level), customfielditem's customfield, …
    parent_id = pw.BigIntegerField(null=True)
    name = pw.CharField(default="")
    first_name = pw.CharField(null=True)
    last_name = pw.CharField(null=True)
    email = pw.CharField(null=True)
    username = pw.CharField(null=True)
    #: jobcode type: regular, pto, paid_break, unpaid_break…
    type = pw.CharField(null=True)
    active = pw.BooleanField(default=True)
    raw = JSONField(default=dict)
    last_modified = UTCDateTimeField(null=True)
    fetched_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any

    class Meta:
        table_name = "qbt_record"
        # (connection, kind, parent_id): a custom field's items are read and kept per field;
        # the name, e-mail and last/first name indexes no query used were dropped in v4.
        indexes = (
            (("connection", "kind", "qbt_id"), True),
            (("connection", "kind", "parent_id"), False),
        )


class SyncCursor(BaseModel):
    """Where the next incremental fetch starts (Xero If-Modified-Since, QB Time modified_since)."""

    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    source = ChoiceField(SOURCES)
    resource = pw.CharField()
    value = pw.TextField()
    updated_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any

    class Meta:
        table_name = "sync_cursor"
        indexes = ((("connection", "source", "resource"), True),)


class ImportRun(BaseModel):
    """One import (or undo) of a connection: its options, outcome and journal."""

    connection = pw.ForeignKeyField(Connection, backref="runs", index=False)  # no cascade: history
    kind = ChoiceField(RUN_KINDS, default="import")
    status = ChoiceField(RUN_STATUSES, default="planned")
    dry_run = pw.BooleanField(default=False)
    options = JSONField(default=dict)
    counts = JSONField(default=dict)
    undoes_run = pw.ForeignKeyField("self", null=True, backref="undone_by", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    started_at = UTCDateTimeField(null=True)
    finished_at = UTCDateTimeField(null=True)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any
        undoes_run_id: Any

    class Meta:
        table_name = "import_run"
        indexes = ((("connection", "status"), False),)


class Link(BaseModel):
    """A Xero object known to be the same thing as a QB Time object (one-to-one per kind)."""

    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    kind = ChoiceField(LINK_KINDS)
    xero_id = pw.CharField()
    qbt_id = pw.BigIntegerField()
    created_by_run = pw.ForeignKeyField(ImportRun, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any
        created_by_run_id: Any

    class Meta:
        table_name = "link"
        indexes = (
            (("connection", "kind", "xero_id"), True),
            (("connection", "kind", "qbt_id"), True),
        )


class Decision(BaseModel):
    """The user's answer to one matching conflict, saved offline (reviewable, exportable)."""

    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    kind = ChoiceField(LINK_KINDS)
    xero_id = pw.CharField()
    action = ChoiceField(DECISION_ACTIONS)
    target_qbt_id = pw.BigIntegerField(null=True)
    new_name = pw.CharField(null=True)
    #: ``fingerprint()`` of the fields the answer depended on (added in schema v2)
    depends_on = pw.CharField(default="")
    note = pw.TextField(default="")
    decided_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any

    class Meta:
        table_name = "decision"
        indexes = ((("connection", "kind", "xero_id"), True),)

    def is_stale(self, current_fingerprint: str) -> bool:
        return not self.depends_on or self.depends_on != current_fingerprint


class JournalEntry(BaseModel):
    """One write to QB Time: intent first, then its outcome (resume, reconcile, undo)."""

    run = pw.ForeignKeyField(ImportRun, backref="journal", on_delete="CASCADE", index=False)
    seq = pw.IntegerField()
    action = ChoiceField(JOURNAL_ACTIONS)
    entity_kind = pw.CharField(max_length=32)
    xero_id = pw.CharField(null=True)
    qbt_id = pw.BigIntegerField(null=True)
    #: client idempotency / reconciliation key: finds the object again after a lost answer
    batch_key = pw.CharField()
    before = JSONField(null=True)
    after = JSONField(null=True)
    state = ChoiceField(JOURNAL_STATES, default="intent")
    error = pw.TextField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        run_id: Any

    class Meta:
        table_name = "journal_entry"
        # (no query looks an entry up by batch_key: its index was dropped in v4)
        indexes = (
            (("run", "seq"), True),
            (("run", "state"), False),
        )

    def save(self, *args: Any, **kwargs: Any) -> int:
        if self.get_id() is not None:
            self.updated_at = utcnow()
        return super().save(*args, **kwargs)


class LeaveLink(BaseModel):
    """A Xero leave type linked to a QB Time time-off (pto) code.

    Unpaid leave is never exported to Xero: ``export_to_xero`` defaults to ``is_paid`` and the
    database refuses ``export_to_xero`` on unpaid leave (CHECK constraint).
    """

    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    xero_leave_type_id = pw.CharField()
    qbt_jobcode_id = pw.BigIntegerField(null=True)
    is_paid = pw.BooleanField()
    #: added in schema v2; None on a new row means "same as is_paid"
    export_to_xero = pw.BooleanField(
        default=None, constraints=[pw.Check('"is_paid" = 1 OR "export_to_xero" = 0')]
    )

    if TYPE_CHECKING:  # peewee adds these when the class is made
        connection_id: Any

    class Meta:
        table_name = "leave_link"
        indexes = ((("connection", "xero_leave_type_id"), True),)

    def save(self, *args: Any, **kwargs: Any) -> int:
        if self.export_to_xero is None:
            self.export_to_xero = bool(self.is_paid)
        return super().save(*args, **kwargs)


class Setting(BaseModel):
    """App options and preferences: one JSON value per key (never a secret)."""

    key = pw.CharField(unique=True)
    value = JSONField(null=True)

    class Meta:
        table_name = "setting"

    @classmethod
    def get_value(cls, key: str, default: Any = None) -> Any:
        row = cls.get_or_none(cls.key == key)
        return default if row is None else row.value

    @classmethod
    def set_value(cls, key: str, value: Any) -> None:
        """Store ``value`` as JSON under ``key`` (a :class:`Stored` text: as it is)."""
        (
            cls.insert(key=key, value=value)
            # the row's value from the insert's (made into JSON once, not a second time)
            .on_conflict(conflict_target=[cls.key], update={cls.value: pw.EXCLUDED.value})
            .execute()
        )


class SentHours(BaseModel):
    """Which QuickBooks Time timesheet went into which Xero record, as of which version of it.

    One row per (timesheet, Xero record, line) a payroll export or an invoicing run sent: a
    draft timesheet's day on an earnings rate (``payroll``), a leave application or employee
    leave (``leave``), a draft invoice's line (``invoice``). "Never twice" and "edited in
    QuickBooks Time since it was sent" are queries on it (``qbt_last_modified`` is the
    timesheet's ``last_modified`` as read when it was sent). An undo, or a later run that
    replaces the line, sets ``active`` false; the rows stay as history.
    """

    run = pw.ForeignKeyField(ImportRun, backref="sent_hours", on_delete="CASCADE", index=False)
    connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
    target = ChoiceField(SENT_TARGETS)
    qbt_timesheet_id = pw.BigIntegerField()
    qbt_last_modified = pw.CharField(default="")
    #: the Xero record: timesheet, leave application / employee leave, or invoice id
    xero_id = pw.CharField()
    #: the line inside it: e.g. "2026-11-23|<EarningsRateID>" or an invoice line's key
    line_key = pw.CharField(default="")
    #: the day the hours count on (YYYY-MM-DD, the company's time zone)
    day = pw.CharField(default="")
    hours = pw.FloatField()
    amount = pw.FloatField(null=True)
    currency = pw.CharField(default="")
    active = pw.BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)

    if TYPE_CHECKING:  # peewee adds these when the class is made
        run_id: Any
        connection_id: Any

    class Meta:
        table_name = "sent_hours"
        indexes = (
            (("connection", "target", "qbt_timesheet_id"), False),
            (("run",), False),
            (("xero_id",), False),
        )


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Connection,
    XeroRecord,
    QBTRecord,
    SyncCursor,
    ImportRun,
    Link,
    Decision,
    JournalEntry,
    LeaveLink,
    Setting,
    SentHours,
)


# -- bulk writes ---------------------------------------------------------------------------------


#: sqlite3 errors raised as peewee's (IntegrityError…), as every peewee query raises them
_SQL_ERRORS_AS_PEEWEE = pw.ExceptionWrapper(pw.EXCEPTIONS)  # type: ignore[attr-defined]


class Stored(str):
    """A value already in its column's storage form (e.g. canonical JSON text computed once to
    compare with what is stored): :func:`bulk_insert` and :class:`JSONField` pass it through
    unconverted."""

    __slots__ = ()


def bulk_insert(
    model: type[BaseModel],
    rows: Iterable[Mapping[str, Any]],
    *,
    conflict: Iterable[str] = (),
    update: Iterable[str] = (),
) -> int:
    """Insert many rows with one prepared statement (``executemany``); returns the row count.

    peewee's ``insert_many`` renders every value into SQL text, which cost more CPU than the
    network on large organisations (10,000 contacts, 20,000 journal entries). Here each value
    goes through its field's ``db_value`` (so ChoiceField checks, UTC datetimes and canonical
    JSON behave exactly as with ``Model.create``) and SQLite binds it. Fields missing from a
    row get their default, as with peewee. With ``conflict`` (the field names of a unique
    index) a clashing row updates the ``update`` fields instead (an upsert).

    The caller provides the transaction (``db.atomic()``) when several calls belong together.
    """
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    given = set().union(*rows)  # (a mapping iterates over its keys)
    fields = [
        f
        for f in meta.sorted_fields
        if f.name in given or (not isinstance(f, pw.AutoField) and f.default is not None)
    ]
    defaults = {f.name: (f.default() if callable(f.default) else f.default) for f in fields}
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join("?" for _ in fields)
    sql = f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({marks})'  # noqa: S608 (names from the model, values bound)
    conflict, update = list(conflict), list(update)
    if conflict:
        target = ", ".join(f'"{meta.fields[name].column_name}"' for name in conflict)
        sets = ", ".join(
            f'"{meta.fields[n].column_name}" = excluded."{meta.fields[n].column_name}"'
            for n in update
        )
        sql += f" ON CONFLICT ({target}) " + (f"DO UPDATE SET {sets}" if sets else "DO NOTHING")

    # Column by column (a field some rows lack: its default): the common values (plain
    # text and numbers, valid choices, text already stored) pass without a call per value.
    # plain dicts (every caller's rows) are read by key in C; a key some row lacks, or any
    # other mapping (a defaultdict's [] would add the key), by get with the default
    dicts = set(map(type, rows)) == {dict}
    params = list(
        zip(
            *(
                _convert_column(
                    f, _column(rows, f.name, defaults[f.name], dicts and f.name in given)
                )
                for f in fields
            ),
            strict=True,
        )
    )
    with db.atomic(), _SQL_ERRORS_AS_PEEWEE:
        db.connection().executemany(sql, params)
    return len(params)


#: plain peewee fields whose db_value only coerces to this type: a value already of that
#: type is bound as is (subclasses such as ChoiceField, JSONField keep their db_value)
_PLAIN_TYPES: dict[type, type] = {
    pw.CharField: str,
    pw.TextField: str,
    pw.IntegerField: int,
    pw.BigIntegerField: int,
    pw.BooleanField: bool,
}


def _convert_column(field: pw.Field, values: list[Any]) -> list[Any]:
    """``values`` (one column) as :func:`_converter`'s function converts each, faster."""
    convert = _converter(field)
    plain = _PLAIN_TYPES.get(type(field))
    if plain is not None:
        return [v if v is None or type(v) is plain else convert(v) for v in values]
    if isinstance(field, ChoiceField) and type(field).db_value is ChoiceField.db_value:
        allowed = frozenset(field.allowed)
        return [v if type(v) is str and v in allowed else convert(v) for v in values]
    if type(field) is JSONField:
        return [
            None if v is None else str(v) if type(v) is Stored else dumps_canonical(v)
            for v in values
        ]
    if values and len(set(map(id, values))) == 1:
        # one object on every row (the run, the connection, the batch's time): once
        return [convert(values[0])] * len(values)
    return [convert(v) for v in values]


def _column(
    rows: list[Mapping[str, Any]], name: str, default: Any, by_key: bool = False
) -> list[Any]:
    """Each row's ``name``, ``default`` where a row lacks it. ``by_key``: the rows are plain
    dicts (``row[name]`` as ``get`` answers when present), tried first by :func:`itemgetter`."""
    if by_key:
        try:
            return list(map(itemgetter(name), rows))
        except KeyError:
            pass  # a row lacks it: its default
    return [row.get(name, default) for row in rows]


def _converter(field: pw.Field) -> Any:
    plain = _PLAIN_TYPES.get(type(field))

    def convert(value: Any) -> Any:
        if value is None or (plain is not None and type(value) is plain):
            return value
        if isinstance(value, Stored):
            return str(value)
        return field.db_value(value)

    if not isinstance(field, UTCDateTimeField):
        return convert
    last: list[Any] = [None, None]  # a batch's rows share their time: convert it once

    def convert_time(value: Any) -> Any:
        if value is not last[0] or value is None:
            last[0], last[1] = value, convert(value)
        return last[1]

    return convert_time


def json_text(value: Any) -> Stored:
    """``value`` as a JSONField stores it (canonical JSON text), marked as already stored."""
    return Stored(dumps_canonical(value))


# -- journal queries -----------------------------------------------------------------------------

#: fields of a journaled write that point at another QuickBooks Time record: (field, kind)
_REFERENCES = (
    ("parent_id", "jobcode"),
    ("jobcode_id", "jobcode"),
    ("user_id", "user"),
    ("customfield_id", "customfield"),
)


def _record_keys(entry: JournalEntry, *, references: bool) -> set[tuple[str, int]]:
    keys: set[tuple[str, int]] = set()
    if entry.qbt_id is not None:
        keys.add((str(entry.entity_kind), int(entry.qbt_id)))
    if not references:
        return keys
    for side in (entry.before or {}, entry.after or {}):
        if not isinstance(side, dict):
            continue
        for name, kind in _REFERENCES:
            value = side.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                keys.add((kind, value))
        linked = side.get("linked_objects")
        jobcodes = linked.get("jobcodes") if isinstance(linked, dict) else None
        for value in jobcodes if isinstance(jobcodes, list) else ():
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                keys.add(("jobcode", value))
    return keys


def written_records(run: ImportRun) -> set[tuple[str, int]]:
    """``(entity kind, QuickBooks Time id)`` of every record ``run`` wrote (done entries)."""
    keys: set[tuple[str, int]] = set()
    for entry in JournalEntry.select().where(
        (JournalEntry.run == run) & (JournalEntry.state == "done")
    ):
        keys |= _record_keys(entry, references=False)
    return keys


def later_imports_touching(run: ImportRun) -> list[ImportRun]:
    """The imports after ``run`` (same connection, not undone) that wrote one of the records
    ``run`` wrote, or a record pointing at one (a location on its jobcode, an assignment, an
    item of its field), directly or through another such import: newest first.

    Undoing ``run`` before them would revert records they changed since; they are undone
    first, newest first (``core.app.sync.undo`` with ``cascade``).
    """
    later = list(
        ImportRun.select()
        .where(
            (ImportRun.connection == run.connection_id)
            & (ImportRun.id > run.id)
            & (ImportRun.kind == "import")
            & (ImportRun.dry_run == False)  # noqa: E712 (SQL)
            & (ImportRun.status.in_(("done", "cancelled", "failed", "running")))
        )
        .order_by(ImportRun.id)
    )
    if not later:
        return []
    touched: dict[int, set[tuple[str, int]]] = {r.id: set() for r in later}
    written: dict[int, set[tuple[str, int]]] = {r.id: set() for r in later}
    for entry in JournalEntry.select().where(
        JournalEntry.run.in_([r.id for r in later]) & (JournalEntry.state == "done")
    ):
        touched[entry.run_id] |= _record_keys(entry, references=True)
        written[entry.run_id] |= _record_keys(entry, references=False)
    blocking: list[ImportRun] = []
    # Oldest first: a later import blocks when it touches what ``run`` or a blocker wrote.
    watched = written_records(run)
    for other in later:
        if touched[other.id] & watched:
            blocking.append(other)
            watched |= written[other.id]
    return sorted(blocking, key=lambda r: r.id, reverse=True)
