"""The Demo Company in a child process, as the wizard runs it: it starts, answers, stops when
asked, and never outlives the process that started it, even when that one is killed."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from core.sandbox.process import RUN_DEMO_COMPANY, DemoCompanyProcess, demo_company_command

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """Still running (a zombie waiting for its parent to collect it has ended)."""
    if Path("/proc/self").exists():
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return not alive(pid)


def _answers(box) -> None:
    r = requests.get(
        box.qbtime_base + "/current_user",
        headers={"Authorization": f"Bearer {box.qbtime_token}"},
        timeout=5,
    )
    assert r.status_code == 200 and r.json()["results"]["users"]
    assert requests.get(box.xero_base + "/connections", timeout=5).status_code == 401


def _listens(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
    except requests.ConnectionError:
        return False
    return True


def test_it_starts_answers_and_stops(tmp_path):
    log_file = tmp_path / "logs" / "demo-company.log"
    box = DemoCompanyProcess.start(None, tmp_path / "state", log_file=log_file)
    try:
        assert box.running() and box.pid != os.getpid()
        assert set(box.describe()) == {
            "xero_base",
            "qbtime_base",
            "qbtime_token",
            "qbtime_tokens",
            "xero_client_id",
            "redirect_uris",
        }
        # every QuickBooks Time account's key (a second business needs the second one)
        first, second = box.qbtime_tokens
        assert first == box.qbtime_token and second and second != first
        _answers(box)
        assert (tmp_path / "state" / "company.json").exists()
    finally:
        box.stop()
    assert box.proc.returncode == 0 and not box.running()  # it stopped itself, cleanly
    assert not _listens(box.xero_base) and not _listens(box.qbtime_base)
    box.stop()  # stopping twice is harmless
    # Problems only in its log: no line per request; the log is its owner's only (0600, as
    # the app's own: names of people and companies can be in it)
    assert "GET /api/v1/current_user" not in log_file.read_text(encoding="utf-8", errors="replace")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_the_engine_process_log_is_private(tmp_path):
    from core.files import open_private_log

    old = tmp_path / "logs" / "engine-process.log"
    old.parent.mkdir()
    old.write_text("made by an older version\n")
    old.chmod(0o644)
    with open_private_log(old) as fh:
        fh.write(b"more\n")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert old.read_text() == "made by an older version\nmore\n"


def test_a_launched_child_is_waited_for_at_first_use(tmp_path):
    """The app launches it before loading Qt; its addresses wait for it when first asked."""
    box = DemoCompanyProcess.launch(None, tmp_path / "state")
    try:
        _answers(box)
    finally:
        box.stop()
    assert box.proc.returncode == 0


def test_a_child_stopped_before_it_said_anything_ends(tmp_path):
    box = DemoCompanyProcess.launch(None, tmp_path / "state")
    box.stop()
    assert not box.running() and box.proc.stdout is not None and box.proc.stdout.closed


def test_it_starts_from_a_company_file_and_keeps_its_state(tmp_path):
    from core.sandbox.server import DEMO_COMPANY_FILE

    with DemoCompanyProcess.start(DEMO_COMPANY_FILE, tmp_path / "state") as box:
        r = requests.post(
            box.qbtime_base + "/jobcodes",
            timeout=5,
            headers={"Authorization": f"Bearer {box.qbtime_token}"},
            json={"data": [{"name": "Kept across starts", "parent_id": 0}]},
        )
        assert r.json()["results"]["jobcodes"]["1"]["_status_code"] == 200
    with DemoCompanyProcess.start(None, tmp_path / "state") as box:
        r = requests.get(
            box.qbtime_base + "/jobcodes",
            timeout=5,
            headers={"Authorization": f"Bearer {box.qbtime_token}"},
        )
        names = {j["name"] for j in r.json()["results"]["jobcodes"].values()}
    assert "Kept across starts" in names


def test_a_child_that_cannot_start_is_said_plainly(tmp_path):
    """A child that ends before saying how to reach it (a state folder that is a file is
    said as such: tests/sandbox/test_company_file.py)."""
    crash = "import sys; sys.stderr.write('Error: the child could not start\\n'); sys.exit(3)"
    log_file = tmp_path / "demo-company.log"
    with pytest.raises(RuntimeError, match="did not start") as caught:
        DemoCompanyProcess.start(
            None, tmp_path / "state", log_file=log_file, command=[sys.executable, "-c", crash]
        )
    assert str(log_file) in str(caught.value)
    assert "Error" in log_file.read_text(encoding="utf-8")


def test_a_company_file_the_child_refuses_is_said_as_its_own_error(tmp_path):
    """Not "did not start": the file and what is wrong with it (tests/sandbox/
    test_company_file.py has every case), in the sentence's language."""
    from core.errors import CompanyFileInvalid

    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    log_file = tmp_path / "demo-company.log"
    with pytest.raises(CompanyFileInvalid) as caught:
        DemoCompanyProcess.start(bad, tmp_path / "state", log_file=log_file)
    assert f"{bad} cannot be used: it is not valid JSON" in caught.value.user_message("en")
    assert "ce n’est pas du JSON valide" in caught.value.user_message("fr")
    assert "cannot be used" in log_file.read_text(encoding="utf-8")
    assert not (tmp_path / "state").exists()


def _parent(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """A process that starts the Demo Company as the wizard does, says its child's pid, and
    waits for ever."""
    script = textwrap.dedent(f"""
        import sys, threading
        from core.sandbox.process import DemoCompanyProcess
        box = DemoCompanyProcess.start(None, {str(tmp_path / "state")!r})
        print(box.pid, box.qbtime_base, box.qbtime_token, flush=True)
        threading.Event().wait()
    """)
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pid, base, token = parent.stdout.readline().split()
    r = requests.get(
        base + "/current_user", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert r.status_code == 200
    return parent, int(pid)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX: kill -9")
def test_it_does_not_outlive_a_parent_that_is_killed(tmp_path):
    parent, child = _parent(tmp_path)
    try:
        assert alive(child)
        parent.send_signal(signal.SIGKILL)  # no clean-up code runs in the parent
        parent.wait(10)
        assert _wait_gone(child, 10), "the Demo Company outlived the app"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_it_does_not_outlive_a_parent_that_ends_without_stopping_it(tmp_path):
    parent, child = _parent(tmp_path)
    try:
        parent.terminate()  # SIGTERM: the parent dies, nothing stops the child
        parent.wait(10)
        assert _wait_gone(child, 10), "the Demo Company outlived the app"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_the_apps_hidden_argument_runs_it(tmp_path, monkeypatch):
    """A frozen build starts it as `APP --run-demo-company`; main.py answers that argument
    before anything else (no logging set-up, no app folders)."""
    env_home = tmp_path / "home"
    monkeypatch.setenv("XQB_HOME", str(env_home))
    command = [sys.executable, str(ROOT / "main.py"), RUN_DEMO_COMPANY]
    with DemoCompanyProcess.start(None, tmp_path / "state", command=command) as box:
        _answers(box)
    assert box.proc.returncode == 0
    assert not env_home.exists(), "the Demo Company's process made no app folder"


def test_a_frozen_build_starts_it_through_the_app_itself(monkeypatch, tmp_path):
    assert demo_company_command() == [sys.executable, "-m", "core.sandbox"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert demo_company_command() == [sys.executable, RUN_DEMO_COMPANY]


def test_the_runner_still_runs_until_interrupted_without_the_flag(tmp_path):
    """`python -m core.sandbox` run by a person or a script keeps running when its standard
    input is closed or empty (only --stop-with-parent watches it)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.sandbox", "--state", str(tmp_path / "s")],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        time.sleep(1.5)
        assert proc.poll() is None and _listens(info["xero_base"])
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX priorities")
def test_the_demo_company_gives_way_to_the_window(tmp_path):
    """It stands for services far away: when both want a CPU, the window gets it first."""
    from core.sandbox.server import DEMO_NICENESS

    box = DemoCompanyProcess.start(None, tmp_path / "state")
    try:
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, box.proc.pid) == min(ours + DEMO_NICENESS, 19)
        assert os.getpriority(os.PRIO_PROCESS, 0) == ours
    finally:
        box.stop()
