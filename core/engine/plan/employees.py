"""The employees (where Xero has payroll): users created, updated, restored or archived,
through the guards for administrators and the user behind the access key."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from core.engine import matching
from core.engine.matching import Conflict
from core.engine.names import sent_name
from core.engine.plan.context import PlanContext
from core.engine.plan.model import Action
from core.engine.plan.rules import (
    linked_active,
    linked_email,
    linked_name,
    make_username,
    valid_email,
)
from core.engine.records import QBTUser, XeroEmployee
from core.i18n import N_

#: the reason of a rewrite that changes no letter, only how accents are stored (decomposed in
#: QuickBooks Time, composed in Xero): shown as such, not as a change made in Xero
COMPOSED_ACCENTS = N_("sent as Xero has it (same letters, composed accents)")
#: why a leaver is archived (or not created): they work through their last day, so this is
#: only once it has passed; "no longer employed (Xero)" when Xero gives no last day
PAST_LAST_DAY = N_("no longer employed: their last day in Xero ({last_day}) has passed")
NO_LONGER_EMPLOYED = N_("no longer employed (Xero)")


def _gone(emp: XeroEmployee) -> tuple[str, dict[str, str]]:
    """Why ``emp`` (no longer active) is archived or not created, and its parameters."""
    if emp.end_date:
        return PAST_LAST_DAY, {"last_day": emp.end_date}
    return NO_LONGER_EMPLOYED, {}


class EmployeePlanner:
    """Xero payroll employees -> QuickBooks Time users."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx

    def run(self) -> None:
        snap = self.ctx.snap
        result = matching.match_employees(
            snap.employees,
            snap.users,
            self.ctx.links.get("employee", {}),
            remembered=self.ctx.remembered.get("employee"),
        )
        self.ctx.plan.matches["employee"] = result
        names = {e.employee_id: f"{e.first_name} {e.last_name}".strip() for e in snap.employees}
        former = {e.employee_id: NO_LONGER_EMPLOYED for e in snap.employees if not e.active}
        linked, new, create = self.ctx.resolve(result, names, self.ctx.users, quiet=former)
        creating = set(create)
        taken = {u.username.casefold() for u in snap.users if u.username}
        for emp in snap.employees:
            eid = emp.employee_id
            label = names[eid]
            ref = f"employee:{eid}"
            if eid in linked:
                user = self.ctx.users[linked[eid]]
                if eid in new:
                    self.ctx.add(
                        Action(
                            ref + ":link",
                            "employees",
                            "link",
                            "user",
                            "employees",
                            label,
                            eid,
                            user.id,
                            "employee",
                            reason=self.ctx.link_reason(result, eid),
                        )
                    )
                self._user_changes(emp, user, label, ref)
            elif eid in creating:
                if not emp.active:
                    why, params = _gone(emp)
                    self.ctx.skip("employee", eid, label, why, **params)
                    continue
                after = {
                    "first_name": sent_name(emp.first_name),
                    "last_name": sent_name(emp.last_name),
                    "username": make_username(emp.first_name, emp.last_name, emp.email, taken),
                    "permissions": {"time_tracking": True},
                }
                if valid_email(emp.email):
                    after["email"] = valid_email(emp.email)
                self.ctx.add(
                    Action(
                        ref,
                        "employees",
                        "create",
                        "user",
                        "employees",
                        label,
                        eid,
                        None,
                        "employee",
                        after=after,
                        reason=N_("new employee in Xero"),
                    )
                )

    def _link_decided(self, eid: str, user_id: int) -> bool:
        """Did the user decide (review or CSV) that this employee is this user?"""
        decision = self.ctx.decisions.get(("employee", eid))
        return (
            decision is not None
            and decision.action in ("link", "restore_link")
            and decision.target_qbt_id == user_id
        )

    def _user_changes(self, emp: XeroEmployee, user: QBTUser, label: str, ref: str) -> None:
        """The update, restore or archive a linked user needs; through the guards:

        * the user behind the access key is never changed (a conflict that says so);
        * any change to an administrator waits for the user's decision (a conflict naming
          them: "link" applies it, "skip" leaves them as they are);
        * an e-mail is written onto an existing user only when the user decided the link;
          otherwise Xero's other e-mail is a conflict to decide."""
        eid = emp.employee_id
        owner = user.id == self.ctx.snap.key_owner_id
        protected = owner or user.is_admin
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        params: dict[str, str] = {}
        if not linked_active("employee", emp.active, user.active):
            if not user.active:
                return
            op = "archive"
            reason, params = _gone(emp)
            before["active"], after["active"] = True, False
        else:
            for key, xero_value in (("first_name", emp.first_name), ("last_name", emp.last_name)):
                current = getattr(user, key)
                value = linked_name("employee", xero_value, current)
                if value != current:
                    before[key], after[key] = current, value
            email = linked_email(emp.email, user.email)
            if email != user.email:
                if protected or self._link_decided(eid, user.id):
                    before["email"], after["email"] = user.email, email  # guarded below
                else:
                    # Not written: a conflict for the user to decide (their "link" is the
                    # decision that lets Xero's e-mail through).
                    self._allowed(
                        emp,
                        user,
                        label,
                        "email_change",
                        "update",
                        {"email": user.email},
                        {"email": email},
                    )
            if not user.active:
                before["active"], after["active"] = False, True
            op = "restore" if "active" in after else "update"
            reason = N_("changed in Xero")
            if after and all(
                k in ("first_name", "last_name")
                and unicodedata.normalize("NFC", str(before[k] or "")) == after[k]
                for k in after
            ):
                # The same letters, its accents stored decomposed: written as Xero has them
                # (QuickBooks Time's search and Xero's payroll match the composed text).
                reason = COMPOSED_ACCENTS
        if not after:
            return
        if protected and not self._allowed(
            emp, user, label, "key_owner" if owner else "administrator", op, before, after
        ):
            return
        phase = "archive" if op == "archive" else "employees"
        self.ctx.add(
            Action(
                f"{ref}:{op}",
                phase,
                op,
                "user",
                "employees",
                label,
                eid,
                user.id,
                None,
                before=before,
                after=after,
                reason=reason,
                reason_params=params or None,
            )
        )

    def _allowed(
        self,
        emp: XeroEmployee,
        user: QBTUser,
        label: str,
        problem: str,
        op: str,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
    ) -> bool:
        """May this change of ``user`` be written? When not, the conflict (or the decision
        that settled it) is reported. The key owner: never."""
        eid = emp.employee_id
        change = {"op": op, "before": dict(before), "after": dict(after)}
        owner = user.id == self.ctx.snap.key_owner_id
        qbt_name = f"{user.first_name} {user.last_name}".strip() or user.username
        who = {
            "qbt_name": qbt_name,
            "qbt_email": user.email,
            "administrator": user.is_admin,
            "key_owner": owner,
        }
        candidate = matching.Candidate(
            qbt_id=user.id,
            name=qbt_name,
            score=100.0,
            reason_code="linked",
            reason="linked",
            archived=not user.active,
            email=user.email,
        )
        conflict = Conflict(
            kind="employee",
            xero_id=eid,
            xero_name=label,
            problem=problem,
            candidates=(candidate,),
            fingerprint=matching.fingerprint(
                "employee",
                label,
                problem,
                (candidate,),
                xero_email=emp.email,
                extra={"change": change, **who},
            ),
            details={
                "first_name": sent_name(emp.first_name),
                "last_name": sent_name(emp.last_name),
                "email": sent_name(emp.email),
                "xero_email": sent_name(emp.email),
                "active": emp.active,
                "problems": (problem,),
                "change": change,
                **who,
            },
        )
        decision = self.ctx.decisions.get(("employee", eid))
        if decision is not None and (
            decision.action == "later" or decision.depends_on != conflict.fingerprint
        ):
            decision = None  # only an answer to this very conflict counts
        if decision is None:
            self.ctx.plan.conflicts.append(conflict)
            self.ctx.skip(
                "employee",
                eid,
                label,
                N_('waiting for your decision in "Review look-alike records"'),
            )
            return False
        if owner:
            self.ctx.skip(
                "employee",
                eid,
                label,
                N_(
                    "the QuickBooks Time user whose access key this app uses is never "
                    "changed by an import"
                ),
            )
            return False
        if decision.action == "skip":
            self.ctx.skip("employee", eid, label, N_('you chose "Never import" in the review'))
            return False
        if decision.action not in ("link", "restore_link") or decision.target_qbt_id != user.id:
            self.ctx.plan.conflicts.append(conflict)
            self.ctx.skip(
                "employee",
                eid,
                label,
                N_(
                    'only "link" (apply the change) or "skip" (leave the QuickBooks '
                    "Time user as is) answer this conflict: decide again"
                ),
            )
            return False
        return True
