"""QuickBooks Time's jobcodes are stored page by page as they come, not held whole (issue
16: at 100,000 contacts the 30,000 jobcodes held at once, answers, records and rows, were a
full garbage collection or two of the fetch). A jobcode that comes again on a later page (the
list shifted while it was read) is kept as its last copy and reported once, as when the whole
list was gathered first."""

from __future__ import annotations

import pytest

from core.services import fetch as fetch_module
from core.services.fetch import fetch, load_snapshot
from core.services.qbtime.client import QBTimeClient
from core.store.models import QBTRecord

PAGE = 3  # jobcodes per page here (QuickBooks Time's is 200): the Demo Company's become many


@pytest.fixture
def small_pages(monkeypatch):
    pages = QBTimeClient._pages

    def small(self, endpoint, kind, params):
        self.page_limit = PAGE
        return pages(self, endpoint, kind, params)

    monkeypatch.setattr(QBTimeClient, "_pages", small)


def _stored_jobcodes(conn) -> dict[int, str]:
    return {
        int(r.qbt_id): r.name
        for r in QBTRecord.select().where(
            (QBTRecord.connection == conn) & (QBTRecord.kind == "jobcode")
        )
    }


def test_jobcodes_are_stored_page_by_page(demo_ctx, monkeypatch, small_pages):
    ctx, conn = demo_ctx("AU")
    events: list[str] = []
    get, add = QBTimeClient._get, fetch_module._Storing.add

    def getting(self, endpoint, params=None):
        if endpoint == "jobcodes":
            events.append("read")
        return get(self, endpoint, params)

    def storing(self, rows, records=()):
        add(self, rows, records)
        if self.kind == "jobcode":
            events.append("stored")

    monkeypatch.setattr(QBTimeClient, "_get", getting)
    monkeypatch.setattr(fetch_module._Storing, "add", storing)
    report = fetch(ctx, conn)

    reads = events.count("read")
    assert reads > 3  # many pages
    # each page stored before the next is read: read, stored, read, stored, ...
    assert events[: 2 * (reads - 1)] == ["read", "stored"] * (reads - 1)
    stored = _stored_jobcodes(conn)
    assert sorted(report.qbtime["jobcodes"].added) == sorted(str(i) for i in stored)
    snap = load_snapshot(conn)
    assert {j.id: j.name for j in snap.jobcodes} == stored


def test_a_jobcode_come_again_on_a_later_page_is_kept_as_its_last_copy(
    demo_ctx, monkeypatch, small_pages
):
    ctx, conn = demo_ctx("AU")
    pages = QBTimeClient._pages
    moved: dict[str, int] = {}

    def shifted(self, endpoint, kind, params):
        previous = None
        for number, rows in enumerate(pages(self, endpoint, kind, params), start=1):
            if endpoint == "jobcodes" and number == 2 and previous:
                again = dict(previous[-1], name=previous[-1]["name"] + " (renamed meanwhile)")
                moved["id"] = int(again["id"])
                rows = [again, *rows]  # the last of page 1 again, changed, atop page 2
            previous = rows
            yield rows

    monkeypatch.setattr(QBTimeClient, "_pages", shifted)
    report = fetch(ctx, conn)

    stored = _stored_jobcodes(conn)
    assert stored[moved["id"]].endswith(" (renamed meanwhile)")  # the last copy
    added = report.qbtime["jobcodes"].added
    assert len(added) == len(set(added)) == len(stored)  # each jobcode said once
    snap = load_snapshot(conn)
    assert {j.id: j.name for j in snap.jobcodes} == stored

    # read again whole (the list no longer shifting): found as stored but for the one
    # changed meanwhile, which goes back to what the list holds
    monkeypatch.setattr(QBTimeClient, "_pages", pages)
    again = fetch(ctx, conn, full=True)
    assert again.qbtime["jobcodes"].changed == [str(moved["id"])]
    assert not again.qbtime["jobcodes"].added and not again.qbtime["jobcodes"].removed
