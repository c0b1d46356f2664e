"""Xero's daily limit, remembered across restarts (issue 16: the wait "survived across a
restart").

When Xero answers that today's calls for an organisation are used up (a ``day`` 429 with its
Retry-After), the limiter knows until when; this keeps that moment in the database too, so an
app started again before then stops at once with the same "resume after" (no call spent to
learn it again) and the preview's estimate says when the run can go on.
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import Any

log = logging.getLogger(__name__)

#: Xero's day limit is counted over the last 24 hours: a count older than that says nothing
DAY_LIMIT_WINDOW_S = 24 * 3600


def _key(tenant_id: str) -> str:
    return f"xero_day_stop:{tenant_id}"


def daily_stop(tenant_id: str, now: float) -> float | None:
    """When today's calls for ``tenant_id`` come back, if a stop is remembered and not over."""
    from core.store.models import Setting

    try:
        value = Setting.get_value(_key(tenant_id))
    except Exception:  # no database open (a bare client): nothing remembered
        return None
    try:
        until = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return until if until is not None and until > now else None


def remembering(limiter: Any, tenant_id: str, now: float) -> Any:
    """``limiter`` (a Xero organisation's) starting from the stop remembered for it, and
    remembering the next one it learns."""
    from core.store.models import Setting

    until = daily_stop(tenant_id, now)
    if until is not None:
        limiter.mark_day_exhausted(until)
    mark = limiter.mark_day_exhausted

    def mark_and_remember(until: float) -> None:
        # Kept before the limiter knows: once it does, the other reading threads stop at
        # once, the run ends and the database may close before a write made after (a
        # restart then spent calls to learn the stop again: seen in CI).
        try:
            Setting.set_value(_key(tenant_id), until)
        except Exception:  # the stop still holds for this process
            log.warning("Could not remember Xero's daily stop", exc_info=True)
        mark(until)

    limiter.mark_day_exhausted = mark_and_remember
    return limiter


# -- the requests left today, as Xero said them --------------------------------------------------
#
# Each response of Xero says in X-DayLimit-Remaining how many requests the organisation has
# left in its day. The last one the app heard, in any of its processes (a command, the window,
# the window's engine), is kept with the time it was said: `status` and the import preview
# give it within the 24 hours of Xero's day, and say "unknown" after. Nothing else is kept: a
# process counting its own calls knows nothing of the others'.


def _said_key(tenant_id: str) -> str:
    return f"xero_day_remaining:{tenant_id}"


#: limiter -> the time (its clock) of the count last kept from it (nothing new: no write)
_kept: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


def said_remaining(tenant_id: str, now: float | None = None) -> tuple[int, float] | None:
    """(requests left, when: the computer's time) as Xero said them at the last call the app
    made for ``tenant_id``, if that was within the last 24 hours; else None."""
    from core.store.models import Setting

    try:
        kept = Setting.get_value(_said_key(tenant_id))
    except Exception:  # no database open (a bare client): nothing remembered
        return None
    if not isinstance(kept, dict):  # (a bare count, kept with no time: its age is unknown)
        return None
    left, at = kept.get("left"), kept.get("at")
    if isinstance(left, bool) or not isinstance(left, int) or not isinstance(at, int | float):
        return None
    now = time.time() if now is None else now
    return (left, float(at)) if 0 <= now - at < DAY_LIMIT_WINDOW_S else None


def calls_left(tenant_id: str, now: float | None = None) -> int | None:
    """The Xero requests ``tenant_id`` has left today: 0 while a daily stop Xero gave holds,
    else as Xero last said them (:func:`said_remaining`); None when not known."""
    now = time.time() if now is None else now
    if daily_stop(tenant_id, now) is not None:
        return 0
    said = said_remaining(tenant_id, now)
    return None if said is None else said[0]


def remember_said_remaining(ctx: Any) -> None:
    """Keep what Xero last said of each organisation's requests left today, for the
    organisations this process called (its Xero limiters), when it said something new since
    the last time. A count kept by another process after a later call is not replaced."""
    from core.store.models import Setting, db

    registry = getattr(ctx, "limiters", None)
    if registry is None or not hasattr(registry, "keys"):
        return
    for key in registry.keys():
        if not key.startswith("xero:"):
            continue
        limiter = registry.get(key)
        said = limiter.day_remaining_said() if limiter is not None else None
        if said is None or _kept.get(limiter) == said[1]:
            continue
        left, at = said
        said_at = time.time() - (limiter.now() - at)  # (the limiter's clock may be another)
        tenant = key.removeprefix("xero:")
        with db.atomic():  # (read and written in one transaction: the write lock first)
            stored = Setting.get_value(_said_key(tenant))
            later = stored.get("at") if isinstance(stored, dict) else None
            if not isinstance(later, int | float) or later <= said_at:
                Setting.set_value(_said_key(tenant), {"left": left, "at": said_at})
        _kept[limiter] = at
