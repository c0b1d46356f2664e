"""The wizard window: page ids in an IntEnum, one module per page, no business rule here.

Pages are made when first needed, not all at start: the window opens on its first page
without importing the other pages (nor the parts of core only they use). ``wizard.pages`` is
a mapping that makes a page when it is asked for; going forward makes the next page just
before QWizard switches to it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSize, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QWidget,
    QWizard,
    QWizardPage,
)

from .i18n import resources_dir
from .state import WRITING_PAGES, PageId, WizardState
from .widgets import PRIMARY_STYLE, AfterFirstPaint, StepList, set_primary
from .workers import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QScreen, QWindow

    from core.app.context import AppContext

    from .host import PageHost
    from .pages.base import BasePage

log = logging.getLogger(__name__)


# One function per page, each with a plain import statement (packagers see them).
def _home() -> type[BasePage]:
    from .pages.home import HomePage

    return HomePage


def _welcome() -> type[BasePage]:
    from .pages.welcome import WelcomePage

    return WelcomePage


def _qbtime() -> type[BasePage]:
    from .pages.qbtime import QBTimePage

    return QBTimePage


def _xero_connect() -> type[BasePage]:
    from .pages.xero_connect import XeroConnectPage

    return XeroConnectPage


def _organisation() -> type[BasePage]:
    from .pages.organisation import OrganisationPage

    return OrganisationPage


def _options() -> type[BasePage]:
    from .pages.options import OptionsPage

    return OptionsPage


def _review() -> type[BasePage]:
    from .pages.review import ReviewPage

    return ReviewPage


def _preview() -> type[BasePage]:
    from .pages.preview import PreviewPage

    return PreviewPage


def _run() -> type[BasePage]:
    from .pages.run import RunPage

    return RunPage


def _done() -> type[BasePage]:
    from .pages.done import DonePage

    return DonePage


def _bill_range() -> type[BasePage]:
    from .pages.billing_range import BillingRangePage

    return BillingRangePage


def _bill_preview() -> type[BasePage]:
    from .pages.billing_preview import BillingPreviewPage

    return BillingPreviewPage


def _bill_send() -> type[BasePage]:
    from .pages.billing_send import BillingSendPage

    return BillingSendPage


def _payroll_period() -> type[BasePage]:
    from .pages.payroll_period import PayrollPeriodPage

    return PayrollPeriodPage


def _payroll_problems() -> type[BasePage]:
    from .pages.payroll_problems import PayrollProblemsPage

    return PayrollProblemsPage


def _payroll_preview() -> type[BasePage]:
    from .pages.payroll_preview import PayrollPreviewPage

    return PayrollPreviewPage


def _payroll_send() -> type[BasePage]:
    from .pages.payroll_send import PayrollSendPage

    return PayrollSendPage


def _payroll_done() -> type[BasePage]:
    from .pages.payroll_done import PayrollDonePage

    return PayrollDonePage


PAGE_CLASS: dict[PageId, Callable[[], type[BasePage]]] = {
    PageId.HOME: _home,
    PageId.WELCOME: _welcome,
    PageId.QBTIME: _qbtime,
    PageId.XERO_CONNECT: _xero_connect,
    PageId.ORGANISATION: _organisation,
    PageId.OPTIONS: _options,
    PageId.REVIEW: _review,
    PageId.PREVIEW: _preview,
    PageId.IMPORT: _run,
    PageId.DONE: _done,
    PageId.PAYROLL_PERIOD: _payroll_period,
    PageId.PAYROLL_PROBLEMS: _payroll_problems,
    PageId.PAYROLL_PREVIEW: _payroll_preview,
    PageId.PAYROLL_SEND: _payroll_send,
    PageId.PAYROLL_DONE: _payroll_done,
    PageId.BILL_RANGE: _bill_range,
    PageId.BILL_PREVIEW: _bill_preview,
    PageId.BILL_SEND: _bill_send,
}


def keep_xero_day_count(state: WizardState) -> None:
    """After each of the window's tasks, on its thread: what Xero said of the requests left
    today of the organisations it called, kept for ``status`` (core.app.day_limit)."""
    import sys

    if "core.services.limits" not in sys.modules:  # no Xero call made yet (issue 16)
        return
    from core.app.day_limit import remember_said_remaining

    remember_said_remaining(state.ctx)


def page_class(page_id: PageId) -> type[BasePage]:
    """The class of a page (importing its module)."""
    return PAGE_CLASS[PageId(page_id)]()


def page_classes() -> dict[PageId, type[BasePage]]:
    """Every page class (imports every page module: the self-test checks they all load)."""
    return {page_id: page_class(page_id) for page_id in PAGE_CLASS}


def step_name(page_id: PageId) -> str:
    """A step's short name in the list beside the pages (the page's own title, shortened)."""
    names = {
        PageId.WELCOME: QCoreApplication.translate("Steps", "Country"),
        PageId.QBTIME: QCoreApplication.translate("Steps", "QuickBooks Time"),
        PageId.XERO_CONNECT: QCoreApplication.translate("Steps", "Xero"),
        PageId.ORGANISATION: QCoreApplication.translate("Steps", "Organisation"),
        PageId.OPTIONS: QCoreApplication.translate("Steps", "Options"),
        PageId.REVIEW: QCoreApplication.translate("Steps", "Review"),
        PageId.PREVIEW: QCoreApplication.translate("Steps", "Preview"),
        PageId.IMPORT: QCoreApplication.translate("Steps", "Import"),
        PageId.DONE: QCoreApplication.translate("Steps", "Done"),
        PageId.PAYROLL_PERIOD: QCoreApplication.translate("Steps", "Pay period"),
        PageId.PAYROLL_PROBLEMS: QCoreApplication.translate("Steps", "What cannot be sent"),
        PageId.PAYROLL_PREVIEW: QCoreApplication.translate("Steps", "Preview"),
        PageId.PAYROLL_SEND: QCoreApplication.translate("Steps", "Sending"),
        PageId.PAYROLL_DONE: QCoreApplication.translate("Steps", "Result"),
        PageId.BILL_RANGE: QCoreApplication.translate("Steps", "Dates"),
        PageId.BILL_PREVIEW: QCoreApplication.translate("Steps", "Preview"),
        PageId.BILL_SEND: QCoreApplication.translate("Steps", "Send to Xero"),
    }
    return names.get(PageId(page_id), PageId(page_id).name.title())


def steps_title(page_id: PageId) -> str:
    """The heading of the list of steps: which way the user is on."""
    if page_id in (
        PageId.PAYROLL_PERIOD,
        PageId.PAYROLL_PROBLEMS,
        PageId.PAYROLL_PREVIEW,
        PageId.PAYROLL_SEND,
        PageId.PAYROLL_DONE,
    ):
        return QCoreApplication.translate("Steps", "Send hours to Xero")
    if page_id in (PageId.BILL_RANGE, PageId.BILL_PREVIEW, PageId.BILL_SEND):
        return QCoreApplication.translate("Steps", "Bill time in Xero")
    return QCoreApplication.translate("Steps", "Import from Xero")


def mark_words() -> dict[str, str]:
    return {
        "done": QCoreApplication.translate("Steps", "done"),
        "current": QCoreApplication.translate("Steps", "current step"),
        "todo": QCoreApplication.translate("Steps", "still to do"),
    }


_preload: threading.Thread | None = None


def preload_pages() -> threading.Thread:
    """Import every page's module in a background thread, once per process.

    The window opens with its first page only; the other pages' modules (and the parts of
    core they use: matching, planning, fetching) take a few tenths of a second to import,
    which would otherwise be paid on the UI thread at the first click on Next of each page.
    Importing them meanwhile leaves only the making of a page's widgets (milliseconds) for
    that click.
    """
    global _preload
    if _preload is not None:
        return _preload

    def run() -> None:
        for page_id in PAGE_CLASS:
            try:
                page_class(page_id)
            except Exception:  # the page's own import says it again when it is needed
                log.exception("Could not import the module of page %s", page_id.name)

    _preload = threading.Thread(target=run, name="page-preload", daemon=True)
    _preload.start()
    return _preload


class Pages(Mapping[PageId, "BasePage"]):
    """The wizard's pages by id. Asking for one makes it (and adds it to the wizard) if it
    was not made yet; ``built()`` gives only those made so far."""

    def __init__(self, wizard: BridgeWizard) -> None:
        self._wizard = wizard
        self._built: dict[PageId, BasePage] = {}

    def _key(self, page_id: object) -> PageId:
        try:
            return PageId(page_id)  # type: ignore[arg-type]
        except ValueError:
            raise KeyError(page_id) from None

    def __getitem__(self, page_id: object) -> BasePage:
        key = self._key(page_id)
        page = self._built.get(key)
        if page is None:
            page = self._wizard._make_page(key)
        return page

    def __contains__(self, page_id: object) -> bool:  # without making the page
        try:
            self._key(page_id)
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[PageId]:
        return iter(PAGE_CLASS)

    def __len__(self) -> int:
        return len(PAGE_CLASS)

    def make(self, page_id: object) -> BasePage:
        """The page, made now if it was not yet."""
        return self[page_id]

    def is_built(self, page_id: PageId) -> bool:
        return PageId(page_id) in self._built

    def built(self) -> dict[PageId, BasePage]:
        """The pages made so far, in page-id order."""
        return {key: self._built[key] for key in PAGE_CLASS if key in self._built}


def available_geometry(widget: QWidget) -> QRect | None:
    """The part of the screen ``widget`` is on (the primary screen before it is shown) that a
    window may use: without the task bar and docks, in logical pixels (a 1920×1080 screen at
    200 % gives 960×540 at most). None without a screen."""
    screen = widget.screen()
    return screen.availableGeometry() if screen is not None else None


def is_field(widget: QWidget) -> bool:
    """Whether ``widget`` is something to fill in or read on a page (a field, a choice, a
    list, a table, a text), not a button nor a scrolled area around other widgets."""
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSpinBox,
        QCheckBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QRadioButton,
        QTextEdit,
    )

    return isinstance(
        widget,
        (
            QLineEdit,
            QAbstractSpinBox,
            QComboBox,
            QAbstractItemView,
            QTextEdit,
            QPlainTextEdit,
            QCheckBox,
            QRadioButton,
        ),
    )


class _NoEnterOnWriting(QObject):
    """Enter on a focused Next or Commit button does not press it while it writes to Xero or
    QuickBooks Time (``BridgeWizard.writing_button``): it is clicked, or pressed with Space or
    its mnemonic. Qt makes it the dialog's default again behind the window's back (QWizard as
    a page says it is the last one, QDialog as another button loses the focus): it is drawn
    as no default (the window's Enter ignores it, ``BridgeWizard.keyPressEvent``)."""

    def __init__(self, wizard: BridgeWizard) -> None:
        super().__init__(wizard)  # (the window is its parent: no reference cycle)

    def _writing(self, watched: QObject) -> bool:
        wizard = self.parent()
        return isinstance(wizard, BridgeWizard) and watched is wizard.writing_button()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Paint:
            if isinstance(watched, QPushButton) and watched.isDefault() and self._writing(watched):
                watched.setDefault(False)
            return False
        if kind != QEvent.Type.KeyPress:
            return False
        from PySide6.QtCore import Qt

        key = event.key()  # type: ignore[attr-defined]
        return key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._writing(watched)


class BridgeWizard(QWizard):
    DEFAULT_SIZE = QSize(880, 640)
    #: the smallest the window can be made, on a screen that has room for it
    MINIMUM_SIZE = QSize(760, 560)
    #: the window's icon is set once its first page is painted, at the latest after this
    ICON_AT_MOST_MS = 1000

    def __init__(
        self, state: WizardState, *, already_set_up: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.tasks = TaskRunner(self, after_each=lambda: keep_xero_day_count(state))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.pages = Pages(self)
        # The way forward: the list of steps beside the pages, one primary button per page.
        self.step_list = StepList(self)
        self.setSideWidget(self.step_list)
        self.setStyleSheet(PRIMARY_STYLE)
        self._title_label: QLabel | None = None
        #: closing, waiting for the work in flight to end (``_ready_to_close``): since when
        self._closing_since: float | None = None
        self._close_timer: QTimer | None = None
        self._primary: QPushButton | None = None
        self._next_when_ready = False  # Next pressed before a first run's database existed
        #: the wizard's button the focus was put on for want of a field on the page (its
        #: fields were disabled while it read): the page's first field takes it once it can
        self._focus_for_now: QWidget | None = None
        self.currentIdChanged.connect(self._show_the_way)
        app = QCoreApplication.instance()
        if isinstance(app, QApplication):  # (the window as receiver: cut as it is deleted)
            app.focusChanged.connect(self._focus_moved)
        # Enter never closes the window: Cancel never becomes the default button, not even
        # with the focus on it (QDialog makes a focused "auto default" button the default).
        cancel = self.button(QWizard.WizardButton.CancelButton)
        if isinstance(cancel, QPushButton):
            cancel.setAutoDefault(False)
        # Enter never presses the button that sends (the previews': see update_primary)
        self._no_enter = _NoEnterOnWriting(self)
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton):
            self.button(which).installEventFilter(self._no_enter)
        self.setStartId(int(state.start_page(already_set_up)))
        #: the window's handle and the screen whose usable area the window follows, once it
        #: is shown (``_follow_screen``)
        self._handle: QWindow | None = None
        self._screen: QScreen | None = None
        #: the size a screen too small for it took from the window, given back on a screen
        #: with room for it unless the window was resized since (it was then ``_fitted_size``)
        self._size_before_fit: QSize | None = None
        self._fitted_size: QSize | None = None
        self.resize(self.DEFAULT_SIZE)
        self.setMinimumSize(self.MINIMUM_SIZE)
        self.fit_to_screen()
        self.retranslate()
        # The window's icon once the first page is painted: no page shows it, and an SVG
        # icon loads Qt's SVG icon engine and its library (with QIcon's Python class and
        # enums: ~3 ms on the way to the first paint, issue 16). The keyboard focus too: where
        # it goes is read from the page's widgets (Qt's namespace: ~120 enums).
        self._painted = False
        self._icon_later = AfterFirstPaint(
            self.pages[self.startId()], self._first_painted, at_most_ms=self.ICON_AT_MOST_MS
        )

    def _first_painted(self) -> None:
        self._painted = True
        self.set_window_icon()
        self._focus_on_page()

    def set_window_icon(self) -> None:
        """The app's icon on the window (title bar, task bar, window switcher)."""
        from PySide6.QtGui import QIcon

        icon = resources_dir() / "icons" / "app.svg"
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))

    # ------------------------------------------------------------------ pages on demand
    def _make_page(self, page_id: PageId) -> BasePage:
        page = page_class(page_id)(self.state)
        page.attach(self)
        self.pages._built[page_id] = page
        self.setPage(int(page_id), page)
        page.completeChanged.connect(self.update_primary)  # after QWizard's own update
        log.debug("Page %s made", page_id.name)
        return page

    def has_page(self, page_id: int) -> bool:
        """Whether the wizard has this page (made yet or not)."""
        return page_id in self.pages

    def page(self, page_id: int) -> QWizardPage | None:  # type: ignore[override]
        if page_id in self.pages:
            return self.pages[page_id]
        return super().page(page_id)

    def setStartId(self, page_id: int) -> None:
        if page_id in self.pages:  # QWizard only starts on a page it has
            self.pages.make(page_id)
        super().setStartId(page_id)

    def validateCurrentPage(self) -> bool:
        """QWizard.next() asks this, then goes to nextId(): make that page now if needed."""
        if self.state.ctx.db_pending:  # a first run's database is being created (wizard.app)
            self._next_when_ready = True  # the next page reads it: it comes once it exists
            return False
        if not super().validateCurrentPage():
            return False
        upcoming = self.nextId()
        if upcoming != -1 and upcoming in self.pages:
            self.pages.make(upcoming)
        return True

    def database_ready(self) -> None:
        """A first run's database now exists (wizard.app): a Next pressed meanwhile goes on."""
        if self._next_when_ready:
            self._next_when_ready = False
            self.next()

    # ------------------------------------------------------------------ the way forward
    def _show_the_way(self, _page_id: int = -1) -> None:
        self.show_steps()
        self._enlarge_title()
        self._focus_on_page()
        self.update_primary()
        # QWizard lays the page's buttons out (Next, Commit, Finish) after it says the page
        # changed: look again once it has (the window as the timer's context: closing resets
        # the page to -1, and a window deleted meanwhile drops the look instead of getting it).
        QTimer.singleShot(0, self, self.update_primary)

    def show_steps(self) -> None:
        """The list of steps of the way the current page is on (hidden on the home page)."""
        current = self.currentId()
        if current == -1 or current not in self.pages:
            self.step_list.hide()
            return
        marks = self.state.step_marks(PageId(current))
        if not marks:
            self.step_list.hide()
            return
        self.step_list.show_steps(
            steps_title(PageId(current)),
            [(step_name(step), mark.value) for step, mark in marks],
            mark_words(),
        )
        self.step_list.show()

    def _enlarge_title(self) -> None:
        """Page titles larger than the text under them (QWizard draws them body-sized)."""
        if self._title_label is None:
            page = self.currentPage()
            title = page.title() if page is not None else ""
            for label in self._own_labels() if title else ():
                if label.text() == title and label.font().bold():
                    self._title_label = label
                    break
            if self._title_label is None:
                return
            font = self._title_label.font()
            font.setPointSizeF(font.pointSizeF() * 1.45)
            self._title_label.setFont(font)

    def _own_labels(self) -> Iterator[QLabel]:
        """QWizard's own labels (its header's title and subtitle), not the pages' nor the
        list of steps': their widgets are not walked. Python meets every object it walks
        (findChildren does too), and an object of a class it has not met yet makes that
        class's Python types: a combo box's list view and scroll bars (made by Qt while the
        window is first shown) cost ~10 ms on the way to the first paint (issue 16)."""
        todo: list[QObject] = list(self.children())
        while todo:
            obj = todo.pop()
            if isinstance(obj, QLabel):
                yield obj
            elif isinstance(obj, QWidget) and not isinstance(obj, (QWizardPage, StepList)):
                todo.extend(obj.children())

    def primary_button(self) -> QPushButton | None:
        """The page's one primary button: its own main action while it cannot go on yet
        (``BasePage.primary_action``: "Connect to Xero"), else Next, Commit or Finish."""
        page = self.currentPage()
        action = getattr(page, "primary_action", None)
        own = action() if action is not None else None
        if own is not None and own.isVisibleTo(page) and not page.isComplete():
            return own
        for which in (
            QWizard.WizardButton.CommitButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.NextButton,
        ):
            button = self.button(which)
            if isinstance(button, QPushButton) and not button.isHidden():
                return button
        return None

    def update_primary(self) -> None:
        """Draw the primary button as such (filled, bold) and make it the default (Enter);
        every other button of the window is drawn plain."""
        self.show_steps()  # a step may appear (payroll problems) once the page knows
        primary = self.primary_button()
        previous, self._primary = self._primary, primary
        if previous is not None and previous is not primary:
            try:
                set_primary(previous, False)
                if previous.parent() is not None and previous not in self._wizard_buttons():
                    previous.setDefault(False)
            except RuntimeError:  # the page that held it is gone
                pass
        if primary is not None:
            set_primary(primary, True)
            if primary not in self._wizard_buttons():
                primary.setDefault(True)
        # Enter never sends: on a preview, the button that writes is not the default (QWizard
        # makes Next or Commit the default again at each update: undone here, after it)
        writing = self.writing_button()
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton):
            button = self.button(which)
            if isinstance(button, QPushButton):
                button.setAutoDefault(button is not writing)
        if writing is not None:
            writing.setDefault(False)
        self._keep_focus()
        self._no_enter_on_focused_action(self.focusWidget())  # (no longer the primary one)

    def writing_button(self) -> QPushButton | None:
        """The button that writes to Xero or QuickBooks Time on the current page (a preview's
        Next or Commit: ``state.WRITING_PAGES``), None on the other pages."""
        page = self.currentPage()
        if page is None or self.currentId() not in WRITING_PAGES:
            return None
        which = (
            QWizard.WizardButton.CommitButton
            if page.isCommitPage()
            else QWizard.WizardButton.NextButton
        )
        button = self.button(which)
        return button if isinstance(button, QPushButton) else None

    def keyPressEvent(self, event) -> None:
        # Enter in a page's table or list reaches the window, which presses its default
        # button: never the one that sends (Qt may have made it the default again)
        from PySide6.QtCore import Qt

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            writing = self.writing_button()
            if writing is not None and writing.isDefault():
                event.accept()
                return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ the keyboard focus
    def _focus_moved(self, _old: QWidget | None, now: QWidget | None) -> None:
        self._no_enter_on_focused_action(now)

    def _no_enter_on_focused_action(self, widget: QWidget | None) -> None:
        """Enter does what the button drawn as the default says (``update_primary``), also
        with the focus on another button of the page ("Review look-alike records", "Undo",
        "Manage…"): such a button is not an "auto default" one, which Qt makes the default
        as it takes the focus and Enter presses. Space and its mnemonic press it. Looked at
        as it takes the focus: walking the pages' widgets would make the Python types of
        every class met on the way to the first paint (``_own_labels``)."""
        if not isinstance(widget, QPushButton) or widget.window() is not self:
            return  # not a button, or one of a dialog (its own window, its own default)
        page = self.currentPage()
        if page is None or not page.isAncestorOf(widget):
            return  # Back, Next...: the window's own rules
        primary = self.primary_button()
        if widget is primary:
            return
        if widget.autoDefault():
            widget.setAutoDefault(False)
        if widget.isDefault():  # made the default as it took the focus: no longer
            widget.setDefault(False)  # (Qt takes it from every button of the window)
            if primary is not None and primary is not self.writing_button():
                primary.setDefault(True)

    def _usable(self, widget: QWidget | None) -> bool:
        """``widget`` can hold the focus: it is shown (with the window) and enabled."""
        import shiboken6

        return (
            widget is not None
            and shiboken6.isValid(widget)
            and widget.isEnabled()
            and widget.isVisibleTo(self)
        )

    def _focus_on_page(self) -> None:
        """The page changed (Next, Back, a shortcut, a restart): the focus goes onto it unless
        it already is, so Enter and Space act on what is shown (never on a button of the page
        left, now hidden) and a screen reader says where the user is."""
        page = self.currentPage()
        if page is None or not self.isVisible() or not self._painted:
            return  # as the window shows, once its first page is painted
        focus = self.focusWidget()
        if self._usable(focus) and page.isAncestorOf(focus):
            self._focus_for_now = None
            return
        self._place_focus(page)

    def _keep_focus(self, *, once_more: bool = True) -> None:
        """The page changed its state (it read, it is busy or no more): a focus lost (on a
        widget hidden or disabled meanwhile), or put on a button for want of a field, goes
        onto the page. A page shows what it read just after it says it is no longer busy:
        still no field, the window looks once more on the next turn of the event loop."""
        page = self.currentPage()
        if page is None or not self.isVisible() or not self._painted:
            return
        focus = self.focusWidget()
        if self._usable(focus) and (
            self._focus_for_now is None or focus is not self._focus_for_now
        ):
            self._focus_for_now = None
            return
        self._place_focus(page)
        if once_more and self._focus_for_now is not None:
            QTimer.singleShot(0, self, self._keep_focus_once_more)

    def _keep_focus_once_more(self) -> None:
        self._keep_focus(once_more=False)

    def _place_focus(self, page: QWizardPage) -> None:
        target = self._page_focus(page)
        self._focus_for_now = None
        if target is None:
            target = self._button_focus()
            self._focus_for_now = target
        if target is not None and target is not self.focusWidget():
            target.setFocus()

    def _page_focus(self, page: QWizardPage) -> QWidget | None:
        """Where the focus goes on ``page``: the one the page names (``BasePage.first_focus``),
        else its first field, list or table in the Tab order."""
        own = getattr(page, "first_focus", None)
        wanted = own() if own is not None else None
        if wanted is not None and self._usable(wanted):
            return wanted
        from PySide6.QtCore import Qt

        tab = Qt.FocusPolicy.TabFocus.value
        widget = page.nextInFocusChain()
        for _ in range(5000):  # the window's chain is a ring: once round at most
            if widget is None or widget is page:
                break
            if (
                widget.focusPolicy().value & tab
                and page.isAncestorOf(widget)
                and is_field(widget)
                and self._usable(widget)
            ):
                return widget
            widget = widget.nextInFocusChain()
        return None

    def _button_focus(self) -> QPushButton | None:
        """A page without a field to go to: its primary button, unless it sends (then Back);
        never Cancel ("Close" on the home page)."""
        cancel = self.button(QWizard.WizardButton.CancelButton)
        primary = self.primary_button()
        if primary is not None and primary is not cancel and primary is not self.writing_button():
            if self._usable(primary):
                return primary
        back = self.button(QWizard.WizardButton.BackButton)
        if isinstance(back, QPushButton) and self._usable(back):
            return back
        return None

    def _wizard_buttons(self) -> list[QPushButton]:
        return [
            button
            for which in (
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.CommitButton,
                QWizard.WizardButton.FinishButton,
                QWizard.WizardButton.CancelButton,
            )
            if isinstance(button := self.button(which), QPushButton)
        ]

    #: narrower than this, the list of steps keeps only its marks and numbers
    COMPACT_BELOW = 860

    def resizeEvent(self, event) -> None:
        self.step_list.set_compact(self.width() < self.COMPACT_BELOW)
        super().resizeEvent(event)

    def fit_to_screen(self) -> None:
        """The window within the room its screen has (``available_geometry``): its size and
        its smallest size no larger than that room, title bar included once it is known, and
        the window moved back inside it. At 200 % on a 1920×1080 screen (960×540) the default
        880×640 and the smallest 760×560 would put Back, Next and Cancel off the screen.

        A window is never made larger than it is, except to give back the size a smaller
        screen took from it (dragged onto it and back): one the user resized stays as it is."""
        area = available_geometry(self)
        if area is None or area.isEmpty():
            return
        frame = self.frameGeometry()
        inner = self.geometry()
        # the title bar and borders, once the window is shown (0 before)
        extra_w = max(0, frame.width() - inner.width())
        extra_h = max(0, frame.height() - inner.height())
        room = QSize(max(1, area.width() - extra_w), max(1, area.height() - extra_h))
        size = self.size()  # (before a larger smallest size makes it larger)
        self.setMinimumSize(self.MINIMUM_SIZE.boundedTo(room))
        if self.isMaximized() or self.isFullScreen():
            return  # the window system gives it the screen
        wanted = size
        if self._size_before_fit is not None:
            if size == self._fitted_size:
                wanted = self._size_before_fit
            else:  # resized since it was fitted: the size it has now is the one wanted
                self._size_before_fit = None
        fitted = wanted.boundedTo(room)
        if fitted == wanted:
            self._size_before_fit = None
        elif self._size_before_fit is None:
            self._size_before_fit = QSize(wanted)
        if fitted != self.size():
            self.resize(fitted)
        self._fitted_size = QSize(self.size()) if self._size_before_fit is not None else None
        if self.isVisible():
            frame = self.frameGeometry()
            x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
            y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
            if (x, y) != (frame.left(), frame.top()):
                self.move(x, y)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not event.spontaneous():  # shown by the app, not restored by the window system
            self._follow_screen()
            self.fit_to_screen()
            self._focus_on_page()

    def _follow_screen(self) -> None:
        """Fit the window again each time it goes to another screen (dragged onto a smaller
        one, or one at 200 %) and each time its screen's usable area changes (another
        resolution or scale, a task bar moved): from the first show, when it has a handle."""
        handle = self.windowHandle()
        if handle is None or handle is self._handle:
            return
        self._handle = handle
        handle.screenChanged.connect(self._screen_changed)
        self._watch_screen(handle.screen())

    def _watch_screen(self, screen: QScreen | None) -> None:
        """Follow the usable area of ``screen`` (the window's), no longer of the one before."""
        import shiboken6

        before, self._screen = self._screen, screen
        if before is screen:
            return
        if before is not None and shiboken6.isValid(before):
            try:
                before.availableGeometryChanged.disconnect(self._screen_area_changed)
            except (RuntimeError, TypeError):  # (a screen going away: Qt has cut it already)
                pass
        if screen is not None:
            screen.availableGeometryChanged.connect(self._screen_area_changed)

    def _screen_changed(self, screen: QScreen | None) -> None:
        self._watch_screen(screen)
        self.fit_to_screen()

    def _screen_area_changed(self, _area: QRect) -> None:
        self.fit_to_screen()

    # ------------------------------------------------------------------ the window
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Xero to QuickBooks Time"))
        self._retranslate_buttons()
        if self.currentId() != -1:
            self.show_steps()

    #: QWizard's own words for its buttons (ModernStyle), as qtbase words them at start
    #: (QWizard::tr in qwizard.cpp): QWizard does not word them again on a language change
    BUTTON_WORDS = (
        (QWizard.WizardButton.BackButton, "< &Back"),
        (QWizard.WizardButton.NextButton, "&Next >"),
        (QWizard.WizardButton.CommitButton, "Commit"),
        (QWizard.WizardButton.FinishButton, "&Finish"),
        (QWizard.WizardButton.CancelButton, "Cancel"),
        (QWizard.WizardButton.HelpButton, "&Help"),
    )

    def _retranslate_buttons(self) -> None:
        """Every standard button in the current language, in the qtbase translation the
        wizard uses at start (a page's own words, "See the result", still come first)."""
        for which, source in self.BUTTON_WORDS:
            self.setButtonText(which, QCoreApplication.translate("QWizard", source))

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ PageHost
    @property
    def ctx(self) -> AppContext:
        return self.state.ctx

    def next_to(self, page_id: PageId) -> None:
        """Go forward to ``page_id`` (the home page's shortcuts); Back returns to here.

        Already there (a shortcut's button pressed again from a page shown since): nothing
        to do."""
        if self.currentId() == int(page_id):
            log.debug("Already on page %s: nothing to do", PageId(page_id).name)
            return
        self.state.start_detour(PageId(self.currentId()), PageId(page_id))
        try:
            self.next()
        finally:
            self.state.end_detour()

    def restart_at(self, page_id: PageId) -> None:
        self.setStartId(int(page_id))
        self.restart()

    def on_cancel(self, slot: Callable[[], None]) -> None:
        self.rejected.connect(slot)

    def stop_background_work(self) -> None:
        """Ask every page with work in flight (an import, a browser sign-in) to stop safely,
        then wait for the workers: an import stops between batches, never mid-batch.
        (Blocks: for the tests and the screenshots; the window's own closing never waits so,
        see ``_ready_to_close``.)"""
        self._ask_pages_to_stop()
        self.tasks.wait(15000)

    def _ask_pages_to_stop(self) -> None:
        for page in self.pages.built().values():
            cancel = getattr(page, "request_cancel", None)
            if cancel is not None:
                cancel()

    #: how long a closing window waits for its work to end before it closes anyway (the
    #: work then ends after it, before the app exits: Qt's pool of workers waits for it)
    CLOSE_WAIT_MS = 15000
    #: how often a closing window looks whether its work has ended
    CLOSE_LOOK_MS = 50

    def _page_asks_first(self) -> bool:
        """The current page has work in flight (an import, a sending, an undo) and asks
        before the window closes: True = it asked, and the window stays."""
        ask_first = getattr(self.currentPage(), "ask_before_closing", None)
        return ask_first is not None and bool(ask_first())

    def _ready_to_close(self) -> bool:
        """Ask every page's work to stop; True when none runs any more: the window may close.

        Else the window stays, greyed (nothing new can be started), and closes itself as
        soon as the work has ended, at the latest after ``CLOSE_WAIT_MS``: it never blocks,
        so it repaints and the work's last reports reach it meanwhile."""
        if self._closing_since is not None:
            return False  # already closing: it closes once the work has ended
        self._ask_pages_to_stop()
        if self.tasks.wait(0):
            return True
        import time

        from PySide6.QtCore import Qt

        self._closing_since = time.monotonic()
        # what the work in flight hands on to (a page moving on, reading more) never starts:
        # the window closes once this work ends, and no new work keeps the app alive after
        self.tasks.refuse_new()
        self.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)
        page = self.currentPage()
        if page in self.pages.built().values() and getattr(page, "busy", False):
            # its busy line says why the window waits
            self.pages[self.currentId()].set_busy_words(
                lambda: self.tr("Closing once the work in progress has stopped…")
            )
        timer = QTimer(self)
        timer.setInterval(self.CLOSE_LOOK_MS)
        timer.timeout.connect(self._close_when_idle)
        timer.start()
        self._close_timer = timer
        return False

    def _close_when_idle(self) -> None:
        import time

        assert self._closing_since is not None
        waited_ms = (time.monotonic() - self._closing_since) * 1000
        if not self.tasks.wait(0) and waited_ms < self.CLOSE_WAIT_MS:
            return
        if waited_ms >= self.CLOSE_WAIT_MS:
            log.warning("The window closes with work still running (it ends before the app)")
        if self._close_timer is not None:
            self._close_timer.stop()
            self._close_timer = None
        self._closing_since = None
        self.setEnabled(True)
        self.unsetCursor()
        super().reject()

    @property
    def closing(self) -> bool:
        """The window waits for its work to end before closing (``_ready_to_close``)."""
        return self._closing_since is not None

    def reject(self) -> None:  # the Cancel button, Escape, and the window's close button
        if self._page_asks_first() or not self._ready_to_close():
            return
        super().reject()

    def closeEvent(self, event) -> None:
        # The window's close button: QDialog calls reject() (above) for a window shown, and
        # ignores the event when the window stays. A hidden window closes at once: its
        # pages are asked to stop, and Qt's pool waits for their work before the app exits.
        if not self.isVisible():
            self._ask_pages_to_stop()
        super().closeEvent(event)


if TYPE_CHECKING:

    def _implements_page_host(wizard: BridgeWizard) -> PageHost:
        return wizard
