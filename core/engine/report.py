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
from core.engine.plan import PHASES, Action, ImportPlan, ordered_groups
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


def entry_name(entry: JournalEntry) -> str:
    """The most human name a journal entry has: a name, a person, an address, else an id."""
    for values in (entry.after or {}, entry.before or {}):
        name = values.get("name")
        if name:
            return str(name)
        person = " ".join(str(values.get(k) or "") for k in ("first_name", "last_name")).strip()
        if person:
            return person
        if values.get("username"):
            return str(values["username"])
        line = ", ".join(str(values[k]) for k in ("addr1", "city") if values.get(k))
        if line:
            return line
    return str(entry.xero_id or entry.qbt_id or "")


@dataclass(frozen=True)
class Problem:
    """A journal entry that did not end well: what, on which record, and why."""

    action: str  # create | update | archive | restore | assign | link
    kind: str  # jobcode | user | customfield | customfielditem | location | ...
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
    return [
        Problem(e.action, e.entity_kind, entry_name(e), str(e.error or ""), e.state) for e in query
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
    for entry in run_entries(run):
        yield [
            _cell(say(entry.action)),
            _cell(say(entry.entity_kind)),
            _cell(entry_name(entry)),
            _cell(entry.before),
            _cell(entry.after),
            _cell(say(entry.state)),
            _cell(entry.error),
        ]


def export_run_report(
    run: ImportRun,
    path: Path | str,
    *,
    header: Sequence[str] | None = None,
    words: Mapping[str, str] | None = None,
) -> int:
    """Write the report of ``run`` as CSV (UTF-8 with a BOM, so spreadsheets read accents).

    ``header`` replaces the column titles (e.g. translated); ``words`` translates the codes
    of the action, kind and state columns. Returns the number of rows written (no header).
    The file is written beside its final name first, so a failure never leaves half a report.
    """
    target = Path(path)
    if header is not None and len(header) != len(REPORT_COLUMNS):
        raise ValueError(f"header needs {len(REPORT_COLUMNS)} columns")
    partial = target.with_name(target.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
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
    for phase in PHASES:
        for _key, group in ordered_groups(a for a in plan.actions if a.phase == phase):
            out.extend(group[start : start + size] for start in range(0, len(group), size))
    return out


def phase_totals(plan: ImportPlan) -> dict[str, int]:
    """How many actions each phase holds, in the importer's order (empty phases left out)."""
    return {phase: len(actions) for phase, actions in plan.by_phase().items()}


def outcome_counts(actions: Sequence[Action]) -> dict[str, dict[str, int]]:
    """``{verb: {summary kind: n}}`` for actions about to be (or just) sent, the importer's
    verbs: created, updated, archived, linked (assignments given at creation included)."""
    verb = {
        "create": "created",
        "update": "updated",
        "restore": "updated",
        "archive": "archived",
        "link": "linked",
    }
    out: dict[str, dict[str, int]] = {}
    for action in actions:
        bucket = out.setdefault(verb.get(action.op, action.op), {})
        bucket[action.summary_kind] = bucket.get(action.summary_kind, 0) + 1
        if action.op == "create" and action.after.get("assigned_to_all"):
            extra = out.setdefault("created", {})
            extra["assignments"] = extra.get("assignments", 0) + 1
    return out
