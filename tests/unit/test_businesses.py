"""Several businesses (pairs) in one install: their keyring entries, named by the pair; the
entries of pairs made before that rule, moved without losing them (from a database of the
previous schema, tests/fixtures/db_v2.sql); binding, signing in again, disconnecting one pair
without touching the other; the business the app opens on; the Demo Company's next key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.app.businesses import (
    business_states,
    current_connection,
    decisions_waiting,
    decisions_waiting_by_business,
    qbtime_address,
    remember_current,
)
from core.app.connections import (
    QBTimeCompany,
    adopt_pair_secrets,
    bind,
    demo_qbtime_key,
    disconnect,
    keep_sign_in,
    pair_keys,
)
from core.app.context import AppContext
from core.errors import AccountAlreadyBound, SecureStorageError
from core.sandbox.xero_config import demo_xero_settings
from core.services.auth.xero_oauth import TokenSet
from core.store.db import app_database_files, close_database
from core.store.models import Connection, Setting
from core.store.paths import AppPaths
from core.store.secrets import (
    XERO_SIGNIN_KEY,
    TokenStore,
    pair_qbtime_key,
    pair_xero_key,
    qbtime_token_key,
)

FIXTURE_V2 = Path(__file__).resolve().parents[1] / "fixtures" / "db_v2.sql"
#: the keyring entries a user of the previous version has for the fixture's two pairs
V2_SECRETS = {
    "xero:7a1e5c90-2f34-4c4b-8e0e-5d6f7a8b9c0d": '{"refresh_token": "au-refresh"}',
    "qbtime:demo-company-au": "S.1__au-key",
    "xero:1b2c3d4e-5f60-4718-89ab-cdef01234567": '{"refresh_token": "nz-refresh"}',
    "qbtime:kiwi-plumbing": "S.1__nz-key",
}


@pytest.fixture
def ctx(memory_keyring):
    made = AppContext(
        AppPaths.default().ensure(),
        TokenStore(memory_keyring, trust_backend=True),
        demo_xero_settings("http://127.0.0.1:9"),
    )
    yield made
    made.close()
    close_database()


def _entries(ctx) -> set[str]:
    return _entries_of(ctx.tokens)


def _entries_of(tokens) -> set[str]:
    return {user for (_service, user) in tokens.backend.store}


def _tokens(refresh: str) -> TokenSet:
    return TokenSet("access-" + refresh, refresh, 4_000_000_000.0, "openid offline_access")


def _company(n: int) -> QBTimeCompany:
    return QBTimeCompany(f"company-{n}", f"Company {n}", n, qbtime_token_key(f"company-{n}"))


def _org(n: int) -> dict:
    return {"tenant_id": f"tenant-{n}", "tenant_name": f"Org {n}", "country_code": "AU"}


def _connect(ctx, n: int) -> Connection:
    """What the wizard does for one business: check a key, sign in, bind."""
    company = _company(n)
    ctx.tokens.set(company.token_key, f"S.1__key-{n}")
    keep_sign_in(ctx, _tokens(f"refresh-{n}"))
    return bind(ctx, _org(n), company)


def test_pair_key_names_hold_the_pair_id_and_the_database_mark():
    assert pair_xero_key(7, "ab12") == "xero:pair-7@ab12"
    assert pair_qbtime_key(7, "ab12") == "qbtime:pair-7@ab12"
    assert pair_xero_key(7, "ab12") != pair_xero_key(8, "ab12") != pair_xero_key(8, "cd34")
    assert pair_qbtime_key(7, "ab12") != pair_xero_key(7, "ab12")


def test_two_copies_of_the_data_on_one_computer_never_share_a_pair_entry(
    memory_keyring, tmp_path, monkeypatch
):
    """Pair ids start at 1 in every database, and the keyring is the computer's: a portable
    install beside the usual one named its pair 1's
    entries as the other did, and used, and rotated, the other's Xero refresh token (the next
    command of the other then found its sign-in refused: "sign in again")."""
    store = TokenStore(memory_keyring, trust_backend=True)
    refresh = {}
    for copy in ("usual", "portable"):
        monkeypatch.setenv("XQB_HOME", str(tmp_path / copy))
        ctx = AppContext(
            AppPaths.default().ensure(), store, demo_xero_settings("http://127.0.0.1:9")
        )
        ctx.open_db()
        conn = _connect(ctx, 1)
        assert conn.id == 1  # the same id in both databases
        refresh[copy] = (conn.xero_grant_key, conn.qbtime_token_key)
        ctx.close()
        close_database()
    assert refresh["usual"][0] != refresh["portable"][0]
    assert refresh["usual"][1] != refresh["portable"][1]
    assert len(_entries_of(store)) == 4
    # the usual copy, opened again, still finds its own sign-in
    monkeypatch.setenv("XQB_HOME", str(tmp_path / "usual"))
    ctx = AppContext(AppPaths.default().ensure(), store, demo_xero_settings("http://127.0.0.1:9"))
    ctx.open_db()
    try:
        conn = Connection.get_by_id(1)
        assert (conn.xero_grant_key, conn.qbtime_token_key) == refresh["usual"]
        assert ctx.xero_tokens_for(conn).token_set().refresh_token == "refresh-1"
    finally:
        ctx.close()
        close_database()


def test_a_pair_named_before_the_database_mark_moves_to_its_marked_names(ctx):
    ctx.open_db()
    conn = _connect(ctx, 1)
    own = (conn.xero_grant_key, conn.qbtime_token_key)
    # as the previous version named them
    for old, new in zip(("xero:pair-1", "qbtime:pair-1"), own, strict=True):
        ctx.tokens.set(old, ctx.tokens.get(new))
        ctx.tokens.delete(new)
    Connection.update(xero_grant_key="xero:pair-1", qbtime_token_key="qbtime:pair-1").execute()
    assert adopt_pair_secrets(ctx) == 1
    conn = Connection.get_by_id(conn.id)
    assert (conn.xero_grant_key, conn.qbtime_token_key) == own
    assert _entries(ctx) == set(own)
    assert ctx.xero_tokens_for(conn).token_set().refresh_token == "refresh-1"
    assert ctx.qbtime_token_for(conn) == "S.1__key-1"


def test_previous_schema_pairs_keep_their_secrets_under_their_own_keys(ctx):
    """A database of the previous schema (v2, two pairs, keys named by grant and company):
    opening it migrates the schema, then each pair's entries move to keys named by it."""
    db_file = app_database_files(ctx.paths)[0]
    db_file.parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(db_file)
    raw.executescript(FIXTURE_V2.read_text(encoding="utf-8"))
    raw.close()
    for key, value in V2_SECRETS.items():
        ctx.tokens.set(key, value)
    ctx.open_db()
    au, nz = Connection.get_by_id(1), Connection.get_by_id(2)
    assert (au.xero_grant_key, au.qbtime_token_key) == pair_keys(au)
    assert (nz.xero_grant_key, nz.qbtime_token_key) == pair_keys(nz)
    assert pair_keys(au)[0].startswith("xero:pair-1@") and pair_keys(nz)[1].startswith(
        "qbtime:pair-2@"
    )
    assert ctx.qbtime_token_for(au) == "S.1__au-key" and ctx.qbtime_token_for(nz) == "S.1__nz-key"
    assert json.loads(ctx.tokens.get(pair_keys(nz)[0]))["refresh_token"] == "nz-refresh"
    assert _entries(ctx) == {*pair_keys(au), *pair_keys(nz)}
    assert adopt_pair_secrets(ctx) == 0  # done once: nothing left to move


def test_a_locked_keyring_postpones_the_move_and_loses_nothing(ctx, monkeypatch):
    ctx.open_db()
    ctx.tokens.set(XERO_SIGNIN_KEY, '{"refresh_token": "old"}')
    ctx.tokens.set("qbtime:acme", "S.1__acme")
    conn = Connection.create(
        xero_tenant_id="t-1",
        xero_tenant_name="Acme",
        qbtime_company_id="acme",
        xero_grant_key=XERO_SIGNIN_KEY,
        qbtime_token_key="qbtime:acme",
    )
    real_set = ctx.tokens.set

    def locked(key, value):
        raise SecureStorageError(detail="locked")

    monkeypatch.setattr(ctx.tokens, "set", locked)
    ctx._adopt_pair_secrets()  # what open_db does: a locked keyring is no failure
    conn = Connection.get_by_id(conn.id)
    assert conn.qbtime_token_key == "qbtime:acme" and ctx.qbtime_token_for(conn) == "S.1__acme"
    assert _entries(ctx) == {XERO_SIGNIN_KEY, "qbtime:acme"}

    # Unlocked: a crash after the first copy is only a copy more; running again finishes.
    monkeypatch.setattr(ctx.tokens, "set", real_set)
    ctx.tokens.set(pair_keys(conn)[1], "S.1__acme")
    assert adopt_pair_secrets(ctx) == 1
    conn = Connection.get_by_id(conn.id)
    assert ctx.qbtime_token_for(conn) == "S.1__acme"
    assert ctx.xero_tokens_for(conn).key == pair_keys(conn)[0]
    assert _entries(ctx) == {pair_keys(conn)[0], pair_keys(conn)[1]}


def test_binding_moves_the_sign_in_and_the_key_to_the_new_pair(ctx):
    ctx.open_db()
    first = _connect(ctx, 1)
    second = _connect(ctx, 2)
    assert first.id != second.id
    assert _entries(ctx) == {
        pair_keys(first)[0],
        pair_keys(first)[1],
        pair_keys(second)[0],
        pair_keys(second)[1],
    }
    assert ctx.xero_tokens_for(first).token_set().refresh_token == "refresh-1"
    assert ctx.xero_tokens_for(second).token_set().refresh_token == "refresh-2"
    assert ctx.qbtime_token_for(second) == "S.1__key-2"
    assert ctx.xero_tokens().status() == "absent"  # nothing waits to be bound
    # An organisation's client signs in with its own pair's sign-in.
    assert ctx.xero_key_for_tenant("tenant-2") == pair_keys(second)[0]
    assert ctx.xero_key_for_tenant("tenant-9") == XERO_SIGNIN_KEY


def test_one_pair_per_organisation_and_per_company_still_holds(ctx):
    ctx.open_db()
    first = _connect(ctx, 1)
    third = _company(3)
    ctx.tokens.set(third.token_key, "S.1__key-3")
    keep_sign_in(ctx, _tokens("refresh-3"))
    with pytest.raises(AccountAlreadyBound):
        bind(ctx, _org(1), third)  # organisation 1 is already with company 1
    with pytest.raises(AccountAlreadyBound):
        bind(ctx, _org(3), _company(1))  # company 1 is already with organisation 1
    # Refused: nothing moved, the first pair's entries are untouched.
    assert ctx.tokens.get(third.token_key) == "S.1__key-3"
    assert ctx.xero_tokens().token_set().refresh_token == "refresh-3"
    assert ctx.qbtime_token_for(Connection.get_by_id(first.id)) == "S.1__key-1"
    assert [c.id for c in Connection.select()] == [first.id]


def test_signing_in_again_replaces_that_pair_only(ctx):
    ctx.open_db()
    first, second = _connect(ctx, 1), _connect(ctx, 2)
    key = keep_sign_in(ctx, _tokens("refresh-again"), second.id)
    assert key == pair_keys(second)[0]
    assert ctx.xero_tokens_for(second).token_set().refresh_token == "refresh-again"
    assert ctx.xero_tokens_for(first).token_set().refresh_token == "refresh-1"
    assert ctx.xero_tokens().status() == "absent"


def test_disconnecting_one_pair_forgets_its_entries_and_never_revokes_the_grant(ctx, monkeypatch):
    ctx.open_db()
    first, second = _connect(ctx, 1), _connect(ctx, 2)
    monkeypatch.setattr(
        type(ctx.xero_tokens()), "revoke", lambda self: pytest.fail("the grant was revoked")
    )
    assert disconnect(ctx, Connection.get_by_id(second.id)) == []
    assert Connection.get_by_id(second.id).status == "disconnected"
    assert _entries(ctx) == {pair_keys(first)[0], pair_keys(first)[1]}


def test_the_app_opens_on_the_business_shown_last(ctx):
    ctx.open_db()
    assert current_connection() is None
    first = _connect(ctx, 1)
    second = _connect(ctx, 2)
    assert current_connection().id == second.id  # the one just connected
    remember_current(first.id)  # chosen on the home page
    assert current_connection().id == first.id
    disconnect(ctx, Connection.get_by_id(first.id), revoke_xero=False)
    assert current_connection().id == second.id  # the one shown last is gone
    Setting.delete().execute()
    assert current_connection().id == second.id  # nothing remembered: the oldest left


def test_business_states_list_every_pair(ctx):
    ctx.open_db()
    first, second = _connect(ctx, 1), _connect(ctx, 2)
    states = business_states()
    assert [(s.connection_id, s.organisation, s.company) for s in states] == [
        (first.id, "Org 1", "Company 1"),
        (second.id, "Org 2", "Company 2"),
    ]
    # Nothing read from Xero yet: how many records wait is not known (not "none").
    assert all(not s.read and s.waiting is None and s.last_status == "" for s in states)
    assert decisions_waiting_by_business() == {first.id: None, second.id: None}
    assert decisions_waiting(first) is None
    assert qbtime_address(first) == "https://company-1.tsheets.com/"
    numeric = SimpleNamespace(qbtime_company_id="12345")
    assert qbtime_address(numeric) == "https://tsheets.intuit.com/"


def test_the_demo_company_offers_the_key_of_an_account_no_business_uses(ctx):
    ctx.open_db()
    ctx.sandbox = SimpleNamespace(qbtime_token="S.1__a", qbtime_tokens=["S.1__a", "S.2__b"])
    try:
        assert demo_qbtime_key(ctx) == "S.1__a"
        ctx.tokens.set(qbtime_token_key("company-1"), "S.1__a")
        keep_sign_in(ctx, _tokens("r"))
        bind(ctx, _org(1), _company(1))
        assert demo_qbtime_key(ctx) == "S.2__b"
    finally:
        ctx.sandbox = None


def test_a_backup_from_before_the_mark_put_back_finds_its_pairs_entries(ctx):
    """The day's backup is made before the entries move to their marked names: put back, it
    has the old names and no mark. The mark comes from where the database is, so the same
    place gives the same one, and the move finds the entries under it (a random mark made
    the backup's pairs sign in again, their secrets left orphaned)."""
    ctx.open_db()
    conn = _connect(ctx, 1)
    own = (conn.xero_grant_key, conn.qbtime_token_key)
    # the copy put back: the previous version's names, no mark in it
    Connection.update(xero_grant_key="xero:pair-1", qbtime_token_key="qbtime:pair-1").execute()
    Setting.delete().where(Setting.key == "keyring_scope").execute()
    adopt_pair_secrets(ctx)
    conn = Connection.get_by_id(conn.id)
    assert (conn.xero_grant_key, conn.qbtime_token_key) == own
    assert ctx.xero_tokens_for(conn).token_set().refresh_token == "refresh-1"
    assert ctx.qbtime_token_for(conn) == "S.1__key-1"
    assert _entries(ctx) == set(own)
