"""Undo of an import after QuickBooks Time users worked on what it wrote, on the Demo Company.

* A field changed in QuickBooks Time since the import (a customer's name, a user's last
  name) is left as it is and listed in the undo's result; the fields still as the import
  wrote them are reverted.
* A customer the import created that someone added a job under, or tracked time on, is
  kept (active, still linked) and listed; the others it created are archived as before.
* A review decision to link that the undone import applied is open again (the next import
  does not make the same link and changes), and the undo's result says so.
* An undo stopped halfway and run again keeps all of this: what QuickBooks Time users
  changed stays theirs, what was already reverted is not listed as theirs.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from core.app.cli import Output, cmd_undo
from core.app.review_screen import review_conflicts
from core.app.sync import current_plan, sync, undo
from core.engine import review
from core.engine.importer import ImportCancelled
from core.store.models import Decision, ImportRun, Link
from tests.e2e.test_invoicing import add_hours


def _org(ctx) -> dict:
    return next(
        o for o in ctx.sandbox.store.xero_orgs if o["tenantName"] == "Maison Verdure Australia"
    )


def _touch(ctx, row: dict) -> None:
    row["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"


def _contact(ctx, name: str) -> dict:
    return next(c for c in _org(ctx)["Contacts"] if c["Name"] == name)


def _employee(ctx, first: str) -> dict:
    return next(e for e in _org(ctx)["payroll"]["Employees"] if e["FirstName"] == first)


def _job(ctx, name: str) -> dict:
    (job,) = [j for j in ctx.sandbox.store.qbtime["jobcodes"] if j["name"] == name]
    return job


def _by_id(ctx, kind: str, ident: int) -> dict:
    return next(r for r in ctx.sandbox.store.qbtime[kind] if r["id"] == ident)


def _qbt(ctx, method: str, endpoint: str, rows: list[dict]) -> list[dict]:
    """What a QuickBooks Time user does in QuickBooks Time (through its API)."""
    resp = requests.request(
        method,
        f"{ctx.sandbox.qbtime_base}/{endpoint}",
        json={"data": rows},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    out = list(resp.json()["results"][endpoint].values())
    assert all(r["_status_code"] == 200 for r in out), out
    return out


def _left_alone(run: ImportRun) -> dict[str, str]:
    return {i["who"]: i["what"] for i in (run.counts or {}).get("left_alone", [])}


def _rename_in_xero(ctx, conn, renames: dict[str, str]) -> ImportRun:
    for old, new in renames.items():
        contact = _contact(ctx, old)
        contact["Name"] = new
        _touch(ctx, contact)
    result = sync(ctx, conn)
    assert result.as_json()["updated"].get("customers") == len(renames)
    return result.run


def test_a_customer_renamed_in_qbtime_after_the_import_keeps_its_name(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    run = _rename_in_xero(
        ctx,
        conn,
        {
            "Mosman Rowing Club": "Mosman Rowing Club Inc",
            "Taronga Vet Clinic": "Taronga Vet Clinic Pty",
        },
    )
    mosman = _job(ctx, "Mosman Rowing Club Inc")
    taronga = _job(ctx, "Taronga Vet Clinic Pty")
    _qbt(ctx, "PUT", "jobcodes", [{"id": mosman["id"], "name": "Mosman Rowing Club - Manly shed"}])

    undone = undo(ctx, conn, run.id)

    assert _by_id(ctx, "jobcodes", mosman["id"])["name"] == "Mosman Rowing Club - Manly shed"
    assert _by_id(ctx, "jobcodes", taronga["id"])["name"] == "Taronga Vet Clinic"
    left = _left_alone(undone)
    assert set(left) == {"Mosman Rowing Club - Manly shed"}
    assert left["Mosman Rowing Club - Manly shed"] == (
        "changed in QuickBooks Time after the import (name): left as it is"
    )
    assert ImportRun.get_by_id(run.id).status == "undone"
    # ... and the terminal says it (the next import renames both from Xero again).
    again = sync(ctx, conn).run
    assert _by_id(ctx, "jobcodes", taronga["id"])["name"] == "Taronga Vet Clinic Pty"
    _qbt(ctx, "PUT", "jobcodes", [{"id": taronga["id"], "name": "Taronga Vet (Mosman)"}])
    out = Output(as_json=False, stream=io.StringIO())
    cmd_undo(ctx, out, None, again.id)
    said = out.stream.getvalue()
    assert "Taronga Vet (Mosman): changed in QuickBooks Time after the import (name)" in said
    assert _by_id(ctx, "jobcodes", taronga["id"])["name"] == "Taronga Vet (Mosman)"


def test_a_user_field_changed_in_qbtime_after_the_import_stays(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    emp = _employee(ctx, "Noah")
    first, last = emp["FirstName"], emp["LastName"]
    (user,) = [
        u
        for u in ctx.sandbox.store.qbtime["users"]
        if (u["first_name"], u["last_name"]) == (first, last)
    ]
    emp["FirstName"], emp["LastName"] = "Noah-James", last + "-Smith"
    _touch(ctx, emp)
    run = sync(ctx, conn).run
    assert _by_id(ctx, "users", user["id"])["last_name"] == last + "-Smith"
    _qbt(ctx, "PUT", "users", [{"id": user["id"], "last_name": "Williams-QBT"}])

    undone = undo(ctx, conn, run.id)

    now = _by_id(ctx, "users", user["id"])
    assert now["first_name"] == first, "the field still as the import wrote it is reverted"
    assert now["last_name"] == "Williams-QBT", "the one changed in QuickBooks Time stays"
    assert _left_alone(undone) == {
        f"{first} Williams-QBT": (
            "changed in QuickBooks Time after the import (last name): left as it is"
        )
    }


def test_a_created_customer_someone_built_on_is_kept(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    org = _org(ctx)
    template = _contact(ctx, "Newcastle RSL Club")
    for n, name in enumerate(("Zeta Gardens Holdings", "Zeta Hours Pty", "Zeta Untouched")):
        contact = {k: v for k, v in template.items() if k != "MergedToContactID"}
        contact.update(ContactID=f"00000000-0000-4000-8000-00000000000{n}", Name=name)
        contact["ContactStatus"] = "ACTIVE"
        _touch(ctx, contact)
        org["Contacts"].append(contact)
    run = sync(ctx, conn).run
    gardens, hours, untouched = (
        _job(ctx, n) for n in ("Zeta Gardens Holdings", "Zeta Hours Pty", "Zeta Untouched")
    )
    (child,) = _qbt(
        ctx,
        "POST",
        "jobcodes",
        [{"name": "Stage 1 works", "parent_id": gardens["id"], "type": "regular"}],
    )
    worker = next(u for u in ctx.sandbox.store.qbtime["users"] if u["active"])
    day = datetime.fromtimestamp(ctx.clock(), UTC).date() - timedelta(days=1)
    add_hours(ctx, worker["id"], hours["id"], day, 3)

    undone = undo(ctx, conn, run.id)

    assert _by_id(ctx, "jobcodes", gardens["id"])["active"] is True
    assert _by_id(ctx, "jobcodes", child["id"])["active"] is True
    assert _by_id(ctx, "jobcodes", hours["id"])["active"] is True
    assert _by_id(ctx, "jobcodes", untouched["id"])["active"] is False
    linked = {link.qbt_id for link in Link.select().where(Link.connection == conn)}
    assert {gardens["id"], hours["id"]} <= linked
    assert untouched["id"] not in linked
    left = _left_alone(undone)
    assert set(left) == {"Zeta Gardens Holdings", "Zeta Hours Pty"}
    assert left["Zeta Gardens Holdings"].startswith("jobs were added under it")
    assert left["Zeta Hours Pty"].startswith("time was tracked on it")
    assert ImportRun.get_by_id(run.id).status == "undone"
    # the next import creates no second customer for them
    again = sync(ctx, conn)
    names = [j["name"] for j in ctx.sandbox.store.qbtime["jobcodes"]]
    assert names.count("Zeta Gardens Holdings") == names.count("Zeta Hours Pty") == 1
    assert not again.as_json()["created"].get("customers")


def test_a_link_decision_the_undone_import_applied_is_open_again(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    _snap, plan = current_plan(conn)
    (conflict,) = [
        c for c in review_conflicts(conn, plan) if c.kind == "employee" and "Liam" in c.xero_name
    ]
    dave = _by_id(ctx, "users", 1204270)
    was = (dave["first_name"], dave["last_name"], dave["email"])
    review.decide(conn, conflict, "link", target_qbt_id=1204270)  # the wrong person
    run = sync(ctx, conn).run
    assert _by_id(ctx, "users", 1204270)["first_name"] == "Liam"

    out = Output(as_json=False, stream=io.StringIO())
    cmd_undo(ctx, out, None, run.id)

    dave = _by_id(ctx, "users", 1204270)
    assert (dave["first_name"], dave["last_name"], dave["email"]) == was
    said = out.stream.getvalue()
    assert (
        "1 review decision(s) this import applied are open again: review them before the "
        "next import." in said
    )
    undone = ImportRun.select().where(ImportRun.kind == "undo").get()
    assert undone.counts["decisions_reopened"] == 1
    # The next import does not make the link, nor the changes, again ...
    _snap, plan = current_plan(conn)
    assert not [a for a in plan.actions if a.qbt_id == 1204270 and a.entity == "user"]
    # ... the conflict waits for a decision, with the earlier answer shown ...
    rows = review.review_rows(conn, review_conflicts(conn, plan))
    (row,) = [r for r in rows if r.conflict.xero_id == conflict.xero_id]
    assert row.state == "reopened"
    assert row.decision.action == "link" and row.decision.target_qbt_id == 1204270
    assert [c.qbt_id for c in row.conflict.candidates] == [c.qbt_id for c in conflict.candidates]
    # ... and a decision not to import stays as it was.
    assert Decision.select().count() == 1
    sync(ctx, conn)
    assert _by_id(ctx, "users", 1204270)["first_name"] == was[0]


def _stopping_after_first_batch() -> tuple[threading.Event, object]:
    cancel = threading.Event()

    def progress(event) -> None:
        if event.phase != "finished" and event.done:
            cancel.set()

    return cancel, progress


def test_an_undo_run_again_after_a_stop_still_leaves_qbtime_changes_alone(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    emp = _employee(ctx, "Noah")
    (user,) = [
        u
        for u in ctx.sandbox.store.qbtime["users"]
        if (u["first_name"], u["last_name"]) == (emp["FirstName"], emp["LastName"])
    ]
    first = emp["FirstName"]
    emp["FirstName"] = "Noah-James"
    _touch(ctx, emp)
    run = _rename_in_xero(
        ctx,
        conn,
        {
            "Mosman Rowing Club": "Mosman Rowing Club Inc",
            "Taronga Vet Clinic": "Taronga Vet Clinic Pty",
        },
    )
    mosman = _job(ctx, "Mosman Rowing Club Inc")
    taronga = _job(ctx, "Taronga Vet Clinic Pty")
    _qbt(ctx, "PUT", "jobcodes", [{"id": mosman["id"], "name": "Mosman Rowing Club - Manly shed"}])

    cancel, progress = _stopping_after_first_batch()
    with pytest.raises(ImportCancelled):
        undo(ctx, conn, run.id, progress=progress, cancel=cancel)
    reverted = (
        _by_id(ctx, "jobcodes", taronga["id"])["name"] == "Taronga Vet Clinic",
        _by_id(ctx, "users", user["id"])["first_name"] == first,
    )
    assert sum(reverted) == 1, "one batch was reverted before the stop, not the other"

    again = undo(ctx, conn, run.id)

    assert again.status == "done" and not again.counts.get("failed")
    assert ImportRun.get_by_id(run.id).status == "undone"
    assert _by_id(ctx, "jobcodes", mosman["id"])["name"] == "Mosman Rowing Club - Manly shed"
    assert _by_id(ctx, "jobcodes", taronga["id"])["name"] == "Taronga Vet Clinic"
    assert _by_id(ctx, "users", user["id"])["first_name"] == first
    # what the stopped undo reverted is not taken for a QuickBooks Time user's change
    assert set(_left_alone(again)) == {"Mosman Rowing Club - Manly shed"}
