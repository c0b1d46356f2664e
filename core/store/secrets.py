"""Tokens live in the operating system's password storage, never in our files.

``TokenStore`` wraps ``keyring`` and accepts only backends that keep secrets encrypted under the
user's login: macOS Keychain, Windows Credential Locker, the freedesktop Secret Service (GNOME
Keyring, KeePassXC…) and KWallet. Anything else — keyring's ``fail``/``null`` backends, the
plaintext or "encrypted file" stores of ``keyrings.alt``, unknown third-party backends — is refused
with ``SecureStorageUnavailable`` and a hint saying what to install. There is no plaintext
fallback, on purpose: a refresh token in a file is a standing invitation into the user's books.

Every keyring failure (locked collection, dismissed prompt, D-Bus errors, ``KeyringLocked``,
``InitError``, ``PasswordSetError``…) becomes one domain error, ``SecureStorageError``; no raw
keyring exception leaves this module, and no message or log line ever contains a secret value.

Keys (the keyring "username"; the service is always ``SERVICE``):

* ``xero:<user-or-grant id>`` -> JSON ``{"access_token", "refresh_token", "expires_at", "scope", …}``
  (see ``xero_grant_key``)
* ``qbtime:<company id>`` -> the QB Time API access token, a plain string (see ``qbtime_token_key``)

Those two are where a sign-in and a checked key wait while a business is being connected. Once
a Xero organisation and a QuickBooks Time company are bound into a pair (a ``Connection``),
its secrets move to keys of their own, named by the pair's id, so several businesses never
share an entry (and never a refresh token, which Xero rotates at each use):

* ``xero:pair-<connection id>@<database mark>`` -> that pair's Xero token set (see
  ``pair_xero_key``)
* ``qbtime:pair-<connection id>@<database mark>`` -> that pair's QB Time access token (see
  ``pair_qbtime_key``)

The database mark (made from where the database file is) keeps two copies of the app's data
on one computer (a portable install beside the usual one) from sharing the entries of their
pairs 1, 2…: one would use, and rotate, the other's refresh token; a backup put back in the
same place gets the same mark, a copy of the database elsewhere a mark of its own (its pairs
sign in again there), a database moved takes the new place's mark with its entries
(``core.app.connections.keyring_scope``). Pairs named before the mark (``xero:pair-<id>``) move to the
marked names when the database opens.

The database stores only these key names (``Connection.xero_grant_key`` / ``qbtime_token_key``).

Windows' Credential Locker caps one secret at 2,560 bytes of UTF-16 (1,280 characters); a Xero
access token (a JWT) plus its refresh token does not fit. On that backend long values are split
into numbered parts under ``<key>#part-<generation>-<n>`` and the key itself holds a small header;
a new generation is written before the header switches to it, so a crash mid-write never leaves
a half-rotated token behind.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from core.errors import BridgeError, SecureStorageError, SecureStorageUnavailable
from core.i18n import tr

if TYPE_CHECKING:
    # The keyring package (and its backends' discovery) is imported at first use: a store
    # made with ``lazy=True`` costs nothing on the way to the window.
    import keyring.backend

log = logging.getLogger(__name__)

SERVICE = "XeroQBTimeBridge"

#: Backends that keep secrets encrypted by the OS under the user's session ("module.Class").
SECURE_BACKENDS = frozenset(
    {
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        # Subclasses count too (_is_secure_class walks the MRO): a distribution's KWallet 6 or
        # Qt variant derives from DBusKeyring. keyring 25.7 itself ships no Qt variant.
    }
)
#: Backends whose values are split into parts because one secret is size-limited (UTF-16 units).
_PART_LIMITS = {"keyring.backends.Windows.WinVaultKeyring": 1200}

_SHARD_HEADER = "xqb-parts/v1/"
_PROBE_KEY = "xqb:probe"


def xero_grant_key(grant_id: str) -> str:
    """Keyring key of a Xero grant (the JSON token set of one Xero user/grant)."""
    return f"xero:{grant_id}"


def qbtime_token_key(company_id: str) -> str:
    """Keyring key of the QB Time API access token of one QB Time company."""
    return f"qbtime:{company_id}"


#: Where a Xero sign-in waits while a business is being connected (it may cover several
#: organisations); binding it to a QuickBooks Time company moves it to the pair's own key.
XERO_SIGNIN_KEY = "xero:signin"


def pair_xero_key(connection_id: int, scope: str = "") -> str:
    """Keyring key of the Xero token set of one pair (one business: organisation ↔ company).
    ``scope``: the database's own mark (``core.app.connections.keyring_scope``): pair ids
    start at 1 in every database, and the keyring is the computer's, shared by every copy
    of the app's data (a portable install beside the usual one)."""
    return f"xero:pair-{int(connection_id)}" + (f"@{scope}" if scope else "")


def pair_qbtime_key(connection_id: int, scope: str = "") -> str:
    """Keyring key of the QB Time access token of one pair (``scope``: as above)."""
    return f"qbtime:pair-{int(connection_id)}" + (f"@{scope}" if scope else "")


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_secure_class(cls: type) -> bool:
    names = [_qualname(c) for c in cls.__mro__]
    if any(n.startswith("keyrings.alt") for n in names):
        return False  # a subclass of a file store stays a file store
    return any(n in SECURE_BACKENDS for n in names)


def _part_limit(cls: type) -> int | None:
    for c in cls.__mro__:
        limit = _PART_LIMITS.get(_qualname(c))
        if limit:
            return limit
    return None


def platform_hint() -> str:
    """What to install or unlock on this platform so a secure password storage exists."""
    if sys.platform == "darwin":
        return tr(
            "Make sure the macOS Keychain is available and unlocked (open Keychain Access to "
            "check), then restart the app."
        )
    if sys.platform.startswith("win"):
        return tr(
            "Sign in to Windows with your own user account (not a guest or temporary profile) "
            "so that Windows Credential Manager is available, then restart the app."
        )
    return tr(
        "Install and unlock GNOME Keyring or KWallet (e.g. sudo apt install gnome-keyring), "
        "then sign out and back in, and restart the app."
    )


def _unavailable(backend: object | None) -> SecureStorageUnavailable:
    hint = platform_hint()
    name = _qualname(type(backend)) if backend is not None else "none"
    if name.startswith("keyrings.alt") or "file" in name.lower() or "plaintext" in name.lower():
        hint = (
            tr(
                "Your keyring settings point to a file-based store ({backend}); this app only "
                "keeps sign-ins in the system's own password storage.",
                backend=name,
            )
            + " "
            + hint
        )
    return SecureStorageUnavailable(detail=f"backend={name}", hint=hint)


def _resolve_backend(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
    """The secure backend to talk to, or ``SecureStorageUnavailable``.

    A ChainerBackend reads from every backend and writes to the first that accepts, which may
    be a plaintext one: unwrap it and talk to its best secure member directly.
    """
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        try:
            members = list(backend.backends)
        except Exception as exc:  # discovery itself failed (broken D-Bus, broken plugin…)
            log.warning("keyring backend discovery failed: %s", type(exc).__name__)
            raise _unavailable(backend) from None
        secure = [m for m in members if _is_secure_class(type(m))]
        if not secure:
            first = members[0] if members else backend
            raise _unavailable(first)
        ignored = [_qualname(type(m)) for m in members if m not in secure]
        if ignored:
            log.info("ignoring insecure keyring backends in the chain: %s", ", ".join(ignored))
        return secure[0]  # already sorted by priority, highest first
    if not _is_secure_class(type(backend)):
        raise _unavailable(backend)
    try:
        viable = bool(type(backend).viable)
    except Exception:
        viable = False
    if not viable:
        raise _unavailable(backend)
    return backend


def _reason_for(exc: BaseException) -> str:
    import keyring.errors

    kind = type(exc).__name__
    if isinstance(exc, keyring.errors.KeyringLocked) or kind in {"LockedException"}:
        return tr("it is locked")
    if kind == "PromptDismissedException":
        return tr("the unlock prompt was dismissed")
    if isinstance(exc, keyring.errors.InitError):
        return tr("it could not be opened")
    if isinstance(exc, keyring.errors.PasswordSetError):
        return tr("the sign-in could not be saved")
    if isinstance(exc, keyring.errors.PasswordDeleteError):
        return tr("the sign-in could not be removed")
    return tr("it did not answer: {error}", error=kind)


#: the shortest piece of a secret taken out of a message: a backend's error may quote only
#: the start of the value it refused (a QuickBooks Time key's first 20 characters…)
_PIECE = 8


def _redacted(text: str, secret: str | None) -> str:
    """``text`` without the secret, whole or any piece of it of ``_PIECE`` characters or more
    (each such piece becomes "[redacted]"), cut to 300 characters."""
    text = text[:2000]  # (a backend's message, not a book)
    if not secret or len(secret) < 4:
        return text[:300]
    text = text.replace(secret, "[redacted]")
    if len(secret) < _PIECE:
        return text[:300]
    pieces = {secret[i : i + _PIECE] for i in range(len(secret) - _PIECE + 1)}
    kept: list[str] = []
    i = 0
    while i < len(text):
        if text[i : i + _PIECE] in pieces:
            end = i + _PIECE
            while end < len(text) and text[i : end + 1] in secret:
                end += 1
            kept.append("[redacted]")
            i = end
        else:
            kept.append(text[i])
            i += 1
    return "".join(kept)[:300]


def _demo_memory_way_out() -> str:
    return tr(
        "To keep them between commands: {hint} Or use the window for the whole demo (run the "
        "app with --demo and no command): it keeps them until it closes.",
        hint=platform_hint(),
    )


def demo_memory_notice() -> str:
    """What every headless Demo Company command says when its sign-ins are kept in memory
    (:func:`demo_memory_store`): the next command will not have them, and what to do."""
    return (
        tr(
            "This computer has no secure password storage, so the Demo Company's sign-ins last "
            "only as long as one command: the next command will not find the ones made now."
        )
        + " "
        + _demo_memory_way_out()
    )


def demo_sign_in_not_kept(exc: BridgeError) -> BridgeError:
    """For a headless Demo Company command with its sign-ins in memory: a sign-in or key it
    needs and does not have (an earlier command made it, and it was not kept) is said as
    that, not as "Run connect-xero" (connecting again would not keep it either). Any other
    error as it is."""
    from core.errors import QBTimeTokenInvalid, ReauthorizationRequired

    # (only a missing one: a sign-in or key refused during this command is said as it is)
    if not isinstance(exc, ReauthorizationRequired | QBTimeTokenInvalid) or not str(
        exc.detail
    ).startswith("no stored"):
        return exc
    return SecureStorageUnavailable(
        detail=f"Demo Company sign-ins kept in memory only; {exc.detail}",
        hint=tr(
            "The Demo Company's sign-ins last only as long as one command, so this command has "
            "none, and connecting again will not change that."
        )
        + " "
        + _demo_memory_way_out(),
    )


def demo_memory_store() -> TokenStore:
    """A store that keeps sign-ins in memory, for the Demo Company ONLY, and only when the
    computer has no secure storage: its "tokens" are the simulators' and worth nothing
    elsewhere. The wizard says so on its first page; real connections never use it."""
    import keyring.backend

    class DemoMemoryKeyring(keyring.backend.KeyringBackend):
        priority = 0.1

        def __init__(self) -> None:
            super().__init__()
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    store = TokenStore(DemoMemoryKeyring(), trust_backend=True)
    store.in_memory = True
    return store


class TokenStore:
    #: True only for :func:`demo_memory_store` (nothing kept after the app closes)
    in_memory = False
    """Get/set secrets under ``SERVICE`` in a secure OS password storage.

    ``backend``: a keyring backend, or None for ``keyring.get_keyring()``.
    ``trust_backend``: skip the security check (tests inject the in-memory backend with it).
    ``service``: the keyring service name (tests of the real Secret Service use their own).
    ``max_part_length``: split values longer than this many UTF-16 units (None: never split);
    by default decided from the backend (only Windows needs it).
    ``lazy``: find the backend (``backend_factory()``, else ``keyring.get_keyring()``) at the
    first use instead of now, and raise ``SecureStorageUnavailable`` then: the window opens
    without importing the keyring package (its first use is on a worker thread).
    """

    _AUTO: Any = object()

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        trust_backend: bool = False,
        service: str = SERVICE,
        max_part_length: int | None = _AUTO,
        lazy: bool = False,
        backend_factory: Callable[[], keyring.backend.KeyringBackend] | None = None,
    ) -> None:
        if max_part_length is not TokenStore._AUTO and max_part_length is not None:
            if max_part_length < 1:
                raise ValueError("max_part_length must be positive")
        self.service = service
        self._lock = threading.RLock()
        self._trust = trust_backend
        self._part_arg = max_part_length
        self._factory = backend_factory
        self._backend: keyring.backend.KeyringBackend | None = None
        self._max_part_length: int | None = None
        if backend is not None or not (lazy or backend_factory is not None):
            self._use(backend)

    def _use(self, backend: keyring.backend.KeyringBackend | None) -> None:
        if backend is None and self._factory is not None:
            backend = self._factory()
        if backend is None:
            import keyring

            try:
                backend = keyring.get_keyring()
            except Exception as exc:  # a broken keyring config or plugin
                log.warning("keyring initialisation failed: %s", type(exc).__name__)
                raise _unavailable(None) from None
        resolved = backend if self._trust else _resolve_backend(backend)
        limit = self._part_arg
        if limit is TokenStore._AUTO:
            limit = _part_limit(type(resolved))
        self._max_part_length = limit
        self._backend = resolved

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        """The keyring backend (found now if the store was made ``lazy``)."""
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._use(None)
        assert self._backend is not None
        return self._backend

    @property
    def max_part_length(self) -> int | None:
        self.backend  # noqa: B018 - decided from the backend
        return self._max_part_length

    @property
    def backend_name(self) -> str:
        """Human-readable backend name for diagnostics (never a secret)."""
        return str(getattr(self.backend, "name", type(self.backend).__name__))

    # -- low level: every backend call maps its failures to one domain error ---------------

    def _failure(
        self, op: str, key: str, exc: Exception, secret: str | None = None
    ) -> SecureStorageError:
        detail = _redacted(f"{op} {key}: {type(exc).__name__}: {exc}", secret)
        log.warning("secure storage %s failed for %s: %s", op, key, type(exc).__name__)
        return SecureStorageError(detail=detail, reason=_reason_for(exc))

    def _raw_get(self, username: str) -> str | None:
        try:
            value = self.backend.get_password(self.service, username)
        except Exception as exc:
            raise self._failure("read", username, exc) from None
        return value if value is None else str(value)

    def _raw_set(self, username: str, value: str) -> None:
        try:
            self.backend.set_password(self.service, username, value)
        except Exception as exc:
            raise self._failure("write", username, exc, secret=value) from None

    def _raw_delete(self, username: str) -> None:
        """Delete; an entry that is already gone is fine."""
        import keyring.errors

        try:
            self.backend.delete_password(self.service, username)
        except keyring.errors.PasswordDeleteError as exc:
            # Backends say "not found" with this error; make sure it really is gone.
            if self._raw_get(username) is not None:
                raise self._failure("delete", username, exc) from None
        except Exception as exc:
            raise self._failure("delete", username, exc) from None

    # -- public API ------------------------------------------------------------------------

    @staticmethod
    def _check_key(key: str) -> None:
        if not isinstance(key, str) or not key or len(key) > 200:
            raise ValueError("keyring key must be a non-empty string of at most 200 characters")
        if "#" in key or any(ord(ch) < 32 for ch in key):
            raise ValueError("keyring key must not contain '#' or control characters")

    def probe(self, *, write: bool = False) -> None:
        """Check the storage answers (unlocking it may show a prompt); raise a domain error if not.

        ``write=True`` also stores and removes a dummy entry, for a first-run check.
        Call it from a worker thread: it may block on a password prompt.
        """
        with self._lock:
            self._raw_get(_PROBE_KEY)
            if write:
                import secrets as _random  # hashlib, hmac: not on the way to the window

                token = _random.token_hex(8)
                self._raw_set(_PROBE_KEY, token)
                if self._raw_get(_PROBE_KEY) != token:
                    raise SecureStorageError(
                        detail="probe read-back mismatch", reason=tr("it did not keep the value")
                    )
                self._raw_delete(_PROBE_KEY)

    def get(self, key: str) -> str | None:
        """The stored value, or None when there is none (or it is damaged: sign in again)."""
        self._check_key(key)
        with self._lock:
            value = self._raw_get(key)
            if value is None or not value.startswith(_SHARD_HEADER):
                return value
            return self._read_parts(key, value)

    def set(self, key: str, value: str) -> None:
        """Store (or replace: rotation) the value under ``key``."""
        self._check_key(key)
        if not isinstance(value, str):
            raise TypeError("secret value must be a str")
        with self._lock:
            old_header = None
            if self.max_part_length is not None:
                current = self._raw_get(key)
                if current is not None and current.startswith(_SHARD_HEADER):
                    old_header = current
            if self._needs_parts(value):
                self._write_parts(key, value)
            else:
                self._raw_set(key, value)
            if old_header is not None:
                self._delete_parts(key, old_header, quiet=True)

    def delete(self, key: str) -> None:
        """Remove the value; a missing one is fine."""
        self._check_key(key)
        with self._lock:
            current = self._raw_get(key)
            if current is None:
                return
            if current.startswith(_SHARD_HEADER):
                self._delete_parts(key, current, quiet=False)
            self._raw_delete(key)

    def get_json(self, key: str) -> dict[str, Any] | None:
        """A stored JSON object (e.g. a Xero token set), or None when absent or unreadable."""
        text = self.get(key)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("secure storage entry %s is not a JSON object; treating it as absent", key)
            return None
        return data

    def set_json(self, key: str, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise TypeError("set_json needs a mapping")
        self.set(key, json.dumps(dict(data), sort_keys=True, separators=(",", ":")))

    # -- split values (Windows' size limit) -----------------------------------------------

    def _needs_parts(self, value: str) -> bool:
        if value.startswith(_SHARD_HEADER):
            return True  # never let a stored value be mistaken for a header
        limit = self.max_part_length
        return limit is not None and _utf16_units(value) > limit

    def _write_parts(self, key: str, value: str) -> None:
        limit = self.max_part_length or 1200
        parts = _split_utf16(value, limit)
        import secrets as _random  # hashlib, hmac: not on the way to the window

        generation = _random.token_hex(4)
        for index, part in enumerate(parts):
            self._raw_set(f"{key}#part-{generation}-{index}", part)
        self._raw_set(key, f"{_SHARD_HEADER}{generation}/{len(parts)}")

    @staticmethod
    def _parse_header(header: str) -> tuple[str, int] | None:
        try:
            generation, count = header[len(_SHARD_HEADER) :].split("/")
            return generation, int(count)
        except ValueError:
            return None

    def _read_parts(self, key: str, header: str) -> str | None:
        parsed = self._parse_header(header)
        if parsed is None:
            log.warning("secure storage entry %s has a damaged header; treating it as absent", key)
            return None
        generation, count = parsed
        chunks = []
        for index in range(count):
            chunk = self._raw_get(f"{key}#part-{generation}-{index}")
            if chunk is None:
                log.warning("secure storage entry %s is incomplete; treating it as absent", key)
                return None
            chunks.append(chunk)
        return "".join(chunks)

    def _delete_parts(self, key: str, header: str, *, quiet: bool) -> None:
        parsed = self._parse_header(header)
        if parsed is None:
            return
        generation, count = parsed
        for index in range(count):
            try:
                self._raw_delete(f"{key}#part-{generation}-{index}")
            except SecureStorageError:
                if not quiet:
                    raise
                log.warning("could not remove an old part of %s; it stays in secure storage", key)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _split_utf16(text: str, limit: int) -> list[str]:
    """Split into chunks of at most ``limit`` UTF-16 units, never inside a character."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for ch in text:
        units = 2 if ord(ch) > 0xFFFF else 1
        if size + units > limit and current:
            parts.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += units
    if current or not parts:
        parts.append("".join(current))
    return parts
