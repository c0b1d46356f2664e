"""The headless commands against the Demo Company: connect both services, status, fetch,
disconnect — and no secret anywhere on disk afterwards."""

import json
from pathlib import Path

import pytest

import main
from core.store.paths import AppPaths
from core.store.secrets import TokenStore
from tests.e2e.keyring_entries import pair_entry

AU = "Maison Verdure Australia"


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv, stdin=None, monkeypatch=None):
        code = main.main([*argv, "--demo-state", str(state), "--json"], tokens=store)
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out else None)

    invoke.store = store
    invoke.state = state
    return invoke


def _scan_for_secrets(values, *folders):
    hits = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                hits += [f"{path}: {v[:6]}…" for v in values if v and v.encode() in data]
    return hits


def test_connect_status_fetch_disconnect_against_the_demo_company(run, memory_keyring):
    code, out = run("connect-qbtime")
    assert code == 0 and out["qbtime_company"] == "Maison Verdure Group"

    code, out = run("connect-xero", "--org", AU)
    assert code == 0, out
    assert out["bound"]["organisation"] == AU
    assert out["bound"]["qbtime_company"] == "Maison Verdure Group"

    code, out = run("status")
    assert out["xero_sign_in"] == "connected" and out["xero_access_expires"]
    [row] = out["connections"]
    assert (row["organisation"], row["country"], row["edition"]) == (AU, "AU", "AU")
    assert row["qbtime_access_key"] == "present"

    code, out = run("fetch")
    assert code == 0
    xero = out["changes"]["xero"]
    assert xero["contacts"]["added"] >= 60 and xero["employees"]["added"] >= 12
    assert xero["leave_types"]["added"] > 0
    assert out["changes"]["qbtime"]["jobcodes"]["added"] > 0
    first_calls = out["api_calls"]["xero"]

    code, out = run("fetch")  # nothing changed: incremental, nothing new
    assert all(not any(c.values()) for c in out["changes"]["xero"].values())
    assert all(not any(c.values()) for c in out["changes"]["qbtime"].values())
    # An incremental read costs no more than the whole one, plus the one call that finds
    # contacts invoiced for the first time since (GET /Invoices, issue 11).
    assert out["api_calls"]["xero"] <= first_calls + 1

    code, out = run("status")
    assert out["connections"][0]["xero_calls_left_today"] is not None

    # Nothing secret is ever written by the app: not the database, not the log.
    secrets = [v for v in memory_keyring.store.values()]
    secrets += [
        json.loads(v).get(k, "")
        for v in memory_keyring.store.values()
        if v.startswith("{")
        for k in ("access_token", "refresh_token", "id_token")
    ]
    paths = AppPaths.default()
    assert secrets and not _scan_for_secrets(secrets, paths.data, paths.logs, paths.config)

    code, out = run("disconnect")
    assert code == 0
    assert not memory_keyring.store  # both sign-ins forgotten (Xero revoked)
    code, out = run("status")
    assert out["connections"] == [] and out["xero_sign_in"] == "absent"


def test_one_qbtime_account_per_organisation(run, monkeypatch, memory_keyring):
    import io

    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    # The same QuickBooks Time company offered to another organisation is refused (its key
    # is the first pair's own keyring entry now).
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(run.store.get(pair_entry(memory_keyring, "qbtime", 1)) + "\n")
    )
    assert run("connect-qbtime", "--token-stdin")[0] == 0
    code, out = run("connect-xero", "--org", "Maison Verdure UK")
    assert code == 1 and out["error"] == "AccountAlreadyBound"
    assert "disconnect" in out["message"]
    code, out = run("status")
    assert [c["organisation"] for c in out["connections"]] == [AU]


def test_bad_token_is_refused_with_a_clear_message(run, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("not-a-real-key\n"))
    code, out = run("connect-qbtime", "--token-stdin")
    assert code == 1 and out["error"] == "QBTimeTokenInvalid"
    assert "Add token" in out["message"]


def test_several_organisations_need_org(run):
    code, out = run("fetch")
    assert code == 2 and "connect-qbtime" in out["message"]


def test_switching_organisation_after_disconnect_keeps_the_old_history(run):
    from core.store.models import Connection, ImportRun

    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    assert run("sync")[0] == 0
    assert run("disconnect")[0] == 0
    run("connect-qbtime")
    code, out = run("connect-xero", "--org", "Maison Verdure UK")
    assert code == 0 and out["bound"]["organisation"] == "Maison Verdure UK"
    code, out = run("history")
    assert out["runs"] == []  # the UK connection starts its own history
    from core.store.db import open_database
    from core.store.paths import AppPaths

    open_database(AppPaths.default().data / "bridge.sqlite3")
    rows = {c.xero_tenant_name: c for c in Connection.select()}
    assert set(rows) == {AU, "Maison Verdure UK"}
    assert rows[AU].status == "disconnected"
    assert ImportRun.select().where(ImportRun.connection == rows[AU]).count() == 1


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr_CA.UTF-8", "Rien n’est encore connecté. Lancez connect-qbtime"),
        ("en_AU.UTF-8", "Nothing is connected yet. Run connect-qbtime"),
    ],
)
def test_the_commands_speak_the_systems_language(run, tmp_path, monkeypatch, lang, expected):
    """A bookkeeper in a French terminal reads the commands' messages in French, as the
    window shows them; the language comes from the system (LANG), like the window's."""
    from core.i18n import current_language, set_language

    before = current_language()
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)
    try:
        code, out = run("review")  # (nothing connected yet)
    finally:
        set_language(before)
    assert code != 0
    assert expected in json.dumps(out, ensure_ascii=False), out


def test_a_key_with_invisible_marks_is_taken_and_an_empty_one_said(run, monkeypatch):
    """A key file saved with a byte-order mark (Windows Notepad) or a key copied with a
    zero-width space: the marks are not part of the key ("Something unexpected
    (UnicodeEncodeError)" before). Nothing given: said as such, not "not accepted"."""
    import io

    from core.sandbox.server import Sandbox

    run("status")  # (the Demo Company's state exists: its key can be read)
    key = Sandbox.open(state_dir=run.state).qbtime_token
    monkeypatch.setattr("sys.stdin", io.StringIO("\ufeff" + key + "\u200b\r\n"))
    code, out = run("connect-qbtime", "--token-stdin")
    assert code == 0 and out["qbtime_company"] == "Maison Verdure Group", out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out = run("connect-qbtime", "--token-stdin")
    assert code == 1 and out["error"] == "QBTimeKeyMissing"
    assert "No access key was given" in out["message"]


def test_a_key_typed_at_a_terminal_is_not_shown(run, monkeypatch):
    import getpass
    import io

    asked = []

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "typed-key")
    code, out = run("connect-qbtime", "--token-stdin")
    assert asked and "not shown" in asked[0]
    assert code == 1 and out["error"] == "QBTimeTokenInvalid"  # the typed key was the one sent


def test_a_new_key_mends_a_business_whose_key_was_refused(run, monkeypatch, memory_keyring):
    """QuickBooks Time refused the business's key; giving a new one with connect-qbtime is
    enough (it printed "Connected" and the business went on with the refused key until a
    new Xero sign-in)."""
    import io

    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    good = run.store.get(pair_entry(memory_keyring, "qbtime", 1))
    run.store.set(pair_entry(memory_keyring, "qbtime", 1), "S.1__revoked-key-0000")
    code, out = run("sync")
    assert code == 1 and out["error"] == "QBTimeTokenInvalid"
    monkeypatch.setattr("sys.stdin", io.StringIO(good + "\n"))
    code, out = run("connect-qbtime", "--token-stdin")
    assert code == 0 and out["renewed_for"] == AU
    assert run.store.get(pair_entry(memory_keyring, "qbtime", 1)) == good
    # kept once, as the business's key (no second copy of it in the keyring)
    users = {user for (_service, user) in memory_keyring.store}
    assert not [u for u in users if u.startswith("qbtime:") and "pair-" not in u], users
    code, out = run("sync")
    assert code == 0, out
    assert run("disconnect")[0] == 0
    assert not memory_keyring.store


def test_disconnect_with_the_keyring_locked_says_so_and_is_done(run, memory_keyring, monkeypatch):
    """The keyring locked while disconnecting: the business is disconnected and what could
    not be forgotten is listed (it failed with exit 1 and "try again", and trying again said
    nothing was connected)."""
    import keyring.errors

    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0

    def locked(*_args):
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    code, out = run("disconnect")
    assert code == 0, out
    assert out["disconnected"] and out["problems"]
    assert any("locked" in p for p in out["problems"])


def test_disconnect_forgets_a_connection_left_half_done(run, memory_keyring):
    """connect-qbtime, then a sign-in whose --org matched nothing: the sign-in and the key
    waited in the keyring, status said "signed in", and disconnect said nothing was
    connected. The last business disconnected forgets them too."""
    run("connect-qbtime")
    assert run("connect-xero", "--org", "No Such Organisation")[0] == 2
    assert memory_keyring.store
    code, out = run("disconnect")
    assert code == 0 and out["pending_forgotten"] is True
    assert not memory_keyring.store
    code, out = run("status")
    assert out["xero_sign_in"] == "absent" and out.get("pending_qbtime_company") is None

    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    run("connect-qbtime")  # a next business begun
    assert run("disconnect")[0] == 0
    assert not memory_keyring.store


def test_status_does_not_give_yesterdays_count_for_today(run, monkeypatch):
    """Xero's day limit counts the last 24 hours: the requests left as Xero said them a day
    ago are not today's (status said yesterday's count, and an access "valid until" a time
    already gone)."""
    import time as clock

    import core.app.cli as cli

    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    assert run("fetch")[0] == 0
    _code, out = run("status")
    left = out["connections"][0]["xero_calls_left_today"]
    assert isinstance(left, int) and 0 < left <= 5000
    later = clock.time() + 25 * 3600
    monkeypatch.setattr(cli.time, "time", lambda: later)
    _code, out = run("status")
    assert out["connections"][0]["xero_calls_left_today"] is None
    assert cli._access_text(later - 60).startswith(
        "Access renews automatically at the next use (the current one expired at"
    )


def test_status_counts_the_xero_requests_of_every_command(run):
    """Sending hours, billing, undo and signing in spend Xero's day's requests too: status
    kept the count of the last import (4994) after later commands had spent more."""
    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    assert run("sync")[0] == 0
    _code, out = run("status")
    after_sync = out["connections"][0]["xero_calls_left_today"]
    assert run("export-hours", "--dry-run")[0] in (0, 1)  # (reads Xero Payroll either way)
    _code, out = run("status")
    assert out["connections"][0]["xero_calls_left_today"] < after_sync
