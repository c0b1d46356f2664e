"""Xero counts an organisation's calls per day (5,000) whoever asks and however often the app
restarts: the Demo Company's count (``X-DayLimit-Remaining``) is kept with its state, so a
second run over the same state goes on from the first one's count, and a new day (on the
simulator's clock) starts it afresh. Minute windows are not kept (a restart outlasts them)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from core.sandbox.common import SANDBOX_STATE_FILE, ManualClock
from core.sandbox.process import DemoCompanyProcess
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.sandbox.xero_api import DAY_COUNTS_KEY, RateLimiter
from core.sandbox.xero_config import XeroConfig

CFG = XeroConfig()
DAY = CFG.day_limit
ORGANISATION = "/api.xro/2.0/Organisation"


def _sign_in(xero_base: str) -> tuple[dict, str]:
    """Xero's PKCE sign-in on the Demo Company's consent page: (tokens, the first tenant)."""
    http = requests.Session()
    verifier = secrets.token_urlsafe(64)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    redirect = CFG.redirect_uris[0]
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CFG.client_id,
            "redirect_uri": redirect,
            "scope": "openid offline_access accounting.settings.read",
            "state": "st",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    page = http.get(f"{xero_base}/identity/connect/authorize?{query}", timeout=10)
    assert page.status_code == 200, page.text
    found = re.search(r'name="tenant"[^>]*value="([^"]+)"', page.text)
    assert found, page.text
    tenant = found.group(1)
    consent = http.post(
        f"{xero_base}/identity/connect/authorize?{query}",
        data={"tenant": [tenant], "action": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    assert consent.status_code == 302, consent.text
    code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
    tokens = http.post(
        f"{xero_base}/identity/connect/token",
        data={
            "grant_type": "authorization_code",
            "client_id": CFG.client_id,
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    return tokens.json(), tenant


def _refresh(xero_base: str, refresh_token: str) -> str:
    r = requests.post(
        f"{xero_base}/identity/connect/token",
        data={
            "grant_type": "refresh_token",
            "client_id": CFG.client_id,
            "refresh_token": refresh_token,
        },
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _remaining(xero_base: str, access: str, tenant: str) -> tuple[int, int]:
    """One call: (day calls remaining, minute calls remaining) as Xero's answer says."""
    r = requests.get(
        xero_base + ORGANISATION,
        headers={
            "Authorization": f"Bearer {access}",
            "xero-tenant-id": tenant,
            "Accept": "application/json",
        },
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return int(r.headers["X-DayLimit-Remaining"]), int(r.headers["X-MinLimit-Remaining"])


def test_a_second_run_goes_on_from_the_first_run_s_count_until_a_new_day(tmp_path):
    state = tmp_path / "state"
    clock = ManualClock()
    with Sandbox.open(DEMO_COMPANY_FILE, state, clock=clock) as box:
        tokens, tenant = _sign_in(box.xero_base)
        seen = [_remaining(box.xero_base, tokens["access_token"], tenant) for _ in range(5)]
        assert seen[0][0] == DAY - 1 and seen[-1][0] == DAY - 5  # a fresh state starts full

    clock.advance(60)  # the app starts again a minute later: the same day
    with Sandbox.open(DEMO_COMPANY_FILE, state, clock=clock) as box:
        day, minute = _remaining(box.xero_base, tokens["access_token"], tenant)
        assert day == DAY - 6  # the first run's 5 calls, then this one
        assert minute == CFG.minute_limit - 1  # (the minute window is a new one)
        _remaining(box.xero_base, tokens["access_token"], tenant)

    # a new day on the simulator's clock: the count starts afresh
    clock.advance(RateLimiter.DAY_S)
    with Sandbox.open(DEMO_COMPANY_FILE, state, clock=clock) as box:
        access = _refresh(box.xero_base, tokens["refresh_token"])
        assert _remaining(box.xero_base, access, tenant)[0] == DAY - 1


def test_the_count_is_saved_with_the_next_state_write_without_a_stop(tmp_path):
    """Calls are not written one by one: the count goes with the next save of the state (here
    a refresh of the sign-in), so a run that ends without a clean stop keeps what was saved
    by then."""
    state = tmp_path / "state"
    clock = ManualClock()
    box = Sandbox.open(DEMO_COMPANY_FILE, state, clock=clock)
    try:
        tokens, tenant = _sign_in(box.xero_base)
        for _ in range(3):
            _remaining(box.xero_base, tokens["access_token"], tenant)
        saved = json.loads((state / SANDBOX_STATE_FILE).read_text(encoding="utf-8"))
        assert tenant not in saved.get(DAY_COUNTS_KEY, {})  # (no write per call)
        _refresh(box.xero_base, tokens["refresh_token"])  # saves the private state
        saved = json.loads((state / SANDBOX_STATE_FILE).read_text(encoding="utf-8"))
        assert saved[DAY_COUNTS_KEY][tenant]["count"] == 3
    finally:
        for server in box._servers:  # (no clean stop: the process is gone)
            server.stop()


def test_a_state_from_before_starts_with_a_full_day(tmp_path):
    state = tmp_path / "state"
    clock = ManualClock()
    with Sandbox.open(DEMO_COMPANY_FILE, state, clock=clock) as box:
        tokens, tenant = _sign_in(box.xero_base)
        _remaining(box.xero_base, tokens["access_token"], tenant)
    path = state / SANDBOX_STATE_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    del saved[DAY_COUNTS_KEY]  # as a state saved before the counts were kept
    path.write_text(json.dumps(saved), encoding="utf-8")
    with Sandbox.open(DEMO_COMPANY_FILE, state, clock=clock) as box:
        assert _remaining(box.xero_base, tokens["access_token"], tenant)[0] == DAY - 1


def test_the_demo_company_process_remembers_the_count_across_a_restart(tmp_path):
    """The app's own Demo Company (a child process, stopped when the app ends)."""
    state = tmp_path / "state"
    with DemoCompanyProcess.start(None, state) as box:
        tokens, tenant = _sign_in(box.xero_base)
        for _ in range(4):
            _remaining(box.xero_base, tokens["access_token"], tenant)
    with DemoCompanyProcess.start(None, state) as box:
        assert _remaining(box.xero_base, tokens["access_token"], tenant)[0] == DAY - 5
