"""A connection made before hours could be sent to Xero Payroll lacks the permission to write
timesheets: the period page's preview is refused, and the sentence says 'Click "Connect to
Xero"'. There was no such button (only "Try again", which failed the same way): the window
could not mend it. Now "Connect to Xero" is the page's main action; once signed in again,
the preview comes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from core.services.auth.xero_oauth import TokenSet
from wizard.state import PageId

from .test_payroll_pages import WAIT, _click_next, _imported, _page, _window


def _without_payroll_writes(ctx, conn) -> None:
    manager = ctx.xero_tokens_for(conn)
    tokens = manager.token_set()
    scope = " ".join(
        s for s in tokens.scope.split() if s not in ("payroll.timesheets", "payroll.employees")
    )
    manager.save(
        TokenSet(
            tokens.access_token, tokens.refresh_token, tokens.expires_at, scope, tokens.id_token
        )
    )


def test_the_period_page_offers_the_sign_in_it_asks_for(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    _without_payroll_writes(ctx, conn)
    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    page = _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    _click_next(wiz, qtbot)
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    assert wiz.currentId() == int(PageId.PAYROLL_PERIOD)
    assert 'Click "Connect to Xero"' in page.banner.label.text()
    assert "Connect to Xero" in page.banner.button.text()
    assert wiz.primary_button() is page.banner.button and page.banner.button.isDefault()
    assert not wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.mouseClick(page.banner.button, Qt.MouseButton.LeftButton)  # the consent says yes
    qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD), timeout=WAIT)
    assert wiz.currentId() in (int(PageId.PAYROLL_PROBLEMS), int(PageId.PAYROLL_PREVIEW))
    scopes = ctx.xero_tokens_for(conn).token_set().scope.split()
    assert "payroll.timesheets" in scopes
