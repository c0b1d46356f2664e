"""The small widgets every page and dialog shares: banner, heading, paragraph, tables,
non-blocking confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QResizeEvent
    from PySide6.QtWidgets import QMessageBox, QTableWidget, QTableWidgetItem

# QStyle, QMessageBox, the tables and the style painter are imported where they are used, and
# so is Qt's namespace (``Qt``): making their Python classes (QStyle's many enums; the ~120
# enums of Qt's namespace, ~17 ms, all made at its first use) is not on the way to a first
# run's first page (issue 16). Widgets made on that way set enum properties by their key
# (``set_enum``) instead.


class AfterFirstPaint(QObject):
    """Calls ``then`` once ``widget`` has been painted a first time, on the next turn of the
    event loop (that paint done), and only once. ``at_most_ms``: at the latest then, painted
    or not (a window started minimised). Work the first paint does not need waits for it
    (issue 16): the welcome page's list of countries, the window's icon."""

    def __init__(
        self, widget: QWidget, then: Callable[[], None], *, at_most_ms: int | None = None
    ) -> None:
        super().__init__(widget)
        self._widget, self._then = widget, then
        self._called = False
        widget.installEventFilter(self)
        if at_most_ms is not None:
            QTimer.singleShot(at_most_ms, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self._call)
        return False

    def _call(self) -> None:
        if not self._called:
            self._called = True
            self._widget.removeEventFilter(self)
            self._then()


def set_enum(obj: QObject, name: str, key: str) -> None:
    """Set the enum (or flags) property ``name`` of ``obj`` by its key ("PlainText",
    "TextSelectableByMouse"): Qt converts it, and Qt's namespace is not made in Python."""
    if not obj.setProperty(name, key):
        raise ValueError(f"{type(obj).__name__} has no property {name} taking {key!r}")


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
        set_enum(self.label, "textInteractionFlags", "TextSelectableByMouse")
        self.button = QPushButton(self)
        self.button.hide()
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0)  # at the top, once a message first shows it
        self._layout = layout
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
        from PySide6.QtCore import Qt

        if self._kind is None:  # the first message (not made while the page is)
            self._layout.setAlignment(self.button, Qt.AlignmentFlag.AlignTop)
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
    set_enum(label, "textFormat", "PlainText")
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
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

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
    from PySide6.QtWidgets import QAbstractItemView, QTableWidget

    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside
    table.setWordWrap(True)
    set_enum(table, "textElideMode", "ElideRight")  # not Qt's namespace: the home page's list
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    return table


#: Up to this many rows, rows grow to show wrapped text; beyond, one line each (elided, with
#: the whole text in a tooltip), so a large organisation's list stays fast.
WRAP_ROWS = 300


def fit_rows(table: QTableWidget) -> None:
    """Rows as tall as their wrapped text, also when the columns change width later."""
    from PySide6.QtWidgets import QHeaderView

    wrap = table.rowCount() <= WRAP_ROWS
    table.setWordWrap(wrap)
    table.verticalHeader().setSectionResizeMode(
        QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed
    )


def cell(text: str, *, tooltip: bool = True, align_right: bool = False) -> QTableWidgetItem:
    from PySide6.QtWidgets import QTableWidgetItem

    item = QTableWidgetItem(text)
    if tooltip and text:
        item.setToolTip(text)
    if align_right:
        from PySide6.QtCore import Qt

        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


# ---------------------------------------------------------------------------- the way forward
#: The look of the one primary button of a page (its main action, else Next): filled with
#: the palette's highlight, bold, a little taller. Set by the dynamic property "primary".
PRIMARY_STYLE = (
    'QPushButton[primary="true"] { background: palette(highlight); color: palette(highlighted-text);'
    " font-weight: bold; border: 1px solid palette(dark); border-radius: 4px;"
    " padding: 5px 16px; }"
    ' QPushButton[primary="true"]:disabled { background: palette(button);'
    " color: palette(mid); font-weight: normal; }"
)


def set_primary(button: QPushButton, primary: bool) -> None:
    """Mark ``button`` as the page's primary button (or not) and draw it again."""
    if bool(button.property("primary")) == primary:
        return
    button.setProperty("primary", primary)
    # Polished already: polished again. Not yet (its window not shown): Qt only notes the
    # style again, and the rule applies when it is polished (asking which, testAttribute,
    # would make Qt's namespace on the way to the first page).
    repolish(button)
    button.update()


def repolish(widget: QWidget) -> None:
    """Apply the style sheets again to ``widget`` after a dynamic property they select on
    changed. Its own style sheet set again (the same, often none) makes Qt polish it again,
    as ``widget.style().unpolish/polish`` does, without making QStyle's Python class (its
    many enums: ~13 ms, on the way to the first page when the window opens)."""
    widget.setStyleSheet(widget.styleSheet())


def big_button(text: str = "", parent: QWidget | None = None) -> QPushButton:
    """A page's main action ("Connect to Xero"): larger than the other buttons."""
    button = QPushButton(text, parent)
    font = button.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    button.setFont(font)
    button.setMinimumHeight(button.sizeHint().height() + 12)
    button.setMinimumWidth(200)
    return button


class StepList(QFrame):
    """The list of steps beside the pages: done steps ticked, the current one marked and
    bold on a highlighted band, the others numbered. Marks and words, not colour alone;
    each line's accessible name says its state. A QFrame (no frame drawn): its style
    sheet's background is drawn without setting WA_StyledBackground (Qt's namespace)."""

    MARKS: ClassVar[dict[str, str]] = {"done": "\u2713", "current": "\u25b6", "todo": ""}
    WIDE, NARROW = 160, 46  # a small window keeps only the marks and numbers (names in tips)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StepList")
        self.setStyleSheet(
            "#StepList { background: palette(base); border-right: 1px solid palette(mid); }"
            ' QLabel[mark="current"] { background: palette(highlight);'
            " color: palette(highlighted-text); border-radius: 3px; }"
        )
        self.compact = False
        self.setFixedWidth(self.WIDE)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 12, 8, 12)
        self._layout.setSpacing(2)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self._layout.addWidget(self.title)
        self.labels: list[QLabel] = []
        self._layout.addStretch(1)
        self.marks: list[str] = []
        self._shown: tuple[str, list[tuple[str, str]], dict[str, str]] | None = None

    def set_compact(self, compact: bool) -> None:
        """Marks and numbers only (a small window: the pages keep their room), or names."""
        if compact == self.compact:
            return
        self.compact = compact
        self.setFixedWidth(self.NARROW if compact else self.WIDE)
        self._layout.setContentsMargins(4 if compact else 8, 12, 4 if compact else 8, 12)
        if self._shown is not None:
            self.show_steps(*self._shown)

    def show_steps(self, title: str, steps: list[tuple[str, str]], states: dict[str, str]) -> None:
        """``steps``: (name, mark) with mark "done", "current" or "todo"; ``states``: the
        translated words for each mark (read by screen readers)."""
        self._shown = (title, steps, states)
        self.setAccessibleName(title)
        self.title.setText(title)
        self.title.setVisible(not self.compact)
        while len(self.labels) < len(steps):
            label = QLabel(self)
            label.setWordWrap(True)
            label.setContentsMargins(4, 3, 4, 3)
            self._layout.insertWidget(len(self.labels) + 1, label)
            self.labels.append(label)
        self.marks = []
        for index, label in enumerate(self.labels):
            if index >= len(steps):
                label.hide()
                continue
            name, mark = steps[index]
            self.marks.append(mark)
            sign = self.MARKS[mark] or f"{index + 1}."
            if self.compact:
                label.setText(f"{self.MARKS[mark]}{index + 1}" if mark != "todo" else sign)
                label.setToolTip(name)
            else:
                label.setText(f"{sign}\u2002{name}")
                label.setToolTip("")
            font = label.font()
            font.setBold(mark == "current")
            label.setFont(font)
            if label.property("mark") != mark:
                label.setProperty("mark", mark)
                # The style sheet's [mark=...] rule applies again (a label not polished
                # yet gets it when it is: see set_primary).
                repolish(label)
            label.setAccessibleName(f"{index + 1}/{len(steps)} {name}: {states.get(mark, mark)}")
            label.show()


class WrapCheckBox(QCheckBox):
    """A check box whose text wraps onto several lines (QCheckBox draws one line only).

    The text stays the check box's own (its mnemonic, Alt+letter, and its accessible name
    keep working); a word-wrapping label beside the indicator shows it, and a click on the
    label toggles the box as a click on the text does.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QSizePolicy  # (its enums: not on the way to a first page)

        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        # heightForWidth per width: layouts ask the same widths again and again (a wizard
        # page switch asked 256 times); cleared when the text, font or style changes.
        self._heights: dict[int, int] = {}
        self._indent_px: int | None = None  # the indicator and its spacing, per style and font

    def setText(self, text: str) -> None:
        super().setText(text)
        from html import escape

        shown, mnemonic = [], False
        for char in text:
            if mnemonic:
                shown.append("&amp;" if char == "&" else f"<u>{escape(char)}</u>")
                mnemonic = False
            elif char == "&":
                mnemonic = True
            else:
                shown.append(escape(char))
        self.label.setText("".join(shown))
        self._heights.clear()
        self.updateGeometry()

    def _indent(self) -> int:
        if self._indent_px is not None:
            return self._indent_px
        from PySide6.QtWidgets import QStyle, QStyleOptionButton

        option = QStyleOptionButton()
        self.initStyleOption(option)
        style = self.style()
        self._indent_px = style.pixelMetric(
            QStyle.PixelMetric.PM_IndicatorWidth, option, self
        ) + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, option, self)
        return self._indent_px

    def _indicator_height(self) -> int:
        from PySide6.QtWidgets import QStyle

        return self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, None, self) + 4

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = max(
                self._indicator_height(), self.label.heightForWidth(width - self._indent())
            )
            self._heights[width] = height
        return height

    def sizeHint(self) -> QSize:
        width = self._indent() + min(self.label.sizeHint().width(), 300)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        width = self._indent() + 120
        return QSize(width, self.heightForWidth(width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        indent = self._indent()
        self.label.setGeometry(indent, 0, max(0, self.width() - indent), self.height())

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent

        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
            self._indent_px = None
        self.label.setEnabled(self.isEnabled())

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)

    def paintEvent(self, _event: QPaintEvent) -> None:
        from PySide6.QtWidgets import QStyle, QStyleOptionButton, QStylePainter

        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""  # the label draws it, wrapped
        painter.drawControl(QStyle.ControlElement.CE_CheckBox, option)
        if self.hasFocus():  # the focus frame around the text, as QCheckBox draws it
            from PySide6.QtWidgets import QStyleOptionFocusRect

            frame = QStyleOptionFocusRect()
            frame.initFrom(self)
            frame.rect = self.label.geometry().adjusted(-2, 0, 2, 0)
            painter.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, frame)
