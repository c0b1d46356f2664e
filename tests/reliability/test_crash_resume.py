"""Crash/resume: the import process is SIGKILLed in the middle; the next sync converges.

A subprocess (``crash_worker``) runs the sync over a Demo Company persisted on disk (the
simulators' state directory, the app database under its own home, the tokens in a file
keyring) and dies at a chosen point: at its N-th QuickBooks Time write, just before it is
applied or just after (applied and saved, the answer never read), or at a random moment.
Then a sync in this process must finish the job: QuickBooks Time ends exactly as after a
clean import, with no duplicate; the killed run is marked failed/interrupted in the
history and no journal entry stays at "intent".

The fast part (3 kill points) runs by default; ``XQB_SOAK=1`` runs 20 random points.
"""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.store.models import ImportRun, JournalEntry
from tests.reliability.support import (
    SOAK,
    FileKeyring,
    canonical_state,
    clean_state,
    converge,
    diff,
    duplicates,
    open_demo,
    record_duplicates,
)

ROOT = Path(__file__).resolve().parents[2]
#: QuickBooks Time write requests in a clean import of the AU Demo Company (5 POST, 3 PUT)
AU_WRITES = 7  # pinned by test_the_soak_points_cover_every_write_of_the_first_import


def _prepare(tmp_path: Path, org: str = "AU") -> tuple[Path, Path, Path]:
    """Connect once (in this process), then close: everything persists on disk."""
    home, state, keyring_file = tmp_path / "home", tmp_path / "state", tmp_path / "keyring.json"
    ctx, _conn = open_demo(org, home, state, FileKeyring(keyring_file))
    ctx.close()
    return home, state, keyring_file


def _worker(home: Path, state: Path, keyring_file: Path, org: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XQB_HOME": str(home)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.crash_worker",
            str(home),
            str(state),
            str(keyring_file),
            org,
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _resume_and_check(
    tmp_path: Path,
    home: Path,
    state: Path,
    keyring_file: Path,
    clean,
    org: str = "AU",
    *,
    run_started: bool | None = None,
) -> None:
    """Sync again in this process; ``run_started``: the killed process had (True) or had
    not (False) started its import run (None: either)."""
    ctx, conn = open_demo(org, home, state, FileKeyring(keyring_file), connect=False)
    try:
        assert duplicates(ctx.sandbox.store) == [], "the killed run left a duplicate"
        killed_runs = [r.id for r in ImportRun.select().where(ImportRun.status == "running")]
        if run_started is not None:
            assert bool(killed_runs) == run_started, killed_runs
        converge(ctx, conn, max_runs=2)
        store = ctx.sandbox.store
        problems = duplicates(store)
        record_duplicates(len(problems))
        assert problems == []
        state_now = canonical_state(store)
        assert state_now == clean, diff(clean, state_now)
        runs = list(ImportRun.select().order_by(ImportRun.id))
        assert all(r.status != "running" for r in runs), [(r.id, r.status) for r in runs]
        for run in runs:
            if run.id in killed_runs:  # the history says what happened to it
                assert run.status == "failed" and (run.counts or {}).get("interrupted"), (
                    run.id,
                    run.status,
                    run.counts,
                )
        left = JournalEntry.select().where(JournalEntry.state == "intent").count()
        assert left == 0, "journal entries left at 'intent'"
    finally:
        ctx.close()


def _kill_at(tmp_path: Path, n: int, when: str, *, writes_only: bool = True) -> None:
    clean = clean_state("AU", tmp_path)
    home, state, keyring_file = _prepare(tmp_path)
    args = ["--kill-at", str(n), "--when", when] + (["--writes-only"] if writes_only else [])
    proc = _worker(home, state, keyring_file, "AU", *args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err[-3000:])
    _resume_and_check(
        tmp_path, home, state, keyring_file, clean, run_started=True if writes_only else None
    )


# The first write (the custom fields), a write in the middle before it is applied, and the
# customers' creation applied with its answer never read.
@pytest.mark.parametrize(("n", "when"), [(1, "after"), (3, "before"), (3, "after")])
def test_killed_at_a_write_then_resumed(tmp_path, n, when):
    _kill_at(tmp_path, n, when)


def _soak_points() -> list[tuple[str, int, str]]:
    rng = random.Random(20)
    points: list[tuple[str, int, str]] = []
    for _ in range(14):  # at a write (before/after it is applied)
        points.append(("write", rng.randint(1, AU_WRITES), rng.choice(("before", "after"))))
    for _ in range(3):  # at any request (reads, writes, reads-back): n per mille of them
        points.append(("request", rng.randint(1, 999), rng.choice(("before", "after"))))
    for _ in range(3):  # at a random moment of the run, from outside: n per mille of its length
        points.append(("time", rng.randint(50, 900), "-"))
    return points


_RUN_LENGTH: list[float] = []
_AU_REQUESTS: list[int] = []


def _au_requests(tmp_path: Path) -> int:
    """QuickBooks Time requests (every method) of a first AU sync, counted once in this
    process, so a kill point drawn among them is always reached."""
    if not _AU_REQUESTS:
        from core.app.sync import sync
        from tests.reliability.support import MemoryBackend

        ctx, conn = open_demo(
            "AU", tmp_path / "count-home", tmp_path / "count-state", MemoryBackend()
        )
        count = 0
        handle = ctx.sandbox.qbtime.handle

        def counting(request):
            nonlocal count
            count += 1
            return handle(request)

        ctx.sandbox.qbtime.handle = counting
        try:
            sync(ctx, conn)
        finally:
            ctx.close()
        _AU_REQUESTS.append(count)
    return _AU_REQUESTS[0]


def _run_length(tmp_path: Path) -> float:
    """Seconds from "ready" to the end of an un-killed worker sync (measured once), so a
    timed kill lands inside the run rather than after it."""
    if not _RUN_LENGTH:
        home, state, keyring_file = _prepare(tmp_path / "measure")
        proc = _worker(home, state, keyring_file, "AU", "--latency", "0.03")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        start = time.monotonic()
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "finished" in out, err[-3000:]
        _RUN_LENGTH.append(time.monotonic() - start)
    return _RUN_LENGTH[0]


@pytest.mark.soak
@pytest.mark.skipif(not SOAK, reason="soak test: set XQB_SOAK=1")
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("how", "n", "when"), _soak_points())
def test_soak_killed_at_random_points(tmp_path, how, n, when):
    if how == "write":
        _kill_at(tmp_path, n, when)
        return
    if how == "request":  # the N-th of the QuickBooks Time requests a first import makes
        _kill_at(
            tmp_path, max(1, math.ceil(_au_requests(tmp_path) * n / 1000)), when, writes_only=False
        )
        return
    clean = clean_state("AU", tmp_path)
    length = _run_length(tmp_path)
    home, state, keyring_file = _prepare(tmp_path)
    proc = _worker(home, state, keyring_file, "AU", "--latency", "0.03")
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(length * n / 1000)
    # the kill must land while the sync still runs: a process that had already finished
    # would make this point a plain resume, not a crash
    assert proc.poll() is None, f"the run ended before its kill at {n} per mille of {length:.2f} s"
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL and "finished" not in out, (proc.returncode, out)
    _resume_and_check(tmp_path, home, state, keyring_file, clean)


def test_a_run_killed_after_its_last_write_is_marked_even_with_nothing_left(tmp_path):
    """Killed after the last journal entry but before the run's own status was saved: the
    next sync has nothing to write, yet the history must not show the run as running."""
    from core.app.sync import sync
    from tests.reliability.support import MemoryBackend

    ctx, conn = open_demo("AU", tmp_path / "home", tmp_path / "state", MemoryBackend())
    try:
        first = sync(ctx, conn)
        ImportRun.update(status="running", finished_at=None).where(
            ImportRun.id == first.run.id
        ).execute()  # what the kill leaves behind
        again = sync(ctx, conn)
        assert again.plan.is_empty and again.run is None
        run = ImportRun.get_by_id(first.run.id)
        assert run.status == "failed" and run.counts.get("interrupted") is True
    finally:
        ctx.close()


def test_the_soak_points_cover_every_write_of_the_first_import(tmp_path):
    """AU_WRITES is the number of QuickBooks Time writes of a first AU import: the soak's kill
    points are drawn from 1..AU_WRITES, so a point past the last write would never kill (the
    kill is asserted) and a plan that grows would leave writes no point reaches."""
    from core.app.sync import sync
    from tests.reliability.support import MemoryBackend

    ctx, conn = open_demo("AU", tmp_path / "home", tmp_path / "state", MemoryBackend())
    writes = 0
    handle = ctx.sandbox.qbtime.handle

    def counting(request):
        nonlocal writes
        if request.method in ("POST", "PUT", "DELETE"):
            writes += 1
        return handle(request)

    ctx.sandbox.qbtime.handle = counting
    try:
        sync(ctx, conn)
    finally:
        ctx.close()
    assert writes == AU_WRITES
