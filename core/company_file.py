"""Reading a Demo Company file (or the Demo Company's saved state) defensively.

A company file is ``{"xero": {"organisations": [...]}, "qbtime": {...}}`` (see
core/sandbox/demo_data.py and core/sandbox/generate.py, which write them). Anything else is
refused with a reason the user can act on (:class:`Refused`, turned into
:class:`core.errors.CompanyFileInvalid` or :class:`core.errors.DemoStateInvalid` by the
caller) before the Demo Company writes anything.

No Qt here; the reasons are ``N_`` strings (their French is in resources/i18n/core.fr.json).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from core.files import not_a_file, read_at_most
from core.i18n import N_, Msg

#: the largest company file read (bytes). The growth benchmark's 100,000-contact organisation
#: (tests/benchmarks/test_bench_growth.py) is about 160 MB; reading a file holds several
#: times its size in memory, so anything far larger is refused before it is read.
MAX_COMPANY_FILE_BYTES = 512 * 1024 * 1024
#: the deepest nesting of objects and lists accepted (the Demo Company's is 11)
MAX_DEPTH = 100

#: what the simulators' own failure to start from a company that passed these checks says
NOT_WHAT_THE_SIMULATORS_READ = N_("its records are not what the Demo Company reads ({problem})")

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


class Refused(ValueError):
    """The file cannot be used: ``reason`` (an ``N_`` string) with its ``params``."""

    def __init__(self, reason: Msg, **params: object) -> None:
        super().__init__(reason.format(**params) if params else str(reason))
        self.reason = reason
        self.params = params


def read_json_file(path: Path, *, limited: bool = True) -> Any:
    """The JSON value of ``path`` (UTF-8, with or without a byte order mark).

    Refused (:class:`Refused`): a missing file, a folder or another non-regular file, a file
    over :data:`MAX_COMPANY_FILE_BYTES` (``limited``: the app's own saved state is not),
    one that is not UTF-8, not JSON, cut short, nested deeper than :data:`MAX_DEPTH` (a
    ``limited`` one: the app's own state is not walked again), or holding a number Python
    cannot read (or NaN/Infinity)."""
    try:
        reason = not_a_file(path)
        if reason is not None:
            raise Refused(reason)
        raw = read_at_most(path, MAX_COMPANY_FILE_BYTES) if limited else Path(path).read_bytes()
        if raw is None:
            raise Refused(
                N_("it is {size} MB, more than the {limit} MB a company file may hold"),
                size=-(-os.stat(path).st_size // (1024 * 1024)),
                limit=MAX_COMPANY_FILE_BYTES // (1024 * 1024),
            )
    except OSError as exc:
        raise Refused(N_("it could not be read ({error})"), error=exc.strerror or exc) from None
    if raw.startswith(_UTF16_BOMS) or raw.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise Refused(N_("it is saved as UTF-16 or UTF-32 text: save it as UTF-8"))
    try:
        text = raw.decode("utf-8-sig")  # (a byte order mark is accepted and left out)
    except UnicodeDecodeError as exc:
        raise Refused(
            N_("it is not UTF-8 text (the first wrong byte is at byte {offset}): save it as UTF-8"),
            offset=exc.start + 1,
        ) from None
    del raw
    if not text.strip():
        raise Refused(N_("it is empty"))
    data = _parse(text)
    if limited:
        # (the app's own saved state was checked as the company file it came from: walking
        # every value again took a second at each start of a 100,000-contact Demo Company)
        _check_depth(data)
    return data


def _no_constant(name: str) -> Any:
    raise Refused(N_("it holds {value}, which JSON does not allow"), value=name)


def _parse(text: str) -> Any:
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except Refused:
        raise
    except json.JSONDecodeError as exc:
        end = len(text.rstrip())
        if exc.pos >= end or exc.msg.startswith("Unterminated string"):
            raise Refused(
                N_(
                    "it is cut short: the JSON stops at line {line}, column {column} before it is complete"
                ),
                line=text.count("\n", 0, end) + 1,
                column=end - text.rfind("\n", 0, end) - 1,
            ) from None
        raise Refused(
            N_("it is not valid JSON (the first mistake is at line {line}, column {column})"),
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise Refused(N_("it is nested more than {limit} levels deep"), limit=MAX_DEPTH) from None
    except ValueError:  # an integer longer than Python reads (sys.get_int_max_str_digits)
        digits = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
        raise Refused(
            N_("it holds a number of more than {digits} digits, which cannot be read"),
            digits=digits,
        ) from None
    return data


def _check_depth(data: Any) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` (what loads may still be too deep to
    save or copy: those recurse)."""
    level: list[Any] = [data]
    depth = 1
    while level:
        nxt: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                nxt.extend(v for v in value.values() if isinstance(v, dict | list))
            elif isinstance(value, list):
                nxt.extend(v for v in value if isinstance(v, dict | list))
        if nxt:
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(N_("it is nested more than {limit} levels deep"), limit=MAX_DEPTH)
        level = nxt


# --------------------------------------------------------------------------- the shape
#: what the kinds of JSON value are called in a reason
_KINDS: list[tuple[type | tuple[type, ...], Msg]] = [
    (dict, N_("an object")),
    (list, N_("a list")),
    (str, N_("text")),
    (bool, N_("true or false")),
    ((int, float), N_("a number")),
]
#: an organisation's lists of records (each record an object), when present
ORG_LISTS = (
    "Contacts",
    "Items",
    "TrackingCategories",
    "Invoices",
    "TaxRates",
    "Accounts",
    "Currencies",
)
#: an organisation's parts that are objects, when present
ORG_OBJECTS = ("Organisation", "payroll")
#: an organisation's text fields, when present
ORG_TEXTS = ("tenantName", "tenantType")


def _kind(value: Any) -> Msg:
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return N_("null")


def _need_object(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise Refused(
            N_("{where} is {found}, where a JSON object is needed"), where=where, found=_kind(value)
        )


def _need_list_of_objects(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise Refused(
            N_("{where} is {found}, where a list is needed"), where=where, found=_kind(value)
        )
    for i, row in enumerate(value):
        if not isinstance(row, dict):
            _need_object(row, f"{where}[{i}]")


def validate_company(data: Any) -> None:
    """Refuse (:class:`Refused`) a company that has not the shape the Demo Company reads
    unconditionally: an object whose ``xero.organisations`` is a list of organisations, each
    an object with its own non-empty ``tenantId`` (text), its record lists lists of objects;
    and whose ``qbtime`` is an object whose lists hold objects. Both parts may be left out
    (an empty organisation list, an empty QuickBooks Time account)."""
    if not isinstance(data, dict):
        raise Refused(
            N_(
                "its top level is {found}, where a JSON object holding the xero and qbtime parts is needed"
            ),
            found=_kind(data),
        )
    xero = data.get("xero", {})
    _need_object(xero, "xero")
    orgs = xero.get("organisations", [])
    _need_list_of_objects(orgs, "xero.organisations")
    seen: set[str] = set()
    for i, org in enumerate(orgs):
        where = f"xero.organisations[{i}]"
        tenant = org.get("tenantId")
        if not isinstance(tenant, str) or not tenant.strip():
            raise Refused(
                N_("{where} has no tenantId: every organisation needs its own"), where=where
            )
        if tenant.casefold() in seen:
            raise Refused(
                N_("two organisations have the tenantId {tenant}: each needs its own"),
                tenant=tenant,
            )
        seen.add(tenant.casefold())
        for key in ORG_TEXTS:
            if key in org and not isinstance(org[key], str):
                raise Refused(
                    N_("{where} is {found}, where text is needed"),
                    where=f"{where}.{key}",
                    found=_kind(org[key]),
                )
        for key in ORG_OBJECTS:
            if org.get(key) is not None:
                _need_object(org[key], f"{where}.{key}")
        for key in ORG_LISTS:
            if org.get(key) is not None:
                _need_list_of_objects(org[key], f"{where}.{key}")
    qbtime = data.get("qbtime", {})
    _need_object(qbtime, "qbtime")
    for key, value in qbtime.items():
        if isinstance(value, list):
            _need_list_of_objects(value, f"qbtime.{key}")
    if qbtime.get("company") is not None:
        _need_object(qbtime["company"], "qbtime.company")


def validate_object(value: Any) -> None:
    """Refuse a file whose top level is not a JSON object."""
    if not isinstance(value, dict):
        raise Refused(
            N_("its top level is {found}, where a JSON object is needed"), found=_kind(value)
        )
