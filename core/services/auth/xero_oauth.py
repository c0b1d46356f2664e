"""Xero sign-in for a desktop app: OAuth 2 "Auth Code with PKCE", refresh with rotation.

Xero facts this follows (references/xero-api.md §0, §2, §8.4):

* a PKCE app has a client id and **no secret**: the code exchange and every refresh are form
  POSTs carrying ``client_id`` (no Authorization header). requests-oauthlib's
  ``OAuth2Session`` builds the authorize URL, the exchange and the refresh
  (:mod:`core.services.auth.oauth_session`, imported on first use); plain HTTP is allowed
  only to this computer (the Demo Company); the token endpoint's answers are read here;
* access tokens live 30 minutes; every refresh **rotates** the refresh token; the previous
  refresh token stays valid 30 more minutes, precisely so that a refresh whose answer was
  lost can be retried with it; after that, or once the user disconnects the app,
  ``invalid_grant`` means the user must sign in again;
* one authoritative copy of the token set: refreshes are serialised (one at a time per
  stored key, in this process) and the new set is saved before its access token is used.

Nothing here logs a token, a code, a state or a verifier.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit

import requests

from core.errors import (
    ApiError,
    BridgeError,
    NetworkError,
    ReauthorizationRequired,
    RevocationIncomplete,
    ServiceUnavailable,
    SignInFailed,
)
from core.i18n import N_
from core.services.auth.loopback import LoopbackReceiver
from core.store.settings import XeroAppSettings

log = logging.getLogger(__name__)

SERVICE = "Xero"

# --------------------------------------------------------------------------- scopes
BASE_SCOPES: tuple[str, ...] = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.contacts.read",
    "accounting.settings.read",
    # GET /Invoices: which contacts got their first sales invoice since the last import
    # (granular scope of apps registered after 2026-03-02; references §2.4)
    "accounting.invoices.read",
)
PAYROLL_SCOPES: tuple[str, ...] = (
    "payroll.employees.read",
    "payroll.settings.read",
    # sending hours to Xero Payroll: draft timesheets, and leave (an employee write)
    "payroll.timesheets",
    "payroll.employees",
)
#: what sending hours to Xero Payroll needs (a connection made before it lacks them)
PAYROLL_EXPORT_SCOPES: tuple[str, ...] = ("payroll.timesheets", "payroll.employees")
PAYROLL_VERSIONS = frozenset({"AU", "NZ", "UK"})


def normalise_version(version: str | None) -> str | None:
    """Xero ``Organisation.Version`` or the wizard's country -> ``AU``/``NZ``/``UK``/...

    ``GB`` (the ISO code) means ``UK``; the ``...ONRAMP`` editions are their country's.
    """
    if not version:
        return None
    value = version.strip().upper()
    value = value.removesuffix("ONRAMP")
    return {"GB": "UK"}.get(value, value) or None


def has_payroll_api(version: str | None) -> bool:
    return normalise_version(version) in PAYROLL_VERSIONS


def scopes_for(version: str | None) -> list[str]:
    """The scopes to ask for, given the organisation's region when known.

    Payroll scopes are requested only for AU/NZ/UK: elsewhere Xero has no payroll API, and a
    user who is not a payroll admin would hit consent problems for nothing. At sign-in the
    organisation is not known yet (it is picked on Xero's consent page), so the wizard passes
    the region chosen on its country page; with no region (``None``) only the accounting
    scopes are asked for. Xero scopes are additive: if the organisation later turns out to
    have payroll, signing in again with its region adds the payroll scopes (the consent page
    shows the already-connected organisation), see :func:`missing_scopes`.
    """
    scopes = list(BASE_SCOPES)
    if has_payroll_api(version):
        scopes.extend(PAYROLL_SCOPES)
    return scopes


def missing_scopes(granted: Iterable[str], version: str | None) -> list[str]:
    """Scopes :func:`scopes_for` wants for ``version`` that ``granted`` lacks."""
    have = set(granted)
    return [s for s in scopes_for(version) if s not in have]


# --------------------------------------------------------------------------- invoicing scopes
#: Writing invoices (bill time): the granular scope of apps registered after 2 March 2026;
#: older apps keep the broad one (the settings file's ``xero_scopes_legacy``).
INVOICE_SCOPE = "accounting.invoices"
LEGACY_INVOICE_SCOPE = "accounting.transactions"
#: the database setting that says the user turned invoicing on (asked at the next sign-in)
INVOICING_SETTING = "invoicing_enabled"


def invoice_scopes(legacy: bool = False) -> tuple[str, ...]:
    """The scope the sign-in asks for once invoicing is turned on."""
    return (LEGACY_INVOICE_SCOPE,) if legacy else (INVOICE_SCOPE,)


def missing_invoice_scopes(granted: Iterable[str], legacy: bool = False) -> list[str]:
    """What ``granted`` lacks to write invoices ([] when either scope was granted: Xero
    accepts both for ``PUT``/``POST /Invoices``)."""
    have = set(granted)
    if INVOICE_SCOPE in have or LEGACY_INVOICE_SCOPE in have:
        return []
    return list(invoice_scopes(legacy))


def invoicing_turned_on() -> bool:
    """Whether the user turned invoicing on (the setting in the database; False when no
    database is open, as in a sign-in before the first connection)."""
    from peewee import PeeweeException

    from core.store.models import Setting

    try:
        return bool(Setting.get_value(INVOICING_SETTING))
    except (PeeweeException, AttributeError):
        return False


class InvoicingScopesMissing(ReauthorizationRequired):
    """A sign-in that lacks the scope that writes invoices (asked only once billing has
    something to write, so even a connection made a minute ago may lack it): only a new
    consent adds it."""

    message = (
        "Sign in to Xero again: Xero has not yet allowed this app to create draft invoices "
        'for this organisation. Click "Connect to Xero"; your settings are kept.'
    )
    command_line_message = N_(
        "Sign in to Xero again: Xero has not yet allowed this app to create draft invoices "
        "for this organisation. Run connect-xero: it asks Xero for that permission and keeps "
        "your settings."
    )


def require_invoice_scopes(tokens: TokenSet | None, legacy: bool = False) -> None:
    """Raise :class:`InvoicingScopesMissing` when ``tokens`` cannot write invoices."""
    if tokens is None:
        raise ReauthorizationRequired(detail="no stored Xero sign-in")
    if tokens.scope and missing_invoice_scopes(tokens.scopes, legacy):
        raise InvoicingScopesMissing()


class PayrollScopesMissing(ReauthorizationRequired):
    """A connection made before hours could be sent to Xero Payroll: its sign-in lacks the
    timesheet and employee-write scopes, which only a new consent adds."""

    message = (
        "Sign in to Xero again, because this connection was made before hours could be sent "
        "to Xero Payroll: Xero must now allow the app to add draft timesheets and leave. "
        'Click "Connect to Xero"; your settings are kept.'
    )
    command_line_message = N_(
        "Sign in to Xero again, because this connection was made before hours could be sent "
        "to Xero Payroll: Xero must now allow the app to add draft timesheets and leave. Run "
        "connect-xero: it asks Xero for that permission and keeps your settings."
    )


def require_payroll_export_scopes(tokens: TokenSet | None) -> None:
    """Raise :class:`PayrollScopesMissing` when ``tokens`` lack a payroll export scope."""
    if tokens is None:
        raise ReauthorizationRequired(detail="no stored Xero sign-in")
    if tokens.scope and any(s not in tokens.scopes for s in PAYROLL_EXPORT_SCOPES):
        raise PayrollScopesMissing()


# --------------------------------------------------------------------------- PKCE
def new_state() -> str:
    return secrets.token_urlsafe(32)


def new_code_verifier() -> str:
    """86 characters of ``[A-Za-z0-9_-]`` (RFC 7636: 43-128 unreserved characters)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """S256: BASE64URL(SHA-256(verifier)) without ``=`` padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# --------------------------------------------------------------------------- tokens
class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


@dataclass(repr=False)
class TokenSet:
    """Xero's tokens. ``expires_at`` is the access token's expiry (epoch seconds)."""

    access_token: str
    refresh_token: str
    expires_at: float
    scope: str
    id_token: str | None = None

    def __repr__(self) -> str:  # never show a token, even in a traceback or a debugger
        return f"TokenSet(expires_at={self.expires_at:.0f}, scope={self.scope!r})"

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(s for s in self.scope.split(" ") if s)

    def expires_in(self, now: float) -> float:
        return self.expires_at - now

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
        }
        if self.id_token is not None:
            data["id_token"] = self.id_token
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenSet:
        """Raises ValueError when ``data`` is not a usable token set."""
        try:
            access, refresh = data["access_token"], data["refresh_token"]
            expires_at = float(data["expires_at"])
            scope = data.get("scope") or ""
            id_token = data.get("id_token")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("not a token set") from exc
        if not (
            isinstance(access, str)
            and access
            and isinstance(refresh, str)
            and refresh
            and isinstance(scope, str)
        ):
            raise ValueError("not a token set")
        return cls(
            access, refresh, expires_at, scope, id_token if isinstance(id_token, str) else None
        )

    @classmethod
    def from_token_response(
        cls, payload: Any, requested_at: float, previous: TokenSet | None = None
    ) -> TokenSet:
        """Build from the token endpoint's JSON. ``requested_at``: clock time before the POST.

        A refresh answer without a refresh token keeps the previous one (RFC 6749 §6);
        Xero always rotates, so that is only a safety net. Raises ValueError when unusable.
        """
        if not isinstance(payload, dict):
            raise ValueError("token answer is not an object")
        access = payload.get("access_token")
        refresh = payload.get("refresh_token") or (previous.refresh_token if previous else None)
        try:
            expires_in = float(payload.get("expires_in", 1800))
        except (TypeError, ValueError) as exc:
            raise ValueError("bad expires_in") from exc
        if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
            raise ValueError("token answer lacks a token")
        scope = payload.get("scope")
        if not isinstance(scope, str):
            scope = previous.scope if previous else ""
        id_token = payload.get("id_token")
        if not isinstance(id_token, str):
            id_token = previous.id_token if previous else None
        return cls(access, refresh, requested_at + expires_in, scope, id_token)


class TokenStoreLike(Protocol):
    def get_json(self, key: str) -> dict[str, Any] | None: ...
    def set_json(self, key: str, value: dict[str, Any]) -> None: ...
    def delete(self, key: str) -> None: ...


# --------------------------------------------------------------------------- HTTP helpers
_TIMEOUT = (10.0, 30.0)  # connect, read
_HEADERS = {"Accept": "application/json"}
# The request may have reached Xero even though no answer came back.
_LOST = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _oauth_error(response: requests.Response) -> str:
    """The ``error`` code of a token-endpoint failure (never the body: it is not logged)."""
    try:
        payload = response.json()
    except ValueError:
        return ""
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, str) else ""


def _new_session() -> requests.Session:
    return requests.Session()


# --------------------------------------------------------------------------- sign-in
Opener = Callable[[str], Any]


class XeroSignIn:
    """The browser sign-in: PKCE + state, loopback callback, code exchange.

    ``opener`` opens the authorize URL (``webbrowser.open`` by default; tests and the
    headless Demo Company pass :func:`demo_consent_opener`). It runs in its own thread, since
    some platforms' browser launchers block until the browser exits.
    """

    def __init__(
        self,
        settings: XeroAppSettings,
        *,
        opener: Opener = webbrowser.open,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        language: str | None = None,
        timeout_s: float = 300.0,
    ) -> None:
        self.settings = settings
        self.opener = opener
        self.session = session or _new_session()
        self.clock = clock or SystemClock()
        self.language = language
        self.timeout_s = timeout_s

    def authorize_url(
        self, *, redirect_uri: str, state: str, code_challenge: str, scopes: Sequence[str]
    ) -> str:
        """The consent page's URL (PKCE S256).

        The caller makes and keeps the verifier (:meth:`run`: the loopback wait sits between
        this URL and :meth:`exchange_code`), so ``OAuth2Session`` is given the challenge here
        and the verifier there rather than keeping its own (``pkce="S256"``).

        Raises SignInFailed when the authorize URL is plain HTTP off this computer.
        """
        from core.services.auth import oauth_session as oauth2

        oauth = oauth2.new_session(
            self.settings.client_id, self.session, redirect_uri=redirect_uri, scopes=scopes
        )
        try:
            return oauth2.authorization_url(
                oauth,
                self.settings.authorize_url,
                state=state,
                code_challenge=code_challenge,
                code_challenge_method="S256",
            )
        except oauth2.InsecureTransportError:
            log.warning("Refused to open a Xero sign-in page over plain HTTP")
            raise SignInFailed(reason=oauth2.INSECURE_TRANSPORT) from None

    def run(
        self,
        country_version: str | None = None,
        cancel_event: threading.Event | None = None,
        *,
        on_url: Callable[[str], None] | None = None,
    ) -> TokenSet:
        """Sign in through the system browser; return the new token set (not saved).

        ``on_url`` receives the authorize URL before the browser opens, so the wizard can
        offer "copy the link" when no browser starts. Raises SignInCancelled, SignInTimedOut,
        SignInFailed (SignInPortsBusy), NetworkError or ServiceUnavailable.
        """
        state = new_state()
        verifier = new_code_verifier()
        scopes = scopes_for(country_version)
        if invoicing_turned_on():  # asked only once the user turned invoicing on
            scopes += [s for s in invoice_scopes(self.settings.scopes_legacy) if s not in scopes]
        with LoopbackReceiver(
            self.settings.redirect_ports, state, language=self.language, timeout_s=self.timeout_s
        ) as receiver:
            redirect_uri = receiver.redirect_uri
            url = self.authorize_url(
                redirect_uri=redirect_uri,
                state=state,
                code_challenge=code_challenge(verifier),
                scopes=scopes,
            )
            if on_url is not None:
                on_url(url)
            self._open_browser(url)
            code = receiver.wait(cancel_event)
        return self.exchange_code(code, redirect_uri=redirect_uri, code_verifier=verifier)

    def _open_browser(self, url: str) -> None:
        def target() -> None:
            try:
                opened = self.opener(url)
            except Exception as exc:  # a launcher failure must not kill the sign-in
                log.warning("Could not open the browser for Xero sign-in (%s)", type(exc).__name__)
                return
            if opened is False:
                log.warning(
                    "No browser could be opened for Xero sign-in; "
                    "the user can open the link by hand"
                )

        threading.Thread(target=target, name="xero-signin-browser", daemon=True).start()

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenSet:
        """Code -> tokens. The code is single-use: a failed exchange means signing in again."""
        from core.services.auth import oauth_session as oauth2

        requested_at = self.clock.now()
        oauth = oauth2.new_session(self.settings.client_id, self.session, redirect_uri=redirect_uri)
        try:
            response = oauth2.token_answer(
                oauth.fetch_token,
                self.settings.token_url,
                code=code,
                code_verifier=code_verifier,
                include_client_id=True,
                headers=_HEADERS,
                timeout=_TIMEOUT,
            )
        except oauth2.InsecureTransportError:
            log.warning("Refused to send the Xero code exchange over plain HTTP")
            raise SignInFailed(reason=oauth2.INSECURE_TRANSPORT) from None
        except requests.RequestException as exc:
            log.warning(
                "Xero's token endpoint did not answer the code exchange (%s)", type(exc).__name__
            )
            raise NetworkError(service=SERVICE) from None
        if response.status_code >= 500 or response.status_code == 429:
            log.warning(
                "Xero's token endpoint answered the code exchange with HTTP %d",
                response.status_code,
            )
            raise ServiceUnavailable(service=SERVICE)
        if response.status_code != 200:
            error = _oauth_error(response) or f"HTTP {response.status_code}"
            log.warning("Xero refused the code exchange: %s", error)
            raise SignInFailed(reason=error)
        try:
            tokens = TokenSet.from_token_response(response.json(), requested_at)
        except ValueError:
            log.warning("Xero's code exchange answer was unusable")
            raise SignInFailed(reason="unreadable answer from Xero") from None
        if "offline_access" not in tokens.scopes and tokens.scope:
            log.warning("Xero granted no offline access; the sign-in will not last")
        log.info("Signed in to Xero; access token valid %.0f s", tokens.expires_in(requested_at))
        return tokens


# --------------------------------------------------------------------------- token manager
_KEY_LOCKS: dict[str, threading.Lock] = {}
_KEY_LOCKS_GUARD = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    """One lock per stored key for the whole process: every manager of a key shares it."""
    with _KEY_LOCKS_GUARD:
        return _KEY_LOCKS.setdefault(key, threading.Lock())


NEEDS_REAUTH = "needs_reauth"


class XeroTokenManager:
    """Keeps a valid access token for one stored Xero sign-in (``key`` in ``store``).

    * :meth:`access_token` refreshes when fewer than ``refresh_margin_s`` seconds remain;
      one refresh at a time per key: concurrent callers wait and reuse its result;
    * the rotated token set is written to the store **before** its access token is
      returned. If that write fails, the error is raised, the new set is kept in memory
      and written first on the next call (meanwhile the old refresh token stays valid for
      Xero's 30-minute grace, so even a crash here loses nothing);
    * a refresh whose answer was lost (connection reset, read timeout, truncated body,
      5xx/429) is retried with the **same** old refresh token, after ``retry_delays``;
    * ``invalid_grant`` (expired, revoked, or the grace is over): the stored set is
      replaced by a marker ``{"needs_reauth": true, ...}`` without any token (a dead token
      is worth nothing but could still leak), so :meth:`status` can tell the wizard to
      show "Connect to Xero" again; :class:`ReauthorizationRequired` is raised, now and on
      every later call until a new sign-in is :meth:`save`-d. Before marking, the store is
      re-read: if someone else rotated the set meanwhile, theirs is used instead.
    """

    def __init__(
        self,
        settings: XeroAppSettings,
        store: TokenStoreLike,
        key: str,
        *,
        clock: Clock | None = None,
        session: requests.Session | None = None,
        refresh_margin_s: float = 120.0,
        retry_delays: Sequence[float] = (1.0, 2.0, 4.0, 8.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.store = store
        self.key = key
        self.clock = clock or SystemClock()
        self.session = session or _new_session()
        self.refresh_margin_s = refresh_margin_s
        self.retry_delays = tuple(retry_delays)
        self._sleep = sleep
        self._lock = _lock_for(key)
        self._cached: TokenSet | None = None
        self._unsaved: TokenSet | None = None

    # ------------------------------------------------------------------ state
    def save(self, tokens: TokenSet) -> None:
        """Store the token set of a new sign-in (replaces any previous one or marker)."""
        with self._lock:
            self.store.set_json(self.key, tokens.to_dict())
            self._cached = tokens
            self._unsaved = None

    def status(self) -> str:
        """``"absent"``, ``"needs_reauth"`` or ``"connected"`` (the stored state, no network)."""
        data = self.store.get_json(self.key)
        if data is None:
            return "absent"
        if data.get(NEEDS_REAUTH):
            return "needs_reauth"
        try:
            TokenSet.from_dict(data)
        except ValueError:
            return "needs_reauth"
        return "connected"

    def token_set(self) -> TokenSet | None:
        """The stored set (possibly expired), or None when absent or needing sign-in."""
        data = self.store.get_json(self.key)
        if data is None or data.get(NEEDS_REAUTH):
            return None
        try:
            return TokenSet.from_dict(data)
        except ValueError:
            return None

    def _fresh(self, tokens: TokenSet | None) -> bool:
        return tokens is not None and tokens.expires_in(self.clock.now()) > self.refresh_margin_s

    def _load_locked(self) -> TokenSet:
        """The authoritative set, from the store (with the lock held)."""
        if self._unsaved is not None:
            # A rotation we could not write last time: write it first, then use it.
            self.store.set_json(self.key, self._unsaved.to_dict())
            self._cached, self._unsaved = self._unsaved, None
            log.info("Saved the Xero sign-in that could not be saved earlier")
        data = self.store.get_json(self.key)
        if data is None:
            self._cached = None
            raise ReauthorizationRequired(detail="no stored Xero sign-in")
        if data.get(NEEDS_REAUTH):
            self._cached = None
            raise ReauthorizationRequired(detail="stored Xero sign-in was refused earlier")
        try:
            tokens = TokenSet.from_dict(data)
        except ValueError:
            self._cached = None
            log.warning("The stored Xero sign-in is unreadable; a new sign-in is needed")
            raise ReauthorizationRequired(detail="stored Xero sign-in unreadable") from None
        self._cached = tokens
        return tokens

    # ------------------------------------------------------------------ access
    def access_token(self) -> str:
        """A valid access token, refreshing first when it expires within the margin."""
        cached = self._cached
        if self._unsaved is None and self._fresh(cached):
            assert cached is not None
            return cached.access_token
        with self._lock:
            tokens = self._load_locked()
            if self._fresh(tokens):
                return tokens.access_token  # someone refreshed while we waited
            return self._refresh_locked(tokens).access_token

    def force_refresh(self, rejected_access_token: str | None = None) -> str:
        """Refresh now (e.g. Xero answered 401 to a token we thought valid).

        Pass the access token that was rejected: when another caller has already replaced
        it, its replacement is returned without refreshing again.
        """
        with self._lock:
            tokens = self._load_locked()
            if rejected_access_token is not None and not secrets.compare_digest(
                tokens.access_token.encode(), rejected_access_token.encode()
            ):
                if self._fresh(tokens):
                    return tokens.access_token
            return self._refresh_locked(tokens).access_token

    def _refresh_locked(self, old: TokenSet) -> TokenSet:
        from core.services.auth import oauth_session as oauth2

        attempts = len(self.retry_delays) + 1
        last_failure: type[BridgeError] = NetworkError
        oauth = oauth2.new_session(self.settings.client_id, self.session)
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.retry_delays[attempt - 1])
            requested_at = self.clock.now()
            try:
                # Xero wants the client id in the body (no secret); no scope: keep the grant's.
                response = oauth2.token_answer(
                    oauth.refresh_token,
                    self.settings.token_url,
                    refresh_token=old.refresh_token,
                    client_id=self.settings.client_id,
                    headers=_HEADERS,
                    timeout=_TIMEOUT,
                )
            except oauth2.InsecureTransportError:
                log.warning("Refused to refresh the Xero sign-in over plain HTTP")
                raise ApiError(service=SERVICE, reason=oauth2.INSECURE_TRANSPORT) from None
            except _LOST as exc:
                last_failure = NetworkError
                log.warning(
                    "Xero token refresh got no answer (%s, attempt %d/%d); "
                    "retrying with the same refresh token",
                    type(exc).__name__,
                    attempt + 1,
                    attempts,
                )
                continue
            except requests.RequestException as exc:
                log.warning("Xero token refresh could not be sent (%s)", type(exc).__name__)
                raise NetworkError(service=SERVICE) from None
            status = response.status_code
            if status == 200:
                try:
                    new = TokenSet.from_token_response(response.json(), requested_at, previous=old)
                except (ValueError, *_LOST):
                    last_failure = NetworkError
                    log.warning(
                        "Xero token refresh answer was unreadable (attempt %d/%d); "
                        "retrying with the same refresh token",
                        attempt + 1,
                        attempts,
                    )
                    continue
                self._store_rotated(new)
                log.info(
                    "Refreshed the Xero access token (valid %.0f s)", new.expires_in(requested_at)
                )
                return new
            if status >= 500 or status == 429:
                last_failure = ServiceUnavailable
                log.warning(
                    "Xero token refresh answered HTTP %d (attempt %d/%d); retrying",
                    status,
                    attempt + 1,
                    attempts,
                )
                continue
            error = _oauth_error(response)
            if error == "invalid_grant":
                current = self._read_other_rotation(old)
                if current is not None:
                    log.info("Another part of the app rotated the Xero sign-in meanwhile; using it")
                    if self._fresh(current):
                        return current
                    old = current
                    continue
                self._mark_needs_reauth(old, error)
                raise ReauthorizationRequired(detail="invalid_grant")
            log.warning("Xero refused the token refresh: %s", error or f"HTTP {status}")
            raise ApiError(service=SERVICE, reason=error or f"HTTP {status}")
        log.warning("Xero token refresh failed after %d attempts", attempts)
        raise last_failure(service=SERVICE)

    def _store_rotated(self, new: TokenSet) -> None:
        """Persist the rotated set before anyone uses it (see the class docstring)."""
        try:
            self.store.set_json(self.key, new.to_dict())
        except Exception:
            self._unsaved = new
            self._cached = None
            log.warning("Could not save the refreshed Xero sign-in; will save it on the next call")
            raise
        self._cached = new
        self._unsaved = None

    def _read_other_rotation(self, used: TokenSet) -> TokenSet | None:
        data = self.store.get_json(self.key)
        if not data or data.get(NEEDS_REAUTH):
            return None
        try:
            stored = TokenSet.from_dict(data)
        except ValueError:
            return None
        if secrets.compare_digest(stored.refresh_token.encode(), used.refresh_token.encode()):
            return None
        self._cached = stored
        return stored

    def _mark_needs_reauth(self, old: TokenSet, reason: str) -> None:
        log.warning(
            "Xero no longer accepts the stored sign-in (%s); the user must sign in again", reason
        )
        self._cached = None
        self._unsaved = None
        try:
            self.store.set_json(
                self.key,
                {
                    NEEDS_REAUTH: True,
                    "reason": reason,
                    "marked_at": self.clock.now(),
                    "scope": old.scope,
                },
            )
        except Exception as exc:  # the error to show is still "sign in again"
            log.warning("Could not record that Xero needs a new sign-in (%s)", type(exc).__name__)

    # ------------------------------------------------------------------ revoke
    def revoke(self) -> None:
        """Disconnect: revoke the grant at Xero (all its connections go), forget the tokens.

        The stored sign-in is deleted even when Xero cannot be reached; then
        :class:`RevocationIncomplete` says so (and how to finish in Xero).
        """
        from core.services.auth import oauth_session as oauth2

        with self._lock:
            data = self.store.get_json(self.key)
            refresh = data.get("refresh_token") if isinstance(data, dict) else None
            problem: str | None = None
            try:
                if not oauth2.transport_allowed(self.settings.revocation_url):
                    problem = oauth2.INSECURE_TRANSPORT
                elif isinstance(refresh, str) and refresh:
                    try:
                        response = self.session.post(
                            self.settings.revocation_url,
                            data={
                                "token": refresh,
                                "token_type_hint": "refresh_token",
                                "client_id": self.settings.client_id,
                            },
                            headers=_HEADERS,
                            timeout=_TIMEOUT,
                        )
                    except requests.RequestException as exc:
                        problem = f"no answer: {type(exc).__name__}"
                    else:
                        if response.status_code != 200:
                            problem = _oauth_error(response) or f"HTTP {response.status_code}"
            finally:
                if data is not None:
                    self.store.delete(self.key)
                self._cached = None
                self._unsaved = None
            if problem:
                log.warning("Xero sign-in forgotten here, but revocation failed: %s", problem)
                raise RevocationIncomplete(reason=problem)
            log.info("Disconnected from Xero and forgot the stored sign-in")


# --------------------------------------------------------------------------- Demo Company
def demo_consent_opener(
    tenant_ids: Sequence[str],
    *,
    action: str = "allow",
    timeout_s: float = 10.0,
    on_result: Callable[[int, str], None] | None = None,
) -> Opener:
    """A "browser" for the Demo Company only: consents for ``tenant_ids`` without a human.

    It GETs the simulator's consent page, posts the form back (``tenant`` repeated,
    ``action=allow|deny``) without following the redirect, then GETs the ``Location`` on
    the loopback receiver, as a browser would. Used by tests and by headless commands on
    the Demo Company. Refuses any URL that is not on this computer (never real Xero).
    ``on_result(status, body)`` receives the loopback page's answer. Uses http.client,
    which logs nothing (URLs here carry the state and the code).
    """

    def fetch(method: str, url: str, body: str | None = None) -> http.client.HTTPResponse:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("demo_consent_opener only talks to the Demo Company on this computer")
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout_s)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept-Language": "en"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            response.body = response.read()  # type: ignore[attr-defined]
            return response
        finally:
            conn.close()

    def opener(url: str) -> bool:
        page = fetch("GET", url)
        if page.status != 200:
            raise RuntimeError(f"the consent page answered HTTP {page.status}")
        form = urlencode([("tenant", t) for t in tenant_ids] + [("action", action)])
        answer = fetch("POST", url, form)
        location = answer.getheader("Location")
        if answer.status not in (302, 303) or not location:
            raise RuntimeError(f"the consent form answered HTTP {answer.status}")
        result = fetch("GET", urljoin(url, location))
        if on_result is not None:
            on_result(result.status, result.body.decode("utf-8", "replace"))  # type: ignore[attr-defined]
        return True

    return opener
