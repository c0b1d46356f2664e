"""QuickBooks Time lists read by ids (``ids``, ``user_ids``, ``jobcode_ids``: a filter that
travels in the URL) are split by the client itself, in one place, into calls of at most
``IDS_PER_READ`` ids: billing's people, payroll's time-off codes, undo's read-back. Each id is
asked once; no ids, no call (an empty filter would read every row)."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.app.invoicing import preview_invoices
from core.app.sync import sync
from core.engine.importer import read_qbtime_now
from core.services.qbtime import client as qbt_client
from core.services.qbtime.client import IDS_PER_READ, PAGE_LIMIT, QBTimeClient
from core.store.models import ImportRun, JournalEntry
from tests.e2e.test_invoicing import hours_range


@pytest.fixture
def asked(monkeypatch):
    """(endpoint, the ids filter's name, how many ids) of every GET filtered by ids."""
    calls: list[tuple[str, str, int]] = []
    real = QBTimeClient._get

    def spy(self, endpoint, params=None):
        for key in ("ids", "user_ids", "jobcode_ids"):
            if key in (params or {}):
                value = str(params[key])
                calls.append((endpoint, key, len(value.split(",")) if value else 0))
        return real(self, endpoint, params)

    monkeypatch.setattr(QBTimeClient, "_get", spy)
    return calls


def client_of(ctx, conn):
    return ctx.qbtime_client(ctx.qbtime_token_for(conn), conn.id)


def test_ids_a_call_are_a_page_of_rows(demo_ctx, asked):
    # a page holds 200 rows: 200 ids a call cost no call more than paging the same rows
    assert IDS_PER_READ == PAGE_LIMIT == 200
    ctx, conn = demo_ctx("AU")
    users = [u["id"] for u in ctx.sandbox.store.qbtime["users"]]
    jobs = [j["id"] for j in ctx.sandbox.store.qbtime["jobcodes"]]
    unknown = list(range(1, 451))
    qbt = client_of(ctx, conn)
    with qbt.session:
        found_users = qbt.users(ids=[*users, *unknown, *users])  # (each id asked once)
        found_jobs = qbt.jobcodes(ids=[*jobs, *unknown])
        since = qbt.timesheets_since(datetime(2000, 1, 1), user_ids=[*users, *unknown])
        none = (qbt.users(ids=[]), qbt.locations(ids=[]), qbt.timesheets_since(0, user_ids=[]))
    assert sorted(u.id for u in found_users) == sorted(users)
    assert sorted(j.id for j in found_jobs) == sorted(jobs)
    mine = {t["id"] for t in ctx.sandbox.store.qbtime["timesheets"] if t["user_id"] in users}
    assert {t["id"] for t in since} == mine
    assert none == ([], [], [])
    n_users, n_jobs = len({*users, *unknown}), len({*jobs, *unknown})

    def sizes(n):
        return [min(200, n - i) for i in range(0, n, 200)]

    assert [n for e, _k, n in asked if e == "users"] == sizes(n_users)
    assert [n for e, _k, n in asked if e == "jobcodes"] == sizes(n_jobs)
    assert [(k, n) for e, k, n in asked if e == "timesheets"] == [
        ("user_ids", n) for n in sizes(n_users)
    ]


def test_billing_reads_its_people_in_calls_of_ids_per_read(demo_ctx, asked, monkeypatch):
    monkeypatch.setattr(qbt_client, "IDS_PER_READ", 2)
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    start, end = hours_range(ctx)
    asked.clear()
    preview = preview_invoices(ctx, conn, start, end, include_unapproved=True)
    people = {
        t["user_id"]
        for t in ctx.sandbox.store.qbtime["timesheets"]
        if start.isoformat() <= t["date"] <= end.isoformat()
    }
    calls = [n for e, _k, n in asked if e == "users"]
    assert len(people) > 2 and calls == [2] * (len(people) // 2) + [len(people) % 2] * (
        len(people) % 2
    )
    assert set(preview.source.people) == people  # every person read, for their name


def test_undo_reads_back_through_the_clients_chunks(demo_ctx, asked, monkeypatch):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    run = ImportRun.select().order_by(ImportRun.id.desc()).get()
    done = list(
        JournalEntry.select().where((JournalEntry.run == run) & (JournalEntry.state == "done"))
    )
    monkeypatch.setattr(qbt_client, "IDS_PER_READ", 3)
    asked.clear()
    qbt = client_of(ctx, conn)
    with qbt.session:
        now = read_qbtime_now(conn, qbt, run, done)
    assert asked and all(0 < n <= 3 for _e, _k, n in asked)
    read = {key for key in now.records}
    wanted = {
        (e.entity_kind, int(e.qbt_id))
        for e in done
        if e.qbt_id is not None
        and e.entity_kind in ("jobcode", "user", "customfield", "location")
        and (
            e.action in ("update", "restore")
            or (e.action == "create" and e.entity_kind == "jobcode")
        )
    }
    assert wanted and wanted <= read
    # what the import made was looked for in the hours since, by the same chunks
    assert any(k == "jobcode_ids" for _e, k, _n in asked)
