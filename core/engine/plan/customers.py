"""The customers: Xero contacts -> top-level jobcodes, their addresses -> locations, "assign
to all", archives (archived in Xero, or unmatched)."""

from __future__ import annotations

import heapq
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from core.engine import matching
from core.engine.matching import MatchResult
from core.engine.names import NAME_LIMIT, fits_qbtime
from core.engine.plan.context import PlanContext
from core.engine.plan.employees import COMPOSED_ACCENTS
from core.engine.plan.model import Action
from core.engine.plan.rules import linked_active, linked_name, location_after
from core.engine.records import QBTJobcode, QBTLocation, XeroContact, merge_survivor
from core.i18n import N_, tr

_NAME_HELD = N_("A similar record already exists in QuickBooks Time.")
_NAME_ARCHIVED = N_(
    "An archived customer in QuickBooks Time has this name, and QuickBooks Time keeps it: "
    "in the review, restore and link it, or create a new one under another name."
)
_SWAPPED = N_(
    "Customers swap names in Xero, and QuickBooks Time cannot give a name still in use: "
    "rename one of them in Xero to a new name first."
)

# The reasons of the actions made once per customer, one message object each: a message is
# an object the garbage collector goes through, and 100,000 contacts made ~100,000 of them
# with the plan (issue 16: the plan's collections grew with its heap).
_NEW_CUSTOMER = N_("new customer in Xero")
_ASSIGN_ALL = N_("assign all imported customers to all team members")
_CUSTOMER_ADDRESS = N_("customer address in Xero")
_ADDRESS_KNOWN = N_("address already in QuickBooks Time")
_ARCHIVED = N_("archived in Xero")
_MERGED_INTO = N_('merged into "{other}" in Xero')
_MERGED = N_("merged into another contact in Xero")


_ONE_JOB_TOO = N_("the job under it is archived too")
_JOBS_TOO = N_("the {count} jobs under it are archived too")
_ONE_ASSIGNMENT = N_("1 team member assignment is removed")
_ASSIGNMENTS = N_("{count} team member assignments are removed")


def archive_note(before: Mapping[str, Any], language: str | None = None) -> list[str]:
    """What archiving a customer also takes with it, in words (QuickBooks Time archives the
    jobs under it and removes their team member assignments): from the archive action's
    ``before`` ("children", "assignments"). The wizard's preview and the command line's dry
    run say it in these words."""
    parts: list[str] = []
    children = len(before.get("children") or ())
    assignments = len(before.get("assignments") or ())
    if children == 1:
        parts.append(tr(_ONE_JOB_TOO, language))
    elif children:
        parts.append(tr(_JOBS_TOO, language, count=children))
    if assignments == 1:
        parts.append(tr(_ONE_ASSIGNMENT, language))
    elif assignments:
        parts.append(tr(_ASSIGNMENTS, language, count=assignments))
    return parts


def _archive_reason(
    gone: XeroContact, by_id: Mapping[str, XeroContact]
) -> tuple[str, Mapping[str, Any] | None]:
    """Why a linked customer's jobcode is archived: its contact was archived in Xero, or
    merged into another contact (Xero archives the merged one), named when it was read."""
    if not gone.merged_to:
        return _ARCHIVED, None
    survivor = merge_survivor(gone, by_id)
    if survivor is None:
        return _MERGED, None
    return _MERGED_INTO, {"other": survivor.name}


class CustomerPlanner:
    """Customers, their locations and assignments."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        #: top-level jobcode names in use (casefolded) -> jobcode id (-1: a create of this plan)
        self.top_names: dict[str, int] = {}  # filled by _settle_top_renames
        #: linked jobcodes whose rename another top-level name blocks (_settle_top_renames)
        self.blocked_renames: set[int] = set()
        #: renamed jobcodes' place in the order their renames are sent (_order_renames)
        self.rename_rank: dict[int, int] = {}
        #: blocked renames that take each other's names (or wait on those that do)
        self.swapped_renames: set[int] = set()
        # location id -> the contact it is linked to; jobcode id -> its locations (in
        # snapshot order): made once, not once per customer (100,000 contacts)
        self._owners: dict[int, str] | None = None
        self._by_jobcode: dict[int, list[QBTLocation]] | None = None

    def _location_owners(self) -> dict[int, str]:
        if self._owners is None:
            self._owners = {q: x for x, q in self.ctx.links.get("location", {}).items()}
        return self._owners

    def _locations_on(self, jobcode_id: int) -> list[QBTLocation]:
        if self._by_jobcode is None:
            self._by_jobcode = {}
            for loc in self.ctx.snap.locations:
                for jid in dict.fromkeys(loc.jobcode_ids):
                    self._by_jobcode.setdefault(jid, []).append(loc)
        return self._by_jobcode.get(jobcode_id, [])

    def run(self) -> None:
        opts = self.ctx.options
        wanted = [
            c
            for c in self.ctx.snap.contacts
            if c.is_customer or c.contact_id in opts.extra_customers
        ]
        active = [c for c in wanted if not c.archived]
        by_id = {c.contact_id: c for c in self.ctx.snap.contacts}
        # A jobcode linked to a contact that is not imported now (archived in Xero, or no
        # longer a customer) still has its Xero counterpart: it is offered neither to the
        # other contacts (two contacts would steal the link from each other) nor to
        # "archive unmatched".
        active_ids = {c.contact_id for c in active}
        elsewhere = {
            q
            for x, q in self.ctx.links.get("customer", {}).items()
            if x not in active_ids and x in by_id
        }
        top = [
            j
            for j in self.ctx.snap.jobcodes
            if j.parent_id == 0 and j.type == "regular" and j.id not in elsewhere
        ]
        # Matched against the names linked jobcodes will have after this plan's renames
        # (found by the property test: a contact renamed in Xero to the old name of another
        # customer was "ambiguous" with that customer's jobcode, about to be renamed away,
        # and the next import created it).
        renames, blocked, _holders = self._top_renames(active, self.ctx.links.get("customer", {}))
        seen_as = [
            replace(j, name=renames[j.id]) if j.id in renames and j.id not in blocked else j
            for j in top
        ]
        result = matching.match_customers(
            active,
            seen_as,
            self.ctx.links.get("customer", {}),
            memo=self.ctx.normal,
            remembered=self.ctx.remembered.get("customer"),
        )
        self.ctx.plan.matches["customer"] = result
        names = {c.contact_id: c.name for c in active}
        linked, new, create = self.ctx.resolve(result, names, (j.id for j in top))
        self._settle_top_renames(active, linked)
        create = self._unique_top_names(result, names, create)
        creating = set(create)  # (a list: its order is the creates'; a set to look up)

        for contact in active:
            cid = contact.contact_id
            ref = f"customer:{cid}"
            name = self.ctx.desired_name("customer", cid, contact.name)
            if cid in linked:
                job = self.ctx.jobcodes[linked[cid]]
                self.ctx.claimed["customer"].add(job.id)
                if cid in new:
                    self.ctx.add(
                        Action(
                            ref + ":link",
                            "customers",
                            "link",
                            "jobcode",
                            "customers",
                            name,
                            cid,
                            job.id,
                            "customer",
                            before={"name": job.name},
                            after={"name": job.name},
                            reason=self.ctx.link_reason(result, cid),
                        )
                    )
                self._sync_jobcode(contact, job, name)
                self._location(contact, job.id, None)
            elif cid in creating:
                after = {
                    "name": name,
                    "parent_id": 0,
                    "type": "regular",
                    "assigned_to_all": bool(opts.assign_all),
                }
                self.ctx.add(
                    Action(
                        ref,
                        "customers",
                        "create",
                        "jobcode",
                        "customers",
                        name,
                        cid,
                        None,
                        "customer",
                        after=after,
                        reason=_NEW_CUSTOMER,
                    )
                )
                self._location(contact, None, ref)

        self._order_renames()

        # Archived in Xero and linked: the archive flows through.
        for xero_id, qbt_id in sorted(self.ctx.links.get("customer", {}).items()):
            gone = by_id.get(xero_id)
            linked_job = self.ctx.jobcodes.get(qbt_id)
            if gone is None or linked_job is None or not gone.archived or not linked_job.active:
                continue
            self.ctx.claimed["customer"].add(linked_job.id)
            reason, params = _archive_reason(gone, by_id)
            self._archive_jobcode(
                linked_job, f"archive:customer:{xero_id}", xero_id, reason, params
            )

        if opts.archive_unmatched:
            # Candidates of a conflict still waiting for a decision (or skipped) are
            # spared: the user may link one. A conflict settled by this plan (linked,
            # created, renamed) spares none: the next plan would no longer see it as a
            # conflict and would archive them then.
            settled = set(linked) | set(create)
            offered = {
                c.qbt_id
                for conflict in result.conflicts
                if conflict.xero_id not in settled
                for c in conflict.candidates
            }
            released = {
                c.qbt_id
                for conflict in result.conflicts
                if conflict.xero_id in settled
                for c in conflict.candidates
            }
            # A customer whose twin exists in Xero at all (archived, or a contact that is not
            # a customer yet) is not "unmatched": never archive it on that account.
            normal = self.ctx.normal.normal
            in_xero = {normal(c.name) for c in self.ctx.snap.contacts}
            linked_ids = set(linked.values())
            for qbt_id in sorted(set(result.unmatched_qbt) | released):
                spare = self.ctx.jobcodes.get(qbt_id)
                if (
                    spare is None
                    or not spare.active
                    or qbt_id in offered
                    or qbt_id in self.ctx.claimed["customer"]
                    or qbt_id in linked_ids
                    or normal(spare.name) in in_xero
                ):
                    continue
                self._archive_jobcode(
                    spare, f"archive:unmatched:{qbt_id}", None, "no matching customer in Xero"
                )

    def _unique_top_names(
        self, result: MatchResult, names: Mapping[str, str], create: list[str]
    ) -> list[str]:
        """QuickBooks Time keeps top-level names unique ignoring case and outer spaces:
        a second create of such a name answers 202 with the first jobcode (two Xero
        contacts then fight over one link, one import after the other), and a rename to a
        name in use fails on every import. A "create new" or "rename" decision can ask for
        exactly that (two Xero contacts differing by case, both told "create"). Automatic
        creates claim their names first; a decision whose name is taken is asked again."""
        auto = set(result.unmatched_xero)
        ok = []
        waiting = {id(c) for c in self.ctx.plan.conflicts}  # (not a list scan per name)
        for xero_id in sorted(create, key=lambda x: x not in auto):  # stable: automatic first
            name = self.ctx.desired_name("customer", xero_id, names.get(xero_id, ""))
            key = self.ctx.name_key(name)
            if key in self.top_names:
                conflict = result.conflict_for(xero_id)
                if conflict is not None and id(conflict) not in waiting:
                    waiting.add(id(conflict))
                    self.ctx.plan.conflicts.append(conflict)
                holder = self.ctx.jobcodes.get(self.top_names[key])
                self.ctx.skip(
                    "customer",
                    xero_id,
                    name,
                    _NAME_ARCHIVED if holder is not None and not holder.active else _NAME_HELD,
                )
                continue
            self.top_names[key] = -1  # claimed by a create of this plan
            ok.append(xero_id)
        return ok

    def _settle_top_renames(self, active: Sequence[XeroContact], linked: Mapping[str, int]) -> None:
        """Names as they will be *after* this plan's renames of linked jobcodes, so that one
        import reaches the fixed point: a rename that frees a name lets a create (or
        another rename) of this same plan use it, instead of the next import doing it.
        The importer sends updates before creates, so a name is freed before it is claimed
        again."""
        _renames, blocked, holders = self._top_renames(active, linked)
        self.blocked_renames = blocked
        self.top_names = holders

    def _order_renames(self) -> None:
        """A rename that takes a name another rename of this plan frees is sent after it:
        QuickBooks Time checks each name as it comes, so in plan order the chain would take
        one import per link (found by the property test: a customer renamed to the old name
        of another, itself renamed)."""
        rank = self.rename_rank
        actions = self.ctx.plan.actions
        slots = [
            i
            for i, a in enumerate(actions)
            if a.op == "update" and a.entity == "jobcode" and a.qbt_id in rank and "name" in a.after
        ]
        if len(slots) > 1:
            moved = sorted((actions[i] for i in slots), key=lambda a: rank[a.qbt_id or 0])
            for i, action in zip(slots, moved, strict=True):
                actions[i] = action

    def _top_renames(
        self,
        active: Sequence[XeroContact],
        linked: Mapping[str, int],
    ) -> tuple[dict[int, str], set[int], dict[str, int]]:
        """(renames of linked top-level jobcodes, the blocked ones, name key -> the smallest
        id of the jobcodes holding it after the others). A rename is blocked when, after the
        others, another top-level jobcode would hold its name (ignoring case and outer
        spaces), or when renames take each other's names round a circle (two names swapped:
        ``swapped_renames``); a blocked jobcode keeps its name, which may block another
        rename in turn (repeated until nothing changes). The others' order (a rename after
        those freeing its name) is kept in ``rename_rank``."""
        renames: dict[int, str] = {}
        for contact in active:
            job_id = linked.get(contact.contact_id)
            job = self.ctx.jobcodes.get(job_id) if job_id is not None else None
            if job is None:
                continue
            name = self.ctx.desired_name("customer", contact.contact_id, contact.name)
            if name and fits_qbtime(name) and job.name != name:
                renames[job.id] = name
        tops = [j for j in self.ctx.snap.jobcodes if j.parent_id == 0]
        blocked: set[int] = set()
        key = self.ctx.name_key
        holding: dict[str, list[int]] = defaultdict(list)  # name key -> the jobcodes now
        for j in tops if renames else ():
            holding[key(j.name)].append(j.id)
        swapped: set[int] = set()
        order: list[int] = []
        while True:
            # (the smallest holder and whether there are others, not a set of holders per
            # name: 10,000 sets a pass were a full garbage collection of the plan's heap)
            holders: dict[str, int] = {}
            shared: set[str] = set()  # name keys held by more than one jobcode
            for j in tops:
                name = renames[j.id] if j.id in renames and j.id not in blocked else j.name
                name_key = key(name)
                held = holders.get(name_key)
                if held is None:
                    holders[name_key] = j.id
                elif held != j.id:
                    shared.add(name_key)
                    holders[name_key] = min(held, j.id)
            newly = {
                jid for jid, name in renames.items() if jid not in blocked and key(name) in shared
            }
            if not newly:
                # renames that take each other's names round a circle (two names swapped):
                # QuickBooks Time refuses each while the other still holds it, every import
                order, newly = _rename_order(_renamed_before(renames, blocked, holding, key))
                swapped |= newly
            if not newly:
                break
            blocked |= newly
        self.swapped_renames = swapped
        self.rename_rank = {jid: rank for rank, jid in enumerate(order)}
        return renames, blocked, holders

    def _sync_jobcode(self, contact: XeroContact, job: QBTJobcode, name: str) -> None:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        new_name = linked_name("customer", name, job.name, sent=self.ctx.sent_name)
        if not name:  # never written over the jobcode's name
            self.ctx.skip(
                "customer", contact.contact_id, contact.name, N_("the name is empty in Xero")
            )
        elif not fits_qbtime(name):
            self.ctx.skip(
                "customer",
                contact.contact_id,
                name,
                N_(
                    "the name is longer than QuickBooks Time allows ({limit} characters): "
                    "choose a shorter name in the review"
                ),
                limit=NAME_LIMIT,
            )
        elif new_name != job.name and job.id in self.blocked_renames:
            # Another top-level jobcode holds this name: the rename would fail on every
            # import. Keep the link, report it.
            self.ctx.skip(
                "customer",
                contact.contact_id,
                name,
                _SWAPPED if job.id in self.swapped_renames else _NAME_HELD,
            )
        elif new_name != job.name:
            before["name"], after["name"] = job.name, new_name
        if linked_active("customer", True, job.active) != job.active:  # active in Xero
            before["active"], after["active"] = False, True
        if after:
            op = "restore" if "active" in after else "update"
            self.ctx.add(
                Action(
                    f"customer:{contact.contact_id}:{op}",
                    "customers",
                    op,
                    "jobcode",
                    "customers",
                    name,
                    contact.contact_id,
                    job.id,
                    None,
                    before=before,
                    after=after,
                    reason=(
                        N_("active in Xero")
                        if op == "restore"
                        else COMPOSED_ACCENTS
                        if unicodedata.normalize("NFC", job.name) == after["name"]
                        else N_("renamed in Xero")
                    ),
                )
            )
        if self.ctx.options.assign_all and not job.assigned_to_all:
            self.ctx.add(
                Action(
                    f"customer:{contact.contact_id}:assign",
                    "customers",
                    "update",
                    "jobcode",
                    "assignments",
                    name,
                    contact.contact_id,
                    job.id,
                    None,
                    before={"assigned_to_all": False},
                    after={"assigned_to_all": True},
                    reason=_ASSIGN_ALL,
                )
            )

    def _archive_jobcode(
        self,
        job: QBTJobcode,
        ref: str,
        xero_id: str | None,
        reason: str,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        # The archive cascades to every descendant and drops their assignments: remember
        # them all, so undo restores exactly what was there.
        family: list[int] = []
        stack = [job.id]
        while stack:
            current = stack.pop()
            family.append(current)
            stack.extend(self.ctx.children.get(current, ()))
        active_children = [
            j for j in family[1:] if self.ctx.jobcodes.get(j) and self.ctx.jobcodes[j].active
        ]
        assignments = sorted(
            {
                (a.user_id, a.jobcode_id)
                for a in self.ctx.snap.assignments
                if a.active and a.jobcode_id in family and a.user_id != 0
            }
        )
        before = {
            "active": True,
            "assigned_to_all": job.assigned_to_all,
            "children": active_children,
            "children_assigned_to_all": [
                j for j in active_children if self.ctx.jobcodes[j].assigned_to_all
            ],
            "assignments": [list(a) for a in assignments],
        }
        self.ctx.add(
            Action(
                ref,
                "archive",
                "archive",
                "jobcode",
                "customers",
                job.name,
                xero_id,
                job.id,
                None,
                before=before,
                after={"active": False},
                reason=reason,
                reason_params=params,
            )
        )

    def _location(self, contact: XeroContact, jobcode_id: int | None, needs: str | None) -> None:
        address = contact.best_address
        if address is None:
            return
        cid = contact.contact_id
        ref = f"location:{cid}"
        existing = None
        linked_id = self.ctx.links.get("location", {}).get(cid)
        if linked_id is not None and linked_id in self.ctx.locations:
            existing = self.ctx.locations[linked_id]
        elif jobcode_id is not None:
            # A location linked to several jobcodes (shared by hand in QuickBooks Time) must
            # not move from customer to customer on every import: a location linked to
            # another customer (or taken earlier in this plan) is not this one's; and when
            # the jobcode already has such a location, no second one is created.
            owner = self._location_owners()
            on_job = [loc for loc in self._locations_on(jobcode_id) if loc.active]
            existing = next(
                (
                    loc
                    for loc in on_job
                    if owner.get(loc.id, cid) == cid and loc.id not in self.ctx.claimed["location"]
                ),
                None,
            )
            if existing is None and on_job:
                return
        if existing is not None:
            self.ctx.claimed["location"].add(existing.id)
        label = contact.name
        if existing is None:
            self.ctx.add(
                Action(
                    ref,
                    "locations",
                    "create",
                    "location",
                    "locations",
                    label,
                    cid,
                    None,
                    "location",
                    after=location_after(address, jobcode_id),
                    needs=needs,
                    reason=_CUSTOMER_ADDRESS,
                )
            )
            return
        if jobcode_id is None:
            # The contact's location is linked already but its customer is created in this
            # run (e.g. the customer's link was undone, or an undo was interrupted between
            # the two unlinks): the linked location moves to the new jobcode instead of a
            # twin being created; the importer fills ``linked_objects`` with the id of
            # ``needs`` once it is created.
            want = location_after(address, None)
            have = location_after(existing.address, None)
            changed = {k: v for k, v in want.items() if have.get(k) != v}
            before = {k: have.get(k) for k in changed}
            changed["linked_objects"] = {"jobcodes": []}  # replaced by the new jobcode's id
            before["linked_objects"] = {"jobcodes": list(existing.jobcode_ids)}
            if not existing.active:
                changed["active"], before["active"] = True, False
            self.ctx.add(
                Action(
                    ref + ":update",
                    "locations",
                    "update",
                    "location",
                    "locations",
                    contact.name,
                    cid,
                    existing.id,
                    None,
                    before=before,
                    after=changed,
                    needs=needs,
                    reason=_CUSTOMER_ADDRESS,
                )
            )
            return
        new_link = linked_id != existing.id
        if new_link:
            self.ctx.add(
                Action(
                    ref + ":link",
                    "locations",
                    "link",
                    "location",
                    "locations",
                    label,
                    cid,
                    existing.id,
                    "location",
                    reason=_ADDRESS_KNOWN,
                )
            )
        want = location_after(address, jobcode_id)
        have = location_after(
            existing.address, jobcode_id if jobcode_id in existing.jobcode_ids else None
        )
        if not existing.jobcode_ids or jobcode_id not in existing.jobcode_ids:
            want["linked_objects"] = {"jobcodes": sorted({*existing.jobcode_ids, jobcode_id})}
            have["linked_objects"] = {"jobcodes": list(existing.jobcode_ids)}
        else:
            want.pop("linked_objects", None)
            have.pop("linked_objects", None)
        changed = {k: v for k, v in want.items() if have.get(k) != v}
        if not existing.active:
            changed["active"] = True
        if changed:
            before = {k: have.get(k) for k in changed}
            if "active" in changed:
                before["active"] = False
            self.ctx.add(
                Action(
                    ref + ":update",
                    "locations",
                    "update",
                    "location",
                    "locations",
                    label,
                    cid,
                    existing.id,
                    None,
                    before=before,
                    after=changed,
                    reason=N_("address changed in Xero"),
                )
            )


def _renamed_before(
    renames: Mapping[int, str],
    blocked: set[int],
    holding: Mapping[str, list[int]],
    key: Callable[[str], str],
) -> dict[int, list[int]]:
    """For each rename not blocked, the renamed jobcodes that hold its new name now: their
    renames must be sent first."""
    return {
        jid: [
            h for h in holding.get(key(name), ()) if h != jid and h in renames and h not in blocked
        ]
        for jid, name in renames.items()
        if jid not in blocked
    }


def _rename_order(before: Mapping[int, list[int]]) -> tuple[list[int], set[int]]:
    """The renames in an order that sends each after those it waits for (smallest id first
    among the free ones), and those that can have no such order: renames round a circle,
    and those waiting on one."""
    waits = {jid: len(deps) for jid, deps in before.items()}
    freed: dict[int, list[int]] = defaultdict(list)
    for jid, deps in before.items():
        for h in deps:
            freed[h].append(jid)
    ready = [jid for jid, n in waits.items() if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        jid = heapq.heappop(ready)
        order.append(jid)
        for nxt in freed[jid]:
            waits[nxt] -= 1
            if waits[nxt] == 0:
                heapq.heappush(ready, nxt)
    return order, set(waits) - set(order)
