"""An employee whose exact twin in QuickBooks Time is an archived user: the review offers
"restore and link it, or create a new one". Whatever the person chooses is what the
import does, and the duplicate check used by the property tests and the soak
(tests/reliability/support.duplicates) accepts the new user beside its archived twin only
when a person chose "Create new" on that very conflict.

Found by the soak (tests/e2e/test_engine_properties.py, test_import_then_replan_is_empty_and_
undo_restores): a generated UK company, seed 119, its one employee Chloe Roberts archived in
QuickBooks Time, the decision "create": the import created what was asked and the oracle
called it a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.app.sync import save_options, sync
from core.engine import review
from core.engine.plan import ImportOptions
from core.sandbox.demo_data import generate_large
from core.store.models import JournalEntry
from tests.reliability.support import MemoryBackend, duplicates, open_demo

OPTIONS = ImportOptions(
    import_customers=True,
    archive_unmatched=False,
    assign_all=False,
    import_items=False,
    require_item=False,
    import_tracking=False,
    import_employees=True,
    link_leave=False,
)


@pytest.fixture
def company(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    data = generate_large(contacts=9, employees=1, items=0, region="UK", seed=119)
    (tmp_path / "company.json").write_text(json.dumps(data), encoding="utf-8")
    ctx, conn = open_demo(
        "*",
        tmp_path / "home",
        tmp_path / "state",
        MemoryBackend(),
        data_file=tmp_path / "company.json",
    )
    try:
        yield ctx, conn
    finally:
        ctx.close()


def _people(store: Any) -> list[tuple[int, bool]]:
    return sorted(
        (u["id"], bool(u["active"]))
        for u in store.qbtime["users"]
        if (u["first_name"], u["last_name"]) == ("Chloe", "Roberts")
    )


def _twin_conflict(ctx: Any, conn: Any) -> tuple[Any, int]:
    save_options(conn, OPTIONS)
    preview = sync(ctx, conn, dry_run=True)
    [conflict] = [c for c in preview.plan.conflicts if c.kind == "employee"]
    assert conflict.problem == "archived_twin"
    [twin] = conflict.candidates
    assert twin.archived and _people(ctx.sandbox.store) == [(twin.qbt_id, False)]
    assert duplicates(ctx.sandbox.store) == []
    return conflict, twin.qbt_id


def test_create_beside_an_archived_twin_is_what_was_chosen(company):
    ctx, conn = company
    store = ctx.sandbox.store
    conflict, twin = _twin_conflict(ctx, conn)
    review.decide(conn, conflict, "create")

    first = sync(ctx, conn)
    assert first.run is not None and first.run.counts["failed"] == 0
    [created] = [
        e.qbt_id
        for e in JournalEntry.select().where(
            (JournalEntry.run == first.run)
            & (JournalEntry.entity_kind == "user")
            & (JournalEntry.action == "create")
            & (JournalEntry.state == "done")
        )
    ]
    assert _people(store) == [(twin, False), (created, True)]  # the twin stays archived
    assert sync(ctx, conn).plan.is_empty  # and the new user stays linked, not re-offered

    # The oracle: without the person's choice this is the duplicate it must catch ...
    assert duplicates(store) == ["an active and 1 archived users for ('Chloe', 'Roberts', '')"]
    # ... with it, exactly this pair passes,
    assert duplicates(store, {created: twin}) == []
    # and nothing wider: a choice about another user, or a second active Chloe Roberts.
    assert duplicates(store, {twin: created}) != []
    assert duplicates(store, {created: 1}) != []
    store.qbtime["users"].append(
        {**next(u for u in store.qbtime["users"] if u["id"] == created), "id": 9, "username": "c2"}
    )
    assert duplicates(store, {created: twin}) == ["two active users for ('Chloe', 'Roberts', '')"]


@pytest.mark.parametrize("action", ["later", "restore_link"])
def test_otherwise_no_second_user(company, action):
    """Decided later: nothing is created; restore and link: the archived user is restored."""
    ctx, conn = company
    store = ctx.sandbox.store
    conflict, twin = _twin_conflict(ctx, conn)
    if action == "restore_link":
        assert review.link_action(conn, conflict, twin) == review.RESTORE_LINK
        review.decide(conn, conflict, review.RESTORE_LINK, target_qbt_id=twin)
    else:
        review.decide(conn, conflict, action)
    sync(ctx, conn)
    assert sync(ctx, conn).plan.is_empty
    assert _people(store) == [(twin, action == "restore_link")]
    assert duplicates(store) == []
