"""The preview of an import: counts per kind and operation, and every change before → after.

Archives stand out: the word "Archive" in bold, a red-ish background and a note saying what
the archive also takes with it (jobs under the customer, assignments). Skipped records are
listed with their reason. Reasons from core are English and shown through ``core.i18n.tr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from core.engine.plan import SUMMARY_KINDS, Action, ImportPlan, Skipped
from core.engine.plan.customers import archive_note as customer_archive_note
from core.engine.report import ChangeCounts, change_counts, summary_kind
from wizard.models.base import ListTableModel
from wizard.words import kind_name, kind_one, list_join, list_separator

from .conflicts import fold

Index = QModelIndex | QPersistentModelIndex

#: the operations a change can be, in the order the filter and the grid list them
OPERATIONS = ("create", "update", "restore", "archive", "link", "skip")
#: columns of the counts grid (core.engine.report.ChangeCounts.count): what a change does,
#: then the records not imported; "update" also counts restores
COUNT_COLUMNS = (
    ("create", "created"),
    ("update", "updated"),
    ("archive", "archived"),
    ("link", "linked"),
    ("skip", "skipped"),
)
#: the filter's entry for every change (not the records not imported)
CHANGES = "changes"

ARCHIVE_BACKGROUND = QColor("#fdecea")
ARCHIVE_FOREGROUND = QColor("#611a15")

OP_ROLE = Qt.ItemDataRole.UserRole + 1
REF_ROLE = Qt.ItemDataRole.UserRole + 2
# what the filter model matches a line by (ChangeFilterModel): "op", _SEP, the words folded
FILTER_ROLE = Qt.ItemDataRole.UserRole + 3
_SEP = "\x1f"

WHAT, KIND, NAME, BEFORE, AFTER, WHY = range(6)
COLUMNS = 6

# fields never shown (ids and settings the person did not choose)
_HIDDEN = {
    "id",
    "parent_id",
    "type",
    "applies_to",
    "show_to_all",
    "customfield_id",
    "permissions",
    "qbt_jobcode_id",
    "children_assigned_to_all",
    "linked_objects",
    "type_id",
    "short_code",
}
_ADDRESS = ("addr1", "addr2", "city", "state", "zip", "country")


@dataclass(frozen=True)
class Change:
    """One line of the preview: an action of the plan, or a skipped record. Made when a line
    is read (:func:`change_of`): the model keeps the plan's own records, so a plan of
    thousands of lines adds no object per line to the window's heap (each one more for its
    garbage collector to walk: issue 16's event-loop gaps)."""

    op: str
    kind: str  # a summary kind (customers, employees, ...)
    name: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    source: Action | Skipped
    ref: str = ""  # the action's ref ("" for skipped records)

    @property
    def reason(self) -> str:
        """Why, in the current language (read again after a language change)."""
        return self.source.describe()


# a line of the preview as the model keeps it: the plan's own action or skipped record
Line = Action | Skipped

_NOTHING: Mapping[str, Any] = {}


def lines_of(plan: ImportPlan) -> list[Line]:
    """The preview's lines: the plan's actions, then its skipped records (one list)."""
    return [*plan.actions, *plan.skipped]


def line_op(line: Line) -> str:
    return "skip" if isinstance(line, Skipped) else line.op


def change_of(line: Line) -> Change:
    """The line as the model shows it (the action's own before and after: read, never
    changed)."""
    if isinstance(line, Skipped):
        return Change("skip", summary_kind(line.kind), line.name, _NOTHING, _NOTHING, line)
    return Change(line.op, line.summary_kind, line.label, line.before, line.after, line, line.ref)


def changes_of(plan: ImportPlan) -> list[Change]:
    return [change_of(line) for line in lines_of(plan)]


def count_lines(lines: list[Line]) -> tuple[dict[str, int], dict[str, int]]:
    """Lines per operation and per kind."""
    ops: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for line in lines:
        if isinstance(line, Skipped):
            op, kind = "skip", summary_kind(line.kind)
        else:
            op, kind = line.op, line.summary_kind
        ops[op] = ops.get(op, 0) + 1
        kinds[kind] = kinds.get(kind, 0) + 1
    return ops, kinds


def skipped_change(s: Skipped) -> Change:
    return change_of(s)


class Words(QObject):
    """The model's words (one place, so both models translate them the same way)."""

    def op(self, op: str) -> str:
        return {
            "create": self.tr("Create"),
            "update": self.tr("Update"),
            "restore": self.tr("Restore"),
            "archive": self.tr("Archive"),
            "link": self.tr("Link"),
            # a record left out of this import: put aside in the review ("Never import",
            # "Ask me next time") or not importable (the reason says which)
            "skip": self.tr("Not imported"),
        }.get(op, op)

    def kind(self, kind: str) -> str:
        """One record's kind: the words of every other screen (wizard.words)."""
        return kind_one(kind)

    def kinds(self, kind: str) -> str:
        return kind_name(kind)

    def yes_no(self, value: Any) -> str:
        return self.tr("Yes") if value else self.tr("No")

    def field(self, key: str) -> str:
        return {
            "name": self.tr("Name"),
            "first_name": self.tr("First name"),
            "last_name": self.tr("Last name"),
            "email": self.tr("Email"),
            "username": self.tr("Username"),
            "active": self.tr("Status"),
            "assigned_to_all": self.tr("Assigned to all team members"),
            "required": self.tr("Required on timesheets"),
            "address": self.tr("Address"),
            "time_off_code": self.tr("Time-off code"),
            "is_paid": self.tr("Paid"),
            "export_to_xero": self.tr("Sent to Xero Payroll when you send hours"),
            "notes": self.tr("Notes"),
        }.get(key, key.replace("_", " ").capitalize())

    def value(self, key: str, value: Any) -> str:
        if key == "active":
            return self.tr("Active") if value else self.tr("Archived")
        if isinstance(value, bool):
            return self.yes_no(value)
        if value is None or value == "":
            return "—"
        return str(value)

    def values(self, values: Mapping[str, Any], *, archive_note: bool = False) -> list[str]:
        """``values`` as "Field: value" parts, technical fields left out."""
        parts: list[str] = []
        address = [str(values[k]) for k in _ADDRESS if values.get(k)]
        if address:
            parts.append(
                self.tr("{field}: {value}").format(
                    field=self.field("address"), value=", ".join(address)
                )
            )
        for key, value in values.items():
            if key in _HIDDEN or key in _ADDRESS or key in ("children", "assignments"):
                continue
            parts.append(
                self.tr("{field}: {value}").format(
                    field=self.field(key), value=self.value(key, value)
                )
            )
        if archive_note:
            parts.extend(customer_archive_note(values))  # (the command line's words too)
        return parts


class ChangeTableModel(ListTableModel):
    """What, kind, name, before, after, why — one row per change or skipped record."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.words = Words(self)
        self._lines: list[Line] = []
        # the FILTER_ROLE text holds the line's words (a search is on)
        self.filter_words = False
        self._ops: dict[str, int] = {}  # lines per operation
        self._kinds: dict[str, int] = {}  # lines per kind

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.set_lines(lines_of(plan) if plan is not None else [])

    def set_lines(
        self, lines: list[Line], counts: tuple[dict[str, int], dict[str, int]] | None = None
    ) -> None:
        """Show these lines (``lines_of`` a plan and their ``count_lines``: a large plan's
        are counted in a worker)."""
        self.beginResetModel()
        self._lines = lines
        self._ops, self._kinds = counts if counts is not None else count_lines(lines)
        self.endResetModel()

    def changes(self) -> list[Change]:
        return [change_of(line) for line in self._lines]

    def names_of(self, op: str) -> list[str]:
        """The names of the lines of operation ``op``, in their order (no line made: the
        preview asks it of its thousands of lines as it opens)."""
        if op == "skip":
            return [line.name for line in self._lines if isinstance(line, Skipped)]
        return [line.label for line in self._lines if isinstance(line, Action) and line.op == op]

    def op_at(self, row: int) -> str | None:
        return line_op(self._lines[row]) if 0 <= row < len(self._lines) else None

    def op_counts(self) -> dict[str, int]:
        """How many lines per operation."""
        return dict(self._ops)

    def ops_and_kinds(self) -> tuple[list[str], list[str]]:
        """The operations and kinds the lines have (all of them when there are no lines)."""
        return (list(self._ops) or list(OPERATIONS)), (list(self._kinds) or list(SUMMARY_KINDS))

    def change_at(self, row: int) -> Change | None:
        return change_of(self._lines[row]) if 0 <= row < len(self._lines) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMNS - 1)
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, COLUMNS - 1))

    def headers(self) -> list[str]:
        return [
            self.tr("What"),
            self.tr("Kind"),
            self.tr("Name"),
            self.tr("Before"),
            self.tr("After"),
            self.tr("Why"),
        ]

    def before_text(self, c: Change) -> str:
        if c.op in ("create", "skip"):
            return "—"
        if c.op == "link":
            return self.tr("Not linked")
        parts = self.words.values(
            {k: v for k, v in c.before.items() if k in c.after or k == "active"}
        )
        return list_join(parts) or "—"

    def after_text(self, c: Change) -> str:
        if c.op == "skip":
            return self.tr("Not imported")
        if c.op == "link":
            extra = self.words.values(c.after)
            base = self.tr("Linked to the existing record")
            return list_join([base, *extra])
        if c.op == "archive":
            parts = [self.words.value("active", False)]
            note = self.words.values(
                {k: c.before.get(k) for k in ("children", "assignments")}, archive_note=True
            )
            return list_join(parts + note)
        return list_join(self.words.values(c.after)) or "—"

    def text(self, c: Change, column: int) -> str:
        if column == WHAT:
            return self.words.op(c.op)
        if column == KIND:
            return self.words.kind(c.kind)
        if column == NAME:
            return c.name or "—"
        if column == BEFORE:
            return self.before_text(c)
        if column == AFTER:
            return self.after_text(c)
        return c.reason

    # ------------------------------------------------------------------ Qt model API
    COLUMNS = COLUMNS

    def items(self) -> list[Any]:
        return self._lines

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        c = self.change_at(index.row()) if index.isValid() else None
        if c is None:
            return None
        column = index.column()
        archive = c.op == "archive"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(c, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.text(c, column)
            if column in (BEFORE, AFTER):
                return text.replace(list_separator(), "\n")
            if archive and column == WHAT:
                return self.tr(
                    "Archived in QuickBooks Time. Undo from the last page brings it back."
                )
            return text
        if role == Qt.ItemDataRole.BackgroundRole and archive:
            return QBrush(ARCHIVE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            if archive:
                return QBrush(ARCHIVE_FOREGROUND)
            if c.op == "skip":
                return QBrush(QColor("#555555"))
        if role == Qt.ItemDataRole.FontRole and column == WHAT and archive:
            font = QFont()
            font.setBold(True)
            return font
        if role == OP_ROLE:
            return c.op
        if role == REF_ROLE:
            return c.ref
        if role == FILTER_ROLE:
            if not self.filter_words:
                return c.op + _SEP
            return c.op + _SEP + fold(" ".join(self.text(c, col) for col in range(COLUMNS)))
        return None


class ChangeFilterModel(QSortFilterProxyModel):
    """Show one operation, every change (:data:`CHANGES`: the records not imported left out)
    or every line, and an optional text search.

    Filtered by Qt itself, on each line's :data:`FILTER_ROLE` text ("op", a separator, then
    the line's words folded when a search needs them), with a pattern: with no filter Qt
    asks no line anything. A ``filterAcceptsRow`` written in Python was called for each of
    the 13,000 lines of the 10,000-contact organisation's plan whenever they were shown
    (tens of milliseconds of the window's thread: issue 16's event-loop gaps)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._op: str | None = None
        self._text = ""
        self.setFilterRole(FILTER_ROLE)
        self.setFilterKeyColumn(0)

    def set_operation(self, op: str | None) -> None:
        """Show only ``op`` ("update" also shows restores, as the counts do)."""
        self.set_filter(op, None)

    def set_text(self, text: str) -> None:
        self.set_filter(self._op, text)

    def set_filter(self, op: str | None, text: str | None) -> None:
        """Both at once (``text`` None: unchanged); the rows are filtered again only when
        something changed (each time is a pass over every line)."""
        op = op or None
        folded = self._text if text is None else fold(text.strip())
        if op == self._op and folded == self._text:
            return
        self._op, self._text = op, folded
        model = self.sourceModel()
        if isinstance(model, ChangeTableModel):
            model.filter_words = bool(folded)  # the words only when they are searched
        self.setFilterRegularExpression(filter_pattern(op, folded))


def filter_pattern(op: str | None, folded: str) -> QRegularExpression:
    """The pattern a line's :data:`FILTER_ROLE` text must match to be shown; empty (every
    line, none asked) when there is no filter."""
    if not op and not folded:
        return QRegularExpression()
    if op == CHANGES:
        ops = f"(?!skip{_SEP})[^{_SEP}]*"
    elif op == "update":
        ops = "(?:update|restore)"  # as the counts do
    elif op:
        ops = QRegularExpression.escape(op)
    else:
        ops = f"[^{_SEP}]*"
    words = ".*" + QRegularExpression.escape(folded) if folded else ""
    return QRegularExpression(
        f"^{ops}{_SEP}{words}", QRegularExpression.PatternOption.DotMatchesEverythingOption
    )


class CountsModel(QAbstractTableModel):
    """Kinds (rows, only those with something to do) × create/update/archive/link/not
    imported, counted by the one rule (core.engine.report.ChangeCounts), and a last row with
    the totals: its changes add up to the headline, each column to its entry in the filter."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.words = Words(self)
        self._counts = ChangeCounts({}, {}, 0)
        self._kinds: list[str] = []

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.set_counts(change_counts(plan) if plan is not None else ChangeCounts({}, {}, 0))

    def set_counts(self, counts: ChangeCounts) -> None:
        """Show ``counts`` (made in a worker for a large plan)."""
        self.beginResetModel()
        self._counts = counts
        self._kinds = counts.kinds()
        self.endResetModel()

    def change_counts(self) -> ChangeCounts:
        return self._counts

    def count(self, kind: str, op: str) -> int:
        return self._counts.count(kind, op)

    def kinds(self) -> list[str]:
        return list(self._kinds)

    def _is_total(self, row: int) -> bool:
        return row == len(self._kinds)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COUNT_COLUMNS) - 1)
        if self._kinds:
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self._kinds))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or not self._kinds:
            return 0
        return len(self._kinds) + 1  # the kinds, then the totals

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COUNT_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        total_row = orientation == Qt.Orientation.Vertical and self._is_total(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return self.words.op(COUNT_COLUMNS[section][0])
            return self.tr("Total") if total_row else self.words.kinds(self._kinds[section])
        if role == Qt.ItemDataRole.FontRole and (
            total_row
            or (orientation == Qt.Orientation.Horizontal and COUNT_COLUMNS[section][0] == "archive")
        ):
            font = QFont()
            font.setBold(True)
            return font
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        total_row = self._is_total(index.row())
        op = COUNT_COLUMNS[index.column()][0]
        if total_row:
            n = self._counts.by_op(op)
        else:
            n = self.count(self._kinds[index.row()], op)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(n) if n else "–"
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            # the kind in words only for the roles that say it (the view asks every cell for
            # its font, colours and alignment too, several times as the grid is sized)
            what = self.tr("Total") if total_row else self.words.kinds(self._kinds[index.row()])
            return self.tr("{kind}: {operation} {count}").format(
                kind=what, operation=self.words.op(op), count=n
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and (total_row or (op == "archive" and n)):
            font = QFont()
            font.setBold(True)
            return font
        if op == "archive" and n:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(ARCHIVE_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(ARCHIVE_FOREGROUND)
        return None


__all__ = [
    "CHANGES",
    "OPERATIONS",
    "Change",
    "ChangeFilterModel",
    "ChangeTableModel",
    "CountsModel",
    "changes_of",
    "count_lines",
]
