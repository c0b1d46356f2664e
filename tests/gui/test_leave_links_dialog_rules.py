""" "Link leave types" (wizard/dialogs/leave_links.py) keeps the export's rules: a time-off
code is sent as one leave type only, so a code chosen for two leave types is refused, naming
them; and each row says truthfully whether its time off is sent (a leave type counted in days,
no longer active, or linked to an unpaid code is not). The import review's reason for a leave
type's link says the same (core/engine/plan/leave_types.py)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from core.app.sync import sync
from core.engine.leave import LeaveRow, TimeOffCode
from tests.e2e.conftest import demo_ctx  # noqa: F401  (the Demo Company fixture)
from wizard.dialogs.leave_links import LeaveLinksDialog
from wizard.i18n import install_language

CODES = [
    TimeOffCode(1, "Annual Leave", "pto", True),
    TimeOffCode(2, "Sick Leave", "pto", True),
    TimeOffCode(3, "Unpaid Leave", "unpaid_time_off", True),
]


def row(lid: str, name: str, code: int | None, *, paid=True, active=True, units="Hours"):
    return LeaveRow(lid, name, paid, active, code, "saved", units)


def dialog(qtbot, rows) -> LeaveLinksDialog:
    dlg = LeaveLinksDialog(rows, CODES)
    qtbot.addWidget(dlg)
    return dlg


def choose(dlg: LeaveLinksDialog, index: int, code: int) -> None:
    combo = dlg.combos[index]
    combo.setCurrentIndex(combo.findData(code))


@pytest.fixture
def french(qapp):
    assert install_language("fr")
    yield
    install_language("en")


def test_a_code_chosen_for_two_leave_types_is_refused_naming_them(qtbot):
    dlg = dialog(
        qtbot,
        [row("lt-a", "Annual Leave", 1), row("lt-p", "Personal/Carer's Leave", None)],
    )
    assert dlg.clash.isHidden() and dlg.ok_button.isEnabled()
    choose(dlg, 1, 1)
    assert not dlg.clash.isHidden()
    assert dlg.clash.text() == (
        'The time-off code "Annual Leave" is chosen for more than one leave type: '
        '"Annual Leave", "Personal/Carer\'s Leave". Its time off can be sent as one leave type '
        "only: choose it for one of them."
    )
    assert not dlg.ok_button.isEnabled()
    dlg.accept()  # (Enter, or a direct call: refused too)
    assert dlg.result() != QDialog.DialogCode.Accepted
    choose(dlg, 1, 2)
    assert dlg.clash.isHidden() and dlg.ok_button.isEnabled()
    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.choices() == {"lt-a": 1, "lt-p": 2}


def test_links_saved_twice_before_are_shown_refused_at_once(qtbot):
    dlg = dialog(qtbot, [row("lt-a", "Annual Leave", 1), row("lt-p", "Personal Leave", 1)])
    assert not dlg.clash.isHidden() and not dlg.ok_button.isEnabled()
    assert dlg.clashes() == [("Annual Leave", ["Annual Leave", "Personal Leave"])]


def test_unpaid_leave_types_may_share_a_code_their_time_off_is_never_sent(qtbot):
    dlg = dialog(
        qtbot,
        [
            row("lt-u", "Unpaid Leave", 3, paid=False),
            row("lt-pl", "Parental Leave (unpaid)", 3, paid=False),
        ],
    )
    assert dlg.clash.isHidden() and dlg.ok_button.isEnabled() and dlg.clashes() == []
    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted


def test_the_refusal_in_french(qtbot, french):
    dlg = dialog(qtbot, [row("lt-a", "Congé annuel", 1), row("lt-p", "Congé maladie", 1)])
    assert dlg.clash.text() == (
        "Le code de congé «\u00a0Annual Leave\u00a0» est choisi pour plusieurs types de "
        "congés\u00a0: «\u00a0Congé annuel\u00a0», «\u00a0Congé maladie\u00a0». Ses congés ne "
        "peuvent être envoyés que comme un seul type de congé\u00a0: choisissez-le pour un seul "
        "d’entre eux."
    )
    assert dlg.exports[0].text() == "Payé\u00a0: envoyé à Xero Payroll"


def test_each_row_says_whether_its_time_off_is_sent(qtbot):
    dlg = dialog(
        qtbot,
        [
            row("lt-a", "Annual Leave", 1),
            row("lt-d", "Long Service Leave", None, units="Days"),
            row("lt-w", "Parental Leave", None, units="Weeks"),
            row("lt-s", "Study Leave", None, active=False),
            row("lt-c", "Compassionate Leave", 3),
            row("lt-u", "Unpaid Leave", 3, paid=False),
            row("lt-uk", "Holiday", 2, units=""),  # (UK: Xero does not say; in hours)
        ],
    )
    said = [e.text() for e in dlg.exports]
    assert said == [
        "Paid: sent to Xero Payroll",
        "Counted in days in Xero: not sent",
        "Counted in weeks in Xero: not sent",
        "No longer active in Xero: not sent",
        "Unpaid time-off code: not sent",
        "Unpaid: never sent to Xero",
        "Paid: sent to Xero Payroll",
    ]
    choose(dlg, 4, 2)  # a paid code now: its time off is sent
    assert dlg.exports[4].text() == "Paid: sent to Xero Payroll"
    assert dlg.combos[4].accessibleDescription() == "Paid: sent to Xero Payroll"


def test_the_import_review_says_which_leave_types_are_not_sent(demo_ctx):  # noqa: F811
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    payroll = store.xero_orgs[0]["payroll"]
    next(lt for lt in payroll["LeaveTypes"] if lt["Name"] == "Annual Leave")["TypeOfUnits"] = "Days"
    sick = next(j for j in store.qbtime["jobcodes"] if j["name"] == "Sick Leave")
    for i, (name, kind) in enumerate(
        (("Study Leave", "pto"), ("Long Service Leave", "unpaid_time_off"))
    ):
        store.qbtime["jobcodes"].append({**sick, "id": 17399990 + i, "name": name, "type": kind})
    plan = sync(ctx, conn, dry_run=True).plan
    why = {a.label: a.describe("en") for a in plan.actions if a.entity == "leave_link"}
    assert why == {
        "Annual Leave": "paid leave counted in days in Xero (QuickBooks Time counts hours): its "
        "time off is not sent",
        "Study Leave": "paid leave no longer active in Xero: its time off is not sent",
        "Long Service Leave": "paid leave linked to an unpaid time-off code: its time off is not "
        "sent",
        "Unpaid Leave": "unpaid leave: never exported to Xero",
    }
