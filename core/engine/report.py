"""What one import run did, for people: the CSV report, its problems, and its batches.

Plain Python over the journal (:class:`~core.store.models.JournalEntry`) and the plan; no Qt. The
wizard's run, done and home pages call these; the words shown to people are theirs (Qt
translations), so nothing here is a sentence: codes go out as codes unless the caller passes
``words`` to translate them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.engine.importer import BATCH_SIZE
from core.engine.plan import PHASES, SUMMARY_KINDS, Action, ImportPlan, ordered_groups
from core.store.models import ImportRun, JournalEntry

if TYPE_CHECKING:
    from core.store.models import Connection

#: The report's columns, in order (the header when the caller gives none).
REPORT_COLUMNS = ("action", "kind", "name", "before", "after", "state", "error")

#: Characters that make a spreadsheet read a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------- journal
def run_entries(run: ImportRun) -> list[JournalEntry]:
    """Every journal entry of ``run``, in the order they were written."""
    return list(JournalEntry.select().where(JournalEntry.run == run).order_by(JournalEntry.seq))


#: the snapshot kinds a journal entry's record has: QuickBooks Time's, then Xero's
_QBT_KIND = {"leave_link": "jobcode"}
_XERO_KINDS = {
    "jobcode": ("contact",),
    "location": ("contact",),
    "user": ("employee",),
    "customfield": ("tracking_category",),
    "customfielditem": ("item", "tracking_option"),
    "leave_link": ("leave_type",),
}
#: kinds whose screens name the record by its Xero name (the plan's label) before its
#: QuickBooks Time one; a location is named by its address, an archive by QuickBooks Time's
_XERO_NAMED = ("user", "leave_link")


def _person(values: Mapping[str, Any]) -> str:
    return " ".join(str(values.get(k) or "") for k in ("first_name", "last_name")).strip()


def _row_name(row: Any) -> str:
    """The name of a snapshot row (a person's first and last name when it has no name)."""
    person = " ".join(part for part in (row.first_name, row.last_name) if part).strip()
    return str(row.name or "").strip() or person


class RecordNames:
    """The names of the records a run's journal touched, from the local snapshots of
    QuickBooks Time and Xero (read once for the run): what a journal entry that holds no name
    (an archive, a link) or only the part it changed (a new last name) is called, as the
    preview and the done page call it (the plan's label)."""

    def __init__(self, run: ImportRun, entries: Sequence[JournalEntry]) -> None:
        from core.store.models import QBTRecord, XeroRecord

        self.qbt: dict[tuple[str, int], str] = {}
        self.xero: dict[tuple[str, str], str] = {}
        conn = run.connection_id
        qbt_ids = {e.qbt_id for e in entries if e.qbt_id is not None}
        xero_ids = sorted({str(e.xero_id) for e in entries if e.xero_id})
        numbers = sorted(qbt_ids)
        for start in range(0, len(numbers), 500):
            for qbt in QBTRecord.select().where(
                (QBTRecord.connection == conn)
                & (QBTRecord.qbt_id.in_(numbers[start : start + 500]))
            ):
                self.qbt[(str(qbt.kind), int(qbt.qbt_id))] = _row_name(qbt)
        for start in range(0, len(xero_ids), 500):
            for xero in XeroRecord.select().where(
                (XeroRecord.connection == conn)
                & (XeroRecord.xero_id.in_(xero_ids[start : start + 500]))
            ):
                self.xero[(str(xero.kind), str(xero.xero_id))] = _row_name(xero)

    def of_qbt(self, entry: JournalEntry) -> str:
        if entry.qbt_id is None:
            return ""
        kind = _QBT_KIND.get(entry.entity_kind, entry.entity_kind)
        return self.qbt.get((kind, int(entry.qbt_id)), "")

    def of_xero(self, entry: JournalEntry) -> str:
        if not entry.xero_id:
            return ""
        for kind in _XERO_KINDS.get(entry.entity_kind, ()):
            name = self.xero.get((kind, str(entry.xero_id)))
            if name:
                return name
        return ""


def _whole_name(entry: JournalEntry) -> str:
    """A name the journal entry holds whole: a record's name, a person's first *and* last
    name (an update of the last name alone holds half a name), an address."""
    for values in (entry.after or {}, entry.before or {}):
        if values.get("name"):
            return str(values["name"])
        if values.get("first_name") and values.get("last_name"):
            return _person(values)
        line = ", ".join(str(values[k]) for k in ("addr1", "city") if values.get(k))
        if line:
            return line
    return ""


def entry_name(entry: JournalEntry, names: RecordNames | None = None) -> str:
    """The name a journal entry's record goes by on the screens: the name it holds whole, else
    the record's name in the snapshots (``names``), else the part of a name or the user name
    it holds, else its id."""
    if names is not None and entry.entity_kind in _XERO_NAMED:
        found = names.of_xero(entry) or names.of_qbt(entry)
        if found:
            return found
    whole = _whole_name(entry)
    if whole:
        return whole
    if names is not None:
        found = names.of_qbt(entry) or names.of_xero(entry)
        if found:
            return found
    for values in (entry.after or {}, entry.before or {}):
        if _person(values):
            return _person(values)
        if values.get("username"):
            return str(values["username"])
    return str(entry.xero_id or entry.qbt_id or "")


def entry_kind(entry: JournalEntry) -> str:
    """The kind a journal entry's record is named by: its QuickBooks Time kind, except a
    choice of a custom field made from a Xero tracking category (``tracking_option``), which
    QuickBooks Time stores as an item like a Xero item's."""
    if entry.entity_kind == "customfielditem":
        ref = str(entry.batch_key or "").partition(":")[2]
        if ref.startswith("tracking_option:"):
            return "tracking_option"
    return str(entry.entity_kind)


@dataclass(frozen=True)
class Problem:
    """A journal entry that did not end well: what, on which record, and why."""

    action: str  # create | update | archive | restore | assign | link
    kind: str  # jobcode | user | customfield | customfielditem | tracking_option | location | ...
    name: str
    reason: str  # QuickBooks Time's answer or the importer's reason (already worded)
    state: str  # failed | unknown


def run_problems(run: ImportRun) -> list[Problem]:
    """Failed (and never answered) writes of ``run``, from its journal.

    The importer's own ``problems`` list says the same with the plan's labels while it is
    in memory; this works for any run, also a stopped or an old one.
    """
    query = (
        JournalEntry.select()
        .where((JournalEntry.run == run) & (JournalEntry.state.in_(("failed", "unknown"))))
        .order_by(JournalEntry.seq)
    )
    entries = list(query)
    names = RecordNames(run, entries)
    return [
        Problem(e.action, entry_kind(e), entry_name(e, names), str(e.error or ""), e.state)
        for e in entries
    ]


def _cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (dict, list)):
        text = (
            json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
            if value
            else ""
        )
    else:
        text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text  # shown as text by spreadsheets, never run as a formula
    return text


def report_rows(run: ImportRun, words: Mapping[str, str] | None = None) -> Iterator[list[str]]:
    """One row per journal entry of ``run`` (see :data:`REPORT_COLUMNS`)."""
    say = (lambda code: words.get(code, code)) if words else (lambda code: code)
    entries = run_entries(run)
    names = RecordNames(run, entries)
    for entry in entries:
        yield [
            _cell(say(entry.action)),
            _cell(say(entry_kind(entry))),
            _cell(entry_name(entry, names)),
            _cell(entry.before),
            _cell(entry.after),
            _cell(say(entry.state)),
            _cell(entry.error),
        ]


def csv_delimiter(language: str | None) -> str:
    """What separates the columns of a CSV for a reader of ``language``: Excel in French
    reads ";" as the separator (a comma is its decimal mark), the others ","."""
    return ";" if (language or "").lower().startswith("fr") else ","


def export_run_report(
    run: ImportRun,
    path: Path | str,
    *,
    header: Sequence[str] | None = None,
    words: Mapping[str, str] | None = None,
    language: str | None = None,
) -> int:
    """Write the report of ``run`` as CSV (UTF-8 with a BOM, so spreadsheets read accents).

    ``header`` replaces the column titles (e.g. translated); ``words`` translates the codes
    of the action, kind and state columns; ``language`` is the reader's: French gets ";"
    between the columns, as Excel in French reads (the review's export does the same).
    Returns the number of rows written (no header).
    The file is written beside its final name first, so a failure never leaves half a report.
    """
    target = Path(path)
    if header is not None and len(header) != len(REPORT_COLUMNS):
        raise ValueError(f"header needs {len(REPORT_COLUMNS)} columns")
    partial = target.with_name(target.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=csv_delimiter(language))
        writer.writerow(list(header or REPORT_COLUMNS))
        for row in report_rows(run, words):
            writer.writerow(row)
            count += 1
    partial.replace(target)
    return count


# ---------------------------------------------------------------------------- runs
def last_run_id(conn: Connection) -> int:
    """The id of the newest run of ``conn`` (0 when there is none)."""
    newest = (
        ImportRun.select(ImportRun.id)
        .where(ImportRun.connection == conn)
        .order_by(ImportRun.id.desc())
        .first()
    )
    return int(newest.id) if newest is not None else 0


def import_run_after(conn: Connection, run_id: int) -> ImportRun | None:
    """The first import run of ``conn`` newer than ``run_id``: the one a stopped or failed
    import created (None when it failed before creating one)."""
    return (
        ImportRun.select()
        .where(
            (ImportRun.connection == conn) & (ImportRun.id > run_id) & (ImportRun.kind == "import")
        )
        .order_by(ImportRun.id)
        .first()
    )


def last_import(conn: Connection) -> ImportRun | None:
    """The newest import run of ``conn`` (undo runs are not imports)."""
    return (
        ImportRun.select()
        .where((ImportRun.connection == conn) & (ImportRun.kind == "import"))
        .order_by(ImportRun.id.desc())
        .first()
    )


def can_undo(run: ImportRun | None) -> bool:
    """Whether ``core.app.sync.undo`` accepts ``run`` (an import that wrote and is not undone)."""
    return (
        run is not None
        and run.kind == "import"
        and not run.dry_run
        and run.status in ("done", "cancelled", "failed")
    )


# ---------------------------------------------------------------------------- batches
def batches(plan: ImportPlan, batch_size: int = BATCH_SIZE) -> list[list[Action]]:
    """The plan's actions in the batches the importer runs, in its order.

    The importer reports progress after each batch with a running count: with these
    batches a page can say what each step was ("17 customers created"). Same order as
    :meth:`core.engine.importer.Importer._phase` (checked by tests/unit/test_report.py).
    """
    size = min(batch_size, BATCH_SIZE)
    out: list[list[Action]] = []
    phases = plan.by_phase()  # one pass over the actions (the import page asks on its thread)
    for phase in PHASES:
        for _key, group in ordered_groups(phases.get(phase, ())):
            out.extend(group[start : start + size] for start in range(0, len(group), size))
    return out


def phase_totals(plan: ImportPlan) -> dict[str, int]:
    """How many actions each phase holds, in the importer's order (empty phases left out)."""
    return {phase: len(actions) for phase, actions in plan.by_phase().items()}


def outcome_counts(actions: Sequence[Action]) -> dict[str, dict[str, int]]:
    """``{verb: {summary kind: n}}`` for actions about to be (or just) sent, the importer's
    verbs (created, updated, archived, linked), by the one counting rule (:class:`ChangeCounts`):
    each action once, under its own kind."""
    out: dict[str, dict[str, int]] = {}
    for action in actions:
        bucket = out.setdefault(_VERB_OF.get(action.op, action.op), {})
        bucket[action.summary_kind] = bucket.get(action.summary_kind, 0) + 1
    return out


# ---------------------------------------------------------------------------- the one count
#: What a change does, as the preview's columns and filter list it (a restore is an update).
CHANGE_OPS = ("create", "update", "archive", "link")
_OP_OF = {
    "create": "create",
    "update": "update",
    "restore": "update",
    "archive": "archive",
    "link": "link",
}
#: the importer's outcome verbs for each operation
_VERB_OF = {
    "create": "created",
    "update": "updated",
    "restore": "updated",
    "archive": "archived",
    "link": "linked",
}
#: every kind a plan, a skipped record, a journal entry or a problem names → its summary kind
_SUMMARY_KIND = {
    "customer": "customers",
    "contact": "customers",
    "jobcode": "customers",
    "location": "locations",
    "employee": "employees",
    "user": "employees",
    "item": "items",
    "customfielditem": "items",
    "tracking_option": "custom_field_items",
    "tracking_category": "custom_fields",
    "customfield": "custom_fields",
    "leave_type": "leave",
    "leave_link": "leave",
    "assignment": "assignments",
}


def summary_kind(kind: str) -> str:
    """A Xero or QuickBooks Time kind (``customer``, ``jobcode``, ``tracking_option``…) → the
    summary kind every screen counts it under (:data:`~core.engine.plan.SUMMARY_KINDS`)."""
    return _SUMMARY_KIND.get(kind, kind)


@dataclass(frozen=True)
class ChangeCounts:
    """The one counting rule of a plan, used by the preview (headline, grid, filter), the import
    page (its bars), the done page, the history and the home page.

    * A change is one action of the plan, counted once, under its kind and what it does
      (:data:`CHANGE_OPS`; a restore is an update). Opening a new customer to every team member
      is part of creating it, not a change of its own.
    * A record the plan leaves out (not imported) is counted once, under its kind; those waiting
      for a decision in the review are among them (``waiting``).
    """

    changes: Mapping[str, Mapping[str, int]]  # op -> summary kind -> n
    not_imported: Mapping[str, int]  # summary kind -> n
    waiting: int

    @property
    def total(self) -> int:
        """Every change: the preview's headline and "All changes", the import's total."""
        return sum(sum(kinds.values()) for kinds in self.changes.values())

    @property
    def not_imported_total(self) -> int:
        return sum(self.not_imported.values())

    def count(self, kind: str, op: str) -> int:
        """One cell of the grid (``op`` "skip": the records of ``kind`` not imported)."""
        if op == "skip":
            return int(self.not_imported.get(kind, 0))
        return int(self.changes.get(_OP_OF.get(op, op), {}).get(kind, 0))

    def by_op(self, op: str) -> int:
        """One entry of the filter: every change doing ``op`` ("skip": not imported)."""
        if op == "skip":
            return self.not_imported_total
        return sum(self.changes.get(_OP_OF.get(op, op), {}).values())

    def by_kind(self, kind: str) -> int:
        """Every change of one kind: a row of the grid, a bar of the import page."""
        return sum(kinds.get(kind, 0) for kinds in self.changes.values())

    def kinds(self) -> list[str]:
        """The kinds with a change or a record not imported, in the usual order."""
        present = {k for kinds in self.changes.values() for k, n in kinds.items() if n}
        present |= {k for k, n in self.not_imported.items() if n}
        order = [k for k in SUMMARY_KINDS if k in present]
        return order + sorted(present - set(order))

    def as_outcomes(self) -> dict[str, dict[str, int]]:
        """The same counts in the importer's verbs (``{"created": {kind: n}, …}``), the shape
        :func:`outcome_changes` gives for a run: an import that wrote everything equals it."""
        out: dict[str, dict[str, int]] = {}
        for op, kinds in self.changes.items():
            kept = {k: n for k, n in kinds.items() if n}
            if kept:
                out[_VERB_OF[op]] = kept
        return out


def records_waiting(plan: ImportPlan) -> int:
    """Records that need a decision in the review of look-alike records (each once)."""
    return len({(c.kind, c.xero_id) for c in plan.conflicts})


def change_counts(plan: ImportPlan) -> ChangeCounts:
    """The plan counted by the one rule (see :class:`ChangeCounts`)."""
    changes: dict[str, dict[str, int]] = {}
    for action in plan.actions:
        bucket = changes.setdefault(_OP_OF.get(action.op, action.op), {})
        bucket[action.summary_kind] = bucket.get(action.summary_kind, 0) + 1
    not_imported: dict[str, int] = {}
    for skipped in plan.skipped:
        kind = summary_kind(skipped.kind)
        not_imported[kind] = not_imported.get(kind, 0) + 1
    return ChangeCounts(changes, not_imported, records_waiting(plan))


def outcome_changes(outcomes: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """What a run did (its importer's ``outcomes``, or ``run.counts["outcomes"]``) by the
    same rule as :func:`change_counts`: the importer also counts each new customer opened to
    every team member under "assignments"; that is part of creating it, so it is left out."""
    out: dict[str, dict[str, int]] = {}
    for verb, kinds in outcomes.items():
        kept = {
            k: int(n)
            for k, n in kinds.items()
            if n and not (verb == "created" and k == "assignments")
        }
        if kept:
            out[verb] = kept
    return out


def changes_made(outcomes: Mapping[str, Mapping[str, int]]) -> int:
    """How many changes a run made (not the failed ones), counted as the preview counts."""
    return sum(
        n
        for verb, kinds in outcome_changes(outcomes).items()
        if verb != "failed"
        for n in kinds.values()
    )
