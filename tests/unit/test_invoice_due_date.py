"""A new invoice's due date follows Xero's sales payment terms: the contact's, else the
organisation's (``PaymentTerms.Sales``: ``Day`` and ``Type``, spec PaymentTermType). Without
one, a draft made through the API had none, and each had to be given one by hand before it
could be approved."""

from __future__ import annotations

from datetime import date

import pytest

from core.engine.invoicing import due_date, terms_of


@pytest.mark.parametrize(
    ("invoice_date", "terms", "due"),
    [
        (date(2026, 12, 6), (14, "DAYSAFTERBILLDATE"), date(2026, 12, 20)),
        (date(2026, 12, 6), (0, "DAYSAFTERBILLDATE"), date(2026, 12, 6)),
        (date(2026, 11, 6), (10, "DAYSAFTERBILLMONTH"), date(2026, 12, 10)),
        (date(2026, 12, 6), (20, "OFCURRENTMONTH"), date(2026, 12, 20)),
        (date(2026, 12, 6), (20, "OFFOLLOWINGMONTH"), date(2027, 1, 20)),
        (date(2027, 1, 31), (31, "OFFOLLOWINGMONTH"), date(2027, 2, 28)),  # a shorter month
        (date(2026, 2, 10), (31, "OFCURRENTMONTH"), date(2026, 2, 28)),
        (date(2026, 12, 6), None, None),
    ],
)
def test_due_date_per_terms(invoice_date, terms, due):
    assert due_date(invoice_date, terms) == due


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ({"Sales": {"Day": 7, "Type": "DAYSAFTERBILLDATE"}}, (7, "DAYSAFTERBILLDATE")),
        ({"Bills": {"Day": 30, "Type": "DAYSAFTERBILLDATE"}}, None),  # purchase terms only
        ({"Sales": {"Day": "7", "Type": "DAYSAFTERBILLDATE"}}, None),
        ({"Sales": {"Day": 7, "Type": "SOMEDAY"}}, None),
        ({"Sales": {"Day": -1, "Type": "OFCURRENTMONTH"}}, None),
        (None, None),
        ("14 days", None),
    ],
)
def test_terms_as_xero_gives_them(raw, terms):
    assert terms_of(raw) == terms
