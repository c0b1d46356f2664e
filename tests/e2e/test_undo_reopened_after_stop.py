"""An undo stopped after it re-opened a link decision, then run again to the end, says the
decision is open again: the resumed undo counts the decisions the stopped attempt re-opened
(it finds those links already gone), so "review them before the next import" is said once
the undo completes, on the command line as in the windows."""

from __future__ import annotations

import io
import threading

import pytest

from core.app.cli import Output, cmd_undo
from core.app.review_screen import review_conflicts
from core.app.sync import current_plan, sync, undo
from core.engine import review
from core.engine.importer import ImportCancelled
from core.store.models import Decision, ImportRun, Link
from tests.e2e.test_undo_after_qbt_changes import _by_id, _contact, _org, _touch

LIAM_LINKED_TO = 1204270  # Dave's user: the wrong person

REOPENED = (
    "1 review decision(s) this import applied are open again: review them before the next import."
)


def _linked(conn, qbt_id: int) -> bool:
    return Link.select().where((Link.connection == conn) & (Link.qbt_id == qbt_id)).exists()


def _stopping_once_unlinked(conn) -> tuple[threading.Event, object]:
    """Stop the undo at the batch after the one that took the decided link back (as the
    window's "Stop the undo" does between two batches)."""
    cancel = threading.Event()

    def progress(event) -> None:
        if event.phase != "finished" and not _linked(conn, LIAM_LINKED_TO):
            cancel.set()

    return cancel, progress


def test_an_undo_run_again_after_a_stop_says_the_decision_is_open_again(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    _snap, plan = current_plan(conn)
    (conflict,) = [
        c for c in review_conflicts(conn, plan) if c.kind == "employee" and "Liam" in c.xero_name
    ]
    dave = _by_id(ctx, "users", LIAM_LINKED_TO)
    was = (dave["first_name"], dave["last_name"], dave["email"])
    review.decide(conn, conflict, "link", target_qbt_id=LIAM_LINKED_TO)
    # the same import also creates a customer: its undo archives it after the unlink
    contact = dict(_contact(ctx, "Newcastle RSL Club"))
    contact.pop("MergedToContactID", None)
    contact.update(ContactID="00000000-0000-4000-8000-0000000000a1", Name="Zeta Landscapes")
    contact["ContactStatus"] = "ACTIVE"
    _touch(ctx, contact)
    _org(ctx)["Contacts"].append(contact)
    run = sync(ctx, conn).run
    assert _by_id(ctx, "users", LIAM_LINKED_TO)["first_name"] == "Liam"
    (zeta,) = [j for j in ctx.sandbox.store.qbtime["jobcodes"] if j["name"] == "Zeta Landscapes"]

    cancel, progress = _stopping_once_unlinked(conn)
    with pytest.raises(ImportCancelled):
        undo(ctx, conn, run.id, progress=progress, cancel=cancel)
    # the stopped attempt unlinked and re-opened the decision, not yet the rest
    assert not _linked(conn, LIAM_LINKED_TO)
    assert _by_id(ctx, "jobcodes", zeta["id"])["active"] is True
    (decision,) = Decision.select().where(Decision.connection == conn)
    assert decision.depends_on == f"undone:{run.id}"
    assert ImportRun.get_by_id(run.id).status != "undone"

    out = Output(as_json=False, stream=io.StringIO())
    cmd_undo(ctx, out, None, run.id)

    assert ImportRun.get_by_id(run.id).status == "undone"
    assert _by_id(ctx, "jobcodes", zeta["id"])["active"] is False
    dave = _by_id(ctx, "users", LIAM_LINKED_TO)
    assert (dave["first_name"], dave["last_name"], dave["email"]) == was
    again = ImportRun.select().where(ImportRun.kind == "undo").order_by(ImportRun.id.desc()).get()
    assert again.status == "done"
    assert again.counts.get("decisions_reopened") == 1
    assert REOPENED in out.stream.getvalue()
    # still one decision, re-opened: no second count of the same decision
    assert Decision.select().where(Decision.depends_on == f"undone:{run.id}").count() == 1
