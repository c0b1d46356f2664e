"""The simulators keep HTTP/1.1 connections alive, as Xero's and QuickBooks Time's servers do:
a client session's calls share one TCP connection (our client reuses it: a connect per call
against the Demo Company was a cost real use does not pay), every answer says its length
(errors, 401 and 429 included), a connection fault still breaks the connection, and a stopped
server answers nothing more on a connection a client kept."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from core.sandbox.common import FaultPlan, SimServer
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.http import RetryPolicy, ServiceSession


@pytest.fixture
def box(tmp_path):
    sandbox = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state", qbtime_faults=FaultPlan(seed=3))
    yield sandbox
    sandbox.stop()


def _accepted(box: Sandbox) -> tuple[int, int]:
    return box._servers[0].accepted, box._servers[1].accepted


def _auth(box: Sandbox, token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or box.qbtime_token}"}


def test_a_session_s_calls_share_one_connection_whatever_the_answer(box):
    before = _accepted(box)
    with requests.Session() as http:
        answers = []
        for n in range(12):
            answers.append(http.get(box.qbtime_base + "/current_user", headers=_auth(box)))
            if n == 3:
                answers.append(http.get(box.qbtime_base + "/users", headers=_auth(box, "wrong")))
            if n == 5:
                box.qbtime_faults.force("429")
                answers.append(http.get(box.qbtime_base + "/users", headers=_auth(box)))
            if n == 7:
                answers.append(http.get(box.qbtime_base + "/no-such-thing", headers=_auth(box)))
            if n == 9:  # a body the simulator never reads (refused before): dropped, not parsed
                answers.append(
                    http.post(
                        box.qbtime_base + "/jobcodes",
                        headers=_auth(box, "wrong"),
                        json={"data": [{"name": "x" * 5000}]},
                    )
                )
            if n == 10:  # a write with a body read whole
                kept = http.post(
                    box.qbtime_base + "/jobcodes",
                    headers=_auth(box),
                    json={"data": [{"name": "Kept alive", "parent_id": 0}]},
                )
                answers.append(kept)
        xero = [http.get(box.xero_base + "/connections") for _ in range(5)]
    statuses = sorted({a.status_code for a in answers + xero})
    assert statuses == [200, 401, 404, 429]
    for answer in answers + xero:
        assert int(answer.headers["Content-Length"]) == len(answer.content)
        assert answer.headers.get("Connection", "").lower() != "close"
    assert kept.status_code == 200 and "Kept alive" in kept.text
    after = _accepted(box)
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)  # was 5 and 17


def test_our_client_makes_its_calls_on_one_connection(box):
    session = ServiceSession(
        "qbtime",
        box.qbtime_base,
        auth=lambda: _auth(box),
        retry=RetryPolicy(max_attempts=1),
    )
    before = _accepted(box)[1]
    for _ in range(10):
        assert session.request("GET", "/current_user").status_code == 200
    assert _accepted(box)[1] - before == 1


def test_a_connection_fault_still_breaks_the_connection_and_the_next_call_reconnects(box):
    with requests.Session() as http:
        assert http.get(box.qbtime_base + "/current_user", headers=_auth(box)).ok
        for kind, error in (
            ("reset", requests.ConnectionError),
            ("truncated", requests.exceptions.RequestException),
        ):
            box.qbtime_faults.force(kind)
            with pytest.raises(error):
                http.get(box.qbtime_base + "/current_user", headers=_auth(box))
            again = http.get(box.qbtime_base + "/current_user", headers=_auth(box))
            assert again.status_code == 200 and again.json()["results"]["users"]


def test_a_client_asking_to_close_gets_its_connection_closed(box):
    with socket.create_connection(("127.0.0.1", box._servers[1].port), timeout=5) as sock:
        sock.sendall(
            b"GET /api/v1/current_user HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + f"Authorization: Bearer {box.qbtime_token}\r\n\r\n".encode()
        )
        received = b""
        while chunk := sock.recv(65536):  # ends: the server closed the connection
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Connection: close" in head
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    assert len(body) == length


def test_an_error_in_the_application_is_a_500_with_its_length_then_closed():
    def broken(environ, start_response):
        raise RuntimeError("simulator bug")

    server = SimServer(broken).start()
    try:
        with requests.Session() as http:
            answer = http.get(server.base_url + "/x")
            assert answer.status_code == 500
            assert int(answer.headers["Content-Length"]) == len(answer.content)
            assert answer.headers["Connection"].lower() == "close"
            assert http.get(server.base_url + "/x").status_code == 500
        assert server.accepted == 2
    finally:
        server.stop()


def test_stop_is_prompt_with_idle_connections_and_nothing_answers_after_it(tmp_path):
    calls = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"first"]

    server = SimServer(app).start()
    http = requests.Session()
    idle = [requests.Session() for _ in range(5)]
    assert http.get(server.base_url + "/a").text == "first"
    for other in idle:  # connections left open, waiting for a next request
        assert other.get(server.base_url + "/b").ok
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    deadline = time.monotonic() + 2
    while server._server._open and time.monotonic() < deadline:  # their handlers end
        time.sleep(0.01)
    assert not server._server._open
    with pytest.raises(requests.ConnectionError):  # the kept connection was closed, no answer
        http.get(server.base_url + "/after-stop")
    assert calls.count("/after-stop") == 0
    for other in (http, *idle):
        other.close()


def test_calls_on_a_kept_connection_do_not_wait_for_a_delayed_ack(box):
    """An answer's head and body are sent as they are written (TCP_NODELAY): with Nagle's
    algorithm the body waited for the client's delayed ACK, ~40 ms a call on a reused
    connection (about 1 ms without)."""
    with requests.Session() as http:
        http.get(box.qbtime_base + "/current_user", headers=_auth(box))
        started = time.perf_counter()
        for _ in range(20):
            http.get(box.qbtime_base + "/current_user", headers=_auth(box))
        spent = time.perf_counter() - started
    assert spent < 0.4, f"{spent:.2f} s for 20 calls"
