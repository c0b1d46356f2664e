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
from typing import Any

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


def _file_keyring(path: str):
    """A keyring backend that keeps its entries in a JSON file and reads the file on every
    ``get_password``: a real read from disk at each use, where the in-memory stand-in read
    nothing. Made where the app makes the computer's keyring (importing the keyring package
    is part of the app's start); the OS keyring's own unlock prompt or D-Bus round trip is
    not modelled."""
    import keyring.backend

    class FileKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]
        first_read: float | None = None

        def _load(self) -> dict[str, str]:
            try:
                with open(path, encoding="utf-8") as fh:
                    return dict(json.load(fh))
            except FileNotFoundError:
                return {}

        def get_password(self, service, username):
            value = self._load().get(f"{service}\x1f{username}")
            if FileKeyring.first_read is None:
                FileKeyring.first_read = time.time()
            return value

        def set_password(self, service, username, password):
            values = self._load()
            values[f"{service}\x1f{username}"] = password
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(values, fh)

        def delete_password(self, service, username):
            values = self._load()
            values.pop(f"{service}\x1f{username}", None)
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(values, fh)

    return FileKeyring()


def cold_start_prepare(args: list[str]) -> None:
    """A returning user's installation: the Demo Company connected (headless commands, as a
    first run of the wizard would leave it), its sign-ins in the file keyring."""
    home, keyfile, state = args
    os.environ["XQB_HOME"] = home
    import main
    from core.store.secrets import TokenStore

    tokens = TokenStore(_file_keyring(keyfile), trust_backend=True)
    for command in (["connect-qbtime"], ["connect-xero", "--org", "Maison Verdure Australia"]):
        code = main.main([*command, "--demo", "--demo-state", state], tokens=tokens)
        if code != 0:
            raise SystemExit(f"{command} failed ({code})")
    print(json.dumps({"prepared": home}), flush=True)


def cold_start(args: list[str]) -> None:
    """Process start -> first page painted. ``bare``: an empty QWizard; ``app``: the product's
    own start (``main.main`` with no command, as the desktop shortcut runs it: settings,
    logging, QApplication, context, database opened, the wizard) on a fresh installation
    (the welcome page); ``home``: the same start for a returning user (``cold_start_prepare``):
    the Demo Company connected, the home page.

    The home page is painted as a returning user first sees it: its frame, its headings and
    buttons, saying it is reading (the database is opened once it is painted, on a worker,
    and the page then shows the business: wizard.app). When it shows the business's name
    (``first_filled_s``) is reported beside, as is its first keyring read.

    Both sides watch the first page the same way: an event filter on that page (not on the
    whole application: a Python filter there is called for every event of every widget and
    slows everything it watches). The app's page is the wizard's start page, reached through
    ``wizard.app.build_wizard`` (wrapped; the app shows the wizard itself). The one stand-in
    is the password storage: a file keyring (``_file_keyring``: a real read from disk each
    time), made where and as the app makes the computer's (``main.make_context``, wrapped;
    found at its first use, like ``TokenStore(lazy=True)``). For the
    home page the time of the first keyring read is reported too (the page reads the sign-ins
    in the background, for its check for changes).
    """
    kind = args[0]
    t0 = float(args[1])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    done: dict[str, Any] = {}

    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "t" not in done:
                done["t"] = time.time() - t0
                done["cpu"] = time.process_time()
                done["page"] = type(obj).__name__
                QTimer.singleShot(0 if kind != "home" else 50, quit_when_read)
                if kind == "home":
                    QTimer.singleShot(0, watch_filled)
            return False

    def quit_when_read() -> None:
        # The home page's reads start once it is painted: its keyring may not be made yet.
        if kind == "home" and (
            not backend or type(backend[0]).first_read is None or "filled" not in done
        ):
            if time.time() - t0 < 20:
                QTimer.singleShot(20, quit_when_read)
                return
        QApplication.instance().quit()

    filt = Painted()
    backend: list[Any] = []
    shown: list[Any] = []  # the wizard (the app's side)

    def watch_filled() -> None:
        # The home page names the business once its database is open and it is read.
        page = shown[0].currentPage() if shown else None
        label = getattr(page, "connection_label", None)
        if label is not None and label.text():
            done["filled"] = time.time() - t0
        elif time.time() - t0 < 20:
            QTimer.singleShot(5, watch_filled)

    def watch(page: QWizardPage) -> None:
        page.installEventFilter(filt)
        QTimer.singleShot(30000, QApplication.instance().quit)

    if kind == "bare":
        app = QApplication(sys.argv[:1])
        wizard = QWizard()
        page = QWizardPage()
        page.setTitle("Welcome")
        wizard.addPage(page)
        watch(page)
        wizard.show()
        app.exec()
    else:
        argv: list[str] = []
        if kind == "home":
            # A returning user of the real services (not the Demo Company, whose first page
            # waits for its simulators to start): the check for changes the page starts
            # runs in the background, through a proxy that is not there (a benchmark sends
            # nothing to Xero: the check fails at once, after reading the keyring).
            home, keyfile, _demo_state = args[2:5]
            os.environ["XQB_HOME"] = home
            os.environ["HTTPS_PROXY"] = os.environ["HTTP_PROXY"] = "http://127.0.0.1:9"
            os.environ["NO_PROXY"] = os.environ["no_proxy"] = ""
        else:
            os.environ["XQB_HOME"] = tempfile.mkdtemp()
            keyfile = os.path.join(os.environ["XQB_HOME"], "keyring.json")
        os.environ["XQB_XERO_CLIENT_ID"] = "cold-start-benchmark"  # an installed copy has one
        import main
        import wizard.app

        def file_tokens():
            # As the app makes the computer's (main.run_gui): found at its first use.
            from core.store.secrets import TokenStore

            def make():
                backend.append(_file_keyring(keyfile))
                return backend[0]

            return TokenStore(backend_factory=make, trust_backend=True)

        def build_and_watch(*args, **kwargs):
            built = build_wizard(*args, **kwargs)
            watch(built.page(built.startId()))
            shown.append(built)
            return built

        # main and wizard.app look these up when they run them.
        build_wizard, make_context = wizard.app.build_wizard, main.make_context
        wizard.app.build_wizard = build_and_watch
        main.make_context = lambda args, paths, **kw: make_context(
            args, paths, **{**kw, "tokens": file_tokens()}
        )
        code = main.main(argv)
        if code != 0:
            raise SystemExit(f"the app did not start ({code})")
    if os.environ.get("XQB_BENCH_PROFILE_START"):
        import cProfile  # noqa: F401 - set up by the caller

        profile = globals().get("_START_PROFILE")
        if profile is not None:
            import pstats

            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(50)
    read = type(backend[0]).first_read if backend else None
    print(
        json.dumps(
            {
                "first_paint_s": done.get("t"),
                "first_paint_cpu_s": done.get("cpu"),
                "page": done.get("page"),
                "first_keyring_read_s": None if read is None else read - t0,
                "first_filled_s": done.get("filled"),
            }
        ),
        flush=True,
    )
    # Nothing more to measure: leave without tearing Qt down (see main.py, screenshots).
    sys.stderr.flush()
    os._exit(0)


#: the heartbeat's period in the UI flow: a gap is the time between two beats (ideally this)
BEAT_MS = 10
#: a gap longer than this is a stall a person notices (issue 16's target: none)
STALL_LIMIT_MS = 50.0


def ui_flow(args: list[str]) -> None:
    """The whole wizard flow on a company file, as a user runs it, with a heartbeat on the
    window's event loop: every gap between two beats from Next on the organisation page
    (the options page fetches) through the review, the preview and the import to the result
    page. The window is the product's own (``open_wizard``: its engine process included);
    the Demo Company's simulators in their own process, as the app runs them. The keyring is
    an in-memory one (the sign-ins' reads are not what this measures)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    data, work = Path(args[0]), Path(args[1])
    work.mkdir(parents=True, exist_ok=True)
    os.environ["XQB_HOME"] = str(work / "home")
    import keyring

    from core.app.context import AppContext
    from core.sandbox.process import DemoCompanyProcess
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore
    from tests.benchmarks.harness import MemoryKeyring, tenant_of
    from wizard.app import ensure_app, open_wizard
    from wizard.state import PageId

    app = ensure_app()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    box = DemoCompanyProcess.start(data, work / "state", log_file=work / "demo.log")
    ctx = AppContext.create(
        demo=True,
        paths=AppPaths.default().ensure(),
        tokens=TokenStore(backend, trust_backend=True),
        opener=demo_consent_opener([tenant_of(data)]),
        sandbox=box,
    )
    ctx.open_db()
    wizard = open_wizard(ctx, "en")
    gaps: list[float] = []
    over_pages: list[str] = []
    beat: dict[str, object] = {"last": None, "on": False, "until": None}

    def tick() -> None:
        now = time.perf_counter()
        last = beat["last"]
        if beat["on"] and isinstance(last, float):
            gap = 1000 * (now - last)
            gaps.append(gap)
            if gap > STALL_LIMIT_MS:
                over_pages.append(type(wizard.currentPage()).__name__)
                if os.environ.get("XQB_BENCH_DEBUG"):
                    print(f"[stall] {gap:.0f} ms on {over_pages[-1]}", file=sys.stderr)
        beat["last"] = now
        pending = beat["until"]
        if pending is not None and pending[0]():  # type: ignore[index]
            pending[1].quit()  # type: ignore[index]

    def until(condition, timeout_ms: int) -> None:
        """Run the event loop until ``condition`` holds, checked by the heartbeat itself: the
        wait adds no work of its own to the window's thread."""
        if condition():
            return
        loop = QEventLoop()
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        beat["until"] = (condition, loop)
        deadline.start(timeout_ms)
        try:
            loop.exec()
        finally:
            deadline.stop()
            beat["until"] = None
        if not condition():
            page = wizard.currentPage()
            banner = getattr(getattr(page, "banner", None), "label", None)
            raise SystemExit(
                f"not done after {timeout_ms} ms on {type(page).__name__}: "
                f"{banner.text() if banner is not None else ''}"
            )

    timer = QTimer()
    timer.setInterval(BEAT_MS)
    timer.timeout.connect(tick)
    timer.start()
    pages = wizard.pages
    try:
        # The first pages (not measured): country, QuickBooks Time key, Xero sign-in,
        # the organisation (with payroll access).
        welcome = pages[PageId.WELCOME]
        QTest.keyClicks(welcome.search, "Australia")
        QTest.keyClick(welcome.search, Qt.Key.Key_Return)
        wizard.next()
        qbt = pages[PageId.QBTIME]
        until(lambda: wizard.currentId() == int(PageId.QBTIME), 30_000)
        QTest.keyClicks(qbt.key_edit, box.qbtime_token)
        QTest.keyClick(qbt.key_edit, Qt.Key.Key_Return)
        until(lambda: not qbt.busy and qbt.isComplete(), 60_000)
        wizard.next()
        xero = pages[PageId.XERO_CONNECT]
        until(lambda: wizard.currentId() == int(PageId.XERO_CONNECT) and not xero.busy, 60_000)
        xero.connect_button.click()
        until(lambda: not xero.busy and xero.isComplete(), 60_000)
        wizard.next()
        org = pages[PageId.ORGANISATION]
        until(
            lambda: (
                wizard.currentId() == int(PageId.ORGANISATION)
                and (org.isComplete() or org.payroll_access.isVisible())
            ),
            60_000,
        )
        if org.payroll_access.isVisible():
            org.payroll_button.click()
        until(lambda: not org.busy and org.isComplete(), 60_000)

        started = time.perf_counter()
        profile = None
        if os.environ.get("XQB_BENCH_PROFILE"):  # where the window's thread spends the flow
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        if os.environ.get("XQB_BENCH_GC"):  # the window's own full collections, timed
            import gc

            gc_start: dict[str, float] = {}

            def on_gc(phase: str, info: dict) -> None:
                if info["generation"] != 2:
                    return
                if phase == "start":
                    gc_start["t"] = time.perf_counter()
                else:
                    took = 1000 * (time.perf_counter() - gc_start.get("t", time.perf_counter()))
                    print(f"[gc2] {took:.0f} ms, {len(gc.get_objects())} objects", file=sys.stderr)

            gc.callbacks.append(on_gc)
        beat["on"] = True  # from Next on the organisation page to the result page
        wizard.next()  # the options page: the fetch starts
        options = pages[PageId.OPTIONS]
        until(lambda: wizard.currentId() == int(PageId.OPTIONS) and not options.busy, 600_000)
        if not options.isComplete():
            raise SystemExit(f"options: {options.banner.label.text()}")
        wizard.next()
        review = pages[PageId.REVIEW]
        until(lambda: wizard.currentId() == int(PageId.REVIEW) and not review.busy, 300_000)
        wizard.next()  # what is not decided waits for the next time
        preview = pages[PageId.PREVIEW]
        until(lambda: wizard.currentId() == int(PageId.PREVIEW) and not preview.busy, 300_000)
        wizard.next()
        run = pages[PageId.IMPORT]
        until(lambda: wizard.currentId() == int(PageId.IMPORT), 60_000)
        until(lambda: not run.running, 900_000)
        if not run.isComplete():
            raise SystemExit(f"import: {run.banner.label.text()}")
        wizard.next()
        done = pages[PageId.DONE]
        until(lambda: wizard.currentId() == int(PageId.DONE) and not done.busy, 60_000)
        # one heartbeat more: the gap holding the move to the result page is counted too
        # (the page may be ready as soon as it is shown: no heartbeat would have seen it)
        seen = len(gaps)
        until(lambda: len(gaps) > seen, 60_000)
        beat["on"] = False
        flow_s = time.perf_counter() - started
        if profile is not None:
            import pstats

            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
        last = wizard.state.last_run
        status = last.status if last is not None else None
        engine = getattr(ctx.engine, "pid", None)
    finally:
        timer.stop()
        wizard.stop_background_work()
        ctx.close()
    if status != "done":
        raise SystemExit(f"the import ended {status!r}")
    print(
        json.dumps(
            {
                "gaps_ms": [round(g, 2) for g in gaps],
                "over_pages": over_pages,
                "flow_s": flow_s,
                "engine_pid": engine,
                "window_pid": os.getpid(),
                "peak_rss_mb": _peak_rss_mb(),
            }
        ),
        flush=True,
    )
    app.processEvents()
    sys.stdout.flush()
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
    "cold_start_prepare": cold_start_prepare,
    "ui_flow": ui_flow,
}

if __name__ == "__main__":
    if os.environ.get("XQB_BENCH_PROFILE_START"):
        import cProfile

        _START_PROFILE = cProfile.Profile()
        _START_PROFILE.enable()
    sys.path.insert(0, str(ROOT))
    KINDS[sys.argv[1]](sys.argv[2:])
