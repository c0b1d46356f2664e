"""The import plan: a pure function from snapshots + links + decisions + options to actions.

Nothing here reads the network or the database: :func:`plan_import` takes plain values and
returns an :class:`ImportPlan`, an ordered list of :class:`Action`, each with the QuickBooks
Time values before and after. The preview shows it; the importer executes it; a dry run
prints it. Because the plan is computed from the current state, applying it and planning
again yields an empty plan — that is what makes re-imports and resumed imports safe.

Rules (``../shared/DOMAIN.md``), option by option:

* customers: Xero contacts that are customers (plus contacts added by hand with "Manage
  Xero customers") → top-level ``regular`` jobcodes; their street address (else postal) →
  a location linked to the jobcode, updated in place, never duplicated. Archived in Xero
  and linked → archived in QuickBooks Time. Renamed in Xero → renamed.
* archive unmatched customers: active top-level customers with no Xero counterpart (and
  not offered as a candidate in an open conflict) are archived, one action each.
* assign all: imported customers get ``assigned_to_all``.
* items: Xero items that are sold and not tracked → the items of one custom field; the
  others are reported as skipped with the reason. "Require an item" → ``required``.
* tracking categories: one custom field each, active options → its items.
* employees (only where Xero has payroll): users with a unique username, e-mail and time
  tracking enabled; terminated employees' users archived.
* leave: Xero leave types linked to time-off codes by name or by the user's choice; unpaid
  leave is never exported.

The parts: :mod:`.model` (options, actions, the plan), :mod:`.rules` (what others apply too,
e.g. what a link writes), :mod:`.context` (what the planners share), one planner per kind
(:mod:`.customers`, :mod:`.custom_fields`, :mod:`.employees`, :mod:`.leave_types`), run in
that order by :func:`plan_import`: fields before customers, customers before employees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.engine.names import NAME_LIMIT
from core.engine.plan.context import PlanContext
from core.engine.plan.custom_fields import FieldPlanner
from core.engine.plan.customers import CustomerPlanner
from core.engine.plan.employees import EmployeePlanner
from core.engine.plan.leave_types import LeavePlanner
from core.engine.plan.model import (
    DEFAULT_ITEM_FIELD_NAME,
    ITEMS_FIELD_XERO_ID,
    PHASES,
    SUMMARY_KINDS,
    Action,
    DecisionView,
    ImportOptions,
    ImportPlan,
    Skipped,
    ordered_groups,
)
from core.engine.plan.rules import (
    field_name_clash,
    item_field_name_problem,
    linked_active,
    linked_email,
    linked_name,
    make_username,
)
from core.engine.records import Snapshot

__all__ = [
    "DEFAULT_ITEM_FIELD_NAME",
    "ITEMS_FIELD_XERO_ID",
    "NAME_LIMIT",
    "PHASES",
    "SUMMARY_KINDS",
    "Action",
    "DecisionView",
    "ImportOptions",
    "ImportPlan",
    "Skipped",
    "field_name_clash",
    "item_field_name_problem",
    "linked_active",
    "linked_email",
    "linked_name",
    "make_username",
    "ordered_groups",
    "plan_import",
]


def plan_import(
    snap: Snapshot,
    links: Mapping[str, Mapping[str, int]],
    decisions: Mapping[tuple[str, str], DecisionView],
    options: ImportOptions,
    leave_links: Mapping[str, int | None] | None = None,
    remembered: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
) -> ImportPlan:
    """The ordered actions that bring QuickBooks Time in line with Xero (pure).

    ``remembered``: the last plan's :meth:`ImportPlan.lookalikes`. Each is offered again
    while it still scores as a look-alike, so a record waiting for a decision keeps
    waiting when the fuzzy step's blocking, crowded by new records, no longer finds its
    look-alike (planning again after an import then still finds nothing to do)."""
    ctx = PlanContext(snap, links, decisions, options, leave_links or {}, remembered)
    plan = ctx.plan
    plan.key_owner_id = snap.key_owner_id
    if options.import_items or options.import_tracking:
        fields = FieldPlanner(ctx)
        if options.import_items:
            fields.items()
        if options.import_tracking:
            fields.tracking()
    if options.import_customers:
        CustomerPlanner(ctx).run()
    if snap.has_payroll and options.import_employees:
        EmployeePlanner(ctx).run()
    if snap.has_payroll and options.link_leave:
        LeavePlanner(ctx).run()
    wanted = {
        "customer": options.import_customers,
        "item": options.import_items,
        "employee": snap.has_payroll and options.import_employees,
    }
    plan.skipped.extend(
        Skipped(p.kind, p.xero_id, p.name, p.reason, p.params, True)
        for p in snap.problems
        if wanted.get(p.kind)
    )
    order = {p: i for i, p in enumerate(PHASES)}
    plan.actions.sort(key=lambda a: order[a.phase])  # stable inside a phase
    return plan
