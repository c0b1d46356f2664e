"""Undo of a billing run whose answers from Xero were lost (past the client's retries): the
first undo says its changes may have reached Xero; undoing again (or billing again) settles
them by reading the drafts, so the journal, the history and the messages say what was done.
A kill while an update's answer is recorded never loses the hours its undo bills again."""

from __future__ import annotations

import io

import pytest

import core.app.invoicing as invoicing
from core.app.cli import Output, cmd_history, cmd_undo
from core.app.invoicing import BillingUndoAnswerLost, bill_time
from core.app.sync import undo
from core.sandbox.common import FaultPlan
from core.store.models import ImportRun, JournalEntry, Link, SentHours
from tests.e2e.test_invoicing import add_hours, billed, expected, hours_range, org_of, ready
from tests.reliability.support import install_virtual_time

ENTITY = "xero_invoice"


def _ready(demo_ctx):
    faults = FaultPlan(seed=7)
    ctx, conn = ready(demo_ctx, "AU", sandbox_kwargs={"xero_faults": faults})
    install_virtual_time(ctx)  # the retries' waits pass at once
    return ctx, conn, faults


def _add_hours_to_a_draft(ctx, conn, start):
    """2.5 more hours on the customer of the first draft: the next billing updates it."""
    target = org_of(ctx, conn)["Invoices"][0]
    contact = target["Contact"]["ContactID"]
    job = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "customer") & (Link.xero_id == contact)
        )
    )
    user = next(
        u for u in ctx.sandbox.store.qbtime["users"] if u["approved_to"] >= start.isoformat()
    )
    jobs = {j["id"]: j for j in ctx.sandbox.store.qbtime["jobcodes"]}
    if jobs[job].get("has_children"):
        job = next(j["id"] for j in jobs.values() if j["parent_id"] == job and j["billable"])
    add_hours(ctx, user["id"], job, start, 2.5)
    return target["InvoiceID"]


def _undo_journal(run_id=None):
    query = (
        JournalEntry.select()
        .join(ImportRun)
        .where((ImportRun.kind == "undo") & (JournalEntry.entity_kind == ENTITY))
    )
    return list(query if run_id is None else query.where(ImportRun.id == run_id))


def _lost_undo(ctx, conn, faults, run_id, kind="lost_response"):
    """Undo ``run_id`` while every POST of invoices loses its answer (5: all the retries)."""
    faults.force(kind, 5, path_contains="Invoices", method="POST")
    with pytest.raises(BillingUndoAnswerLost) as lost:
        undo(ctx, conn, run_id)
    faults.clear()
    return lost.value


def _text(fn, ctx, *args):
    buf = io.StringIO()
    rc = fn(ctx, Output(stream=buf), None, *args)
    return rc, buf.getvalue()


def _active(run_id, invoice_id=None):
    query = SentHours.select().where((SentHours.run == run_id) & (SentHours.active == True))  # noqa: E712
    if invoice_id is not None:
        query = query.where(SentHours.xero_id == invoice_id)
    return query.count()


def test_a_lost_undo_says_changes_may_have_reached_xero(demo_ctx):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    run = bill_time(ctx, conn, start=start, end=end).run
    err = _lost_undo(ctx, conn, faults, run.id)
    for language in ("en", "fr"):
        words = err.user_message(language)
        assert "Nothing was lost" not in words and "Rien n’a été perdu" not in words
    assert "may already be deleted" in err.user_message("en")
    assert f"Undo billing run {run.id} again" in err.user_message("en")
    assert "Défaites de nouveau la facturation" in err.user_message("fr")
    # Xero did delete them: the journal says it does not know yet, never "failed"
    assert {i["Status"] for i in org_of(ctx, conn)["Invoices"]} == {"DELETED"}
    assert {j.state for j in _undo_journal()} == {"unknown"}


def test_undoing_again_settles_the_lost_deletions_and_the_history_counts_them(demo_ctx):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    run = bill_time(ctx, conn, start=start, end=end).run
    made = len(org_of(ctx, conn)["Invoices"])
    _lost_undo(ctx, conn, faults, run.id)
    first = ImportRun.get(ImportRun.kind == "undo")

    rc, said = _text(cmd_undo, ctx, run.id)
    assert rc == 0
    # the first undo did it all: it is the undo that undid the run, counted there
    assert said.strip() == f"Billing run #{run.id} was undone (undo #{first.id})."
    assert ImportRun.select().where(ImportRun.kind == "undo").count() == 1
    first = ImportRun.get_by_id(first.id)
    assert first.status == "done"
    assert first.counts["deleted"] == made
    assert first.counts["outcomes"] == {"deleted": {"invoices": made}}
    assert ImportRun.get_by_id(run.id).status == "undone"
    assert {(j.action, j.state, j.error) for j in _undo_journal()} == {("delete", "done", None)}
    assert _active(run.id) == 0  # its hours are no longer billed

    _rc, history = _text(cmd_history, ctx)
    row = next(line for line in history.splitlines() if line.strip().startswith(f"#{first.id} "))
    assert "done" in row and f"deleted {made}" in row
    assert "failed" not in history


def test_undoing_again_after_a_lost_restore_says_it_was_restored(demo_ctx):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    first_bill = bill_time(ctx, conn, start=start, end=end).run
    target = _add_hours_to_a_draft(ctx, conn, start)
    earlier_rows = _active(first_bill.id, target)
    update = bill_time(ctx, conn, start=start, end=end)
    assert update.counts["updated"] == 1
    assert _active(first_bill.id, target) == 0
    _lost_undo(ctx, conn, faults, update.run.id)

    rc, said = _text(cmd_undo, ctx, update.run.id)
    assert rc == 0
    assert "was left as it is" not in said and "changed again in Xero" not in said
    done = ImportRun.get(ImportRun.kind == "undo")
    assert said.strip() == f"Billing run #{update.run.id} was undone (undo #{done.id})."
    assert done.status == "done" and done.counts["restored"] == 1
    assert done.counts["left_alone"] == []
    assert {(j.action, j.state) for j in _undo_journal()} == {("update", "done")}
    # the hours the update replaced are billed again, its own are not
    assert _active(first_bill.id, target) == earlier_rows
    assert _active(update.run.id) == 0
    # billing again puts the new hours back on the draft, once
    bill_time(ctx, conn, start=start, end=end)
    assert billed(ctx, conn) == pytest.approx(dict(expected(ctx, conn, start, end)), abs=0.03)


def test_a_lost_undo_that_xero_never_applied_is_done_by_the_next_undo(demo_ctx):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    run = bill_time(ctx, conn, start=start, end=end).run
    made = len(org_of(ctx, conn)["Invoices"])
    _lost_undo(ctx, conn, faults, run.id, kind="reset")  # dropped before Xero read it
    assert {i["Status"] for i in org_of(ctx, conn)["Invoices"]} == {"DRAFT"}
    first = ImportRun.get(ImportRun.kind == "undo")

    second = undo(ctx, conn, run.id)
    assert second.id != first.id
    assert second.status == "done" and second.counts["deleted"] == made
    first = ImportRun.get_by_id(first.id)
    assert first.status == "failed" and first.counts["deleted"] == 0
    assert {j.state for j in _undo_journal(first.id)} == {"failed"}
    assert all("not applied in Xero" in j.error for j in _undo_journal(first.id))
    assert {i["Status"] for i in org_of(ctx, conn)["Invoices"]} == {"DELETED"}
    assert ImportRun.get_by_id(run.id).status == "undone"


def test_billing_again_after_a_lost_undo_settles_it_too(demo_ctx):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    run = bill_time(ctx, conn, start=start, end=end).run
    made = len(org_of(ctx, conn)["Invoices"])
    _lost_undo(ctx, conn, faults, run.id)

    again = bill_time(ctx, conn, start=start, end=end)  # reconciles first
    lost = ImportRun.get(ImportRun.kind == "undo")
    assert lost.status == "done" and lost.counts["deleted"] == made
    assert {(j.state, j.error) for j in _undo_journal()} == {("done", None)}
    assert ImportRun.get_by_id(run.id).status == "undone"
    assert _active(run.id) == 0
    assert again.counts["created"] == made  # the deleted drafts are made again, once
    live = [i for i in org_of(ctx, conn)["Invoices"] if i["Status"] == "DRAFT"]
    assert len(live) == made


def test_a_kill_while_an_update_is_recorded_keeps_the_hours_it_replaced(demo_ctx, monkeypatch):
    ctx, conn, _faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    first_bill = bill_time(ctx, conn, start=start, end=end).run
    target = _add_hours_to_a_draft(ctx, conn, start)
    earlier_rows = _active(first_bill.id, target)
    assert earlier_rows > 0
    real = invoicing._deactivate

    def killed(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt  # the process dies right after

    monkeypatch.setattr(invoicing, "_deactivate", killed)
    with pytest.raises(KeyboardInterrupt):
        bill_time(ctx, conn, start=start, end=end)
    monkeypatch.setattr(invoicing, "_deactivate", real)
    update = ImportRun.select().where(ImportRun.kind == "invoicing").order_by(ImportRun.id.desc())
    update = update.first()
    update.status = "running"  # as a killed process leaves it
    update.save()

    # the next billing finds Xero applied the update; its undo bills the earlier hours again
    assert bill_time(ctx, conn, start=start, end=end).run is None
    undo(ctx, conn, update.id)
    assert _active(first_bill.id, target) == earlier_rows
    assert _active(update.id) == 0


def test_a_lost_undo_stopped_half_way_is_finished_by_the_next_and_each_counts_its_own(
    demo_ctx, monkeypatch
):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    run = bill_time(ctx, conn, start=start, end=end).run
    made = len(org_of(ctx, conn)["Invoices"])
    monkeypatch.setattr(invoicing, "BATCH", 3)  # the undo writes in two requests
    _lost_undo(ctx, conn, faults, run.id)  # the first one's answer lost: the second never sent
    assert [i["Status"] for i in org_of(ctx, conn)["Invoices"]].count("DELETED") == 3
    first = ImportRun.get(ImportRun.kind == "undo")

    second = undo(ctx, conn, run.id)
    first = ImportRun.get_by_id(first.id)
    assert first.status == "failed" and first.counts["deleted"] == 3
    assert {j.state for j in _undo_journal(first.id)} == {"done"}
    assert second.status == "done" and second.counts["deleted"] == made - 3
    assert second.counts["left_alone"] == []
    assert {i["Status"] for i in org_of(ctx, conn)["Invoices"]} == {"DELETED"}
    assert ImportRun.get_by_id(run.id).status == "undone"
    _rc, history = _text(cmd_history, ctx)
    rows = {int(line.split()[0][1:]): line for line in history.splitlines() if line.strip()}
    assert "failed" in rows[first.id] and "deleted 3" in rows[first.id]
    assert "done" in rows[second.id] and f"deleted {made - 3}" in rows[second.id]
