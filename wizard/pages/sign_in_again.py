"""A page whose work Xero refused for want of a permission only a new consent adds (a
connection made before hours could be sent, or before invoicing was turned on): the banner
says why, its "Connect to Xero" becomes the page's main action (Next waits: it could only
fail again), and once signed in again the page's work goes on.

Used by the billing range page and the pay period page (``SignInAgain`` beside ``BasePage``);
the page keeps its own "Connect to Xero" words (its translation context).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QPushButton


class SignInAgain:
    """Mixed into a BasePage: ``add_sign_in(layout)`` while building, ``ask_sign_in`` when
    Xero refused, ``sign_in_needed`` in ``ready()``, ``sign_in_action()`` as
    ``primary_action()``."""

    banner: Any
    state: Any
    completeChanged: Any
    show_error: Callable[..., None]

    def add_sign_in(self, layout: QBoxLayout) -> None:
        from .xero_connect import SignInWaiting

        self.sign_in = SignInWaiting(self)  # type: ignore[arg-type]
        layout.addWidget(self.sign_in)
        #: the organisation's Xero version (for the sign-in), once the page has read it
        self.xero_version: str | None = None
        self.sign_in_needed = False
        self._after_sign_in: Callable[[], None] = lambda: None

    def ask_sign_in(self, message: str, action_text: str, then: Callable[[], None]) -> None:
        """Say why a new sign-in is needed (``message``), with the button; ``then``: what the
        page does once signed in again."""
        self.banner.show_message(
            message, "warning", action_text=action_text, action=self.sign_in_again
        )
        self._after_sign_in = then
        self.sign_in_needed = True
        self.completeChanged.emit()

    def sign_in_action(self) -> QPushButton | None:
        """The banner's "Connect to Xero" while a new sign-in is needed (the page's main
        action), else None (Next is)."""
        return self.banner.button if self.sign_in_needed else None

    def sign_in_again(self) -> None:
        """The Xero sign-in in the browser (as on the connection page), then the page's work."""
        self.banner.clear()
        self.sign_in_needed = False
        self.completeChanged.emit()
        self.sign_in.start(
            self.xero_version,
            on_done=lambda _orgs: self._after_sign_in(),
            on_error=self._signed_in_failed,
            connection_id=self.state.connection_id,
        )

    def _signed_in_failed(self, exc: Any) -> None:
        if not self.sign_in.cancelled_by_user:
            self.show_error(exc, retry=self.sign_in_again)
