"""What the parts of the planner share: the inputs, the snapshot's records by id, the plan
being built, what each part claimed, and how a decision settles a match."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.engine import matching
from core.engine.matching import Conflict, MatchResult
from core.engine.names import NAME_LIMIT, fits_qbtime, qbt_name_key, sent_name
from core.engine.plan.model import Action, DecisionView, ImportOptions, ImportPlan, Skipped
from core.engine.records import Snapshot
from core.i18n import N_

# Reasons given once per record, one message object each (see plan.customers)
_WAITING = N_('waiting for your decision in "Review look-alike records"')
_SAME_NAME = N_("same name")
_LINKED_BY_DECISION = N_("linked by your decision")


class PlanContext:
    """The state every part of the planner reads and adds to (one per :func:`plan_import`)."""

    def __init__(
        self,
        snap: Snapshot,
        links: Mapping[str, Mapping[str, int]],
        decisions: Mapping[tuple[str, str], DecisionView],
        options: ImportOptions,
        leave_links: Mapping[str, int | None],
        remembered: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
    ) -> None:
        self.snap = snap
        #: by kind, by Xero id: the candidates the last plan's conflicts offered
        #: (:meth:`ImportPlan.lookalikes`), offered again while they still score
        self.remembered: Mapping[str, Mapping[str, Sequence[int]]] = remembered or {}
        self.links = {k: dict(v) for k, v in links.items()}
        self.decisions = decisions
        self.options = options
        self.leave_links = leave_links
        self.plan = ImportPlan()
        self.jobcodes = {j.id: j for j in snap.jobcodes}
        self.users = {u.id: u for u in snap.users}
        self.fields = {f.id: f for f in snap.customfields}
        self.qbt_items = {i.id: i for i in snap.customfielditems}
        self.locations = {loc.id: loc for loc in snap.locations}
        self.children: dict[int, list[int]] = defaultdict(list)
        for j in snap.jobcodes:
            self.children[j.parent_id].append(j.id)
        self.claimed: dict[str, set[int]] = defaultdict(set)  # qbt ids already used per kind
        #: names as sent, name keys and normalised names, each worked out once per plan: a
        #: customer's name is read by the renames (twice), the matching and the actions, and
        #: a linked jobcode has the same name (issue 16: a tenth of a 10,000-contact plan)
        self._sent: dict[str | None, str] = {}
        self._keys: dict[str, str] = {}
        self.normal = matching.NameMemo()

    def sent_name(self, name: str | None) -> str:
        """:func:`core.engine.names.sent_name` of ``name``, worked out once per plan."""
        sent = self._sent.get(name)
        if sent is None:
            sent = self._sent[name] = sent_name(name)
        return sent

    def name_key(self, name: str) -> str:
        """:func:`core.engine.names.qbt_name_key` of ``name``, worked out once per plan."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = self.sent_name(name).casefold()
        return key

    def add(self, action: Action) -> None:
        self.plan.actions.append(action)

    def skip(self, kind: str, xero_id: str, name: str, reason: str, **params: Any) -> None:
        self.plan.skipped.append(Skipped(kind, xero_id, name, reason, params))

    def decision_for(self, conflict: Conflict) -> DecisionView | None:
        decision = self.decisions.get((conflict.kind, conflict.xero_id))
        if decision is None or decision.action == "later":
            return None
        if decision.depends_on and decision.depends_on != conflict.fingerprint:
            return None  # something it depended on changed: the conflict re-opens
        return decision

    def archived(self, kind: str, qbt_id: int) -> bool:
        """Is the QuickBooks Time record a decision of ``kind`` links to archived?"""
        rec: Any = (
            self.jobcodes
            if kind in ("customer", "leave_type")
            else self.users
            if kind == "employee"
            else self.fields
            if kind == "tracking_category"
            else self.qbt_items
        ).get(qbt_id)
        return rec is not None and not rec.active

    def desired_name(self, kind: str, xero_id: str, xero_name: str) -> str:
        decision = self.decisions.get((kind, xero_id))
        if decision is not None and decision.action == "rename" and decision.new_name:
            return self.sent_name(decision.new_name)
        return self.sent_name(xero_name)

    def resolve(
        self,
        result: MatchResult,
        names: Mapping[str, str],
        valid_targets: Iterable[int],
        *,
        quiet: Mapping[str, str] | None = None,
    ) -> tuple[dict[str, int], set[str], list[str]]:
        """Apply decisions to a match: (links incl. new, ids newly linked, ids to create).

        ``quiet``: Xero ids whose conflicts are not worth a decision (e.g. a former employee
        with a near namesake): skipped with the given reason instead of asked about.
        """
        quiet = quiet or {}
        targets = set(valid_targets)
        linked = dict(result.links)
        new = set(result.new_links)
        create = list(result.unmatched_xero)
        used = set(linked.values())
        for conflict in result.conflicts:
            if conflict.xero_id in quiet:
                self.skip(
                    conflict.kind, conflict.xero_id, conflict.xero_name, quiet[conflict.xero_id]
                )
                continue
            decision = self.decision_for(conflict)
            if decision is None:
                self.plan.conflicts.append(conflict)
                self.skip(
                    conflict.kind,
                    conflict.xero_id,
                    conflict.xero_name,
                    _WAITING,
                )
                continue
            if decision.action == "skip":
                self.skip(
                    conflict.kind,
                    conflict.xero_id,
                    conflict.xero_name,
                    N_('you chose "Never import" in the review'),
                )
            elif decision.action in ("link", "restore_link"):
                target = decision.target_qbt_id
                # an archived record is restored only by an explicit "restore and link"
                if (
                    target is None
                    or target not in targets
                    or target in used
                    or (decision.action == "link" and self.archived(result.kind, target))
                ):
                    self.plan.conflicts.append(conflict)
                    self.skip(
                        conflict.kind,
                        conflict.xero_id,
                        conflict.xero_name,
                        N_("the record you chose to link to is no longer available: decide again"),
                    )
                    continue
                linked[conflict.xero_id] = target
                new.add(conflict.xero_id)
                used.add(target)
            elif decision.action in ("create", "rename"):
                create.append(conflict.xero_id)
        ok_create = []
        # QuickBooks Time refuses a second name equal but for case (people excepted: two
        # people may share a name): two Xero records chosen to be created under one name
        # (e.g. "Create new" on both of a duplicate in Xero) create the first only
        claimed: dict[str, str] = {}
        for xero_id in create:
            name = self.desired_name(result.kind, xero_id, names.get(xero_id, ""))
            key = qbt_name_key(name) if name and result.kind != "employee" else ""
            if key and key in claimed:
                self.skip(
                    result.kind,
                    xero_id,
                    name,
                    N_(
                        'another Xero record is created under the same name ("{other}"): '
                        "rename one of them in the review"
                    ),
                    other=claimed[key],
                )
                continue
            if key:
                claimed[key] = name
            if not name:
                self.skip(
                    result.kind, xero_id, names.get(xero_id, ""), N_("the name is empty in Xero")
                )
            elif not fits_qbtime(name):
                self.skip(
                    result.kind,
                    xero_id,
                    name,
                    N_(
                        "the name is longer than QuickBooks Time allows ({limit} characters): "
                        "choose a shorter name in the review"
                    ),
                    limit=NAME_LIMIT,
                )
            else:
                ok_create.append(xero_id)
        return linked, new, ok_create

    def link_reason(self, result: MatchResult, xero_id: str) -> str:
        return _SAME_NAME if xero_id in result.new_links else _LINKED_BY_DECISION
