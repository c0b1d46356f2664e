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
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import requests.adapters
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError

from core.errors import (
    QBTIME,
    XERO,  # noqa: F401 - re-exported: the names http has always had
    ApiError,
    NetworkError,
    RateLimited,
    ServiceUnavailable,
)
from core.logsetup import redact
from core.services.limits import (  # noqa: F401 - re-exported: the names http has always had
    DEFAULT_TIMEOUT,
    QBTIME_MAX_CONCURRENT,
    QBTIME_PER_WINDOW,
    QBTIME_WINDOW_S,
    XERO_MAX_CONCURRENT,
    XERO_MINUTE_WINDOW_S,
    XERO_PER_DAY,
    XERO_PER_MINUTE,
    Clock,
    LimiterRegistry,
    RateLimiter,
    RequestCounter,
    Sleep,
    _int_header,
    _tag,
    daily_limit_error,
    format_local_time,
    qbtime_limiter,
    xero_limiter,
)
from core.version import __version__

log = logging.getLogger(__name__)


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


class AuthRejected(ApiError):
    """401 that a token refresh did not cure. Clients map it to ReauthorizationRequired
    (Xero) or QBTimeTokenInvalid / QBTimePermissionMissing (QB Time)."""


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
        # The environment's proxies and CA bundle are read once per host (_environment),
        # not by requests on every call: it read os.environ twice a call, a third of a
        # call's CPU (issue 16). (~/.netrc is not read: it would replace our Authorization.)
        self._session.trust_env = False
        self._environment: dict[tuple[str, str], dict[str, Any]] = {}
        adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=16)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def __repr__(self) -> str:
        return f"ServiceSession({self.service!r}, {self.base_url!r})"

    def close(self) -> None:
        self._session.close()

    def _environment_for(self, url: str) -> dict[str, Any]:
        """What requests takes from the environment for ``url`` (proxies, honouring
        NO_PROXY; REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE), worked out by requests itself, once
        per scheme and host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        found = self._environment.get(key)
        if found is None:
            with requests.Session() as reader:  # trust_env: as requests would for the call
                found = reader.merge_environment_settings(url, {}, None, None, None)
            self._environment[key] = found
        return found

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
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=hdrs,
                    timeout=timeout,
                    **self._environment_for(url),
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
