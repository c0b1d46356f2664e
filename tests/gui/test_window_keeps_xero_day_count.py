"""The window's tasks keep what Xero said of its requests left today, for `status`: after the
window previewed and sent hours, `status` still gave the count of the last command."""

from __future__ import annotations

import threading

from core.app.cli import calls_left_today
from wizard.state import WizardState
from wizard.wizard import BridgeWizard


def test_a_window_task_that_called_xero_keeps_the_count_xero_said(connected_env, qtbot):
    ctx, _box, _tenants, conn = connected_env
    assert calls_left_today(conn) is None  # (the fixture's calls were never kept)
    wizard = BridgeWizard(WizardState(ctx, language="en"))
    qtbot.addWidget(wizard)
    threads: list[threading.Thread] = []

    def read_the_organisation() -> str:
        threads.append(threading.current_thread())
        return ctx.xero_client(conn.xero_tenant_id).organisation().name

    done: list[object] = []
    wizard.tasks.start(read_the_organisation, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    heard = ctx.limiters.get(f"xero:{conn.xero_tenant_id}").day_remaining_said()
    assert heard is not None
    # kept on the task's thread before its result was told (the UI thread never waits on it)
    assert calls_left_today(conn) == heard[0]
    assert threads and threads[0] is not threading.main_thread()
    assert wizard.tasks.wait(10000)
