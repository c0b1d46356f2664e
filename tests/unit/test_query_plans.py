"""Every query the app makes on the snapshot tables and the journal, with the index it needs.

Each query below is built as the product builds it (the file and function named beside it),
and SQLite's EXPLAIN QUERY PLAN must show it searching by that index, with those columns
(the app never runs ANALYZE, so a fresh database plans exactly as a user's large one). The
indexes kept in schema v4 are the ones these queries use; a query that stops using its index
(an index dropped, a column renamed, a query rewritten) fails here. The Demo Company's
syncs run under a statement trace in tests/e2e/test_query_plans_demo.py: a query on these
tables missing from this list, or scanning a whole table, fails there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import peewee as pw
import pytest
from peewee import SQL

from core.store.db import UNUSED_V3_INDEXES, close_database, open_database
from core.store.models import (
    Connection,
    ImportRun,
    JournalEntry,
    QBTRecord,
    XeroRecord,
    db,
)

CID = 1


def _sql(query: Any) -> tuple[str, list[Any]]:
    sql, params = query.sql()
    return sql, list(params)


def _raw(sql: str, *params: Any) -> Callable[[], tuple[str, list[Any]]]:
    return lambda: (sql, list(params))


X_KIND = (XeroRecord.connection == CID) & (XeroRecord.kind == "contact")
Q_KIND = (QBTRecord.connection == CID) & (QBTRecord.kind == "jobcode")
Q_ITEMS = (QBTRecord.connection == CID) & (QBTRecord.kind == "customfielditem")
IDS = SQL("(SELECT value FROM json_each(?))", ('["a","b"]',))

XERO_KEY = "xero_record_connection_id_kind_xero_id"
QBT_KEY = "qbt_record_connection_id_kind_qbt_id"
QBT_PARENT = "qbt_record_connection_id_kind_parent_id"
RUN_SEQ = "journal_entry_run_id_seq"
RUN_STATE = "journal_entry_run_id_state"

#: (where it is made, the query, the index it must search with or None for "any index",
#: the columns it must search by)
QUERIES: list[tuple[str, Callable[[], tuple[str, list[Any]]], str | None, str]] = [
    # -- xero_record
    (
        "fetch._Storing: anything stored of this kind?",
        lambda: _sql(XeroRecord.select(SQL("1")).where(X_KIND).limit(1)),
        None,
        "connection_id=? AND kind=?",
    ),
    (
        "fetch._Storing._stored_texts",
        lambda: _sql(
            XeroRecord.select(XeroRecord.xero_id, XeroRecord.raw).where(
                X_KIND & XeroRecord.xero_id.in_(IDS)
            )
        ),
        XERO_KEY,
        "connection_id=? AND kind=? AND xero_id=?",
    ),
    (
        "fetch._Storing.finish: ids stored",
        lambda: _sql(XeroRecord.select(XeroRecord.xero_id).where(X_KIND)),
        XERO_KEY,
        "connection_id=? AND kind=?",
    ),
    (
        "fetch._Storing.finish: rows no longer listed",
        lambda: _sql(XeroRecord.delete().where(X_KIND & XeroRecord.xero_id.in_(["a", "b"]))),
        XERO_KEY,
        "connection_id=? AND kind=? AND xero_id=?",
    ),
    (
        "fetch._add_first_invoiced: stored customers",
        lambda: _sql(
            XeroRecord.select(XeroRecord.xero_id).where(
                X_KIND & (XeroRecord.is_customer == True)  # noqa: E712 (peewee)
            )
        ),
        XERO_KEY,
        "connection_id=? AND kind=?",
    ),
    (
        "fetch.load_snapshot.records",
        lambda: _sql(
            XeroRecord.select(XeroRecord.id, XeroRecord.xero_id, XeroRecord.raw).where(X_KIND)
        ),
        None,
        "connection_id=? AND kind=?",
    ),
    (
        "fetch.load_snapshot.xrows / load_fields",
        lambda: _sql(XeroRecord.select(XeroRecord.raw).where(X_KIND).order_by(XeroRecord.id)),
        None,
        "connection_id=? AND kind=?",
    ),
    (
        "snapshots.has_snapshot / businesses: anything stored",
        lambda: _sql(XeroRecord.select().where(XeroRecord.connection == CID).limit(1)),
        None,
        "connection_id=?",
    ),
    (
        "snapshots.plan_inputs_fingerprint",
        _raw(
            'SELECT "kind", COUNT(*), SUM("id"), MAX("fetched_at"), TOTAL(LENGTH("xero_id")) '
            'FROM "xero_record" WHERE "connection_id" = ? GROUP BY "kind" ORDER BY "kind"',
            CID,
        ),
        None,
        "connection_id=?",
    ),
    (
        "review.decisions: one stored record",
        lambda: _sql(
            XeroRecord.select().where(
                (XeroRecord.connection == CID)
                & (XeroRecord.kind == "contact")
                & (XeroRecord.xero_id == "a")
            )
        ),
        XERO_KEY,
        "connection_id=? AND kind=? AND xero_id=?",
    ),
    (
        "estimate.stored_counts",
        lambda: _sql(XeroRecord.select(pw.fn.COUNT(SQL("*"))).where(X_KIND)),
        None,
        "connection_id=? AND kind=?",
    ),
    # -- qbt_record
    (
        "fetch._Storing: anything stored of this kind?",
        lambda: _sql(QBTRecord.select(SQL("1")).where(Q_KIND).limit(1)),
        None,
        "connection_id=? AND kind=?",
    ),
    (
        "fetch._Storing: one custom field's items stored?",
        lambda: _sql(
            QBTRecord.select(SQL("1")).where(Q_ITEMS & (QBTRecord.parent_id == 7)).limit(1)
        ),
        QBT_PARENT,
        "connection_id=? AND kind=? AND parent_id=?",
    ),
    (
        "fetch._Storing.finish: one custom field's items",
        lambda: _sql(
            QBTRecord.select(QBTRecord.qbt_id).where(Q_ITEMS & (QBTRecord.parent_id == 7))
        ),
        QBT_PARENT,
        "connection_id=? AND kind=? AND parent_id=?",
    ),
    (
        "fetch._Storing._stored_texts",
        lambda: _sql(
            QBTRecord.select(QBTRecord.qbt_id, QBTRecord.raw).where(
                Q_KIND & QBTRecord.qbt_id.in_(IDS)
            )
        ),
        QBT_KEY,
        "connection_id=? AND kind=? AND qbt_id=?",
    ),
    (
        "fetch._Storing.finish: ids stored",
        lambda: _sql(QBTRecord.select(QBTRecord.qbt_id).where(Q_KIND)),
        QBT_KEY,
        "connection_id=? AND kind=?",
    ),
    (
        "fetch.load_snapshot.qrows (in qbt_id order, no sort)",
        lambda: _sql(QBTRecord.select(QBTRecord.raw).where(Q_KIND).order_by(QBTRecord.qbt_id)),
        QBT_KEY,
        "connection_id=? AND kind=?",
    ),
    (
        "written._stored",
        _raw(
            'SELECT "qbt_id", "raw" FROM "qbt_record" WHERE "connection_id" = ? '
            'AND "kind" = ? AND "qbt_id" IN (?, ?)',
            CID,
            "jobcode",
            1,
            2,
        ),
        QBT_KEY,
        "connection_id=? AND kind=? AND qbt_id=?",
    ),
    (
        "written._rewrite_raw",
        _raw(
            'UPDATE "qbt_record" SET "raw" = ?, "fetched_at" = ? '
            'WHERE "connection_id" = ? AND "kind" = ? AND "qbt_id" = ?',
            "{}",
            "2026-01-01T00:00:00.000000+00:00",
            CID,
            "jobcode",
            1,
        ),
        QBT_KEY,
        "connection_id=? AND kind=? AND qbt_id=?",
    ),
    (
        "review.decisions / invoicing: items' fields",
        lambda: _sql(
            QBTRecord.select(QBTRecord.parent_id).where(Q_ITEMS & QBTRecord.qbt_id.in_([1, 2]))
        ),
        QBT_KEY,
        "connection_id=? AND kind=? AND qbt_id=?",
    ),
    (
        "review.decisions._new_name_taken: a field's items",
        lambda: _sql(QBTRecord.select().where(Q_ITEMS & QBTRecord.parent_id.in_([7, 8]))),
        QBT_PARENT,
        "connection_id=? AND kind=? AND parent_id=?",
    ),
    (
        "review.decisions._new_name_taken: top-level customers",
        lambda: _sql(
            QBTRecord.select().where(
                Q_KIND & (QBTRecord.parent_id == 0) & (QBTRecord.type == "regular")
            )
        ),
        QBT_PARENT,
        "connection_id=? AND kind=? AND parent_id=?",
    ),
    # -- journal_entry
    (
        "report.run_entries",
        lambda: _sql(JournalEntry.select().where(JournalEntry.run == 1).order_by(JournalEntry.seq)),
        RUN_SEQ,
        "run_id=?",
    ),
    (
        "importer: a batch's ids",
        _raw(
            'SELECT "seq", "id" FROM "journal_entry" WHERE "run_id" = ? AND "seq" BETWEEN ? AND ?',
            1,
            1,
            50,
        ),
        RUN_SEQ,
        "run_id=? AND seq>? AND seq<?",
    ),
    (
        "models.written_records / importer undo: done entries",
        lambda: _sql(
            JournalEntry.select().where((JournalEntry.run == 1) & (JournalEntry.state == "done"))
        ),
        RUN_STATE,
        "run_id=? AND state=?",
    ),
    (
        "models.later_imports_touching",
        lambda: _sql(
            JournalEntry.select().where(
                JournalEntry.run.in_([1, 2]) & (JournalEntry.state == "done")
            )
        ),
        RUN_STATE,
        "run_id=? AND state=?",
    ),
    (
        "importer.close_interrupted",
        lambda: _sql(
            JournalEntry.update(state="unknown").where(
                JournalEntry.run.in_(
                    ImportRun.select(ImportRun.id).where(ImportRun.connection == CID)
                )
                & (JournalEntry.state == "intent")
            )
        ),
        RUN_STATE,
        "run_id=? AND state=?",
    ),
    (
        "payroll / invoicing: a connection's entries",
        lambda: _sql(
            JournalEntry.select()
            .join(ImportRun)
            .where(
                (ImportRun.connection == CID)
                & (ImportRun.kind == "invoicing")
                & (JournalEntry.entity_kind == "xero_invoice")
            )
            .order_by(JournalEntry.id)
        ),
        None,
        "run_id=?",
    ),
    (
        "payroll: next sequence number",
        lambda: _sql(JournalEntry.select(pw.fn.COUNT(SQL("*"))).where(JournalEntry.run == 1)),
        None,
        "run_id=?",
    ),
]


@pytest.fixture
def database(tmp_path):
    opened = open_database(tmp_path / "bridge.sqlite3")
    Connection.create(xero_tenant_id="t", xero_tenant_name="T", qbtime_company_id="c")
    yield opened
    close_database()


def plan_of(sql: str, params: list[Any]) -> list[str]:
    return [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


@pytest.mark.parametrize(
    ("where", "make", "index", "columns"), QUERIES, ids=[q[0] for q in QUERIES]
)
def test_each_query_searches_by_its_index(database, where, make, index, columns):
    plan = plan_of(*make())
    name = re.escape(index) if index else r"\S+"
    wanted = re.compile(rf"SEARCH \S+ USING (COVERING )?INDEX {name} \({re.escape(columns)}\)")
    assert any(wanted.search(step) for step in plan), (where, plan)
    assert not any(re.match(r"SCAN (xero_record|qbt_record|journal_entry|t1)\b", s) for s in plan)


def test_qbt_records_come_in_id_order_without_a_sort(database):
    sql, params = _sql(QBTRecord.select(QBTRecord.raw).where(Q_KIND).order_by(QBTRecord.qbt_id))
    assert not [s for s in plan_of(sql, params) if "TEMP B-TREE" in s]


def test_only_the_indexes_a_query_uses_are_kept(database):
    """The indexes of the three tables are exactly those the queries above use (plus the
    unique ones that keep rows unique), and none of those v4 dropped came back."""
    rows = db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
        "('xero_record', 'qbt_record', 'journal_entry')"
    ).fetchall()
    kept = {r[0] for r in rows}
    assert kept == {XERO_KEY, QBT_KEY, QBT_PARENT, RUN_SEQ, RUN_STATE}
    assert not kept & set(UNUSED_V3_INDEXES)
