"""The two connections and the rule that binds them: one Xero organisation ↔ one QuickBooks Time company.

The wizard's order is QuickBooks Time first (the access key is checked and kept in the
keyring as a *pending* company), then Xero sign-in, then the organisation: :func:`bind`
joins them into one :class:`~core.store.models.Connection`, refusing a second partner on either
side. Disconnecting is deliberate and leaves the import history in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import AccountAlreadyBound, BridgeError, QBTimeTokenInvalid
from core.store.models import (
    Connection,
    Setting,
    db,
)
from core.store.secrets import qbtime_token_key

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.services.qbtime.client import CurrentUser

log = logging.getLogger(__name__)

PENDING_QBTIME = "pending_qbtime_company"


@dataclass(frozen=True)
class QBTimeCompany:
    company_id: str
    company_name: str
    user_id: int
    token_key: str


def company_id_of(user: CurrentUser) -> str:
    """QuickBooks Time has no company id in /current_user: its client_url names the account."""
    return (getattr(user, "client_url", "") or getattr(user, "company_name", "")).strip().lower()


def connect_qbtime(ctx: AppContext, token: str) -> QBTimeCompany:
    """Check a pasted access key and keep it; the company becomes the pending one to bind.

    Raises QBTimeTokenInvalid, QBTimePermissionMissing, NetworkError… (all with user messages).
    """
    token = token.strip()
    if not token or any(ch.isspace() for ch in token):
        raise QBTimeTokenInvalid(detail="empty or malformed key")
    user = ctx.qbtime_client(token).validate_token()
    company_id = company_id_of(user)
    company = QBTimeCompany(
        company_id, user.company_name, int(user.id), qbtime_token_key(company_id)
    )
    ctx.tokens.set(company.token_key, token)
    Setting.set_value(
        PENDING_QBTIME,
        {
            "company_id": company.company_id,
            "company_name": company.company_name,
            "user_id": company.user_id,
            "token_key": company.token_key,
        },
    )
    log.info("QuickBooks Time company %r checked and kept", company.company_name)
    return company


def pending_qbtime() -> QBTimeCompany | None:
    data = Setting.get_value(PENDING_QBTIME)
    if not data:
        return None
    return QBTimeCompany(
        data["company_id"], data["company_name"], int(data["user_id"]), data["token_key"]
    )


def active_connections() -> list[Connection]:
    return list(
        Connection.select()
        .where(Connection.status != "disconnected")
        .order_by(Connection.created_at)
    )


def connection_for_tenant(tenant_id: str) -> Connection | None:
    return Connection.get_or_none(Connection.xero_tenant_id == tenant_id)


def bind(ctx: AppContext, organisation: dict[str, Any], company: QBTimeCompany) -> Connection:
    """Join a Xero organisation and a QuickBooks Time company into one connection.

    ``organisation``: tenant_id, tenant_name, country_code, version. Refuses when either side
    is already bound to another partner (AccountAlreadyBound, with the way out in its message).
    """
    tenant_id = organisation["tenant_id"]
    pair = (tenant_id, company.company_id)
    with db.atomic():
        by_tenant = connection_for_tenant(tenant_id)
        by_company = Connection.get_or_none(Connection.qbtime_company_id == company.company_id)
        for existing in (by_tenant, by_company):
            if (
                existing is not None
                and existing.status != "disconnected"
                and (existing.xero_tenant_id, existing.qbtime_company_id) != pair
            ):
                raise AccountAlreadyBound(
                    organisation=existing.xero_tenant_name, company=existing.qbtime_company_name
                )
        conn = None
        for existing in (by_tenant, by_company):
            if existing is None:
                continue
            if (existing.xero_tenant_id, existing.qbtime_company_id) == pair:
                conn = existing  # the same pair again: its history continues
            else:
                # A disconnected pairing with another partner: it keeps its history under
                # its own names, and gives up its keys so this new pairing can take them.
                existing.xero_tenant_id = f"released:{existing.id}:{existing.xero_tenant_id}"
                existing.qbtime_company_id = f"released:{existing.id}:{existing.qbtime_company_id}"
                existing.save()
        if conn is None:
            conn = Connection(xero_tenant_id=tenant_id)
        conn.xero_tenant_name = organisation.get("tenant_name", "")
        conn.xero_country_code = organisation.get("country_code", "")
        conn.xero_version = organisation.get("version", "")
        conn.xero_grant_key = "xero:signin"
        conn.qbtime_company_id = company.company_id
        conn.qbtime_company_name = company.company_name
        conn.qbtime_user_id = company.user_id
        conn.qbtime_token_key = company.token_key
        conn.status = "active"
        conn.save()
        Setting.delete().where(Setting.key == PENDING_QBTIME).execute()
    log.info(
        "Bound Xero organisation %r to QuickBooks Time company %r",
        conn.xero_tenant_name,
        conn.qbtime_company_name,
    )
    return conn


def disconnect(ctx: AppContext, conn: Connection, *, revoke_xero: bool = True) -> list[str]:
    """Forget both sign-ins of this connection; keep its import history. Returns problems.

    The Xero sign-in is revoked only when no other active connection still uses it.
    """
    problems: list[str] = []
    others = [c for c in active_connections() if c.id != conn.id]
    if revoke_xero and not others:
        try:
            ctx.xero_tokens().revoke()
        except BridgeError as exc:
            problems.append(exc.user_message())
    if conn.qbtime_token_key:
        try:
            ctx.tokens.delete(conn.qbtime_token_key)
        except BridgeError as exc:
            problems.append(exc.user_message())
    conn.status = "disconnected"
    conn.save()
    log.info("Disconnected %r", conn.xero_tenant_name)
    return problems
