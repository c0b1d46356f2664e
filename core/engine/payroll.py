"""Approved QuickBooks Time hours and time off -> draft Xero Payroll timesheets and leave.

Pure planning (no network, no Qt): :func:`plan_payroll` takes the typed inputs the app reads
from both services plus what ``SentHours`` says was already sent, and says per person what
the export does. The rules (DOMAIN.md "Sending hours back to Xero", issue 13):

- Each person's hours go to a period of their OWN Xero pay calendar (Xero takes no other):
  by default their last one that has ended, whatever calendar most people are paid on
  (:func:`person_period`); the plan is named by one calendar's period, and a person whose
  period is another is listed with theirs.
- A day counts only when it is on or before the user's ``approved_to``. Later days are left
  out and said: "submitted, not approved" (on or before ``submitted_to``) or "not submitted".
- A shift still on the clock is left out and said.
- A shift over midnight counts on each day it covers, in its own time zone (``tz_str``, else
  the offset of its ``start``).
- Regular hours go on the employee's ordinary earnings rate, per day, to the hundredth of an
  hour; the days add up to the person's approved total rounded to the hundredth
  (largest-remainder rounding), so no hundredth is lost or invented.
- Time off on a code linked to a paid Xero leave type becomes leave for those days; unpaid
  leave is never sent (and is said); time off on an unlinked code is said.
- Never twice: an existing Xero draft that this app made is updated only when its hours
  differ; a timesheet that is no longer a draft is never touched (and hours edited since it
  was sent are flagged); a draft the app did not make is left alone. When the person's pay
  calendar changed in Xero (another calendar, or re-anchored) since an earlier send, our
  timesheet of the other period that overlaps theirs is seen: still a draft holding hours of
  their days, nothing is sent for them (it would be paid twice), with why; no longer a draft,
  its days are paid and left out, the other days sent.
- UK statutory leave types (``isStatutoryLeave``) are never sent as leave in hours (Xero
  takes them through ``/StatutoryLeaves`` with a work pattern and notice): listed.
- Leave this app sent follows its time off, as hours follow their shifts: when the time off
  changes in QuickBooks Time (hours, days) the leave is updated in Xero; when it is gone
  (deleted, no longer approved) the leave is withdrawn. Leave in a pay run Xero has posted
  (AU ``PROCESSED``, NZ/UK ``Completed``) is never changed: the preview says so instead.
  Leave is matched to time off of the same leave type by the QuickBooks Time timesheets it
  was sent from, else by overlapping days.
"""

from __future__ import annotations

import calendar as _calendar
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.i18n import N_, Msg, tr

WORK_TYPES = frozenset({"regular", "paid_break"})
LEAVE_TYPES = frozenset({"pto", "unpaid_time_off"})
_STEPS = {"WEEKLY": 7, "FORTNIGHTLY": 14, "FOURWEEKLY": 28}
_MONTHS = {"MONTHLY": 1, "QUARTERLY": 3}
_Key = TypeVar("_Key", str, tuple[str, str])
#: what a leave block's send writes to Xero
LEAVE_WRITES = ("create", "update", "withdraw")


# =========================================================================== inputs
@dataclass(frozen=True)
class Shift:
    """One QuickBooks Time timesheet (``regular``: start/end; ``manual``: date + duration)."""

    id: int
    user_id: int
    jobcode_id: int
    start: datetime | None
    end: datetime | None
    day: date | None  # the ``date`` field (manual timesheets)
    seconds: int
    tz_str: str = ""
    on_the_clock: bool = False
    last_modified: str = ""
    kind: str = "regular"  # QuickBooks Time's type: regular | manual
    #: the timesheet's custom fields as QuickBooks Time answers them: (field id, value)
    custom_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PayUser:
    id: int
    name: str
    approved_to: date | None
    submitted_to: date | None


@dataclass(frozen=True)
class PayCalendar:
    id: str
    name: str
    type: str  # WEEKLY / Fortnightly / MONTHLY ... (case ignored)
    anchor: date  # a day a period starts on


@dataclass(frozen=True)
class PayEmployee:
    employee_id: str
    name: str
    calendar_id: str
    ordinary_rate_id: str
    #: their last day (YYYY-MM-DD) when they left or are leaving: "" otherwise. Their hours
    #: up to it are sent (a final pay period); hours after it are left out, with why
    end_date: str = ""
    #: False: Xero says they no longer work here (AU ``TERMINATED``); with no last day, none
    #: of their hours can be told before or after it: all are left out, with why
    active: bool = True
    #: NZ/UK, when their salary and wages give no rate for the period (``ordinary_rate_id``
    #: ""): "salary" (paid a salary, no hourly line) or "no_wages" (no line in effect)
    no_rate_why: str = ""
    #: their first day (YYYY-MM-DD: AU ``StartDate``, NZ/UK ``startDate``), "" when Xero
    #: gives none. Their hours and time off dated before it are left out, with why
    start_date: str = ""


@dataclass(frozen=True)
class EarningsRate:
    id: str
    name: str
    active: bool


@dataclass(frozen=True)
class LeaveKind:
    leave_type_id: str
    name: str
    is_paid: bool
    active: bool = True
    #: what Xero counts its leave in ("Hours", "Days"…; "" when it does not say)
    units: str = ""
    #: a UK statutory leave type (``isStatutoryLeave``: statutory sick, maternity…): Xero
    #: takes it through ``/StatutoryLeaves`` with a work pattern and notice, never as
    #: employee leave in hours: time off on it is never sent
    statutory: bool = False

    @property
    def in_hours(self) -> bool:
        """Whether leave of this type is counted in hours, as QuickBooks Time counts time off
        (a type counted in days or weeks would take 8 h as 8 days: never sent)."""
        return self.units.casefold() in ("", "hours", "hour")


@dataclass(frozen=True)
class XeroTimesheet:
    """A Xero timesheet of one employee: its hours per (day, earnings rate, tracking item
    id or "")."""

    id: str
    employee_id: str
    start: date
    end: date
    draft: bool
    hours: Mapping[tuple[str, str, str], float]


@dataclass(frozen=True)
class SentRow:
    """An active SentHours row (what an earlier export sent)."""

    target: str  # payroll | leave
    qbt_timesheet_id: int
    qbt_last_modified: str
    xero_id: str
    line_key: str
    day: str
    hours: float


@dataclass(frozen=True)
class OurLeave:
    """Leave this app sent that Xero holds now (AU: not rejected), as Xero holds it."""

    xero_id: str
    employee_id: str
    leave_type_id: str
    start: str  # YYYY-MM-DD
    end: str
    hours: float  # its units, all periods
    #: in a pay run Xero has posted (AU ``PROCESSED``, NZ/UK ``Completed``): never changed
    locked: bool = False
    title: str = ""
    #: the QuickBooks Time timesheets it was sent from (the active SentHours rows)
    timesheet_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PayrollInputs:
    today: date
    #: a day of the pay period chosen (None: each person's last period that has ended)
    period_day: date | None
    users: Mapping[int, PayUser]
    #: qbt user id -> Xero employee id (the import's employee links)
    links: Mapping[int, str]
    employees: Mapping[str, PayEmployee]
    calendars: Mapping[str, PayCalendar]
    rates: Mapping[str, EarningsRate]
    #: time-off code id -> (name, type pto|unpaid_time_off)
    time_off_codes: Mapping[int, tuple[str, str]]
    #: time-off code id -> Xero leave type id (LeaveLink)
    leave_links: Mapping[int, str]
    leave_types: Mapping[str, LeaveKind]
    shifts: Iterable[Shift]
    #: every Xero timesheet overlapping the period, by id
    xero_timesheets: Mapping[str, XeroTimesheet]
    sent: Iterable[SentRow] = ()
    #: Xero timesheet ids this app wrote (SentHours or an unfinished journal entry)
    ours: frozenset[str] = frozenset()
    #: by Xero timesheet id: the (earnings rate, tracking item) lines this app ever wrote on
    #: it, lower case (its journal). A line of another rate or item was added in Xero
    #: (overtime, an allowance…): someone's, kept as it is. A timesheet not in it: every line
    #: is taken as the app's (as before this was recorded).
    written: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    #: leave this app sent that Xero holds now
    our_leave: Iterable[OurLeave] = ()
    #: jobcodes of type ``unpaid_break``: time on them is not paid, never sent
    unpaid_break_codes: frozenset[int] = frozenset()
    #: time-off codes of ``time_off_codes`` added in QuickBooks Time after the last import
    #: (read for this export): never linked to a Xero leave type yet
    new_time_off_codes: frozenset[int] = frozenset()
    #: jobcodes of shifts that neither the last import nor this export could read (the read
    #: failed, or QuickBooks Time did not return them): work or time off, it cannot be told,
    #: so their hours are held back
    unread_codes: frozenset[int] = frozenset()
    #: the QuickBooks Time custom field linked to Xero's timesheet tracking category
    tracking_field: int | None = None
    #: that field's items linked to the category's options: item name (case-folded, outer
    #: spaces ignored: a timesheet's custom field holds the item's name) -> tracking option id
    tracking_items: Mapping[str, str] = field(default_factory=dict)
    #: the name of that category (said when hours carry a value linked to none of its options)
    tracking_category_name: str = ""
    #: the calendar (id) whose period was chosen (the wizard's list names one): its period
    #: holding ``period_day`` (else its last ended one) is the export's; "" for the calendar
    #: most people are paid on. See :func:`person_period`.
    period_calendar: str = ""


# =========================================================================== outputs
@dataclass(frozen=True)
class Problem:
    who: str
    message: Msg
    params: Mapping[str, Any] = field(default_factory=dict)

    def reason(self, language: str | None = None) -> str:
        return tr(self.message, language, **self.params)


@dataclass(frozen=True)
class LeftOut:
    day: str
    hours: float
    message: Msg

    def reason(self, language: str | None = None) -> str:
        return tr(self.message, language)


@dataclass
class LeaveBlock:
    """Consecutive days of one paid leave type: one Xero leave record. A withdrawal has no
    days (its time off is gone): ``before`` says what Xero holds."""

    leave_type_id: str
    name: str
    days: dict[str, float]
    #: (qbt timesheet id, last_modified, day, hours)
    sources: list[tuple[int, str, str, float]]
    #: create | update | unchanged | withdraw | locked (changed, but in a posted pay run) | skip
    action: str = "create"
    xero_id: str = ""
    #: what Xero holds now in the leave this updates, withdraws or cannot change:
    #: (first day, last day, hours)
    before: tuple[str, str, float] | None = None
    #: a withdrawal because the time-off code is linked to another leave type now: its name
    #: (its time off is sent as that leave); "" for time off gone or no longer approved
    relinked_to: str = ""

    @property
    def start(self) -> str:
        return min(self.days) if self.days else (self.before[0] if self.before else "")

    @property
    def end(self) -> str:
        return max(self.days) if self.days else (self.before[1] if self.before else "")

    @property
    def hours(self) -> float:
        return round(sum(self.days.values()), 2)


@dataclass
class PersonPlan:
    name: str
    qbt_user_id: int
    employee_id: str = ""
    period_start: date | None = None
    period_end: date | None = None
    calendar_id: str = ""
    #: the name of the calendar ``period_start``..``period_end`` is a period of
    calendar_name: str = ""
    rate_id: str = ""
    rate_name: str = ""
    #: regular hours per day (YYYY-MM-DD), rounded to the hundredth
    days: dict[str, float] = field(default_factory=dict)
    #: the same hours per (day, tracking option id or ""): what the lines carry
    tracked: dict[tuple[str, str], float] = field(default_factory=dict)
    #: (qbt timesheet id, last_modified, day, hours unrounded) that make up ``days``
    sources: list[tuple[int, str, str, float]] = field(default_factory=list)
    leave: list[LeaveBlock] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    action: str = "skip"  # create | update | unchanged | skip | none
    xero_id: str = ""
    #: what Xero holds now on our lines of the draft we update: (day, rate, tracking) -> hours
    before: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: lines someone added to our draft in Xero (another earnings rate or tracking item than
    #: the app ever wrote there): sent back as they are, never changed nor removed
    kept: dict[tuple[str, str, str], float] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def regular_hours(self) -> float:
        return round(sum(self.days.values()), 2)

    @property
    def held_hours(self) -> float:
        """The hours our draft holds in Xero now, when it is updated (0 otherwise)."""
        return round(sum(self.before.values()), 2)

    @property
    def kept_hours(self) -> float:
        """The hours on lines someone added to our draft in Xero (kept as they are)."""
        return round(sum(self.kept.values()), 2)

    @property
    def leave_hours(self) -> float:
        return round(sum(b.hours for b in self.leave if b.action not in ("skip", "locked")), 2)

    def lines(self) -> dict[tuple[str, str, str], float]:
        """The timesheet's lines: hours per (day, earnings rate, tracking option or "")."""
        return {(d, self.rate_id, t): h for (d, t), h in self.tracked.items() if h > 0}


def au_replacing(
    hours: Mapping[tuple[str, str, str], float], held: Mapping[tuple[str, str, str], float]
) -> dict[tuple[str, str, str], float]:
    """The hours to send to an AU payroll 1.0 timesheet that holds ``held`` so it ends up
    holding exactly ``hours``: ``hours`` plus zero units for each (earnings rate, tracking
    item) line it holds that ``hours`` has none of. Nothing says Xero clears lines an update
    leaves out (or an empty ``TimesheetLines``), so each one it holds is sent, at zero if it
    must go; this works whether Xero replaces the lines or keeps the ones not sent. Keys are
    (day, rate, tracking item or ""); a zero line is keyed by a day it holds."""
    out = dict(hours)
    sent = {(rate.lower(), tracking.lower()) for _d, rate, tracking in hours}
    for day, rate, tracking in sorted(held):
        if (rate.lower(), tracking.lower()) not in sent:
            sent.add((rate.lower(), tracking.lower()))
            out[(day, rate, tracking)] = 0.0
    return out


@dataclass
class PayrollPlan:
    period_start: date
    period_end: date
    calendar_name: str
    people: list[PersonPlan]
    problems: list[Problem]

    @property
    def writes(self) -> int:
        return sum(1 for p in self.people if p.action in ("create", "update")) + sum(
            1 for p in self.people for b in p.leave if b.action in LEAVE_WRITES
        )

    @property
    def is_empty(self) -> bool:
        return self.writes == 0


# =========================================================================== calendars
def _add_months(day: date, months: int, anchor_day: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(anchor_day, _calendar.monthrange(year, month)[1]))


def period_of(cal: PayCalendar, day: date) -> tuple[date, date] | None:
    """The calendar period (start, end) that holds ``day``; None for a kind we cannot count."""
    kind = re.sub(r"[^A-Z]", "", cal.type.upper())
    step = _STEPS.get(kind)
    if step:
        start = cal.anchor + timedelta(days=(day - cal.anchor).days // step * step)
        return start, start + timedelta(days=step - 1)
    months = _MONTHS.get(kind)
    if months:
        anchor = cal.anchor
        start = _add_months(
            anchor,
            ((day.year - anchor.year) * 12 + day.month - anchor.month) // months * months,
            anchor.day,
        )
        if start > day:
            start = _add_months(start, -months, anchor.day)
        return start, _add_months(start, months, anchor.day) - timedelta(days=1)
    return None


def last_ended_period(cal: PayCalendar, today: date) -> tuple[date, date] | None:
    """The newest period of ``cal`` that ended before ``today``."""
    current = period_of(cal, today)
    if current is None:
        return None
    return period_of(cal, current[0] - timedelta(days=1))


def ended_by(cal: PayCalendar, day: date) -> tuple[date, date] | None:
    """The newest period of ``cal`` that ends on or before ``day``."""
    found = period_of(cal, day)
    if found is None or found[1] <= day:
        return found
    return period_of(cal, found[0] - timedelta(days=1))


def recent_periods(cal: PayCalendar, today: date, count: int = 6) -> list[tuple[date, date]]:
    """The current period and the ``count - 1`` before it, newest first."""
    out: list[tuple[date, date]] = []
    found = period_of(cal, today)
    while found is not None and len(out) < count:
        out.append(found)
        found = period_of(cal, found[0] - timedelta(days=1))
    return out


def calendars_by_use(inputs: PayrollInputs) -> list[PayCalendar]:
    """The calendars, the one most linked employees are paid on first (ties: by name)."""
    uses: dict[str, int] = {}
    for emp_id in set(inputs.links.values()):
        emp = inputs.employees.get(emp_id)
        gone = emp is not None and emp.end_date and emp.end_date < inputs.today.isoformat()
        if emp is not None and not gone and emp.calendar_id in inputs.calendars:
            uses[emp.calendar_id] = uses.get(emp.calendar_id, 0) + 1
    order = sorted(
        inputs.calendars, key=lambda k: (-uses.get(k, 0), inputs.calendars[k].name.casefold())
    )
    return [inputs.calendars[k] for k in order]


def main_calendar(inputs: PayrollInputs) -> PayCalendar | None:
    """The calendar most linked employees are paid on (ties: by name) whose periods this app
    can count (a twice-monthly one cannot: its employees are listed, NO_PERIOD); None when
    there is none."""
    return next(
        (cal for cal in calendars_by_use(inputs) if period_of(cal, inputs.today) is not None),
        None,
    )


# =========================================================================== hours per day
def _zone(shift: Shift) -> Any:
    if shift.tz_str:
        try:
            return ZoneInfo(shift.tz_str)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if shift.start is not None and shift.start.utcoffset() is not None:
        return shift.start.tzinfo
    return UTC


def seconds_per_day(shift: Shift) -> dict[date, float]:
    """The seconds of ``shift`` on each day it covers, in its time zone."""
    if shift.start is None or shift.end is None:
        return {shift.day: float(shift.seconds)} if shift.day is not None else {}
    zone = _zone(shift)
    start, end = shift.start.astimezone(zone), shift.end.astimezone(zone)
    out: dict[date, float] = {}
    cursor = start
    while cursor < end:
        day = cursor.date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
        # ``datetime + timedelta`` keeps the wall clock: midnight of the next day, local
        step_end = min(end, midnight)
        seconds = (step_end.astimezone(UTC) - cursor.astimezone(UTC)).total_seconds()
        if seconds > 0:
            out[day] = out.get(day, 0.0) + seconds
        cursor = step_end
    return out


def dated(shift: Shift) -> date | None:
    """The day a timesheet is dated (QuickBooks Time's ``date``; else the local day it
    starts): what approval goes by. A timesheet is approved whole, so a shift over midnight
    dated on or before ``approved_to`` is approved on both days it covers."""
    if shift.day is not None:
        return shift.day
    if shift.start is None:
        return None
    return shift.start.astimezone(_zone(shift)).date()


def round_days(seconds: Mapping[_Key, float]) -> dict[_Key, float]:
    """Hours per day to the hundredth, adding up to the total rounded to the hundredth
    (half up); the hundredths left by flooring each day go to the largest remainders.
    Exact arithmetic (fractions of a second to the microsecond), so no float drift moves a
    hundredth."""
    if not seconds:
        return {}
    exact = {d: Fraction(s).limit_denominator(1_000_000) / 36 for d, s in seconds.items()}
    total = math.floor(sum(exact.values()) + Fraction(1, 2))
    floors = {d: math.floor(c) for d, c in exact.items()}
    left = total - sum(floors.values())
    order = sorted(exact, key=lambda d: (-(exact[d] - floors[d]), d))
    for d in order[: max(0, left)]:
        floors[d] += 1
    return {d: floors[d] / 100.0 for d in sorted(floors) if floors[d] > 0}


# =========================================================================== messages
NOT_LINKED = N_(
    "Has approved hours in QuickBooks Time but is not linked to a Xero employee, so these hours "
    'are left out. If "Review look-alike records" lists this team member, decide there; if not, '
    "and this business pays them, add them as an employee in Xero Payroll, then import again. "
    "Then send the hours again."
)
NOT_LINKED_WAITING = N_(
    "Has hours in QuickBooks Time but is not linked to a Xero employee, so none of them can be "
    'sent, approved or not. If "Review look-alike records" lists this team member, decide '
    "there; if not, and this business pays them, add them as an employee in Xero Payroll, then "
    "import again. Then send the hours again."
)
NO_CALENDAR = N_(
    "Has no payroll calendar in Xero, so Xero cannot take a timesheet. Choose a pay "
    "calendar for this employee in Xero Payroll (Employees > Employment), then send again."
)
NO_PERIOD = N_(
    'Xero\'s payroll calendar "{calendar}" has periods this app cannot count, so these hours '
    "were not sent. Enter them in Xero for this pay period by hand."
)
RATE_MISSING = N_(
    "Has no ordinary earnings rate in Xero that this app can use. Set the employee's "
    "ordinary earnings rate in Xero Payroll, then send again."
)
SALARIED = N_(
    "Is paid a salary in Xero Payroll, not by the hour: their hours are not sent as a "
    "timesheet. If these hours are to be paid by the hour, add an hourly rate to their salary "
    "and wages in Xero Payroll, then send again."
)
NO_WAGES = N_(
    "Has no salary and wages in Xero Payroll in effect for {start} to {end}, so the app cannot "
    "tell which earnings rate their hours go on: they were not sent. Add their hourly rate to "
    "their salary and wages in Xero Payroll, then send again."
)
RATE_INACTIVE = N_(
    'The employee\'s ordinary earnings rate "{rate}" is no longer active in Xero. Choose a '
    "current earnings rate for this employee in Xero Payroll, then send again."
)
NOT_DRAFT = N_(
    "Xero already holds a timesheet for {start} to {end} that is no longer a draft; it was "
    "left as it is. If hours must change, revert it to draft in Xero, then send again."
)
NOT_OURS = N_(
    "Xero already holds a draft timesheet for {start} to {end} that this app did not make; "
    "it was left as it is. Delete it in Xero to send these hours, or enter them there."
)
EDITED_AFTER = N_(
    "Hours of {start} to {end} were changed in QuickBooks Time after their Xero timesheet "
    "stopped being a draft. Check the timesheet in Xero and correct it by hand."
)
UNLINKED_LEAVE = N_(
    'Time off on "{code}" ({hours} h) is not linked to a Xero leave type and was not sent. '
    'Link the code under "Link leave types", then send again.'
)
AFTER_END = N_(
    "{hours} h dated after this person's last day in Xero ({last_day}) were not sent. If they "
    "worked then, correct their end date in Xero Payroll, then send again."
)
BEFORE_START = N_(
    "{hours} h dated before this person's start date in Xero ({first_day}) were not sent. "
    "If they worked then, correct their start date in Xero Payroll; if the hours are dated "
    "wrongly, correct them in QuickBooks Time. Then send again."
)
LEAVE_NOT_IN_HOURS = N_(
    'Time off on "{code}" ({hours} h) was not sent: the Xero leave type "{leave}" it is '
    "linked to is not counted in hours, as QuickBooks Time counts time off (but in days or "
    "weeks). Enter this leave in Xero Payroll, or link the code to a leave type counted in "
    'hours under "Link leave types", then send again.'
)
KEPT_CLASH = N_(
    "Our draft timesheet for {start} to {end} in Xero holds a line someone added there on "
    'the earnings rate "{rate}", the one these hours go on: the app cannot tell its hours '
    "from theirs, so nothing was sent. Move that line to another earnings rate in Xero, or "
    "enter these hours there, then send again."
)
OVER_DAY = N_(
    "More work than a day holds on {days} in QuickBooks Time (timesheets that overlap, or a "
    "manual entry mistyped): those days were not sent. Correct the timesheets in QuickBooks "
    "Time, then send again."
)
NEW_CODE_LEAVE = N_(
    'Time off on "{code}" ({hours} h) was not sent: this time-off code was added in '
    "QuickBooks Time after the last import, so it is not linked to a Xero leave type. Import "
    'again, link the code under "Link leave types", then send again.'
)
CODE_UNREAD = N_(
    "{hours} h on a QuickBooks Time job or time-off code added after the last import were not "
    "sent: the app could not read that code from QuickBooks Time, so it cannot tell work from "
    "time off. Import again (or check your connection to QuickBooks Time), then send again."
)
LEFT_NO_LAST_DAY = N_(
    "{hours} h were not sent: Xero says this person no longer works here, but gives no last "
    "day. Add their termination date in Xero Payroll, then send again: the hours up to it "
    "are sent."
)
INACTIVE_LEAVE_SENT = N_(
    'Time off on "{code}" was sent before its Xero leave type "{leave}" was made inactive in '
    "Xero: that leave is left as it is there, and changes to it can no longer be sent. Make "
    "any change to it in Xero Payroll."
)
INACTIVE_LEAVE = N_(
    'Time off on "{code}" ({hours} h) was not sent: the Xero leave type "{leave}" it is linked '
    "to is no longer active in Xero. Make it active again in Xero Payroll, or link the code "
    'to another leave type under "Link leave types", then send again.'
)
STATUTORY_LEAVE = N_(
    'Time off on "{code}" ({hours} h) was not sent: "{leave}" is statutory leave, which Xero '
    "Payroll does not take as leave in hours. Enter it in Xero Payroll (statutory sick leave "
    "needs a work pattern and the notice Xero asks for)."
)
STATUTORY_LEAVE_SENT = N_(
    'Time off on "{code}" was sent as leave of the statutory leave type "{leave}" before this '
    "app stopped sending statutory leave: that leave is left as it is in Xero, and changes to "
    "it are no longer sent. Check it in Xero Payroll, where statutory leave is entered (with "
    "the work pattern and notice Xero asks for)."
)
MOVED_DRAFT = N_(
    "This person's pay calendar changed in Xero: our draft timesheet for {old_start} to "
    "{old_end} still holds hours of days of their period {start} to {end}, so nothing was sent "
    "for them (those hours would be paid twice). Delete that draft in Xero Payroll (or undo "
    "the sending that made it, if Xero still takes changes to it), then send again."
)
MOVED_PAID = N_(
    "This person's pay calendar changed in Xero: their timesheet for {old_start} to {old_end} "
    "is no longer a draft, so Xero has paid its days: the hours of those days in their period "
    "{start} to {end} ({hours} h) were not sent. If hours of those days must change, correct "
    "them in Xero Payroll by hand."
)
SAME_START_DRAFT = N_(
    "This person's pay calendar changed in Xero: our empty draft timesheet for {old_start} to "
    "{old_end} starts on the same day as their period {start} to {end}, and Xero takes one "
    "timesheet per employee and start day, so nothing was sent. Delete that draft in Xero, "
    "then send again."
)
UNKNOWN_OPTION = N_(
    'The value "{option}" of "{category}" on {hours} h of work is linked to no option of that '
    "Xero tracking category, so those hours are sent without one: pick one of its options on "
    "those timesheets in QuickBooks Time, then send again."
)
ON_THE_CLOCK = N_(
    "Is still on the clock; that shift was not sent. Clock them out in QuickBooks Time, then "
    "send again."
)
LEAVE_PROBLEM = N_(
    "Time off ({hours} h) was not sent because of the problem above with this person's timesheet."
)
WAITING_APPROVAL = N_(
    "{hours} h submitted in QuickBooks Time are not approved yet and were not sent. Approve "
    "them in QuickBooks Time, then send again."
)
NOT_SUBMITTED = N_(
    "{hours} h in QuickBooks Time are not submitted yet and were not sent. Ask for them to be "
    "submitted and approved, then send again."
)
LEAVE_LOCKED = N_(
    'Time off "{leave}" of {start} to {end} was changed in QuickBooks Time after Xero '
    "included its leave in a pay run that is posted; the leave was left as it is. Correct it "
    "in Xero Payroll by hand."
)
LEAVE_GONE_LOCKED = N_(
    'Time off "{leave}" of {start} to {end} is no longer approved in QuickBooks Time, but '
    "Xero included its leave in a pay run that is posted; the leave was left as it is. "
    "Correct it in Xero Payroll by hand."
)
LEAVE_RELINKED_LOCKED = N_(
    'Time off of {start} to {end} was sent to Xero as "{old}" leave, which Xero included in a '
    'pay run that is posted, before its code was linked to "{leave}": it is paid, so it was not '
    'sent again as "{leave}" leave, and the "{old}" leave was left as it is. If it must be '
    'paid as "{leave}", correct it in Xero Payroll by hand.'
)
LEAVE_RELINKED = N_(
    'Time off of {start} to {end} was sent to Xero as "{old}" leave before its code was linked '
    'to "{leave}": that leave is withdrawn from Xero and the time off sent as "{leave}" leave, '
    "so it is in Xero once."
)
LEAVE_MOVED = N_(
    "Time off of {days} was moved in QuickBooks Time out of the leave of {old_start} to "
    "{old_end} that this app sent to Xero, which still holds it: it was not sent in this "
    "period (it would be paid twice). Send the pay period holding {old_start} again first "
    "(its leave is updated then), then send this period again."
)
LEAVE_MOVED_LOCKED = N_(
    "Time off of {days} was moved in QuickBooks Time out of the leave of {old_start} to "
    "{old_end} that this app sent to Xero, but Xero included that leave in a pay run that is "
    "posted: it is paid there, so it was not sent again. If it must change, correct it in "
    "Xero Payroll by hand."
)
LEFT_IN_OTHER_LEAVE = N_("time off still in leave of another pay period in Xero: not sent")
LEFT_SUBMITTED = N_("submitted in QuickBooks Time but not approved yet: not sent")
LEFT_NOT_SUBMITTED = N_("not submitted in QuickBooks Time yet: not sent")
LEFT_ON_CLOCK = N_("still on the clock: not sent")
LEFT_UNPAID = N_("unpaid leave: never sent to Xero")
LEFT_UNLINKED = N_("time off on a code not linked to a Xero leave type: not sent")
LEFT_OVER_DAY = N_("more work than a day holds: not sent")
LEFT_CODE_UNREAD = N_("on a code added after the last import that could not be read: not sent")
LEFT_AFTER_END = N_("after this person's last day in Xero: not sent")
LEFT_BEFORE_START = N_("before this person's start date in Xero: not sent")
LEFT_NOT_IN_HOURS = N_("time off on a leave type Xero does not count in hours: not sent")
LEFT_INACTIVE = N_("time off on a leave type no longer active in Xero: not sent")
LEFT_STATUTORY = N_("statutory leave: enter it in Xero Payroll, not sent")
LEFT_PAID_EARLIER = N_(
    "a day of an earlier timesheet of this person that is no longer a draft in Xero: not sent"
)


def own_period(
    person: PersonPlan, period: tuple[date, date] | None
) -> tuple[str, date, date] | None:
    """(calendar name, start, end) of ``person``'s own pay period when it is not the
    export's ``period`` (they are paid on another calendar); None when it is."""
    start, end = person.period_start, person.period_end
    if period is None or start is None or end is None or (start, end) == period:
        return None
    return person.calendar_name, start, end


# =========================================================================== the plan
def header_calendar(inputs: PayrollInputs) -> PayCalendar | None:
    """The calendar whose period the export is named by: the one chosen
    (``period_calendar``), else the one most people are paid on; None when the chosen one is
    not there or has periods this app cannot count (never another one in its place)."""
    if not inputs.period_calendar:
        return main_calendar(inputs)
    cal = inputs.calendars.get(inputs.period_calendar)
    if cal is None or period_of(cal, inputs.today) is None:
        return None
    return cal


def choose_period(inputs: PayrollInputs) -> tuple[date, date, str] | None:
    """The export's own period (start, end, calendar name): the header calendar's period
    holding ``period_day``, else its last period that has ended."""
    cal = header_calendar(inputs)
    if cal is None:
        return None
    found = (
        period_of(cal, inputs.period_day)
        if inputs.period_day
        else last_ended_period(cal, inputs.today)
    )
    return (found[0], found[1], cal.name) if found else None


def person_period(
    inputs: PayrollInputs, cal: PayCalendar, header: tuple[date, date] | None
) -> tuple[date, date] | None:
    """The period of ``cal`` whose hours go to the people paid on it (None: a calendar whose
    periods this app cannot count). Each person's period is one of their own calendar's, as
    Xero takes no other:

    - nothing chosen: their calendar's last period that has ended (a weekly person their
      last week, a fortnightly one their last fortnight);
    - a day chosen (``period_day``): their calendar's period holding it;
    - a period of a calendar chosen (``period_calendar``, the wizard's list): that period
      for the people paid on that calendar; for the others, their calendar's newest period
      that ends by its last day (choosing the last week that has ended never sends a
      fortnight that has not).
    """
    if period_of(cal, inputs.today) is None:
        return None
    if inputs.period_calendar and header is not None:
        if cal.id == inputs.period_calendar:
            return header
        return ended_by(cal, header[1])
    if inputs.period_day is not None:
        return period_of(cal, inputs.period_day)
    return last_ended_period(cal, inputs.today)


def read_range(inputs: PayrollInputs, header: tuple[date, date]) -> tuple[date, date]:
    """The days an export of ``header`` needs read from both services: its own period and
    the period of each linked person's calendar (see :func:`person_period`)."""
    lo, hi = header
    used = {
        inputs.employees[e].calendar_id
        for e in inputs.links.values()
        if e in inputs.employees and inputs.employees[e].calendar_id
    }
    for cal_id in sorted(used):
        cal = inputs.calendars.get(cal_id)
        found = person_period(inputs, cal, header) if cal is not None else None
        if found:
            lo, hi = min(lo, found[0]), max(hi, found[1])
    return lo, hi


def plan_payroll(inputs: PayrollInputs) -> PayrollPlan:
    """What an export of the chosen period does, person by person."""
    chosen = choose_period(inputs)
    if chosen is None:
        day = inputs.period_day or inputs.today
        start = end = day
        cal_name = ""
    else:
        start, end, cal_name = chosen
    plan = PayrollPlan(start, end, cal_name, [], [])
    shifts_by_user: dict[int, list[Shift]] = {}
    for shift in inputs.shifts:
        shifts_by_user.setdefault(shift.user_id, []).append(shift)
    sent_by_xero: dict[str, list[SentRow]] = {}
    for row in inputs.sent:
        sent_by_xero.setdefault(row.xero_id, []).append(row)
    with_leave = {o.employee_id.lower() for o in inputs.our_leave}
    with_draft = {
        t.employee_id.lower()
        for t in inputs.xero_timesheets.values()
        if t.draft and t.id in inputs.ours and any(h > 0 for h in t.hours.values())
    }
    for user_id, emp_id in inputs.links.items():
        if emp_id.lower() in with_leave or emp_id.lower() in with_draft:
            # their time off or hours may be gone: leave withdrawn, our draft emptied
            shifts_by_user.setdefault(user_id, [])
    for user_id in sorted(shifts_by_user, key=lambda u: _user_name(inputs, u).casefold()):
        person = _plan_person(inputs, user_id, shifts_by_user[user_id], start, end, sent_by_xero)
        if person is None:
            continue
        plan.people.append(person)
    for person in plan.people:
        plan.problems.extend(person.problems)
    return plan


def _user_name(inputs: PayrollInputs, user_id: int) -> str:
    user = inputs.users.get(user_id)
    return user.name if user else f"#{user_id}"


def _plan_person(
    inputs: PayrollInputs,
    user_id: int,
    shifts: list[Shift],
    main_start: date,
    main_end: date,
    sent_by_xero: Mapping[str, list[SentRow]],
) -> PersonPlan | None:
    user = inputs.users.get(user_id)
    name = _user_name(inputs, user_id)
    person = PersonPlan(name, user_id)
    problems: list[Problem] = []
    emp_id = inputs.links.get(user_id, "")
    emp = inputs.employees.get(emp_id) if emp_id else None
    start, end = main_start, main_end
    cal = inputs.calendars.get(emp.calendar_id) if emp and emp.calendar_id else None
    found: tuple[date, date] | None = None
    if cal is not None:
        person.calendar_name = cal.name
        found = person_period(inputs, cal, (main_start, main_end))
        if found is None:
            problems.append(Problem(name, NO_PERIOD, {"calendar": cal.name}))
        else:
            start, end = found
    person.period_start, person.period_end = start, end
    # our timesheets of another period holding hours of days of this one (the person's pay
    # calendar changed in Xero, or was re-anchored): never the same day's hours twice
    earlier = _earlier_sheets(inputs, emp_id, start, end) if found is not None else []
    paid_days = _days_of([t for t in earlier if not t.draft], start, end)

    work: dict[tuple[str, str], float] = {}  # (day, tracking option or "") -> seconds
    leave: dict[tuple[int, str], float] = {}  # (code, day) -> seconds
    leave_src: dict[tuple[int, str], list[tuple[int, str, str, float]]] = {}
    left: dict[tuple[str, Msg], float] = {}
    #: a tracking value no option is linked to (case-folded) -> (as written, seconds of work)
    unknown: dict[str, tuple[str, float]] = {}
    on_clock = False
    approved_to = user.approved_to if user else None
    submitted_to = user.submitted_to if user else None
    last_day = _day_or_none(emp.end_date) if emp is not None else None
    first_day = _day_or_none(emp.start_date) if emp is not None else None
    # (left, with no last day in Xero: every day counts as after it)
    left_undated = emp is not None and not emp.active and last_day is None
    for shift in sorted(shifts, key=lambda s: s.id):
        if shift.on_the_clock:
            parts = {shift.start.date(): 0.0} if shift.start is not None else seconds_per_day(shift)
            if any(start <= d <= end for d in parts):
                on_clock = True
                for d in parts:
                    if start <= d <= end:
                        left[(d.isoformat(), LEFT_ON_CLOCK)] = left.get(
                            (d.isoformat(), LEFT_ON_CLOCK), 0.0
                        )
            continue
        if shift.jobcode_id in inputs.unpaid_break_codes:
            continue
        if shift.jobcode_id in inputs.unread_codes:  # (work or time off: not guessed)
            for day, secs in seconds_per_day(shift).items():
                if start <= day <= end and secs > 0:
                    unread = (day.isoformat(), LEFT_CODE_UNREAD)
                    left[unread] = left.get(unread, 0.0) + secs
            continue
        code = inputs.time_off_codes.get(shift.jobcode_id)
        on = dated(shift)
        for day, secs in seconds_per_day(shift).items():
            if not start <= day <= end or secs <= 0:
                continue
            key = day.isoformat()
            if left_undated or (last_day is not None and day > last_day):  # (a leaver)
                left[(key, LEFT_AFTER_END)] = left.get((key, LEFT_AFTER_END), 0.0) + secs
                continue
            if first_day is not None and day < first_day:  # (not employed yet)
                left[(key, LEFT_BEFORE_START)] = left.get((key, LEFT_BEFORE_START), 0.0) + secs
                continue
            if code is None and key in paid_days:  # (in a timesheet Xero has taken: paid)
                left[(key, LEFT_PAID_EARLIER)] = left.get((key, LEFT_PAID_EARLIER), 0.0) + secs
                continue
            its_day = on or day  # (approval goes by the timesheet's date: see dated)
            if approved_to is None or its_day > approved_to:
                why = (
                    LEFT_SUBMITTED
                    if submitted_to is not None and its_day <= submitted_to
                    else LEFT_NOT_SUBMITTED
                )
                left[(key, why)] = left.get((key, why), 0.0) + secs
                continue
            if code is not None:
                leave[(shift.jobcode_id, key)] = leave.get((shift.jobcode_id, key), 0.0) + secs
                leave_src.setdefault((shift.jobcode_id, key), []).append(
                    (shift.id, shift.last_modified, key, secs / 3600.0)
                )
            else:
                line = (key, _tracking_of(inputs, shift))
                work[line] = work.get(line, 0.0) + secs
                if not line[1] and (value := _tracking_value(inputs, shift)):
                    said, was = unknown.get(value.casefold(), (value, 0.0))
                    unknown[value.casefold()] = (said, was + secs)
                person.sources.append((shift.id, shift.last_modified, key, secs / 3600.0))
    _hold_impossible_days(name, work, leave, leave_src, person, left, problems)
    person.tracked = round_days(work)
    for (key, _t), h in person.tracked.items():
        person.days[key] = round(person.days.get(key, 0.0) + h, 2)
    person.days = dict(sorted(person.days.items()))
    if on_clock:
        problems.append(Problem(name, ON_THE_CLOCK))

    # leave: per code, consecutive approved days
    mine = _our_leave_in(inputs, emp_id, start, end) if emp is not None else []
    sent_types = {o.leave_type_id.lower() for o in mine}  # (of the leave this app sent)
    for code_id in sorted({c for c, _d in leave}):
        code_name, code_type = inputs.time_off_codes[code_id]
        days = {d: s for (c, d), s in leave.items() if c == code_id}
        hours = round_days(days)
        lt_id = inputs.leave_links.get(code_id)
        lt = inputs.leave_types.get(lt_id) if lt_id else None
        if code_type == "unpaid_time_off" or (lt is not None and not lt.is_paid):
            for key, h in hours.items():
                person.left_out.append(LeftOut(key, h, LEFT_UNPAID))
            person.leave.append(
                LeaveBlock(
                    lt_id or "",
                    code_name,
                    hours,
                    [x for (c, _d), xs in leave_src.items() if c == code_id for x in xs],
                    "skip",
                )
            )
            continue
        if lt is None or not lt.active or not lt.in_hours or lt.statutory:
            total = round(sum(hours.values()), 2)
            params: dict[str, Any] = {"code": code_name, "hours": total}
            left_why: Msg | None
            if lt is None and code_id in inputs.new_time_off_codes:
                message, left_why = NEW_CODE_LEAVE, LEFT_UNLINKED
            elif lt is None:
                message, left_why = UNLINKED_LEAVE, LEFT_UNLINKED
            elif lt.statutory and lt.leave_type_id.lower() in sent_types:
                # (sent as employee leave before statutory types were held back: left as is)
                message, left_why = STATUTORY_LEAVE_SENT, None
                params["leave"] = lt.name
            elif lt.statutory:  # (Xero takes it through /StatutoryLeaves, not in hours)
                message, left_why = STATUTORY_LEAVE, LEFT_STATUTORY
                params["leave"] = lt.name
            elif not lt.active and lt.leave_type_id.lower() in sent_types:
                # (sent before the type was made inactive: it is in Xero, left as it is)
                message, left_why = INACTIVE_LEAVE_SENT, None
                params["leave"] = lt.name
            elif not lt.active:  # (Xero refuses leave of a type no longer active)
                message, left_why = INACTIVE_LEAVE, LEFT_INACTIVE
                params["leave"] = lt.name
            else:
                message, left_why = LEAVE_NOT_IN_HOURS, LEFT_NOT_IN_HOURS
                params["leave"] = lt.name
            problems.append(Problem(name, message, params))
            if left_why is not None:
                for key, h in hours.items():
                    person.left_out.append(LeftOut(key, h, left_why))
            person.leave.append(
                LeaveBlock(
                    "",
                    code_name,
                    hours,
                    [x for (c, _d), xs in leave_src.items() if c == code_id for x in xs],
                    "skip",
                )
            )
            continue
        for block_days in _consecutive(hours):
            srcs = [x for d in block_days for x in leave_src.get((code_id, d), [])]
            block = LeaveBlock(lt.leave_type_id, lt.name, dict(block_days), srcs)
            person.leave.append(block)
    for (key, why), secs in sorted(left.items()):
        person.left_out.append(LeftOut(key, round(secs / 3600.0, 2), why))
    for why, message in (
        (LEFT_SUBMITTED, WAITING_APPROVAL),
        (LEFT_NOT_SUBMITTED, NOT_SUBMITTED),
        (LEFT_CODE_UNREAD, CODE_UNREAD),
    ):
        waiting = round(sum(s for (_d, w), s in left.items() if w == why) / 3600.0, 2)
        if waiting > 0:
            problems.append(Problem(name, message, {"hours": waiting}))
    after = round(sum(s for (_d, w), s in left.items() if w == LEFT_AFTER_END) / 3600.0, 2)
    if after > 0 and last_day is not None:
        problems.append(
            Problem(name, AFTER_END, {"hours": after, "last_day": last_day.isoformat()})
        )
    elif after > 0 and left_undated:
        problems.append(Problem(name, LEFT_NO_LAST_DAY, {"hours": after}))
    early = round(sum(s for (_d, w), s in left.items() if w == LEFT_BEFORE_START) / 3600.0, 2)
    if early > 0 and first_day is not None:
        problems.append(
            Problem(name, BEFORE_START, {"hours": early, "first_day": first_day.isoformat()})
        )
    for taken in (t for t in earlier if not t.draft):
        its = _days_of([taken], start, end)
        paid_hours = round(
            sum(s for (d, w), s in left.items() if w == LEFT_PAID_EARLIER and d in its) / 3600.0,
            2,
        )
        if paid_hours > 0:
            problems.append(
                Problem(name, MOVED_PAID, {**_periods(taken, start, end), "hours": paid_hours})
            )

    has_hours = bool(person.days) or any(b.action != "skip" for b in person.leave)
    if (
        not has_hours
        and not person.left_out
        and not mine
        and not _our_draft_has_hours(inputs, emp_id, start, end)
    ):
        return None
    # ------------------------------------------------------------ Xero side
    blocked = False
    if emp is None:
        # Said first, whatever the hours' approval: approving them alone would send nothing.
        if has_hours:
            problems.insert(0, Problem(name, NOT_LINKED))
        elif any(lo.message != LEFT_UNPAID for lo in person.left_out):
            problems.insert(0, Problem(name, NOT_LINKED_WAITING))
        blocked = True
    else:
        person.employee_id = emp.employee_id
        rate = inputs.rates.get(emp.ordinary_rate_id) if emp.ordinary_rate_id else None
        if cal is None:
            problems.append(Problem(name, NO_CALENDAR))
            blocked = True
        elif found is None:
            blocked = True
        elif rate is None and person.days:
            if emp.no_rate_why == "salary":
                problems.append(Problem(name, SALARIED))
            elif emp.no_rate_why == "no_wages":
                when = {"start": start.isoformat(), "end": end.isoformat()}
                problems.append(Problem(name, NO_WAGES, when))
            else:
                problems.append(Problem(name, RATE_MISSING))
            blocked = True
        elif rate is not None and not rate.active and person.days:
            problems.append(Problem(name, RATE_INACTIVE, {"rate": rate.name}))
            blocked = True
        if rate is not None:
            person.rate_id, person.rate_name = rate.id, rate.name
        person.calendar_id = cal.id if cal else ""
        existing = [
            t
            for t in inputs.xero_timesheets.values()
            if t.employee_id.lower() == emp.employee_id.lower() and t.start == start
        ]
        sheet = existing[0] if existing else None
        when = {"start": start.isoformat(), "end": end.isoformat()}
        for old in (t for t in earlier if t.draft):
            # (a new draft would hold the same days' hours as ours: paid twice)
            problems.append(Problem(name, MOVED_DRAFT, _periods(old, start, end)))
            blocked = True
        if sheet is not None and not blocked and sheet.end != end:
            # (a timesheet of another period starting the same day: Xero takes no second one)
            when = {"start": sheet.start.isoformat(), "end": sheet.end.isoformat()}
            if sheet.draft and sheet.id in inputs.ours:
                problems.append(Problem(name, SAME_START_DRAFT, _periods(sheet, start, end)))
                blocked = True
        if sheet is not None and not blocked:
            person.xero_id = sheet.id
            if not sheet.draft:
                problems.append(Problem(name, NOT_DRAFT, when))
                blocked = True
                if _edited_since(sheet.id, person, sent_by_xero):
                    problems.append(Problem(name, EDITED_AFTER, when))
            elif sheet.id not in inputs.ours:
                problems.append(Problem(name, NOT_OURS, when))
                blocked = True
            else:
                person.before, person.kept = _ours_and_kept(sheet, inputs.written)
                wanted = person.lines()
                held = person.before
                if line_pairs(wanted) & line_pairs(person.kept):
                    # (a line someone added, on the rate and item these hours now go on: the
                    # two cannot be told apart in Xero, and neither may overwrite the other)
                    problems.append(Problem(name, KEPT_CLASH, {**when, "rate": person.rate_name}))
                    blocked = True
                else:
                    same = set(wanted) == {k for k, v in held.items() if v > 0} and all(
                        abs(held[k] - v) < 0.005 for k, v in wanted.items()
                    )
                    person.action = "unchanged" if same else "update"
        elif not blocked:
            person.action = "create" if person.days else "none"
    if blocked:
        person.action = "skip"
        paid = [b for b in person.leave if b.action != "skip"]
        if paid and emp is not None:
            problems.append(
                Problem(name, LEAVE_PROBLEM, {"hours": round(sum(b.hours for b in paid), 2)})
            )
        for b in paid:
            b.action = "skip"
    else:
        _follow_our_leave(inputs, person, mine, problems)
        # sent, without that category: said with the hours, and what to do
        for value, secs in sorted(unknown.values(), key=lambda v: v[0].casefold()):
            params = {
                "option": value,
                "category": inputs.tracking_category_name or "?",
                "hours": round(secs / 3600.0, 2),
            }
            problems.append(Problem(name, UNKNOWN_OPTION, params))
    person.problems = problems
    return person


def line_pairs(hours: Iterable[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """The (earnings rate, tracking item) lines, lower case, of ``hours`` keyed (day, rate,
    item): what tells a timesheet line of the app from one someone added in Xero."""
    return {(rate.lower(), item.lower()) for _day, rate, item in hours}


def _ours_and_kept(
    sheet: XeroTimesheet, written: Mapping[str, frozenset[tuple[str, str]]]
) -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, str, str], float]]:
    """Our draft's lines in Xero split: (the app's lines, the lines someone added in Xero).
    A payroll officer adds overtime or an allowance to the draft before the pay run: sending
    the period again must not take it away (UX.md: nothing is rewritten silently)."""
    ours_keys = written.get(sheet.id.lower())
    if ours_keys is None:
        return dict(sheet.hours), {}
    mine: dict[tuple[str, str, str], float] = {}
    kept: dict[tuple[str, str, str], float] = {}
    for key, hours in sheet.hours.items():
        side = mine if (key[1].lower(), key[2].lower()) in ours_keys else kept
        side[key] = hours
    return mine, kept


#: a day holds 24 hours (25 on the day a clock goes back; a second of slack for rounding)
DAY_HOLDS_S = 25 * 3600 + 1


def _hold_impossible_days(
    name: str,
    work: dict[tuple[str, str], float],
    leave: dict[tuple[int, str], float],
    leave_src: dict[tuple[int, str], list[tuple[int, str, str, float]]],
    person: PersonPlan,
    left: dict[tuple[str, Msg], float],
    problems: list[Problem],
) -> None:
    """Days with more work and time off together than a day holds (timesheets that overlap,
    a manual entry mistyped: 76 h of leave for 7.6): all their hours, work and time off, are
    held back, with why, never sent to a payslip or as leave."""
    per_day: dict[str, float] = {}
    for (day, _tracking), secs in work.items():
        per_day[day] = per_day.get(day, 0.0) + secs
    for (_code, day), secs in leave.items():
        per_day[day] = per_day.get(day, 0.0) + secs
    over = sorted(day for day, secs in per_day.items() if secs > DAY_HOLDS_S)
    if not over:
        return
    for line in [line for line in work if line[0] in over]:
        del work[line]
    for key in [key for key in leave if key[1] in over]:
        del leave[key]
        leave_src.pop(key, None)
    person.sources = [src for src in person.sources if src[2] not in over]
    for day in over:
        left[(day, LEFT_OVER_DAY)] = per_day[day]
    problems.append(Problem(name, OVER_DAY, {"days": ", ".join(over)}))


def _day_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _our_draft_has_hours(inputs: PayrollInputs, emp_id: str, start: date, end: date) -> bool:
    """Whether a draft timesheet of ours of ``emp_id`` holds hours of days of the period
    ``start``..``end``: the period's own (its hours must go when QuickBooks Time no longer
    has any), or another period's (the pay calendar changed: see :func:`_earlier_sheets`)."""
    return bool(emp_id) and any(
        t.draft
        and t.id in inputs.ours
        and t.employee_id.lower() == emp_id.lower()
        and t.start <= end
        and start <= t.end
        and _holds_days(t, inputs, start, end)
        for t in inputs.xero_timesheets.values()
    )


def _holds_days(sheet: XeroTimesheet, inputs: PayrollInputs, start: date, end: date) -> bool:
    """Whether ``sheet`` holds hours of ours (not lines someone added in Xero) on a day of
    ``start``..``end``."""
    lo, hi = start.isoformat(), end.isoformat()
    return any(
        h > 0 and lo <= day <= hi
        for (day, _rate, _item), h in _ours_and_kept(sheet, inputs.written)[0].items()
    )


def _earlier_sheets(
    inputs: PayrollInputs, emp_id: str, start: date, end: date
) -> list[XeroTimesheet]:
    """Our timesheets (this app made them: journal / SentHours) of ``emp_id`` for ANOTHER
    period than ``start``..``end`` that overlaps it: the person's pay calendar changed in Xero
    (another calendar, or its periods re-anchored) since they were sent. A draft of them that
    holds our hours on days of ``start``..``end`` blocks the person (a new timesheet would
    hold those hours a second time: MOVED_DRAFT); the days of one that is no longer a draft
    are paid, left out (MOVED_PAID)."""
    if not emp_id:
        return []
    return sorted(
        (
            t
            for t in inputs.xero_timesheets.values()
            if t.id in inputs.ours
            and t.employee_id.lower() == emp_id.lower()
            and (t.start, t.end) != (start, end)
            and t.start <= end
            and start <= t.end
            and (not t.draft or _holds_days(t, inputs, start, end))
        ),
        key=lambda t: (t.start, t.id),
    )


def _days_of(sheets: Iterable[XeroTimesheet], start: date, end: date) -> set[str]:
    """The days (YYYY-MM-DD) of ``start``..``end`` that the periods of ``sheets`` cover."""
    out: set[str] = set()
    for sheet in sheets:
        day = max(sheet.start, start)
        while day <= min(sheet.end, end):
            out.add(day.isoformat())
            day += timedelta(days=1)
    return out


def _periods(sheet: XeroTimesheet, start: date, end: date) -> dict[str, str]:
    """The message parameters of a timesheet of another period than ``start``..``end``."""
    return {
        "old_start": sheet.start.isoformat(),
        "old_end": sheet.end.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


def _our_leave_in(inputs: PayrollInputs, emp_id: str, start: date, end: date) -> list[OurLeave]:
    """Leave this app sent to ``emp_id`` that starts in the period ``start``..``end``."""
    lo, hi = start.isoformat(), end.isoformat()
    return sorted(
        (
            o
            for o in inputs.our_leave
            if o.employee_id.lower() == emp_id.lower() and lo <= o.start <= hi
        ),
        key=lambda o: (o.start, o.xero_id),
    )


def _held_elsewhere(
    inputs: PayrollInputs, person: PersonPlan, mine: list[OurLeave]
) -> dict[int, OurLeave]:
    """The QuickBooks Time timesheets of this period's time off that leave of ours of ANOTHER
    period still holds in Xero on a day they no longer cover (moved in QuickBooks Time since
    it was sent), with that leave: sent here too, the time off would be in Xero twice. That
    period's send takes it off its leave (matched by timesheets), so it is held back here
    until then (or for good when that leave is in a posted pay run: paid)."""
    wanted = {t for b in person.leave if b.action == "create" for t, _lm, _d, _h in b.sources}
    if not wanted or not person.employee_id:
        return {}
    covers = {
        s.id: {d.isoformat() for d, secs in seconds_per_day(s).items() if secs > 0}
        for s in inputs.shifts
        if s.id in wanted
    }
    days_held: dict[str, list[tuple[int, str]]] = {}
    for row in inputs.sent:
        if row.target == "leave" and row.qbt_timesheet_id in covers:
            days_held.setdefault(row.xero_id.lower(), []).append((row.qbt_timesheet_id, row.day))
    own = {o.xero_id.lower() for o in mine}
    out: dict[int, OurLeave] = {}
    for o in sorted(inputs.our_leave, key=lambda o: (o.start, o.xero_id)):
        if o.employee_id.lower() != person.employee_id.lower() or o.xero_id.lower() in own:
            continue
        for tid, day in days_held.get(o.xero_id.lower(), []):
            if day not in covers[tid]:
                out.setdefault(tid, o)
    return out


def _hold_back(
    inputs: PayrollInputs,
    person: PersonPlan,
    held: Mapping[int, OurLeave],
    free: list[OurLeave],
    problems: list[Problem],
) -> None:
    """Takes the time off of the timesheets ``held`` out of the blocks to create (what is
    left is split into consecutive days again, one leave record each) and says why: leave of
    ours of this period in a posted pay run of another type holds it (listed as locked, left
    as it is), or leave of ours of another period does (left out, with what to do)."""
    kept: list[LeaveBlock] = []
    taken: dict[str, tuple[OurLeave, LeaveBlock, list[tuple[int, str, str, float]]]] = {}
    for block in person.leave:
        if block.action != "create" or not any(s[0] in held for s in block.sources):
            kept.append(block)
            continue
        rest = [s for s in block.sources if s[0] not in held]
        for days in _consecutive(_source_hours(rest)):
            kept.append(
                LeaveBlock(block.leave_type_id, block.name, days, [s for s in rest if s[2] in days])
            )
        for src in block.sources:
            if src[0] in held:
                o = held[src[0]]
                taken.setdefault(o.xero_id.lower(), (o, block, []))[2].append(src)
    person.leave = kept
    for o, block, srcs in taken.values():
        days = _source_hours(srcs)
        if o in free:  # (this period's, of another leave type, in a posted pay run)
            free.remove(o)
            kind = inputs.leave_types.get(o.leave_type_id.lower())
            old = kind.name if kind is not None else o.title
            before = (o.start, o.end, round(o.hours, 2))
            person.leave.append(
                LeaveBlock(o.leave_type_id, old, days, srcs, "locked", o.xero_id, before)
            )
            params = {"old": old, "leave": block.name, "start": o.start, "end": o.end}
            problems.append(Problem(person.name, LEAVE_RELINKED_LOCKED, params))
            continue
        person.leave.append(LeaveBlock(block.leave_type_id, block.name, days, srcs, "skip"))
        for day, hours in days.items():
            person.left_out.append(LeftOut(day, hours, LEFT_IN_OTHER_LEAVE))
        problems.append(
            Problem(
                person.name,
                LEAVE_MOVED_LOCKED if o.locked else LEAVE_MOVED,
                {"days": ", ".join(sorted(days)), "old_start": o.start, "old_end": o.end},
            )
        )


def _source_hours(sources: Iterable[tuple[int, str, str, float]]) -> dict[str, float]:
    """Hours per day (to the hundredth, adding up) of time off ``sources``."""
    seconds: dict[str, float] = {}
    for _tid, _lm, day, hours in sources:
        seconds[day] = seconds.get(day, 0.0) + hours * 3600.0
    return round_days(seconds)


def _follow_our_leave(
    inputs: PayrollInputs, person: PersonPlan, mine: list[OurLeave], problems: list[Problem]
) -> None:
    """Each paid block against the leave this app sent for it: unchanged, update, or (in a
    posted pay run) locked; our leave no block matches any more is withdrawn (or locked).

    A piece of time off is in Xero as leave at most once: time off that leave of ours of
    another period still holds (moved in QuickBooks Time since) or that leave of another type
    in a posted pay run holds (its code linked to another type since: paid) is held back,
    with why; our leave of another type whose time off is sent now (the code's link changed)
    is withdrawn before it, whatever its type is now (inactive, statutory)."""
    free = list(mine)
    held = _held_elsewhere(inputs, person, mine)
    for paid in (x for x in mine if x.locked):
        for b in person.leave:
            if b.action == "create" and b.leave_type_id.lower() != paid.leave_type_id.lower():
                for tid in paid.timesheet_ids & {t for t, _lm, _d, _h in b.sources}:
                    held.setdefault(tid, paid)
    if held:
        _hold_back(inputs, person, held, free, problems)
    blocks = [b for b in person.leave if b.action == "create"]

    def take(block: LeaveBlock, test: Any) -> OurLeave | None:
        for o in free:
            if o.leave_type_id.lower() == block.leave_type_id.lower() and test(block, o):
                free.remove(o)
                return o
        return None

    tests = (
        lambda b, o: bool(o.timesheet_ids & {t for t, _lm, _d, _h in b.sources}),
        lambda b, o: o.start <= b.end and b.start <= o.end,
    )
    matched: dict[int, OurLeave] = {}
    for test in tests:
        for i, block in enumerate(blocks):
            if i not in matched and (found := take(block, test)) is not None:
                matched[i] = found
    for i, block in enumerate(blocks):
        o = matched.get(i)
        if o is None:
            continue
        block.xero_id, block.before = o.xero_id, (o.start, o.end, round(o.hours, 2))
        same = o.start == block.start and o.end == block.end and abs(o.hours - block.hours) < 0.005
        if same:
            block.action = "unchanged"
        elif o.locked:
            block.action = "locked"
            problems.append(
                Problem(
                    person.name,
                    LEAVE_LOCKED,
                    {"leave": block.name, "start": o.start, "end": o.end},
                )
            )
        else:
            block.action = "update"
    sending = [b for b in person.leave if b.action in ("create", "update", "unchanged")]
    for o in free:
        kind = inputs.leave_types.get(o.leave_type_id.lower())
        # (its time off is sent now as leave of another type: the code's link changed)
        now = next(
            (b for b in sending if o.timesheet_ids & {t for t, _lm, _d, _h in b.sources}), None
        )
        if now is None or o.locked:
            if kind is not None and not kind.active:
                continue  # (Xero takes no change to leave of a type no longer active: as is)
            if kind is not None and kind.statutory:
                continue  # (statutory leave is Xero Payroll's to enter: ours sent earlier)
        name = kind.name if kind is not None else o.title
        gone = LeaveBlock(
            o.leave_type_id,
            name,
            {},
            [],
            "locked" if o.locked else "withdraw",
            o.xero_id,
            (o.start, o.end, round(o.hours, 2)),
        )
        if now is not None and not o.locked:
            person.leave.insert(0, gone)  # (withdrawn before its time off is sent again)
            if now.leave_type_id.lower() != o.leave_type_id.lower():
                gone.relinked_to = now.name
                params = {"old": name, "leave": now.name, "start": o.start, "end": o.end}
                problems.append(Problem(person.name, LEAVE_RELINKED, params))
            continue
        person.leave.append(gone)
        if o.locked:
            problems.append(
                Problem(
                    person.name, LEAVE_GONE_LOCKED, {"leave": name, "start": o.start, "end": o.end}
                )
            )


def _tracking_of(inputs: PayrollInputs, shift: Shift) -> str:
    """The timesheet category's option the shift's hours carry: the option linked to the
    item its custom field (the one linked to the category) holds; "" when none."""
    if inputs.tracking_field is None or not inputs.tracking_items:
        return ""
    value = dict(shift.custom_fields).get(str(inputs.tracking_field), "")
    if not value.strip():
        return ""
    return inputs.tracking_items.get(value.strip().casefold(), "")


def _tracking_value(inputs: PayrollInputs, shift: Shift) -> str:
    """What the shift's custom field linked to the timesheet category holds (outer spaces
    dropped); "" when nothing, or no field is linked."""
    if inputs.tracking_field is None:
        return ""
    return dict(shift.custom_fields).get(str(inputs.tracking_field), "").strip()


def _consecutive(hours: Mapping[str, float]) -> list[dict[str, float]]:
    blocks: list[dict[str, float]] = []
    previous: date | None = None
    for d in sorted(hours):
        day = date.fromisoformat(d)
        if previous is None or (day - previous).days != 1:
            blocks.append({})
        blocks[-1][d] = hours[d]
        previous = day
    return blocks


def _edited_since(
    xero_id: str, person: PersonPlan, sent_by_xero: Mapping[str, list[SentRow]]
) -> bool:
    rows = sent_by_xero.get(xero_id, [])
    if not rows:
        return False
    sent = {r.qbt_timesheet_id: r.qbt_last_modified for r in rows}
    now = {tid: lm for tid, lm, _d, _h in person.sources}
    return sent != {k: v for k, v in now.items() if k in sent} or set(now) - set(sent) != set()
