"""bulk_insert reads each column of plain dict rows by key in one pass, and falls back to
``get`` with the field's default where a row lacks the key or a row is another mapping: the
rows stored are those ``get`` gave, and no row given is changed (a defaultdict's ``[]``
would add the key)."""

from __future__ import annotations

from collections import defaultdict
from types import MappingProxyType

import pytest

from core.store import db as dbmod
from core.store.db import close_database, open_database
from core.store.models import Connection, XeroRecord, bulk_insert


@pytest.fixture
def conn(tmp_path):
    open_database(tmp_path / "data" / "bridge.sqlite3")
    yield Connection.create(
        xero_tenant_id="tenant-1",
        xero_tenant_name="Org 1",
        xero_country_code="AU",
        xero_version="AU",
        xero_grant_key="xero:grant-1",
        qbtime_company_id="company-1",
        qbtime_company_name="Company 1",
        qbtime_token_key="qbtime:company-1",
    )
    close_database()


def _stored() -> list[tuple]:
    return dbmod.db.execute_sql(
        "SELECT xero_id, name, email, archived, raw FROM xero_record ORDER BY xero_id"
    ).fetchall()


def test_rows_lacking_a_key_get_its_default(conn):
    base = {"connection": conn, "kind": "contact", "raw": {}}
    rows = [
        {**base, "xero_id": "a", "name": "Ann", "email": "a@x", "archived": True},
        {**base, "xero_id": "b", "name": "Zoë", "archived": False},  # no e-mail
        {**base, "xero_id": "c", "email": " "},  # no name, no archived
    ]
    copies = [dict(r) for r in rows]
    bulk_insert(XeroRecord, rows)
    assert _stored() == [
        ("a", "Ann", "a@x", 1, "{}"),
        ("b", "Zoë", None, 0, "{}"),
        ("c", "", " ", 0, "{}"),
    ]
    assert rows == copies


def test_other_mappings_are_read_with_get_and_left_unchanged(conn):
    base = {"connection": conn, "kind": "contact", "raw": {"k": [1]}}
    lazy: defaultdict[str, object] = defaultdict(lambda: "from []", {**base, "xero_id": "b"})
    rows = [
        {**base, "xero_id": "a", "name": "Ann"},
        lazy,  # lacks name: its default, not the defaultdict's factory
        MappingProxyType({**base, "xero_id": "c", "name": "Čech"}),
    ]
    bulk_insert(XeroRecord, rows)
    assert _stored() == [
        ("a", "Ann", None, 0, '{"k":[1]}'),
        ("b", "", None, 0, '{"k":[1]}'),
        ("c", "Čech", None, 0, '{"k":[1]}'),
    ]
    assert "name" not in lazy and "email" not in lazy
