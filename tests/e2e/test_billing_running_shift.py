"""A shift still on the clock in the range billed: never billed (its length is not known),
never silently left out either. Billing says who, which day and what to do (clock them out,
then bill the same days again), in the CLI and the preview; billing the same range again once
the shift is clocked out adds just its hours, nothing twice. The shift comes in the pages
billing reads anyway (``on_the_clock=both``): no call more."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from core.app.cli import Output, cmd_bill_time
from core.app.invoicing import bill_time, preview_invoices
from core.services.qbtime.client import QBTimeClient
from core.store.models import Link, SentHours
from tests.e2e.test_invoicing import billed, close, expected, hours_range, qbt_write, ready


def running_shift(ctx):
    return next(t for t in ctx.sandbox.store.qbtime["timesheets"] if t.get("on_the_clock"))


def olivia_reasons(problems):
    return [reason for who, reason in problems if who == "Olivia Brown"]


def test_a_running_shift_is_reported_with_what_to_do_and_billed_once_clocked_out(
    demo_ctx, monkeypatch
):
    ctx, conn = ready(demo_ctx, "AU")
    store = ctx.sandbox.store
    shift = running_shift(ctx)
    day = shift["date"]
    olivia = next(u for u in store.qbtime["users"] if u["id"] == shift["user_id"])
    assert (olivia["first_name"], olivia["last_name"]) == ("Olivia", "Brown")
    assert olivia["approved_to"] >= day  # an approved day: only the clock keeps it back
    customer = next(j for j in store.qbtime["jobcodes"] if j["id"] == shift["jobcode_id"])

    # The CLI, on that one day: a line to look at, with what to do.
    out = io.StringIO()
    assert cmd_bill_time(ctx, Output(as_json=False, stream=out), None, day, day, True) == 0
    text = out.getvalue()
    assert "To look at:" in text
    assert (
        f"Olivia Brown: Is still on the clock on {day} ({customer['name']}): that shift is not "
        f"billed. Clock them out in QuickBooks Time, then bill {day} to {day} again"
    ) in text
    assert "only the hours not billed yet are added, nothing is billed twice" in text

    # The preview of the whole range: the same line, and the shift read in the same call.
    start, end = hours_range(ctx)
    asked: list[str] = []
    real_get = QBTimeClient._get

    def spy(self, endpoint, params=None):
        if endpoint == "timesheets" or "ids" in (params or {}):
            asked.append(endpoint)
        return real_get(self, endpoint, params)

    monkeypatch.setattr(QBTimeClient, "_get", spy)
    preview = preview_invoices(ctx, conn, start, end)
    monkeypatch.undo()
    assert asked == ["timesheets", "users"]  # the range's hours, their people: a call each
    [reason] = olivia_reasons(preview.problems)
    assert f"still on the clock on {day}" in reason
    assert f"bill {start.isoformat()} to {end.isoformat()} again" in reason
    assert shift["id"] not in {
        t.id for inv in preview.invoices for x in inv.lines for t in x.timesheets
    }

    first = bill_time(ctx, conn, start=start, end=end)
    assert olivia_reasons(first.problems) == [reason]
    before = billed(ctx, conn)
    invoices = len(store.xero_orgs[0]["Invoices"])

    # Clocked out in QuickBooks Time (8 h), then the same range billed again.
    began = datetime.fromisoformat(shift["start"])
    qbt_write(ctx, "PUT", [{"id": shift["id"], "end": (began + timedelta(hours=8)).isoformat()}])
    assert not running_shift_or_none(ctx)
    second = bill_time(ctx, conn, start=start, end=end)
    assert olivia_reasons(second.problems) == []
    counts = second.as_json()["invoices"]
    assert counts["created"] + counts["updated"] == 1
    after = billed(ctx, conn)
    added = {k: round(v - before.get(k, 0.0), 2) for k, v in after.items()}
    contact = next(
        lk.xero_id
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "customer") & (Link.qbt_id == customer["id"])
        )
    )
    assert {k: v for k, v in added.items() if v} == {(contact, "", customer["billable_rate"]): 8.0}
    assert len(store.xero_orgs[0]["Invoices"]) == invoices + counts["created"]
    close(after, expected(ctx, conn, start, end))  # every billable hour once
    rows = SentHours.select().where(
        (SentHours.qbt_timesheet_id == shift["id"]) & (SentHours.active == True)  # noqa: E712
    )
    assert rows.count() == 1

    # And once more: nothing left to bill.
    third = bill_time(ctx, conn, start=start, end=end).as_json()
    assert third["invoices"]["created"] == third["invoices"]["updated"] == 0
    assert billed(ctx, conn) == after


def running_shift_or_none(ctx):
    return next((t for t in ctx.sandbox.store.qbtime["timesheets"] if t.get("on_the_clock")), None)


def test_a_running_shift_on_a_day_out_of_the_range_or_on_unbilled_work_is_not_reported():
    from core.engine import invoicing as engine

    jobs = {
        1: engine.Job(1, 0, "Hornsby", True, 85.0),
        2: engine.Job(2, 0, "Office", False, None),
    }
    people = {7: engine.Person(7, "Olivia Brown", "2026-12-31")}
    sheets = [
        engine.Timesheet(10, 7, 1, "2026-12-13", 0, on_the_clock=True),  # after the range
        engine.Timesheet(11, 7, 2, "2026-12-12", 0, on_the_clock=True),  # not billable
        engine.Timesheet(12, 7, 1, "2026-12-12", 3600),
    ]
    inp = engine.InvoicingInput(
        start=date(2026, 12, 1),
        end=date(2026, 12, 12),
        timesheets=sheets,
        jobs=jobs,
        people=people,
        customers={1: engine.Customer("c1", "Hornsby")},
        base_currency="AUD",
    )
    plan = engine.plan_invoices(inp)
    assert plan.problems == []
    assert [t.id for inv in plan.invoices for line in inv.lines for t in line.timesheets] == [12]
    # on the clock a minute already (QuickBooks Time may give the time so far): still not billed
    inp.timesheets = [engine.Timesheet(13, 7, 1, "2026-12-12", 60, on_the_clock=True)]
    plan = engine.plan_invoices(inp)
    assert plan.invoices == [] and [p.who for p in plan.problems] == ["Olivia Brown"]
