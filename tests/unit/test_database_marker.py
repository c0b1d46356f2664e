"""The page the window opens on before the database is open (issue 16): the marker beside the
database says whether a business was connected when the app last opened or closed it
(core.store.dbfiles.was_connected), read without peewee."""

from __future__ import annotations

import json

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
from core.app.connections import disconnect
from core.app.context import AppContext
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.auth.xero_oauth import demo_consent_opener
from core.store.db import close_database
from core.store.dbfiles import app_database_files, was_connected
from core.store.paths import AppPaths
from core.store.secrets import TokenStore


def _marker(paths: AppPaths, **fields: object) -> None:
    path, _backups, marker = app_database_files(paths)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"path": str(path.resolve()), **fields}), encoding="utf-8")


def test_the_marker_says_whether_a_business_is_connected(tmp_path):
    paths = AppPaths.default().ensure()
    assert not was_connected(paths)  # no marker: a first run
    _marker(paths, connections=2, runs=5, stat=None, active=1)
    assert was_connected(paths)
    _marker(paths, connections=2, runs=5, stat=None, active=0)  # every one disconnected
    assert not was_connected(paths)
    _marker(paths, connections=1, runs=0, stat=None)  # an older app's marker
    assert was_connected(paths)
    _marker(paths, connections=0, runs=0, stat=None)
    assert not was_connected(paths)
    _path, _backups, marker = app_database_files(paths)
    marker.write_text(json.dumps({"path": str(tmp_path / "other"), "active": 1}))
    assert not was_connected(paths)  # another database's marker: not ours to judge


def test_opening_and_closing_the_database_keep_the_marker_true(tmp_path, memory_keyring):
    """Written at each open and clean close: connected, then disconnected (the history, and
    so the connection's row, kept: only the businesses still connected count)."""
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "demo-state")
    au = next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"].endswith("Australia"))
    paths = AppPaths.default().ensure()
    ctx = AppContext.create(
        demo=True,
        paths=paths,
        tokens=TokenStore(memory_keyring, trust_backend=True),
        opener=demo_consent_opener([au]),
        sandbox=box,
    )
    try:
        ctx.open_db()
        assert not was_connected(paths)
        out = Output(as_json=True, stream=open("/dev/null", "w"))
        assert cmd_connect_qbtime(ctx, out, box.qbtime_token) == 0
        assert cmd_connect_xero(ctx, out, None, None) == 0
        close_database()  # the app closed cleanly
        assert was_connected(paths)
        ctx.open_db()
        assert was_connected(paths)
        conn = pick_connection(None)
        assert conn is not None
        disconnect(ctx, conn)
        ctx.open_db()  # the next start: none connected, though the database holds its row
        assert not was_connected(paths)
    finally:
        ctx.close()
