"""The Demo Company's Xero identity service: consent page, PKCE code flow, rotation, connections."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ManualClock, SimServer, json_response
from core.sandbox.xero_config import XeroConfig
from core.sandbox.xero_identity import AccessResult, XeroIdentity
from core.store.settings import loopback_redirect_uri

T_MAPLE = "0a9f3c52-6f0e-4b8a-9a51-1c1f4f6a0b01"
T_KIWI = "5e2b1a77-3c4d-4e5f-8a9b-2c3d4e5f6a02"
T_FR = "9c8b7a65-4321-4fed-8cba-3d4e5f6a7b03"
COMPANY = {
    "xero": {
        "organisations": [
            {
                "tenantId": T_MAPLE,
                "tenantName": "Maple & <Sons>",
                "Organisation": {
                    "Name": "Maple & <Sons>",
                    "CountryCode": "CA",
                    "Version": "GLOBAL",
                },
            },
            {
                "tenantId": T_KIWI,
                "tenantName": "Kiwi Plumbing Ltd",
                "Organisation": {"Name": "Kiwi Plumbing Ltd", "CountryCode": "NZ", "Version": "NZ"},
            },
            {
                "tenantId": T_FR,
                "tenantName": "Château Dupont SARL",
                "Organisation": {
                    "Name": "Château Dupont SARL",
                    "CountryCode": "FR",
                    "Version": "GLOBAL",
                },
            },
        ]
    },
    "qbtime": {},
}
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
CFG = XeroConfig()
REDIRECT = CFG.redirect_uris[0]
SCOPE = "openid profile email offline_access accounting.contacts.read accounting.settings.read"


class Sim:
    def __init__(
        self, state_dir: Path, store: CompanyStore | None = None, clock: ManualClock | None = None
    ) -> None:
        self.state_dir = state_dir
        self.store = store or CompanyStore.from_dict(COMPANY, state_dir)
        self.clock = clock or ManualClock(START)
        self.identity = XeroIdentity(self.store, self.clock, CFG)
        self.server = SimServer(self._app).start()
        self.base = self.server.base_url
        self.http = requests.Session()

    def _app(self, environ, start_response):
        request = Request(environ)
        if request.path == "/probe":  # what the API half does with check_access
            res = self.identity.check_access(request)
            assert isinstance(res, AccessResult)
            if not res.ok:
                resp = res.error
            else:
                resp = json_response(
                    {
                        "grant_id": res.grant_id,
                        "tenant_ids": sorted(res.tenant_ids),
                        "scopes": sorted(res.scopes),
                    }
                )
        else:
            resp = self.identity.handle(request) or Response("no route", status=404)
        return resp(environ, start_response)

    # -- helpers
    def url(self, path: str) -> str:
        return self.base + path

    def authorize_query(self, challenge: str, **over: str | None) -> str:
        params: dict[str, str | None] = {
            "response_type": "code",
            "client_id": CFG.client_id,
            "redirect_uri": REDIRECT,
            "scope": SCOPE,
            "state": "st-" + secrets.token_hex(4),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(over)
        return urlencode({k: v for k, v in params.items() if v is not None})

    def consent(
        self, query: str, tenants: list[str], action: str = "allow", **kw
    ) -> requests.Response:
        return self.http.post(
            self.url("/identity/connect/authorize?" + query),
            data={"tenant": tenants, "action": action},
            allow_redirects=False,
            **kw,
        )

    def token(self, data: dict[str, str], **kw) -> requests.Response:
        return self.http.post(self.url("/identity/connect/token"), data=data, **kw)

    def get_code(self, tenants: list[str], scope: str = SCOPE) -> tuple[str, str]:
        verifier = secrets.token_urlsafe(64)
        query = self.authorize_query(challenge_of(verifier), scope=scope)
        resp = self.consent(query, tenants)
        assert resp.status_code == 302, resp.text
        return callback_params(resp)["code"], verifier

    def login(self, tenants: list[str] | None = None, scope: str = SCOPE) -> dict:
        code, verifier = self.get_code(tenants if tenants is not None else [T_MAPLE], scope)
        resp = self.token(
            {
                "grant_type": "authorization_code",
                "client_id": CFG.client_id,
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            }
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.token(
            {
                "grant_type": "refresh_token",
                "client_id": CFG.client_id,
                "refresh_token": refresh_token,
            }
        )

    def connections(self, access_token: str, **params) -> requests.Response:
        return self.http.get(
            self.url("/connections"),
            params=params,
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def probe(self, access_token: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        return self.http.get(self.url("/probe"), headers=headers)

    def stop(self) -> None:
        self.http.close()
        self.server.stop()


def challenge_of(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def callback_params(resp: requests.Response) -> dict[str, str]:
    location = resp.headers["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


@pytest.fixture
def sim(tmp_path):
    s = Sim(tmp_path / "state")
    yield s
    s.stop()


def page_text(html_doc: str) -> str:
    return re.sub(r"<[^>]+>", " ", html_doc)


# --------------------------------------------------------------------------- consent page
def test_consent_page_english_lists_orgs_scopes_and_buttons(sim):
    query = sim.authorize_query(challenge_of("v" * 43))
    resp = sim.http.get(
        sim.url("/identity/connect/authorize?" + query),
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    doc = resp.text
    assert '<html lang="en">' in doc
    assert "Allow access" in doc and "Deny" in doc
    # Organisations: one checkbox each, name (escaped) and country shown.
    for tenant in (T_MAPLE, T_KIWI, T_FR):
        assert re.search(
            rf'<input type="checkbox" name="tenant" id="tenant-\d+" value="{tenant}">', doc
        )
    assert "Maple &amp; &lt;Sons&gt; (CA)" in doc and "<Sons>" not in doc
    assert "Kiwi Plumbing Ltd (NZ)" in doc and "Château Dupont SARL (FR)" in doc
    # Scopes in plain words.
    assert "View your contacts" in doc
    assert "Keep access when you are not using the app" in doc
    # The form posts back to the same URL with the original query string, without JS.
    action = re.search(r'<form method="post" action="([^"]+)"', doc).group(1)
    assert action.replace("&amp;", "&") == "/identity/connect/authorize?" + query
    assert "<script" not in doc
    assert 'name="action" value="allow"' in doc and 'name="action" value="deny"' in doc


def test_consent_page_french_from_accept_language_and_lang_param(sim):
    query = sim.authorize_query(challenge_of("v" * 43))
    fr = sim.http.get(
        sim.url("/identity/connect/authorize?" + query),
        headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"},
    )
    assert fr.status_code == 200
    assert '<html lang="fr">' in fr.text
    assert "Autoriser l’accès" in fr.text and "Refuser" in fr.text
    assert "Consulter vos contacts" in fr.text
    # ?lang= wins over the browser's languages, both ways.
    forced = sim.http.get(
        sim.url("/identity/connect/authorize?" + query + "&lang=fr"),
        headers={"Accept-Language": "en"},
    )
    assert "Autoriser l’accès" in forced.text
    en = sim.http.get(
        sim.url("/identity/connect/authorize?" + query + "&lang=en"),
        headers={"Accept-Language": "fr"},
    )
    assert "Allow access" in en.text and "Autoriser" not in en.text


def test_allow_redirects_with_code_and_state(sim):
    query = sim.authorize_query(challenge_of("v" * 43), state="abc123")
    resp = sim.consent(query, [T_MAPLE, T_KIWI])
    assert resp.status_code == 302
    params = callback_params(resp)
    assert params["state"] == "abc123"
    assert len(params["code"]) >= 32
    assert "error" not in params


def test_allow_without_any_tenant_shows_the_page_again_with_an_error(sim):
    query = sim.authorize_query(challenge_of("v" * 43))
    resp = sim.consent(query, [], headers={"Accept-Language": "fr"})
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert "Sélectionnez au moins une organisation" in resp.text
    assert "Autoriser l’accès" in resp.text


def test_unknown_tenant_in_form_is_refused(sim):
    query = sim.authorize_query(challenge_of("v" * 43))
    resp = sim.consent(query, ["11111111-2222-4333-8444-555555555555"])
    assert resp.status_code == 400 and "Location" not in resp.headers


def test_deny_redirects_with_access_denied(sim):
    query = sim.authorize_query(challenge_of("v" * 43), state="s-deny")
    resp = sim.consent(query, [T_MAPLE], action="deny")
    assert resp.status_code == 302
    assert callback_params(resp) == {"error": "access_denied", "state": "s-deny"}


@pytest.mark.parametrize(
    "redirect",
    [
        loopback_redirect_uri(53999),  # another port
        "http://127.0.0.1:28271/callback",  # loopback IP instead of the registered host
        "http://localhost:28271/callback/",  # trailing slash
        "https://localhost:28271/callback",  # scheme
        "http://localhost/callback",  # no port
        "http://localhost:28271/other",  # path
    ],
)
def test_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(sim, redirect):
    query = sim.authorize_query(challenge_of("v" * 43), redirect_uri=redirect)
    for resp in (
        sim.http.get(sim.url("/identity/connect/authorize?" + query), allow_redirects=False),
        sim.consent(query, [T_MAPLE]),
    ):
        assert resp.status_code == 400
        assert "Location" not in resp.headers
        assert "unauthorized_client : Invalid redirect_uri" in resp.text
        assert "Allow access" not in resp.text


def test_unknown_client_gets_an_error_page(sim):
    query = sim.authorize_query(challenge_of("v" * 43), client_id="0" * 32)
    resp = sim.http.get(sim.url("/identity/connect/authorize?" + query), allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers
    assert "unauthorized_client" in resp.text


@pytest.mark.parametrize(
    "over, error",
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": "openid accounting.everything"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
    ],
)
def test_bad_authorize_parameters_redirect_with_an_error(sim, over, error):
    query = sim.authorize_query(challenge_of("v" * 43), state="s1", **over)
    resp = sim.http.get(sim.url("/identity/connect/authorize?" + query), allow_redirects=False)
    assert resp.status_code == 302
    assert callback_params(resp) == {"error": error, "state": "s1"}


def test_everything_echoed_into_html_is_escaped(sim):
    evil = '"><script>alert(1)</script>'
    bad_redirect = sim.authorize_query(challenge_of("v" * 43), redirect_uri=evil)
    resp = sim.http.get(sim.url("/identity/connect/authorize?" + bad_redirect))
    assert resp.status_code == 400 and "<script>" not in resp.text
    # A raw (not percent-encoded) query string is echoed in the form action: escaped.
    query = sim.authorize_query(challenge_of("v" * 43)) + "&x=" + evil
    conn = http.client.HTTPConnection(sim.server.host, sim.server.port, timeout=5)
    try:
        conn.request("GET", "/identity/connect/authorize?" + query)
        raw = conn.getresponse()
        doc = raw.read().decode()
    finally:
        conn.close()
    assert raw.status == 200
    assert "<script>" not in doc
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in doc


# --------------------------------------------------------------------------- token endpoint
def test_code_exchange_answers_a_token_set(sim):
    tokens = sim.login([T_MAPLE])
    assert set(tokens) == {
        "id_token",
        "access_token",
        "expires_in",
        "token_type",
        "refresh_token",
        "scope",
    }
    assert tokens["expires_in"] == 1800 and tokens["token_type"] == "Bearer"
    assert tokens["scope"].split() == SCOPE.split()
    assert tokens["access_token"].count(".") == 0  # opaque, not a JWT
    assert sim.probe(tokens["access_token"]).status_code == 200


def test_no_refresh_token_without_offline_access_and_no_id_token_without_openid(sim):
    tokens = sim.login([T_MAPLE], scope="accounting.contacts.read")
    assert "refresh_token" not in tokens and "id_token" not in tokens
    assert tokens["scope"] == "accounting.contacts.read"


def exchange(sim, code, verifier, **over):
    data = {
        "grant_type": "authorization_code",
        "client_id": CFG.client_id,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    data.update(over)
    return sim.token({k: v for k, v in data.items() if v is not None})


def test_bad_pkce_verifier_is_refused_and_burns_the_code(sim):
    code, verifier = sim.get_code([T_MAPLE])
    wrong = exchange(sim, code, secrets.token_urlsafe(64))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The code was consumed by the failed attempt, as IdentityServer does.
    again = exchange(sim, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 42 + "!", None])
def test_malformed_verifier_is_refused(sim, verifier):
    code, _good = sim.get_code([T_MAPLE])
    resp = exchange(sim, code, verifier)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


def test_code_is_single_use(sim):
    code, verifier = sim.get_code([T_MAPLE])
    assert exchange(sim, code, verifier).status_code == 200
    reuse = exchange(sim, code, verifier)
    assert reuse.status_code == 400 and reuse.json() == {"error": "invalid_grant"}


def test_code_expires(sim):
    code, verifier = sim.get_code([T_MAPLE])
    sim.clock.advance(CFG.code_ttl + 1)
    resp = exchange(sim, code, verifier)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_authorize_request(sim):
    code, verifier = sim.get_code([T_MAPLE])
    resp = exchange(sim, code, verifier, redirect_uri=CFG.redirect_uris[1])
    assert resp.status_code == 400 and resp.json()["error"] == "unauthorized_client"


def test_client_secret_or_basic_auth_is_rejected(sim):
    code, verifier = sim.get_code([T_MAPLE])
    resp = exchange(sim, code, verifier, client_secret="s3cr3t")
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_client"
    code, verifier = sim.get_code([T_MAPLE])
    basic = sim.http.post(
        sim.url("/identity/connect/token"),
        auth=(CFG.client_id, "s3cr3t"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CFG.client_id,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert basic.status_code == 400 and basic.json()["error"] == "invalid_client"
    wrong_client = exchange(sim, code, verifier, client_id="F" * 32)
    assert wrong_client.json()["error"] == "invalid_client"


def test_json_body_is_rejected(sim):
    code, verifier = sim.get_code([T_MAPLE])
    resp = sim.http.post(
        sim.url("/identity/connect/token"),
        json={
            "grant_type": "authorization_code",
            "client_id": CFG.client_id,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert resp.status_code == 400 and resp.json() == {"error": "invalid_request"}


def test_grant_type_errors(sim):
    base = {"client_id": CFG.client_id}
    assert sim.token(base).json()["error"] == "unsupported_grant_type"
    assert sim.token({**base, "grant_type": "magic"}).json()["error"] == "unsupported_grant_type"
    assert (
        sim.token({**base, "grant_type": "client_credentials"}).json()["error"]
        == "unauthorized_client"
    )
    assert sim.http.get(sim.url("/identity/connect/token")).status_code == 405


# --------------------------------------------------------------------------- refresh
def test_refresh_rotates_every_time(sim):
    first = sim.login([T_MAPLE])
    second = sim.refresh(first["refresh_token"])
    assert second.status_code == 200
    t2 = second.json()
    assert t2["refresh_token"] != first["refresh_token"]
    assert t2["access_token"] != first["access_token"]
    assert t2["expires_in"] == 1800 and "id_token" in t2
    assert t2["scope"] == first["scope"]
    t3 = sim.refresh(t2["refresh_token"]).json()
    assert len({first["refresh_token"], t2["refresh_token"], t3["refresh_token"]}) == 3
    assert sim.probe(t3["access_token"]).status_code == 200


def test_previous_refresh_token_works_repeatedly_inside_grace_then_invalid_grant(sim):
    first = sim.login([T_MAPLE])
    old = first["refresh_token"]
    issued = {sim.refresh(old).json()["refresh_token"]}
    for _ in range(3):  # the answer was "lost": retry with the old token, many times
        sim.clock.advance(9 * 60)
        resp = sim.refresh(old)
        assert resp.status_code == 200, resp.text
        issued.add(resp.json()["refresh_token"])
    assert len(issued) == 4  # each use returns a fresh pair
    sim.clock.advance(3 * 60 + 1)  # 30 min + 1 s after the first rotation
    late = sim.refresh(old)
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
    # The newest token is unaffected.
    assert sim.refresh(issued.pop()).status_code == 200


def test_unused_refresh_token_expires_after_60_days(sim):
    a = sim.login([T_MAPLE])
    sim.clock.advance(CFG.refresh_token_ttl - 10)
    b = sim.refresh(a["refresh_token"])
    assert b.status_code == 200
    sim.clock.advance(CFG.refresh_token_ttl)  # b unused for exactly 60 days
    c = sim.refresh(b.json()["refresh_token"])
    assert c.status_code == 400 and c.json()["error"] == "invalid_grant"


def test_concurrent_refreshes_with_the_same_token_all_get_a_pair(sim):
    old = sim.login([T_MAPLE])["refresh_token"]
    results: list[int] = []

    def worker():
        with requests.Session() as s:
            r = s.post(
                sim.url("/identity/connect/token"),
                data={
                    "grant_type": "refresh_token",
                    "client_id": CFG.client_id,
                    "refresh_token": old,
                },
            )
            results.append(r.status_code)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 6


def test_refresh_token_of_another_client_or_unknown_is_invalid(sim):
    tokens = sim.login([T_MAPLE])
    assert sim.refresh("nope").json()["error"] == "invalid_grant"
    other = sim.token(
        {
            "grant_type": "refresh_token",
            "client_id": "F" * 32,
            "refresh_token": tokens["refresh_token"],
        }
    )
    assert other.json()["error"] == "invalid_client"
    missing = sim.token({"grant_type": "refresh_token", "client_id": CFG.client_id})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


# --------------------------------------------------------------------------- bearer checks
def test_missing_or_unknown_access_token_is_401(sim):
    for token in (None, "not-a-token"):
        resp = sim.probe(token)
        assert resp.status_code == 401
        body = resp.json()
        assert body["Detail"] == "AuthorizationUnsuccessful"
        assert body["Title"] == "Unauthorized" and body["Status"] == 401
        assert body["Type"] is None and body["Extensions"] == {}
        assert re.fullmatch(r"[0-9a-f-]{36}", body["Instance"])
    assert sim.connections("not-a-token").status_code == 401


def test_expired_access_token_answers_token_expired(sim):
    tokens = sim.login([T_MAPLE])
    sim.clock.advance(1799)
    assert sim.probe(tokens["access_token"]).status_code == 200
    sim.clock.advance(1)
    resp = sim.probe(tokens["access_token"])
    assert resp.status_code == 401
    when = datetime.fromtimestamp(START + 1800, UTC).strftime("%m/%d/%Y %H:%M:%S")
    assert resp.json()["Detail"] == f"TokenExpired: token expired at {when}"
    assert when == "01/01/2026 00:30:00"
    assert sim.connections(tokens["access_token"]).status_code == 401


def test_check_access_reports_tenants_and_scopes(sim):
    tokens = sim.login([T_MAPLE, T_KIWI])
    body = sim.probe(tokens["access_token"]).json()
    assert body["tenant_ids"] == sorted([T_MAPLE, T_KIWI])
    assert body["scopes"] == sorted(SCOPE.split())
    assert body["grant_id"]


# --------------------------------------------------------------------------- connections
def test_get_and_delete_connections(sim):
    tokens = sim.login([T_MAPLE, T_KIWI])
    access = tokens["access_token"]
    resp = sim.connections(access)
    assert resp.status_code == 200
    conns = resp.json()
    assert {c["tenantId"] for c in conns} == {T_MAPLE, T_KIWI}
    for c in conns:
        assert set(c) == {
            "id",
            "authEventId",
            "tenantId",
            "tenantType",
            "tenantName",
            "createdDateUtc",
            "updatedDateUtc",
        }
        assert c["tenantType"] == "ORGANISATION"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}", c["createdDateUtc"])
    assert len({c["authEventId"] for c in conns}) == 1
    names = {c["tenantId"]: c["tenantName"] for c in conns}
    assert names[T_MAPLE] == "Maple & <Sons>"
    # No xero-tenant-id needed; DELETE one connection.
    kiwi = next(c for c in conns if c["tenantId"] == T_KIWI)
    deleted = sim.http.delete(
        sim.url(f"/connections/{kiwi['id']}"), headers={"Authorization": f"Bearer {access}"}
    )
    assert deleted.status_code == 204 and deleted.content == b""
    assert [c["tenantId"] for c in sim.connections(access).json()] == [T_MAPLE]
    assert sim.probe(access).json()["tenant_ids"] == [T_MAPLE]  # the API half then answers 403
    again = sim.http.delete(
        sim.url(f"/connections/{kiwi['id']}"), headers={"Authorization": f"Bearer {access}"}
    )
    assert again.status_code == 404
    assert (
        sim.http.delete(
            sim.url("/connections/not-a-uuid"), headers={"Authorization": f"Bearer {access}"}
        ).status_code
        == 404
    )
    assert sim.http.delete(sim.url(f"/connections/{kiwi['id']}")).status_code == 401


def test_reconsent_adds_tenants_with_a_new_auth_event_and_filter_works(sim):
    first = sim.login([T_MAPLE])
    sim.clock.advance(60)
    second = sim.login([T_KIWI, T_FR])
    conns = sim.connections(second["access_token"]).json()
    assert [c["tenantId"] for c in conns] == [T_MAPLE, T_KIWI, T_FR]
    by_tenant = {c["tenantId"]: c for c in conns}
    ev1 = by_tenant[T_MAPLE]["authEventId"]
    ev2 = by_tenant[T_KIWI]["authEventId"]
    assert ev1 != ev2 and by_tenant[T_FR]["authEventId"] == ev2
    only_new = sim.connections(second["access_token"], authEventId=ev2).json()
    assert {c["tenantId"] for c in only_new} == {T_KIWI, T_FR}
    only_old = sim.connections(second["access_token"], authEventId=ev1).json()
    assert [c["tenantId"] for c in only_old] == [T_MAPLE]
    assert (
        sim.connections(
            second["access_token"], authEventId="00000000-0000-0000-0000-000000000000"
        ).json()
        == []
    )
    assert sim.connections(second["access_token"], authEventId="x").status_code == 400
    # Same grant: the first token set sees the added tenants too.
    assert sim.probe(first["access_token"]).json()["tenant_ids"] == sorted([T_MAPLE, T_KIWI, T_FR])
    # The consent page now marks connected organisations.
    page = sim.http.get(
        sim.url("/identity/connect/authorize?" + sim.authorize_query(challenge_of("v" * 43)))
    )
    assert "Kiwi Plumbing Ltd (NZ) — already connected" in page.text


def test_revocation_removes_all_connections_and_kills_tokens(sim):
    first = sim.login([T_MAPLE, T_KIWI])
    second = sim.refresh(first["refresh_token"]).json()
    resp = sim.http.post(
        sim.url("/identity/connect/revocation"),
        data={"token": second["refresh_token"], "client_id": CFG.client_id},
    )
    assert resp.status_code == 200
    for access in (first["access_token"], second["access_token"]):
        assert sim.probe(access).status_code == 401
        assert sim.connections(access).status_code == 401
    for refresh in (first["refresh_token"], second["refresh_token"]):  # grace does not help
        r = sim.refresh(refresh)
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # Revoking an unknown token is not an error (RFC 7009); a secret is.
    assert (
        sim.http.post(
            sim.url("/identity/connect/revocation"),
            data={"token": "whatever", "client_id": CFG.client_id},
        ).status_code
        == 200
    )
    bad = sim.http.post(
        sim.url("/identity/connect/revocation"),
        data={"token": "whatever", "client_id": CFG.client_id, "client_secret": "x"},
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"
    # Consenting again starts a new grant with only the newly ticked tenants.
    fresh = sim.login([T_FR])
    assert [c["tenantId"] for c in sim.connections(fresh["access_token"]).json()] == [T_FR]


def test_code_issued_before_revocation_cannot_be_exchanged(sim):
    tokens = sim.login([T_MAPLE])
    code, verifier = sim.get_code([T_KIWI])
    sim.http.post(
        sim.url("/identity/connect/revocation"),
        data={"token": tokens["refresh_token"], "client_id": CFG.client_id},
    )
    assert exchange(sim, code, verifier).json()["error"] == "invalid_grant"


# --------------------------------------------------------------------------- persistence
def test_state_survives_a_restart(tmp_path):
    state_dir = tmp_path / "state"
    clock = ManualClock(START)
    one = Sim(state_dir, clock=clock)
    try:
        first = one.login([T_MAPLE, T_KIWI])
        second = one.refresh(first["refresh_token"]).json()
        conns_before = one.connections(second["access_token"]).json()
    finally:
        one.stop()
    two = Sim(state_dir, store=CompanyStore.load(None, state_dir), clock=clock)
    try:
        assert two.connections(second["access_token"]).json() == conns_before
        clock.advance(60)
        assert two.refresh(first["refresh_token"]).status_code == 200  # still in grace
        third = two.refresh(second["refresh_token"])
        assert third.status_code == 200
        clock.advance(CFG.refresh_grace)
        assert two.refresh(first["refresh_token"]).json()["error"] == "invalid_grant"
        clock.advance(CFG.access_token_ttl)
        assert two.probe(first["access_token"]).json()["Detail"].startswith("TokenExpired")
    finally:
        two.stop()


def test_no_token_or_code_in_clear_in_the_state_dir(sim):
    code, verifier = sim.get_code([T_MAPLE])
    tokens = exchange(sim, code, verifier).json()
    rotated = sim.refresh(tokens["refresh_token"]).json()
    pending_code, _ = sim.get_code([T_KIWI])  # an issued, unused code is stored too
    secrets_issued = [
        code,
        pending_code,
        verifier,
        tokens["access_token"],
        tokens["refresh_token"],
        tokens["id_token"],
        rotated["access_token"],
        rotated["refresh_token"],
        rotated["id_token"],
    ]
    files = [p for p in sim.state_dir.rglob("*") if p.is_file()]
    assert files
    state = json.loads((sim.state_dir / "sandbox-state.json").read_text())
    assert state["xero_identity"]["refresh_tokens"]  # it did persist something
    for path in files:
        content = path.read_text(encoding="utf-8")
        for value in secrets_issued:
            assert value not in content, f"{path.name} holds a token in clear"


def test_other_paths_are_not_handled(sim):
    assert sim.http.get(sim.url("/api.xro/2.0/Contacts")).text == "no route"
    assert sim.http.get(sim.url("/connections/extra/segments")).text == "no route"


# ---------------------------------------------------------------------------- OpenID Connect
def test_id_token_is_an_rs256_jwt_verified_through_discovery_and_jwks(sim):
    import jwt  # PyJWT: what a standard OIDC client verifies the id_token with

    verifier = secrets.token_urlsafe(64)
    query = sim.authorize_query(challenge_of(verifier), nonce="n-0S6_WzA2Mj")
    code = callback_params(sim.consent(query, [T_MAPLE]))["code"]
    tokens = sim.token(
        {
            "grant_type": "authorization_code",
            "client_id": CFG.client_id,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        }
    ).json()
    discovery = sim.http.get(sim.url("/.well-known/openid-configuration")).json()
    assert discovery["issuer"] == sim.base
    assert discovery["authorization_endpoint"] == sim.url("/identity/connect/authorize")
    assert discovery["token_endpoint"] == sim.url("/identity/connect/token")
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "S256" in discovery["code_challenge_methods_supported"]
    jwks = sim.http.get(discovery["jwks_uri"]).json()
    header = jwt.get_unverified_header(tokens["id_token"])
    assert header["alg"] == "RS256"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    # the simulator runs on a manual clock: PyJWT's wall-clock checks are turned off.
    claims = jwt.decode(
        tokens["id_token"],
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience=CFG.client_id,
        issuer=sim.base,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["exp"] - claims["iat"] == 300 and claims["iat"] == int(START)
    assert claims["email"] and claims["given_name"] and claims["sub"]
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    # a refresh answers a new id_token signed by the same key (no nonce: none was asked)
    again = sim.refresh(tokens["refresh_token"]).json()
    claims2 = jwt.decode(
        again["id_token"],
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience=CFG.client_id,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert "nonce" not in claims2 and claims2["sub"] == claims["sub"]
    forged = tokens["id_token"].rsplit(".", 1)[0] + "." + again["id_token"].rsplit(".", 1)[1]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            forged,
            jwt.PyJWK(key).key,
            algorithms=["RS256"],
            audience=CFG.client_id,
            options={"verify_exp": False, "verify_iat": False},
        )


def test_signing_key_survives_a_restart_and_discovery_is_get_only(sim, tmp_path):
    sim.login()
    keys = sim.http.get(sim.url("/.well-known/openid-configuration/jwks")).json()["keys"]
    again = XeroIdentity(CompanyStore.load(None, tmp_path / "state"), sim.clock, CFG)
    assert again._signing_key().jwk == keys[0]
    assert "PRIVATE" not in json.dumps(keys)
    assert sim.http.post(sim.url("/.well-known/openid-configuration")).status_code == 405
