"""A Xero organisation's settings the invoices depend on: tax rates, chart of accounts,
currencies (the Demo Company's and any company file's).

Every Xero organisation starts with its country's default tax rates and chart of accounts
and with its base currency; an organisation in a company file that does not list them
(``TaxRates``, ``Accounts``, ``Currencies`` beside its ``Contacts``) has those defaults, as
the real one would. Sources:

* Default tax rates per organisation version, their names and which account classes each can
  be used with: Xero's "Tax Rate Constraints" table (developer.xero.com/documentation/api/
  tax-rates, as copied by integrators' help pages) and the spec's ``GET /TaxRates`` example
  (NZ, used as is). Rates: AU GST 10 %, NZ GST 15 %, UK VAT 20 % / 5 %; the Global (Canadian)
  organisation's own sales rate ``TAX001`` is GST 5 % + QST 9.975 % (two components).
* Since March 2013 an Australian organisation has no ``NONE`` rate: Xero maps a line's
  ``NONE`` to ``EXEMPTEXPENSES`` on an expense account and to ``BASEXCLUDED`` on any other
  (developer.xero.com "Changes to tax codes in Australia"): :func:`au_retired_tax_type`.
* Time zone: an invoice written without ``Date`` is dated "the current date based on the
  timezone setting of the organisation" (spec ``Invoice.Date``): :func:`organisation_today`.
* Currencies: an organisation bills in its base currency and in the currencies it enabled
  (Xero's Settings > Currencies; an invoice in another is refused, Xero's message "Organisation
  is not subscribed to currency …"). A foreign-currency invoice without ``CurrencyRate`` gets
  "the XE.com day rate" (spec ``Invoice.CurrencyRate``); offline, the simulator's day rate is
  the fixed table :data:`DEMO_DAY_RATES` (units of each currency for one US dollar, so the
  rate of a pair is the quotient), rounded to 6 decimals like Xero's ``[18].[6]`` rate.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: account Class -> the TaxRate flag that allows a rate on accounts of that class
CLASS_FLAG = {
    "ASSET": "CanApplyToAssets",
    "EQUITY": "CanApplyToEquity",
    "EXPENSE": "CanApplyToExpenses",
    "LIABILITY": "CanApplyToLiabilities",
    "REVENUE": "CanApplyToRevenue",
}
#: account Type -> Class (spec AccountType / Account.Class)
TYPE_CLASS = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}

# Which account classes a rate can be used with (Assets, Equity, Expenses, Liabilities,
# Revenue), by the kinds of rate in Xero's constraint table.
_USE = {
    "all": (True, True, True, True, True),
    "sales": (True, True, False, True, True),  # income rates: not on expense accounts
    "purchases": (True, True, True, True, False),  # expense rates: not on revenue accounts
    "imports": (False, False, False, True, False),  # GST/VAT on imports: liabilities only
    "zero_sales": (False, False, False, True, True),  # NZ Zero Rated (spec example)
}

# (TaxType, Name, ReportTaxType, use, components [(name, rate)], Status)
_Rate = tuple[str, str, str, str, tuple[tuple[str, str], ...], str]

_AU: tuple[_Rate, ...] = (
    ("BASEXCLUDED", "BAS Excluded", "BASEXCLUDED", "all", (("GST", "0"),), "ACTIVE"),
    ("EXEMPTCAPITAL", "GST Free Capital", "EXEMPTCAPITAL", "purchases", (("GST", "0"),), "ACTIVE"),
    (
        "EXEMPTEXPENSES",
        "GST Free Expenses",
        "EXEMPTEXPENSES",
        "purchases",
        (("GST", "0"),),
        "ACTIVE",
    ),
    ("EXEMPTEXPORT", "GST Free Exports", "EXEMPTEXPORT", "sales", (("GST", "0"),), "ACTIVE"),
    ("EXEMPTOUTPUT", "GST Free Income", "EXEMPTOUTPUT", "sales", (("GST", "0"),), "ACTIVE"),
    ("CAPEXINPUT", "GST on Capital", "CAPITALEXINPUT", "purchases", (("GST", "10"),), "ACTIVE"),
    (
        "GSTONCAPIMPORTS",
        "GST on Capital Imports",
        "GSTONCAPIMPORTS",
        "imports",
        (("GST", "0"),),
        "ACTIVE",
    ),
    ("INPUT", "GST on Expenses", "INPUT", "purchases", (("GST", "10"),), "ACTIVE"),
    ("GSTONIMPORTS", "GST on Imports", "GSTONIMPORTS", "imports", (("GST", "0"),), "ACTIVE"),
    ("OUTPUT", "GST on Income", "OUTPUT", "sales", (("GST", "10"),), "ACTIVE"),
    ("INPUTTAXED", "Input Taxed", "INPUTTAXED", "all", (("GST", "0"),), "ACTIVE"),
)
_NZ: tuple[_Rate, ...] = (
    ("INPUT2", "15% GST on Expenses", "INPUT", "purchases", (("GST", "15"),), "ACTIVE"),
    ("OUTPUT2", "15% GST on Income", "OUTPUT", "sales", (("GST", "15"),), "ACTIVE"),
    ("GSTONIMPORTS", "GST on Imports", "GSTONIMPORTS", "imports", (("GST", "0"),), "ACTIVE"),
    ("NONE", "No GST", "NONE", "all", (("GST", "0"),), "ACTIVE"),
    ("ZERORATED", "Zero Rated", "OUTPUT", "zero_sales", (("GST", "0"),), "ACTIVE"),
)
_UK: tuple[_Rate, ...] = (
    ("INPUT2", "20% (VAT on Expenses)", "INPUT", "purchases", (("VAT", "20"),), "ACTIVE"),
    ("OUTPUT2", "20% (VAT on Income)", "OUTPUT", "sales", (("VAT", "20"),), "ACTIVE"),
    ("RRINPUT", "5% (VAT on Expenses)", "INPUT", "purchases", (("VAT", "5"),), "ACTIVE"),
    ("RROUTPUT", "5% (VAT on Income)", "OUTPUT", "sales", (("VAT", "5"),), "ACTIVE"),
    ("EXEMPTINPUT", "Exempt Expenses", "EXEMPTINPUT", "purchases", (("VAT", "0"),), "ACTIVE"),
    ("EXEMPTOUTPUT", "Exempt Income", "EXEMPTOUTPUT", "sales", (("VAT", "0"),), "ACTIVE"),
    ("NONE", "No VAT", "NONE", "all", (("VAT", "0"),), "ACTIVE"),
    ("GSTONIMPORTS", "VAT on Imports", "GSTONIMPORTS", "imports", (("VAT", "0"),), "ACTIVE"),
    ("ZERORATEDINPUT", "Zero Rated Expenses", "INPUT", "purchases", (("VAT", "0"),), "ACTIVE"),
    ("ZERORATEDOUTPUT", "Zero Rated Income", "OUTPUT", "sales", (("VAT", "0"),), "ACTIVE"),
    ("ECZROUTPUT", "Zero Rated EC Goods Income", "ECOUTPUT", "sales", (("VAT", "0"),), "ACTIVE"),
    (
        "ECZROUTPUTSERVICES",
        "Zero Rated EC Services",
        "ECOUTPUTSERVICES",
        "sales",
        (("VAT", "0"),),
        "ACTIVE",
    ),
    # the rate before January 2011, kept (archived) by organisations that used it
    ("OUTPUT", "17.5% (VAT on Income)", "OUTPUT", "sales", (("VAT", "17.5"),), "ARCHIVED"),
)
_GLOBAL_DEFAULTS: tuple[_Rate, ...] = (
    ("GSTONIMPORTS", "Sales Tax on Imports", "GSTONIMPORTS", "imports", (("Tax", "0"),), "ACTIVE"),
    ("NONE", "Tax Exempt", "NONE", "all", (("Tax", "0"),), "ACTIVE"),
    ("INPUT", "Tax on Purchases", "INPUT", "all", (("Tax", "0"),), "ACTIVE"),
    ("OUTPUT", "Tax on Sales", "OUTPUT", "all", (("Tax", "0"),), "ACTIVE"),
)
#: the Québec organisation's own rates (a Global organisation adds TAX001, TAX002, ...)
_GLOBAL: tuple[_Rate, ...] = (
    *_GLOBAL_DEFAULTS,
    (
        "TAX001",
        "TPS et TVQ sur les ventes",
        "OUTPUT",
        "sales",
        (("TPS", "5"), ("TVQ", "9.975")),
        "ACTIVE",
    ),
    (
        "TAX002",
        "TPS et TVQ sur les achats",
        "INPUT",
        "purchases",
        (("TPS", "5"), ("TVQ", "9.975")),
        "ACTIVE",
    ),
)
_RATES = {"AU": _AU, "NZ": _NZ, "UK": _UK, "GLOBAL": _GLOBAL, "US": _GLOBAL_DEFAULTS}

# Chart of accounts: (Code, Name, Type, {version: TaxType}) - the accounts the demo's items,
# earnings rates and invoices name, with the default chart's tax rate for each version.
_SALES = {"AU": "OUTPUT", "NZ": "OUTPUT2", "UK": "OUTPUT2", "GLOBAL": "TAX001", "US": "OUTPUT"}
_PURCHASES = {"AU": "INPUT", "NZ": "INPUT2", "UK": "INPUT2", "GLOBAL": "INPUT", "US": "INPUT"}
_EXEMPT_SALES = {"AU": "EXEMPTOUTPUT", "NZ": "NONE", "UK": "EXEMPTOUTPUT"}
_OUT_OF_SCOPE = {"AU": "BASEXCLUDED"}
_ACCOUNTS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("200", "Sales", "REVENUE", _SALES),
    ("260", "Other Revenue", "REVENUE", _SALES),
    ("270", "Interest Income", "REVENUE", _EXEMPT_SALES),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", _PURCHASES),
    ("429", "General Expenses", "EXPENSE", _PURCHASES),
    ("477", "Wages and Salaries", "EXPENSE", _OUT_OF_SCOPE),
    ("630", "Inventory", "INVENTORY", _OUT_OF_SCOPE),
)

#: Currency descriptions as GET /Currencies gives them
CURRENCY_NAMES = {
    "AUD": "Australian Dollar",
    "CAD": "Canadian Dollar",
    "CHF": "Swiss Franc",
    "CNY": "Chinese Yuan Renminbi",
    "EUR": "Euro",
    "GBP": "British Pound",
    "HKD": "Hong Kong Dollar",
    "JPY": "Japanese Yen",
    "NZD": "New Zealand Dollar",
    "SGD": "Singapore Dollar",
    "USD": "United States Dollar",
    "ZAR": "South African Rand",
}
#: The simulator's fixed "day rate": units of each currency for one US dollar (mid-2025
#: levels, rounded). Xero's CurrencyRate is foreign units per one unit of the base
#: currency: a CAD organisation's USD invoice gets USD/CAD = 1 / 1.37 = 0.729927.
DEMO_DAY_RATES = {
    "AUD": Decimal("1.53"),
    "CAD": Decimal("1.37"),
    "CHF": Decimal("0.80"),
    "CNY": Decimal("7.18"),
    "EUR": Decimal("0.86"),
    "GBP": Decimal("0.74"),
    "HKD": Decimal("7.85"),
    "JPY": Decimal("145.0"),
    "NZD": Decimal("1.66"),
    "SGD": Decimal("1.28"),
    "USD": Decimal("1"),
    "ZAR": Decimal("17.8"),
}


def _rates_version(version: str) -> str:
    """AUONRAMP and the other *ONRAMP editions have their country's rates."""
    version = version.upper().removesuffix("ONRAMP")
    return version if version in _RATES else "GLOBAL"


def default_tax_rates(version: str) -> list[dict[str, Any]]:
    """The organisation version's tax rates as ``GET /TaxRates`` returns them."""
    out = []
    for tax_type, name, report, use, components, status in _RATES[_rates_version(version)]:
        effective = sum((Decimal(rate) for _n, rate in components), Decimal(0))
        flags = dict(zip(CLASS_FLAG.values(), _USE[use], strict=True))
        out.append(
            {
                "Name": name,
                "TaxType": tax_type,
                "ReportTaxType": report,
                "CanApplyToAssets": flags["CanApplyToAssets"],
                "CanApplyToEquity": flags["CanApplyToEquity"],
                "CanApplyToExpenses": flags["CanApplyToExpenses"],
                "CanApplyToLiabilities": flags["CanApplyToLiabilities"],
                "CanApplyToRevenue": flags["CanApplyToRevenue"],
                "DisplayTaxRate": float(effective),
                "EffectiveRate": float(effective),
                "Status": status,
                "TaxComponents": [
                    {
                        "Name": comp,
                        "Rate": float(Decimal(rate)),
                        "IsCompound": False,
                        "IsNonRecoverable": False,
                    }
                    for comp, rate in components
                ],
            }
        )
    return out


def default_accounts(version: str, tenant_id: str, updated: str) -> list[dict[str, Any]]:
    """The organisation's chart of accounts (the accounts invoices and items name), as
    ``GET /Accounts`` returns it. ``AccountID`` is derived from the tenant and the code, so
    the same organisation always has the same ids; ``updated`` is their UpdatedDateUTC."""
    v = _rates_version(version)
    none = "BASEXCLUDED" if v == "AU" else "NONE"
    out = []
    for code, name, kind, taxes in _ACCOUNTS:
        klass = TYPE_CLASS[kind]
        out.append(
            {
                "AccountID": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"xero:{tenant_id}:account:{code}")
                ),
                "Code": code,
                "Name": name,
                "Status": "ACTIVE",
                "Type": kind,
                "TaxType": taxes.get(v, none),
                "Class": klass,
                "EnablePaymentsToAccount": False,
                "ShowInExpenseClaims": klass == "EXPENSE",
                "HasAttachments": False,
                "UpdatedDateUTC": updated,
                "AddToWatchlist": False,
            }
        )
    return out


def currency(code: str) -> dict[str, str]:
    """One currency as ``GET /Currencies`` returns it."""
    return {"Code": code, "Description": CURRENCY_NAMES.get(code, code)}


def au_retired_tax_type(tax_type: str, account_class: str | None) -> str:
    """An Australian line's retired ``NONE``/``EXEMPTINPUT`` as Xero maps it (see above)."""
    if tax_type == "NONE":
        return "EXEMPTEXPENSES" if account_class == "EXPENSE" else "BASEXCLUDED"
    if tax_type == "EXEMPTINPUT":
        return "BASEXCLUDED"
    return tax_type


def day_rate(base: str, code: str) -> float | None:
    """The day rate of ``code`` for an organisation in ``base`` (units of ``code`` for one
    unit of ``base``), or None when the table has no rate for either."""
    if base not in DEMO_DAY_RATES or code not in DEMO_DAY_RATES:
        return None
    rate = DEMO_DAY_RATES[code] / DEMO_DAY_RATES[base]
    return float(rate.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def money(value: Decimal) -> Decimal:
    """Rounded to cents, halves away from zero (as Xero rounds amounts)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


#: The simulator's own setting of where each of its organisations is: the IANA zone of each
#: ``Organisation.Timezone`` its organisations have (the Demo Company's, the generated
#: ones'; the Windows zone names of Xero's ``TimeZone`` enum, read as Windows reads them).
ORGANISATION_ZONES = {
    "AUSEASTERNSTANDARDTIME": "Australia/Sydney",
    "EASTERNSTANDARDTIME": "America/New_York",
    "GMTSTANDARDTIME": "Europe/London",
    "NEWZEALANDSTANDARDTIME": "Pacific/Auckland",
    "PACIFICSTANDARDTIME": "America/Los_Angeles",
}
#: An organisation whose ``Timezone`` the table does not list: its country's main zone
_VERSION_ZONES = {"AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "UK": "Europe/London"}


def organisation_zone(org: dict[str, Any]) -> tzinfo:
    """Where ``org`` (an organisation of the company file: ``Organisation`` and the rest) is:
    the IANA zone its file sets beside ``Organisation`` (``"zone"``, the simulator's own
    setting, never in an answer), else the zone of its ``Organisation.Timezone``
    (:data:`ORGANISATION_ZONES`), else its country's main zone, else UTC."""
    details = org.get("Organisation") or {}
    version = str(details.get("Version") or "").upper().removesuffix("ONRAMP")
    for name in (
        org.get("zone"),
        ORGANISATION_ZONES.get(str(details.get("Timezone") or "").upper()),
        _VERSION_ZONES.get(version),
    ):
        if isinstance(name, str) and name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


def organisation_today(org: dict[str, Any], ts: float) -> date:
    """The calendar date at the organisation at clock reading ``ts``."""
    return datetime.fromtimestamp(ts, organisation_zone(org)).date()
