"""A Xero tracking category with no active option is not made a QuickBooks Time custom field
(QuickBooks Time allows few active ones; this one would hold nothing to choose): the preview
says why, and it is imported once it has an option."""

from __future__ import annotations

from core.app.sync import sync
from tests.e2e.test_invoicing import org_of


def _fields_named(ctx, name: str) -> list[dict]:
    return [f for f in ctx.sandbox.store.qbtime["customfields"] if f["name"] == name]


def test_a_category_with_no_active_option_waits_for_one(demo_ctx):
    ctx, conn = demo_ctx("AU")
    org = org_of(ctx, conn)
    with ctx.sandbox.store.lock:
        org["TrackingCategories"].append(
            {
                "TrackingCategoryID": "0f1e2d3c-4b5a-4697-8877-665544332211",
                "Name": "Crew",
                "Status": "ACTIVE",
                "Options": [
                    {
                        "TrackingOptionID": "1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9",
                        "Name": "Night crew",
                        "Status": "ARCHIVED",
                    }
                ],
            }
        )
        ctx.sandbox.store.save("xero")
    result = sync(ctx, conn)
    (skipped,) = [s for s in result.plan.skipped if s.name == "Crew"]
    assert "no active options" in skipped.describe()
    assert _fields_named(ctx, "Crew") == []
    # an option made active: the next import brings the category in, with its option
    with ctx.sandbox.store.lock:
        cat = next(c for c in org["TrackingCategories"] if c["Name"] == "Crew")
        cat["Options"][0]["Status"] = "ACTIVE"
        ctx.sandbox.store.save("xero")
    sync(ctx, conn)
    (field,) = _fields_named(ctx, "Crew")
    items = [
        i["name"]
        for i in ctx.sandbox.store.qbtime["customfielditems"]
        if i["customfield_id"] == field["id"]
    ]
    assert items == ["Night crew"]
