"""Bill time in Xero, page 1 — the dates whose hours go on draft invoices, and two options.

The range proposed is the days since the last billing run (up to yesterday), or the last
full month when nothing was billed yet, by the organisation's calendar: "today" is in its own
time zone (core.app.invoicing.billing_today, read by the page's worker; the computer's date
until it answers). "Preview invoices" (the wizard's Next) reads both sides and plans in a
worker (core.app.invoicing.preview_invoices): nothing is sent to Xero before the preview's
own button.

Each entry from the home page ("Bill time in Xero", ``state.billing`` None) proposes afresh:
the last billing run, the business and the day may all have changed while the window stayed
open. The days the user chose stay when they come back from the preview ("< Back"), and
when they typed them while the proposal was still being read.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QFormLayout, QLabel, QPushButton, QWizard

from ..billing_dates import BillingChoice, default_billing_range
from ..roomy import scrolled
from ..widgets import heading, paragraph
from .base import BasePage
from .sign_in_again import SignInAgain

if TYPE_CHECKING:
    from core.app.context import AppContext

log = logging.getLogger(__name__)


def last_billed_until(connection_id: int) -> tuple[date | None, str | None, date]:
    """The last day of the last billing run's range that was not undone (None: never billed),
    the organisation's Xero version (for a new sign-in) and today in its time zone."""
    from core.app.invoicing import billing_today
    from core.store.models import Connection, ImportRun

    conn = Connection.get_by_id(connection_id)
    version, today = conn.xero_version, billing_today(conn)

    runs = (
        ImportRun.select()
        .where(
            (ImportRun.connection == connection_id)
            & (ImportRun.kind == "invoicing")
            & (ImportRun.status == "done")
        )
        .order_by(ImportRun.id.desc())
    )
    for run in runs:
        to = (run.options or {}).get("to")
        if to:
            try:
                return date.fromisoformat(str(to)), version, today
            except ValueError:
                continue
    return None, version, today


def preview_task(
    ctx: AppContext, connection_id: int, choice: BillingChoice, *, progress: Any = None
) -> Any:
    """The worker: read both sides and plan the invoices (nothing is sent)."""
    from core.app.invoicing import check_scopes, preview_invoices
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    check_scopes(ctx, conn)  # invoicing is on from now; a sign-in without it says so
    return preview_invoices(
        ctx,
        conn,
        choice.start,
        choice.end,
        include_unapproved=choice.include_unapproved,
        name_people=choice.name_people,
        progress=progress,
    )


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class BillingRangePage(SignInAgain, BasePage):
    def build(self) -> None:
        # in a scroll area: with a large font (and the sign-in message shown), the date fields
        # and the notes keep their height and the page scrolls, instead of overlapping
        body = scrolled(self, self.body)
        self.intro = paragraph(parent=self)
        body.addWidget(self.intro)
        self.dates_heading = heading(parent=self)
        body.addWidget(self.dates_heading)
        form = QFormLayout()
        self.start_label = QLabel(self)
        self.start_edit = QDateEdit(self)
        self.end_label = QLabel(self)
        self.end_edit = QDateEdit(self)
        for label, edit in ((self.start_label, self.start_edit), (self.end_label, self.end_edit)):
            edit.setCalendarPopup(True)
            edit.setMinimumWidth(160)
            label.setBuddy(edit)
            form.addRow(label, edit)
        body.addLayout(form)
        self.range_note = paragraph(parent=self)
        body.addWidget(self.range_note)
        self.error_label = paragraph(parent=self)
        self.error_label.setStyleSheet("color:#611a15;")
        self.error_label.hide()
        body.addWidget(self.error_label)
        self.options_heading = heading(parent=self)
        body.addWidget(self.options_heading)
        self.unapproved_box = QCheckBox(self)
        self.unapproved_note = paragraph(parent=self)
        self.unapproved_note.setIndent(24)
        self.people_box = QCheckBox(self)
        self.people_note = paragraph(parent=self)
        self.people_note.setIndent(24)
        for widget in (
            self.unapproved_box,
            self.unapproved_note,
            self.people_box,
            self.people_note,
        ):
            body.addWidget(widget)
        self.add_sign_in(body)
        body.addStretch(1)
        self.setTabOrder(self.start_edit, self.end_edit)
        self.setTabOrder(self.end_edit, self.unapproved_box)
        self.setTabOrder(self.unapproved_box, self.people_box)
        self.start_edit.dateChanged.connect(self._dates_changed)
        self.end_edit.dateChanged.connect(self._dates_changed)
        self._previewed = False
        self._since_last: date | None = None
        #: the range for this entry is set: proposed from the last billing run, or kept
        self._defaults_set = False
        self._typed = False  # the user chose days on this visit (a proposal keeps them)
        self._setting = False  # (the page sets the dates: not the user's)
        self._asking = 0  # which entry's question is the latest (older answers: none)
        self._today = date.today()  # the organisation's, once read
        start, end = default_billing_range(self._today)
        self._set_range(start, end)

    # ---------------------------------------------------------------- entering
    def initializePage(self) -> None:
        """Each entry asks again for the last billing run and the organisation's today: a
        new billing (from the home page) is proposed the days since, of the business chosen
        now; a choice made before is kept."""
        self._previewed = False
        self._typed = False
        self._defaults_set = False
        choice = self.state.billing
        if choice is not None:  # a choice made before for this business: keep it
            self._set_range(choice.start, choice.end)
            self.unapproved_box.setChecked(choice.include_unapproved)
            self.people_box.setChecked(choice.name_people)
        connection_id = self.state.connection_id
        if connection_id is not None:
            self._asking += 1
            asking = self._asking
            self.host.tasks.start(
                last_billed_until,
                connection_id,
                on_done=lambda value: self._last_billed(value, asking, connection_id),
            )

    def _last_billed(
        self, value: tuple[date | None, str | None, date], asking: int, connection_id: int
    ) -> None:
        if asking != self._asking or connection_id != self.state.connection_id:
            return  # an earlier entry's answer, or another business's: a newer one follows
        last_end, self.xero_version, self._today = value
        self._since_last = last_end
        if not self._typed and self.state.billing is None:
            start, end = default_billing_range(self._today, last_end)
            self._set_range(start, end)
        self._defaults_set = True
        self._dates_changed()

    def _set_range(self, start: date, end: date) -> None:
        self._setting = True
        try:
            self.start_edit.setDate(to_qdate(start))
            self.end_edit.setDate(to_qdate(end))
        finally:
            self._setting = False

    def choice(self) -> BillingChoice:
        return BillingChoice(
            from_qdate(self.start_edit.date()),
            from_qdate(self.end_edit.date()),
            include_unapproved=self.unapproved_box.isChecked(),
            name_people=self.people_box.isChecked(),
        )

    # ---------------------------------------------------------------- checks
    def range_error(self) -> str:
        """Why the dates cannot be billed, in a sentence that says what to do ("" = fine)."""
        choice = self.choice()
        if choice.start > choice.end:
            return self.tr(
                "The first day is after the last day. Choose a first day on or before the last day."
            )
        if choice.start > self._today:
            return self.tr(
                "These days have not come yet, so they hold no hours. Choose days up to today."
            )
        return ""

    def _dates_changed(self, *_args: Any) -> None:
        if _args and not self._setting:  # (a date edit's signal, not the page's own setting)
            self._typed = True
        error = self.range_error()
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        self._explain_range()
        self.completeChanged.emit()

    def ready(self) -> bool:
        # (until the new sign-in, a preview could only fail again: "Connect to Xero" is the
        # page's main action, Next waits)
        return not self.range_error() and not self.sign_in_needed

    def primary_action(self) -> QPushButton | None:
        return self.sign_in_action()

    # ---------------------------------------------------------------- words
    def _explain_range(self) -> None:
        choice = self.choice()
        days = (choice.end - choice.start).days + 1
        if days < 1:
            self.range_note.setText("")
            return
        text = self.tr("{days} days, from {start} to {end}.").format(
            days=days,
            start=self.start_edit.date().toString(self.start_edit.displayFormat()),
            end=self.end_edit.date().toString(self.end_edit.displayFormat()),
        )
        if self._since_last is not None:
            text += " " + self.tr(
                "Hours already billed are never billed twice: the preview leaves them out."
            )
        self.range_note.setText(text)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Bill time in Xero"))
        self.setSubTitle(
            self.tr(
                "Turn the billable hours tracked in QuickBooks Time into draft invoices in Xero: "
                "one per customer."
            )
        )
        self.intro.setText(
            self.tr(
                "Choose the days whose hours you want to bill. You will see every invoice, with "
                "its lines and amounts, before anything is sent to Xero. The invoices stay drafts "
                "in Xero until you approve them there."
            )
        )
        self.dates_heading.setText(self.tr("Days to bill"))
        self.start_label.setText(self.tr("&From:"))
        self.end_label.setText(self.tr("&To (included):"))
        self.start_edit.setAccessibleName(self.tr("First day to bill"))
        self.end_edit.setAccessibleName(self.tr("Last day to bill"))
        self.options_heading.setText(self.tr("Options"))
        self.unapproved_box.setText(self.tr("Include hours &not approved yet"))
        self.unapproved_note.setText(
            self.tr(
                "Usually only approved hours are billed. If you include the others, the preview "
                "marks them as not approved."
            )
        )
        self.people_box.setText(self.tr("Na&me the people on the invoice lines"))
        self.people_note.setText(
            self.tr(
                "Each line's description then says who worked, besides the dates. Your customer "
                "sees these names."
            )
        )
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Preview invoices"))
        self._dates_changed()

    # ---------------------------------------------------------------- next: the preview
    def validatePage(self) -> bool:
        if self._previewed:
            self._previewed = False
            return True
        if not self.busy and self.state.connection_id is not None and self.ready():
            self.preview()
        return False

    def preview(self) -> None:
        if self.busy:
            return
        choice = self.choice()
        self.state.billing = choice
        self.run_task(
            preview_task,
            self.state.ctx,
            self.state.connection_id,
            choice,
            message=lambda: self.tr("Reading the hours in QuickBooks Time and the prices in Xero…"),
            on_done=self._previewed_now,
            on_error=self._preview_failed,
            on_progress=self._progress,
        )

    def _preview_failed(self, exc: Any) -> None:
        from core.services.auth.xero_oauth import InvoicingScopesMissing

        if isinstance(exc, InvoicingScopesMissing):
            # Only a new consent in Xero adds the permission to create invoices.
            from ..workers import error_text

            self.ask_sign_in(error_text(exc), self.tr("&Connect to Xero"), self.preview)
            return
        self.show_error(exc, retry=self.preview)

    def _progress(self, event: Any) -> None:
        message = getattr(event, "message", None)
        if isinstance(message, str) and message:
            self.busy_label.setText(message)

    def _previewed_now(self, preview: Any) -> None:
        self.state.billing_preview = preview
        self.state.billing_result = None
        self._previewed = True
        self.host.next()
