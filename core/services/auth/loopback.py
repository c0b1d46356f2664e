"""One-shot HTTP server on 127.0.0.1 that receives Xero's answer to the browser sign-in.

Modelled on msal's ``authcode.py`` and google-auth-oauthlib's ``run_local_server``:

* it binds ``127.0.0.1`` only, on the first free port of the registered list (Xero matches
  the redirect URI exactly, port included, so only registered ports may be used); a port
  whose IPv6 loopback (``::1``) is held by another program is skipped too, because browsers
  may send ``localhost`` there first;
* ``redirect_uri`` is exactly the registered string ``http://localhost:<port>/callback``;
* only ``GET /callback`` is served (anything else: 404), with a ``Host`` of ``localhost`` or
  ``127.0.0.1`` on our port (a DNS-rebinding page gets 400);
* ``state`` is checked before anything else, in constant time. **A callback whose state is
  missing, duplicated or different is never accepted, and never ends the wait**: it gets an
  error page and the receiver keeps waiting for the real answer. An old tab, a bookmark, a
  browser prefetch or a hostile page can therefore neither complete nor kill the sign-in the
  user is doing; only the genuine answer (right state) ends it, or the timeout, or Cancel;
* with the right state: ``error=access_denied`` -> :class:`SignInCancelled`, another
  ``error`` -> :class:`SignInFailed`, a ``code`` -> returned by :meth:`LoopbackReceiver.wait`;
* :meth:`LoopbackReceiver.wait` gives up after ``timeout_s`` (:class:`SignInTimedOut`) and
  can be cancelled from another thread through a :class:`threading.Event` (the wizard's
  Cancel button) -> :class:`SignInCancelled`; the server is closed in ``finally``;
* nothing logs the code, the state or the request line (the stdlib handler would).
"""

from __future__ import annotations

import errno
import html
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Sequence
from functools import cache
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from string import Template
from typing import Any
from urllib.parse import parse_qs, urlsplit

from core.errors import (
    BridgeError,
    SignInCancelled,
    SignInFailed,
    SignInPortsBusy,
    SignInTimedOut,
)
from core.i18n import SUPPORTED, current_language, tr
from core.resources import resource
from core.store.settings import LOOPBACK_CALLBACK_PATH, loopback_redirect_uri

log = logging.getLogger(__name__)

PAGES_DIR = resource("oauth")

# How often wait() looks at the cancel event and the deadline.
_POLL_S = 0.05
# An idle connection (browsers pre-connect speculatively) may hold a handler thread this long.
_CONNECTION_TIMEOUT_S = 10.0

STATE_MISMATCH_MESSAGE = (
    "This answer from Xero does not belong to the sign-in the app is waiting for (it may come "
    "from an older attempt), so it was ignored. Go back to the app: if it is still waiting, "
    "finish signing in from the browser tab it opened, or start signing in again: "
    '"Connect to Xero" in the app\'s window, or connect-xero on the command line.'
)


# --------------------------------------------------------------------------- pages
@cache
def _template(kind: str, language: str) -> Template:
    lang = language if language in SUPPORTED else "en"
    path = PAGES_DIR / f"{kind}.{lang}.html"
    if not path.exists():
        path = PAGES_DIR / f"{kind}.en.html"
    return Template(path.read_text(encoding="utf-8"))


def render_page(kind: str, language: str, message: str = "") -> bytes:
    """The success page, or the error page carrying ``message`` (escaped)."""
    return (
        _template(kind, language)
        .safe_substitute(message=html.escape(message, quote=True))
        .encode("utf-8")
    )


# --------------------------------------------------------------------------- server
def _port_in_use(exc: OSError) -> bool:
    # EACCES/WSAEACCES: Windows answers so for ports it reserves (Hyper-V excluded ranges).
    return exc.errno in (
        errno.EADDRINUSE,
        errno.EACCES,
        getattr(errno, "WSAEADDRINUSE", -1),
        getattr(errno, "WSAEACCES", -1),
    )


def _ipv6_loopback_taken(port: int) -> bool:
    """True when another program listens on [::1]:port (where a browser may send localhost)."""
    if not socket.has_ipv6:
        return False
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        if os.name != "nt":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT
        probe.bind(("::1", port))
    except OSError as exc:
        return _port_in_use(exc)
    finally:
        probe.close()
    return False


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    # POSIX: SO_REUSEADDR only lets us reuse a port left in TIME_WAIT by an earlier sign-in;
    # it never lets us bind over a listening socket. Windows: it would allow port stealing,
    # so there we ask for exclusive use instead.
    allow_reuse_address = os.name != "nt"
    request_queue_size = 16

    def __init__(self, port: int, receiver: LoopbackReceiver) -> None:
        self.receiver = receiver
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        if os.name == "nt" and hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        elif self.allow_reuse_address:  # TCPServer.server_bind would do this; we replace it
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # HTTPServer.server_bind would call socket.getfqdn(), which can hang on a bad resolver.
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name = "localhost"
        self.server_port = self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; a broken browser connection is not news.
        log.debug("Sign-in callback connection failed", exc_info=False)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = _CONNECTION_TIMEOUT_S
    protocol_version = "HTTP/1.0"
    server_version = "XeroQBTimeBridge"
    sys_version = ""

    def do_GET(self) -> None:  # the stdlib handler calls do_<METHOD>
        self.server.receiver._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds the code and the state: never log it.
        return

    def send_body(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Pragma", "no-cache")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; "
            "frame-ancestors 'none'",
        )
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values and len(values) == 1 else None


_SAFE_ERROR = re.compile(r"[^A-Za-z0-9_.\- ]")


class LoopbackReceiver:
    """Receives one OAuth callback on ``http://localhost:<port>/callback``.

    The server is bound at construction (so :attr:`redirect_uri` is known before the browser
    opens) and closed when :meth:`wait` returns or raises, or by :meth:`close`. Use it as a
    context manager so that an exception before :meth:`wait` still closes it.
    """

    def __init__(
        self,
        ports: Sequence[int],
        expected_state: str,
        *,
        language: str | None = None,
        timeout_s: float = 300.0,
    ) -> None:
        if not expected_state:
            raise ValueError("expected_state must be a non-empty random string")
        self._expected_state = expected_state.encode("utf-8")
        self.language = language or current_language()
        self.timeout_s = timeout_s
        self.ports = tuple(ports)
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._outcome: str | BridgeError | None = None
        self._used = False
        self._closed = False
        self.stray_requests = 0  # callbacks refused for a wrong state (diagnostics, tests)
        self._server = self._bind_first_free(self.ports)
        self.port: int = self._server.server_port

    # ------------------------------------------------------------------ binding
    def _bind_first_free(self, ports: tuple[int, ...]) -> _Server:
        if not ports:
            raise ValueError("at least one registered redirect port is needed")
        for port in ports:
            if _ipv6_loopback_taken(port):
                log.info("Sign-in port %d is used by another program (IPv6); trying the next", port)
                continue
            try:
                server = _Server(port, self)
            except OSError as exc:
                if _port_in_use(exc):
                    log.info("Sign-in port %d is used by another program; trying the next", port)
                    continue
                raise SignInFailed(
                    reason=f"cannot listen on 127.0.0.1:{port} ({exc.strerror})"
                ) from exc
            log.info("Waiting for Xero's answer on 127.0.0.1:%d", port)
            return server
        raise SignInPortsBusy(ports=", ".join(str(p) for p in ports))

    @property
    def redirect_uri(self) -> str:
        """Exactly the string registered with Xero for this port."""
        return loopback_redirect_uri(self.port)

    # ------------------------------------------------------------------ requests
    def _handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        if url.path != LOOPBACK_CALLBACK_PATH:
            handler.send_body(404, b"Not found\n", "text/plain; charset=utf-8")
            return
        host = (handler.headers.get("Host") or "").strip().lower()
        if host not in (f"localhost:{self.port}", f"127.0.0.1:{self.port}"):
            handler.send_body(400, b"Bad request\n", "text/plain; charset=utf-8")
            return
        params = parse_qs(url.query, keep_blank_values=True)
        # The state first, before reading anything else of the answer.
        state = _single(params, "state")
        if state is None or not secrets.compare_digest(state.encode("utf-8"), self._expected_state):
            with self._lock:
                self.stray_requests += 1
            log.warning(
                "Ignored a sign-in answer that does not belong to this attempt "
                "(wrong or missing state); still waiting"
            )
            handler.send_body(
                400,
                render_page("error", self.language, tr(STATE_MISMATCH_MESSAGE, self.language)),
                "text/html; charset=utf-8",
            )
            return

        with self._lock:
            if self._outcome is not None:
                outcome = self._outcome  # a reload of the answer page: same page again
                fresh = False
            else:
                outcome = self._decide(params)
                self._outcome = outcome
                fresh = True
        try:
            if isinstance(outcome, BridgeError):
                body = render_page("error", self.language, outcome.user_message(self.language))
                handler.send_body(200, body, "text/html; charset=utf-8")
            else:
                handler.send_body(
                    200, render_page("success", self.language), "text/html; charset=utf-8"
                )
        finally:
            if fresh:
                self._done.set()

    @staticmethod
    def _decide(params: dict[str, list[str]]) -> str | BridgeError:
        error = _single(params, "error")
        if "error" in params:
            if error == "access_denied":
                log.info("Xero sign-in was denied in the browser")
                return SignInCancelled()
            reason = _SAFE_ERROR.sub("", error or "")[:80] or "unknown error"
            log.warning("Xero answered the sign-in with an error: %s", reason)
            return SignInFailed(reason=reason)
        code = _single(params, "code")
        if not code:
            log.warning("Xero's sign-in answer had no authorization code")
            return SignInFailed(reason="no authorization code in Xero's answer")
        log.info("Received Xero's sign-in answer")
        return code

    # ------------------------------------------------------------------ waiting
    def wait(self, cancel_event: threading.Event | None = None) -> str:
        """Serve until the genuine answer arrives; return the authorization code.

        Raises SignInCancelled (denied in the browser, or ``cancel_event`` set),
        SignInFailed (Xero answered with an error) or SignInTimedOut (``timeout_s`` passed).
        """
        if self._used or self._closed:
            raise RuntimeError("a LoopbackReceiver serves one sign-in only")
        self._used = True
        deadline = time.monotonic() + self.timeout_s
        try:
            while not self._done.is_set():
                if cancel_event is not None and cancel_event.is_set():
                    log.info("Sign-in cancelled while waiting for Xero's answer")
                    raise SignInCancelled()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.info("Gave up waiting for Xero's answer after %.0f s", self.timeout_s)
                    raise SignInTimedOut()
                self._server.timeout = min(_POLL_S, remaining)
                self._server.handle_request()
        finally:
            self.close()
        outcome = self._outcome
        if isinstance(outcome, BridgeError):
            raise outcome
        assert outcome is not None
        return outcome

    def close(self) -> None:
        """Stop listening (idempotent). Pages being written to a browser still complete."""
        if self._closed:
            return
        self._closed = True
        self._server.server_close()

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
