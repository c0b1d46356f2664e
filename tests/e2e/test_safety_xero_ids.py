"""Issue 11: bad records from Xero are reported, the rest is imported.

Xero answers planted in the Demo Company the way tests/reliability/test_hostile_data.py
plants hostile records: two different records under one ContactID / ItemID / EmployeeID, a
record without an id, an employee whose end date no calendar holds. Each sync must report
every such record by name with a reason (the plan's skipped records, ``problems`` in
``sync --json``, the lines ``main.py sync`` prints), leave it out, import everything else,
and a second sync writes nothing.
"""

from __future__ import annotations

import io
import json

import pytest

from core.app.cli import Output, cmd_sync
from core.app.sync import sync
from core.sandbox.demo_data import build_demo_company
from core.store.models import Link
from tests.reliability.support import ORGS, raw_state

pytestmark = pytest.mark.safety("Bad records from Xero reported, the rest imported")

DUP_ID = "0d7c35a6-5a1e-4c61-9d4e-11aa22bb33cc"


def _company(tmp_path, org_key: str, plant) -> tuple[object, dict]:
    data = build_demo_company()
    org = next(o for o in data["xero"]["organisations"] if o["tenantName"] == ORGS[org_key])
    plant(org)
    path = tmp_path / f"company-{org_key}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path, org


def _contact(cid: str, name: str) -> dict:
    return {
        "ContactID": cid,
        "Name": name,
        "ContactStatus": "ACTIVE",
        "IsCustomer": True,
        "IsSupplier": False,
        "UpdatedDateUTC": "/Date(1702526593705+0000)/",
    }


def _linked(conn) -> set[tuple[str, str]]:
    return {(link.kind, link.xero_id) for link in Link.select().where(Link.connection == conn)}


def _bad(result) -> list:
    return [s for s in result.plan.skipped if getattr(s, "bad_record", False)]


def _assert_rest_imported(
    result, conn, kind: str, records: list[dict], id_key: str, left_out: set[str]
) -> None:
    """Every other record of ``kind`` is imported or reported for its own reason."""
    linked = _linked(conn)
    reported = {
        (s.kind, s.xero_id) for s in result.plan.skipped if not getattr(s, "bad_record", False)
    }
    reported |= {(c.kind, c.xero_id) for c in result.plan.conflicts}
    others = {r[id_key] for r in records if r.get(id_key) and r[id_key] not in left_out}
    missing = [x for x in others if (kind, x) not in linked and (kind, x) not in reported]
    assert missing == []
    assert not result.outcomes.get("failed"), result.outcomes


def _second_sync_writes_nothing(ctx, conn):
    before = raw_state(ctx.sandbox.store)
    again = sync(ctx, conn)
    assert again.run is None and again.plan.is_empty, [a.ref for a in again.plan.actions]
    assert raw_state(ctx.sandbox.store) == before
    return again


def test_two_contacts_under_one_id_and_one_without_id_are_printed_by_sync(tmp_path, demo_ctx):
    def plant(org):
        org["Contacts"] += [
            _contact(DUP_ID, "Fernhill Orchard Co"),
            _contact(DUP_ID, "Bramble Court Gardens"),
            _contact("", "Nameless Hedge Works"),
        ]

    path, org = _company(tmp_path, "AU", plant)
    ctx, conn = demo_ctx("AU", data_file=path)
    stream = io.StringIO()
    assert cmd_sync(ctx, Output(as_json=False, stream=stream), None, dry_run=False) == 0
    text = stream.getvalue()
    assert "Traceback" not in text
    line = next(x for x in text.splitlines() if "Bramble Court Gardens" in x)
    assert "Fernhill Orchard Co" in line and DUP_ID in line  # both names, the id
    assert any("Nameless Hedge Works" in x and "without an ID" in x for x in text.splitlines())

    # The first one read is imported; the other and the id-less one are not.
    jobs = [j["name"] for j in ctx.sandbox.store.qbtime["jobcodes"]]
    assert "Fernhill Orchard Co" in jobs
    assert "Bramble Court Gardens" not in jobs and "Nameless Hedge Works" not in jobs

    stream = io.StringIO()
    assert cmd_sync(ctx, Output(as_json=True, stream=stream), None, dry_run=True) == 0
    payload = json.loads(stream.getvalue().strip().splitlines()[-1])
    names = {(p["name"], p.get("other_name")) for p in payload["problems"]}
    assert ("Bramble Court Gardens", "Fernhill Orchard Co") in names
    assert ("Nameless Hedge Works", None) in names

    again = _second_sync_writes_nothing(ctx, conn)
    assert {s.name for s in _bad(again)} == {"Bramble Court Gardens", "Nameless Hedge Works"}
    _assert_rest_imported(
        again,
        conn,
        "customer",
        [c for c in org["Contacts"] if c.get("IsCustomer") and c.get("ContactStatus") == "ACTIVE"],
        "ContactID",
        {DUP_ID},
    )


def test_duplicate_and_id_less_items_are_reported_and_the_rest_imported(tmp_path, demo_ctx):
    def item(iid, code, name):
        return {
            "ItemID": iid,
            "Code": code,
            "Name": name,
            "IsSold": True,
            "IsPurchased": False,
            "IsTrackedAsInventory": False,
            "SalesDetails": {"UnitPrice": 10.0},
            "UpdatedDateUTC": "/Date(1702526593705+0000)/",
        }

    def plant(org):
        org["Items"] += [
            item(DUP_ID, "HEDGE-1", "Hedge trimming"),
            item(DUP_ID, "HEDGE-2", "Hedge laying"),
            item("", "GHOST", "Ghost item"),
        ]

    path, org = _company(tmp_path, "AU", plant)
    ctx, conn = demo_ctx("AU", data_file=path)
    result = sync(ctx, conn)
    bad = {(s.kind, s.name, s.params.get("kept")) for s in _bad(result)}
    assert bad == {("item", "Hedge laying", "Hedge trimming"), ("item", "Ghost item", None)}
    problems = result.as_json()["problems"]
    assert {p["name"] for p in problems} == {"Hedge laying", "Ghost item"}
    assert all(p["reason"] for p in problems)
    items = [i["name"] for i in ctx.sandbox.store.qbtime["customfielditems"]]
    assert "Hedge trimming" in items and "Hedge laying" not in items and "Ghost item" not in items
    _assert_rest_imported(result, conn, "item", org["Items"], "ItemID", {DUP_ID})
    _second_sync_writes_nothing(ctx, conn)


def test_two_payroll_employees_under_one_id_are_reported(tmp_path, demo_ctx):
    def person(eid, first, last):
        return {
            "EmployeeID": eid,
            "FirstName": first,
            "LastName": last,
            "Status": "ACTIVE",
            "Email": f"{first.lower()}.{last.lower()}@example.com.au",
            "StartDate": "/Date(1661040000000+0000)/",
            "UpdatedDateUTC": "/Date(1702526593705+0000)/",
        }

    def plant(org):
        org["payroll"]["Employees"] += [
            person(DUP_ID, "Ivy", "Marsh"),
            person(DUP_ID, "Rowan", "Birch"),
            person("", "Sage", "Nobody"),
        ]

    path, org = _company(tmp_path, "AU", plant)
    ctx, conn = demo_ctx("AU", data_file=path)
    result = sync(ctx, conn)
    bad = {(s.name, s.params.get("kept")) for s in _bad(result) if s.kind == "employee"}
    assert bad == {("Rowan Birch", "Ivy Marsh"), ("Sage Nobody", None)}
    users = {(u["first_name"], u["last_name"]) for u in ctx.sandbox.store.qbtime["users"]}
    assert ("Ivy", "Marsh") in users
    assert ("Rowan", "Birch") not in users and ("Sage", "Nobody") not in users
    _assert_rest_imported(
        result, conn, "employee", org["payroll"]["Employees"], "EmployeeID", {DUP_ID}
    )
    _second_sync_writes_nothing(ctx, conn)


@pytest.mark.parametrize(
    "value", ["2024-13-45T00:00:00", "/Date(99999999999999999+0000)/", "soon-ish"]
)
def test_an_impossible_end_date_archives_or_restores_no_one_and_is_reported(
    tmp_path, demo_ctx, value
):
    """UK payroll (2.0): the end date alone says whether someone still works here."""
    gone: dict = {}

    def plant(org):
        leaver = org["payroll"]["Employees"][1]
        leaver["endDate"] = "2023-03-31T00:00:00"  # left long ago: archived by the import
        gone.update(leaver)

    path, _org = _company(tmp_path, "UK", plant)
    ctx, conn = demo_ctx("UK", data_file=path)
    first = sync(ctx, conn)
    assert not first.outcomes.get("failed")
    users = ctx.sandbox.store.qbtime["users"]
    user_id = next(
        int(link.qbt_id)
        for link in Link.select().where(
            (Link.connection == conn)
            & (Link.kind == "employee")
            & (Link.xero_id == gone["employeeID"])
        )
    )
    assert next(u for u in users if u["id"] == user_id)["active"] is False

    # Xero now sends garbage in the leaver's end date, and in a current employee's too.
    live = ctx.sandbox.store.xero_org(conn.xero_tenant_id)["payroll"]["Employees"]
    links = {
        link.xero_id: int(link.qbt_id)
        for link in Link.select().where((Link.connection == conn) & (Link.kind == "employee"))
    }
    active = {u["id"] for u in users if u["active"]}
    stayer = next(e for e in live if links.get(e["employeeID"]) in active)
    stayer_id = links[stayer["employeeID"]]
    for emp in (live[1], stayer):
        emp["endDate"] = value
    before = raw_state(ctx.sandbox.store)
    result = sync(ctx, conn)
    assert raw_state(ctx.sandbox.store) == before  # no one restored, no one archived
    assert next(u for u in users if u["id"] == user_id)["active"] is False
    assert next(u for u in users if u["id"] == stayer_id)["active"] is True
    bad = {s.name: s.describe() for s in _bad(result)}
    for emp in (live[1], stayer):
        name = f"{emp['firstName']} {emp['lastName']}"
        assert name in bad and "impossible date" in bad[name], bad
        assert value[:20] in bad[name]
    _second_sync_writes_nothing(ctx, conn)
