"""The two connections and the rule that binds them: one Xero organisation ↔ one QuickBooks Time company.

The wizard's order is QuickBooks Time first (the access key is checked and kept in the
keyring as a *pending* company), then Xero sign-in, then the organisation: :func:`bind`
joins them into one :class:`~core.store.models.Connection`, refusing a second partner on either
side. Disconnecting is deliberate and leaves the import history in place.

Several businesses (a bookkeeper's clients) live side by side: each pair is one
``Connection``, and its secrets sit in keyring entries of its own, named by the pair's id
(``core.store.secrets.pair_xero_key`` / ``pair_qbtime_key``). The sign-in and the key checked
while connecting wait under the shared "in progress" keys until :func:`bind` moves them to the
new pair; :func:`adopt_pair_secrets` moves the entries of a pair made before that rule.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from core.errors import AccountAlreadyBound, BridgeError, QBTimeKeyMissing, QBTimeTokenInvalid
from core.store.models import (
    Connection,
    Setting,
    db,
)
from core.store.secrets import XERO_SIGNIN_KEY, pair_qbtime_key, pair_xero_key, qbtime_token_key

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.services.qbtime.client import CurrentUser

log = logging.getLogger(__name__)

PENDING_QBTIME = "pending_qbtime_company"
#: the id of the business (pair) the app shows: the one chosen last on the home page, or the
#: one just connected (core.app.businesses.current_connection)
CURRENT_SETTING = "current_connection"


@dataclass(frozen=True)
class QBTimeCompany:
    company_id: str
    company_name: str
    user_id: int
    token_key: str
    #: the business already connected to this QuickBooks Time account, which now uses the
    #: key just checked (a key replaced after QuickBooks Time refused the old one); "" if none
    renewed_for: str = ""


def company_id_of(user: CurrentUser) -> str:
    """QuickBooks Time has no company id in /current_user: its client_url names the account."""
    return (getattr(user, "client_url", "") or getattr(user, "company_name", "")).strip().lower()


def connect_qbtime(ctx: AppContext, token: str) -> QBTimeCompany:
    """Check a pasted access key and keep it; the company becomes the pending one to bind.

    Raises QBTimeTokenInvalid, QBTimePermissionMissing, NetworkError… (all with user messages).
    """
    # A key copied from a web page or saved by a text editor can carry invisible marks (a
    # byte-order mark, a zero-width space): not part of any key, dropped.
    token = "".join(ch for ch in token if unicodedata.category(ch) != "Cf").strip()
    if not token:
        raise QBTimeKeyMissing()
    if any(ch.isspace() for ch in token) or not token.isascii() or not token.isprintable():
        raise QBTimeTokenInvalid(detail="malformed key")
    from core.services.fetch import key_digest

    user = ctx.qbtime_client(token).validate_token()
    company_id = company_id_of(user)
    company = QBTimeCompany(
        company_id, user.company_name, int(user.id), qbtime_token_key(company_id)
    )
    # A business already connected to this account takes the new key: giving a new key is
    # how a refused or replaced one is mended (it waited for a new Xero sign-in before). The
    # key is kept once, under that business's entry; it still waits as the company to join
    # (connect-xero then signs that business in again, or refuses another organisation).
    bound = Connection.get_or_none(
        (Connection.qbtime_company_id == company_id) & (Connection.status != "disconnected")
    )
    if bound is not None and bound.qbtime_token_key:
        from core.services.fetch import record_key_owner

        company = replace(
            company, token_key=bound.qbtime_token_key, renewed_for=bound.xero_tenant_name
        )
        bound.qbtime_user_id = company.user_id
        bound.save()
        record_key_owner(bound, key_digest(token), company.user_id)
        log.info("Business %r now uses the key just checked", bound.xero_tenant_name)
    ctx.tokens.set(company.token_key, token)
    Setting.set_value(
        PENDING_QBTIME,
        {
            "company_id": company.company_id,
            "company_name": company.company_name,
            "user_id": company.user_id,
            "token_key": company.token_key,
            "key": key_digest(token),  # the key whose owner user_id is (no key kept here)
        },
    )
    log.info("QuickBooks Time company %r checked and kept", company.company_name)
    return company


def demo_qbtime_key(ctx: AppContext) -> str:
    """The Demo Company's QuickBooks Time key for the next business: the first of its
    accounts that no connected business uses yet (the first one when all are used)."""
    sandbox = ctx.sandbox
    if sandbox is None:
        return ""
    keys = list(getattr(sandbox, "qbtime_tokens", None) or [sandbox.qbtime_token])
    used = {ctx.tokens.get(c.qbtime_token_key) for c in active_connections() if c.qbtime_token_key}
    return next((k for k in keys if k and k not in used), keys[0])


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


def active_connection_for_tenant(tenant_id: str) -> Connection | None:
    """The active pair holding this Xero organisation, if any."""
    return (
        Connection.select()
        .where((Connection.xero_tenant_id == tenant_id) & (Connection.status != "disconnected"))
        .first()
    )


def remember_current(connection_id: int) -> None:
    """This business is the one shown now: the app opens on it next time."""
    Setting.set_value(CURRENT_SETTING, int(connection_id))


#: the database's own mark in its pairs' keyring keys (see core.store.secrets.pair_xero_key)
KEYRING_SCOPE_SETTING = "keyring_scope"


def keyring_scope() -> str:
    """This database's mark for its pairs' keyring entries, made at its first use from where
    the database file is (the same place gives the same mark: a backup put back there, even
    one made before the mark, finds its entries; another copy of the app's data elsewhere,
    a portable install, has its own) and kept in it."""
    scope = Setting.get_value(KEYRING_SCOPE_SETTING)
    if not isinstance(scope, str) or not scope:
        import hashlib
        import os

        where = os.path.realpath(str(getattr(db.obj, "database", "") or ""))
        scope = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        Setting.set_value(KEYRING_SCOPE_SETTING, scope)
    return scope


def pair_keys(conn: Connection) -> tuple[str, str]:
    """The keyring keys of a pair's Xero sign-in and QuickBooks Time key (marked with this
    database's scope)."""
    scope = keyring_scope()
    return pair_xero_key(conn.id, scope), pair_qbtime_key(conn.id, scope)


def adopt_pair_secrets(ctx: AppContext) -> int:
    """Give every active pair keyring entries named by its id; returns how many moved.

    A pair bound before several businesses were possible names the shared sign-in key
    (``xero:signin``) and its company's key (``qbtime:<company>``). Their values are copied
    to the pair's own keys, the database then names the new keys, and the old entries go
    once no active pair names them any more. Idempotent, and safe to run again after a
    crash at any step. Touches the keyring only when a pair still names an old key.
    """
    stale = [
        c for c in active_connections() if (c.xero_grant_key, c.qbtime_token_key) != pair_keys(c)
    ]
    if not stale:
        return 0
    moved: list[tuple[Connection, str | None, str | None]] = []
    for conn in stale:
        new_x, new_q = pair_keys(conn)
        for old, new in ((conn.xero_grant_key, new_x), (conn.qbtime_token_key, new_q)):
            if old and old != new:
                value = ctx.tokens.get(old)
                if value is not None and ctx.tokens.get(new) is None:
                    ctx.tokens.set(new, value)
        moved.append((conn, conn.xero_grant_key, conn.qbtime_token_key))
        with db.atomic():
            conn.xero_grant_key = new_x
            conn.qbtime_token_key = new_q
            conn.save()
    still_named = {
        key for c in active_connections() for key in (c.xero_grant_key, c.qbtime_token_key) if key
    }
    for _conn, old_x, old_q in moved:
        for old in (old_x, old_q):
            if old and old not in still_named:
                ctx.tokens.delete(old)
                if old == XERO_SIGNIN_KEY:
                    ctx.forget_xero_tokens(old)
    log.info("Keyring entries of %d pair(s) now named by the pair", len(moved))
    return len(moved)


def keep_sign_in(ctx: AppContext, tokens: Any, connection_id: int | None = None) -> str:
    """Keep the token set of a new Xero sign-in; returns the keyring key it went to.

    For a business being connected (``connection_id`` None) it waits under the sign-in key
    until :func:`bind`; for a business already connected (signing in again to add a
    permission) it replaces that pair's own entry, so no other pair's sign-in is touched.
    """
    key = XERO_SIGNIN_KEY
    if connection_id is not None:
        conn = Connection.get_by_id(connection_id)
        key = pair_keys(conn)[0]
        if conn.xero_grant_key != key:
            conn.xero_grant_key = key
            conn.save()
    ctx.xero_tokens(key).save(tokens)
    return key


def bind(ctx: AppContext, organisation: dict[str, Any], company: QBTimeCompany) -> Connection:
    """Join a Xero organisation and a QuickBooks Time company into one connection.

    ``organisation``: tenant_id, tenant_name, country_code, version and, when read,
    timezone (its day: core.services.xero.timezones). Refuses when either side is already
    bound to another partner (AccountAlreadyBound, with the way out in its message).
    """
    from core.services.fetch import key_digest, record_key_owner
    from core.services.xero.timezones import remember_timezone

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
        conn.qbtime_company_id = company.company_id
        conn.qbtime_company_name = company.company_name
        conn.qbtime_user_id = company.user_id
        conn.status = "active"
        conn.save()  # a new pair gets its id here: its keyring entries are named by it
        # This pair's own entries: the sign-in just made and the key just checked (when
        # binding the same pair again without them, it keeps the ones it had).
        signin = XERO_SIGNIN_KEY
        own_x, own_q = pair_keys(conn)
        moves = [
            (old, new)
            for old, new in ((signin, own_x), (company.token_key, own_q))
            if ctx.tokens.get(old) is not None
        ]
        for old, new in moves:
            value = ctx.tokens.get(old)
            if value is not None and old != new:
                ctx.tokens.set(new, value)
        conn.xero_grant_key = own_x
        conn.qbtime_token_key = own_q
        conn.save()
        # The key's owner as checking it learned: the first fetch needs not ask again. Only
        # when the key kept now is the very one checked for that user (its digest).
        pending = Setting.get_value(PENDING_QBTIME) or {}
        kept = ctx.tokens.get(conn.qbtime_token_key) or ""
        if (
            kept
            and pending.get("key") == key_digest(kept)
            and pending.get("company_id") == company.company_id
            and pending.get("user_id") == company.user_id
        ):
            record_key_owner(conn, pending["key"], company.user_id)
        Setting.delete().where(Setting.key == PENDING_QBTIME).execute()
        if "timezone" in organisation:
            remember_timezone(conn.xero_tenant_id, organisation["timezone"])
        remember_current(conn.id)  # the business just connected is the one worked on
    # Only now that the pair names its own entries: the waiting ones go (a crash before this
    # leaves copies, which the next bind or sign-in replaces).
    for old, new in moves:
        if old != new:
            ctx.tokens.delete(old)
    ctx.forget_xero_tokens(signin)
    ctx.forget_xero_tokens(conn.xero_grant_key)  # (what it held in memory may be refused)
    log.info(
        "Bound Xero organisation %r to QuickBooks Time company %r",
        conn.xero_tenant_name,
        conn.qbtime_company_name,
    )
    return conn


def disconnect(ctx: AppContext, conn: Connection, *, revoke_xero: bool = True) -> list[str]:
    """Forget both sign-ins of this connection; keep its import history. Returns problems.

    The Xero sign-in is revoked at Xero only when no other active connection remains: Xero
    revokes a whole grant (every organisation the user allowed, so possibly another pair's)
    when one of its refresh tokens is revoked. Otherwise only this pair's entry is forgotten.
    """
    problems: list[str] = []
    others = [c for c in active_connections() if c.id != conn.id]
    manager = ctx.xero_tokens_for(conn)
    shared = any(c.xero_grant_key == conn.xero_grant_key for c in others)
    if revoke_xero and not others:
        try:
            manager.revoke()
        except BridgeError as exc:
            problems.append(exc.user_message())
    elif conn.xero_grant_key and not shared:
        try:
            ctx.tokens.delete(conn.xero_grant_key)
        except BridgeError as exc:
            problems.append(exc.user_message())
        ctx.forget_xero_tokens(conn.xero_grant_key)
    if conn.qbtime_token_key:
        try:
            ctx.tokens.delete(conn.qbtime_token_key)
        except BridgeError as exc:
            problems.append(exc.user_message())
    conn.status = "disconnected"
    conn.save()
    log.info("Disconnected %r", conn.xero_tenant_name)
    if not others and revoke_xero:
        # The last business: nothing stays signed in, not even half-connected. (Not while
        # connecting another business in its place, revoke_xero=False: the sign-in and the
        # key waiting are that connection's.)
        problems += forget_pending(ctx)
    return problems


def has_pending(ctx: AppContext) -> bool:
    """Whether a sign-in or an access key waits to be joined into a business (a connection
    begun and not finished)."""
    company = pending_qbtime()
    if company is not None:
        return True
    try:
        return ctx.tokens.get(XERO_SIGNIN_KEY) is not None
    except BridgeError:  # (a locked keyring: disconnect says so when it tries)
        return True


def forget_pending(ctx: AppContext, *, revoke_xero: bool = True) -> list[str]:
    """Forget the Xero sign-in and the QuickBooks Time key that wait to be joined into a
    business (a connection begun and not finished): the sign-in is revoked at Xero when no
    business uses its grant. Returns problems."""
    problems: list[str] = []
    company = pending_qbtime()
    if company is not None:
        try:
            ctx.tokens.delete(company.token_key)
        except BridgeError as exc:
            problems.append(exc.user_message())
        Setting.delete().where(Setting.key == PENDING_QBTIME).execute()
    try:  # (a locked keyring: said among the problems, the business stays disconnected)
        if ctx.tokens.get(XERO_SIGNIN_KEY) is not None:
            if revoke_xero and not active_connections():
                ctx.xero_tokens(XERO_SIGNIN_KEY).revoke()
            else:
                ctx.tokens.delete(XERO_SIGNIN_KEY)
            ctx.forget_xero_tokens(XERO_SIGNIN_KEY)
    except BridgeError as exc:
        problems.append(exc.user_message())
    return problems
