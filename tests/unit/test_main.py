import logging
import subprocess
import sys
from pathlib import Path

from core.logsetup import redact, setup_logging
from core.store.paths import AppPaths
from core.version import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_version_flag_prints_version():
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().endswith(__version__)


def test_paths_follow_xqb_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XQB_HOME", str(tmp_path))
    paths = AppPaths.default().ensure()
    assert paths.data == tmp_path / "data" and paths.data.is_dir()
    assert paths.log_file.parent == tmp_path / "logs"


def test_log_file_rotates_and_redacts(tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    setup_logging(log_file)
    try:
        logging.getLogger("x").info(
            "Authorization: Bearer abc.def.ghi and refresh_token=r3fr3sh&x=1"
        )
        logging.getLogger("x").info("callback %s", "/callback?code=S3CRETC0DE&state=st4te")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log_file.read_text()
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_xqb", False):
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert "abc.def.ghi" not in text and "r3fr3sh" not in text and "S3CRETC0DE" not in text
    assert "[REDACTED]" in text


def test_redact_keeps_harmless_words():
    assert redact("status_code=200 error_code: 5") == "status_code=200 error_code: 5"
    assert "Zq9xTok" not in redact('{"access_token": "Zq9xTok", "expires_in": 1800}')
