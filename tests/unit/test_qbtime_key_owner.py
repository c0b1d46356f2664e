"""What QuickBooks Time answers ``GET /current_user`` for a key of someone who is not an
administrator, and how the product reads it (issue 15, "before the hard part")."""

from __future__ import annotations


# ---------------------------------------------------------------------------- the simulator
def _current_user_answer(permissions: dict, groups: list[int]) -> dict:
    """``GET /current_user`` from the QuickBooks Time simulator for a key of such a user."""
    from werkzeug.test import Client

    from core.sandbox.common import CompanyStore, ManualClock
    from core.sandbox.qbtime import QBTimeSimulator, blank_qbtime_state

    token = "S.1__" + "ab" * 20
    state = blank_qbtime_state(token, 1_700_000_000.0)
    user = next(u for u in state["users"] if u["id"] == state["current_user_id"])
    user["permissions"].update(permissions)
    user["manager_of_group_ids"] = groups
    store = CompanyStore.from_dict({"xero": {"organisations": []}, "qbtime": state})
    sim = QBTimeSimulator(store, ManualClock(1_700_000_000.0))

    def app(environ, start_response):
        from werkzeug.wrappers import Request

        return sim.handle(Request(environ))(environ, start_response)

    answer = Client(app).get("/api/v1/current_user", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200  # a valid key of a non-administrator is not refused
    return next(iter(answer.get_json()["results"]["users"].values()))


def test_a_team_members_key_does_not_see_its_own_permissions():
    """Docs (Users): permissions and the other private fields are "exposed only to managers
    and admins"; pay_rate is "only visible to admins"."""
    member = _current_user_answer({"admin": False}, [])
    assert "permissions" not in member and "username" not in member and "pay_rate" not in member
    assert member["company_name"] and member["client_url"]  # not private
    manager = _current_user_answer({"admin": False}, [7])
    assert manager["permissions"]["admin"] is False and "pay_rate" not in manager
    admin = _current_user_answer({"admin": True}, [])
    assert admin["permissions"]["admin"] is True and "pay_rate" in admin
    # The product reads a missing "permissions" as no permission: not an administrator.
    from core.services.qbtime.client import QBTimeClient
    from core.services.qbtime.mapping import current_user

    assert QBTimeClient.check_permissions(current_user(member))  # something is missing
    assert not current_user(member).is_admin
