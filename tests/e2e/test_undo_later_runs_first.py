"""Undo of a sending of hours or of a billing run that later runs of the same kind wrote over,
on the Demo Company: as for imports, the undo is refused, naming the later runs; with
``--cascade`` they are undone first, newest first, so the drafts end exactly as they were
before the run asked for (undoing them one by one, newest first, ends there too). An undo
never counts as restored a draft it left unchanged."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

import pytest

from core.app.cli import Output, cmd_undo
from core.app.invoicing import bill_time, left_alone_words, preview_invoices
from core.app.payroll import export_hours
from core.app.sync import (
    LaterBillingFirst,
    LaterExportsFirst,
    run_when,
    sync,
    undo,
    undo_cascade,
)
from core.store.models import ImportRun, Link, SentHours
from tests.e2e.test_invoicing import add_hours, org_of, qbt_write, ready
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    employee_id,
    shifted,
    user_named,
    xero_sheets,
)


def status(run_id: int) -> str:
    return str(ImportRun.get_by_id(run_id).status)


# ---------------------------------------------------------------------------- payroll
PAYROLL = {"AU": (AU_WEEK1, "Olivia Brown"), "UK": (UK_FORTNIGHT1, "Oliver Hughes")}


def org_index(ctx, conn) -> int:
    orgs = ctx.sandbox.store.xero_orgs
    return next(i for i, o in enumerate(orgs) if o["tenantId"] == conn.xero_tenant_id)


def all_sheets(ctx, conn):
    """{employee: {start: (status, {day: hours})}} of every employee of the organisation."""
    store, index = ctx.sandbox.store, org_index(ctx, conn)
    out = {}
    for emp in store.xero_orgs[index]["payroll"]["Employees"]:
        emp_id = emp.get("EmployeeID") or emp.get("employeeID")
        out[emp_id] = xero_sheets(store, index, emp_id)
    return out


def lengthen(ctx, user, day: date, hours: float) -> None:
    """The person's last regular shift of ``day`` ends ``hours`` later (through the API)."""
    shift = max(
        (
            t
            for t in ctx.sandbox.store.qbtime["timesheets"]
            if t["user_id"] == user["id"]
            and t["date"] == day.isoformat()
            and t["type"] == "regular"
        ),
        key=lambda t: t["start"],
    )
    end = datetime.fromisoformat(shift["end"]) + timedelta(hours=hours)
    qbt_write(ctx, "PUT", [{"id": shift["id"], "end": end.isoformat()}])


def three_sendings(demo_ctx, org):
    """r1 makes the drafts; +1 h on Tuesday, r2 sends it; +2 h on Wednesday, r3 sends it.
    Returns ctx, conn, the three run ids, and every draft as r1 and as r2 left them."""
    ctx, conn = demo_ctx(org)
    sync(ctx, conn)
    store = ctx.sandbox.store
    week, name = PAYROLL[org]
    start = shifted(store, week)
    user = user_named(store, name)
    emp = employee_id(store, org_index(ctx, conn), name)
    r1 = export_hours(ctx, conn, period=start).run.id
    after_r1 = all_sheets(ctx, conn)
    lengthen(ctx, user, start + timedelta(days=1), 1)
    r2 = export_hours(ctx, conn, period=start)
    assert r2.as_json()["timesheets"]["updated"] == 1
    after_r2 = all_sheets(ctx, conn)
    lengthen(ctx, user, start + timedelta(days=2), 2)
    r3 = export_hours(ctx, conn, period=start)
    assert r3.as_json()["timesheets"]["updated"] == 1
    tuesday, wednesday = ((start + timedelta(days=n)).isoformat() for n in (1, 2))
    was, now = after_r1[emp][start][1], all_sheets(ctx, conn)[emp][start][1]
    assert now[tuesday] == pytest.approx(was[tuesday] + 1)
    assert now[wednesday] == pytest.approx(was[wednesday] + 2)
    return ctx, conn, (r1, r2.run.id, r3.run.id), after_r1, after_r2


def active_sent(conn) -> set[int]:
    """The runs whose recorded timesheets are the sources of our drafts now."""
    return {
        r.run_id
        for r in SentHours.select().where(
            (SentHours.connection == conn)
            & (SentHours.target == "payroll")
            & (SentHours.active == True)  # noqa: E712
        )
    }


@pytest.mark.parametrize("org", ["AU", "UK"])
def test_undo_of_a_sending_a_later_one_wrote_over_is_refused_then_cascades(demo_ctx, org):
    ctx, conn, (r1, r2, r3), after_r1, _after_r2 = three_sendings(demo_ctx, org)
    now = all_sheets(ctx, conn)
    with pytest.raises(LaterExportsFirst) as refused:
        undo(ctx, conn, r2)
    # refused before anything is written, naming the later sending and its date
    assert refused.value.later_ids == [r3]
    words = refused.value.user_message("en")
    assert f"Sending of hours {r2} cannot be undone on its own" in words
    assert f"sending of hours {r3} of {run_when(ImportRun.get_by_id(r3))}" in words
    assert "envoi d’heures" in refused.value.user_message("fr")
    assert all_sheets(ctx, conn) == now
    assert (status(r2), status(r3)) == ("done", "done")

    done = undo_cascade(ctx, conn, r2, cascade=True)
    assert [number for number, _undo in done] == [r3, r2]  # newest first
    for _number, result in done:
        assert result.counts["outcomes"]["reverted"]["timesheets"] == 1
        assert result.counts["failed"] == 0
    assert all_sheets(ctx, conn) == after_r1  # exactly what the drafts held before r2
    assert (status(r2), status(r3)) == ("undone", "undone")
    assert active_sent(conn) == {r1}  # r1's timesheets are the drafts' sources again


@pytest.mark.parametrize("org", ["AU", "UK"])
def test_undoing_sendings_newest_first_ends_where_the_older_began(demo_ctx, org):
    ctx, conn, (r1, r2, r3), after_r1, after_r2 = three_sendings(demo_ctx, org)
    undo(ctx, conn, r3)
    assert all_sheets(ctx, conn) == after_r2
    assert active_sent(conn) - {r1} == {r2}  # r2's timesheets are the draft's sources again
    undo(ctx, conn, r2)
    assert all_sheets(ctx, conn) == after_r1
    assert active_sent(conn) == {r1}


def test_the_undo_command_names_the_later_sendings_and_cascades(demo_ctx):
    ctx, conn, (_r1, r2, r3), after_r1, _after_r2 = three_sendings(demo_ctx, "AU")
    said = io.StringIO()
    assert cmd_undo(ctx, Output(as_json=True, stream=said), None, r2) != 0
    answer = json.loads(said.getvalue().strip().splitlines()[-1])
    assert answer["error"] == "LaterExportsFirst"
    assert answer["later_run_ids"] == [r3]
    assert f"undo {r2} --cascade" in answer["hint"] and "sending of hours" in answer["hint"]
    said = io.StringIO()
    assert cmd_undo(ctx, Output(stream=said), None, r2, cascade=True) == 0
    text = said.getvalue()
    assert f"Sending of hours #{r3} to Xero Payroll was undone" in text
    assert f"Sending of hours #{r2} to Xero Payroll was undone" in text
    assert all_sheets(ctx, conn) == after_r1


# ---------------------------------------------------------------------------- billing
HORNSBY = "Hornsby Shire Council"


def invoices(ctx, conn):
    """{invoice id: (status, [(description, quantity, unit amount)])} of the organisation."""
    return {
        i["InvoiceID"]: (
            i["Status"],
            [(x.get("Description"), x["Quantity"], x["UnitAmount"]) for x in i["LineItems"]],
        )
        for i in org_of(ctx, conn)["Invoices"]
    }


def hours_on(held, invoice_id) -> float:
    return round(sum(quantity for _d, quantity, _p in held[invoice_id][1]), 2)


def three_billing_runs(demo_ctx):
    """r1 bills Hornsby; +2 h, r2 updates its draft; +3 h, r3 updates it again. Returns
    ctx, conn, the range, the draft's id, the three run ids, the invoices after r1 and r2."""
    ctx, conn = ready(demo_ctx, "AU")
    return (ctx, conn, *bill_three_times(ctx, conn))


def bill_three_times(ctx, conn):
    """:func:`three_billing_runs` on an AU connection ready to bill (from the range on)."""
    store = ctx.sandbox.store
    lo = shifted(store, AU_WEEK1)  # the Demo Company's first AU week (README of the demo)
    hi = lo + timedelta(days=6)
    contact = next(c for c in org_of(ctx, conn)["Contacts"] if c["Name"] == HORNSBY)
    job = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn)
            & (Link.kind == "customer")
            & (Link.xero_id == contact["ContactID"])
        )
    )
    olivia = user_named(store, "Olivia Brown")["id"]
    r1 = bill_time(ctx, conn, start=lo, end=hi).run.id
    after_r1 = invoices(ctx, conn)
    (draft,) = [
        i["InvoiceID"]
        for i in org_of(ctx, conn)["Invoices"]
        if i["Contact"]["ContactID"] == contact["ContactID"]
    ]
    add_hours(ctx, olivia, job, lo + timedelta(days=2), 2)
    r2 = bill_time(ctx, conn, start=lo, end=hi)
    assert r2.as_json()["invoices"]["updated"] == 1
    after_r2 = invoices(ctx, conn)
    add_hours(ctx, olivia, job, lo + timedelta(days=3), 3)
    r3 = bill_time(ctx, conn, start=lo, end=hi)
    assert r3.as_json()["invoices"]["updated"] == 1
    assert hours_on(after_r2, draft) == pytest.approx(hours_on(after_r1, draft) + 2)
    assert hours_on(invoices(ctx, conn), draft) == pytest.approx(hours_on(after_r1, draft) + 5)
    return (lo, hi), draft, (r1, r2.run.id, r3.run.id), after_r1, after_r2


def test_undo_of_a_billing_run_a_later_one_wrote_over_is_refused_then_cascades(demo_ctx):
    ctx, conn, (lo, hi), draft, (r1, r2, r3), after_r1, _after_r2 = three_billing_runs(demo_ctx)
    now = invoices(ctx, conn)
    with pytest.raises(LaterBillingFirst) as refused:
        undo(ctx, conn, r2)
    assert refused.value.later_ids == [r3]
    words = refused.value.user_message("en")
    assert f"Billing run {r2} cannot be undone on its own" in words
    assert f"billing run {r3} of {run_when(ImportRun.get_by_id(r3))}" in words
    assert f"undo {r2} --cascade" in refused.value.hint("en")
    assert invoices(ctx, conn) == now
    assert (status(r2), status(r3)) == ("done", "done")

    done = undo_cascade(ctx, conn, r2, cascade=True)
    assert [number for number, _undo in done] == [r3, r2]
    for _number, result in done:
        assert result.counts["restored"] == 1 and result.counts["left_alone"] == []
    assert invoices(ctx, conn) == after_r1  # the draft holds r1's lines, nothing else moved
    assert (status(r1), status(r2), status(r3)) == ("done", "undone", "undone")
    # billing again adds the 5 hours back, on the same draft
    again = preview_invoices(ctx, conn, lo, hi)
    (planned,) = [i for i in again.invoices if i.action != "unchanged"]
    assert planned.invoice_id == draft and planned.action == "update"


def test_undoing_billing_runs_newest_first_ends_where_the_older_began(demo_ctx):
    ctx, conn, (lo, hi), draft, (_r1, r2, r3), after_r1, after_r2 = three_billing_runs(demo_ctx)
    first = undo(ctx, conn, r3)
    assert first.counts["restored"] == 1
    assert invoices(ctx, conn) == after_r2
    second = undo(ctx, conn, r2)
    assert second.counts["restored"] == 1
    assert invoices(ctx, conn) == after_r1
    # billing again adds both hours back (none of them is billed any more)
    again = preview_invoices(ctx, conn, lo, hi)
    (planned,) = [i for i in again.invoices if i.action != "unchanged"]
    assert planned.invoice_id == draft
    assert round(sum(line.hours for line in planned.lines), 2) == pytest.approx(
        hours_on(after_r1, draft) + 5
    )


def test_an_undo_that_puts_nothing_back_does_not_say_restored(demo_ctx):
    """r2's line on the draft was changed in Xero since: undo of r2 has nothing of its own to
    put back; it is listed as left as it is, never counted as restored."""
    ctx, conn, _range, draft, (_r1, r2, r3), _after_r1, _after_r2 = three_billing_runs(demo_ctx)
    undo(ctx, conn, r3)
    held = next(i for i in org_of(ctx, conn)["Invoices"] if i["InvoiceID"] == draft)
    lines = [dict(x) for x in held["LineItems"]]
    for line in lines:
        line["Quantity"] = round(line["Quantity"] + 0.5, 2)  # the bookkeeper's change
    ctx.sandbox.xero.api.demo_user_edits_lines(conn.xero_tenant_id, draft, lines)
    theirs = invoices(ctx, conn)
    result = undo(ctx, conn, r2)
    assert invoices(ctx, conn) == theirs  # their change stays
    assert result.counts["restored"] == 0 and "restored" not in result.counts["outcomes"]
    (left,) = result.counts["left_alone"]
    assert left["invoice_id"] == draft
    assert "nothing of this run to put back" in left["what"]
    assert "rien de cette facturation" in left_alone_words(result, "fr")[0]
