"""One first import of a generated organisation, measured from inside our process (the
simulators run in another one): ``python -m tests.benchmarks.growth_worker XERO_BASE
QBT_BASE QBT_TOKEN TENANT [--dry-run] [--profile FILE] [--no-estimate] [--home DIR [--again
[--days-later N]]]``. Prints one JSON line last. ``--no-estimate``: without the estimate the
preview would show (its snapshot is then not kept past the product's own use of it);
``--home``: the installation is kept in DIR (its sign-ins in a file there); ``--again``: a
new process on the installation a first run left there, as the scheduler starts it (no
connecting: the saved options and sign-ins); ``--days-later``: the product's clock and day
moved on N days and a minute (a daily scheduled run).

The product's rate limiters are real but run on a :class:`VirtualClock`: a wait they impose
(QuickBooks Time's 300 calls per 5 minutes, Xero's 60 per minute and 5,000 per day) moves
the clock instead of sleeping, so a run that would take half an hour under the real limits
is measured in seconds, and the time it would take is the real time plus the waits.

Our CPU is split by phase by wrapping the functions each phase runs (no change to the
product): fetch, snapshot read (the stored snapshot parsed back for planning), match, plan
(without match), import (without snapshot upkeep), snapshot update (the upkeep from the
write answers and any list read again after).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks.harness import ROOT, Endpoints, calls, connect, reset_counter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


#: waits up to this long are slept for real (VirtualClock)
REAL_WAIT_S = 1.05


class VirtualClock:
    """Real time plus the waits the limiters asked for. Threads that wait for the same
    moment move the clock once (a wait is "until now + s", not "s more").

    A wait of a second or less is slept for real: the simulators stamp on the real clock
    (they run in another process), and the product waits for their clock to turn a second
    after its last write to prove the lists it wrote are current (core.services.written).
    A virtual wait there checked in the same second, so the next run read the import's last
    ten seconds of writes again: 300 pages at 100,000 contacts, a cost no real run has.
    (Limiter waits that short are slept too: they count in the real time, not the waits.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offset = 0.0
        self.waits = 0

    def now(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if seconds <= REAL_WAIT_S:
            time.sleep(seconds)
            return
        with self._lock:
            target = time.time() + self.offset + seconds
            self.offset = max(self.offset, target - time.time())
            self.waits += 1


class Collections:
    """The garbage collector's full collections (generation 2) during the run and their CPU
    (core.app.heap: what the engine's thresholds are for)."""

    def __init__(self) -> None:
        self.full = 0
        self.cpu = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.process_time()
        else:
            self.full += 1
            self.cpu += time.process_time() - self._started


class Phases:
    """CPU (``time.process_time``: every thread of this process) per phase; a phase inside
    another is taken out of the outer one."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        #: the peak RSS (MB) reached by the end of each phase's first call: where memory goes
        self.peak_after: dict[str, float] = {}
        self._stack: list[list[Any]] = []
        self._lock = threading.Lock()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is not threading.main_thread():
                return fn(*args, **kwargs)  # (counted by the phase that started the thread)
            frame = [name, time.process_time(), 0.0]
            self._stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self._stack.pop()
                spent = time.process_time() - frame[1]
                self.cpu[name] = self.cpu.get(name, 0.0) + spent - frame[2]
                self.peak_after.setdefault(name, _peak_rss_mb())
                if self._stack:
                    self._stack[-1][2] += spent

        return wrapped

    def patch(self, owner: Any, attr: str, name: str) -> None:
        setattr(owner, attr, self.wrap(name, getattr(owner, attr)))


def _instrument(phases: Phases) -> None:
    import core.app.sync as sync_mod
    import core.engine.matching as matching
    import core.services.written as written

    phases.patch(sync_mod, "fetch", "fetch")
    phases.patch(sync_mod, "load_snapshot", "snapshot read")
    for fn in ("match_customers", "match_employees", "match_named"):
        phases.patch(matching, fn, "match")
    phases.patch(sync_mod, "plan_import", "plan")
    phases.patch(sync_mod, "import_plan", "import")
    phases.patch(sync_mod, "fetch_qbtime", "snapshot update")
    for method in ("begin", "written", "finish"):
        phases.patch(written.WrittenSnapshot, method, "snapshot update")


def _peak_rss_mb() -> float:
    """This process's peak RSS: ``VmHWM`` (made afresh by exec). ``ru_maxrss`` is not: a
    child forked from a large process (pytest holding the 100k organisation) starts with the
    parent's figure."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _db_size_mb(home: Path) -> dict[str, float]:
    """The database file and its write-ahead log (not the daily backup copies)."""
    from core.store.db import DATABASE_FILE

    sizes = {"db_mb": 0.0, "wal_mb": 0.0}
    for path in home.rglob(DATABASE_FILE + "*"):
        if path.is_file() and "backups" not in path.parts:
            key = "wal_mb" if path.name.endswith("-wal") else "db_mb"
            sizes[key] += path.stat().st_size / 1e6
    return sizes


def main(argv: list[str]) -> None:
    import core.app.sync as sync_mod
    from core.app.sync import sync
    from core.services.http import LimiterRegistry

    dry_run = "--dry-run" in argv
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    ep = Endpoints(*argv[:4])
    phases = Phases()
    _instrument(phases)
    planned: list[Any] = []
    plan_import = sync_mod.plan_import

    estimate_wanted = "--no-estimate" not in argv

    def keep_plan(snap: Any, *args: Any, **kwargs: Any) -> Any:
        plan = plan_import(snap, *args, **kwargs)
        if estimate_wanted:  # (else the snapshot is not kept alive past the product's use)
            planned.append((snap, plan))
        return plan

    sync_mod.plan_import = keep_plan
    fetched: list[Any] = []
    fetch = sync_mod.fetch

    def counted_fetch(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        report = fetch(ctx, *args, **kwargs)
        fetched.append(calls(ctx))  # the calls of the read, before the import's
        return report

    sync_mod.fetch = counted_fetch
    kept_home = argv[argv.index("--home") + 1] if "--home" in argv else None
    again = "--again" in argv
    with contextlib.ExitStack() as stack:
        home = kept_home or stack.enter_context(tempfile.TemporaryDirectory())
        if again:  # a new process on the installation a first run left under --home
            from tests.benchmarks.import_runs import open_installation

            ctx, conn = open_installation(ep, Path(home))
        else:
            from tests.benchmarks.import_runs import FileKeyring

            ctx, conn = connect(
                ep, home=Path(home), keyring_backend=FileKeyring(Path(home) / "keyring.json")
            )
        clock = VirtualClock()
        days_later = int(argv[argv.index("--days-later") + 1]) if "--days-later" in argv else 0
        shift = days_later * 86_400 + 60 if days_later else 0
        if days_later:
            from datetime import date

            clock.offset = shift
            later = date.fromtimestamp(clock.now())
            sync_mod._today = lambda: later  # type: ignore[attr-defined]
        ctx.clock, ctx.sleep = clock.now, clock.sleep
        ctx.limiters = LimiterRegistry()  # connect()'s few calls are not the import's
        reset_counter(ctx)
        import gc

        collections = Collections()
        gc.callbacks.append(collections)
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = sync(ctx, conn, dry_run=dry_run)
        cpu1, wall1 = time.process_time(), time.perf_counter()
        gc.callbacks.remove(collections)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        made = calls(ctx)
        estimate = None
        if estimate_wanted and planned:
            # What the preview would have said before the run, from the same snapshot and plan.
            from core.app.estimate import estimate_run

            snap, plan = planned[0]
            estimate = estimate_run(snap, plan, just_read=True).as_json()  # sync reads first
        out = {
            "dry_run": dry_run,
            "cpu_s": cpu1 - cpu0,
            "wall_s": wall1 - wall0,
            "waited_s": clock.offset - shift,
            "modelled_wall_s": wall1 - wall0 + clock.offset - shift,
            "phases": phases.cpu,
            "full_collections": collections.full,
            "full_collections_cpu_s": collections.cpu,
            "peak_rss_after_mb": phases.peak_after,
            "calls": made,
            "outcomes": result.outcomes,
            "plan": result.plan.counts(),
            "conflicts": len(result.plan.conflicts),
            "peak_rss_mb": _peak_rss_mb(),
            **_db_size_mb(Path(home)),
            "calls_fetch": fetched[0] if fetched else None,
            "estimate": estimate,
        }
        ctx.close()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
