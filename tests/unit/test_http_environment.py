"""ServiceSession takes the environment's proxies and CA bundle as requests would, but reads
them once per host instead of on every call (issue 16: requests read os.environ twice per
call, a third of a call's CPU)."""

from __future__ import annotations

from typing import Any

import requests
import requests.utils

from core.services.http import ServiceSession


class _Recording(requests.adapters.BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        self.sent.append({"url": request.url, "headers": dict(request.headers), **kwargs})
        resp = requests.Response()
        resp.status_code = 200
        resp._content = b"{}"
        resp.url = request.url
        resp.request = request
        return resp

    def close(self) -> None:
        pass


def _session(monkeypatch, base: str = "https://api.example.test") -> tuple[ServiceSession, Any]:
    session = ServiceSession("Xero", base, auth=lambda: {"Authorization": "Bearer k"})
    adapter = _Recording()
    session._session.mount("https://", adapter)
    session._session.mount("http://", adapter)
    return session, adapter


def test_proxies_and_ca_bundle_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", "bypass.example.test")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company-ca.pem")
    session, adapter = _session(monkeypatch)
    session.get("Organisation")
    session.get("https://bypass.example.test/connections")
    through, bypass = adapter.sent
    assert through["proxies"].get("https") == "http://proxy.example.test:3128"
    assert through["verify"] == "/etc/ssl/company-ca.pem"
    assert "https" not in bypass["proxies"]  # NO_PROXY honoured, per host
    assert through["headers"]["Authorization"] == "Bearer k"


def test_the_environment_is_read_once_per_host(monkeypatch):
    reads: list[str] = []
    real = requests.utils.get_environ_proxies

    def counted(url, no_proxy=None):  # type: ignore[no-untyped-def]
        reads.append(url)
        return real(url, no_proxy=no_proxy)

    monkeypatch.setattr(requests.utils, "get_environ_proxies", counted)
    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counted)
    session, adapter = _session(monkeypatch)
    for _ in range(5):
        session.get("Contacts")
    assert len(adapter.sent) == 5
    assert len(reads) == 1, reads  # requests alone: once per call
