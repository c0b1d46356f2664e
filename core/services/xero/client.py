"""Read one Xero organisation: organisation, contacts, items, tracking, employees, leave.

``XeroClient(session, tenant_id)`` wraps a :class:`~core.services.http.ServiceSession` whose
``base_url`` is the API base (``https://api.xero.com`` or the Demo Company's) and whose
``auth`` adds the Bearer header. The session does retries (429 minute/concurrent, 5xx,
network), the client-side rate limiter and counting; this class decides *which* calls to
make (as few as possible: 5,000 per organisation per day) and maps answers to typed records.

Every method returns typed records (core/engine/records.py) whose ``raw`` holds the API object as
received, so snapshots can store the raw JSON. :attr:`XeroClient.last_fetch` tells, per
kind, how many calls a fetch took and the server's clock at its start (the cursor to store
for the next ``If-Modified-Since``).

Call counts (N contacts, E employees, L leave types):

=====================  =========================================================
organisation()         1
contacts()             max(1, ceil(N / 1000)) with Xero's ``pagination`` block;
                       floor(N / 1000) + 1 without one (a short page ends it)
contacts_by_ids(ids)   ceil(len(ids) / 50)
items()                1
tracking_categories()  1
employees()            AU: floor(E / 100) + 1 (no pagination block);
                       NZ/UK: max(1, ceil(E / 100)); other regions: 0
leave_types()          AU: 1 (PayItems); NZ/UK: max(1, ceil(L / 100)); others: 0
=====================  =========================================================

A 403 costs one more call (``GET /connections``, not counted against the organisation)
to tell a disconnected organisation from a refused permission.

Errors: the session's own (NetworkError, RateLimited, DailyLimitReached,
ServiceUnavailable, ApiError for 5xx) pass through; :class:`~core.services.http.AuthRejected` (401
after a refresh attempt, including a token without the needed scope) becomes
:class:`~core.errors.ReauthorizationRequired`; 403 becomes
:class:`XeroOrganisationDisconnected`, :class:`XeroPayrollAccessDenied` or
:class:`XeroAccessDenied` (all ApiError subclasses); 400 becomes
:class:`XeroRequestRejected` carrying Xero's message. No message holds a token or a body
beyond Xero's own (redacted) reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import formatdate
from typing import Any

import requests

from core import jsontext
from core.engine.records import (
    XeroContact,
    XeroEmployee,
    XeroItem,
    XeroLeaveType,
    XeroOrganisation,
    XeroTrackingCategory,
    keep_raw_as_text,
)
from core.engine.regions import PayrollApi, payroll_api
from core.errors import ApiError, BridgeError, ReauthorizationRequired
from core.i18n import N_
from core.logsetup import redact
from core.services.http import XERO, AuthRejected, ServiceSession, date_header_time, error_reason
from core.services.xero import mapping

log = logging.getLogger(__name__)

ACCOUNTING = "api.xro/2.0"
PAYROLL_AU = "payroll.xro/1.0"
PAYROLL_V2 = "payroll.xro/2.0"

# Contacts: the largest page Xero accepts (references §3.1: 1000; the simulator caps there).
CONTACTS_PAGE_SIZE = 1000
# Payroll lists: 100 per page, fixed (references §4).
PAYROLL_PAGE_SIZE = 100
# GET /Contacts?IDs=…: Xero's gateway rejects URLs with more than ~52 GUIDs (404).
IDS_PER_CALL = 50
#: a leave's title (AU ``Title``) or description (NZ/UK ``description``, "(max length = 50)"
#: in both payroll 2.0 specs; Xero's AU docs give ``Title`` the same limit)
LEAVE_TITLE_MAX = 50
# PUT/POST /Invoices: at most 50 invoices per request (references §3.4).
INVOICES_PER_CALL = 50
#: GET /Invoices?where=…&page=…: the spec's page of invoices ("Up to 100 invoices … with line
#: items shown for each invoice")
REFERENCE_PAGE = 100
#: AU payroll 1.0 ``POST /Timesheets`` and ``POST /LeaveApplications`` take a JSON array (the
#: spec's request bodies); no hard count, "batch ≈50 elements per request recommended"
#: (references §1, §5.2): 50 a call, as invoices.
AU_PAYROLL_PER_CALL = 50
# Subtracted from a stored cursor before it becomes If-Modified-Since: covers clock skew
# between Xero's servers and a record saved while the previous fetch was running.
# Re-reading a few records twice is harmless (imports are upserts); missing one is not.
SINCE_SKEW_S = 60.0
# A page that brings nothing new means the server ignored `page`: stop instead of looping.
_MAX_PAGES = 10_000
# how the contacts are paged (_paged, _pages)
_CONTACTS: dict[str, Any] = {
    "page_size": CONTACTS_PAGE_SIZE,
    "id_key": "ContactID",
    "what": "contacts",
}


# =========================================================================== errors
class XeroOrganisationDisconnected(ApiError):
    """403 AuthenticationUnsuccessful: the tenant is not (or no longer) connected."""

    message = (
        "This Xero organisation is no longer connected to the app (it may have been "
        'disconnected in Xero under "Connected apps"). Click "Connect to Xero" and '
        "choose the organisation again; your settings are kept."
    )
    command_line_message = N_(
        "This Xero organisation is no longer connected to the app (it may have been "
        'disconnected in Xero under "Connected apps"). Run connect-xero and choose the '
        "organisation again (--org and its name); your settings are kept."
    )


class XeroPayrollAccessDenied(ApiError):
    """403 on a payroll call for a connected organisation."""

    message = (
        "Xero refused to share this organisation's payroll (employees and leave types). "
        "Xero only shares payroll when the person who connected the app has the payroll "
        "admin role in Xero, and payroll is set up for the organisation. Ask a payroll "
        'administrator to click "Connect to Xero", or continue without employees and '
        "leave."
    )
    command_line_message = N_(
        "Xero refused to share this organisation's payroll (employees and leave types). "
        "Xero only shares payroll when the person who connected the app has the payroll "
        "admin role in Xero, and payroll is set up for the organisation. Ask a payroll "
        "administrator to run connect-xero, or continue without employees and leave."
    )


class XeroAccessDenied(ApiError):
    """403 on an accounting call for a connected organisation (a permission Xero refused)."""

    message = (
        "Xero refused to share some of this organisation's data: the Xero user who "
        "connected the app may not have permission to see it. Ask an adviser or "
        'administrator of the organisation to click "Connect to Xero".'
    )
    command_line_message = N_(
        "Xero refused to share some of this organisation's data: the Xero user who "
        "connected the app may not have permission to see it. Ask an adviser or "
        "administrator of the organisation to run connect-xero."
    )


class XeroRequestRejected(ApiError):
    """400 from Xero: ValidationException, QueryParseException, HighVolumeException…

    ``xero_type`` is Xero's ``Type`` (or payroll 2.0 ``title``), ``reason`` its message."""


def _tag(err: ApiError, status: int | None, **extra: Any) -> ApiError:
    err.service = XERO  # type: ignore[attr-defined]
    err.status = status  # type: ignore[attr-defined]
    err.maybe_applied = False  # type: ignore[attr-defined]
    for key, value in extra.items():
        setattr(err, key, value)
    return err


# =========================================================================== fetch info
@dataclass
class FetchInfo:
    """What one fetch cost and when it started by the server's clock."""

    kind: str
    calls: int = 0
    records: int = 0
    server_time: float | None = None  # store this as the next If-Modified-Since cursor


def http_date(ts: float) -> str:
    """RFC 1123, UTC: ``Thu, 01 Jan 2026 00:00:00 GMT`` (If-Modified-Since)."""
    return formatdate(ts, usegmt=True)


# =========================================================================== client
def _same_units(now: Any, units: float) -> bool:
    """Whether a timesheet line holding ``now`` (as Xero answered it) already holds ``units``."""
    return isinstance(now, int | float) and not isinstance(now, bool) and abs(now - units) < 0.005


class XeroClient:
    """Read-only access to one Xero organisation (``tenant_id``) through ``session``."""

    def __init__(
        self,
        session: ServiceSession,
        tenant_id: str,
        *,
        today: Callable[[], date] | None = None,
        since_skew_s: float = SINCE_SKEW_S,
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._today = today or date.today
        self.since_skew_s = since_skew_s
        self.calls_made = 0  # logical calls (retries not counted)
        self.last_fetch: dict[str, FetchInfo] = {}
        self.organisation_raw: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"XeroClient({self.session.base_url!r}, tenant={self.tenant_id!r})"

    # ------------------------------------------------------------------ connections
    @staticmethod
    def connections(session: ServiceSession) -> list[dict[str, Any]]:
        """``GET /connections``: the organisations this sign-in may read (no tenant header).

        Each entry has ``id``, ``tenantId``, ``tenantType``, ``tenantName``…
        """
        try:
            resp = session.get("connections", headers={"Accept": "application/json"})
        except AuthRejected as exc:
            raise _reauth(exc) from None
        if resp.status_code != 200:
            raise _tag(ApiError(service=XERO, reason=error_reason(resp)), resp.status_code)
        data = _json(resp)
        if not isinstance(data, list):
            raise _unreadable(resp)
        return [c for c in data if isinstance(c, dict)]

    # ------------------------------------------------------------------ raw access
    def get_json(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        allow_404: bool = False,
        what: str = "data",
    ) -> Any:
        """One GET with the tenant header; the decoded JSON (None for an allowed 404).

        Maps errors as described in the module docstring.
        """
        return self._request(path, params=params, headers=headers, allow_404=allow_404, what=what)[
            0
        ]

    def _request(
        self,
        path: str,
        *,
        params: dict[str, Any] | None,
        headers: dict[str, str] | None,
        allow_404: bool,
        what: str,
    ) -> tuple[Any, requests.Response]:
        hdrs = {"xero-tenant-id": self.tenant_id, "Accept": "application/json"}
        if headers:
            hdrs.update(headers)
        self.calls_made += 1
        try:
            resp = self.session.get(path, params=params, headers=hdrs)
        except AuthRejected as exc:
            raise _reauth(exc) from None
        status = resp.status_code
        if status == 200:
            return _json(resp), resp
        if status == 404 and allow_404:
            return None, resp
        if status == 304:  # an If-Modified-Since answer some gateways give: nothing new
            return {}, resp
        if status == 403:
            raise self._forbidden(resp, path, what)
        raise _error_for(resp, path, what)

    def _forbidden(self, resp: requests.Response, path: str, what: str) -> ApiError:
        """403: tell "organisation disconnected" from "permission refused".

        Xero answers ``AuthenticationUnsuccessful`` when the tenant id is not one of the
        sign-in's connections. Its answer to a user without the payroll admin role is not
        documented, so when the body does not settle it, ``GET /connections`` (no tenant
        header, not counted against the organisation's limits) does: still listed means
        connected, so the refusal is a permission one.
        """
        reason = error_reason(resp)
        detail = str(_body(resp).get("Detail") or _body(resp).get("detail") or "").lower()
        connected: bool | None = None
        if "authenticationunsuccessful" in detail or path.lower().startswith("payroll.xro"):
            try:
                connected = any(
                    str(c.get("tenantId", "")).lower() == self.tenant_id.lower()
                    for c in self.connections(self.session)
                )
            except ReauthorizationRequired:
                raise
            except Exception as exc:  # the original refusal is what the user must see
                log.info("Could not check Xero connections after a 403 (%s)", type(exc).__name__)
        if connected is False or (connected is None and "authenticationunsuccessful" in detail):
            return _tag(XeroOrganisationDisconnected(reason, service=XERO, reason=reason), 403)
        if path.lower().startswith("payroll.xro"):
            return _tag(XeroPayrollAccessDenied(reason, service=XERO, reason=reason), 403)
        return _tag(XeroAccessDenied(reason, service=XERO, reason=reason), 403, what=what)

    # ------------------------------------------------------------------ organisation
    def organisation(self) -> XeroOrganisation:
        """``GET /Organisation`` (1 call): name, CountryCode, Version (decides payroll)."""
        info = self._start("organisation")
        data = self._get(info, f"{ACCOUNTING}/Organisation", what="the organisation")
        orgs = data.get("Organisations") if isinstance(data, dict) else None
        if not orgs or not isinstance(orgs[0], dict):
            raise _tag(ApiError(service=XERO, reason="Xero sent no organisation details"), 200)
        self.organisation_raw = orgs[0]
        info.records = 1
        return mapping.map_organisation(orgs[0], self.tenant_id)

    # ------------------------------------------------------------------ contacts
    def contacts(
        self, modified_since: float | None = None, *, summary_only: bool = False
    ) -> list[XeroContact]:
        """Every contact (customers, suppliers, neither; ACTIVE and ARCHIVED), paged.

        Strategy, chosen so that the largest organisations work and calls stay minimal:

        * ``page`` + ``pageSize=1000`` (the largest page Xero accepts): 2,500 contacts -> 3
          calls. Paging is also what keeps high-volume organisations (index > 100,000)
          out of ``HighVolumeException``: they must page and must not filter on
          non-indexed fields;
        * **no** ``where`` (``IsCustomer==true`` is not an indexed filter and fails on large
          organisations): customers are filtered locally (``XeroContact.is_customer``), and
          the "add Xero contacts as customers" screen needs the others anyway;
        * ``order=ContactID`` (an indexed order): stable pages. Contacts are never deleted
          and ``includeArchived=true`` keeps archived ones in the list, so a contact created
          during the fetch can only push one row to the next page (read twice, de-duplicated
          here), never make one skip a page;
        * ``includeArchived=true``: an archival in Xero must reach QB Time on re-import;
        * full contacts (``summaryOnly`` false) because the job location needs
          ``Addresses``, which summaryOnly drops; ``summary_only=True`` is for callers
          needing only names/ids/status (same call count, lighter pages);
        * stop after the page the ``pagination`` block says is the last (``page >=
          pageCount``) or after a short page: no extra empty call.

        ``modified_since`` (epoch seconds, the cursor stored from an earlier
        ``last_fetch["contacts"].server_time``) sends ``If-Modified-Since`` (RFC 1123, UTC)
        minus :data:`SINCE_SKEW_S`: only contacts created or changed since come back.
        Caveat (Xero's docs): changes to ``IsCustomer``/``IsSupplier`` (a first invoice) and
        ``Balances`` do **not** bump ``UpdatedDateUTC``, so an incremental fetch does not see
        a contact becoming a customer; run a full fetch for that (e.g. on "Import again"
        from the customers screen, or periodically).

        Each page is made records as it comes and its rows let go before the next is read:
        a record holds its raw contact as that contact's canonical JSON text (read back on
        first use: :func:`core.engine.records.keep_raw_as_text`), as the import keeps them.
        As dicts, 10,000 contacts held at once took 45 MB; as text, 13 MB. A row seen again
        on a later page (the same text) is de-duplicated as in :meth:`_paged`; one id with
        two different rows gives both records, the second at the end.
        """
        info = self._start("contacts")
        texts: dict[str, str] = {}
        records: list[XeroContact] = []
        clashes: dict[str, XeroContact] = {}
        for rows in self._pages(
            info, *self._contacts_query(modified_since, summary_only), **_CONTACTS
        ):
            _add_contacts(rows, texts, records, clashes)
            del rows  # (the page's dicts: only the records' texts are kept)
        info.records = len(records) + len(clashes)
        return [*records, *clashes.values()]

    def contact_pages(
        self, modified_since: float | None = None, *, summary_only: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """The raw contacts of :meth:`contacts`, one page at a time as each arrives (same
        calls), so a caller can store a page and let it go before the next: 100,000
        contacts held at once took most of a gigabyte (issue 16). Not de-duplicated: a row
        pushed across a page boundary comes again on the next page."""
        info = self._start("contacts")
        for rows in self._pages(
            info, *self._contacts_query(modified_since, summary_only), **_CONTACTS
        ):
            info.records += len(rows)
            yield rows

    def _contacts_query(
        self, modified_since: float | None, summary_only: bool
    ) -> tuple[str, str, dict[str, Any], dict[str, str] | None]:
        """Path, list key, parameters and headers of the contacts read (see :meth:`contacts`)."""
        params: dict[str, Any] = {
            "pageSize": CONTACTS_PAGE_SIZE,
            "includeArchived": "true",
            "order": "ContactID",
        }
        if summary_only:
            params["summaryOnly"] = "true"
        return f"{ACCOUNTING}/Contacts", "Contacts", params, self._since_header(modified_since)

    def contacts_by_ids(self, ids: Iterable[str]) -> list[XeroContact]:
        """The given contacts (archived included), ≤ 50 ids per call; unknown ids are
        simply absent from the result. Each call also passes ``page=1`` so high-volume
        organisations accept it and Xero returns the paged (fuller) contact shape."""
        wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        info = self._start("contacts_by_ids")
        out: list[XeroContact] = []
        for start in range(0, len(wanted), IDS_PER_CALL):
            chunk = wanted[start : start + IDS_PER_CALL]
            data = self._get(
                info,
                f"{ACCOUNTING}/Contacts",
                what="contacts",
                params={
                    "IDs": ",".join(chunk),
                    "page": 1,
                    "pageSize": CONTACTS_PAGE_SIZE,
                    "includeArchived": "true",
                },
            )
            for raw in _list(data, "Contacts"):
                if all(raw != c.raw for c in out):  # different rows under one id: both kept
                    out.append(mapping.map_contact(raw))
        info.records = len(out)
        return out

    def invoiced_contact_ids(self, modified_since: float) -> list[str]:
        """ContactIDs of the sales invoices (``ACCREC``, not DELETED/VOIDED) created or
        changed since ``modified_since``: how a re-import finds contacts that became
        customers by their first invoice (Xero does not bump the contact's UpdatedDateUTC
        then, so the contacts' If-Modified-Since read cannot see it).

        ``GET /Invoices`` with If-Modified-Since, ``summaryOnly=true`` (no lines: light and
        safe on large organisations), paged by 1000, **no** ``where`` (``Type`` is not an
        optimised filter: HighVolumeException on large organisations): the type and status
        are checked here. One call unless more than 1000 invoices changed.
        """
        info = self._start("invoices")
        raws = self._paged(
            info,
            f"{ACCOUNTING}/Invoices",
            "Invoices",
            {"summaryOnly": "true", "pageSize": CONTACTS_PAGE_SIZE},
            self._since_header(modified_since),
            page_size=CONTACTS_PAGE_SIZE,
            id_key="InvoiceID",
            what="sales invoices",
        )
        info.records = len(raws)
        out: dict[str, str] = {}
        for raw in raws:
            contact = raw.get("Contact")
            cid = contact.get("ContactID") if isinstance(contact, dict) else None
            if (
                raw.get("Type") == "ACCREC"
                and raw.get("Status") not in ("DELETED", "VOIDED")
                and isinstance(cid, str)
                and cid.strip()
            ):
                out.setdefault(cid.strip().lower(), cid.strip())
        return list(out.values())

    # ------------------------------------------------------------------ items, tracking
    def items(self, modified_since: float | None = None) -> list[XeroItem]:
        """Every item in one call (Items are not paged), unfiltered: the importable rule
        (sold and not tracked as inventory, ``XeroItem.importable``) is applied by the
        caller so that an item that stops qualifying can be archived in QB Time.
        ``unitdp=4`` keeps four-decimal unit prices exact."""
        info = self._start("items")
        data = self._get(
            info,
            f"{ACCOUNTING}/Items",
            what="items",
            params={"unitdp": 4},
            headers=self._since_header(modified_since),
        )
        raws = _list(data, "Items")
        info.records = len(raws)
        return [mapping.map_item(r) for r in raws]

    def tracking_categories(self, include_archived: bool = True) -> list[XeroTrackingCategory]:
        """Tracking categories with their options (1 call). ``include_archived`` returns
        ARCHIVED categories and options too (so archivals reach QB Time); DELETED never."""
        info = self._start("tracking_categories")
        params = {"includeArchived": "true"} if include_archived else None
        data = self._get(
            info, f"{ACCOUNTING}/TrackingCategories", params=params, what="tracking categories"
        )
        raws = _list(data, "TrackingCategories")
        info.records = len(raws)
        return [mapping.map_tracking_category(r) for r in raws]

    # ------------------------------------------------------------------ payroll
    def employees(
        self,
        version: str | PayrollApi | None,
        *,
        include_terminated: bool = True,
        modified_since: float | None = None,
    ) -> list[XeroEmployee]:
        """Payroll employees; ``version`` is ``Organisation.Version`` (or a PayrollApi).

        * AU (payroll.xro/1.0): ``GET /Employees?page=N``, 100 per page, no pagination block:
          stop at the first page with fewer than 100. Xero's list returns only ACTIVE
          employees by default; with ``include_terminated`` the call adds
          ``where=Status=="ACTIVE" OR Status=="TERMINATED"`` so leavers are seen (to
          deactivate their QB Time user). ``modified_since`` sends If-Modified-Since.
        * NZ/UK (payroll.xro/2.0): ``GET /Employees?page=N``, camelCase, pagination block
          (stop at pageCount). Every employee comes back; there is no status, so
          ``active`` = no ``endDate`` or one today or later. If-Modified-Since is not
          supported there: ``modified_since`` is ignored. With ``include_terminated=False``
          leavers are dropped locally.
        * US/GLOBAL/others: no payroll API: ``[]`` without any call.
        """
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        if api is PayrollApi.NONE:
            return []
        info = self._start("employees")
        today = self._today()
        if api is PayrollApi.AU:
            params: dict[str, Any] = {}
            if include_terminated:
                params["where"] = 'Status=="ACTIVE" OR Status=="TERMINATED"'
            raws = self._paged(
                info,
                f"{PAYROLL_AU}/Employees",
                "Employees",
                params,
                self._since_header(modified_since),
                page_size=PAYROLL_PAGE_SIZE,
                id_key="EmployeeID",
                what="payroll employees",
            )
            out = [mapping.map_au_employee(r, today) for r in raws]
        else:
            raws = self._paged(
                info,
                f"{PAYROLL_V2}/Employees",
                "employees",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="employeeID",
                what="payroll employees",
            )
            out = [mapping.map_v2_employee(r, today) for r in raws]
            if not include_terminated:
                out = [e for e in out if e.active]
        info.records = len(out)
        return out

    def leave_types(self, version: str | PayrollApi | None) -> list[XeroLeaveType]:
        """Leave types (all of them, active flag mapped; unpaid ones are kept: the caller
        links them but never exports unpaid leave).

        * AU: ``GET /payroll.xro/1.0/PayItems`` (1 call) -> ``PayItems.LeaveTypes``
          (``IsPaidLeave``; ``CurrentRecord`` false = retired).
        * NZ/UK: ``GET /payroll.xro/2.0/LeaveTypes?page=N`` (``isPaidLeave``, ``isActive``).
        * others: ``[]`` without any call.
        """
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        if api is PayrollApi.NONE:
            return []
        info = self._start("leave_types")
        if api is PayrollApi.AU:
            pay_items = self._au_pay_items(info, "payroll leave types")
            out = [mapping.map_au_leave_type(r) for r in _list(pay_items, "LeaveTypes")]
        else:
            raws = self._paged(
                info,
                f"{PAYROLL_V2}/LeaveTypes",
                "leaveTypes",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="leaveTypeID",
                what="payroll leave types",
            )
            out = [mapping.map_v2_leave_type(r) for r in raws]
        info.records = len(out)
        return out

    # ------------------------------------------------------------------ internals
    def _start(self, kind: str) -> FetchInfo:
        info = FetchInfo(kind)
        self.last_fetch[kind] = info
        return info

    def _since_header(self, modified_since: float | None) -> dict[str, str] | None:
        if modified_since is None:
            return None
        return {"If-Modified-Since": http_date(max(0.0, modified_since - self.since_skew_s))}

    def _get(
        self,
        info: FetchInfo,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data, resp = self._request(path, params=params, headers=headers, allow_404=False, what=what)
        info.calls += 1
        if info.server_time is None:
            info.server_time = _server_time(data, resp)
        _raise_problem(data, what)
        return data

    def _paged(
        self,
        info: FetchInfo,
        path: str,
        key: str,
        params: dict[str, Any],
        headers: dict[str, str] | None,
        *,
        page_size: int,
        id_key: str,
        what: str,
    ) -> list[dict[str, Any]]:
        """Pages 1..n (:meth:`_pages`); de-duplicates by ``id_key`` a row seen again
        unchanged (pushed across a page boundary). Two different rows under one id are both
        returned: the caller reports them (core/services/fetch.py), never one dropped
        silently."""
        seen: dict[str, dict[str, Any]] = {}
        clashes: list[dict[str, Any]] = []
        for rows in self._pages(
            info, path, key, params, headers, page_size=page_size, id_key=id_key, what=what
        ):
            for row in rows:
                rid = _row_key(row, id_key, len(seen))
                if rid not in seen:
                    seen[rid] = row
                elif seen[rid] != row and row not in clashes:
                    clashes.append(row)
        return [*seen.values(), *clashes]

    def _pages(
        self,
        info: FetchInfo,
        path: str,
        key: str,
        params: dict[str, Any],
        headers: dict[str, str] | None,
        *,
        page_size: int,
        id_key: str,
        what: str,
    ) -> Iterator[list[dict[str, Any]]]:
        """Each page's rows as it comes, pages 1..n: stops at pageCount (when the answer has a
        pagination block), after a short page, or after a page that brings no id not seen
        before (the server ignored ``page``). A row seen on an earlier page comes again."""
        seen: set[str] = set()
        page = 1
        while page <= _MAX_PAGES:
            data = self._get(
                info, path, what=what, params={**params, "page": page}, headers=headers
            )
            rows = _list(data, key)
            before = len(seen)
            _note_rows(seen, rows, id_key)
            pagination = data.get("pagination") if isinstance(data, dict) else None
            del data
            count_rows = len(rows)
            yield rows
            del rows  # the page is let go (once its caller has) before the next is read
            size = page_size
            if isinstance(pagination, dict):
                if isinstance(pagination.get("pageSize"), int) and pagination["pageSize"] > 0:
                    size = min(size, pagination["pageSize"])  # a server-side clamp
                count = pagination.get("pageCount")
                if isinstance(count, int) and page >= count:
                    break
            if count_rows < size or len(seen) == before:
                break
            page += 1

    # ------------------------------------------------------------------ payroll hours (export)
    def _send(self, method: str, path: str, body: Any, *, what: str) -> Any:
        """One write with the tenant header; the decoded JSON answer.

        A refusal (400) is :class:`XeroRequestRejected` with Xero's reason; a write whose
        answer was lost carries ``maybe_applied`` (set by the session): the caller reconciles.
        """
        hdrs = {"xero-tenant-id": self.tenant_id, "Accept": "application/json"}
        self.calls_made += 1
        try:
            resp = self.session.request(method, path, json=body, headers=hdrs)
        except AuthRejected as exc:
            raise _reauth(exc) from None
        if resp.status_code == 200:
            data = _json(resp)
            _raise_problem(data, what)
            return data
        if resp.status_code == 403:
            raise self._forbidden(resp, path, what)
        raise _error_for(resp, path, what)

    def payroll_calendars(self, version: str | PayrollApi | None) -> list[dict[str, Any]]:
        """Pay calendars: AU ``GET /PayrollCalendars``, NZ/UK ``GET /PayRunCalendars``,
        as ``{"id", "name", "type", "anchor"}`` (``anchor``: a day a period starts on)."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        info = self._start("payroll_calendars")
        if api is PayrollApi.AU:  # (100 a page, no paging block: as every AU payroll list)
            raws = self._paged(
                info,
                f"{PAYROLL_AU}/PayrollCalendars",
                "PayrollCalendars",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="PayrollCalendarID",
                what="payroll calendars",
            )
            return [mapping.map_au_calendar(r) for r in raws]
        if api is PayrollApi.V2:
            raws = self._paged(
                info,
                f"{PAYROLL_V2}/PayRunCalendars",
                "payRunCalendars",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="payrollCalendarID",
                what="payroll calendars",
            )
            return [mapping.map_v2_calendar(r) for r in raws]
        return []

    def earnings_rates(self, version: str | PayrollApi | None) -> list[dict[str, Any]]:
        """Earnings rates as ``{"id", "name", "type", "active"}``: AU from ``GET /PayItems``,
        NZ/UK ``GET /EarningsRates``."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        info = self._start("earnings_rates")
        if api is PayrollApi.AU:
            items = self._au_pay_items(info, "earnings rates")
            return [mapping.map_au_earnings_rate(r) for r in _list(items, "EarningsRates")]
        if api is PayrollApi.V2:
            raws = self._paged(
                info,
                f"{PAYROLL_V2}/EarningsRates",
                "earningsRates",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="earningsRateID",
                what="earnings rates",
            )
            return [mapping.map_v2_earnings_rate(r) for r in raws]
        return []

    def pay_items(
        self, version: str | PayrollApi | None
    ) -> tuple[list[dict[str, Any]], list[XeroLeaveType]]:
        """Earnings rates and leave types together: AU has both in one ``GET /PayItems``
        (1 call, not one per list); NZ/UK read ``EarningsRates`` and ``LeaveTypes``."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        if api is not PayrollApi.AU:
            return self.earnings_rates(api), self.leave_types(api)
        info = self._start("pay_items")
        items = self._au_pay_items(info, "earnings rates and leave types")
        rates = [mapping.map_au_earnings_rate(r) for r in _list(items, "EarningsRates")]
        leave = [mapping.map_au_leave_type(r) for r in _list(items, "LeaveTypes")]
        info.records = len(rates) + len(leave)
        return rates, leave

    def _au_pay_items(self, info: FetchInfo, what: str) -> Any:
        """AU ``GET /payroll.xro/1.0/PayItems``: its ``PayItems`` object (earnings rates, leave
        types, …), or None when the answer has none. Each of its lists comes 100 a page, as
        every AU payroll list: pages are read until none of them is full."""
        merged: dict[str, list[Any]] | None = None
        page = 1
        while True:
            data = self._get(info, f"{PAYROLL_AU}/PayItems", what=what, params={"page": page})
            items = data.get("PayItems") if isinstance(data, dict) else None
            if not isinstance(items, dict):
                return merged
            merged = merged if merged is not None else {}
            full = False
            for key, value in items.items():
                if isinstance(value, list):
                    merged.setdefault(key, []).extend(value)
                    full = full or len(value) >= PAYROLL_PAGE_SIZE
            if not full:
                return merged
            page += 1

    def payroll_timesheets(
        self, version: str | PayrollApi | None, start: date, end: date
    ) -> list[dict[str, Any]]:
        """Timesheets overlapping ``start``..``end`` as ``{"id", "employee_id", "start", "end",
        "status", "draft", "hours": {(day, rate, tracking item or ""): units}}``. NZ/UK: the list, then each
        timesheet of the range for its lines."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        info = self._start("payroll_timesheets")
        out: list[dict[str, Any]] = []
        if api is PayrollApi.AU:
            raws = self._paged(
                info,
                f"{PAYROLL_AU}/Timesheets",
                "Timesheets",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="TimesheetID",
                what="payroll timesheets",
            )
            for raw in raws:
                sheet = mapping.map_au_timesheet(raw)
                if sheet["start"] <= end and sheet["end"] >= start:
                    out.append(sheet)
            return out
        if api is PayrollApi.V2:
            raws = self._paged(
                info,
                f"{PAYROLL_V2}/Timesheets",
                "timesheets",
                {"startDate": (start - timedelta(days=31)).isoformat()},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="timesheetID",
                what="payroll timesheets",
            )
            for raw in raws:
                sheet = mapping.map_v2_timesheet(raw)
                if sheet["start"] <= end and sheet["end"] >= start:
                    full = self._get(
                        info, f"{PAYROLL_V2}/Timesheets/{sheet['id']}", what="payroll timesheets"
                    )
                    detail = full.get("timesheet") if isinstance(full, dict) else None
                    out.append(
                        mapping.map_v2_timesheet(detail if isinstance(detail, dict) else raw)
                    )
        return out

    def save_au_timesheet(
        self,
        timesheet_id: str | None,
        employee_id: str,
        start: date,
        end: date,
        hours: dict[tuple[str, str, str], float],
    ) -> dict[str, Any]:
        """AU 1.0: ``POST /Timesheets`` (a new draft) or ``POST /Timesheets/{id}`` (our draft),
        one ``NumberOfUnits`` value per day of the period per (earnings rate, tracking item)."""
        body = [mapping.au_timesheet_body(employee_id, start, end, hours)]
        path = f"{PAYROLL_AU}/Timesheets" + (f"/{timesheet_id}" if timesheet_id else "")
        data = self._send("POST", path, body, what="payroll timesheets")
        rows = _list(data, "Timesheets")
        if not rows:
            raise _unreadable_data("payroll timesheets")
        return mapping.map_au_timesheet(rows[0])

    def save_au_timesheets(self, writes: list[AuTimesheetWrite]) -> list[dict[str, Any] | ApiError]:
        """AU 1.0: ``POST /Timesheets`` with up to :data:`AU_PAYROLL_PER_CALL` timesheets, each
        a new draft or one of ours updated (its ``TimesheetID`` in the element: Xero answers a
        create for a period that has one "This timesheet already exists, please provide the
        timesheet ID", Xero-NetStandard#60). One answer per write, in the order given: the
        timesheet as Xero holds it now (``map_au_timesheet``), or the refusal of that one
        (a :class:`XeroRequestRejected`, status 400).

        Xero's answer is matched to the writes by ``TimesheetID`` (an update) or employee and
        period (a create: Xero holds one per employee and period), never by position. AU
        payroll 1.0 has no ``summarizeErrors``: one element it refuses and the whole array is
        refused (400 ``ValidationException``, the refused elements with their
        ``ValidationErrors``), nothing of it saved. The ones it names are taken out and the
        others sent again; when its refusal names none of them, each is sent alone. So one
        refused timesheet never holds back the others, and each refusal says its own reason.

        Any other error (sign-in, network, Xero's day limit, a lost answer:
        ``maybe_applied``) stops the sending and is raised; so is an answer that does not hold
        every write (it was applied: ``maybe_applied``). The error carries the answers had
        before it (timesheets sent alone: those Xero already saved are never lost), read with
        :func:`au_answers_so_far`."""
        if len(writes) > AU_PAYROLL_PER_CALL:
            raise ValueError(f"at most {AU_PAYROLL_PER_CALL} timesheets per request")
        out: list[dict[str, Any] | ApiError | None] = [None] * len(writes)
        pending = list(range(len(writes)))
        alone = False
        while pending:
            groups = [[i] for i in pending] if alone else [pending]
            pending = []
            for group in groups:
                try:
                    rows = self._post_au_timesheets([writes[i] for i in group])
                except XeroRequestRejected as exc:
                    if len(group) == 1:
                        out[group[0]] = exc
                        continue
                    refused = _refused_elements(exc, [writes[i] for i in group])
                    if not refused:
                        alone = True  # (Xero named none of them: each is sent alone)
                        pending.extend(group)
                        continue
                    for pos, error in refused.items():
                        out[group[pos]] = error
                    pending.extend(i for pos, i in enumerate(group) if pos not in refused)
                    continue
                except BridgeError as exc:
                    _keep_answers(exc, out, group)
                    raise
                for i, row in zip(group, rows, strict=True):
                    out[i] = row
        return [x if x is not None else _unreadable_data("payroll timesheets") for x in out]

    def _post_au_timesheets(self, writes: list[AuTimesheetWrite]) -> list[dict[str, Any]]:
        """One ``POST /Timesheets`` of ``writes``; Xero's answer for each, in their order."""
        body = []
        for w in writes:
            element = mapping.au_timesheet_body(w.employee_id, w.start, w.end, w.hours)
            body.append({"TimesheetID": w.timesheet_id, **element} if w.timesheet_id else element)
        data = self._send("POST", f"{PAYROLL_AU}/Timesheets", body, what="payroll timesheets")
        answered = [_au_sheet(row) for row in _list(data, "Timesheets")]
        out = []
        for w in writes:
            sheet = next((s for s in answered if s is not None and _is_write(s, w)), None)
            if sheet is None:
                err = _unreadable_data("payroll timesheets")
                err.maybe_applied = True  # type: ignore[attr-defined]  # (Xero took it)
                raise err
            out.append(sheet)
        return out

    def create_v2_timesheet(
        self,
        calendar_id: str,
        employee_id: str,
        start: date,
        end: date,
        hours: dict[tuple[str, str, str], float],
    ) -> dict[str, Any]:
        """NZ/UK 2.0: ``POST /Timesheets`` with its lines, as a draft."""
        body = {
            "payrollCalendarID": calendar_id,
            "employeeID": employee_id,
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "timesheetLines": mapping.v2_lines(hours),
        }
        data = self._send("POST", f"{PAYROLL_V2}/Timesheets", body, what="payroll timesheets")
        sheet = data.get("timesheet") if isinstance(data, dict) else None
        if not isinstance(sheet, dict):
            raise _unreadable_data("payroll timesheets")
        return mapping.map_v2_timesheet(sheet)

    def replace_v2_lines(self, timesheet_id: str, hours: dict[tuple[str, str, str], float]) -> None:
        """NZ/UK 2.0: make the lines of draft ``timesheet_id`` exactly ``hours``: a line per
        (day, rate, tracking item) is updated in place (``PUT``) unless it already holds its
        units, added (``POST``) or removed (``DELETE``)."""
        info = self._start("payroll_timesheets")
        full = self._get(info, f"{PAYROLL_V2}/Timesheets/{timesheet_id}", what="payroll timesheets")
        sheet = full.get("timesheet") if isinstance(full, dict) else None
        lines = sheet.get("timesheetLines") if isinstance(sheet, dict) else None
        current: dict[tuple[str, str, str], list[str]] = {}
        held: dict[str, Any] = {}  # line id -> its units now
        for line in lines if isinstance(lines, list) else []:
            key = (
                mapping.xero_date(line.get("date"))[:10],
                str(line.get("earningsRateID")).lower(),
                str(line.get("trackingItemID") or "").lower(),
            )
            current.setdefault(key, []).append(str(line.get("timesheetLineID")))
            held[str(line.get("timesheetLineID"))] = line.get("numberOfUnits")
        base = f"{PAYROLL_V2}/Timesheets/{timesheet_id}/Lines"
        for key, units in sorted(hours.items()):
            ids = current.pop((key[0], key[1].lower(), key[2].lower()), [])
            body = mapping.v2_lines({key: units})  # (none: no units left on it)
            extra = ids[1:]
            if not ids:
                for new in body:
                    self._send("POST", base, new, what="payroll timesheets")
            elif _same_units(held.get(ids[0]), units):
                pass  # a line that already says it is left as it is
            elif body:
                self._send("PUT", f"{base}/{ids[0]}", body[0], what="payroll timesheets")
            else:
                extra = ids
            for line_id in extra:
                self._send("DELETE", f"{base}/{line_id}", None, what="payroll timesheets")
        for ids in current.values():
            for line_id in ids:
                self._send("DELETE", f"{base}/{line_id}", None, what="payroll timesheets")

    def delete_v2_timesheet(self, timesheet_id: str) -> None:
        """NZ/UK 2.0: ``DELETE /Timesheets/{id}`` (a draft only)."""
        self._send(
            "DELETE", f"{PAYROLL_V2}/Timesheets/{timesheet_id}", None, what="payroll timesheets"
        )

    def payroll_leave(
        self, version: str | PayrollApi | None, employee_ids: list[str]
    ) -> list[dict[str, Any]]:
        """Leave on record as ``{"id", "employee_id", "leave_type_id", "start", "end"}``:
        AU ``GET /LeaveApplications``; NZ/UK ``GET /Employees/{id}/Leave`` per employee."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        info = self._start("payroll_leave")
        if api is PayrollApi.AU:
            raws = self._paged(
                info,
                f"{PAYROLL_AU}/LeaveApplications",
                "LeaveApplications",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="LeaveApplicationID",
                what="leave applications",
            )
            return [mapping.map_au_leave(r) for r in raws]
        out: list[dict[str, Any]] = []
        if api is PayrollApi.V2:
            for emp in employee_ids:
                data = self._get(info, f"{PAYROLL_V2}/Employees/{emp}/Leave", what="employee leave")
                rows = data.get("leave") if isinstance(data, dict) else None
                for raw in rows if isinstance(rows, list) else []:
                    out.append(mapping.map_v2_leave(raw, emp))
        return out

    def salary_and_wages(self, employee_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """NZ/UK 2.0: each employee's salary and wages, ``GET /Employees/{id}/SalaryAndWages``
        (100 a page; one call per employee unless they have more rows: there is no list of
        everyone's), by employee id (lower case), each row as ``{"rate_id", "hourly",
        "status", "effective_from"}`` (``hourly``: ``paymentType`` Hourly, else a salary;
        ``effective_from`` a date, None when unreadable; ids lower case)."""
        info = self._start("salary_and_wages")
        out: dict[str, list[dict[str, Any]]] = {}
        for emp in employee_ids:
            raws = self._paged(
                info,
                f"{PAYROLL_V2}/Employees/{emp}/SalaryAndWages",
                "salaryAndWages",
                {},
                None,
                page_size=PAYROLL_PAGE_SIZE,
                id_key="salaryAndWagesID",
                what="salary and wages",
            )
            out[emp.lower()] = [_salary_and_wage(r) for r in raws]
            info.records += len(raws)
        return out

    def create_leave(
        self,
        version: str | PayrollApi | None,
        employee_id: str,
        leave_type_id: str,
        title: str,
        days: dict[str, float],
        period: tuple[date, date],
    ) -> dict[str, Any]:
        """Paid leave for ``days`` (consecutive, one pay period): AU ``POST
        /LeaveApplications``; NZ/UK ``POST /Employees/{id}/Leave``."""
        return self.save_leave(
            version,
            None,
            employee_id,
            leave_type_id,
            title,
            (min(days), max(days), round(sum(days.values()), 4)),
            period,
        )

    @staticmethod
    def leave_title(name: str) -> str:
        """What a leave we send is called (AU ``Title``, NZ/UK ``description``): ``name``
        (the leave type's) with runs of spaces as one, cut to :data:`LEAVE_TITLE_MAX`
        characters with an ellipsis, or "Leave" when it is blank: both APIs refuse a blank
        one, and NZ/UK one over 50 characters (a long leave type name would fail the export)."""
        text = " ".join(str(name or "").split())
        if not text:
            return "Leave"
        if len(text) > LEAVE_TITLE_MAX:
            text = text[: LEAVE_TITLE_MAX - 1].rstrip() + "\u2026"
        return text

    def save_leave(
        self,
        version: str | PayrollApi | None,
        leave_id: str | None,
        employee_id: str,
        leave_type_id: str,
        title: str,
        span: tuple[str, str, float],
        period: tuple[date, date],
    ) -> dict[str, Any]:
        """Leave from ``span`` (first day, last day, units) in one pay period ``period``: a new
        one (``leave_id`` None) or ``leave_id`` updated. AU: ``POST /LeaveApplications`` or
        ``POST /LeaveApplications/{id}`` (an array of one, with its ``LeaveApplicationID``);
        NZ/UK: ``POST /Employees/{id}/Leave`` or ``PUT /Employees/{id}/Leave/{leaveID}``."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        first, last, units = span
        if api is PayrollApi.AU:
            element: dict[str, Any] = {
                "EmployeeID": employee_id,
                "LeaveTypeID": leave_type_id,
                "Title": self.leave_title(title),
                "StartDate": first,
                "EndDate": last,
                "LeavePeriods": [
                    {
                        "PayPeriodStartDate": period[0].isoformat(),
                        "PayPeriodEndDate": period[1].isoformat(),
                        "NumberOfUnits": units,
                    }
                ],
            }
            path = f"{PAYROLL_AU}/LeaveApplications"
            if leave_id:
                element = {"LeaveApplicationID": leave_id, **element}
                path += f"/{leave_id}"
            data = self._send("POST", path, [element], what="leave applications")
            rows = _list(data, "LeaveApplications")
            if not rows:
                raise _unreadable_data("leave applications")
            return mapping.map_au_leave(rows[0])
        body2 = {
            "leaveTypeID": leave_type_id,
            "description": self.leave_title(title),
            "startDate": first,
            "endDate": last,
            "periods": [
                {
                    "periodStartDate": period[0].isoformat(),
                    "periodEndDate": period[1].isoformat(),
                    "numberOfUnits": units,
                }
            ],
        }
        path2 = f"{PAYROLL_V2}/Employees/{employee_id}/Leave" + (f"/{leave_id}" if leave_id else "")
        data = self._send("PUT" if leave_id else "POST", path2, body2, what="employee leave")
        row = data.get("leave") if isinstance(data, dict) else None
        if not isinstance(row, dict):
            raise _unreadable_data("employee leave")
        return mapping.map_v2_leave(row, employee_id)

    def withdraw_leave(
        self, version: str | PayrollApi | None, employee_id: str, leave_id: str
    ) -> None:
        """Take back leave this app sent: AU ``POST /LeaveApplications/{id}/reject`` (payroll
        1.0 has no DELETE; Xero rejects a ``SCHEDULED`` or ``REQUESTED`` application, which
        then pays nothing and leaves ``GET /LeaveApplications``); NZ/UK ``DELETE
        /Employees/{id}/Leave/{leaveID}``."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        if api is PayrollApi.AU:
            self._send(
                "POST",
                f"{PAYROLL_AU}/LeaveApplications/{leave_id}/reject",
                None,
                what="leave applications",
            )
            return
        self.delete_v2_leave(employee_id, leave_id)

    def delete_v2_leave(self, employee_id: str, leave_id: str) -> None:
        """NZ/UK 2.0: ``DELETE /Employees/{id}/Leave/{leaveID}``."""
        self._send(
            "DELETE",
            f"{PAYROLL_V2}/Employees/{employee_id}/Leave/{leave_id}",
            None,
            what="employee leave",
        )

    # ------------------------------------------------------------------ invoices (bill time)
    def write_invoices(
        self, invoices: list[dict[str, Any]], *, create: bool, idempotency_key: str
    ) -> list[dict[str, Any]]:
        """``PUT`` (create) or ``POST`` (update, delete) ``/Invoices`` with at most 50
        invoices, ``summarizeErrors=false`` and an ``Idempotency-Key``: one answer per element,
        in order (a refused one carries ``ValidationErrors``). The key makes the request safe
        to send again after a lost answer: Xero replays its first answer. ``unitdp=4``: Xero
        rounds unit amounts to two decimals without it, and the item prices (read with
        ``unitdp=4``) and the previewed line amounts have four."""
        if len(invoices) > INVOICES_PER_CALL:
            raise ValueError(f"at most {INVOICES_PER_CALL} invoices per request")
        path = f"{ACCOUNTING}/Invoices"
        hdrs = {
            "xero-tenant-id": self.tenant_id,
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key,
        }
        self.calls_made += 1
        try:
            resp = self.session.request(
                "PUT" if create else "POST",
                path,
                params={"summarizeErrors": "false", "unitdp": 4},
                json={"Invoices": invoices},
                headers=hdrs,
                idempotent=True,  # the Idempotency-Key: a resend is answered, not applied
            )
        except AuthRejected as exc:
            raise _reauth(exc) from None
        if resp.status_code == 403:
            raise self._forbidden(resp, path, "invoices")
        if resp.status_code != 200:
            raise _error_for(resp, path, "invoices")
        rows = _list(_json(resp), "Invoices")
        if len(rows) != len(invoices):
            raise _unreadable(resp)
        return rows

    def invoices_by_ids(
        self, ids: Iterable[str], *, modified_since: float | None = None
    ) -> list[dict[str, Any]]:
        """``GET /Invoices?IDs=…`` in batches of 50 (the gateway's URL limit), with
        ``If-Modified-Since`` when given (only the ones changed since come back) and
        ``page=1`` so each answer holds its line items, ``unitdp=4`` so their unit amounts
        are exact. ceil(len(ids) / 50) calls."""
        wanted = sorted({str(i) for i in ids if i})
        info = self._start("invoices")
        out: list[dict[str, Any]] = []
        for start in range(0, len(wanted), IDS_PER_CALL):
            chunk = wanted[start : start + IDS_PER_CALL]
            data = self._get(
                info,
                f"{ACCOUNTING}/Invoices",
                what="invoices",
                params={
                    "IDs": ",".join(chunk),
                    "page": 1,
                    "pageSize": IDS_PER_CALL,
                    "unitdp": 4,
                },
                headers=self._since_header(modified_since),
            )
            out.extend(_list(data, "Invoices"))
        return out

    def invoices_by_reference(self, reference: str) -> list[dict[str, Any]]:
        """Sales invoices whose ``Reference`` is ``reference`` (one call, ``unitdp=4``): how a
        run whose answer was lost finds the invoice it may have made."""
        info = self._start("invoices")
        safe = reference.replace('"', "")
        data = self._get(
            info,
            f"{ACCOUNTING}/Invoices",
            what="invoices",
            params={"where": f'Type=="ACCREC" AND Reference=="{safe}"', "page": 1, "unitdp": 4},
        )
        return _list(data, "Invoices")

    def invoices_by_reference_start(self, prefixes: Iterable[str]) -> list[dict[str, Any]]:
        """Every invoice whose ``Reference`` starts with one of ``prefixes``, however it came
        by it (a bookkeeper may change one in Xero): ``GET /Invoices?where=Reference != null
        AND (Reference.StartsWith("…") OR …)``. ``Reference`` is one of the filters Xero
        keeps fast on large organisations; the null test comes first because ``StartsWith``
        on an invoice without a Reference fails the whole request. ``page`` so each answer
        holds its line items (one call a 100 invoices), ``unitdp=4`` so their unit amounts
        are exact. No prefix: no call."""
        wanted = sorted({p.replace('"', "") for p in prefixes if p})
        if not wanted:
            return []
        test = " OR ".join(f'Reference.StartsWith("{p}")' for p in wanted)
        info = self._start("invoices")
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self._get(
                info,
                f"{ACCOUNTING}/Invoices",
                what="invoices",
                params={
                    "where": f"Reference != null AND ({test})",
                    "page": page,
                    "pageSize": REFERENCE_PAGE,
                    "unitdp": 4,
                },
            )
            rows = _list(data, "Invoices")
            out.extend(rows)
            if len(rows) < REFERENCE_PAGE:
                return out
            page += 1

    def payroll_timesheet_category(self, version: str | PayrollApi | None) -> str:
        """The tracking category set as Xero's timesheet category (one call): AU
        ``GET /Settings``, NZ/UK ``GET /Settings/trackingCategories``; its id in lower case,
        "" when none is set or the organisation has no payroll API."""
        api = version if isinstance(version, PayrollApi) else payroll_api(version)
        if api is PayrollApi.AU:
            path = f"{PAYROLL_AU}/Settings"
        elif api is PayrollApi.V2:
            path = f"{PAYROLL_V2}/Settings/trackingCategories"
        else:
            return ""
        info = self._start("payroll_settings")
        return mapping.payroll_timesheet_category(self._get(info, path, what="payroll settings"))


# =========================================================================== helpers
@dataclass(frozen=True)
class AuTimesheetWrite:
    """One AU 1.0 timesheet to send: a new draft (``timesheet_id`` None) or ours updated,
    hours keyed (day, earnings rate, tracking item id or "")."""

    timesheet_id: str | None
    employee_id: str
    start: date
    end: date
    hours: dict[tuple[str, str, str], float]


def _au_sheet(raw: dict[str, Any]) -> dict[str, Any] | None:
    """An AU timesheet (answered, or echoed in a refusal) mapped; None when unreadable."""
    try:
        return mapping.map_au_timesheet(raw)
    except (TypeError, ValueError, AttributeError):
        return None


def _is_write(sheet: dict[str, Any], write: AuTimesheetWrite) -> bool:
    """Whether Xero's ``sheet`` answers ``write``: the same timesheet id (an update), or the
    same employee and period start (a create, or an element echoed without its id)."""
    if write.timesheet_id and sheet["id"]:
        return bool(sheet["id"].lower() == write.timesheet_id.lower())
    return bool(
        sheet["employee_id"].lower() == write.employee_id.lower() and sheet["start"] == write.start
    )


def _keep_answers(
    exc: BaseException, out: list[dict[str, Any] | ApiError | None], group: list[int]
) -> None:
    """``exc`` stopped :meth:`XeroClient.save_au_timesheets` on the call of ``group`` (the
    positions of its writes): the answers had before it (``out``) kept on it, with ``exc``
    itself for each write of that call, for :func:`au_answers_so_far`."""
    answers: list[dict[str, Any] | BaseException | None] = list(out)
    for i in group:
        answers[i] = exc
    exc.au_answers = answers  # type: ignore[attr-defined]


def au_answers_so_far(
    exc: BaseException, count: int
) -> list[dict[str, Any] | BaseException | None]:
    """What :meth:`XeroClient.save_au_timesheets` of ``count`` writes had when ``exc``
    stopped it, one per write in the order given: the timesheet Xero saved, the refusal of
    that one, ``exc`` itself for the writes of the call it stopped (Xero may have applied
    them when ``exc`` is ``maybe_applied``), None for those not sent yet. An error that did
    not come from there: ``exc`` for each (all were in its call)."""
    answers = getattr(exc, "au_answers", None)
    if isinstance(answers, list) and len(answers) == count:
        return list(answers)
    return [exc] * count


def _refused_elements(
    exc: BaseException, writes: list[AuTimesheetWrite]
) -> dict[int, XeroRequestRejected]:
    """The writes a refusal of the whole array names (``Elements`` with ``ValidationErrors``),
    by their position in ``writes``, each with its own reason."""
    found: dict[int, XeroRequestRejected] = {}
    for element in getattr(exc, "elements", None) or []:
        if not isinstance(element, dict):
            continue
        messages = [
            str(v["Message"])
            for v in element.get("ValidationErrors") or []
            if isinstance(v, dict) and v.get("Message")
        ]
        sheet = _au_sheet(element)
        if not messages or sheet is None:
            continue
        for pos, write in enumerate(writes):
            if pos not in found and _is_write(sheet, write):
                reason = "; ".join(dict.fromkeys(messages))
                found[pos] = _tag(  # type: ignore[assignment]
                    XeroRequestRejected(service=XERO, reason=redact(reason)),
                    400,
                    xero_type=getattr(exc, "xero_type", ""),
                )
                break
    return found


def _unreadable_data(what: str) -> ApiError:
    return _tag(
        ApiError(service=XERO, reason=f"Xero's answer about {what} could not be read"),
        200,
    )


def _json(resp: requests.Response) -> Any:
    """The answer's JSON. UTF-8 (what Xero sends, and JSON's encoding) is parsed from the
    bytes by :func:`core.jsontext.loads`, several times faster than ``resp.json()``, which
    is kept for an answer that names another charset."""
    try:
        if (resp.encoding or "utf-8").lower().replace("-", "").replace("_", "") == "utf8":
            return jsontext.loads(resp.content)
        return resp.json()
    except ValueError:  # (UnicodeDecodeError and orjson's errors are ValueErrors)
        raise _unreadable(resp) from None


def _note_rows(seen: set[str], rows: list[dict[str, Any]], id_key: str) -> None:
    """``rows``' keys added to ``seen`` (:func:`_row_key`), no row held once done."""
    for row in rows:
        seen.add(_row_key(row, id_key, len(seen)))


def _add_contacts(
    rows: list[dict[str, Any]],
    texts: dict[str, str],
    records: list[XeroContact],
    clashes: dict[str, XeroContact],
) -> None:
    """A page of :meth:`XeroClient.contacts`: each row new to ``texts`` (row key -> text)
    made a record in ``records``, one differing from the row read before under its id in
    ``clashes`` (text -> record); each record holds its raw contact as its text."""
    for row in rows:
        rid = _row_key(row, _CONTACTS["id_key"], len(texts))
        text = jsontext.dumps_canonical(row)
        before = texts.get(rid)
        if before is None:
            texts[rid] = text
            records.append(keep_raw_as_text(mapping.map_contact(row), text))
        elif before != text and text not in clashes:
            clashes[text] = keep_raw_as_text(mapping.map_contact(row), text)


def _salary_and_wage(raw: dict[str, Any]) -> dict[str, Any]:
    """One NZ/UK ``SalaryAndWage`` row, as :meth:`XeroClient.salary_and_wages` gives it."""
    day = mapping.xero_date(raw.get("effectiveFrom"))
    return {
        "rate_id": str(raw.get("earningsRateID") or "").lower(),
        "hourly": str(raw.get("paymentType") or "").casefold() == "hourly",
        "status": str(raw.get("status") or ""),
        "effective_from": date.fromisoformat(day) if day else None,
    }


def _row_key(row: dict[str, Any], id_key: str, count: int) -> str:
    """A paged row's id as pages are compared (lower case); a row without one is its own
    (``#count``: the rows told apart so far)."""
    return str(row.get(id_key) or "").lower() or f"#{count}"


def _unreadable(resp: requests.Response) -> ApiError:
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    return _tag(
        ApiError(service=XERO, reason=f"Xero sent an answer the app cannot read ({ctype})"),
        resp.status_code,
    )


def _list(data: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        return []
    rows = data.get(key)
    if not isinstance(rows, list):
        return []
    return [r for r in rows if isinstance(r, dict)]


def _server_time(data: Any, resp: requests.Response) -> float | None:
    """The envelope's ``DateTimeUTC`` (accounting, AU payroll) or ``dateTimeUTC`` (2.0),
    else the HTTP ``Date`` header: Xero's clock, not ours."""
    if isinstance(data, dict):
        value = data.get("DateTimeUTC", data.get("dateTimeUTC"))
        ts = mapping.parse_timestamp(value)
        if ts is not None:
            return ts
    return date_header_time(resp)


def _raise_problem(data: Any, what: str) -> None:
    """Payroll 2.0 puts a ``problem`` object in its envelope; a non-null one is an error."""
    if isinstance(data, dict) and isinstance(data.get("problem"), dict):
        problem = data["problem"]
        reason = "; ".join(str(problem.get(k)) for k in ("title", "detail") if problem.get(k))
        raise _tag(
            XeroRequestRejected(service=XERO, reason=reason or f"problem reading {what}"),
            200,
            xero_type=str(problem.get("type") or "problem"),
        )


def _reauth(exc: AuthRejected) -> ReauthorizationRequired:
    err = ReauthorizationRequired(detail=str(exc.params.get("reason") or ""))
    err.service = XERO  # type: ignore[attr-defined]
    err.status = 401  # type: ignore[attr-defined]
    err.maybe_applied = False  # type: ignore[attr-defined]
    return err


def _body(resp: requests.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error_for(resp: requests.Response, path: str, what: str) -> ApiError:
    status = resp.status_code
    reason = error_reason(resp)
    body = _body(resp)
    if status == 400:
        xero_type = str(body.get("Type") or body.get("title") or body.get("Title") or "")
        log.warning("Xero refused a request for %s: %s (%s)", what, xero_type or "HTTP 400", reason)
        elements = body.get("Elements")  # (AU payroll 1.0 arrays: the refused ones)
        return _tag(
            XeroRequestRejected(service=XERO, reason=reason),
            400,
            xero_type=xero_type,
            elements=elements if isinstance(elements, list) else [],
        )
    return _tag(ApiError(service=XERO, reason=reason), status)


__all__ = [
    "AU_PAYROLL_PER_CALL",
    "CONTACTS_PAGE_SIZE",
    "IDS_PER_CALL",
    "PAYROLL_PAGE_SIZE",
    "SINCE_SKEW_S",
    "AuTimesheetWrite",
    "FetchInfo",
    "XeroAccessDenied",
    "XeroClient",
    "XeroOrganisationDisconnected",
    "XeroPayrollAccessDenied",
    "XeroRequestRejected",
    "http_date",
]
