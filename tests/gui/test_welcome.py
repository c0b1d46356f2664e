from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

import wizard.pages.welcome as welcome_module
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
        qtbot.waitUntil(page.list_made)  # one turn after the page is first painted
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


class _Locale:
    def __init__(self, name: str) -> None:
        self._name = name

    def system(self) -> _Locale:
        return self

    def name(self) -> str:
        return self._name


def _without(image, rect):
    """``image`` with ``rect`` painted over (a part that animates on its own)."""
    from PySide6.QtGui import QColor, QPainter

    copy = image.copy()
    painter = QPainter(copy)
    painter.fillRect(rect, QColor(255, 0, 255))
    painter.end()
    return copy


@pytest.mark.parametrize("locale, shown", [("en_NZ", "New Zealand"), ("C", "")])
def test_the_list_of_countries_is_made_once_the_page_is_painted_and_looks_the_same(
    demo_env, host, qtbot, monkeypatch, locale, shown
):
    """Issue 16: the list (its names, its search's completer) is made one turn after the
    page is first painted; until then the box shows the country proposed (or what to type)
    exactly as it does with its list: the page's pixels are the same before and after (but
    for the search box's clear button, which fades in by itself)."""
    from PySide6.QtWidgets import QToolButton

    monkeypatch.setattr(welcome_module, "QLocale", _Locale(locale))
    state = WizardState(demo_env[0])
    wiz = host(state, {PageId.WELCOME: WelcomePage})
    page = wiz.pages[PageId.WELCOME]
    assert not page.list_made() and page.completer is None and page.model.rowCount() == 0
    assert page.search.text() == shown
    before = page.grab().toImage()  # (a paint: the list is made on the next turn)
    qtbot.waitUntil(page.list_made)
    assert page.model.rowCount() > 200 and page.completer is not None
    assert page.search.text() == shown and page.country.currentText() == shown
    assert page.country.currentData(Qt.ItemDataRole.UserRole) == state.country
    after = page.grab().toImage()
    clear = page.search.findChildren(QToolButton)[0]
    rect = clear.geometry().translated(page.search.mapTo(page, QPoint(0, 0)))
    # the box has the focus (the first field to fill): its focus frame comes with the
    # window's activation, not with the list
    box = page.country.geometry().translated(page.country.parentWidget().mapTo(page, QPoint()))
    edges = [box.adjusted(0, 0, 0, 2 - box.height()), box.adjusted(0, box.height() - 2, 0, 0)]
    edges += [box.adjusted(0, 0, 2 - box.width(), 0), box.adjusted(box.width() - 2, 0, 0, 0)]
    for part in (rect, *edges):
        after, before = _without(after, part), _without(before, part)
    assert after == before


def test_enter_before_the_list_is_made_picks_the_country(demo_env, qtbot, monkeypatch):
    """A page not painted yet (its list not made): what was typed is searched all the
    same, the list made then."""
    monkeypatch.setattr(welcome_module, "QLocale", _Locale("C"))
    state = WizardState(demo_env[0])
    page = WelcomePage(state)
    qtbot.addWidget(page)
    assert not page.list_made()
    qtbot.keyClicks(page.search, "canad")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.list_made() and state.country == "CA"
    assert page.country.currentText() == "Canada"


def test_a_country_chosen_before_the_list_is_made_is_selected(demo_env, qtbot, monkeypatch):
    """As the screenshots choose one right after showing the window."""
    monkeypatch.setattr(welcome_module, "QLocale", _Locale("C"))
    state = WizardState(demo_env[0])
    page = WelcomePage(state)
    qtbot.addWidget(page)
    page._select("AU")
    assert page.list_made() and state.country == "AU"
    assert page.country.currentText() == "Australia" and page.isComplete()


def test_a_language_chosen_before_the_list_is_made_names_the_country_in_it(
    demo_env, qtbot, monkeypatch
):
    monkeypatch.setattr(welcome_module, "QLocale", _Locale("C"))
    state = WizardState(demo_env[0], country="GB")
    page = WelcomePage(state)
    qtbot.addWidget(page)
    assert page.search.text() == "United Kingdom"
    page.language.setCurrentIndex(page.language.findData("fr"))
    try:
        qtbot.waitUntil(lambda: page.search.text() == "Royaume-Uni", timeout=3000)
        assert not page.list_made()
        page._make_list()
        assert page.country.currentText() == "Royaume-Uni"
        assert page.model.item(0).text() == "Australie"
    finally:
        install_language("en")
