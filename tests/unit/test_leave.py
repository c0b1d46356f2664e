"""Leave links chosen by the user (core/engine/leave.py) and the snapshot questions (core/engine/snapshots.py)."""

from __future__ import annotations

import peewee as pw
import pytest

from core.app.sync import load_leave_links
from core.engine.leave import leave_link_rows, save_leave_links, time_off_codes
from core.engine.plan import ImportOptions, plan_import
from core.engine.records import QBTJobcode, Snapshot, XeroContact, XeroLeaveType
from core.engine.snapshots import addable_contacts, has_snapshot
from core.store.db import close_database, open_database
from core.store.models import Connection, LeaveLink, QBTRecord, XeroRecord


@pytest.fixture
def conn(tmp_path):
    open_database(tmp_path / "t.sqlite3")
    c = Connection.create(
        xero_tenant_id="tenant-1",
        xero_tenant_name="Demo Org",
        xero_version="AU",
        qbtime_company_id="demo",
        qbtime_company_name="Demo",
    )
    yield c
    close_database()


ANNUAL = XeroLeaveType("lt-annual", "Annual Leave", True)
LONG = XeroLeaveType("lt-long", "Long Service Leave", True)
UNPAID = XeroLeaveType("lt-unpaid", "Unpaid Leave", False)
PARENTAL = XeroLeaveType("lt-parental", "Parental Leave (unpaid)", False)


def snapshot() -> Snapshot:
    return Snapshot(
        version="AU",
        leave_types=[ANNUAL, LONG, UNPAID, PARENTAL],
        jobcodes=[
            QBTJobcode(10, 0, "Annual Leave", "pto", True),
            QBTJobcode(11, 0, "Long service leave", "pto", True),
            QBTJobcode(12, 0, "Unpaid Leave", "unpaid_time_off", True),
            QBTJobcode(13, 0, "Holiday", "pto", True),
            QBTJobcode(14, 0, "Old code", "pto", False),
            QBTJobcode(15, 10, "Annual Leave child", "pto", True),  # not top level
            QBTJobcode(16, 0, "Annual Leave", "regular", True),  # a customer, not time off
        ],
    )


def test_time_off_codes_are_top_level_pto_active_first():
    codes = time_off_codes(snapshot())
    assert [c.id for c in codes] == [10, 13, 11, 12, 14]
    assert not codes[-1].active


def test_rows_preselect_same_name_then_saved_links_win(conn):
    rows = {r.leave_type_id: r for r in leave_link_rows(conn, snapshot())}
    assert (rows["lt-annual"].qbt_jobcode_id, rows["lt-annual"].source) == (10, "same_name")
    assert rows["lt-long"].qbt_jobcode_id == 11  # differs only by case: suggested
    assert rows["lt-unpaid"].qbt_jobcode_id == 12
    assert (rows["lt-parental"].qbt_jobcode_id, rows["lt-parental"].source) == (None, "")
    assert not rows["lt-unpaid"].export_to_xero and rows["lt-annual"].export_to_xero

    save_leave_links(conn, {"lt-annual": 13, "lt-parental": None}, snapshot().leave_types)
    rows = {r.leave_type_id: r for r in leave_link_rows(conn, snapshot())}
    assert (rows["lt-annual"].qbt_jobcode_id, rows["lt-annual"].source) == (13, "saved")
    assert (rows["lt-parental"].qbt_jobcode_id, rows["lt-parental"].source) == (None, "saved")
    assert rows["lt-long"].source == "same_name"  # not in the choices: untouched


def test_a_saved_link_to_a_code_that_is_gone_falls_back_to_the_same_name(conn):
    LeaveLink.create(
        connection=conn, xero_leave_type_id="lt-annual", qbt_jobcode_id=999, is_paid=True
    )
    row = next(r for r in leave_link_rows(conn, snapshot()) if r.leave_type_id == "lt-annual")
    assert (row.qbt_jobcode_id, row.source) == (10, "same_name")


def test_save_writes_one_row_each_and_unpaid_is_never_exported(conn):
    types = snapshot().leave_types
    assert (
        save_leave_links(
            conn, {"lt-annual": 10, "lt-unpaid": 12, "lt-parental": 12, "unknown": 10}, types
        )
        == 3
    )
    assert save_leave_links(conn, {"lt-annual": 13}, types) == 1  # update in place
    rows = {r.xero_leave_type_id: r for r in LeaveLink.select().where(LeaveLink.connection == conn)}
    assert set(rows) == {"lt-annual", "lt-unpaid", "lt-parental"}
    assert (
        rows["lt-annual"].qbt_jobcode_id,
        rows["lt-annual"].is_paid,
        rows["lt-annual"].export_to_xero,
    ) == (13, True, True)
    assert (
        rows["lt-parental"].qbt_jobcode_id,
        rows["lt-parental"].is_paid,
        rows["lt-parental"].export_to_xero,
    ) == (12, False, False)
    assert not rows["lt-unpaid"].export_to_xero
    with pytest.raises(pw.IntegrityError):  # the database itself refuses the contrary
        LeaveLink.update(export_to_xero=True).where(
            LeaveLink.xero_leave_type_id == "lt-unpaid"
        ).execute()


def test_the_plan_respects_saved_choices(conn):
    def plan():
        return plan_import(snapshot(), {}, {}, ImportOptions(), load_leave_links(conn))

    before = plan()
    assert {a.xero_id: a.qbt_id for a in before.actions if a.entity == "leave_link"} == {
        "lt-annual": 10,
        "lt-unpaid": 12,
    }  # exact names only
    assert {s.xero_id for s in before.skipped} == {"lt-long", "lt-parental"}
    save_leave_links(
        conn,
        {"lt-annual": 13, "lt-unpaid": None, "lt-long": 11, "lt-parental": 12},
        snapshot().leave_types,
    )
    after = plan()
    assert not [a for a in after.actions if a.entity == "leave_link"]  # all decided by the user
    assert not [s for s in after.skipped if s.kind == "leave_type"]


def test_has_snapshot_needs_both_sides(conn):
    assert not has_snapshot(conn)
    XeroRecord.create(connection=conn, kind="contact", xero_id="c1", name="A", raw={})
    assert not has_snapshot(conn)
    QBTRecord.create(connection=conn, kind="jobcode", qbt_id=1, name="A", raw={})
    assert has_snapshot(conn)


def test_addable_contacts_are_active_non_customers():
    contacts = [
        XeroContact("a", "A", "ACTIVE", False, False),
        XeroContact("b", "B", "ACTIVE", True, False),
        XeroContact("c", "C", "ARCHIVED", False, False),
        XeroContact("d", "D", "ACTIVE", False, True),
    ]
    assert [c.contact_id for c in addable_contacts(contacts)] == ["a", "d"]
