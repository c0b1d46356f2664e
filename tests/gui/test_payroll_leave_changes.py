"""The send-hours preview shows leave that changed in QuickBooks Time after it was sent: an
update with what Xero holds now, a withdrawal, and leave in a posted pay run left as it is,
in English and in French (wizard/pages/payroll_preview.py over core.engine.payroll)."""

from __future__ import annotations

import pytest

from core.engine import payroll as eng
from wizard.i18n import install_language
from wizard.pages.payroll_preview import person_line


def _olivia() -> eng.PersonPlan:
    person = eng.PersonPlan("Olivia Brown", 1, "emp-1", action="unchanged")
    person.leave = [
        eng.LeaveBlock(
            "lt-annual",
            "Annual Leave",
            {"2026-11-19": 7.6, "2026-11-20": 3.8},
            [],
            "update",
            "lv1",
            ("2026-11-19", "2026-11-20", 15.2),
        ),
        eng.LeaveBlock(
            "lt-annual",
            "Annual Leave",
            {},
            [],
            "withdraw",
            "lv2",
            ("2026-11-24", "2026-11-24", 7.6),
        ),
        eng.LeaveBlock(
            "lt-personal",
            "Personal Leave",
            {"2026-11-25": 3.0},
            [],
            "locked",
            "lv3",
            ("2026-11-25", "2026-11-25", 7.6),
        ),
        eng.LeaveBlock("lt-annual", "Annual Leave", {"2026-11-26": 7.6}, [], "unchanged", "lv4"),
    ]
    return person


@pytest.fixture
def french(qapp):
    assert install_language("fr")
    yield
    install_language("en")


def test_leave_changes_show_before_and_after_and_count_what_is_sent(qapp):
    line = person_line(_olivia())
    texts = [t for t, _h in line.leave]
    assert texts[0] == (
        "Annual Leave, Thu 19 – Fri 20 (changed in QuickBooks Time; in Xero now: Thu 19 – Fri 20,"
        " 15.20 h)"
    )
    assert texts[1] == (
        "Annual Leave, Tue 24 (no longer approved in QuickBooks Time: withdrawn from Xero, 7.60 h"
        " there now)"
    )
    assert texts[2] == "Personal Leave, Wed 25 (in a pay run Xero has posted: left as it is)"
    assert texts[3] == "Annual Leave, Thu 26 (already in Xero)"
    # hours shown: the update's new hours, nothing for the withdrawal, what stays in Xero for
    # the posted one; sent: the update and the withdrawal (2 leave records, 11.4 h)
    assert [h for _t, h in line.leave] == [pytest.approx(11.4), 0.0, 7.6, 7.6]
    assert line.leave_count == 2 and line.leave_hours == pytest.approx(11.4)


def test_leave_changes_in_french(french):
    texts = [t for t, _h in person_line(_olivia()).leave]
    assert texts[0].endswith(
        "(modifié dans QuickBooks Time\u00a0; dans Xero actuellement\u00a0: jeu. 19 – ven. 20,"
        " 15,20 h)"
    )
    assert "(n’est plus approuvé dans QuickBooks Time\u00a0: retiré de Xero" in texts[1]
    assert "7,60 h" in texts[1]
    assert texts[2].endswith(
        "(dans un cycle de paie comptabilisé dans Xero\u00a0: laissé tel quel)"
    )


def test_a_sending_that_withdrew_leave_says_so_in_the_history(qapp):
    from wizard.words import outcome_lines

    outcomes = {"updated": {"leave": 1}, "withdrawn": {"leave": 2}}
    assert outcome_lines(outcomes) == ["Time off: 1 updated, 2 withdrawn"]
    assert install_language("fr")
    try:
        (line,) = outcome_lines(outcomes)
        assert line.endswith("2 retirés") and "withdrawn" not in line
    finally:
        install_language("en")
