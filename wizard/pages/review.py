"""Page 6 — Review conflicts: decide, offline, what to do with records that look alike.

Everything here reads and writes the local database only (core.engine.review): decisions are saved
as they are taken, so the person can close the app and come back. Loading the plan and the
CSV export/import run in workers; one decision is a quick local write on the UI thread.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QLocale, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.app import worker_process
from core.app.review_screen import RecordFacts, ReviewData, link_changes, tracked_hours
from core.engine import review
from core.engine.matching import Candidate, Conflict
from core.engine.names import NAME_LIMIT
from core.engine.review import ImportReport, ReviewError, ReviewRow
from core.engine.review.hours import TrackedHours, has_hours

from ..models.conflicts import (
    CANDIDATE,
    DECISION,
    KEY_ROLE,
    KIND,
    KIND_ORDER,
    MATCH,
    REASON,
    XERO,
    ConflictFilterModel,
    ConflictTableModel,
)
from ..widgets import empty_state, paragraph
from ..words import ask_next_time, count_text, never_import, records_waiting
from .base import BasePage, BusyWords, EnterGuard

#: problems listed in the banner after a CSV import (the rest: "Show all")
SHOWN_PROBLEMS = 2
# the decision (link or restore_link) a candidate of the list is linked with
ACTION_ROLE = Qt.ItemDataRole.UserRole + 1
#: marks the comparison's row of the hours tracked (on its header item)
HOURS_ROLE = Qt.ItemDataRole.UserRole + 2
#: the hours of a record are being read
READING = "reading"
#: how the characters that differ between two names are marked (not by colour alone)
DIFF_STYLE = "background-color:#ffe08a;color:#000000;text-decoration:underline;"


#: the share of the room each text column gets (the reason is the longest text)
COLUMN_SHARES = {XERO: 19, CANDIDATE: 22, MATCH: 13, REASON: 28, DECISION: 18}
#: up to this many records, each row is as tall as its wrapped texts; above, two lines a row.
#: Rows fitted to their texts are all measured again at every change of width (each cell asked
#: its text, font, colours…: about 0.3 ms a row on the window's thread, several times as the
#: page opens), so only a short list can afford it within 50 ms (the UI benchmark, issue 16)
FIT_ROWS_UP_TO = 100


#: a part of an e-mail longer than this may also break every BREAK_EVERY characters
LONG_PART = 10
BREAK_EVERY = 4


def breakable(text: str) -> str:
    """``text`` (an e-mail) with places where a narrow cell may break the line: after "@"
    and before each "." (zero-width spaces, nothing visible); a long part also every few
    characters, so that it wraps rather than being cut ("bellavistaretirem…")."""
    if not text:
        return "—"
    parts = text.replace("@", "@\u200b").replace(".", "\u200b.").split("\u200b")
    return "\u200b".join(
        "\u200b".join(part[i : i + BREAK_EVERY] for i in range(0, len(part), BREAK_EVERY))
        if len(part) > LONG_PART
        else part
        for part in parts
    )


class WrappingHeader(QHeaderView):
    """Column titles that wrap onto more lines when their column is narrow, the header as
    tall as its longest title needs at the columns' widths of the moment (Qt's own header
    keeps one line: "In QuickBooks Time now" read "h QuickBooks Time nov")."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._extra = 0  # the height the wrapped lines add, as last told to the table
        self.sectionResized.connect(self._check_height)

    def wrapped_lines_height(self) -> int:
        """The height the lines after the first take in the tallest title."""
        model = self.model()
        if model is None:
            return 0
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)
        flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
        extra = 0
        for logical in range(self.count()):
            if self.isSectionHidden(logical):
                continue
            text = model.headerData(logical, self.orientation(), Qt.ItemDataRole.DisplayRole)
            font = model.headerData(logical, self.orientation(), Qt.ItemDataRole.FontRole)
            metrics = QFontMetrics(font if isinstance(font, QFont) else self.font())
            width = max(1, self.sectionSize(logical) - 2 * margin)
            rect = metrics.boundingRect(QRect(0, 0, width, 1 << 16), flags, str(text or ""))
            extra = max(extra, rect.height() - metrics.height())
        return extra

    def sizeHint(self) -> QSize:
        size = super().sizeHint()  # one line a title
        return QSize(size.width(), size.height() + self.wrapped_lines_height())

    def _check_height(self, *_args: Any) -> None:
        extra = self.wrapped_lines_height()
        if extra != self._extra:
            self._extra = extra
            # the table lays its header and cells out again, after the pass that resized
            # the columns (within it, the table ignores the request)
            QTimer.singleShot(0, self, self.geometriesChanged.emit)


class ReviewTable(QTableView):
    """The list of records; its text columns share the width by :data:`COLUMN_SHARES`
    whenever it changes, so that long names and reasons wrap rather than being cut."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.share_columns()

    def fit_rows(self) -> None:
        """Rows as tall as their texts (short lists), or two lines each (long ones)."""
        header = self.verticalHeader()
        model = self.model()
        count = model.rowCount() if model is not None else 0
        mode = (
            QHeaderView.ResizeMode.ResizeToContents
            if count <= FIT_ROWS_UP_TO
            else QHeaderView.ResizeMode.Fixed
        )
        header.setSectionResizeMode(mode)

    def share_columns(self) -> None:
        """Each text column at least as wide as its title (in French "QuickBooks Time" and
        "Similitude" ran into each other), the room left shared by :data:`COLUMN_SHARES`."""
        header = self.horizontalHeader()
        # room for the scroll bar kept, whether it shows or not (no jump when it appears)
        bar = self.verticalScrollBar().sizeHint().width()
        room = self.width() - 2 * self.frameWidth() - bar - header.sectionSize(KIND)
        total = sum(COLUMN_SHARES.values())
        columns = list(COLUMN_SHARES)
        # the title's hint: its text, the margins and room for the sort arrow
        least = {c: max(40, header.sectionSizeHint(c)) for c in columns}
        widths = {c: max(least[c], room * COLUMN_SHARES[c] // total) for c in columns}
        # titles widened: the room they took comes from the columns wider than their title
        over = sum(widths.values()) - room
        spare = {c: widths[c] - least[c] for c in columns}
        spare_total = sum(spare.values())
        if over > 0 and spare_total:
            for c in columns:
                widths[c] -= min(spare[c], -(-over * spare[c] // spare_total))
        # what rounding left over goes to the last column (the decision)
        widths[columns[-1]] += max(0, room - sum(widths.values()))
        for column in columns:
            header.resizeSection(column, widths[column])


class ReviewPage(BasePage):
    # ------------------------------------------------------------------ build
    def build(self) -> None:
        self.conn_id: int | None = None
        self.data: ReviewData | None = None
        self.conflicts: list[Conflict] = []
        # candidates of the current record it may not be linked to, with the reason
        self._refused: list[tuple[Candidate, str]] = []
        self.loaded = False
        self.load_failed = False
        self.rename_dialog: QInputDialog | None = None
        self.problems_dialog: QDialog | None = None
        self._facts: tuple[tuple[Any, ...], tuple[int, bool, bool]] | None = None
        self._details_shown = 0  # how many times the details were shown (not twice for one)
        # the list is shown, the first record's details come at the next turn (_first_details)
        self._details_pending: ReviewData | None = None
        # hours tracked in QuickBooks Time by (kind, QuickBooks Time id), read on a worker for
        # the pair shown only: a TrackedHours, READING while the read runs, None: not known
        self._hours: dict[tuple[str, int], TrackedHours | str | None] = {}

        self.stack = QStackedWidget(self)
        self.body.addWidget(self.stack, 1)
        self.main = self._build_review(self.stack)
        self.stack.addWidget(self.main)
        self.empty, self.empty_heading, self.empty_text = empty_state(self.stack)
        self.stack.addWidget(self.empty)  # shown when there is nothing to review
        self._connect_signals()
        self._add_shortcuts()
        self._set_keyboard_order()
        self._update_controls()

    def _build_review(self, parent: QWidget) -> QWidget:
        """The review itself: tools, filters, the table over the details, the bulk actions."""
        main = QWidget(parent)
        layout = QVBoxLayout(main)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_tools(main))
        layout.addLayout(self._build_filters(main))
        self._build_table(main)
        details = self._build_details(main)

        self.splitter = QSplitter(Qt.Orientation.Vertical, main)
        self.splitter.addWidget(self.table)
        # the details scroll when the window is small, so the list keeps room for a few rows
        self.details_area = QScrollArea(main)
        self.details_area.setWidgetResizable(True)
        self.details_area.setFrameShape(QFrame.Shape.NoFrame)
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_area.setWidget(details)
        self.details = details
        self.splitter.addWidget(self.details_area)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._build_bulk(main))
        return main

    def _build_tools(self, main: QWidget) -> QHBoxLayout:
        """Where the review stands, undo and redo, and the CSV menu."""
        top = QHBoxLayout()
        self.progress_label = QLabel(main)
        self.progress_label.setWordWrap(True)
        font = self.progress_label.font()
        font.setBold(True)
        self.progress_label.setFont(font)
        self.undo_button = QPushButton(main)
        self.redo_button = QPushButton(main)
        self.csv_button = QPushButton(main)
        self.csv_menu = QMenu(self.csv_button)
        self.csv_menu.setToolTipsVisible(True)
        self.export_action = QAction(self.csv_menu)
        self.import_action = QAction(self.csv_menu)
        self.csv_menu.addAction(self.export_action)
        self.csv_menu.addAction(self.import_action)
        self.csv_button.setMenu(self.csv_menu)
        top.addWidget(self.progress_label, 1)
        top.addWidget(self.undo_button)
        top.addWidget(self.redo_button)
        top.addWidget(self.csv_button)
        return top

    def _build_filters(self, main: QWidget) -> QHBoxLayout:
        """Search, kind and "hide decided" over the table."""
        filters = QHBoxLayout()
        self.search_label = QLabel(main)
        self.search = QLineEdit(main)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.search_label.setBuddy(self.search)
        self.kind_label = QLabel(main)
        self.kind_combo = QComboBox(main)
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_label.setBuddy(self.kind_combo)
        self.hide_decided = QCheckBox(main)
        filters.addWidget(self.search_label)
        filters.addWidget(self.search, 2)
        filters.addWidget(self.kind_label)
        filters.addWidget(self.kind_combo, 1)
        filters.addWidget(self.hide_decided)
        return filters

    def _build_table(self, main: QWidget) -> None:
        """The conflicts, one a row, sorted and filtered through a proxy model."""
        self.model = ConflictTableModel(self)
        self.proxy = ConflictFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = ReviewTable(main)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(KIND, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        # two lines a row: long names and reasons wrap instead of being cut at 800×600
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(
            2 * self.table.fontMetrics().lineSpacing() + 8
        )
        self.table.verticalHeader().setMinimumSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # "Kind" holds a word: sized for the kinds
        # (_fit_word_columns), not by asking every row as ResizeToContents does.
        # the titles and three rows of two lines, whatever the size of the window
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height()
            + 3 * self.table.verticalHeader().defaultSectionSize()
            + 2 * self.table.frameWidth()
        )

    def _build_details(self, main: QWidget) -> QWidget:
        """The current conflict: its problem, the candidates, the comparison, the decisions."""
        details = QWidget(main)
        grid = QGridLayout(details)
        grid.setContentsMargins(0, 4, 0, 0)
        self.problem_label = paragraph(parent=details)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.candidates_label = QLabel(details)
        self.candidates = QComboBox(details)
        self.candidates.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.candidates.setMinimumContentsLength(20)
        self.candidates.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.candidates_label.setBuddy(self.candidates)
        self.compare_label = QLabel(details)
        self.compare_label.setWordWrap(True)
        self.compare = QTableWidget(0, 3, details)
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.compare.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside
        self.compare.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.compare.setWordWrap(True)
        # titles wrap onto two lines when the columns are narrow ("QuickBooks Time
        # (actuellement)" was cut at both ends)
        self.compare.setHorizontalHeader(WrappingHeader(self.compare))
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.compare.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # wrapped values take more lines when the columns narrow: the table grows with them
        # (after the layout pass that narrowed them: growing the table inside that pass would
        # lay the details out again within it, leaving the rows above at a stale width)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_compare)
        self.compare.horizontalHeader().sectionResized.connect(lambda *_: self._refit.start())
        self.no_candidate = paragraph(parent=details)
        self.no_candidate.hide()

        buttons = QVBoxLayout()
        self.link_button = QPushButton(details)
        self.create_button = QPushButton(details)
        self.skip_button = QPushButton(details)
        self.rename_button = QPushButton(details)
        self.later_button = QPushButton(details)
        self.decision_buttons = (
            self.link_button,
            self.create_button,
            self.skip_button,
            self.rename_button,
            self.later_button,
        )
        for button in self.decision_buttons:
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)

        # the label above the box: the box gets the whole width for long names
        pick = QVBoxLayout()
        pick.setSpacing(2)
        pick.addWidget(self.candidates_label)
        pick.addWidget(self.candidates)
        grid.addWidget(self.problem_label, 0, 0)
        grid.addLayout(pick, 1, 0)
        grid.addWidget(self.no_candidate, 2, 0)
        grid.addWidget(self.compare_label, 3, 0)
        grid.addWidget(self.compare, 4, 0)
        grid.addLayout(buttons, 0, 1, 5, 1)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(5, 1)
        return details

    def _build_bulk(self, main: QWidget) -> QHBoxLayout:
        """Decisions for many rows at once."""
        bulk = QHBoxLayout()
        self.accept_button = QPushButton(main)
        # how many records wait when the person goes on (Next is always enabled)
        self.waiting_label = QLabel(main)
        self.waiting_label.setWordWrap(True)
        self.waiting_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for button in (
            self.accept_button,
            self.undo_button,
            self.redo_button,
            self.csv_button,
        ):
            button.setAutoDefault(False)
        bulk.addWidget(self.accept_button)
        bulk.addWidget(self.waiting_label, 1)
        return bulk

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._filter_changed)
        self.kind_combo.currentIndexChanged.connect(self._filter_changed)
        self.hide_decided.toggled.connect(self._filter_changed)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.proxy.modelReset.connect(self._ensure_current)
        self.proxy.layoutChanged.connect(self._ensure_current)
        self.candidates.currentIndexChanged.connect(self._candidate_changed)
        self.link_button.clicked.connect(self.link_selected)
        self.create_button.clicked.connect(lambda: self.decide_current("create"))
        self.skip_button.clicked.connect(lambda: self.decide_current("skip"))
        self.rename_button.clicked.connect(self.ask_rename)
        self.later_button.clicked.connect(lambda: self.decide_current("later"))
        self.accept_button.clicked.connect(self.accept_suggestions)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.export_action.triggered.connect(self.export_csv)
        self.import_action.triggered.connect(self.import_csv)

    def _add_shortcuts(self) -> None:
        """Undo and redo by the platform's keys, anywhere in the page."""
        self.undo_shortcut = QAction(self)
        self.undo_shortcut.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_shortcut.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_shortcut.triggered.connect(self.undo)
        self.redo_shortcut = QAction(self)
        self.redo_shortcut.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        self.redo_shortcut.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.redo_shortcut.triggered.connect(self.redo)
        self.addAction(self.undo_shortcut)
        self.addAction(self.redo_shortcut)

    def _set_keyboard_order(self) -> None:
        """What Enter does in the page's own controls, and the Tab order."""
        self._guard = EnterGuard(
            self,
            {
                self.search: self.table.setFocus,
                self.table: self._table_enter,
                self.candidates: self.link_selected,
            },
        )

        chain = [
            self.undo_button,
            self.redo_button,
            self.csv_button,
            self.search,
            self.kind_combo,
            self.hide_decided,
            self.table,
            self.candidates,
            self.compare,
            *self.decision_buttons,
            self.accept_button,
        ]
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.setTitle(self.tr("Review look-alike records"))
        self.setSubTitle(
            self.tr(
                "These records look alike in Xero and QuickBooks Time: decide on each. Your "
                "choices are saved as you go; nothing is sent yet."
            )
        )
        self.undo_button.setText(self.tr("&Undo"))
        self.undo_button.setToolTip(self.tr("Undo the last decision (Ctrl+Z)"))
        self.undo_button.setAccessibleName(self.tr("Undo the last decision"))
        self.redo_button.setText(self.tr("Re&do"))
        self.redo_button.setToolTip(self.tr("Do again the decision you just undid"))
        self.redo_button.setAccessibleName(self.tr("Redo the last undone decision"))
        self.csv_button.setText(self.tr("S&preadsheet"))
        self.csv_button.setToolTip(
            self.tr("Save the list for your accountant, or bring back the decisions they filled in")
        )
        self.csv_button.setAccessibleName(self.tr("Spreadsheet: export or import decisions"))
        self.export_action.setText(self.tr("E&xport to CSV…"))
        self.export_action.setToolTip(
            self.tr("Save every record to review, with its candidates, in a spreadsheet file")
        )
        self.import_action.setText(self.tr("I&mport decisions from CSV…"))
        self.import_action.setToolTip(
            self.tr('Read the decisions filled in the "decision" column of an exported file')
        )
        self.search_label.setText(self.tr("&Find:"))
        self.search.setPlaceholderText(self.tr("Name or reason"))
        self.search.setAccessibleName(self.tr("Find a record"))
        self.kind_label.setText(self.tr("&Kind:"))
        self.kind_combo.setAccessibleName(self.tr("Show records of this kind"))
        self.hide_decided.setText(self.tr("&Hide decided"))
        self.hide_decided.setAccessibleName(self.tr("Hide the records already decided"))
        self.table.setAccessibleName(self.tr("Records to review"))
        self.candidates_label.setText(self.tr("&Match in QuickBooks Time:"))
        self.candidates.setAccessibleName(self.tr("Similar record in QuickBooks Time to link to"))
        self.compare_label.setText(self.tr("If you link it (Xero → QuickBooks Time):"))
        for column, (text, tip) in enumerate(
            (
                (self.tr("In Xero"), self.tr("The value in Xero")),
                (self.tr("In QuickBooks Time now"), self.tr("The value in QuickBooks Time today")),
                (
                    self.tr("After linking"),
                    self.tr("The value in QuickBooks Time after the import, if you link"),
                ),
            )
        ):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            self.compare.setHorizontalHeaderItem(column, item)
        self.compare.setAccessibleName(self.tr("What linking changes, field by field"))
        self.no_candidate.setText(self._no_candidate_text())
        self._update_link_button()
        self.create_button.setText(self.tr("&Create new"))
        self.create_button.setToolTip(
            self.tr("Keep them separate: add a new record in QuickBooks Time")
        )
        self.skip_button.setText(never_import())
        self.skip_button.setToolTip(
            self.tr("Leave this record out of the import, this time and the next ones")
        )
        self.rename_button.setText(self.tr("&Rename…"))
        self.rename_button.setToolTip(self.tr("Add it to QuickBooks Time under another name"))
        self.later_button.setText(ask_next_time())
        self.later_button.setToolTip(
            self.tr("Keep it in the list; it is left out of the import until you decide")
        )
        self.empty_heading.setText(self.tr("Nothing to review"))
        self.empty_text.setText(
            self.tr(
                "Every record matched exactly or is new. Click Next to see what the import will do."
            )
        )
        self._fill_kinds()
        self.model.retranslate()
        self._fit_word_columns()
        self._update_progress()
        self._update_controls()
        self._show_details()

    def _fit_word_columns(self) -> None:
        """Wide enough for the kinds listed (or all of them), and its title."""
        header = self.table.horizontalHeader()
        metrics = QFontMetrics(self.table.font())
        margin = self.table.style().pixelMetric(
            QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table
        )
        padding = 2 * (margin + 1) + 2  # the item view's margins and the grid line
        kinds = {c.kind for c in self.conflicts} or set(KIND_ORDER)
        widths = {
            KIND: [metrics.horizontalAdvance(self.model.kind_label(k)) for k in kinds],
        }
        for column, texts in widths.items():
            # the title's hint includes the sort arrow when the column is sorted
            header.resizeSection(
                column, max([header.sectionSizeHint(column), *(w + padding for w in texts)])
            )
        self.table.share_columns()

    def _fill_kinds(self) -> None:
        current = self.kind_combo.currentData()
        present = {c.kind for c in self.conflicts}
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        self.kind_combo.addItem(self.tr("All kinds"), "")
        for kind in KIND_ORDER:
            if kind in present:
                self.kind_combo.addItem(self.model.kind_label(kind), kind)
        index = self.kind_combo.findData(current) if current else 0
        self.kind_combo.setCurrentIndex(max(0, index))
        self.kind_combo.blockSignals(False)

    # ------------------------------------------------------------------ loading
    def initializePage(self) -> None:
        self.load()

    def load(self) -> None:
        conn = self.state.connection()
        self.loaded = False
        self.load_failed = False
        if conn is None:
            self.load_failed = True
            self.show_error(
                self.tr("No organisation is connected yet. Go back and connect to Xero first.")
            )
            self.completeChanged.emit()
            return
        self.conn_id = int(conn.get_id())
        self._hours.clear()
        self._details_pending = None
        self.run_task(
            worker_process.review,
            self.state.ctx,
            self.conn_id,
            self.state.options,
            message=lambda: self.tr("Reading the saved data…"),
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def _load_failed(self, exc: Exception) -> None:
        self.load_failed = True
        self.show_error(exc, retry=self.load)
        self.completeChanged.emit()

    def _loaded(self, data: ReviewData) -> None:
        self.data = data
        self.conflicts = list(data.conflicts)
        self.loaded = True
        if data.no_data:
            self.load_failed = True
            text = self.tr(
                "No data from Xero and QuickBooks Time is saved yet, so there is "
                "nothing to review. Go back and fetch the data again."
            )
            if self.state.fetch_error:
                text += " " + self.state.fetch_error
            self.show_error(text)
            self.completeChanged.emit()
            return
        # The first record's details (they read the database) at the next turn of the event
        # loop, not as the new list resets the model: the list and its details are not made
        # in one turn. Busy until then.
        self._details_pending = data
        self._fill_kinds()
        self.model.set_rows(data.rows)
        self.table.fit_rows()
        self._fit_word_columns()
        self.stack.setCurrentWidget(self.main if self.conflicts else self.empty)
        self._update_progress()
        if self.state.fetch_error:
            self.banner.show_message(
                self.tr(
                    "The latest changes could not be fetched, so this review uses the data saved "
                    "earlier. {reason}"
                ).format(reason=self.state.fetch_error),
                "warning",
            )
        # a timer, not 0 ms: Qt makes a 0 ms single shot a posted call, which may run in the
        # same pass of the event loop (no input or paint in between)
        QTimer.singleShot(1, self, lambda: self._first_details(data))

    @property
    def busy(self) -> bool:
        return self._busy or self._details_pending is not None

    def _first_details(self, data: ReviewData) -> None:
        if self._details_pending is not data:
            return  # loaded again since
        self._details_pending = None
        self._ensure_current()  # also updates the buttons
        self.share_height()  # the first record's details decide the split
        self.completeChanged.emit()
        if self.conflicts and self.isVisible():
            self.table.setFocus()

    # ------------------------------------------------------------------ state of the page
    def rows(self) -> list[ReviewRow]:
        return self.model.rows()

    def ready(self) -> bool:
        if not self.loaded or self.load_failed or self._details_pending is not None:
            return False
        return True  # what is not decided waits for the next time (_update_progress says so)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.share_height()

    def share_height(self) -> None:
        """The details get the height they need when the window allows it; the list gets the
        rest, never less than its three rows (then the details scroll)."""
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        wanted = self.details.sizeHint().height() + 2
        details = max(0, min(wanted, total - self.table.minimumHeight()))
        self.splitter.setSizes([total - details, details])

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        super().set_busy(busy, message)
        self.stack.setEnabled(not busy)

    def _update_progress(self) -> None:
        rows = self.rows()
        decided, total = review.progress(rows)
        text = self.tr("{decided} of {total} decided").format(decided=decided, total=total)
        later = sum(1 for r in rows if r.deferred)
        reopened = sum(1 for r in rows if r.state == "reopened")
        extra = []
        if later:
            extra.append(self.tr("{count} for later").format(count=later))
        if reopened:
            extra.append(
                self.tr("{count} to decide again (the data changed)").format(count=reopened)
            )
        if extra:
            text += " (" + ", ".join(extra) + ")"
        self.progress_label.setText(text)
        self.progress_label.setAccessibleName(text)
        waiting = total - decided
        self.waiting_label.setText(records_waiting(waiting) if waiting else "")
        self.waiting_label.setAccessibleName(self.waiting_label.text())

    def _row_facts(self) -> tuple[int, bool, bool]:
        """(suggestions waiting, can undo, can redo).

        Counted once per list of rows: every decision, undo or import of decisions shows a
        new list (``_refresh``), and the buttons are updated several times for one of them.
        """
        rows = self.model.items()
        key = (rows, self.conn_id, self.loaded)
        cached = self._facts
        if cached is not None and cached[0][0] is rows and cached[0][1:] == key[1:]:
            return cached[1]
        cid = self.conn_id if self.loaded else None
        facts = (
            review.suggestions_waiting(rows, self.data.suggestions if self.data else None),
            cid is not None and review.can_undo(cid),
            cid is not None and review.can_redo(cid),
        )
        self._facts = (key, facts)
        return facts

    def _update_controls(self) -> None:
        rows = self.rows()
        row = self.current_row()
        has_row = row is not None
        for button in self.decision_buttons:
            button.setEnabled(has_row)
        # a person keeps the name Xero gives them: no "add it under another name"
        self.rename_button.setEnabled(row is not None and review.can_rename(row.conflict.kind))
        self._update_link_button()
        suggested, can_undo, can_redo = self._row_facts()
        self.accept_button.setEnabled(suggested > 0)
        if suggested:
            self.accept_button.setText(
                count_text(
                    suggested,
                    self.tr("&Accept 1 suggestion"),
                    self.tr("&Accept {n} suggestions"),
                )
            )
            self.accept_button.setToolTip(
                self.tr(
                    "Link each record to the QuickBooks Time record with the same name, and add "
                    "as new each record with nothing similar, as suggested in the list. One Undo "
                    "brings them all back."
                )
            )
        else:
            self.accept_button.setText(self.tr("&Accept suggestions"))
            self.accept_button.setToolTip(
                self.tr("No record waiting here has a suggestion: the rest are yours to decide.")
            )
        self.accept_button.setAccessibleDescription(self.accept_button.toolTip())
        self.undo_button.setEnabled(can_undo)
        self.redo_button.setEnabled(can_redo)
        self.undo_shortcut.setEnabled(self.undo_button.isEnabled())
        self.redo_shortcut.setEnabled(self.redo_button.isEnabled())
        self.export_action.setEnabled(bool(rows))
        self.import_action.setEnabled(bool(rows))

    # ------------------------------------------------------------------ selection and details
    def current_row(self) -> ReviewRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def select_key(self, key: tuple[str, str]) -> bool:
        source_row = self.model.row_of(key)
        if source_row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def _ensure_current(self) -> None:
        if self._details_pending is not None:
            return  # a list just loaded: its first record's details come at the next turn
        shown = self._details_shown
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))  # shows them (_row_changed)
        if self._details_shown == shown:
            self._show_details()

    def _filter_changed(self, *_args: Any) -> None:
        self.proxy.set_text(self.search.text())
        self.proxy.set_kind(self.kind_combo.currentData())
        self.proxy.set_hide_decided(self.hide_decided.isChecked())
        self._ensure_current()

    def _row_changed(self, *_args: Any) -> None:
        self._show_details()

    def _table_enter(self) -> None:
        if self.current_row() is None:
            return
        if self.candidates.count():
            self.candidates.setFocus()
        else:
            self.create_button.setFocus()

    def _other_names(self, xero_ids: Any) -> list[str]:
        by_id = {c.xero_id: c.xero_name for c in self.conflicts}
        return [by_id[x].strip() for x in xero_ids or () if x in by_id]

    def _show_details(self) -> None:
        self._details_shown += 1
        row = self.current_row()
        self._update_controls()
        self.candidates.blockSignals(True)
        self.candidates.clear()
        self.candidates.blockSignals(False)
        if row is None:
            self.problem_label.setText(
                self.tr("Select a record in the list to see the details.") if self.rows() else ""
            )
            self._show_compare(None, None)
            return
        c = row.conflict
        lines = [
            self.tr("{kind} “{name}”: {problem}").format(
                kind=self.model.kind_label(c.kind),
                name=c.xero_name.strip() or self.tr("(no name)"),
                problem=c.describe(),
            )
        ]
        others = self._other_names((c.details or {}).get("duplicates"))
        if others:
            lines.append(
                self.tr("Also in Xero: {names}.").format(
                    names=", ".join(self.tr("“{name}”").format(name=n) for n in others)
                )
            )
        suggested = (c.details or {}).get("suggested_name")
        if suggested:
            lines.append(self.tr("Suggested shorter name: “{name}”.").format(name=suggested))
        lines.append(self._decision_line(row))
        self.problem_label.setText("\n".join(lines))
        chosen = (
            row.decision.target_qbt_id
            if row.decision is not None
            and row.decision.action in review.LINK_ACTIONS
            and not row.stale
            else None
        )
        # only the records this one may be linked to are offered; why the others are not
        # is said under the list
        valid, self._refused = (
            ([], []) if self.conn_id is None else review.link_targets(self.conn_id, c)
        )
        self.candidates.blockSignals(True)
        for cand, action in valid:
            self.candidates.addItem(self.candidate_line(cand), cand.qbt_id)
            index = self.candidates.count() - 1
            self.candidates.setItemData(
                index,
                f"{self.candidate_line(cand)}\n{cand.describe()}",
                Qt.ItemDataRole.ToolTipRole,
            )
            self.candidates.setItemData(index, action, ACTION_ROLE)
        if chosen is not None and self.candidates.findData(chosen) >= 0:
            self.candidates.setCurrentIndex(self.candidates.findData(chosen))
        self.candidates.blockSignals(False)
        self.candidates.setToolTip(self.candidates.currentText())
        self._show_compare(c, self.selected_candidate())
        self._update_link_button()

    def _decision_line(self, row: ReviewRow) -> str:
        """The saved decision, or the suggested one in full (with the record's name)."""
        hint = review.suggestion(row.conflict) if row.state == "undecided" else None
        if hint is not None and hint.action == "link":
            cand = self.model.candidate_by_id(row.conflict, hint.target_qbt_id)
            if cand is not None:
                return self.tr("Suggested: link to “{name}”.").format(name=cand.name)
        if hint is not None and hint.action == "create":
            return self.tr("Suggested: add it as a new record.")
        return self.tr("Decision: {decision}").format(decision=self.model.decision_text(row))

    def _no_candidate_text(self) -> str:
        if not self._refused:
            return self.tr(
                "Nothing similar in QuickBooks Time. Create new adds it; Rename adds "
                "it under another name."
            )
        lines = [self.tr("It cannot be linked to a similar record in QuickBooks Time:")]
        lines += [f"• {cand.name}: {reason}" for cand, reason in self._refused]
        lines.append(self.tr("Choose Create new, Rename or {never}.").format(never=never_import()))
        return "\n".join(lines)

    def selected_action(self) -> str | None:
        """The decision the Link button takes for the chosen record (``link`` or
        ``restore_link``), None when nothing may be linked."""
        if self.current_row() is None or self.candidates.count() == 0:
            return None
        action = self.candidates.currentData(ACTION_ROLE)
        return str(action) if action else None

    def _update_link_button(self) -> None:
        action = self.selected_action()
        self.link_button.setEnabled(action is not None)
        if action == review.RESTORE_LINK:
            self.link_button.setText(self.tr("Restore and &link"))
            self.link_button.setToolTip(
                self.tr(
                    "The chosen QuickBooks Time record is archived: restore it and use it for this "
                    "Xero record"
                )
            )
        else:
            self.link_button.setText(self.tr("&Link"))
            self.link_button.setToolTip(
                self.tr("Use the chosen QuickBooks Time record for this Xero record (no duplicate)")
            )

    def candidate_line(self, cand: Candidate) -> str:
        row = self.current_row()
        # short enough for the box at 800×600: the reason in full is the item's tooltip
        notes = []
        if row is not None:
            notes.append(self.model.likeness_text(review.likeness(row.conflict, cand)))
        if cand.archived:
            notes.append(self.tr("archived: restored if you link it"))
        if cand.linked_xero_id:
            notes.append(self.tr("already linked to another Xero record"))
        return f"{cand.name} — " + ", ".join(notes)

    def selected_candidate(self) -> Candidate | None:
        row = self.current_row()
        if row is None or self.candidates.count() == 0:
            return None
        return self.model.candidate_by_id(row.conflict, self.candidates.currentData())

    def _candidate_changed(self, *_args: Any) -> None:
        row = self.current_row()
        self.candidates.setToolTip(self.candidates.currentText())
        self._show_compare(row.conflict if row else None, self.selected_candidate())
        self._update_link_button()

    def _status_word(self, code: str) -> str:
        return self.tr("Archived") if code == "archived" else self.tr("Active")

    def marked_names(self, conflict: Conflict, cand: Candidate) -> tuple[str, str]:
        """The Xero name and the candidate's as rich text, the characters that differ
        marked (colour and underline, not colour alone)."""
        xero, qbt = review.name_diff(conflict.xero_name.strip(), cand.name.strip())

        def marked(runs: list[tuple[str, bool]]) -> str:
            return "".join(
                f'<span style="{DIFF_STYLE}">{escape(text)}</span>' if differs else escape(text)
                for text, differs in runs
            )

        return marked(xero), marked(qbt)

    def name_cell(self, column: int) -> QLabel | None:
        """The label that shows a name of the comparison with its differences marked."""
        widget = self.compare.cellWidget(0, column)
        return widget if isinstance(widget, QLabel) else None

    def _record_facts(self, conflict: Conflict, cand: Candidate) -> tuple[RecordFacts, RecordFacts]:
        if self.data is None:
            return RecordFacts(), RecordFacts()
        none = RecordFacts()
        return (
            self.data.xero_facts.get((conflict.kind, conflict.xero_id), none),
            self.data.qbt_facts.get((conflict.kind, cand.qbt_id), none),
        )

    def _show_compare(self, conflict: Conflict | None, cand: Candidate | None) -> None:
        has = conflict is not None and cand is not None
        self.compare.setVisible(has)
        self.compare_label.setVisible(has)
        self.no_candidate.setText(self._no_candidate_text())
        self.no_candidate.setVisible(conflict is not None and cand is None)
        self.candidates.setVisible(conflict is not None and self.candidates.count() > 0)
        self.candidates_label.setVisible(conflict is not None and self.candidates.count() > 0)
        if conflict is None or cand is None:
            self.compare.setRowCount(0)
            return
        changes = link_changes(conflict, cand)
        fields = {
            "name": self.tr("Name"),
            "email": self.tr("Email"),
            "status": self.tr("Status"),
            "phone": self.tr("Phone"),
            "address": self.tr("Address"),
            "hours": self.tr("Hours tracked"),
        }
        # what tells the two apart besides the name: side by side, not changed by linking
        xero_facts, qbt_facts = self._record_facts(conflict, cand)
        shown = {change.field for change in changes}
        extra = [
            (name, getattr(xero_facts, name), getattr(qbt_facts, name))
            for name in ("email", "phone", "address")
            if name not in shown and (getattr(xero_facts, name) or getattr(qbt_facts, name))
        ]
        hours_row = -1
        if has_hours(conflict.kind):
            hours_row = len(changes) + len(extra)
            extra.append(("hours", "", ""))
        self.compare.setRowCount(len(changes) + len(extra))
        bold = QFont(self.compare.font())
        bold.setBold(True)
        for i, change in enumerate(changes):
            self.compare.setVerticalHeaderItem(
                i, QTableWidgetItem(fields.get(change.field, change.field))
            )
            values = [change.xero, change.qbt, change.after]
            if change.field == "status":
                values = [self._status_word(v) for v in values]
            values = [v or "—" for v in values]
            for column, value in enumerate(values):
                text = breakable(value) if change.field == "email" else value
                if column == 2 and change.changes:
                    text = "→ " + text
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, value)
                tip = value
                if column == 2:
                    tip = (
                        self.tr("Changes in QuickBooks Time: “{old}” becomes “{new}”").format(
                            old=values[1], new=values[2]
                        )
                        if change.changes
                        else self.tr("No change")
                    )
                    if change.changes:
                        item.setFont(bold)
                item.setToolTip(tip)
                self.compare.setItem(i, column, item)
        # the names, the characters that differ marked, over the plain items (which stay
        # for screen readers)
        for column, html in enumerate(self.marked_names(conflict, cand)):
            label = QLabel(self.compare)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setAutoFillBackground(True)
            # a little room above and below: the last line's descenders clear the grid
            label.setContentsMargins(3, 2, 3, 2)
            label.setText(html)
            label.setToolTip(self.tr("The characters that differ are marked"))
            self.compare.setCellWidget(0, column, label)
        for i, (name, xero_value, qbt_value) in enumerate(extra, start=len(changes)):
            header = QTableWidgetItem(fields[name])
            header.setData(HOURS_ROLE, name == "hours")
            self.compare.setVerticalHeaderItem(i, header)
            for column, value in enumerate((xero_value, qbt_value)):
                item = QTableWidgetItem(breakable(value) if name == "email" else value or "—")
                item.setData(Qt.ItemDataRole.AccessibleTextRole, value or "—")
                item.setToolTip(value)
                self.compare.setItem(i, column, item)
            after = QTableWidgetItem("")
            after.setToolTip(self.tr("Linking does not change this"))
            self.compare.setItem(i, 2, after)
        if hours_row >= 0:
            self._show_hours(hours_row, conflict.kind, cand.qbt_id)
        self._fit_compare()

    # ------------------------------------------------------------------ hours tracked
    def hours_key(self) -> tuple[str, int] | None:
        """(kind, QuickBooks Time id) of the pair shown when its hours can be known."""
        row, cand = self.current_row(), self.selected_candidate()
        if row is None or cand is None or not has_hours(row.conflict.kind):
            return None
        return (row.conflict.kind, cand.qbt_id)

    def hours_text(self, key: tuple[str, int]) -> tuple[str, str]:
        """What the comparison says of the hours tracked against ``key``, and its tip."""
        found = self._hours.get(key, READING)
        if found == READING:
            return self.tr("Reading…"), self.tr("Reading the hours from QuickBooks Time…")
        if not isinstance(found, TrackedHours):
            return self.tr("Not known"), self.tr(
                "QuickBooks Time could not be read; the hours tracked are not known."
            )
        locale = QLocale()
        hours = locale.toString(found.hours, "f", 1 if found.hours % 1 else 0)
        day = found.since
        since = locale.toString(QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat)
        return self.tr("{hours} h (last 12 months)").format(hours=hours), self.tr(
            "Work hours on timesheets since {day}"
        ).format(day=since)

    def _show_hours(self, row: int, kind: str, qbt_id: int) -> None:
        key = (kind, qbt_id)
        xero = QTableWidgetItem("—")
        xero.setToolTip(self.tr("Xero holds no hours for this record"))
        self.compare.setItem(row, 0, xero)
        self._set_hours_item(row, key)
        if key not in self._hours and self.conn_id is not None:
            self._hours[key] = READING

            def done(value: TrackedHours | None) -> None:
                self._hours_read(key, value)

            def failed(_exc: Exception) -> None:
                self._hours_read(key, None)

            self.host.tasks.start(
                tracked_hours,
                self.state.ctx,
                self.conn_id,
                kind,
                qbt_id,
                on_done=done,
                on_error=failed,
            )

    def _set_hours_item(self, row: int, key: tuple[str, int]) -> None:
        text, tip = self.hours_text(key)
        item = QTableWidgetItem(text)
        item.setToolTip(tip)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        self.compare.setItem(row, 1, item)

    def hours_row(self) -> int:
        """The comparison's row of the hours tracked (-1: not shown)."""
        for r in range(self.compare.rowCount()):
            header = self.compare.verticalHeaderItem(r)
            if header is not None and header.data(HOURS_ROLE):
                return r
        return -1

    def _hours_read(self, key: tuple[str, int], value: TrackedHours | None) -> None:
        self._hours[key] = value
        try:
            row = self.hours_row()
            if row >= 0 and self.hours_key() == key:
                self._set_hours_item(row, key)
                self._fit_compare()
        except RuntimeError:  # the window closed while QuickBooks Time answered
            return

    def _fit_compare(self) -> None:
        """Show every row of the comparison: the list above gives up the room, not this."""
        self.compare.resizeRowsToContents()
        height = self.compare.horizontalHeader().sizeHint().height()
        height += sum(self.compare.rowHeight(r) for r in range(self.compare.rowCount()))
        height += 2 * self.compare.frameWidth() + 2
        self.compare.setFixedHeight(max(height, 40))
        # more to show than there is room for: the list gives up room (down to its minimum)
        if self.details.sizeHint().height() > self.details_area.viewport().height():
            self.share_height()

    # ------------------------------------------------------------------ decisions
    def _refresh(self, *, advance_from: tuple[str, str] | None = None, position: int = 0) -> None:
        if self.conn_id is None:
            return
        current = self.current_row()
        key = current.key if current is not None else None
        self.model.set_rows(review.review_rows(self.conn_id, self.conflicts))
        if advance_from is not None:
            self._advance(advance_from, position)
        elif key is not None and not self.select_key(key):
            self._ensure_current()
        self._update_progress()
        self._show_details()  # also updates the buttons
        self.completeChanged.emit()

    def _advance(self, key: tuple[str, str], position: int) -> None:
        """After a decision, go to the next record that still needs one."""
        count = self.proxy.rowCount()
        if not count:
            return
        keys = [self.proxy.index(r, 0).data(KEY_ROLE) for r in range(count)]
        start = keys.index(key) + 1 if key in keys else min(position, count - 1)
        order = list(range(start, count)) + list(range(0, start))
        for r in order:
            row = self.model.row_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            if row is not None and not row.decided and row.key != key:
                self.table.setCurrentIndex(self.proxy.index(r, 0))
                self.table.scrollTo(self.proxy.index(r, 0))
                return
        if not self.select_key(key):
            self.table.setCurrentIndex(self.proxy.index(min(position, count - 1), 0))

    def decide_current(
        self,
        action: str,
        *,
        target: int | None = None,
        new_name: str | None = None,
        row: ReviewRow | None = None,
    ) -> bool:
        row = row or self.current_row()
        if row is None or self.conn_id is None:
            return False
        position = max(0, self.table.currentIndex().row())
        try:
            review.decide(
                self.conn_id, row.conflict, action, target_qbt_id=target, new_name=new_name
            )
        except ReviewError as exc:
            self.show_error(exc)
            return False
        self.banner.clear()
        self._refresh(advance_from=row.key, position=position)
        return True

    def link_selected(self) -> None:
        cand = self.selected_candidate()
        action = self.selected_action()
        if cand is None or action is None:
            self.show_error(
                self._no_candidate_text()
                if self._refused
                else self.tr(
                    "There is nothing similar in QuickBooks Time to link to: choose Create new, "
                    "Rename or {never}."
                ).format(never=never_import())
            )
            return
        self.decide_current(action, target=cand.qbt_id)

    def ask_rename(self, *, row: ReviewRow | None = None, text: str | None = None) -> None:
        row = row or self.current_row()
        if row is None:
            return
        c = row.conflict
        if text is not None:
            suggestion = text  # typed before and refused: never lose it
        elif row.decision is not None and row.decision.action == "rename" and row.decision.new_name:
            suggestion = row.decision.new_name
        else:
            suggestion = str((c.details or {}).get("suggested_name") or c.xero_name.strip())
        dialog = QInputDialog(self)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setWindowTitle(self.tr("Rename"))
        dialog.setLabelText(
            self.tr("Name for “{name}” in QuickBooks Time (at most {limit} characters):").format(
                name=c.xero_name.strip(), limit=NAME_LIMIT
            )
        )
        dialog.setTextValue(suggestion[:NAME_LIMIT])
        dialog.setOkButtonText(self.tr("Save name"))
        edit = dialog.findChild(QLineEdit)
        if edit is not None:
            edit.setMaxLength(NAME_LIMIT)
            edit.setAccessibleName(self.tr("New name"))
        dialog.textValueSelected.connect(lambda value, r=row: self._renamed(r, value))
        dialog.finished.connect(dialog.deleteLater)
        self.rename_dialog = dialog
        dialog.open()

    def _renamed(self, row: ReviewRow, text: str) -> None:
        if not self.decide_current("rename", new_name=text, row=row):
            self.ask_rename(row=row, text=text)

    def accept_suggestions(self) -> None:
        if self.conn_id is None:
            return
        try:
            count = review.accept_suggestions(self.conn_id, self.conflicts)
        except ReviewError as exc:
            self.show_error(exc)
            return
        self._refresh()
        if count:
            self.banner.show_message(
                self.tr("Suggestions accepted: {count}. Undo brings them back.").format(
                    count=count
                ),
                "success",
            )
        else:
            self.banner.show_message(
                self.tr("Nothing was accepted: no record waiting here has a suggestion."), "info"
            )

    def undo(self) -> None:
        if self.conn_id is None or not self.undo_button.isEnabled():
            return
        try:
            done = review.undo_last(self.conn_id)
        except ReviewError as exc:
            self.show_error(exc)
            return
        self._refresh()
        if done:
            self.banner.show_message(self.tr("The last change was undone."), "info")

    def redo(self) -> None:
        if self.conn_id is None or not self.redo_button.isEnabled():
            return
        try:
            done = review.redo_last(self.conn_id)
        except ReviewError as exc:
            self.show_error(exc)
            return
        self._refresh()
        if done:
            self.banner.show_message(self.tr("The change was done again."), "info")

    # ------------------------------------------------------------------ CSV
    def _default_folder(self) -> str:
        return str(Path.home())

    def choose_export_path(self) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the review"),
            str(Path(self._default_folder()) / self.tr("records-to-review.csv")),
            self.tr("CSV files (*.csv)"),
        )
        return path

    def choose_import_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Import decisions"),
            self._default_folder(),
            self.tr("CSV files (*.csv *.txt);;All files (*)"),
        )
        return path

    def export_csv(self) -> None:
        if self.conn_id is None or not self.rows():
            return
        path = self.choose_export_path()
        if not path:
            return
        if not path.lower().endswith((".csv", ".txt")):
            path += ".csv"
        # Excel in French reads ";" as the separator; the import guesses it back
        delimiter = ";" if self.state.language == "fr" else ","
        unmatched = self.data.unmatched if self.data is not None else []
        self.run_task(
            review.export_csv,
            self.conn_id,
            self.rows(),
            path,
            unmatched=unmatched,
            delimiter=delimiter,
            message=lambda: self.tr("Saving the spreadsheet…"),
            on_done=self._exported,
        )

    def _exported(self, path: Any) -> None:
        self.banner.show_message(
            self.tr(
                "Saved in {path}. Whoever fills it in writes link, create, skip, rename or later in "
                'the "decision" column; then use Import decisions.'
            ).format(path=str(path)),
            "success",
        )

    def import_csv(self) -> None:
        if self.conn_id is None or not self.rows():
            return
        path = self.choose_import_path()
        if not path:
            return
        self.run_task(
            review.import_csv,
            self.conn_id,
            list(self.conflicts),
            path,
            message=lambda: self.tr("Reading the decisions…"),
            on_done=self._imported,
        )

    def _imported(self, report: ImportReport) -> None:
        self._refresh()
        text = self.tr(
            "Decisions applied: {applied}. Lines with nothing to change: {unchanged}."
        ).format(applied=report.applied, unchanged=report.unchanged)
        problems = report.problems
        if not problems:
            self.banner.show_message(text, "success")
            return
        text += " " + self.tr("Lines that could not be used: {count}.").format(count=len(problems))
        lines = [self.problem_line(p) for p in problems]
        text += "\n" + "\n".join(lines[:SHOWN_PROBLEMS])
        if len(lines) > SHOWN_PROBLEMS:
            text += "\n" + self.tr("…and {count} more.").format(count=len(lines) - SHOWN_PROBLEMS)
            self.banner.show_message(
                text,
                "warning",
                action_text=self.tr("Show all"),
                action=lambda: self.show_problems(lines),
            )
        else:
            self.banner.show_message(text, "warning")

    def problem_line(self, problem: review.RowProblem) -> str:
        return self.tr("Line {line}: {reason}").format(line=problem.line, reason=problem.reason)

    def show_problems(self, lines: list[str]) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Lines that could not be used"))
        layout = QVBoxLayout(dialog)
        text = QPlainTextEdit(dialog)
        text.setReadOnly(True)
        text.setPlainText("\n".join(lines))
        text.setAccessibleName(self.tr("Lines that could not be used"))
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        box.rejected.connect(dialog.reject)
        layout.addWidget(text)
        layout.addWidget(box)
        dialog.resize(560, 320)
        dialog.finished.connect(dialog.deleteLater)
        self.problems_dialog = dialog
        dialog.open()

    # ------------------------------------------------------------------ helpers for tests
    def visible_keys(self) -> list[tuple[str, str]]:
        return [self.proxy.index(r, 0).data(KEY_ROLE) for r in range(self.proxy.rowCount())]

    def cell(self, proxy_row: int, column: int) -> str:
        return str(self.proxy.index(proxy_row, column).data() or "")
