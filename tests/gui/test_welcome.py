from PySide6.QtCore import Qt

from wizard.i18n import install_language
from wizard.pages.welcome import WelcomePage
from wizard.state import PageId, WizardState


def test_country_search_and_payroll_explanation(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    state = WizardState(ctx)
    wiz = host(state, {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    state.country = None  # (the system's locale may have proposed one)
    page._fill_countries()
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
    assert page.country.currentText() == "Canada"


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


def test_demo_without_secure_storage_says_so_and_real_use_refuses(tmp_path, monkeypatch, qtbot):
    import argparse

    import keyring
    from keyring.backends import fail

    import main
    from core.errors import SecureStorageUnavailable
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    paths = AppPaths.default().ensure()
    # Real use: no silent fallback, ever.
    try:
        TokenStore()
        raise AssertionError("an insecure keyring was accepted")
    except SecureStorageUnavailable:
        pass
    # The Demo Company: works, in memory, and the first page says so.
    args = argparse.Namespace(command=None, demo=True, demo_state=str(tmp_path / "s"))
    ctx = main.make_context(args, paths)
    try:
        assert ctx.tokens.in_memory
        state = WizardState(ctx)
        page = WelcomePage(state)
        qtbot.addWidget(page)
        assert not page.memory_note.isHidden()
        assert "in memory" in page.memory_note.label.text()
    finally:
        ctx.close()


def test_country_names_kept_ready_are_babels():
    """The welcome page's names come ready-made (loading babel's data would slow the first
    window); after a babel upgrade, ``python -m wizard.countries`` makes them again."""
    from wizard.countries import country_names, from_babel
    from wizard.i18n import LANGUAGES

    for language in LANGUAGES:
        assert country_names(language) == from_babel(language), language
    assert ("DE", "Allemagne") in country_names("fr")
    assert country_names("de") == from_babel("de")  # other languages: from babel
