"""The send-hours preview says what an update of our draft replaces: the hours it holds in
Xero now, beside the new ones — also when every shift was deleted in QuickBooks Time and the
draft is emptied (0.00 hours, nothing per day), in English and in French. On the Demo
Company's AU organisation (wizard/pages/payroll_preview.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.app.payroll import export_hours, preview_hours
from tests.e2e.test_payroll_export import AU_WEEK1, remove_everything, shifted
from wizard.i18n import install_language
from wizard.pages.payroll_preview import PayrollPreviewPage
from wizard.state import PageId, WizardState

from .test_payroll_pages import _imported

WORDS = {
    "en": ("Our draft timesheet updated\n(in Xero now: {h} h)", "0.00"),
    "fr": (
        "Notre brouillon mis à jour\n(dans Xero actuellement\u00a0: {h} h)",
        "0,00",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_emptied_draft_shows_the_hours_xero_holds_now(connected_env, host, qtbot, language):
    ctx, box, _t, conn = connected_env
    _imported(ctx, conn)
    start = shifted(box.store, AU_WEEK1)
    sent = export_hours(ctx, conn, period=start)
    olivia = next(p for p in sent.preview.people if p.name == "Olivia Brown")
    held = olivia.regular_hours
    assert held > 30
    remove_everything(box.store, "Olivia Brown", start, start + timedelta(days=6))
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    state.payroll_preview = preview_hours(ctx, conn, start)
    assert install_language(language)
    try:
        wiz = host(state, {PageId.PAYROLL_PREVIEW: PayrollPreviewPage})
        page = wiz.page(int(PageId.PAYROLL_PREVIEW))
        qtbot.waitUntil(lambda: page.table.rowCount() > 1, timeout=10000)
        rows = {page.table.item(r, 0).text(): r for r in range(page.table.rowCount() - 1)}
        row = rows["Olivia Brown"]
        said, zero = WORDS[language]
        number = f"{held:.2f}" if language == "en" else f"{held:.2f}".replace(".", ",")
        assert page.table.item(row, 3).text() == said.format(h=number)
        assert page.table.item(row, 1).text() == "—"  # nothing per day any more
        assert page.table.item(row, 2).text() == zero
        # the headline counts it as an update; others not updated say nothing of Xero's hours
        assert page.counts()["update"] == 1
        others = [page.table.item(r, 3).text() for n, r in rows.items() if n != "Olivia Brown"]
        assert not any("\n" in text for text in others)
    finally:
        install_language("en")


KEPT = {
    "en": "Already in Xero, unchanged\n(2.00 h added in Xero, kept)",
    "fr": "(2,00 h ajoutées dans Xero, gardées)",
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_line_added_in_xero_is_shown_kept(connected_env, host, qtbot, language):
    """A line the payroll officer added to our draft in Xero (overtime) is said to be kept:
    the send leaves it as it is (tests/e2e/test_payroll_lines_kept.py)."""
    ctx, box, _t, conn = connected_env
    _imported(ctx, conn)
    start = shifted(box.store, AU_WEEK1)
    sent = export_hours(ctx, conn, period=start)
    olivia = next(p for p in sent.preview.people if p.name == "Olivia Brown")
    payroll = next(
        o["payroll"] for o in box.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id
    )
    sheet = next(t for t in payroll["Timesheets"] if t["TimesheetID"].lower() == olivia.xero_id)
    overtime = next(r for r in payroll["EarningsRates"] if "Overtime" in r["Name"])
    sheet["TimesheetLines"].append(
        {"EarningsRateID": overtime["EarningsRateID"], "NumberOfUnits": [0, 0, 2.0, 0, 0, 0, 0]}
    )
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    state.payroll_preview = preview_hours(ctx, conn, start)
    assert install_language(language)
    try:
        wiz = host(state, {PageId.PAYROLL_PREVIEW: PayrollPreviewPage})
        page = wiz.page(int(PageId.PAYROLL_PREVIEW))
        qtbot.waitUntil(lambda: page.table.rowCount() > 1, timeout=10000)
        rows = {page.table.item(r, 0).text(): r for r in range(page.table.rowCount() - 1)}
        said = page.table.item(rows["Olivia Brown"], 3).text()
        assert said.endswith(KEPT[language])
    finally:
        install_language("en")
