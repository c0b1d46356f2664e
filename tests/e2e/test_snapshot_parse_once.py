"""Loading the snapshot right after a fetch does not parse again the records the fetch has
just parsed (issue 16: a re-import parsed 10,000 contacts twice); what it loads is, record
for record, what parsing every stored row gives, and a row whose stored text changed since
is parsed again."""

from __future__ import annotations

import json

from core.app.sync import sync
from core.services import fetch
from core.services.qbtime import mapping as qmap
from core.services.xero import mapping as xmap
from core.store.models import QBTRecord, XeroRecord

KINDS = {
    "contacts": (XeroRecord, "contact", "map_contact", xmap, XeroRecord.id),
    "items": (XeroRecord, "item", "map_item", xmap, XeroRecord.id),
    "users": (QBTRecord, "user", "user", qmap, QBTRecord.qbt_id),
    "jobcodes": (QBTRecord, "jobcode", "jobcode", qmap, QBTRecord.qbt_id),
    "customfielditems": (QBTRecord, "customfielditem", "customfielditem", qmap, QBTRecord.qbt_id),
}


def _parsed_every_row(conn, model, kind, mapper, order):
    rows = model.select(model.raw).where((model.connection == conn) & (model.kind == kind))
    return [mapper(json.loads(json.dumps(r.raw))) for r in rows.order_by(order)]


ORIGINAL = {name: getattr(module, attr) for name, (_m, _k, attr, module, _o) in KINDS.items()}


def _counting(monkeypatch):
    calls: dict[str, int] = {}
    for name, (_m, _k, attr, module, _o) in KINDS.items():

        def counted(raw, *a, _name=name, _original=ORIGINAL[name], **kw):
            calls[_name] = calls.get(_name, 0) + 1
            return _original(raw, *a, **kw)

        monkeypatch.setattr(module, attr, counted)
    return calls


def test_the_snapshot_after_a_fetch_reuses_its_records(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    fetch._PARSED.clear()  # what this process kept so far: only the fetch's records now
    fetch.fetch(ctx, conn, full=True)
    calls = _counting(monkeypatch)
    snap = fetch.load_snapshot(conn)
    assert calls == {}, f"records parsed again after the fetch: {calls}"
    for name, (model, kind, _attr, _module, order) in KINDS.items():
        want = _parsed_every_row(conn, model, kind, ORIGINAL[name], order)
        assert want and getattr(snap, name) == want, name


def test_a_row_changed_since_is_parsed_again(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    fetch.fetch(ctx, conn, full=True)
    row = (
        XeroRecord.select()
        .where((XeroRecord.connection == conn) & (XeroRecord.kind == "contact"))
        .order_by(XeroRecord.id)
        .first()
    )
    raw = dict(row.raw, Name="Renamed Behind Our Back Pty Ltd")
    XeroRecord.update(raw=raw).where(XeroRecord.id == row.id).execute()
    calls = _counting(monkeypatch)
    snap = fetch.load_snapshot(conn)
    assert calls == {"contacts": 1}
    assert next(c for c in snap.contacts if c.contact_id == row.xero_id).name == raw["Name"]
    # what a read kept is taken by the load after it: the next load parses every row
    calls.clear()
    fetch.load_snapshot(conn)
    assert calls["contacts"] == len(snap.contacts)


def test_a_run_that_loads_nothing_keeps_nothing(demo_ctx, monkeypatch):
    """A run whose plan is the one kept (nothing changed: no snapshot loaded) lets go of
    what its whole read kept for the load, so a long-lived process does not hold it."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    sync(ctx, conn)  # plans once more after the import, nothing to write: the plan is kept
    fetch.fetch(ctx, conn, full=True)
    assert any(key[1] == conn.id for key in fetch._PARSED)  # kept for the load

    def not_planned(*args, **kwargs):
        raise AssertionError("the run planned: its inputs were the same")

    monkeypatch.setattr("core.app.sync.current_plan", not_planned)
    result = sync(ctx, conn, full=True)
    assert not result.plan.actions
    assert not any(key[1] == conn.id for key in fetch._PARSED)
