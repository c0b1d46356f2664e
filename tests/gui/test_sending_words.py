"""What the three sending pages (the import, hours to Xero Payroll, invoices to Xero) show while
they send, in English and in French: no Qt jargon on the window's buttons, the status line at
the top with the progress under it, a stop that says at once that it is stopping, and a log
that follows a language change.

Each page's real worker is held once its first step is sent (test_stopping_pages' ``held``),
so the page is looked at while it really sends."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QPushButton, QWizard

from tests.gui import test_stopping_pages as stopping
from tests.gui.test_stopping_pages import PAGES, WAIT, _prepared
from wizard.i18n import install_language
from wizard.state import WizardState

held = stopping.held  # the fixtures: the page's worker held while it sends
sending_window = stopping.sending_window


def _switch(qtbot, language: str, shown) -> None:
    """Change the language, then wait for the page to show it (Qt posts LanguageChange)."""
    install_language(language)
    qtbot.waitUntil(shown, timeout=5000)


def _visible_buttons(wiz: QWizard) -> dict[str, QPushButton]:
    which = {
        "back": QWizard.WizardButton.BackButton,
        "next": QWizard.WizardButton.NextButton,
        "commit": QWizard.WizardButton.CommitButton,
        "finish": QWizard.WizardButton.FinishButton,
        "cancel": QWizard.WizardButton.CancelButton,
    }
    buttons = {name: wiz.button(button) for name, button in which.items()}
    return {name: b for name, b in buttons.items() if isinstance(b, QPushButton) and b.isVisible()}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_button_of_a_sending_page_says_commit(kind, language, sending_window, qtbot):
    """QWizard's own "Commit" ("Soumettre") means nothing to a business owner: the hours page
    names where its button leads, as the import page does ("See the result")."""
    install_language(language)
    probe = QWizard()
    qt_default = probe.buttonText(QWizard.WizardButton.CommitButton)  # "Commit", "Soumettre"
    probe.deleteLater()
    wiz, page, release = sending_window(kind)
    buttons = _visible_buttons(wiz)
    texts = {name: b.text().replace("&", "") for name, b in buttons.items()}
    assert qt_default.replace("&", "") not in texts.values(), texts
    if "commit" in buttons:  # the import and the hours lead to their result
        see = {"en": "See the result", "fr": "Voir le résultat"}[language]
        assert texts["commit"] == see
        # and follows a language change
        other = {"en": ("fr", "Voir le résultat"), "fr": ("en", "See the result")}[language]
        commit = buttons["commit"]
        _switch(qtbot, other[0], lambda: commit.text().replace("&", "") == other[1])
    release.set()
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT * 2)


@pytest.mark.parametrize("size", [(880, 640), (800, 600)])
@pytest.mark.parametrize("kind", ["hours", "invoices"])
def test_the_status_line_is_at_the_top_with_the_progress_under_it(
    kind, size, sending_window, qtbot
):
    wiz, page, release = sending_window(kind)
    wiz.resize(*size)
    qtbot.wait(50)
    status, bar = page.status.geometry(), page.bar.geometry()
    spacing = max(page.body.spacing(), page.outer.spacing(), 6)
    assert status.top() <= page.outer.contentsMargins().top() + spacing, (status, bar)
    # as tall as its text: not stretched over the empty page with its words in the middle
    assert status.height() <= page.status.heightForWidth(status.width()) + spacing, status
    assert 0 <= bar.top() - status.bottom() <= 2 * spacing, (status, bar)
    assert page.stop_button.geometry().top() > bar.bottom()
    release.set()
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT * 2)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_import_says_at_once_that_it_is_stopping(language, sending_window, qtbot):
    """After Stop, no "About N seconds left" until the next report: the line says it stops."""
    install_language(language)
    _wiz, page, release = sending_window("import")
    page._eta = 45.0  # as a report would have left it
    page._retranslate_overall()
    left = {"en": "About 40 seconds left.", "fr": "Encore environ 40 secondes."}[language]
    assert left in page.overall.text()
    page.stop_button.click()
    stopping = {
        "en": "Stopping after the current step…",
        "fr": "Arrêt après l’étape en cours…",
    }[language]
    assert left not in page.overall.text()
    assert page.overall.text().endswith(stopping), page.overall.text()
    other = {"en": "Arrêt après l’étape en cours…", "fr": "Stopping after the current step…"}
    _switch(qtbot, "fr" if language == "en" else "en", lambda: stopping not in page.overall.text())
    assert page.overall.text().endswith(other[language]), page.overall.text()
    release.set()
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT * 2)
    assert "Stopping" not in page.overall.text() and "Arrêt" not in page.overall.text()


def test_the_hours_log_follows_a_language_change(sending_window, qtbot):
    _wiz, page, release = sending_window("hours")
    qtbot.waitUntil(lambda: "Timesheet: " in page.log.toPlainText())  # the first person sent
    english = page.log.toPlainText().splitlines()
    assert english[0] == "Sending started."
    person = next(line for line in english if line.startswith("Timesheet: "))
    name = person.removeprefix("Timesheet: ")
    page.ask_to_stop()
    page.agreed_to_stop()
    assert page.log.toPlainText().splitlines()[-1] == "Stopping after the current person…"
    _switch(qtbot, "fr", lambda: page.log.toPlainText().startswith("Envoi"))
    french = page.log.toPlainText().splitlines()
    assert french[0] == "Envoi commencé."
    assert any(re.fullmatch(rf"Feuille de temps\s: {re.escape(name)}", line) for line in french)
    assert french[-1] == "Arrêt après la personne en cours…"
    assert len(french) == len(page.log.toPlainText().splitlines())
    assert page.busy_label.text() == "Envoi des heures à Xero Payroll…"
    _switch(qtbot, "en", lambda: page.log.toPlainText().startswith("Sending"))
    assert page.log.toPlainText().splitlines() == [*english, "Stopping after the current person…"]
    release.set()
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT * 2)


def test_a_failed_sending_of_hours_is_reworded_too(connected_env, host, monkeypatch, qtbot):
    """The reason of a failure, in the log, follows the language too."""
    from core.errors import NetworkError
    from wizard.pages import payroll_send
    from wizard.pages.payroll_send import PayrollSendPage

    state: WizardState = _prepared("hours", connected_env)

    def unreachable(*_args, **_kwargs):
        raise NetworkError(service="Xero")

    monkeypatch.setattr(payroll_send, "send_task", unreachable)
    wiz = host(state, {PAGES["hours"].page: PayrollSendPage})
    page = wiz.pages[PAGES["hours"].page]
    qtbot.waitUntil(lambda: not page.running and not page.busy, timeout=WAIT)
    assert page.log.toPlainText().splitlines()[-1].startswith("Stopped by a problem: Could")
    _switch(qtbot, "fr", lambda: page.log.toPlainText().startswith("Envoi"))
    assert page.log.toPlainText().splitlines()[-1].startswith("Arrêté par un problème")
