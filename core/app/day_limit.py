"""Xero's daily limit, remembered across restarts (issue 16: the wait "survived across a
restart").

When Xero answers that today's calls for an organisation are used up (a ``day`` 429 with its
Retry-After), the limiter knows until when; this keeps that moment in the database too, so an
app started again before then stops at once with the same "resume after" (no call spent to
learn it again) and the preview's estimate says when the run can go on.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


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
