"""Page 9 — Done: what the import did, what it could not do and why, and the way back (undo).

Also home of the plain words the run, done and home pages and the history dialog share
(kinds, outcomes, run statuses, dates), so each is translated once (context "Outcome").
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QStandardPaths, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.engine.plan import SUMMARY_KINDS
from core.engine.report import outcome_changes, records_waiting, summary_kind

from ..roomy import WrapRow, at_least_rows, scrolled
from ..tasks import export_task, problems_task, undo_task
from ..widgets import ask, cell, fit_rows, paragraph, read_only_table
from ..words import (
    COLUMNS,
    action_words,
    changes_text,
    count_text,
    entity_words,
    kind_name,
    records_text,
    rows_text,
    state_words,
    total_changes,
    verb_title,
)
from .base import BasePage, BusyWords

log = logging.getLogger(__name__)


# records not imported put in their table in one turn of the window's event loop, the rest
# in the turns after (the 850 of the 10,000-contact organisation at once: ~30 ms; issue 16)
LATER_ROWS_A_TURN = 200
# a timer, not 0 ms: Qt makes a 0 ms single shot a posted call, which may run in the same
# pass of the event loop as the work before it (no input or paint in between)
NEXT_TURN_MS = 1


class DonePage(BasePage):
    def build(self) -> None:
        # the fill of the records not imported under way (a newer one stops an older one)
        self._later_fill = 0
        # the page was entered (initializePage): its tables are filled from then on; the
        # words set as the page is made fill nothing (initializePage fills them right after:
        # a large plan's records not imported were made twice on the window's thread)
        self._entered = False
        # the page's content in a scroll area: with a large font the summary keeps a few rows
        # and the words their lines (the page scrolls) instead of being squashed
        self.body = scrolled(self, self.body)
        self.status = paragraph(parent=self)
        self.body.addWidget(self.status)
        # What still waits, with the way there (hidden when nothing waits).
        waiting = QHBoxLayout()
        self.waiting = paragraph(parent=self)
        self.review_button = QPushButton(self)
        self.review_button.clicked.connect(self.review)
        waiting.addWidget(self.waiting, 1)
        waiting.addWidget(self.review_button)
        self.body.addLayout(waiting)
        self.next_steps = paragraph(parent=self)
        self.body.addWidget(self.next_steps)
        self.tabs = QTabWidget(self)
        # Summary: one row per kind, one column per outcome.
        self.summary = read_only_table(self, len(COLUMNS) + 1)
        self.summary.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS) + 1):
            self.summary.horizontalHeader().setSectionResizeMode(
                col, QHeaderView.ResizeMode.ResizeToContents
            )
        at_least_rows(self.summary, 3)
        self.tabs.addTab(self.summary, "")
        # Problems: what could not be done, why, and what to do.
        problems = QWidget(self)
        box = QVBoxLayout(problems)
        self.problems_hint = paragraph(parent=problems)
        self.problems = read_only_table(problems, 4)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.problems.setColumnWidth(0, 180)
        box.addWidget(self.problems_hint)
        box.addWidget(self.problems, 1)
        self.tabs.addTab(problems, "")
        # Left for later: skipped records and conflicts waiting for a decision.
        later = QWidget(self)
        box = QVBoxLayout(later)
        self.later_hint = paragraph(parent=later)
        self.later = read_only_table(later, 3)
        header = self.later.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.later.setColumnWidth(0, 200)
        box.addWidget(self.later_hint)
        box.addWidget(self.later, 1)
        self.tabs.addTab(later, "")
        self.body.addWidget(self.tabs, 1)

        # (a large font: the buttons wrap onto a second line rather than cut their words)
        row = WrapRow(right_from=1)
        self.undo_button = QPushButton(self)
        self.logs_button = QPushButton(self)
        self.export_button = QPushButton(self)
        row.addWidget(self.undo_button)
        row.addWidget(self.logs_button)
        row.addWidget(self.export_button)
        self.body.addLayout(row)
        self.undo_button.clicked.connect(self._confirm_undo)
        self.logs_button.clicked.connect(self.open_logs)
        self.export_button.clicked.connect(self.export_report)
        chain = (
            self.review_button,
            self.tabs,
            self.summary,
            self.problems,
            self.later,
            self.undo_button,
            self.logs_button,
            self.export_button,
        )  # hidden tabs are skipped
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

        self._question: QMessageBox | None = None
        #: name, kind, action, reason, name of the record it waited for (worded when shown)
        self._problems: list[tuple[str, str, str, str, str | None]] = []
        self._undone: Any = None  # the undo run, once undone here
        #: the undo running from here: set, it stops between two batches (None: no undo runs)
        self._undo_cancel: threading.Event | None = None
        self._undo_failed = 0
        #: what the undo left as QuickBooks Time users changed or built on it ("who: what"),
        #: and how many review decisions it put back to review
        self._undo_left: list[str] = []
        self._undo_reopened = 0
        self._message: tuple[str, str] | None = None  # the banner, kept across retranslation

    # ---------------------------------------------------------------- data
    def _run(self) -> Any:
        return self.state.last_run

    def _outcomes(self) -> dict[str, dict[str, int]]:
        """What the run did, counted as the preview counts (core.engine.report)."""
        importer = getattr(self.state, "last_importer", None)
        if importer is not None:
            return outcome_changes(importer.outcomes)
        run = self._run()
        return outcome_changes((run.counts or {}).get("outcomes", {})) if run is not None else {}

    def waiting_count(self) -> int:
        """Records of the plan imported that wait for a decision in the review."""
        plan = self.state.plan
        return records_waiting(plan) if plan is not None else 0

    def initializePage(self) -> None:
        self._entered = True
        self._undone = None
        self._undo_failed = 0
        self._undo_left = []
        self._undo_reopened = 0
        self._message = None
        self.banner.clear()
        run = self._run()
        importer = getattr(self.state, "last_importer", None)
        if importer is not None and importer.run is run:
            self._problems = [
                (a.label, a.entity, a.op, reason, self._waited_for(a, importer))
                for a, reason in importer.problems
            ]
            self._refresh()
        elif run is not None:
            self._problems = []
            self._refresh()
            self.run_task(
                problems_task,
                run.id,
                message=lambda: self.tr("Reading the journal…"),
                on_done=self._journal_problems,
            )
        else:
            self._problems = []
            self._refresh()

    @staticmethod
    def _waited_for(action: Any, importer: Any) -> str | None:
        """The name of the record ``action`` needed and that failed (None otherwise)."""
        if action.needs and action.needs in importer.failed_refs:
            return next((a.label for a in importer.plan.actions if a.ref == action.needs), None)
        return None

    def _reason(self, reason: str, waited_for: str | None) -> str:
        if waited_for:
            return self.tr(
                'Not written because "{name}" could not be written first (see its reason).'
            ).format(name=waited_for)
        return reason

    def _journal_problems(self, problems: list[Any]) -> None:
        self._problems = [(p.name, p.kind, p.action, p.reason, None) for p in problems]
        self._refresh()

    # ---------------------------------------------------------------- showing
    def _refresh(self) -> None:
        self._fill_status()
        self._fill_waiting()
        self._fill_summary()
        self._fill_problems()
        self._fill_later()
        self._update_buttons()

    def _fill_status(self) -> None:
        run = self._run()
        outcomes = self._outcomes()
        changes = total_changes(outcomes)
        failed = len(self._problems)
        if run is None:
            text = self.tr("Nothing was imported: QuickBooks Time was already up to date.")
        elif self._undone is not None or run.status == "undone":
            text = self.tr("This import was undone: QuickBooks Time is back as it was before it.")
        elif run.status == "cancelled":
            text = self.tr(
                "The import was stopped after {changes}. Import again from the start "
                "page to finish the job: nothing is created twice."
            ).format(changes=changes_text(changes))
        elif run.status != "done":
            text = self.tr(
                "The import did not finish ({changes} made). Import again from the "
                "start page to finish the job: nothing is created twice."
            ).format(changes=changes_text(changes))
        elif failed:
            text = self.tr(
                "The import is finished: {changes} made in QuickBooks Time. "
                "Not written: {records} (see Problems)."
            ).format(changes=changes_text(changes), records=records_text(failed))
        elif self.waiting_count():
            text = self.tr("The import is finished: {changes} made in QuickBooks Time.").format(
                changes=changes_text(changes)
            )
        else:
            text = self.tr(
                "The import is finished: {changes} made in QuickBooks Time. Nothing went wrong."
            ).format(changes=changes_text(changes))
        self.status.setText(text)

    def _fill_waiting(self) -> None:
        """What still waits ("20 records need your decision"), the button that goes there,
        and what to do next in QuickBooks Time."""
        waiting = self.waiting_count()
        undone = self._undone is not None or getattr(self._run(), "status", "") == "undone"
        self.waiting.setVisible(bool(waiting) and not undone)
        self.review_button.setVisible(bool(waiting) and not undone)
        self.waiting.setText(
            count_text(
                waiting,
                self.tr(
                    "1 record needs your decision: it was not imported. Decide, then import again."
                ),
                self.tr(
                    "{n} records need your decision: they were not imported. Decide, then "
                    "import again."
                ),
            )
        )
        run = self._run()
        self.next_steps.setVisible(run is not None and not undone)
        self.next_steps.setText(
            self.tr(
                'Next, in QuickBooks Time: open "Customers" and "Team" to see what was '
                "imported; your team can track time to these customers now. When Xero "
                'changes, "Import again" on the start page brings QuickBooks Time up to date.'
            )
        )

    def _fill_summary(self) -> None:
        outcomes = dict(self._outcomes())
        if self._problems and not outcomes.get("failed"):
            failed: dict[str, int] = {}
            for _name, kind, *_rest in self._problems:
                key = summary_kind(kind)
                failed[key] = failed.get(key, 0) + 1
            outcomes["failed"] = failed
        kinds = [k for k in SUMMARY_KINDS if any(outcomes.get(v, {}).get(k) for v in COLUMNS)]
        # the kinds, then a total row: the changes made add up to the status line (and to
        # the preview's total row when everything was written)
        self.summary.setRowCount(len(kinds) + 1 if kinds else 0)
        for col, verb in enumerate(COLUMNS, start=1):
            self.summary.setColumnHidden(col, not any(outcomes.get(verb, {}).values()))
        for row, kind in enumerate(kinds):
            self.summary.setItem(row, 0, cell(kind_name(kind)))
            for col, verb in enumerate(COLUMNS, start=1):
                n = outcomes.get(verb, {}).get(kind, 0)
                self.summary.setItem(
                    row, col, cell(str(n) if n else "–", tooltip=False, align_right=True)
                )
        if kinds:
            row = len(kinds)
            self.summary.setItem(row, 0, cell(self.tr("Total")))
            for col, verb in enumerate(COLUMNS, start=1):
                n = sum(outcomes.get(verb, {}).values())
                self.summary.setItem(
                    row, col, cell(str(n) if n else "–", tooltip=False, align_right=True)
                )
            for col in range(len(COLUMNS) + 1):
                item = self.summary.item(row, col)
                if item is not None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
        fit_rows(self.summary)

    def _fill_problems(self) -> None:
        self.problems.setRowCount(len(self._problems))
        for row, (name, kind, op, reason, waited_for) in enumerate(self._problems):
            self.problems.setItem(row, 0, cell(name))
            self.problems.setItem(row, 1, cell(entity_words(kind)))
            self.problems.setItem(row, 2, cell(action_words(op)))
            self.problems.setItem(row, 3, cell(self._reason(reason, waited_for)))
        fit_rows(self.problems)
        self.tabs.setTabText(1, self.tr("&Problems ({n})").format(n=len(self._problems)))

    def _fill_later(self) -> None:
        plan = self.state.plan
        skipped = list(plan.skipped) if plan is not None else []
        self._later_fill += 1
        self.later.setRowCount(len(skipped))
        # from the next turn of the event loop: the move to this page makes none of them
        fill = self._later_fill
        QTimer.singleShot(NEXT_TURN_MS, self, lambda: self._fill_later_rows(skipped, 0, fill))
        fit_rows(self.later)
        self.tabs.setTabText(2, self.tr("No&t imported ({n})").format(n=len(skipped)))

    def _fill_later_rows(self, skipped: list[Any], start: int, fill: int) -> None:
        """Rows ``start`` to ``start`` + LATER_ROWS_A_TURN, the next ones in the next turn."""
        if fill != self._later_fill:
            return  # filled again since (a language change, a new run)
        end = min(len(skipped), start + LATER_ROWS_A_TURN)
        for row in range(start, end):
            item = skipped[row]
            self.later.setItem(row, 0, cell(item.name))
            self.later.setItem(row, 1, cell(entity_words(item.kind)))
            self.later.setItem(row, 2, cell(item.describe()))
        if end < len(skipped):
            QTimer.singleShot(NEXT_TURN_MS, self, lambda: self._fill_later_rows(skipped, end, fill))

    def _update_buttons(self) -> None:
        from core.engine.report import can_undo

        run = self._run()
        undoable = can_undo(run) and self._undone is None and not self.busy
        self.undo_button.setEnabled(undoable)
        self.export_button.setEnabled(run is not None and not self.busy)

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        super().set_busy(busy, message)
        self._update_buttons()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Done"))
        self.setSubTitle(self.tr("What the import did, what it could not do, and how to undo it."))
        self.tabs.setTabText(0, self.tr("&Summary"))
        self.summary.setHorizontalHeaderLabels([self.tr("What")] + [verb_title(v) for v in COLUMNS])
        self.summary.setAccessibleName(self.tr("Summary of the changes"))
        self.problems_hint.setText(
            self.tr(
                "These records were not written. Correct them in Xero or QuickBooks Time (the reason "
                'says what is wrong), then click "Import again" on the start page: what was done '
                "is not repeated."
            )
        )
        self.problems.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Kind"), self.tr("Change"), self.tr("Reason")]
        )
        self.problems.setAccessibleName(self.tr("Problems"))
        self.later_hint.setText(
            self.tr(
                "These records were not imported this time. Those waiting for your decision are "
                'settled in "Review look-alike records"; the others say why.'
            )
        )
        self.review_button.setText(self.tr("&Review look-alike records"))
        self.review_button.setToolTip(
            self.tr("Decide what to do with each one; nothing is sent until you import again")
        )
        self.later.setHorizontalHeaderLabels([self.tr("Record"), self.tr("Kind"), self.tr("Why")])
        self.later.setAccessibleName(self.tr("Records not imported"))
        self.undo_button.setText(self.tr("&Undo this import"))
        self.undo_button.setToolTip(
            self.tr("Put QuickBooks Time back as it was before this import")
        )
        self.logs_button.setText(self.tr("Open &log folder"))
        self.export_button.setText(self.tr("&Export report (CSV)…"))
        self.export_button.setToolTip(
            self.tr("One row per change, for your records or your accountant")
        )
        if self._entered:
            self._refresh()
        if self._message is not None:
            self._show_message(*self._message)

    def _show_message(self, key: str, kind: str, **params: Any) -> None:
        """Banners that must survive a language change are keyed, not stored as text."""
        self._message = (key, kind)
        texts = {
            "undone": self.tr(
                "The import was undone. What it created is archived (QuickBooks "
                "Time never deletes anything), what it changed is changed back, "
                "and what it archived is active again."
            ),
            "undo_partly": self.tr(
                "Part of the import could not be undone ({changes}). "
                'Click "Undo this import" again to retry.'
            ).format(changes=changes_text(self._undo_failed)),
            "undo_stopped": self.tr(
                "The undo was stopped: part of the import is undone, the rest is as the "
                'import left it. Click "Undo this import" to finish putting QuickBooks Time '
                "back as it was: what is undone already stays so."
            ),
        }
        if key in texts:
            text = texts[key]
            if key == "undone" and self._undo_left:
                text += "\n" + self.tr(
                    "Except what was changed or built on in QuickBooks Time after the import, "
                    "left as it is:"
                )
                text += "".join(f"\n• {line}" for line in self._undo_left)
            if key == "undone" and self._undo_reopened:
                text += "\n" + self.tr(
                    "{count} review decision(s) this import applied are open again: review "
                    "them before the next import."
                ).format(count=self._undo_reopened)
            self.banner.show_message(text, kind)

    def review(self) -> None:
        """To the review of look-alike records; deciding there leads to a new preview and
        import (the wizard starts again there: this import is over)."""
        from ..state import PageId

        self.host.restart_at(PageId.REVIEW)

    # ---------------------------------------------------------------- undo
    def _confirm_undo(self) -> None:
        run = self._run()
        if run is None:
            return
        self._question = ask(
            self,
            self.tr("Undo this import?"),
            self.tr("Undo this import?"),
            self.tr("&Undo the import"),
            self.tr("&Keep it"),
            self.undo,
            informative=self.tr(
                "What the import created is archived in QuickBooks Time, what it changed is "
                "changed back, and what it archived is made active again. Time already "
                "tracked is kept."
            ),
        )

    def undo(self) -> None:
        """Undo the run shown (after the confirmation)."""
        run = self._run()
        if run is None or self.busy:
            return
        self._undo_cancel = threading.Event()
        self.run_task(
            undo_task,
            self.state.ctx,
            self.state.connection_id,
            run.id,
            message=lambda: self.tr(
                "Undoing the import… QuickBooks Time is being put back as it was."
            ),
            on_done=self._undo_done,
            on_error=self._undo_error,
            on_progress=lambda _e: None,
            cancel=self._undo_cancel,
        )

    def question_box(self) -> QMessageBox | None:
        """The question the page shows ("Undo this import?", "Stop the undo?"), if any."""
        question = self._question
        return question if question is not None and shiboken6.isValid(question) else None

    @property
    def undoing(self) -> bool:
        """An undo runs from this page (closing the window asks first)."""
        return self._undo_cancel is not None

    def ask_before_closing(self) -> bool:
        """The window's Cancel, Escape or close button while undoing: ask "Stop the undo?"
        first (True = the window stays; the undo goes on until the user agrees, and once
        stopping, until its step in progress is done)."""
        if self._undo_cancel is None:
            return False
        question = self.question_box()
        if not self._undo_cancel.is_set() and not (question is not None and question.isVisible()):
            self._question = ask(
                self,
                self.tr("Stop the undo?"),
                self.tr("Stop the undo?"),
                self.tr("&Stop the undo"),
                self.tr("&Keep undoing"),
                self.request_cancel,
                informative=self.tr(
                    "What is already put back stays so. The step in progress is finished "
                    'first; then "Undo this import" finishes the undo whenever you wish.'
                ),
            )
        return True

    def request_cancel(self) -> None:
        """Stop the undo between two batches (the user agreed, or the window is closing)."""
        if self._undo_cancel is None or self._undo_cancel.is_set():
            return
        self._undo_cancel.set()
        self.set_busy_words(lambda: self.tr("Stopping the undo after the current step…"))

    def _undo_ended(self) -> None:
        """The undo's worker has ended: nothing left to stop, and no question left open."""
        self._undo_cancel = None
        question = self.question_box()
        if question is not None and question.isVisible():
            question.close()  # "Stop the undo?" has no object any more
        self._question = None

    def _undo_done(self, value: tuple[Any, Any]) -> None:
        self._undo_ended()
        undo_run, original = value
        self.state.last_run = original
        failed = int((undo_run.counts or {}).get("failed", 0))
        if failed:
            self._undo_failed = failed
            self._show_message("undo_partly", "warning")
        else:
            self._undone = undo_run
            counts = undo_run.counts or {}
            self._undo_left = [
                f"{item.get('who', '')}: {item.get('what', '')}"
                for item in counts.get("left_alone", [])
            ]
            self._undo_reopened = int(counts.get("decisions_reopened", 0) or 0)
            self._show_message("undone", "warning" if self._undo_left else "success")
        self._fill_status()
        self._fill_waiting()
        self._update_buttons()

    def _undo_error(self, exc: Any) -> None:
        from core.engine.importer import ImportCancelled

        self._undo_ended()
        if isinstance(exc, ImportCancelled):  # stopped: the import stays as it was recorded,
            self._show_message("undo_stopped", "warning")  # undoable again
            self._fill_status()
            self._update_buttons()
            return
        self._message = None
        self.show_error(exc, retry=self.undo)
        self._update_buttons()

    # ---------------------------------------------------------------- log folder, report
    def open_logs(self) -> None:
        folder = Path(self.state.ctx.paths.logs)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._message = None
            self.banner.show_message(
                self.tr(
                    "The log folder could not be opened here. You will find it at: {path}"
                ).format(path=folder),
                "warning",
            )

    def report_words(self) -> dict[str, str]:
        """The codes of the report, in the user's language."""
        words = {
            op: action_words(op)
            for op in ("create", "update", "restore", "archive", "link", "assign", "unassign")
        }
        words.update(
            {
                e: entity_words(e)
                for e in (
                    "jobcode",
                    "location",
                    "user",
                    "customfield",
                    "customfielditem",
                    "tracking_option",
                    "leave_link",
                    "assignment",
                )
            }
        )
        words.update({s: state_words(s) for s in ("done", "failed", "intent", "unknown")})
        return words

    def report_header(self) -> list[str]:
        return [
            self.tr("Change"),
            self.tr("Kind"),
            self.tr("Name"),
            self.tr("Before"),
            self.tr("After"),
            self.tr("Result"),
            self.tr("Reason"),
        ]

    def ask_report_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export report"), suggested, self.tr("CSV files (*.csv)")
        )
        return path

    def export_report(self) -> None:
        run = self._run()
        if run is None or self.busy:
            return
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        ) or str(Path.home())
        stamp = (run.started_at or datetime.now(UTC)).astimezone().strftime("%Y-%m-%d")
        suggested = str(
            Path(folder) / self.tr("import-{number}-{date}.csv").format(number=run.id, date=stamp)
        )
        path = self.ask_report_path(suggested)
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        self.run_task(
            export_task,
            run.id,
            path,
            self.report_header(),
            self.report_words(),
            self.state.language,
            message=lambda: self.tr("Saving the report…"),
            on_done=lambda value: self._exported(path, value),
        )

    def _exported(self, path: str, value: tuple[int, str]) -> None:
        rows, why = value
        self._message = None
        if rows < 0:
            self.banner.show_message(
                self.tr(
                    "The report could not be saved in {path} ({why}). "
                    "Choose another folder and try again."
                ).format(path=path, why=why),
                "error",
                action_text=self.tr("Try again"),
                action=self.export_report,
            )
        else:
            self.banner.show_message(
                self.tr("Report saved: {path} ({rows}).").format(path=path, rows=rows_text(rows)),
                "success",
            )
