"""The report of an import run: CSV for people, problems from the journal, the importer's batches."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from core.engine.importer import Importer
from core.engine.matching import Conflict
from core.engine.plan import Action, ImportPlan, Skipped
from core.engine.report import (
    CHANGE_OPS,
    REPORT_COLUMNS,
    batches,
    can_undo,
    change_counts,
    changes_made,
    export_run_report,
    import_run_after,
    last_import,
    last_run_id,
    outcome_changes,
    outcome_counts,
    phase_totals,
    records_waiting,
    run_problems,
    summary_kind,
)
from core.engine.writes import WriteResult
from core.store.db import close_database, open_database
from core.store.models import Connection, ImportRun, JournalEntry, utcnow


@pytest.fixture
def conn(tmp_path):
    open_database(tmp_path / "t.sqlite3")
    c = Connection.create(
        xero_tenant_id="tenant-1",
        xero_tenant_name="Demo Org",
        qbtime_company_id="demo",
        qbtime_company_name="Demo",
    )
    yield c
    close_database()


def _run_with_journal(conn):
    run = ImportRun.create(connection=conn, kind="import", status="done", started_at=utcnow())
    rows = [
        ("create", "jobcode", {}, {"name": "Société Générale Café", "parent_id": 0}, "done", None),
        (
            "update",
            "user",
            {"first_name": "Chip", "last_name": "DAVIS"},
            {"first_name": "Chippy", "last_name": "Davis"},
            "done",
            None,
        ),
        (
            "create",
            "jobcode",
            {},
            {"name": '=HYPERLINK("http://x")'},
            "failed",
            "Oops! name is too long",
        ),
        (
            "create",
            "location",
            {},
            {"addr1": "389 Pittwater Road", "city": "Balmain"},
            "unknown",
            "interrupted before the answer was recorded",
        ),
    ]
    for seq, (action, kind, before, after, state, error) in enumerate(rows, start=1):
        JournalEntry.create(
            run=run,
            seq=seq,
            action=action,
            entity_kind=kind,
            xero_id=f"x{seq}",
            batch_key=f"{run.id}:r{seq}",
            before=before,
            after=after,
            state=state,
            error=error,
        )
    return run


def test_export_writes_utf8_bom_and_one_row_per_entry(conn, tmp_path):
    run = _run_with_journal(conn)
    target = tmp_path / "report.csv"
    count = export_run_report(run, target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the accents
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert count == 4 and len(rows) == 5
    assert tuple(rows[0]) == REPORT_COLUMNS
    assert rows[1][:3] == ["create", "jobcode", "Société Générale Café"]
    assert rows[1][4].startswith("{") and "Société" in rows[1][4]  # JSON, not escaped
    assert rows[2][2] == "Chippy Davis" and "Chip" in rows[2][3]
    assert rows[3][2].startswith("'=")  # never run as a formula
    assert rows[3][5:] == ["failed", "Oops! name is too long"]
    assert rows[4][2] == "389 Pittwater Road, Balmain"
    assert not list(tmp_path.glob("*.partial"))


def test_export_translates_header_and_codes(conn, tmp_path):
    run = _run_with_journal(conn)
    target = tmp_path / "rapport.csv"
    header = ["Modification", "Type", "Nom", "Avant", "Après", "Résultat", "Raison"]
    export_run_report(
        run, target, header=header, words={"create": "Créer", "jobcode": "Projet", "done": "Fait"}
    )
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == header
    assert rows[1][0] == "Créer" and rows[1][1] == "Projet" and rows[1][5] == "Fait"
    assert rows[2][0] == "update"  # codes without a word stay
    with pytest.raises(ValueError):
        export_run_report(run, target, header=["only one"])


def test_export_failure_leaves_no_half_file(conn, tmp_path):
    run = _run_with_journal(conn)
    with pytest.raises(OSError):
        export_run_report(run, tmp_path / "missing-folder" / "r.csv")
    assert not list(tmp_path.rglob("*.csv*"))


def test_problems_come_from_the_journal(conn):
    run = _run_with_journal(conn)
    problems = run_problems(run)
    assert [(p.action, p.kind, p.state) for p in problems] == [
        ("create", "jobcode", "failed"),
        ("create", "location", "unknown"),
    ]
    assert problems[0].reason == "Oops! name is too long"


def test_run_lookups(conn):
    assert last_run_id(conn) == 0 and last_import(conn) is None
    first = ImportRun.create(connection=conn, kind="import", status="done")
    undo = ImportRun.create(connection=conn, kind="undo", status="done", undoes_run=first)
    assert last_run_id(conn) == undo.id
    assert last_import(conn).id == first.id
    assert import_run_after(conn, undo.id) is None
    second = ImportRun.create(connection=conn, kind="import", status="cancelled")
    assert import_run_after(conn, undo.id).id == second.id
    assert can_undo(first) and can_undo(second) and not can_undo(undo)
    first.status = "undone"
    assert not can_undo(first) and not can_undo(None)


# ---------------------------------------------------------------------------- batches
class FakeClient:
    """Answers every write with success and a new id (what the importer needs of a client)."""

    def __init__(self):
        self.ids = itertools.count(1000)

    def __getattr__(self, name):
        if not name.startswith(("create_", "update_")):
            raise AttributeError(name)

        def write(rows):
            return [
                WriteResult(row, True, 200, {**row, "id": row.get("id") or next(self.ids)})
                for row in rows
            ]

        return write


def _plan():
    actions = []
    for i in range(3):
        actions.append(
            Action(
                f"cf:{i}",
                "custom_fields",
                "create",
                "customfield",
                "custom_fields",
                f"Field {i}",
                f"cf{i}",
                None,
                "tracking_category",
                after={"name": f"Field {i}"},
            )
        )
    for i in range(120):  # more than two batches of creates, mixed with links and updates
        actions.append(
            Action(
                f"c:{i}",
                "customers",
                "create",
                "jobcode",
                "customers",
                f"C{i}",
                f"c{i}",
                None,
                "customer",
                after={"name": f"C{i}", "assigned_to_all": i % 2 == 0},
            )
        )
        if i % 3 == 0:
            actions.append(
                Action(
                    f"l:{i}",
                    "customers",
                    "link",
                    "jobcode",
                    "customers",
                    f"L{i}",
                    f"l{i}",
                    5000 + i,
                    "customer",
                )
            )
        if i % 4 == 0:
            actions.append(
                Action(
                    f"u:{i}",
                    "customers",
                    "update",
                    "jobcode",
                    "customers",
                    f"U{i}",
                    f"u{i}",
                    6000 + i,
                    None,
                    before={"name": "old"},
                    after={"name": f"U{i}"},
                )
            )
    actions.append(
        Action(
            "a:1",
            "archive",
            "archive",
            "jobcode",
            "customers",
            "Gone",
            None,
            7000,
            None,
            before={"active": True},
            after={"active": False},
        )
    )
    # A phase listed out of order in the plan still runs in the importer's phase order.
    actions.insert(
        0,
        Action(
            "e:1",
            "employees",
            "create",
            "user",
            "employees",
            "Ann",
            "e1",
            None,
            "employee",
            after={"username": "ann"},
        ),
    )
    return ImportPlan(actions=actions)


def test_batches_follow_the_importer_order_and_progress(conn):
    plan = _plan()
    events = []
    importer = Importer(conn, FakeClient(), plan, progress=events.append)
    run = importer.execute()
    journal = [
        e.batch_key.split(":", 1)[1]
        for e in JournalEntry.select().where(JournalEntry.run == run).order_by(JournalEntry.seq)
    ]
    planned = batches(plan)
    assert [a.ref for batch in planned for a in batch] == journal
    assert all(len(b) <= 50 for b in planned) and len({len(b) for b in planned}) > 1
    ends = list(itertools.accumulate(len(b) for b in planned))
    assert [e.done for e in events if e.phase != "finished"] == ends
    assert [e.phase for e in events if e.phase != "finished"] == [b[0].phase for b in planned]
    assert phase_totals(plan) == {
        "custom_fields": 3,
        "customers": 120 + 40 + 30,
        "employees": 1,
        "archive": 1,
    }
    counts = outcome_counts([a for b in planned for a in b])
    assert counts == outcome_changes(importer.outcomes)


# ---------------------------------------------------------------------------- the one count
def test_one_counting_rule_adds_up_everywhere(conn):
    """Each action is one change, counted once: the grid's cells, its columns (the filter),
    its rows (the import's bars) and the headline are the same numbers; what the import then
    did, counted the same way, equals the preview. A new customer opened to every team member
    is one change, not two (the importer also notes it under "assignments")."""
    plan = _plan()
    plan.actions.append(
        Action("r:1", "customers", "restore", "jobcode", "customers", "Back", "b1", 8000, None)
    )
    plan.skipped.extend(
        [
            Skipped("customer", "x1", "Look Alike", "waiting"),
            Skipped("tracking_option", "x2", "Stock", "tracked"),
            Skipped("leave_type", "x3", "Long service", "no code"),
        ]
    )
    plan.conflicts.extend([_conflict("x1"), _conflict("x1")])  # listed twice, one record
    counts = change_counts(plan)
    assert counts.total == len(plan.actions) == 1 + 3 + 120 + 40 + 30 + 1 + 1
    assert counts.total == sum(counts.by_op(op) for op in CHANGE_OPS)
    assert counts.total == sum(counts.by_kind(kind) for kind in counts.kinds())
    assert counts.count("customers", "create") == 120  # not 120 + 60 "assignments"
    assert counts.count("assignments", "create") == 0
    assert counts.count("customers", "update") == 30 + 1  # the restore is an update
    assert counts.by_op("restore") == counts.by_op("update")
    assert counts.count("custom_field_items", "skip") == 1  # a tracking option: a choice
    assert counts.count("leave", "skip") == 1
    assert counts.not_imported_total == counts.by_op("skip") == len(plan.skipped) == 3
    assert counts.waiting == records_waiting(plan) == 1
    assert counts.kinds() == [
        "customers",
        "employees",
        "custom_field_items",
        "custom_fields",
        "leave",
    ]

    importer = Importer(conn, FakeClient(), plan)
    importer.execute()
    assert importer.outcomes["created"]["assignments"] == 60  # the importer's own note
    assert outcome_changes(importer.outcomes) == counts.as_outcomes()
    assert changes_made(importer.outcomes) == counts.total


def test_outcome_changes_keep_failures_and_undo_verbs():
    outcomes = {
        "created": {"customers": 2, "assignments": 2},
        "updated": {"assignments": 1},
        "failed": {"items": 1},
        "unlinked": {"customers": 3},
    }
    assert outcome_changes(outcomes) == {
        "created": {"customers": 2},
        "updated": {"assignments": 1},
        "failed": {"items": 1},
        "unlinked": {"customers": 3},
    }
    assert changes_made(outcomes) == 2 + 1 + 3  # failures are not changes made


@pytest.mark.parametrize(
    ("kind", "summary"),
    [
        ("jobcode", "customers"),
        ("contact", "customers"),
        ("location", "locations"),
        ("user", "employees"),
        ("tracking_option", "custom_field_items"),
        ("customfielditem", "items"),
        ("tracking_category", "custom_fields"),
        ("leave_type", "leave"),
        ("leave_link", "leave"),
        ("customers", "customers"),
    ],
)
def test_every_kind_has_one_summary_kind(kind, summary):
    assert summary_kind(kind) == summary


def _conflict(xero_id: str) -> Conflict:
    return Conflict("customer", xero_id, "Look Alike", "near", (), "fp")


def test_in_a_phase_restores_go_first_and_creates_last():
    """A rename may free the name a create of the same phase claims: updates before
    creates, whatever order the plan lists them in (and report.batches agrees)."""
    from core.engine.plan import ordered_groups

    create = Action(
        "c",
        "customers",
        "create",
        "jobcode",
        "customers",
        "A",
        "x1",
        None,
        "customer",
        after={"name": "A"},
    )
    update = Action(
        "u",
        "customers",
        "update",
        "jobcode",
        "customers",
        "B",
        "x2",
        7,
        None,
        before={"name": "A"},
        after={"name": "B"},
    )
    restore = Action(
        "r",
        "customers",
        "restore",
        "jobcode",
        "customers",
        "C",
        "x3",
        8,
        None,
        before={"active": False},
        after={"active": True},
    )
    link = Action("l", "customers", "link", "jobcode", "customers", "D", "x4", 9, "customer")
    groups = ordered_groups([create, update, link, restore])
    assert [key for key, _ in groups] == [
        ("restore", "jobcode"),
        ("update", "jobcode"),
        ("local", "jobcode"),
        ("create", "jobcode"),
    ]
    plan = ImportPlan(actions=[create, update, link, restore])
    assert [a.ref for batch in batches(plan) for a in batch] == ["r", "u", "l", "c"]


def test_batches_read_the_plan_once_in_the_importers_order():
    """The import page asks on the window's thread: one pass over the actions (10,000 contacts
    make thousands), in the order phase by phase then by group, as the importer sends them."""
    from core.engine.plan.model import PHASES, ordered_groups

    class Passes(list):
        count = 0

        def __iter__(self):
            Passes.count += 1
            return super().__iter__()

    ops = ("create", "update", "link")
    entities = ("jobcode", "user", "location")
    actions = [
        Action(f"r{i}", PHASES[i * 7 % len(PHASES)], ops[i % 3], entities[i // 3 % 3], "customers",
               f"Record {i}")
        for i in range(300)
    ]  # fmt: skip
    plan = ImportPlan(actions=Passes(actions))
    got = batches(plan, batch_size=7)
    assert Passes.count == 1
    wanted = []
    for phase in PHASES:
        for _key, group in ordered_groups([a for a in actions if a.phase == phase]):
            wanted += [group[start : start + 7] for start in range(0, len(group), 7)]
    assert got == wanted and sum(map(len, got)) == len(actions)
