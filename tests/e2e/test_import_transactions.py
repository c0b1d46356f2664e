"""An answered write batch is recorded in one transaction (issue 16, import CPU): its journal
outcomes, the snapshot kept from its answers, the local batches after it and the next
batch's intents are committed together just before the next batch is sent, so the database
is synced to disk once per batch sent (it was three times). What is sent is always
journaled on disk first, and a crash never leaves a batch "done" in the journal without its
answers in the snapshot. The snapshot upkeep runs in a savepoint: when it fails, the batch's
outcomes are still recorded (history and Undo keep them) and the run ends on that error."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3

import pytest

import core.app.sync as sync_mod
import core.services.http as http
from core.app.sync import sync
from core.engine.importer import Importer
from core.services.fetch import fetch
from core.services.written import WrittenSnapshot
from core.store.models import ImportRun, JournalEntry, QBTRecord, db

_WRITE = re.compile(r'^\s*(INSERT|UPDATE|DELETE)\b[^"]*"(\w+)"', re.IGNORECASE)


class Events:
    """What the import did, in order: each write transaction SQLite ran, as the set of
    ``(verb, table)`` it wrote (a statement outside BEGIN … COMMIT is a transaction of its
    own), and each write request sent to QuickBooks Time, as ``("HTTP", method)``."""

    def __init__(self) -> None:
        self.seen: list[frozenset[tuple[str, str]] | tuple[str, str]] = []
        self._open: set[tuple[str, str]] | None = None

    def __call__(self, sql: str) -> None:
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word == "BEGIN":
            self._open = set()
        elif word in ("COMMIT", "END"):
            if self._open:
                self.seen.append(frozenset(self._open))
            self._open = None
        elif word == "ROLLBACK" and not sql.upper().startswith("ROLLBACK TO"):
            self._open = None
        else:
            found = _WRITE.match(sql)
            if found is None:
                return
            verb, table = found.group(1).upper(), found.group(2)
            if self._open is None:
                self.seen.append(frozenset({(verb, table)}))
            else:
                self._open.add((verb, table))


@pytest.fixture
def events(monkeypatch):
    """The import's own transactions and write requests (from Importer.execute's start to
    its end)."""
    seen = Events()
    execute = Importer.execute
    send = http.ServiceSession._send

    def traced(self):
        db.connection().set_trace_callback(seen)
        try:
            return execute(self)
        finally:
            db.connection().set_trace_callback(None)

    def sent(self, method, url, *rest):
        if method != "GET" and "/api/v1/" in url:
            seen.seen.append(("HTTP", method))
        return send(self, method, url, *rest)

    monkeypatch.setattr(Importer, "execute", traced)
    monkeypatch.setattr(http.ServiceSession, "_send", sent)
    return seen


def test_an_answered_batch_is_one_transaction_with_its_snapshot(demo_ctx, events):
    ctx, conn = demo_ctx("AU")
    result = sync(ctx, conn)
    assert result.run is not None and result.run.status == "done"
    sent = [i for i, e in enumerate(events.seen) if isinstance(e, tuple)]
    assert len(sent) >= 5, "the Demo Company's first import sends several write batches"
    for at in sent:
        # The first transaction after the answer records the batch's outcomes (journal
        # entries settled) together with the answers kept in the snapshot: one commit.
        after = next(
            e
            for e in events.seen[at + 1 :]
            if not isinstance(e, tuple) and any(table == "journal_entry" for _v, table in e)
        )
        assert ("UPDATE", "journal_entry") in after
        assert ("INSERT", "qbt_record") in after
    # Per answered batch: its intents before it is sent, its outcomes and snapshot after.
    settles = [
        e for e in events.seen if not isinstance(e, tuple) and ("UPDATE", "journal_entry") in e
    ]
    assert sum(("INSERT", "qbt_record") in e for e in settles) == len(sent)


def test_one_commit_per_batch_sent(demo_ctx, events):
    ctx, conn = demo_ctx("AU")
    assert sync(ctx, conn).run.status == "done"
    sent = [i for i, e in enumerate(events.seen) if isinstance(e, tuple)]
    started = events.seen.index(frozenset({("INSERT", "import_run")}))  # (after close_interrupted)
    journaled = [
        i
        for i, e in enumerate(events.seen)
        if not isinstance(e, tuple) and any(t == "journal_entry" for _v, t in e)
    ]
    # Between two sends, one transaction records the journal (the answer's outcomes and
    # the next batch's intents together); after the last send, one more at the run's end.
    for before, after in zip([started, *sent], [*sent, len(events.seen)], strict=True):
        assert len([i for i in journaled if before < i < after]) == 1


def test_every_batch_is_on_disk_before_it_is_sent(demo_ctx, monkeypatch):
    """Read from another connection at the moment each batch leaves: its rows are journaled
    ("intent", as many as the batch holds), every earlier entry is settled, and nothing of
    the import waits uncommitted."""
    ctx, conn = demo_ctx("AU")
    path = db.database
    send = http.ServiceSession._send
    seen: list[tuple[int, int, int]] = []

    def sent(self, method, url, shown, params, body, data, *rest):
        if method != "GET" and "/api/v1/" in url:
            assert not db.connection().in_transaction
            rows = len(json.loads(data)["data"])
            with sqlite3.connect(path) as other:
                run = other.execute("SELECT max(id) FROM import_run").fetchone()[0]
                states = dict(
                    other.execute(
                        "SELECT state, count(*) FROM journal_entry WHERE run_id = ? "
                        "AND action != 'link' GROUP BY state",
                        (run,),
                    ).fetchall()
                )
            seen.append((rows, states.get("intent", 0), states.get("done", 0)))
        return send(self, method, url, shown, params, body, data, *rest)

    monkeypatch.setattr(http.ServiceSession, "_send", sent)
    assert sync(ctx, conn).run.status == "done"
    assert len(seen) >= 5
    assert all(rows == intents for rows, intents, _done in seen)
    # each batch's outcomes were on disk when the next one left
    done = [d for _r, _i, d in seen]
    assert done == sorted(done) and done[0] == 0
    assert all(
        later - earlier == rows for (rows, _i, earlier), (_r, _j, later) in itertools.pairwise(seen)
    )


def test_a_failed_snapshot_upkeep_keeps_the_batch_outcomes(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    written = WrittenSnapshot.written
    failed: list[list[int]] = []

    def failing(self, entity, op, accepted):
        written(self, entity, op, accepted)  # stores the answers, then fails
        if entity == "jobcode" and op == "create" and not failed:
            failed.append([int(r.id) for _a, r in accepted if r.id is not None])
            raise RuntimeError("upkeep failed")

    monkeypatch.setattr(WrittenSnapshot, "written", failing)
    with pytest.raises(RuntimeError, match="upkeep failed"):
        sync(ctx, conn)
    assert failed and failed[0]
    run = ImportRun.select().order_by(ImportRun.id.desc()).get()
    assert run.status == "failed"
    entries = {
        int(e.qbt_id): e.state
        for e in JournalEntry.select().where(
            (JournalEntry.run == run) & JournalEntry.qbt_id.in_(failed[0])
        )
    }
    # The batch's outcomes survived the failed upkeep: history and Undo know these writes.
    assert entries == dict.fromkeys(failed[0], "done")
    # The run did not end clean, so the lists were read again: the snapshot holds the
    # batch (as read, not as half-stored) and equals a whole read.
    stored = {
        int(r.qbt_id)
        for r in QBTRecord.select().where(
            (QBTRecord.connection == conn) & (QBTRecord.kind == "jobcode")
        )
    }
    assert set(failed[0]) <= stored
    monkeypatch.setattr(WrittenSnapshot, "written", written)
    before = {(r.kind, int(r.qbt_id)): r.raw for r in QBTRecord.select()}
    report = fetch(ctx, conn, full=True)
    assert {k: v.as_counts() for k, v in report.qbtime.items() if v.count} == {}
    assert {(r.kind, int(r.qbt_id)): r.raw for r in QBTRecord.select()} == before
    # and the next import finishes the job with nothing created twice
    again = sync(ctx, conn)
    assert again.run is not None and again.run.status == "done"
    assert sync_mod.sync(ctx, conn).plan.is_empty
