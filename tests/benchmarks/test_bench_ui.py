"""Benchmark 7: UI responsiveness. The longest event-loop stall while the wizard fetches,
plans and imports an organisation (the Demo Company's simulators in a child process, as the
wizard runs them: their work is not the window's), and cold start to the first page painted vs a bare
QWizard (each in a fresh subprocess)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

import pytest

from tests.benchmarks.harness import median, run_worker

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

pytestmark = pytest.mark.benchmark

COLD_REPEATS = 5
# The whole large organisation takes minutes to import against the simulators (see the
# API-economy row); the UI run uses a 2,000-contact organisation of the same generator so
# `make bench` stays near 10 minutes. The stall is per event, not per organisation size,
# except for main-thread work proportional to the rows shown (review/preview tables).
UI_CONTACTS, UI_EMPLOYEES, UI_ITEMS = 2_000, 60, 100


def test_cold_start(results, tmp_path_factory):
    # Started as a person starts it: an installed copy runs from compiled bytecode (pip and
    # the packaged builds compile it). A checkout run with PYTHONDONTWRITEBYTECODE=1 would
    # compile the app's own modules again at every start, a cost no user pays, so both sides
    # get a bytecode cache of their own (outside the checkout), filled by a first run of each
    # that is not counted. The app side is the product's own start (workers.cold_start).
    cache = tmp_path_factory.mktemp("bytecode")
    env = {"PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": ""}
    for kind in ("bare", "app"):
        run_worker(["cold_start", kind, repr(time.time())], env=env)
    bare, app = [], []
    for _ in range(COLD_REPEATS):
        bare.append(run_worker(["cold_start", "bare", repr(time.time())], env=env)["first_paint_s"])
        app.append(run_worker(["cold_start", "app", repr(time.time())], env=env)["first_paint_s"])
    b, a = median(bare), median(app)
    results.add(
        "cold start to first page painted / bare QWizard",
        a / b,
        "ratio",
        "<= 1.5",
        a / b <= 1.5,
        f"{a:.3f} s vs {b:.3f} s, median of {COLD_REPEATS}, subprocess each, "
        "bytecode compiled (first run of each not counted)",
    )


STALL_REPEATS = 3
#: set in the child process that measures one stall (its path receives the figure)
STALL_CHILD = "XQB_BENCH_STALL_OUT"


def test_event_loop_stall(tmp_path, results):
    """Each run in a fresh process, like the app: the other benchmarks' data (10,000 x 10,000
    names, the large organisation) must not sit in the heap the collector walks."""
    import json
    import os
    import subprocess
    import sys

    from tests.benchmarks.harness import ROOT

    runs = []
    for i in range(STALL_REPEATS):
        out = tmp_path / f"stall-{i}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                f"{__file__}::test_event_loop_stall_child",
                "-p",
                "no:cacheprovider",
                "-q",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, STALL_CHILD: str(out), "QT_QPA_PLATFORM": "offscreen"},
        )
        assert proc.returncode == 0 and out.exists(), proc.stdout[-3000:] + proc.stderr[-2000:]
        runs.append(json.loads(out.read_text())["stall_ms"])
    stall_ms = median(runs)
    results.add(
        "UI: longest event-loop stall during fetch/review/preview/import",
        stall_ms,
        "ms",
        "<= 50",
        stall_ms <= 50,
        f"{UI_CONTACTS}-contact organisation (not the 10,000 one: time budget), the "
        "simulators in a child process as the wizard runs them; median of "
        f"{STALL_REPEATS} runs, each in a fresh process: "
        + ", ".join(f"{r:.0f}" for r in runs)
        + " ms",
    )


@pytest.mark.skipif(
    not __import__("os").environ.get(STALL_CHILD),
    reason="one stall measurement, run by test_event_loop_stall in a subprocess",
)
def test_event_loop_stall_child(tmp_path, qtbot, qapp):
    import json
    import os

    import keyring
    from PySide6.QtCore import QEventLoop, QTimer

    from core.app.context import AppContext
    from core.sandbox.common import atomic_write_json
    from core.sandbox.demo_data import generate_large
    from core.sandbox.process import DemoCompanyProcess
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore
    from tests.benchmarks.harness import MemoryKeyring, tenant_of
    from tests.gui.test_e2e_flow import _walk_to_options
    from wizard.app import open_wizard
    from wizard.i18n import install_language
    from wizard.pages.review import ReviewPage
    from wizard.pages.run import RunPage
    from wizard.state import PageId

    data = tmp_path / "ui.json"
    atomic_write_json(
        data,
        generate_large(
            contacts=UI_CONTACTS, employees=UI_EMPLOYEES, items=UI_ITEMS, region="AU", seed=2
        ),
    )
    install_language("en")
    backend = cast("KeyringBackend", MemoryKeyring())  # a factory: it makes a KeyringBackend
    keyring.set_keyring(backend)
    # As the wizard runs it (main.py): the simulators in a child process, out of the window's.
    box = DemoCompanyProcess.start(data, tmp_path / "state", log_file=tmp_path / "demo.log")
    tenant = tenant_of(data)
    ctx = AppContext.create(
        demo=True,
        paths=AppPaths.default().ensure(),
        tokens=TokenStore(backend, trust_backend=True),
        opener=demo_consent_opener([tenant]),
        sandbox=box,
    )
    ctx.open_db()
    # As the app starts (wizard/app.py run_wizard): built and shown.
    wizard = open_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    gaps: dict[str, Any] = {"max": 0.0, "last": None, "on": False}
    waiting: dict[str, tuple] = {}

    def beat():
        now = time.perf_counter()
        if gaps["on"] and gaps["last"] is not None:
            gaps["max"] = max(gaps["max"], now - gaps["last"])
            if now - gaps["last"] > 0.05:  # over the target
                import os

                if os.environ.get("XQB_BENCH_DEBUG"):
                    print(
                        f"[stall] {1000 * (now - gaps['last']):.0f} ms on page {wizard.currentId()}"
                    )
        gaps["last"] = now
        pending = waiting.get("until")
        if pending is not None and pending[0]():
            pending[1].quit()

    def until(condition, timeout_ms):
        """Run the event loop until ``condition`` holds, checked by the heartbeat itself: the
        wait adds no work of its own to the UI thread (pytest-qt's waitUntil makes an event
        loop, a timer and a signal blocker every 10 ms, each call needing the interpreter
        lock, which the import's threads hold: the harness then measured its own waits)."""
        if condition():
            return
        loop = QEventLoop()
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        waiting["until"] = (condition, loop)
        deadline.start(timeout_ms)
        try:
            loop.exec()
        finally:
            deadline.stop()
            waiting.pop("until", None)
        assert condition(), f"not done after {timeout_ms} ms"

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(beat)
    timer.start()
    try:
        _walk_to_options(qtbot, wizard, box, "AU")
        gaps["on"] = True  # from "Next" on Options to the import's end
        wizard.next()
        review = wizard.pages[PageId.REVIEW]
        assert isinstance(review, ReviewPage)
        until(lambda: wizard.currentId() == int(PageId.REVIEW) and not review.busy, 300_000)
        assert review.isComplete()  # what is not decided waits for the next time
        wizard.next()
        preview = wizard.pages[PageId.PREVIEW]
        until(lambda: wizard.currentId() == int(PageId.PREVIEW) and not preview.busy, 300_000)
        wizard.next()
        run = wizard.pages[PageId.IMPORT]
        assert isinstance(run, RunPage)
        until(lambda: wizard.currentId() == int(PageId.IMPORT), 60_000)
        until(lambda: not run.running, 600_000)
        gaps["on"] = False
    finally:
        timer.stop()
        wizard.stop_background_work()
        ctx.close()
    stall_ms = gaps["max"] * 1000
    with open(os.environ[STALL_CHILD], "w", encoding="utf-8") as fh:
        json.dump({"stall_ms": stall_ms}, fh)
