"""The command line's own words tell the truth: runs are imports, sendings of hours and
billing runs (help, undo's and history's messages, in English and in French); `--json`
prints one JSON object, demo-servers included; connect-qbtime typed at a terminal asks for
the key without showing it."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import main
from core.i18n import set_language
from core.store.secrets import TokenStore

AU = "Maison Verdure Australia"


def help_of(command: str) -> str:
    parser = main.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return str(sub.choices[command].format_help())  # type: ignore[attr-defined]


def summary_of(command: str) -> str:
    parser = main.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return next(a.help for a in sub._choices_actions if a.dest == command)  # type: ignore[attr-defined]


def test_help_words_undo_and_history_as_runs_of_every_kind():
    for command in ("undo", "history"):
        summary = summary_of(command)
        assert "import" in summary and "of hours" in summary and "billing run" in summary, summary
    assert "undo one import" not in summary_of("undo")
    cascade = " ".join(help_of("undo").split())
    assert "the later runs of the same kind" in cascade, cascade
    assert "the later imports" not in cascade


class App:
    """``main.main`` as a user runs it: arguments in, exit code and what was printed out."""

    def __init__(self, state: Path, store: TokenStore, capsys: pytest.CaptureFixture[str]) -> None:
        self.state, self.store, self.capsys = state, store, capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main.main([*argv, "--demo-state", str(self.state)], tokens=self.store)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def app(tmp_path, memory_keyring, capsys, monkeypatch) -> App:
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    yield App(tmp_path / "demo-state", TokenStore(memory_keyring, trust_backend=True), capsys)
    set_language("en")


def test_undo_and_history_speak_of_runs_not_imports(app, monkeypatch):
    assert app("connect-qbtime")[0] == 0
    assert app("connect-xero", "--org", AU)[0] == 0
    code, out, err = app("history")
    assert code == 0 and "Nothing has run yet: no import, sending of hours or billing run." in (
        out
    ), out + err
    assert app("sync")[0] == 0
    code, out, err = app("undo", "1")
    assert code == 0, out + err
    # run 2 is the undo of run 1: an undo is not undone, and the message says why
    code, out, err = app("undo", "2")
    assert code == 1
    assert err.strip() == (
        "Run 2 cannot be undone: it is itself an undo; only imports, sendings of hours and "
        "billing runs can be undone."
    ), err
    code, out, err = app("undo", "99")
    assert (code, err.strip()) == (
        1,
        'There is no run number 99 for this organisation (see "history").',
    ), err
    code, out, err = app("history", "99")
    assert code == 1 and "There is no run number 99" in err, err
    monkeypatch.setenv("LANG", "fr_CA.UTF-8")
    code, out, err = app("undo", "2")
    assert code == 1 and err.strip() == (
        "Le traitement 2 ne peut pas être défait\u00a0: il défait lui-même un traitement\u00a0; "
        "seuls les importations, les envois d’heures et les facturations peuvent être défaits."
    ), err
    code, out, err = app("undo", "99")
    assert err.strip() == (
        "Il n’y a pas de traitement n° 99 pour cette organisation (voir «\u00a0history\u00a0»)."
    ), err


class _Stopped(threading.Event):
    """The Demo Company's wait, ended at once as by Ctrl+C."""

    def wait(self, timeout: float | None = None) -> bool:
        raise KeyboardInterrupt


def test_demo_servers_json_prints_one_json_object_alone(app, monkeypatch):
    monkeypatch.setattr(main, "threading", SimpleNamespace(Event=_Stopped))
    code, out, err = app("demo-servers", "--json")
    assert code == 0, err
    payload = json.loads(out)  # the whole output: one object, no sentence around it
    assert isinstance(payload, dict) and payload["xero_base"].startswith("http://127.0.0.1")
    assert set(payload) >= {"qbtime_base", "qbtime_token", "xero_client_id", "redirect_uris"}


def test_demo_servers_without_json_says_it_in_sentences_then_the_json_line(app, monkeypatch):
    monkeypatch.setattr(main, "threading", SimpleNamespace(Event=_Stopped))
    code, out, _err = app("demo-servers")
    lines = [line for line in out.splitlines() if line]
    assert code == 0 and lines[0].startswith("The Demo Company is running on this computer")
    assert json.loads(lines[-2])["qbtime_base"].startswith("http://127.0.0.1")
    assert lines[-1] == "Stopping the Demo Company."


class _Stdin:
    """Standard input, a terminal or not (a key typed at a terminal is asked for by getpass)."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal

    def readline(self) -> str:
        raise AssertionError("without --token-stdin, standard input is never read as a line")


class _RealServices:
    """A context on the real services: connect-qbtime asks for a key (the Demo Company's
    commands take one of its own keys)."""

    demo = False

    def open_db(self) -> None:
        pass


def test_connect_qbtime_typed_at_a_terminal_asks_for_the_key_unseen(monkeypatch, capsys):
    import getpass

    from core.app import cli

    asked: list[str] = []
    given: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": asked.append(prompt) or "KEY")
    monkeypatch.setattr(cli, "cmd_connect_qbtime", lambda ctx, out, key: given.append(key) or 0)
    args = main.build_parser().parse_args(["connect-qbtime"])
    monkeypatch.setattr(main.sys, "stdin", _Stdin(terminal=True))
    assert main.run_command(args, _RealServices()) == 0
    assert given == ["KEY"] and asked and "not shown" in asked[0]
    # not at a terminal (a pipe, a scheduled task): only with --token-stdin, never guessed
    monkeypatch.setattr(main.sys, "stdin", _Stdin(terminal=False))
    assert main.run_command(args, _RealServices()) == 2
    assert "--token-stdin" in capsys.readouterr().err and given == ["KEY"]
