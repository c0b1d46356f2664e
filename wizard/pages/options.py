"""Page 5 — Import options: the original's check boxes, each explained, plus two dialogs.

Entering the page refreshes the local snapshots from Xero and QuickBooks Time (in a worker)
unless that was done in this session; when it fails, the page says why and lets the user go
on with what was read earlier. Leaving the page saves the options for this organisation.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.app import worker_process
from core.app.resume import Refresh
from core.app.sync import load_links, load_options, save_options
from core.engine.leave import leave_link_rows, save_leave_links, time_off_codes
from core.engine.names import NAME_LIMIT
from core.engine.plan import ImportOptions, item_field_name_problem
from core.errors import BridgeError
from core.services.fetch import load_fields, load_snapshot

from ..dialogs.leave_links import LeaveLinksDialog
from ..dialogs.manage_customers import ManageCustomersDialog
from ..widgets import WrapCheckBox
from ..workers import UnexpectedError, error_text
from .base import BasePage, BusyWords

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.records import Snapshot
    from core.store.models import Connection

log = logging.getLogger(__name__)

#: the check boxes, in screen order, and the ImportOptions field each one sets
OPTION_FIELDS = (
    "import_customers",
    "archive_unmatched",
    "assign_all",
    "import_items",
    "require_item",
    "import_tracking",
    "import_employees",
    "link_leave",
)
PAYROLL_FIELDS = ("import_employees", "link_leave")


# ---------------------------------------------------------------------------- worker functions
def refresh(
    ctx: AppContext,
    conn: Connection,
    progress: Callable[[tuple[str, int, int]], None] | None = None,
) -> Refresh:
    """The worker: core's refresh with its offline rule, an unexpected failure in words."""
    result = worker_process.refresh(ctx, int(conn.get_id()), progress)
    if result.error is not None and not isinstance(result.error, BridgeError):
        return Refresh(None, UnexpectedError(what=type(result.error).__name__), result.usable)
    return result


def leave_choices(conn: Connection) -> tuple[list, list, list]:
    """What "Link leave types" shows: rows, time-off codes and the Xero leave types."""
    snap = load_snapshot(conn)
    return leave_link_rows(conn, snap), time_off_codes(snap), snap.leave_types


class OptionsPage(BasePage):
    # ------------------------------------------------------------------ widgets
    def build(self) -> None:
        self._options = ImportOptions()
        self._offline_ok = False
        self._loaded_for: int | None = None
        self.customers_dialog: ManageCustomersDialog | None = None
        # (custom fields, tracking categories, links) of the saved snapshot: the field-name rule
        self._field_context: tuple[Any, Any, Any] | None = None
        self._field_problem: str | None = None
        self.leave_dialog: LeaveLinksDialog | None = None
        self.boxes: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLabel] = {}

        content = QWidget(self)
        # Two columns (customers | items and custom fields) over the payroll group: every
        # group shows without scrolling at the window's default size.
        page_column = QVBoxLayout(content)
        page_column.setContentsMargins(0, 0, 6, 0)
        columns = QHBoxLayout()
        page_column.addLayout(columns)

        self.customers_group = QGroupBox(content)
        group = QVBoxLayout(self.customers_group)
        for name in ("import_customers", "archive_unmatched", "assign_all"):
            self._option(group, name)
        self.manage_button = QPushButton(self.customers_group)
        self.manage_button.clicked.connect(self.open_customers)
        row = QHBoxLayout()
        row.addWidget(self.manage_button)
        row.addStretch(1)
        group.addLayout(row)
        self.extra_note = self._note(self.customers_group)
        group.addWidget(self.extra_note)
        group.addStretch(1)
        columns.addWidget(self.customers_group, 1)

        self.items_group = QGroupBox(content)
        group = QVBoxLayout(self.items_group)
        for name in ("import_items", "require_item", "import_tracking"):
            self._option(group, name)
        self.field_name_label = QLabel(self.items_group)
        self.field_name_label.setWordWrap(True)
        self.field_name_edit = QLineEdit(self.items_group)
        self.field_name_edit.setMaxLength(NAME_LIMIT)
        self.field_name_label.setBuddy(self.field_name_edit)
        group.addWidget(self.field_name_label)
        group.addWidget(self.field_name_edit)
        self.field_name_error = self._note(self.items_group)
        self.field_name_error.setStyleSheet("color:#8a1f11;")
        self.field_name_error.setVisible(False)
        group.addWidget(self.field_name_error)
        group.addStretch(1)
        self.field_name_edit.textChanged.connect(self._check_field_name)
        self.boxes["import_tracking"].toggled.connect(self._check_field_name)
        self.boxes["import_items"].toggled.connect(self._check_field_name)
        columns.addWidget(self.items_group, 1)

        self.payroll_group = QGroupBox(content)
        group = QVBoxLayout(self.payroll_group)
        pair = QHBoxLayout()
        for name in PAYROLL_FIELDS:
            half = QVBoxLayout()
            self._option(half, name)
            half.addStretch(1)
            pair.addLayout(half, 1)
        group.addLayout(pair)
        self.leave_button = QPushButton(self.payroll_group)
        self.leave_button.clicked.connect(self.open_leave_links)
        self.leave_note = self._note(self.payroll_group)  # "saved", beside the button
        self.leave_note.setStyleSheet("color:#1e4620;")
        self.leave_note.hide()
        row = QHBoxLayout()
        row.addWidget(self.leave_button)
        row.addWidget(self.leave_note, 1)
        group.addLayout(row)
        page_column.addWidget(self.payroll_group)
        page_column.addStretch(1)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        self.body.addWidget(self.scroll_area, 1)
        self.place_feedback(self.body, 0)  # reading problems: above the options, not below

        # The archive warning stands out, and only when archiving is on: it is the one
        # option that hides things. Off, a plain note says nothing is archived.
        for name in ("import_items", "import_customers", "link_leave"):
            self.boxes[name].toggled.connect(self._update_enabled)
        self.boxes["archive_unmatched"].toggled.connect(self._show_archive_note)

        chain: list[QWidget] = [
            self.boxes["import_customers"],
            self.boxes["archive_unmatched"],
            self.boxes["assign_all"],
            self.manage_button,
            self.boxes["import_items"],
            self.boxes["require_item"],
            self.boxes["import_tracking"],
            self.field_name_edit,
            self.boxes["import_employees"],
            self.boxes["link_leave"],
            self.leave_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    def _note(self, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("color:#555;")
        return label

    def _option(self, layout: QVBoxLayout, name: str) -> None:
        box = WrapCheckBox(self)
        note = self._note(self)
        note.setContentsMargins(24, 0, 0, 4)  # under the text, not under the box
        layout.addWidget(box)
        layout.addWidget(note)
        self.boxes[name] = box
        self.notes[name] = note

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.setTitle(self.tr("Import options"))
        self.setSubTitle(
            self.tr(
                "Choose what to bring from Xero into QuickBooks Time. Nothing is written yet; "
                "your choices are kept."
            )
        )
        self.customers_group.setTitle(self.tr("Customers"))
        self.items_group.setTitle(self.tr("Items and custom fields"))
        self.payroll_group.setTitle(self.tr("Team members and time off"))
        texts = {
            "import_customers": (
                self.tr("Import &customers from Xero"),
                self.tr(
                    "Xero customers become QuickBooks Time customers, for tracking time. "
                    "Look-alikes are shown to you, never duplicated."
                ),
            ),
            "archive_unmatched": (
                self.tr("&Archive unmatched customers in QuickBooks Time"),
                self.tr("Off: customers with no match in Xero stay as they are."),
            ),
            "assign_all": (
                self.tr("A&ssign all imported customers to all team members"),
                self.tr("Otherwise, choose who works for which customer in QuickBooks Time."),
            ),
            "import_items": (
                self.tr("Import &items from Xero"),
                self.tr("Items sold and not tracked as inventory, to pick on timesheets."),
            ),
            "require_item": (
                self.tr("&Require all team members to select an item"),
                self.tr("When they clock in or switch customer."),
            ),
            "import_tracking": (
                self.tr("Import &tracking categories as custom fields"),
                self.tr("Each category's options become the field's choices."),
            ),
            "import_employees": (
                self.tr("Import &employees as team members"),
                self.tr(
                    "Xero Payroll employees become team members. Someone added by hand "
                    "is matched by first name, last name and email."
                ),
            ),
            "link_leave": (
                self.tr("&Link leave types to time-off codes"),
                self.tr(
                    "Time off on a linked code goes to Xero Payroll as that leave type "
                    "when you send hours. Unpaid leave is never sent."
                ),
            ),
        }
        for name, (text, note) in texts.items():
            box = self.boxes[name]
            box.setText(text)
            box.setAccessibleName(text.replace("&", ""))
            box.setAccessibleDescription(note)
            self.notes[name].setText(note)
        self._show_archive_note()
        self.field_name_label.setText(self.tr("Name of the items' custom &field:"))
        self.field_name_edit.setAccessibleName(self.tr("Name of the items' custom field"))
        self._check_field_name()
        self.manage_button.setText(self.tr("&Manage Xero customers…"))
        self.manage_button.setToolTip(
            self.tr(
                "Add Xero contacts that were never invoiced, so they are imported as customers."
            )
        )
        self.leave_button.setText(self.tr("Link lea&ve types…"))
        self.leave_button.setToolTip(
            self.tr("Choose the QuickBooks Time time-off code for each Xero leave type.")
        )
        self._show_extra_count()
        if self.state.fetch_error and not self.busy:
            self._show_fetch_error(self.state.fetch_error)

    def _show_archive_note(self, *_args: object) -> None:
        """The red warning only while archiving is on; a plain note while it is off."""
        note = self.notes["archive_unmatched"]
        if self.boxes["archive_unmatched"].isChecked():
            text = self.tr(
                "Careful: every QuickBooks Time customer with no match in Xero will be "
                'archived. The preview lists each one; "Undo this import" brings them back.'
            )
            style = "color:#8a1f11; font-weight:bold;"
        else:
            text = self.tr("Off: customers with no match in Xero stay as they are.")
            style = "color:#555;"
        note.setText(text)
        if note.styleSheet() != style:
            note.setStyleSheet(style)
        self.boxes["archive_unmatched"].setAccessibleDescription(text)

    def _show_extra_count(self) -> None:
        count = len(self._options.extra_customers)
        if count == 0:
            text = self.tr("Contacts never invoiced are not imported unless you add them here.")
        elif count == 1:
            text = self.tr("1 contact never invoiced is added as a customer.")
        else:
            text = self.tr("%1 contacts never invoiced are added as customers.").replace(
                "%1", str(count)
            )
        self.extra_note.setText(text)

    # ------------------------------------------------------------------ values
    def _show_options(self, options: ImportOptions) -> None:
        self._options = options
        for name in OPTION_FIELDS:
            self.boxes[name].setChecked(bool(getattr(options, name)))
        self.field_name_edit.setText(options.item_field_name)
        self._show_extra_count()
        self._update_enabled()

    def options(self) -> ImportOptions:
        """The options as shown on the page."""
        return self._options.with_values(
            item_field_name=self.field_name_edit.text().strip(),
            **{name: self.boxes[name].isChecked() for name in OPTION_FIELDS},
        )

    def _load_field_context(self) -> None:
        """The saved custom fields, categories and links the field-name rule reads (small)."""
        conn = self.state.connection()
        self._field_context = None
        if conn is not None:
            try:
                fields, tracking = load_fields(conn)
                self._field_context = (fields, tracking, load_links(conn))
            except Exception:
                log.exception("Could not read the saved custom fields")
        self._check_field_name()

    def _check_field_name(self, *_args: object) -> None:
        """The core rule on the name typed: a message under the field, Next disabled."""
        problem = None
        if self._field_context is not None and self.boxes["import_items"].isChecked():
            fields, tracking, links = self._field_context
            problem = item_field_name_problem(
                self.field_name_edit.text(), fields, tracking, links, self.options()
            )
        changed = problem != self._field_problem
        self._field_problem = problem
        self.field_name_error.setText(problem or "")
        self.field_name_error.setVisible(problem is not None)
        if changed:
            self.completeChanged.emit()

    def _update_enabled(self, *_args: object) -> None:
        customers = self.boxes["import_customers"].isChecked()
        self.boxes["archive_unmatched"].setEnabled(customers)
        self.boxes["assign_all"].setEnabled(customers)
        self.boxes["require_item"].setEnabled(self.boxes["import_items"].isChecked())
        self.field_name_edit.setEnabled(self.boxes["import_items"].isChecked())
        has_conn = self.state.connection_id is not None
        self.manage_button.setEnabled(customers and has_conn and not self.busy)
        self.leave_button.setEnabled(
            self.boxes["link_leave"].isChecked() and has_conn and not self.busy
        )

    def set_busy(self, busy: bool, message: BusyWords = "") -> None:
        super().set_busy(busy, message)
        self._update_enabled()  # the dialogs read the snapshot: not while it is rewritten

    # ------------------------------------------------------------------ wizard
    def initializePage(self) -> None:
        conn = self.state.connection()
        payroll = self.state.has_payroll()
        self.payroll_group.setVisible(payroll)
        if conn is None:
            self._show_options(self.state.options or ImportOptions())
            self.show_error(
                self.tr(
                    "No organisation is connected yet. Go back and connect "
                    "Xero and QuickBooks Time first."
                )
            )
            return
        if self.state.options is not None and self._loaded_for == conn.id:
            self._show_options(self.state.options)
        else:
            self._show_options(load_options(conn))
            self._loaded_for = conn.id
        self._load_field_context()
        if not self.state.fetched:
            self.start_fetch()
        elif self.state.fetch_error:
            self._show_fetch_error(self.state.fetch_error)

    def ready(self) -> bool:
        if self.state.connection_id is None or self._field_problem is not None:
            return False
        return self.state.fetched or self._offline_ok

    def validatePage(self) -> bool:
        conn = self.state.connection()
        if conn is None:
            return False
        options = self.options()
        if self._field_problem is not None:
            return False
        try:
            save_options(conn, options)  # one small row: quick enough for the UI thread
        except Exception:
            log.exception("Could not save the import options")
            self.show_error(
                self.tr(
                    "Your choices could not be saved on this computer. Check "
                    "that the disk is not full, then click Next again."
                )
            )
            return False
        if self.state.options != options:
            self.state.plan = None  # planned with other options: the next pages plan again
        self.state.options = options
        self._options = options
        return True

    # ------------------------------------------------------------------ fetch
    def start_fetch(self) -> None:
        conn = self.state.connection()
        if conn is None:
            return
        self._offline_ok = False
        self.run_task(
            refresh,
            self.state.ctx,
            conn,
            message=lambda: self.tr("Reading Xero and QuickBooks Time…"),
            on_done=self._fetched,
            on_progress=self._fetch_progress,
        )

    def _fetch_progress(self, value: Any) -> None:
        phase, done, total = value

        def words() -> str:  # worded again if the language changes meanwhile
            if phase == "xero":
                text = self.tr("Reading Xero… (step %1 of %2)")
            else:
                text = self.tr("Reading QuickBooks Time… (step %1 of %2)")
            return text.replace("%1", str(done)).replace("%2", str(total))

        self.set_busy_words(words)

    def _fetched(self, result: Refresh) -> None:
        error, usable = result.error, result.usable
        if error is None:
            self.state.fetched = True
            self.state.fetch_error = None
            self._offline_ok = True
            self.banner.clear()
            self._load_field_context()
        else:
            self.state.fetched = False
            self.state.fetch_error = error_text(error)
            self._offline_ok = usable
            self._show_fetch_error(self.state.fetch_error)
        self.completeChanged.emit()

    def _show_fetch_error(self, message: str) -> None:
        if self._offline_ok:
            more = self.tr(
                "You can still go on with what was read earlier: the preview may "
                "miss the latest changes."
            )
        else:
            more = self.tr(
                "Nothing has been read from Xero yet, so you cannot go on until this works."
            )
        self.show_error(f"{message} {more}", retry=self.start_fetch)

    # ------------------------------------------------------------------ dialogs
    def open_customers(self) -> None:
        conn = self.state.connection()
        if conn is None or self.busy:
            return
        self.run_task(
            load_snapshot,
            conn,
            message=lambda: self.tr("Reading the saved Xero contacts…"),
            on_done=self._show_customers_dialog,
        )

    def _show_customers_dialog(self, snapshot: Snapshot) -> None:
        dialog = ManageCustomersDialog(snapshot.contacts, self._options.extra_customers, self)
        self.customers_dialog = dialog
        dialog.accepted.connect(lambda: self._customers_chosen(dialog))
        dialog.finished.connect(
            lambda _result: self._dialog_closed("customers_dialog", self.manage_button)
        )
        dialog.open()  # window-modal, no nested event loop: workers keep reporting

    def _customers_chosen(self, dialog: ManageCustomersDialog) -> None:
        chosen = dialog.chosen_ids()
        if chosen == self._options.extra_customers:
            return
        self._options = self.options().with_values(extra_customers=sorted(chosen))
        self._show_extra_count()
        conn = self.state.connection()
        if conn is not None:
            self.run_task(
                save_options, conn, self._options, message=lambda: self.tr("Saving your choice…")
            )

    def open_leave_links(self) -> None:
        conn = self.state.connection()
        if conn is None or self.busy:
            return
        self.run_task(
            leave_choices,
            conn,
            message=lambda: self.tr("Reading the saved leave types…"),
            on_done=self._show_leave_dialog,
        )

    def _show_leave_dialog(self, value: tuple[list, list, list]) -> None:
        rows, codes, leave_types = value
        dialog = LeaveLinksDialog(rows, codes, self)
        self.leave_dialog = dialog
        dialog.accepted.connect(lambda: self._leave_chosen(dialog, leave_types))
        dialog.finished.connect(
            lambda _result: self._dialog_closed("leave_dialog", self.leave_button)
        )
        dialog.open()

    def _leave_chosen(self, dialog: LeaveLinksDialog, leave_types: list) -> None:
        conn = self.state.connection()
        if conn is None:
            return
        self.run_task(
            save_leave_links,
            conn,
            dialog.choices(),
            leave_types,
            message=lambda: self.tr("Saving your leave links…"),
            on_done=self._leave_saved,
        )

    def _leave_saved(self, _count: int) -> None:
        self.state.plan = None  # the plan links leave from these rows: plan again
        self.leave_note.setText(
            "\u2713 " + self.tr("Leave links saved. Every import from now on uses them.")
        )
        self.leave_note.show()

    def _dialog_closed(self, attribute: str, button: QPushButton) -> None:
        dialog = getattr(self, attribute)
        setattr(self, attribute, None)
        if dialog is not None:
            dialog.deleteLater()
        button.setFocus()
