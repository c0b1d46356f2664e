"""What the local snapshot keeps of each record: only the fields the product reads.

A read of Xero or QuickBooks Time brings whole records, with private data the product never
uses: employees' dates of birth, gender, home addresses, NI / tax file numbers, bank
accounts and pay templates (Xero Payroll), contacts' tax numbers, bank details and balances,
users' pay rates and payroll ids (QuickBooks Time). The snapshot tables keep, per record
kind, the fields of an allow-list kept beside its mapper (``STORED_*_FIELDS`` in
core.services.xero.mapping and core.services.qbtime.mapping); a kind without one (items,
jobcodes, tracking categories, locations, leave types…: business records, no private data)
is kept whole. Whatever reads the snapshot (the mappers, the review's phones) reads the
same record from what is kept as from the whole one.

Databases written before are scrubbed once by a migration (core.store.db, v5).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.services.qbtime.mapping import STORED_USER_FIELDS
from core.services.xero.mapping import STORED_CONTACT_FIELDS, STORED_EMPLOYEE_FIELDS

#: an allow-list: each field kept -> None (kept whole) or, for a list of objects, the fields
#: each of its objects keeps
Fields = Mapping[str, frozenset[str] | None]

#: (snapshot table, kind) -> the fields its rows keep
STORED_FIELDS: dict[tuple[str, str], Fields] = {
    ("xero_record", "contact"): STORED_CONTACT_FIELDS,
    ("xero_record", "employee"): STORED_EMPLOYEE_FIELDS,
    ("qbt_record", "user"): STORED_USER_FIELDS,
}


def kept_only(fields: Fields, raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` with only the fields of ``fields`` (a list of objects: each object with only
    its own fields). A new object: ``raw`` is left as it is."""
    return _keeper(fields)(raw)


def _keeper(fields: Fields) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """:func:`kept_only` of ``fields``, made once for a whole read (a dict comprehension per
    record, and one per object of the few lists that keep part of each object)."""
    names = frozenset(fields)
    inner = tuple((name, sub) for name, sub in fields.items() if sub is not None)

    def keep(raw: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in raw.items() if k in names}
        for name, sub in inner:
            value = out.get(name)
            if type(value) is list:
                out[name] = [
                    {k: v for k, v in entry.items() if k in sub} if type(entry) is dict else entry
                    for entry in value
                ]
        return out

    return keep


def stored_part(table: str, kind: str) -> Callable[[Mapping[str, Any]], dict[str, Any]] | None:
    """What of a raw object a row of ``kind`` in ``table`` keeps (a function of the raw
    object), or None when the row keeps it whole."""
    fields = STORED_FIELDS.get((table, kind))
    return None if fields is None else _keeper(fields)
