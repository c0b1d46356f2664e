"""What a page may ask of the window that holds it: the state, the task runner, navigation.

Pages know their host only through this interface (``BasePage.host``), never by downcasting
``QWizardPage.wizard()``: the app's ``BridgeWizard`` implements it, and so does the small
host the GUI tests put a single page in (tests/gui/conftest.py), checked by mypy.
The Qt methods listed are QWizard's own, named here so a page needs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractButton, QWizard, QWizardPage

    from core.app.context import AppContext

    from .state import PageId, WizardState
    from .workers import TaskRunner


class PageHost(Protocol):
    state: WizardState
    tasks: TaskRunner

    @property
    def ctx(self) -> AppContext:
        """The application context (keyring, database, clients) the pages work with."""
        ...

    # ------------------------------------------------------------------ navigation
    def next_to(self, page_id: PageId, /) -> None:
        """Go forward from the current page to ``page_id`` (a detour: the state's rule)."""
        ...

    def restart_at(self, page_id: PageId, /) -> None:
        """Start the wizard again on ``page_id`` (after a disconnection: the first page)."""
        ...

    def has_page(self, page_id: int, /) -> bool:
        """Whether the host has this page (made yet or not)."""
        ...

    def on_cancel(self, slot: Callable[[], None], /) -> None:
        """Call ``slot`` when the window is cancelled (Cancel, Escape)."""
        ...

    # ------------------------------------------------------------------ QWizard's own
    def next(self) -> None: ...

    def currentId(self) -> int: ...

    def currentPage(self) -> QWizardPage: ...

    def page(self, id: int, /) -> QWizardPage | None: ...

    def visitedIds(self) -> list[int]: ...

    def button(self, which: QWizard.WizardButton, /) -> QAbstractButton: ...
