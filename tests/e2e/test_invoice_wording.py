"""The language of invoice lines on the Demo Company: the Québec organisation's drafts reach its
Xero worded in French (its business's default), Australia's in English; the choice is
remembered per business and used by the commands; choosing another language never makes a
draft already sent look changed, and a draft sent again gets all our lines in the new one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

import main
from core.app.invoicing import (
    _calls,
    bill_time,
    choose_wording,
    chosen_wording,
    preview_invoices,
    reword_preview,
    send_invoices,
)
from tests.e2e.test_invoicing import add_hours, add_quebec_hours, hours_range, org_of, ready
from tests.e2e.test_invoicing_draft_lines import a_job_line

FRENCH = re.compile(
    r"\u00a0: (\d+ jours, du |1er |\d+ )"
    r".*(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
    r" 20\d\d"
)
ENGLISH = re.compile(r"[^\u00a0]: (\d+ days, )?20\d\d-\d\d-\d\d")


def lines_in_xero(ctx, conn):
    return [
        x["Description"]
        for inv in org_of(ctx, conn).get("Invoices") or []
        if inv["Status"] == "DRAFT"
        for x in inv["LineItems"]
    ]


def test_the_quebec_organisation_bills_in_french_by_default(demo_ctx):
    ctx, conn = ready(demo_ctx, "CA")
    start, end = add_quebec_hours(ctx, conn)
    preview = preview_invoices(ctx, conn, start, end)
    assert (preview.language, preview.language_chosen) == ("fr", False)
    shown = [line.description for inv in preview.plan.to_write for line in inv.lines]
    result = send_invoices(ctx, conn, preview)
    assert result.counts["created"] > 0
    sent = lines_in_xero(ctx, conn)
    # the preview showed exactly the text Xero holds now, every line of it in French
    assert sorted(sent) == sorted(shown)
    assert sent and all(FRENCH.search(text) for text in sent), sent
    assert not any(" and " in t or " days" in t or " to 20" in t for t in sent)


def test_australia_bills_in_english_and_the_choice_is_remembered(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    out = bill_time(ctx, conn, start=start, end=end).as_json()
    assert out["invoice_language"] == "en" and out["invoices"]["created"] > 0
    sent = lines_in_xero(ctx, conn)
    assert sent and all(ENGLISH.search(text) for text in sent), sent
    assert chosen_wording(conn) == "en"  # proposed, then remembered once sent in it
    # The business chooses French: the drafts already sent are not changed by it.
    choose_wording(conn, "fr")
    again = bill_time(ctx, conn, start=start, end=end).as_json()
    assert again["invoice_language"] == "fr"
    assert again["invoices"]["updated"] == 0 and again["run_id"] is None
    assert lines_in_xero(ctx, conn) == sent


def test_choosing_another_language_changes_nothing_until_a_draft_is_sent_again(demo_ctx):
    ctx, conn = ready(demo_ctx, "CA")
    start, end = add_quebec_hours(ctx, conn)
    bill_time(ctx, conn, start=start, end=end)
    french = lines_in_xero(ctx, conn)
    # English now: an unchanged draft is not sent, and the preview shows Xero's text
    preview = preview_invoices(ctx, conn, start, end, language="en")
    assert preview.plan.is_empty
    shown = [line.description for inv in preview.invoices for line in inv.lines]
    assert sorted(shown) == sorted(french)
    assert {line.change for inv in preview.invoices for line in inv.lines} == {"same"}
    # new hours on one draft: that draft is sent, all our lines on it in English; the
    # other drafts are left as they are (in French)
    day = start + timedelta(days=1)
    inv, _line, job, user = a_job_line(ctx, conn, day)
    add_hours(ctx, user, job, day, 0.5)
    out = bill_time(ctx, conn, start=start, end=end, language="en").as_json()
    assert out["invoices"]["updated"] == 1
    assert chosen_wording(conn) == "en"  # sent with it: the business's choice from now
    now = {i["InvoiceID"]: i for i in org_of(ctx, conn)["Invoices"]}
    updated = [x["Description"] for x in now[inv["InvoiceID"]]["LineItems"]]
    assert updated and all(ENGLISH.search(t) for t in updated), updated
    others = [
        x["Description"]
        for i, held in now.items()
        if i != inv["InvoiceID"] and held["Status"] == "DRAFT"
        for x in held["LineItems"]
    ]
    assert others and all(FRENCH.search(t) for t in others), others
    # the line ids are kept: the same lines, reworded in place
    assert {x["LineItemID"] for x in inv["LineItems"]} <= {
        x["LineItemID"] for x in now[inv["InvoiceID"]]["LineItems"]
    }
    # and nothing left to send in either language
    for language in ("fr", "en"):
        assert preview_invoices(ctx, conn, start, end, language=language).plan.is_empty


def test_a_preview_worded_again_sends_what_it_shows(demo_ctx):
    ctx, conn = ready(demo_ctx, "CA")
    start, end = add_quebec_hours(ctx, conn)
    preview = preview_invoices(ctx, conn, start, end)
    calls = _calls(ctx)
    english = reword_preview(conn, preview, "en")
    assert _calls(ctx) == calls  # nothing read to word it again
    assert chosen_wording(conn) == "en" and english.language_chosen
    shown = [line.description for inv in english.plan.to_write for line in inv.lines]
    assert shown and all(ENGLISH.search(t) for t in shown)
    send_invoices(ctx, conn, english)
    assert sorted(lines_in_xero(ctx, conn)) == sorted(shown)
    # the next preview uses the business's choice
    assert preview_invoices(ctx, conn, start, end).language == "en"


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    import json

    from core.store.secrets import TokenStore

    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv, as_json=True):
        code = main.main(
            [*argv, "--demo-state", str(state), *(["--json"] if as_json else [])], tokens=store
        )
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out and as_json else out)

    return invoke


def test_the_bill_time_command_takes_the_invoice_language(run, capsys):
    with pytest.raises(SystemExit):
        main.main(["bill-time", "--help"])
    assert "--invoice-language {en,fr}" in capsys.readouterr().out
    assert run("connect-qbtime")[0] == 0
    assert run("connect-xero", "--org", "Maison Verdure Australia")[0] == 0
    assert run("sync")[0] == 0
    span = ("--from", "2000-01-01", "--to", "2100-01-01")
    code, dry = run("bill-time", *span, "--dry-run", "--invoice-language", "fr")
    assert code == 0 and dry["invoice_language"] == "fr"
    code, said = run("bill-time", *span, "--dry-run", "--invoice-language", "fr", as_json=False)
    assert code == 0 and any("worded in French" in line for line in said), said
    code, listed = run("invoices")
    assert listed["invoice_language"] is None  # a dry run chooses nothing
    with pytest.raises(SystemExit) as refused:
        run("bill-time", *span, "--invoice-language", "de")
    assert refused.value.code == 2
