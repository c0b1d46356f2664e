"""The Demo Company's data: a deterministic builder of the company file.

``build_demo_company()`` returns the small, hand-written "Maison Verdure" group (three Xero
organisations, one QuickBooks Time account already in use) that ships as
``resources/demo/company.json``. ``generate_large()`` returns one large organisation for
benchmarks. Both return the company-file format read by :class:`core.sandbox.common.CompanyStore`::

    {"xero": {"organisations": [{"tenantId", "tenantName", "tenantType", "Organisation",
                                 "Contacts", "Items", "TrackingCategories", "payroll"?}]},
     "qbtime": {"token", "current_user_id", "company", "users", "jobcodes",
                "jobcode_assignments", "customfields", "customfielditems", "locations"}}

Every object is shaped exactly as the real API's GET returns it: Xero accounting and AU
payroll in PascalCase with ``/Date(ms+0000)/`` dates and empty-string address/phone slots;
UK/NZ payroll in camelCase with ISO dates (``null`` where the real API sends ``null``);
QuickBooks Time objects with ``""`` for empty maps and ``"0000-00-00"`` for empty dates.

Nothing here reads the wall clock or global randomness: every value comes from a seeded
``random.Random`` and fixed base timestamps, so the same call always gives the same data.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import random
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.sandbox.common import iso_offset, iso_utc, ms_date
from core.sandbox.demo_hours import add_demo_hours
from core.sandbox.xero_settings import currency, default_accounts, default_tax_rates

__all__ = [
    "DEMO_SEED",
    "EMPLOYEE_CASES",
    "NEAR_MISS_CASES",
    "REGIONS",
    "EmployeeCase",
    "NearMiss",
    "build_demo_company",
    "employee_cases_markdown",
    "generate_large",
    "near_miss_table_markdown",
]

REGIONS = ("AU", "UK", "NZ", "GLOBAL", "US")
PAYROLL_REGIONS = ("AU", "UK", "NZ")
DEMO_SEED = 20240701

DAY = 86400
BASE_TS = 1688169600  # 2023-07-01T00:00:00Z: Xero records were last touched after this
QBT_BASE_TS = 1672531200  # 2023-01-01T00:00:00Z: the QB Time account was set up then
#: 2025-01-01T00:00:00Z: from here the generated account's objects come at most a minute
#: apart (see _QBTime._stamp)
QBT_BUSY_TS = 1735689600
SPAN_TS = 600 * DAY  # edits spread over ~20 months
QBT_NAME_MAX = 64  # QB Time jobcode name limit

# --------------------------------------------------------------------------- near-miss catalogue


@dataclass(frozen=True)
class NearMiss:
    """One deliberate pairing between a Xero contact and a QB Time customer (top-level jobcode).

    ``org`` is the organisation key ("AU", "UK" or "CA"); ``xero_name`` is ``None`` when the QB
    Time customer has no Xero counterpart at all.
    """

    category: str
    org: str
    xero_name: str | None
    qbtime_name: str | None
    note: str


@dataclass(frozen=True)
class EmployeeCase:
    """One deliberate pairing between a Xero payroll employee and a QB Time user.

    ``xero``/``qbtime`` are ``(first name, last name, email)``; ``""`` means no email.
    """

    category: str
    org: str
    xero: tuple[str, str, str] | None
    qbtime: tuple[str, str, str] | None
    note: str


_NBSP = "\u00a0"
_LONG_AU = "The Trustee for the Hendricks-Whitfield Family Superannuation Fund No. 2"

NEAR_MISS_CASES: tuple[NearMiss, ...] = (
    # ---- Australia (the org the demo is meant to be bound to first)
    NearMiss("exact", "AU", "Hornsby Shire Council", "Hornsby Shire Council", "identical name"),
    NearMiss("exact", "AU", "Mosman Rowing Club", "Mosman Rowing Club", "identical name"),
    NearMiss("exact", "AU", "Olivia Nguyen", "Olivia Nguyen", "identical name (a person)"),
    NearMiss("exact", "AU", "O'Brien Homes", "O'Brien Homes", "identical name with an apostrophe"),
    NearMiss("exact", "AU", "Taronga Vet Clinic", "Taronga Vet Clinic", "identical name"),
    NearMiss(
        "exact",
        "AU",
        "Cronulla Surf Life Saving Club",
        "Cronulla Surf Life Saving Club",
        "identical name",
    ),
    NearMiss("exact", "AU", "Kirribilli Dental", "Kirribilli Dental", "identical name"),
    NearMiss(
        "exact",
        "AU",
        "Greenfield Homes",
        "Greenfield Homes",
        "identical name; a numbered twin exists too",
    ),
    NearMiss(
        "exact_with_children",
        "AU",
        "Northern Beaches Council",
        "Northern Beaches Council",
        "identical name; has 3 child jobs (one archived)",
    ),
    NearMiss(
        "case",
        "AU",
        "Smith Family Trust",
        "smith family trust",
        "differs only by case; Xero has two contacts that normalise to this name",
    ),
    NearMiss(
        "duplicate_in_xero",
        "AU",
        "SMITH FAMILY TRUST ",
        "smith family trust",
        "second Xero contact: upper case + trailing space",
    ),
    NearMiss(
        "accents",
        "AU",
        "Pâtisserie Éclair Bondi",
        "Patisserie Eclair Bondi",
        "accents missing in QB Time",
    ),
    NearMiss(
        "ampersand", "AU", "Harbour & Hills Strata", "Harbour and Hills Strata", "'&' vs 'and'"
    ),
    NearMiss(
        "suffix", "AU", "Bondi Beach Cafe Pty Ltd", "Bondi Beach Cafe", "'Pty Ltd' only in Xero"
    ),
    NearMiss(
        "suffix",
        "AU",
        "Greenway Developments",
        "Greenway Developments Pty Ltd",
        "'Pty Ltd' only in QB Time",
    ),
    NearMiss(
        "spaces",
        "AU",
        "Coastal Body Corporate Services",
        "Coastal  Body Corporate Services",
        "double space in QB Time",
    ),
    NearMiss(
        "punctuation",
        "AU",
        "St. George's Parish Council",
        "St Georges Parish Council",
        "full stop and apostrophe dropped",
    ),
    NearMiss(
        "punctuation", "AU", "North-Shore Aged Care", "North Shore Aged Care", "hyphen vs space"
    ),
    NearMiss(
        "invisible",
        "AU",
        "Bella Vista Retirement Village",
        "Bella Vista" + _NBSP + "Retirement Village",
        "no-break space (U+00A0) pasted into QB Time",
    ),
    NearMiss(
        "fuzzy",
        "AU",
        "Chip Davis Real Estate",
        "Chippy Davis Real Estate",
        "nickname: needs a fuzzy score, not a normaliser",
    ),
    NearMiss(
        "truncated",
        "AU",
        _LONG_AU,
        _LONG_AU[:QBT_NAME_MAX].rstrip(),
        "Xero name is longer than QB Time's 64-character limit; QB Time holds the cut name",
    ),
    NearMiss(
        "numbered_duplicate",
        "AU",
        "Greenfield Homes",
        "Greenfield Homes-1",
        "left over from an earlier import that created a duplicate",
    ),
    NearMiss(
        "archived_in_qbtime",
        "AU",
        "Manly Wharf Hotel",
        "Manly Wharf Hotel",
        "archived in QB Time, active in Xero",
    ),
    NearMiss(
        "xero_not_customer",
        "AU",
        "Paddington Bowling Club",
        "Paddington Bowling Club",
        "exact name, but the Xero contact was never invoiced (IsCustomer false)",
    ),
    NearMiss(
        "xero_archived",
        "AU",
        "Glebe Community Garden",
        "Glebe Community Garden",
        "archived in Xero, active in QB Time",
    ),
    NearMiss("qbtime_only", "AU", None, "Walk-in Customers", "no Xero counterpart"),
    NearMiss("qbtime_only", "AU", None, "Henderson Residence (quote)", "no Xero counterpart"),
    NearMiss(
        "qbtime_only", "AU", None, "Yard & Depot Maintenance", "no Xero counterpart (internal job)"
    ),
    NearMiss(
        "xero_only_long",
        "AU",
        "Department of Planning and Environment – Parks and Wildlife Group (Sydney Metropolitan Region)",
        None,
        "longer than 64 characters; only in Xero (must be shortened on import)",
    ),
    # ---- United Kingdom
    NearMiss("exact", "UK", "Richmond Cricket Club", "Richmond Cricket Club", "identical name"),
    NearMiss(
        "exact", "UK", "Guildford Dental Practice", "Guildford Dental Practice", "identical name"
    ),
    NearMiss("exact", "UK", "Epsom Downs Care Home", "Epsom Downs Care Home", "identical name"),
    NearMiss(
        "suffix",
        "UK",
        "Thames Valley Estates Ltd",
        "Thames Valley Estates Limited",
        "'Ltd' vs 'Limited'",
    ),
    NearMiss(
        "accents",
        "UK",
        "Crème de la Crème Catering",
        "Creme de la Creme Catering",
        "accents missing in QB Time",
    ),
    NearMiss("case", "UK", "Wimbledon Lawn Lettings", "WIMBLEDON LAWN LETTINGS", "all capitals"),
    NearMiss("ampersand", "UK", "Hobbs & Sons Builders", "Hobbs and Sons Builders", "'&' vs 'and'"),
    NearMiss(
        "punctuation",
        "UK",
        "Kew Residents' Association",
        "Kew Residents Association",
        "apostrophe dropped",
    ),
    NearMiss(
        "archived_in_qbtime",
        "UK",
        "St Mary's Primary School",
        "St Mary's Primary School",
        "archived in QB Time, active in Xero",
    ),
    NearMiss("qbtime_only", "UK", None, "Wandsworth Bridge Offices", "no Xero counterpart"),
    # ---- Canada / Québec (invoicing only)
    NearMiss(
        "accents",
        "CA",
        "Café Saint-Éloi Ltée",
        "Cafe Saint-Eloi Ltee",
        "accents missing in QB Time",
    ),
    NearMiss(
        "accents",
        "CA",
        "Boulangerie Côté & Fils",
        "Boulangerie Cote & Fils",
        "accents missing in QB Time",
    ),
    NearMiss(
        "exact",
        "CA",
        "Dépanneur Chez Ginette",
        "Dépanneur Chez Ginette",
        "identical name with accents",
    ),
    NearMiss(
        "exact_with_children",
        "CA",
        "Ville de Laval",
        "Ville de Laval",
        "identical name; has 2 child jobs",
    ),
    NearMiss(
        "ampersand",
        "CA",
        "Fromagerie Gagnon & Fille",
        "Fromagerie Gagnon et Fille",
        "'&' vs French 'et'",
    ),
    NearMiss(
        "suffix", "CA", "Gestion Laurentides Inc.", "Gestion Laurentides", "'Inc.' only in Xero"
    ),
    NearMiss(
        "case",
        "CA",
        "Résidence Les Jardins d'Outremont",
        "résidence les jardins d'outremont",
        "all lower case",
    ),
    NearMiss(
        "punctuation",
        "CA",
        "Clinique dentaire Brossard Inc.",
        "Clinique dentaire Brossard Inc",
        "final full stop dropped",
    ),
    NearMiss("qbtime_only", "CA", None, "Chantier rue Jarry (soumission)", "no Xero counterpart"),
)

EMPLOYEE_CASES: tuple[EmployeeCase, ...] = (
    # ---- Australia
    EmployeeCase(
        "exact",
        "AU",
        ("Olivia", "Brown", "olivia.brown@maisonverdure.com.au"),
        ("Olivia", "Brown", "olivia.brown@maisonverdure.com.au"),
        "first, last and email equal",
    ),
    EmployeeCase(
        "exact",
        "AU",
        ("Noah", "Williams", "noah.williams@maisonverdure.com.au"),
        ("Noah", "Williams", "noah.williams@maisonverdure.com.au"),
        "first, last and email equal",
    ),
    EmployeeCase(
        "exact",
        "AU",
        ("Jack", "Wilson", "jack.wilson@maisonverdure.com.au"),
        ("Jack", "Wilson", "jack.wilson@maisonverdure.com.au"),
        "exact, but Xero has a second Jack Wilson",
    ),
    EmployeeCase(
        "duplicate_name_in_xero",
        "AU",
        ("Jack", "Wilson", "jackw.hort@gmail.com"),
        ("Jack", "Wilson", "jack.wilson@maisonverdure.com.au"),
        "same first+last as another Xero employee, different email",
    ),
    EmployeeCase(
        "other_email",
        "AU",
        ("Liam", "O'Connor", "liam.oconnor@maisonverdure.com.au"),
        ("Liam", "O'Connor", "liam.oc@gmail.com"),
        "same name, another email",
    ),
    EmployeeCase(
        "name_case",
        "AU",
        ("Mackenzie", "McDonald", "mackenzie.mcdonald@maisonverdure.com.au"),
        ("Mackenzie", "Mcdonald", "mackenzie.mcdonald@maisonverdure.com.au"),
        "last name cased differently",
    ),
    EmployeeCase(
        "accents",
        "AU",
        ("Zoé", "Lefèvre", "zoe.lefevre@maisonverdure.com.au"),
        ("Zoe", "Lefevre", "zoe.lefevre@maisonverdure.com.au"),
        "accents missing in QB Time",
    ),
    EmployeeCase(
        "nickname",
        "AU",
        ("Chip", "Davis", "chip.davis@maisonverdure.com.au"),
        ("Chippy", "DAVIS", "chip.davis@maisonverdure.com.au"),
        "nickname + capitals; same email",
    ),
    EmployeeCase(
        "no_email_qbtime",
        "AU",
        ("Harper", "Singh", "harper.singh@maisonverdure.com.au"),
        ("Harper", "Singh", ""),
        "QB Time user has no email",
    ),
    EmployeeCase(
        "no_email_both",
        "AU",
        ("Ava", "Thompson", ""),
        ("Ava", "Thompson", ""),
        "no email on either side: name only",
    ),
    EmployeeCase(
        "terminated_in_xero",
        "AU",
        ("Ethan", "Nguyen", "ethan.nguyen@maisonverdure.com.au"),
        ("Ethan", "Nguyen", "ethan.nguyen@maisonverdure.com.au"),
        "TERMINATED in Xero, still active in QB Time",
    ),
    EmployeeCase(
        "archived_in_qbtime",
        "AU",
        ("Isla", "Campbell", "isla.campbell@maisonverdure.com.au"),
        ("Isla", "Campbell", "isla.campbell@maisonverdure.com.au"),
        "active in Xero, archived in QB Time",
    ),
    EmployeeCase("xero_only", "AU", ("Mia", "Rossi", ""), None, "no email, not in QB Time"),
    EmployeeCase(
        "xero_only",
        "AU",
        ("Charlotte", "Kelly", "charlotte.kelly@maisonverdure.com.au"),
        None,
        "terminated, not in QB Time",
    ),
    EmployeeCase(
        "qbtime_only",
        "AU",
        None,
        ("Dave", "Kowalski", "dave@kowalskitrees.com.au"),
        "subcontractor tracked in QB Time only",
    ),
    # ---- United Kingdom
    EmployeeCase(
        "exact",
        "UK",
        ("Oliver", "Hughes", "oliver.hughes@maisonverdure.co.uk"),
        ("Oliver", "Hughes", "oliver.hughes@maisonverdure.co.uk"),
        "first, last and email equal",
    ),
    EmployeeCase(
        "exact",
        "UK",
        ("Amelia", "Clarke", "amelia.clarke@maisonverdure.co.uk"),
        ("Amelia", "Clarke", "amelia.clarke@maisonverdure.co.uk"),
        "first, last and email equal",
    ),
    EmployeeCase(
        "exact",
        "UK",
        ("Sophie", "Turner", "sophie.turner@maisonverdure.co.uk"),
        ("Sophie", "Turner", "sophie.turner@maisonverdure.co.uk"),
        "exact, but Xero has a second Sophie Turner",
    ),
    EmployeeCase(
        "duplicate_name_in_xero",
        "UK",
        ("Sophie", "Turner", "sophie.t.gardens@outlook.com"),
        ("Sophie", "Turner", "sophie.turner@maisonverdure.co.uk"),
        "same first+last as another Xero employee, different email",
    ),
    EmployeeCase(
        "name_case",
        "UK",
        ("George", "Patel", "george.patel@maisonverdure.co.uk"),
        ("george", "patel", "george.patel@maisonverdure.co.uk"),
        "all lower case in QB Time",
    ),
    EmployeeCase(
        "accents",
        "UK",
        ("Chloé", "Bernard", "chloe.bernard@maisonverdure.co.uk"),
        ("Chloe", "Bernard", "chloe.bernard@maisonverdure.co.uk"),
        "accent missing in QB Time",
    ),
    EmployeeCase(
        "other_email",
        "UK",
        ("Grace", "O'Neill", "grace.oneill@maisonverdure.co.uk"),
        ("Grace", "O'Neill", "grace.oneill@btinternet.com"),
        "same name, another email",
    ),
    EmployeeCase("xero_only", "UK", ("Harry", "Evans", ""), None, "no email, not in QB Time"),
)

# --------------------------------------------------------------------------- text helpers


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _ascii_slug(text: str, sep: str = "") -> str:
    words = re.findall(r"[a-z0-9]+", _strip_accents(text).lower())
    return sep.join(words)


def _dedupe_key(name: str) -> str:
    """A loose key (accents, case, punctuation, spaces, '&'/'and' ignored) to avoid accidental twins."""
    text = _strip_accents(name).casefold().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    words = [w for w in words if w not in ("and", "et")]
    while words and words[-1] in (
        "pty",
        "ltd",
        "limited",
        "inc",
        "ltee",
        "llp",
        "llc",
        "enr",
        "corp",
    ):
        words.pop()
    return " ".join(words)


def _mail_local(first: str, last: str) -> str:
    return f"{_ascii_slug(first)}.{_ascii_slug(last)}"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _iso_date(ts: float) -> str:
    return iso_utc(ts)[:10]


# --------------------------------------------------------------------------- ids


class _Ids:
    """Deterministic identifiers: v4-shaped UUIDs and QB Time integer ids, never repeated."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def uuid(self) -> str:
        while True:
            value = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            if value not in self.seen:
                self.seen.add(value)
                return value

    def hex(self, nbytes: int) -> str:
        return f"{self.rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"


class _Counter:
    def __init__(self, start: int, step_max: int = 1, rng: random.Random | None = None) -> None:
        self.value = start
        self.step_max = step_max
        self.rng = rng

    def next(self) -> int:
        step = 1 if self.rng is None or self.step_max <= 1 else self.rng.randint(1, self.step_max)
        self.value += step
        return self.value


# --------------------------------------------------------------------------- locales


@dataclass(frozen=True)
class _Locale:
    key: str
    country: str  # Xero contact address Country
    country_code: str  # Organisation.CountryCode
    payroll_country: str  # UK/NZ payroll address countryName, AU HomeAddress Country
    currency: str
    phone_cc: str
    tld: str
    cities: tuple[tuple[str, str, str, str], ...]  # city, region, postcode prefix, area code
    streets: tuple[str, ...]
    pobox: str  # format with {n}
    unit: str  # format with {n}
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    templates: tuple[str, ...]  # "+" at the end = may take a legal suffix
    suffixes: tuple[str, ...]
    tax_out: str
    tax_in: str
    line_amounts: str


_EN_FIRST = (
    "Olivia",
    "Noah",
    "Charlotte",
    "Oliver",
    "Amelia",
    "William",
    "Isla",
    "Jack",
    "Mia",
    "Henry",
    "Ava",
    "Leo",
    "Grace",
    "Lucas",
    "Chloe",
    "Thomas",
    "Ella",
    "James",
    "Ruby",
    "Ethan",
    "Zara",
    "Samuel",
    "Harper",
    "Daniel",
    "Matilda",
    "Max",
    "Ivy",
    "Archie",
    "Sophie",
    "Liam",
    "Emily",
    "Hugo",
    "Layla",
    "Oscar",
    "Evie",
    "Finn",
    "Lily",
    "Harry",
    "Priya",
    "Wei",
    "Aisha",
    "Mateo",
    "Hannah",
    "Ben",
    "Sarah",
    "Raj",
    "Nina",
    "Tom",
)
_EN_LAST = (
    "Smith",
    "Jones",
    "Williams",
    "Brown",
    "Wilson",
    "Taylor",
    "Johnson",
    "White",
    "Martin",
    "Anderson",
    "Thompson",
    "Nguyen",
    "Thomas",
    "Walker",
    "Harris",
    "Lee",
    "Ryan",
    "Robinson",
    "Kelly",
    "King",
    "Davis",
    "Wright",
    "Evans",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davies",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Morgan",
    "Moore",
    "Campbell",
    "Chen",
    "Singh",
    "Murphy",
    "Young",
    "Scott",
    "Baker",
    "Carter",
    "Cooper",
    "Fraser",
    "Gibson",
    "Hughes",
    "Kennedy",
    "Lawson",
    "Marsh",
    "Novak",
    "Quinn",
)
_FR_FIRST = (
    "Émilie",
    "Léa",
    "Chloé",
    "Zoé",
    "Mathis",
    "Félix",
    "Gabriel",
    "Élodie",
    "Jérôme",
    "François",
    "Hélène",
    "Geneviève",
    "Benoît",
    "Amélie",
    "Étienne",
    "Noémie",
    "Sébastien",
    "Maxime",
    "Justine",
    "Frédéric",
    "Louis",
    "Camille",
    "Olivier",
    "Mélanie",
    "Marc-André",
    "Jean-François",
    "Isabelle",
    "Nathalie",
    "Stéphane",
    "Sylvie",
    "Raphaël",
    "Océane",
    "Antoine",
    "Béatrice",
    "Julien",
    "Josée",
)
_FR_LAST = (
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
    "Caron",
    "Beaulieu",
    "Cloutier",
    "Dubé",
    "Poirier",
    "Fournier",
    "Lapointe",
    "Leclerc",
    "Lefebvre",
    "Poulin",
    "Thibault",
    "St-Pierre",
    "Nadeau",
    "Martel",
    "Bédard",
    "Grenier",
    "Vézina",
    "Hébert",
    "Desjardins",
    "Mercier",
)

_LOCALES: dict[str, _Locale] = {
    "AU": _Locale(
        key="AU",
        country="Australia",
        country_code="AU",
        payroll_country="AUSTRALIA",
        currency="AUD",
        phone_cc="61",
        tld="com.au",
        cities=(
            ("Bondi", "NSW", "2026", "02"),
            ("Manly", "NSW", "2095", "02"),
            ("Mosman", "NSW", "2088", "02"),
            ("Chatswood", "NSW", "2067", "02"),
            ("Parramatta", "NSW", "2150", "02"),
            ("Cronulla", "NSW", "2230", "02"),
            ("Balmain", "NSW", "2041", "02"),
            ("Newtown", "NSW", "2042", "02"),
            ("Hornsby", "NSW", "2077", "02"),
            ("Penrith", "NSW", "2750", "02"),
            ("Dee Why", "NSW", "2099", "02"),
            ("Randwick", "NSW", "2031", "02"),
            ("Newcastle", "NSW", "2300", "02"),
            ("Gosford", "NSW", "2250", "02"),
            ("Castle Hill", "NSW", "2154", "02"),
            ("Lane Cove", "NSW", "2066", "02"),
            ("Ryde", "NSW", "2112", "02"),
            ("Coogee", "NSW", "2034", "02"),
            ("Marrickville", "NSW", "2204", "02"),
            ("Wollongong", "NSW", "2500", "02"),
            ("Brisbane", "QLD", "4000", "07"),
            ("Canberra", "ACT", "2600", "02"),
        ),
        streets=(
            "Campbell Parade",
            "Military Road",
            "Pittwater Road",
            "Oxford Street",
            "Church Street",
            "Victoria Road",
            "King Street",
            "Pacific Highway",
            "Ocean Street",
            "Darling Street",
            "Old Northern Road",
            "Beach Road",
            "George Street",
            "Parramatta Road",
            "Anzac Parade",
            "Belgrave Street",
        ),
        pobox="PO Box {n}",
        unit="Unit {n}",
        first_names=_EN_FIRST,
        last_names=_EN_LAST,
        templates=(
            "{place} Dental+",
            "{place} Medical Centre",
            "{last} Constructions+",
            "{last} & {last2} Lawyers",
            "{place} Bowling Club",
            "{place} Child Care Centre",
            "{last} Family Trust",
            "{place} Strata Management+",
            "{last} Property Group+",
            "{place} Veterinary Hospital",
            "{place} Physiotherapy+",
            "{last} Homes+",
            "{place} Tennis Club",
            "{place} Public School P&C",
            "{last} Real Estate+",
            "{place} Apartments",
            "{place} Motel",
            "{last}'s Bakery",
            "{place} Golf Club",
            "{last} Plumbing+",
            "{place} Surf Life Saving Club",
            "{last} Electrical+",
            "{place} RSL Club",
            "{last} & Co Accountants",
        ),
        suffixes=(" Pty Ltd",),
        tax_out="OUTPUT",
        tax_in="INPUT",
        line_amounts="INCLUSIVE",
    ),
    "NZ": _Locale(
        key="NZ",
        country="New Zealand",
        country_code="NZ",
        payroll_country="NEW ZEALAND",
        currency="NZD",
        phone_cc="64",
        tld="co.nz",
        cities=(
            ("Auckland", "Auckland", "1010", "09"),
            ("Wellington", "Wellington", "6011", "04"),
            ("Christchurch", "Canterbury", "8011", "03"),
            ("Hamilton", "Waikato", "3204", "07"),
            ("Tauranga", "Bay of Plenty", "3110", "07"),
            ("Dunedin", "Otago", "9016", "03"),
            ("Napier", "Hawke's Bay", "4110", "06"),
            ("Nelson", "Nelson", "7010", "03"),
            ("Rotorua", "Bay of Plenty", "3010", "07"),
            ("Queenstown", "Otago", "9300", "03"),
            ("Whangārei", "Northland", "0110", "09"),
            ("Palmerston North", "Manawatū", "4410", "06"),
        ),
        streets=(
            "Queen Street",
            "Taranaki Street",
            "Colombo Street",
            "Victoria Street",
            "Ponsonby Road",
            "Lambton Quay",
            "Cameron Road",
            "George Street",
            "High Street",
            "Karangahape Road",
        ),
        pobox="PO Box {n}",
        unit="Unit {n}",
        first_names=(*_EN_FIRST, "Aroha", "Nikau", "Mere", "Tama"),
        last_names=(*_EN_LAST, "Ngata", "Parata", "Tipene", "Walsh"),
        templates=(
            "{place} Dental+",
            "{place} Medical Centre",
            "{last} Builders+",
            "{place} Bowling Club",
            "{place} Kindergarten",
            "{last} Family Trust",
            "{place} Body Corporate",
            "{last} Property Management+",
            "{place} Vets",
            "{last} Homes+",
            "{place} Tennis Club",
            "{place} School PTA",
            "{last} Realty+",
            "{place} Motor Lodge",
            "{last}'s Bakery",
            "{place} Golf Club",
            "{last} Plumbing+",
            "{place} Surf Club",
            "{last} & {last2} Lawyers",
        ),
        suffixes=(" Limited", " Ltd"),
        tax_out="OUTPUT2",
        tax_in="INPUT2",
        line_amounts="INCLUSIVE",
    ),
    "UK": _Locale(
        key="UK",
        country="United Kingdom",
        country_code="GB",
        payroll_country="UNITED KINGDOM",
        currency="GBP",
        phone_cc="44",
        tld="co.uk",
        cities=(
            ("Richmond", "Surrey", "TW9", "020"),
            ("Guildford", "Surrey", "GU1", "01483"),
            ("Kingston upon Thames", "Surrey", "KT1", "020"),
            ("Wimbledon", "London", "SW19", "020"),
            ("Putney", "London", "SW15", "020"),
            ("Epsom", "Surrey", "KT18", "01372"),
            ("Reigate", "Surrey", "RH2", "01737"),
            ("Sevenoaks", "Kent", "TN13", "01732"),
            ("Tunbridge Wells", "Kent", "TN1", "01892"),
            ("Woking", "Surrey", "GU21", "01483"),
            ("Dorking", "Surrey", "RH4", "01306"),
            ("Oxford", "Oxfordshire", "OX1", "01865"),
            ("Henley-on-Thames", "Oxfordshire", "RG9", "01491"),
            ("Maidstone", "Kent", "ME14", "01622"),
            ("Canterbury", "Kent", "CT1", "01227"),
            ("Croydon", "London", "CR0", "020"),
            ("Sutton", "London", "SM1", "020"),
            ("Fulham", "London", "SW6", "020"),
            ("Clapham", "London", "SW4", "020"),
            ("Islington", "London", "N1", "020"),
        ),
        streets=(
            "High Street",
            "Station Road",
            "Church Lane",
            "London Road",
            "Kingsway",
            "Mill Lane",
            "The Green",
            "Park Road",
            "Victoria Road",
            "Queen's Road",
            "Manor Way",
            "Riverside Walk",
            "Castle Street",
            "Orchard Close",
        ),
        pobox="PO Box {n}",
        unit="Flat {n}",
        first_names=(*_EN_FIRST, "Alfie", "Poppy", "Freddie", "Imogen"),
        last_names=(*_EN_LAST, "Ashworth", "Pennington", "Whitaker", "Hobbs"),
        templates=(
            "{place} Dental Practice",
            "{place} Surgery",
            "{last} Lettings+",
            "{last} & {last2} Estate Agents+",
            "{place} Cricket Club",
            "{place} Primary School",
            "{place} Parish Council",
            "{place} Residents' Association",
            "{place} Care Home+",
            "{place} Hotel+",
            "{place} Golf Club",
            "{last} Garden Centre+",
            "{last} Homes+",
            "{place} Management Company+",
            "{last} & Sons Builders+",
            "{place} Tennis Club",
            "{last} Solicitors+",
            "{place} Veterinary Centre+",
            "{place} Nursery School",
            "The {last} Arms",
        ),
        suffixes=(" Ltd", " Limited", " LLP"),
        tax_out="OUTPUT2",
        tax_in="INPUT2",
        line_amounts="EXCLUSIVE",
    ),
    "CA": _Locale(
        key="CA",
        country="Canada",
        country_code="CA",
        payroll_country="CANADA",
        currency="CAD",
        phone_cc="1",
        tld="ca",
        cities=(
            ("Montréal", "QC", "H2X", "514"),
            ("Laval", "QC", "H7N", "450"),
            ("Longueuil", "QC", "J4K", "450"),
            ("Québec", "QC", "G1R", "418"),
            ("Gatineau", "QC", "J8X", "819"),
            ("Sherbrooke", "QC", "J1H", "819"),
            ("Trois-Rivières", "QC", "G9A", "819"),
            ("Boucherville", "QC", "J4B", "450"),
            ("Terrebonne", "QC", "J6W", "450"),
            ("Saint-Jérôme", "QC", "J7Z", "450"),
            ("Brossard", "QC", "J4W", "450"),
            ("Lévis", "QC", "G6V", "418"),
            ("Mont-Tremblant", "QC", "J8E", "819"),
            ("Blainville", "QC", "J7C", "450"),
            ("Ottawa", "ON", "K1P", "613"),
        ),
        streets=(
            "rue Saint-Denis",
            "boulevard Saint-Laurent",
            "rue Sherbrooke Ouest",
            "avenue du Mont-Royal",
            "chemin de la Côte-des-Neiges",
            "rue Principale",
            "boulevard des Laurentides",
            "rue Notre-Dame Est",
            "avenue Laurier",
            "rue de l'Église",
            "boulevard Taschereau",
            "rue King Ouest",
            "Grande Allée Est",
        ),
        pobox="C.P. {n}",
        unit="bureau {n}",
        first_names=_FR_FIRST,
        last_names=_FR_LAST,
        templates=(
            "Boulangerie {last}+",
            "Clinique dentaire {place}+",
            "Dépanneur {last}",
            "Garderie {place}",
            "Syndicat de copropriété {last}-{place}",
            "Pharmacie {last}",
            "Résidence {last}",
            "Restaurant Chez {first}",
            "Fromagerie {last}+",
            "Construction {last} & Fils+",
            "Gestion immobilière {place}+",
            "Centre sportif de {place}",
            "Auberge {place}",
            "Traiteur {last}+",
            "École {last}",
            "Coiffure {first}",
            "Les Entreprises {last}+",
            "Plomberie {last}+",
            "Toitures {place}+",
            "Quincaillerie {last}+",
            "Club de golf {place}",
        ),
        suffixes=(" Inc.", " Ltée", " enr."),
        tax_out="TAX001",
        tax_in="INPUT",
        line_amounts="EXCLUSIVE",
    ),
    "US": _Locale(
        key="US",
        country="United States",
        country_code="US",
        payroll_country="UNITED STATES",
        currency="USD",
        phone_cc="1",
        tld="com",
        cities=(
            ("Portland", "OR", "97205", "503"),
            ("Seattle", "WA", "98101", "206"),
            ("Boise", "ID", "83702", "208"),
            ("Denver", "CO", "80202", "303"),
            ("Austin", "TX", "78701", "512"),
            ("Burlington", "VT", "05401", "802"),
            ("Madison", "WI", "53703", "608"),
            ("Asheville", "NC", "28801", "828"),
            ("Eugene", "OR", "97401", "541"),
            ("Spokane", "WA", "99201", "509"),
        ),
        streets=(
            "Main Street",
            "Oak Avenue",
            "Pine Street",
            "Maple Drive",
            "Cedar Lane",
            "Washington Avenue",
            "Lake Road",
            "Hillside Drive",
            "2nd Street",
            "Elm Street",
        ),
        pobox="PO Box {n}",
        unit="Suite {n}",
        first_names=_EN_FIRST,
        last_names=_EN_LAST,
        templates=(
            "{place} Dental+",
            "{last} Construction+",
            "{place} HOA",
            "{last} & {last2} LLP",
            "{place} Country Club",
            "{place} Pediatrics+",
            "{last} Realty+",
            "{place} Elementary PTA",
            "{last} Family Trust",
            "{place} Veterinary Clinic+",
            "{last} Plumbing+",
            "{place} Apartments",
            "{last}'s Bakery",
            "{place} Tennis Club",
        ),
        suffixes=(" LLC", " Inc.", " Corp."),
        tax_out="OUTPUT",
        tax_in="INPUT",
        line_amounts="EXCLUSIVE",
    ),
}
_REGION_LOCALE = {"AU": "AU", "UK": "UK", "NZ": "NZ", "GLOBAL": "CA", "US": "US"}


def _random_ts(rng: random.Random, base: float = BASE_TS, span: float = SPAN_TS) -> float:
    """A timestamp with millisecond precision inside [base, base + span)."""
    return base + rng.randrange(int(span * 1000)) / 1000.0


def _random_date_ts(rng: random.Random, start_year: int, end_year: int) -> int:
    """Midnight UTC of a random day between Jan 1st of start_year and Dec 31st of end_year."""
    start = (start_year - 1970) * 365.2425 * DAY
    end = (end_year + 1 - 1970) * 365.2425 * DAY
    day = rng.randrange(int(start // DAY) + 1, int(end // DAY) - 1)
    return day * DAY


# --------------------------------------------------------------------------- Xero accounting


def _empty_address(kind: str) -> dict[str, str]:
    return {
        "AddressType": kind,
        "AddressLine1": "",
        "AddressLine2": "",
        "AddressLine3": "",
        "AddressLine4": "",
        "City": "",
        "Region": "",
        "PostalCode": "",
        "Country": "",
        "AttentionTo": "",
    }


def _postcode(loc: _Locale, prefix: str, rng: random.Random) -> str:
    if loc.key == "UK":
        return f"{prefix} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    if loc.key == "CA":
        return (
            f"{prefix} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVWXYZ')}{rng.randint(0, 9)}"
        )
    return prefix


def _street_line(loc: _Locale, rng: random.Random) -> str:
    number = rng.randint(1, 420) if loc.key != "CA" else rng.randint(100, 9900)
    street = rng.choice(loc.streets)
    return f"{number}, {street}" if loc.key == "CA" else f"{number} {street}"


def _addresses(
    loc: _Locale, rng: random.Random, style: str, attention: str = ""
) -> list[dict[str, str]]:
    """Xero always returns a STREET and a POBOX slot; unused slots hold empty strings."""
    street, pobox = _empty_address("STREET"), _empty_address("POBOX")
    if style in ("street", "both"):
        city, region, prefix, _ = rng.choice(loc.cities)
        street.update(
            {
                "AddressLine1": _street_line(loc, rng),
                "City": city,
                "Region": region,
                "PostalCode": _postcode(loc, prefix, rng),
                "Country": loc.country,
            }
        )
        if rng.random() < 0.2:
            street["AddressLine2"] = loc.unit.format(n=rng.randint(1, 40))
    if style in ("pobox", "both"):
        city, region, prefix, _ = rng.choice(loc.cities)
        pobox.update(
            {
                "AddressLine1": loc.pobox.format(n=rng.randint(10, 9999)),
                "City": city,
                "Region": region,
                "PostalCode": _postcode(loc, prefix, rng),
                "Country": loc.country,
                "AttentionTo": attention,
            }
        )
    return [street, pobox]


def _phone_number(loc: _Locale, rng: random.Random, mobile: bool) -> tuple[str, str]:
    """(area code, number) in the local style."""
    if loc.key == "AU":
        if mobile:
            return "", f"04{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        return "02", f"{rng.randint(8000, 9999)} {rng.randint(1000, 9999)}"
    if loc.key == "NZ":
        if mobile:
            return "", f"021 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        return rng.choice(loc.cities)[3], f"{rng.randint(300, 999)} {rng.randint(1000, 9999)}"
    if loc.key == "UK":
        if mobile:
            return "", f"07700 {rng.randint(900000, 900999)}"
        area = rng.choice(loc.cities)[3]
        if area == "020":
            return area, f"{rng.randint(7000, 8999)} {rng.randint(1000, 9999)}"
        return area, f"{rng.randint(100000, 999999)}"
    area = rng.choice(loc.cities)[3]
    return area, f"{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"


def _phones(loc: _Locale, rng: random.Random, default: bool, mobile: bool) -> list[dict[str, str]]:
    """Xero returns the four contact phone slots, empty strings when unused."""
    slots = []
    for kind in ("DDI", "DEFAULT", "FAX", "MOBILE"):
        slot = {"PhoneType": kind, "PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""}
        if (kind == "DEFAULT" and default) or (kind == "MOBILE" and mobile):
            area, number = _phone_number(loc, rng, mobile=kind == "MOBILE")
            slot.update(
                {"PhoneNumber": number, "PhoneAreaCode": area, "PhoneCountryCode": loc.phone_cc}
            )
        slots.append(slot)
    return slots


def _tax_number(loc: _Locale, rng: random.Random) -> str:
    if loc.key == "AU":
        return f"{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    if loc.key == "UK":
        return f"GB{rng.randint(100000000, 999999999)}"
    if loc.key == "CA":
        return f"{rng.randint(100000000, 999999999)}RT0001"
    if loc.key == "NZ":
        return f"{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}"
    return f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"


@dataclass
class _ContactSpec:
    name: str
    role: str  # "C" customer, "S" supplier, "CS" both, "N" never invoiced
    archived: bool
    person: tuple[str, str] | None
    address: str  # "both" | "street" | "pobox" | "none"
    is_person: bool = False  # the contact is an individual (name == person)


def _parse_contact_specs(rows: Iterable[str]) -> list[_ContactSpec]:
    """Rows are ``flags|name|person|address``; flags C/S/CS/N, prefixed "x" when archived.

    ``person`` is "First Last" (split at the first space), "=" for "the contact is this person",
    or empty for none.
    """
    specs = []
    for row in rows:
        flags, name, person, address = row.split("|")
        archived = flags.startswith("x")
        role = flags.removeprefix("x")
        first_last: tuple[str, str] | None = None
        is_person = person == "="
        source = name if is_person else person
        if source:
            first, _, last = source.partition(" ")
            first_last = (first, last)
        specs.append(_ContactSpec(name, role, archived, first_last, address, is_person))
    return specs


def _contact(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    spec: _ContactSpec,
    *,
    seq: int,
    email_domain: str | None = None,
) -> dict[str, Any]:
    """One contact exactly as ``GET /Contacts/{ContactID}`` returns it (attachments aside)."""
    is_customer = "C" in spec.role
    is_supplier = "S" in spec.role
    domain = email_domain or f"{_ascii_slug(spec.name)[:24] or 'mail'}.{loc.tld}"
    email = ""
    if spec.person and rng.random() < 0.9:
        first, last = spec.person
        if spec.is_person:
            email = f"{_mail_local(first, last)}@{rng.choice(('gmail.com', 'outlook.com', 'icloud.com'))}"
        else:
            email = f"{_ascii_slug(first)}@{domain}"
    elif not spec.person and spec.role != "N" and rng.random() < 0.6:
        email = f"accounts@{domain}"
    attention = f"{spec.person[0]} {spec.person[1]}" if spec.person and not spec.is_person else ""
    contact: dict[str, Any] = {"ContactID": ids.uuid()}
    if is_customer and rng.random() < 0.35:
        contact["ContactNumber"] = f"{loc.key}-{seq:05d}"
    if is_customer and rng.random() < 0.5:
        contact["AccountNumber"] = f"C{1000 + seq}"
    elif is_supplier and rng.random() < 0.5:
        contact["AccountNumber"] = f"S{5000 + seq}"
    contact["ContactStatus"] = "ARCHIVED" if spec.archived else "ACTIVE"
    contact["Name"] = spec.name
    if spec.person:
        contact["FirstName"], contact["LastName"] = spec.person
    contact["EmailAddress"] = email
    contact["BankAccountDetails"] = ""
    if not spec.is_person and rng.random() < 0.45:
        contact["TaxNumber"] = _tax_number(loc, rng)
    contact["Addresses"] = _addresses(loc, rng, spec.address, attention)
    has_phone = rng.random() < 0.85
    contact["Phones"] = _phones(
        loc,
        rng,
        default=has_phone and not spec.is_person,
        mobile=(spec.is_person or rng.random() < 0.4) and has_phone,
    )
    contact["UpdatedDateUTC"] = ms_date(_random_ts(rng))
    contact["ContactGroups"] = []
    contact["IsSupplier"] = is_supplier
    contact["IsCustomer"] = is_customer
    contact["SalesDefaultLineAmountType"] = loc.line_amounts
    contact["PurchasesDefaultLineAmountType"] = loc.line_amounts
    if rng.random() < 0.5:
        contact["DefaultCurrency"] = loc.currency
    if not spec.is_person and rng.random() < 0.3:
        contact["Website"] = f"https://www.{domain}"
    if is_customer or is_supplier:
        receivable = round(rng.choice((0.0, 0.0, rng.uniform(80, 4800))), 2) if is_customer else 0.0
        payable = round(rng.choice((0.0, rng.uniform(40, 2600))), 2) if is_supplier else 0.0
        contact["Balances"] = {
            "AccountsReceivable": {
                "Outstanding": receivable,
                "Overdue": round(receivable * rng.choice((0.0, 0.0, 0.5, 1.0)), 2),
            },
            "AccountsPayable": {"Outstanding": payable, "Overdue": 0.0},
        }
    persons = []
    if spec.person and not spec.is_person and rng.random() < 0.45:
        for _ in range(rng.randint(1, 2)):
            first, last = rng.choice(loc.first_names), rng.choice(loc.last_names)
            persons.append(
                {
                    "FirstName": first,
                    "LastName": last,
                    "EmailAddress": f"{_mail_local(first, last)}@{domain}",
                    "IncludeInEmails": rng.random() < 0.5,
                }
            )
    contact["ContactPersons"] = persons
    contact["HasAttachments"] = False
    contact["HasValidationErrors"] = False
    return contact


class _NameMaker:
    """Believable, unique contact names for a locale (filler for the demo, bulk for benchmarks)."""

    def __init__(self, loc: _Locale, rng: random.Random, reserved: Iterable[str] = ()) -> None:
        self.loc = loc
        self.rng = rng
        self.keys: set[str] = {_dedupe_key(n) for n in reserved}
        self.places = tuple(c[0] for c in loc.cities)

    def _draw(self) -> tuple[str, tuple[str, str] | None, bool]:
        rng, loc = self.rng, self.loc
        if rng.random() < 0.3:
            first, last = rng.choice(loc.first_names), rng.choice(loc.last_names)
            return f"{first} {last}", (first, last), True
        template = rng.choice(loc.templates)
        name = template.rstrip("+").format(
            place=rng.choice(self.places),
            last=rng.choice(loc.last_names),
            last2=rng.choice(loc.last_names),
            first=rng.choice(loc.first_names),
        )
        if template.endswith("+") and rng.random() < 0.4:
            name += rng.choice(loc.suffixes)
        person = (
            (rng.choice(loc.first_names), rng.choice(loc.last_names))
            if rng.random() < 0.8
            else None
        )
        return name, person, False

    def make(self) -> tuple[str, tuple[str, str] | None, bool]:
        for attempt in range(12):
            name, person, is_person = self._draw()
            if attempt >= 6:  # crowded: qualify with a place, as real businesses do
                name = f"{name} ({self.rng.choice(self.places)})"
            key = _dedupe_key(name)
            if key not in self.keys:
                self.keys.add(key)
                return name, person, is_person
        n = 2
        while f"{_dedupe_key(name)} {n}" in self.keys:
            n += 1
        name = f"{name} No. {n}"
        self.keys.add(_dedupe_key(name))
        return name, person, is_person


def _item(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    *,
    code: str,
    name: str,
    kind: str,
    price: float | None,
    cost: float | None = None,
    qty: float = 0.0,
) -> dict[str, Any]:
    """An item as ``GET /Items`` returns it.

    kind: "service" (sold, untracked), "sold_purchased" (sold + purchased, untracked),
    "tracked" (inventory), "purchase_only" (IsSold false), "sold_noprice" (sold, no details).
    """
    item: dict[str, Any] = {"ItemID": ids.uuid(), "Code": code}
    sold = kind != "purchase_only"
    purchased = kind in ("sold_purchased", "tracked", "purchase_only")
    if sold:
        item["Description"] = name
    if purchased:
        item["PurchaseDescription"] = f"{name} (supplier)"
    item["UpdatedDateUTC"] = ms_date(_random_ts(rng))
    if not purchased:
        item["PurchaseDetails"] = {}
    elif kind == "tracked":
        item["PurchaseDetails"] = {
            "UnitPrice": cost,
            "COGSAccountCode": "310",
            "TaxType": loc.tax_in,
        }
    else:
        item["PurchaseDetails"] = {"UnitPrice": cost, "AccountCode": "429", "TaxType": loc.tax_in}
    if sold and price is not None:
        item["SalesDetails"] = {"UnitPrice": price, "AccountCode": "200", "TaxType": loc.tax_out}
    else:
        item["SalesDetails"] = {}
    item["Name"] = name
    item["IsTrackedAsInventory"] = kind == "tracked"
    if kind == "tracked":
        item["InventoryAssetAccountCode"] = "630"
        item["TotalCostPool"] = round(qty * (cost or 0.0), 2)
        item["QuantityOnHand"] = qty
    item["IsSold"] = sold
    item["IsPurchased"] = purchased
    return item


def _tracking_category(
    ids: _Ids, name: str, options: Sequence[tuple[str, str]], status: str = "ACTIVE"
) -> dict[str, Any]:
    """As ``GET /TrackingCategories?includeArchived=true`` returns it (options with status)."""
    cat_id = ids.uuid()
    return {
        "Name": name,
        "Status": status,
        "TrackingCategoryID": cat_id,
        "Options": [
            {"TrackingOptionID": ids.uuid(), "Name": opt, "Status": opt_status}
            for opt, opt_status in options
        ],
    }


def _organisation(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    *,
    version: str,
    name: str,
    legal_name: str,
    short_code: str,
    timezone: str,
    created_ts: float,
    org_class: str,
    website: str,
    line_of_business: str,
    tax_basis: str,
    tax_period: str,
    fy_end: tuple[int, int],
    registration: str | None,
    tax_number: str | None,
) -> dict[str, Any]:
    """One organisation as ``GET /Organisation`` returns it."""
    city, region, prefix, area = loc.cities[0]
    org: dict[str, Any] = {
        "OrganisationID": ids.uuid(),
        "APIKey": "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(30)),
        "Name": name,
        "LegalName": legal_name,
        "PaysTax": True,
        "Version": version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": loc.currency,
        "CountryCode": loc.country_code,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
    }
    if registration:
        org["RegistrationNumber"] = registration
    if tax_number:
        org["TaxNumber"] = tax_number
    org.update(
        {
            "FinancialYearEndDay": fy_end[0],
            "FinancialYearEndMonth": fy_end[1],
            "SalesTaxBasis": tax_basis,
            "SalesTaxPeriod": tax_period,
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Inclusive",
            "CreatedDateUTC": ms_date(created_ts),
            "OrganisationEntityType": "COMPANY",
            "Timezone": timezone,
            "ShortCode": short_code,
            "Edition": "BUSINESS",
            "Class": org_class,
            "LineOfBusiness": line_of_business,
            "Addresses": [
                {
                    "AddressType": "STREET",
                    "AddressLine1": _street_line(loc, rng),
                    "AddressLine2": "",
                    "AddressLine3": "",
                    "AddressLine4": "",
                    "City": city,
                    "Region": region,
                    "PostalCode": _postcode(loc, prefix, rng),
                    "Country": loc.country,
                    "AttentionTo": "",
                },
                {
                    "AddressType": "POBOX",
                    "AddressLine1": loc.pobox.format(n=rng.randint(100, 999)),
                    "AddressLine2": "",
                    "AddressLine3": "",
                    "AddressLine4": "",
                    "City": city,
                    "Region": region,
                    "PostalCode": _postcode(loc, prefix, rng),
                    "Country": loc.country,
                    "AttentionTo": "Accounts",
                },
            ],
            "Phones": [
                {
                    "PhoneType": "OFFICE",
                    "PhoneNumber": _phone_number(loc, rng, False)[1],
                    "PhoneAreaCode": area,
                    "PhoneCountryCode": loc.phone_cc,
                }
            ],
            "ExternalLinks": [{"LinkType": "Website", "Url": website}],
            "PaymentTerms": {
                "Bills": {"Day": 30, "Type": "DAYSAFTERBILLDATE"},
                "Sales": {"Day": 14, "Type": "DAYSAFTERBILLDATE"},
            },
        }
    )
    return org


def _tenant(
    ids: _Ids,
    organisation: dict[str, Any],
    contacts: list[dict[str, Any]],
    items: list[dict[str, Any]],
    tracking: list[dict[str, Any]],
    payroll: dict[str, Any] | None,
    foreign_currencies: Sequence[str] = (),
) -> dict[str, Any]:
    """One organisation. Its settings (tax rates, chart of accounts, currencies) are those
    of its version (core.sandbox.xero_settings), drawn from no random source: adding them
    moved no other id or value. ``foreign_currencies``: the currencies it enabled besides
    its base currency (their day rate: xero_settings.DEMO_DAY_RATES)."""
    tenant_id = ids.uuid()
    # An organisation's OrganisationID is its tenantId at Xero (real clients key one by the
    # other); the id drawn for the organisation is replaced, so no other id moves.
    organisation["OrganisationID"] = tenant_id
    version = organisation["Version"]
    tenant: dict[str, Any] = {
        "tenantId": tenant_id,
        "tenantName": organisation["Name"],
        "tenantType": "ORGANISATION",
        "Organisation": organisation,
        "Contacts": contacts,
        "Items": items,
        "TrackingCategories": tracking,
        "TaxRates": default_tax_rates(version),
        "Accounts": default_accounts(version, tenant_id, organisation["CreatedDateUTC"]),
        "Currencies": [
            currency(code) for code in (organisation["BaseCurrency"], *foreign_currencies)
        ],
    }
    if payroll is not None:
        tenant["payroll"] = payroll
    return tenant


# --------------------------------------------------------------------------- Xero payroll


@dataclass
class _Person:
    first: str
    last: str
    email: str
    terminated: bool = False
    title: str = ""
    gender: str = "F"
    job_title: str = "Landscape Gardener"


def _au_earnings_rates(ids: _Ids, rng: random.Random) -> list[dict[str, Any]]:
    def rate(name: str, etype: str, rtype: str, **extra: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "EarningsRateID": ids.uuid(),
            "Name": name,
            "EarningsType": etype,
            "RateType": rtype,
            "AccountCode": "477",
        }
        if rtype != "FIXEDAMOUNT":
            row["TypeOfUnits"] = "Hours"
        row.update(
            {
                "IsExemptFromTax": False,
                "IsExemptFromSuper": etype == "OVERTIMEEARNINGS",
                "IsReportableAsW1": True,
                "IsQualifyingEarnings": etype == "ORDINARYTIMEEARNINGS",
                "AllowanceContributesToAnnualLeaveRate": False,
                "AllowanceContributesToOvertimeRate": False,
            }
        )
        row.update(extra)
        row["UpdatedDateUTC"] = ms_date(_random_ts(rng))
        row["CurrentRecord"] = True
        return row

    return [
        rate("Ordinary Hours", "ORDINARYTIMEEARNINGS", "RATEPERUNIT"),
        rate(
            "Overtime Hours (time and a half)",
            "OVERTIMEEARNINGS",
            "MULTIPLE",
            Multiplier=1.5,
            AccrueLeave=False,
        ),
        rate(
            "Overtime Hours (double time)",
            "OVERTIMEEARNINGS",
            "MULTIPLE",
            Multiplier=2.0,
            AccrueLeave=False,
        ),
        rate(
            "Saturday Penalty Rate",
            "ORDINARYTIMEEARNINGS",
            "MULTIPLE",
            Multiplier=1.25,
            AccrueLeave=True,
        ),
        rate(
            "Public Holiday Rate",
            "ORDINARYTIMEEARNINGS",
            "MULTIPLE",
            Multiplier=2.5,
            AccrueLeave=True,
        ),
        rate(
            "Tool Allowance",
            "ALLOWANCE",
            "FIXEDAMOUNT",
            Amount=18.6,
            AllowanceType="TOOLS",
            AllowanceCategory="NONDEDUCTIBLE",
        ),
    ]


def _au_leave_types(ids: _Ids, rng: random.Random) -> list[dict[str, Any]]:
    def leave(
        name: str,
        paid: bool,
        code: str | None = None,
        entitlement: float | None = None,
        payslip: bool = True,
        current: bool = True,
        loading: float | None = None,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {"LeaveTypeID": ids.uuid(), "Name": name, "TypeOfUnits": "Hours"}
        if entitlement is not None:
            row["NormalEntitlement"] = entitlement
        if loading is not None:
            row["LeaveLoadingRate"] = loading
        row.update(
            {
                "IsPaidLeave": paid,
                "ShowOnPayslip": payslip,
                "UpdatedDateUTC": ms_date(_random_ts(rng)),
                "CurrentRecord": current,
                "SGCExempt": not paid,
                "IsQualifyingEarnings": paid,
            }
        )
        if code:
            row["LeaveCategoryCode"] = code
        return row

    return [
        leave("Annual Leave", True, "ANNUALLEAVE", 152.0, loading=17.5),
        leave("Personal/Carer's Leave", True, "PERSONALSICKCARERSLEAVE", 76.0),
        leave("Long Service Leave", True, "LONGSERVICELEAVE", payslip=False),
        leave(
            "Compassionate Leave (paid)", True, "COMPASSIONATEANDBEREAVEMENTLEAVE", payslip=False
        ),
        leave("Rostered Day Off", True, "ROSTEREDDAYOFF", payslip=False),
        leave("Unpaid Leave", False, payslip=False),
        leave("Parental Leave (unpaid)", False, payslip=False),
        leave("Study Leave", True, "STUDYLEAVE", payslip=False, current=False),
    ]


def _au_employee(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    person: _Person,
    ordinary_rate_id: str,
    calendar_ids: Sequence[str],
) -> dict[str, Any]:
    """An AU payroll.xro/1.0 employee as ``GET /Employees/{id}`` returns its summary fields."""
    start = _random_date_ts(rng, 2016, 2024)
    city, region, prefix, _ = rng.choice(
        [c for c in loc.cities if c[1] in ("ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA")]
    )
    emp: dict[str, Any] = {"EmployeeID": ids.uuid()}
    if person.title:
        emp["Title"] = person.title
    emp["FirstName"] = person.first
    if rng.random() < 0.25:
        emp["MiddleNames"] = rng.choice(loc.first_names)
    emp["LastName"] = person.last
    emp["Status"] = "TERMINATED" if person.terminated else "ACTIVE"
    if person.email:
        emp["Email"] = person.email
    emp["DateOfBirth"] = ms_date(_random_date_ts(rng, 1971, 2003))
    emp["JobTitle"] = person.job_title
    emp["Gender"] = person.gender
    emp["HomeAddress"] = {
        "AddressLine1": _street_line(loc, rng),
        "City": city,
        "Region": region,
        "PostalCode": prefix,
        "Country": loc.payroll_country,
    }
    if rng.random() < 0.3:
        emp["Phone"] = " ".join(_phone_number(loc, rng, False))
    emp["Mobile"] = _phone_number(loc, rng, True)[1]
    emp["StartDate"] = ms_date(start)
    if person.terminated:
        emp["TerminationDate"] = ms_date(start + rng.randint(200, 900) * DAY)
        emp["TerminationReason"] = rng.choice(("V", "C"))
    emp["OrdinaryEarningsRateID"] = ordinary_rate_id
    emp["PayrollCalendarID"] = rng.choice(calendar_ids)
    if rng.random() < 0.5:
        emp["EmployeeGroupName"] = rng.choice(("Field crew", "Maintenance crew", "Office"))
    emp["UpdatedDateUTC"] = ms_date(_random_ts(rng))
    emp["IsAuthorisedToApproveLeave"] = person.job_title.endswith("Supervisor")
    emp["IsAuthorisedToApproveTimesheets"] = person.job_title.endswith("Supervisor")
    emp["IsSTP2Qualified"] = True
    return emp


def _v2_leave_types(ids: _Ids, rng: random.Random, region: str) -> list[dict[str, Any]]:
    """UK/NZ payroll.xro/2.0 leave types as ``GET /LeaveTypes`` returns them."""
    rows: list[tuple[str, bool, bool, bool, bool | str]]
    if region == "UK":
        rows = [
            ("Holiday", True, True, True, False),
            ("Statutory Sick Leave", True, True, True, True),
            ("Statutory Maternity Leave", True, True, True, True),
            ("Statutory Paternity Leave", True, True, True, True),
            ("Compassionate Leave", True, False, True, False),
            ("Unpaid Leave", False, False, True, False),
            ("Training Day", True, False, False, False),
        ]
    else:
        rows = [
            ("Annual Leave", True, True, True, "Hours"),
            ("Sick Leave", True, True, True, "Days"),
            ("Bereavement Leave", True, False, True, "Days"),
            ("Alternative Holiday", True, True, True, "Days"),
            ("Unpaid Leave", False, False, True, "Hours"),
            ("Long Service Leave", True, False, False, "Hours"),
        ]
    out = []
    for name, paid, payslip, active, extra in rows:
        row: dict[str, Any] = {
            "leaveTypeID": ids.uuid(),
            "name": name,
            "isPaidLeave": paid,
            "showOnPayslip": payslip,
            "updatedDateUTC": iso_utc(_random_ts(rng)) + "Z",
            "isActive": active,
        }
        if region == "UK":
            row["isStatutoryLeave"] = extra
        else:
            row["typeOfUnits"] = extra
            row["typeOfUnitsToAccrue"] = extra
        out.append(row)
    return out


def _v2_employee(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    region: str,
    person: _Person,
    calendar_ids: Sequence[str],
) -> dict[str, Any]:
    """A UK/NZ payroll.xro/2.0 employee as ``GET /Employees`` returns it (no status field)."""
    start = _random_date_ts(rng, 2016, 2024)
    created = max(start - rng.randint(3, 30) * DAY, BASE_TS - 400 * DAY) + rng.randint(0, DAY - 1)
    city, _region, prefix, _ = rng.choice(loc.cities)
    emp: dict[str, Any] = {
        "employeeID": ids.uuid(),
        "title": person.title or ("Ms" if person.gender == "F" else "Mr"),
        "firstName": person.first,
        "lastName": person.last,
        "dateOfBirth": iso_utc(_random_date_ts(rng, 1971, 2003)),
        "gender": person.gender,
        "email": person.email or None,
        "phoneNumber": _phone_number(loc, rng, True)[1] if person.email else None,
        "startDate": iso_utc(start),
    }
    if person.terminated:
        emp["endDate"] = iso_utc(start + rng.randint(200, 900) * DAY)
    elif region == "NZ":
        emp["endDate"] = None
    if region == "UK":
        emp["address"] = {
            "addressLine1": _street_line(loc, rng),
            "city": city,
            "postCode": _postcode(loc, prefix, rng),
            "countryName": loc.payroll_country,
        }
    else:
        emp["address"] = {
            "addressLine1": _street_line(loc, rng),
            "city": city,
            "postCode": prefix,
            "countryName": loc.payroll_country,
        }
    emp["payrollCalendarID"] = rng.choice(calendar_ids)
    emp["updatedDateUTC"] = iso_utc(_random_ts(rng))
    emp["createdDateUTC"] = iso_utc(created)
    if region == "UK":
        emp["nationalInsuranceNumber"] = (
            f"{rng.choice('ABCEGHJKLMNPRSTWXYZ')}{rng.choice('ABCEGHJKLMNPRSTWXYZ')}"
            f"{rng.randint(100000, 999999)}{rng.choice('ABCD')}"
        )
        emp["isOffPayrollWorker"] = False
        emp["contracts"] = []
    else:
        emp["jobTitle"] = person.job_title
        emp["engagementType"] = "Permanent" if rng.random() < 0.8 else "Casual"
        emp["fixedTermEndDate"] = None
    return emp


# --------------------------------------------------------------------------- QuickBooks Time


_PERMISSION_KEYS = (
    "admin",
    "mobile",
    "status_box",
    "reports",
    "manage_timesheets",
    "manage_authorization",
    "manage_users",
    "manage_my_timesheets",
    "manage_jobcodes",
    "pin_login",
    "approve_timesheets",
    "manage_schedules",
    "external_access",
    "manage_my_schedule",
    "manage_company_schedules",
    "view_company_schedules",
    "view_group_schedules",
    "manage_no_schedules",
    "view_my_schedules",
    "time_tracking",
)


class _QBTime:
    """Builds one QB Time account, enforcing the simulator's rules as it goes."""

    def __init__(self, rng: random.Random, ids: _Ids, company_name: str, client_url: str) -> None:
        self.rng = rng
        self.ids = ids
        self.company_name = company_name
        self.client_url = client_url
        self.users: list[dict[str, Any]] = []
        self.jobcodes: list[dict[str, Any]] = []
        self.assignments: list[dict[str, Any]] = []
        self.customfields: list[dict[str, Any]] = []
        self.customfielditems: list[dict[str, Any]] = []
        self._user_ids = _Counter(1_204_000, 37, rng)
        self._jobcode_ids = _Counter(17_300_000, 53, rng)
        self._assignment_ids = _Counter(26_880_000, 11, rng)
        self._customfield_ids = _Counter(134_900, 3, rng)
        self._item_ids = _Counter(3_875_600, 7, rng)
        self._usernames: set[str] = set()
        self._sibling_names: dict[int, set[str]] = {}
        self._short_codes: set[str] = set()
        self._jobcode_short_codes: dict[int, set[str]] = {}
        self.pto_ids: list[int] = []
        self._clock = float(QBT_BASE_TS)

    def _stamp(self) -> tuple[str, str]:
        """(created, last_modified): objects are created in the order they are built, as
        someone typing them in would; some were edited later. Past QBT_BUSY_TS they come a
        minute apart at most (an import, not typing): a very large account's stamps stay in
        the past, as QuickBooks Time's are (100,000 contacts reached 2036, and cursors in
        the future hid every later change from incremental reads). Below it, the same
        stamps as before."""
        step = self.rng.randint(60, 12 * 3600)
        self._clock += step if self._clock < QBT_BUSY_TS else 1 + step % 60
        created = self._clock
        modified = created + (self.rng.randint(0, 200 * DAY) if self.rng.random() < 0.4 else 0)
        return iso_offset(created), iso_offset(modified)

    # -- users
    def user(
        self,
        first: str,
        last: str,
        email: str,
        *,
        active: bool = True,
        admin: bool = False,
        manager: bool = False,
        user_id: int | None = None,
        hire_ts: float | None = None,
        employee_number: int = 0,
        username: str | None = None,
    ) -> dict[str, Any]:
        created, modified = self._stamp()
        if username is None:
            username = email or f"{_ascii_slug(first)}.{_ascii_slug(last)}"
        base, n = username, 2
        while username.casefold() in self._usernames:
            username = f"{base}{n}"
            n += 1
        self._usernames.add(username.casefold())
        permissions = dict.fromkeys(_PERMISSION_KEYS, False)
        permissions.update({"mobile": True, "time_tracking": True})
        if admin:
            permissions.update(
                {
                    key: True
                    for key in _PERMISSION_KEYS
                    if key not in ("pin_login", "external_access")
                }
            )
        elif manager:
            permissions.update(
                {
                    "manage_users": True,
                    "manage_jobcodes": True,
                    "reports": True,
                    "manage_timesheets": True,
                    "approve_timesheets": True,
                    "view_company_schedules": True,
                    "manage_my_timesheets": True,
                }
            )
        user = {
            "id": user_id if user_id is not None else self._user_ids.next(),
            "first_name": first,
            "last_name": last,
            "group_id": 0,
            "active": active,
            "employee_number": employee_number,
            "salaried": admin,
            "exempt": admin,
            "username": username,
            "email": email,
            "email_verified": bool(email) and self.rng.random() < 0.7,
            "payroll_id": "",
            "mobile_number": "",
            "hire_date": _iso_date(hire_ts) if hire_ts else "0000-00-00",
            "term_date": "0000-00-00" if active else modified[:10],
            "last_modified": modified,
            "last_active": iso_offset(self._clock + self.rng.randint(DAY, 120 * DAY))
            if active
            else "",
            "created": created,
            "client_url": self.client_url,
            "company_name": self.company_name,
            "profile_image_url": f"https://www.gravatar.com/avatar/{_md5((email or username).strip().lower())}",
            "display_name": "",
            "pto_balances": {},  # filled by finish(): one entry per time-off code
            "submitted_to": "2000-01-01",
            "approved_to": "2000-01-01",
            "manager_of_group_ids": [],
            "require_password_change": False,
            "pay_rate": 0,
            "pay_interval": "hour",
            "permissions": permissions,
            "customfields": "",
        }
        self.users.append(user)
        return user

    # -- jobcodes
    def jobcode(
        self,
        name: str,
        *,
        parent_id: int = 0,
        jtype: str = "regular",
        active: bool = True,
        short_code: str = "",
        billable: bool = False,
        billable_rate: float = 0,
        assigned_to_all: bool = False,
    ) -> dict[str, Any]:
        if len(name) > QBT_NAME_MAX:
            raise ValueError(f"QB Time jobcode name longer than {QBT_NAME_MAX}: {name!r}")
        if jtype != "regular" and parent_id != 0:
            raise ValueError("time-off codes live at the top level only")
        siblings = self._sibling_names.setdefault(parent_id, set())
        key = name.strip().casefold()  # the simulator's (and the service's) comparison
        if not key or key in siblings:
            raise ValueError(f"empty or duplicate jobcode name among siblings: {name!r}")
        siblings.add(key)
        if short_code:
            codes = self._jobcode_short_codes.setdefault(parent_id, set())
            if not short_code.isalnum() or short_code.casefold() in codes:
                raise ValueError(f"bad or duplicate jobcode short code {short_code!r}")
            codes.add(short_code.casefold())
        created, modified = self._stamp()
        row: dict[str, Any] = {
            "id": self._jobcode_ids.next(),
            "parent_id": parent_id,
            "assigned_to_all": assigned_to_all,
            "billable": billable,
            "active": active,
            "type": jtype,
            "has_children": False,
            "billable_rate": billable_rate,
            "short_code": short_code,
            "name": name,
            "last_modified": modified,
            "created": created,
            "filtered_customfielditems": "",
            "required_customfields": [],
            "locations": [],
            "connect_with_quickbooks": False,
        }
        if parent_id:
            for parent in self.jobcodes:
                if parent["id"] == parent_id:
                    parent["has_children"] = True
                    break
            else:
                raise ValueError(f"unknown parent jobcode {parent_id}")
        if jtype != "regular":
            self.pto_ids.append(row["id"])
        self.jobcodes.append(row)
        return row

    def assign(self, user: dict[str, Any], jobcode: dict[str, Any]) -> dict[str, Any]:
        created, modified = self._stamp()
        row = {
            "id": self._assignment_ids.next(),
            "user_id": user["id"],
            "jobcode_id": jobcode["id"],
            "active": bool(jobcode["active"] and user["active"]),
            "last_modified": modified,
            "created": created,
        }
        self.assignments.append(row)
        return row

    # -- custom fields
    def customfield(
        self,
        name: str,
        short_code: str,
        items: Sequence[tuple[str, str, bool]],
        *,
        active: bool = True,
        required: bool = False,
        show_to_all: bool = True,
    ) -> dict[str, Any]:
        if active and sum(1 for cf in self.customfields if cf["active"]) >= 6:
            raise ValueError("QB Time allows at most 6 active custom fields")
        created, modified = self._stamp()
        field = {
            "id": self._customfield_ids.next(),
            "active": active,
            "required": required,
            "applies_to": "timesheet",
            "type": "managed-list",
            "short_code": short_code,
            "regex_filter": "",
            "name": name,
            "last_modified": modified,
            "created": created,
            "ui_preference": "drop_down",
            "required_customfields": [],
            "show_to_all": show_to_all,
        }
        self.customfields.append(field)
        for item_name, code, item_active in items:
            if not code.isalnum() or code.casefold() in self._short_codes:
                raise ValueError(
                    f"custom field item short code must be unique and alphanumeric: {code!r}"
                )
            self._short_codes.add(code.casefold())
            self.customfielditems.append(
                {
                    "id": self._item_ids.next(),
                    "customfield_id": field["id"],
                    "active": item_active and active,
                    "short_code": code,
                    "name": item_name,
                    "last_modified": self._stamp()[1],
                    "required_customfields": [],
                }
            )
        return field

    def finish(self, token: str, current_user_id: int) -> dict[str, Any]:
        for user in self.users:
            user["pto_balances"] = {
                str(pid): (
                    self.rng.choice((0, 0, 8, 16, 24, 40, 76)) * 3600 if user["active"] else 0
                )
                for pid in self.pto_ids
            }
        return {
            "token": token,
            "current_user_id": current_user_id,
            "company": {"name": self.company_name, "client_url": self.client_url},
            "users": self.users,
            "jobcodes": self.jobcodes,
            "jobcode_assignments": self.assignments,
            "customfields": self.customfields,
            "customfielditems": self.customfielditems,
            "locations": [],
        }


def _time_off_codes(qbt: _QBTime, names: Sequence[tuple[str, str]]) -> None:
    for name, jtype in names:
        qbt.jobcode(name, jtype=jtype, assigned_to_all=True)


# --------------------------------------------------------------------------- the demo company

_AU_CONTACTS = (
    # customers with a QB Time twin (see NEAR_MISS_CASES)
    "C|Smith Family Trust|Margaret Smith|both",
    "C|SMITH FAMILY TRUST |Robert Smith|pobox",
    "C|Harbour & Hills Strata|Priya Raman|both",
    "C|Bondi Beach Cafe Pty Ltd|Luca Romano|street",
    "C|Greenway Developments|Daniel Park|both",
    "C|Coastal Body Corporate Services|Sarah Mitchell|pobox",
    "C|St. George's Parish Council|Michael Doyle|street",
    "C|Pâtisserie Éclair Bondi|Élise Moreau|street",
    "C|Manly Wharf Hotel|Grant Fisher|both",
    "C|Northern Beaches Council|Karen Lowe|both",
    "C|Chip Davis Real Estate|Chip Davis|street",
    "C|Bella Vista Retirement Village|Helen Cho|both",
    "C|Greenfield Homes|Tom Greenfield|both",
    "N|Paddington Bowling Club|Ray Kennedy|street",
    "xC|Glebe Community Garden|Annie Walsh|street",
    f"C|{_LONG_AU}|Peter Hendricks|pobox",
    "C|Hornsby Shire Council|Greg Lim|both",
    "C|Mosman Rowing Club|Fiona Grant|street",
    "C|Olivia Nguyen|=|street",
    "C|Taronga Vet Clinic|Amy Walsh|both",
    "C|Cronulla Surf Life Saving Club|Ben Harris|street",
    "C|O'Brien Homes|Sean O'Brien|both",
    "C|North-Shore Aged Care|Linda Tan|both",
    "C|Kirribilli Dental|Raj Patel|street",
    # customers with no QB Time twin
    "C|Department of Planning and Environment – Parks and Wildlife Group (Sydney Metropolitan Region)|Jo Nakamura|both",
    "C|Willoughby Medical Centre|Nina Kovac|both",
    "C|Lane Cove Child Care Centre|Jess Morgan|street",
    "C|Coogee Bay Apartments|Marco Silva|pobox",
    "C|Castle Hill RSL Club|Warren Boyd|both",
    "C|Balmain & Rozelle Tennis Club|Kate Murphy|street",
    "C|Marrickville Public School P&C|Deb Costa|pobox",
    "C|Randwick Physiotherapy Pty Ltd|Sam Lee|street",
    "C|Penrith Valley Leagues Club|Craig Walker|both",
    "C|Ryde Family Practice|Wei Zhang|street",
    "C|Étienne & Noémie Gagnon|Étienne Gagnon|street",
    "C|Chloe Anderson|=|none",
    # never invoiced (IsCustomer false, IsSupplier false)
    "N|Owners Corporation Strata Plan 45821 – 12-18 Ocean Street, North Bondi NSW 2026||pobox",
    "N|Dee Why Surf School|Jake Evans|none",
    "N|Kellyville Montessori|Anna Schmidt|street",
    "N|Epping Uniting Church|Paul Adams|pobox",
    "N|Hannah Lee|=|none",
    # archived
    "xC|Darling Point Body Corporate|Mark Holt|pobox",
    "xN|Old Quote – Mr & Mrs Baxter||none",
    # suppliers
    "S|Sydney Turf Supplies Pty Ltd|Gavin Reid|both",
    "S|Australian Native Nurseries|Meg Rowe|street",
    "S|Fuel Direct NSW||pobox",
    "S|Mower Parts Warehouse|Steve Cook|street",
    "S|Harbour Telecom||pobox",
    "S|Irrigation Wholesale Co|Tony Russo|both",
    "CS|Hills Mulch & Soil|Barry Quinn|both",
    "xS|Old Mate Mowing|Kev Brown|none",
)

_UK_CONTACTS = (
    "C|Richmond Cricket Club|James Whitaker|both",
    "C|Guildford Dental Practice|Anita Shah|street",
    "C|Epsom Downs Care Home|Nadia Hussain|both",
    "C|Thames Valley Estates Ltd|Rupert Hale|both",
    "C|Crème de la Crème Catering|Élodie Fournier|street",
    "C|Wimbledon Lawn Lettings|Harriet Cole|pobox",
    "C|Hobbs & Sons Builders|Dave Hobbs|both",
    "C|Kew Residents' Association|Margaret Ellis|pobox",
    "C|St Mary's Primary School|Claire Dawson|street",
    "C|The Old Rectory Management Company (Reigate) Limited – Freeholders' Committee|Giles Pennington|pobox",
    "C|Oliver & Partners LLP|Tom Oliver|street",
    "C|Putney Riverside Apartments|Ian Brooks|both",
    "C|Sevenoaks Golf Club|Mike Sutton|street",
    "C|Henley Regatta Lodge|Fiona Blake|street",
    "C|Penelope Ashworth|=|street",
    "C|Smith & Jones Dental Ltd|Kate Smith|both",
    "N|Dorking Bowls Club|Ken Ward|street",
    "N|Woking Mosque Trust|Imran Ali|pobox",
    "N|Fulham Community Allotments||none",
    "N|Surrey Heath Borough Council – Parks, Open Spaces and Countryside Services Department|Rachel Dunn|pobox",
    "xC|Clapham Common Café|Sam Reed|street",
    "S|Surrey Turf & Topsoil Ltd|Neil Barker|both",
    "S|Kent Garden Machinery|Lee Chapman|street",
    "S|Southern Fuel Cards||pobox",
    "S|Oxford Tree Nursery|Alice Moore|street",
    "CS|Weybridge Landscaping Supplies|Paul Grey|both",
    "xS|Croydon Skip Hire||none",
)

_CA_CONTACTS = (
    "C|Café Saint-Éloi Ltée|Éloïse Gagnon|both",
    "C|Boulangerie Côté & Fils|Jean-François Côté|street",
    "C|Dépanneur Chez Ginette|Ginette Lavoie|street",
    "C|Fromagerie Gagnon & Fille|Hélène Gagnon|both",
    "C|Gestion Laurentides Inc.|Marc-André Pelletier|pobox",
    "C|Ville de Laval|Sophie Bergeron|both",
    "C|Résidence Les Jardins d'Outremont|Nathalie Roy|both",
    "C|Clinique dentaire Brossard Inc.|Isabelle Ouellet|street",
    "C|Syndicat de copropriété Le Boisé-des-Érables – Phase III (Boucherville, Québec)|Luc Fortin|pobox",
    "C|Garderie Les Petits Pinsons|Mélanie Bouchard|street",
    "C|Coopérative d'habitation Les Trois Pignons|Paul Gauthier|pobox",
    "C|Auberge du Lac-Tremblant|Julie Morin|both",
    "C|Montreal Maple Properties Ltd|Ryan O'Neil|both",
    "C|Pharmacie Lévesque et Bélanger|Chantal Lévesque|street",
    "C|Frédéric Simard|=|street",
    "C|École primaire Sainte-Cécile|Annie Girard|pobox",
    "N|Centre sportif de Rosemont|Kevin Paquette|street",
    "N|Restaurant Chez Léo|Léo Boucher|street",
    "N|Amélie Leblanc|=|none",
    "N|Centre de services scolaire des Mille-Îles – Service des ressources matérielles (secteur Laval)|Benoît Caron|pobox",
    "xC|Boutique Fleurs d'Ici|Marie Côté|street",
    "S|Pépinière Trois-Rivières Inc.|Guy Bélanger|both",
    "S|Location d'outils Brossard||pobox",
    "S|Carburants Laurentides Ltée||pobox",
    "S|Terreau et Paillis du Québec|Sylvain Roy|street",
    "CS|Déneigement Pro-Nord Inc.|Stéphane Gagné|both",
    "xS|Ancien Fournisseur Paysagiste enr.||none",
)

# (code, name, kind, sale price, purchase cost, quantity on hand)
_AU_ITEMS: tuple[tuple[str, str, str, float | None, float | None, float], ...] = (
    ("LAWN-STD", "Lawn mowing – standard block", "service", 75.0, None, 0),
    ("LAWN-LRG", "Lawn mowing – large block", "service", 120.0, None, 0),
    ("HEDGE-HR", "Hedge trimming (per hour)", "service", 68.0, None, 0),
    ("GARDEN-HR", "Garden maintenance (per hour)", "service", 62.0, None, 0),
    ("TREE-PRUNE", "Tree pruning (per hour)", "service", 110.0, None, 0),
    ("GUTTER", "Gutter cleaning", "service", 180.0, None, 0),
    ("PRESSURE-HR", "Pressure washing (per hour)", "service", 85.0, None, 0),
    ("IRRIG-SVC", "Irrigation service call", "service", 145.0, None, 0),
    ("DESIGN", "Landscape design consultation", "service", 250.0, None, 0),
    ("MULCH-M3", "Mulch supply & spread (per m³)", "sold_purchased", 95.0, 48.0, 0),
    ("TURF-M2", "Turf laying (per m²)", "sold_purchased", 18.5, 7.9, 0),
    ("GREEN-WASTE", "Green waste removal (per load)", "sold_purchased", 160.0, 65.0, 0),
    ("CALLOUT", "Call-out fee (quoted)", "sold_noprice", None, None, 0),
    ("PLANT-LP45", "Lilly pilly 45 L pot", "tracked", 89.0, 41.5, 24),
    ("FERT-20KG", "Slow-release fertiliser 20 kg", "tracked", 64.0, 29.0, 40),
    ("DRIP-KIT", "Drip irrigation kit", "tracked", 129.0, 58.0, 12),
    ("PAVER-SAND", "Paver sand 20 kg bag", "tracked", 14.5, 6.2, 150),
    ("FUEL-ULP", "Unleaded fuel (per litre)", "purchase_only", None, 2.05, 0),
    ("BLADE-21", "Replacement mower blade 21 in", "purchase_only", None, 24.0, 0),
    ("PPE-GLOVES", "Safety gloves (pair)", "purchase_only", None, 6.5, 0),
)

_UK_ITEMS: tuple[tuple[str, str, str, float | None, float | None, float], ...] = (
    ("MOW-STD", "Lawn mowing – standard garden", "service", 45.0, None, 0),
    ("MOW-LRG", "Lawn mowing – large garden", "service", 80.0, None, 0),
    ("HEDGE-HR", "Hedge cutting (per hour)", "service", 42.0, None, 0),
    ("MAINT-HR", "Grounds maintenance (per hour)", "service", 38.0, None, 0),
    ("TREE-SURG", "Tree surgery (per hour)", "service", 95.0, None, 0),
    ("LEAF-CLR", "Autumn leaf clearance", "service", 120.0, None, 0),
    ("GRIT-VISIT", "Winter gritting (per visit)", "service", 65.0, None, 0),
    ("PATIO-WASH", "Patio jet washing", "service", 140.0, None, 0),
    ("TURF-M2", "Turfing (per m²)", "sold_purchased", 14.0, 5.5, 0),
    ("BARK-M3", "Bark chippings (per m³)", "sold_purchased", 70.0, 32.0, 0),
    ("SKIP-LOAD", "Green waste removal (per load)", "sold_purchased", 130.0, 60.0, 0),
    ("QUOTE", "Quoted works", "sold_noprice", None, None, 0),
    ("BOX-HEDGE", "Box hedging plant 30 cm", "tracked", 12.0, 4.8, 200),
    ("COMPOST-50", "Peat-free compost 50 L", "tracked", 9.5, 4.1, 80),
    ("TIMER-IRR", "Irrigation timer", "tracked", 55.0, 24.0, 10),
    ("DIESEL", "Red diesel (per litre)", "purchase_only", None, 1.12, 0),
    ("STRIMMER-LN", "Strimmer line 2.4 mm", "purchase_only", None, 18.0, 0),
)

_CA_ITEMS: tuple[tuple[str, str, str, float | None, float | None, float], ...] = (
    ("TONTE-STD", "Tonte de pelouse – terrain standard", "service", 55.0, None, 0),
    ("TONTE-GRD", "Tonte de pelouse – grand terrain", "service", 90.0, None, 0),
    ("TAILLE-HR", "Taille de haies (à l'heure)", "service", 60.0, None, 0),
    ("ENTRETIEN-HR", "Entretien paysager (à l'heure)", "service", 52.0, None, 0),
    ("ELAGAGE-HR", "Élagage (à l'heure)", "service", 105.0, None, 0),
    ("DENEIG-SAIS", "Déneigement – contrat saisonnier", "service", 650.0, None, 0),
    ("DENEIG-VIS", "Déneigement (par visite)", "service", 75.0, None, 0),
    ("AERATION", "Aération de pelouse", "service", 95.0, None, 0),
    ("PAILLIS-M3", "Paillis fourni et étendu (par m³)", "sold_purchased", 110.0, 52.0, 0),
    ("TOURBE-M2", "Pose de tourbe (par m²)", "sold_purchased", 16.0, 6.5, 0),
    ("SEL-SAC", "Sel de déglaçage (sac 20 kg)", "sold_purchased", 19.0, 8.0, 0),
    ("SOUMISSION", "Travaux sur soumission", "sold_noprice", None, None, 0),
    ("CEDRE-5P", "Cèdre 5 pieds", "tracked", 49.0, 21.0, 60),
    ("ENGRAIS-25", "Engrais à gazon 25 kg", "tracked", 58.0, 26.0, 35),
    ("PAVE-UNI", "Pavé uni (palette)", "tracked", 420.0, 260.0, 8),
    ("ESSENCE", "Essence (par litre)", "purchase_only", None, 1.69, 0),
    ("LAMES-SOUF", "Lames de souffleuse", "purchase_only", None, 85.0, 0),
)


def _items(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    rows: Sequence[tuple[str, str, str, float | None, float | None, float]],
) -> list[dict[str, Any]]:
    return [
        _item(ids, rng, loc, code=code, name=name, kind=kind, price=price, cost=cost, qty=qty)
        for code, name, kind, price, cost, qty in rows
    ]


def _demo_contacts(
    ids: _Ids,
    rng: random.Random,
    loc: _Locale,
    rows: Sequence[str],
    total: int,
    reserved: Iterable[str],
) -> list[dict[str, Any]]:
    specs = _parse_contact_specs(rows)
    maker = _NameMaker(loc, rng, reserved=[s.name for s in specs] + list(reserved))
    roles = ("C", "C", "C", "C", "N", "N", "S", "CS")
    while len(specs) < total:
        name, person, is_person = maker.make()
        role = rng.choice(roles)
        archived = rng.random() < 0.06
        address = rng.choice(("both", "both", "street", "street", "pobox", "none"))
        specs.append(_ContactSpec(name, role, archived, person, address, is_person))
    return [_contact(ids, rng, loc, spec, seq=i + 1) for i, spec in enumerate(specs)]


_AU_PEOPLE = (
    _Person("Olivia", "Brown", "olivia.brown@maisonverdure.com.au", job_title="Crew Supervisor"),
    _Person("Noah", "Williams", "noah.williams@maisonverdure.com.au", gender="M"),
    _Person("Jack", "Wilson", "jack.wilson@maisonverdure.com.au", gender="M"),
    _Person("Jack", "Wilson", "jackw.hort@gmail.com", gender="M", job_title="Horticulturist"),
    _Person(
        "Liam",
        "O'Connor",
        "liam.oconnor@maisonverdure.com.au",
        gender="M",
        job_title="Irrigation Technician",
    ),
    _Person("Mackenzie", "McDonald", "mackenzie.mcdonald@maisonverdure.com.au"),
    _Person("Zoé", "Lefèvre", "zoe.lefevre@maisonverdure.com.au", job_title="Landscape Designer"),
    _Person("Chip", "Davis", "chip.davis@maisonverdure.com.au", gender="M", job_title="Arborist"),
    _Person("Harper", "Singh", "harper.singh@maisonverdure.com.au"),
    _Person("Ava", "Thompson", ""),
    _Person("Ethan", "Nguyen", "ethan.nguyen@maisonverdure.com.au", terminated=True, gender="M"),
    _Person(
        "Isla", "Campbell", "isla.campbell@maisonverdure.com.au", job_title="Office Administrator"
    ),
    _Person("Mia", "Rossi", "", job_title="Apprentice Gardener"),
    _Person("Charlotte", "Kelly", "charlotte.kelly@maisonverdure.com.au", terminated=True),
    _Person(
        "Lucas",
        "Tremblay-Roy",
        "lucas.tremblay-roy@maisonverdure.com.au",
        gender="M",
        job_title="Maintenance Supervisor",
    ),
    _Person("Thomas", "Dubois", "thomas.dubois@maisonverdure.com.au", gender="M", title="Mr"),
)

_UK_PEOPLE = (
    _Person(
        "Oliver",
        "Hughes",
        "oliver.hughes@maisonverdure.co.uk",
        gender="M",
        job_title="Crew Supervisor",
    ),
    _Person("Amelia", "Clarke", "amelia.clarke@maisonverdure.co.uk"),
    _Person("George", "Patel", "george.patel@maisonverdure.co.uk", gender="M"),
    _Person("Sophie", "Turner", "sophie.turner@maisonverdure.co.uk"),
    _Person("Sophie", "Turner", "sophie.t.gardens@outlook.com", job_title="Horticulturist"),
    _Person("Chloé", "Bernard", "chloe.bernard@maisonverdure.co.uk", job_title="Garden Designer"),
    _Person("Grace", "O'Neill", "grace.oneill@maisonverdure.co.uk"),
    _Person("Harry", "Evans", "", gender="M"),
    _Person("Emily", "Fraser", "emily.fraser@maisonverdure.co.uk", terminated=True),
    _Person(
        "Jacob", "Davies", "jacob.davies@maisonverdure.co.uk", gender="M", job_title="Tree Surgeon"
    ),
    _Person("Freddie", "Khan", "freddie.khan@maisonverdure.co.uk", gender="M"),
    _Person("Poppy", "Walsh", "poppy.walsh@maisonverdure.co.uk", terminated=True),
    _Person(
        "Alfie",
        "Murphy",
        "alfie.murphy@maisonverdure.co.uk",
        gender="M",
        job_title="Grounds Maintenance Supervisor",
    ),
    _Person("Ruby", "Stewart", "", job_title="Apprentice Gardener"),
)


def _au_payroll(
    ids: _Ids, rng: random.Random, loc: _Locale, people: Sequence[_Person]
) -> dict[str, Any]:
    rates = _au_earnings_rates(ids, rng)
    calendars = [ids.uuid(), ids.uuid()]  # weekly, fortnightly
    employees = [
        _au_employee(ids, rng, loc, p, rates[0]["EarningsRateID"], calendars) for p in people
    ]
    # Everyone is paid weekly. The ids added for the hours export come from their own
    # streams, seeded by the calendar id, so adding them moved no id drawn before.
    for emp in employees:
        emp["PayrollCalendarID"] = calendars[0]
    return {
        "Employees": employees,
        "LeaveTypes": _au_leave_types(ids, rng),
        "EarningsRates": rates,
        "PayrollCalendars": _au_calendars(calendars),
        "Timesheets": [],
        "LeaveApplications": [],
    }


def _v2_payroll(
    ids: _Ids, rng: random.Random, loc: _Locale, region: str, people: Sequence[_Person]
) -> dict[str, Any]:
    calendars = [ids.uuid(), ids.uuid()]
    employees = [_v2_employee(ids, rng, loc, region, p, calendars) for p in people]
    extra = _Ids(random.Random(calendars[0]))
    for emp in employees:  # everyone is paid fortnightly
        emp["payrollCalendarID"] = calendars[0]
    rates = _v2_earnings_rates(extra)
    return {
        "Employees": employees,
        "LeaveTypes": _v2_leave_types(ids, rng, region),
        "PayRunCalendars": _v2_calendars(calendars[:1]),
        "EarningsRates": rates,
        "Timesheets": [],
        "EmployeeLeave": {},
        "SalaryAndWages": _v2_salary_and_wages(
            employees, rates[0]["earningsRateID"], region, "wages:" + calendars[0]
        ),
    }


def _v2_wage_row(
    ids: _Ids,
    region: str,
    rate_id: str,
    effective_from: str,
    per_hour: float | None,
    status: str = "Active",
    annual_salary: float | None = None,
) -> dict[str, Any]:
    """One NZ/UK payroll.xro/2.0 ``SalaryAndWage`` (the spec's schema: UK without NZ's
    ``daysPerWeek`` and ``workPatternType``). ``per_hour`` None: paid a salary."""
    week, day = (40.0, 8.0) if region == "NZ" else (37.5, 7.5)
    row: dict[str, Any] = {
        "salaryAndWagesID": ids.uuid(),
        "earningsRateID": rate_id,
        "numberOfUnitsPerWeek": week,
        "ratePerUnit": per_hour,
        "numberOfUnitsPerDay": day,
    }
    if region == "NZ":
        row["daysPerWeek"] = 5.0
    row["effectiveFrom"] = effective_from
    row["annualSalary"] = (
        annual_salary if annual_salary is not None else round((per_hour or 0) * week * 52, 2)
    )
    row["status"] = status
    row["paymentType"] = "Hourly" if per_hour is not None else "Salary"
    if region == "NZ":
        row["workPatternType"] = "DaysAndHours"
    return row


def _v2_salary_and_wages(
    employees: Sequence[dict[str, Any]], rate_id: str, region: str, seed: str
) -> dict[str, list[dict[str, Any]]]:
    """NZ/UK ``GET /Employees/{id}/SalaryAndWages`` rows, keyed by employee id: everyone is
    paid by the hour on the ordinary rate ("Regular Hours") from their first day. From its own
    seed: nothing else the builder makes moves."""
    wages_rng = random.Random(seed)
    ids = _Ids(wages_rng)
    low, high = (23.5, 32.0) if region == "NZ" else (12.6, 18.0)
    return {
        emp["employeeID"]: [
            _v2_wage_row(
                ids,
                region,
                rate_id,
                emp["startDate"],
                round(wages_rng.uniform(low, high), 2),
            )
        ]
        for emp in employees
    }


# The demo's pay periods (Monday to Sunday). AU is paid weekly from 2026-11-16 (periods
# 16-22 and 23-29 November hold the demo's hours); UK/NZ fortnightly from 2026-11-16
# (2-15 and 16-29 November). A new Demo Company state moves the hours, timesheets and leave
# by whole 14-day steps; calendars stay, the steps keep both kinds of period aligned.
PAY_CALENDAR_START = _dt.date(2026, 11, 16)
AU_PERIODS = (
    (_dt.date(2026, 11, 16), _dt.date(2026, 11, 22)),
    (_dt.date(2026, 11, 23), _dt.date(2026, 11, 29)),
)
V2_PERIODS = (
    (_dt.date(2026, 11, 2), _dt.date(2026, 11, 15)),
    (_dt.date(2026, 11, 16), _dt.date(2026, 11, 29)),
)
_CALENDAR_UPDATED_TS = 1_760_000_000.0  # 2025-10-09: calendars set up before the demo's hours


def _day_ts(day: _dt.date) -> float:
    return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.UTC).timestamp()


def _au_calendars(ids: Sequence[str]) -> list[dict[str, Any]]:
    """AU payroll.xro/1.0 ``GET /PayrollCalendars`` (StartDate = the upcoming period's start)."""
    start = _day_ts(PAY_CALENDAR_START)
    rows = []
    for cal_id, name, ctype, pay_days in (
        (ids[0], "Weekly", "WEEKLY", 9),
        (ids[1], "Fortnightly", "FORTNIGHTLY", 16),
    ):
        rows.append(
            {
                "PayrollCalendarID": cal_id,
                "Name": name,
                "CalendarType": ctype,
                "StartDate": ms_date(start),
                "PaymentDate": ms_date(start + pay_days * DAY),
                "ReferenceDate": ms_date(start),
                "UpdatedDateUTC": ms_date(_CALENDAR_UPDATED_TS),
            }
        )
    return rows


def _v2_calendars(ids: Sequence[str]) -> list[dict[str, Any]]:
    """UK/NZ payroll.xro/2.0 ``GET /PayRunCalendars`` (the current period's dates)."""
    start = _day_ts(PAY_CALENDAR_START)
    return [
        {
            "payrollCalendarID": ids[0],
            "name": "Fortnightly",
            "calendarType": "Fortnightly",
            "periodStartDate": iso_utc(start),
            "periodEndDate": iso_utc(start + 13 * DAY),
            "paymentDate": iso_utc(start + 17 * DAY),
            "updatedDateUTC": iso_utc(_CALENDAR_UPDATED_TS),
        }
    ]


def _v2_earnings_rates(ids: _Ids) -> list[dict[str, Any]]:
    """UK/NZ payroll.xro/2.0 ``GET /EarningsRates`` (the spec example's shape)."""
    expense = ids.uuid()

    def rate(
        name: str,
        etype: str,
        rtype: str,
        units: str | None,
        current: bool = True,
        multiple: float | None = None,
    ) -> dict[str, Any]:
        return {
            "earningsRateID": ids.uuid(),
            "name": name,
            "earningsType": etype,
            "rateType": rtype,
            "typeOfUnits": units,
            "currentRecord": current,
            "expenseAccountID": expense,
            "fixedAmount": None,
            "ratePerUnit": None,
            "multipleOfOrdinaryEarningsRate": multiple,
        }

    return [
        rate("Regular Hours", "RegularEarnings", "RatePerUnit", "hours"),
        rate(
            "Overtime Hours",
            "OvertimeEarnings",
            "MultipleOfOrdinaryEarningsRate",
            None,
            multiple=1.5,
        ),
        rate(
            "Weekend Hours",
            "RegularEarnings",
            "MultipleOfOrdinaryEarningsRate",
            None,
            multiple=1.25,
        ),
        rate(
            "Regular Hours (2023 rates)", "RegularEarnings", "RatePerUnit", "hours", current=False
        ),
    ]


def _find_person(
    employees: list[dict[str, Any]], first: str, last: str, email: str
) -> dict[str, Any]:
    for emp in employees:
        if (
            emp.get("FirstName", emp.get("firstName")),
            emp.get("LastName", emp.get("lastName")),
            emp.get("Email", emp.get("email")) or "",
        ) == (first, last, email):
            return emp
    raise KeyError(f"{first} {last}")


def _set_timesheet_category(tenant: dict[str, Any], name: str) -> None:
    """AU payroll.xro/1.0 ``GET /Settings`` (the spec's shape): the tracking category
    ``name`` is the timesheet category, so timesheet lines may carry one of its options."""
    cat = next(c for c in tenant["TrackingCategories"] if c["Name"] == name)
    tenant["payroll"]["Settings"] = {
        "Accounts": [],
        "TrackingCategories": {
            "TimesheetCategories": {
                "TrackingCategoryID": cat["TrackingCategoryID"],
                "TrackingCategoryName": cat["Name"],
            },
        },
        "DaysInPayrollYear": "364",
        "EmployeesAreSTP2": True,
    }


def _au_payroll_traps(payroll: dict[str, Any]) -> None:
    """The AU export's traps, on named people (resources/demo/README.md lists them)."""
    extra = _Ids(random.Random("traps:" + payroll["PayrollCalendars"][0]["PayrollCalendarID"]))
    employees = payroll["Employees"]
    # Each trap is on a person whose QB Time hours link on import (resources/demo/README.md),
    # where it hides the fewest of the hours cases. No payroll calendar: Jack Wilson.
    del _find_person(employees, "Jack", "Wilson", "jack.wilson@maisonverdure.com.au")[
        "PayrollCalendarID"
    ]
    # Ordinary earnings rate inactive: Noah Williams's is the 2023 award rate.
    old = {
        "EarningsRateID": extra.uuid(),
        "Name": "Ordinary Hours (2023 award)",
        **{
            k: v
            for k, v in payroll["EarningsRates"][0].items()
            if k not in ("EarningsRateID", "Name", "CurrentRecord", "UpdatedDateUTC")
        },
        "UpdatedDateUTC": ms_date(_CALENDAR_UPDATED_TS),
        "CurrentRecord": False,
    }
    payroll["EarningsRates"].append(old)
    _find_person(employees, "Noah", "Williams", "noah.williams@maisonverdure.com.au")[
        "OrdinaryEarningsRateID"
    ] = old["EarningsRateID"]
    # A non-draft timesheet already in Xero for the later period: Olivia Brown's, approved.
    olivia = _find_person(employees, "Olivia", "Brown", "olivia.brown@maisonverdure.com.au")
    start, end = AU_PERIODS[1]
    units = [7.6, 7.6, 7.6, 7.6, 7.6, 0.0, 0.0]
    stamp = ms_date(_day_ts(end) + 2 * DAY + 9 * 3600)
    payroll["Timesheets"].append(
        {
            "TimesheetID": extra.uuid(),
            "EmployeeID": olivia["EmployeeID"],
            "StartDate": ms_date(_day_ts(start)),
            "EndDate": ms_date(_day_ts(end)),
            "Status": "APPROVED",
            "Hours": round(sum(units), 2),
            "TimesheetLines": [
                {
                    "EarningsRateID": olivia["OrdinaryEarningsRateID"],
                    "NumberOfUnits": units,
                    "UpdatedDateUTC": stamp,
                }
            ],
            "UpdatedDateUTC": stamp,
        }
    )


def _uk_payroll_traps(payroll: dict[str, Any]) -> None:
    extra = _Ids(random.Random("traps:" + payroll["PayRunCalendars"][0]["payrollCalendarID"]))
    employees = payroll["Employees"]
    # No payroll calendar: Amelia Clarke.
    _find_person(employees, "Amelia", "Clarke", "amelia.clarke@maisonverdure.co.uk")[
        "payrollCalendarID"
    ] = None
    # An approved timesheet already in Xero for the later period: Oliver Hughes's.
    oliver = _find_person(employees, "Oliver", "Hughes", "oliver.hughes@maisonverdure.co.uk")
    # Salary and wages: Oliver Hughes was paid on the 2023 rates until April 2024 (a History
    # row, then today's on "Regular Hours"); Harry Evans (not in QB Time) is paid a salary.
    wages = payroll["SalaryAndWages"]
    wage_ids = _Ids(random.Random("wages:traps:" + oliver["employeeID"]))
    old_rate = next(r for r in payroll["EarningsRates"] if r["currentRecord"] is False)
    (current,) = wages[oliver["employeeID"]]
    wages[oliver["employeeID"]] = [
        _v2_wage_row(
            wage_ids,
            "UK",
            old_rate["earningsRateID"],
            current["effectiveFrom"],
            11.9,
            status="History",
        ),
        {**current, "effectiveFrom": iso_utc(_day_ts(_dt.date(2024, 4, 1)))},
    ]
    harry = _find_person(employees, "Harry", "Evans", "")
    wages[harry["employeeID"]] = [
        _v2_wage_row(
            wage_ids,
            "UK",
            wages[harry["employeeID"]][0]["earningsRateID"],
            wages[harry["employeeID"]][0]["effectiveFrom"],
            None,
            annual_salary=34000.0,
        )
    ]
    start, end = V2_PERIODS[1]
    regular = payroll["EarningsRates"][0]["earningsRateID"]
    lines = []
    for offset in range(14):
        day = start + _dt.timedelta(days=offset)
        if day.weekday() < 5:
            lines.append(
                {
                    "timesheetLineID": extra.uuid(),
                    "date": iso_utc(_day_ts(day)),
                    "earningsRateID": regular,
                    "trackingItemID": None,
                    "numberOfUnits": 7.5,
                }
            )
    payroll["Timesheets"].append(
        {
            "timesheetID": extra.uuid(),
            "payrollCalendarID": oliver["payrollCalendarID"],
            "employeeID": oliver["employeeID"],
            "startDate": iso_utc(_day_ts(start)),
            "endDate": iso_utc(_day_ts(end)),
            "status": "Approved",
            "totalHours": round(sum(x["numberOfUnits"] for x in lines), 2),
            "updatedDateUTC": iso_utc(_day_ts(end) + 2 * DAY + 9 * 3600),
            "timesheetLines": lines,
        }
    )


def build_demo_company(seed: int = DEMO_SEED) -> dict[str, Any]:
    """The committed Demo Company: three Xero organisations and one QB Time account in use."""
    rng = random.Random(seed)
    ids = _Ids(random.Random(seed + 1))
    qbt_names = [c.qbtime_name for c in NEAR_MISS_CASES if c.qbtime_name]

    # ---- Australia: payroll AU
    au = _LOCALES["AU"]
    au_org = _organisation(
        ids,
        rng,
        au,
        version="AU",
        name="Maison Verdure Australia",
        legal_name="Maison Verdure Australia Pty Ltd",
        short_code="!mVau7",
        timezone="AUSEASTERNSTANDARDTIME",
        created_ts=1_456_790_400.0,
        org_class="PREMIUM",
        website="https://www.maisonverdure.com.au",
        line_of_business="Landscaping and property maintenance",
        tax_basis="ACCRUALS",
        tax_period="QUARTERLY1",
        fy_end=(30, 6),
        registration="612 345 789",
        tax_number="53 612 345 789",
    )
    au_tenant = _tenant(
        ids,
        au_org,
        _demo_contacts(ids, rng, au, _AU_CONTACTS, 66, qbt_names),
        _items(ids, rng, au, _AU_ITEMS),
        [
            _tracking_category(
                ids,
                "Region",
                [
                    ("Sydney North", "ACTIVE"),
                    ("Sydney South", "ACTIVE"),
                    ("Sydney West", "ACTIVE"),
                    ("Newcastle", "ACTIVE"),
                    ("Central Coast", "ARCHIVED"),
                ],
            ),
            _tracking_category(
                ids,
                "Service Line",
                [
                    ("Landscaping", "ACTIVE"),
                    ("Garden Maintenance", "ACTIVE"),
                    ("Irrigation", "ACTIVE"),
                    ("Tree Care", "ACTIVE"),
                ],
            ),
            _tracking_category(
                ids,
                "Legacy Divisions",
                [("Commercial", "ARCHIVED"), ("Residential", "ARCHIVED")],
                status="ARCHIVED",
            ),
        ],
        _au_payroll(ids, rng, au, _AU_PEOPLE),
    )

    # ---- United Kingdom: payroll UK
    uk = _LOCALES["UK"]
    uk_org = _organisation(
        ids,
        rng,
        uk,
        version="UK",
        name="Maison Verdure UK",
        legal_name="Maison Verdure UK Ltd",
        short_code="!mVuk2",
        timezone="GMTSTANDARDTIME",
        created_ts=1_514_764_800.0,
        org_class="STANDARD",
        website="https://www.maisonverdure.co.uk",
        line_of_business="Gardening and grounds maintenance",
        tax_basis="INVOICE",
        tax_period="QUARTERLY1",
        fy_end=(31, 3),
        registration="10987654",
        tax_number="GB 284 5521 90",
    )
    uk_tenant = _tenant(
        ids,
        uk_org,
        _demo_contacts(ids, rng, uk, _UK_CONTACTS, 62, qbt_names),
        _items(ids, rng, uk, _UK_ITEMS),
        [
            _tracking_category(
                ids,
                "Branch",
                [
                    ("London", "ACTIVE"),
                    ("Surrey", "ACTIVE"),
                    ("Kent", "ACTIVE"),
                    ("Oxford", "ARCHIVED"),
                ],
            ),
            _tracking_category(
                ids,
                "Service Line",
                [
                    ("Landscaping", "ACTIVE"),
                    ("Grounds Maintenance", "ACTIVE"),
                    ("Tree Surgery", "ACTIVE"),
                    ("Winter Gritting", "ACTIVE"),
                ],
            ),
        ],
        _v2_payroll(ids, rng, uk, "UK", _UK_PEOPLE),
        foreign_currencies=("EUR",),  # bills its Irish and French customers in euros
    )

    # ---- Canada / Québec: Global edition, invoicing only (no payroll key at all)
    ca = _LOCALES["CA"]
    ca_org = _organisation(
        ids,
        rng,
        ca,
        version="GLOBAL",
        name="Maison Verdure Québec",
        legal_name="Les Jardins Maison Verdure Inc.",
        short_code="!mVqc5",
        timezone="EASTERNSTANDARDTIME",
        created_ts=1_577_836_800.0,
        org_class="STANDARD",
        website="https://www.maisonverdure.ca",
        line_of_business="Aménagement paysager et déneigement",
        tax_basis="ACCRUAL",
        tax_period="QUARTERLY",
        fy_end=(31, 12),
        registration=None,
        tax_number="812345678RT0001",
    )
    ca_tenant = _tenant(
        ids,
        ca_org,
        _demo_contacts(ids, rng, ca, _CA_CONTACTS, 62, qbt_names),
        _items(ids, rng, ca, _CA_ITEMS),
        [
            _tracking_category(
                ids,
                "Région",
                [
                    ("Montréal", "ACTIVE"),
                    ("Laval", "ACTIVE"),
                    ("Rive-Sud", "ACTIVE"),
                    ("Québec", "ACTIVE"),
                    ("Gatineau", "ARCHIVED"),
                ],
            ),
            _tracking_category(
                ids,
                "Secteur d'activité",
                [
                    ("Aménagement paysager", "ACTIVE"),
                    ("Entretien", "ACTIVE"),
                    ("Déneigement", "ACTIVE"),
                    ("Élagage", "ACTIVE"),
                ],
            ),
        ],
        None,
        foreign_currencies=("USD",),  # bills its customers across the border in US dollars
    )

    _au_payroll_traps(au_tenant["payroll"])
    _set_timesheet_category(au_tenant, "Region")
    _uk_payroll_traps(uk_tenant["payroll"])
    qbtime = _demo_qbtime(rng, ids)
    # Hours last, from their own seed: nothing built before them moves.
    add_demo_hours(
        qbtime,
        {"AU": au_tenant, "UK": uk_tenant},
        {
            org: [c.qbtime_name for c in NEAR_MISS_CASES if c.org == org and c.qbtime_name]
            for org in ("AU", "UK")
        },
        seed + 13,
    )
    return {"xero": {"organisations": [au_tenant, uk_tenant, ca_tenant]}, "qbtime": qbtime}


def _demo_qbtime(rng: random.Random, ids: _Ids) -> dict[str, Any]:
    qbt = _QBTime(rng, ids, "Maison Verdure Group", "maisonverdure")
    # Time-off codes come first: they were set up with the account.
    _time_off_codes(
        qbt,
        (
            ("Annual Leave", "pto"),
            ("Sick Leave", "pto"),
            ("Holiday", "pto"),
            ("Long service leave", "pto"),
            ("Congé annuel", "pto"),
            ("Unpaid Leave", "unpaid_time_off"),
        ),
    )

    owner = qbt.user(
        "Camille",
        "Tremblay",
        "camille.tremblay@maisonverdure.com",
        admin=True,
        user_id=1,
        username="camille.tremblay",
        hire_ts=1_456_790_400.0,
    )
    qbt.user(
        "Sandrine", "Côté", "sandrine.cote@maisonverdure.com", manager=True, hire_ts=1_514_764_800.0
    )
    users: dict[tuple[str, str, str], dict[str, Any]] = {}
    for emp_case in EMPLOYEE_CASES:
        if emp_case.qbtime is None or emp_case.qbtime in users:
            continue
        first, last, email = emp_case.qbtime
        users[emp_case.qbtime] = qbt.user(
            first,
            last,
            email,
            active=emp_case.category != "archived_in_qbtime",
            employee_number=len(users) + 101,
            hire_ts=_random_date_ts(rng, 2017, 2023),
        )

    # Customers, in the order someone would have typed them in.
    jobs: dict[str, dict[str, Any]] = {}
    short_codes = {
        "Northern Beaches Council": "NBC",
        "Hornsby Shire Council": "HSC",
        "Mosman Rowing Club": "MRC",
        "Richmond Cricket Club": "RCC",
        "Ville de Laval": "LAVAL",
    }
    for case in NEAR_MISS_CASES:
        name = case.qbtime_name
        if name is None or name in jobs:
            continue
        short = short_codes.get(name, "")
        billable = rng.random() < 0.6
        jobs[name] = qbt.jobcode(
            name,
            active=case.category != "archived_in_qbtime",
            short_code=short,
            billable=billable,
            billable_rate=float(rng.choice((55, 65, 75, 85))) if billable else 0,
        )
    nbc = jobs["Northern Beaches Council"]
    for child, active in (
        ("Dee Why Reserve", True),
        ("Manly Dam Park", True),
        ("Collaroy Foreshore", False),
    ):
        jobs[child] = qbt.jobcode(
            child, parent_id=nbc["id"], active=active, billable=True, billable_rate=75.0
        )
    laval = jobs["Ville de Laval"]
    for child in ("Parc Centre-de-la-Nature", "Berge des Baigneurs"):
        jobs[child] = qbt.jobcode(child, parent_id=laval["id"])

    # A few assignments made by hand (one on an archived customer: inactive).
    by_name = {(u["first_name"], u["last_name"]): u for u in qbt.users}
    for (first, last), job in (
        (("Olivia", "Brown"), "Northern Beaches Council"),
        (("Olivia", "Brown"), "Dee Why Reserve"),
        (("Noah", "Williams"), "Hornsby Shire Council"),
        (("Jack", "Wilson"), "Greenfield Homes"),
        (("Liam", "O'Connor"), "Manly Wharf Hotel"),
        (("Oliver", "Hughes"), "Richmond Cricket Club"),
        (("Amelia", "Clarke"), "Guildford Dental Practice"),
    ):
        qbt.assign(by_name[(first, last)], jobs[job])

    qbt.customfield(
        "Equipment",
        "Equip",
        (
            ("Ride-on mower", "RM", True),
            ("Push mower", "PM", True),
            ("Hedge trimmer", "HT", True),
            ("Chainsaw", "CS", True),
            ("Leaf blower", "LB", True),
            ("Mini excavator", "MX", True),
            ("Stump grinder", "SG", False),
        ),
    )
    qbt.customfield(
        "Service Item",
        "SvcItm",
        (
            ("Lawn mowing – standard block", "LMS", True),  # exact twin of AU item LAWN-STD
            ("Hedge trimming (per hour)", "HTPH", True),  # exact twin of AU item HEDGE-HR
            ("Lawn mowing - large block", "LML", True),  # hyphen vs en dash (AU LAWN-LRG)
            ("Gutter Cleaning", "GC", True),  # case (AU GUTTER)
            ("Snow clearing (per visit)", "SNOW", True),
        ),
    )  # no Xero item
    qbt.customfield(
        "Region",
        "Rgn",
        (("Sydney North", "SYN", True), ("Sydney South", "SYS", True), ("Newcastle", "NCL", True)),
    )
    qbt.customfield(
        "Old Job Type",
        "OJT",
        (("Residential", "RES", True), ("Commercial", "COM", True)),
        active=False,
    )
    return qbt.finish(token="S.1__demo" + ids.hex(20), current_user_id=owner["id"])


# --------------------------------------------------------------------------- large organisation

_NEAR_MISS_KINDS = ("case", "accents", "ampersand", "suffix", "spaces", "punctuation")


def _near_miss_variant(name: str, rng: random.Random, loc: _Locale) -> str | None:
    """A hand-typed variant of ``name`` (one of _NEAR_MISS_KINDS), or None when none applies."""
    options = []
    if name.lower() != name:
        options.append(name.lower())
    if name.upper() != name:
        options.append(name.upper())
    stripped = _strip_accents(name)
    if stripped != name:
        options.append(stripped)
    if "&" in name:
        options.append(name.replace("&", "et" if loc.key == "CA" else "and", 1))
    elif " and " in name:
        options.append(name.replace(" and ", " & ", 1))
    for suffix in loc.suffixes:
        if name.endswith(suffix):
            options.append(name[: -len(suffix)])
            break
    else:
        options.append(name + rng.choice(loc.suffixes))
    if " " in name:
        options.append(name.replace(" ", "  ", 1))
    punctless = re.sub(r"[.'’,]", "", name)
    if punctless != name:
        options.append(punctless)
    options = [o for o in options if o.strip() and o != name]
    return rng.choice(options) if options else None


def _qbt_name(name: str) -> str:
    return name[:QBT_NAME_MAX].rstrip()


def generate_large(
    contacts: int = 10000, employees: int = 300, items: int = 500, region: str = "AU", seed: int = 1
) -> dict[str, Any]:
    """One large Xero organisation (+ a QB Time account already in use) for benchmarks.

    Deterministic for a given set of arguments. About a quarter of the customers and half of
    the active employees already exist in QB Time, mostly with exactly the same name, some as
    near misses (case, accents, '&', legal suffix, spaces, punctuation); a few QB Time customers
    have no Xero counterpart.
    """
    region = region.upper()
    if region not in REGIONS:
        raise ValueError(f"region must be one of {REGIONS}, not {region!r}")
    if min(contacts, employees, items) < 0:
        raise ValueError("counts must be >= 0")
    loc = _LOCALES[_REGION_LOCALE[region]]
    rng = random.Random(f"large:{region}:{seed}")
    ids = _Ids(random.Random(f"large-ids:{region}:{seed}"))

    org = _organisation(
        ids,
        rng,
        loc,
        version=region,
        name=f"Benchmark Grounds {region} (seed {seed})",
        legal_name=f"Benchmark Grounds {region}{loc.suffixes[0]}",
        short_code=f"!bG{region[:2]}{seed % 100:02d}",
        timezone={
            "AU": "AUSEASTERNSTANDARDTIME",
            "UK": "GMTSTANDARDTIME",
            "NZ": "NEWZEALANDSTANDARDTIME",
            "GLOBAL": "EASTERNSTANDARDTIME",
            "US": "PACIFICSTANDARDTIME",
        }[region],
        created_ts=1_420_070_400.0,
        org_class="PREMIUM",
        website="https://www.example.com",
        line_of_business="Grounds maintenance",
        tax_basis="ACCRUAL",
        tax_period="QUARTERLY",
        fy_end=(30, 6) if region in ("AU", "NZ") else (31, 12),
        registration="123 456 789" if region in ("AU", "NZ", "UK") else None,
        tax_number=_tax_number(loc, rng),
    )

    maker = _NameMaker(loc, rng)
    contact_rows = []
    roles = ("C",) * 11 + ("N",) * 5 + ("S",) * 3 + ("CS",)
    addresses = ("both", "both", "street", "street", "street", "pobox", "none")
    for seq in range(1, contacts + 1):
        name, person, is_person = maker.make()
        if seq % 97 == 0:  # a few very long names, as real ledgers have
            name = (
                f"{name} – {rng.choice(loc.cities)[0]} Owners' Corporation and Maintenance Account"
            )
        spec = _ContactSpec(
            name, rng.choice(roles), rng.random() < 0.05, person, rng.choice(addresses), is_person
        )
        contact_rows.append(_contact(ids, rng, loc, spec, seq=seq))

    item_rows = []
    kinds = (
        ("service",) * 5
        + ("sold_purchased",) * 2
        + ("tracked",) * 2
        + ("purchase_only", "sold_noprice")
    )
    nouns = (
        "Lawn mowing",
        "Hedge trimming",
        "Tree pruning",
        "Mulch",
        "Turf",
        "Irrigation repair",
        "Garden maintenance",
        "Gutter cleaning",
        "Pressure washing",
        "Planting",
        "Paving",
        "Fertiliser",
        "Topsoil",
        "Fencing",
        "Retaining wall",
        "Snow clearing",
        "Weed control",
    )
    qualifiers = (
        "standard",
        "large",
        "small",
        "premium",
        "per hour",
        "per m²",
        "per m³",
        "per visit",
        "per load",
        "per bag",
        "commercial",
        "residential",
    )
    for seq in range(1, items + 1):
        kind = rng.choice(kinds)
        name = f"{rng.choice(nouns)} – {rng.choice(qualifiers)} #{seq}"
        price = (
            round(rng.uniform(10, 400), 2)
            if kind not in ("purchase_only", "sold_noprice")
            else None
        )
        cost = (
            round((price or rng.uniform(5, 200)) * rng.uniform(0.3, 0.6), 2)
            if kind in ("sold_purchased", "tracked", "purchase_only")
            else None
        )
        item_rows.append(
            _item(
                ids,
                rng,
                loc,
                code=f"ITEM-{seq:05d}",
                name=name[:50],
                kind=kind,
                price=price,
                cost=cost,
                qty=float(rng.randint(0, 300)) if kind == "tracked" else 0.0,
            )
        )

    tracking = [
        _tracking_category(
            ids,
            "Region",
            [(c[0], "ACTIVE") for c in loc.cities[:8]] + [(loc.cities[8][0], "ARCHIVED")],
        ),
        _tracking_category(
            ids,
            "Service Line",
            [
                ("Landscaping", "ACTIVE"),
                ("Maintenance", "ACTIVE"),
                ("Tree Care", "ACTIVE"),
                ("Construction", "ARCHIVED"),
            ],
        ),
    ]

    people: list[_Person] = []
    payroll: dict[str, Any] | None = None
    if region in PAYROLL_REGIONS:
        domain = f"benchmarkgrounds.{loc.tld}"
        seen: set[str] = set()
        for _ in range(employees):
            first, last = rng.choice(loc.first_names), rng.choice(loc.last_names)
            local = _mail_local(first, last)
            n = 2
            while local in seen:
                local = f"{_mail_local(first, last)}{n}"
                n += 1
            seen.add(local)
            email = f"{local}@{domain}" if rng.random() < 0.92 else ""
            people.append(
                _Person(
                    first,
                    last,
                    email,
                    terminated=rng.random() < 0.12,
                    gender=rng.choice("MF"),
                    job_title=rng.choice(
                        (
                            "Landscape Gardener",
                            "Crew Supervisor",
                            "Arborist",
                            "Labourer",
                            "Apprentice Gardener",
                        )
                    ),
                )
            )
        if region == "AU":
            payroll = _au_payroll(ids, rng, loc, people)
        else:
            payroll = _v2_payroll(ids, rng, loc, region, people)

    tenant = _tenant(ids, org, contact_rows, item_rows, tracking, payroll)
    return {
        "xero": {"organisations": [tenant]},
        "qbtime": _large_qbtime(rng, ids, loc, contact_rows, people),
    }


def _large_qbtime(
    rng: random.Random,
    ids: _Ids,
    loc: _Locale,
    contacts: Sequence[dict[str, Any]],
    people: Sequence[_Person],
) -> dict[str, Any]:
    qbt = _QBTime(rng, ids, "Benchmark Grounds", "benchmarkgrounds")
    _time_off_codes(
        qbt, (("Annual Leave", "pto"), ("Sick Leave", "pto"), ("Unpaid Leave", "unpaid_time_off"))
    )
    owner = qbt.user(
        "Alex", "Owner", "owner@benchmarkgrounds.example", admin=True, user_id=1, username="owner"
    )

    for person in people:
        if person.terminated or rng.random() >= 0.5:
            continue
        first, last, email = person.first, person.last, person.email
        roll = rng.random()
        if roll < 0.06:
            last = last.lower()
        elif roll < 0.10:
            email = ""
        elif roll < 0.13 and email:
            email = f"{_mail_local(first, last)}@gmail.com"
        qbt.user(
            first, last, email, active=rng.random() > 0.03, hire_ts=_random_date_ts(rng, 2017, 2024)
        )

    taken: set[str] = set()
    for contact in contacts:
        if not contact["IsCustomer"] or rng.random() >= 0.25:
            continue
        name = contact["Name"]
        if rng.random() < 0.2:
            name = _near_miss_variant(name, rng, loc) or name
        name = _qbt_name(name)
        if not name.strip() or name.strip().casefold() in taken:
            continue
        taken.add(name.strip().casefold())
        qbt.jobcode(name, active=rng.random() > 0.04)
    extra = max(3, len(contacts) // 40)
    maker = _NameMaker(loc, rng, reserved=[c["Name"] for c in contacts])
    for _ in range(extra):  # QB Time customers with no Xero counterpart
        name = _qbt_name(maker.make()[0])
        if name.strip().casefold() in taken:
            continue
        taken.add(name.strip().casefold())
        qbt.jobcode(name)

    regular = [j for j in qbt.jobcodes if j["type"] == "regular" and j["active"]]
    workers = [u for u in qbt.users if u["id"] != owner["id"]]
    if regular and workers:
        for user in rng.sample(workers, min(len(workers), 40)):
            for job in rng.sample(regular, min(len(regular), 3)):
                qbt.assign(user, job)

    qbt.customfield(
        "Equipment",
        "Equip",
        (
            ("Ride-on mower", "RM", True),
            ("Push mower", "PM", True),
            ("Hedge trimmer", "HT", True),
            ("Chainsaw", "CS", True),
            ("Leaf blower", "LB", True),
        ),
    )
    return qbt.finish(token="S.1__bench" + ids.hex(20), current_user_id=owner["id"])


# --------------------------------------------------------------------------- documentation


def _md_cell(value: str | None) -> str:
    if value is None:
        return "—"
    shown = value.replace(_NBSP, "␣(U+00A0)").replace("|", "\\|")
    if shown != shown.strip() or "  " in shown:
        return "`" + shown.replace(" ", "·") + "`"
    return shown


def near_miss_table_markdown() -> str:
    """The README table of customer cases, generated so the README cannot drift."""
    lines = [
        "| Org | Case | Xero contact | QB Time customer | Note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for case in NEAR_MISS_CASES:
        lines.append(
            f"| {case.org} | {case.category} | {_md_cell(case.xero_name)} | "
            f"{_md_cell(case.qbtime_name)} | {case.note} |"
        )
    return "\n".join(lines) + "\n"


def employee_cases_markdown() -> str:
    """The README table of employee cases."""

    def who(person: tuple[str, str, str] | None) -> str:
        if person is None:
            return "—"
        first, last, email = person
        return f"{first} {last} <{email}>" if email else f"{first} {last} (no email)"

    lines = [
        "| Org | Case | Xero employee | QB Time user | Note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for case in EMPLOYEE_CASES:
        lines.append(
            f"| {case.org} | {case.category} | {who(case.xero)} | {who(case.qbtime)} | {case.note} |"
        )
    return "\n".join(lines) + "\n"
