"""What the headless commands say to do after a sign-in problem: run connect-xero, never
click a "Connect to Xero" button a command line does not have; the window keeps its words.
In English and in French."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

import main
from core.app.cli import Output
from core.errors import BridgeError, ReauthorizationRequired, SignInTimedOut
from core.i18n import set_language, tr
from core.services.auth.loopback import STATE_MISMATCH_MESSAGE
from core.services.auth.xero_oauth import InvoicingScopesMissing, PayrollScopesMissing
from core.services.xero.client import (
    XeroAccessDenied,
    XeroOrganisationDisconnected,
    XeroPayrollAccessDenied,
)
from core.store.secrets import TokenStore

ROOT = Path(__file__).resolve().parents[2]
BUTTON = {"en": "Connect to Xero", "fr": "Se connecter à Xero"}
RUN = {"en": "Run connect-xero", "fr": "Lancez connect-xero"}


def errors_naming_the_button() -> list[type[BridgeError]]:
    """Every error class of core/ whose window message tells the user to click the button."""
    found = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and getattr(stmt.targets[0], "id", "") == "message"
                    and isinstance(stmt.value, ast.Constant)
                    and "Connect to Xero" in str(stmt.value.value)
                ):
                    found.append(getattr(importlib.import_module(module), node.name))
    return found


def made(cls: type[BridgeError]) -> BridgeError:
    return cls("detail", service="Xero", reason="AuthenticationUnsuccessful")


def test_every_error_naming_the_button_has_words_for_the_command_line():
    classes = errors_naming_the_button()
    assert set(classes) >= {
        ReauthorizationRequired,
        SignInTimedOut,
        InvoicingScopesMissing,
        PayrollScopesMissing,
        XeroOrganisationDisconnected,
        XeroPayrollAccessDenied,
        XeroAccessDenied,
    }
    for cls in classes:
        error = made(cls)
        for language in ("en", "fr"):
            window, headless = error.user_message(language), error.command_line_text(language)
            assert BUTTON[language] in window, (cls, language)  # the window keeps its words
            assert BUTTON[language] not in headless, (cls, language)
            assert "connect-xero" in headless, (cls, language)
        assert error.command_line_text("fr") != error.command_line_text("en"), cls


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_command_line_prints_its_own_words(capsys, language):
    set_language(language)
    try:
        assert Output().error(ReauthorizationRequired()) == 1
        printed = capsys.readouterr().err
        assert Output(as_json=True).error(InvoicingScopesMissing()) == 1
        said = json.loads(capsys.readouterr().out)
    finally:
        set_language("en")
    assert BUTTON[language] not in printed and RUN[language] in printed
    assert said["error"] == "InvoicingScopesMissing"
    assert BUTTON[language] not in said["message"] and "connect-xero" in said["message"]


def test_an_error_without_command_line_words_prints_its_message(capsys):
    error = BridgeError()
    assert error.command_line_text() == error.user_message() == "Something went wrong."
    Output().error(error)
    assert capsys.readouterr().err.strip() == "Something went wrong."


def test_invoicing_permission_is_not_said_to_predate_the_connection():
    """Invoicing's permission is asked only once billing has something to write: a connection
    made a minute ago lacks it as much as an old one."""
    error = InvoicingScopesMissing()
    for text in (error.user_message("en"), error.command_line_text("en")):
        assert "before invoicing was turned on" not in text
        assert "Xero has not yet allowed this app to create draft invoices" in text
    for text in (error.user_message("fr"), error.command_line_text("fr")):
        assert "avant l’activation" not in text
        assert "n’a pas encore autorisé cette application à créer des brouillons" in text
    # the window's own sentence keeps its button, in both languages
    assert 'Click "Connect to Xero"; your settings are kept.' in error.user_message("en")
    assert "Cliquez sur «\u00a0Se connecter à Xero\u00a0»" in error.user_message("fr")


def test_the_browser_page_of_a_stray_answer_names_both_ways_to_start_again():
    for language in ("en", "fr"):
        text = tr(STATE_MISMATCH_MESSAGE, language)
        assert "connect-xero" in text and BUTTON[language] in text, language


@pytest.mark.parametrize("language", ["en", "fr"])
def test_bill_time_without_invoicing_permission_says_run_connect_xero(
    tmp_path, memory_keyring, capsys, monkeypatch, language
):
    """The whole command: the first real bill-time needs invoicing's permission; what it
    prints on the terminal says how to get it there."""
    monkeypatch.setenv("LANG", "fr_CA.UTF-8" if language == "fr" else "C.UTF-8")
    store = TokenStore(memory_keyring, trust_backend=True)
    state = str(tmp_path / "demo-state")
    try:
        for argv in (
            ["connect-qbtime"],
            ["connect-xero", "--org", "Maison Verdure Australia"],
            ["sync"],
        ):
            assert main.main([*argv, "--demo-state", state], tokens=store) == 0
        capsys.readouterr()
        code = main.main(
            ["bill-time", "--from", "2000-01-01", "--to", "2100-01-01", "--demo-state", state],
            tokens=store,
        )
    finally:
        set_language("en")
    printed = capsys.readouterr().err
    assert code == 1
    assert BUTTON[language] not in printed and "connect-xero" in printed
    assert InvoicingScopesMissing().command_line_text(language) in printed
