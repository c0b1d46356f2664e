"""Undo of a sending of hours after a write Xero never answered (a lost answer, a server
error to a POST, a killed run): an unanswered create is the app's only when Xero shows
exactly what it sent; a partial undo is recorded as such, and undoing again first checks
in Xero what the earlier undo's unanswered writes did. What the user reads never says a
write that may have reached Xero did not."""

from __future__ import annotations

import io
from datetime import date

import pytest

from core.app.cli import Output, cmd_history, cmd_undo
from core.app.payroll import WriteUnanswered, export_hours
from core.app.sync import sync, undo, undo_cascade
from core.sandbox.common import FaultPlan
from core.store.models import ImportRun, JournalEntry
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    employee_id,
    link_holiday,
    shifted,
    time_off,
)

SHEETS = "payroll.xro/2.0/Timesheets"


def _uk(demo_ctx):
    faults = FaultPlan(seed=3)
    ctx, conn = demo_ctx("UK", sandbox_kwargs={"xero_faults": faults})
    sync(ctx, conn)
    link_holiday(conn)
    return ctx, conn, faults, shifted(ctx.sandbox.store, UK_FORTNIGHT1)


def _uk_sheets(ctx) -> dict[tuple[str, str], float]:
    """{(employee id, first day): hours} of the UK organisation's draft timesheets."""
    return {
        (t["employeeID"], t["startDate"][:10]): round(
            sum(line["numberOfUnits"] for line in t["timesheetLines"]), 2
        )
        for t in ctx.sandbox.store.xero_orgs[1]["payroll"]["Timesheets"]
        if t["status"] == "Draft"
    }


def _cli(fn, ctx, *args) -> tuple[int, str]:
    buf = io.StringIO()
    code = fn(ctx, Output(stream=buf), None, *args)
    return code, buf.getvalue()


def _unanswered_create() -> JournalEntry:
    (entry,) = JournalEntry.select().where(
        (JournalEntry.entity_kind == "xero_timesheet") & (JournalEntry.state == "unknown")
    )
    assert entry.action == "create" and entry.xero_id is None
    return entry


def _said_unanswered(err: WriteUnanswered) -> None:
    for text in (err.command_line_text(), err.user_message("fr")):
        assert "Nothing was lost" not in text and "Rien n’a été perdu" not in text
    assert "may have been saved" in err.command_line_text()
    assert "a pu être enregistrée" in err.user_message("fr")


def test_undo_leaves_alone_a_timesheet_keyed_in_xero_after_an_unanswered_create(demo_ctx):
    """A create answered 500 made nothing; the bookkeeper keys the timesheet in Xero by
    hand; the undo of the sending leaves it alone and says why (before: deleted it)."""
    ctx, conn, faults, period = _uk(demo_ctx)
    faults.force("500", 1, path_contains=SHEETS, method="POST")
    with pytest.raises(WriteUnanswered) as caught:
        export_hours(ctx, conn, period=period)
    _said_unanswered(caught.value)
    entry = _unanswered_create()
    after = entry.after
    assert _uk_sheets(ctx) == {}, "the 500 made nothing in Xero"

    # keyed by hand in Xero: one day at the employee's ordinary rate
    first_day, rate = next(iter(after["hours"])).split("|")[:2]
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        xero.create_v2_timesheet(
            after["calendar_id"],
            after["employee_id"],
            date.fromisoformat(after["start"]),
            date.fromisoformat(after["end"]),
            {(first_day, rate, ""): 7.5},
        )
    keyed = _uk_sheets(ctx)
    assert list(keyed.values()) == [7.5]

    run_id = ImportRun.get(ImportRun.kind == "payroll_export").id
    code, said = _cli(cmd_undo, ctx, run_id)
    assert code == 0
    assert _uk_sheets(ctx) == keyed, "the timesheet keyed in Xero was deleted"
    assert after["name"] in said and "not what was sent" in said and "left as it is" in said
    done = ImportRun.get((ImportRun.kind == "undo") & (ImportRun.undoes_run == run_id))
    assert done.counts["outcomes"]["reverted"] == {"timesheets": 0, "leave": 0}
    assert [x["who"] for x in done.counts["left_alone"]] == [after["name"]]


def test_undo_deletes_the_draft_an_unanswered_create_made(demo_ctx):
    """A lost answer to a create: the draft was made, export-hours says it may have been
    (not "Nothing was lost"), and the undo deletes the draft, which holds what was sent."""
    ctx, conn, faults, period = _uk(demo_ctx)
    faults.force("lost_response", 1, path_contains=SHEETS, method="POST")
    with pytest.raises(WriteUnanswered) as caught:
        export_hours(ctx, conn, period=period)
    _said_unanswered(caught.value)
    entry = _unanswered_create()
    assert list(_uk_sheets(ctx)) == [(entry.after["employee_id"], entry.after["start"])]

    done = undo(ctx, conn, entry.run_id)
    assert _uk_sheets(ctx) == {}
    assert done.status == "done" and done.counts["outcomes"]["reverted"]["timesheets"] == 1
    assert done.counts["left_alone"] == []


def test_undo_of_a_run_killed_before_its_write_counts_nothing(demo_ctx):
    """AU: a run whose only create had no answer and made nothing; the next run creates the
    draft. Undoing both (cascade) reverts the draft once: the older run wrote nothing."""
    faults = FaultPlan(seed=3)
    ctx, conn = demo_ctx("AU", sandbox_kwargs={"xero_faults": faults})
    sync(ctx, conn)
    period = shifted(ctx.sandbox.store, AU_WEEK1)
    faults.force("500", 1, path_contains="payroll.xro/1.0/Timesheets", method="POST")
    with pytest.raises(WriteUnanswered):
        export_hours(ctx, conn, period=period)
    first = _unanswered_create().run
    second = export_hours(ctx, conn, period=period)
    assert second.run is not None and second.timesheets["created"] >= 1

    done = dict(undo_cascade(ctx, conn, first.id, cascade=True))
    assert list(done) == [second.run.id, first.id]
    created = second.timesheets["created"]
    assert done[second.run.id].counts["outcomes"]["reverted"]["timesheets"] == created
    assert done[first.id].counts["outcomes"]["reverted"]["timesheets"] == 0
    assert done[first.id].counts["left_alone"] == []


def _exported(demo_ctx):
    ctx, conn, faults, period = _uk(demo_ctx)
    sent = export_hours(ctx, conn, period=period)
    assert sent.timesheets["created"] == 2 and not sent.failed
    return ctx, conn, faults, sent.run.id


def test_a_lost_answer_to_an_undo_deletion_is_found_done_by_the_next_undo(demo_ctx):
    ctx, _conn, faults, run_id = _exported(demo_ctx)
    faults.force("lost_response", 5, path_contains=SHEETS, method="DELETE")
    code, said = _cli(cmd_undo, ctx, run_id)
    assert code != 0 and "partly undone" in said
    assert "did not take it" not in said and "may have been done" in said
    first = ImportRun.get((ImportRun.kind == "undo") & (ImportRun.undoes_run == run_id))
    assert first.status == "failed" and first.counts["failed"] == 1
    assert ImportRun.get_by_id(run_id).status != "undone"
    _code, history = _cli(cmd_history, ctx, None)
    assert f"#{first.id}" in history and "undo  failed" in history
    assert _uk_sheets(ctx) == {}, "the lost answers hid deletions Xero made"

    code, said = _cli(cmd_undo, ctx, run_id)
    assert code == 0 and "was undone" in said
    assert "no longer holds it, so it was deleted then" in said
    again = ImportRun.select().where(ImportRun.kind == "undo").order_by(ImportRun.id.desc()).get()
    assert again.status == "done" and again.counts["outcomes"]["reverted"]["timesheets"] == 1
    assert len(again.counts["checked"]) == 1
    assert ImportRun.get_by_id(run_id).status == "undone"
    assert not JournalEntry.select().where(JournalEntry.state.in_(("intent", "unknown"))).count()


def test_a_refused_undo_deletion_is_made_by_the_next_undo(demo_ctx):
    ctx, _conn, faults, run_id = _exported(demo_ctx)
    faults.force("503", 5, path_contains=SHEETS, method="DELETE")
    code, said = _cli(cmd_undo, ctx, run_id)
    assert code != 0 and "Xero did not take it" in said
    first = ImportRun.get((ImportRun.kind == "undo") & (ImportRun.undoes_run == run_id))
    assert first.status == "failed"
    assert len(_uk_sheets(ctx)) == 1

    code, said = _cli(cmd_undo, ctx, run_id)
    assert code == 0 and "was undone" in said
    assert _uk_sheets(ctx) == {}
    again = ImportRun.select().where(ImportRun.kind == "undo").order_by(ImportRun.id.desc()).get()
    assert again.counts["outcomes"]["reverted"]["timesheets"] == 1
    assert "checked" not in again.counts


def test_leave_an_unanswered_undo_sent_back_is_never_sent_twice(demo_ctx):
    """Undo of a withdrawal sends the leave back; its answer is lost. Undoing again finds
    the leave in Xero as it was sent and sends nothing (before: a second leave)."""
    ctx, conn, faults, period = _uk(demo_ctx)
    store = ctx.sandbox.store
    export_hours(ctx, conn, period=period)
    oliver = employee_id(store, 1, "Oliver Hughes")
    leave = store.xero_orgs[1]["payroll"]["EmployeeLeave"]
    assert len(leave[oliver]) == 1
    gone = {t["id"] for t in time_off(store, "Oliver Hughes")}
    store.qbtime["timesheets"] = [t for t in store.qbtime["timesheets"] if t["id"] not in gone]
    withdrawn = export_hours(ctx, conn, period=period)
    assert withdrawn.leave["withdrawn"] == 1 and leave[oliver] == []

    faults.force("lost_response", 1, path_contains="/Leave", method="POST")
    first = undo(ctx, conn, withdrawn.run.id)
    assert first.status == "failed" and len(leave[oliver]) == 1

    again = undo(ctx, conn, withdrawn.run.id)
    assert len(leave[oliver]) == 1, "the leave was sent back twice"
    assert again.status == "done" and again.counts["outcomes"]["reverted"]["leave"] == 1
    assert ImportRun.get_by_id(withdrawn.run.id).status == "undone"
