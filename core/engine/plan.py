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
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from core.engine import matching
from core.engine.matching import Conflict, MatchResult
from core.engine.names import NAME_LIMIT, fits_qbtime, normalise_name, qbt_name_key, sent_name
from core.engine.records import (
    TIME_OFF_TYPES,
    Address,
    QBTCustomField,
    QBTJobcode,
    QBTLocation,
    QBTUser,
    Snapshot,
    XeroContact,
    XeroEmployee,
    XeroTrackingCategory,
    location_fields,
)
from core.i18n import N_, tr

#: Link kind and reserved Xero id of the custom field holding the Xero items (it has no
#: Xero counterpart of its own; a UUID can never collide with this id).
ITEMS_FIELD_XERO_ID = "xero-items"
DEFAULT_ITEM_FIELD_NAME = "Xero items"

# The phases, in the order the importer runs them (parents before children).
PHASES = ("custom_fields", "custom_field_items", "customers", "locations", "employees",
          "archive", "leave")

# The kinds the summary counts (the headless ``sync --json`` contract).
SUMMARY_KINDS = ("customers", "locations", "employees", "items", "custom_fields", "assignments",
                 "leave")


@dataclass(frozen=True)
class ImportOptions:
    """The original's checkboxes, plus ours. Defaults are those of a scheduled ``sync``."""

    import_customers: bool = True
    archive_unmatched: bool = False
    assign_all: bool = True
    import_items: bool = True
    require_item: bool = False
    import_tracking: bool = True
    import_employees: bool = True
    link_leave: bool = True
    #: contacts that are not customers yet (never invoiced) added with "Manage Xero customers"
    extra_customers: frozenset[str] = frozenset()
    #: name of the QuickBooks Time custom field that lists the Xero items
    item_field_name: str = "Xero items"   # DEFAULT_ITEM_FIELD_NAME

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["extra_customers"] = sorted(self.extra_customers)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ImportOptions:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "extra_customers" in values:
            values["extra_customers"] = frozenset(values["extra_customers"] or ())
        return cls(**values)

    def with_values(self, **changes: Any) -> ImportOptions:
        data = {**self.to_dict(), **changes}
        return ImportOptions.from_dict(data)


@dataclass(frozen=True)
class Action:
    """One write (or one local link) the import will make.

    ``ref`` is unique in the plan; ``needs`` names the action whose QuickBooks Time id this
    one needs (a location needs its customer's jobcode, an item its custom field).
    ``after`` holds exactly the fields to write; ``before`` their current values (and, for
    archives, what the archive cascade will drop, so undo can bring it back).
    """

    ref: str
    phase: str
    op: str                       # create | update | restore | archive | link
    entity: str                   # jobcode | location | user | customfield | customfielditem | leave_link
    summary_kind: str             # one of SUMMARY_KINDS
    label: str
    xero_id: str | None = None
    qbt_id: int | None = None
    link_kind: str | None = None  # Link kind recorded on success
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    needs: str | None = None
    reason: str = ""              # English; shown through tr()

    @property
    def writes(self) -> bool:
        """False for local-only actions (links, leave links): no QuickBooks Time call."""
        return self.op != "link" and self.entity != "leave_link"


@dataclass(frozen=True)
class Skipped:
    kind: str
    xero_id: str
    name: str
    reason: str                   # English; shown through tr()
    params: Mapping[str, Any] = field(default_factory=dict)
    #: a bad record from Xero (duplicate or missing id, impossible date): printed by name
    bad_record: bool = False

    def describe(self, language: str | None = None) -> str:
        return tr(self.reason, language, **self.params)


@dataclass
class ImportPlan:
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)     # still waiting for a decision
    skipped: list[Skipped] = field(default_factory=list)
    matches: dict[str, MatchResult] = field(default_factory=dict)
    #: the QuickBooks Time user behind the access key: the importer refuses to change them
    key_owner_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"created": {kind: n}, "updated": …, "archived": …, "linked": …, "skipped": …}``."""
        out: dict[str, Counter[str]] = {k: Counter() for k in
                                        ("created", "updated", "archived", "linked", "skipped")}
        verb = {"create": "created", "update": "updated", "restore": "updated",
                "archive": "archived", "link": "linked"}
        for action in self.actions:
            out[verb[action.op]][action.summary_kind] += 1
            if action.op == "create" and action.after.get("assigned_to_all"):
                out["created"]["assignments"] += 1
        for skipped in self.skipped:
            out["skipped"][_summary_kind_of(skipped.kind)] += 1
        return {k: {kind: c[kind] for kind in SUMMARY_KINDS if c[kind]} for k, c in out.items()}

    def by_phase(self) -> dict[str, list[Action]]:
        grouped: dict[str, list[Action]] = defaultdict(list)
        for action in self.actions:
            grouped[action.phase].append(action)
        return {p: grouped[p] for p in PHASES if grouped.get(p)}


def _summary_kind_of(kind: str) -> str:
    return {"customer": "customers", "location": "locations", "employee": "employees",
            "item": "items", "tracking_category": "custom_fields",
            "tracking_option": "items", "leave_type": "leave"}.get(kind, kind)


@dataclass(frozen=True)
class DecisionView:
    """What the plan needs of a saved decision (core.store.models.Decision has these fields)."""

    action: str
    target_qbt_id: int | None = None
    new_name: str | None = None
    depends_on: str = ""


# ============================================================================== helpers
def field_name_clash(name: str, customfields: Iterable[QBTCustomField],
                     tracking: Iterable[XeroTrackingCategory],
                     links: Mapping[str, Mapping[str, int]], *, purpose: str = ITEMS_FIELD_XERO_ID,
                     import_tracking: bool = True) -> str | None:
    """The name of the field ``name`` would clash with, or None.

    The custom field for ``purpose`` (a tracking category's id, or
    :data:`ITEMS_FIELD_XERO_ID`) may not take the name of another ACTIVE QuickBooks Time
    custom field (compared as QuickBooks Time compares names: case and outer spaces
    ignored) unless that field is the one already linked for this purpose. The items' field
    may not take the name of an active Xero tracking category either when categories are
    imported: the import would create that field too.
    """
    key = qbt_name_key(name)
    if not key:
        return None
    own = links.get("tracking_category", {}).get(purpose)
    for fld in customfields:
        if fld.active and fld.id != own and qbt_name_key(fld.name) == key:
            return fld.name
    if purpose == ITEMS_FIELD_XERO_ID and import_tracking:
        for category in tracking:
            if category.status == "ACTIVE" and qbt_name_key(category.name) == key:
                return category.name
    return None


def item_field_name_problem(name: str, customfields: Iterable[QBTCustomField],
                            tracking: Iterable[XeroTrackingCategory],
                            links: Mapping[str, Mapping[str, int]],
                            options: ImportOptions, language: str | None = None) -> str | None:
    """Why ``name`` cannot be the name of the items' custom field (a translated sentence),
    or None when it can. The rule the ``options`` command and the wizard both apply."""
    clash = field_name_clash(sent_name(name) or DEFAULT_ITEM_FIELD_NAME, customfields, tracking,
                             links, import_tracking=options.import_tracking)
    if clash is None:
        return None
    return tr("Another custom field is already named \"{name}\" in QuickBooks Time (or will be, "
              "for a Xero tracking category): choose another name for the items' field.",
              language, name=clash)


def _address_of(loc: QBTLocation) -> Address:
    return loc.address


def _location_after(address: Address, jobcode_id: int | None) -> dict[str, Any]:
    return location_fields(address, jobcode_ids=[jobcode_id] if jobcode_id is not None else [])


_USERNAME_OK = re.compile(r"[^a-z0-9._-]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# Fix (hostile-data test): an e-mail QuickBooks Time refuses ("not an e-mail <x@y>") made
# the employee's create fail on every sync for ever; such an address is now left out.
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _valid_email(value: str | None) -> str:
    """The Xero e-mail when QuickBooks Time would accept it, else ""."""
    email = sent_name(value or "")
    return email if _EMAIL_RE.match(email) else ""


def make_username(first: str, last: str, email: str, taken: set[str]) -> str:
    """A unique QuickBooks Time username: the e-mail's local part, else first.last."""
    base = email.split("@", 1)[0] if email and "@" in email else f"{first}.{last}"
    base = _USERNAME_OK.sub("", _ascii(base).lower().replace(" ", ".")).strip("._-") or "employee"
    base = base[:48]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate.casefold())
    return candidate


class _Planner:
    def __init__(self, snap: Snapshot, links: Mapping[str, Mapping[str, int]],
                 decisions: Mapping[tuple[str, str], DecisionView], options: ImportOptions,
                 leave_links: Mapping[str, int | None]) -> None:
        self.snap = snap
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
        #: top-level jobcode names in use (casefolded) -> jobcode id (-1: a create of this plan)
        self.top_names: dict[str, int] = {}   # filled by _settle_top_renames
        #: linked jobcodes whose rename another top-level name blocks (_settle_top_renames)
        self.blocked_renames: set[int] = set()

    # ---------------------------------------------------------------- common
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

    def _archived(self, kind: str, qbt_id: int) -> bool:
        """Is the QuickBooks Time record a decision of ``kind`` links to archived?"""
        rec: Any = (self.jobcodes if kind in ("customer", "leave_type") else
                    self.users if kind == "employee" else
                    self.fields if kind == "tracking_category" else self.qbt_items).get(qbt_id)
        return rec is not None and not rec.active

    def desired_name(self, kind: str, xero_id: str, xero_name: str) -> str:
        decision = self.decisions.get((kind, xero_id))
        if decision is not None and decision.action == "rename" and decision.new_name:
            return sent_name(decision.new_name)
        return sent_name(xero_name)

    def resolve(self, result: MatchResult, names: Mapping[str, str],
                valid_targets: Iterable[int], *, quiet: Mapping[str, str] | None = None,
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
                self.skip(conflict.kind, conflict.xero_id, conflict.xero_name, quiet[conflict.xero_id])
                continue
            decision = self.decision_for(conflict)
            if decision is None:
                self.plan.conflicts.append(conflict)
                self.skip(conflict.kind, conflict.xero_id, conflict.xero_name,
                          N_("waiting for your decision in the review of conflicts"))
                continue
            if decision.action == "skip":
                self.skip(conflict.kind, conflict.xero_id, conflict.xero_name,
                          N_("skipped by your decision"))
            elif decision.action in ("link", "restore_link"):
                target = decision.target_qbt_id
                # an archived record is restored only by an explicit "restore and link"
                if (target is None or target not in targets or target in used
                        or (decision.action == "link" and self._archived(result.kind, target))):
                    self.plan.conflicts.append(conflict)
                    self.skip(conflict.kind, conflict.xero_id, conflict.xero_name,
                              N_("the record you chose to link to is no longer available: decide again"))
                    continue
                linked[conflict.xero_id] = target
                new.add(conflict.xero_id)
                used.add(target)
            elif decision.action in ("create", "rename"):
                create.append(conflict.xero_id)
        ok_create = []
        for xero_id in create:
            name = self.desired_name(result.kind, xero_id, names.get(xero_id, ""))
            if not name:
                self.skip(result.kind, xero_id, names.get(xero_id, ""), N_("the name is empty in Xero"))
            elif not fits_qbtime(name):
                self.skip(result.kind, xero_id, name,
                          N_("the name is longer than QuickBooks Time allows ({limit} characters): "
                          "choose a shorter name in the review"), limit=NAME_LIMIT)
            else:
                ok_create.append(xero_id)
        return linked, new, ok_create

    # ---------------------------------------------------------------- customers
    def customers(self) -> None:
        opts = self.options
        wanted = [c for c in self.snap.contacts
                  if c.is_customer or c.contact_id in opts.extra_customers]
        active = [c for c in wanted if not c.archived]
        by_id = {c.contact_id: c for c in self.snap.contacts}
        # Fix: a jobcode linked to a contact that is not imported now (archived in Xero, or
        # no longer a customer) still has its Xero counterpart. It was offered to the
        # other contacts (an exact namesake or a "link" decision took it, and the two
        # contacts then stole the link from each other) and to "archive unmatched".
        active_ids = {c.contact_id for c in active}
        elsewhere = {q for x, q in self.links.get("customer", {}).items()
                     if x not in active_ids and x in by_id}
        top = [j for j in self.snap.jobcodes
               if j.parent_id == 0 and j.type == "regular" and j.id not in elsewhere]
        # Matched against the names linked jobcodes will have after this plan's renames
        # (found by the property test: a contact renamed in Xero to the old name of another
        # customer was "ambiguous" with that customer's jobcode, about to be renamed away,
        # and the next import created it).
        renames, blocked, _holders = self._top_renames(active, self.links.get("customer", {}))
        seen_as = [replace(j, name=renames[j.id]) if j.id in renames and j.id not in blocked
                   else j for j in top]
        result = matching.match_customers(active, seen_as, self.links.get("customer", {}))
        self.plan.matches["customer"] = result
        names = {c.contact_id: c.name for c in active}
        linked, new, create = self.resolve(result, names, (j.id for j in top))
        self._settle_top_renames(active, linked)
        create = self._unique_top_names(result, names, create)

        for contact in active:
            cid = contact.contact_id
            ref = f"customer:{cid}"
            name = self.desired_name("customer", cid, contact.name)
            if cid in linked:
                job = self.jobcodes[linked[cid]]
                self.claimed["customer"].add(job.id)
                if cid in new:
                    self.add(Action(ref + ":link", "customers", "link", "jobcode", "customers",
                                    name, cid, job.id, "customer",
                                    before={"name": job.name}, after={"name": job.name},
                                    reason=self._link_reason(result, cid)))
                self._sync_jobcode(contact, job, name)
                self._location(contact, job.id, None)
            elif cid in create:
                after = {"name": name, "parent_id": 0, "type": "regular",
                         "assigned_to_all": bool(opts.assign_all)}
                self.add(Action(ref, "customers", "create", "jobcode", "customers", name, cid,
                                None, "customer", after=after,
                                reason=N_("new customer in Xero")))
                self._location(contact, None, ref)

        # Archived in Xero and linked: the archive flows through.
        for xero_id, qbt_id in sorted(self.links.get("customer", {}).items()):
            contact = by_id.get(xero_id)
            job = self.jobcodes.get(qbt_id)
            if contact is None or job is None or not contact.archived or not job.active:
                continue
            self.claimed["customer"].add(job.id)
            self._archive_jobcode(job, f"archive:customer:{xero_id}", xero_id,
                                  "archived in Xero")

        if opts.archive_unmatched:
            # Candidates of a conflict still waiting for a decision (or skipped) are
            # spared: the user may link one. A conflict settled by this plan (linked,
            # created, renamed) spares none: the next plan would no longer see it as a
            # conflict and would archive them then.
            settled = set(linked) | set(create)
            offered = {c.qbt_id for conflict in result.conflicts
                       if conflict.xero_id not in settled for c in conflict.candidates}
            released = {c.qbt_id for conflict in result.conflicts
                        if conflict.xero_id in settled for c in conflict.candidates}
            # A customer whose twin exists in Xero at all (archived, or a contact that is not
            # a customer yet) is not "unmatched": never archive it on that account.
            in_xero = {normalise_name(c.name) for c in self.snap.contacts}
            for qbt_id in sorted(set(result.unmatched_qbt) | released):
                job = self.jobcodes.get(qbt_id)
                if (job is None or not job.active or qbt_id in offered
                        or qbt_id in self.claimed["customer"] or qbt_id in linked.values()
                        or normalise_name(job.name) in in_xero):
                    continue
                self._archive_jobcode(job, f"archive:unmatched:{qbt_id}", None,
                                      "no matching customer in Xero")

    def _unique_top_names(self, result: MatchResult, names: Mapping[str, str],
                          create: list[str]) -> list[str]:
        """Fix: QuickBooks Time keeps top-level names unique ignoring case and outer spaces:
        a second create of such a name answers 202 with the first jobcode (two Xero
        contacts then fight over one link, one import after the other), and a rename to a
        name in use fails on every import. A "create new" or "rename" decision can ask for
        exactly that (two Xero contacts differing by case, both told "create"). Automatic
        creates claim their names first; a decision whose name is taken is asked again."""
        auto = set(result.unmatched_xero)
        ok = []
        for xero_id in sorted(create, key=lambda x: x not in auto):  # stable: automatic first
            name = self.desired_name("customer", xero_id, names.get(xero_id, ""))
            key = qbt_name_key(name)
            if key in self.top_names:
                conflict = result.conflict_for(xero_id)
                if conflict is not None and conflict not in self.plan.conflicts:
                    self.plan.conflicts.append(conflict)
                self.skip("customer", xero_id, name,
                          N_("A similar record already exists in QuickBooks Time."))
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
        self.top_names = {key: min(ids) for key, ids in holders.items()}

    def _top_renames(self, active: Sequence[XeroContact], linked: Mapping[str, int],
                     ) -> tuple[dict[int, str], set[int], dict[str, set[int]]]:
        """(renames of linked top-level jobcodes, the blocked ones, name key -> holders after
        the others). A rename is blocked when, after the others, another top-level jobcode
        would hold its name (ignoring case and outer spaces); a blocked jobcode keeps its
        name, which may block another rename in turn (repeated until nothing changes)."""
        renames: dict[int, str] = {}
        for contact in active:
            job_id = linked.get(contact.contact_id)
            job = self.jobcodes.get(job_id) if job_id is not None else None
            if job is None:
                continue
            name = self.desired_name("customer", contact.contact_id, contact.name)
            if name and fits_qbtime(name) and job.name != name:
                renames[job.id] = name
        tops = [j for j in self.snap.jobcodes if j.parent_id == 0]
        blocked: set[int] = set()
        while True:
            holders: dict[str, set[int]] = defaultdict(set)
            for j in tops:
                name = renames[j.id] if j.id in renames and j.id not in blocked else j.name
                holders[qbt_name_key(name)].add(j.id)
            newly = {jid for jid, name in renames.items()
                     if jid not in blocked and len(holders[qbt_name_key(name)]) > 1}
            if not newly:
                break
            blocked |= newly
        return renames, blocked, holders

    def _link_reason(self, result: MatchResult, xero_id: str) -> str:
        return (N_("same name") if xero_id in result.new_links else N_("linked by your decision"))

    def _sync_jobcode(self, contact: XeroContact, job: QBTJobcode, name: str) -> None:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if not name:  # Fix: a blank name in Xero was written over the jobcode's name
            self.skip("customer", contact.contact_id, contact.name, N_("the name is empty in Xero"))
        elif not fits_qbtime(name):
            self.skip("customer", contact.contact_id, name,
                      N_("the name is longer than QuickBooks Time allows ({limit} characters): "
                      "choose a shorter name in the review"), limit=NAME_LIMIT)
        elif job.name != name and job.id in self.blocked_renames:
            # Fix: another top-level jobcode holds this name: the rename would fail on
            # every import. Keep the link, report it.
            self.skip("customer", contact.contact_id, name,
                      N_("A similar record already exists in QuickBooks Time."))
        elif job.name != name:
            before["name"], after["name"] = job.name, name
        if not job.active:
            before["active"], after["active"] = False, True
        if after:
            op = "restore" if "active" in after else "update"
            self.add(Action(f"customer:{contact.contact_id}:{op}", "customers", op, "jobcode",
                            "customers", name, contact.contact_id, job.id, None,
                            before=before, after=after,
                            reason=N_("renamed in Xero") if op == "update" else N_("active in Xero")))
        if self.options.assign_all and not job.assigned_to_all:
            self.add(Action(f"customer:{contact.contact_id}:assign", "customers", "update",
                            "jobcode", "assignments", name, contact.contact_id, job.id, None,
                            before={"assigned_to_all": False}, after={"assigned_to_all": True},
                            reason=N_("assign all imported customers to all team members")))

    def _archive_jobcode(self, job: QBTJobcode, ref: str, xero_id: str | None, reason: str) -> None:
        # The archive cascades to every descendant and drops their assignments: remember
        # them all, so undo restores exactly what was there.
        family: list[int] = []
        stack = [job.id]
        while stack:
            current = stack.pop()
            family.append(current)
            stack.extend(self.children.get(current, ()))
        active_children = [j for j in family[1:] if self.jobcodes.get(j) and self.jobcodes[j].active]
        assignments = sorted({(a.user_id, a.jobcode_id) for a in self.snap.assignments
                              if a.active and a.jobcode_id in family and a.user_id != 0})
        before = {"active": True, "assigned_to_all": job.assigned_to_all,
                  "children": active_children,
                  "children_assigned_to_all": [j for j in active_children
                                               if self.jobcodes[j].assigned_to_all],
                  "assignments": [list(a) for a in assignments]}
        self.add(Action(ref, "archive", "archive", "jobcode", "customers", job.name, xero_id,
                        job.id, None, before=before, after={"active": False}, reason=reason))

    def _location(self, contact: XeroContact, jobcode_id: int | None, needs: str | None) -> None:
        address = contact.best_address
        if address is None:
            return
        cid = contact.contact_id
        ref = f"location:{cid}"
        existing = None
        linked_id = self.links.get("location", {}).get(cid)
        if linked_id is not None and linked_id in self.locations:
            existing = self.locations[linked_id]
        elif jobcode_id is not None:
            # Fix: a location linked to several jobcodes (shared by hand in QuickBooks Time)
            # was taken by each of their customers in turn: its link moved from one to the
            # other and its address flip-flopped on every import. A location linked to
            # another customer (or taken earlier in this plan) is not this one's; and when
            # the jobcode already has such a location, no second one is created.
            owner = {q: x for x, q in self.links.get("location", {}).items()}
            on_job = [loc for loc in self.snap.locations
                      if jobcode_id in loc.jobcode_ids and loc.active]
            existing = next((loc for loc in on_job if owner.get(loc.id, cid) == cid
                             and loc.id not in self.claimed["location"]), None)
            if existing is None and on_job:
                return
        if existing is not None:
            self.claimed["location"].add(existing.id)
        label = contact.name
        if existing is None:
            self.add(Action(ref, "locations", "create", "location", "locations", label, cid, None,
                            "location", after=_location_after(address, jobcode_id), needs=needs,
                            reason=N_("customer address in Xero")))
            return
        if jobcode_id is None:
            # Fix: the contact's location is linked already but its customer is created in
            # this run (e.g. the customer's link was undone, or an undo was interrupted
            # between the two unlinks). This crashed (None in the jobcode ids). Move the
            # linked location to the new jobcode instead of creating a twin: the importer
            # fills ``linked_objects`` with the id of ``needs`` once it is created.
            want = _location_after(address, None)
            have = _location_after(existing.address, None)
            changed = {k: v for k, v in want.items() if have.get(k) != v}
            before = {k: have.get(k) for k in changed}
            changed["linked_objects"] = {"jobcodes": []}   # replaced by the new jobcode's id
            before["linked_objects"] = {"jobcodes": list(existing.jobcode_ids)}
            if not existing.active:
                changed["active"], before["active"] = True, False
            self.add(Action(ref + ":update", "locations", "update", "location", "locations",
                            contact.name, cid, existing.id, None, before=before, after=changed,
                            needs=needs, reason=N_("customer address in Xero")))
            return
        new_link = linked_id != existing.id
        if new_link:
            self.add(Action(ref + ":link", "locations", "link", "location", "locations", label,
                            cid, existing.id, "location", reason=N_("address already in QuickBooks Time")))
        want = _location_after(address, jobcode_id)
        have = _location_after(existing.address, jobcode_id if jobcode_id in existing.jobcode_ids
                               else None)
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
            self.add(Action(ref + ":update", "locations", "update", "location", "locations", label,
                            cid, existing.id, None, before=before, after=changed,
                            reason=N_("address changed in Xero")))

    # ---------------------------------------------------------------- custom fields
    def _field_for(self, xero_id: str, name: str, required: bool | None, kind: str) -> str | None:
        """Plan the custom field for ``xero_id``; returns the ref items must wait for, or
        None when the field exists (items then use its id) — see :meth:`_field_id`."""
        linked = self.links.get("tracking_category", {}).get(xero_id)
        field_obj = self.fields.get(linked) if linked is not None else None
        ref = f"field:{xero_id}"
        if field_obj is None:
            # Fix: a field linked to another Xero id (e.g. the items' field while items are
            # not imported this time) is not free to take by name.
            taken = self.claimed["tracking_category"] | set(self.links.get("tracking_category", {}).values())
            field_obj = next((f for f in self.snap.customfields
                              if qbt_name_key(f.name) == qbt_name_key(name)
                              and f.applies_to == "timesheet"
                              and f.id not in taken), None)
            if field_obj is not None:
                self.add(Action(ref + ":link", "custom_fields", "link", "customfield",
                                "custom_fields", name, xero_id, field_obj.id, "tracking_category",
                                reason=N_("same name")))
        clash = self._field_name_taken(name, xero_id, field_obj)
        if clash is not None:
            # Two active fields with one name: QuickBooks Time users cannot tell them apart
            # and values land in the wrong one. Reported, never written.
            self.skip(kind, xero_id, name,
                      N_("another active custom field in QuickBooks Time is named \"{other}\": "
                         "rename one of them (or choose another name for the items' field "
                         "in the options)"), other=clash)
            return "blocked"
        self._field_names[qbt_name_key(name)] = xero_id
        if field_obj is None:
            active = sum(1 for f in self.snap.customfields if f.active)
            planned = sum(1 for a in self.plan.actions
                          if a.entity == "customfield" and a.op in ("create", "restore"))
            problem = matching.check_custom_field_capacity(active + planned, 1, kind=kind)
            if problem is not None:
                self.skip(kind, xero_id, name,
                          N_("QuickBooks Time allows at most {limit} active custom fields: archive "
                          "one in QuickBooks Time to make room"), limit=matching.MAX_ACTIVE_CUSTOM_FIELDS)
                return "blocked"
            after = {"name": name, "applies_to": "timesheet", "type": "managed-list",
                     "required": bool(required), "show_to_all": True}
            self.add(Action(ref, "custom_fields", "create", "customfield", "custom_fields", name,
                            xero_id, None, "tracking_category", after=after,
                            reason=(N_("new custom field for the Xero items") if xero_id == ITEMS_FIELD_XERO_ID
                                    else N_("new custom field for a Xero tracking category"))))
            return ref
        self.claimed["tracking_category"].add(field_obj.id)
        before: dict[str, Any] = {}
        after = {}
        if not field_obj.active:
            # Fix: restoring an archived field takes an active slot too; only creates were
            # counted, so a plan could ask for a 7th active field (QB Time answers 417).
            active = sum(1 for f in self.snap.customfields if f.active)
            planned = sum(1 for a in self.plan.actions
                          if a.entity == "customfield" and a.op in ("create", "restore"))
            if matching.check_custom_field_capacity(active + planned, 1, kind=kind) is not None:
                self.skip(kind, xero_id, name,
                          N_("QuickBooks Time allows at most {limit} active custom fields: archive "
                          "one in QuickBooks Time to make room"), limit=matching.MAX_ACTIVE_CUSTOM_FIELDS)
                return "blocked"
            before["active"], after["active"] = False, True
        if field_obj.name != name:
            before["name"], after["name"] = field_obj.name, name
        if required is not None and field_obj.required != required:
            before["required"], after["required"] = field_obj.required, required
        if after:
            op = "restore" if "active" in after else "update"
            self.add(Action(ref + ":" + op, "custom_fields", op, "customfield", "custom_fields",
                            name, xero_id, field_obj.id, None, before=before, after=after,
                            reason=N_("custom field settings changed")))
        self._field_ids[xero_id] = field_obj.id
        return None

    _field_ids: dict[str, int]
    _field_names: dict[str, str]   # name keys of the fields this plan keeps -> their Xero id

    def _field_name_taken(self, name: str, xero_id: str, field_obj: Any) -> str | None:
        """The name of another active field (or of a field planned for another purpose)
        that ``name`` would clash with, for the field of ``xero_id`` (``field_obj``: the
        QuickBooks Time field it uses, None when it is to be created)."""
        key = qbt_name_key(name)
        own = field_obj.id if field_obj is not None else None
        for fld in self.snap.customfields:
            if fld.active and fld.id != own and qbt_name_key(fld.name) == key:
                return fld.name
        other = self._field_names.get(key)
        if other is not None and other != xero_id:
            return name
        return None

    def _items_of_field(self, kind: str, field_xero_id: str, field_ref: str | None,
                        wanted: Sequence[tuple[str, str]], retired: Iterable[str]) -> None:
        """Plan the items of one custom field: ``wanted`` (xero id, name) active; ``retired``
        Xero ids whose linked item must be archived."""
        field_id = self._field_ids.get(field_xero_id)
        link_kind = "item" if kind == "item" else "tracking_option"
        # Fix: an item linked to a Xero record that is not wanted now (retired) is archived
        # below; it must not be offered to the others (see customers()).
        wanted_ids = {x for x, _n in wanted}
        elsewhere = {q for x, q in self.links.get(link_kind, {}).items() if x not in wanted_ids}
        existing = [(i.id, i.name, i.active) for i in self.snap.customfielditems
                    if field_id is not None and i.customfield_id == field_id
                    and i.id not in elsewhere]
        links = {x: q for x, q in self.links.get(link_kind, {}).items()
                 if q in {e[0] for e in existing}}
        result = matching.match_named(kind, wanted, existing, links)
        self.plan.matches[f"{kind}:{field_xero_id}"] = result  # one per custom field
        names = dict(wanted)
        linked, new, create = self.resolve(result, names, (e[0] for e in existing))
        summary = "items"
        for xero_id, xname in wanted:
            name = self.desired_name(kind, xero_id, xname)
            ref = f"{kind}:{xero_id}"
            if xero_id in linked:
                item = self.qbt_items[linked[xero_id]]
                if xero_id in new:
                    self.add(Action(ref + ":link", "custom_field_items", "link", "customfielditem",
                                    summary, name, xero_id, item.id, link_kind, reason=N_("same name")))
                before, after = {}, {}
                if item.name != name and name and fits_qbtime(name):  # Fix: never blank
                    before["name"], after["name"] = item.name, name
                if not item.active:
                    before["active"], after["active"] = False, True
                if after:
                    op = "restore" if "active" in after else "update"
                    self.add(Action(ref + ":" + op, "custom_field_items", op, "customfielditem",
                                    summary, name, xero_id, item.id, None, before=before,
                                    after=after, reason=N_("changed in Xero")))
            elif xero_id in create:
                after = {"customfield_id": field_id, "name": name}
                self.add(Action(ref, "custom_field_items", "create", "customfielditem", summary,
                                name, xero_id, None, link_kind, after=after,
                                needs=field_ref, reason=N_("new in Xero")))
        for xero_id in retired:
            qbt_id = self.links.get(link_kind, {}).get(xero_id)
            item = self.qbt_items.get(qbt_id) if qbt_id is not None else None
            if item is not None and item.active:
                self.add(Action(f"{kind}:{xero_id}:archive", "archive", "archive",
                                "customfielditem", summary, item.name, xero_id, item.id, None,
                                before={"active": True}, after={"active": False},
                                reason=N_("no longer offered in Xero")))

    def items(self) -> None:
        opts = self.options
        importable, retired = [], []
        for item in self.snap.items:
            name = sent_name(item.name) or sent_name(item.code)
            if item.importable:
                importable.append((item.item_id, name))
                continue
            retired.append(item.item_id)
            reason = (N_("tracked as inventory in Xero (only untracked items are imported)")
                      if item.is_tracked else N_("not sold in Xero (only sold items are imported)"))
            self.skip("item", item.item_id, name, reason)
        known = {i.item_id for i in self.snap.items}
        retired += [x for x in self.links.get("item", {}) if x not in known]  # deleted in Xero
        if not importable and ITEMS_FIELD_XERO_ID not in self.links.get("tracking_category", {}):
            return
        field_name = sent_name(opts.item_field_name) or DEFAULT_ITEM_FIELD_NAME
        category = next((c.name for c in self.snap.tracking if opts.import_tracking
                         and c.status == "ACTIVE" and qbt_name_key(c.name) == qbt_name_key(field_name)),
                        None)
        if category is not None:
            # The import creates (or keeps) a field of this name for the tracking category.
            self.skip("item", ITEMS_FIELD_XERO_ID, field_name,
                      N_("another active custom field in QuickBooks Time is named \"{other}\": "
                         "rename one of them (or choose another name for the items' field "
                         "in the options)"), other=category)
            ref: str | None = "blocked"
        else:
            ref = self._field_for(ITEMS_FIELD_XERO_ID, field_name, opts.require_item, "item")
        if ref == "blocked":
            blocked_by = next((sk for sk in self.plan.skipped
                               if sk.xero_id == ITEMS_FIELD_XERO_ID), None)
            reason = (N_("the items' custom field cannot be written (see its line)")
                      if blocked_by is not None and "other" in blocked_by.params
                      else N_("no room for the items' custom field"))
            for xero_id, name in importable:
                self.skip("item", xero_id, name, reason)
            return
        self._items_of_field("item", ITEMS_FIELD_XERO_ID, ref, importable, retired)

    def tracking(self) -> None:
        for category in self.snap.tracking:
            cid = category.category_id
            name = sent_name(category.name)
            if category.status != "ACTIVE":
                qbt_id = self.links.get("tracking_category", {}).get(cid)
                fld = self.fields.get(qbt_id) if qbt_id is not None else None
                if fld is not None and fld.active:
                    self.add(Action(f"field:{cid}:archive", "archive", "archive", "customfield",
                                    "custom_fields", fld.name, cid, fld.id, None,
                                    before={"active": True}, after={"active": False},
                                    reason=N_("archived in Xero")))
                continue
            # Fix: a blank name or one longer than QuickBooks Time allows (Xero allows 100
            # characters) was sent as a custom field name; report it instead.
            if not name:
                self.skip("tracking_category", cid, category.name, N_("the name is empty in Xero"))
                continue
            if not fits_qbtime(name):
                self.skip("tracking_category", cid, name,
                          N_("the name is longer than QuickBooks Time allows ({limit} characters): "
                          "choose a shorter name in the review"), limit=NAME_LIMIT)
                continue
            ref = self._field_for(cid, name, None, "tracking_category")
            active_options = [(o.option_id, sent_name(o.name)) for o in category.options
                              if o.status == "ACTIVE"]
            if ref == "blocked":
                continue
            retired = [o.option_id for o in category.options if o.status != "ACTIVE"]
            self._items_of_field("tracking_option", cid, ref, active_options, retired)

    # ---------------------------------------------------------------- employees
    def employees(self) -> None:
        snap = self.snap
        result = matching.match_employees(snap.employees, snap.users, self.links.get("employee", {}))
        self.plan.matches["employee"] = result
        names = {e.employee_id: f"{e.first_name} {e.last_name}".strip() for e in snap.employees}
        former = {e.employee_id: "no longer employed (Xero)" for e in snap.employees if not e.active}
        linked, new, create = self.resolve(result, names, self.users, quiet=former)
        taken = {u.username.casefold() for u in snap.users if u.username}
        for emp in snap.employees:
            eid = emp.employee_id
            label = names[eid]
            ref = f"employee:{eid}"
            if eid in linked:
                user = self.users[linked[eid]]
                if eid in new:
                    self.add(Action(ref + ":link", "employees", "link", "user", "employees", label,
                                    eid, user.id, "employee", reason=self._link_reason(result, eid)))
                self._user_changes(emp, user, label, ref)
            elif eid in create:
                if not emp.active:
                    self.skip("employee", eid, label, N_("no longer employed (Xero)"))
                    continue
                after = {"first_name": sent_name(emp.first_name), "last_name": sent_name(emp.last_name),
                         "username": make_username(emp.first_name, emp.last_name, emp.email, taken),
                         "permissions": {"time_tracking": True}}
                if _valid_email(emp.email):
                    after["email"] = _valid_email(emp.email)
                self.add(Action(ref, "employees", "create", "user", "employees", label, eid, None,
                                "employee", after=after, reason=N_("new employee in Xero")))

    def _link_decided(self, eid: str, user_id: int) -> bool:
        """Did the user decide (review or CSV) that this employee is this user?"""
        decision = self.decisions.get(("employee", eid))
        return (decision is not None and decision.action in ("link", "restore_link")
                and decision.target_qbt_id == user_id)

    def _user_changes(self, emp: XeroEmployee, user: QBTUser, label: str, ref: str) -> None:
        """The update, restore or archive a linked user needs; through the guards:

        * the user behind the access key is never changed (a conflict that says so);
        * any change to an administrator waits for the user's decision (a conflict naming
          them: "link" applies it, "skip" leaves them as they are);
        * an e-mail is written onto an existing user only when the user decided the link;
          otherwise Xero's other e-mail is a conflict to decide."""
        eid = emp.employee_id
        owner = user.id == self.snap.key_owner_id
        protected = owner or user.is_admin
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if not emp.active:
            if not user.active:
                return
            op, reason = "archive", N_("no longer employed (Xero)")
            before["active"], after["active"] = True, False
        else:
            for key, value in (("first_name", sent_name(emp.first_name)),
                               ("last_name", sent_name(emp.last_name))):
                if value and getattr(user, key) != value:
                    before[key], after[key] = getattr(user, key), value
            email = _valid_email(emp.email)
            if email and email.casefold() != sent_name(user.email).casefold():
                if protected or self._link_decided(eid, user.id):
                    before["email"], after["email"] = user.email, email   # guarded below
                else:
                    # Not written: a conflict for the user to decide (their "link" is the
                    # decision that lets Xero's e-mail through).
                    self._allowed(emp, user, label, "email_change", "update",
                                  {"email": user.email}, {"email": email})
            if not user.active:
                before["active"], after["active"] = False, True
            op = "restore" if "active" in after else "update"
            reason = N_("changed in Xero")
        if not after:
            return
        if protected and not self._allowed(emp, user, label,
                                           "key_owner" if owner else "administrator",
                                           op, before, after):
            return
        phase = "archive" if op == "archive" else "employees"
        self.add(Action(f"{ref}:{op}", phase, op, "user", "employees", label, eid, user.id, None,
                        before=before, after=after, reason=reason))

    def _allowed(self, emp: XeroEmployee, user: QBTUser, label: str, problem: str, op: str,
                 before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
        """May this change of ``user`` be written? When not, the conflict (or the decision
        that settled it) is reported. The key owner: never."""
        eid = emp.employee_id
        change = {"op": op, "before": dict(before), "after": dict(after)}
        owner = user.id == self.snap.key_owner_id
        qbt_name = f"{user.first_name} {user.last_name}".strip() or user.username
        who = {"qbt_name": qbt_name, "qbt_email": user.email, "administrator": user.is_admin,
               "key_owner": owner}
        candidate = matching.Candidate(
            qbt_id=user.id, name=qbt_name, score=100.0, reason_code="linked",
            reason="linked", archived=not user.active, email=user.email)
        conflict = Conflict(
            kind="employee", xero_id=eid, xero_name=label, problem=problem,
            candidates=(candidate,),
            fingerprint=matching.fingerprint("employee", label, problem, (candidate,),
                                             xero_email=emp.email,
                                             extra={"change": change, **who}),
            details={"first_name": sent_name(emp.first_name), "last_name": sent_name(emp.last_name),
                     "email": sent_name(emp.email), "xero_email": sent_name(emp.email),
                     "active": emp.active, "problems": (problem,), "change": change, **who})
        decision = self.decisions.get(("employee", eid))
        if decision is not None and (decision.action == "later"
                                     or decision.depends_on != conflict.fingerprint):
            decision = None   # only an answer to this very conflict counts
        if decision is None:
            self.plan.conflicts.append(conflict)
            self.skip("employee", eid, label, N_("waiting for your decision in the review of conflicts"))
            return False
        if owner:
            self.skip("employee", eid, label,
                      N_("the QuickBooks Time user whose access key this app uses is never "
                         "changed by an import"))
            return False
        if decision.action == "skip":
            self.skip("employee", eid, label, N_("skipped by your decision"))
            return False
        if decision.action not in ("link", "restore_link") or decision.target_qbt_id != user.id:
            self.plan.conflicts.append(conflict)
            self.skip("employee", eid, label,
                      N_("only \"link\" (apply the change) or \"skip\" (leave the QuickBooks "
                         "Time user as is) answer this conflict: decide again"))
            return False
        return True

    # ---------------------------------------------------------------- leave
    def leave(self) -> None:
        pto = [(j.id, j.name, j.active) for j in self.snap.jobcodes
               if j.type in TIME_OFF_TYPES and j.parent_id == 0]
        pto_ids = {p[0] for p in pto}
        chosen = {x: q for x, q in self.leave_links.items() if q is None or q in pto_ids}
        for leave_type in self.snap.leave_types:
            lid = leave_type.leave_type_id
            name = sent_name(leave_type.name)
            if lid in chosen:
                continue  # linked already (or deliberately left unlinked)
            result = matching.match_named("leave_type", [(lid, name)], pto, {})
            target = result.links.get(lid)
            if target is None:
                decision = self.decisions.get(("leave_type", lid))
                if decision is not None and decision.action == "link" and decision.target_qbt_id in pto_ids:
                    target = decision.target_qbt_id
            if target is None:
                self.skip("leave_type", lid, name,
                          N_("no time-off code with this name in QuickBooks Time: link it in "
                          "\"Link leave types\""))
                continue
            job = self.jobcodes[target]
            self.add(Action(f"leave:{lid}", "leave", "link", "leave_link", "leave", name, lid,
                            target, "leave_type",
                            after={"qbt_jobcode_id": target, "is_paid": leave_type.is_paid,
                                   "export_to_xero": bool(leave_type.is_paid),
                                   "time_off_code": job.name},
                            reason=N_("paid leave") if leave_type.is_paid
                            else N_("unpaid leave: never exported to Xero")))

    # ---------------------------------------------------------------- all
    def run(self) -> ImportPlan:
        self._field_ids = {}
        self._field_names = {}
        self.plan.key_owner_id = self.snap.key_owner_id
        opts = self.options
        if opts.import_items:
            self.items()
        if opts.import_tracking:
            self.tracking()
        if opts.import_customers:
            self.customers()
        if self.snap.has_payroll and opts.import_employees:
            self.employees()
        if self.snap.has_payroll and opts.link_leave:
            self.leave()
        wanted = {"customer": opts.import_customers, "item": opts.import_items,
                  "employee": self.snap.has_payroll and opts.import_employees}
        self.plan.skipped.extend(Skipped(p.kind, p.xero_id, p.name, p.reason, p.params, True)
                                 for p in self.snap.problems if wanted.get(p.kind))
        order = {p: i for i, p in enumerate(PHASES)}
        self.plan.actions.sort(key=lambda a: order[a.phase])  # stable inside a phase
        return self.plan


def plan_import(snap: Snapshot, links: Mapping[str, Mapping[str, int]],
                decisions: Mapping[tuple[str, str], DecisionView], options: ImportOptions,
                leave_links: Mapping[str, int | None] | None = None) -> ImportPlan:
    """The ordered actions that bring QuickBooks Time in line with Xero (pure)."""
    return _Planner(snap, links, decisions, options, leave_links or {}).run()


#: Inside a phase: restores first (QuickBooks Time refuses edits of archived rows, e.g. an
#: "assign to all" of a customer restored in the same phase), creates last (a rename in the
#: same phase may free the name a create claims — see Planner._settle_top_renames — and a
#: create of a name still in use answers 202 with the existing row, linking the wrong one).
_GROUP_RANK = {"restore": 0, "create": 2}


def ordered_groups(actions: Iterable[Action]) -> list[tuple[tuple[str, str], list[Action]]]:
    """One phase's actions grouped as the importer sends them: by (operation, entity) —
    "local" for actions that write nothing — each group in plan order, groups ranked by
    :data:`_GROUP_RANK` (stable otherwise: the order their first action appears)."""
    groups: dict[tuple[str, str], list[Action]] = {}
    for action in actions:
        key = ("local" if not action.writes else action.op, action.entity)
        groups.setdefault(key, []).append(action)
    return sorted(groups.items(), key=lambda kv: _GROUP_RANK.get(kv[0][0], 1))
