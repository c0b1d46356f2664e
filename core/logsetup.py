"""Logging: one rotating file in the platformdirs log dir, secrets redacted before writing."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

# Things that must never reach a log: bearer tokens, OAuth codes and tokens in URLs, bodies
# or reprs, PKCE verifiers, and the Authorization header.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer|basic)?\s*[^\s\"',}]+(\s*[^\s\"',}]+)?"),
     r"\1[REDACTED]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [REDACTED]"),
    (re.compile(r"(?i)((?<![A-Za-z_])(?:access_token|refresh_token|id_token|token|code|code_verifier|"
                r"client_secret|password|state)[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"),
     r"\1[REDACTED]"),
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


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(log_file: Path, level: int = logging.INFO, *, console: bool = False) -> None:
    """Idempotent: configures the root logger once with a rotating, redacting file handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_xqb", False):
            root.removeHandler(handler)
            handler.close()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2 * 1024 * 1024, backupCount=5, encoding="utf-8")
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
