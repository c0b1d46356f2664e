"""A window's work in the background ends before the database it reads is closed.

* The app (wizard.app.run_wizard): a window closed with work still running (after
  CLOSE_WAIT_MS it closes anyway) leaves the event loop; the caller then closes the database
  (main.run_gui). That work ends first: it read a closed database ("Cannot use uninitialized
  Proxy", told as "Something unexpected went wrong").
* The suite (tests/gui/conftest.py): a test's windows, closed by pytest-qt, are told what
  their last work found, and a page told so starts more (the home page counts the records
  waiting once it has read its businesses). None starts any more, and what runs ends, before
  the fixtures close the database: it ran on into the next tests, with the database closed
  or another test's database open (the home page's focus test failed after other files)."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import wizard.app
import wizard.tasks
from core.store.models import Connection
from wizard.pages.home import HomePage
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 20000


class Reading:
    """A task that reads the database after a while; says whether it read it, and when."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.started = threading.Event()
        self.ended = threading.Event()
        self.counted: int | None = None
        self.error: BaseException | None = None

    def __call__(self) -> int:
        self.started.set()
        try:
            time.sleep(self.delay)
            self.counted = Connection.select().count()
            return self.counted
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self.ended.set()


def test_the_app_ends_the_windows_work_before_the_database_is_closed(
    connected_env, monkeypatch, qapp
):
    ctx, _box, _tenants, _conn = connected_env
    monkeypatch.setattr(wizard.tasks, "start_engine_process", lambda _ctx: None)  # not here
    monkeypatch.setattr(BridgeWizard, "CLOSE_WAIT_MS", 100)  # closes with the work running
    reading = Reading(delay=1.0)
    shown = []
    real_open = wizard.app.open_wizard

    def close_while_reading(window: BridgeWizard) -> None:
        window.tasks.start(reading)
        window.close()  # waits CLOSE_WAIT_MS for the work, then closes anyway

    def open_wizard(ctx, language=None):
        window = real_open(ctx, language)
        shown.append(window)
        QTimer.singleShot(300, window, lambda: close_while_reading(window))
        return window

    monkeypatch.setattr(wizard.app, "open_wizard", open_wizard)
    give_up = QTimer()  # (a window left open elsewhere: the loop would never end)
    give_up.setSingleShot(True)
    give_up.timeout.connect(QApplication.quit)
    give_up.start(WAIT)
    try:
        code = wizard.app.run_wizard(ctx, "en")
    finally:
        give_up.stop()
    assert code == 0 and len(shown) == 1
    assert reading.started.is_set()
    # run_wizard returned: main.run_gui closes the database now. The reading had ended.
    assert reading.ended.is_set(), "the window's work still ran as the database was closed"
    assert reading.error is None and reading.counted == 1


@pytest.fixture
def after_the_test():
    """What still runs once the test's windows are closed, looked at just before the
    database closes (torn down before the fixtures the test asked for first)."""
    seen: dict = {}
    yield seen
    running = seen["window"].tasks.pool.activeThreadCount()
    assert running == 0, f"{running} task(s) of a closed window ran as the database closed"
    assert seen["reading"].error is None


def test_a_closed_windows_work_ends_before_the_fixtures_close_the_database(
    connected_env, host, qtbot, after_the_test
):
    ctx, _box, _tenants, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    window = host(state, {PageId.HOME: HomePage})
    page = window.pages[PageId.HOME]
    qtbot.waitUntil(lambda: not page.busy and page._info is not None, timeout=WAIT)
    after_the_test["window"] = window
    reading = after_the_test["reading"] = Reading(delay=0.5)
    # A last task, whose result is told only once pytest-qt has closed the window (the test
    # processes no more events): told so, the page starts another, as the home page does.
    window.tasks.start(lambda: None, on_done=lambda _none: window.tasks.start(reading))
    assert window.tasks.wait(WAIT)
