"""What every page shares: a busy indicator, an error banner, background tasks, retranslation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from core.errors import BridgeError

from ..widgets import Banner
from ..workers import error_text

if TYPE_CHECKING:
    from ..host import PageHost
    from ..state import WizardState

T = TypeVar("T")


class BasePage(QWizardPage):
    """A wizard page: subclasses build widgets in ``build()`` and set texts in ``retranslate()``.

    ``run_task`` runs slow work in the pool and shows the page busy meanwhile; Next stays
    disabled until the page is ``ready()`` and not busy.
    """

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._host: PageHost | None = None
        self._busy = False
        self.outer = QVBoxLayout(self)
        self.body = QVBoxLayout()
        self.outer.addLayout(self.body, 1)
        self.busy_row = QWidget(self)
        row = QHBoxLayout(self.busy_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.busy_bar = QProgressBar(self.busy_row)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel(self.busy_row)
        self.busy_label.setWordWrap(True)
        row.addWidget(self.busy_bar)
        row.addWidget(self.busy_label, 1)
        self.busy_row.hide()
        self.banner = Banner(self)
        self.outer.addWidget(self.busy_row)
        self.outer.addWidget(self.banner)
        self.build()
        self.retranslate()

    # ------------------------------------------------------------------ for subclasses
    def build(self) -> None:
        """Create the widgets (into ``self.body``)."""

    def retranslate(self) -> None:
        """Set every visible text (called at creation and when the language changes)."""

    def ready(self) -> bool:
        """Whether Next may be pressed (besides not being busy)."""
        return True

    def primary_action(self) -> QPushButton | None:
        """The page's own main button while the page cannot go on yet ("Connect to Xero"):
        the window draws it as the one primary button; None: Next is."""
        return None

    def place_feedback(self, layout: QBoxLayout, index: int = -1) -> None:
        """Show the busy line and the message banner at ``index`` of ``layout`` (next to the
        control they are about) instead of at the foot of the page."""
        for widget in (self.busy_row, self.banner):
            self.outer.removeWidget(widget)
        layout.insertWidget(index, self.busy_row)
        layout.insertWidget(index if index < 0 else index + 1, self.banner)

    # ------------------------------------------------------------------ wizard plumbing
    def attach(self, host: PageHost) -> None:
        """Called by the host as it adds this page."""
        self._host = host

    @property
    def hosted(self) -> bool:
        """Whether a host holds this page yet (a page may be drawn on its own)."""
        return self._host is not None

    @property
    def host(self) -> PageHost:
        """The window holding this page: state, task runner, navigation."""
        if self._host is None:
            raise RuntimeError(f"{type(self).__name__} is not in a wizard yet")
        return self._host

    def isComplete(self) -> bool:
        return not self._busy and self.ready()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def nextId(self) -> int:
        from ..state import PageId

        nxt = self.state.next_page(PageId(self.host.currentId()))
        return -1 if nxt is None else int(nxt)

    # ------------------------------------------------------------------ busy and errors
    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.busy_label.setText(message)
        self.busy_row.setVisible(busy)
        self.completeChanged.emit()

    def show_error(
        self, exc: BaseException | str, *, retry: Callable[[], None] | None = None
    ) -> None:
        text = exc if isinstance(exc, str) else error_text(exc)
        self.banner.show_message(
            text, "error", action_text=self.tr("Try again") if retry else None, action=retry
        )

    def run_task(
        self,
        fn: Callable[..., T],
        *args: Any,
        message: str,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BridgeError], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.banner.clear()
        self.set_busy(True, message)

        def done(value: T) -> None:
            self.set_busy(False)
            if on_done is not None:
                on_done(value)

        def failed(exc: BridgeError) -> None:
            self.set_busy(False)
            if on_error is not None:
                on_error(exc)
            else:
                self.show_error(exc)

        self.host.tasks.start(
            fn, *args, on_done=done, on_error=failed, on_progress=on_progress, **kwargs
        )


class EnterGuard(QObject):
    """Return/Enter in a page's own controls does that control's job and stops there, so it
    never also presses the wizard's default button (Next, or "Start import").

    ``actions`` maps a watched widget to what Enter does there (None: nothing). With
    ``swallow_all`` every Enter in a watched widget stops, even without an action.
    """

    def __init__(
        self, parent: QObject, actions: dict[QObject, Any], *, swallow_all: bool = False
    ) -> None:
        super().__init__(parent)
        self.actions = actions
        self.swallow_all = swallow_all
        for widget in actions:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            action = self.actions.get(watched)
            if action is not None:
                action()
                return True
            return self.swallow_all
        return False


def confirm_disconnect(parent: QWidget, organisation: str, company: str) -> bool:
    """Ask before disconnecting another pairing to make room (both connection pages)."""
    title = QCoreApplication.translate("ConfirmDisconnect", "Disconnect")
    text = QCoreApplication.translate(
        "ConfirmDisconnect",
        'Disconnect "{organisation}" from QuickBooks Time "{other}"?\n\n'
        "Nothing is deleted in Xero or in QuickBooks Time, and its import history "
        "is kept. You can connect it again later.",
    ).format(organisation=organisation, other=company)
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
