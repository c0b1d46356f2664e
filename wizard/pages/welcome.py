"""Page 1 — Welcome: what to have ready, the language, and the country of the Xero
organisation (it decides one thing: whether Xero Payroll, hence employees and leave, exists).

The country is a short searchable choice: the three payroll countries first, then every
other; it is proposed from the system's locale (core.engine.regions.country_from_locale).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QLabel, QLineEdit, QVBoxLayout

from core.engine.regions import country_from_locale, country_has_payroll

from ..countries import country_name, country_names
from ..i18n import LANGUAGES, install_language
from ..widgets import AfterFirstPaint, Banner, heading, paragraph, set_enum
from .base import BasePage, EnterGuard

if TYPE_CHECKING:  # (the list's classes are imported where it is made, after the first paint)
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QCompleter

#: the payroll countries, first in the list, in this order
FIRST = ("AU", "NZ", "GB")
# the item data role holding a country's code: Qt.ItemDataRole.UserRole, as the int it is (a
# role is an int; Qt's namespace is not made on the way to the first page: wizard.widgets)
CODE = 0x0100


def _folded(text: str) -> str:
    """Compared without case or accents ("quebec" finds "Québec")."""
    import unicodedata  # (a search: not on the way to the first paint)

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


class WelcomePage(BasePage):
    def build(self) -> None:
        self.intro = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.memory_note = Banner(self)
        self.body.addWidget(self.memory_note)

        # "Before you start": what the hard parts need, said before them.
        self.before = QFrame(self)
        self.before.setObjectName("BeforeYouStart")
        self.before.setStyleSheet(
            "#BeforeYouStart { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 4px; }"
        )
        box = QVBoxLayout(self.before)
        box.setContentsMargins(12, 8, 12, 8)
        self.before_title = heading(parent=self.before)
        self.before_list = QLabel(self.before)
        self.before_list.setWordWrap(True)
        set_enum(self.before_list, "textFormat", "RichText")
        box.addWidget(self.before_title)
        box.addWidget(self.before_list)
        self.body.addWidget(self.before)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.language = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.state.language)))
        self.language.currentIndexChanged.connect(self._language_changed)

        # The searchable list of countries. At the first paint it shows only its search box
        # (the country proposed, or what to type), as it looks with its list: the names and
        # the search (the completer) are made one turn after the page is first painted
        # (_make_list), not on the way to the first paint (issue 16).
        self.country = QComboBox(self)
        self.country.setEditable(True)
        search = self.country.lineEdit()
        assert search is not None  # an editable combo box has one
        self.search: QLineEdit = search  # typing searches
        self.country.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.country.setMaxVisibleItems(12)
        self.country.setMinimumContentsLength(22)
        self.model = QStandardItemModel(self)
        self.country.setModel(self.model)
        self.completer: QCompleter | None = None  # made with the list
        self.search.setClearButtonEnabled(True)
        # Enter picks the first country whose name holds what was typed (and stays here);
        # the box itself is watched too: it gets the keys typed, and hands them to its search.
        self._enter = EnterGuard(
            self, {self.search: self._pick_typed, self.country: self._pick_typed}
        )
        self.country.currentIndexChanged.connect(self._country_changed)

        self.language_label = QLabel(self)
        self.country_label = QLabel(self)
        self.search_label = self.country_label
        self.language_label.setBuddy(self.language)
        self.country_label.setBuddy(self.country)
        form.addRow(self.language_label, self.language)
        form.addRow(self.country_label, self.country)
        self.body.addLayout(form)
        self.availability = paragraph(parent=self)
        self.body.addWidget(self.availability)  # what the choice decides, under it
        self.body.addStretch(1)
        self.setTabOrder(self.language, self.country)

        if not self.state.country:  # proposed from the system's locale
            proposed = country_from_locale(QLocale.system().name())
            if proposed and country_name("en", proposed):
                self.state.country = proposed
        self._list_made = False
        self._first_paint = AfterFirstPaint(self, self._make_list)

    # ------------------------------------------------------------------ the list
    def list_made(self) -> bool:
        """Whether the list of countries is made (one turn after the first paint)."""
        return self._list_made

    def _make_list(self) -> None:
        """The list of countries and its search, made once (then filled again on a change
        of language by retranslate)."""
        if self._list_made:
            return
        from PySide6.QtCore import QModelIndex
        from PySide6.QtWidgets import QCompleter

        self._list_made = True
        self.completer = QCompleter(self.model, self)
        set_enum(self.completer, "caseSensitivity", "CaseInsensitive")
        set_enum(self.completer, "filterMode", "MatchContains")
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.country.setCompleter(self.completer)
        self.completer.activated[QModelIndex].connect(self._completed)  # type: ignore[index]
        typed = self.search.text() if self.search.isModified() else None
        self._fill_countries()
        if typed is not None:  # typed before the list was there: kept, searched
            self.search.setText(typed)
            self.search.setModified(True)

    def _name_only(self) -> None:
        """Before the list is made: the search box shows the country chosen (or nothing,
        then what to type), as it does once the list is there."""
        code = self.state.country
        name = country_name(self.state.language, code) if code else None
        self.search.setText(name or "")

    def _fill_countries(self) -> None:
        names = dict(country_names(self.state.language))
        self.country.blockSignals(True)
        self.model.clear()
        for code in FIRST:
            self._add(code, names.get(code, code))
        self.country.insertSeparator(self.model.rowCount())
        for code, name in names.items():
            if code not in FIRST:
                self._add(code, name)
        self.country.setCurrentIndex(-1)
        self.country.blockSignals(False)
        if self.state.country:
            self._select(self.state.country)
        else:
            self.search.clear()

    def _add(self, code: str, name: str) -> None:
        from PySide6.QtGui import QStandardItem

        item = QStandardItem(name)
        item.setData(code, CODE)
        item.setEditable(False)
        self.model.appendRow(item)

    def _select(self, code: str) -> None:
        self._make_list()  # (a country chosen before the page was painted: the screenshots)
        index = self.country.findData(code, CODE)
        if index >= 0:
            self.country.setCurrentIndex(index)

    def _pick_typed(self) -> None:
        """Enter in the country box: pick the first country matching what was typed; on
        the country already chosen (Enter again), go on, as Enter does elsewhere."""
        typed = _folded(self.search.text().strip())
        if not typed:
            return
        chosen = self.state.country
        if chosen and typed == _folded(country_name(self.state.language, chosen) or ""):
            if self.isComplete() and self.hosted:
                self.host.next()
            return
        self._make_list()  # (Enter pressed before it was made)
        rows = [row for row in range(self.model.rowCount()) if self.model.item(row).data(CODE)]
        starts = [r for r in rows if _folded(self.model.item(r).text()).startswith(typed)]
        holds = [r for r in rows if typed in _folded(self.model.item(r).text())]
        found = (starts or holds)[:1]
        if found:
            self.country.setCurrentIndex(found[0])
            popup = self.completer.popup() if self.completer is not None else None
            if popup is not None:
                popup.hide()
            self.search.selectAll()

    def _completed(self, index: QModelIndex) -> None:
        code = index.data(CODE)
        if code:
            self._select(code)

    def _country_changed(self, _index: int = -1) -> None:
        code = self.country.currentData(CODE)
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
            self.availability.setText(
                self.tr(
                    "Choose the country of your Xero organisation: it decides whether "
                    "employees and leave can be imported (Xero Payroll)."
                )
            )
            return
        if country_has_payroll(code):
            self.availability.setText(
                self.tr(
                    "Xero Payroll exists in this country: customers, items and tracking "
                    "categories, plus employees and leave types, can be imported."
                )
            )
        else:
            self.availability.setText(
                self.tr(
                    "Xero has no payroll in this country: customers, items and tracking "
                    "categories are imported; add team members in QuickBooks Time yourself."
                )
            )

    # ------------------------------------------------------------------ arriving
    def initializePage(self) -> None:  # Qt API
        # The focus starts on the first field to fill: the country, when none is chosen.
        if not self.state.country:
            self.search.setFocus()

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.setTitle(self.tr("Welcome"))
        self.setSubTitle(
            self.tr(
                "This assistant brings your Xero customers, items and employees "
                "into QuickBooks Time."
            )
        )
        self.intro.setText(
            self.tr(
                'Nothing is changed until you have seen a preview and clicked "Start import". '
                "You can come back, change your choices, and undo an import later."
            )
        )
        self.before_title.setText(self.tr("Before you start"))
        lines = (
            self.tr(
                "Administrator access to your QuickBooks Time account (to create an access key)"
            ),
            self.tr("Your Xero sign-in"),
            self.tr("About ten minutes"),
        )
        self.before_list.setText("<br>".join(f"\u2022\u2002{line}" for line in lines))
        self.before_list.setAccessibleName(self.tr("Before you start") + ": " + "; ".join(lines))
        self.language_label.setText(self.tr("&Language:"))
        self.country_label.setText(self.tr("&Country of your Xero organisation:"))
        self.search.setPlaceholderText(self.tr("Type to search, e.g. Australia"))
        self.search.setAccessibleName(self.tr("Country of your Xero organisation"))
        self.country.setAccessibleName(self.tr("Country of your Xero organisation"))
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
        if self._list_made:
            self._fill_countries()
        else:
            self._name_only()
        self._explain()

    def ready(self) -> bool:
        return bool(self.state.country)
