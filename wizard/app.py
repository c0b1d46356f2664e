"""Starting the desktop app: QApplication, language, context, wizard."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QMessageBox

from .i18n import default_language, install_language
from .state import WizardState

if TYPE_CHECKING:
    from core.context import AppContext

log = logging.getLogger(__name__)


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Xero to QuickBooks Time")
        app.setOrganizationName("XeroQBTimeBridge")
    return app  # type: ignore[return-value]


def already_set_up() -> bool:
    from core.connections import active_connections

    return bool(active_connections())


def build_wizard(ctx: AppContext, language: str | None = None):
    from core.connections import active_connections

    from .wizard import BridgeWizard

    ensure_app()
    language = language or default_language()
    install_language(language)
    state = WizardState(ctx, language=language)
    conns = active_connections()
    if conns:
        state.connection_id = conns[0].id
        state.country = conns[0].xero_country_code or None
    return BridgeWizard(state, already_set_up=bool(conns))


def run_wizard(ctx: AppContext, language: str | None = None) -> int:
    app = ensure_app()
    try:
        wizard = build_wizard(ctx, language)
    except Exception as exc:
        log.exception("The wizard could not start")
        QMessageBox.critical(None, "Xero to QuickBooks Time", str(exc))
        return 1
    wizard.show()
    return app.exec()


def show_startup_error(message: str) -> int:
    """A sentence before any window exists (no keyring, app already open, …)."""
    ensure_app()
    install_language(default_language())
    QMessageBox.critical(None, "Xero to QuickBooks Time", message)
    return 1
