"""The leave types: each linked to a time-off code, by name or by the user's choice."""

from __future__ import annotations

from core.engine import matching
from core.engine.leave import is_statutory
from core.engine.names import sent_name
from core.engine.plan.context import PlanContext
from core.engine.plan.model import Action
from core.engine.records import TIME_OFF_TYPES
from core.i18n import N_


class LeavePlanner:
    """Xero leave types -> links to time-off codes (local only: nothing is written)."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx

    def run(self) -> None:
        pto = [
            (j.id, j.name, j.active)
            for j in self.ctx.snap.jobcodes
            if j.type in TIME_OFF_TYPES and j.parent_id == 0
        ]
        pto_ids = {p[0] for p in pto}
        chosen = {x: q for x, q in self.ctx.leave_links.items() if q is None or q in pto_ids}
        for leave_type in self.ctx.snap.leave_types:
            lid = leave_type.leave_type_id
            name = sent_name(leave_type.name)
            if lid in chosen:
                continue  # linked already (or deliberately left unlinked)
            if is_statutory(leave_type):
                self.ctx.skip(
                    "leave_type",
                    lid,
                    name,
                    N_(
                        "statutory leave: not linked to a time-off code, as Xero takes it only "
                        "entered in Xero Payroll (with a work pattern and the notice Xero asks "
                        "for), never as leave in hours from time off"
                    ),
                )
                continue
            result = matching.match_named("leave_type", [(lid, name)], pto, {})
            target = result.links.get(lid)
            if target is None:
                decision = self.ctx.decisions.get(("leave_type", lid))
                if (
                    decision is not None
                    and decision.action == "link"
                    and decision.target_qbt_id in pto_ids
                ):
                    target = decision.target_qbt_id
            if target is None:
                self.ctx.skip(
                    "leave_type",
                    lid,
                    name,
                    N_(
                        "no time-off code with this name in QuickBooks Time: link it in "
                        '"Link leave types"'
                    ),
                )
                continue
            job = self.ctx.jobcodes[target]
            self.ctx.add(
                Action(
                    f"leave:{lid}",
                    "leave",
                    "link",
                    "leave_link",
                    "leave",
                    name,
                    lid,
                    target,
                    "leave_type",
                    after={
                        "qbt_jobcode_id": target,
                        "is_paid": leave_type.is_paid,
                        "export_to_xero": bool(leave_type.is_paid),
                        "time_off_code": job.name,
                    },
                    reason=N_("paid leave")
                    if leave_type.is_paid
                    else N_("unpaid leave: never exported to Xero"),
                )
            )
