"""Xero's daily limit met by sending hours, billing and their undo, on an Australian Demo
Company grown to 120 employees and 60 customers (Xero's limit lowered: the simulator's day
count is set so that only a few calls are left). The previews say the calls a run needs,
its time under 60 calls a minute and how far today's calls go; a run the limit stops stops
at once, says in its own words what it did and what not, and the next day's run finishes it
with nothing twice and each write counted once in the history."""

from __future__ import annotations

import copy
import io
import json
import random
import re
import uuid
from collections import Counter
from datetime import date

import pytest

from core.app.cli import (
    Output,
    cmd_bill_time,
    cmd_connect_xero,
    cmd_export_hours,
    cmd_history,
    cmd_undo,
    pick_connection,
)
from core.app.estimate import describe_xero_run, estimate_xero_run
from core.app.invoicing import bill_time, turn_invoicing_on
from core.app.payroll import export_hours, undo_export
from core.errors import (
    BillingStoppedAtDailyLimit,
    DailyLimitReached,
    HoursStoppedAtDailyLimit,
    UndoStoppedAtDailyLimit,
)
from core.sandbox.server import DEMO_COMPANY_FILE
from core.services.limits import XERO_MINUTE_WINDOW_S
from core.store.models import ImportRun, JournalEntry

PEOPLE = 120
CUSTOMERS = 60
FROM, TO = date(2026, 11, 1), date(2026, 12, 31)


@pytest.fixture(scope="module")
def grown_company(tmp_path_factory):
    """The Demo Company with 120 more AU employees (Olivia Brown's clones: approved, on both
    pay calendars) and 60 customers their billable hours go to."""
    data = json.loads(open(DEMO_COMPANY_FILE, encoding="utf-8").read())
    au, qbt = data["xero"]["organisations"][0], data["qbtime"]
    rng = random.Random(7)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128)))

    olivia_x = next(e for e in au["payroll"]["Employees"] if e["FirstName"] == "Olivia")
    olivia_q = next(u for u in qbt["users"] if u["first_name"] == "Olivia")
    calendars = [c["PayrollCalendarID"] for c in au["payroll"]["PayrollCalendars"]]
    contact = next(c for c in au["Contacts"] if c["Name"] == "Hornsby Shire Council")
    jobcodes = {j["id"]: j for j in qbt["jobcodes"]}
    job_template = jobcodes[17300200]
    sheets = [
        t for t in qbt["timesheets"] if t["user_id"] == olivia_q["id"] and t["type"] == "regular"
    ]
    jobs = []
    for n in range(CUSTOMERS):
        name = f"Client {n:05d} Grounds Pty Ltd"
        c = copy.deepcopy(contact)
        c.update(ContactID=new_id(), Name=name)
        for key in ("FirstName", "LastName", "AccountNumber", "ContactNumber"):
            if key in c:
                c[key] = f"{key}{n}"
        if "EmailAddress" in c:
            c["EmailAddress"] = f"client{n}@example.com"
        au["Contacts"].append(c)
        job = copy.deepcopy(job_template)
        job.update(id=19_000_000 + n, name=name, short_code=f"C{n}", assigned_to_all=True)
        qbt["jobcodes"].append(job)
        jobs.append(job["id"])
    sheet_id = 200_000_000
    for i in range(PEOPLE):
        email = f"worker{i}@maisonverdure.com.au"
        e = copy.deepcopy(olivia_x)
        e.update(
            EmployeeID=new_id(),
            FirstName="Worker",
            LastName=f"Number {i:05d}",
            Email=email,
            PayrollCalendarID=calendars[i % len(calendars)],
            IsAuthorisedToApproveLeave=False,
            IsAuthorisedToApproveTimesheets=False,
        )
        au["payroll"]["Employees"].append(e)
        u = copy.deepcopy(olivia_q)
        u.update(
            id=9_000_000 + i,
            first_name="Worker",
            last_name=f"Number {i:05d}",
            email=email,
            username=email,
            employee_number=10000 + i,
            pto_balances={},
        )
        qbt["users"].append(u)
        for n, t in enumerate(sheets):
            t2 = copy.deepcopy(t)
            t2.update(id=sheet_id, user_id=u["id"], created_by_user_id=u["id"])
            sheet_id += 1
            if jobcodes[t["jobcode_id"]]["billable"]:
                t2["jobcode_id"] = jobs[(i * 3 + n) % CUSTOMERS]
            qbt["timesheets"].append(t2)
    qbt["timesheets"].sort(key=lambda t: t["id"])
    path = tmp_path_factory.mktemp("grown") / "company.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def grown(demo_ctx, grown_company):
    from core.app.sync import sync

    ctx, conn = demo_ctx("AU", data_file=grown_company)
    sync(ctx, conn)
    return ctx, conn


def _billing_on(ctx):
    """Invoicing turned on, and Xero signed in again for it."""
    turn_invoicing_on()
    cmd_connect_xero(ctx, Output(as_json=True, stream=io.StringIO()), None, None)
    return pick_connection(None)


def _calls_of(ctx, run) -> int:
    """The Xero calls ``run()`` makes."""
    ctx.counter.reset()
    run()
    return int(ctx.counter.snapshot()["services"].get("Xero", {}).get("requests", 0))


def _leave_calls(ctx, conn, n: int) -> None:
    """Xero's day limit lowered so that ``n`` calls are left today (as the simulator counts)."""
    said = ctx.limiters.get(f"xero:{conn.xero_tenant_id}").day_remaining_said()
    assert said is not None
    ctx.sandbox.xero_config.day_limit -= said[0] - n


def _next_day(ctx) -> None:
    ctx.vtime.sleep(86400 + 120)


def _org(ctx, conn):
    return next(o for o in ctx.sandbox.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)


def _cli(command, ctx, *args, as_json=False):
    buf = io.StringIO()
    code = command(ctx, Output(as_json=as_json, stream=buf), None, *args)
    return code, buf.getvalue()


# ---------------------------------------------------------------------------- the estimate
def test_the_estimate_says_how_far_todays_calls_go():
    steps = [(1, 50), (1, 50), (1, 26), *[(1, 1)] * 70]  # AU: 3 calls of timesheets, leave
    enough = estimate_xero_run("export", steps, now=0.0, remaining_today=4000)
    assert (enough.calls, enough.writes, enough.daily_limit_hit) == (73, 196, False)
    # (73 calls: one window's wait past the first 60, as the product's limiter keeps it)
    assert enough.wait_s == XERO_MINUTE_WINDOW_S
    short = estimate_xero_run("export", steps, now=0.0, remaining_today=10, day_resets_at=500.0)
    assert short.daily_limit_hit and short.writes_today == 126 + 7 and short.resume_at == 500.0
    text = describe_xero_run(short, "en")
    assert "73 calls to Xero, which takes 60 a minute: it takes about a minute." in text
    assert "Calls left today to Xero for this organisation: 10." in text
    assert "enough for 133 of the 196 timesheets and leave records" in text
    french = describe_xero_run(short, "fr")
    assert "Appels à Xero restant aujourd’hui pour cette organisation\u00a0: 10." in french
    none = estimate_xero_run("billing", [(1, 50)], now=0.0, remaining_today=0, day_resets_at=9.0)
    assert none.writes_today == 0
    assert "No invoice can be sent before" in describe_xero_run(none, "en")


def test_dry_runs_say_the_calls_and_when_the_rest_can_be_sent(grown):
    ctx, conn = grown
    text = ""

    def dry_run() -> None:
        nonlocal text
        text = _cli(cmd_export_hours, ctx, None, True)[1]

    reads = _calls_of(ctx, dry_run)
    assert "Sending these hours makes 2 calls to Xero, which takes 60 a minute" in text, text
    assert "left today" not in text  # (enough: nothing more to say)
    # the day's calls run out with the next preview's reads: the dry run says so
    _leave_calls(ctx, conn, reads)
    _code, out = _cli(cmd_export_hours, ctx, None, True, as_json=True)
    estimate = json.loads(out)["estimate"]
    assert estimate["xero_daily_limit_hit"] and estimate["writes_today"] == 0
    assert estimate["xero_remaining_today"] == 0 and estimate["resume_at"]


def test_billing_dry_run_says_the_calls(grown):
    ctx, _conn = grown
    _billing_on(ctx)
    code, text = _cli(cmd_bill_time, ctx, FROM.isoformat(), TO.isoformat(), True)
    assert code == 0
    assert "Billing makes 2 calls to Xero, which takes 60 a minute: it takes about a minute." in (
        text
    )


# ---------------------------------------------------------------------------- sending hours
def test_sending_stopped_by_the_day_limit_says_so_and_finishes_the_next_day(grown):
    ctx, conn = grown
    writes = export_hours(ctx, conn, dry_run=True).preview.plan.writes
    assert writes > 50
    reads = _calls_of(ctx, lambda: export_hours(ctx, conn, dry_run=True))
    _leave_calls(ctx, conn, reads + 1)  # (the preview's reads and one call of 50)
    with pytest.raises(HoursStoppedAtDailyLimit) as stopped:
        export_hours(ctx, conn)
    message = stopped.value.user_message("en")
    assert f"50 of the {writes} timesheets and leave records were sent" in message
    assert f"the other {writes - 50} were not" in message and "Send the hours again" in message
    assert "import" not in message
    assert "feuilles de temps et congés" in stopped.value.user_message("fr")
    _next_day(ctx)
    result = export_hours(ctx, conn)
    assert result.timesheets["created"] == writes - 50 and not result.failed
    sheets = _org(ctx, conn)["payroll"]["Timesheets"]
    per_person = Counter((t["EmployeeID"], t["StartDate"]) for t in sheets)
    assert max(per_person.values()) == 1  # nothing sent twice
    runs = ImportRun.select().where(ImportRun.kind == "payroll_export").order_by(ImportRun.id)
    created = [r.counts["outcomes"]["created"]["timesheets"] for r in runs]
    assert created == [50, writes - 50]


def test_the_command_line_prints_one_sentence_at_the_stop(grown):
    ctx, conn = grown
    reads = _calls_of(ctx, lambda: export_hours(ctx, conn, dry_run=True))
    _leave_calls(ctx, conn, reads + 1)
    with pytest.raises(DailyLimitReached) as stopped:
        _cli(cmd_export_hours, ctx, None, False)
    assert type(stopped.value) is HoursStoppedAtDailyLimit  # (main prints its sentence)


# ---------------------------------------------------------------------------- undo
def test_an_undo_stopped_by_the_day_limit_goes_on_the_next_day_and_counts_each_once(grown):
    ctx, conn = grown
    sent = export_hours(ctx, conn)
    sheets = sent.timesheets["created"]
    assert sheets > 50 and sent.run is not None
    ctx.counter.reset()
    # the undo reads Xero's timesheets (one call), then puts back 50 a call: one call of it
    _leave_calls(ctx, conn, 2)
    with pytest.raises(UndoStoppedAtDailyLimit) as stopped:
        undo_export(ctx, conn, sent.run)
    message = stopped.value.user_message("en")
    assert f"run #{sent.run.id} was partly undone (50 change(s) reverted, {sheets - 50} still" in (
        message
    )
    assert "import" not in message
    first = ImportRun.select().where(ImportRun.kind == "undo").get()
    assert first.status == "failed" and first.counts["left_alone"] == []  # no per-person lines
    assert first.counts["outcomes"]["reverted"]["timesheets"] == 50
    _next_day(ctx)
    ctx.counter.reset()
    second = undo_export(ctx, conn, sent.run)
    assert second.status == "done"
    assert second.counts["outcomes"]["reverted"]["timesheets"] == sheets - 50
    posts = ctx.counter.snapshot()["services"]["Xero"]["by_method"].get("POST", 0)
    assert posts == 1  # only the rest was sent again
    assert ImportRun.get_by_id(sent.run.id).status == "undone"
    _code, text = _cli(cmd_history, ctx, None)
    undo_lines = [line for line in text.splitlines() if "  undo  " in line]
    reverted = sum(int(re.search(r"reverted (\d+)", line).group(1)) for line in undo_lines)
    assert reverted == sheets  # each timesheet counted once in the history
    zero = [
        t
        for t in _org(ctx, conn)["payroll"]["Timesheets"]
        if t["TimesheetID"].lower() in {(e.xero_id or "").lower() for e in _entries(sent.run)}
        and any(u for line in t.get("TimesheetLines", []) for u in line["NumberOfUnits"])
    ]
    assert zero == []


def _entries(run):
    return list(JournalEntry.select().where(JournalEntry.run == run))


def test_the_undo_command_says_the_stop_in_its_own_words(grown):
    ctx, conn = grown
    sent = export_hours(ctx, conn)
    _leave_calls(ctx, conn, 2)
    with pytest.raises(UndoStoppedAtDailyLimit) as stopped:
        _cli(cmd_undo, ctx, sent.run.id)
    assert f"Undo it again after {stopped.value.params['resume_at']}" in (
        stopped.value.command_line_text("en")
    )
    assert "Défaites-la de nouveau" in stopped.value.user_message("fr")


# ---------------------------------------------------------------------------- billing
def test_billing_stopped_by_the_day_limit_finishes_the_next_day_with_no_invoice_twice(grown):
    ctx, conn = grown
    conn = _billing_on(ctx)
    invoices = len(bill_time(ctx, conn, start=FROM, end=TO, dry_run=True).preview.plan.to_write)
    assert invoices > 50
    reads = _calls_of(ctx, lambda: bill_time(ctx, conn, start=FROM, end=TO, dry_run=True))
    _leave_calls(ctx, conn, reads + 1)
    with pytest.raises(BillingStoppedAtDailyLimit) as stopped:
        bill_time(ctx, conn, start=FROM, end=TO)
    message = stopped.value.user_message("en")
    assert f"50 of the {invoices} invoices were sent to Xero, the other {invoices - 50}" in (
        message
    )
    assert "Bill the same days again" in message and "import" not in message
    _next_day(ctx)
    result = bill_time(ctx, conn, start=FROM, end=TO)
    assert result.counts["created"] == invoices - 50
    live = [
        i
        for i in _org(ctx, conn).get("Invoices", [])
        if i.get("Status") not in ("DELETED", "VOIDED")
    ]
    per_contact = Counter(i["Contact"]["ContactID"] for i in live)
    assert max(per_contact.values()) == 1


def test_no_billing_run_is_started_while_xeros_daily_stop_holds(grown):
    ctx, _conn = grown
    conn = _billing_on(ctx)
    preview = bill_time(ctx, conn, start=FROM, end=TO, dry_run=True).preview
    _leave_calls(ctx, conn, 1)
    ctx.xero_client(conn.xero_tenant_id).organisation()  # (Xero says: none left today)
    from core.app.invoicing import send_invoices

    before = ImportRun.select().count()
    with pytest.raises(BillingStoppedAtDailyLimit) as stopped:
        send_invoices(ctx, conn, preview)
    assert "no invoice was sent. Bill these days after" in stopped.value.user_message("en")
    assert ImportRun.select().count() == before  # (no empty failed run in the history)
