"""Page 7 — Preview: every change the import will make, before anything is written.

On entering, a worker plans again from the local data (core.app.sync.current_plan with the
chosen options and the saved decisions) and the page keeps that plan in ``state.plan``: the
import page runs exactly what was shown here. This is a commit page: once "Start import" is
clicked, Back cannot return to it.

An empty plan: the page says everything is up to date and becomes the last page (the button
reads "Close"). Starting an import that writes nothing would only add an empty run to the
history, with an "Undo" that undoes nothing — the headless ``sync`` makes the same choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from core.app import worker_process
from core.engine.report import ChangeCounts, change_counts, records_waiting

from ..models.preview import (
    AFTER,
    BEFORE,
    CHANGES,
    COUNT_COLUMNS,
    KIND,
    NAME,
    OP_ROLE,
    REF_ROLE,
    WHAT,
    WHY,
    ChangeFilterModel,
    ChangeTableModel,
    CountsModel,
    Line,
    count_lines,
    lines_of,
)
from ..widgets import empty_state, heading
from ..words import changes_text, count_text, decisions_text, list_join, records_text
from .base import BasePage, BusyWords, EnterGuard

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.app.estimate import RunEstimate
    from core.engine.plan import ImportOptions, ImportPlan
    from core.store.models import Connection


def plan_with_changes(
    ctx: AppContext, conn: Connection, options: ImportOptions | None
) -> tuple[
    None,
    ImportPlan,
    list[Line],
    tuple[dict[str, int], dict[str, int]],
    ChangeCounts,
    RunEstimate,
]:
    """The worker: the plan, and what the preview shows of it, made here (a large plan has
    thousands of lines: the window stays responsive): the lines (the plan's own records, no
    copy), their counts per operation and kind, the plan counted by the one rule every page
    uses (ChangeCounts), and the calls and time the import will take (core.app.estimate)."""
    from core.app.estimate import estimate_for

    _options, plan = worker_process.plan(ctx, int(conn.get_id()), options)
    lines = lines_of(plan)
    estimate = estimate_for(ctx, conn, None, plan)
    return None, plan, lines, count_lines(lines), change_counts(plan), estimate


class PreviewPage(BasePage):
    def build(self) -> None:
        self.plan = None
        self.estimate: RunEstimate | None = None
        self.loaded = False
        self.failed = False
        self.setCommitPage(True)

        self.notice = heading(parent=self)
        self.body.addWidget(self.notice)
        self.stack = QStackedWidget(self)
        self.body.addWidget(self.stack, 1)

        # The summary, the filters and the list scroll together when the window is too short
        # for them all (at 760×560 the estimate was drawn over the summary's total): each
        # keeps its least height, the list of changes takes what is left.
        self.main_area = QScrollArea(self.stack)
        self.main_area.setWidgetResizable(True)
        self.main_area.setFrameShape(QFrame.Shape.NoFrame)
        # not a stop of its own for Tab: it scrolls to the control Tab reaches in it
        self.main_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        main = QWidget(self.main_area)
        layout = QVBoxLayout(main)
        layout.setContentsMargins(0, 0, 0, 0)
        self.counts_label = QLabel(main)
        self.counts_label.setWordWrap(True)
        self.counts_model = CountsModel(self)
        self.counts = QTableView(main)
        self.counts.setModel(self.counts_model)
        self.counts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.counts.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside
        # Each column as wide as its title, the room left shared out (_fit_count_columns):
        # "Not imported" / "Mettre à jour" are never cut, even at 800×600 in French.
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.counts.viewport().installEventFilter(self)
        # Rows sized once per plan (_fit_counts), not again at each layout pass: each pass
        # asks every cell for every role.
        self.counts.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.counts.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.counts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.counts_label.setBuddy(self.counts)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.counts)
        # The calls the import makes and the time QuickBooks Time's limit imposes (issue 16).
        self.estimate_label = QLabel(main)
        self.estimate_label.setWordWrap(True)
        layout.addWidget(self.estimate_label)

        filters = QHBoxLayout()
        self.filter_label = QLabel(main)
        self.filter_combo = QComboBox(main)
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter_label.setBuddy(self.filter_combo)
        self.search_label = QLabel(main)
        self.search = QLineEdit(main)
        self.search.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search)
        filters.addWidget(self.filter_label)
        filters.addWidget(self.filter_combo)  # as wide as its entries: its counts are read
        filters.addWidget(self.search_label)
        filters.addWidget(self.search, 1)
        layout.addLayout(filters)

        self.model = ChangeTableModel(self)
        self.proxy = ChangeFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(main)
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in (NAME, BEFORE, AFTER, WHY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        # "What" and "Kind" hold a few words each: they are sized for those words
        # (_fit_word_columns), not by measuring every row as ResizeToContents does (thousands
        # of rows in a large import, each asked for its text, font and colours).
        self.table.setMinimumHeight(120)
        # Its least height counted, not its preferred one: the page scrolls only when the
        # window is too short for that (the scroll area asks the preferred heights).
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.table, 1)
        self.main_area.setWidget(main)
        self.stack.addWidget(self.main_area)
        self.main = main
        # a control reached from outside the scroll area (Shift+Tab from the wizard's
        # buttons to the list) is scrolled into view too
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

        self.empty, self.empty_heading, self.empty_text = empty_state(self.stack)
        self.stack.addWidget(self.empty)

        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._filter_changed)
        self._guard = EnterGuard(
            self,
            {
                self.search: self.table.setFocus,
                self.filter_combo: lambda: None,
                self.table: lambda: None,
                self.counts: lambda: None,
            },
        )
        self.setTabOrder(self.counts, self.filter_combo)
        self.setTabOrder(self.filter_combo, self.search)
        self.setTabOrder(self.search, self.table)

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.setTitle(self.tr("Preview"))
        self.setSubTitle(self.tr("Check what the import will change in QuickBooks Time."))
        self.notice.setText(self.tr("Nothing is written until you click Start import."))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Start import"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Close"))
        self.counts_label.setText(self.tr("Su&mmary:"))
        self.counts.setAccessibleName(self.tr("Number of changes by kind"))
        self.filter_label.setText(self.tr("S&how:"))
        self.filter_combo.setAccessibleName(self.tr("Show only one kind of change"))
        self.search_label.setText(self.tr("&Find:"))
        self.search.setPlaceholderText(self.tr("Name or reason"))
        self.search.setAccessibleName(self.tr("Find a change"))
        self.table.setAccessibleName(self.tr("Every change, with the value before and after"))
        self.counts_model.retranslate()
        self._fit_count_columns()
        self.model.retranslate()
        self._fill_filter()
        self._fit_word_columns()
        self._explain()

    def _fill_filter(self) -> None:
        """Every entry counted by the grid's rule: "All changes" is the headline, each
        operation a column's total, "Not imported" the last column's."""
        current = self.filter_combo.currentData()
        counts = self.counts_model.change_counts()
        self.filter_combo.blockSignals(True)
        self.filter_combo.clear()
        self.filter_combo.addItem(
            self.tr("Everything ({changes}, {records} not imported)").format(
                changes=changes_text(counts.total), records=records_text(counts.not_imported_total)
            )
            if counts.not_imported_total
            else self.tr("All changes ({count})").format(count=counts.total),
            "",
        )
        if counts.not_imported_total and counts.total:
            self.filter_combo.addItem(
                self.tr("All changes ({count})").format(count=counts.total), CHANGES
            )
        for op, _key in COUNT_COLUMNS:
            n = counts.by_op(op)
            if n:
                self.filter_combo.addItem(
                    self.tr("{operation} ({count})").format(
                        operation=self.model.words.op(op), count=n
                    ),
                    op,
                )
        index = self.filter_combo.findData(current) if current else 0
        self.filter_combo.setCurrentIndex(max(0, index))
        self.filter_combo.blockSignals(False)
        self._filter_changed()

    def show_operation(self, op: str) -> None:
        """Show only the lines of ``op`` (the banner's "Show them")."""
        index = self.filter_combo.findData(op)
        if index >= 0:
            self.search.clear()
            self.filter_combo.setCurrentIndex(index)
            self.table.setFocus()

    def _explain(self) -> None:
        """The empty page's words and the banner about archives and records left out."""
        plan = self.plan
        left = records_waiting(plan) if plan is not None else 0
        if left:
            self.empty_heading.setText(self.tr("Nothing to import now"))
            self.empty_text.setText(
                self.tr(
                    "Everything else is already up to date. {waiting}: go back to decide, or "
                    "close: your decisions are kept."
                ).format(waiting=decisions_text(left))
            )
        else:
            self.empty_heading.setText(self.tr("Everything is already up to date"))
            self.empty_text.setText(
                self.tr(
                    "QuickBooks Time already matches Xero for everything you chose to import, so "
                    "there is nothing to do. Click Close; come back whenever Xero changes."
                )
            )
        if plan is None or not self.loaded or self.failed:
            return
        counts = self.counts_model.change_counts()
        notes = []
        archives = self.model.names_of("archive")
        if archives:
            shown = archives[:3]
            names = list_join(self.tr('"{name}"').format(name=n) for n in shown)
            if len(archives) > len(shown):
                names = self.tr("{names} and {count} more").format(
                    names=names, count=len(archives) - len(shown)
                )
            notes.append(
                self.tr(
                    "To be archived in QuickBooks Time: {records} ({names}). Undo on the last "
                    "page brings them back."
                ).format(records=records_text(len(archives)), names=names)
            )
        if counts.waiting and plan.actions:
            notes.append(
                count_text(
                    counts.waiting,
                    self.tr("1 record needs your decision: not imported this time."),
                    self.tr("{n} records need your decision: not imported this time."),
                )
            )
        if notes:
            self.banner.show_message(
                " ".join(notes),
                "warning" if archives else "info",
                action_text=self.tr("Show &what is archived") if archives else None,
                action=(lambda: self.show_operation("archive")) if archives else None,
            )
        else:
            self.banner.clear()
        self.counts_label.setText(self.headline_text(counts))
        from core.app.estimate import describe  # (not before the first page is shown)

        self.estimate_label.setText(
            describe(self.estimate) if self.estimate is not None and plan.actions else ""
        )
        self.estimate_label.setVisible(bool(self.estimate_label.text()))

    def headline_text(self, counts: ChangeCounts) -> str:
        """The summary's headline: the same numbers as the grid's total row and the filter."""
        text = self.tr("Su&mmary: {changes}.").format(changes=changes_text(counts.total))
        if counts.not_imported_total:
            text = self.tr("Su&mmary: {changes}; {not_imported}.").format(
                changes=changes_text(counts.total),
                not_imported=count_text(
                    counts.not_imported_total,
                    self.tr("1 record not imported"),
                    self.tr("{n} records not imported"),
                ),
            )
        return text

    # ------------------------------------------------------------------ loading
    def initializePage(self) -> None:
        self.load()

    def load(self) -> None:
        self.loaded = False
        self.failed = False
        self.plan = None
        self.setFinalPage(False)
        conn = self.state.connection()
        if conn is None:
            self.failed = True
            self.show_error(
                self.tr("No organisation is connected yet. Go back and connect to Xero first.")
            )
            self.completeChanged.emit()
            return
        self.run_task(
            plan_with_changes,
            self.state.ctx,
            conn,
            self.state.options,
            message=lambda: self.tr("Working out what will change…"),
            on_done=self._planned,
            on_error=self._failed,
        )

    def _failed(self, exc: Exception) -> None:
        self.failed = True
        self.show_error(exc, retry=self.load)
        self.completeChanged.emit()

    def _planned(self, result: tuple[Any, ...]) -> None:
        plan = result[1]
        self.plan = plan
        self.state.plan = plan
        self.loaded = True
        self.estimate = result[5] if len(result) > 5 else None
        if len(result) > 4:  # made by plan_with_changes
            self.counts_model.set_counts(result[4])
            self.model.set_lines(result[2], result[3])
        else:
            self.counts_model.set_plan(plan)
            self.model.set_plan(plan)
        self._fit_counts()
        self._fit_word_columns()
        self.stack.setCurrentWidget(self.empty if plan.is_empty else self.main_area)
        self.notice.setVisible(not plan.is_empty)
        self._fill_filter()
        self._explain()
        # Last: the wizard updates its buttons (and asks nextId() again) once, here; the
        # current page's setFinalPage does it, another page needs completeChanged.
        self.setFinalPage(plan.is_empty)
        if not self.hosted or self.host.currentPage() is not self:
            self.completeChanged.emit()

    def _fit_counts(self) -> None:
        self.counts.resizeRowsToContents()
        height = self.counts.horizontalHeader().sizeHint().height()
        height += sum(self.counts.rowHeight(r) for r in range(self.counts_model.rowCount()))
        self.counts.setFixedHeight(height + 2 * self.counts.frameWidth() + 2)
        self._fit_count_columns()

    def _fit_count_columns(self) -> None:
        """The count columns: each at least as wide as its title, the room left shared out."""
        header = self.counts.horizontalHeader()
        columns = self.counts_model.columnCount()
        if not columns:
            return
        wanted = [header.sectionSizeFromContents(c).width() for c in range(columns)]
        room = self.counts.viewport().width() - sum(wanted)
        extra, rest = divmod(max(0, room), columns)
        for column, width in enumerate(wanted):
            header.resizeSection(column, width + extra + (1 if column < rest else 0))

    def eventFilter(self, watched: Any, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.counts.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_count_columns()
        return super().eventFilter(watched, event)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The control that takes the focus in the scrolled part, whole in view (a table's
        current cell only, as ensureWidgetVisible does, may leave most of it out)."""
        try:
            if new is None or not self.main.isAncestorOf(new):
                return
        except RuntimeError:  # the window is being closed: its widgets are going
            return
        top_left = new.mapTo(self.main, QPoint(0, 0))
        half_width, half_height = new.width() // 2, new.height() // 2
        self.main_area.ensureVisible(
            top_left.x() + half_width, top_left.y() + half_height, half_width, half_height
        )

    def _fit_word_columns(self) -> None:
        """Wide enough for the words "What" and "Kind" can hold here, and their titles."""
        header = self.table.horizontalHeader()
        font = self.table.font()
        bold = QFont(font)
        bold.setBold(True)
        plain_metrics, bold_metrics = QFontMetrics(font), QFontMetrics(bold)
        margin = self.table.style().pixelMetric(
            QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table
        )
        padding = 2 * (margin + 1) + 2  # the item view's margins and the grid line
        words = self.model.words
        ops, kinds = self.model.ops_and_kinds()
        what = [
            bold_metrics.horizontalAdvance(words.op(op))
            if op == "archive"
            else plain_metrics.horizontalAdvance(words.op(op))
            for op in ops
        ]
        kind = [plain_metrics.horizontalAdvance(words.kind(k)) for k in kinds]
        # "Kind" never takes more than a fifth of the table: a long name ("Customer open to
        # all team members") is cut with "…" and shown whole in its tooltip.
        cap = max(header.sectionSizeHint(KIND), self.table.viewport().width() // 5)
        for column, widths in ((WHAT, what), (KIND, kind)):
            width = max([header.sectionSizeHint(column), *(w + padding for w in widths)])
            header.resizeSection(column, min(width, cap) if column == KIND else width)

    def _filter_changed(self, *_args: Any) -> None:
        self.proxy.set_filter(self.filter_combo.currentData(), self.search.text())

    # ------------------------------------------------------------------ wizard plumbing
    def ready(self) -> bool:
        return self.loaded and not self.failed

    def nextId(self) -> int:
        if self.plan is not None and self.plan.is_empty:
            return -1  # nothing to import: this is the last page ("Close")
        return super().nextId()

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        super().set_busy(busy, message)
        self.stack.setEnabled(not busy)

    # ------------------------------------------------------------------ helpers for tests
    def visible_ops(self) -> list[str]:
        return [self.proxy.index(r, 0).data(OP_ROLE) for r in range(self.proxy.rowCount())]

    def visible_refs(self) -> list[str]:
        return [self.proxy.index(r, 0).data(REF_ROLE) for r in range(self.proxy.rowCount())]
