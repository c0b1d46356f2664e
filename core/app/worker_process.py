"""The engine's heavy work in a child process: fetch, match + plan, import.

A fetch, a plan or an import of a large organisation allocates hundreds of thousands of
objects. Run in the window's process, on a worker thread, each full garbage collection over
that heap stops the window too (one interpreter lock). Run here, in a child process, the
window's heap only ever holds what its pages show (the plan's actions, conflicts and skipped
records, the outcome), never the snapshot; the child's collections stop nobody.

The child keeps each plan it makes, by an id (:func:`kept_plan`): the plan reaches the window
in pieces (:data:`PLAN_PIECE` actions a message, each unpickled on its own, so the window's
thread gets the interpreter lock between two), and "Start import" names the plan by its id
instead of sending it back. A plan the child no longer has (it was started again) or whose
inputs changed since (core.engine.snapshots.plan_inputs_fingerprint) is planned again there,
and the page is told with a Planned event: a stale plan is never imported.

The child is ``python -m core.app.worker_process`` (in a frozen build ``APP --run-engine``,
see main.py). It talks to the window's process over its standard input and output: one
length-prefixed pickle per message, nothing else (the child's own prints go to its standard
error). It never receives a secret on its command line or in its environment: it asks the
window's process for each keyring entry it needs over the same pipe (:class:`ParentKeyring`),
so the window's keyring (the computer's, or a test's) stays the only store, and a Xero
sign-in the child refreshes is written there. Its log records are sent back and written by the
window's process (redaction included). It stops when its standard input closes: when the app
ends, even killed.

One call at a time (:meth:`EngineProcess.call`): progress is streamed back as it happens; a
cancel is sent when the caller's ``threading.Event`` is set (the import stops between
batches, as in-process).

Light on purpose at import time (the window imports it on its way to the first page).
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.app.resume import ImportOutcome, Refresh
    from core.app.review_screen import ReviewData
    from core.engine.plan import ImportOptions, ImportPlan
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore
    from core.store.settings import XeroAppSettings

log = logging.getLogger(__name__)

#: The app's hidden first argument that runs the engine (main.py): ``APP --run-engine``.
RUN_ENGINE = "--run-engine"
#: Seconds the child has to stop once its input is closed.
STOP_TIMEOUT_S = 10.0
#: How often a call looks at its cancel event.
CANCEL_POLL_S = 0.05
#: The child's niceness above the window's: when both want a CPU, the window gets it first
#: (its event loop stays responsive while the engine fetches, plans or imports; the engine
#: loses little, the window being mostly idle). On Windows: the below-normal priority class.
ENGINE_NICENESS = 10

_HEADER = struct.Struct(">Q")


class EngineStopped(RuntimeError):
    """The engine's process ended in the middle of a call (killed, crashed)."""


# ============================================================================ the wire
class _Pickler(pickle.Pickler):
    """Exceptions travel by their class and attributes (the default pickling of an
    exception calls ``cls(*args)``, which BridgeError's keyword parameters do not survive)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, BaseException):
            return _exception_reduce(obj)
        if type(obj) is _MSG[0]:
            return _rebuild_msg, (str(obj),)
        fields = _COMPACT.get(type(obj))
        if fields is not None:
            return _rebuild_record, (type(obj), *(getattr(obj, name) for name in fields))
        return NotImplemented


#: the frozen records a plan and a review are made of, by how many (thousands at 10,000
#: contacts): each travels as its field values and is made again by its class, which keeps
#: its fields without a ``__dict__`` object (the default pickling makes one per record:
#: twice the objects the window's garbage collector walks). Filled on first use.
_COMPACT: dict[type, tuple[str, ...]] = {}


def _compact_types() -> None:
    import dataclasses

    from core.engine.matching import Candidate, Conflict
    from core.engine.plan.model import Action, Skipped
    from core.i18n import Msg

    for cls in (Action, Skipped, Conflict, Candidate):
        _COMPACT[cls] = tuple(f.name for f in dataclasses.fields(cls))
    _MSG[0] = Msg


def _rebuild_record(cls: type, *values: Any) -> Any:
    return cls(*values)


#: core.i18n.Msg once known (the messages records carry, kept for translation at display)
_MSG: list[Any] = [None]
#: each message the window received, by its text: a plan's thousands of reasons ("A new
#: customer in Xero", once per action) are a few dozen sentences, one object each here (a
#: Msg has a ``__dict__``: each copy another object for the window's garbage collector)
_MSGS: dict[str, Any] = {}
#: messages kept at most (they are the app's own sentences: a few hundred)
MSGS_KEPT = 5000


def _rebuild_msg(text: str) -> Any:
    msg = _MSGS.get(text)
    if msg is None:
        from core.i18n import Msg

        msg = Msg(text)
        if len(_MSGS) < MSGS_KEPT:
            _MSGS[text] = msg
    return msg


def _exception_reduce(exc: BaseException) -> tuple[Any, ...]:
    state = dict(getattr(exc, "__dict__", {}))
    try:
        pickle.dumps((type(exc), exc.args, state))
    except Exception:  # a foreign exception holding a socket, a response…: its name and text
        return _rebuild_foreign, (type(exc).__name__, str(exc))
    return _rebuild_exception, (type(exc), exc.args, state)


def _rebuild_exception(cls: type[BaseException], args: tuple, state: dict) -> BaseException:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _rebuild_foreign(name: str, text: str) -> BaseException:
    return type(name, (RuntimeError,), {})(text)


def _dumps(obj: Any) -> bytes:
    import io

    if not _COMPACT:
        _compact_types()

    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _write(stream: IO[bytes], obj: Any) -> None:
    data = _dumps(obj)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream: IO[bytes], n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    return pickle.loads(_read_exact(stream, size))  # noqa: S301 - our own child, our own pipe


# ============================================================================ what the child runs
@dataclass(frozen=True)
class EngineSpec:
    """What the child needs to make its own AppContext (no secret in it)."""

    paths: AppPaths
    xero_settings: XeroAppSettings
    qbtime_base: str
    timeout: tuple[float, float]
    log_level: int = logging.INFO


@dataclass
class ImporterView:
    """What the pages read of the importer after a run (the importer itself holds a client,
    its session and locks: it stays in the child)."""

    run: Any
    outcomes: dict[str, dict[str, int]]
    problems: list[tuple[Any, str]]
    failed_refs: set[str]
    plan: Any


#: a progress event Planned(plan) for the very plan the window sent (it keeps its own)
_SAME_PLAN = "same-plan"
#: in an import's answer: the plan the window has (its own, or the last Planned it was sent)
_SHOWN = "shown-plan"
#: actions (or skipped records) per message when a plan travels to the window: each piece is
#: unpickled on its own, so the window's thread gets the interpreter between two pieces
PLAN_PIECE = 200
#: plans a child keeps for the import that follows their preview (the newest ones)
KEEP_PLANS = 4


@dataclass
class _Kept:
    connection_id: int
    options: Any
    #: core.engine.snapshots.plan_inputs_fingerprint when it was made: its inputs since
    fingerprint: str
    plan: Any


#: the plans this child made, by id (what "import plan X" names): the window never sends a
#: plan back, and a plan whose inputs changed since is never imported (planned again)
_KEPT: dict[str, _Kept] = {}
_NEXT_PLAN = [0]


def _fingerprint(conn: Any, options: Any) -> str:
    from core.engine.snapshots import plan_inputs_fingerprint

    return plan_inputs_fingerprint(conn, options.to_dict())


def _keep(connection_id: int, options: Any, fingerprint: str, plan: Any) -> str:
    _NEXT_PLAN[0] += 1
    plan_id = f"{os.getpid()}-{_NEXT_PLAN[0]}"
    _KEPT[plan_id] = _Kept(connection_id, options, fingerprint, plan)
    while len(_KEPT) > KEEP_PLANS:
        del _KEPT[next(iter(_KEPT))]
    return plan_id


def kept_plan(connection_id: int, plan_id: str | None, options: Any) -> Any:
    """The plan ``plan_id`` if this process made it for ``connection_id`` with ``options``
    and nothing it was made from changed since; None otherwise (plan again)."""
    from core.store.models import Connection

    kept = _KEPT.get(plan_id or "")
    if kept is None or kept.connection_id != connection_id:
        return None
    if options is not None and options != kept.options:
        return None
    if _fingerprint(Connection.get_by_id(connection_id), kept.options) != kept.fingerprint:
        log.info("The previewed plan is out of date (its data changed): planning again")
        return None
    return kept.plan


def _task_refresh(ctx: AppContext, channel: _Child, connection_id: int) -> Refresh:
    from core.app.resume import refresh_snapshots
    from core.store.models import Connection

    return refresh_snapshots(ctx, Connection.get_by_id(connection_id), channel.progress)


def _task_fetch_summary(ctx: AppContext, channel: _Child, connection_id: int) -> dict[str, Any]:
    from core.services.fetch import fetch
    from core.store.models import Connection

    return fetch(ctx, Connection.get_by_id(connection_id)).summary()


def _task_review(
    ctx: AppContext, channel: _Child, connection_id: int, options: ImportOptions | None
) -> ReviewData:
    from core.app.review_screen import load_review
    from core.store.models import Connection

    return review_for_window(load_review(Connection.get_by_id(connection_id), options))


def review_for_window(data: ReviewData) -> ReviewData:
    """What the review page reads of ``data``: its conflicts, rows and unmatched records, and
    the e-mail, phone and address of the records those conflicts compare. The rest stays in
    the child: the plan's actions, matches and skipped records (the preview plans again),
    and the facts of every other record (two entries per contact: at 10,000 contacts, most of
    the answer)."""
    import dataclasses

    xero_keys = {(c.kind, c.xero_id) for c in data.conflicts}
    qbt_keys = {(c.kind, cand.qbt_id) for c in data.conflicts for cand in c.candidates}
    return dataclasses.replace(
        data,
        plan=dataclasses.replace(data.plan, actions=[], matches={}, skipped=[]),
        xero_facts={k: v for k, v in data.xero_facts.items() if k in xero_keys},
        qbt_facts={k: v for k, v in data.qbt_facts.items() if k in qbt_keys},
    )


def _task_plan(
    ctx: AppContext,
    channel: _Child,
    connection_id: int,
    options: ImportOptions | None,
    piece: int = PLAN_PIECE,
) -> tuple[ImportOptions, ImportPlan, str]:
    """Plan, keep the plan here (by id), and send the window what its pages read of it: the
    actions and skipped records in pieces (each unpickled on its own), the rest last, without
    the matches (the review's business, done here)."""
    import dataclasses

    from core.app.sync import current_plan, load_options
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    options = options or load_options(conn)
    fingerprint = _fingerprint(conn, options)
    _snapshot, plan = current_plan(conn, options)
    plan_id = _keep(connection_id, options, fingerprint, plan)
    for name in ("actions", "skipped"):
        items = getattr(plan, name)
        for start in range(0, len(items), piece):
            channel.send(("piece", channel.call_id, name, items[start : start + piece]))
    slim = dataclasses.replace(plan, actions=[], skipped=[], matches={})
    return options, slim, plan_id


def _task_import(
    ctx: AppContext,
    channel: _Child,
    connection_id: int,
    plan: ImportPlan | None,
    options: ImportOptions | None,
    replan: bool,
    plan_id: str | None = None,
) -> ImportOutcome:
    if plan_id is not None and not replan:
        # "Start import" names the plan the preview showed; if this child did not make it
        # (it was started again) or its data changed since, it is planned again here and
        # the page is told (Planned with the new plan): a stale plan is never imported.
        plan = kept_plan(connection_id, plan_id, options)
        if plan is None:
            from core.app.sync import current_plan
            from core.store.models import Connection

            _snap, fresh = current_plan(Connection.get_by_id(connection_id), options)
            return _import_outcome(ctx, channel, connection_id, fresh, options, False, None)
    return _import_outcome(ctx, channel, connection_id, plan, options, replan, plan)


def _import_outcome(
    ctx: AppContext,
    channel: _Child,
    connection_id: int,
    plan: ImportPlan | None,
    options: ImportOptions | None,
    replan: bool,
    same: ImportPlan | None,
) -> ImportOutcome:
    """Run the import; a plan the window already has is not sent back: its own (``same``),
    or the one a Planned event gave it (planned again here), named by :data:`_SHOWN`."""
    from core.app.resume import Planned, run_import

    shown: list[Any] = [same]

    def progress(event: object) -> None:
        if isinstance(event, Planned):
            if shown[0] is not None and event.plan is shown[0]:
                channel.progress(_SAME_PLAN)
                return
            shown[0] = event.plan
        channel.progress(event)

    def slim(plan: Any) -> Any:
        return _SHOWN if plan is not None and plan is shown[0] else plan

    outcome = run_import(
        ctx, connection_id, plan, options, replan=replan, progress=progress, cancel=channel.cancel
    )
    importer = outcome.importer
    if importer is not None:
        outcome.importer = ImporterView(  # type: ignore[assignment]
            importer.run,
            importer.outcomes,
            importer.problems,
            importer.failed_refs,
            slim(importer.plan),
        )
    outcome.plan = slim(outcome.plan)
    return outcome


def _task_decisions_waiting(ctx: AppContext, channel: _Child) -> dict[int, int | None]:
    from core.app.businesses import decisions_waiting_by_business

    return decisions_waiting_by_business()


TASKS: dict[str, Callable[..., Any]] = {
    "decisions_waiting": _task_decisions_waiting,
    "refresh": _task_refresh,
    "fetch_summary": _task_fetch_summary,
    "review": _task_review,
    "plan": _task_plan,
    "import": _task_import,
}


class ParentKeyring:
    """A keyring backend that asks the window's process (its TokenStore) for each entry."""

    priority = 1

    def __init__(self, channel: _Child) -> None:
        self.channel = channel

    def get_password(self, service: str, username: str) -> str | None:
        return self.channel.keyring("get", username, None)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.channel.keyring("set", username, password)

    def delete_password(self, service: str, username: str) -> None:
        self.channel.keyring("delete", username, None)


class _ForwardLogs(logging.Handler):
    def __init__(self, channel: _Child) -> None:
        super().__init__()
        self.channel = channel

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            trace = self.formatter.formatException(record.exc_info) if record.exc_info else None
            self.channel.send(("log", record.name, record.levelno, text, trace, record.created))
        except Exception:  # noqa: S110 - a log line must never break the work
            pass

    formatter = logging.Formatter()


class _Child:
    """The child's side of the pipe: one reader thread, calls run on the main thread."""

    def __init__(self, stdin: IO[bytes], stdout: IO[bytes]) -> None:
        self.stdin, self.stdout = stdin, stdout
        self._send_lock = threading.Lock()
        self._keyring_lock = threading.Lock()
        self.calls: queue.Queue[Any] = queue.Queue()
        self.answers: queue.Queue[Any] = queue.Queue()
        self.cancel = threading.Event()
        self.call_id = 0

    def send(self, message: Any) -> None:
        with self._send_lock:
            _write(self.stdout, message)

    def progress(self, value: Any) -> None:
        self.send(("progress", self.call_id, value))

    def keyring(self, op: str, key: str, value: str | None) -> Any:
        with self._keyring_lock:  # one question at a time: the answer is this one's
            self.send(("keyring", self.call_id, op, key, value))
            ok, answer = self.answers.get()
        if not ok:
            raise answer
        return answer

    def read_forever(self) -> None:
        while True:
            try:
                message = _read(self.stdin)
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "call":
                self.calls.put(message)
            elif kind == "cancel":
                if message[1] == self.call_id:
                    self.cancel.set()
            elif kind == "keyring_answer":
                self.answers.put(message[1:])
        # The window's process is gone: stop what runs (between batches) and end.
        self.cancel.set()
        self.answers.put((False, EngineStopped("the window's process ended")))
        self.calls.put(None)


def _keep_xero_day_count(ctx: Any, task: str) -> None:
    """What Xero said of the requests left today during a task, kept for ``status``."""
    from core.app.day_limit import remember_said_remaining

    try:
        remember_said_remaining(ctx)
    except Exception as exc:  # the task's answer stands: a sentence in the log only
        log.warning("Xero's calls left were not kept after %s: %s", task, exc)


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """The child's main loop: a hello (the spec), then calls until the input closes."""
    from core.app.context import AppContext
    from core.i18n import set_language
    from core.store.db import app_database_files, close_database, open_database
    from core.store.secrets import TokenStore

    channel = _Child(stdin, stdout)
    try:
        hello = _read(stdin)
    except EOFError:
        return 0
    spec: EngineSpec = hello[1]
    root = logging.getLogger()
    root.handlers[:] = [_ForwardLogs(channel)]
    root.setLevel(spec.log_level)
    tokens = TokenStore(ParentKeyring(channel), trust_backend=True, max_part_length=None)  # type: ignore[arg-type]
    ctx = AppContext(
        spec.paths,
        tokens,
        spec.xero_settings,
        qbtime_base=spec.qbtime_base,
        timeout=spec.timeout,
    )
    open_database(app_database_files(spec.paths)[0])
    reader = threading.Thread(target=channel.read_forever, name="engine-input", daemon=True)
    reader.start()
    channel.send(("ready", os.getpid()))
    try:
        while True:
            message = channel.calls.get()
            if message is None:
                break
            _kind, call_id, task, args, kwargs, language = message
            channel.call_id = call_id
            channel.cancel = threading.Event()
            set_language(language)
            try:
                result = TASKS[task](ctx, channel, *args, **kwargs)
            except BaseException as exc:
                log.debug("engine task %s failed: %s", task, type(exc).__name__)
                reply: tuple[Any, ...] = ("error", call_id, exc)
            else:
                reply = ("result", call_id, result)
            _keep_xero_day_count(ctx, task)
            try:
                channel.send(reply)
            except (BrokenPipeError, OSError):
                break
            except Exception as exc:  # a result that cannot travel: said as an error
                log.exception("engine task %s: the result could not be sent", task)
                channel.send(("error", call_id, RuntimeError(f"{task}: {type(exc).__name__}")))
    finally:
        close_database()
    return 0


def serve_stdio() -> int:
    """Run as the child: the binary standard streams are the pipe; prints go to stderr."""
    from core.app.heap import for_this_process

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    _yield_to_the_window()
    for_this_process()  # a process for the engine's bulk work only (core.app.heap)
    return serve(stdin, stdout)


def _yield_to_the_window() -> None:
    """The child's heavy work gives way to the window's process (:data:`ENGINE_NICENESS`)."""
    nice = getattr(os, "nice", None)  # POSIX; Windows: the class the window starts it in
    if nice is not None:
        try:
            nice(ENGINE_NICENESS)
        except OSError:  # not allowed here: the work runs as it is
            log.debug("The engine process kept its priority", exc_info=True)


# ============================================================================ the window's side
def engine_command() -> list[str]:
    """How this installation starts the engine in a child process."""
    from core.resources import is_frozen

    if is_frozen():
        return [sys.executable, RUN_ENGINE]
    return [sys.executable, "-m", "core.app.worker_process"]


@dataclass
class EngineProcess:
    """The engine's child process, seen from the window's process. Started on first use (or
    by :meth:`warm`), started again if it ended; :meth:`stop` ends it."""

    spec: EngineSpec
    tokens: TokenStore
    command: list[str] | None = None
    log_file: Path | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _call_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _calls: int = 0
    _pid: int | None = None
    #: actions (or skipped records) per message when a plan comes from the child
    plan_piece: int = PLAN_PIECE
    #: the plans the child made and keeps, as the window holds them: (its copy, the id)
    _plans: list[tuple[weakref.ref[Any], str]] = field(default_factory=list, repr=False)

    @classmethod
    def for_context(cls, ctx: AppContext) -> EngineProcess:
        spec = EngineSpec(
            ctx.paths,
            ctx.xero_settings,
            ctx.qbtime_base,
            ctx.timeout,
            logging.getLogger().getEffectiveLevel(),
        )
        return cls(spec, ctx.tokens, log_file=ctx.paths.logs / "engine-process.log")

    # ------------------------------------------------------------------ lifetime
    def _start(self) -> subprocess.Popen[bytes]:
        from core.resources import is_frozen

        env = dict(os.environ)
        if not is_frozen():  # `-m core.app.worker_process` must find this checkout
            root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        stderr: IO[bytes] | int = subprocess.DEVNULL
        if self.log_file is not None:
            from core.files import open_private_log

            stderr = open_private_log(self.log_file)
        try:
            proc = subprocess.Popen(  # noqa: S603 - this app's own program
                self.command or engine_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=env,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
                | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0),  # Windows
            )
        finally:
            if not isinstance(stderr, int):
                stderr.close()
        assert proc.stdin is not None
        _write(proc.stdin, ("hello", self.spec))
        self._pid = None
        log.info("Engine process started (%s)", proc.pid)
        return proc

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        return self.proc

    def warm(self) -> None:
        """Start the child now (it loads the engine while the user reads the first pages)."""
        with self._call_lock:
            self._ensure()

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the child stops between batches and ends
            proc.wait(STOP_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()

    # ------------------------------------------------------------------ calls
    def call(
        self,
        task: str,
        *args: Any,
        progress: Callable[[Any], None] | None = None,
        cancel: threading.Event | None = None,
        pieces: dict[str, list[Any]] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run ``task`` in the child; its progress reaches ``progress`` (on this thread); the
        pieces it sends before its result (a large list, one message a piece, each unpickled
        on its own) are gathered in ``pieces`` by name."""
        from core.i18n import current_language

        with self._call_lock:
            proc = self._ensure()
            assert proc.stdin is not None and proc.stdout is not None
            self._calls += 1
            call_id = self._calls
            self._send(proc, ("call", call_id, task, args, kwargs, current_language()))
            finished = threading.Event()
            watcher = None
            if cancel is not None:
                watcher = threading.Thread(
                    target=self._watch_cancel,
                    args=(proc, call_id, cancel, finished),
                    name="engine-cancel",
                    daemon=True,
                )
                watcher.start()
            try:
                return self._answer(proc, call_id, progress, pieces)
            finally:
                finished.set()
                if watcher is not None:
                    watcher.join()

    def _send(self, proc: subprocess.Popen[bytes], message: Any) -> None:
        assert proc.stdin is not None
        with self._write_lock:
            try:
                _write(proc.stdin, message)
            except (BrokenPipeError, OSError, ValueError):
                raise EngineStopped("the engine process is not running") from None

    def _watch_cancel(
        self,
        proc: subprocess.Popen[bytes],
        call_id: int,
        cancel: threading.Event,
        finished: threading.Event,
    ) -> None:
        while not finished.is_set():
            if cancel.wait(CANCEL_POLL_S):
                try:
                    self._send(proc, ("cancel", call_id))
                except EngineStopped:
                    pass
                return

    def _answer(
        self,
        proc: subprocess.Popen[bytes],
        call_id: int,
        progress: Callable[[Any], None] | None,
        pieces: dict[str, list[Any]] | None = None,
    ) -> Any:
        assert proc.stdout is not None
        while True:
            try:
                message = _read(proc.stdout)
            except (EOFError, OSError):
                code = proc.wait()
                self.proc = None
                log.error("The engine process ended during a call (exit code %s)", code)
                raise EngineStopped(f"exit code {code}") from None
            kind = message[0]
            if kind == "ready":
                self._pid = message[1]
            elif kind == "log":
                _log_from_child(*message[1:])
            elif kind == "keyring":
                self._keyring(proc, *message[2:])
            elif message[1] != call_id:
                continue  # what an earlier call left (none expected)
            elif kind == "progress":
                if progress is not None:
                    progress(message[2])
            elif kind == "piece":
                if pieces is not None:
                    pieces.setdefault(message[2], []).extend(message[3])
            elif kind == "result":
                return message[2]
            elif kind == "error":
                raise message[2]

    def _keyring(self, proc: subprocess.Popen[bytes], op: str, key: str, value: Any) -> None:
        try:
            if op == "get":
                answer: tuple[bool, Any] = (True, self.tokens.get(key))
            elif op == "set":
                self.tokens.set(key, value)
                answer = (True, None)
            else:
                self.tokens.delete(key)
                answer = (True, None)
        except Exception as exc:
            answer = (False, exc)
        self._send(proc, ("keyring_answer", *answer))

    # ------------------------------------------------------------------ the tasks
    def refresh(self, connection_id: int, progress: Callable[[Any], None] | None) -> Refresh:
        return self.call("refresh", connection_id, progress=progress)

    def fetch_summary(self, connection_id: int) -> dict[str, Any]:
        return self.call("fetch_summary", connection_id)

    def decisions_waiting(self) -> dict[int, int | None]:
        return self.call("decisions_waiting")

    def review(self, connection_id: int, options: ImportOptions | None) -> ReviewData:
        return self.call("review", connection_id, options)

    def plan(
        self, connection_id: int, options: ImportOptions | None
    ) -> tuple[ImportOptions, ImportPlan]:
        """The child plans and keeps its plan; this process gets a copy of what its pages
        read (actions, conflicts, skipped records: not the matches), and "Start import" with
        that copy names the child's plan by its id (:meth:`plan_id`)."""
        pieces: dict[str, list[Any]] = {}
        options, plan, plan_id = self.call(
            "plan", connection_id, options, self.plan_piece, pieces=pieces
        )
        plan.actions = pieces.get("actions", [])
        plan.skipped = pieces.get("skipped", [])
        self._plans = [(ref, pid) for ref, pid in self._plans if ref() is not None]
        self._plans.append((weakref.ref(plan), plan_id))
        return options, plan

    def plan_id(self, plan: ImportPlan | None) -> str | None:
        """The id of the child's plan ``plan`` is a copy of (None: not one of them)."""
        return next((pid for ref, pid in self._plans if plan is not None and ref() is plan), None)

    def run_import(
        self,
        connection_id: int,
        plan: ImportPlan | None,
        options: ImportOptions | None,
        *,
        replan: bool,
        progress: Callable[[object], None],
        cancel: threading.Event,
    ) -> ImportOutcome:
        from core.app.resume import Planned

        shown: list[Any] = [plan]

        def relay(event: object) -> None:
            if event == _SAME_PLAN and plan is not None:
                event = Planned(plan)
            if isinstance(event, Planned):
                shown[0] = event.plan
            progress(event)

        # "Start import" names the child's plan; a resumed import plans again there: neither
        # sends a plan (only a plan the child did not make travels, as a test may give one).
        plan_id = None if replan else self.plan_id(plan)
        sent = None if plan_id is not None or replan else plan
        outcome: ImportOutcome = self.call(
            "import", connection_id, sent, options, replan, plan_id, progress=relay, cancel=cancel
        )
        if outcome.plan is None or outcome.plan == _SHOWN:
            outcome.plan = shown[0] if outcome.plan == _SHOWN else plan
        view = outcome.importer
        if isinstance(view, ImporterView) and (view.plan is None or view.plan == _SHOWN):
            view.plan = shown[0] if view.plan == _SHOWN else plan
        return outcome


def _log_from_child(name: str, level: int, text: str, trace: str | None, created: float) -> None:
    logger = logging.getLogger(name)
    if not logger.isEnabledFor(level):
        return
    record = logger.makeRecord(name, level, "(engine process)", 0, text, (), None)
    record.created = created
    record.msecs = (created - int(created)) * 1000
    record.processName = "engine"
    record.exc_text = trace
    logger.handle(record)


# ============================================================================ in or out of process
def engine_of(ctx: Any) -> EngineProcess | None:
    """The context's engine process, or None: the work runs in this process (the headless
    commands, the tests that drive one page)."""
    engine = getattr(ctx, "engine", None)
    return engine if isinstance(engine, EngineProcess) else None


def refresh(
    ctx: AppContext, connection_id: int, progress: Callable[[Any], None] | None = None
) -> Refresh:
    engine = engine_of(ctx)
    if engine is not None:
        return engine.refresh(connection_id, progress)
    from core.app.resume import refresh_snapshots
    from core.store.models import Connection

    return refresh_snapshots(ctx, Connection.get_by_id(connection_id), progress)


def fetch_summary(ctx: AppContext, connection_id: int) -> dict[str, Any]:
    engine = engine_of(ctx)
    if engine is not None:
        return engine.fetch_summary(connection_id)
    from core.services.fetch import fetch
    from core.store.models import Connection

    return fetch(ctx, Connection.get_by_id(connection_id)).summary()


def decisions_waiting(ctx: AppContext) -> dict[int, int | None]:
    """Records that need a decision, for every connected business (the home page's list):
    planning each one is the engine's work."""
    engine = engine_of(ctx)
    if engine is not None:
        return engine.decisions_waiting()
    from core.app.businesses import decisions_waiting_by_business

    return decisions_waiting_by_business()


def review(ctx: AppContext, connection_id: int, options: ImportOptions | None) -> ReviewData:
    engine = engine_of(ctx)
    if engine is not None:
        return engine.review(connection_id, options)
    from core.app.review_screen import load_review
    from core.store.models import Connection

    return load_review(Connection.get_by_id(connection_id), options)


def plan(
    ctx: AppContext, connection_id: int, options: ImportOptions | None
) -> tuple[ImportOptions, ImportPlan]:
    """The options (``options``, or the saved ones) and the plan from the local snapshots."""
    engine = engine_of(ctx)
    if engine is not None:
        return engine.plan(connection_id, options)
    from core.app.sync import current_plan, load_options
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    options = options or load_options(conn)
    _snapshot, made = current_plan(conn, options)
    return options, made


def run_import(
    ctx: AppContext,
    connection_id: int,
    plan: ImportPlan | None,
    options: ImportOptions | None,
    *,
    replan: bool = False,
    progress: Callable[[object], None],
    cancel: threading.Event,
) -> ImportOutcome:
    engine = engine_of(ctx)
    if engine is not None:
        return engine.run_import(
            connection_id, plan, options, replan=replan, progress=progress, cancel=cancel
        )
    from core.app import resume

    return resume.run_import(
        ctx, connection_id, plan, options, replan=replan, progress=progress, cancel=cancel
    )


if __name__ == "__main__":
    # Run the module under its own name: what it pickles (ImporterView, the exception
    # rebuilders) must be found by that name in the window's process.
    from core.app.worker_process import serve_stdio as _serve

    sys.exit(_serve())
