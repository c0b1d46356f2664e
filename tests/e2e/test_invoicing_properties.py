"""Properties of billing time, over random timesheets.

- On the Demo Company (AU): random hours logged through QuickBooks Time's API on the
  customers people work for, billed in random pieces (sub-ranges, re-runs, hours added
  between runs): in the end the billed hours per customer, item and price equal the billable
  approved hours, and no timesheet is on two invoices.
- The engine alone, many more examples: the same two rules, plus "a second plan after
  recording the first writes nothing".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.app.invoicing import bill_time
from core.engine import invoicing as engine
from core.sandbox.xero_config import XeroConfig
from core.store.models import SentHours
from tests.e2e.test_invoicing import add_hours, billed, expected, hours_range, ready
from tests.reliability.support import install_virtual_time

# ---------------------------------------------------------------------------- the Demo Company
pieces = st.lists(
    st.tuples(
        st.integers(0, 10_000),  # which (person, job) pair
        st.integers(0, 27),  # day offset in the range
        st.integers(1, 40).map(lambda q: q * 15 * 60 - 7),  # odd seconds: rounding
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.generate],  # each example bills on a live Demo Company: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(pieces, min_size=1, max_size=2), split=st.integers(1, 26))
def test_billed_hours_equal_billable_hours_and_no_timesheet_twice(demo_ctx, batches, split):
    if not hasattr(test_billed_hours_equal_billable_hours_and_no_timesheet_twice, "ctx"):
        # many runs in a minute: the waits for Xero's limits pass virtually
        made = ready(demo_ctx, "AU", {"xero_config": XeroConfig(minute_limit=100_000)})
        install_virtual_time(made[0])
        test_billed_hours_equal_billable_hours_and_no_timesheet_twice.ctx = made
    ctx, conn = test_billed_hours_equal_billable_hours_and_no_timesheet_twice.ctx
    start, end = hours_range(ctx)
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    pairs = sorted(
        {
            (t["user_id"], t["jobcode_id"])
            for t in qbt["timesheets"]
            if jobs[t["jobcode_id"]].get("billable") and t["type"] == "regular"
        }
    )
    # the second piece is never empty (the Demo Company's range is 26 days some weeks)
    middle = min(start + timedelta(days=split), end - timedelta(days=1))
    for n, batch in enumerate(batches):
        for pick, offset, seconds in batch:
            user, job = pairs[pick % len(pairs)]
            add_hours(ctx, user, job, min(start + timedelta(days=offset), end), seconds / 3600)
        # bill one piece of the range between batches of new hours
        if n == 0:
            bill_time(ctx, conn, start=start, end=middle)
    bill_time(ctx, conn, start=start, end=middle)
    bill_time(ctx, conn, start=middle + timedelta(days=1), end=end)

    want = expected(ctx, conn, start, end)
    got = billed(ctx, conn)
    assert set(got) == set(want)
    per_customer_want: Counter[str] = Counter()
    per_customer_got: Counter[str] = Counter()
    for (contact, _code, _price), hours in want.items():
        per_customer_want[contact] += hours
    for (contact, _code, _price), hours in got.items():
        per_customer_got[contact] += hours
    for contact, hours in per_customer_want.items():
        # each line rounds to the hundredth: a few lines per customer and range
        assert abs(per_customer_got[contact] - hours) <= 0.005 * 40, contact
    active = Counter(
        r.qbt_timesheet_id
        for r in SentHours.select().where(
            (SentHours.target == "invoice") & (SentHours.active == True)  # noqa: E712
        )
    )
    assert active and max(active.values()) == 1  # no timesheet billed twice


# ---------------------------------------------------------------------------- the engine alone
START = date(2026, 11, 16)
JOBS = {
    1: engine.Job(1, 0, "Alpha", True, 80.0),
    2: engine.Job(2, 0, "Beta", True, None),
    3: engine.Job(3, 2, "Beta - garden", True, 60.0),
    4: engine.Job(4, 0, "Internal", False, 50.0),
}
CUSTOMERS = {1: engine.Customer("c-1", "Alpha"), 2: engine.Customer("c-2", "Beta")}
ITEMS = {
    "Mowing": engine.Item("i-1", "MOW", "Mowing", True, 45.0),
    "Consulting": engine.Item("i-2", "CON", "Consulting", True, None),
}
PEOPLE = {7: engine.Person(7, "Ann", "2026-11-25"), 8: engine.Person(8, "Bo", "2026-12-31")}

sheets = st.lists(
    st.builds(
        lambda i, user, job, day, seconds, item: engine.Timesheet(
            i,
            user,
            job,
            (START + timedelta(days=day)).isoformat(),
            seconds,
            "v1",
            {"9": item},
        ),
        st.integers(1, 10**6),
        st.sampled_from([7, 8]),
        st.sampled_from([1, 2, 3, 4]),
        st.integers(0, 13),
        st.integers(1, 36_000),
        st.sampled_from(["", "Mowing", "Consulting"]),
    ),
    max_size=40,
    unique_by=lambda t: t.id,
)


def _inp(timesheets, billed_rows, invoices, xero=None):
    xero = xero if xero is not None else _Xero()
    return engine.InvoicingInput(
        start=START,
        end=START + timedelta(days=13),
        timesheets=timesheets,
        jobs=JOBS,
        people=PEOPLE,
        customers=CUSTOMERS,
        item_field_id="9",
        items=ITEMS,
        billed=billed_rows,
        invoices=invoices,
        base_currency="AUD",
        draft_lines={i: [engine.xero_line(x) for x in xero.lines.get(i, [])] for i in invoices},
        our_lines=dict(xero.ours),
    )


class _Xero:
    """Each draft's lines as Xero keeps them (a named LineItemID updates its line, a line
    without one is new, the lines an update leaves out are deleted) and the lines the app
    recorded as ours from each answer."""

    def __init__(self) -> None:
        self.lines: dict[str, list[dict]] = {}
        self.ours: dict[str, list[engine.OurLine]] = {}
        self.n = 0

    def write(self, invoice_id: str, items: list[dict]) -> list[dict]:
        known = {x["LineItemID"]: x for x in self.lines.get(invoice_id, [])}
        out = []
        for item in items:
            lid = item.get("LineItemID")
            self.n += 1
            if lid in known:
                out.append({**known.pop(lid), **item, "LineItemID": lid})
            else:
                out.append({**item, "LineItemID": f"{invoice_id}-line-{self.n}"})
        self.lines[invoice_id] = out
        return out


def _record(plan, billed_rows, invoices, n, xero=None):
    """What the app records after Xero accepted every planned write."""
    xero = xero if xero is not None else _Xero()
    for k, inv in enumerate(plan.to_write):
        invoice_id = inv.invoice_id or f"inv-{n}-{k}"
        billed_rows[:] = [b for b in billed_rows if b.invoice_id != invoice_id]
        for b in inv.kept_billed:
            key = b.line_key if b.line_key.startswith("xero:") else f"xero:{b.line_key}"
            billed_rows.append(
                engine.Billed(b.timesheet_id, b.last_modified, invoice_id, key, b.hours)
            )
        for line in inv.lines:
            for ts in line.timesheets:
                billed_rows.append(
                    engine.Billed(ts.id, ts.last_modified, invoice_id, line.key, ts.seconds / 3600)
                )
        items, keys = inv.line_items()
        answer = xero.write(invoice_id, items)
        xero.ours[invoice_id] = [
            engine.OurLine(
                key,
                x["LineItemID"],
                x["Description"],
                x["Quantity"],
                x["UnitAmount"],
                x.get("ItemCode", ""),
                engine.tracking_of(x.get("Tracking")),
            )
            for key, x in zip(keys, answer, strict=True)
            if key is not None
        ]
        invoices[invoice_id] = engine.OurInvoice(invoice_id, inv.contact_id, inv.reference, "DRAFT")


def _bookkeeper(xero: _Xero, edits: list[tuple[int, int]]) -> set[str]:
    """Between two runs a person adds a line to a draft (0), changes a line (1) or removes
    one (2) in Xero; returns the ids of the lines they added that are still there."""
    added = set()
    for pick, what in edits:
        drafts = sorted(xero.lines)
        if not drafts:
            break
        lines = xero.lines[drafts[pick % len(drafts)]]
        if what == 0 or not lines:
            xero.n += 1
            line = {"Description": "Materials", "Quantity": 1, "UnitAmount": 9.5}
            line["LineItemID"] = f"theirs-{xero.n}"
            lines.append(line)
            added.add(line["LineItemID"])
        elif what == 1:
            lines[pick % len(lines)]["Quantity"] += 1
        else:
            del lines[pick % len(lines)]
    return added & {x["LineItemID"] for lines in xero.lines.values() for x in lines}


@settings(max_examples=200, deadline=None)
@given(
    first=sheets,
    later=sheets,
    edits=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 2)), max_size=4),
)
def test_engine_bills_each_billable_approved_hour_once(first, later, edits):
    """Also when a person adds, changes or removes lines of our drafts in Xero between two
    runs: the lines they added are still there, each hour is billed once."""
    later = [t for t in later if t.id not in {s.id for s in first}]
    billed_rows: list[engine.Billed] = []
    invoices: dict[str, engine.OurInvoice] = {}
    xero = _Xero()
    plan = engine.plan_invoices(_inp(first, billed_rows, invoices, xero))
    _record(plan, billed_rows, invoices, 1, xero)
    theirs = _bookkeeper(xero, edits)
    everything = first + later
    plan = engine.plan_invoices(_inp(everything, billed_rows, invoices, xero))
    _record(plan, billed_rows, invoices, 2, xero)
    again = engine.plan_invoices(_inp(everything, billed_rows, invoices, xero))
    assert again.is_empty
    assert theirs <= {x["LineItemID"] for lines in xero.lines.values() for x in lines}

    want: defaultdict[str, float] = defaultdict(float)
    for ts in everything:
        job = JOBS[ts.jobcode_id]
        approved = ts.day <= PEOPLE[ts.user_id].approved_to
        top = job.parent_id or job.id
        priced = (ts.customfields["9"] == "Mowing") or (
            job.billable_rate or JOBS[top].billable_rate
        )
        if job.billable and approved and priced:
            want[CUSTOMERS[top].contact_id] += ts.seconds / 3600
    got: defaultdict[str, float] = defaultdict(float)
    for row in billed_rows:
        got[invoices[row.invoice_id].contact_id] += row.hours
    assert set(got) == {c for c, h in want.items() if h}
    for contact, hours in want.items():
        assert abs(got[contact] - hours) < 1e-6
    ids = Counter(row.timesheet_id for row in billed_rows)
    assert not ids or max(ids.values()) == 1
    # one draft per customer and range, its lines' quantities the hundredths of their hours
    assert len(invoices) == len(got)
    for plan_inv in again.invoices:
        for line in plan_inv.lines:
            seconds = sum(t.seconds for t in line.timesheets)
            assert line.hours == round(seconds / 3600, 2)
