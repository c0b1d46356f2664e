"""Slow work off the UI thread: network, keyring and database calls run in a QThreadPool.

Results come back to the UI thread through queued signals. A worker never shows a dialog;
it returns a value or an error that the page turns into a sentence.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from core.errors import BridgeError
from core.i18n import tr as core_tr

log = logging.getLogger(__name__)

#: what a task's function returns, handed to its ``on_done``
T = TypeVar("T")


class WorkerSignals(QObject):
    done = Signal(object)
    failed = Signal(object)  # a BridgeError (or a wrapped unexpected error)
    progress = Signal(object)


class UnexpectedError(BridgeError):
    message = (
        "Something unexpected went wrong ({what}). Nothing was lost; try again. "
        "If it keeps happening, the log file says more."
    )


class Worker(QRunnable):
    """Runs ``fn(*args, progress=..., cancel=...)`` when it accepts those keywords."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        with_progress: bool = False,
        cancel: threading.Event | None = None,
        after: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()
        self.with_progress = with_progress
        self.cancel = cancel
        #: run on this thread once ``fn`` has ended, before its result is told (TaskRunner)
        self.after = after
        self.setAutoDelete(True)

    @Slot()
    def run(self) -> None:
        from core.store.models import db

        kwargs = dict(self.kwargs)
        if self.with_progress:
            kwargs["progress"] = self.signals.progress.emit
        if self.cancel is not None:
            kwargs["cancel"] = self.cancel
        try:
            try:
                result = self.fn(*self.args, **kwargs)
            finally:
                self._after()
        except BridgeError as exc:
            log.info("Background task failed: %s", exc)
            self.signals.failed.emit(exc)
        except Exception as exc:  # never let a worker die silently or show a trace to a user
            log.error("Unexpected error in a background task:\n%s", traceback.format_exc())
            self.signals.failed.emit(UnexpectedError(what=type(exc).__name__))
        else:
            self.signals.done.emit(result)
        finally:
            try:
                if not db.is_closed():
                    db.close()  # peewee keeps one connection per thread: give it back
            except Exception:  # noqa: S110 - closing a connection must not mask the result
                pass

    def _after(self) -> None:
        if self.after is None:
            return
        try:
            self.after()
        except Exception as exc:  # what the task did stands: a sentence in the log only
            log.warning("After a background task: %s", exc, exc_info=exc)


class TaskRunner(QObject):
    """Owns the pool; pages call :meth:`start`. Keeps workers alive until they report.

    ``after_each``: run on each task's thread once the task has ended (whether it succeeded
    or not), before its result is told: what the task learned that outlives it is kept there,
    never on the UI thread."""

    def __init__(
        self, parent: QObject | None = None, *, after_each: Callable[[], None] | None = None
    ) -> None:
        super().__init__(parent)
        self.after_each = after_each
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self._running: set[Worker] = set()
        #: tasks started before the window's first paint (``hold_until_painted``)
        self._held: list[Worker] | None = None
        self._watched: QObject | None = None
        #: the task the others wait for (``start_first``), and whether it was started
        self._first: Worker | None = None
        self._first_started = False
        #: the window is closing: tasks asked for from now on are not started
        self._refusing = False

    def hold_until_painted(self, widget: QObject, *, at_most_ms: int = 1000) -> None:
        """Tasks started before ``widget`` (the window's first page) is first painted wait
        until it is, at the latest ``at_most_ms``: their threads (imports, database,
        keyring) then do not compete with the window's first paint (issue 16). The page
        shows its frame and says it is reading, as it does while any task runs."""
        if self._held is None:
            self._held = []
            self._watched = widget
            widget.installEventFilter(self)
            QTimer.singleShot(at_most_ms, self.release_held)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self.release_held)  # once this paint is done
        return False

    def held(self) -> int:
        """How many tasks wait for the first paint."""
        return len(self._held or [])

    def release_held(self) -> None:
        """Start the tasks held until the first paint (in the order they were started);
        a task started with ``start_first`` first, the others once it has succeeded."""
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # the page is gone already
                pass
            self._watched = None
        if self._first is not None:
            if not self._first_started:
                self._first_started = True
                self.pool.start(self._first)
            return
        held, self._held = self._held, None
        for worker in held or []:
            self.pool.start(worker)

    def start_first(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BridgeError], None] | None = None,
    ) -> Worker:
        """Run ``fn`` before every other task: those started until it has succeeded wait for
        it (and for the first paint, when the window holds them), then start in the order
        they were asked for; if it fails, they never start. ``on_done``/``on_error`` run
        first. A first run creates its database so (wizard.app), off the UI thread, before
        any task may use it."""
        worker = self._worker(fn, args, {}, on_done, on_error, None, None)

        def finished(ok: bool) -> None:
            self._first, self._first_started = None, False
            if not ok:  # what waited for it needed it: dropped, as when the window closes
                for waiting in self._held or []:
                    self._running.discard(waiting)
                self._held = []
            if self._watched is None:
                self.release_held()

        worker.signals.done.connect(lambda _value: finished(True))
        worker.signals.failed.connect(lambda _exc: finished(False))
        self._first = worker
        if self._held is None:
            self._held = []
        if self._watched is None:  # no first paint to wait for: it starts now
            self.release_held()
        return worker

    def start(
        self,
        fn: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BridgeError], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        cancel: threading.Event | None = None,
        **kwargs: Any,
    ) -> Worker:
        worker = self._worker(fn, args, kwargs, on_done, on_error, on_progress, cancel)
        if self._refusing:  # (the window is closing: nobody will see what this would do)
            self._running.discard(worker)
            log.info("Not started while the window closes: %s", getattr(fn, "__name__", fn))
        elif self._held is not None:
            self._held.append(worker)
        else:
            self.pool.start(worker)
        return worker

    def refuse_new(self) -> None:
        """From now on, tasks asked for are not started (the window is closing, waiting for
        the work in flight to end: what that work hands on to must not keep the app alive)."""
        self._refusing = True

    def _worker(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_done: Callable[[Any], object] | None,
        on_error: Callable[[BridgeError], None] | None,
        on_progress: Callable[[Any], None] | None,
        cancel: threading.Event | None,
    ) -> Worker:
        worker = Worker(
            fn,
            *args,
            with_progress=on_progress is not None,
            cancel=cancel,
            after=self.after_each,
            **kwargs,
        )
        self._running.add(worker)

        def finish(_value: Any = None) -> None:
            self._running.discard(worker)

        # The window (this runner's parent) may be gone when the work ends: it closes
        # without waiting long for it. Its callbacks then have nobody to tell.
        for signal, callback in (
            (worker.signals.done, on_done),
            (worker.signals.failed, on_error),
            (worker.signals.progress, on_progress),
        ):
            if callback is not None:
                signal.connect(self._while_alive(callback))
        worker.signals.done.connect(finish)
        worker.signals.failed.connect(finish)
        return worker

    def _while_alive(self, callback: Callable[[Any], object]) -> Callable[[Any], None]:
        """``callback``, called only while this runner (and so its window) still exists."""
        import shiboken6

        def call(value: Any) -> None:
            if shiboken6.isValid(self):
                callback(value)

        return call

    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, msecs: int = 30000) -> bool:
        if self._first is not None and not self._first_started:  # closed before the paint
            self._running.discard(self._first)
            self._first = None
        if self._held:  # closed before the first paint: those tasks never start
            for worker in self._held:
                self._running.discard(worker)
            self._held = []
        return self.pool.waitForDone(msecs)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, BridgeError):
        return exc.user_message()
    return core_tr("Something went wrong.")
