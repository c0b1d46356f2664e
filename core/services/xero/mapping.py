"""Raw Xero API objects -> typed records (core/engine/records.py). Pure functions: no I/O, no clock.

Shapes handled (references/xero-api.md §1, §3, §4):

* Accounting and AU payroll 1.0: PascalCase, dates as MS-JSON ``/Date(1439434356790)/`` or
  ``/Date(1419937200000+0000)/``. The number is always Unix time in **UTC milliseconds**;
  the offset is not always ``+0000`` (``/Date(1451988985943+1300)/``, pyxero #122) and is
  informational only, so it is ignored: applying it shifts dates by a day (xero-python #56,
  #179).
* Payroll NZ/UK 2.0: camelCase, ISO strings without a zone (``2020-04-13T00:00:00``) for
  dates, ``updatedDateUTC`` with or without a trailing ``Z``.

Date-only fields (start/end dates) become ``YYYY-MM-DD``: for MS-JSON the UTC calendar date
of the instant; for ISO strings the date part exactly as written (never converted through a
time zone). Timestamps (``UpdatedDateUTC``) become epoch seconds, zone-less ISO read as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.engine.records import (
    Address,
    XeroContact,
    XeroEmployee,
    XeroItem,
    XeroLeaveType,
    XeroOrganisation,
    XeroTrackingCategory,
    XeroTrackingOption,
)

_MS_DATE_RE = re.compile(r"^\s*/?Date\((-?\d+)([+-]\d{4})?\)/?\s*$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The instants a date can hold (years 1 to 9999), in Unix milliseconds.
_MS_MIN = -62_135_596_800_000
_MS_MAX = 253_402_300_799_999


# --------------------------------------------------------------------------- dates
def parse_ms_date(value: Any) -> float | None:
    """``/Date(1451988985943+1300)/`` -> 1451988985.943 (UTC epoch seconds; offset ignored)."""
    if not isinstance(value, str):
        return None
    m = _MS_DATE_RE.match(value)
    if not m or not _MS_MIN <= int(m.group(1)) <= _MS_MAX:
        return None  # unreadable, or a date no calendar holds (/Date(99999999999999999)/)
    return int(m.group(1)) / 1000.0


def parse_timestamp(value: Any) -> float | None:
    """A Xero timestamp (MS-JSON or ISO 8601; zone-less ISO is UTC) as epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    ms = parse_ms_date(value)
    if ms is not None:
        return ms
    text = value.strip()
    try:
        dt = datetime.fromisoformat(_trim_fraction(text.replace("Z", "+00:00")))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _trim_fraction(text: str) -> str:
    """.NET sends 7 fraction digits (``20:16:14.6198711``); Python 3.11 accepts at most 6."""
    return re.sub(r"(\.\d{6})\d+", r"\1", text)


def xero_date(value: Any) -> str:
    """A date-only field as ``YYYY-MM-DD`` ("" when absent or unreadable).

    MS-JSON: the UTC date of the instant (``/Date(1547164800000+0000)/`` -> 2019-01-11).
    ISO: the date part as written (``2019-02-07T00:00:00`` -> 2019-02-07).
    """
    if not isinstance(value, str) or not value.strip():
        return ""
    m = _MS_DATE_RE.match(value)
    if m:
        if not _MS_MIN <= int(m.group(1)) <= _MS_MAX:
            return ""
        # timedelta arithmetic also covers dates before 1970 (negative milliseconds).
        return (_EPOCH + timedelta(milliseconds=int(m.group(1)))).date().isoformat()
    text = value.strip()
    head = text[:10]
    try:
        return date.fromisoformat(head).isoformat()
    except ValueError:
        return ""


def impossible_date(value: Any) -> str | None:
    """The text of a date field Xero filled with something no calendar holds (an
    out-of-range ``/Date(…)/``, month 13, garbage), shortened and printable; None when the
    field is absent, empty or a real date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and xero_date(value):
        return None
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value).strip())
    return text if len(text) <= 40 else text[:39] + "…"


def employee_end_date_problem(raw: dict[str, Any], v2: bool) -> str | None:
    """The impossible end date of a payroll employee **when it decides whether they still
    work here** (NZ/UK ``endDate``; AU ``TerminationDate`` of a record TERMINATED or without
    a Status: a termination date still ahead is a notice period): such an employee cannot
    be told active or not, so the import leaves them out."""
    if v2:
        return impossible_date(raw.get("endDate"))
    if _text(raw.get("Status")).strip().upper() not in ("", "TERMINATED"):
        return None
    return impossible_date(raw.get("TerminationDate"))


# --------------------------------------------------------------------------- helpers
def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _bool(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.strip().lower() == "true":
            return True
        if value.strip().lower() == "false":
            return False
    return default


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _get(raw: dict[str, Any], *names: str) -> Any:
    """First present key among ``names`` (PascalCase and camelCase spellings)."""
    for name in names:
        if name in raw:
            return raw[name]
    return None


# --------------------------------------------------------------------------- accounting
def map_organisation(raw: dict[str, Any], tenant_id: str) -> XeroOrganisation:
    return XeroOrganisation(
        tenant_id=tenant_id,
        name=_text(raw.get("Name")),
        country_code=_text(raw.get("CountryCode")).upper(),
        version=_text(raw.get("Version")).upper(),
        base_currency=_text(raw.get("BaseCurrency")),
        timezone=_text(raw.get("Timezone")).upper(),
    )


#: an ``Addresses[]`` entry's slots, in Address order (lines 2-4 joined into ``line2``)
_ADDRESS_SLOTS = (
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "AddressLine4",
    "City",
    "Region",
    "PostalCode",
    "Country",
)


def map_address(raw: dict[str, Any] | None) -> Address | None:
    """A Contact ``Addresses[]`` entry; None when every slot is empty (Xero returns empty
    slots with ``""``). Lines 2-4 are joined into ``line2``."""
    if not isinstance(raw, dict):
        return None
    # (each contact has two: made once per slot, without an Address for an empty entry)
    values = [(v if type(v) is str else _text(v)).strip() for v in map(raw.get, _ADDRESS_SLOTS)]
    if not any(values):
        return None
    line1, line2, line3, line4, city, region, postal_code, country = values
    return Address(
        line1,
        ", ".join(x for x in (line2, line3, line4) if x),
        city,
        region,
        postal_code,
        country,
    )


def _street_and_postal(addresses: Any) -> tuple[Address | None, Address | None]:
    """The first non-blank STREET and the first non-blank POBOX entry of ``Addresses``."""
    street = postal = None
    if not isinstance(addresses, list):
        return None, None
    for entry in addresses:
        if not isinstance(entry, dict):
            continue
        kind = _text(entry.get("AddressType")).upper()
        if kind == "STREET" and street is None:
            street = map_address(entry)
        elif kind == "POBOX" and postal is None:
            postal = map_address(entry)
    return street, postal


_NO_GUID = "00000000-0000-0000-0000-000000000000"


def _merged_to(value: Any) -> str:
    """A contact's ``MergedToContactID``: "" when absent, blank or the empty Guid (how a
    typed client sends "none")."""
    text = _text(value).strip()
    return "" if text == _NO_GUID else text


def map_contact(raw: dict[str, Any]) -> XeroContact:
    """An Accounting Contact. ``street``/``postal`` are the STREET/POBOX addresses (None when
    absent or blank); ``best_address`` picks street, else postal. A summaryOnly contact has
    no ``Addresses``: both are None."""
    street, postal = _street_and_postal(raw.get("Addresses"))
    return XeroContact(
        contact_id=_text(raw.get("ContactID")),
        name=_text(raw.get("Name")),
        status=_text(raw.get("ContactStatus")).upper() or "ACTIVE",
        is_customer=_bool(raw.get("IsCustomer")),
        is_supplier=_bool(raw.get("IsSupplier")),
        first_name=_text(raw.get("FirstName")),
        last_name=_text(raw.get("LastName")),
        email=_text(raw.get("EmailAddress")),
        street=street,
        postal=postal,
        updated_utc=parse_timestamp(raw.get("UpdatedDateUTC")) or 0.0,
        raw=raw,
        # (only in a paged read or a read by id: every contacts read of the client pages)
        merged_to=_merged_to(raw.get("MergedToContactID")),
    )


#: What the snapshot keeps of a Contact (core.services.stored_fields): every field
#: :func:`map_contact` reads, and the phones the review shows (core.app.review_screen);
#: an ``Addresses[]`` entry keeps its type and slots. Not kept: tax number, bank details,
#: balances, contact persons, payment terms... A field a mapper comes to read is added here
#: (tests/unit/test_stored_fields.py holds the mappers to these lists).
STORED_CONTACT_FIELDS: dict[str, frozenset[str] | None] = {
    "ContactID": None,
    "Name": None,
    "ContactStatus": None,
    "IsCustomer": None,
    "IsSupplier": None,
    "FirstName": None,
    "LastName": None,
    "EmailAddress": None,
    "Addresses": frozenset(("AddressType", *_ADDRESS_SLOTS)),
    "Phones": None,  # (type, number, area and country codes: nothing else)
    "UpdatedDateUTC": None,
    "MergedToContactID": None,
}


def map_item(raw: dict[str, Any]) -> XeroItem:
    """An Item. ``IsSold``/``IsPurchased`` are always sent by GET; if one is missing it is
    read from whether the sales/purchase details are filled (Xero nulls the details of a
    side that is switched off)."""
    sales_raw, purchase_raw = raw.get("SalesDetails"), raw.get("PurchaseDetails")
    sales: dict[str, Any] = sales_raw if isinstance(sales_raw, dict) else {}
    purchase: dict[str, Any] = purchase_raw if isinstance(purchase_raw, dict) else {}
    return XeroItem(
        item_id=_text(raw.get("ItemID")),
        code=_text(raw.get("Code")),
        name=_text(raw.get("Name")),
        is_sold=_bool(raw.get("IsSold"), default=bool(sales)),
        is_purchased=_bool(raw.get("IsPurchased"), default=bool(purchase)),
        is_tracked=_bool(raw.get("IsTrackedAsInventory")),
        description=_text(raw.get("Description")),
        unit_price=_number(sales.get("UnitPrice")),
        updated_utc=parse_timestamp(raw.get("UpdatedDateUTC")) or 0.0,
        raw=raw,
    )


def map_tracking_category(raw: dict[str, Any]) -> XeroTrackingCategory:
    options = tuple(
        XeroTrackingOption(
            option_id=_text(o.get("TrackingOptionID")),
            name=_text(o.get("Name")),
            status=_text(o.get("Status")).upper() or "ACTIVE",
        )
        for o in (raw.get("Options") or [])
        if isinstance(o, dict)
    )
    return XeroTrackingCategory(
        category_id=_text(raw.get("TrackingCategoryID")),
        name=_text(raw.get("Name")),
        status=_text(raw.get("Status")).upper() or "ACTIVE",
        options=options,
        raw=raw,
    )


# --------------------------------------------------------------------------- payroll
def _ended(end_date: str, today: date) -> bool:
    """Whether a person whose last day is ``end_date`` no longer works here ``today``: they
    work through their last day, so only once it is before today."""
    return bool(end_date) and date.fromisoformat(end_date) < today


def map_au_employee(raw: dict[str, Any], today: date) -> XeroEmployee:
    """Payroll AU 1.0 employee: ``Status`` ACTIVE|TERMINATED decides, but TERMINATED only
    says a termination date is set ("Employee with a Termination Date", which may be ahead):
    with one that is today or later they still work here until it has passed (their notice
    period). Without a Status the termination date alone decides."""
    end = xero_date(raw.get("TerminationDate"))
    status = _text(raw.get("Status")).upper()
    if status == "TERMINATED" and end:
        active = not _ended(end, today)
    else:
        active = status == "ACTIVE" if status else not _ended(end, today)
    return XeroEmployee(
        employee_id=_text(raw.get("EmployeeID")),
        first_name=_text(raw.get("FirstName")),
        last_name=_text(raw.get("LastName")),
        email=_text(raw.get("Email")),
        active=active,
        start_date=xero_date(raw.get("StartDate")),
        end_date=end,
        updated_utc=parse_timestamp(raw.get("UpdatedDateUTC")) or 0.0,
        raw=raw,
    )


def map_v2_employee(raw: dict[str, Any], today: date) -> XeroEmployee:
    """Payroll NZ/UK 2.0 employee: no status field, so active unless ``endDate`` (their last
    day) is set and before today (on it, or with it ahead, a leaver still works)."""
    end = xero_date(raw.get("endDate"))
    return XeroEmployee(
        employee_id=_text(_get(raw, "employeeID", "employeeId", "EmployeeID")),
        first_name=_text(raw.get("firstName")),
        last_name=_text(raw.get("lastName")),
        email=_text(raw.get("email")),
        active=not _ended(end, today),
        start_date=xero_date(raw.get("startDate")),
        end_date=end,
        updated_utc=parse_timestamp(_get(raw, "updatedDateUTC", "updatedDateUtc")) or 0.0,
        raw=raw,
    )


#: What the snapshot keeps of a payroll employee, AU 1.0 and NZ/UK 2.0 spellings (see
#: STORED_CONTACT_FIELDS): what :func:`map_au_employee`, :func:`map_v2_employee` and
#: :func:`employee_end_date_problem` read, and the phone the review shows beside the
#: QuickBooks Time user's. Not kept: date of birth, gender, home address, NI / tax file
#: number, bank accounts, tax declaration, super memberships, pay template, leave balances...
#: (sending hours reads the employees from Xero at the time: core.app.payroll).
STORED_EMPLOYEE_FIELDS: dict[str, frozenset[str] | None] = dict.fromkeys(
    (
        "EmployeeID",
        "employeeID",
        "employeeId",
        "FirstName",
        "firstName",
        "LastName",
        "lastName",
        "Email",
        "email",
        "Status",
        "StartDate",
        "startDate",
        "TerminationDate",
        "endDate",
        "UpdatedDateUTC",
        "updatedDateUTC",
        "updatedDateUtc",
        "Mobile",
        "Phone",
        "phoneNumber",
    )
)


def map_au_leave_type(raw: dict[str, Any]) -> XeroLeaveType:
    """AU ``PayItems.LeaveTypes[]``: no status, ``CurrentRecord`` false means retired."""
    return XeroLeaveType(
        leave_type_id=_text(raw.get("LeaveTypeID")),
        name=_text(raw.get("Name")),
        is_paid=_bool(raw.get("IsPaidLeave")),
        active=_bool(raw.get("CurrentRecord"), default=True),
        units=_text(raw.get("TypeOfUnits")).strip(),
        raw=raw,
    )


def map_v2_leave_type(raw: dict[str, Any]) -> XeroLeaveType:
    return XeroLeaveType(
        leave_type_id=_text(_get(raw, "leaveTypeID", "leaveTypeId", "LeaveTypeID")),
        name=_text(raw.get("name")),
        is_paid=_bool(raw.get("isPaidLeave")),
        active=_bool(raw.get("isActive"), default=True),
        units=_text(raw.get("typeOfUnits")).strip(),
        raw=raw,
    )


# --------------------------------------------------------------------------- payroll hours
def _day(value: Any) -> date:
    text = xero_date(value)
    return date.fromisoformat(text) if text else date.min


def map_au_calendar(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _text(raw.get("PayrollCalendarID")),
        "name": _text(raw.get("Name")),
        "type": _text(raw.get("CalendarType")),
        "anchor": _day(raw.get("StartDate")),
    }


def map_v2_calendar(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _text(raw.get("payrollCalendarID")),
        "name": _text(raw.get("name")),
        "type": _text(raw.get("calendarType")),
        "anchor": _day(raw.get("periodStartDate")),
    }


def map_au_earnings_rate(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _text(raw.get("EarningsRateID")),
        "name": _text(raw.get("Name")),
        "type": _text(raw.get("EarningsType")),
        "active": _bool(raw.get("CurrentRecord"), True),
    }


def map_v2_earnings_rate(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _text(raw.get("earningsRateID")),
        "name": _text(raw.get("name")),
        "type": _text(raw.get("earningsType")),
        "active": _bool(raw.get("currentRecord"), True),
    }


def map_au_timesheet(raw: dict[str, Any]) -> dict[str, Any]:
    start, end = _day(raw.get("StartDate")), _day(raw.get("EndDate"))
    hours: dict[tuple[str, str, str], float] = {}
    for line in raw.get("TimesheetLines") or []:
        if not isinstance(line, dict):
            continue
        rate = _text(line.get("EarningsRateID")).lower()
        tracking = _text(line.get("TrackingItemID")).lower()
        for i, units in enumerate(line.get("NumberOfUnits") or []):
            value = _number(units) or 0.0
            if value:
                key = ((start + timedelta(days=i)).isoformat(), rate, tracking)
                hours[key] = round(hours.get(key, 0.0) + value, 4)
    status = _text(raw.get("Status")).upper()
    return {
        "id": _text(raw.get("TimesheetID")),
        "employee_id": _text(raw.get("EmployeeID")),
        "start": start,
        "end": end,
        "status": status,
        "draft": status == "DRAFT",
        "hours": hours,
    }


def map_v2_timesheet(raw: dict[str, Any]) -> dict[str, Any]:
    hours: dict[tuple[str, str, str], float] = {}
    for line in raw.get("timesheetLines") or []:
        if not isinstance(line, dict):
            continue
        key = (
            xero_date(line.get("date")),
            _text(line.get("earningsRateID")).lower(),
            _text(line.get("trackingItemID")).lower(),
        )
        hours[key] = round(hours.get(key, 0.0) + (_number(line.get("numberOfUnits")) or 0.0), 4)
    status = _text(raw.get("status"))
    return {
        "id": _text(raw.get("timesheetID")),
        "employee_id": _text(raw.get("employeeID")),
        "start": _day(raw.get("startDate")),
        "end": _day(raw.get("endDate")),
        "status": status,
        "draft": status.lower() == "draft",
        "hours": hours,
    }


def au_timesheet_body(
    employee_id: str, start: date, end: date, hours: dict[tuple[str, str, str], float]
) -> dict[str, Any]:
    """An AU 1.0 timesheet: per (earnings rate, tracking item), one value per day of the
    period; hours keyed (day, rate, tracking item id or "")."""
    days = (end - start).days + 1
    lines = []
    for rate, tracking in sorted({(rate, tracking) for _day_, rate, tracking in hours}):
        units = [
            round(hours.get(((start + timedelta(days=i)).isoformat(), rate, tracking), 0.0), 2)
            for i in range(days)
        ]
        line: dict[str, Any] = {"EarningsRateID": rate}
        if tracking:
            line["TrackingItemID"] = tracking
        line["NumberOfUnits"] = units
        lines.append(line)
    return {
        "EmployeeID": employee_id,
        "StartDate": f"{start.isoformat()}T00:00:00",
        "EndDate": f"{end.isoformat()}T00:00:00",
        "Status": "DRAFT",
        "TimesheetLines": lines,
    }


def v2_lines(hours: dict[tuple[str, str, str], float]) -> list[dict[str, Any]]:
    """NZ/UK 2.0 timesheet lines from hours keyed (day, rate, tracking item id or "")."""
    return [
        {
            "date": day,
            "earningsRateID": rate,
            **({"trackingItemID": tracking} if tracking else {}),
            "numberOfUnits": round(units, 2),
        }
        for (day, rate, tracking), units in sorted(hours.items())
        if units > 0
    ]


def payroll_timesheet_category(data: Any) -> str:
    """The timesheet tracking category id from AU ``GET /Settings``
    (``Settings.TrackingCategories.TimesheetCategories.TrackingCategoryID``) or NZ/UK
    ``GET /Settings/trackingCategories`` (``trackingCategories.timesheetTrackingCategoryID``);
    "" when none is set."""
    if not isinstance(data, dict):
        return ""
    settings = data.get("Settings")
    if isinstance(settings, dict):
        cats = settings.get("TrackingCategories")
        sheet = cats.get("TimesheetCategories") if isinstance(cats, dict) else None
        if isinstance(sheet, dict):
            return _text(sheet.get("TrackingCategoryID")).lower()
        return ""
    cats = data.get("trackingCategories")
    if isinstance(cats, dict):
        return _text(cats.get("timesheetTrackingCategoryID")).lower()
    return ""


def _leave_periods(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    periods = raw.get(key)
    return [p for p in periods if isinstance(p, dict)] if isinstance(periods, list) else []


def map_au_leave(raw: dict[str, Any]) -> dict[str, Any]:
    """An AU leave application; ``hours``: its periods' units; ``locked``: a period is in a
    posted pay run (``PROCESSED``); ``withdrawn``: every period ``REJECTED``."""
    periods = _leave_periods(raw, "LeavePeriods")
    states = [str(p.get("LeavePeriodStatus") or "").upper() for p in periods]
    return {
        "id": _text(raw.get("LeaveApplicationID")),
        "employee_id": _text(raw.get("EmployeeID")),
        "leave_type_id": _text(raw.get("LeaveTypeID")),
        "start": xero_date(raw.get("StartDate")),
        "end": xero_date(raw.get("EndDate")),
        "title": _text(raw.get("Title")),
        "hours": round(sum(_number(p.get("NumberOfUnits")) or 0.0 for p in periods), 4),
        "locked": "PROCESSED" in states,
        "withdrawn": bool(states) and all(s == "REJECTED" for s in states),
    }


def map_v2_leave(raw: dict[str, Any], employee_id: str) -> dict[str, Any]:
    """NZ/UK employee leave; ``locked``: a period is ``Completed`` (in a posted pay run)."""
    periods = _leave_periods(raw, "periods")
    return {
        "id": _text(raw.get("leaveID")),
        "employee_id": employee_id,
        "leave_type_id": _text(raw.get("leaveTypeID")),
        "start": xero_date(raw.get("startDate")),
        "end": xero_date(raw.get("endDate")),
        "title": _text(raw.get("description")),
        "hours": round(sum(_number(p.get("numberOfUnits")) or 0.0 for p in periods), 4),
        "locked": any(str(p.get("periodStatus") or "").lower() == "completed" for p in periods),
        "withdrawn": False,
    }
