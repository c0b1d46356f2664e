"""Send hours to Xero, page 5 — the result: what was sent (the numbers of the preview), what
was not and why, Undo, and what to do next in Xero (approve the drafts).

Undo goes through ``core.app.sync.undo`` like an import's (it hands an export to
``core.app.payroll.undo_export``), in a worker, after a confirmation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QWizard

from ..tasks import undo_task
from ..widgets import ask, cell, fit_rows, heading, paragraph, read_only_table
from .base import BasePage
from .payroll_period import period_text
from .payroll_preview import hours_text


def result_json(result: Any) -> dict[str, Any]:
    """The result as the headless ``export-hours --json`` prints it (one set of numbers)."""
    return dict(result.as_json()) if result is not None else {}


class PayrollDonePage(BasePage):
    def build(self) -> None:
        self.status = paragraph(parent=self)
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.body.addWidget(self.status)
        self.numbers = paragraph(parent=self)
        self.body.addWidget(self.numbers)
        self.problems_label = QLabel(self)
        self.problems = read_only_table(self, 2)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.problems.setColumnWidth(0, 200)
        self.problems_label.setBuddy(self.problems)
        self.body.addWidget(self.problems_label)
        self.body.addWidget(self.problems, 1)
        self.next_heading = heading(parent=self)
        self.next_steps = paragraph(parent=self)
        self.body.addWidget(self.next_heading)
        self.body.addWidget(self.next_steps)
        row = QHBoxLayout()
        self.undo_button = QPushButton(self)
        self.undo_button.clicked.connect(self.confirm_undo)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.question: QMessageBox | None = None
        self._data: dict[str, Any] = {}
        self._undone: str | None = None  # "undone" / "partly", once undone here

    def initializePage(self) -> None:
        self._data = result_json(self.state.payroll_result)
        self._undone = None
        rows = self._data.get("problems") or []
        self.problems.setRowCount(len(rows))
        for row, problem in enumerate(rows):
            self.problems.setItem(row, 0, cell(str(problem.get("who") or "—")))
            self.problems.setItem(row, 1, cell(str(problem.get("reason") or "")))
        fit_rows(self.problems)
        self.retranslate()

    # ---------------------------------------------------------------- numbers
    def sent_count(self) -> int:
        sheets = self._data.get("timesheets") or {}
        leave = self._data.get("leave") or {}
        return sum(int(sheets.get(k, 0)) for k in ("created", "updated")) + sum(
            int(leave.get(k, 0)) for k in ("created", "updated", "withdrawn")
        )

    def run_id(self) -> int | None:
        value = self._data.get("run_id")
        return int(value) if value else None

    # ---------------------------------------------------------------- undo
    def confirm_undo(self) -> None:
        if self.run_id() is None or self.busy:
            return
        self.question = ask(
            self,
            self.tr("Undo this sending?"),
            self.tr("Take these hours back out of Xero Payroll?"),
            self.tr("&Undo the sending"),
            self.tr("&Keep them"),
            self.undo,
            informative=self.tr(
                "The draft timesheets and leave this sending made are removed from Xero, and "
                "the drafts it changed are put back as they were. A timesheet already approved "
                "in Xero is left alone and listed. QuickBooks Time is not changed."
            ),
        )

    def undo(self) -> None:
        run_id = self.run_id()
        if run_id is None or self.busy or self.state.connection_id is None:
            return
        self.run_task(
            undo_task,
            self.state.ctx,
            self.state.connection_id,
            run_id,
            message=lambda: self.tr(
                "Undoing the sending… Xero Payroll is being put back as it was."
            ),
            on_done=self._undo_done,
            on_error=lambda exc: self.show_error(exc, retry=self.undo),
            on_progress=lambda _e: None,
        )

    def _undo_done(self, value: tuple[Any, Any]) -> None:
        undo_run, _original = value
        failed = int((undo_run.counts or {}).get("failed", 0) or 0)
        self._undone = "partly" if failed else "undone"
        self.retranslate()

    # ---------------------------------------------------------------- words
    def retranslate(self) -> None:
        self.setTitle(self.tr("Send hours to Xero: result"))
        data = self._data
        period = data.get("period") or {}
        if period.get("start") and period.get("end"):
            from datetime import date

            self.setSubTitle(
                self.tr("Pay period {period}.").format(
                    period=period_text(
                        date.fromisoformat(str(period["start"])),
                        date.fromisoformat(str(period["end"])),
                    )
                )
            )
        sheets = data.get("timesheets") or {}
        leave = data.get("leave") or {}
        hours = data.get("hours") or {}
        sent = self.sent_count()
        if self._undone == "undone":
            self.status.setText(
                self.tr("The sending was undone: Xero Payroll is as it was before.")
            )
        elif self._undone == "partly":
            self.status.setText(
                self.tr(
                    "Part of the sending could not be undone (a timesheet may be approved in "
                    "Xero already). History lists it: select it and undo again."
                )
            )
        elif sent:
            self.status.setText(self.tr("The hours are in Xero Payroll as draft timesheets."))
        elif data.get("problems"):  # (every write refused, or held back: listed below)
            self.status.setText(self.tr("Nothing was sent: see below why, and what to do."))
        else:
            self.status.setText(self.tr("Nothing was sent: Xero already had these hours."))
        self.numbers.setText(
            self.tr(
                "Timesheets — new: {created}, updated: {updated}, unchanged: {unchanged}, not "
                "sent: {skipped}.\nLeave — sent: {leave_created}, updated: {leave_updated}, "
                "withdrawn: {leave_withdrawn}, not sent: {leave_skipped}.\n"
                "Total for the period: {regular} hours of work, {leave_hours} hours of time off."
            ).format(
                created=int(sheets.get("created", 0)),
                updated=int(sheets.get("updated", 0)),
                unchanged=int(sheets.get("unchanged", 0)),
                skipped=int(sheets.get("skipped", 0)),
                leave_created=int(leave.get("created", 0)),
                leave_updated=int(leave.get("updated", 0)),
                leave_withdrawn=int(leave.get("withdrawn", 0)),
                leave_skipped=int(leave.get("skipped", 0)) + int(leave.get("locked", 0)),
                regular=hours_text(float(hours.get("regular", 0) or 0)),
                leave_hours=hours_text(float(hours.get("leave", 0) or 0)),
            )
            + self._not_sent_text(hours)
        )
        n = self.problems.rowCount()
        self.problems_label.setText(
            self.tr("&Not sent, and what to do:") if n else self.tr("Nothing was left out.")
        )
        self.problems.setVisible(n > 0)
        self.problems.setHorizontalHeaderLabels([self.tr("Who"), self.tr("Why, and what to do")])
        self.problems.setAccessibleName(self.tr("Not sent, and what to do"))
        self.next_heading.setText(self.tr("What to do next in Xero"))
        if self._undone == "undone" or not sent:
            self.next_steps.setText(
                self.tr(
                    "Nothing from this sending waits in Xero. Send hours again from the start "
                    "page whenever you are ready."
                )
            )
        else:
            self._show_next_steps()
        self.undo_button.setText(self.tr("&Undo this sending…"))
        self.undo_button.setEnabled(self.run_id() is not None and self._undone != "undone")
        # (Xero may have refused all a sending sent: then there is nothing to take back)
        self.undo_button.setVisible(self.run_id() is not None and sent > 0)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish"))

    def _not_sent_text(self, hours: dict[str, Any]) -> str:
        """The hours Xero refused (or held back with a refused timesheet), beside the total
        of what it took: counted, never lost from the numbers."""
        regular = float(hours.get("not_sent_regular", 0) or 0)
        leave = float(hours.get("not_sent_leave", 0) or 0)
        if regular <= 0 and leave <= 0:
            return ""
        return "\n" + self.tr(
            "Xero did not take {regular} hours of work and {leave_hours} hours of time off: "
            "see below why, and what to do."
        ).format(regular=hours_text(regular), leave_hours=hours_text(leave))

    def _show_next_steps(self) -> None:
        self.next_steps.setText(
            self.tr(
                "In Xero, open Payroll, then Timesheets: the draft timesheets wait for your "
                "approval there. Check and approve them before the pay run. Hours changed in "
                "QuickBooks Time later are sent as an update of the draft when you send hours "
                "for this period again."
            )
        )
