"""Pages 2-4 (QuickBooks Time key, Xero sign-in, organisation) against the Demo Company."""

from __future__ import annotations

import json
import threading

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from core.app.connections import connect_qbtime, pending_qbtime
from core.app.context import XERO_SIGNIN_KEY
from core.errors import SignInPortsBusy
from core.services.auth.xero_oauth import XeroSignIn, demo_consent_opener
from core.store.models import Connection
from wizard.pages import organisation as organisation_page
from wizard.pages.base import BasePage
from wizard.pages.organisation import OrganisationPage
from wizard.pages.qbtime import QBTimePage
from wizard.pages.xero_connect import XeroConnectPage, sign_in_to_xero
from wizard.state import PageId, WizardState

COMPANY = "Maison Verdure Group"
PAGES = {
    PageId.QBTIME: QBTimePage,
    PageId.XERO_CONNECT: XeroConnectPage,
    PageId.ORGANISATION: OrganisationPage,
}


class NextPage(BasePage):
    """Stands for the options page, so that Next on the organisation page has somewhere to go."""


def _idle(qtbot, page):
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)


def _press(qtbot, widget, key=Qt.Key.Key_Space):
    widget.setFocus()
    qtbot.keyClick(widget, key)


def _next(qtbot, wiz):
    _press(qtbot, wiz.button(QWizard.WizardButton.NextButton))


def _xero_signed_in(memory_keyring) -> bool:
    return any(
        user == XERO_SIGNIN_KEY or XERO_SIGNIN_KEY in user
        for (_service, user) in memory_keyring.store
    )


# ---------------------------------------------------------------------------- the happy path
def test_keyboard_path_through_the_three_pages(demo_env, host, qtbot, memory_keyring):
    ctx, box, tenants = demo_env
    state = WizardState(ctx, country="AU")
    wiz = host(state, {**PAGES, PageId.OPTIONS: NextPage})
    pages = wiz.pages
    qb = pages[PageId.QBTIME]
    assert wiz.currentId() == PageId.QBTIME and not qb.isComplete()

    # A mistyped key: Enter checks it, the banner says what to do, nothing is kept.
    qtbot.keyClicks(qb.key_edit, "  S.4__not-a-key ")
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Return)
    assert qb.busy
    _idle(qtbot, qb)
    assert wiz.currentId() == PageId.QBTIME and not qb.isComplete()
    assert not qb.banner.isHidden() and "did not accept this key" in qb.banner.label.text()
    assert qb.key_edit.text() == "S.4__not-a-key"  # trimmed, not lost
    assert pending_qbtime() is None and not memory_keyring.store

    # The Demo Company's key, then Enter: checked, kept in the keyring, company shown.
    assert qb.demo_note.isVisible() and qb.key_edit.echoMode() == qb.key_edit.EchoMode.Password
    _press(qtbot, qb.demo_note.button)
    assert qb.key_edit.text() == box.qbtime_token
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Return)
    _idle(qtbot, qb)
    assert qb.isComplete() and state.qbtime_company.company_name == COMPANY
    assert qb.banner.label.text() == f"Connected to QuickBooks Time: {COMPANY}."
    assert pending_qbtime().company_name == COMPANY
    assert box.qbtime_token in memory_keyring.store.values()
    _press(qtbot, qb.show_key)
    assert qb.key_edit.echoMode() == qb.key_edit.EchoMode.Normal

    # Enter again in the checked field goes on (the wizard's Next).
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Return)
    assert wiz.currentId() == PageId.XERO_CONNECT
    xero = pages[PageId.XERO_CONNECT]
    _idle(qtbot, xero)  # "already signed in?" — no
    assert not xero.isComplete() and xero.banner.isHidden()
    assert xero.connect_button.text() == "&Connect to Xero"
    _press(qtbot, xero.connect_button)
    assert xero.busy and "Waiting for you in the browser" in xero.busy_label.text()
    _idle(qtbot, xero)
    assert [o["tenantName"] for o in state.organisations] == ["Maison Verdure Australia"]
    assert xero.banner.label.text() == "Connected to Xero: 1 organisation allowed."
    assert xero.isComplete() and _xero_signed_in(memory_keyring)
    assert xero.connect_button.text() == "&Sign in again"

    _next(qtbot, wiz)
    assert wiz.currentId() == PageId.ORGANISATION
    org = pages[PageId.ORGANISATION]
    assert org.orgs.count() == 1 and org.current_tenant() == tenants["AU"]  # preselected
    _idle(qtbot, org)
    assert org.isComplete()
    assert org.country_value.text() == "Australia" and org.edition_value.text() == "AU"
    assert org.payroll_value.text().startswith("Yes")
    assert org.banner.isHidden() and org.payroll_access.isHidden()  # same country, scopes there

    _next(qtbot, wiz)  # binds on a worker, then moves on by itself
    qtbot.waitUntil(lambda: wiz.currentId() == PageId.OPTIONS, timeout=10000)
    conn = Connection.get(Connection.xero_tenant_id == tenants["AU"])
    assert state.connection_id == conn.id and conn.status == "active"
    assert (conn.xero_tenant_name, conn.xero_country_code, conn.xero_version) == (
        "Maison Verdure Australia",
        "AU",
        "AU",
    )
    assert conn.qbtime_company_name == COMPANY
    assert pending_qbtime() is None  # bound: no longer pending


def test_tab_order_reaches_every_control(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    wiz = host(WizardState(ctx, country="AU"), {PageId.QBTIME: QBTimePage})
    qb = wiz.pages[PageId.QBTIME]
    wiz.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wiz, timeout=3000)
    qtbot.keyClicks(qb.key_edit, "x")  # "Check" is enabled once there is something to check
    qb.demo_note.button.setFocus()
    seen = []
    for _ in range(4):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [qb.demo_note.button, qb.key_edit, qb.show_key, qb.check_button]
    assert qb.key_label.buddy() is qb.key_edit and "&" in qb.key_label.text()
    assert qb.key_edit.accessibleName() and qb.check_button.accessibleName()


# ---------------------------------------------------------------------------- QuickBooks Time errors
def test_missing_permission_and_no_network_are_explained(demo_env, host, qtbot):
    ctx, box, _t = demo_env
    user = next(
        u for u in box.store.qbtime["users"] if u["id"] == box.store.qbtime["current_user_id"]
    )
    user["permissions"].update(admin=False, manage_jobcodes=False)
    wiz = host(WizardState(ctx, country="AU"), {PageId.QBTIME: QBTimePage})
    qb = wiz.pages[PageId.QBTIME]
    qtbot.keyClicks(qb.key_edit, box.qbtime_token)
    _press(qtbot, qb.check_button)
    _idle(qtbot, qb)
    name = f"{user['first_name']} {user['last_name']}"  # whose key it is, and what to do
    assert f"This key belongs to {name}, who is not an administrator" in qb.banner.label.text()
    assert "Ask an administrator to create the key" in qb.banner.label.text()
    assert not qb.isComplete()

    ctx.qbtime_base = "http://127.0.0.1:9/api/v1"  # nothing listens there
    ctx.sleep = lambda _s: None
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Return)
    _idle(qtbot, qb)
    assert qb.banner.label.text().startswith("Could not reach QuickBooks Time")
    assert qb.key_edit.text() == box.qbtime_token and not qb.isComplete()


def test_a_second_qbtime_company_is_another_business(demo_env, host, qtbot, memory_keyring):
    """Several businesses live side by side: a key of another QuickBooks Time company is
    accepted (the rule "one organisation ↔ one account" is kept when binding), and the
    business already connected stays as it is."""
    ctx, _box, tenants = demo_env
    ctx.tokens.set("qbtime:pair-1", "S.4__other-key")
    other = Connection.create(
        xero_tenant_id=tenants["UK"],
        xero_tenant_name="Maison Verdure UK",
        qbtime_company_id="other-co",
        qbtime_company_name="Other Time Co",
        qbtime_token_key="qbtime:pair-1",
        xero_grant_key="xero:pair-1",
        status="active",
    )
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.QBTIME: QBTimePage})
    qb = wiz.pages[PageId.QBTIME]
    _press(qtbot, qb.demo_note.button)
    _press(qtbot, qb.check_button)
    _idle(qtbot, qb)
    assert qb.isComplete() and state.qbtime_company.company_name == COMPANY
    assert qb.banner.label.text() == f"Connected to QuickBooks Time: {COMPANY}."
    assert Connection.get_by_id(other.id).status == "active"
    assert memory_keyring.store[("XeroQBTimeBridge", "qbtime:pair-1")] == "S.4__other-key"


def test_editing_the_key_after_a_check_requires_a_new_check(demo_env, host, qtbot):
    ctx, box, _t = demo_env
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.QBTIME: QBTimePage})
    qb = wiz.pages[PageId.QBTIME]
    qtbot.keyClicks(qb.key_edit, box.qbtime_token)
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Return)
    _idle(qtbot, qb)
    assert qb.isComplete()
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Backspace)
    assert not qb.isComplete() and state.qbtime_company is None and qb.banner.isHidden()


# ---------------------------------------------------------------------------- Xero sign-in problems
def test_denied_consent_then_try_again(demo_env, host, qtbot):
    ctx, _box, tenants = demo_env
    ctx.opener = demo_consent_opener([tenants["AU"]], action="deny")
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.XERO_CONNECT: XeroConnectPage})
    page = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, page)
    _press(qtbot, page.connect_button, Qt.Key.Key_Return)
    _idle(qtbot, page)
    assert "cancelled or denied" in page.banner.label.text()
    assert page.banner.button.text() == "Try again" and page.banner.button.isVisible()
    assert not page.isComplete() and state.organisations == []
    assert page.waiting.isHidden()

    ctx.opener = demo_consent_opener([tenants["AU"], tenants["UK"]])
    _press(qtbot, page.banner.button)
    _idle(qtbot, page)
    assert sorted(o["tenantName"] for o in state.organisations) == [
        "Maison Verdure Australia",
        "Maison Verdure UK",
    ]
    assert page.isComplete() and "2 organisations allowed" in page.banner.label.text()


def test_cancel_while_waiting_for_the_browser(demo_env, host, qtbot):
    ctx, box, _t = demo_env
    ctx.opener = lambda url: True  # a browser that never answers
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.XERO_CONNECT: XeroConnectPage})
    page = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, page)
    _press(qtbot, page.connect_button)
    qtbot.waitUntil(lambda: page.waiting.link.isVisible(), timeout=5000)
    assert page.busy and not page.isComplete()
    # The window is watched (its Close cancels) only while waiting: a Python event filter on
    # the window is called for each of its events, which an import in progress would slow.
    assert page.waiting._watching is wiz
    url = page.waiting.link.text()
    assert url.startswith(box.xero_base.split("://")[0]) and "code_challenge=" in url
    _press(qtbot, page.waiting.copy_button)
    assert QGuiApplication.clipboard().text() == url
    _press(qtbot, page.waiting.cancel_button)
    _idle(qtbot, page)
    assert page.banner.label.text() == "You cancelled signing in to Xero. Nothing was changed."
    assert page.banner.button.text() == "Try again"
    assert page.waiting.isHidden() and not page.isComplete() and state.organisations == []
    assert page.waiting._watching is None


def test_closed_browser_tab_times_out_and_busy_ports_are_explained(
    demo_env, host, qtbot, monkeypatch
):
    ctx, _box, tenants = demo_env
    monkeypatch.setattr(
        ctx,
        "xero_sign_in",
        lambda: XeroSignIn(ctx.xero_settings, opener=lambda url: True, timeout_s=0.3),
    )
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.XERO_CONNECT: XeroConnectPage})
    page = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, page)
    _press(qtbot, page.connect_button)
    _idle(qtbot, page)
    assert "waited 5 minutes" in page.banner.label.text()
    assert page.banner.button.text() == "Try again"

    class BusyPorts:
        def run(self, *_a, **_k):
            raise SignInPortsBusy(ports="28271, 28272, 28273")

    monkeypatch.setattr(ctx, "xero_sign_in", lambda: BusyPorts())
    _press(qtbot, page.banner.button)
    _idle(qtbot, page)
    assert "ports 28271, 28272, 28273" in page.banner.label.text()

    monkeypatch.setattr(
        ctx,
        "xero_sign_in",
        lambda: XeroSignIn(ctx.xero_settings, opener=demo_consent_opener([tenants["AU"]])),
    )
    _press(qtbot, page.banner.button)
    _idle(qtbot, page)
    assert page.isComplete()


def test_an_earlier_sign_in_is_recognised(demo_env, host, qtbot):
    ctx, _box, _tenants = demo_env
    sign_in_to_xero(ctx, None, lambda _url: None)  # then the app closed before binding
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.XERO_CONNECT: XeroConnectPage})
    page = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, page)
    assert page.isComplete() and "already signed in" in page.banner.label.text()
    assert page.connect_button.text() == "&Sign in again"
    assert [o["tenantName"] for o in state.organisations] == ["Maison Verdure Australia"]


def test_another_business_signs_in_on_its_own(connected_env, host, qtbot, memory_keyring):
    """A business already connected keeps its sign-in to itself (its own keyring entry): the
    next business signs in again, so no two businesses share a Xero refresh token."""
    ctx, _box, _tenants, conn = connected_env
    state = WizardState(ctx, country="AU")
    wiz = host(state, {PageId.XERO_CONNECT: XeroConnectPage})
    page = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, page)
    assert not page.isComplete() and page.banner.isHidden()
    assert page.connect_button.text() == "&Connect to Xero"
    assert not _xero_signed_in(memory_keyring)
    assert ctx.xero_tokens_for(conn).status() == "connected"


# ---------------------------------------------------------------------------- organisation
def test_country_mismatch_warns_and_payroll_access_is_asked_once_more(demo_env, host, qtbot):
    ctx, box, tenants = demo_env
    connect_qbtime(ctx, box.qbtime_token)
    state = WizardState(ctx, country="CA")  # page 1 said Canada: no payroll scopes asked
    wiz = host(
        state,
        {
            PageId.XERO_CONNECT: XeroConnectPage,
            PageId.ORGANISATION: OrganisationPage,
            PageId.OPTIONS: NextPage,
        },
    )
    xero = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, xero)
    _press(qtbot, xero.connect_button)
    _idle(qtbot, xero)
    assert xero.isComplete()
    _next(qtbot, wiz)
    page = wiz.pages[PageId.ORGANISATION]
    _idle(qtbot, page)
    assert page.current_tenant() == tenants["AU"]
    text = page.banner.label.text()
    assert "is in Australia, but you chose Canada" in text and not page.banner.isHidden()
    assert page.payroll_access.isVisible() and "Xero Payroll" in page.payroll_text.text()
    assert not page.isComplete()

    _press(qtbot, page.payroll_button)
    assert page.waiting.isVisible()
    _idle(qtbot, page)
    assert page.payroll_access.isHidden() and page.isComplete()
    scopes = json.loads(ctx.tokens.get(XERO_SIGNIN_KEY))["scope"].split()
    assert "payroll.employees.read" in scopes

    _next(qtbot, wiz)  # binds on a worker, then moves on by itself
    qtbot.waitUntil(lambda: wiz.currentId() == PageId.OPTIONS, timeout=10000)
    assert state.country == "AU"
    assert state.connection().xero_version == "AU"


def test_picking_between_organisations_and_no_payroll_for_quebec(
    demo_env, host, qtbot, monkeypatch
):
    ctx, box, tenants = demo_env
    # Binding writes the keyring (the pair's own entries): never on the window's thread.
    binding_threads = []
    real_bind = organisation_page.bind

    def bind_on(*args, **kwargs):
        binding_threads.append(threading.current_thread() is threading.main_thread())
        return real_bind(*args, **kwargs)

    monkeypatch.setattr(organisation_page, "bind", bind_on)
    connect_qbtime(ctx, box.qbtime_token)
    ctx.opener = demo_consent_opener([tenants["AU"], tenants["CA"]])
    orgs = sign_in_to_xero(ctx, "AU", lambda _url: None)
    state = WizardState(ctx, country="CA", organisations=orgs)
    wiz = host(state, {PageId.ORGANISATION: OrganisationPage, PageId.OPTIONS: NextPage})
    page = wiz.pages[PageId.ORGANISATION]
    assert page.orgs.count() == 2 and page.current_tenant() is None and not page.isComplete()
    assert page.pick_hint.isVisible() and page.details.isHidden()
    page.orgs.setFocus()
    for _ in range(3):  # arrow keys pick; each pick reads that organisation's details
        if page.current_tenant() == tenants["CA"]:
            break
        qtbot.keyClick(page.orgs, Qt.Key.Key_Down)
        _idle(qtbot, page)
    assert page.current_tenant() == tenants["CA"]
    assert page.country_value.text() == "Canada"
    assert page.payroll_value.text().startswith("No")
    assert page.banner.isHidden() and page.payroll_access.isHidden() and page.isComplete()
    _next(qtbot, wiz)
    qtbot.waitUntil(lambda: state.connection() is not None, timeout=10000)  # bound by a worker
    assert binding_threads == [False]
    assert state.connection().xero_tenant_id == tenants["CA"]


def test_same_qbtime_company_for_a_second_organisation_is_refused(
    connected_env, host, qtbot, memory_keyring, monkeypatch
):
    ctx, box, tenants, au = connected_env
    connect_qbtime(ctx, box.qbtime_token)
    ctx.opener = demo_consent_opener([tenants["UK"]])
    orgs = sign_in_to_xero(ctx, "UK", lambda _url: None)
    state = WizardState(ctx, country="GB", organisations=orgs)
    wiz = host(state, {PageId.ORGANISATION: OrganisationPage, PageId.OPTIONS: NextPage})
    page = wiz.pages[PageId.ORGANISATION]
    page.orgs.setCurrentRow(
        next(
            i
            for i in range(page.orgs.count())
            if page.orgs.item(i).data(Qt.ItemDataRole.UserRole) == tenants["UK"]
        )
    )
    _idle(qtbot, page)
    assert page.isComplete()
    _next(qtbot, wiz)
    _idle(qtbot, page)  # the refusal comes from the worker
    assert wiz.currentId() == PageId.ORGANISATION
    assert "already connected" in page.banner.label.text()
    assert page.banner.button.text() == "Disconnect the other connection…"
    assert Connection.get_or_none(Connection.xero_tenant_id == tenants["UK"]) is None

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    _press(qtbot, page.banner.button)
    _idle(qtbot, page)
    assert Connection.get_by_id(au.id).status == "disconnected"
    assert box.qbtime_token in memory_keyring.store.values()  # the shared key is kept
    assert ctx.xero_tokens().status() == "connected"  # and so is the Xero sign-in
    _next(qtbot, wiz)  # binds on a worker, then moves on by itself
    qtbot.waitUntil(lambda: wiz.currentId() == PageId.OPTIONS, timeout=10000)
    conn = state.connection()
    assert conn.xero_tenant_id == tenants["UK"] and conn.status == "active"
    assert conn.qbtime_company_name == COMPANY and state.country == "GB"


# ---------------------------------------------------------------------------- leaving, languages, sizes
def test_closing_the_window_or_going_back_stops_waiting_for_the_browser(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    ctx.opener = lambda url: True  # a browser that never answers
    wiz = host(
        WizardState(ctx, country="AU"),
        {PageId.QBTIME: NextPage, PageId.XERO_CONNECT: XeroConnectPage},
    )
    wiz.next()
    page = wiz.pages[PageId.XERO_CONNECT]
    _idle(qtbot, page)
    _press(qtbot, page.connect_button)
    assert page.busy and not page.connect_button.isEnabled()
    _press(qtbot, wiz.button(QWizard.WizardButton.BackButton))
    _idle(qtbot, page)  # well before the 5 minutes of the sign-in
    assert wiz.currentId() == PageId.QBTIME

    wiz.next()
    _press(qtbot, page.connect_button)
    assert page.busy
    wiz.close()
    _idle(qtbot, page)


def test_banners_follow_a_language_change(demo_env, host, qtbot):
    from wizard.i18n import install_language

    ctx, _box, _t = demo_env
    wiz = host(WizardState(ctx, country="AU"), {PageId.QBTIME: QBTimePage})
    qb = wiz.pages[PageId.QBTIME]
    qtbot.keyClicks(qb.key_edit, "S.4__wrong")
    qtbot.keyClick(qb.key_edit, Qt.Key.Key_Return)
    _idle(qtbot, qb)
    assert qb.banner.label.text().startswith("QuickBooks Time did not accept")
    try:
        install_language("fr")
        # Until wizard_fr.qm is built no Qt translator changes, so Qt sends no LanguageChange.
        QCoreApplication.sendEvent(qb, QEvent(QEvent.Type.LanguageChange))
        assert qb.banner.label.text().startswith("QuickBooks Time n’a pas accepté")
    finally:
        install_language("en")
    assert qb.key_edit.text() == "S.4__wrong"


class _Longer(QTranslator):
    """A stand-in for French: every text of these pages 35 % longer."""

    CONTEXTS = ("QBTimePage", "XeroConnectPage", "OrganisationPage", "SignInWaiting")

    def translate(self, context, source, disambiguation=None, n=-1):
        if context in self.CONTEXTS:
            return source + " plus" * max(1, len(source) * 35 // 100 // 5)
        return None


def test_long_translations_still_fit_at_800x600(demo_env, host, qtbot, tmp_path):
    ctx, box, tenants = demo_env
    connect_qbtime(ctx, box.qbtime_token)
    ctx.opener = demo_consent_opener([tenants["AU"], tenants["UK"], tenants["CA"]])
    orgs = sign_in_to_xero(ctx, "CA", lambda _url: None)
    longer = _Longer()
    QCoreApplication.installTranslator(longer)
    try:
        wiz = host(WizardState(ctx, country="CA", organisations=orgs), PAGES)
        for page_id, page in wiz.pages.items():
            wiz.setStartId(int(page_id))
            wiz.restart()
            _idle(qtbot, page)
            if page_id == PageId.ORGANISATION:  # details, warning and payroll note all shown
                page.orgs.setCurrentRow(
                    next(
                        i
                        for i in range(page.orgs.count())
                        if page.orgs.item(i).data(Qt.ItemDataRole.UserRole) == tenants["AU"]
                    )
                )
                _idle(qtbot, page)
                assert not page.payroll_access.isHidden() and not page.banner.isHidden()
            else:
                page.waiting.show() if hasattr(page, "waiting") else None
            assert page.title().endswith("plus")
            wiz.resize(800, 600)
            wiz.grab().save(str(tmp_path / f"long-{int(page_id)}.png"))
            hint = page.minimumSizeHint()
            assert hint.width() <= 760, (page_id, hint)
            assert (
                page.heightForWidth(760) <= 520
                if page.hasHeightForWidth()
                else hint.height() <= 520
            )
    finally:
        QCoreApplication.removeTranslator(longer)


def test_details_that_cannot_be_read_can_be_read_again(demo_env, host, qtbot, monkeypatch):
    import wizard.pages.organisation as organisation_module
    from core.errors import NetworkError

    ctx, box, tenants = demo_env
    connect_qbtime(ctx, box.qbtime_token)
    orgs = sign_in_to_xero(ctx, "AU", lambda _url: None)
    real = organisation_module.organisation_details

    def offline(*_a, **_k):
        raise NetworkError(service="Xero")

    monkeypatch.setattr(organisation_module, "organisation_details", offline)
    state = WizardState(ctx, country="AU", organisations=orgs)
    wiz = host(state, {PageId.ORGANISATION: OrganisationPage})
    page = wiz.pages[PageId.ORGANISATION]
    _idle(qtbot, page)
    assert page.banner.label.text().startswith("Could not reach Xero")
    assert page.banner.button.text() == "Try again" and not page.isComplete()
    assert page.current_tenant() == tenants["AU"]  # the pick is kept

    monkeypatch.setattr(organisation_module, "organisation_details", real)
    _press(qtbot, page.banner.button)
    _idle(qtbot, page)
    assert page.isComplete() and page.banner.isHidden() and page.details.isVisible()
