"""Xero's daily stop is kept in the database before the limiter knows it (core.app.day_limit).

Once the limiter knows, the other reading threads stop at once (acquire raises), the run
ends and the database may close: a stop kept after that was lost in CI, and the app
started again spent calls to learn it again (tests/e2e/test_wait_restart.py)."""

from __future__ import annotations

import pytest

from core.app.day_limit import daily_stop, remembering
from core.errors import DailyLimitReached
from core.services.limits import xero_limiter
from core.store.db import open_database
from core.store.models import Setting


def test_the_daily_stop_is_kept_before_the_limiter_refuses_other_threads(tmp_path, monkeypatch):
    open_database(tmp_path / "bridge.sqlite3")
    now = 1_000_000.0
    limiter = remembering(xero_limiter(clock=lambda: now), "tenant-1", now)
    refused_while_keeping: list[bool] = []
    keep = Setting.set_value

    def watched(key: str, value: object) -> None:
        try:
            limiter.acquire()  # what another reading thread does meanwhile
        except DailyLimitReached:
            refused_while_keeping.append(True)
        else:
            refused_while_keeping.append(False)
            limiter.release()
        keep(key, value)

    monkeypatch.setattr(Setting, "set_value", watched)
    limiter.mark_day_exhausted(now + 3_600)
    assert refused_while_keeping == [False]  # kept first: nobody had stopped yet
    assert daily_stop("tenant-1", now) == now + 3_600
    with pytest.raises(DailyLimitReached):
        limiter.acquire()  # and the limiter knows it after
