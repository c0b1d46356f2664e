"""Page 2 — QuickBooks Time: how to create an access key, paste it, check it.

core.app.connections.connect_qbtime checks the key (``/current_user`` and the permissions the
import needs), keeps it in the OS keyring and remembers the company as the one to bind. Any
valid key is accepted: a key of another QuickBooks Time company is another business (several
live side by side); the rule "one organisation ↔ one QuickBooks Time account" is kept when the
organisation is chosen (core.app.connections.bind). The key is never logged and never leaves
the field except towards core.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)

from core.app.connections import QBTimeCompany, connect_qbtime, pending_qbtime
from core.errors import BridgeError

from ..widgets import Banner, paragraph
from .base import BasePage


class QBTimePage(BasePage):
    def build(self) -> None:
        self._say_again: Callable[[], None] | None = None
        self.intro = paragraph(parent=self)
        self.steps = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.body.addWidget(self.steps)
        self.demo_note = Banner(self)  # an info note, only for the Demo Company
        self.body.addWidget(self.demo_note)

        row = QHBoxLayout()
        self.key_label = QLabel(self)
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        self.key_edit.setMinimumWidth(160)
        self.key_label.setBuddy(self.key_edit)
        self.show_key = QCheckBox(self)
        self.check_button = QPushButton(self)
        self.check_button.setEnabled(False)
        row.addWidget(self.key_label)
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.show_key)
        row.addWidget(self.check_button)
        self.body.addLayout(row)
        self.body.addStretch(1)

        self.key_edit.textChanged.connect(self._key_changed)
        self.key_edit.textEdited.connect(self._key_edited)
        self.key_edit.installEventFilter(self)
        self.show_key.toggled.connect(self._toggle_echo)
        self.check_button.clicked.connect(self.check)

        self.setTabOrder(self.demo_note.button, self.key_edit)
        self.setTabOrder(self.key_edit, self.show_key)
        self.setTabOrder(self.show_key, self.check_button)

    def retranslate(self) -> None:
        self.setTitle(self.tr("QuickBooks Time"))
        self.setSubTitle(self.tr("Connect your QuickBooks Time account with an access key."))
        self.intro.setText(
            self.tr(
                "This app adds your customers, items and team members to QuickBooks Time with an "
                "access key. An administrator of your QuickBooks Time account creates it once:"
            )
        )
        self.steps.setText(
            self.tr(
                "1. Sign in to QuickBooks Time as an administrator.\n"
                "2. Open Feature Add-ons, then API.\n"
                '3. Click "Add a new application", give it a name (for example "Xero import"), '
                "and save.\n"
                '4. Click "Add token", then copy the access key.\n'
                '5. Paste the key below and click "Check".'
            )
        )
        self.key_label.setText(self.tr("Access &key:"))
        self.key_edit.setPlaceholderText(self.tr("Paste the access key here"))
        self.key_edit.setAccessibleName(self.tr("QuickBooks Time access key"))
        self.show_key.setText(self.tr("&Show"))
        self.show_key.setAccessibleName(self.tr("Show the access key"))
        self.check_button.setText(self.tr("&Check"))
        self.check_button.setAccessibleName(self.tr("Check the access key"))
        if self.state.ctx.demo:
            self.demo_note.show_message(
                self.tr(
                    "This is the Demo Company: nothing real is changed. Its QuickBooks Time "
                    "account has a key ready for you."
                ),
                "info",
                action_text=self.tr("Use the &Demo Company's key"),
                action=self.use_demo_key,
            )
            self.demo_note.button.setAccessibleName(self.tr("Use the Demo Company's key"))
        else:
            self.demo_note.clear()
        if self._say_again is not None and not self.banner.isHidden():
            self._say_again()

    def _say(self, show: Callable[[], None]) -> None:
        """Show a banner now and again after a language change."""
        self._say_again = show
        show()

    def ready(self) -> bool:
        return self.state.qbtime_company is not None

    # ------------------------------------------------------------------ arriving
    def initializePage(self) -> None:  # Qt API
        if self.state.qbtime_company is None and not self.busy:
            # A key checked in an earlier session is still kept: no need to paste it again.
            company = pending_qbtime()
            if company is not None:
                self.state.qbtime_company = company
                self._say(
                    lambda: self.banner.show_message(
                        self.tr(
                            'The access key of "{company}" was checked earlier and is kept. Click Next '
                            "to continue with it, or paste another key."
                        ).format(company=company.company_name),
                        "success",
                    )
                )
                self.completeChanged.emit()
        self.key_edit.setFocus()

    # ------------------------------------------------------------------ the key
    def _key_changed(self, text: str) -> None:
        self.check_button.setEnabled(bool(text.strip()) and not self.busy)

    def _key_edited(self, _text: str) -> None:
        # Another key than the one checked: it must be checked again before Next.
        if self.state.qbtime_company is not None:
            self.state.qbtime_company = None
            self._say_again = None
            self.banner.clear()
            self.completeChanged.emit()

    def _toggle_echo(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        # Enter in the key field checks the key; once it is checked, Enter goes on (Next).
        if (
            watched is self.key_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state.qbtime_company is None
        ):
            self.check()
            return True
        return super().eventFilter(watched, event)

    def use_demo_key(self) -> None:
        from core.app.connections import demo_qbtime_key

        if self.state.ctx.sandbox is None:
            return
        self.key_edit.setText(demo_qbtime_key(self.state.ctx))
        self._key_edited("")
        self.check_button.setFocus()

    # ------------------------------------------------------------------ checking
    def check(self) -> None:
        token = self.key_edit.text().strip()
        if not token or self.busy:
            return
        if token != self.key_edit.text():
            self.key_edit.setText(token)
        self.state.qbtime_company = None
        self._say_again = None
        self.check_button.setEnabled(False)
        self.run_task(
            connect_qbtime,
            self.state.ctx,
            token,
            message=self.tr("Checking the access key with QuickBooks Time…"),
            on_done=self._checked,
            on_error=self._check_failed,
        )

    def _check_failed(self, exc: BridgeError) -> None:
        # Bad key, missing permission, no network, no secure storage: core says what to do.
        self._key_changed(self.key_edit.text())
        self._say(lambda: self.show_error(exc))
        self.key_edit.setFocus()
        self.key_edit.selectAll()

    def _checked(self, company: QBTimeCompany) -> None:
        self._key_changed(self.key_edit.text())
        self._accept(company)

    def _accept(self, company: QBTimeCompany) -> None:
        self.state.qbtime_company = company
        self._say(
            lambda: self.banner.show_message(
                self.tr("Connected to QuickBooks Time: {company}.").format(
                    company=company.company_name
                ),
                "success",
            )
        )
        self.completeChanged.emit()
        self.key_edit.setFocus()
