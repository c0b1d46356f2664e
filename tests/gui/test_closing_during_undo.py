"""Closing the window while the Done page undoes the import asks "Stop the undo?", as the
import, the hours and the invoices ask; the window never freezes while work ends.

Stopping the undo stops it between two batches; "Undo this import" then finishes it
(tests/e2e/test_undo_stopped_resumes.py: the end is as one undo in one go)."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtWidgets import QMessageBox

import wizard.pages.done as done_module
from core.app.sync import sync
from core.store.models import ImportRun
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 15000


def _button(box: QMessageBox, role: QMessageBox.ButtonRole):
    return next(b for b in box.buttons() if box.buttonRole(b) == role)


@pytest.fixture
def at_done(connected_env, qtbot):
    """The whole window on the Done page of an import just made."""
    ctx, _box, _tenants, conn = connected_env
    result = sync(ctx, conn)
    state = WizardState(ctx, country="AU", connection_id=conn.id, language="en")
    state.plan, state.last_run = result.plan, result.run
    wiz = BridgeWizard(state, already_set_up=True)
    wiz.setStartId(int(PageId.DONE))
    qtbot.addWidget(wiz, before_close_func=lambda w: w.stop_background_work())
    wiz.show()
    qtbot.waitExposed(wiz)
    page = wiz.pages[PageId.DONE]
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.DONE) and not page.busy, timeout=WAIT)
    return wiz, page, result.run


def _undo(page, qtbot) -> None:
    page.undo_button.click()
    _button(page.question_box(), QMessageBox.ButtonRole.AcceptRole).click()


def test_closing_while_undoing_asks_first_and_a_stopped_undo_finishes_later(
    at_done, qtbot, monkeypatch
):
    wiz, page, imported = at_done
    real = done_module.undo_task
    first_batch, release = threading.Event(), threading.Event()

    def held_after_the_first_batch(*args, progress, cancel):
        def report(event):
            if event.done and not first_batch.is_set():
                first_batch.set()
                release.wait(WAIT / 1000)  # the user closes the window meanwhile
            progress(event)

        return real(*args, progress=report, cancel=cancel)

    monkeypatch.setattr(done_module, "undo_task", held_after_the_first_batch)
    _undo(page, qtbot)
    qtbot.waitUntil(first_batch.is_set, timeout=WAIT)
    assert page.busy and page.undoing

    # The window's close button: asked first, at once; the window stays and the undo goes on.
    started = time.monotonic()
    assert wiz.close() is False
    assert time.monotonic() - started < 1.0, "the window waited for the undo"
    assert wiz.isVisible() and wiz.isEnabled() and page.undoing
    question = page.question_box()
    assert question.isVisible() and question.text() == "Stop the undo?"
    keep = _button(question, QMessageBox.ButtonRole.RejectRole)
    assert question.defaultButton() is keep and keep.text() == "&Keep undoing"
    # Escape (Cancel) while the question is open: the same question, not a second one
    wiz.reject()
    assert page.question_box() is question and wiz.isVisible()

    _button(question, QMessageBox.ButtonRole.AcceptRole).click()  # "Stop the undo"
    assert "Stopping the undo" in page.busy_label.text()
    release.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert not page.undoing and wiz.isVisible()
    assert page.banner.isVisible() and "The undo was stopped" in page.banner.label.text()
    stopped = ImportRun.select().where(ImportRun.kind == "undo").get()
    assert stopped.status == "cancelled"
    assert ImportRun.get_by_id(imported.id).status == "done"
    assert page.undo_button.isEnabled(), "the import can be undone again"

    # Undo this import again: it finishes the job.
    monkeypatch.setattr(done_module, "undo_task", real)
    _undo(page, qtbot)
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert "was undone" in page.banner.label.text()
    assert ImportRun.get_by_id(imported.id).status == "undone"

    # Nothing runs any more: the window closes at once, without asking.
    assert wiz.close() is True and not wiz.isVisible()


def test_escape_while_undoing_asks_and_keep_undoing_lets_it_finish(at_done, qtbot, monkeypatch):
    wiz, page, imported = at_done
    real = done_module.undo_task
    release = threading.Event()

    def held(*args, progress, cancel):
        release.wait(WAIT / 1000)
        return real(*args, progress=progress, cancel=cancel)

    monkeypatch.setattr(done_module, "undo_task", held)
    _undo(page, qtbot)
    wiz.reject()  # Escape, the Cancel button
    question = page.question_box()
    assert question.isVisible() and wiz.isVisible()
    _button(question, QMessageBox.ButtonRole.RejectRole).click()  # "Keep undoing"
    release.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert ImportRun.get_by_id(imported.id).status == "undone"
    assert wiz.isVisible()


def test_closing_with_work_that_cannot_ask_waits_without_freezing(at_done, qtbot):
    """Work with no question (a report being saved, a read): the window greys, keeps
    repainting, and closes by itself once the work has ended."""
    wiz, _page, _imported = at_done
    release = threading.Event()
    wiz.tasks.start(lambda: release.wait(WAIT / 1000))
    started = time.monotonic()
    assert wiz.close() is False
    assert time.monotonic() - started < 1.0, "the window blocked"
    assert wiz.isVisible() and wiz.closing and not wiz.isEnabled()
    qtbot.wait(200)  # the event loop runs meanwhile: the window is not frozen
    assert wiz.isVisible()
    assert wiz.close() is False  # closing again while it waits changes nothing
    release.set()
    qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=WAIT)
    assert not wiz.closing


def test_work_asked_for_while_the_window_closes_never_starts(at_done, qtbot):
    """The window closes once its work in flight ends; what that work hands on to (a page
    moving on, reading more) is not started: it would run on after the window, keeping the
    app (and its one-instance lock) alive with nobody to see it (a review of 2a378fd)."""
    wiz, _page, _run = at_done
    release = threading.Event()
    ran: list[str] = []

    def hand_on(_value):
        wiz.tasks.start(lambda: ran.append("the next work"))

    wiz.tasks.start(lambda: release.wait(10), on_done=hand_on)
    wiz.reject()
    assert wiz.closing and wiz.isVisible()
    release.set()
    qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=WAIT)
    assert wiz.tasks.wait(5000)
    assert ran == []
