"""What a large plan keeps for the garbage collector to go through (issue 16: from 10,000 to
100,000 contacts the plan's CPU grew 23 times, mostly full collections of a heap that grows
with the organisation). A reason given once per record is one message object, whatever the
number of records: not one object per action."""

from __future__ import annotations

import random
import string
from collections import defaultdict

from core.engine.plan import ImportOptions, plan_import
from core.engine.plan.model import DecisionView
from core.engine.records import Address, QBTJobcode, Snapshot, XeroContact


def _snapshot(customers: int) -> Snapshot:
    rng = random.Random(16)
    names = [
        " ".join("".join(rng.choices(string.ascii_lowercase, k=7)).title() for _ in range(3))
        for _ in range(customers)
    ]
    snap = Snapshot(version="AU")
    street = Address("1 Main Street", "", "Newcastle", "NSW", "2300", "Australia")
    snap.contacts = [
        XeroContact(f"c{i}", name, "ACTIVE", True, False, street=street)
        for i, name in enumerate(names)
    ]
    # half already in QuickBooks Time under the same name (linked, assigned to all), and
    # look-alikes of a few (conflicts waiting for a decision); the others are created
    snap.jobcodes = [
        QBTJobcode(id=1000 + i, parent_id=0, name=names[i], type="regular", active=True)
        for i in range(0, customers, 2)
    ] + [
        QBTJobcode(id=9000 + i, parent_id=0, name=names[i] + "s", type="regular", active=True)
        for i in range(1, 80, 2)
    ]
    return snap


def test_a_reason_given_per_record_is_one_object_however_many_records():
    plan = plan_import(
        _snapshot(400), {}, dict[tuple[str, str], DecisionView](), ImportOptions(assign_all=True)
    )
    objects: dict[str, set[int]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    for action in plan.actions:
        objects[action.reason].add(id(action.reason))
        count[action.reason] += 1
    for skipped in plan.skipped:
        objects[skipped.reason].add(id(skipped.reason))
        count[skipped.reason] += 1
    for reason in (
        "new customer in Xero",
        "customer address in Xero",
        "same name",
        "assign all imported customers to all team members",
        'waiting for your decision in "Review look-alike records"',
    ):
        assert count[reason] >= 10, (reason, dict(count))  # given again and again
        assert len(objects[reason]) == 1, reason  # by one object
