"""tests/virtual_time.py: the clock the in-process Demo Company runs on (tests only)."""

from __future__ import annotations

import threading
import time

from tests.virtual_time import VirtualClock


def test_a_wait_returns_at_once_and_moves_the_clock_by_what_was_asked():
    clock = VirtualClock()
    start, started = clock.now(), time.monotonic()
    clock.sleep(62.0)
    clock.sleep(0)  # nothing asked, nothing moved
    clock.sleep(3.5)
    assert time.monotonic() - started < 1.0  # no real waiting
    assert clock.waits == [62.0, 3.5]
    assert 65.5 <= clock.now() - start < 66.5 and 65.0 < clock.advanced <= 65.5


def test_waits_asked_at_the_same_time_overlap_instead_of_adding_up():
    seen: set[int] = set()

    def busy() -> bool:  # holds each sleeper until both have read the clock
        seen.add(threading.get_ident())
        return len(seen) < 2

    clock = VirtualClock(busy)
    start = clock.now()
    threads = [threading.Thread(target=clock.sleep, args=(10.0,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert clock.waits == [10.0, 10.0]
    assert 10.0 <= clock.now() - start < 11.0  # two 10 s waits side by side take 10 s, not 20


def test_a_wait_lets_the_calls_in_flight_arrive_before_the_clock_jumps():
    in_flight = threading.Event()
    in_flight.set()
    clock = VirtualClock(in_flight.is_set)
    before: list[float] = []

    def call_lands() -> None:  # a call sent before the wait reaches the service
        time.sleep(0.05)
        before.append(clock.now())
        in_flight.clear()

    t = threading.Thread(target=call_lands)
    t.start()
    start = clock.now()
    clock.sleep(30.0)
    t.join(5)
    assert before and before[0] - start < 1.0  # it landed at the time it was sent
    assert clock.now() - start >= 30.0
