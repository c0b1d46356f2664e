from PySide6.QtCore import Qt

from wizard.i18n import install_language
from wizard.pages.welcome import WelcomePage
from wizard.state import PageId, WizardState


def test_country_search_and_payroll_explanation(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    state = WizardState(ctx)
    wiz = host(state, {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    assert not page.isComplete()
    qtbot.keyClicks(page.search, "austral")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert state.country == "AU" and page.isComplete()
    assert "payroll" in page.availability.text().lower()
    page.search.clear()
    qtbot.keyClicks(page.search, "canada")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert state.country == "CA"
    assert "no payroll" in page.availability.text()
    assert page.proxy.rowCount() == 1


def test_language_switch_retranslates_the_page(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    state = WizardState(ctx)
    wiz = host(state, {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    page.language.setCurrentIndex(page.language.findData("fr"))
    try:
        assert state.language == "fr"
        qtbot.waitUntil(lambda: page.title() == "Bienvenue", timeout=3000)  # queued event
        names = [page.model.item(i).text() for i in range(page.model.rowCount())]
        assert "Royaume-Uni" in names and "Allemagne" in names
    finally:
        install_language("en")
