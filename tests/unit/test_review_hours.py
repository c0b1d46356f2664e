"""Hours tracked against a look-alike's QuickBooks Time record: the rules
(core.engine.review.hours). The read against the Demo Company: tests/e2e/test_review_hours.py."""

from __future__ import annotations

from datetime import date

from core.engine.review.hours import (
    LOOK_BACK_DAYS,
    TrackedHours,
    has_hours,
    tracked_seconds,
    tracked_window,
)


def test_closed_timesheets_are_summed_once_each_and_open_shifts_left_out():
    rows = [
        {"id": 1, "duration": 3600, "on_the_clock": False},
        {"id": 1, "duration": 3600, "on_the_clock": False},  # the same one on two pages
        {"id": 2, "duration": 1800},
        {"id": 3, "duration": 7200, "on_the_clock": True},  # length not known yet
        {"id": 4, "duration": "x"},
        {"id": 5, "duration": -5},
        {"id": 6, "duration": True},
    ]
    assert tracked_seconds(rows) == 5400
    assert tracked_seconds([]) == 0


def test_only_users_and_customers_have_hours_and_the_window_is_a_year_up_to_today():
    assert has_hours("employee") and has_hours("customer")
    assert not any(has_hours(k) for k in ("location", "item", "leave_type", "tracking"))
    start, end = tracked_window(date(2026, 12, 6))
    assert end == date(2026, 12, 6)
    assert (end - start).days + 1 == LOOK_BACK_DAYS
    assert TrackedHours(154_440, start, end).hours == 42.9
    assert TrackedHours(0, start, end).hours == 0
