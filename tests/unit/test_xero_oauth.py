"""Xero sign-in (PKCE through the loopback), refresh with rotation, revocation, settings.

End to end against the Demo Company's Xero identity simulator, on 127.0.0.1, with a
ManualClock for expiry. The redirect ports are picked free per test (and registered with
the simulator) so parallel runs cannot collide; the product's defaults are checked apart.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import re
import threading
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import requests_oauthlib
from werkzeug.wrappers import Request, Response

from core.errors import (
    ApiError,
    NetworkError,
    ReauthorizationRequired,
    RevocationIncomplete,
    SettingsFileInvalid,
    SignInCancelled,
    SignInFailed,
    SignInPortsBusy,
    SignInTimedOut,
    XeroAppNotConfigured,
    XeroRedirectPortsInvalid,
)
from core.i18n import tr
from core.sandbox.common import (
    CompanyStore,
    FaultMiddleware,
    FaultPlan,
    ManualClock,
    SimServer,
    json_response,
)
from core.sandbox.xero_config import (
    DEFAULT_REDIRECT_PORTS,
    DEMO_CLIENT_ID,
    XeroConfig,
    demo_xero_settings,
)
from core.sandbox.xero_identity import XeroIdentity, pkce_challenge
from core.services.auth.xero_oauth import (
    BASE_SCOPES,
    PAYROLL_SCOPES,
    TokenSet,
    XeroSignIn,
    XeroTokenManager,
    code_challenge,
    demo_consent_opener,
    missing_scopes,
    new_code_verifier,
    scopes_for,
)
from core.store.settings import (
    XERO_AUTHORIZE_URL,
    XERO_TOKEN_URL,
    XeroAppSettings,
    load_xero_settings,
    loopback_redirect_uri,
)
from tests.ports import free_ports, held, occupy

AU_TENANT = "8a7e3c4e-1b2d-4f60-9a1b-2c3d4e5f6a7b"
UK_TENANT = "0f1e2d3c-4b5a-4697-8877-665544332211"
COMPANY = {
    "xero": {
        "organisations": [
            {
                "tenantId": AU_TENANT,
                "tenantName": "Demo Landscaping (AU)",
                "tenantType": "ORGANISATION",
                "Organisation": {
                    "Name": "Demo Landscaping (AU)",
                    "CountryCode": "AU",
                    "Version": "AU",
                },
            },
            {
                "tenantId": UK_TENANT,
                "tenantName": "Demo Landscaping (UK)",
                "tenantType": "ORGANISATION",
                "Organisation": {
                    "Name": "Demo Landscaping (UK)",
                    "CountryCode": "GB",
                    "Version": "UK",
                },
            },
        ]
    }
}
KEY = "xero:test-user"
REAUTH_EN = (
    'Xero needs you to sign in again. Click "Connect to Xero" to reconnect; your settings are kept.'
)


# --------------------------------------------------------------------------- helpers
class Sim:
    """The Xero identity simulator behind a FaultPlan, on an ephemeral 127.0.0.1 port."""

    def __init__(self, ports: list[int], clock: ManualClock) -> None:
        self.clock = clock
        self.store = CompanyStore.from_dict(COMPANY)
        self.config = XeroConfig(redirect_uris=[f"http://localhost:{p}/callback" for p in ports])
        self.identity = XeroIdentity(self.store, clock, self.config)
        self.faults = FaultPlan()
        app = FaultMiddleware(
            self._wsgi,
            self.faults,
            lambda status: json_response({"error": "server_error"}, status),
            exempt=lambda path: path == "/identity/connect/authorize",
        )
        self.server = SimServer(app).start()

    def _wsgi(self, environ, start_response):
        response = self.identity.handle(Request(environ)) or Response("not found", status=404)
        return response(environ, start_response)

    @property
    def base(self) -> str:
        return self.server.base_url

    def grant(self) -> dict:
        grants = self.store.private["xero_identity"]["grants"]
        assert len(grants) == 1
        return next(iter(grants.values()))

    def connections(self, access_token: str) -> requests.Response:
        with requests.Session() as s:
            s.trust_env = False
            return s.get(
                self.base + "/connections",
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=5,
            )


class RecordingSession(requests.Session):
    """A real session that remembers what was posted and answered (and can slow refreshes)."""

    def __init__(self, events: list | None = None, refresh_delay: float = 0.0) -> None:
        super().__init__()
        self.trust_env = False
        self.calls: list[tuple[str, str, dict, dict]] = []
        self.answers: list[dict] = []
        self.events = events if events is not None else []
        self.refresh_delay = refresh_delay

    def request(self, method, url, *args, **kwargs):
        data = dict(kwargs.get("data") or {})
        self.calls.append((method, url, data, dict(kwargs.get("headers") or {})))
        if data.get("grant_type"):
            self.events.append(("post", data["grant_type"], data.get("refresh_token")))
        if data.get("grant_type") == "refresh_token" and self.refresh_delay:
            time.sleep(self.refresh_delay)
        response = super().request(method, url, *args, **kwargs)
        if "json" in response.headers.get("Content-Type", "") and response.content:
            self.answers.append(response.json())
        return response

    def token_posts(self, grant_type: str) -> list[dict]:
        return [d for m, u, d, h in self.calls if d.get("grant_type") == grant_type]


class RecordingStore:
    """A dict-backed token store (get_json/set_json/delete) that logs every write."""

    def __init__(self, events: list | None = None) -> None:
        self.data: dict[str, str] = {}
        self.events = events if events is not None else []
        self.fail_next_set = 0

    def get_json(self, key):
        raw = self.data.get(key)
        return json.loads(raw) if raw is not None else None

    def set_json(self, key, value):
        if self.fail_next_set:
            self.fail_next_set -= 1
            raise OSError("keyring locked")
        self.data[key] = json.dumps(value)
        self.events.append(("set", value.get("refresh_token")))

    def delete(self, key):
        del self.data[key]
        self.events.append(("delete", key))


@pytest.fixture
def clock():
    return ManualClock(start=1_800_000_000.0)


@pytest.fixture
def ports():
    return free_ports(3)


@pytest.fixture
def sim(ports, clock):
    with held(ports):  # else the kernel may hand the simulator one of the ports just freed
        s = Sim(ports, clock)
    assert s.server.port not in ports
    yield s
    s.server.stop()


@pytest.fixture
def settings(sim, ports):
    return replace(demo_xero_settings(sim.base), redirect_ports=tuple(ports))


@pytest.fixture
def events():
    return []


@pytest.fixture
def session(events):
    s = RecordingSession(events)
    yield s
    s.close()


def sign_in(settings, session, clock, *, tenants=(AU_TENANT,), version="AU", pages=None, **kwargs):
    opener = demo_consent_opener(
        list(tenants),
        on_result=(lambda st, body: pages.append((st, body))) if pages is not None else None,
    )
    flow = XeroSignIn(
        settings,
        opener=opener,
        session=session,
        clock=clock,
        language="en",
        timeout_s=kwargs.pop("timeout_s", 10),
        **kwargs,
    )
    return flow.run(version)


@pytest.fixture
def manager_factory(settings, session, clock, events):
    sleeps: list[float] = []

    def make(store=None, **kwargs):
        store = store or RecordingStore(events)
        kwargs.setdefault("retry_delays", (0.01, 0.02, 0.04, 0.08))
        kwargs.setdefault("sleep", lambda s: (sleeps.append(s), time.sleep(s)))
        return XeroTokenManager(
            settings, store, KEY, clock=clock, session=kwargs.pop("session", session), **kwargs
        )

    make.sleeps = sleeps
    return make


@pytest.fixture
def signed_in(settings, session, clock, manager_factory):
    tokens = sign_in(settings, session, clock)
    manager = manager_factory()
    manager.save(tokens)
    return manager, tokens


# --------------------------------------------------------------------------- scopes and PKCE
def test_scopes_depend_on_the_payroll_region():
    base = [
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.contacts.read",
        "accounting.settings.read",
        "accounting.invoices.read",
    ]
    assert list(BASE_SCOPES) == base
    for version in ("AU", "nz", "UK", "GB", "AUONRAMP", " uk "):
        assert scopes_for(version) == [
            *base,
            "payroll.employees.read",
            "payroll.settings.read",
            # sending hours: draft timesheets and leave
            "payroll.timesheets",
            "payroll.employees",
        ]
    for version in (None, "", "US", "GLOBAL", "CA", "USONRAMP"):
        assert scopes_for(version) == base
    assert missing_scopes(base, "AU") == list(PAYROLL_SCOPES)
    assert missing_scopes(base, None) == []


def test_pkce_verifier_and_challenge():
    for _ in range(20):
        verifier = new_code_verifier()
        assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier)
        challenge = code_challenge(verifier)
        assert "=" not in challenge and challenge == pkce_challenge(verifier)
    # RFC 7636 appendix B
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    assert len(base64.urlsafe_b64decode(code_challenge("x" * 43) + "=")) == 32


def test_authorize_url_carries_exactly_the_pkce_parameters():
    flow = XeroSignIn(XeroAppSettings(client_id="CID"), opener=lambda url: True)
    url = flow.authorize_url(
        redirect_uri="http://localhost:28271/callback",
        state="S",
        code_challenge="C" * 43,
        scopes=scopes_for("NZ"),
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == XERO_AUTHORIZE_URL
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["CID"],
        "redirect_uri": ["http://localhost:28271/callback"],
        "scope": [" ".join(scopes_for("NZ"))],
        "state": ["S"],
        "code_challenge": ["C" * 43],
        "code_challenge_method": ["S256"],
    }


def test_token_set_round_trip_and_repr_hides_tokens():
    tokens = TokenSet("acc-secret", "ref-secret", 123.0, "openid offline_access", "id-secret")
    assert TokenSet.from_dict(tokens.to_dict()) == tokens
    assert "secret" not in repr(tokens) and "secret" not in str(tokens)
    assert tokens.scopes == {"openid", "offline_access"}
    with pytest.raises(ValueError):
        TokenSet.from_dict({"access_token": "a"})


# --------------------------------------------------------------------------- sign-in
def test_full_pkce_sign_in_through_the_loopback(settings, session, clock, sim, ports):
    pages: list = []
    tokens = sign_in(settings, session, clock, pages=pages)
    assert tokens.expires_at == clock.now() + 1800
    assert set(scopes_for("AU")) <= tokens.scopes and tokens.id_token
    assert pages and pages[0][0] == 200 and "You are connected to Xero" in pages[0][1]

    ((method, url, data, headers),) = session.calls
    assert method == "POST" and url == sim.base + "/identity/connect/token"
    assert data["grant_type"] == "authorization_code"
    assert data["client_id"] == DEMO_CLIENT_ID
    assert data["redirect_uri"] == f"http://localhost:{ports[0]}/callback"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,128}", data["code_verifier"])
    assert "client_secret" not in data and "Authorization" not in headers

    answer = sim.connections(tokens.access_token)
    assert answer.status_code == 200
    assert [c["tenantId"] for c in answer.json()] == [AU_TENANT]


def test_sign_in_uses_the_next_registered_port_when_the_first_is_taken(
    settings, session, clock, ports
):
    blocker = occupy(ports[0])
    try:
        tokens = sign_in(settings, session, clock)
    finally:
        blocker.close()
    assert tokens.access_token
    assert (
        session.token_posts("authorization_code")[0]["redirect_uri"]
        == f"http://localhost:{ports[1]}/callback"
    )


def test_sign_in_with_every_port_taken_fails_before_opening_the_browser(
    settings, session, clock, ports
):
    opened: list[str] = []
    blockers = [occupy(p) for p in ports]
    try:
        with pytest.raises(SignInPortsBusy):
            XeroSignIn(settings, opener=opened.append, session=session, clock=clock).run("AU")
    finally:
        for b in blockers:
            b.close()
    assert opened == [] and session.calls == []


def test_deny_on_the_consent_page_is_a_cancellation(settings, session, clock, sim):
    flow = XeroSignIn(
        settings,
        opener=demo_consent_opener([AU_TENANT], action="deny"),
        session=session,
        clock=clock,
        language="en",
        timeout_s=10,
    )
    with pytest.raises(SignInCancelled):
        flow.run("AU")
    assert session.calls == []


def test_a_callback_with_a_forged_state_is_refused(settings, session, clock, sim):
    """An answer replayed with another state never reaches the token endpoint."""
    refused: list = []

    def tampering_browser(url: str) -> bool:
        # Consent like the demo browser, then deliver the callback with a changed state.
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        conn.request(
            "POST",
            parts.path + "?" + parts.query,
            body=f"tenant={AU_TENANT}&action=allow",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        location = conn.getresponse().getheader("Location")
        conn.close()
        loc = urlsplit(location)
        query = parse_qs(loc.query)
        query["state"] = ["forged-" + query["state"][0]]
        conn = http.client.HTTPConnection(loc.hostname, loc.port, timeout=5)
        conn.request("GET", loc.path + "?" + urlencode(query, doseq=True))
        response = conn.getresponse()
        refused.append(response.status)
        conn.close()
        return True

    flow = XeroSignIn(
        settings,
        opener=tampering_browser,
        session=session,
        clock=clock,
        language="en",
        timeout_s=1.0,
    )
    with pytest.raises(SignInTimedOut):
        flow.run("AU")
    assert refused == [400]
    assert session.calls == []  # the forged answer's code was never exchanged


def test_sign_in_times_out(settings, session, clock):
    flow = XeroSignIn(
        settings, opener=lambda url: True, session=session, clock=clock, timeout_s=0.3
    )
    started = time.monotonic()
    with pytest.raises(SignInTimedOut):
        flow.run("AU")
    assert time.monotonic() - started < 3


def test_sign_in_can_be_cancelled_from_another_thread(settings, session, clock):
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    flow = XeroSignIn(settings, opener=lambda url: True, session=session, clock=clock, timeout_s=30)
    started = time.monotonic()
    with pytest.raises(SignInCancelled):
        flow.run("AU", cancel)
    assert time.monotonic() - started < 3


def test_a_refused_code_exchange_is_a_sign_in_failure(settings, session, clock, sim):
    flow = XeroSignIn(settings, opener=lambda url: True, session=session, clock=clock)
    with pytest.raises(SignInFailed) as info:
        flow.exchange_code(
            "not-a-real-code",
            redirect_uri=settings.redirect_uris[0],
            code_verifier=new_code_verifier(),
        )
    assert "invalid_grant" in info.value.user_message("en")


# --------------------------------------------------------------------------- refresh
def test_no_refresh_while_the_token_is_fresh(signed_in, session, clock):
    manager, tokens = signed_in
    clock.advance(1800 - 121)
    assert manager.access_token() == tokens.access_token
    assert session.token_posts("refresh_token") == []


def test_refresh_rotates_and_saves_the_new_set_before_use(signed_in, session, clock, events, sim):
    manager, old = signed_in
    clock.advance(1800 - 100)  # inside the 120 s margin
    events.clear()
    token = manager.access_token()
    events.append(("used", token))

    new = manager.token_set()
    assert token == new.access_token != old.access_token
    assert new.refresh_token != old.refresh_token
    assert new.expires_at == clock.now() + 1800
    # refresh POST with the old token -> new set written -> only then the token is used
    assert events == [
        ("post", "refresh_token", old.refresh_token),
        ("set", new.refresh_token),
        ("used", token),
    ]
    assert session.token_posts("refresh_token")[0] == {
        "grant_type": "refresh_token",
        "client_id": DEMO_CLIENT_ID,
        "refresh_token": old.refresh_token,
    }
    assert sim.connections(token).status_code == 200


def test_a_failed_save_withholds_the_token_and_is_retried_first(signed_in, session, clock, events):
    manager, old = signed_in
    manager.store.fail_next_set = 1
    clock.advance(1800)
    with pytest.raises(OSError):
        manager.access_token()
    assert manager.token_set().refresh_token == old.refresh_token  # store unchanged
    token = manager.access_token()  # writes the pending set, no second refresh
    assert len(session.token_posts("refresh_token")) == 1
    assert manager.token_set().access_token == token


def test_concurrent_callers_cause_exactly_one_refresh(signed_in, session, clock):
    manager, old = signed_in
    session.refresh_delay = 0.3
    clock.advance(1800 - 30)
    barrier = threading.Barrier(5)
    results: list[str] = []
    errors: list[BaseException] = []

    def call():
        barrier.wait()
        try:
            results.append(manager.access_token())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert len(session.token_posts("refresh_token")) == 1
    assert len(set(results)) == 1 and results[0] != old.access_token


def test_two_managers_of_one_key_share_the_refresh(signed_in, manager_factory, session, clock):
    manager, _ = signed_in
    other = manager_factory(store=manager.store)
    clock.advance(1800)
    first = manager.access_token()
    assert other.access_token() == first
    assert len(session.token_posts("refresh_token")) == 1


def test_force_refresh_after_a_401_refreshes_once(signed_in, session):
    manager, old = signed_in
    first = manager.force_refresh(old.access_token)
    second = manager.force_refresh(old.access_token)  # someone already replaced it
    assert first == second != old.access_token
    assert len(session.token_posts("refresh_token")) == 1
    assert manager.force_refresh() != first  # unconditional


def test_a_lost_refresh_answer_is_retried_with_the_same_refresh_token(
    signed_in, session, clock, sim, manager_factory
):
    manager, old = signed_in
    sim.faults.force("lost_response", path_contains="/identity/connect/token")
    clock.advance(1800)
    token = manager.access_token()
    posts = session.token_posts("refresh_token")
    assert [p["refresh_token"] for p in posts] == [old.refresh_token, old.refresh_token]
    assert manager_factory.sleeps == [0.01]
    assert sim.connections(token).status_code == 200
    # the saved (second) rotation is the live one
    assert manager.force_refresh() != token


def test_a_5xx_refresh_answer_is_retried(signed_in, session, clock, sim):
    manager, _ = signed_in
    sim.faults.force("503", path_contains="/identity/connect/token")
    clock.advance(1800)
    manager.access_token()
    assert len(session.token_posts("refresh_token")) == 2


def test_after_the_grace_window_xero_requires_a_new_sign_in(signed_in, session, clock, sim):
    manager, old = signed_in
    # The network drops every answer: the refresh token is rotated at Xero but we never
    # hear the new one, so the store keeps the old one.
    sim.faults.force("lost_response", times=5, path_contains="/identity/connect/token")
    clock.advance(1800)
    with pytest.raises(NetworkError):
        manager.access_token()
    assert manager.token_set().refresh_token == old.refresh_token
    assert len(session.token_posts("refresh_token")) == 5

    clock.advance(1801)  # past Xero's 30-minute grace for the old refresh token
    with pytest.raises(ReauthorizationRequired) as info:
        manager.access_token()
    assert info.value.user_message("en") == REAUTH_EN
    french = info.value.user_message("fr")
    assert french != REAUTH_EN and french == tr(REAUTH_EN, "fr")
    assert "connecter à nouveau" in french

    assert manager.status() == "needs_reauth" and manager.token_set() is None
    stored = manager.store.get_json(KEY)
    assert stored["needs_reauth"] is True
    assert "refresh_token" not in stored and "access_token" not in stored
    posts = len(session.token_posts("refresh_token"))
    with pytest.raises(ReauthorizationRequired):
        manager.access_token()
    assert len(session.token_posts("refresh_token")) == posts  # no network for a known-dead set

    # a new sign-in clears the mark
    manager.save(sign_in(manager.settings, session, clock))
    assert manager.status() == "connected"


def test_absent_sign_in_requires_one(manager_factory):
    manager = manager_factory()
    assert manager.status() == "absent"
    with pytest.raises(ReauthorizationRequired):
        manager.access_token()


# --------------------------------------------------------------------------- revoke
def test_revoke_removes_the_key_and_the_connections(signed_in, session, sim, events):
    manager, tokens = signed_in
    assert len(sim.connections(tokens.access_token).json()) == 1
    manager.revoke()
    assert manager.store.get_json(KEY) is None and events[-1] == ("delete", KEY)
    assert manager.status() == "absent"
    revocation = [d for m, u, d, h in session.calls if u.endswith("/identity/connect/revocation")]
    assert revocation == [
        {
            "token": tokens.refresh_token,
            "token_type_hint": "refresh_token",
            "client_id": DEMO_CLIENT_ID,
        }
    ]
    grant = sim.grant()
    assert grant["revoked_at"] is not None and grant["connections"] == {}
    assert sim.connections(tokens.access_token).status_code == 401


def test_revoke_without_network_still_forgets_locally(signed_in, manager_factory):
    manager, _ = signed_in

    class Offline(requests.Session):
        def request(self, *a, **k):
            raise requests.ConnectionError("offline")

    offline = manager_factory(store=manager.store, session=Offline())
    with pytest.raises(RevocationIncomplete) as info:
        offline.revoke()
    assert offline.store.get_json(KEY) is None
    assert "Connected apps" in info.value.user_message("en")
    assert "Applications connectées" in info.value.user_message("fr")


# --------------------------------------------------------------------------- requests-oauthlib
INSECURE_ENV = "OAUTHLIB_INSECURE_TRANSPORT"


class CannedSession(requests.Session):
    """Answers every request itself (no network) with ``payload``; remembers what was sent and
    whether oauthlib's plain-HTTP switch was on at that moment."""

    def __init__(self, payload: dict, status: int = 200) -> None:
        super().__init__()
        self.payload, self.status = payload, status
        self.sent: list[dict] = []

    def request(self, method, url, *args, **kwargs):
        self.sent.append(
            {
                "method": method,
                "url": url,
                "data": dict(kwargs.get("data") or {}),
                "headers": dict(kwargs.get("headers") or {}),
                "auth": kwargs.get("auth"),
                "plain_http": os.environ.get(INSECURE_ENV),
            }
        )
        response = requests.Response()
        response.status_code = self.status
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(self.payload).encode()
        response.url = url
        response.request = requests.Request(method, url).prepare()
        return response


@pytest.fixture
def oauthlib_calls(monkeypatch):
    """Which requests-oauthlib methods the sign-in and the refresh call."""
    calls: list[str] = []
    for name in ("authorization_url", "fetch_token", "refresh_token"):
        real = getattr(requests_oauthlib.OAuth2Session, name)

        def spy(self, *args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(requests_oauthlib.OAuth2Session, name, spy)
    return calls


def test_sign_in_and_refresh_go_through_requests_oauthlib(
    settings, session, clock, sim, manager_factory, oauthlib_calls
):
    old = sign_in(settings, session, clock)
    manager = manager_factory()
    manager.save(old)
    clock.advance(1800)
    assert manager.access_token() != old.access_token
    assert oauthlib_calls == ["authorization_url", "fetch_token", "refresh_token"]
    refresh = session.token_posts("refresh_token")[0]
    assert refresh["client_id"] == DEMO_CLIENT_ID and "client_secret" not in refresh
    assert "scope" not in refresh  # the grant keeps its scopes
    for _method, _url, data, headers in session.calls:
        assert "client_secret" not in data and "Authorization" not in headers
    assert INSECURE_ENV not in os.environ  # the Demo Company's plain HTTP was allowed per call


def test_real_xero_is_called_over_https_without_the_plain_http_switch(clock, oauthlib_calls):
    answer = {
        "access_token": "AT",
        "refresh_token": "RT2",
        "expires_in": 1800,
        "token_type": "Bearer",
        "scope": "openid offline_access",
    }
    transport = CannedSession(answer)
    settings = XeroAppSettings(client_id="CID")
    flow = XeroSignIn(settings, opener=lambda url: True, session=transport, clock=clock)
    # Xero granted fewer scopes than asked: accepted here, reported by missing_scopes.
    tokens = flow.exchange_code(
        "CODE", redirect_uri=loopback_redirect_uri(28271), code_verifier="V" * 43
    )
    assert tokens.scopes == {"openid", "offline_access"}
    assert missing_scopes(tokens.scopes, None)
    assert tokens.expires_at == clock.now() + 1800

    manager = XeroTokenManager(settings, RecordingStore(), KEY, clock=clock, session=transport)
    manager.save(TokenSet("OLD", "RT1", clock.now() - 1, "openid offline_access"))
    assert manager.access_token() == "AT"
    exchange, refresh = transport.sent
    assert exchange["url"] == refresh["url"] == XERO_TOKEN_URL
    assert exchange["data"] == {
        "grant_type": "authorization_code",
        "client_id": "CID",
        "code": "CODE",
        "redirect_uri": "http://localhost:28271/callback",
        "code_verifier": "V" * 43,
    }
    assert refresh["data"] == {
        "grant_type": "refresh_token",
        "client_id": "CID",
        "refresh_token": "RT1",
    }
    for sent in transport.sent:
        assert sent["plain_http"] is None and sent["auth"] is None
        assert "Authorization" not in sent["headers"]
    assert oauthlib_calls == ["fetch_token", "refresh_token"]


@pytest.mark.parametrize("switch_already_on", [False, True])
def test_plain_http_off_this_computer_is_refused(clock, monkeypatch, switch_already_on):
    if switch_already_on:  # even when someone turned oauthlib's switch on for the process
        monkeypatch.setenv(INSECURE_ENV, "1")
    else:
        monkeypatch.delenv(INSECURE_ENV, raising=False)
    base = "http://identity.example.com"
    settings = XeroAppSettings(
        client_id="CID",
        authorize_url=base + "/authorize",
        token_url=base + "/token",
        revocation_url=base + "/revocation",
    )
    transport = CannedSession({"access_token": "AT", "refresh_token": "RT2"})
    flow = XeroSignIn(settings, opener=lambda url: True, session=transport, clock=clock)
    with pytest.raises(SignInFailed) as info:
        flow.authorize_url(
            redirect_uri=loopback_redirect_uri(28271),
            state="S",
            code_challenge="C" * 43,
            scopes=scopes_for(None),
        )
    assert "insecure_transport" in info.value.user_message("en")
    with pytest.raises(SignInFailed) as info:
        flow.exchange_code(
            "CODE", redirect_uri=loopback_redirect_uri(28271), code_verifier="V" * 43
        )
    assert "insecure_transport" in info.value.user_message("en")

    store = RecordingStore()
    manager = XeroTokenManager(settings, store, KEY, clock=clock, session=transport)
    manager.save(TokenSet("OLD", "RT1", clock.now() - 1, "openid"))
    with pytest.raises(ApiError) as refused:
        manager.access_token()
    assert "insecure_transport" in refused.value.user_message("en")
    assert manager.status() == "connected"  # a refused transport is not a refused sign-in
    with pytest.raises(RevocationIncomplete):
        manager.revoke()
    assert manager.status() == "absent"
    assert transport.sent == []  # nothing left this computer in clear
    assert os.environ.get(INSECURE_ENV) == ("1" if switch_already_on else None)


# --------------------------------------------------------------------------- logging
def test_no_token_code_state_or_verifier_is_logged(
    settings, session, clock, sim, manager_factory, caplog
):
    caplog.set_level(logging.DEBUG)
    urls: list[str] = []
    flow = XeroSignIn(
        settings,
        opener=demo_consent_opener([AU_TENANT]),
        session=session,
        clock=clock,
        language="en",
        timeout_s=10,
    )
    tokens = flow.run("AU", on_url=urls.append)
    manager = manager_factory()
    manager.save(tokens)
    sim.faults.force("lost_response", path_contains="/identity/connect/token")
    clock.advance(1800)
    manager.access_token()
    manager.revoke()

    exchange = session.token_posts("authorization_code")[0]
    secrets_seen = {exchange["code"], exchange["code_verifier"]}
    for answer in session.answers:
        secrets_seen |= {answer.get(k) for k in ("access_token", "refresh_token", "id_token")} - {
            None
        }
    assert len(secrets_seen) >= 6
    state = parse_qs(urlsplit(urls[0]).query)["state"][0]

    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets_seen:
        assert secret not in everything
    # The simulator (Xero's side, logger werkzeug/core.sandbox) may log its own request lines;
    # the product's side never mentions the state either.
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if not r.name.startswith(("werkzeug", "core.sandbox"))
    )
    assert state not in ours
    assert any(r.name.startswith("core.services.auth") for r in caplog.records)


# --------------------------------------------------------------------------- settings
def test_settings_from_environment_first(tmp_path):
    (tmp_path / "settings.json").write_text(
        json.dumps({"xero_client_id": "FROMFILE", "xero_redirect_ports": [50001, 50002]}),
        encoding="utf-8",
    )
    env = {"XQB_XERO_CLIENT_ID": " FROMENV ", "XQB_XERO_REDIRECT_PORTS": "51001, 51002,51001"}
    s = load_xero_settings(tmp_path, env)
    assert s.client_id == "FROMENV" and s.redirect_ports == (51001, 51002)
    assert s.authorize_url == XERO_AUTHORIZE_URL and s.token_url == XERO_TOKEN_URL
    assert s.revocation_url == "https://identity.xero.com/connect/revocation"
    assert s.connections_url == "https://api.xero.com/connections"
    s = load_xero_settings(tmp_path, {})
    assert s.client_id == "FROMFILE" and s.redirect_ports == (50001, 50002)
    (tmp_path / "settings.json").write_text(json.dumps({"xero_client_id": "X"}), encoding="utf-8")
    assert load_xero_settings(tmp_path, {}).redirect_ports == (28271, 28272, 28273)


def test_settings_default_to_the_app_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XQB_XERO_CLIENT_ID", "CID")
    monkeypatch.delenv("XQB_XERO_REDIRECT_PORTS", raising=False)
    assert load_xero_settings().client_id == "CID"


def test_missing_client_id_says_what_to_register_and_where(tmp_path):
    with pytest.raises(XeroAppNotConfigured) as info:
        load_xero_settings(tmp_path, {"XQB_XERO_REDIRECT_PORTS": "28271,28280"})
    message = info.value.user_message("en")
    for needle in (
        "Auth Code with PKCE",
        "http://localhost:28271/callback",
        "http://localhost:28280/callback",
        "XQB_XERO_CLIENT_ID",
        "xero_client_id",
        str(tmp_path / "settings.json"),
    ):
        assert needle in message
    assert "Auth Code with PKCE" in info.value.user_message(
        "fr"
    ) and "identifiant client" in info.value.user_message("fr")


@pytest.mark.parametrize("ports", ["", "abc", "80", "70000", "28271,x"])
def test_invalid_ports_are_refused(tmp_path, ports):
    env = {"XQB_XERO_CLIENT_ID": "CID", "XQB_XERO_REDIRECT_PORTS": ports}
    if not ports:
        assert load_xero_settings(tmp_path, env).redirect_ports == (28271, 28272, 28273)
        return
    with pytest.raises(XeroRedirectPortsInvalid):
        load_xero_settings(tmp_path, env)


def test_malformed_settings_file(tmp_path):
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SettingsFileInvalid):
        load_xero_settings(tmp_path, {})


def test_demo_settings():
    s = demo_xero_settings("http://127.0.0.1:40000/")
    assert s.client_id == DEMO_CLIENT_ID
    assert s.redirect_ports == tuple(DEFAULT_REDIRECT_PORTS)
    assert s.redirect_uris == XeroConfig().redirect_uris
    assert s.authorize_url == "http://127.0.0.1:40000/identity/connect/authorize"
    assert s.token_url == "http://127.0.0.1:40000/identity/connect/token"
    assert s.revocation_url == "http://127.0.0.1:40000/identity/connect/revocation"
    assert s.connections_url == "http://127.0.0.1:40000/connections"


def test_demo_consent_opener_refuses_real_xero():
    with pytest.raises(ValueError):
        demo_consent_opener([AU_TENANT])("https://login.xero.com/identity/connect/authorize?x=1")


def test_works_over_the_real_keyring_token_store(settings, session, clock, sim, memory_keyring):
    from core.store.secrets import TokenStore, xero_grant_key

    store = TokenStore(memory_keyring, trust_backend=True)
    key = xero_grant_key("grant-1")
    manager = XeroTokenManager(
        settings, store, key, clock=clock, session=session, retry_delays=(0.01,)
    )
    manager.save(sign_in(settings, session, clock))
    old = manager.token_set()
    clock.advance(1800)
    token = manager.access_token()
    assert store.get_json(key)["access_token"] == token != old.access_token
    manager.revoke()
    assert store.get_json(key) is None and manager.status() == "absent"
