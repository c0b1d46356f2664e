"""The small widgets every page and dialog shares: banner, heading, paragraph, tables,
non-blocking confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class Banner(QWidget):
    """A sentence on a coloured band: errors (with an optional action button) or notes."""

    STYLES: ClassVar[dict[str, str]] = {
        "error": "background:#fdecea; color:#611a15; border:1px solid #f5c2c0;",
        "warning": "background:#fff4e5; color:#663c00; border:1px solid #ffd699;",
        "info": "background:#e8f4fd; color:#0d3c61; border:1px solid #b6dcfb;",
        "success": "background:#edf7ed; color:#1e4620; border:1px solid #b7dfb9;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(self)
        self.button.hide()
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self._action: Callable[[], None] | None = None
        self._kind: str | None = None
        self.button.clicked.connect(self._clicked)
        self.hide()

    def _clicked(self) -> None:
        if self._action is not None:
            self._action()

    def show_message(
        self,
        text: str,
        kind: str = "error",
        *,
        action_text: str | None = None,
        action: Callable[[], None] | None = None,
    ) -> None:
        if kind != self._kind:  # a new style sheet polishes the banner again: only if needed
            self._kind = kind
            self.setStyleSheet(
                f"Banner {{ {self.STYLES[kind]} border-radius:4px; }}"
                f" QLabel {{ border:none; background:transparent; }}"
            )
            self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.label.setText(text)
        self.setAccessibleName(text)
        self._action = action
        if action_text and action:
            self.button.setText(action_text)
            self.button.show()
        else:
            self.button.hide()
        self.show()

    def clear(self) -> None:
        self._action = None
        self.hide()


def empty_state(parent: QWidget) -> tuple[QWidget, QLabel, QLabel]:
    """A "nothing here" panel (a heading and a sentence), for a page's stacked widget."""
    panel = QWidget(parent)
    layout = QVBoxLayout(panel)
    title = heading(parent=panel)
    text = paragraph(parent=panel)
    layout.addWidget(title)
    layout.addWidget(text)
    layout.addStretch(1)
    return panel, title, text


def heading(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def paragraph(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def ask(
    parent: QWidget,
    title: str,
    text: str,
    yes_text: str,
    no_text: str,
    on_yes: Callable[[], None],
    *,
    informative: str = "",
) -> QMessageBox:
    """A confirmation that does not block: ``on_yes`` runs if the user agrees.

    The default (Enter) is the safe answer; the box is returned (tests press its buttons).
    """
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

    def answered(button: Any) -> None:
        if button is yes:
            on_yes()

    box.buttonClicked.connect(answered)
    box.open()
    return box


def read_only_table(parent: QWidget, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    return table


#: Up to this many rows, rows grow to show wrapped text; beyond, one line each (elided, with
#: the whole text in a tooltip), so a large organisation's list stays fast.
WRAP_ROWS = 300


def fit_rows(table: QTableWidget) -> None:
    """Rows as tall as their wrapped text, also when the columns change width later."""
    wrap = table.rowCount() <= WRAP_ROWS
    table.setWordWrap(wrap)
    table.verticalHeader().setSectionResizeMode(
        QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed
    )


def cell(text: str, *, tooltip: bool = True, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if tooltip and text:
        item.setToolTip(text)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
