"""Runs the whole Demo Company: a Xero simulator and a QuickBooks Time simulator on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request

from core.resources import resource
from core.sandbox.common import Clock, CompanyStore, FaultMiddleware, FaultPlan, SimServer
from core.sandbox.qbtime import QBTimeConfig, QBTimeSimulator, qbtime_error_response
from core.sandbox.xero import XeroSimulator
from core.sandbox.xero_config import XeroConfig

DEMO_COMPANY_FILE = resource("demo", "company.json")


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
        qbt_app = FaultMiddleware(self._qbtime_wsgi, self.qbtime_faults, qbtime_error_response)
        self._servers = [SimServer(self.xero.app, self.xero_port), SimServer(qbt_app, self.qbtime_port)]

    def _qbtime_wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.qbtime.handle(Request(environ))(environ, start_response)

    @classmethod
    def open(cls, data_file: Path | str | None = DEMO_COMPANY_FILE,
             state_dir: Path | str | None = None, **kwargs: Any) -> Sandbox:
        return cls(CompanyStore.load(data_file, state_dir), **kwargs).start()

    def start(self) -> Sandbox:
        for server in self._servers:
            server.start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()

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

    def describe(self) -> dict[str, Any]:
        """What a client needs to reach the Demo Company (printed by ``python -m core.sandbox``)."""
        return {
            "xero_base": self.xero_base,
            "qbtime_base": self.qbtime_base,
            "qbtime_token": self.qbtime_token,
            "xero_client_id": self.xero_config.client_id,
            "redirect_uris": list(self.xero_config.redirect_uris),
        }
