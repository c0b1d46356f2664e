"""Every statement a Demo Company sync, an undo and a sync again run on the snapshot tables and
the journal searches by an index: none reads a whole table (tests/unit/test_query_plans.py
lists the queries and the index each needs; this catches one the list misses)."""

from __future__ import annotations

import re

import peewee as pw
import pytest

from core.app.sync import sync, undo
from core.store.models import db

TABLES = ("xero_record", "qbt_record", "journal_entry")


@pytest.fixture
def traced(monkeypatch):
    """Every statement run on a connection opened from now on (any thread)."""
    seen: list[str] = []
    original = pw.SqliteDatabase._add_conn_hooks

    def hooks(self, conn):
        original(self, conn)
        conn.set_trace_callback(seen.append)

    monkeypatch.setattr(pw.SqliteDatabase, "_add_conn_hooks", hooks)
    return seen


@pytest.mark.timeout(120)
def test_a_sync_and_its_undo_never_scan_a_snapshot_table_or_the_journal(demo_ctx, traced):
    ctx, conn = demo_ctx("AU")
    first = sync(ctx, conn)
    assert first.plan.actions and first.run is not None
    undo(ctx, conn, first.run, cascade=True)
    sync(ctx, conn)
    table = re.compile(r'(?<![\w"])"?(' + "|".join(TABLES) + r')"?(?![\w"])')
    statements = {
        s
        for s in traced
        if table.search(s) and s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))
    }
    assert len(statements) > 20  # the trace saw the sync's queries
    scans = {}
    for statement in statements:
        plan = [r[3] for r in db.execute_sql("EXPLAIN QUERY PLAN " + statement).fetchall()]
        whole = [p for p in plan if re.match(r"SCAN (" + "|".join(TABLES) + r"|t\d)\b", p)]
        if whole:
            scans[statement] = plan
    assert scans == {}
