"""Page 0 — Home ("Import again"): the start page once the app is set up.

Shows the connection, the last import, what changed in Xero since the last check (a
fetch in a worker, on entering) and how many records need a decision in the review. With
several businesses (a bookkeeper's clients: one Xero organisation ↔ one QuickBooks Time
account each) it lists them all with their state (core.app.businesses, read in a worker);
choosing one shows it, and "Add another business" runs the wizard for a new pair. The wizard's Next button is this page's main action,
"Import again": it plans from the local snapshots, then goes to the review of conflicts
when some wait for a decision, else to the preview. Offline, everything but the fetch
still works (the review and the options need no network).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from ..state import PageId
from ..widgets import ask, cell, heading, paragraph, read_only_table, set_enum
from ..words import (
    changes_text,
    count_text,
    decisions_text,
    outcome_lines,
    records_text,
    run_status_words,
    total_changes,
    when_text,
)
from .base import BasePage, BusyWords
from .sign_in_again import SignInAgain

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableWidget

    from core.app.businesses import BusinessState
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
    from core.app.worker_process import fetch_summary

    return fetch_summary(ctx, connection_id)["xero"]


def plan_again(ctx: AppContext, connection_id: int) -> tuple[ImportOptions, ImportPlan]:
    """The saved options and the plan from the local snapshots (no network)."""
    from core.app.worker_process import plan

    return plan(ctx, connection_id, None)


def disconnect_task(ctx: AppContext, connection_id: int) -> tuple[list[str], int | None]:
    """Disconnect one business; the problems, and the business to show next (None: none
    is left)."""
    from core.app.businesses import current_connection
    from core.app.connections import disconnect
    from core.store.models import Connection

    problems = disconnect(ctx, Connection.get_by_id(connection_id))
    left = current_connection()
    return problems, (int(left.id) if left is not None else None)


def businesses_task() -> list[BusinessState]:
    """Every connected business with its state but the records waiting (a database read)."""
    from core.app.businesses import business_states

    return business_states(counted=False)


def decisions_task(ctx: AppContext) -> dict[int, int | None]:
    """Records that need a decision, per business: planning each one, the engine's work (in
    its process when the window has one)."""
    from core.app.worker_process import decisions_waiting

    return decisions_waiting(ctx)


def remember_task(connection_id: int) -> None:
    from core.app.businesses import remember_current

    remember_current(connection_id)


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


def at_top(widget: QWidget) -> QVBoxLayout:
    """``widget`` at the top of a column of its own: a row's button beside a sentence that
    may wrap. A stretch under it, not Qt.AlignmentFlag.AlignTop: Qt's namespace (~120 enums,
    all made at its first use) is not made on the way to a returning user's first page."""
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(widget)
    column.addStretch(1)
    return column


def sign_in_mends(exc: Any) -> bool:
    """Whether a new Xero sign-in (the "Connect to Xero" the message names) is what mends
    ``exc``: the sign-in expired or was revoked, the organisation disconnected from the app,
    or Xero refused the data to the person who signed in (another person signs in)."""
    from core.errors import ReauthorizationRequired
    from core.services.xero.client import (
        XeroAccessDenied,
        XeroOrganisationDisconnected,
        XeroPayrollAccessDenied,
    )

    return isinstance(
        exc,
        (
            ReauthorizationRequired,
            XeroOrganisationDisconnected,
            XeroAccessDenied,
            XeroPayrollAccessDenied,
        ),
    )


class HomePage(SignInAgain, BasePage):
    """A check of Xero a sign-in problem stopped offers "Connect to Xero" (the message says
    to click it), then checks again; "Import again" waits until then (it reads Xero too)."""

    def build(self) -> None:
        # "Add another business", at the top of a box of its own that moves between rows.
        self.add_box = QWidget(self)
        self.add_button = QPushButton(self.add_box)
        self.add_button.setMinimumHeight(34)
        self.add_button.clicked.connect(self.add_business)
        self.add_box.setLayout(at_top(self.add_button))
        self._build_businesses()
        # One business: the sentence that names it, "Add another business" beside it. Several:
        # the list says it (the chosen row), and the button goes beside the list's title.
        self.connection_row = QHBoxLayout()
        self.connection_label = paragraph(parent=self)
        self.connection_row.addWidget(self.connection_label, 1)
        self.connection_row.addWidget(self.add_box, 0)
        self.body.addLayout(self.connection_row)
        # The shown business's details scroll when the window is small (800×600 with several
        # businesses listed above): the buttons below always stay in sight.
        self.details = QWidget(self)
        self.details_layout = QVBoxLayout(self.details)
        self.details_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        # A viewport of our own, not scroll.viewport(): PySide resolves the type of the one
        # Qt makes by loading every widget class (~20 ms on the way to the first page).
        viewport = QWidget(scroll)
        viewport.setAutoFillBackground(False)
        scroll.setViewport(viewport)
        scroll.setWidget(self.details)
        scroll.setWidgetResizable(True)
        set_enum(scroll, "frameShape", "NoFrame")
        self.details.setAutoFillBackground(False)
        self.details_scroll = scroll
        self.body.addWidget(scroll, 1)
        self.last_heading = heading(parent=self.details)
        self.last_label = paragraph(parent=self.details)
        self.details_layout.addWidget(self.last_heading)
        self.details_layout.addWidget(self.last_label)
        self.changes_heading = heading(parent=self.details)
        self.changes_label = paragraph(parent=self.details)
        self.details_layout.addWidget(self.changes_heading)
        self.details_layout.addWidget(self.changes_label)
        # What waits for a decision, and the button that goes there.
        waiting = QHBoxLayout()
        waiting.setContentsMargins(0, 4, 0, 0)
        self.waiting_label = paragraph(parent=self.details)
        self.review_button = QPushButton(self.details)
        self.review_button.setMinimumHeight(34)
        waiting.addWidget(self.waiting_label, 1)
        waiting.addLayout(at_top(self.review_button), 0)
        self.details_layout.addLayout(waiting)
        self._build_payroll()
        self._build_billing()
        self.details_layout.addStretch(1)
        grid = QGridLayout()
        self.options_button = QPushButton(self)
        self.history_button = QPushButton(self)
        self.open_qbtime_button = QPushButton(self)
        self.disconnect_button = QPushButton(self)
        for button in (
            self.options_button,
            self.history_button,
            self.open_qbtime_button,
            self.disconnect_button,
        ):
            button.setMinimumHeight(34)
        grid.addWidget(self.options_button, 0, 0)
        grid.addWidget(self.history_button, 0, 1)
        grid.addWidget(self.open_qbtime_button, 1, 0)
        grid.addWidget(self.disconnect_button, 1, 1)
        self.body.addLayout(grid)
        self.review_button.clicked.connect(self.review)
        self.options_button.clicked.connect(self.options)
        self.history_button.clicked.connect(self.show_history)
        self.open_qbtime_button.clicked.connect(self.open_qbtime)
        self.disconnect_button.clicked.connect(self._confirm_disconnect)
        self.setTabOrder(self.add_button, self.review_button)
        self.setTabOrder(self.review_button, self.send_hours_button)
        self.setTabOrder(self.send_hours_button, self.bill_button)
        self.setTabOrder(self.bill_button, self.options_button)
        self.setTabOrder(self.options_button, self.history_button)
        self.setTabOrder(self.history_button, self.open_qbtime_button)
        self.setTabOrder(self.open_qbtime_button, self.disconnect_button)

        self._businesses: list[BusinessState] = []
        self._counts: dict[int, int | None] = {}  # records waiting, per business
        self._filling = False
        self._awaiting_database = False  # shown before the database was open (the start)
        self._info: HomeInfo | None = None
        self._changes: dict[str, dict[str, int]] | None = None
        self._fetch_failed: str | None = None
        self._plan_ready = False
        self.history: Any = None
        self._question: Any = None
        self._notice: Any = None
        # "Connect to Xero" and its wait for the browser: made when first needed (the home
        # page is the first one painted: the sign-in's code loads only then)
        self.sign_in_needed = False

    # ---------------------------------------------------------------- several businesses
    def _build_businesses(self) -> None:
        """Every business (organisation ↔ QuickBooks Time account) with its state: shown
        when there are several; choosing one shows it below. The list itself is made when
        there are several (``_businesses_list``)."""
        self.businesses_box = QWidget(self)
        self._businesses_layout = QVBoxLayout(self.businesses_box)
        self._businesses_layout.setContentsMargins(0, 0, 0, 4)
        self.businesses_heading = heading(parent=self.businesses_box)
        self.businesses: QTableWidget | None = None
        self.businesses_title_row = QHBoxLayout()
        self.businesses_title_row.addWidget(self.businesses_heading, 1)
        self._businesses_layout.addLayout(self.businesses_title_row)
        self.businesses_box.hide()
        self.body.addWidget(self.businesses_box)

    def _businesses_list(self) -> QTableWidget:
        """The list of businesses, made when first needed: most people have one business,
        and a first item view costs ~10 ms, not spent on the way to the home page."""
        if self.businesses is not None:
            return self.businesses
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView

        table = read_only_table(self.businesses_box, 3)
        table.setWordWrap(False)
        set_enum(table, "verticalScrollBarPolicy", "ScrollBarAsNeeded")
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.businesses_heading.setBuddy(table)
        table.itemSelectionChanged.connect(self._business_chosen)
        self._businesses_layout.addWidget(table)
        self.setTabOrder(table, self.add_button)
        table.setEnabled(not self.busy)
        self.businesses = table
        self._retranslate_businesses()
        return table

    def load_businesses(self) -> None:
        """Read every business and its state (a worker, without a busy row)."""
        if not self.hosted:
            return
        self.host.tasks.start(
            businesses_task,
            on_done=self._businesses_loaded,
            on_error=lambda exc: log.warning("The businesses could not be read: %s", exc),
        )

    def _businesses_loaded(self, states: list[BusinessState]) -> None:
        # the names and last imports now; the counts as they were until counted again
        self._businesses = [
            dataclasses.replace(b, waiting=self._counts.get(b.connection_id)) for b in states
        ]
        self._fill_businesses()
        self._show_texts()
        self.host.tasks.start(
            decisions_task,
            self.state.ctx,
            on_done=self._decisions_counted,
            on_error=lambda exc: log.warning("Records waiting not counted: %s", exc),
        )

    def _decisions_counted(self, counts: dict[int, int | None]) -> None:
        self._counts = dict(counts)
        self._businesses = [
            dataclasses.replace(b, waiting=self._counts.get(b.connection_id))
            for b in self._businesses
        ]
        self._fill_businesses()
        self._show_texts()

    def shown_business(self) -> BusinessState | None:
        return next(
            (b for b in self._businesses if b.connection_id == self.state.connection_id), None
        )

    def _fill_businesses(self) -> None:
        states = self._businesses
        several = len(states) > 1
        if several or self.businesses is not None:
            self._fill_list(states)
        self.businesses_box.setVisible(several)
        self.connection_label.setVisible(not several)
        place = self.businesses_title_row if several else self.connection_row
        if place.indexOf(self.add_box) < 0:
            for other in (self.connection_row, self.businesses_title_row):
                other.removeWidget(self.add_box)
            place.addWidget(self.add_box, 0)

    def _fill_list(self, states: list[BusinessState]) -> None:
        table = self._businesses_list()
        self._filling = True
        try:
            table.setRowCount(len(states))
            for row, business in enumerate(states):
                table.setItem(row, 0, cell(self._pair_words(business)))
                table.setItem(row, 1, cell(self._last_words(business)))
                table.setItem(row, 2, cell(self._waiting_words(business)))
                if business.connection_id == self.state.connection_id:
                    table.selectRow(row)
            rows = min(len(states), 4)  # more scroll inside the list
            height = table.horizontalHeader().height() + 2 * table.frameWidth()
            height += sum(table.rowHeight(r) for r in range(rows))
            table.setFixedHeight(height)
        finally:
            self._filling = False

    def _pair_words(self, business: BusinessState) -> str:
        return self.tr("{organisation} ↔ {company}").format(
            organisation=business.organisation, company=business.company or "—"
        )

    def _last_words(self, business: BusinessState) -> str:
        if not business.last_status:
            return self.tr("No import yet")
        return self.tr("{when}: {result}").format(
            when=when_text(business.last_when),
            result=run_status_words(business.last_status).lower(),
        )

    def _waiting_words(self, business: BusinessState) -> str:
        if not business.read:
            return self.tr("Not read from Xero yet")
        if business.waiting is None:
            return self.tr("Counting…")
        if not business.waiting:
            return self.tr("Nothing waits")
        return decisions_text(business.waiting)

    def _business_chosen(self) -> None:
        if self._filling or self.businesses is None:
            return
        rows = self.businesses.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._businesses):
            return
        business = self._businesses[rows[0].row()]
        if business.connection_id != self.state.connection_id:
            self.show_business(business)

    def show_business(self, business: BusinessState) -> None:
        """Switch to another business: everything below is about it from now on, and the
        app opens on it next time."""
        self.state.connection_id = business.connection_id  # forgets the other one's plan…
        self.state.country = business.country or None
        self.host.tasks.start(remember_task, business.connection_id)
        self._info = None
        self.banner.clear()
        self.payroll_box.hide()
        self.initializePage()

    def add_business(self) -> None:
        """Connect another business: the wizard from its first page, for a new pair (the
        businesses already connected stay as they are). Back on the first page returns
        here; the business shown stays the one shown until the new one is connected."""
        if self.busy:
            return
        self.state.qbtime_company = None  # this one's key and sign-in are its own
        self.state.organisations = []
        self._go(PageId.WELCOME)

    def open_qbtime(self) -> None:
        """The shown business's QuickBooks Time account, in the browser."""
        business = self.shown_business()
        if business is None or self.state.ctx.demo:
            return
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if not QDesktopServices.openUrl(QUrl(business.qbtime_url)):
            self.banner.show_message(
                self.tr("No browser could be opened. Open this address yourself: {url}").format(
                    url=business.qbtime_url
                ),
                "warning",
            )

    def _for_shown(self, fn: Any) -> Any:
        """``fn``, called only while the business it was started for is still shown (an
        answer about another business arriving after a switch is dropped)."""
        shown = self.state.connection_id

        def call(value: Any) -> None:
            if self.state.connection_id == shown:
                fn(value)

        return call

    # ---------------------------------------------------------------- entering
    def initializePage(self) -> None:
        self._plan_ready = False
        self._changes = None
        self._fetch_failed = None
        self.sign_in_needed = False  # (asked again if the check finds it still needed)
        self._show_texts()
        self._enable_shortcuts()
        if self.state.ctx.db_pending:
            # The app's start: the database opens once this page is painted, then the page
            # is shown again with its business (wizard.app._database_opened). Reading
            # meanwhile, as while its reads run; nothing to go to yet.
            self._awaiting_database = True
            self.set_busy(True, lambda: self.tr("Reading…"))
            return
        if self._awaiting_database:  # open now: what the page reads says it from here on
            self._awaiting_database = False
            self.set_busy(False)
        self.load_businesses()
        if self.state.connection_id is None:
            return
        self.refresh()
        self.read_invoice_statuses()

    def _enable_shortcuts(self) -> None:
        """The shortcuts are about the business shown: none goes anywhere while it is not
        known yet (the app's start, until the database is open)."""
        known = self.state.connection_id is not None and not self.state.ctx.db_pending
        for button in (
            self.review_button,
            self.send_hours_button,
            self.bill_button,
            self.options_button,
            self.history_button,
            self.disconnect_button,
            self.add_button,
        ):
            button.setEnabled(known)

    def refresh(self) -> None:
        """Read the connection and last import, then fetch what changed."""
        self.run_task(
            load_home,
            self.state.connection_id,
            message=lambda: self.tr("Reading…"),
            on_done=self._for_shown(self._info_loaded),
            on_error=self._for_shown(self._info_failed),
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
        self.sign_in_needed = False
        self.run_task(
            fetch_changes,
            self.state.ctx,
            self.state.connection_id,
            message=lambda: self.tr("Checking Xero for changes…"),
            on_done=self._for_shown(self._fetched),
            on_error=self._for_shown(self._fetch_error),
        )

    def _fetched(self, changes: dict[str, dict[str, int]]) -> None:
        self._changes = changes
        self.state.fetched = True
        self.state.fetch_error = None
        self._show_texts()
        self.load_businesses()  # what was read may change what waits for a decision

    def _fetch_error(self, exc: Any) -> None:
        from ..workers import error_text

        self._fetch_failed = error_text(exc)
        self.state.fetch_error = self._fetch_failed
        self._show_texts()
        if sign_in_mends(exc):
            # Xero was reached and wants a new sign-in: "Connect to Xero" (the button the
            # words name) is here, then the check runs again
            if not hasattr(self, "sign_in"):
                self.add_sign_in(self.body)
            conn = self.state.connection()
            self.xero_version = conn.xero_version if conn is not None else None
            self.ask_sign_in(
                self.tr(
                    "Xero could not be checked for changes: {reason} Until you are signed in "
                    "again, the changes are not known and the import waits; you can still "
                    "review look-alike records and options."
                ).format(reason=self._fetch_failed),
                self.tr("&Connect to Xero"),
                self.check_xero,
            )
            return
        self.banner.show_message(
            self.tr(
                "Xero or QuickBooks Time could not be reached, so the changes are not known. "
                "You can still review look-alike records and options; the import needs the "
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
                    # one wrapped paragraph (each kind once): the page stays whole at
                    # 800×600, with the list of businesses above it
                    text += "\n" + "  ·  ".join(lines)
                self.last_label.setText(text)
        self._show_waiting()
        if self._fetch_failed is not None:
            self.changes_label.setText(self.tr("Not known: Xero could not be checked."))
        elif self._changes is None:
            self.changes_label.setText(self.tr("Checking…"))
        else:
            lines = change_lines(self._changes)
            self.changes_label.setText("\n".join(lines) if lines else self.tr("Nothing changed."))

    def _show_waiting(self) -> None:
        """How many records wait for a decision in the review (the button beside goes there)
        and where "Open QuickBooks Time" goes, for the business shown."""
        business = self.shown_business()
        waiting = business.waiting if business is not None else None
        if waiting is None:
            self.waiting_label.setText("")
        elif waiting:
            self.waiting_label.setText(
                self.tr("{waiting}: they are left out of the import until you decide.").format(
                    waiting=decisions_text(waiting)
                )
            )
        else:
            self.waiting_label.setText(self.tr("No record needs your decision."))
        demo = self.state.ctx.demo
        self.open_qbtime_button.setEnabled(business is not None and not demo)
        self.open_qbtime_button.setToolTip(
            self.tr(
                "The Demo Company's QuickBooks Time exists only on this computer: there is no "
                "website to open."
            )
            if demo
            else self.tr("See the imported customers and team in QuickBooks Time, in your browser")
        )
        if self._businesses:
            self._fill_businesses()

    def _retranslate_businesses(self) -> None:
        self.businesses_heading.setText(self.tr("&Your businesses"))
        if self.businesses is not None:
            self.businesses.setHorizontalHeaderLabels(
                [self.tr("Business"), self.tr("Last import"), self.tr("Waiting for you")]
            )

    def retranslate(self) -> None:
        self._retranslate_businesses()
        self.add_button.setText(self.tr("&Add another business…"))
        self.add_button.setToolTip(
            self.tr("Connect another Xero organisation to its own QuickBooks Time account")
        )
        self.open_qbtime_button.setText(self.tr("Open &QuickBooks Time"))
        self.setTitle(self.tr("Import again"))
        self.setSubTitle(
            self.tr(
                "Bring QuickBooks Time up to date with what changed in Xero. "
                "You will see every change before it is made."
            )
        )
        self.last_heading.setText(self.tr("Last import"))
        self.changes_heading.setText(self.tr("What changed in Xero since the last check"))
        self.review_button.setText(self.tr("&Review look-alike records"))
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

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        super().set_busy(busy, message)
        # Import again waits for the check (Next is disabled meanwhile); leaving does not.
        self.disconnect_button.setEnabled(not busy)
        if self.businesses is not None:  # another business: once this one is read
            self.businesses.setEnabled(not busy)
        self.add_button.setEnabled(not busy)

    # ---------------------------------------------------------------- import again (Next)
    def ready(self) -> bool:
        # (the import reads Xero again: until the new sign-in it could only fail, so
        # "Connect to Xero" is the page's main action and Import again waits)
        return not self.sign_in_needed

    def primary_action(self) -> QPushButton | None:
        return self.sign_in_action() if hasattr(self, "sign_in") else None

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
            self.state.ctx,
            self.state.connection_id,
            message=lambda: self.tr("Preparing the import…"),
            on_done=self._planned,
        )

    def _planned(self, value: tuple[ImportOptions, ImportPlan]) -> None:
        options, plan = value
        self.state.options = options
        self.state.plan = plan
        self._plan_ready = True
        self.host.next()

    def first_focus(self) -> QWidget | None:
        """The page's first action (the list of businesses when there are several), never
        Close nor Disconnect: one Space must not close the app. While the page reads, the
        first of them that can be used."""
        for widget in (
            self.businesses,
            self.add_button,
            self.review_button,
            self.send_hours_button,
            self.bill_button,
            self.options_button,
            self.history_button,
        ):
            if widget is not None and widget.isEnabled() and widget.isVisibleTo(self):
                return widget
        return None

    # ---------------------------------------------------------------- shortcuts
    def _go(self, page_id: PageId) -> None:
        if self.host.currentPage() is not self:  # a button of a page no longer shown
            return
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
            )
            + (
                "\n\n"
                + self.tr('Only "{business}" is disconnected: the other businesses stay.').format(
                    business=self._pair_words(shown)
                )
                if (shown := self.shown_business()) is not None and len(self._businesses) > 1
                else ""
            ),
        )

    def disconnect_now(self) -> None:
        if self.busy or self.state.connection_id is None:
            return
        self.run_task(
            disconnect_task,
            self.state.ctx,
            self.state.connection_id,
            message=lambda: self.tr("Disconnecting…"),
            on_done=self._disconnected,
        )

    def _disconnected(self, result: tuple[list[str], int | None]) -> None:
        problems, left = result
        self.state.forget_connection()
        self._info = None
        self._businesses = [b for b in self._businesses if b.connection_id == left]
        if left is not None:  # other businesses stay connected: show one of them
            self.state.connection_id = left
            self.state.country = next((b.country for b in self._businesses), "") or None
            self.host.restart_at(PageId.HOME)
        else:
            self.host.restart_at(PageId.WELCOME)
        if problems:
            from PySide6.QtWidgets import QMessageBox

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
        self.payroll_box = QWidget(self.details)
        box = QVBoxLayout(self.payroll_box)
        box.setContentsMargins(0, 6, 0, 0)
        self.payroll_heading = heading(parent=self.payroll_box)
        self.payroll_label = paragraph(parent=self.payroll_box)
        self.send_hours_button = QPushButton(self.payroll_box)
        self.send_hours_button.setMinimumHeight(34)
        self.send_hours_button.clicked.connect(self.send_hours)
        row = QHBoxLayout()  # the button, and beside it what it does: compact at 800×600
        row.addLayout(at_top(self.send_hours_button), 0)
        row.addWidget(self.payroll_label, 1)
        box.addWidget(self.payroll_heading)
        box.addLayout(row)
        self.payroll_box.hide()
        self.details_layout.addWidget(self.payroll_box)

    def _check_payroll(self) -> None:
        """Whether the organisation has Xero Payroll (read in a worker, without a busy row)."""
        if self.state.connection_id is None or not self.hosted:
            return
        self.host.tasks.start(
            payroll_available_task,
            self.state.connection_id,
            on_done=self._for_shown(self._payroll_known),
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
        self.invoices_heading = heading(parent=self.details)
        self.invoices_label = paragraph(parent=self.details)
        self.bill_button = QPushButton(self.details)
        self.bill_button.setMinimumHeight(34)
        row = QHBoxLayout()
        row.addWidget(self.bill_button)
        row.addStretch(1)
        self.details_layout.addWidget(self.invoices_heading)
        self.details_layout.addWidget(self.invoices_label)
        self.details_layout.addLayout(row)
        self.bill_button.clicked.connect(self.bill_time)
        self._statuses: dict[str, int] | None = None
        self._statuses_failed: str | None = None
        self._statuses_need_sign_in = False  # (Xero was reached: it wants a new sign-in)

    def bill_time(self) -> None:
        """Like the other shortcuts, also while the check for changes runs."""
        self.state.billing = None  # a new billing: the range page proposes its days
        self.state.billing_preview = self.state.billing_result = None
        self._go(PageId.BILL_RANGE)

    def read_invoice_statuses(self) -> None:
        """Read in the background (the page stays usable) the status of our invoices."""
        self._statuses = None
        self._statuses_failed = None
        self._statuses_need_sign_in = False
        self._retranslate_billing()
        self.host.tasks.start(
            invoice_status_counts,
            self.state.ctx,
            self.state.connection_id,
            on_done=self._for_shown(self._statuses_read),
            on_error=self._for_shown(self._statuses_error),
        )

    def _statuses_read(self, counts: dict[str, int]) -> None:
        self._statuses = counts
        self._retranslate_billing()

    def _statuses_error(self, exc: Any) -> None:
        from ..workers import error_text

        self._statuses_failed = error_text(exc)
        self._statuses_need_sign_in = sign_in_mends(exc)
        self._retranslate_billing()

    def _retranslate_billing(self) -> None:
        self.invoices_heading.setText(self.tr("Invoices from your hours"))
        self.bill_button.setText(self.tr("Bill &time in Xero…"))
        self.bill_button.setToolTip(
            self.tr("Billable hours become draft invoices in Xero, one per customer")
        )
        counts = self._statuses
        if self._statuses_failed is not None and self._statuses_need_sign_in:
            text = self.tr(
                "The status of the invoices made here is not known until you sign in to Xero again."
            )
        elif self._statuses_failed is not None:
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
