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
    box = Sandbox.open(
        data,
        state,
        xero_faults=FaultPlan(latency_s=latency),
        qbtime_faults=FaultPlan(latency_s=latency),
        xero_config=XeroConfig(
            minute_limit=10**6, day_limit=10**7, app_minute_limit=10**7, concurrent_limit=100
        ),
        qbtime_config=QBTimeConfig(rate_limit=10**7),
    )
    print(json.dumps(box.describe()), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    box.stop()


def large_import(args: list[str]) -> None:
    """First import then a re-import of the large organisation; our process only.

    The simulators' own limits are scaled far up; the product's limiters are real (a call
    that would exceed QuickBooks Time's 300 per 5 minutes waits, as for a user). The
    re-import is measured as the next scheduled run: its limiters start fresh, as in a new
    process (the first import's calls have left the services' windows by then)."""
    from core.app.sync import sync
    from core.services.http import LimiterRegistry

    ep = _endpoints(args)
    with tempfile.TemporaryDirectory() as home:
        ctx, conn = connect(ep, home=Path(home))
        ctx.limiters = LimiterRegistry()  # connect()'s few calls are not the import's
        reset_counter(ctx)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        first = sync(ctx, conn)
        cpu1, wall1 = time.process_time(), time.perf_counter()
        first_calls = calls(ctx)
        rss = _peak_rss_mb()
        ctx.limiters = LimiterRegistry()
        reset_counter(ctx)
        cpu2, wall2 = time.process_time(), time.perf_counter()
        second = sync(ctx, conn)
        cpu3, wall3 = time.process_time(), time.perf_counter()
        out = {
            "first": {
                "cpu_s": cpu1 - cpu0,
                "wall_s": wall1 - wall0,
                "calls": first_calls,
                "outcomes": first.outcomes,
                "summary": first.as_json(),
                "fetch": first.fetch.summary() if first.fetch else None,
            },
            "second": {
                "cpu_s": cpu3 - cpu2,
                "wall_s": wall3 - wall2,
                "calls": calls(ctx),
                "summary": second.as_json(),
            },
            "peak_rss_mb": rss,
        }
        ctx.close()
    print(json.dumps(out), flush=True)


def ours_contacts(args: list[str]) -> None:
    import tracemalloc

    ep = _endpoints(args)
    trace = len(args) > 4 and args[4] == "trace"
    with tempfile.TemporaryDirectory() as home:
        ctx, _conn = connect(ep, home=Path(home))
        client = ctx.xero_client(ep.tenant_id)
        with client.session:
            client.organisation()  # warm the connection and the token, as the SDK run does
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
        ctx, conn = connect(ep, home=Path(home))
        token = ctx.xero_tokens_for(conn).access_token()
        ctx.close()
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token

    from core.sandbox.xero_config import DEMO_CLIENT_ID

    token_dict = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires_at": time.time() + 1800,
        "scope": ["accounting.contacts.read"],
    }
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=DEMO_CLIENT_ID, client_secret="unused")),
        pool_threads=1,
        oauth2_token_getter=lambda: token_dict,
        oauth2_token_saver=lambda t: None,
    )
    api = AccountingApi(client, base_url=ep.xero_base.rstrip("/") + "/api.xro/2.0")
    api.get_organisations(ep.tenant_id)  # warm up, as ours does
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
    """Process start -> first page painted. ``bare``: an empty QWizard; ``app``: the product's
    own start (``main.main`` with no command, as the desktop shortcut runs it: settings,
    logging, QApplication, context, database opened, the wizard) on a fresh installation.

    Both sides watch the first page the same way: an event filter on that page (not on the
    whole application: a Python filter there is called for every event of every widget and
    slows everything it watches). The app's page is the wizard's start page, reached through
    ``wizard.app.build_wizard`` (wrapped; the app shows the wizard itself). The one stand-in
    is the password storage: an in-memory keyring, made where the app makes the computer's
    (``main.make_context``, wrapped), which a benchmark never touches.
    """
    t0 = float(args[1])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    done: dict[str, float] = {}

    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "t" not in done:
                done["t"] = time.time() - t0
                done["page"] = type(obj).__name__
                QTimer.singleShot(0, QApplication.instance().quit)
            return False

    filt = Painted()

    def watch(page: QWizardPage) -> None:
        page.installEventFilter(filt)
        QTimer.singleShot(20000, QApplication.instance().quit)

    if args[0] == "bare":
        app = QApplication(sys.argv[:1])
        wizard = QWizard()
        page = QWizardPage()
        page.setTitle("Welcome")
        wizard.addPage(page)
        watch(page)
        wizard.show()
        app.exec()
    else:
        os.environ["XQB_HOME"] = tempfile.mkdtemp()
        os.environ["XQB_XERO_CLIENT_ID"] = "cold-start-benchmark"  # an installed copy has one
        import main
        import wizard.app

        def in_memory_tokens():
            # Made where the app makes the real one (AppContext.create, after the
            # QApplication): importing the keyring package is part of the app's start.
            import keyring.backend

            from core.store.secrets import TokenStore

            class InMemoryKeyring(keyring.backend.KeyringBackend):
                priority = 1  # type: ignore[assignment]

                def __init__(self) -> None:
                    super().__init__()
                    self.values: dict[tuple[str, str], str] = {}

                def get_password(self, service, username):
                    return self.values.get((service, username))

                def set_password(self, service, username, password):
                    self.values[(service, username)] = password

                def delete_password(self, service, username):
                    self.values.pop((service, username), None)

            return TokenStore(InMemoryKeyring(), trust_backend=True)

        def build_and_watch(*args, **kwargs):
            built = build_wizard(*args, **kwargs)
            watch(built.page(built.startId()))
            return built

        # main and wizard.app look these up when they run them.
        build_wizard, make_context = wizard.app.build_wizard, main.make_context
        wizard.app.build_wizard = build_and_watch
        main.make_context = lambda args, paths, **kw: make_context(
            args, paths, **{**kw, "tokens": in_memory_tokens()}
        )
        code = main.main([])
        if code != 0:
            raise SystemExit(f"the app did not start ({code})")
    print(json.dumps({"first_paint_s": done.get("t"), "page": done.get("page")}), flush=True)
    # Nothing more to measure: leave without tearing Qt down (see main.py, screenshots).
    sys.stderr.flush()
    os._exit(0)


def _dummy_settings():
    from core.sandbox.xero_config import demo_xero_settings

    return demo_xero_settings("http://127.0.0.1:9")


KINDS = {
    "sandbox": sandbox,
    "large_import": large_import,
    "ours_contacts": ours_contacts,
    "sdk_contacts": sdk_contacts,
    "cold_start": cold_start,
}

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    KINDS[sys.argv[1]](sys.argv[2:])
