"""The keyboard across the wizard (accessibility audit): each page shown takes the focus (never
left on a hidden button of the page before, where Enter or Space pressed it again), the home
page starts on its first action (not on Close), Enter never sends to Xero or QuickBooks Time
from a preview (its tables and lists pass Enter on to the window's default button), and the
window fits the screen it is on (200 % on a 1920×1080 screen: 960×540)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QPushButton, QWizard

from core.app.cli import Output, cmd_connect_xero
from core.app.invoicing import turn_invoicing_on
from core.app.sync import current_plan, import_plan, load_options
from wizard import wizard as wizard_module
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 20000
QUIET = Output(as_json=True, stream=open("/dev/null", "w"))


def _window(ctx, conn, qtbot) -> BridgeWizard:
    """A returning user's window, shown and active (the keyboard goes to it)."""
    wiz = BridgeWizard(WizardState(ctx, country="AU", connection_id=conn.id), already_set_up=True)
    qtbot.addWidget(wiz, before_close_func=lambda w: w.stop_background_work())
    wiz.show()
    wiz.activateWindow()
    # and painted: the window puts the focus on its page once the page is first painted
    # (a turn of the event loop that may come after the window is active)
    qtbot.waitUntil(lambda: wiz.isActiveWindow() and wiz._painted, timeout=WAIT)
    return wiz


def _home_ready(wiz, qtbot):
    home = wiz.pages[PageId.HOME]
    qtbot.waitUntil(
        lambda: not home.busy and home._info is not None and home.payroll_box.isVisible(),
        timeout=WAIT,
    )
    return home


def _on(wiz, qtbot, page_id):
    qtbot.waitUntil(lambda: wiz.currentId() == int(page_id), timeout=WAIT)
    page = wiz.pages[page_id]
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    qtbot.wait(20)  # the window's look once QWizard has laid the buttons out
    return page


def _focus_on(page):
    """The widget with the keyboard focus: shown, and on ``page``."""
    focus = QApplication.focusWidget()
    assert focus is not None, "nothing has the keyboard focus"
    assert focus.isVisible(), f"the focus is on a hidden {type(focus).__name__}"
    assert page.isAncestorOf(focus), f"the focus is on a {type(focus).__name__} of another page"
    return focus


def _defaults(wiz) -> list[str]:
    return [b.text() for b in wiz.findChildren(QPushButton) if b.isDefault() and b.isVisible()]


def _timesheets(box, conn) -> int:
    org = next(o for o in box.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)
    return len((org.get("payroll") or {}).get("Timesheets") or [])


def _invoices(box, conn) -> int:
    org = next(o for o in box.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)
    return len(org.get("Invoices") or [])


# ---------------------------------------------------------------------------- the focus
def test_the_home_page_starts_on_its_first_action_not_on_close(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    wiz = _window(ctx, conn, qtbot)
    home = wiz.pages[PageId.HOME]
    close = wiz.button(QWizard.WizardButton.CancelButton)
    assert close.text() == "Close"
    focus = _focus_on(home)
    assert focus is not close and focus is not home.disconnect_button
    assert focus in (home.add_button, home.review_button)  # the first that can be used
    _home_ready(wiz, qtbot)
    assert _focus_on(home) is not close  # one Space does not close the app


def test_a_home_shortcut_leaves_no_focus_on_its_hidden_button(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    wiz = _window(ctx, conn, qtbot)
    home = _home_ready(wiz, qtbot)
    home.send_hours_button.setFocus()
    qtbot.keyClick(home.send_hours_button, Qt.Key.Key_Space)
    period = _on(wiz, qtbot, PageId.PAYROLL_PERIOD)
    assert _focus_on(period) is period.periods  # the list of periods, said by a screen reader
    assert QApplication.focusWidget() is not home.send_hours_button

    # The hidden button pressed again, or any other way to the page already shown: nothing
    # happens (it was "ValueError: a detour goes forward: PAYROLL_PERIOD -> PAYROLL_PERIOD").
    home.send_hours_button.click()
    wiz.next_to(PageId.PAYROLL_PERIOD)
    assert wiz.currentId() == int(PageId.PAYROLL_PERIOD) and wiz.state.detour is None

    # Back home with the mouse, then "Bill time in Xero…" with the mouse: its first day.
    qtbot.mouseClick(wiz.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    home = _on(wiz, qtbot, PageId.HOME)
    assert _focus_on(home) is not wiz.button(QWizard.WizardButton.CancelButton)
    qtbot.mouseClick(home.bill_button, Qt.MouseButton.LeftButton)
    dates = _on(wiz, qtbot, PageId.BILL_RANGE)
    assert isinstance(_focus_on(dates), QDateEdit)


# ---------------------------------------------------------------------------- Enter
def test_enter_in_the_hours_preview_never_sends_them(connected_env, qtbot):
    ctx, box, _t, conn = connected_env
    options = load_options(conn)
    run, _importer = import_plan(ctx, conn, current_plan(conn, options)[1], options=options)
    assert run is not None and run.status == "done"  # employees linked
    wiz = _window(ctx, conn, qtbot)
    home = _home_ready(wiz, qtbot)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    period = _on(wiz, qtbot, PageId.PAYROLL_PERIOD)

    # On the period, Enter still does the safe default: Preview.
    qtbot.keyClick(_focus_on(period), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD), timeout=WAIT)
    if wiz.currentId() == int(PageId.PAYROLL_PROBLEMS):  # the Demo Company's traps
        problems = _on(wiz, qtbot, PageId.PAYROLL_PROBLEMS)
        assert _focus_on(problems) is problems.table
        qtbot.keyClick(problems.table, Qt.Key.Key_Return)  # Next: the preview
    page = _on(wiz, qtbot, PageId.PAYROLL_PREVIEW)
    send = wiz.button(QWizard.WizardButton.NextButton)
    assert send.text() == "&Send to Xero" and send.isEnabled()
    assert _focus_on(page) is page.table
    assert not send.isDefault() and "&Send to Xero" not in _defaults(wiz)

    # Enter in the table, and on the focused button itself: nothing is sent.
    before = _timesheets(box, conn)
    page.table.setCurrentCell(0, 0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.keyClick(page.table, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    send.setFocus()
    qtbot.keyClick(send, Qt.Key.Key_Return)
    # Qt makes the button the window's default again when an "auto default" button the
    # focus was on loses it: Enter still does not send
    wiz.button(QWizard.WizardButton.BackButton).setFocus()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.wait(300)
    assert wiz.currentId() == int(PageId.PAYROLL_PREVIEW)
    assert _timesheets(box, conn) == before

    # A click sends; the result takes the focus (not the preview's table, now hidden).
    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    done = _on(wiz, qtbot, PageId.PAYROLL_DONE)
    assert _timesheets(box, conn) > before
    _focus_on(done)

    # Back home (the window restarts): the focus on the home page.
    wiz.restart()
    home = _on(wiz, qtbot, PageId.HOME)
    _focus_on(home)


def test_enter_in_the_invoice_preview_never_sends_them(connected_env, qtbot):
    from core.app.sync import sync

    ctx, box, _t, conn = connected_env
    ctx.sleep = lambda s: None
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)  # signed in for invoicing
    wiz = _window(ctx, conn, qtbot)
    home = _home_ready(wiz, qtbot)
    qtbot.mouseClick(home.bill_button, Qt.MouseButton.LeftButton)
    dates = _on(wiz, qtbot, PageId.BILL_RANGE)
    qtbot.waitUntil(lambda: dates._defaults_set, timeout=WAIT)
    qtbot.keyClick(_focus_on(dates), Qt.Key.Key_Return)  # the safe default: Preview
    page = _on(wiz, qtbot, PageId.BILL_PREVIEW)
    send = wiz.button(QWizard.WizardButton.CommitButton)
    assert send.text() == "&Send to Xero" and send.isVisible() and send.isEnabled()
    _focus_on(page)
    assert not send.isDefault() and "&Send to Xero" not in _defaults(wiz)

    before = _invoices(box, conn)
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Down)
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    send.setFocus()
    qtbot.keyClick(send, Qt.Key.Key_Return)
    qtbot.wait(300)
    assert wiz.currentId() == int(PageId.BILL_PREVIEW)
    assert _invoices(box, conn) == before

    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    result = _on(wiz, qtbot, PageId.BILL_SEND)
    qtbot.waitUntil(lambda: result.isComplete(), timeout=WAIT)
    assert _invoices(box, conn) > before
    qtbot.wait(20)
    _focus_on(result)  # not the preview's tree, now hidden


def test_enter_in_the_import_preview_never_starts_the_import(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    wiz = _window(ctx, conn, qtbot)
    home = _home_ready(wiz, qtbot)
    qtbot.waitUntil(wiz.button(QWizard.WizardButton.NextButton).isEnabled, timeout=WAIT)
    qtbot.mouseClick(wiz.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.HOME), timeout=WAIT)
    if wiz.currentId() == int(PageId.REVIEW):  # look-alike records wait: the review first
        review = _on(wiz, qtbot, PageId.REVIEW)
        _focus_on(review)
        wiz.next()
    page = _on(wiz, qtbot, PageId.PREVIEW)
    qtbot.waitUntil(lambda: page.loaded, timeout=WAIT)
    start = wiz.button(QWizard.WizardButton.CommitButton)
    assert start.text() == "&Start import" and start.isVisible()
    _focus_on(page)
    assert not start.isDefault() and "&Start import" not in _defaults(wiz)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    start.setFocus()
    qtbot.keyClick(start, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert wiz.currentId() == int(PageId.PREVIEW) and wiz.state.last_run is None
    assert home is wiz.pages[PageId.HOME]


# ---------------------------------------------------------------------------- the screen
@pytest.mark.parametrize(
    "area", [QRect(0, 0, 960, 540), QRect(0, 0, 800, 600), QRect(40, 30, 1280, 680)]
)
def test_the_window_fits_the_screen_it_is_on(demo_env, qtbot, monkeypatch, area):
    ctx, _box, _t = demo_env
    monkeypatch.setattr(wizard_module, "available_geometry", lambda widget: QRect(area))
    wiz = BridgeWizard(WizardState(ctx))
    qtbot.addWidget(wiz, before_close_func=lambda w: w.stop_background_work())
    assert wiz.width() <= area.width() and wiz.height() <= area.height()
    wiz.show()
    qtbot.waitExposed(wiz)
    wiz.move(area.topLeft())
    frame = wiz.frameGeometry()
    assert area.contains(frame), (frame, area)  # title bar included
    # as small as it goes: still on the screen, with Back, Next and Cancel in sight
    wiz.resize(100, 100)
    qtbot.wait(20)
    assert wiz.width() <= area.width() and wiz.height() <= area.height()
    assert wiz.size() == wiz.minimumSize()
    for which in (
        QWizard.WizardButton.BackButton,
        QWizard.WizardButton.NextButton,
        QWizard.WizardButton.CancelButton,
    ):
        button = wiz.button(which)
        corner = button.mapTo(wiz, QPoint(button.width(), button.height()))
        assert wiz.rect().contains(corner - QPoint(1, 1)), (which, corner, wiz.size())


def test_a_large_screen_keeps_the_usual_size(demo_env, qtbot, monkeypatch):
    ctx, _box, _t = demo_env
    area = QRect(0, 0, 1920, 1040)
    monkeypatch.setattr(wizard_module, "available_geometry", lambda widget: QRect(area))
    wiz = BridgeWizard(WizardState(ctx))
    qtbot.addWidget(wiz, before_close_func=lambda w: w.stop_background_work())
    wiz.show()
    qtbot.waitExposed(wiz)
    assert wiz.size() == BridgeWizard.DEFAULT_SIZE
    assert wiz.minimumSize() == BridgeWizard.MINIMUM_SIZE
