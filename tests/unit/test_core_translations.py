"""Every user-facing string core/ produces has a French translation with the same placeholders."""

import ast
import json
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG = json.loads((ROOT / "resources" / "i18n" / "core.fr.json").read_text(encoding="utf-8"))


def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None
    return None


def core_messages():
    found = {}
    for path in (ROOT / "core").rglob("*.py"):
        if "sandbox" in path.parts:
            continue  # the simulators play Xero/QuickBooks Time; their pages have their own table
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", "")
            ) in ("tr", "N_"):
                if node.args and (text := _literal(node.args[0])):
                    found[text] = path.name
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and len(stmt.targets) == 1
                        and getattr(stmt.targets[0], "id", "") == "message"
                        and (text := _literal(stmt.value))
                    ):
                        found[text] = path.name
    return found


def _fields(text):
    return sorted({f for _, f, _, _ in string.Formatter().parse(text) if f})


def test_every_core_message_is_translated_to_french():
    messages = core_messages()
    assert len(messages) > 20
    missing = [f"{where}: {text}" for text, where in messages.items() if text not in CATALOG]
    assert not missing, "missing French translations:\n" + "\n".join(missing)


def test_translations_keep_placeholders():
    for source, french in CATALOG.items():
        assert _fields(source) == _fields(french), source


def test_marked_parameters_are_translated_in_the_sentence():
    from core.errors import QBTimePermissionMissing
    from core.i18n import N_, MsgList

    err = QBTimePermissionMissing(
        permission=MsgList(
            [N_("add or change team members"), N_("assign customers to team members")]
        )
    )
    assert "add or change team members and assign customers" in err.user_message("en")
    french = err.user_message("fr")
    assert "ajouter ou modifier des membres" in french and " et " in french


def test_numbers_in_french_sentences_take_a_decimal_comma():
    """Hours placed in a core sentence read as French writes them ("37,5 h", "4,50"); English
    keeps its point, whole numbers are untouched."""
    from decimal import Decimal

    from core.i18n import tr

    sentence = "Time off ({hours} h) was not sent because of the problem above with this person's timesheet."
    assert "(37,5 h)" in tr(sentence, "fr", hours=37.5)
    assert "(37.5 h)" in tr(sentence, "en", hours=37.5)
    assert "(4,50 h)" in tr(sentence, "fr", hours=Decimal("4.50"))
    assert "(8 h)" in tr(sentence, "fr", hours=8)
