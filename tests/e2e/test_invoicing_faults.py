"""Bill time under faults and after a crash: the next run converges, never a duplicate
invoice (Idempotency-Key per request, the journal reconciled by Reference)."""

from __future__ import annotations

import pytest

import core.app.invoicing as invoicing
from core.app.cli import Output, cmd_connect_xero
from core.app.invoicing import bill_time, turn_invoicing_on
from core.app.sync import sync
from core.errors import BridgeError
from core.sandbox.common import FaultPlan
from core.store.models import ImportRun, JournalEntry, SentHours
from tests.e2e.test_invoicing import billed, expected, hours_range, org_of
from tests.reliability.support import install_virtual_time

QUIET = Output(as_json=True, stream=open("/dev/null", "w"))


def _ready(demo_ctx):
    faults = FaultPlan(seed=7)
    ctx, conn = demo_ctx("AU", sandbox_kwargs={"xero_faults": faults})
    install_virtual_time(ctx)  # a 429's Retry-After passes at once
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)
    return ctx, conn, faults


def _no_duplicates(ctx, conn):
    live = [i for i in org_of(ctx, conn).get("Invoices", []) if i["Status"] != "DELETED"]
    keys = [(i["Contact"]["ContactID"], i["Reference"]) for i in live]
    assert len(keys) == len(set(keys)), keys
    return live


@pytest.mark.parametrize("kind", ["lost_response", "503", "429", "reset"])
def test_a_fault_on_the_invoice_write_converges_without_duplicate(demo_ctx, kind):
    ctx, conn, faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    want = expected(ctx, conn, start, end)
    faults.force(kind, 2, path_contains="Invoices", method="PUT")
    for _ in range(3):  # a run the fault stopped is finished by the next one
        try:
            out = bill_time(ctx, conn, start=start, end=end).as_json()
        except BridgeError:
            continue
        if out["run_id"] is None:
            break
    live = _no_duplicates(ctx, conn)
    assert len(live) == len({k[0] for k in want})
    assert billed(ctx, conn) == pytest.approx(dict(want), abs=0.03)
    again = bill_time(ctx, conn, start=start, end=end).as_json()
    assert again["run_id"] is None and again["lines"] == 0


def test_a_crash_after_xero_made_the_invoices_is_reconciled_by_reference(demo_ctx, monkeypatch):
    ctx, conn, _faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    real = invoicing._record_sent

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies before the answer is recorded

    monkeypatch.setattr(invoicing, "_record_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        bill_time(ctx, conn, start=start, end=end)
    made = len(org_of(ctx, conn)["Invoices"])
    assert made > 0 and SentHours.select().count() == 0
    # as a killed process leaves it: the run still "running", its entries without answer
    run = ImportRun.select().where(ImportRun.kind == "invoicing").get()
    run.status = "running"
    run.save()
    mine = JournalEntry.select().where(JournalEntry.entity_kind == "xero_invoice")
    assert mine.where(JournalEntry.state == "intent").count() == made

    monkeypatch.setattr(invoicing, "_record_sent", real)
    out = bill_time(ctx, conn, start=start, end=end).as_json()
    assert out["invoices"]["created"] == 0 and out["run_id"] is None
    assert len(_no_duplicates(ctx, conn)) == made
    assert mine.where(JournalEntry.state == "done").count() == made
    assert SentHours.select().where(SentHours.active == True).count() > 0  # noqa: E712
    # and the recorded invoices are the product's: listed, undone like any other
    statuses = invoicing.invoice_statuses(ctx, conn)
    assert len(statuses) == made and {s.status for s in statuses} == {"draft"}


def test_a_refused_invoice_is_reported_and_the_others_are_made(demo_ctx):
    ctx, conn, _faults = _ready(demo_ctx)
    start, end = hours_range(ctx)
    preview = invoicing.preview_invoices(ctx, conn, start, end)
    victim = preview.plan.to_write[0]
    victim.lines[0].item_code = "NO-SUCH-ITEM"  # Xero refuses this one element
    result = invoicing.send_invoices(ctx, conn, preview)
    out = result.as_json()
    assert out["invoices"]["skipped"] >= 1
    assert out["invoices"]["created"] == len(preview.plan.to_write) - 1
    assert any(
        p["who"] == victim.contact_name and "NO-SUCH-ITEM" in p["reason"] for p in out["problems"]
    )
    # the refused customer's hours are still unbilled: the next run bills them
    again = bill_time(ctx, conn, start=start, end=end).as_json()
    assert again["invoices"]["created"] == 1
    assert len(_no_duplicates(ctx, conn)) == len(preview.plan.to_write)
