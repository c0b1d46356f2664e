"""Xero's contacts are stored page by page as they arrive, not held whole (issue 16: at
100,000 contacts the whole read held at once, parsed objects and text, took most of a
gigabyte). Each page is stored in its own transaction: a read that fails part-way leaves
the pages before stored and no cursor moved, so the next read is whole again and finds
them unchanged. What the fetch keeps for the snapshot load holds each raw object as its
stored text, not as parsed objects."""

from __future__ import annotations

import threading

import pytest

from core.errors import ApiError
from core.services import fetch as fetch_module
from core.services.fetch import fetch
from core.services.xero import client as client_module
from core.services.xero.client import XeroClient
from core.store.models import XeroRecord

PAGE = 10  # contacts per page here (Xero's is 1,000): the Demo Company's become many pages


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(client_module, "CONTACTS_PAGE_SIZE", PAGE)
    monkeypatch.setattr(client_module, "_CONTACTS", {**client_module._CONTACTS, "page_size": PAGE})


def _contacts_page(params) -> int | None:
    return params.get("page") if params and "pageSize" in params else None


def _stored_contacts(conn) -> int:
    return (
        XeroRecord.select()
        .where((XeroRecord.connection == conn) & (XeroRecord.kind == "contact"))
        .count()
    )


def test_pages_are_stored_while_the_next_are_read(demo_ctx, monkeypatch, small_pages):
    ctx, conn = demo_ctx("AU")
    events: list[tuple[str, int]] = []
    lock = threading.Lock()
    get, add = XeroClient._get, fetch_module._Storing.add

    def getting(self, info, path, **kwargs):
        page = _contacts_page(kwargs.get("params")) if path.endswith("/Contacts") else None
        if page is not None:
            with lock:
                events.append(("read", page))
        return get(self, info, path, **kwargs)

    def storing(self, rows, records=()):
        add(self, rows, records)
        if self.kind == "contact":
            with lock:
                events.append(("stored", len(rows)))

    monkeypatch.setattr(XeroClient, "_get", getting)
    monkeypatch.setattr(fetch_module._Storing, "add", storing)

    report = fetch(ctx, conn)

    pages = [page for what, page in events if what == "read"]
    assert len(pages) >= 6, f"too few pages to tell: {pages}"
    first_stored = events.index(next(e for e in events if e[0] == "stored"))
    # At most two pages wait to be stored: page 5 is asked for only once page 1 is stored
    # (a fetch that held the whole read stores nothing before the last page is read).
    assert first_stored < events.index(("read", 5)), events
    assert len(report.xero["contacts"].added) == _stored_contacts(conn) > 5 * PAGE


def test_a_fault_part_way_leaves_the_pages_before_stored(demo_ctx, monkeypatch, small_pages):
    ctx, conn = demo_ctx("AU")
    get = XeroClient._get
    fail = {"page": 3}

    def faulty(self, info, path, **kwargs):
        if path.endswith("/Contacts") and _contacts_page(kwargs.get("params")) == fail["page"]:
            raise ApiError(service="Xero", reason="refused on page 3")
        return get(self, info, path, **kwargs)

    monkeypatch.setattr(XeroClient, "_get", faulty)
    with pytest.raises(ApiError, match="page 3"):
        fetch(ctx, conn)
    assert _stored_contacts(conn) == 2 * PAGE  # pages 1 and 2, stored as they came
    assert fetch_module._cursor(conn, "xero", "contacts") is None  # no cursor moved

    fail["page"] = None
    report = fetch(ctx, conn)

    assert report.first_time and report.full_contacts  # still the first whole read
    total = _stored_contacts(conn)
    assert total > 3 * PAGE
    added = report.xero["contacts"]
    # pages 1 and 2 found as stored, unchanged; the rest added
    assert len(added.added) == total - 2 * PAGE and not added.changed and not added.removed
    assert fetch_module._cursor(conn, "xero", "contacts") is not None


def test_the_records_kept_for_the_load_hold_their_raw_object_as_text(demo_ctx):
    ctx, conn = demo_ctx("AU")
    fetch(ctx, conn)
    kept = fetch_module._PARSED[("xero_record", int(conn.id), "contact")]
    assert kept
    for record in kept.values():
        assert isinstance(record._raw, str)  # the stored text, no parsed copy beside it
    snap = fetch_module.load_snapshot(conn)  # takes them
    contact = next(c for c in snap.contacts if c.raw.get("Phones"))
    assert isinstance(contact.raw, dict)  # read as the object it is, when asked
    row = XeroRecord.get(
        (XeroRecord.connection == conn)
        & (XeroRecord.kind == "contact")
        & (XeroRecord.xero_id == contact.contact_id)
    )
    assert contact.raw == row.raw
