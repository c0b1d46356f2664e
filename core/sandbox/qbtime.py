"""The QuickBooks Time (formerly TSheets) REST API v1 simulator of the Demo Company.

Everything under ``/api/v1`` that the import wizard uses, as strict as the real service:
Bearer token, 300 requests / 5 minutes per token, ``limit`` 1..200, batches of at most 50,
per-item ``_status_code`` answers keyed "1".."n", the jobcode/custom-field/location rules of
the official docs (``shared/references/qbtime-api.md`` §2-§9, ``shared/specs/qbtime``).

State lives in ``store.qbtime`` (see :class:`~core.sandbox.common.CompanyStore`), every
object stored exactly as the real GET returns it. Optional keys this module maintains
beside the ones the company file brings: ``locations_map`` (one row per location <->
jobcode link) and ``jobcode_assignments`` rows with ``user_id`` 0 for ``assigned_to_all``
jobcodes; both are derived on start-up when the company file does not hold them.

Where the docs are silent the choice made is written next to the code, marked "Choice:".
In short: missing Content-Type, empty body, no ``data`` list and out-of-range ``limit`` /
badly typed filters -> 417; unparseable JSON -> 400; name/short-code/username uniqueness is
case-insensitive; a 202 duplicate answers the existing (even archived) jobcode; unknown and
read-only properties fail the element with "Invalid param(s): ..."; ``modified_since`` and
``modified_before`` are exclusive; archiving drops ``assigned_to_all`` too and restoring
brings back no assignment; a duplicate assignment and a DELETE without ids are 417; new
custom fields default to required/show_to_all true (Create Custom Fields table); an empty
list is ``[]`` (see :meth:`QBTimeSimulator._list`).

Permissions of the token's user (an admin may do everything): writes of users need
``manage_users``, of jobcodes, locations and custom field items ``manage_jobcodes``, of
custom fields admin (:data:`WRITE_PERMISSIONS`), else the documented 401 "You don't have
sufficient permission..."; jobcode assignments of a user the token's user cannot manage
(admin, ``manage_users`` or manager of the user's group) fail per item with the docs' 417
messages, and reading other users' needs a manager of them or ``manage_jobcodes``; the
Users private fields and ``pay_rate``/``pay_interval`` are hidden as the docs say
(:meth:`QBTimeSimulator._user_view`). A custom field's ``regex_filter`` refuses new items
that do not match it; an empty ``limit=`` or ``page=`` is refused like ``limit=0``.

Timesheets (§8): ``GET /timesheets`` with every documented filter, writes of ``regular``
(start/end; no end = on the clock) and ``manual`` (date/duration) timesheets, overlaps and a
second open shift -> 406, DELETE is permanent and fills ``/timesheets_deleted``;
``GET /time_off_requests`` and ``/time_off_request_entries`` (read-only: the Demo Company's
time off comes from the company file, each approved entry with the timesheet its approval
generated); ``POST /reports/payroll``. A new state made from a company file that holds hours
has them moved by :func:`~core.sandbox.common.demo_shift_days` (recorded as
``demo_shift_days``), so the default pay period always holds hours.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from werkzeug.wrappers import Request, Response

from core.sandbox.common import (
    Clock,
    CompanyStore,
    atomic_write_json,
    demo_shift_days,
    iso_offset,
    json_response,
    read_json,
)

API_PREFIX = "/api/v1/"

HTTP_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Billing not current",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request entity too large",
    417: "Expectation Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Method not implemented",
    503: "Service Unavailable",
}

# What QB Time shows for sections/endpoints that never changed (see EffectiveSettings examples).
NEVER_MODIFIED = "2001-01-01T12:00:00+00:00"

# New ids start above 2**31 so that a client keeping ids in 32-bit ints breaks in the Demo
# Company too (SDK changelog: "int32 overflow of IDs").
ID_BASE = {
    "users": 3_000_000_000,
    "jobcodes": 3_100_000_000,
    "jobcode_assignments": 3_200_000_000,
    "customfields": 3_300_000_000,
    "customfielditems": 3_400_000_000,
    "locations": 3_500_000_000,
    "locations_map": 3_600_000_000,
    "timesheets": 3_700_000_000,
}

JOBCODE_TYPES = ("regular", "pto", "paid_break", "unpaid_break", "unpaid_time_off")
# Time-off codes: top-level only, and every user has a balance for each. ``unpaid_time_off``
# is the SDK's (undocumented in REST) type for unpaid leave codes.
TIME_OFF_TYPES = ("pto", "unpaid_time_off")
ACTIVE_CHOICES = ("yes", "no", "both")

PERMISSION_DEFAULTS: dict[str, bool] = {
    "admin": False,
    "mobile": True,
    "status_box": False,
    "reports": False,
    "manage_timesheets": False,
    "manage_authorization": False,
    "manage_users": False,
    "manage_my_timesheets": False,
    "manage_jobcodes": False,
    "pin_login": False,
    "approve_timesheets": False,
    "manage_schedules": False,
    "external_access": False,
    "manage_my_schedule": False,
    "manage_company_schedules": False,
    "view_company_schedules": False,
    "view_group_schedules": False,
    "manage_no_schedules": False,
    "view_my_schedules": False,
    "time_tracking": False,
}
#: Users fields the docs call private, "exposed only to managers and admins"
PRIVATE_USER_FIELDS = (
    "salaried",
    "exempt",
    "username",
    "payroll_id",
    "hire_date",
    "term_date",
    "mobile_number",
    "submitted_to",
    "approved_to",
    "permissions",
    "customfields",
)
#: the company-wide permissions that make a user a manager (who sees the private fields)
MANAGER_PERMISSIONS = (
    "manage_users",
    "manage_jobcodes",
    "manage_timesheets",
    "approve_timesheets",
    "manage_authorization",
    "manage_schedules",
    "manage_company_schedules",
)
# The docs' permission table spells one name without the final "s"; the examples with it.
PERMISSION_ALIASES = {"manage_no_schedule": "manage_no_schedules"}
#: Who may POST/PUT each endpoint, besides an admin (who may write everything). Docs
#: (Users, permissions table): manage_users "Able to create/edit/delete users",
#: manage_jobcodes "Able to create/edit/delete jobcodes and custom field items". The docs
#: are silent on locations (the jobs' addresses: counted with the jobcodes, as the app's
#: NEEDS does) and on custom fields themselves (an add-on only administrators configure in
#: the web app: admin only, as the app's NEEDS asks). Jobcode assignments are checked per
#: item (``_may_manage``); timesheets are not checked here.
WRITE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "users": ("manage_users",),
    "jobcodes": ("manage_jobcodes",),
    "locations": ("manage_jobcodes",),
    "customfielditems": ("manage_jobcodes",),
    "customfields": (),
}
#: Docs (Request formats): "401 Unauthorized – You don't have sufficient permission to
#: perform the action you requested." (the same status as a bad token)
PERMISSION_REFUSED = "You don't have sufficient permission to perform the action you requested."
#: Docs (JobcodeAssignments create/delete examples): the per-item 417 answers
ASSIGN_REFUSED = "Oops! You don't have permission to manage that user"
UNASSIGN_REFUSED = "Oops! You don't have permission to remove jobcodes for that user."

# Endpoint names ``last_modified_timestamps`` answers for by default (docs, in this order).
LAST_MODIFIED_DEFAULT = (
    "current_user",
    "customfields",
    "customfielditems",
    "effective_settings",
    "geolocations",
    "jobcodes",
    "jobcode_assignments",
    "timesheets",
    "timesheets_deleted",
    "users",
    "reminders",
    "locations",
    "geofence_configs",
)
# Other endpoint names accepted in ``endpoints=`` ("You can specify any endpoint").
LAST_MODIFIED_EXTRA = (
    "groups",
    "locations_map",
    "customfielditem_filters",
    "customfielditem_jobcode_filters",
    "customfielditem_user_filters",
    "notifications",
    "schedule_calendars",
    "schedule_events",
    "time_off_requests",
    "time_off_request_entries",
    "projects",
    "files",
    "geofence_activities",
)

# --------------------------------------------------------------------------- field rules
JOBCODE_WRITABLE = frozenset(
    {
        "name",
        "parent_id",
        "short_code",
        "type",
        "billable",
        "billable_rate",
        "assigned_to_all",
        "active",
        "connect_with_quickbooks",
    }
)
USER_WRITABLE = frozenset(
    {
        "first_name",
        "last_name",
        "display_name",
        "group_id",
        "active",
        "employee_number",
        "salaried",
        "exempt",
        "username",
        "email",
        "payroll_id",
        "hire_date",
        "term_date",
        "mobile_number",
        "submitted_to",
        "approved_to",
        "require_password_change",
        "password",
        "login_pin",
        "permissions",
        "customfields",
    }
)
CUSTOMFIELD_WRITABLE = frozenset(
    {
        "name",
        "required",
        "active",
        "applies_to",
        "type",
        "show_to_all",
        "short_code",
    }
)
CUSTOMFIELDITEM_WRITABLE = frozenset({"customfield_id", "name", "short_code", "active"})
LOCATION_WRITABLE = frozenset(
    {
        "addr1",
        "addr2",
        "city",
        "state",
        "zip",
        "country",
        "active",
        "latitude",
        "longitude",
        "label",
        "notes",
        "linked_objects",
        # Read-only per the docs' table, yet the official create/update examples send it: the
        # service accepts and ignores it (it recomputes the value).
        "formatted_address",
    }
)
LOCATION_ADDRESS_FIELDS = ("addr1", "addr2", "city", "state", "zip", "country")
ASSIGNMENT_WRITABLE = frozenset({"user_id", "jobcode_id", "active"})

_ALNUM = re.compile(r"^[A-Za-z0-9]*$")
_DIGITS = re.compile(r"^[0-9]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- config & errors
@dataclass
class QBTimeConfig:
    rate_limit: int = 300  # requests per token per window (docs: 300 per 5 minutes)
    # The docs do not say where a window starts: a request is refused past rate_limit in a
    # fixed window started by the token's first request (the 429s go on until it ends,
    # as documented: refused requests count) *and* past rate_limit accepted in any sliding
    # window of that length, so that no way of counting the service might use is stricter.
    rate_window_s: int = 300
    max_batch: int = 50  # items per POST/PUT/DELETE; more -> HTTP 413
    max_limit: int = 200  # GET ``limit`` maximum; outside 1..max_limit -> HTTP 417
    max_active_customfields: int = 6  # active timesheet custom fields per account


class ApiError(Exception):
    """A whole-request failure, answered as ``{"error":{"code":N,"message":"..."}}``."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        verbatim: bool = False,
    ) -> None:
        super().__init__(detail or HTTP_MESSAGES.get(status, "Error"))
        self.status = status
        self.detail = detail
        self.headers = headers
        self.verbatim = verbatim  # ``detail`` is the whole message (a documented wording)


class ItemError(Exception):
    """One element of a batch failed: answered in place with ``_status_code`` 417."""

    def __init__(self, extra: str, status: int = 417) -> None:
        super().__init__(extra)
        self.extra = extra
        self.status = status


def qbtime_error_response(
    status: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    *,
    verbatim: bool = False,
) -> Response:
    """QB Time's error body (docs "Exceptions": code + message). Never a Retry-After.
    ``verbatim``: ``detail`` is the whole message, without the status text before it."""
    base = HTTP_MESSAGES.get(status, "Error")
    if verbatim and detail:
        message = detail
    else:
        message = f"{base}: {detail}" if detail else base
    return json_response(
        {"error": {"code": status, "message": message}}, status=status, headers=headers
    )


# --------------------------------------------------------------------------- value helpers
def truthy(value: Any) -> bool:
    """How stored values read as booleans (the API sometimes returns 1, "1", "" or "0")."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def parse_timestamp(value: Any) -> float | None:
    """A stored timestamp ("+00:00", "+0000", "Z", none, or "" = never) as epoch seconds."""
    if not isinstance(value, str) or not value.strip():
        return None
    m = _ISO_TS.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:
        return None
    dt = dt.replace(tzinfo=_parse_offset(tz))
    return dt.timestamp()


def _parse_offset(tz: str | None) -> timezone:
    if tz is None or tz == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _as_bool(item: dict[str, Any], key: str) -> bool:
    """Booleans on write: true/false, "yes"/"no", "true"/"false" (docs), and 1/0 ("change
    active to 1" in the update notes). Anything else fails the item."""
    value = item[key]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "yes", "1"):
            return True
        if v in ("false", "no", "0"):
            return False
    raise ItemError(f"Invalid value for {key}: expected true or false")


def _as_int(item: dict[str, Any], key: str, *, minimum: int | None = 0) -> int:
    """Integers (ids) may come as JSON numbers or as digit strings (official examples)."""
    value = item[key]
    out: int | None = None
    if isinstance(value, bool):
        out = None
    elif isinstance(value, int):
        out = value
    elif isinstance(value, float) and value.is_integer():
        out = int(value)
    elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        out = int(value.strip())
    if out is None or (minimum is not None and out < minimum):
        raise ItemError(f"Invalid value for {key}: expected an integer")
    return out


def _as_number(item: dict[str, Any], key: str) -> int | float:
    value = item[key]
    num: float | None = None
    if isinstance(value, bool):
        num = None
    elif isinstance(value, (int, float)):
        num = float(value)
    elif isinstance(value, str):
        try:
            num = float(value.strip())
        except ValueError:
            num = None
    if num is None or num != num or num in (float("inf"), float("-inf")):
        raise ItemError(f"Invalid value for {key}: expected a number")
    return int(num) if num.is_integer() else num


def _as_text(item: dict[str, Any], key: str, *, numbers_ok: bool = False) -> str:
    value = item[key]
    if isinstance(value, str):
        return value
    if numbers_ok and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ItemError(f"Invalid value for {key}: expected a string")


def _required_text(item: dict[str, Any], key: str) -> str:
    if key not in item or item[key] is None:
        raise ItemError(f"{key} is required")
    text = _as_text(item, key)
    if not text.strip():
        raise ItemError(f"{key} is required")
    return text


def _as_date(item: dict[str, Any], key: str) -> str:
    """``YYYY-MM-DD``; "" and "0000-00-00" clear the date (stored as "0000-00-00")."""
    value = _as_text(item, key)
    if value in ("", "0000-00-00"):
        return "0000-00-00"
    if not _DATE.match(value):
        raise ItemError(f"Invalid value for {key}: expected YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise ItemError(f"Invalid value for {key}: expected YYYY-MM-DD") from exc
    return value


def _fold(text: Any) -> str:
    """Comparison key for names and codes.

    Choice: uniqueness checks are case-insensitive and ignore surrounding blanks (the docs are
    silent; the service runs on a case-insensitive database collation, and the stricter
    reading makes a client that relies on case to tell two customers apart fail here first).
    """
    return str(text or "").strip().casefold()


def _check_params(item: dict[str, Any], allowed: Iterable[str]) -> None:
    """Read-only, write-only-elsewhere and unknown properties fail the item, as the live API
    does for ``geofence_config_id`` on jobcodes (api_docs issue #90)."""
    allowed_set = set(allowed)
    bad = sorted(k for k in item if k not in allowed_set)
    if bad:
        raise ItemError("Invalid param(s): " + ", ".join(bad))


def _echo(item: Any, keys: Iterable[str]) -> dict[str, Any]:
    """What a failed element carries back: a few identifying input fields, as given."""
    if not isinstance(item, dict):
        return {}
    return {k: item[k] for k in keys if k in item and not isinstance(item[k], (dict, list))}


# --------------------------------------------------------------------------- query helpers
class _Query:
    """Typed access to filter parameters. A badly typed value is a whole-request 417."""

    def __init__(self, args: Any) -> None:
        self.args = args

    def raw(self, name: str) -> str | None:
        value = self.args.get(name)
        if value is None:
            return None
        value = value.strip()
        return value if value != "" else None

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    def int_list(self, name: str, *, allow_negative: bool = False) -> list[int] | None:
        value = self.raw(name)
        if value is None:
            return None
        pattern = r"-?\d+" if allow_negative else r"\d+"
        out: list[int] = []
        for part in value.split(","):
            part = part.strip()
            if not re.fullmatch(pattern, part):
                raise ApiError(417, f"{name} must be a comma separated list of integers")
            out.append(int(part))
        return out

    def one_int(self, name: str, *, allow_negative: bool = False) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if not re.fullmatch(r"-?\d+" if allow_negative else r"\d+", value):
            raise ApiError(417, f"{name} must be an integer")
        return int(value)

    def str_list(self, name: str) -> list[str] | None:
        value = self.raw(name)
        if value is None:
            return None
        return [p.strip() for p in value.split(",") if p.strip()]

    def choice(self, name: str, choices: Iterable[str], default: str) -> str:
        value = self.raw(name)
        if value is None:
            return default
        value = value.lower()
        options = tuple(choices)
        if value not in options:
            raise ApiError(417, f"{name} must be one of: " + ", ".join(options))
        return value

    def choices(self, name: str, choices: Iterable[str]) -> list[str] | None:
        values = self.str_list(name)
        if values is None:
            return None
        options = tuple(choices)
        out = [v.lower() for v in values]
        for v in out:
            if v not in options:
                raise ApiError(
                    417, f"{name} must be a comma separated list of: " + ", ".join(options)
                )
        return out

    def boolean(self, name: str) -> bool | None:
        value = self.raw(name)
        if value is None:
            return None
        v = value.lower()
        if v in ("true", "yes", "1"):
            return True
        if v in ("false", "no", "0"):
            return False
        raise ApiError(417, f"{name} must be true or false")

    def timestamp(self, name: str) -> float | None:
        """ISO 8601 with an offset (``YYYY-MM-DDThh:mm:ss±hh:mm``). An unencoded ``+`` arrives
        as a blank and fails, exactly as it would against the real service."""
        value = self.raw(name)
        if value is None:
            return None
        m = _ISO_TS.match(value)
        if not m or m.group(7) is None or " " in value:
            raise ApiError(
                417,
                f"{name} must be an ISO 8601 date/time with offset, e.g. 2018-01-01T00:00:00-06:00",
            )
        ts = parse_timestamp(value)
        if ts is None:
            raise ApiError(417, f"{name} is not a valid date/time")
        return ts

    def day(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError as exc:
            raise ApiError(417, f"{name} must be a YYYY-MM-DD date") from exc
        return value

    def supplemental(self) -> bool:
        return self.choice("supplemental_data", ("yes", "no"), "yes") == "yes"


def _name_matcher(pattern: str) -> Callable[[Any], bool]:
    """Docs: "* will be interpreted as a wild card. Starts matching from the beginning of the
    string." Choice: without a ``*`` the whole name must match; case-insensitive."""
    regex = re.compile(
        "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$", re.IGNORECASE | re.DOTALL
    )
    return lambda value: bool(regex.match(str(value or "")))


def _modified_ok(obj: dict[str, Any], since: float | None, before: float | None) -> bool:
    """Choice: both bounds are exclusive (``>`` since, ``<`` before); the docs are silent, and
    an exclusive ``modified_since`` makes clients keep a safety overlap."""
    if since is None and before is None:
        return True
    ts = parse_timestamp(obj.get("last_modified")) or 0.0
    if since is not None and not ts > since:
        return False
    return not (before is not None and not ts < before)


def _sort_key(obj: dict[str, Any]) -> tuple[int, str]:
    oid = obj.get("id")
    return (oid, "") if isinstance(oid, int) else (0, str(oid))


class _Rows:
    """The rows of one stored list by a key, caught up with the rows appended since it was
    made (writes append their new rows; rows are removed only through
    :meth:`QBTimeSimulator._removed`, which drops this, as a save by someone else drops all).
    A row whose key changes in place is added again under its new key
    (:meth:`QBTimeSimulator._rekeyed`); its old entry stays, so callers check every row they
    get as the scan they replace did."""

    __slots__ = ("by", "coll", "filed", "key", "seen")

    def __init__(self, coll: list[Any], key: Callable[[dict[str, Any]], Any]) -> None:
        self.coll = coll
        self.key = key
        self.seen = 0
        self.by: dict[Any, list[dict[str, Any]]] = {}
        self.filed: dict[int, Any] = {}  # id(row) -> the key it was last filed under

    def get(self, value: Any) -> list[dict[str, Any]]:
        if len(self.coll) < self.seen:  # (shrunk without _removed: start again)
            self.seen, self.by, self.filed = 0, {}, {}
        if len(self.coll) > self.seen:
            for obj in self.coll[self.seen :]:
                self.add(obj)
            self.seen = len(self.coll)
        return self.by.get(value, [])

    def add(self, obj: Any) -> None:
        if isinstance(obj, dict):
            key = self.key(obj)
            if id(obj) in self.filed and self.filed[id(obj)] == key:
                return
            self.filed[id(obj)] = key
            self.by.setdefault(key, []).append(obj)


# --------------------------------------------------------------------------- timesheets & time off
TIMESHEET_CREATE = frozenset(
    {
        "user_id",
        "jobcode_id",
        "type",
        "start",
        "end",
        "date",
        "duration",
        "notes",
        "customfields",
        "attached_files",
    }
)
TIMESHEET_UPDATE = frozenset(
    {
        "id",
        "jobcode_id",
        "type",
        "start",
        "end",
        "date",
        "duration",
        "notes",
        "customfields",
        "attached_files",
    }
)
TIME_OFF_STATUSES = ("pending", "approved", "denied", "canceled")
REPORT_PARAMS = frozenset(
    {
        "start_date",
        "end_date",
        "user_ids",
        "group_ids",
        "include_zero_time",
        "advanced_overtime",
    }
)
#: Dates that mean "never" rather than a day (the official user examples: "2000-01-01").
NEVER_DATES = ("", "0000-00-00", "2000-01-01")


def _parse_iso(value: str) -> datetime | None:
    """An ISO 8601 timestamp with an offset (``+hh:mm``, ``+hhmm`` or ``Z``), else None."""
    m = _ISO_TS.match(value.strip()) if isinstance(value, str) else None
    if not m or m.group(7) is None:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _offset_hours(offset: timedelta) -> int | float:
    hours = offset.total_seconds() / 3600
    return int(hours) if hours.is_integer() else hours


def _zone(name: Any) -> ZoneInfo | None:
    """The IANA zone ``name`` names, if it is one (``tz_str``/``tz_string``)."""
    if not isinstance(name, str) or "/" not in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _deleted_copy(ts: dict[str, Any], now: str) -> dict[str, Any]:
    """A deleted timesheet as ``/timesheets_deleted`` answers it (official example fields)."""
    keys = (
        "id",
        "user_id",
        "jobcode_id",
        "start",
        "end",
        "duration",
        "date",
        "tz",
        "tz_str",
        "type",
        "location",
    )
    row = {k: copy.deepcopy(ts.get(k, "")) for k in keys}
    row.update(
        {
            "active": "0",
            "locked": ts.get("locked", 0),
            "notes": ts.get("notes", ""),
            "last_modified": now,
        }
    )
    return row


def _check_report_params(data: dict[str, Any]) -> None:
    bad = sorted(k for k in data if k not in REPORT_PARAMS)
    if bad:
        raise ApiError(417, "Invalid param(s): " + ", ".join(bad))


def _report_ids(data: dict[str, Any], key: str) -> list[int] | None:
    """``user_ids``/``group_ids`` of a report body: a comma list or a JSON list of ids."""
    value = data.get(key)
    if value in (None, ""):
        return None
    parts = value if isinstance(value, list) else str(value).split(",")
    out: list[int] = []
    for part in parts:
        text = str(part).strip()
        if isinstance(part, bool) or not re.fullmatch(r"\d+", text):
            raise ApiError(417, f"{key} must be a comma separated list of integers")
        out.append(int(text))
    return out


def _shift_day(value: Any, days: int) -> Any:
    if not isinstance(value, str) or value in NEVER_DATES or not _DATE.match(value):
        return value
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def _shift_stamp(value: Any, days: int, zone: ZoneInfo | None = None) -> Any:
    """``value`` moved by ``days`` calendar days. With a zone the wall-clock time is kept and
    the offset is the zone's on the new day (a shift may cross a daylight-saving change)."""
    parsed = _parse_iso(value) if isinstance(value, str) else None
    if parsed is None:
        return value
    if zone is None:
        return (parsed + timedelta(days=days)).isoformat(timespec="seconds")
    local = parsed.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=zone).isoformat(timespec="seconds")


def shift_qbtime_dates(qb: dict[str, Any], days: int) -> None:
    """Move every date of worked and taken time in a QB Time state by ``days`` days: the
    timesheets (kept and deleted), time-off requests, entries and notes, and the users'
    ``submitted_to``/``approved_to`` (dates meaning "never" stay)."""
    for kind in ("timesheets", "timesheets_deleted"):
        for ts in qb.get(kind) or []:
            zone = _zone(ts.get("tz_str"))
            ts["date"] = _shift_day(ts.get("date"), days)
            for key in ("start", "end"):
                ts[key] = _shift_stamp(ts.get(key), days, zone)
            start = _parse_iso(ts.get("start") or "")
            if start is None and zone is not None and _DATE.match(str(ts.get("date", ""))):
                # A manual timesheet has no times: its day's offset in its zone.
                start = datetime.fromisoformat(ts["date"]).replace(tzinfo=zone)
            if start is not None:
                ts["tz"] = _offset_hours(start.utcoffset() or timedelta(0))
            for key in ("created", "last_modified"):
                if key in ts:
                    ts[key] = _shift_stamp(ts[key], days)
    for entry in qb.get("time_off_request_entries") or []:
        zone = _zone(entry.get("tz_string"))
        entry["date"] = _shift_day(entry.get("date"), days)
        for key in ("start_time", "end_time"):
            entry[key] = _shift_stamp(entry.get(key), days, zone)
        for key in ("created", "last_modified"):
            entry[key] = _shift_stamp(entry.get(key), days)
    for kind in ("time_off_requests", "time_off_request_notes"):
        for row in qb.get(kind) or []:
            for key in ("created", "last_modified"):
                row[key] = _shift_stamp(row.get(key), days)
    for user in qb.get("users") or []:
        for key in ("submitted_to", "approved_to"):
            if key in user:
                user[key] = _shift_day(user[key], days)


#: the rate windows kept across a restart of the Demo Company, in its state folder
RATE_WINDOW_FILE = "qbtime-rate-windows.json"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class _Viewer:
    """What the token's user may see and do (read from the store at each request)."""

    user_id: Any
    admin: bool
    manager: bool  # sees the private Users fields (docs: "managers and admins")
    granted: frozenset[str]  # the permissions set to true
    managed_groups: frozenset[Any]  # manager_of_group_ids

    def may(self, *permissions: str) -> bool:
        """An admin may do everything; else any one of ``permissions`` will do."""
        return self.admin or any(p in self.granted for p in permissions)

    def may_manage(self, user: dict[str, Any] | None) -> bool:
        """Docs (JobcodeAssignments): "you must be a group manager of the user you're making
        assignments for, be an admin, or have the `manage_users` permission". ``None``: every
        user at once (``user_id`` 0, assigned_to_all), which no group manager covers."""
        if self.may("manage_users"):
            return True
        group = user.get("group_id") if user is not None else None
        return bool(group) and group in self.managed_groups


# --------------------------------------------------------------------------- the simulator
class QBTimeSimulator:
    """QuickBooks Time API v1 over ``store.qbtime``. ``handle`` answers one werkzeug request."""

    def __init__(
        self, store: CompanyStore, clock: Clock, config: QBTimeConfig | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config or QBTimeConfig()
        self._windows: dict[str, tuple[float, int]] = {}  # token -> (window start, count)
        self._accepted: dict[str, deque[float]] = {}  # token -> accepted requests, sliding
        # windows an earlier run of the simulator saved: token hash -> (start, count, accepted)
        self._saved_windows: dict[str, tuple[float, int, list[float]]] = {}
        self._windows_lock = threading.Lock()
        self._load_windows()
        self._indexes: dict[str, tuple[list[Any], int, dict[Any, dict[str, Any]]]] = {}
        # What requests look rows up by (names, usernames...) and the highest id per kind,
        # so that a write of 50 rows never scans a list of 100,000 once per row; kept from
        # request to request (caught up with appended rows) while the store is saved by this
        # simulator only: a save by someone else (a test editing the data, then saving it)
        # makes them again.
        self._request = 0
        self._viewer_of: tuple[int, _Viewer] | None = None  # (request number, its viewer)
        self._saves_seen = -1
        self._lookups: dict[tuple[str, str], _Rows] = {}
        self._tops: dict[str, tuple[list[Any], int, int]] = {}
        self._routes: dict[str, dict[str, Callable[[Request, _Query], Response]]] = {
            "current_user": {"GET": self._get_current_user},
            "effective_settings": {"GET": self._get_effective_settings},
            "last_modified_timestamps": {"GET": self._get_last_modified},
            "users": {"GET": self._get_users, "POST": self._post_users, "PUT": self._put_users},
            "jobcodes": {
                "GET": self._get_jobcodes,
                "POST": self._post_jobcodes,
                "PUT": self._put_jobcodes,
            },
            "jobcode_assignments": {
                "GET": self._get_assignments,
                "POST": self._post_assignments,
                "DELETE": self._delete_assignments,
            },
            "customfields": {
                "GET": self._get_customfields,
                "POST": self._post_customfields,
                "PUT": self._put_customfields,
            },
            "customfielditems": {
                "GET": self._get_items,
                "POST": self._post_items,
                "PUT": self._put_items,
            },
            "locations": {
                "GET": self._get_locations,
                "POST": self._post_locations,
                "PUT": self._put_locations,
            },
            "locations_map": {"GET": self._get_locations_map},
            "timesheets": {
                "GET": self._get_timesheets,
                "POST": self._post_timesheets,
                "PUT": self._put_timesheets,
                "DELETE": self._delete_timesheets,
            },
            "timesheets_deleted": {"GET": self._get_timesheets_deleted},
            "time_off_requests": {"GET": self._get_time_off_requests},
            "time_off_request_entries": {"GET": self._get_time_off_request_entries},
            "reports/payroll": {"POST": self._post_payroll_report},
        }
        self._replay_now: float | None = None
        self._request_now: float | None = None
        self._writing: dict[str, Any] | None = None
        with self.store.lock:
            self._normalize()
            self._shift_demo_dates()
            self._replay_journal()

    # ------------------------------------------------------------------ entry point
    def handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except ApiError as exc:
            return qbtime_error_response(exc.status, exc.detail, exc.headers, verbatim=exc.verbatim)

    def _handle(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(API_PREFIX):
            raise ApiError(404)
        self._authenticate(request)
        endpoint = path[len(API_PREFIX) :]
        route = self._routes.get(endpoint)
        if route is None:
            raise ApiError(404)
        handler = route.get(request.method)
        if handler is None:
            raise ApiError(405, headers={"Allow": ", ".join(route)})
        with self.store.lock:
            self._new_request()
            if request.method in ("POST", "PUT") and endpoint in WRITE_PERMISSIONS:
                if not self._viewer().may(*WRITE_PERMISSIONS[endpoint]):
                    raise ApiError(401, PERMISSION_REFUSED, verbatim=True)
            if request.method in ("POST", "PUT", "DELETE"):
                self._writing = {
                    "method": request.method,
                    "endpoint": endpoint,
                    "query": request.query_string.decode("latin-1"),
                    "body": request.get_data().decode("utf-8", "replace"),
                }
            try:
                return handler(request, _Query(request.args))
            finally:
                self._writing = None

    def _new_request(self) -> None:
        self._request += 1
        self._request_now = None
        if self.store.saves != self._saves_seen:
            self._forget()

    def _forget(self) -> None:
        """Drop every index: the next lookups read the stored lists afresh."""
        self._indexes.clear()
        self._lookups.clear()
        self._tops.clear()
        self._saves_seen = self.store.saves

    # ------------------------------------------------------------------ persistence
    def _persist(self) -> None:
        """After a write changed something, before it answers: on disk. A small company is
        saved whole; a large one gets the request in the store's journal (replayed at the
        next start, at the same clock reading, to the same result)."""
        if self._replay_now is not None:
            return
        if self._writing is not None and self.store.journaling():
            self.store.append_journal({**self._writing, "now": self._request_now})
        else:
            self.store.save("qbtime")
            self._saves_seen = self.store.saves  # (our own save: the indexes still hold)

    def _replay_journal(self) -> None:
        """Apply the write requests the journal holds (see CompanyStore), then save whole."""
        entries, self.store.pending_journal = self.store.pending_journal, []
        if not entries:
            return
        from werkzeug.test import EnvironBuilder

        for entry in entries:
            route = self._routes.get(str(entry.get("endpoint")), {})
            handler = route.get(str(entry.get("method")))
            if handler is None:
                continue
            builder = EnvironBuilder(
                path=API_PREFIX + str(entry["endpoint"]),
                method=str(entry["method"]),
                query_string=str(entry.get("query") or ""),
                data=str(entry.get("body") or "").encode("utf-8"),
                content_type="application/json",
            )
            try:
                request = builder.get_request()
            finally:
                builder.close()
            self._new_request()
            self._replay_now = float(entry.get("now") or self.clock.now())
            try:
                handler(request, _Query(request.args))
            except ApiError:
                pass  # (it was answered so then too: nothing was written)
            finally:
                self._replay_now = None
        self.store.save("qbtime")
        self._forget()

    def _authenticate(self, request: Request) -> None:
        """Bearer token, then the per-token rate limit (only known tokens are counted)."""
        expected = str(self.store.qbtime.get("token") or "")
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if (
            not expected
            or scheme.lower() != "bearer"
            or not token
            or not hmac.compare_digest(token.encode(), expected.encode())
        ):
            raise ApiError(401, "The access token is missing, expired, revoked or invalid")
        now = self.clock.now()
        window, limit = self.config.rate_window_s, self.config.rate_limit
        with self._windows_lock:
            self._window_of(token)
            start, count = self._windows.get(token, (now, 0))
            if now >= start + window:
                start, count = now, 0
            count += 1
            self._windows[token] = (start, count)
            accepted = self._accepted.setdefault(token, deque())
            while accepted and accepted[0] <= now - window:
                accepted.popleft()
            refused = count > limit or len(accepted) >= limit
            if not refused:
                accepted.append(now)
        if refused:
            # Docs: "you will continue to receive a 429 ... until you're out of the current
            # time window". No Retry-After: none is documented.
            raise ApiError(429)

    def _windows_file(self) -> Any:
        sdir = self.store.state_dir
        return None if sdir is None else sdir / RATE_WINDOW_FILE

    def _load_windows(self) -> None:
        """The rate windows as the service keeps them: a restart of the Demo Company (it
        ends with the app) does not give a key a fresh window, as the real service would
        not (tokens are kept hashed, as in the private state)."""
        path = self._windows_file()
        if path is None or not path.exists():
            return
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            self._saved_windows = {
                str(k): (float(v["start"]), int(v["count"]), [float(t) for t in v["accepted"]])
                for k, v in saved.items()
            }
        except (OSError, ValueError, TypeError, KeyError):
            return

    def _window_of(self, token: str) -> None:
        """A window saved by an earlier run of the simulator, for ``token`` (first request)."""
        if self._saved_windows and token not in self._windows:
            found = self._saved_windows.pop(_token_hash(token), None)
            if found is not None:
                self._windows[token] = (found[0], found[1])
                self._accepted[token] = deque(found[2])

    def save_windows(self) -> None:
        """Keep the rate windows for the next start (the Demo Company is stopping)."""
        path = self._windows_file()
        if path is None:
            return
        with self._windows_lock:
            data = {
                _token_hash(token): {
                    "start": start,
                    "count": count,
                    "accepted": list(self._accepted.get(token, [])),
                }
                for token, (start, count) in self._windows.items()
            }
            for key, (start, count, accepted) in self._saved_windows.items():
                data.setdefault(key, {"start": start, "count": count, "accepted": accepted})
        try:
            atomic_write_json(path, data)
        except OSError:
            pass

    # ------------------------------------------------------------------ state helpers
    @property
    def qb(self) -> dict[str, Any]:
        return self.store.qbtime

    def _coll(self, kind: str) -> list[dict[str, Any]]:
        """The stored list of ``kind`` for reading (an absent key stays absent)."""
        coll = self.qb.get(kind)
        return coll if isinstance(coll, list) else []

    def _mut(self, kind: str) -> list[dict[str, Any]]:
        """The stored list of ``kind`` for writing (created when absent). Rows are appended
        to it; a write that removes rows calls :meth:`_removed` after."""
        coll = self.qb.get(kind)
        if not isinstance(coll, list):
            coll = []
            self.qb[kind] = coll
        return coll

    def _find(self, kind: str, oid: Any) -> dict[str, Any] | None:
        if isinstance(oid, bool) or not isinstance(oid, (int, str)):
            return None
        return self._index(kind).get(oid)

    def _index(self, kind: str) -> dict[Any, dict[str, Any]]:
        """id -> object, rebuilt when the list was replaced or shrank; rows appended since
        are added (writes append rows; one that removes rows calls :meth:`_removed`, and a
        save by someone else drops every index: see :meth:`_new_request`)."""
        coll = self._coll(kind)
        cached = self._indexes.get(kind)
        if cached is None or cached[0] is not coll or cached[1] > len(coll):
            index = {o.get("id"): o for o in coll if isinstance(o, dict)}
            cached = (coll, len(coll), index)
            self._indexes[kind] = cached
        elif cached[1] < len(coll):
            index = cached[2]
            for o in coll[cached[1] :]:
                if isinstance(o, dict):
                    index[o.get("id")] = o
            cached = (coll, len(coll), index)
            self._indexes[kind] = cached
        return cached[2]

    def _removed(self, kind: str) -> None:
        """Rows of ``kind`` were removed: what was built over them is made again."""
        self._indexes.pop(kind, None)
        self._tops.pop(kind, None)
        for key in [k for k in self._lookups if k[0] == kind]:
            del self._lookups[key]

    def _lookup(self, kind: str, name: str, key: Callable[[dict[str, Any]], Any]) -> _Rows:
        """The rows of ``kind`` by ``key`` (named ``name``)."""
        coll = self._coll(kind)
        rows = self._lookups.get((kind, name))
        if rows is None or rows.coll is not coll:
            rows = _Rows(coll, key)
            self._lookups[(kind, name)] = rows
        return rows

    def _rekeyed(self, kind: str, obj: dict[str, Any]) -> None:
        """``obj`` (of ``kind``) changed a field some lookup keys it by: file it again."""
        for (k, _name), rows in self._lookups.items():
            if k == kind:
                rows.add(obj)

    def _new_id(self, kind: str) -> int:
        """One more than the highest id of ``kind`` (the rows appended since the last call of
        this request are the only ones read again)."""
        coll = self._coll(kind)
        cached = self._tops.get(kind)
        if cached is None or cached[0] is not coll or len(coll) < cached[1]:
            start, top = 0, ID_BASE[kind]
        else:
            start, top = cached[1], cached[2]
        for o in coll[start:]:
            i = o.get("id")
            if isinstance(i, int) and not isinstance(i, bool) and i > top:
                top = i
        self._tops[kind] = (coll, len(coll), top)
        return top + 1

    def _now(self) -> str:
        """The clock now, read once per request (a replayed write reads the one it had)."""
        if self._replay_now is not None:
            return iso_offset(self._replay_now)
        if self._request_now is None:
            self._request_now = self.clock.now()
        return iso_offset(self._request_now)

    def _company(self) -> dict[str, Any]:
        company = self.qb.get("company")
        return company if isinstance(company, dict) else {}

    def _children(self, jid: int) -> list[dict[str, Any]]:
        rows = self._lookup("jobcodes", "parent_id", lambda j: j.get("parent_id")).get(jid)
        return [j for j in rows if j.get("parent_id") == jid and j.get("id") != jid]

    def _descendants(self, jid: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        stack = [jid]
        seen = {jid}
        while stack:
            for child in self._children(stack.pop()):
                if child["id"] not in seen:
                    seen.add(child["id"])
                    out.append(child)
                    stack.append(child["id"])
        return out

    def _ancestors(self, jobcode: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen = {jobcode.get("id")}
        parent_id = jobcode.get("parent_id")
        while parent_id:
            parent = self._find("jobcodes", parent_id)
            if parent is None or parent["id"] in seen:
                break
            seen.add(parent["id"])
            out.append(parent)
            parent_id = parent.get("parent_id")
        return out

    def _dialin_installed(self) -> bool:
        settings = self._effective_settings()
        section = settings.get("dialin") if isinstance(settings, dict) else None
        if isinstance(section, dict) and isinstance(section.get("settings"), dict):
            return truthy(section["settings"].get("installed"))
        return False

    # ------------------------------------------------------------------ normalization
    def _normalize(self) -> None:
        """Derive the rows the company file may leave out (kept in memory, saved on the next
        write): a ``user_id`` 0 assignment per ``assigned_to_all`` jobcode, and a
        ``locations_map`` row per location <-> jobcode link. Ids are deterministic."""
        covered = {
            r.get("jobcode_id")
            for r in self._coll("jobcode_assignments")
            if r.get("user_id") == 0 and truthy(r.get("active"))
        }
        next_id = self._new_id("jobcode_assignments")
        for jobcode in sorted(self._coll("jobcodes"), key=_sort_key):
            if (
                truthy(jobcode.get("assigned_to_all"))
                and truthy(jobcode.get("active", True))
                and jobcode.get("id") not in covered
            ):
                ts = jobcode.get("last_modified") or self._now()
                self._mut("jobcode_assignments").append(
                    {
                        "id": next_id,
                        "user_id": 0,
                        "jobcode_id": jobcode["id"],
                        "active": True,
                        "last_modified": ts,
                        "created": ts,
                    }
                )
                next_id += 1
        if "locations_map" not in self.qb:
            next_id = self._new_id("locations_map")
            for location in sorted(self._coll("locations"), key=_sort_key):
                ts = location.get("created") or location.get("last_modified") or self._now()
                for jid in self._linked_jobcodes(location):
                    self._mut("locations_map").append(
                        {
                            "id": next_id,
                            "x_table": "job_codes",
                            "x_id": jid,
                            "location_id": location["id"],
                            "created": ts,
                            "last_modified": ts,
                        }
                    )
                    next_id += 1

    # ------------------------------------------------------------------ GET plumbing
    def _page_size(self, q: _Query) -> int:
        # Docs (limit): "If present, this value must be: an integer, greater than zero, and
        # not greater than 200": an empty ``limit=`` is present, and refused like ``limit=0``.
        if q.args.get("limit") is not None:
            limit = q.args.get("limit").strip()
            if not re.fullmatch(r"-?\d+", limit) or not 1 <= int(limit) <= self.config.max_limit:
                raise ApiError(417, f"limit must be an integer from 1 to {self.config.max_limit}")
            return int(limit)
        if q.raw("per_page") is not None:
            per_page = q.raw("per_page") or ""
            if not re.fullmatch(r"-?\d+", per_page) or int(per_page) < 1:
                raise ApiError(417, "per_page must be a positive integer")
            # Deprecated; "If a value over 50 is provided, it is ignored, and the max is used."
            return min(int(per_page), 50)
        return self.config.max_limit

    def _page_number(self, q: _Query) -> int:
        page = q.args.get("page")
        if page is None:
            return 1
        page = page.strip()  # (an empty ``page=`` is refused, as an empty ``limit=``)
        if not re.fullmatch(r"\d+", page) or int(page) < 1:
            raise ApiError(417, "page must be a positive integer")
        return int(page)

    def _list(
        self,
        q: _Query,
        kind: str,
        rows: list[dict[str, Any]],
        supplemental: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
        transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        *,
        ordered: bool = False,
    ) -> Response:
        """One page of ``rows`` (sorted by id unless ``ordered``). An empty page is ``[]``, not
        ``{}``: the service's PHP encoder writes an empty map as a list (third-party clients
        report ``"results":{"timesheets":[]}``; the official examples show ``[]`` for empty
        maps too, e.g. projects' ``filtered_customfielditems``)."""
        size, page, want_sup = self._page_size(q), self._page_number(q), q.supplemental()
        if not ordered:
            rows = sorted(rows, key=_sort_key)
        start = (page - 1) * size
        chunk = rows[start : start + size]
        out_rows = [transform(o) if transform else copy.deepcopy(o) for o in chunk]
        block: dict[str, Any] | list[Any] = {str(o["id"]): o for o in out_rows} or []
        payload: dict[str, Any] = {
            "results": {kind: block},
            "more": len(rows) > start + size,
        }
        if want_sup and supplemental:
            sup = supplemental(chunk)
            if sup:
                payload["supplemental_data"] = sup
        return json_response(payload)

    @staticmethod
    def _sup_add(sup: dict[str, dict[str, Any]], kind: str, obj: dict[str, Any] | None) -> None:
        if obj is not None and "id" in obj:
            sup.setdefault(kind, {})[str(obj["id"])] = copy.deepcopy(obj)

    # ------------------------------------------------------------------ write plumbing
    def _batch(self, request: Request) -> list[Any]:
        """The ``{"data":[...]}`` body of a POST/PUT.

        Choices (the docs give 417 for "missing or malformed params" and 400 for "something
        wrong with your request"): a missing/other Content-Type -> 417; a body that is not
        JSON -> 400; an empty body, no ``data`` list or an empty one -> 417; more than
        ``max_batch`` elements -> 413 and nothing is written.
        """
        if request.mimetype != "application/json":
            raise ApiError(417, "the Content-Type: application/json header is required")
        try:
            body = read_json(request)
        except ValueError as exc:
            if str(exc) == "empty body":
                raise ApiError(417, 'a JSON body {"data":[...]} is required') from exc
            raise ApiError(400, str(exc)) from exc
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ApiError(417, 'the body must be {"data":[...]}')
        data = body["data"]
        if not data:
            raise ApiError(417, "data must hold at least one object")
        if len(data) > self.config.max_batch:
            raise ApiError(413, f"at most {self.config.max_batch} objects per request")
        return data

    def _write(
        self,
        request: Request,
        q: _Query,
        kind: str,
        ok_message: str,
        op: Callable[[dict[str, Any], str], tuple[int, dict[str, Any]]],
        echo_keys: Iterable[str],
        supplemental: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
        transform: Callable[[dict[str, Any]], dict[str, Any]] = copy.deepcopy,
    ) -> Response:
        want_sup = q.supplemental()
        data = self._batch(request)
        now = self._now()
        results: dict[str, Any] = {}
        done: list[dict[str, Any]] = []
        keys = tuple(echo_keys)
        for index, item in enumerate(data, start=1):
            try:
                if not isinstance(item, dict):
                    raise ItemError("each element of data must be an object")
                code, obj = op(item, now)
            except ItemError as exc:
                results[str(index)] = {
                    "_status_code": exc.status,
                    "_status_message": HTTP_MESSAGES.get(exc.status, "Error"),
                    "_status_extra": exc.extra,
                    **_echo(item, keys),
                }
                continue
            message = ok_message if code == 200 else "Accepted"
            results[str(index)] = {
                "_status_code": code,
                "_status_message": message,
                **transform(obj),
            }
            done.append(obj)
        if done:
            self._persist()
        payload: dict[str, Any] = {"results": {kind: results}}
        if want_sup and supplemental and done:
            sup = supplemental(done)
            if sup:
                payload["supplemental_data"] = sup
        return json_response(payload)

    # ================================================================== current user & settings
    def _viewer(self) -> _Viewer:
        """The token's user's rights (none when that user is gone), once per request."""
        cached = self._viewer_of
        if cached is not None and cached[0] == self._request:
            return cached[1]
        viewer = self._read_viewer()
        self._viewer_of = (self._request, viewer)
        return viewer

    def _read_viewer(self) -> _Viewer:
        user = self._find("users", self.qb.get("current_user_id"))
        stored = user.get("permissions") if user is not None else None
        perms: dict[str, Any] = stored if isinstance(stored, dict) else {}
        granted = frozenset(
            PERMISSION_ALIASES.get(str(k), str(k)) for k, v in perms.items() if truthy(v)
        )
        groups = user.get("manager_of_group_ids") if user is not None else None
        managed = frozenset(groups) if isinstance(groups, list) else frozenset()
        admin = "admin" in granted
        manager = bool(managed) or any(name in granted for name in MANAGER_PERMISSIONS)
        return _Viewer(
            user.get("id") if user is not None else None, admin, manager, granted, managed
        )

    @staticmethod
    def _user_view(user: dict[str, Any], viewer: _Viewer) -> dict[str, Any]:
        """A copy of ``user`` as ``viewer`` may see it (GET users, current_user, every
        supplemental ``users`` block, the answers of user writes)."""
        shown = copy.deepcopy(user)
        if not viewer.admin:  # docs (Users): pay_rate and pay_interval "Only visible to admins"
            shown.pop("pay_rate", None)
            shown.pop("pay_interval", None)
        if not viewer.admin and not viewer.manager:
            # Docs (Users): these fields "are considered private and are exposed only to
            # managers and admins": a team member's key does not see its own permissions.
            for name in PRIVATE_USER_FIELDS:
                shown.pop(name, None)
        return shown

    def _sup_user(self, sup: dict[str, dict[str, Any]], user: dict[str, Any] | None) -> None:
        """A supplemental ``users`` entry, as the token's user may see it."""
        if user is not None and "id" in user:
            sup.setdefault("users", {})[str(user["id"])] = self._user_view(user, self._viewer())

    def _get_current_user(self, request: Request, q: _Query) -> Response:
        user = self._find("users", self.qb.get("current_user_id"))
        if user is None:
            raise ApiError(401, "the token's user no longer exists")
        shown = self._user_view(user, self._viewer())
        payload: dict[str, Any] = {
            "results": {"users": {str(user["id"]): shown}},
            "more": False,
        }
        sup = self._users_supplemental([user])
        if sup:
            payload["supplemental_data"] = sup
        return json_response(payload)

    def _effective_settings(self) -> dict[str, Any]:
        stored = self.qb.get("effective_settings")
        if isinstance(stored, dict) and stored:
            return stored
        return default_effective_settings(self.config, self._company())

    def _get_effective_settings(self, request: Request, q: _Query) -> Response:
        user_id = q.one_int("user_id")
        if user_id is not None and self._find("users", user_id) is None:
            raise ApiError(417, "user_id does not match a user of this company")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        sections = {
            name: copy.deepcopy(section)
            for name, section in self._effective_settings().items()
            if _modified_ok(section if isinstance(section, dict) else {}, since, before)
        }
        return json_response({"results": {"effective_settings": sections}})

    def _get_last_modified(self, request: Request, q: _Query) -> Response:
        names = q.str_list("endpoints")
        if names is None:
            names = list(LAST_MODIFIED_DEFAULT)
        known = set(LAST_MODIFIED_DEFAULT) | set(LAST_MODIFIED_EXTRA)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ApiError(417, "unknown endpoint(s): " + ", ".join(unknown))
        stamps = {name: self._last_modified_of(name) for name in dict.fromkeys(names)}
        return json_response({"results": {"last_modified_timestamps": stamps}})

    def _last_modified_of(self, endpoint: str) -> str:
        def latest(objs: Iterable[Any], key: str = "last_modified") -> str:
            best: tuple[float, str] | None = None
            for obj in objs:
                if not isinstance(obj, dict):
                    continue
                ts = parse_timestamp(obj.get(key))
                if ts is not None and (best is None or ts > best[0]):
                    best = (ts, iso_offset(ts))
            return best[1] if best else NEVER_MODIFIED

        if endpoint == "current_user":
            user = self._find("users", self.qb.get("current_user_id"))
            return latest([user] if user else [])
        if endpoint == "effective_settings":
            return latest(self._effective_settings().values())
        coll = self.qb.get(endpoint)
        return latest(coll if isinstance(coll, list) else [])

    # ================================================================== users
    def _users_supplemental(self, users: list[dict[str, Any]]) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        for user in users:
            balances = user.get("pto_balances")
            if isinstance(balances, dict):
                for jid in balances:
                    jobcode = self._find("jobcodes", int(jid)) if str(jid).isdigit() else None
                    if jobcode is not None:
                        self._sup_add(sup, "jobcodes", self._jobcode_out(False)(jobcode))
            group_id = user.get("group_id")
            if group_id:
                for group in self.qb.get("groups") or []:
                    if isinstance(group, dict) and group.get("id") == group_id:
                        self._sup_add(sup, "groups", group)
        return sup

    def _get_users(self, request: Request, q: _Query) -> Response:
        ids, not_ids = q.int_list("ids"), q.int_list("not_ids")
        numbers = q.int_list("employee_numbers")
        usernames = q.str_list("usernames")
        group_ids, not_group_ids = q.int_list("group_ids"), q.int_list("not_group_ids")
        payroll_ids = q.str_list("payroll_ids")
        active = q.choice("active", ACTIVE_CHOICES, "yes")
        first = q.raw("first_name")
        last = q.raw("last_name")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        match_first = _name_matcher(first) if first is not None else None
        match_last = _name_matcher(last) if last is not None else None
        wanted_usernames = {_fold(u) for u in usernames} if usernames is not None else None

        def keep(u: dict[str, Any]) -> bool:
            return all(
                (
                    ids is None or u.get("id") in ids,
                    not_ids is None or u.get("id") not in not_ids,
                    numbers is None or u.get("employee_number") in numbers,
                    wanted_usernames is None or _fold(u.get("username")) in wanted_usernames,
                    group_ids is None or u.get("group_id") in group_ids,
                    not_group_ids is None or u.get("group_id") not in not_group_ids,
                    payroll_ids is None or str(u.get("payroll_id", "")) in payroll_ids,
                    active == "both" or truthy(u.get("active")) == (active == "yes"),
                    match_first is None or match_first(u.get("first_name")),
                    match_last is None or match_last(u.get("last_name")),
                    _modified_ok(u, since, before),
                )
            )

        rows = [u for u in self._coll("users") if keep(u)]
        viewer = self._viewer()
        return self._list(
            q, "users", rows, self._users_supplemental, lambda u: self._user_view(u, viewer)
        )

    def _post_users(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "users",
            "Created",
            self._user_create,
            ("username", "first_name", "last_name"),
            self._users_supplemental,
            self._users_out(),
        )

    def _put_users(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "users",
            "Updated",
            self._user_update,
            ("id", "username", "first_name", "last_name"),
            self._users_supplemental,
            self._users_out(),
        )

    def _users_out(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        viewer = self._viewer()
        return lambda user: self._user_view(user, viewer)

    def _user_by_username(self, username: str, exclude: int | None = None) -> dict[str, Any] | None:
        key = _fold(username)
        rows = self._lookup("users", "username", lambda u: _fold(u.get("username")))
        for user in rows.get(key):
            if user.get("id") != exclude and _fold(user.get("username")) == key:
                return user
        return None

    def _user_fields(self, item: dict[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
        """Validate the writable user fields of ``item``; answer the changed values."""
        uid = user.get("id") if user else None
        out: dict[str, Any] = {}
        for key in ("first_name", "last_name"):
            if key in item:
                out[key] = _required_text(item, key)
        if "username" in item:
            username = _required_text(item, "username")
            other = self._user_by_username(username, exclude=uid)
            if other is not None:
                raise ItemError("Oops! That username is already in use")
            out["username"] = username
        for key in ("display_name",):
            if key in item:
                out[key] = _as_text(item, key)
        for key in ("mobile_number", "payroll_id"):
            if key in item:
                out[key] = _as_text(item, key, numbers_ok=True)
        if out.get("payroll_id"):
            key = _fold(out["payroll_id"])
            rows = self._lookup("users", "payroll_id", lambda u: _fold(u.get("payroll_id")))
            for other in rows.get(key):
                if other.get("id") != uid and _fold(other.get("payroll_id")) == key:
                    raise ItemError("Oops! That payroll id is already in use by another user")
        if "email" in item:
            email = _as_text(item, "email").strip()
            if email and not _EMAIL.match(email):
                raise ItemError("Invalid value for email: not an email address")
            out["email"] = email
        for key in ("active", "salaried", "exempt", "require_password_change"):
            if key in item:
                out[key] = _as_bool(item, key)
        if "employee_number" in item:
            out["employee_number"] = _as_int(item, "employee_number")
        if "group_id" in item:
            group_id = _as_int(item, "group_id")
            groups = {g.get("id") for g in self.qb.get("groups") or [] if isinstance(g, dict)}
            if group_id != 0 and group_id not in groups:
                raise ItemError("Invalid value for group_id: no such group")
            out["group_id"] = group_id
        for key in ("hire_date", "term_date", "submitted_to", "approved_to"):
            if key in item:
                out[key] = _as_date(item, key)
        if "login_pin" in item:  # write-only: checked, never shown
            _as_int(item, "login_pin")
        if "password" in item:  # deprecated, write-only: checked, never shown
            _as_text(item, "password")
        if "permissions" in item:
            perms = item["permissions"]
            if not isinstance(perms, dict):
                raise ItemError("Invalid value for permissions: expected an object")
            current = dict(PERMISSION_DEFAULTS)
            if user and isinstance(user.get("permissions"), dict):
                current.update(user["permissions"])
            for name in perms:
                key = PERMISSION_ALIASES.get(str(name), str(name))
                if key not in PERMISSION_DEFAULTS:
                    raise ItemError(f"Invalid param(s): permissions.{name}")
                current[key] = _as_bool(perms, name)
            out["permissions"] = current
        if "customfields" in item:
            values = item["customfields"]
            if values == "":
                values = {}
            if not isinstance(values, dict):
                raise ItemError("Invalid value for customfields: expected an object")
            clean: dict[str, str] = {}
            for cf_id, value in values.items():
                field = self._find("customfields", int(cf_id)) if str(cf_id).isdigit() else None
                if field is None or field.get("applies_to") != "user":
                    raise ItemError(
                        f"Invalid value for customfields: {cf_id} is not a user custom field"
                    )
                if not isinstance(value, str):
                    raise ItemError("Invalid value for customfields: values must be strings")
                clean[str(cf_id)] = value
            out["customfields"] = clean or ""
        return out

    def _user_create(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, USER_WRITABLE)
        for key in ("username", "first_name", "last_name"):
            _required_text(item, key)
        fields = self._user_fields(item, None)
        company = self._company()
        by_type = self._lookup("jobcodes", "type", lambda j: j.get("type"))
        time_off = [j for t in TIME_OFF_TYPES for j in by_type.get(t)]
        balances = {
            str(j["id"]): 0
            for j in sorted(time_off, key=_sort_key)
            if j.get("type") in TIME_OFF_TYPES
        }
        permissions = fields.pop("permissions", dict(PERMISSION_DEFAULTS))
        user: dict[str, Any] = {
            "id": self._new_id("users"),
            "first_name": fields.pop("first_name"),
            "last_name": fields.pop("last_name"),
            "group_id": 0,
            "active": True,
            "employee_number": 0,
            "salaried": False,
            "exempt": False,
            "username": fields.pop("username"),
            "email": "",
            "email_verified": False,
            "payroll_id": "",
            "hire_date": "0000-00-00",
            "term_date": "0000-00-00",
            "last_modified": now,
            "last_active": "",
            "created": now,
            "client_url": str(company.get("client_url", "")),
            "company_name": str(company.get("name", "")),
            "profile_image_url": "",
            "display_name": "",
            "mobile_number": "",
            "pto_balances": balances,
            "submitted_to": "2000-01-01",
            "approved_to": "2000-01-01",
            "manager_of_group_ids": [],
            # New API users come back with true (official create example).
            "require_password_change": True,
            "pay_rate": 0,
            "pay_interval": "hour",
            "permissions": permissions,
            "customfields": "",
        }
        user.update(fields)
        self._mut("users").append(user)
        return 200, user

    def _user_update(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, USER_WRITABLE | {"id"})
        if "id" in item:
            uid = _as_int(item, "id", minimum=1)
            user = self._find("users", uid)
            if user is None:
                raise ItemError("Oops! No user has that id")
        elif "username" in item:
            user = self._user_by_username(_required_text(item, "username"))
            if user is None:
                raise ItemError("Oops! No user has that username")
            item = {k: v for k, v in item.items() if k != "username"}
        else:
            raise ItemError("id or username is required")
        fields = self._user_fields(item, user)
        changed = {k: v for k, v in fields.items() if user.get(k) != v}
        if changed:
            user.update(changed)
            user["last_modified"] = now
            self._rekeyed("users", user)
        return 200, user

    # ================================================================== jobcodes
    def _jobcode_out(self, with_customfields: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def out(jobcode: dict[str, Any]) -> dict[str, Any]:
            obj = copy.deepcopy(jobcode)
            if with_customfields:
                obj.setdefault("customfields", "")
            else:
                obj.pop("customfields", None)
            return obj

        return out

    def _jobcodes_supplemental(
        self, jobcodes: list[dict[str, Any]], with_customfields: bool = False
    ) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        ids = {j.get("id") for j in jobcodes}
        for jobcode in jobcodes:
            for ancestor in self._ancestors(jobcode):
                if ancestor["id"] not in ids:
                    self._sup_add(sup, "jobcodes", self._jobcode_out(False)(ancestor))
            for lid in jobcode.get("locations") or []:
                self._sup_add(sup, "locations", self._find("locations", lid))
            if with_customfields and isinstance(jobcode.get("customfields"), dict):
                for cf_id in jobcode["customfields"]:
                    if str(cf_id).isdigit():
                        self._sup_add(sup, "customfields", self._find("customfields", int(cf_id)))
        return sup

    def _get_jobcodes(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        parent_ids = q.int_list("parent_ids", allow_negative=True)
        name = q.raw("name")
        jtype = q.choice("type", (*JOBCODE_TYPES, "all"), "regular")
        active = q.choice("active", ACTIVE_CHOICES, "yes")
        with_cf = bool(q.boolean("customfields"))
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        match_name = _name_matcher(name) if name is not None else None
        all_parents = parent_ids is None or -1 in parent_ids

        def keep(j: dict[str, Any]) -> bool:
            return all(
                (
                    ids is None or j.get("id") in ids,
                    all_parents or j.get("parent_id") in (parent_ids or []),
                    match_name is None or match_name(j.get("name")),
                    jtype == "all" or j.get("type", "regular") == jtype,
                    active == "both" or truthy(j.get("active")) == (active == "yes"),
                    _modified_ok(j, since, before),
                )
            )

        rows = [j for j in self._coll("jobcodes") if keep(j)]
        return self._list(
            q,
            "jobcodes",
            rows,
            lambda chunk: self._jobcodes_supplemental(chunk, with_cf),
            self._jobcode_out(with_cf),
        )

    def _post_jobcodes(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "jobcodes",
            "Created",
            self._jobcode_create,
            ("name", "parent_id", "short_code"),
            self._jobcodes_supplemental,
            self._jobcode_out(False),
        )

    def _put_jobcodes(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "jobcodes",
            "Updated",
            self._jobcode_update,
            ("id", "name"),
            self._jobcodes_supplemental,
            self._jobcode_out(False),
        )

    def _jobcode_name(self, item: dict[str, Any]) -> str:
        name = _required_text(item, "name")
        if len(name) > 64:
            raise ItemError("Oops! A jobcode name can't be more than 64 characters")
        return name

    def _jobcode_short_code(self, item: dict[str, Any]) -> str:
        code = _as_text(item, "short_code", numbers_ok=True)
        if self._dialin_installed():
            if not _DIGITS.match(code):
                raise ItemError("Oops! With the Dial-in Add-on a short code may only hold digits")
        elif not _ALNUM.match(code):
            raise ItemError("Oops! A short code may only consist of letters and numbers")
        return code

    def _sibling_conflicts(
        self,
        parent_id: int,
        exclude: int | None,
        *,
        name: str | None = None,
        short_code: str | None = None,
    ) -> None:
        candidates: list[dict[str, Any]] = []
        if name is not None:
            candidates += self._jobcodes_by_name().get((parent_id, _fold(name)))
        if short_code:
            candidates += self._jobcodes_by_short_code().get((parent_id, _fold(short_code)))
        for sibling in candidates:
            if sibling.get("parent_id") != parent_id or sibling.get("id") == exclude:
                continue
            if name is not None and _fold(sibling.get("name")) == _fold(name):
                raise ItemError(
                    "Oops! That name is already in use by another jobcode with the same parent"
                )
            if short_code and _fold(sibling.get("short_code")) == _fold(short_code):
                raise ItemError("Oops! That Short Code is already in use")

    def _jobcodes_by_name(self) -> _Rows:
        return self._lookup(
            "jobcodes", "name", lambda j: (j.get("parent_id"), _fold(j.get("name")))
        )

    def _jobcodes_by_short_code(self) -> _Rows:
        return self._lookup(
            "jobcodes", "short_code", lambda j: (j.get("parent_id"), _fold(j.get("short_code")))
        )

    def _check_parent(self, parent_id: int, jtype: str, moving: int | None = None) -> None:
        if parent_id == 0:
            return
        if jtype in TIME_OFF_TYPES:
            raise ItemError(
                f"Oops! {jtype} jobcodes are only allowed at the top level (parent_id 0)"
            )
        parent = self._find("jobcodes", parent_id)
        if parent is None:
            raise ItemError(f"Oops! The parent jobcode {parent_id} doesn't exist")
        if moving is not None and (
            parent_id == moving or any(d["id"] == parent_id for d in self._descendants(moving))
        ):
            raise ItemError("Oops! A jobcode can't be moved under itself or one of its children")
        if parent.get("type", "regular") != "regular":
            raise ItemError("Oops! Only regular jobcodes can have children")
        if not truthy(parent.get("active")):
            raise ItemError("Oops! The parent jobcode is archived")

    def _jobcode_create(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, JOBCODE_WRITABLE)
        name = self._jobcode_name(item)
        parent_id = _as_int(item, "parent_id") if "parent_id" in item else 0
        jtype = self._jobcode_type(item) if "type" in item else "regular"
        if jtype in ("paid_break", "unpaid_break"):
            raise ItemError(
                "Oops! paid_break and unpaid_break jobcodes are managed by the "
                "Breaks Add-On and can't be created through the API"
            )
        if jtype not in ("regular", "pto"):
            # Choice: the SDK's undocumented unpaid_time_off type is readable, not creatable.
            raise ItemError("Invalid value for type: expected 'regular' or 'pto'")
        self._check_parent(parent_id, jtype)
        for sibling in self._jobcodes_by_name().get((parent_id, _fold(name))):
            if (
                sibling.get("parent_id") == parent_id
                and _fold(sibling.get("name")) == _fold(name)
                and sibling.get("type", "regular") == jtype
            ):
                # Docs: 202 "accepted but not created because a jobcode with the same
                # parent_id, name and type already exists". The body is not documented:
                # the existing jobcode (archived ones included) comes back.
                return 202, sibling
        self._sibling_conflicts(parent_id, None, name=name)
        short_code = self._jobcode_short_code(item) if "short_code" in item else ""
        self._sibling_conflicts(parent_id, None, short_code=short_code)
        billable = _as_bool(item, "billable") if "billable" in item else False
        rate = self._billable_rate(item) if "billable_rate" in item else 0
        assigned = _as_bool(item, "assigned_to_all") if "assigned_to_all" in item else False
        active = _as_bool(item, "active") if "active" in item else True
        cwq = (
            _as_bool(item, "connect_with_quickbooks")
            if "connect_with_quickbooks" in item
            else False
        )
        jobcode: dict[str, Any] = {
            "id": self._new_id("jobcodes"),
            "parent_id": parent_id,
            "assigned_to_all": False,
            "billable": billable,
            "active": active,
            "type": jtype,
            "has_children": False,
            "billable_rate": rate,
            "short_code": short_code,
            "name": name,
            "last_modified": now,
            "created": now,
            "filtered_customfielditems": "",
            "required_customfields": [],
            "locations": [],
            "connect_with_quickbooks": cwq,
        }
        self._mut("jobcodes").append(jobcode)
        if parent_id:
            self._set_has_children(parent_id, now)
        if assigned and active:
            self._set_assigned_to_all(jobcode, True, now)
        if jtype == "pto":
            for user in self._coll("users"):
                if not isinstance(user.get("pto_balances"), dict):
                    user["pto_balances"] = {}
                user["pto_balances"].setdefault(str(jobcode["id"]), 0)
        return 200, jobcode

    @staticmethod
    def _billable_rate(item: dict[str, Any]) -> int | float:
        rate = _as_number(item, "billable_rate")
        if rate < 0:
            raise ItemError("Invalid value for billable_rate: it can't be negative")
        return rate

    def _jobcode_type(self, item: dict[str, Any]) -> str:
        jtype = _as_text(item, "type").strip().lower()
        if jtype not in JOBCODE_TYPES:
            raise ItemError(
                "Invalid value for type: expected one of regular, pto, paid_break, unpaid_break"
            )
        return jtype

    def _jobcode_update(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, JOBCODE_WRITABLE | {"id"})
        if "id" not in item:
            raise ItemError("id is required")
        jid = _as_int(item, "id", minimum=1)
        jobcode = self._find("jobcodes", jid)
        if jobcode is None:
            raise ItemError("Oops! No jobcode has that id")
        jtype = jobcode.get("type", "regular")
        if jtype in ("paid_break", "unpaid_break"):
            raise ItemError(
                "Oops! Break jobcodes are managed by the Breaks Add-On and can't "
                "be edited through the API"
            )
        changes: dict[str, Any] = {}
        if "type" in item and self._jobcode_type(item) != jtype:
            raise ItemError("Oops! The type of a jobcode can't be changed once it is created")
        if "name" in item:
            changes["name"] = self._jobcode_name(item)
        if "parent_id" in item:
            changes["parent_id"] = _as_int(item, "parent_id")
        if "short_code" in item:
            changes["short_code"] = self._jobcode_short_code(item)
        if "billable" in item:
            changes["billable"] = _as_bool(item, "billable")
        if "billable_rate" in item:
            changes["billable_rate"] = self._billable_rate(item)
        if "assigned_to_all" in item:
            changes["assigned_to_all"] = _as_bool(item, "assigned_to_all")
        if "connect_with_quickbooks" in item:
            changes["connect_with_quickbooks"] = _as_bool(item, "connect_with_quickbooks")
        if "active" in item:
            changes["active"] = _as_bool(item, "active")
        # "If the value passed in is the same as it was previously ... it will be ignored."
        bool_keys = ("billable", "assigned_to_all", "connect_with_quickbooks", "active")
        changes = {
            k: v
            for k, v in changes.items()
            if (truthy(jobcode.get(k)) != v if k in bool_keys else jobcode.get(k) != v)
        }
        was_active = truthy(jobcode.get("active"))
        restoring = changes.get("active") is True
        if not was_active and not restoring and changes:
            raise ItemError(
                "Oops! You can't edit an archived jobcode. Restore it (active: true) "
                "first, or in the same row"
            )
        parent_id = changes.get("parent_id", jobcode.get("parent_id", 0))
        if "parent_id" in changes:
            self._check_parent(parent_id, jtype, moving=jid)
        if "name" in changes or "parent_id" in changes:
            self._sibling_conflicts(parent_id, jid, name=changes.get("name", jobcode.get("name")))
        if "short_code" in changes or "parent_id" in changes:
            self._sibling_conflicts(
                parent_id, jid, short_code=changes.get("short_code", jobcode.get("short_code"))
            )
        if not changes:
            return 200, jobcode
        old_parent = jobcode.get("parent_id", 0)
        for key in (
            "name",
            "parent_id",
            "short_code",
            "billable",
            "billable_rate",
            "connect_with_quickbooks",
        ):
            if key in changes:
                jobcode[key] = changes[key]
        jobcode["last_modified"] = now
        if {"name", "parent_id", "short_code"} & changes.keys():
            self._rekeyed("jobcodes", jobcode)
        if "parent_id" in changes:
            if old_parent:
                self._set_has_children(old_parent, now)
            if parent_id:
                self._set_has_children(parent_id, now)
        if restoring:
            jobcode["active"] = True
            for ancestor in self._ancestors(jobcode):
                if not truthy(ancestor.get("active")):
                    ancestor["active"] = True
                    ancestor["last_modified"] = now
        if "assigned_to_all" in changes and truthy(jobcode.get("active")):
            self._set_assigned_to_all(jobcode, changes["assigned_to_all"], now)
        if changes.get("active") is False:
            self._archive_jobcode(jobcode, now)
        return 200, jobcode

    def _set_has_children(self, jid: int, now: str) -> None:
        parent = self._find("jobcodes", jid)
        if parent is None:
            return
        value = bool(self._children(jid))
        if parent.get("has_children") is not value:
            parent["has_children"] = value
            parent["last_modified"] = now

    def _archive_jobcode(self, jobcode: dict[str, Any], now: str) -> None:
        """Docs: archiving archives every child too and removes the jobcode assignments and
        custom field dependencies. Choice: ``assigned_to_all`` goes back to false with its
        ``user_id`` 0 assignment, and restoring brings neither back."""
        family = [jobcode, *self._descendants(jobcode["id"])]
        for jc in family:
            if truthy(jc.get("active")) or jc is jobcode:
                jc["active"] = False
                jc["last_modified"] = now
            if truthy(jc.get("assigned_to_all")):
                jc["assigned_to_all"] = False
                jc["last_modified"] = now
            if jc.get("required_customfields") or jc.get("filtered_customfielditems"):
                jc["required_customfields"] = []
                jc["filtered_customfielditems"] = ""
                jc["last_modified"] = now
        ids = {jc["id"] for jc in family}
        for row in self._coll("jobcode_assignments"):
            if row.get("jobcode_id") in ids and truthy(row.get("active")):
                row["active"] = False
                row["last_modified"] = now

    def _set_assigned_to_all(self, jobcode: dict[str, Any], value: bool, now: str) -> None:
        """``assigned_to_all`` true is the same thing as an assignment with ``user_id`` 0."""
        if truthy(jobcode.get("assigned_to_all")) != value:
            jobcode["assigned_to_all"] = value
            jobcode["last_modified"] = now
        row = self._active_assignment(0, jobcode["id"])
        if value and row is None:
            self._mut("jobcode_assignments").append(
                {
                    "id": self._new_id("jobcode_assignments"),
                    "user_id": 0,
                    "jobcode_id": jobcode["id"],
                    "active": True,
                    "last_modified": now,
                    "created": now,
                }
            )
        elif not value and row is not None:
            row["active"] = False
            row["last_modified"] = now

    # ================================================================== jobcode assignments
    def _active_assignment(self, user_id: int, jobcode_id: int) -> dict[str, Any] | None:
        rows = self._lookup(
            "jobcode_assignments", "user_jobcode", lambda r: (r.get("user_id"), r.get("jobcode_id"))
        )
        for row in rows.get((user_id, jobcode_id)):
            if (
                row.get("user_id") == user_id
                and row.get("jobcode_id") == jobcode_id
                and truthy(row.get("active"))
            ):
                return row
        return None

    def _assignments_supplemental(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.get("user_id"):
                self._sup_user(sup, self._find("users", row["user_id"]))
            jobcode = self._find("jobcodes", row.get("jobcode_id"))
            if jobcode is not None:
                self._sup_add(sup, "jobcodes", self._jobcode_out(False)(jobcode))
        return sup

    def _get_assignments(self, request: Request, q: _Query) -> Response:
        user_ids = q.int_list("user_ids")
        jtype = q.choice("type", (*JOBCODE_TYPES, "all"), "regular")
        jobcode_id = q.one_int("jobcode_id")
        parent_id = q.one_int("jobcode_parent_id")
        active = q.choice("active", ACTIVE_CHOICES, "both")
        active_jobcodes = q.choice("active_jobcodes", ACTIVE_CHOICES, "both")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        jobcodes = self._index("jobcodes")
        # Docs (user_ids): "To view jobcode assignments for users other than yourself you must
        # be an admin or a group manager or have the `manage_users` permission or the
        # `manage_jobcodes` permission"; without user_ids, "all jobcode assignments (which you
        # have rights to view)". Choice (the docs do not say how a request naming others is
        # refused): the documented permission 401, rather than a silently shorter list.
        viewer = self._viewer()
        sees_all = bool(viewer.managed_groups) or viewer.may("manage_users", "manage_jobcodes")
        if not sees_all and user_ids is not None and set(user_ids) - {viewer.user_id}:
            raise ApiError(401, PERMISSION_REFUSED, verbatim=True)

        def keep(row: dict[str, Any]) -> bool:
            jobcode = jobcodes.get(row.get("jobcode_id")) or {}
            return all(
                (
                    sees_all or row.get("user_id") in (0, viewer.user_id),
                    # "Only jobcode assignments belonging to these user_ids or where the jobcode
                    # assigned_to_all property is true will be returned."
                    user_ids is None or row.get("user_id") in user_ids or row.get("user_id") == 0,
                    jtype == "all" or jobcode.get("type", "regular") == jtype,
                    jobcode_id is None or row.get("jobcode_id") == jobcode_id,
                    parent_id is None or jobcode.get("parent_id") == parent_id,
                    active == "both" or truthy(row.get("active")) == (active == "yes"),
                    active_jobcodes == "both"
                    or truthy(jobcode.get("active")) == (active_jobcodes == "yes"),
                    _modified_ok(row, since, before),
                )
            )

        rows = [r for r in self._coll("jobcode_assignments") if keep(r)]
        return self._list(q, "jobcode_assignments", rows, self._assignments_supplemental)

    def _post_assignments(self, request: Request, q: _Query) -> Response:
        viewer = self._viewer()
        return self._write(
            request,
            q,
            "jobcode_assignments",
            "Created",
            lambda item, now: self._assignment_create(item, now, viewer),
            ("user_id", "jobcode_id"),
            self._assignments_supplemental,
        )

    def _assignment_create(
        self, item: dict[str, Any], now: str, viewer: _Viewer
    ) -> tuple[int, dict[str, Any]]:
        _check_params(item, ASSIGNMENT_WRITABLE)
        for key in ("user_id", "jobcode_id"):
            if key not in item:
                raise ItemError(f"{key} is required")
        user_id = _as_int(item, "user_id")
        jobcode_id = _as_int(item, "jobcode_id", minimum=1)
        if "active" in item and not _as_bool(item, "active"):
            raise ItemError("Invalid value for active: a new assignment is active")
        target = self._find("users", user_id) if user_id != 0 else None
        if user_id != 0 and target is None:
            # The docs' example message for a user the token can't manage.
            raise ItemError(ASSIGN_REFUSED)
        if not viewer.may_manage(target):
            raise ItemError(ASSIGN_REFUSED)
        jobcode = self._find("jobcodes", jobcode_id)
        if jobcode is None:
            raise ItemError("Oops! No jobcode has that id")
        if not truthy(jobcode.get("active")):
            raise ItemError("Oops! That jobcode is archived")
        if self._active_assignment(user_id, jobcode_id) is not None:
            # Choice: the docs are silent on duplicates; refusing one makes clients read first.
            raise ItemError("Oops! That jobcode is already assigned to that user")
        if user_id == 0:
            self._set_assigned_to_all(jobcode, True, now)
            row = self._active_assignment(0, jobcode_id)
            assert row is not None
            return 200, row
        row = {
            "id": self._new_id("jobcode_assignments"),
            "user_id": user_id,
            "jobcode_id": jobcode_id,
            "active": True,
            "last_modified": now,
            "created": now,
        }
        self._mut("jobcode_assignments").append(row)
        # Docs: "when assigning a parent jobcode ... all child jobcodes will also be assigned".
        for child in self._descendants(jobcode_id):
            if (
                truthy(child.get("active"))
                and self._active_assignment(user_id, child["id"]) is None
            ):
                self._mut("jobcode_assignments").append(
                    {
                        "id": self._new_id("jobcode_assignments"),
                        "user_id": user_id,
                        "jobcode_id": child["id"],
                        "active": True,
                        "last_modified": now,
                        "created": now,
                    }
                )
        return 200, row

    def _delete_assignments(self, request: Request, q: _Query) -> Response:
        raw = request.args.get("ids")
        if raw is None or not raw.strip():
            # Docs: "If no filters are specified at all, no jobcode assignments are deleted."
            # Choice: that is answered as a 417, so a client bug cannot pass unnoticed.
            raise ApiError(417, "ids is required; nothing was deleted")
        parts = [p.strip() for p in raw.split(",")]
        if len(parts) > self.config.max_batch:
            raise ApiError(413, f"at most {self.config.max_batch} ids per request")
        now = self._now()
        viewer = self._viewer()
        results: dict[str, Any] = {}
        deleted = False
        for part in parts:
            row = self._find("jobcode_assignments", int(part)) if part.isdigit() else None
            refusal = None
            if row is None or not truthy(row.get("active")):
                refusal = "That id is not found in the database"
            else:
                owner = row.get("user_id")
                target = self._find("users", owner) if owner else None
                if (owner and target is None) or not viewer.may_manage(target):
                    refusal = UNASSIGN_REFUSED
            if row is None or refusal is not None:
                results[part] = {
                    "_status_code": 417,
                    "_status_message": "Expectation Failed!",
                    "_status_extra": refusal,
                    "id": part,
                }
                continue
            row["active"] = False
            row["last_modified"] = now
            if row.get("user_id") == 0:
                jobcode = self._find("jobcodes", row.get("jobcode_id"))
                if jobcode is not None and truthy(jobcode.get("assigned_to_all")):
                    jobcode["assigned_to_all"] = False
                    jobcode["last_modified"] = now
            results[part] = {"_status_code": 200, "_status_message": "OK, deleted", "id": row["id"]}
            deleted = True
        if deleted:
            self._persist()
        return json_response({"results": {"jobcode_assignments": results}})

    # ================================================================== custom fields
    def _active_customfield_count(self, exclude: int | None = None) -> int:
        return sum(
            1
            for cf in self._coll("customfields")
            if cf.get("id") != exclude
            and truthy(cf.get("active"))
            and cf.get("applies_to", "timesheet") == "timesheet"
        )

    def _get_customfields(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        active = q.choice("active", ACTIVE_CHOICES, "yes")
        applies_to = q.choice("applies_to", ("timesheet", "user", "jobcode", "all"), "timesheet")
        value_type = q.choice("value_type", ("managed-list", "free-form", "both"), "both")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")

        def keep(cf: dict[str, Any]) -> bool:
            target = str(cf.get("applies_to", "timesheet")).replace("job_code", "jobcode")
            return all(
                (
                    ids is None or cf.get("id") in ids,
                    active == "both" or truthy(cf.get("active")) == (active == "yes"),
                    applies_to == "all" or target == applies_to,
                    value_type == "both" or cf.get("type") == value_type,
                    _modified_ok(cf, since, before),
                )
            )

        rows = [cf for cf in self._coll("customfields") if keep(cf)]
        return self._list(q, "customfields", rows)

    def _post_customfields(self, request: Request, q: _Query) -> Response:
        return self._write(
            request, q, "customfields", "Created", self._customfield_create, ("name", "short_code")
        )

    def _put_customfields(self, request: Request, q: _Query) -> Response:
        return self._write(
            request, q, "customfields", "Updated", self._customfield_update, ("id", "name")
        )

    @staticmethod
    def _customfield_short_code(item: dict[str, Any]) -> str:
        code = _as_text(item, "short_code", numbers_ok=True)
        if not _ALNUM.match(code):
            raise ItemError("Oops! A short code may only consist of letters and numbers")
        return code

    def _too_many_customfields(self, exclude: int | None = None) -> None:
        limit = self.config.max_active_customfields
        if self._active_customfield_count(exclude) >= limit:
            raise ItemError(
                f"Oops! A maximum of {limit} custom fields can be active at a time. "
                "Archive one first"
            )

    def _customfield_create(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, CUSTOMFIELD_WRITABLE)
        name = _required_text(item, "name")
        # Docs table: applies_to "required", "Allowed values: 'timesheet'"; type required.
        if "applies_to" not in item:
            raise ItemError("applies_to is required")
        if _as_text(item, "applies_to").strip().lower() != "timesheet":
            raise ItemError(
                "Invalid value for applies_to: only 'timesheet' custom fields can be created"
            )
        if "type" not in item:
            raise ItemError("type is required")
        cf_type = _as_text(item, "type").strip().lower()
        if cf_type not in ("managed-list", "free-form"):
            raise ItemError("Invalid value for type: expected 'managed-list' or 'free-form'")
        # Docs (Create Custom Fields): required, active and show_to_all default to true.
        required = _as_bool(item, "required") if "required" in item else True
        active = _as_bool(item, "active") if "active" in item else True
        show_to_all = _as_bool(item, "show_to_all") if "show_to_all" in item else True
        short_code = self._customfield_short_code(item) if "short_code" in item else ""
        if active:
            self._too_many_customfields()
        field: dict[str, Any] = {
            "id": self._new_id("customfields"),
            "active": active,
            "required": required,
            "applies_to": "timesheet",
            "type": cf_type,
            "short_code": short_code,
            "regex_filter": "",
            "name": name,
            "last_modified": now,
            "created": now,
            "ui_preference": "drop_down" if cf_type == "managed-list" else "text_box_with_suggest",
            "required_customfields": [],
            "show_to_all": show_to_all,
        }
        self._mut("customfields").append(field)
        return 200, field

    def _customfield_update(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, CUSTOMFIELD_WRITABLE | {"id"})
        if "id" not in item:
            raise ItemError("id is required")
        field = self._find("customfields", _as_int(item, "id", minimum=1))
        if field is None:
            raise ItemError("Oops! No custom field has that id")
        if "type" in item and _as_text(item, "type").strip().lower() != field.get("type"):
            raise ItemError("Oops! The type of a custom field can't be changed")
        if "applies_to" in item and _as_text(item, "applies_to").strip().lower() != str(
            field.get("applies_to", "timesheet")
        ).replace("job_code", "jobcode"):
            raise ItemError("Oops! What a custom field applies to can't be changed")
        changes: dict[str, Any] = {}
        if "name" in item:
            changes["name"] = _required_text(item, "name")
        if "short_code" in item:
            changes["short_code"] = self._customfield_short_code(item)
        for key in ("required", "show_to_all", "active"):
            if key in item:
                changes[key] = _as_bool(item, key)
        changes = {k: v for k, v in changes.items() if field.get(k) != v}
        if changes.get("active") is True and field.get("applies_to", "timesheet") == "timesheet":
            self._too_many_customfields(exclude=field["id"])
        if changes:
            field.update(changes)
            field["last_modified"] = now
        return 200, field

    # ================================================================== custom field items
    def _items_supplemental(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        for item in items:
            self._sup_add(
                sup, "customfields", self._find("customfields", item.get("customfield_id"))
            )
        return sup

    def _get_items(self, request: Request, q: _Query) -> Response:
        cf_id = q.one_int("customfield_id")
        if cf_id is None:
            raise ApiError(417, "customfield_id is required")
        ids = q.int_list("ids")
        active = q.choice("active", ACTIVE_CHOICES, "yes")
        name = q.raw("name")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        match_name = _name_matcher(name) if name is not None else None

        def keep(it: dict[str, Any]) -> bool:
            return all(
                (
                    it.get("customfield_id") == cf_id,
                    ids is None or it.get("id") in ids,
                    active == "both" or truthy(it.get("active")) == (active == "yes"),
                    match_name is None or match_name(it.get("name")),
                    _modified_ok(it, since, before),
                )
            )

        rows = [it for it in self._coll("customfielditems") if keep(it)]
        return self._list(q, "customfielditems", rows, self._items_supplemental)

    def _post_items(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "customfielditems",
            "Created",
            self._item_create,
            ("name", "customfield_id", "short_code"),
            self._items_supplemental,
        )

    def _put_items(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "customfielditems",
            "Updated",
            self._item_update,
            ("id", "name"),
            self._items_supplemental,
        )

    def _item_conflicts(self, cf_id: int, name: str, short_code: str, exclude: int | None) -> None:
        """Within one field a name or alias (short code) may not repeat another item's name or
        alias; short codes are unique across the whole account (docs)."""
        mine = {_fold(name)} | ({_fold(short_code)} if short_code else set())
        for other in self._coll("customfielditems"):
            if other.get("id") == exclude:
                continue
            theirs = {_fold(other.get("name"))}
            if other.get("short_code"):
                theirs.add(_fold(other.get("short_code")))
            if other.get("customfield_id") == cf_id and mine & theirs:
                raise ItemError(
                    f"Oops! The name or alias conflicts with another item named "
                    f'"{other.get("name")}". Try choosing another name/alias or deleting the '
                    "other conflicting item first"
                )
            if short_code and _fold(other.get("short_code")) == _fold(short_code):
                raise ItemError("Oops! That Short Code is already in use")

    @staticmethod
    def _check_regex_filter(field: dict[str, Any], name: str) -> None:
        """Docs (CustomFields regex_filter): "Regular expression that will be applied to any
        new items as they're added to the customfield. If they do not match the
        regex_filter, they may not be added." Choices where the docs are silent: only new
        items are checked (a rename is not "added"); the item's name must contain a match
        (PHP's preg_match, which the service runs on, searches; anchors make it whole);
        ``/.../flags`` delimiters are allowed; a filter that is not a valid expression
        refuses every new item rather than letting them all in."""
        pattern = str(field.get("regex_filter") or "")
        if not pattern:
            return
        flags = 0
        delimited = re.fullmatch(r"/(.*)/([a-zA-Z]*)", pattern, re.S)
        if delimited:
            pattern = delimited.group(1)
            flags = re.I if "i" in delimited.group(2) else 0
        try:
            matched = re.search(pattern, name, flags) is not None
        except re.error:
            matched = False
        if not matched:
            raise ItemError(
                f'Oops! The name "{name}" does not match this custom field\'s regex filter '
                f"({field.get('regex_filter')}): it may not be added"
            )

    @staticmethod
    def _item_short_code(item: dict[str, Any]) -> str:
        code = _as_text(item, "short_code", numbers_ok=True)
        if not _ALNUM.match(code):
            raise ItemError("Oops! A short code may only consist of letters and numbers")
        return code

    def _item_create(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, CUSTOMFIELDITEM_WRITABLE)
        if "customfield_id" not in item:
            raise ItemError("customfield_id is required")
        cf_id = _as_int(item, "customfield_id", minimum=1)
        field = self._find("customfields", cf_id)
        if field is None:
            raise ItemError("Oops! No custom field has that id")
        name = _required_text(item, "name")
        short_code = self._item_short_code(item) if "short_code" in item else ""
        active = _as_bool(item, "active") if "active" in item else True
        self._item_conflicts(cf_id, name, short_code, None)
        self._check_regex_filter(field, name)
        obj: dict[str, Any] = {
            "id": self._new_id("customfielditems"),
            "customfield_id": cf_id,
            "active": active,
            "short_code": short_code,
            "name": name,
            "last_modified": now,
            "required_customfields": [],
        }
        self._mut("customfielditems").append(obj)
        return 200, obj

    def _item_update(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, CUSTOMFIELDITEM_WRITABLE | {"id"})
        if "id" not in item:
            raise ItemError("id is required")
        obj = self._find("customfielditems", _as_int(item, "id", minimum=1))
        if obj is None:
            raise ItemError("Oops! No custom field item has that id")
        # customfield_id is read-only: the official update example sends it unchanged.
        if "customfield_id" in item and _as_int(item, "customfield_id") != obj.get(
            "customfield_id"
        ):
            raise ItemError("Oops! An item can't be moved to another custom field")
        changes: dict[str, Any] = {}
        if "name" in item:
            changes["name"] = _required_text(item, "name")
        if "short_code" in item:
            changes["short_code"] = self._item_short_code(item)
        if "active" in item:
            changes["active"] = _as_bool(item, "active")
        changes = {k: v for k, v in changes.items() if obj.get(k) != v}
        if "name" in changes or "short_code" in changes:
            self._item_conflicts(
                obj["customfield_id"],
                str(changes.get("name", obj.get("name", ""))),
                str(changes.get("short_code", obj.get("short_code", ""))),
                obj["id"],
            )
        if changes:
            obj.update(changes)
            obj["last_modified"] = now
        return 200, obj

    # ================================================================== locations
    @staticmethod
    def _linked_jobcodes(location: dict[str, Any]) -> list[int]:
        linked = location.get("linked_objects")
        if isinstance(linked, dict) and isinstance(linked.get("jobcodes"), list):
            return [j for j in linked["jobcodes"] if isinstance(j, int)]
        return []

    def _locations_supplemental(self, locations: list[dict[str, Any]]) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        for location in locations:
            for jid in self._linked_jobcodes(location):
                jobcode = self._find("jobcodes", jid)
                if jobcode is not None:
                    self._sup_add(sup, "jobcodes", self._jobcode_out(False)(jobcode))
        return sup

    def _assigned_jobcode_ids(self, user_id: Any) -> set[int]:
        out: set[int] = set()
        jobcodes = self._index("jobcodes")
        for row in self._coll("jobcode_assignments"):
            if truthy(row.get("active")) and row.get("user_id") in (0, user_id):
                jobcode = jobcodes.get(row.get("jobcode_id"))
                if jobcode is not None and truthy(jobcode.get("active")):
                    out.add(jobcode["id"])
        return out

    def _get_locations(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        active = q.choice("active", ACTIVE_CHOICES, "yes")
        statuses = q.choices(
            "geocoding_status", ("none", "in_progress", "retry", "error", "complete")
        )
        by_assignment = q.boolean("by_jobcode_assignment")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        assigned = (
            self._assigned_jobcode_ids(self.qb.get("current_user_id")) if by_assignment else set()
        )

        def keep(loc: dict[str, Any]) -> bool:
            return all(
                (
                    ids is None or loc.get("id") in ids,
                    active == "both" or truthy(loc.get("active")) == (active == "yes"),
                    statuses is None or loc.get("geocoding_status") in statuses,
                    not by_assignment or bool(assigned & set(self._linked_jobcodes(loc))),
                    _modified_ok(loc, since, before),
                )
            )

        rows = [loc for loc in self._coll("locations") if keep(loc)]
        return self._list(q, "locations", rows, self._locations_supplemental)

    def _post_locations(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "locations",
            "Created",
            self._location_create,
            ("addr1", "city", "label"),
            self._locations_supplemental,
        )

    def _put_locations(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "locations",
            "Updated",
            self._location_update,
            ("id", "addr1", "city", "label"),
            self._locations_supplemental,
        )

    def _location_fields(self, item: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in (*LOCATION_ADDRESS_FIELDS, "label", "notes"):
            if key in item:
                out[key] = _as_text(item, key, numbers_ok=key == "zip")
        for key in ("latitude", "longitude"):
            if key in item:
                out[key] = _as_number(item, key)
        if "latitude" in out and not -90 <= out["latitude"] <= 90:
            raise ItemError("Invalid value for latitude")
        if "longitude" in out and not -180 <= out["longitude"] <= 180:
            raise ItemError("Invalid value for longitude")
        if "active" in item:
            out["active"] = _as_bool(item, "active")
        if "formatted_address" in item:
            _as_text(item, "formatted_address")  # accepted, recomputed by the service
        if "linked_objects" in item:
            linked = item["linked_objects"]
            if linked == "" or linked == []:
                linked = {}
            if not isinstance(linked, dict):
                raise ItemError("Invalid value for linked_objects: expected an object")
            bad = sorted(k for k in linked if k != "jobcodes")
            if bad:
                raise ItemError(
                    "Invalid param(s): " + ", ".join(f"linked_objects.{k}" for k in bad)
                )
            if "jobcodes" in linked and not isinstance(linked["jobcodes"], list):
                raise ItemError("Invalid value for linked_objects.jobcodes: expected a list")
            ids: list[int] = []
            for value in linked.get("jobcodes") or []:
                jid = _as_int({"jobcode": value}, "jobcode", minimum=1)
                if self._find("jobcodes", jid) is None:
                    raise ItemError(f"Oops! No jobcode has the id {jid}")
                if jid not in ids:
                    ids.append(jid)
            out["linked_objects"] = ids
        return out

    @staticmethod
    def _formatted_address(loc: dict[str, Any]) -> str:
        """Docs: built from addr1, addr2, city, state and zip (country left out, as in every
        example); without addr1, addr2 or city it falls back to the label."""
        addr1, addr2, city = (str(loc.get(k) or "") for k in ("addr1", "addr2", "city"))
        if not (addr1 or addr2 or city):
            return str(loc.get("label") or "")
        street = " ".join(p for p in (addr1, addr2) if p)
        tail = " ".join(p for p in (str(loc.get("state") or ""), str(loc.get("zip") or "")) if p)
        return ", ".join(p for p in (street, city, tail) if p)

    def _location_create(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, LOCATION_WRITABLE)
        fields = self._location_fields(item)
        if not any(str(fields.get(k) or "").strip() for k in LOCATION_ADDRESS_FIELDS):
            raise ItemError("One or more of addr1, addr2, city, state, zip or country is required")
        links = fields.pop("linked_objects", [])
        location: dict[str, Any] = {
            "id": self._new_id("locations"),
            "addr1": fields.get("addr1", ""),
            "addr2": fields.get("addr2", ""),
            "city": fields.get("city", ""),
            "state": fields.get("state", ""),
            "zip": fields.get("zip", ""),
            "formatted_address": "",
            "country": fields.get("country", ""),
            "active": fields.get("active", True),
            # Geocoding is asynchronous: a new location has none yet (create example).
            "latitude": fields.get("latitude", 0),
            "longitude": fields.get("longitude", 0),
            "place_id": "",
            "place_id_hash": "",
            "label": fields.get("label", ""),
            "notes": fields.get("notes", ""),
            "geocoding_status": "none",
            "created": now,
            "last_modified": now,
            "linked_objects": {},
            "geofence_config_id": None,
        }
        location["formatted_address"] = self._formatted_address(location)
        self._mut("locations").append(location)
        self._set_links(location, links, now)
        return 200, location

    def _location_update(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, LOCATION_WRITABLE | {"id"})
        if "id" not in item:
            raise ItemError("id is required")
        location = self._find("locations", _as_int(item, "id", minimum=1))
        if location is None:
            raise ItemError("Oops! No location has that id")
        fields = self._location_fields(item)
        links = fields.pop("linked_objects", None)
        changes = {k: v for k, v in fields.items() if location.get(k) != v}
        if "active" in changes and truthy(location.get("active")) == changes["active"]:
            del changes["active"]
        links_change = links is not None and links != self._linked_jobcodes(location)
        restoring = changes.get("active") is True
        if not truthy(location.get("active")) and not restoring and (changes or links_change):
            raise ItemError(
                "Oops! You can't edit an archived location. Restore it "
                "(active: true) first, or in the same row"
            )
        merged = {**location, **changes}
        if not any(str(merged.get(k) or "").strip() for k in LOCATION_ADDRESS_FIELDS):
            raise ItemError("One or more of addr1, addr2, city, state, zip or country is required")
        if changes:
            address_changed = any(k in changes for k in LOCATION_ADDRESS_FIELDS)
            location.update(changes)
            if address_changed:
                location["geocoding_status"] = "none"
                location["place_id_hash"] = ""
                if "latitude" not in changes:
                    location["latitude"] = 0
                if "longitude" not in changes:
                    location["longitude"] = 0
            location["formatted_address"] = self._formatted_address(location)
            location["last_modified"] = now
        if links_change and links is not None:
            self._set_links(location, links, now)
            location["last_modified"] = now
        return 200, location

    def _set_links(self, location: dict[str, Any], jobcode_ids: list[int], now: str) -> None:
        """Keep ``linked_objects``, the jobcodes' ``locations`` and ``locations_map`` in step."""
        old = self._linked_jobcodes(location)
        lid = location["id"]
        rows = self._mut("locations_map")
        for jid in old:
            if jid in jobcode_ids:
                continue
            rows[:] = [
                r for r in rows if not (r.get("location_id") == lid and r.get("x_id") == jid)
            ]
            self._removed("locations_map")
            jobcode = self._find("jobcodes", jid)
            if jobcode is not None and lid in (jobcode.get("locations") or []):
                jobcode["locations"] = [x for x in jobcode["locations"] if x != lid]
                jobcode["last_modified"] = now
        for jid in jobcode_ids:
            if jid in old:
                continue
            rows.append(
                {
                    "id": self._new_id("locations_map"),
                    "x_table": "job_codes",
                    "x_id": jid,
                    "location_id": lid,
                    "created": now,
                    "last_modified": now,
                }
            )
            jobcode = self._find("jobcodes", jid)
            if jobcode is not None:
                current = jobcode.get("locations")
                jobcode["locations"] = [*(current if isinstance(current, list) else []), lid]
                jobcode["last_modified"] = now
        location["linked_objects"] = {"jobcodes": list(jobcode_ids)} if jobcode_ids else {}

    def _get_locations_map(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        # Choice: an unlinked row is removed, so every row is "active"; active=no finds none.
        active = q.choice("active", ACTIVE_CHOICES, "yes")
        by_assignment = q.boolean("by_jobcode_assignment")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        assigned = (
            self._assigned_jobcode_ids(self.qb.get("current_user_id")) if by_assignment else set()
        )

        def keep(row: dict[str, Any]) -> bool:
            return all(
                (
                    ids is None or row.get("id") in ids,
                    active != "no",
                    not by_assignment or row.get("x_id") in assigned,
                    _modified_ok(row, since, before),
                )
            )

        def supplemental(rows: list[dict[str, Any]]) -> dict[str, Any]:
            sup: dict[str, dict[str, Any]] = {}
            for row in rows:
                self._sup_add(sup, "locations", self._find("locations", row.get("location_id")))
            return sup

        rows = [r for r in self._coll("locations_map") if keep(r)]
        return self._list(q, "locations_map", rows, supplemental)

    # ================================================================== timesheets
    def _timesheets_supplemental(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Users, jobcodes (with their parents, as the docs' example shows) and the custom
        fields the timesheets carry."""
        sup: dict[str, dict[str, Any]] = {}
        out = self._jobcode_out(False)
        for ts in rows:
            self._sup_user(sup, self._find("users", ts.get("user_id")))
            jobcode = self._find("jobcodes", ts.get("jobcode_id"))
            if jobcode is not None:
                for row in (jobcode, *self._ancestors(jobcode)):
                    self._sup_add(sup, "jobcodes", out(row))
            if isinstance(ts.get("customfields"), dict):
                for cf_id in ts["customfields"]:
                    if str(cf_id).isdigit():
                        self._sup_add(sup, "customfields", self._find("customfields", int(cf_id)))
        return sup

    def _wanted_jobcodes(self, q: _Query) -> set[int] | None:
        """``jobcode_ids``: "these jobcodes or one of their children"."""
        jobcode_ids = q.int_list("jobcode_ids")
        if jobcode_ids is None:
            return None
        wanted = set(jobcode_ids)
        for jid in jobcode_ids:
            wanted |= {d["id"] for d in self._descendants(jid)}
        return wanted

    def _get_timesheets(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        start, end = q.day("start_date"), q.day("end_date")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        if ids is None and start is None and since is None and before is None:
            raise ApiError(
                417, "one of ids, start_date, modified_before or modified_since is required"
            )
        wanted_jobcodes = self._wanted_jobcodes(q)
        payroll_ids = q.str_list("payroll_ids")
        user_ids = q.int_list("user_ids")
        group_ids = q.int_list("group_ids")
        on_the_clock = q.choice("on_the_clock", ACTIVE_CHOICES, "no")
        jtype = q.choice("jobcode_type", (*JOBCODE_TYPES, "all"), "all")
        users = self._index("users")
        jobcodes = self._index("jobcodes")

        def keep(ts: dict[str, Any]) -> bool:
            user = users.get(ts.get("user_id"), {})
            jobcode = jobcodes.get(ts.get("jobcode_id")) or {}
            day = str(ts.get("date", ""))
            return all(
                (
                    ids is None or ts.get("id") in ids,
                    start is None or day >= start,
                    end is None or day <= end,
                    wanted_jobcodes is None or ts.get("jobcode_id") in wanted_jobcodes,
                    payroll_ids is None or str(user.get("payroll_id", "")) in payroll_ids,
                    user_ids is None or ts.get("user_id") in user_ids,
                    group_ids is None or user.get("group_id") in group_ids,
                    on_the_clock == "both"
                    or truthy(ts.get("on_the_clock")) == (on_the_clock == "yes"),
                    jtype == "all" or jobcode.get("type", "regular") == jtype,
                    _modified_ok(ts, since, before),
                )
            )

        rows = [t for t in self._coll("timesheets") if keep(t)]
        return self._list(q, "timesheets", rows, self._timesheets_supplemental)

    def _post_timesheets(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "timesheets",
            "Created",
            self._timesheet_create,
            ("user_id", "jobcode_id", "type"),
            self._timesheets_supplemental,
        )

    def _put_timesheets(self, request: Request, q: _Query) -> Response:
        return self._write(
            request,
            q,
            "timesheets",
            "Updated",
            self._timesheet_update,
            ("id",),
            self._timesheets_supplemental,
        )

    def _timesheet_create(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, TIMESHEET_CREATE)
        for key in ("user_id", "jobcode_id", "type"):
            if key not in item:
                raise ItemError(f"{key} is required")
        ttype = _as_text(item, "type").strip().lower()
        if ttype not in ("regular", "manual"):
            raise ItemError("Invalid value for type: expected 'regular' or 'manual'")
        user = self._find("users", _as_int(item, "user_id", minimum=1))
        if user is None or not truthy(user.get("active")):
            raise ItemError("Oops! You don't have permission to manage that user")
        if not truthy((user.get("permissions") or {}).get("time_tracking", True)):
            raise ItemError("TS-1006: that user is not allowed to track time", status=403)
        ts: dict[str, Any] = {
            "id": self._new_id("timesheets"),
            "user_id": user["id"],
            "jobcode_id": 0,
            "start": "",
            "end": "",
            "duration": 0,
            "date": "",
            "tz": 0,
            "tz_str": "",
            "type": ttype,
            "location": "",
            "on_the_clock": False,
            "locked": 0,
            "notes": "",
            "customfields": self._blank_customfields(),
            "attached_files": [],
            "last_modified": now,
            "created_by_user_id": self.qb.get("current_user_id", 0),
        }
        self._timesheet_apply(ts, item, creating=True)
        self._mut("timesheets").append(ts)
        return 200, ts

    def _timesheet_update(self, item: dict[str, Any], now: str) -> tuple[int, dict[str, Any]]:
        _check_params(item, TIMESHEET_UPDATE)
        if "id" not in item:
            raise ItemError("id is required")
        found = self._find("timesheets", _as_int(item, "id", minimum=1))
        if found is None:
            raise ItemError("Oops! That timesheet does not exist", status=404)
        if int(found.get("locked") or 0) > 0:
            raise ItemError("Oops! That timesheet is locked (approved, exported or invoiced)")
        ts = copy.deepcopy(found)
        if "type" in item and _as_text(item, "type").strip().lower() != ts["type"]:
            raise ItemError("Invalid param(s): type (a timesheet keeps its type)")
        self._timesheet_apply(ts, item, creating=False)
        ts["last_modified"] = now
        found.clear()
        found.update(ts)
        return 200, found

    def _timesheet_apply(self, ts: dict[str, Any], item: dict[str, Any], *, creating: bool) -> None:
        """The writable fields of ``item`` onto ``ts``, with the service's rules."""
        if "jobcode_id" in item:
            ts["jobcode_id"] = self._trackable_jobcode(ts["user_id"], _as_int(item, "jobcode_id"))
        if "notes" in item:
            ts["notes"] = _as_text(item, "notes")
        if "customfields" in item:
            ts["customfields"] = self._timesheet_customfields(
                ts.get("customfields"), item["customfields"]
            )
        if "attached_files" in item:
            files = item["attached_files"]
            if not isinstance(files, list) or files:
                # Choice: the Demo Company stores no files, so none can be attached.
                raise ItemError("Invalid value for attached_files: no such file")
        if ts["type"] == "manual":
            if creating and ("date" not in item or "duration" not in item):
                raise ItemError("date and duration are required for a manual timesheet")
            if "start" in item or "end" in item:
                raise ItemError(
                    "Invalid param(s): start, end (a manual timesheet has a date and a duration)"
                )
            if "date" in item:
                day = _as_date(item, "date")
                if day == "0000-00-00":
                    raise ItemError("Invalid value for date: expected YYYY-MM-DD")
                ts["date"] = day
            if "duration" in item:
                ts["duration"] = _as_int(item, "duration")
            return
        if "date" in item or "duration" in item:
            raise ItemError("Invalid param(s): date, duration (read-only on a regular timesheet)")
        if creating and "start" not in item:
            raise ItemError("start is required for a regular timesheet")
        start_text = _as_text(item, "start") if "start" in item else ts["start"]
        end_text = _as_text(item, "end") if "end" in item else ts["end"]
        start_dt = _parse_iso(start_text)
        if start_dt is None:
            raise ItemError("Invalid value for start: expected YYYY-MM-DDThh:mm:ss±hh:mm")
        end_dt = None
        if end_text:
            end_dt = _parse_iso(end_text)
            if end_dt is None:
                raise ItemError("Invalid value for end: expected YYYY-MM-DDThh:mm:ss±hh:mm")
            if end_dt <= start_dt:
                raise ItemError("Oops! The end time must be after the start time")
        offset = start_dt.utcoffset() or timedelta(0)
        ts["start"] = start_dt.isoformat(timespec="seconds")
        ts["end"] = (
            end_dt.astimezone(start_dt.tzinfo).isoformat(timespec="seconds") if end_dt else ""
        )
        ts["date"] = start_dt.date().isoformat()
        ts["tz"] = _offset_hours(offset)
        ts["on_the_clock"] = end_dt is None
        # An open shift has no duration yet (official on-the-clock examples: 0).
        ts["duration"] = int((end_dt - start_dt).total_seconds()) if end_dt else 0
        self._check_overlap(ts, start_dt, end_dt)

    def _check_overlap(self, ts: dict[str, Any], start: datetime, end: datetime | None) -> None:
        """406 when the shift overlaps another regular shift of the user, or a second one
        would be on the clock (a person is in one place at a time)."""
        for other in self._coll("timesheets"):
            if other.get("id") == ts["id"] or other.get("user_id") != ts["user_id"]:
                continue
            if other.get("type") != "regular":
                continue
            if end is None and truthy(other.get("on_the_clock")):
                raise ItemError("Oops! That user is already on the clock", status=406)
            o_start = _parse_iso(str(other.get("start") or ""))
            if o_start is None:
                continue
            o_end = _parse_iso(str(other.get("end") or "")) if other.get("end") else None
            if (end is None or o_start < end) and (o_end is None or start < o_end):
                raise ItemError(
                    "Oops! That time overlaps another timesheet of this user", status=406
                )

    def _trackable_jobcode(self, user_id: int, jobcode_id: int) -> int:
        """0 (no job) or an active jobcode without children that the user may track time to."""
        if jobcode_id == 0:
            return 0
        jobcode = self._find("jobcodes", jobcode_id)
        if jobcode is None:
            raise ItemError("Oops! No jobcode has that id")
        if not truthy(jobcode.get("active")):
            raise ItemError("Oops! That jobcode is archived")
        if truthy(jobcode.get("has_children")):
            raise ItemError("Oops! Time can't be tracked to a jobcode that has children")
        if jobcode_id not in self._assigned_jobcode_ids(user_id):
            raise ItemError("Oops! That jobcode is not assigned to that user")
        return jobcode_id

    def _blank_customfields(self) -> dict[str, str]:
        """Every active timesheet custom field, empty (the official update answer)."""
        return {
            str(cf["id"]): ""
            for cf in sorted(self._coll("customfields"), key=_sort_key)
            if truthy(cf.get("active")) and cf.get("applies_to", "timesheet") == "timesheet"
        }

    def _timesheet_customfields(self, current: Any, given: Any) -> dict[str, str]:
        if not isinstance(given, dict):
            raise ItemError("Invalid value for customfields: expected an object")
        out = dict(current) if isinstance(current, dict) else self._blank_customfields()
        for key, value in given.items():
            cf = self._find("customfields", int(key)) if str(key).isdigit() else None
            if cf is None or not truthy(cf.get("active")):
                raise ItemError(f"Invalid value for customfields: no active custom field {key}")
            if not isinstance(value, str):
                raise ItemError(f"Invalid value for customfields.{key}: expected a string")
            if value and cf.get("type") == "managed-list":
                names = {
                    _fold(i.get("name")): i["name"]
                    for i in self._coll("customfielditems")
                    if i.get("customfield_id") == cf["id"] and truthy(i.get("active"))
                }
                if _fold(value) not in names:
                    raise ItemError(
                        f"Invalid value for customfields.{key}: no active item {value!r}"
                    )
                value = names[_fold(value)]
            out[str(cf["id"])] = value
        return out

    def _delete_timesheets(self, request: Request, q: _Query) -> Response:
        raw = request.args.get("ids")
        if raw is None or not raw.strip():
            # Docs: no filter, nothing deleted. Choice: a 417 (as for assignments).
            raise ApiError(417, "ids is required; nothing was deleted")
        parts = [p.strip() for p in raw.split(",")]
        if len(parts) > self.config.max_batch:
            raise ApiError(413, f"at most {self.config.max_batch} ids per request")
        now = self._now()
        results: dict[str, Any] = {}
        deleted: list[dict[str, Any]] = []
        for part in parts:
            row = self._find("timesheets", int(part)) if part.isdigit() else None
            if row is None:
                results[part] = {
                    "_status_code": 404,
                    "_status_message": "Not Found",
                    "_status_extra": "That id is not found in the database",
                    "id": part,
                }
            elif int(row.get("locked") or 0) > 0:
                results[part] = {
                    "_status_code": 417,
                    "_status_message": "Expectation Failed",
                    "_status_extra": "Oops! That timesheet is locked",
                    "id": part,
                }
            else:
                deleted.append(row)
                results[part] = {"_status_code": 200, "_status_message": "OK, deleted", "id": part}
        if deleted:
            gone = {r["id"] for r in deleted}
            self._mut("timesheets")[:] = [
                t for t in self._coll("timesheets") if t.get("id") not in gone
            ]
            self._removed("timesheets")
            for row in deleted:
                self._mut("timesheets_deleted").append(_deleted_copy(row, now))
            self._persist()
        return json_response({"results": {"timesheets": results}})

    def _get_timesheets_deleted(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        start, end = q.day("start_date"), q.day("end_date")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")
        if all(v is None for v in (ids, start, end, since, before)):
            raise ApiError(
                417,
                "one of ids, start_date, end_date, modified_before or modified_since is required",
            )
        wanted_jobcodes = self._wanted_jobcodes(q)
        user_ids = q.int_list("user_ids")
        group_ids = q.int_list("group_ids")
        username = q.raw("username")
        jtype = q.choice("jobcode_type", (*JOBCODE_TYPES, "all"), "all")
        ttype = q.choice("type", ("manual", "regular", "both"), "both")
        order = q.choice("order_results_by", ("fname", "lname", "username", "date"), "date")
        reverse = q.boolean("order_results_reverse") or False
        users = self._index("users")
        jobcodes = self._index("jobcodes")
        # A deleted timesheet is kept 180 days (docs).
        horizon = self.clock.now() - 180 * 86400

        def keep(ts: dict[str, Any]) -> bool:
            user = users.get(ts.get("user_id"), {})
            jobcode = jobcodes.get(ts.get("jobcode_id")) or {}
            day = str(ts.get("date", ""))
            return all(
                (
                    (parse_timestamp(ts.get("last_modified")) or 0.0) >= horizon,
                    ids is None or ts.get("id") in ids,
                    start is None or day >= start,
                    end is None or day <= end,
                    wanted_jobcodes is None or ts.get("jobcode_id") in wanted_jobcodes,
                    user_ids is None or ts.get("user_id") in user_ids,
                    group_ids is None or user.get("group_id") in group_ids,
                    username is None or _fold(user.get("username")) == _fold(username),
                    jtype == "all" or jobcode.get("type", "regular") == jtype,
                    ttype == "both" or ts.get("type") == ttype,
                    _modified_ok(ts, since, before),
                )
            )

        def sort_key(ts: dict[str, Any]) -> tuple[str, int]:
            user = users.get(ts.get("user_id"), {})
            field = {"fname": "first_name", "lname": "last_name", "username": "username"}.get(order)
            text = _fold(user.get(field)) if field else str(ts.get("start") or ts.get("date") or "")
            return text, int(ts.get("id") or 0)

        rows = sorted(
            (t for t in self._coll("timesheets_deleted") if keep(t)), key=sort_key, reverse=reverse
        )
        return self._list(
            q, "timesheets_deleted", rows, self._timesheets_supplemental, ordered=True
        )

    # ================================================================== time off
    def _time_off_supplemental(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        for row in rows:
            self._sup_user(sup, self._find("users", row.get("user_id")))
            for note_id in row.get("time_off_request_notes") or []:
                self._sup_add(
                    sup, "time_off_request_notes", self._find("time_off_request_notes", note_id)
                )
            for entry_id in row.get("time_off_request_entries") or []:
                self._sup_add(
                    sup,
                    "time_off_request_entries",
                    self._find("time_off_request_entries", entry_id),
                )
        return sup

    def _get_time_off_requests(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        user_ids = q.int_list("user_ids")
        since, before = q.timestamp("modified_since"), q.timestamp("modified_before")

        def keep(row: dict[str, Any]) -> bool:
            return all(
                (
                    ids is None or row.get("id") in ids,
                    user_ids is None or row.get("user_id") in user_ids,
                    _modified_ok(row, since, before),
                )
            )

        rows = [r for r in self._coll("time_off_requests") if keep(r)]
        return self._list(q, "time_off_requests", rows, self._time_off_supplemental)

    def _entries_supplemental(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        sup: dict[str, dict[str, Any]] = {}
        out = self._jobcode_out(False)
        for row in rows:
            self._sup_add(
                sup,
                "time_off_requests",
                self._find("time_off_requests", row.get("time_off_request_id")),
            )
            jobcode = self._find("jobcodes", row.get("jobcode_id"))
            if jobcode is not None:
                self._sup_add(sup, "jobcodes", out(jobcode))
            self._sup_user(sup, self._find("users", row.get("user_id")))
        return sup

    def _get_time_off_request_entries(self, request: Request, q: _Query) -> Response:
        ids = q.int_list("ids")
        request_ids = q.int_list("time_off_request_ids")
        approver_ids = q.int_list("approver_user_ids")
        status = q.choices("status", TIME_OFF_STATUSES)
        day = q.day("date")
        start, end = q.timestamp("start_time"), q.timestamp("end_time")
        jobcode_ids = q.int_list("jobcode_ids")
        user_ids = q.int_list("user_ids")
        if all(
            v is None
            for v in (
                ids,
                request_ids,
                approver_ids,
                status,
                day,
                start,
                end,
                jobcode_ids,
                user_ids,
            )
        ):
            raise ApiError(
                417,
                "one of ids, time_off_request_ids, approver_user_ids, status, "
                "date, start_time, end_time, jobcode_ids or user_ids is required",
            )

        def bounds(row: dict[str, Any]) -> tuple[float, float]:
            """The entry's time span; a whole-day entry covers its date in its zone."""
            first = parse_timestamp(row.get("start_time"))
            last = parse_timestamp(row.get("end_time"))
            if first is None or last is None:
                zone = _zone(row.get("tz_string")) or UTC
                midnight = datetime.fromisoformat(str(row.get("date"))).replace(tzinfo=zone)
                first, last = midnight.timestamp(), midnight.timestamp() + 86399
            return first, last

        def keep(row: dict[str, Any]) -> bool:
            first, last = bounds(row)
            return all(
                (
                    ids is None or row.get("id") in ids,
                    request_ids is None or row.get("time_off_request_id") in request_ids,
                    approver_ids is None or row.get("approver_user_id") in approver_ids,
                    status is None or row.get("status") in status,
                    day is None or row.get("date") == day,
                    start is None or first >= start,
                    end is None or last <= end,
                    jobcode_ids is None or row.get("jobcode_id") in jobcode_ids,
                    user_ids is None or row.get("user_id") in user_ids,
                )
            )

        rows = [r for r in self._coll("time_off_request_entries") if keep(r)]
        return self._list(q, "time_off_request_entries", rows, self._entries_supplemental)

    # ================================================================== reports
    def _post_payroll_report(self, request: Request, q: _Query) -> Response:
        """``POST /reports/payroll``: seconds per user over a date range.

        Choices (the docs give the filters, the SDK schema the fields): regular seconds are
        time on ``regular`` and ``paid_break`` codes (and on no code), ``pto_seconds`` is
        keyed by ``pto`` code, unpaid time off and unpaid breaks count nowhere; shifts still
        on the clock are left out; no overtime is computed (``overtime_seconds`` is empty).
        """
        if request.mimetype != "application/json":
            raise ApiError(417, "the Content-Type: application/json header is required")
        try:
            body = read_json(request)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from exc
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise ApiError(417, 'the body must be {"data":{...}}')
        _check_report_params(data)
        start, end = data.get("start_date"), data.get("end_date")
        for key, value in (("start_date", start), ("end_date", end)):
            if not isinstance(value, str) or not _DATE.match(value):
                raise ApiError(417, f"{key} is required (YYYY-MM-DD)")
        if str(end) < str(start):
            raise ApiError(417, "end_date must not be before start_date")
        user_ids = _report_ids(data, "user_ids")
        group_ids = _report_ids(data, "group_ids")
        zero = data.get("include_zero_time", False)
        include_zero = (
            truthy(zero) if not isinstance(zero, str) else zero.lower() in ("true", "yes", "1")
        )
        users = [
            u
            for u in self._coll("users")
            if (user_ids is None or u.get("id") in user_ids)
            and (group_ids is None or u.get("group_id") in group_ids)
        ]
        jobcodes = self._index("jobcodes")
        report: dict[str, Any] = {}
        for user in sorted(users, key=_sort_key):
            regular, pto = 0, dict[str, int]()
            for ts in self._coll("timesheets"):
                if ts.get("user_id") != user["id"] or truthy(ts.get("on_the_clock")):
                    continue
                if not str(start) <= str(ts.get("date", "")) <= str(end):
                    continue
                jtype = (jobcodes.get(ts.get("jobcode_id")) or {}).get("type", "regular")
                seconds = int(ts.get("duration") or 0)
                if jtype in ("regular", "paid_break"):
                    regular += seconds
                elif jtype == "pto":
                    key = str(ts.get("jobcode_id"))
                    pto[key] = pto.get(key, 0) + seconds
            total_pto = sum(pto.values())
            if not include_zero and regular + total_pto == 0:
                continue
            report[str(user["id"])] = {
                "user_id": user["id"],
                "client_id": 0,
                "start_date": start,
                "end_date": end,
                "total_re_seconds": regular,
                "total_pto_seconds": total_pto,
                "total_work_seconds": regular,
                "pto_seconds": pto,
                "overtime_seconds": {},
                "fixed_rate_seconds": {},
            }
        return json_response({"results": {"payroll_report": report or []}, "more": False})

    # ================================================================== demo dates
    def _shift_demo_dates(self) -> None:
        """A new state made from the Demo Company file gets its hours moved by
        :func:`~core.sandbox.common.demo_shift_days` of the clock's today, once. The company
        file asks for it with ``"demo_shift_days": null`` (a file without the key keeps its
        dates); the number of days replaces the null and is saved at once, so a restart keeps
        the same dates (the Xero simulator moves its payroll dates by the same rule)."""
        if "demo_shift_days" not in self.qb or self.qb["demo_shift_days"] is not None:
            return
        days = demo_shift_days(self.clock.now())
        self.qb["demo_shift_days"] = days
        if days:
            shift_qbtime_dates(self.qb, days)
            self._forget()
        self.store.save("qbtime")


# --------------------------------------------------------------------------- settings
def default_effective_settings(config: QBTimeConfig, company: dict[str, Any]) -> dict[str, Any]:
    """The effective settings of a company file that brings none: the sections the wizard
    reads, in the shape of the official example (mixed "1"/1 values included)."""
    never = NEVER_MODIFIED
    return {
        "general": {
            "settings": {
                "calculate_overtime": "1",
                "date_locale": str(company.get("date_locale", "us")),
                "jc_label": str(company.get("jc_label", "Job")),
                "max_customfielditems": "-1",
                "max_jobcodes": "-1",
                "payroll_type": str(company.get("payroll_type", "weekly")),
                "pto_entry": 1,
                "time_format": 12,
                "timeclock_label": "Time Clock",
                "tz": str(company.get("tz", "UTC")),
                "week_start": 1,
                "weekly_regular_hours": "40",
            },
            "last_modified": never,
        },
        "approvals": {"settings": {"installed": "0"}, "last_modified": never},
        "dialin": {"settings": {"installed": 0}, "last_modified": never},
        "invoicing": {"settings": {"installed": 0}, "last_modified": never},
        "location_aware": {
            "settings": {"installed": 1, "show_location": "1"},
            "last_modified": never,
        },
        "quickbooks": {"settings": {"installed": "0"}, "last_modified": never},
        "restapi": {"settings": {"installed": "1"}, "last_modified": never},
        "customfields": {
            "settings": {
                "maximum_allowed_timesheet_custom_fields": config.max_active_customfields,
                "installed": "1",
            },
            "last_modified": never,
        },
        "xero": {"settings": {"installed": 0}, "last_modified": never},
    }


def blank_qbtime_state(
    token: str,
    now: float,
    *,
    company_name: str = "Demo Company",
    client_url: str = "democompany",
    admin: tuple[str, str, str, str] = ("admin", "Ada", "Admin", "admin@example.com"),
    pto_names: Iterable[str] = ("Sick", "Vacation", "Holiday"),
) -> dict[str, Any]:
    """A QB Time account as a new sign-up has it: the admin behind ``token`` and the default
    time-off codes, every object in its GET shape. Tests build the rest through the API."""
    ts = iso_offset(now)
    pto: list[dict[str, Any]] = []
    for offset, name in enumerate(pto_names):
        pto.append(
            {
                "id": ID_BASE["jobcodes"] - 1000 + offset,
                "parent_id": 0,
                "assigned_to_all": True,
                "billable": False,
                "active": True,
                "type": "pto",
                "has_children": False,
                "billable_rate": 0,
                "short_code": "",
                "name": name,
                "last_modified": ts,
                "created": ts,
                "filtered_customfielditems": "",
                "required_customfields": [],
                "locations": [],
                "connect_with_quickbooks": False,
            }
        )
    username, first, last, email = admin
    user = {
        "id": ID_BASE["users"] - 1000,
        "first_name": first,
        "last_name": last,
        "group_id": 0,
        "active": True,
        "employee_number": 0,
        "salaried": False,
        "exempt": False,
        "username": username,
        "email": email,
        "email_verified": True,
        "payroll_id": "",
        "mobile_number": "",
        "hire_date": "0000-00-00",
        "term_date": "0000-00-00",
        "last_modified": ts,
        "last_active": "",
        "created": ts,
        "client_url": client_url,
        "company_name": company_name,
        "profile_image_url": "",
        "display_name": "",
        "pto_balances": {str(j["id"]): 0 for j in pto},
        "submitted_to": "2000-01-01",
        "approved_to": "2000-01-01",
        "manager_of_group_ids": [],
        "require_password_change": False,
        "pay_rate": 0,
        "pay_interval": "hour",
        "permissions": {**PERMISSION_DEFAULTS, "admin": True, "time_tracking": True},
        "customfields": "",
    }
    return {
        "token": token,
        "current_user_id": user["id"],
        "company": {"name": company_name, "client_url": client_url},
        "users": [user],
        "jobcodes": pto,
        "jobcode_assignments": [
            {
                "id": ID_BASE["jobcode_assignments"] - 1000 + i,
                "user_id": 0,
                "jobcode_id": j["id"],
                "active": True,
                "last_modified": ts,
                "created": ts,
            }
            for i, j in enumerate(pto)
        ],
        "customfields": [],
        "customfielditems": [],
        "locations": [],
        "locations_map": [],
    }
