"""Send approved QuickBooks Time hours to Xero Payroll: preview, send, undo.

The wizard and the headless ``export-hours`` command both go through here. Reading both
sides and planning writes nothing (:func:`preview_hours`); :func:`send_hours` journals every
Xero write (intent before sending, then done / failed / unknown) and records in
``SentHours`` which QuickBooks Time timesheets went into which Xero record.

Convergence after a fault or a crash: a Xero timesheet this app wrote (any journal entry
naming it, or an unanswered create for that employee and period, adopted when Xero shows it)
is "ours" and is updated in place, never created twice (Xero also refuses a second timesheet
for one employee and period). Leave this app created is recognised the same way.

Undo, by what each API offers: NZ/UK payroll 2.0 deletes the draft timesheet we created and
our employee leave; AU payroll 1.0 has no DELETE, so a timesheet we created is set back to
zero hours (it stays in Xero as an empty draft) and one we updated gets its earlier hours
back; an AU leave application we created is rejected (``POST /LeaveApplications/{id}/reject``:
Xero rejects a ``SCHEDULED`` application, which then pays nothing). Leave we updated gets its
earlier days and hours back; leave we withdrew is sent again as it was. A timesheet that is no
longer a draft, and leave in a pay run Xero has posted, are left alone and listed.

Leave follows its time off (``core.engine.payroll``): leave this app sent is updated when the
time off changes in QuickBooks Time and withdrawn when it is gone (AU: rejected; NZ/UK:
deleted), each write journaled like the others.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.app import item_names
from core.engine import payroll as eng
from core.engine.importer import ProgressCallback, ProgressEvent, close_interrupted
from core.engine.leave import is_statutory
from core.engine.regions import PayrollApi, payroll_api
from core.errors import (
    BridgeError,
    CommandInterrupted,
    DailyLimitReached,
    HoursStoppedAtDailyLimit,
    UndoStoppedAtDailyLimit,
    said_by,
)
from core.i18n import N_, tr
from core.services.auth.xero_oauth import require_payroll_export_scopes
from core.services.fetch import load_snapshot
from core.services.xero.timezones import (
    organisation_today,
    remember_timezone,
    stored_timezone,
)
from core.store.db import backup_after_writes
from core.store.models import (
    Connection,
    ImportRun,
    JournalEntry,
    LeaveLink,
    Link,
    SentHours,
    db,
    utcnow,
)

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.services.qbtime.client import QBTimeClient
    from core.services.xero.client import XeroClient

log = logging.getLogger(__name__)

KIND = "payroll_export"

LEAVE_LINKS = N_("Link leave types")
LEAVE_CODE_LINKED_TWICE = N_(
    'The time-off code "{code}" is linked to more than one Xero leave type ({types}): its '
    'time off is sent as "{leave}", the leave type linked to it last. Choose one leave type '
    'for this code under "Link leave types", then send again.'
)


class PayrollNotAvailable(BridgeError):
    message = (
        "Xero has no payroll API for this organisation ({country}): hours can be sent to Xero "
        "Payroll only for Australian, New Zealand and UK organisations."
    )


class PayCalendarsUncounted(BridgeError):
    message = (
        "The pay calendars of this Xero organisation ({calendars}) have periods this app "
        "cannot count (it counts weekly, fortnightly, four-weekly, monthly and quarterly "
        "ones), so it cannot choose a pay period. Enter these hours in Xero Payroll by hand."
    )


class PayCalendarUnknown(BridgeError):
    message = (
        'Xero has no pay calendar "{calendar}" whose periods this app can count for this '
        "organisation (its calendars: {calendars}). Give one of these names, or leave the "
        "calendar out to send each person's own pay period."
    )


class NoPayCalendar(BridgeError):
    message = (
        "This Xero organisation has no payroll calendar, so there is no pay period to send "
        "hours for. Add a pay calendar in Xero Payroll, then try again."
    )


# =========================================================================== public types
@dataclass(frozen=True)
class PayPeriod:
    start: date
    end: date
    calendar_name: str
    #: the Xero calendar's id (lower case): what ``preview_hours(calendar=...)`` takes
    calendar_id: str = ""


@dataclass(frozen=True)
class ProblemLine:
    who: str
    reason: str


@dataclass
class PayrollPreview:
    period: PayPeriod
    people: list[eng.PersonPlan]
    problems: list[ProblemLine]
    plan: eng.PayrollPlan
    conn_id: int = 0
    api_calls: dict[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.plan.is_empty


@dataclass
class PayrollResult:
    preview: PayrollPreview
    dry_run: bool
    run: ImportRun | None = None
    timesheets: dict[str, int] = field(default_factory=dict)
    leave: dict[str, int] = field(default_factory=dict)
    failed: list[ProblemLine] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)
    #: the writes Xero refused (each a line of ``failed``, which also says the time off held
    #: back with a refused timesheet)
    refused: int = 0
    #: the hours of work and of time off the preview meant to send that Xero refused, or
    #: that were held back with a refused timesheet: counted as not sent
    not_sent_hours: dict[str, float] = field(default_factory=lambda: {"regular": 0.0, "leave": 0.0})

    def as_json(self) -> dict[str, Any]:
        people = self.preview.people
        held = self.not_sent_hours
        return {
            "run_id": self.run.id if self.run is not None else None,
            "dry_run": self.dry_run,
            "period": {
                "start": self.preview.period.start.isoformat(),
                "end": self.preview.period.end.isoformat(),
            },
            "timesheets": {
                k: self.timesheets.get(k, 0) for k in ("created", "updated", "unchanged", "skipped")
            },
            "leave": {
                k: self.leave.get(k, 0)
                for k in ("created", "updated", "withdrawn", "locked", "skipped")
            },
            # what the period's timesheets and leave hold in Xero once sent; what Xero refused
            # (or what was held back with it) is "not sent", never in the total
            "hours": {
                "regular": round(
                    sum(p.regular_hours for p in people if p.action in _SENDING) - held["regular"],
                    2,
                ),
                "leave": round(
                    sum(b.hours for p in people for b in p.leave if b.action in _LEAVE_SENT)
                    - held["leave"],
                    2,
                ),
                "not_sent_regular": round(held["regular"], 2),
                "not_sent_leave": round(held["leave"], 2),
                # on lines someone added to our drafts in Xero: left as they are
                "kept_in_xero": round(
                    sum(p.kept_hours for p in people if p.action in ("update", "unchanged")), 2
                ),
            },
            "problems": [
                {"who": p.who, "reason": p.reason} for p in [*self.preview.problems, *self.failed]
            ],
            "api_calls": self.api_calls,
            # the earnings rate each person's hours go on (NZ/UK: their own salary and wages')
            "earnings_rates": [
                {"who": p.name, "rate": p.rate_name, "rate_id": p.rate_id}
                for p in people
                if p.action in _SENDING and p.rate_id
            ],
            # the people paid on another calendar than the period's: their own period
            **({"own_periods": own} if (own := own_periods(self.preview)) else {}),
        }


def own_periods(preview: PayrollPreview) -> list[dict[str, str]]:
    """The people whose pay period is not the preview's, with theirs (``--json``)."""
    out = []
    for person in preview.people:
        found = eng.own_period(person, (preview.period.start, preview.period.end))
        if found is not None:
            out.append(
                {
                    "who": person.name,
                    "calendar": found[0],
                    "start": found[1].isoformat(),
                    "end": found[2].isoformat(),
                }
            )
    return out


_SENDING = ("create", "update", "unchanged")
#: the leave whose hours an export sends (a withdrawal sends none)
_LEAVE_SENT = ("create", "update")


def _calls(ctx: AppContext) -> dict[str, int]:
    services = ctx.counter.snapshot().get("services", {})

    def total(name: str) -> int:
        return int(sum(services.get(name, {}).get("by_method", {}).values()))

    return {"xero": total("Xero"), "qbtime": total("QuickBooks Time")}


# =========================================================================== reading
def org_today(conn: Connection) -> date:
    """Today in the organisation's own time zone (Xero's ``Organisation.Timezone``; until it
    is known, its country's main one): a pay period "has ended" when its last day is over
    there, not on the computer's clock."""
    return organisation_today(conn)


def _know_zone(client: XeroClient, conn: Connection) -> None:
    """Read the organisation's time zone (1 call) when no read of it kept one yet (a
    connection made by an earlier version, not fetched since)."""
    if stored_timezone(conn.xero_tenant_id) is None:
        remember_timezone(conn.xero_tenant_id, client.organisation().timezone)


def payroll_available(conn: Connection) -> bool:
    return payroll_api(conn.xero_version) is not PayrollApi.NONE


def _require(conn: Connection) -> PayrollApi:
    api = payroll_api(conn.xero_version)
    if api is PayrollApi.NONE:
        raise PayrollNotAvailable(country=conn.xero_country_code or conn.xero_version or "—")
    return api


def _calendars(client: XeroClient, api: PayrollApi) -> dict[str, eng.PayCalendar]:
    return {
        c["id"].lower(): eng.PayCalendar(c["id"].lower(), c["name"], c["type"], c["anchor"])
        for c in client.payroll_calendars(api)
        if c["id"] and c["anchor"] != date.min
    }


def pay_periods(ctx: AppContext, conn: Connection) -> list[PayPeriod]:
    """Recent periods of the organisation's calendars, newest first; the first one that has
    ended (the default) is the first whose end is before today."""
    api = _require(conn)
    client = ctx.xero_client(conn.xero_tenant_id)
    with client.session:
        calendars = _calendars(client, api)
        _know_zone(client, conn)
    out: list[PayPeriod] = []
    for cal in sorted(calendars.values(), key=lambda c: c.name.casefold()):
        for start, end in eng.recent_periods(cal, org_today(conn)):
            out.append(PayPeriod(start, end, cal.name, cal.id))
    out.sort(key=lambda p: (p.end, p.calendar_name), reverse=True)
    return out


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _parse_day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def shift_of(raw: dict[str, Any]) -> eng.Shift:
    """A QuickBooks Time timesheet (raw JSON) as the engine's Shift."""
    start, end = _parse_time(raw.get("start")), _parse_time(raw.get("end"))
    try:
        seconds = int(raw.get("duration") or 0)
    except (TypeError, ValueError):
        seconds = 0
    return eng.Shift(
        id=int(raw.get("id") or 0),
        user_id=int(raw.get("user_id") or 0),
        jobcode_id=int(raw.get("jobcode_id") or 0),
        start=start if raw.get("type") != "manual" else None,
        end=end if raw.get("type") != "manual" else None,
        day=_parse_day(raw.get("date")),
        seconds=seconds,
        tz_str=str(raw.get("tz_str") or ""),
        on_the_clock=bool(raw.get("on_the_clock")) and raw.get("on_the_clock") not in ("false", 0),
        last_modified=str(raw.get("last_modified") or ""),
        kind=str(raw.get("type") or "regular"),
        custom_fields=tuple(
            sorted((str(k), str(v or "")) for k, v in custom.items())
            if isinstance(custom := raw.get("customfields"), dict)
            else ()
        ),
    )


def _journal_rows(conn: Connection, entity: str) -> list[JournalEntry]:
    return list(
        JournalEntry.select()
        .join(ImportRun)
        .where(
            (ImportRun.connection == conn)
            & (ImportRun.kind == KIND)
            & (JournalEntry.entity_kind == entity)
        )
        .order_by(JournalEntry.id)
    )


@said_by(HoursStoppedAtDailyLimit)
def preview_hours(
    ctx: AppContext,
    conn: Connection,
    period: date | None = None,
    *,
    calendar: str | None = None,
    progress: ProgressCallback | None = None,
) -> PayrollPreview:
    """Read both sides and plan the export of the pay period holding ``period``. Nothing is
    written. Each person gets a period of their own Xero calendar (``eng.person_period``):
    by default their last one that has ended; with ``period``, the one holding it; with
    ``calendar`` (a calendar's id or name: the period chosen in the wizard's list is one of
    its periods), that calendar's period holding ``period`` (default: its last ended one),
    and the people on other calendars their newest period that ends by its last day."""
    api = _require(conn)
    require_payroll_export_scopes(ctx.xero_tokens_for(conn).token_set())
    report = progress or (lambda _e: None)
    xero = ctx.xero_client(conn.xero_tenant_id)
    qbt = ctx.qbtime_client(ctx.qbtime_token_for(conn), conn.id)
    report(ProgressEvent("read_xero", 0, 3, None))
    with xero.session:
        calendars = _calendars(xero, api)
        _know_zone(xero, conn)
        tracking_category = xero.payroll_timesheet_category(api)
        # leavers too: the hours of their final pay period are sent (up to their last day)
        employees_raw = xero.employees(api, include_terminated=True)
        rate_rows, leave_kinds = xero.pay_items(api)
        rates = {
            r["id"].lower(): eng.EarningsRate(r["id"].lower(), r["name"], bool(r["active"]))
            for r in rate_rows
        }
        leave_types = {
            lt.leave_type_id.lower(): eng.LeaveKind(
                lt.leave_type_id.lower(),
                lt.name,
                lt.is_paid,
                lt.active,
                lt.units,
                statutory=is_statutory(lt),  # (UK statutory leave: never sent as leave)
            )
            for lt in leave_kinds
        }
    employees: dict[str, eng.PayEmployee] = {}
    for emp in employees_raw:
        raw = emp.raw
        cal = str(raw.get("PayrollCalendarID") or raw.get("payrollCalendarID") or "").lower()
        # AU: the employee's OrdinaryEarningsRateID; NZ/UK employees carry none: their
        # salary and wages say it, read below for those with hours to send (_own_rates)
        rate = str(raw.get("OrdinaryEarningsRateID") or "").lower()
        name = f"{emp.first_name} {emp.last_name}".strip()
        employees[emp.employee_id.lower()] = eng.PayEmployee(
            emp.employee_id.lower(),
            name,
            cal,
            rate,
            emp.end_date,
            emp.active,
            start_date=emp.start_date,  # (hours dated before it are held back)
        )
    links = {
        int(link.qbt_id): link.xero_id.lower()
        for link in Link.select().where((Link.connection == conn) & (Link.kind == "employee"))
    }
    # the organisation's day (its zone known now: _know_zone), for the snapshot too: who
    # is still employed there today, not on the computer's clock
    today = org_today(conn)
    snap = load_snapshot(conn, today=today)
    codes = {j.id: (j.name, j.type) for j in snap.jobcodes if j.type in eng.LEAVE_TYPES}
    leave_links, link_problems = _leave_links(conn, snap, leave_types)
    chosen_calendar = _calendar_named(calendars, calendar, today) if calendar else ""
    base = eng.PayrollInputs(
        today=today,
        period_day=period,
        period_calendar=chosen_calendar,
        users={},
        links=links,
        employees=employees,
        calendars=calendars,
        rates=rates,
        time_off_codes=codes,
        leave_links=leave_links,
        leave_types=leave_types,
        shifts=[],
        xero_timesheets={},
    )
    chosen = eng.choose_period(base)
    if chosen is None and calendars:
        raise PayCalendarsUncounted(
            calendars=", ".join(f"{c.name} ({c.type})" for c in eng.calendars_by_use(base))
        )
    if chosen is None:
        raise NoPayCalendar()
    start, end, cal_name = chosen
    header_cal = eng.header_calendar(base)
    lo, hi = eng.read_range(base, (start, end))
    report(ProgressEvent("read_qbtime", 1, 3, None))
    with qbt.session:
        users_raw = qbt.users()
        shifts_raw = qbt.timesheets_for_payroll(lo, hi)
        added = _codes_since_import(qbt, snap, shifts_raw)
    users = {
        u.id: eng.PayUser(
            u.id,
            f"{u.first_name} {u.last_name}".strip() or u.username,
            _parse_day(u.raw.get("approved_to")),
            _parse_day(u.raw.get("submitted_to")),
        )
        for u in users_raw
    }
    report(ProgressEvent("read_xero", 2, 3, None))
    linked_emps = sorted({links[u] for u in links if links[u] in employees})
    with xero.session:
        sheets = xero.payroll_timesheets(api, lo, hi)
        leave_rows = xero.payroll_leave(api, linked_emps)
    sent = [
        eng.SentRow(
            r.target,
            r.qbt_timesheet_id,
            r.qbt_last_modified,
            r.xero_id.lower(),
            r.line_key,
            r.day,
            r.hours,
        )
        for r in SentHours.select().where(
            (SentHours.connection == conn) & (SentHours.active == True)  # noqa: E712
        )
    ]
    ours, written = _our_timesheets(conn, sheets)
    our_leave, keyed_leave = _our_leave(conn, leave_rows)
    tracking_field, tracking_items = _tracking_links(conn, snap, tracking_category)
    # (its name, as Xero has it; else the QuickBooks Time field the import named after it)
    tracking_name = next(
        (c.name for c in snap.tracking if c.category_id.lower() == tracking_category.lower()),
        "",
    ) or next((f.name for f in snap.customfields if f.id == tracking_field), "")
    inputs = eng.PayrollInputs(
        today=base.today,
        period_day=period,
        period_calendar=chosen_calendar,
        users=users,
        links=links,
        employees=employees,
        calendars=calendars,
        rates=rates,
        time_off_codes={**codes, **added.time_off},
        leave_links=leave_links,
        leave_types=leave_types,
        shifts=[shift_of(r) for r in shifts_raw],
        unpaid_break_codes=frozenset(j.id for j in snap.jobcodes if j.type == "unpaid_break")
        | added.unpaid_breaks,
        new_time_off_codes=frozenset(added.time_off),
        unread_codes=added.unread,
        xero_timesheets={
            s["id"].lower(): eng.XeroTimesheet(
                s["id"].lower(),
                s["employee_id"].lower(),
                s["start"],
                s["end"],
                s["draft"],
                s["hours"],
            )
            for s in sheets
        },
        sent=sent,
        ours=ours,
        written=written,
        our_leave=our_leave,
        tracking_field=tracking_field,
        tracking_items=tracking_items,
        tracking_category_name=tracking_name,
    )
    plan = eng.plan_payroll(inputs)
    if api is PayrollApi.V2:
        # each person's hours on their own earnings rate: the plan says who has hours to
        # send and in which period; their salary and wages say on which rate
        plan = _own_rates(xero, inputs, plan, rate_rows)
    _hold_keyed_leave(plan, keyed_leave)
    report(ProgressEvent("planned", 3, 3, None))
    return PayrollPreview(
        PayPeriod(
            plan.period_start,
            plan.period_end,
            cal_name,
            header_cal.id if header_cal is not None else "",
        ),
        plan.people,
        [*link_problems, *(ProblemLine(p.who, p.reason()) for p in plan.problems)],
        plan,
        conn.id,
        _calls(ctx),
    )


def _leave_links(
    conn: Connection, snap: Any, leave_types: dict[str, eng.LeaveKind]
) -> tuple[dict[int, str], list[ProblemLine]]:
    """Time-off code id -> the Xero leave type (id, lower case) its time off is sent as: the
    links saved in "Link leave types" (``LeaveLink``), else the import's. A code linked to two
    leave types, one of them paid (older data: the dialog now refuses it), goes with the one
    linked to it last (the newest row), never one picked by the database's order, and is
    listed as a problem."""
    links: dict[int, str] = {
        int(link.qbt_id): link.xero_id.lower()
        for link in Link.select().where((Link.connection == conn) & (Link.kind == "leave_type"))
    }
    saved: dict[int, list[str]] = {}
    rows = LeaveLink.select().where(LeaveLink.connection == conn).order_by(LeaveLink.id)
    for row in rows:
        leave_type = row.xero_leave_type_id.lower()
        for code, lt in list(links.items()):
            if lt == leave_type:
                del links[code]
        if row.qbt_jobcode_id is not None:
            links[int(row.qbt_jobcode_id)] = leave_type
            saved.setdefault(int(row.qbt_jobcode_id), []).append(leave_type)

    def named(lt: str) -> str:
        kind = leave_types.get(lt)
        return kind.name if kind is not None else lt

    names = {j.id: j.name for j in snap.jobcodes}
    problems: list[ProblemLine] = []
    for code, types in sorted(saved.items()):
        kinds = [leave_types.get(lt) for lt in types]
        if len(types) < 2 or not any(k is None or k.is_paid for k in kinds):
            continue  # (unpaid leave types may share a code: their time off is never sent)
        params = {
            "code": names.get(code, f"#{code}"),
            "types": ", ".join(f'"{named(lt)}"' for lt in types),
            "leave": named(links.get(code, types[-1])),
        }
        # (no person's: said under the place to correct it)
        problems.append(ProblemLine(tr(LEAVE_LINKS), tr(LEAVE_CODE_LINKED_TWICE, **params)))
    return links, problems


@dataclass(frozen=True)
class _AddedCodes:
    """Jobcodes of the period's shifts that the last import did not read (made in QuickBooks
    Time since), as read for this export."""

    #: time-off codes among them: id -> (name, type), as ``PayrollInputs.time_off_codes``
    time_off: dict[int, tuple[str, str]] = field(default_factory=dict)
    unpaid_breaks: frozenset[int] = frozenset()
    #: those that could not be read: their hours are held back (work or time off: unknown)
    unread: frozenset[int] = frozenset()


def _codes_since_import(
    qbt: QBTimeClient, snap: Any, shifts_raw: list[dict[str, Any]]
) -> _AddedCodes:
    """Read by id (``GET /jobcodes?ids=...``, 50 ids a call; no call when the import knows
    them all) the jobcodes of ``shifts_raw`` the last import does not know, so that time off
    on a code added since is never sent as worked hours. A read that fails, or a code
    QuickBooks Time does not return, holds that code's hours back rather than guess."""
    known = {j.id for j in snap.jobcodes}
    unknown = sorted(
        {int(r.get("jobcode_id") or 0) for r in shifts_raw} - known - {0}  # (0: no job)
    )
    if not unknown:
        return _AddedCodes()
    try:
        found = {j.id: j for j in qbt.jobcodes_by_ids(unknown)}
    except CommandInterrupted:
        raise
    except BridgeError as exc:
        log.warning(
            "payroll: jobcodes %s could not be read (%s): their hours are held back", unknown, exc
        )
        return _AddedCodes(unread=frozenset(unknown))
    return _AddedCodes(
        {
            i: (found[i].name, found[i].type)
            for i in unknown
            if i in found and found[i].type in eng.LEAVE_TYPES
        },
        frozenset(i for i in unknown if i in found and found[i].type == "unpaid_break"),
        frozenset(i for i in unknown if i not in found),
    )


def _calendar_named(calendars: dict[str, eng.PayCalendar], wanted: str, today: date) -> str:
    """The id of the calendar ``wanted`` names (its id, else its name, case ignored); a
    calendar that is not there, or whose periods this app cannot count, is refused."""
    key = wanted.strip().casefold()
    countable = [c for c in calendars.values() if eng.period_of(c, today) is not None]
    found = next((c for c in countable if c.id.casefold() == key), None) or next(
        (c for c in countable if c.name.strip().casefold() == key), None
    )
    if found is None:
        raise PayCalendarUnknown(
            calendar=wanted,
            calendars=", ".join(sorted((c.name for c in countable), key=str.casefold)) or "—",
        )
    return found.id


def _tracking_links(
    conn: Connection, snap: Any, category_id: str
) -> tuple[int | None, dict[str, str]]:
    """The QuickBooks Time custom field the import linked to Xero's timesheet tracking
    category, and its items' names (case-folded) -> the linked tracking option ids."""
    if not category_id:
        return None, {}
    field_ids = [
        int(link.qbt_id)
        for link in Link.select().where(
            (Link.connection == conn) & (Link.kind == "tracking_category")
        )
        if link.xero_id.lower() == category_id.lower()
    ]
    if not field_ids:
        return None, {}
    field_id = field_ids[0]
    names = {i.id: i.name for i in snap.customfielditems if i.customfield_id == field_id}
    options = {
        int(link.qbt_id): link.xero_id.lower()
        for link in Link.select().where(
            (Link.connection == conn) & (Link.kind == "tracking_option")
        )
        if int(link.qbt_id) in names
    }
    # A timesheet holds the name its item had when it was picked: hours tagged before an
    # import renamed the item (a tracking option renamed in Xero), or before its undo named
    # it back, carry that option too.
    return field_id, item_names.values_of(
        conn, names.items(), options, lambda name: name.strip().casefold()
    )


def _own_rates(
    xero: XeroClient,
    inputs: eng.PayrollInputs,
    plan: eng.PayrollPlan,
    rate_rows: list[dict[str, Any]],
) -> eng.PayrollPlan:
    """NZ/UK: ``plan`` again with each person's hours on the earnings rate of their own
    salary and wages (``GET /Employees/{id}/SalaryAndWages``, read only for the linked
    employees with hours to send in a period of their calendar). A person paid a salary with
    no hourly line, or with no line in effect for their period, is listed with what to do
    (the rate is never guessed)."""
    wanted = {  # employee id -> the last day of their period
        p.employee_id: p.period_end
        for p in plan.people
        if p.employee_id
        and p.days
        and p.calendar_id
        and p.period_end is not None
        and not any(x.message == eng.NO_PERIOD for x in p.problems)
    }
    if not wanted:
        return plan
    with xero.session:
        wages = xero.salary_and_wages(sorted(wanted))
    usable = {
        str(r["id"]).lower()
        for r in rate_rows
        if r["active"] and str(r.get("type", "")).lower() == "regularearnings"
    }
    employees = dict(inputs.employees)
    for emp_id, end in wanted.items():
        rate, why = own_rate(wages.get(emp_id, []), end, usable)
        employees[emp_id] = replace(employees[emp_id], ordinary_rate_id=rate, no_rate_why=why)
    return eng.plan_payroll(replace(inputs, employees=employees))


def own_rate(
    rows: list[dict[str, Any]], last_day: date, preferred: set[str] | frozenset[str]
) -> tuple[str, str]:
    """(earnings rate id, "") of the hourly salary and wages line in effect for the pay
    period ending ``last_day``, else ("", why): "salary" (paid a salary, no hourly line) or
    "no_wages" (no line in effect). In effect: a line that starts (``effectiveFrom``) on or
    before the period's last day and was not replaced by then (a ``History`` line is replaced
    by any later line that starts by then). Of several hourly lines: a current regular rate
    (``preferred``) first, then the one that started last, then Xero's order."""
    dated = [
        r for r in rows if r.get("effective_from") is not None and r["effective_from"] <= last_day
    ]
    in_effect = [
        r
        for r in dated
        if str(r.get("status", "")).casefold() != "history"
        or not any(o["effective_from"] > r["effective_from"] for o in dated)
    ]
    hourly = [(i, r) for i, r in enumerate(in_effect) if r.get("hourly") and r.get("rate_id")]
    if hourly:
        _i, best = min(
            hourly,
            key=lambda x: (
                x[1]["rate_id"] not in preferred,
                -x[1]["effective_from"].toordinal(),
                x[0],
            ),
        )
        return str(best["rate_id"]), ""
    if any(not r.get("hourly") for r in in_effect):
        return "", "salary"
    return "", "no_wages"


def _our_timesheets(
    conn: Connection, sheets: list[dict[str, Any]]
) -> tuple[frozenset[str], dict[str, frozenset[tuple[str, str]]]]:
    """(the ids of the Xero timesheets this app wrote, and by id the (earnings rate,
    tracking item) lines it wrote on each: eng.PayrollInputs.written).

    A create Xero never answered (no Xero id) made the timesheet of its employee and period
    only when that timesheet holds exactly the hours it sent (``_made_by_unanswered``, the
    rule its undo follows too): one holding anything else may have been keyed by hand in
    Xero since, so it is not ours, and the plan leaves it as it is (eng.NOT_OURS)."""
    ours: set[str] = set()
    unanswered: list[JournalEntry] = []
    by_id: dict[str, set[tuple[str, str]]] = {}
    by_period: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for entry in _journal_rows(conn, "xero_timesheet"):
        after = entry.after or {}
        period = (str(after.get("employee_id", "")).lower(), str(after.get("start", "")))
        lines = eng.line_pairs(_hours_of(after.get("hours")))
        by_period.setdefault(period, set()).update(lines)
        if entry.xero_id:
            ours.add(entry.xero_id.lower())
            by_id.setdefault(entry.xero_id.lower(), set()).update(lines)
        elif entry.action == "create" and entry.state in ("intent", "unknown"):
            unanswered.append(entry)
    for sheet in sheets:
        period = (sheet["employee_id"].lower(), sheet["start"].isoformat())
        if any(_made_by_unanswered(sheet, entry) for entry in unanswered):
            ours.add(sheet["id"].lower())
        if sheet["id"].lower() in ours:
            by_id.setdefault(sheet["id"].lower(), set()).update(by_period.get(period, ()))
    return frozenset(ours), {k: frozenset(v) for k, v in by_id.items()}


def _leave_journal(conn: Connection) -> list[JournalEntry]:
    """Every leave write of this connection: its exports' and their undos' (an undo sends
    withdrawn leave again)."""
    return list(
        JournalEntry.select()
        .join(ImportRun)
        .where(
            (ImportRun.connection == conn)
            & (ImportRun.kind.in_((KIND, "undo")))
            & (JournalEntry.entity_kind == "xero_leave")
        )
        .order_by(JournalEntry.id)
    )


def _our_leave(
    conn: Connection, rows: list[dict[str, Any]]
) -> tuple[list[eng.OurLeave], list[dict[str, Any]]]:
    """(the leave in Xero (``rows``) this app sent, and the leave someone else entered where
    a create of the app had no answer). Ours: a create journaled with its id, or a create
    Xero never answered whose leave Xero holds exactly as it was sent (``_leave_holds_sent``,
    the rule its undo follows too). Leave of the same employee, leave type and first day as
    such a create that holds anything else may have been keyed by hand in Xero since: it is
    not ours, never changed nor withdrawn, and its time off is held back
    (``_hold_keyed_leave``)."""
    ids: set[str] = set()
    unanswered: list[dict[str, Any]] = []
    for entry in _leave_journal(conn):
        if entry.action != "create":
            continue
        if entry.xero_id:
            ids.add(entry.xero_id.lower())
        elif entry.state in ("intent", "unknown"):
            unanswered.append(entry.after or {})
    sources: dict[str, set[int]] = {}
    active = SentHours.active == True  # noqa: E712
    for sent in SentHours.select().where(
        (SentHours.connection == conn) & (SentHours.target == "leave") & active
    ):
        sources.setdefault(sent.xero_id.lower(), set()).add(int(sent.qbt_timesheet_id))
    out: list[eng.OurLeave] = []
    keyed: list[dict[str, Any]] = []
    for row in rows:
        key = (row["employee_id"].lower(), row["leave_type_id"].lower(), row["start"])
        lid = row["id"].lower()
        if row.get("withdrawn"):
            continue
        if lid not in ids and not any(_leave_holds_sent(row, sent) for sent in unanswered):
            if any(_leave_key(sent) == key for sent in unanswered):
                keyed.append(row)
            continue
        out.append(
            eng.OurLeave(
                lid,
                key[0],
                key[1],
                row["start"],
                row["end"],
                float(row.get("hours") or 0.0),
                bool(row.get("locked")),
                str(row.get("title") or ""),
                frozenset(sources.get(lid, ())),
            )
        )
    return out, keyed


def _leave_key(sent: dict[str, Any]) -> tuple[str, str, str]:
    """(employee, leave type, first day) of the leave a journal ``after`` sent."""
    return (
        str(sent.get("employee_id", "")).lower(),
        str(sent.get("leave_type_id", "")).lower(),
        str(sent.get("start", "")),
    )


#: said for a person whose time off is held back (``_hold_keyed_leave``)
KEYED_LEAVE = N_(
    'Xero holds "{leave}" leave of {start} to {end} ({hours} h) that this app did not send: '
    "when the app sent this time off, Xero gave no clear answer, and that leave is not what "
    "was sent (someone may have entered it in Xero). It was left as it is, and this time off "
    "was not sent, so it is not in Xero twice. Check that leave in Xero Payroll: correct it "
    "there, or delete it there to have this time off sent, then send again."
)
LEFT_KEYED_LEAVE = N_("time off already in leave someone entered in Xero: not sent")


def _hold_keyed_leave(plan: eng.PayrollPlan, keyed: list[dict[str, Any]]) -> None:
    """Time off the plan would send as new leave over leave someone entered in Xero where a
    create of the app had no answer (``keyed``, from ``_our_leave``): not sent (it would be
    in Xero twice), with why. That leave itself is never in the plan (not ours)."""
    for person in plan.people:
        for block in person.leave:
            if block.action != "create":
                continue
            row = next(
                (
                    r
                    for r in keyed
                    if r["employee_id"].lower() == person.employee_id.lower()
                    and r["leave_type_id"].lower() == block.leave_type_id.lower()
                    and str(r["start"]) <= block.end
                    and block.start <= str(r["end"])
                ),
                None,
            )
            if row is None:
                continue
            block.action = "skip"
            for day, hours in sorted(block.days.items()):
                person.left_out.append(eng.LeftOut(day, hours, LEFT_KEYED_LEAVE))
            problem = eng.Problem(
                person.name,
                KEYED_LEAVE,
                {
                    "leave": block.name,
                    "start": str(row["start"]),
                    "end": str(row["end"]),
                    "hours": round(float(row.get("hours") or 0.0), 2),
                },
            )
            person.problems.append(problem)
            plan.problems.append(problem)


# =========================================================================== sending
class _Journal:
    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.seq = JournalEntry.select().where(JournalEntry.run == run).count()

    def intent(
        self, action: str, entity: str, key: str, xero_id: str | None, before: Any, after: Any
    ) -> JournalEntry:
        self.seq += 1
        return JournalEntry.create(
            run=self.run,
            seq=self.seq,
            action=action,
            entity_kind=entity,
            xero_id=xero_id,
            batch_key=key,
            before=before,
            after=after,
            state="intent",
        )


def _hours_json(hours: dict[tuple[str, str, str], float]) -> dict[str, float]:
    """Hours keyed "day|rate" (no tracking) or "day|rate|tracking item"."""
    return {"|".join(k if k[2] else k[:2]): h for k, h in sorted(hours.items())}


def _hours_of(data: Any) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for key, value in (data or {}).items():
        day, rate, tracking = ([*str(key).split("|", 2), "", ""])[:3]
        out[(day, rate, tracking)] = float(value)
    return out


def _failed(entry: JournalEntry, exc: BaseException) -> None:
    entry.state = "unknown" if getattr(exc, "maybe_applied", False) else "failed"
    entry.error = str(exc)[:500]
    entry.updated_at = utcnow()
    entry.save()


def _not_sent(entry: JournalEntry, exc: BaseException) -> None:
    """``entry``'s write was never sent: ``exc`` stopped the sending before it."""
    entry.state = "failed"
    entry.error = str(exc)[:500]
    entry.updated_at = utcnow()
    entry.save()


def _done(entry: JournalEntry) -> None:
    entry.state = "done"
    entry.updated_at = utcnow()
    entry.save()


def _record_sent(
    run: ImportRun, conn: Connection, target: str, xero_id: str, sources: Any, rate: str = ""
) -> None:
    SentHours.update(active=False).where(
        (SentHours.connection == conn)
        & (SentHours.target == target)
        & (SentHours.xero_id == xero_id)
        & (SentHours.active == True)  # noqa: E712
    ).execute()
    for tid, last_modified, day, hours in sources:
        SentHours.create(
            run=run,
            connection=conn,
            target=target,
            qbt_timesheet_id=tid,
            qbt_last_modified=last_modified,
            xero_id=xero_id,
            line_key=f"{day}|{rate}" if rate else day,
            day=day,
            hours=round(hours, 6),
        )


def send_hours(
    ctx: AppContext,
    conn: Connection,
    preview: PayrollPreview,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PayrollResult:
    """Write what ``preview`` plans: one draft timesheet per person and period (created, or
    our draft updated), then paid leave. Every write is journaled."""
    api = _require(conn)
    report = progress or (lambda _e: None)
    result = PayrollResult(preview, dry_run=False)
    people = preview.people
    result.timesheets = {
        "unchanged": sum(1 for p in people if p.action == "unchanged"),
        "skipped": sum(1 for p in people if p.action == "skip"),
        "created": 0,
        "updated": 0,
    }
    result.leave = {
        "skipped": sum(1 for p in people for b in p.leave if b.action == "skip"),
        "locked": sum(1 for p in people for b in p.leave if b.action == "locked"),
        "created": 0,
        "updated": 0,
        "withdrawn": 0,
    }
    close_interrupted(conn)
    _adopt_unrecorded(conn, preview)
    if preview.plan.is_empty:
        result.api_calls = _calls(ctx)
        return result
    from core.app.estimate import refuse_while_daily_stop

    refuse_while_daily_stop(ctx, conn, HoursStoppedAtDailyLimit, preview.plan.writes)
    run = ImportRun.create(
        connection=conn,
        kind=KIND,
        status="running",
        options={
            "period": [preview.period.start.isoformat(), preview.period.end.isoformat()],
            "api": api.value,
        },
        counts={"planned_writes": preview.plan.writes},
        started_at=utcnow(),
    )
    result.run = run
    journal = _Journal(run)
    xero = ctx.xero_client(conn.xero_tenant_id)
    total = preview.plan.writes
    done = 0
    stopped = False  # (an error stopped the sending before everyone was reached)
    try:
        with xero.session:
            #: AU: the timesheets go first, 50 a call; the people Xero refused one of
            refused_sheets: set[int] = set()
            if api is PayrollApi.AU:
                done = _send_au_timesheets(
                    xero, conn, run, journal, people, result, refused_sheets, report, total, cancel
                )
            for person in people:
                if cancel is not None and cancel.is_set():
                    break
                if person.action in ("create", "update") and api is PayrollApi.AU:
                    if id(person) in refused_sheets:
                        continue  # (their time off goes with the timesheet: not sent)
                elif person.action in ("create", "update"):
                    ok = _send_timesheet(xero, api, conn, run, journal, person, result)
                    done += 1
                    if not ok:
                        done += _not_sent_sheet(person, result)
                    report(ProgressEvent("send_timesheets", done, total, None, person.name))
                    if not ok:
                        continue
                for block in person.leave:
                    if block.action not in eng.LEAVE_WRITES:
                        continue
                    if cancel is not None and cancel.is_set():
                        break
                    if not _send_leave(xero, api, conn, run, journal, person, block, result):
                        _not_sent_leave(block, result)
                    done += 1
                    report(ProgressEvent("send_leave", done, total, None, person.name))
    except DailyLimitReached as exc:
        # Xero's day is used up: the sending stops here (the next one sends the rest, and
        # nothing twice: what was sent is recorded), said with what was sent and what not
        stopped = True
        sent = sum(result.timesheets[k] for k in ("created", "updated")) + sum(
            result.leave[k] for k in ("created", "updated", "withdrawn")
        )
        run.counts = {**(run.counts or {}), "stopped_at_daily_limit": total - sent}
        raise exc.during(
            HoursStoppedAtDailyLimit, done=sent, total=total, left=total - sent
        ) from exc
    except BaseException:
        stopped = True
        raise
    finally:
        # A sending that went through everyone is done, even when Xero refused some of it
        # (each refusal is counted as not sent, with its reason): "failed" is one an error
        # stopped before its end.
        run.status = (
            "cancelled"
            if cancel is not None and cancel.is_set()
            else ("failed" if stopped else "done")
        )
        run.finished_at = utcnow()
        run.counts = {
            **(run.counts or {}),
            "outcomes": {
                "created": {
                    "timesheets": result.timesheets["created"],
                    "leave": result.leave["created"],
                },
                "updated": {
                    "timesheets": result.timesheets["updated"],
                    "leave": result.leave["updated"],
                },
                "withdrawn": {"leave": result.leave["withdrawn"]},
            },
            "failed": result.refused,
        }
        run.save()
        backup_after_writes()  # (what Xero now holds, kept in the copy a restore puts back)
    result.api_calls = _calls(ctx)
    return result


def sending_steps(preview: PayrollPreview, api: PayrollApi) -> list[tuple[int, int]]:
    """The Xero calls of sending ``preview``, as (calls, writes) in the order
    :func:`send_hours` makes them: AU, the timesheets first, 50 a call, then each leave
    write (one call); NZ/UK, per person their timesheet (one call for a new one; for an
    update, one read and one per line changed), then their leave writes. What
    core.app.estimate works out the time and Xero's day from."""
    from core.services.xero.client import AU_PAYROLL_PER_CALL

    steps: list[tuple[int, int]] = []
    sheets = [p for p in preview.people if p.action in ("create", "update")]
    if api is PayrollApi.AU:
        for first in range(0, len(sheets), AU_PAYROLL_PER_CALL):
            steps.append((1, len(sheets[first : first + AU_PAYROLL_PER_CALL])))
    for person in preview.people:
        if person.action in ("create", "update") and api is not PayrollApi.AU:
            steps.append((_sheet_calls(person), 1))
        steps.extend((1, 1) for b in person.leave if b.action in eng.LEAVE_WRITES)
    return steps


def _sheet_calls(person: eng.PersonPlan) -> int:
    """Calls of one NZ/UK timesheet write (see :func:`sending_steps`)."""
    if person.action != "update":
        return 1
    lines, before = person.lines(), person.before or {}
    changed = {k for k, v in lines.items() if abs(before.get(k, 0.0) - v) >= 0.005}
    gone = {k for k in before if k not in lines and k not in person.kept}
    return 1 + len(changed | gone)


def estimate_sending(ctx: AppContext, conn: Connection, preview: PayrollPreview) -> Any:
    """The Xero calls sending ``preview`` makes, how long Xero's limits make it and how far
    today's calls go (core.app.estimate.XeroRunEstimate)."""
    from core.app.estimate import estimate_xero_for

    return estimate_xero_for(ctx, conn, "export", sending_steps(preview, _require(conn)))


def _not_sent_sheet(person: eng.PersonPlan, result: PayrollResult) -> int:
    """``person``'s timesheet Xero refused: counted as not sent, with its hours; their time
    off is not sent either (it goes with the timesheet), counted so and said under the
    refusal. How many leave writes that held back."""
    result.timesheets["skipped"] += 1
    result.not_sent_hours["regular"] += person.regular_hours
    blocks = [b for b in person.leave if b.action in eng.LEAVE_WRITES]
    for block in blocks:
        result.leave["skipped"] += 1
        if block.action in _LEAVE_SENT:
            result.not_sent_hours["leave"] += block.hours
    hours = round(sum(b.hours for b in blocks if b.action in _LEAVE_SENT), 2)
    if hours > 0:
        result.failed.append(ProblemLine(person.name, tr(eng.LEAVE_PROBLEM, hours=f"{hours:g}")))
    return len(blocks)


def _not_sent_leave(block: eng.LeaveBlock, result: PayrollResult) -> None:
    """A leave write Xero refused: counted as not sent, with its hours."""
    result.leave["skipped"] += 1
    if block.action in _LEAVE_SENT:
        result.not_sent_hours["leave"] += block.hours


def _adopt_unrecorded(conn: Connection, preview: PayrollPreview) -> None:
    """A draft left by a crash between Xero's answer and our record: it holds exactly what
    the plan wants ("unchanged"), so record which timesheets it holds, under the run that
    wrote it."""
    for person in preview.people:
        if person.action != "unchanged" or not person.xero_id:
            continue
        has = (
            SentHours.select()
            .where(
                (SentHours.connection == conn)
                & (SentHours.xero_id == person.xero_id)
                & (SentHours.active == True)  # noqa: E712
            )
            .exists()
        )
        if has:
            continue
        entry = next(
            (
                e
                for e in reversed(_journal_rows(conn, "xero_timesheet"))
                if (e.xero_id or "").lower() == person.xero_id
                or (
                    str((e.after or {}).get("employee_id", "")).lower() == person.employee_id
                    and str((e.after or {}).get("start", ""))
                    == (person.period_start.isoformat() if person.period_start else "")
                )
            ),
            None,
        )
        if entry is None:
            continue
        with db.atomic():
            if entry.state != "done":
                entry.state, entry.xero_id, entry.updated_at = "done", person.xero_id, utcnow()
                entry.save()
            _record_sent(entry.run, conn, "payroll", person.xero_id, person.sources, person.rate_id)


def _send_au_timesheets(
    xero: XeroClient,
    conn: Connection,
    run: ImportRun,
    journal: _Journal,
    people: list[eng.PersonPlan],
    result: PayrollResult,
    refused: set[int],
    report: Callable[[ProgressEvent], None],
    total: int,
    cancel: threading.Event | None,
) -> int:
    """AU payroll 1.0: every new or updated timesheet of ``people``, 50 a call (``POST
    /Timesheets`` takes an array), each journaled as a single write is: its intent before
    the call, done with the id Xero gave it after (the client matches Xero's answer to each
    by id or employee and period). A timesheet Xero refuses is that person's alone (the
    client sends the others again without it): counted as not sent with their hours, its
    reason said, and the person added to ``refused`` (their time off is not sent). An error
    that is not one timesheet's (a lost answer, a sign-in Xero no longer accepts, Xero's day
    limit) stops the sending, said for each person it left unanswered; those Xero answered
    before it (timesheets sent alone) are done. How many writes were done or held back (the
    progress count)."""
    from core.services.xero.client import (
        AU_PAYROLL_PER_CALL,
        AuTimesheetWrite,
        au_answers_so_far,
    )

    todo = [p for p in people if p.action in ("create", "update")]
    done = 0
    for first in range(0, len(todo), AU_PAYROLL_PER_CALL):
        if cancel is not None and cancel.is_set():
            break
        chunk = todo[first : first + AU_PAYROLL_PER_CALL]
        writes, entries = [], []
        for person in chunk:
            assert person.period_start is not None and person.period_end is not None
            lines = person.lines()
            entries.append(_sheet_intent(journal, person, lines))
            writes.append(
                AuTimesheetWrite(
                    person.xero_id or None,
                    person.employee_id,
                    person.period_start,
                    person.period_end,
                    # each line our draft holds is sent, at zero if it must go (eng.au_replacing)
                    {**eng.au_replacing(lines, person.before), **person.kept}
                    if person.xero_id
                    else lines,
                )
            )
        answers: list[Any]
        stop: BridgeError | None = None
        try:
            answers = list(xero.save_au_timesheets(writes))
        except BridgeError as exc:
            # (an error that is not one timesheet's stops the sending; the answers Xero gave
            # before it, e.g. to timesheets sent alone, are kept: those are done)
            stop, answers = exc, au_answers_so_far(exc, len(writes))
        unanswered = []
        for person, entry, answer in zip(chunk, entries, answers, strict=True):
            if stop is not None and (answer is stop or answer is None):
                if answer is stop:  # (in the call the error stopped: Xero may have it)
                    _failed(entry, stop)
                    unanswered.append(person)
                    result.failed.append(ProblemLine(person.name, _write_failed(stop)))
                else:  # (not sent yet: Xero has not had it)
                    _not_sent(entry, stop)
                    result.failed.append(
                        ProblemLine(
                            person.name,
                            tr("Xero did not take it: {reason}", reason=stop.user_message()),
                        )
                    )
                continue
            done += 1
            if isinstance(answer, BridgeError):
                _failed(entry, answer)
                result.failed.append(
                    ProblemLine(person.name, _sheet_refused(xero, PayrollApi.AU, person, answer))
                )
                result.refused += 1
                refused.add(id(person))
                done += _not_sent_sheet(person, result)
            else:
                _sheet_done(run, conn, entry, person, answer["id"].lower(), result)
            report(ProgressEvent("send_timesheets", done, total, None, person.name))
        if stop is not None:
            if getattr(stop, "maybe_applied", False):
                raise _unanswered(stop, _who(unanswered or chunk)) from stop
            raise stop
    return done


def _who(people: list[eng.PersonPlan]) -> str:
    """The people of one call, for a message: one name, or the first and how many more."""
    if len(people) == 1:
        return people[0].name
    return tr("{name} and {count} others", name=people[0].name, count=len(people) - 1)


def _sheet_intent(
    journal: _Journal, person: eng.PersonPlan, lines: dict[tuple[str, str, str], float]
) -> JournalEntry:
    """The journal's intent of ``person``'s timesheet write, before it is sent."""
    assert person.period_start is not None and person.period_end is not None
    return journal.intent(
        person.action,
        "xero_timesheet",
        f"{person.employee_id}|{person.period_start.isoformat()}",
        person.xero_id or None,
        _hours_json(person.before) if person.action == "update" else None,
        {
            "employee_id": person.employee_id,
            "calendar_id": person.calendar_id,
            "start": person.period_start.isoformat(),
            "end": person.period_end.isoformat(),
            "name": person.name,
            "hours": _hours_json(lines),
        },
    )


def _sheet_done(
    run: ImportRun,
    conn: Connection,
    entry: JournalEntry,
    person: eng.PersonPlan,
    xero_id: str,
    result: PayrollResult,
) -> None:
    """``person``'s timesheet write answered with ``xero_id``: its entry done and the
    QuickBooks Time timesheets it holds recorded, in one transaction."""
    with db.atomic():
        entry.state, entry.xero_id, entry.updated_at = "done", xero_id, utcnow()
        entry.save()
        _record_sent(run, conn, "payroll", xero_id, person.sources, person.rate_id)
    person.xero_id = xero_id
    result.timesheets["created" if person.action == "create" else "updated"] += 1


def _send_timesheet(
    xero: XeroClient,
    api: PayrollApi,
    conn: Connection,
    run: ImportRun,
    journal: _Journal,
    person: eng.PersonPlan,
    result: PayrollResult,
) -> bool:
    """NZ/UK 2.0: one timesheet write (one timesheet per call), journaled. False: Xero
    refused it (said in ``result.failed``)."""
    assert person.period_start is not None and person.period_end is not None
    lines = person.lines()
    entry = _sheet_intent(journal, person, lines)
    try:
        if person.action == "create":
            sheet = xero.create_v2_timesheet(
                person.calendar_id,
                person.employee_id,
                person.period_start,
                person.period_end,
                lines,
            )
            xero_id = sheet["id"].lower()
        else:
            # (the lines someone added in Xero are sent back as they are: left untouched)
            xero.replace_v2_lines(person.xero_id, {**lines, **person.kept})
            xero_id = person.xero_id
    except BridgeError as exc:
        _failed(entry, exc)
        # Only a refusal of this timesheet (400) is this person's: the others (a sign-in
        # Xero no longer accepts, a network down) would refuse everyone, and stop the sending.
        refused = _refusal(exc)
        result.failed.append(
            ProblemLine(
                person.name,
                _sheet_refused(xero, api, person, exc) if refused else _write_failed(exc),
            )
        )
        if getattr(exc, "maybe_applied", False):
            raise _unanswered(exc, person.name) from exc
        if refused:
            result.refused += 1
            return False
        raise
    _sheet_done(run, conn, entry, person, xero_id, result)
    return True


def _send_leave(
    xero: XeroClient,
    api: PayrollApi,
    conn: Connection,
    run: ImportRun,
    journal: _Journal,
    person: eng.PersonPlan,
    block: eng.LeaveBlock,
    result: PayrollResult,
) -> bool:
    """One leave write: create, update (our leave to the time off's days and hours) or
    withdraw (our leave whose time off is gone), journaled before it is sent. False: Xero
    refused it (said in ``result.failed``)."""
    assert person.period_start is not None and person.period_end is not None
    period = (person.period_start, person.period_end)
    about = {
        "employee_id": person.employee_id,
        "leave_type_id": block.leave_type_id,
        "name": person.name,
        "leave_name": block.name,
        "api": api.value,
        "period": [period[0].isoformat(), period[1].isoformat()],
    }
    before = (
        {"start": block.before[0], "end": block.before[1], "hours": block.before[2]}
        if block.before is not None
        else None
    )
    if block.action == "withdraw":
        after: dict[str, Any] = {**about, "withdrawn": True}
    else:
        after = {
            **about,
            "start": block.start,
            "end": block.end,
            "hours": block.hours,
            "days": dict(sorted(block.days.items())),
        }
    entry = journal.intent(
        "delete" if block.action == "withdraw" else block.action,
        "xero_leave",
        f"{person.employee_id}|{block.leave_type_id}|{block.start}",
        block.xero_id or None,
        before,
        after,
    )
    try:
        if block.action == "withdraw":
            try:
                xero.withdraw_leave(api, person.employee_id, block.xero_id)
            except BridgeError as exc:
                if getattr(exc, "status", None) != 404:  # already gone: what we wanted
                    raise
            xero_id = block.xero_id
        else:
            row = xero.save_leave(
                api,
                block.xero_id if block.action == "update" else None,
                person.employee_id,
                block.leave_type_id,
                block.name,
                (block.start, block.end, round(sum(block.days.values()), 4)),
                period,
            )
            xero_id = row["id"].lower()
    except BridgeError as exc:
        _failed(entry, exc)
        refused = _refusal(exc)  # (as a timesheet's: only a 400 is this leave's own)
        result.failed.append(
            ProblemLine(person.name, _leave_refused(block, exc) if refused else _write_failed(exc))
        )
        if getattr(exc, "maybe_applied", False):
            raise _unanswered(exc, person.name) from exc
        if not refused:
            raise
        result.refused += 1
        return False
    with db.atomic():
        entry.state, entry.xero_id, entry.updated_at = "done", xero_id, utcnow()
        entry.save()
        if block.action == "withdraw":
            SentHours.update(active=False).where(
                (SentHours.connection == conn)
                & (SentHours.target == "leave")
                & (SentHours.xero_id == xero_id)
            ).execute()
        else:
            _record_sent(run, conn, "leave", xero_id, block.sources)
    block.xero_id = xero_id
    result.leave[
        {"create": "created", "update": "updated", "withdraw": "withdrawn"}[block.action]
    ] += 1
    return True


class WriteUnanswered(BridgeError):
    """A payroll write whose answer never came (a lost answer, a timeout, a server error to
    a POST): Xero may have applied it. Raised in place of the network error, whose words
    ("Nothing was lost") would say nothing reached Xero."""

    message = (
        "Xero did not confirm the change for {who}: {why}. It may have been saved all the "
        "same, so nothing is sent twice: the next sending of hours, or its undo, first "
        "checks what Xero holds. Send the hours again in a few minutes."
    )


def _unanswered_why(exc: BaseException) -> str:
    """Why a write that may have been applied had no answer, for the user."""
    if getattr(exc, "status", None) is None:
        return N_("the connection broke before Xero answered")
    return N_("Xero answered with a server error")


def _unanswered(exc: BridgeError, who: str) -> WriteUnanswered:
    """``exc`` (a write that may have reached Xero) as the error said to the user, with its
    ``status`` and ``maybe_applied`` kept for the callers that look at them."""
    err = WriteUnanswered(str(exc.detail)[:300], who=who, why=_unanswered_why(exc))
    err.status = getattr(exc, "status", None)  # type: ignore[attr-defined]
    err.maybe_applied = True  # type: ignore[attr-defined]
    err.service = getattr(exc, "service", "Xero")  # type: ignore[attr-defined]
    return err


def _refusal(exc: BaseException) -> bool:
    """Whether Xero refused this one write (400: what it holds or was sent does not do); any
    other error is not one person's and stops the sending."""
    return not getattr(exc, "maybe_applied", False) and getattr(exc, "status", None) == 400


#: a new timesheet Xero refused because one of the same period is there: someone made it in
#: Xero after the preview. The next sending leaves it as it is (eng.NOT_OURS, eng.NOT_DRAFT)
REFUSED_MADE_IN_XERO = N_(
    "Xero did not take these {hours} h: someone made a draft timesheet for {start} to {end} in "
    "Xero after the preview, and Xero holds one per period. Check it in Xero Payroll "
    "(Timesheets): to send these hours, delete it there, then send the hours again; or enter "
    "them in it. While it is there, sending again leaves it as it is."
)
REFUSED_APPROVED_IN_XERO = N_(
    "Xero did not take these {hours} h: Xero holds a timesheet for {start} to {end} that is "
    "no longer a draft, made or approved in Xero after the preview. Check it in Xero Payroll "
    "(Timesheets) and correct it there if these hours are missing: sending again leaves it "
    "as it is."
)
REFUSED = N_(
    "Xero did not take it: {reason} Correct this in Xero Payroll, then send the hours again."
)


def _sheet_refused(
    xero: XeroClient, api: PayrollApi, person: eng.PersonPlan, exc: BaseException
) -> str:
    """Why Xero refused ``person``'s timesheet, and what to do. A new one refused because
    Xero holds a timesheet of that person and period (one read of the period's timesheets
    tells, whatever words Xero's refusal has) is said as such."""
    start, end = person.period_start, person.period_end
    if person.action == "create" and start is not None and end is not None:
        try:
            sheets = xero.payroll_timesheets(api, start, end)
        except BridgeError:
            sheets = []  # (not known: Xero's own reason is said)
        there = next(
            (
                sheet
                for sheet in sheets
                if str(sheet.get("employee_id") or "").lower() == person.employee_id
                and sheet.get("start") == start
            ),
            None,
        )
        if there is not None:
            return tr(
                REFUSED_MADE_IN_XERO if there.get("draft") else REFUSED_APPROVED_IN_XERO,
                hours=f"{person.regular_hours:g}",
                start=start.isoformat(),
                end=end.isoformat(),
            )
    return _refused_words(exc)


def _leave_refused(block: eng.LeaveBlock, exc: BaseException) -> str:
    """Why Xero refused a leave write, and what to do, naming the time off."""
    return f"{block.name} ({block.hours:g} h): {_refused_words(exc)}"


def _refused_words(exc: BaseException) -> str:
    reason = exc.user_message() if isinstance(exc, BridgeError) else str(exc)
    return tr(REFUSED, reason=reason.rstrip() if reason.rstrip().endswith(".") else reason + ".")


def _write_failed(exc: BaseException) -> str:
    if getattr(exc, "maybe_applied", False):
        # (a lost answer: Xero may have made the change; never "did not take it")
        return tr(
            "Xero did not confirm it: {why}. It may have been done all the same: the next "
            "sending of hours or undo first checks what Xero holds.",
            why=_unanswered_why(exc),
        )
    reason = exc.user_message() if isinstance(exc, BridgeError) else str(exc)
    return tr("Xero did not take it: {reason}", reason=reason)


# =========================================================================== the CLI's call
def export_hours(
    ctx: AppContext,
    conn: Connection,
    *,
    period: date | None = None,
    calendar: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> PayrollResult:
    """Preview, then (unless ``dry_run``) send: what ``export-hours`` does."""
    started = time.monotonic()
    preview = preview_hours(ctx, conn, period, calendar=calendar, progress=progress)
    if dry_run:
        people = preview.people
        result = PayrollResult(
            preview,
            dry_run=True,
            timesheets={
                k: sum(1 for p in people if p.action == k)
                for k in ("create", "update", "unchanged")
            },
        )
        result.timesheets = {
            "created": sum(1 for p in people if p.action == "create"),
            "updated": sum(1 for p in people if p.action == "update"),
            "unchanged": sum(1 for p in people if p.action == "unchanged"),
            "skipped": sum(1 for p in people if p.action == "skip"),
        }
        result.leave = {
            key: sum(1 for p in people for b in p.leave if b.action == action)
            for key, action in (
                ("created", "create"),
                ("updated", "update"),
                ("withdrawn", "withdraw"),
                ("locked", "locked"),
                ("skipped", "skip"),
            )
        }
        result.api_calls = _calls(ctx)
        return result
    result = send_hours(ctx, conn, preview, progress=progress)
    log.info(
        "Payroll export of %s in %.1f s: %s",
        conn.xero_tenant_name,
        time.monotonic() - started,
        json.dumps(result.as_json()),
    )
    return result


# =========================================================================== undo
@dataclass
class UndoNote:
    who: str
    what: str


class ExportNotUndoable(BridgeError):
    message = "Export number {run} cannot be undone: {reason}."


@said_by(UndoStoppedAtDailyLimit, lambda _ctx, _conn, run, **_kw: {"run": run.id})
def undo_export(
    ctx: AppContext,
    conn: Connection,
    run: ImportRun,
    *,
    progress: ProgressCallback | None = None,
) -> ImportRun:
    """Revert what export ``run`` wrote, newest write first (see the module docstring for
    what each API allows). The undo run's ``counts`` lists what was left alone and why."""
    if run.kind != KIND or run.dry_run:
        raise ExportNotUndoable(run=run.id, reason=N_("it is not an export that wrote anything"))
    if run.status == "undone":
        raise ExportNotUndoable(run=run.id, reason=N_("it was already undone"))
    close_interrupted(conn)
    api = payroll_api(conn.xero_version)
    report: Callable[[ProgressEvent], None] = progress or (lambda _e: None)
    entries = [
        e
        for e in JournalEntry.select()
        .where((JournalEntry.run == run) & (JournalEntry.state.in_(("done", "unknown"))))
        .order_by(JournalEntry.seq.desc())
    ]
    undo = ImportRun.create(
        connection=conn,
        kind="undo",
        status="running",
        undoes_run=run,
        started_at=utcnow(),
        counts={"planned_writes": len(entries)},
    )
    journal = _Journal(undo)
    xero = ctx.xero_client(conn.xero_tenant_id)
    left: list[dict[str, str]] = []
    reverted = {"timesheets": 0, "leave": 0}
    #: (SentHours target, Xero id) of the drafts whose earlier hours were put back
    put_back: set[tuple[str, str]] = set()
    failed = 0
    #: what an earlier undo of ``run`` sent without an answer, found done in Xero now
    checked: list[dict[str, str]] = []
    #: Xero's day limit, reached: the undo stops there (Xero has not had the rest)
    stop: DailyLimitReached | None = None
    #: the writes of ``run`` this undo went through (the others: still to undo)
    looked_at = 0
    #: AU: timesheets reverted before the call of the queue now sent (None: none is sent);
    #: the ones that call reverts before Xero's day limit stops it are gone through too
    au_sending: int | None = None
    try:
        with xero.session:
            current = _current_sheets(xero, api, entries)
            leave_now = _current_leave(xero, api, entries)
            earlier = _check_earlier_undos(run, current, leave_now, reverted, checked)
            # what an earlier undo of ``run`` reverted is not sent again (one Xero's day limit
            # stopped, or one Xero refused part of): each write is undone, and counted, once
            done_before = _reverted_earlier(run, entries)
            entries = [e for e in entries if e.id not in done_before]
            undo.counts = {**(undo.counts or {}), "planned_writes": len(entries)}
            created_by = _sheets_created(conn)
            #: AU: the timesheets to put back, waiting to be sent (_undo_au_sheets)
            au_undo: list[tuple[JournalEntry, dict[str, Any], dict[str, Any]]] = []
            for i, entry in enumerate(entries, 1):
                after = entry.after or {}
                who = str(after.get("name") or "")
                xero_id = (entry.xero_id or "").lower()
                report(ProgressEvent("undo", i, len(entries), None, who))
                looked_at = i - 1 - len(au_undo)  # (those waiting in the AU call: not yet)
                try:
                    if entry.entity_kind == "xero_timesheet":
                        if xero_id:
                            sheet = current.get(xero_id)
                        else:
                            sheet = _unanswered_sheet(current, entry, created_by, left)
                        if sheet is None:
                            continue  # never reached Xero, already gone, or not ours: left alone
                        if not sheet["draft"]:
                            left.append(
                                {
                                    "who": who,
                                    "what": tr(
                                        "timesheet {start} to {end} is no longer a draft in Xero: "
                                        "left as it is",
                                        start=after.get("start", ""),
                                        end=after.get("end", ""),
                                    ),
                                }
                            )
                            continue
                        if api is PayrollApi.AU:  # (50 a call: sent when 50 wait, and at the end)
                            au_undo.append((entry, sheet, after))
                            if len(au_undo) >= AU_UNDO_PER_CALL:
                                au_sending = reverted["timesheets"]
                                failed += _undo_au_sheets(
                                    xero, journal, au_undo, reverted, put_back, left
                                )
                                au_sending = None
                            continue
                        _undo_timesheet(xero, journal, entry, sheet, after)
                        reverted["timesheets"] += 1
                        if entry.action == "update":
                            put_back.add(("payroll", str(sheet["id"]).lower()))
                    elif entry.entity_kind == "xero_leave" and (
                        xero_id or entry.action == "delete"
                    ):
                        note = _undo_leave(xero, api, journal, entry, leave_now, earlier)
                        if note:
                            left.append({"who": who, "what": note})
                        elif note is not None:
                            reverted["leave"] += 1
                            if entry.action == "update":
                                put_back.add(("leave", xero_id))
                except DailyLimitReached:
                    raise  # (the rest stops here: said once, not under each person)
                except BridgeError as exc:
                    failed += 1
                    left.append({"who": who, "what": _write_failed(exc)})
            looked_at = len(entries) - len(au_undo)
            au_sending = reverted["timesheets"]
            failed += _undo_au_sheets(xero, journal, au_undo, reverted, put_back, left)
            looked_at = len(entries)
    except DailyLimitReached as exc:
        stop = exc
        if au_sending is not None:
            looked_at += reverted["timesheets"] - au_sending
    with db.atomic():
        SentHours.update(active=False).where(SentHours.run == run).execute()
        for target, xero_id in sorted(put_back):
            _sent_again(conn, run, target, xero_id)
        # (a partial undo is said as such: the export stays undoable, and undoing it again
        # finishes the job)
        still = len(entries) - looked_at if stop is not None else 0
        undo.status = "failed" if failed or stop is not None else "done"
        undo.finished_at = utcnow()
        undo.counts = {
            **(undo.counts or {}),
            "outcomes": {"reverted": reverted},
            "left_alone": left,
            **({"checked": checked} if checked else {}),
            **({"stopped_at_daily_limit": still} if stop is not None else {}),
            "failed": failed,
        }
        undo.save()
        if not failed and stop is None:
            run.status = "undone"
            run.save()
    if stop is not None:
        raise stop.during(
            UndoStoppedAtDailyLimit,
            run=run.id,
            undo=undo.id,
            done=sum(reverted.values()),
            left=still,
        )
    return undo


def _reverted_earlier(run: ImportRun, entries: list[JournalEntry]) -> set[int]:
    """The writes of export ``run`` (``entries``: its journal) that an earlier undo of it
    reverted: that undo's write of the same timesheet or leave (its ``batch_key``: the
    employee and period, or the employee, leave type and first day) is done. Unanswered
    writes of an earlier undo are settled first (:func:`_check_earlier_undos`)."""
    done = {
        (j.entity_kind, j.batch_key)
        for j in JournalEntry.select(JournalEntry.entity_kind, JournalEntry.batch_key)
        .join(ImportRun)
        .where(
            (ImportRun.undoes_run == run)
            & (ImportRun.kind == "undo")
            & (JournalEntry.state == "done")
        )
    }
    return {e.id for e in entries if (e.entity_kind, e.batch_key) in done}


def written_drafts(run: ImportRun) -> set[str]:
    """The Xero Payroll drafts export ``run`` wrote (or may have: an unanswered write), as
    its undo would find them: each timesheet by employee and period, each leave by id.
    Another export writing one of them later is undone first (``core.app.sync.undo``)."""
    drafts: set[str] = set()
    for entry in JournalEntry.select().where(
        (JournalEntry.run == run) & (JournalEntry.state.in_(("done", "unknown")))
    ):
        after = entry.after or {}
        if entry.entity_kind == "xero_timesheet":
            employee = str(after.get("employee_id", "")).lower()
            drafts.add(f"timesheet|{employee}|{after.get('start', '')}")
        elif entry.entity_kind == "xero_leave" and entry.xero_id:
            drafts.add(f"leave|{entry.xero_id.lower()}")
    return drafts


def _sent_again(conn: Connection, run: ImportRun, target: str, xero_id: str) -> None:
    """Undoing ``run``'s update of a draft put back what the export before it sent there:
    the timesheets that export recorded for the draft are its sources again (so hours
    edited since are found, and its leave follows them)."""
    earlier = (
        SentHours.select(SentHours.run)
        .join(ImportRun)
        .where(
            (SentHours.connection == conn)
            & (SentHours.target == target)
            & (SentHours.xero_id == xero_id)
            & (SentHours.run < run.id)
            & (ImportRun.status != "undone")
        )
        .order_by(SentHours.run.desc())
        .first()
    )
    if earlier is not None:
        SentHours.update(active=True).where(
            (SentHours.run == earlier.run_id)
            & (SentHours.target == target)
            & (SentHours.xero_id == xero_id)
        ).execute()


def _check_earlier_undos(
    run: ImportRun,
    current: dict[str, dict[str, Any]],
    leave_now: dict[str, dict[str, Any]],
    reverted: dict[str, int],
    checked: list[dict[str, str]],
) -> list[JournalEntry]:
    """What the earlier undos of ``run`` sent without an answer (a lost answer, a killed
    undo), looked up in Xero first: a deletion whose timesheet or leave is gone, or leave
    sent back that Xero holds as it was sent, was done; it is counted as reverted by this
    undo and said in ``checked``. One Xero shows no sign of is marked failed (this undo
    sends it again). An update is sent again as it is (the same hours, whatever the first
    one did). Returns the leave entries of those undos: leave one of them sent back is
    never sent twice (``_undo_leave``)."""
    rows = list(
        JournalEntry.select()
        .join(ImportRun)
        .where((ImportRun.undoes_run == run) & (ImportRun.kind == "undo"))
        .order_by(JournalEntry.id)
    )
    for entry in rows:
        if entry.state not in ("unknown", "intent"):
            continue
        about: dict[str, Any] = (entry.before if entry.action == "delete" else entry.after) or {}
        xero_id = (entry.xero_id or "").lower()
        where = {
            "start": str(about.get("start", "")),
            "end": str(about.get("end", "")),
            "leave": str(about.get("leave_name", "")),
        }
        if entry.entity_kind == "xero_timesheet" and entry.action == "delete":
            done, kind = xero_id not in current, "timesheets"
            what = tr(
                "timesheet {start} to {end}: the earlier undo had no answer from Xero when it "
                "deleted it; Xero no longer holds it, so it was deleted then",
                **where,
            )
        elif entry.entity_kind == "xero_leave" and entry.action == "delete":
            done, kind = xero_id not in leave_now, "leave"
            what = tr(
                'leave "{leave}" {start} to {end}: the earlier undo had no answer from Xero '
                "when it withdrew it; Xero no longer holds it, so it was withdrawn then",
                **where,
            )
        elif entry.entity_kind == "xero_leave" and entry.action == "create":
            row = _leave_as_sent(leave_now, about)
            done, kind = row is not None, "leave"
            if row is not None:
                entry.xero_id = row["id"].lower()
            what = tr(
                'leave "{leave}" {start} to {end}: the earlier undo had no answer from Xero '
                "when it sent it back; Xero holds it as it was sent, so it was sent back then",
                **where,
            )
        else:
            continue
        entry.updated_at = utcnow()
        if done:
            entry.state = "done"
            reverted[kind] += 1
            checked.append({"who": str(about.get("name") or ""), "what": what})
        else:
            entry.state, entry.error = "failed", "checked in Xero by the next undo: not done"
        entry.save()
    return [e for e in rows if e.entity_kind == "xero_leave"]


def _leave_as_sent(
    leave_now: dict[str, dict[str, Any]], sent: dict[str, Any]
) -> dict[str, Any] | None:
    """The leave in Xero that holds exactly what an unanswered create sent (``sent``: its
    journal ``after``): same employee, leave type, first and last day and hours."""
    return next((row for row in leave_now.values() if _leave_holds_sent(row, sent)), None)


def _leave_holds_sent(row: dict[str, Any], sent: dict[str, Any]) -> bool:
    """Whether Xero's leave ``row`` holds exactly what a create sent (``sent``: its journal
    ``after``): same employee, leave type, first and last day and hours. A create Xero never
    answered made that leave only then: other leave may have been keyed in Xero since."""
    return (
        _leave_key(sent)
        == (row["employee_id"].lower(), row["leave_type_id"].lower(), str(row["start"]))
        and str(row["end"]) == str(sent.get("end", ""))
        and abs(float(row.get("hours") or 0.0) - float(sent.get("hours") or 0.0)) < 0.005
    )


def _current_leave(
    xero: XeroClient, api: PayrollApi, entries: list[JournalEntry]
) -> dict[str, dict[str, Any]]:
    """Xero's leave now (AU: not rejected), by id, for the employees of ``entries``."""
    emps = sorted(
        {
            str((e.after or {}).get("employee_id", "")).lower()
            for e in entries
            if e.entity_kind == "xero_leave"
        }
        - {""}
    )
    if not emps:
        return {}
    return {
        r["id"].lower(): r
        for r in xero.payroll_leave(api, emps)
        if not r.get("withdrawn") and r["employee_id"].lower() in emps
    }


def _undo_leave(
    xero: XeroClient,
    api: PayrollApi,
    journal: _Journal,
    entry: JournalEntry,
    leave_now: dict[str, dict[str, Any]],
    earlier: list[JournalEntry],
) -> str | None:
    """Revert one leave write: "" when done, None when there was nothing to revert (never
    reached Xero, already gone, or already sent back by an earlier undo: ``earlier``, its
    leave entries), else why it was left alone (said to the user).
    Created: withdrawn (AU rejected, NZ/UK deleted). Updated: its earlier days and hours put
    back. Withdrawn: sent again as it was. Leave in a posted pay run is never changed."""
    after = entry.after or {}
    before = entry.before or {}
    xero_id = (entry.xero_id or "").lower()
    emp = str(after.get("employee_id", ""))
    period_days = after.get("period") or []
    where = {
        "leave": after.get("leave_name", ""),
        "start": after.get("start") or before.get("start", ""),
        "end": after.get("end") or before.get("end", ""),
    }

    def send_back(undo_entry: JournalEntry, leave_id: str | None) -> dict[str, Any]:
        """The leave's earlier days and hours sent to Xero: a new leave (``leave_id`` None)
        or ``leave_id`` updated; a failure is marked on ``undo_entry`` and raised."""
        try:
            return xero.save_leave(
                api,
                leave_id,
                emp,
                str(after.get("leave_type_id", "")),
                str(after.get("leave_name", "")),
                (str(before["start"]), str(before["end"]), float(before.get("hours") or 0.0)),
                (date.fromisoformat(period_days[0]), date.fromisoformat(period_days[1])),
            )
        except BridgeError as exc:
            _failed(undo_entry, exc)
            raise

    if entry.action == "delete":
        if xero_id in leave_now:
            return None  # the withdrawal never reached Xero: the leave is still there
        if any(
            e.action == "create"
            and e.state == "done"
            and e.batch_key == entry.batch_key
            and (e.xero_id or "").lower() in leave_now
            for e in earlier
        ):
            return None  # an earlier undo sent it back: it is in Xero again
        if len(period_days) != 2 or not before.get("start"):
            return tr(
                'leave "{leave}" {start} to {end}: not enough is known to send it again; '
                "enter it in Xero Payroll by hand",
                **where,
            )
        undo_entry = journal.intent(
            "create",
            "xero_leave",
            entry.batch_key,
            None,
            None,
            {
                **{k: v for k, v in after.items() if k != "withdrawn"},
                "start": before["start"],
                "end": before["end"],
                "hours": before.get("hours", 0.0),
            },
        )
        row = send_back(undo_entry, None)
        undo_entry.xero_id = row["id"].lower()
        _done(undo_entry)
        return ""
    row_now = leave_now.get(xero_id)
    if row_now is None:
        return None  # never reached Xero, or already gone
    if row_now.get("locked"):
        return tr(
            'leave "{leave}" {start} to {end} is in a pay run Xero has posted: left as it is',
            **where,
        )
    if entry.action == "update":
        if len(period_days) != 2 or not before.get("start"):
            return None
        undo_entry = journal.intent(
            "update", "xero_leave", entry.batch_key, xero_id, after, {**after, **before}
        )
        send_back(undo_entry, xero_id)
    else:
        undo_entry = journal.intent("delete", "xero_leave", entry.batch_key, xero_id, after, None)
        try:
            xero.withdraw_leave(api, emp, xero_id)
        except BridgeError as exc:
            if getattr(exc, "status", None) != 404:
                _failed(undo_entry, exc)
                raise
    _done(undo_entry)
    return ""


def _current_sheets(
    xero: XeroClient, api: PayrollApi, entries: list[JournalEntry]
) -> dict[str, dict[str, Any]]:
    days = [
        date.fromisoformat(str((e.after or {}).get(k)))
        for e in entries
        if e.entity_kind == "xero_timesheet"
        for k in ("start", "end")
        if (e.after or {}).get(k)
    ]
    if not days:
        return {}
    return {s["id"].lower(): s for s in xero.payroll_timesheets(api, min(days), max(days))}


def _sheets_created(conn: Connection) -> set[str]:
    """The Xero timesheets a create of this connection's exports made, by its answer."""
    return {
        (e.xero_id or "").lower()
        for e in _journal_rows(conn, "xero_timesheet")
        if e.action == "create" and e.state == "done" and e.xero_id
    }


def _unanswered_sheet(
    current: dict[str, dict[str, Any]],
    entry: JournalEntry,
    created: set[str],
    left: list[dict[str, str]],
) -> dict[str, Any] | None:
    """The draft an unanswered create (``entry``: no Xero id) made, when Xero shows it: the
    timesheet of that employee and period holds exactly the hours it sent (the rule the
    export adopts it by). None when Xero has none, when a create of another run made the
    one it has (Xero holds one per employee and period), or when the one it has holds
    something else: someone may have entered it in Xero, so it is left alone, said in
    ``left``."""
    after = entry.after or {}
    sheet = _find_sheet(current, after)
    if sheet is None or sheet["id"].lower() in created:
        return None
    if _made_by_unanswered(sheet, entry):
        return sheet
    left.append(
        {
            "who": str(after.get("name") or ""),
            "what": tr(
                "timesheet {start} to {end}: Xero gave no clear answer when this app sent "
                "it, and the timesheet Xero holds for this period is not what was sent "
                "(someone may have entered it in Xero): left as it is",
                start=after.get("start", ""),
                end=after.get("end", ""),
            ),
        }
    )
    return None


def _made_by_unanswered(sheet: dict[str, Any], entry: JournalEntry) -> bool:
    """Whether Xero's timesheet ``sheet`` is the one the create ``entry`` made, though Xero
    never answered it (no Xero id): of its employee and period, it holds exactly the hours
    it sent. Anything else (other hours, a line more or less) may have been keyed in Xero by
    someone since: never taken for ours, by the next sending nor by the undo."""
    after = entry.after or {}
    return (
        entry.action == "create"
        and sheet["employee_id"].lower() == str(after.get("employee_id", "")).lower()
        and sheet["start"].isoformat() == str(after.get("start", ""))
        and _holds_exactly(sheet["hours"], _hours_of(after.get("hours")))
    )


def _holds_exactly(
    held: dict[tuple[str, str, str], float], sent: dict[tuple[str, str, str], float]
) -> bool:
    """Whether a timesheet's lines (``held``) are the hours ``sent``, no more, no less."""

    def lines(hours: dict[tuple[str, str, str], float]) -> dict[tuple[str, str, str], float]:
        return {(d, r.lower(), t.lower()): h for (d, r, t), h in hours.items() if h > 0}

    have, want = lines(held), lines(sent)
    return set(have) == set(want) and all(abs(have[k] - v) < 0.005 for k, v in want.items())


def _find_sheet(current: dict[str, dict[str, Any]], after: dict[str, Any]) -> dict[str, Any] | None:
    for sheet in current.values():
        if sheet["employee_id"].lower() == str(after.get("employee_id", "")).lower() and sheet[
            "start"
        ].isoformat() == after.get("start"):
            return sheet
    return None


def _kept_lines(
    held: dict[tuple[str, str, str], float], *ours: dict[tuple[str, str, str], float]
) -> dict[tuple[str, str, str], float]:
    """The lines of ``held`` (a draft of ours in Xero now) whose (earnings rate, tracking
    item) none of ``ours`` (what the app wrote there) has: someone added them in Xero."""
    pairs = set().union(*(eng.line_pairs(hours) for hours in ours))
    return {k: v for k, v in held.items() if (k[1].lower(), k[2].lower()) not in pairs}


#: AU undo: timesheets put back per call (POST /Timesheets takes an array; client.AU_PAYROLL_PER_CALL)
AU_UNDO_PER_CALL = 50


def _au_undo_hours(
    entry: JournalEntry, sheet: dict[str, Any], after: dict[str, Any]
) -> dict[tuple[str, str, str], float]:
    """AU 1.0 (no DELETE): what our draft ``sheet`` is sent to undo ``entry``. An update:
    the earlier hours back; a create: our lines at zero hours (it stays an empty draft).
    Lines someone added to it in Xero (another rate or item) are sent as they are."""
    start = date.fromisoformat(str(after["start"]))
    sent = _hours_of(after.get("hours"))
    before = _hours_of(entry.before) if entry.action == "update" else {}
    kept = _kept_lines(sheet["hours"], sent, before)
    if entry.action == "update":
        ours = {k: v for k, v in {**sent, **sheet["hours"]}.items() if k not in kept}
        return {**eng.au_replacing(before, ours), **kept}
    zero = {key: 0.0 for key in sent} or {
        (start.isoformat(), rate, tracking): 0.0
        for (_d, rate, tracking) in sheet["hours"]
        if (_d, rate, tracking) not in kept
    }
    return {**zero, **kept}


def _undo_au_sheets(
    xero: XeroClient,
    journal: _Journal,
    queue: list[tuple[JournalEntry, dict[str, Any], dict[str, Any]]],
    reverted: dict[str, int],
    put_back: set[tuple[str, str]],
    left: list[dict[str, str]],
) -> int:
    """AU 1.0: undo the timesheet writes waiting in ``queue`` (export entry, our draft in
    Xero now, the entry's ``after``), in one call (``POST /Timesheets``, an array), each
    journaled before it (an ``update``: the hours it puts back) and done after; ``queue``
    is emptied. One Xero refuses is that one's alone (the client sends the others again
    without it); an error that is the call's fails each of it. Each done is counted in
    ``reverted`` (an update's draft in ``put_back``), each failed said in ``left``. How
    many failed."""
    from core.services.xero.client import AuTimesheetWrite, au_answers_so_far

    items = list(queue)
    queue.clear()
    if not items:
        return 0
    writes, undo_entries = [], []
    for entry, sheet, after in items:
        back = _au_undo_hours(entry, sheet, after)
        undo_entries.append(
            journal.intent(
                "update",
                "xero_timesheet",
                entry.batch_key,
                sheet["id"],
                after,
                _hours_json(_hours_of(entry.before)) if entry.action == "update" else {"hours": {}},
            )
        )
        writes.append(
            AuTimesheetWrite(
                sheet["id"],
                str(after["employee_id"]),
                date.fromisoformat(str(after["start"])),
                date.fromisoformat(str(after["end"])),
                back,
            )
        )
    answers: list[Any]
    error: BridgeError | None = None
    try:
        answers = list(xero.save_au_timesheets(writes))
    except BridgeError as exc:
        # (those Xero answered before the error, e.g. sent alone, are reverted all the same)
        error, answers = exc, au_answers_so_far(exc, len(writes))
    stop = error if isinstance(error, DailyLimitReached) else None
    failed = 0
    for (entry, sheet, after), undo_entry, answer in zip(items, undo_entries, answers, strict=True):
        who = str(after.get("name") or "")
        if error is not None and answer is None:  # (not sent: Xero has not had it)
            _not_sent(undo_entry, error)
            if stop is None:
                failed += 1
                left.append(
                    {
                        "who": who,
                        "what": tr("Xero did not take it: {reason}", reason=error.user_message()),
                    }
                )
            continue
        if stop is not None and answer is stop:
            _failed(undo_entry, stop)  # (said once, by the stop: not under each person)
            continue
        if isinstance(answer, BridgeError):
            _failed(undo_entry, answer)
            failed += 1
            left.append({"who": who, "what": _write_failed(answer)})
            continue
        _done(undo_entry)
        reverted["timesheets"] += 1
        if entry.action == "update":
            put_back.add(("payroll", str(sheet["id"]).lower()))
    if stop is not None:
        raise stop
    return failed


def _undo_timesheet(
    xero: XeroClient,
    journal: _Journal,
    entry: JournalEntry,
    sheet: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """NZ/UK 2.0: undo one timesheet write. An update: the earlier hours back; a create:
    the draft deleted, or, when someone added lines to it in Xero, only ours taken off."""
    sheet_id = sheet["id"]
    sent = _hours_of(after.get("hours"))
    before = _hours_of(entry.before) if entry.action == "update" else {}
    # lines someone added to our draft in Xero (another rate or item): never undone
    kept = _kept_lines(sheet["hours"], sent, before)
    if entry.action == "update":
        undo_entry = journal.intent(
            "update", "xero_timesheet", entry.batch_key, sheet_id, after, _hours_json(before)
        )
        try:
            xero.replace_v2_lines(sheet_id, {**before, **kept})
        except BridgeError as exc:
            _failed(undo_entry, exc)
            raise
    elif kept:
        # a draft someone added lines to in Xero keeps them, only ours go
        undo_entry = journal.intent(
            "update", "xero_timesheet", entry.batch_key, sheet_id, after, {"hours": {}}
        )
        try:
            xero.replace_v2_lines(sheet_id, kept)
        except BridgeError as exc:
            _failed(undo_entry, exc)
            raise
    else:
        undo_entry = journal.intent(
            "delete", "xero_timesheet", entry.batch_key, sheet_id, after, None
        )
        try:
            xero.delete_v2_timesheet(sheet_id)
        except BridgeError as exc:
            if getattr(exc, "status", None) != 404:
                _failed(undo_entry, exc)
                raise
    _done(undo_entry)


__all__ = [
    "KIND",
    "ExportNotUndoable",
    "NoPayCalendar",
    "PayCalendarUnknown",
    "PayCalendarsUncounted",
    "PayPeriod",
    "PayrollNotAvailable",
    "PayrollPreview",
    "PayrollResult",
    "ProblemLine",
    "export_hours",
    "own_periods",
    "pay_periods",
    "payroll_available",
    "preview_hours",
    "send_hours",
    "undo_export",
    "written_drafts",
]
