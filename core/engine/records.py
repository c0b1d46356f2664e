"""One typed shape per kind of record, whatever the region or API casing it came from.

Clients map raw API objects into these; snapshots store them (plus the raw JSON); matching
and planning read only these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core import jsontext
from core.engine.names import clean_name
from core.engine.regions import PayrollApi, payroll_api

_R = TypeVar("_R")


class _Raw:
    """The ``raw`` attribute of a record: the API object as received. It may be held as
    its canonical JSON text (a ``str``: what the snapshot stores, see :func:`keep_raw_as_text`)
    and is then parsed the first time it is read. A record's raw object is seldom read
    (a phone number on the review screen, a currency when billing), while as dicts the raw
    objects of 100,000 contacts took ~460 MB and as text ~140 MB (issue 16)."""

    # The value is kept as the attribute ``_raw`` (set through object.__setattr__, as a
    # frozen dataclass sets its fields: the record's __dict__ is not made).

    def __get__(self, record: Any, owner: type | None = None) -> Any:
        if record is None:
            return self
        value = record._raw
        if isinstance(value, str):  # an API object is never a string: its JSON text
            value = jsontext.loads(value)
            object.__setattr__(record, "_raw", value)
        return value

    def __set__(self, record: Any, value: Any) -> None:
        object.__setattr__(record, "_raw", value)


class RawNotKept(RuntimeError):
    """What was in the raw object of a record loaded for planning only (:func:`without_raw`)
    was asked for: a programming error (the plan reads typed fields), never the user's."""


class _NotKept(Mapping[str, Any]):
    """The raw object of a record that did not keep it: it can be passed on (a
    ``dataclasses.replace`` of the record carries it), but reading anything in it raises
    :class:`RawNotKept`, so a plan can never read an empty object as the API's."""

    def __getitem__(self, key: str) -> Any:
        raise RawNotKept(f"the raw object was not kept (loaded for planning): {key!r} asked")

    def __iter__(self) -> Iterator[str]:
        raise RawNotKept("the raw object was not kept (loaded for planning)")

    def __len__(self) -> int:
        raise RawNotKept("the raw object was not kept (loaded for planning)")

    def __repr__(self) -> str:
        return "<raw object not kept>"


NOT_KEPT: Mapping[str, Any] = _NotKept()


def without_raw(record: _R) -> _R:
    """``record`` (of a class whose ``raw`` may be text) no longer holds its raw object: its
    ``raw`` is :data:`NOT_KEPT`. For a snapshot loaded only to plan (the plan reads typed
    fields): the raw objects were about half of a large snapshot's memory. A record of
    another class is left as it is."""
    if type(type(record).__dict__.get("raw")) is _Raw:
        object.__setattr__(record, "_raw", NOT_KEPT)
    return record


def _raw_as_text(cls: type[_R]) -> type[_R]:
    """``cls.raw`` may be held as JSON text (:class:`_Raw`); its value is the same."""
    setattr(cls, "raw", _Raw())  # noqa: B010 (set after the dataclass made its __init__)
    return cls


def keep_raw_as_text(record: _R, text: str) -> _R:
    """``record`` (of a class whose ``raw`` may be text) now holds its raw object as
    ``text``, the object's canonical JSON (``core.jsontext.dumps_canonical``): the same
    value, read back by parsing ``text``. The caller must pass the text of ``record.raw``.
    A record of another class is left as it is."""
    if type(type(record).__dict__.get("raw")) is _Raw:
        object.__setattr__(record, "_raw", text)
    return record


def raw_text(record: Any) -> str | None:
    """The JSON text ``record`` holds its raw object as (:func:`keep_raw_as_text`), or None:
    a record of another class, or whose raw object was read (parsed) since."""
    if type(type(record).__dict__.get("raw")) is not _Raw:
        return None
    value = record._raw
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not any(
            (self.line1, self.line2, self.city, self.region, self.postal_code, self.country)
        )


@dataclass(frozen=True)
class XeroOrganisation:
    tenant_id: str
    name: str
    country_code: str
    version: str
    base_currency: str = ""
    #: ``Timezone``: Xero's Windows-style name (``WAUSTRALIASTANDARDTIME``), "" when not given
    timezone: str = ""


@_raw_as_text
@dataclass(frozen=True)
class XeroContact:
    contact_id: str
    name: str
    status: str  # ACTIVE | ARCHIVED | GDPRREQUEST
    is_customer: bool
    is_supplier: bool
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    street: Address | None = None  # STREET address, else None
    postal: Address | None = None  # POBOX address, else None
    updated_utc: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: ``MergedToContactID``: the contact this one was merged into (Xero archives the
    #: merged one). Xero returns it only on a paged read or a read by id/number.
    merged_to: str = ""

    @property
    def archived(self) -> bool:
        return self.status != "ACTIVE"

    @property
    def best_address(self) -> Address | None:
        """Street address, else postal: what becomes the job location."""
        for addr in (self.street, self.postal):
            if addr is not None and not addr.is_empty():
                return addr
        return None


#: merges followed at most from one contact to its survivor (a chain A -> B -> C)
MERGE_HOPS = 10


def merge_survivor(contact: XeroContact, by_id: Mapping[str, XeroContact]) -> XeroContact | None:
    """The contact ``contact`` lives on in after merges in Xero (``merged_to``, followed
    through a contact merged again later), or None: not merged, or the survivor is not in
    ``by_id`` (not read)."""
    current, seen = contact, {contact.contact_id}
    for _ in range(MERGE_HOPS):
        if not current.merged_to or current.merged_to in seen:
            break
        following = by_id.get(current.merged_to)
        if following is None:
            return None  # (the chain goes on to a contact not read)
        current = following
        seen.add(current.contact_id)
    return None if current is contact else current


@_raw_as_text
@dataclass(frozen=True)
class XeroItem:
    item_id: str
    code: str
    name: str
    is_sold: bool
    is_purchased: bool
    is_tracked: bool
    description: str = ""
    unit_price: float | None = None
    updated_utc: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def importable(self) -> bool:
        """The original's rule: only items that are sold and not tracked as inventory."""
        return self.is_sold and not self.is_tracked


@dataclass(frozen=True)
class XeroTrackingOption:
    option_id: str
    name: str
    status: str


@dataclass(frozen=True)
class XeroTrackingCategory:
    category_id: str
    name: str
    status: str
    options: tuple[XeroTrackingOption, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class XeroEmployee:
    employee_id: str
    first_name: str
    last_name: str
    email: str
    active: bool  # AU: Status; NZ/UK: no endDate (or endDate in the future)
    start_date: str = ""  # YYYY-MM-DD
    end_date: str = ""  # YYYY-MM-DD
    updated_utc: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class XeroLeaveType:
    leave_type_id: str
    name: str
    is_paid: bool
    active: bool = True
    #: what its leave is counted in (AU ``TypeOfUnits``, NZ ``typeOfUnits``: "Hours",
    #: "Days"…); "" when Xero does not say (UK)
    units: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@_raw_as_text
@dataclass(frozen=True)
class QBTUser:
    id: int
    first_name: str
    last_name: str
    username: str
    email: str
    active: bool
    payroll_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        """``permissions.admin`` of the QuickBooks Time user (any of QB Time's spellings of
        true). An import never changes an administrator without the user's decision."""
        permissions = self.raw.get("permissions")
        if not isinstance(permissions, dict):
            return False
        value = permissions.get("admin")
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "y", "t", "on")
        return value is True or (isinstance(value, int | float) and value != 0)


#: the ``QBTJobcode.type`` values of time-off codes (what Xero leave types link to)
TIME_OFF_TYPES = ("pto", "unpaid_time_off")


@_raw_as_text
@dataclass(frozen=True)
class QBTJobcode:
    id: int
    parent_id: int
    name: str
    type: str  # regular | pto | paid_break | unpaid_break | unpaid_time_off
    active: bool
    assigned_to_all: bool = False
    short_code: str = ""
    has_children: bool = False
    locations: tuple[int, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@_raw_as_text
@dataclass(frozen=True)
class QBTCustomField:
    id: int
    name: str
    active: bool
    required: bool
    applies_to: str
    type: str
    short_code: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@_raw_as_text
@dataclass(frozen=True)
class QBTCustomFieldItem:
    id: int
    customfield_id: int
    name: str
    active: bool
    short_code: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@_raw_as_text
@dataclass(frozen=True)
class QBTLocation:
    id: int
    address: Address
    active: bool
    jobcode_ids: tuple[int, ...] = ()
    label: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class QBTAssignment:
    id: int
    user_id: int
    jobcode_id: int
    active: bool
    #: epoch seconds (the incremental read's cursor); not part of the stored snapshot
    last_modified: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class XeroProblem:
    """A Xero record the import leaves out, with the reason (English; shown through tr()).
    ``kind`` is the plan's kind (customer, item, employee)."""

    kind: str
    xero_id: str
    name: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "xero_id": self.xero_id,
            "name": self.name,
            "reason": str(self.reason),
            "params": dict(self.params),
        }


@dataclass
class Snapshot:
    """Everything matching and planning read, as typed records."""

    version: str
    contacts: list[XeroContact] = field(default_factory=list)
    items: list[XeroItem] = field(default_factory=list)
    tracking: list[XeroTrackingCategory] = field(default_factory=list)
    employees: list[XeroEmployee] = field(default_factory=list)
    leave_types: list[XeroLeaveType] = field(default_factory=list)
    users: list[QBTUser] = field(default_factory=list)
    jobcodes: list[QBTJobcode] = field(default_factory=list)
    customfields: list[QBTCustomField] = field(default_factory=list)
    customfielditems: list[QBTCustomFieldItem] = field(default_factory=list)
    locations: list[QBTLocation] = field(default_factory=list)
    assignments: list[QBTAssignment] = field(default_factory=list)
    #: the QuickBooks Time user behind the access key: never changed by an import
    key_owner_id: int | None = None
    #: bad records from Xero (duplicate or missing ids, impossible dates): left out, reported
    problems: list[XeroProblem] = field(default_factory=list)

    @property
    def has_payroll(self) -> bool:
        return payroll_api(self.version) is not PayrollApi.NONE


def location_fields(
    address: Address, *, jobcode_ids: Iterable[int] | None = None, notes: str | None = None
) -> dict[str, Any]:
    """The writable fields of a location for ``address`` (POST, or PUT with an ``id``).

    All six address fields are always sent, so an update clears a line Xero no longer has.
    ``jobcode_ids`` becomes ``linked_objects.jobcodes`` (``[]`` unlinks everything; ``None``
    leaves links alone). ``label`` is read-only per the docs and is not sent.
    """
    out: dict[str, Any] = {
        "addr1": clean_name(address.line1),
        "addr2": clean_name(address.line2),
        "city": clean_name(address.city),
        "state": clean_name(address.region),
        "zip": clean_name(address.postal_code),
        "country": clean_name(address.country),
    }
    if jobcode_ids is not None:
        out["linked_objects"] = {"jobcodes": [int(j) for j in jobcode_ids]}
    if notes is not None:
        out["notes"] = notes
    return out
