"""QuickBooks Time raw API objects -> typed records (pure: no I/O, no Qt).

The API's answers are not uniform (official examples, ``shared/references/qbtime-api.md`` §2):

* booleans arrive as ``true``/``false``, ``1``/``0``, ``"1"``/``"0"``, ``"yes"``/``"no"``,
  ``"true"``/``"false"`` and ``""`` (supplemental ``"assigned_to_all": ""``);
* ids are 64-bit and sometimes strings (``"user_id": "1234"``);
* empty maps are ``""`` (``filtered_customfielditems``, user ``customfields``) and an empty
  ``results`` object may be ``[]``;
* empty dates are ``"0000-00-00"``, empty timestamps ``""``; offsets are ``+00:00``,
  ``+0000`` or ``Z``, and some examples have no ``T`` and no offset at all;
* text fields may be ``null`` (``display_name``).

Every helper here accepts all of those and never raises on a quirk: an unreadable value
becomes the documented default. Each record keeps the raw object (``raw``) untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from core.engine.names import clean_name, is_clean
from core.engine.records import (
    Address,
    QBTAssignment,
    QBTCustomField,
    QBTCustomFieldItem,
    QBTJobcode,
    QBTLocation,
    QBTUser,
    location_fields,
)
from core.engine.writes import as_opt_int

__all__ = [
    "CurrentUser",
    "LocationLink",
    "address_of",
    "as_bool",
    "as_date",
    "as_id_list",
    "as_int",
    "as_map",
    "as_opt_int",
    "as_str",
    "assignment",
    "current_user",
    "customfield",
    "customfielditem",
    "format_timestamp",
    "jobcode",
    "location",
    "location_fields",
    "location_link",
    "outbound",
    "parse_timestamp",
    "results_of",
    "strip_status",
    "user",
]

_TRUE = frozenset({"1", "true", "yes", "y", "t", "on"})
_FALSE = frozenset({"", "0", "false", "no", "n", "f", "off", "null", "none"})
_INT = re.compile(r"^[+-]?\d+$")
_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


# =========================================================================== scalars
def as_bool(value: Any, default: bool = False) -> bool:
    """A QB Time boolean in any of its spellings; ``None`` and unknown text -> ``default``."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return default


def as_int(value: Any, default: int = 0) -> int:
    if type(value) is int:  # the usual answer (a JSON number); bool is not int here
        return value
    out = as_opt_int(value)
    return default if out is None else out


def as_str(value: Any) -> str:
    """Text; ``None`` -> ``""``; numbers (a zip, a payroll id sent as a number) -> their text."""
    if type(value) is str:  # the usual answer: one type check, not an isinstance chain
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def as_map(value: Any) -> dict[str, Any]:
    """An object; the API's ``""`` / ``[]`` / ``null`` for "empty" -> ``{}``."""
    return dict(value) if isinstance(value, Mapping) else {}


def as_date(value: Any) -> str:
    """``YYYY-MM-DD``; ``"0000-00-00"``, ``""``, ``null`` or an invalid date -> ``""``."""
    text = as_str(value).strip()[:10]
    if not text or text == "0000-00-00":
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def as_id_list(value: Any) -> tuple[int, ...]:
    """Ids from a list (ints or digit strings), a comma string, ``""`` or ``null``."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, Mapping):
        value = list(value.keys())
    if not isinstance(value, list | tuple):
        value = [value]
    out: list[int] = []
    for item in value:
        num = as_opt_int(item)
        if num is not None and num not in out:
            out.append(num)
    return tuple(out)


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds of a QB Time timestamp, or None for ``""``/``null``/unreadable.

    Accepts ``2018-03-28T17:24:20+00:00``, ``+0000``, ``Z``, fractions, a space instead of
    ``T`` and no offset at all (read as UTC, as in the assignment examples).
    """
    if type(value) is str:  # the usual answer: read as the chain below reads it
        return _parse_timestamp_text(value.strip())
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return _parse_timestamp_text(as_str(value).strip())


@lru_cache(maxsize=4096)
def _parse_timestamp_text(text: str) -> float | None:
    """:func:`parse_timestamp` of a text (the records of one write batch, or of one page,
    mostly share their ``last_modified``: each text is parsed once)."""
    if not text or text.startswith("0000-00-00"):
        return None
    m = _TS.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        dt = datetime(
            int(y),
            int(mo),
            int(d),
            int(h or 0),
            int(mi or 0),
            int(s or 0),
            min(999_999, round(float(frac) * 1_000_000)) if frac else 0,
        )
    except ValueError:
        return None
    return dt.replace(tzinfo=_offset(tz)).timestamp()


def _offset(tz: str | None) -> timezone:
    if not tz or tz.upper() == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_timestamp(ts: float) -> str:
    """``2018-01-01T00:00:00+00:00``: what ``modified_since``/``modified_before`` expect."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


# =========================================================================== envelopes
def results_of(payload: Any, kind: str) -> list[dict[str, Any]]:
    """The objects under ``results.<kind>`` of a GET answer, in document order.

    ``results`` is an object keyed by id; an empty one may come as ``[]`` or ``""``; a list
    of objects is accepted too. Non-object entries are skipped.
    """
    results = payload.get("results") if isinstance(payload, Mapping) else None
    block = results.get(kind) if isinstance(results, Mapping) else None
    if isinstance(block, Mapping):
        values: Iterable[Any] = block.values()
    elif isinstance(block, list):
        values = block
    else:
        values = ()
    return [dict(v) for v in values if isinstance(v, Mapping)]


#: the ``_status_*`` keys QuickBooks Time's write answers carry (any other is found too)
_STATUS_KEYS = frozenset(("_status_code", "_status_message", "_status_extra", "_status_warning"))


def strip_status(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A write answer's element without its ``_status_*`` keys: the record as stored."""
    out = dict(obj)
    # The documented four taken out by a set intersection, then one C-level look for any
    # other key starting with "_status_" (all keys joined after a NUL each): no Python
    # loop over every key of every row (~40 % of this function's CPU on an import's
    # answers). A key that is not text, or a hit, takes the long way (every key's str()).
    for key in out.keys() & _STATUS_KEYS:
        del out[key]
    try:
        other = "\x00_status_" in "\x00" + "\x00".join(out)
    except TypeError:
        other = True
    if other:
        for key in [k for k in out if str(k).startswith("_status_")]:
            del out[key]
    return out


# =========================================================================== records
@dataclass(frozen=True)
class CurrentUser:
    """The user behind the access token (``GET /current_user``) and their company."""

    id: int
    first_name: str
    last_name: str
    username: str
    email: str
    company_name: str
    client_url: str  # the account's sub-domain: stable, names the company
    permissions: dict[str, bool] = field(default_factory=dict, compare=False)
    is_admin: bool = False
    active: bool = True
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.username

    def can(self, permission: str) -> bool:
        """True when the user is an administrator or holds ``permission``."""
        return self.is_admin or bool(self.permissions.get(permission))


@dataclass(frozen=True)
class LocationLink:
    """One ``/locations_map`` row: a location linked to a jobcode (``x_table`` job_codes)."""

    id: int
    location_id: int
    jobcode_id: int
    x_table: str = "job_codes"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def user(raw: Mapping[str, Any]) -> QBTUser:
    return QBTUser(
        id=as_int(raw.get("id")),
        first_name=as_str(raw.get("first_name")).strip(),
        last_name=as_str(raw.get("last_name")).strip(),
        username=as_str(raw.get("username")).strip(),
        email=as_str(raw.get("email")).strip(),
        active=as_bool(raw.get("active"), True),
        payroll_id=as_str(raw.get("payroll_id")).strip(),
        raw=dict(raw),
    )


#: What the snapshot keeps of a user (core.services.stored_fields): what :func:`user` reads
#: but ``payroll_id`` (nothing uses it), ``permissions`` (whether an administrator) and the
#: mobile number the review shows. Not kept: pay rate, payroll id, hire and termination
#: dates, time-off balances... (sending hours and billing read the users at the time).
STORED_USER_FIELDS: dict[str, frozenset[str] | None] = dict.fromkeys(
    ("id", "first_name", "last_name", "username", "email", "active", "permissions", "mobile_number")
)


def permissions_of(raw: Any) -> dict[str, bool]:
    return {str(k): as_bool(v) for k, v in as_map(raw).items()}


def current_user(raw: Mapping[str, Any]) -> CurrentUser:
    perms = permissions_of(raw.get("permissions"))
    return CurrentUser(
        id=as_int(raw.get("id")),
        first_name=as_str(raw.get("first_name")).strip(),
        last_name=as_str(raw.get("last_name")).strip(),
        username=as_str(raw.get("username")).strip(),
        email=as_str(raw.get("email")).strip(),
        company_name=as_str(raw.get("company_name")).strip(),
        client_url=as_str(raw.get("client_url")).strip(),
        permissions=perms,
        is_admin=perms.get("admin", False),
        active=as_bool(raw.get("active"), True),
        raw=dict(raw),
    )


def jobcode(raw: Mapping[str, Any]) -> QBTJobcode:
    return QBTJobcode(
        id=as_int(raw.get("id")),
        parent_id=as_int(raw.get("parent_id")),
        name=as_str(raw.get("name")),
        type=(as_str(raw.get("type")).strip().lower() or "regular"),
        active=as_bool(raw.get("active"), True),
        assigned_to_all=as_bool(raw.get("assigned_to_all")),
        short_code=as_str(raw.get("short_code")),
        has_children=as_bool(raw.get("has_children")),
        locations=as_id_list(raw.get("locations")),
        raw=dict(raw),
    )


def customfield(raw: Mapping[str, Any]) -> QBTCustomField:
    applies_to = as_str(raw.get("applies_to")).strip().lower().replace("job_code", "jobcode")
    return QBTCustomField(
        id=as_int(raw.get("id")),
        name=as_str(raw.get("name")),
        active=as_bool(raw.get("active"), True),
        required=as_bool(raw.get("required")),
        applies_to=applies_to or "timesheet",
        type=as_str(raw.get("type")).strip().lower(),
        short_code=as_str(raw.get("short_code")),
        raw=dict(raw),
    )


def customfielditem(raw: Mapping[str, Any]) -> QBTCustomFieldItem:
    return QBTCustomFieldItem(
        id=as_int(raw.get("id")),
        customfield_id=as_int(raw.get("customfield_id")),
        name=as_str(raw.get("name")),
        active=as_bool(raw.get("active"), True),
        short_code=as_str(raw.get("short_code")),
        raw=dict(raw),
    )


def address_of(raw: Mapping[str, Any]) -> Address:
    return Address(
        line1=as_str(raw.get("addr1")).strip(),
        line2=as_str(raw.get("addr2")).strip(),
        city=as_str(raw.get("city")).strip(),
        region=as_str(raw.get("state")).strip(),
        postal_code=as_str(raw.get("zip")).strip(),
        country=as_str(raw.get("country")).strip(),
    )


def location(raw: Mapping[str, Any]) -> QBTLocation:
    linked = as_map(raw.get("linked_objects"))
    return QBTLocation(
        id=as_int(raw.get("id")),
        address=address_of(raw),
        active=as_bool(raw.get("active"), True),
        jobcode_ids=as_id_list(linked.get("jobcodes")),
        label=as_str(raw.get("label")),
        raw=dict(raw),
    )


def location_link(raw: Mapping[str, Any]) -> LocationLink:
    return LocationLink(
        id=as_int(raw.get("id")),
        location_id=as_int(raw.get("location_id")),
        jobcode_id=as_int(raw.get("x_id")),
        x_table=as_str(raw.get("x_table")) or "job_codes",
        raw=dict(raw),
    )


def assignment(raw: Mapping[str, Any]) -> QBTAssignment:
    return QBTAssignment(
        id=as_int(raw.get("id")),
        user_id=as_int(raw.get("user_id")),
        jobcode_id=as_int(raw.get("jobcode_id")),
        active=as_bool(raw.get("active"), True),
        last_modified=parse_timestamp(raw.get("last_modified")),
    )


# =========================================================================== outbound
#: text fields of a written row that a person reads (names and address lines)
_TEXT_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "display_name",
    "short_code",
    "addr1",
    "addr2",
    "city",
    "state",
    "zip",
    "country",
    "notes",
    "description",
)
_TEXT_KEYS = frozenset(_TEXT_FIELDS)


def outbound(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` as it may leave for QuickBooks Time: its names and address lines cleaned by
    :func:`core.engine.names.clean_name` (no control characters, no bidi overrides). The plan
    already shapes names with the same rule; this is the last gate every write passes."""
    out = dict(row)
    for key, value in row.items():
        if key in _TEXT_KEYS and isinstance(value, str) and not is_clean(value):
            out[key] = clean_name(value)
    return out
