"""GUI fixtures: a connected Demo Company context, a wizard state, and a host for one page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

from core.app.context import AppContext
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.auth.xero_oauth import demo_consent_opener
from core.store.paths import AppPaths
from core.store.secrets import TokenStore
from wizard.i18n import install_language
from wizard.pages.base import BasePage
from wizard.state import PageId, WizardState
from wizard.workers import TaskRunner

ORGS = {"AU": "Maison Verdure Australia", "UK": "Maison Verdure UK", "CA": "Maison Verdure Québec"}

#: how long a test's windows may take to end their work once the test is over
WORK_ENDS_MS = 30000


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    """The test is over and pytest-qt has closed its windows, then told them what their work
    found (its events processed): a page told so may start more work (the home page reads
    its businesses again, counts the records waiting…). Every window's work ends here, and
    none is started any more, before the fixtures close the database and stop the
    simulators. Else that work ran on into their teardown and the next test: "Cannot use
    uninitialized Proxy" once the database was closed, or a read of the next test's database
    through this test's context.

    (Runs after pytest-qt's own teardown wrapper has closed the windows, before the
    fixtures' teardown: a plain hook, called inside every wrapper, ahead of pytest's own.)"""
    app = QApplication.instance()
    if app is None:
        return
    runners = [
        tasks
        for window in app.topLevelWidgets()
        if isinstance(tasks := getattr(window, "tasks", None), TaskRunner)
    ]
    for tasks in runners:
        tasks.refuse_new()
    for tasks in runners:
        tasks.wait(WORK_ENDS_MS)
    app.processEvents()  # their last reports, while what they read is still there


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """The windows the tests before closed are deleted before this test's fixtures run.
    pytest-qt only asks for it (deleteLater): they lived on until this test's first turn of
    the event loop, and a fixture switching the language (``install_language``) told them
    so: a review page left by test_newcomer_walk.py then read its database, closed since
    ("Cannot use uninitialized Proxy" at the setup of test_leave_links_dialog_rules.py)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class HostWizard(QWizard):
    """Hosts the page(s) under test as BridgeWizard does: a PageHost (wizard/host.py)."""

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.tasks = TaskRunner(self)
        self.pages: dict[PageId, QWizardPage] = {}

    def add(self, page_id: PageId, page: QWizardPage) -> None:
        self.pages[page_id] = page
        if isinstance(page, BasePage):
            page.attach(self)
        self.setPage(int(page_id), page)

    # PageHost
    @property
    def ctx(self) -> AppContext:
        return self.state.ctx

    def next_to(self, page_id: PageId) -> None:
        self.state.start_detour(PageId(self.currentId()), PageId(page_id))
        try:
            self.next()
        finally:
            self.state.end_detour()

    def restart_at(self, page_id: PageId) -> None:
        self.setStartId(int(page_id))
        self.restart()

    def has_page(self, page_id: int) -> bool:
        return self.page(page_id) is not None

    def on_cancel(self, slot: Callable[[], None]) -> None:
        self.rejected.connect(slot)


if TYPE_CHECKING:
    from wizard.host import PageHost

    def _implements_page_host(wizard: HostWizard) -> PageHost:
        return wizard


@pytest.fixture
def demo_env(tmp_path, memory_keyring, qapp):
    """(ctx, sandbox, tenants) over a fresh Demo Company; nothing connected yet.

    ``ctx.opener`` "clicks Allow" on the consent page for the AU organisation; set
    ``ctx.opener = demo_consent_opener([...])`` to choose others.
    """
    install_language("en")
    paths = AppPaths.default().ensure()
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "demo-state")
    tenants = {
        k: next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"] == v)
        for k, v in ORGS.items()
    }
    ctx = AppContext.create(
        demo=True,
        paths=paths,
        tokens=TokenStore(memory_keyring, trust_backend=True),
        opener=demo_consent_opener([tenants["AU"]]),
        sandbox=box,
    )
    ctx.open_db()
    yield ctx, box, tenants
    ctx.close()
    install_language("en")


@pytest.fixture
def connected_env(demo_env):
    """Like demo_env, plus QuickBooks Time and the AU organisation connected and fetched."""
    from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
    from core.services.fetch import fetch

    ctx, box, tenants = demo_env
    out = Output(as_json=True, stream=open("/dev/null", "w"))
    cmd_connect_qbtime(ctx, out, box.qbtime_token)
    cmd_connect_xero(ctx, out, None, None)
    conn = pick_connection(None)
    assert conn is not None
    fetch(ctx, conn)
    return ctx, box, tenants, conn


@pytest.fixture
def host(qtbot):
    """``host(state, {PageId: PageClass})`` -> a shown HostWizard with those pages."""
    made = []

    def make(state: WizardState, pages: dict, start: PageId | None = None) -> HostWizard:
        wizard = HostWizard(state)
        for page_id, cls in pages.items():
            wizard.add(page_id, cls(state))
        wizard.setStartId(int(start if start is not None else next(iter(pages))))
        qtbot.addWidget(wizard)
        wizard.resize(880, 640)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.tasks.wait(10000)
