"""A Xero contact merged into another (Xero archives the merged one and sets its
``MergedToContactID``): the re-import preview says the customer was merged, and into which
contact; billing tells to move its hours to the surviving contact's job, never to "restore
the contact in Xero" (a merge cannot be undone into a contact to bill)."""

from __future__ import annotations

import io
import uuid
from datetime import date

from core.app.cli import Output, cmd_connect_xero, cmd_sync
from core.app.invoicing import bill_time, turn_invoicing_on
from core.app.sync import sync
from core.engine import invoicing as engine
from core.engine.records import XeroContact, merge_survivor
from core.store.models import Link

QUIET = Output(as_json=True, stream=open("/dev/null", "w"))
MERGED = "Hills Mulch & Soil"
SURVIVOR = "Newcastle RSL Club"
NB = "\u00a0"


def org_of(ctx, conn):
    return next(o for o in ctx.sandbox.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)


def contact(ctx, conn, name):
    return next(c for c in org_of(ctx, conn)["Contacts"] if c["Name"] == name)


def merge(ctx, conn, name, into_id):
    """What Xero does to the merged contact (as the auditor did in the simulator's store)."""
    row = contact(ctx, conn, name)
    row["ContactStatus"] = "ARCHIVED"
    row["MergedToContactID"] = into_id
    row["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    return row


def linked_job(conn, contact_id):
    link = Link.get(
        (Link.connection == conn) & (Link.kind == "customer") & (Link.xero_id == contact_id)
    )
    return int(link.qbt_id)


def archive_of(plan, label):
    return next(a for a in plan.actions if a.op == "archive" and a.label == label)


# ---------------------------------------------------------------------------- the preview
def test_the_preview_says_the_customer_was_merged_and_into_which_contact(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    merge(ctx, conn, MERGED, contact(ctx, conn, SURVIVOR)["ContactID"])

    plan = sync(ctx, conn, dry_run=True).plan
    action = archive_of(plan, MERGED)
    assert action.describe("en") == f'merged into "{SURVIVOR}" in Xero'
    assert action.describe("fr") == f"fusionné avec «{NB}{SURVIVOR}{NB}» dans Xero"

    # The command line's dry run says it on the archive line, as the wizard's preview does.
    stream = io.StringIO()
    cmd_sync(ctx, Output(stream=stream), None, dry_run=True)
    line = next(x for x in stream.getvalue().splitlines() if MERGED in x and "archive" in x)
    assert f'(merged into "{SURVIVOR}" in Xero)' in line

    from wizard.models.preview import change_of

    assert change_of(action).reason == f'merged into "{SURVIVOR}" in Xero'


def test_a_contact_merged_into_one_not_read_says_another_contact(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    merge(ctx, conn, MERGED, str(uuid.uuid4()))  # (a contact this import never read)

    action = archive_of(sync(ctx, conn, dry_run=True).plan, MERGED)
    assert action.describe("en") == "merged into another contact in Xero"
    assert action.describe("fr") == "fusionné avec un autre contact dans Xero"


def test_a_contact_only_archived_still_says_archived(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    row = contact(ctx, conn, MERGED)
    row["ContactStatus"] = "ARCHIVED"
    row["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"

    action = archive_of(sync(ctx, conn, dry_run=True).plan, MERGED)
    assert action.describe("en") == "archived in Xero"
    assert action.describe("fr") == "archivé dans Xero"


def test_the_contacts_read_brings_merged_to_contact_id(demo_ctx):
    """Every contacts read of the client pages (or asks by id): Xero returns
    MergedToContactID only then, and the record carries it."""
    ctx, conn = demo_ctx("AU")
    into = contact(ctx, conn, SURVIVOR)["ContactID"]
    merged_id = merge(ctx, conn, MERGED, into)["ContactID"]
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        full = {c.contact_id: c for c in xero.contacts()}
        summary = {c.contact_id: c for c in xero.contacts(summary_only=True)}
        by_id = xero.contacts_by_ids([merged_id])
    assert full[merged_id].merged_to == into
    assert summary[merged_id].merged_to == into
    assert [c.merged_to for c in by_id] == [into]
    assert full[into].merged_to == ""


def test_a_chain_of_merges_ends_at_the_last_survivor():
    a = XeroContact("a", "A", "ARCHIVED", True, False, merged_to="b")
    b = XeroContact("b", "B", "ARCHIVED", True, False, merged_to="c")
    c = XeroContact("c", "C", "ACTIVE", True, False)
    by_id = {x.contact_id: x for x in (a, b, c)}
    assert merge_survivor(a, by_id) is c
    assert merge_survivor(a, {"a": a, "b": b}) is None  # (C not read)
    assert merge_survivor(c, by_id) is None


# ---------------------------------------------------------------------------- billing
def ready(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)
    return ctx, conn


def hours_on(ctx, conn, contact_id):
    """Billable approved hours on the customer's job (one added if the demo has none)."""
    qbt = ctx.sandbox.store.qbtime
    job = next(j for j in qbt["jobcodes"] if j["id"] == linked_job(conn, contact_id))
    job["billable"] = True
    job["billable_rate"] = job.get("billable_rate") or 80.0
    user = next(u for u in qbt["users"] if u.get("active") and u.get("approved_to"))
    day = user["approved_to"][:10]
    qbt["timesheets"].append(
        {
            "id": 990000001,
            "user_id": user["id"],
            "jobcode_id": job["id"],
            "start": "",
            "end": "",
            "duration": 3 * 3600,
            "date": day,
            "tz": 0,
            "tz_str": "Australia/Sydney",
            "type": "manual",
            "location": "",
            "on_the_clock": False,
            "locked": 0,
            "notes": "",
            "customfields": {},
            "attached_files": [],
            "last_modified": f"{day}T10:00:00+00:00",
            "created_by_user_id": user["id"],
        }
    )
    return date.fromisoformat(day)


def test_hours_of_a_merged_contact_are_to_be_moved_to_the_surviving_contact(demo_ctx):
    ctx, conn = ready(demo_ctx)
    merged_id = contact(ctx, conn, MERGED)["ContactID"]
    day = hours_on(ctx, conn, merged_id)
    merge(ctx, conn, MERGED, contact(ctx, conn, SURVIVOR)["ContactID"])

    out = bill_time(ctx, conn, start=day, end=day, dry_run=True).as_json()
    reasons = [p["reason"] for p in out["problems"] if p["who"] == MERGED]
    assert reasons, out["problems"]
    assert reasons[0].startswith(f'The contact was merged into "{SURVIVOR}" in Xero, so its ')
    assert f'move them to "{SURVIVOR}"\'s job in QuickBooks Time' in reasons[0]
    assert "restore the contact" not in reasons[0]


def test_hours_of_a_contact_merged_into_one_not_found_say_another_contact(demo_ctx):
    ctx, conn = ready(demo_ctx)
    merged_id = contact(ctx, conn, MERGED)["ContactID"]
    day = hours_on(ctx, conn, merged_id)
    merge(ctx, conn, MERGED, str(uuid.uuid4()))

    out = bill_time(ctx, conn, start=day, end=day, dry_run=True).as_json()
    reasons = [p["reason"] for p in out["problems"] if p["who"] == MERGED]
    assert reasons and reasons[0].startswith(
        "The contact was merged into another contact in Xero, so its "
    ), out["problems"]
    assert "restore the contact" not in reasons[0]


def test_the_billing_problems_in_french():
    named = engine.Problem(
        MERGED, engine.MERGED_INTO, {"other": SURVIVOR, "hours": engine.Decimal("3.00")}
    )
    text = named.reason("fr")
    assert text.startswith(f"Le contact a été fusionné avec «{NB}{SURVIVOR}{NB}» dans Xero")
    assert "3,00 heures" in text and "restaurez" not in text
    unnamed = engine.Problem(MERGED, engine.MERGED, {"hours": engine.Decimal("3.00")})
    assert unnamed.reason("fr").startswith("Le contact a été fusionné avec un autre contact")
