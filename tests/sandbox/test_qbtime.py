"""The QuickBooks Time simulator keeps the documented rules of the real service.

Every test runs a fresh Demo Company account (``blank_qbtime_state``: the admin behind the
token and three default time-off codes) on a ManualClock, through werkzeug's test client;
two tests go over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client
from werkzeug.wrappers import Request

from core.sandbox.common import (
    COMPANY_FILE,
    QBTIME_STATE_FILE,
    CompanyStore,
    FaultMiddleware,
    FaultPlan,
    ManualClock,
    SimServer,
    demo_shift_days,
    iso_offset,
)
from core.sandbox.qbtime import (
    RATE_WINDOW_FILE,
    QBTimeConfig,
    QBTimeSimulator,
    blank_qbtime_state,
    qbtime_error_response,
)
from core.services.qbtime.mapping import results_of

TOKEN = "S.4__demo-qbtime-token"
START = 1_750_000_000.0


class Api:
    """One simulator over a fresh company, called the way a client would."""

    def __init__(
        self,
        tmp_path: Path,
        config: QBTimeConfig | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.clock = ManualClock(START)
        self.state_dir = tmp_path / "state"
        data = {"xero": {"organisations": []}, "qbtime": state or blank_qbtime_state(TOKEN, START)}
        self.store = CompanyStore.from_dict(data, self.state_dir)
        self.sim = QBTimeSimulator(self.store, self.clock, config)
        self.client = Client(self.wsgi)

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.sim.handle(Request(environ))(environ, start_response)

    def call(
        self,
        method: str,
        endpoint: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        *,
        token: str | None = TOKEN,
        raw: bytes | None = None,
        content_type: str | None = "application/json",
    ) -> tuple[int, Any, Any]:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if content_type and method in ("POST", "PUT"):
            headers["Content-Type"] = content_type
        resp = self.client.open(
            f"/api/v1/{endpoint}", method=method, query_string=params, data=data, headers=headers
        )
        return resp.status_code, resp.get_json(silent=True), resp

    def get(self, endpoint: str, **params: Any) -> tuple[int, Any]:
        status, body, _ = self.call("GET", endpoint, params)
        return status, body

    def post(self, endpoint: str, *items: dict[str, Any], **params: Any) -> tuple[int, Any]:
        status, body, _ = self.call("POST", endpoint, params or None, {"data": list(items)})
        return status, body

    def put(self, endpoint: str, *items: dict[str, Any]) -> tuple[int, Any]:
        status, body, _ = self.call("PUT", endpoint, None, {"data": list(items)})
        return status, body

    # conveniences ---------------------------------------------------------------
    def ok(
        self, endpoint: str, *items: dict[str, Any], method: str = "POST"
    ) -> list[dict[str, Any]]:
        """Write and insist that every element succeeded; answer the elements."""
        status, body = (self.post if method == "POST" else self.put)(endpoint, *items)
        assert status == 200, body
        out = list(body["results"][endpoint].values())
        assert all(e["_status_code"] == 200 for e in out), out
        return out

    def one(self, endpoint: str, item: dict[str, Any], method: str = "POST") -> dict[str, Any]:
        status, body = (self.post if method == "POST" else self.put)(endpoint, item)
        assert status == 200, body
        return body["results"][endpoint]["1"]

    def jobcode(self, name: str, **fields: Any) -> dict[str, Any]:
        return self.ok("jobcodes", {"name": name, **fields})[0]

    def user(self, username: str, **fields: Any) -> dict[str, Any]:
        item = {
            "username": username,
            "first_name": username.title(),
            "last_name": "Tester",
            **fields,
        }
        return self.ok("users", item)[0]

    def rows(self, endpoint: str, **params: Any) -> dict[str, dict[str, Any]]:
        status, body = self.get(endpoint, **params)
        assert status == 200, body
        return body["results"][endpoint]

    @property
    def admin_id(self) -> int:
        return int(self.store.qbtime["current_user_id"])


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(tmp_path)


def error_of(body: Any, status: int) -> str:
    assert body["error"]["code"] == status, body
    return body["error"]["message"]


# ============================================================== transport, auth, routing
def test_bearer_token_is_required(api: Api) -> None:
    for token in (None, "wrong-token", ""):
        status, body, resp = api.call("GET", "current_user", token=token)
        assert status == 401
        assert error_of(body, 401).startswith("Unauthorized")
    resp = api.client.get("/api/v1/current_user", headers={"Authorization": f"Basic {TOKEN}"})
    assert resp.status_code == 401
    status, body = api.get("current_user")
    assert status == 200
    assert list(body["results"]["users"]) == [str(api.admin_id)]


def test_unknown_path_is_404_and_wrong_method_405(api: Api) -> None:
    status, body = api.get("no_such_endpoint")
    assert status == 404 and error_of(body, 404)
    assert (
        api.client.get("/api/v2/users", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 404
    )
    status, body, resp = api.call("DELETE", "users", {"ids": "1"})
    assert status == 405 and error_of(body, 405)
    assert "GET" in resp.headers["Allow"]
    assert api.call("POST", "current_user", body={"data": [{}]})[0] == 405
    assert api.call("PUT", "jobcode_assignments", body={"data": [{}]})[0] == 405
    assert api.call("DELETE", "jobcodes", {"ids": "1"})[0] == 405


def test_writes_need_json_content_type_and_a_data_list(api: Api) -> None:
    item = {"data": [{"name": "Acme"}]}
    status, body, _ = api.call("POST", "jobcodes", body=item, content_type=None)
    assert status == 417 and "Content-Type" in error_of(body, 417)
    status, body, _ = api.call("POST", "jobcodes", body=item, content_type="text/plain")
    assert status == 417
    status, body, _ = api.call("POST", "jobcodes", raw=b"{not json")
    assert status == 400 and error_of(body, 400)
    for bad in (b"", b"[]", b'{"data": {}}', b'{"data": []}', b'{"items": [{"name":"x"}]}'):
        status, body, _ = api.call("POST", "jobcodes", raw=bad)
        assert status == 417, bad
        error_of(body, 417)
    # charset parameter is fine
    status, body, _ = api.call(
        "POST", "jobcodes", body=item, content_type="application/json; charset=utf-8"
    )
    assert status == 200 and body["results"]["jobcodes"]["1"]["_status_code"] == 200
    names = [j["name"] for j in api.rows("jobcodes").values()]
    assert names == ["Acme"]


def test_batch_of_51_is_413_and_writes_nothing_50_is_fine(api: Api) -> None:
    before = json.loads((api.state_dir / QBTIME_STATE_FILE).read_text())
    status, body = api.post("jobcodes", *({"name": f"Customer {i}"} for i in range(51)))
    assert status == 413
    assert error_of(body, 413) == "Request entity too large: at most 50 objects per request"
    assert api.rows("jobcodes") == []
    assert json.loads((api.state_dir / QBTIME_STATE_FILE).read_text()) == before
    status, body = api.post("jobcodes", *({"name": f"Customer {i}"} for i in range(50)))
    assert status == 200
    assert list(body["results"]["jobcodes"]) == [str(i) for i in range(1, 51)]
    assert len(api.rows("jobcodes")) == 50
    # every kind of write is capped the same way
    for endpoint, item in (
        ("users", {"username": "u", "first_name": "a", "last_name": "b"}),
        ("customfields", {"name": "f", "applies_to": "timesheet", "type": "free-form"}),
        ("locations", {"city": "Paris"}),
    ):
        assert api.post(endpoint, *([item] * 51))[0] == 413
    ids = ",".join(str(i) for i in range(1, 52))
    assert api.call("DELETE", "jobcode_assignments", {"ids": ids})[0] == 413


def test_rate_limit_300_per_5_minutes_then_429_without_retry_after(tmp_path: Path) -> None:
    api = Api(tmp_path)
    for _ in range(300):
        assert api.get("current_user")[0] == 200
    status, body, resp = api.call("GET", "current_user")
    assert status == 429
    assert body == {"error": {"code": 429, "message": "Too Many Requests"}}
    assert "Retry-After" not in resp.headers
    assert not any(h.lower().startswith("x-rate") for h in resp.headers.keys())
    api.clock.advance(299)
    assert api.get("current_user")[0] == 429  # still the same window
    assert api.post("jobcodes", {"name": "x"})[0] == 429  # writes too
    api.clock.advance(1)
    assert api.get("current_user")[0] == 200  # a new window
    # requests with a wrong token are refused before counting
    for _ in range(5):
        assert api.call("GET", "current_user", token="nope")[0] == 401


def test_rate_limit_is_configurable(tmp_path: Path) -> None:
    api = Api(tmp_path, QBTimeConfig(rate_limit=3, rate_window_s=10))
    assert [api.get("users")[0] for _ in range(4)] == [200, 200, 200, 429]
    api.clock.advance(10)
    assert api.get("users")[0] == 200


def test_rate_limit_holds_in_any_5_minutes_not_only_in_the_first_request_s_window(
    tmp_path: Path,
) -> None:
    """Where QuickBooks Time's window starts is not documented: 300 calls at the end of one
    window and 300 at the start of the next (600 in a few seconds) would pass a window started
    by the first request, not a service counting any 5 minutes. The simulator refuses
    whichever count is stricter."""
    api = Api(tmp_path)
    assert api.get("current_user")[0] == 200  # the window starts
    api.clock.advance(290)
    for _ in range(299):
        assert api.get("current_user")[0] == 200
    api.clock.advance(11)  # a new window by the first request's count
    assert api.get("current_user")[0] == 200  # the first request left the 5 minutes
    assert api.get("current_user")[0] == 429  # 300 in the last 5 minutes
    api.clock.advance(289)  # the 299 leave the last 5 minutes
    assert api.get("current_user")[0] == 200


def test_rate_windows_survive_a_restart_of_the_demo_company(tmp_path: Path) -> None:
    """The real service's window does not end when the app (and its Demo Company) stops:
    the simulator keeps it in its state folder, keyed by a hash of the key."""
    api = Api(tmp_path)
    for _ in range(290):
        assert api.get("current_user")[0] == 200
    api.sim.save_windows()
    saved = (api.state_dir / RATE_WINDOW_FILE).read_text(encoding="utf-8")
    assert TOKEN not in saved
    again = QBTimeSimulator(api.store, api.clock, None)
    api.sim = again
    assert [api.get("current_user")[0] for _ in range(11)] == [200] * 10 + [429]
    api.clock.advance(300)
    assert api.get("current_user")[0] == 200


def test_error_response_for_fault_middleware() -> None:
    for status, message in (
        (429, "Too Many Requests"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
    ):
        resp = qbtime_error_response(status)
        assert resp.status_code == status
        assert json.loads(resp.get_data()) == {"error": {"code": status, "message": message}}
        assert "Retry-After" not in resp.headers


def test_over_real_http_with_fault_middleware(tmp_path: Path) -> None:
    api = Api(tmp_path)
    faults = FaultPlan()
    server = SimServer(FaultMiddleware(api.wsgi, faults, qbtime_error_response)).start()
    try:
        base = server.base_url + "/api/v1"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        resp = requests.post(
            f"{base}/jobcodes", json={"data": [{"name": "Over HTTP"}]}, headers=auth, timeout=5
        )
        assert resp.status_code == 200
        assert resp.json()["results"]["jobcodes"]["1"]["name"] == "Over HTTP"
        faults.force("503", path_contains="/jobcodes")
        resp = requests.get(f"{base}/jobcodes", headers=auth, timeout=5)
        assert resp.status_code == 503
        assert resp.json() == {"error": {"code": 503, "message": "Service Unavailable"}}
        resp = requests.get(f"{base}/jobcodes", headers=auth, timeout=5)
        assert [j["name"] for j in resp.json()["results"]["jobcodes"].values()] == ["Over HTTP"]
    finally:
        server.stop()


# ============================================================== persistence
def test_writes_persist_atomically_and_reload(tmp_path: Path) -> None:
    api = Api(tmp_path)
    company_file = api.state_dir / QBTIME_STATE_FILE
    xero_part = (api.state_dir / COMPANY_FILE).read_bytes()
    first = company_file.stat().st_ino
    created = api.jobcode("Persisted Customer", short_code="PC1")
    saved = json.loads(company_file.read_text())
    assert any(j["id"] == created["id"] for j in saved["jobcodes"])
    # a QuickBooks Time write rewrites the QuickBooks Time part only
    assert (api.state_dir / COMPANY_FILE).read_bytes() == xero_part
    assert "qbtime" not in json.loads(xero_part)
    # rewritten through a temporary file + rename (a new inode), never left half-written
    assert company_file.stat().st_ino != first
    assert not list(api.state_dir.glob("*.tmp"))
    # a new process over the same state dir sees the change
    store = CompanyStore.load(None, api.state_dir)
    again = QBTimeSimulator(store, ManualClock(START + 60))
    client = Client(lambda e, s: again.handle(Request(e))(e, s))
    resp = client.get(
        "/api/v1/jobcodes",
        query_string={"ids": str(created["id"])},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert resp.get_json()["results"]["jobcodes"][str(created["id"])]["short_code"] == "PC1"


def test_reads_do_not_touch_the_company_file(api: Api) -> None:
    company_file = api.state_dir / QBTIME_STATE_FILE
    before = company_file.read_bytes()
    for endpoint in (
        "users",
        "jobcodes",
        "customfields",
        "locations",
        "locations_map",
        "jobcode_assignments",
        "current_user",
        "effective_settings",
        "last_modified_timestamps",
    ):
        assert api.get(endpoint)[0] == 200
    assert api.get("timesheets", start_date="2025-01-01")[0] == 200
    assert company_file.read_bytes() == before
    assert "timesheets" not in api.store.qbtime


# ============================================================== jobcodes
def test_jobcode_create_shape_and_defaults(api: Api) -> None:
    api.clock.advance(5)
    jc = api.jobcode("Acme Ltd", short_code="acme", billable="yes", billable_rate="37.50")
    assert jc["_status_message"] == "Created"
    assert jc["id"] > 2**31  # 64-bit ids, like the SDK had to learn
    assert jc["parent_id"] == 0 and jc["type"] == "regular" and jc["active"] is True
    assert jc["billable"] is True and jc["billable_rate"] == 37.5
    assert jc["assigned_to_all"] is False and jc["has_children"] is False
    assert jc["filtered_customfielditems"] == "" and jc["required_customfields"] == []
    assert jc["locations"] == []
    assert jc["created"] == jc["last_modified"] == iso_offset(START + 5)
    assert jc["created"].endswith("+00:00")


def test_duplicate_jobcode_is_202_with_the_existing_one(api: Api) -> None:
    first = api.jobcode("Acme Ltd", short_code="A1")
    status, body = api.post(
        "jobcodes", {"name": "Acme Ltd"}, {"name": "ACME LTD ", "short_code": "A1"}
    )
    assert status == 200
    for element in body["results"]["jobcodes"].values():
        assert element["_status_code"] == 202
        assert element["_status_message"] == "Accepted"
        assert element["id"] == first["id"] and element["name"] == "Acme Ltd"
    assert len(api.rows("jobcodes")) == 1
    # an archived jobcode still counts: the 202 hands back the archived row
    api.ok("jobcodes", {"id": first["id"], "active": False}, method="PUT")
    element = api.one("jobcodes", {"name": "Acme Ltd"})
    assert element["_status_code"] == 202 and element["id"] == first["id"]
    assert element["active"] is False


def test_sibling_uniqueness_but_same_name_under_another_parent(api: Api) -> None:
    a = api.jobcode("Customer A")
    b = api.jobcode("Customer B")
    job_a = api.jobcode("Kitchen", parent_id=a["id"], short_code="K1")
    job_b = api.jobcode("Kitchen", parent_id=str(b["id"]), short_code="K1")  # ids as strings work
    assert job_a["id"] != job_b["id"] and job_b["parent_id"] == b["id"]
    assert api.rows("jobcodes", ids=str(a["id"]))[str(a["id"])]["has_children"] is True
    # same name, other type, same parent: a conflict, not a duplicate
    api.jobcode("Holiday Party")
    element = api.one("jobcodes", {"name": "Holiday", "type": "pto"})
    assert element["_status_code"] == 202  # the default "Holiday" pto code exists
    element = api.one("jobcodes", {"name": "holiday party", "type": "pto"})
    assert element["_status_code"] == 417 and "already in use" in element["_status_extra"]
    # rename onto a sibling's name
    element = api.one("jobcodes", {"id": job_a["id"], "name": "kitchen"}, method="PUT")
    assert element["_status_code"] == 200  # itself: fine
    other = api.jobcode("Bathroom", parent_id=a["id"])
    element = api.one("jobcodes", {"id": other["id"], "name": "Kitchen"}, method="PUT")
    assert element["_status_code"] == 417
    assert element["_status_extra"].startswith("Oops! That name is already in use")


def test_jobcode_name_is_required_and_at_most_64_characters(api: Api) -> None:
    assert api.jobcode("x" * 64)["name"] == "x" * 64
    _status, body = api.post(
        "jobcodes", {"name": "y" * 65}, {"name": ""}, {"short_code": "a"}, {"name": 12}
    )
    results = body["results"]["jobcodes"]
    assert [r["_status_code"] for r in results.values()] == [417, 417, 417, 417]
    assert "64 characters" in results["1"]["_status_extra"]
    assert results["1"]["name"] == "y" * 65  # failed elements echo their input
    assert results["2"]["_status_extra"] == "name is required"
    assert results["1"]["_status_message"] == "Expectation Failed"
    assert len(api.rows("jobcodes")) == 1


def test_short_codes_are_alphanumeric_and_unique_among_siblings(api: Api) -> None:
    parent = api.jobcode("Assembly Line")
    # the official create example: same short code twice under one parent
    _status, body = api.post(
        "jobcodes",
        {
            "name": "Customer1",
            "parent_id": str(parent["id"]),
            "short_code": "c1",
            "billable": "yes",
            "assigned_to_all": "yes",
            "billable_rate": "37.50",
        },
        {
            "name": "Customer2",
            "parent_id": str(parent["id"]),
            "short_code": "c1",
            "billable": "no",
            "assigned_to_all": "no",
            "billable_rate": "37.50",
        },
    )
    results = body["results"]["jobcodes"]
    assert results["1"]["_status_code"] == 200 and results["1"]["assigned_to_all"] is True
    assert results["2"] == {
        "_status_code": 417,
        "_status_message": "Expectation Failed",
        "_status_extra": "Oops! That Short Code is already in use",
        "name": "Customer2",
        "parent_id": str(parent["id"]),
        "short_code": "c1",
    }
    assert body["supplemental_data"]["jobcodes"][str(parent["id"])]["has_children"] is True
    assert api.jobcode("Customer3", short_code="C1")["short_code"] == "C1"  # other parent
    element = api.one("jobcodes", {"name": "Bad", "short_code": "c-1"})
    assert element["_status_code"] == 417 and "letters and numbers" in element["_status_extra"]


def test_jobcode_types_parents_and_write_once_type(api: Api) -> None:
    parent = api.jobcode("Parent")
    results = api.post(
        "jobcodes",
        {"name": "Leave", "type": "pto", "parent_id": parent["id"]},
        {"name": "Lunch", "type": "paid_break"},
        {"name": "Nap", "type": "unpaid_break"},
        {"name": "Odd", "type": "weird"},
        {"name": "Orphan", "parent_id": 999999},
        {"name": "Long Service Leave", "type": "pto"},
    )[1]["results"]["jobcodes"]
    assert [r["_status_code"] for r in results.values()] == [417, 417, 417, 417, 417, 200]
    assert "top level" in results["1"]["_status_extra"]
    assert "Breaks Add-On" in results["2"]["_status_extra"]
    assert "doesn't exist" in results["5"]["_status_extra"]
    pto = results["6"]
    assert pto["type"] == "pto" and pto["parent_id"] == 0
    # every user gets a balance for the new time-off code
    admin = api.rows("users")[str(api.admin_id)]
    assert admin["pto_balances"][str(pto["id"])] == 0
    # nothing can hang under a pto code
    element = api.one("jobcodes", {"name": "Sub", "parent_id": pto["id"]})
    assert element["_status_code"] == 417
    # type is write-once
    element = api.one("jobcodes", {"id": parent["id"], "type": "pto"}, method="PUT")
    assert element["_status_code"] == 417 and "type" in element["_status_extra"]
    element = api.one(
        "jobcodes", {"id": parent["id"], "type": "regular", "name": "Parent 2"}, method="PUT"
    )
    assert element["_status_code"] == 200 and element["name"] == "Parent 2"


def test_read_only_and_unknown_fields_on_put_are_refused(api: Api) -> None:
    jc = api.jobcode("Acme")
    for field, value in (
        ("has_children", False),
        ("geofence_config_id", 0),
        ("last_modified", jc["last_modified"]),
        ("locations", []),
        ("colour", "red"),
    ):
        element = api.one(
            "jobcodes", {"id": jc["id"], "name": "Changed", field: value}, method="PUT"
        )
        assert element["_status_code"] == 417
        assert element["_status_extra"] == f"Invalid param(s): {field}"
    assert api.rows("jobcodes")[str(jc["id"])]["name"] == "Acme"
    element = api.one("jobcodes", {"id": 123, "name": "Nobody"}, method="PUT")
    assert element["_status_code"] == 417
    element = api.one("jobcodes", {"name": "No id"}, method="PUT")
    assert element["_status_code"] == 417 and element["_status_extra"] == "id is required"


def test_archive_cascades_to_children_and_drops_assignments(api: Api) -> None:
    worker = api.user("worker")
    top = api.jobcode("Top", assigned_to_all=True)
    mid = api.jobcode("Mid", parent_id=top["id"])
    leaf = api.jobcode("Leaf", parent_id=mid["id"])
    other = api.jobcode("Other")
    api.ok(
        "jobcode_assignments",
        {"user_id": worker["id"], "jobcode_id": mid["id"]},
        {"user_id": worker["id"], "jobcode_id": other["id"]},
    )
    assigned = api.rows("jobcode_assignments", active="yes")
    assert {(r["user_id"], r["jobcode_id"]) for r in assigned.values()} >= {
        (0, top["id"]),
        (worker["id"], mid["id"]),
        (worker["id"], leaf["id"]),
        (worker["id"], other["id"]),
    }
    api.clock.advance(30)
    element = api.one("jobcodes", {"id": top["id"], "active": False}, method="PUT")
    assert element["active"] is False and element["assigned_to_all"] is False
    jobcodes = api.rows("jobcodes", active="both")
    for jc in (top, mid, leaf):
        row = jobcodes[str(jc["id"])]
        assert row["active"] is False
        assert row["last_modified"] == iso_offset(START + 30)
    assert jobcodes[str(other["id"])]["active"] is True
    rows = api.rows("jobcode_assignments")  # default active=both
    for row in rows.values():
        expected = row["jobcode_id"] in (other["id"],) or row["jobcode_id"] not in (
            top["id"],
            mid["id"],
            leaf["id"],
        )
        assert row["active"] is expected, row
    assert not api.rows("jobcode_assignments", active="yes", jobcode_id=str(leaf["id"]))
    # archived jobcodes can't be assigned
    element = api.one("jobcode_assignments", {"user_id": worker["id"], "jobcode_id": leaf["id"]})
    assert element["_status_code"] == 417 and "archived" in element["_status_extra"]


def test_archived_jobcode_edit_refused_restore_and_rename_in_one_row(api: Api) -> None:
    top = api.jobcode("Top")
    child = api.jobcode("Child", parent_id=top["id"])
    api.ok("jobcodes", {"id": top["id"], "active": "no"}, method="PUT")
    element = api.one("jobcodes", {"id": child["id"], "name": "Renamed"}, method="PUT")
    assert element["_status_code"] == 417 and "archived" in element["_status_extra"]
    # restating the archived state is no edit
    assert (
        api.one("jobcodes", {"id": child["id"], "active": False}, method="PUT")["_status_code"]
        == 200
    )
    element = api.one(
        "jobcodes", {"id": child["id"], "name": "Renamed", "active": True}, method="PUT"
    )
    assert (
        element["_status_code"] == 200
        and element["name"] == "Renamed"
        and element["active"] is True
    )
    # restoring a child restores its parents, not its siblings or children
    assert api.rows("jobcodes", ids=str(top["id"]))[str(top["id"])]["active"] is True


def test_default_jobcode_filters_hide_archived_and_pto(api: Api) -> None:
    live = api.jobcode("Live Customer")
    gone = api.jobcode("Gone Customer")
    api.ok("jobcodes", {"id": gone["id"], "active": False}, method="PUT")
    names = {j["name"] for j in api.rows("jobcodes").values()}
    assert names == {"Live Customer"}
    everything = {j["name"] for j in api.rows("jobcodes", active="both", type="all").values()}
    assert everything == {"Live Customer", "Gone Customer", "Sick", "Vacation", "Holiday"}
    assert {j["name"] for j in api.rows("jobcodes", type="pto").values()} == {
        "Sick",
        "Vacation",
        "Holiday",
    }
    assert {j["name"] for j in api.rows("jobcodes", active="no").values()} == {"Gone Customer"}
    child = api.jobcode("Job 1", parent_id=live["id"])
    assert set(api.rows("jobcodes", parent_ids="0")) == {str(live["id"])}
    assert set(api.rows("jobcodes", parent_ids=str(live["id"]))) == {str(child["id"])}
    assert len(api.rows("jobcodes", parent_ids="-1")) == 2
    # name: * is a wildcard, matched from the start, case-insensitively
    assert {j["name"] for j in api.rows("jobcodes", name="live*").values()} == {"Live Customer"}
    assert api.rows("jobcodes", name="Customer") == []
    assert {j["name"] for j in api.rows("jobcodes", name="*Customer", active="both").values()} == {
        "Live Customer",
        "Gone Customer",
    }
    # the child's parent comes along in supplemental_data
    _status, body = api.get("jobcodes", ids=str(child["id"]))
    assert str(live["id"]) in body["supplemental_data"]["jobcodes"]
    _status, body = api.get("jobcodes", ids=str(child["id"]), supplemental_data="no")
    assert "supplemental_data" not in body


def test_wrongly_typed_filters_are_417(api: Api) -> None:
    for endpoint, params in (
        ("jobcodes", {"ids": "1,abc"}),
        ("jobcodes", {"active": "maybe"}),
        ("jobcodes", {"type": "holiday"}),
        ("jobcodes", {"parent_ids": "x"}),
        ("jobcodes", {"modified_since": "yesterday"}),
        ("jobcodes", {"modified_since": "2024-01-01T00:00:00"}),  # no offset
        ("jobcodes", {"modified_since": "2024-01-01T00:00:00 00:00"}),  # unencoded "+"
        ("jobcodes", {"supplemental_data": "maybe"}),
        ("jobcodes", {"customfields": "perhaps"}),
        ("users", {"ids": "1;2"}),
        ("users", {"active": "true"}),
        ("jobcode_assignments", {"jobcode_id": "abc"}),
        ("customfields", {"applies_to": "things"}),
        ("customfields", {"value_type": "list"}),
        ("locations", {"geocoding_status": "done"}),
        ("locations", {"by_jobcode_assignment": "sure"}),
        ("timesheets", {"start_date": "01/02/2024"}),
        ("last_modified_timestamps", {"endpoints": "jobcodes,bananas"}),
        ("jobcodes", {"page": "0"}),
        ("jobcodes", {"page": "two"}),
    ):
        status, body = api.get(endpoint, **params)
        assert status == 417, (endpoint, params, body)
        assert error_of(body, 417).startswith("Expectation Failed: ")


def test_paging_limit_more_and_per_page(api: Api) -> None:
    for start in range(0, 205, 41):
        api.ok(
            "jobcodes", *({"name": f"Customer {i:03d}"} for i in range(start, min(start + 41, 205)))
        )
    status, body = api.get("jobcodes")
    assert len(body["results"]["jobcodes"]) == 200 and body["more"] is True
    status, body = api.get("jobcodes", page=2)
    assert len(body["results"]["jobcodes"]) == 5 and body["more"] is False
    status, body = api.get("jobcodes", page=3)
    assert body["results"]["jobcodes"] == [] and body["more"] is False
    seen: list[str] = []
    page = 1
    while True:
        status, body = api.get("jobcodes", limit=60, page=page)
        assert status == 200
        seen += list(body["results"]["jobcodes"])
        if not body["more"]:
            break
        page += 1
    assert page == 4 and len(seen) == len(set(seen)) == 205
    assert len(api.rows("jobcodes", limit=1)) == 1
    assert len(api.rows("jobcodes", limit=200)) == 200
    for bad in ("0", "201", "-5", "ten", "1.5"):
        status, body = api.get("jobcodes", limit=bad)
        assert status == 417, bad
        assert "limit" in error_of(body, 417)
    # per_page is deprecated: capped at 50, and limit wins when both are given
    assert len(api.rows("jobcodes", per_page=500)) == 50
    assert len(api.rows("jobcodes", per_page=7)) == 7
    assert len(api.rows("jobcodes", per_page=7, limit=9)) == 9


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(min_value=0, max_value=45), limit=st.integers(min_value=1, max_value=200))
def test_paging_property_every_row_exactly_once(tmp_path: Path, count: int, limit: int) -> None:
    state = blank_qbtime_state(TOKEN, START)
    template = {**state["jobcodes"][0], "type": "regular", "assigned_to_all": False}
    state["jobcodes"] = [{**template, "id": 10_000 + 7 * i, "name": f"C{i}"} for i in range(count)]
    state["jobcode_assignments"] = []
    api = Api(tmp_path / f"p{count}-{limit}", state=state)
    seen: list[str] = []
    for page in range(1, 100):
        status, body = api.get("jobcodes", limit=limit, page=page)
        assert status == 200
        rows = list(body["results"]["jobcodes"])
        assert len(rows) <= limit
        seen += rows
        assert body["more"] is (len(seen) < count)
        if not body["more"]:
            break
    assert seen == [str(10_000 + 7 * i) for i in range(count)]  # ordered by id, no repeats


def test_modified_since_and_before(api: Api) -> None:
    old = api.jobcode("Old")
    api.clock.advance(3600)
    new = api.jobcode("New")
    middle = "2025-06-15T15:36:40+00:00"  # between START and START + 3600 (START = 14:26:40Z)
    assert iso_offset(START) < middle < iso_offset(START + 3600)
    assert set(api.rows("jobcodes", modified_since=middle)) == {str(new["id"])}
    assert set(api.rows("jobcodes", modified_before=middle)) == {str(old["id"])}
    # offsets are honoured: the same instant written in another zone
    assert set(api.rows("jobcodes", modified_since="2025-06-15T09:36:40-06:00")) == {str(new["id"])}
    # exclusive bound: a row modified exactly at the instant is not "since" it
    assert api.rows("jobcodes", modified_since=new["last_modified"]) == []


def test_dial_in_add_on_makes_short_codes_digits_only(tmp_path: Path) -> None:
    state = blank_qbtime_state(TOKEN, START)
    state["effective_settings"] = {
        "general": {"settings": {"jc_label": "Project"}, "last_modified": iso_offset(START)},
        "dialin": {"settings": {"installed": "1"}, "last_modified": iso_offset(START)},
    }
    api = Api(tmp_path, state=state)
    element = api.one("jobcodes", {"name": "Letters", "short_code": "abc"})
    assert element["_status_code"] == 417 and "digits" in element["_status_extra"]
    assert api.one("jobcodes", {"name": "Digits", "short_code": "123"})["_status_code"] == 200
    settings_ = api.get("effective_settings")[1]["results"]["effective_settings"]
    assert settings_["general"]["settings"]["jc_label"] == "Project"


# ============================================================== jobcode assignments
def test_assignments_user_zero_is_assigned_to_all_and_parents_cascade(api: Api) -> None:
    worker = api.user("worker")
    top = api.jobcode("Top")
    child = api.jobcode("Child", parent_id=top["id"])
    element = api.one("jobcode_assignments", {"user_id": "0", "jobcode_id": str(top["id"])})
    assert element["_status_code"] == 200 and element["user_id"] == 0 and element["active"] is True
    assert api.rows("jobcodes", ids=str(top["id"]))[str(top["id"])]["assigned_to_all"] is True
    again = api.one("jobcode_assignments", {"user_id": 0, "jobcode_id": top["id"]})
    assert again["_status_code"] == 417 and "already assigned" in again["_status_extra"]
    # assigned_to_all on a jobcode shows up as a user_id 0 assignment
    other = api.jobcode("Other", assigned_to_all=True)
    rows = api.rows("jobcode_assignments", jobcode_id=str(other["id"]))
    assert [(r["user_id"], r["active"]) for r in rows.values()] == [(0, True)]
    # assigning a parent assigns its children too
    element = api.one("jobcode_assignments", {"user_id": worker["id"], "jobcode_id": top["id"]})
    assert element["_status_code"] == 200
    mine = api.rows("jobcode_assignments", user_ids=str(worker["id"]), active="yes")
    assert {(r["user_id"], r["jobcode_id"]) for r in mine.values()} == {
        (worker["id"], top["id"]),
        (worker["id"], child["id"]),
        (0, top["id"]),
        (0, other["id"]),
    }
    _status, body = api.get("jobcode_assignments", user_ids=str(worker["id"]))
    assert str(worker["id"]) in body["supplemental_data"]["users"]
    assert str(top["id"]) in body["supplemental_data"]["jobcodes"]
    # type filter defaults to regular jobcodes: the default pto codes' rows are hidden
    assert len(api.rows("jobcode_assignments", type="pto")) == 3
    assert all(
        r["jobcode_id"] not in {int(k) for k in api.rows("jobcodes", type="pto")}
        for r in api.rows("jobcode_assignments").values()
    )
    # unknown user or jobcode
    results = api.post(
        "jobcode_assignments",
        {"user_id": 4242, "jobcode_id": top["id"]},
        {"user_id": worker["id"], "jobcode_id": 4242},
        {"user_id": worker["id"]},
    )[1]["results"]["jobcode_assignments"]
    assert results["1"]["_status_extra"] == "Oops! You don't have permission to manage that user"
    assert results["1"]["user_id"] == 4242
    assert [r["_status_code"] for r in results.values()] == [417, 417, 417]


def test_delete_assignments_keyed_by_id(api: Api) -> None:
    worker = api.user("worker")
    jc = api.jobcode("Job", assigned_to_all=True)
    row = api.one("jobcode_assignments", {"user_id": worker["id"], "jobcode_id": jc["id"]})
    zero = next(
        r
        for r in api.rows("jobcode_assignments", jobcode_id=str(jc["id"])).values()
        if r["user_id"] == 0
    )
    status, body, _ = api.call(
        "DELETE", "jobcode_assignments", {"ids": f"{row['id']},{zero['id']},77,"}
    )
    assert status == 200
    results = body["results"]["jobcode_assignments"]
    assert list(results) == [str(row["id"]), str(zero["id"]), "77", ""]
    assert results[str(row["id"])] == {
        "_status_code": 200,
        "_status_message": "OK, deleted",
        "id": row["id"],
    }
    assert results["77"]["_status_code"] == 417 and results[""]["_status_code"] == 417
    assert api.rows("jobcode_assignments", active="no", jobcode_id=str(jc["id"])).keys() == {
        str(row["id"]),
        str(zero["id"]),
    }
    assert api.rows("jobcodes", ids=str(jc["id"]))[str(jc["id"])]["assigned_to_all"] is False
    # deleting twice: not found; no ids at all: nothing deleted
    status, body, _ = api.call("DELETE", "jobcode_assignments", {"ids": str(row["id"])})
    assert body["results"]["jobcode_assignments"][str(row["id"])]["_status_code"] == 417
    status, body, _ = api.call("DELETE", "jobcode_assignments")
    assert status == 417


# ============================================================== users
def test_user_create_rules_and_time_tracking_default(api: Api) -> None:
    _status, body = api.post(
        "users",
        {
            "username": "joni",
            "first_name": "Joni",
            "last_name": "Smith",
            "email": "jsmith@example.com",
        },
        {
            "username": "frank",
            "first_name": "Frank",
            "last_name": "Church",
            "mobile_number": "2018675309",
            "permissions": {"time_tracking": True},
        },
        {"username": "JONI", "first_name": "Other", "last_name": "Joni"},
        {"first_name": "No", "last_name": "Username"},
        {"username": "nolast", "first_name": "No"},
        {"username": "bad", "first_name": "B", "last_name": "E", "email": "not-an-email"},
        {"username": "ro", "first_name": "R", "last_name": "O", "pay_rate": 12},
    )
    results = body["results"]["users"]
    assert [r["_status_code"] for r in results.values()] == [200, 200, 417, 417, 417, 417, 417]
    joni, frank = results["1"], results["2"]
    assert joni["permissions"]["time_tracking"] is False and joni["permissions"]["mobile"] is True
    assert frank["permissions"]["time_tracking"] is True
    assert joni["email"] == "jsmith@example.com" and frank["mobile_number"] == "2018675309"
    assert joni["active"] is True and joni["customfields"] == ""
    assert set(joni["pto_balances"]) == {str(j) for j in map(int, api.rows("jobcodes", type="pto"))}
    assert joni["company_name"] == "Demo Company" and joni["client_url"] == "democompany"
    assert results["3"]["_status_extra"] == "Oops! That username is already in use"
    assert results["4"]["_status_extra"] == "username is required"
    assert results["5"]["_status_extra"] == "last_name is required"
    assert results["7"]["_status_extra"] == "Invalid param(s): pay_rate"
    element = api.one(
        "users",
        {"username": "perm", "first_name": "P", "last_name": "Q", "permissions": {"fly": True}},
    )
    assert element["_status_extra"] == "Invalid param(s): permissions.fly"
    # payroll ids are unique company-wide
    api.user("p1", payroll_id="X-1")
    element = api.one(
        "users", {"username": "p2", "first_name": "P", "last_name": "Two", "payroll_id": "x-1"}
    )
    assert element["_status_code"] == 417 and "payroll" in element["_status_extra"]


def test_user_update_by_id_or_username_and_archive(api: Api) -> None:
    nancy = api.user("nancysmith", email="nancy@example.com")
    _status, body = api.put(
        "users",
        {"id": str(nancy["id"]), "first_name": "Nancy"},
        {"username": "nancysmith", "permissions": {"time_tracking": "yes"}},
        {"username": "ghost", "first_name": "Boo"},
        {"first_name": "Nobody"},
    )
    results = body["results"]["users"]
    assert [r["_status_code"] for r in results.values()] == [200, 200, 417, 417]
    assert results["1"]["_status_message"] == "Updated"
    assert results["2"]["permissions"]["time_tracking"] is True
    assert results["2"]["permissions"]["mobile"] is True  # other permissions kept
    assert results["2"]["email"] == "nancy@example.com"
    # rename by id; clash refused
    assert (
        api.one("users", {"id": nancy["id"], "username": "admin"}, method="PUT")["_status_code"]
        == 417
    )
    assert (
        api.one("users", {"id": nancy["id"], "username": "nancy"}, method="PUT")["username"]
        == "nancy"
    )
    # archive: no DELETE, active false; hidden by default
    assert api.call("DELETE", "users", {"ids": str(nancy["id"])})[0] == 405
    api.ok("users", {"id": nancy["id"], "active": False}, method="PUT")
    assert str(nancy["id"]) not in api.rows("users")
    assert api.rows("users", active="no")[str(nancy["id"])]["active"] is False
    assert str(nancy["id"]) in api.rows("users", active="both")


def test_user_filters(api: Api) -> None:
    a = api.user(
        "alice", first_name="Alice", last_name="Martin", payroll_id="P1", employee_number=7
    )
    b = api.user("bob", first_name="Bob", last_name="Martinez")
    assert set(api.rows("users", usernames="ALICE,bob")) == {str(a["id"]), str(b["id"])}
    assert set(api.rows("users", last_name="Martin")) == {str(a["id"])}
    assert set(api.rows("users", last_name="Martin*")) == {str(a["id"]), str(b["id"])}
    assert set(api.rows("users", payroll_ids="P1")) == {str(a["id"])}
    assert set(api.rows("users", employee_numbers="7")) == {str(a["id"])}
    assert str(api.admin_id) not in api.rows("users", not_ids=str(api.admin_id))
    assert (
        api.rows("users", email="alice@example.com").keys() == api.rows("users").keys()
    )  # no such filter


# ============================================================== custom fields & items
def test_custom_fields_at_most_six_active(api: Api) -> None:
    fields = api.ok(
        "customfields",
        *(
            {"name": f"Field {i}", "applies_to": "timesheet", "type": "managed-list"}
            for i in range(6)
        ),
    )
    assert fields[0]["ui_preference"] == "drop_down" and fields[0]["required"] is True
    assert fields[0]["show_to_all"] is True and fields[0]["regex_filter"] == ""
    element = api.one(
        "customfields", {"name": "Field 7", "applies_to": "timesheet", "type": "free-form"}
    )
    assert element["_status_code"] == 417 and "6" in element["_status_extra"]
    inactive = api.one(
        "customfields",
        {"name": "Field 7", "applies_to": "timesheet", "type": "free-form", "active": False},
    )
    assert inactive["_status_code"] == 200 and inactive["ui_preference"] == "text_box_with_suggest"
    restore = api.one("customfields", {"id": inactive["id"], "active": True}, method="PUT")
    assert restore["_status_code"] == 417
    api.ok("customfields", {"id": fields[0]["id"], "active": False}, method="PUT")
    assert (
        api.one("customfields", {"id": inactive["id"], "active": True}, method="PUT")[
            "_status_code"
        ]
        == 200
    )
    assert len(api.rows("customfields")) == 6
    assert len(api.rows("customfields", active="both")) == 7
    _status, body = api.get("effective_settings")
    assert (
        body["results"]["effective_settings"]["customfields"]["settings"][
            "maximum_allowed_timesheet_custom_fields"
        ]
        == 6
    )


def test_custom_field_create_and_update_rules(api: Api) -> None:
    results = api.post(
        "customfields",
        {"name": "Users", "applies_to": "user", "type": "free-form"},
        {"name": "No applies", "type": "free-form"},
        {"name": "No type", "applies_to": "timesheet"},
        {"name": "Bad type", "applies_to": "timesheet", "type": "checkbox"},
        {"applies_to": "timesheet", "type": "free-form"},
        {"name": "Bad code", "applies_to": "timesheet", "type": "free-form", "short_code": "a b"},
        {
            "name": "Vehicle Number",
            "required": "false",
            "active": True,
            "applies_to": "timesheet",
            "type": "managed-list",
            "show_to_all": "no",
            "short_code": "vin",
        },
    )[1]["results"]["customfields"]
    assert [r["_status_code"] for r in results.values()] == [417] * 6 + [200]
    field = results["7"]
    assert (
        field["required"] is False
        and field["show_to_all"] is False
        and field["short_code"] == "vin"
    )
    element = api.one("customfields", {"id": field["id"], "type": "free-form"}, method="PUT")
    assert element["_status_code"] == 417 and "type" in element["_status_extra"]
    element = api.one(
        "customfields", {"id": field["id"], "ui_preference": "drop_down"}, method="PUT"
    )
    assert element["_status_extra"] == "Invalid param(s): ui_preference"
    element = api.one(
        "customfields", {"id": field["id"], "name": "Vehicle", "required": True}, method="PUT"
    )
    assert (
        element["_status_code"] == 200
        and element["name"] == "Vehicle"
        and element["required"] is True
    )
    assert api.rows("customfields", applies_to="user") == []
    assert set(api.rows("customfields", value_type="managed-list")) == {str(field["id"])}


def test_custom_field_items_rules(api: Api) -> None:
    items_field, other_field = api.ok(
        "customfields",
        {"name": "Items", "applies_to": "timesheet", "type": "managed-list"},
        {"name": "Region", "applies_to": "timesheet", "type": "managed-list"},
    )
    status, body = api.get("customfielditems")
    assert status == 417 and "customfield_id" in error_of(body, 417)
    # the official create example: the second item reuses the first one's alias
    results = api.post(
        "customfielditems",
        {"name": "ServiceItem1", "customfield_id": str(items_field["id"]), "short_code": "c1"},
        {"name": "ServiceItem2", "customfield_id": str(items_field["id"]), "short_code": "c1"},
        {"name": "serviceitem1", "customfield_id": items_field["id"]},
        {"name": "Widget", "customfield_id": 31337},
        {"customfield_id": items_field["id"]},
        {"name": "Bad", "customfield_id": items_field["id"], "short_code": "b-1"},
    )[1]["results"]["customfielditems"]
    assert [r["_status_code"] for r in results.values()] == [200, 417, 417, 417, 417, 417]
    first = results["1"]
    assert first["customfield_id"] == items_field["id"] and first["active"] is True
    assert results["2"]["_status_extra"].startswith(
        'Oops! The name or alias conflicts with another item named "ServiceItem1"'
    )
    assert results["2"]["name"] == "ServiceItem2"
    assert results["3"]["_status_extra"].startswith("Oops! The name or alias conflicts")
    # same name in another field is fine; the same short code anywhere in the account is not
    same_name = api.one(
        "customfielditems", {"name": "ServiceItem1", "customfield_id": other_field["id"]}
    )
    assert same_name["_status_code"] == 200
    element = api.one(
        "customfielditems",
        {"name": "North", "customfield_id": other_field["id"], "short_code": "C1"},
    )
    assert (
        element["_status_code"] == 417
        and element["_status_extra"] == "Oops! That Short Code is already in use"
    )
    # listing needs the field; archived items hidden by default
    api.ok(
        "customfielditems",
        {"id": first["id"], "customfield_id": items_field["id"], "active": False},
        method="PUT",
    )
    assert api.rows("customfielditems", customfield_id=items_field["id"]) == []
    status, body = api.get("customfielditems", customfield_id=items_field["id"], active="both")
    assert set(body["results"]["customfielditems"]) == {str(first["id"])}
    assert str(items_field["id"]) in body["supplemental_data"]["customfields"]
    element = api.one(
        "customfielditems", {"id": first["id"], "customfield_id": other_field["id"]}, method="PUT"
    )
    assert element["_status_code"] == 417
    element = api.one(
        "customfielditems",
        {"id": first["id"], "name": "Porsche", "short_code": "por", "active": True},
        method="PUT",
    )
    assert element["_status_code"] == 200 and element["name"] == "Porsche"
    assert set(api.rows("customfielditems", customfield_id=items_field["id"], name="por*")) == {
        str(first["id"])
    }


# ============================================================== locations
def test_locations_create_link_unlink_and_map(api: Api) -> None:
    jc = api.jobcode("Gutter Cleaning")
    _status, body = api.post(
        "locations",
        {
            "addr1": "235 E Colchester Dr",
            "addr2": "101",
            "city": "Eagle",
            "state": "ID",
            "zip": 83616,
            "country": "US",
            "formatted_address": "ignored",
            "label": "HQ",
            "notes": "Front door",
            "linked_objects": {"jobcodes": [jc["id"]]},
        },
        {"label": "Only a label"},
        {"city": "Boise", "linked_objects": {"jobcodes": [4242]}},
        {"city": "Boise", "geocoding_status": "complete"},
    )
    results = body["results"]["locations"]
    assert [r["_status_code"] for r in results.values()] == [200, 417, 417, 417]
    loc = results["1"]
    assert loc["zip"] == "83616" and loc["geocoding_status"] == "none"
    assert loc["latitude"] == 0 and loc["longitude"] == 0
    assert loc["formatted_address"] == "235 E Colchester Dr 101, Eagle, ID 83616"
    assert loc["linked_objects"] == {"jobcodes": [jc["id"]]}
    assert loc["geofence_config_id"] is None
    assert str(jc["id"]) in body["supplemental_data"]["jobcodes"]
    assert results["4"]["_status_extra"] == "Invalid param(s): geocoding_status"
    assert api.rows("jobcodes")[str(jc["id"])]["locations"] == [loc["id"]]
    maps = api.rows("locations_map")
    assert [(m["x_table"], m["x_id"], m["location_id"]) for m in maps.values()] == [
        ("job_codes", jc["id"], loc["id"])
    ]
    # relink to another jobcode, then unlink with an empty list
    jc2 = api.jobcode("Window Cleaning")
    api.ok(
        "locations", {"id": loc["id"], "linked_objects": {"jobcodes": [jc2["id"]]}}, method="PUT"
    )
    assert api.rows("jobcodes")[str(jc["id"])]["locations"] == []
    assert [m["x_id"] for m in api.rows("locations_map").values()] == [jc2["id"]]
    element = api.one(
        "locations", {"id": loc["id"], "linked_objects": {"jobcodes": []}}, method="PUT"
    )
    assert element["linked_objects"] == {}
    assert api.rows("locations_map") == []
    assert api.rows("jobcodes")[str(jc2["id"])]["locations"] == []


def test_locations_by_jobcode_assignment(api: Api) -> None:
    mine = api.jobcode("Mine", assigned_to_all=True)
    theirs = api.jobcode("Theirs")
    near = api.one("locations", {"city": "Near", "linked_objects": {"jobcodes": [mine["id"]]}})
    api.one("locations", {"city": "Far", "linked_objects": {"jobcodes": [theirs["id"]]}})
    api.one("locations", {"city": "Nowhere"})
    assert len(api.rows("locations")) == 3
    assert set(api.rows("locations", by_jobcode_assignment="true")) == {str(near["id"])}
    assert set(api.rows("locations_map", by_jobcode_assignment="true")) == {
        k for k, m in api.rows("locations_map").items() if m["location_id"] == near["id"]
    }


def test_archived_location_not_editable_unless_restored_in_the_row(api: Api) -> None:
    loc = api.one("locations", {"addr1": "7 Any Street", "city": "Meridian"})
    api.ok("locations", {"id": loc["id"], "active": False}, method="PUT")
    assert api.rows("locations") == []
    element = api.one("locations", {"id": loc["id"], "addr1": "8 Any Street"}, method="PUT")
    assert element["_status_code"] == 417 and "archived" in element["_status_extra"]
    element = api.one(
        "locations", {"id": loc["id"], "addr1": "8 Any Street", "active": True}, method="PUT"
    )
    assert (
        element["_status_code"] == 200 and element["formatted_address"] == "8 Any Street, Meridian"
    )
    element = api.one("locations", {"id": loc["id"], "addr1": "", "city": ""}, method="PUT")
    assert element["_status_code"] == 417  # an address must remain


# ============================================================== the rest
def test_current_user_effective_settings_and_last_modified(api: Api) -> None:
    _status, body = api.get("current_user")
    user = body["results"]["users"][str(api.admin_id)]
    assert user["permissions"]["admin"] is True and body["more"] is False
    pto = body["supplemental_data"]["jobcodes"]
    assert {j["name"] for j in pto.values()} == {"Sick", "Vacation", "Holiday"}
    assert all(j["type"] == "pto" for j in pto.values())
    _status, body = api.get("effective_settings")
    settings = body["results"]["effective_settings"]
    assert settings["general"]["settings"]["jc_label"] == "Job"
    assert set(body) == {"results"}
    _status, body = api.get("last_modified_timestamps", endpoints="jobcodes,users")
    stamps = body["results"]["last_modified_timestamps"]
    assert set(stamps) == {"jobcodes", "users"}
    assert stamps["jobcodes"] == iso_offset(START)
    api.clock.advance(120)
    api.jobcode("Later")
    stamps = api.get("last_modified_timestamps")[1]["results"]["last_modified_timestamps"]
    assert stamps["jobcodes"] == iso_offset(START + 120)
    assert stamps["users"] == iso_offset(START)
    assert len(stamps) == 13


def test_timesheets_need_a_selecting_filter(tmp_path: Path) -> None:
    state = blank_qbtime_state(TOKEN, START)
    sick = state["jobcodes"][0]
    state["timesheets"] = [
        {
            "id": 135288482,
            "user_id": state["current_user_id"],
            "jobcode_id": sick["id"],
            "start": "",
            "end": "",
            "duration": 28800,
            "date": "2025-06-16",
            "tz": 0,
            "tz_str": "",
            "type": "manual",
            "location": "",
            "on_the_clock": False,
            "locked": 0,
            "notes": "",
            "customfields": {},
            "attached_files": [],
            "last_modified": iso_offset(START),
        }
    ]
    api = Api(tmp_path, state=state)
    status, body = api.get("timesheets")
    assert status == 417 and "start_date" in error_of(body, 417)
    assert set(api.rows("timesheets", start_date="2025-06-01")) == {"135288482"}
    assert api.rows("timesheets", start_date="2025-06-17") == []
    assert set(api.rows("timesheets", ids="135288482", jobcode_type="pto")) == {"135288482"}
    assert api.rows("timesheets", ids="135288482", jobcode_type="regular") == []
    status, body = api.get("timesheets", ids="135288482")
    assert str(sick["id"]) in body["supplemental_data"]["jobcodes"]


def test_company_file_without_derived_rows_is_normalized(tmp_path: Path) -> None:
    state = blank_qbtime_state(TOKEN, START)
    state["jobcode_assignments"] = []
    del state["locations_map"]
    jc = {
        **state["jobcodes"][0],
        "id": 5000,
        "type": "regular",
        "name": "Linked",
        "assigned_to_all": False,
        "locations": [6000],
    }
    state["jobcodes"].append(jc)
    state["locations"] = [
        {
            "id": 6000,
            "addr1": "1 Road",
            "addr2": "",
            "city": "Town",
            "state": "",
            "zip": "",
            "formatted_address": "1 Road, Town",
            "country": "NZ",
            "active": True,
            "latitude": 0,
            "longitude": 0,
            "place_id": "",
            "place_id_hash": "",
            "label": "",
            "notes": "",
            "geocoding_status": "none",
            "created": iso_offset(START),
            "last_modified": iso_offset(START),
            "linked_objects": {"jobcodes": [5000]},
            "geofence_config_id": None,
        }
    ]
    api = Api(tmp_path, state=state)
    rows = api.rows("jobcode_assignments", type="all")
    assert sorted(r["jobcode_id"] for r in rows.values() if r["user_id"] == 0) == sorted(
        j["id"] for j in state["jobcodes"] if j["type"] == "pto"
    )
    maps = list(api.rows("locations_map").values())
    assert [(m["x_id"], m["location_id"]) for m in maps] == [(5000, 6000)]


def test_a_state_dir_written_in_one_file_still_loads(tmp_path: Path) -> None:
    """State dirs from before the split (company.json holding the "qbtime" part too)."""
    from core.sandbox.server import DEMO_COMPANY_FILE

    data = json.loads(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))
    data["qbtime"]["jobcodes"][0]["name"] = "Changed before the upgrade"
    state = tmp_path / "state"
    state.mkdir()
    (state / COMPANY_FILE).write_text(json.dumps(data), encoding="utf-8")
    store = CompanyStore.load(DEMO_COMPANY_FILE, state)
    assert store.data == data
    assert json.loads((state / QBTIME_STATE_FILE).read_text()) == data["qbtime"]
    assert "qbtime" not in json.loads((state / COMPANY_FILE).read_text())
    assert CompanyStore.load(DEMO_COMPANY_FILE, state).data == data


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=40)
        | st.dictionaries(st.text(max_size=5), children, max_size=40)
    ),
    max_leaves=400,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_values)
def test_state_files_are_the_same_json_as_one_dumps_call(value) -> None:
    """The simulators write their state in pieces (the wizard's window shares the process):
    the text is exactly what one compact json.dumps makes."""
    from core.sandbox.common import _json_chunks

    assert "".join(_json_chunks(value)) == json.dumps(
        value, ensure_ascii=False, separators=(",", ":")
    )


# ============================================================== hours (issue 13)
DEMO_FILE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "company.json"
SYDNEY = ZoneInfo("Australia/Sydney")


def at_sydney(day: str, hour: int = 12) -> float:
    """A clock reading: noon of ``day`` in Sydney."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SYDNEY).timestamp()


class DemoApi(Api):
    """The committed Demo Company's QB Time account on a clock pinned to ``now``."""

    def __init__(self, tmp_path: Path, now: float, *, state_dir: Path | None = None) -> None:
        self.clock = ManualClock(now)
        self.state_dir = state_dir or tmp_path / "state"
        self.store = CompanyStore.load(DEMO_FILE, self.state_dir)
        self.sim = QBTimeSimulator(self.store, self.clock)
        self.client = Client(self.wsgi)
        self.token = self.store.qbtime["token"]

    def call(
        self,
        method: str,
        endpoint: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        content_type: str | None = "application/json",
    ) -> tuple[int, Any, Any]:
        return super().call(
            method,
            endpoint,
            params,
            body,
            token=token or self.token,
            raw=raw,
            content_type=content_type,
        )

    def user(self, username: str, **fields: Any) -> dict[str, Any]:  # by name here
        first, last = username.split(" ", 1)
        return next(
            u
            for u in self.store.qbtime["users"]
            if (u["first_name"], u["last_name"]) == (first, last)
        )

    def code(self, name: str) -> dict[str, Any]:
        return next(j for j in self.store.qbtime["jobcodes"] if j["name"] == name)


@pytest.fixture
def demo(tmp_path: Path) -> DemoApi:
    return DemoApi(tmp_path, at_sydney("2026-12-03"))  # shift 0: dates as in the file


def test_demo_shift_days_steps_of_14_keep_hours_in_the_last_ended_period() -> None:
    assert demo_shift_days(date(2026, 11, 30)) == 0  # the day after the later periods
    assert demo_shift_days(date(2026, 12, 6)) == 0  # a week on: still them
    assert demo_shift_days(date(2026, 12, 7)) == 14  # then the earlier ones, moved
    assert demo_shift_days(date(2026, 11, 23)) == 0  # inside the later AU week
    assert demo_shift_days(date(2026, 11, 22)) == -14
    assert demo_shift_days(date(2027, 6, 1)) % 14 == 0
    # a clock reading is read in Sydney: 2026-12-06 14:00 UTC is already the 7th there
    assert demo_shift_days(datetime(2026, 12, 6, 14, tzinfo=UTC).timestamp()) == 14
    assert demo_shift_days(datetime(2026, 12, 6, 12, tzinfo=UTC).timestamp()) == 0


def last_ended(today: date, first_start: date, length: int) -> tuple[str, str]:
    """The last period of ``length`` days (aligned on ``first_start``) that ended before today."""
    steps = (today - first_start).days // length
    start = first_start + timedelta(days=(steps - 1) * length)
    return start.isoformat(), (start + timedelta(days=length - 1)).isoformat()


@pytest.mark.parametrize("offset", range(0, 28, 3))
def test_default_period_always_holds_approved_hours(tmp_path: Path, offset: int) -> None:
    today = date(2027, 2, 1) + timedelta(days=offset)
    api = DemoApi(tmp_path, at_sydney(today.isoformat()))
    shift = api.store.qbtime["demo_shift_days"]
    assert shift == demo_shift_days(today) and shift % 14 == 0
    for zone, first, length, person in (
        ("AU", date(2026, 11, 16), 7, "Olivia Brown"),
        ("UK", date(2026, 11, 2), 14, "Oliver Hughes"),
    ):
        start, end = last_ended(today, first, length)
        user = api.user(person)
        rows = api.rows(
            "timesheets",
            start_date=start,
            end_date=end,
            user_ids=user["id"],
            jobcode_type="regular",
        )
        assert rows, (zone, start, end)
        assert all(r["date"] <= user["approved_to"] for r in rows.values())


def test_first_start_moves_every_date_once_and_records_it(tmp_path: Path) -> None:
    original = json.loads(DEMO_FILE.read_text("utf-8"))["qbtime"]
    api = DemoApi(tmp_path, at_sydney("2027-04-20"))  # across the end of Sydney's DST
    qb = api.store.qbtime
    days = qb["demo_shift_days"]
    assert days == demo_shift_days(date(2027, 4, 20)) and days > 0
    saved = json.loads((api.state_dir / QBTIME_STATE_FILE).read_text("utf-8"))
    assert saved["demo_shift_days"] == days, "recorded at once, before any write"
    before = {t["id"]: t for t in original["timesheets"]}
    for ts in qb["timesheets"]:
        old = before[ts["id"]]
        assert date.fromisoformat(ts["date"]) - date.fromisoformat(old["date"]) == timedelta(
            days=days
        )
        if old["start"]:
            moved = datetime.fromisoformat(ts["start"])
            assert moved.time() == datetime.fromisoformat(old["start"]).time()  # wall clock kept
            assert moved.utcoffset() == moved.astimezone(ZoneInfo(ts["tz_str"])).utcoffset()
            assert ts["tz"] * 3600 == moved.utcoffset().total_seconds()
    assert {t["tz"] for t in qb["timesheets"] if t["tz_str"] == "Australia/Sydney"} == {10}
    users = {u["id"]: u for u in original["users"]}
    for user in qb["users"]:
        if users[user["id"]]["approved_to"] == "2000-01-01":
            assert user["approved_to"] == "2000-01-01"
        else:
            assert (
                date.fromisoformat(user["approved_to"])
                - date.fromisoformat(users[user["id"]]["approved_to"])
            ).days == days
    entries = {e["id"]: e for e in original["time_off_request_entries"]}
    for entry in qb["time_off_request_entries"]:
        assert (
            date.fromisoformat(entry["date"]) - date.fromisoformat(entries[entry["id"]]["date"])
        ).days == days
        assert entry["start_time"][:10] == entry["date"]
    # a restart on another day keeps the dates it has
    again = DemoApi(tmp_path, at_sydney("2027-09-01"), state_dir=api.state_dir)
    assert again.store.qbtime["demo_shift_days"] == days
    assert again.store.qbtime["timesheets"] == qb["timesheets"]


def test_a_state_without_the_marker_keeps_its_dates(tmp_path: Path) -> None:
    state = blank_qbtime_state(TOKEN, START)
    state["users"][0]["approved_to"] = "2025-06-01"
    api = Api(tmp_path, state=state)
    assert "demo_shift_days" not in api.store.qbtime
    assert api.store.qbtime["users"][0]["approved_to"] == "2025-06-01"


def test_timesheet_filters_on_the_demo_hours(demo: DemoApi) -> None:
    olivia, noah = demo.user("Olivia Brown"), demo.user("Noah Williams")
    week = {"start_date": "2026-11-16", "end_date": "2026-11-29"}
    mine = demo.rows("timesheets", user_ids=olivia["id"], **week)
    assert mine and all(
        r["user_id"] == olivia["id"] and not r["on_the_clock"] for r in mine.values()
    )
    open_ = demo.rows("timesheets", user_ids=olivia["id"], on_the_clock="yes", **week)
    assert len(open_) == 1 and next(iter(open_.values()))["end"] == ""
    both = demo.rows("timesheets", user_ids=olivia["id"], on_the_clock="both", **week)
    assert set(both) == set(mine) | set(open_)
    pto = demo.rows("timesheets", jobcode_type="pto", **week)
    assert {r["jobcode_id"] for r in pto.values()} == {
        demo.code("Annual Leave")["id"],
        demo.code("Holiday")["id"],
    }
    unpaid = demo.rows("timesheets", jobcode_type="unpaid_time_off", **week)
    assert {(r["user_id"], r["date"]) for r in unpaid.values()} == {(noah["id"], "2026-11-18")}
    regular = demo.rows("timesheets", jobcode_type="regular", **week)
    assert not set(regular) & (set(pto) | set(unpaid))
    # jobcode_ids takes the children too
    nbc = demo.code("Northern Beaches Council")
    children = {j["id"] for j in demo.store.qbtime["jobcodes"] if j["parent_id"] == nbc["id"]}
    on_nbc = demo.rows("timesheets", jobcode_ids=nbc["id"], start_date="2026-11-01")
    direct = [t for t in demo.store.qbtime["timesheets"] if t["jobcode_id"] in children]
    assert direct and set(on_nbc) == {str(t["id"]) for t in direct}
    status, body = demo.get("timesheets", start_date="2026-11-01", payroll_ids="nobody")
    assert status == 200 and body["results"]["timesheets"] == []
    assert demo.rows("timesheets", start_date="2026-11-01", group_ids=99) == []
    assert demo.rows("timesheets", start_date="2026-11-01", group_ids=0)
    assert demo.rows("timesheets", ids=next(iter(mine)))
    # modified_since alone selects too; paging keeps every row once
    assert demo.rows("timesheets", modified_since="2026-11-01T00:00:00+00:00")
    seen: list[str] = []
    page = 1
    while True:
        status, body = demo.get("timesheets", start_date="2026-11-01", limit=37, page=page)
        seen += list(body["results"]["timesheets"])
        if not body["more"]:
            break
        page += 1
    assert (
        len(seen)
        == len(set(seen))
        == sum(1 for t in demo.store.qbtime["timesheets"] if not t["on_the_clock"])
    )


def test_timesheet_supplemental_data(demo: DemoApi) -> None:
    olivia = demo.user("Olivia Brown")
    _status, body = demo.get("timesheets", user_ids=olivia["id"], start_date="2026-11-16")
    sup = body["supplemental_data"]
    assert set(sup) == {"users", "jobcodes", "customfields"}
    assert set(sup["users"]) == {str(olivia["id"])}
    jobcodes = sup["jobcodes"]
    for row in body["results"]["timesheets"].values():
        job = jobcodes[str(row["jobcode_id"])]
        if job["parent_id"]:
            assert str(job["parent_id"]) in jobcodes, "the parent comes along"
        assert set(row["customfields"]) <= set(sup["customfields"])
    _status, body = demo.get(
        "timesheets", user_ids=olivia["id"], start_date="2026-11-16", supplemental_data="no"
    )
    assert "supplemental_data" not in body


def test_timesheet_required_filter_and_bad_values(demo: DemoApi) -> None:
    for params in ({}, {"end_date": "2026-11-29"}, {"user_ids": "1"}):
        status, body = demo.get("timesheets", **params)
        assert status == 417 and "one of ids, start_date" in error_of(body, 417)
    for params in (
        {"start_date": "2026-11-01", "on_the_clock": "maybe"},
        {"start_date": "2026-11-01", "jobcode_type": "overtime"},
        {"start_date": "2026-11-01", "limit": "201"},
        {"modified_since": "2026-11-01"},
    ):
        assert demo.get("timesheets", **params)[0] == 417, params


def test_every_empty_list_is_an_empty_json_list(demo: DemoApi) -> None:
    """The service writes an empty map as [] (third-party clients' finding); the product's
    reader takes both."""
    cases = {
        "users": {"ids": "2"},
        "jobcodes": {"ids": "1"},
        "jobcode_assignments": {"user_ids": "5"},
        "customfields": {"ids": "1"},
        "customfielditems": {"customfield_id": "1"},
        "locations": {"ids": "1"},
        "locations_map": {"ids": "1"},
        "timesheets": {"start_date": "2031-01-01"},
        "timesheets_deleted": {"start_date": "2031-01-01"},
        "time_off_requests": {"ids": "1"},
        "time_off_request_entries": {"ids": "1"},
    }
    for kind, params in cases.items():
        status, body = demo.get(kind, **params)
        assert status == 200, (kind, body)
        if kind == "jobcode_assignments":
            continue  # user_id 0 rows (assigned to all) always come along
        assert body["results"][kind] == [] and body["more"] is False, kind
        assert results_of(body, kind) == []
    assert results_of({"results": {"timesheets": {}}}, "timesheets") == []


def test_timesheet_writes_follow_the_service_rules(demo: DemoApi) -> None:
    olivia = demo.user("Noah Williams")  # (Olivia's open shift would overlap these)
    parents = {j["id"] for j in demo.store.qbtime["jobcodes"] if j["has_children"]}
    assigned = next(
        a["jobcode_id"]
        for a in demo.store.qbtime["jobcode_assignments"]
        if a["user_id"] == olivia["id"] and a["active"] and a["jobcode_id"] not in parents
    )
    items_cf = next(f for f in demo.store.qbtime["customfields"] if f["name"] == "Service Item")
    base = {"user_id": olivia["id"], "jobcode_id": assigned, "type": "regular"}
    status, body = demo.post(
        "timesheets",
        {
            **base,
            "start": "2026-12-01T08:00:00+11:00",
            "end": "2026-12-01T12:30:00+11:00",
            "customfields": {str(items_cf["id"]): "hedge trimming (per hour)"},
        },
        {
            **base,
            "type": "manual",
            "date": "2026-12-02",
            "duration": "15552",
            "notes": "site visit",
        },
        {**base, "start": "2026-12-01T12:00:00+11:00", "end": "2026-12-01T13:00:00+11:00"},
        {**base, "start": "2026-12-03T07:00:00+11:00"},
        {**base, "start": "2026-12-04T07:00:00+11:00"},
        {
            **base,
            "jobcode_id": demo.code("Northern Beaches Council")["id"],
            "start": "2026-12-05T07:00:00+11:00",
            "end": "2026-12-05T08:00:00+11:00",
        },
        {**base, "start": "2026-12-06T07:00:00+11:00", "end": "2026-12-06T06:00:00+11:00"},
        {
            **base,
            "customfields": {str(items_cf["id"]): "Not an item"},
            "start": "2026-12-07T07:00:00+11:00",
            "end": "2026-12-07T08:00:00+11:00",
        },
        {
            **base,
            "start": "2026-12-08T07:00:00+11:00",
            "end": "2026-12-08T08:00:00+11:00",
            "location": "x",
        },
    )
    assert status == 200
    results = body["results"]["timesheets"]
    assert [results[str(i)]["_status_code"] for i in range(1, 10)] == [
        200,
        200,
        406,
        200,
        406,
        417,
        417,
        417,
        417,
    ]
    first = results["1"]
    assert (first["duration"], first["date"], first["tz"], first["on_the_clock"]) == (
        16200,
        "2026-12-01",
        11,
        False,
    )
    assert first["customfields"][str(items_cf["id"])] == "Hedge trimming (per hour)"
    assert results["2"]["duration"] == 15552 and results["2"]["type"] == "manual"
    assert (
        results["4"]["on_the_clock"] is True
        and results["4"]["end"] == ""
        and results["4"]["duration"] == 0
    )
    # clocking out is a PUT of the end
    status, body = demo.put(
        "timesheets",
        {"id": results["4"]["id"], "end": "2026-12-03T15:00:00+11:00"},
        {"id": first["id"], "type": "manual"},
        {"id": 1, "notes": "x"},
    )
    out = body["results"]["timesheets"]
    assert [out[k]["_status_code"] for k in ("1", "2", "3")] == [200, 417, 404]
    assert out["1"]["on_the_clock"] is False and out["1"]["duration"] == 8 * 3600
    # more than 50 -> 413, nothing written
    count = len(demo.store.qbtime["timesheets"])
    assert (
        demo.post(
            "timesheets",
            *({**base, "type": "manual", "date": "2026-12-09", "duration": 60} for _ in range(51)),
        )[0]
        == 413
    )
    assert len(demo.store.qbtime["timesheets"]) == count


def test_delete_is_permanent_and_listed_as_deleted(demo: DemoApi) -> None:
    target = demo.store.qbtime["timesheets"][0]
    locked = demo.store.qbtime["timesheets"][1]
    locked["locked"] = 1
    status, body, _ = demo.call(
        "DELETE", "timesheets", {"ids": f"{target['id']},{locked['id']},42"}
    )
    assert status == 200
    out = body["results"]["timesheets"]
    assert out[str(target["id"])] == {
        "_status_code": 200,
        "_status_message": "OK, deleted",
        "id": str(target["id"]),
    }
    assert out[str(locked["id"])]["_status_code"] == 417 and out["42"]["_status_code"] == 404
    assert demo.rows("timesheets", ids=target["id"]) == []
    gone = demo.rows("timesheets_deleted", ids=target["id"])
    assert gone[str(target["id"])]["duration"] == target["duration"]
    assert demo.rows("timesheets_deleted", start_date=target["date"], end_date=target["date"])
    assert demo.get("timesheets_deleted")[0] == 417
    assert demo.call("DELETE", "timesheets", {})[0] == 417
    saved = json.loads((demo.state_dir / QBTIME_STATE_FILE).read_text("utf-8"))
    assert target["id"] not in {t["id"] for t in saved["timesheets"]}


def test_time_off_requests_and_entries(demo: DemoApi) -> None:
    olivia = demo.user("Olivia Brown")
    requests = demo.rows("time_off_requests")
    assert len(requests) == len(demo.store.qbtime["time_off_requests"])
    status, body = demo.get("time_off_requests", user_ids=olivia["id"])
    (request,) = body["results"]["time_off_requests"].values()
    sup = body["supplemental_data"]
    assert set(sup) == {"users", "time_off_request_notes", "time_off_request_entries"}
    assert {int(k) for k in sup["time_off_request_entries"]} == set(
        request["time_off_request_entries"]
    )
    status, body = demo.get("time_off_request_entries")
    assert status == 417 and "time_off_request_ids" in error_of(body, 417)
    entries = demo.rows("time_off_request_entries", time_off_request_ids=request["id"])
    assert {e["date"] for e in entries.values()} == {"2026-11-26", "2026-11-27"}
    for entry in entries.values():
        generated = demo.rows("timesheets", ids=entry["approved_timesheet_id"])
        assert (
            generated[str(entry["approved_timesheet_id"])]["jobcode_id"]
            == demo.code("Annual Leave")["id"]
        )
    pending = demo.rows("time_off_request_entries", status="pending")
    assert pending and all(e["approved_timesheet_id"] == 0 for e in pending.values())
    assert demo.rows("time_off_request_entries", date="2026-11-18")
    unpaid = demo.rows("time_off_request_entries", jobcode_ids=demo.code("Unpaid Leave")["id"])
    assert len(unpaid) == 2
    window = demo.rows(
        "time_off_request_entries",
        start_time="2026-11-26T00:00:00+11:00",
        end_time="2026-11-27T23:59:59+11:00",
    )
    assert {e["date"] for e in window.values()} == {"2026-11-26", "2026-11-27"}
    assert demo.get("time_off_request_entries", status="lost")[0] == 417


def test_payroll_report_sums_the_timesheets(demo: DemoApi) -> None:
    olivia = demo.user("Olivia Brown")
    noah = demo.user("Noah Williams")
    body = {
        "data": {
            "start_date": "2026-11-16",
            "end_date": "2026-11-29",
            "user_ids": f"{olivia['id']},{noah['id']}",
        }
    }
    status, answer, _ = demo.call("POST", "reports/payroll", body=body)
    assert status == 200
    report = answer["results"]["payroll_report"]
    sheets = demo.store.qbtime["timesheets"]
    jobcodes = {j["id"]: j for j in demo.store.qbtime["jobcodes"]}
    for user in (olivia, noah):
        mine = [
            t
            for t in sheets
            if t["user_id"] == user["id"]
            and "2026-11-16" <= t["date"] <= "2026-11-29"
            and not t["on_the_clock"]
        ]
        row = report[str(user["id"])]
        assert row["total_re_seconds"] == sum(
            t["duration"] for t in mine if jobcodes[t["jobcode_id"]]["type"] == "regular"
        )
        assert row["total_pto_seconds"] == sum(
            t["duration"] for t in mine if jobcodes[t["jobcode_id"]]["type"] == "pto"
        )
    assert report[str(olivia["id"])]["pto_seconds"] == {
        str(demo.code("Annual Leave")["id"]): 2 * 27360
    }
    assert report[str(noah["id"])]["pto_seconds"] == {}, "unpaid time off is not pto"
    empty = {"data": {"start_date": "2031-01-01", "end_date": "2031-01-07"}}
    assert demo.call("POST", "reports/payroll", body=empty)[1]["results"]["payroll_report"] == []
    zero = {"data": {**empty["data"], "include_zero_time": True, "user_ids": [olivia["id"]]}}
    row = demo.call("POST", "reports/payroll", body=zero)[1]["results"]["payroll_report"][
        str(olivia["id"])
    ]
    assert row["total_re_seconds"] == 0
    assert (
        demo.call("POST", "reports/payroll", body={"data": {"start_date": "2026-11-16"}})[0] == 417
    )
