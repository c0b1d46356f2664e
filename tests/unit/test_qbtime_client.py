"""QBTimeClient: reads everything, pages, batches, maps per-item answers, reconciles.

Two halves:
* pure tests over a scripted fake session, for answers the simulator never gives
  (``more`` as a string, 202 without an id, keys that are not positions, unreadable 200s);
* integration tests against the QB Time simulator (``core/sandbox/qbtime.py``) over real
  HTTP on 127.0.0.1, with a ManualClock that only the injected ``sleep`` moves, a
  RequestCounter and a recorder that sees every request's path and query.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from core.engine.records import Address
from core.errors import ApiError, NetworkError, QBTimePermissionMissing, QBTimeTokenInvalid
from core.sandbox.common import CompanyStore, FaultMiddleware, FaultPlan, ManualClock, SimServer
from core.sandbox.qbtime import (
    ID_BASE,
    QBTimeConfig,
    QBTimeSimulator,
    blank_qbtime_state,
    qbtime_error_response,
)
from core.services.http import QBTIME, AuthRejected, RequestCounter
from core.services.qbtime import mapping
from core.services.qbtime.client import (
    DEFAULT_SINCE_SKEW_S,
    NEEDS,
    QBTimeClient,
    WriteOutcomeUnknown,
    WriteResult,
)

TOKEN = "S.4__client-test-token"
START = 1_750_000_000.0


# =========================================================================== fake session
def _resp(status: int, body: Any, *, raw: bytes | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = raw if raw is not None else json.dumps(body).encode()
    r.headers["Content-Type"] = "application/json"
    r.reason = "OK" if status == 200 else "Error"
    return r


_loads = json.loads


class FakeSession:
    """Answers scripted responses (or raises scripted errors) in order; records calls."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, dict[str, Any] | None, Any]] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Any = None,
        **_: Any,
    ) -> requests.Response:
        if data is not None:  # a JSON body written by the client (as requests' json= sends)
            assert (headers or {}).get("Content-Type") == "application/json"
            json = _loads(data)
        self.calls.append((method, path, params, copy.deepcopy(json)))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _page(kind: str, rows: list[dict[str, Any]], more: Any) -> requests.Response:
    return _resp(200, {"results": {kind: {str(r["id"]): r for r in rows}}, "more": more})


def _tagged(err: Any, **attrs: Any) -> Any:
    for k, v in attrs.items():
        setattr(err, k, v)
    return err


def test_more_as_string_true_still_reads_next_page():
    # api_python compared ``more`` with "true" and so never read page 2 of a JSON true;
    # a quirky string "true" must not stop us either.
    s = FakeSession(_page("users", [{"id": 1}], "true"), _page("users", [{"id": 2}], False))
    users = QBTimeClient(s).users()  # type: ignore[arg-type]
    assert [u.id for u in users] == [1, 2]
    assert [c[2]["page"] for c in s.calls] == [1, 2]
    assert all(
        c[2]["limit"] == 200 and c[2]["active"] == "both" and c[2]["supplemental_data"] == "no"
        for c in s.calls
    )


def test_unreadable_more_is_an_error_not_a_short_list():
    s = FakeSession(_page("users", [{"id": 1}], "maybe"))
    with pytest.raises(ApiError):
        QBTimeClient(s).users()  # type: ignore[arg-type]


def test_more_true_with_an_empty_page_stops_and_pages_are_deduplicated():
    s = FakeSession(
        _page("jobcodes", [{"id": 1, "name": "a"}], True),
        _page("jobcodes", [{"id": 1, "name": "a2"}, {"id": 2, "name": "b"}], True),
        _resp(200, {"results": {"jobcodes": []}, "more": True}),
    )
    jobcodes = QBTimeClient(s).jobcodes()  # type: ignore[arg-type]
    assert [(j.id, j.name) for j in jobcodes] == [(1, "a2"), (2, "b")]
    assert len(s.calls) == 3


def test_modified_since_is_iso_with_offset_minus_skew():
    s = FakeSession(_page("jobcodes", [], False))
    QBTimeClient(s, since_skew_s=30).jobcodes(modified_since="2018-04-05T19:47:19+0000")  # type: ignore[arg-type]
    assert s.calls[0][2]["modified_since"] == "2018-04-05T19:46:49+00:00"
    assert s.calls[0][2]["type"] == "all"


def test_batch_size_over_50_is_refused():
    with pytest.raises(ValueError):
        QBTimeClient(FakeSession(), batch_size=51)  # type: ignore[arg-type]


def test_answers_keyed_by_something_else_fall_back_to_document_order():
    rows = [{"name": "A"}, {"name": "B"}]
    s = FakeSession(
        _resp(
            200,
            {
                "results": {
                    "jobcodes": {
                        "901": {
                            "_status_code": 200,
                            "_status_message": "Created",
                            "id": 901,
                            "name": "A",
                        },
                        "902": {
                            "_status_code": 417,
                            "_status_message": "Expectation Failed",
                            "_status_extra": "Oops! That Short Code is already in use",
                            "name": "B",
                        },
                    }
                }
            },
        )
    )
    res = QBTimeClient(s).create_jobcodes(rows)  # type: ignore[arg-type]
    assert [(r.ok, r.status, r.id) for r in res] == [(True, 200, 901), (False, 417, None)]
    assert res[1].message == "Oops! That Short Code is already in use"
    assert res[0].input is rows[0] and res[1].input is rows[1]


def test_row_without_an_answer_element_is_not_ok_with_status_0():
    s = FakeSession(
        _resp(
            200,
            {
                "results": {
                    "users": {"1": {"_status_code": 200, "_status_message": "Created", "id": 7}}
                }
            },
        )
    )
    res = QBTimeClient(s).create_users([{"username": "a"}, {"username": "b"}])  # type: ignore[arg-type]
    assert (res[0].ok, res[0].id) == (True, 7)
    assert (res[1].ok, res[1].status, res[1].record) == (False, 0, None)


def test_202_without_id_is_resolved_by_parent_name_and_type():
    rows = [{"name": "Acme*", "parent_id": 0}]
    s = FakeSession(
        _resp(
            200,
            {
                "results": {
                    "jobcodes": {
                        "1": {"_status_code": 202, "_status_message": "Accepted", "name": "Acme*"}
                    }
                }
            },
        ),
        # the name filter's "*" is a wildcard: extra matches come back and are ignored
        _page(
            "jobcodes",
            [
                {"id": 55, "parent_id": 0, "name": "Acme* Ltd", "type": "regular"},
                {"id": 56, "parent_id": 0, "name": "acme*", "type": "regular"},
            ],
            False,
        ),
    )
    res = QBTimeClient(s).create_jobcodes(rows)  # type: ignore[arg-type]
    assert (res[0].ok, res[0].duplicate, res[0].status, res[0].id) == (True, True, 202, 56)
    lookup = s.calls[1][2]
    assert (lookup["parent_ids"], lookup["name"], lookup["type"], lookup["active"]) == (
        "0",
        "Acme*",
        "regular",
        "both",
    )


def test_202_lookup_failure_keeps_the_applied_batch():
    s = FakeSession(
        _resp(
            200,
            {
                "results": {
                    "jobcodes": {
                        "1": {"_status_code": 200, "id": 9, "name": "New"},
                        "2": {"_status_code": 202, "name": "Old"},
                    }
                }
            },
        ),
        _tagged(NetworkError("no answer", service=QBTIME), maybe_applied=False, status=None),
    )
    res = QBTimeClient(s).create_jobcodes([{"name": "New"}, {"name": "Old"}])  # type: ignore[arg-type]
    assert (res[0].ok, res[0].id) == (True, 9)
    assert (res[1].ok, res[1].duplicate, res[1].status) == (False, True, 202)
    assert "looked up" in res[1].message


def test_200_naming_none_of_the_rows_is_outcome_unknown():
    s = FakeSession(_resp(200, {"results": {"jobcodes": []}}))
    with pytest.raises(WriteOutcomeUnknown):
        QBTimeClient(s).create_jobcodes([{"name": "A"}])  # type: ignore[arg-type]


def test_202_without_id_that_cannot_be_found_is_reported():
    s = FakeSession(
        _resp(200, {"results": {"jobcodes": {"1": {"_status_code": 202, "name": "Ghost"}}}}),
        _page("jobcodes", [], False),
    )
    res = QBTimeClient(s).create_jobcodes([{"name": "Ghost"}])  # type: ignore[arg-type]
    assert (res[0].ok, res[0].duplicate) == (False, True)


def test_whole_request_4xx_on_a_later_batch_keeps_what_was_done():
    rows = [{"name": f"C{i}"} for i in range(4)]
    ok = {
        "results": {
            "jobcodes": {
                "1": {"_status_code": 200, "id": 1, "name": "C0"},
                "2": {"_status_code": 200, "id": 2, "name": "C1"},
            }
        }
    }
    s = FakeSession(
        _resp(200, ok),
        _resp(417, {"error": {"code": 417, "message": "Expectation Failed: bad data"}}),
    )
    with pytest.raises(ApiError) as info:
        QBTimeClient(s, batch_size=2).create_jobcodes(rows)  # type: ignore[arg-type]
    err = info.value
    assert err.status == 417 and "bad data" in str(err)
    assert [r.id for r in err.completed] == [1, 2]
    assert err.not_sent == rows[2:]


def test_unreadable_200_to_a_post_means_outcome_unknown():
    s = FakeSession(_resp(200, None, raw=b'{"results": {"loc'))
    with pytest.raises(WriteOutcomeUnknown) as info:
        QBTimeClient(s).create_locations([{"addr1": "1 Main St"}])  # type: ignore[arg-type]
    assert info.value.rows == [{"addr1": "1 Main St"}] and info.value.safe_to_resend is False


def test_auth_rejected_becomes_token_invalid():
    s = FakeSession(_tagged(AuthRejected(service=QBTIME, reason="nope"), status=401))
    with pytest.raises(QBTimeTokenInvalid) as info:
        QBTimeClient(s).current_user()  # type: ignore[arg-type]
    assert info.value.status == 401


def test_failure_known_not_applied_is_reraised_with_progress():
    refused = _tagged(
        NetworkError("could not connect", service=QBTIME), maybe_applied=False, status=None
    )
    rows = [{"username": "a", "first_name": "A", "last_name": "B"}]
    with pytest.raises(NetworkError) as info:
        QBTimeClient(FakeSession(refused)).create_users(rows)  # type: ignore[arg-type]
    assert info.value.completed == [] and info.value.not_sent[0]["username"] == "a"


def test_delete_answers_are_matched_by_id():
    s = FakeSession(
        _resp(
            200,
            {
                "results": {
                    "jobcode_assignments": {
                        "12": {
                            "_status_code": 417,
                            "_status_extra": "That id is not found in the database",
                            "id": "12",
                        },
                        "11": {"_status_code": 200, "_status_message": "OK, deleted", "id": 11},
                    }
                }
            },
        )
    )
    res = QBTimeClient(s).delete_assignments([11, 12])  # type: ignore[arg-type]
    assert s.calls[0][:3] == ("DELETE", "jobcode_assignments", {"ids": "11,12"})
    assert [(r.input["id"], r.ok) for r in res] == [(11, True), (12, False)]


def test_check_permissions_words():
    admin = mapping.current_user({"id": 1, "permissions": {"admin": True}})
    assert QBTimeClient.check_permissions(admin) == []
    jobs_only = mapping.current_user({"id": 1, "permissions": {"manage_jobcodes": True}})
    assert QBTimeClient.check_permissions(jobs_only) == [
        NEEDS["team_members"].words,
        NEEDS["assignments"].words,
        NEEDS["items"].words,
    ]
    assert QBTimeClient.check_permissions(jobs_only, ["customers", "locations"]) == []


# =========================================================================== simulator fixture
class Recorder:
    """WSGI wrapper: records (method, path, query) of each request; ``hook`` runs first."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str, dict[str, list[str]]]] = []
        self.hook: Callable[[str, str], None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.seen.append(
            (method, path, parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        )
        if self.hook:
            self.hook(method, path)
        return self.app(environ, start_response)

    def calls(self, method: str, endpoint: str) -> list[dict[str, list[str]]]:
        return [q for m, p, q in self.seen if m == method and p == f"/api/v1/{endpoint}"]


def jobcode_row(
    jid: int, name: str, *, parent_id: int = 0, jtype: str = "regular", active: bool = True
) -> dict[str, Any]:
    ts = "2025-06-01T00:00:00+00:00"
    return {
        "id": jid,
        "parent_id": parent_id,
        "assigned_to_all": False,
        "billable": False,
        "active": active,
        "type": jtype,
        "has_children": False,
        "billable_rate": 0,
        "short_code": "",
        "name": name,
        "last_modified": ts,
        "created": ts,
        "filtered_customfielditems": "",
        "required_customfields": [],
        "locations": [],
        "connect_with_quickbooks": False,
    }


class QBT:
    """A running simulator over a fresh account, and a client wired to it."""

    def __init__(
        self,
        state: dict[str, Any] | None = None,
        config: QBTimeConfig | None = None,
        token: str = TOKEN,
        **client_kw: Any,
    ) -> None:
        self.clock = ManualClock(START)
        self.slept: list[float] = []
        self.faults = FaultPlan()
        self.store = CompanyStore.from_dict(
            {"xero": {"organisations": []}, "qbtime": state or blank_qbtime_state(TOKEN, START)}
        )
        self.sim = QBTimeSimulator(self.store, self.clock, config)
        self.rec = Recorder(FaultMiddleware(self._wsgi, self.faults, qbtime_error_response))
        self.server = SimServer(self.rec).start()
        self.base = self.server.base_url + "/api/v1"
        self.counter = RequestCounter()
        self.client = self.make_client(token, **client_kw)

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.wrappers import Request

        return self.sim.handle(Request(environ))(environ, start_response)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def make_client(self, token: str = TOKEN, **kw: Any) -> QBTimeClient:
        return QBTimeClient.connect(
            token, self.base, counter=self.counter, clock=self.clock.now, sleep=self.sleep, **kw
        )

    @property
    def qb(self) -> dict[str, Any]:
        return self.store.qbtime

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def qbt() -> Iterator[Callable[..., QBT]]:
    made: list[QBT] = []

    def make(*args: Any, **kw: Any) -> QBT:
        made.append(QBT(*args, **kw))
        return made[-1]

    yield make
    for q in made:
        q.stop()


def state_with(*jobcodes: dict[str, Any]) -> dict[str, Any]:
    state = blank_qbtime_state(TOKEN, START)
    state["jobcodes"].extend(jobcodes)
    return state


# =========================================================================== identity
def test_validate_token_ok(qbt):
    q = qbt()
    cu = q.client.validate_token()
    assert cu.is_admin and cu.company_name == "Demo Company" and cu.client_url == "democompany"
    assert cu.id == q.qb["current_user_id"] and cu.name == "Ada Admin"


def test_validate_token_bad_token(qbt):
    q = qbt(token="S.4__wrong")
    with pytest.raises(QBTimeTokenInvalid) as info:
        q.client.validate_token()
    assert info.value.status == 401
    assert "wrong" not in str(info.value) and "Add token" in info.value.user_message("en")


def test_validate_token_user_without_manage_jobcodes(qbt):
    state = blank_qbtime_state(TOKEN, START)
    perms = state["users"][0]["permissions"]
    perms.update(admin=False, manage_users=True, manage_jobcodes=False)
    q = qbt(state)
    with pytest.raises(QBTimePermissionMissing) as info:
        q.client.validate_token()
    msg = info.value.user_message("en")
    assert "create or change customers (jobs)" in msg
    assert "set up custom fields" in msg
    assert "team members" not in msg  # manage_users is held
    assert info.value.user_name == "Ada Admin"  # whose key it is, for the key page's help
    assert info.value.company_name == "Demo Company"
    assert info.value.missing == [
        NEEDS["customers"].words,
        NEEDS["locations"].words,
        NEEDS["items"].words,
    ]
    # Importing employees only needs manage_users: fine for this user.
    assert q.client.validate_token(["team_members", "assignments"]).is_admin is False


def test_settings_and_last_modified(qbt):
    q = qbt()
    settings = q.client.effective_settings()
    assert settings["general"]["settings"]["jc_label"] == "Job"
    assert (
        mapping.as_int(
            settings["customfields"]["settings"]["maximum_allowed_timesheet_custom_fields"]
        )
        == 6
    )
    stamps = q.client.last_modified_timestamps(["jobcodes", "users"])
    assert set(stamps) == {"jobcodes", "users"}
    assert mapping.parse_timestamp(stamps["jobcodes"]) == START


# =========================================================================== reading
def test_paging_450_jobcodes_takes_exactly_3_calls(qbt):
    extra = [
        jobcode_row(ID_BASE["jobcodes"] + i, f"Customer {i:03}", active=i % 10 != 0)
        for i in range(1, 448)
    ]  # + the 3 time-off codes = 450
    q = qbt(state_with(*extra))
    jobcodes = q.client.jobcodes()
    assert len(jobcodes) == 450 and len({j.id for j in jobcodes}) == 450
    calls = q.rec.calls("GET", "jobcodes")
    assert len(calls) == 3
    assert [c["page"] for c in calls] == [["1"], ["2"], ["3"]]
    for c in calls:
        assert c["limit"] == ["200"] and c["active"] == ["both"] and c["type"] == ["all"]
        assert c["supplemental_data"] == ["no"]
    assert q.counter.snapshot()["requests"] == 3


def test_archived_and_pto_jobcodes_are_read(qbt):
    archived = jobcode_row(ID_BASE["jobcodes"] + 1, "Old Customer", active=False)
    child = jobcode_row(ID_BASE["jobcodes"] + 2, "Sub job", parent_id=ID_BASE["jobcodes"] + 3)
    parent = jobcode_row(ID_BASE["jobcodes"] + 3, "Parent")
    q = qbt(state_with(archived, child, parent))
    got = {j.name: j for j in q.client.jobcodes()}
    assert got["Old Customer"].active is False
    assert {n for n, j in got.items() if j.type == "pto"} == {"Sick", "Vacation", "Holiday"}
    assert got["Sub job"].parent_id == parent["id"]
    # What the API's defaults would have shown: neither archived nor time-off codes.
    resp = requests.get(
        q.base + "/jobcodes", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    default_names = {r["name"] for r in resp.json()["results"]["jobcodes"].values()}
    assert default_names == {"Sub job", "Parent"}


def test_users_and_customfields_read_archived_too(qbt):
    q = qbt()
    q.client.create_users([{"username": "gone", "first_name": "Gone", "last_name": "Away"}])
    q.client.update_users([{"username": "gone", "active": False}])
    users = {u.username: u for u in q.client.users()}
    assert users["gone"].active is False and users["admin"].active is True
    field = q.client.create_customfields(
        [{"name": "Items", "type": "managed-list", "applies_to": "timesheet", "active": False}]
    )[0]
    assert field.ok
    fields = q.client.customfields()
    assert [(f.name, f.active) for f in fields] == [("Items", False)]
    assert q.rec.calls("GET", "customfields")[0]["applies_to"] == ["all"]


def test_modified_since_fetches_only_newer_rows(qbt):
    q = qbt()  # time-off codes modified at START
    q.clock.advance(120)
    q.client.create_jobcodes([{"name": "Early"}])
    stamp = q.client.last_modified_timestamps(["jobcodes"])["jobcodes"]
    assert mapping.parse_timestamp(stamp) == START + 120
    q.clock.advance(120)
    q.client.create_jobcodes([{"name": "Late"}])
    names = [j.name for j in q.client.jobcodes(modified_since=stamp)]
    # The skew re-reads the rows of the stamp's own second ("Early"): an overlap the
    # caller de-duplicates by id, instead of a same-second change being missed.
    assert names == ["Early", "Late"]
    sent = q.rec.calls("GET", "jobcodes")[-1]["modified_since"][0]
    assert sent == mapping.format_timestamp(START + 120 - DEFAULT_SINCE_SKEW_S)


# =========================================================================== writing
def test_120_creates_in_3_batches_mapped_to_inputs(qbt):
    existing = jobcode_row(ID_BASE["jobcodes"] + 7, "Existing Co")
    q = qbt(state_with(existing))
    rows: list[dict[str, Any]] = [{"name": f"Customer {i:03}", "parent_id": 0} for i in range(120)]
    rows[59]["short_code"] = "bad code!"  # per-item 417 in the middle
    rows[80] = {"name": "Existing Co", "parent_id": 0}  # per-item 202 duplicate
    results = q.client.create_jobcodes(rows)

    posts = [c for c in q.rec.seen if c[0] == "POST"]
    assert len(posts) == 3
    assert q.counter.snapshot()["services"][QBTIME]["by_status"] == {"200": 3}  # never a 413
    assert len(results) == 120 and all(isinstance(r, WriteResult) for r in results)
    assert all(r.input is row for r, row in zip(results, rows, strict=True))

    bad, dup = results[59], results[80]
    assert (bad.ok, bad.status) == (False, 417) and "short code" in bad.message.lower()
    assert (dup.ok, dup.status, dup.duplicate, dup.id) == (True, 202, True, existing["id"])
    others = [r for i, r in enumerate(results) if i not in (59, 80)]
    assert all(r.ok and r.status == 200 and not r.duplicate for r in others)
    assert all(r.record["name"] == r.input["name"] for r in others)
    stored = {j["name"]: j["id"] for j in q.qb["jobcodes"]}
    assert all(stored[r.input["name"]] == r.id for r in others)
    assert "Customer 059" not in stored
    assert sum(1 for j in q.qb["jobcodes"] if j["name"] == "Existing Co") == 1


def test_batches_never_exceed_50_and_a_413_is_an_api_error(qbt):
    q = qbt(config=QBTimeConfig(max_batch=20))  # a service stricter than documented
    rows = [{"name": f"C{i}"} for i in range(30)]
    with pytest.raises(ApiError) as info:
        q.client.create_jobcodes(rows)
    assert info.value.status == 413 and "too large" in str(info.value).lower()
    assert info.value.completed == [] and info.value.not_sent == rows
    assert q.client.create_jobcodes(rows[:20])[0].ok  # ≤ the service's limit: fine


def test_429_window_is_waited_out_then_succeeds(qbt):
    q = qbt(config=QBTimeConfig(rate_limit=5, rate_window_s=300))
    q.client.current_user()  # opens the 5-minute window at START
    q.clock.advance(30)
    for _ in range(4):
        q.client.current_user()
    jobcodes = q.client.jobcodes()  # 6th call: 429 until the window ends
    assert len(jobcodes) == 3
    snap = q.counter.snapshot()
    # No Retry-After: back-off grows (5, 10, 20, 40, 80 s, then what is left of the 300 s
    # budget) until the simulator's window, opened at START, is over.
    assert snap["rate_limited"] == len(q.slept) >= 2
    assert q.slept == sorted(q.slept) and sum(q.slept) <= 300
    assert q.clock.now() >= START + 300
    assert q.rec.calls("GET", "jobcodes")[-1]["page"] == ["1"]


def test_5xx_retried_for_get(qbt):
    q = qbt()
    q.faults.force("500", times=2, path_contains="/jobcodes", method="GET")
    assert len(q.client.jobcodes()) == 3
    snap = q.counter.snapshot()
    assert snap["services"][QBTIME]["by_status"] == {"500": 2, "200": 1}
    assert snap["retries"] == 2


def test_5xx_on_a_post_is_not_retried_and_outcome_unknown(qbt):
    q = qbt()
    q.faults.force("500", path_contains="/jobcodes", method="POST")
    rows = [{"name": "A"}]
    with pytest.raises(WriteOutcomeUnknown) as info:
        q.client.create_jobcodes(rows)
    assert info.value.rows == rows and info.value.safe_to_resend is True
    assert len(q.rec.calls("POST", "jobcodes")) == 1


def _lose_second_post(q: QBT) -> None:
    posts = []

    def hook(method: str, path: str) -> None:
        if method == "POST":
            posts.append(path)
            if len(posts) == 2:
                q.faults.force("lost_response", path_contains=path, method="POST")

    q.rec.hook = hook


def test_lost_response_on_a_post_raises_with_the_batch(qbt):
    q = qbt()
    _lose_second_post(q)
    rows = [{"name": f"Customer {i:02}"} for i in range(60)]
    with pytest.raises(WriteOutcomeUnknown) as info:
        q.client.create_jobcodes(rows)
    err = info.value
    assert err.rows == rows[50:] and err.not_sent == []
    assert [r.input for r in err.completed] == rows[:50] and all(r.ok for r in err.completed)
    assert err.safe_to_resend is True and err.maybe_applied is True
    assert "10" in err.user_message("en")
    # It was applied: the server created all 60 although the client never heard it.
    assert len([j for j in q.qb["jobcodes"] if j["name"].startswith("Customer ")]) == 60
    assert len(q.rec.calls("POST", "jobcodes")) == 2  # no blind retry


def test_lost_response_with_reconcile_resends_and_takes_the_202s(qbt):
    q = qbt()
    _lose_second_post(q)
    rows = [{"name": f"Customer {i:02}"} for i in range(60)]
    results = q.client.create_jobcodes(rows, reconcile=True)
    assert len(q.rec.calls("POST", "jobcodes")) == 3
    assert all(r.ok for r in results)
    assert all(not r.resent and not r.duplicate for r in results[:50])
    assert all(r.resent and r.duplicate and r.status == 202 for r in results[50:])
    stored = [j for j in q.qb["jobcodes"] if j["name"].startswith("Customer ")]
    assert len(stored) == 60  # nothing created twice
    assert {r.id for r in results} == {j["id"] for j in stored}


def test_lost_response_on_user_create_is_not_resent(qbt):
    q = qbt()
    q.faults.force("lost_response", path_contains="/users", method="POST")
    rows = [{"username": "x", "first_name": "X", "last_name": "Y"}]
    with pytest.raises(WriteOutcomeUnknown) as info:
        q.client.create_users(rows)
    assert info.value.safe_to_resend is False
    assert info.value.rows[0] is rows[0]  # the caller's row, not the sent copy


def test_users_created_with_time_tracking(qbt):
    q = qbt()
    rows = [
        {"username": "jo", "first_name": "Jo", "last_name": "Bloggs", "email": "jo@example.com"},
        {
            "username": "al",
            "first_name": "Al",
            "last_name": "X",
            "permissions": {"time_tracking": False},
        },
    ]
    before = copy.deepcopy(rows)
    res = q.client.create_users(rows)
    assert [r.ok for r in res] == [True, True] and res[0].input is rows[0]
    assert rows == before  # caller's rows untouched
    stored = {u["username"]: u for u in q.qb["users"]}
    assert stored["jo"]["permissions"]["time_tracking"] is True
    assert stored["al"]["permissions"]["time_tracking"] is False  # explicit choice kept
    assert res[0].record["permissions"]["time_tracking"] is True
    off = q.client.create_users(
        [{"username": "ki", "first_name": "Ki", "last_name": "Z"}], time_tracking=False
    )
    assert off[0].record["permissions"]["time_tracking"] is False
    dup = q.client.create_users([{"username": "jo", "first_name": "J", "last_name": "B"}])
    assert (dup[0].ok, dup[0].status) == (False, 417) and "username" in dup[0].message


def test_update_and_archive_jobcodes(qbt):
    q = qbt()
    created = q.client.create_jobcodes([{"name": "Acme", "assigned_to_all": True}])[0]
    res = q.client.update_jobcodes(
        [{"id": created.id, "name": "Acme Ltd"}, {"id": 1, "name": "nope"}]
    )
    assert res[0].ok and res[0].record["name"] == "Acme Ltd"
    assert not res[1].ok and res[1].status == 417
    assert q.client.update_jobcodes([{"id": created.id, "active": False}])[0].ok
    got = {j.id: j for j in q.client.jobcodes()}[created.id]
    assert got.active is False and got.assigned_to_all is False


def test_custom_fields_items_locations_and_assignments_round_trip(qbt):
    q = qbt()
    field = q.client.create_customfields(
        [{"name": "Items", "type": "managed-list", "applies_to": "timesheet", "required": False}]
    )[0]
    items = q.client.create_customfielditems(
        [
            {"customfield_id": field.id, "name": "Consulting", "short_code": "CONS"},
            {"customfield_id": field.id, "name": "Design", "short_code": "CONS"},
        ]
    )  # code clash
    assert items[0].ok and not items[1].ok and items[1].status == 417
    assert q.client.update_customfielditems([{"id": items[0].id, "active": False}])[0].ok
    assert q.client.update_customfields([{"id": field.id, "required": True}])[0].ok
    listed = q.client.customfielditems(field.id)
    assert [(i.name, i.active) for i in listed] == [("Consulting", False)]

    customer = q.client.create_jobcodes([{"name": "Acme"}])[0]
    addr = Address("1 Main St", "", "Wellington", "WGN", "6011", "NZ")
    loc = q.client.create_locations([mapping.location_fields(addr, jobcode_ids=[customer.id])])[0]
    assert loc.ok
    got = {x.id: x for x in q.client.locations()}[loc.id]
    assert got.address == addr and got.jobcode_ids == (customer.id,)
    assert [(m.location_id, m.jobcode_id) for m in q.client.locations_map()] == [
        (loc.id, customer.id)
    ]
    moved = mapping.location_fields(
        Address("2 Side Rd", city="Auckland", country="NZ"), jobcode_ids=[]
    )
    assert q.client.update_locations([{"id": loc.id, **moved}])[0].ok
    assert q.client.locations_map() == []

    admin_id = q.qb["current_user_id"]
    made = q.client.create_assignments([{"user_id": admin_id, "jobcode_id": customer.id}])[0]
    assert made.ok
    rows = [a for a in q.client.jobcode_assignments() if a.jobcode_id == customer.id]
    assert [(a.user_id, a.active) for a in rows] == [(admin_id, True)]
    deleted = q.client.delete_assignments([made.id, 999])
    assert [(d.ok, d.status) for d in deleted] == [(True, 200), (False, 417)]
    rows = [a for a in q.client.jobcode_assignments() if a.jobcode_id == customer.id]
    assert [(a.user_id, a.active) for a in rows] == [(admin_id, False)]
    assert q.rec.calls("GET", "jobcode_assignments")[0]["type"] == ["all"]


def test_sandbox_wiring(tmp_path):
    from core.sandbox.server import Sandbox

    store = CompanyStore.from_dict(
        {"xero": {"organisations": []}, "qbtime": blank_qbtime_state(TOKEN, START)}
    )
    with Sandbox(store, clock=ManualClock(START)).start() as sandbox:
        client = QBTimeClient.connect(sandbox.qbtime_token, sandbox.qbtime_base)
        assert client.validate_token().company_name == "Demo Company"
        assert len(client.jobcodes()) == 3
