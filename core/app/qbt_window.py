"""QuickBooks Time's 5-minute window, remembered across restarts (issue 16: the wait
"survived across a restart"; the same design as Xero's daily stop, core.app.day_limit).

QuickBooks Time accepts 300 calls per 5 minutes per access key and answers 429 past that
until its window ends. The limiter (core.services.limits) keeps our calls under it, but in
memory: a process started again (the wizard closed and reopened, a scheduled ``sync`` right
after another run) used to start with an empty window and meet the 429s. Here each call's
send time is kept in the database (the ``setting`` table, never a key: rows are named by the
pair's connection id), written before the call goes out, and a QuickBooks Time client made
in a new process starts from the calls still inside the window, so it waits *before* sending.
The preview's estimate (core.app.estimate) counts them too.

One row per process that made calls (``qbtime_window:<connection>:<writer>``): a process
writes only its own row, so two processes at once (the window and the engine's child) never
overwrite each other's calls. A row holds ``{"at": when written, "sent": [[second, n], ...]}``:
send times rounded *up* to the second (a call is never thought older than it is), with the
number of calls sent in that second.

Sane after a crash: the row is written before each call is sent (a call that went out is
always counted; one that did not is counted at most one window). Calls older than the window
are left out, rows whose calls are all over are deleted when read, and a clock that went
back since a row was written moves that row's calls back with it (a wait is never longer
than one window because of the jump).
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from typing import Any

from core.services.limits import QBTIME_WINDOW_S

log = logging.getLogger(__name__)

PREFIX = "qbtime_window:"
_guard = threading.Lock()
#: per thread, (its database connection, that connection's ``PRAGMA synchronous``): read
#: once by :func:`_write` for each connection a thread uses (peewee: one a thread)
_levels = threading.local()


def _prefix(account: Any) -> str:
    return f"{PREFIX}{account}:"


def calls_in_window(
    account: Any, now: float, *, window_s: float = QBTIME_WINDOW_S, tidy: bool = False
) -> list[float]:
    """Send times of the QuickBooks Time calls remembered for ``account`` (a connection id)
    that still count at ``now``, oldest first. ``tidy``: delete the rows that no longer hold
    any. Nothing remembered, or no database open: an empty list."""
    from core.jsontext import loads
    from core.store.models import Setting, db  # (the "setting" table)

    try:
        rows = db.execute_sql(
            'SELECT "key", "value" FROM "setting" WHERE substr("key", 1, ?) = ?',
            (len(_prefix(account)), _prefix(account)),
        ).fetchall()
    except Exception:  # no database open (a bare client): nothing remembered
        return []
    stamps: list[float] = []
    over: list[str] = []
    for key, text in rows:
        kept = _calls_of(text, now, window_s, loads)
        if kept:
            stamps.extend(kept)
        else:
            over.append(key)
    if tidy and over:
        try:
            Setting.delete().where(Setting.key.in_(over)).execute()
        except Exception:
            log.debug("QuickBooks Time window rows not deleted", exc_info=True)
    stamps.sort()
    return stamps


def _calls_of(text: Any, now: float, window_s: float, loads: Any) -> list[float]:
    """One row's calls still in the window at ``now``; a damaged row counts none."""
    try:
        value: Any = loads(text) if isinstance(text, str) else None
        at = float(value["at"])
        sent = [(float(second), int(n)) for second, n in value["sent"]]
    except Exception:
        return []
    # The clock went back since the row was written: its calls move back as far (they were
    # made at most a moment before it was written, in the clock's new reckoning).
    back = max(0.0, at - now)
    kept: list[float] = []
    for second, n in sent:
        t = min(second - back, now)
        if t > now - window_s and n > 0:
            kept.extend([t] * min(n, 10_000))
    return kept


class WindowRecord:
    """One process's QuickBooks Time calls for one account, written to its own row before
    each call is sent (``RateLimiter.on_window_call``)."""

    def __init__(self, account: Any, *, window_s: float = QBTIME_WINDOW_S) -> None:
        self.account = account
        self.window_s = window_s
        self.key = f"{_prefix(account)}{uuid.uuid4().hex[:12]}"
        self._lock = threading.Lock()
        self._sent: dict[int, int] = {}  # second (rounded up) -> calls sent in it
        self._last = -math.inf
        self._warned = False

    def adopt(self, stamps: list[float]) -> None:
        """Count (and write) calls this process made before the record existed."""
        if stamps:
            self._add(stamps)

    def __call__(self, now: float) -> None:
        self._add([now])

    def _add(self, stamps: list[float]) -> None:
        from core.jsontext import dumps_canonical
        from core.store.models import db

        now = stamps[-1]
        with self._lock:
            back = self._last - now
            if back > 0:  # the clock went back: our calls move back with it (as the limiter's)
                moved: dict[int, int] = {}
                for second, n in self._sent.items():
                    key = math.ceil(second - back)
                    moved[key] = moved.get(key, 0) + n
                self._sent = moved
            self._last = now
            for t in stamps:
                second = math.ceil(min(t, now))
                self._sent[second] = self._sent.get(second, 0) + 1
            for old in [s for s in self._sent if s <= now - self.window_s]:
                del self._sent[old]
            text = dumps_canonical({"at": now, "sent": sorted(self._sent.items())})
            try:
                _write(db, self.key, text)
            except Exception:  # the limiter still holds the window for this process
                if not self._warned:
                    self._warned = True
                    log.warning(
                        "Could not remember QuickBooks Time's calls in its window", exc_info=True
                    )


def _write(db: Any, key: str, text: str) -> None:
    """Upsert one row, in raw SQL (this runs before every call; ``text`` is what the
    JSONField would write). Outside a transaction it is committed without waiting for the
    disk (``synchronous=NORMAL`` for this one commit: in WAL mode it survives a crash of the
    app, not a power cut, after which the window is over anyway): the app's own ``FULL``
    would add a flush to the disk (~1 ms, more on a slow disk) to every call. Inside a
    transaction it is part of it, and the setting is left alone.

    The level put back is read once per database connection (:data:`_levels`), not before
    every call: the app sets it when it opens a connection (core.store.db.PRAGMAS) and never
    changes it after."""
    sql = (
        'INSERT INTO "setting" ("key", "value") VALUES (?, ?) '
        'ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"'
    )
    if db.in_transaction():
        db.execute_sql(sql, (key, text))
        return
    connection = db.connection()
    known = getattr(_levels, "known", None)
    if known is None or known[0] is not connection:
        (level,) = db.execute_sql("PRAGMA synchronous").fetchone()
        known = _levels.known = (connection, int(level))
    level = known[1]
    db.execute_sql("PRAGMA synchronous = NORMAL")
    try:
        db.execute_sql(sql, (key, text))
    finally:
        db.execute_sql(f"PRAGMA synchronous = {int(level)}")


def remembering(limiter: Any, account: Any) -> Any:
    """``limiter`` (a QuickBooks Time access key's) counting the calls remembered for
    ``account`` (a connection id) in its window, and remembering its own from now on. Done
    once per limiter (a key checked before its pair existed is given its account later)."""
    with _guard:
        if getattr(limiter, "window_account", None) is not None:
            return limiter
        limiter.window_account = account
        now = limiter.now()
        record = WindowRecord(account, window_s=limiter.window_s)
        own = limiter.window_stamps()  # its calls before (checking the key), kept too
        limiter.seed_window(calls_in_window(account, now, window_s=limiter.window_s, tidy=True))
        if own:
            record.adopt(own)
        limiter.on_window_call = record
    return limiter
