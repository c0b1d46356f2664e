"""The Xero simulator: identity (OAuth2 + connections) and the Accounting/Payroll APIs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Request

from core.sandbox.common import Clock, CompanyStore, FaultMiddleware, FaultPlan, json_response
from core.sandbox.xero_api import XeroApi, xero_error_response
from core.sandbox.xero_config import XeroConfig
from core.sandbox.xero_identity import XeroIdentity


class XeroSimulator:
    def __init__(
        self,
        store: CompanyStore,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
        config: XeroConfig | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.faults = faults or FaultPlan()
        self.config = config or XeroConfig()
        self.identity = XeroIdentity(store, self.clock, self.config)
        self.api = XeroApi(store, self.clock, self.config, self.identity.check_access)
        # The consent page is a browser page, not an API call: faults never apply to it.
        self.app = FaultMiddleware(
            self._wsgi,
            self.faults,
            xero_error_response,
            exempt=lambda path: path == "/identity/connect/authorize",
        )

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.identity.handle(request) or self.api.handle(request)
        if response is None:
            response = json_response(
                {
                    "Type": None,
                    "Title": "NotFound",
                    "Status": 404,
                    "Detail": "The resource you're looking for cannot be found",
                },
                status=404,
            )
        return response(environ, start_response)
