"""Page 8 — Import: runs the previewed plan with progress per phase, a plain log and a safe stop.

The import runs in a worker; "Stop after the current step" sets a threading.Event the
importer checks between batches, so a batch is never half-sent. A stopped, failed or
interrupted import is finished by importing again: the plan is computed afresh from what
QuickBooks Time now holds, so nothing is created twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QWizard,
)

from core.app.resume import ImportOutcome, Interrupted, Planned
from core.app.worker_process import run_import
from core.engine.importer import ImportCancelled, ProgressEvent
from core.errors import BridgeError

from ..widgets import paragraph
from ..words import changes_text, kind_name, list_join, outcome_lines, records_text
from ..workers import UnexpectedError, error_text
from .base import StoppablePage, StopQuestion
from .sending import WordedLog

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.plan import ImportOptions, ImportPlan

    from ..host import PageHost

log = logging.getLogger(__name__)

# the import's progress is shown at most this often (ms): the engine reports each batch
# (~270 at 10,000 contacts), and only the latest report is shown (each shown report sets
# every bar, which paints it at once, and words the log and the overall line)
PROGRESS_EVERY_MS = 80


def import_task(
    ctx: AppContext,
    connection_id: int,
    plan: ImportPlan | None,
    options: ImportOptions | None,
    *,
    replan: bool = False,
    progress: Callable[[object], None],
    cancel: threading.Event,
) -> ImportOutcome:
    """The worker: core's import (or resume), with an unexpected failure put in words."""
    outcome = run_import(
        ctx, connection_id, plan, options, replan=replan, progress=progress, cancel=cancel
    )
    if outcome.error is not None and not isinstance(outcome.error, BridgeError):
        outcome.error = UnexpectedError(what=type(outcome.error).__name__)
    return outcome


class RunPage(StoppablePage):
    def build(self) -> None:
        self.setCommitPage(True)  # the result page cannot come back here
        self.intro = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.body.addLayout(self.grid)
        self.overall = paragraph(parent=self)
        self.body.addWidget(self.overall)
        self.log_label = QLabel(self)
        self.log = WordedLog(self)  # worded again when the language changes
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.log.setMinimumHeight(90)
        self.log_label.setBuddy(self.log)
        self.body.addWidget(self.log_label)
        self.body.addWidget(self.log, 1)
        self.add_stop_row(self.request_cancel)  # the button says "after the current step"
        self.setTabOrder(self.log, self.stop_button)

        self._finished = False
        # one bar per kind of record, as the preview's grid counts them: kind -> label, bar
        self._bars: dict[str, tuple[QLabel, QProgressBar]] = {}
        self._kind_totals: dict[str, int] = {}
        self._kind_done: dict[str, int] = {}
        self._batches: list[list[Any]] = []
        self._batch_ends: list[int] = []
        self._logged = 0
        self._done = 0
        self._total = 0
        self._eta: float | None = None
        self._interrupted = 0
        self._result: ImportOutcome | None = None
        self._hooked: PageHost | None = None
        self._shown_plan: Any = None
        self._locked: tuple[Any, bool] | None = None  # (page before this one, was it a commit page)
        self._to_result = False  # stopped from the window's Cancel: show the result at the end
        # the latest progress report not shown yet, shown at the next tick (_show_progress)
        self._pending: ProgressEvent | None = None
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_EVERY_MS)
        self._progress_timer.timeout.connect(self._show_progress)

    # ---------------------------------------------------------------- stopping
    def stop_question(self) -> StopQuestion:
        return StopQuestion(
            title=self.tr("Stop the import?"),
            text=self.tr("Stop the import?"),
            stop=self.tr("&Stop the import"),
            keep=self.tr("&Keep importing"),
            informative=self.tr(
                "What is already done stays; you can undo it or finish it later. The step in "
                "progress is finished first, then the result is shown."
            ),
        )

    def agreed_to_stop(self) -> None:
        """Stopped from the window's Cancel: once stopped, the result page follows, with its
        Undo."""
        self._to_result = True
        self.request_cancel()

    def stopping_shown(self) -> None:
        self._retranslate_stop()
        self._retranslate_overall()  # no time left to show: it says it stops, at once
        self._add_line(lambda: self.tr("Stopping after the current step…"))

    # ---------------------------------------------------------------- wizard hooks
    def initializePage(self) -> None:
        if self._hooked is not self.host:
            # The wizard's Cancel (or Escape) while importing: stop between batches too.
            self.host.on_cancel(self.request_cancel)
            self._hooked = self.host
        if self._running:
            return
        self.start()

    def cleanupPage(self) -> None:
        if self._locked is not None:
            page, was_commit = self._locked
            page.setCommitPage(was_commit)
            self._locked = None
        super().cleanupPage()

    def _lock_back(self) -> None:
        """Once started, Back is not possible: QWizard allows no way back past a commit page,
        so the page before this one (the preview) becomes one while the import is shown."""
        visited = self.host.visitedIds()
        if not visited or self._locked is not None:
            return
        previous = self.host.page(visited[-1])
        if previous is not None and previous is not self:
            self._locked = (previous, previous.isCommitPage())
            previous.setCommitPage(True)

    def ready(self) -> bool:
        return self._finished

    def nextId(self) -> int:
        from ..state import PageId

        return int(PageId.DONE) if self.host.has_page(int(PageId.DONE)) else -1

    # ---------------------------------------------------------------- starting
    def start(self, *, replan: bool = False) -> None:
        """Import ``state.plan`` (``replan``: plan again what is left, after a stop)."""
        plan = self.state.plan
        self._reset(keep_log=replan)
        if self.state.connection_id is None or plan is None:
            self.show_error(
                self.tr(
                    "There is nothing to import yet. Go back to the start and "
                    "prepare an import first."
                )
            )
            self.completeChanged.emit()
            return
        if plan.is_empty and not replan:
            self._finished = True
            self.state.last_run = None
            self.banner.show_message(
                self.tr("Nothing to import: QuickBooks Time is already up to date."), "info"
            )
            self._add_line(lambda: self.tr("Nothing to import."))
            self.completeChanged.emit()
            return
        self._lock_back()
        self.begin_sending()
        self._set_plan(None if replan else plan)
        if replan:
            self._add_line(lambda: self.tr("Continuing the import."))
        else:
            self._add_line(lambda: self.tr("Import started."))
        self.run_task(
            import_task,
            self.state.ctx,
            self.state.connection_id,
            plan,
            self.state.options,
            replan=replan,
            message=self._importing_words(),
            on_done=self._ended,
            on_error=self._crashed,
            on_progress=self._progress,
            cancel=self._cancel,
        )
        self._retranslate_stop()

    def _reset(self, *, keep_log: bool = False) -> None:
        self.stop_button.hide()
        self._running = self._stopping = self._finished = False
        self._result = None
        self._done = self._total = 0
        self._eta = None
        self._interrupted = 0
        self._to_result = False
        self._pending = None
        self._progress_timer.stop()
        if not keep_log:  # a resumed import keeps what was said before
            self.log.clear_lines()
        self._set_plan(None)
        self.banner.clear()

    def _set_plan(self, plan: Any) -> None:
        """One bar per kind of record, with the preview's numbers (core.engine.report's one
        rule: a kind's bar counts what the preview's grid shows on that kind's row)."""
        from core.engine.report import batches

        for label, bar in self._bars.values():
            self.grid.removeWidget(label)
            self.grid.removeWidget(bar)
            label.deleteLater()
            bar.deleteLater()
        self._bars.clear()
        self._shown_plan = plan
        self._batches = batches(plan) if plan is not None else []
        self._batch_ends = []
        end = 0
        totals: dict[str, int] = {}  # in the order the import reaches them
        for batch in self._batches:
            end += len(batch)
            self._batch_ends.append(end)
            for action in batch:
                totals[action.summary_kind] = totals.get(action.summary_kind, 0) + 1
        self._logged = 0
        self._kind_totals = totals
        self._kind_done = dict.fromkeys(totals, 0)
        self._total = end
        for row, (kind, total) in enumerate(totals.items()):
            label = QLabel(self)
            bar = QProgressBar(self)
            bar.setRange(0, total)
            bar.setValue(0)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(bar, row, 1)
            self._bars[kind] = (label, bar)
        self._retranslate_bars()
        self._retranslate_overall()

    # ---------------------------------------------------------------- progress
    def _progress(self, event: Any) -> None:
        """A report from the import: a count is kept and shown at the next tick (only the
        latest one), anything else is shown at once, after the counts before it."""
        if isinstance(event, ProgressEvent) and not event.message:
            self._pending = event
            if not self._progress_timer.isActive():
                self._progress_timer.start()
            return
        self._show_progress()  # what came before it first
        if isinstance(event, Interrupted):
            self._interrupted = event.count
            self._show_interrupted()
            self._add_line(
                lambda: self.tr("The last import was interrupted; this one finishes it.")
            )
            return
        if isinstance(event, Planned):
            if event.plan is not self._shown_plan:  # resumed: what is left of the plan
                self.state.plan = event.plan
                self._set_plan(event.plan)
            return
        if isinstance(event, ProgressEvent):
            self._apply(event)

    def _show_progress(self) -> None:
        """The latest count received, if not shown yet."""
        self._progress_timer.stop()
        event, self._pending = self._pending, None
        if event is not None:
            self._apply(event)

    def _apply(self, event: ProgressEvent) -> None:
        self._done = event.done
        self._eta = event.eta_s
        moved: set[str] = set()  # the kinds whose bars move
        while self._logged < len(self._batches) and self._batch_ends[self._logged] <= event.done:
            batch = self._batches[self._logged]
            for action in batch:
                kind = action.summary_kind
                self._kind_done[kind] = self._kind_done.get(kind, 0) + 1
                moved.add(kind)
            self._log_batch(batch)
            self._logged += 1
        for kind in moved:
            if kind in self._bars:
                self._set_bar(kind, min(self._kind_totals[kind], self._kind_done.get(kind, 0)))
        if event.message:
            message = event.message
            self._add_line(lambda: message)
        self._retranslate_overall()

    def _set_bar(self, kind: str, value: int) -> None:
        """QProgressBar.setValue paints the bar at once (a repaint, not an update): with its
        updates off meanwhile, it is painted with the rest of the window, once a frame."""
        bar = self._bars[kind][1]
        bar.setUpdatesEnabled(False)
        bar.setValue(value)
        bar.setUpdatesEnabled(True)  # schedules the paint

    def _log_batch(self, batch: list[Any]) -> None:
        from core.engine.report import outcome_counts

        counts = outcome_counts(batch)
        phase = batch[0].phase if batch else ""
        # Kept as data and worded when shown, so a language change re-words the log.
        self._add_line(lambda: list_join(outcome_lines(counts)) or self.phase_name(phase))

    def _add_line(self, render: Callable[[], str]) -> None:
        self.log.add(render)

    def _show_interrupted(self) -> None:
        self.banner.show_message(
            self.tr(
                "The last import was interrupted (the window was closed or the computer stopped). "
                "This one finishes it: what was already written is found and not created again."
            ),
            "info",
        )

    # ---------------------------------------------------------------- the end
    def _ended(self, outcome: ImportOutcome) -> None:
        self._show_progress()  # the last counts, then the result
        self.end_sending()
        # Nothing to show when it failed before starting (no run): "Continue" is the way on.
        self._finished = outcome.run is not None or outcome.error is None
        self._result = outcome
        self.state.last_run = outcome.run
        # The Done page shows the importer's outcomes and problems (labels of the plan).
        self.state.last_importer = outcome.importer
        self._retranslate_stop()
        if outcome.importer is not None and outcome.error is None:
            for kind in self._bars:
                self._set_bar(kind, self._kind_totals[kind])
        self._eta = None
        self._retranslate_overall()  # nothing stale once it has ended ("A few seconds left")
        self._show_result()
        self._add_line(self._result_line)
        self.completeChanged.emit()
        if self._to_result and self._finished and self.host.currentPage() is self:
            # Stopped from the window's Cancel: the result page, with its Undo, follows.
            self._to_result = False
            self.host.next()
            return
        button = self.host.button(QWizard.WizardButton.CommitButton)
        if isinstance(button, QPushButton):
            button.setDefault(True)
        button.setFocus()

    def _crashed(self, exc: BridgeError) -> None:
        """The worker itself failed (it normally returns an outcome): same as a failure."""
        self._ended(ImportOutcome(None, None, exc, self.state.plan))

    def _show_result(self) -> None:
        outcome = self._result
        if outcome is None:
            return
        if outcome.error is None:
            problems = len(outcome.importer.problems) if outcome.importer is not None else 0
            if problems:
                self.banner.show_message(
                    self.tr(
                        "The import is finished, but {records} could not be written. The next "
                        "page says which and why."
                    ).format(records=records_text(problems)),
                    "warning",
                )
            else:
                self.banner.show_message(self.tr("The import is finished."), "success")
        elif isinstance(outcome.error, ImportCancelled):
            self.banner.show_message(
                outcome.error.user_message(),
                "warning",
                action_text=self.tr("&Continue the import"),
                action=self.resume,
            )
        else:
            self.banner.show_message(
                self.tr(
                    'The import did not finish: {reason} Then click "Continue the '
                    'import": nothing is created twice.'
                ).format(reason=error_text(outcome.error)),
                "error",
                action_text=self.tr("&Continue the import"),
                action=self.resume,
            )

    def _result_line(self) -> str:
        outcome = self._result
        if outcome is None:
            return ""
        if outcome.error is None:
            problems = len(outcome.importer.problems) if outcome.importer is not None else 0
            if problems:
                return self.tr("Finished. Not written: {records}.").format(
                    records=records_text(problems)
                )
            return self.tr("Finished.")
        if isinstance(outcome.error, ImportCancelled):
            return self.tr("Stopped. Importing again finishes the job without duplicates.")
        return self.tr("Stopped by a problem: {reason}").format(reason=error_text(outcome.error))

    def resume(self) -> None:
        """Finish a stopped or failed import: plan what is left, then import it."""
        if self._running:
            return
        self.start(replan=True)

    # ---------------------------------------------------------------- words
    def phase_name(self, phase: str) -> str:
        names = {
            "custom_fields": self.tr("Custom fields"),
            "custom_field_items": self.tr("Items"),
            "customers": self.tr("Customers"),
            "locations": self.tr("Job locations"),
            "employees": self.tr("Team members"),
            "archive": self.tr("Archiving"),
            "leave": self.tr("Time off"),
        }
        return names.get(phase, phase)

    def eta_text(self, seconds: float | None) -> str:
        if seconds is None:
            return self.tr("Estimating the time left…")
        if seconds < 10:
            return self.tr("A few seconds left.")
        if seconds < 60:
            return self.tr("About {n} seconds left.").format(n=round(seconds / 10.0) * 10)
        minutes = max(1, round(seconds / 60.0))
        if minutes == 1:
            return self.tr("About 1 minute left.")
        return self.tr("About {n} minutes left.").format(n=minutes)

    def _importing_words(self) -> str:
        """The busy line while the import runs."""
        return self.tr("Importing into QuickBooks Time…")

    def _retranslate_bars(self) -> None:
        for kind, (label, bar) in self._bars.items():
            label.setText(kind_name(kind))
            bar.setFormat(self.tr("%v of %m"))
            bar.setAccessibleName(self.tr("Progress: {phase}").format(phase=kind_name(kind)))

    def _retranslate_overall(self) -> None:
        if not self._total:
            self.overall.setText("")
            return
        text = self.tr("{done} of {total} done.").format(
            done=self._done, total=changes_text(self._total)
        )
        if self._running and self._stopping:  # the time left no longer applies
            text += " " + self.tr("Stopping after the current step…")
        elif self._running:
            text += " " + self.eta_text(self._eta)
        self.overall.setText(text)

    def _retranslate_stop(self) -> None:
        if self._stopping and self._running:
            self.stop_button.setText(self.tr("Stopping after the current step…"))
        else:
            self.stop_button.setText(self.tr("&Stop after the current step"))

    def retranslate(self) -> None:
        self.setTitle(self.tr("Import"))
        self.setSubTitle(
            self.tr(
                "Your Xero data is being written to QuickBooks Time. "
                "You can stop at any time; nothing is half-written."
            )
        )
        self.intro.setText(
            self.tr(
                "Each step is recorded as it happens. If you stop, or the window closes, importing "
                "again finishes the job without creating anything twice."
            )
        )
        self.log_label.setText(self.tr("What has been &done:"))
        self.log.setAccessibleName(self.tr("Import log"))
        self.stop_button.setToolTip(
            self.tr("The step in progress is finished first, so nothing is half-written")
        )
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("See the &result"))
        self._retranslate_stop()
        self._retranslate_bars()
        self._retranslate_overall()
        self.log.reword()
        if self._running and self.busy:
            self.busy_label.setText(self._importing_words())
        if self._interrupted and self._running:
            self._show_interrupted()
        elif self._result is not None:
            self._show_result()
