"""The snapshot kept from an import's write answers (core.services.written) stores a jobcode
or a location answered with the same columns a fetch stores for it, without typing the whole
record (issue 16: a typed record, its address and a copy of its raw object per answered row
were a large part of the snapshot upkeep of a 10,000-contact first import)."""

from __future__ import annotations

import pytest

import core.services.qbtime.mapping as qmap
from core.engine.plan import Action
from core.engine.writes import WriteResult
from core.services import written
from core.services.fetch import _jobcode_rows, _location_rows
from core.store import db as dbmod
from core.store.db import close_database, open_database
from core.store.models import Connection, json_text

#: answers as QuickBooks Time gives them, and the odd spellings the mapping reads
JOBCODES = [
    {
        "id": 3100000001,
        "parent_id": 0,
        "name": "Acme Pty Ltd",
        "type": "regular",
        "active": True,
        "assigned_to_all": True,
        "has_children": False,
        "locations": [],
        "last_modified": "2026-12-07T04:49:20+00:00",
    },
    {"id": "42", "parent_id": "7", "name": " Spaced ", "type": " PTO ", "active": "false"},
    {"id": 43, "parent_id": None, "name": None, "type": None, "active": None},
    {"id": 44.0, "name": 12345, "type": "", "active": 0, "locations": "1,2"},
    {"id": 45, "name": "Café", "active": "yes", "extra": {"nested": [1, 2]}},
]
LOCATIONS = [
    {
        "id": 3500000001,
        "addr1": "145 Church Street",
        "city": "Randwick",
        "label": "",
        "active": True,
        "linked_objects": {"jobcodes": [3100000001]},
        "last_modified": "2026-12-07T04:49:20+00:00",
    },
    {"id": "9", "addr1": "  1 Main St  ", "label": None, "active": "0"},
    {"id": 10, "addr1": "2 High St", "label": "Head office", "linked_objects": []},
    {"id": 11, "addr1": 7, "linked_objects": {"jobcodes": "5,6,5"}, "active": None},
    {"id": 12, "linked_objects": {"jobcodes": ["8", 8, "x", 9.0]}},
]


@pytest.mark.parametrize("raw", JOBCODES)
def test_a_jobcode_row_is_the_row_a_fetch_stores(raw):
    expected = _jobcode_rows([qmap.jobcode(raw)])[0]
    assert written._jobcode_row(dict(raw)) == expected
    assert written._KINDS["jobcode"].row(dict(raw)) == expected


@pytest.mark.parametrize("raw", LOCATIONS)
def test_a_location_row_is_the_row_a_fetch_stores(raw):
    expected = _location_rows([qmap.location(raw)])[0]
    assert written._location_row(dict(raw)) == expected
    assert written._linked_jobcodes(raw) == qmap.location(raw).jobcode_ids


@pytest.mark.parametrize(
    ("entity", "raw"),
    [
        (
            "user",
            {"id": 5, "first_name": " Ann ", "last_name": "Lee", "username": "ann", "active": 1},
        ),
        ("customfield", {"id": 6, "name": "Xero items", "type": "Managed-List"}),
        ("customfielditem", {"id": 7, "customfield_id": "6", "name": "Widget"}),
    ],
)
def test_the_other_kinds_go_through_their_typed_records(entity, raw):
    from core.services import fetch

    typed = {"user": qmap.user, "customfield": qmap.customfield}.get(entity, qmap.customfielditem)
    rows = {
        "user": fetch._user_rows,
        "customfield": fetch._customfield_rows,
        "customfielditem": fetch._customfielditem_rows,
    }[entity]
    assert written._KINDS[entity].row(raw) == rows([typed(raw)])[0]


@pytest.fixture
def conn(tmp_path):
    open_database(tmp_path / "data" / "bridge.sqlite3")
    yield Connection.create(
        xero_tenant_id="tenant-1",
        xero_tenant_name="Org 1",
        qbtime_company_id="company-1",
    )
    close_database()


def _answered(entity, raws):
    out = []
    for raw in raws:
        action = Action(f"{entity}:{raw['id']}", "customers", "create", entity, "customers", "x")
        out.append((action, WriteResult(dict(raw), True, 200, dict(raw))))
    return out


def _stored():
    return dbmod.db.execute_sql(
        "SELECT kind, qbt_id, name, parent_id, type, active, raw FROM qbt_record "
        "ORDER BY kind, qbt_id"
    ).fetchall()


def test_answers_are_stored_without_typing_a_record(conn, monkeypatch):
    """The answered jobcodes and locations (and a jobcode a location links to) are stored as
    a fetch stores them, and no record is typed on the way."""
    jobcode = {**JOBCODES[0], "id": 3100000001}
    location = LOCATIONS[0]
    snapshot = written.WrittenSnapshot(conn, client=None)  # type: ignore[arg-type]
    typed: list[str] = []
    for name in ("jobcode", "location"):
        original = getattr(qmap, name)
        monkeypatch.setattr(
            qmap, name, lambda raw, _o=original, _n=name: typed.append(_n) or _o(raw)
        )
    snapshot.written("jobcode", "create", _answered("jobcode", [jobcode]))
    snapshot.written("location", "create", _answered("location", [location]))
    assert typed == []
    rows = {(kind, qbt_id): rest for kind, qbt_id, *rest in _stored()}
    assert set(rows) == {("jobcode", 3100000001), ("location", 3500000001)}
    name, parent_id, type_, active, raw = rows[("jobcode", 3100000001)]
    assert (name, parent_id, type_, active) == ("Acme Pty Ltd", 0, "regular", 1)
    # the location's link is mirrored in its jobcode's (read-only) locations list
    assert '"locations":[3500000001]' in raw
    name, _parent, _type, active, raw = rows[("location", 3500000001)]
    assert (name, active) == ("145 Church Street", 1)
    assert raw == str(json_text(location))
