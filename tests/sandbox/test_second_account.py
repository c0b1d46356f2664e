"""The Demo Company's second QuickBooks Time account (for a second business in one install):
its own key opens its own company at the same address, as every QuickBooks Time account is
reached; the first account's key still opens only the first; a wrong key is refused as
before; the account and its key are remembered in the state folder."""

from __future__ import annotations

import requests

from core.sandbox.server import DEMO_COMPANY_FILE, SECOND_ACCOUNT, SECOND_ACCOUNT_DIR, Sandbox


def _current_user(box: Sandbox, token: str) -> requests.Response:
    return requests.get(
        box.qbtime_base + "/current_user",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def _company(answer: requests.Response) -> str:
    users = answer.json()["results"]["users"]
    return next(iter(users.values()))["company_name"]


def test_each_key_opens_its_own_account(tmp_path):
    with Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state") as box:
        first, second = box.qbtime_tokens
        assert first == box.qbtime_token and second and second != first
        assert _company(_current_user(box, first)) == box.store.qbtime["company"]["name"]
        assert _company(_current_user(box, second)) == SECOND_ACCOUNT["company_name"]
        assert _current_user(box, second + "x").status_code == 401
        # A new sign-up: only its administrator, none of the first account's team.
        answer = requests.get(
            box.qbtime_base + "/users",
            headers={"Authorization": f"Bearer {second}"},
            timeout=10,
        )
        assert len(answer.json()["results"]["users"]) == 1
        assert box.describe()["qbtime_tokens"] == [first, second]
    assert (tmp_path / "state" / SECOND_ACCOUNT_DIR / "qbtime.json").exists()
    with Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state") as again:
        assert again.qbtime_tokens == [first, second]  # remembered, key and all
