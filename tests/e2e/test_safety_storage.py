"""Issue 11, storage: a damaged, lost, read-only or full database, a run that does not exist,
a run killed half-way — each gets a sentence that says what happened and what to do, never a
traceback, and nothing is lost: daily backups, the newest good one offered and restored (the
damaged file kept aside), a lost history said so, the log readable by its owner only.

Every test drives ``main.main`` the way a user runs the headless commands, on the Demo Company
(XQB_HOME is a fresh folder per test, tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

import main
from core.errors import BackupNotUsable
from core.store import db as core_db
from core.store.paths import AppPaths
from core.store.secrets import TokenStore

pytestmark = pytest.mark.safety(
    "Damaged, lost, read-only or full database, unknown run: a sentence and a way back, never a traceback"
)

ROOT = Path(__file__).resolve().parents[2]
AU = "Maison Verdure Australia"


class App:
    """``main.main`` as a user runs it: arguments in, exit code and what was printed out."""

    def __init__(self, state: Path, store: TokenStore, capsys: pytest.CaptureFixture[str]) -> None:
        self.state, self.store, self.capsys = state, store, capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main.main([*argv, "--demo-state", str(self.state)], tokens=self.store)
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err, captured.out + captured.err
        return code, captured.out, captured.err

    def json(self, *argv: str) -> tuple[int, dict]:
        code, out, _err = self(*argv, "--json")
        lines = out.strip().splitlines()
        return code, (json.loads(lines[-1]) if lines else {})


@pytest.fixture
def app(tmp_path, memory_keyring, capsys) -> App:
    return App(tmp_path / "demo-state", TokenStore(memory_keyring, trust_backend=True), capsys)


@pytest.fixture
def imported(app) -> App:
    """Connected to the Australian organisation and imported once."""
    assert app("connect-qbtime")[0] == 0
    assert app("connect-xero", "--org", AU)[0] == 0
    code, out, err = app("sync")
    assert code == 0, out + err
    return app


def _files() -> tuple[Path, Path, Path]:
    """(the database, its backups folder, the marker of what it held)."""
    paths = AppPaths.default()
    return paths.data / "bridge.sqlite3", paths.data / "backups", paths.state / "database.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _runs(path: Path) -> list[tuple[int, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, status FROM import_run ORDER BY id").fetchall()
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _corrupt_middle(path: Path) -> None:
    """Overwrite two pages in the middle of the file (a disk or a copy gone wrong)."""
    size = path.stat().st_size
    page = 4096
    with open(path, "r+b") as fh:
        fh.seek((size // 2) // page * page)
        fh.write(b"\xa5\x00garbage" * (2 * page // 9))


# ---------------------------------------------------------------------------- damaged
def test_damaged_database_names_the_newest_good_backup_and_restore_puts_it_back(imported):
    app = imported
    path, backups, _marker = _files()
    [backup] = core_db.backups_of(backups)  # today's, made before the day's first write
    assert core_db.integrity_problem(backup) is None
    _corrupt_middle(path)
    damaged_bytes = path.read_bytes()

    code, out, err = app("history")
    assert code == 1
    assert "is damaged and cannot be read" in err and str(backup) in err
    assert "xero-qbtime-bridge restore-backup" in err
    assert path.read_bytes() == damaged_bytes  # nothing written to the damaged file

    code, out, err = app("restore-backup")
    assert code == 0, err
    assert f"restored from the backup copy {backup}" in out
    kept = [p for p in path.parent.iterdir() if p.name.startswith(path.name + ".replaced-")]
    assert any(p.read_bytes() == damaged_bytes for p in kept), kept  # kept aside, not deleted
    assert _integrity(path) == "ok"

    code, out, err = app("status")
    assert code == 0 and AU in out, err
    code, out, err = app("sync")  # the run made after the copy was taken is made again
    assert code == 0, err


def test_a_file_that_is_not_a_database_is_said_so(imported):
    app = imported
    path, backups, _marker = _files()
    path.write_bytes(b"These are my notes, saved over the app's file by mistake.\n" * 200)
    for sidecar in core_db._sidecars(path):
        sidecar.unlink(missing_ok=True)
    code, _out, err = app("sync")
    assert code == 1
    assert "is damaged and cannot be read" in err
    assert str(core_db.backups_of(backups)[0]) in err
    assert path.read_bytes().startswith(b"These are my notes")


def test_damage_with_no_backup_says_what_to_do(app):
    """The first command of a new install has nothing to back up; damage then has no copy."""
    assert app("connect-qbtime")[0] == 0
    path, backups, _marker = _files()
    assert core_db.backups_of(backups) == []
    path.write_bytes(b"\x00" * 100 + b"nope" * 3000)
    code, _out, err = app("status")
    assert code == 1
    assert "No good backup copy was found" in err
    code, _out, err = app("restore-backup")
    assert code == 1 and "No good backup copy of your data was found" in err


def test_damaged_backups_are_never_offered(imported):
    app = imported
    path, backups, _marker = _files()
    [backup] = core_db.backups_of(backups)
    _corrupt_middle(backup)
    _corrupt_middle(path)
    code, _out, err = app("history")
    assert code == 1 and "No good backup copy was found" in err and str(backup) not in err
    code, _out, err = app("restore-backup", str(backup))
    assert code == 1 and "is not a good backup copy" in err


# ---------------------------------------------------------------------------- unusable copies
def _data_files(path: Path) -> dict[str, str]:
    """Every file of the data folder (the database, its sidecars, anything set aside or
    half-written) with its digest."""
    return {
        p.name: _digest(p) for p in path.parent.iterdir() if p.is_file() and p.name != "app.lock"
    }


def _run_sql(target: Path, *sql: str) -> Path:
    conn = sqlite3.connect(target)
    try:
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return target


def _copy_with(source: Path, target: Path, *sql: str) -> Path:
    shutil.copy(source, target)
    return _run_sql(target, *sql)


def _new_file(target: Path, *sql: str) -> Path:
    return _run_sql(target, f"PRAGMA application_id = {core_db.APPLICATION_ID}", *sql)


#: (how the copy is made from a good backup, what the refusal says in English, in French)
UNUSABLE_COPIES = {
    "newer version": (
        lambda good, t: _copy_with(good, t, "PRAGMA user_version = 99"),
        "was saved by a newer version of this app (format 99, this version understands up to",
        "Install the latest version to restore it",
        "a été enregistrée par une version plus récente",
    ),
    "wrong tables": (
        lambda good, t: _new_file(
            t,
            "PRAGMA user_version = 4",
            'CREATE TABLE "connection"(a)',
            'CREATE TABLE "import_run"(a)',
        ),
        "is not a good backup copy",
        "tables or columns this app needs are missing",
        "des tables ou des colonnes dont cette application a besoin sont absentes",
    ),
    "a column missing": (
        lambda good, t: _copy_with(good, t, 'ALTER TABLE "decision" DROP COLUMN "depends_on"'),
        "is not a good backup copy",
        "tables or columns this app needs are missing",
        "des tables ou des colonnes dont cette application a besoin sont absentes",
    ),
    "an older format missing a table": (
        lambda good, t: _copy_with(good, t, 'DROP TABLE "sent_hours"', "PRAGMA user_version = 3"),
        "is not a good backup copy",
        "tables or columns this app needs are missing",
        "des tables ou des colonnes dont cette application a besoin sont absentes",
    ),
    "no tables of this app": (
        lambda good, t: _new_file(t, "CREATE TABLE x(a)"),
        "is not a good backup copy",
        "it was not made by this app",
        "elle n’a pas été créée par cette application",
    ),
    "no tables at all": (
        lambda good, t: _new_file(t, "PRAGMA user_version = 4"),
        "is not a good backup copy",
        "tables or columns this app needs are missing",
        "des tables ou des colonnes dont cette application a besoin sont absentes",
    ),
    "a folder": (
        lambda good, t: (t.mkdir(), t)[1],
        "is not a good backup copy",
        "it is a folder, not a file",
        "c’est un dossier, pas un fichier",
    ),
    "a pipe": (
        lambda good, t: (os.mkfifo(t), t)[1],
        "is not a good backup copy",
        "it is a device or a pipe, not a file",
        "c’est un périphérique ou un tube, pas un fichier",
    ),
    "a missing file": (
        lambda good, t: t,
        "is not a good backup copy",
        "there is no such file",
        "ce fichier n’existe pas",
    ),
}


@pytest.mark.parametrize("case", list(UNUSABLE_COPIES))
def test_a_copy_this_version_cannot_use_is_refused_and_nothing_changes(imported, tmp_path, case):
    if case == "a pipe" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    app = imported
    path, backups, _marker = _files()
    [good] = core_db.backups_of(backups)
    make, said, what_to_do, french = UNUSABLE_COPIES[case]
    copy = make(good, tmp_path / "copy.sqlite3")
    before = _data_files(path)

    code, out, err = app("restore-backup", str(copy))
    assert code == 1, out
    assert said in err and what_to_do in err and str(copy) in err, err
    assert "unexpected" not in err.lower() and "file not found" not in err
    assert _data_files(path) == before  # working file byte-for-byte, nothing set aside or left
    assert not path.with_name(path.name + ".restoring").exists()

    with pytest.raises(BackupNotUsable) as refused:  # the same refusal, in French
        core_db.restore_backup(AppPaths.default(), copy)
    assert french in refused.value.user_message("fr"), refused.value.user_message("fr")
    assert "Rien n’a été modifié" in refused.value.user_message("fr")
    assert _data_files(path) == before

    code, out, err = app("status")  # the app goes on with its own data
    assert code == 0 and AU in out, err


def test_an_older_good_copy_is_restored_and_updated(imported, tmp_path):
    """A copy in an older format this version updates (the v1 fixture) is taken."""
    app = imported
    path, _backups, _marker = _files()
    old = tmp_path / "bridge-v1.sqlite3"
    conn = sqlite3.connect(old)
    conn.executescript((ROOT / "tests" / "fixtures" / "db_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    assert core_db.backup_problem(old, tmp_path) is None
    code, out, err = app("restore-backup", str(old))
    assert code == 0 and "restored from the backup copy" in out, err
    assert not path.with_name(path.name + ".restoring").exists()
    code, out, err = app("status")  # opened and updated to this version's format
    assert code == 0 and "Kiwi Plumbing" in out, err
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == core_db.SCHEMA_VERSION
    finally:
        conn.close()


def test_a_broken_copy_met_while_restoring_is_refused_and_leaves_nothing(
    imported, tmp_path, monkeypatch
):
    """Past the checks (here: skipped), the copy's holdings query failing is a refusal: the
    half-made ``.restoring`` file is removed, the working file untouched."""
    app = imported
    path, _backups, _marker = _files()
    copy = _new_file(tmp_path / "copy.sqlite3", "PRAGMA user_version = 4", "CREATE TABLE x(a)")
    before = _data_files(path)
    monkeypatch.setattr(core_db, "backup_problem", lambda *_a: None)
    code, out, err = app("restore-backup", str(copy))
    assert code == 1, out
    assert "is not a good backup copy" in err and "unexpected" not in err.lower(), err
    assert _data_files(path) == before
    assert not path.with_name(path.name + ".restoring").exists()


def test_the_automatic_restore_skips_copies_this_version_cannot_use(imported):
    """The newest copies (saved by a newer version, missing a table) are never offered nor
    put back: the newest usable one is."""
    from datetime import date, timedelta

    app = imported
    path, backups, _marker = _files()
    [today] = core_db.backups_of(backups)
    days = [(date.today() - timedelta(days=n)).isoformat() for n in (6, 5, 4)]
    good = today.rename(backups / f"bridge-{days[0]}.sqlite3")
    newer = _copy_with(good, backups / f"bridge-{days[2]}.sqlite3", "PRAGMA user_version = 99")
    broken = _copy_with(good, backups / f"bridge-{days[1]}.sqlite3", 'DROP TABLE "link"')
    assert core_db.backups_of(backups)[:2] == [newer, broken]
    assert core_db.newest_good_backup(backups) == good
    _corrupt_middle(path)

    code, _out, err = app("history")
    assert code == 1 and str(good) in err and str(newer) not in err and str(broken) not in err
    code, out, err = app("restore-backup")
    assert code == 0 and f"restored from the backup copy {good}" in out, err
    code, out, err = app("status")
    assert code == 0 and AU in out, err

    for copy in (good, *core_db.backups_of(backups)):  # only unusable copies left: none offered
        if copy not in (newer, broken):
            copy.unlink(missing_ok=True)
    assert core_db.newest_good_backup(backups) is None
    code, _out, err = app("restore-backup")
    assert code == 1 and "No good backup copy of your data was found" in err


def test_damage_found_while_a_command_runs_is_a_sentence(imported, monkeypatch):
    """Damage only met half-way through a command (a page read late) is still a sentence."""
    app = imported

    def read_damaged_page(*_a, **_k):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("core.app.sync.history", read_damaged_page)
    code, _out, err = app("history")
    assert code == 1 and "is damaged and cannot be read" in err


# ---------------------------------------------------------------------------- lost
@pytest.mark.parametrize("how", ["deleted", "truncated", "replaced by an empty one"])
def test_a_lost_history_is_said_so_never_taken_for_a_fresh_install(imported, tmp_path, how):
    app = imported
    path, backups, _marker = _files()
    [backup] = core_db.backups_of(backups)
    for sidecar in core_db._sidecars(path):
        sidecar.unlink(missing_ok=True)
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(b"")
    else:
        empty = tmp_path / "empty.sqlite3"
        core_db.open_database(empty)
        core_db.close_database()
        shutil.copy(empty, path)

    for command in ("status", "sync"):
        code, out, err = app(command)
        assert code == 1, out
        assert "Your history was lost" in err and "held 1 connection(s) and 1 import(s)" in err
        assert str(backup) in err and "restore-backup" in err
    if how == "deleted":
        assert not path.exists()  # not silently made again
    elif how == "truncated":
        assert path.stat().st_size == 0

    code, out, err = app("restore-backup")
    assert code == 0, err
    code, out, err = app("status")
    assert code == 0 and AU in out


def test_starting_afresh_after_a_lost_history_is_the_users_choice(imported):
    app = imported
    path, _backups, _marker = _files()
    for sidecar in core_db._sidecars(path):
        sidecar.unlink(missing_ok=True)
    path.unlink()
    code, _out, err = app("status")
    assert code == 1 and "--start-afresh" in err
    code, out, err = app("restore-backup", "--start-afresh")
    assert code == 0 and "start afresh" in out
    code, out, err = app("status")
    assert code == 0 and "No organisation is connected yet" in out


def test_backups_keep_the_last_seven_days(imported):
    path, backups, _marker = _files()
    database = core_db.open_database(path)
    try:
        for day in range(1, 11):
            core_db.daily_backup(database, path, backups, today=f"2030-01-{day:02d}")
    finally:
        core_db.close_database()
    names = [p.name for p in core_db.backups_of(backups)]
    assert names == [f"bridge-2030-01-{d:02d}.sqlite3" for d in range(10, 3, -1)]
    assert all(core_db.integrity_problem(p) is None for p in core_db.backups_of(backups))
    if os.name == "posix":
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in core_db.backups_of(backups))


# ---------------------------------------------------------------------------- read-only, full
@contextmanager
def _read_only(*targets: Path):
    """Make files/folders read-only for this process — as root (who ignores permission
    bits) with the immutable attribute."""
    modes = {t: t.stat().st_mode & 0o777 for t in targets}
    immutable: list[Path] = []
    try:
        for target in targets:
            target.chmod(0o555 if target.is_dir() else 0o444)
        if os.geteuid() == 0:
            if shutil.which("chattr") is None:
                pytest.skip("running as root without chattr: cannot make a file read-only")
            for target in targets:
                done = subprocess.run(["chattr", "+i", str(target)], capture_output=True)
                if done.returncode != 0:
                    pytest.skip(f"chattr +i not supported here: {done.stderr!r}")
                immutable.append(target)
        yield
    finally:
        for target in immutable:
            subprocess.run(["chattr", "-i", str(target)], check=False)
        for target, mode in modes.items():
            target.chmod(mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_database_or_folder_is_a_sentence_and_nothing_is_half_written(imported, what):
    app = imported
    path, _backups, _marker = _files()
    runs_before, digest = _runs(path), _digest(path)
    for sidecar in core_db._sidecars(path):
        assert not sidecar.exists()
    targets = (path,) if what == "file" else (path.parent,)
    with _read_only(*targets):
        code, out, err = app("sync", "--full")
        assert code == 1, out
        assert "read-only" in err and str(path.parent) in err
    assert _digest(path) == digest and _integrity(path) == "ok"
    assert _runs(path) == runs_before
    code, out, err = app("sync")  # writable again: it works, nothing was left half-way
    assert code == 0, err
    assert all(status != "running" for _id, status in _runs(path))


def test_full_disk_is_a_sentence_and_what_was_saved_is_whole(app, monkeypatch):
    assert app("connect-qbtime")[0] == 0
    assert app("connect-xero", "--org", AU)[0] == 0
    path, _backups, _marker = _files()
    conn = sqlite3.connect(path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    # The disk fills a few pages further: the fetch's snapshot does not fit.
    monkeypatch.setitem(core_db.PRAGMAS, "max_page_count", pages + 3)
    code, out, err = app("sync")
    assert code == 1, out
    assert "is full" in err and "Free some space" in err
    assert _integrity(path) == "ok"
    assert all(status != "running" for _id, status in _runs(path))
    monkeypatch.delitem(core_db.PRAGMAS, "max_page_count")
    code, out, err = app("sync")
    assert code == 0, err
    code, payload = app.json("sync")
    assert code == 0 and not payload.get("created"), payload  # nothing left to redo twice


def test_a_file_that_cannot_be_written_for_lack_of_space_is_a_sentence(
    imported, tmp_path, monkeypatch
):
    """ENOSPC from the operating system (here when the review's CSV is written)."""
    import errno
    import tempfile

    def no_space(*_a, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(kwargs.get("dir") or tmp_path))

    monkeypatch.setattr(tempfile, "mkstemp", no_space)
    target = tmp_path / "exports" / "review.csv"
    target.parent.mkdir()
    code, _out, err = imported("review", "--export", str(target))
    assert code == 1 and "is full" in err and "Free some space" in err
    assert not target.exists()


# ---------------------------------------------------------------------------- runs
def test_a_run_that_does_not_exist(imported):
    app = imported
    for argv in (("undo", "999"), ("history", "999")):
        code, _out, err = app(*argv)
        assert code == 1, argv
        assert "There is no run number 999" in err
    code, payload = app.json("undo", "999")
    assert code == 1 and payload["error"] == "RunNotFound"


def test_an_unexpected_error_names_the_log_and_keeps_the_traceback_there(imported, monkeypatch):
    def broken(*_a, **_k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("core.app.cli.cmd_status", broken)
    code, _out, err = imported("status")
    assert code == 1
    log_file = AppPaths.default().log_file
    assert "Something unexpected stopped the app" in err and str(log_file) in err
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text


def test_history_shows_what_a_killed_run_wrote(tmp_path, monkeypatch, capsys):
    from tests.reliability.support import FileKeyring, open_demo

    home, state, keyring_file = tmp_path / "home", tmp_path / "state", tmp_path / "keyring.json"
    ctx, _conn = open_demo("AU", home, state, FileKeyring(keyring_file))
    ctx.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XQB_HOME": str(home)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.reliability.crash_worker",
            str(home),
            str(state),
            str(keyring_file),
            "AU",
            "--kill-at",
            "3",
            "--when",
            "after",
            "--writes-only",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]

    monkeypatch.setenv("XQB_HOME", str(home))
    app = App(state, TokenStore(FileKeyring(keyring_file), trust_backend=True), capsys)
    code, out, err = app("history")
    assert code == 0, err
    assert "interrupted" in out and "the next sync finishes it" in out
    code, payload = app.json("history", "1")
    [run] = payload["runs"]
    journal = run["journal"]
    assert run["interrupted"] and journal["sent"] + journal["unconfirmed"] >= 2
    assert journal["planned"] > journal["sent"] + journal["unconfirmed"], journal

    assert app("sync")[0] == 0  # the next sync finishes it; the history still says what it was
    code, payload = app.json("history", "1")
    assert payload["runs"][0]["interrupted"] and payload["runs"][0]["journal"] == journal


# ---------------------------------------------------------------------------- the log
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_log_is_readable_by_its_owner_only(app):
    paths = AppPaths.default()
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.logs.chmod(0o755)  # made by an older version
    paths.log_file.write_text("older lines\n")
    paths.log_file.chmod(0o644)
    old = os.umask(0o022)
    try:
        assert app("status")[0] == 0
    finally:
        os.umask(old)
    assert paths.log_file.stat().st_mode & 0o777 == 0o600
    assert paths.logs.stat().st_mode & 0o777 == 0o700


# ---------------------------------------------------------------------------- the wizard
def test_the_wizard_offers_the_backup_in_its_start_up_dialog(imported, qtbot, monkeypatch):
    """Started on a damaged file, the app shows the same sentence in a dialog with a button
    that puts the newest good copy back; then the wizard opens on the restored data. The
    window opens first (the database is opened once its first page is painted): finding
    the file damaged, it closes, and the start offers the copy."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    import wizard.app

    path, backups, _marker = _files()
    [backup] = core_db.backups_of(backups)
    _corrupt_middle(path)
    damaged_bytes = path.read_bytes()
    shown: list[str] = []
    opened: list[object] = []

    def click_restore() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click_restore)
            return
        shown.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == "Restore the backup copy"]
        button.click()

    real_window = wizard.app.run_wizard
    windows: list[int] = []

    def wizard_opened(ctx, language=None):
        from core.app.connections import active_connections

        if not windows:  # the real window: it finds the file damaged, and closes
            windows.append(real_window(ctx, language))
            return windows[-1]
        ctx.open_db()  # then, as the window opens it: the restored data
        opened.append([c.xero_tenant_name for c in active_connections()])
        return 0

    monkeypatch.setattr(wizard.app, "run_wizard", wizard_opened)
    QTimer.singleShot(50, click_restore)
    code = main.main(["--demo-state", str(imported.state)], tokens=imported.store)
    assert code == 0
    assert windows == [wizard.app.DATABASE_NOT_OPENED]
    assert shown and "is damaged and cannot be read" in shown[0] and str(backup) in shown[0]
    assert opened == [[AU]]
    assert _integrity(path) == "ok"
    kept = [p for p in path.parent.iterdir() if p.name.startswith(path.name + ".replaced-")]
    assert any(p.read_bytes() == damaged_bytes for p in kept)


def test_a_copy_made_with_the_clock_set_ahead_is_not_taken_for_the_newest(imported):
    """A copy named after a day to come (the computer's clock was a year ahead that day) is
    ranked after the others: the newest copy of a day that has come is put back (the one
    with the latest name was, and history made since was lost)."""
    app = imported
    path, backups, _marker = _files()
    [today] = core_db.backups_of(backups)  # made before the import: no run in it
    ahead = backups / "bridge-2099-01-01.sqlite3"
    today.rename(ahead)
    later = backups / "bridge-2000-01-02.sqlite3"  # (any day: the clock is right again)
    with sqlite3.connect(path) as live, sqlite3.connect(later) as copy:
        live.backup(copy)
    assert _runs(later) and not _runs(ahead)
    assert core_db.backups_of(backups) == [later, ahead]
    assert core_db.newest_good_backup(backups) == later
    _corrupt_middle(path)
    code, out, err = app("restore-backup")
    assert code == 0 and f"restored from the backup copy {later}" in out, err
    code, out, err = app("history")
    assert code == 0 and "Nothing has run yet" not in out, out + err


def test_a_table_gone_is_said_as_damage_with_the_copy_to_put_back(imported):
    """A table dropped by hand or by a tool: pages pass SQLite's check, and every command
    stopped with "Something unexpected (OperationalError)" without saying restore-backup
    would mend it."""
    app = imported
    path, _backups, _marker = _files()
    with sqlite3.connect(path) as raw:
        raw.execute('DROP TABLE "journal_entry"')
    code, _out, err = app("history")
    assert code == 1 and "unexpected" not in err
    assert "is damaged and cannot be read" in err and "journal_entry" in err
    assert "restore-backup" in err
    code, _out, err = app("restore-backup")
    assert code == 0, err
    code, _out, err = app("history")
    assert code == 0, err


def test_a_restore_after_billing_bills_nothing_twice(imported):
    """The day's backup copy was made before the day's first write: a restore forgot the
    invoices billed since, and the same bill-time made them all again in Xero (drafts
    INV-0007… beside INV-0001…). A run that wrote to Xero renews today's copy."""
    app = imported
    path, _backups, _marker = _files()
    every = ("--from", "2000-01-01", "--to", "2100-01-01")
    assert app.json("bill-time", *every)[0] != 0  # turns invoicing on: asks for a new sign-in
    assert app("connect-xero", "--org", AU)[0] == 0
    code, first = app.json("bill-time", *every)
    assert code == 0 and first["invoices"]["created"] > 0, first
    _corrupt_middle(path)
    code, _out, err = app("restore-backup")
    assert code == 0, err
    code, again = app.json("bill-time", *every)
    assert code == 0, again
    assert again["invoices"]["created"] == 0, again
    code, listed = app.json("invoices")
    assert len(listed["invoices"]) == first["invoices"]["created"]


def test_after_starting_afresh_new_copies_are_kept_and_put_back(imported):
    """Runs are numbered from 1 again after starting afresh: a ranking by the runs a copy
    holds deleted each new copy as soon as it was made, and restore-backup put back the
    history the user had chosen to leave."""
    from datetime import date

    from core.store.db import daily_backup, open_database

    app = imported
    path, backups, _marker = _files()
    for n in range(1, 8):  # a week of older copies, holding a longer history
        old = backups / f"bridge-2026-11-0{n}.sqlite3"
        shutil.copy(path, old)
        with sqlite3.connect(old) as raw:
            raw.execute('UPDATE "import_run" SET "id" = "id" + 100')
    assert app("restore-backup", "--start-afresh")[0] == 0
    assert app("connect-qbtime")[0] == 0
    assert app("connect-xero", "--org", AU)[0] == 0
    code, _out, err = app("sync")
    assert code == 0, err
    database = open_database(path)
    try:
        made = daily_backup(database, path, backups, again=True)  # today's, after the run
    finally:
        database.close()
    assert made is not None and made.exists()
    assert made.name == f"bridge-{date.today().isoformat()}.sqlite3"
    assert core_db.backups_of(backups)[0] == made
    assert len(core_db.backups_of(backups)) == core_db.BACKUP_KEEP
    assert core_db.newest_good_backup(backups) == made
