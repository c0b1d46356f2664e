"""Issue 15, done when: a newcomer walks the Demo Company flow in the real window, in each
language, pressing only the one primary button of each page (and, on the review, the
suggested actions), and ends on a Done page whose numbers are the preview's."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

import wizard.pages.welcome as welcome_module
from wizard.i18n import install_language
from wizard.state import FLOW, PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 20000


class AustralianLocale:
    @staticmethod
    def system() -> AustralianLocale:
        return AustralianLocale()

    def name(self) -> str:
        return "en_AU"


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text.replace("\u202f", "").replace("\u00a0", ""))]


def _the_primary(wizard: BridgeWizard) -> QPushButton:
    shown = [b for b in wizard.findChildren(QPushButton) if b.isVisible() and b.property("primary")]
    assert len(shown) == 1, [b.text() for b in shown]  # exactly one, and it is the way on
    assert shown[0] is wizard.primary_button()
    return shown[0]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_newcomer_gets_through_with_the_primary_buttons(demo_env, qtbot, monkeypatch, language):
    ctx, _box, _t = demo_env
    monkeypatch.setattr(welcome_module, "QLocale", AustralianLocale)  # a newcomer in Australia
    install_language(language)
    wizard = BridgeWizard(WizardState(ctx, language=language))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    seen: list[int] = []

    def page() -> QWidget:
        return wizard.currentPage()

    def settle() -> None:
        qtbot.waitUntil(lambda: not page().busy, timeout=WAIT)
        qtbot.wait(10)  # the window picks the primary button after the page changed

    def press(expected_enabled: bool = True) -> None:
        settle()
        button = _the_primary(wizard)
        if expected_enabled:
            qtbot.waitUntil(button.isEnabled, timeout=WAIT)
        button.click()

    try:
        while True:
            settle()
            current = PageId(wizard.currentId())
            seen.append(current)
            if current == PageId.QBTIME:
                press()  # "Use the Demo Company's key": checked by itself once there
                qtbot.waitUntil(page().isComplete, timeout=WAIT)
            elif current == PageId.XERO_CONNECT:
                assert _the_primary(wizard) is page().connect_button
                press()
                qtbot.waitUntil(page().isComplete, timeout=WAIT)
            elif current == PageId.ORGANISATION:
                qtbot.waitUntil(
                    lambda: page().isComplete() or not page().payroll_access.isHidden(),
                    timeout=WAIT,
                )
                if not page().isComplete():  # "Allow payroll access", the primary then
                    press()
                    qtbot.waitUntil(page().isComplete, timeout=WAIT)
            elif current == PageId.REVIEW:
                qtbot.waitUntil(lambda: page().accept_button.isEnabled(), timeout=WAIT)
                page().accept_button.click()  # "Accept N suggestions": the suggested actions
            elif current == PageId.PREVIEW:
                qtbot.waitUntil(lambda: page().loaded, timeout=WAIT)
                preview = _numbers(page().counts_label.text())
            elif current == PageId.IMPORT:
                qtbot.waitUntil(page().isComplete, timeout=WAIT * 3)
            elif current == PageId.DONE:
                break
            press()
            qtbot.waitUntil(lambda was=current: wizard.currentId() != was, timeout=WAIT)

        assert seen == list(FLOW)  # every step, in order, nothing skipped or repeated
        assert wizard.step_list.marks == ["done"] * 8 + ["current"]
        done = page()
        changes = preview[0]
        assert changes > 0 and str(changes) in done.status.text().replace("\u202f", "")
        total = [done.summary.item(done.summary.rowCount() - 1, c).text() for c in (1, 2, 3, 4)]
        assert sum(0 if t == "–" else int(t) for t in total) == changes
        if len(preview) > 1:  # records not imported (left for a decision) are said to wait
            assert done.waiting.isVisible()
    finally:
        wizard.stop_background_work()
        install_language("en")
