"""The review's table model works out how alike and what is suggested once per conflict: the
view asks for every cell again and again (sizing thousands of rows on the window's thread),
and each answer is engine work (core.engine.review: names folded and compared)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt

import wizard.models.conflicts as conflicts_model
from core.engine.matching import Candidate, Conflict
from core.engine.review import ReviewRow
from wizard.models.conflicts import ConflictTableModel


def _rows(n: int) -> list[ReviewRow]:
    rows = []
    for i in range(n):
        cands = (
            Candidate(100 + i, f"Cafe Number {i}", 93.0, "similar", "similar"),
            Candidate(900 + i, f"Café Number {i} Pty", 91.0, "similar", "similar"),
        )
        conflict = Conflict("customer", f"x{i}", f"Cafe Numbr {i}", "near_match", cands, f"f{i}")
        rows.append(ReviewRow(conflict, None, False))
    return rows


def test_each_conflict_is_judged_once_however_often_the_view_asks(qapp, monkeypatch):
    calls: Counter[str] = Counter()
    real_likeness, real_suggestion = conflicts_model.likeness, conflicts_model.suggestion

    def counted_likeness(conflict, cand):
        calls["likeness"] += 1
        return real_likeness(conflict, cand)

    def counted_suggestion(conflict):
        calls["suggestion"] += 1
        return real_suggestion(conflict)

    monkeypatch.setattr(conflicts_model, "likeness", counted_likeness)
    monkeypatch.setattr(conflicts_model, "suggestion", counted_suggestion)
    model = ConflictTableModel()
    model.set_rows(_rows(40))
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    first = None
    for _ in range(3):  # the view sizing, painting, sorting…
        shown = [
            model.data(model.index(r, c), role)
            for r in range(model.rowCount())
            for c in range(model.columnCount())
            for role in roles
        ]
        first = first or shown
        assert shown == first
    # the best candidate's likeness (match column) and each candidate's (tooltip): once each
    assert calls["likeness"] == 40 * 2
    assert calls["suggestion"] == 40
    model.set_rows(_rows(40))  # new rows: judged again
    model.data(model.index(0, conflicts_model.MATCH), Qt.ItemDataRole.DisplayRole)
    assert calls["likeness"] == 40 * 2 + 1


def test_sorting_asks_each_row_once_per_column_and_keeps_the_order(qapp, monkeypatch):
    from wizard.models.conflicts import KEY_ROLE, ConflictFilterModel

    model = ConflictTableModel()
    rows = _rows(300)
    model.set_rows(rows)
    asked: Counter[int] = Counter()
    real_key = model.key_of

    def counted_key(row: ReviewRow, place: int, column: int):
        asked[column] += 1
        return real_key(row, place, column)

    monkeypatch.setattr(model, "key_of", counted_key)
    proxy = ConflictFilterModel()
    proxy.setSourceModel(model)
    for column in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            proxy.sort(column, order)
            shown = [proxy.index(i, 0).data(KEY_ROLE) for i in range(proxy.rowCount())]
            expected = sorted(range(300), key=lambda p: real_key(rows[p], p, column))
            if order == Qt.SortOrder.DescendingOrder:
                expected.reverse()
            assert shown == [rows[p].key for p in expected]
        assert asked[column] == 300  # once per row, not once per comparison
    model.set_rows(_rows(300))  # new rows: their order worked out again
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert asked[0] == 600


def test_sorting_makes_no_call_per_comparison(qapp, monkeypatch):
    """Issue 16: the list is sorted by one Python sort of its keys, not by Qt comparing rows
    n log n times, each comparison a round of calls from Qt into Python (the 687 records of
    the 10,000-contact organisation: tens of milliseconds of the window's thread at every
    load). Counted: the calls Qt makes into the model while the list is sorted and shown."""
    from wizard.models.conflicts import KEY_ROLE, ConflictFilterModel

    model = ConflictTableModel()
    proxy = ConflictFilterModel()
    proxy.setSourceModel(model)
    proxy.sort(conflicts_model.XERO, Qt.SortOrder.DescendingOrder)
    calls: Counter[str] = Counter()
    for name in ("rowCount", "columnCount"):
        real = getattr(model, name)

        def counted(*args, real=real, name=name):
            calls[name] += 1
            return real(*args)

        monkeypatch.setattr(model, name, counted)
    rows = _rows(700)
    model.set_rows(rows)
    assert proxy.rowCount() == 700
    # a few per row at most (the filter's pass), never one per comparison (~6,000 here)
    assert calls["rowCount"] + calls["columnCount"] < 2 * 700, calls
    shown = [proxy.index(i, 0).data(KEY_ROLE) for i in range(proxy.rowCount())]
    names = sorted(((r.conflict.xero_name, i) for i, r in enumerate(rows)), reverse=True)
    assert shown == [rows[i].key for _name, i in names]


def test_a_row_moved_by_a_new_decision_keeps_the_selection(qapp):
    """Sorted by decision, a decision moves its row: the row stays selected (the list is
    reordered, not reset), as when the filter model sorted by itself."""
    from PySide6.QtWidgets import QTableView

    from core.engine.review import ReviewRow
    from wizard.models.conflicts import DECISION, KEY_ROLE, ConflictFilterModel

    model = ConflictTableModel()
    proxy = ConflictFilterModel()
    proxy.setSourceModel(model)
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(DECISION, Qt.SortOrder.AscendingOrder)
    rows = _rows(5)
    model.set_rows(rows)
    table.setCurrentIndex(proxy.index(0, 0))
    chosen = proxy.index(0, 0).data(KEY_ROLE)
    decided = [
        ReviewRow(r.conflict, _decision(r.conflict), False) if r.key == chosen else r for r in rows
    ]
    model.set_rows(decided)  # the same records: updated in place, the decided one last
    keys = [proxy.index(i, 0).data(KEY_ROLE) for i in range(proxy.rowCount())]
    assert keys[-1] == chosen
    assert table.currentIndex().row() == 4
    assert table.currentIndex().data(KEY_ROLE) == chosen


def _decision(conflict):
    from types import SimpleNamespace

    return SimpleNamespace(action="create", target_qbt_id=None, new_name=None)


def test_only_a_short_list_has_rows_fitted_to_their_texts(qapp):
    """Rows fitted to their texts are all measured again whenever the width changes (every
    cell of every row asked, on the window's thread): the review of a large organisation
    (150 records and far more) has two-line rows; the Demo Company's short lists keep rows
    as tall as their texts."""
    from PySide6.QtWidgets import QHeaderView

    from wizard.models.conflicts import ConflictFilterModel
    from wizard.pages.review import ReviewTable

    for count, mode in (
        (40, QHeaderView.ResizeMode.ResizeToContents),
        (150, QHeaderView.ResizeMode.Fixed),
        (4000, QHeaderView.ResizeMode.Fixed),
    ):
        model = ConflictTableModel()
        proxy = ConflictFilterModel()
        proxy.setSourceModel(model)
        table = ReviewTable()
        table.setModel(proxy)
        model.set_rows(_rows(count))
        table.fit_rows()
        assert table.verticalHeader().sectionResizeMode(0) == mode, count


def test_a_click_on_a_title_sorts_by_its_column(qapp, qtbot):
    """The view's sorting reaches the table model through the filter model: a click on a
    column's title sorts by it, a second one the other way; a search keeps the order."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QTableView

    from wizard.models.conflicts import KEY_ROLE, KIND, XERO, ConflictFilterModel

    model = ConflictTableModel()
    proxy = ConflictFilterModel()
    proxy.setSourceModel(model)
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(KIND, Qt.SortOrder.AscendingOrder)
    table.resize(900, 400)
    table.show()
    qtbot.waitExposed(table)
    rows = _rows(30)
    model.set_rows(rows)
    assert [proxy.index(i, 0).data(KEY_ROLE) for i in range(30)] == [r.key for r in rows]
    header = table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(XERO) + header.sectionSize(XERO) // 2, 5)
    by_name = sorted(rows, key=lambda r: r.conflict.xero_name)
    for expected in (by_name, by_name[::-1]):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
        assert [proxy.index(i, 0).data(KEY_ROLE) for i in range(30)] == [r.key for r in expected]
    proxy.set_text("numbr 1")  # 1, 10-19, in the order shown
    shown = [proxy.index(i, 0).data(KEY_ROLE) for i in range(proxy.rowCount())]
    assert shown == [
        r.key for r in by_name[::-1] if r.conflict.xero_name.startswith("Cafe Numbr 1")
    ]
