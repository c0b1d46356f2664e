"""Page 1 — Welcome: the country of the Xero organisation (decides payroll) and the language."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QListView

from core.engine.regions import country_has_payroll

from ..countries import country_names
from ..i18n import LANGUAGES, install_language
from ..widgets import Banner, paragraph
from .base import BasePage, EnterGuard


class WelcomePage(BasePage):
    def build(self) -> None:
        self.intro = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.memory_note = Banner(self)
        self.body.addWidget(self.memory_note)
        form = QFormLayout()
        self.language = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.state.language)))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.countries = QListView(self)
        self.countries.setMinimumHeight(180)
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.countries.setModel(self.proxy)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        # Enter in the search picks the first country shown (and stays on the page).
        self._enter = EnterGuard(self, {self.search: self._pick_first})
        self.countries.selectionModel().currentChanged.connect(self._country_changed)
        self.language_label = QLabel(self)
        self.search_label = QLabel(self)
        self.language_label.setBuddy(self.language)
        self.search_label.setBuddy(self.search)
        form.addRow(self.language_label, self.language)
        form.addRow(self.search_label, self.search)
        self.body.addLayout(form)
        self.body.addWidget(self.countries, 1)
        self.availability = paragraph(parent=self)
        self.body.addWidget(self.availability)
        self.setTabOrder(self.language, self.search)
        self.setTabOrder(self.search, self.countries)

    def _fill_countries(self) -> None:
        current = self.state.country
        self.model.clear()
        for code, name in country_names(self.state.language):
            item = QStandardItem(name)
            item.setData(code, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            self.model.appendRow(item)
        if current:
            self._select(current)

    def _select(self, code: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(Qt.ItemDataRole.UserRole) == code:
                self.countries.setCurrentIndex(index)
                self.countries.scrollTo(index)
                return

    def _pick_first(self) -> None:
        if self.proxy.rowCount():
            self.countries.setCurrentIndex(self.proxy.index(0, 0))
            self.countries.setFocus()

    def _country_changed(self, current, _previous=None) -> None:
        code = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        if code:
            self.state.country = code
        self._explain()
        self.completeChanged.emit()

    def _language_changed(self) -> None:
        language = self.language.currentData()
        if language and language != self.state.language:
            self.state.language = language
            install_language(language)  # sends LanguageChange to every page

    def _explain(self) -> None:
        code = self.state.country
        if not code:
            self.availability.setText(self.tr("Choose the country of your Xero organisation."))
            return
        if country_has_payroll(code):
            self.availability.setText(
                self.tr(
                    "Available here: customers, items and tracking categories, plus employees and "
                    "leave types, because Xero Payroll exists in this country."
                )
            )
        else:
            self.availability.setText(
                self.tr(
                    "Available here: customers, items and tracking categories. Xero has no payroll "
                    "in this country, so employees and leave are not imported (add team members "
                    "in QuickBooks Time yourself)."
                )
            )

    def retranslate(self) -> None:
        self.setTitle(self.tr("Welcome"))
        self.setSubTitle(
            self.tr(
                "This assistant brings your Xero customers, items and employees "
                "into QuickBooks Time. First, where is your Xero organisation?"
            )
        )
        self.intro.setText(
            self.tr(
                'Nothing is changed until you have seen a preview and clicked "Start import". '
                "You can come back, change your choices, and undo an import later."
            )
        )
        self.language_label.setText(self.tr("&Language:"))
        self.search_label.setText(self.tr("&Country:"))
        self.search.setPlaceholderText(self.tr("Type to search, e.g. Australia"))
        self.search.setAccessibleName(self.tr("Search countries"))
        self.countries.setAccessibleName(self.tr("Countries"))
        self.language.setAccessibleName(self.tr("Language"))
        if getattr(self.state.ctx, "tokens", None) is not None and self.state.ctx.tokens.in_memory:
            self.memory_note.show_message(
                self.tr(
                    "This computer has no secure password storage. The Demo Company works anyway: "
                    "its demo sign-ins are kept in memory until you close the app. To connect your "
                    "own Xero and QuickBooks Time, install GNOME Keyring or KWallet first."
                ),
                "warning",
            )
        self._fill_countries()
        self._explain()

    def ready(self) -> bool:
        return bool(self.state.country)
