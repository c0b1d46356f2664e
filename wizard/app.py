"""Starting the desktop app: QApplication, language, context, wizard.

The window opens quickly: the wizard makes its pages when they are first needed
(wizard/wizard.py), so opening it imports only the first page; the other pages' modules are
imported in a background thread once the window is on screen (``preload_pages``). The Demo
Company's simulators run in a child process (main.py), not in the window's; so does the
engine's heavy work, fetch, plan and import (``wizard.tasks.start_engine_process``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from .i18n import default_language, install_language
from .state import WizardState

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.errors import BridgeError
    from core.store.models import Connection
    from core.store.paths import AppPaths

    from .wizard import BridgeWizard

log = logging.getLogger(__name__)


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        from .pyside_hook import skip_standard_library

        # PySide6 is loaded: its import hook is told about the standard library's modules
        # loaded since the start, instead of reading them (wizard/pyside_hook.py)
        skip_standard_library()
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Xero to QuickBooks Time")
        app.setOrganizationName("XeroQBTimeBridge")
    return app  # type: ignore[return-value]


def build_wizard(ctx: AppContext, language: str | None = None) -> BridgeWizard:
    from .wizard import BridgeWizard

    ensure_app()
    language = language or default_language()
    install_language(language)
    state = WizardState(ctx, language=language)
    if ctx.db_pending:
        # Not open yet (open_wizard opens it once the first page is painted): the first page
        # is the one the database called for when the app last opened or closed it, its
        # business found once it is open (_database_opened).
        from core.store.dbfiles import was_connected

        return BridgeWizard(state, already_set_up=was_connected(ctx.paths))
    conn = _shown_last()
    if conn is not None:
        state.connection_id = conn.id
        state.country = conn.xero_country_code or None
    return BridgeWizard(state, already_set_up=conn is not None)


def _shown_last() -> Connection | None:
    """Several businesses: the one shown last."""
    from core.app.businesses import current_connection

    return current_connection()


def open_database(ctx: AppContext) -> tuple[int, str | None] | None:
    """Open the database (a first run: create it) and find the business to show: (its
    connection id, its country), None when none is connected. A worker's task, once the
    window's first page is painted."""
    ctx.open_db()
    conn = _shown_last()
    return None if conn is None else (int(conn.id), conn.xero_country_code or None)


#: the event loop's exit code when the database could not be opened once the window was
#: shown (damaged, lost, read-only…): main.run_gui opens it again itself and says what went
#: wrong, with the remedy when there is one, as a start that opened it before the window did
DATABASE_NOT_OPENED = 3


#: after the first page is painted, the other pages' modules are imported in the background
PRELOAD_DELAY_MS = 250


def open_wizard(ctx: AppContext, language: str | None = None) -> BridgeWizard:
    """The wizard, shown: the app has started. Once the first page is on screen, the other
    pages' modules are imported in the background."""
    from core.logsetup import open_log_file

    from .tasks import start_engine_process
    from .wizard import preload_pages

    wizard = build_wizard(ctx, language)
    start_page = wizard.currentPage() or wizard.page(wizard.startId())
    if start_page is not None:  # its reads (database, keyring) once it is on screen
        wizard.tasks.hold_until_painted(start_page)
    if ctx.db_pending:
        # The database is opened (a first run: created) once the first page is painted, on
        # a worker; every other task waits for it, and so does Next (database_ready). The
        # engine's process opens the database too: it starts once it is open.
        wizard.tasks.start_first(
            open_database,
            ctx,
            on_done=lambda found: _database_opened(wizard, ctx, found),
            on_error=lambda exc: _database_failed(wizard, exc),
        )
    else:
        QTimer.singleShot(PRELOAD_DELAY_MS, lambda: start_engine_process(ctx))
    wizard.show()
    QTimer.singleShot(PRELOAD_DELAY_MS, open_log_file)  # main.py: deferred until now
    QTimer.singleShot(PRELOAD_DELAY_MS, preload_pages)
    return wizard


def _database_opened(
    wizard: BridgeWizard, ctx: AppContext, found: tuple[int, str | None] | None
) -> None:
    """The database is open: the home page shows the business found (the one shown last),
    or, when what the first page was chosen by is out of date (a crash since a business was
    connected or the last one disconnected), the page the database calls for."""
    from .state import PageId
    from .tasks import start_engine_process

    ctx.db_pending = False
    state = wizard.state
    if found is not None:
        state.connection_id, state.country = found
    shown = wizard.currentId()
    wanted = state.start_page(already_set_up=found is not None)
    if shown == PageId.HOME or (shown == PageId.WELCOME and wanted != shown):
        wizard.restart_at(wanted)  # the home page reads its business from here on
    wizard.database_ready()
    QTimer.singleShot(PRELOAD_DELAY_MS, lambda: start_engine_process(ctx))


def _database_failed(wizard: BridgeWizard, exc: BridgeError) -> None:
    """The database could not be opened (damaged, lost, a read-only folder, a full disk…):
    the window closes, and the start opens it again and says what went wrong, with the
    remedy when there is one, as it did before showing the window (main.run_gui)."""
    log.warning("The database could not be opened once the window was shown: %s", exc)
    wizard.hide()
    QApplication.exit(DATABASE_NOT_OPENED)


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
    # The window may have closed with work still running (it waits CLOSE_WAIT_MS at most),
    # and a result told as it closed may have started more: none starts from now on, and
    # what runs ends here, before the caller closes the database under it (main.run_gui).
    # The window object itself may outlive this function: its pool does not wait for it.
    wizard.tasks.refuse_new()
    wizard.tasks.wait(-1)
    del wizard  # the window lived as long as the event loop ran
    return code


def show_startup_error(message: str | Exception) -> int:
    """A sentence before any window exists (no keyring, app already open, a Demo Company
    file that cannot be used, …); an error is put in the user's language."""
    from PySide6.QtWidgets import QMessageBox

    ensure_app()
    install_language(default_language())
    if not isinstance(message, str):
        user_message = getattr(message, "user_message", None)
        message = user_message() if callable(user_message) else str(message)
    QMessageBox.critical(None, "Xero to QuickBooks Time", message)
    return 1


def offer_recovery(problem: Exception, paths: AppPaths) -> bool:
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
    backup = problem.backup if isinstance(problem.backup, Path) else None
    if backup is None and not isinstance(problem, DatabaseLost):
        return False
    ensure_app()
    install_language(default_language())
    box = QMessageBox(QMessageBox.Icon.Critical, "Xero to QuickBooks Time", problem.user_message())
    remedy = box.addButton(
        tr(RESTORE_BUTTON if backup is not None else START_AFRESH_BUTTON),
        QMessageBox.ButtonRole.AcceptRole,
    )
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
