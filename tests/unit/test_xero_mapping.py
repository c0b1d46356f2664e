"""core/services/xero/mapping.py: raw Xero objects -> typed records (pure, no network)."""

from __future__ import annotations

from datetime import date

import pytest

from core.engine.records import Address
from core.services.xero import mapping as m
from tests.conftest import SPECS_DIR

TODAY = date(2026, 3, 2)


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    "value, expected",
    [
        ("/Date(1547164800000+0000)/", "2019-01-11"),  # AU spec example StartDate
        ("/Date(1439434356790)/", "2015-08-13"),  # no offset at all
        # pyxero #122: a "+1300" offset on a UTC value. The milliseconds are UTC: 1451988985943
        # is 2016-01-05T10:16:25Z. Applying +13 h would give 2016-01-05 23:16 (same day here),
        # but the rule is never to apply it: see the midnight case below.
        ("/Date(1451988985943+1300)/", "2016-01-05"),
        # A date-only value stored at UTC midnight with an NZ offset: still that UTC date, not
        # the day before (subtracting) or after (adding).
        ("/Date(1573171200000+1300)/", "2019-11-08"),
        ("/Date(1573171200000-0500)/", "2019-11-08"),
        ("/Date(-62135596800000+0000)/", "0001-01-01"),  # before 1970: negative ms
        ("/Date(315619200000+0000)/", "1980-01-02"),
        ("2019-02-07T00:00:00", "2019-02-07"),  # NZ/UK ISO, no zone: date as written
        ("2020-04-13", "2020-04-13"),
        ("2020-08-24T20:16:14.6198711", "2020-08-24"),
        ("2020-08-24T23:30:00+13:00", "2020-08-24"),  # never shifted through a zone
        ("", ""),
        (None, ""),
        ("not a date", ""),
        (12345, ""),
    ],
)
def test_xero_date(value, expected):
    assert m.xero_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/Date(1503348544227+0000)/", 1503348544.227),
        ("/Date(1451988985943+1300)/", 1451988985.943),  # offset ignored: ms are UTC
        ("/Date(1451988985943-0800)/", 1451988985.943),
        ("2019-09-24T05:08:45", 1569301725.0),  # zone-less ISO = UTC
        ("2019-09-22T23:09:32Z", 1569193772.0),
        ("2020-08-24T20:16:14.6198711", 1598300174.619871),
        ("", None),
        (None, None),
        ("garbage", None),
        (True, None),
    ],
)
def test_parse_timestamp(value, expected):
    got = m.parse_timestamp(value)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-6)


# --------------------------------------------------------------------------- organisation
def test_organisation_shapes():
    au = m.map_organisation(
        {
            "Name": "Maison Verdure Australia",
            "CountryCode": "AU",
            "Version": "AU",
            "BaseCurrency": "AUD",
        },
        "t-au",
    )
    assert (au.tenant_id, au.name, au.country_code, au.version, au.base_currency) == (
        "t-au",
        "Maison Verdure Australia",
        "AU",
        "AU",
        "AUD",
    )
    ca = m.map_organisation({"Name": "Québec", "CountryCode": "ca", "Version": "global"}, "t")
    assert (ca.country_code, ca.version, ca.base_currency) == ("CA", "GLOBAL", "")


# --------------------------------------------------------------------------- contacts
def _addr(kind, **kw):
    base = {
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
    base.update(kw)
    return base


def test_contact_street_address_wins():
    raw = {
        "ContactID": "c1",
        "ContactStatus": "ACTIVE",
        "Name": "Acme Pty",
        "FirstName": "Ann",
        "LastName": "Lee",
        "EmailAddress": "ann@acme.test",
        "IsCustomer": True,
        "IsSupplier": False,
        "UpdatedDateUTC": "/Date(1503348544227+0000)/",
        "Addresses": [
            _addr("POBOX", AddressLine1="PO Box 12", City="Sydney"),
            _addr(
                "STREET",
                AddressLine1="1 George St",
                AddressLine2="Level 3",
                AddressLine4="Rear",
                City="Sydney",
                Region="NSW",
                PostalCode="2000",
                Country="Australia",
            ),
        ],
    }
    c = m.map_contact(raw)
    assert c.contact_id == "c1" and c.name == "Acme Pty" and c.is_customer and not c.is_supplier
    assert (c.first_name, c.last_name, c.email) == ("Ann", "Lee", "ann@acme.test")
    assert c.street == Address("1 George St", "Level 3, Rear", "Sydney", "NSW", "2000", "Australia")
    assert c.postal == Address(line1="PO Box 12", city="Sydney")
    assert c.best_address == c.street
    assert c.updated_utc == pytest.approx(1503348544.227)
    assert c.raw is raw and not c.archived


def test_contact_blank_street_falls_back_to_postal():
    raw = {
        "ContactID": "c2",
        "Name": "Kiwi",
        "ContactStatus": "ARCHIVED",
        "Addresses": [
            _addr("STREET", AttentionTo="Bob"),  # only attention: no location
            _addr(
                "POBOX", City="Palo Alto", Region="CA", PostalCode="94020", Country="United States"
            ),
        ],
    }
    c = m.map_contact(raw)
    assert c.street is None
    assert c.best_address == Address(
        city="Palo Alto", region="CA", postal_code="94020", country="United States"
    )
    assert c.archived and c.status == "ARCHIVED"
    assert not c.is_customer and not c.is_supplier


def test_summary_only_contact_has_no_address():
    c = m.map_contact(
        {"ContactID": "c3", "Name": "Summary", "ContactStatus": "ACTIVE", "IsCustomer": True}
    )
    assert c.street is None and c.postal is None and c.best_address is None
    assert c.status == "ACTIVE" and c.updated_utc == 0.0


def test_contact_gdpr_status_counts_as_archived():
    c = m.map_contact({"ContactID": "c4", "Name": "Gone", "ContactStatus": "GDPRREQUEST"})
    assert c.archived


# --------------------------------------------------------------------------- items
def _item(**kw):
    base = {
        "ItemID": "i",
        "Code": "C",
        "Name": "N",
        "IsSold": True,
        "IsPurchased": False,
        "IsTrackedAsInventory": False,
        "SalesDetails": {"UnitPrice": 95.1234},
        "PurchaseDetails": {},
        "UpdatedDateUTC": "/Date(1551981476267+0000)/",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    "kw, importable",
    [
        ({}, True),  # sold service
        ({"IsPurchased": True}, True),  # sold and purchased, untracked
        ({"IsTrackedAsInventory": True, "IsPurchased": True}, False),  # inventory
        ({"IsSold": False, "SalesDetails": {}}, False),  # purchase only
        ({"IsSold": True, "SalesDetails": {}}, True),  # sold, no price
    ],
)
def test_item_importable_rule(kw, importable):
    item = m.map_item(_item(**kw))
    assert item.importable is importable


def test_item_fields():
    item = m.map_item(_item(Description="Consulting"))
    assert (item.item_id, item.code, item.name, item.description) == ("i", "C", "N", "Consulting")
    assert item.unit_price == pytest.approx(95.1234)
    assert item.is_sold and not item.is_purchased and not item.is_tracked
    assert item.updated_utc == pytest.approx(1551981476.267)
    no_price = m.map_item(_item(SalesDetails={}))
    assert no_price.unit_price is None and no_price.description == ""


def test_item_missing_flags_read_from_details():
    raw = {"ItemID": "x", "Code": "X", "SalesDetails": {"UnitPrice": 1.0}, "PurchaseDetails": {}}
    item = m.map_item(raw)
    assert item.is_sold and not item.is_purchased and not item.is_tracked and item.importable


# --------------------------------------------------------------------------- tracking
def test_tracking_category_with_options():
    cat = m.map_tracking_category(
        {
            "TrackingCategoryID": "t1",
            "Name": "Region",
            "Status": "ACTIVE",
            "Options": [
                {"TrackingOptionID": "o1", "Name": "North", "Status": "ACTIVE"},
                {"TrackingOptionID": "o2", "Name": "South", "Status": "ARCHIVED"},
            ],
        }
    )
    assert (cat.category_id, cat.name, cat.status) == ("t1", "Region", "ACTIVE")
    assert [(o.option_id, o.name, o.status) for o in cat.options] == [
        ("o1", "North", "ACTIVE"),
        ("o2", "South", "ARCHIVED"),
    ]
    empty = m.map_tracking_category(
        {"TrackingCategoryID": "t2", "Name": "Old", "Status": "ARCHIVED"}
    )
    assert empty.options == () and empty.status == "ARCHIVED"


# --------------------------------------------------------------------------- employees
def test_au_employee_active_and_terminated():
    active = m.map_au_employee(
        {
            "EmployeeID": "e1",
            "FirstName": "Jack",
            "LastName": "Sparrow",
            "Status": "ACTIVE",
            "Email": "jack.sparrow@xero.com",
            "StartDate": "/Date(1547164800000+0000)/",
            "UpdatedDateUTC": "/Date(1572915814000+0000)/",
        },
        TODAY,
    )
    assert (active.employee_id, active.first_name, active.last_name, active.email) == (
        "e1",
        "Jack",
        "Sparrow",
        "jack.sparrow@xero.com",
    )
    assert active.active and active.start_date == "2019-01-11" and active.end_date == ""
    assert active.updated_utc == 1572915814.0
    gone = m.map_au_employee(
        {
            "EmployeeID": "e2",
            "FirstName": "A",
            "LastName": "B",
            "Status": "TERMINATED",
            "TerminationDate": "/Date(1600000000000+0000)/",
        },
        TODAY,
    )
    assert not gone.active and gone.end_date == "2020-09-13" and gone.email == ""


def test_au_employee_without_status_uses_termination_date():
    future = m.map_au_employee(
        {"EmployeeID": "e", "TerminationDate": "/Date(1893456000000)/"}, TODAY
    )  # 2030-01-01
    past = m.map_au_employee({"EmployeeID": "e", "TerminationDate": "/Date(1600000000000)/"}, TODAY)
    assert future.active and not past.active


@pytest.mark.parametrize(
    "end, active",
    [
        (None, True),
        ("", True),
        ("2026-03-03T00:00:00", True),  # leaves tomorrow: still working today
        ("2026-03-02T00:00:00", True),  # last day is today: still working today
        ("2026-03-01T00:00:00", False),  # last day was yesterday
        ("2021-01-01T00:00:00", False),
    ],
)
def test_v2_employee_status_from_end_date(end, active):
    emp = m.map_v2_employee(
        {
            "employeeID": "68342973-c405-4b86-b5d3-d7b877c27995",
            "firstName": "Casual",
            "lastName": "Worker",
            "email": None,
            "startDate": "2019-02-07T00:00:00",
            "updatedDateUTC": "2019-09-24T05:08:45",
            "endDate": end,
        },
        TODAY,
    )
    assert emp.active is active
    assert emp.employee_id == "68342973-c405-4b86-b5d3-d7b877c27995"
    assert (emp.first_name, emp.last_name, emp.email) == ("Casual", "Worker", "")
    assert emp.start_date == "2019-02-07"
    assert emp.end_date == ((end or "")[:10])
    assert emp.updated_utc == 1569301725.0


def test_uk_employee_shape():
    emp = m.map_v2_employee(
        {
            "employeeID": "u1",
            "title": "Ms",
            "firstName": "Olivia",
            "lastName": "Smith",
            "email": "o@x.test",
            "startDate": "2016-04-28T00:00:00",
            "isOffPayrollWorker": False,
            "contracts": [],
            "updatedDateUTC": "2023-12-06T17:46:28",
        },
        TODAY,
    )
    assert emp.active and emp.end_date == "" and emp.email == "o@x.test"


# --------------------------------------------------------------------------- leave types
def test_au_leave_types():
    paid = m.map_au_leave_type(
        {"LeaveTypeID": "l1", "Name": "Annual Leave", "IsPaidLeave": True, "CurrentRecord": True}
    )
    unpaid = m.map_au_leave_type(
        {
            "LeaveTypeID": "l2",
            "Name": "Parental Leave (unpaid)",
            "IsPaidLeave": False,
            "CurrentRecord": True,
        }
    )
    retired = m.map_au_leave_type(
        {"LeaveTypeID": "l3", "Name": "Study Leave", "IsPaidLeave": True, "CurrentRecord": False}
    )
    assert (paid.is_paid, paid.active) == (True, True)
    assert (unpaid.is_paid, unpaid.active) == (False, True)
    assert (retired.is_paid, retired.active) == (True, False)
    assert m.map_au_leave_type({"LeaveTypeID": "l4", "Name": "X"}).active


def test_v2_leave_types():
    nz = m.map_v2_leave_type(
        {
            "leaveTypeID": "n1",
            "name": "Annual Leave",
            "isPaidLeave": True,
            "showOnPayslip": True,
            "isActive": True,
            "typeOfUnits": "Hours",
        }
    )
    uk = m.map_v2_leave_type(
        {
            "leaveTypeID": "u1",
            "name": "Unpaid Leave",
            "isPaidLeave": False,
            "isActive": False,
            "isStatutoryLeave": False,
        }
    )
    assert (nz.leave_type_id, nz.name, nz.is_paid, nz.active) == ("n1", "Annual Leave", True, True)
    assert (uk.is_paid, uk.active) == (False, False)


# --------------------------------------------------------------------------- spec examples
def _spec(name):
    path = SPECS_DIR / "xero" / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _example(spec, path, method="get"):
    return spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["example"]


def test_spec_examples_accounting():
    spec = _spec("xero_accounting.yaml")
    contacts = [m.map_contact(c) for c in _example(spec, "/Contacts")["Contacts"]]
    kat = next(c for c in contacts if c.name == "Katherine Warren")
    # The example's STREET address has only empty slots; its POBOX one is the location.
    assert kat.street is None
    assert kat.best_address == Address(
        city="Palo Alto", region="CA", postal_code="94020", country="United States"
    )
    assert kat.is_customer and kat.is_supplier and kat.updated_utc == pytest.approx(1503348544.227)
    items = [m.map_item(i) for i in _example(spec, "/Items")["Items"]]
    assert [i.importable for i in items] == [True, True]
    assert items[0].unit_price == 5000.0


def test_spec_examples_payroll_au():
    spec = _spec("xero-payroll-au.yaml")
    emps = [m.map_au_employee(e, TODAY) for e in _example(spec, "/Employees")["Employees"]]
    assert [(e.first_name, e.start_date, e.active) for e in emps] == [
        ("Jack", "2019-01-11", True),
        ("John", "2019-11-01", True),
    ]
    leave = [m.map_au_leave_type(x) for x in _example(spec, "/PayItems")["PayItems"]["LeaveTypes"]]
    by_name = {x.name: x for x in leave}
    assert by_name["Annual Leave"].is_paid and not by_name["Parental Leave (unpaid)"].is_paid


def test_impossible_dates_are_unreadable_never_an_exception():
    from core.services.xero.mapping import parse_ms_date, parse_timestamp, xero_date

    for bad in (
        "/Date(99999999999999999+0000)/",
        "/Date(-99999999999999999)/",
        "2024-13-01T00:00:00",
        "2024-02-30",
        "garbage",
        "/Date(abc)/",
    ):
        assert xero_date(bad) == ""
        assert parse_timestamp(bad) is None
    assert parse_ms_date("/Date(99999999999999999+0000)/") is None
    assert xero_date("/Date(1547164800000+0000)/") == "2019-01-11"
