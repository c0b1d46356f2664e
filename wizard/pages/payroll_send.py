"""Send hours to Xero, page 4 — sending, with progress and a stop that asks first.

``core.app.payroll.send_hours`` runs in a worker; it journals every write, checks the cancel
event between people and returns what it did. Stopping (the button, the window's Cancel or
Escape) asks first; either way the result page follows, with what was sent and its Undo.
Sending the same period again finishes a stopped sending without sending anything twice.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QPushButton, QWizard

from .base import StopQuestion
from .sending import SendingPage, WordedLog
from .sign_in_again import SignInAgain

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
    from core.app.payroll import send_hours
    from core.store.models import Connection

    return send_hours(
        ctx, Connection.get_by_id(connection_id), preview, progress=progress, cancel=cancel
    )


def needs_sign_in(exc: Any) -> bool:
    """Whether only a new Xero sign-in mends what stopped the sending (the sign-in expired
    or was revoked, the organisation disconnected from the app, a permission missing)."""
    from core.errors import ReauthorizationRequired
    from core.services.xero.client import XeroOrganisationDisconnected

    return isinstance(exc, (ReauthorizationRequired, XeroOrganisationDisconnected))


class PayrollSendPage(SignInAgain, SendingPage):
    """The result (what was sent, and Undo) is the next page, PayrollDonePage. A sending a
    sign-in problem stopped offers "Connect to Xero", then goes on."""

    def build_report(self) -> None:
        self.log = WordedLog(self)  # worded again when the language changes
        self.body.addWidget(self.log, 1)
        self._finished = False
        self.add_sign_in(self.body)

    def primary_action(self) -> QPushButton | None:
        return self.sign_in_action()

    # ---------------------------------------------------------------- the wizard
    def ready(self) -> bool:
        return self._finished

    def start(self) -> None:
        self._finished = False
        self.state.payroll_result = None
        self.log.clear_lines()
        if self.send(
            send_task,
            self.state.payroll_preview,
            message=lambda: self.tr("Sending the hours to Xero Payroll…"),
            nothing=self.tr("There is nothing to send. Go back and choose a pay period."),
            on_done=self._sent,
            on_error=self._failed,
        ):
            self.log.add(lambda: self.tr("Sending started."))

    def _progress(self, event: Any) -> None:
        super()._progress(event)
        who = getattr(event, "message", "") or getattr(event, "eta_s", "")
        phase = getattr(event, "phase", "")
        if isinstance(who, str) and who and phase == "send_timesheets":
            self.log.add(lambda: self.tr("Timesheet: {who}").format(who=who))
        elif isinstance(who, str) and who and phase == "send_leave":
            self.log.add(lambda: self.tr("Leave: {who}").format(who=who))

    # ---------------------------------------------------------------- stopping
    def stop_question(self) -> StopQuestion:
        return StopQuestion(
            title=self.tr("Stop sending?"),
            text=self.tr("Stop sending hours to Xero?"),
            stop=self.tr("&Stop sending"),
            keep=self.tr("&Keep sending"),
            informative=self.tr(
                "The person being sent now is finished first. What was already sent stays in "
                "Xero as draft timesheets: the next page shows it, and you can undo it there."
            ),
        )

    def stopping_shown(self) -> None:
        self.log.add(lambda: self.tr("Stopping after the current person…"))

    # ---------------------------------------------------------------- the end
    def _sent(self, result: Any) -> None:
        self.end_sending()
        self._finished = True
        self.state.payroll_result = result
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.log.add(lambda: self.tr("Finished."))
        self.completeChanged.emit()
        self.host.next()  # the result: what was sent, and Undo

    def _failed(self, exc: Any) -> None:
        from ..workers import error_text

        self.end_sending()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.log.add(
            lambda: self.tr("Stopped by a problem: {reason}").format(reason=error_text(exc))
        )
        if needs_sign_in(exc):  # (the words say "Connect to Xero": the banner's button)
            conn = self.state.connection()
            self.xero_version = conn.xero_version if conn is not None else None
            self.ask_sign_in(
                self.tr(
                    "The hours were not all sent: {reason} Once you are signed in, the sending "
                    "goes on: nothing is sent twice."
                ).format(reason=error_text(exc)),
                self.tr("&Connect to Xero"),
                self.start,
            )
            return
        self.banner.show_message(
            self.tr(
                "The hours were not all sent: {reason} Send again once it is fixed: nothing "
                "is sent twice."
            ).format(reason=error_text(exc)),
            "error",
            action_text=self.tr("Send &again"),
            action=self.start,
        )

    # ---------------------------------------------------------------- words
    def retranslate(self) -> None:
        self.setTitle(self.tr("Send hours to Xero: sending"))
        self.setSubTitle(self.tr("Draft timesheets are being made in Xero Payroll."))
        self.status.setText(
            self.tr(
                "You can stop at any time: what was already sent is shown on the next page, "
                "where you can undo it."
            )
        )
        self.stop_button.setText(self.tr("S&top sending…"))
        # Where the button leads once sent, as on the import page (QWizard's own word for a
        # commit page, "Commit", means nothing to the user).
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("See the &result"))
        self.log.setAccessibleName(self.tr("What was done"))
        self.log.reword()
