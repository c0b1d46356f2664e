"""The Demo Company's hours: QuickBooks Time timesheets and time off for two pay periods.

:func:`add_demo_hours` completes the QB Time account that ``demo_data.build_demo_company``
builds, in the service's own shapes (``shared/specs/qbtime`` examples): ``timesheets``,
``time_off_requests``, ``time_off_request_entries``, ``time_off_request_notes`` and the users'
``submitted_to``/``approved_to``. Hours go to the QB Time users that link to an active Xero
payroll employee on import (same first name, last name and e-mail, e-mail not empty), in
that organisation's pay periods and time zone, plus one user who matches no employee:

* Australia, paid weekly, Monday to Sunday: 2026-11-16..22 and 2026-11-23..29,
  Australia/Sydney;
* United Kingdom, paid fortnightly, Monday to Sunday: 2026-11-02..15 and 2026-11-16..29,
  Europe/London.

Every trap of :data:`HOUR_CASES` sits on the person it names. The file holds these dates
with ``"demo_shift_days": null``: the simulator moves them on first start
(:func:`core.sandbox.common.demo_shift_days`). Seeded, no wall clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.sandbox.common import iso_offset

__all__ = [
    "HOUR_CASES",
    "PAY_PERIODS",
    "HourCase",
    "add_demo_hours",
    "hour_cases_markdown",
    "linked_users",
]


@dataclass(frozen=True)
class HourCase:
    """One deliberate situation in the demo's hours, on one named QB Time user."""

    trap: str
    org: str
    person: str  # "First Last" as QB Time has it
    note: str


#: org -> (time zone, pay periods as (first day, last day), a standard day in minutes)
PAY_PERIODS: dict[str, tuple[str, tuple[tuple[str, str], ...], int]] = {
    "AU": ("Australia/Sydney", (("2026-11-16", "2026-11-22"), ("2026-11-23", "2026-11-29")), 456),
    "UK": ("Europe/London", (("2026-11-02", "2026-11-15"), ("2026-11-16", "2026-11-29")), 450),
}

HOUR_CASES: tuple[HourCase, ...] = (
    HourCase(
        "approved", "AU", "Olivia Brown", "approved_to 2026-11-29: every day of both weeks approved"
    ),
    HourCase(
        "over_midnight",
        "AU",
        "Olivia Brown",
        "night shift Sunday 2026-11-22 22:00 to Monday 06:00: crosses midnight and the two weeks",
    ),
    HourCase(
        "annual_leave",
        "AU",
        "Olivia Brown",
        "Annual Leave (pto) Thursday and Friday 2026-11-26/27, 7.6 h each: approved request, "
        "entries with their generated timesheets",
    ),
    HourCase(
        "on_the_clock",
        "AU",
        "Olivia Brown",
        "clocked in Saturday 2026-11-28 07:30, never clocked out",
    ),
    HourCase(
        "billable_items",
        "AU",
        "Olivia Brown",
        "billable customers in both QB Time and Xero, Service Item set on the timesheets",
    ),
    HourCase(
        "submitted_only",
        "AU",
        "Noah Williams",
        "approved_to 2026-11-22, submitted_to 2026-11-29: the second week is only submitted",
    ),
    HourCase(
        "unpaid_leave",
        "AU",
        "Noah Williams",
        "Unpaid Leave (unpaid_time_off) Wednesday 2026-11-18, 7.6 h: approved",
    ),
    HourCase(
        "not_submitted",
        "AU",
        "Jack Wilson",
        "approved_to and submitted_to 2026-11-22: the second week is neither",
    ),
    HourCase(
        "unlinked_leave",
        "AU",
        "Jack Wilson",
        "Holiday (pto; no AU Xero leave type of that name) Monday 2026-11-16, 7.6 h: approved",
    ),
    HourCase(
        "pending_leave",
        "AU",
        "Jack Wilson",
        "Annual Leave Friday 2026-11-27 requested, still pending: no timesheet",
    ),
    HourCase(
        "billable_items",
        "AU",
        "Jack Wilson",
        "billable customers in both QB Time and Xero, Service Item set on the timesheets",
    ),
    HourCase(
        "no_employee",
        "AU",
        "Dave Kowalski",
        "subcontractor with approved hours in both weeks; matches no Xero employee",
    ),
    HourCase("approved", "UK", "Oliver Hughes", "approved_to 2026-11-29: both fortnights approved"),
    HourCase(
        "over_midnight",
        "UK",
        "Oliver Hughes",
        "Friday 2026-11-27 20:00 to Saturday 04:00 (gritting round)",
    ),
    HourCase(
        "annual_leave",
        "UK",
        "Oliver Hughes",
        "Annual Leave (pto) Monday and Tuesday 2026-11-09/10, 7.5 h each: approved",
    ),
    HourCase(
        "submitted_only",
        "UK",
        "Amelia Clarke",
        "approved_to 2026-11-15, submitted_to 2026-11-29: the second fortnight is only submitted",
    ),
    HourCase(
        "not_submitted",
        "UK",
        "Sophie Turner",
        "approved_to and submitted_to 2026-11-15: the second fortnight is neither",
    ),
    HourCase(
        "unpaid_leave",
        "UK",
        "Sophie Turner",
        "Unpaid Leave (unpaid_time_off) Thursday 2026-11-05, 7.5 h: approved",
    ),
)

#: approved_to / submitted_to per person; everyone else keeps "2000-01-01" (never)
_SIGN_OFF = {
    "Olivia Brown": ("2026-11-29", "2026-11-29"),
    "Noah Williams": ("2026-11-22", "2026-11-29"),
    "Jack Wilson": ("2026-11-22", "2026-11-22"),
    "Dave Kowalski": ("2026-11-29", "2026-11-29"),
    "Oliver Hughes": ("2026-11-29", "2026-11-29"),
    "Amelia Clarke": ("2026-11-15", "2026-11-29"),
    "Sophie Turner": ("2026-11-15", "2026-11-15"),
}
#: time off: person -> [(code name, status, [days])]
_TIME_OFF: dict[str, list[tuple[str, str, list[str], str]]] = {
    "Olivia Brown": [
        ("Annual Leave", "approved", ["2026-11-26", "2026-11-27"], "Long weekend away with family.")
    ],
    "Noah Williams": [("Unpaid Leave", "approved", ["2026-11-18"], "Moving house.")],
    "Jack Wilson": [
        ("Holiday", "approved", ["2026-11-16"], "Day off in lieu."),
        ("Annual Leave", "pending", ["2026-11-27"], "Friend's wedding."),
    ],
    "Oliver Hughes": [
        ("Annual Leave", "approved", ["2026-11-09", "2026-11-10"], "Half term with the kids.")
    ],
    "Sophie Turner": [("Unpaid Leave", "approved", ["2026-11-05"], "Personal matters.")],
}
#: shifts outside the daily pattern: person -> [(day, "HH:MM", minutes)]
_EXTRA_SHIFTS = {
    "Olivia Brown": [("2026-11-22", "22:00", 480)],
    "Oliver Hughes": [("2026-11-27", "20:00", 480)],
}
#: days without the daily pattern (leave, rest after a night shift, ...)
_DAYS_OFF = {
    "Olivia Brown": {"2026-11-23", "2026-11-26", "2026-11-27"},
    "Noah Williams": {"2026-11-18"},
    "Jack Wilson": {"2026-11-16"},
    "Oliver Hughes": {"2026-11-09", "2026-11-10", "2026-11-27"},
    "Sophie Turner": {"2026-11-05"},
}
_ON_THE_CLOCK = {"Olivia Brown": ("2026-11-28", "07:30")}
_BILLABLE_ITEMS = ("Lawn mowing – standard block", "Hedge trimming (per hour)")
_ITEM_PEOPLE = {"Olivia Brown", "Jack Wilson"}
_LOCATION = {"AU": "(Sydney, NSW?)", "UK": "(London?)"}
_UNLINKED = {"AU": "Dave Kowalski"}


def _name(user: dict[str, Any]) -> str:
    return f"{user.get('first_name', '')} {user.get('last_name', '')}"


def _employees(tenant: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(first, last, e-mail) of the active payroll employees of a Xero organisation."""
    out = []
    for emp in (tenant.get("payroll") or {}).get("Employees", []):
        if "FirstName" in emp:  # AU payroll 1.0
            if emp.get("Status") == "TERMINATED":
                continue
            out.append((emp["FirstName"], emp["LastName"], emp.get("Email") or ""))
        else:  # UK/NZ payroll 2.0: an end date ends employment
            if emp.get("endDate"):
                continue
            out.append((emp["firstName"], emp["lastName"], emp.get("email") or ""))
    return out


def linked_users(qbtime: dict[str, Any], tenant: dict[str, Any]) -> list[dict[str, Any]]:
    """The active QB Time users that link on import to an active employee of ``tenant``:
    first name, last name and e-mail equal, the e-mail not empty."""
    keys = {e for e in _employees(tenant) if e[2]}
    return [
        u
        for u in qbtime["users"]
        if u.get("active") and (u["first_name"], u["last_name"], u["email"]) in keys
    ]


class _Builder:
    def __init__(self, qbtime: dict[str, Any], rng: random.Random) -> None:
        self.qb = qbtime
        self.rng = rng
        self.timesheets: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []
        self._ts_id = 135_300_000
        self._ids = {"requests": 1_546_900, "entries": 11_370, "notes": 96_020}
        self.blank_cf = {
            str(cf["id"]): ""
            for cf in sorted(qbtime["customfields"], key=lambda c: c["id"])
            if cf["active"] and cf["applies_to"] == "timesheet"
        }
        self.cf_by_name = {cf["name"]: str(cf["id"]) for cf in qbtime["customfields"]}
        self.codes = {j["name"]: j for j in qbtime["jobcodes"] if j["type"] != "regular"}
        managers = [
            u
            for u in qbtime["users"]
            if u["permissions"].get("approve_timesheets") and not u["permissions"].get("admin")
        ]
        self.approver = managers[0]["id"] if managers else qbtime["current_user_id"]
        self._assigned = {
            (a["user_id"], a["jobcode_id"]) for a in qbtime["jobcode_assignments"] if a["active"]
        }
        self._assignment_id = max(a["id"] for a in qbtime["jobcode_assignments"])

    def next_id(self, kind: str) -> int:
        self._ids[kind] += self.rng.randint(1, 9)
        return self._ids[kind]

    def assign(self, user: dict[str, Any], job: dict[str, Any], stamp: str) -> None:
        """A user tracks time only to jobcodes assigned to them (or to everyone)."""
        if job["assigned_to_all"] or (user["id"], job["id"]) in self._assigned:
            return
        self._assigned.add((user["id"], job["id"]))
        self._assignment_id += self.rng.randint(1, 11)
        self.qb["jobcode_assignments"].append(
            {
                "id": self._assignment_id,
                "user_id": user["id"],
                "jobcode_id": job["id"],
                "active": True,
                "last_modified": stamp,
                "created": stamp,
            }
        )

    def timesheet(
        self,
        user: dict[str, Any],
        org: str,
        job_id: int,
        start: datetime,
        minutes: int | None,
        *,
        customfields: dict[str, str] | None = None,
        notes: str = "",
    ) -> dict[str, Any]:
        """A ``regular`` timesheet; ``minutes`` None = still on the clock."""
        self._ts_id += self.rng.randint(2, 40)
        end = start + timedelta(minutes=minutes) if minutes is not None else None
        offset = (start.utcoffset() or timedelta(0)).total_seconds() / 3600
        touched = (end or start).timestamp() + self.rng.randint(0, 20) * 60
        row = {
            "id": self._ts_id,
            "user_id": user["id"],
            "jobcode_id": job_id,
            "start": start.isoformat(timespec="seconds"),
            "end": end.isoformat(timespec="seconds") if end else "",
            "duration": minutes * 60 if minutes is not None else 0,
            "date": start.date().isoformat(),
            "tz": int(offset) if offset.is_integer() else offset,
            "tz_str": str(start.tzinfo),
            "type": "regular",
            "location": _LOCATION[org],
            "on_the_clock": end is None,
            "locked": 0,
            "notes": notes,
            "customfields": {**self.blank_cf, **(customfields or {})},
            "attached_files": [],
            "last_modified": iso_offset(touched),
            "created_by_user_id": user["id"],
        }
        self.timesheets.append(row)
        return row

    def time_off(
        self,
        user: dict[str, Any],
        zone: ZoneInfo,
        code: str,
        status: str,
        days: list[str],
        minutes: int,
        note: str,
    ) -> None:
        """A time-off request with one entry per day; approving one generated a ``manual``
        timesheet on the code per entry (``approved_timesheet_id``)."""
        jobcode = self.codes[code]
        first = datetime.fromisoformat(days[0]).replace(hour=9, tzinfo=zone) - timedelta(days=12)
        created = iso_offset(first.timestamp())
        approved = iso_offset(first.timestamp() + 26 * 3600) if status == "approved" else created
        request_id = self.next_id("requests")
        note_id = self.next_id("notes")
        self.notes.append(
            {
                "id": note_id,
                "time_off_request_id": request_id,
                "user_id": user["id"],
                "active": True,
                "note": note,
                "created": created,
                "last_modified": created,
            }
        )
        entry_ids = []
        for day in days:
            midnight = datetime.fromisoformat(day).replace(tzinfo=zone)
            timesheet_id = 0
            if status == "approved":
                self._ts_id += self.rng.randint(2, 40)
                timesheet_id = self._ts_id
                self.timesheets.append(
                    {
                        "id": timesheet_id,
                        "user_id": user["id"],
                        "jobcode_id": jobcode["id"],
                        "start": "",
                        "end": "",
                        "duration": minutes * 60,
                        "date": day,
                        "tz": _hours(midnight),
                        "tz_str": str(zone),
                        "type": "manual",
                        "location": "",
                        "on_the_clock": False,
                        "locked": 0,
                        "notes": "",
                        "customfields": dict(self.blank_cf),
                        "attached_files": [],
                        "last_modified": approved,
                        "created_by_user_id": self.approver,
                    }
                )
            entry_id = self.next_id("entries")
            entry_ids.append(entry_id)
            self.entries.append(
                {
                    "id": entry_id,
                    "time_off_request_id": request_id,
                    "status": status,
                    "approver_user_id": self.approver if status == "approved" else 0,
                    "date": day,
                    "entry_method": "manual",
                    "duration": minutes * 60,
                    "start_time": midnight.isoformat(timespec="seconds"),
                    "end_time": midnight.replace(hour=23, minute=59, second=59).isoformat(
                        timespec="seconds"
                    ),
                    "tz_string": str(zone),
                    "jobcode_id": jobcode["id"],
                    "user_id": user["id"],
                    "approved_timesheet_id": timesheet_id,
                    "active": True,
                    "created": created,
                    "last_modified": approved,
                }
            )
        self.requests.append(
            {
                "id": request_id,
                "user_id": user["id"],
                "time_off_request_notes": [note_id],
                "time_off_request_entries": entry_ids,
                "status": status,
                "active": True,
                "created": created,
                "last_modified": approved,
            }
        )


def _hours(moment: datetime) -> int | float:
    offset = (moment.utcoffset() or timedelta(0)).total_seconds() / 3600
    return int(offset) if offset.is_integer() else offset


def _days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _org_jobs(
    qbtime: dict[str, Any], tenant: dict[str, Any], names: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(jobs anyone of the organisation works on, billable jobs of customers Xero has too):
    active jobcodes without children among ``names`` and their children."""
    contacts = {c.get("Name") for c in tenant.get("Contacts", [])}
    by_id = {j["id"]: j for j in qbtime["jobcodes"]}
    jobs, billable = [], []
    for job in qbtime["jobcodes"]:
        top = by_id.get(job["parent_id"], job) if job["parent_id"] else job
        if (
            top["name"] not in names
            or job["type"] != "regular"
            or not job["active"]
            or job["has_children"]
        ):
            continue
        jobs.append(job)
        if job["billable"] and top["name"] in contacts:
            billable.append(job)
    return jobs, billable


def add_demo_hours(
    qbtime: dict[str, Any],
    tenants: dict[str, dict[str, Any]],
    job_names: dict[str, list[str]],
    seed: int,
) -> None:
    """Add the hours to ``qbtime`` (the built QB Time account), in place. ``tenants`` maps
    "AU"/"UK" to the Xero organisation; ``job_names`` maps them to the names of their
    customers in QB Time."""
    rng = random.Random(seed)
    b = _Builder(qbtime, rng)
    users_by_name = {_name(u): u for u in qbtime["users"]}
    items_cf = b.cf_by_name.get("Service Item")
    for org, (zone_name, periods, day_minutes) in PAY_PERIODS.items():
        zone = ZoneInfo(zone_name)
        people = linked_users(qbtime, tenants[org])
        if org in _UNLINKED:
            people.append(users_by_name[_UNLINKED[org]])
        jobs, billable = _org_jobs(qbtime, tenants[org], job_names[org])
        days = _days(periods[0][0], periods[-1][1])
        setup = iso_offset(
            datetime.fromisoformat(periods[0][0]).replace(tzinfo=zone).timestamp() - 30 * 86400
        )
        for user in people:
            name = _name(user)
            own_jobs = rng.sample(jobs, 3)
            if name in _ITEM_PEOPLE:
                own_jobs = rng.sample(billable, 2) + own_jobs[:1]
            for job in own_jobs:
                b.assign(user, job, setup)
            for day in days:
                if day.weekday() >= 5 or day.isoformat() in _DAYS_OFF.get(name, set()):
                    continue
                start = datetime(day.year, day.month, day.day, 7, 0, tzinfo=zone)
                start += timedelta(minutes=rng.choice((-15, 0, 0, 0, 15, 30)))
                total = day_minutes + rng.choice((-30, -15, 0, 0, 0, 15, 30, 60))
                morning = rng.randint(14, 18) * 15
                for part_start, minutes in (
                    (start, morning),
                    (start + timedelta(minutes=morning + 30), total - morning),
                ):
                    job = rng.choice(own_jobs)
                    fields: dict[str, str] = {}
                    if items_cf and job in billable and name in _ITEM_PEOPLE:
                        fields[items_cf] = rng.choice(_BILLABLE_ITEMS)
                    b.timesheet(user, org, job["id"], part_start, minutes, customfields=fields)
            for day_text, hhmm, minutes in _EXTRA_SHIFTS.get(name, []):
                hour, minute = (int(x) for x in hhmm.split(":"))
                start = datetime.fromisoformat(day_text).replace(
                    hour=hour, minute=minute, tzinfo=zone
                )
                b.timesheet(user, org, own_jobs[-1]["id"], start, minutes, notes="Night works")
            if name in _ON_THE_CLOCK:
                day_text, hhmm = _ON_THE_CLOCK[name]
                hour, minute = (int(x) for x in hhmm.split(":"))
                start = datetime.fromisoformat(day_text).replace(
                    hour=hour, minute=minute, tzinfo=zone
                )
                b.timesheet(user, org, own_jobs[-1]["id"], start, None)
            for code, status, leave_days, note in _TIME_OFF.get(name, []):
                b.time_off(user, zone, code, status, leave_days, day_minutes, note)
            approved_to, submitted_to = _SIGN_OFF[name]
            user["approved_to"], user["submitted_to"] = approved_to, submitted_to
    qbtime["timesheets"] = sorted(b.timesheets, key=lambda t: t["id"])
    qbtime["time_off_requests"] = b.requests
    qbtime["time_off_request_entries"] = b.entries
    qbtime["time_off_request_notes"] = b.notes
    # Moved on the simulator's first start (see core.sandbox.common.demo_shift_days).
    qbtime["demo_shift_days"] = None


def hour_cases_markdown() -> str:
    """The hour traps as a Markdown table (resources/demo/README.md)."""
    lines = ["| Organisation | Person | Situation | Detail |", "|---|---|---|---|"]
    lines += [
        f"| {c.org} | {c.person} | {c.trap.replace('_', ' ')} | {c.note} |" for c in HOUR_CASES
    ]
    return "\n".join(lines)
