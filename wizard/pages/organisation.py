"""Page 4 — Organisation: pick one of the organisations just allowed, see what it offers, bind it.

Its details (``GET /Organisation``: country, edition) are read in a worker; payroll features
follow the edition (core.engine.regions.has_payroll). "Next" binds the organisation to the
QuickBooks Time company checked on page 2 with core.app.connections.bind.

``bind`` writes the database and moves the pair's secrets in the keyring (which may wait on
the system's password storage), so it runs on a worker: Next starts it and stays (the page is
busy: Next is disabled); once bound, the page moves on by itself. Went Back meanwhile: the pair
is bound and the page stays where the user went.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from babel import Locale
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from core.app.connection_conflicts import blocking_connections, disconnect_to_make_room
from core.app.connections import QBTimeCompany, bind, pending_qbtime
from core.engine.regions import has_payroll
from core.errors import AccountAlreadyBound, BridgeError
from core.services.auth.xero_oauth import missing_scopes

from ..widgets import Banner, heading, paragraph
from .base import BasePage, confirm_disconnect
from .xero_connect import SignInWaiting

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.records import XeroOrganisation
    from core.store.models import Connection

log = logging.getLogger(__name__)


def organisation_details(ctx: AppContext, tenant_id: str) -> tuple[XeroOrganisation, list[str]]:
    """The organisation's details and the Xero permissions still missing for it (worker)."""
    client = ctx.xero_client(tenant_id, grant_key=ctx.xero_key_for_connecting(tenant_id))
    with client.session:
        org = client.organisation()
    tokens = ctx.xero_tokens().token_set()
    return org, missing_scopes(tokens.scopes if tokens else (), org.version)


def country_name(code: str, language: str) -> str:
    if not code:
        return ""
    try:
        return Locale.parse(language).territories.get(code.upper(), code)
    except Exception:  # an unknown locale must not break the page
        return code


class OrganisationPage(BasePage):
    def build(self) -> None:
        self._say_again: Callable[[], None] | None = None
        self._details: dict[str, tuple[XeroOrganisation, list[str]]] = {}
        self._loading: str | None = None
        self._bound: tuple[str, str] | None = None  # (tenant, company) the worker just bound
        self.intro = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.list_label = QLabel(self)
        self.list_label.setWordWrap(True)
        self.orgs = QListWidget(self)
        self.orgs.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.orgs.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.orgs.setMinimumHeight(70)
        self.list_label.setBuddy(self.orgs)
        self.body.addWidget(self.list_label)
        self.body.addWidget(self.orgs, 1)

        self.pick_hint = paragraph(parent=self)
        self.body.addWidget(self.pick_hint)
        self.details = QWidget(self)
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.details_title = heading(parent=self.details)
        self.country_label, self.country_value = (
            QLabel(self.details),
            paragraph(parent=self.details),
        )
        self.edition_label, self.edition_value = (
            QLabel(self.details),
            paragraph(parent=self.details),
        )
        self.payroll_label, self.payroll_value = (
            QLabel(self.details),
            paragraph(parent=self.details),
        )
        form.addRow(self.details_title)
        form.addRow(self.country_label, self.country_value)
        form.addRow(self.edition_label, self.edition_value)
        form.addRow(self.payroll_label, self.payroll_value)
        self.details.hide()
        self.body.addWidget(self.details)

        # Shown when the organisation has payroll but the sign-in lacks Xero's payroll access.
        self.payroll_access = Banner(self)
        self.payroll_text, self.payroll_button = (
            self.payroll_access.label,
            self.payroll_access.button,
        )
        self.body.addWidget(self.payroll_access)
        self.waiting = SignInWaiting(self)
        self.body.addWidget(self.waiting)
        self.place_feedback(self.body)  # under the organisation and its details

        self.orgs.itemSelectionChanged.connect(self._picked)
        self.setTabOrder(self.orgs, self.payroll_button)
        self.setTabOrder(self.payroll_button, self.waiting.cancel_button)
        self.setTabOrder(self.waiting.cancel_button, self.waiting.link)
        self.setTabOrder(self.waiting.link, self.waiting.copy_button)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Organisation"))
        self.setSubTitle(self.tr("Choose the Xero organisation to bring into QuickBooks Time."))
        company = self._company()
        if company is not None:
            self.intro.setText(
                self.tr(
                    "These are the organisations you allowed in Xero. The one you choose is "
                    'connected to the QuickBooks Time account "{company}": one organisation per '
                    "QuickBooks Time account."
                ).format(company=company.company_name)
            )
        else:
            self.intro.setText(
                self.tr(
                    "These are the organisations you allowed in Xero. Choose the one to connect to "
                    "your QuickBooks Time account: one organisation per QuickBooks Time account."
                )
            )
        self.list_label.setText(self.tr("&Organisation:"))
        self.orgs.setAccessibleName(self.tr("Organisations allowed in Xero"))
        self.pick_hint.setText(
            self.tr(
                "Click an organisation, or use the arrow keys, to see "
                "what can be brought in from it."
            )
        )
        self.country_label.setText(self.tr("Country:"))
        self.edition_label.setText(self.tr("Xero edition:"))
        self.payroll_label.setText(self.tr("Employees and leave:"))
        self._show_details()
        if self._say_again is not None and not self.banner.isHidden():
            self._say_again()

    def _say(self, show: Callable[[], None]) -> None:
        """Show a banner now and again after a language change."""
        self._say_again = show
        show()

    def _company(self) -> QBTimeCompany | None:
        return self.state.qbtime_company

    # ------------------------------------------------------------------ state
    def current_tenant(self) -> str | None:
        """The organisation picked (selected, not merely under the keyboard cursor)."""
        items = self.orgs.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def current_details(self) -> tuple[XeroOrganisation, list[str]] | None:
        tenant = self.current_tenant()
        return self._details.get(tenant) if tenant else None

    def primary_action(self) -> QPushButton | None:
        """Payroll access still to allow: that is the way forward."""
        if not self.payroll_access.isHidden() and not self.payroll_button.isHidden():
            return self.payroll_button
        return None

    def ready(self) -> bool:
        details = self.current_details()
        return details is not None and not details[1] and not self.waiting.waiting

    # ------------------------------------------------------------------ arriving
    def initializePage(self) -> None:  # Qt API
        self.retranslate()  # the company may have been checked since the page was built
        self._fill()
        self.orgs.setFocus()

    def cleanupPage(self) -> None:  # Qt API
        self.waiting.cancel()
        super().cleanupPage()

    def request_cancel(self) -> None:
        self.waiting.cancel()

    def _fill(self) -> None:
        current = self.current_tenant()
        self.orgs.blockSignals(True)
        self.orgs.clear()
        for org in self.state.organisations:
            name = org.get("tenantName") or org.get("tenantId", "")
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, org.get("tenantId"))
            item.setToolTip(name)
            self.orgs.addItem(item)
        self.orgs.blockSignals(False)
        if not self.state.organisations:
            self._say(
                lambda: self.banner.show_message(
                    self.tr(
                        'Xero did not share any organisation yet. Go Back and click "Connect to '
                        "Xero\", then tick the organisation on Xero's page."
                    ),
                    "warning",
                )
            )
        wanted = current or (
            self.state.organisations[0].get("tenantId")
            if len(self.state.organisations) == 1
            else None
        )
        for row in range(self.orgs.count()):
            if self.orgs.item(row).data(Qt.ItemDataRole.UserRole) == wanted:
                self.orgs.setCurrentRow(row)  # selects it, which fires _picked
                break
        else:
            self._show_details()
            self.completeChanged.emit()

    def _picked(self) -> None:
        self._say_again = None
        self.banner.clear()
        tenant = self.current_tenant()
        if tenant and tenant not in self._details:
            self._fetch(tenant)
        else:
            self._show_details()
            self._warn_country()
        self.completeChanged.emit()

    def _fetch(self, tenant: str) -> None:
        if self._loading is not None:  # one at a time: when it ends, the current pick is read
            return
        self._loading = tenant
        self._show_details()

        def next_pick() -> None:
            current = self.current_tenant()
            if current and current != tenant and current not in self._details:
                self._fetch(current)  # the user moved on meanwhile

        def done(result: tuple[XeroOrganisation, list[str]]) -> None:
            self._loading = None
            self._details[tenant] = result
            if self.current_tenant() == tenant:
                self._show_details()
                self._warn_country()
            next_pick()
            self.completeChanged.emit()

        def failed(exc: BridgeError) -> None:
            self._loading = None
            self._show_details()
            if self.current_tenant() == tenant:
                self._say(lambda: self.show_error(exc, retry=lambda: self._fetch(tenant)))
            next_pick()

        self.run_task(
            organisation_details,
            self.state.ctx,
            tenant,
            message=lambda: self.tr("Reading the organisation's details from Xero…"),
            on_done=done,
            on_error=failed,
        )

    # ------------------------------------------------------------------ showing
    def _show_details(self) -> None:
        details = self.current_details()
        self.pick_hint.setVisible(
            details is None and self.orgs.count() > 1 and self.current_tenant() is None
        )
        if details is None:
            self.details.hide()
            self.payroll_access.hide()
            return
        org, missing = details
        self.details_title.setText(org.name)
        self.country_value.setText(
            country_name(org.country_code, self.state.language) or self.tr("not given by Xero")
        )
        self.edition_value.setText(org.version or self.tr("not given by Xero"))
        if has_payroll(org.version):
            self.payroll_value.setText(
                self.tr(
                    "Yes: this organisation uses Xero Payroll, so its employees and leave types "
                    "can be brought into QuickBooks Time."
                )
            )
        else:
            self.payroll_value.setText(
                self.tr(
                    "No: Xero has no payroll for this organisation, so only customers, items and "
                    "tracking categories are imported."
                )
            )
        self.details.show()
        if missing and not self.waiting.waiting:
            self.payroll_access.show_message(
                self.tr(
                    '"{organisation}" uses Xero Payroll. To bring in its employees and leave, '
                    "Xero must ask you once more, in your browser, for access to employees and "
                    'leave. Click "Allow payroll access", then "Allow access" in Xero.'
                ).format(organisation=org.name),
                "info",
                action_text=self.tr("Allow &payroll access"),
                action=self.allow_payroll_access,
            )
            self.payroll_button.setAccessibleName(self.tr("Allow payroll access in Xero"))
        else:
            self.payroll_access.hide()

    def _warn_country(self) -> None:
        details = self.current_details()
        if details is None:
            return
        org = details[0]
        if self.state.country_mismatch(org.country_code):
            chosen = self.state.country or ""
            self._say(
                lambda: self.banner.show_message(
                    self.tr(
                        '"{organisation}" is in {country}, but you chose {chosen} on the first page. '
                        "The assistant will use {country}, the organisation's own country."
                    ).format(
                        organisation=org.name,
                        country=country_name(org.country_code, self.state.language),
                        chosen=country_name(chosen, self.state.language),
                    ),
                    "warning",
                )
            )

    # ------------------------------------------------------------------ payroll access
    def allow_payroll_access(self) -> None:
        details = self.current_details()
        if details is None or self.waiting.waiting or self.busy:
            return
        org = details[0]
        self.payroll_access.hide()
        self._say_again = None
        self.orgs.setEnabled(False)  # one thing at a time while Xero waits in the browser
        self.waiting.start(org.version, self._payroll_allowed, self._payroll_failed)

    def _payroll_allowed(self, orgs: list[dict[str, Any]]) -> None:
        self.orgs.setEnabled(True)
        tenant = self.current_tenant()
        if orgs:
            self.state.organisations = orgs
        self._details.clear()  # the permissions changed: read them again
        self._fill()
        if tenant and self.current_tenant() == tenant and tenant not in self._details:
            self._fetch(tenant)

    def _payroll_failed(self, exc: BridgeError) -> None:
        self.orgs.setEnabled(True)
        self._show_details()
        self._say(lambda: self.show_error(exc, retry=self.allow_payroll_access))

    # ------------------------------------------------------------------ Next: bind
    def validatePage(self) -> bool:  # Qt API
        details = self.current_details()
        if details is None or details[1] or self.busy:
            return False
        org = details[0]
        company = pending_qbtime() or self.state.qbtime_company
        if company is None:
            self._say(
                lambda: self.show_error(
                    self.tr(
                        "QuickBooks Time is not connected yet. Go Back to the QuickBooks Time page and "
                        "check your access key."
                    )
                )
            )
            return False
        tenant = self.current_tenant() or org.tenant_id
        pair = (tenant, company.company_id)
        if self._bound == pair:  # bound by the worker: move on
            self._bound = None
            return True
        self.run_task(
            bind,
            self.state.ctx,
            {
                "tenant_id": tenant,
                "tenant_name": org.name,
                "country_code": org.country_code,
                "version": org.version,
                "timezone": org.timezone,
            },
            company,
            message=lambda: self.tr("Connecting {organisation}…").format(organisation=org.name),
            on_done=lambda conn: self._bound_now(conn, pair, org, company),
            on_error=lambda exc: self._bind_failed(exc, tenant, company),
        )
        return False

    def _bound_now(
        self, conn: Connection, pair: tuple[str, str], org: Any, company: QBTimeCompany
    ) -> None:
        self.state.connection_id = int(conn.get_id())
        self.state.qbtime_company = company
        if org.country_code:
            self.state.country = org.country_code
        if self.host.currentPage() is not self:  # the user went Back meanwhile
            return
        self._bound = pair
        self.host.next()

    def _bind_failed(self, exc: BridgeError, tenant: str, company: QBTimeCompany) -> None:
        if isinstance(exc, AccountAlreadyBound):
            blockers = blocking_connections(tenant, company.company_id)
            self._say(
                lambda: self.banner.show_message(
                    exc.user_message(),
                    "error",
                    action_text=self.tr("Disconnect the other connection…") if blockers else None,
                    action=(lambda: self._disconnect(blockers[0], company)) if blockers else None,
                )
            )
            return
        self._say(lambda: self.show_error(exc))

    def _disconnect(self, other: Connection, company: QBTimeCompany) -> None:
        if not confirm_disconnect(self, other.xero_tenant_name, other.qbtime_company_name):
            return
        name = other.xero_tenant_name
        self.run_task(
            disconnect_to_make_room,
            self.state.ctx,
            other,
            company,
            message=lambda: self.tr('Disconnecting "{organisation}"…').format(organisation=name),
            on_done=lambda problems: self._disconnected(name, problems),
            on_error=lambda exc: self._say(lambda: self.show_error(exc)),
        )

    def _disconnected(self, name: str, problems: list[str]) -> None:
        details = self.current_details()
        chosen = details[0].name if details else ""
        text = self.tr(
            '"{organisation}" is disconnected; its import history is kept. Click '
            'Next to connect "{chosen}".'
        ).format(organisation=name, chosen=chosen)
        self._say(
            lambda: self.banner.show_message(
                " ".join([text, *problems]), "warning" if problems else "success"
            )
        )
        self.completeChanged.emit()
