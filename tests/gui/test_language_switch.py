"""A language switch while the wizard is open words everything again: QWizard's own buttons
(Back, Next, Cancel, Finish…) read as in a wizard started in that language, and so does the
busy line under a page while a background task runs."""

from __future__ import annotations

import pytest
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
