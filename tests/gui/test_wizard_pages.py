"""The wizard makes its pages when they are first needed: navigation must not notice.

BridgeWizard opens with only its first page; going forward makes the next page before QWizard
switches to it, ``wizard.pages[...]`` and ``wizard.page(...)`` make a page when asked for,
and the window opens without importing the other pages (a subprocess checks the real start).
"""

from __future__ import annotations

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
    wizard.stop_background_work()  # asks only the pages made so far
    assert list(wizard.pages.built()) == [PageId.WELCOME]
    with pytest.raises(KeyError):
        wizard.pages[99]

    review = wizard.pages[PageId.REVIEW]
    assert isinstance(review, page_class(PageId.REVIEW))
    assert wizard.pages[int(PageId.REVIEW)] is review  # made once
    assert wizard.page(int(PageId.REVIEW)) is review
    assert review.wizard() is wizard
    done = wizard.page(int(PageId.DONE))  # QWizard.page() makes it too
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
    next_button.click()  # the button, as a person would
    qtbot.waitUntil(lambda: wizard.currentId() == int(PageId.QBTIME), timeout=5000)
    qbtime = wizard.pages[PageId.QBTIME]
    assert wizard.currentPage() is qbtime and qbtime.isVisible()
    assert set(wizard.pages.built()) == {PageId.WELCOME, PageId.QBTIME}
    wizard.back()
    assert wizard.currentId() == int(PageId.WELCOME)
    wizard.next()
    assert wizard.currentPage() is qbtime  # the same page, not a second one
    assert len(wizard.pageIds()) == 2


def test_the_import_page_goes_on_to_the_result_page_not_made_yet(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx))
    wizard.next_to(PageId.IMPORT)
    run = wizard.pages[PageId.IMPORT]
    assert not wizard.pages.is_built(PageId.DONE)
    assert run.nextId() == int(PageId.DONE)  # known, though not made yet
    assert not wizard.pages.is_built(PageId.DONE)


def test_starting_again_elsewhere_makes_that_page(demo_env, make_wizard):
    ctx, _box, _t = demo_env
    wizard = make_wizard(WizardState(ctx), already_set_up=True)
    wizard.setStartId(int(PageId.WELCOME))  # as the home page does after Disconnect
    wizard.restart()
    assert wizard.currentId() == int(PageId.WELCOME)
    assert wizard.currentPage() is wizard.pages[PageId.WELCOME]


def _start_the_app(tmp_path, argv):
    """The real start (main.main, as the desktop shortcut runs it), in its own process, with
    an in-memory keyring; what the open window looks like, and what the process holds."""
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
            demo = window.state.ctx.sandbox
            seen.update(page=type(window.currentPage()).__name__,
                        built=[p.name for p in window.pages.built()],
                        modules=sorted(m for m in sys.modules if m.startswith(
                            ("wizard.pages.", "babel", "core.engine.plan", "core.engine.review",
                             "core.engine.matching", "rapidfuzz"))),
                        simulators=sorted(m for m in sys.modules if m.split(".")[0] == "werkzeug"
                                          or m in ("core.sandbox.server", "core.sandbox.common",
                                                   "core.sandbox.xero", "core.sandbox.qbtime")),
                        demo_pid=getattr(demo, "pid", None),
                        gc_enabled=gc.isenabled(), frozen=gc.get_freeze_count(),
                        thresholds=gc.get_threshold(), default_thresholds=THRESHOLDS)
            app.quit()

        THRESHOLDS = gc.get_threshold()
        ensure_app = wizard.app.ensure_app
        def ensure_and_look():
            app = ensure_app()
            QTimer.singleShot(0, look)
            return app
        wizard.app.ensure_app = ensure_and_look
        make_context = main.make_context
        main.make_context = lambda args, paths, **kw: make_context(
            args, paths, **{**kw, "tokens": TokenStore(Memory(), trust_backend=True)})
        code = main.main(ARGV)
        print(json.dumps({"code": code, **seen}), flush=True)
        os._exit(0)
    """).replace("ARGV", repr(argv))
    env = {
        **os.environ,
        "XQB_HOME": str(tmp_path),
        "XQB_XERO_CLIENT_ID": "test-client",
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "en_US.UTF-8",
    }
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    return seen


def test_the_app_opens_without_the_other_pages_and_leaves_the_collector_alone(tmp_path):
    """The first page shows without importing the other pages, babel, the review or the plan;
    garbage collection is Python's own (no pause, no freeze, no changed threshold)."""
    seen = _start_the_app(tmp_path, [])
    assert seen["page"] == "WelcomePage" and seen["built"] == ["WELCOME"]
    assert seen["modules"] == ["wizard.pages.base", "wizard.pages.welcome"]
    assert seen["gc_enabled"] and seen["frozen"] == 0
    assert seen["thresholds"] == seen["default_thresholds"]
    assert seen["demo_pid"] is None and seen["simulators"] == []


def test_the_wizard_runs_the_demo_company_in_a_child_process(tmp_path):
    """`--demo`: the simulators run in a child process, none of their code in the window's;
    the child is gone once the app has ended."""
    from tests.sandbox.test_demo_company_process import alive

    seen = _start_the_app(tmp_path, ["--demo", "--demo-state", str(tmp_path / "demo")])
    assert seen["page"] == "WelcomePage"
    assert seen["simulators"] == []
    assert seen["demo_pid"] and seen["demo_pid"] != os.getpid()
    assert not alive(seen["demo_pid"])
    assert (tmp_path / "demo" / "company.json").exists()


def test_the_other_pages_are_imported_in_the_background_once():
    script = textwrap.dedent("""
        import json, sys
        import wizard.wizard as w
        before = sorted(m for m in sys.modules if m.startswith("wizard.pages."))
        thread = w.preload_pages()
        assert w.preload_pages() is thread   # once per process
        thread.join(60)
        after = sorted(m for m in sys.modules if m.startswith("wizard.pages."))
        print(json.dumps({"before": before, "after": after, "name": thread.name}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["before"] == []
    assert {
        f"wizard.pages.{m}"
        for m in (
            "home",
            "welcome",
            "qbtime",
            "xero_connect",
            "organisation",
            "options",
            "review",
            "preview",
            "run",
            "done",
        )
    } <= set(seen["after"])
    assert seen["name"] == "page-preload"
