"""The review's suggestions, likeness words and marked differences (core, no Qt), and what the
screen puts side by side (core.app.review_screen.record_facts). Names are made up for the rule,
not taken from the Demo Company."""

from __future__ import annotations

import pytest

from core.app.review_screen import RecordFacts, address_text, record_facts
from core.engine.matching import Candidate, Conflict, fingerprint, match_named
from core.engine.records import (
    Address,
    QBTJobcode,
    QBTLocation,
    QBTUser,
    Snapshot,
    XeroContact,
    XeroEmployee,
)
from core.engine.review import (
    Suggestion,
    accept_suggestions,
    decide,
    likeness,
    name_diff,
    review_rows,
    same_name,
    suggestion,
    suggestions_waiting,
    undo_last,
)
from core.store.db import close_database, open_database
from core.store.models import Connection, Decision


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


def cand(qbt_id, name, code="similar", score=90.0, **kw):
    return Candidate(qbt_id=qbt_id, name=name, score=score, reason_code=code, reason="r", **kw)


def conflict(xero_id, name, cands=(), problem="near_match", *, kind="customer", **details):
    cands = tuple(cands)
    problems = details.pop("problems", (problem,))
    return Conflict(
        kind=kind,
        xero_id=xero_id,
        xero_name=name,
        problem=problem,
        candidates=cands,
        fingerprint=fingerprint(kind, name, problem, cands),
        details={"problems": tuple(problems), **details},
    )


# -- same name ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xero", "qbt"),
    [
        ("Kettle & Crumb", "kettle and crumb"),  # "&" / "and", case
        ("Ngaio Joinery Ltd", "Ngaio Joinery"),  # a legal suffix
        ("Tamarind Holdings Pty. Ltd.", "Tamarind Holdings"),
        ("Boulangerie Ébène SARL", "Boulangerie Ebene"),  # accents and a French suffix
        ("Brightwater, Inc.", "Brightwater Inc"),  # punctuation
        ("Oakridge Co", "Oakridge"),
        ("Hollis LLC", "HOLLIS"),
        ("Red  Fern\u00a0Studio", "Red Fern Studio"),  # spaces and a no-break space
        ("Mt. Eden Physio", "Mt Eden Physio"),
        ("Te Awa Kōrero Limited", "Te Awa Korero"),
        ("Bluegum Landscaping", "BlueGum Landscaping"),  # case inside a word
        ("Seaview Dental", "Sea View Dental"),  # one space more
    ],
)
def test_names_that_differ_only_by_form_are_the_same_name(xero, qbt):
    assert same_name(xero, qbt)
    c = conflict("x1", xero, [cand(7, qbt)])
    assert likeness(c, c.candidates[0]) == "same_name"
    assert suggestion(c) == Suggestion("link", 7, "same_name")


@pytest.mark.parametrize(
    ("xero", "qbt"),
    [
        ("Chip Davis Plumbing", "Chippy Davis Plumbing"),  # another name
        ("Westfield Motors", "Westfield Motors 2"),  # a number added
        ("Harbourside Cafe", "Harbourside Catering"),
        ("Orchard Lane Trust", "Orchard Lane"),  # "Trust" is not a legal suffix
        ("North Ward Clinic", "South Ward Clinic"),
    ],
)
def test_similar_names_get_no_suggestion(xero, qbt):
    assert not same_name(xero, qbt)
    c = conflict("x1", xero, [cand(7, qbt)])
    assert likeness(c, c.candidates[0]) in ("similar_name", "numbered_copy")
    assert suggestion(c) is None


def test_a_legal_suffix_is_not_folded_for_people():
    # "Linh Sa" is a person, not "Linh" of a société anonyme
    assert same_name("Linh Sa", "Linh", person=False)
    assert not same_name("Linh Sa", "Linh", person=True)


# -- people: the e-mail must not disagree ----------------------------------------------------------


def person(name, cands, email=""):
    return conflict("e1", name, cands, kind="employee", email=email)


def test_people_with_the_same_name_and_e_mail_are_linked():
    c = person("Aroha Ngata", [cand(5, "aroha ngata", "case", email="A.Ngata@x.example")])
    c = conflict("e1", "Aroha Ngata", c.candidates, kind="employee", email="a.ngata@x.example ")
    assert likeness(c, c.candidates[0]) == "same_name"
    assert suggestion(c) == Suggestion("link", 5, "same_name")


def test_one_side_without_an_e_mail_is_suggested_and_says_so():
    no_mail = cand(5, "Rangi Parata", "same_name_no_email")
    c = person("Rangi Parata", [no_mail], email="rangi@x.example")
    assert likeness(c, no_mail) == "same_name_no_email"
    assert suggestion(c) == Suggestion("link", 5, "same_name_no_email")
    # the other way round: Xero has none, QuickBooks Time has one
    c = person("Rangi Parata", [cand(5, "Rangi Parata", "identical", email="r@x.example")])
    assert suggestion(c) == Suggestion("link", 5, "same_name_no_email")


def test_two_different_e_mails_are_for_a_person_to_decide():
    other = cand(5, "Mere Tane", "same_name_other_email", email="mere@other.example")
    c = person("Mere Tane", [other], email="mere@x.example")
    assert likeness(c, other) == "same_name_other_email"
    assert suggestion(c) is None
    # even when matching only saw an accent, the e-mails are compared
    accent = cand(6, "Mere Tāne", "accents", email="mere@other.example")
    assert suggestion(person("Mere Tane", [accent], email="mere@x.example")) is None


def test_same_e_mail_but_another_name_is_not_suggested():
    c = person("Sam Lee", [cand(5, "Samuel Leeson", "same_email_other_name", email="s@x")], "s@x")
    assert likeness(c, c.candidates[0]) == "same_email"
    assert suggestion(c) is None


# -- what stops a suggestion ------------------------------------------------------------------------


def test_nothing_similar_suggests_create_when_the_name_can_be_used():
    assert suggestion(conflict("x1", "Pohutukawa Tours", [])) == Suggestion(
        "create", None, "nothing_similar"
    )
    assert suggestion(conflict("x2", "A" * 65, [], "name_too_long")) is None
    assert suggestion(conflict("x3", "   ", [], "invalid_name")) is None


@pytest.mark.parametrize(
    "problems", [("ambiguous",), ("duplicate_in_xero", "near_match"), ("archived_twin",)]
)
def test_problems_a_person_must_settle_get_no_suggestion(problems):
    c = conflict("x1", "Kauri Builders", [cand(3, "kauri builders", "case")], problems[0])
    c = conflict("x1", "Kauri Builders", c.candidates, problems[0], problems=problems)
    assert suggestion(c) is None


def test_two_same_name_candidates_an_archived_one_or_a_taken_one_get_no_suggestion():
    two = [cand(3, "Kauri Builders Ltd", "legal_suffix"), cand(4, "KAURI BUILDERS", "case")]
    assert suggestion(conflict("x1", "Kauri Builders", two)) is None
    archived = [cand(3, "kauri builders", "case", archived=True)]
    assert suggestion(conflict("x1", "Kauri Builders", archived)) is None
    taken = [cand(3, "kauri builders", "case", linked_xero_id="someone-else")]
    assert suggestion(conflict("x1", "Kauri Builders", taken)) is None
    # one same name among similar ones: the same name is suggested
    mixed = [cand(3, "Kauri Builders Ltd", "legal_suffix"), cand(4, "Kauri Build Co", "similar")]
    assert suggestion(conflict("x1", "Kauri Builders", mixed)) == Suggestion("link", 3)


def test_suggestions_follow_real_matching_output():
    result = match_named(
        "item",
        [("a", "Kettle & Crumb Ltd"), ("b", "Chip Davis Plumbing"), ("c", "Totara Tiles")],
        [(1, "Kettle and Crumb", True), (2, "Chippy Davis Plumbing", True)],
    )
    by_id = {c.xero_id: c for c in result.conflicts}
    assert suggestion(by_id["a"]) == Suggestion("link", 1)
    assert suggestion(by_id["b"]) is None


# -- marked differences -----------------------------------------------------------------------------


def test_name_diff_marks_only_what_differs():
    assert name_diff("Bondi Cafe Pty Ltd", "Bondi Cafe") == (
        [("Bondi Cafe", False), (" Pty Ltd", True)],
        [("Bondi Cafe", False)],
    )
    left, right = name_diff("Chip Davis", "Chippy Davis")
    assert left == [("Chip Davis", False)]
    assert right == [("Chip", False), ("py", True), (" Davis", False)]
    left, right = name_diff("Café", "Cafe")
    assert left == [("Caf", False), ("é", True)] and right == [("Caf", False), ("e", True)]
    assert name_diff("Same", "Same") == ([("Same", False)], [("Same", False)])
    assert name_diff("", "New") == ([], [("New", True)])


def test_name_diff_runs_rebuild_both_names():
    a, b = "St. George's & Sons (NZ) Ltd", "St Georges and Sons NZ"
    left, right = name_diff(a, b)
    assert "".join(t for t, _ in left) == a and "".join(t for t, _ in right) == b


# -- accepting the suggestions: one undo step --------------------------------------------------------


def test_accept_suggestions_links_and_creates_in_one_undo_step(conn):
    conflicts = [
        conflict("x1", "Kettle & Crumb", [cand(1, "Kettle and Crumb", "ampersand")]),
        conflict("x2", "Totara Tiles", []),
        conflict("x3", "Chip Davis Plumbing", [cand(2, "Chippy Davis Plumbing")]),
        # two Xero records suggested the same QuickBooks Time record: a person decides
        conflict("x4", "Rimu Roofing", [cand(3, "rimu roofing", "case")]),
        conflict("x5", "Rimu Roofing Ltd", [cand(3, "rimu roofing", "legal_suffix")]),
    ]
    rows = review_rows(conn, conflicts)
    assert suggestions_waiting(rows) == 2
    assert accept_suggestions(conn, conflicts) == 2
    saved = {d.xero_id: (d.action, d.target_qbt_id) for d in Decision.select()}
    assert saved == {"x1": ("link", 1), "x2": ("create", None)}
    assert suggestions_waiting(review_rows(conn, conflicts)) == 0
    assert undo_last(conn)
    assert Decision.select().count() == 0


def test_a_decision_of_the_person_is_kept_and_its_target_not_suggested_again(conn):
    conflicts = [
        conflict("x1", "Kettle & Crumb", [cand(1, "Kettle and Crumb", "ampersand")]),
        conflict("x2", "Kettle and Crumb Ltd", [cand(1, "Kettle and Crumb", "legal_suffix")]),
        conflict("x3", "Totara Tiles", []),
    ]
    decide(conn, conflicts[2], "skip")
    decide(conn, conflicts[0], "later")  # "Ask me next time" still takes a suggestion
    rows = review_rows(conn, conflicts)
    assert suggestions_waiting(rows) == 0  # record 1 is wanted twice
    decide(conn, conflicts[1], "link", target_qbt_id=1)
    rows = review_rows(conn, conflicts)
    assert suggestions_waiting(rows) == 0  # record 1 is taken now
    assert accept_suggestions(conn, conflicts) == 0
    assert {d.xero_id: d.action for d in Decision.select()} == {
        "x1": "later",
        "x2": "link",
        "x3": "skip",
    }


# -- side by side -----------------------------------------------------------------------------------


def test_record_facts_reads_email_phone_and_address_from_the_snapshot():
    street = Address("12 Kauri Street", "", "Whangārei", "Northland", "0110", "New Zealand")
    contact = XeroContact(
        "c1",
        "Kettle & Crumb",
        "ACTIVE",
        True,
        False,
        email=" hello@kettle.example ",
        street=street,
        raw={
            "Phones": [
                {"PhoneType": "FAX", "PhoneNumber": "999"},
                {"PhoneType": "DEFAULT", "PhoneNumber": "", "PhoneAreaCode": ""},
                {
                    "PhoneType": "MOBILE",
                    "PhoneNumber": "555 0101",
                    "PhoneAreaCode": "021",
                    "PhoneCountryCode": "64",
                },
            ]
        },
    )
    employee = XeroEmployee(
        "e1",
        "Aroha",
        "Ngata",
        "aroha@x.example",
        True,
        raw={
            "Mobile": "021 555 0102",
            "HomeAddress": {"AddressLine1": "3 Rata Rd", "City": "Napier"},
        },
    )
    user = QBTUser(7, "Aroha", "Ngata", "aroha", "a@x", True, raw={"mobile_number": "0215550103"})
    job = QBTJobcode(9, 0, "Kettle and Crumb", "regular", True)
    place = QBTLocation(4, Address("1 Beach Rd", city="Napier"), True, jobcode_ids=(9,))
    snap = Snapshot(
        version="t",
        contacts=[contact],
        employees=[employee],
        users=[user],
        jobcodes=[job],
        locations=[place],
    )
    xero, qbt = record_facts(snap)
    assert xero[("customer", "c1")] == RecordFacts(
        "hello@kettle.example",
        "+64 021 555 0101",
        "12 Kauri Street, Whangārei Northland 0110, New Zealand",
    )
    assert xero[("employee", "e1")] == RecordFacts(
        "aroha@x.example", "021 555 0102", "3 Rata Rd, Napier"
    )
    assert qbt[("employee", 7)] == RecordFacts("a@x", "0215550103", "")
    assert qbt[("customer", 9)] == RecordFacts(address="1 Beach Rd, Napier")
    assert address_text(None) == "" and address_text(Address()) == ""


def test_suggestions_worked_out_by_the_loader_count_the_same_without_comparing_again(
    conn, monkeypatch
):
    """The review's loader (a worker, or the engine's process) works out each conflict's
    suggestion once; the count on the button then compares no name on the window's thread."""
    import core.engine.review.decisions as decisions

    conflicts = [
        conflict("x1", "Kettle & Crumb", [cand(1, "Kettle and Crumb", "ampersand")]),
        conflict("x2", "Totara Tiles", []),
        conflict("x4", "Rimu Roofing", [cand(3, "rimu roofing", "case")]),
        conflict("x5", "Rimu Roofing Ltd", [cand(3, "rimu roofing", "legal_suffix")]),
    ]
    rows = review_rows(conn, conflicts)
    known = {(c.kind, c.xero_id): suggestion(c) for c in conflicts}
    assert suggestions_waiting(rows) == 2

    def no_comparing(_conflict):
        raise AssertionError("compared again")

    monkeypatch.setattr(decisions, "suggestion", no_comparing)
    assert suggestions_waiting(rows, known) == 2
    with pytest.raises(AssertionError):
        suggestions_waiting(rows)  # without them: compared here
