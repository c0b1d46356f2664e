"""Send hours to Xero, page 1 — the pay period: the organisation's calendar periods, newest
first, the last one that has ended chosen for you.

Each entry (from the home page) reads the periods again in a worker
(``core.app.payroll.pay_periods``), for the business chosen now and on its today: a window left
open sees another business's calendars, or a period that has ended since, as they are. A period
the user picked stays picked if that business still has it; else the suggestion. Next reads both
sides and prepares the preview in a worker (``preview_hours``: nothing is sent yet), then goes
on to the problems (when some people cannot be sent) or straight to the preview.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QWizard

from ..widgets import paragraph
from .base import BasePage
from .sign_in_again import SignInAgain

if TYPE_CHECKING:
    from core.app.context import AppContext

log = logging.getLogger(__name__)


def periods_task(ctx: AppContext, connection_id: int) -> tuple[list[Any], date, str]:
    """The recent pay periods (newest first), today in the organisation's time zone, and its
    Xero version (for a new sign-in)."""
    from core.app.payroll import org_today, pay_periods
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    return list(pay_periods(ctx, conn)), org_today(conn), conn.xero_version


def preview_task(ctx: AppContext, connection_id: int, period: Any, *, progress: Any = None) -> Any:
    """The preview of the period chosen in the list: a period of one Xero calendar (its
    ``calendar_id``), so the export is that calendar's period, and the people paid on
    another calendar get theirs that ends by its last day (``preview_hours``)."""
    from core.app.payroll import preview_hours
    from core.store.models import Connection

    return preview_hours(
        ctx,
        Connection.get_by_id(connection_id),
        period.start,
        calendar=getattr(period, "calendar_id", "") or None,
        progress=progress,
    )


def day_text(day: date) -> str:
    """A date as the user's language writes it: "Mon 3 Nov 2026"."""
    locale = QLocale()
    return locale.toString(QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat)


def period_text(start: date, end: date) -> str:
    return QCoreApplication.translate("Payroll", "{start} to {end}").format(
        start=day_text(start), end=day_text(end)
    )


class PayrollPeriodPage(SignInAgain, BasePage):
    def build(self) -> None:
        self.intro = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.list_label = QLabel(self)
        self.periods = QListWidget(self)
        self.periods.setMinimumHeight(120)
        self.list_label.setBuddy(self.periods)
        self.body.addWidget(self.list_label)
        self.body.addWidget(self.periods, 1)
        self.note = paragraph(parent=self)
        self.body.addWidget(self.note)
        self.periods.currentRowChanged.connect(self._row_changed)
        self.periods.itemDoubleClicked.connect(lambda _item: self.host.next())
        self._periods: list[Any] = []
        self._today = date.today()  # the organisation's, once read
        self._loaded = False
        self._filling = False  # (the list filled by the page: no choice of the user's)
        #: the period the user picked (business, calendar, first and last day); None: theirs
        #: is the suggestion
        self._picked: tuple[int, str, date, date] | None = None
        self._reading = 0  # which reading of the periods is the latest (older answers: none)
        self._answered = 0  # the latest reading answered
        self._preview_ready = False
        self.add_sign_in(self.body)

    # ---------------------------------------------------------------- entering
    def initializePage(self) -> None:
        self._preview_ready = False
        self.state.payroll_preview = None
        self.load()  # each time: the business, its calendars and its today may have changed

    def load(self) -> None:
        # what was listed (another business's periods, or its periods of another day) goes
        # while the periods are read: nothing stale can be chosen meanwhile
        self._reading += 1
        self.sign_in_needed = False  # (asked again if the reading finds it still needed)
        self._periods = []
        self._loaded = False
        self.periods.clear()
        self.completeChanged.emit()
        connection_id = self.state.connection_id
        if connection_id is None:
            self.show_error(self.tr("No organisation is connected yet."))
            return
        reading = self._reading
        self.run_task(
            periods_task,
            self.state.ctx,
            connection_id,
            message=self._reading_words,
            on_done=lambda value: self._loaded_periods(value, reading, connection_id),
            on_error=lambda exc: self._load_failed(exc, reading),
        )

    def _reading_words(self) -> str:
        return self.tr("Reading the pay calendars in Xero…")

    def _stale(self, reading: int) -> bool:
        """Whether this answer is of an earlier reading (the page was entered again since):
        it is left out, and the page stays busy while the latest one is read."""
        self._answered = max(self._answered, reading)
        if reading == self._reading:
            return False
        if self._answered < self._reading:
            self.set_busy(True, self._reading_words)
        return True

    def _load_failed(self, exc: Any, reading: int) -> None:
        if self._stale(reading):
            return
        if self._needs_sign_in(exc, self.load):
            return
        self.show_error(exc, retry=self.load)

    def _needs_sign_in(self, exc: Any, then: Any) -> bool:
        """When only a new Xero sign-in mends ``exc`` (expired, revoked, a permission only a new
        consent adds, another person to sign in): its message, with the "Connect to Xero" it
        names as the page's main action, and ``then`` once signed in. Else False."""
        from ..workers import error_text
        from .home import sign_in_mends

        if not sign_in_mends(exc):
            return False
        if self.xero_version is None:  # (the periods were not read: the connection says it)
            conn = self.state.connection()
            self.xero_version = conn.xero_version if conn is not None else None
        self.ask_sign_in(error_text(exc), self.tr("&Connect to Xero"), then)
        return True

    def _loaded_periods(
        self, value: tuple[list[Any], date, str], reading: int, connection_id: int
    ) -> None:
        if self._stale(reading) or connection_id != self.state.connection_id:
            return  # another business's: entering the page again reads the one chosen now
        periods, self._today, self.xero_version = value
        self._periods = periods
        self._loaded = True
        self._fill(self._picked_row())
        if not periods:
            self.banner.show_message(
                self.tr(
                    "Xero has no pay calendar for this organisation. In Xero Payroll, add a pay "
                    "calendar and give it to your employees, then come back here."
                ),
                "warning",
                action_text=self.tr("Check &again"),
                action=self.load,
            )
        self.completeChanged.emit()

    def _fill(self, row: int | None = None) -> None:
        """List the periods read, with ``row`` chosen (None: the one chosen now, else the
        suggestion)."""
        current = self.periods.currentRow() if row is None else row
        self._filling = True
        try:
            self.periods.clear()
            default = self.default_index()
            today = self._today
            for index, period in enumerate(self._periods):
                text = period_text(period.start, period.end)
                name = getattr(period, "calendar_name", "")
                if name:
                    text += " — " + name
                if period.end >= today:
                    text += " " + self.tr("(not ended yet)")
                if index == default:
                    text += " " + self.tr("(suggested: the last period that has ended)")
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, index)
                self.periods.addItem(item)
            self.periods.setCurrentRow(current if current >= 0 else default)
        finally:
            self._filling = False

    def _row_changed(self, row: int) -> None:
        """The user's pick, remembered for the next entry (the page's own filling is none)."""
        if not self._filling and 0 <= row < len(self._periods):
            period = self._periods[row]
            self._picked = self._key(period, self.state.connection_id)
        self.completeChanged.emit()

    @staticmethod
    def _key(period: Any, connection_id: int | None) -> tuple[int, str, date, date]:
        return (
            connection_id if connection_id is not None else -1,
            str(getattr(period, "calendar_id", "") or getattr(period, "calendar_name", "")),
            period.start,
            period.end,
        )

    def _picked_row(self) -> int:
        """The row of the period the user picked, if this business still has it; else -1
        (the suggestion)."""
        if self._picked is None:
            return -1
        connection_id = self.state.connection_id
        for index, period in enumerate(self._periods):
            if self._key(period, connection_id) == self._picked:
                return index
        return -1

    def default_index(self) -> int:
        """The last period that has ended (``pay_periods`` lists the newest first)."""
        today = self._today
        for index, period in enumerate(self._periods):
            if period.end < today:
                return index
        return 0 if self._periods else -1

    def chosen(self) -> Any:
        row = self.periods.currentRow()
        return self._periods[row] if 0 <= row < len(self._periods) else None

    def ready(self) -> bool:
        # (until the new sign-in, a preview could only fail again: "Connect to Xero" is the
        # page's main action, Next waits)
        return self.chosen() is not None and not self.sign_in_needed

    def primary_action(self) -> QPushButton | None:
        return self.sign_in_action()

    # ---------------------------------------------------------------- Next: the preview
    def validatePage(self) -> bool:
        if self._preview_ready:
            self._preview_ready = False
            return True
        period = self.chosen()
        if not self.busy and period is not None and self.state.connection_id is not None:
            self.run_task(
                preview_task,
                self.state.ctx,
                self.state.connection_id,
                period,
                message=lambda: self.tr(
                    "Reading the approved hours in QuickBooks Time and the timesheets in Xero…"
                ),
                on_done=self._previewed,
                on_error=self._preview_failed,
                on_progress=lambda _event: None,
            )
        return False

    def _preview_failed(self, exc: Any) -> None:
        # (a connection made before hours could be sent lacks the permission to write
        # timesheets and leave: only a new consent in Xero adds it)
        if self._needs_sign_in(exc, self.host.next):
            return
        self.show_error(exc, retry=self.host.next)

    def _previewed(self, preview: Any) -> None:
        self.state.payroll_preview = preview
        self._preview_ready = True
        self.host.next()

    # ---------------------------------------------------------------- words
    def retranslate(self) -> None:
        self.setTitle(self.tr("Send hours to Xero: the pay period"))
        self.setSubTitle(
            self.tr(
                "Approved hours and time off from QuickBooks Time become draft timesheets in "
                "Xero Payroll. You see everything before it is sent."
            )
        )
        self.intro.setText(
            self.tr(
                "Choose the pay period. The dates are those of your pay calendars in Xero, so "
                "Xero accepts the timesheets."
            )
        )
        self.list_label.setText(self.tr("&Recent pay periods:"))
        self.periods.setAccessibleName(self.tr("Recent pay periods"))
        self.note.setText(
            self.tr(
                "Only hours approved in QuickBooks Time are sent. Nothing is sent until you "
                "confirm on the preview."
            )
        )
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Preview"))
        if self._loaded:
            self._fill()
