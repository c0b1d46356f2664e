"""The billing and payroll previews of a large business fill from the event loop, a slice at a
time: the window answers between two (thousands of customers held it ~400 ms); every row is
there in the end, once, as before, and a fill started again (the language changed) replaces
the one still coming."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from core.engine.invoicing import PlannedInvoice, PlannedLine
from wizard.i18n import install_language
from wizard.pages.billing_preview import CUSTOMER, BillingPreviewPage
from wizard.pages.payroll_preview import PayrollPreviewPage, PersonLine
from wizard.state import PageId, WizardState

N = 3000


def _billing(n: int) -> SimpleNamespace:
    invoices = [
        PlannedInvoice(
            f"c{i}",
            f"Client {i:05d} Grounds Pty Ltd",
            "AUD",
            "QB Time 1-30 Nov 2026",
            "create",
            [PlannedLine(f"k{i}", f"Garden care {i}", 2.5, 80.0, "job")],
        )
        for i in range(n)
    ]
    problems = [(f"Worker {i}", "Not approved yet: approve, then bill again.") for i in range(n)]
    return SimpleNamespace(invoices=invoices, problems=problems, language="en")


def test_the_billing_preview_fills_in_slices(demo_env, host, qtbot):
    ctx, _box, _tenants = demo_env
    install_language("en")
    state = WizardState(ctx, country="AU")
    state.billing_preview = _billing(N)
    wizard = host(state, {PageId.BILL_PREVIEW: BillingPreviewPage})
    page = wizard.pages[PageId.BILL_PREVIEW]
    # shown at once with a first slice; the rest comes while the window answers
    assert page.tree.topLevelItemCount() < N
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == N, timeout=20000)
    assert page.problems.item(N - 1, 0).text() == f"Worker {N - 1}"
    last = page.tree.topLevelItem(N - 1)
    assert last.text(CUSTOMER).startswith(f"Client {N - 1:05d} Grounds Pty Ltd — ")
    assert last.toolTip(CUSTOMER) == last.text(CUSTOMER)
    assert last.isExpanded() and last.child(0).text(CUSTOMER) == f"Garden care {N - 1}"
    # a fill started again (another language) replaces the one still coming: never twice
    install_language("fr")
    page.retranslate()
    assert page.tree.topLevelItemCount() < N
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == N, timeout=20000)
    qtbot.wait(50)
    assert page.tree.topLevelItemCount() == N
    assert page.tree.accessibleName() == "Factures et leurs lignes"
    install_language("en")


def test_the_payroll_preview_fills_in_slices(demo_env, host, qtbot):
    ctx, _box, _tenants = demo_env
    install_language("en")
    state = WizardState(ctx, country="AU")
    wizard = host(state, {PageId.PAYROLL_PREVIEW: PayrollPreviewPage})
    page = wizard.pages[PageId.PAYROLL_PREVIEW]
    day = date(2026, 11, 2)
    page._lines = [
        PersonLine(f"Worker Number {i:05d}", [(day, 7.5)], [], 7.5, 0.0, "create", [])
        for i in range(N)
    ]
    page._fill()
    assert page.table.item(N, 0) is None  # the total row comes with the last slice
    qtbot.waitUntil(lambda: page.table.item(N, 0) is not None, timeout=20000)
    assert page.table.rowCount() == N + 1
    assert page.table.item(N - 1, 0).text() == f"Worker Number {N - 1:05d}"
    assert page.table.item(N, 0).text() == "Total for the period"
    assert page.table.item(N, 2).text() == page.table.item(N, 2).text().strip()
