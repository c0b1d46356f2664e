"""How many calls a run needs, how long the services' rate limits make it, and whether
Xero's daily limit would stop it, said before it starts (the preview, ``sync --dry-run``).

Pure arithmetic on the plan and the snapshot (no network, no Qt):

* QuickBooks Time: the import's writes, batched exactly as the importer sends them (per
  phase, per operation and record kind, :data:`~core.engine.importer.BATCH_SIZE` a call),
  plus the reads of the snapshot upkeep (core.services.written: which lists are still as
  last read, before the first write — not when the same run has just read them, as
  ``sync`` does — and after the last; a list a cascade changed, e.g. by an archive, is
  read again besides, not counted here).
  QuickBooks Time allows 300 calls per 5 minutes per access key (``references/qbtime-api.md``:
  "300 calls per 5-minute window"; our limiter keeps 300 per 305 s): past 300 the import
  waits for the window, so 2,000 writes take about half an hour whatever our speed. The
  calls already made in the current window count too, this process's or an earlier one's
  (kept in the database by core.app.qbt_window): the preview after a restart says the wait.
* Xero: the import sends nothing to Xero; the next run's read of it does. A whole read is one
  call per page (contacts 1,000 a page, payroll 100 a page) and one per other list. Xero
  allows 60 calls a minute and 5,000 a day per organisation (``references/xero-api.md``
  §5.1); when a read needs more than today's remainder it stops, and :attr:`resume_at`
  says when it can go on (the day's first calls leave the 24-hour window).

Sending hours to Xero Payroll and billing are worked out the same way on their own calls
(:func:`estimate_xero_for`, from the steps core.app.payroll and core.app.invoicing give):
their time under Xero's 60 a minute, and when today's calls are not enough, how far they go
and when the rest can be sent (tests/e2e/test_xero_day_limit_runs.py).

The figures are checked against the simulators' own count (tests/e2e/test_estimate.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.engine.importer import BATCH_SIZE
from core.engine.plan import PHASES, ImportPlan, ordered_groups
from core.engine.records import Snapshot
from core.i18n import N_, current_language, tr
from core.services.limits import (
    QBTIME_PER_WINDOW,
    QBTIME_WINDOW_S,
    XERO_MINUTE_WINDOW_S,
    XERO_PER_DAY,
    XERO_PER_MINUTE,
)

#: page sizes of a whole read (core.services.xero.client: contacts 1,000; payroll 100)
XERO_CONTACTS_PAGE = 1000
XERO_PAYROLL_PAGE = 100
#: one call's own time, for the figure shown (the limits dominate past a few hundred calls)
NOMINAL_CALL_S = 0.3
DAY_S = 86400.0


@dataclass(frozen=True)
class RunEstimate:
    """What a run needs, worked out before it starts."""

    #: QuickBooks Time writes of this plan, by record kind (jobcode, location, user...)
    qbtime_writes: dict[str, int]
    #: QuickBooks Time reads the import makes, at most (the checks before the first write
    #: and after the last; the one after is left out when no list can be kept current)
    qbtime_reads: int
    #: Xero calls of a whole read of this organisation (the next run's fetch)
    xero_reads: int
    #: seconds QuickBooks Time's 300-per-5-minutes limit makes the import wait
    qbtime_wait_s: float
    #: seconds Xero's 60-per-minute limit makes a whole read wait
    xero_wait_s: float
    #: the import's expected duration (waits + a nominal time per call)
    import_s: float
    #: Xero calls left today for this organisation (5,000 when not known)
    xero_remaining_today: int
    #: a whole read of Xero would not fit in what is left of today's calls
    xero_daily_limit_hit: bool
    #: when a run stopped by the daily limit can go on (epoch seconds), else None
    resume_at: float | None
    #: when the estimate was made (epoch seconds)
    now: float
    #: QuickBooks Time calls already made in its current window (by this process or one
    #: before it: core.app.qbt_window), counted in :attr:`qbtime_wait_s`
    qbtime_used_in_window: int = 0

    @property
    def qbtime_calls(self) -> int:
        return sum(self.qbtime_writes.values()) + self.qbtime_reads

    @property
    def finish_at(self) -> float:
        return self.now + self.import_s

    def as_json(self) -> dict[str, Any]:
        return {
            "qbtime_calls": self.qbtime_calls,
            "qbtime_writes": dict(self.qbtime_writes),
            "qbtime_reads": self.qbtime_reads,
            "qbtime_wait_s": round(self.qbtime_wait_s, 1),
            "qbtime_used_in_window": self.qbtime_used_in_window,
            "import_s": round(self.import_s, 1),
            "xero_reads": self.xero_reads,
            "xero_wait_s": round(self.xero_wait_s, 1),
            "xero_remaining_today": self.xero_remaining_today,
            "xero_daily_limit_hit": self.xero_daily_limit_hit,
            "resume_at": self.resume_at,
        }


def write_calls(plan: ImportPlan, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """QuickBooks Time write calls of ``plan`` by record kind, as the importer sends them:
    each phase's actions grouped by (operation, kind) (:func:`ordered_groups`), each group
    in batches of ``batch_size``; local actions (links) send nothing."""
    out: dict[str, int] = {}
    for phase in PHASES:
        actions = [a for a in plan.actions if a.phase == phase]
        for (op, entity), group in ordered_groups(actions):
            if op == "local":
                continue
            out[entity] = out.get(entity, 0) + math.ceil(len(group) / batch_size)
    return out


def xero_read_calls(snap: Snapshot, counts: tuple[int, int] | None = None) -> int:
    """Calls of a whole read of the organisation in ``snap``: the organisation, contacts by
    pages of 1,000 (an empty list is still one call), items, tracking categories, and with
    payroll the employees by pages of 100 and the leave types. ``counts``: (contacts,
    employees) as stored, when known (the snapshot leaves out employees it cannot read)."""
    contacts, employees = counts or (len(snap.contacts), len(snap.employees))
    calls = 1 + max(1, math.ceil(contacts / XERO_CONTACTS_PAGE)) + 2
    if snap.has_payroll:
        # a page of exactly 100 is followed by an empty one (AU gives no page count)
        calls += employees // XERO_PAYROLL_PAGE + 1
        calls += 1
    return calls


def stored_counts(conn: Any) -> tuple[int, int]:
    """(contacts, employees) of ``conn``'s stored Xero snapshot: two counts, no parsing."""
    from core.store.models import XeroRecord

    def count(kind: str) -> int:
        return int(
            XeroRecord.select()
            .where((XeroRecord.connection == conn) & (XeroRecord.kind == kind))
            .count()
        )

    return count("contact"), count("employee")


def window_wait(calls: int, per_window: int, window_s: float, used: int = 0) -> float:
    """Seconds a sliding limit of ``per_window`` calls per ``window_s`` makes ``calls`` wait
    when ``used`` calls were made just before: each further ``per_window`` waits a window."""
    if calls <= 0:
        return 0.0
    return max(0, math.ceil((calls + used) / per_window) - 1) * window_s


def window_wait_after(
    calls: int, per_window: int, window_s: float, sent: Sequence[float], now: float
) -> float:
    """Seconds a sliding limit of ``per_window`` calls per ``window_s`` makes ``calls`` wait
    at ``now`` when calls were sent at the times ``sent`` (oldest first; those older than the
    window no longer count): the product's limiter (core.services.limits), call by call."""
    if calls <= 0:
        return 0.0
    times = [t for t in sent if t > now - window_s]
    t = now
    for _ in range(calls):
        if len(times) >= per_window:
            t = max(t, times[-per_window] + window_s)
        times.append(t)
    return t - now


def estimate_run(
    snap: Snapshot,
    plan: ImportPlan,
    *,
    now: float | None = None,
    xero_remaining_today: int | None = None,
    xero_day_resets_at: float | None = None,
    qbtime_used_in_window: int = 0,
    qbtime_sent: Sequence[float] | None = None,
    just_read: bool = False,
    counts: tuple[int, int] | None = None,
) -> RunEstimate:
    """The figures of :class:`RunEstimate` for running ``plan`` (made from ``snap``).

    ``xero_remaining_today``: what Xero's ``X-DayLimit-Remaining`` last said for this
    organisation, within its day (None: not known, the whole day's limit is assumed); ``xero_day_resets_at``: when today's first call leaves the
    24-hour window (unknown: 24 hours from ``now``); ``qbtime_used_in_window``: QuickBooks
    Time calls made in the last 5 minutes (the read before the preview), taken as made at
    ``now``; ``qbtime_sent``: when they were made, if known (replaces that count: a call
    made 4 minutes ago frees its place in a minute); ``just_read``: the
    run reads QuickBooks Time right before it writes (``sync``), so the import does not
    check it again before its first write; ``counts``: see :func:`xero_read_calls`."""
    now = time.time() if now is None else now
    writes = write_calls(plan)
    reads = (1 if just_read else 2) if writes else 0
    qbt_calls = sum(writes.values()) + reads
    if qbtime_sent is not None:
        sent = [t for t in qbtime_sent if t > now - QBTIME_WINDOW_S]
        used = len(sent)
        qbt_wait = window_wait_after(qbt_calls, QBTIME_PER_WINDOW, QBTIME_WINDOW_S, sent, now)
    else:
        used = max(0, qbtime_used_in_window)
        qbt_wait = window_wait(qbt_calls, QBTIME_PER_WINDOW, QBTIME_WINDOW_S, used)
    xero = xero_read_calls(snap, counts)
    xero_wait = window_wait(xero, XERO_PER_MINUTE, XERO_MINUTE_WINDOW_S)
    remaining = XERO_PER_DAY if xero_remaining_today is None else max(0, xero_remaining_today)
    hit = xero > remaining
    resume_at = None
    if hit:
        resume_at = xero_day_resets_at if xero_day_resets_at is not None else now + DAY_S
    return RunEstimate(
        qbtime_writes=writes,
        qbtime_reads=reads,
        xero_reads=xero,
        qbtime_wait_s=qbt_wait,
        xero_wait_s=xero_wait,
        import_s=qbt_wait + qbt_calls * NOMINAL_CALL_S,
        xero_remaining_today=remaining,
        xero_daily_limit_hit=hit,
        resume_at=resume_at,
        now=now,
        qbtime_used_in_window=used,
    )


def xero_day(ctx: Any, conn: Any, now: float) -> tuple[int | None, float | None]:
    """(Xero's calls left today for ``conn``'s organisation, when a daily stop ends) as this
    app knows them at ``now``: the calls left as Xero said them last, within its day (as
    ``status`` gives them: this process's latest, else those kept by any, a command before
    the window), None when not known; 0 while Xero's daily stop holds (remembered across
    restarts, or this process's limiter's), with when it ends (else None)."""
    from core.app.day_limit import daily_stop, said_remaining

    resets = daily_stop(conn.xero_tenant_id, now)  # remembered across restarts
    said = said_remaining(conn.xero_tenant_id)
    remaining = None if said is None else said[0]
    xero = _xero_limiter(ctx, conn)
    if xero is not None:
        heard = xero.day_remaining_said()
        if heard is not None and (said is None or xero.now() - heard[1] <= time.time() - said[1]):
            remaining = heard[0]
        until = xero.status().get("day_exhausted_until")
        if until is not None and until > now:
            resets = until
    if resets is not None:
        remaining = 0  # (until Xero's daily stop ends)
    return remaining, resets


def _xero_limiter(ctx: Any, conn: Any) -> Any:
    """This process's limiter of ``conn``'s Xero organisation, if it has one."""
    limiters = getattr(ctx, "limiters", None)
    return limiters.get(f"xero:{conn.xero_tenant_id}") if limiters is not None else None


def estimate_for(
    ctx: Any, conn: Any, snap: Snapshot | None, plan: ImportPlan, *, just_read: bool = False
) -> RunEstimate:
    """:func:`estimate_run` with what this process's limiters and the database know of
    ``conn``'s services (Xero's calls left today and when they come back, QuickBooks Time's
    calls in its current window, this process's or an earlier one's) and the stored counts
    of the snapshot (``snap`` may be None: only its version is needed)."""
    snap = snap or Snapshot(version=conn.xero_version)
    from core.app.qbt_window import calls_in_window

    now = ctx.clock()
    sent: list[float] | None = calls_in_window(conn.id, now)  # remembered across restarts
    remaining, resets = xero_day(ctx, conn, now)
    used = 0
    limiters = getattr(ctx, "limiters", None)
    if limiters is not None:
        for key, status in limiters.status().items():
            limiter = limiters.get(key) if key.startswith("qbtime") else None
            account = getattr(limiter, "window_account", None)
            if limiter is not None and account == conn.id:
                own = limiter.window_stamps()  # (the database could not keep them all)
                if sent is not None and len(own) > len(sent):
                    sent = own
            elif limiter is not None and account is None and status.get("used_in_window"):
                used = max(used, int(status["used_in_window"]))  # a key not given its pair
    if not sent and used:
        sent = None  # those calls, counted as made just now
    return estimate_run(
        snap,
        plan,
        now=now,
        xero_remaining_today=remaining,
        xero_day_resets_at=resets,
        qbtime_used_in_window=used,
        qbtime_sent=sent,
        just_read=just_read,
        counts=stored_counts(conn),
    )


def _count(n: int, language: str | None) -> str:
    """``2,047`` in English, ``2\u202f047`` in French (a narrow no-break space)."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if (language or current_language()) == "fr" else text


def _duration(seconds: float, language: str | None) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 90:
        return (
            tr("about {n} minutes", language, n=minutes)
            if minutes > 1
            else tr("about a minute", language)
        )
    return tr("about {n} hours", language, n=round(minutes / 60, 1))


def describe(estimate: RunEstimate, language: str | None = None) -> str:
    """One or two sentences for the preview and ``sync --dry-run``."""
    calls = estimate.qbtime_calls
    if calls == 0:
        text = tr("The import sends nothing to QuickBooks Time.", language)
    elif estimate.qbtime_wait_s > 0:
        text = tr(
            "The import makes {calls} calls to QuickBooks Time, which accepts 300 every 5 "
            "minutes: it takes {duration}.",
            language,
            calls=_count(calls, language),
            duration=_duration(estimate.import_s, language),
        )
    else:
        text = tr(
            "The import makes {calls} calls to QuickBooks Time.",
            language,
            calls=_count(calls, language),
        )
    if calls and estimate.qbtime_wait_s > 0 and estimate.qbtime_used_in_window:
        # the calls of a run just before (this app's, maybe before a restart) count too
        text += " " + tr(
            "This app made {used} calls to QuickBooks Time in the last 5 minutes, which "
            "count too: the import waits {wait} in all for its limit.",
            language,
            used=_count(estimate.qbtime_used_in_window, language),
            wait=_duration(estimate.qbtime_wait_s, language),
        )
    if estimate.xero_daily_limit_hit and estimate.resume_at is not None:
        text += " " + tr(
            "Reading Xero again needs {needed} calls and {left} are left today: it would stop "
            "and go on after {when}.",
            language,
            needed=_count(estimate.xero_reads, language),
            left=_count(estimate.xero_remaining_today, language),
            when=time.strftime("%Y-%m-%d %H:%M", time.localtime(estimate.resume_at)),
        )
    return text


# -- sending hours and billing: Xero's calls ---------------------------------------------------
#
# Sending hours to Xero Payroll and billing write to Xero only (their preview has read both
# sides). Each run is a list of steps in the order it sends them, each (calls, writes): a
# timesheet or a leave record is one write (AU: one call; NZ/UK: see core.app.payroll), 50
# invoices are one call. Xero allows 60 calls a minute and 5,000 a day per organisation
# (``references/xero-api.md`` §5.1): the minute's limit makes the run wait, the day's stops it
# where today's calls run out (it goes on after, with what was not sent: nothing twice).

#: what a run of each kind writes to Xero
XERO_RUN_KINDS = ("export", "billing")


@dataclass(frozen=True)
class XeroRunEstimate:
    """What sending hours (``kind`` "export") or billing ("billing") needs of Xero."""

    kind: str
    #: Xero calls the run makes
    calls: int
    #: what it writes: timesheets and leave records, or invoices
    writes: int
    #: seconds Xero's 60-per-minute limit makes it wait
    wait_s: float
    #: its expected duration (the wait + a nominal time per call)
    run_s: float
    #: Xero calls left today for the organisation, as Xero said them (None: not known, the
    #: day's whole limit is assumed)
    remaining_today: int | None
    #: the calls left today are not enough for the whole run
    daily_limit_hit: bool
    #: the writes today's calls reach (all of them when they are enough)
    writes_today: int
    #: when the rest can be sent (epoch seconds) when today's calls are not enough
    resume_at: float | None
    now: float

    def as_json(self) -> dict[str, Any]:
        return {
            "xero_calls": self.calls,
            "writes": self.writes,
            "xero_wait_s": round(self.wait_s, 1),
            "run_s": round(self.run_s, 1),
            "xero_remaining_today": self.remaining_today,
            "xero_daily_limit_hit": self.daily_limit_hit,
            "writes_today": self.writes_today,
            "resume_at": self.resume_at,
        }


def refuse_while_daily_stop(ctx: Any, conn: Any, stopped: type[Any], writes: int) -> None:
    """Refuse to start a run of ``writes`` writes while Xero's daily stop for ``conn``'s
    organisation holds (remembered, or this process's: :func:`xero_day`): nothing would reach
    Xero, and no run is recorded. ``stopped``: the command's own DailyLimitReached wording
    (core.errors: HoursStoppedAtDailyLimit, BillingStoppedAtDailyLimit)."""
    from core.services.limits import daily_limit_error

    now = ctx.clock()
    _left, resets = xero_day(ctx, conn, now)
    if resets is not None:
        raise daily_limit_error(resets, now).during(stopped, done=0, total=writes, left=writes)


def estimate_xero_run(
    kind: str,
    steps: Sequence[tuple[int, int]],
    *,
    now: float | None = None,
    remaining_today: int | None = None,
    day_resets_at: float | None = None,
    sent: Sequence[float] = (),
) -> XeroRunEstimate:
    """The figures of :class:`XeroRunEstimate` for ``steps`` ((calls, writes), in the order
    they are sent). ``remaining_today``: Xero's calls left today (None: not known, 5,000);
    ``day_resets_at``: when Xero's daily stop ends (unknown: 24 hours from ``now``);
    ``sent``: when the calls of the last minute were made (the preview's reads)."""
    if kind not in XERO_RUN_KINDS:
        raise ValueError(f"no Xero run of kind {kind!r}")
    now = time.time() if now is None else now
    calls = sum(c for c, _ in steps)
    writes = sum(w for _, w in steps)
    wait = window_wait_after(calls, XERO_PER_MINUTE, XERO_MINUTE_WINDOW_S, list(sent), now)
    budget = XERO_PER_DAY if remaining_today is None else max(0, remaining_today)
    hit = calls > budget
    reached = writes
    resume_at = None
    if hit:
        reached = spent = 0
        for step_calls, step_writes in steps:
            if spent + step_calls > budget:
                break
            spent += step_calls
            reached += step_writes
        resume_at = day_resets_at if day_resets_at is not None else now + DAY_S
    return XeroRunEstimate(
        kind=kind,
        calls=calls,
        writes=writes,
        wait_s=wait,
        run_s=wait + calls * NOMINAL_CALL_S,
        remaining_today=remaining_today,
        daily_limit_hit=hit,
        writes_today=reached,
        resume_at=resume_at,
        now=now,
    )


def estimate_xero_for(
    ctx: Any, conn: Any, kind: str, steps: Sequence[tuple[int, int]]
) -> XeroRunEstimate:
    """:func:`estimate_xero_run` with what this app knows of ``conn``'s organisation now:
    its calls left today and its daily stop (:func:`xero_day`, as the import's estimate),
    the calls of the last minute (this process's limiter)."""
    now = ctx.clock()
    remaining, resets = xero_day(ctx, conn, now)
    limiter = _xero_limiter(ctx, conn)
    sent: list[float] = []
    if limiter is not None and getattr(limiter, "per_window", None) == XERO_PER_MINUTE:
        # (the limiter's clock: the times it keeps are on it)
        now = limiter.now()
        sent = limiter.window_stamps()
    return estimate_xero_run(
        kind, steps, now=now, remaining_today=remaining, day_resets_at=resets, sent=sent
    )


#: the sentences of :func:`describe_xero_run`, by kind
_XERO_RUN_WORDS = {
    "export": (
        N_(
            "Sending these hours makes {calls} calls to Xero, which takes 60 a minute: it "
            "takes {duration}."
        ),
        N_(
            "They are enough for {reached} of the {writes} timesheets and leave records: send "
            "the hours again after {when} for the rest (what was sent is not sent twice)."
        ),
        N_("None of these hours can be sent before {when}."),
        N_("Sending these hours makes one call to Xero."),
    ),
    "billing": (
        N_("Billing makes {calls} calls to Xero, which takes 60 a minute: it takes {duration}."),
        N_(
            "They are enough for {reached} of the {writes} invoices: bill the same days again "
            "after {when} for the rest (the invoices already sent are not made twice)."
        ),
        N_("No invoice can be sent before {when}."),
        N_("Billing makes one call to Xero."),
    ),
}


def describe_xero_run(estimate: XeroRunEstimate, language: str | None = None) -> str:
    """One to three sentences for the preview of sending hours or billing (the wizard's page,
    ``export-hours --dry-run``, ``bill-time --dry-run``); "" when it sends nothing."""
    if estimate.calls == 0:
        return ""
    needs, reach, none, one = _XERO_RUN_WORDS[estimate.kind]
    text = tr(
        needs if estimate.calls > 1 else one,
        language,
        calls=_count(estimate.calls, language),
        duration=_duration(estimate.run_s, language),
    )
    if not estimate.daily_limit_hit or estimate.resume_at is None:
        return text
    if estimate.remaining_today is None:
        text += " " + tr(
            "Xero allows {left} calls a day per organisation.",
            language,
            left=_count(XERO_PER_DAY, language),
        )
    else:
        text += " " + tr(
            "Calls left today to Xero for this organisation: {left}.",
            language,
            left=_count(estimate.remaining_today, language),
        )
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(estimate.resume_at))
    if estimate.writes_today == 0:
        return text + " " + tr(none, language, when=when)
    return (
        text
        + " "
        + tr(
            reach,
            language,
            reached=_count(estimate.writes_today, language),
            writes=_count(estimate.writes, language),
            when=when,
        )
    )
