"""The home page with several businesses (a bookkeeper's clients): every Xero organisation ↔
QuickBooks Time account with its state; choosing one shows it; "Add another business" runs
the wizard for a new pair and comes back to a home that lists both. Against the Demo
Company, whose second QuickBooks Time account makes the second business possible."""

from __future__ import annotations

from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QLabel, QWizard

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero
from core.app.connections import CURRENT_SETTING, demo_qbtime_key, pair_keys
from core.app.decisions import records_needing_decision
from core.services.auth.xero_oauth import demo_consent_opener
from core.store.models import Connection, Setting
from wizard.i18n import install_language
from wizard.pages.base import BasePage
from wizard.pages.home import HomePage
from wizard.pages.organisation import OrganisationPage
from wizard.pages.qbtime import QBTimePage
from wizard.pages.welcome import WelcomePage
from wizard.pages.xero_connect import XeroConnectPage
from wizard.state import PageId, WizardState
from wizard.words import decisions_text

from .test_run_done_home import _shot

AU, UK = "Maison Verdure Australia", "Maison Verdure UK"
GROUP = "Maison Verdure Group"
WAIT = 30000


class Stub(BasePage):
    """Stands for the pages after the organisation (options, review…)."""

    def nextId(self):
        return -1


def _second_business(ctx, tenants):
    """UK with the Demo Company's second QuickBooks Time account (a new sign-up)."""
    out = Output(as_json=True, stream=open("/dev/null", "w"))
    ctx.opener = demo_consent_opener([tenants["UK"]])
    cmd_connect_qbtime(ctx, out, demo_qbtime_key(ctx))
    assert cmd_connect_xero(ctx, out, UK, None) == 0
    return Connection.get(Connection.xero_tenant_name == UK)


def _home(host, state, extra=None):
    pages = {PageId.HOME: HomePage, PageId.WELCOME: Stub, PageId.REVIEW: Stub}
    pages.update(extra or {})
    return host(state, pages, start=PageId.HOME)


def _mnemonics(window) -> list[str]:
    """The Alt+letter of every visible, enabled button and label of ``window`` ("b: &Bill
    time…"); a disabled one (Back on the start page) answers none."""
    letters = []
    widgets = [*window.findChildren(QAbstractButton), *window.findChildren(QLabel)]
    for widget in widgets:
        text = widget.text().replace("&&", "")
        if widget.isVisible() and widget.isEnabled() and "&" in text[:-1]:
            letters.append(text[text.index("&") + 1].lower() + ": " + text)
    return letters


def _loaded(qtbot, page, n):
    """The list holds ``n`` businesses, each read one counted (the counts come apart)."""
    qtbot.waitUntil(
        lambda: (
            len(page._businesses) == n
            and not page.busy
            and all(b.waiting is not None for b in page._businesses if b.read)
        ),
        timeout=WAIT,
    )


def test_home_lists_every_business_with_its_state_and_switches(
    connected_env, host, qtbot, tmp_path
):
    ctx, _box, tenants, au = connected_env
    uk = _second_business(ctx, tenants)
    state = WizardState(ctx, country="AU", connection_id=au.id)
    wiz = _home(host, state)
    page = wiz.pages[PageId.HOME]
    _loaded(qtbot, page, 2)
    table = page.businesses
    assert page.businesses_box.isVisible() and table.rowCount() == 2
    assert page.businesses_heading.text() == "&Your businesses"  # Alt+Y: no other Y
    assert [table.item(r, 0).text() for r in range(2)] == [f"{AU} ↔ {GROUP}", f"{UK} ↔ {UK}"]
    waiting = records_needing_decision(au)
    assert waiting > 0
    assert table.item(0, 1).text() == "No import yet"
    assert table.item(0, 2).text() == f"{waiting} records need your decision"
    assert table.item(1, 2).text() == "Not read from Xero yet"
    assert [i.row() for i in table.selectionModel().selectedRows()] == [0]
    # What waits, for the business shown, with the way to the review beside it.
    assert page.waiting_label.text().startswith(f"{waiting} records need your decision")
    assert page.review_button.text() == "&Review look-alike records"
    assert page.review_button.isVisible() and page.add_button.isVisible()
    assert AU in page.connection_label.text()
    # Several: the chosen row names the business (no sentence above the details), and
    # "Add another business" sits beside the list's title.
    assert not page.connection_label.isVisible()
    assert page.businesses_title_row.indexOf(page.add_box) >= 0  # the button, at its top
    # At 800×600, with texts 40% longer (French-like), every button shows its whole text.
    _shot(page, wiz, "home-businesses", tmp_path)
    # Each Alt+letter of the page and its window goes to one control, in both languages.
    for language in ("fr", "en"):
        install_language(language)
        qtbot.wait(50)
        letters = _mnemonics(wiz)
        keys = [entry[0] for entry in letters]
        assert len(keys) == len(set(keys)), (language, sorted(letters))
        # nor does a page's button take the letter of Back, Next or Cancel, even where one of
        # them is disabled here (Back is enabled when Home is not the first page)
        nav = [
            wiz.button(w).text()
            for w in (
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.CancelButton,
            )
        ]
        nav_keys = {t[t.index("&") + 1].lower() for t in nav if "&" in t[:-1]}
        own = [e for e in letters if e.split(": ", 1)[1] not in nav]
        assert "b" in nav_keys or language == "fr"
        assert not [e for e in own if e[0] in nav_keys], (language, sorted(own), nav)

    # Choosing the other business shows it (and it is checked in Xero), and the app will
    # open on it next time.
    table.selectRow(1)
    assert state.connection_id == uk.id and state.plan is None
    qtbot.waitUntil(lambda: page._info is not None and not page.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: Setting.get_value(CURRENT_SETTING) == uk.id, timeout=WAIT)
    assert UK in page.connection_label.text() and GROUP not in page.connection_label.text()
    # Once read from Xero, the new business's state is known, counted by the one rule.
    qtbot.waitUntil(lambda: page.shown_business().waiting is not None, timeout=WAIT)
    # the count from before the read may show first; it is replaced once the read is in
    qtbot.waitUntil(
        lambda: page.shown_business().waiting == records_needing_decision(uk), timeout=WAIT
    )
    waiting_uk = records_needing_decision(uk)
    assert page.shown_business().waiting == waiting_uk
    assert table.item(1, 2).text() == (
        decisions_text(waiting_uk) if waiting_uk else "Nothing waits"
    )
    assert page.waiting_label.text().startswith(
        decisions_text(waiting_uk) if waiting_uk else "No record needs your decision."
    )
    # An answer about the business shown before that arrives late is dropped.
    late = page._for_shown(page._fetched)
    table.selectRow(0)
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    late({"contacts": {"added": 99, "changed": 0, "removed": 0}})
    assert "99" not in page.changes_label.text()


def test_open_quickbooks_time_opens_the_account_but_not_for_the_demo(
    connected_env, host, qtbot, monkeypatch
):
    ctx, _box, _tenants, au = connected_env
    state = WizardState(ctx, country="AU", connection_id=au.id)
    wiz = _home(host, state)
    page = wiz.pages[PageId.HOME]
    _loaded(qtbot, page, 1)
    assert not page.businesses_box.isVisible()  # one business: no list
    assert page.open_qbtime_button.text() == "Open &QuickBooks Time"
    assert not page.open_qbtime_button.isEnabled()  # the Demo Company has no website
    assert "only on this computer" in page.open_qbtime_button.toolTip()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    monkeypatch.setattr(type(ctx), "demo", property(lambda self: False))
    page._show_texts()
    assert page.open_qbtime_button.isEnabled()
    page.open_qbtime_button.click()
    assert [u.toString() for u in opened] == ["https://maisonverdure.tsheets.com/"]


def test_add_another_business_runs_the_wizard_for_a_new_pair(connected_env, host, qtbot):
    ctx, _box, tenants, au = connected_env
    state = WizardState(ctx, country="AU", connection_id=au.id)
    wiz = _home(
        host,
        state,
        {
            PageId.WELCOME: WelcomePage,
            PageId.QBTIME: QBTimePage,
            PageId.XERO_CONNECT: XeroConnectPage,
            PageId.ORGANISATION: OrganisationPage,
            PageId.OPTIONS: Stub,
        },
    )
    page = wiz.pages[PageId.HOME]
    _loaded(qtbot, page, 1)
    assert page.add_button.text() == "&Add another business…"
    page.add_button.click()
    assert wiz.currentId() == PageId.WELCOME
    assert Connection.get_by_id(au.id).status == "active"  # the first one stays as it is
    assert state.connection_id == au.id  # shown until the new one is connected
    # Changed one's mind: Back on the first page returns to the home page, as it was.
    wiz.back()
    assert wiz.currentId() == PageId.HOME and state.connection_id == au.id
    page.add_button.click()
    assert wiz.currentId() == PageId.WELCOME

    wiz.pages[PageId.WELCOME]._select("GB")
    wiz.next()
    qb = wiz.pages[PageId.QBTIME]
    assert wiz.currentId() == PageId.QBTIME
    qb.demo_note.button.click()  # the Demo Company's key of the account no business uses
    qb.check_button.click()
    qtbot.waitUntil(lambda: not qb.busy and qb.isComplete(), timeout=WAIT)
    assert state.qbtime_company.company_name == UK

    wiz.next()
    xero = wiz.pages[PageId.XERO_CONNECT]
    qtbot.waitUntil(lambda: not xero.busy, timeout=WAIT)
    assert not xero.isComplete()  # the first business's sign-in is its own
    ctx.opener = demo_consent_opener([tenants["UK"]])
    xero.connect_button.click()
    qtbot.waitUntil(lambda: not xero.busy and xero.isComplete(), timeout=WAIT)

    wiz.next()
    org = wiz.pages[PageId.ORGANISATION]
    assert wiz.currentId() == PageId.ORGANISATION
    row = next(r for r in range(org.orgs.count()) if org.orgs.item(r).text() == UK)
    org.orgs.setCurrentRow(row)
    qtbot.waitUntil(lambda: not org.busy and org.isComplete(), timeout=WAIT)
    wiz.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wiz.currentId() == PageId.OPTIONS, timeout=WAIT)
    uk = Connection.get(Connection.xero_tenant_name == UK)
    assert state.connection_id == uk.id and uk.qbtime_company_name == UK
    assert (uk.xero_grant_key, uk.qbtime_token_key) == pair_keys(uk)

    # Back to the home page (as the app opens next time): both businesses, the new one shown.
    wiz.restart_at(PageId.HOME)
    _loaded(qtbot, page, 2)
    assert page.businesses_box.isVisible()
    rows = [page.businesses.item(r, 0).text() for r in range(2)]
    assert rows == [f"{AU} ↔ {GROUP}", f"{UK} ↔ {UK}"]
    assert [i.row() for i in page.businesses.selectionModel().selectedRows()] == [1]
    assert UK in page.connection_label.text()


def test_disconnecting_one_business_shows_the_other(connected_env, host, qtbot):
    ctx, _box, tenants, au = connected_env
    uk = _second_business(ctx, tenants)
    state = WizardState(ctx, country="GB", connection_id=uk.id)
    wiz = _home(host, state)
    page = wiz.pages[PageId.HOME]
    _loaded(qtbot, page, 2)
    page._confirm_disconnect()
    question = page._question
    assert f'Only "{UK} ↔ {UK}" is disconnected' in question.informativeText()
    page.disconnect_now()
    qtbot.waitUntil(lambda: state.connection_id == au.id and not page.busy, timeout=WAIT)
    assert wiz.currentId() == PageId.HOME
    _loaded(qtbot, page, 1)
    assert not page.businesses_box.isVisible() and AU in page.connection_label.text()
    assert page.connection_label.isVisible() and page.add_button.isVisible()
    assert page.connection_row.indexOf(page.add_box) >= 0
    assert Connection.get_by_id(uk.id).status == "disconnected"
    assert ctx.xero_tokens_for(Connection.get_by_id(au.id)).status() == "connected"
    question.close()


def test_in_the_real_window_add_another_business_goes_to_the_first_page_and_back(
    connected_env, qtbot
):
    from wizard.wizard import BridgeWizard

    ctx, _box, _tenants, au = connected_env
    state = WizardState(ctx, country="AU", connection_id=au.id)
    wiz = BridgeWizard(state, already_set_up=True)
    qtbot.addWidget(wiz)
    wiz.show()
    try:
        page = wiz.pages[PageId.HOME]
        _loaded(qtbot, page, 1)
        page.add_button.click()
        assert wiz.currentId() == PageId.WELCOME  # made on demand
        assert wiz.step_list.isVisible()  # the import's steps, from the first one
        wiz.back()
        assert wiz.currentId() == PageId.HOME and state.connection_id == au.id
    finally:
        wiz.tasks.wait(WAIT)
