"""Page 0 — Home ("Import again"): the start page once the app is set up.

Shows the connection, the last import and what changed in Xero since the last check (a
fetch in a worker, on entering). The wizard's Next button is this page's main action,
"Import again": it plans from the local snapshots, then goes to the review of conflicts
when some wait for a decision, else to the preview. Offline, everything but the fetch
still works (the review and the options need no network).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGridLayout, QMessageBox, QPushButton, QVBoxLayout, QWizard

from ..state import PageId
from ..widgets import ask, heading, paragraph
from ..words import (
    changes_text,
    count_text,
    outcome_lines,
    records_text,
    run_status_words,
    total_changes,
    when_text,
)
from .base import BasePage

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.plan import ImportOptions, ImportPlan

log = logging.getLogger(__name__)

#: The kinds a fetch reports for Xero, in the order they are shown.
XERO_KINDS = (
    "contacts",
    "items",
    "tracking_categories",
    "tracking_options",
    "employees",
    "leave_types",
)


@dataclass(frozen=True)
class HomeInfo:
    """What the page shows besides the changes (read in a worker)."""

    organisation: str
    company: str
    run_id: int | None
    run_status: str
    run_when: Any
    run_outcomes: dict[str, dict[str, int]]
    run_failed: int


def load_home(connection_id: int) -> HomeInfo:
    from core.engine.report import last_import
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    run = last_import(conn)
    counts = (run.counts or {}) if run is not None else {}
    return HomeInfo(
        conn.xero_tenant_name,
        conn.qbtime_company_name,
        run.id if run is not None else None,
        run.status if run is not None else "",
        (run.finished_at or run.started_at) if run is not None else None,
        dict(counts.get("outcomes", {})),
        int(counts.get("failed", 0) or 0),
    )


def fetch_changes(ctx: AppContext, connection_id: int) -> dict[str, dict[str, int]]:
    """Fetch both sides; what changed in Xero, ``{kind: {added, changed, removed}}``."""
    from core.services.fetch import fetch
    from core.store.models import Connection

    report = fetch(ctx, Connection.get_by_id(connection_id))
    return report.summary()["xero"]


def plan_again(connection_id: int) -> tuple[ImportOptions, ImportPlan]:
    """The saved options and the plan from the local snapshots (no network)."""
    from core.app.sync import current_plan, load_options
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    options = load_options(conn)
    _snap, plan = current_plan(conn, options)
    return options, plan


def disconnect_task(ctx: AppContext, connection_id: int) -> list[str]:
    from core.app.connections import disconnect
    from core.store.models import Connection

    return disconnect(ctx, Connection.get_by_id(connection_id))


def xero_kind_name(kind: str) -> str:
    """A kind of Xero record, in Xero's own words."""
    names = {
        "contacts": QCoreApplication.translate("XeroKind", "Contacts"),
        "items": QCoreApplication.translate("XeroKind", "Items"),
        "tracking_categories": QCoreApplication.translate("XeroKind", "Tracking categories"),
        "tracking_options": QCoreApplication.translate("XeroKind", "Tracking options"),
        "employees": QCoreApplication.translate("XeroKind", "Employees"),
        "leave_types": QCoreApplication.translate("XeroKind", "Leave types"),
    }
    return names.get(kind, kind)


def change_count(what: str, n: int) -> str:
    if what == "added":
        return count_text(
            n,
            QCoreApplication.translate("XeroKind", "1 added"),
            QCoreApplication.translate("XeroKind", "{n} added"),
        )
    if what == "changed":
        return count_text(
            n,
            QCoreApplication.translate("XeroKind", "1 changed"),
            QCoreApplication.translate("XeroKind", "{n} changed"),
        )
    return count_text(
        n,
        QCoreApplication.translate("XeroKind", "1 removed"),
        QCoreApplication.translate("XeroKind", "{n} removed"),
    )


def change_lines(changes: dict[str, dict[str, int]]) -> list[str]:
    """ "Contacts: 1 added, 2 changed" per kind that changed."""
    lines = []
    kinds = [k for k in XERO_KINDS if k in changes] + sorted(set(changes) - set(XERO_KINDS))
    for kind in kinds:
        counts = changes[kind]
        parts = [
            change_count(w, counts[w]) for w in ("added", "changed", "removed") if counts.get(w)
        ]
        if parts:
            lines.append(
                QCoreApplication.translate("Outcome", "{kind}: {changes}").format(
                    kind=xero_kind_name(kind), changes=", ".join(parts)
                )
            )
    return lines


class HomePage(BasePage):
    def build(self) -> None:
        self.connection_label = paragraph(parent=self)
        self.body.addWidget(self.connection_label)
        self.last_heading = heading(parent=self)
        self.last_label = paragraph(parent=self)
        self.body.addWidget(self.last_heading)
        self.body.addWidget(self.last_label)
        self.changes_heading = heading(parent=self)
        self.changes_label = paragraph(parent=self)
        self.body.addWidget(self.changes_heading)
        self.body.addWidget(self.changes_label)
        self._build_payroll()
        self._build_billing()
        self.body.addStretch(1)
        grid = QGridLayout()
        self.review_button = QPushButton(self)
        self.options_button = QPushButton(self)
        self.history_button = QPushButton(self)
        self.disconnect_button = QPushButton(self)
        for button in (
            self.review_button,
            self.options_button,
            self.history_button,
            self.disconnect_button,
        ):
            button.setMinimumHeight(34)
        grid.addWidget(self.review_button, 0, 0)
        grid.addWidget(self.options_button, 0, 1)
        grid.addWidget(self.history_button, 1, 0)
        grid.addWidget(self.disconnect_button, 1, 1)
        self.body.addLayout(grid)
        self.review_button.clicked.connect(self.review)
        self.options_button.clicked.connect(self.options)
        self.history_button.clicked.connect(self.show_history)
        self.disconnect_button.clicked.connect(self._confirm_disconnect)
        self.setTabOrder(self.review_button, self.options_button)
        self.setTabOrder(self.options_button, self.history_button)
        self.setTabOrder(self.history_button, self.disconnect_button)

        self._info: HomeInfo | None = None
        self._changes: dict[str, dict[str, int]] | None = None
        self._fetch_failed: str | None = None
        self._plan_ready = False
        self.history: Any = None
        self._question: Any = None
        self._notice: Any = None

    # ---------------------------------------------------------------- entering
    def initializePage(self) -> None:
        self._plan_ready = False
        self._changes = None
        self._fetch_failed = None
        self._show_texts()
        if self.state.connection_id is None:
            return
        self.refresh()
        self.read_invoice_statuses()

    def refresh(self) -> None:
        """Read the connection and last import, then fetch what changed."""
        self.run_task(
            load_home,
            self.state.connection_id,
            message=self.tr("Reading…"),
            on_done=self._info_loaded,
            on_error=self._info_failed,
        )

    def _info_loaded(self, info: HomeInfo) -> None:
        self._info = info
        self._show_texts()
        self._check_payroll()
        if self._changes is None and self._fetch_failed is None:
            self.check_xero()

    def _info_failed(self, exc: Any) -> None:
        self.show_error(exc, retry=self.refresh)

    def check_xero(self) -> None:
        """Fetch both sides (network) and show what changed in Xero."""
        self._fetch_failed = None
        self.run_task(
            fetch_changes,
            self.state.ctx,
            self.state.connection_id,
            message=self.tr("Checking Xero for changes…"),
            on_done=self._fetched,
            on_error=self._fetch_error,
        )

    def _fetched(self, changes: dict[str, dict[str, int]]) -> None:
        self._changes = changes
        self.state.fetched = True
        self.state.fetch_error = None
        self._show_texts()

    def _fetch_error(self, exc: Any) -> None:
        from ..workers import error_text

        self._fetch_failed = error_text(exc)
        self.state.fetch_error = self._fetch_failed
        self._show_texts()
        self.banner.show_message(
            self.tr(
                "Xero or QuickBooks Time could not be reached, so the changes are not known. "
                "You can still review conflicts and options; the import needs the "
                "connection."
            )
            + " "
            + self._fetch_failed,
            "warning",
            action_text=self.tr("Check &again"),
            action=self.check_xero,
        )

    # ---------------------------------------------------------------- words
    def _show_texts(self) -> None:
        info = self._info
        if info is None:
            self.connection_label.setText("")
            self.last_label.setText(self.tr("Reading…"))
        else:
            self.connection_label.setText(
                self.tr(
                    'Your Xero organisation "{organisation}" is connected to the QuickBooks Time '
                    'company "{company}".'
                ).format(organisation=info.organisation, company=info.company or "—")
            )
            if info.run_id is None:
                self.last_label.setText(self.tr("No import yet."))
            else:
                lines = outcome_lines(info.run_outcomes)
                text = self.tr("{when}: {result}, {changes}.").format(
                    when=when_text(info.run_when),
                    result=run_status_words(info.run_status).lower(),
                    changes=changes_text(total_changes(info.run_outcomes)),
                )
                if info.run_failed:
                    text += " " + self.tr("Not written: {records}.").format(
                        records=records_text(info.run_failed)
                    )
                if lines:
                    text += "\n" + "\n".join(lines)
                self.last_label.setText(text)
        if self._fetch_failed is not None:
            self.changes_label.setText(self.tr("Not known: Xero could not be checked."))
        elif self._changes is None:
            self.changes_label.setText(self.tr("Checking…"))
        else:
            lines = change_lines(self._changes)
            self.changes_label.setText("\n".join(lines) if lines else self.tr("Nothing changed."))

    def retranslate(self) -> None:
        self.setTitle(self.tr("Import again"))
        self.setSubTitle(
            self.tr(
                "Bring QuickBooks Time up to date with what changed in Xero. "
                "You will see every change before it is made."
            )
        )
        self.last_heading.setText(self.tr("Last import"))
        self.changes_heading.setText(self.tr("What changed in Xero since the last check"))
        self.review_button.setText(self.tr("&Review conflicts"))
        self.review_button.setToolTip(
            self.tr("Decide about records that look alike (works offline)")
        )
        self.options_button.setText(self.tr("&Options"))
        self.options_button.setToolTip(self.tr("What to import, and how"))
        self.history_button.setText(self.tr("&History…"))
        self.history_button.setToolTip(self.tr("Past imports, and undo"))
        self.disconnect_button.setText(self.tr("&Disconnect…"))
        self.disconnect_button.setToolTip(
            self.tr("Forget the sign-ins to Xero and QuickBooks Time on this computer")
        )
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Import again"))
        self._retranslate_payroll()
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Close"))
        self._retranslate_billing()
        self._show_texts()

    def set_busy(self, busy: bool, message: str = "") -> None:
        super().set_busy(busy, message)
        # Import again waits for the check (Next is disabled meanwhile); leaving does not.
        self.disconnect_button.setEnabled(not busy)

    # ---------------------------------------------------------------- import again (Next)
    def validatePage(self) -> bool:
        if self.state.on_detour(PageId.HOME) or self._plan_ready:
            self._plan_ready = False
            return True
        if not self.busy and self.state.connection_id is not None:
            self.import_again()
        return False

    def import_again(self) -> None:
        """Plan from the local snapshots (worker), then go on: review or preview."""
        self.run_task(
            plan_again,
            self.state.connection_id,
            message=self.tr("Preparing the import…"),
            on_done=self._planned,
        )

    def _planned(self, value: tuple[ImportOptions, ImportPlan]) -> None:
        options, plan = value
        self.state.options = options
        self.state.plan = plan
        self._plan_ready = True
        self.host.next()

    # ---------------------------------------------------------------- shortcuts
    def _go(self, page_id: PageId) -> None:
        self.host.next_to(page_id)

    def review(self) -> None:
        self._go(PageId.REVIEW)

    def options(self) -> None:
        self._go(PageId.OPTIONS)

    def show_history(self) -> None:
        from ..dialogs.history import HistoryDialog

        if self.history is None:
            self.history = HistoryDialog(self.state, self.host.tasks, self)
            self.history.changed.connect(self.refresh)
        else:
            self.history.reload()
        self.history.open()

    # ---------------------------------------------------------------- disconnect
    def _confirm_disconnect(self) -> None:
        self._question = ask(
            self,
            self.tr("Disconnect?"),
            self.tr("Disconnect Xero and QuickBooks Time?"),
            self.tr("&Disconnect"),
            self.tr("&Keep the connection"),
            self.disconnect_now,
            informative=self.tr(
                "This computer forgets the sign-in to Xero and the QuickBooks Time access key. "
                "Nothing is changed in Xero or QuickBooks Time, and the history of imports is "
                "kept. You can connect again from the start."
            ),
        )

    def disconnect_now(self) -> None:
        if self.busy or self.state.connection_id is None:
            return
        self.run_task(
            disconnect_task,
            self.state.ctx,
            self.state.connection_id,
            message=self.tr("Disconnecting…"),
            on_done=self._disconnected,
        )

    def _disconnected(self, problems: list[str]) -> None:
        self.state.forget_connection()
        self._info = None
        self.host.restart_at(PageId.WELCOME)
        if problems:
            log.warning("Disconnected with problems: %s", problems)
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Disconnected"),
                self.tr("Disconnected. Some sign-ins could not be removed:"),
                QMessageBox.StandardButton.Ok,
                self.window(),
            )
            box.setInformativeText("\n".join(problems))
            self._notice = box
            box.open()

    # ---------------------------------------------------------------- send hours to Xero
    def _build_payroll(self) -> None:
        """The "Send hours to Xero" section: shown only for organisations with Xero Payroll."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QHBoxLayout, QWidget

        self.payroll_box = QWidget(self)
        box = QVBoxLayout(self.payroll_box)
        box.setContentsMargins(0, 6, 0, 0)
        self.payroll_heading = heading(parent=self.payroll_box)
        self.payroll_label = paragraph(parent=self.payroll_box)
        self.send_hours_button = QPushButton(self.payroll_box)
        self.send_hours_button.setMinimumHeight(34)
        self.send_hours_button.clicked.connect(self.send_hours)
        row = QHBoxLayout()  # the button, and beside it what it does: compact at 800×600
        row.addWidget(self.send_hours_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.payroll_label, 1)
        box.addWidget(self.payroll_heading)
        box.addLayout(row)
        self.payroll_box.hide()
        self.body.addWidget(self.payroll_box)

    def _check_payroll(self) -> None:
        """Whether the organisation has Xero Payroll (read in a worker, without a busy row)."""
        if self.state.connection_id is None or not self.hosted:
            return
        self.host.tasks.start(
            payroll_available_task, self.state.connection_id, on_done=self._payroll_known
        )

    def _payroll_known(self, available: bool) -> None:
        self.state.payroll_available = bool(available)
        self.payroll_box.setVisible(bool(available))

    def send_hours(self) -> None:
        """Like the other shortcuts, also while the check for changes runs."""
        if self.state.payroll_available:
            self._go(PageId.PAYROLL_PERIOD)

    def _retranslate_payroll(self) -> None:
        self.payroll_heading.setText(self.tr("Every pay period"))
        self.payroll_label.setText(
            self.tr(
                "Send the hours approved in QuickBooks Time, and paid time off, to Xero Payroll "
                "as draft timesheets. You see them before anything is sent, and can undo it."
            )
        )
        self.send_hours_button.setText(self.tr("&Send hours to Xero…"))
        self.send_hours_button.setToolTip(
            self.tr("Approved hours of a pay period become draft timesheets in Xero Payroll")
        )

    # ---------------------------------------------------------------- bill time in Xero
    def _build_billing(self) -> None:
        """The invoices made here and their status in Xero, and "Bill time in Xero"."""
        from PySide6.QtWidgets import QHBoxLayout

        self.invoices_heading = heading(parent=self)
        self.invoices_label = paragraph(parent=self)
        self.bill_button = QPushButton(self)
        self.bill_button.setMinimumHeight(34)
        row = QHBoxLayout()
        row.addWidget(self.bill_button)
        row.addStretch(1)
        self.body.addWidget(self.invoices_heading)
        self.body.addWidget(self.invoices_label)
        self.body.addLayout(row)
        self.bill_button.clicked.connect(self.bill_time)
        self._statuses: dict[str, int] | None = None
        self._statuses_failed: str | None = None

    def bill_time(self) -> None:
        """Like the other shortcuts, also while the check for changes runs."""
        self.state.billing = None  # a new billing: the range page proposes its days
        self.state.billing_preview = self.state.billing_result = None
        self._go(PageId.BILL_RANGE)

    def read_invoice_statuses(self) -> None:
        """Read in the background (the page stays usable) the status of our invoices."""
        self._statuses = None
        self._statuses_failed = None
        self._retranslate_billing()
        self.host.tasks.start(
            invoice_status_counts,
            self.state.ctx,
            self.state.connection_id,
            on_done=self._statuses_read,
            on_error=self._statuses_error,
        )

    def _statuses_read(self, counts: dict[str, int]) -> None:
        self._statuses = counts
        self._retranslate_billing()

    def _statuses_error(self, exc: Any) -> None:
        from ..workers import error_text

        self._statuses_failed = error_text(exc)
        self._retranslate_billing()

    def _retranslate_billing(self) -> None:
        self.invoices_heading.setText(self.tr("Invoices from your hours"))
        self.bill_button.setText(self.tr("&Bill time in Xero…"))
        self.bill_button.setToolTip(
            self.tr("Billable hours become draft invoices in Xero, one per customer")
        )
        counts = self._statuses
        if self._statuses_failed is not None:
            text = self.tr(
                "The status of the invoices made here is not known: Xero could not be reached."
            )
        elif counts is None:
            text = self.tr("Reading the status of the invoices made here…")
        elif not any(counts.values()):
            text = self.tr(
                "No invoice made here yet. Bill the billable hours tracked in QuickBooks Time as "
                "draft invoices in Xero; you see them before anything is sent, and can undo it."
            )
        else:
            text = self.tr(
                "Invoices made here, as Xero has them now: {draft} draft, {approved} approved, "
                "{paid} paid, {deleted} deleted."
            ).format(
                draft=counts.get("draft", 0),
                approved=counts.get("approved", 0),
                paid=counts.get("paid", 0),
                deleted=counts.get("deleted", 0),
            )
            if counts.get("submitted"):
                text += " " + self.tr("Awaiting approval: {n}.").format(n=counts["submitted"])
            if counts.get("voided"):
                text += " " + self.tr("Voided: {n}.").format(n=counts["voided"])
        self.invoices_label.setText(text)


def payroll_available_task(connection_id: int) -> bool:
    from core.app.payroll import payroll_available
    from core.store.models import Connection

    return bool(payroll_available(Connection.get_by_id(connection_id)))


def invoice_status_counts(ctx: AppContext, connection_id: int) -> dict[str, int]:
    """How many of the invoices the product made are draft, approved, paid, deleted in Xero."""
    from core.app.invoicing import invoice_statuses
    from core.store.models import Connection

    keys = {
        "DRAFT": "draft",
        "SUBMITTED": "submitted",
        "AUTHORISED": "approved",
        "PAID": "paid",
        "DELETED": "deleted",
        "VOIDED": "voided",
    }
    counts = {"draft": 0, "approved": 0, "paid": 0, "deleted": 0}
    for invoice in invoice_statuses(ctx, Connection.get_by_id(connection_id)):
        key = keys.get(invoice.xero_status.upper(), "other")
        counts[key] = counts.get(key, 0) + 1
    return counts
