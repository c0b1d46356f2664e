"""The preview's table keeps the plan's own records: a plan of thousands of lines adds no
object per line to the window's heap (each one more for its garbage collector to walk:
issue 16's event-loop gaps), and each line reads as before."""

from __future__ import annotations

import gc

from PySide6.QtCore import Qt

from core.engine.plan import Action, ImportPlan, Skipped
from wizard.models.preview import (
    AFTER,
    BEFORE,
    KIND,
    NAME,
    OP_ROLE,
    WHAT,
    WHY,
    ChangeFilterModel,
    ChangeTableModel,
)


def _plan(n: int) -> ImportPlan:
    actions = [
        Action(
            f"customer:{i}", "customers", "update" if i % 3 else "archive", "jobcode", "customers",
            f"Customer {i}", xero_id=f"x{i}", qbt_id=i,
            before={"name": f"Customer {i} Old", "active": True, "children": [1, 2]},
            after={"name": f"Customer {i}"} if i % 3 else {"active": False},
            reason="The name changed in Xero",
        )
        for i in range(n)
    ]  # fmt: skip
    skipped = [Skipped("customer", f"s{i}", f"Left {i}", "Archived in Xero") for i in range(10)]
    return ImportPlan(actions=actions, skipped=skipped)


def test_the_lines_are_the_plans_own_records(qapp):
    plan = _plan(3000)
    model = ChangeTableModel()
    gc.collect()
    before = len(gc.get_objects())
    model.set_plan(plan)
    kept = len(gc.get_objects()) - before
    assert model.rowCount() == 3010
    assert kept < 100, kept  # a Change (and copies of before and after) per line: 3,000+


def test_each_line_reads_as_before(qapp):
    model = ChangeTableModel()
    model.set_plan(_plan(3))
    cells = [
        [model.index(r, c).data() for c in (WHAT, KIND, NAME, BEFORE, AFTER, WHY)]
        for r in range(model.rowCount())
    ]
    assert cells[0][:3] == ["Archive", "Customer", "Customer 0"]
    assert cells[0][4].startswith("Archived")
    assert "the 2 jobs under it are archived too" in cells[0][4]
    assert cells[1] == [
        "Update", "Customer", "Customer 1", "Name: Customer 1 Old; Status: Active", "Name: Customer 1",
        "The name changed in Xero",
    ]  # fmt: skip
    assert cells[3][:3] == ["Not imported", "Customer", "Left 0"]
    assert model.index(3, 0).data(OP_ROLE) == "skip"
    proxy = ChangeFilterModel()
    proxy.setSourceModel(model)
    proxy.set_filter("archive", None)
    assert [proxy.index(r, NAME).data() for r in range(proxy.rowCount())] == ["Customer 0"]
    proxy.set_filter(None, "customer 2")
    assert [proxy.index(r, NAME).data() for r in range(proxy.rowCount())] == ["Customer 2"]
    proxy.set_filter("changes", "")
    assert proxy.rowCount() == 3
    assert model.names_of("archive") == ["Customer 0"]
    assert model.index(0, WHAT).data(Qt.ItemDataRole.FontRole).bold()


def test_showing_the_lines_asks_python_nothing_per_line(qapp):
    """The filter model filters in Qt (a pattern on each line's filter text): with no
    filter on, showing 3,000 lines calls no Python function per line (a filterAcceptsRow
    written in Python was called once per line, on the window's thread, at every load)."""
    import sys

    model = ChangeTableModel()
    proxy = ChangeFilterModel()
    proxy.setSourceModel(model)
    plan = _plan(3000)
    calls = [0]

    def count(_frame, event, _arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(count)
    try:
        model.set_plan(plan)
        shown = proxy.rowCount()
    finally:
        sys.setprofile(None)
    assert shown == 3010
    assert calls[0] < 300, calls[0]
    proxy.set_filter("update", None)  # restores too, as the counts do
    assert proxy.rowCount() == 2000
    proxy.set_filter("update", "customer 1")  # then words: Customer 1, 10-19, 100-199, ...
    names = [proxy.index(r, NAME).data() for r in range(proxy.rowCount())]
    assert names and all(n.startswith("Customer 1") for n in names)
    assert "Customer 12" not in names  # an archive
    proxy.set_filter(None, "")
    assert proxy.rowCount() == 3010


def test_the_names_archived_are_read_without_making_a_line_each(qapp):
    """The banner names what is archived (the preview asks as it opens): read from the
    plan's records directly, not one line made per record (13,000 at 10,000 contacts)."""
    import sys

    model = ChangeTableModel()
    model.set_plan(_plan(3000))
    calls = [0]

    def count(_frame, event, _arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(count)
    try:
        archived = model.names_of("archive")
        left_out = model.names_of("skip")
    finally:
        sys.setprofile(None)
    assert archived == [f"Customer {i}" for i in range(0, 3000, 3)]
    assert left_out == [f"Left {i}" for i in range(10)]
    assert calls[0] < 50, calls[0]
