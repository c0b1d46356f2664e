"""A language switch while the wizard is open words everything again: QWizard's own buttons
(Back, Next, Cancel, Finish…) read as in a wizard started in that language, and so does the
busy line under a page while a background task runs."""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWizard

from wizard.i18n import install_language
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

#: every button QWizard may show
BUTTONS = (
    QWizard.WizardButton.BackButton,
    QWizard.WizardButton.NextButton,
    QWizard.WizardButton.CommitButton,
    QWizard.WizardButton.FinishButton,
    QWizard.WizardButton.CancelButton,
    QWizard.WizardButton.HelpButton,
)


@pytest.fixture
def make_wizard(qtbot):
    made = []

    def make(state: WizardState, start: PageId | None = None) -> BridgeWizard:
        wizard = BridgeWizard(state)
        qtbot.addWidget(wizard)
        if start is not None:
            wizard.restart_at(start)
        wizard.show()
        qtbot.waitExposed(wizard)
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.stop_background_work()


def shown_buttons(wizard: QWizard) -> dict[QWizard.WizardButton, str]:
    """The text of each of QWizard's buttons the window shows."""
    shown = {}
    for which in BUTTONS:
        button = wizard.button(which)
        if button is not None and button.isVisible():
            shown[which] = button.text()
    return shown


@pytest.mark.parametrize(("first", "then"), [("fr", "en"), ("en", "fr")])
@pytest.mark.parametrize("start", [PageId.WELCOME, PageId.XERO_CONNECT])
def test_the_wizard_buttons_follow_a_language_switch(
    demo_env, make_wizard, qtbot, first, then, start
):
    ctx, _box, _t = demo_env
    install_language(then)
    fresh = make_wizard(WizardState(ctx, country="AU", language=then), start)
    expected = shown_buttons(fresh)
    fresh.close()
    install_language(first)
    wizard = make_wizard(WizardState(ctx, country="AU", language=first), start)
    before = shown_buttons(wizard)
    assert set(before) == set(expected)
    assert before != expected  # the two languages word them differently
    install_language(then)
    qtbot.wait(10)
    assert shown_buttons(wizard) == expected
    # Each size the window is drawn at keeps them (QWizard lays its buttons out again).
    wizard.resize(800, 600)
    qtbot.wait(20)
    assert shown_buttons(wizard) == expected
    # Going on and back words them as a wizard started in that language does, too.
    wizard.next() if start == PageId.WELCOME else wizard.back()
    qtbot.wait(20)
    fresh_again = make_wizard(WizardState(ctx, country="AU", language=then), start)
    fresh_again.next() if start == PageId.WELCOME else fresh_again.back()
    qtbot.wait(20)
    assert shown_buttons(wizard) == shown_buttons(fresh_again)


# ---------------------------------------------------------------------------- the busy line
WAIT = 20000


@dataclass(frozen=True)
class Busy:
    """A page whose real worker is held while it runs: its module's task function, how the
    page starts it, and the busy line it shows meanwhile (source text, in the page's context)."""

    page: PageId
    cls: str  # "module.Class" under wizard.pages
    task: str  # the module's function run in the worker
    start: Callable[[Any], None]
    context: str
    source: str
    hold_at_progress: bool = False  # held at its first progress report (the line says it)


BUSY = {
    "qbtime": Busy(
        PageId.QBTIME,
        "qbtime.QBTimePage",
        "connect_qbtime",
        lambda page: (page.key_edit.setText(page.state.ctx.sandbox.qbtime_token), page.check()),
        "QBTimePage",
        "Checking the access key with QuickBooks Time…",
    ),
    "options": Busy(
        PageId.OPTIONS,
        "options.OptionsPage",
        "refresh",
        lambda page: None,  # entering the page reads both sides
        "OptionsPage",
        "Reading Xero and QuickBooks Time…",
    ),
    "options step": Busy(
        PageId.OPTIONS,
        "options.OptionsPage",
        "refresh",
        lambda page: None,
        "OptionsPage",
        "Reading Xero… (step %1 of %2)",
        hold_at_progress=True,
    ),
    "pay periods": Busy(
        PageId.PAYROLL_PERIOD,
        "payroll_period.PayrollPeriodPage",
        "periods_task",
        lambda page: None,  # entering the page reads the pay calendars
        "PayrollPeriodPage",
        "Reading the pay calendars in Xero…",
    ),
}


def _held(monkeypatch, busy: Busy) -> tuple[type, threading.Event, threading.Event]:
    """The page's class, with its module's worker function held (before it begins, or at its
    first progress report) until ``release``: (class, holding, release)."""
    name, cls_name = busy.cls.split(".")
    module = importlib.import_module(f"wizard.pages.{name}")
    real = getattr(module, busy.task)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        holding.set()
        release.wait(WAIT / 1000)

    def waiting(*args: Any, **kwargs: Any) -> Any:
        if not busy.hold_at_progress:
            hold()
            return real(*args, **kwargs)
        progress = kwargs.pop("progress")  # the worker's (wizard.workers)

        def reported(value: Any) -> None:
            progress(value)
            if not holding.is_set():
                hold()

        return real(*args, progress=reported, **kwargs)

    monkeypatch.setattr(module, busy.task, waiting)
    return getattr(module, cls_name), holding, release


def _words(busy: Busy, line: str) -> str:
    """The busy line's source as the current language words it (steps: the numbers shown)."""
    text = QCoreApplication.translate(busy.context, busy.source)
    if busy.hold_at_progress:
        numbers = re.findall(r"\d+", line)
        text = text.replace("%1", numbers[0]).replace("%2", numbers[1])
    return text


@pytest.mark.parametrize(("first", "then"), [("en", "fr"), ("fr", "en")])
@pytest.mark.parametrize("kind", list(BUSY))
def test_the_busy_line_follows_a_language_switch(
    connected_env, host, qtbot, monkeypatch, kind, first, then
):
    ctx, _box, _t, conn = connected_env
    busy = BUSY[kind]
    cls, holding, release = _held(monkeypatch, busy)
    install_language(first)
    state = WizardState(ctx, country="AU", language=first, connection_id=conn.id)
    wiz = host(state, {busy.page: cls})
    page = wiz.currentPage()
    busy.start(page)
    qtbot.waitUntil(holding.is_set, timeout=WAIT)
    if busy.hold_at_progress:  # the report reaches the window after the worker sent it
        qtbot.waitUntil(lambda: any(c.isdigit() for c in page.busy_label.text()), timeout=WAIT)
    try:
        assert page.busy and page.busy_label.isVisible()
        before = page.busy_label.text()
        assert before == _words(busy, before)
        install_language(then)
        qtbot.wait(10)
        after = page.busy_label.text()
        assert after == _words(busy, after) and after != before, (before, after)
        if busy.hold_at_progress:  # the step's numbers are kept
            assert re.findall(r"\d+", after) == re.findall(r"\d+", before)
        # drawn whole at the smaller size too
        wiz.resize(800, 600)
        qtbot.wait(20)
        label = page.busy_label
        assert label.height() >= label.heightForWidth(label.width())
    finally:
        release.set()
        qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)  # before the database closes
    assert page.busy_label.text() == ""
