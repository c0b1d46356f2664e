"""The plan's rules that others apply too: the items' field name, usernames, e-mails, a location's
fields, and what linking a Xero record writes onto a QuickBooks Time record."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from core.engine.names import fits_qbtime, qbt_name_key, sent_name
from core.engine.plan.model import DEFAULT_ITEM_FIELD_NAME, ITEMS_FIELD_XERO_ID, ImportOptions
from core.engine.records import Address, QBTCustomField, XeroTrackingCategory, location_fields
from core.i18n import tr


def field_name_clash(
    name: str,
    customfields: Iterable[QBTCustomField],
    tracking: Iterable[XeroTrackingCategory],
    links: Mapping[str, Mapping[str, int]],
    *,
    purpose: str = ITEMS_FIELD_XERO_ID,
    import_tracking: bool = True,
) -> str | None:
    """The name of the field ``name`` would clash with, or None.

    The custom field for ``purpose`` (a tracking category's id, or
    :data:`ITEMS_FIELD_XERO_ID`) may not take the name of another ACTIVE QuickBooks Time
    custom field (compared as QuickBooks Time compares names: case and outer spaces
    ignored) unless that field is the one already linked for this purpose. The items' field
    may not take the name of an active Xero tracking category either when categories are
    imported: the import would create that field too.
    """
    key = qbt_name_key(name)
    if not key:
        return None
    own = links.get("tracking_category", {}).get(purpose)
    for fld in customfields:
        if fld.active and fld.id != own and qbt_name_key(fld.name) == key:
            return fld.name
    if purpose == ITEMS_FIELD_XERO_ID and import_tracking:
        for category in tracking:
            if category.status == "ACTIVE" and qbt_name_key(category.name) == key:
                return category.name
    return None


def item_field_name_problem(
    name: str,
    customfields: Iterable[QBTCustomField],
    tracking: Iterable[XeroTrackingCategory],
    links: Mapping[str, Mapping[str, int]],
    options: ImportOptions,
    language: str | None = None,
) -> str | None:
    """Why ``name`` cannot be the name of the items' custom field (a translated sentence),
    or None when it can. The rule the ``options`` command and the wizard both apply."""
    clash = field_name_clash(
        sent_name(name) or DEFAULT_ITEM_FIELD_NAME,
        customfields,
        tracking,
        links,
        import_tracking=options.import_tracking,
    )
    if clash is None:
        return None
    return tr(
        'Another custom field is already named "{name}" in QuickBooks Time (or will be, '
        "for a Xero tracking category): choose another name for the items' field.",
        language,
        name=clash,
    )


def location_after(address: Address, jobcode_id: int | None) -> dict[str, Any]:
    return location_fields(address, jobcode_ids=[jobcode_id] if jobcode_id is not None else [])


_USERNAME_OK = re.compile(r"[^a-z0-9._-]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# An e-mail QuickBooks Time refuses ("not an e-mail <x@y>") would make the employee's create
# fail on every sync: such an address is left out.
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def valid_email(value: str | None) -> str:
    """The Xero e-mail when QuickBooks Time would accept it, else ""."""
    email = sent_name(value or "")
    return email if _EMAIL_RE.match(email) else ""


def make_username(first: str, last: str, email: str, taken: set[str]) -> str:
    """A unique QuickBooks Time username: the e-mail's local part, else first.last."""
    base = email.split("@", 1)[0] if email and "@" in email else f"{first}.{last}"
    base = _USERNAME_OK.sub("", _ascii(base).lower().replace(" ", ".")).strip("._-") or "employee"
    base = base[:48]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate.casefold())
    return candidate


# -- what a link writes -----------------------------------------------------------------------
# The planner applies these to a linked record (customers, items, tracking options, employees);
# the review screen shows them before a person links.


def linked_name(
    kind: str,
    xero_name: str | None,
    qbt_name: str,
    *,
    sent: Callable[[str | None], str] = sent_name,
) -> str:
    """The name of a QuickBooks Time record once linked to a Xero record of ``kind``: the
    Xero name as sent, unless it is empty or (except for a person's names) longer than
    QuickBooks Time allows. Time-off codes are only linked: they keep their name.
    ``sent``: :func:`core.engine.names.sent_name`, or the planner's memo of it."""
    if kind == "leave_type":
        return qbt_name
    name = sent(xero_name)
    if not name or (kind != "employee" and not fits_qbtime(name)):
        return qbt_name
    return name


def linked_email(xero_email: str | None, qbt_email: str) -> str:
    """A linked user's e-mail: Xero's when QuickBooks Time would accept it and it differs
    (ignoring case) from the user's, else the user's."""
    email = valid_email(xero_email)
    if email and email.casefold() != sent_name(qbt_email).casefold():
        return email
    return qbt_email


def linked_active(kind: str, xero_active: bool, qbt_active: bool) -> bool:
    """Whether a linked record is active after the import: as in Xero (an archived record is
    restored, a retired one archived); a time-off code keeps its state."""
    return qbt_active if kind == "leave_type" else xero_active
