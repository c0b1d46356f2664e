"""The sending of hours after a write Xero never answered (a server error to a POST, a lost
answer): a timesheet or leave the unanswered create's employee and period (leave: type and
first day) has in Xero is the app's only when it holds exactly what was sent. One keyed by
hand in Xero since (the bookkeeper, told of the error, entered it there) is left as it is,
never updated nor withdrawn, and the preview and the sending say so, with what to do; its
time off is not sent a second time. One the unanswered create did make is adopted as before
(no duplicate, nobody left out)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from core.app.cli import Output, cmd_export_hours
from core.app.payroll import WriteUnanswered, export_hours, preview_hours
from core.app.sync import sync
from core.engine.regions import PayrollApi
from core.sandbox.common import FaultPlan
from core.store.models import JournalEntry
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    au_drafts,
    link_holiday,
    shifted,
    xero_sheets,
)

UK_SHEETS = "payroll.xro/2.0/Timesheets"
AU_SHEETS = "payroll.xro/1.0/Timesheets"
NOT_OURS = "that this app did not make; it was left as it is"
KEYED_LEAVE = "that this app did not send"


def _org(demo_ctx, country: str):
    faults = FaultPlan(seed=3)
    ctx, conn = demo_ctx(country, sandbox_kwargs={"xero_faults": faults})
    sync(ctx, conn)
    if country == "UK":
        link_holiday(conn)
    day = UK_FORTNIGHT1 if country == "UK" else AU_WEEK1
    return ctx, conn, faults, shifted(ctx.sandbox.store, day)


def _unanswered(entity: str) -> JournalEntry:
    (entry,) = JournalEntry.select().where(
        (JournalEntry.entity_kind == entity) & (JournalEntry.state == "unknown")
    )
    assert entry.action == "create" and entry.xero_id is None
    return entry


def _first_line(after: dict) -> tuple[str, str, str]:
    day, rate, *item = next(iter(after["hours"])).split("|")
    return day, rate, (item[0] if item else "")


def _said(problems, who: str) -> str:
    return " ".join(p.reason for p in problems if p.who == who)


def _send_cli(ctx, period: date, dry_run: bool) -> str:
    buf = io.StringIO()
    cmd_export_hours(ctx, Output(stream=buf), None, period.isoformat(), dry_run)
    return buf.getvalue()


def test_uk_timesheet_keyed_in_xero_after_a_500_is_left_alone_and_said(demo_ctx):
    """A create answered 500 made nothing; the bookkeeper keys that person's timesheet by
    hand in Xero; the next sending leaves it alone, says so, and sends everyone else (before:
    it updated the hand-keyed timesheet with the app's hours)."""
    ctx, conn, faults, period = _org(demo_ctx, "UK")
    store = ctx.sandbox.store
    faults.force("500", 1, path_contains=UK_SHEETS, method="POST")
    with pytest.raises(WriteUnanswered):
        export_hours(ctx, conn, period=period)
    after = _unanswered("xero_timesheet").after
    emp, who = after["employee_id"], after["name"]
    assert xero_sheets(store, 1, emp).get(period) is None, "the 500 made nothing in Xero"
    day, rate, _item = _first_line(after)
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        xero.create_v2_timesheet(
            after["calendar_id"],
            emp,
            period,
            date.fromisoformat(after["end"]),
            {(day, rate, ""): 7.5},
        )
    keyed = xero_sheets(store, 1, emp)[period]
    assert keyed == ("Draft", {day: 7.5})

    preview = preview_hours(ctx, conn, period)
    person = next(p for p in preview.people if p.name == who)
    assert person.action == "skip"
    assert NOT_OURS in _said(preview.problems, who)
    assert any(p.action == "create" for p in preview.people if p.name != who)
    said = _send_cli(ctx, period, dry_run=True)
    assert who in said and NOT_OURS in said

    sent = export_hours(ctx, conn, period=period)
    assert xero_sheets(store, 1, emp)[period] == keyed, "the hand-keyed timesheet was changed"
    assert sent.timesheets["updated"] == 0 and sent.timesheets["created"] >= 1
    assert NOT_OURS in " ".join(p["reason"] for p in sent.as_json()["problems"] if p["who"] == who)
    problem = next(p for p in preview.plan.problems if p.who == who and NOT_OURS in p.reason())
    assert "n’a pas créé" in problem.reason("fr")


def test_uk_timesheet_an_unanswered_create_made_is_adopted(demo_ctx):
    """A lost answer to a create: Xero made the draft, exactly as sent. The next sending
    takes it for the app's (unchanged, recorded), makes no second one and leaves no one out."""
    ctx, conn, faults, period = _org(demo_ctx, "UK")
    store = ctx.sandbox.store
    faults.force("lost_response", 1, path_contains=UK_SHEETS, method="POST")
    with pytest.raises(WriteUnanswered):
        export_hours(ctx, conn, period=period)
    entry = _unanswered("xero_timesheet")
    emp = entry.after["employee_id"]
    made = xero_sheets(store, 1, emp)[period]

    preview = preview_hours(ctx, conn, period)
    person = next(p for p in preview.people if p.employee_id == emp)
    assert person.action == "unchanged" and person.xero_id
    assert not _said(preview.problems, entry.after["name"])
    sent = export_hours(ctx, conn, period=period)
    assert not sent.failed and sent.timesheets["created"] >= 1
    assert xero_sheets(store, 1, emp)[period] == made
    drafts = [t for t in store.xero_orgs[1]["payroll"]["Timesheets"] if t["employeeID"] == emp]
    assert len([t for t in drafts if t["startDate"][:10] == period.isoformat()]) == 1
    assert JournalEntry.get_by_id(entry.id).xero_id == person.xero_id


def test_au_timesheet_keyed_in_xero_after_a_500_is_left_alone(demo_ctx):
    """AU payroll 1.0: the same, with the timesheet keyed by hand with one day's hours."""
    ctx, conn, faults, period = _org(demo_ctx, "AU")
    store = ctx.sandbox.store
    faults.force("500", 1, path_contains=AU_SHEETS, method="POST")
    with pytest.raises(WriteUnanswered):
        export_hours(ctx, conn, period=period)
    after = _unanswered("xero_timesheet").after
    emp, who = after["employee_id"], after["name"]
    assert au_drafts(store, emp, period) == []
    day, rate, item = _first_line(after)
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        xero.save_au_timesheet(
            None, emp, period, date.fromisoformat(after["end"]), {(day, rate, item): 4.0}
        )
    keyed = xero_sheets(store, 0, emp)[period]

    preview = preview_hours(ctx, conn, period)
    assert next(p for p in preview.people if p.name == who).action == "skip"
    assert NOT_OURS in _said(preview.problems, who)
    sent = export_hours(ctx, conn, period=period)
    assert xero_sheets(store, 0, emp)[period] == keyed, "the hand-keyed timesheet was changed"
    assert len(au_drafts(store, emp, period)) == 1
    assert sent.timesheets["updated"] == 0


def test_au_timesheet_an_unanswered_create_made_is_adopted(demo_ctx):
    ctx, conn, faults, period = _org(demo_ctx, "AU")
    store = ctx.sandbox.store
    faults.force("lost_response", 1, path_contains=AU_SHEETS, method="POST")
    with pytest.raises(WriteUnanswered):
        export_hours(ctx, conn, period=period)
    entry = _unanswered("xero_timesheet")
    emp = entry.after["employee_id"]
    made = xero_sheets(store, 0, emp)[period]

    preview = preview_hours(ctx, conn, period)
    assert next(p for p in preview.people if p.employee_id == emp).action == "unchanged"
    sent = export_hours(ctx, conn, period=period)
    assert not sent.failed and JournalEntry.get_by_id(entry.id).state == "done"
    assert len(au_drafts(store, emp, period)) == 1
    assert xero_sheets(store, 0, emp)[period] == made


def _leave_of(store, emp: str) -> list[tuple[str, str, float]]:
    return [
        (
            row["startDate"][:10],
            row["endDate"][:10],
            round(sum(p["numberOfUnits"] for p in row["periods"]), 2),
        )
        for row in store.xero_orgs[1]["payroll"]["EmployeeLeave"].get(emp) or []
    ]


def _leave_unanswered(demo_ctx, fault: str):
    ctx, conn, faults, period = _org(demo_ctx, "UK")
    faults.force(fault, 1, path_contains="/Leave", method="POST")
    with pytest.raises(WriteUnanswered):
        export_hours(ctx, conn, period=period)
    return ctx, conn, period, _unanswered("xero_leave").after


def test_uk_leave_keyed_in_xero_after_a_500_is_left_alone_and_not_sent_twice(demo_ctx):
    """A leave create answered 500 made nothing; the bookkeeper keys that leave by hand, one
    day of the two; the next sending neither changes it (before: updated to the app's two
    days) nor sends the time off as a second leave, and says what to do."""
    ctx, conn, period, after = _leave_unanswered(demo_ctx, "500")
    store = ctx.sandbox.store
    emp, who = after["employee_id"], after["name"]
    assert _leave_of(store, emp) == []
    first, last = (date.fromisoformat(d) for d in after["period"])
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        xero.save_leave(
            PayrollApi.V2,
            None,
            emp,
            after["leave_type_id"],
            after["leave_name"],
            (after["start"], after["start"], 7.5),
            (first, last),
        )
    keyed = _leave_of(store, emp)
    assert keyed == [(after["start"], after["start"], 7.5)]

    preview = preview_hours(ctx, conn, period)
    person = next(p for p in preview.people if p.name == who)
    assert [b.action for b in person.leave] == ["skip"]
    assert {x.day for x in person.left_out} == set(after["days"])
    assert KEYED_LEAVE in _said(preview.problems, who)
    said = _send_cli(ctx, period, dry_run=True)
    assert KEYED_LEAVE in said and "delete it there" in said

    sent = export_hours(ctx, conn, period=period)
    assert _leave_of(store, emp) == keyed, "the hand-keyed leave was changed or sent twice"
    assert sent.leave["created"] == sent.leave["updated"] == sent.leave["withdrawn"] == 0
    problem = next(p for p in preview.plan.problems if p.who == who and KEYED_LEAVE in p.reason())
    assert "n’a pas envoyé" in problem.reason("fr")


def test_uk_leave_an_unanswered_create_made_is_adopted(demo_ctx):
    """A lost answer to a leave create: Xero made it, as sent; the next sending takes it for
    the app's (unchanged) and sends no second leave."""
    ctx, conn, period, after = _leave_unanswered(demo_ctx, "lost_response")
    store = ctx.sandbox.store
    emp = after["employee_id"]
    made = _leave_of(store, emp)
    assert made == [(after["start"], after["end"], after["hours"])]

    preview = preview_hours(ctx, conn, period)
    person = next(p for p in preview.people if p.employee_id == emp)
    assert [b.action for b in person.leave] == ["unchanged"]
    sent = export_hours(ctx, conn, period=period)
    assert not sent.failed and sent.leave["created"] == 0
    assert _leave_of(store, emp) == made


def test_uk_timesheet_keyed_in_xero_in_place_of_our_deleted_draft_is_left_alone(demo_ctx):
    """A create Xero answered: the app knows its draft by id. The bookkeeper deletes that
    draft in Xero and keys the period by hand: the next sending leaves theirs alone (before:
    any timesheet of a period the app once created was taken for the app's and updated)."""
    ctx, conn, _faults, period = _org(demo_ctx, "UK")
    store = ctx.sandbox.store
    first = export_hours(ctx, conn, period=period)
    entry = next(
        e
        for e in JournalEntry.select().where(JournalEntry.run == first.run)
        if e.entity_kind == "xero_timesheet" and e.action == "create"
    )
    after, who = entry.after, entry.after["name"]
    sheets = store.xero_orgs[1]["payroll"]["Timesheets"]
    sheets[:] = [t for t in sheets if t["timesheetID"].lower() != entry.xero_id]
    day, rate, _item = _first_line(after)
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        xero.create_v2_timesheet(
            after["calendar_id"],
            after["employee_id"],
            period,
            date.fromisoformat(after["end"]),
            {(day, rate, ""): 7.5},
        )
    keyed = xero_sheets(store, 1, after["employee_id"])[period]
    assert keyed == ("Draft", {day: 7.5})

    preview = preview_hours(ctx, conn, period)
    assert NOT_OURS in _said(preview.problems, who)
    export_hours(ctx, conn, period=period)
    assert xero_sheets(store, 1, after["employee_id"])[period] == keyed
