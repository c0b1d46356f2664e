"""The Demo Company's Xero payroll hours: pay calendars, earnings rates, timesheets and leave.

AU payroll 1.0 (``/payroll.xro/1.0``: ``PayrollCalendars``, ``Timesheets``,
``LeaveApplications``) and NZ/UK payroll 2.0 (``/payroll.xro/2.0``: ``PayRunCalendars``,
``EarningsRates``, ``Timesheets`` with lines, ``Employees/{id}/Leave``,
``Employees/{id}/SalaryAndWages``), strict from the specs
(shared/specs/xero/xero-payroll-{au,uk,nz}.yaml) and references §4.4. The rules:

- A timesheet covers exactly one of the employee's pay-calendar periods, else Xero answers
  "Provided period doesn't correspond with a pay period" (references §4.4, xero-php#371).
  An employee without a payroll calendar cannot have one.
- AU: ``POST /Timesheets`` takes a JSON array; each line holds one ``NumberOfUnits`` value per
  day of the period. There is no DELETE (spec). NZ/UK: one timesheet object, lines per date;
  lines and timesheets can be deleted.
- AU: an update (``POST /Timesheets/{id}``, or ``POST /Timesheets`` naming a ``TimesheetID``)
  whose ``TimesheetLines`` is empty or missing keeps the lines the timesheet holds. Nothing we
  could read says Xero clears them then (the spec only defines the array), so the simulator
  takes the stricter reading: a draft is emptied by sending each of its lines with zero units.
- Only a draft can change (AU ``DRAFT``; NZ/UK ``Draft``): updating, adding or deleting lines
  of a timesheet in any other status is refused. A second timesheet for the same employee and
  period is refused too (the existing one is to be updated).
- A line on an earnings rate that is not current (``CurrentRecord``/``currentRecord`` false)
  is refused; so is leave of an unpaid leave type (references: qbtime-api.md §8, peers'
  "Validation Exception ... unpaid leave").
- NZ/UK ``GET /Employees/{id}/SalaryAndWages`` lists the employee's salary and wages rows
  (``SalaryAndWage``: ``earningsRateID``, ``paymentType`` Hourly or Salary, ``status``
  Active/Pending/History, ``effectiveFrom``), paged like the other 2.0 lists. Whether Xero
  refuses a timesheet line on an earnings rate the employee is not paid (none of their salary
  and wages rows, nor their pay template) is not said by the specs nor the references (one
  integrator's help page says so for pay templates, without naming the API version or the
  message): the simulator does not refuse it.
- Leave in a posted pay run (AU period ``PROCESSED``, NZ/UK ``Completed``) cannot be changed
  or deleted. AU has no DELETE for leave: ``POST /LeaveApplications/{id}/reject`` rejects a
  ``REQUESTED`` or ``SCHEDULED`` application (its periods become ``REJECTED``) and ``/approve``
  approves a ``REQUESTED`` one (Xero-OpenAPI #559: "reject allows for rejection of REQUESTED
  or SCHEDULED leave applications", "approve ... of REQUESTED"); ``GET /LeaveApplications``
  lists neither requested nor rejected ones, ``GET /LeaveApplications/v2`` lists all (same
  PR), and a rejected application cannot be updated.

The wording of Xero's messages other than the pay-period one is not documented in anything we
could read; the sentences below are chosen and kept short. Errors come in each API's shape:
AU ``ValidationException`` with the rejected elements and their ``ValidationErrors``; NZ/UK
the ``Problem`` body with ``invalidFields``.
"""

from __future__ import annotations

import calendar
import copy
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from core.sandbox.common import iso_utc, json_response, ms_date, parse_ms_date

PERIOD_MISMATCH = "Provided period doesn't correspond with a pay period"
NOT_DRAFT = "The timesheet is not a draft and cannot be changed."
TIMESHEET_EXISTS = "A timesheet already exists for this employee and pay period."
NO_CALENDAR = "The employee does not have a payroll calendar."
#: NZ/UK EmployeeLeave: ``description`` is required, "(max length = 50)" (both specs)
LEAVE_DESCRIPTION_MAX = 50
LEAVE_DESCRIPTION_REQUIRED = "The description of the leave is required."
LEAVE_DESCRIPTION_TOO_LONG = "The description of the leave must be 50 characters or fewer."
EMPLOYEE_NOT_FOUND = "The employee could not be found."
RATE_NOT_FOUND = "The earnings rate could not be found."
RATE_INACTIVE = "The earnings rate is no longer active."
UNITS_PER_DAY = "NumberOfUnits must have one value per day of the timesheet period ({days})."
UNITS_NEGATIVE = "The number of units cannot be negative."
LEAVE_TYPE_NOT_FOUND = "The leave type could not be found."
LEAVE_TYPE_INACTIVE = "The leave type is no longer active."
LEAVE_UNPAID = "Unpaid leave cannot be recorded through the API."
DATES_ORDER = "The end date must be on or after the start date."
DATE_OUTSIDE = "The date must be within the timesheet period."
STATUS_CREATE = "A timesheet can only be created as a draft."
TRACKING_NOT_FOUND = "The tracking item could not be found."
LEAVE_PROCESSED = "The leave has been processed in a pay run and cannot be changed."
LEAVE_REJECTED = "The leave application has been rejected and cannot be changed."
LEAVE_NOT_REQUESTED = "Only a requested leave application can be approved."

AU_STEPS = {"WEEKLY": 7, "FORTNIGHTLY": 14, "FOURWEEKLY": 28}
AU_TIMESHEET_STATUSES = ("DRAFT", "PROCESSED", "APPROVED", "REJECTED", "REQUESTED")
GUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
#: AU leave period statuses Xero's GET /LeaveApplications (1.0) leaves out (the v2 list has them)
AU_LEAVE_HIDDEN = frozenset({"REQUESTED", "REJECTED"})
HOURS_PER_DAY = 7.6  # AU ordinary day when a leave application gives no units (38-hour week)


# =========================================================================== dates
#: a payroll date as Xero reads one: ``YYYY-MM-DD``, optionally with a time of day
#: (``T00:00:00``, seconds' fractions and a zone allowed). Anything after the date must be a
#: time: "2026-12-07junk" is not a date (the specs: ``format: date``, "YYYY-MM-DD").
_PAYROLL_DAY = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_day(value: Any) -> date | None:
    """``/Date(ms+0000)/``, ``YYYY-MM-DD`` or ``YYYY-MM-DDT00:00:00`` as a date; None for
    anything else (trailing text included) or an impossible date or time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if text.startswith("/Date("):
            return datetime.fromtimestamp(parse_ms_date(text), UTC).date()
        if _PAYROLL_DAY.fullmatch(text) is None:
            return None
        # (with a time, it is read too: T25:00 is no time; the date is the one written)
        return datetime.fromisoformat(text).date() if len(text) > 10 else date.fromisoformat(text)
    except (ValueError, OverflowError):
        return None


def _ts(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def au_date(day: date) -> str:
    return ms_date(_ts(day))


def v2_date(day: date) -> str:
    return iso_utc(_ts(day))


def _add_months(day: date, months: int, anchor_day: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def period_containing(ctype: str, anchor: date, day: date) -> tuple[date, date] | None:
    """The calendar period (start, end) holding ``day``; ``anchor`` starts a period."""
    kind = ctype.upper()
    step = AU_STEPS.get(kind)
    if step:
        start = anchor + timedelta(days=(day - anchor).days // step * step)
        return start, start + timedelta(days=step - 1)
    months = {"MONTHLY": 1, "QUARTERLY": 3}.get(kind)
    if months:
        start = _add_months(
            anchor,
            ((day.year - anchor.year) * 12 + day.month - anchor.month) // months * months,
            anchor.day,
        )
        if start > day:
            start = _add_months(start, -months, anchor.day)
        end = _add_months(start, months, anchor.day) - timedelta(days=1)
        return start, end
    return None  # TWICEMONTHLY, Annual: not used by the Demo Company; no period matches


def is_period(ctype: str, anchor: date, start: date, end: date) -> bool:
    return period_containing(ctype, anchor, start) == (start, end)


def shift_payroll_dates(org: dict[str, Any], days: int) -> None:
    """Move an organisation's timesheets and leave by ``days`` (a multiple of 14).

    The calendars stay: whole fortnights keep weekly and fortnightly periods aligned.
    """
    if not days:
        return
    payroll = org.get("payroll") or {}

    def au(value: Any) -> Any:
        day = parse_day(value)
        return au_date(day + timedelta(days=days)) if day else value

    def v2(value: Any) -> Any:
        day = parse_day(value)
        return v2_date(day + timedelta(days=days)) if day else value

    for ts in payroll.get("Timesheets", []):
        if "TimesheetID" in ts:
            ts["StartDate"], ts["EndDate"] = au(ts.get("StartDate")), au(ts.get("EndDate"))
        else:
            ts["startDate"], ts["endDate"] = v2(ts.get("startDate")), v2(ts.get("endDate"))
            for line in ts.get("timesheetLines") or []:
                line["date"] = v2(line.get("date"))
    for leave in payroll.get("LeaveApplications", []):
        leave["StartDate"], leave["EndDate"] = au(leave.get("StartDate")), au(leave.get("EndDate"))
        for p in leave.get("LeavePeriods") or []:
            p["PayPeriodStartDate"] = au(p.get("PayPeriodStartDate"))
            p["PayPeriodEndDate"] = au(p.get("PayPeriodEndDate"))
    for records in (payroll.get("EmployeeLeave") or {}).values():
        for leave in records:
            leave["startDate"], leave["endDate"] = (
                v2(leave.get("startDate")),
                v2(leave.get("endDate")),
            )
            for p in leave.get("periods") or []:
                p["periodStartDate"] = v2(p.get("periodStartDate"))
                p["periodEndDate"] = v2(p.get("periodEndDate"))


def timesheet_category_id(payroll: dict[str, Any]) -> str:
    """The tracking category set as the timesheet category in the payroll settings: AU
    ``Settings.TrackingCategories.TimesheetCategories.TrackingCategoryID``, NZ/UK
    ``trackingCategories.timesheetTrackingCategoryID`` (empty when none is set)."""
    settings = payroll.get("Settings") or {}
    au = ((settings.get("TrackingCategories") or {}).get("TimesheetCategories")) or {}
    v2 = settings.get("trackingCategories") or {}
    return str(au.get("TrackingCategoryID") or v2.get("timesheetTrackingCategoryID") or "")


def timesheet_options(org: dict[str, Any]) -> set[str]:
    """The option ids a timesheet line may carry: those of the timesheet category only."""
    cat_id = timesheet_category_id(org.get("payroll") or {}).lower()
    if not cat_id:
        return set()
    return {
        str(o.get("TrackingOptionID", "")).lower()
        for c in org.get("TrackingCategories", [])
        if str(c.get("TrackingCategoryID", "")).lower() == cat_id
        for o in c.get("Options", [])
    }


def _same_id(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower()


def _find(records: list[dict[str, Any]], key: str, ident: Any) -> dict[str, Any] | None:
    for record in records:
        if _same_id(record.get(key), ident):
            return record
    return None


def _problem2(
    status: int, title: str, detail: str, invalid: list[dict[str, str]] | None = None
) -> Response:
    body: dict[str, Any] = {
        "type": "application/problem+json",
        "title": title,
        "status": str(status),
        "detail": detail,
        "instance": str(uuid.uuid4()),
    }
    if invalid:
        body["invalidFields"] = invalid
    return json_response(body, status=status)


def _bad2(name: str, reason: str) -> Response:
    return _problem2(
        400, "BadRequest", "Validation error occurred.", [{"name": name, "reason": reason}]
    )


def _not_found2() -> Response:
    return _problem2(404, "NotFound", "Resource was not found")


class _Fail(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("payroll request refused")
        self.response = response


def _json_body(request: Request, fail: Callable[[str], Response]) -> Any:
    if "json" not in (request.mimetype or "").lower():
        raise _Fail(fail("The request body is not valid: expected Content-Type: application/json"))
    try:
        return json.loads(request.get_data(cache=True) or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _Fail(fail("The request body is not valid JSON.")) from None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


# =========================================================================== AU 1.0
class AuPayroll:
    """AU payroll 1.0 hours. ``org`` is the live organisation (mutated under the store lock)."""

    def __init__(
        self,
        now: Callable[[], float],
        envelope: Callable[[], dict[str, Any]],
        respond: Callable[[Request, dict[str, Any], int], Response],
    ) -> None:
        self.now = now
        self.envelope = envelope
        self.respond = respond

    def _validation(self, request: Request, key: str, elements: list[dict[str, Any]]) -> Response:
        body = {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        }
        del key
        return self.respond(request, body, 400)

    def _plain(self, request: Request, message: str) -> Response:
        return self.respond(
            request, {"ErrorNumber": 10, "Type": "ValidationException", "Message": message}, 400
        )

    # -- calendars
    def calendar(self, request: Request, payroll: dict[str, Any], ident: str) -> Response:
        """``GET /PayrollCalendars/{id}``. The list (``where``, ``order``, ``page``,
        If-Modified-Since) is answered by the API's common AU list code (XeroApi._au_list)."""
        found = _find(payroll.get("PayrollCalendars", []), "PayrollCalendarID", ident)
        if found is None:
            return Response(
                "The resource you're looking for cannot be found",
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        payload = self.envelope()
        payload["PayrollCalendars"] = [copy.deepcopy(found)]
        return self.respond(request, payload, 200)

    def _employee_period_ok(
        self, payroll: dict[str, Any], emp: dict[str, Any], start: date, end: date
    ) -> str | None:
        cal = _find(
            payroll.get("PayrollCalendars", []), "PayrollCalendarID", emp.get("PayrollCalendarID")
        )
        if cal is None:
            return NO_CALENDAR
        anchor = parse_day(cal.get("StartDate"))
        if anchor is None or not is_period(str(cal.get("CalendarType", "")), anchor, start, end):
            return PERIOD_MISMATCH
        return None

    def _lines(
        self, payroll: dict[str, Any], org: dict[str, Any], lines: Any, days: int, errors: list[str]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if lines is None:
            return out
        if not isinstance(lines, list):
            errors.append("TimesheetLines must be a list.")
            return out
        options = timesheet_options(org)
        for line in lines:
            if not isinstance(line, dict):
                errors.append("A timesheet line is not an object.")
                continue
            rate = _find(
                payroll.get("EarningsRates", []), "EarningsRateID", line.get("EarningsRateID")
            )
            if rate is None:
                errors.append(RATE_NOT_FOUND)
                continue
            if rate.get("CurrentRecord") is False:
                errors.append(RATE_INACTIVE)
                continue
            tracking = line.get("TrackingItemID")
            if tracking not in (None, "") and str(tracking).lower() not in options:
                errors.append(TRACKING_NOT_FOUND)
                continue
            units = line.get("NumberOfUnits")
            values = [_number(v) for v in units] if isinstance(units, list) else None
            if values is None or len(values) != days or any(v is None for v in values):
                errors.append(UNITS_PER_DAY.format(days=days))
                continue
            if any(v is not None and v < 0 for v in values):
                errors.append(UNITS_NEGATIVE)
                continue
            row: dict[str, Any] = {"EarningsRateID": rate["EarningsRateID"]}
            if tracking:
                row["TrackingItemID"] = str(tracking)
            row["NumberOfUnits"] = [round(float(v or 0), 4) for v in values]
            out.append(row)
        return out

    def post_timesheets(self, request: Request, org: dict[str, Any], ident: str | None) -> Response:
        payroll = org.setdefault("payroll", {})
        sheets = payroll.setdefault("Timesheets", [])
        try:
            data = _json_body(request, lambda m: self._plain(request, m))
        except _Fail as exc:
            return exc.response
        if isinstance(data, dict) and isinstance(data.get("Timesheets"), list):
            data = data["Timesheets"]
        if not isinstance(data, list) or not data:
            return self._plain(request, "The request body must be a list of timesheets.")
        target = None
        if ident is not None:
            target = _find(sheets, "TimesheetID", ident)
            if target is None:
                return Response(
                    "The resource you're looking for cannot be found",
                    status=404,
                    content_type="text/plain; charset=utf-8",
                )
            if len(data) != 1:
                return self._plain(request, "Exactly one timesheet can be updated by id.")
        planned: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        failed: list[dict[str, Any]] = []
        now = self.now()
        for element in data:
            errors: list[str] = []
            row = self._check_timesheet(payroll, org, element, target, sheets, planned, errors)
            if errors:
                echo = dict(element) if isinstance(element, dict) else {}
                echo["ValidationErrors"] = [{"Message": m} for m in errors]
                failed.append(echo)
            elif row is not None:
                planned.append(
                    (
                        target
                        if target is not None
                        else _find(sheets, "TimesheetID", row.get("TimesheetID")),
                        row,
                    )
                )
        if failed:
            return self._validation(request, "Timesheets", failed)
        stamp = ms_date(now)
        answer = []
        for existing, row in planned:
            for line in row["TimesheetLines"]:
                line["UpdatedDateUTC"] = stamp
            row["Hours"] = round(sum(sum(x["NumberOfUnits"]) for x in row["TimesheetLines"]), 4)
            row["UpdatedDateUTC"] = stamp
            if existing is None:
                sheets.append(row)
            else:
                existing.clear()
                existing.update(row)
            answer.append(copy.deepcopy(row))
        payload = self.envelope()
        payload["Timesheets"] = answer
        return self.respond(request, payload, 200)

    def _check_timesheet(
        self,
        payroll: dict[str, Any],
        org: dict[str, Any],
        element: Any,
        target: dict[str, Any] | None,
        sheets: list[dict[str, Any]],
        planned: list[tuple[dict[str, Any] | None, dict[str, Any]]],
        errors: list[str],
    ) -> dict[str, Any] | None:
        if not isinstance(element, dict):
            errors.append("A timesheet is not an object.")
            return None
        if target is None and element.get("TimesheetID"):
            target = _find(sheets, "TimesheetID", element.get("TimesheetID"))
            if target is None:
                errors.append("The timesheet could not be found.")
                return None
        emp = _find(payroll.get("Employees", []), "EmployeeID", element.get("EmployeeID"))
        start, end = parse_day(element.get("StartDate")), parse_day(element.get("EndDate"))
        if emp is None:
            errors.append(
                EMPLOYEE_NOT_FOUND if element.get("EmployeeID") else "EmployeeID is required."
            )
        if start is None or end is None:
            errors.append("StartDate and EndDate are required.")
        if errors or emp is None or start is None or end is None:
            return None
        if end < start:
            errors.append(DATES_ORDER)
            return None
        status = str(element.get("Status") or "DRAFT").upper()
        if target is not None:
            if target.get("Status") != "DRAFT":
                errors.append(NOT_DRAFT)
                return None
            if not (
                _same_id(target.get("EmployeeID"), emp["EmployeeID"])
                and parse_day(target.get("StartDate")) == start
                and parse_day(target.get("EndDate")) == end
            ):
                errors.append("The employee and period of a timesheet cannot be changed.")
                return None
            if status not in ("DRAFT", "APPROVED"):
                errors.append(f"The status {status} cannot be set through the API.")
                return None
        elif status != "DRAFT":
            errors.append(STATUS_CREATE)
            return None
        problem = self._employee_period_ok(payroll, emp, start, end)
        if problem:
            errors.append(problem)
            return None
        if target is None:
            for other in [s for s in sheets] + [row for _, row in planned]:
                if (
                    _same_id(other.get("EmployeeID"), emp["EmployeeID"])
                    and parse_day(other.get("StartDate")) == start
                ):
                    errors.append(NOT_DRAFT if other.get("Status") != "DRAFT" else TIMESHEET_EXISTS)
                    return None
        raw_lines = element.get("TimesheetLines")
        lines = self._lines(payroll, org, raw_lines, (end - start).days + 1, errors)
        if errors:
            return None
        if target is not None and not raw_lines:
            # an update without lines keeps the ones held (see the module docstring)
            lines = [
                {k: copy.deepcopy(v) for k, v in line.items() if k != "UpdatedDateUTC"}
                for line in target.get("TimesheetLines") or []
            ]
        return {
            "TimesheetID": target["TimesheetID"] if target else str(uuid.uuid4()),
            "EmployeeID": emp["EmployeeID"],
            "StartDate": au_date(start),
            "EndDate": au_date(end),
            "Status": status,
            "Hours": 0.0,
            "TimesheetLines": lines,
            "UpdatedDateUTC": "",
        }

    # -- leave applications
    def post_leave(self, request: Request, org: dict[str, Any], ident: str | None) -> Response:
        payroll = org.setdefault("payroll", {})
        apps = payroll.setdefault("LeaveApplications", [])
        try:
            data = _json_body(request, lambda m: self._plain(request, m))
        except _Fail as exc:
            return exc.response
        if isinstance(data, dict) and isinstance(data.get("LeaveApplications"), list):
            data = data["LeaveApplications"]
        if not isinstance(data, list) or not data:
            return self._plain(request, "The request body must be a list of leave applications.")
        target = None
        if ident is not None:
            target = _find(apps, "LeaveApplicationID", ident)
            if target is None or len(data) != 1:
                return Response(
                    "The resource you're looking for cannot be found",
                    status=404,
                    content_type="text/plain; charset=utf-8",
                )
        if target is not None:
            states = au_leave_states(target)
            if "PROCESSED" in states or "REJECTED" in states:
                echo = dict(data[0]) if isinstance(data[0], dict) else {}
                echo["ValidationErrors"] = [
                    {"Message": LEAVE_PROCESSED if "PROCESSED" in states else LEAVE_REJECTED}
                ]
                return self._validation(request, "LeaveApplications", [echo])
        rows, failed = [], []
        for element in data:
            errors: list[str] = []
            row = self._check_leave(payroll, element, errors)
            if errors or row is None:
                echo = dict(element) if isinstance(element, dict) else {}
                echo["ValidationErrors"] = [{"Message": m} for m in errors]
                failed.append(echo)
            else:
                rows.append(row)
        if failed:
            return self._validation(request, "LeaveApplications", failed)
        stamp = ms_date(self.now())
        answer = []
        for row in rows:
            row["UpdatedDateUTC"] = stamp
            if target is not None:
                row["LeaveApplicationID"] = target["LeaveApplicationID"]
                target.clear()
                target.update(row)
            else:
                apps.append(row)
            answer.append(copy.deepcopy(row))
        payload = self.envelope()
        payload["LeaveApplications"] = answer
        return self.respond(request, payload, 200)

    def leave_status(
        self, request: Request, org: dict[str, Any], ident: str, action: str
    ) -> Response:
        """``POST /LeaveApplications/{id}/reject`` (a ``REQUESTED`` or ``SCHEDULED``
        application: its periods become ``REJECTED``) or ``/approve`` (``REQUESTED`` ->
        ``SCHEDULED``). No body."""
        payroll = org.setdefault("payroll", {})
        target = _find(payroll.get("LeaveApplications", []), "LeaveApplicationID", ident)
        if target is None:
            return Response(
                "The resource you're looking for cannot be found",
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        states = au_leave_states(target)
        allowed = {"REQUESTED", "SCHEDULED"} if action == "reject" else {"REQUESTED"}
        if not states or not states <= allowed:
            message = (
                LEAVE_PROCESSED
                if "PROCESSED" in states
                else (LEAVE_REJECTED if "REJECTED" in states else LEAVE_NOT_REQUESTED)
            )
            echo = copy.deepcopy(target)
            echo["ValidationErrors"] = [{"Message": message}]
            return self._validation(request, "LeaveApplications", [echo])
        new = "REJECTED" if action == "reject" else "SCHEDULED"
        for period in target.get("LeavePeriods") or []:
            period["LeavePeriodStatus"] = new
        target["UpdatedDateUTC"] = ms_date(self.now())
        payload = self.envelope()
        payload["LeaveApplications"] = [copy.deepcopy(target)]
        return self.respond(request, payload, 200)

    def _check_leave(
        self, payroll: dict[str, Any], element: Any, errors: list[str]
    ) -> dict[str, Any] | None:
        if not isinstance(element, dict):
            errors.append("A leave application is not an object.")
            return None
        emp = _find(payroll.get("Employees", []), "EmployeeID", element.get("EmployeeID"))
        if emp is None:
            errors.append(EMPLOYEE_NOT_FOUND)
        ltype = _find(payroll.get("LeaveTypes", []), "LeaveTypeID", element.get("LeaveTypeID"))
        if ltype is None:
            errors.append(LEAVE_TYPE_NOT_FOUND)
        title = element.get("Title")
        if not isinstance(title, str) or not title.strip():
            errors.append("Title is required.")
            title = ""
        start, end = parse_day(element.get("StartDate")), parse_day(element.get("EndDate"))
        if start is None or end is None:
            errors.append("StartDate and EndDate are required.")
        if errors or emp is None or ltype is None or start is None or end is None:
            return None
        if end < start:
            errors.append(DATES_ORDER)
            return None
        if ltype.get("CurrentRecord") is False:
            errors.append(LEAVE_TYPE_INACTIVE)
            return None
        if not ltype.get("IsPaidLeave", True):
            errors.append(LEAVE_UNPAID)
            return None
        cal = _find(
            payroll.get("PayrollCalendars", []), "PayrollCalendarID", emp.get("PayrollCalendarID")
        )
        anchor = parse_day(cal.get("StartDate")) if cal else None
        if cal is None or anchor is None:
            errors.append(NO_CALENDAR)
            return None
        ctype = str(cal.get("CalendarType", ""))
        wanted = {}
        for p in element.get("LeavePeriods") or []:
            if not isinstance(p, dict):
                continue
            ps, pe = parse_day(p.get("PayPeriodStartDate")), parse_day(p.get("PayPeriodEndDate"))
            units = _number(p.get("NumberOfUnits"))
            if ps is None or pe is None or not is_period(ctype, anchor, ps, pe):
                errors.append(PERIOD_MISMATCH)
                return None
            if units is None or units < 0:
                errors.append(UNITS_NEGATIVE)
                return None
            wanted[ps] = units
        periods = []
        day = start
        while day <= end:
            found = period_containing(ctype, anchor, day)
            if found is None:
                errors.append(PERIOD_MISMATCH)
                return None
            ps, pe = found
            if ps in wanted:
                units = wanted.pop(ps)
            else:
                lo, hi = max(ps, start), min(pe, end)
                units = HOURS_PER_DAY * sum(
                    1 for i in range((hi - lo).days + 1) if (lo + timedelta(days=i)).weekday() < 5
                )
            periods.append(
                {
                    "PayPeriodStartDate": au_date(ps),
                    "PayPeriodEndDate": au_date(pe),
                    "LeavePeriodStatus": "SCHEDULED",
                    "NumberOfUnits": round(units, 4),
                }
            )
            day = pe + timedelta(days=1)
        if wanted:
            errors.append(PERIOD_MISMATCH)  # a period given outside the leave's dates
            return None
        row: dict[str, Any] = {
            "LeaveApplicationID": str(uuid.uuid4()),
            "EmployeeID": emp["EmployeeID"],
            "LeaveTypeID": ltype["LeaveTypeID"],
            "LeavePeriods": periods,
            "Title": title.strip(),
            "StartDate": au_date(start),
            "EndDate": au_date(end),
        }
        if isinstance(element.get("Description"), str):
            row["Description"] = element["Description"]
        row["UpdatedDateUTC"] = ""
        row["PayOutType"] = (
            element.get("PayOutType")
            if element.get("PayOutType") in ("DEFAULT", "CASHED_OUT")
            else "DEFAULT"
        )
        return row


# =========================================================================== NZ / UK 2.0
def _implied_wages(payroll: dict[str, Any], emp: dict[str, Any]) -> list[dict[str, Any]]:
    """The salary and wages an organisation file that gives none implies for ``emp``: one
    Active Hourly row on the organisation's first current regular-earnings rate, from the
    employee's start date (none when it has no such rate)."""
    rate = next(
        (
            r
            for r in payroll.get("EarningsRates", [])
            if r.get("earningsType") == "RegularEarnings" and r.get("currentRecord", True)
        ),
        None,
    )
    if rate is None:
        return []
    employee_id = str(emp["employeeID"])
    return [
        {
            "salaryAndWagesID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"wages:{employee_id}")),
            "earningsRateID": rate["earningsRateID"],
            "numberOfUnitsPerWeek": 0.0,
            "ratePerUnit": rate.get("ratePerUnit") or 0.0,
            "numberOfUnitsPerDay": 0.0,
            "effectiveFrom": emp.get("startDate") or "2000-01-01T00:00:00",
            "annualSalary": 0.0,
            "status": "Active",
            "paymentType": "Hourly",
        }
    ]


#: Hours of a working day when neither the employee's salary and wages nor anything else
#: gives them (inferred: a 37.5-hour week of five days)
V2_HOURS_PER_DAY = 7.5


def _leave_units_per_day(
    payroll: dict[str, Any], emp: dict[str, Any], ltype: dict[str, Any], start: date
) -> float:
    """The units a weekday of leave takes when the request gives no periods' units.

    From what the spec gives: the leave type's ``typeOfUnits`` (NZ; a UK leave type has none
    and is taken in hours) and the employee's salary and wages in effect on ``start`` (the
    latest row effective by then, else the Active one): ``numberOfUnitsPerDay``, else
    ``numberOfUnitsPerWeek`` over ``daysPerWeek`` (5 when not given). Inferred, as the spec
    does not say how Xero counts: a day of leave is one of ``Days``, a ``Weeks`` unit is a
    working week, leave falls on weekdays only, and 7.5 hours make a day when the salary and
    wages give no hours."""
    kind = str(ltype.get("typeOfUnits") or "Hours").lower()
    rows = [
        r
        for r in ((payroll.get("SalaryAndWages") or {}).get(emp.get("employeeID"), []) or [])
        if isinstance(r, dict)
    ]
    started = [
        r
        for r in rows
        if r.get("status") != "Pending" and (parse_day(r.get("effectiveFrom")) or date.min) <= start
    ]
    wages = max(
        started,
        key=lambda r: parse_day(r.get("effectiveFrom")) or date.min,
        default=next((r for r in rows if r.get("status") == "Active"), None),
    )
    days_per_week = _number((wages or {}).get("daysPerWeek")) or 5.0
    if kind == "days":
        return 1.0
    if kind == "weeks":
        return 1.0 / days_per_week
    per_day = _number((wages or {}).get("numberOfUnitsPerDay"))
    if per_day:
        return per_day
    per_week = _number((wages or {}).get("numberOfUnitsPerWeek"))
    return per_week / days_per_week if per_week else V2_HOURS_PER_DAY


class V2Payroll:
    """NZ/UK payroll 2.0 hours (camelCase, JSON only, ``problem`` envelope)."""

    def __init__(
        self, now: Callable[[], float], envelope: Callable[[], dict[str, Any]], page_size: int
    ) -> None:
        self.now = now
        self.envelope = envelope
        self.page_size = page_size

    def _single(self, key: str, value: Any) -> Response:
        payload = self.envelope()
        payload["pagination"] = None
        payload["problem"] = None
        payload[key] = copy.deepcopy(value)
        return json_response(payload)

    def _list(self, key: str, records: list[dict[str, Any]], page: int) -> Response:
        total = len(records)
        payload = self.envelope()
        payload["pagination"] = {
            "page": page,
            "pageSize": self.page_size,
            "pageCount": -(-total // self.page_size) if total else 0,
            "itemCount": total,
        }
        payload["problem"] = None
        payload[key] = copy.deepcopy(records[(page - 1) * self.page_size : page * self.page_size])
        return json_response(payload)

    def calendars(self, payroll: dict[str, Any], ident: str | None, page: int) -> Response:
        rows = payroll.get("PayRunCalendars", [])
        if ident is not None:
            found = _find(rows, "payrollCalendarID", ident)
            return self._single("payRunCalendar", found) if found else _not_found2()
        return self._list("payRunCalendars", rows, page)

    def earnings_rates(self, payroll: dict[str, Any], ident: str | None, page: int) -> Response:
        rows = payroll.get("EarningsRates", [])
        if ident is not None:
            found = _find(rows, "earningsRateID", ident)
            return self._single("earningsRate", found) if found else _not_found2()
        return self._list("earningsRates", rows, page)

    def salary_and_wages(self, payroll: dict[str, Any], emp_id: str, page: int) -> Response:
        """``GET /Employees/{id}/SalaryAndWages``: the employee's rows (``SalaryAndWages``:
        paged, 100 a page, all statuses: Active, Pending, History), 404 for an unknown
        employee as ``GET /Employees/{id}``."""
        emp = _find(payroll.get("Employees", []), "employeeID", emp_id)
        if emp is None:
            return _not_found2()
        if "SalaryAndWages" not in payroll:
            # An organisation file (or a saved Demo Company state) from before salary and
            # wages were modelled gives none: in Xero every employee set up for pay has one,
            # so the employee is paid by the hour on the ordinary rate from their first day.
            rows = _implied_wages(payroll, emp)
        else:
            rows = (payroll.get("SalaryAndWages") or {}).get(emp["employeeID"], [])
        return self._list("salaryAndWages", rows, page)

    # -- timesheets
    def list_timesheets(
        self, request: Request, payroll: dict[str, Any], page: int, arg: Callable[[str], str | None]
    ) -> Response:
        rows = list(payroll.get("Timesheets", []))
        raw = arg("filter")
        if raw:
            allowed = {"employeeid": "employeeID", "payrollcalendarid": "payrollCalendarID"}
            for term in raw.split(","):
                name, sep, value = term.partition("==")
                key = allowed.get(name.strip().lower())
                if not sep or key is None:
                    return _bad2("filter", f"The filter '{term}' is not supported.")
                rows = [r for r in rows if _same_id(r.get(key), value.strip())]
        status = arg("status")
        if status:
            rows = [r for r in rows if str(r.get("status", "")).lower() == status.lower()]
        for name, keep in (("startDate", lambda d, x: d >= x), ("endDate", lambda d, x: d <= x)):
            text = arg(name)
            if text:
                bound = parse_day(text)
                if bound is None:
                    return _bad2(name, f"'{text}' is not a valid date.")
                rows = [r for r in rows if (d := parse_day(r.get(name))) and keep(d, bound)]
        if (arg("sort") or "").lower() == "startdate":
            rows.sort(key=lambda r: str(r.get("startDate")), reverse=True)
        summary = [{k: v for k, v in r.items() if k != "timesheetLines"} for r in rows]
        return self._list("timesheets", summary, page)

    def get_timesheet(self, payroll: dict[str, Any], ident: str) -> Response:
        found = _find(payroll.get("Timesheets", []), "timesheetID", ident)
        return self._single("timesheet", found) if found else _not_found2()

    def _check_line(
        self,
        payroll: dict[str, Any],
        org: dict[str, Any],
        sheet: dict[str, Any],
        line: Any,
        field: str,
    ) -> tuple[dict[str, Any] | None, Response | None]:
        if not isinstance(line, dict):
            return None, _bad2(field, "A timesheet line is not an object.")
        day = parse_day(line.get("date"))
        start, end = parse_day(sheet.get("startDate")), parse_day(sheet.get("endDate"))
        if day is None:
            return None, _bad2("date", "The date is required.")
        if start is None or end is None or not start <= day <= end:
            return None, _bad2("date", DATE_OUTSIDE)
        rate = _find(payroll.get("EarningsRates", []), "earningsRateID", line.get("earningsRateID"))
        if rate is None:
            return None, _bad2("earningsRateID", RATE_NOT_FOUND)
        if rate.get("currentRecord") is False:
            return None, _bad2("earningsRateID", RATE_INACTIVE)
        units = _number(line.get("numberOfUnits"))
        if units is None:
            return None, _bad2("numberOfUnits", "The number of units is required.")
        if units < 0:
            return None, _bad2("numberOfUnits", UNITS_NEGATIVE)
        tracking = line.get("trackingItemID")
        if tracking not in (None, ""):
            if str(tracking).lower() not in timesheet_options(org):
                return None, _bad2("trackingItemID", TRACKING_NOT_FOUND)
        return {
            "timesheetLineID": str(uuid.uuid4()),
            "date": v2_date(day),
            "earningsRateID": rate["earningsRateID"],
            "trackingItemID": str(tracking) if tracking else None,
            "numberOfUnits": round(units, 4),
        }, None

    def _touch(self, sheet: dict[str, Any]) -> None:
        sheet["totalHours"] = round(
            sum(float(x.get("numberOfUnits") or 0) for x in sheet.get("timesheetLines") or []), 4
        )
        sheet["updatedDateUTC"] = iso_utc(self.now(), fraction=True)

    def create_timesheet(self, request: Request, org: dict[str, Any]) -> Response:
        payroll = org.setdefault("payroll", {})
        sheets = payroll.setdefault("Timesheets", [])
        try:
            data = _json_body(request, lambda m: _bad2("body", m))
        except _Fail as exc:
            return exc.response
        if not isinstance(data, dict):
            return _bad2("body", "The request body must be a timesheet object.")
        for name in ("payrollCalendarID", "employeeID", "startDate", "endDate"):
            if not data.get(name):
                return _bad2(name, f"The {name} is required.")
        emp = _find(payroll.get("Employees", []), "employeeID", data.get("employeeID"))
        if emp is None:
            return _bad2("employeeID", EMPLOYEE_NOT_FOUND)
        start, end = parse_day(data.get("startDate")), parse_day(data.get("endDate"))
        if start is None or end is None:
            return _bad2("startDate", "StartDate and EndDate must be dates.")
        if end < start:
            return _bad2("endDate", DATES_ORDER)
        if not emp.get("payrollCalendarID"):
            return _bad2("employeeID", NO_CALENDAR)
        cal = _find(
            payroll.get("PayRunCalendars", []), "payrollCalendarID", data.get("payrollCalendarID")
        )
        if cal is None or not _same_id(emp.get("payrollCalendarID"), cal.get("payrollCalendarID")):
            return _bad2("payrollCalendarID", PERIOD_MISMATCH)
        anchor = parse_day(cal.get("periodStartDate"))
        if anchor is None or not is_period(str(cal.get("calendarType", "")), anchor, start, end):
            return _bad2("startDate", PERIOD_MISMATCH)
        for other in sheets:
            if (
                _same_id(other.get("employeeID"), emp["employeeID"])
                and parse_day(other.get("startDate")) == start
            ):
                return _bad2(
                    "timesheet", NOT_DRAFT if other.get("status") != "Draft" else TIMESHEET_EXISTS
                )
        sheet: dict[str, Any] = {
            "timesheetID": str(uuid.uuid4()),
            "payrollCalendarID": cal["payrollCalendarID"],
            "employeeID": emp["employeeID"],
            "startDate": v2_date(start),
            "endDate": v2_date(end),
            "status": "Draft",
            "totalHours": 0.0,
            "updatedDateUTC": "",
            "timesheetLines": [],
        }
        lines = data.get("timesheetLines") or []
        if not isinstance(lines, list):
            return _bad2("timesheetLines", "The timesheet lines must be a list.")
        for line in lines:
            row, error = self._check_line(payroll, org, sheet, line, "timesheetLines")
            if error is not None:
                return error
            sheet["timesheetLines"].append(row)
        self._touch(sheet)
        sheets.append(sheet)
        return self._single("timesheet", sheet)

    def _draft(
        self, payroll: dict[str, Any], ident: str
    ) -> tuple[dict[str, Any] | None, Response | None]:
        sheet = _find(payroll.get("Timesheets", []), "timesheetID", ident)
        if sheet is None:
            return None, _not_found2()
        if sheet.get("status") != "Draft":
            return None, _bad2("timesheet", NOT_DRAFT)
        return sheet, None

    def delete_timesheet(self, org: dict[str, Any], ident: str) -> Response:
        payroll = org.setdefault("payroll", {})
        sheet, error = self._draft(payroll, ident)
        if sheet is None:
            return error or _not_found2()
        payroll["Timesheets"].remove(sheet)
        return self._single("timesheetLine", None)

    def add_line(self, request: Request, org: dict[str, Any], ident: str) -> Response:
        payroll = org.setdefault("payroll", {})
        sheet, error = self._draft(payroll, ident)
        if sheet is None:
            return error or _not_found2()
        try:
            data = _json_body(request, lambda m: _bad2("body", m))
        except _Fail as exc:
            return exc.response
        row, error = self._check_line(payroll, org, sheet, data, "timesheetLine")
        if row is None:
            return error or _bad2("timesheetLine", "Invalid line.")
        sheet.setdefault("timesheetLines", []).append(row)
        self._touch(sheet)
        return self._single("timesheetLine", row)

    def update_line(
        self, request: Request, org: dict[str, Any], ident: str, line_id: str
    ) -> Response:
        payroll = org.setdefault("payroll", {})
        sheet, error = self._draft(payroll, ident)
        if sheet is None:
            return error or _not_found2()
        lines = sheet.setdefault("timesheetLines", [])
        current = _find(lines, "timesheetLineID", line_id)
        if current is None:
            return _not_found2()
        try:
            data = _json_body(request, lambda m: _bad2("body", m))
        except _Fail as exc:
            return exc.response
        row, error = self._check_line(payroll, org, sheet, data, "timesheetLine")
        if row is None:
            return error or _bad2("timesheetLine", "Invalid line.")
        row["timesheetLineID"] = current["timesheetLineID"]
        current.clear()
        current.update(row)
        self._touch(sheet)
        return self._single("timesheetLine", current)

    def delete_line(self, org: dict[str, Any], ident: str, line_id: str) -> Response:
        payroll = org.setdefault("payroll", {})
        sheet, error = self._draft(payroll, ident)
        if sheet is None:
            return error or _not_found2()
        lines = sheet.setdefault("timesheetLines", [])
        current = _find(lines, "timesheetLineID", line_id)
        if current is None:
            return _not_found2()
        lines.remove(current)
        self._touch(sheet)
        return self._single("timesheetLine", current)

    def set_status(self, org: dict[str, Any], ident: str, approve: bool) -> Response:
        payroll = org.setdefault("payroll", {})
        sheet = _find(payroll.get("Timesheets", []), "timesheetID", ident)
        if sheet is None:
            return _not_found2()
        if approve and sheet.get("status") != "Draft":
            return _bad2("timesheet", NOT_DRAFT)
        if not approve and sheet.get("status") != "Approved":
            return _bad2("timesheet", "Only an approved timesheet can be reverted to draft.")
        sheet["status"] = "Approved" if approve else "Draft"
        self._touch(sheet)
        return self._single("timesheet", sheet)

    # -- employee leave
    def list_leave(self, payroll: dict[str, Any], emp_id: str, leave_id: str | None) -> Response:
        emp = _find(payroll.get("Employees", []), "employeeID", emp_id)
        if emp is None:
            return _not_found2()
        records = (payroll.get("EmployeeLeave") or {}).get(emp["employeeID"], [])
        if leave_id is not None:
            found = _find(records, "leaveID", leave_id)
            return self._single("leave", found) if found else _not_found2()
        return self._single("leave", records)

    def write_leave(
        self, request: Request, org: dict[str, Any], emp_id: str, leave_id: str | None
    ) -> Response:
        payroll = org.setdefault("payroll", {})
        emp = _find(payroll.get("Employees", []), "employeeID", emp_id)
        if emp is None:
            return _not_found2()
        records = payroll.setdefault("EmployeeLeave", {}).setdefault(emp["employeeID"], [])
        current = None
        if leave_id is not None:
            current = _find(records, "leaveID", leave_id)
            if current is None:
                return _not_found2()
            if v2_leave_completed(current):
                return _bad2("leaveID", LEAVE_PROCESSED)
        try:
            data = _json_body(request, lambda m: _bad2("body", m))
        except _Fail as exc:
            return exc.response
        if not isinstance(data, dict):
            return _bad2("body", "The request body must be a leave object.")
        ltype = _find(payroll.get("LeaveTypes", []), "leaveTypeID", data.get("leaveTypeID"))
        if ltype is None:
            return _bad2("leaveTypeID", LEAVE_TYPE_NOT_FOUND)
        if ltype.get("isActive") is False:
            return _bad2("leaveTypeID", LEAVE_TYPE_INACTIVE)
        if not ltype.get("isPaidLeave", True):
            return _bad2("leaveTypeID", LEAVE_UNPAID)
        description = data.get("description")
        if not isinstance(description, str) or not description.strip():
            return _bad2("description", LEAVE_DESCRIPTION_REQUIRED)
        if len(description) > LEAVE_DESCRIPTION_MAX:
            return _bad2("description", LEAVE_DESCRIPTION_TOO_LONG)
        start, end = parse_day(data.get("startDate")), parse_day(data.get("endDate"))
        if start is None or end is None:
            return _bad2("startDate", "The start and end dates are required.")
        if end < start:
            return _bad2("endDate", DATES_ORDER)
        cal = _find(
            payroll.get("PayRunCalendars", []), "payrollCalendarID", emp.get("payrollCalendarID")
        )
        anchor = parse_day(cal.get("periodStartDate")) if cal else None
        if cal is None or anchor is None:
            return _bad2("employeeID", NO_CALENDAR)
        ctype = str(cal.get("calendarType", ""))
        wanted: dict[date, float] = {}
        for p in data.get("periods") or []:
            ps = parse_day(p.get("periodStartDate")) if isinstance(p, dict) else None
            pe = parse_day(p.get("periodEndDate")) if isinstance(p, dict) else None
            units = _number(p.get("numberOfUnits")) if isinstance(p, dict) else None
            if ps is None or pe is None or not is_period(ctype, anchor, ps, pe):
                return _bad2("periods", PERIOD_MISMATCH)
            if units is None or units < 0:
                return _bad2("numberOfUnits", UNITS_NEGATIVE)
            wanted[ps] = units
        periods = []
        day = start
        per_day = _leave_units_per_day(payroll, emp, ltype, start)
        while day <= end:
            found = period_containing(ctype, anchor, day)
            if found is None:
                return _bad2("periods", PERIOD_MISMATCH)
            ps, pe = found
            lo, hi = max(ps, start), min(pe, end)
            units = wanted.pop(
                ps,
                per_day
                * sum(
                    1 for i in range((hi - lo).days + 1) if (lo + timedelta(days=i)).weekday() < 5
                ),
            )
            period: dict[str, Any] = {
                "periodStartDate": v2_date(ps),
                "periodEndDate": v2_date(pe),
                "numberOfUnits": round(units, 4),
                "periodStatus": "Approved",
            }
            if ltype.get("typeOfUnits"):  # NZ: the period says its units (spec example)
                period["typeOfUnits"] = ltype["typeOfUnits"]
            periods.append(period)
            day = pe + timedelta(days=1)
        if wanted:
            return _bad2("periods", PERIOD_MISMATCH)
        row = {
            "leaveID": current["leaveID"] if current else str(uuid.uuid4()),
            "leaveTypeID": ltype["leaveTypeID"],
            "description": description,
            "startDate": v2_date(start),
            "endDate": v2_date(end),
            "periods": periods,
            "updatedDateUTC": iso_utc(self.now(), fraction=True),
        }
        if current is not None:
            current.clear()
            current.update(row)
        else:
            records.append(row)
        return self._single("leave", row)

    def delete_leave(self, org: dict[str, Any], emp_id: str, leave_id: str) -> Response:
        payroll = org.setdefault("payroll", {})
        emp = _find(payroll.get("Employees", []), "employeeID", emp_id)
        if emp is None:
            return _not_found2()
        records = payroll.setdefault("EmployeeLeave", {}).setdefault(emp["employeeID"], [])
        current = _find(records, "leaveID", leave_id)
        if current is None:
            return _not_found2()
        if v2_leave_completed(current):
            return _bad2("leaveID", LEAVE_PROCESSED)
        records.remove(current)
        return self._single("leave", current)


def au_leave_states(app: dict[str, Any]) -> set[str]:
    """The statuses of an AU leave application's periods (upper case)."""
    return {
        str(p.get("LeavePeriodStatus") or "SCHEDULED").upper()
        for p in app.get("LeavePeriods") or []
        if isinstance(p, dict)
    }


def v2_leave_completed(leave: dict[str, Any]) -> bool:
    """NZ/UK leave with a period in a posted pay run (``Completed``)."""
    return any(
        isinstance(p, dict) and str(p.get("periodStatus") or "").lower() == "completed"
        for p in leave.get("periods") or []
    )


def is_guid(text: str) -> bool:
    return bool(GUID_RE.match(text))
