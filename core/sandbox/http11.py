"""The simulators' HTTP server: HTTP/1.1 with persistent connections, as Xero's and QuickBooks
Time's own servers answer.

werkzeug's development server answers every request with ``Connection: close`` (its handler
cannot tell where a request's body ends, so it reads the socket dry after each answer), so
against the Demo Company our client paid a TCP connect per call that real use does not pay,
and the code that reuses a connection was never exercised. Here each request's body is read
to its ``Content-Length`` (the part the application left unread is read and dropped), every
answer carries a ``Content-Length`` (counted when the application gave none, errors
included), and the connection stays open for the next request unless the client asked to
close it, the request's body length was not known, or the answer could not be sent whole.
Answers are sent without waiting (TCP_NODELAY), as servers that keep connections alive do.

Connection faults (core.sandbox.common.FaultMiddleware: a reset, a lost or cut answer) still
shut the socket down: the client sees a broken connection, never a next answer on it.

An idle connection is closed after :data:`IDLE_TIMEOUT_S`; :meth:`KeepAliveServer.close_connections`
closes every open one (the simulators' ``stop``), so a stopped server never answers again on a
connection a client kept, and a handler waiting for a next request ends at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import InternalServerError
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

#: seconds a persistent connection may wait for its next request before the server closes it
IDLE_TIMEOUT_S = 60.0
#: an unread request body longer than this is not read and dropped: the connection is closed
DRAIN_LIMIT = 1 << 20

WSGIApp = Callable[..., Iterable[bytes]]


class KeepAliveHandler(WSGIRequestHandler):
    """One connection: requests answered one after another on it (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S
    server: KeepAliveServer

    def setup(self) -> None:
        super().setup()
        # An answer goes out as its head then its body: with Nagle's algorithm the body waits
        # for the client's delayed ACK of the head on a reused connection (~40 ms a call).
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.closed(self.connection)

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out"):
            return  # an idle keep-alive connection closed: not an error
        super().log_error(format, *args)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body: LimitedStream | None = None
        if "wsgi.input_terminated" in environ:  # a chunked body: its end is not tracked here
            self.close_connection = True
        else:
            try:
                length = max(0, int(self.headers.get("Content-Length") or 0))
            except ValueError:
                length, self.close_connection = 0, True
            body = LimitedStream(self.rfile, length)  # type: ignore[arg-type]
            environ["wsgi.input"] = body
            environ["wsgi.input_terminated"] = True
        try:
            self._answer(self.server.app, environ)
        except (ConnectionError, TimeoutError) as exc:
            self.close_connection = True
            self.connection_dropped(exc, environ)
            return
        if self.close_connection or body is None:
            return
        # The next request starts after this one's body: drop what the application left.
        if body.limit - body._pos > DRAIN_LIMIT:
            self.close_connection = True
            return
        try:
            body.exhaust()
        except Exception:  # the client went away mid-body (werkzeug's ClientDisconnected)
            self.close_connection = True

    def _answer(self, app: WSGIApp, environ: dict[str, Any]) -> None:
        state: dict[str, Any] = {"status": None, "headers": None, "sent": False, "length": None}
        written = 0

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            if exc_info and state["sent"]:
                raise exc_info[1].with_traceback(exc_info[2])
            state["status"], state["headers"] = status, list(headers)
            return write

        def send_head(length: int | None) -> None:
            status: str = state["status"]
            code_text, _, message = status.partition(" ")
            code = int(code_text)
            headers: list[tuple[str, str]] = state["headers"]
            given = [v for k, v in headers if k.lower() == "content-length"]
            if given:
                state["length"] = int(given[0])
            elif not (environ["REQUEST_METHOD"] == "HEAD" or code < 200 or code in (204, 304)):
                headers.append(("Content-Length", str(length or 0)))
                state["length"] = length or 0
            if environ["REQUEST_METHOD"] == "HEAD" or code < 200 or code in (204, 304):
                state["length"] = None  # no body follows
            self.send_response(code, message)
            for key, value in headers:
                if key.lower() == "connection":
                    continue
                self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            state["sent"] = True

        def write(data: bytes) -> None:
            nonlocal written
            if not state["sent"]:
                send_head(len(data))
            if data and state["length"] is not None:
                self.wfile.write(data)
                written += len(data)

        try:
            result = app(environ, start_response)
            try:
                chunks = iter(result)
                first = next(chunks, None)
                if first is not None and not state["sent"] and state["status"] is not None:
                    known = any(k.lower() == "content-length" for k, _ in state["headers"])
                    if not known:  # the whole answer, to say its length
                        first = b"".join([first, *chunks])
                if first is not None:
                    write(first)
                for chunk in chunks:
                    write(chunk)
                if not state["sent"] and state["status"] is not None:
                    write(b"")
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except (ConnectionError, TimeoutError):
            raise
        except Exception as exc:
            self.close_connection = True
            if self.server.passthrough_errors:
                raise
            self.server.log("error", "Error on request %s %s: %r", self.command, self.path, exc)
            if not state["sent"]:
                state.update(status=None, headers=None)
                with contextlib.suppress(OSError):
                    self._answer(InternalServerError(), environ)
            return
        if state["status"] is None or not state["sent"]:
            self.close_connection = True  # no answer (a fault dropped the connection)
            return
        if state["length"] is not None and written != state["length"]:
            self.close_connection = True  # an answer cut short: the connection is spent
        with contextlib.suppress(OSError):
            self.wfile.flush()


class KeepAliveServer(ThreadedWSGIServer):
    """A threaded server that knows its open connections (to close them at stop) and counts
    those it accepted."""

    daemon_threads = True

    def __init__(self, host: str, port: int, app: WSGIApp) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        #: connections accepted since the server started
        self.accepted = 0
        super().__init__(host, port, app, handler=KeepAliveHandler)

    def opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.add(conn)
            self.accepted += 1

    def closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)

    def close_connections(self) -> None:
        """Shut down every open connection: a handler waiting on one ends, a client that
        kept one sees it closed."""
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
