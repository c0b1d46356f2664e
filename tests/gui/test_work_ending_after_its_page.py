"""The window closes without waiting long for work in flight (it greys, repaints, and goes
once the work ends, or after a while: wizard.BridgeWizard._ready_to_close). Work that ends
after its page is gone reports to nobody: it set the page's busy line, a deleted QLabel
("Internal C++ object already deleted" in the event loop; seen as a teardown error of
test_numbers_add_up)."""

from __future__ import annotations

import threading

import shiboken6

from wizard.state import PageId, WizardState

from .test_connect_pages import NextPage


def test_a_result_for_a_page_gone_is_dropped(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    wiz = host(WizardState(ctx, country="AU"), {PageId.OPTIONS: NextPage})
    page = wiz.pages[PageId.OPTIONS]
    release = threading.Event()
    told: list[object] = []
    page.run_task(lambda: release.wait(10), message="…", on_done=told.append)
    qtbot.waitUntil(lambda: page.busy, timeout=5000)
    shiboken6.delete(page.busy_label)  # the page's widgets go with a window that closed
    release.set()
    assert wiz.tasks.wait(5000)
    qtbot.wait(100)  # the result's signal is delivered (an exception there fails the test)
    assert told == []
