"""Private data that the product does not need is not kept.

A read of Xero and QuickBooks Time brings whole records: UK employees' NI numbers, dates of
birth, gender and home addresses, AU employees' dates of birth, tax declarations, bank
accounts, super memberships and pay templates, contacts' tax numbers, bank details and
balances, users' pay rates and payroll ids. The snapshot stored every record whole (and its
daily backups with it), and kept it after a disconnect. Now:

* each stored record keeps only the fields the product reads (core.services.stored_fields);
* a database written before is scrubbed once when it is opened (core.store.db, v5), to the
  very text a read stores now (the next read finds nothing changed);
* a disconnect forgets what was read of both sides (the import history, journal and links
  stay: an undo after connecting again still works).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
from core.app.connections import disconnect
from core.app.review_screen import record_facts
from core.app.sync import sync, undo
from core.services import fetch as fetch_module
from core.services.fetch import fetch, load_snapshot
from core.services.stored_fields import STORED_FIELDS
from core.store.db import backup_path, close_database
from core.store.models import ImportRun, Link, QBTRecord, XeroRecord, db

#: field names that must be nowhere in the database (the values planted are checked too)
PRIVATE_FIELDS = (
    "nationalInsuranceNumber",
    "dateOfBirth",
    "DateOfBirth",
    '"gender"',
    '"Gender"',
    "HomeAddress",
    "TaxDeclaration",
    "TaxFileNumber",
    "BankAccounts",
    "BankAccountDetails",
    "SuperMemberships",
    "PayTemplate",
    "TaxNumber",
    "Balances",
    "pay_rate",
    "payroll_id",
)


def _plant(store, org: int) -> list[str]:
    """Private values in the Demo Company's records (some are there already); returns the
    values no stored text may hold."""
    values: list[str] = []
    xero = store.xero_orgs[org]
    for n, contact in enumerate(xero["Contacts"]):
        contact["TaxNumber"] = f"TAXNO-{org}-{n:03d}"
        contact["BankAccountDetails"] = f"BANKACC-{org}-{n:03d}"
        values += [contact["TaxNumber"], contact["BankAccountDetails"]]
    for n, emp in enumerate(xero["payroll"]["Employees"]):
        if org == 0:  # AU payroll 1.0
            emp["TaxDeclaration"] = {"TaxFileNumber": f"TFN{n:06d}", "EmploymentBasis": "FULLTIME"}
            emp["BankAccounts"] = [{"AccountNumber": f"ACCT{n:06d}", "BSB": "062000"}]
            emp["SuperMemberships"] = [{"EmployeeNumber": f"SUPERNO{n:04d}"}]
            emp["PayTemplate"] = {"EarningsLines": [{"RatePerUnit": 31.77 + n}]}
            values += [f"TFN{n:06d}", f"ACCT{n:06d}", f"SUPERNO{n:04d}"]
            values.append(emp["HomeAddress"]["AddressLine1"])
            values.append(emp["DateOfBirth"])
        else:  # UK payroll 2.0
            values += [emp["nationalInsuranceNumber"], emp["dateOfBirth"]]
            values.append(emp["address"]["addressLine1"])
    for n, user in enumerate(store.qbtime["users"]):
        user["pay_rate"] = 1234.5 + n
        user["payroll_id"] = f"PAYROLLID-{n:04d}"
        values.append(user["payroll_id"])
    return values


def _database_text() -> str:
    """Every value of every table of the app's database, as text."""
    conn = db.connection()
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return "\n".join(
        repr(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"').fetchall()
    )


def _file_text(path) -> str:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"').fetchall()
        )
    finally:
        conn.close()


def _assert_nothing_private(text: str, values: list[str]) -> None:
    assert [f for f in PRIVATE_FIELDS if f in text] == []
    assert [v for v in values if v and v in text] == []


def _assert_only_kept_fields(conn) -> None:
    for model, table in ((XeroRecord, "xero_record"), (QBTRecord, "qbt_record")):
        for row in model.select().where(model.connection == conn):
            fields = STORED_FIELDS.get((table, row.kind))
            if fields is not None:
                assert set(row.raw) <= set(fields), (row.kind, set(row.raw) - set(fields))


@pytest.mark.parametrize(("org", "index"), [("AU", 0), ("UK", 1)])
def test_a_sync_keeps_no_private_data_anywhere_in_the_database(demo_ctx, org, index):
    ctx, conn = demo_ctx(org)
    values = _plant(ctx.sandbox.store, index)
    result = sync(ctx, conn)
    assert result.run is not None and result.run.status == "done"
    assert Link.select().where(Link.kind == "employee").count()  # people were imported
    _assert_nothing_private(_database_text(), values)
    _assert_only_kept_fields(conn)  # (users the import created too: stored from its answers)
    # what the product reads of them is all there: the review's phones and addresses
    snap = load_snapshot(conn)
    xero, _qbt = record_facts(snap)
    customers = [f for (kind, _id), f in xero.items() if kind == "customer"]
    assert any(f.phone for f in customers) and any(f.address for f in customers)
    assert any(f.phone for (kind, _id), f in xero.items() if kind == "employee")
    assert any(u.is_admin for u in snap.users)
    # a read again finds nothing changed (the texts compared are the kept ones)
    again = fetch(ctx, conn, full=True)
    assert not again.changed, again.summary()


def test_an_older_database_is_scrubbed_once_and_the_next_read_finds_nothing_changed(
    demo_ctx, monkeypatch
):
    ctx, conn = demo_ctx("UK")
    values = _plant(ctx.sandbox.store, 1)
    with monkeypatch.context() as old:  # the version before: every record stored whole
        old.setattr(fetch_module, "stored_part", lambda _table, _kind: None)
        sync(ctx, conn)
    assert "nationalInsuranceNumber" in _database_text()  # (what the step has to scrub)
    db.execute_sql("PRAGMA user_version = 4")
    path = Path(db.obj.database)
    close_database()
    ctx.open_db()  # migrates: 4 -> 5
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == 5
    _assert_nothing_private(_database_text(), values)
    conn = pick_connection(None)
    _assert_only_kept_fields(conn)
    report = fetch(ctx, conn, full=True)
    assert not report.changed, report.summary()
    # today's backup copy is made from the updated file; the copy the update made first is
    # the file as it was (README: delete it once the new version works)
    backups = list((path.parent / "backups").glob("bridge-*.sqlite3"))
    assert len(backups) == 1
    _assert_nothing_private(_file_text(backups[0]), values)
    assert "nationalInsuranceNumber" in _file_text(backup_path(path, 4))


def test_a_disconnect_keeps_only_what_is_kept_and_undo_works_after_connecting_again(demo_ctx):
    """Disconnect keeps the trimmed snapshot: an undo after connecting again compares it with
    QuickBooks Time (forgetting it made that undo overwrite what QuickBooks Time users changed
    since, and a sending of hours lose its tracking items), and nothing private is in it."""
    ctx, conn = demo_ctx("AU")
    values = _plant(ctx.sandbox.store, 0)
    result = sync(ctx, conn)
    run = result.run
    assert run is not None and run.status == "done"
    assert disconnect(ctx, conn) == []
    for model in (XeroRecord, QBTRecord):
        assert model.select().where(model.connection == conn).count()
    _assert_nothing_private(_database_text(), values)
    # what an undo needs stays: the import, its journal, the links
    assert ImportRun.get_by_id(run.id).journal.count()
    assert Link.select().where(Link.connection == conn).count()

    out = Output(as_json=True, stream=open("/dev/null", "w"))
    assert cmd_connect_qbtime(ctx, out, ctx.sandbox.qbtime_token) == 0
    assert cmd_connect_xero(ctx, out, None, None) == 0
    again = pick_connection(None)
    assert again is not None and again.id == conn.id
    undone = undo(ctx, again, run.id)
    assert undone.status == "done"
    assert ImportRun.get_by_id(run.id).status == "undone"
    # the snapshot read again, only what is kept of it
    assert QBTRecord.select().where(QBTRecord.connection == again).count()
    _assert_only_kept_fields(again)
