"""The wizard window: page ids in an IntEnum, one module per page, no business rule here."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget, QWizard

from .i18n import resources_dir
from .state import PageId, WizardState
from .workers import TaskRunner

log = logging.getLogger(__name__)


def page_classes() -> dict[PageId, type]:
    from .pages.done import DonePage
    from .pages.home import HomePage
    from .pages.options import OptionsPage
    from .pages.organisation import OrganisationPage
    from .pages.preview import PreviewPage
    from .pages.qbtime import QBTimePage
    from .pages.review import ReviewPage
    from .pages.run import RunPage
    from .pages.welcome import WelcomePage
    from .pages.xero_connect import XeroConnectPage

    return {PageId.HOME: HomePage, PageId.WELCOME: WelcomePage, PageId.QBTIME: QBTimePage,
            PageId.XERO_CONNECT: XeroConnectPage, PageId.ORGANISATION: OrganisationPage,
            PageId.OPTIONS: OptionsPage, PageId.REVIEW: ReviewPage, PageId.PREVIEW: PreviewPage,
            PageId.IMPORT: RunPage, PageId.DONE: DonePage}


class BridgeWizard(QWizard):
    DEFAULT_SIZE = QSize(880, 640)

    def __init__(self, state: WizardState, *, already_set_up: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.tasks = TaskRunner(self)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        icon = resources_dir() / "icons" / "app.svg"
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self.pages = {}
        for page_id, cls in page_classes().items():
            page = cls(state)
            self.pages[page_id] = page
            self.setPage(int(page_id), page)
        self.setStartId(int(state.start_page(already_set_up)))
        self.resize(self.DEFAULT_SIZE)
        self.setMinimumSize(QSize(760, 560))
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Xero to QuickBooks Time"))

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def next_to(self, page_id: PageId) -> None:
        """Go forward to ``page_id`` (the home page's shortcuts); Back returns to here."""
        current = self.currentPage()
        original = current.nextId

        current.nextId = lambda: int(page_id)  # type: ignore[method-assign]
        try:
            self.next()
        finally:
            current.nextId = original  # type: ignore[method-assign]

    def stop_background_work(self) -> None:
        """Ask every page with work in flight (an import, a browser sign-in) to stop safely,
        then wait for the workers: an import stops between batches, never mid-batch."""
        for page in self.pages.values():
            cancel = getattr(page, "request_cancel", None)
            if cancel is not None:
                cancel()
        self.tasks.wait(15000)

    def reject(self) -> None:  # the Cancel button and Escape
        self.stop_background_work()
        super().reject()

    def closeEvent(self, event) -> None:
        self.stop_background_work()
        super().closeEvent(event)
