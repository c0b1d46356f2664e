"""The Done page's undo says what it left as QuickBooks Time users changed or built on it
(a customer the import created that got a job under it is kept, and named)."""

from __future__ import annotations

import requests

from core.store.models import ImportRun, JournalEntry
from tests.gui.test_run_done_home import WAIT, _imported
from wizard.pages.done import DonePage
from wizard.state import PageId


def test_the_undo_banner_lists_what_was_left_alone(connected_env, host, qtbot):
    ctx, box, _t, conn = connected_env
    state, _before = _imported(ctx, conn, box)
    created = (
        JournalEntry.select()
        .where(
            (JournalEntry.run == state.last_run)
            & (JournalEntry.action == "create")
            & (JournalEntry.entity_kind == "jobcode")
            & (JournalEntry.state == "done")
        )
        .order_by(JournalEntry.seq)
        .first()
    )
    name = created.after["name"]
    resp = requests.post(
        f"{box.qbtime_base}/jobcodes",
        json={"data": [{"name": "Stage 1 works", "parent_id": created.qbt_id}]},
        headers={"Authorization": f"Bearer {box.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    wiz = host(state, {PageId.DONE: DonePage})
    page = wiz.pages[PageId.DONE]

    page.undo()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)

    assert ImportRun.get_by_id(state.last_run.id).status == "undone"
    text = page.banner.label.text()
    assert "The import was undone." in text
    assert "Except what was changed or built on in QuickBooks Time after the import" in text
    assert f"{name}: jobs were added under it in QuickBooks Time after the import" in text
