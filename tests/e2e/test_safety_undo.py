"""Safety of undo and of what the terminal shows (issue 11), on the Demo Company.

* Undo of an import that a later import touched (same customer) is refused, naming the later
  import with its date; ``--cascade`` undoes both, newest first; the next sync then creates
  no second customer or location.
* Names from Xero are printed escaped by the headless commands, never obeyed by the terminal.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest

from core.app.cli import EXIT_ERROR, EXIT_OK, Output, cmd_review, cmd_sync, cmd_undo
from core.app.sync import LaterImportsFirst, run_when, sync, undo
from core.store.models import ImportRun, JournalEntry, Link
from tests.reliability.support import duplicates, raw_state

pytestmark = pytest.mark.safety(
    "Undo in order, no duplicate after undo; Xero names harmless in the terminal"
)


def _touch(ctx, row: dict) -> None:
    row["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"


def _created_customer(run: ImportRun) -> JournalEntry:
    """A customer (top-level jobcode) ``run`` created, for a Xero contact with an address."""
    return (
        JournalEntry.select()
        .where(
            (JournalEntry.run == run)
            & (JournalEntry.action == "create")
            & (JournalEntry.entity_kind == "jobcode")
            & (JournalEntry.state == "done")
            & JournalEntry.xero_id.is_null(False)
        )
        .order_by(JournalEntry.seq)
        .first()
    )


def _counts(store) -> tuple[int, int, Counter]:
    qbt = store.qbtime
    addresses = Counter((loc["addr1"], loc["city"], loc["zip"]) for loc in qbt["locations"])
    return len(qbt["jobcodes"]), len(qbt["locations"]), addresses


def test_undo_of_an_older_import_waits_for_the_later_one_then_cascades(demo_ctx, capsys):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    first = sync(ctx, conn)
    jobs_after_first, locations_after_first, _ = _counts(store)
    created = _created_customer(first.run)
    org = store.xero_orgs[0]
    contact = next(c for c in org["Contacts"] if c["ContactID"] == created.xero_id)
    contact["Name"] = contact["Name"] + " (renamed)"
    _touch(ctx, contact)
    second = sync(ctx, conn)
    assert second.as_json()["updated"].get("customers") == 1
    before = raw_state(store)

    # The older import alone: refused, naming the later import (number and date).
    out = Output(as_json=False, stream=io.StringIO())
    assert cmd_undo(ctx, out, None, first.run.id) == EXIT_ERROR
    said = capsys.readouterr().err
    assert f"Import {first.run.id} cannot be undone on its own" in said
    assert f"import {second.run.id} of {run_when(ImportRun.get_by_id(second.run.id))}" in said
    assert f"undo {first.run.id} --cascade" in said
    assert raw_state(store) == before, "a refused undo writes nothing"
    assert ImportRun.get_by_id(first.run.id).status == "done"
    # The engine says the same, with the numbers (the wizard shows this sentence).
    try:
        undo(ctx, conn, first.run.id)
    except LaterImportsFirst as exc:
        assert exc.later_ids == [second.run.id]
        assert exc.user_message() in said
    else:
        raise AssertionError("undo of the older import was not refused")

    # --cascade: the later import first, then the older one.
    out = Output(as_json=False, stream=io.StringIO())
    assert cmd_undo(ctx, out, None, first.run.id, cascade=True) == EXIT_OK
    lines = out.stream.getvalue().splitlines()
    assert lines[0].startswith(f"Import #{second.run.id} was undone")
    assert lines[1].startswith(f"Import #{first.run.id} was undone")
    assert ImportRun.get_by_id(first.run.id).status == "undone"
    assert ImportRun.get_by_id(second.run.id).status == "undone"
    job = next(j for j in store.qbtime["jobcodes"] if j["id"] == created.qbt_id)
    assert not job["active"]

    # The next sync makes no duplicate: no second customer, no second location at an address.
    # The renamed contact's customer was created by the undone import: it is archived under
    # its old name, so the contact is a customer to create again (as on a first import); the
    # others are archived twins waiting for a decision.
    again = sync(ctx, conn)
    assert again.as_json()["created"].get("customers", 0) == 1
    assert again.as_json()["created"].get("locations", 0) == 0
    assert (
        sum(1 for j in store.qbtime["jobcodes"] if j["active"] and j["name"] == contact["Name"])
        == 1
    )
    jobs, locations, addresses = _counts(store)
    assert (jobs, locations) == (jobs_after_first + 1, locations_after_first)
    assert [a for a, n in addresses.items() if n > 1] == []
    assert duplicates(store) == []
    # Every Xero contact linked again has exactly one active location, its own.
    linked = {
        link.qbt_id
        for link in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    per_job = Counter(
        j
        for loc in store.qbtime["locations"]
        if loc["active"]
        for j in loc["linked_objects"].get("jobcodes", [])
    )
    assert all(per_job[j] <= 1 for j in linked)
    assert sync(ctx, conn).plan.is_empty


def test_undo_then_sync_restores_locations_instead_of_adding_twins(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    first = sync(ctx, conn)
    count = len(store.qbtime["locations"])
    undo(ctx, conn, first.run.id)
    again = sync(ctx, conn)
    assert again.as_json()["created"].get("locations", 0) == 0
    assert len(store.qbtime["locations"]) == count
    assert duplicates(store) == []


def test_undo_takes_the_new_locations_off_the_customers_that_were_there(demo_ctx):
    """An import puts a new location on a customer QuickBooks Time already had; undo archives
    the location and takes it off that customer, whose locations are then as before."""
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    before = {j["id"]: list(j.get("locations") or []) for j in store.qbtime["jobcodes"]}
    first = sync(ctx, conn)
    grew = [
        j["id"]
        for j in store.qbtime["jobcodes"]
        if j["id"] in before and list(j.get("locations") or []) != before[j["id"]]
    ]
    assert grew  # (the demo's linked customers get their Xero addresses)
    undo(ctx, conn, first.run.id)
    after = {j["id"]: list(j.get("locations") or []) for j in store.qbtime["jobcodes"]}
    assert {k: after[k] for k in before} == before
    again = sync(ctx, conn)  # the next import puts them back, restored, not twins
    assert again.as_json()["created"].get("locations", 0) == 0
    assert all(list(j.get("locations") or []) for j in store.qbtime["jobcodes"] if j["id"] in grew)
    assert duplicates(store) == []


def test_an_unrelated_later_import_does_not_block_undo(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    first = sync(ctx, conn)
    org = store.xero_orgs[0]
    contact = {
        **org["Contacts"][0],
        "ContactID": "9d7c0f00-0000-4000-8000-00000000beef",
        "Name": "Brand New Landscapes",
        "IsCustomer": True,
        "ContactStatus": "ACTIVE",
        "Addresses": [],
    }
    _touch(ctx, contact)
    org["Contacts"].append(contact)
    store.save()
    second = sync(ctx, conn)
    assert second.as_json()["created"].get("customers") == 1
    result = undo(ctx, conn, first.run.id)  # not refused: nothing in common
    assert ImportRun.get_by_id(first.run.id).status == "undone" and result.kind == "undo"
    assert ImportRun.get_by_id(second.run.id).status == "done"


EVIL = "Evil\x1b]8;;http://x\x07link\x1b]8;;\x07"


def test_names_from_xero_are_printed_escaped(demo_ctx, capsys):
    ctx, _conn = demo_ctx("AU")
    store = ctx.sandbox.store
    org = store.xero_orgs[0]
    # each name twice: two Xero contacts with one name are a conflict, listed with the name
    for n, name in enumerate(2 * (EVIL, "Trees \u202eseert\u202c\r Co", "Bell\x9b2J Co")):
        contact = {
            **org["Contacts"][0],
            "ContactID": f"9d7c0f00-0000-4000-8000-0000000000{n:02d}",
            "Name": name,
            "IsCustomer": True,
            "ContactStatus": "ACTIVE",
            "Addresses": [],
        }
        _touch(ctx, contact)
        org["Contacts"].append(contact)
    store.save()

    shown = []
    for command in (
        lambda out: cmd_sync(ctx, out, None, dry_run=True),
        lambda out: cmd_sync(ctx, out, None, dry_run=False),
        lambda out: cmd_review(ctx, out, None, None, None),
    ):
        out = Output(as_json=False, stream=io.StringIO())
        assert command(out) == EXIT_OK
        shown.append(out.stream.getvalue() + capsys.readouterr().err)
    for text in shown:
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "\u202e" not in text and "\r" not in text
    dry_run, synced, review = shown
    escaped = "Evil\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07"
    for text in (dry_run, synced, review):
        assert escaped in text
        assert "Trees \\u202eseert\\u202c\\r Co" in text
        assert "Bell\\x9b2J Co" in text

    # --json: the same names, as JSON escapes (never raw)
    out = Output(as_json=True, stream=io.StringIO())
    assert cmd_review(ctx, out, None, None, None) == EXIT_OK
    assert "\x1b" not in out.stream.getvalue() and "\u202e" not in out.stream.getvalue()
