"""The window's log file is opened once the first page is painted (issue 16): until then the
records wait in memory, redacted, and are written first, in order, when it opens (or at the
latest when the process exits). The headless commands open it at once."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from core.logsetup import LogFile, open_log_file, setup_logging

ROOT = Path(__file__).resolve().parents[2]


def _remove_ours() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_xqb", False):
            root.removeHandler(handler)
            handler.close()


def test_a_deferred_log_file_is_written_when_opened_records_before_first(tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    setup_logging(log_file, deferred=True)
    try:
        logging.getLogger("x").info("starting")
        logging.getLogger("x").info("token=S3CRET in a query")
        assert not log_file.exists()  # not opened yet: nothing on disk
        open_log_file()
        logging.getLogger("x").info("after the paint")
        for handler in logging.getLogger().handlers:
            handler.flush()
        lines = log_file.read_text().splitlines()
    finally:
        _remove_ours()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "starting",
        "token=[REDACTED] in a query",
        "after the paint",
    ]
    assert (log_file.stat().st_mode & 0o777) == 0o600


def test_a_log_file_not_deferred_is_opened_at_once(tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    setup_logging(log_file)
    try:
        handler = next(h for h in logging.getLogger().handlers if isinstance(h, LogFile))
        assert handler.is_open and log_file.exists()
    finally:
        _remove_ours()


def test_records_of_a_start_that_ends_before_the_paint_reach_the_file_at_exit(tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    script = (
        "import logging, sys; from pathlib import Path; from core.logsetup import setup_logging;"
        f"setup_logging(Path({str(log_file)!r}), deferred=True);"
        "logging.getLogger('main').error('the wizard could not start')"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)
    assert "the wizard could not start" in log_file.read_text()
