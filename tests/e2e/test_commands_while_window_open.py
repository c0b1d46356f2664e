"""Commands while the window (or another command) holds the app's data: `status` reads it
beside the holder (no lock, nothing written, never a half-written change); a command that
writes is refused at once, saying so, and changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import main
from core.store.db import app_database_files
from core.store.paths import AppPaths
from core.store.secrets import TokenStore

AU = "Maison Verdure Australia"
ROOT = Path(__file__).resolve().parents[2]

#: another copy of the app holding the data as the window does (the one-instance lock, the
#: database open in WAL mode), with a committed change and one half-written
HOLDER = textwrap.dedent(
    """
    import sys
    from core.store.db import close_database, open_app_database
    from core.store.dbfiles import LOCK_FILE, InstanceLock
    from core.store.models import Connection, db
    from core.store.paths import AppPaths

    paths = AppPaths.default()
    lock = InstanceLock(paths.data / LOCK_FILE).acquire()
    open_app_database(paths)
    Connection.update(qbtime_company_name="Renamed and saved").execute()
    db.execute_sql("BEGIN IMMEDIATE")
    Connection.update(qbtime_company_name="Half written").execute()
    print("holding", flush=True)
    sys.stdin.readline()
    db.execute_sql("ROLLBACK")
    close_database()
    lock.release()
    print("done", flush=True)
    """
)


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv):
        code = main.main([*argv, "--demo-state", str(state), "--json"], tokens=store)
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out else None)

    return invoke


@pytest.fixture
def window_open(run):
    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        if holder.poll() is None:
            holder.stdin.write("\n")  # type: ignore[union-attr]
            holder.stdin.flush()  # type: ignore[union-attr]
        holder.wait(30)


def test_status_reads_beside_the_window_and_writes_nothing(run, window_open):
    _db, _backups, marker = app_database_files(AppPaths.default())
    before = marker.read_bytes()
    code, out = run("status")
    assert code == 0, out  # (it was refused: AlreadyRunning)
    [row] = out["connections"]
    assert row["organisation"] == AU
    assert row["qbtime_company"] == "Renamed and saved"  # what was committed, not half of it
    assert marker.read_bytes() == before
    window_open.stdin.write("\n")
    window_open.stdin.flush()
    assert window_open.stdout.readline().strip() == "done"  # the holder finished untroubled
    assert window_open.wait(30) == 0


def test_a_command_that_writes_is_refused_and_says_what_to_do(run, window_open):
    code, out = run("sync")
    assert code == 1
    assert out["error"] == "AlreadyRunning"
    assert out["message"].startswith("Not run: the app is open in a window")
    assert "`status` works meanwhile" in out["message"]


def test_status_with_no_window_opens_as_before(run):
    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    code, out = run("status")
    assert code == 0 and out["connections"][0]["organisation"] == AU
