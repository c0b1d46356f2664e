"""Issue 15, before the hard part: the access key page. "Open QuickBooks Time", the key
checked as soon as it is pasted (debounced, on a worker: the window never waits), and
specific help when the key's user is not an administrator or QuickBooks Time refuses it
(what the API answers: core.services.qbtime.keycheck)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget

import wizard.pages.qbtime as qbtime_module
from core.services.qbtime.keycheck import WEB_APP_URL
from wizard.pages.qbtime import QBTimePage
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard


def below(widget: QWidget, control: QWidget, page: QWidget) -> int:
    """How far under ``control`` the top of ``widget`` is, in the page's coordinates."""
    top = widget.mapTo(page, QPoint(0, 0)).y()
    bottom = control.mapTo(page, QPoint(0, control.height())).y()
    return top - bottom


@pytest.fixture
def make_wizard(qtbot):
    made = []

    def make(state: WizardState) -> BridgeWizard:
        wizard = BridgeWizard(state)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.stop_background_work()


def primaries(wizard: QWidget) -> list[QPushButton]:
    return [b for b in wizard.findChildren(QPushButton) if b.isVisible() and b.property("primary")]


# ---------------------------------------------------------------------------- one primary button
def test_one_primary_button_per_page_and_connect_to_xero_is_it(demo_env, make_wizard, qtbot):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx, country="AU"))
    next_button = wizard.button(wizard.WizardButton.NextButton)
    assert primaries(wizard) == [next_button]  # the country is chosen: Next

    wizard.next_to(PageId.QBTIME)
    qb = wizard.currentPage()
    assert primaries(wizard) == [qb.demo_note.button]  # no key yet: get one
    qb.demo_note.button.click()
    assert primaries(wizard) == [next_button]  # a key: Next, once it is checked
    qtbot.waitUntil(qb.isComplete, timeout=10000)  # checked by itself
    assert primaries(wizard) == [next_button] and next_button.isEnabled()

    wizard.next()
    xero = wizard.currentPage()
    assert wizard.currentId() == PageId.XERO_CONNECT
    qtbot.waitUntil(lambda: not xero.busy, timeout=10000)
    connect = xero.connect_button
    assert primaries(wizard) == [connect] and connect.isDefault()
    assert connect.text() == "&Connect to Xero"
    assert connect.height() > next_button.height() and connect.width() >= 200
    assert not next_button.isDefault()
    connect.click()
    qtbot.waitUntil(xero.isComplete, timeout=15000)
    assert primaries(wizard) == [next_button] and next_button.isDefault()
    assert not connect.isDefault() and "again" in connect.text()
    # The result shows under the button that did it, not at the foot of the page.
    assert xero.banner.isVisible() and "Connected to Xero" in xero.banner.label.text()
    assert 0 <= below(xero.banner, connect, xero) < 40


# ---------------------------------------------------------------------------- the access key
def _key_page(host, ctx):
    wiz = host(WizardState(ctx, country="AU"), {PageId.QBTIME: QBTimePage})
    return wiz, wiz.pages[PageId.QBTIME]


def test_open_quickbooks_time_opens_it_in_the_browser(demo_env, host, monkeypatch):
    ctx, _box, _t = demo_env
    opened = []
    monkeypatch.setattr(
        qbtime_module.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url))
    )
    _wiz, qb = _key_page(host, ctx)
    assert qb.open_button.isVisible() and qb.open_button.text() == "&Open QuickBooks Time"
    qb.open_button.click()
    assert [url.toString() for url in opened] == [WEB_APP_URL]


def test_a_pasted_key_is_checked_at_once_without_freezing(demo_env, host, qtbot, monkeypatch):
    ctx, box, _t = demo_env
    calls = []
    real = qbtime_module.connect_qbtime
    monkeypatch.setattr(
        qbtime_module, "connect_qbtime", lambda c, token: calls.append(token) or real(c, token)
    )
    box.qbtime_faults.latency_s = 0.3  # a slow answer: the window keeps going meanwhile
    _wiz, qb = _key_page(host, ctx)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    qb.key_edit.setFocus()
    QGuiApplication.clipboard().setText(box.qbtime_token)
    qb.key_edit.paste()  # as Ctrl+V does; nothing else is pressed
    qtbot.waitUntil(lambda: qb.busy, timeout=3000)
    assert qb.busy_row.isVisible() and below(qb.busy_row, qb.key_edit, qb) < 40
    qtbot.waitUntil(qb.isComplete, timeout=10000)
    timer.stop()
    assert calls == [box.qbtime_token]
    assert len(ticks) >= 10  # the event loop ran all along (0.3 s answer, 20 ms ticks)
    assert "Connected to QuickBooks Time" in qb.banner.label.text()
    assert 0 <= below(qb.banner, qb.key_edit, qb) < 40  # under the key, not far below


def test_typing_a_key_checks_it_once_when_typing_pauses(demo_env, host, qtbot, monkeypatch):
    ctx, box, _t = demo_env
    calls = []
    real = qbtime_module.connect_qbtime
    monkeypatch.setattr(
        qbtime_module, "connect_qbtime", lambda c, token: calls.append(token) or real(c, token)
    )
    _wiz, qb = _key_page(host, ctx)
    qtbot.keyClicks(qb.key_edit, box.qbtime_token)
    qtbot.waitUntil(qb.isComplete, timeout=10000)
    assert calls == [box.qbtime_token]  # one check, not one per key typed
    qtbot.wait(800)
    assert calls == [box.qbtime_token]  # and not again by itself


def _current_user(box):
    qb = box.store.qbtime
    return next(u for u in qb["users"] if u["id"] == qb["current_user_id"])


@pytest.mark.parametrize("kind", ["team member", "manager without admin"])
def test_a_key_of_someone_not_an_administrator_gets_specific_help(demo_env, host, qtbot, kind):
    ctx, box, _t = demo_env
    user = _current_user(box)
    user["permissions"].update(admin=False)
    user["manager_of_group_ids"] = [] if kind == "team member" else [1]
    name = f"{user['first_name']} {user['last_name']}"
    _wiz, qb = _key_page(host, ctx)
    qb.key_edit.setText(box.qbtime_token)
    qtbot.waitUntil(lambda: not qb.banner.isHidden(), timeout=10000)
    text = qb.banner.label.text()
    assert f"This key belongs to {name}, who is not an administrator" in text
    assert "Ask an administrator to create the key" in text and not qb.isComplete()
    assert qb.banner.button.isVisible() and qb.banner.button.text() == "Open QuickBooks Time"
    assert 0 <= below(qb.banner, qb.key_edit, qb) < 40


def test_a_refused_key_names_the_api_add_on(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    _wiz, qb = _key_page(host, ctx)
    qb.key_edit.setText("S.4__" + "0123456789abcdef" * 2)  # not this account's key: 401
    qtbot.waitUntil(lambda: not qb.banner.isHidden(), timeout=10000)
    text = qb.banner.label.text()
    assert text.startswith("QuickBooks Time did not accept this key")
    assert "the API add-on must be installed" in text and not qb.isComplete()
