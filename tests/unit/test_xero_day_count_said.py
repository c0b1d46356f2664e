"""Xero's requests left today, as Xero said them (X-DayLimit-Remaining) and when: never a
figure the process made up, never one older than Xero's day."""

from core.services.limits import xero_limiter

DAY = 24 * 3600


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def test_nothing_is_said_before_xero_says_it_and_own_calls_are_not_a_count():
    clock = Clock()
    limiter = xero_limiter(clock=clock, sleep=lambda s: None)
    for _ in range(3):
        with limiter:  # calls whose answers said nothing of the day's limit
            pass
    assert limiter.day_remaining_said() is None  # (this process's 4997 is not Xero's count)


def test_the_count_xero_said_and_when():
    clock = Clock()
    limiter = xero_limiter(clock=clock, sleep=lambda s: None)
    limiter.update_from_headers({"X-DayLimit-Remaining": "4939"})
    clock.t += 60
    assert limiter.day_remaining_said() == (4939, 1_000_000.0)
    assert limiter.remaining_today == 4939


def test_a_count_older_than_xeros_day_is_unknown():
    """The window's limiter kept the last header with no time: the import preview used it
    two days later, while `status` said "unknown" after 24 hours."""
    clock = Clock()
    limiter = xero_limiter(clock=clock, sleep=lambda s: None)
    limiter.update_from_headers({"X-DayLimit-Remaining": "12"})
    clock.t += DAY - 1
    assert limiter.remaining_today == 12
    clock.t += 2 * DAY
    assert limiter.day_remaining_said() is None
    assert limiter.remaining_today == 5000  # (its own count of the day: no call made since)
    assert limiter.status()["remaining_today"] == 5000


def test_a_day_429_is_not_a_count_said_with_a_time():
    clock = Clock()
    limiter = xero_limiter(clock=clock, sleep=lambda s: None)
    limiter.update_from_headers({"X-DayLimit-Remaining": "40"})
    limiter.mark_day_exhausted(clock.t + 3600)
    assert limiter.remaining_today == 0
    assert limiter.day_remaining_said() is None  # (the stop is kept as such: day_limit)
