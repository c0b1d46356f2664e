"""Properties of the payroll export plan over random QuickBooks Time timesheets (hypothesis).

Random shifts (over midnight, odd lengths to the second, manual timesheets, time off, shifts
on the clock) for people with random approval dates, on a weekly or fortnightly calendar:

- totals are preserved: per person and earnings rate, the hundredths sent add up to the
  approved seconds of the period rounded to the hundredth, and no day is off by 0.01 or more;
- nothing outside the period or after ``approved_to`` is sent, nothing on the clock;
- export-then-replan is empty: once Xero holds what the plan sends (as our drafts), the
  same inputs plan no write; asked with any other day of the same period, too;
- no period is exported twice: a plan never creates a timesheet where Xero already has one
  for that person and period (ours: update or unchanged; not ours or not a draft: skip);
- leave follows its time off: edited or deleted after it was sent, each leave we sent is
  updated, withdrawn or unchanged, and the plan is empty again once Xero holds that.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.engine import payroll as eng

ZONES = ("Australia/Sydney", "Europe/London", "Pacific/Auckland", "Australia/Perth")
ANCHOR = date(2026, 11, 2)  # a Monday
TODAY = date(2026, 12, 20)
RATE = "rate-ordinary"
PTO, UNPAID, UNLINKED = 901, 902, 903


@st.composite
def shifts_for(draw, user_id: int, zone: str):
    out = []
    for i in range(draw(st.integers(0, 14))):
        day = ANCHOR + timedelta(days=draw(st.integers(-2, 30)))
        kind = draw(st.sampled_from(["regular", "regular", "regular", "manual", "pto"]))
        tz = ZoneInfo(zone)
        sid = user_id * 1000 + i
        if kind == "regular":
            start = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(
                seconds=draw(st.integers(0, 86399))
            )
            length = draw(st.integers(1, 14 * 3600))  # odd lengths, often over midnight
            on_clock = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
            out.append(
                eng.Shift(
                    sid,
                    user_id,
                    5,
                    start,
                    start + timedelta(seconds=length),
                    day,
                    length,
                    zone,
                    on_clock,
                    f"lm{i}",
                )
            )
        else:
            code = 5 if kind == "manual" else draw(st.sampled_from([PTO, UNPAID, UNLINKED]))
            seconds = draw(st.integers(1, 10 * 3600))
            out.append(
                eng.Shift(
                    sid, user_id, code, None, None, day, seconds, zone, False, f"lm{i}", "manual"
                )
            )
    return out


@st.composite
def company(draw):
    cal_type = draw(st.sampled_from(["WEEKLY", "Fortnightly"]))
    zone = draw(st.sampled_from(ZONES))
    users, links, employees, shifts = {}, {}, {}, []
    for uid in range(1, draw(st.integers(1, 4)) + 1):
        approved = ANCHOR + timedelta(days=draw(st.integers(-3, 32)))
        users[uid] = eng.PayUser(uid, f"Person {uid}", approved, approved + timedelta(days=3))
        links[uid] = f"emp-{uid}"
        employees[f"emp-{uid}"] = eng.PayEmployee(f"emp-{uid}", f"Person {uid}", "cal", RATE)
        shifts += draw(shifts_for(uid, zone))
    period_day = ANCHOR + timedelta(days=draw(st.integers(0, 27)))
    return eng.PayrollInputs(
        today=TODAY,
        period_day=period_day,
        users=users,
        links=links,
        employees=employees,
        calendars={"cal": eng.PayCalendar("cal", "Pay", cal_type, ANCHOR)},
        rates={RATE: eng.EarningsRate(RATE, "Ordinary Hours", True)},
        time_off_codes={
            PTO: ("Annual Leave", "pto"),
            UNPAID: ("Unpaid", "unpaid_time_off"),
            UNLINKED: ("Holiday", "pto"),
        },
        leave_links={PTO: "lt-annual", UNPAID: "lt-unpaid"},
        leave_types={
            "lt-annual": eng.LeaveKind("lt-annual", "Annual Leave", True),
            "lt-unpaid": eng.LeaveKind("lt-unpaid", "Unpaid Leave", False),
        },
        shifts=shifts,
        xero_timesheets={},
    )


def approved_seconds(inputs, person, start, end):
    """Independent count: seconds of regular work per local day, in the period, of the
    timesheets dated on or before ``approved_to`` (a timesheet is approved whole)."""
    user = inputs.users[person.qbt_user_id]
    per_day: dict[date, float] = {}
    for s in inputs.shifts:
        if (
            s.user_id != person.qbt_user_id
            or s.on_the_clock
            or s.jobcode_id in inputs.time_off_codes
            or s.day > user.approved_to
        ):
            continue
        if s.start is None:
            per_day[s.day] = per_day.get(s.day, 0) + s.seconds
            continue
        zone = ZoneInfo(s.tz_str)
        t = s.start.astimezone(zone)
        stop = s.end.astimezone(zone)
        while t < stop:
            nxt = datetime.combine(t.date() + timedelta(days=1), datetime.min.time(), zone)
            piece = min(stop, nxt)
            per_day[t.date()] = (
                per_day.get(t.date(), 0)
                + (piece.astimezone(UTC) - t.astimezone(UTC)).total_seconds()
            )
            t = piece
    return {d: v for d, v in per_day.items() if start <= d <= end and v > 0}


def as_exported(inputs, plan):
    """The inputs once Xero holds what ``plan`` sends, as drafts this app made."""
    sheets = dict(inputs.xero_timesheets)
    ours = set(inputs.ours)
    sent = list(inputs.sent)
    leave = {o.xero_id: o for o in inputs.our_leave}
    for p in plan.people:
        if p.action in ("create", "update"):
            sid = p.xero_id or f"ts-{p.employee_id}-{p.period_start}"
            sheets[sid] = eng.XeroTimesheet(
                sid, p.employee_id, p.period_start, p.period_end, True, p.lines()
            )
            ours.add(sid)
            sent += [
                eng.SentRow("payroll", t, lm, sid, f"{d}|{RATE}", d, h) for t, lm, d, h in p.sources
            ]
        for b in p.leave:
            if b.action == "withdraw":
                del leave[b.xero_id]
            elif b.action in ("create", "update"):
                lid = b.xero_id or f"lv-{p.employee_id}-{b.start}-{len(leave)}"
                leave[lid] = eng.OurLeave(
                    lid,
                    p.employee_id,
                    b.leave_type_id,
                    b.start,
                    b.end,
                    b.hours,
                    timesheet_ids=frozenset(t for t, _lm, _d, _h in b.sources),
                )
    return eng.PayrollInputs(
        **{
            **inputs.__dict__,
            "xero_timesheets": sheets,
            "ours": frozenset(ours),
            "sent": sent,
            "our_leave": list(leave.values()),
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company())
def test_totals_are_preserved_and_nothing_unapproved_is_sent(inputs):
    plan = eng.plan_payroll(inputs)
    start, end = plan.period_start, plan.period_end
    assert start <= inputs.period_day <= end
    for person in plan.people:
        seconds = approved_seconds(inputs, person, start, end)
        # to the hundredth, the person's total equals QuickBooks Time's approved total
        total_s = round(sum(seconds.values()))  # whole seconds here
        assert round(sum(person.days.values()) * 100) == (total_s * 100 + 1800) // 3600
        for day, hours in person.days.items():
            d = date.fromisoformat(day)
            # (a day after approved_to only holds a timesheet dated on it, over midnight)
            assert start <= d <= end and d <= inputs.users[person.qbt_user_id].approved_to + (
                timedelta(days=1)
            )
            assert abs(hours - seconds[d] / 3600) < 0.01
            assert hours == round(hours, 2)
        # one earnings rate per person: per rate totals are the person's total
        assert {rate for _d, rate, _t in person.lines()} <= {RATE}
        for block in person.leave:
            if block.action != "skip":
                assert block.leave_type_id == "lt-annual"  # never unpaid, never unlinked


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company(), st.integers(0, 13))
def test_export_then_replan_is_empty_and_no_period_goes_twice(inputs, other_day):
    plan = eng.plan_payroll(inputs)
    after = as_exported(inputs, plan)
    again = eng.plan_payroll(after)
    assert again.is_empty, [(p.name, p.action) for p in again.people]
    assert all(p.action in ("unchanged", "skip", "none") for p in again.people)
    # any other day of the same period is the same export
    day = plan.period_start + timedelta(
        days=other_day % ((plan.period_end - plan.period_start).days + 1)
    )
    same = eng.plan_payroll(eng.PayrollInputs(**{**after.__dict__, "period_day": day}))
    assert (same.period_start, same.period_end) == (plan.period_start, plan.period_end)
    assert same.is_empty
    # Xero already holding a timesheet for the person and period is never a second create
    for p in again.people:
        if p.employee_id and any(
            t.employee_id == p.employee_id and t.start == p.period_start
            for t in after.xero_timesheets.values()
        ):
            assert p.action != "create"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company(), st.data())
def test_leave_follows_its_time_off_once_sent(inputs, data):
    """Time off edited or deleted after its leave was sent: each leave we sent is updated,
    withdrawn or unchanged (never sent a second time beside it); once Xero holds that, the
    plan is empty again."""
    plan = eng.plan_payroll(inputs)
    after = as_exported(inputs, plan)
    sent = {o.xero_id: o for o in after.our_leave}
    shifts = []
    for s in after.shifts:
        if s.jobcode_id != PTO:
            shifts.append(s)
            continue
        what = data.draw(st.sampled_from(["keep", "delete", "hours", "move"]))
        if what == "hours":
            s = eng.Shift(**{**s.__dict__, "seconds": data.draw(st.integers(1, 10 * 3600))})
        elif what == "move":
            day = s.day + timedelta(days=data.draw(st.integers(-2, 2)))
            s = eng.Shift(**{**s.__dict__, "day": day})
        if what != "delete":
            shifts.append(s)
    edited = eng.PayrollInputs(**{**after.__dict__, "shifts": shifts})
    replan = eng.plan_payroll(edited)
    seen: set[str] = set()
    for p in replan.people:
        for b in p.leave:
            if b.xero_id:
                assert b.xero_id in sent and b.xero_id not in seen
                seen.add(b.xero_id)
                assert b.action in ("unchanged", "update", "withdraw", "skip")
            if b.action == "create":  # new leave never overlaps ours of the same type
                assert not any(
                    o.employee_id == p.employee_id
                    and o.leave_type_id == b.leave_type_id
                    and o.start <= b.end
                    and b.start <= o.end
                    and o.xero_id not in seen
                    for o in sent.values()
                )
    assert eng.plan_payroll(as_exported(edited, replan)).is_empty


@settings(max_examples=100, deadline=None)
@given(company())
def test_someone_elses_draft_or_an_approved_timesheet_is_never_touched(inputs):
    plan = eng.plan_payroll(inputs)
    sheets = {}
    for i, p in enumerate(plan.people):
        if p.employee_id and p.period_start:
            sheets[f"x{i}"] = eng.XeroTimesheet(
                f"x{i}", p.employee_id, p.period_start, p.period_end, i % 2 == 0, {}
            )
    other = eng.plan_payroll(eng.PayrollInputs(**{**inputs.__dict__, "xero_timesheets": sheets}))
    assert all(p.action in ("skip", "none") for p in other.people if p.employee_id)
    assert other.is_empty


@settings(max_examples=50, deadline=None)
@given(company())
def test_time_on_an_unpaid_break_code_is_never_sent(inputs):
    plan = eng.plan_payroll(inputs)
    breaks = [
        eng.Shift(
            10_000 + s.id, s.user_id, 77, s.start, s.end, s.day, s.seconds, s.tz_str, False, "b"
        )
        for s in inputs.shifts
        if s.start is not None and not s.on_the_clock
    ]
    with_breaks = eng.PayrollInputs(
        **{
            **inputs.__dict__,
            "shifts": [*inputs.shifts, *breaks],
            "unpaid_break_codes": frozenset({77}),
        }
    )
    again = eng.plan_payroll(with_breaks)
    assert {p.name: p.days for p in again.people} == {p.name: p.days for p in plan.people}
