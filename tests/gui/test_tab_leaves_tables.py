"""Keyboard-only use of the review and preview pages: Tab and Shift+Tab leave every table of
these pages for the next or previous control (Tab moved from cell to cell and wrapped inside
the table: a keyboard user could not get out); the arrow keys still move inside."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.app.sync import load_options

from .test_review_preview import BONDI, open_preview, open_review, search_and_enter


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    assert widget.hasFocus()
    qtbot.keyClick(widget, key, modifier)


def focused():
    return QApplication.focusWidget()


def test_tab_leaves_the_review_list_and_the_comparison(connected_env, host, qtbot):
    _state, _wiz, page, _conn = open_review(connected_env, host, qtbot)
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    search_and_enter(page, qtbot, "bondi beach")
    assert page.current_row().conflict.xero_name == BONDI
    assert page.candidates.isVisible() and page.compare.isVisible()

    # the list: Tab to the candidates, Shift+Tab back to "Hide decided"
    press(qtbot, page.table, Qt.Key.Key_Tab)
    assert focused() is page.candidates
    press(qtbot, page.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is page.hide_decided

    # the comparison: Tab to the first decision button, Shift+Tab back to the candidates
    press(qtbot, page.compare, Qt.Key.Key_Tab)
    assert focused() is page.link_button
    press(qtbot, page.compare, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is page.candidates

    # the arrow keys still move inside the list
    page.search.clear()
    page.table.setFocus()
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 1


def test_tab_leaves_the_preview_summary_and_list(connected_env, host, qtbot):
    _ctx, _box, _t, conn = connected_env
    options = load_options(conn).with_values(archive_unmatched=True)
    _state, _wiz, page, _conn = open_preview(connected_env, host, qtbot, options)
    assert page.loaded and page.proxy.rowCount() > 2

    # the summary: Tab to the filter, Shift+Tab to what comes before it (not a cell of it)
    press(qtbot, page.counts, Qt.Key.Key_Tab)
    assert focused() is page.filter_combo
    press(qtbot, page.counts, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is not page.counts

    # the list of changes: Shift+Tab back to the search, Tab out to the next control
    press(qtbot, page.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is page.search
    press(qtbot, page.table, Qt.Key.Key_Tab)
    assert focused() is not page.table

    # the arrow keys still move inside the list
    page.table.setFocus()
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 1
