"""core.services.http: retries, rate limits, limiter, 401 refresh, redaction, counters.

Real werkzeug servers on 127.0.0.1 (SimServer), faults from FaultPlan; every back-off goes
through an injected sleep that records the wait and moves a fake clock, so nothing sleeps.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import deque
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError
from werkzeug.wrappers import Request, Response

from core.errors import (
    ApiError,
    DailyLimitReached,
    NetworkError,
    RateLimited,
    ServiceUnavailable,
)
from core.sandbox.common import FaultMiddleware, FaultPlan, ManualClock, SimServer, json_response
from core.services.http import (
    QBTIME,
    XERO,
    AuthRejected,
    LimiterRegistry,
    RateLimiter,
    RequestCounter,
    RetryPolicy,
    ServiceSession,
    classify_network_error,
    error_reason,
    format_local_time,
    qbtime_limiter,
    safe_url,
    xero_limiter,
)

T0 = 1_700_000_000.0


# --------------------------------------------------------------------------- helpers
class FakeTime:
    """Injected clock + sleep: sleeping records the wait and moves the clock."""

    def __init__(self) -> None:
        self.clock = ManualClock(T0)
        self.sleeps: list[float] = []
        self.on_sleep: Any = None

    def now(self) -> float:
        return self.clock.now()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)
        if self.on_sleep:
            self.on_sleep()


class Script:
    """A WSGI app answering from a queue of scripted responses, recording what it got."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.queue: deque[tuple[int, Any, dict[str, str]]] = deque()
        self.seen: list[dict[str, Any]] = []
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def add(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, times: int = 1
    ) -> Script:
        for _ in range(times):
            self.queue.append((status, body, headers or {}))
        return self

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        req = Request(environ)
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.seen.append(
                {
                    "method": req.method,
                    "path": req.path,
                    "args": dict(req.args),
                    "headers": dict(req.headers),
                    "body": req.get_data(),
                }
            )
            status, body, headers = self.queue.popleft() if self.queue else (200, None, {})
        try:
            if self.delay_s:
                time.sleep(self.delay_s)
            if isinstance(body, str):
                resp = Response(body, status=status, headers=headers, content_type="text/plain")
            else:
                resp = json_response({"ok": True} if body is None else body, status, headers)
            return resp(environ, start_response)
        finally:
            with self.lock:
                self.in_flight -= 1

    @property
    def calls(self) -> int:
        return len(self.seen)


def xero_error(status: int) -> Response:
    return json_response({"Title": "Error", "Detail": f"injected {status}"}, status)


@pytest.fixture
def serve():
    servers: list[SimServer] = []

    def start(app: Any, plan: FaultPlan | None = None) -> str:
        wrapped = FaultMiddleware(app, plan, xero_error) if plan else app
        server = SimServer(wrapped).start()
        servers.append(server)
        return server.base_url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def ft() -> FakeTime:
    return FakeTime()


def make(base: str, ft: FakeTime, service: str = XERO, **kw: Any) -> ServiceSession:
    kw.setdefault("counter", RequestCounter())
    kw.setdefault("timeout", (2.0, 2.0))
    return ServiceSession(service, base, clock=ft.now, sleep=ft.sleep, **kw)


# --------------------------------------------------------------------------- 5xx
def test_retries_500_and_503_then_success_with_exact_counts(serve, ft):
    app = Script().add(500).add(503)
    s = make(serve(app), ft)
    resp = s.request("GET", "/api.xro/2.0/Contacts", params={"page": 1})
    assert resp.status_code == 200 and resp.json() == {"ok": True}
    assert app.calls == 3
    assert len(ft.sleeps) == 2
    assert 0 <= ft.sleeps[0] <= 0.5 and 0 <= ft.sleeps[1] <= 1.0  # full jitter bounds
    snap = s.counter.snapshot()
    assert snap["requests"] == 3 and snap["retries"] == 2
    assert snap["rate_limited"] == 0 and snap["network_errors"] == 0
    xero = snap["services"][XERO]
    assert xero["by_status"] == {"500": 1, "503": 1, "200": 1}
    assert xero["by_method"] == {"GET": 3}
    assert xero["by_method_status"] == {"GET 500": 1, "GET 503": 1, "GET 200": 1}
    assert snap["waited_s"] == pytest.approx(sum(ft.sleeps))


def test_503_exhausted_raises_service_unavailable(serve, ft):
    app = Script().add(503, "The Xero API is currently offline for maintenance", times=5)
    s = make(serve(app), ft, retry=RetryPolicy(max_attempts=5))
    with pytest.raises(ServiceUnavailable) as info:
        s.request("GET", "/x")
    assert app.calls == 5 and len(ft.sleeps) == 4
    assert info.value.status == 503
    assert "offline for maintenance" in str(info.value)
    assert "Xero" in info.value.user_message("en")


def test_500_exhausted_raises_api_error_with_service_message(serve, ft):
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "Boom",
        "Elements": [{"ValidationErrors": [{"Message": "Something broke"}]}],
    }
    app = Script().add(500, body, times=3)
    s = make(serve(app), ft, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ApiError) as info:
        s.request("GET", "/x")
    assert app.calls == 3
    assert info.value.status == 500
    assert info.value.params["reason"] == "Boom: Something broke"


def test_post_not_retried_on_500_unless_idempotent(serve, ft):
    app = Script().add(500).add(503)
    s = make(serve(app), ft)
    with pytest.raises(ApiError) as info:
        s.request("POST", "/x", json={"a": 1})
    assert app.calls == 1 and info.value.maybe_applied is True
    # With an Idempotency-Key the caller declares it safe: retried.
    resp = s.request(
        "POST", "/x", json={"a": 1}, headers={"Idempotency-Key": "k1"}, idempotent=True
    )
    assert resp.status_code == 200 and app.calls == 3


def test_501_is_not_retried(serve, ft):
    app = Script().add(501, {"Title": "Not Implemented"})
    s = make(serve(app), ft)
    with pytest.raises(ApiError) as info:
        s.request("GET", "/x")
    assert app.calls == 1 and ft.sleeps == [] and info.value.status == 501


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413, 417])
def test_4xx_other_than_401_429_are_returned(serve, ft, status):
    app = Script().add(status, {"error": {"code": status, "message": "Invalid param(s): x"}})
    s = make(serve(app), ft, service=QBTIME)
    resp = s.request("POST", "/jobcodes", json={"data": []})
    assert resp.status_code == status
    assert error_reason(resp) == "Invalid param(s): x"
    assert app.calls == 1 and ft.sleeps == []


# --------------------------------------------------------------------------- network faults
@pytest.mark.parametrize("kind", ["reset", "read_timeout", "truncated"])
def test_get_retried_after_network_fault(serve, ft, kind):
    app = Script().add(200, {"Contacts": [{"Name": "x" * 200}]}, times=2)
    plan = FaultPlan(stall_s=0.6)
    plan.force(kind)
    s = make(serve(app, plan), ft, timeout=(2.0, 0.2))
    resp = s.request("GET", "/api.xro/2.0/Contacts")
    assert resp.status_code == 200
    assert resp.json()["Contacts"][0]["Name"] == "x" * 200
    snap = s.counter.snapshot()
    assert snap["requests"] == 2 and snap["retries"] == 1 and snap["network_errors"] == 1
    assert len(ft.sleeps) == 1


@pytest.mark.parametrize(
    "kind,applied", [("reset", 0), ("read_timeout", 0), ("lost_response", 1), ("truncated", 1)]
)
def test_post_not_retried_after_send(serve, ft, kind, applied):
    app = Script().add(200, {"Contacts": [{"Name": "y" * 200}]})
    plan = FaultPlan(stall_s=0.6)
    plan.force(kind)
    s = make(serve(app, plan), ft, timeout=(2.0, 0.2))
    with pytest.raises(NetworkError) as info:
        s.request("POST", "/api.xro/2.0/Contacts", json={"Contacts": [{"Name": "y"}]})
    assert info.value.maybe_applied is True
    assert app.calls == applied  # the server may well have applied it: the caller reconciles
    assert ft.sleeps == []
    assert s.counter.snapshot()["requests"] == 1
    assert "Xero" in info.value.user_message("en")


def test_get_network_failure_exhausted(serve, ft):
    app = Script()
    plan = FaultPlan()
    plan.force("reset", times=3)
    s = make(serve(app, plan), ft, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(NetworkError) as info:
        s.request("GET", "/x")
    assert info.value.maybe_applied is False and info.value.kind == "reset"
    assert s.counter.snapshot()["network_errors"] == 3 and len(ft.sleeps) == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_post_retried_when_connection_refused(ft):
    port = _free_port()
    app = Script()
    servers: list[SimServer] = []

    def start_server_on_first_backoff() -> None:
        if not servers:
            servers.append(SimServer(app, port=port).start())

    ft.on_sleep = start_server_on_first_backoff
    s = make(f"http://127.0.0.1:{port}", ft)
    try:
        resp = s.request("POST", "/x", json={"a": 1})
    finally:
        for server in servers:
            server.stop()
    assert resp.status_code == 200
    assert app.calls == 1  # refused attempt never reached anyone; the retry did, once
    assert s.counter.snapshot()["network_errors"] == 1


def test_connection_refused_exhausted_is_network_error(ft):
    s = make(f"http://127.0.0.1:{_free_port()}", ft, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(NetworkError) as info:
        s.request("POST", "/x", json={})
    assert info.value.kind == "connect" and info.value.maybe_applied is False
    assert len(ft.sleeps) == 1


def test_classify_network_errors():
    refused = requests.exceptions.ConnectionError(
        MaxRetryError(None, "/x", NewConnectionError(None, "refused"))
    )
    assert classify_network_error(refused) == ("connect", True)
    assert classify_network_error(requests.exceptions.ConnectTimeout()) == ("connect_timeout", True)
    assert classify_network_error(requests.exceptions.ReadTimeout()) == ("read_timeout", False)
    reset = requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError())
    )
    assert classify_network_error(reset) == ("reset", False)
    assert classify_network_error(requests.exceptions.ChunkedEncodingError()) == (
        "truncated",
        False,
    )
    assert classify_network_error(requests.exceptions.SSLError()) == ("tls", False)


# --------------------------------------------------------------------------- 429
def test_xero_minute_429_honours_retry_after_even_for_post(serve, ft):
    app = Script().add(
        429, {"Title": "Too Many Requests"}, {"Retry-After": "17", "X-Rate-Limit-Problem": "minute"}
    )
    limiter = xero_limiter(clock=ft.now, sleep=ft.sleep)
    s = make(serve(app), ft, limiter=limiter)
    resp = s.request("POST", "/api.xro/2.0/Contacts", json={"Contacts": []})
    assert resp.status_code == 200 and app.calls == 2
    assert ft.sleeps == [17.0]
    snap = s.counter.snapshot()
    assert snap["rate_limited"] == 1 and snap["retries"] == 1
    assert snap["services"][XERO]["by_status"] == {"429": 1, "200": 1}


def test_xero_429_without_retry_after_backs_off_briefly(serve, ft):
    app = Script().add(429, None, {"X-Rate-Limit-Problem": "concurrent"}, times=2)
    s = make(serve(app), ft, retry=RetryPolicy.xero())
    assert s.request("GET", "/x").status_code == 200
    assert ft.sleeps == [1.0, 2.0]


def test_xero_429_retry_after_beyond_budget_raises_rate_limited(serve, ft):
    app = Script().add(429, None, {"Retry-After": "900", "X-Rate-Limit-Problem": "minute"})
    s = make(serve(app), ft, retry=RetryPolicy.xero())
    with pytest.raises(RateLimited) as info:
        s.request("GET", "/x")
    assert info.value.retry_after == 900 and ft.sleeps == []
    assert "900" in info.value.user_message("en")


def test_retry_after_as_http_date(serve, ft):
    when = datetime.fromtimestamp(T0 + 30, UTC)
    app = Script().add(429, None, {"Retry-After": format_datetime(when, usegmt=True)})
    s = make(serve(app), ft)
    assert s.request("GET", "/x").status_code == 200
    assert ft.sleeps == [pytest.approx(30.0)]


def test_xero_day_limit_raises_at_once_and_limiter_refuses_next_call(serve, ft):
    app = Script().add(
        429,
        None,
        {"Retry-After": "7200", "X-Rate-Limit-Problem": "day", "X-DayLimit-Remaining": "0"},
    )
    limiter = xero_limiter(clock=ft.now, sleep=ft.sleep)
    s = make(serve(app), ft, limiter=limiter)
    with pytest.raises(DailyLimitReached) as info:
        s.request("GET", "/api.xro/2.0/Contacts")
    assert ft.sleeps == []  # never sleeps hours
    assert info.value.retry_after == 7200
    assert info.value.params["resume_at"] == format_local_time(T0 + 7200)
    assert format_local_time(T0 + 7200) in info.value.user_message("en")
    assert limiter.remaining_today == 0
    ft.clock.advance(3600)
    with pytest.raises(DailyLimitReached) as again:
        s.request("GET", "/api.xro/2.0/Items")
    assert again.value.retry_after == 3600
    assert app.calls == 1  # refused without calling
    ft.clock.advance(3601)  # window over: calls flow again
    assert s.request("GET", "/api.xro/2.0/Items").status_code == 200


def test_day_remaining_header_zero_stops_next_call(serve, ft):
    app = Script().add(200, None, {"X-DayLimit-Remaining": "0", "X-MinLimit-Remaining": "41"})
    limiter = xero_limiter(clock=ft.now, sleep=ft.sleep)
    s = make(serve(app), ft, limiter=limiter)
    assert s.request("GET", "/x").status_code == 200
    assert limiter.remaining_today == 0 and limiter.remaining_minute == 41
    assert limiter.status()["remaining_today"] == 0
    with pytest.raises(DailyLimitReached):
        s.request("GET", "/x")
    assert app.calls == 1


def test_remaining_today_tracks_header(serve, ft):
    app = Script().add(200, None, {"X-DayLimit-Remaining": "4321"})
    limiter = xero_limiter(clock=ft.now, sleep=ft.sleep)
    assert limiter.remaining_today == 5000
    make(serve(app), ft, limiter=limiter).request("GET", "/x")
    assert limiter.remaining_today == 4321


def test_qbtime_429_backs_off_with_growth_then_succeeds(serve, ft):
    body = {"error": {"code": 429, "message": "Too Many Requests"}}
    app = Script().add(429, body, times=3)
    s = make(serve(app), ft, service=QBTIME, limiter=qbtime_limiter(clock=ft.now, sleep=ft.sleep))
    resp = s.request("POST", "/jobcodes", json={"data": [{"name": "A"}]})
    assert resp.status_code == 200
    assert ft.sleeps == [5.0, 10.0, 20.0]
    assert app.calls == 4
    assert s.counter.snapshot()["services"][QBTIME]["rate_limited"] == 3


def test_qbtime_429_gives_up_after_total_budget(serve, ft):
    app = Script().add(429, {"error": {"code": 429, "message": "Too Many Requests"}}, times=50)
    s = make(serve(app), ft, service=QBTIME)
    with pytest.raises(RateLimited) as info:
        s.request("GET", "/users")
    assert ft.sleeps == [5.0, 10.0, 20.0, 40.0, 80.0, 145.0]
    assert sum(ft.sleeps) == 300.0
    assert app.calls == 7
    assert info.value.service == QBTIME and info.value.status == 429
    assert info.value.retry_after == 300


def test_503_retry_after_is_honoured_within_cap(serve, ft):
    app = Script().add(503, "down", {"Retry-After": "3"}).add(503, "down", {"Retry-After": "999"})
    s = make(serve(app), ft)
    assert s.request("GET", "/x").status_code == 200
    assert ft.sleeps[0] == 3.0 and ft.sleeps[1] == 30.0  # capped at backoff_cap_s


# --------------------------------------------------------------------------- 401
def test_401_refreshes_once_and_retries_with_new_header(serve, ft):
    token = {"value": "old-token"}

    class App(Script):
        def __call__(self, environ, start_response):
            if Request(environ).headers.get("Authorization") != "Bearer new-token":
                self.queue.appendleft(
                    (401, {"Title": "Unauthorized", "Detail": "TokenExpired"}, {})
                )
            return super().__call__(environ, start_response)

    app = App()
    calls: list[int] = []

    def refresh() -> bool:
        calls.append(1)
        token["value"] = "new-token"
        return True

    s = make(
        serve(app),
        ft,
        auth=lambda: {"Authorization": f"Bearer {token['value']}"},
        on_unauthorized=refresh,
    )
    resp = s.request("POST", "/x", json={})
    assert resp.status_code == 200 and calls == [1]
    assert [c["headers"]["Authorization"] for c in app.seen] == [
        "Bearer old-token",
        "Bearer new-token",
    ]
    assert ft.sleeps == []


def test_second_401_raises_auth_rejected(serve, ft):
    app = Script().add(
        401, {"Title": "Unauthorized", "Detail": "AuthorizationUnsuccessful"}, times=5
    )
    calls: list[int] = []
    s = make(
        serve(app),
        ft,
        auth=lambda: {"Authorization": "Bearer t"},
        on_unauthorized=lambda: calls.append(1) or True,
    )
    with pytest.raises(AuthRejected) as info:
        s.request("GET", "/x")
    assert calls == [1] and app.calls == 2
    assert info.value.status == 401 and isinstance(info.value, ApiError)
    assert "Unauthorized: AuthorizationUnsuccessful" in str(info.value)


def test_401_without_refresh_raises_at_once(serve, ft):
    app = Script().add(401, {"error": {"code": 401, "message": "Unauthorized"}})
    calls: list[int] = []
    s = make(serve(app), ft, service=QBTIME, on_unauthorized=lambda: calls.append(1) or False)
    with pytest.raises(AuthRejected):
        s.request("GET", "/current_user")
    assert calls == [1] and app.calls == 1


# --------------------------------------------------------------------------- limiter
def test_limiter_keeps_at_most_n_concurrent_threads():
    limiter = RateLimiter(max_concurrent=3)
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def work() -> None:
        with limiter:
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            time.sleep(0.02)
            with lock:
                state["now"] -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert state["max"] == 3 and limiter.in_flight == 0


def test_session_limiter_bounds_server_side_concurrency(serve, ft):
    app = Script(delay_s=0.05)
    s = ServiceSession(
        XERO,
        serve(app),
        limiter=RateLimiter(max_concurrent=2),
        retry=RetryPolicy(),
        timeout=(2.0, 2.0),
    )
    threads = [threading.Thread(target=s.request, args=("GET", f"/x/{i}")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert app.calls == 8 and app.max_in_flight == 2


def test_limiter_window_with_fake_clock(ft):
    limiter = RateLimiter(per_window=3, window_s=10.0, clock=ft.now, sleep=ft.sleep)
    stamps = []
    for _ in range(7):
        with limiter:
            stamps.append(ft.now())
    assert stamps == [T0, T0, T0, T0 + 10, T0 + 10, T0 + 10, T0 + 20]
    assert ft.sleeps == [10.0, 10.0]


def test_limiter_sleeps_once_for_a_wait_and_again_only_for_what_an_early_wake_left(ft):
    """A full window costs one sleep of exactly the wait, computed once; a sleep cut short
    (a signal) is followed by one more for the rest, not by a loop asking again and again."""
    limiter = RateLimiter(per_window=2, window_s=10.0, clock=ft.now, sleep=ft.sleep)
    for _ in range(2):
        with limiter:
            pass
    ft.clock.advance(4)
    with limiter:  # the window frees at T0 + 10: one sleep of 6 s
        assert ft.now() == T0 + 10
    assert ft.sleeps == [6.0]

    woke: list[float] = []

    def cut_short(seconds: float) -> None:  # the first sleep wakes after 3 s
        woke.append(seconds)
        ft.clock.advance(3.0 if len(woke) == 1 else seconds)

    limiter = RateLimiter(per_window=1, window_s=10.0, clock=ft.now, sleep=cut_short)
    start = ft.now()
    with limiter:
        pass
    with limiter:
        assert ft.now() == start + 10
    assert woke == [10.0, 7.0]


def test_limiter_wait_on_the_real_clock_sleeps_instead_of_spinning():
    """With the real clock and sleep, a limiter wait costs (almost) no CPU: one sleep for
    the wait, not a loop polling the clock."""
    calls: list[float] = []

    def sleep(seconds: float) -> None:
        calls.append(seconds)
        time.sleep(seconds)

    limiter = RateLimiter(per_window=1, window_s=0.3, clock=time.monotonic, sleep=sleep)
    with limiter:
        pass
    started, cpu = time.monotonic(), time.thread_time()
    with limiter:
        pass
    assert time.monotonic() - started >= 0.3  # the window was honoured
    assert 1 <= len(calls) <= 2  # a sleep returning a hair early is followed by one more
    assert time.thread_time() - cpu < 0.1  # a busy wait burns ~0.3 s of CPU here


@settings(max_examples=60, deadline=None)
@given(
    per=st.integers(1, 6),
    window=st.floats(1, 60),
    gaps=st.lists(st.floats(0, 30), min_size=1, max_size=40),
)
def test_limiter_never_exceeds_window_property(per, window, gaps):
    ft = FakeTime()
    limiter = RateLimiter(per_window=per, window_s=window, clock=ft.now, sleep=ft.sleep)
    stamps: list[float] = []
    for gap in gaps:
        ft.clock.advance(gap)
        with limiter:
            stamps.append(ft.now())
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps[i:] if u < t + window) <= per


def test_limiter_per_day_raises_instead_of_sleeping(ft):
    limiter = RateLimiter(per_day=2, clock=ft.now, sleep=ft.sleep)
    with limiter:
        pass
    ft.clock.advance(100)
    with limiter:
        pass
    with pytest.raises(DailyLimitReached) as info:
        limiter.acquire()
    assert info.value.retry_after == 86400 - 100 and ft.sleeps == []
    assert limiter.remaining_today == 0


def test_minute_remaining_zero_waits_for_window(ft):
    limiter = RateLimiter(per_window=60, window_s=60, clock=ft.now, sleep=ft.sleep)
    with limiter:
        pass
    ft.clock.advance(20)
    limiter.update_from_headers({"X-MinLimit-Remaining": "0"})
    with limiter:
        pass
    assert ft.sleeps == [40.0]


def test_presets():
    x = xero_limiter()
    assert (x.max_concurrent, x.per_window, x.window_s, x.per_day) == (4, 60, 62.0, 5000)
    q = qbtime_limiter()
    assert (q.per_window, q.window_s) == (300, 305.0)


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=3), min_size=130, max_size=200),
    delays=st.lists(st.floats(min_value=0, max_value=1.99), min_size=200, max_size=200),
    phase=st.floats(min_value=0, max_value=60),
)
def test_xero_preset_never_exceeds_60_in_any_fixed_minute(gaps, delays, phase):
    """Whatever the pace of our calls, and a send->arrival gap that varies by < 2 s, Xero's
    fixed 60 s windows (any phase) never see more than 60 calls."""
    ft = FakeTime()
    limiter = xero_limiter(clock=ft.now, sleep=ft.sleep)
    arrivals = []
    for gap, delay in zip(gaps, delays[: len(gaps)], strict=True):
        ft.clock.advance(gap)
        with limiter:
            arrivals.append(ft.now() + delay)
    counts: dict[int, int] = {}
    for t in arrivals:
        window = int((t - T0 + phase) // 60)
        counts[window] = counts.get(window, 0) + 1
    assert max(counts.values()) <= 60


def test_registry_gives_one_limiter_per_key():
    registry = LimiterRegistry()
    made: list[int] = []

    def factory() -> RateLimiter:
        made.append(1)
        return xero_limiter()

    results: list[RateLimiter] = []
    threads = [
        threading.Thread(target=lambda: results.append(registry.for_key("t1", factory)))
        for _ in range(10)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1 and all(r is results[0] for r in results)
    assert registry.for_key("t2", factory) is not results[0] and len(made) == 2
    assert set(registry.status()) == {"t1", "t2"}


# --------------------------------------------------------------------------- redaction
def test_logs_and_errors_never_hold_secrets(serve, ft, caplog):
    caplog.set_level(logging.DEBUG, logger="core.services.http")
    app = (
        Script()
        .add(200)
        .add(500, {"Message": "bad token=SECRET-ECHO-777"}, times=2)
        .add(401, {"error": "invalid_grant", "error_description": "refresh_token=RT-SECRET-9"})
    )
    plan = FaultPlan()
    s = make(
        serve(app, plan),
        ft,
        retry=RetryPolicy(max_attempts=2),
        auth=lambda: {"Authorization": "Bearer AT-SECRET-123"},
    )
    secret_params = {"code": "CODE-SECRET-456", "state": "STATE-SECRET-789", "page": 2}
    s.request("GET", "/callback", params=secret_params, data="refresh_token=RT-SECRET-9")
    with pytest.raises(ApiError) as api_err:
        s.request("GET", "/x", params=secret_params)
    with pytest.raises(AuthRejected) as auth_err:
        s.request("POST", "/connect/token", data={"refresh_token": "RT-SECRET-9"})
    plan.force("reset")
    with pytest.raises(NetworkError) as net_err:
        s.request("POST", "/y?token=TOK-SECRET-000", json={"access_token": "AT-SECRET-123"})
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name == "core.services.http")
    text = ours + "".join(str(e.value) for e in (api_err, auth_err, net_err))
    assert "GET /callback?code=[REDACTED]&state=[REDACTED]&page=2 -> 200" in ours
    assert "bad token=[REDACTED]" in str(api_err.value)
    for secret in (
        "AT-SECRET-123",
        "CODE-SECRET-456",
        "STATE-SECRET-789",
        "RT-SECRET-9",
        "SECRET-ECHO-777",
        "TOK-SECRET-000",
    ):
        assert secret not in text
    # the secrets did reach the server: redaction is only on our side
    assert app.seen[0]["args"]["code"] == "CODE-SECRET-456"
    assert app.seen[0]["headers"]["Authorization"] == "Bearer AT-SECRET-123"


def test_safe_url():
    assert (
        safe_url("https://h/p?code=abc&x=1", {"refresh_token": "r"})
        == "/p?code=[REDACTED]&x=1&refresh_token=[REDACTED]"
    )


# --------------------------------------------------------------------------- error bodies
def _resp(status: int, body: Any, ctype: str = "application/json") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.reason = "Reason"
    r._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    r.headers["Content-Type"] = ctype
    return r


@pytest.mark.parametrize(
    "body,expected",
    [
        (
            {
                "ErrorNumber": 10,
                "Type": "ValidationException",
                "Message": "A validation exception occurred",
                "Elements": [
                    {"ValidationErrors": [{"Message": "Please enter a unique Name."}]},
                    {"ValidationErrors": [{"Message": "Please enter a unique Name."}]},
                ],
            },
            "A validation exception occurred: Please enter a unique Name.",
        ),
        (
            {
                "type": "application/problem+json",
                "title": "BadRequest",
                "status": "400",
                "detail": "Validation error occurred.",
                "invalidFields": [
                    {"name": "DateOfBirth", "reason": "The Date of Birth is required."}
                ],
            },
            "BadRequest: Validation error occurred.; DateOfBirth: The Date of Birth is required.",
        ),
        (
            {
                "Type": None,
                "Title": "Forbidden",
                "Status": 403,
                "Detail": "AuthenticationUnsuccessful",
            },
            "Forbidden: AuthenticationUnsuccessful",
        ),
        (
            {"error": {"code": 417, "message": "Invalid param(s): geofence_config_id"}},
            "Invalid param(s): geofence_config_id",
        ),
        (
            {"error": "invalid_grant", "error_description": "The authorization code has expired"},
            "invalid_grant: The authorization code has expired",
        ),
        (
            {"ErrorNumber": 16, "Type": "QueryParseException", "Message": "No property 'hi'"},
            "No property 'hi'",
        ),
        ({}, "HTTP 400 Reason"),
    ],
)
def test_error_reason_shapes(body, expected):
    assert error_reason(_resp(400, body)) == expected


def test_error_reason_plain_text_and_html():
    assert (
        error_reason(_resp(503, b"The Xero API is currently offline for maintenance", "text/plain"))
        == "The Xero API is currently offline for maintenance"
    )
    assert (
        error_reason(_resp(502, b"<html><body>Bad gateway</body></html>", "text/html"))
        == "HTTP 502 Reason"
    )


# --------------------------------------------------------------------------- counter
def test_counter_is_thread_safe():
    counter = RequestCounter()

    def work() -> None:
        for _ in range(500):
            counter.record(XERO, "GET", 200)
            counter.record(QBTIME, "POST", 429)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = counter.snapshot()
    assert snap["requests"] == 8000 and snap["rate_limited"] == 4000
    assert snap["services"][XERO]["by_method_status"] == {"GET 200": 4000}
    counter.reset()
    assert counter.snapshot()["requests"] == 0
