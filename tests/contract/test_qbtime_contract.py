"""The QuickBooks Time simulator answers in the shapes of the official material.

``shared/specs/qbtime`` holds the docs' examples and the SDK's JSON Schemas (see SOURCE.md).
Every GET and write answer of the simulator is checked with ``qbtime_shapes`` (schema and
example field inventories, envelopes), the official request examples are replayed against it
and must get the official per-item statuses, and the Demo Company's QB Time objects are
checked the same way.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request

from core.sandbox.common import CompanyStore, ManualClock, iso_offset
from core.sandbox.qbtime import QBTimeConfig, QBTimeSimulator, blank_qbtime_state
from tests.contract.qbtime_shapes import (
    KINDS,
    OBJECT_FILE,
    check_error_body,
    check_list_envelope,
    check_object,
    check_write_envelope,
    load_example,
    spec_dir,
)

SPEC = spec_dir()
pytestmark = pytest.mark.skipif(
    SPEC is None, reason="shared/specs/qbtime not found beside the project (set XQB_SHARED_DIR)"
)

TOKEN = "contract-token"
START = 1_750_000_000.0
TS = iso_offset(START)
DEMO_COMPANY = Path(__file__).resolve().parents[2] / "resources" / "demo" / "company.json"


# --------------------------------------------------------------------------- seed
def jobcode(jid: int, name: str, parent_id: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "id": jid,
        "parent_id": parent_id,
        "assigned_to_all": False,
        "billable": False,
        "active": True,
        "type": "regular",
        "has_children": False,
        "billable_rate": 0,
        "short_code": "",
        "name": name,
        "last_modified": TS,
        "created": TS,
        "filtered_customfielditems": "",
        "required_customfields": [],
        "locations": [],
        "connect_with_quickbooks": False,
        **extra,
    }


def user(
    uid: int, username: str, first: str, last: str, template: dict[str, Any]
) -> dict[str, Any]:
    return {
        **copy.deepcopy(template),
        "id": uid,
        "username": username,
        "first_name": first,
        "last_name": last,
        "email": "",
        "email_verified": False,
        "permissions": {**template["permissions"], "admin": False},
    }


def official_company() -> dict[str, Any]:
    """A small account holding the objects the official request examples refer to by id."""
    state = blank_qbtime_state(TOKEN, START, admin=("owner", "Olive", "Owner", "owner@example.com"))
    admin = state["users"][0]
    state["users"] += [
        user(933849, "admin", "Mary", "Samsonite", admin),
        user(933837, "nancysmith", "Nancy", "Smith", admin),
        user(1234, "jsmith", "John", "Smith", admin),
    ]
    state["jobcodes"] += [
        jobcode(12788279, "Assembly Line", has_children=True, short_code="asm"),
        jobcode(10606354, "Customer3", 12788279, short_code="cc30"),
        jobcode(10608414, "Customer4", 12788279),
        jobcode(10608424, "Customer5", 12788279),
        jobcode(37, "Test", short_code="test"),
        jobcode(3656485, "Gutter Cleaning", billable=True),
    ]
    state["customfields"] = [
        {
            "id": cid,
            "active": True,
            "required": True,
            "applies_to": "timesheet",
            "type": "managed-list",
            "short_code": code,
            "regex_filter": "",
            "name": name,
            "last_modified": TS,
            "created": TS,
            "ui_preference": "drop_down",
            "required_customfields": [],
            "show_to_all": True,
        }
        for cid, code, name in ((19142, "cf1", "Custom Field 1"), (21889, "t", "Task"))
    ]
    state["customfielditems"] = [
        {
            "id": iid,
            "customfield_id": 19142,
            "active": True,
            "short_code": code,
            "name": name,
            "last_modified": TS,
            "required_customfields": [],
        }
        for iid, code, name in ((3085064, "car1", "Car 1"), (3085066, "car2", "Car 2"))
    ]
    state["locations"] = [
        {
            "id": lid,
            "addr1": addr1,
            "addr2": "",
            "city": "Meridian",
            "state": "ID",
            "zip": "83646",
            "formatted_address": f"{addr1}, Meridian, ID 83646",
            "country": "US",
            "active": True,
            "latitude": 0,
            "longitude": 0,
            "place_id": "",
            "place_id_hash": "",
            "label": "",
            "notes": "",
            "geocoding_status": "none",
            "created": TS,
            "last_modified": TS,
            "linked_objects": {},
            "geofence_config_id": None,
        }
        for lid, addr1 in ((742413, "1 First Street"), (742415, "7 Any Street"))
    ]
    state["timesheets"] = [
        {
            "id": 135288482,
            "user_id": 1234,
            "jobcode_id": 37,
            "start": "2025-06-16T09:04:00-06:00",
            "end": "2025-06-16T15:57:00-06:00",
            "duration": 24780,
            "date": "2025-06-16",
            "tz": -6,
            "tz_str": "tsMT",
            "type": "regular",
            "location": "(Eagle, ID?)",
            "on_the_clock": False,
            "locked": 0,
            "notes": "",
            "customfields": {"19142": "Car 1"},
            "attached_files": [],
            "last_modified": TS,
        }
    ]
    return state


class Sim:
    def __init__(self, tmp_path: Path, state: dict[str, Any] | None = None) -> None:
        self.clock = ManualClock(START + 60)
        state = state or official_company()
        self.token = str(state.get("token", TOKEN))
        store = CompanyStore.from_dict({"qbtime": state}, tmp_path / "state")
        self.sim = QBTimeSimulator(store, self.clock, QBTimeConfig())
        self.client = Client(lambda e, s: self.sim.handle(Request(e))(e, s))

    def call(
        self,
        method: str,
        endpoint: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        token: str | None = "",
    ) -> tuple[int, Any]:
        token = self.token if token == "" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {"query_string": params, "headers": headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        resp = self.client.open(f"/api/v1/{endpoint}", method=method, **kwargs)
        return resp.status_code, resp.get_json(silent=True)


@pytest.fixture
def sim(tmp_path: Path) -> Sim:
    return Sim(tmp_path)


def example_body(relative: str) -> dict[str, Any]:
    body = load_example(relative)
    assert isinstance(body, dict), f"{relative} should parse"
    return body


# --------------------------------------------------------------------------- the checker itself
def test_seed_objects_pass_the_checker() -> None:
    state = official_company()
    for kind in (
        "users",
        "jobcodes",
        "jobcode_assignments",
        "customfields",
        "customfielditems",
        "locations",
        "locations_map",
        "timesheets",
    ):
        for obj in state.get(kind, []):
            assert check_object(kind, obj, allow_quirks=False) == [], obj


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_official_object_examples_pass_the_checker(kind: str) -> None:
    obj = load_example(f"{KINDS[kind][1]}/{OBJECT_FILE.get(kind, 'object.json')}")
    assert check_object(kind, obj, allow_quirks=False) == []


def test_checker_flags_unknown_missing_and_mistyped_fields() -> None:
    good = jobcode(1, "Acme")
    assert check_object("jobcodes", good) == []
    assert check_object("jobcodes", {**good, "colour": "red"}) == [
        "jobcodes[1].colour: not a field of the schema or of any official example"
    ]
    missing = {k: v for k, v in good.items() if k != "locations"}
    assert check_object("jobcodes", missing) == [
        "jobcodes[1].locations: missing (present in the official object example)"
    ]
    assert check_object("jobcodes", {**good, "parent_id": "0"}) == [
        "jobcodes[1].parent_id: '0' is not an integer"
    ]
    assert check_object("jobcodes", {**good, "type": "holiday"})[0].startswith(
        "jobcodes[1].type: 'holiday'"
    )
    assert check_object("jobcodes", {**good, "created": "yesterday"}) != []
    # documented quirks: "" for an empty map always; 1/""-booleans only when allowed
    assert check_object("jobcodes", {**good, "filtered_customfielditems": ""}) == []
    assert check_object("jobcodes", {**good, "active": 1}) == []
    assert check_object("jobcodes", {**good, "active": 1}, allow_quirks=False) != []
    assert (
        check_object(
            "locations", {**load_example("Locations/object.json"), "geofence_config_id": None}
        )
        == []
    )
    assert check_object(
        "users", {**load_example("Users/object.json"), "permissions": {"admin": True, "fly": True}}
    ) == ["users[933849].permissions.fly: not a known field"]


# --------------------------------------------------------------------------- GET answers
LISTS = [
    # endpoint, params, kind, official example of the same endpoint
    ("users", {"active": "both"}, "users", "Users/retrieve-response.json"),
    ("current_user", {}, "current_user", "CurrentUser/retrieve-response.txt"),
    (
        "jobcodes",
        {"active": "both", "type": "all"},
        "jobcodes",
        "Jobcodes/retrieve-response-2.json",
    ),
    ("jobcodes", {"customfields": "true"}, "jobcodes", "Jobcodes/retrieve-response-3.json"),
    (
        "jobcode_assignments",
        {"type": "all"},
        "jobcode_assignments",
        "JobcodeAssignments/retrieve-response-2.json",
    ),
    (
        "customfields",
        {"active": "both", "applies_to": "all"},
        "customfields",
        "CustomFields/retrieve-response.json",
    ),
    (
        "customfielditems",
        {"customfield_id": "19142", "active": "both"},
        "customfielditems",
        "CustomFieldItems/retrieve-response.json",
    ),
    ("locations", {"active": "both"}, "locations", "Locations/retrieve-response.json"),
    ("locations_map", {}, "locations_map", "LocationsMaps/retrieve-response.json"),
    ("timesheets", {"start_date": "2025-01-01"}, "timesheets", "Timesheets/retrieve-response.txt"),
    (
        "timesheets_deleted",
        {"start_date": "2025-01-01"},
        "timesheets_deleted",
        "TimesheetsDeleted/retrieve-response-1.txt",
    ),
    ("time_off_requests", {}, "time_off_requests", "TimeOffRequests/retrieve-response.json"),
    (
        "time_off_request_entries",
        {"status": "approved,pending"},
        "time_off_request_entries",
        "TimeOffRequestEntries/retrieve-response.json",
    ),
]


def populate(sim: Sim) -> None:
    """Give every list something to show: links, assignments, archived rows, new objects."""
    assert (
        sim.call(
            "PUT",
            "locations",
            body={"data": [{"id": 742413, "linked_objects": {"jobcodes": [3656485, 37]}}]},
        )[0]
        == 200
    )
    assert (
        sim.call(
            "POST",
            "jobcode_assignments",
            body={
                "data": [
                    {"user_id": 1234, "jobcode_id": 12788279},
                    {"user_id": 0, "jobcode_id": 37},
                ]
            },
        )[0]
        == 200
    )
    assert sim.call("PUT", "jobcodes", body={"data": [{"id": 10608424, "active": False}]})[0] == 200
    assert (
        sim.call(
            "POST",
            "users",
            body={
                "data": [
                    {
                        "username": "new",
                        "first_name": "New",
                        "last_name": "Person",
                        "email": "new@example.com",
                        "permissions": {"time_tracking": True},
                    }
                ]
            },
        )[0]
        == 200
    )
    # a timesheet deleted, and the official time-off examples as the account's time off
    # (time off is read-only in the simulator)
    owner = sim.sim.store.qbtime["current_user_id"]
    _, payload = sim.call(
        "POST",
        "timesheets",
        body={
            "data": [
                {
                    "user_id": owner,
                    "jobcode_id": 37,
                    "type": "manual",
                    "date": "2025-06-02",
                    "duration": 3600,
                }
            ]
        },
    )
    created = payload["results"]["timesheets"]["1"]
    assert created["_status_code"] == 200, created
    assert sim.call("DELETE", "timesheets", {"ids": str(created["id"])})[0] == 200
    example = load_example("TimeOffRequests/retrieve-response.json")
    sup = example["supplemental_data"]
    qb = sim.sim.store.qbtime
    qb["time_off_requests"] = list(copy.deepcopy(example["results"]["time_off_requests"]).values())
    qb["time_off_request_notes"] = list(copy.deepcopy(sup["time_off_request_notes"]).values())
    qb["time_off_request_entries"] = list(copy.deepcopy(sup["time_off_request_entries"]).values())


@pytest.mark.parametrize(
    ("endpoint", "params", "kind", "example"),
    LISTS,
    ids=[f"{e}-{i}" for i, (e, *_rest) in enumerate(LISTS)],
)
def test_get_answers_match_the_official_shapes(
    sim: Sim, endpoint: str, params: dict[str, Any], kind: str, example: str
) -> None:
    populate(sim)
    status, payload = sim.call("GET", endpoint, params)
    assert status == 200
    assert check_list_envelope(payload, kind) == []
    assert payload["results"][next(iter(payload["results"]))], "the list should not be empty"
    official = load_example(example)
    if official is not None:  # .txt excerpts that do not parse are loose
        assert list(official["results"]) == list(payload["results"])
        assert set(payload) <= set(official) | {"more", "supplemental_data"}
        for sup_kind in payload.get("supplemental_data", {}):
            assert sup_kind in (
                "users",
                "jobcodes",
                "customfields",
                "locations",
                "groups",
                "time_off_requests",
                "time_off_request_notes",
                "time_off_request_entries",
            )
            if endpoint.startswith("time_off"):
                assert sup_kind in official.get("supplemental_data", {})


def test_supplemental_data_follows_the_references(sim: Sim) -> None:
    populate(sim)
    _, payload = sim.call("GET", "jobcode_assignments", {"type": "all", "user_ids": "1234"})
    sup = payload["supplemental_data"]
    assert "1234" in sup["users"] and "12788279" in sup["jobcodes"]
    _, payload = sim.call("GET", "locations_map")
    assert set(payload["supplemental_data"]["locations"]) == {"742413"}
    _, payload = sim.call("GET", "timesheets", {"ids": "135288482"})
    assert set(payload["supplemental_data"]) == {"users", "jobcodes", "customfields"}
    _, payload = sim.call("GET", "current_user")
    assert all(j["type"] == "pto" for j in payload["supplemental_data"]["jobcodes"].values())


def test_effective_settings_match_the_schema(sim: Sim) -> None:
    status, payload = sim.call("GET", "effective_settings")
    assert status == 200 and set(payload) == {"results"}
    sections = payload["results"]["effective_settings"]
    jsonschema.validate(
        {"effective_settings": sections},
        json.loads((SPEC / "jsonschema" / "EffectiveSettings.schema.json").read_text()),
    )
    official = load_example("EffectiveSettings/object.json")
    for name in ("general", "customfields", "xero", "dialin", "quickbooks"):
        assert name in official and name in sections
    assert sections["customfields"]["settings"]["maximum_allowed_timesheet_custom_fields"] == 6
    assert isinstance(sections["general"]["settings"]["jc_label"], str)


def test_last_modified_timestamps_match_the_schema(sim: Sim) -> None:
    status, payload = sim.call("GET", "last_modified_timestamps")
    assert status == 200
    official = load_example("LastModified/retrieve-response-1.json")
    assert list(payload) == list(official) == ["results"]
    stamps = payload["results"]["last_modified_timestamps"]
    assert list(stamps) == list(official["results"]["last_modified_timestamps"])
    jsonschema.validate(
        stamps, json.loads((SPEC / "jsonschema" / "LastModifiedTimestamps.schema.json").read_text())
    )
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", v) for v in stamps.values())
    _, payload = sim.call("GET", "last_modified_timestamps", {"endpoints": "timesheets,groups"})
    assert list(payload["results"]["last_modified_timestamps"]) == list(
        load_example("LastModified/retrieve-response-2.json")["results"]["last_modified_timestamps"]
    )


# --------------------------------------------------------------------------- write answers
WRITES = [
    # method, endpoint, official request, official response (None: keep to the envelope)
    ("POST", "jobcodes", "Jobcodes/create-request.json", "Jobcodes/create-response.json"),
    ("PUT", "jobcodes", "Jobcodes/update-request.json", "Jobcodes/update-response.json"),
    ("POST", "users", "Users/create-request.json", "Users/create-response.txt"),
    ("PUT", "users", "Users/update-request.json", "Users/update-response.txt"),
    (
        "POST",
        "jobcode_assignments",
        "JobcodeAssignments/create-request.json",
        "JobcodeAssignments/create-response.txt",
    ),
    (
        "POST",
        "customfields",
        "CustomFields/create-request.json",
        "CustomFields/create-response.json",
    ),
    ("PUT", "customfields", "CustomFields/update-request.txt", "CustomFields/update-response.json"),
    (
        "POST",
        "customfielditems",
        "CustomFieldItems/create-request.json",
        "CustomFieldItems/create-response.json",
    ),
    (
        "PUT",
        "customfielditems",
        "CustomFieldItems/update-request.json",
        "CustomFieldItems/update-response.json",
    ),
    ("POST", "locations", "Locations/create-request.json", "Locations/create-response.json"),
    ("PUT", "locations", "Locations/update-request.json", "Locations/update-response.json"),
]


@pytest.mark.parametrize(
    ("method", "endpoint", "request_file", "response_file"),
    WRITES,
    ids=[f"{m}-{e}" for m, e, *_ in WRITES],
)
def test_official_write_examples_get_the_official_statuses(
    sim: Sim, method: str, endpoint: str, request_file: str, response_file: str
) -> None:
    request = example_body(request_file)
    status, payload = sim.call(method, endpoint, body=request)
    assert status == 200, payload
    assert check_write_envelope(payload, endpoint, len(request["data"])) == []
    official = load_example(response_file)
    if official is None:
        pytest.skip(f"{response_file} is a loose excerpt")
    ours = payload["results"][endpoint]
    theirs = official["results"][endpoint]
    assert [e["_status_code"] for e in ours.values()] == [
        e["_status_code"] for e in theirs.values()
    ]
    for mine, expected in zip(ours.values(), theirs.values(), strict=True):
        if "_status_extra" in expected:
            assert mine["_status_extra"] == expected["_status_extra"].replace("\\/", "/")
        if expected["_status_code"] < 300:
            # the official answer's fields are all there (extra examples' fields may be too)
            missing = [k for k in expected if k not in mine and k != "customfields"]
            assert missing == [], missing


def test_failed_elements_echo_input_and_keep_position(sim: Sim) -> None:
    status, payload = sim.call(
        "POST",
        "jobcodes",
        body={"data": [{"name": "Fine"}, {"name": "x" * 65}, "not an object", {"name": "Fine"}]},
    )
    assert status == 200
    assert check_write_envelope(payload, "jobcodes", 4) == []
    rows = payload["results"]["jobcodes"]
    assert [r["_status_code"] for r in rows.values()] == [200, 417, 417, 202]
    assert rows["2"]["name"] == "x" * 65 and set(rows["3"]) == {
        "_status_code",
        "_status_message",
        "_status_extra",
    }
    assert rows["4"]["id"] == rows["1"]["id"]


def test_delete_answer_shape(sim: Sim) -> None:
    _, payload = sim.call(
        "POST", "jobcode_assignments", body={"data": [{"user_id": 1234, "jobcode_id": 37}]}
    )
    aid = payload["results"]["jobcode_assignments"]["1"]["id"]
    status, payload = sim.call("DELETE", "jobcode_assignments", {"ids": f"{aid},"})
    official = load_example("JobcodeAssignments/delete-response.txt")
    assert status == 200 and list(payload) == ["results"]
    rows = payload["results"]["jobcode_assignments"]
    assert rows[str(aid)] == {"_status_code": 200, "_status_message": "OK, deleted", "id": aid}
    if official is not None:
        expected = official["results"]["jobcode_assignments"][""]
        assert rows[""] == expected


# --------------------------------------------------------------------------- errors
def test_error_bodies(sim: Sim) -> None:
    cases = [
        (sim.call("GET", "users", token="bad"), 401),
        (sim.call("GET", "nothing_here"), 404),
        (sim.call("DELETE", "users"), 405),
        (sim.call("POST", "jobcodes", body={"data": [{"name": str(i)} for i in range(51)]}), 413),
        (sim.call("GET", "jobcodes", {"limit": "201"}), 417),
        (sim.call("GET", "timesheets"), 417),
    ]
    for (status, payload), expected in cases:
        assert status == expected
        assert check_error_body(payload, expected) == []
    limited = Sim.__new__(Sim)
    limited.token = TOKEN
    limited.clock = ManualClock(START)
    store = CompanyStore.from_dict({"qbtime": official_company()})
    limited.sim = QBTimeSimulator(store, limited.clock, QBTimeConfig(rate_limit=1))
    limited.client = Client(lambda e, s: limited.sim.handle(Request(e))(e, s))
    limited.call("GET", "users")
    status, payload = limited.call("GET", "users")
    assert status == 429 and payload == {"error": {"code": 429, "message": "Too Many Requests"}}


# --------------------------------------------------------------------------- the Demo Company
@pytest.mark.skipif(not DEMO_COMPANY.exists(), reason="resources/demo/company.json not written yet")
def test_demo_company_objects_match_the_official_shapes(tmp_path: Path) -> None:
    qbtime = json.loads(DEMO_COMPANY.read_text(encoding="utf-8")).get("qbtime", {})
    problems: list[str] = []
    for kind in KINDS:
        if kind == "current_user":
            continue
        for obj in qbtime.get(kind) or []:
            problems += check_object(kind, obj)
    assert problems == []
    # and the simulator serves it in the official shapes
    sim = Sim(tmp_path, copy.deepcopy(qbtime))
    for endpoint, params, kind, _example in LISTS:
        if endpoint == "customfielditems":
            fields = qbtime.get("customfields") or []
            if not fields:
                continue
            params = {**params, "customfield_id": str(fields[0]["id"])}
        status, payload = sim.call("GET", endpoint, params)
        assert status == 200, (endpoint, payload)
        assert check_list_envelope(payload, kind, allow_quirks=True) == []


# --------------------------------------------------------------------------- hours (issue 13)
def demo_sim(tmp_path: Path) -> tuple[Sim, dict[str, Any]]:
    qbtime = json.loads(DEMO_COMPANY.read_text(encoding="utf-8"))["qbtime"]
    state = copy.deepcopy(qbtime)
    del state["demo_shift_days"]  # keep the file's dates (the clock here is 2025)
    return Sim(tmp_path, state), qbtime


def test_timesheet_writes_and_deletes_answer_in_the_official_shapes(tmp_path: Path) -> None:
    sim, qbtime = demo_sim(tmp_path)
    noah = next(u for u in qbtime["users"] if u["first_name"] == "Noah")
    parents = {j["id"] for j in qbtime["jobcodes"] if j["has_children"]}
    job = next(
        a["jobcode_id"]
        for a in qbtime["jobcode_assignments"]
        if a["user_id"] == noah["id"] and a["active"] and a["jobcode_id"] not in parents
    )
    items = [
        {
            "user_id": noah["id"],
            "jobcode_id": str(job),
            "type": "regular",
            "start": "2026-12-01T08:00:00+11:00",
            "end": "2026-12-01T12:00:00+11:00",
            "notes": "n",
        },
        {
            "user_id": noah["id"],
            "jobcode_id": str(job),
            "type": "manual",
            "date": "2026-12-02",
            "duration": "15552",
        },
        {
            "user_id": noah["id"],
            "jobcode_id": str(job),
            "type": "regular",
            "start": "2026-12-01T09:00:00+11:00",
            "end": "2026-12-01T10:00:00+11:00",
        },
    ]
    status, payload = sim.call("POST", "timesheets", body={"data": items})
    assert status == 200
    assert check_write_envelope(payload, "timesheets", 3) == []
    assert set(payload["supplemental_data"]) == {"users", "jobcodes", "customfields"}
    official = load_example("Timesheets/object.json")
    created = payload["results"]["timesheets"]["1"]
    assert set(official) <= set(created)
    ids = [payload["results"]["timesheets"][k]["id"] for k in ("1", "2")]
    status, payload = sim.call(
        "PUT", "timesheets", body={"data": [{"id": ids[1], "duration": 15552}]}
    )
    assert check_write_envelope(payload, "timesheets", 1) == []
    status, payload = sim.call("DELETE", "timesheets", {"ids": ",".join(map(str, ids))})
    example = load_example("Timesheets/delete-response.json")
    assert list(payload) == list(example) == ["results"]
    for key, row in payload["results"]["timesheets"].items():
        assert set(row) == set(next(iter(example["results"]["timesheets"].values())))
        assert row["id"] == key and isinstance(row["id"], str)
    status, payload = sim.call("GET", "timesheets_deleted", {"ids": ",".join(map(str, ids))})
    assert check_list_envelope(payload, "timesheets_deleted", allow_quirks=True) == []
    assert len(payload["results"]["timesheets_deleted"]) == 2


def test_time_off_answers_match_the_official_examples(tmp_path: Path) -> None:
    sim, _ = demo_sim(tmp_path)
    for endpoint, params in (
        ("time_off_requests", {}),
        ("time_off_request_entries", {"status": "approved"}),
    ):
        status, payload = sim.call("GET", endpoint, params)
        assert status == 200 and check_list_envelope(payload, endpoint, allow_quirks=False) == []
        example = load_example(f"{KINDS[endpoint][1]}/retrieve-response.json")
        assert set(payload["supplemental_data"]) == set(example["supplemental_data"])
    status, payload = sim.call("GET", "time_off_request_entries")
    assert status == 417 and check_error_body(payload, 417) == []


def test_payroll_report_matches_the_sdk_schema(tmp_path: Path) -> None:
    sim, _ = demo_sim(tmp_path)
    body = {"data": {"start_date": "2026-11-16", "end_date": "2026-11-29"}}
    status, payload = sim.call("POST", "reports/payroll", body=body)
    assert status == 200
    item_schema = json.loads(
        (SPEC / "jsonschema" / "PayrollReportItem.schema.json").read_text("utf-8")
    )
    rows = payload["results"]["payroll_report"]
    assert rows
    for row in rows.values():
        jsonschema.validate(row, item_schema)
