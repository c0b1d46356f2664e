"""One clock for a whole in-process run: the app's and the simulators' (tests only).

Turning sleeping off (``ctx.sleep = lambda s: None``) while the app keeps the real clock
makes every rate-limit wait a busy loop: the limiter asks to sleep until its window frees,
the sleep returns at once, the real clock has not moved, so it asks again, at full CPU,
until the real minute has passed. :class:`VirtualClock` is real time plus every wait asked
for: a wait returns at once and moves the clock by what was asked, for the app (its
limiters, back-offs, ``ctx.clock``) and the simulators alike, so the simulators still
enforce their limits on the time our limiters waited for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from core.sandbox.common import Clock


class VirtualClock(Clock):
    """Real time plus the waits asked for (``sleep`` returns at once and moves ``now``).

    Waits asked for at the same time by several threads overlap as real ones would: each
    sleeper's deadline is its own ``now() + seconds``, the clock moves to the latest of them
    (two threads waiting 10 s each move it 10 s, not 20).

    ``busy`` (optional) says whether calls are in flight: a sleeper lets them arrive before
    the clock jumps (for at most the wait, in real time), as they would in the first
    milliseconds of a real wait. Without it a call sent just before another thread's
    62-second wait would reach the simulator 62 s later than the limiter counted it, in
    the service's next minute, which no real call does."""

    def __init__(self, busy: Callable[[], bool] | None = None) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self.busy = busy
        #: every wait asked for, in order (seconds)
        self.waits: list[float] = []

    def now(self) -> float:
        return time.time() + self._offset

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        deadline = self.now() + seconds  # this sleeper's, on the clock it read
        if self.busy is not None:
            give_up = time.monotonic() + seconds
            while self.busy() and time.monotonic() < give_up:
                time.sleep(0.001)
        with self._lock:
            self.waits.append(seconds)
            self._offset = max(self._offset, deadline - time.time())

    @property
    def advanced(self) -> float:
        """How far this clock is ahead of real time (seconds): the waits that did not happen."""
        return self._offset


def use_virtual_clock(ctx: Any, clock: VirtualClock) -> VirtualClock:
    """``ctx``'s clock and sleep become ``clock``'s (before any API call: its limiters are
    built with them); ``ctx.vtime`` is ``clock``. A wait lets the calls ``ctx``'s limiters
    have in flight arrive before the clock jumps."""

    def busy() -> bool:
        return any(s["in_flight"] for s in ctx.limiters.status().values())

    clock.busy = busy
    ctx.clock = clock.now
    ctx.sleep = clock.sleep
    ctx.vtime = clock
    return clock
