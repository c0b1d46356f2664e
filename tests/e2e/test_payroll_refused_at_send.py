"""A timesheet Xero refuses at send (someone made one in Xero for the same person and period
between the preview and Send), and a Xero sign-in revoked between them.

* The refused person is counted as not sent, with their hours, beside what was sent: the
  numbers add up to the people previewed, and the total is what Xero took.
* The refusal says what to do, and that advice holds: sending again leaves the timesheet made
  in Xero alone; once it is deleted there, sending again sends these hours.
* The sending went through everyone: history says it finished, with one not done.
* A sign-in Xero no longer accepts is no one person's refusal: it stops the sending (the
  command line then says ``connect-xero``), instead of a line per person saying to click a
  button the result has not.
"""

from __future__ import annotations

import io

import pytest

from core.app import payroll
from core.app.cli import Output, cmd_export_hours
from core.app.payroll import pay_periods, preview_hours, send_hours
from core.app.sync import sync
from core.errors import ReauthorizationRequired
from core.services.xero.mapping import map_au_timesheet
from core.store.models import ImportRun


def _preview_with_one_new(ctx, conn):
    """A pay period of the Demo Company whose preview makes a new timesheet for someone."""
    for period in pay_periods(ctx, conn):
        preview = preview_hours(ctx, conn, period.start, calendar=period.calendar_id)
        new = [p for p in preview.people if p.action == "create"]
        if new:
            return preview, new[0]
    raise AssertionError("no period with a new timesheet in the Demo Company")


def _made_in_xero(ctx, conn, person):
    """The payroll officer's timesheet for ``person`` and their period, made in Xero."""
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        first = next(iter(person.lines()))
        return xero.save_au_timesheet(
            None, person.employee_id, person.period_start, person.period_end, {first: 1.0}
        )["id"]


@pytest.fixture
def refused(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    preview, person = _preview_with_one_new(ctx, conn)
    made = _made_in_xero(ctx, conn, person)
    result = send_hours(ctx, conn, preview)
    return ctx, conn, preview, person, made, result


def test_the_refused_person_is_counted_as_not_sent_with_their_hours(refused):
    _ctx, _conn, preview, person, _made, result = refused
    data = result.as_json()
    sheets = data["timesheets"]
    planned = [p for p in preview.people if p.action in ("create", "update", "unchanged", "skip")]
    assert sum(sheets.values()) == len(planned)  # every person previewed counted once
    assert sheets["created"] == 0 and sheets["skipped"] == 1 + sum(
        1 for p in preview.people if p.action == "skip"
    )
    hours = data["hours"]
    assert hours["regular"] == 0  # what Xero took: nothing
    assert person.regular_hours > 0
    assert hours["not_sent_regular"] == pytest.approx(person.regular_hours)


def test_the_refusal_says_what_to_do_and_the_run_finished(refused):
    _ctx, _conn, _preview, person, _made, result = refused
    (reason,) = [p.reason for p in result.failed if p.who == person.name]
    assert "someone made a draft timesheet for" in reason
    assert "delete it there, then send the hours again" in reason
    assert f"{person.regular_hours:g} h" in reason
    run = ImportRun.get_by_id(result.run.id)
    assert run.status == "done"  # it went through everyone: not "did not finish"
    assert run.counts["failed"] == 1


def test_the_advice_holds_sending_again_leaves_it_then_sends_once_deleted(refused):
    ctx, conn, _preview, person, made, _result = refused
    again = preview_hours(ctx, conn, person.period_start, calendar=person.calendar_id)
    same = next(p for p in again.people if p.employee_id == person.employee_id)
    assert same.action == "skip"  # left as it is, with why
    payroll = next(o for o in ctx.sandbox.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)[
        "payroll"
    ]
    assert any(t["TimesheetID"] == made for t in payroll["Timesheets"])
    # the officer deletes theirs in Xero, as the advice says; then Send again
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["TimesheetID"] != made]
    last = send_hours(
        ctx, conn, preview_hours(ctx, conn, person.period_start, calendar=person.calendar_id)
    )
    assert last.timesheets["created"] == 1
    assert last.as_json()["hours"]["regular"] == pytest.approx(person.regular_hours)
    sent = [
        sheet
        for sheet in map(map_au_timesheet, payroll["Timesheets"])
        if sheet["employee_id"].lower() == person.employee_id
        and sheet["start"] == person.period_start
    ]
    assert len(sent) == 1 and sent[0]["id"] != made


def test_the_command_line_counts_the_refused_hours_and_offers_no_undo(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    _preview, person = _preview_with_one_new(ctx, conn)
    sending = payroll.send_hours

    def officer_first(ctx, conn, preview, **kwargs):  # (between the preview and the send)
        _made_in_xero(ctx, conn, person)
        return sending(ctx, conn, preview, **kwargs)

    monkeypatch.setattr(payroll, "send_hours", officer_first)
    said = io.StringIO()
    cmd_export_hours(ctx, Output(stream=said), None, person.period_start.isoformat(), False)
    text = said.getvalue()
    assert f"Xero did not take {person.regular_hours:g} h of work and 0 h of time off" in text
    assert "To take it back" not in text  # nothing was sent
    assert 'Nothing was sent: see what to do under "To look at" above.' in text


def test_a_revoked_sign_in_stops_the_sending_with_words_for_the_command_line(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    preview, _person = _preview_with_one_new(ctx, conn)
    identity = ctx.sandbox.xero.identity
    with ctx.sandbox.store.lock:
        for grant in list(identity._state["grants"]):
            identity._revoke_grant(grant)
    with pytest.raises(ReauthorizationRequired) as caught:
        send_hours(ctx, conn, preview)
    assert "connect-xero" in caught.value.command_line_text()
    run = ImportRun.select().where(ImportRun.kind == "payroll_export").get()
    assert run.status == "failed"  # stopped: it did not finish
