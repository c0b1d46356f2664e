"""Send hours to Xero (issue 13), the wizard's way: from the home page, the pay period, what
cannot be sent, the preview per person, sending, the result with Undo — on the Demo Company's
AU organisation (imported first), in English and in French."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from core.app.sync import current_plan, import_plan, load_options
from core.store.models import ImportRun
from wizard.i18n import install_language
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 20000


def _imported(ctx, conn):
    """The Demo Company imported as a user would on the first run (employees linked)."""
    options = load_options(conn)
    run, _importer = import_plan(ctx, conn, current_plan(conn, options)[1], options=options)
    assert run is not None and run.status == "done"


def _window(ctx, conn, qtbot, country="AU"):
    state = WizardState(ctx, country=country, connection_id=conn.id)
    wiz = BridgeWizard(state, already_set_up=True)
    # the workers finish before the window and the database go (no task left at teardown)
    qtbot.addWidget(wiz, before_close_func=lambda w: w.tasks.wait(WAIT))
    wiz.show()
    home = wiz.pages[PageId.HOME]
    qtbot.waitUntil(lambda: not home.busy and home._info is not None, timeout=WAIT)
    return wiz, home


def _page(wiz, qtbot, page_id):
    qtbot.waitUntil(lambda: wiz.currentId() == int(page_id), timeout=WAIT)
    page = wiz.pages[page_id]
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    return page


def _click_next(wiz, qtbot, which=QWizard.WizardButton.NextButton):
    button = wiz.button(which)
    qtbot.waitUntil(button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _answer_yes(qtbot, box: QMessageBox):
    qtbot.waitUntil(box.isVisible, timeout=WAIT)
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(box) or not box.isVisible(), timeout=WAIT)


def _draft_hours(box, tenant):
    """Hours in the AU organisation's draft timesheets, as Xero holds them."""
    org = next(o for o in box.store.xero_orgs if o["tenantId"] == tenant)
    total = 0.0
    for sheet in (org.get("payroll") or {}).get("Timesheets") or []:
        if str(sheet.get("Status", "")).upper() != "DRAFT":
            continue
        for line in sheet.get("TimesheetLines") or []:
            total += sum(float(u or 0) for u in line.get("NumberOfUnits") or [])
    return round(total, 2)


def _cells(table, column):
    return [table.item(r, column).text() for r in range(table.rowCount()) if table.item(r, column)]


def test_home_offers_send_hours_only_for_payroll_organisations(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible(), timeout=WAIT)
    assert home.send_hours_button.text() == "&Send hours to Xero…"
    assert wiz.state.payroll_available


def test_no_send_hours_for_an_organisation_without_xero_payroll(demo_env, qtbot):
    """A Canadian organisation has no Xero Payroll: no way there, and nothing says otherwise."""
    from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
    from core.services.auth.xero_oauth import demo_consent_opener

    ctx, box, tenants = demo_env
    ctx.opener = demo_consent_opener([tenants["CA"]])
    out = Output(as_json=True, stream=open("/dev/null", "w"))
    cmd_connect_qbtime(ctx, out, box.qbtime_token)
    cmd_connect_xero(ctx, out, None, None)
    ca = pick_connection(None)
    assert ca is not None and ca.xero_tenant_id == tenants["CA"]
    wiz, home = _window(ctx, ca, qtbot, country="CA")
    qtbot.waitUntil(lambda: not wiz.tasks.busy(), timeout=WAIT)  # the check ran
    assert not home.payroll_box.isVisible() and not wiz.state.payroll_available
    with pytest.raises(ValueError):
        wiz.state.start_detour(PageId.HOME, PageId.PAYROLL_PERIOD)


def test_send_hours_period_problems_preview_send_result_and_undo(connected_env, qtbot):
    from core.app.payroll import org_today, pay_periods, preview_hours

    ctx, box, tenants, conn = connected_env
    _imported(ctx, conn)
    drafts_before = _draft_hours(box, tenants["AU"])
    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)

    # 1. The period: the calendar's periods, the last one that has ended chosen.
    period_page = _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    periods = pay_periods(ctx, conn)
    assert period_page.periods.count() == len(periods) >= 2
    chosen = period_page.chosen()
    today = org_today(conn)  # in the organisation's time zone
    assert chosen.end < today
    assert all(p.end >= today or p.end <= chosen.end for p in periods)
    assert "suggested" in period_page.periods.currentItem().text()
    assert wiz.button(QWizard.WizardButton.NextButton).text() == "&Preview"
    _click_next(wiz, qtbot)

    # 2. What cannot be sent: the demo's traps, each with its reason and what to do.
    problems = _page(wiz, qtbot, PageId.PAYROLL_PROBLEMS)
    who = _cells(problems.table, 0)
    reasons = _cells(problems.table, 1)
    assert "Dave Kowalski" in who  # no Xero employee
    assert "Jack Wilson" in who  # no pay calendar
    assert "Noah Williams" in who  # ordinary earnings rate no longer current
    assert all(len(r) > 20 for r in reasons)
    preview = wiz.state.payroll_preview
    assert len(who) == len(preview.problems)
    _click_next(wiz, qtbot)

    # 3. The preview per person; the total row adds up to the headline.
    page = _page(wiz, qtbot, PageId.PAYROLL_PREVIEW)
    regular, leave = page.totals()
    assert regular > 0
    people = {line.name: line for line in page._lines}
    assert "Olivia Brown" in people
    assert page.table.rowCount() == len(page._lines) + 1
    total_row = page.table.rowCount() - 1
    assert page.table.item(total_row, 2).text() == f"{regular + leave:.2f}"
    assert f"{regular:.2f} hours of work" in page.headline.text()
    assert page.table.item(total_row, 1).text() == (
        f"{regular:.2f} hours of work, {leave:.2f} hours of time off"
    )
    shown = [page.table.item(r, 2).text() for r in range(total_row)]
    assert round(sum(float(h) for h in shown), 2) == pytest.approx(regular + leave)  # adds up
    assert wiz.button(QWizard.WizardButton.NextButton).text() == "&Send to Xero"
    sent_people = [line for line in page._lines if line.action in ("create", "update")]
    _click_next(wiz, qtbot)

    # 4./5. Sending, then the result on its own: the preview's numbers.
    done = _page(wiz, qtbot, PageId.PAYROLL_DONE)
    data = wiz.state.payroll_result.as_json()
    assert data["hours"]["regular"] == pytest.approx(regular)
    assert data["hours"]["leave"] == pytest.approx(leave)
    assert data["timesheets"]["created"] + data["timesheets"]["updated"] == len(sent_people)
    assert f"{regular:.2f} hours of work" in done.numbers.text()
    assert "draft timesheets wait for your approval" in done.next_steps.text()
    assert _draft_hours(box, tenants["AU"]) == pytest.approx(drafts_before + regular)
    run = ImportRun.get_by_id(data["run_id"])
    assert run.kind == "payroll_export"

    # Undo: asks first, then Xero is as before and the same period would be sent again.
    qtbot.mouseClick(done.undo_button, Qt.MouseButton.LeftButton)
    _answer_yes(qtbot, done.question)
    qtbot.waitUntil(lambda: not done.busy and done._undone is not None, timeout=WAIT)
    assert done._undone == "undone", done.banner.label.text()
    assert "undone" in done.status.text()
    assert not done.undo_button.isEnabled()
    assert "Nothing from this sending waits in Xero" in done.next_steps.text()
    assert _draft_hours(box, tenants["AU"]) == pytest.approx(drafts_before)
    # the same hours would go again (AU payroll 1.0 has no DELETE: our draft is emptied, so
    # it is updated rather than created)
    again = {p.name: p for p in preview_hours(ctx, conn, chosen.start).people}
    for person in preview.people:
        if person.action in ("create", "update"):
            assert again[person.name].action in ("create", "update")
            assert again[person.name].regular_hours == person.regular_hours


def test_sending_again_writes_nothing_and_says_so(connected_env, qtbot):
    from core.app.payroll import preview_hours, send_hours

    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    period = wiz.state.payroll_preview  # nothing chosen yet
    assert period is None
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    page = _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    send_hours(ctx, conn, preview_hours(ctx, conn, page.chosen().start))  # sent already
    _click_next(wiz, qtbot)
    qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD), timeout=WAIT)
    if wiz.currentId() == int(PageId.PAYROLL_PROBLEMS):
        _click_next(wiz, qtbot)
    preview = _page(wiz, qtbot, PageId.PAYROLL_PREVIEW)
    assert preview.headline.text().startswith("Nothing to send")
    assert not wiz.button(QWizard.WizardButton.NextButton).isEnabled()  # nothing to send twice


def test_send_hours_pages_in_french(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    assert install_language("fr")
    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    assert home.send_hours_button.text() == "&Envoyer les heures à Xero…"
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    page = _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    assert page.title() == "Envoyer les heures à Xero\u00a0: la période de paie"
    assert "(proposée\u00a0: la dernière période terminée)" in page.periods.currentItem().text()
    assert wiz.button(QWizard.WizardButton.NextButton).text() == "&Aperçu"
    _click_next(wiz, qtbot)
    problems = _page(wiz, qtbot, PageId.PAYROLL_PROBLEMS)
    assert problems.title() == "Envoyer les heures à Xero\u00a0: ce qui ne peut pas être envoyé"
    assert problems.table.horizontalHeaderItem(1).text() == "Pourquoi, et que faire"
    _click_next(wiz, qtbot)
    preview = _page(wiz, qtbot, PageId.PAYROLL_PREVIEW)
    assert preview.title() == "Envoyer les heures à Xero\u00a0: aperçu"
    assert preview.headline.text().startswith("À envoyer\u00a0:")
    assert "," in preview.table.item(preview.table.rowCount() - 1, 2).text()  # 40,75
    assert wiz.button(QWizard.WizardButton.NextButton).text() == "&Envoyer à Xero"
    _click_next(wiz, qtbot)
    done = _page(wiz, qtbot, PageId.PAYROLL_DONE)
    assert done.title() == "Envoyer les heures à Xero\u00a0: résultat"
    assert done.undo_button.text() == "&Défaire cet envoi…"
    assert done.next_heading.text() == "Que faire ensuite dans Xero"
    assert done.numbers.text().startswith("Feuilles de temps — nouvelles\u00a0:")
    assert "Total de la période\u00a0:" in done.numbers.text()
    assert "attendent votre approbation" in done.next_steps.text()
    for text in (done.status.text(), done.numbers.text(), done.next_steps.text()):
        assert "hours" not in text.lower() and "draft" not in text.lower()


def test_stopping_while_sending_asks_first_and_leads_to_the_result(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    wiz, home = _window(ctx, conn, qtbot)
    # as soon as it shows, also while the home page still checks Xero for changes
    qtbot.waitUntil(home.payroll_box.isVisible, timeout=WAIT)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    _click_next(wiz, qtbot)
    while wiz.currentId() != int(PageId.PAYROLL_SEND):
        _page(wiz, qtbot, PageId(wiz.currentId()))
        if wiz.currentId() == int(PageId.PAYROLL_PREVIEW):
            break
        _click_next(wiz, qtbot)
    # The sending waits until Escape has been pressed (the worker holds on its first step).
    send = wiz.pages[PageId.PAYROLL_SEND]
    import threading

    from wizard.pages import payroll_send

    release = threading.Event()
    real = payroll_send.send_task

    def held(*args, progress=None, cancel=None):
        release.wait(10)
        return real(*args, progress=progress, cancel=cancel)

    payroll_send.send_task = held
    try:
        _click_next(wiz, qtbot)
        qtbot.waitUntil(lambda: send.running, timeout=WAIT)
        qtbot.keyClick(wiz, Qt.Key.Key_Escape)
        assert wiz.isVisible()  # asked, not closed
        qtbot.waitUntil(lambda: send.question is not None and send.question.isVisible())
        _answer_yes(qtbot, send.question)
        assert send._cancel.is_set()
        release.set()
        done = _page(wiz, qtbot, PageId.PAYROLL_DONE)
        assert done.undo_button.isVisible() or done.sent_count() == 0
    finally:
        payroll_send.send_task = real
        release.set()
    assert QApplication.activeModalWidget() is None


def test_the_history_names_a_sending_and_undoes_it(connected_env, qtbot):
    from core.app.payroll import preview_hours, send_hours

    ctx, box, tenants, conn = connected_env
    _imported(ctx, conn)
    before = _draft_hours(box, tenants["AU"])
    _wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: not home.busy, timeout=WAIT)
    result = send_hours(ctx, conn, preview_hours(ctx, conn, None))  # the default period
    assert result.run is not None
    assert _draft_hours(box, tenants["AU"]) > before

    home.show_history()
    history = home.history
    qtbot.waitUntil(lambda: history.isVisible() and not history._busy, timeout=WAIT)
    row = next(i for i, r in enumerate(history._rows) if r.id == result.run.id)
    assert history.table.item(row, 1).text() == f"Hours sent {result.run.id}"
    created = result.as_json()["timesheets"]["created"]
    assert (
        f"Draft timesheets in Xero Payroll: {created} created" in history.table.item(row, 3).text()
    )
    history.table.selectRow(row)
    assert history.undo_button.isEnabled()
    qtbot.mouseClick(history.undo_button, Qt.MouseButton.LeftButton)
    assert "Xero Payroll" in history._question.text()
    _answer_yes(qtbot, history._question)
    qtbot.waitUntil(lambda: not history._busy and history._message is not None, timeout=WAIT)
    assert history._message.key == "undone"
    assert _draft_hours(box, tenants["AU"]) == pytest.approx(before)
    assert ImportRun.get_by_id(result.run.id).status == "undone"
    # Named as what it was, not as an import.
    number = result.run.id
    assert history.banner.label.text() == f"Hours sent {number} were taken back from Xero Payroll."
    qtbot.waitUntil(lambda: any(r.undoes == number for r in history._rows), timeout=WAIT)
    undo_row = next(i for i, r in enumerate(history._rows) if r.undoes == number)
    assert history.table.item(undo_row, 1).text() == f"Undo of hours sent {number}"
    history.reject()


def test_no_screen_promises_an_export_the_product_does_not_make(qapp):
    """Time off is said to go to Xero Payroll only "when you send hours" (issue 13's Why)."""
    from wizard.models.preview import Words

    assert Words().field("export_to_xero") == "Sent to Xero Payroll when you send hours"
    assert install_language("fr")
    try:
        assert Words().field("export_to_xero") == (
            "Envoyé à Xero Payroll quand vous envoyez les heures"
        )
    finally:
        install_language("en")
