"""The engine's garbage-collection thresholds (core.app.heap, issue 16): raised while it
works, in sync(), the engine's child process and the headless commands; put back after."""

from __future__ import annotations

import gc
import io
import sys

import pytest

import core.app.sync as sync_mod
from core.app import heap, worker_process


@pytest.fixture(autouse=True)
def _thresholds_kept():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's defaults, whatever the test run set
    yield
    gc.set_threshold(*before)


def raised(thresholds: tuple[int, ...]) -> bool:
    return all(t >= b for t, b in zip(thresholds, heap.BULK_THRESHOLDS, strict=True))


def test_bulk_work_raises_the_thresholds_and_puts_them_back():
    with heap.bulk_work():
        inside = gc.get_threshold()
        with heap.bulk_work():
            nested = gc.get_threshold()
        assert gc.get_threshold() == inside  # a nested block leaves them as they were
    assert inside == heap.BULK_THRESHOLDS and nested == inside
    assert gc.get_threshold() == (700, 10, 10)


def test_bulk_work_never_lowers_a_threshold_and_puts_them_back_on_an_error():
    gc.set_threshold(50_000, 5, 1_000)
    with pytest.raises(RuntimeError), heap.bulk_work():
        assert gc.get_threshold() == (50_000, 20, 1_000)
        raise RuntimeError("stop")
    assert gc.get_threshold() == (50_000, 5, 1_000)


class _Seen(Exception):
    pass


def test_a_sync_works_under_the_bulk_thresholds(monkeypatch):
    seen = []

    def fetch(*_args, **_kwargs):
        seen.append(gc.get_threshold())
        raise _Seen

    monkeypatch.setattr(sync_mod, "fetch", fetch)
    with pytest.raises(_Seen):
        sync_mod.sync(object(), object())
    assert seen and raised(seen[0])
    assert gc.get_threshold() == (700, 10, 10)


def test_the_engines_child_keeps_them_for_its_whole_life(monkeypatch):
    seen = []

    def serve(_stdin, _stdout):
        seen.append(gc.get_threshold())
        return 0

    class Stream(io.StringIO):
        buffer = io.BytesIO()

    monkeypatch.setattr(worker_process, "serve", serve)
    monkeypatch.setattr(worker_process, "_yield_to_the_window", lambda: None)
    monkeypatch.setattr(sys, "stdin", Stream())
    monkeypatch.setattr(sys, "stdout", Stream())
    assert worker_process.serve_stdio() == 0
    assert seen and raised(seen[0])


def test_a_headless_command_runs_under_them(monkeypatch):
    import main
    from core.app import cli

    seen = []

    def status(_ctx, _out):
        seen.append(gc.get_threshold())
        return 0

    from core.store.paths import AppPaths

    class Ctx:
        paths = AppPaths.default()  # (this test's own folders: no database there yet)

        def open_db(self):
            pass

    monkeypatch.setattr(cli, "cmd_status", status)
    args = main.build_parser().parse_args(["status"])
    assert main.run_command(args, Ctx()) == 0
    assert seen and raised(seen[0])
