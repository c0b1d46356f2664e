"""Page 3 — Connect to Xero: the browser sign-in, with a visible wait, Cancel and the link.

The sign-in itself (PKCE, loopback answer, code exchange) is core's ``XeroSignIn``; this page
runs it in a worker, shows that it is waiting for the user in the browser, lets them cancel,
and offers the link to open by hand when no browser started. ``SignInWaiting`` is shared
with the organisation page (which asks Xero again for payroll access).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget, QWizard

from core.errors import BridgeError, ReauthorizationRequired, SignInCancelled

from ..widgets import big_button, paragraph
from ..words import count_text
from .base import BasePage

if TYPE_CHECKING:
    from core.app.context import AppContext


# ---------------------------------------------------------------------------- worker functions
def allowed_organisations(ctx: AppContext, grant_key: str | None = None) -> list[dict[str, Any]]:
    """The organisations the Xero sign-in covers (``GET /connections``), practices left out."""
    return [
        c
        for c in ctx.xero_connections(grant_key)
        if c.get("tenantType", "ORGANISATION") == "ORGANISATION"
    ]


def sign_in_to_xero(
    ctx: AppContext,
    version: str | None,
    on_url: Callable[[str], None],
    cancel: threading.Event | None = None,
    connection_id: int | None = None,
) -> list[dict[str, Any]]:
    """Browser sign-in, keep the tokens, return the organisations allowed. Runs in a worker.

    ``connection_id``: a business already connected signs in again (e.g. to add a
    permission): the tokens replace that pair's own; otherwise they wait for the new pair."""
    from core.app.connections import keep_sign_in

    tokens = ctx.xero_sign_in().run(version, cancel, on_url=on_url)
    key = keep_sign_in(ctx, tokens, connection_id)
    return allowed_organisations(ctx, key)


def existing_sign_in(ctx: AppContext) -> list[dict[str, Any]] | None:
    """The organisations of an earlier sign-in still kept, or None (never signed in).

    Runs in a worker: reads the keyring, and asks Xero (which also proves the sign-in works).
    """
    if ctx.xero_tokens().status() != "connected":
        return None
    return allowed_organisations(ctx)


# ---------------------------------------------------------------------------- shared widget
class SignInWaiting(QWidget):
    """Shown while Xero's sign-in waits in the browser: Cancel, and the link to copy.

    ``start()`` runs :func:`sign_in_to_xero` through the page's ``run_task``; the worker
    hands the authorize link over through :attr:`url_ready` (a queued signal: the callback
    is called from the worker thread). Closing the window or leaving the page cancels.
    """

    url_ready = Signal(str)

    def __init__(self, page: BasePage) -> None:
        super().__init__(page)
        self.page = page
        self._cancel: threading.Event | None = None
        self._watching: QWidget | None = None  # the window, while waiting
        self._rejected_hooked: QWidget | None = None
        self.cancelled_by_user = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.cancel_button = QPushButton(self)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.link_intro = paragraph(parent=self)
        layout.addWidget(self.link_intro)
        link_row = QHBoxLayout()
        self.link = QLineEdit(self)
        self.link.setReadOnly(True)
        self.copy_button = QPushButton(self)
        link_row.addWidget(self.link, 1)
        link_row.addWidget(self.copy_button)
        layout.addLayout(link_row)
        self._link_widgets = (self.link_intro, self.link, self.copy_button)
        self.url_ready.connect(self._show_url)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self._copy)
        self.hide()
        self.retranslate()

    def retranslate(self) -> None:
        self.cancel_button.setText(self.tr("C&ancel sign-in"))
        self.cancel_button.setAccessibleName(self.tr("Cancel signing in to Xero"))
        self.link_intro.setText(
            self.tr(
                "If no browser window opened, copy this link and paste it into your browser's "
                "address bar:"
            )
        )
        self.link.setAccessibleName(self.tr("Xero sign-in link"))
        self.copy_button.setText(self.tr("Copy &link"))
        self.copy_button.setAccessibleName(self.tr("Copy the sign-in link"))

    def changeEvent(self, event: QEvent) -> None:  # Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def waiting(self) -> bool:
        return self._cancel is not None

    def start(
        self,
        version: str | None,
        on_done: Callable[[list[dict[str, Any]]], None],
        on_error: Callable[[BridgeError], None],
        connection_id: int | None = None,
    ) -> None:
        """``connection_id``: signing in again for a business already connected."""
        if self.waiting:
            return
        self._cancel = threading.Event()
        self.cancelled_by_user = False
        self.link.clear()
        self.retranslate()  # "Copied" back to "Copy link"
        for widget in self._link_widgets:
            widget.hide()
        self.cancel_button.setEnabled(True)
        self.show()
        self._watch_window()

        def done(orgs: list[dict[str, Any]]) -> None:
            self._finish()
            on_done(orgs)

        def failed(exc: BridgeError) -> None:
            self._finish()
            on_error(exc)

        self.page.run_task(
            functools.partial(sign_in_to_xero, connection_id=connection_id),
            self.page.state.ctx,
            version,
            self.url_ready.emit,
            message=lambda: self.tr(
                "Waiting for you in the browser… Sign in to Xero, "
                'choose the organisation, then click "Allow access".'
            ),
            on_done=done,
            on_error=failed,
            cancel=self._cancel,
        )
        self.cancel_button.setFocus()

    def cancel(self) -> None:
        """Stop waiting (the worker notices within a moment and reports SignInCancelled)."""
        if self._cancel is not None and not self._cancel.is_set():
            self.cancelled_by_user = True
            self._cancel.set()
            self.cancel_button.setEnabled(False)

    def _finish(self) -> None:
        self._cancel = None
        self._unwatch_window()
        self.hide()

    def _show_url(self, url: str) -> None:
        if not self.waiting:
            return
        self.link.setText(url)
        self.link.setCursorPosition(0)
        self.link.setToolTip(url)
        for widget in self._link_widgets:
            widget.show()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.link.text())
        self.copy_button.setText(self.tr("Copied"))

    # A worker waiting up to 5 minutes for the browser must not hold the window open: the
    # filter sees the window's Close before the wizard's closeEvent waits for the workers.
    # It watches only while waiting: a Python event filter on the window is called for every
    # event the window gets (each repaint), and each call needs the interpreter lock, which a
    # busy background thread (an import) holds for milliseconds at a time.
    def _watch_window(self) -> None:
        window = self.window()
        if window is None or window is self:
            return
        if self._watching is not window:
            self._unwatch_window()
            window.installEventFilter(self)
            self._watching = window
        if isinstance(window, QWizard) and self._rejected_hooked is not window:
            window.rejected.connect(self.cancel)
            self._rejected_hooked = window

    def _unwatch_window(self) -> None:
        window, self._watching = self._watching, None
        if window is not None:
            try:
                window.removeEventFilter(self)
            except RuntimeError:  # the window is already gone
                pass

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        if event.type() == QEvent.Type.Close:
            self.cancel()
        return False


# ---------------------------------------------------------------------------- the page
class XeroConnectPage(BasePage):
    def build(self) -> None:
        self._say_again: Callable[[], None] | None = None
        self._checked = False
        self.intro = paragraph(parent=self)
        self.steps = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.body.addWidget(self.steps)
        row = QHBoxLayout()
        row.setContentsMargins(0, 8, 0, 8)
        self.connect_button = big_button(parent=self)
        self.connect_button.setAutoDefault(True)
        # large while it is the page's main action; once connected, Next is: a plain button
        self._big = (
            QFont(self.connect_button.font()),
            self.connect_button.minimumHeight(),
            self.connect_button.minimumWidth(),
        )
        row.addWidget(self.connect_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.waiting = SignInWaiting(self)
        self.body.addWidget(self.waiting)
        self.place_feedback(self.body)  # what happened, under the button that did it
        self.body.addStretch(1)
        self.connect_button.clicked.connect(self.connect_to_xero)
        self.setTabOrder(self.connect_button, self.waiting.cancel_button)
        self.setTabOrder(self.waiting.cancel_button, self.waiting.link)
        self.setTabOrder(self.waiting.link, self.waiting.copy_button)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Connect to Xero"))
        self.setSubTitle(
            self.tr(
                "Allow this app to read your Xero organisation. "
                "It only reads: nothing is changed in Xero."
            )
        )
        self.intro.setText(
            self.tr('When you click "Connect to Xero", your browser opens Xero\'s sign-in page:')
        )
        self.steps.setText(
            self.tr(
                "1. Sign in to Xero as usual.\n"
                "2. Choose the organisation to bring into QuickBooks Time (you may choose several).\n"
                '3. Click "Allow access".\n'
                "4. Come back to this window: it continues by itself."
            )
        )
        self._label_connect_button()
        if self._say_again is not None and not self.banner.isHidden():
            self._say_again()

    def _label_connect_button(self) -> None:
        button = self.connect_button
        if self.state.organisations:
            button.setText(self.tr("&Sign in again"))
            button.setAccessibleName(self.tr("Sign in to Xero again"))
            button.setFont(QFont())  # the page's font again (nothing of its own)
            button.setMinimumSize(0, 0)
        else:
            button.setText(self.tr("&Connect to Xero"))
            button.setAccessibleName(self.tr("Connect to Xero"))
            font, height, width = self._big
            button.setFont(font)
            button.setMinimumSize(width, height)

    def _say(self, show: Callable[[], None]) -> None:
        """Show a banner now and again after a language change."""
        self._say_again = show
        show()

    def ready(self) -> bool:
        return bool(self.state.organisations) and not self.waiting.waiting

    def primary_action(self) -> QPushButton | None:
        return None if self.state.organisations else self.connect_button

    # ------------------------------------------------------------------ arriving
    def initializePage(self) -> None:  # Qt API
        self._label_connect_button()
        if self.waiting.waiting or self.busy:
            return
        if self.state.organisations:
            self._say(self._show_connected)
        elif not self._checked:
            self._check_existing()
        self.connect_button.setFocus()

    def cleanupPage(self) -> None:  # Qt API — Back: stop waiting for the browser
        self.waiting.cancel()
        super().cleanupPage()

    def request_cancel(self) -> None:
        self.waiting.cancel()

    def _check_existing(self) -> None:
        self.run_task(
            existing_sign_in,
            self.state.ctx,
            message=lambda: self.tr("Checking whether you are already signed in to Xero…"),
            on_done=self._existing_checked,
            on_error=self._existing_failed,
        )

    def _existing_checked(self, orgs: list[dict[str, Any]] | None) -> None:
        self._checked = True
        if orgs:
            self.state.organisations = orgs
            self._label_connect_button()
            self._say(
                lambda: self.banner.show_message(
                    count_text(
                        len(orgs),
                        self.tr(
                            "You are already signed in to Xero: 1 organisation allowed. Click "
                            "Next to continue, or sign in again to allow other organisations."
                        ),
                        self.tr(
                            "You are already signed in to Xero: {n} organisations allowed. Click "
                            "Next to continue, or sign in again to allow other organisations."
                        ),
                    ),
                    "success",
                )
            )
            self.completeChanged.emit()
            self._focus_next()

    def _existing_failed(self, exc: BridgeError) -> None:
        self._checked = True
        if isinstance(exc, ReauthorizationRequired):  # expired: simply sign in again
            self._say(lambda: self.banner.show_message(exc.user_message(), "info"))
        else:
            self._say(lambda: self.show_error(exc, retry=self._check_existing))

    def _focus_next(self) -> None:
        button = self.host.button(QWizard.WizardButton.NextButton) if self.hosted else None
        if button is not None and button.isVisible() and button.isEnabled():
            button.setFocus()  # Enter now goes on
        else:
            self.connect_button.setFocus()

    # ------------------------------------------------------------------ signing in
    def connect_to_xero(self) -> None:
        if self.waiting.waiting or self.busy:
            return
        self._say_again = None
        self.connect_button.setEnabled(False)
        self.waiting.start(self.state.expected_version, self._signed_in, self._failed)

    def _signed_in(self, orgs: list[dict[str, Any]]) -> None:
        self.connect_button.setEnabled(True)
        self.state.organisations = orgs
        self._label_connect_button()
        if orgs:
            self._say(self._show_connected)
        else:
            self._say(
                lambda: self.banner.show_message(
                    self.tr(
                        'Xero did not share any organisation. Click "Sign in again" and tick the '
                        'organisation on Xero\'s page before clicking "Allow access".'
                    ),
                    "warning",
                )
            )
        self.completeChanged.emit()
        self._focus_next()

    def _show_connected(self) -> None:
        self.banner.show_message(
            count_text(
                len(self.state.organisations),
                self.tr("Connected to Xero: 1 organisation allowed."),
                self.tr("Connected to Xero: {n} organisations allowed."),
            ),
            "success",
        )

    def _failed(self, exc: BridgeError) -> None:
        self.connect_button.setEnabled(True)
        if isinstance(exc, SignInCancelled) and self.waiting.cancelled_by_user:
            self._say(
                lambda: self.banner.show_message(
                    self.tr("You cancelled signing in to Xero. Nothing was changed."),
                    "info",
                    action_text=self.tr("Try again"),
                    action=self.connect_to_xero,
                )
            )
        else:
            # Denied consent, closed tab (timed out), ports busy, no network: core's sentence.
            self._say(lambda: self.show_error(exc, retry=self.connect_to_xero))
        if not self.banner.button.isHidden():
            self.banner.button.setFocus()
