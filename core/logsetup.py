"""Logging: one rotating file in the platformdirs log dir, secrets redacted before writing."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from io import TextIOWrapper
from pathlib import Path

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


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file readable by its owner only (0600, whatever the umask), in a folder
    only its owner can open (0700): names of people and companies are in it."""

    def _open(self) -> TextIOWrapper:
        path = Path(self.baseFilename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # a file made by an older version, or rotated in
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(log_file: Path, level: int = logging.INFO, *, console: bool = False) -> None:
    """Idempotent: configures the root logger once with a rotating, redacting file handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_xqb", False):
            root.removeHandler(handler)
            handler.close()
    _private_folder(log_file.parent)
    file_handler = PrivateRotatingFileHandler(
        log_file, maxBytes=2 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(_FORMAT))
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
