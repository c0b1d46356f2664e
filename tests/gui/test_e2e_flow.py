"""The whole wizard against the Demo Company, as a person would walk it (pytest-qt).

AU: payroll (employees, leave), conflict decisions, CSV round trip, import, undo from Done,
then the app opened again on "Import again" after a change in Xero.
CA: no payroll, keyboard only through every page.
"""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from core.services.auth.xero_oauth import demo_consent_opener
from core.store.models import Decision
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard


def _wait(qtbot, cond, timeout=30000):
    qtbot.waitUntil(cond, timeout=timeout)


def _active_jobcodes(box):
    return sorted((j["parent_id"], j["name"]) for j in box.store.qbtime["jobcodes"] if j["active"])


def _walk_to_options(qtbot, wizard, box, country, *, keyboard=False):
    pages = wizard.pages
    welcome = pages[PageId.WELCOME]
    qtbot.keyClicks(welcome.search, {"AU": "Australia", "CA": "Canada"}[country])
    qtbot.keyClick(welcome.search, Qt.Key.Key_Return)
    assert welcome.isComplete()
    _next(qtbot, wizard, PageId.QBTIME, keyboard)

    qbt = pages[PageId.QBTIME]
    qbt.key_edit.setFocus()
    qtbot.keyClicks(qbt.key_edit, box.qbtime_token)
    qtbot.keyClick(qbt.key_edit, Qt.Key.Key_Return)  # Enter checks the key
    _wait(qtbot, lambda: not qbt.busy and qbt.isComplete())
    _next(qtbot, wizard, PageId.XERO_CONNECT, keyboard)

    xero = pages[PageId.XERO_CONNECT]
    _wait(qtbot, lambda: not xero.busy)  # it first checks for an earlier sign-in
    xero.connect_button.setFocus()
    qtbot.keyClick(xero.connect_button, Qt.Key.Key_Space)
    try:
        _wait(qtbot, lambda: not xero.busy and xero.isComplete())
    except Exception:
        raise AssertionError(
            f"xero page stuck: busy={xero.busy} banner={xero.banner.label.text()!r} "
            f"orgs={wizard.state.organisations}"
        ) from None
    _next(qtbot, wizard, PageId.ORGANISATION, keyboard)

    org = pages[PageId.ORGANISATION]
    _wait(qtbot, lambda: org.isComplete() or org.payroll_access.isVisible())
    if org.payroll_access.isVisible():  # payroll organisation, sign-in without payroll access
        org.payroll_button.setFocus()
        qtbot.keyClick(org.payroll_button, Qt.Key.Key_Space)
    _wait(qtbot, lambda: not org.busy and org.isComplete())
    _next(qtbot, wizard, PageId.OPTIONS, keyboard)
    options = pages[PageId.OPTIONS]
    _wait(qtbot, lambda: not options.busy)
    return options


def _next(qtbot, wizard, expected, keyboard):
    if keyboard:
        # Tab to Next (or "Start import") and press Space, as a keyboard user would
        # (the offscreen platform has no Alt mnemonics).
        which = (
            wizard.WizardButton.CommitButton
            if wizard.currentPage().isCommitPage()
            else wizard.WizardButton.NextButton
        )
        button = wizard.button(which)
        assert button.isVisible() and button.isEnabled()
        button.setFocus()
        qtbot.keyClick(button, Qt.Key.Key_Space)
    else:
        wizard.next()
    _wait(qtbot, lambda: wizard.currentId() == int(expected), 10000)


@pytest.fixture
def make_wizard(demo_env, qtbot):
    made = []

    def make(state, **kwargs):
        wizard = BridgeWizard(state, **kwargs)
        qtbot.addWidget(wizard)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.stop_background_work()


def test_australian_organisation_end_to_end(demo_env, make_wizard, qtbot, tmp_path):
    ctx, box, _tenants = demo_env
    before = _active_jobcodes(box)
    state = WizardState(ctx)
    wizard = make_wizard(state)
    _walk_to_options(qtbot, wizard, box, "AU")
    assert state.has_payroll() and state.fetched
    assert wizard.pages[PageId.OPTIONS].payroll_group.isVisible()
    wizard.next()

    review = wizard.pages[PageId.REVIEW]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.REVIEW) and not review.busy)
    total = review.proxy.rowCount()
    assert total > 10 and review.isComplete()  # Next is open; the undecided records wait
    assert review.waiting_label.text() == f"{total} records will wait for your decision"
    # One decision by hand: link the first near match.
    review.table.selectRow(0)
    review.link_button.click()
    conn = state.connection()
    assert Decision.select().where(Decision.connection == conn).count() == 1
    # The rest through an accountant's spreadsheet: export, fill "skip", import back.
    path = tmp_path / "review.csv"
    from core.app.review_screen import load_review
    from core.engine import review as core_review

    loaded = load_review(conn, state.options)
    core_review.export_csv(conn, loaded.rows, path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    for row in table:
        if not row["decision"] and row["problem"] != "no_match":
            row["decision"] = "skip"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    report = core_review.import_csv(conn, loaded.conflicts, path)
    assert report.applied >= total - 1 and not report.problems
    wizard.back()
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.OPTIONS))
    wizard.next()
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.REVIEW) and not review.busy)
    assert review.isComplete() and review.waiting_label.text() == ""  # every conflict decided

    wizard.next()
    preview = wizard.pages[PageId.PREVIEW]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.PREVIEW) and not preview.busy)
    assert state.plan is not None and state.plan.actions and not state.plan.conflicts
    wizard.next()
    run = wizard.pages[PageId.IMPORT]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.IMPORT))
    _wait(qtbot, lambda: not run.running, 60000)
    assert state.last_run is not None and state.last_run.status == "done"
    users = [u for u in box.store.qbtime["users"] if u["active"]]
    assert any(u["permissions"].get("time_tracking") for u in users)
    assert _active_jobcodes(box) != before
    names = [j["name"] for j in box.store.qbtime["jobcodes"] if j["active"] and j["parent_id"] == 0]
    assert len(names) == len(set(names)), "no duplicate customers"

    wizard.next()
    done = wizard.pages[PageId.DONE]
    _wait(qtbot, lambda: wizard.currentId() == int(PageId.DONE) and not done.busy)
    done.undo_button.click()
    question = done._question  # the non-blocking confirmation; its safe default is "keep"
    accept = next(
        b for b in question.buttons() if question.buttonRole(b) == question.ButtonRole.AcceptRole
    )
    accept.click()
    _wait(qtbot, lambda: not done.busy, 60000)
    assert _active_jobcodes(box) == before  # undo restored QuickBooks Time
    wizard.stop_background_work()
    wizard.close()

    # Opened again: "Import again" after a change in Xero.
    contact = next(
        c
        for c in box.store.xero_orgs[0]["Contacts"]
        if c.get("IsCustomer") and c["ContactStatus"] == "ACTIVE"
    )
    contact["Name"] = contact["Name"] + " Renamed"
    contact["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 60000}+0000)/"
    state2 = WizardState(ctx, connection_id=state.connection_id, country="AU")
    again = make_wizard(state2, already_set_up=True)
    home = again.pages[PageId.HOME]
    assert again.currentId() == int(PageId.HOME)
    _wait(qtbot, lambda: not home.busy)
    assert "Nothing changed" not in home.changes_label.text()
    assert home.changes_label.text().strip()


def test_canadian_organisation_keyboard_only(demo_env, make_wizard, qtbot):
    ctx, box, tenants = demo_env
    ctx.opener = demo_consent_opener([tenants["CA"]])
    state = WizardState(ctx)
    wizard = make_wizard(state)
    wizard.activateWindow()
    qtbot.waitActive(wizard)
    options = _walk_to_options(qtbot, wizard, box, "CA", keyboard=True)
    assert not state.has_payroll()
    assert not options.payroll_group.isVisible()
    _next(qtbot, wizard, PageId.REVIEW, keyboard=True)
    review = wizard.pages[PageId.REVIEW]
    _wait(qtbot, lambda: not review.busy)
    assert review.isComplete()  # what is not decided waits for the next time
    _next(qtbot, wizard, PageId.PREVIEW, keyboard=True)
    preview = wizard.pages[PageId.PREVIEW]
    _wait(qtbot, lambda: not preview.busy)
    _next(qtbot, wizard, PageId.IMPORT, keyboard=True)  # "Start import"
    run = wizard.pages[PageId.IMPORT]
    _wait(qtbot, lambda: not run.running, 60000)
    assert state.last_run.status == "done"
    assert not any(u for u in box.store.qbtime["users"] if u.get("username", "").startswith("xero"))
