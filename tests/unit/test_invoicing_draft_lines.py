"""Updating one of our drafts changes only the lines the product made (by LineItemID): lines
added in Xero are sent back as they are, a line of ours changed or removed in Xero is kept
as theirs (never overwritten; its hours stay billed, new hours go on a new line), and the
preview says what each line becomes."""

from __future__ import annotations

import itertools
from datetime import date

from core.engine import invoicing as engine

START, END = date(2026, 11, 30), date(2026, 12, 6)
JOBS = {10: engine.Job(10, 0, "Garden care", True, 80.0), 11: engine.Job(11, 10, "Pruning", True)}
PEOPLE = {7: engine.Person(7, "Olivia Brown", "2026-12-31")}
CUSTOMERS = {10: engine.Customer("c-1", "Chippy Davis")}
_ids = itertools.count(1)


class FakeXero:
    """Xero's LineItemID rules, for one draft: a named id updates its line, a line without a
    known id is new (an id Xero makes), the lines left out are deleted."""

    def __init__(self) -> None:
        self.lines: list[dict] = []

    def write(self, items: list[dict]) -> list[dict]:
        known = {x["LineItemID"]: x for x in self.lines}
        out = []
        for item in items:
            lid = item.get("LineItemID")
            if lid in known:
                out.append({**known.pop(lid), **item, "LineItemID": lid})
            else:
                out.append({**item, "LineItemID": f"line-{next(_ids)}"})
        self.lines = out
        return out

    def current(self) -> list[engine.XeroLine]:
        return [engine.xero_line(x) for x in self.lines]


class World:
    def __init__(self) -> None:
        self.sheets: list[engine.Timesheet] = []
        self.billed: list[engine.Billed] = []
        self.invoices: dict[str, engine.OurInvoice] = {}
        self.ours: dict[str, list[engine.OurLine]] = {}
        self.xero = FakeXero()

    def hours(self, ts_id: int, job: int, day: str, hours: float, version: str = "v1") -> None:
        self.sheets = [t for t in self.sheets if t.id != ts_id]
        self.sheets.append(engine.Timesheet(ts_id, 7, job, day, round(hours * 3600), version))

    def plan(self) -> engine.InvoicingPlan:
        drafts = {i: self.xero.current() for i in self.invoices}
        return engine.plan_invoices(
            engine.InvoicingInput(
                START,
                END,
                list(self.sheets),
                JOBS,
                PEOPLE,
                CUSTOMERS,
                billed=list(self.billed),
                invoices=dict(self.invoices),
                draft_lines=drafts,
                our_lines=dict(self.ours),
            )
        )

    def send(self, plan: engine.InvoicingPlan) -> None:
        """What the app records once Xero answered (as core.app.invoicing does)."""
        for inv in plan.to_write:
            invoice_id = inv.invoice_id or "inv-1"
            items, keys = inv.line_items()
            answer = self.xero.write(items)
            self.billed = [b for b in self.billed if b.invoice_id != invoice_id]
            for b in inv.kept_billed:
                key = b.line_key if b.line_key.startswith("xero:") else f"xero:{b.line_key}"
                self.billed.append(
                    engine.Billed(b.timesheet_id, b.last_modified, invoice_id, key, b.hours)
                )
            for line in inv.lines:
                for ts in line.timesheets:
                    self.billed.append(
                        engine.Billed(
                            ts.id, ts.last_modified, invoice_id, line.key, ts.seconds / 3600
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
                    engine.tracking_of(x.get("Tracking")),
                )
                for key, x in zip(keys, answer, strict=True)
                if key is not None
            ]
            self.invoices[invoice_id] = engine.OurInvoice(invoice_id, "c-1", inv.reference, "DRAFT")

    def bookkeeper_adds(self, description: str, qty: float, price: float) -> str:
        line = {
            "Description": description,
            "Quantity": qty,
            "UnitAmount": price,
            "AccountCode": "200",
            "LineItemID": f"theirs-{next(_ids)}",
        }
        self.xero.lines.append(line)
        return line["LineItemID"]


def billed_once(world: World) -> None:
    ids = [b.timesheet_id for b in world.billed]
    assert len(ids) == len(set(ids))


def first_draft() -> World:
    world = World()
    world.hours(1, 10, "2026-12-01", 5)
    world.hours(2, 11, "2026-12-02", 2)
    plan = world.plan()
    assert [i.action for i in plan.invoices] == ["create"]
    world.send(plan)
    return world


def test_a_line_added_in_xero_is_sent_back_as_it_is_and_ours_updated_by_id():
    world = first_draft()
    ours = {x.key: x.line_item_id for x in world.ours["inv-1"]}
    theirs = world.bookkeeper_adds("Materials", 1, 120)
    world.hours(3, 10, "2026-12-03", 1.5)  # new hours on Garden care

    plan = world.plan()
    (inv,) = plan.invoices
    assert inv.action == "update"
    items, keys = inv.line_items()
    by_id = {x.get("LineItemID"): x for x in items}
    assert by_id[theirs] == {
        "Description": "Materials",
        "Quantity": 1,
        "UnitAmount": 120,
        "AccountCode": "200",
        "LineItemID": theirs,
    }
    garden = next(line for line in inv.lines if line.job_name == "Garden care")
    assert garden.change == "updated" and garden.line_item_id == ours[garden.key]
    assert garden.hours == 6.5 and garden.before is not None and garden.before.quantity == 5
    pruning = next(line for line in inv.lines if line.job_name == "Pruning")
    assert pruning.change == "same"
    assert [k.why for k in inv.kept] == ["theirs"] and not inv.removed
    assert None in keys  # their line is not ours

    world.send(plan)
    assert [x["Description"] for x in world.xero.lines][2] == "Materials"
    assert any(x["LineItemID"] == theirs for x in world.xero.lines)
    assert world.plan().is_empty
    billed_once(world)


def test_a_line_of_ours_changed_in_xero_is_kept_and_new_hours_go_on_a_new_line():
    world = first_draft()
    garden = next(x for x in world.xero.lines if x["Description"].startswith("Garden care"))
    garden["Quantity"] = 4  # the bookkeeper wrote an hour off
    world.hours(3, 10, "2026-12-03", 1.5)

    plan = world.plan()
    (inv,) = plan.invoices
    assert inv.action == "update"
    assert [(k.why, k.line.quantity) for k in inv.kept] == [("edited", 4)]
    new = [line for line in inv.lines if line.change == "new"]
    assert [(line.job_name, line.hours, [t.id for t in line.timesheets]) for line in new] == [
        ("Garden care", 1.5, [3])
    ]
    assert [b.timesheet_id for b in inv.kept_billed] == [1]
    items, _ = inv.line_items()
    assert {"Quantity": 4}.items() <= next(
        x for x in items if x.get("LineItemID") == garden["LineItemID"]
    ).items()
    world.send(plan)
    assert sorted(x["Quantity"] for x in world.xero.lines) == [1.5, 2, 4]
    assert world.plan().is_empty  # their line stays theirs, nothing billed twice
    billed_once(world)

    # Hours on their line edited in QuickBooks Time: reported, the line left as it is.
    world.hours(1, 10, "2026-12-01", 6, version="v2")
    again = world.plan()
    assert again.is_empty
    (problem,) = again.problems
    assert "changed or removed in Xero" in problem.reason("en")
    assert "modifiée ou supprimée dans Xero\u00a0:" in problem.reason("fr")


def test_a_line_of_ours_removed_in_xero_is_not_added_again():
    world = first_draft()
    world.xero.lines = [x for x in world.xero.lines if not x["Description"].startswith("Pruning")]
    assert world.plan().is_empty  # the bookkeeper's choice stands
    world.hours(4, 11, "2026-12-04", 3)  # new hours on Pruning: a new line, those hours only
    plan = world.plan()
    (inv,) = plan.invoices
    new = [line for line in inv.lines if line.change == "new"]
    assert [(line.job_name, line.hours) for line in new] == [("Pruning", 3)]
    world.send(plan)
    assert sorted(x["Quantity"] for x in world.xero.lines) == [3, 5]
    billed_once(world)


def test_a_line_with_no_hours_left_is_removed_and_said():
    world = first_draft()
    world.sheets = [t for t in world.sheets if t.id != 2]  # Pruning's hours deleted
    world.bookkeeper_adds("Materials", 1, 120)
    plan = world.plan()
    (inv,) = plan.invoices
    assert inv.action == "update"
    assert [x.description.split(":")[0] for x in inv.removed] == ["Pruning"]
    items, _ = inv.line_items()
    assert [x["Description"].split(":")[0] for x in items] == ["Garden care", "Materials"]


def test_lines_of_a_run_that_kept_no_ids_are_found_by_what_they_say():
    world = first_draft()
    world.ours["inv-1"] = [
        engine.OurLine(x.key, "", x.description, x.quantity, x.unit_amount)
        for x in world.ours["inv-1"]
    ]
    world.bookkeeper_adds("Materials", 1, 120)
    world.hours(3, 10, "2026-12-03", 1.5)
    plan = world.plan()
    (inv,) = plan.invoices
    assert sorted(line.change for line in inv.lines) == ["same", "updated"]
    assert [k.why for k in inv.kept] == ["theirs"]
    world.send(plan)
    assert [x["Description"] for x in world.xero.lines].count("Materials") == 1
    assert len(world.xero.lines) == 3
    billed_once(world)


def test_a_draft_whose_lines_are_unknown_is_never_overwritten():
    """No record of our lines (nothing to match): every line on the draft is kept as it is and
    the hours billed on it stay billed; only new hours are added, as new lines."""
    world = first_draft()
    world.ours = {}
    world.hours(3, 10, "2026-12-03", 1.5)
    plan = world.plan()
    (inv,) = plan.invoices
    assert len(inv.kept) == 2 and [line.hours for line in inv.lines] == [1.5]
    world.send(plan)
    assert sorted(x["Quantity"] for x in world.xero.lines) == [1.5, 2, 5]
    billed_once(world)
