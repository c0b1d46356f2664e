"""The preview's and the done page's counts read right for 1 and for many, in English and in
French (no "1 élément non importés"), and tracking options are named as the choices of a
custom field they are, not as items."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from core.engine.matching import Conflict
from core.engine.plan import Action, ImportPlan, Skipped
from core.engine.report import change_counts
from wizard.i18n import install_language
from wizard.pages.done import DonePage
from wizard.pages.preview import PreviewPage
from wizard.words import entity_words, kind_name, kind_one


@pytest.fixture
def french(qapp):
    install_language("fr")
    yield
    install_language("en")


def _tr(context):
    return lambda text, *_: QCoreApplication.translate(context, text)


def _plan(waiting: int, skipped: int) -> ImportPlan:
    plan = ImportPlan()
    plan.actions.append(
        Action("customer:c1", "customers", "create", "jobcode", "customers", "New", "c1")
    )
    for n in range(waiting):
        plan.conflicts.append(Conflict("customer", f"w{n}", f"W{n}", "similar_name", (), f"f{n}"))
    for n in range(skipped):
        plan.skipped.append(Skipped("customer", f"s{n}", f"S{n}", "waiting"))
    return plan


def _preview_words(plan: ImportPlan) -> tuple[str, str]:
    """(the banner, the headline) the preview shows for ``plan``."""
    shown: list[str] = []
    page = SimpleNamespace(
        tr=_tr("PreviewPage"),
        plan=plan,
        loaded=True,
        failed=False,
        empty_heading=QLabel(),
        empty_text=QLabel(),
        counts_model=SimpleNamespace(change_counts=lambda: change_counts(plan)),
        model=SimpleNamespace(names_of=lambda op: []),
        banner=SimpleNamespace(
            show_message=lambda text, *a, **k: shown.append(text), clear=lambda: None
        ),
        counts_label=QLabel(),
        estimate=None,
        estimate_label=QLabel(),
    )
    page.headline_text = lambda counts: PreviewPage.headline_text(page, counts)
    PreviewPage._explain(page)
    return (shown[-1] if shown else ""), page.counts_label.text()


def _done_words(waiting: int) -> str:
    page = SimpleNamespace(
        tr=_tr("DonePage"),
        waiting_count=lambda: waiting,
        _undone=None,
        _run=lambda: None,
        waiting=QLabel(),
        review_button=QLabel(),
        next_steps=QLabel(),
    )
    DonePage._fill_waiting(page)
    return page.waiting.text()


def test_one_and_many_read_right_in_french(french):
    banner, headline = _preview_words(_plan(1, 1))
    assert banner == "1 élément attend votre décision\u00a0: non importé cette fois."
    assert headline.endswith("; 1 élément non importé.")
    banner, headline = _preview_words(_plan(3, 4))
    assert banner == "3 éléments attendent votre décision\u00a0: non importés cette fois."
    assert headline.endswith("; 4 éléments non importés.")
    assert _done_words(1).startswith(
        "1 élément attend votre décision\u00a0: il n’a pas été importé."
    )
    assert _done_words(2).startswith(
        "2 éléments attendent votre décision\u00a0: ils n’ont pas été importés."
    )


def test_one_and_many_read_right_in_english(qapp):
    install_language("en")
    banner, headline = _preview_words(_plan(1, 1))
    assert banner == "1 record needs your decision: not imported this time."
    assert headline.endswith("; 1 record not imported.")
    assert _done_words(1).startswith("1 record needs your decision: it was not imported.")
    assert _done_words(5).startswith("5 records need your decision: they were not imported.")


def test_tracking_options_are_named_as_custom_field_items(french):
    assert kind_name("custom_field_items") == "Choix de champs personnalisés"
    assert kind_one("custom_field_items") == "Choix de champ personnalisé"
    assert entity_words("tracking_option") == "Choix de champ personnalisé"
    assert entity_words("item") == kind_one("items") == "Article"
    # the report's kind column names a tracking option's row the same way
    assert DonePage.report_words(SimpleNamespace())["tracking_option"] == (
        "Choix de champ personnalisé"
    )
