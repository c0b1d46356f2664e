"""Starting the desktop app: QApplication, language, context, wizard.

Two things keep the window quick to open and then responsive:

* The wizard makes its pages when they are first needed (wizard/wizard.py), so opening it
  imports only the first page; the other pages' modules are imported in a background thread
  once the window is on screen (``preload_pages``).
* Garbage collection. Starting creates a large heap that lives as long as the app: Qt's and
  our modules, the context, the Demo Company's data. Collecting it while starting finds
  nothing, and each later full collection walks all of it again while holding the
  interpreter lock: every thread stops, the window too (a tenth of a second per collection
  with the Demo Company's simulators in the process). So no collection runs while the app
  starts, and once the window is open what the start made is moved out of the collector's
  way (``gc.freeze``); later collections only look at what was made since. The same is
  done each time a page has received the data it loaded (wizard/workers.py settle_heap).
"""

from __future__ import annotations

import gc
import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from .i18n import default_language, install_language
from .state import WizardState

if TYPE_CHECKING:
    from core.app.context import AppContext

    from .wizard import BridgeWizard

log = logging.getLogger(__name__)

#: garbage collection was paused by ensure_app while the app starts
_paused_gc = False


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Xero to QuickBooks Time")
        app.setOrganizationName("XeroQBTimeBridge")
        _pause_gc_while_starting()
    return app  # type: ignore[return-value]


def _pause_gc_while_starting() -> None:
    """No garbage collection until the event loop first runs (see the module's notes)."""
    global _paused_gc
    if gc.isenabled():
        gc.disable()
        _paused_gc = True
        # Also when the start ends another way (a startup error's message box runs the loop).
        QTimer.singleShot(0, start_finished)


def start_finished() -> None:
    """The app has started: keep what exists now out of later collections, collect again."""
    from .workers import settle_heap as settle

    global _paused_gc
    settle(collect_young=False)
    if _paused_gc:
        _paused_gc = False
        gc.enable()


def already_set_up() -> bool:
    from core.app.connections import active_connections

    return bool(active_connections())


def build_wizard(ctx: AppContext, language: str | None = None) -> BridgeWizard:
    from core.app.connections import active_connections

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


#: after the first page is painted, the other pages' modules are imported in the background
PRELOAD_DELAY_MS = 250


def open_wizard(ctx: AppContext, language: str | None = None) -> BridgeWizard:
    """The wizard, shown: the app has started. Its heap is settled, and again each time a
    page has received what it loaded (a large organisation's data). Once the first page is
    on screen, the other pages' modules are imported in the background."""
    from .wizard import preload_pages

    wizard = build_wizard(ctx, language)
    wizard.show()
    wizard.tasks.settle_after_tasks = True
    start_finished()
    QTimer.singleShot(PRELOAD_DELAY_MS, lambda: preload_pages(settle=True))
    return wizard


def run_wizard(ctx: AppContext, language: str | None = None) -> int:
    app = ensure_app()
    try:
        wizard = open_wizard(ctx, language)
    except Exception as exc:
        from PySide6.QtWidgets import QMessageBox

        log.exception("The wizard could not start")
        QMessageBox.critical(None, "Xero to QuickBooks Time", str(exc))
        return 1
    code = app.exec()
    del wizard  # the window lived as long as the event loop ran
    return code


def show_startup_error(message: str) -> int:
    """A sentence before any window exists (no keyring, app already open, …)."""
    from PySide6.QtWidgets import QMessageBox

    ensure_app()
    install_language(default_language())
    QMessageBox.critical(None, "Xero to QuickBooks Time", message)
    return 1


def offer_recovery(problem: Exception, paths: object) -> bool:
    """Damaged or lost data at start-up: the same sentence as the headless commands, in a
    dialog that offers the remedy — put the newest good backup copy back (the current file is
    kept aside, never deleted), or, when the history was lost with no copy, start afresh.
    True when the remedy was applied (the caller opens the database again)."""
    from PySide6.QtWidgets import QMessageBox

    from core.errors import (
        RESTORE_BUTTON,
        START_AFRESH_BUTTON,
        BridgeError,
        DatabaseDamaged,
        DatabaseLost,
    )
    from core.i18n import tr
    from core.store import db as core_db

    if not isinstance(problem, DatabaseDamaged | DatabaseLost):
        return False
    backup = problem.backup
    if backup is None and not isinstance(problem, DatabaseLost):
        return False
    ensure_app()
    install_language(default_language())
    box = QMessageBox(QMessageBox.Icon.Critical, "Xero to QuickBooks Time", problem.user_message())
    remedy = box.addButton(tr(RESTORE_BUTTON if backup is not None else START_AFRESH_BUTTON),
                           QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(remedy)
    box.exec()
    if box.clickedButton() is not remedy:
        return False
    try:
        with core_db.InstanceLock(core_db.app_database_files(paths)[0].parent / core_db.LOCK_FILE):
            if backup is not None:
                core_db.restore_backup(paths, backup)
            else:
                core_db.start_afresh(paths)
    except BridgeError as exc:
        show_startup_error(exc.user_message())
        return False
    return True
