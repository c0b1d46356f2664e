"""The one HTTP layer both API clients (Xero, QuickBooks Time) use.

* :class:`ServiceSession` — one ``requests.Session`` per service (and per Xero organisation):
  auth headers per attempt, a single token refresh on 401, retries with exponential back-off
  and full jitter, rate-limit handling, complete-body checks, redacted logging.
* :class:`RateLimiter` — client-side limits that keep us under the service's own
  (concurrency, sliding window, day), fed by Xero's ``X-*Limit-Remaining`` headers.
* :class:`LimiterRegistry` — one limiter per key (Xero tenant id, QB Time token).
* :class:`RequestCounter` — thread-safe counts for benchmarks and the "status" command.

What :meth:`ServiceSession.request` raises and what it returns
---------------------------------------------------------------
* ``< 500`` except 401 and 429: the response is **returned**; clients interpret their own
  400/403/404/409/413/417 bodies (use :func:`error_reason` for a human reason).
* 401 (after at most one successful ``on_unauthorized()`` refresh): :class:`AuthRejected`.
* 429: waited out and retried (for every method: nothing was applied), except Xero's
  ``day`` problem → :class:`~core.errors.DailyLimitReached` at once, and a total wait over
  the policy's budget → :class:`~core.errors.RateLimited`.
* 500/502/503/504: retried for idempotent requests; then 503 →
  :class:`~core.errors.ServiceUnavailable`, others → :class:`~core.errors.ApiError`.
  Other 5xx (501, 505…) → ``ApiError`` at once.
* Network failures: retried for idempotent requests, and for *any* request when the failure
  happened before it was sent (connect timeout, connection refused, DNS). A read timeout,
  reset or cut-short answer after a non-idempotent request was sent is **not** retried:
  :class:`~core.errors.NetworkError` with ``maybe_applied = True`` — the caller reconciles.

Every raised error carries ``service``, ``status`` (HTTP status or None) and
``maybe_applied`` attributes. No error text or log line holds a header, a body, a token or
an OAuth code: only the method, the path (sensitive query values redacted), the status and a
redacted reason.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import requests.adapters
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError

from core.errors import (
    QBTIME,
    XERO,
    ApiError,
    BridgeError,
    DailyLimitReached,
    NetworkError,
    RateLimited,
    ServiceUnavailable,
)
from core.logsetup import redact
from core.version import __version__

log = logging.getLogger(__name__)


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds

# Query parameters whose values never reach a log or an error message.
SENSITIVE_QUERY_KEYS = frozenset(
    {
        "code",
        "state",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "code_verifier",
        "password",
        "api_key",
        "apikey",
        "key",
        "signature",
        "secret",
    }
)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class AuthRejected(ApiError):
    """401 that a token refresh did not cure. Clients map it to ReauthorizationRequired
    (Xero) or QBTimeTokenInvalid / QBTimePermissionMissing (QB Time)."""


def _tag(
    err: BridgeError, *, service: str, status: int | None, maybe_applied: bool = False, **extra: Any
) -> BridgeError:
    err.service = service  # type: ignore[attr-defined]
    err.status = status  # type: ignore[attr-defined]
    err.maybe_applied = maybe_applied  # type: ignore[attr-defined]
    for key, value in extra.items():
        setattr(err, key, value)
    return err


def format_local_time(ts: float) -> str:
    """A local date-time a user can read in either language: ``2026-03-02 14:05``."""
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


def daily_limit_error(until: float, now: float, service: str = XERO) -> DailyLimitReached:
    """DailyLimitReached with ``resume_at`` (local time), ``retry_after`` (s) and ``resume_ts``."""
    retry_after = max(0, math.ceil(until - now))
    err = DailyLimitReached(resume_at=format_local_time(until))
    _tag(err, service=service, status=429, retry_after=retry_after, resume_ts=until)
    return err


# =========================================================================== retry policy
@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Back-off for failures is exponential with full jitter:
    ``uniform(0, min(backoff_cap_s, backoff_base_s * 2**(n-1)))`` before retry ``n``.

    429 without ``Retry-After`` waits ``rate_initial_s * rate_factor**k`` (k = 429s so far for
    this request), clamped so the total 429 wait of one request never exceeds
    ``max_rate_wait_s``; past that → RateLimited.
    """

    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0
    retry_statuses: frozenset[int] = field(default_factory=lambda: frozenset({500, 502, 503, 504}))
    rate_initial_s: float = 5.0
    rate_factor: float = 2.0
    max_rate_wait_s: float = 300.0
    min_rate_wait_s: float = 0.5  # a Retry-After of 0 must not turn into a busy loop

    @classmethod
    def xero(cls, **overrides: Any) -> RetryPolicy:
        # Minute/day 429s carry Retry-After; concurrent/app-minute ones may not: back off
        # briefly (1, 2, 4… s). A minute window is over within 60 s, so 3 minutes is plenty.
        return cls(**{"rate_initial_s": 1.0, "max_rate_wait_s": 180.0, **overrides})

    @classmethod
    def qbtime(cls, **overrides: Any) -> RetryPolicy:
        # QB Time answers 429 (no Retry-After) until its 5-minute window ends:
        # 5, 10, 20, 40, 80, then the 145 s left of a 300 s budget.
        return cls(**{"rate_initial_s": 5.0, "max_rate_wait_s": 300.0, **overrides})

    def backoff(self, failure: int, rng: random.Random) -> float:
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * (2 ** max(0, failure - 1)))
        return rng.uniform(0.0, ceiling)


# =========================================================================== counter
class RequestCounter:
    """Counts every request sent, by service, method and status; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: dict[str, dict[str, Any]] = {}

    def _svc(self, service: str) -> dict[str, Any]:
        svc = self._services.get(service)
        if svc is None:
            svc = {
                "requests": 0,
                "retries": 0,
                "rate_limited": 0,
                "network_errors": 0,
                "waited_s": 0.0,
                "by_method": {},
                "by_status": {},
                "by_method_status": {},
            }
            self._services[service] = svc
        return svc

    def record(self, service: str, method: str, status: int | str) -> None:
        """One request that went out; ``status`` is the HTTP status or ``"network"``."""
        key = str(status)
        with self._lock:
            svc = self._svc(service)
            svc["requests"] += 1
            if key == "network":
                svc["network_errors"] += 1
            if key == "429":
                svc["rate_limited"] += 1
            svc["by_method"][method] = svc["by_method"].get(method, 0) + 1
            svc["by_status"][key] = svc["by_status"].get(key, 0) + 1
            ms = f"{method} {key}"
            svc["by_method_status"][ms] = svc["by_method_status"].get(ms, 0) + 1

    def record_retry(self, service: str) -> None:
        with self._lock:
            self._svc(service)["retries"] += 1

    def record_wait(self, service: str, seconds: float) -> None:
        with self._lock:
            self._svc(service)["waited_s"] += seconds

    def snapshot(self) -> dict[str, Any]:
        """``{"requests", "retries", "rate_limited", "network_errors", "waited_s",
        "services": {name: {same keys + "by_method", "by_status", "by_method_status"}}}``."""
        with self._lock:
            services = {
                name: {
                    **{k: v for k, v in svc.items() if not isinstance(v, dict)},
                    "by_method": dict(svc["by_method"]),
                    "by_status": dict(svc["by_status"]),
                    "by_method_status": dict(svc["by_method_status"]),
                }
                for name, svc in self._services.items()
            }
        totals: dict[str, Any] = {
            k: sum(s[k] for s in services.values())
            for k in ("requests", "retries", "rate_limited", "network_errors")
        }
        totals["waited_s"] = sum(s["waited_s"] for s in services.values())
        totals["services"] = services
        return totals

    def reset(self) -> None:
        with self._lock:
            self._services.clear()


# =========================================================================== limiter
class RateLimiter:
    """Client-side limits: ``max_concurrent`` in flight, ``per_window`` calls per sliding
    ``window_s``, ``per_day`` per sliding ``day_s``.

    ``acquire()`` blocks until a slot is free: time-based waits go through the injected
    ``sleep`` (so tests move a fake clock), concurrency waits on a condition released by
    ``release()``. A sliding window is stricter than the services' fixed windows: at most N
    calls in *any* interval of ``window_s`` implies at most N in each of theirs.

    The day limit never sleeps: when it is used up (our own count, ``X-DayLimit-Remaining: 0``
    or a ``day`` 429 via :meth:`mark_day_exhausted`) ``acquire()`` raises DailyLimitReached
    without any call being made.
    """

    def __init__(
        self,
        *,
        max_concurrent: int | None = None,
        per_window: int | None = None,
        window_s: float = 60.0,
        per_day: int | None = None,
        day_s: float = 86400.0,
        name: str = "",
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        service: str = XERO,
    ) -> None:
        if max_concurrent is not None and max_concurrent < 1:
            raise ValueError("max_concurrent must be >= 1")
        if per_window is not None and per_window < 1:
            raise ValueError("per_window must be >= 1")
        self.max_concurrent = max_concurrent
        self.per_window = per_window
        self.window_s = window_s
        self.per_day = per_day
        self.day_s = day_s
        self.name = name
        self.service = service
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._in_flight = 0
        self._window: deque[float] = deque()
        self._day: deque[float] = deque()
        self._blocked_until = 0.0
        self._day_exhausted_until: float | None = None
        self._remaining_today: int | None = None
        self._remaining_minute: int | None = None
        self._remaining_app_minute: int | None = None

    # -- acquiring
    def acquire(self) -> None:
        while True:
            with self._cond:
                now = self._clock()
                self._check_day(now)
                wait = self._time_wait(now)
                if wait <= 0:
                    if self.max_concurrent is None or self._in_flight < self.max_concurrent:
                        self._in_flight += 1
                        if self.per_window is not None:
                            self._window.append(now)
                        if self.per_day is not None:
                            self._day.append(now)
                        return
                    # A real wait: only release() can free a slot.
                    self._cond.wait(timeout=1.0)
                    continue
            self._sleep(wait)

    def release(self) -> None:
        with self._cond:
            if self._in_flight > 0:
                self._in_flight -= 1
            self._cond.notify()

    def __enter__(self) -> RateLimiter:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _check_day(self, now: float) -> None:
        if self._day_exhausted_until is not None:
            if now < self._day_exhausted_until:
                raise daily_limit_error(self._day_exhausted_until, now, self.service)
            self._day_exhausted_until = None
            self._remaining_today = None
        if self.per_day is not None:
            self._prune(self._day, now - self.day_s)
            if len(self._day) >= self.per_day:
                raise daily_limit_error(self._day[0] + self.day_s, now, self.service)

    def _time_wait(self, now: float) -> float:
        wait = self._blocked_until - now
        if self.per_window is not None:
            self._prune(self._window, now - self.window_s)
            if len(self._window) >= self.per_window:
                wait = max(wait, self._window[0] + self.window_s - now)
        return wait

    @staticmethod
    def _prune(stamps: deque[float], older_than: float) -> None:
        while stamps and stamps[0] <= older_than:
            stamps.popleft()

    # -- feedback from the service
    def block_until(self, ts: float) -> None:
        """No new call starts before ``ts`` (a 429 told us to wait: make every thread wait)."""
        with self._cond:
            self._blocked_until = max(self._blocked_until, ts)

    def mark_day_exhausted(self, until: float) -> None:
        """A ``day`` 429's Retry-After is authoritative: it replaces any worst-case guess."""
        with self._cond:
            self._day_exhausted_until = until
            self._remaining_today = 0

    def reset_day(self) -> None:
        """Forget a day-exhausted state (the user chose "try again now")."""
        with self._cond:
            self._day_exhausted_until = None
            self._remaining_today = None
            self._day.clear()

    def update_from_headers(self, headers: Mapping[str, str]) -> None:
        """Remember Xero's ``X-DayLimit-Remaining`` / ``X-MinLimit-Remaining`` (last seen)."""
        day = _int_header(headers, "X-DayLimit-Remaining")
        minute = _int_header(headers, "X-MinLimit-Remaining")
        app_minute = _int_header(headers, "X-AppMinLimit-Remaining")
        if day is None and minute is None and app_minute is None:
            return
        with self._cond:
            now = self._clock()
            if app_minute is not None:
                self._remaining_app_minute = app_minute
            if minute is not None:
                self._remaining_minute = minute
                if minute <= 0:
                    # The service's minute window is used up (maybe by a previous run):
                    # start nothing until our oldest call in the window has aged out.
                    free_at = (
                        (self._window[0] + self.window_s) if self._window else now + self.window_s
                    )
                    self._blocked_until = max(self._blocked_until, free_at)
            if day is not None:
                self._remaining_today = day
                if day <= 0 and self._day_exhausted_until is None:
                    # Xero does not say when its day window resets: assume the worst case.
                    self._day_exhausted_until = now + self.day_s

    # -- status
    @property
    def remaining_today(self) -> int | None:
        """Last ``X-DayLimit-Remaining`` seen, else what our own day count leaves, else None."""
        with self._cond:
            if self._remaining_today is not None:
                return self._remaining_today
            if self.per_day is not None:
                self._prune(self._day, self._clock() - self.day_s)
                return max(0, self.per_day - len(self._day))
            return None

    @property
    def remaining_minute(self) -> int | None:
        with self._cond:
            return self._remaining_minute

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    def status(self) -> dict[str, Any]:
        remaining_today = self.remaining_today
        with self._cond:
            now = self._clock()
            self._prune(self._window, now - self.window_s)
            return {
                "name": self.name,
                "in_flight": self._in_flight,
                "max_concurrent": self.max_concurrent,
                "used_in_window": len(self._window) if self.per_window is not None else None,
                "per_window": self.per_window,
                "window_s": self.window_s,
                "per_day": self.per_day,
                "remaining_minute": self._remaining_minute,
                "remaining_app_minute": self._remaining_app_minute,
                "remaining_today": remaining_today,
                "blocked_until": self._blocked_until if self._blocked_until > now else None,
                "day_exhausted_until": self._day_exhausted_until,
            }


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


# Xero allows 5 concurrent calls per organisation. We use 4: when we give up on a call
# (read timeout) Xero may still be working on it, so it can see one more call in flight
# than we do; one spare slot avoids "concurrent" 429s in exactly that case.
XERO_MAX_CONCURRENT = 4
# Xero allows 60 per minute per organisation, counted in a fixed window whose phase we do
# not know. We allow 60 per *sliding* 62 s: at most 60 in any 62 s of our send times means
# at most 60 in any of Xero's 60 s windows as long as the gap between our send time and
# Xero's arrival time varies by less than 2 s between two calls. A count headroom (55)
# would cost 8 % of throughput on every large read for the same protection.
XERO_PER_MINUTE = 60
XERO_MINUTE_WINDOW_S = 62.0
# The day limit is tracked exactly by X-DayLimit-Remaining; our own count is a fallback.
XERO_PER_DAY = 5000
# QB Time allows 300 per 5 minutes per token; same reasoning: 300 per sliding 305 s. If it
# lowers the limit "dynamically" the 429 back-off takes over (it answers 429 until its
# window ends, so headroom in the count would not save that wait either).
QBTIME_PER_WINDOW = 300
QBTIME_WINDOW_S = 305.0
QBTIME_MAX_CONCURRENT = 4


def xero_limiter(
    *,
    name: str = "",
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    per_day: int = XERO_PER_DAY,
) -> RateLimiter:
    """One per Xero organisation (tenant id): 4 in flight, 60 per sliding 62 s, 5,000 per day."""
    return RateLimiter(
        max_concurrent=XERO_MAX_CONCURRENT,
        per_window=XERO_PER_MINUTE,
        window_s=XERO_MINUTE_WINDOW_S,
        per_day=per_day,
        name=name,
        clock=clock,
        sleep=sleep,
        service=XERO,
    )


def qbtime_limiter(
    *, name: str = "", clock: Clock = time.time, sleep: Sleep = time.sleep
) -> RateLimiter:
    """One per QB Time access token: 4 in flight, 300 per sliding 305 s."""
    return RateLimiter(
        max_concurrent=QBTIME_MAX_CONCURRENT,
        per_window=QBTIME_PER_WINDOW,
        window_s=QBTIME_WINDOW_S,
        name=name,
        clock=clock,
        sleep=sleep,
        service=QBTIME,
    )


class LimiterRegistry:
    """One limiter per key (Xero tenant id, QB Time token fingerprint); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[str, RateLimiter] = {}

    def for_key(self, key: str, factory: Callable[[], RateLimiter]) -> RateLimiter:
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                limiter = factory()
                self._limiters[key] = limiter
            return limiter

    def get(self, key: str) -> RateLimiter | None:
        with self._lock:
            return self._limiters.get(key)

    def status(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            items = list(self._limiters.items())
        return {key: limiter.status() for key, limiter in items}


# =========================================================================== error bodies
_MAX_REASON = 300


def error_reason(response: requests.Response) -> str:
    """A short human reason from a service's error body, redacted.

    Understands Xero accounting (``Message`` + ``Elements[].ValidationErrors[].Message``),
    Xero problem+json (``title``/``detail``/``invalidFields``, also PascalCase), QB Time
    (``{"error":{"code","message"}}``), OAuth (``error``/``error_description``) and plain
    text (Xero's maintenance page). Falls back to ``HTTP <status> <reason>``.
    """
    text = ""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        text = _reason_from_json(payload)
    elif payload is None:
        ctype = response.headers.get("Content-Type", "").lower()
        body = response.text.strip() if response.content else ""
        if body and "html" not in ctype and not body.lstrip().startswith("<"):
            text = " ".join(body.split())
    if not text:
        text = f"HTTP {response.status_code} {response.reason or ''}".strip()
    text = redact(text)
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def _reason_from_json(payload: dict[str, Any]) -> str:
    def get(*names: str) -> Any:
        for name in names:
            if name in payload and payload[name] not in (None, ""):
                return payload[name]
        return None

    err = payload.get("error")
    if isinstance(err, dict):  # QB Time
        message = str(err.get("message") or "").strip()
        return message or (f"error {err.get('code')}" if err.get("code") else "")
    if isinstance(err, str):  # OAuth
        desc = payload.get("error_description")
        return f"{err}: {desc}" if desc else err

    parts: list[str] = []
    message = get("Message", "message")
    if message:
        parts.append(str(message))
    details: list[str] = []
    for element in payload.get("Elements") or []:
        if isinstance(element, dict):
            for verr in element.get("ValidationErrors") or []:
                if isinstance(verr, dict) and verr.get("Message"):
                    details.append(str(verr["Message"]))
    title, detail = get("title", "Title"), get("detail", "Detail")
    if not parts and title:
        parts.append(str(title))
    if detail:
        details.append(str(detail))
    for invalid in payload.get("invalidFields") or []:
        if isinstance(invalid, dict):
            name, reason = invalid.get("name"), invalid.get("reason")
            details.append(f"{name}: {reason}" if name and reason else str(reason or name or ""))
    details = list(dict.fromkeys(d for d in details if d))
    if details:
        return (parts[0] + ": " if parts else "") + "; ".join(details)
    return parts[0] if parts else ""


def date_header_time(resp: requests.Response) -> float | None:
    """The answer's HTTP ``Date`` header as epoch seconds: the service's clock, not ours."""
    header = resp.headers.get("Date")
    if not header:
        return None
    try:
        return parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _parse_retry_after(value: str | None, now: float) -> float | None:
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


def safe_url(url: str, params: Any = None) -> str:
    """Path + query of ``url`` for logs: no host, sensitive query values redacted."""
    if params:
        prepared = requests.PreparedRequest()
        try:
            prepared.prepare_url(url, params)
            url = prepared.url or url
        except requests.RequestException:
            pass
    parts = urlsplit(url)
    shown = parts.path or "/"
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        shown += "?" + "&".join(
            f"{k}={'[REDACTED]' if k.lower() in SENSITIVE_QUERY_KEYS else v}" for k, v in pairs
        )
    return redact(shown)


# =========================================================================== network errors
class IncompleteBody(requests.exceptions.ChunkedEncodingError):
    """The body was shorter than its Content-Length (a cut connection)."""


_NETWORK_EXCEPTIONS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

_KIND_TEXT = {
    "connect": "could not connect",
    "connect_timeout": "no connection within the time limit",
    "read_timeout": "no answer within the time limit",
    "reset": "the connection was dropped",
    "truncated": "the answer was cut short",
    "tls": "the secure connection failed",
}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        nxt: list[Any] = [
            cur.__cause__,
            cur.__context__,
            getattr(cur, "reason", None),
            *(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException)),
        ]
        stack.extend(n for n in nxt if isinstance(n, BaseException))


def classify_network_error(exc: BaseException) -> tuple[str, bool]:
    """``(kind, not_sent)``: ``not_sent`` is True only when the request surely never left
    (connect timeout, refused, DNS) — the only failures after which a POST may be retried."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect_timeout", True
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls", False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read_timeout", False
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return "truncated", False
    if isinstance(exc, requests.exceptions.ProxyError):
        return "reset", False  # the proxy may have forwarded it
    causes = list(_causes(exc))
    if any(isinstance(c, ConnectTimeoutError) for c in causes):  # includes NewConnectionError
        return "connect", True
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connect", True
    if any(isinstance(c, ReadTimeoutError | TimeoutError) for c in causes):
        return "read_timeout", False
    return "reset", False


# =========================================================================== session
@dataclass
class _Tries:
    """One request's history so far: what decides whether it is sent again."""

    method: str
    shown: str  # the path for logs and errors (see safe_url)
    idempotent: bool
    attempt: int = 0
    failures: int = 0  # 5xx and network failures
    rate_hits: int = 0  # 429s
    rate_waited: float = 0.0  # seconds waited for 429s
    refreshed: bool = False  # the one credentials refresh was tried


_StatusRule = Callable[[requests.Response, _Tries], None]


class ServiceSession:
    """All HTTP calls to one service (and, for Xero, one organisation).

    ``auth()`` returns headers (Authorization, xero-tenant-id…) and is called before every
    attempt, so a token refreshed by another thread is picked up. ``on_unauthorized()`` is
    called at most once per request, on a 401; returning True means "refreshed, retry".
    ``json``/``data`` must be re-sendable (dict, str, bytes), not a stream.
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        auth: Callable[[], dict[str, str]] | None = None,
        on_unauthorized: Callable[[], bool] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        counter: RequestCounter | None = None,
        default_headers: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.retry = retry or (RetryPolicy.qbtime() if service == QBTIME else RetryPolicy.xero())
        self.timeout = timeout
        self.counter = counter
        self._auth = auth
        self._on_unauthorized = on_unauthorized
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._default_headers = {
            "User-Agent": f"xero-qbtime-bridge/{__version__}",
            "Accept": "application/json",
            **(default_headers or {}),
        }
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=16)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def __repr__(self) -> str:
        return f"ServiceSession({self.service!r}, {self.base_url!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ServiceSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url_for(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    # -- public entry point
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> requests.Response:
        method = method.upper()
        url = self.url_for(path_or_url)
        tries = _Tries(
            method,
            safe_url(url, params),
            method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
        )
        while True:
            tries.attempt += 1
            if tries.attempt > 1 and self.counter:
                self.counter.record_retry(self.service)
            resp, exc = self._send(
                method,
                url,
                tries.shown,
                params,
                json,
                data,
                headers,
                timeout or self.timeout,
                tries.attempt,
            )
            if exc is not None:
                self._network_failure(exc, tries)
                continue
            assert resp is not None
            rule = self._status_rule(resp.status_code)
            if rule is None:
                return resp
            rule(resp, tries)

    # -- what each answer means. A rule returns when the request is to be sent again
    # (after any wait it needed) and raises when the request is over.
    def _status_rule(self, status: int) -> _StatusRule | None:
        """The rule for ``status``; None: the answer is the caller's (success, and the
        4xx bodies each client reads itself)."""
        if status == 401:
            return self._unauthorized
        if status == 429:
            return self._rate_limited
        if status >= 500:
            return self._server_error
        return None

    def _network_failure(self, exc: BaseException, tries: _Tries) -> None:
        """Retried when nothing can have been applied twice: idempotent, or never sent."""
        kind, not_sent = classify_network_error(exc)
        tries.failures += 1
        policy = self.retry
        retryable = kind != "tls" and (tries.idempotent or not_sent)
        if retryable and tries.failures < policy.max_attempts:
            self._pause(
                policy.backoff(tries.failures, self._rng),
                tries.method,
                tries.shown,
                f"{_KIND_TEXT[kind]}, retry {tries.failures} of {policy.max_attempts - 1}",
            )
            return
        maybe = not not_sent and tries.method not in READ_ONLY_METHODS
        log.warning(
            "%s %s %s failed: %s (after %d attempt(s))",
            self.service,
            tries.method,
            tries.shown,
            _KIND_TEXT[kind],
            tries.attempt,
        )
        raise _tag(
            NetworkError(
                redact(f"{_KIND_TEXT[kind]}: {tries.method} {tries.shown}"), service=self.service
            ),
            service=self.service,
            status=None,
            maybe_applied=maybe,
            kind=kind,
        ) from None

    def _unauthorized(self, resp: requests.Response, tries: _Tries) -> None:
        """401: one refresh of the credentials, one retry."""
        if not tries.refreshed and self._on_unauthorized is not None:
            tries.refreshed = True
            if self._on_unauthorized():
                log.debug(
                    "%s %s %s: 401, credentials refreshed, retrying",
                    self.service,
                    tries.method,
                    tries.shown,
                )
                return
        raise _tag(
            AuthRejected(service=self.service, reason=error_reason(resp)),
            service=self.service,
            status=401,
        )

    def _rate_limited(self, resp: requests.Response, tries: _Tries) -> None:
        """429: nothing was applied, so any method waits and retries, within the policy's
        budget; Xero's ``day`` problem stops at once."""
        policy = self.retry
        now = self._clock()
        problem = resp.headers.get("X-Rate-Limit-Problem", "").strip().lower()
        retry_after = _parse_retry_after(resp.headers.get("Retry-After"), now)
        if problem == "day":
            until = now + (retry_after if retry_after is not None else 86400.0)
            if self.limiter is not None:
                self.limiter.mark_day_exhausted(until)
            log.warning(
                "%s daily request limit reached; resume after %s",
                self.service,
                format_local_time(until),
            )
            raise daily_limit_error(until, now, self.service)
        if retry_after is not None:
            wait = max(retry_after, policy.min_rate_wait_s)
        else:
            wait = max(
                policy.rate_initial_s * policy.rate_factor**tries.rate_hits, policy.min_rate_wait_s
            )
        tries.rate_hits += 1
        budget = policy.max_rate_wait_s - tries.rate_waited
        if budget <= 0 or (retry_after is not None and wait > budget):
            log.warning(
                "%s %s %s: still rate limited after waiting %.0f s",
                self.service,
                tries.method,
                tries.shown,
                tries.rate_waited,
            )
            suggest = math.ceil(
                wait if retry_after is not None else min(wait, policy.max_rate_wait_s)
            )
            raise _tag(
                RateLimited(service=self.service, seconds=suggest),
                service=self.service,
                status=429,
                retry_after=suggest,
                problem=problem or None,
            )
        wait = min(wait, budget)
        tries.rate_waited += wait
        if self.limiter is not None:
            self.limiter.block_until(now + wait)
        self._pause(wait, tries.method, tries.shown, f"429 ({problem or 'rate limit'})")

    def _server_error(self, resp: requests.Response, tries: _Tries) -> None:
        """5xx: the retryable statuses are retried for idempotent requests (at least as long
        as a Retry-After asks, up to the back-off cap); then 503 → ServiceUnavailable, any
        other → ApiError, with ``maybe_applied`` unless the request was idempotent."""
        policy = self.retry
        status = resp.status_code
        if status in policy.retry_statuses and tries.idempotent:
            tries.failures += 1
            if tries.failures < policy.max_attempts:
                wait = policy.backoff(tries.failures, self._rng)
                ra = _parse_retry_after(resp.headers.get("Retry-After"), self._clock())
                if ra is not None:
                    wait = min(max(wait, ra), policy.backoff_cap_s)
                self._pause(
                    wait,
                    tries.method,
                    tries.shown,
                    f"{status}, retry {tries.failures} of {policy.max_attempts - 1}",
                )
                return
        reason = error_reason(resp)
        maybe = not tries.idempotent
        log.warning(
            "%s %s %s -> %d: %s (after %d attempt(s))",
            self.service,
            tries.method,
            tries.shown,
            status,
            reason,
            tries.attempt,
        )
        if status == 503:
            raise _tag(
                ServiceUnavailable(reason, service=self.service),
                service=self.service,
                status=503,
                maybe_applied=maybe,
            )
        raise _tag(
            ApiError(service=self.service, reason=reason),
            service=self.service,
            status=status,
            maybe_applied=maybe,
        )

    def get(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path_or_url, **kwargs)

    def put(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path_or_url, **kwargs)

    def delete(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path_or_url, **kwargs)

    # -- internals
    def _pause(self, seconds: float, method: str, shown: str, why: str) -> None:
        log.info("%s %s %s: %s; waiting %.1f s", self.service, method, shown, why, seconds)
        if self.counter:
            self.counter.record_wait(self.service, seconds)
        if seconds > 0:
            self._sleep(seconds)

    def _send(
        self,
        method: str,
        url: str,
        shown: str,
        params: Any,
        json: Any,
        data: Any,
        headers: Mapping[str, str] | None,
        timeout: tuple[float, float],
        attempt: int,
    ) -> tuple[requests.Response | None, BaseException | None]:
        # Credentials first (a refresh may make its own calls), then take a slot.
        hdrs = dict(self._default_headers)
        if self._auth is not None:
            hdrs.update(self._auth())
        if headers:
            hdrs.update(headers)
        if self.limiter is not None:
            self.limiter.acquire()
        start = time.perf_counter()
        try:
            try:
                resp = self._session.request(
                    method, url, params=params, json=json, data=data, headers=hdrs, timeout=timeout
                )
                _ensure_complete(method, resp)
            except _NETWORK_EXCEPTIONS as exc:
                elapsed = time.perf_counter() - start
                kind, _ = classify_network_error(exc)
                if self.counter:
                    self.counter.record(self.service, method, "network")
                log.debug(
                    "%s %s %s -> %s after %.3f s (attempt %d)",
                    self.service,
                    method,
                    shown,
                    kind,
                    elapsed,
                    attempt,
                )
                return None, exc
        finally:
            if self.limiter is not None:
                self.limiter.release()
        elapsed = time.perf_counter() - start
        if self.limiter is not None:
            self.limiter.update_from_headers(resp.headers)
        if self.counter:
            self.counter.record(self.service, method, resp.status_code)
        log.debug(
            "%s %s %s -> %d in %.3f s (attempt %d)",
            self.service,
            method,
            shown,
            resp.status_code,
            elapsed,
            attempt,
        )
        return resp, None


def _ensure_complete(method: str, resp: requests.Response) -> None:
    """Raise IncompleteBody when fewer bytes than Content-Length arrived."""
    if method == "HEAD" or resp.status_code in (204, 304) or resp.status_code < 200:
        return
    length = resp.headers.get("Content-Length", "").strip()
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    if not length.isdigit() or encoding not in ("", "identity"):
        return
    if len(resp.content) < int(length):
        raise IncompleteBody(f"received {len(resp.content)} of {length} bytes")
