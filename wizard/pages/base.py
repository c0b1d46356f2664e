"""What every page shares: a busy indicator, an error banner, background tasks, retranslation;
and what the pages that send share: a stop that asks first (StoppablePage)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from core.errors import BridgeError

from ..widgets import Banner, ask
from ..workers import error_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from ..host import PageHost
    from ..state import WizardState

T = TypeVar("T")

# What the busy line says: a function that words it in the current language (called again at
# each language change, names and numbers kept), or a text shown as it is.
BusyWords = str | Callable[[], str]


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
        self._busy_words: BusyWords = ""
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

    def first_focus(self) -> QWidget | None:
        """Where the keyboard focus goes as the page is shown, when the window's rule does not
        fit (its first field, list or table, else the primary button): None, the rule."""
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
            self._word_busy()  # first: a page's own retranslate may say more
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

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        """Show the page busy (or not) with ``message`` on the busy line; a function wording
        it (``lambda: self.tr("Reading…")``) words it again when the language changes."""
        self._busy = busy
        self._busy_words = message if busy else ""
        self._word_busy()
        self.busy_row.setVisible(busy)
        self.completeChanged.emit()

    def set_busy_words(self, message: BusyWords) -> None:
        """What the busy line says from now on while the page stays busy (a step's progress)."""
        if self._busy:
            self._busy_words = message
            self._word_busy()

    def _word_busy(self) -> None:
        words = self._busy_words
        self.busy_label.setText(words() if callable(words) else words)

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
        message: BusyWords,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BridgeError], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.banner.clear()
        self.set_busy(True, message)

        def done(value: T) -> None:
            if not _alive(self):  # (the window closed before the work ended: nobody to tell)
                return
            self.set_busy(False)
            if on_done is not None:
                on_done(value)

        def failed(exc: BridgeError) -> None:
            if not _alive(self):
                return
            self.set_busy(False)
            if on_error is not None:
                on_error(exc)
            else:
                self.show_error(exc)

        self.host.tasks.start(
            fn, *args, on_done=done, on_error=failed, on_progress=on_progress, **kwargs
        )


def _alive(page: QWidget) -> bool:
    """Whether ``page`` and its busy line still exist: a window that closed while work ran
    (it closes without waiting for long, wizard.BridgeWizard._ready_to_close) is gone when
    the work ends, and its result has nobody to be shown to."""
    import shiboken6

    return shiboken6.isValid(page) and shiboken6.isValid(getattr(page, "busy_label", page))


class StopQuestion(NamedTuple):
    """The words of a page's "Stop …?" question, in the page's own translation context.
    (A named tuple: a dataclass is made at import, ~0.4 ms on the way to the first page.)"""

    title: str
    text: str
    stop: str  # the button that stops
    keep: str  # the button that goes on (the default: Enter keeps sending)
    informative: str


class StoppablePage(BasePage):
    """A page whose worker sends (the import, hours, invoices) and stops only between two
    steps, so nothing is half-sent.

    The window's Cancel, Escape and close button ask first (``ask_before_closing``: the window
    stays and the sending goes on until the user agrees); agreeing sets the cancel event the
    worker checks between steps, and the page then shows what was done, with its Undo. A
    question left open when the sending ends closes: there is nothing left to stop.

    Subclasses give the question's words (``stop_question``), make their stop button with
    ``add_stop_row``, call ``begin_sending`` as the worker starts (its event is ``_cancel``)
    and ``end_sending`` once it has ended, and may show more on stopping (``stopping_shown``).
    """

    stop_button: QPushButton

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        self._cancel = threading.Event()
        self._running = False
        self._stopping = False
        self._question: QMessageBox | None = None  # the question the page shows, if any
        super().__init__(state, parent)

    # ------------------------------------------------------------------ for subclasses
    def stop_question(self) -> StopQuestion:
        """The words of "Stop …?" (asked in the current language)."""
        raise NotImplementedError(f"{type(self).__name__} says nothing to ask")

    def stopping_shown(self) -> None:
        """Show that the page is stopping (a log line, a status), once the user agreed."""

    def agreed_to_stop(self) -> None:
        """The user answered "Stop": stop at the worker's next check."""
        self.request_cancel()

    def add_stop_row(self, on_click: Callable[[], None]) -> QHBoxLayout:
        """The stop button (``stop_button``), on its own row at the foot of the body; shown
        only while sending."""
        row = QHBoxLayout()
        self.stop_button = QPushButton(self)
        self.stop_button.hide()
        self.stop_button.clicked.connect(on_click)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        self.body.addLayout(row)
        return row

    def begin_sending(self) -> threading.Event:
        """The worker starts: a fresh cancel event (returned) and the stop button."""
        self._cancel = threading.Event()
        self._running = True
        self._stopping = False
        self.stop_button.setEnabled(True)
        self.stop_button.show()
        return self._cancel

    def end_sending(self) -> None:
        """The worker has ended: no stop button, and no question left open."""
        self._running = False
        if self._question is not None and shiboken6.isValid(self._question):
            self._question.close()  # "Stop …?" has no object once the sending has ended
        self._question = None
        self.stop_button.setEnabled(False)
        self.stop_button.hide()

    # ------------------------------------------------------------------ for the wizard
    @property
    def running(self) -> bool:
        """Sending is in progress (closing the window must stop it safely first)."""
        return self._running

    @property
    def question(self) -> QMessageBox | None:
        """The question the page last asked ("Stop …?"), None before any and once the sending
        has ended."""
        return self._question

    def ask_before_closing(self) -> bool:
        """The window's Cancel, Escape or close button while sending: ask first (True = the
        window stays)."""
        if not self._running:
            return False
        self.ask_to_stop()
        return True

    def ask_to_stop(self) -> None:
        """Ask "Stop …?"; stopping keeps what was already sent (the result can undo it)."""
        if not self._running or self._stopping:
            return
        words = self.stop_question()
        self._question = ask(
            self,
            words.title,
            words.text,
            words.stop,
            words.keep,
            self.agreed_to_stop,
            informative=words.informative,
        )

    def request_cancel(self) -> None:
        """Stop at the worker's next check, between two steps (the user agreed, or the window
        is closing)."""
        if not self._running or self._stopping:
            return
        self._stopping = True
        self._cancel.set()
        self.stop_button.setEnabled(False)
        self.stopping_shown()


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
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        from PySide6.QtCore import Qt  # here: not made on the way to the first page

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
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
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
