"""Power loss on the importer's own write path.

The import runs in a process of its own (``crash_worker``: the real sync, the real app
database) with ``powerloss_shim.c`` preloaded: at every fsync/fdatasync of a file under the
app's data directory the shim keeps a copy of that file as it is then — what a disk that
drops unsynced writes still holds after the power goes. The process is SIGKILLed at its N-th
QuickBooks Time write (after the write was applied, its answer never read), then every file
of the data directory is put back as it was at its last fsync (a file never synced since the
run started is as it was before the run; one created and never synced is gone; the shared
memory index is lost). QuickBooks Time, a remote service, keeps what it received.

The next sync, in this process, must open that database (``integrity_check`` ok) and end
exactly where a clean import ends: no duplicate (archived records and NFC/NFD spellings
included), nothing left "intent", the lost run marked as interrupted or forgotten.

The database runs WAL with ``synchronous=FULL``: every commit is synced, so the journal
entry ("intent") committed before a write is on the disk when the power goes — the run's
history and its Undo survive (with ``NORMAL`` a power loss took back every entry of the run).
The fast part runs one kill point; ``XQB_SOAK=1`` runs every write.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from core.store.db import DATABASE_FILE
from core.store.models import ImportRun, JournalEntry
from tests.figures import family
from tests.reliability.support import (
    SOAK,
    FileKeyring,
    canonical_state,
    clean_state,
    converge,
    diff,
    duplicates,
    open_demo,
    record_figure,
)
from tests.reliability.test_crash_resume import AU_WRITES, _prepare, _worker

HERE = Path(__file__).resolve().parent
SHIM_SOURCE = HERE / "powerloss_shim.c"

#: outcomes of the power losses of this session: node id -> (converged, fsyncs seen,
#: journal entries the database kept, files the loss changed)
_LOSSES: dict[str, tuple[bool, int, int, int]] = {}


def _journal_entries(data: Path, peek: Path) -> int:
    """Journal entries in the database as the power loss left it (read from a copy, so the
    reading does not checkpoint or recover the files under test)."""
    peek.mkdir()
    for path in data.glob(DATABASE_FILE + "*"):
        shutil.copyfile(path, peek / path.name)
    with sqlite3.connect(peek / DATABASE_FILE) as raw:
        return int(raw.execute("SELECT count(*) FROM journal_entry").fetchone()[0])


@pytest.fixture(scope="session")
def shim(tmp_path_factory) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the power-loss shim (apt-get install gcc)")
    out = tmp_path_factory.mktemp("shim") / "powerloss_shim.so"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-O1", "-o", str(out), str(SHIM_SOURCE), "-ldl"],
        check=True,
        capture_output=True,
    )
    return out


def _lose_power(data: Path, baseline: Path, snap: Path) -> int:
    """Put every file of ``data`` back as it was at its last fsync (a file deleted by the
    run comes back too: a deletion is not on the disk until its directory is synced).
    Returns how many files the loss changed (0: nothing unsynced was dropped)."""
    changed = 0
    names = {p.name for p in data.iterdir() if p.is_file()}
    names |= {p.name for p in baseline.iterdir()}
    names |= {
        p.name for p in snap.iterdir() if p.name != "fsyncs.log" and not p.name.startswith(".")
    }
    for name in sorted(names):
        path, synced, before = data / name, snap / name, baseline / name
        now = path.read_bytes() if path.exists() else None
        if synced.exists():
            shutil.copyfile(synced, path)
        elif before.exists():
            shutil.copyfile(before, path)
        else:  # created by the run, never synced
            path.unlink()
        changed += int(now != (path.read_bytes() if path.exists() else None))
    shm = data / (DATABASE_FILE + "-shm")
    if shm.exists():
        shm.unlink()  # shared memory: never on the disk
    return changed


def _points() -> list[int]:
    return list(range(1, AU_WRITES + 1)) if SOAK else [3]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("n", _points())
def test_power_lost_after_a_write_then_resumed(tmp_path, shim, n, request):
    clean = clean_state("AU", tmp_path)
    home, state, keyring_file = _prepare(tmp_path)
    data = home / "data"
    os.sync()  # what _prepare wrote is on the disk before the run starts
    baseline, snap = tmp_path / "baseline", tmp_path / "synced"
    baseline.mkdir()
    snap.mkdir()
    for path in data.iterdir():
        if path.is_file():
            shutil.copyfile(path, baseline / path.name)

    env_before = dict(os.environ)
    os.environ.update(
        {
            "LD_PRELOAD": str(shim),
            "XQB_POWERLOSS_WATCH": str(data) + "/",
            "XQB_POWERLOSS_SNAP": str(snap),
        }
    )
    try:
        proc = _worker(
            home, state, keyring_file, "AU", "--kill-at", str(n), "--when", "after", "--writes-only"
        )
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err[-3000:])
    log = snap / "fsyncs.log"
    fsyncs = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0

    dropped = _lose_power(data, baseline, snap)
    kept = _journal_entries(data, tmp_path / "peek")
    db_file = data / DATABASE_FILE
    with sqlite3.connect(db_file) as raw:
        integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
    converged = False
    try:
        assert integrity == "ok", integrity
        # the intents committed before the writes QuickBooks Time applied are still there
        assert kept > 0, "the power loss took back every journal entry of the run"
        ctx, conn = open_demo("AU", home, state, FileKeyring(keyring_file), connect=False)
        try:
            converge(ctx, conn, max_runs=2)
            store = ctx.sandbox.store
            problems = duplicates(store)
            assert problems == [], problems
            now = canonical_state(store)
            assert now == clean, diff(clean, now)
            assert JournalEntry.select().where(JournalEntry.state == "intent").count() == 0
            assert ImportRun.select().where(ImportRun.status == "running").count() == 0
            converged = True
        finally:
            ctx.close()
    finally:
        _LOSSES[request.node.nodeid] = (converged, fsyncs, kept, dropped)
        ok = sum(c for c, _f, _k, _d in _LOSSES.values())
        lossy = sum(1 for *_r, d in _LOSSES.values() if d)
        record_figure(
            "power loss after a QuickBooks Time write: the next sync converged",
            f"{ok}/{len(_LOSSES)}",
            "losses",
            f"{len(_LOSSES)}/{len(_LOSSES)}",
            ok == len(_LOSSES),
            note=(
                "the importer in its own process, SIGKILLed after write "
                + ", ".join(sorted(k.rsplit("[", 1)[-1].rstrip("]") for k in _LOSSES))
                + "; the data directory put back as at each file's last fsync "
                f"({sum(f for _c, f, _k, _d in _LOSSES.values())} fsyncs seen; "
                f"{lossy} of {len(_LOSSES)} losses dropped unsynced writes, "
                f"{sum(k for _c, _f, k, _d in _LOSSES.values())} journal entries kept)"
            ),
            source=family(request.node.nodeid),
        )
