"""The wizard makes its pages when they are first needed: navigation must not notice.

BridgeWizard opens with only its first page; going forward makes the next page before QWizard
switches to it, ``wizard.pages[...]`` and ``wizard.page(...)`` make a page when asked for,
and the window opens without importing the other pages (a subprocess checks the real start).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt

from tests.conftest import ROOT
from wizard.state import FLOW, PageId, WizardState
from wizard.wizard import BridgeWizard, page_class, page_classes


@pytest.fixture
def make_wizard(demo_env, qtbot):
    made = []

    def make(state: WizardState, **kwargs) -> BridgeWizard:
        wizard = BridgeWizard(state, **kwargs)
        qtbot.addWidget(wizard)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.stop_background_work()


def test_only_the_start_page_is_made_at_first(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    assert list(wizard.pages.built()) == [PageId.WELCOME]
    assert wizard.pageIds() == [int(PageId.WELCOME)]
    assert wizard.currentId() == int(PageId.WELCOME)
    assert type(wizard.currentPage()).__name__ == "WelcomePage"

    home = make_wizard(WizardState(ctx), already_set_up=True)
    assert list(home.pages.built()) == [PageId.HOME]
    assert home.currentId() == int(PageId.HOME)


def test_the_pages_mapping_makes_a_page_only_when_asked_for(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    # Knowing which pages exist makes none of them.
    assert len(wizard.pages) == len(PageId)
    assert list(wizard.pages) == list(PageId)
    assert PageId.REVIEW in wizard.pages and int(PageId.DONE) in wizard.pages
    assert 99 not in wizard.pages and "review" not in wizard.pages
    assert wizard.has_page(int(PageId.DONE)) and not wizard.has_page(99)
    wizard.stop_background_work()   # asks only the pages made so far
    assert list(wizard.pages.built()) == [PageId.WELCOME]
    with pytest.raises(KeyError):
        wizard.pages[99]

    review = wizard.pages[PageId.REVIEW]
    assert isinstance(review, page_class(PageId.REVIEW))
    assert wizard.pages[int(PageId.REVIEW)] is review        # made once
    assert wizard.page(int(PageId.REVIEW)) is review
    assert review.wizard() is wizard
    done = wizard.page(int(PageId.DONE))                      # QWizard.page() makes it too
    assert done is wizard.pages[PageId.DONE]
    assert wizard.page(99) is None
    assert set(wizard.pages.built()) == {PageId.WELCOME, PageId.REVIEW, PageId.DONE}
    assert sorted(wizard.pageIds()) == sorted(int(p) for p in wizard.pages.built())

    # values()/items() make every page (the self-test counts them)
    assert [type(p) for p in wizard.pages.values()] == list(page_classes().values())
    assert len(wizard.pages.built()) == len(PageId)


def test_every_page_is_reached_forward_and_made_on_the_way(demo_env, make_wizard, qtbot):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    for page_id in FLOW[1:]:
        assert not wizard.pages.is_built(page_id)
        wizard.next_to(page_id)
        assert wizard.currentId() == int(page_id), page_id
        assert wizard.pages.is_built(page_id)
        page = wizard.currentPage()
        assert page is wizard.pages[page_id]
        assert isinstance(page, page_class(page_id))
        assert page.isVisible() and page.title()
        wizard.back()
        assert wizard.currentId() == int(PageId.WELCOME)
    assert set(wizard.pages.built()) == set(FLOW)


def test_next_makes_the_next_page_then_back_and_next_again(demo_env, make_wizard, qtbot):
    ctx, _box, _t = demo_env
    state = WizardState(ctx)
    wizard = make_wizard(state)
    welcome = wizard.pages[PageId.WELCOME]
    qtbot.keyClicks(welcome.search, "Australia")
    qtbot.keyClick(welcome.search, Qt.Key.Key_Return)
    assert welcome.isComplete()
    assert not wizard.pages.is_built(PageId.QBTIME)
    next_button = wizard.button(wizard.WizardButton.NextButton)
    assert next_button.isVisible() and next_button.isEnabled()
    next_button.click()                           # the button, as a person would
    qtbot.waitUntil(lambda: wizard.currentId() == int(PageId.QBTIME), timeout=5000)
    qbtime = wizard.pages[PageId.QBTIME]
    assert wizard.currentPage() is qbtime and qbtime.isVisible()
    assert set(wizard.pages.built()) == {PageId.WELCOME, PageId.QBTIME}
    wizard.back()
    assert wizard.currentId() == int(PageId.WELCOME)
    wizard.next()
    assert wizard.currentPage() is qbtime         # the same page, not a second one
    assert len(wizard.pageIds()) == 2


def test_the_import_page_goes_on_to_the_result_page_not_made_yet(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    wizard.next_to(PageId.IMPORT)
    run = wizard.pages[PageId.IMPORT]
    assert not wizard.pages.is_built(PageId.DONE)
    assert run.nextId() == int(PageId.DONE)       # known, though not made yet
    assert not wizard.pages.is_built(PageId.DONE)


def test_starting_again_elsewhere_makes_that_page(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx), already_set_up=True)
    wizard.setStartId(int(PageId.WELCOME))        # as the home page does after Disconnect
    wizard.restart()
    assert wizard.currentId() == int(PageId.WELCOME)
    assert wizard.currentPage() is wizard.pages[PageId.WELCOME]


def test_the_app_opens_without_the_other_pages_and_settles_its_heap(tmp_path):
    """The real start (main.main, as the desktop shortcut runs it), in its own process: the
    first page shows without importing the other pages, babel, the review or the plan."""
    script = textwrap.dedent("""
        import gc, json, os, sys
        import keyring.backend
        import main
        import wizard.app
        from core.store.secrets import TokenStore
        from PySide6.QtCore import QTimer

        class Memory(keyring.backend.KeyringBackend):
            priority = 1
            def get_password(self, service, username): return None
            def set_password(self, service, username, password): pass
            def delete_password(self, service, username): pass

        seen = {}
        def look():
            app = wizard.app.QApplication.instance()
            window = next(w for w in app.topLevelWidgets() if w.isVisible())
            seen.update(page=type(window.currentPage()).__name__,
                        built=[p.name for p in window.pages.built()],
                        modules=sorted(m for m in sys.modules if m.startswith(
                            ("wizard.pages.", "babel", "core.engine.plan", "core.engine.review",
                             "core.engine.matching", "rapidfuzz"))),
                        gc_enabled=gc.isenabled(), frozen=gc.get_freeze_count(),
                        settle=window.tasks.settle_after_tasks)
            app.quit()

        ensure_app = wizard.app.ensure_app
        def ensure_and_look():
            app = ensure_app()
            QTimer.singleShot(0, look)
            return app
        wizard.app.ensure_app = ensure_and_look
        make_context = main.make_context
        main.make_context = lambda args, paths, **kw: make_context(
            args, paths, **{**kw, "tokens": TokenStore(Memory(), trust_backend=True)})
        code = main.main([])
        print(json.dumps({"code": code, **seen}), flush=True)
        os._exit(0)
    """)
    env = {**os.environ, "XQB_HOME": str(tmp_path), "XQB_XERO_CLIENT_ID": "test-client",
           "QT_QPA_PLATFORM": "offscreen", "LANG": "en_US.UTF-8"}
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    assert seen["page"] == "WelcomePage" and seen["built"] == ["WELCOME"]
    assert seen["modules"] == ["wizard.pages.base", "wizard.pages.welcome"]
    # The start's heap is frozen, collection is back on, and pages' data will be settled too.
    assert seen["gc_enabled"] and seen["frozen"] > 10_000 and seen["settle"]


def test_a_task_settles_the_heap_when_the_app_asks(demo_env, make_wizard, qtbot):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    before = gc.get_freeze_count()
    results = []
    wizard.tasks.start(lambda: 1, on_done=results.append)
    qtbot.waitUntil(lambda: bool(results) and not wizard.tasks.busy(), timeout=5000)
    assert gc.get_freeze_count() == before          # off unless the app turned it on
    wizard.tasks.settle_after_tasks = True
    kept = [[] for _ in range(1000)]
    try:
        wizard.tasks.start(lambda: 2, on_done=results.append)
        qtbot.waitUntil(lambda: len(results) == 2 and not wizard.tasks.busy(), timeout=5000)
        assert gc.get_freeze_count() >= before + len(kept)
    finally:
        gc.unfreeze()   # the rest of the test session collects as usual
    assert results == [1, 2]


def test_a_task_result_is_settled_before_the_page_gets_it(demo_env, make_wizard, qtbot):
    """What the task made is frozen in the worker, before on_done runs on the UI thread
    (where building tables from it may trigger a full collection)."""
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    wizard.tasks.settle_after_tasks = True
    seen = []

    def task():
        made = [[] for _ in range(5000)]
        return made, gc.get_freeze_count()

    try:
        wizard.tasks.start(task, on_done=lambda r: seen.append((r, gc.get_freeze_count())))
        qtbot.waitUntil(lambda: bool(seen) and not wizard.tasks.busy(), timeout=5000)
        (made, frozen_in_task), frozen_on_done = seen[0]
        assert frozen_on_done >= frozen_in_task + len(made)
    finally:
        gc.unfreeze()


def test_no_full_collection_while_settled_tasks_run(demo_env, make_wizard, qtbot):
    """While the app's tasks build large data, full collections (which would walk it all,
    holding the lock the window needs) wait; the thresholds come back when they end."""
    from wizard.workers import NO_FULL_COLLECTION

    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    wizard.tasks.settle_after_tasks = True
    before = gc.get_threshold()
    seen = []
    try:
        wizard.tasks.start(lambda: gc.get_threshold(), on_done=seen.append)
        qtbot.waitUntil(lambda: bool(seen) and not wizard.tasks.busy(), timeout=5000)
        assert seen[0][2] == NO_FULL_COLLECTION and seen[0][:2] == before[:2]
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_other_pages_are_imported_in_the_background_once():
    script = textwrap.dedent("""
        import gc, json, sys
        import wizard.wizard as w
        before = sorted(m for m in sys.modules if m.startswith("wizard.pages."))
        frozen = gc.get_freeze_count()
        thread = w.preload_pages(settle=True)
        assert w.preload_pages() is thread   # once per process
        thread.join(60)
        after = sorted(m for m in sys.modules if m.startswith("wizard.pages."))
        print(json.dumps({"before": before, "after": after, "name": thread.name,
                          "settled": gc.get_freeze_count() > frozen}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["before"] == []
    assert {f"wizard.pages.{m}" for m in ("home", "welcome", "qbtime", "xero_connect",
                                          "organisation", "options", "review", "preview", "run",
                                          "done")} <= set(seen["after"])
    assert seen["name"] == "page-preload" and seen["settled"]
