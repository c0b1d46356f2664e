"""The language of invoice lines: English and French wording (dates by each language's rules),
the default proposed for a business, and a change of language that never makes a draft of
ours look changed unless it is sent anyway (then all our lines are in the language chosen)."""

from __future__ import annotations

from datetime import date

import pytest

from core.engine import invoicing as engine
from core.engine.invoice_wording import (
    dates_text,
    default_language,
    in_quebec,
    line_text,
    range_text,
)
from tests.unit.test_invoicing_draft_lines import World

NB = "\u00a0"


@pytest.mark.parametrize(
    ("days", "en", "fr"),
    [
        (["2026-11-03"], "2026-11-03", "3 novembre 2026"),
        (["2026-11-01"], "2026-11-01", "1er novembre 2026"),
        (
            ["2026-11-07", "2026-11-03", "2026-11-05", "2026-11-05"],
            "2026-11-03, 2026-11-05 and 2026-11-07",
            "3, 5 et 7 novembre 2026",
        ),
        (
            ["2026-10-30", "2026-11-02"],
            "2026-10-30 and 2026-11-02",
            "30 octobre et 2 novembre 2026",
        ),
        (
            ["2026-12-31", "2027-01-02"],
            "2026-12-31 and 2027-01-02",
            "31 décembre 2026 et 2 janvier 2027",
        ),
        (
            [f"2026-11-{d:02d}" for d in range(3, 11)],
            "8 days, 2026-11-03 to 2026-11-10",
            "8 jours, du 3 au 10 novembre 2026",
        ),
        (
            ["2026-10-28", "2026-10-29", "2026-11-02", "2026-11-04"],
            "4 days, 2026-10-28 to 2026-11-04",
            "4 jours, du 28 octobre au 4 novembre 2026",
        ),
        (
            ["2026-12-28", "2026-12-29", "2027-01-01", "2027-01-04"],
            "4 days, 2026-12-28 to 2027-01-04",
            "4 jours, du 28 décembre 2026 au 4 janvier 2027",
        ),
        ([], "", ""),
    ],
)
def test_the_days_of_a_line_in_each_language(days, en, fr):
    assert dates_text(days, "en") == en
    assert dates_text(days, "fr") == fr


def test_the_reference_names_the_range_in_each_language():
    nov = (date(2026, 11, 3), date(2026, 11, 10))
    assert engine.reference_for(*nov) == "QB Time 2026-11-03 to 2026-11-10"
    assert engine.reference_for(*nov, 2, "fr") == "QB Time du 3 au 10 novembre 2026 (2)"
    assert range_text(date(2026, 11, 1), date(2026, 11, 1), "fr") == "le 1er novembre 2026"
    assert (
        range_text(date(2026, 10, 27), date(2026, 11, 2), "fr")
        == "du 27 octobre au 2 novembre 2026"
    )
    assert (
        range_text(date(2026, 12, 28), date(2027, 1, 3), "fr")
        == "du 28 décembre 2026 au 3 janvier 2027"
    )


def test_a_whole_line_in_each_language():
    days = [f"2026-11-{d:02d}" for d in range(3, 11)]
    kw = {"job_name": "Taille", "people": ["Zoé Roy", "Luc Fortin", "Zoé Roy"], "unapproved": True}
    assert line_text("Déneigement", days, "en", **kw) == (
        "Déneigement (Taille): 8 days, 2026-11-03 to 2026-11-10 - Luc Fortin, Zoé Roy "
        "(not approved yet)"
    )
    assert line_text("Déneigement", days, "fr", **kw) == (
        f"Déneigement (Taille){NB}: 8 jours, du 3 au 10 novembre 2026 - Luc Fortin, Zoé Roy "
        "(pas encore approuvées)"
    )


def test_the_language_proposed_for_a_business():
    assert in_quebec("CA", ["QC"]) and in_quebec("ca", ["", "Québec"])
    assert not in_quebec("CA", ["ON"]) and not in_quebec("AU", ["QC"])
    assert default_language("CA", ["Québec"], "en") == "fr"
    assert default_language("CA", ["ON"], "en") == "en"
    assert default_language("AU", ["NSW"], "fr") == "fr"
    assert default_language("AU", ["NSW"], "en") == "en"


class Worded(World):
    """The draft-lines world, its lines worded in ``language``."""

    language = "en"

    def plan(self) -> engine.InvoicingPlan:
        drafts = {i: self.xero.current() for i in self.invoices}
        return engine.plan_invoices(
            engine.InvoicingInput(
                date(2026, 11, 30),
                date(2026, 12, 6),
                list(self.sheets),
                {
                    10: engine.Job(10, 0, "Garden care", True, 80.0),
                    11: engine.Job(11, 10, "Pruning", True),
                },
                {7: engine.Person(7, "Olivia Brown", "2026-12-31")},
                {10: engine.Customer("c-1", "Chippy Davis")},
                billed=list(self.billed),
                invoices=dict(self.invoices),
                draft_lines=drafts,
                our_lines=dict(self.ours),
                language=self.language,
            )
        )


def sent_in_english() -> Worded:
    world = Worded()
    world.hours(1, 10, "2026-12-01", 5)
    world.hours(2, 11, "2026-12-02", 2)
    world.hours(3, 11, "2026-12-04", 1)
    plan = world.plan()
    (inv,) = plan.invoices
    assert [x.description for x in inv.lines] == [
        "Garden care: 2026-12-01",
        "Pruning: 2026-12-02 and 2026-12-04",
    ]
    world.send(plan)
    return world


def test_the_lines_are_worded_in_the_language_chosen():
    world = Worded()
    world.language = "fr"
    world.hours(1, 10, "2026-12-01", 5)
    world.hours(2, 11, "2026-12-02", 2)
    world.hours(3, 11, "2026-12-04", 1)
    (inv,) = world.plan().invoices
    assert [line["Description"] for line in inv.line_items()[0]] == [
        f"Garden care{NB}: 1er décembre 2026",
        f"Pruning{NB}: 2 et 4 décembre 2026",
    ]


def test_choosing_another_language_leaves_an_unchanged_draft_unchanged():
    world = sent_in_english()
    world.language = "fr"
    plan = world.plan()
    (inv,) = plan.invoices
    assert inv.action == "unchanged"  # the draft of the range, made under its English Reference
    assert plan.is_empty and inv.reference == "QB Time 2026-11-30 to 2026-12-06"
    # the preview says what Xero holds: the lines as they were sent
    assert [line.change for line in inv.lines] == ["same", "same"]
    assert [line.description for line in inv.lines] == [x["Description"] for x in world.xero.lines]


def test_a_draft_sent_anyway_gets_all_our_lines_in_the_language_chosen():
    world = sent_in_english()
    theirs = world.bookkeeper_adds("Materials", 1, 120)
    ids = [x["LineItemID"] for x in world.xero.lines]
    world.language = "fr"
    world.hours(4, 10, "2026-12-03", 1.5)  # new hours on Garden care: the draft is sent
    plan = world.plan()
    (inv,) = plan.invoices
    assert inv.action == "update"
    assert [(line.change, line.description) for line in inv.lines] == [
        ("updated", f"Garden care{NB}: 1er et 3 décembre 2026"),
        ("updated", f"Pruning{NB}: 2 et 4 décembre 2026"),  # only its wording changes
    ]
    world.send(plan)
    assert [x["LineItemID"] for x in world.xero.lines] == ids  # updated in place, theirs kept
    assert world.xero.lines[2]["LineItemID"] == theirs
    assert world.xero.lines[2]["Description"] == "Materials"
    # and back in English, nothing else changed: nothing to send
    world.language = "en"
    assert world.plan().is_empty


def test_a_line_of_ours_changed_in_xero_is_still_theirs_in_any_language():
    world = sent_in_english()
    world.xero.lines[1]["Description"] = "Pruning (hedges)"
    world.language = "fr"
    (inv,) = world.plan().invoices
    assert inv.action == "unchanged"
    assert [k.why for k in inv.kept] == ["edited"]


def test_an_older_draft_found_by_what_its_lines_say_in_either_language():
    """A draft billed before line ids were kept: our lines are found by their text as sent
    (in the language of that run), then the choice of another language changes nothing."""
    world = sent_in_english()
    world.ours = {
        i: [engine.OurLine(x.key, "", x.description, x.quantity, x.unit_amount) for x in lines]
        for i, lines in world.ours.items()
    }
    world.language = "fr"
    (inv,) = world.plan().invoices
    assert inv.action == "unchanged" and not inv.kept
    world.hours(4, 10, "2026-12-03", 1.5)
    (inv,) = world.plan().invoices
    assert inv.action == "update" and not inv.kept and not inv.removed
    assert {line.line_item_id for line in inv.lines} == {x["LineItemID"] for x in world.xero.lines}


def test_a_second_invoice_of_the_range_is_numbered_across_languages():
    """The range's English draft was approved in Xero: new hours go on a new draft, worded
    and referenced in French now, numbered after the first whatever its language."""
    world = sent_in_english()
    first = world.invoices["inv-1"]
    world.invoices["inv-1"] = engine.OurInvoice(
        first.invoice_id, first.contact_id, first.reference, "AUTHORISED"
    )
    world.language = "fr"
    world.hours(4, 10, "2026-12-03", 1.5)
    plan = world.plan()
    (new,) = plan.to_write
    assert new.action == "create"
    assert new.reference == "QB Time du 30 novembre au 6 décembre 2026 (2)"
    assert [line.description for line in new.lines] == [f"Garden care{NB}: 3 décembre 2026"]
