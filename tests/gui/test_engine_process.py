"""The wizard with its engine process (wizard.tasks.start_engine_process, as the app opens
it): the pages' fetch, review, plan and import run in the child; the window's process runs
none of them, and the import page's Stop still stops the import between batches."""

from __future__ import annotations

import os

import pytest

from core.engine.importer import ProgressEvent
from tests.gui.test_e2e_flow import _wait, _walk_to_options
from wizard.state import PageId, WizardState
from wizard.tasks import start_engine_process
from wizard.wizard import BridgeWizard


def _not_here(name: str):
    def refuse(*args, **kwargs):
        raise AssertionError(f"{name} ran in the window's process")

    return refuse


@pytest.fixture
def engine_wizard(demo_env, qtbot, monkeypatch):
    ctx, box, _tenants = demo_env
    # What runs in the window's process refuses: each page must reach the child instead.
    import core.app.resume
    import core.app.review_screen
    import core.app.sync

    state = WizardState(ctx)
    wizard = BridgeWizard(state)
    qtbot.addWidget(wizard)
    wizard.show()
    start_engine_process(ctx)
    _wait(qtbot, lambda: ctx.engine is not None and ctx.engine.pid is not None, 30000)
    assert ctx.engine.pid != os.getpid()
    for module, name in (
        (core.app.resume, "fetch"),
        (core.app.resume, "run_import"),
        (core.app.review_screen, "load_review"),
        (core.app.sync, "current_plan"),
    ):
        monkeypatch.setattr(module, name, _not_here(name))
    yield wizard, box
    wizard.stop_background_work()
    ctx.close()


def test_fetch_review_preview_and_import_run_in_the_engine_process(engine_wizard, qtbot):
    wizard, box = engine_wizard
    _walk_to_options(qtbot, wizard, box, "AU")  # the options page fetched
    state = wizard.state
    assert state.fetched and not wizard.pages[PageId.OPTIONS].banner.isVisible()
    wizard.next()
    review = wizard.pages[PageId.REVIEW]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.REVIEW) and not review.busy)
    assert review.loaded and review.proxy.rowCount() > 10
    wizard.next()
    preview = wizard.pages[PageId.PREVIEW]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.PREVIEW) and not preview.busy)
    assert state.plan is not None and state.plan.actions
    wizard.next()
    run = wizard.pages[PageId.IMPORT]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.IMPORT))
    _wait(qtbot, lambda: not run.running, 60000)
    assert state.last_run is not None and state.last_run.status == "done"
    names = [j["name"] for j in box.store.qbtime["jobcodes"] if j["active"] and j["parent_id"] == 0]
    assert len(names) == len(set(names)), "no duplicate customers"


def test_stop_on_the_import_page_stops_the_child_between_batches(engine_wizard, qtbot):
    wizard, box = engine_wizard
    _walk_to_options(qtbot, wizard, box, "AU")
    wizard.next()
    review = wizard.pages[PageId.REVIEW]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.REVIEW) and not review.busy)
    wizard.next()
    preview = wizard.pages[PageId.PREVIEW]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.PREVIEW) and not preview.busy)
    total = len(wizard.state.plan.actions)
    run = wizard.pages[PageId.IMPORT]
    progress = run._progress

    def stop_after_first_batch(event):  # press Stop as soon as a batch is reported
        progress(event)
        if isinstance(event, ProgressEvent) and event.done > 0:
            run.stop_button.click()

    run._progress = stop_after_first_batch
    wizard.next()
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.IMPORT))
    _wait(qtbot, lambda: not run.running, 60000)
    last = wizard.state.last_run
    assert last is not None and last.status == "cancelled"
    done = sum(sum(k.values()) for k in (last.counts or {}).get("outcomes", {}).values())
    assert 0 < done < total


def test_the_home_page_checks_and_plans_in_the_engine_process(connected_env, qtbot, monkeypatch):
    """A returning user: the home page's check for changes (a fetch) and "Import again" (a
    plan) run in the engine process."""
    import core.app.sync
    import core.services.fetch
    from wizard.app import build_wizard

    ctx, _box, _tenants, _conn = connected_env
    wizard = build_wizard(ctx, "en")
    qtbot.addWidget(wizard)
    start_engine_process(ctx)
    _wait(qtbot, lambda: ctx.engine is not None and ctx.engine.pid is not None, 30000)
    monkeypatch.setattr(core.services.fetch, "fetch", _not_here("fetch"))
    monkeypatch.setattr(core.app.sync, "current_plan", _not_here("current_plan"))
    wizard.show()
    home = wizard.pages[PageId.HOME]
    assert wizard.currentId() == int(PageId.HOME)
    _wait(qtbot, lambda: home._changes is not None and not home.busy, 60000)
    assert not home.banner.isVisible() or "wrong" not in home.banner.label.text()
    wizard.next()  # Import again: planned in the engine, then the review or the preview
    _wait(qtbot, lambda: wizard.currentId() in (int(PageId.REVIEW), int(PageId.PREVIEW)), 60000)
    assert wizard.state.plan is not None
    wizard.stop_background_work()
