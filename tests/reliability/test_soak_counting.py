"""The soak's own counting: duplicates (NFC/NFD spellings are one name, archived records count)
and faults (by kind and method)."""

from __future__ import annotations

import unicodedata

from tests.reliability.support import duplicates


def job(jid, name, active=True, parent=0):
    return {"id": jid, "name": name, "type": "regular", "active": active, "parent_id": parent}


def user(uid, first, last, email, active=True):
    return {
        "id": uid,
        "first_name": first,
        "last_name": last,
        "email": email,
        "username": f"u{uid}",
        "active": active,
    }


def test_an_nfd_spelling_is_the_same_name():
    nfd = unicodedata.normalize("NFD", "Café Crème")
    assert nfd != "Café Crème"
    assert duplicates({"jobcodes": [job(1, "Café Crème"), job(2, nfd)]})
    assert duplicates(
        {
            "users": [
                user(1, "Zoë", "Côté", "z@x"),
                user(2, unicodedata.normalize("NFD", "Zoë"), "Côté", "z@x"),
            ]
        }
    )


def test_an_active_record_beside_an_archived_one_is_a_duplicate_two_archived_are_history():
    found = duplicates({"jobcodes": [job(1, "Harbour View"), job(2, "harbour view", active=False)]})
    assert found == [
        "an active and 1 archived top-level jobcodes named ('harbour view', 'regular')"
    ]
    assert (
        duplicates({"jobcodes": [job(1, "Old", active=False), job(2, "Old", active=False)]}) == []
    )
    assert duplicates(
        {"users": [user(1, "Ann", "Lee", "a@x"), user(2, "Ann", "Lee", "A@X", active=False)]}
    )
    items = [
        {"id": 1, "customfield_id": 7, "name": "Mowing", "active": True},
        {"id": 2, "customfield_id": 7, "name": "mowing", "active": False},
    ]
    assert duplicates({"customfielditems": items})


def test_different_names_and_children_are_not_duplicates():
    qbt = {
        "jobcodes": [
            job(1, "Harbour View"),
            job(2, "Harbour Views"),
            job(3, "Harbour View", parent=1),
        ],
        "users": [user(1, "Ann", "Lee", "a@x"), user(2, "ANN", "LEE", "b@x")],
    }
    assert duplicates(qbt) == []


def test_faults_are_counted_by_kind_and_method_and_a_kind_never_injected_is_a_miss(monkeypatch):
    from collections import Counter

    from core.sandbox.common import FaultPlan
    from tests.reliability import support

    monkeypatch.setattr(support, "FAULTS", Counter())
    monkeypatch.setattr(support, "FAULT_KINDS", {"QuickBooks Time": ("500", "reset")})
    plan = FaultPlan(seed=1)
    support.count_faults(plan, "QuickBooks Time")
    plan.force("500", 2, method="POST")
    plan.force("500", 1, method="GET")
    assert [plan.pick("POST", "/jobcodes") for _ in range(3)] == ["500", "500", None]
    assert plan.pick("GET", "/users") == "500"
    rows = {r["name"]: r for r in support.fault_figures()}
    five = rows["fault soak: QuickBooks Time faults injected, 500"]
    assert (five["value"], five["meets"], five["note"]) == (3, True, "GET 1, POST 2")
    reset = rows["fault soak: QuickBooks Time faults injected, reset"]
    assert (reset["value"], reset["meets"]) == (0, False)
