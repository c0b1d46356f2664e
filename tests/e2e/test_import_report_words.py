"""The import's report says things as the screens do: every row named as the preview and the
done page name it (not by an id, not by half a name), columns separated as the reader's
spreadsheet reads them, tracking options counted as the choices of a custom field they are,
and a name only recomposed not called "changed in Xero"."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest

from core.app.sync import sync
from core.engine.plan import SUMMARY_KINDS
from core.engine.plan.employees import COMPOSED_ACCENTS
from core.engine.report import export_run_report, run_problems, summary_kind
from core.store.db import close_database, open_database
from core.store.models import (
    Connection,
    ImportRun,
    JournalEntry,
    Link,
    QBTRecord,
    XeroRecord,
    utcnow,
)

GONE = "87ddaeb7-0000-4000-8000-000000000001"
ARO = "26debfdb-0000-4000-8000-000000000002"
LEAVE = "2f4058f8-0000-4000-8000-000000000003"
CAT_OPTION = "c0ffee00-0000-4000-8000-000000000004"


@pytest.fixture
def run(tmp_path):
    """A run whose journal holds what the auditor saw: an archived team member, an archived
    customer with no Xero counterpart, a link of a team member and of a leave type, a last
    name changed alone, and a tracking option created (failed)."""
    open_database(tmp_path / "t.sqlite3")
    conn = Connection.create(
        xero_tenant_id="tenant-1",
        xero_tenant_name="Demo Org",
        qbtime_company_id="demo",
        qbtime_company_name="Demo",
    )
    for kind, xid, name, first, last in (
        ("employee", GONE, "", "Gone", "Away"),
        ("employee", ARO, "", "Aroha", "Ngata-Smith"),
        ("leave_type", LEAVE, "Annual Leave", None, None),
        ("tracking_option", CAT_OPTION, "Zone 000", None, None),
    ):
        XeroRecord.create(
            connection=conn, kind=kind, xero_id=xid, name=name, first_name=first, last_name=last
        )
    for kind, qid, name, first, last in (
        ("user", 501, "", "Gone", "Away"),
        ("user", 502, "", "Aroha", "Ngata Smith"),
        ("jobcode", 17402270, "Old Customer Pty", None, None),
        ("jobcode", 900, "Annual Leave (QBT)", None, None),
    ):
        QBTRecord.create(
            connection=conn, kind=kind, qbt_id=qid, name=name, first_name=first, last_name=last
        )
    run = ImportRun.create(connection=conn, kind="import", status="done", started_at=utcnow())
    rows = [
        ("archive", "user", GONE, 501, "employee:x:archive", {"active": True}, {"active": False}),
        ("archive", "jobcode", None, 17402270, "customer:archive", {"active": True}, {}),
        ("link", "user", ARO, 502, "employee:x:link", {}, {}),
        ("link", "leave_link", LEAVE, 900, "leave:x", {}, {}),
        (
            "update",
            "user",
            ARO,
            502,
            "employee:x:update",
            {"last_name": "Ngata Smith"},
            {"last_name": "Ngata-Smith"},
        ),
        ("create", "customfielditem", CAT_OPTION, None, f"tracking_option:{CAT_OPTION}", {}, {}),
    ]
    for seq, (action, kind, xid, qid, ref, before, after) in enumerate(rows, start=1):
        JournalEntry.create(
            run=run,
            seq=seq,
            action=action,
            entity_kind=kind,
            xero_id=xid,
            qbt_id=qid,
            batch_key=f"{run.id}:{ref}",
            before=before,
            after=after,
            state="failed" if seq in (1, 6) else "done",
            error="refused" if seq in (1, 6) else None,
        )
    yield run
    close_database()


def _rows(path, delimiter=","):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=delimiter))


def test_every_report_row_is_named_as_the_screens_name_it(run, tmp_path):
    target = tmp_path / "report.csv"
    assert export_run_report(run, target) == 6
    rows = _rows(target)[1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("archive", "user", "Gone Away"),
        ("archive", "jobcode", "Old Customer Pty"),
        ("link", "user", "Aroha Ngata-Smith"),
        ("link", "leave_link", "Annual Leave"),
        ("update", "user", "Aroha Ngata-Smith"),  # not "Ngata-Smith" alone
        ("create", "tracking_option", "Zone 000"),  # a choice of a custom field, not an item
    ]


def test_problems_of_the_done_page_are_named_too(run):
    assert [(p.kind, p.name) for p in run_problems(run)] == [
        ("user", "Gone Away"),
        ("tracking_option", "Zone 000"),
    ]


def test_french_report_separates_columns_with_semicolons(run, tmp_path):
    target = tmp_path / "rapport.csv"
    export_run_report(run, target, language="fr")
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "action;kind;name;before;after;state;error"
    assert _rows(target, ";")[1][2] == "Gone Away"
    export_run_report(run, target, language="en")
    assert target.read_text(encoding="utf-8-sig").splitlines()[0].count(",") == 6


def test_tracking_options_count_as_custom_field_items(demo_ctx):
    ctx, conn = demo_ctx("AU")
    result = sync(ctx, conn, dry_run=True)
    actions = result.plan.actions
    options = [a for a in actions if a.ref.startswith("tracking_option:")]
    items = [a for a in actions if a.ref.startswith("item:")]
    assert options and items
    assert {a.summary_kind for a in options} == {"custom_field_items"}
    assert {a.summary_kind for a in items} == {"items"}
    created = result.plan.counts()["created"]
    assert created["items"] == sum(a.op == "create" for a in items)
    assert created["custom_field_items"] == sum(a.op == "create" for a in options)
    assert "custom_field_items" in SUMMARY_KINDS
    assert summary_kind("tracking_option") == "custom_field_items"
    assert summary_kind("item") == "items"


def test_a_name_stored_with_decomposed_accents_is_not_called_changed_in_xero(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    sync(ctx, conn)
    link = Link.select().where((Link.connection == conn) & (Link.kind == "customer")).first()
    org = store.xero_orgs[0]
    contact = next(c for c in org["Contacts"] if c["ContactID"] == link.xero_id)
    name = unicodedata.normalize("NFC", "Café Ōtaki Réunion")
    contact["Name"] = name
    contact["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    job = next(j for j in store.qbtime["jobcodes"] if j["id"] == link.qbt_id)
    job["name"] = unicodedata.normalize("NFD", name)
    job["last_modified"] = "2099-01-01T00:00:00+00:00"
    plan = sync(ctx, conn, dry_run=True).plan
    action = next(a for a in plan.actions if a.xero_id == link.xero_id and a.op == "update")
    assert action.after == {"name": name}
    assert action.reason == COMPOSED_ACCENTS
    assert "changed" not in action.describe() and "renamed" not in action.describe()
    assert action.describe("fr") == "envoyé comme dans Xero (mêmes lettres, accents composés)"
