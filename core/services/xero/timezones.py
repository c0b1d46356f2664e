"""The organisation's own time zone: its "today" (a pay period has ended, a day has come).

Xero gives each organisation's zone in ``GET /Organisation``'s ``Timezone``: a Windows-style
name in capitals without spaces (``WAUSTRALIASTANDARDTIME`` for Perth), one of the
``TimeZone`` enum of the Accounting spec. :data:`XERO_ZONES` maps every value of that enum to
its IANA zone (Unicode CLDR's windowsZones table, its "001" territory). What the last read of
the organisation gave is kept per organisation (a :class:`Setting`): reading the day needs no
call. Until it is known (a connection made before it was kept), or for a value missing from
the table, the day is read in the region's main zone (Sydney for AU, Auckland for NZ, London
for UK), else on the computer's clock.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.services.auth.xero_oauth import normalise_version
from core.store.models import Setting

log = logging.getLogger(__name__)

#: ``Organisation.Timezone`` (Accounting spec, ``TimeZone`` enum) -> IANA zone
XERO_ZONES: dict[str, str] = {
    "AFGHANISTANSTANDARDTIME": "Asia/Kabul",
    "ALASKANSTANDARDTIME": "America/Anchorage",
    "ALEUTIANSTANDARDTIME": "America/Adak",
    "ALTAISTANDARDTIME": "Asia/Barnaul",
    "ARABIANSTANDARDTIME": "Asia/Dubai",
    "ARABICSTANDARDTIME": "Asia/Baghdad",
    "ARABSTANDARDTIME": "Asia/Riyadh",
    "ARGENTINASTANDARDTIME": "America/Argentina/Buenos_Aires",
    "ASTRAKHANSTANDARDTIME": "Europe/Astrakhan",
    "ATLANTICSTANDARDTIME": "America/Halifax",
    "AUSCENTRALSTANDARDTIME": "Australia/Darwin",
    "AUSCENTRALWSTANDARDTIME": "Australia/Eucla",
    "AUSEASTERNSTANDARDTIME": "Australia/Sydney",
    "AZERBAIJANSTANDARDTIME": "Asia/Baku",
    "AZORESSTANDARDTIME": "Atlantic/Azores",
    "BAHIASTANDARDTIME": "America/Bahia",
    "BANGLADESHSTANDARDTIME": "Asia/Dhaka",
    "BELARUSSTANDARDTIME": "Europe/Minsk",
    "BOUGAINVILLESTANDARDTIME": "Pacific/Bougainville",
    "CANADACENTRALSTANDARDTIME": "America/Regina",
    "CAPEVERDESTANDARDTIME": "Atlantic/Cape_Verde",
    "CAUCASUSSTANDARDTIME": "Asia/Yerevan",
    "CENAUSTRALIASTANDARDTIME": "Australia/Adelaide",
    "CENTRALAMERICASTANDARDTIME": "America/Guatemala",
    "CENTRALASIASTANDARDTIME": "Asia/Bishkek",  # UTC+6 (Almaty moved to +5 in 2024)
    "CENTRALBRAZILIANSTANDARDTIME": "America/Cuiaba",
    "CENTRALEUROPEANSTANDARDTIME": "Europe/Warsaw",
    "CENTRALEUROPESTANDARDTIME": "Europe/Budapest",
    "CENTRALPACIFICSTANDARDTIME": "Pacific/Guadalcanal",
    "CENTRALSTANDARDTIME": "America/Chicago",
    "CENTRALSTANDARDTIME(MEXICO)": "America/Mexico_City",
    "CHATHAMISLANDSSTANDARDTIME": "Pacific/Chatham",
    "CHINASTANDARDTIME": "Asia/Shanghai",
    "CUBASTANDARDTIME": "America/Havana",
    "DATELINESTANDARDTIME": "Etc/GMT+12",
    "EAFRICASTANDARDTIME": "Africa/Nairobi",
    "EASTERISLANDSTANDARDTIME": "Pacific/Easter",
    "EASTERNSTANDARDTIME": "America/New_York",
    "EASTERNSTANDARDTIME(MEXICO)": "America/Cancun",
    "EAUSTRALIASTANDARDTIME": "Australia/Brisbane",
    "EEUROPESTANDARDTIME": "Europe/Chisinau",
    "EGYPTSTANDARDTIME": "Africa/Cairo",
    "EKATERINBURGSTANDARDTIME": "Asia/Yekaterinburg",
    "ESOUTHAMERICASTANDARDTIME": "America/Sao_Paulo",
    "FIJISTANDARDTIME": "Pacific/Fiji",
    "FLESTANDARDTIME": "Europe/Kyiv",
    "GEORGIANSTANDARDTIME": "Asia/Tbilisi",
    "GMTSTANDARDTIME": "Europe/London",
    "GREENLANDSTANDARDTIME": "America/Nuuk",
    "GREENWICHSTANDARDTIME": "Atlantic/Reykjavik",
    "GTBSTANDARDTIME": "Europe/Bucharest",
    "HAITISTANDARDTIME": "America/Port-au-Prince",
    "HAWAIIANSTANDARDTIME": "Pacific/Honolulu",
    "INDIASTANDARDTIME": "Asia/Kolkata",
    "IRANSTANDARDTIME": "Asia/Tehran",
    "ISRAELSTANDARDTIME": "Asia/Jerusalem",
    "JORDANSTANDARDTIME": "Asia/Amman",
    "KALININGRADSTANDARDTIME": "Europe/Kaliningrad",
    "KAMCHATKASTANDARDTIME": "Asia/Kamchatka",  # (Windows' former name of Russia TZ 11)
    "KOREASTANDARDTIME": "Asia/Seoul",
    "LIBYASTANDARDTIME": "Africa/Tripoli",
    "LINEISLANDSSTANDARDTIME": "Pacific/Kiritimati",
    "LORDHOWESTANDARDTIME": "Australia/Lord_Howe",
    "MAGADANSTANDARDTIME": "Asia/Magadan",
    "MAGALLANESSTANDARDTIME": "America/Punta_Arenas",
    "MARQUESASSTANDARDTIME": "Pacific/Marquesas",
    "MAURITIUSSTANDARDTIME": "Indian/Mauritius",
    "MIDATLANTICSTANDARDTIME": "Etc/GMT+2",  # (Windows' former "Mid-Atlantic": UTC-2)
    "MIDDLEEASTSTANDARDTIME": "Asia/Beirut",
    "MONTEVIDEOSTANDARDTIME": "America/Montevideo",
    "MOROCCOSTANDARDTIME": "Africa/Casablanca",
    "MOUNTAINSTANDARDTIME": "America/Denver",
    "MOUNTAINSTANDARDTIME(MEXICO)": "America/Mazatlan",
    "MYANMARSTANDARDTIME": "Asia/Yangon",
    "NAMIBIASTANDARDTIME": "Africa/Windhoek",
    "NCENTRALASIASTANDARDTIME": "Asia/Novosibirsk",
    "NEPALSTANDARDTIME": "Asia/Kathmandu",
    "NEWFOUNDLANDSTANDARDTIME": "America/St_Johns",
    "NEWZEALANDSTANDARDTIME": "Pacific/Auckland",
    "NORFOLKSTANDARDTIME": "Pacific/Norfolk",
    "NORTHASIAEASTSTANDARDTIME": "Asia/Irkutsk",
    "NORTHASIASTANDARDTIME": "Asia/Krasnoyarsk",
    "NORTHKOREASTANDARDTIME": "Asia/Pyongyang",
    "OMSKSTANDARDTIME": "Asia/Omsk",
    "PACIFICSASTANDARDTIME": "America/Santiago",
    "PACIFICSTANDARDTIME": "America/Los_Angeles",
    "PACIFICSTANDARDTIME(MEXICO)": "America/Tijuana",
    "PAKISTANSTANDARDTIME": "Asia/Karachi",
    "PARAGUAYSTANDARDTIME": "America/Asuncion",
    "QYZYLORDASTANDARDTIME": "Asia/Qyzylorda",
    "ROMANCESTANDARDTIME": "Europe/Paris",
    "RUSSIANSTANDARDTIME": "Europe/Moscow",
    "RUSSIATIMEZONE10": "Asia/Srednekolymsk",
    "RUSSIATIMEZONE11": "Asia/Kamchatka",
    "RUSSIATIMEZONE3": "Europe/Samara",
    "SAEASTERNSTANDARDTIME": "America/Cayenne",
    "SAINTPIERRESTANDARDTIME": "America/Miquelon",
    "SAKHALINSTANDARDTIME": "Asia/Sakhalin",
    "SAMOASTANDARDTIME": "Pacific/Apia",
    "SAOTOMESTANDARDTIME": "Africa/Sao_Tome",
    "SAPACIFICSTANDARDTIME": "America/Bogota",
    "SARATOVSTANDARDTIME": "Europe/Saratov",
    "SAWESTERNSTANDARDTIME": "America/La_Paz",
    "SEASIASTANDARDTIME": "Asia/Bangkok",
    "SINGAPORESTANDARDTIME": "Asia/Singapore",
    "SOUTHAFRICASTANDARDTIME": "Africa/Johannesburg",
    "SOUTHSUDANSTANDARDTIME": "Africa/Juba",
    "SRILANKASTANDARDTIME": "Asia/Colombo",
    "SUDANSTANDARDTIME": "Africa/Khartoum",
    "SYRIASTANDARDTIME": "Asia/Damascus",
    "TAIPEISTANDARDTIME": "Asia/Taipei",
    "TASMANIASTANDARDTIME": "Australia/Hobart",
    "TOCANTINSSTANDARDTIME": "America/Araguaina",
    "TOKYOSTANDARDTIME": "Asia/Tokyo",
    "TOMSKSTANDARDTIME": "Asia/Tomsk",
    "TONGASTANDARDTIME": "Pacific/Tongatapu",
    "TRANSBAIKALSTANDARDTIME": "Asia/Chita",
    "TURKEYSTANDARDTIME": "Europe/Istanbul",
    "TURKSANDCAICOSSTANDARDTIME": "America/Grand_Turk",
    "ULAANBAATARSTANDARDTIME": "Asia/Ulaanbaatar",
    "USEASTERNSTANDARDTIME": "America/Indiana/Indianapolis",
    "USMOUNTAINSTANDARDTIME": "America/Phoenix",
    "UTC": "Etc/UTC",
    "UTC+12": "Etc/GMT-12",  # (the Etc zones' signs are POSIX's: GMT-12 is UTC+12)
    "UTC+13": "Etc/GMT-13",
    "UTC02": "Etc/GMT+2",  # UTC-02
    "UTC08": "Etc/GMT+8",
    "UTC09": "Etc/GMT+9",
    "UTC11": "Etc/GMT+11",
    "VENEZUELASTANDARDTIME": "America/Caracas",
    "VLADIVOSTOKSTANDARDTIME": "Asia/Vladivostok",
    "VOLGOGRADSTANDARDTIME": "Europe/Volgograd",
    "WAUSTRALIASTANDARDTIME": "Australia/Perth",
    "WCENTRALAFRICASTANDARDTIME": "Africa/Lagos",
    "WESTASIASTANDARDTIME": "Asia/Tashkent",
    "WESTBANKSTANDARDTIME": "Asia/Hebron",
    "WESTPACIFICSTANDARDTIME": "Pacific/Port_Moresby",
    "WEUROPESTANDARDTIME": "Europe/Berlin",
    "WMONGOLIASTANDARDTIME": "Asia/Hovd",
    "YAKUTSKSTANDARDTIME": "Asia/Yakutsk",
    "YUKONSTANDARDTIME": "America/Whitehorse",
}

#: the region's main zone: the day of an organisation whose own zone is not known
REGION_ZONES = {"AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "UK": "Europe/London"}

#: what a Windows display name has that the enum drops ("AUS Eastern Standard Time",
#: "E. Australia Standard Time", "UTC-02")
_NOT_IN_ENUM = re.compile(r"[\s.\-]")


def _setting(tenant_id: str) -> str:
    return f"xero_timezone:{tenant_id}"


def zone_name(timezone: str | None, version: str | None) -> str | None:
    """The IANA zone of an organisation: its ``Timezone``'s, else its region's main one
    (``version``: its Xero Version), else None (the computer's clock)."""
    key = _NOT_IN_ENUM.sub("", timezone or "").upper()
    if key in XERO_ZONES:
        return XERO_ZONES[key]
    if key:
        log.info("Xero organisation time zone %r is not known: its region's is used", timezone)
    return REGION_ZONES.get(normalise_version(version) or "")


def remember_timezone(tenant_id: str, timezone: str | None) -> None:
    """Keep the ``Timezone`` a read of the organisation gave ("" when it gave none)."""
    value = str(timezone or "")
    if Setting.get_value(_setting(tenant_id)) != value:
        Setting.set_value(_setting(tenant_id), value)


def stored_timezone(tenant_id: str) -> str | None:
    """The ``Timezone`` the last read of the organisation gave (None: never read)."""
    value = Setting.get_value(_setting(tenant_id))
    return value if isinstance(value, str) else None


def organisation_zone(conn: Any) -> ZoneInfo | None:
    """The organisation's time zone (a :class:`Connection`): see :func:`zone_name`."""
    version = conn.xero_version
    name = zone_name(stored_timezone(conn.xero_tenant_id), version)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a system without that zone's rules
        fallback = REGION_ZONES.get(normalise_version(version) or "")
        log.warning("Time zone %s is not on this computer (region's: %s)", name, fallback)
        try:
            return ZoneInfo(fallback) if fallback and fallback != name else None
        except (ZoneInfoNotFoundError, ValueError):
            return None


def _now() -> datetime:
    return datetime.now(UTC)


def organisation_today(conn: Any) -> date:
    """Today in the organisation's own time zone (a day "has ended" when it is over there)."""
    zone = organisation_zone(conn)
    now = _now()
    return now.astimezone(zone).date() if zone is not None else now.astimezone().date()
