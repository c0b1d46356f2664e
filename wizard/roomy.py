"""Room for a large system font (15 pt and more) in the window's default and minimum sizes:
a page's content in a scroll area rather than squashed, lists and tables never shorter than a
few rows, and a row of buttons that wraps onto a second line rather than cutting their words.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)


def scrolled(parent: QWidget, into: QBoxLayout, stretch: int = 1) -> QVBoxLayout:
    """A scroll area added to ``into``; returns the layout of its content. The content fills
    the area while it has room, and scrolls (vertically) once its minimum height does not
    fit: its widgets keep their minimum sizes instead of being squashed."""
    content = QWidget(parent)
    layout = QVBoxLayout(content)
    layout.setContentsMargins(0, 0, 0, 0)
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    into.addWidget(area, stretch)
    return layout


def row_height(view: QAbstractItemView) -> int:
    """The height of one line of text in ``view``'s rows (its font, the style's margins)."""
    return view.fontMetrics().height() + 8


def at_least_rows(view: QAbstractItemView, rows: int) -> None:
    """``view`` is never shorter than its header and ``rows`` rows (and a horizontal scroll
    bar): with a large font it does not shrink to nothing, the page scrolls instead."""
    header = None
    if isinstance(view, QTreeView):
        header = view.header()
    elif isinstance(view, QTableView):
        header = view.horizontalHeader()
    head = header.sizeHint().height() if header is not None and not header.isHidden() else 0
    bar = view.horizontalScrollBar().sizeHint().height()
    view.setMinimumHeight(head + rows * row_height(view) + bar + 2 * view.frameWidth())


class WrapRow(QLayout):
    """Buttons side by side, wrapping onto more lines when the row is too narrow for them:
    each keeps the width its text needs. On one line, the items from ``right_from`` on go to
    the right end (as after a stretch)."""

    def __init__(self, parent: QWidget | None = None, *, right_from: int | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.right_from = right_from
        self.setContentsMargins(0, 0, 0, 0)

    # QLayout
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        shown = self._shown()
        gap = self._gap()
        width = sum(i.sizeHint().width() for i in shown) + gap * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:
        shown = self._shown()
        width = max((i.sizeHint().width() for i in shown), default=0)  # never cut a text
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height)

    # placing
    def _gap(self) -> int:
        gap = self.spacing()
        return gap if gap >= 0 else 6

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _place(self, rect: QRect, *, move: bool) -> int:
        shown = self._shown()
        if not shown:
            return 0
        gap = self._gap()
        one_line = self.sizeHint().width() <= rect.width()
        x, y, line_height = rect.x(), rect.y(), 0
        for item in shown:
            hint = item.sizeHint()
            if not one_line and x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y = rect.x(), y + line_height + gap
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        if move and one_line and self.right_from is not None:
            rest = [i for i in self._items[self.right_from :] if not i.isEmpty()]
            right = rect.right() + 1
            for item in reversed(rest):
                hint = item.sizeHint()
                right -= hint.width()
                item.setGeometry(QRect(QPoint(right, rect.y()), hint))
                right -= gap
        return y + line_height - rect.y()


def readable_columns(view: QAbstractItemView, chars: int = 12) -> None:
    """No column of ``view`` narrower than about ``chars`` characters: a stretched column
    (the customer's name) next to columns sized to their contents keeps its words with a
    large font; the view scrolls sideways instead."""
    header = view.header() if isinstance(view, QTreeView) else None
    if isinstance(view, QTableView):
        header = view.horizontalHeader()
    if header is not None:
        header.setMinimumSectionSize(view.fontMetrics().averageCharWidth() * chars)
