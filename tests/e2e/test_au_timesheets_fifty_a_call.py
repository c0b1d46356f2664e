"""AU payroll 1.0 takes an array of timesheets per ``POST /Timesheets`` (the spec's request
body; references §4.4, "batch ≈50 elements per request recommended" §1): the sending of
hours and its undo send them 50 a call, not one call per person (the audit: 501 POSTs and
483 s of rate-limit waits for 501 people). Each person's write is journaled as before:
its intent before the call, done with the id Xero gave that person after, matched by
employee and period (or id), not by position. Xero refuses a whole array when one element
is bad: the refused person is taken out and the others sent again, counted and said as a
refusal always was."""

from __future__ import annotations

import math

import pytest

from core.app.payroll import export_hours, preview_hours, send_hours, undo_export
from core.app.sync import sync
from core.services.xero.client import XeroClient
from core.store.models import JournalEntry
from tests.e2e.test_payroll_export import AU_WEEK1, shifted
from tests.scaled_payroll import write_scaled_au_company

PEOPLE = 60  # clones of one Demo Company employee: two calls' worth with her
SHEETS = "payroll.xro/1.0/Timesheets"


@pytest.fixture
def au_many(demo_ctx, tmp_path, monkeypatch):
    """The scaled AU organisation, imported; every Xero write the app sends recorded."""
    ctx, conn = demo_ctx(
        "AU", data_file=str(write_scaled_au_company(tmp_path / "scaled.json", PEOPLE))
    )
    sync(ctx, conn)
    sent: list[tuple[str, str, int]] = []
    real = XeroClient._send

    def spy(self, method, path, body, *, what):
        sent.append((method, path, len(body) if isinstance(body, list) else 1))
        return real(self, method, path, body, what=what)

    monkeypatch.setattr(XeroClient, "_send", spy)
    return ctx, conn, sent, shifted(ctx.sandbox.store, AU_WEEK1)


def _sheet_posts(sent):
    return [n for method, path, n in sent if method == "POST" and path.endswith(SHEETS)]


def _xero_ids(store, start):
    """{employee id: timesheet id} of the AU timesheets of the period starting ``start``."""
    from core.sandbox.xero_payroll import parse_day

    return {
        t["EmployeeID"].lower(): t["TimesheetID"].lower()
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if parse_day(t["StartDate"]) == start
    }


def test_timesheets_go_fifty_a_call_each_journaled_with_its_own_id(au_many):
    ctx, conn, sent, period = au_many
    result = export_hours(ctx, conn, period=period)
    created = result.timesheets["created"]
    assert created > 50, "the period must have more than one call's worth of people"
    posts = _sheet_posts(sent)
    assert len(posts) == math.ceil(created / 50) and max(posts) == 50
    held = _xero_ids(ctx.sandbox.store, period)
    entries = list(JournalEntry.select().where(JournalEntry.entity_kind == "xero_timesheet"))
    assert len(entries) == created
    for entry in entries:  # each person's entry holds the id Xero gave that person
        assert entry.state == "done"
        assert entry.xero_id == held[entry.after["employee_id"].lower()]


def test_the_undo_puts_them_back_fifty_a_call(au_many):
    ctx, conn, sent, period = au_many
    result = export_hours(ctx, conn, period=period)
    created = result.timesheets["created"]
    sent.clear()
    undo = undo_export(ctx, conn, result.run)
    assert undo.status == "done"
    assert undo.counts["outcomes"]["reverted"]["timesheets"] == created
    assert len(_sheet_posts(sent)) == math.ceil(created / 50)
    ours = {e.xero_id for e in JournalEntry.select().where(JournalEntry.action == "create")}
    emptied = [
        t
        for t in ctx.sandbox.store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["TimesheetID"].lower() in ours
    ]
    assert len(emptied) == created  # AU has no DELETE: each of ours is an empty draft again
    assert not any(
        u for t in emptied for line in t["TimesheetLines"] for u in line["NumberOfUnits"]
    )


def test_one_refused_timesheet_does_not_hold_back_the_others(au_many):
    ctx, conn, sent, period = au_many
    preview = preview_hours(ctx, conn, period)
    new = [p for p in preview.people if p.action == "create"]
    refused = new[7]
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:  # the payroll officer keys that person's timesheet in Xero meanwhile
        first = next(iter(refused.lines()))
        made = xero.save_au_timesheet(
            None, refused.employee_id, refused.period_start, refused.period_end, {first: 1.0}
        )["id"]
    sent.clear()
    result = send_hours(ctx, conn, preview)
    assert result.timesheets["created"] == len(new) - 1
    assert result.refused == 1
    (reason,) = [p.reason for p in result.failed if p.who == refused.name]
    assert "someone made a draft timesheet for" in reason
    assert [p.who for p in result.failed] == [refused.name]
    assert result.as_json()["hours"]["not_sent_regular"] == pytest.approx(refused.regular_hours)
    # the first call refused whole, then the rest of it again without the refused one
    posts = _sheet_posts(sent)
    assert posts == [50, 49, len(new) - 50]
    held = _xero_ids(ctx.sandbox.store, period)
    assert held[refused.employee_id.lower()] == made.lower()  # theirs left as it is
    (entry,) = JournalEntry.select().where(
        (JournalEntry.entity_kind == "xero_timesheet") & (JournalEntry.state == "failed")
    )
    assert entry.after["employee_id"] == refused.employee_id and entry.xero_id is None
    assert result.run.status == "done"
