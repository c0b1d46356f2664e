"""Send hours: hours tagged with a tracking value no Xero option is linked to are listed on
the window's problems page (with the hours, that they are sent without that category, and
what to do), in English and in French; the person's hours are still in the preview."""

from __future__ import annotations

from core.app.payroll import preview_hours
from core.app.sync import sync
from tests.e2e.test_payroll_unknown_tracking_value import _hunter_valley_shift, _said
from wizard.i18n import install_language
from wizard.pages.payroll_problems import PayrollProblemsPage
from wizard.state import PageId, WizardState


def test_the_problems_page_lists_the_value_and_its_hours(connected_env, host, qtbot):
    ctx, _box, _tenants, conn = connected_env
    sync(ctx, conn)
    start, _end, shift = _hunter_valley_shift(ctx)
    hours = shift["duration"] / 3600
    preview = preview_hours(ctx, conn, start)
    assert next(p for p in preview.people if p.name == "Olivia Brown").action == "create"
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    state.payroll_preview = preview
    wizard = host(state, {PageId.PAYROLL_PROBLEMS: PayrollProblemsPage})
    page = wizard.pages[PageId.PAYROLL_PROBLEMS]
    page.initializePage()
    rows = [
        (page.table.item(r, 0).text(), page.table.item(r, 1).text())
        for r in range(page.table.rowCount())
    ]
    assert ("Olivia Brown", _said(hours)) in rows

    assert install_language("fr")
    french = preview_hours(ctx, conn, start)  # (the words of the preview's language)
    state.payroll_preview = french
    page.initializePage()
    whys = [page.table.item(r, 1).text() for r in range(page.table.rowCount())]
    assert _said(hours, "fr") in whys
    assert "\u00a0h de travail n’est liée à aucune option" in _said(hours, "fr")
