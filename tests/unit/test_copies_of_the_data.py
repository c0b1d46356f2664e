"""Two copies of the app's data on one computer (a portable install beside the usual one):
a copy at another place gets a keyring mark of its own and signs in again there, never using
or removing the other copy's entries; a data folder moved keeps its sign-ins (its entries
follow it); a backup put back at the same place finds its entries."""

from __future__ import annotations

import json
import os
import shutil

import pytest

import main
from core.app.connections import (
    QBTimeCompany,
    bind,
    copied_from,
    disconnect,
    keep_sign_in,
    pair_keys,
)
from core.app.context import AppContext
from core.sandbox.xero_config import demo_xero_settings
from core.services.auth.xero_oauth import TokenSet
from core.store.db import app_database_files, close_database
from core.store.models import Connection
from core.store.paths import AppPaths
from core.store.secrets import TokenStore, qbtime_token_key


@pytest.fixture
def store(memory_keyring):
    return TokenStore(memory_keyring, trust_backend=True)


def _open(store, home, monkeypatch) -> AppContext:
    monkeypatch.setenv("XQB_HOME", str(home))
    ctx = AppContext(AppPaths.default().ensure(), store, demo_xero_settings("http://127.0.0.1:9"))
    ctx.open_db()
    return ctx


def _close(ctx) -> None:
    ctx.close()
    close_database()


def _connect(ctx) -> Connection:
    company = QBTimeCompany("company-1", "Company 1", 1, qbtime_token_key("company-1"))
    ctx.tokens.set(company.token_key, "S.1__key-of-the-usual-copy")
    keep_sign_in(ctx, TokenSet("access", "refresh-usual", 4_000_000_000.0, "offline_access"))
    return bind(ctx, {"tenant_id": "t-1", "tenant_name": "Org 1", "country_code": "AU"}, company)


def _entries(store) -> set[str]:
    return {user for (_service, user) in store.backend.store}


def _usual(store, tmp_path, monkeypatch) -> tuple[str, str]:
    ctx = _open(store, tmp_path / "usual", monkeypatch)
    try:
        conn = _connect(ctx)
        return conn.xero_grant_key, conn.qbtime_token_key
    finally:
        _close(ctx)


def _signed_in(ctx) -> tuple[str | None, str | None]:
    conn = Connection.get_by_id(1)
    grant = ctx.tokens.get(conn.xero_grant_key)
    return (json.loads(grant)["refresh_token"] if grant else None), ctx.tokens.get(
        conn.qbtime_token_key
    )


def test_a_copy_elsewhere_signs_in_again_and_never_touches_the_other_copys_entries(
    store, tmp_path, monkeypatch
):
    usual_keys = _usual(store, tmp_path, monkeypatch)
    shutil.copytree(tmp_path / "usual", tmp_path / "portable")  # the folder copied as it is

    ctx = _open(store, tmp_path / "portable", monkeypatch)
    try:
        conn = Connection.get_by_id(1)
        own = (conn.xero_grant_key, conn.qbtime_token_key)
        assert own == pair_keys(conn)
        assert not set(own) & set(usual_keys)  # (the copy named the usual copy's entries)
        assert _signed_in(ctx) == (None, None)  # signs in again here
        usual_db = app_database_files(AppPaths.default())[0]
        assert copied_from() == os.path.realpath(str(usual_db).replace("portable", "usual"))
        # disconnecting the copy's business removes nothing of the usual copy's
        disconnect(ctx, conn, revoke_xero=False)
    finally:
        _close(ctx)
    assert set(usual_keys) <= _entries(store)

    ctx = _open(store, tmp_path / "usual", monkeypatch)
    try:
        conn = Connection.get_by_id(1)
        assert (conn.xero_grant_key, conn.qbtime_token_key) == usual_keys
        assert _signed_in(ctx) == ("refresh-usual", "S.1__key-of-the-usual-copy")
        assert copied_from() is None
    finally:
        _close(ctx)


def test_status_in_a_copy_not_opened_yet_says_it_signs_in_again_there(
    store, tmp_path, monkeypatch, capsys
):
    """`status` only reads (no mark written): it must not show the other copy's sign-ins
    as this copy's."""
    _usual(store, tmp_path, monkeypatch)
    shutil.copytree(tmp_path / "usual", tmp_path / "portable")
    monkeypatch.setenv("XQB_HOME", str(tmp_path / "portable"))
    monkeypatch.setenv("XQB_XERO_CLIENT_ID", "client-id-of-the-app")
    capsys.readouterr()
    assert main.main(["status", "--json"], tokens=store) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    [row] = out["connections"]
    assert (row["xero_sign_in"], row["qbtime_access_key"]) == ("absent", "missing")
    assert "usual" in out["copy_of_other_data"]["copied_from"]
    assert "Sign in again here" in out["copy_of_other_data"]["message"]


def test_a_data_folder_moved_keeps_its_sign_ins_under_the_new_places_mark(
    store, tmp_path, monkeypatch
):
    usual_keys = _usual(store, tmp_path, monkeypatch)
    os.rename(tmp_path / "usual", tmp_path / "moved")  # the same file, by another name

    ctx = _open(store, tmp_path / "moved", monkeypatch)
    try:
        conn = Connection.get_by_id(1)
        keys = (conn.xero_grant_key, conn.qbtime_token_key)
        assert keys == pair_keys(conn) and keys != usual_keys
        assert _signed_in(ctx) == ("refresh-usual", "S.1__key-of-the-usual-copy")
        assert copied_from() is None
    finally:
        _close(ctx)
    # renamed: nothing left under the old place's mark for a new database made there
    assert _entries(store) == set(keys)


def test_a_backup_put_back_at_the_same_place_finds_its_entries(store, tmp_path, monkeypatch):
    usual_keys = _usual(store, tmp_path, monkeypatch)
    db_file = app_database_files(AppPaths.default())[0]
    saved = tmp_path / "saved.sqlite3"
    shutil.copy2(db_file, saved)
    db_file.unlink()
    shutil.copy2(saved, db_file)  # put back: another file at the same place

    ctx = _open(store, tmp_path / "usual", monkeypatch)
    try:
        conn = Connection.get_by_id(1)
        assert (conn.xero_grant_key, conn.qbtime_token_key) == usual_keys
        assert _signed_in(ctx) == ("refresh-usual", "S.1__key-of-the-usual-copy")
        assert copied_from() is None
    finally:
        _close(ctx)
