"""The command line's help and usage mistakes speak the system's language: with a French
system (LANG=fr_FR.UTF-8) every help text of the parser and of each command, argparse's own
words (usage, headings, -h/--version) and its usage errors are French, with French
typography, still exit code 2; in English, argparse's output is unchanged, byte for byte."""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path

import pytest

import main
from core.app.cli_args import LocalizedParser, translate_error
from core.i18n import set_language, tr
from core.store.secrets import TokenStore

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """No wrapping: a help text is one line, found whole."""
    monkeypatch.setenv("COLUMNS", "1000")
    yield
    set_language("en")  # (main.main sets the system's language for the commands)


@pytest.fixture
def french(monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


def parsers(language: str) -> dict[str, argparse.ArgumentParser]:
    """The main parser ("") and each command's."""
    parser = main.build_parser(language)
    sub = next(a for a in parser._actions if a.dest == "command")
    return {"": parser, **sub.choices}


def english_texts(parser: argparse.ArgumentParser) -> set[str]:
    """Every text of a parser's help that is not a name (options, commands, choices)."""
    texts = {parser.description or ""}
    for action in parser._actions:
        texts.add(action.help or "")
        metavar = action.metavar
        texts.update(metavar if isinstance(metavar, tuple) else [metavar or ""])
        for choice in getattr(action, "_choices_actions", []):
            texts.add(choice.help or "")
    texts.discard("")
    texts.discard(argparse.SUPPRESS)
    return texts


def _present(text: str, output: str) -> bool:
    if re.fullmatch(r"[A-Z_=.a-z-]+", text):  # a placeholder: as a word, not inside one
        return re.search(rf"(?<![\w-]){re.escape(text)}(?![\w])", output) is not None
    return " ".join(text.split()) in " ".join(output.split())


ARGPARSE_ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "show this help message and exit",
    "show program's version number and exit",
)


def commands() -> list[str]:
    sub = next(a for a in main.build_parser()._actions if a.dest == "command")
    return list(sub.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["", *commands()])
def test_french_help_of_every_command_has_no_english_left(command):
    english, french = parsers("en")[command], parsers("fr")[command]
    shown = french.format_help()
    texts = english_texts(english)
    assert texts, command
    left = [t for t in texts if _present(t, shown)]
    assert not left, f"{command or 'main'}: still in English: {left}\n{shown}"
    missing = [tr(t, "fr") for t in texts if not _present(tr(t, "fr"), shown)]
    assert not missing, f"{command or 'main'}: French not shown: {missing}\n{shown}"
    for words in ARGPARSE_ENGLISH:
        assert words not in shown, (command, words)
    assert shown.startswith(f"utilisation{NBSP}: xero-qbtime-bridge"), shown
    assert f"options{NBSP}:" in shown and f"{NBSP}: afficher cette aide et quitter" not in shown
    assert "afficher cette aide et quitter" in shown
    # French typography: no straight apostrophe, no colon without its non-breaking space
    assert "'" not in shown, shown
    assert not re.search(rf"[^{NBSP}]:(\s|$)", shown), shown


def test_every_help_text_has_its_french():
    for command, parser in parsers("en").items():
        for text in english_texts(parser):
            assert tr(text, "fr") != text, f"{command or 'main'}: {text!r} has no French"


def test_the_english_help_is_argparse_s_own(monkeypatch):
    shown = parsers("en")[""].format_help()
    assert shown.startswith("usage: xero-qbtime-bridge")
    assert "positional arguments:\n" in shown and "\noptions:\n" in shown
    assert "show this help message and exit" in shown
    assert "show program's version number and exit" in shown


def run_main(*argv: str, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main.main(list(argv))
    captured = capsys.readouterr()
    return int(ended.value.code or 0), captured.out, captured.err


def test_french_help_from_the_command_line(french, capsys):
    code, out, _ = run_main("--help", capsys=capsys)
    assert code == 0 and out.startswith(f"utilisation{NBSP}: xero-qbtime-bridge")
    assert "Importe une organisation Xero dans QuickBooks Time." in out
    code, out, _ = run_main("sync", "--help", capsys=capsys)
    assert code == 0
    assert "--dry-run" in out and "afficher le plan, ne rien modifier" in out
    assert "print the plan" not in out and "usage:" not in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["bill-time", "--from", "2026-11-01"],
            f"xero-qbtime-bridge bill-time{NBSP}: erreur{NBSP}: "
            f"les arguments suivants sont obligatoires{NBSP}: --to",
        ),
        (
            ["bill-time", "--to", "2026-11-01", "--from"],
            f"argument --from{NBSP}: une valeur est attendue",
        ),
        (
            ["undo", "abc"],
            f"argument NUMÉRO{NBSP}: nombre entier invalide{NBSP}: «{NBSP}abc{NBSP}»",
        ),
        (["synk"], f"argument COMMANDE{NBSP}: choix invalide{NBSP}: «{NBSP}synk{NBSP}»"),
        (
            ["bill-time", "--from", "1", "--to", "2", "--invoice-language", "de"],
            f"choix invalide{NBSP}: «{NBSP}de{NBSP}» (choisissez parmi en, fr)",
        ),
        (["status", "--nope"], f"erreur{NBSP}: arguments non reconnus{NBSP}: --nope"),
        (
            ["review", "--export", "a.csv", "--import", "b.csv"],
            f"argument --import{NBSP}: impossible avec l’argument --export",
        ),
        (
            ["sync", "--dry-run=yes"],
            f"argument --dry-run{NBSP}: cette option ne prend pas de valeur{NBSP}: «{NBSP}yes{NBSP}»",
        ),
        (
            ["status", "--demo-", "x"],
            f"erreur{NBSP}: option ambiguë{NBSP}: --demo- peut désigner --demo-data, --demo-state",
        ),
    ],
)
def test_a_french_usage_mistake_is_said_in_french_with_exit_2(french, capsys, argv, said):
    code, out, err = run_main(*argv, "--json", capsys=capsys)
    assert code == 2
    assert out == ""  # (the parser's mistakes: the usage and a sentence, never JSON)
    assert err.startswith(f"utilisation{NBSP}: xero-qbtime-bridge"), err
    assert said in " ".join(err.split(" \n")), err
    english = r"\b(usage|error|invalid|expected|required|choose|unrecognized|allowed|could)\b"
    assert not re.search(english, err), err


def test_an_english_usage_mistake_is_argparse_s_own(capsys):
    code, _, err = run_main("bill-time", "--from", "2026-11-01", capsys=capsys)
    assert code == 2
    assert err.startswith("usage: xero-qbtime-bridge bill-time")
    assert err.endswith(
        "xero-qbtime-bridge bill-time: error: the following arguments are required: --to\n"
    )
    code, _, err = run_main("undo", "abc", capsys=capsys)
    assert code == 2 and err.endswith("error: argument RUN_ID: invalid int value: 'abc'\n")


def _define(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--version", action="version", version="%(prog)s 1")
    parser.add_argument("--count", type=int, help="how many")
    parser.add_argument("--mode", choices=("a", "b"))
    parser.add_argument("--flag", action="store_true")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--left", action="store_true")
    group.add_argument("--right", action="store_true")
    parser.add_argument("--pair", nargs=2)
    parser.add_argument("--some", nargs="+")
    parser.add_argument("name", metavar="NAME")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("go", help="go somewhere").add_argument("--far", required=True)
    return parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["n", "go", "--help"],
        ["--count", "x", "n", "go", "--far", "1"],
        ["--mode", "c", "n", "go", "--far", "1"],
        ["--left", "--right", "n", "go", "--far", "1"],
        ["--pair", "1", "n", "go", "--far", "1"],
        ["--some"],
        ["--flag=1", "n", "go", "--far", "1"],
        ["n", "stop"],
        ["n", "go"],
        ["n", "go", "--far", "1", "extra"],
        [],
    ],
)
def test_english_output_is_a_plain_argparse_s(capsys, argv):
    """The same parser built with argparse itself and with LocalizedParser in English print
    the same help and the same usage errors, with the same exit code."""
    outputs = []
    for parser in (argparse.ArgumentParser(prog="p"), LocalizedParser(prog="p")):
        _define(parser)
        with pytest.raises(SystemExit) as ended:
            parser.parse_args(argv)
        outputs.append((ended.value.code, capsys.readouterr()))
    assert outputs[0] == outputs[1]


def _msgids() -> set[str]:
    """The sentences argparse of this Python looks up with gettext."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_", "ngettext"):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


#: argparse's own words given to it already translated (core.app.cli_args)
WORDS = {
    "usage: ",
    "positional arguments",
    "options",
    "subcommands",
    "show this help message and exit",
    "show program's version number and exit",
    "%(heading)s:",
    "%(prog)s: error: %(message)s\n",
}
#: a mistake in a parser's definition (the programmer's, raised at once), never a user's;
#: or what this app's parser never does (deprecated options, warnings)
NOT_A_USERS = re.compile(
    r"conflicting|\.__call__\(\) not defined|argument \"-\" with mode|cannot merge actions|"
    r"'required' is an invalid|invalid option string|dest= is required|"
    r"invalid conflict_resolution|mutually exclusive arguments must be optional|"
    r"cannot have multiple subparser|is deprecated|warning:|%r is not callable"
)


class _Sample(dict):
    def __missing__(self, key: str) -> str:
        return "2" if key in ("count",) else "x"


def test_every_usage_error_of_this_pythons_argparse_has_its_french():
    """A newer Python's argparse with a sentence this app does not know fails here, not in
    front of a French user."""
    checked = 0
    for msgid in _msgids():
        if msgid in WORDS or NOT_A_USERS.search(msgid):
            continue
        if "%(" in msgid:
            english = msgid % _Sample(message="expected one argument", argument_name="--x")
        else:
            english = msgid % (("2",) * msgid.count("%"))
        french = translate_error(english, "fr")
        assert french != english, f"argparse's {msgid!r} is not said in French"
        assert not re.search(r"\b(expected|invalid|argument:|required)\b", french), french
        checked += 1
    assert checked >= 12


def test_a_french_value_mistake_with_json_is_one_json_object_in_french(
    french, tmp_path, memory_keyring, capsys
):
    """The commands' own usage mistakes (a date that is not one) stay one JSON object with
    --json, their message in French (exit 2)."""
    store = TokenStore(memory_keyring, trust_backend=True)
    state = ["--demo-state", str(tmp_path / "demo-state")]
    assert main.main(["connect-qbtime", *state, "--json"], tokens=store) == 0
    assert (
        main.main(["connect-xero", "--org", "Maison Verdure Australia", *state], tokens=store) == 0
    )
    capsys.readouterr()
    code = main.main(
        ["bill-time", "--from", "hier", "--to", "2026-11-30", *state, "--json"], tokens=store
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 2 and len(out) == 1, out
    said = json.loads(out[0])
    assert said["error"] == "UsageError"
    assert said["message"].startswith(f"«{NBSP}hier{NBSP}», donné à --from, n’est pas une date"), (
        said
    )
