"""The snapshot keeps only the fields the product reads (core.services.stored_fields): what
is read of a kept record is what was read of the whole one, on every record of the Demo
Company (Xero contacts of the AU, UK and Québec organisations, AU and UK payroll employees,
QuickBooks Time users), and the private fields are gone."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from core.app.review_screen import _contact_phone
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.fetch import _employee_name
from core.services.qbtime import mapping as qmap
from core.services.stored_fields import STORED_FIELDS, kept_only, stored_part
from core.services.xero import mapping as xmap
from core.store.db import V5_KEPT_FIELDS

TODAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path_factory.mktemp("demo"))
    try:
        yield box.store
    finally:
        box.stop()


def _kept(table: str, kind: str, raw: dict) -> dict:
    part = stored_part(table, kind)
    assert part is not None
    return part(raw)


def test_contacts_read_the_same_from_what_is_kept(store):
    contacts = [c for org in store.xero_orgs for c in org["Contacts"]]
    assert len(contacts) > 100
    for raw in contacts:
        whole = {**raw, "TaxNumber": "12 345 678 901", "BankAccountDetails": "062000 1234"}
        kept = _kept("xero_record", "contact", whole)
        assert xmap.map_contact(kept) == xmap.map_contact(whole)
        assert _contact_phone(kept) == _contact_phone(whole)
        for gone in ("TaxNumber", "BankAccountDetails", "Balances", "ContactPersons"):
            assert gone not in kept
        for address in kept.get("Addresses") or []:
            assert "AttentionTo" not in address


def test_payroll_employees_read_the_same_from_what_is_kept(store):
    au, uk = store.xero_orgs[0]["payroll"], store.xero_orgs[1]["payroll"]
    cases = [(e, False) for e in au["Employees"]] + [(e, True) for e in uk["Employees"]]
    assert len(cases) > 10
    for raw, v2 in cases:
        kept = _kept("xero_record", "employee", raw)
        mapper = xmap.map_v2_employee if v2 else xmap.map_au_employee
        for day in (TODAY, date(2030, 1, 1)):
            assert mapper(kept, day) == mapper(raw, day)
        assert xmap.employee_end_date_problem(kept, v2) == xmap.employee_end_date_problem(raw, v2)
        assert _employee_name(kept) == _employee_name(raw)
        phone = ("phoneNumber",) if v2 else ("Mobile", "Phone")
        assert {k: kept.get(k) for k in phone} == {k: raw.get(k) for k in phone}
        private = (
            ("nationalInsuranceNumber", "dateOfBirth", "gender", "address", "title")
            if v2
            else ("DateOfBirth", "Gender", "HomeAddress", "JobTitle", "OrdinaryEarningsRateID")
        )
        assert [k for k in private if k in kept] == []


def test_qbtime_users_read_the_same_from_what_is_kept_but_their_payroll_id(store):
    users = store.qbtime["users"]
    assert users
    for raw in users:
        whole = {**raw, "pay_rate": 31.5, "payroll_id": "P-0042"}
        kept = _kept("qbt_record", "user", whole)
        assert qmap.user(kept) == dataclasses.replace(qmap.user(whole), payroll_id="")
        assert qmap.user(kept).is_admin == qmap.user(whole).is_admin
        assert kept.get("mobile_number") == whole.get("mobile_number")
        for gone in ("pay_rate", "pay_interval", "payroll_id", "hire_date", "pto_balances"):
            assert gone not in kept


def test_records_without_private_data_are_kept_whole():
    assert stored_part("xero_record", "item") is None
    assert stored_part("qbt_record", "jobcode") is None
    assert stored_part("xero_record", "leave_type") is None


def test_a_list_of_objects_keeps_its_objects_fields_only():
    fields = {"A": None, "L": frozenset({"x"})}
    raw = {"A": {"deep": 1}, "B": 2, "L": [{"x": 1, "y": 2}, "text"]}
    assert kept_only(fields, raw) == {"A": {"deep": 1}, "L": [{"x": 1}, "text"]}
    assert raw["L"][0] == {"x": 1, "y": 2}  # (the object read is left as it is)


def test_the_v5_scrub_keeps_what_a_read_keeps():
    """The migration's own copy of the lists (core.store.db cannot import the services)
    equals the lists as of v5: the next read after the upgrade finds nothing changed. A
    field added to a list later is stored by the next read of each record."""
    assert {(t, k): dict(f) for t, k, f in V5_KEPT_FIELDS} == {
        key: dict(fields) for key, fields in STORED_FIELDS.items()
    }


def test_the_v4_fixture_is_scrubbed_when_opened_and_rows_that_lose_nothing_stay(tmp_path):
    import sqlite3
    from pathlib import Path

    from core.store.db import close_database, open_database

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "db_v4.sql"
    path = tmp_path / "bridge.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(fixture.read_text(encoding="utf-8"))
    before = dict(conn.execute('SELECT "id", "raw" FROM "xero_record"').fetchall())
    conn.close()
    database = open_database(path)
    try:
        after = dict(database.execute_sql('SELECT "id", "raw" FROM "xero_record"').fetchall())
        users = [r[0] for r in database.execute_sql('SELECT "raw" FROM "qbt_record"').fetchall()]
    finally:
        close_database()
    text = "\n".join([*after.values(), *users])
    for private in (
        "53 004 085 616",
        "062-000",
        "Balances",
        "DateOfBirth",
        "Fig Tree",
        "123456782",
    ):
        assert private not in text
    for gone in ("87654321", "Ana Lima", "pay_rate", "P-0105"):
        assert gone not in text
    assert "9555 0104" in after[4] and "4 Wharf St" in after[4] and "0400 555 105" in after[5]
    assert {i: after[i] for i in (1, 2, 3)} == {i: before[i] for i in (1, 2, 3)}
