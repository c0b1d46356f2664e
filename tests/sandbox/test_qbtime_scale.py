"""The QuickBooks Time simulator at 100,000 contacts (issue 16): a write of 50 rows reads
the stored lists through indexes made once per request, never once per row, with the same
answers as a scan (uniqueness inside one batch, renames, restores, usernames); a large
state is saved as a journal of its writes, replayed at start, never applied twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from werkzeug.test import Client
from werkzeug.wrappers import Request

from core.sandbox.common import (
    QBTIME_JOURNAL_FILE,
    QBTIME_STATE_FILE,
    CompanyStore,
    ManualClock,
)
from core.sandbox.qbtime import QBTimeConfig, QBTimeSimulator, blank_qbtime_state

TOKEN = "S.4__scale-token"
START = 1_750_000_000.0


class CountingList(list):
    """A stored list that counts how often it is read whole."""

    scans = 0

    def __iter__(self):
        CountingList.scans += 1
        return super().__iter__()


class Api:
    def __init__(self, store: CompanyStore, clock: ManualClock | None = None) -> None:
        self.store = store
        self.sim = QBTimeSimulator(
            store, clock or ManualClock(START), QBTimeConfig(rate_limit=10**9)
        )
        self.client = Client(lambda e, s: self.sim.handle(Request(e))(e, s))

    def write(self, method: str, endpoint: str, items: list[dict[str, Any]]) -> list[dict]:
        resp = self.client.open(
            f"/api/v1/{endpoint}",
            method=method,
            data=json.dumps({"data": items}),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        assert resp.status_code == 200, resp.data
        return list(resp.get_json()["results"][endpoint].values())

    def rows(self, endpoint: str, **params: Any) -> list[dict[str, Any]]:
        out, page = [], 1
        while True:
            resp = self.client.get(
                f"/api/v1/{endpoint}",
                query_string={**params, "page": page, "limit": 200},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            body = resp.get_json()
            block = body["results"][endpoint]
            out += list(block.values()) if block else []
            if not body["more"]:
                return out
            page += 1


def _state(jobcodes: int = 0) -> dict[str, Any]:
    qb = blank_qbtime_state(TOKEN, START)
    top = max([j["id"] for j in qb["jobcodes"]] + [1000])
    for i in range(jobcodes):
        qb["jobcodes"].append(
            {
                "id": top + 1 + i,
                "parent_id": 0,
                "assigned_to_all": False,
                "billable": False,
                "active": True,
                "type": "regular",
                "has_children": False,
                "billable_rate": 0,
                "short_code": "",
                "name": f"Existing customer {i}",
                "last_modified": "2025-01-01T00:00:00+00:00",
                "created": "2025-01-01T00:00:00+00:00",
                "filtered_customfielditems": "",
                "required_customfields": [],
                "locations": [],
                "connect_with_quickbooks": False,
            }
        )
    return {"xero": {"organisations": []}, "qbtime": qb}


def test_a_batch_of_creates_reads_the_stored_jobcodes_a_few_times_not_once_per_row():
    store = CompanyStore.from_dict(_state(jobcodes=5_000))
    store.qbtime["jobcodes"] = CountingList(store.qbtime["jobcodes"])
    api = Api(store)
    CountingList.scans = 0
    made = api.write(
        "POST",
        "jobcodes",
        [{"name": f"New customer {i}", "assigned_to_all": True} for i in range(50)],
    )
    assert [m["_status_code"] for m in made] == [200] * 50
    # one index of names, one of short codes, one of ids: not 3 x 50 scans
    assert CountingList.scans <= 5, CountingList.scans
    CountingList.scans = 0
    api.write("PUT", "jobcodes", [{"id": m["id"], "name": m["name"] + " Ltd"} for m in made])
    assert CountingList.scans <= 5, CountingList.scans


def test_the_indexes_outlive_a_request_until_someone_else_saves_the_data():
    store = CompanyStore.from_dict(_state(jobcodes=2_000))
    store.qbtime["jobcodes"] = CountingList(store.qbtime["jobcodes"])
    api = Api(store)
    api.write("POST", "jobcodes", [{"name": "First batch"}])
    CountingList.scans = 0
    made = api.write("POST", "jobcodes", [{"name": f"Later {i}"} for i in range(50)])
    assert CountingList.scans == 0  # the next batch reads no list whole
    # someone renames a jobcode in the stored data and saves it (as a test or a tool does):
    # the simulator reads the data afresh, so the new name is taken
    store.qbtime["jobcodes"][5]["name"] = "Renamed outside"
    store.save()
    out = api.write("POST", "jobcodes", [{"name": "renamed OUTSIDE"}, {"name": "Later 3 b"}])
    assert [o["_status_code"] for o in out] == [202, 200]
    assert out[0]["id"] == store.qbtime["jobcodes"][5]["id"] and made[0]["_status_code"] == 200


def test_uniqueness_inside_one_batch_and_after_renames_is_as_strict_as_a_scan():
    api = Api(CompanyStore.from_dict(_state(jobcodes=200)))
    out = api.write(
        "POST",
        "jobcodes",
        [
            {"name": "Acme"},
            {"name": " ACME "},  # the same name (case, outer blanks): 202, the row above
            {"name": "Existing customer 7"},  # exists already: 202 with the existing row
            {"name": "Beta", "short_code": "B1"},
            {"name": "Gamma", "short_code": "b1"},  # short code taken in this very batch
        ],
    )
    assert [o["_status_code"] for o in out] == [200, 202, 202, 200, 417]
    assert out[1]["id"] == out[0]["id"] and out[2]["name"] == "Existing customer 7"
    acme, beta = out[0], out[3]
    # a rename frees a name and takes another, inside one batch
    renamed = api.write(
        "PUT",
        "jobcodes",
        [{"id": acme["id"], "name": "Acme Two"}, {"id": beta["id"], "name": "acme two"}],
    )
    assert [r["_status_code"] for r in renamed] == [200, 417]
    again = api.write("POST", "jobcodes", [{"name": "Acme"}, {"name": "ACME TWO"}])
    assert [r["_status_code"] for r in again] == [200, 202]  # (202: "Acme Two" itself)
    # children: the parent learns it has some, a child name is unique under its parent only
    kids = api.write(
        "POST",
        "jobcodes",
        [
            {"name": "Site", "parent_id": acme["id"]},
            {"name": "Site", "parent_id": beta["id"]},
            {"name": "site", "parent_id": acme["id"]},  # the first one again: 202
            {"name": "Site", "parent_id": acme["id"], "type": "pto"},  # pto: top level only
        ],
    )
    assert [k["_status_code"] for k in kids] == [200, 200, 202, 417]
    assert kids[2]["id"] == kids[0]["id"]
    parents = {j["id"]: j for j in api.rows("jobcodes")}
    assert parents[acme["id"]]["has_children"] and parents[beta["id"]]["has_children"]
    # usernames: unique whatever the case, a rename frees the old one in the same batch
    users = api.write(
        "POST",
        "users",
        [
            {"username": "sam", "first_name": "Sam", "last_name": "A"},
            {"username": "SAM", "first_name": "Sam", "last_name": "B"},
        ],
    )
    assert [u["_status_code"] for u in users] == [200, 417]
    swapped = api.write(
        "PUT",
        "users",
        [{"id": users[0]["id"], "username": "samuel"}],
    )
    assert swapped[0]["_status_code"] == 200
    assert (
        api.write("POST", "users", [{"username": "Sam", "first_name": "Sam", "last_name": "C"}])[0][
            "_status_code"
        ]
        == 200
    )
    assert (
        api.write("POST", "users", [{"username": "SAMUEL", "first_name": "S", "last_name": "D"}])[
            0
        ]["_status_code"]
        == 417
    )


def _big_store(state_dir: Path, every: int = 500) -> CompanyStore:
    CompanyStore.journal_min_rows = 100  # (the class default is 5,000 rows)
    try:
        store = CompanyStore.load(None, state_dir)
    finally:
        CompanyStore.journal_min_rows = 5_000
    store.journal_min_rows = 100
    store.journal_compact_every = every
    return store


def _fresh(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    CompanyStore.from_dict(_state(jobcodes=300), state)
    return state


def test_a_large_state_keeps_a_journal_of_its_writes_and_replays_it_at_start(tmp_path):
    state = _fresh(tmp_path)
    api = Api(_big_store(state))
    snapshot = state / QBTIME_STATE_FILE
    saved = snapshot.read_bytes()
    made = api.write("POST", "jobcodes", [{"name": f"Journal {i}"} for i in range(50)])
    api.write("PUT", "jobcodes", [{"id": made[0]["id"], "name": "Journal renamed"}])
    # the snapshot is not rewritten for each write; the journal holds them, on disk
    assert snapshot.read_bytes() == saved
    lines = (state / QBTIME_JOURNAL_FILE).read_text("utf-8").splitlines()
    assert len(lines) == 1 + 2 and json.loads(lines[0])["base"]
    expected = sorted((j["id"], j["name"], j["last_modified"]) for j in api.rows("jobcodes"))

    # a new process over the same state dir: the same rows, ids and times
    again = Api(_big_store(state), ManualClock(START + 3600))
    assert sorted((j["id"], j["name"], j["last_modified"]) for j in again.rows("jobcodes")) == (
        expected
    )
    # replayed once: saved whole then, with an empty journal naming the new save
    lines = (state / QBTIME_JOURNAL_FILE).read_text("utf-8").splitlines()
    assert len(lines) == 1
    third = Api(_big_store(state), ManualClock(START + 7200))
    assert len(third.rows("jobcodes")) == len(expected)


def test_the_journal_is_folded_into_a_whole_save_every_n_writes(tmp_path):
    state = _fresh(tmp_path)
    api = Api(_big_store(state, every=3))
    for i in range(7):
        api.write("POST", "jobcodes", [{"name": f"Batch {i}"}])
    lines = (state / QBTIME_JOURNAL_FILE).read_text("utf-8").splitlines()
    assert len(lines) == 1 + 1  # two saves (after 3 and 6 lines), then one line
    saved = json.loads((state / QBTIME_STATE_FILE).read_text("utf-8"))
    names = {j["name"] for j in saved["jobcodes"]}
    assert {f"Batch {i}" for i in range(6)} <= names and "Batch 6" not in names
    again = Api(_big_store(state))
    assert "Batch 6" in {j["name"] for j in again.rows("jobcodes")}


def test_a_crash_between_a_save_and_the_journal_reset_applies_nothing_twice(tmp_path):
    state = _fresh(tmp_path)
    api = Api(_big_store(state))
    api.write("POST", "jobcodes", [{"name": "Once"}])
    journal = state / QBTIME_JOURNAL_FILE
    old_journal = journal.read_bytes()
    # the whole save happened (a new base), the journal's reset did not
    api.store.save("qbtime")
    journal.write_bytes(old_journal)
    again = Api(_big_store(state))
    assert [j["name"] for j in again.rows("jobcodes")].count("Once") == 1


def test_a_last_line_cut_short_by_a_crash_was_never_answered_and_is_left_out(tmp_path):
    state = _fresh(tmp_path)
    api = Api(_big_store(state))
    api.write("POST", "jobcodes", [{"name": "Answered"}])
    with open(state / QBTIME_JOURNAL_FILE, "a", encoding="utf-8") as fh:
        fh.write('{"method": "POST", "endpoint": "jobcodes", "query": "", "bo')
    names = [j["name"] for j in Api(_big_store(state)).rows("jobcodes")]
    assert "Answered" in names


def test_a_small_state_is_saved_whole_on_every_write(tmp_path):
    state = tmp_path / "state"
    store = CompanyStore.from_dict(_state(jobcodes=10), state)
    api = Api(store)
    api.write("POST", "jobcodes", [{"name": "Whole"}])
    saved = json.loads((state / QBTIME_STATE_FILE).read_text("utf-8"))
    assert "Whole" in {j["name"] for j in saved["jobcodes"]}
    assert not (state / QBTIME_JOURNAL_FILE).exists()
