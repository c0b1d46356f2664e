"""Crash/resume of a payroll export: the process is SIGKILLed at a Xero payroll write; the
next export converges with no duplicate timesheet or leave.

The worker (``payroll_crash_worker``) exports the UK Demo Company's first fortnight (two
draft timesheets and one employee leave, "Annual Leave" linked to Xero's "Holiday") and
dies at its N-th payroll write, before Xero handles it or after Xero applied and saved it
(the answer never read: the harshest moment for the journal). Then an export in this
process must finish the job: each person has exactly one timesheet for the period holding
their approved hours, one leave record; the killed run is marked interrupted; nothing stays
at "intent"; one more export writes nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core.app.payroll import export_hours
from core.app.sync import sync
from core.engine.leave import save_leave_links
from core.sandbox.xero_payroll import parse_day
from core.services.fetch import load_snapshot
from core.store.models import ImportRun, JournalEntry
from tests.e2e.test_payroll_export import (
    UK_FORTNIGHT1,
    approved_hours,
    assert_same_hours,
    employee_id,
    shifted,
    xero_sheets,
)
from tests.reliability.support import FileKeyring, open_demo

ROOT = Path(__file__).resolve().parents[2]


def _prepare(tmp_path: Path):
    home, state, keyring_file = tmp_path / "home", tmp_path / "state", tmp_path / "keyring.json"
    ctx, conn = open_demo("UK", home, state, FileKeyring(keyring_file))
    sync(ctx, conn)
    snap = load_snapshot(conn)
    annual = next(j for j in snap.jobcodes if j.name == "Annual Leave")
    holiday = next(lt for lt in snap.leave_types if lt.name == "Holiday")
    save_leave_links(conn, {holiday.leave_type_id: annual.id}, snap.leave_types)
    period = shifted(ctx.sandbox.store, UK_FORTNIGHT1)
    ctx.close()
    return home, state, keyring_file, period


def _check_converged(ctx, conn, period):
    store = ctx.sandbox.store
    end = period + timedelta(days=13)
    payroll = store.xero_orgs[1]["payroll"]
    for name in ("Oliver Hughes", "Sophie Turner"):
        emp = employee_id(store, 1, name)
        mine = [
            t
            for t in payroll["Timesheets"]
            if t["employeeID"] == emp and parse_day(t["startDate"]) == period
        ]
        assert len(mine) == 1, (name, len(mine))  # no duplicate timesheet
        status, days = xero_sheets(store, 1, emp)[period]
        assert status == "Draft"
        assert_same_hours(days, approved_hours(store, name, period, end))
    oliver = employee_id(store, 1, "Oliver Hughes")
    assert len(payroll["EmployeeLeave"][oliver]) == 1  # no duplicate leave
    assert JournalEntry.select().where(JournalEntry.state == "intent").count() == 0
    assert all(r.status != "running" for r in ImportRun.select())
    final = export_hours(ctx, conn, period=period)
    assert final.run is None, final.as_json()


@pytest.mark.parametrize(("n", "when"), [(1, "before"), (1, "after"), (2, "after"), (3, "after")])
def test_export_killed_at_a_write_then_resumed(tmp_path, n, when):
    home, state, keyring_file, period = _prepare(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XQB_HOME": str(home)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.payroll_crash_worker",
            str(home),
            str(state),
            str(keyring_file),
            "UK",
            period.isoformat(),
            "--kill-at",
            str(n),
            "--when",
            when,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err[-3000:])
    ctx, conn = open_demo("UK", home, state, FileKeyring(keyring_file), connect=False)
    try:
        killed = [r.id for r in ImportRun.select().where(ImportRun.status == "running")]
        assert killed, "the killed export had started its run"
        for _ in range(2):
            result = export_hours(ctx, conn, period=period)
            if result.run is None:
                break
        for run_id in killed:
            run = ImportRun.get_by_id(run_id)
            assert run.status == "failed" and run.counts.get("interrupted")
        _check_converged(ctx, conn, period)
    finally:
        ctx.close()
