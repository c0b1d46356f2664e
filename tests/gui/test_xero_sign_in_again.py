"""The Xero page's button is large while connecting is the page's main action, and a normal
plain button ("Sign in again") once connected: Next is then the one primary button."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWizard

from core.services.auth.xero_oauth import demo_consent_opener
from wizard.pages.xero_connect import XeroConnectPage
from wizard.state import PageId, WizardState


def test_sign_in_again_is_a_normal_size_button_once_connected(demo_env, host, qtbot):
    ctx, _box, tenants = demo_env
    ctx.opener = demo_consent_opener([tenants["AU"]])
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.XERO_CONNECT: XeroConnectPage})
    page = wiz.pages[PageId.XERO_CONNECT]
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    button = page.connect_button
    plain = QPushButton("&Sign in again", page)  # what a normal button of this text measures
    plain.hide()
    # not connected yet: "Connect to Xero" is the large main action
    assert button.text() == "&Connect to Xero"
    assert page.primary_action() is button
    assert button.font().pointSizeF() > page.font().pointSizeF()
    assert button.minimumSizeHint().height() > plain.sizeHint().height()
    big_height = button.sizeHint().height()

    button.click()
    qtbot.waitUntil(lambda: page.isComplete() and not page.busy, timeout=10000)
    assert button.text() == "&Sign in again"
    assert page.primary_action() is None  # Next is the primary now
    assert wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    assert button.font().pointSizeF() == page.font().pointSizeF()
    assert button.minimumSize().height() == 0 and button.minimumSize().width() == 0
    assert button.sizeHint() == plain.sizeHint()
    assert button.sizeHint().height() < big_height
    # nothing allowed any more: connecting is the main action again, large again
    state.organisations = []
    page.retranslate()
    assert button.text() == "&Connect to Xero"
    assert button.sizeHint().height() == big_height
