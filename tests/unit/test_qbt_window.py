"""QuickBooks Time's 5-minute window kept in the database (core.app.qbt_window): written
before each call goes out, read by a limiter made in a new process, never blocking longer
than one window (old calls left out, a clock that went back followed, damaged rows ignored),
and two processes at once never overwriting each other's calls."""

from __future__ import annotations

import json

import pytest

from core.app.qbt_window import PREFIX, WindowRecord, calls_in_window, remembering
from core.services.limits import QBTIME_PER_WINDOW, QBTIME_WINDOW_S, qbtime_limiter
from core.store.db import close_database, open_database
from core.store.models import Setting

START = 1_800_000_000.0


class FakeTime:
    def __init__(self, t: float = START) -> None:
        self.t = t

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


@pytest.fixture
def database(tmp_path):
    open_database(tmp_path / "bridge.sqlite3")
    yield
    close_database()


def _limiter(ft: FakeTime, account=7):
    return remembering(qbtime_limiter(clock=ft.now, sleep=ft.sleep), account)


def _calls(limiter, n: int) -> None:
    for _ in range(n):
        limiter.acquire()
        limiter.release()


def test_each_call_is_in_the_database_before_it_is_sent(database):
    ft = FakeTime()
    limiter = _limiter(ft)
    for n in range(1, 6):
        limiter.acquire()  # what the session does right before it sends
        assert len(calls_in_window(7, ft.now())) == n
        limiter.release()
        ft.t += 0.4
    # no key in it, only the pair's id in the row's name
    (row,) = Setting.select().where(Setting.key.startswith(PREFIX))
    assert row.key.startswith(f"{PREFIX}7:") and set(row.value) == {"at", "sent"}


def test_a_new_process_waits_for_the_calls_an_earlier_one_made(database):
    ft = FakeTime()
    _calls(_limiter(ft), 290)  # process 1
    ft.t += 60
    second = _limiter(ft)  # process 2: a limiter made afresh, over the same database
    assert len(second.window_stamps()) == 290
    _calls(second, 10)
    assert ft.t == START + 60  # the 300 fit
    _calls(second, 1)
    # the 11th waits until process 1's first call left the window (sent at START, kept
    # rounded up to the second: at most a second more)
    assert START + QBTIME_WINDOW_S <= ft.t <= START + QBTIME_WINDOW_S + 1
    # another account's calls are not counted
    assert _limiter(ft, account=8).window_stamps() == []


def test_calls_older_than_the_window_are_left_out_and_their_rows_deleted(database):
    ft = FakeTime()
    _calls(_limiter(ft), 300)
    ft.t += QBTIME_WINDOW_S + 1.5
    assert calls_in_window(7, ft.now()) == []
    assert Setting.select().where(Setting.key.startswith(PREFIX)).count() == 1
    fresh = _limiter(ft)  # (reading for a limiter tidies)
    assert Setting.select().where(Setting.key.startswith(PREFIX)).count() == 0
    before = ft.t
    _calls(fresh, 300)
    assert ft.t == before  # a whole window, no wait


def test_a_clock_that_went_back_never_blocks_longer_than_a_window(database):
    ft = FakeTime()
    _calls(_limiter(ft), 300)  # a full window ...
    ft.t -= 3600  # ... then the clock is set an hour back (and the app started again)
    later = _limiter(ft)
    assert len(later.window_stamps()) == 300  # still counted: they were made just before
    start = ft.t
    _calls(later, 1)
    assert 0 < ft.t - start <= QBTIME_WINDOW_S + 1  # one window at most, not an hour more


def test_a_clock_that_went_back_within_a_process_never_blocks_longer_than_a_window(database):
    ft = FakeTime()
    limiter = _limiter(ft)
    _calls(limiter, 300)
    ft.t -= 3600
    start = ft.t
    _calls(limiter, 1)
    assert 0 < ft.t - start <= QBTIME_WINDOW_S
    # and the record moved with it: a new process counts those calls, a window at most
    assert 0 < len(calls_in_window(7, ft.now())) <= 301
    assert all(t <= ft.now() for t in calls_in_window(7, ft.now()))


def test_a_damaged_row_counts_nothing(database):
    ft = FakeTime()
    Setting.set_value(f"{PREFIX}7:broken", {"at": "soon", "sent": "many"})
    Setting.set_value(f"{PREFIX}7:huge", {"at": START, "sent": [[START, 10**12]]})
    Setting.set_value(f"{PREFIX}70:other", {"at": START, "sent": [[START, 5]]})
    limiter = _limiter(ft)
    # (an absurd count is capped; the other account's row is not this account's)
    assert len(limiter.window_stamps()) == 10_000
    start = ft.t
    _calls(limiter, 1)
    assert ft.t - start <= QBTIME_WINDOW_S


def test_two_processes_at_once_keep_both_their_calls(database):
    ft = FakeTime()
    first, second = _limiter(ft), _limiter(ft)  # e.g. the window and the engine's child
    _calls(first, 120)
    _calls(second, 100)
    _calls(first, 30)
    assert len(calls_in_window(7, ft.now())) == 250
    assert Setting.select().where(Setting.key.startswith(f"{PREFIX}7:")).count() == 2


def test_without_a_database_the_limiter_still_counts_in_memory(tmp_path):
    close_database()
    ft = FakeTime()
    limiter = _limiter(ft)
    _calls(limiter, QBTIME_PER_WINDOW + 1)
    assert ft.t == START + QBTIME_WINDOW_S


def test_the_record_rounds_send_times_up_and_keeps_only_the_window(database):
    record = WindowRecord(3)
    for i in range(400):
        record(START + i)  # one call a second for 400 s
    (value,) = [json.loads(v) for (v,) in Setting.select(Setting.value.cast("TEXT")).tuples()]
    seconds = [s for s, _n in value["sent"]]
    assert seconds[0] > START + 399 - QBTIME_WINDOW_S and seconds[-1] == START + 399
    record(START + 399.2)
    assert calls_in_window(3, START + 399.2)[-1] == START + 399.2  # (never later than now)


def test_the_app_s_own_writes_keep_waiting_for_the_disk(database):
    """The record commits without a flush to the disk (a crash of the app keeps it), but
    the journal's durability (synchronous=FULL) is never lowered: not after the record's
    write, and not for a transaction the record joins."""
    from core.store.models import db

    (level,) = db.execute_sql("PRAGMA synchronous").fetchone()
    assert level == 2
    record = WindowRecord(5)
    record(START)
    assert db.execute_sql("PRAGMA synchronous").fetchone() == (2,)
    with db.atomic() as txn:
        record(START + 1)
        assert db.execute_sql("PRAGMA synchronous").fetchone() == (2,)
        txn.rollback()  # the record's write was part of the transaction
    assert len(calls_in_window(5, START + 1)) == 1


def test_the_level_put_back_is_read_once_per_connection(database, tmp_path):
    """Before each call the record commits at NORMAL and puts the connection's own level
    back: that level is read from the database once per connection, not at every call."""
    from core.store.models import db

    said: list[str] = []
    db.connection().set_trace_callback(said.append)
    record = WindowRecord(6)
    for i in range(5):
        record(START + i)
    reads = [s for s in said if s.strip().upper() == "PRAGMA SYNCHRONOUS"]
    assert len(reads) == 1 and len(calls_in_window(6, START + 4)) == 5
    assert db.execute_sql("PRAGMA synchronous").fetchone() == (2,)
    # Another connection (the database opened again) has its level read again and put back.
    close_database()
    open_database(tmp_path / "bridge.sqlite3")
    db.execute_sql("PRAGMA synchronous = EXTRA")
    said.clear()
    db.connection().set_trace_callback(said.append)
    record(START + 5)
    record(START + 6)
    assert len([s for s in said if s.strip().upper() == "PRAGMA SYNCHRONOUS"]) == 1
    assert db.execute_sql("PRAGMA synchronous").fetchone() == (3,)
    assert len(calls_in_window(6, START + 6)) == 7


def test_calls_made_before_the_pair_existed_are_kept_when_the_key_gets_its_pair(database):
    """The key is checked (a few calls) before its pair exists; the same limiter, given its
    pair's id by the first read, writes those calls too."""
    ft = FakeTime()
    limiter = qbtime_limiter(clock=ft.now, sleep=ft.sleep)
    _calls(limiter, 3)
    ft.t += 2
    remembering(limiter, 9)
    assert len(calls_in_window(9, ft.now())) == 3
    _calls(limiter, 2)
    assert len(calls_in_window(9, ft.now())) == 5
    assert remembering(limiter, 9) is limiter and len(limiter.window_stamps()) == 5
