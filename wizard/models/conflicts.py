"""The conflict review table: one row per conflict, with its saved decision; and its filter.

Texts come from core already translated (``Conflict.describe()``, ``Candidate.describe()``);
the model's own words go through ``self.tr`` and are re-read when the language changes
(:meth:`ConflictTableModel.retranslate`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from core.engine.matching import Candidate, Conflict
from core.engine.review import ReviewRow, likeness, suggestion
from wizard.models.base import ListTableModel
from wizard.words import ask_next_time, never_import

KIND, XERO, CANDIDATE, MATCH, REASON, DECISION = range(6)
COLUMNS = 6

#: the order kinds are listed in (filter combo, sorting by kind)
KIND_ORDER = (
    "customer",
    "location",
    "employee",
    "item",
    "tracking_category",
    "tracking_option",
    "leave_type",
)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
STATE_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


#: spaces that look like a space but never break a line: in the list they wrap like one
#: (the details mark them as a difference)
_UNBREAKABLE = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2060": ""})


def shown(name: str) -> str:
    """A name as the list shows it: it may wrap at any space, even a no-break one."""
    return name.translate(_UNBREAKABLE)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for searching ("eclair" finds "Éclair")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class ConflictTableModel(ListTableModel):
    """Kind, Xero value, QuickBooks Time candidate, how alike in words, reason, decision
    (or the suggested one).

    Sorted here (:meth:`sort`, which the filter model passes on): one Python sort of each
    row's key, worked out once per row and column. A QSortFilterProxyModel sorting by
    itself asks ``lessThan`` n log n times, each a round of calls from Qt into Python
    (rowCount, columnCount, the ranks): 687 records took tens of milliseconds of the
    window's thread at every load (issue 16's event-loop gaps)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # the rows as given (their place there ends each sort key: equal keys keep it)
        self._given: list[ReviewRow] = []
        # the rows as shown: ``_given`` in the order of the sort
        self._rows: list[ReviewRow] = []
        # the sort (column, order); None: as given
        self._sort: tuple[int, Qt.SortOrder] | None = None
        # How alike and what is suggested, worked out once per shown conflict: the view asks
        # for every cell again and again (sizing thousands of rows), on the window's thread.
        self._likeness: dict[tuple[int, int], str] = {}
        self._suggestion: dict[int, Any] = {}
        # each given row's sort key in each column, worked out once
        self._keys: dict[int, list[Any]] = {}

    def _likeness_of(self, conflict: Conflict, cand: Candidate) -> str:
        key = (id(conflict), id(cand))
        code = self._likeness.get(key)
        if code is None:
            code = self._likeness[key] = likeness(conflict, cand)
        return code

    def _suggestion_of(self, conflict: Conflict) -> Any:
        key = id(conflict)
        if key not in self._suggestion:
            self._suggestion[key] = suggestion(conflict)
        return self._suggestion[key]

    # ------------------------------------------------------------------ words
    def kind_label(self, kind: str) -> str:
        labels = {
            "customer": self.tr("Customer"),
            "employee": self.tr("Team member"),
            "item": self.tr("Item"),
            "tracking_category": self.tr("Custom field"),
            "tracking_option": self.tr("Custom field value"),
            "leave_type": self.tr("Time off"),
            "location": self.tr("Location"),
        }
        return labels.get(kind, kind)

    def headers(self) -> list[str]:
        return [
            self.tr("Kind"),
            self.tr("Xero"),
            self.tr("QuickBooks Time"),
            self.tr("Match"),
            self.tr("Why"),
            self.tr("Decision"),
        ]

    @staticmethod
    def candidate_by_id(conflict: Conflict, qbt_id: int | None) -> Candidate | None:
        return next((c for c in conflict.candidates if c.qbt_id == qbt_id), None)

    def candidate_text(self, cand: Candidate) -> str:
        text = cand.name
        if cand.archived:
            text = self.tr("{name} (archived)").format(name=text)
        return text

    def likeness_text(self, code: str) -> str:
        """A candidate's likeness (core.engine.review.likeness) in plain words."""
        words = {
            "same_name": self.tr("Same name"),
            "same_name_no_email": self.tr("Same name, one without e-mail"),
            "same_name_other_email": self.tr("Same name, different e-mail"),
            "same_email": self.tr("Same e-mail, other name"),
            "cut_short": self.tr("Same name, cut short"),
            "numbered_copy": self.tr("Same name with a number"),
            "similar_name": self.tr("Similar name"),
        }
        return words.get(code, self.tr("Similar name"))

    def match_text(self, conflict: Conflict) -> str:
        if not conflict.candidates:
            return self.tr("Nothing similar")
        return self.likeness_text(self._likeness_of(conflict, conflict.candidates[0]))

    def suggestion_text(self, conflict: Conflict) -> str:
        """The suggested action in words, "" when a person must decide."""
        s = self._suggestion_of(conflict)
        if s is None:
            return ""
        if s.action == "create":
            return self.tr("Suggested: create new")
        return self.tr("Suggested: link")

    def decision_text(self, row: ReviewRow) -> str:
        d = row.decision
        if row.state == "reopened":
            return self.tr("Decide again: the data changed")
        if d is None or row.stale:
            return self.suggestion_text(row.conflict) or self.tr("Your choice")
        if d.action == "link":
            cand = self.candidate_by_id(row.conflict, d.target_qbt_id)
            if cand is not None:
                return self.tr("Link to “{name}”").format(name=cand.name)
            return self.tr("Link to record {number}").format(number=d.target_qbt_id)
        if d.action == "restore_link":
            cand = self.candidate_by_id(row.conflict, d.target_qbt_id)
            if cand is not None:
                return self.tr("Restore and link to “{name}”").format(name=cand.name)
            return self.tr("Restore and link to record {number}").format(number=d.target_qbt_id)
        if d.action == "create":
            return self.tr("Create new")
        if d.action == "skip":
            return never_import()
        if d.action == "rename":
            return self.tr("Create as “{name}”").format(name=d.new_name or "")
        return ask_next_time()

    def reason_text(self, conflict: Conflict) -> str:
        """How the best candidate differs ("differs only by accents"); a name that is only
        similar is said in the Match column, so here the problem (no score)."""
        if conflict.problem == "near_match" and conflict.candidates:
            best = conflict.candidates[0]
            if best.reason_code != "similar":
                return best.describe()
        return conflict.describe()

    def reason_tooltip(self, conflict: Conflict) -> str:
        lines = [conflict.describe()]
        for cand in conflict.candidates:
            lines.append(
                self.tr("“{name}” — {likeness}, {reason}").format(
                    name=cand.name,
                    likeness=self.likeness_text(self._likeness_of(conflict, cand)),
                    reason=cand.describe(),
                )
            )
        return "\n".join(lines)

    def best_text(self, conflict: Conflict) -> str:
        if not conflict.candidates:
            return self.tr("No similar record")
        text = self.candidate_text(conflict.candidates[0])
        more = len(conflict.candidates) - 1
        if more:
            text = self.tr("{name} (+{count} more)").format(name=text, count=more)
        return text

    # ------------------------------------------------------------------ rows
    def rows(self) -> list[ReviewRow]:
        return list(self._rows)

    def row_at(self, row: int) -> ReviewRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: tuple[str, str]) -> int:
        for i, r in enumerate(self._rows):
            if r.key == key:
                return i
        return -1

    def set_rows(self, rows: Sequence[ReviewRow]) -> None:
        """Show ``rows`` (sorted as the list is); when they are the same conflicts (new
        decisions), update in place so the selection stays, moving the rows whose place in
        the order changed (a decision sorted by)."""
        rows = list(rows)
        self._likeness.clear()  # keyed by the shown objects: new rows, new answers
        self._suggestion.clear()
        self._keys.clear()
        if [r.key for r in rows] == [r.key for r in self._given] and rows:
            self._given = rows
            self._show_in_order(in_place=True)
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, COLUMNS - 1))
            return
        self.beginResetModel()
        self._given = rows
        self._rows = self._ordered()
        self.endResetModel()

    def retranslate(self) -> None:
        self._keys.clear()  # the words sorted by changed
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMNS - 1)
        if self._rows:
            self._show_in_order(in_place=False)
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMNS - 1))

    # ------------------------------------------------------------------ order
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by ``column`` (keys: :meth:`sort_key`); a layout change, so the
        selection follows its row."""
        self._sort = (column, order) if 0 <= column < COLUMNS else None
        self._show_in_order(in_place=False)

    def _ordered(self) -> list[ReviewRow]:
        """``_given`` in the order of the sort."""
        if self._sort is None or not self._given:
            return list(self._given)
        column, order = self._sort
        keys = self._keys.get(column)
        if keys is None or len(keys) != len(self._given):
            keys = self._keys[column] = [
                self.key_of(row, place, column) for place, row in enumerate(self._given)
            ]
        places = sorted(
            range(len(keys)),
            key=keys.__getitem__,
            reverse=order == Qt.SortOrder.DescendingOrder,  # keys are unique: the exact reverse
        )
        return [self._given[p] for p in places]

    def _show_in_order(self, *, in_place: bool) -> None:
        rows = self._ordered()
        if [r.key for r in rows] == [r.key for r in self._rows]:
            if in_place:
                self._rows = rows
            return
        self.layoutAboutToBeChanged.emit()
        place = {r.key: i for i, r in enumerate(rows)}
        old = self.persistentIndexList()
        new = [
            self.index(place[self._rows[i.row()].key], i.column())
            if 0 <= i.row() < len(self._rows) and self._rows[i.row()].key in place
            else QModelIndex()
            for i in old
        ]
        self._rows = rows
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # ------------------------------------------------------------------ Qt model API
    COLUMNS = COLUMNS

    def items(self) -> list[Any]:
        return self._rows

    def text(self, row: ReviewRow, column: int) -> str:
        c = row.conflict
        if column == KIND:
            return self.kind_label(c.kind)
        if column == XERO:
            return shown(c.xero_name.strip()) or self.tr("(no name)")
        if column == CANDIDATE:
            return shown(self.best_text(c))
        if column == MATCH:
            return self.match_text(c)
        if column == REASON:
            return self.reason_text(c)
        return self.decision_text(row)

    def sort_key(self, row: int, column: int) -> Any:
        """The key the shown row ``row`` sorts by in ``column``."""
        r = self._rows[row]
        return self.key_of(r, next(i for i, g in enumerate(self._given) if g is r), column)

    def key_of(self, r: ReviewRow, place: int, column: int) -> Any:
        """The key ``r`` (``place`` in the rows as given) sorts by in ``column``: unique, the
        place ends it."""
        c = r.conflict
        if column == KIND:
            order = KIND_ORDER.index(c.kind) if c.kind in KIND_ORDER else len(KIND_ORDER)
            return (order, place)
        if column == MATCH:
            return (-(c.candidates[0].score if c.candidates else -1.0), place)
        if column == DECISION:
            rank = {"undecided": 0, "reopened": 1, "decided": 2}[r.state]
            return (rank, fold(self.decision_text(r)), place)
        return (fold(self.text(r, column)), place)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == REASON:
                return self.reason_tooltip(row.conflict)
            if column == CANDIDATE and row.conflict.candidates:
                return "\n".join(self.candidate_text(c) for c in row.conflict.candidates)
            return self.text(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.FontRole and column == DECISION and not row.decided:
            font = QFont()
            font.setItalic(True)
            return font
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == DECISION
            and row.state == "reopened"
        ):
            return QBrush(QColor("#8a4b00"))
        if role == SORT_ROLE:
            return self.sort_key(index.row(), column)
        if role == KEY_ROLE:
            return row.key
        if role == STATE_ROLE:
            return row.state
        return None


class ConflictFilterModel(QSortFilterProxyModel):
    """Text search (accent- and case-insensitive), one kind, and "hide decided"."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._kind: str | None = None
        self._hide_decided = False

    def source(self) -> ConflictTableModel:
        return self.sourceModel()  # type: ignore[return-value]

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = fold(text.strip())
        self.endFilterChange()

    def set_kind(self, kind: str | None) -> None:
        self.beginFilterChange()
        self._kind = kind or None
        self.endFilterChange()

    def set_hide_decided(self, hide: bool) -> None:
        self.beginFilterChange()
        self._hide_decided = hide
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.source()
        row = model.row_at(source_row)
        if row is None:
            return False
        if self._hide_decided and row.decided:
            return False
        if self._kind and row.conflict.kind != self._kind:
            return False
        if self._text:
            haystack = " ".join(
                [
                    row.conflict.xero_name,
                    *(c.name for c in row.conflict.candidates),
                    model.reason_text(row.conflict),
                    model.decision_text(row),
                    model.kind_label(row.conflict.kind),
                ]
            )
            return self._text in fold(haystack)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the table model (:meth:`ConflictTableModel.sort`): this model only
        filters, keeping the table model's order."""
        self.source().sort(column, order)
