"""Demo Company: Xero's identity half (OAuth2 Auth Code + PKCE, consent page, connections).

Serves, under one base URL (the real hosts are login.xero.com, identity.xero.com and
api.xero.com):

* ``GET/POST /identity/connect/authorize`` — the consent page (EN/FR, works without JS);
* ``POST /identity/connect/token`` — code exchange and refresh-token rotation (PKCE, no secret);
* ``POST /identity/connect/revocation`` — revokes a grant and all its connections;
* ``GET /connections`` and ``DELETE /connections/{id}`` — the tenants of a grant.

The API half validates bearer tokens through :meth:`XeroIdentity.check_access`.

It is as strict as the real service (IdentityServer-based): exact redirect URIs, S256 only,
single-use short-lived codes (an exchange attempt burns the code even when it fails),
rotation with a grace window for the previous refresh token, 60-day idle expiry, and no
client secret accepted for this public (PKCE) app. Access and refresh tokens and codes are
opaque random strings; the persisted state keeps only their SHA-256 hashes. The ``id_token``
(scope ``openid``) is an RS256 JWT, as at Xero, verifiable with the keys a standard OIDC
client finds through ``GET /.well-known/openid-configuration`` (``jwks_uri``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from werkzeug.wrappers import Request, Response

from core.sandbox.common import Clock, CompanyStore, json_response
from core.sandbox.i18n_pages import STRINGS, pick_lang, tr
from core.sandbox.xero_config import XeroConfig

log = logging.getLogger(__name__)

STATE_KEY = "xero_identity"
STATE_VERSION = 1

AUTHORIZE_PATH = "/identity/connect/authorize"
TOKEN_PATH = "/identity/connect/token"  # noqa: S105 (a path, not a secret)
REVOCATION_PATH = "/identity/connect/revocation"
CONNECTIONS_PATH = "/connections"
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/.well-known/openid-configuration/jwks"  # Xero's jwks_uri has this path
ID_TOKEN_TTL = 300  # Xero's id_token lives 5 minutes (its exp - iat)
# The simulator's one Xero user (the person at the keyboard), as the id_token describes them.
DEMO_USER_EMAIL = "demo.user@maisonverdure.example"
DEMO_USER_GIVEN_NAME = "Demo"
DEMO_USER_FAMILY_NAME = "User"

# The registered app the Demo Company's consent page names.
DEMO_APP_NAME = "QB Time Bridge"
# The simulator has one Xero user: the person at the keyboard.
DEMO_USER_ID = "demo-user"

# Scope names Xero knows (references/xero-api.md §2.4, including the 2026 granular ones).
IDENTITY_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_RW = (
    "accounting.contacts",
    "accounting.settings",
    "accounting.transactions",
    "accounting.attachments",
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
    "accounting.classicexpenses",
    "payroll.employees",
    "payroll.payruns",
    "payroll.payslip",
    "payroll.settings",
    "payroll.timesheets",
    "projects",
    "files",
    "assets",
)
_READ_ONLY = (
    "accounting.journals.read",
    "accounting.reports.read",
    "accounting.reports.tenninetynine.read",
    "accounting.budgets.read",
    "accounting.reports.aged.read",
    "accounting.reports.balancesheet.read",
    "accounting.reports.banksummary.read",
    "accounting.reports.budgetsummary.read",
    "accounting.reports.executivesummary.read",
    "accounting.reports.profitandloss.read",
    "accounting.reports.trialbalance.read",
    "accounting.reports.taxreports.read",
)
KNOWN_SCOPES: frozenset[str] = frozenset(
    IDENTITY_SCOPES | set(_RW) | {s + ".read" for s in _RW} | set(_READ_ONLY) | {"paymentservices"}
)

# PKCE (RFC 7636 §4.1): 43-128 unreserved characters.
_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_MAX_STATE_LEN = 2000


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _issuer(request: Request) -> str:
    """The simulator's own base URL: it stands for identity.xero.com."""
    return request.host_url.rstrip("/")


class SigningKey:
    """An RS256 key (``cryptography``) with its JWK and compact JWT signing."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self.key = key
        numbers = key.public_key().public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        self.kid = hashlib.sha256(n).hexdigest()[:32].upper()
        self.jwk = {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url(n),
            "e": _b64url(e),
        }

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def load(cls, pem: str) -> SigningKey | None:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        return cls(key) if isinstance(key, rsa.RSAPrivateKey) else None

    def pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def sign_jwt(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode("utf-8"))
            for part in (header, claims)
        )
        signature = self.key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return signing_input + "." + _b64url(signature)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def pkce_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (S256)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def dotnet_utc(ts: float) -> str:
    """``2019-12-07T18:46:19.5165400``: the form of ``createdDateUtc`` on /connections."""
    dt = datetime.fromtimestamp(ts, UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond:06d}0"


def problem_response(status: int, title: str, detail: str) -> Response:
    """Xero's API error body for 401/403/404 (references §6)."""
    return json_response(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
        status=status,
    )


def unauthorized_response(detail: str = "AuthorizationUnsuccessful") -> Response:
    return problem_response(401, "Unauthorized", detail)


def forbidden_response(detail: str = "AuthenticationUnsuccessful") -> Response:
    """What a tenant answers to a token that has no connection to it (for the API half)."""
    return problem_response(403, "Forbidden", detail)


def _oauth_error(error: str, description: str | None = None, status: int = 400) -> Response:
    body: dict[str, str] = {"error": error}
    if description:
        body["error_description"] = description
    return json_response(
        body, status=status, headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


def _method_not_allowed(allowed: str) -> Response:
    return Response("", status=405, headers={"Allow": allowed})


@dataclass(frozen=True)
class AccessResult:
    """Outcome of validating ``Authorization: Bearer <access token>``.

    ``tenant_ids`` are the tenants the grant is connected to *now* (a deleted connection
    disappears at once); ``scopes`` are the access token's scopes; ``client_id`` is the
    app (OAuth client id) the token was issued to.
    """

    ok: bool
    error: Response | None
    grant_id: str | None
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    client_id: str | None = None


@dataclass
class _AuthorizeRequest:
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str
    nonce: str | None = None


class _PageError(Exception):
    """The authorize request cannot be trusted to redirect: show an error page (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _RedirectError(Exception):
    """The authorize request is bad but the redirect URI is trusted: tell the client there."""

    def __init__(self, redirect_uri: str, error: str, state: str | None) -> None:
        super().__init__(error)
        self.redirect_uri, self.error, self.state = redirect_uri, error, state


def _with_query(url: str, params: dict[str, str | None]) -> str:
    query = urlencode([(k, v) for k, v in params.items() if v is not None])
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location, "Cache-Control": "no-store"})


def _scope_words(scope: str, lang: str) -> str:
    """A scope in plain words: ``accounting.contacts.read`` -> "View your contacts"."""
    if scope in IDENTITY_SCOPES:
        return tr(f"scope.{scope}", lang)
    read = scope.endswith(".read")
    parts = scope.removesuffix(".read").split(".")
    what = scope
    # Longest known resource prefix: accounting.reports.aged -> accounting.reports.
    for n in range(len(parts), 0, -1):
        key = "res." + ".".join(parts[:n])
        if key in STRINGS:
            what = tr(key, lang)
            break
    return tr("scope.read" if read else "scope.write", lang, what=what)


def _esc(text: str) -> str:
    """Escape for an HTML text node or a double-quoted attribute."""
    return html.escape(text, quote=True)


def _text(text: str) -> str:
    """Escape for a text node (keeps apostrophes readable in the page source)."""
    return html.escape(text, quote=False)


class XeroIdentity:
    """Xero's identity service for one registered PKCE app (``config.client_id``)."""

    def __init__(self, store: CompanyStore, clock: Clock, config: XeroConfig) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        with store.lock:
            state = store.private.setdefault(STATE_KEY, {})
            state.setdefault("version", STATE_VERSION)
            for key in (
                "grants",
                "codes",
                "refresh_tokens",
                "access_tokens",
                "tenant_first_connected",
            ):
                state.setdefault(key, {})

    # ------------------------------------------------------------------ plumbing
    @property
    def _state(self) -> dict[str, Any]:
        return self.store.private[STATE_KEY]

    def _save(self) -> None:
        self._prune(self.clock.now())
        self.store.save("private")

    def _prune(self, now: float) -> None:
        """Forget what can no longer be used (bounded state; answers do not change)."""
        st = self._state
        cfg = self.config
        for h, code in list(st["codes"].items()):
            if now >= code["issued_at"] + cfg.code_ttl:
                del st["codes"][h]
        for h, rt in list(st["refresh_tokens"].items()):
            if not self._refresh_usable(rt, now):
                del st["refresh_tokens"][h]
        # Expired access tokens are kept a while so that they answer "TokenExpired", as a
        # real (self-describing) Xero token would, rather than "AuthorizationUnsuccessful".
        for h, at in list(st["access_tokens"].items()):
            if now >= at["expires_at"] + cfg.refresh_token_ttl:
                del st["access_tokens"][h]

    def _refresh_usable(self, rt: dict[str, Any], now: float) -> bool:
        if rt.get("rotated_at") is None:
            return now < rt["issued_at"] + self.config.refresh_token_ttl
        return now < rt["rotated_at"] + self.config.refresh_grace

    def _active_grant(
        self, client_id: str, user_id: str = DEMO_USER_ID
    ) -> tuple[str, dict[str, Any]] | None:
        for gid, grant in self._state["grants"].items():
            if (
                grant["client_id"] == client_id
                and grant["user_id"] == user_id
                and grant.get("revoked_at") is None
            ):
                return gid, grant
        return None

    def _live_tenant_ids(self, grant: dict[str, Any]) -> frozenset[str]:
        return frozenset(
            c["tenantId"]
            for c in grant["connections"].values()
            if self.store.xero_org(c["tenantId"]) is not None
        )

    # ------------------------------------------------------------------ dispatch
    def handle(self, request: Request) -> Response | None:
        """Answer requests for the identity paths; None for any other path."""
        path = request.path.lower()
        if path == AUTHORIZE_PATH:
            if request.method not in ("GET", "POST"):
                return _method_not_allowed("GET, POST")
            return self._authorize(request)
        if path == TOKEN_PATH:
            if request.method != "POST":
                return _method_not_allowed("POST")
            return self._token(request)
        if path == REVOCATION_PATH:
            if request.method != "POST":
                return _method_not_allowed("POST")
            return self._revocation(request)
        if path in (DISCOVERY_PATH, JWKS_PATH):
            if request.method != "GET":
                return _method_not_allowed("GET")
            if path == JWKS_PATH:
                return json_response({"keys": [self._signing_key().jwk]})
            return json_response(self._discovery(_issuer(request)))
        if path == CONNECTIONS_PATH:
            if request.method != "GET":
                return _method_not_allowed("GET")
            return self._get_connections(request)
        if path.startswith(CONNECTIONS_PATH + "/") and path.count("/") == 2:
            if request.method != "DELETE":
                return _method_not_allowed("DELETE")
            return self._delete_connection(request, request.path.split("/")[2])
        return None

    # ------------------------------------------------------------------ bearer tokens
    def check_access(self, request: Request) -> AccessResult:
        """Validate the request's bearer access token (used by the API half too)."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return AccessResult(False, unauthorized_response(), None)
        now = self.clock.now()
        with self.store.lock:
            rec = self._state["access_tokens"].get(_sha256(token))
            grant = self._state["grants"].get(rec["grant_id"]) if rec else None
            if rec is None or grant is None or grant.get("revoked_at") is not None:
                return AccessResult(False, unauthorized_response(), None)
            if now >= rec["expires_at"]:
                when = datetime.fromtimestamp(rec["expires_at"], UTC)
                detail = f"TokenExpired: token expired at {when:%m/%d/%Y %H:%M:%S}"
                return AccessResult(False, unauthorized_response(detail), rec["grant_id"])
            return AccessResult(
                True,
                None,
                rec["grant_id"],
                self._live_tenant_ids(grant),
                frozenset(rec["scopes"]),
                rec.get("client_id") or grant.get("client_id"),
            )

    # ------------------------------------------------------------------ authorize
    def _validate_authorize(self, args: Any) -> _AuthorizeRequest:
        client_id = args.get("client_id", "")
        if not client_id or client_id != self.config.client_id:
            raise _PageError("unauthorized_client : Unknown client or client not enabled")
        redirect_uri = args.get("redirect_uri", "")
        # Exact string match (scheme, host, port, path): Xero does no loopback port magic.
        if not redirect_uri or redirect_uri not in self.config.redirect_uris:
            raise _PageError("unauthorized_client : Invalid redirect_uri")
        state = args.get("state")
        if state is not None and len(state) > _MAX_STATE_LEN:
            raise _RedirectError(redirect_uri, "invalid_request", None)
        response_type = args.get("response_type")
        if not response_type:
            raise _RedirectError(redirect_uri, "invalid_request", state)
        if response_type != "code":
            raise _RedirectError(redirect_uri, "unsupported_response_type", state)
        challenge = args.get("code_challenge", "")
        if not challenge or not 43 <= len(challenge) <= 128:
            raise _RedirectError(redirect_uri, "invalid_request", state)
        if args.get("code_challenge_method") != "S256":
            raise _RedirectError(redirect_uri, "invalid_request", state)
        scopes: list[str] = []
        for s in args.get("scope", "").split(" "):
            if s and s not in scopes:
                scopes.append(s)
        if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
            raise _RedirectError(redirect_uri, "invalid_scope", state)
        nonce = args.get("nonce")
        if nonce is not None and len(nonce) > _MAX_STATE_LEN:
            raise _RedirectError(redirect_uri, "invalid_request", state)
        return _AuthorizeRequest(client_id, redirect_uri, scopes, state, challenge, nonce)

    def _authorize(self, request: Request) -> Response:
        lang = pick_lang(request)
        try:
            authz = self._validate_authorize(request.args)
        except _PageError as exc:
            return self._error_page(exc.message, lang)
        except _RedirectError as exc:
            return _redirect(
                _with_query(exc.redirect_uri, {"error": exc.error, "state": exc.state})
            )
        if request.method == "GET":
            return self._consent_page(request, authz, lang)

        action = request.form.get("action")
        if action == "deny":
            return _redirect(
                _with_query(authz.redirect_uri, {"error": "access_denied", "state": authz.state})
            )
        if action != "allow":
            return self._error_page("invalid_request : Unknown action", lang)
        tenants: list[str] = []
        for t in request.form.getlist("tenant"):
            if t not in tenants:
                tenants.append(t)
        with self.store.lock:
            if any(self.store.xero_org(t) is None for t in tenants):
                return self._error_page("invalid_request : Unknown organisation", lang)
            if not tenants:
                return self._consent_page(request, authz, lang, error=tr("consent.no_org", lang))
            code = self._consent(authz, tenants)
        return _redirect(
            _with_query(
                authz.redirect_uri,
                {
                    "code": code,
                    "scope": " ".join(authz.scopes),
                    "state": authz.state,
                    "session_state": secrets.token_urlsafe(32),
                },
            )
        )

    def _consent(self, authz: _AuthorizeRequest, tenants: list[str]) -> str:
        """The user allowed access: connect the tenants to the user's grant, mint a code."""
        now = self.clock.now()
        st = self._state
        found = self._active_grant(authz.client_id)
        if found is None:
            grant_id = str(uuid.uuid4())
            grant: dict[str, Any] = {
                "client_id": authz.client_id,
                "user_id": DEMO_USER_ID,
                "scopes": [],
                "created_at": now,
                "revoked_at": None,
                "connections": {},
            }
            st["grants"][grant_id] = grant
        else:
            grant_id, grant = found
        # "Scopes are additive": new scopes are added to the previously consented ones.
        grant["scopes"] = grant["scopes"] + [s for s in authz.scopes if s not in grant["scopes"]]
        auth_event_id = str(uuid.uuid4())
        by_tenant = {c["tenantId"]: c for c in grant["connections"].values()}
        for tenant_id in tenants:
            conn = by_tenant.get(tenant_id)
            if conn is None:
                first = st["tenant_first_connected"].setdefault(tenant_id, now)
                conn_id = str(uuid.uuid4())
                grant["connections"][conn_id] = {
                    "id": conn_id,
                    "tenantId": tenant_id,
                    "authEventId": auth_event_id,
                    "created_at": first,
                    "updated_at": now,
                }
            else:
                conn["authEventId"] = auth_event_id
                conn["updated_at"] = now
        code = secrets.token_urlsafe(48)
        st["codes"][_sha256(code)] = {
            "client_id": authz.client_id,
            "redirect_uri": authz.redirect_uri,
            "code_challenge": authz.code_challenge,
            "scopes": list(authz.scopes),
            "grant_id": grant_id,
            "auth_event_id": auth_event_id,
            "nonce": authz.nonce,
            "issued_at": now,
        }
        self._save()
        return code

    # ------------------------------------------------------------------ pages
    def _page(self, title: str, body: str, lang: str, status: int) -> Response:
        doc = (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_text(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}"
            ".error{color:#b00020}label{display:block;margin:.3em 0}"
            "button{margin:1em .5em 0 0;padding:.5em 1.2em}</style>"
            f"</head><body>{body}</body></html>"
        )
        return Response(
            doc,
            status=status,
            content_type="text/html; charset=utf-8",
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": "default-src 'none'; "
                "style-src 'unsafe-inline'; form-action 'self'",
            },
        )

    def _error_page(self, message: str, lang: str) -> Response:
        title = tr("error.title", lang)
        body = (
            f'<h1>{_text(title)}</h1><p class="error" id="error">{_text(message)}</p>'
            f"<p>{_text(tr('error.hint', lang))}</p>"
        )
        return self._page(title, body, lang, 400)

    def _consent_page(
        self, request: Request, authz: _AuthorizeRequest, lang: str, error: str | None = None
    ) -> Response:
        with self.store.lock:
            found = self._active_grant(authz.client_id)
            connected = self._live_tenant_ids(found[1]) if found else frozenset()
            orgs = [dict(o) for o in self.store.xero_orgs]
        title = tr("consent.title", lang, app=DEMO_APP_NAME)
        action = request.path + "?" + request.query_string.decode("latin-1")
        parts = [
            f"<h1>{_text(title)}</h1>",
            f"<p>{_text(tr('consent.intro', lang, app=DEMO_APP_NAME))}</p>",
        ]
        if error:
            parts.append(f'<p class="error" id="error" role="alert">{_text(error)}</p>')
        parts.append(f'<form method="post" action="{_esc(action)}">')
        parts.append(f"<fieldset><legend>{_text(tr('consent.orgs', lang))}</legend>")
        if not orgs:
            parts.append(f"<p>{_text(tr('consent.no_orgs_available', lang))}</p>")
        for i, org in enumerate(orgs):
            tenant_id = str(org.get("tenantId", ""))
            info = org.get("Organisation") or {}
            name = str(org.get("tenantName") or info.get("Name") or tenant_id)
            country = str(info.get("CountryCode") or org.get("CountryCode") or "")
            label = name + (f" ({country})" if country else "")
            if tenant_id in connected:
                label += f" — {tr('consent.connected', lang)}"
            parts.append(
                f'<label><input type="checkbox" name="tenant" id="tenant-{i}" '
                f'value="{_esc(tenant_id)}"> {_text(label)}</label>'
            )
        parts.append("</fieldset>")
        parts.append(f"<p>{_text(tr('consent.scopes', lang))}</p><ul>")
        for scope in authz.scopes:
            parts.append(f'<li data-scope="{_esc(scope)}">{_text(_scope_words(scope, lang))}</li>')
        parts.append("</ul>")
        parts.append(
            f'<button type="submit" name="action" value="allow">'
            f"{_text(tr('consent.allow', lang))}</button>"
        )
        parts.append(
            f'<button type="submit" name="action" value="deny">'
            f"{_text(tr('consent.deny', lang))}</button>"
        )
        parts.append("</form>")
        return self._page(title, "".join(parts), lang, 200)

    # ------------------------------------------------------------------ token endpoint
    def _client_error(self, request: Request) -> Response | None:
        """Common client checks of the token and revocation endpoints (public PKCE app)."""
        if request.mimetype != "application/x-www-form-urlencoded":
            return _oauth_error("invalid_request")
        form = request.form
        # A PKCE app has no secret: any attempt to authenticate with one fails.
        if (
            request.headers.get("Authorization")
            or "client_secret" in form
            or "client_assertion" in form
        ):
            return _oauth_error("invalid_client")
        if form.get("client_id") != self.config.client_id:
            return _oauth_error("invalid_client")
        return None

    def _token(self, request: Request) -> Response:
        bad = self._client_error(request)
        if bad is not None:
            return bad
        grant_type = request.form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(request.form, _issuer(request))
        if grant_type == "refresh_token":
            return self._refresh(request.form, _issuer(request))
        if grant_type in (
            "client_credentials",
            "password",
            "implicit",
            "urn:ietf:params:oauth:grant-type:device_code",
        ):
            return _oauth_error("unauthorized_client")
        return _oauth_error("unsupported_grant_type")

    def _issue(
        self,
        grant_id: str,
        client_id: str,
        scopes: list[str],
        *,
        with_refresh: bool,
        with_id_token: bool,
        issuer: str = "",
        nonce: str | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        st = self._state
        access = secrets.token_urlsafe(64)
        st["access_tokens"][_sha256(access)] = {
            "grant_id": grant_id,
            "client_id": client_id,
            "scopes": list(scopes),
            "issued_at": now,
            "expires_at": now + self.config.access_token_ttl,
        }
        answer: dict[str, Any] = {}
        if with_id_token:
            answer["id_token"] = self._id_token(issuer, client_id, scopes, access, now, nonce)
        answer.update(
            {
                "access_token": access,
                "expires_in": self.config.access_token_ttl,
                "token_type": "Bearer",
            }
        )
        if with_refresh:
            refresh = secrets.token_urlsafe(48)
            st["refresh_tokens"][_sha256(refresh)] = {
                "grant_id": grant_id,
                "client_id": client_id,
                "scopes": list(scopes),
                "issued_at": now,
                "rotated_at": None,
            }
            answer["refresh_token"] = refresh
        answer["scope"] = " ".join(scopes)
        return answer

    def _token_answer(self, payload: dict[str, Any]) -> Response:
        return json_response(payload, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _exchange_code(self, form: Any, issuer: str) -> Response:
        code = form.get("code")
        if not code:
            return _oauth_error("invalid_grant")
        now = self.clock.now()
        with self.store.lock:
            st = self._state
            # Single use: the code is gone as soon as it is presented, even if the rest fails.
            rec = st["codes"].pop(_sha256(code), None)
            if rec is None:
                return _oauth_error("invalid_grant")
            try:
                if now >= rec["issued_at"] + self.config.code_ttl:
                    return _oauth_error("invalid_grant")
                if rec["client_id"] != form.get("client_id"):
                    return _oauth_error("invalid_grant")
                redirect_uri = form.get("redirect_uri")
                if not redirect_uri:
                    return _oauth_error("invalid_request", "redirect_uri is missing")
                if redirect_uri != rec["redirect_uri"]:
                    return _oauth_error("unauthorized_client", "Invalid redirect_uri")
                verifier = form.get("code_verifier", "")
                if not _VERIFIER_RE.match(verifier):
                    return _oauth_error("invalid_grant")
                if not secrets.compare_digest(pkce_challenge(verifier), rec["code_challenge"]):
                    return _oauth_error("invalid_grant")
                grant = st["grants"].get(rec["grant_id"])
                if grant is None or grant.get("revoked_at") is not None:
                    return _oauth_error("invalid_grant")
                requested = rec["scopes"]
                scopes = list(grant["scopes"])
                for s in requested:
                    if s not in scopes:
                        scopes.append(s)
                answer = self._issue(
                    rec["grant_id"],
                    rec["client_id"],
                    scopes,
                    with_refresh="offline_access" in requested,
                    with_id_token="openid" in requested,
                    issuer=issuer,
                    nonce=rec.get("nonce"),
                )
            finally:
                self._save()
        return self._token_answer(answer)

    def _refresh(self, form: Any, issuer: str) -> Response:
        token = form.get("refresh_token")
        if not token:
            return _oauth_error("invalid_request")
        now = self.clock.now()
        with self.store.lock:
            st = self._state
            h = _sha256(token)
            rec = st["refresh_tokens"].get(h)
            if rec is None or rec["client_id"] != form.get("client_id"):
                return _oauth_error("invalid_grant")
            grant = st["grants"].get(rec["grant_id"])
            if grant is None or grant.get("revoked_at") is not None:
                return _oauth_error("invalid_grant")
            if not self._refresh_usable(rec, now):
                del st["refresh_tokens"][h]
                self._save()
                return _oauth_error("invalid_grant")
            scopes = list(rec["scopes"])
            asked = form.get("scope")
            if asked is not None:
                narrowed = [s for s in dict.fromkeys(asked.split(" ")) if s]
                if not narrowed or any(s not in scopes for s in narrowed):
                    return _oauth_error("invalid_scope")
                scopes = narrowed
            if rec.get("rotated_at") is None:
                rec["rotated_at"] = now  # the grace window starts at the first rotation
            answer = self._issue(
                rec["grant_id"],
                rec["client_id"],
                scopes,
                with_refresh=True,
                with_id_token="openid" in scopes,
                issuer=issuer,
            )
            self._save()
        return self._token_answer(answer)

    # ------------------------------------------------------------------ OpenID Connect
    def _signing_key(self) -> SigningKey:
        """The RSA key id_tokens are signed with; made once per Demo Company state."""
        with self.store.lock:
            pem = self._state.get("signing_key_pem")
            key = SigningKey.load(pem) if pem else None
            if key is None:
                key = SigningKey.generate()
                self._state["signing_key_pem"] = key.pem()
                self.store.save("private")
            return key

    def _discovery(self, issuer: str) -> dict[str, Any]:
        """The OpenID discovery document (the fields an OIDC client reads, as Xero lists them)."""
        return {
            "issuer": issuer,
            "jwks_uri": issuer + JWKS_PATH,
            "authorization_endpoint": issuer + AUTHORIZE_PATH,
            "token_endpoint": issuer + TOKEN_PATH,
            "revocation_endpoint": issuer + REVOCATION_PATH,
            "scopes_supported": sorted(KNOWN_SCOPES),
            "claims_supported": [
                "sub",
                "email",
                "given_name",
                "family_name",
                "name",
                "preferred_username",
                "xero_userid",
                "global_session_id",
                "auth_time",
                "nonce",
                "at_hash",
                "sid",
            ],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "request_parameter_supported": False,
        }

    def _id_token(
        self,
        issuer: str,
        client_id: str,
        scopes: list[str],
        access_token: str,
        now: float,
        nonce: str | None,
    ) -> str:
        digest = hashlib.sha256(access_token.encode("ascii")).digest()
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": client_id,
            "exp": int(now) + ID_TOKEN_TTL,
            "nbf": int(now),
            "iat": int(now),
            "auth_time": int(now),
            "sub": uuid.uuid5(uuid.NAMESPACE_URL, "xero-demo-user:" + DEMO_USER_ID).hex,
            "xero_userid": str(uuid.uuid5(uuid.NAMESPACE_URL, "xero-demo-user:" + DEMO_USER_ID)),
            "global_session_id": secrets.token_hex(16),
            "sid": secrets.token_hex(16),
            "at_hash": _b64url(digest[: len(digest) // 2]),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if "email" in scopes:
            claims["email"] = DEMO_USER_EMAIL
        if "profile" in scopes:
            claims.update(
                {
                    "given_name": DEMO_USER_GIVEN_NAME,
                    "family_name": DEMO_USER_FAMILY_NAME,
                    "name": f"{DEMO_USER_GIVEN_NAME} {DEMO_USER_FAMILY_NAME}",
                    "preferred_username": DEMO_USER_EMAIL,
                }
            )
        return self._signing_key().sign_jwt(claims)

    # ------------------------------------------------------------------ revocation
    def _revocation(self, request: Request) -> Response:
        bad = self._client_error(request)
        if bad is not None:
            return bad
        token = request.form.get("token")
        if not token:
            return _oauth_error("invalid_request")
        hint = request.form.get("token_type_hint")
        if hint is not None and hint not in ("refresh_token", "access_token"):
            return _oauth_error("unsupported_token_type")
        with self.store.lock:
            st = self._state
            rec = st["refresh_tokens"].get(_sha256(token))
            # Unknown tokens answer 200 too (RFC 7009 §2.2). An access token cannot be
            # revoked (at Xero it is a self-contained JWT): 200, nothing happens.
            if rec is not None and rec["client_id"] == request.form.get("client_id"):
                self._revoke_grant(rec["grant_id"])
                self._save()
        return Response("", status=200, headers={"Cache-Control": "no-store"})

    def _revoke_grant(self, grant_id: str) -> None:
        st = self._state
        grant = st["grants"].get(grant_id)
        if grant is None:
            return
        grant["revoked_at"] = self.clock.now()
        grant["connections"] = {}
        for table in ("refresh_tokens", "access_tokens", "codes"):
            for h, rec in list(st[table].items()):
                if rec["grant_id"] == grant_id:
                    del st[table][h]

    # ------------------------------------------------------------------ connections
    def _connection_json(self, conn: dict[str, Any]) -> dict[str, Any] | None:
        org = self.store.xero_org(conn["tenantId"])
        if org is None:
            return None
        name = org.get("tenantName") or (org.get("Organisation") or {}).get("Name") or ""
        return {
            "id": conn["id"],
            "authEventId": conn["authEventId"],
            "tenantId": conn["tenantId"],
            "tenantType": org.get("tenantType") or "ORGANISATION",
            "tenantName": name,
            "createdDateUtc": dotnet_utc(conn["created_at"]),
            "updatedDateUtc": dotnet_utc(conn["updated_at"]),
        }

    def _get_connections(self, request: Request) -> Response:
        access = self.check_access(request)
        if not access.ok:
            assert access.error is not None
            return access.error
        wanted: str | None = None
        if "authEventId" in request.args:
            try:
                wanted = str(uuid.UUID(request.args["authEventId"]))
            except ValueError:
                return problem_response(
                    400, "BadRequest", "The value is not valid for authEventId."
                )
        with self.store.lock:
            grant = self._state["grants"][access.grant_id]
            conns = sorted(grant["connections"].values(), key=lambda c: c["created_at"])
            out = []
            for conn in conns:
                if wanted is not None and conn["authEventId"] != wanted:
                    continue
                item = self._connection_json(conn)
                if item is not None:
                    out.append(item)
        return json_response(out)

    def _delete_connection(self, request: Request, raw_id: str) -> Response:
        access = self.check_access(request)
        if not access.ok:
            assert access.error is not None
            return access.error
        not_found = problem_response(404, "NotFound", "Resource not found")
        try:
            conn_id = str(uuid.UUID(raw_id))
        except ValueError:
            return not_found
        with self.store.lock:
            grant = self._state["grants"][access.grant_id]
            if conn_id not in grant["connections"]:
                return not_found
            del grant["connections"][conn_id]
            self._save()
        resp = Response(status=204)
        del resp.headers["Content-Type"]
        return resp
