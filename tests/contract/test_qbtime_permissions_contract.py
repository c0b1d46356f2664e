"""The QuickBooks Time simulator refuses what the token's user may not do, as the docs say.

Docs quoted (TSheetsTeam/api_docs): Request formats "401 Unauthorized – You don't have
sufficient permission to perform the action you requested."; Users permissions table
(manage_users: create/edit/delete users; manage_jobcodes: create/edit/delete jobcodes and
custom field items); JobcodeAssignments create/retrieve/delete (admin, group manager of the
user, manage_users; retrieve also manage_jobcodes), with the per-item 417 examples; Users'
private fields and admin-only pay_rate/pay_interval; CustomFields regex_filter; Retrieve
pages' ``limit``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from core.sandbox.qbtime import PERMISSION_DEFAULTS, PRIVATE_USER_FIELDS
from tests.contract.qbtime_shapes import check_error_body, check_write_envelope
from tests.contract.test_qbtime_contract import DEMO_COMPANY, SPEC, Sim, demo_sim

pytestmark = pytest.mark.skipif(
    SPEC is None, reason="shared/specs/qbtime not found beside the project (set XQB_SHARED_DIR)"
)

REFUSED = {
    "error": {
        "code": 401,
        "message": "You don't have sufficient permission to perform the action you requested.",
    }
}
GROUP = 6001  # a group the token's user manages in some tests; John Smith (1234) is in it
OTHER_GROUP = 6002  # Nancy Smith (933837) is in this one


@pytest.fixture
def sim(tmp_path: Path) -> Sim:
    s = Sim(tmp_path)
    qb = s.sim.store.qbtime
    qb["groups"] = [
        {"id": gid, "active": True, "name": name, "last_modified": "", "created": ""}
        for gid, name in ((GROUP, "Crew A"), (OTHER_GROUP, "Crew B"))
    ]
    for u in qb["users"]:
        u["group_id"] = {1234: GROUP, 933837: OTHER_GROUP}.get(u["id"], 0)
    s.sim.store.save("qbtime")
    return s


def owner(sim: Sim) -> dict[str, Any]:
    qb = sim.sim.store.qbtime
    return next(u for u in qb["users"] if u["id"] == qb["current_user_id"])


def as_user(sim: Sim, *granted: str, manages: list[int] | None = None) -> None:
    """Make the token's user one with only ``granted`` (and managing ``manages`` groups)."""
    me = owner(sim)
    me["permissions"] = {**PERMISSION_DEFAULTS, **{p: True for p in granted}}
    me["manager_of_group_ids"] = list(manages or [])
    sim.sim.store.save("qbtime")


WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "jobcodes", {"name": "New job"}),
    ("PUT", "jobcodes", {"id": 37, "name": "Renamed"}),
    ("POST", "locations", {"addr1": "9 New Street", "city": "Boise", "country": "US"}),
    ("PUT", "locations", {"id": 742413, "label": "Depot"}),
    ("POST", "customfielditems", {"customfield_id": 19142, "name": "Car 3"}),
    ("PUT", "customfielditems", {"id": 3085064, "name": "Car one"}),
    ("POST", "users", {"username": "new1", "first_name": "New", "last_name": "Person"}),
    ("PUT", "users", {"id": 1234, "last_name": "Smyth"}),
    ("POST", "customfields", {"name": "CF", "applies_to": "timesheet", "type": "free-form"}),
    ("PUT", "customfields", {"id": 21889, "name": "Task 2"}),
]
# what each write needs besides admin (customfields: admin only; the docs are silent)
NEEDED = {
    "jobcodes": "manage_jobcodes",
    "locations": "manage_jobcodes",
    "customfielditems": "manage_jobcodes",
    "users": "manage_users",
    "customfields": None,
}


def _snapshot(sim: Sim, kind: str) -> list[Any]:
    return copy.deepcopy(sim.sim.store.qbtime.get(kind))


@pytest.mark.parametrize(
    "granted", [(), ("manage_jobcodes",), ("manage_users",), ("admin",)], ids=str
)
@pytest.mark.parametrize(("method", "endpoint", "item"), WRITES, ids=lambda v: str(v)[:20])
def test_whole_request_writes_need_the_documented_permission(
    sim: Sim, granted: tuple[str, ...], method: str, endpoint: str, item: dict[str, Any]
) -> None:
    # (other manager permissions never make a write allowed)
    as_user(sim, *granted, "manage_timesheets", "approve_timesheets", manages=[GROUP])
    before = _snapshot(sim, endpoint)
    status, payload = sim.call(method, endpoint, body={"data": [item]})
    allowed = "admin" in granted or NEEDED[endpoint] in granted
    if allowed:
        assert status == 200, payload
        problems = check_write_envelope(payload, endpoint, 1)
        if "admin" not in granted:  # (the official example was read by an admin)
            problems = [p for p in problems if ".pay_rate:" not in p and ".pay_interval:" not in p]
        assert problems == []
        assert payload["results"][endpoint]["1"]["_status_code"] == 200, payload
    else:
        assert status == 401
        assert payload == REFUSED
        assert check_error_body(payload, 401) == []
        assert _snapshot(sim, endpoint) == before  # nothing written


def test_a_bad_token_is_still_told_apart_from_a_permission_refusal(sim: Sim) -> None:
    status, payload = sim.call("POST", "jobcodes", body={"data": [{"name": "X"}]}, token="bad")
    assert status == 401 and payload != REFUSED
    as_user(sim)
    # the key works: current_user answers even for a user without any permission
    status, payload = sim.call("GET", "current_user")
    assert status == 200


def _assign(sim: Sim, *items: dict[str, Any]) -> dict[str, Any]:
    status, payload = sim.call("POST", "jobcode_assignments", body={"data": list(items)})
    assert status == 200, payload
    return payload["results"]["jobcode_assignments"]


def test_assignments_for_users_the_token_cannot_manage_fail_per_item(sim: Sim) -> None:
    as_user(sim, "manage_jobcodes", "manage_timesheets")  # a manager, but not of users
    rows = _assign(sim, {"user_id": 1234, "jobcode_id": 37}, {"user_id": 0, "jobcode_id": 37})
    for row in rows.values():
        assert row["_status_code"] == 417
        assert row["_status_message"] == "Expectation Failed"
        assert row["_status_extra"] == "Oops! You don't have permission to manage that user"
        assert "id" not in row
    assert not [
        a
        for a in sim.sim.store.qbtime["jobcode_assignments"]
        if a["jobcode_id"] == 37 and a["active"]
    ]


def test_a_group_manager_assigns_only_the_users_of_their_groups(sim: Sim) -> None:
    as_user(sim, manages=[GROUP])
    rows = _assign(
        sim,
        {"user_id": 1234, "jobcode_id": 37},  # in GROUP
        {"user_id": 933837, "jobcode_id": 37},  # in OTHER_GROUP
        {"user_id": 933849, "jobcode_id": 37},  # in no group
        {"user_id": 0, "jobcode_id": 37},  # everyone: no group manager covers that
    )
    assert [r["_status_code"] for r in rows.values()] == [200, 417, 417, 417]
    assert rows["2"]["_status_extra"] == "Oops! You don't have permission to manage that user"


@pytest.mark.parametrize("granted", [("manage_users",), ("admin",)], ids=str)
def test_admins_and_user_managers_assign_anyone(sim: Sim, granted: tuple[str, ...]) -> None:
    as_user(sim, *granted)
    rows = _assign(
        sim, {"user_id": 933837, "jobcode_id": 37}, {"user_id": 0, "jobcode_id": 3656485}
    )
    assert [r["_status_code"] for r in rows.values()] == [200, 200]


def test_deleting_assignments_of_users_the_token_cannot_manage_fails_per_item(
    sim: Sim,
) -> None:
    rows = _assign(sim, {"user_id": 1234, "jobcode_id": 37}, {"user_id": 933837, "jobcode_id": 37})
    mine, theirs = rows["1"]["id"], rows["2"]["id"]
    as_user(sim, manages=[GROUP])
    status, payload = sim.call("DELETE", "jobcode_assignments", {"ids": f"{mine},{theirs}"})
    assert status == 200
    answer = payload["results"]["jobcode_assignments"]
    assert answer[str(mine)] == {"_status_code": 200, "_status_message": "OK, deleted", "id": mine}
    assert answer[str(theirs)] == {
        "_status_code": 417,
        "_status_message": "Expectation Failed!",
        "_status_extra": "Oops! You don't have permission to remove jobcodes for that user.",
        "id": str(theirs),
    }
    still = {a["id"]: a["active"] for a in sim.sim.store.qbtime["jobcode_assignments"]}
    assert still[mine] is False and still[theirs] is True


def test_reading_other_users_assignments_needs_a_manager(sim: Sim) -> None:
    _assign(sim, {"user_id": 1234, "jobcode_id": 37})
    me = owner(sim)["id"]
    _assign(sim, {"user_id": me, "jobcode_id": 3656485})
    as_user(sim, "manage_timesheets")  # a manager, but none of the four that may read them
    status, payload = sim.call("GET", "jobcode_assignments", {"user_ids": "1234"})
    assert (status, payload) == (401, REFUSED)
    status, payload = sim.call("GET", "jobcode_assignments", {"user_ids": str(me)})
    assert status == 200
    status, payload = sim.call("GET", "jobcode_assignments", {"type": "all"})
    owners = {r["user_id"] for r in payload["results"]["jobcode_assignments"].values()}
    assert owners <= {0, me} and me in owners  # "which you have rights to view"
    for granted, manages in ((("manage_jobcodes",), []), (("manage_users",), []), ((), [GROUP])):
        as_user(sim, *granted, manages=manages)
        status, payload = sim.call("GET", "jobcode_assignments", {"user_ids": "1234"})
        assert status == 200
        owners = {r["user_id"] for r in payload["results"]["jobcode_assignments"].values()}
        assert 1234 in owners


def _user_row(sim: Sim, uid: int = 1234) -> dict[str, Any]:
    status, payload = sim.call("GET", "users", {"ids": str(uid)})
    assert status == 200
    return payload["results"]["users"][str(uid)]


def test_private_user_fields_are_shown_to_managers_and_admins_only(sim: Sim) -> None:
    as_user(sim)  # a team member
    row = _user_row(sim)
    assert not set(PRIVATE_USER_FIELDS) & set(row), row
    assert "pay_rate" not in row and "pay_interval" not in row
    assert row["first_name"] == "John"
    as_user(sim, "manage_timesheets")  # a manager
    row = _user_row(sim)
    assert set(PRIVATE_USER_FIELDS) <= set(row)
    assert "pay_rate" not in row and "pay_interval" not in row
    as_user(sim, manages=[OTHER_GROUP])  # a group manager
    assert "username" in _user_row(sim)
    as_user(sim, "admin")
    row = _user_row(sim)
    assert set(PRIVATE_USER_FIELDS) <= set(row) and "pay_rate" in row and "pay_interval" in row


def test_supplemental_users_follow_the_same_rule(sim: Sim) -> None:
    as_user(sim, "manage_users")  # may assign anyone, sees private fields, not pay
    rows = _assign(sim, {"user_id": 1234, "jobcode_id": 37})
    assert rows["1"]["_status_code"] == 200
    status, payload = sim.call("GET", "jobcode_assignments", {"user_ids": "1234"})
    shown = payload["supplemental_data"]["users"]["1234"]
    assert "username" in shown and "pay_rate" not in shown
    status, payload = sim.call("PUT", "users", body={"data": [{"id": 1234, "last_name": "Smyth"}]})
    assert status == 200
    answer = payload["results"]["users"]["1"]
    assert answer["last_name"] == "Smyth" and "pay_rate" not in answer


# --------------------------------------------------------------------------- regex_filter
def _with_filter(sim: Sim, pattern: str) -> None:
    field = next(c for c in sim.sim.store.qbtime["customfields"] if c["id"] == 19142)
    field["regex_filter"] = pattern
    sim.sim.store.save("qbtime")


@pytest.mark.parametrize(
    ("pattern", "name", "ok"),
    [
        ("^[0-9]+$", "Not digits", False),
        ("^[0-9]+$", "12345", True),
        ("^CAR-", "car-9", False),
        ("/^CAR-/i", "car-9", True),
        ("(", "Anything", False),  # not an expression: nothing gets in
        ("", "Anything", True),
    ],
)
def test_regex_filter_applies_to_new_custom_field_items(
    sim: Sim, pattern: str, name: str, ok: bool
) -> None:
    _with_filter(sim, pattern)
    before = len(sim.sim.store.qbtime["customfielditems"])
    status, payload = sim.call(
        "POST", "customfielditems", body={"data": [{"customfield_id": 19142, "name": name}]}
    )
    assert status == 200
    row = payload["results"]["customfielditems"]["1"]
    if ok:
        assert row["_status_code"] == 200
        assert len(sim.sim.store.qbtime["customfielditems"]) == before + 1
    else:
        assert row["_status_code"] == 417
        assert row["_status_message"] == "Expectation Failed"
        assert "regex filter" in row["_status_extra"] and name in row["_status_extra"]
        assert row["name"] == name and row["customfield_id"] == 19142
        assert len(sim.sim.store.qbtime["customfielditems"]) == before


# --------------------------------------------------------------------------- paging parameters
@pytest.mark.parametrize(
    "params",
    [{"limit": ""}, {"limit": " "}, {"limit": "0"}, {"page": ""}, {"page": "0"}],
    ids=str,
)
def test_empty_or_zero_limit_and_page_are_refused(sim: Sim, params: dict[str, str]) -> None:
    status, payload = sim.call("GET", "jobcodes", params)
    assert status == 417
    assert check_error_body(payload, 417) == []


@pytest.mark.skipif(not DEMO_COMPANY.exists(), reason="resources/demo/company.json not written yet")
def test_the_demo_company_token_user_may_do_everything(tmp_path: Path) -> None:
    demo, _ = demo_sim(tmp_path)
    status, payload = demo.call("GET", "current_user")
    me = next(iter(payload["results"]["users"].values()))
    assert me["permissions"]["admin"] is True and "pay_rate" in me
    for endpoint, item in (
        ("jobcodes", {"name": "Perm check"}),
        (
            "customfields",
            {"name": "Perm CF", "applies_to": "timesheet", "type": "free-form", "active": False},
        ),
    ):
        status, payload = demo.call("POST", endpoint, body={"data": [item]})
        assert status == 200, payload
        assert payload["results"][endpoint]["1"]["_status_code"] == 200, payload
