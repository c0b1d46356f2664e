"""Xero refused the stored sign-in (the app disconnected in Xero, or the refresh token gone):
`sync` says to sign in again, and signing in again (connect-xero) repairs the business. Before,
connect-xero read the organisation with the business's own, refused, sign-in and failed the
same way every time: nothing could repair it."""

from __future__ import annotations

import io

import pytest

from core.app.cli import Output, cmd_connect_xero, pick_connection
from core.app.sync import sync
from core.errors import ReauthorizationRequired
from core.sandbox.xero_identity import STATE_KEY


def _revoke_everything(ctx) -> None:
    """What Xero holds after the user disconnects the app: no grant, no refresh token, and
    the access tokens refused."""
    state = ctx.sandbox.store.private[STATE_KEY]
    for grant in state["grants"].values():
        grant["revoked_at"] = ctx.sandbox.clock.now()
    state["refresh_tokens"] = {}
    ctx.sandbox.store.save()


def test_signing_in_again_repairs_a_business_whose_sign_in_xero_refused(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    _revoke_everything(ctx)
    with pytest.raises(ReauthorizationRequired):
        sync(ctx, pick_connection(None))

    said = io.StringIO()
    assert cmd_connect_xero(ctx, Output(stream=said), None, None) == 0, said.getvalue()

    again = pick_connection(None)
    assert again.id == conn.id  # the same business, its history kept
    assert sync(ctx, again).plan.is_empty  # signed in: reads Xero, nothing new to write
