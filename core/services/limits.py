"""Rate limits and request counts (no network code): the per-organisation and per-token
limiters every call waits on, the registry that keeps them per key, the counter of requests.

Apart from ``core.services.http`` so that making an AppContext (which owns a counter and a
registry) does not import ``requests``: the window opens before any call is made.
``core.services.http`` re-exports every name here.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from core.errors import QBTIME, XERO, BridgeError, DailyLimitReached

log = logging.getLogger("core.services.http")

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds of every API call

Clock = Callable[[], float]
Sleep = Callable[[float], None]


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
        #: when (this limiter's clock) Xero said ``_remaining_today`` in X-DayLimit-Remaining;
        #: None: not said by Xero (none yet, or 0 from a ``day`` 429)
        self._remaining_today_at: float | None = None
        self._remaining_minute: int | None = None
        self._remaining_app_minute: int | None = None
        self._last_now = -math.inf
        #: told the send time of each call the window counts, once it is counted (outside
        #: the limiter's lock): core.app.qbt_window keeps QuickBooks Time's across restarts
        self.on_window_call: Callable[[float], None] | None = None

    # -- acquiring
    def acquire(self) -> None:
        while True:
            with self._cond:
                now = self._clock()
                self._follow_clock(now)
                self._check_day(now)
                wait = self._time_wait(now)
                if wait <= 0:
                    if self.max_concurrent is None or self._in_flight < self.max_concurrent:
                        self._in_flight += 1
                        if self.per_window is not None:
                            self._window.append(now)
                        if self.per_day is not None:
                            self._day.append(now)
                        recorder = self.on_window_call if self.per_window is not None else None
                        break
                    # A real wait: only release() can free a slot.
                    self._cond.wait(timeout=1.0)
                    continue
            self._sleep(wait)
        if recorder is not None:
            recorder(now)

    def _follow_clock(self, now: float) -> None:
        """The clock went back (set by hand, or corrected by NTP): the calls made and the
        waits asked for move back with it, so a wait never grows by the jump (an hour back
        would otherwise block an hour more)."""
        back = self._last_now - now
        if back > 0:
            self._window = deque(t - back for t in self._window)
            self._day = deque(t - back for t in self._day)
            if self._blocked_until > 0:
                self._blocked_until -= back
        self._last_now = now

    def seed_window(self, stamps: Iterable[float]) -> None:
        """Count calls made before this limiter existed (another process's, read from the
        database) in its window, in time order with its own."""
        with self._cond:
            merged = sorted([*self._window, *stamps])
            self._window = deque(merged)

    def now(self) -> float:
        """This limiter's clock."""
        return self._clock()

    def window_stamps(self) -> list[float]:
        """The send times the window counts now, oldest first."""
        with self._cond:
            now = self._clock()
            self._follow_clock(now)
            self._prune(self._window, now - self.window_s)
            return list(self._window)

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
            self._remaining_today = self._remaining_today_at = None
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
            self._remaining_today, self._remaining_today_at = 0, None

    def reset_day(self) -> None:
        """Forget a day-exhausted state (the user chose "try again now")."""
        with self._cond:
            self._day_exhausted_until = None
            self._remaining_today = self._remaining_today_at = None
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
                self._remaining_today, self._remaining_today_at = day, now
                if day <= 0 and self._day_exhausted_until is None:
                    # Xero does not say when its day window resets: assume the worst case.
                    self._day_exhausted_until = now + self.day_s

    # -- status
    @property
    def remaining_today(self) -> int | None:
        """The last ``X-DayLimit-Remaining`` seen within Xero's day (``day_s``; 0 while a
        ``day`` 429 holds), else what our own day count leaves, else None."""
        with self._cond:
            now = self._clock()
            if self._remaining_today is not None and (
                self._remaining_today_at is None or now - self._remaining_today_at < self.day_s
            ):
                return self._remaining_today
            if self.per_day is not None:
                self._prune(self._day, now - self.day_s)
                return max(0, self.per_day - len(self._day))
            return None

    def day_remaining_said(self) -> tuple[int, float] | None:
        """(requests left, when: this limiter's clock) as Xero last said them in its
        ``X-DayLimit-Remaining``; None when it has not said them, or said them longer ago
        than its day (``day_s``: a count from yesterday is not today's). Never a count of
        this process's own (it knows nothing of the calls other processes made)."""
        with self._cond:
            left, at = self._remaining_today, self._remaining_today_at
            if left is None or at is None or self._clock() - at >= self.day_s:
                return None
            return left, at

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

    def keys(self) -> list[str]:
        """The keys of the limiters made so far (the services this process called)."""
        with self._lock:
            return list(self._limiters)
