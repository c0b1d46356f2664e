"""The planning rules for an item's hours on several jobs (one line per item and job, each
naming its job; a draft made with the older one-line-per-item layout stays as it is) and for
billed hours edited, moved or deleted in QuickBooks Time: off our draft of the range (and
billed to their new customer in the same run), flagged under the invoice's own customer once
that invoice is approved."""

from __future__ import annotations

from datetime import date

from core.engine import invoice_wording
from core.engine import invoicing as engine

START, END = date(2026, 11, 30), date(2026, 12, 6)
JOBS = {
    10: engine.Job(10, 0, "Northern Beaches Council", True, 80.0),
    11: engine.Job(11, 10, "Dee Why Reserve", True),
    12: engine.Job(12, 10, "Manly Dam Park", True),
    20: engine.Job(20, 0, "Hornsby Shire Council", True, 85.0),
    30: engine.Job(30, 0, "Mosman Rowing Club", True, 85.0),
}
PEOPLE = {7: engine.Person(7, "Olivia Brown", "2026-12-31")}
CUSTOMERS = {
    10: engine.Customer("c-nb", "Northern Beaches Council"),
    20: engine.Customer("c-ho", "Hornsby Shire Council"),
    30: engine.Customer("c-mo", "Mosman Rowing Club"),
}
MOWING = engine.Item("i-1", "MOW", "Lawn mowing", True, 60.0)


def sheet(ts_id: int, job: int, day: str, hours: float, version: str = "v1") -> engine.Timesheet:
    return engine.Timesheet(ts_id, 7, job, day, round(hours * 3600), version, {"f": "Mowing"})


class Books:
    """Xero and the app's records, as core.app.invoicing keeps them (one draft per contact)."""

    def __init__(self) -> None:
        self.billed: list[engine.Billed] = []
        self.invoices: dict[str, engine.OurInvoice] = {}
        self.lines: dict[str, list[dict]] = {}
        self.ours: dict[str, list[engine.OurLine]] = {}
        self.next_id = 0

    def plan(self, sheets: list[engine.Timesheet]) -> engine.InvoicingPlan:
        return engine.plan_invoices(
            engine.InvoicingInput(
                START,
                END,
                list(sheets),
                JOBS,
                PEOPLE,
                CUSTOMERS,
                item_field_id="f",
                items={"Mowing": MOWING},
                billed=list(self.billed),
                invoices=dict(self.invoices),
                draft_lines={
                    i: [engine.xero_line(x) for x in lines]
                    for i, lines in self.lines.items()
                    if self.invoices[i].status == "DRAFT"
                },
                our_lines=dict(self.ours),
            )
        )

    def _id(self, prefix: str) -> str:
        self.next_id += 1
        return f"{prefix}-{self.next_id}"

    def send(self, plan: engine.InvoicingPlan) -> None:
        for inv in plan.to_write:
            invoice_id = inv.invoice_id or self._id("inv")
            items, keys = inv.line_items()
            known = {x["LineItemID"]: x for x in self.lines.get(invoice_id, [])}
            answer = [
                {**known.get(x.get("LineItemID", ""), {}), **x}
                if x.get("LineItemID") in known
                else {**x, "LineItemID": self._id("line")}
                for x in items
            ]
            self.lines[invoice_id] = answer
            self.billed = [b for b in self.billed if b.invoice_id != invoice_id]
            for b in inv.kept_billed:
                key = b.line_key if b.line_key.startswith("xero:") else f"xero:{b.line_key}"
                self.billed.append(
                    engine.Billed(b.timesheet_id, b.last_modified, invoice_id, key, b.hours, b.day)
                )
            for line in inv.lines:
                for ts in line.timesheets:
                    self.billed.append(
                        engine.Billed(
                            ts.id, ts.last_modified, invoice_id, line.key, ts.seconds / 3600, ts.day
                        )
                    )
            self.ours[invoice_id] = [
                engine.OurLine(
                    key,
                    x["LineItemID"],
                    x["Description"],
                    x["Quantity"],
                    x["UnitAmount"],
                    x.get("ItemCode", ""),
                )
                for key, x in zip(keys, answer, strict=True)
                if key is not None
            ]
            self.invoices[invoice_id] = engine.OurInvoice(
                invoice_id,
                inv.contact_id,
                inv.reference,
                "DRAFT",
                f"INV-{invoice_id}",
                inv.contact_name,
            )

    def approve(self, contact_id: str) -> None:
        for i, inv in list(self.invoices.items()):
            if inv.contact_id == contact_id:
                self.invoices[i] = engine.OurInvoice(
                    i, inv.contact_id, inv.reference, "AUTHORISED", inv.number, inv.contact_name
                )

    def draft_of(self, contact_id: str) -> str:
        return next(i for i, inv in self.invoices.items() if inv.contact_id == contact_id)

    def hours_on(self, contact_id: str) -> float:
        lines = self.lines.get(self.draft_of(contact_id), [])
        return round(sum(x["Quantity"] for x in lines), 2)


def billed_once(books: Books) -> None:
    ids = [b.timesheet_id for b in books.billed]
    assert len(ids) == len(set(ids)), ids


def problems(plan: engine.InvoicingPlan) -> list[tuple[str, str]]:
    return [(p.who, p.reason("en")) for p in plan.problems]


# ---------------------------------------------------------------- one line per item and job
def test_an_item_worked_on_two_jobs_gets_one_line_per_job_each_naming_its_job():
    sheets = [sheet(1, 11, "2026-11-30", 2.5), sheet(2, 12, "2026-12-01", 4.0)]
    plan = Books().plan(sheets)
    (inv,) = plan.invoices
    assert sorted((x.description, x.hours) for x in inv.lines) == [
        ("Lawn mowing (Dee Why Reserve): 2026-11-30", 2.5),
        ("Lawn mowing (Manly Dam Park): 2026-12-01", 4.0),
    ]


def _to_old_layout(books: Books) -> None:
    """What a run from before lines were split by job recorded: item keys without the job."""

    def legacy(key: str) -> str:
        return key.replace("|job:11", "")

    books.billed = [
        engine.Billed(b.timesheet_id, b.last_modified, b.invoice_id, legacy(b.line_key), b.hours)
        for b in books.billed
    ]
    books.ours = {
        i: [
            engine.OurLine(
                legacy(o.key), o.line_item_id, o.description, o.quantity, o.unit_amount, o.item_code
            )
            for o in lines
        ]
        for i, lines in books.ours.items()
    }


def test_a_draft_made_with_one_line_per_item_is_left_as_it_is_when_that_line_had_one_job():
    books = Books()
    sheets = [sheet(1, 11, "2026-11-30", 2.5), sheet(2, 11, "2026-12-01", 4.0)]
    books.send(books.plan(sheets))
    _to_old_layout(books)
    again = books.plan(sheets)
    assert [i.action for i in again.invoices] == ["unchanged"]
    assert again.is_empty
    # new hours on the same job go on that line (its LineItemID kept), nothing billed twice
    books.send(books.plan([*sheets, sheet(3, 11, "2026-12-02", 1.0)]))
    (line,) = books.lines[books.draft_of("c-nb")]
    assert line["Quantity"] == 7.5
    billed_once(books)


def test_an_old_line_of_one_item_on_two_jobs_is_split_once_with_no_hours_twice():
    books = Books()
    sheets = [sheet(1, 11, "2026-11-30", 2.5), sheet(2, 12, "2026-12-01", 4.0)]
    books.send(books.plan(sheets))
    invoice_id = books.draft_of("c-nb")
    # the line the older layout made: both jobs' hours, named after the first one's job
    first = books.lines[invoice_id][0]
    old = {
        **first,
        "Description": invoice_wording.line_text(
            "Lawn mowing", ["2026-11-30", "2026-12-01"], "en", job_name="Dee Why Reserve"
        ),
        "Quantity": 6.5,
    }
    books.lines[invoice_id] = [old]
    books.ours[invoice_id] = [
        engine.OurLine("item:MOW|60", old["LineItemID"], old["Description"], 6.5, 60.0, "MOW")
    ]
    books.billed = [
        engine.Billed(b.timesheet_id, b.last_modified, b.invoice_id, "item:MOW|60", b.hours)
        for b in books.billed
    ]
    plan = books.plan(sheets)
    (inv,) = plan.invoices
    assert inv.action == "update" and not inv.kept and not inv.removed
    assert sorted((x.change, x.description, x.hours) for x in inv.lines) == [
        ("new", "Lawn mowing (Manly Dam Park): 2026-12-01", 4.0),
        ("updated", "Lawn mowing (Dee Why Reserve): 2026-11-30", 2.5),
    ]
    books.send(plan)
    assert books.hours_on("c-nb") == 6.5
    billed_once(books)
    assert books.plan(sheets).is_empty


# ---------------------------------------------------------------- hours moved or deleted
def _billed_to_two_customers() -> tuple[Books, list[engine.Timesheet]]:
    books = Books()
    sheets = [
        sheet(1, 20, "2026-11-30", 3.75),
        sheet(2, 20, "2026-12-01", 2.0),
        sheet(3, 30, "2026-12-01", 3.85),
    ]
    books.send(books.plan(sheets))
    return books, sheets


def test_hours_moved_off_our_draft_go_to_their_new_customer_in_the_same_run():
    books, sheets = _billed_to_two_customers()
    moved = [sheet(1, 30, "2026-11-30", 3.75, "v2"), *sheets[1:]]
    plan = books.plan(moved)
    assert problems(plan) == []
    by_contact = {i.contact_id: i for i in plan.invoices}
    assert by_contact["c-ho"].action == "update" and by_contact["c-ho"].hours == 2.0
    assert by_contact["c-mo"].action == "update" and by_contact["c-mo"].hours == 7.6
    assert by_contact["c-mo"].takes_from == {books.draft_of("c-ho")}
    books.send(plan)
    assert (books.hours_on("c-ho"), books.hours_on("c-mo")) == (2.0, 7.6)
    billed_once(books)
    assert books.plan(moved).is_empty


def test_the_only_hours_of_a_draft_moved_away_leave_that_draft():
    books, sheets = _billed_to_two_customers()
    moved = [sheet(1, 30, "2026-11-30", 3.75, "v2"), sheet(2, 30, "2026-12-01", 2.0, "v2")]
    plan = books.plan([*moved, sheets[2]])
    by_contact = {i.contact_id: i for i in plan.invoices}
    assert by_contact["c-ho"].action == "update" and by_contact["c-ho"].lines == []
    assert by_contact["c-mo"].hours == 9.6
    books.send(plan)
    assert (books.hours_on("c-ho"), books.hours_on("c-mo")) == (0, 9.6)
    assert books.plan([*moved, sheets[2]]).is_empty


def test_hours_moved_off_an_approved_invoice_are_flagged_under_its_customer():
    books, sheets = _billed_to_two_customers()
    books.approve("c-ho")
    moved = [sheet(1, 30, "2026-11-30", 3.75, "v2"), *sheets[1:]]
    plan = books.plan(moved)
    number = books.invoices[books.draft_of("c-ho")].number
    assert problems(plan) == [
        (
            "Hornsby Shire Council",
            f"Hours of 2026-11-30 were changed in QuickBooks Time after invoice {number} was "
            "approved in Xero: the invoice is left as it is; correct it in Xero (a credit note "
            "or a new invoice) if needed.",
        )
    ]
    assert plan.is_empty  # not billed to Mosman too


def test_hours_deleted_or_moved_out_after_approval_are_flagged():
    for after in ([], [sheet(1, 20, "2026-12-09", 3.75, "v2")]):
        books, sheets = _billed_to_two_customers()
        books.approve("c-ho")
        plan = books.plan([*after, *sheets[1:]])
        number = books.invoices[books.draft_of("c-ho")].number
        assert problems(plan) == [
            (
                "Hornsby Shire Council",
                f"Hours of 2026-11-30 billed on invoice {number} were deleted in QuickBooks "
                "Time, or moved to other days or to hours not billed, after the invoice was "
                "approved in Xero: the invoice is left as it is; correct it in Xero (a credit "
                "note) if needed.",
            )
        ]
        assert plan.is_empty


def test_hours_deleted_from_our_draft_leave_it_unless_their_line_is_theirs_now():
    books, sheets = _billed_to_two_customers()
    plan = books.plan(sheets[1:])
    (inv,) = [i for i in plan.invoices if i.contact_id == "c-ho"]
    assert inv.action == "update" and inv.hours == 2.0 and problems(plan) == []
    # their line: a bookkeeper changed the line in Xero; the hours stay billed there, flagged
    books, sheets = _billed_to_two_customers()
    invoice_id = books.draft_of("c-ho")
    books.lines[invoice_id][0]["UnitAmount"] = 70.0
    plan = books.plan(sheets[1:])
    (inv,) = [i for i in plan.invoices if i.contact_id == "c-ho"]
    assert sorted(b.timesheet_id for b in inv.kept_billed) == [1, 2]
    assert problems(plan) == [
        (
            "Hornsby Shire Council",
            f"Hours of 2026-11-30 were deleted in QuickBooks Time, or moved to other days or "
            f"to hours not billed, but their line on draft INV-{invoice_id} was changed or "
            "removed in Xero: that line is left as it is; correct it in Xero if needed.",
        )
    ]
