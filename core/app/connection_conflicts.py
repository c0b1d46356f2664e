"""Which existing connections stand in the way of a new one, and how the wizard clears them.

Several businesses (pairs) may be connected side by side; the rule itself (one Xero
organisation ↔ one QuickBooks Time company, each in one pair only) lives in
:func:`core.app.connections.bind`; these helpers only answer the wizard's questions *before* and
*after* it refuses, so that pages can name the connection to disconnect (the way out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.app.connections import QBTimeCompany, active_connections, disconnect

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.store.models import Connection


def blocking_connections(tenant_id: str, company_id: str) -> list[Connection]:
    """Active connections that make ``bind(tenant_id, company_id)`` refuse.

    Those holding the organisation with another company, or the company with another
    organisation (the same pair is not a conflict: binding it again just refreshes it).
    """
    return [
        c
        for c in active_connections()
        if (c.xero_tenant_id == tenant_id) != (c.qbtime_company_id == company_id)
    ]


def disconnect_to_make_room(
    ctx: AppContext, conn: Connection, keep: QBTimeCompany | None = None
) -> list[str]:
    """Disconnect ``conn`` in the middle of connecting something else. Returns problems.

    Unlike a plain disconnect, the Xero sign-in is kept (the wizard is using it), and when
    ``conn`` used the same QuickBooks Time company as ``keep`` (the key just checked), that
    key stays in the keyring: :func:`disconnect` would otherwise forget the very key the new
    connection is about to use.
    """
    saved = None
    if keep is not None and conn.qbtime_token_key == keep.token_key:
        saved = ctx.tokens.get(keep.token_key)
    problems = disconnect(ctx, conn, revoke_xero=False)
    if saved:
        ctx.tokens.set(keep.token_key, saved)  # type: ignore[union-attr]
    return problems
