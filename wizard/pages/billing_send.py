"""Bill time in Xero, page 3 — sending the previewed invoices, then the result: each invoice
with its number, amount and status in Xero, a link to open it there, and Undo.

Sending runs in a worker (core.app.invoicing.send_invoices, journaled); "Stop" (and the
window's Cancel or Escape) asks first, then stops between invoices and shows what was sent.
Sending again later sends only what is left: nothing is billed twice.
"""

from __future__ import annotations

import logging
import threading
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QWizard

from ..billing import (
    SentInvoice,
    amount_words,
    hours_text,
    money,
    name_open_button,
    open_in_xero,
    run_invoices,
    status_words,
)
from ..roomy import at_least_rows, readable_columns, scrolled
from ..tasks import undo_task
from ..widgets import ask, cell, fit_rows, read_only_table
from ..words import count_text
from .base import BusyWords, StopQuestion
from .sending import SendingPage

if TYPE_CHECKING:
    from core.app.context import AppContext

log = logging.getLogger(__name__)


def send_task(
    ctx: AppContext,
    connection_id: int,
    preview: Any,
    *,
    progress: Any = None,
    cancel: threading.Event | None = None,
) -> Any:
    """The worker: send the previewed invoices (journaled)."""
    from core.app.invoicing import send_invoices
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    return send_invoices(ctx, conn, preview, progress=progress, cancel=cancel)


class BillingSendPage(SendingPage):
    """The result (the invoices in Xero, what was not billed, Undo) shows on this page."""

    def build_report(self) -> None:
        # in a scroll area: with a large font both tables keep a few rows (the page scrolls)
        body = scrolled(self, self.body)
        self.table_label = QLabel(self)
        self.table = read_only_table(self, 5)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table_label.setBuddy(self.table)
        at_least_rows(self.table, 3)
        readable_columns(self.table)
        body.addWidget(self.table_label)
        body.addWidget(self.table, 1)
        self.problems_label = QLabel(self)
        self.problems_label.setWordWrap(True)
        self.problems = read_only_table(self, 2)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.problems.setColumnWidth(0, 200)
        self.problems_label.setBuddy(self.problems)
        at_least_rows(self.problems, 2)
        self.problems.setMaximumHeight(max(140, self.problems.minimumHeight()))
        body.addWidget(self.problems_label)
        body.addWidget(self.problems)

    def build(self) -> None:
        super().build()
        self.undo_button = QPushButton(self)
        self.stop_row.insertWidget(1, self.undo_button)
        self.undo_button.clicked.connect(self._confirm_undo)
        self._result: Any = None
        self._error: Any = None
        self._invoices: list[SentInvoice] = []
        self._problems: list[tuple[str, str]] = []
        self._undone: Any = None
        self._undo_kept: list[str] = []
        self._show_result_widgets(False)

    # ---------------------------------------------------------------- stopping
    def stop_question(self) -> StopQuestion:
        return StopQuestion(
            title=self.tr("Stop sending?"),
            text=self.tr("Stop sending the invoices to Xero?"),
            stop=self.tr("&Stop"),
            keep=self.tr("&Keep sending"),
            informative=self.tr(
                "The invoice being sent is finished first. The result then shows what was sent; "
                "billing the same days again later sends only the rest, never twice."
            ),
        )

    def stopping_shown(self) -> None:
        self._retranslate_status()  # "Stopping after the invoice being sent…"

    # ---------------------------------------------------------------- sending
    def start(self) -> None:
        self._result = self._error = self._undone = None
        self._invoices, self._problems, self._undo_kept = [], [], []
        self._show_result_widgets(False)
        if self.send(
            send_task,
            self.state.billing_preview,
            message=lambda: self.tr("Sending the invoices to Xero…"),
            nothing=self.tr(
                "There is nothing to send. Go back to the start and preview the invoices."
            ),
            on_done=self._sent,
            on_error=self._failed,
        ):
            self._retranslate_status()

    def _sent(self, result: Any) -> None:
        self.end_sending()
        self._result = result
        self.state.billing_result = result
        self._problems = list(result.problems)
        self._finish()
        self._read_invoices()

    def _read_invoices(self) -> None:
        """Read back the invoices this billing made: their number, amount, status in Xero."""
        run = getattr(self._result, "run", None)
        if run is not None:
            self.run_task(
                run_invoices,
                self.state.ctx,
                self.state.connection_id,
                run.id,
                message=lambda: self.tr("Reading the invoices' status in Xero…"),
                on_done=self._invoices_read,
                on_error=self._status_unknown,
            )

    def _failed(self, exc: Any) -> None:
        self.end_sending()
        self._error = exc
        self._finish()
        self.show_error(exc, retry=self.start)

    def _finish(self) -> None:
        self.bar.hide()
        self._show_result_widgets(True)
        self._fill()
        self._retranslate_status()
        self.completeChanged.emit()

    def _invoices_read(self, invoices: list[SentInvoice]) -> None:
        self._invoices = invoices
        self._fill()

    def _status_unknown(self, exc: Any) -> None:
        from ..workers import error_text

        self.banner.show_message(
            self.tr(
                "The invoices were sent, but Xero could not be reached to read them back. "
                "Their status shows on the start page once Xero answers."
            )
            + " "
            + error_text(exc),
            "warning",
        )

    # ---------------------------------------------------------------- showing
    def _show_result_widgets(self, shown: bool) -> None:
        for widget in (self.table_label, self.table, self.undo_button):
            widget.setVisible(shown)
        has_problems = shown and bool(self._problems)
        self.problems_label.setVisible(has_problems)
        self.problems.setVisible(has_problems)

    def _fill(self) -> None:
        buttons: list[QPushButton] = []
        self.table.setRowCount(len(self._invoices))
        for row, invoice in enumerate(self._invoices):
            self.table.setItem(row, 0, cell(invoice.contact))
            self.table.setItem(row, 1, cell(invoice.number or "—"))
            self.table.setItem(row, 2, cell(money(invoice.total, invoice.currency)))
            self.table.setItem(row, 3, cell(status_words(invoice.status)))
            button = QPushButton(self.tr("Open in Xero"), self.table)
            name_open_button(button, invoice)
            button.setEnabled(bool(invoice.url))
            button.clicked.connect(lambda _c=False, url=invoice.url: self._open(url))
            self.table.setCellWidget(row, 4, button)
            buttons.append(button)
        fit_rows(self.table)
        self.problems.setRowCount(len(self._problems))
        for row, (who, reason) in enumerate(self._problems):
            self.problems.setItem(row, 0, cell(who))
            self.problems.setItem(row, 1, cell(reason))
        fit_rows(self.problems)
        self.problems_label.setText(
            self.tr("Hours not billed ({count}): each says why and what to do.").format(
                count=len(self._problems)
            )
        )
        self._show_result_widgets(self._result is not None or self._error is not None)
        self._update_buttons()
        # Tab: the invoices, each one's "Open in Xero", the hours not billed, then Undo
        chain = [self.table, *buttons, self.problems, self.undo_button]
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

    def _open(self, url: str) -> None:
        if not open_in_xero(url):
            self.banner.show_message(
                self.tr("The invoice could not be opened here. Its address is: {url}").format(
                    url=url
                ),
                "warning",
            )

    def _update_buttons(self) -> None:
        run = getattr(self._result, "run", None)
        self.undo_button.setEnabled(
            run is not None and self._undone is None and not self.busy and not self._running
        )

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        super().set_busy(busy, message)
        self._update_buttons()

    def ready(self) -> bool:
        return not self._running and (self._result is not None or self._error is not None)

    def nextId(self) -> int:
        return -1

    # ---------------------------------------------------------------- undo
    def _confirm_undo(self) -> None:
        if getattr(self._result, "run", None) is None:
            return
        self._question = ask(
            self,
            self.tr("Undo this billing?"),
            self.tr("Delete the draft invoices this billing made in Xero?"),
            self.tr("&Delete the drafts"),
            self.tr("&Keep them"),
            self.undo,
            informative=self.tr(
                "Drafts are deleted in Xero. An invoice approved or paid since is left "
                "as it is, and listed. The hours can be billed again later."
            ),
        )

    def undo(self) -> None:
        run = getattr(self._result, "run", None)
        if run is None or self.busy:
            return
        self.run_task(
            undo_task,
            self.state.ctx,
            self.state.connection_id,
            run.id,
            message=lambda: self.tr("Deleting the drafts in Xero…"),
            on_done=self._undo_done,
            on_error=lambda exc: self.show_error(exc, retry=self.undo),
            on_progress=lambda _e: None,
        )

    def _undo_done(self, value: tuple[Any, Any]) -> None:
        undo_run, _original = value
        self._undone = undo_run
        self._retranslate_status()
        self._update_buttons()
        self._read_invoices()

    # ---------------------------------------------------------------- words
    def _retranslate_status(self) -> None:
        if self._running:
            text = (
                self.tr("Stopping after the invoice being sent…")
                if self._stopping
                else self.tr("Sending the draft invoices to Xero. This takes a few seconds.")
            )
            self.status.setText(text)
            return
        result = self._result
        if result is None:
            self.status.setText(
                self.tr("Nothing was sent.") if self._error is not None else self.tr("Starting…")
            )
            return
        data = result.as_json()
        counts = data["invoices"]
        made = int(counts.get("created", 0)) + int(counts.get("updated", 0))
        amounts = " + ".join(
            amount_words(a["amount"], a["currency"], a["line_amount_types"])
            for a in data.get("amounts") or []
        )
        if self._undone is not None:
            text = self.tr(
                "Undone: the drafts this billing made are deleted in Xero. The hours can be "
                "billed again."
            )
        elif made == 0 and (data.get("problems") or int(counts.get("skipped", 0))):
            # (refused by Xero, or changed in Xero since the preview: said below, with why)
            text = self.tr("Nothing was sent: see below why, and what to do.")
        elif made == 0:
            text = self.tr("Nothing was sent: every invoice was already up to date in Xero.")
        else:
            text = self.tr(
                "Sent to Xero: {invoices} ({created} new, {updated} updated), "
                "{lines}, {hours} hours, {amount}."
            ).format(
                invoices=count_text(
                    made, self.tr("1 draft invoice"), self.tr("{n} draft invoices")
                ),
                created=int(counts.get("created", 0)),
                updated=int(counts.get("updated", 0)),
                lines=count_text(
                    int(data.get("lines", 0)), self.tr("1 line"), self.tr("{n} lines")
                ),
                hours=hours_text(data.get("hours", 0)),
                amount=amounts or "—",
            )
            if self._stopping:
                text = self.tr("Stopped before the end.") + " " + text
            text += " " + self.tr("Approve them in Xero when they are right.")
        self.status.setText(text)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Send to Xero"))
        self.setSubTitle(self.tr("The draft invoices are sent to Xero, then listed here."))
        self.table_label.setText(self.tr("&Invoices in Xero:"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Customer"),
                self.tr("Number"),
                self.tr("Amount"),
                self.tr("Status in Xero"),
                "",
            ]
        )
        self.table.setAccessibleName(self.tr("Invoices sent to Xero"))
        self.problems.setHorizontalHeaderLabels([self.tr("Who"), self.tr("Why, and what to do")])
        self.problems.setAccessibleName(self.tr("Hours not billed"))
        self.stop_button.setText(self.tr("&Stop…"))
        self.undo_button.setText(self.tr("&Undo: delete these drafts…"))
        self.undo_button.setToolTip(self.tr("Delete in Xero the draft invoices this billing made"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Close"))
        self._retranslate_status()
        self._fill()
