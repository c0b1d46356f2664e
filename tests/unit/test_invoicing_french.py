"""Hours in the billing's French sentences take a decimal comma ("4,50 heures")."""

from __future__ import annotations

from datetime import date

from core.engine.invoicing import InvoicingInput, Job, Person, Timesheet, plan_invoices


def test_unbilled_hours_of_an_unlinked_customer_read_with_a_decimal_comma_in_french():
    inp = InvoicingInput(
        start=date(2026, 11, 30),
        end=date(2026, 12, 6),
        timesheets=[Timesheet(1, 7, 10, "2026-12-01", 16200)],  # 4.5 hours
        jobs={10: Job(10, 0, "Chippy Davis Real Estate", True, 80.0)},
        people={7: Person(7, "Olivia Brown", "2026-12-31")},
        customers={},  # not linked to a Xero contact
    )
    plan = plan_invoices(inp)
    (problem,) = plan.problems
    assert "4,50" in problem.reason("fr") and "4.50" not in problem.reason("fr")
    assert "4.50" in problem.reason("en")
