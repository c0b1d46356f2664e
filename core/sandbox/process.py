"""The Demo Company in a child process, as the wizard runs it.

The simulators then never hold the window's interpreter lock: their work (answering an
import of thousands of records) cannot stall the window. The child is ``python -m
core.sandbox --stop-with-parent`` (in a frozen build, where ``sys.executable`` is the app
itself: ``APP --run-demo-company``); it prints one JSON line saying how to reach it, and stops
when its standard input closes, which the operating system does when this process ends,
even when it is killed: the child never outlives the app.

Light on purpose: the window's process imports this module, never the simulators.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from core.resources import is_frozen

log = logging.getLogger(__name__)

#: The app's hidden first argument that runs the simulators (main.py): ``APP --run-demo-company``.
RUN_DEMO_COMPANY = "--run-demo-company"
#: Seconds the child has to say how to reach it, then to stop once asked.
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def demo_company_command() -> list[str]:
    """How this installation starts the simulators in a child process."""
    if is_frozen():
        return [sys.executable, RUN_DEMO_COMPANY]
    return [sys.executable, "-m", "core.sandbox"]


class DemoCompanyProcess:
    """Both simulators in a child process. It answers like ``Sandbox`` for what the app needs
    (the addresses, the QuickBooks Time key, :meth:`stop`)."""

    def __init__(self, proc: subprocess.Popen[bytes], log_file: Path | None = None) -> None:
        self.proc = proc
        self.log_file = log_file
        self._info: dict[str, Any] | None = None

    @classmethod
    def start(
        cls,
        data_file: Path | str | None,
        state_dir: Path | str,
        *,
        log_file: Path | None = None,
        command: list[str] | None = None,
        timeout: float = START_TIMEOUT_S,
    ) -> DemoCompanyProcess:
        """:meth:`launch`, then wait until the child says how to reach it."""
        return cls.launch(data_file, state_dir, log_file=log_file, command=command).wait_ready(
            timeout
        )

    @classmethod
    def launch(
        cls,
        data_file: Path | str | None,
        state_dir: Path | str,
        *,
        log_file: Path | None = None,
        command: list[str] | None = None,
    ) -> DemoCompanyProcess:
        """Start the child without waiting for it (the app starts it before loading Qt, so
        both start at once). ``data_file``: the company file to start from (None: the
        built-in Demo Company); ``log_file`` receives what the child writes on its standard
        error (problems only)."""
        args = [
            *(command or demo_company_command()),
            "--stop-with-parent",
            "--state",
            str(state_dir),
        ]
        if data_file is not None:
            args += ["--data", str(data_file)]
        env = dict(os.environ)
        if not is_frozen():  # `-m core.sandbox` must find this checkout or installation
            root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        stderr: IO[bytes] | int = subprocess.DEVNULL
        if log_file is not None:
            from core.files import open_private_log

            # the child writes it; this copy is closed below
            stderr = open_private_log(log_file, append=False)
        try:
            proc = subprocess.Popen(  # noqa: S603 - this app's own program
                args,
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
        return cls(proc, log_file)

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> DemoCompanyProcess:
        """Wait until the child has said how to reach it; a child that could not start is
        stopped and said plainly (RuntimeError)."""
        if self._info is not None:
            return self
        line = _first_line(self.proc, timeout)
        try:
            info = json.loads(line) if line else None
        except ValueError:
            info = None
        if isinstance(info, dict) and isinstance(info.get("error"), dict):
            _end(self.proc)
            refused = rebuild_refusal(info["error"])
            if refused is not None:
                raise refused
            info = None
        if not isinstance(info, dict):
            _end(self.proc)
            where = f"; see {self.log_file}" if self.log_file is not None else ""
            raise RuntimeError(
                f"the Demo Company did not start (exit code {self.proc.returncode}, "
                f"said {line[:200]!r}){where}"
            )
        log.info(
            "Demo Company running in process %s: Xero at %s, QuickBooks Time at %s",
            self.proc.pid,
            info.get("xero_base"),
            info.get("qbtime_base"),
        )
        self._info = info
        return self

    @property
    def info(self) -> dict[str, Any]:
        """What the child said (waits for it the first time)."""
        if self._info is None:
            self.wait_ready()
        assert self._info is not None
        return self._info

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def xero_base(self) -> str:
        return str(self.info["xero_base"])

    @property
    def qbtime_base(self) -> str:
        return str(self.info["qbtime_base"])

    @property
    def qbtime_token(self) -> str:
        return str(self.info.get("qbtime_token", ""))

    @property
    def qbtime_tokens(self) -> list[str]:
        """The keys of every QuickBooks Time account of the Demo Company."""
        return [str(t) for t in self.info.get("qbtime_tokens") or [self.qbtime_token]]

    def describe(self) -> dict[str, Any]:
        return dict(self.info)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Ask the child to stop (its standard input closes), then make sure it has."""
        if self.proc.poll() is None:
            log.info("Stopping the Demo Company (process %s)", self.proc.pid)
        _end(self.proc)

    def __enter__(self) -> DemoCompanyProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


#: the errors the child says instead of how to reach it (core.sandbox.server.serve)
_REFUSALS = ("CompanyFileInvalid", "DemoStateInvalid", "DemoStateFolderUnusable")


def rebuild_refusal(payload: dict[str, Any]) -> Exception | None:
    """The child's refusal of its company file or state (core.sandbox.server.refusal_payload)
    as the error it was, its reasons translatable again; None when it is not one."""
    from core import errors
    from core.i18n import Msg

    name = payload.get("type")
    params = payload.get("params")
    if name not in _REFUSALS or not isinstance(params, dict):
        return None
    translated = set(payload.get("translated") or ())
    params = {str(k): Msg(v) if k in translated else v for k, v in params.items()}
    error: Exception = getattr(errors, str(name))(str(payload.get("detail") or ""), **params)
    return error


def _first_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The child's first line, or "" when it ended or said nothing in ``timeout`` seconds."""
    stdout = proc.stdout
    if stdout is None or stdout.closed:
        return ""
    got: list[bytes] = []
    reader = threading.Thread(
        target=lambda: got.append(stdout.readline()), name="demo-company-start", daemon=True
    )
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        _end(proc)  # its stdout closes: the reader ends
        reader.join(STOP_TIMEOUT_S)
    stdout.close()
    return got[0].decode("utf-8", "replace").strip() if got else ""


def _end(proc: subprocess.Popen[bytes]) -> None:
    if proc.stdin is not None and not proc.stdin.closed:
        try:
            proc.stdin.close()  # the child's signal to stop, on every platform
        except OSError:
            pass
    try:
        proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT_S)
    if proc.stdout is not None and not proc.stdout.closed:
        proc.stdout.close()
