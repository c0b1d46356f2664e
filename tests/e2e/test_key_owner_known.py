"""The key's owner as connecting learned it (issue 16): the first fetch does not ask
QuickBooks Time ``GET /current_user`` again for the key just checked; a key that is not the
one checked for that owner is asked about, as before."""

from __future__ import annotations

import pytest

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
from core.app.connections import pending_qbtime
from core.app.context import AppContext
from core.app.sync import sync
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.auth.xero_oauth import demo_consent_opener
from core.services.fetch import key_owner_id
from core.services.qbtime.client import QBTimeClient
from core.store.models import Setting
from core.store.paths import AppPaths
from core.store.secrets import TokenStore
from tests.virtual_time import VirtualClock, use_virtual_clock

QUIET = Output(as_json=True, stream=open("/dev/null", "w"))


@pytest.fixture
def counted(tmp_path, memory_keyring, monkeypatch):
    """A fresh Demo Company (AU) context, every ``GET /current_user`` counted."""
    calls: list[int] = []
    original = QBTimeClient.current_user

    def current_user(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(QBTimeClient, "current_user", current_user)
    clock = VirtualClock()  # the app's and the simulators': waits pass at once
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state", clock=clock)
    tenant = next(
        o["tenantId"] for o in box.store.xero_orgs if o["tenantName"] == "Maison Verdure Australia"
    )
    ctx = AppContext.create(
        demo=True,
        paths=AppPaths.default().ensure(),
        tokens=TokenStore(memory_keyring, trust_backend=True),
        opener=demo_consent_opener([tenant]),
        sandbox=box,
    )
    use_virtual_clock(ctx, clock)
    ctx.open_db()
    yield ctx, box, calls
    ctx.close()


def _owner_setting(conn):
    return Setting.get_value(f"qbtime_key_owner:{conn.xero_tenant_id}")


def test_the_first_fetch_does_not_ask_the_owner_of_the_key_just_checked(counted):
    ctx, box, calls = counted
    assert cmd_connect_qbtime(ctx, QUIET, box.qbtime_token) == 0
    assert len(calls) == 1  # checking the key
    assert cmd_connect_xero(ctx, QUIET, None, None) == 0
    conn = pick_connection(None)
    owner = box.store.qbtime["current_user_id"]
    assert conn.qbtime_user_id == owner and key_owner_id(conn) == owner
    sync(ctx, conn)
    assert len(calls) == 1, "the first fetch asked QuickBooks Time who owns the key again"
    sync(ctx, conn)
    assert len(calls) == 1


def test_a_key_other_than_the_one_checked_is_asked_about(counted):
    """The keyring's key changed between the check and the binding (another key of the same
    account under the same entry): its owner is not taken from the check; the first fetch
    asks QuickBooks Time, and the owner is the new key's."""
    ctx, box, calls = counted
    assert cmd_connect_qbtime(ctx, QUIET, box.qbtime_token) == 0
    key = pending_qbtime().token_key
    other = "S.9__" + "cd" * 20
    box.store.qbtime["token"] = other  # QuickBooks Time: the account's key is now this one
    ctx.tokens.set(key, other)
    assert cmd_connect_xero(ctx, QUIET, None, None) == 0
    conn = pick_connection(None)
    assert _owner_setting(conn) is None  # nothing recorded for a key not checked
    new_owner = next(u for u in box.store.qbtime["users"] if u["id"] != conn.qbtime_user_id)
    box.store.qbtime["current_user_id"] = new_owner["id"]
    new_owner["permissions"]["admin"] = True  # (a key that may import: QB Time checks it)
    before = len(calls)
    sync(ctx, conn)
    assert len(calls) == before + 1
    assert key_owner_id(conn) == box.store.qbtime["current_user_id"]
