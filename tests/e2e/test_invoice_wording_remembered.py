"""The language of a business's invoice lines is remembered once drafts are sent in it, even
when nobody chose it: a scheduled English run, then the bookkeeper billing from a French
system, wrote the same business's new drafts in French ("remembered for this business once
sent", said `bill-time --help`, was true only of a language given with --invoice-language)."""

from __future__ import annotations

from core.app.invoicing import bill_time, chosen_wording
from core.i18n import current_language, set_language
from tests.e2e.test_invoicing import hours_range, ready


def test_the_language_first_sent_stays_the_business_s(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    assert chosen_wording(conn) is None
    first = bill_time(ctx, conn, start=start, end=end)  # the app in English: proposed English
    assert first.as_json()["invoice_language"] == "en"
    assert chosen_wording(conn) == "en"
    before = current_language()
    set_language("fr")
    try:
        later = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    finally:
        set_language(before)
    assert later.as_json()["invoice_language"] == "en"


def test_a_dry_run_remembers_nothing(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    bill_time(ctx, conn, start=start, end=end, dry_run=True)
    assert chosen_wording(conn) is None
