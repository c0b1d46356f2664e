"""load_snapshot (issue 16, scheduled re-import CPU): the records it parses hold their raw
object as the stored text (parsed again only when read: a 10,000-contact snapshot's dicts
made every full garbage collection of the plan three times longer), in the order of the
snapshot tables (ordered by Python, not by SQLite: see load_snapshot)."""

from __future__ import annotations

import json

from core.app.sync import sync
from core.services.fetch import fetch, forget_parsed, load_snapshot
from core.store.models import QBTRecord, XeroRecord


def _stored(model, conn, kind, order):
    return [
        (getattr(r, "xero_id", None) or r.qbt_id, r.raw)
        for r in model.select()
        .where((model.connection == conn) & (model.kind == kind))
        .order_by(order)
    ]


def test_loaded_records_hold_the_stored_text_in_table_order(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)  # imported: QuickBooks Time has locations too
    fetch(ctx, conn)
    forget_parsed(conn)  # nothing kept from the read: every row is parsed by the load
    snap = load_snapshot(conn)

    kinds = [
        (snap.contacts, XeroRecord, "contact", XeroRecord.id, "contact_id"),
        (snap.items, XeroRecord, "item", XeroRecord.id, "item_id"),
        (snap.users, QBTRecord, "user", QBTRecord.qbt_id, "id"),
        (snap.jobcodes, QBTRecord, "jobcode", QBTRecord.qbt_id, "id"),
        (snap.customfielditems, QBTRecord, "customfielditem", QBTRecord.qbt_id, "id"),
        (snap.locations, QBTRecord, "location", QBTRecord.qbt_id, "id"),
    ]
    for records, model, kind, order, id_attr in kinds:
        stored = _stored(model, conn, kind, order)
        assert records, kind
        assert [getattr(r, id_attr) for r in records] == [i for i, _ in stored]
        for record, (_ident, raw) in zip(records, stored, strict=True):
            held = record._raw  # (records._Raw: what the record holds)
            assert isinstance(held, str), kind  # the text, not a parsed copy
            assert json.loads(held) == raw
            assert record.raw == raw and record._raw == raw  # read: parsed, once
