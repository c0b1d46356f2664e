"""The window's first page is painted before the work it asks for starts (issue 16): the
tasks a page starts while the window opens wait for that page's first paint (or a limit),
then run in the order they were asked for; a window closed before that never starts them.
The primary button's look, set before the window is shown, is there once it is."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from wizard.widgets import PRIMARY_STYLE, set_primary
from wizard.workers import TaskRunner


def _task(log: list[str], name: str) -> str:
    log.append(name)
    return name


def test_tasks_asked_for_before_the_first_paint_start_after_it(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    runner = TaskRunner()
    runner.hold_until_painted(page, at_most_ms=60000)
    ran: list[str] = []
    done: list[str] = []
    for name in ("connection", "businesses", "invoices"):
        runner.start(_task, ran, name, on_done=done.append)
    assert runner.held() == 3 and runner.busy()
    qtbot.wait(200)
    assert ran == []  # not painted yet: nothing started
    page.show()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=5000)
    assert sorted(ran) == ["businesses", "connection", "invoices"]
    assert runner.held() == 0 and not runner.busy()
    runner.start(_task, ran, "later", on_done=done.append)  # after the paint: at once
    qtbot.waitUntil(lambda: "later" in done, timeout=5000)


def test_held_tasks_start_at_the_latest_after_the_limit(qtbot):
    page = QWidget()  # never shown (minimised start, no screen): the limit starts them
    qtbot.addWidget(page)
    runner = TaskRunner()
    runner.hold_until_painted(page, at_most_ms=150)
    started = threading.Event()
    runner.start(started.set)
    assert not started.is_set()
    qtbot.waitUntil(started.is_set, timeout=5000)


def test_a_window_closed_before_its_first_paint_never_starts_the_held_tasks(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    runner = TaskRunner()
    runner.hold_until_painted(page, at_most_ms=100)
    ran: list[str] = []
    runner.start(_task, ran, "connection")
    assert runner.wait(1000) and not runner.busy()
    qtbot.wait(300)  # past the limit too
    assert ran == []


def test_the_primary_look_set_before_the_window_shows_is_drawn_once_it_does(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.setStyleSheet(PRIMARY_STYLE)
    layout = QVBoxLayout(window)
    primary, other = QPushButton("Next", window), QPushButton("Back", window)
    layout.addWidget(primary)
    layout.addWidget(other)
    set_primary(primary, True)  # before the window is shown (not polished yet)
    window.show()
    qtbot.waitExposed(window)
    assert primary.font().bold() and not other.font().bold()
    set_primary(primary, False)  # once shown: drawn plain again
    set_primary(other, True)
    assert not primary.font().bold() and other.font().bold()
