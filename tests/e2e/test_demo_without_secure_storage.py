"""The Demo Company on the command line, on a computer with no secure password storage: its
sign-ins last one command (they are the simulators' and kept in memory), and every command
says so, with what to do; a command that needs a sign-in an earlier command made says that,
not "Run connect-xero" (which could never help). Without --demo nothing is kept at all, and
the commands refuse plainly, as before."""

from __future__ import annotations

import json

import keyring
import keyring.backends.fail
import pytest

import main

AU = "Maison Verdure Australia"
LASTS_ONE_COMMAND = "last only as long as one command"


@pytest.fixture
def run(tmp_path, memory_keyring, capsys, monkeypatch):
    keyring.set_keyring(keyring.backends.fail.Keyring())  # (memory_keyring puts its own back)
    state = tmp_path / "demo-state"

    def invoke(*argv, demo=True):
        extra = ["--demo-state", str(state)] if demo else []
        code = main.main([*argv, *extra])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_every_demo_command_says_its_sign_ins_are_not_kept(run):
    code, out, err = run("connect-qbtime")
    assert code == 0 and "Connected to QuickBooks Time" in out
    assert LASTS_ONE_COMMAND in err and "gnome-keyring" in err and "--demo and no command" in err

    code, out, err = run("connect-xero", "--org", AU)
    assert code == 0 and LASTS_ONE_COMMAND in err

    code, out, err = run("status", "--json")
    answer = json.loads(out.strip().splitlines()[-1])
    assert answer["sign_ins_kept_between_commands"] is False
    assert LASTS_ONE_COMMAND in answer["sign_ins_note"]


def test_a_command_needing_an_earlier_sign_in_says_why_it_has_none(run):
    assert run("connect-qbtime")[0] == 0
    assert run("connect-xero", "--org", AU)[0] == 0

    code, out, err = run("sync")
    assert code == 1
    assert "Run connect-xero" not in err
    assert "this command has none" in err and "connecting again will not change that" in err
    assert err.count("No secure password storage") == 1  # (said once, not twice)

    code, out, _err = run("export-hours", "--json")
    answer = json.loads(out.strip().splitlines()[-1])
    assert code == 1 and answer["error"] == "SecureStorageUnavailable"
    assert "this command has none" in answer["message"]
    assert "connect-xero" not in answer["message"]


def test_said_in_french_too(run, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    code, _out, err = run("connect-qbtime")
    assert code == 0
    assert "le temps d’une commande" in err


def test_without_the_demo_company_nothing_is_kept_and_the_commands_refuse(run):
    code, out, _err = run("status", "--json", demo=False)
    answer = json.loads(out.strip().splitlines()[-1])
    assert code == 1 and answer["error"] == "SecureStorageUnavailable"
    assert "sign_ins_note" not in answer
