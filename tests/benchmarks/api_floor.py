"""The true floor of an import's API calls, derived from the organisation's data (issue 16).

Not from the product's outcomes: reads are the pages each list needs at the documented
maximum page sizes, given how many records the services hold; writes are the batches of 50
needed to make the changes QuickBooks Time shows between its state before and after the
run (what a perfect importer would have had to send), side effects of those writes left out
(a location linked to a jobcode lists itself in the jobcode's ``locations``; a sub-job makes
its parent ``has_children``; ``assigned_to_all`` is a ``user_id`` 0 assignment; an archive
cascades to sub-jobs and assignments).

Our side is counted at the lowest level, every HTTP request this process sends
(``requests.adapters.HTTPAdapter.send``): sign-in token refreshes and connection checks
included, not only the calls the product's own counter sees.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

# Documented page sizes and batch size (shared/references: xero-api.md §3.1, §4; qbtime-api.md
# "limit: default 200, max 200", "maximum batch size is 50").
XERO_CONTACTS_PAGE = 1000  # pageSize, max 1000 (the default is 100)
XERO_PAYROLL_PAGE = 100  # payroll lists: 100 per page, fixed
QBT_PAGE = 200
QBT_BATCH = 50

QBT_LISTS = (
    "users",
    "jobcodes",
    "customfields",
    "customfielditems",
    "locations",
    "jobcode_assignments",
)


def pages(n: int, size: int) -> int:
    """Pages of a list that says how many pages it has (or ``more``): an empty list is 1."""
    return max(1, math.ceil(n / size))


def pages_unpaged(n: int, size: int) -> int:
    """Pages of a list with no paging block (Xero AU payroll): read until a short page, so
    a last page that is full needs one more, empty, page to be told from a middle one."""
    return n // size + 1


def batches(n: int) -> int:
    return math.ceil(n / QBT_BATCH) if n else 0


# ---------------------------------------------------------------------------- our side
_XERO_PREFIXES = ("api.xro/2.0/", "payroll.xro/1.0/", "payroll.xro/2.0/")


def endpoint_key(method: str, url: str) -> str:
    """``"xero GET Contacts"``, ``"qbt POST jobcodes"``, ``"xero POST token"``… (ids dropped)."""
    path = urlsplit(url).path.lstrip("/")
    if "/api/v1/" in "/" + path:
        name = path.split("api/v1/", 1)[1].split("/", 1)[0]
        return f"qbt {method} {name}"
    for prefix in _XERO_PREFIXES:
        if prefix in path:
            rest = path.split(prefix, 1)[1]
            return f"xero {method} {rest.split('/', 1)[0]}"
    last = re.sub(r"[0-9a-fA-F-]{16,}", "{id}", path).rsplit("/", 1)[-1]
    return f"xero {method} {last or path}"


class Tally:
    """Every HTTP request this process sends, by ``endpoint_key``."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        #: every request answered, in order: (method, url, status)
        self.sent: list[tuple[str, str, int]] = []
        self._original: Any = None

    def __enter__(self) -> Tally:
        import requests.adapters

        original = requests.adapters.HTTPAdapter.send
        counts, sent = self.counts, self.sent

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            counts[endpoint_key(request.method, request.url)] += 1
            answer = original(adapter, request, *args, **kwargs)
            sent.append((request.method, request.url, answer.status_code))
            return answer

        self._original = original
        requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        import requests.adapters

        requests.adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]


# ---------------------------------------------------------------------------- the data
def org_of(data: Mapping[str, Any]) -> dict[str, Any]:
    return data["xero"]["organisations"][0]


def _payroll(org: Mapping[str, Any]) -> tuple[str, list[Any], list[Any]]:
    version = (org.get("Organisation") or {}).get("Version") or ""
    payroll = org.get("payroll") or {}
    employees = payroll.get("Employees") or payroll.get("employees") or []
    leave = payroll.get("LeaveTypes") or payroll.get("leaveTypes") or []
    return str(version).upper(), list(employees), list(leave)


def xero_whole_read(data: Mapping[str, Any]) -> dict[str, int]:
    """Every Xero list the import needs, read whole."""
    org = org_of(data)
    version, employees, leave = _payroll(org)
    floor = {
        "xero GET Organisation": 1,
        "xero GET Contacts": pages(len(org["Contacts"]), XERO_CONTACTS_PAGE),
        "xero GET Items": 1,  # not paged
        "xero GET TrackingCategories": 1,  # not paged
    }
    if version == "AU":
        floor["xero GET Employees"] = pages_unpaged(len(employees), XERO_PAYROLL_PAGE)
        floor["xero GET PayItems"] = 1  # leave types are in the pay items, one call
    elif version in ("UK", "NZ"):
        floor["xero GET Employees"] = pages(len(employees), XERO_PAYROLL_PAGE)
        floor["xero GET LeaveTypes"] = pages(len(leave), XERO_PAYROLL_PAGE)
    return floor


def qbt_whole_read(qbt: Mapping[str, Any]) -> dict[str, int]:
    """Every QuickBooks Time list the import needs, read whole (custom field items: the API
    requires one custom field per read)."""
    floor = {
        f"qbt GET {name}": pages(len(qbt.get(name) or []), QBT_PAGE)
        for name in QBT_LISTS
        if name != "customfielditems"
    }
    per_field = Counter(i["customfield_id"] for i in qbt.get("customfielditems") or [])
    floor["qbt GET customfielditems"] = sum(
        pages(per_field.get(f["id"], 0), QBT_PAGE) for f in qbt.get("customfields") or []
    )
    return {k: v for k, v in floor.items() if v}


# ---------------------------------------------------------------------------- writes
#: fields a write never sets: the service keeps them, or they follow from other writes
_DERIVED = {
    "jobcodes": {"last_modified", "created", "locations", "has_children"},
    "users": {"last_modified", "created", "pto_balances", "last_active", "submitted_to"},
    "customfields": {"last_modified", "created"},
    "customfielditems": {"last_modified", "created"},
    "locations": {"last_modified", "created", "formatted_address", "geocoding_status"},
}


def qbt_changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, dict[str, list[Any]]]:
    """Per QuickBooks Time list: records created and records changed by a write (what a
    write sent), side effects of other writes left out."""
    out: dict[str, dict[str, list[Any]]] = {}
    for name in QBT_LISTS:
        old = {r["id"]: r for r in before.get(name) or []}
        new = {r["id"]: r for r in after.get(name) or []}
        created = [r for i, r in new.items() if i not in old]
        changed = []
        if name == "jobcode_assignments":
            created = [r for r in created if r.get("user_id")]  # user 0: assigned_to_all
        else:
            derived = _DERIVED.get(name, {"last_modified"})
            for i, r in new.items():
                prev = old.get(i)
                if prev is None:
                    continue
                keys = (set(r) | set(prev)) - derived
                diff = {k for k in keys if r.get(k) != prev.get(k)}
                if name == "jobcodes":
                    diff = _jobcode_write(diff, r, new)
                if diff:
                    changed.append(r)
        out[name] = {"created": created, "changed": changed}
    return out


def _jobcode_write(diff: set[str], job: Mapping[str, Any], jobs: Mapping[Any, Any]) -> set[str]:
    """What of a jobcode's change a write must have sent: an archive cascades from an
    archived ancestor (with ``assigned_to_all``, required fields and filtered items)."""
    cascade = {"active", "assigned_to_all", "required_customfields", "filtered_customfielditems"}
    if not diff or not diff <= cascade or job.get("active"):
        return diff
    parent = jobs.get(job.get("parent_id"))
    while parent is not None:
        if not parent.get("active"):
            return set()
        parent = jobs.get(parent.get("parent_id"))
    return diff


def qbt_writes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int]:
    """Write batches of 50 for what changed: ``{"qbt POST jobcodes": n, ...}``."""
    floor: dict[str, int] = {}
    for name, change in qbt_changes(before, after).items():
        if change["created"]:
            floor[f"qbt POST {name}"] = batches(len(change["created"]))
        if change["changed"]:
            floor[f"qbt PUT {name}"] = batches(len(change["changed"]))
    return floor


def qbt_changed_since(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int]:
    """Incremental reads (``modified_since``) of the lists someone changed between two
    states: one ``last_modified_timestamps`` call, then the pages of each changed list
    (custom field items: per field)."""
    floor = {"qbt GET last_modified_timestamps": 1}
    for name in QBT_LISTS:
        old = {r["id"]: r for r in before.get(name) or []}
        moved = [
            r
            for r in after.get(name) or []
            if r["id"] not in old or old[r["id"]].get("last_modified") != r.get("last_modified")
        ]
        if not moved:
            continue
        if name == "customfielditems":
            per_field = Counter(r["customfield_id"] for r in moved)
            floor[f"qbt GET {name}"] = sum(pages(n, QBT_PAGE) for n in per_field.values())
        else:
            floor[f"qbt GET {name}"] = pages(len(moved), QBT_PAGE)
    return floor


def merge(*parts: Mapping[str, int]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for part in parts:
        out.update(part)
    return dict(out)


def table(floor: Mapping[str, int], ours: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """(endpoint, floor, ours) for every endpoint either side names, in a stable order."""
    keys = sorted(set(floor) | set(ours), key=lambda k: (k.split()[0], k.split()[2], k))
    return [(k, int(floor.get(k, 0)), int(ours.get(k, 0))) for k in keys]


def render(rows: Iterable[tuple[str, int, int]]) -> str:
    rows = list(rows)
    width = max([len("endpoint"), *(len(r[0]) for r in rows)])
    lines = [f"{'endpoint':<{width}}  floor   ours", f"{'-' * width}  -----  -----"]
    lines += [f"{k:<{width}}  {f:>5}  {o:>5}" for k, f, o in rows]
    total_f = sum(r[1] for r in rows)
    total_o = sum(r[2] for r in rows)
    lines.append(f"{'total':<{width}}  {total_f:>5}  {total_o:>5}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- payroll export
def _day(value: Any) -> str:
    """An ISO day from Xero's /Date(ms)/ or ISO forms ("" when none)."""
    text = str(value or "")
    match = re.match(r"/Date\((-?\d+)", text)
    if match:
        import datetime as _dt

        return _dt.datetime.fromtimestamp(int(match.group(1)) / 1000, _dt.UTC).date().isoformat()
    return text[:10]


def _overlaps(
    rows: Iterable[Mapping[str, Any]], start: str, end: str, keys: tuple[str, str]
) -> int:
    return sum(1 for r in rows if _day(r.get(keys[0])) <= end and _day(r.get(keys[1])) >= start)


def payroll_floor(
    org_before: Mapping[str, Any],
    org_after: Mapping[str, Any],
    qbt: Mapping[str, Any],
    period: tuple[str, str],
    linked_employees: int,
    employee_links: Mapping[Any, str] | None = None,
) -> dict[str, int]:
    """One pay period's export (first time: nothing of ours in Xero yet), from the data:
    what each side must be read for (calendars, the timesheet tracking category, active
    employees, earnings rates and leave types, the timesheets and leave already in Xero for
    the period, QuickBooks Time's users and the period's hours, a day either side) and the
    writes of what Xero shows afterwards. AU payroll 1.0 takes arrays (timesheets and leave
    applications, 50 a call like the accounting API); NZ/UK 2.0 one timesheet (with its
    lines) or one leave per call, and leave is read per employee (no list of all). NZ/UK
    employees carry no earnings rate: each one's salary and wages are read (100 lines a
    page, no list of everyone's) for the linked employees (``employee_links``: QuickBooks
    Time user id -> Xero employee id) with approved hours in the period and a pay calendar."""
    start, end = period
    version = str((org_before.get("Organisation") or {}).get("Version") or "").upper()
    before, after = org_before.get("payroll") or {}, org_after.get("payroll") or {}
    from datetime import date, timedelta

    lo = (date.fromisoformat(start) - timedelta(days=1)).isoformat()
    hi = (date.fromisoformat(end) + timedelta(days=1)).isoformat()
    hours = sum(1 for t in qbt.get("timesheets") or [] if lo <= str(t.get("date") or "")[:10] <= hi)
    floor = {
        "qbt GET users": pages(len(qbt.get("users") or []), QBT_PAGE),
        "qbt GET timesheets": pages(hours, QBT_PAGE),
    }
    if version == "AU":
        active = [e for e in before.get("Employees") or [] if e.get("Status") == "ACTIVE"]
        sheets = _overlaps(before.get("Timesheets") or [], start, end, ("StartDate", "EndDate"))
        leave = _overlaps(
            before.get("LeaveApplications") or [], start, end, ("StartDate", "EndDate")
        )
        new_sheets = len(after.get("Timesheets") or []) - len(before.get("Timesheets") or [])
        new_leave = len(after.get("LeaveApplications") or []) - len(
            before.get("LeaveApplications") or []
        )
        floor |= {
            "xero GET PayrollCalendars": 1,
            "xero GET Settings": 1,
            "xero GET Employees": pages_unpaged(len(active), XERO_PAYROLL_PAGE),
            "xero GET PayItems": 1,
            "xero GET Timesheets": pages_unpaged(sheets, XERO_PAYROLL_PAGE),
            "xero GET LeaveApplications": pages_unpaged(leave, XERO_PAYROLL_PAGE),
        }
        if new_sheets:
            floor["xero POST Timesheets"] = math.ceil(new_sheets / 50)
        if new_leave:
            floor["xero POST LeaveApplications"] = math.ceil(new_leave / 50)
        return floor
    sheets = _overlaps(before.get("Timesheets") or [], start, end, ("startDate", "endDate"))
    new_sheets = len(after.get("Timesheets") or []) - len(before.get("Timesheets") or [])
    new_leave = len(after.get("EmployeeLeave") or []) - len(before.get("EmployeeLeave") or [])
    wages = sum(
        pages(len((before.get("SalaryAndWages") or {}).get(emp) or []), XERO_PAYROLL_PAGE)
        for emp in _v2_with_hours(before, qbt, period, employee_links or {})
    )
    floor |= {
        "xero GET PayRunCalendars": pages(
            len(before.get("PayRunCalendars") or []), XERO_PAYROLL_PAGE
        ),
        "xero GET Settings": 1,
        # the list of employees, then each linked one's leave (no list of everyone's), and
        # the salary and wages of those with hours to send
        "xero GET Employees": pages(len(before.get("Employees") or []), XERO_PAYROLL_PAGE)
        + linked_employees
        + wages,
        "xero GET EarningsRates": pages(len(before.get("EarningsRates") or []), XERO_PAYROLL_PAGE),
        "xero GET LeaveTypes": pages(len(before.get("LeaveTypes") or []), XERO_PAYROLL_PAGE),
        # the period's timesheets, then each for its lines
        "xero GET Timesheets": pages(sheets, XERO_PAYROLL_PAGE) + sheets,
    }
    if new_sheets:
        floor["xero POST Timesheets"] = new_sheets
    if new_leave:
        floor["xero POST Employees"] = new_leave
    return floor


def _v2_with_hours(
    payroll: Mapping[str, Any],
    qbt: Mapping[str, Any],
    period: tuple[str, str],
    links: Mapping[Any, str],
) -> set[str]:
    """The NZ/UK employees (ids as Xero writes them) linked to a QuickBooks Time user with
    approved work (not time off, not a break, not on the clock) dated in ``period``, who
    have a pay calendar: those whose earnings rate an export must know."""
    start, end = period
    off = {
        j["id"]
        for j in qbt.get("jobcodes") or []
        if j.get("type") in ("pto", "unpaid_time_off", "unpaid_break")
    }
    approved = {u["id"]: str(u.get("approved_to") or "") for u in qbt.get("users") or []}
    by_id = {str(e.get("employeeID", "")).lower(): e for e in payroll.get("Employees") or []}
    out: set[str] = set()
    for sheet in qbt.get("timesheets") or []:
        day = str(sheet.get("date") or "")[:10]
        user = sheet.get("user_id")
        emp = by_id.get(str(links.get(user) or links.get(str(user)) or "").lower())
        if (
            emp is None
            or not emp.get("payrollCalendarID")
            or sheet.get("on_the_clock")
            or sheet.get("jobcode_id") in off
            or not start <= day <= end
            or day > approved.get(user, "")
        ):
            continue
        out.add(emp["employeeID"])
    return out


# ---------------------------------------------------------------------------- billing run
def invoicing_floor(
    org_before: Mapping[str, Any],
    org_after: Mapping[str, Any],
    qbt: Mapping[str, Any],
    period: tuple[str, str],
    customer_links: Mapping[str, int],
) -> dict[str, int]:
    """One billing run over ``period`` (first time: no invoice of ours yet), from the data:
    whether QuickBooks Time's jobs and fields changed since the import (one
    last_modified_timestamps), the organisation (its currency), the contacts of the linked
    customers that have hours in the range (archived ones are reported, not billed; 50 ids a
    call), items and tracking categories (one call each), the range's hours (shifts still on
    the clock too: reported, not billed; they come in the same pages, ``on_the_clock=both``)
    and their people (200 ids a call: one page each), and the new invoices, 50 a call."""
    start, end = period
    jobs = {j["id"]: j for j in qbt.get("jobcodes") or []}
    linked = {qbt_id: xero_id for xero_id, qbt_id in customer_links.items()}
    contacts: set[str] = set()
    hours = 0
    people: set[Any] = set()
    for sheet in qbt.get("timesheets") or []:
        if not start <= str(sheet.get("date") or "")[:10] <= end:
            continue
        job = jobs.get(sheet.get("jobcode_id"))
        if job is None or job.get("type") != "regular":
            continue
        hours += 1
        people.add(sheet.get("user_id"))
        if sheet.get("on_the_clock"):
            continue  # (not billed: its customer's contact is not read for it)
        while job is not None:
            if job["id"] in linked:
                contacts.add(linked[job["id"]])
                break
            job = jobs.get(job.get("parent_id"))
    new = len(org_after.get("Invoices") or []) - len(org_before.get("Invoices") or [])
    floor = {
        "qbt GET last_modified_timestamps": 1,
        "xero GET Organisation": 1,
        "xero GET Contacts": math.ceil(len(contacts) / 50),
        "xero GET Items": 1,
        "xero GET TrackingCategories": 1,
        "qbt GET timesheets": pages(hours, QBT_PAGE),
        "qbt GET users": math.ceil(len(people) / QBT_PAGE),
    }
    if new:
        floor["xero PUT Invoices"] = math.ceil(new / 50)
    return {k: v for k, v in floor.items() if v}
