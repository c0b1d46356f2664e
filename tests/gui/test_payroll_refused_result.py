"""Send hours: the result page when Xero refused someone's timesheet (counted as not sent,
with their hours, in English and in French), and a sending a revoked Xero sign-in stopped:
"Connect to Xero" is the button the words name, right there, and the sending goes on after."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.app.payroll import pay_periods, preview_hours, send_hours
from core.app.sync import sync
from wizard.i18n import install_language
from wizard.pages.payroll_done import PayrollDonePage
from wizard.pages.payroll_send import PayrollSendPage
from wizard.state import PageId, WizardState

WAIT = 20000


def _preview_with_one_new(ctx, conn):
    for period in pay_periods(ctx, conn):
        preview = preview_hours(ctx, conn, period.start, calendar=period.calendar_id)
        new = [p for p in preview.people if p.action == "create"]
        if new:
            return preview, new[0]
    raise AssertionError("no period with a new timesheet in the Demo Company")


def _refused_result(ctx, conn):
    preview, person = _preview_with_one_new(ctx, conn)
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:  # the payroll officer makes one in Xero, between preview and Send
        first = next(iter(person.lines()))
        xero.save_au_timesheet(
            None, person.employee_id, person.period_start, person.period_end, {first: 1.0}
        )
    return send_hours(ctx, conn, preview), person


def test_the_result_counts_the_refused_person_and_their_hours(connected_env, host, qtbot):
    ctx, _box, _tenants, conn = connected_env
    sync(ctx, conn)
    result, person = _refused_result(ctx, conn)
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    state.payroll_result = result
    wizard = host(state, {PageId.PAYROLL_DONE: PayrollDonePage})
    page = wizard.pages[PageId.PAYROLL_DONE]
    page.initializePage()
    previewed = sum(
        1 for p in result.preview.people if p.action in ("create", "update", "unchanged", "skip")
    )
    numbers = page.numbers.text()
    assert f"not sent: {previewed}." in numbers
    assert "Total for the period: 0.00 hours of work" in numbers
    hours = f"{person.regular_hours:.2f}"
    assert f"Xero did not take {hours} hours of work and 0.00 hours of time off" in numbers
    assert page.status.text() == "Nothing was sent: see below why, and what to do."
    assert page.undo_button.isHidden()  # nothing was sent: nothing to undo
    reasons = [page.problems.item(r, 1).text() for r in range(page.problems.rowCount())]
    assert any("delete it there, then send the hours again" in r for r in reasons)

    assert install_language("fr")
    qtbot.waitUntil(lambda: "non envoyées" in page.numbers.text(), timeout=WAIT)
    numbers = page.numbers.text()
    assert f"non envoyées\u00a0: {previewed}." in numbers
    assert f"Xero n’a pas pris {hours.replace('.', ',')} heures de travail" in numbers


def test_a_revoked_sign_in_offers_connect_to_xero_then_sends(connected_env, host, qtbot):
    ctx, box, _tenants, conn = connected_env
    sync(ctx, conn)
    preview, person = _preview_with_one_new(ctx, conn)
    identity = box.xero.identity
    with box.store.lock:
        for grant in list(identity._state["grants"]):
            identity._revoke_grant(grant)
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    state.payroll_preview = preview
    wizard = host(
        state,
        {PageId.PAYROLL_SEND: PayrollSendPage, PageId.PAYROLL_DONE: PayrollDonePage},
    )
    page = wizard.pages[PageId.PAYROLL_SEND]
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    text = page.banner.label.text()
    assert 'Click "Connect to Xero"' in text
    button = page.primary_action()
    assert button is page.banner.button and button.isVisible()
    assert button.text() == "&Connect to Xero"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # (the Demo Company signs in at once)
    qtbot.waitUntil(lambda: wizard.currentId() == int(PageId.PAYROLL_DONE), timeout=WAIT)
    assert state.payroll_result.timesheets["created"] == 1
    assert person.xero_id
