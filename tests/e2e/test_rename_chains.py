"""Customers renamed in Xero to each other's names (found by the soak's property test).

QuickBooks Time checks each jobcode's new name as it comes: a rename to a name another
rename of the same import frees must be sent after that one, or the chain takes one import
per link. Two names swapped can never be sent in any order: both renames wait, with the
reason, and no import fails on them again and again."""

from __future__ import annotations

from core.app.sync import load_links, sync
from tests.e2e.test_engine_properties import _touch


def _two_linked(ctx, conn):
    """Two Xero customers linked to top-level jobcodes: (contact, jobcode) each."""
    store = ctx.sandbox.store
    contacts = {c["ContactID"]: c for c in store.xero_orgs[0]["Contacts"]}
    jobs = {j["id"]: j for j in store.qbtime["jobcodes"]}
    pairs = [
        (contacts[x], jobs[q])
        for x, q in sorted(load_links(conn)["customer"].items())
        if x in contacts and q in jobs and jobs[q]["parent_id"] == 0 and jobs[q]["active"]
    ]
    return pairs[0], pairs[1]


def _rename(ctx, contact, name):
    contact["Name"] = name
    _touch(contact)
    ctx.sandbox.store.save()


def _jobcode_names(ctx, *jobs):
    by_id = {j["id"]: j["name"] for j in ctx.sandbox.store.qbtime["jobcodes"]}
    return [by_id[j["id"]] for j in jobs]


def test_a_rename_to_a_name_another_rename_frees_is_done_in_one_import(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    (first, first_job), (second, second_job) = _two_linked(ctx, conn)
    freed = second["Name"]
    # the first takes the second's name; the second gets a new one (in that order in Xero)
    _rename(ctx, first, freed)
    _rename(ctx, second, "Harbourside Renamed Pty Ltd")
    result = sync(ctx, conn)
    assert not result.outcomes.get("failed"), result.outcomes
    assert _jobcode_names(ctx, first_job, second_job) == [freed, "Harbourside Renamed Pty Ltd"]
    assert sync(ctx, conn).plan.actions == []


def test_two_names_swapped_wait_with_the_reason_and_nothing_fails(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    (first, first_job), (second, second_job) = _two_linked(ctx, conn)
    a, b = first["Name"], second["Name"]
    _rename(ctx, first, b)
    _rename(ctx, second, a)
    for _ in range(2):  # the same every time: nothing sent, nothing failing
        result = sync(ctx, conn)
        assert result.plan.actions == [] and not result.outcomes.get("failed")
        reasons = {s.xero_id: s.reason for s in result.plan.skipped}
        for contact in (first, second):
            assert reasons[contact["ContactID"]].startswith("Customers swap names in Xero")
            skipped = next(s for s in result.plan.skipped if s.xero_id == contact["ContactID"])
            assert skipped.describe("fr").startswith("Des clients échangent leurs noms")
    assert _jobcode_names(ctx, first_job, second_job) == [a, b]  # untouched
