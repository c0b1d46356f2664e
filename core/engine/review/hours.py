"""Hours already tracked in QuickBooks Time against the record of a look-alike pair.

Two look-alikes ("Chip Davis" and a stale "Chippy Davis") often differ most in their use:
one has weeks of timesheets, the other none. The review shows, for a QuickBooks Time user
(team member) or jobcode (customer), the work hours its timesheets hold over the last
:data:`LOOK_BACK_DAYS` days. Pure rules here (no network): which kinds have hours, the window,
the sum. The read itself is :func:`core.app.review_screen.tracked_hours`, on a worker, for the
pair shown only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

__all__ = [
    "HOURS_KINDS",
    "LOOK_BACK_DAYS",
    "TrackedHours",
    "has_hours",
    "tracked_seconds",
    "tracked_window",
]

#: review kinds whose QuickBooks Time record holds timesheets: users and customer jobcodes
HOURS_KINDS = frozenset({"employee", "customer"})
#: how far back the hours are counted (today included)
LOOK_BACK_DAYS = 365


@dataclass(frozen=True)
class TrackedHours:
    """Work time tracked against one QuickBooks Time record from ``since`` to ``until``."""

    seconds: int
    since: date
    until: date

    @property
    def hours(self) -> float:
        """Hours, to the tenth (what the screen shows)."""
        return round(self.seconds / 3600, 1)


def has_hours(kind: str) -> bool:
    """Whether a record of this review kind can have hours tracked against it."""
    return kind in HOURS_KINDS


def tracked_window(today: date) -> tuple[date, date]:
    """The days counted: the last :data:`LOOK_BACK_DAYS` days, ``today`` included."""
    return today - timedelta(days=LOOK_BACK_DAYS - 1), today


def _seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


def tracked_seconds(timesheets: Iterable[Mapping[str, Any]]) -> int:
    """The sum of the closed timesheets' ``duration`` (seconds), each timesheet once (by id);
    a shift still on the clock is left out (its length is not known yet)."""
    seen: set[Any] = set()
    total = 0
    for ts in timesheets:
        key = ts.get("id")
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        if ts.get("on_the_clock") in (True, "true", "yes"):
            continue
        total += _seconds(ts.get("duration"))
    return total
