"""A revoked Xero sign-in found by the home page's check for changes or by the pay period
page: the message says 'Click "Connect to Xero"', and that button is right there (the page's
main action; Next waits, it could only fail again), in English and in French; once signed in
again, the page's work goes on. Before, both pages said to click a button they did not have
(the home page's was "Check again", under "could not be reached"; the period page's "Try
again")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from core.errors import ReauthorizationRequired
from wizard.i18n import install_language
from wizard.pages.home import HomePage
from wizard.pages.payroll_period import PayrollPeriodPage
from wizard.state import PageId, WizardState

WAIT = 20000


def _revoke(box) -> None:
    """The user removes the app in Xero: its sign-in no longer works."""
    identity = box.xero.identity
    with box.store.lock:
        for grant in list(identity._state["grants"]):
            identity._revoke_grant(grant)


def _asks_sign_in(wizard, page) -> None:
    text = page.banner.label.text()
    assert 'Click "Connect to Xero"' in text
    assert "could not be reached" not in text
    button = page.primary_action()
    assert button is page.banner.button and button.isVisible()
    assert button.text() == "&Connect to Xero"
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_home_page_offers_connect_to_xero_then_checks_again(connected_env, host, qtbot):
    ctx, box, _tenants, conn = connected_env
    _revoke(box)
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    wizard = host(state, {PageId.HOME: HomePage})
    page = wizard.pages[PageId.HOME]
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    _asks_sign_in(wizard, page)
    assert "Xero could not be checked for changes" in page.banner.label.text()

    # in French (the check again, in the language now chosen)
    assert install_language("fr")
    page.check_xero()
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    assert page.banner.button.text() == "&Se connecter à Xero"
    assert page.primary_action() is page.banner.button
    assert "Cliquez sur «\u00a0Se connecter à Xero\u00a0»" in page.banner.label.text()
    assert page.banner.label.text().startswith("Impossible de vérifier les modifications dans Xero")
    assert install_language("en")
    page.check_xero()
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)

    qtbot.mouseClick(page.banner.button, Qt.MouseButton.LeftButton)  # (Demo: signed in at once)
    qtbot.waitUntil(lambda: page._changes is not None and not page.busy, timeout=WAIT)
    assert not page.banner.isVisible()
    assert page.primary_action() is None
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_home_page_invoice_status_says_sign_in_not_unreachable(connected_env, host, qtbot):
    ctx, _box, _tenants, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    wizard = host(state, {PageId.HOME: HomePage})
    page = wizard.pages[PageId.HOME]
    qtbot.waitUntil(lambda: page._statuses is not None and not page.busy, timeout=WAIT)
    page._statuses_error(ReauthorizationRequired())
    assert page.invoices_label.text() == (
        "The status of the invoices made here is not known until you sign in to Xero again."
    )


def test_pay_period_page_offers_connect_to_xero_then_reads(connected_env, host, qtbot):
    ctx, box, _tenants, conn = connected_env
    _revoke(box)
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    wizard = host(state, {PageId.PAYROLL_PERIOD: PayrollPeriodPage})
    page = wizard.pages[PageId.PAYROLL_PERIOD]
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    _asks_sign_in(wizard, page)

    assert install_language("fr")
    page.load()
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    assert page.banner.button.text() == "&Se connecter à Xero"
    assert page.primary_action() is page.banner.button
    assert "Cliquez sur «\u00a0Se connecter à Xero\u00a0»" in page.banner.label.text()
    assert install_language("en")

    page.load()  # (in English again)
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    qtbot.mouseClick(page.banner.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.chosen() is not None and not page.busy, timeout=WAIT)
    assert not page.banner.isVisible()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
