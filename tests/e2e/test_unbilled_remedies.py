"""What billing and payroll say about hours of a QuickBooks Time customer or team member not
linked to Xero is true for each: the review ("Review look-alike records") is named only for a
record it lists; a record with no Xero counterpart gets what to do in Xero instead. The
windows never name a terminal command; the French names the review as the wizard does."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from core.app.cli import Output, cmd_connect_xero
from core.app.invoicing import preview_invoices, turn_invoicing_on
from core.app.payroll import export_hours
from core.app.review_screen import load_review
from core.app.sync import sync
from core.engine import invoicing, payroll
from core.services.auth.xero_oauth import InvoicingScopesMissing, PayrollScopesMissing
from tests.e2e.test_invoicing import hours_range
from tests.e2e.test_payroll_export import AU_WEEK1, reasons, shifted

CATALOG = json.loads(
    (Path(__file__).resolve().parents[2] / "resources/i18n/core.fr.json").read_text("utf-8")
)
REVIEW_FR = "«\u00a0Vérifier les éléments qui se ressemblent\u00a0»"


def billing_problems(demo_ctx):
    ctx, conn = demo_ctx("AU")
    turn_invoicing_on()
    with open("/dev/null", "w") as quiet:
        cmd_connect_xero(ctx, Output(as_json=True, stream=quiet), None, None)
    sync(ctx, conn)
    start, end = hours_range(ctx)
    preview = preview_invoices(ctx, conn, start, end)
    return conn, dict(preview.problems), preview


def test_billing_names_the_review_only_for_customers_it_lists(demo_ctx):
    conn, problems, preview = billing_problems(demo_ctx)
    review = load_review(conn)
    listed = {
        c.name: conflict.xero_name
        for conflict in review.conflicts
        if conflict.kind == "customer"
        for c in conflict.candidates
    }
    unlinked = {who: why for who, why in problems.items() if "billable hours" in why}
    # the Demo Company has both kinds among the customers with hours
    assert "Chippy Davis Real Estate" in listed and "Henderson Residence (quote)" not in listed
    assert {"Chippy Davis Real Estate", "Henderson Residence (quote)"} <= set(unlinked)
    for who, why in unlinked.items():
        assert "import's review" not in why
        if who in listed:
            assert '"Review look-alike records"' in why
            assert f'the Xero contact "{listed[who]}"' in why
        else:  # UK customers too, shown while billing the Australian business
            assert "Review look-alike records" not in why
            assert "not linked to a Xero contact, and no Xero customer looks like it" in why
            assert "If not, nothing needs doing." in why
    # in French, each with the review's name as the wizard shows it
    fr = {p.who: p.reason("fr") for p in preview.plan.problems}
    assert REVIEW_FR in fr["Chippy Davis Real Estate"]
    assert "revue" not in fr["Chippy Davis Real Estate"]
    assert "Gérer les clients Xero…" in fr["Henderson Residence (quote)"]


def test_payroll_does_not_promise_the_review_to_someone_it_does_not_list(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    review = load_review(conn)
    listed = {c.name for conflict in review.conflicts for c in conflict.candidates}
    assert "Dave Kowalski" not in listed  # in QuickBooks Time only
    start = shifted(ctx.sandbox.store, AU_WEEK1)
    result = export_hours(ctx, conn, period=start + timedelta(days=3), dry_run=True)
    why = reasons(result, "Dave Kowalski")
    assert "not linked to a Xero employee" in why
    assert "link them in the review" not in why
    assert 'If "Review look-alike records" lists this team member, decide there; if not' in why
    assert "add them as an employee in Xero Payroll, then import again" in why


def test_the_french_names_the_review_as_the_wizard_does():
    for english in (payroll.NOT_LINKED, invoicing.NOT_LINKED_LOOK_ALIKE):
        french = CATALOG[english]
        assert REVIEW_FR in french and "revue" not in french


def test_sign_in_again_names_no_terminal_command():
    for error in (InvoicingScopesMissing(), PayrollScopesMissing()):
        for language in ("en", "fr"):
            text = error.user_message(language)
            assert "connect-xero" not in text
        assert 'Click "Connect to Xero"; your settings are kept.' in error.user_message("en")
        assert "Cliquez sur «\u00a0Se connecter à Xero\u00a0»" in error.user_message("fr")
