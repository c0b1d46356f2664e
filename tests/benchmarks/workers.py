"""Subprocesses of the benchmarks (clean CPU/RSS figures): ``python -m tests.benchmarks.workers
KIND ...``. Each prints one JSON line last."""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks.harness import ROOT, Endpoints, calls, connect, reset_counter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _endpoints(args: list[str]) -> Endpoints:
    return Endpoints(*args[:4])


def sandbox(args: list[str]) -> None:
    """Simulators with limits scaled far up (API economy / overhead: nothing waits)."""
    import logging
    import signal

    from core.sandbox.common import FaultPlan
    from core.sandbox.qbtime import QBTimeConfig
    from core.sandbox.server import Sandbox
    from core.sandbox.xero_config import XeroConfig

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    data, state, latency = args[0], args[1], float(args[2]) if len(args) > 2 else 0.0
    box = Sandbox.open(data, state, xero_faults=FaultPlan(latency_s=latency),
                       qbtime_faults=FaultPlan(latency_s=latency),
                       xero_config=XeroConfig(minute_limit=10**6, day_limit=10**7,
                                              app_minute_limit=10**7, concurrent_limit=100),
                       qbtime_config=QBTimeConfig(rate_limit=10**7))
    print(json.dumps(box.describe()), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    box.stop()


def large_import(args: list[str]) -> None:
    """First import then a re-import of the large organisation; our process only."""
    from core.sync import sync

    ep = _endpoints(args)
    with tempfile.TemporaryDirectory() as home:
        ctx, conn = connect(ep, home=Path(home))
        ctx.sleep = lambda s: None   # the simulators' limits are scaled up: nothing to wait for
        reset_counter(ctx)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        first = sync(ctx, conn)
        cpu1, wall1 = time.process_time(), time.perf_counter()
        first_calls = calls(ctx)
        rss = _peak_rss_mb()
        reset_counter(ctx)
        wall2 = time.perf_counter()
        second = sync(ctx, conn)
        wall3 = time.perf_counter()
        out = {"first": {"cpu_s": cpu1 - cpu0, "wall_s": wall1 - wall0, "calls": first_calls,
                         "outcomes": first.outcomes, "summary": first.as_json(),
                         "fetch": first.fetch.summary() if first.fetch else None},
               "second": {"wall_s": wall3 - wall2, "calls": calls(ctx),
                          "summary": second.as_json()},
               "peak_rss_mb": rss}
        ctx.close()
    print(json.dumps(out), flush=True)


def ours_contacts(args: list[str]) -> None:
    import tracemalloc

    ep = _endpoints(args)
    trace = len(args) > 4 and args[4] == "trace"
    with tempfile.TemporaryDirectory() as home:
        ctx, _conn = connect(ep, home=Path(home))
        ctx.sleep = lambda s: None
        client = ctx.xero_client(ep.tenant_id)
        with client.session:
            client.organisation()   # warm the connection and the token, as the SDK run does
            if trace:
                tracemalloc.start()
            start = time.perf_counter()
            contacts = client.contacts()
            wall = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] if trace else 0
        ctx.close()
    print(json.dumps({"wall_s": wall, "count": len(contacts), "peak_bytes": peak}), flush=True)


def sdk_contacts(args: list[str]) -> None:
    """The official xero-python SDK, paging contacts (1000 a page) from the simulator."""
    import tracemalloc

    ep = _endpoints(args)
    trace = len(args) > 4 and args[4] == "trace"
    with tempfile.TemporaryDirectory() as home:
        ctx, _conn = connect(ep, home=Path(home))
        token = ctx.xero_tokens().access_token()
        ctx.close()
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token

    from core.sandbox.xero_config import DEMO_CLIENT_ID

    token_dict = {"access_token": token, "token_type": "Bearer", "expires_in": 1800,
                  "expires_at": time.time() + 1800, "scope": ["accounting.contacts.read"]}
    client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id=DEMO_CLIENT_ID,
                                                              client_secret="unused")),
                       pool_threads=1, oauth2_token_getter=lambda: token_dict,
                       oauth2_token_saver=lambda t: None)
    api = AccountingApi(client, base_url=ep.xero_base.rstrip("/") + "/api.xro/2.0")
    api.get_organisations(ep.tenant_id)   # warm up, as ours does
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    everything = []
    page = 1
    while True:
        batch = api.get_contacts(ep.tenant_id, page=page, page_size=1000, include_archived=True)
        everything.extend(batch.contacts or [])
        if len(batch.contacts or []) < 1000:
            break
        page += 1
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    print(json.dumps({"wall_s": wall, "count": len(everything), "peak_bytes": peak}), flush=True)


def cold_start(args: list[str]) -> None:
    """Process start -> first page painted. ``bare``: an empty QWizard; ``app``: BridgeWizard."""
    t0 = float(args[1])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    app = QApplication(sys.argv[:1])
    done: dict[str, float] = {}

    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "t" not in done:
                done["t"] = time.time() - t0
                QTimer.singleShot(0, app.quit)
            return False

    if args[0] == "bare":
        wizard = QWizard()
        page = QWizardPage()
        page.setTitle("Welcome")
        wizard.addPage(page)
    else:
        from core.context import AppContext
        from core.paths import AppPaths
        from core.secrets import TokenStore
        from tests.benchmarks.harness import MemoryKeyring
        from wizard.i18n import install_language
        from wizard.state import WizardState
        from wizard.wizard import BridgeWizard

        home = tempfile.mkdtemp()
        os.environ["XQB_HOME"] = home
        install_language("en")
        ctx = AppContext(AppPaths.default().ensure(), TokenStore(MemoryKeyring(), trust_backend=True),
                         _dummy_settings())
        ctx.open_db()
        wizard = BridgeWizard(WizardState(ctx))
    wizard.show()
    page = wizard.currentPage()
    filt = Painted()
    page.installEventFilter(filt)
    QTimer.singleShot(20000, app.quit)
    app.exec()
    print(json.dumps({"first_paint_s": done.get("t")}), flush=True)


def _dummy_settings():
    from core.settings import demo_xero_settings

    return demo_xero_settings("http://127.0.0.1:9")


KINDS = {"sandbox": sandbox, "large_import": large_import, "ours_contacts": ours_contacts,
         "sdk_contacts": sdk_contacts, "cold_start": cold_start}

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    KINDS[sys.argv[1]](sys.argv[2:])
