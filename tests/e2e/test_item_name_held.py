"""Two Xero items whose names differ only in case, the one sold swapped: QuickBooks Time keeps
the name for the first one's archived item (names are unique in a field, archived items
included), so the second is not created against it (a write refused at every run): it is
left out with what to do. Found by the re-import property test (test_engine_properties)."""

from __future__ import annotations

import io
import json
import time

from core.app.cli import Output, cmd_sync
from core.app.sync import sync
from core.i18n import tr


def _touch(row: dict) -> None:
    row["UpdatedDateUTC"] = f"/Date({int(time.time() * 1000) + 5000}+0000)/"


def test_a_name_kept_by_an_item_no_longer_sold_is_not_created_twice(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    items = store.xero_orgs[0]["Items"]
    sold = [i for i in items if i.get("IsSold") and not i.get("IsTrackedAsInventory")]
    first, second = sold[0], sold[1]
    second["Name"] = first["Name"].upper()
    first["IsSold"] = False
    _touch(first)
    _touch(second)
    store.save()
    sync(ctx, conn)  # the upper-case one becomes a custom field item
    held = next(i for i in store.qbtime["customfielditems"] if i["name"] == first["Name"].upper())

    first["IsSold"], second["IsSold"] = True, False  # the other one is sold now
    _touch(first)
    _touch(second)
    store.save()
    result = sync(ctx, conn)

    assert not result.outcomes.get("failed"), result.outcomes  # no write refused
    assert result.outcomes["archived"]["items"] == 1
    assert held["active"] is False
    names = [
        i["name"]
        for i in store.qbtime["customfielditems"]
        if i["customfield_id"] == held["customfield_id"]
    ]
    assert first["Name"] not in names  # not created against the kept name
    skipped = next(s for s in result.plan.skipped if s.xero_id == first["ItemID"])
    assert skipped.params["other"] == first["Name"].upper()
    said = tr(skipped.reason, "fr", **skipped.params)
    assert said != tr(skipped.reason, "en", **skipped.params) and "QuickBooks Time" in said
    assert sync(ctx, conn).plan.is_empty  # and the next run has nothing to do

    # the sync command says it, with the reason, not only in its counts
    said = io.StringIO()
    assert cmd_sync(ctx, Output(stream=said), None, dry_run=True) == 0
    text = said.getvalue()
    assert "Left out, and why:" in text
    assert f'  - items (1): QuickBooks Time keeps the name for "{held["name"]}"' in text
    as_json = io.StringIO()
    assert cmd_sync(ctx, Output(as_json=True, stream=as_json), None, dry_run=True) == 0
    rows = json.loads(as_json.getvalue().strip().splitlines()[-1])["left_out"]
    assert {"what": "items", "count": 1, "reason": skipped.describe()} in rows
