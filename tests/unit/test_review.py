"""The offline conflict review: decisions, undo/redo, safe bulk actions, CSV export/import."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import peewee as pw
import pytest

from core import i18n
from core.engine import review as rv
from core.engine.matching import (
    Candidate,
    Conflict,
    describe_problem,
    describe_reason,
    fingerprint,
    match_named,
)
from core.engine.review import (
    CSV_COLUMNS,
    UNDO_LIMIT,
    CreateNeedsName,
    CreateNeedsRename,
    LinkTargetMissing,
    LinkTargetTaken,
    LinkTargetUnknown,
    NewNameInvalid,
    NewNameMissing,
    NewNameTooLong,
    NoRoomForCustomFields,
    ReviewFileNotWritten,
    ReviewFileUnreadable,
    ReviewSaveFailed,
    UnknownDecision,
    accept_all_exact,
    can_redo,
    can_undo,
    clear_decision,
    create_all_unmatched,
    csv_file,
    decide,
    export_csv,
    import_csv,
    is_create_safe,
    is_exact_safe,
    progress,
    redo_last,
    review_rows,
    undo_last,
    undo_stack,
    visible_rows,
)
from core.store.db import close_database, open_database
from core.store.models import Connection, Decision, Link, QBTRecord, Setting, XeroRecord

BOM = b"\xef\xbb\xbf"


# -- fixtures and builders ------------------------------------------------------------------------


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


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def cand(qbt_id, name, score=100.0, code="case", **kw):
    return Candidate(qbt_id=qbt_id, name=name, score=score, reason_code=code, reason="reason", **kw)


def conflict(
    xero_id,
    name,
    problem="near_match",
    cands=(),
    *,
    kind="customer",
    problems=None,
    details=None,
    email="",
):
    cands = tuple(cands)
    return Conflict(
        kind=kind,
        xero_id=xero_id,
        xero_name=name,
        problem=problem,
        candidates=cands,
        fingerprint=fingerprint(kind, name, problem, cands, xero_email=email),
        details={"problems": tuple(problems or (problem,)), **(details or {})},
    )


def saved(conn, c):
    return Decision.get_or_none(
        Decision.connection == conn.id, Decision.kind == c.kind, Decision.xero_id == c.xero_id
    )


def state_of(conn, conflicts):
    return {
        (r.conflict.xero_id): (r.decision.action if r.decision else None, r.state)
        for r in review_rows(conn, conflicts)
    }


@pytest.fixture
def three():
    return [
        conflict("x1", "Smith Family Trust", cands=[cand(11, "Smith family trust")]),
        conflict(
            "x2",
            "Chip Davis",
            "ambiguous",
            [cand(21, "Chip Davis", code="identical"), cand(22, "Chip Davis", code="identical")],
        ),
        conflict(
            "x3", "Greenfield Homes", cands=[cand(31, "Greenfield Homes-1", 90, "numbered_copy")]
        ),
    ]


# -- decisions, rows, progress ---------------------------------------------------------------------


def test_decide_saves_fingerprint_and_counts_progress(conn, three):
    assert progress(review_rows(conn, three)) == (0, 3)
    d = decide(conn, three[0], "link", target_qbt_id=11, note=" same trust ")
    assert (d.action, d.target_qbt_id, d.depends_on, d.note) == (
        "link",
        11,
        three[0].fingerprint,
        "same trust",
    )
    decide(conn, three[1], "later")
    rows = review_rows(conn, three)
    assert [r.state for r in rows] == ["decided", "undecided", "undecided"]
    assert [r.deferred for r in rows] == [False, True, False]
    assert progress(rows) == (1, 3)  # "later" is not decided
    assert [r.conflict.xero_id for r in visible_rows(rows, hide_decided=True)] == ["x2", "x3"]
    assert len(visible_rows(rows, hide_decided=False)) == 3
    decide(conn, three[2], "rename", new_name="  Greenfield Homes (new)  ")
    assert saved(conn, three[2]).new_name == "Greenfield Homes (new)"
    assert progress(review_rows(conn, three)) == (2, 3)


def test_decisions_are_per_connection(conn, three):
    other = Connection.create(xero_tenant_id="t2", xero_tenant_name="B", qbtime_company_id="b")
    decide(conn, three[0], "skip")
    assert progress(review_rows(other, three)) == (0, 3)
    assert not can_undo(other)


def test_undo_redo_sequence(conn, three):
    a, b = three[0], three[2]
    assert not can_undo(conn) and undo_last(conn) is False and redo_last(conn) is False
    decide(conn, a, "link", target_qbt_id=11)
    decide(conn, a, "skip", note="not ours")
    decide(conn, b, "create")
    assert state_of(conn, [a, b]) == {"x1": ("skip", "decided"), "x3": ("create", "decided")}

    assert undo_last(conn)  # b's create goes away
    assert state_of(conn, [a, b])["x3"] == (None, "undecided")
    assert undo_last(conn)  # a back to link 11, with its old note
    d = saved(conn, a)
    assert (d.action, d.target_qbt_id, d.note) == ("link", 11, "")
    assert can_redo(conn)
    assert redo_last(conn)  # a: skip again
    assert (saved(conn, a).action, saved(conn, a).note) == ("skip", "not ours")
    assert redo_last(conn)  # b: create again
    assert saved(conn, b).action == "create"
    assert redo_last(conn) is False

    assert undo_last(conn)
    decide(conn, b, "skip")  # a new decision clears what could be redone
    assert not can_redo(conn)
    while undo_last(conn):
        pass
    assert saved(conn, a) is None and saved(conn, b) is None


def test_undo_restores_decided_at_and_stale_state(conn, three):
    a = three[0]
    first = decide(conn, a, "skip")
    newer = conflict("x1", "Smith Family Trust", cands=[cand(11, "Smith Family Trust ")])
    assert review_rows(conn, [newer])[0].state == "reopened"
    decide(conn, newer, "link", target_qbt_id=11)
    assert undo_last(conn)
    back = saved(conn, a)
    assert (back.action, back.depends_on, back.decided_at) == (
        "skip",
        a.fingerprint,
        first.decided_at,
    )
    assert review_rows(conn, [newer])[0].state == "reopened"


def test_same_answer_twice_is_not_a_new_undo_step(conn, three):
    decide(conn, three[0], "skip")
    decide(conn, three[0], "skip")
    assert len(Setting.get_value(f"review_undo:{conn.id}")) == 1
    assert undo_last(conn) and not can_undo(conn)


def test_clear_decision_is_undoable(conn, three):
    assert clear_decision(conn, "customer", "x1") is False
    decide(conn, three[0], "link", target_qbt_id=11)
    assert clear_decision(conn, "customer", "x1") is True
    assert saved(conn, three[0]) is None
    assert undo_last(conn)
    assert saved(conn, three[0]).target_qbt_id == 11


def test_undo_stack_is_capped_and_survives_a_restart(conn, three, tmp_path):
    for n in range(UNDO_LIMIT + 5):
        decide(conn, three[0], "skip" if n % 2 else "later")
    steps = Setting.get_value(f"review_undo:{conn.id}")
    assert len(steps) == UNDO_LIMIT
    change = steps[-1]["changes"][0]
    assert (change["kind"], change["xero_id"], change["previous"]["action"]) == (
        "customer",
        "x1",
        "skip",
    )
    close_database()
    open_database(tmp_path / "t.sqlite3")
    assert undo_last(conn)
    assert saved(conn, three[0]).action == "skip"  # back to what step 203 left


# -- staleness ------------------------------------------------------------------------------------


def test_decision_reopens_only_when_what_it_depended_on_changes(conn):
    before = conflict(
        "e1",
        "Jane Doe",
        cands=[cand(5, "jane doe", email="jane@x.com")],
        kind="employee",
        email="jane@x.com",
    )
    decide(conn, before, "link", target_qbt_id=5)
    # a better scorer, another reason text, extra details: same fingerprint, decision stands
    rescored = conflict(
        "e1",
        "Jane Doe",
        cands=[Candidate(5, "jane doe", 97.5, "similar", "other words", email="JANE@x.com")],
        kind="employee",
        email="jane@x.com",
        details={"active": False},
    )
    assert rescored.fingerprint == before.fingerprint
    row = review_rows(conn, [rescored])[0]
    assert (row.state, row.stale, row.decided) == ("decided", False, True)
    # the QB Time user's e-mail changed: the answer re-opens
    changed = conflict(
        "e1",
        "Jane Doe",
        cands=[cand(5, "jane doe", email="jd@other.com")],
        kind="employee",
        email="jane@x.com",
    )
    row = review_rows(conn, [changed])[0]
    assert (row.state, row.stale, row.decided) == ("reopened", True, False)
    assert progress([row]) == (0, 1)
    assert visible_rows([row], hide_decided=True) == [row]
    # deciding again settles it
    decide(conn, changed, "skip")
    assert review_rows(conn, [changed])[0].state == "decided"


def test_stale_later_is_just_undecided(conn, three):
    decide(conn, three[2], "later")
    moved = conflict("x3", "Greenfield Homes Pty", cands=three[2].candidates)
    assert review_rows(conn, [moved])[0].state == "undecided"


def test_decision_without_fingerprint_is_reopened(conn, three):
    Decision.create(connection=conn, kind="customer", xero_id="x1", action="skip", depends_on="")
    assert review_rows(conn, three)[0].state == "reopened"


# -- validation -----------------------------------------------------------------------------------


def test_link_needs_a_known_free_target(conn, three):
    ambiguous = three[1]
    with pytest.raises(LinkTargetMissing) as err:
        decide(conn, ambiguous, "link")
    assert "Chip Davis" in err.value.user_message("en")
    assert "Chip Davis" in err.value.user_message("fr") and "Choisissez" in err.value.user_message(
        "fr"
    )
    with pytest.raises(LinkTargetUnknown) as err:
        decide(conn, ambiguous, "link", target_qbt_id=999)
    assert "999" in err.value.user_message("en")
    with pytest.raises(LinkTargetUnknown):
        decide(conn, ambiguous, "link", target_qbt_id="abc")  # type: ignore[arg-type]
    # a manual search: any QB Time record of the right kind the local data knows
    QBTRecord.create(
        connection=conn, kind="jobcode", qbt_id=999, name="Chip D.", parent_id=0, type="regular"
    )
    QBTRecord.create(connection=conn, kind="user", qbt_id=998, name="Chip")
    assert decide(conn, ambiguous, "link", target_qbt_id=999).target_qbt_id == 999
    with pytest.raises(LinkTargetUnknown):
        decide(conn, ambiguous, "link", target_qbt_id=998)  # a user is not a customer
    assert Decision.select().count() == 1


def test_link_target_already_taken_is_refused(conn, three):
    XeroRecord.create(connection=conn, kind="contact", xero_id="x1", name="Smith Family Trust")
    decide(conn, three[0], "link", target_qbt_id=11)
    other = conflict("x9", "Smith Family Trust.", cands=[cand(11, "Smith family trust")])
    with pytest.raises(LinkTargetTaken) as err:
        decide(conn, other, "link", target_qbt_id=11)
    assert '"Smith Family Trust"' in err.value.user_message("en")
    assert "«\u00a0Smith Family Trust\u00a0»" in err.value.user_message("fr")
    # an existing link, or one the matcher reports on the candidate
    Link.create(connection=conn, kind="customer", xero_id="x7", qbt_id=21)
    with pytest.raises(LinkTargetTaken):
        decide(conn, three[1], "link", target_qbt_id=21)
    linked = conflict("x8", "Chip Davis", cands=[cand(22, "Chip Davis", linked_xero_id="x6")])
    with pytest.raises(LinkTargetTaken):
        decide(conn, linked, "link", target_qbt_id=22)
    # re-deciding the same record keeps its own target
    assert decide(conn, three[0], "link", target_qbt_id=11, note="sure").note == "sure"


def test_rename_rules(conn, three):
    c = three[2]
    for bad in (None, "", "   "):
        with pytest.raises(NewNameMissing):
            decide(conn, c, "rename", new_name=bad)
    with pytest.raises(NewNameTooLong) as err:
        decide(conn, c, "rename", new_name="x" * 65)
    assert err.value.user_message("en") == (
        "The new name has 65 characters; QuickBooks Time allows at most 64. Shorten it."
    )
    assert err.value.user_message("fr") == (
        "Le nouveau nom compte 65 caractères\u00a0; QuickBooks Time en permet au plus 64. "
        "Raccourcissez-le."
    )
    with pytest.raises(NewNameInvalid):
        decide(conn, c, "rename", new_name="Two\nlines")
    assert decide(conn, c, "rename", new_name="  " + "y" * 64 + "  ").new_name == "y" * 64


def test_a_person_is_not_renamed(conn):
    # a team member's QuickBooks Time name is their first and last name from Xero
    person = conflict("e1", "Lily Baker", "archived_twin", [cand(7, "Lily Baker")], kind="employee")
    with pytest.raises(rv.RenameNotForPeople) as err:
        decide(conn, person, "rename", new_name="Oscar Singh")
    assert '"Lily Baker" is a person' in err.value.user_message("en")
    assert "«\u00a0Lily Baker\u00a0» est une personne" in err.value.user_message("fr")
    assert Decision.select().count() == 0
    assert decide(conn, person, "create").action == "create"
    assert not rv.can_rename("employee") and rv.can_rename("customer")


def test_create_refused_when_the_name_cannot_be_used(conn, french):
    long_name = "The Very Long Name Of A Customer That Does Not Fit Into QuickBooks Time Ltd"
    too_long = conflict("x1", long_name, "name_too_long", details={"suggested_name": "The Very"})
    with pytest.raises(CreateNeedsRename) as err:
        decide(conn, too_long, "create")
    assert "Renommer" in err.value.user_message()  # current language: French
    assert "Choose Rename" in err.value.user_message("en") and "64" in err.value.user_message("en")
    assert decide(conn, too_long, "rename", new_name="The Very Long Name").action == "rename"
    # a lower-ranked problem counts too
    both = conflict(
        "x2", long_name, "duplicate_in_xero", problems=("duplicate_in_xero", "name_too_long")
    )
    with pytest.raises(CreateNeedsRename):
        decide(conn, both, "create")
    nameless = conflict("x3", "  ", "invalid_name")
    with pytest.raises(CreateNeedsName):
        decide(conn, nameless, "create")
    full = conflict("", "", "too_many_custom_fields", kind="tracking_category")
    for action in ("create", "link", "rename"):
        with pytest.raises(NoRoomForCustomFields):
            decide(conn, full, action, target_qbt_id=1, new_name="x")
    assert decide(conn, full, "skip").action == "skip"
    with pytest.raises(UnknownDecision) as err:
        decide(conn, too_long, "merge")
    assert "«\u00a0merge\u00a0»" in err.value.user_message()
    assert Decision.select().count() == 2


# -- bulk actions ---------------------------------------------------------------------------------


def test_accept_all_exact_links_only_the_safe_set_in_one_undo_step(conn):
    safe_case = conflict("a", "Smith Family Trust", cands=[cand(1, "Smith family trust")])
    safe_spaces = conflict("b", "Chip  Davis\u200b", cands=[cand(2, "chip davis", code="spaces")])
    archived = conflict(
        "c", "Old Co", "archived_twin", [cand(3, "Old Co", code="identical", archived=True)]
    )
    emp_one_email = conflict(
        "d", "Jane Doe", cands=[cand(4, "jane doe", email="j@x.com")], kind="employee"
    )
    unsafe = [
        conflict("e", "Café Rio", cands=[cand(5, "Cafe Rio", code="accents")]),
        conflict("f", "Acme Ltd", cands=[cand(6, "Acme", code="legal_suffix")]),
        conflict(
            "g",
            "Bob Lee",
            cands=[cand(7, "bob lee", code="case+other_email", email="b@y.com")],
            kind="employee",
            email="b@x.com",
        ),
        conflict(
            "h",
            "Bob Ray",
            cands=[cand(8, "Bob Ray", code="same_name_other_email", email="r@y.com")],
            kind="employee",
            email="r@x.com",
        ),
        conflict("i", "Twice", "ambiguous", [cand(9, "twice")]),
        conflict("j", "Two cands", cands=[cand(10, "two cands"), cand(11, "Two Cands ")]),
        conflict("k", "Fuzzy", cands=[cand(12, "Fuzzy", score=99.0)]),
        conflict("l", "Dupe", "duplicate_in_xero", [cand(13, "dupe")]),
        conflict("m", "Linked", cands=[cand(14, "linked", linked_xero_id="zz")]),
        conflict("n", "Near", cands=[cand(15, "near")], problems=("near_match", "name_too_long")),
        # two safe conflicts wanting the same QB Time record: a person decides
        conflict("o", "Same Target", cands=[cand(16, "same target")]),
        conflict("p", "SAME TARGET", cands=[cand(16, "same target")]),
    ]
    decided_before = conflict("q", "Kept", cands=[cand(17, "kept")])
    decide(conn, decided_before, "skip")
    everything = [safe_case, safe_spaces, archived, emp_one_email, *unsafe, decided_before]
    # an archived twin is never linked in bulk: "restore and link" is a choice made one by one
    assert [c.xero_id for c in everything if is_exact_safe(c)] == ["a", "b", "d", "o", "p", "q"]

    assert accept_all_exact(conn, everything) == 3
    links = {d.xero_id: d.target_qbt_id for d in Decision.select() if d.action == "link"}
    assert links == {"a": 1, "b": 2, "d": 4}
    assert saved(conn, decided_before).action == "skip"  # decided rows are left alone
    assert accept_all_exact(conn, everything) == 0  # nothing left: no empty undo step
    assert undo_last(conn)  # ONE step reverts the whole bulk
    assert [d.xero_id for d in Decision.select()] == ["q"]
    assert undo_last(conn) and not can_undo(conn)


def test_accept_all_exact_takes_later_and_reopened_rows_and_skips_taken_targets(conn):
    later = conflict("a", "Acme", cands=[cand(1, "ACME")])
    reopened = conflict("b", "Beta", cands=[cand(2, "beta")])
    taken = conflict("c", "Gamma", cands=[cand(3, "gamma")])
    decide(conn, later, "later")
    Decision.create(
        connection=conn, kind="customer", xero_id="b", action="create", depends_on="old"
    )
    Link.create(connection=conn, kind="customer", xero_id="zz", qbt_id=3)
    assert accept_all_exact(conn, [later, reopened, taken]) == 2
    assert state_of(conn, [later, reopened, taken]) == {
        "a": ("link", "decided"),
        "b": ("link", "decided"),
        "c": (None, "undecided"),
    }
    assert undo_last(conn)
    assert state_of(conn, [later, reopened]) == {
        "a": ("later", "undecided"),
        "b": ("create", "reopened"),
    }


def test_accept_all_exact_on_real_matching_output(conn):
    result = match_named(
        "customer",
        [("x1", "Smith Family Trust"), ("x2", "Café Rio"), ("x3", "Acme Ltd")],
        [(1, "Smith family trust", True), (2, "Cafe Rio", True), (3, "Acme", True)],
    )
    assert accept_all_exact(conn, result.conflicts) == 1
    assert [(d.xero_id, d.target_qbt_id) for d in Decision.select()] == [("x1", 1)]


def test_create_all_unmatched_only_where_creating_is_valid(conn):
    lonely = conflict("a", "Nobody Like Me", cands=[])
    lonely2 = conflict("b", "Nobody Either", "ambiguous", cands=[])
    not_safe = [
        conflict("c", "Dupe Co", "duplicate_in_xero"),  # would make look-alikes
        conflict("d", "L" * 70, "name_too_long"),  # needs a new name
        conflict("e", "", "invalid_name"),  # no name
        conflict("", "", "too_many_custom_fields", kind="tracking_category"),
        conflict("f", "Has One", cands=[cand(1, "has one")]),  # has a candidate
        conflict("g", "L" * 65),  # defensive: too long anyway
    ]
    assert [c.xero_id for c in [lonely, lonely2, *not_safe] if is_create_safe(c)] == ["a", "b"]
    assert create_all_unmatched(conn, [lonely, lonely2, *not_safe]) == 2
    assert {d.xero_id: d.action for d in Decision.select()} == {"a": "create", "b": "create"}
    assert undo_last(conn)
    assert Decision.select().count() == 0
    # real matching output: candidate-less conflicts are never safe to create in bulk
    result = match_named("customer", [("x1", "Acme"), ("x2", "ACME"), ("x3", "Z" * 70)], [])
    assert {c.problem for c in result.conflicts} == {"duplicate_in_xero", "name_too_long"}
    assert create_all_unmatched(conn, result.conflicts) == 0


def test_bulk_failure_writes_nothing(conn, monkeypatch):
    safe = [conflict(x, x.upper(), cands=[cand(n, x)]) for n, x in enumerate("abc", 1)]
    real = undo_stack._set
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise pw.OperationalError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(undo_stack, "_set", failing)
    with pytest.raises(ReviewSaveFailed):
        accept_all_exact(conn, safe)
    assert Decision.select().count() == 0 and not can_undo(conn)


# -- CSV export -----------------------------------------------------------------------------------


def read_export(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def write_rows_to(fh, rows: list[dict[str, str]], *, delimiter=","):
    writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)


def write_rows(path: Path, rows: list[dict[str, str]], *, encoding="utf-8-sig", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as fh:
        write_rows_to(fh, rows, delimiter=delimiter)


@pytest.fixture
def accents():
    return [
        conflict(
            "x1",
            "Société Générale",
            cands=[
                cand(1, "Societe Generale", code="accents"),
                cand(2, "Société Général", 95.0, "similar"),
            ],
        ),
        conflict("x2", "Café Émile", cands=[cand(3, "café émile", code="case")]),
        conflict(
            "x3",
            "Crème Brûlée Ltée",
            "ambiguous",
            [
                cand(4, "Crème Brûlée Ltée", code="identical"),
                cand(5, "Crème Brûlée Ltée", code="identical"),
                cand(6, "Creme Brulee", 92.0, "similar"),
                cand(7, "Crème", 88.0, "similar"),
            ],
        ),
        conflict("x4", "Noël & Fils", cands=[cand(8, "Noel et Fils", 100.0, "accents+ampersand")]),
    ]


def test_export_is_utf8_with_bom_with_translated_reasons(conn, accents, tmp_path, french):
    decide(conn, accents[1], "link", target_qbt_id=3, note="même café")
    decide(conn, accents[3], "later")
    path = export_csv(
        conn,
        review_rows(conn, accents),
        tmp_path / "revue.csv",
        unmatched=[("customer", "x9", "Pâtisserie Lévis")],
    )
    raw = path.read_bytes()
    assert raw.startswith(BOM) and "Société Générale".encode() in raw
    assert raw.count(b"\r\n") == 6
    rows = read_export(path)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert "candidate_3_name" in rows[0] and "candidate_4_name" not in rows[0]
    one, two, three, four, extra = rows
    assert one["problem"] == "near_match"
    assert one["reason"] == describe_problem(accents[0], "fr")  # the current language
    assert one["candidate_1_reason"] == describe_reason("accents", score=100.0, language="fr")
    assert (one["candidate_1_id"], one["candidate_1_name"], one["candidate_1_score"]) == (
        "1",
        "Societe Generale",
        "100",
    )
    assert (one["candidate_2_score"], one["candidate_3_id"], one["decision"]) == ("95", "", "")
    assert (two["decision"], two["target_qbt_id"], two["note"], two["state"]) == (
        "link",
        "3",
        "même café",
        "decided",
    )
    assert three["candidate_3_name"] == "Creme Brulee"  # only the first three candidates
    assert (four["decision"], four["state"]) == ("later", "undecided")
    assert two["fingerprint"] == accents[1].fingerprint
    assert (extra["xero_name"], extra["problem"], extra["decision"], extra["fingerprint"]) == (
        "Pâtisserie Lévis",
        "no_match",
        "",
        "",
    )
    assert "QuickBooks Time" in extra["reason"] and "créé" in extra["reason"]


def test_export_reasons_in_english(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    assert rows[0]["candidate_1_reason"] == "differs only by accents"
    assert rows[0]["reason"] == "A similar record already exists in QuickBooks Time."


def test_export_leaves_reopened_decisions_blank(conn, accents, tmp_path):
    decide(conn, accents[0], "link", target_qbt_id=1, note="checked")
    changed = conflict("x1", "Société Générale SA", cands=accents[0].candidates)
    row = read_export(export_csv(conn, review_rows(conn, [changed]), tmp_path / "r.csv"))[0]
    assert (row["decision"], row["target_qbt_id"], row["state"], row["note"]) == (
        "",
        "",
        "reopened",
        "checked",
    )


def test_export_guards_against_formulas(conn, tmp_path):
    evil = conflict(
        "x1",
        '=HYPERLINK("http://evil","click")',
        cands=[cand(1, "+cmd|' /C calc'!A0"), cand(2, "@SUM(A1)", 90, "similar")],
    )
    decide(conn, evil, "skip", note="-2+3")
    row = read_export(export_csv(conn, review_rows(conn, [evil]), tmp_path / "r.csv"))[0]
    assert row["xero_name"] == '\'=HYPERLINK("http://evil","click")'
    assert row["candidate_1_name"] == "'+cmd|' /C calc'!A0"
    assert row["candidate_2_name"] == "'@SUM(A1)"
    assert row["note"] == "'-2+3"
    assert all(not v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_export_failure_is_a_domain_error(conn, three, tmp_path, french):
    with pytest.raises(ReviewFileNotWritten) as err:
        export_csv(conn, review_rows(conn, three), tmp_path / "missing" / "r.csv")
    assert "n’a pas pu être enregistré" in err.value.user_message()
    assert not list(tmp_path.rglob(".review-*"))


# -- CSV import -----------------------------------------------------------------------------------


def test_round_trip_export_edit_import(conn, accents, tmp_path):
    decide(conn, accents[3], "skip")
    path = export_csv(
        conn,
        review_rows(conn, accents),
        tmp_path / "r.csv",
        unmatched=[("customer", "x9", "Pâtisserie Lévis")],
    )
    rows = read_export(path)
    rows[0].update(decision="lier", target_qbt_id="2", note="vérifié par Hélène")
    rows[1].update(decision="Créer")
    rows[2].update(decision="rename", new_name="Crème Brûlée (Montréal)")
    # rows[3]: "skip" untouched; rows[4] (unmatched) has no decision
    write_rows(path, rows)

    report = import_csv(conn, accents, path)
    assert (report.applied, report.unchanged, report.problems) == (3, 2, [])
    got = {d.xero_id: (d.action, d.target_qbt_id, d.new_name, d.note) for d in Decision.select()}
    assert got == {
        "x1": ("link", 2, None, "vérifié par Hélène"),
        "x2": ("create", None, None, ""),
        "x3": ("rename", None, "Crème Brûlée (Montréal)", ""),
        "x4": ("skip", None, None, ""),
    }
    assert all(r.state == "decided" for r in review_rows(conn, accents))
    # importing the same file again changes nothing
    again = import_csv(conn, accents, path)
    assert (again.applied, again.unchanged) == (0, 5)
    # the whole import is ONE undo step
    assert undo_last(conn)
    assert {d.xero_id: d.action for d in Decision.select()} == {"x4": "skip"}
    assert redo_last(conn)
    assert Decision.select().count() == 4


def test_import_semicolon_cp1252_with_french_words(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    rows[0].update(decision="  Plus tard ")
    rows[1].update(decision="IGNORER", note="déjà facturé")
    rows[2].update(decision="renommer", new_name="Crème Brûlée Québec")
    rows[3].update(decision="creer")  # accents lost along the way
    path = tmp_path / "excel-fr.csv"
    write_rows(path, rows, encoding="cp1252", delimiter=";")
    raw = path.read_bytes()
    assert not raw.startswith(BOM) and b";" in raw.splitlines()[0] and "é".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    report = import_csv(conn, accents, path)
    assert (report.applied, report.problems) == (4, [])
    got = {d.xero_id: (d.action, d.new_name, d.note) for d in Decision.select()}
    assert got == {
        "x1": ("later", None, ""),
        "x2": ("skip", None, "déjà facturé"),
        "x3": ("rename", "Crème Brûlée Québec", ""),
        "x4": ("create", None, ""),
    }


def test_import_utf8_without_bom_tab_and_utf16(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    rows[0].update(decision="link", target_qbt_id="1")
    plain = tmp_path / "plain.csv"
    write_rows(plain, rows, encoding="utf-8")
    assert import_csv(conn, accents, plain).applied == 1
    rows[0].update(decision="skip", note="Noël")
    unicode_text = tmp_path / "unicode.txt"  # Excel's "Unicode text": UTF-16, tabs
    write_rows(unicode_text, rows, encoding="utf-16", delimiter="\t")
    assert import_csv(conn, accents, unicode_text).applied == 1
    assert (saved(conn, accents[0]).action, saved(conn, accents[0]).note) == ("skip", "Noël")


def test_import_excel_sep_line_and_blank_lines(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    rows[1].update(decision="later")
    rows[3].update(decision="oops")
    body = io.StringIO(newline="")
    write_rows_to(body, rows, delimiter=";")
    path = tmp_path / "e.csv"
    path.write_text(
        "sep=;\r\n\r\n" + body.getvalue().replace("\r\n", "\r\n;;\r\n", 1),
        encoding="utf-8",
        newline="",
    )
    report = import_csv(conn, accents, path)
    assert report.applied == 1 and saved(conn, accents[1]).action == "later"
    # physical line numbers: sep line, blank, header, blank-ish, x1, x2, x3, x4
    assert [(p.line, p.xero_id) for p in report.problems] == [(8, "x4")]


def test_import_link_targets_by_number_name_or_single_candidate(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    rows[0].update(decision="link", target_qbt_id="Société Général")  # a candidate's name
    rows[1].update(decision="link", target_qbt_id="")  # the only candidate
    rows[2].update(decision="link", target_qbt_id="5.0")  # Excel made it a number
    rows[3].update(decision="link", target_qbt_id=" 8 ")
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    report = import_csv(conn, accents, path)
    assert (report.applied, report.problems) == (4, [])
    assert {d.xero_id: d.target_qbt_id for d in Decision.select()} == {
        "x1": 2,
        "x2": 3,
        "x3": 5,
        "x4": 8,
    }


def test_import_strips_the_formula_guard(conn, tmp_path):
    c = conflict("x1", "-Minus Co", "name_too_long", problems=("name_too_long",))
    rows = read_export(export_csv(conn, review_rows(conn, [c]), tmp_path / "r.csv"))
    assert rows[0]["xero_id"] == "x1" and rows[0]["xero_name"] == "'-Minus Co"
    rows[0].update(decision="rename", new_name="'=Equals Co", note="'@later")
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    assert import_csv(conn, [c], path).applied == 1
    d = saved(conn, c)
    assert (d.new_name, d.note) == ("=Equals Co", "@later")
    # and the guard comes back on the next export
    again = read_export(export_csv(conn, review_rows(conn, [c]), tmp_path / "r2.csv"))[0]
    assert (again["new_name"], again["note"]) == ("'=Equals Co", "'@later")


def test_import_reports_every_problem_with_its_line(conn, accents, tmp_path):
    taken = conflict("x5", "Taken Co", cands=[cand(40, "taken co")])
    too_long = conflict("x6", "T" * 70, "name_too_long")
    conflicts = [*accents, taken, too_long]
    Link.create(connection=conn, kind="customer", xero_id="other", qbt_id=40)
    rows = read_export(
        export_csv(
            conn,
            review_rows(conn, conflicts),
            tmp_path / "r.csv",
            unmatched=[("customer", "x9", "Unmatched Ltd")],
        )
    )
    by_id = {r["xero_id"]: r for r in rows}
    edited = [
        {**by_id["x1"], "decision": "link", "target_qbt_id": "Nobody"},  # line 2
        {**by_id["x1"], "decision": "skip"},  # line 3: dup
        {**by_id["x2"], "decision": "merge"},  # line 4
        {**by_id["x3"], "decision": "link", "target_qbt_id": ""},  # line 5
        {**by_id["x4"], "decision": "rename", "new_name": "  "},  # line 6
        {**by_id["x5"], "decision": "link", "target_qbt_id": "40"},  # line 7
        {**by_id["x6"], "decision": "create"},  # line 8
        {**by_id["x6"], "kind": "employee", "decision": "skip"},  # line 9
        {**by_id["x9"], "decision": "skip"},  # line 10
        {**by_id["x2"], "xero_id": "x2b", "decision": "skip"},  # line 11
    ]
    path = tmp_path / "e.csv"
    write_rows(path, edited)
    report = import_csv(conn, conflicts, path)
    got = [(p.line, p.xero_id, p.code) for p in report.problems]
    assert got == [
        (2, "x1", "duplicate"),
        (3, "x1", "duplicate"),
        (4, "x2", "unknown_decision"),
        (5, "x3", "target_missing"),
        (6, "x4", "name_missing"),
        (7, "x5", "target_taken"),
        (8, "x6", "create_refused"),
        (9, "x6", "not_a_conflict"),
        (10, "x9", "not_a_conflict"),
        (11, "x2b", "not_a_conflict"),
    ]
    assert report.applied == 0 and Decision.select().count() == 0
    reasons = {p.code: p.reason for p in report.problems}
    assert reasons["duplicate"] == (
        "This record has a decision on several lines (2, 3); keep only one of them."
    )
    assert '"merge" is not a decision' in reasons["unknown_decision"]

    # the other problem kinds: bad target, unknown number, too long, changed since export
    more = [
        {**by_id["x1"], "decision": "link", "target_qbt_id": "Nobody"},
        {**by_id["x2"], "decision": "link", "target_qbt_id": "12345"},
        {**by_id["x3"], "decision": "rename", "new_name": "N" * 65},
        {**by_id["x4"], "decision": "skip", "fingerprint": "0000"},
        {**by_id["x5"], "decision": "skip"},  # valid: applied
    ]
    write_rows(path, more)
    report = import_csv(conn, conflicts, path)
    assert [(p.line, p.code) for p in report.problems] == [
        (2, "bad_target"),
        (3, "target_unknown"),
        (4, "name_too_long"),
        (5, "changed"),
    ]
    assert report.problems[0].reason == (
        '"Nobody" is neither one of the suggested matches nor a QuickBooks Time record number.'
    )
    assert "since the export" in report.problems[3].reason
    assert report.applied == 1 and saved(conn, taken).action == "skip"


def test_import_problems_in_french_and_multiline_cells(conn, accents, tmp_path, french):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    rows[0].update(decision="skip", note="ligne 1\nligne 2")  # a quoted cell on two lines
    rows[1].update(decision="peut-être")
    rows[2].update(decision="ignorer", fingerprint="changed")
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    report = import_csv(conn, accents, path)
    assert [(p.line, p.xero_id) for p in report.problems] == [(4, "x2"), (5, "x3")]
    assert report.problems[0].reason.startswith("«\u00a0peut-être\u00a0» n’est pas une décision")
    assert "depuis l’exportation" in report.problems[1].reason
    assert saved(conn, accents[0]).note == "ligne 1\nligne 2"


def test_two_lines_linking_the_same_record(conn, tmp_path):
    a = conflict("a", "Alpha", cands=[cand(1, "alpha")])
    b = conflict("b", "ALPHA", cands=[cand(1, "alpha")])
    decide(conn, b, "link", target_qbt_id=1)
    rows = read_export(export_csv(conn, review_rows(conn, [a, b]), tmp_path / "r.csv"))
    # the file moves the link from b to a: allowed, b's old answer is replaced
    rows[0].update(decision="link", target_qbt_id="1")
    rows[1].update(decision="skip")
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    report = import_csv(conn, [a, b], path)
    assert (report.applied, report.problems) == (2, [])
    # both lines wanting it: the second is refused
    rows[1].update(decision="link", target_qbt_id="1")
    rows[0].update(decision="link", target_qbt_id="1", note="again")
    write_rows(path, rows)
    report = import_csv(conn, [a, b], path)
    assert [(p.line, p.code) for p in report.problems] == [(3, "target_taken")]


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "there is no such file"),
        (b"", "it is empty"),
        (b"\xef\xbb\xbf  \r\n", "it is empty"),
        (b"name,xero_id\r\nAcme,x1\r\n", "the columns kind, decision, fingerprint are missing"),
        (
            b"kind,xero_id,decision,fingerprint\r\n\x81\x8d\x8f\x90\x9d,\xff\r\n",
            "its text encoding is not recognised",
        ),
        (
            b"kind,xero_id,decision,fingerprint\r\ncustomer,x1,skip\x00,f\r\n",
            "it is not a valid CSV file",
        ),
        (
            b'kind,xero_id,decision,fingerprint\r\ncustomer,x1,"' + b"x" * 200_000 + b'"\r\n',
            "line 2 has a cell of more than 131072 characters (a note, most likely): shorten it",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "it is a spreadsheet workbook, not a CSV file (in your "
            'spreadsheet program, save it as "CSV UTF-8")',
        ),
    ],
)
def test_unreadable_files_change_nothing(conn, three, tmp_path, content, reason):
    decide(conn, three[0], "skip")
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    _refused_unread(conn, three, path, reason)
    assert len(Setting.get_value(f"review_undo:{conn.id}")) == 1


def _refused_unread(conn, three, path, reason):
    """Importing ``path`` is refused with ``reason``, and the one decision made stays."""
    with pytest.raises(ReviewFileUnreadable) as err:
        import_csv(conn, three, path)
    assert err.value.user_message("en") == (
        f"The file {path} could not be read as a review spreadsheet: {reason}. Nothing was changed."
    )
    assert "Rien n’a été modifié" in err.value.user_message("fr")
    assert [d.action for d in Decision.select()] == ["skip"]


@pytest.mark.parametrize("kind", ["folder", "pipe", "too large"])
def test_a_folder_a_pipe_or_a_huge_file_is_not_read(conn, three, tmp_path, kind, monkeypatch):
    """A pipe would wait forever (holding the app's lock), a device could be endless, and a
    file far larger than any review would be held whole in memory: each is refused unread."""
    decide(conn, three[0], "skip")
    path = tmp_path / "bad.csv"
    reason = {
        "folder": "it is a folder, not a file",
        "pipe": "it is a device or a pipe, not a file",
        "too large": "it is larger than 1 MB, far more than a review file holds: check that "
        "you chose the file the review was exported to",
    }[kind]
    if kind == "folder":
        path.mkdir()
    elif kind == "pipe":
        os.mkfifo(path)  # (reading it would block this test for ever)
    else:
        monkeypatch.setattr(csv_file, "MAX_REVIEW_FILE_MB", 1)
        path.write_bytes(b"kind,xero_id,decision,fingerprint\r\n" + b"x" * 1024 * 1024)
    _refused_unread(conn, three, path, reason)


def test_a_fingerprint_in_capitals_is_the_same_fingerprint(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    for row in rows:
        row.update(decision="later", fingerprint=row["fingerprint"].upper())
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    result = import_csv(conn, accents, path)
    assert (result.applied, result.problems) == (len(rows), [])


def test_a_huge_target_number_is_one_problem_line_not_a_failed_import(conn, accents, tmp_path):
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    for row in rows:
        row.update(decision="later")
    rows[0].update(decision="link", target_qbt_id=str(2**63))
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    result = import_csv(conn, accents, path)
    assert result.applied == len(rows) - 1
    (problem,) = result.problems
    assert str(2**63) in problem.reason and problem.code == "target_unknown"
    with pytest.raises(LinkTargetUnknown):
        decide(conn, accents[0], "link", target_qbt_id=2**63)


def test_a_new_name_of_only_invisible_characters_is_no_name(conn, three):
    c = three[2]
    for invisible in ("\u200b\u2060", "\u200e\u202e", "\x07\x1b", "\ufeff \u200b"):
        with pytest.raises(NewNameMissing):
            decide(conn, c, "rename", new_name=invisible)
    assert Decision.select().count() == 0
    # what is kept is what will be sent: the visible name, without what nobody sees
    assert decide(conn, c, "rename", new_name="Acme\u200b Ltd\u202e").new_name == "Acme Ltd"


def test_export_guards_a_formula_after_a_separator_and_import_takes_it_back(conn, tmp_path):
    """A spreadsheet splitting a "," file on ";" (French locales) would make a cell of what
    follows a ";" inside a name: an apostrophe goes there too, and comes out on import."""
    name = "Boucherville;=2+5;-cmd|' /C calc'!A0"
    c = conflict("x1", name, "name_too_long", problems=("name_too_long",))
    rows = read_export(export_csv(conn, review_rows(conn, [c]), tmp_path / "r.csv"))
    assert rows[0]["xero_name"] == "Boucherville;'=2+5;'-cmd|' /C calc'!A0"
    for separator in (",", ";", "\t"):
        for cell in rows[0]["xero_name"].split(separator):
            assert not cell.startswith(("=", "+", "-", "@")), cell
    note = "a;'b,=c\t@d"
    rows[0].update(decision="rename", new_name="Bouch;=ok", note=note)
    path = tmp_path / "e.csv"
    write_rows(path, rows)
    assert import_csv(conn, [c], path).applied == 1
    assert (saved(conn, c).new_name, saved(conn, c).note) == ("Bouch;=ok", note)
    again = read_export(export_csv(conn, review_rows(conn, [c]), tmp_path / "r2.csv"))[0]
    assert (again["new_name"], again["note"]) == ("Bouch;'=ok", "a;''b,'=c\t'@d")


def test_database_failure_mid_import_leaves_nothing_applied(conn, accents, tmp_path, monkeypatch):
    decide(conn, accents[3], "skip")
    rows = read_export(export_csv(conn, review_rows(conn, accents), tmp_path / "r.csv"))
    for row in rows[:3]:
        row.update(decision="later")
    rows[3].update(decision="create")
    path = tmp_path / "e.csv"
    write_rows(path, rows)

    real = undo_stack._set
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise pw.OperationalError("database or disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(undo_stack, "_set", failing)
    with pytest.raises(ReviewSaveFailed) as err:
        import_csv(conn, accents, path)
    assert "nothing was changed" in err.value.user_message("en")
    assert len(calls) == 3  # two decisions were written before the failure...
    # ...and rolled back with the undo step
    assert {d.xero_id: d.action for d in Decision.select()} == {"x4": "skip"}
    assert len(Setting.get_value(f"review_undo:{conn.id}")) == 1
    monkeypatch.setattr(undo_stack, "_set", real)
    assert import_csv(conn, accents, path).applied == 4


def test_accept_all_exact_reads_the_xero_email_matching_gives_employees():
    """Matching's employee conflicts carry the Xero e-mail as "email": two different e-mails
    are never in the "accept all exact" set, whichever key carries it."""
    other = cand(7, "Chip Davis", email="chip@other.example")
    for key in ("email", "xero_email"):
        c = conflict(
            "e1", "Chip Davis", cands=[other], kind="employee", details={key: "chip@davis.example"}
        )
        assert not rv.is_exact_safe(c), key
    same = conflict(
        "e2",
        "Chip Davis",
        cands=[cand(8, "Chip Davis", email="CHIP@davis.example ")],
        kind="employee",
        details={"email": "chip@davis.example"},
    )
    assert rv.is_exact_safe(same)


def test_export_never_replaces_a_device_or_a_folder(conn, three, tmp_path, french):
    """The export is moved into place: as root, a device (/dev/full) would be replaced by a
    plain file. Only a plain file, or a new one, may be the target."""
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(ReviewFileNotWritten) as err:
        export_csv(conn, review_rows(conn, three), folder)
    assert "n’est pas un fichier ordinaire" in err.value.user_message()
    assert folder.is_dir() and not list(tmp_path.rglob(".review-*"))
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ReviewFileNotWritten):
        export_csv(conn, review_rows(conn, three), fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_says_a_candidate_is_already_linked_to_another_xero_record(conn, tmp_path):
    """The CSV offered a record already linked elsewhere as a plain candidate; linking to it
    is then refused on import. The review screen says it; the file says it too."""
    twin = conflict(
        "x8",
        "Chip Davis",
        cands=[cand(22, "Chip Davis", linked_xero_id="x6"), cand(23, "Chip Davies", 90, "similar")],
    )
    row = read_export(export_csv(conn, review_rows(conn, [twin]), tmp_path / "r.csv"))[0]
    assert row["candidate_1_reason"] == (
        "differs only by case; already linked to another Xero record"
    )
    assert "already linked" not in row["candidate_2_reason"]
