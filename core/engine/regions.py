"""Which Xero organisations have which APIs. Decided from GET /Organisation (Version, CountryCode).

Payroll exists only for Australia (payroll.xro/1.0), New Zealand and the United Kingdom
(payroll.xro/2.0). US organisations run payroll through Gusto and "Global" organisations have
none: for them the import covers customers, items and tracking categories only.
"""

from __future__ import annotations

from enum import Enum

PAYROLL_COUNTRIES = frozenset({"AU", "NZ", "GB"})


class PayrollApi(Enum):
    AU = "payroll.xro/1.0"  # PascalCase, /Date()/ dates, Status field
    V2 = "payroll.xro/2.0"  # NZ and UK: camelCase, status derived from endDate
    NONE = ""


def base_version(version: str | None) -> str:
    """``AUONRAMP`` → ``AU``: on-ramp editions share their region's APIs."""
    v = (version or "").upper()
    return v.removesuffix("ONRAMP") or "GLOBAL"


def payroll_api(version: str | None) -> PayrollApi:
    v = base_version(version)
    if v == "AU":
        return PayrollApi.AU
    if v in ("NZ", "UK"):
        return PayrollApi.V2
    return PayrollApi.NONE


def has_payroll(version: str | None) -> bool:
    return payroll_api(version) is not PayrollApi.NONE


def version_for_country(country_code: str) -> str:
    """The Xero edition an organisation in ``country_code`` (ISO-2) normally has."""
    cc = country_code.upper()
    return {"AU": "AU", "NZ": "NZ", "GB": "UK", "US": "US"}.get(cc, "GLOBAL")


def country_has_payroll(country_code: str) -> bool:
    return country_code.upper() in PAYROLL_COUNTRIES


def country_from_locale(name: str | None) -> str | None:
    """The country a system locale names (``"fr_CA"``, ``"en-AU.UTF-8"`` → CA, AU), to
    propose on the first page; None when it names none (``"C"``, ``"fr"``, ``"en_001"``)."""
    if not name:
        return None
    base = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    parts = [p for p in base.split("_") if p]
    for part in parts[1:]:  # language first, then script (Latn) and/or territory
        if len(part) == 2 and part.isalpha():
            return "GB" if part.upper() == "UK" else part.upper()
    return None
