"""Send hours to Xero, page 3 — the preview, per person: hours per day, time off, what happens
to their timesheet in Xero, and what is left out and why. Totals add up to the headline.

Nothing is sent from here; Next ("Send to Xero") goes to the sending page.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QTimer
from PySide6.QtWidgets import QHeaderView, QLabel, QWizard

from ..widgets import cell, fit_rows, paragraph, read_only_table
from .base import BasePage
from .payroll_period import period_text


def hours_text(hours: float | Decimal) -> str:
    """Hours to the hundredth, as the user's language writes numbers: "7.50" / "7,50"."""
    return QLocale().toString(float(hours), "f", 2)


def short_day(day: date) -> str:
    return QLocale().toString(QDate(day.year, day.month, day.day), "ddd d")


def action_text(action: str) -> str:
    words = {
        "create": QCoreApplication.translate("Payroll", "New draft timesheet"),
        "update": QCoreApplication.translate("Payroll", "Our draft timesheet updated"),
        "unchanged": QCoreApplication.translate("Payroll", "Already in Xero, unchanged"),
        "skip": QCoreApplication.translate("Payroll", "Not sent (see the problems)"),
        "none": QCoreApplication.translate("Payroll", "No approved hours"),
    }
    return words.get(action, action)


#: the people whose timesheet is in Xero for the period once sent (as the result counts)
SENT = ("create", "update", "unchanged")
#: a fill's slice: rows added until this long has passed (the window answers between two),
#: at least FILL_AT_LEAST of them (a few people fill at once)
FILL_SLICE_S = 0.04
FILL_AT_LEAST = 50


@dataclass(frozen=True)
class PersonLine:
    """One person of the preview, as the page shows it."""

    name: str
    days: list[tuple[date, float]]  # worked hours per day (approved)
    leave: list[tuple[str, float]]  # "Annual Leave, Mon 3 – Tue 4", hours
    regular: float
    leave_hours: float
    action: str
    left_out: list[str]  # what is left out, and why (translated sentences)
    leave_count: int = 0  # leave records to send
    # the hours our draft holds in Xero now, when it is updated (shown beside the new ones)
    before_hours: float | None = None
    # the hours on lines someone added to our draft in Xero (kept as they are)
    kept_hours: float = 0.0
    # (calendar name, start, end): the person's own pay period, when it is not the page's
    # (they are paid on another Xero calendar)
    own_period: tuple[str, date, date] | None = None

    @property
    def hours(self) -> float:
        """This person's hours in the total: their timesheet's (when it is in Xero), plus
        the leave sent."""
        return round((self.regular if self.action in SENT else 0.0) + self.leave_hours, 2)


def as_day(value: Any) -> date:
    """A day of the preview (a date, or its ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def sentence(value: Any) -> str:
    """A reason of core (a translated sentence, or a method that translates it now)."""
    return str(value() if callable(value) else value or "")


def _pairs(value: Any) -> Iterable[tuple[Any, Any]]:
    if isinstance(value, Mapping):
        return value.items()
    return [(v.day, v.hours) if hasattr(v, "day") else tuple(v) for v in value or []]


def days_text(start: date, end: date) -> str:
    return short_day(start) if end == start else f"{short_day(start)} – {short_day(end)}"


def not_sent_lines(person: Any, regular: float) -> list[str]:
    """What a person whose timesheet is not sent (action "skip") loses besides what their
    own reasons say: their hours of work, and the time off held back with the timesheet
    (the plan's problem saying so); the problems say why."""
    from core.engine.payroll import LEAVE_PROBLEM

    lines = []
    if regular > 0:
        lines.append(
            QCoreApplication.translate(
                "Payroll", "{hours} h of work — not sent: see the problems"
            ).format(hours=hours_text(regular))
        )
    held = sum(
        float((getattr(p, "params", None) or {}).get("hours", 0.0))
        for p in getattr(person, "problems", None) or []
        if getattr(p, "message", None) == LEAVE_PROBLEM
    )
    if held > 0:
        lines.append(
            QCoreApplication.translate(
                "Payroll", "{hours} h of time off — not sent: see the problems"
            ).format(hours=hours_text(held))
        )
    if not lines and not (getattr(person, "left_out", None) or []):
        lines.append(QCoreApplication.translate("Payroll", "Not sent: see the problems"))
    return lines


def own_period_text(found: tuple[str, date, date]) -> str:
    """The person's own period as the page says it, after the calendar's name when known:
    "Weekly: 23/11/2026 to 29/11/2026"."""
    name, start, end = found
    when = period_text(start, end)
    if not name:
        return when
    return QCoreApplication.translate("Payroll", "{calendar}: {period}").format(
        calendar=name, period=when
    )


def person_line(person: Any, period: tuple[date, date] | None = None) -> PersonLine:
    """One person as the page shows it; ``period``: the page's pay period (a person paid on
    another calendar has their own beside their name)."""
    from core.engine.payroll import own_period

    days = sorted((as_day(d), float(h)) for d, h in _pairs(getattr(person, "days", None)))
    leave: list[tuple[str, float]] = []
    left: list[str] = []
    sent_leave = 0.0
    leave_count = 0
    for block in getattr(person, "leave", None) or []:
        when = days_text(as_day(block.start), as_day(block.end))
        action = getattr(block, "action", "create")
        if action == "skip":
            continue  # unpaid or refused: said in what is left out
        text = f"{block.name}, {when}"
        hours = float(block.hours)
        before = getattr(block, "before", None)
        was = days_text(as_day(before[0]), as_day(before[1])) if before is not None else ""
        if action == "unchanged":
            text += " " + QCoreApplication.translate("Payroll", "(already in Xero)")
        elif action == "update" and before is not None:
            text += " " + QCoreApplication.translate(
                "Payroll", "(changed in QuickBooks Time; in Xero now: {days}, {hours} h)"
            ).format(days=was, hours=hours_text(before[2]))
        elif action == "withdraw" and before is not None and getattr(block, "relinked_to", ""):
            text += " " + QCoreApplication.translate(
                "Payroll",
                "(its code is linked to {leave} now: withdrawn from Xero, {hours} h there now)",
            ).format(leave=block.relinked_to, hours=hours_text(before[2]))
        elif action == "withdraw" and before is not None:
            text += " " + QCoreApplication.translate(
                "Payroll",
                "(no longer approved in QuickBooks Time: withdrawn from Xero, {hours} h there now)",
            ).format(hours=hours_text(before[2]))
        elif action == "locked" and before is not None:
            text = f"{block.name}, {was} " + QCoreApplication.translate(
                "Payroll", "(in a pay run Xero has posted: left as it is)"
            )
            hours = float(before[2])
        if action in ("create", "update", "withdraw"):
            sent_leave += float(block.hours)
            leave_count += 1
        leave.append((text, hours))
    by_reason: dict[str, list[tuple[date, float]]] = {}
    for item in getattr(person, "left_out", None) or []:
        if isinstance(item, str):
            left.append(item)
            continue
        days_left = by_reason.setdefault(sentence(item.reason), [])
        days_left.append((as_day(item.day), float(item.hours)))
    for reason, days_left in by_reason.items():  # one line per reason, its days after it
        left.append(
            QCoreApplication.translate("Payroll", "{hours} h — {reason} ({days})").format(
                hours=hours_text(sum(h for _d, h in days_left)),
                reason=reason,
                days=", ".join(f"{short_day(d)} {hours_text(h)}" for d, h in sorted(days_left)),
            )
        )
    regular = getattr(person, "regular_hours", None)
    regular = float(regular) if regular is not None else sum(h for _d, h in days)
    action = str(getattr(person, "action", ""))
    if action == "skip":  # the whole timesheet stays out: said first, never "—"
        left = not_sent_lines(person, regular) + left
    return PersonLine(
        name=str(getattr(person, "name", "")),
        days=days,
        leave=leave,
        regular=regular,
        leave_hours=round(sent_leave, 2),
        action=action,
        left_out=left,
        leave_count=leave_count,
        before_hours=float(person.held_hours) if action == "update" else None,
        kept_hours=float(getattr(person, "kept_hours", 0.0) or 0.0)
        if action in ("update", "unchanged")
        else 0.0,
        own_period=own_period(person, period),
    )


def preview_period(preview: Any) -> tuple[date, date] | None:
    """The pay period of a preview: (start, end)."""
    period = getattr(preview, "period", None)
    if period is not None and hasattr(period, "start"):
        return as_day(period.start), as_day(period.end)
    start = getattr(preview, "period_start", None)
    end = getattr(preview, "period_end", None)
    if start is not None and end is not None:
        return as_day(start), as_day(end)
    return None


def preview_lines(preview: Any) -> list[PersonLine]:
    """The people whose timesheet goes to Xero first, then the others, each by name."""
    period = preview_period(preview)
    lines = [person_line(p, period) for p in getattr(preview, "people", None) or []]
    return sorted(lines, key=lambda line: (line.action not in SENT, line.name.casefold()))


def sending_estimate(state: Any) -> Any:
    """The Xero calls sending the state's preview needs, its time under Xero's limits and
    how far today's calls go (core.app.estimate.XeroRunEstimate); None without a preview
    that sends something, or without the business."""
    from core.app.payroll import PayrollPreview, estimate_sending

    preview = getattr(state, "payroll_preview", None)
    if not isinstance(preview, PayrollPreview) or preview.is_empty:
        return None
    conn = state.connection()
    return estimate_sending(state.ctx, conn, preview) if conn is not None else None


class PayrollPreviewPage(BasePage):
    COLUMNS = 5  # who, hours per day (work, then time off), hours, in Xero, left out

    def build(self) -> None:
        self.headline = paragraph(parent=self)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.body.addWidget(self.headline)
        self.table_label = QLabel(self)
        self.table = read_only_table(self, self.COLUMNS)
        self._filling = 0  # which fill the slices to come belong to
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 120)
        self.table.setColumnWidth(3, 115)
        self.table.setColumnWidth(4, 210)
        self.table_label.setBuddy(self.table)
        self.body.addWidget(self.table_label)
        self.body.addWidget(self.table, 1)
        self.note = paragraph(parent=self)
        self.body.addWidget(self.note)
        # the Xero calls the sending needs, how long, and how far today's calls go
        self.estimate_label = paragraph(parent=self)
        self.body.addWidget(self.estimate_label)
        self._lines: list[PersonLine] = []
        self._estimate: Any = None

    def initializePage(self) -> None:
        self._lines = preview_lines(self.state.payroll_preview)
        self._estimate = sending_estimate(self.state)
        self.retranslate()

    # ---------------------------------------------------------------- numbers
    def totals(self) -> tuple[float, float]:
        """(hours of work, hours of time off) for the period in Xero once sent: the table's
        total row, counted as the result (and ``export-hours --json``) counts them."""
        return (
            round(sum(line.regular for line in self._lines if line.action in SENT), 2),
            round(sum(line.leave_hours for line in self._lines), 2),
        )

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "unchanged": 0, "skip": 0}
        for line in self._lines:
            out[line.action] = out.get(line.action, 0) + 1
        return out

    def leave_count(self) -> int:
        return sum(line.leave_count for line in self._lines)

    def ready(self) -> bool:
        return not getattr(self.state.payroll_preview, "is_empty", True)

    # ---------------------------------------------------------------- words
    def _fill(self) -> None:
        """A row per person, in slices from the event loop (hundreds of people never hold
        the window still): the first slice now, the rest after; the total row last."""
        lines = self._lines
        self._filling += 1  # a slice of an earlier fill left to come stops
        self.table.setRowCount(len(lines) + (1 if lines else 0))
        fit_rows(self.table)  # (rows fitted to their text only if few: before any is laid out)
        self._fill_slice(self._filling, lines, 0)

    def _fill_slice(self, filling: int, lines: list[Any], row: int) -> None:
        if filling != self._filling:
            return
        started = time.perf_counter()
        n = 0
        while row < len(lines) and (
            n < FILL_AT_LEAST or time.perf_counter() - started < FILL_SLICE_S
        ):
            self._person_row(row, lines[row])
            row, n = row + 1, n + 1
        if row < len(lines):
            QTimer.singleShot(  # (never called once the page is gone)
                0, self, lambda: self._fill_slice(filling, lines, row)
            )
            return
        if lines:
            regular, leave_hours = self.totals()
            row = len(lines)
            self.table.setItem(row, 0, cell(self.tr("Total for the period")))
            self.table.setItem(
                row,
                1,
                cell(
                    self.tr("{work} hours of work, {leave} hours of time off").format(
                        work=hours_text(regular), leave=hours_text(leave_hours)
                    )
                ),
            )
            self.table.setItem(row, 2, cell(hours_text(regular + leave_hours), align_right=True))
            for col in (0, 1, 2):
                item = self.table.item(row, col)
                if item is not None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
        fit_rows(self.table)

    def _person_row(self, row: int, line: Any) -> None:
        days = ", ".join(f"{short_day(d)} {hours_text(h)}" for d, h in line.days)
        leave = [
            self.tr("{leave}: {hours}").format(leave=n, hours=hours_text(h)) for n, h in line.leave
        ]
        who = line.name
        if line.own_period is not None:  # paid on another calendar: their own period
            who += "\n" + own_period_text(line.own_period)
        self.table.setItem(row, 0, cell(who))
        self.table.setItem(row, 1, cell("\n".join([x for x in [days, *leave] if x]) or "—"))
        self.table.setItem(row, 2, cell(hours_text(line.hours), align_right=True))
        in_xero = action_text(line.action)
        if line.before_hours is not None:  # an update says what it replaces
            in_xero += "\n" + self.tr("(in Xero now: {hours} h)").format(
                hours=hours_text(line.before_hours)
            )
        if line.kept_hours:  # lines a person added in Xero: never changed
            in_xero += "\n" + self.tr("({hours} h added in Xero, kept)").format(
                hours=hours_text(line.kept_hours)
            )
        self.table.setItem(row, 3, cell(in_xero))
        self.table.setItem(row, 4, cell("\n".join(line.left_out) or "—"))

    def leave_words(self, n: int) -> str:
        if n == 0:
            return self.tr("no leave")
        return self.tr("1 leave record") if n == 1 else self.tr("{n} leave records").format(n=n)

    def headline_text(self) -> str:
        counts = self.counts()
        regular, leave = self.totals()
        sheets = counts["create"] + counts["update"]
        preview = self.state.payroll_preview
        if getattr(preview, "is_empty", True):
            if getattr(preview, "problems", None):  # (held back: the problems say why)
                return self.tr("Nothing to send: see the problems for why, and what to do.")
            return self.tr(
                "Nothing to send: Xero already has these hours, or none are approved yet."
            )
        return self.tr(
            "To send: {timesheets} (new: {created}, updated: {updated}) and {leave}. Total "
            "for the period: {regular} hours of work, {leave_hours} hours of time off."
        ).format(
            timesheets=self.tr("1 timesheet")
            if sheets == 1
            else self.tr("{n} timesheets").format(n=sheets),
            created=counts["create"],
            updated=counts["update"],
            leave=self.leave_words(self.leave_count()),
            regular=hours_text(regular),
            leave_hours=hours_text(leave),
        )

    def retranslate(self) -> None:
        self.setTitle(self.tr("Send hours to Xero: preview"))
        period = preview_period(self.state.payroll_preview)
        if period is not None:
            self.setSubTitle(
                self.tr(
                    "Pay period {period}. Check each person's hours; nothing is sent yet."
                ).format(period=period_text(*period))
            )
        self.headline.setText(self.headline_text())
        self.table_label.setText(self.tr("&Hours per person:"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Who"),
                self.tr("Hours per day"),
                self.tr("Hours"),
                self.tr("In Xero"),
                self.tr("Left out, and why"),
            ]
        )
        # the column's title short enough to be read whole in a narrow window; all it holds
        # said when the pointer rests on it
        days = self.table.horizontalHeaderItem(1)
        if days is not None:
            days.setToolTip(
                self.tr(
                    "Approved hours of work per day, then each time off and what happens to "
                    "it in Xero"
                )
            )
        self.table.setAccessibleName(self.tr("Hours per person"))
        self.note.setText(
            self.tr(
                "Each person gets one draft timesheet for the period in Xero Payroll. Unpaid "
                "leave and hours not approved in QuickBooks Time are never sent. You can undo "
                "the sending afterwards."
            )
        )
        from core.app.estimate import describe_xero_run

        self.estimate_label.setText(
            describe_xero_run(self._estimate) if self._estimate is not None else ""
        )
        self.estimate_label.setVisible(bool(self.estimate_label.text()))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Send to Xero"))
        self._fill()
