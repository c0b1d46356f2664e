"""Shared pieces of the Demo Company simulators: clock, company state, faults, server thread.

Everything here is plain Python + werkzeug. The simulators must be as strict as the real
services: anything more lenient hides bugs our users would hit.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request, Response

log = logging.getLogger(__name__)

COMPANY_FILE = "company.json"  # the company file, its "qbtime" part left out
QBTIME_STATE_FILE = "qbtime.json"  # the "qbtime" part, written on every QB Time write
SANDBOX_STATE_FILE = "sandbox-state.json"
#: a large QuickBooks Time part is saved whole now and then; each write between is appended
#: here (one JSON line per write request, fsynced before the answer) and replayed at start
QBTIME_JOURNAL_FILE = "qbtime.journal"
#: rows (all QuickBooks Time lists together) from which writes go to the journal: below it,
#: each write rewrites ``qbtime.json`` (what the Demo Company and most tests see)
JOURNAL_MIN_ROWS = 5_000
#: journal lines after which the QuickBooks Time part is saved whole again
JOURNAL_COMPACT_EVERY = 500
#: what CompanyStore.save() can write
STATE_PARTS = ("xero", "qbtime", "private")


# --------------------------------------------------------------------------- demo dates
#: The last day of the Demo Company's hours as the company file holds them: the end of the
#: later AU week (2026-11-23..29) and of the later UK fortnight (2026-11-16..29).
DEMO_HOURS_END = date(2026, 11, 29)
#: Shifts keep weekdays and both pay cycles (weekly, fortnightly) in step.
DEMO_SHIFT_STEP = 14
#: "Today" is read in the easternmost payroll organisation's zone: a day there has begun
#: before it has anywhere else in the demo, so no organisation sees a period end early.
DEMO_TODAY_ZONE = "Australia/Sydney"


def demo_today(ts: float) -> date:
    """The calendar date of ``ts`` (a clock reading) as :func:`demo_shift_days` reads it."""
    return datetime.fromtimestamp(ts, ZoneInfo(DEMO_TODAY_ZONE)).date()


def demo_shift_days(today: date | float) -> int:
    """Days (a whole number of 14-day steps, maybe negative or 0) to add to every date of the
    Demo Company's hours so that the last pay period that has ended by ``today`` holds hours,
    in the weekly AU calendar and in the fortnightly UK one.

    ``today`` is a date or a clock reading (see :func:`demo_today`). With ``E`` the shifted
    :data:`DEMO_HOURS_END`, the answer puts today in ``E-6 .. E+7``: from the day after ``E``
    to a week later, the later periods (AU 11-23..29, UK 11-16..29) are the last that ended;
    in the week up to ``E`` (today inside the later AU week), the earlier ones are (AU
    11-16..22, UK 11-02..15). A pure 14-day step cannot keep the later AU week the last ended
    one for all 14 days of a step, and this keeps hours in the default period on every day.
    """
    if isinstance(today, datetime):
        today = today.date()
    elif not isinstance(today, date):
        today = demo_today(float(today))
    days = (today - DEMO_HOURS_END).days
    return DEMO_SHIFT_STEP * ((days + 6) // DEMO_SHIFT_STEP)


# --------------------------------------------------------------------------- clock
class Clock:
    """Wall clock. Simulators read time only through a clock so tests can move it."""

    def now(self) -> float:
        return time.time()


class ManualClock(Clock):
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


# --------------------------------------------------------------------------- dates
def ms_date(ts: float) -> str:
    """Xero's MS-JSON date: ``/Date(1503348544227+0000)/``."""
    return f"/Date({round(ts * 1000)}+0000)/"


def parse_ms_date(value: str) -> float:
    """Inverse of :func:`ms_date` (offset ignored: Xero sends UTC milliseconds)."""
    inner = value.strip().removeprefix("/Date(").removesuffix(")/")
    for sep in ("+", "-"):
        if sep in inner[1:]:
            inner = inner[: inner.index(sep, 1)]
            break
    return int(inner) / 1000.0


def iso_utc(ts: float, *, fraction: bool = False) -> str:
    """``2020-08-24T20:16:14`` (Xero payroll 2.0 style, no zone)."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f" if fraction else "%Y-%m-%dT%H:%M:%S")


def iso_offset(ts: float) -> str:
    """``2018-03-28T17:24:20+00:00`` (QuickBooks Time style)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_http_date_or_iso(value: str) -> float | None:
    """Parse an ``If-Modified-Since`` value: RFC 1123 or ISO 8601. None when unreadable."""
    from email.utils import parsedate_to_datetime

    value = value.strip()
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


# --------------------------------------------------------------------------- state
def atomic_write_json(path: Path, data: Any) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(_json_chunks(data))
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_SMALL = 32  # containers up to this many entries are encoded in one call


def _is_large(value: Any) -> bool:
    return isinstance(value, dict | list) and len(value) > _SMALL


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` so that a crash leaves either the old file or the new one."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _json_chunks(value: Any) -> Iterator[str]:
    """Compact JSON of ``value`` in pieces, each made by the C encoder (json.dump would
    stream through the pure-Python one, 3-4x slower). Large lists and objects are split
    per entry: one C call holds the interpreter lock for its whole run, and in the Demo
    Company the simulators share the process with the wizard, whose window must not
    wait ~50 ms for every QuickBooks Time write's save."""
    if isinstance(value, dict) and (
        len(value) > _SMALL or any(_is_large(v) for v in value.values())
    ):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(str(key), ensure_ascii=False) + ":"
            yield from _json_chunks(item)
        yield "}"
    elif isinstance(value, list) and (len(value) > _SMALL or any(_is_large(v) for v in value)):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _json_chunks(item)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class CompanyStore:
    """The Demo Company's data for both services, in the company-file format.

    ``data`` is ``{"xero": {"organisations": [...]}, "qbtime": {...}}``, every object exactly
    as the real API's GET returns it. Simulators mutate it under :attr:`lock` and call
    :meth:`save`, which rewrites the parts they changed atomically: ``qbtime.json`` (the
    "qbtime" part: every QuickBooks Time write rewrites only it), ``company.json`` (the
    rest). Private simulator state (hashed tokens, issued codes, connections) lives beside
    them in ``sandbox-state.json`` and never holds a token in clear.

    A large QuickBooks Time part (:data:`JOURNAL_MIN_ROWS`) is not rewritten on every write:
    the simulator appends the write request to ``qbtime.journal`` (:meth:`append_journal`,
    fsynced before it answers) and saves the part whole every
    :data:`JOURNAL_COMPACT_EVERY` writes. The journal names the save it follows (its first
    line holds the ``journal_base`` that save wrote): a journal left behind by a crash
    between a save and the journal's reset names an older save and is ignored, so a write is
    never applied twice. At start the simulator replays :attr:`pending_journal`.
    """

    journal_min_rows = JOURNAL_MIN_ROWS
    journal_compact_every = JOURNAL_COMPACT_EVERY

    def __init__(
        self,
        data: dict[str, Any],
        state_dir: Path | None = None,
        private: dict[str, Any] | None = None,
    ) -> None:
        self.data = data
        self.private: dict[str, Any] = private or {}
        self.state_dir = state_dir
        self.lock = threading.RLock()
        #: the journal's write requests not yet in ``data`` (replayed by the simulator)
        self.pending_journal: list[dict[str, Any]] = []
        #: how many times :meth:`save` ran: a simulator that did not make the last save knows
        #: the data was changed by someone else (a test, a tool) and reads it afresh
        self.saves = 0
        self._journal: Any = None  # the open journal file
        #: the parts saved while writes are held (load(hold_writes=True)); None: not held
        self._held: set[str] | None = None
        self._journal_lines = 0
        #: what keeps a part of :attr:`private` outside it between saves, so that a change
        #: made on every request costs no write of its own (the Xero simulator's day counts):
        #: :meth:`save` calls each, under :attr:`lock`, to put its part in :attr:`private`; it
        #: returns whether that part changed since, and the private state is then written too
        self.private_sources: list[Callable[[], bool]] = []

    @classmethod
    def load(
        cls,
        data_file: Path | str | None,
        state_dir: Path | str | None,
        *,
        hold_writes: bool = False,
    ) -> CompanyStore:
        """State dir wins when it already holds a company (the Demo Company remembers).

        The company (file or state) is read and its shape checked before anything is
        written: a file that cannot be used raises :class:`core.errors.CompanyFileInvalid`, a
        saved state that cannot be read :class:`core.errors.DemoStateInvalid`, and the state
        folder is left as it was. ``hold_writes``: the store keeps what it would save until
        :meth:`release_writes` (the simulators are built over it first: see Sandbox.open)."""
        from core.company_file import Refused, read_json_file, validate_company, validate_object
        from core.errors import CompanyFileInvalid, DemoStateFolderUnusable, DemoStateInvalid
        from core.files import not_a_folder

        sdir = Path(state_dir) if state_dir else None
        unusable = not_a_folder(sdir) if sdir else None
        if sdir and unusable:
            reason, params = unusable
            raise DemoStateFolderUnusable(
                str(reason), folder=str(sdir.absolute()), reason=reason, **params
            )
        private: dict[str, Any] = {}
        if sdir and (sdir / COMPANY_FILE).exists():
            name = COMPANY_FILE
            try:
                data = read_json_file(sdir / name, limited=False)
                validate_company(data)
                if (sdir / QBTIME_STATE_FILE).exists():  # (a state dir from before: all in one)
                    name = QBTIME_STATE_FILE
                    qbtime = read_json_file(sdir / name, limited=False)
                    validate_company({"qbtime": qbtime})
                    data["qbtime"] = qbtime
                if (sdir / SANDBOX_STATE_FILE).exists():
                    name = SANDBOX_STATE_FILE
                    private = read_json_file(sdir / name, limited=False)
                    validate_object(private)
            except Refused as exc:
                raise DemoStateInvalid(
                    str(exc), folder=str(sdir), file=name, reason=exc.reason, **exc.params
                ) from None
        elif data_file:
            try:
                data = read_json_file(Path(data_file))
                validate_company(data)
            except Refused as exc:
                raise CompanyFileInvalid(
                    str(exc), path=str(Path(data_file).absolute()), reason=exc.reason, **exc.params
                ) from None
        else:
            raise ValueError("a company file or a state directory holding one is required")
        data.setdefault("xero", {}).setdefault("organisations", [])
        data.setdefault("qbtime", {})
        store = cls(data, sdir, private)
        if hold_writes:
            store._held = set()
        if sdir:
            store.pending_journal = store._read_journal()
            # the QuickBooks Time part is saved again once the simulator has replayed them
            store.save(*(p for p in STATE_PARTS if p != "qbtime" or not store.pending_journal))
        return store

    def release_writes(self) -> None:
        """Write what was saved while writes were held (see :meth:`load`), and write from now on."""
        held, self._held = self._held, None
        if held:
            self.save(*(p for p in STATE_PARTS if p in held))

    @classmethod
    def from_dict(cls, data: dict[str, Any], state_dir: Path | str | None = None) -> CompanyStore:
        store = cls(copy.deepcopy(data), Path(state_dir) if state_dir else None)
        store.data.setdefault("xero", {}).setdefault("organisations", [])
        store.data.setdefault("qbtime", {})
        if store.state_dir:
            store.save()
        return store

    # -- access helpers
    @property
    def xero_orgs(self) -> list[dict[str, Any]]:
        return self.data["xero"]["organisations"]

    def xero_org(self, tenant_id: str) -> dict[str, Any] | None:
        for org in self.xero_orgs:
            if org.get("tenantId") == tenant_id:
                return org
        return None

    @property
    def qbtime(self) -> dict[str, Any]:
        return self.data["qbtime"]

    def save(self, *parts: str) -> None:
        """Write ``parts`` (of :data:`STATE_PARTS`; all when none is named) to the state dir."""
        self.saves += 1
        if not self.state_dir:
            return
        wanted = set(parts or STATE_PARTS)
        if not wanted <= set(STATE_PARTS):
            raise ValueError(f"unknown state part(s): {sorted(wanted - set(STATE_PARTS))}")
        with self.lock:
            if any([source() for source in self.private_sources]):  # (each one is run)
                wanted.add("private")
        if self._held is not None:
            self._held |= wanted
            return
        with self.lock:
            if "xero" in wanted:
                atomic_write_json(
                    self.state_dir / COMPANY_FILE,
                    {k: v for k, v in self.data.items() if k != "qbtime"},
                )
            if "qbtime" in wanted:
                self._save_qbtime()
            if "private" in wanted:
                atomic_write_json(self.state_dir / SANDBOX_STATE_FILE, self.private)

    # -- the QuickBooks Time journal
    def journaling(self) -> bool:
        """True when QuickBooks Time writes go to the journal (a large part, a state dir)."""
        qb = self.data.get("qbtime")
        if self.state_dir is None or not isinstance(qb, dict):
            return False
        rows = sum(len(v) for v in qb.values() if isinstance(v, list))
        return rows >= self.journal_min_rows

    def _save_qbtime(self) -> None:
        assert self.state_dir is not None
        qb = self.data["qbtime"]
        journal = self.state_dir / QBTIME_JOURNAL_FILE
        self._close_journal()
        if not self.journaling():
            qb.pop("journal_base", None)
            atomic_write_json(self.state_dir / QBTIME_STATE_FILE, qb)
            if journal.exists():
                journal.unlink()
            return
        # The save first (a new base), then a journal naming it: a crash between the two
        # leaves a journal naming the older save, which load() ignores.
        qb["journal_base"] = uuid.uuid4().hex
        atomic_write_json(self.state_dir / QBTIME_STATE_FILE, qb)
        atomic_write_text(journal, json.dumps({"base": qb["journal_base"]}) + "\n")
        self._journal_lines = 0

    def append_journal(self, entry: dict[str, Any]) -> None:
        """Add one write request to the journal (on disk before this returns); every
        :attr:`journal_compact_every` lines the QuickBooks Time part is saved whole."""
        assert self.state_dir is not None
        with self.lock:
            if self._journal is None:
                path = self.state_dir / QBTIME_JOURNAL_FILE
                if self.data["qbtime"].get("journal_base") is None or not path.exists():
                    self._save_qbtime()  # (the write is in the data: saved with it)
                    return
                self._journal = open(path, "a", encoding="utf-8")
            self._journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._journal.flush()
            os.fsync(self._journal.fileno())
            self._journal_lines += 1
            if self._journal_lines >= self.journal_compact_every:
                self._save_qbtime()

    def _close_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _read_journal(self) -> list[dict[str, Any]]:
        """The write requests of a journal that follows the saved QuickBooks Time part (a
        last line cut short by a crash was never answered: it is left out)."""
        assert self.state_dir is not None
        path = self.state_dir / QBTIME_JOURNAL_FILE
        base = self.data.get("qbtime", {}).get("journal_base")
        if base is None or not path.exists():
            return []
        entries: list[dict[str, Any]] = []
        with open(path, encoding="utf-8") as fh:
            try:
                header = json.loads(fh.readline())
            except ValueError:
                return []
            if not isinstance(header, dict) or header.get("base") != base:
                return []
            for line in fh:
                try:
                    entry = json.loads(line)
                except ValueError:
                    break
                if isinstance(entry, dict):
                    entries.append(entry)
        return entries


# --------------------------------------------------------------------------- faults
FAULT_KINDS = ("429", "500", "503", "reset", "read_timeout", "truncated", "lost_response")


@dataclass
class FaultPlan:
    """Fault injection knobs, reproducible from ``seed``.

    Probabilities apply to every request that reaches a service (0 = never). ``force``
    queues faults for the next matching requests, which tests use to make one exact
    thing happen. ``latency_s`` is added to every request. ``stall_s`` is how long a
    ``read_timeout`` fault keeps the client waiting before closing without an answer.
    """

    seed: int = 0
    p_429: float = 0.0
    p_500: float = 0.0
    p_503: float = 0.0
    p_reset: float = 0.0
    p_read_timeout: float = 0.0
    p_truncated: float = 0.0
    p_lost_response: float = 0.0
    latency_s: float = 0.0
    stall_s: float = 3.0
    _forced: list[tuple[str, str | None, str | None]] = field(default_factory=list, repr=False)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def force(
        self,
        kind: str,
        times: int = 1,
        *,
        path_contains: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next ``times`` requests (matching path/method) suffer ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self._lock:
            for _ in range(times):
                self._forced.append((kind, path_contains, method.upper() if method else None))

    def clear(self) -> None:
        with self._lock:
            self._forced.clear()

    def pick(self, method: str, path: str) -> str | None:
        with self._lock:
            for i, (kind, needle, meth) in enumerate(self._forced):
                if (needle is None or needle in path) and (meth is None or meth == method):
                    del self._forced[i]
                    return kind
            for kind in FAULT_KINDS:
                p = getattr(self, "p_" + kind)
                if p and self._rng.random() < p:
                    return kind
        return None


def _drop_connection(environ: dict[str, Any]) -> None:
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class FaultMiddleware:
    """WSGI middleware applying a :class:`FaultPlan` in front of a simulator.

    ``error_body(status)`` lets each service answer 429/500/503 in its own shape.
    Connection-level faults shut the socket down so the client sees a broken connection,
    exactly as with a real network fault.
    """

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        faults: FaultPlan,
        error_response: Callable[[int], Response],
        exempt: Callable[[str], bool] | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.error_response = error_response
        self.exempt = exempt or (lambda _p: False)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if self.exempt(path):
            return self.app(environ, start_response)
        if self.faults.latency_s:
            time.sleep(self.faults.latency_s)
        kind = self.faults.pick(environ.get("REQUEST_METHOD", "GET"), path)
        if kind is None:
            return self.app(environ, start_response)
        log.debug("fault %s on %s %s", kind, environ.get("REQUEST_METHOD"), path)
        if kind in ("429", "500", "503"):
            return self.error_response(int(kind))(environ, start_response)
        if kind == "reset":
            _drop_connection(environ)
            return []
        if kind == "read_timeout":
            time.sleep(self.faults.stall_s)
            _drop_connection(environ)
            return []
        if kind == "lost_response":
            # The write is applied; the answer never reaches the client.
            body = b"".join(self.app(environ, lambda *a, **k: None))
            del body
            _drop_connection(environ)
            return []
        # truncated: a real answer, cut in the middle, with the full Content-Length promised.
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, capture))
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)

        def cut() -> Iterable[bytes]:
            yield body[: max(1, len(body) // 2)]
            _drop_connection(environ)

        return cut()


# --------------------------------------------------------------------------- responses
def json_response(
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type=content_type,
    )


def read_json(request: Request) -> Any:
    """Body as JSON, or raise ValueError with a reason."""
    raw = request.get_data(cache=True)
    if not raw:
        raise ValueError("empty body")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc.msg}") from exc


# --------------------------------------------------------------------------- server
class SimServer:
    """A threaded server on 127.0.0.1 (port 0 = ephemeral), run in a daemon thread; HTTP/1.1
    with persistent connections, as the real services (core.sandbox.http11)."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], port: int = 0, host: str = "127.0.0.1"
    ) -> None:
        from core.sandbox.http11 import KeepAliveServer

        self._server = KeepAliveServer(host, port, app)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"sim-{self.port}",
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SimServer:
        self._thread.start()
        return self

    @property
    def accepted(self) -> int:
        """TCP connections accepted so far."""
        return self._server.accepted

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()  # kept-alive ones too: nothing answers after stop
        self._thread.join(timeout=5)
