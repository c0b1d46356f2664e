"""Each simulated Xero organisation gives a ``Timezone`` as Xero does: one of the Accounting
spec's ``TimeZone`` values, the zone of the city of its address (the app reads the
organisation's "today" there: core.services.xero.timezones)."""

from __future__ import annotations

import json

import pytest

from core.sandbox.demo_data import REGIONS, build_demo_company, generate_large
from core.sandbox.server import DEMO_COMPANY_FILE
from core.services.xero.timezones import XERO_ZONES
from tests.contract.xero_spec import load_spec, require_specs

#: (CountryCode, the street address's Region) -> the zone of that place
PLACE_ZONES = {
    ("AU", "NSW"): "Australia/Sydney",
    ("GB", "Surrey"): "Europe/London",
    ("CA", "QC"): "America/New_York",  # (Montréal: Windows' "Eastern Standard Time")
    ("NZ", "Auckland"): "Pacific/Auckland",
    ("US", "OR"): "America/Los_Angeles",
}


def _organisations() -> list[tuple[str, dict]]:
    demo = [("demo", o["Organisation"]) for o in build_demo_company()["xero"]["organisations"]]
    with open(DEMO_COMPANY_FILE, encoding="utf-8") as f:
        committed = [
            ("company.json", o["Organisation"]) for o in json.load(f)["xero"]["organisations"]
        ]
    large = [
        (f"large {region}", o["Organisation"])
        for region in REGIONS
        for o in generate_large(contacts=1, employees=1, items=1, region=region)["xero"][
            "organisations"
        ]
    ]
    return demo + committed + large


@pytest.mark.parametrize(
    ("where", "org"), _organisations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_organisation_gives_the_timezone_of_its_address(where, org):
    require_specs("accounting")
    enum = load_spec("accounting")["components"]["schemas"]["TimeZone"]["enum"]
    assert org["Timezone"] in enum, where
    street = next(a for a in org["Addresses"] if a["AddressType"] == "STREET")
    assert XERO_ZONES[org["Timezone"]] == PLACE_ZONES[(org["CountryCode"], street["Region"])]
