"""The Demo Company's Xero Accounting + Payroll API (the half behind the OAuth identity).

Strict on purpose: every rule below is one the real API enforces (sources in comments,
"references" = shared/references/xero-api.md, "spec" = shared/specs/xero/*.yaml). Where the
real behaviour is not documented anywhere we could read, the comment says so and says what
was chosen; when in doubt the simulator is the stricter of the plausible behaviours, never
the more lenient one.

Interface: ``XeroApi(store, clock, config, check_access).handle(request)`` returns a
werkzeug ``Response`` for paths under ``/api.xro/2.0`` and ``/payroll.xro/``, else ``None``.
``xero_error_response(status)`` is what the fault middleware answers for injected 429/500/503.

Order of checks for one request (each step answers on its own and stops):
 1. ``check_access`` (bearer token; identity half) -> its 401 as is. Not counted, no limit
    headers: the token does not identify a usable app connection yet.
 2. ``xero-tenant-id`` missing, or not one of the grant's live connections -> 403
    ``AuthenticationUnsuccessful``. Not counted either: there is no tenant to count against
    (Xero's limits are per connection). Derived, documented choice.
 3. Rate limits for the tenant (concurrent, day, minute, app-minute) -> 429. A rejected
    call is not counted toward any window.
 4. Everything after that - including scope 401s, 400s, 404s - is counted and carries
    ``X-MinLimit-Remaining``/``X-DayLimit-Remaining``/``X-AppMinLimit-Remaining``.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from werkzeug.wrappers import Request, Response

from core.sandbox.common import (
    Clock,
    CompanyStore,
    demo_shift_days,
    iso_utc,
    json_response,
    ms_date,
    parse_http_date_or_iso,
    parse_ms_date,
)
from core.sandbox.xero_config import XeroConfig
from core.sandbox.xero_payroll import (
    AU_LEAVE_HIDDEN,
    AuPayroll,
    V2Payroll,
    au_leave_states,
    shift_payroll_dates,
)
from core.sandbox.xero_settings import (
    CLASS_FLAG,
    TYPE_CLASS,
    au_retired_tax_type,
    currency,
    day_rate,
    default_accounts,
    default_tax_rates,
    money,
    organisation_today,
)

ACCOUNTING_PREFIX = "/api.xro/2.0"
PAYROLL_PREFIX = "/payroll.xro/"
# Private state: the days the Demo Company's payroll hours were moved by (once per state).
DEMO_SHIFT_KEY = "xero_demo_shift_days"
# Private state: each organisation's day window of calls ({tenant: {"start", "count"}}), kept
# between runs as Xero keeps it (see RateLimiter).
DAY_COUNTS_KEY = "xero_day_counts"
# Name of the registered app, echoed as ProviderName in every envelope (spec examples show
# the app's name there, e.g. "Xero API Partner").
PROVIDER_NAME = "Xero QuickBooks Time Bridge"
# Body limit for PUT/POST (references §5.2: 3.5 MB per POST).
MAX_BODY_BYTES = int(3.5 * 1024 * 1024)
# Xero rejects an IDs list of more than ~52 GUIDs with a 404 (gateway URL-length limit):
# https://github.com/XeroAPI/Xero-Java/issues/328 (53 ids -> 404, 52 ids -> 200).
MAX_IDS = 52
PAYROLL_PAGE_SIZE = 100  # payroll lists: 100 per page (spec, all three regions)
DEFAULT_PAGE_SIZE = 100  # Contacts `page` without `pageSize` (spec parameter text)
NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
# pyxero #181: a filter that hits a null property fails with this 500 body.
UNKNOWN_ERROR_MESSAGE = (
    "An error occurred in Xero. Check the API Status page "
    "http://status.developer.xero.com for current service status. "
    "Contact the API support team at api@xero.com for more assistance."
)
MAINTENANCE_TEXT = "The Xero API is currently offline for maintenance"
HIGH_VOLUME_MESSAGE = (
    "Your request is not filtering Contacts efficiently, given the extremely "
    "high volume for this organisation. Please check "
    "https://developer.xero.com/documentation/api/efficient-data-retrieval "
    "for tips on making Contact retrieval more efficient."
)
# Optimised Contacts filters for high-volume organisations (references §3.1, CData quoting
# Xero's list): where on Name/EmailAddress/AccountNumber, order on ContactID/UpdatedDateUTC/Name.
HIGH_VOLUME_WHERE_FIELDS = frozenset({"Name", "EmailAddress", "AccountNumber"})
# Invoices: the optimised filters large organisations may use (Xero's "optimised queries").
HIGH_VOLUME_INVOICE_WHERE_FIELDS = frozenset(
    {"Status", "Date", "DueDate", "InvoiceNumber", "InvoiceID", "Reference", "Contact"}
)
HIGH_VOLUME_ORDER_FIELDS = frozenset({"ContactID", "UpdatedDateUTC", "Name"})
#: private-state key: which app created each invoice (createdByMyApp; see _invoice_creators)
INVOICE_CREATORS_KEY = "xero_api_invoice_creators"

# Scopes accepted per endpoint: spec `security` blocks, plus the 2026 granular scopes
# (references §2.4: Items are readable with accounting.invoices[.read] as well; invoices
# are written with accounting.invoices by apps created after 2026-03-02).
SCOPES_CONTACTS_READ = frozenset({"accounting.contacts", "accounting.contacts.read"})
SCOPES_SETTINGS_READ = frozenset({"accounting.settings", "accounting.settings.read"})
SCOPES_ITEMS_READ = SCOPES_SETTINGS_READ | {"accounting.invoices", "accounting.invoices.read"}
SCOPES_INVOICES_WRITE = frozenset({"accounting.transactions", "accounting.invoices"})
# GET /Invoices: accounting.transactions[.read] (spec security), or the granular
# accounting.invoices[.read] of apps registered after 2026-03-02 (references §2.4).
SCOPES_INVOICES_READ = SCOPES_INVOICES_WRITE | {
    "accounting.transactions.read",
    "accounting.invoices.read",
}
# Invoices summaryOnly: the computation-heavy parts (lines and the payments/credits applied)
# are dropped; the scalar identity, status, contact reference and totals stay.
SUMMARY_INVOICE_DROPPED = ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments")
SCOPES_PAYROLL_EMPLOYEES_READ = frozenset({"payroll.employees", "payroll.employees.read"})
SCOPES_PAYROLL_SETTINGS_READ = frozenset({"payroll.settings", "payroll.settings.read"})
# Timesheets: payroll.timesheets (write), payroll.timesheets[.read] (read); leave is part of
# the employee: payroll.employees (write), payroll.employees[.read] (read) (spec security).
SCOPES_PAYROLL_TIMESHEETS = frozenset({"payroll.timesheets"})
SCOPES_PAYROLL_TIMESHEETS_READ = frozenset({"payroll.timesheets", "payroll.timesheets.read"})
SCOPES_PAYROLL_EMPLOYEES_WRITE = frozenset({"payroll.employees"})

INVOICE_TYPES = (
    "ACCPAY",
    "ACCPAYCREDIT",
    "APOVERPAYMENT",
    "APPREPAYMENT",
    "ACCREC",
    "ACCRECCREDIT",
    "AROVERPAYMENT",
    "ARPREPAYMENT",
)
INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED")
#: Invoice ``CurrencyCode``: the accounting spec's ``CurrencyCode`` enum (168 codes)
CURRENCY_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BYR BZD CAD CDF CHF CLF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EEK EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD
    IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD
    MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD
    OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SKK SLE
    SLL SOS SRD STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS
    VEF VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZMK ZWD
    """.split()
)
#: Invoice ``InvoiceNumber``: "(max length = 255)", ``maxLength: 255`` (accounting spec)
INVOICE_NUMBER_MAX = 255
GUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


# =========================================================================== responses
def _problem(status: int, title: str, detail: str) -> Response:
    """The API gateway's error body (references §6; same shape as the identity half)."""
    return json_response(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
        status=status,
    )


def _forbidden() -> Response:
    return _problem(403, "Forbidden", "AuthenticationUnsuccessful")


def _missing_scope() -> Response:
    # A valid token without the endpoint's scope gets 401 "AuthorizationUnsuccessful", not
    # 403: Xero-NetStandard#178 (GetAccounts without accounting.settings -> 401),
    # xero-ruby-oauth2-app#82 (finance scope missing -> 401 AuthorizationUnsuccessful body),
    # Xero-NetStandard#298 (assets scope missing -> same 401 body).
    return _problem(401, "Unauthorized", "AuthorizationUnsuccessful")


def _no_payroll() -> Response:
    # What the real API answers an organisation without this payroll API (US, GLOBAL,
    # an NZ/UK org calling AU 1.0, an org that never set payroll up) is not documented in
    # anything we could read. Xero's docs only say payroll needs the right region, payroll
    # set up and a payroll-admin user (references §2.4/§4.1); integrators report "denied"/
    # "refused" errors, never an empty list. Chosen: 403 Forbidden in the gateway shape with
    # "AuthorizationUnsuccessful" (access to the resource refused), so a client that calls
    # payroll for a non-payroll org fails loudly instead of importing "no employees".
    return _problem(403, "Forbidden", "AuthorizationUnsuccessful")


def _not_found() -> Response:
    # Accounting 404 is a plain sentence, not JSON (xero-node#189 body
    # "The resource you're looking for cannot be found"; Xero-NetStandard#413 same text).
    return Response(NOT_FOUND_TEXT, status=404, content_type="text/plain; charset=utf-8")


def _method_not_allowed(allowed: str) -> Response:
    return Response("", status=405, headers={"Allow": allowed})


def _api_exception(
    error_number: int,
    type_: str,
    message: str,
    status: int = 400,
    elements: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"ErrorNumber": error_number, "Type": type_, "Message": message}
    if elements is not None:
        body["Elements"] = elements
    return body


def _payroll2_problem(
    status: int, title: str, detail: str, invalid_fields: list[dict[str, str]] | None = None
) -> Response:
    # Payroll NZ/UK error body: the spec's `Problem` schema, whose `status` is a string
    # (references §6: {"type":"application/problem+json","title":"BadRequest","status":"400",...}).
    body: dict[str, Any] = {
        "type": "application/problem+json",
        "title": title,
        "status": str(status),
        "detail": detail,
        "instance": str(uuid.uuid4()),
    }
    if invalid_fields:
        body["invalidFields"] = invalid_fields
    return json_response(body, status=status)


def xero_error_response(status: int) -> Response:
    """Answer for an injected fault (FaultMiddleware)."""
    if status == 429:
        resp = _problem(429, "Too Many Requests", "TooManyRequests")
        resp.headers["X-Rate-Limit-Problem"] = "minute"
        resp.headers["Retry-After"] = "1"
        resp.headers["X-MinLimit-Remaining"] = "0"
        return resp
    if status == 503:
        # references §6: maintenance / organisation offline answers are plain text.
        return Response(MAINTENANCE_TEXT, status=503, content_type="text/plain; charset=utf-8")
    if status == 500:
        # Accounting's unhandled-error body (pyxero#181).
        return json_response(
            _api_exception(500, "UnknownErrorException", UNKNOWN_ERROR_MESSAGE), status=500
        )
    return _problem(status, "An error occurred", "An error occurred")


# --------------------------------------------------------------------------- XML
def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s"):
        return name[:-1]
    return name + "Item"


def _to_xml(name: str, value: Any) -> str:
    if value is None:
        return f"<{name} />"
    if isinstance(value, dict):
        inner = "".join(_to_xml(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):
        inner = "".join(_to_xml(_singular(name), v) for v in value)
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    text = str(value)
    m = re.fullmatch(r"/Date\((-?\d+)([+-]\d{4})?\)/", text)
    if m:
        text = datetime.fromtimestamp(int(m.group(1)) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"<{name}>{xml_escape(text)}</{name}>"


def _wants_json(request: Request) -> bool:
    """Accounting and AU payroll answer XML unless JSON is asked for explicitly.

    references §1: "Accept: application/json (Xero defaults to XML otherwise)"; pyxero sets
    the header for that reason. ``*/*`` or no Accept header gets the default, XML.
    """
    for mimetype, quality in request.accept_mimetypes:
        if quality > 0 and "json" in mimetype.lower():
            return True
    return False


def _pascal_response(request: Request, payload: dict[str, Any], status: int = 200) -> Response:
    if _wants_json(request):
        return json_response(payload, status=status)
    tag = "Response" if status < 400 else "ApiException"
    body = (
        f'<{tag} xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        + "".join(_to_xml(k, v) for k, v in payload.items())
        + f"</{tag}>"
    )
    return Response(body, status=status, content_type="text/xml; charset=utf-8")


# =========================================================================== where language
class QueryParseError(Exception):
    """Xero's QueryParseException (ErrorNumber 16): the message is what the API says."""


class _NullReference(Exception):
    """A method or member called on a null value while filtering (-> HTTP 500, pyxero#181)."""


# Static field types of the objects a `where`/`order` can address. Property lookup is
# case-insensitive, as in the Dynamic LINQ engine behind Xero's `where`.
S, B, G, D, N, OBJ, A = "String", "Boolean", "Guid", "DateTime", "Decimal", "Object", "Array"
TYPE_FIELDS: dict[str, dict[str, str]] = {
    "Contact": {
        "ContactID": G,
        "MergedToContactID": G,
        "ContactNumber": S,
        "AccountNumber": S,
        "ContactStatus": S,
        "Name": S,
        "FirstName": S,
        "LastName": S,
        "CompanyNumber": S,
        "EmailAddress": S,
        "BankAccountDetails": S,
        "TaxNumber": S,
        "TaxNumberType": S,
        "AccountsReceivableTaxType": S,
        "AccountsPayableTaxType": S,
        "IsSupplier": B,
        "IsCustomer": B,
        "SalesDefaultLineAmountType": S,
        "PurchasesDefaultLineAmountType": S,
        "DefaultCurrency": S,
        "XeroNetworkKey": S,
        "SalesDefaultAccountCode": S,
        "PurchasesDefaultAccountCode": S,
        "UpdatedDateUTC": D,
        "Website": S,
        "Discount": N,
        "HasAttachments": B,
        "HasValidationErrors": B,
        "Addresses": A,
        "Phones": A,
        "ContactGroups": A,
        "ContactPersons": A,
        "SalesTrackingCategories": A,
        "PurchasesTrackingCategories": A,
        "PaymentTerms": OBJ,
        "Balances": OBJ,
        "BrandingTheme": OBJ,
        "BatchPayments": OBJ,
    },
    "Item": {
        "ItemID": G,
        "Code": S,
        "Name": S,
        "Description": S,
        "PurchaseDescription": S,
        "IsSold": B,
        "IsPurchased": B,
        "IsTrackedAsInventory": B,
        "InventoryAssetAccountCode": S,
        "TotalCostPool": N,
        "QuantityOnHand": N,
        "UpdatedDateUTC": D,
        "SalesDetails": OBJ,
        "PurchaseDetails": OBJ,
    },
    "TrackingCategory": {
        "TrackingCategoryID": G,
        "Name": S,
        "Status": S,
        "Options": A,
    },
    "TaxRate": {
        "Name": S,
        "TaxType": S,
        "Status": S,
        "ReportTaxType": S,
        "CanApplyToAssets": B,
        "CanApplyToEquity": B,
        "CanApplyToExpenses": B,
        "CanApplyToLiabilities": B,
        "CanApplyToRevenue": B,
        "DisplayTaxRate": N,
        "EffectiveRate": N,
        "TaxComponents": A,
    },
    "Currency": {"Code": S, "Description": S},
    "Account": {
        "AccountID": G,
        "Code": S,
        "Name": S,
        "Type": S,
        "BankAccountNumber": S,
        "Status": S,
        "Description": S,
        "BankAccountType": S,
        "CurrencyCode": S,
        "TaxType": S,
        "EnablePaymentsToAccount": B,
        "ShowInExpenseClaims": B,
        "Class": S,
        "SystemAccount": S,
        "ReportingCode": S,
        "ReportingCodeName": S,
        "HasAttachments": B,
        "UpdatedDateUTC": D,
        "AddToWatchlist": B,
    },
    "Invoice": {
        "Type": S,
        "InvoiceID": G,
        "InvoiceNumber": S,
        "Reference": S,
        "Status": S,
        "LineAmountTypes": S,
        "CurrencyCode": S,
        "Date": D,
        "DueDate": D,
        "UpdatedDateUTC": D,
        "SubTotal": N,
        "TotalTax": N,
        "Total": N,
        "AmountDue": N,
        "AmountPaid": N,
        "AmountCredited": N,
        "CurrencyRate": N,
        "IsDiscounted": B,
        "HasAttachments": B,
        "HasErrors": B,
        "Contact": OBJ,
        "LineItems": A,
        "Payments": A,
        "CreditNotes": A,
        "Prepayments": A,
        "Overpayments": A,
    },
    "Employee": {
        "EmployeeID": G,
        "Title": S,
        "FirstName": S,
        "MiddleNames": S,
        "LastName": S,
        "Status": S,
        "Email": S,
        "Gender": S,
        "Phone": S,
        "Mobile": S,
        "TwitterUserName": S,
        "JobTitle": S,
        "Classification": S,
        "EmployeeGroupName": S,
        "DateOfBirth": D,
        "StartDate": D,
        "TerminationDate": D,
        "TerminationReason": S,
        "UpdatedDateUTC": D,
        "IsAuthorisedToApproveLeave": B,
        "IsAuthorisedToApproveTimesheets": B,
        "IsSTP2Qualified": B,
        "OrdinaryEarningsRateID": G,
        "PayrollCalendarID": G,
        "HomeAddress": OBJ,
    },
    "Timesheet": {
        "TimesheetID": G,
        "EmployeeID": G,
        "StartDate": D,
        "EndDate": D,
        "Status": S,
        "Hours": N,
        "UpdatedDateUTC": D,
        "TimesheetLines": A,
    },
    # AU payroll 1.0 settings (xero-payroll-au.yaml schemas; the enums are strings, and
    # RatePerUnit, a string in the spec, is the decimal the answers hold)
    "PayrollCalendar": {
        "PayrollCalendarID": G,
        "Name": S,
        "CalendarType": S,
        "StartDate": D,
        "PaymentDate": D,
        "ReferenceDate": D,
        "UpdatedDateUTC": D,
        "ValidationErrors": A,
    },
    "EarningsRate": {
        "EarningsRateID": G,
        "Name": S,
        "AccountCode": S,
        "TypeOfUnits": S,
        "IsExemptFromTax": B,
        "IsExemptFromSuper": B,
        "IsReportableAsW1": B,
        "IsQualifyingEarnings": B,
        "AllowanceContributesToAnnualLeaveRate": B,
        "AllowanceContributesToOvertimeRate": B,
        "EarningsType": S,
        "RateType": S,
        "RatePerUnit": N,
        "Multiplier": N,
        "AccrueLeave": B,
        "Amount": N,
        "EmploymentTerminationPaymentType": S,
        "UpdatedDateUTC": D,
        "CurrentRecord": B,
        "AllowanceType": S,
        "AllowanceCategory": S,
    },
    "DeductionType": {
        "DeductionTypeID": G,
        "Name": S,
        "AccountCode": S,
        "ReducesTax": B,
        "ReducesSuper": B,
        "IsExemptFromW1": B,
        "DeductionCategory": S,
        "UpdatedDateUTC": D,
        "CurrentRecord": B,
    },
    "LeaveType": {
        "LeaveTypeID": G,
        "Name": S,
        "TypeOfUnits": S,
        "NormalEntitlement": N,
        "LeaveLoadingRate": N,
        "IsPaidLeave": B,
        "ShowOnPayslip": B,
        "CurrentRecord": B,
        "LeaveCategoryCode": S,
        "SGCExempt": B,
        "IsQualifyingEarnings": B,
        "UpdatedDateUTC": D,
    },
    "ReimbursementType": {
        "ReimbursementTypeID": G,
        "Name": S,
        "AccountCode": S,
        "UpdatedDateUTC": D,
        "CurrentRecord": B,
    },
    "LeaveApplication": {
        "LeaveApplicationID": G,
        "EmployeeID": G,
        "LeaveTypeID": G,
        "Title": S,
        "Description": S,
        "StartDate": D,
        "EndDate": D,
        "PayOutType": S,
        "UpdatedDateUTC": D,
        "LeavePeriods": A,
    },
}
_VALUE_TYPES = {B, G, N}  # not comparable with null (non-nullable .NET value types)


def _parse_date_value(value: Any) -> float | None:
    """A stored date (``/Date(ms+0000)/`` or ISO) as epoch seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    if text.startswith("/Date("):
        return parse_ms_date(text)
    return parse_http_date_or_iso(text)


Getter = Callable[[dict[str, Any]], Any]


def _const(value: Any) -> Getter:
    def get(_record: dict[str, Any]) -> Any:
        return value

    return get


def _field(name: str) -> Getter:
    def get(record: dict[str, Any]) -> Any:
        return record.get(name)

    return get


def _either(left: Getter, right: Getter) -> Getter:
    def get(record: dict[str, Any]) -> bool:
        return bool(left(record)) or bool(right(record))  # short-circuits like C# ||

    return get


def _both(left: Getter, right: Getter) -> Getter:
    def get(record: dict[str, Any]) -> bool:
        return bool(left(record)) and bool(right(record))  # short-circuits like C# &&

    return get


def _negate(inner: Getter) -> Getter:
    def get(record: dict[str, Any]) -> bool:
        return not inner(record)

    return get


@dataclass
class _Node:
    type: str
    fn: Callable[[dict[str, Any]], Any]
    literal_null: bool = False


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.|"")*"?)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<>|<=|>=|&&|\|\||[=<>!().,])
""",
    re.VERBOSE,
)


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int
    value: Any = None


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise QueryParseError(f"Syntax error '{text[pos]}' (at index {pos})")
        kind = m.lastgroup or ""
        chunk = m.group(0)
        if kind == "string":
            if (
                len(chunk) < 2
                or not chunk.endswith('"')
                or (chunk.endswith('\\"') and not chunk.endswith('\\\\"'))
            ):
                raise QueryParseError(f"Unterminated string literal (at index {pos})")
            inner = chunk[1:-1].replace('""', '"')
            inner = re.sub(r"\\(.)", r"\1", inner)
            toks.append(_Tok("string", chunk, pos, inner))
        elif kind == "number":
            toks.append(_Tok("number", chunk, pos, float(chunk)))
        elif kind in ("ident", "op"):
            toks.append(_Tok(kind, chunk, pos))
        pos = m.end()
    toks.append(_Tok("end", "", len(text)))
    return toks


class _WhereParser:
    """Recursive-descent parser for the subset of Dynamic LINQ that Xero's `where` takes.

    ``==``/``=``, ``!=``/``<>``, ``<``..``>=`` (numbers and dates only), ``AND``/``&&``,
    ``OR``/``||``, ``NOT``/``!``, parentheses, ``"strings"``, numbers, ``true``/``false``/
    ``null``, ``Guid("...")``, ``DateTime(y,m,d[,h,mi,s])``, and on strings ``.Contains(s)``,
    ``.StartsWith(s)``, ``.EndsWith(s)``, ``.Equals(s)``, ``.ToLower()``, ``.ToUpper()``,
    ``.Trim()``, ``.Length``. Types are checked the way the engine does (a Guid is not a
    string, a bool is not comparable with null...); evaluation short-circuits like C#.
    """

    def __init__(self, text: str, type_name: str) -> None:
        self.text = text
        self.type_name = type_name
        self.fields = TYPE_FIELDS[type_name]
        self._lower = {k.lower(): k for k in self.fields}
        self.toks = _tokenize(text)
        self.i = 0
        self.root_fields: set[str] = set()

    # -- token helpers
    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _advance(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def _is_word(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.text.lower() in words

    def _is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def _expect(self, op: str, message: str) -> None:
        if not self._is_op(op):
            raise QueryParseError(f"{message} (at index {self.tok.pos})")
        self._advance()

    # -- grammar
    def parse(self) -> _Node:
        if self.tok.kind == "end":
            raise QueryParseError("Expression expected (at index 0)")
        node = self._or()
        if self.tok.kind != "end":
            raise QueryParseError(f"Syntax error (at index {self.tok.pos})")
        if node.type not in (B, OBJ):
            raise QueryParseError("Expression of type 'Boolean' expected (at index 0)")
        return node

    def _bool_operands(self, op: str, left: _Node, right: _Node) -> None:
        for n in (left, right):
            if n.type not in (B, OBJ):
                raise QueryParseError(
                    f"Operator '{op}' incompatible with operand types "
                    f"'{left.type}' and '{right.type}'"
                )

    def _or(self) -> _Node:
        left = self._and()
        while self._is_op("||") or self._is_word("or"):
            op = self._advance().text
            right = self._and()
            self._bool_operands(op, left, right)
            lf, rf = left.fn, right.fn
            left = _Node(B, _either(lf, rf))
        return left

    def _and(self) -> _Node:
        left = self._not()
        while self._is_op("&&") or self._is_word("and"):
            op = self._advance().text
            right = self._not()
            self._bool_operands(op, left, right)
            lf, rf = left.fn, right.fn
            left = _Node(B, _both(lf, rf))
        return left

    def _not(self) -> _Node:
        if self._is_op("!") or self._is_word("not"):
            op = self._advance().text
            operand = self._not()
            if operand.type not in (B, OBJ):
                raise QueryParseError(
                    f"Operator '{op}' incompatible with operand type '{operand.type}'"
                )
            return _Node(B, _negate(operand.fn))
        return self._comparison()

    def _comparison(self) -> _Node:
        left = self._primary()
        if not self._is_op("==", "=", "!=", "<>", "<", "<=", ">", ">="):
            return left
        op_tok = self._advance()
        op = op_tok.text
        right = self._primary()
        lt = "Object" if left.literal_null else left.type
        rt = "Object" if right.literal_null else right.type
        incompatible = QueryParseError(
            f"Operator '{op}' incompatible with operand types '{lt}' and '{rt}'"
        )
        relational = op in ("<", "<=", ">", ">=")
        if left.literal_null or right.literal_null:
            other = right if left.literal_null else left
            if relational or other.type in _VALUE_TYPES:
                raise incompatible
        elif OBJ in (left.type, right.type):
            pass  # dynamic (nested object member): checked at run time
        elif left.type != right.type:
            raise incompatible
        elif relational and left.type not in (N, D):
            raise incompatible
        lf, rf = left.fn, right.fn
        conv = (
            _parse_date_value
            if D in (left.type, right.type)
            else (
                (lambda v: v.lower() if isinstance(v, str) else v)
                if G in (left.type, right.type)
                else (lambda v: v)
            )
        )

        def compare(r: dict[str, Any], lf=lf, rf=rf, op=op, conv=conv) -> bool:
            a, b = conv(lf(r)), conv(rf(r))
            if op in ("==", "="):
                return bool(a == b)
            if op in ("!=", "<>"):
                return bool(a != b)
            if a is None or b is None:
                return False  # lifted comparison with null is false in C#
            try:
                return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
            except TypeError as exc:
                raise _NullReference() from exc

        return _Node(B, compare)

    def _primary(self) -> _Node:
        t = self.tok
        if t.kind == "string":
            self._advance()
            node = _Node(S, _const(t.value))
        elif t.kind == "number":
            self._advance()
            node = _Node(N, _const(t.value))
        elif self._is_op("("):
            self._advance()
            node = self._or()
            self._expect(")", "')' or operator expected")
        elif t.kind == "ident":
            word = t.text.lower()
            self._advance()
            if word in ("true", "false"):
                node = _Node(B, _const(word == "true"))
            elif word == "null":
                node = _Node("Null", _const(None), literal_null=True)
            elif word == "guid" and self._is_op("("):
                node = self._guid_literal()
            elif word == "datetime" and self._is_op("("):
                node = self._datetime_literal()
            else:
                name = self._lower.get(word)
                if name is None:
                    raise QueryParseError(
                        f"No property or field '{t.text}' exists in type "
                        f"'{self.type_name}' (at index {t.pos})"
                    )
                self.root_fields.add(name)
                node = _Node(self.fields[name], _field(name))
        else:
            raise QueryParseError(f"Expression expected (at index {t.pos})")
        return self._postfix(node)

    def _guid_literal(self) -> _Node:
        self._advance()  # (
        if self.tok.kind != "string":
            raise QueryParseError(f"Expression expected (at index {self.tok.pos})")
        value = self._advance().value
        self._expect(")", "')' or ',' expected")
        if not GUID_RE.match(value):
            raise QueryParseError(
                "Guid should contain 32 digits with 4 dashes "
                "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."
            )
        return _Node(G, _const(value.lower()))

    def _datetime_literal(self) -> _Node:
        self._advance()  # (
        parts: list[int] = []
        while True:
            if self.tok.kind != "number":
                raise QueryParseError(f"Expression expected (at index {self.tok.pos})")
            parts.append(int(self._advance().value))
            if self._is_op(","):
                self._advance()
                continue
            self._expect(")", "')' or ',' expected")
            break
        if len(parts) not in (3, 6):
            raise QueryParseError("No matching constructor in type 'DateTime'")
        try:
            hh, mi, ss = parts[3:] if len(parts) == 6 else (0, 0, 0)
            ts = datetime(parts[0], parts[1], parts[2], hh, mi, ss, tzinfo=UTC).timestamp()
        except ValueError as exc:
            raise QueryParseError(str(exc)) from exc
        return _Node(D, _const(ts))

    def _postfix(self, node: _Node) -> _Node:
        while self._is_op("."):
            self._advance()
            if self.tok.kind != "ident":
                raise QueryParseError(f"Identifier expected (at index {self.tok.pos})")
            member_tok = self._advance()
            member = member_tok.text
            if self._is_op("("):
                self._advance()
                args: list[_Node] = []
                while not self._is_op(")"):
                    args.append(self._or())
                    if self._is_op(","):
                        self._advance()
                    elif not self._is_op(")"):
                        raise QueryParseError(f"')' or ',' expected (at index {self.tok.pos})")
                self._advance()
                node = self._method(node, member, args)
            else:
                node = self._member(node, member)
        return node

    def _method(self, target: _Node, name: str, args: list[_Node]) -> _Node:
        key = name.lower()
        if target.type not in (S, OBJ):
            raise QueryParseError(f"No applicable method '{name}' exists in type '{target.type}'")
        tf = target.fn

        def need(r: dict[str, Any]) -> str:
            v = tf(r)
            if v is None:
                raise _NullReference()
            if not isinstance(v, str):
                raise _NullReference()
            return v

        if key in ("contains", "startswith", "endswith", "equals") and len(args) == 1:
            if args[0].type not in (S, OBJ) or args[0].literal_null:
                raise QueryParseError(f"No applicable method '{name}' exists in type 'String'")
            af = args[0].fn
            ops = {
                "contains": lambda s, a: a in s,
                "startswith": str.startswith,
                "endswith": str.endswith,
                "equals": lambda s, a: s == a,
            }
            fn = ops[key]

            def call(r: dict[str, Any], fn=fn, af=af) -> bool:
                arg = af(r)
                if arg is None:
                    raise _NullReference()
                return bool(fn(need(r), arg))

            return _Node(B, call)
        if key in ("tolower", "toupper", "trim") and not args:
            convs: dict[str, Callable[[str], str]] = {
                "tolower": str.lower,
                "toupper": str.upper,
                "trim": str.strip,
            }
            conv = convs[key]
            return _Node(S, lambda r: conv(need(r)))
        raise QueryParseError(f"No applicable method '{name}' exists in type 'String'")

    def _member(self, target: _Node, name: str) -> _Node:
        tf = target.fn
        if target.type == S and name.lower() == "length":

            def length(r: dict[str, Any]) -> int:
                v = tf(r)
                if v is None:
                    raise _NullReference()
                return len(v)

            return _Node(N, length)
        if target.type == OBJ:

            def get(r: dict[str, Any]) -> Any:
                v = tf(r)
                if not isinstance(v, dict):
                    raise _NullReference()
                for k, val in v.items():
                    if k.lower() == name.lower():
                        return val
                return None

            return _Node(OBJ, get)
        raise QueryParseError(f"No property or field '{name}' exists in type '{target.type}'")


def compile_where(text: str, type_name: str) -> tuple[Callable[[dict[str, Any]], bool], set[str]]:
    """Compile a `where` clause; returns (predicate, root fields used). Raises QueryParseError."""
    parser = _WhereParser(text, type_name)
    node = parser.parse()
    return (lambda r, f=node.fn: bool(f(r))), parser.root_fields


def compile_order(text: str, type_name: str) -> list[tuple[str, bool]]:
    """``Name ASC, UpdatedDateUTC DESC`` -> [(field, descending)]. Raises QueryParseError."""
    fields = TYPE_FIELDS[type_name]
    lower = {k.lower(): k for k in fields}
    keys: list[tuple[str, bool]] = []
    pos = 0
    for part in text.split(","):
        words = part.split()
        if not words:
            raise QueryParseError(f"Expression expected (at index {pos})")
        name = lower.get(words[0].lower())
        if name is None:
            raise QueryParseError(
                f"No property or field '{words[0]}' exists in type "
                f"'{type_name}' (at index {pos + part.index(words[0])})"
            )
        if fields[name] in (A, OBJ):
            raise QueryParseError(f"Expression of type '{fields[name]}' cannot be ordered")
        desc = False
        if len(words) == 2 and words[1].lower() in ("asc", "ascending", "desc", "descending"):
            desc = words[1].lower().startswith("desc")
        elif len(words) != 1:
            raise QueryParseError(f"Syntax error (at index {pos + len(part)})")
        keys.append((name, desc))
        pos += len(part) + 1
    return keys


def _sort_value(value: Any, ftype: str) -> tuple[int, Any]:
    if value is None:
        return (0, 0)  # nulls first when ascending, like .NET's comparer
    if ftype == D:
        return (1, _parse_date_value(value) or 0.0)
    if ftype == S:
        return (1, (str(value).casefold(), str(value)))
    if ftype == G:
        return (1, str(value).lower())
    if ftype == B:
        return (1, bool(value))
    return (1, value)


def _record_sort_key(name: str, ftype: str, record: dict[str, Any]) -> tuple[int, Any]:
    return _sort_value(record.get(name), ftype)


#: fields an ``order`` may name whose value never changes once the record exists
IMMUTABLE_ORDER_FIELDS = frozenset({"ContactID", "InvoiceID", "ItemID", "CreditNoteID"})


def apply_order(
    records: list[dict[str, Any]], keys: list[tuple[str, bool]], type_name: str
) -> list[dict[str, Any]]:
    fields = TYPE_FIELDS[type_name]
    out = list(records)
    for name, desc in reversed(keys):  # stable multi-key sort
        ftype = fields[name]
        out.sort(key=functools.partial(_record_sort_key, name, ftype), reverse=desc)
    return out


# =========================================================================== rate limits
@dataclass
class _Window:
    start: float | None = None
    count: int = 0

    def roll(self, now: float, length: float) -> None:
        if self.start is None or now >= self.start + length:
            self.start, self.count = None, 0

    def remaining(self, limit: int) -> int:
        return max(0, limit - self.count)

    def retry_after(self, now: float, length: float) -> int:
        if self.start is None:
            return 0
        return max(1, math.ceil(self.start + length - now))

    def hit(self, now: float) -> None:
        if self.start is None:
            self.start = now  # a fixed window starts at its first call
        self.count += 1


@dataclass
class _TenantLimits:
    minute: _Window = field(default_factory=_Window)
    day: _Window = field(default_factory=_Window)
    inflight: int = 0


@dataclass
class _Admission:
    ok: bool
    headers: dict[str, str]
    problem: str | None = None
    retry_after: int | None = None


class RateLimiter:
    """Xero's per-connection limits (references §5.1) on the injected clock.

    Fixed windows starting at the first call of the window; a call rejected with 429 is not
    counted. The concurrent limit is an in-flight count (no Retry-After: Xero sends it only
    for the minute and day limits).

    With a ``store``, the day windows outlive the process, as Xero's count of an
    organisation's calls does: they are read from its private state (:data:`DAY_COUNTS_KEY`)
    at start, and put back in it whenever the store saves anything (no write of their own
    per call) and by :meth:`save` when the Demo Company stops. The minute, app-minute and
    concurrent windows start afresh (a restart outlasts them).
    """

    DAY_S = 86400

    def __init__(self, clock: Clock, config: XeroConfig, store: CompanyStore | None = None) -> None:
        self.clock = clock
        self.config = config
        self.store = store
        self._lock = threading.Lock()
        self._tenants: dict[str, _TenantLimits] = {}
        self._app_minute = _Window()
        self._day_changed = False  # a day count moved since it was last put in the store
        if store is not None:
            with store.lock:
                self._load_day_counts(store.private.get(DAY_COUNTS_KEY))
                store.private_sources.append(self._put_day_counts)

    def _load_day_counts(self, saved: Any) -> None:
        """The day windows an earlier run saved; one that is over (or that starts after now:
        the clock was put back) or unreadable is not kept: that organisation starts afresh."""
        if not isinstance(saved, dict):
            return
        now = self.clock.now()
        for tenant, window in saved.items():
            if not isinstance(window, dict):
                continue
            start, count = window.get("start"), window.get("count")
            if (
                isinstance(start, (int, float))
                and not isinstance(start, bool)
                and isinstance(count, int)
                and not isinstance(count, bool)
                and count > 0
                and start <= now < start + self.DAY_S
            ):
                self._tenants[str(tenant)] = _TenantLimits(day=_Window(float(start), count))

    def _put_day_counts(self) -> bool:
        """Put the day windows in the store's private state (the store calls this when it
        saves, under its lock); True when they changed since the last time."""
        assert self.store is not None
        with self._lock:
            if not self._day_changed:
                return False
            self._day_changed = False
            now = self.clock.now()
            self.store.private[DAY_COUNTS_KEY] = {
                tenant: {"start": t.day.start, "count": t.day.count}
                for tenant, t in self._tenants.items()
                if t.day.start is not None and now < t.day.start + self.DAY_S
            }
            return True

    def save(self) -> None:
        """Write the day windows if calls were made since they were last written (the Demo
        Company is stopping)."""
        if self.store is None:
            return
        with self._lock:
            changed = self._day_changed
        if changed:
            self.store.save("private")

    def _headers(self, t: _TenantLimits) -> dict[str, str]:
        c = self.config
        return {
            "X-MinLimit-Remaining": str(t.minute.remaining(c.minute_limit)),
            "X-DayLimit-Remaining": str(t.day.remaining(c.day_limit)),
            "X-AppMinLimit-Remaining": str(self._app_minute.remaining(c.app_minute_limit)),
        }

    def admit(self, tenant: str) -> _Admission:
        c = self.config
        with self._lock:
            now = self.clock.now()
            t = self._tenants.setdefault(tenant, _TenantLimits())
            t.minute.roll(now, 60)
            t.day.roll(now, self.DAY_S)
            self._app_minute.roll(now, 60)
            if t.inflight >= c.concurrent_limit:
                return _Admission(False, self._headers(t), "concurrent")
            if t.day.count >= c.day_limit:
                return _Admission(
                    False, self._headers(t), "day", t.day.retry_after(now, self.DAY_S)
                )
            if t.minute.count >= c.minute_limit:
                return _Admission(False, self._headers(t), "minute", t.minute.retry_after(now, 60))
            if self._app_minute.count >= c.app_minute_limit:
                return _Admission(
                    False, self._headers(t), "appminute", self._app_minute.retry_after(now, 60)
                )
            t.minute.hit(now)
            t.day.hit(now)
            self._day_changed = True
            self._app_minute.hit(now)
            t.inflight += 1
            return _Admission(True, self._headers(t))

    def release(self, tenant: str) -> None:
        with self._lock:
            t = self._tenants.get(tenant)
            if t and t.inflight > 0:
                t.inflight -= 1


# =========================================================================== helpers
class _BadRequest(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("bad request")
        self.response = response


def _arg_ci(request: Request, name: str) -> str | None:
    """Query parameters are matched case-insensitively (ASP.NET model binding)."""
    if name in request.args:
        return request.args.get(name)
    lname = name.lower()
    for key in request.args:
        if key.lower() == lname:
            return request.args.get(key)
    return None


def _seconds(ts: float) -> int:
    return math.floor(ts)


def _since(request: Request) -> float | None:
    raw = request.headers.get("If-Modified-Since")
    if not raw:
        return None
    return parse_http_date_or_iso(raw)


def _unit_dp(request: Request) -> int:
    """The decimal places of invoice and item unit amounts: "By default UnitPrice is rounded
    to two decimal places. You can use 4 decimal places by adding the unitdp=4 querystring
    parameter to your request" (spec UnitPrice/UnitAmount); any other value is the default."""
    return 4 if (_arg_ci(request, "unitdp") or "").strip() == "4" else 2


def _invoice_view(invoice: dict[str, Any], dp: int) -> dict[str, Any]:
    """``invoice`` as an answer shows it: its lines' UnitAmount to ``dp`` decimal places
    (the stored amounts keep four; LineAmount, worked out when written, is not touched)."""
    lines = invoice.get("LineItems")
    if dp == 4 or not isinstance(lines, list):
        return invoice
    out = dict(invoice)
    out["LineItems"] = [
        {**line, "UnitAmount": round(float(line["UnitAmount"]), dp)}
        if isinstance(line, dict)
        and isinstance(line.get("UnitAmount"), (int, float))
        and not isinstance(line.get("UnitAmount"), bool)
        else line
        for line in lines
    ]
    return out


_QUANTITY_STEP = Decimal("0.0001")  # Xero keeps quantities to 4 decimal places


def _line_amounts(
    line: dict[str, Any], dp: int, *, check: bool = False
) -> tuple[float, float, float, str | None]:
    """A written line's Quantity, UnitAmount and LineAmount, and (``check``) why its stated
    LineAmount is refused. ``dp``: the decimals its unit amount is rounded to first ("By
    default UnitPrice is rounded to two decimal places" (spec): without unitdp=4 a stated
    12.34567 is 12.35, and the line amount follows from it).

    Spec ``LineItem.LineAmount``: "If you wish to omit either the Quantity or UnitAmount you
    can provide a LineAmount and Xero will calculate the missing amount for you. ...
    LineAmount = Quantity * Unit Amount * ((100 - DiscountRate)/100)". A line giving all three
    must agree to the cent (amounts rounded half away from zero, as Xero rounds): Xero
    refuses one that does not with "The line total 1.00 does not match the expected line
    total 0.00" (its words, Xero-NetStandard#74 and #147)."""

    def dec(value: Any) -> Decimal:
        return Decimal(str(value))

    keep = (Decimal(100) - dec(line.get("DiscountRate") or 0)) / 100
    qty_v, unit_v, line_v = line.get("Quantity"), line.get("UnitAmount"), line.get("LineAmount")
    if line_v is not None and unit_v is None:  # UnitAmount omitted: LineAmount gives it
        qty = dec(qty_v or 0).quantize(_QUANTITY_STEP, ROUND_HALF_UP)
        total = money(dec(line_v))
        unit = dec(round(float(total / (qty * keep)), dp)) if qty and keep else total
        return float(qty), float(unit), float(total), None
    unit = dec(round(float(unit_v or 0), dp))
    if line_v is not None and qty_v is None and unit and keep:  # Quantity omitted
        total = money(dec(line_v))
        qty = (total / (unit * keep)).quantize(_QUANTITY_STEP, ROUND_HALF_UP)
        return float(qty), float(unit), float(total), None
    qty = dec(qty_v if qty_v is not None else (1 if unit_v is not None else 0))
    qty = qty.quantize(_QUANTITY_STEP, ROUND_HALF_UP)
    total = money(qty * unit * keep)
    error = None
    if check and line_v is not None and money(dec(line_v)) != total:
        error = (
            f"The line total {money(dec(line_v))} does not match the expected line total {total}"
        )
    return float(qty), float(unit), float(total), error


def _modified_after(obj: dict[str, Any], since: float | None, key: str = "UpdatedDateUTC") -> bool:
    """If-Modified-Since: "only items created or updated since the specified timestamp will
    be returned (accurate to the second)" (references §1) -> compared at whole seconds, and
    strictly after: a record updated in the same second as the header is not returned."""
    if since is None:
        return True
    updated = _parse_date_value(obj.get(key))
    if updated is None:
        return False
    return _seconds(updated) > _seconds(since)


def _org_version(org: dict[str, Any]) -> str:
    return str(org.get("Organisation", {}).get("Version", "")).upper()


def _region(org: dict[str, Any]) -> str | None:
    """Which payroll API the organisation has (references §4.1, §7)."""
    version = _org_version(org)
    if "payroll" not in org:
        return None
    if version in ("AU", "NZ", "UK"):
        return version
    return None  # US (Gusto), GLOBAL and the *ONRAMP variants have no payroll API


def _fmt_date_only(d: date) -> str:
    return ms_date(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


# An organisation's settings (core.sandbox.xero_settings): the ones its company file lists,
# else those every organisation of its version starts with (a company file from before they
# were listed, a test's organisation), never none.
# A company file that lists none also names tax types and account codes on its own items:
# those are the organisation's (its items could not carry them otherwise), so they are
# added to the defaults, usable (a code the defaults do not know: a 0% rate of that name).
def _named_by_items(org: dict[str, Any], field: str) -> list[str]:
    out: list[str] = []
    for item in org.get("Items") or []:
        for details in ("SalesDetails", "PurchaseDetails"):
            value = ((item or {}).get(details) or {}).get(field)
            if isinstance(value, str) and value and value not in out:
                out.append(value)
    return out


def _org_tax_rates(org: dict[str, Any]) -> list[dict[str, Any]]:
    rates = org.get("TaxRates")
    if isinstance(rates, list):
        return rates
    out = default_tax_rates(_org_version(org))
    known = {r["TaxType"]: i for i, r in enumerate(out)}
    named = _named_by_items(org, "TaxType")
    accounts = org.get("Accounts")
    for account in accounts if isinstance(accounts, list) else []:
        code = (account or {}).get("TaxType")
        if isinstance(code, str) and code and code not in named:
            named.append(code)
    for code in named:
        if code in known:
            if out[known[code]]["Status"] != "ACTIVE":
                out[known[code]] = {**out[known[code]], "Status": "ACTIVE"}
            continue
        implied = {**out[0], "Name": code, "TaxType": code, "ReportTaxType": code}
        implied.update(
            {flag: True for flag in CLASS_FLAG.values()},
            DisplayTaxRate=0.0,
            EffectiveRate=0.0,
            Status="ACTIVE",
            TaxComponents=[],
        )
        out.append(implied)
    return out


def _org_accounts(org: dict[str, Any]) -> list[dict[str, Any]]:
    accounts = org.get("Accounts")
    if isinstance(accounts, list):
        return accounts
    details = org.get("Organisation") or {}
    version, tenant = _org_version(org), str(org.get("tenantId", ""))
    out = default_accounts(version, tenant, str(details.get("CreatedDateUTC") or ""))
    codes = {a["Code"] for a in out}
    sales = next((a for a in out if a["Code"] == "200"), out[0])
    for code in _named_by_items(org, "AccountCode"):
        if code not in codes:
            codes.add(code)
            out.append(
                {
                    **sales,
                    "AccountID": str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"xero:{tenant}:account:{code}")
                    ),
                    "Code": code,
                    "Name": code,
                }
            )
    return out


def _base_currency(org: dict[str, Any]) -> str:
    return str((org.get("Organisation") or {}).get("BaseCurrency") or "")


def _org_currencies(org: dict[str, Any]) -> list[dict[str, Any]]:
    """The base currency first, then the ones the organisation enabled."""
    base = _base_currency(org)
    listed = org.get("Currencies")
    out = [currency(base)] if base else []
    for cur in listed if isinstance(listed, list) else []:
        if isinstance(cur, dict) and cur.get("Code") and cur.get("Code") != base:
            out.append(cur)
    return out


# Contacts summaryOnly: "returns only lightweight fields, excluding computation-heavy fields"
# (spec parameter text). Xero does not publish the field list in anything we could read; the
# spec says SalesDefaultLineAmountType/PurchasesDefaultLineAmountType "are available when
# summaryOnly ... is used". Chosen: the scalar identity/status fields stay, every nested
# collection and computed block (Addresses, Phones, ContactGroups, ContactPersons, Balances,
# PaymentTerms, BatchPayments, BrandingTheme, tracking defaults, Attachments...) is dropped.
SUMMARY_CONTACT_FIELDS = (
    "ContactID",
    "MergedToContactID",
    "ContactNumber",
    "AccountNumber",
    "ContactStatus",
    "Name",
    "FirstName",
    "LastName",
    "CompanyNumber",
    "EmailAddress",
    "BankAccountDetails",
    "TaxNumber",
    "TaxNumberType",
    "AccountsReceivableTaxType",
    "AccountsPayableTaxType",
    "IsSupplier",
    "IsCustomer",
    "SalesDefaultLineAmountType",
    "PurchasesDefaultLineAmountType",
    "DefaultCurrency",
    "UpdatedDateUTC",
    "HasAttachments",
    "HasValidationErrors",
)
# Spec Contact: these are "only returned when using paging or when fetching a contact by
# ContactId or ContactNumber" (MergedToContactID; the *DefaultLineAmountType pair also with
# summaryOnly); unpaged lists return ContactPersons and the tracking defaults empty
# (Xero-Java#245, #298: "getContacts does not return all the details ... try passing page").
PAGED_ONLY_CONTACT_FIELDS = (
    "MergedToContactID",
    "SalesDefaultLineAmountType",
    "PurchasesDefaultLineAmountType",
)
LIST_EMPTIED_CONTACT_FIELDS = (
    "ContactPersons",
    "SalesTrackingCategories",
    "PurchasesTrackingCategories",
)
# AU GET /Employees "will return a summarised list" (Xero docs, payroll-api/employees); the
# fields are those of the spec's list example and of the summary model integrators expose.
AU_EMPLOYEE_SUMMARY_FIELDS = (
    "EmployeeID",
    "FirstName",
    "MiddleNames",
    "LastName",
    "Status",
    "Email",
    "DateOfBirth",
    "Gender",
    "Phone",
    "Mobile",
    "StartDate",
    "TerminationDate",
    "EmployeeGroupName",
    "OrdinaryEarningsRateID",
    "PayrollCalendarID",
    "UpdatedDateUTC",
    "IsSTP2Qualified",
)


# =========================================================================== the API
class XeroApi:
    def __init__(
        self,
        store: CompanyStore,
        clock: Clock,
        config: XeroConfig,
        check_access: Callable[[Request], Any],
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.check_access = check_access
        self.limiter = RateLimiter(clock, config, store)
        #: the last ordering by an identifier (type, keys) -> (the rows given, the rows in order)
        self._orders: dict[Any, tuple[tuple[int, ...], list[dict[str, Any]]]] = {}
        self._shift_demo_dates()

    def _ordered(
        self, rows: list[dict[str, Any]], keys: list[tuple[str, bool]], type_name: str
    ) -> list[dict[str, Any]]:
        """:func:`apply_order`, remembered when every key is an identifier (never changed
        once given, e.g. ``order=ContactID``): paging 100,000 contacts by 1,000 sorts them
        once, not once a page. The same rows (the very same objects, in the same order) give
        the same order; anything else is sorted again."""
        if not all(name in IMMUTABLE_ORDER_FIELDS for name, _desc in keys):
            return apply_order(rows, keys, type_name)
        given = tuple(map(id, rows))
        key = (type_name, tuple(keys))
        cached = self._orders.get(key)
        if cached is not None and cached[0] == given:
            return list(cached[1])
        out = apply_order(rows, keys, type_name)
        self._orders[key] = (given, out)
        return list(out)

    def _shift_demo_dates(self) -> None:
        """Move the Demo Company's payroll timesheets and leave as its QB Time hours move.

        The company file asks for moved dates with ``qbtime.demo_shift_days`` (null: not
        moved yet; see core.sandbox.qbtime); a new state moves Xero's payroll records by
        the same :func:`demo_shift_days` once, and remembers it in the private state.
        """
        with self.store.lock:
            if DEMO_SHIFT_KEY in self.store.private:
                return
            qbtime = self.store.data.get("qbtime") or {}
            if "demo_shift_days" not in qbtime:
                return  # not a company file with hours to move
            marker = qbtime["demo_shift_days"]
            days = marker if isinstance(marker, int) else demo_shift_days(self.clock.now())
            for org in self.store.xero_orgs:
                shift_payroll_dates(org, days)
            self.store.private[DEMO_SHIFT_KEY] = days
            self.store.save("xero", "private")

    # ------------------------------------------------------------------ entry point
    def handle(self, request: Request) -> Response | None:
        path = request.path
        lpath = path.lower()
        if not (
            lpath == ACCOUNTING_PREFIX.lower()
            or lpath.startswith(ACCOUNTING_PREFIX.lower() + "/")
            or lpath.startswith(PAYROLL_PREFIX)
        ):
            return None
        access = self.check_access(request)
        if not access.ok:
            return access.error
        tenant = (request.headers.get("xero-tenant-id") or "").strip()
        live = {t.lower(): t for t in access.tenant_ids}
        if not tenant or tenant.lower() not in live:
            return _forbidden()
        tenant = live[tenant.lower()]
        if self.store.xero_org(tenant) is None:
            return _forbidden()
        admission = self.limiter.admit(tenant)
        if not admission.ok:
            resp = _problem(429, "Too Many Requests", "TooManyRequests")
            resp.headers["X-Rate-Limit-Problem"] = admission.problem or "minute"
            if admission.retry_after is not None and admission.problem in ("minute", "day"):
                resp.headers["Retry-After"] = str(admission.retry_after)
            for k, v in admission.headers.items():
                resp.headers[k] = v
            return resp
        try:
            try:
                resp = self._dispatch(request, tenant, access)
            except _BadRequest as exc:
                resp = exc.response
        finally:
            self.limiter.release(tenant)
        for k, v in admission.headers.items():
            resp.headers[k] = v
        return resp

    def _dispatch(self, request: Request, tenant: str, access: Any) -> Response:
        path = request.path
        lpath = path.lower()
        if lpath.startswith(ACCOUNTING_PREFIX.lower()):
            return self._accounting(request, tenant, access, path[len(ACCOUNTING_PREFIX) :])
        rest = path[len(PAYROLL_PREFIX) :]
        version, _, sub = rest.partition("/")
        return self._payroll(request, tenant, access, version, "/" + sub)

    # ------------------------------------------------------------------ common
    def _envelope(self) -> dict[str, Any]:
        now = self.clock.now()
        return {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": PROVIDER_NAME,
            "DateTimeUTC": f"/Date({round(now * 1000)})/",
        }

    def _envelope2(self) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "providerName": PROVIDER_NAME,
            "dateTimeUTC": iso_utc(self.clock.now(), fraction=True),
            "httpStatusCode": "OK",
        }

    def _query_error(self, request: Request, exc: QueryParseError) -> Response:
        return _pascal_response(request, _api_exception(16, "QueryParseException", str(exc)), 400)

    def _null_reference(self, request: Request) -> Response:
        return _pascal_response(
            request, _api_exception(500, "UnknownErrorException", UNKNOWN_ERROR_MESSAGE), 500
        )

    def _validation(
        self, request: Request, message: str, elements: list[dict[str, Any]] | None = None
    ) -> Response:
        return _pascal_response(
            request, _api_exception(10, "ValidationException", message, elements=elements), 400
        )

    @staticmethod
    def _has_scope(access: Any, needed: frozenset[str]) -> bool:
        return bool(set(access.scopes) & needed)

    def _int_param(self, request: Request, name: str, bad: Callable[[str], Response]) -> int | None:
        raw = _arg_ci(request, name)
        if raw is None or raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            raise _BadRequest(bad(f"The value '{raw}' is not valid for {name}.")) from None
        if value < 1:
            raise _BadRequest(bad(f"The value '{raw}' is not valid for {name}."))
        return value

    # ------------------------------------------------------------------ accounting
    def _accounting(self, request: Request, tenant: str, access: Any, sub: str) -> Response:
        parts = [p for p in sub.split("/") if p]
        if not parts:
            return _not_found()
        resource = parts[0].lower()
        method = request.method.upper()
        routes: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
            # resource: (read scopes, write scopes, allowed methods)
            "organisation": (SCOPES_SETTINGS_READ, frozenset(), "GET"),
            "contacts": (SCOPES_CONTACTS_READ, frozenset(), "GET"),
            "items": (SCOPES_ITEMS_READ, frozenset(), "GET"),
            "trackingcategories": (SCOPES_SETTINGS_READ, frozenset(), "GET"),
            "taxrates": (SCOPES_SETTINGS_READ, frozenset(), "GET"),
            "currencies": (SCOPES_SETTINGS_READ, frozenset(), "GET"),
            "accounts": (SCOPES_SETTINGS_READ, frozenset(), "GET"),
            "invoices": (SCOPES_INVOICES_READ, SCOPES_INVOICES_WRITE, "GET, PUT, POST"),
        }
        if resource not in routes or len(parts) > 2:
            return _not_found()
        read_scopes, write_scopes, allowed = routes[resource]
        if method not in [m.strip() for m in allowed.split(",")]:
            return _method_not_allowed(allowed)
        needed = write_scopes if method in ("PUT", "POST") else read_scopes
        if not self._has_scope(access, needed):
            return _missing_scope()
        ident = parts[1] if len(parts) == 2 else None
        if resource == "organisation":
            if ident is not None:
                return _not_found()
            return self._get_organisation(request, tenant)
        if resource == "contacts":
            return self._get_contacts(request, tenant, ident)
        if resource == "items":
            return self._get_items(request, tenant, ident)
        if resource == "trackingcategories":
            return self._get_tracking_categories(request, tenant, ident)
        if resource in ("taxrates", "currencies", "accounts"):
            return self._get_settings(request, tenant, resource, ident)
        if method == "GET":
            return self._get_invoices(request, tenant, ident, access)
        if ident is not None:
            return _not_found()
        return self._write_invoices(request, tenant, access, create_only=(method == "PUT"))

    def _get_organisation(self, request: Request, tenant: str) -> Response:
        with self.store.lock:
            details = copy.deepcopy((self.store.xero_org(tenant) or {}).get("Organisation", {}))
        payload = self._envelope()
        payload["Organisations"] = [details]
        return _pascal_response(request, payload)

    # -- contacts
    def _get_contacts(self, request: Request, tenant: str, ident: str | None) -> Response:
        # Under the lock throughout: the contacts are read where they are stored and only
        # the ones answered are copied (one level: answers drop or empty top-level fields;
        # writes only set top-level fields). Copying all of them for each page cost ~1.5 s
        # a page at 100,000 contacts.
        with self.store.lock:
            return self._get_contacts_locked(request, tenant, ident)

    def _get_contacts_locked(self, request: Request, tenant: str, ident: str | None) -> Response:
        org = self.store.xero_org(tenant) or {}
        contacts = list(org.get("Contacts", []))
        if ident is not None:
            # GET /Contacts/{ContactID} and GET /Contacts/{ContactNumber} (spec): full detail,
            # archived included.
            if GUID_RE.match(ident):
                found = [
                    c for c in contacts if str(c.get("ContactID", "")).lower() == ident.lower()
                ]
            else:
                found = [c for c in contacts if c.get("ContactNumber") == ident]
            if not found:
                return _not_found()
            payload = self._envelope()
            payload["Contacts"] = [dict(c) for c in found[:1]]
            return _pascal_response(request, payload)

        high_volume = len(contacts) > self.config.high_volume_threshold
        page = self._int_param(request, "page", lambda m: self._validation(request, m))
        page_size = self._int_param(request, "pageSize", lambda m: self._validation(request, m))
        where = _arg_ci(request, "where")
        order = _arg_ci(request, "order")
        ids_raw = _arg_ci(request, "IDs")
        search = _arg_ci(request, "searchTerm")
        summary = (_arg_ci(request, "summaryOnly") or "").lower() == "true"
        include_archived = (_arg_ci(request, "includeArchived") or "").lower() == "true"
        since = _since(request)

        predicate = None
        try:
            if where is not None and where.strip():
                predicate, used = compile_where(where, "Contact")
                if high_volume and not used <= HIGH_VOLUME_WHERE_FIELDS:
                    return self._high_volume(request)
            order_keys = compile_order(order, "Contact") if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        if high_volume and any(k not in HIGH_VOLUME_ORDER_FIELDS for k, _ in order_keys):
            return self._high_volume(request)
        if high_volume and page is None:
            # High-volume organisations must page: "Don't request all ... in a single request
            # (i.e. you must use paging)" (Xero's high-volume threshold notice, quoted in
            # XeroAPI/xero-php-oauth2-app#31).
            return self._high_volume(request)

        ids: set[str] | None = None
        if ids_raw is not None and ids_raw.strip():
            raw_ids = [p.strip().strip('"') for p in ids_raw.split(",") if p.strip()]
            if len(raw_ids) > MAX_IDS:
                return _not_found()
            for rid in raw_ids:
                if not GUID_RE.match(rid):
                    return self._validation(request, f"'{rid}' is not a valid Guid for IDs.")
            ids = {r.lower() for r in raw_ids}

        # ARCHIVED contacts are excluded unless includeArchived=true (spec parameter text).
        selected = [c for c in contacts if include_archived or c.get("ContactStatus") != "ARCHIVED"]
        if ids is not None:
            selected = [c for c in selected if str(c.get("ContactID", "")).lower() in ids]
        if since is not None:
            selected = [c for c in selected if _modified_after(c, since)]
        if search:
            needle = search.casefold()
            selected = [
                c
                for c in selected
                if any(
                    needle in str(c.get(f) or "").casefold()
                    for f in ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
                )
            ]
        if predicate is not None:
            try:
                selected = [c for c in selected if predicate(c)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            selected = self._ordered(selected, order_keys, "Contact")

        payload = self._envelope()
        if page is not None:
            # `page` pages by pageSize (default 100). pageSize above the maximum (1000,
            # Xero's July 2024 announcement quoted in calcinai/xero-php#915) is clamped; what
            # the real API does above the cap is not documented. The pagination block always
            # reports the page size actually used, so a client can see the clamp.
            size = min(page_size or DEFAULT_PAGE_SIZE, self.config.max_page_size)
            total = len(selected)
            chunk = selected[(page - 1) * size : page * size]
            payload["pagination"] = {
                "page": page,
                "pageSize": size,
                "pageCount": math.ceil(total / size) if total else 0,
                "itemCount": total,
            }
        else:
            # Without `page` the whole (filtered) list comes back in one answer (older Xero
            # docs; pyxero's README: "If a query might return more than 100 results, you
            # should make use of the page parameter"), but high-volume orgs get
            # HighVolumeException above. `pageSize` without `page` is ignored.
            chunk = selected
        out = []
        for c in chunk:
            c = dict(c)
            if summary:
                c = {k: c[k] for k in SUMMARY_CONTACT_FIELDS if k in c}
                if page is None:
                    c.pop("MergedToContactID", None)
            elif page is None:
                for k in PAGED_ONLY_CONTACT_FIELDS:
                    c.pop(k, None)
                for k in LIST_EMPTIED_CONTACT_FIELDS:
                    if k in c:
                        c[k] = []
            out.append(c)
        payload["Contacts"] = out
        return _pascal_response(request, payload)

    def _high_volume(self, request: Request) -> Response:
        return _pascal_response(
            request, _api_exception(51, "HighVolumeException", HIGH_VOLUME_MESSAGE), 400
        )

    # -- items
    def _get_items(self, request: Request, tenant: str, ident: str | None) -> Response:
        with self.store.lock:
            items = copy.deepcopy((self.store.xero_org(tenant) or {}).get("Items", []))
        dp = _unit_dp(request)

        def rounded(item: dict[str, Any]) -> dict[str, Any]:
            # "By default UnitPrice is rounded to two decimal places. You can use 4 decimal
            # places by adding the unitdp=4 querystring parameter" (spec Purchase.UnitPrice).
            for key in ("SalesDetails", "PurchaseDetails"):
                det = item.get(key)
                if isinstance(det, dict) and isinstance(det.get("UnitPrice"), (int, float)):
                    det["UnitPrice"] = round(float(det["UnitPrice"]), dp)
            return item

        if ident is not None:
            found = [
                i
                for i in items
                if str(i.get("ItemID", "")).lower() == ident.lower()
                or (not GUID_RE.match(ident) and i.get("Code") == ident)
            ]
            if not found:
                return _not_found()
            payload = self._envelope()
            payload["Items"] = [rounded(found[0])]
            return _pascal_response(request, payload)
        where = _arg_ci(request, "where")
        order = _arg_ci(request, "order")
        since = _since(request)
        try:
            predicate = compile_where(where, "Item")[0] if where and where.strip() else None
            order_keys = compile_order(order, "Item") if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        selected = [i for i in items if _modified_after(i, since)]
        if predicate is not None:
            try:
                selected = [i for i in selected if predicate(i)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            selected = apply_order(selected, order_keys, "Item")
        # Items are not paged: no page/pageSize in the spec, one call returns every item.
        payload = self._envelope()
        payload["Items"] = [rounded(i) for i in selected]
        return _pascal_response(request, payload)

    # -- tracking categories
    def _get_tracking_categories(
        self, request: Request, tenant: str, ident: str | None
    ) -> Response:
        with self.store.lock:
            cats = copy.deepcopy((self.store.xero_org(tenant) or {}).get("TrackingCategories", []))
        include_archived = (_arg_ci(request, "includeArchived") or "").lower() == "true"

        def visible(status: Any) -> bool:
            # DELETED is never listed; ARCHIVED categories *and options* only with
            # includeArchived=true (spec parameter text).
            if status == "DELETED":
                return False
            return include_archived or status != "ARCHIVED"

        def trim(cat: dict[str, Any]) -> dict[str, Any]:
            cat["Options"] = [o for o in cat.get("Options", []) if visible(o.get("Status"))]
            return cat

        if ident is not None:
            # By id, any status comes back (the spec's example for this call is a DELETED
            # category); options follow the same includeArchived rule as the list.
            found = [
                c for c in cats if str(c.get("TrackingCategoryID", "")).lower() == ident.lower()
            ]
            if not found:
                return _not_found()
            payload = self._envelope()
            payload["TrackingCategories"] = [trim(found[0])]
            return _pascal_response(request, payload)
        where = _arg_ci(request, "where")
        order = _arg_ci(request, "order")
        try:
            predicate = (
                compile_where(where, "TrackingCategory")[0] if where and where.strip() else None
            )
            order_keys = compile_order(order, "TrackingCategory") if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        # If-Modified-Since is not a parameter of GET /TrackingCategories (spec): ignored.
        selected = [c for c in cats if visible(c.get("Status"))]
        if predicate is not None:
            try:
                selected = [c for c in selected if predicate(c)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            selected = apply_order(selected, order_keys, "TrackingCategory")
        payload = self._envelope()
        payload["TrackingCategories"] = [trim(c) for c in selected]
        return _pascal_response(request, payload)

    # -- tax rates, currencies, accounts
    def _get_settings(
        self, request: Request, tenant: str, resource: str, ident: str | None
    ) -> Response:
        """GET /TaxRates[/{TaxType}], /Currencies, /Accounts[/{AccountID}] (spec getTaxRates,
        getTaxRateByTaxType, getCurrencies, getAccounts, getAccount): where and order, no
        paging, If-Modified-Since on the accounts list; every status is listed (a client
        filters with where, e.g. Status=="ACTIVE", the spec's own example)."""
        with self.store.lock:
            org = self.store.xero_org(tenant) or {}
            rows = copy.deepcopy(
                {
                    "taxrates": _org_tax_rates,
                    "currencies": _org_currencies,
                    "accounts": _org_accounts,
                }[resource](org)
            )
        key, type_name, id_field = {
            "taxrates": ("TaxRates", "TaxRate", "TaxType"),
            "currencies": ("Currencies", "Currency", None),
            "accounts": ("Accounts", "Account", "AccountID"),
        }[resource]
        if ident is not None:
            if id_field is None:
                return _not_found()
            found = [r for r in rows if str(r.get(id_field, "")).lower() == ident.lower()]
            if not found:
                return _not_found()
            payload = self._envelope()
            payload[key] = found[:1]
            return _pascal_response(request, payload)
        where = _arg_ci(request, "where")
        order = _arg_ci(request, "order")
        try:
            predicate = compile_where(where, type_name)[0] if where and where.strip() else None
            order_keys = compile_order(order, type_name) if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        if resource == "accounts":
            # If-Modified-Since: on GET /Accounts only of the three (spec getAccounts; not
            # on getTaxRates or getCurrencies)
            since = _since(request)
            rows = [r for r in rows if _modified_after(r, since)]
        if predicate is not None:
            try:
                rows = [r for r in rows if predicate(r)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            rows = apply_order(rows, order_keys, type_name)
        payload = self._envelope()
        payload[key] = rows
        return _pascal_response(request, payload)

    # ------------------------------------------------------------------ invoices
    def _guid_list(self, request: Request, name: str) -> set[str] | Response | None:
        raw = _arg_ci(request, name)
        if raw is None or not raw.strip():
            return None
        values = [p.strip().strip('"') for p in raw.split(",") if p.strip()]
        if len(values) > MAX_IDS:
            return _not_found()  # the gateway's URL-length limit (see MAX_IDS)
        for value in values:
            if not GUID_RE.match(value):
                return self._validation(request, f"'{value}' is not a valid Guid for {name}.")
        return {v.lower() for v in values}

    def _get_invoices(
        self, request: Request, tenant: str, ident: str | None, access: Any
    ) -> Response:
        """GET /Invoices (spec getInvoices): If-Modified-Since, IDs, InvoiceNumbers,
        ContactIDs, Statuses, where, order, page/pageSize, includeArchived, summaryOnly,
        unitdp, searchTerm, createdByMyApp."""
        dp = _unit_dp(request)
        mine_only = ident is None and (_arg_ci(request, "createdByMyApp") or "").lower() == "true"
        with self.store.lock:
            invoices = [dict(i) for i in (self.store.xero_org(tenant) or {}).get("Invoices", [])]
            creators = dict(self._invoice_creators(tenant, create=False)) if mine_only else {}
        if ident is not None:
            found = [
                i
                for i in invoices
                if str(i.get("InvoiceID", "")).lower() == ident.lower()
                or (not GUID_RE.match(ident) and i.get("InvoiceNumber") == ident)
            ]
            if not found:
                return _not_found()
            payload = self._envelope()
            payload["Invoices"] = [_invoice_view(found[0], dp)]
            return _pascal_response(request, payload)
        high_volume = len(invoices) > self.config.high_volume_threshold
        page = self._int_param(request, "page", lambda m: self._validation(request, m))
        page_size = self._int_param(request, "pageSize", lambda m: self._validation(request, m))
        where = _arg_ci(request, "where")
        order = _arg_ci(request, "order")
        summary = (_arg_ci(request, "summaryOnly") or "").lower() == "true"
        include_archived = (_arg_ci(request, "includeArchived") or "").lower() == "true"
        search = (_arg_ci(request, "searchTerm") or "").strip()
        since = _since(request)
        ids = self._guid_list(request, "IDs")
        if isinstance(ids, Response):
            return ids
        contact_ids = self._guid_list(request, "ContactIDs")
        if isinstance(contact_ids, Response):
            return contact_ids
        statuses_raw = _arg_ci(request, "Statuses")
        statuses: set[str] | None = None
        if statuses_raw is not None and statuses_raw.strip():
            statuses = {p.strip().strip('"').upper() for p in statuses_raw.split(",") if p.strip()}
            unknown = sorted(statuses - set(INVOICE_STATUSES))
            if unknown:
                return self._validation(
                    request, f"'{unknown[0]}' is not a valid value for Statuses."
                )
        numbers_raw = _arg_ci(request, "InvoiceNumbers")
        numbers = (
            {p.strip().strip('"') for p in numbers_raw.split(",") if p.strip()}
            if numbers_raw and numbers_raw.strip()
            else None
        )
        predicate = None
        try:
            if where is not None and where.strip():
                predicate, used = compile_where(where, "Invoice")
                if high_volume and not used <= HIGH_VOLUME_INVOICE_WHERE_FIELDS:
                    return self._high_volume(request)
            order_keys = compile_order(order, "Invoice") if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        if high_volume and page is None:
            return self._high_volume(request)
        selected = [i for i in invoices if include_archived or i.get("Status") != "ARCHIVED"]
        if ids is not None:
            selected = [i for i in selected if str(i.get("InvoiceID", "")).lower() in ids]
        if contact_ids is not None:
            selected = [
                i
                for i in selected
                if str((i.get("Contact") or {}).get("ContactID", "")).lower() in contact_ids
            ]
        if statuses is not None:
            selected = [i for i in selected if i.get("Status") in statuses]
        if numbers is not None:
            selected = [i for i in selected if i.get("InvoiceNumber") in numbers]
        if since is not None:
            selected = [i for i in selected if _modified_after(i, since)]
        if mine_only:
            # "When set to true you'll only retrieve Invoices created by your app" (spec): the
            # app is the OAuth client the token was issued to (see _invoice_creators).
            app = getattr(access, "client_id", None)
            selected = [
                i
                for i in selected
                if app is not None and creators.get(str(i.get("InvoiceID", "")).lower()) == app
            ]
        if search:
            # "a case-insensitive text search across the fields e.g. InvoiceNumber,
            # Reference" (spec searchTerm): those two fields, a substring match.
            needle = search.casefold()
            selected = [
                i
                for i in selected
                if any(
                    needle in str(i.get(f) or "").casefold() for f in ("InvoiceNumber", "Reference")
                )
            ]
        if predicate is not None:
            try:
                selected = [i for i in selected if predicate(i)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            selected = apply_order(selected, order_keys, "Invoice")
        payload = self._envelope()
        if page is not None:
            size = min(page_size or DEFAULT_PAGE_SIZE, self.config.max_page_size)
            total = len(selected)
            chunk = selected[(page - 1) * size : page * size]
            payload["pagination"] = {
                "page": page,
                "pageSize": size,
                "pageCount": math.ceil(total / size) if total else 0,
                "itemCount": total,
            }
        else:
            chunk = selected
        out = []
        for inv in chunk:
            if summary:
                inv = {k: v for k, v in inv.items() if k not in SUMMARY_INVOICE_DROPPED}
            elif page is None:
                # Line items come back only with paging or by id (spec `page` text).
                inv.pop("LineItems", None)
            out.append(_invoice_view(inv, dp))
        payload["Invoices"] = out
        return _pascal_response(request, payload)

    def _write_invoices(
        self, request: Request, tenant: str, access: Any, *, create_only: bool
    ) -> Response:
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return Response(
                "The request is too large", status=413, content_type="text/plain; charset=utf-8"
            )
        raw = request.get_data(cache=True)
        if len(raw) > MAX_BODY_BYTES:
            return Response(
                "The request is too large", status=413, content_type="text/plain; charset=utf-8"
            )
        key = request.headers.get("Idempotency-Key")
        if key is not None and (not key.strip() or len(key) > 128):
            return self._validation(request, "Idempotency-Key must be 1 to 128 characters.")
        # summarizeErrors: the spec lists `default: false`, but Xero's behaviour (and its
        # requests-and-responses page) is the opposite: by default one invalid element fails
        # the whole batch with 400 ValidationException; summarizeErrors=false opts into 200
        # with per-element StatusAttributeString "ERROR". The stricter, documented default wins.
        summarize = (_arg_ci(request, "summarizeErrors") or "true").lower() != "false"
        fingerprint = hashlib.sha256(
            f"{request.method}\n{request.path}\n{summarize}\n".encode() + raw
        ).hexdigest()
        with self.store.lock:
            if key is not None:
                saved = self._idempotency(tenant).get(key)
                if saved is not None:
                    if saved["fingerprint"] != fingerprint:
                        # Reusing a key for a different request is refused rather than
                        # silently replayed (Xero documents only the same-request replay).
                        return self._validation(
                            request,
                            "The Idempotency-Key has already been used for a different request.",
                        )
                    return _pascal_response(request, copy.deepcopy(saved["body"]), saved["status"])
            status, body = self._apply_invoices(
                request, tenant, raw, summarize, create_only, getattr(access, "client_id", None)
            )
            if key is not None and status in (200, 400):
                self._idempotency(tenant)[key] = {
                    "fingerprint": fingerprint,
                    "status": status,
                    "body": copy.deepcopy(body),
                }
                self.store.save("xero", "private")
        return _pascal_response(request, body, status)

    def _idempotency(self, tenant: str) -> dict[str, Any]:
        return self.store.private.setdefault("xero_api_idempotency", {}).setdefault(tenant, {})

    def _invoice_creators(self, tenant: str, *, create: bool = True) -> dict[str, str]:
        """Which app created each invoice of ``tenant`` through the API: lower-case InvoiceID
        -> the OAuth client id of the token that created it (for ``createdByMyApp``). Kept in
        the private state, beside the company data, so invoices stay as Xero's GET shows them.
        An invoice not in it was not created by an app: typed in Xero (the company file, the
        demo's own edits), or created through the API before the simulator recorded the app
        (a saved state from an older version) - none of them is "created by your app"."""
        if not create:
            return (self.store.private.get(INVOICE_CREATORS_KEY) or {}).get(tenant) or {}
        return self.store.private.setdefault(INVOICE_CREATORS_KEY, {}).setdefault(tenant, {})

    def _apply_invoices(
        self,
        request: Request,
        tenant: str,
        raw: bytes,
        summarize: bool,
        create_only: bool,
        client_id: str | None,
    ) -> tuple[int, dict[str, Any]]:
        ctype = (request.mimetype or "").lower()
        if "json" not in ctype:
            # Without a JSON content type Xero reads the body as XML.
            return 400, _api_exception(
                14,
                "PostDataInvalidException",
                "The request body is not valid: expected Content-Type: application/json",
            )
        try:
            data = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return 400, _api_exception(14, "PostDataInvalidException", "Invalid Json data")
        if isinstance(data, dict) and "Invoices" in data:
            elements = data["Invoices"]
        elif isinstance(data, dict) and data:
            elements = [data]  # a single Invoice object is accepted too
        else:
            elements = None
        if (
            not isinstance(elements, list)
            or not elements
            or not all(isinstance(e, dict) for e in elements)
        ):
            return 400, _api_exception(14, "PostDataInvalidException", "No data has been received")

        org = self.store.xero_org(tenant)
        assert org is not None
        invoices: list[dict[str, Any]] = org.get("Invoices", [])
        now = self.clock.now()
        results: list[tuple[dict[str, Any], list[str], dict[str, Any] | None]] = []
        planned_numbers: set[str] = set()
        pending_contacts: dict[str, dict[str, Any]] = {}
        unit_dp = _unit_dp(request)
        for element in elements:
            errors, built = self._build_invoice(
                org,
                invoices,
                element,
                now,
                create_only,
                planned_numbers,
                pending_contacts,
                unit_dp=unit_dp,
            )
            results.append((element, errors, built))
        if summarize and any(errs for _, errs, _ in results):
            bad = []
            for element, errs, _ in results:
                if errs:
                    echo = self._echo_invoice(element)
                    echo["HasErrors"] = True
                    echo["ValidationErrors"] = [{"Message": m} for m in errs]
                    bad.append(echo)
            return 400, _api_exception(
                10, "ValidationException", "A validation exception occurred", elements=bad
            )
        out: list[dict[str, Any]] = []
        changed = False
        created_by: dict[str, str] = {}
        for element, errs, built in results:
            if errs or built is None:
                echo = self._echo_invoice(element)
                echo["HasErrors"] = True
                echo["StatusAttributeString"] = "ERROR"
                echo["ValidationErrors"] = [{"Message": m} for m in errs]
                out.append(echo)
                continue
            stored, answer = built["stored"], built["answer"]
            existing = built.get("replace")
            if existing is not None:
                invoices[invoices.index(existing)] = stored
            else:
                invoices.append(stored)
                if client_id:
                    created_by[str(stored["InvoiceID"]).lower()] = client_id
            contact = built["contact"]
            if built.get("new_contact") and not any(c is contact for c in org["Contacts"]):
                org.setdefault("Contacts", []).append(contact)
            if stored["Status"] not in ("DELETED", "VOIDED"):
                # IsCustomer/IsSupplier follow AR/AP invoices; such changes do not bump the
                # contact's UpdatedDateUTC (references §1, If-Modified-Since caveats).
                contact["IsCustomer" if stored["Type"] == "ACCREC" else "IsSupplier"] = True
            changed = True
            out.append(_invoice_view(answer, unit_dp))
        if changed:
            org["Invoices"] = invoices  # created on the first write
            if created_by:
                self._invoice_creators(tenant).update(created_by)
                self.store.save("xero", "private")
            else:
                self.store.save("xero")
        payload = self._envelope()
        payload["Invoices"] = out
        return 200, payload

    def _echo_invoice(self, element: dict[str, Any]) -> dict[str, Any]:
        """A rejected element as Xero echoes it: the submitted invoice as its model reads
        it back - dates in MS-JSON form, values its enums cannot hold left out."""
        echo = copy.deepcopy(element)
        for key in ("Date", "DueDate"):
            if key in echo:
                parsed, ok = self._parse_write_date(echo[key])
                if ok and parsed is not None:
                    echo[key] = _fmt_date_only(parsed)
                    echo[key + "String"] = parsed.isoformat() + "T00:00:00"
                else:
                    del echo[key]
        enums = {
            "Type": INVOICE_TYPES,
            "Status": INVOICE_STATUSES,
            "LineAmountTypes": ("Exclusive", "Inclusive", "NoTax"),
        }
        for key, allowed in enums.items():
            if key in echo and echo[key] not in allowed:
                del echo[key]
        return echo

    def _find_contact(
        self, org: dict[str, Any], ref: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str | None, bool]:
        """Resolve an invoice's Contact: (contact, error, created)."""
        contacts = org.setdefault("Contacts", [])
        cid, cnum, name = ref.get("ContactID"), ref.get("ContactNumber"), ref.get("Name")
        if cid:
            if not isinstance(cid, str) or not GUID_RE.match(cid):
                return None, f"The ContactID '{cid}' is not a valid Guid.", False
            for c in contacts:
                if str(c.get("ContactID", "")).lower() == cid.lower():
                    return c, None, False
            return None, "The contact with the specified ContactID was not found.", False
        if cnum:
            for c in contacts:
                if c.get("ContactNumber") == cnum:
                    return c, None, False
            return None, "The contact with the specified ContactNumber was not found.", False
        if isinstance(name, str) and name.strip():
            for c in contacts:
                if c.get("Name") == name and c.get("ContactStatus") != "ARCHIVED":
                    return c, None, False
            for c in contacts:
                if c.get("Name") == name:
                    return c, None, False
            # Like Xero: a Name that matches no contact creates a new contact.
            now = self.clock.now()
            created = {
                "ContactID": str(uuid.uuid4()),
                "ContactStatus": "ACTIVE",
                "Name": name,
                "Addresses": [],
                "Phones": [],
                "UpdatedDateUTC": ms_date(now),
                "ContactGroups": [],
                "IsSupplier": False,
                "IsCustomer": False,
                "ContactPersons": [],
                "HasAttachments": False,
                "HasValidationErrors": False,
            }
            return created, None, True
        return None, "A Contact must be specified for this type of transaction", False

    @staticmethod
    def _parse_write_date(value: Any) -> tuple[date | None, bool]:
        """Invoice Date/DueDate on write: YYYY-MM-DD, YYYY-MM-DDT00:00:00 or /Date(ms)/."""
        if value is None:
            return None, True
        if not isinstance(value, str):
            return None, False
        text = value.strip()
        if text.startswith("/Date("):
            try:
                return datetime.fromtimestamp(parse_ms_date(text), UTC).date(), True
            except (ValueError, OverflowError):
                return None, False
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?", text)
        if not m:
            return None, False
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), True
        except ValueError:
            return None, False

    def _build_invoice(
        self,
        org: dict[str, Any],
        invoices: list[dict[str, Any]],
        el: dict[str, Any],
        now: float,
        create_only: bool,
        planned_numbers: set[str],
        pending_contacts: dict[str, dict[str, Any]],
        *,
        unit_dp: int,
        new_lines_first: bool = True,
    ) -> tuple[list[str], dict[str, Any] | None]:
        """Check and work out one written invoice. ``unit_dp``: the request's unitdp (2 or
        4); a unit amount the request states (given, taken from the item, or worked out from
        a LineAmount) is rounded to it before the line amount is worked out. A line kept as
        it is keeps its stored unit amount. ``new_lines_first``: an update's new lines come
        before the ones it keeps, as Xero answers (False: in the order given, as a person
        edits them in Xero's screens)."""
        errors: list[str] = []
        existing = None
        inv_id = el.get("InvoiceID")
        if inv_id is not None:
            if create_only:
                errors.append(
                    "InvoiceID cannot be specified when creating an invoice (PUT); "
                    "use POST to update."
                )
            else:
                existing = next(
                    (
                        i
                        for i in invoices
                        if str(i.get("InvoiceID", "")).lower() == str(inv_id).lower()
                    ),
                    None,
                )
                if existing is None:
                    errors.append("The InvoiceID was not found.")
        elif not create_only and el.get("InvoiceNumber"):
            existing = next(
                (
                    i
                    for i in invoices
                    if i.get("InvoiceNumber") == el["InvoiceNumber"]
                    and i.get("Type") == el.get("Type", "ACCREC")
                ),
                None,
            )
        if errors:
            return errors, None
        merged = copy.deepcopy(existing) if existing else {}
        if existing is not None:
            if existing.get("Status") not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
                return ["Invoice not of valid status for modification"], None
            for k, v in el.items():
                merged[k] = copy.deepcopy(v)
            # dates stored as /Date()/ are re-read below like the written form
        else:
            merged = copy.deepcopy(el)

        inv_type = merged.get("Type")
        if inv_type is None:
            errors.append("Invoice Type must be specified")
        elif inv_type not in ("ACCREC", "ACCPAY"):
            errors.append(f"'{inv_type}' is not a valid Invoice Type. Use ACCREC or ACCPAY.")
        status = merged.get("Status", "DRAFT")
        allowed_status = (
            ("DRAFT", "SUBMITTED", "AUTHORISED")
            if existing is None
            else ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED", "VOIDED")
        )
        if status not in allowed_status:
            errors.append(f"'{status}' is not a valid Status for this operation.")
        elif existing is not None:
            before = existing.get("Status")
            if before == "AUTHORISED" and status in ("DRAFT", "SUBMITTED", "DELETED"):
                errors.append("Invoice not of valid status for modification")
            if status == "VOIDED" and before != "AUTHORISED":
                errors.append("Only AUTHORISED invoices can be voided.")
        lat = merged.get("LineAmountTypes", "Exclusive")
        if lat not in ("Exclusive", "Inclusive", "NoTax"):
            errors.append(f"'{lat}' is not a valid LineAmountTypes value.")

        contact, contact_created = None, False
        cref = merged.get("Contact")
        if not isinstance(cref, dict):
            errors.append("A Contact must be specified for this type of transaction")
        else:
            contact, err, contact_created = self._find_contact(org, cref)
            if contact_created and contact is not None:
                # two invoices of one batch naming the same new contact create it once
                contact = pending_contacts.setdefault(contact["Name"], contact)
            if err:
                errors.append(err)
            elif (
                contact is not None
                and contact.get("ContactStatus") == "ARCHIVED"
                and existing is None
            ):
                errors.append(
                    "The contact has been archived and cannot be used on new transactions."
                )

        inv_date, ok = self._parse_write_date(
            merged.get("DateString") if existing and "Date" not in el else merged.get("Date")
        )
        if not ok:
            errors.append(
                f"The Date '{merged.get('Date')}' is not a valid date (expected YYYY-MM-DD)."
            )
        if inv_date is None and ok:
            # "If the Date element is not specified it will default to the current date based
            # on the timezone setting of the organisation" (spec Invoice.Date)
            inv_date = organisation_today(org, now)
        due_src = (
            merged.get("DueDateString")
            if existing and "DueDate" not in el
            else merged.get("DueDate")
        )
        due_date, ok_due = self._parse_write_date(due_src)
        if not ok_due:
            errors.append(
                f"The DueDate '{merged.get('DueDate')}' is not a valid date (expected YYYY-MM-DD)."
            )
        if status in ("SUBMITTED", "AUTHORISED") and due_date is None and ok_due:
            errors.append("Due Date is required for an approved invoice.")

        lines = merged.get("LineItems")
        # Deleting a draft or voiding an invoice changes its status only: Xero does not check
        # its lines again (an item since made purchase-only does not block a delete).
        removing = existing is not None and status in ("DELETED", "VOIDED")
        approving = status in ("SUBMITTED", "AUTHORISED")
        items_by_code = {i.get("Code"): i for i in org.get("Items", [])}
        version = _org_version(org)
        rates_by_type = {
            str(r.get("TaxType")): r for r in _org_tax_rates(org) if isinstance(r, dict)
        }
        accounts_by_code = {
            str(a.get("Code")): a
            for a in _org_accounts(org)
            if isinstance(a, dict) and a.get("Code") is not None
        }
        built_lines: list[dict[str, Any]] = []
        # each built line's tax: (its rate in percent, None: no tax rate; a TaxAmount the
        # request states for it, which overrides the computed one as the spec allows)
        line_taxes: list[tuple[Decimal | None, Decimal | None]] = []
        # whether each built line's unit amount comes from this request (rounded to unit_dp)
        stated_units: list[bool] = []
        # whether each built line is one of the invoice's lines, kept by its LineItemID
        kept_lines: list[bool] = []
        lines_given = existing is None or "LineItems" in el
        if not isinstance(lines, list) or not lines:
            if approving:
                errors.append("At least one line item is required for an approved invoice.")
            lines = lines if isinstance(lines, list) else []
        # LineItemID (Xero's invoice docs: "If LineItemIDs are not included with line items in
        # an update request then the line items are deleted and recreated"): on an update that
        # sends LineItems, a line naming one of the invoice's LineItemIDs updates that line
        # (the fields it gives; the others kept) and keeps its id; any other line is new and
        # gets an id Xero makes (an id Xero does not know is not taken: xero-php #784); the
        # invoice's lines not named are deleted. An update without LineItems recreates the
        # lines as they are, with new ids; a create ignores any LineItemID.
        on_invoice: dict[str, dict[str, Any]] = {}
        if existing is not None and "LineItems" in el:
            on_invoice = {
                str(old.get("LineItemID") or "").lower(): old
                for old in existing.get("LineItems") or []
                if isinstance(old, dict) and old.get("LineItemID")
            }
        for line in lines:
            if not isinstance(line, dict):
                errors.append("Each LineItem must be an object.")
                continue
            bl = copy.deepcopy(line)
            stated = lines_given and ("UnitAmount" in line or "LineAmount" in line)
            prior = on_invoice.pop(str(bl.get("LineItemID") or "").lower(), None)
            if prior is not None:
                base = copy.deepcopy(prior)
                base.pop("LineAmount", None)  # worked out again from what the line says now
                if "LineAmount" in bl and "UnitAmount" not in bl:
                    base.pop("UnitAmount", None)
                if any(k in bl for k in ("Quantity", "UnitAmount", "LineAmount", "DiscountRate")):
                    base.pop("TaxAmount", None)
                base.update(bl)
                bl = base
                bl["LineItemID"] = prior["LineItemID"]
            else:
                bl.pop("LineItemID", None)
            item = None
            item_tax: Any = None
            if bl.get("ItemCode") is not None:
                item = items_by_code.get(bl["ItemCode"])
                if item is None:
                    errors.append(f"Item code '{bl['ItemCode']}' is not valid")
                else:
                    sold = item.get("IsSold", True)
                    if inv_type == "ACCREC" and not sold and not removing:
                        errors.append(f"Item code '{bl['ItemCode']}' is not a sold item")
                    if not bl.get("Description"):
                        desc = (
                            item.get("Description")
                            if inv_type == "ACCREC"
                            else item.get("PurchaseDescription")
                        )
                        if desc:
                            bl["Description"] = desc
                    details = (
                        item.get("SalesDetails" if inv_type == "ACCREC" else "PurchaseDetails")
                        or {}
                    )
                    # the item's price is the line's unit amount unless the line gives
                    # one, or gives its LineAmount (Xero then works the unit amount out)
                    if (
                        bl.get("UnitAmount") is None
                        and bl.get("LineAmount") is None
                        and isinstance(details.get("UnitPrice"), (int, float))
                    ):
                        bl["UnitAmount"] = details["UnitPrice"]
                        stated = lines_given  # the item's price, as this request reads it
                    if not bl.get("AccountCode") and details.get("AccountCode"):
                        bl["AccountCode"] = details["AccountCode"]
                    item_tax = details.get("TaxType")
            desc = bl.get("Description")
            if not isinstance(desc, str) or not desc.strip():
                errors.append("The description field is mandatory for each line item.")
            for num in ("Quantity", "UnitAmount", "LineAmount", "DiscountRate", "TaxAmount"):
                if bl.get(num) is not None and (
                    isinstance(bl[num], bool) or not isinstance(bl[num], (int, float))
                ):
                    errors.append(f"The {num} value '{bl[num]}' is not a valid number.")
            if isinstance(bl.get("Quantity"), (int, float)) and bl["Quantity"] < 0:
                errors.append(
                    f"The quantity value '{bl['Quantity']:.4f}' is invalid. "
                    "Quantity must not be less than zero."
                )
            if approving and not bl.get("AccountCode"):
                errors.append(
                    "Account code must be specified for each line item of an approved invoice."
                )
            tracking = bl.get("Tracking") or []
            if not isinstance(tracking, list) or len(tracking) > 2:
                errors.append("A line item can have at most 2 tracking categories.")
            else:
                # stored (and answered) as Xero gives it: category and option, by name and
                # by id, however the request named them (spec LineItemTracking examples)
                resolved = []
                for tr in tracking:
                    found, err = self._resolve_tracking(org, tr)
                    if err:
                        errors.append(err)
                    elif found is not None:
                        resolved.append(found)
                bl["Tracking"] = resolved
            # a LineAmount this request gives must be what the line's numbers come to (Xero
            # checks it: "The line total … does not match the expected line total …")
            if (
                lines_given
                and line.get("LineAmount") is not None
                and not removing
                and not any(
                    bl.get(num) is not None
                    and (isinstance(bl[num], bool) or not isinstance(bl[num], (int, float)))
                    for num in ("Quantity", "UnitAmount", "LineAmount", "DiscountRate")
                )
            ):
                amount_error = _line_amounts(bl, unit_dp if stated else 4, check=True)[3]
                if amount_error:
                    errors.append(amount_error)
            rate, tax_errors = self._line_tax(
                bl, item_tax, version, rates_by_type, accounts_by_code
            )
            if not removing:  # a delete or a void checks no line again (see above)
                errors.extend(tax_errors)
            given_tax = line.get("TaxAmount") if lines_given else None
            line_taxes.append(
                (
                    rate,
                    Decimal(str(given_tax))
                    if isinstance(given_tax, (int, float)) and not isinstance(given_tax, bool)
                    else None,
                )
            )
            built_lines.append(bl)
            stated_units.append(stated)
            kept_lines.append(prior is not None)

        currency_code = merged.get("CurrencyCode")
        base_currency = _base_currency(org)
        currency_rate = 1.0
        if currency_code is not None and (
            not isinstance(currency_code, str) or currency_code not in CURRENCY_CODES
        ):
            errors.append(f"'{currency_code}' is not a valid currency code.")
        elif currency_code and currency_code != base_currency:
            rate_error, currency_rate = self._currency_rate(org, currency_code, el, existing)
            if rate_error and not removing:
                errors.append(rate_error)
        number = merged.get("InvoiceNumber")
        if number is not None and (not isinstance(number, str) or len(number) > INVOICE_NUMBER_MAX):
            errors.append(f"Invoice # must be text of at most {INVOICE_NUMBER_MAX} characters.")
            number = None
        if inv_type == "ACCREC":
            if number:
                clash = (
                    any(
                        i.get("InvoiceNumber") == number
                        and i.get("Type") == "ACCREC"
                        and i is not existing
                        for i in invoices
                    )
                    or number in planned_numbers
                )
                if clash:
                    errors.append("Invoice # must be unique.")
            elif not errors:
                number = self._next_invoice_number(invoices, planned_numbers)
        if errors:
            return errors, None
        if number and inv_type == "ACCREC":
            planned_numbers.add(number)
        assert contact is not None and inv_type is not None and inv_date is not None

        # Amounts: Quantity * UnitAmount (or LineAmount), discount; each line's tax from its
        # rate (spec LineItem.TaxAmount: "auto calculated as a percentage of the line amount
        # ... based on the tax rate"), rounded to cents per line; the totals per
        # LineAmountTypes: Exclusive adds the tax to the line amounts, Inclusive finds it in
        # them (the line amounts stay, the sub-total is without it), NoTax has none.
        sub_total = Decimal(0)
        total_tax = Decimal(0)
        out_lines = []
        for bl, stated, (rate, given_tax) in zip(
            built_lines, stated_units, line_taxes, strict=True
        ):
            qty, unit, line_amount = _line_amounts(bl, unit_dp if stated else 4)[:3]
            amount = money(Decimal(str(line_amount)))
            if lat == "NoTax":
                tax = Decimal(0)
            elif given_tax is not None:
                tax = money(given_tax)
            elif rate is None:
                tax = Decimal(0)  # no tax rate yet (a draft's line with no account)
            elif lat == "Inclusive":
                tax = money(amount * rate / (100 + rate))
            else:
                tax = money(amount * rate / 100)
            sub_total += amount - tax if lat == "Inclusive" else amount
            total_tax += tax
            ol = {
                "Description": bl.get("Description", ""),
                "UnitAmount": round(unit, 4),
                "TaxType": bl.get("TaxType") or "",
                "TaxAmount": float(tax),
                "LineAmount": line_amount,
                "AccountCode": bl.get("AccountCode", ""),
                "Tracking": bl.get("Tracking") or [],
                "Quantity": round(qty, 4),
                "LineItemID": bl.get("LineItemID") or str(uuid.uuid4()),
            }
            if bl.get("ItemCode"):
                ol["ItemCode"] = bl["ItemCode"]
            if bl.get("DiscountRate"):
                ol["DiscountRate"] = bl["DiscountRate"]
            out_lines.append(ol)
        # An update's new lines come before the lines it keeps by their LineItemID, in Xero's
        # answer and on the invoice ("any new items will be inserted before these":
        # Xero-NetStandard#374, xero-python#111, xero-php#536); each kind in the order sent.
        if new_lines_first:
            paired = list(zip(out_lines, kept_lines, strict=True))
            out_lines = [ol for ol, kept in paired if not kept] + [
                ol for ol, kept in paired if kept
            ]
        total = float(sub_total + total_tax)
        sub_total_f, total_tax_f = float(sub_total), float(total_tax)
        invoice_id = existing["InvoiceID"] if existing else str(uuid.uuid4())
        currency = merged.get("CurrencyCode") or base_currency
        stored: dict[str, Any] = {
            "Type": inv_type,
            "InvoiceID": invoice_id,
            "InvoiceNumber": number or "",
            "Reference": merged.get("Reference", ""),
            "Payments": [],
            "CreditNotes": [],
            "Prepayments": [],
            "Overpayments": [],
            "AmountDue": total,
            "AmountPaid": 0.0,
            "AmountCredited": 0.0,
            "CurrencyRate": currency_rate,
            "IsDiscounted": any("DiscountRate" in ol for ol in out_lines),
            "HasAttachments": False,
            "HasErrors": False,
            "Contact": {"ContactID": contact["ContactID"], "Name": contact.get("Name", "")},
            "DateString": inv_date.isoformat() + "T00:00:00",
            "Date": _fmt_date_only(inv_date),
            "Status": status,
            "LineAmountTypes": lat,
            "LineItems": out_lines,
            "SubTotal": sub_total_f,
            "TotalTax": total_tax_f,
            "Total": total,
            "UpdatedDateUTC": ms_date(now),
            "CurrencyCode": currency,
        }
        if due_date is not None:
            stored["DueDateString"] = due_date.isoformat() + "T00:00:00"
            stored["DueDate"] = _fmt_date_only(due_date)
        if merged.get("Url"):
            stored["Url"] = merged["Url"]
        if merged.get("BrandingThemeID"):
            stored["BrandingThemeID"] = merged["BrandingThemeID"]
        answer = copy.deepcopy(stored)
        # The write answer embeds the whole contact (spec example for PUT /Invoices).
        answer["Contact"] = copy.deepcopy(contact)
        answer["UpdatedDateUTCString"] = datetime.fromtimestamp(now, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        answer["StatusAttributeString"] = "OK"
        return [], {
            "stored": stored,
            "answer": answer,
            "contact": contact,
            "new_contact": contact_created,
            "replace": existing,
        }

    @staticmethod
    def _resolve_tracking(org: dict[str, Any], tr: Any) -> tuple[dict[str, Any] | None, str | None]:
        """A line's tracking entry as Xero keeps it (``Name``, ``Option``,
        ``TrackingCategoryID``, ``TrackingOptionID``: the spec's answer examples give all
        four), from the category and option the request names by id or by name; else why
        it is refused."""
        if not isinstance(tr, dict):
            return None, (
                "Tracking must be an object with Name/Option or "
                "TrackingCategoryID/TrackingOptionID."
            )
        cats = [c for c in org.get("TrackingCategories", []) if c.get("Status") == "ACTIVE"]
        cat = None
        if tr.get("TrackingCategoryID"):
            cat = next(
                (
                    c
                    for c in cats
                    if str(c.get("TrackingCategoryID", "")).lower()
                    == str(tr["TrackingCategoryID"]).lower()
                ),
                None,
            )
        elif tr.get("Name"):
            cat = next((c for c in cats if c.get("Name") == tr["Name"]), None)
        if cat is None:
            return None, (
                f"Tracking category '{tr.get('Name') or tr.get('TrackingCategoryID')}' "
                "is not valid."
            )
        opts = [o for o in cat.get("Options", []) if o.get("Status") == "ACTIVE"]
        if tr.get("TrackingOptionID"):
            opt = next(
                (
                    o
                    for o in opts
                    if str(o.get("TrackingOptionID", "")).lower()
                    == str(tr["TrackingOptionID"]).lower()
                ),
                None,
            )
        else:
            opt = next((o for o in opts if o.get("Name") == tr.get("Option")), None)
        if opt is None:
            return None, (
                f"Tracking option '{tr.get('Option') or tr.get('TrackingOptionID')}' is not "
                f"valid for tracking category '{cat.get('Name')}'."
            )
        return {
            "Name": cat.get("Name", ""),
            "Option": opt.get("Name", ""),
            "TrackingCategoryID": cat.get("TrackingCategoryID", ""),
            "TrackingOptionID": opt.get("TrackingOptionID", ""),
        }, None

    @staticmethod
    def _line_tax(
        bl: dict[str, Any],
        item_tax: Any,
        version: str,
        rates_by_type: dict[str, dict[str, Any]],
        accounts_by_code: dict[str, dict[str, Any]],
    ) -> tuple[Decimal | None, list[str]]:
        """Work out one line's tax rate, setting ``bl["TaxType"]``: the line's own TaxType,
        else its item's (SalesDetails/PurchaseDetails.TaxType), else its account's. Returns
        the rate in percent (None: the line has no tax rate yet, e.g. a draft's line with
        no account) and the line's errors: an account code not in the chart, a tax type the
        organisation has not (or not active), a tax type its account's class cannot take."""
        errors: list[str] = []
        code = bl.get("AccountCode")
        account = None
        if code not in (None, ""):
            account = accounts_by_code.get(str(code))
            if account is None or account.get("Status", "ACTIVE") != "ACTIVE":
                errors.append(f"Account code '{code}' is not a valid code for this document.")
                account = None
        tax_type = bl.get("TaxType")
        if tax_type in (None, ""):
            tax_type = item_tax or (account or {}).get("TaxType") or None
        if tax_type is None:
            bl.pop("TaxType", None)
            return None, errors
        if not isinstance(tax_type, str):
            errors.append(
                f"The TaxType code {tax_type} does not exist or cannot be used for this "
                "type of transaction."
            )
            return None, errors
        klass = None
        if account is not None:
            klass = account.get("Class") or TYPE_CLASS.get(str(account.get("Type")))
        if version.removesuffix("ONRAMP") == "AU":
            tax_type = au_retired_tax_type(tax_type, klass)
        bl["TaxType"] = tax_type
        rate = rates_by_type.get(tax_type)
        if rate is None or rate.get("Status") != "ACTIVE":
            errors.append(
                f"The TaxType code {tax_type} does not exist or cannot be used for this "
                "type of transaction."
            )
            return None, errors
        flag = CLASS_FLAG.get(str(klass)) if klass else None
        if flag is not None and rate.get(flag) is False:
            errors.append(
                f"The TaxType code '{tax_type}' cannot be used with account code '{code}'."
            )
        return Decimal(str(rate.get("EffectiveRate") or 0)), errors

    @staticmethod
    def _currency_rate(
        org: dict[str, Any],
        code: str,
        el: dict[str, Any],
        existing: dict[str, Any] | None,
    ) -> tuple[str | None, float]:
        """A foreign-currency invoice's (error, CurrencyRate): the currency must be one the
        organisation enabled; the rate is the one the request gives, else the one the
        invoice already has in that currency, else the day rate (spec Invoice.CurrencyRate:
        "If no rate is specified, the XE.com day rate is used")."""
        if not any(c.get("Code") == code for c in _org_currencies(org)):
            return f"Organisation is not subscribed to currency {code}", 1.0
        given = el.get("CurrencyRate")
        if given is not None:
            if (
                isinstance(given, bool)
                or not isinstance(given, (int, float))
                or not math.isfinite(given)
                or given <= 0
            ):
                return f"The CurrencyRate value '{given}' is not valid: it must be above zero.", 1.0
            return None, round(float(given), 6)
        if existing is not None and existing.get("CurrencyCode") == code:
            kept = existing.get("CurrencyRate")
            if isinstance(kept, (int, float)) and not isinstance(kept, bool) and kept > 0:
                return None, float(kept)
        rate = day_rate(_base_currency(org), code)
        if rate is None:
            return (
                f"No exchange rate is known for {code}: give the invoice a CurrencyRate.",
                1.0,
            )
        return None, rate

    @staticmethod
    def _next_invoice_number(invoices: list[dict[str, Any]], planned: set[str]) -> str:
        highest = 0
        for n in [i.get("InvoiceNumber", "") for i in invoices] + list(planned):
            m = re.fullmatch(r"INV-(\d+)", str(n))
            if m:
                highest = max(highest, int(m.group(1)))
        return f"INV-{highest + 1:04d}"

    def _demo_invoice(
        self, tenant: str, invoice_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
        """The organisation, its list of invoices and the invoice ``invoice_id`` in it, for the
        demo-only edits (the caller holds the store lock); KeyError when either is unknown."""
        org = self.store.xero_org(tenant)
        if org is None:
            raise KeyError(tenant)
        invoices = org.get("Invoices", [])
        inv = next(
            (i for i in invoices if str(i.get("InvoiceID")).lower() == invoice_id.lower()),
            None,
        )
        if inv is None:
            raise KeyError(invoice_id)
        return org, invoices, inv

    def demo_user_changes_invoice(
        self, tenant: str, invoice_id: str, action: str, *, paid_on: date | None = None
    ) -> dict[str, Any]:
        """What a user does to an invoice in Xero's own screens, for tests and the demo only
        (no route reaches it: not part of Xero's API, not reachable by the product).

        ``approve``: a draft becomes ``AUTHORISED`` (an invoice number if it had none).
        ``pay``: an approved invoice is paid in full as Xero reports it: ``Status`` ``PAID``,
        ``AmountDue`` 0, ``AmountPaid`` = the total, ``FullyPaidOnDate``, one payment.
        ``delete``: a draft becomes ``DELETED``. ``void``: an approved invoice ``VOIDED``.
        Each bumps ``UpdatedDateUTC`` (If-Modified-Since finds it). Returns the stored copy.
        """
        allowed = {
            "approve": ({"DRAFT", "SUBMITTED"}, "AUTHORISED"),
            "pay": ({"AUTHORISED"}, "PAID"),
            "delete": ({"DRAFT", "SUBMITTED"}, "DELETED"),
            "void": ({"AUTHORISED"}, "VOIDED"),
        }
        if action not in allowed:
            raise ValueError(f"unknown action {action!r}")
        with self.store.lock:
            _org, invoices, inv = self._demo_invoice(tenant, invoice_id)
            before, after = allowed[action]
            if inv.get("Status") not in before:
                raise ValueError(f"cannot {action} an invoice that is {inv.get('Status')}")
            now = self.clock.now()
            inv["Status"] = after
            if action == "approve" and not inv.get("InvoiceNumber"):
                inv["InvoiceNumber"] = self._next_invoice_number(invoices, set())
            if action == "pay":
                day = paid_on or datetime.fromtimestamp(now, UTC).date()
                total = float(inv.get("Total") or 0.0)
                inv["AmountPaid"] = total
                inv["AmountDue"] = 0.0
                inv["FullyPaidOnDate"] = _fmt_date_only(day)
                inv["Payments"] = [
                    {
                        "PaymentID": str(uuid.uuid4()),
                        "Date": _fmt_date_only(day),
                        "Amount": total,
                        "CurrencyRate": inv.get("CurrencyRate", 1.0),
                        "HasAccount": False,
                        "HasValidationErrors": False,
                    }
                ]
            inv["UpdatedDateUTC"] = ms_date(now)
            self.store.save("xero")
            return copy.deepcopy(inv)

    def demo_user_edits_lines(
        self, tenant: str, invoice_id: str, lines: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A person edits a draft's lines in Xero's own screens, for tests and the demo only
        (no route reaches it): ``lines`` is the draft's whole list of lines afterwards, each
        naming by ``LineItemID`` the line it keeps or changes (a line without one is added;
        the lines not named are deleted), as Xero's update applies them, but in the order
        given (the screen's rows, not the API's answer) and each line's amount worked out
        again from its quantity and price (a stated ``LineAmount`` of a line that gives its
        price is the screen's old figure). Bumps ``UpdatedDateUTC``. Returns the stored
        copy."""
        edited = [
            {k: v for k, v in line.items() if k != "LineAmount"}
            if isinstance(line, dict) and line.get("UnitAmount") is not None
            else line
            for line in copy.deepcopy(lines)
        ]
        with self.store.lock:
            org, invoices, inv = self._demo_invoice(tenant, invoice_id)
            if inv.get("Status") != "DRAFT":
                raise ValueError(f"cannot edit the lines of an invoice that is {inv['Status']}")
            errors, built = self._build_invoice(
                org,
                invoices,
                {"InvoiceID": inv["InvoiceID"], "LineItems": edited},
                self.clock.now(),
                False,
                set(),
                {},
                unit_dp=4,  # Xero's invoice screen takes unit prices to four decimal places
                new_lines_first=False,
            )
            if errors or built is None:
                raise ValueError("; ".join(errors))
            invoices[invoices.index(inv)] = built["stored"]
            self.store.save("xero")
            return copy.deepcopy(built["stored"])

    # ------------------------------------------------------------------ payroll
    def _payroll(
        self, request: Request, tenant: str, access: Any, version: str, sub: str
    ) -> Response:
        parts = [p for p in sub.split("/") if p]
        if version not in ("1.0", "2.0") or not parts:
            return _not_found()
        resource = parts[0].lower()
        hours = self._payroll_hours_route(
            version, [p.lower() for p in parts], request.method.upper()
        )
        if hours is not None:
            return self._payroll_hours(request, tenant, access, version, parts, hours)
        ident = parts[1] if len(parts) == 2 else None
        if len(parts) > 2:
            return _not_found()
        if version == "1.0":
            routes = {
                "employees": SCOPES_PAYROLL_EMPLOYEES_READ,
                "payitems": SCOPES_PAYROLL_SETTINGS_READ,
            }
        else:
            routes = {
                "employees": SCOPES_PAYROLL_EMPLOYEES_READ,
                "leavetypes": SCOPES_PAYROLL_SETTINGS_READ,
            }
        if resource not in routes or (resource in ("payitems", "leavetypes") and ident):
            return _not_found()
        if request.method.upper() != "GET":
            return _method_not_allowed("GET")
        if not self._has_scope(access, routes[resource]):
            return _missing_scope()
        with self.store.lock:  # only what the payroll answers read (not 100,000 contacts,
            # the items, the invoices): a copy, answers may be changed before they are sent
            org = {
                k: copy.deepcopy(v)
                for k, v in (self.store.xero_org(tenant) or {}).items()
                if k in ("Organisation", "payroll")
            }
        region = _region(org)
        if version == "2.0" and _org_version(org) == "AU":
            # An AU organisation calling the NZ/UK payroll API gets 405 (observed on an AU
            # Demo Company: XeroAPI/xero-mcp-server#171 review, "the previous NZ-only call
            # 405s on an AU Demo Company"); AU's own 2.0 API only has Timesheets.
            return _method_not_allowed("")
        if (version == "1.0" and region != "AU") or (
            version == "2.0" and region not in ("NZ", "UK")
        ):
            return _no_payroll()
        payroll = org.get("payroll", {})
        if version == "1.0":
            if resource == "employees":
                return self._au_employees(request, payroll, ident)
            return self._au_pay_items(request, payroll)
        if resource == "employees":
            return self._v2_employees(request, payroll, ident, region or "")
        return self._v2_leave_types(request, payroll)

    # -- hours: calendars, earnings rates, timesheets, leave
    @staticmethod
    def _payroll_hours_route(
        version: str, parts: list[str], method: str
    ) -> tuple[str, str, frozenset[str]] | None:
        """(handler, allowed methods, scopes) for the payroll hours endpoints, else None."""
        n, head = len(parts), parts[0]
        ts_scopes = SCOPES_PAYROLL_TIMESHEETS_READ if method == "GET" else SCOPES_PAYROLL_TIMESHEETS
        emp_scopes = (
            SCOPES_PAYROLL_EMPLOYEES_READ if method == "GET" else SCOPES_PAYROLL_EMPLOYEES_WRITE
        )
        if version == "1.0":
            if head == "payrollcalendars" and n <= 2:
                return "au_calendars", "GET", SCOPES_PAYROLL_SETTINGS_READ
            if head == "settings" and n == 1:
                return "au_settings", "GET", SCOPES_PAYROLL_SETTINGS_READ
            if head == "timesheets" and n <= 2:
                return "au_timesheets", "GET, POST", ts_scopes
            if head == "leaveapplications" and n == 2 and parts[1] == "v2":
                return "au_leave_v2", "GET", emp_scopes
            if head == "leaveapplications" and n <= 2:
                return "au_leave", "GET, POST", emp_scopes
            if head == "leaveapplications" and n == 3 and parts[2] in ("approve", "reject"):
                return "au_leave_status", "POST", emp_scopes
            return None
        if head == "settings" and n == 2 and parts[1] == "trackingcategories":
            return "v2_tracking", "GET", SCOPES_PAYROLL_SETTINGS_READ
        if head == "payruncalendars" and n <= 2:
            return "v2_calendars", "GET", SCOPES_PAYROLL_SETTINGS_READ
        if head == "earningsrates" and n <= 2:
            return "v2_rates", "GET", SCOPES_PAYROLL_SETTINGS_READ
        if head == "timesheets":
            if n == 1:
                return "v2_timesheets", "GET, POST", ts_scopes
            if n == 2:
                return "v2_timesheet", "GET, DELETE", ts_scopes
            if n == 3 and parts[2] == "lines":
                return "v2_lines", "POST", ts_scopes
            if n == 3 and parts[2] in ("approve", "reverttodraft"):
                return "v2_status", "POST", ts_scopes
            if n == 4 and parts[2] == "lines":
                return "v2_line", "PUT, DELETE", ts_scopes
            return None
        if head == "employees" and n == 3 and parts[2] == "salaryandwages":
            return "v2_wages", "GET", SCOPES_PAYROLL_EMPLOYEES_READ
        if head == "employees" and n in (3, 4) and parts[2] == "leave":
            return (
                ("v2_leave", "GET, POST", emp_scopes)
                if n == 3
                else ("v2_leave_one", "GET, PUT, DELETE", emp_scopes)
            )
        return None

    def _payroll_hours(
        self,
        request: Request,
        tenant: str,
        access: Any,
        version: str,
        parts: list[str],
        route: tuple[str, str, frozenset[str]],
    ) -> Response:
        name, allowed, scopes = route
        method = request.method.upper()
        if method not in [m.strip() for m in allowed.split(",")]:
            return _method_not_allowed(allowed)
        if not self._has_scope(access, scopes):
            return _missing_scope()
        with self.store.lock:
            org = self.store.xero_org(tenant) or {}
            region = _region(org)
            if version == "2.0" and _org_version(org) == "AU":
                return _method_not_allowed("")  # as for the other 2.0 calls (see _payroll)
            if (version == "1.0" and region != "AU") or (
                version == "2.0" and region not in ("NZ", "UK")
            ):
                return _no_payroll()
            resp = self._payroll_hours_call(request, org, name, parts)
            if method != "GET" and resp.status_code == 200:
                self.store.save("xero")
            return resp

    def _payroll_hours_call(
        self, request: Request, org: dict[str, Any], name: str, parts: list[str]
    ) -> Response:
        payroll = org.get("payroll", {})
        method = request.method.upper()
        ident = parts[1] if len(parts) > 1 else None
        if name.startswith("au_"):
            au = AuPayroll(
                self.clock.now,
                self._envelope,
                lambda req, body, status: _pascal_response(req, body, status),
            )
            if name == "au_calendars":
                if ident is not None:
                    return au.calendar(request, payroll, ident)
                # the list: If-Modified-Since, where, order, page (xero-payroll-au.yaml), as
                # the other AU lists
                return self._au_list(
                    request,
                    payroll,
                    "PayrollCalendars",
                    "PayrollCalendarID",
                    "PayrollCalendar",
                    None,
                )
            if name == "au_settings":
                payload = self._envelope()
                payload["Settings"] = copy.deepcopy(
                    payroll.get("Settings") or {"Accounts": [], "TrackingCategories": {}}
                )
                return _pascal_response(request, payload)
            if name == "au_leave_status":
                assert ident is not None
                return au.leave_status(request, org, ident, parts[2])
            if method == "POST":
                if name == "au_timesheets":
                    return au.post_timesheets(request, org, ident)
                return au.post_leave(request, org, ident)
            if name == "au_timesheets":
                return self._au_list(
                    request,
                    payroll,
                    "Timesheets",
                    "TimesheetID",
                    "Timesheet",
                    ident,
                    single="Timesheet",
                )
            apps = payroll.get("LeaveApplications", [])
            if name == "au_leave" and ident is None:
                # the 1.0 list leaves requested and rejected applications out; /v2 has them
                apps = [a for a in apps if not au_leave_states(a) & AU_LEAVE_HIDDEN]
            return self._au_list(
                request,
                {"LeaveApplications": apps},
                "LeaveApplications",
                "LeaveApplicationID",
                "LeaveApplication",
                None if name == "au_leave_v2" else ident,
            )
        if name == "v2_tracking":
            payload = self._envelope2()
            payload["pagination"] = None
            payload["problem"] = None
            settings = payroll.get("Settings") or {}
            payload["trackingCategories"] = copy.deepcopy(settings.get("trackingCategories") or {})
            return json_response(payload)
        v2 = V2Payroll(self.clock.now, self._envelope2, PAYROLL_PAGE_SIZE)
        if name in ("v2_calendars", "v2_rates", "v2_timesheets", "v2_wages") and method == "GET":
            page = self._v2_page(request)
            if name == "v2_wages":
                assert ident is not None
                return v2.salary_and_wages(payroll, ident, page)
            if name == "v2_calendars":
                return v2.calendars(payroll, ident, page)
            if name == "v2_rates":
                return v2.earnings_rates(payroll, ident, page)
            return v2.list_timesheets(request, payroll, page, lambda n: _arg_ci(request, n))
        if name == "v2_timesheets":
            return v2.create_timesheet(request, org)
        assert ident is not None
        if name == "v2_timesheet":
            if method == "GET":
                return v2.get_timesheet(payroll, ident)
            return v2.delete_timesheet(org, ident)
        if name == "v2_lines":
            return v2.add_line(request, org, ident)
        if name == "v2_line":
            if method == "PUT":
                return v2.update_line(request, org, ident, parts[3])
            return v2.delete_line(org, ident, parts[3])
        if name == "v2_status":
            return v2.set_status(org, ident, parts[2].lower() == "approve")
        leave_id = parts[3] if len(parts) > 3 else None
        if method == "GET":
            return v2.list_leave(payroll, ident, leave_id)
        if method == "DELETE" and leave_id is not None:
            return v2.delete_leave(org, ident, leave_id)
        return v2.write_leave(request, org, ident, leave_id)

    def _au_list(
        self,
        request: Request,
        payroll: dict[str, Any],
        key: str,
        id_key: str,
        type_name: str,
        ident: str | None,
        single: str | None = None,
    ) -> Response:
        records = payroll.get(key, [])
        if ident is not None:
            found = [r for r in records if str(r.get(id_key, "")).lower() == ident.lower()]
            if not found:
                return _not_found()
            payload = self._envelope()
            if single:
                payload[single] = copy.deepcopy(found[0])
            else:
                payload[key] = copy.deepcopy(found[:1])
            return _pascal_response(request, payload)
        bad = lambda m: _pascal_response(  # noqa: E731
            request, _api_exception(16, "QueryParseException", m), 400
        )
        page = self._int_param(request, "page", bad) or 1
        where, order = _arg_ci(request, "where"), _arg_ci(request, "order")
        try:
            predicate = compile_where(where, type_name)[0] if where and where.strip() else None
            order_keys = compile_order(order, type_name) if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        since = _since(request)
        selected = [r for r in records if _modified_after(r, since)]
        if predicate is not None:
            try:
                selected = [r for r in selected if predicate(r)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            selected = apply_order(selected, order_keys, type_name)
        payload = self._envelope()
        payload[key] = copy.deepcopy(
            selected[(page - 1) * PAYROLL_PAGE_SIZE : page * PAYROLL_PAGE_SIZE]
        )
        return _pascal_response(request, payload)

    # -- AU 1.0
    def _au_employees(
        self, request: Request, payroll: dict[str, Any], ident: str | None
    ) -> Response:
        employees = payroll.get("Employees", [])
        if ident is not None:
            found = [e for e in employees if str(e.get("EmployeeID", "")).lower() == ident.lower()]
            if not found:
                return _not_found()
            payload = self._envelope()
            payload["Employees"] = found[:1]
            return _pascal_response(request, payload)
        bad = lambda m: _pascal_response(  # noqa: E731
            request, _api_exception(16, "QueryParseException", m), 400
        )
        page = self._int_param(request, "page", bad) or 1
        where = _arg_ci(request, "where")
        order = _arg_ci(request, "order")
        since = _since(request)
        try:
            if where and where.strip():
                predicate, used = compile_where(where, "Employee")
            else:
                predicate, used = None, set()
            order_keys = compile_order(order, "Employee") if order and order.strip() else []
        except QueryParseError as exc:
            return self._query_error(request, exc)
        selected = list(employees)
        if "Status" not in used:
            # "By default using GET Employees will return a summarised list of active
            # employees" (developer.xero.com/documentation/payroll-api/employees). Chosen: an
            # explicit Status condition in `where` replaces that default (so
            # where=Status=="TERMINATED" finds terminated employees).
            selected = [e for e in selected if e.get("Status", "ACTIVE") == "ACTIVE"]
        selected = [e for e in selected if _modified_after(e, since)]
        if predicate is not None:
            try:
                selected = [e for e in selected if predicate(e)]
            except _NullReference:
                return self._null_reference(request)
        if order_keys:
            selected = apply_order(selected, order_keys, "Employee")
        # Payroll AU pages by 100 whether or not `page` is given ("All payroll endpoints have
        # paginating results ... A maximum of 100 records will be returned per request"),
        # and sends no pagination block: a client loops until a short page.
        chunk = selected[(page - 1) * PAYROLL_PAGE_SIZE : page * PAYROLL_PAGE_SIZE]
        payload = self._envelope()
        payload["Employees"] = [
            {k: e[k] for k in AU_EMPLOYEE_SUMMARY_FIELDS if k in e} for e in chunk
        ]
        return _pascal_response(request, payload)

    def _au_pay_items(self, request: Request, payroll: dict[str, Any]) -> Response:
        """AU ``GET /PayItems``: If-Modified-Since, where, order and page as on the other AU
        lists (xero-payroll-au.yaml). PayItems holds four lists; `where` and `order` are read
        for each of them (chosen: the spec does not say which list a filter addresses), so a
        field must exist in every kind - e.g. ``Name``, ``CurrentRecord``, ``UpdatedDateUTC``
        - else QueryParseException names the first kind that lacks it. ``page`` pages each
        list by 100, as every AU payroll list."""
        bad = lambda m: _pascal_response(  # noqa: E731
            request, _api_exception(16, "QueryParseException", m), 400
        )
        page = self._int_param(request, "page", bad) or 1
        where, order = _arg_ci(request, "where"), _arg_ci(request, "order")
        since = _since(request)
        kinds = (
            ("EarningsRates", "EarningsRate"),
            ("DeductionTypes", "DeductionType"),
            ("LeaveTypes", "LeaveType"),
            ("ReimbursementTypes", "ReimbursementType"),
        )
        compiled = []
        try:
            for key, type_name in kinds:
                predicate = compile_where(where, type_name)[0] if where and where.strip() else None
                order_keys = compile_order(order, type_name) if order and order.strip() else []
                compiled.append((key, type_name, predicate, order_keys))
        except QueryParseError as exc:
            return self._query_error(request, exc)
        pay_items: dict[str, list[dict[str, Any]]] = {}
        for key, type_name, predicate, order_keys in compiled:
            selected = [x for x in payroll.get(key, []) if _modified_after(x, since)]
            if predicate is not None:
                try:
                    selected = [x for x in selected if predicate(x)]
                except _NullReference:
                    return self._null_reference(request)
            if order_keys:
                selected = apply_order(selected, order_keys, type_name)
            pay_items[key] = selected[(page - 1) * PAYROLL_PAGE_SIZE : page * PAYROLL_PAGE_SIZE]
        payload = self._envelope()
        payload["PayItems"] = pay_items
        return _pascal_response(request, payload)

    # -- NZ / UK 2.0 (JSON only, camelCase; If-Modified-Since is not a parameter: ignored)
    def _v2_page(self, request: Request) -> int:
        def bad(message: str) -> Response:
            return _payroll2_problem(
                400,
                "BadRequest",
                "Validation error occurred.",
                [{"name": "page", "reason": message}],
            )

        return self._int_param(request, "page", bad) or 1

    def _v2_list(self, key: str, records: list[dict[str, Any]], page: int) -> Response:
        total = len(records)
        payload = self._envelope2()
        payload["pagination"] = {
            "page": page,
            "pageSize": PAYROLL_PAGE_SIZE,
            "pageCount": math.ceil(total / PAYROLL_PAGE_SIZE) if total else 0,
            "itemCount": total,
        }
        payload["problem"] = None
        payload[key] = records[(page - 1) * PAYROLL_PAGE_SIZE : page * PAYROLL_PAGE_SIZE]
        return json_response(payload)

    def _v2_employees(
        self, request: Request, payroll: dict[str, Any], ident: str | None, region: str
    ) -> Response:
        employees = payroll.get("Employees", [])
        if ident is not None:
            found = [e for e in employees if str(e.get("employeeID", "")).lower() == ident.lower()]
            if not found:
                return _payroll2_problem(404, "NotFound", "Resource was not found")
            payload = self._envelope2()
            payload["pagination"] = None
            payload["problem"] = None
            payload["employee"] = found[0]
            return json_response(payload)
        page = self._v2_page(request)
        raw_filter = _arg_ci(request, "filter")
        selected = list(employees)
        if raw_filter:
            # filter=firstName==John,lastName==Smith (UK also isOffPayrollWorker==false):
            # comma-separated equality terms, values unquoted (spec parameter text).
            allowed = {"firstname": "firstName", "lastname": "lastName"}
            if region == "UK":
                allowed["isoffpayrollworker"] = "isOffPayrollWorker"
            for term in raw_filter.split(","):
                name, sep, value = term.partition("==")
                key = allowed.get(name.strip().lower())
                if not sep or key is None:
                    return _payroll2_problem(
                        400,
                        "BadRequest",
                        "Validation error occurred.",
                        [{"name": "filter", "reason": f"The filter '{term}' is not supported."}],
                    )
                value = value.strip()
                if key == "isOffPayrollWorker":
                    if value.lower() not in ("true", "false"):
                        return _payroll2_problem(
                            400,
                            "BadRequest",
                            "Validation error occurred.",
                            [{"name": "filter", "reason": f"'{value}' is not a boolean."}],
                        )
                    want = value.lower() == "true"
                    selected = [e for e in selected if bool(e.get(key)) == want]
                else:
                    # Matching is case-insensitive (SQL collation); not documented.
                    selected = [
                        e for e in selected if str(e.get(key) or "").casefold() == value.casefold()
                    ]
        return self._v2_list("employees", selected, page)

    def _v2_leave_types(self, request: Request, payroll: dict[str, Any]) -> Response:
        page = self._v2_page(request)
        types = list(payroll.get("LeaveTypes", []))
        # "ActiveOnly ... By default the API returns all leave types" (spec).
        if (_arg_ci(request, "ActiveOnly") or "").lower() == "true":
            types = [t for t in types if t.get("isActive", True)]
        return self._v2_list("leaveTypes", types, page)
