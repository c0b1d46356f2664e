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
#: where the database file is that holds that mark: {"path": its real path, "inode": its
#: file number} (a folder renamed or moved on the same disk keeps the number; a copy never has it)
KEYRING_PLACE_SETTING = "keyring_scope_place"
#: set when this database turned out to be a copy of another one (the other's place, or ""
#: when it is not known): its businesses sign in again here (core.app.cli.cmd_status says so)
KEYRING_COPIED_FROM_SETTING = "keyring_copied_from"


def _mark_of(path: str) -> str:
    import hashlib

    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def keyring_scope() -> str:
    """This database's mark for its pairs' keyring entries, made at its first use from where
    the database file is, and kept in it with that place (path and file number).

    * The same place keeps the mark: a backup put back there, even one made before the mark
      (no mark in it: the place gives the same one), finds its entries.
    * A copy of the app's data at another place (a portable install beside the usual one):
      a mark of its own, its businesses named by it, so they sign in again there; the other
      copy's entries are never used, rotated or removed from here (sharing them, one copy
      used and rotated the other's Xero refresh token, and a disconnect in one removed the
      other's QuickBooks Time key).
    * The data folder renamed or moved on the same disk (the same file, by its number, and
      nothing at the old place carries the mark): the mark of the new place, and
      :func:`adopt_pair_secrets` renames the entries to it, so a new database made later at
      the old place (same place, same mark) never meets them.
    * Anything else at another place (moved to another disk, a copy whose original is gone,
      a mark made before its place was kept): treated as a copy, the safe side. Signing in
      again loses nothing; taking entries that may be another copy's would.
    """
    kind, mark, this_place, place = _mark_decision()
    if kind == "same":
        if Setting.get_value(KEYRING_PLACE_SETTING) != this_place:
            # marked before its place was kept, or a backup put back here (another file)
            Setting.set_value(KEYRING_PLACE_SETTING, this_place)
        return mark
    with db.atomic():
        if kind == "moved":
            log.info("The app's data moved here: its keyring entries follow it (new mark)")
        elif kind == "copy":
            log.warning(
                "This database is a copy of the one at %s: its businesses sign in again here "
                "(the other copy's keyring entries are left to it)",
                place or "a place not known",
            )
            for conn in Connection.select().where(Connection.status != "disconnected"):
                # never the other copy's entries: named for this copy, empty until signed in
                conn.xero_grant_key = pair_xero_key(conn.id, mark)
                conn.qbtime_token_key = pair_qbtime_key(conn.id, mark)
                conn.save()
            Setting.set_value(KEYRING_COPIED_FROM_SETTING, place or "")
        Setting.set_value(KEYRING_SCOPE_SETTING, mark)
        Setting.set_value(KEYRING_PLACE_SETTING, this_place)
    return mark


def _mark_decision() -> tuple[str, str, dict[str, Any], str | None]:
    """What :func:`keyring_scope` finds, nothing written: ("new" | "same" | "moved" |
    "copy", the mark to use, this place, the place the mark was made at)."""
    here = _database_file()
    inode = _inode(here)
    this_place: dict[str, Any] = {"path": here, "inode": inode}
    scope = Setting.get_value(KEYRING_SCOPE_SETTING)
    kept = Setting.get_value(KEYRING_PLACE_SETTING)
    place = kept.get("path") if isinstance(kept, dict) else None
    place = place if isinstance(place, str) and place else None
    if not isinstance(scope, str) or not scope:
        return "new", _mark_of(here), this_place, None
    if place == here or (place is None and scope == _mark_of(here)) or _same_file(place, here):
        return "same", scope, this_place, place
    moved = (
        place is not None
        and inode is not None
        and isinstance(kept, dict)
        and kept.get("inode") == inode
        and not _holds_mark(place, scope)
    )
    return ("moved" if moved else "copy"), _mark_of(here), this_place, place


def copy_not_marked_yet() -> str | None:
    """For a command that only reads (``status``): the place this database was copied from
    ("" when not known) when it is a copy :func:`keyring_scope` has not given its own mark
    yet (the entries its pairs name are the other copy's), else None."""
    kind, _mark, _here, place = _mark_decision()
    return (place or "") if kind == "copy" else None


def _database_file() -> str:
    """The real path of the open database's file (opened to read only, it is named by a
    ``file:`` URI)."""
    import os

    name = str(getattr(db.obj, "database", "") or "")
    if name.startswith("file:"):
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        name = url2pathname(urlsplit(name).path)
    return os.path.realpath(name)


def _inode(path: str) -> int | None:
    import os

    try:
        return os.stat(path).st_ino or None
    except OSError:
        return None


def _same_file(place: str | None, here: str) -> bool:
    import os

    if place is None:
        return False
    try:
        return os.path.samefile(place, here)
    except (OSError, ValueError):
        return False


def _holds_mark(place: str, scope: str) -> bool:
    """Whether the database file at ``place`` (another copy's) still carries ``scope``: read
    only, never written. One that cannot be read counts as holding it (the safe side)."""
    import json
    import os
    import sqlite3
    from urllib.parse import quote

    if not os.path.exists(place):
        return False
    try:
        other = sqlite3.connect(f"file:{quote(place)}?mode=ro", uri=True, timeout=2)
        try:
            row = other.execute(
                "SELECT value FROM setting WHERE key = ?", (KEYRING_SCOPE_SETTING,)
            ).fetchone()
        finally:
            other.close()
    except sqlite3.Error:
        return True
    if row is None:
        return False  # a database there that never marked anything: not that copy
    try:
        return bool(json.loads(row[0]) == scope)
    except (TypeError, ValueError):
        return True


def copied_from() -> str | None:
    """The place of the database this one was copied from ("" when not known), or None when
    it is no copy (see :func:`keyring_scope`)."""
    value = Setting.get_value(KEYRING_COPIED_FROM_SETTING)
    return value if isinstance(value, str) else None


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
    # First this database's mark: a copy's pairs are then named for it (never moved from
    # the other copy's entries), a moved database's still name the entries to rename.
    keyring_scope()
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
    """Forget both sign-ins of this connection; keep its import history, journal, links,
    decisions and what was read of its two sides (the snapshot, trimmed to the fields the app
    reads: core.services.stored_fields), which an undo or a sending after connecting again
    reads before anything else. Returns problems.

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
