"""Shortcuts, screen-reader names and a large system font, over the Demo Company walk that the
screenshots take (wizard/screenshots.py): every page and dialog it shows, in English and in
French, with a 15-pt application font at the window's default size.

- No two visible controls of a page share an Alt+letter (the wizard's own buttons included):
  a shared letter only moves the focus between them.
- "Invoices sent" and the history: every table has a name and a label that is its buddy; each
  "Open in Xero" names the invoice it opens; Tab goes through the invoices, their buttons,
  then Undo.
- The billing, options, review and done pages at 15 pt: the header's subtitle is whole, the
  invoices' tree and tables show a few rows, the date fields and wrapped help are not
  squashed, no button is narrower than its text.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDateEdit,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabBar,
    QWidget,
    QWizard,
)

import core.app.context as context_module
import core.sandbox.server as server_module
import wizard.screenshots as shots
from tests.virtual_time import VirtualClock, use_virtual_clock

MNEMONIC = re.compile(r"(?<!&)&([^&\s])")
FONT_POINTS = 15

#: the shots of the pages whose fit at 15 pt this test holds (and their dialogs)
FIT_SHOTS = {
    "05-options",
    "06-review",
    "09-done",
    "10-bill-range",
    "10a-bill-sign-in-again",
    "11-bill-preview",
    "11b-bill-preview-update",
    "12-bill-result",
    "00c-history-billing",
}
#: the least lines of text a list shows on the billing pages (views named by accessible name)
LEAST_LINES = {
    "Invoices and their lines": 3,
    "Factures et leurs lignes": 3,
    "Invoices sent to Xero": 3,
    "Factures envoyées à Xero": 3,
    "To look at": 2,
    "À examiner": 2,
    "Hours not billed": 2,
    "Heures non facturées": 2,
}


@dataclass
class Walk:
    language: str
    shots: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    tab_orders: dict[str, list[str]] = field(default_factory=dict)
    open_names: dict[str, list[str]] = field(default_factory=dict)


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisible() and widget.isVisibleTo(top)


def _duplicates(top: QWidget) -> dict[str, list[str]]:
    letters: dict[str, list[str]] = {}
    for widget in top.findChildren(QWidget):
        if not _shown(widget, top):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton):
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            texts = [widget.text()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count())]
        for text in texts:
            for letter in MNEMONIC.findall(text or ""):
                letters.setdefault(letter.lower(), []).append(text)
    return {k: v for k, v in letters.items() if len(v) > 1}


def _tab_chain(start: QWidget, stop: QWidget) -> list[QWidget]:
    """The widgets Tab reaches from ``start`` up to ``stop`` (as QWidget.focusNextChild)."""
    chain = [start]
    widget = start.nextInFocusChain()
    while widget is not stop and widget is not start and len(chain) < 200:
        if (
            _shown(widget, start.window())
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    chain.append(widget)
    return chain


def _in_view(widget: QWidget) -> bool:
    """Whether ``widget`` is drawn in a list's cell (the list's own rows, not the page)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def _describe(widget: QWidget) -> str:
    return widget.accessibleName() or type(widget).__name__


def _fit(walk: Walk, top: QWidget, name: str) -> None:
    where = f"{walk.language} {name}"
    if isinstance(top, QWizard):
        page = top.currentPage()
        for label in top.findChildren(QLabel):
            if page.isAncestorOf(label) or not _shown(label, top):
                continue
            if label.text() == page.subTitle() and label.wordWrap():
                if label.heightForWidth(label.width()) > label.height():
                    walk.cut.append(f"{where}: the subtitle's last line {label.text()!r}")
    # the page's own widgets (not the list of steps beside it), and the window's buttons
    inside = top.currentPage() if isinstance(top, QWizard) else top
    for widget in top.findChildren(QWidget):
        if not _shown(widget, top):
            continue
        if not isinstance(widget, QPushButton) and not inside.isAncestorOf(widget):
            continue
        if isinstance(widget, QPushButton) and widget.text():
            if widget.width() < widget.sizeHint().width():
                walk.cut.append(
                    f"{where}: button {widget.text()!r} {widget.width()} px < its text's "
                    f"{widget.sizeHint().width()} px"
                )
        elif isinstance(widget, QDateEdit):
            if widget.height() < widget.sizeHint().height():
                walk.cut.append(f"{where}: date field {widget.height()} px high")
        elif (
            isinstance(widget, QLabel)
            and widget.wordWrap()
            and widget.text()
            and not _in_view(widget)
        ):
            if widget.heightForWidth(widget.width()) > widget.height() + 1:
                walk.cut.append(f"{where}: text cut {widget.text()[:50]!r}")
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            lines = LEAST_LINES.get(widget.accessibleName())
            least = (lines or 0) * widget.fontMetrics().height()
            if lines and widget.viewport().height() < least:
                walk.cut.append(
                    f"{where}: {widget.accessibleName()!r} {widget.viewport().height()} px high,"
                    f" less than {lines} lines ({least} px)"
                )
            first = widget.columnWidth(0) if lines else 0  # (the customer, the person)
            if lines and first < 10 * widget.fontMetrics().averageCharWidth():
                walk.cut.append(f"{where}: {widget.accessibleName()!r} first column {first} px")


def _names(walk: Walk, top: QWidget, name: str, tables: list, buttons: list, order: list) -> None:
    """``order``: the widgets Tab should go through, in order, from the first table."""
    where = f"{walk.language} {name}"
    for table in tables:
        if not table.accessibleName():
            walk.names.append(f"{where}: a table without a name")
        labels = [label for label in top.findChildren(QLabel) if label.buddy() is table]
        if not labels:
            walk.names.append(f"{where}: {table.accessibleName()!r} has no label as buddy")
    walk.open_names[name] = [b.accessibleName() for b in buttons]
    walk.tab_orders[name] = [_describe(w) for w in _tab_chain(order[0], order[-1])]
    walk.tab_orders[name + " expected"] = [_describe(w) for w in order]


def _walk(language: str) -> Walk:
    """The screenshots' walk in ``language`` (at 15 pt), each shot looked at, not drawn."""
    walk = Walk(language)
    clock = VirtualClock()  # the rate limits' waits pass at once
    open_sandbox = server_module.Sandbox.open.__func__
    create = context_module.AppContext.create.__func__

    def sandbox_open(cls, *args, **kwargs):
        kwargs.setdefault("clock", clock)
        return open_sandbox(cls, *args, **kwargs)

    def context_create(cls, *args, **kwargs):
        ctx = create(cls, *args, **kwargs)
        use_virtual_clock(ctx, clock)
        return ctx

    def shot(driver: shots.Driver, widget: QWidget, name: str, *, small: bool = True) -> None:
        driver.pump()
        walk.shots.append(name)
        for letter, texts in _duplicates(widget).items():
            walk.duplicates.append(f"{language} {name}: {letter!r} in {texts}")
        if name in FIT_SHOTS:
            _fit(walk, widget, name)
        if name == "12-bill-result":
            page = widget.currentPage()
            tables = [page.table, page.problems]
            buttons = [page.table.cellWidget(row, 4) for row in range(page.table.rowCount())]
            order = [page.table, *buttons, page.problems, page.undo_button]
            _names(walk, widget, name, tables, buttons, order)
        elif name == "00c-history-billing":
            tables = [widget.table, widget.invoices]
            buttons = [
                widget.invoices.cellWidget(row, 4) for row in range(widget.invoices.rowCount())
            ]
            order = [widget.table, widget.invoices, *buttons, widget.undo_button]
            _names(walk, widget, name, tables, buttons, order)

    saved_env = os.environ.get("XQB_HOME")
    mp = pytest.MonkeyPatch()
    mp.setattr(server_module.Sandbox, "open", classmethod(sandbox_open))
    mp.setattr(context_module.AppContext, "create", classmethod(context_create))
    mp.setattr(shots.Driver, "shot", shot)
    try:
        shots._run_language(Path("unused"), language)
    finally:
        mp.undo()
        home = os.environ.get("XQB_HOME")
        if home and home != saved_env and "xqb-shots-" in home:
            shutil.rmtree(home, ignore_errors=True)
        if saved_env is None:
            os.environ.pop("XQB_HOME", None)
        else:
            os.environ["XQB_HOME"] = saved_env
    return walk


@pytest.fixture(scope="module", params=["en", "fr"])
def walk(request, qapp):
    font = qapp.font()
    large = qapp.font()
    large.setPointSize(FONT_POINTS)
    QApplication.setFont(large)
    try:
        yield _walk(request.param)
    finally:
        QApplication.setFont(font)


def test_the_walk_shows_every_page(walk):
    for expected in FIT_SHOTS | {"20-payroll-period", "21-payroll-problems", "00a-history"}:
        assert expected in walk.shots


def test_no_page_shares_a_shortcut_letter(walk):
    assert walk.duplicates == []


def test_invoices_sent_and_history_name_their_tables_and_each_invoice(walk):
    assert walk.names == []
    for name in ("12-bill-result", "00c-history-billing"):
        opens = walk.open_names[name]
        assert opens, name
        assert len(set(opens)) == len(opens), opens  # each one its own words
        assert all("Xero" in words and "INV-" in words for words in opens), opens
        assert walk.tab_orders[name] == walk.tab_orders[name + " expected"], name


def test_billing_options_review_and_done_fit_a_large_font(walk):
    assert walk.cut == []
