"""Issue 16: the preview says, before the import starts, how many calls it makes to
QuickBooks Time (and, past 300, how long QuickBooks Time's limit makes it take), the same
figures as core.app.estimate and as the import then makes, in English and in French."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QWizard

from core.app.estimate import describe, estimate_for
from core.app.sync import current_plan, load_options
from core.services.http import RequestCounter
from wizard.i18n import install_language
from wizard.pages.done import DonePage
from wizard.pages.preview import PreviewPage
from wizard.pages.run import RunPage
from wizard.state import PageId, WizardState

WAIT = 15000


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_preview_says_the_calls_the_import_then_makes(connected_env, host, qtbot, language):
    install_language(language)
    try:
        _check(connected_env, host, qtbot, language)
    finally:
        install_language("en")


def _check(connected_env, host, qtbot, language):
    ctx, _box, _t, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id, options=load_options(conn))
    wiz = host(state, {PageId.PREVIEW: PreviewPage, PageId.IMPORT: RunPage, PageId.DONE: DonePage})
    page = wiz.pages[PageId.PREVIEW]
    qtbot.waitUntil(lambda: not page.busy and page.loaded, timeout=WAIT)

    snap, plan = current_plan(conn, load_options(conn))
    expected = estimate_for(ctx, conn, snap, plan)
    shown = page.estimate_label.text()
    assert page.estimate_label.isVisibleTo(page) and shown == describe(expected, language)
    word = "calls to QuickBooks Time" if language == "en" else "appels à QuickBooks Time"
    assert word in shown
    said = int(re.search(r"(\d+) (calls|appels)", shown).group(1))

    ctx.counter = RequestCounter()
    wiz.button(QWizard.WizardButton.CommitButton).click()  # Start import
    run = wiz.pages[PageId.IMPORT]
    assert wiz.currentPage() is run
    qtbot.waitUntil(lambda: not run.busy and run.isComplete(), timeout=WAIT * 4)
    made = ctx.counter.snapshot()["services"]["QuickBooks Time"]["by_method"]
    writes = sum(n for m, n in made.items() if m != "GET")
    assert writes == sum(expected.qbtime_writes.values())
    assert said - 1 <= sum(made.values()) <= said, (made, shown)  # (see test_estimate)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_preview_counts_the_calls_made_before_a_restart(connected_env, host, qtbot, language):
    """An earlier process (the wizard closed and opened again) made 290 calls a minute ago:
    the preview says the import waits for QuickBooks Time's limit, and how long."""
    import math

    from core.app.qbt_window import PREFIX
    from core.store.models import Setting

    ctx, _box, _t, conn = connected_env
    at = ctx.clock() - 60
    Setting.set_value(f"{PREFIX}{conn.id}:earlier", {"at": at, "sent": [[math.ceil(at), 290]]})
    install_language(language)
    try:
        state = WizardState(ctx, country="AU", connection_id=conn.id, options=load_options(conn))
        wiz = host(state, {PageId.PREVIEW: PreviewPage})
        page = wiz.pages[PageId.PREVIEW]
        qtbot.waitUntil(lambda: not page.busy and page.loaded, timeout=WAIT)
        shown = page.estimate_label.text()
        assert page.estimate_label.isVisibleTo(page)
        assert page.estimate.qbtime_used_in_window >= 290 and page.estimate.qbtime_wait_s > 0
        if language == "en":
            assert "which accepts 300 every 5 minutes" in shown
            assert re.search(r"This app made \d+ calls to QuickBooks Time in the last 5 min", shown)
            assert re.search(r"waits about \d minutes in all", shown)
        else:
            assert "qui en accepte 300 toutes les 5 minutes" in shown
            assert re.search(r"Cette application a fait \d+ appels", shown)
            assert re.search(r"attendra environ \d minutes en tout", shown)
    finally:
        install_language("en")
