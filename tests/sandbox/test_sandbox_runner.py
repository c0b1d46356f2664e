"""The Demo Company as a whole: the runner command, both servers, fault knobs, persistence."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from core.sandbox.common import FaultPlan
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_runner_prints_one_json_line_and_serves_both_apis(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.sandbox",
            "--data",
            str(DEMO_COMPANY_FILE),
            "--state",
            str(tmp_path / "state"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == {
            "xero_base",
            "qbtime_base",
            "qbtime_token",
            "qbtime_tokens",  # every account's key, the first first (a second account)
            "xero_client_id",
            "redirect_uris",
        }
        assert info["qbtime_tokens"][0] == info["qbtime_token"] and len(info["qbtime_tokens"]) == 2
        assert info["xero_base"].startswith("http://127.0.0.1:")
        assert all(
            u.startswith("http://localhost:") and u.endswith("/callback")
            for u in info["redirect_uris"]
        )
        r = requests.get(
            info["qbtime_base"] + "/current_user",
            headers={"Authorization": f"Bearer {info['qbtime_token']}"},
            timeout=5,
        )
        assert r.status_code == 200 and r.json()["results"]["users"]
        assert requests.get(info["xero_base"] + "/connections", timeout=5).status_code == 401
        assert (tmp_path / "state" / "company.json").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


@pytest.fixture
def sandbox(tmp_path):
    box = Sandbox.open(
        DEMO_COMPANY_FILE, tmp_path / "state", qbtime_faults=FaultPlan(seed=7, stall_s=1.0)
    )
    yield box
    box.stop()


def _qbt(box, method="GET", path="/users", **kw):
    return requests.request(
        method,
        box.qbtime_base + path,
        timeout=(2, 0.5),
        headers={"Authorization": f"Bearer {box.qbtime_token}"},
        **kw,
    )


@pytest.mark.parametrize("status", [429, 500, 503])
def test_injected_http_faults_answer_in_the_service_shape(sandbox, status):
    sandbox.qbtime_faults.force(str(status))
    r = _qbt(sandbox)
    assert r.status_code == status
    assert r.json()["error"]["code"] == status
    assert "Retry-After" not in r.headers  # QuickBooks Time never sends one
    assert _qbt(sandbox).status_code == 200


def test_connection_level_faults(sandbox):
    sandbox.qbtime_faults.force("reset")
    with pytest.raises(requests.ConnectionError):
        _qbt(sandbox)
    sandbox.qbtime_faults.force("read_timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):
        _qbt(sandbox)
    sandbox.qbtime_faults.force("truncated")
    with pytest.raises(requests.exceptions.RequestException):
        _qbt(sandbox)


def test_lost_response_applies_the_write(sandbox):
    sandbox.qbtime_faults.force("lost_response", method="POST")
    body = {"data": [{"name": "Lost answer customer", "parent_id": 0}]}
    with pytest.raises(requests.ConnectionError):
        _qbt(sandbox, "POST", "/jobcodes", json=body)
    names = [j["name"] for j in sandbox.store.qbtime["jobcodes"]]
    assert "Lost answer customer" in names
    again = _qbt(sandbox, "POST", "/jobcodes", json=body).json()
    assert again["results"]["jobcodes"]["1"]["_status_code"] == 202


def test_seeded_fault_probabilities_are_reproducible():
    def draw(seed):
        plan = FaultPlan(seed=seed, p_500=0.3, p_reset=0.2)
        return [plan.pick("GET", "/x") for _ in range(200)]

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)
    kinds = draw(3)
    assert 30 < kinds.count("500") < 90 and kinds.count("reset") > 10


def test_latency_knob_slows_every_call(tmp_path):
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "s", qbtime_faults=FaultPlan(latency_s=0.2))
    try:
        start = time.monotonic()
        assert _qbt(box).status_code == 200
        assert time.monotonic() - start >= 0.2
    finally:
        box.stop()


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "state"
    with Sandbox.open(DEMO_COMPANY_FILE, state) as box:
        r = _qbt(box, "POST", "/jobcodes", json={"data": [{"name": "Remembered", "parent_id": 0}]})
        assert r.json()["results"]["jobcodes"]["1"]["_status_code"] == 200
    with Sandbox.open(DEMO_COMPANY_FILE, state) as box:
        names = {j["name"] for j in box.store.qbtime["jobcodes"]}
    assert "Remembered" in names
