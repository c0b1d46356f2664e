"""The leave types: each linked to a time-off code, by name or by the user's choice."""

from __future__ import annotations

from core.engine import matching
from core.engine.leave import is_statutory
from core.engine.names import sent_name
from core.engine.plan.context import PlanContext
from core.engine.plan.model import Action
from core.engine.records import TIME_OFF_TYPES, XeroLeaveType
from core.i18n import N_


def link_reason(leave_type: XeroLeaveType, code_type: str) -> str:
    """Why the link is made, saying truthfully whether time off on the code is sent to Xero
    Payroll as this leave (the export sends only paid, active leave counted in hours, from a
    paid time-off code: ``core.engine.payroll``)."""
    if not leave_type.is_paid:
        return N_("unpaid leave: never exported to Xero")
    if not leave_type.active:
        return N_("paid leave no longer active in Xero: its time off is not sent")
    units = leave_type.units.strip().casefold()
    if units in ("days", "day"):
        return N_(
            "paid leave counted in days in Xero (QuickBooks Time counts hours): its time off "
            "is not sent"
        )
    if units in ("weeks", "week"):
        return N_(
            "paid leave counted in weeks in Xero (QuickBooks Time counts hours): its time off "
            "is not sent"
        )
    if units not in ("", "hours", "hour"):
        return N_("paid leave not counted in hours in Xero: its time off is not sent")
    if code_type == "unpaid_time_off":
        return N_("paid leave linked to an unpaid time-off code: its time off is not sent")
    return N_("paid leave")


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
                    reason=link_reason(leave_type, job.type),
                )
            )
