"""Secrets: after a full demo run no token, code or verifier is left anywhere on disk.

The run: connect QuickBooks Time (key) and Xero (browser sign-in through the loopback
listener, the Demo Company's consent page "clicked"), sync, export the review CSV and the
run report CSV, screenshot the QuickBooks Time page with the key typed and the Xero page.
Every secret is collected while it passes (the keyring's values, the code and PKCE
verifier given to ``XeroSignIn.exchange_code``), then the data, config, log and state
dirs, the CSV files and the screenshots' folder are scanned for each, as text and as
bytes (UTF-8 and UTF-16). The key field must be in password echo mode (a screenshot is an
image: the echo mode is what keeps the key out of it) and the authorize URL the Xero page
shows carries no code, token or verifier. The loopback listener binds 127.0.0.1 only, and
its port is closed (connection refused) once the sign-in is over.
"""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest

from tests.reliability.support import MemoryBackend, open_demo


def _strings(value) -> list[str]:
    """Every string inside a keyring value (JSON token sets hold several)."""
    try:
        value = json.loads(value)
    except (TypeError, ValueError):
        return [value] if isinstance(value, str) else []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [
            s
            for v in value.values()
            for s in _strings(json.dumps(v) if not isinstance(v, str) else v)
        ]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v if isinstance(v, str) else json.dumps(v))]
    return []


def _scan(roots: list[Path], secrets: dict[str, str]) -> list[str]:
    found = []
    for root in roots:
        for file in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            data = file.read_bytes()
            for label, secret in secrets.items():
                for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
                    if encoded in data:
                        found.append(f"{label} in {file}")
    return found


@pytest.mark.timeout(120)
def test_no_secret_left_after_a_full_run(tmp_path, monkeypatch, qtbot):
    from PySide6.QtWidgets import QLineEdit

    import core.services.auth.xero_oauth as xo
    from core.app.sync import sync
    from core.engine import review
    from core.engine.report import export_run_report
    from core.logsetup import setup_logging

    captured: dict[str, str] = {}
    urls: list[str] = []
    listeners: list[tuple[str, int]] = []

    real_exchange = xo.XeroSignIn.exchange_code

    def exchange(self, code, *, redirect_uri, code_verifier):
        captured["authorization code"] = code
        captured["PKCE verifier"] = code_verifier
        return real_exchange(self, code, redirect_uri=redirect_uri, code_verifier=code_verifier)

    real_authorize = xo.XeroSignIn.authorize_url

    def authorize(self, **kwargs):
        url = real_authorize(self, **kwargs)
        urls.append(url)
        return url

    real_receiver = xo.LoopbackReceiver

    class Receiver(real_receiver):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            listeners.append(self._server.socket.getsockname()[:2])

    monkeypatch.setattr(xo.XeroSignIn, "exchange_code", exchange)
    monkeypatch.setattr(xo.XeroSignIn, "authorize_url", authorize)
    monkeypatch.setattr(xo, "LoopbackReceiver", Receiver)

    home = tmp_path / "home"
    log_file = home / "logs" / "bridge.log"
    root_logger = logging.getLogger()
    saved_handlers, saved_level = list(root_logger.handlers), root_logger.level
    setup_logging(log_file, level=logging.INFO)
    backend = MemoryBackend()
    try:
        ctx, conn = open_demo("AU", home, tmp_path / "state", backend)
        try:
            # -- the loopback listener: 127.0.0.1 only, closed after its one sign-in
            assert listeners, "the Xero sign-in did not go through the loopback listener"
            for host, port in listeners:
                assert host == "127.0.0.1", f"listener bound to {host}"
                with pytest.raises(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()

            qbt_token = ctx.sandbox.qbtime_token
            result = sync(ctx, conn)
            assert result.run is not None
            out = tmp_path / "exports"
            out.mkdir()
            assert export_run_report(result.run, out / "run-report.csv") > 0
            rows = review.review_rows(conn, result.plan.conflicts)
            review.export_csv(conn, rows, out / "review.csv")

            # -- the QuickBooks Time page with the key typed, and the Xero page
            from tests.gui.conftest import HostWizard
            from wizard.pages.qbtime import QBTimePage
            from wizard.pages.xero_connect import XeroConnectPage
            from wizard.state import PageId, WizardState

            shots = home / "screenshots"
            shots.mkdir()
            wiz = HostWizard(WizardState(ctx, country="AU"))
            wiz.add(PageId.QBTIME, QBTimePage(wiz.state))
            wiz.add(PageId.XERO_CONNECT, XeroConnectPage(wiz.state))
            qtbot.addWidget(wiz)
            wiz.resize(880, 640)
            wiz.show()
            qb = wiz.pages[PageId.QBTIME]
            qb.key_edit.setFocus()
            qtbot.keyClicks(qb.key_edit, ctx.sandbox.qbtime_token)
            assert qb.key_edit.echoMode() == QLineEdit.EchoMode.Password
            assert wiz.grab().save(str(shots / "qbtime.png"))
            xpage = wiz.pages[PageId.XERO_CONNECT]
            # the Xero page as drawn (not entered: entering it would start a second sign-in)
            xpage.resize(880, 560)
            assert xpage.grab().save(str(shots / "xero.png"))
            shown = " ".join(w.text() for w in xpage.findChildren(QLineEdit))
            wiz.tasks.wait(10000)
            wiz.close()
        finally:
            ctx.close()
    finally:
        for handler in list(root_logger.handlers):
            if handler not in saved_handlers:
                root_logger.removeHandler(handler)
                handler.close()
        root_logger.setLevel(saved_level)

    # -- every secret seen during the run
    secrets: dict[str, str] = dict(captured)
    for (service, user), value in backend.store.items():
        for i, s in enumerate(_strings(value)):
            if len(s) >= 16:  # ids, scopes and dates are not secrets; tokens are long
                secrets[f"keyring {service}/{user} #{i}"] = s
    secrets["QuickBooks Time token"] = qbt_token
    assert "authorization code" in captured and "PKCE verifier" in captured
    assert len(secrets) >= 4, sorted(secrets)

    for url in urls:
        for label, secret in secrets.items():
            assert secret not in url, f"{label} in the authorize URL"
        assert "code=" not in url.replace("code_challenge", "") and "token" not in url.lower()
    for label, secret in secrets.items():
        assert secret not in shown, f"{label} shown on the Xero page"

    roots = [
        home / "data",
        home / "config",
        home / "logs",
        home / "state",
        tmp_path / "exports",
        home / "screenshots",
    ]
    assert log_file.exists() and log_file.stat().st_size > 0
    assert _scan(roots, secrets) == []


def test_the_scan_finds_a_planted_secret(tmp_path):
    """Negative control: the scanner does see a secret, in UTF-8 and in UTF-16."""
    (tmp_path / "a.log").write_text("x token=abcDEF0123456789xyz y", encoding="utf-8")
    (tmp_path / "b.dat").write_bytes("zzSECRET-utf16-0123456789zz".encode("utf-16-le"))
    found = _scan([tmp_path], {"t": "abcDEF0123456789xyz", "u": "SECRET-utf16-0123456789"})
    assert len(found) == 2
