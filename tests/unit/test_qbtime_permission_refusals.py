"""QB Time answers 401 to a bad key *and* to a user without the permission: the client tells
them apart with one current_user call, and words per-item permission refusals plainly."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import QBTimePermissionMissing, QBTimeTokenInvalid
from core.i18n import current_language, set_language
from core.sandbox.qbtime import blank_qbtime_state
from core.services.qbtime.client import NEEDS
from tests.unit.test_qbtime_client import START, TOKEN, qbt  # noqa: F401  (the fixture)


def _state(**perms: bool) -> dict[str, Any]:
    state = blank_qbtime_state(TOKEN, START)
    state["users"][0]["permissions"].update(perms)
    return state


def _set_perms(q: Any, **perms: bool) -> None:
    q.qb["users"][0]["permissions"].update(perms)
    q.store.save("qbtime")


def _revoke_on_second_post(q: Any, endpoint: str, change: Any) -> None:
    posts = [0]

    def hook(method: str, path: str) -> None:
        if method == "POST" and path == f"/api/v1/{endpoint}":
            posts[0] += 1
            if posts[0] == 2:
                change()

    q.rec.hook = hook


@pytest.fixture
def english_then_french() -> Any:
    before = current_language()
    yield
    set_language(before)


def test_a_permission_401_mid_run_is_permission_missing_not_a_bad_key(qbt, english_then_french):  # noqa: F811
    q = qbt(batch_size=2)
    _revoke_on_second_post(q, "jobcodes", lambda: _set_perms(q, admin=False, manage_users=True))
    rows = [{"name": f"Job {i}"} for i in range(4)]
    with pytest.raises(QBTimePermissionMissing) as info:
        q.client.create_jobcodes(rows)
    err = info.value
    assert err.status == 401 and err.maybe_applied is False
    assert err.missing == [NEEDS["customers"].words]
    assert len(err.completed) == 2 and all(r.ok for r in err.completed)  # the first batch
    assert [r["name"] for r in err.not_sent] == ["Job 2", "Job 3"]
    en = err.user_message("en")
    assert "cannot create or change customers (jobs)" in en
    assert "did not accept this access key" not in en
    fr = err.user_message("fr")
    assert "ne peut pas créer ou modifier des clients (projets)" in fr
    assert "customers" not in fr
    # exactly one current_user call told the two 401s apart, after the refused POST
    assert [m for m, p, _ in q.rec.seen][-2:] == ["POST", "GET"]
    assert len(q.rec.calls("GET", "current_user")) == 1
    assert [j["name"] for j in q.qb["jobcodes"] if j["name"].startswith("Job")] == [
        "Job 0",
        "Job 1",
    ]


@pytest.mark.parametrize(
    ("call", "endpoint", "need"),
    [
        (
            lambda c: c.create_users([{"username": "u1", "first_name": "A", "last_name": "B"}]),
            "users",
            "team_members",
        ),
        (
            lambda c: c.create_locations([{"addr1": "1 Main St", "country": "US"}]),
            "locations",
            "locations",
        ),
        (
            lambda c: c.create_customfields(
                [{"name": "CF", "applies_to": "timesheet", "type": "free-form"}]
            ),
            "customfields",
            "items",
        ),
    ],
)
def test_each_refused_write_names_what_it_was_for(qbt, call, endpoint, need):  # noqa: F811
    q = qbt(_state(admin=False))
    with pytest.raises(QBTimePermissionMissing) as info:
        call(q.client)
    assert info.value.missing == [NEEDS[need].words]
    assert NEEDS[need].words in info.value.user_message("en")


def test_a_revoked_key_mid_run_is_still_token_invalid(qbt):  # noqa: F811
    q = qbt(batch_size=2)

    def revoke() -> None:
        q.qb["token"] = "S.4__a-new-one"
        q.store.save("qbtime")

    _revoke_on_second_post(q, "jobcodes", revoke)
    with pytest.raises(QBTimeTokenInvalid) as info:
        q.client.create_jobcodes([{"name": f"Job {i}"} for i in range(4)])
    assert info.value.status == 401 and info.value.maybe_applied is False
    assert len(info.value.completed) == 2
    assert "did not accept this access key" in info.value.user_message("en")
    assert len(q.rec.calls("GET", "current_user")) == 1  # checked once, no loop


def test_a_bad_key_at_current_user_is_not_checked_again(qbt):  # noqa: F811
    q = qbt(token="S.4__wrong")
    with pytest.raises(QBTimeTokenInvalid):
        q.client.current_user()
    assert len(q.rec.calls("GET", "current_user")) == 1


def test_per_item_permission_refusals_read_plainly_in_english_and_french(qbt, english_then_french):  # noqa: F811
    q = qbt(_state(admin=False, manage_jobcodes=True))
    jid = q.qb["jobcodes"][0]["id"]
    me = q.qb["current_user_id"]
    set_language("en")
    [res] = q.client.create_assignments([{"user_id": me, "jobcode_id": jid}])
    assert not res.ok and res.status == 417
    assert "may not manage this team member" in res.message
    assert NEEDS["assignments"].words in res.message and "Oops" not in res.message
    set_language("fr")
    [res] = q.client.create_assignments([{"user_id": me, "jobcode_id": jid}])
    assert "ne peut pas gérer ce membre de l’équipe" in res.message
    assert "attribuer des clients aux membres de l’équipe" in res.message


def test_per_item_permission_refusal_of_a_delete(qbt, english_then_french):  # noqa: F811
    q = qbt()
    jid = q.qb["jobcodes"][0]["id"]
    [made] = q.client.create_assignments([{"user_id": q.qb["current_user_id"], "jobcode_id": jid}])
    assert made.ok
    _set_perms(q, admin=False, manage_jobcodes=True)
    set_language("en")
    [res] = q.client.delete_assignments([made.id])
    assert not res.ok and "may not manage this team member" in res.message
    # other per-item failures keep QuickBooks Time's own words
    [gone] = q.client.delete_assignments([123])
    assert gone.message == "That id is not found in the database"
