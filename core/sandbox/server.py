"""Runs the whole Demo Company: a Xero simulator and a QuickBooks Time simulator on 127.0.0.1.

:class:`Sandbox` runs them in this process (tests reach into its store; the headless
commands). :func:`serve` is the other side of core/sandbox/process.py, which runs them in a
child process for the wizard.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import secrets
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request

from core.resources import resource
from core.sandbox.common import (
    COMPANY_FILE,
    Clock,
    CompanyStore,
    FaultMiddleware,
    FaultPlan,
    SimServer,
)
from core.sandbox.qbtime import (
    QBTimeConfig,
    QBTimeSimulator,
    blank_qbtime_state,
    qbtime_error_response,
)
from core.sandbox.xero import XeroSimulator
from core.sandbox.xero_config import XeroConfig

log = logging.getLogger(__name__)

DEMO_COMPANY_FILE = resource("demo", "company.json")

#: The Demo Company's second QuickBooks Time account, for a second business in one install (a
#: bookkeeper's clients: one Xero organisation ↔ one QuickBooks Time account each). It is a new
#: sign-up (only its administrator and the default time-off codes), reached with its own key at
#: the same address, as every QuickBooks Time account is. Its state lives in this subfolder.
SECOND_ACCOUNT_DIR = "second-qbtime-account"
SECOND_ACCOUNT = {"company_name": "Maison Verdure UK", "client_url": "maisonverdureuk"}


def second_account_store(store: CompanyStore, clock: Clock) -> CompanyStore:
    """The second account's data: remembered in the state folder, else a new sign-up."""
    sdir = store.state_dir / SECOND_ACCOUNT_DIR if store.state_dir else None
    if sdir is not None and (sdir / COMPANY_FILE).exists():
        return CompanyStore.load(None, sdir)
    token = "S.2__" + secrets.token_hex(20)
    state = blank_qbtime_state(
        token,
        clock.now(),
        company_name=SECOND_ACCOUNT["company_name"],
        client_url=SECOND_ACCOUNT["client_url"],
    )
    return CompanyStore.from_dict({"qbtime": state}, sdir)


def _unusable(exc: Exception, data_file: Path | str | None, store: CompanyStore) -> Exception:
    """A company whose shape passed the checks of core.company_file but that the simulators
    still cannot start from (a record without a field they read): said as the file's (or
    the saved state's) problem, not as an unexpected failure."""
    from core.company_file import NOT_WHAT_THE_SIMULATORS_READ as reason
    from core.errors import CompanyFileInvalid, DemoStateInvalid

    log.warning("The Demo Company cannot start from its company", exc_info=exc)
    detail = f"{type(exc).__name__}: {exc}"[:200]
    sdir = store.state_dir
    if sdir is not None and (sdir / COMPANY_FILE).exists():
        return DemoStateInvalid(
            detail, folder=str(sdir), file=COMPANY_FILE, reason=reason, problem=detail
        )
    path = str(Path(data_file).absolute()) if data_file is not None else ""
    return CompanyFileInvalid(detail, path=path, reason=reason, problem=detail)


@dataclass
class Sandbox:
    """Both simulators over one company. Use as a context manager or call stop()."""

    store: CompanyStore
    clock: Clock = field(default_factory=Clock)
    xero_faults: FaultPlan = field(default_factory=FaultPlan)
    qbtime_faults: FaultPlan = field(default_factory=FaultPlan)
    xero_config: XeroConfig = field(default_factory=XeroConfig)
    qbtime_config: QBTimeConfig = field(default_factory=QBTimeConfig)
    xero_port: int = 0
    qbtime_port: int = 0

    def __post_init__(self) -> None:
        self.xero = XeroSimulator(self.store, self.clock, self.xero_faults, self.xero_config)
        self.qbtime = QBTimeSimulator(self.store, self.clock, self.qbtime_config)
        self.second_store = second_account_store(self.store, self.clock)
        self.qbtime_second = QBTimeSimulator(self.second_store, self.clock, self.qbtime_config)
        qbt_app = FaultMiddleware(self._qbtime_wsgi, self.qbtime_faults, qbtime_error_response)
        self._servers = [
            SimServer(self.xero.app, self.xero_port),
            SimServer(qbt_app, self.qbtime_port),
        ]

    def _qbtime_wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        return self._qbtime_for(request).handle(request)(environ, start_response)

    def _qbtime_for(self, request: Request) -> QBTimeSimulator:
        """The account the request's key opens (the first one answers anything else, with
        its usual 401 for a wrong key)."""
        _scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
        second = str(self.second_store.qbtime.get("token") or "")
        if second and hmac.compare_digest(token.strip().encode(), second.encode()):
            return self.qbtime_second
        return self.qbtime

    @classmethod
    def open(
        cls,
        data_file: Path | str | None = DEMO_COMPANY_FILE,
        state_dir: Path | str | None = None,
        **kwargs: Any,
    ) -> Sandbox:
        """Both simulators over ``data_file`` (or the company ``state_dir`` holds), started.

        Nothing is written to ``state_dir`` until both simulators are built over the company:
        a company file (or saved state) they cannot use is refused
        (:class:`core.errors.CompanyFileInvalid`, :class:`core.errors.DemoStateInvalid`)
        and the state folder is left as it was, so a bad file never spoils a later start."""
        store = CompanyStore.load(data_file, state_dir, hold_writes=True)
        try:
            sandbox = cls(store, **kwargs)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise _unusable(exc, data_file, store) from exc
        store.release_writes()
        return sandbox.start()

    def start(self) -> Sandbox:
        for server in self._servers:
            server.start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        for sim in (self.qbtime, self.qbtime_second):
            sim.save_windows()  # QuickBooks Time's rate windows outlive a restart, as its own
        self.xero.api.limiter.save()  # and so do Xero's day counts

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def xero_base(self) -> str:
        return self._servers[0].base_url

    @property
    def qbtime_base(self) -> str:
        return self._servers[1].base_url + "/api/v1"

    @property
    def qbtime_token(self) -> str:
        return str(self.store.qbtime.get("token", ""))

    @property
    def qbtime_tokens(self) -> list[str]:
        """The keys of every QuickBooks Time account of the Demo Company, the first first."""
        return [self.qbtime_token, str(self.second_store.qbtime.get("token", ""))]

    def describe(self) -> dict[str, Any]:
        """What a client needs to reach the Demo Company (printed by ``python -m core.sandbox``)."""
        return {
            "xero_base": self.xero_base,
            "qbtime_base": self.qbtime_base,
            "qbtime_token": self.qbtime_token,
            "qbtime_tokens": self.qbtime_tokens,
            "xero_client_id": self.xero_config.client_id,
            "redirect_uris": list(self.xero_config.redirect_uris),
        }


# --------------------------------------------------------------------------- the child's side
#: The Demo Company run by the app stands for services far away, which cost this computer no
#: CPU: it gives way to the window's process as the engine's process does (niceness +10;
#: on Windows it is started in the below-normal priority class, see core.sandbox.process).
DEMO_NICENESS = 10


def _yield_to_the_window() -> None:
    nice = getattr(os, "nice", None)
    if nice is not None:
        try:
            nice(DEMO_NICENESS)
        except OSError:  # not allowed here: it runs as it is
            pass


def serve(argv: list[str] | None = None, prog: str = "python -m core.sandbox") -> int:
    """Run both simulators until interrupted (or, with ``--stop-with-parent``, until standard
    input closes or the parent process is gone) and print one JSON line saying how to reach
    them. ``python -m core.sandbox`` and the app's hidden ``--run-demo-company`` run this."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Run the Demo Company simulators of Xero and QuickBooks Time."
    )
    parser.add_argument("--data", default=str(DEMO_COMPANY_FILE), help="company file to start from")
    parser.add_argument(
        "--state", required=True, help="directory where the company's state is kept"
    )
    parser.add_argument("--xero-port", type=int, default=0)
    parser.add_argument("--qbtime-port", type=int, default=0)
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="probability of a 500/503/429/reset on each API call (default 0)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop when standard input closes (the process that started this "
        "one has ended): for a program that runs the Demo Company",
    )
    args = parser.parse_args(argv)

    def faults(seed: int) -> FaultPlan:
        r = args.fault_rate / 4
        return FaultPlan(seed=seed, p_429=r, p_500=r, p_503=r, p_reset=r, latency_s=args.latency)

    from core.errors import CompanyFileInvalid, DemoStateFolderUnusable, DemoStateInvalid

    try:
        sandbox = Sandbox.open(
            args.data,
            args.state,
            xero_port=args.xero_port,
            qbtime_port=args.qbtime_port,
            xero_faults=faults(args.fault_seed),
            qbtime_faults=faults(args.fault_seed + 1),
        )
    except (CompanyFileInvalid, DemoStateInvalid, DemoStateFolderUnusable) as exc:
        # The one line says why instead of how to reach it: the app that started this
        # process shows it as its own (core.sandbox.process), in the user's language.
        _say(json.dumps({"error": refusal_payload(exc)}, ensure_ascii=False))
        print(exc.user_message("en"), file=sys.stderr, flush=True)
        return 2
    stop = threading.Event()
    if args.stop_with_parent:
        _watch_parent(stop)
        _yield_to_the_window()
        # a line per request would fill the app's demo log during an import: problems only
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _say(json.dumps(sandbox.describe()))
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):  # a timeout keeps Ctrl+C working on Windows
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


def _say(text: str) -> None:
    """One line to the process that started this one."""
    line = (text + "\n").encode("utf-8")
    if sys.stdout is not None:
        sys.stdout.buffer.write(line)
        sys.stdout.flush()
    else:  # a windowed frozen app: no sys.stdout object, the pipe is still file 1
        os.write(1, line)


def refusal_payload(exc: Exception) -> dict[str, Any]:
    """A company the Demo Company refused, as JSON (core.sandbox.process rebuilds it)."""
    from core.i18n import Msg

    params = getattr(exc, "params", {})
    return {
        "type": type(exc).__name__,
        "detail": getattr(exc, "detail", ""),
        "params": {k: v if isinstance(v, int | float) else str(v) for k, v in params.items()},
        "translated": sorted(k for k, v in params.items() if isinstance(v, Msg)),
    }


#: how often the child looks whether the process that started it is still there (POSIX)
PARENT_POLL_S = 1.0


def _watch_parent(stop: threading.Event) -> None:
    """Set ``stop`` when standard input reaches its end (the parent closed it or ended: the
    operating system closes it then, even on a crash) or, on POSIX, when the parent is gone
    (this process was handed to another parent)."""

    def stdin_closed() -> None:
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        stop.set()

    parent = os.getppid()

    def parent_gone() -> None:
        while not stop.wait(PARENT_POLL_S):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=stdin_closed, name="stop-with-parent", daemon=True).start()
    if os.name == "posix":
        threading.Thread(target=parent_gone, name="parent-watch", daemon=True).start()
