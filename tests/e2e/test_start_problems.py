"""A start that fails before the app is set up says one sentence, in the system's language,
and never shows Python's traceback on the terminal: XQB_HOME naming a file (it was
"Something unexpected (NotADirectoryError)", after a traceback, naming a log file that could
not exist), a log file the app may not write (a traceback, then English on a French system),
and a disk that fills while logging (one "--- Logging error ---" traceback per record)."""

from __future__ import annotations

import logging
import logging.handlers

import pytest

import main
from core.i18n import set_language


def test_xqb_home_naming_a_file(tmp_path, monkeypatch, capsys):
    afile = tmp_path / "home"
    afile.write_text("mine")
    monkeypatch.setenv("XQB_HOME", str(afile))
    assert main.main(["status"]) == 1
    said = capsys.readouterr()
    assert f"cannot keep its files in {afile}" in said.err
    assert f"{afile} is a file, not a folder" in said.err
    assert "Traceback" not in said.err + said.out and "unexpected" not in said.err
    assert afile.read_text() == "mine"


@pytest.fixture
def unwritable_log(monkeypatch):
    """The log file cannot be opened (a read-only or full disk)."""
    from core import logsetup

    class Refused(logging.handlers.RotatingFileHandler):
        def __init__(self, filename, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(filename))

    monkeypatch.setattr(logsetup, "_rotating_handler_class", lambda: Refused)
    root = logging.getLogger()
    kept = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in kept:
            root.removeHandler(handler)


def test_a_log_file_that_cannot_be_written_in_french(unwritable_log, monkeypatch, capsys):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    try:
        code = main.main(["status"])
    finally:
        set_language("en")
    said = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in said.err + said.out
    assert "en lecture seule" in said.err  # the read-only sentence, in French


def test_records_the_log_cannot_take_are_dropped_quietly(tmp_path, capsys):
    from core.logsetup import LogFile

    handler = LogFile(tmp_path / "app.log")
    assert handler._target is not None

    class Full:
        def __getattr__(self, name):
            def refuse(*args, **kwargs):
                raise OSError(28, "No space left on device")

            return refuse

    handler._target.stream.close()
    handler._target.stream = Full()  # type: ignore[attr-defined]
    logger = logging.getLogger("tests.full_disk")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(5):
            logger.warning("record %s", n)
    finally:
        logger.removeHandler(handler)
    assert "Logging error" not in capsys.readouterr().err
