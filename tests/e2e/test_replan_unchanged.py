"""A scheduled re-import's plan is the same, to the byte, with the shortcuts that make it
cheap (issue 16) and without them.

The shortcuts: the stored snapshot read with orjson (``core.jsontext``) instead of ``json``;
each name's keys worked out once per plan (``matching.NameMemo``, ``PlanContext.sent_name``
and ``name_key``) instead of at every use; the fuzzy step's blocking buckets sorted when a
name first reads them instead of all at once. "Without them" undoes each one for the second
plan of the same snapshot, links and decisions, and the two plans' JSON must be equal:
actions, conflicts (candidates, fingerprints), skipped records and every match result.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass

import pytest

from core import jsontext
from core.app.sync import current_plan, sync
from core.engine import matching
from core.engine.names import exact_key, is_blank, normalise_name, qbt_name_key, sent_name
from core.engine.plan.context import PlanContext
from core.sandbox.common import atomic_write_json
from core.sandbox.demo_data import generate_large
from core.services.fetch import fetch
from tests.benchmarks.test_bench_import import change_one_percent
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
        yield


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
