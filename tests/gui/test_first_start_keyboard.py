"""The first start, with the keyboard: the focus starts on the country (the first field to
fill), Enter never closes the window (Cancel is never the default button), and once a
country is chosen Enter goes on (Next is the default)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWizard

from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 10000


def _defaults(wizard) -> list[str]:
    return [b.text() for b in wizard.findChildren(QPushButton) if b.isDefault() and b.isVisible()]


def _fresh(demo_env, qtbot) -> BridgeWizard:
    ctx, _box, _tenants = demo_env
    state = WizardState(ctx)
    assert state.country is None  # LANG=C.UTF-8 (tests/conftest.py): no country proposed
    wizard = BridgeWizard(state)
    qtbot.addWidget(wizard, before_close_func=lambda w: w.stop_background_work())
    wizard.show()
    wizard.activateWindow()
    qtbot.waitActive(wizard)
    qtbot.wait(100)
    assert wizard.currentId() == int(PageId.WELCOME)
    return wizard


def test_first_start_focus_on_the_country_and_enter_never_closes(demo_env, qtbot):
    wizard = _fresh(demo_env, qtbot)
    page = wizard.pages[PageId.WELCOME]
    cancel = wizard.button(QWizard.WizardButton.CancelButton)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    field = QApplication.focusWidget()
    assert field in (page.country, page.search)  # (the box gives its keys to its search)
    assert "Cancel" not in _defaults(wizard)

    # Enter on an empty country: nothing happens, the window stays.
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert wizard.isVisible() and wizard.currentId() == int(PageId.WELCOME)

    # Enter with the focus on Cancel: not a way to close the window either.
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Return)
    assert wizard.isVisible()
    assert not cancel.isDefault() and "Cancel" not in _defaults(wizard)

    # The Tab chain from the country: Next is skipped while it cannot be pressed.
    field.setFocus()
    chain = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        chain.append(QApplication.focusWidget())
    assert chain == [cancel, page.language, field]

    # A country chosen: Next is the default, and Enter in the country box goes on.
    qtbot.keyClicks(field, "Australia")
    qtbot.keyClick(field, Qt.Key.Key_Return)  # picks it (the search's Enter)
    assert wizard.state.country == "AU" and wizard.currentId() == int(PageId.WELCOME)
    assert next_button.isEnabled() and next_button.isDefault()
    assert _defaults(wizard) == [next_button.text()]
    qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter again: Next
    qtbot.waitUntil(lambda: wizard.currentId() == int(PageId.QBTIME), timeout=WAIT)
    assert wizard.isVisible()
    assert not cancel.isDefault() and not cancel.autoDefault()


def test_enter_on_a_focused_cancel_never_closes_on_the_next_pages(demo_env, qtbot):
    wizard = _fresh(demo_env, qtbot)
    page = wizard.pages[PageId.WELCOME]
    qtbot.keyClicks(page.search, "Canada")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == int(PageId.QBTIME), timeout=WAIT)
    cancel = wizard.button(QWizard.WizardButton.CancelButton)
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Return)
    assert wizard.isVisible() and wizard.currentId() == int(PageId.QBTIME)
    assert "Cancel" not in _defaults(wizard)
