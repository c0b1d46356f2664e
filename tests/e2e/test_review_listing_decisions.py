"""``review`` (headless) shows what each decided conflict will do and to which record: a
link to the wrong person looked like any other decided row ("Liam O'Connor ↔ Liam O'Connor",
the first candidate, whatever the saved target), and ``--json`` gave only counts."""

from __future__ import annotations

import io
import json

from core.app.cli import Output, cmd_review
from core.app.sync import sync
from core.engine import review
from core.i18n import current_language, set_language
from core.store.models import QBTRecord


def _listing(ctx, as_json: bool = False) -> str:
    out = Output(as_json=as_json, stream=io.StringIO())
    assert cmd_review(ctx, out, None, None, None) == 0
    return out.stream.getvalue()


def test_a_decided_link_names_the_record_it_links_to_not_the_first_candidate(demo_ctx):
    ctx, conn = demo_ctx("AU")
    result = sync(ctx, conn)
    conflict = next(c for c in result.plan.conflicts if c.kind == "employee" and c.candidates)
    taken = {c.qbt_id for c in conflict.candidates}
    # a manual search: another user, not among the candidates (the wrong person)
    other = next(
        r
        for r in QBTRecord.select().where(
            (QBTRecord.connection == conn) & (QBTRecord.kind == "user")
        )
        if r.qbt_id not in taken
        and r.qbt_id != 1
        and r.active
        and not review_linked(conn, r.qbt_id)
    )
    review.decide(conn, conflict, "link", target_qbt_id=other.qbt_id)
    other_name = f"{other.first_name} {other.last_name}".strip()
    text = _listing(ctx)
    line = next(x for x in text.splitlines() if "[decided]" in x)
    assert line.endswith(
        f'employee: {conflict.xero_name} → link to "{other_name}" (QuickBooks Time record '
        f"{other.qbt_id})"
    )
    assert conflict.candidates[0].name not in line.split("→")[1]
    payload = json.loads(_listing(ctx, as_json=True).strip().splitlines()[-1])
    (row,) = [r for r in payload["rows"] if r["decision"]]
    assert (row["xero_id"], row["decision"], row["target_qbt_id"]) == (
        conflict.xero_id,
        "link",
        other.qbt_id,
    )
    before = current_language()
    set_language("fr")
    try:
        french = _listing(ctx)
    finally:
        set_language(before)
    assert f"lier à «\u00a0{other_name}\u00a0»" in french


def test_create_and_never_import_are_said_as_such(demo_ctx):
    ctx, conn = demo_ctx("AU")
    result = sync(ctx, conn)
    first, second = [c for c in result.plan.conflicts if c.kind == "customer"][:2]
    review.decide(conn, first, "skip")
    review.decide(conn, second, "create")
    text = _listing(ctx)
    assert f"customer: {first.xero_name} → never import" in text
    assert f"customer: {second.xero_name} → create new" in text


def review_linked(conn, qbt_id: int) -> bool:
    from core.store.models import Link

    return Link.select().where((Link.connection == conn) & (Link.qbt_id == qbt_id)).exists()
