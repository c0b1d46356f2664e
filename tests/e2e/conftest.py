"""Fixtures for end-to-end runs against the Demo Company, in-process."""

from __future__ import annotations

import pytest

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
from core.app.context import AppContext
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.auth.xero_oauth import demo_consent_opener
from core.store.paths import AppPaths
from core.store.secrets import TokenStore
from tests.virtual_time import VirtualClock, use_virtual_clock

ORGS = {"AU": "Maison Verdure Australia", "UK": "Maison Verdure UK", "CA": "Maison Verdure Québec"}


@pytest.fixture
def demo_ctx(tmp_path, memory_keyring):
    """A factory: an AppContext over a fresh Demo Company, connected to one organisation."""
    made = []

    def make(org: str = "AU", *, sandbox_kwargs=None, data_file=DEMO_COMPANY_FILE):
        paths = AppPaths.default().ensure()
        kwargs = dict(sandbox_kwargs or {})
        assert "clock" not in kwargs, "the app and the simulators share the fixture's clock"
        clock = VirtualClock()
        box = Sandbox.open(data_file, tmp_path / f"state-{org}", clock=clock, **kwargs)
        tenant = next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"] == ORGS[org])
        ctx = AppContext.create(
            demo=True,
            paths=paths,
            tokens=TokenStore(memory_keyring, trust_backend=True),
            opener=demo_consent_opener([tenant]),
            sandbox=box,
        )
        # Waits (rate limits, back-offs) pass at once and move the one clock the app and
        # the simulators read: their limits are honoured in virtual time (ctx.vtime).
        use_virtual_clock(ctx, clock)
        ctx.open_db()
        out = Output(as_json=True, stream=open("/dev/null", "w"))
        cmd_connect_qbtime(ctx, out, box.qbtime_token)
        cmd_connect_xero(ctx, out, None, None)
        conn = pick_connection(None)
        assert conn is not None and conn.xero_tenant_name == ORGS[org]
        made.append(ctx)
        return ctx, conn

    yield make
    for ctx in made:
        ctx.close()
