"""Issue 15, the way forward and before the hard part, as a newcomer sees it: the list of
steps beside the pages, larger titles, one primary button per page, messages next to what
caused them, an options page without scrolling, the country as a short choice proposed from
the locale, "Before you start", and the access key checked as soon as it is pasted with
specific help when it cannot be used."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QWidget

import wizard.pages.welcome as welcome_module
from wizard.i18n import install_language
from wizard.pages.welcome import WelcomePage
from wizard.state import FLOW, PageId, WizardState
from wizard.wizard import BridgeWizard


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


def primaries(wizard: QWidget) -> list[QPushButton]:
    return [b for b in wizard.findChildren(QPushButton) if b.isVisible() and b.property("primary")]


def below(widget: QWidget, control: QWidget, page: QWidget) -> int:
    """How far under ``control`` the top of ``widget`` is, in the page's coordinates."""
    top = widget.mapTo(page, QPoint(0, 0)).y()
    bottom = control.mapTo(page, QPoint(0, control.height())).y()
    return top - bottom


# ---------------------------------------------------------------------------- the steps
def test_the_list_of_steps_marks_done_and_current_not_by_colour_alone(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx, country="AU"))
    steps = wizard.step_list
    assert steps.isVisible() and steps.marks == ["current"] + ["todo"] * 8
    labels = [label for label in steps.labels if label.isVisible()]
    assert [label.text().split("\u2002")[1] for label in labels] == [
        "Country",
        "QuickBooks Time",
        "Xero",
        "Organisation",
        "Options",
        "Review",
        "Preview",
        "Import",
        "Done",
    ]
    assert labels[0].text().startswith("\u25b6") and labels[0].font().bold()
    assert "current step" in labels[0].accessibleName()
    assert steps.accessibleName() == "Import from Xero"  # which way these steps are
    wizard.next_to(PageId.XERO_CONNECT)
    assert steps.marks[:3] == ["done", "done", "current"]
    labels = [label for label in steps.labels if label.isVisible()]
    assert labels[0].text().startswith("\u2713") and not labels[0].font().bold()
    assert labels[3].text().startswith("4.") and "still to do" in labels[3].accessibleName()
    assert len(FLOW) == len(labels)


def test_the_home_page_has_no_list_and_the_titles_are_larger(connected_env, make_wizard):
    ctx, _box, _t, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    wizard = make_wizard(state, PageId.HOME)
    assert wizard.currentId() == PageId.HOME and not wizard.step_list.isVisible()
    title = wizard._title_label
    assert title is not None and title.text() == wizard.currentPage().title()
    body = wizard.currentPage().font().pointSizeF()
    assert title.font().pointSizeF() >= body * 1.4


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_steps_do_not_crush_the_pages_at_800_by_600(demo_env, make_wizard, qtbot, language):
    ctx, _box, _t = demo_env
    install_language(language)
    wizard = make_wizard(WizardState(ctx, country="AU", language=language))
    wizard.next_to(PageId.XERO_CONNECT)
    steps = wizard.step_list
    names = [label.text().split("\u2002")[1] for label in steps.labels if label.isVisible()]
    assert not steps.compact and steps.width() == steps.WIDE  # the default size: names
    for label in steps.labels:  # every step name shows whole (it wraps)
        if label.isVisible():
            assert label.height() >= label.heightForWidth(label.width())
    wizard.resize(800, 600)
    qtbot.wait(50)
    page = wizard.currentPage()
    # A small window keeps the marks and numbers: the page keeps its room.
    assert steps.isVisible() and steps.compact and steps.width() <= 50
    assert page.width() >= 680
    shown = [label for label in steps.labels if label.isVisible()]
    assert [label.text() for label in shown[:4]] == ["\u27131", "\u27132", "\u25b63", "4."]
    assert [label.toolTip() for label in shown] == names  # the names are still there
    assert all(names[i] in label.accessibleName() for i, label in enumerate(shown))
    button = page.connect_button
    assert button.isVisible() and button.width() >= button.sizeHint().width()
    assert button.mapTo(page, QPoint(button.width(), 0)).x() <= page.width()
    wizard.resize(BridgeWizard.DEFAULT_SIZE)
    qtbot.wait(50)
    assert not steps.compact and steps.labels[0].text().endswith(names[0])


# ---------------------------------------------------------------------------- options
def _options_wizard(conn, ctx, make_wizard, qtbot, language):
    install_language(language)
    state = WizardState(ctx, country="AU", language=language, connection_id=conn.id)
    state.fetched = True
    wizard = make_wizard(state, PageId.OPTIONS)
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    qtbot.wait(50)
    return wizard, page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_option_group_shows_without_scrolling(connected_env, make_wizard, qtbot, language):
    ctx, _box, _t, conn = connected_env
    wizard, page = _options_wizard(conn, ctx, make_wizard, qtbot, language)
    assert wizard.size() == BridgeWizard.DEFAULT_SIZE and wizard.step_list.isVisible()
    for group in (page.customers_group, page.items_group, page.payroll_group):
        assert group.isVisible()
    assert page.scroll_area.verticalScrollBar().maximum() == 0  # nothing below the fold
    viewport = page.scroll_area.viewport()
    bottom = page.payroll_group.mapTo(viewport, QPoint(0, page.payroll_group.height())).y()
    assert bottom <= viewport.height()
    for name, box in page.boxes.items():  # long check box texts wrap, never cut
        assert box.label.height() >= box.label.heightForWidth(box.label.width()), name
        assert box.geometry().right() <= viewport.width(), name
    # At 800x600 the last group still starts on screen (it was entirely below the fold).
    wizard.resize(800, 600)
    qtbot.wait(50)
    top = page.payroll_group.mapTo(viewport, QPoint(0, 0)).y()
    assert top < viewport.height() - 40


def test_the_archive_warning_shows_only_when_archiving_is_on(connected_env, make_wizard, qtbot):
    ctx, _box, _t, conn = connected_env
    _wizard, page = _options_wizard(conn, ctx, make_wizard, qtbot, "en")
    box, note = page.boxes["archive_unmatched"], page.notes["archive_unmatched"]
    assert not box.isChecked()
    assert "Careful" not in note.text() and "#8a1f11" not in note.styleSheet()
    assert "stay as they are" in note.text()
    box.click()  # a click on the (wrapped) text ticks it, as on any check box
    assert box.isChecked()
    assert note.text().startswith("Careful") and "#8a1f11" in note.styleSheet()
    assert "bold" in note.styleSheet()  # not by colour alone
    box.click()
    assert "Careful" not in note.text()


# ---------------------------------------------------------------------------- the first page
class FakeLocale:
    def __init__(self, name: str) -> None:
        self._name = name

    def system(self) -> FakeLocale:
        return self

    def name(self) -> str:
        return self._name


def test_the_country_is_proposed_from_the_locale_and_a_short_choice(
    demo_env, host, qtbot, monkeypatch
):
    ctx, _box, _t = demo_env
    monkeypatch.setattr(welcome_module, "QLocale", FakeLocale("en_NZ"))
    state = WizardState(ctx)
    wiz = host(state, {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    assert state.country == "NZ" and page.isComplete()
    assert page.country.currentText() == "New Zealand"
    assert "Xero Payroll exists" in page.availability.text()
    qtbot.waitUntil(page.list_made)  # one turn after the page is first painted
    assert page.country.currentText() == "New Zealand"
    # The three payroll countries first, then a separator, then the others.
    codes = [page.country.itemData(i, Qt.ItemDataRole.UserRole) for i in range(5)]
    assert codes[:3] == ["AU", "NZ", "GB"] and codes[3] is None and codes[4]
    # Typing searches; Enter picks the first country whose name holds the text.
    page.search.selectAll()
    qtbot.keyClicks(page.search, "canad")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert state.country == "CA" and page.country.currentText() == "Canada"
    assert "no payroll" in page.availability.text()
    page.search.selectAll()
    qtbot.keyClicks(page.search, "kingdom")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert state.country == "GB"


def test_a_locale_without_a_country_proposes_none(demo_env, host, monkeypatch):
    ctx, _box, _t = demo_env
    monkeypatch.setattr(welcome_module, "QLocale", FakeLocale("C"))
    state = WizardState(ctx)
    wiz = host(state, {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    assert state.country is None and not page.isComplete()
    assert "it decides whether employees and leave" in page.availability.text()


def test_before_you_start_says_what_to_have_ready(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    wiz = host(WizardState(ctx, country="AU"), {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    assert page.before.isVisible() and page.before_title.text() == "Before you start"
    text = page.before_list.text()
    assert "Administrator access to your QuickBooks Time account" in text
    assert "Xero sign-in" in text and "ten minutes" in text
    page.language.setCurrentIndex(page.language.findData("fr"))
    try:
        qtbot.waitUntil(lambda: page.before_title.text() == "Avant de commencer", timeout=3000)
        qtbot.waitUntil(page.list_made)
        assert "Royaume-Uni" in [page.country.itemText(i) for i in range(3)]
    finally:
        install_language("en")


# ---------------------------------------------------------------------------- organisation
def test_organisation_payroll_access_is_the_primary_and_warnings_sit_under_it(
    demo_env, make_wizard, qtbot
):
    from PySide6.QtWidgets import QPushButton

    from core.app.connections import connect_qbtime

    ctx, box, _t = demo_env
    state = WizardState(ctx, country="CA")  # no payroll asked, and a country warning
    state.qbtime_company = connect_qbtime(ctx, box.qbtime_token)
    wizard = make_wizard(state)
    wizard.next_to(PageId.XERO_CONNECT)
    xero = wizard.currentPage()
    qtbot.waitUntil(lambda: not xero.busy, timeout=10000)
    xero.connect_button.click()
    qtbot.waitUntil(xero.isComplete, timeout=15000)
    wizard.next()
    org = wizard.currentPage()
    assert wizard.currentId() == PageId.ORGANISATION
    qtbot.waitUntil(lambda: not org.payroll_access.isHidden(), timeout=15000)
    qtbot.wait(20)
    shown = [b for b in wizard.findChildren(QPushButton) if b.isVisible() and b.property("primary")]
    assert shown == [org.payroll_button]  # the way forward, not a disabled Next
    assert org.banner.isVisible() and "you chose Canada" in org.banner.label.text()
    details_bottom = org.details.mapTo(org, QPoint(0, org.details.height())).y()
    assert 0 <= org.banner.mapTo(org, QPoint(0, 0)).y() - details_bottom < 120
