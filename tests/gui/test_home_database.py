"""A returning user's start (issue 16): the window opens on the home page before the database
is open — the page says it is reading, nothing to go to yet — and opens it on a worker once
the page is painted, then shows the business shown last. The page it opens on comes from the
marker beside the database; one out of date (a crash since a business was connected or the
last one disconnected) is corrected once the database is read. A database that cannot be
opened then closes the window, and the start says why, with its remedy (main.run_gui)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

import main
from core.errors import DatabaseReadOnly
from core.store import db as core_db
from core.store.dbfiles import app_database_files, was_connected
from core.store.models import Connection
from core.store.secrets import TokenStore
from wizard.app import open_wizard
from wizard.state import PageId

AU = "Maison Verdure Australia"
WAIT = 30000


def _returning(ctx) -> list[bool]:
    """The app closed (the marker written as it left the database), started again: the lock
    held, the database not open yet. Returns, filled as it happens, whether each opening of
    the database ran on the UI thread."""
    core_db.close_database()
    ctx.db_pending = True
    on_ui_thread: list[bool] = []
    open_db = ctx.open_db

    def opening() -> None:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        open_db()

    ctx.open_db = opening
    return on_ui_thread


def _shortcuts(page) -> list:
    return [
        page.review_button,
        page.bill_button,
        page.options_button,
        page.history_button,
        page.disconnect_button,
        page.add_button,
    ]


def _settled(qtbot, wizard) -> None:
    """Every read of the page done (the check for changes included), the window closed."""
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    wizard.stop_background_work()


def test_the_home_page_reads_before_the_database_is_open_then_shows_the_business(
    connected_env, qtbot
):
    ctx, _box, _tenants, au = connected_env
    on_ui_thread = _returning(ctx)
    wizard = open_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    page = wizard.currentPage()
    # Shown, not painted yet: the home page, reading; no business yet, nowhere to go.
    assert wizard.currentId() == PageId.HOME and page.busy
    assert page.busy_label.text() == "Reading…" and page.last_label.text() == "Reading…"
    assert wizard.state.connection_id is None and not page.isComplete()
    assert not any(button.isEnabled() for button in _shortcuts(page))
    assert on_ui_thread == [] and ctx.db_pending
    qtbot.waitExposed(wizard)
    qtbot.waitUntil(lambda: not ctx.db_pending, timeout=WAIT)
    assert on_ui_thread == [False]  # once painted, on a worker
    qtbot.waitUntil(lambda: AU in page.connection_label.text(), timeout=WAIT)
    assert wizard.currentId() == PageId.HOME and wizard.state.connection_id == au.id
    assert wizard.state.country == "AU"
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert all(button.isEnabled() for button in _shortcuts(page))
    _settled(qtbot, wizard)


def test_home_guessed_but_none_connected_any_more_opens_the_welcome_page(connected_env, qtbot):
    """The marker says a business is connected (the app crashed after the last one was
    disconnected): the home page first, then the welcome page once the database says so."""
    ctx, _box, _tenants, au = connected_env
    core_db.close_database()
    _path, _backups, marker = app_database_files(ctx.paths)
    left = marker.read_text(encoding="utf-8")  # one business connected
    ctx.open_db()
    Connection.update(status="disconnected").where(Connection.id == au.id).execute()
    _returning(ctx)
    marker.write_text(left, encoding="utf-8")  # the crash: not written since
    assert was_connected(ctx.paths)
    wizard = open_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    assert wizard.currentId() == PageId.HOME
    qtbot.waitExposed(wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.WELCOME, timeout=WAIT)
    assert wizard.state.connection_id is None and not ctx.db_pending
    # Shown again later, the home page no longer says it waits for the database.
    wizard.restart_at(PageId.HOME)
    assert not wizard.currentPage().busy
    wizard.tasks.wait(WAIT)


def test_welcome_guessed_but_a_business_connected_opens_the_home_page(connected_env, qtbot):
    """The marker says none is connected (the app crashed after the first business was
    connected): the welcome page first, then the home page with the business."""
    ctx, _box, _tenants, au = connected_env
    _returning(ctx)
    _path, _backups, marker = app_database_files(ctx.paths)
    marker.unlink()  # as a first run's open left it: nothing connected yet
    assert not was_connected(ctx.paths)
    wizard = open_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    assert wizard.currentId() == PageId.WELCOME
    qtbot.waitExposed(wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == PageId.HOME, timeout=WAIT)
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: AU in page.connection_label.text(), timeout=WAIT)
    assert wizard.state.connection_id == au.id
    _settled(qtbot, wizard)


def test_a_database_that_cannot_be_opened_closes_the_window_and_the_start_says_why(
    tmp_path, memory_keyring, qapp, monkeypatch
):
    """main.run_gui as the desktop shortcut runs it, on a returning user's database that is
    read-only now: the window opens (the database is opened once it is painted), closes when
    the database cannot be, and the start says why, as before the window (exit code 1)."""
    from core.app.context import AppContext
    from core.store.paths import AppPaths

    monkeypatch.setenv("XQB_XERO_CLIENT_ID", "returning-user-test")  # an installed copy has one
    paths = AppPaths.default().ensure()
    ctx = AppContext.create(paths=paths, tokens=TokenStore(memory_keyring, trust_backend=True))
    ctx.open_db()
    ctx.close()  # a database there: a returning user
    path, _backups, _marker = app_database_files(paths)
    opened: list[str] = []
    real_open = core_db.open_app_database

    def read_only(paths):
        opened.append("ui" if threading.current_thread() is threading.main_thread() else "worker")
        raise DatabaseReadOnly(detail="readonly database", path=str(path))

    monkeypatch.setattr(core_db, "open_app_database", read_only)
    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _parent, _title, text: said.append(text))
    )
    windows: list[bool] = []

    def seen() -> None:  # the window opened: its database is opened once it is painted
        windows.extend(w.isVisible() for w in QApplication.topLevelWidgets() if w.isWindow())

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, seen)
    code = main.main([], tokens=TokenStore(memory_keyring, trust_backend=True))
    assert code == 1
    assert any(windows)
    assert opened == ["worker", "ui"]  # the window's worker, then the start, to say why
    assert said == [DatabaseReadOnly(detail="", path=str(path)).user_message()]
    monkeypatch.setattr(core_db, "open_app_database", real_open)


@pytest.fixture(autouse=True)
def _english():
    from wizard.i18n import install_language

    install_language("en")
    yield
    install_language("en")
