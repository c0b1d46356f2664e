"""A first run (no database yet) opens its window before the database exists (issue 16): the
app takes its one-instance lock, shows the welcome page, and creates the database on a worker
once that page is painted; every task, and Next, waits for it (the UI thread never does); a
database that cannot be created closes the window, and the start says it in a sentence and
ends, as before."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from core.app.context import AppContext
from core.errors import AlreadyRunning, DatabaseReadOnly
from core.store.dbfiles import app_database_files, first_run
from core.store.paths import AppPaths
from core.store.secrets import TokenStore
from wizard.i18n import install_language
from wizard.state import PageId
from wizard.workers import TaskRunner


@pytest.fixture
def first_run_ctx(memory_keyring, qapp, monkeypatch):
    """A fresh installation as main.run_gui starts it: lock taken, database pending."""
    monkeypatch.setenv("XQB_XERO_CLIENT_ID", "first-run-test")  # an installed copy has one
    install_language("en")
    paths = AppPaths.default().ensure()
    assert first_run(paths)
    ctx = AppContext.create(paths=paths, tokens=TokenStore(memory_keyring, trust_backend=True))
    ctx.lock_instance()
    ctx.db_pending = True
    yield ctx
    ctx.close()


def _database_file(ctx: AppContext):
    return app_database_files(ctx.paths)[0]


def test_a_first_run_creates_its_database_once_the_welcome_page_is_painted(first_run_ctx, qtbot):
    from wizard.app import open_wizard

    ctx = first_run_ctx
    wizard = open_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    assert wizard.currentId() == int(PageId.WELCOME)
    # Shown, not painted yet: nothing created, and a task asked for now waits for it.
    assert not _database_file(ctx).exists() and ctx.db_pending
    ran = threading.Event()
    wizard.tasks.start(ran.set)
    qtbot.waitUntil(lambda: not ctx.db_pending, timeout=10000)
    assert _database_file(ctx).exists()
    qtbot.waitUntil(ran.is_set, timeout=5000)
    # The next page reads the database on the UI thread: it is there.
    wizard.state.country = "AU"
    wizard.next()
    assert wizard.currentId() == int(PageId.QBTIME)
    wizard.tasks.wait(10000)


def test_next_pressed_before_the_database_exists_goes_on_once_it_does(first_run_ctx, qtbot):
    from wizard.app import build_wizard

    ctx = first_run_ctx
    wizard = build_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    wizard.state.country = "AU"
    page = wizard.page(wizard.startId())
    wizard.tasks.hold_until_painted(page, at_most_ms=60000)
    gate = threading.Event()

    def create() -> None:  # the database's creation, held back until the test says
        assert gate.wait(10)
        ctx.open_db()

    wizard.tasks.start_first(create, on_done=lambda _none: wizard.database_ready())
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.next()  # pressed while the database is being created: the page stays
    qtbot.wait(100)
    assert wizard.currentId() == int(PageId.WELCOME)
    gate.set()
    qtbot.waitUntil(lambda: wizard.currentId() == int(PageId.QBTIME), timeout=10000)
    assert not ctx.db_pending and _database_file(ctx).exists()
    wizard.tasks.wait(10000)


def test_a_first_run_whose_database_cannot_be_created_closes_its_window(
    first_run_ctx, qtbot, monkeypatch
):
    """The window closes, ending its event loop with DATABASE_NOT_OPENED: the start then says
    what went wrong (main.run_gui, tests/gui/test_home_database.py)."""
    import core.store.db
    from wizard.app import DATABASE_NOT_OPENED, open_wizard

    ctx = first_run_ctx

    def refused(paths):
        raise DatabaseReadOnly(detail="readonly database", path=str(_database_file(ctx)))

    monkeypatch.setattr(core.store.db, "open_app_database", refused)
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(codes.append))
    wizard = open_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    ran = threading.Event()
    wizard.tasks.start(ran.set)  # needs the database: never starts
    qtbot.waitExposed(wizard)
    qtbot.waitUntil(lambda: codes == [DATABASE_NOT_OPENED], timeout=10000)
    assert not wizard.isVisible() and ctx.db_pending
    qtbot.waitUntil(lambda: not wizard.tasks.busy(), timeout=5000)
    assert not ran.is_set()


def test_a_second_copy_of_the_app_on_a_first_run_is_refused_before_its_window(
    first_run_ctx, memory_keyring
):
    """The lock is taken before the window even when the database is not opened yet."""
    other = AppContext.create(
        paths=first_run_ctx.paths, tokens=TokenStore(memory_keyring, trust_backend=True)
    )
    with pytest.raises(AlreadyRunning):
        other.lock_instance()


# ---------------------------------------------------------------------------- the task runner
def _task(log: list[str], name: str) -> str:
    log.append(name)
    return name


def test_the_first_task_runs_after_the_paint_and_the_others_after_it(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    runner = TaskRunner()
    runner.hold_until_painted(page, at_most_ms=60000)
    ran: list[str] = []
    done: list[str] = []
    gate = threading.Event()

    def first() -> str:
        assert gate.wait(10)
        return _task(ran, "database")

    runner.start(_task, ran, "home", on_done=done.append)
    runner.start_first(first, on_done=done.append)
    qtbot.wait(100)
    assert ran == [] and runner.held() == 1  # not painted: nothing started
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(200)
    runner.start(_task, ran, "later", on_done=done.append)  # after the paint, before the first
    assert ran == [] and runner.held() == 2  # the first runs, the others wait for it
    gate.set()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=5000)
    assert ran[0] == "database" and sorted(ran[1:]) == ["home", "later"]
    assert done[0] == "database" and not runner.busy()


def test_when_the_first_task_fails_the_tasks_waiting_for_it_never_start(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    errors: list[object] = []

    def first() -> None:
        assert gate.wait(10)
        raise DatabaseReadOnly(detail="readonly", path="x")

    runner.start_first(first, on_error=errors.append)  # no paint to wait for: starts now
    ran: list[str] = []
    runner.start(_task, ran, "home")
    assert runner.held() == 1
    gate.set()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert ran == [] and isinstance(errors[0], DatabaseReadOnly)
