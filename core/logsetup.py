"""Logging: one rotating file in the platformdirs log dir, secrets redacted before writing."""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from io import TextIOWrapper
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging.handlers

# Things that must never reach a log: bearer tokens, OAuth codes and tokens in URLs, bodies
# or reprs, PKCE verifiers, and the Authorization header.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer|basic)?\s*[^\s\"',}]+(\s*[^\s\"',}]+)?"
        ),
        r"\1[REDACTED]",
    ),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [REDACTED]"),
    (
        re.compile(
            r"(?i)((?<![A-Za-z_])(?:access_token|refresh_token|id_token|token|code|code_verifier|"
            r"client_secret|password|state)[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"
        ),
        r"\1[REDACTED]",
    ),
]


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets removed (args included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not kill logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _rotating_handler_class() -> type[logging.handlers.RotatingFileHandler]:
    """``logging.handlers`` (socket, pickle, queue…) is imported when the log file is opened,
    not when this module is: the window's start does not wait for it (issue 16)."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        """A rotating log file readable by its owner only (0600, whatever the umask), in a
        folder only its owner can open (0700): names of people and companies are in it."""

        def _open(self) -> TextIOWrapper:
            from core.files import private_fd

            fd = private_fd(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            return open(fd, "a", encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFileHandler


def _record_lost(record: logging.LogRecord) -> None:
    """A log record the file could not take (see LogFile.open): dropped."""


class LogFile(logging.Handler):
    """The log file. Opened at once, or, for the window (``deferred``), when
    ``open_log_file`` is called once the first page is painted: until then the records
    (already redacted) wait in memory, and are written first, in order, when it opens. The
    file is opened at the latest when the process exits normally."""

    def __init__(self, log_file: Path, *, deferred: bool = False) -> None:
        super().__init__()
        self.log_file = log_file
        self._target: logging.Handler | None = None
        self._pending: list[logging.LogRecord] | None = [] if deferred else None
        self._open_lock = threading.Lock()
        if not deferred:
            self.open()

    @property
    def is_open(self) -> bool:
        return self._target is not None

    def open(self) -> None:
        with self._open_lock:
            if self._target is not None:
                return
            _private_folder(self.log_file.parent)
            target = _rotating_handler_class()(
                self.log_file, maxBytes=2 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
            target.setFormatter(logging.Formatter(_FORMAT))
            # A record that cannot be written (a full disk, a folder made read-only) is lost
            # quietly: the app says what went wrong in its own sentence, never in Python's
            # "--- Logging error ---" tracebacks, one per record, on the user's terminal.
            target.handleError = _record_lost  # type: ignore[method-assign]
            pending, self._pending = self._pending or [], None
            for record in pending:
                target.handle(record)
            self._target = target

    def emit(self, record: logging.LogRecord) -> None:
        if self._target is None and self._pending is not None:
            with self._open_lock:
                if self._target is None and self._pending is not None:
                    self._pending.append(record)
                    return
        if self._target is None:
            self.open()
        assert self._target is not None
        self._target.handle(record)

    def handleError(self, record: logging.LogRecord) -> None:
        _record_lost(record)  # (the file could not even be opened: as above)

    def flush(self) -> None:
        if self._target is not None:
            self._target.flush()

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        super().close()


def open_log_file() -> None:
    """Open the log file a deferred ``setup_logging`` left waiting (a no-op otherwise)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LogFile) and getattr(handler, "_xqb", False):
            handler.open()


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(
    log_file: Path, level: int = logging.INFO, *, console: bool = False, deferred: bool = False
) -> None:
    """Idempotent: configures the root logger once with a rotating, redacting file handler.
    ``deferred``: the file is opened by ``open_log_file`` (the window calls it once its first
    page is painted) or at exit; the records logged before wait in memory."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_xqb", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = LogFile(log_file, deferred=deferred)
    if deferred:
        atexit.register(_open_at_exit, file_handler)
    handlers: list[logging.Handler] = [file_handler]
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(stream)
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler._xqb = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # urllib3 logs full URLs (with codes) at DEBUG; keep it quieter than our own logs.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))
    # The Demo Company's servers log every request line; the app's log is not theirs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _open_at_exit(handler: Any) -> None:
    if not handler.is_open and handler in logging.getLogger().handlers:
        handler.open()
        handler.flush()
