"""AU payroll 1.0 timesheets go 50 a call; when Xero refuses the whole array without naming
an element, each is sent alone. An error that is not a refusal on one of those single calls
(Xero's day limit, a lost answer) stopped the sending, and the answers Xero had already
given were lost: timesheets Xero saved were journaled failed with no id, the next sending
called them drafts "this app did not make" and held those people back, an undo left them
in Xero, and the message said "no hours were sent". Those answers are kept now, at sending
and at undo.
"""

from __future__ import annotations

import time

import pytest

from core.app.payroll import WriteUnanswered, preview_hours, send_hours, undo_export
from core.app.sync import sync
from core.errors import HoursStoppedAtDailyLimit, UndoStoppedAtDailyLimit
from core.services.http import XERO
from core.services.limits import daily_limit_error
from core.services.xero.client import XeroClient, XeroRequestRejected, _tag, _unreadable_data
from core.store.models import ImportRun, JournalEntry
from tests.e2e.test_payroll_export import AU_WEEK1, shifted
from tests.scaled_payroll import write_scaled_au_company


def _refusing_arrays(monkeypatch, fail_on_call: int, error) -> list[int]:
    """``_post_au_timesheets`` refusing every array without naming an element (so each is
    sent alone), and call number ``fail_on_call`` (a single) stopped by ``error()``."""
    real = XeroClient._post_au_timesheets
    calls: list[int] = []

    def post(self, writes):
        calls.append(len(writes))
        if len(writes) > 1:
            raise _tag(
                XeroRequestRejected(service=XERO, reason="A validation exception occurred"),
                400,
                xero_type="ValidationException",
                elements=[],
            )
        if len(calls) == fail_on_call:
            raise error()
        return real(self, writes)

    monkeypatch.setattr(XeroClient, "_post_au_timesheets", post)
    return calls


def _day_used_up():
    return daily_limit_error(time.time() + 3600, time.time())


def _lost_answer():
    err = _unreadable_data("payroll timesheets")
    err.maybe_applied = True
    return err


def _setup(demo_ctx, tmp_path):
    ctx, conn = demo_ctx("AU", data_file=str(write_scaled_au_company(tmp_path / "s.json", 6)))
    sync(ctx, conn)
    period = shifted(ctx.sandbox.store, AU_WEEK1)
    preview = preview_hours(ctx, conn, period)
    creates = [p.name for p in preview.people if p.action == "create"]
    assert len(creates) == 7
    return ctx, conn, period, preview, creates


def _sheets(ctx) -> dict[str, dict]:
    """Xero's AU timesheets by id (lower case)."""
    return {
        t["TimesheetID"].lower(): t for t in ctx.sandbox.store.xero_orgs[0]["payroll"]["Timesheets"]
    }


def _hours(sheet: dict) -> float:
    return sum(sum(line["NumberOfUnits"]) for line in sheet.get("TimesheetLines") or [])


def _entries(run) -> dict[str, JournalEntry]:
    return {
        e.after["name"]: e
        for e in JournalEntry.select().where(
            (JournalEntry.run == run) & (JournalEntry.entity_kind == "xero_timesheet")
        )
    }


def test_day_limit_on_a_single_keeps_the_timesheets_xero_saved(demo_ctx, tmp_path, monkeypatch):
    ctx, conn, period, preview, creates = _setup(demo_ctx, tmp_path)
    calls = _refusing_arrays(monkeypatch, 4, _day_used_up)  # (the array, 2 singles, stop)
    with pytest.raises(HoursStoppedAtDailyLimit) as stopped:
        send_hours(ctx, conn, preview)
    assert calls == [7, 1, 1, 1]
    assert (stopped.value.params["done"], stopped.value.params["left"]) == (2, 5)
    assert "2 of the 7" in stopped.value.user_message()
    run = ImportRun.select().where(ImportRun.kind == "payroll_export").get()
    assert run.counts["outcomes"]["created"]["timesheets"] == 2
    assert run.counts["stopped_at_daily_limit"] == 5
    entries = _entries(run)
    saved, rest = creates[:2], creates[2:]
    held = _sheets(ctx)
    for name in saved:  # done with the id Xero gave, and holding the hours
        assert entries[name].state == "done", name
        assert _hours(held[entries[name].xero_id.lower()]) > 0
    for name in rest:  # never sent: failed (not "may have been done")
        assert (entries[name].state, entries[name].xero_id) == ("failed", None), name

    # the next sending: the saved ones are this app's and unchanged, the others sent
    monkeypatch.undo()
    again = preview_hours(ctx, conn, period)
    actions = {p.name: (p.action, p.problems) for p in again.people if p.name in creates}
    assert {n: a for n, (a, _p) in actions.items()} == {
        **{n: "unchanged" for n in saved},
        **{n: "create" for n in rest},
    }
    assert not any(p for _a, p in actions.values())
    send_hours(ctx, conn, again)

    # undo of the first sending reverts the two it saved
    undone = undo_export(ctx, conn, run)
    assert undone.counts["outcomes"]["reverted"]["timesheets"] == 2
    held = _sheets(ctx)
    assert all(_hours(held[entries[n].xero_id.lower()]) == 0 for n in saved)


def test_lost_answer_on_a_single_keeps_the_ones_before(demo_ctx, tmp_path, monkeypatch):
    ctx, conn, _period, preview, creates = _setup(demo_ctx, tmp_path)
    _refusing_arrays(monkeypatch, 5, _lost_answer)  # (the array, 3 singles, no answer)
    with pytest.raises(WriteUnanswered) as stopped:
        send_hours(ctx, conn, preview)
    assert creates[3] in stopped.value.user_message()  # (the one with no answer, alone)
    run = ImportRun.select().where(ImportRun.kind == "payroll_export").get()
    assert run.counts["outcomes"]["created"]["timesheets"] == 3
    entries = _entries(run)
    states = [(entries[n].state, bool(entries[n].xero_id)) for n in creates]
    assert states == [("done", True)] * 3 + [("unknown", False)] + [("failed", False)] * 3


def test_undo_stopped_on_a_single_keeps_what_it_reverted(demo_ctx, tmp_path, monkeypatch):
    ctx, conn, _period, preview, _creates = _setup(demo_ctx, tmp_path)
    send_hours(ctx, conn, preview)
    run = ImportRun.select().where(ImportRun.kind == "payroll_export").get()
    ours = {e.xero_id.lower() for e in _entries(run).values()}
    assert len(ours) == 7 and all(_hours(_sheets(ctx)[i]) > 0 for i in ours)

    calls = _refusing_arrays(monkeypatch, 4, _day_used_up)
    with pytest.raises(UndoStoppedAtDailyLimit) as stopped:
        undo_export(ctx, conn, run)
    assert calls == [7, 1, 1, 1]
    assert (stopped.value.params["done"], stopped.value.params["left"]) == (2, 5)
    first = ImportRun.select().where(ImportRun.kind == "undo").get()
    assert first.counts["outcomes"]["reverted"]["timesheets"] == 2
    assert first.counts["stopped_at_daily_limit"] == 5
    undo_states = sorted(e.state for e in JournalEntry.select().where(JournalEntry.run == first))
    assert undo_states == ["done"] * 2 + ["failed"] * 5
    assert sum(1 for i in ours if _hours(_sheets(ctx)[i]) == 0) == 2

    # undone again the next day: the other five, nothing sent twice
    monkeypatch.undo()
    second = undo_export(ctx, conn, run)
    assert second.counts["outcomes"]["reverted"]["timesheets"] == 5
    assert all(_hours(_sheets(ctx)[i]) == 0 for i in ours)
    assert ImportRun.get_by_id(run.id).status == "undone"
