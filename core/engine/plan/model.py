"""What a plan is made of: the options, the actions, what is skipped, the plan itself, and the
order the importer sends a phase's actions in."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from core.engine.matching import Conflict, MatchResult
from core.i18n import tr

#: Link kind and reserved Xero id of the custom field holding the Xero items (it has no
#: Xero counterpart of its own; a UUID can never collide with this id).
ITEMS_FIELD_XERO_ID = "xero-items"
DEFAULT_ITEM_FIELD_NAME = "Xero items"

# The phases, in the order the importer runs them (parents before children).
PHASES = (
    "custom_fields",
    "custom_field_items",
    "customers",
    "locations",
    "employees",
    "archive",
    "leave",
)

# The kinds the summary counts (the headless ``sync --json`` contract).
SUMMARY_KINDS = (
    "customers",
    "locations",
    "employees",
    "items",
    "custom_field_items",
    "custom_fields",
    "assignments",
    "leave",
)


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
    item_field_name: str = "Xero items"  # DEFAULT_ITEM_FIELD_NAME

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
    op: str  # create | update | restore | archive | link
    entity: str  # jobcode | location | user | customfield | customfielditem | leave_link
    summary_kind: str  # one of SUMMARY_KINDS
    label: str
    xero_id: str | None = None
    qbt_id: int | None = None
    link_kind: str | None = None  # Link kind recorded on success
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    needs: str | None = None
    reason: str = ""  # English; shown through tr()
    #: the reason's ``{placeholders}`` (None: it has none; no object per action)
    reason_params: Mapping[str, Any] | None = None

    def describe(self, language: str | None = None) -> str:
        """Why, worded in ``language`` ("" when the action has no reason)."""
        if not self.reason:
            return ""
        return tr(self.reason, language, **(self.reason_params or {}))

    @property
    def writes(self) -> bool:
        """False for local-only actions (links, leave links): no QuickBooks Time call."""
        return self.op != "link" and self.entity != "leave_link"


@dataclass(frozen=True)
class Skipped:
    kind: str
    xero_id: str
    name: str
    reason: str  # English; shown through tr()
    params: Mapping[str, Any] = field(default_factory=dict)
    #: a bad record from Xero (duplicate or missing id, impossible date): printed by name
    bad_record: bool = False

    def describe(self, language: str | None = None) -> str:
        return tr(self.reason, language, **self.params)


@dataclass
class ImportPlan:
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)  # still waiting for a decision
    skipped: list[Skipped] = field(default_factory=list)
    matches: dict[str, MatchResult] = field(default_factory=dict)
    #: the QuickBooks Time user behind the access key: the importer refuses to change them
    key_owner_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"created": {kind: n}, "updated": …, "archived": …, "linked": …, "skipped": …}``."""
        out: dict[str, Counter[str]] = {
            k: Counter() for k in ("created", "updated", "archived", "linked", "skipped")
        }
        verb = {
            "create": "created",
            "update": "updated",
            "restore": "updated",
            "archive": "archived",
            "link": "linked",
        }
        for action in self.actions:
            out[verb[action.op]][action.summary_kind] += 1
            if action.op == "create" and action.after.get("assigned_to_all"):
                out["created"]["assignments"] += 1
        for skipped in self.skipped:
            out["skipped"][_summary_kind_of(skipped.kind)] += 1
        return {k: {kind: c[kind] for kind in SUMMARY_KINDS if c[kind]} for k, c in out.items()}

    def lookalikes(self) -> dict[str, dict[str, list[int]]]:
        """By kind matched in this plan, by Xero id, the QuickBooks Time records its
        conflicts offered as candidates (decided or not): what the next plan is given to
        offer again (``plan_import``'s ``remembered``). A kind not matched is absent."""
        out: dict[str, dict[str, list[int]]] = {}
        for result in self.matches.values():
            of_kind = out.setdefault(result.kind, {})
            for conflict in result.conflicts:
                ids = [c.qbt_id for c in conflict.candidates]
                if ids and conflict.xero_id:
                    of_kind.setdefault(conflict.xero_id, []).extend(ids)
        return out

    def by_phase(self) -> dict[str, list[Action]]:
        grouped: dict[str, list[Action]] = defaultdict(list)
        for action in self.actions:
            grouped[action.phase].append(action)
        return {p: grouped[p] for p in PHASES if grouped.get(p)}


def _summary_kind_of(kind: str) -> str:
    return {
        "customer": "customers",
        "location": "locations",
        "employee": "employees",
        "item": "items",
        "tracking_category": "custom_fields",
        "tracking_option": "custom_field_items",
        "leave_type": "leave",
    }.get(kind, kind)


@dataclass(frozen=True)
class DecisionView:
    """What the plan needs of a saved decision (core.store.models.Decision has these fields)."""

    action: str
    target_qbt_id: int | None = None
    new_name: str | None = None
    depends_on: str = ""


#: Inside a phase: restores first (QuickBooks Time refuses edits of archived rows, e.g. an
#: "assign to all" of a customer restored in the same phase), creates last (a rename in the
#: same phase may free the name a create claims — see CustomerPlanner._settle_top_renames — and a
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
