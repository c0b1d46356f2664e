"""The hours preview says why leave is withdrawn: when its time-off code is linked to another
leave type now, not "no longer approved in QuickBooks Time" (which was false)."""

from __future__ import annotations

from core.engine.payroll import LeaveBlock, PersonPlan
from wizard.pages.payroll_preview import person_line


def _person(block: LeaveBlock) -> PersonPlan:
    person = PersonPlan("Olivia Brown", 7)
    person.leave = [block]
    return person


def test_a_leave_withdrawn_because_its_code_is_relinked_says_so(qapp):
    gone = LeaveBlock(
        "lt-1", "Annual Leave", {}, [], "withdraw", "x-1", ("2026-12-10", "2026-12-11", 15.2)
    )
    gone.relinked_to = "Personal/Carer's Leave"
    ((text, _hours),) = person_line(_person(gone)).leave
    assert (
        "(its code is linked to Personal/Carer's Leave now: withdrawn from Xero, 15.20 h there now)"
        in text
    )
    assert "no longer approved" not in text


def test_a_leave_whose_time_off_is_gone_keeps_its_words(qapp):
    gone = LeaveBlock(
        "lt-1", "Annual Leave", {}, [], "withdraw", "x-1", ("2026-12-10", "2026-12-11", 15.2)
    )
    ((text, _hours),) = person_line(_person(gone)).leave
    assert "no longer approved in QuickBooks Time" in text
