"""The importer journals a batch's intents, and records its links, with one executemany of
the values the models' fields store (issue 16: a row dict per entry, then a column per field
through bulk_insert, cost more CPU than the INSERT). The rows are those the models write for
the same values: JournalEntry.create (the one-at-a-time path undo uses) and bulk_insert."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest

import core.engine.importer as importer
from core.engine.importer import Importer
from core.engine.plan import Action, ImportPlan
from core.store import db as dbmod
from core.store.db import close_database, open_database
from core.store.models import Connection, ImportRun, JournalEntry, Link, bulk_insert, utcnow

NOW = datetime(2026, 12, 7, 4, 30, 15, 123456, tzinfo=UTC)

ACTIONS = [
    Action(
        "customer:c1",
        "customers",
        "create",
        "jobcode",
        "customers",
        "Café Nord",
        xero_id="c1",
        link_kind="customer",
        after={"name": "Café Nord", "parent_id": 0, "assigned_to_all": True},
    ),
    Action(
        "customer:c2",
        "customers",
        "update",
        "jobcode",
        "customers",
        "B",
        xero_id="c2",
        qbt_id=42,
        before={"name": "b", "nested": {"z": [1, 2.5, None], "a": "é\u202e"}},
        after=MappingProxyType({"name": "B"}),
    ),
    Action("item:i1", "custom_field_items", "create", "customfielditem", "items", "Widget"),
    Action(
        "location:l1",
        "locations",
        "archive",
        "location",
        "locations",
        "1 Main St",
        qbt_id="7",  # (not an int: stored as the field stores it)
        before=MappingProxyType({"active": True}),
        after={"active": False},
    ),
]
ROWS = [{"name": "Café Nord", "parent_id": 0, "assigned_to_all": True}, None, {"x": 1}, None]
OPS = ["create", "update", "create", "archive"]

LINKS = [("customer", "c1", 100), ("employee", "e1", 200), ("item", "i1", 300)]

COLUMNS = (
    '"seq", "action", "entity_kind", "xero_id", "qbt_id", "batch_key", "before", "after", '
    '"state", "error", "created_at", "updated_at"'
)


@pytest.fixture
def conn(tmp_path):
    open_database(tmp_path / "data" / "bridge.sqlite3")
    yield Connection.create(
        xero_tenant_id="tenant-1", xero_tenant_name="Org 1", qbtime_company_id="company-1"
    )
    close_database()


def _importer(conn) -> Importer:
    imp = Importer(conn, client=None, plan=ImportPlan(actions=list(ACTIONS)))  # type: ignore[arg-type]
    imp.run = ImportRun.create(
        connection=conn, kind="import", status="running", started_at=utcnow()
    )
    return imp


def _journal(run_id: int) -> list[tuple]:
    return dbmod.db.execute_sql(
        f'SELECT {COLUMNS} FROM "journal_entry" WHERE "run_id" = ? ORDER BY "seq"',
        (run_id,),
    ).fetchall()


def test_intents_are_the_rows_journal_entry_create_writes(conn, monkeypatch):
    monkeypatch.setattr(importer, "utcnow", lambda: NOW)
    imp = _importer(conn)
    items = list(zip(ACTIONS, ROWS, OPS, strict=True))
    entries = imp._journal_many(items)
    assert imp._journal_many([]) == []

    other = _importer(conn)
    expected_ids = []
    for seq, (action, row, op) in enumerate(items, start=1):
        made = JournalEntry.create(
            run=other.run,
            seq=seq,
            action=op,
            entity_kind=action.entity,
            xero_id=action.xero_id,
            qbt_id=action.qbt_id,
            batch_key=f"{imp.run.id}:{action.ref}",  # (the first run's key: compared as text)
            before=dict(action.before),
            after=dict(row or action.after),
            state="intent",
            created_at=NOW,
            updated_at=NOW,
        )
        expected_ids.append(made.id)
    assert _journal(imp.run.id) == _journal(other.run.id)
    # each entry is the one SQLite stored for its seq, with the action's QuickBooks Time id
    stored = dict(
        dbmod.db.execute_sql(
            'SELECT "id", "seq" FROM "journal_entry" WHERE "run_id" = ?', (imp.run.id,)
        ).fetchall()
    )
    assert [stored[e.id] for e in entries] == [1, 2, 3, 4]
    assert [e.qbt_id for e in entries] == [a.qbt_id for a in ACTIONS]
    assert [e.state for e in entries] == ["intent"] * 4
    assert imp._seq == 4


def test_an_unknown_journal_action_is_refused_before_anything_is_written(conn):
    imp = _importer(conn)
    with pytest.raises(ValueError):
        imp._journal_many([(ACTIONS[0], None, "create"), (ACTIONS[1], None, "rename")])
    assert _journal(imp.run.id) == []


def test_links_are_the_rows_bulk_insert_writes(conn, monkeypatch):
    monkeypatch.setattr(importer, "utcnow", lambda: NOW)
    imp = _importer(conn)
    imp._pending_links = list(LINKS)
    imp._flush()
    got = dbmod.db.execute_sql(
        'SELECT "connection_id", "kind", "xero_id", "qbt_id", "created_by_run_id", '
        '"created_at" FROM "link" ORDER BY "qbt_id"'
    ).fetchall()
    dbmod.db.execute_sql('DELETE FROM "link"')
    bulk_insert(
        Link,
        [
            {
                "connection": conn,
                "kind": kind,
                "xero_id": xero_id,
                "qbt_id": qbt_id,
                "created_by_run": imp.run,
                "created_at": NOW,
            }
            for kind, xero_id, qbt_id in LINKS
        ],
    )
    expected = dbmod.db.execute_sql(
        'SELECT "connection_id", "kind", "xero_id", "qbt_id", "created_by_run_id", '
        '"created_at" FROM "link" ORDER BY "qbt_id"'
    ).fetchall()
    assert got == expected and len(got) == 3


def test_a_batch_is_journaled_without_a_row_dict_per_entry(conn, monkeypatch):
    """The intents and links go through one executemany each, not bulk_insert (which the
    importer used to call with a dict per row)."""
    calls: list[str] = []
    monkeypatch.setattr(
        importer,
        "bulk_insert",
        lambda model, rows, **kw: calls.append(model.__name__) or 0,
        raising=False,
    )
    imp = _importer(conn)
    imp._journal_many(list(zip(ACTIONS, ROWS, OPS, strict=True)))
    imp._pending_links = [("customer", "c1", 100)]
    imp._flush()
    assert calls == []
    assert len(_journal(imp.run.id)) == 4
    assert Link.select().count() == 1
