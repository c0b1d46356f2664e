"""What the review screen says a link changes is what the plan writes (core.engine.plan's rules)."""

from __future__ import annotations

from core.app.review_screen import link_changes
from core.engine.matching import Candidate, Conflict
from core.engine.names import NAME_LIMIT


def _cand(name: str, *, archived: bool = False, email: str = "") -> Candidate:
    return Candidate(
        qbt_id=7,
        name=name,
        score=90.0,
        reason_code="similar",
        reason="similar",
        archived=archived,
        email=email,
    )


def _conflict(kind: str, name: str, **details: object) -> Conflict:
    return Conflict(
        kind=kind,
        xero_id="x1",
        xero_name=name,
        problem="near_match",
        candidates=(),
        fingerprint="0" * 16,
        details=details,
    )


def _by_field(conflict: Conflict, cand: Candidate) -> dict[str, tuple[str, bool]]:
    return {c.field: (c.after, c.changes) for c in link_changes(conflict, cand)}


def test_a_linked_customer_takes_the_xero_name_and_is_restored():
    got = _by_field(
        _conflict("customer", " Bondi Beach Café "), _cand("Bondi Beach Cafe", archived=True)
    )
    assert got == {"name": ("Bondi Beach Café", True), "status": ("active", True)}


def test_a_name_quickbooks_time_cannot_take_is_not_written():
    got = _by_field(_conflict("customer", "x" * (NAME_LIMIT + 1)), _cand("Short"))
    assert got["name"] == ("Short", False)
    assert _by_field(_conflict("item", "   "), _cand("Kept"))["name"] == ("Kept", False)


def test_a_time_off_code_is_only_linked():
    got = _by_field(_conflict("leave_type", "Annual Leave"), _cand("Vacation", archived=True))
    assert got == {"name": ("Vacation", False), "status": ("archived", False)}


def test_an_employee_takes_a_valid_xero_email_only():
    emp = _conflict("employee", "Ann Lee", email="ann@example.com", active=True)
    assert _by_field(emp, _cand("Ann Lee", email="old@example.com"))["email"] == (
        "ann@example.com",
        True,
    )
    same = _conflict("employee", "Ann Lee", email="ANN@example.com", active=True)
    assert _by_field(same, _cand("Ann Lee", email="ann@example.com"))["email"] == (
        "ann@example.com",
        False,
    )  # QuickBooks Time e-mails ignore case: nothing to write
    bad = _conflict("employee", "Ann Lee", email="not an e-mail", active=True)
    assert _by_field(bad, _cand("Ann Lee", email="ann@example.com"))["email"] == (
        "ann@example.com",
        False,
    )


def test_a_former_employee_archives_the_linked_user():
    got = _by_field(_conflict("employee", "Ann Lee", email="", active=False), _cand("Ann Lee"))
    assert got["status"] == ("archived", True)
