"""Page 2 — QuickBooks Time: how to create an access key, paste it, check it.

"Open QuickBooks Time" opens it in the browser; a pasted key is checked at once (after a
short pause in typing, on a worker), and what went wrong is said under the key with the
help for that case (core.services.qbtime.keycheck: not an administrator, refused, billing,
IP Authorization).

core.app.connections.connect_qbtime checks the key (``/current_user`` and the permissions the
import needs), keeps it in the OS keyring and remembers the company as the one to bind. Any
valid key is accepted: a key of another QuickBooks Time company is another business (several
live side by side); the rule "one organisation ↔ one QuickBooks Time account" is kept when the
organisation is chosen (core.app.connections.bind). The key is never logged and never leaves
the field except towards core.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)

from core.app.connections import QBTimeCompany, connect_qbtime, pending_qbtime
from core.errors import BridgeError
from core.services.qbtime.keycheck import WEB_APP_URL, KeyProblem, key_problem, looks_like_a_key

from ..widgets import Banner, paragraph
from .base import BasePage


class QBTimePage(BasePage):
    def build(self) -> None:
        self._say_again: Callable[[], None] | None = None
        self._checked_token: str | None = None  # the key the last check was about
        self._has_key = False
        self.intro = paragraph(parent=self)
        self.steps = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.body.addWidget(self.steps)
        row = QHBoxLayout()
        self.open_button = QPushButton(self)  # QuickBooks Time in the browser
        self.open_button.clicked.connect(self.open_qbtime)
        row.addWidget(self.open_button)
        row.addStretch(1)
        self.body.addLayout(row)
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
        self.place_feedback(self.body)  # "checking…", then the answer, under the key
        self.body.addStretch(1)
        # The key is checked as soon as it is pasted (or typing pauses): no "Check" needed.
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(600)
        self.debounce.timeout.connect(self._check_when_pasted)

        self.key_edit.textChanged.connect(self._key_changed)
        self.key_edit.textEdited.connect(self._key_edited)
        self.key_edit.installEventFilter(self)
        self.show_key.toggled.connect(self._toggle_echo)
        self.check_button.clicked.connect(self.check)

        self.setTabOrder(self.open_button, self.demo_note.button)
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
                '1. Click "Open QuickBooks Time" and sign in as an administrator.\n'
                "2. Open Feature Add-ons, then Manage Add-ons. At API, click Install if it "
                "is not installed yet.\n"
                '3. In API, click "Add a new application", name it (for example "Xero '
                'import") and save.\n'
                "4. Copy the access token and paste it below: it is checked at once."
            )
        )
        self.open_button.setText(self.tr("&Open QuickBooks Time"))
        self.open_button.setAccessibleName(self.tr("Open QuickBooks Time in your browser"))
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

    def primary_action(self) -> QPushButton | None:
        """With no key yet, the way forward is getting one (the Demo Company has one)."""
        if self.key_edit.text().strip() or self.busy:
            return None
        if self.state.ctx.demo and not self.demo_note.isHidden():
            return self.demo_note.button
        return self.open_button

    def open_qbtime(self) -> None:
        QDesktopServices.openUrl(QUrl(WEB_APP_URL))

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
        if bool(text.strip()) != self._has_key:
            self._has_key = bool(text.strip())
            self.completeChanged.emit()  # the primary button follows: getting a key, or Next
        if self.state.qbtime_company is None and looks_like_a_key(text):
            self.debounce.start()  # pasted (or typing paused): check it then
        else:
            self.debounce.stop()

    def _check_when_pasted(self) -> None:
        token = self.key_edit.text().strip()
        if self.state.qbtime_company is None and token != self._checked_token:
            self.check()

    def _key_edited(self, _text: str) -> None:
        # Another key than the one checked: it must be checked again before Next.
        if self.state.qbtime_company is not None:
            self.state.qbtime_company = None
            self._say_again = None
            self.banner.clear()
            self.completeChanged.emit()
        if looks_like_a_key(self.key_edit.text()) and self.key_edit.text().strip() != (
            self._checked_token
        ):
            self.debounce.start()

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
        self.debounce.stop()
        if not token or self.busy:
            return
        if token != self.key_edit.text():
            self.key_edit.setText(token)
            self.debounce.stop()
        self._checked_token = token
        self.state.qbtime_company = None
        self._say_again = None
        self.check_button.setEnabled(False)
        self.run_task(
            connect_qbtime,
            self.state.ctx,
            token,
            message=lambda: self.tr("Checking the access key with QuickBooks Time…"),
            on_done=self._checked,
            on_error=self._check_failed,
        )

    def _check_failed(self, exc: BridgeError) -> None:
        if self._changed_meanwhile():
            return
        self._key_changed(self.key_edit.text())
        self.debounce.stop()  # the same key is not checked again by itself
        self._say(lambda: self._explain_problem(exc))
        self.key_edit.setFocus()
        self.key_edit.selectAll()

    def _explain_problem(self, exc: BridgeError) -> None:
        """What was wrong with the key and what to do, under the key: specific help for the
        cases QuickBooks Time tells apart (core.services.qbtime.keycheck)."""
        problem = key_problem(exc)
        open_it = (self.tr("Open QuickBooks Time"), self.open_qbtime)
        if problem is KeyProblem.NOT_ADMIN:
            user = getattr(exc, "user_name", "") or self.tr("its user")
            text = self.tr(
                "This key belongs to {user}, who is not an administrator of the QuickBooks "
                "Time account. The import creates customers, team members and custom fields, "
                "which only an administrator may do. Ask an administrator to create the key "
                "(Feature Add-ons, Manage Add-ons, API) and paste theirs here, or make {user} "
                "an administrator in QuickBooks Time (Team, Permissions)."
            ).format(user=user)
        elif problem is KeyProblem.REJECTED:
            text = self.tr(
                "QuickBooks Time did not accept this key. Check that it was copied whole. "
                "In QuickBooks Time, under Feature Add-ons, Manage Add-ons, the API add-on "
                "must be installed and the key listed in your application; if it expired "
                "or was removed, add a new one and paste it here."
            )
        elif problem is KeyProblem.MALFORMED:
            text = self.tr(
                "An access key is one word with no spaces. Copy it again from QuickBooks Time "
                "and paste it here."
            )
            open_it = None  # type: ignore[assignment]
        elif problem is KeyProblem.BILLING:
            text = self.tr(
                "QuickBooks Time refused the key because the account's billing is not up to "
                "date. An administrator can settle it in QuickBooks Time (Company Settings, "
                "Billing); then paste the key again."
            )
        elif problem is KeyProblem.IP_BLOCKED:
            text = self.tr(
                "QuickBooks Time blocks access from this computer's internet address (IP "
                "Authorization). An administrator can allow it in QuickBooks Time; then "
                "paste the key again."
            )
        else:  # no network, no secure storage, anything else: core's own sentence
            self.show_error(exc, retry=self.check)
            return
        label, action = open_it if open_it else (None, None)
        self.banner.show_message(text, "error", action_text=label, action=action)

    def _changed_meanwhile(self) -> bool:
        """The key was changed while it was checked: that answer is about another key."""
        if self.key_edit.text().strip() == self._checked_token:
            return False
        self._key_changed(self.key_edit.text())  # the new one is checked in its turn
        return True

    def _checked(self, company: QBTimeCompany) -> None:
        if self._changed_meanwhile():
            return
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
