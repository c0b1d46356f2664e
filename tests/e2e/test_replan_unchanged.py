"""A scheduled re-import's plan is the same, to the byte, with the shortcuts that make it
cheap (issue 16) and without them.

The shortcuts: the stored snapshot read with orjson (``core.jsontext``) instead of ``json``;
each name's keys worked out once per plan (``matching.NameMemo``, ``PlanContext.sent_name``
and ``name_key``) instead of at every use; the fuzzy step's blocking buckets sorted when a
name first reads them instead of all at once; the QuickBooks Time records indexed by key
without a list per key (``matching._ByKey``); the top-level names after the renames worked
out without a set of holders per name. "Without them" undoes each one (the last two: the
code as it was, below) for the second plan of the same snapshot, links and decisions, and
the two plans' JSON must be equal: actions, conflicts (candidates, fingerprints), skipped
records and every match result.
"""

from __future__ import annotations

import copy
import json
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass

import pytest

from core import jsontext
from core.app.sync import current_plan, sync
from core.engine import matching
from core.engine.names import (
    exact_key,
    fits_qbtime,
    is_blank,
    normalise_name,
    qbt_name_key,
    sent_name,
)
from core.engine.plan.context import PlanContext
from core.engine.plan.customers import CustomerPlanner, _rename_order, _renamed_before
from core.sandbox.common import atomic_write_json
from core.sandbox.demo_data import generate_large
from core.services.fetch import fetch
from core.services.qbtime import mapping as qmap
from tests.benchmarks import api_floor
from tests.benchmarks.test_bench_import import _state, _write_state, change_one_percent
from tests.reliability.support import MemoryBackend, open_demo


def plan_json(plan) -> str:
    def encode(value):
        if is_dataclass(value) and not isinstance(value, type):
            return asdict(value)
        if isinstance(value, set | frozenset):
            return sorted(value, key=repr)
        return repr(value)

    return json.dumps(
        {
            "actions": plan.actions,
            "conflicts": plan.conflicts,
            "skipped": plan.skipped,
            "key_owner_id": plan.key_owner_id,
            "matches": plan.matches,
        },
        default=encode,
        sort_keys=True,
        ensure_ascii=False,
    )


class ListsByKey(defaultdict):
    """matching._ByKey as it was: a list per key."""

    def __init__(self):
        super().__init__(list)

    def add(self, key, q):
        self[key].append(q)

    def get(self, key, default=()):
        return super().get(key, default)


def top_renames_as_it_was(self, active, linked):
    """CustomerPlanner._top_renames as it was (a set of holders per name key)."""
    renames = {}
    for contact in active:
        job_id = linked.get(contact.contact_id)
        job = self.ctx.jobcodes.get(job_id) if job_id is not None else None
        if job is None:
            continue
        name = self.ctx.desired_name("customer", contact.contact_id, contact.name)
        if name and fits_qbtime(name) and job.name != name:
            renames[job.id] = name
    tops = [j for j in self.ctx.snap.jobcodes if j.parent_id == 0]
    blocked = set()
    # (not a shortcut: renames round a circle are blocked, the others ordered, as the
    # planner does; its helpers, with holders worked out here)
    holding = defaultdict(list)
    for j in tops:
        holding[qbt_name_key(j.name)].append(j.id)
    swapped, order = set(), []
    while True:
        holders = defaultdict(set)
        for j in tops:
            name = renames[j.id] if j.id in renames and j.id not in blocked else j.name
            holders[qbt_name_key(name)].add(j.id)
        newly = {
            jid
            for jid, name in renames.items()
            if jid not in blocked and len(holders[qbt_name_key(name)]) > 1
        }
        if not newly:
            order, newly = _rename_order(_renamed_before(renames, blocked, holding, qbt_name_key))
            swapped |= newly
        if not newly:
            break
        blocked |= newly
    self.swapped_renames = swapped
    self.rename_rank = {jid: rank for rank, jid in enumerate(order)}
    return renames, blocked, {key: min(ids) for key, ids in holders.items()}


@contextmanager
def without_shortcuts(monkeypatch):
    """Each shortcut undone: what the planner did before them."""
    with monkeypatch.context() as m:
        m.setattr(jsontext, "loads", json.loads)

        def every_time(self, name):  # worked out at each use, kept nowhere
            normal = normalise_name(name)
            return exact_key(name), normal, matching._compact(normal), is_blank(name)

        m.setattr(matching.NameMemo, "__missing__", every_time)
        m.setattr(PlanContext, "sent_name", lambda self, name: sent_name(name))
        m.setattr(PlanContext, "name_key", lambda self, name: qbt_name_key(name))
        made = matching._BlockedIndex.__init__

        def every_bucket(self, *args, **kwargs):
            made(self, *args, **kwargs)
            for key in list(self.members):
                self._single(key)

        m.setattr(matching._BlockedIndex, "__init__", every_bucket)
        m.setattr(matching, "_ByKey", ListsByKey)
        m.setattr(CustomerPlanner, "_top_renames", top_renames_as_it_was)
        yield


TWIN = "Twin Harbour Supplies"


def names_that_collide(state) -> dict[str, str]:
    """In Xero, while the simulators are stopped: a customer renamed to another's name in
    capitals (its rename is blocked: the other's jobcode holds the name), a customer renamed
    away and another renamed to its old name (that rename frees the name for this one), and
    a new customer with two exact twins in QuickBooks Time (ambiguous)."""
    data = _state(state)
    contacts = api_floor.org_of(data)["Contacts"]
    tops = {j["name"] for j in data["qbtime"]["jobcodes"] if j["parent_id"] == 0 and j["active"]}
    linked = [
        c
        for c in contacts
        if c.get("IsCustomer")
        and c.get("ContactStatus") == "ACTIVE"
        and c["Name"] in tops
        and c["Name"] != c["Name"].upper()
    ]
    blocked, holder, taker, leaver = linked[:4]
    stamp = f"/Date({int(time.time() * 1000)}+0000)/"
    blocked["Name"] = holder["Name"].upper()
    freed = leaver["Name"]
    leaver["Name"], taker["Name"] = freed + " Group", freed
    twin = copy.deepcopy(holder)
    twin.update(ContactID="0dd1e7a5-7e57-4c6b-9c33-7a1c0f4e2a10", Name=TWIN)
    contacts.append(twin)
    for contact in (blocked, taker, leaver, twin):
        contact["UpdatedDateUTC"] = stamp
    jobs = data["qbtime"]["jobcodes"]
    model = next(j for j in jobs if j["parent_id"] == 0 and j["type"] == "regular")
    for n in (1, 2):
        jobs.append(
            {
                **copy.deepcopy(model),
                "id": 9_000_000_000 + n,
                "name": TWIN,
                "locations": [],
                "last_modified": qmap.format_timestamp(time.time()),
            }
        )
    _write_state(state, data)
    return {"blocked": blocked["ContactID"], "taker": taker["ContactID"], "freed": freed}


@pytest.mark.parametrize("region", ["AU", "UK"])
def test_a_reimport_plans_the_same_with_and_without_the_shortcuts(tmp_path, monkeypatch, region):
    data = tmp_path / "company.json"
    atomic_write_json(
        data, generate_large(contacts=2_000, employees=60, items=120, region=region, seed=12)
    )
    home, state, backend = tmp_path / "home", tmp_path / "state", MemoryBackend()
    ctx, conn = open_demo("*", home, state, backend, data_file=data)
    try:
        sync(ctx, conn)  # the first import
    finally:
        ctx.close()
    changed = change_one_percent(state)  # renamed, moved, archived and added, on both sides
    assert changed["contacts renamed"] and changed["jobcodes edited in QuickBooks Time"]
    collide = names_that_collide(state)

    ctx, conn = open_demo("*", home, state, backend, data_file=data, connect=False)
    try:
        fetch(ctx, conn)
        # the fuzzy step's blocked index at this size too (a 10,000-contact organisation's)
        monkeypatch.setattr(matching, "EXHAUSTIVE_PAIR_BUDGET", 0)
        _snap, plan = current_plan(conn)
        with without_shortcuts(monkeypatch):
            _snap, before = current_plan(conn)
    finally:
        ctx.close()

    assert plan_json(plan) == plan_json(before)
    # what the re-import is made of: renames, creates, archives, look-alikes found by the
    # fuzzy step
    ops = {(a.entity, a.op) for a in plan.actions}
    assert {("jobcode", "update"), ("jobcode", "create"), ("jobcode", "archive")} <= ops
    reasons = {c.reason_code for conflict in plan.conflicts for c in conflict.candidates}
    assert "similar" in reasons and len(plan.conflicts) > 20
    # ...and names that collide: a rename blocked, a name freed and taken in one plan, a
    # customer with two exact twins
    assert any(
        s.xero_id == collide["blocked"] and "similar record already exists" in s.reason
        for s in plan.skipped
    )
    assert any(
        a.xero_id == collide["taker"] and a.after.get("name") == collide["freed"]
        for a in plan.actions
    )
    assert any(c.xero_name == TWIN and c.problem == "ambiguous" for c in plan.conflicts)
