""" "Add Xero contacts as customers": tick never-invoiced contacts so the import brings them in.

Contacts that were never invoiced are not customers in Xero, so the import leaves them out.
This dialog lists them (one model row each, fast with tens of thousands), filters as the
user types (case and accents ignored), and returns the ids ticked. It writes nothing: the
options page keeps the result in ``ImportOptions.extra_customers``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.engine.records import XeroContact
from core.engine.snapshots import addable_contacts

Index = QModelIndex | QPersistentModelIndex


def fold(text: str) -> str:
    """Lower case without accents: "Québec" and "quebec" find each other."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class ContactsModel(QAbstractTableModel):
    """Name (with a check box), email and city of each contact; ticked ids in ``checked``."""

    NAME, EMAIL, CITY = range(3)

    def __init__(
        self, contacts: Sequence[XeroContact], checked: Iterable[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        rows: list[tuple[str, str, str, str]] = []
        for c in contacts:
            address = c.best_address
            rows.append((c.contact_id, c.name, c.email, address.city if address else ""))
        #: (id, name, email, city) in display order, and per row its folded name, email, city
        self.rows = rows
        self.folded = [(fold(r[1]), fold(r[2]), fold(r[3])) for r in rows]
        self.keys = ["\n".join(f) for f in self.folded]
        self._sort_rows(self.NAME, Qt.SortOrder.AscendingOrder)
        self.ids = {r[0] for r in rows}
        self.checked: set[str] = {i for i in checked if i in self.ids}
        self.headers = ["", "", ""]

    # -- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row[col + 1] or None
        if role == Qt.ItemDataRole.CheckStateRole and col == self.NAME:
            return Qt.CheckState.Checked if row[0] in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.UserRole:
            return row[0]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.CheckStateRole
            or index.column() != self.NAME
        ):
            return False
        state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(int(value))
        self.set_checked(index.row(), state == Qt.CheckState.Checked)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.NAME:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here, on precomputed keys: fast with tens of thousands of rows."""
        self.layoutAboutToBeChanged.emit()
        self._sort_rows(column, order)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        col = min(max(column, 0), 2)
        folded, rows = self.folded, self.rows
        order_ = sorted(
            range(len(rows)),
            key=lambda i: (folded[i][col], folded[i][0], rows[i][0]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self.rows = [rows[i] for i in order_]
        self.folded = [folded[i] for i in order_]
        self.keys = [self.keys[i] for i in order_]

    # -- ours
    def set_headers(self, headers: list[str]) -> None:
        self.headers = headers
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)

    def set_checked(self, row: int, checked: bool) -> None:
        contact_id = self.rows[row][0]
        if checked:
            self.checked.add(contact_id)
        else:
            self.checked.discard(contact_id)
        index = self.index(row, self.NAME)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])

    def row_of(self, contact_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r[0] == contact_id), -1)


class ContactFilter(QSortFilterProxyModel):
    """Rows whose name, email or city contain every word typed; optionally ticked ones only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.only_checked = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the source model sort (fast, in Python lists); this proxy only filters."""
        model: ContactsModel = self.sourceModel()  # type: ignore[assignment]
        model.sort(column, order)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self.words = fold(text).split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_only_checked(self, only: bool) -> None:
        self.beginFilterChange()
        self.only_checked = only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model: ContactsModel = self.sourceModel()  # type: ignore[assignment]
        if self.only_checked and model.rows[source_row][0] not in model.checked:
            return False
        key = model.keys[source_row]
        return all(word in key for word in self.words)


class ManageCustomersDialog(QDialog):
    """Tick the Xero contacts to import as customers. ``chosen_ids()`` after OK."""

    def __init__(
        self,
        contacts: Sequence[XeroContact],
        extra_customers: Iterable[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.initial = frozenset(extra_customers)
        listed = addable_contacts(contacts)
        self.model = ContactsModel(listed, self.initial, self)
        self.proxy = ContactFilter(self)
        self.proxy.setSourceModel(self.model)

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.search_label = QLabel(self)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search)
        self.only_checked = QCheckBox(self)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSortIndicator(
            ContactsModel.NAME, Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)  # sorts once, by name
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ContactsModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ContactsModel.EMAIL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ContactsModel.CITY, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(ContactsModel.CITY, 130)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.count = QLabel(self)
        self.count.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        row = QHBoxLayout()
        row.addWidget(self.search_label)
        row.addWidget(self.search, 1)
        layout.addLayout(row)
        layout.addWidget(self.only_checked)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)

        self.search.textChanged.connect(self._search_changed)
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        self.only_checked.toggled.connect(self._only_checked_changed)
        self.model.dataChanged.connect(self._update_count)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setTabOrder(self.search, self.only_checked)
        self.setTabOrder(self.only_checked, self.table)
        self.setTabOrder(self.table, self.ok_button)
        self.setTabOrder(self.ok_button, self.cancel_button)
        self.search.setFocus()
        self.resize(720, 520)
        self.setSizeGripEnabled(True)
        self.retranslate()

    # -- behaviour
    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    def _only_checked_changed(self, only: bool) -> None:
        self.proxy.set_only_checked(only)
        self._update_count()

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.search and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._to_table()  # Enter in the search box must not close the dialog
                return True
            if watched is self.table and key == Qt.Key.Key_Space:
                self.toggle_current()
                return True
        return super().eventFilter(watched, event)

    def toggle_current(self) -> None:
        """Space in the list: tick or untick the contact of the current row."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        row = self.proxy.mapToSource(index).row()
        self.model.set_checked(row, self.model.rows[row][0] not in self.model.checked)

    def _to_table(self) -> None:
        """Enter in the search box: go to the first contact found (Space then ticks it)."""
        if self.proxy.rowCount():
            self.table.setFocus()
            self.table.setCurrentIndex(self.proxy.index(0, ContactsModel.NAME))

    def _update_count(self, *_args: object) -> None:
        ticked = len(self.model.checked)
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if ticked == 0:
            chosen = self.tr("No contact ticked.")
        elif ticked == 1:
            chosen = self.tr("1 contact ticked: it will be imported as a customer.")
        else:
            chosen = self.tr("%1 contacts ticked: they will be imported as customers.").replace(
                "%1", str(ticked)
            )
        if shown < total:
            chosen += " " + self.tr("Showing %1 of %2 contacts.").replace("%1", str(shown)).replace(
                "%2", str(total)
            )
        self.count.setText(chosen)
        self.empty.setVisible(total == 0 or shown == 0)
        self.empty.setText(
            self.tr("Every active Xero contact is already a customer: there is nothing to add.")
            if total == 0
            else self.tr("No contact matches your search.")
        )

    def chosen_ids(self) -> frozenset[str]:
        """The new ``extra_customers``: ticked contacts, plus earlier choices not listed here
        (a contact invoiced since is a customer now; it stays chosen, harmlessly)."""
        return frozenset((self.initial - self.model.ids) | self.model.checked)

    # -- texts
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add Xero contacts as customers"))
        self.intro.setText(
            self.tr(
                "These Xero contacts have never been invoiced, so they are not customers yet and "
                "are not imported. Tick the ones your team members need to track time against. "
                "Untick one to stop importing it."
            )
        )
        self.search_label.setText(self.tr("&Search:"))
        self.search.setPlaceholderText(self.tr("Name, email or city"))
        self.search.setAccessibleName(self.tr("Search contacts"))
        self.only_checked.setText(self.tr("Show only &ticked contacts"))
        self.table.setAccessibleName(self.tr("Xero contacts that are not customers"))
        self.table.setAccessibleDescription(self.tr("Press Space to tick or untick a contact."))
        self.model.set_headers([self.tr("Name"), self.tr("Email"), self.tr("City")])
        self.ok_button.setText(self.tr("Sa&ve"))
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
