"""A customer whose exact twin in QuickBooks Time is archived (the AU demo's "Manly Wharf
Hotel"). QuickBooks Time keeps a jobcode's name among its siblings, archived ones included
(a create of that name answers 202 with the archived jobcode: nothing is made), so "create
new" under that very name cannot be done. The review says so: "restore and link it, or
create a new one under another name"; a "create new" without another name is refused when
it is decided (screen or CSV), never accepted then asked again at every import; a "create
new" with a name in the CSV's new_name column creates it under that name.

Also: the command line's dry run says what archiving an unmatched customer takes with it (the
jobs under it), in the wizard preview's words, and never says "jobcode"."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from core.app.cli import Output, cmd_sync
from core.app.sync import load_options, save_options, sync
from core.engine import review
from core.engine.review import CreateNameKept
from core.i18n import current_language, set_language, tr
from core.store.models import Decision

NAME = "Manly Wharf Hotel"


def _conflict(ctx, conn):
    [conflict] = [c for c in sync(ctx, conn, dry_run=True).plan.conflicts if c.xero_name == NAME]
    assert conflict.kind == "customer" and conflict.problem == "archived_twin"
    return conflict


def _jobcodes(store) -> list[tuple[str, bool]]:
    return sorted(
        (j["name"], j["active"]) for j in store.qbtime["jobcodes"] if "Manly" in j["name"]
    )


def _csv(path: Path, conflict, decision: str, new_name: str = "") -> Path:
    path.write_text(
        "kind,xero_id,decision,new_name,fingerprint\n"
        f"customer,{conflict.xero_id},{decision},{new_name},{conflict.fingerprint}\n",
        encoding="utf-8",
    )
    return path


def test_the_review_asks_for_another_name(demo_ctx):
    ctx, conn = demo_ctx("AU")
    conflict = _conflict(ctx, conn)
    assert conflict.describe().endswith("or create a new one under another name.")
    assert "\u00a0:" in conflict.describe("fr") and "autre nom" in conflict.describe("fr")


def test_create_new_without_a_free_name_is_refused_when_decided(demo_ctx, tmp_path):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    conflict = _conflict(ctx, conn)
    with pytest.raises(CreateNameKept) as refused:
        review.decide(conn, conflict, "create")
    assert NAME in refused.value.user_message() and "Rename" in refused.value.user_message()
    french = refused.value.user_message("fr")
    assert "Renommer" in french and "«\u00a0" + NAME + "\u00a0»" in french

    report = review.import_csv(conn, [conflict], _csv(tmp_path / "d.csv", conflict, "create new"))
    assert report.applied == 0
    [problem] = report.problems
    assert problem.code == "create_refused" and "Restore and link" in problem.reason
    assert Decision.select().where(Decision.xero_id == conflict.xero_id).count() == 0
    before = _jobcodes(store)
    sync(ctx, conn)
    assert _jobcodes(store) == before  # nothing done, and nothing said to be done


def test_create_new_with_a_name_in_the_csv_creates_it_under_that_name(demo_ctx, tmp_path):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    conflict = _conflict(ctx, conn)
    path = _csv(tmp_path / "d.csv", conflict, "create new", "Manly Wharf Hotel (2026)")
    report = review.import_csv(conn, [conflict], path)
    assert (report.applied, report.problems) == (1, [])
    [row] = review.review_rows(conn, [conflict])
    assert row.decided and review.decision_words(row) == 'create as "Manly Wharf Hotel (2026)"'

    done = sync(ctx, conn)
    assert done.run is not None and done.run.counts["failed"] == 0
    assert (NAME, False) in _jobcodes(store) and ("Manly Wharf Hotel (2026)", True) in _jobcodes(
        store
    )
    assert all(c.xero_name != NAME for c in sync(ctx, conn, dry_run=True).plan.conflicts)


def test_a_create_saved_before_is_asked_again_and_says_why(demo_ctx):
    """A "create new" saved before it was refused: the review shows it re-opened (not
    decided), and the import says why it is left out, not "a similar record"."""
    ctx, conn = demo_ctx("AU")
    conflict = _conflict(ctx, conn)
    Decision.create(
        connection=conn,
        kind="customer",
        xero_id=conflict.xero_id,
        action="create",
        depends_on=conflict.fingerprint,
        note="",
    )
    [row] = review.review_rows(conn, [conflict])
    assert row.state == "reopened" and not row.decided
    plan = sync(ctx, conn, dry_run=True).plan
    [skipped] = [s for s in plan.skipped if s.xero_id == conflict.xero_id]
    assert "archived customer" in skipped.describe()
    assert any(c.xero_id == conflict.xero_id for c in plan.conflicts)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_dry_run_says_the_jobs_archived_with_an_unmatched_customer(demo_ctx, language):
    ctx, conn = demo_ctx("AU")  # (the QuickBooks Time company's Québec customers: unmatched)
    save_options(conn, replace(load_options(conn), archive_unmatched=True))
    plan = sync(ctx, conn, dry_run=True).plan
    archives = [a for a in plan.actions if a.op == "archive" and a.before.get("children")]
    assert archives, "the demo has an unmatched customer with jobs under it"
    action = archives[0]
    said = io.StringIO()
    was = current_language()
    set_language(language)
    try:
        assert cmd_sync(ctx, Output(stream=said), None, dry_run=True) == 0
    finally:
        set_language(was)
    [line] = [ln for ln in said.getvalue().splitlines() if f" {action.label}  " in ln]
    note = tr(
        "the {count} jobs under it are archived too", language, count=len(action.before["children"])
    )
    assert note in line
    assert "jobcode" not in line and "active:" not in line
