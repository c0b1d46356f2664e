"""The one-shot loopback receiver of Xero's sign-in answer (core/services/auth/loopback.py)."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from urllib.parse import urlencode

import pytest

from core.errors import SignInCancelled, SignInFailed, SignInPortsBusy, SignInTimedOut
from core.i18n import tr
from core.services.auth.loopback import STATE_MISMATCH_MESSAGE, LoopbackReceiver
from tests.ports import free_ports, occupy

STATE = "expected-state-0123456789abcdefghijklmnopqrstuvwxyz"


def get(port: int, path: str, host: str | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or f"localhost:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def callback(**params: str) -> str:
    return "/callback?" + urlencode(params)


class Waiter(threading.Thread):
    def __init__(self, receiver: LoopbackReceiver, cancel: threading.Event | None = None):
        super().__init__(daemon=True)
        self.receiver, self.cancel = receiver, cancel
        self.result: str | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.receiver.wait(self.cancel)
        except BaseException as exc:
            self.error = exc


def is_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def ports():
    return free_ports(3)


@pytest.mark.parametrize(
    ("language", "headline"),
    [("en", "You are connected to Xero"), ("fr", "Vous êtes connecté à Xero")],
)
def test_genuine_answer_returns_code_with_translated_page(ports, language, headline):
    receiver = LoopbackReceiver(ports, STATE, language=language, timeout_s=10)
    assert receiver.port == ports[0]
    assert receiver.redirect_uri == f"http://localhost:{ports[0]}/callback"
    waiter = Waiter(receiver)
    waiter.start()
    status, body = get(receiver.port, callback(code="the-code", state=STATE, scope="openid"))
    waiter.join(5)
    assert status == 200 and headline in body
    assert waiter.error is None and waiter.result == "the-code"
    assert is_closed(receiver.port)  # closed in finally


def test_only_get_callback_is_served(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    assert get(receiver.port, "/favicon.ico")[0] == 404
    assert get(receiver.port, "/")[0] == 404
    assert get(receiver.port, "/callbackx?" + urlencode({"code": "x", "state": STATE}))[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    conn.request(
        "POST",
        callback(code="x", state=STATE),
        body="",
        headers={"Host": f"localhost:{receiver.port}"},
    )
    assert conn.getresponse().status == 501
    conn.close()
    assert waiter.is_alive()
    assert get(receiver.port, callback(code="good", state=STATE))[0] == 200
    waiter.join(5)
    assert waiter.result == "good"


def test_mismatched_state_is_never_accepted_and_does_not_end_the_wait(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    strays = [
        callback(code="forged", state="another-state"),
        callback(code="forged"),  # no state at all
        "/callback?" + urlencode([("code", "forged"), ("state", STATE), ("state", STATE)]),
        callback(code="forged", state=STATE[:-1]),  # a prefix
        callback(error="access_denied", state="old-attempt"),  # a stray cannot cancel
        callback(error="server_error", state=""),  # nor fail the sign-in
    ]
    for path in strays:
        status, body = get(receiver.port, path)
        assert status == 400
        assert "ignored" in body and "forged" not in body
    time.sleep(0.2)
    assert waiter.is_alive() and receiver.stray_requests == len(strays)
    assert get(receiver.port, callback(code="genuine", state=STATE))[0] == 200
    waiter.join(5)
    assert waiter.error is None and waiter.result == "genuine"


def test_state_mismatch_page_is_translated(ports):
    with LoopbackReceiver(ports, STATE, language="fr", timeout_s=10) as receiver:
        waiter = Waiter(receiver)
        waiter.start()
        status, body = get(receiver.port, callback(code="c", state="nope"))
        assert status == 400
        assert '<html lang="fr">' in body
        assert tr(STATE_MISMATCH_MESSAGE, "fr").split(" (")[0] in body.replace("&#x27;", "'")
        assert tr(STATE_MISMATCH_MESSAGE, "fr") != STATE_MISMATCH_MESSAGE
        get(receiver.port, callback(code="c", state=STATE))
        waiter.join(5)


def test_foreign_host_header_is_refused(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    status, _ = get(
        receiver.port, callback(code="c", state=STATE), host=f"evil.example:{receiver.port}"
    )
    assert status == 400 and waiter.is_alive()
    status, _ = get(
        receiver.port, callback(code="c", state=STATE), host=f"127.0.0.1:{receiver.port}"
    )
    waiter.join(5)
    assert status == 200 and waiter.result == "c"


def test_access_denied_is_a_cancellation(ports):
    receiver = LoopbackReceiver(ports, STATE, language="fr", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    status, body = get(receiver.port, callback(error="access_denied", state=STATE))
    waiter.join(5)
    assert isinstance(waiter.error, SignInCancelled)
    assert status == 200 and "La connexion à Xero n’a pas abouti" in body
    assert is_closed(receiver.port)


def test_other_error_fails_with_a_sanitised_reason(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    _, body = get(receiver.port, callback(error="invalid_scope<script>", state=STATE))
    waiter.join(5)
    assert isinstance(waiter.error, SignInFailed)
    assert "invalid_scopescript" in waiter.error.user_message("en")
    assert "<script>" not in body


def test_answer_without_code_fails(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    get(receiver.port, callback(state=STATE))
    waiter.join(5)
    assert isinstance(waiter.error, SignInFailed)


def test_port_taken_moves_to_the_next_registered_port(ports):
    blocker = occupy(ports[0])
    try:
        with LoopbackReceiver(ports, STATE, language="en", timeout_s=10) as receiver:
            assert receiver.port == ports[1]
            assert receiver.redirect_uri == f"http://localhost:{ports[1]}/callback"
    finally:
        blocker.close()


def test_all_ports_taken_is_a_clear_error(ports):
    blockers = [occupy(p) for p in ports]
    try:
        with pytest.raises(SignInPortsBusy) as info:
            LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    finally:
        for b in blockers:
            b.close()
    assert isinstance(info.value, SignInFailed)
    listed = ", ".join(str(p) for p in ports)
    assert listed in info.value.user_message(
        "en"
    ) and "used by other programs" in info.value.user_message("en")
    assert listed in info.value.user_message(
        "fr"
    ) and "utilisés par d’autres programmes" in info.value.user_message("fr")


def test_times_out(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(SignInTimedOut):
        receiver.wait()
    assert time.monotonic() - started < 2
    assert is_closed(receiver.port)


def test_cancel_from_another_thread(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=30)
    cancel = threading.Event()
    waiter = Waiter(receiver, cancel)
    waiter.start()
    time.sleep(0.15)
    started = time.monotonic()
    cancel.set()
    waiter.join(5)
    assert time.monotonic() - started < 1
    assert isinstance(waiter.error, SignInCancelled)
    assert is_closed(receiver.port)


def test_an_idle_browser_preconnection_does_not_block_the_answer(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    idle = socket.create_connection(("127.0.0.1", receiver.port))  # sends nothing
    try:
        started = time.monotonic()
        assert get(receiver.port, callback(code="c", state=STATE))[0] == 200
        waiter.join(5)
        assert waiter.result == "c" and time.monotonic() - started < 2
    finally:
        idle.close()


def test_one_shot_and_closed_without_wait(ports):
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=0.1)
    with pytest.raises(SignInTimedOut):
        receiver.wait()
    with pytest.raises(RuntimeError):
        receiver.wait()
    with LoopbackReceiver(ports, STATE, language="en") as other:
        port = other.port
    assert is_closed(port)


def test_neither_code_nor_state_is_logged(ports, caplog):
    caplog.set_level(logging.DEBUG)
    receiver = LoopbackReceiver(ports, STATE, language="en", timeout_s=10)
    waiter = Waiter(receiver)
    waiter.start()
    get(receiver.port, callback(code="forged-code-value", state="forged-state-value"))
    get(receiver.port, callback(code="secret-code-value", state=STATE))
    waiter.join(5)
    assert waiter.result == "secret-code-value"
    text = caplog.text
    for secret in (
        "secret-code-value",
        "forged-code-value",
        STATE,
        "forged-state-value",
        "/callback?",
    ):
        assert secret not in text
