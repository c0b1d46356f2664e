"""The three pages that send (the import, hours to Xero Payroll, invoices to Xero) stop the same
way: Escape, the window's Cancel and its close button ask first ("Stop the …?"), the window
stays and the sending goes on until the user agrees; agreeing stops between steps and shows
the result (with its Undo). A question left unanswered goes away once the sending has ended.

Each page's real worker is held once its first step is sent, until the test lets it go, so the
questions are asked while it really sends; then it goes on (and stops at its next check when
the user agreed).

The two pages that send to Xero (hours, invoices) also share what happens without a preview
and after a failure: their own sentence, and sending again."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from core.app.sync import current_plan, import_plan, load_options
from wizard.pages import billing_send, payroll_send, run
from wizard.pages.billing_send import BillingSendPage
from wizard.pages.payroll_send import PayrollSendPage
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 20000


@dataclass
class Sending:
    """One of the three pages: where it is, its worker, its question, where it leads."""

    page: PageId
    module: ModuleType
    task: str
    question: str
    stop: str
    keep: str
    result: PageId


PAGES = {
    "import": Sending(
        PageId.IMPORT,
        run,
        "import_task",
        "Stop the import?",
        "&Stop the import",
        "&Keep importing",
        PageId.DONE,
    ),
    "hours": Sending(
        PageId.PAYROLL_SEND,
        payroll_send,
        "send_task",
        "Stop sending hours to Xero?",
        "&Stop sending",
        "&Keep sending",
        PageId.PAYROLL_DONE,
    ),
    "invoices": Sending(
        PageId.BILL_SEND,
        billing_send,
        "send_task",
        "Stop sending the invoices to Xero?",
        "&Stop",
        "&Keep sending",
        PageId.BILL_SEND,  # the result is shown on the page itself
    ),
}


def _prepared(kind: str, connected_env) -> WizardState:
    """What the page before would have left in the state: a plan, hours or invoices."""
    ctx, box, _tenants, conn = connected_env
    ctx.sleep = lambda _s: None
    options = load_options(conn)
    state = WizardState(ctx, language="en", country="AU", connection_id=conn.id)
    state.options = options
    if kind == "import":
        state.plan = current_plan(conn, options)[1]
        return state
    run_, _importer = import_plan(ctx, conn, current_plan(conn, options)[1], options=options)
    assert run_ is not None and run_.status == "done"
    if kind == "hours":
        from core.app.payroll import preview_hours

        state.payroll_preview = preview_hours(ctx, conn)
        return state
    from core.app.cli import Output, cmd_connect_xero
    from core.app.invoicing import preview_invoices, turn_invoicing_on

    turn_invoicing_on()
    with open("/dev/null", "w") as quiet:
        cmd_connect_xero(ctx, Output(as_json=True, stream=quiet), None, None)
    days = sorted(t["date"] for t in box.store.qbtime["timesheets"])
    state.billing_preview = preview_invoices(
        ctx, conn, date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    )
    return state


@pytest.fixture
def held(monkeypatch):
    """Hold the page's worker once its first step is sent, until ``release`` is set:
    (holding, release), ``holding`` set while it waits."""
    holding, release = threading.Event(), threading.Event()

    def hold(sending: Sending) -> tuple[threading.Event, threading.Event]:
        real = getattr(sending.module, sending.task)

        def waiting(*args: Any, progress: Any, **kwargs: Any) -> Any:
            def reported(event: Any) -> None:
                progress(event)
                if getattr(event, "done", 0) and not holding.is_set():
                    holding.set()
                    release.wait(WAIT / 1000)

            return real(*args, progress=reported, **kwargs)

        monkeypatch.setattr(sending.module, sending.task, waiting)
        return holding, release

    yield hold
    release.set()


@pytest.fixture
def sending_window(connected_env, held, qtbot):
    """The wizard on the page of ``kind``, its worker started and held."""
    made = []

    def make(kind: str) -> tuple[BridgeWizard, Any, threading.Event]:
        sending = PAGES[kind]
        state = _prepared(kind, connected_env)
        holding, release = held(sending)
        wiz = BridgeWizard(state, already_set_up=True)
        qtbot.addWidget(wiz)
        made.append(wiz)
        wiz.show()
        wiz.setStartId(int(sending.page))
        wiz.restart()
        page = wiz.currentPage()
        assert wiz.currentId() == int(sending.page)
        qtbot.waitUntil(holding.is_set, timeout=WAIT)  # a first step is sent, the next waits
        assert page.running
        return wiz, page, release

    yield make
    for wiz in made:
        wiz.tasks.wait(WAIT)


def _asked(wiz, page, sending: Sending) -> QMessageBox:
    """The page's question is showing, the window stays and the sending goes on."""
    question = page.question
    assert isinstance(question, QMessageBox) and question.isVisible()
    assert question.text() == sending.question
    assert [b.text() for b in question.buttons()] == [sending.stop, sending.keep]
    assert question.defaultButton().text() == sending.keep  # Enter keeps sending
    assert wiz.isVisible() and page.running and not page._cancel.is_set()
    return question


def _press(qtbot, question: QMessageBox, text: str) -> None:
    button = next(b for b in question.buttons() if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(question) or not question.isVisible())


@pytest.mark.parametrize("kind", list(PAGES))
def test_each_sending_page_asks_before_stopping_then_shows_the_result(kind, sending_window, qtbot):
    sending = PAGES[kind]
    wiz, page, release = sending_window(kind)

    qtbot.keyClick(wiz, Qt.Key.Key_Escape)  # Escape: asked, the sending goes on
    _press(qtbot, _asked(wiz, page, sending), sending.keep)
    assert wiz.isVisible() and page.running and not page._cancel.is_set()

    assert wiz.close() is False  # the window's close button: asked too, the window stays
    _press(qtbot, _asked(wiz, page, sending), sending.keep)
    assert wiz.isVisible() and page.running and not page._cancel.is_set()

    wiz.reject()  # the Cancel button: asked; agreeing stops between steps
    _press(qtbot, _asked(wiz, page, sending), sending.stop)
    assert page._cancel.is_set() and not page.stop_button.isEnabled()
    release.set()
    qtbot.waitUntil(
        lambda: not page.running and not page.busy and wiz.currentId() == int(sending.result),
        timeout=WAIT * 2,
    )
    assert wiz.isVisible()
    result = wiz.currentPage()
    qtbot.waitUntil(lambda: not result.busy, timeout=WAIT)
    assert result.undo_button.isVisible()  # what was sent, with its Undo
    assert QApplication.activeModalWidget() is None


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_question_goes_away_when_the_sending_ends_on_its_own(kind, sending_window, qtbot):
    sending = PAGES[kind]
    wiz, page, release = sending_window(kind)
    wiz.reject()
    question = _asked(wiz, page, sending)
    release.set()  # not answered: the sending ends on its own
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT * 2)
    assert not page._cancel.is_set()
    assert not shiboken6.isValid(question) or not question.isVisible()
    assert QApplication.activeModalWidget() is None
    assert wiz.isVisible()


# ============================================================================ the two send pages
SEND_PAGES = {
    "hours": (
        PayrollSendPage,
        "There is nothing to send. Go back and choose a pay period.",
        "Send &again",
    ),
    "invoices": (
        BillingSendPage,
        "There is nothing to send. Go back to the start and preview the invoices.",
        "Try again",
    ),
}


@pytest.mark.parametrize("kind", list(SEND_PAGES))
def test_a_send_page_without_a_preview_says_so_and_sends_nothing(kind, demo_env, host):
    ctx, _box, _tenants = demo_env
    page_class, sentence, _again = SEND_PAGES[kind]
    state = WizardState(ctx, language="en", country="AU")
    wiz = host(state, {PAGES[kind].page: page_class})
    page = wiz.pages[PAGES[kind].page]
    assert page.banner.isVisible() and page.banner.label.text() == sentence
    assert not page.running and not page.busy and not page.isComplete()
    assert not page.stop_button.isVisible()


@pytest.mark.parametrize("kind", list(SEND_PAGES))
def test_a_send_page_that_fails_says_why_and_sends_again(kind, connected_env, qtbot, monkeypatch):
    """Xero unreachable as the sending starts: the reason and a button that sends again; the
    second time it is sent and the result follows."""
    from core.errors import NetworkError

    sending = PAGES[kind]
    _page_class, _sentence, again = SEND_PAGES[kind]
    state = _prepared(kind, connected_env)
    real = getattr(sending.module, sending.task)
    calls = []

    def unreachable_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise NetworkError(service="Xero")
        return real(*args, **kwargs)

    monkeypatch.setattr(sending.module, sending.task, unreachable_once)
    wiz = BridgeWizard(state, already_set_up=True)
    qtbot.addWidget(wiz, before_close_func=lambda w: w.tasks.wait(WAIT))
    wiz.show()
    wiz.setStartId(int(sending.page))
    wiz.restart()
    page = wiz.currentPage()
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT)
    assert wiz.currentId() == int(sending.page)
    assert "Could not reach Xero" in page.banner.label.text()
    assert page.banner.button.isVisible() and page.banner.button.text() == again
    assert not page.stop_button.isVisible()

    page.banner.button.click()
    qtbot.waitUntil(
        lambda: (
            len(calls) == 2
            and not page.running
            and not page.busy
            and wiz.currentId() == int(sending.result)
        ),
        timeout=WAIT * 2,
    )
    result = wiz.currentPage()
    qtbot.waitUntil(lambda: not result.busy, timeout=WAIT)
    assert result.undo_button.isVisible()
