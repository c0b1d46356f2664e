"""Deciding a conflict: validating a link (kind, level, the key's owner, archived records and
"restore and link"), a rename or a create; one decision, or the safe bulk actions.

A :class:`~core.store.models.Decision` answers one conflict (``link``, ``create``, ``skip``,
``rename`` or ``later``) and remembers the conflict's fingerprint in ``depends_on``: when the
fingerprint changes the decision re-opens. Each change is one step of the undo stack
(:mod:`core.engine.review.undo_stack`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.engine.matching import Candidate, Conflict
from core.engine.names import NAME_LIMIT, fits_qbtime, look_alike_key, qbt_name_key, sent_name
from core.engine.plan.model import ITEMS_FIELD_XERO_ID
from core.engine.records import TIME_OFF_TYPES
from core.engine.review.errors import (
    CreateNameKept,
    CreateNeedsName,
    CreateNeedsRename,
    LinkTargetMissing,
    LinkTargetTaken,
    LinkTargetUnknown,
    NewNameChosenTwice,
    NewNameInvalid,
    NewNameMissing,
    NewNameTaken,
    NewNameTooLong,
    NoRoomForCustomFields,
    RenameNotForPeople,
    ReviewError,
    TargetArchived,
    TargetIsAccountOwner,
    TargetIsChildJob,
    TargetIsTimeOff,
    TargetNotArchived,
    TargetWrongKind,
    UnknownDecision,
)
from core.engine.review.rows import ReviewRow, conn_id, name_kept_by_archived_twin, review_rows
from core.engine.review.suggestions import Suggestion, suggestion
from core.engine.review.undo_stack import fields_for_new, record_step, same, saving
from core.i18n import N_
from core.store.models import (
    DECISION_ACTIONS,
    Connection,
    Decision,
    Link,
    QBTRecord,
    XeroRecord,
)

# which QB Time / Xero snapshot kind holds each link kind (manual links, names in messages)
_QBT_KIND = {
    "customer": "jobcode",
    "employee": "user",
    "item": "customfielditem",
    "tracking_category": "customfield",
    "tracking_option": "customfielditem",
    "leave_type": "jobcode",
    "location": "location",
}
_XERO_KIND = {
    "customer": "contact",
    "employee": "employee",
    "item": "item",
    "tracking_category": "tracking_category",
    "tracking_option": "tracking_option",
    "leave_type": "leave_type",
    "location": "contact",
}


# -- validation ----------------------------------------------------------------------------------


def _problems(conflict: Conflict) -> tuple[str, ...]:
    """Every problem of the conflict (matching lists them in ``details["problems"]``)."""
    listed = tuple((conflict.details or {}).get("problems") or ())
    return listed if conflict.problem in listed else (conflict.problem, *listed)


def _label(conflict: Conflict) -> str:
    return conflict.xero_name.strip() or conflict.xero_id


def _xero_name(cid: int, kind: str, xero_id: str) -> str:
    row = XeroRecord.get_or_none(
        XeroRecord.connection == cid,
        XeroRecord.kind == _XERO_KIND.get(kind, kind),
        XeroRecord.xero_id == xero_id,
    )
    if row is not None:
        full = " ".join(p for p in (row.first_name, row.last_name) if p)
        return row.name or full or xero_id
    return xero_id


def _owner_of(
    cid: int,
    conflict: Conflict,
    target: int,
    *,
    exclude: Iterable[str] = (),
    claimed: Mapping[tuple[str, int], str] | None = None,
) -> str | None:
    """The other Xero record already holding ``target`` (a link, or a decision to link)."""
    kind, xero_id = conflict.kind, conflict.xero_id
    if claimed and (holder := claimed.get((kind, target))) not in (None, xero_id):
        return holder
    for cand in conflict.candidates:
        if cand.qbt_id == target and cand.linked_xero_id not in (None, xero_id):
            return cand.linked_xero_id
    link = Link.get_or_none(
        Link.connection == cid, Link.kind == kind, Link.qbt_id == target, Link.xero_id != xero_id
    )
    if link is not None:
        return str(link.xero_id)
    skip = {xero_id, *exclude}
    for d in Decision.select(Decision.xero_id).where(
        Decision.connection == cid,
        Decision.kind == kind,
        Decision.action.in_(sorted(LINK_ACTIONS)),
        Decision.target_qbt_id == target,
    ):
        if d.xero_id not in skip:
            return str(d.xero_id)
    return None


#: the largest record number SQLite (and so the snapshot) can hold
_MAX_RECORD_ID = 2**63 - 1
_NAME_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]")

#: the decision that links to an ARCHIVED QuickBooks Time record, which the import restores
RESTORE_LINK = "restore_link"
#: decisions that link a Xero record to an existing QuickBooks Time record
LINK_ACTIONS = frozenset({"link", RESTORE_LINK})

_EXPECTED = {
    "customer": N_("a top-level customer"),
    "employee": N_("a team member"),
    "item": N_("an item of the custom field for Xero items"),
    "tracking_category": N_("a custom field for timesheets"),
    "tracking_option": N_("an item of this tracking category's custom field"),
    "leave_type": N_("a time-off code"),
}


@dataclass(frozen=True)
class _Target:
    """What validation needs of a QuickBooks Time record (from the snapshot or a candidate)."""

    qbt_id: int
    name: str
    active: bool
    kind: str | None = None  # QBTRecord kind; None: only known as a candidate
    parent_id: int | None = None
    type: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


def _record_name(rec: QBTRecord) -> str:
    full = " ".join(p for p in (rec.first_name, rec.last_name) if p)
    return rec.name or full or str(rec.qbt_id)


def _find_target(cid: int, conflict: Conflict, target: int) -> _Target | None:
    rec = QBTRecord.get_or_none(
        QBTRecord.connection == cid,
        QBTRecord.kind == _QBT_KIND.get(conflict.kind, conflict.kind),
        QBTRecord.qbt_id == target,
    )
    if rec is not None:
        return _Target(
            target,
            _record_name(rec),
            bool(rec.active),
            str(rec.kind),
            rec.parent_id,
            rec.type,
            rec.raw if isinstance(rec.raw, dict) else {},
        )
    cand = next((c for c in conflict.candidates if c.qbt_id == target), None)
    if cand is not None:  # offered by matching, which only offers records of the right level
        return _Target(target, cand.name, not cand.archived)
    return None


def _field_of(cid: int, xero_category: str) -> int | None:
    link = Link.get_or_none(
        Link.connection == cid, Link.kind == "tracking_category", Link.xero_id == xero_category
    )
    return None if link is None else int(link.qbt_id)


def _allowed_fields(cid: int, conflict: Conflict) -> set[int]:
    """The custom fields whose items an item / tracking option may be linked to: the field
    linked to its category (or to the Xero items), and the field matching offered from."""
    if conflict.kind == "item":
        category: str | None = ITEMS_FIELD_XERO_ID
    else:
        row = XeroRecord.get_or_none(
            XeroRecord.connection == cid,
            XeroRecord.kind == "tracking_option",
            XeroRecord.xero_id == conflict.xero_id,
        )
        category = row.parent_xero_id if row is not None else None
    fields: set[int] = set()
    if category and (linked := _field_of(cid, category)) is not None:
        fields.add(linked)
    ids = [c.qbt_id for c in conflict.candidates]
    if ids:
        for rec in QBTRecord.select(QBTRecord.parent_id).where(
            QBTRecord.connection == cid,
            QBTRecord.kind == "customfielditem",
            QBTRecord.qbt_id.in_(ids),
        ):
            if rec.parent_id is not None:
                fields.add(int(rec.parent_id))
    return fields


def _owner_user(cid: int) -> int | None:
    owner = (
        Connection.select(Connection.qbtime_user_id)
        .where(Connection._meta.primary_key == cid)
        .scalar()
    )
    return None if owner is None else int(owner)


def _check_target(cid: int, conflict: Conflict, action: str, tgt: _Target, name: str) -> None:
    """Refuse a link to a record of another kind or level, the key's owner, or an archived
    record without "restore and link" (ReviewError)."""
    kind = conflict.kind
    params: dict[str, Any] = {"target": tgt.qbt_id, "qname": tgt.name, "name": name}
    wrong = TargetWrongKind(
        detail=f"{kind} -> {tgt.kind}/{tgt.type}/{tgt.parent_id}",
        expected=_EXPECTED.get(kind, N_("a record of the same kind")),
        **params,
    )
    if tgt.kind is not None:
        if kind == "customer":
            if tgt.type in TIME_OFF_TYPES:
                raise TargetIsTimeOff(**params)
            if tgt.parent_id not in (0, None):
                raise TargetIsChildJob(**params)
            if tgt.type != "regular":
                raise wrong
        elif kind == "leave_type":
            if tgt.type not in TIME_OFF_TYPES or tgt.parent_id not in (0, None):
                raise wrong
        elif kind in ("item", "tracking_option"):
            if tgt.parent_id is None or int(tgt.parent_id) not in _allowed_fields(cid, conflict):
                raise wrong
        elif kind == "tracking_category":
            applies = str(tgt.raw.get("applies_to") or "timesheet")
            if applies != "timesheet":
                raise wrong
            if _field_of(cid, ITEMS_FIELD_XERO_ID) == tgt.qbt_id:
                raise wrong  # the custom field of the Xero items
    if kind == "employee" and tgt.qbt_id == _owner_user(cid):
        raise TargetIsAccountOwner(**params)
    if action == "link" and not tgt.active:
        raise TargetArchived(**params)
    if action == RESTORE_LINK and tgt.active:
        raise TargetNotArchived(**params)


def _renamed_away(
    cid: int,
    conflict: Conflict,
    rec: QBTRecord,
    key: str,
    claimed: Mapping[tuple[str, int], str] | None,
) -> bool:
    """Is ``rec`` linked (or chosen) for another Xero record whose name it takes at the next
    import, so that its current name is free by then?"""
    kind = conflict.kind
    holder = (claimed or {}).get((kind, int(rec.qbt_id)))
    if holder is None:
        link = Link.get_or_none(
            Link.connection == cid,
            Link.kind == kind,
            Link.qbt_id == rec.qbt_id,
            Link.xero_id != conflict.xero_id,
        )
        holder = str(link.xero_id) if link is not None else None
    if holder is None:
        chosen = Decision.get_or_none(
            Decision.connection == cid,
            Decision.kind == kind,
            Decision.action.in_(sorted(LINK_ACTIONS)),
            Decision.target_qbt_id == rec.qbt_id,
            Decision.xero_id != conflict.xero_id,
        )
        holder = str(chosen.xero_id) if chosen is not None else None
    if holder is None or holder == conflict.xero_id:
        return False
    row = XeroRecord.get_or_none(
        XeroRecord.connection == cid,
        XeroRecord.kind == _XERO_KIND.get(kind, kind),
        XeroRecord.xero_id == holder,
    )
    if row is None:
        return False
    future = row.name or " ".join(p for p in (row.first_name, row.last_name) if p)
    return bool(future.strip()) and qbt_name_key(future) != key


def _new_name_taken(
    cid: int,
    conflict: Conflict,
    text: str,
    renamed: Mapping[tuple[str, str], str] | None,
    exclude: Iterable[str],
    claimed: Mapping[tuple[str, int], str] | None = None,
) -> None:
    """Refuse a new name another record of the same kind and level already has in QuickBooks
    Time (unless the import renames that record away: it is linked to a Xero record of
    another name), or that another decision already chose (ReviewError)."""
    kind, key = conflict.kind, qbt_name_key(text)
    query: Any = QBTRecord.select().where(
        QBTRecord.connection == cid, QBTRecord.kind == _QBT_KIND.get(kind, kind)
    )
    if kind == "customer":
        query = query.where(QBTRecord.parent_id == 0, QBTRecord.type == "regular")
    elif kind in ("item", "tracking_option"):
        fields = _allowed_fields(cid, conflict)
        if not fields:
            query = None  # the field does not exist yet: nothing can collide in it
        else:
            query = query.where(QBTRecord.parent_id.in_(list(fields)))
    elif kind == "leave_type":
        query = None
    for rec in query if query is not None else ():
        if qbt_name_key(_record_name(rec)) == key and not _renamed_away(
            cid, conflict, rec, key, claimed
        ):
            raise NewNameTaken(detail=f"qbt {rec.qbt_id}", new=text, target=rec.qbt_id)
    if kind == "tracking_option":
        return  # options of different categories may share a name
    others: dict[str, str] = {}
    replaced = set(exclude)  # records whose saved answer is being replaced (CSV import)
    for d in Decision.select(Decision.xero_id, Decision.new_name).where(
        Decision.connection == cid,
        Decision.kind == kind,
        Decision.action == "rename",
        Decision.xero_id != conflict.xero_id,
    ):
        if d.new_name and d.xero_id not in replaced:
            others[qbt_name_key(d.new_name)] = str(d.xero_id)
    for (k, xero_id), new_name in (renamed or {}).items():
        if k == kind and xero_id != conflict.xero_id:
            others[qbt_name_key(new_name)] = xero_id
    if (other := others.get(key)) is not None:
        raise NewNameChosenTwice(
            detail=f"xero {other}", new=text, other=_xero_name(cid, kind, other)
        )


def can_rename(kind: str) -> bool:
    """Whether a record of ``kind`` may be added under another name ("rename"): not a
    person, whose QuickBooks Time name is their first and last name from Xero."""
    return kind != "employee"


def prepare(
    cid: int,
    conflict: Conflict,
    action: str,
    target_qbt_id: Any,
    new_name: Any,
    note: Any,
    *,
    exclude: Iterable[str] = (),
    claimed: Mapping[tuple[str, int], str] | None = None,
    renamed: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, Any]:
    """Check one answer against the conflict; the Decision fields to save, or ReviewError."""
    if action not in DECISION_ACTIONS:
        raise UnknownDecision(detail=repr(action), word=str(action))
    problems = _problems(conflict)
    name = _label(conflict)
    fields: dict[str, Any] = {
        "action": action,
        "target_qbt_id": None,
        "new_name": None,
        "note": (note or "").strip(),
        "depends_on": conflict.fingerprint,
    }
    if "too_many_custom_fields" in problems and action not in ("skip", "later"):
        raise NoRoomForCustomFields(detail=f"{action} refused")
    if action in LINK_ACTIONS:
        if target_qbt_id is None or target_qbt_id == "":
            raise LinkTargetMissing(name=name)
        try:
            if isinstance(target_qbt_id, bool):
                raise ValueError(target_qbt_id)
            target = int(target_qbt_id)
        except (TypeError, ValueError):
            raise LinkTargetUnknown(detail="not a number", target=str(target_qbt_id)) from None
        if target <= 0:
            raise LinkTargetUnknown(detail="not positive", target=target)
        if target > _MAX_RECORD_ID:  # (SQLite's integers end there: no record has it)
            raise LinkTargetUnknown(detail="too large", target=target)
        known = _find_target(cid, conflict, target)
        if known is None:
            raise LinkTargetUnknown(detail="not in snapshot", target=target)
        _check_target(cid, conflict, action, known, name)
        owner = _owner_of(cid, conflict, target, exclude=exclude, claimed=claimed)
        if owner is not None:
            raise LinkTargetTaken(
                detail=f"owner {owner}", other=_xero_name(cid, conflict.kind, owner), name=name
            )
        fields["target_qbt_id"] = target
    elif action == "rename":
        if not can_rename(conflict.kind):
            raise RenameNotForPeople(name=name)
        text = "" if new_name is None else str(new_name).strip()
        if _NAME_BREAKS.search(text):
            raise NewNameInvalid()
        # what would be sent: without the characters nobody sees (zero-width spaces, bidi
        # marks, controls), which the plan takes out; a name of only those is no name (it
        # was taken, then the record was left out of every import without a word)
        text = sent_name(text)
        if not text:
            raise NewNameMissing(name=name)
        if not fits_qbtime(text):
            raise NewNameTooLong(length=len(text), limit=NAME_LIMIT)
        _new_name_taken(cid, conflict, text, renamed, exclude, claimed)
        fields["new_name"] = text
    elif action == "create":
        if "invalid_name" in problems or not conflict.xero_name.strip():
            raise CreateNeedsName()
        if "name_too_long" in problems or not fits_qbtime(conflict.xero_name.strip()):
            raise CreateNeedsRename(name=name[:NAME_LIMIT] + "…", limit=NAME_LIMIT)
        if name_kept_by_archived_twin(conflict):
            raise CreateNameKept(name=name)
    return fields


def link_action(conn: Connection | int, conflict: Conflict, target_qbt_id: int) -> str:
    """The decision that links ``conflict`` to ``target_qbt_id``: ``link``, or
    :data:`RESTORE_LINK` when the record is archived (the import restores it). Raises the
    :class:`ReviewError` that says why when it may not be linked at all."""
    cid = conn_id(conn)
    try:
        prepare(cid, conflict, "link", target_qbt_id, None, "")
    except TargetArchived:
        prepare(cid, conflict, RESTORE_LINK, target_qbt_id, None, "")
        return RESTORE_LINK
    return "link"


def link_targets(
    conn: Connection | int, conflict: Conflict
) -> tuple[list[tuple[Candidate, str]], list[tuple[Candidate, str]]]:
    """The conflict's candidates split in two: those it may be linked to, each with the
    decision that does it (:func:`link_action`), and those it may not, each with the reason
    (translated). The review screen offers only the first."""
    valid: list[tuple[Candidate, str]] = []
    refused: list[tuple[Candidate, str]] = []
    for cand in conflict.candidates:
        try:
            valid.append((cand, link_action(conn, conflict, cand.qbt_id)))
        except ReviewError as exc:
            refused.append((cand, exc.user_message()))
    return valid, refused


# -- one decision --------------------------------------------------------------------------------


def decide(
    conn: Connection | int,
    conflict: Conflict,
    action: str,
    *,
    target_qbt_id: int | None = None,
    new_name: str | None = None,
    note: str = "",
) -> Decision:
    """Save the answer to one conflict (one undo step). Raises ReviewError when invalid.

    * ``link`` needs ``target_qbt_id``: one of the conflict's candidates, or any QB Time record
      of the right kind known to the local data (a manual search). A record already linked,
      or chosen for another Xero record, is refused.
    * ``rename`` (= create under another name) needs a new name: not empty, at most 64
      characters after trimming, no line breaks.
    * ``create`` is refused when the Xero name cannot be used (too long, or no name): rename.
    * A capacity problem (too many custom fields) only accepts ``skip`` or ``later``.
    """
    cid = conn_id(conn)
    fields = prepare(cid, conflict, action, target_qbt_id, new_name, note)
    with saving():
        current = Decision.get_or_none(
            Decision.connection == cid,
            Decision.kind == conflict.kind,
            Decision.xero_id == conflict.xero_id,
        )
        if same(current, fields):
            return current  # type: ignore[return-value]  # nothing changed: no undo step
        record_step(cid, action, [(conflict.kind, conflict.xero_id, fields_for_new(fields))])
    return Decision.get(
        Decision.connection == cid,
        Decision.kind == conflict.kind,
        Decision.xero_id == conflict.xero_id,
    )


def clear_decision(conn: Connection | int, kind: str, xero_id: str) -> bool:
    """Forget the answer for one record (one undo step); False when there was none."""
    cid = conn_id(conn)
    with saving():
        current = Decision.get_or_none(
            Decision.connection == cid, Decision.kind == kind, Decision.xero_id == xero_id
        )
        if current is None:
            return False
        record_step(cid, "clear", [(kind, xero_id, None)])
    return True


# -- safe bulk actions ---------------------------------------------------------------------------

#: problems a bulk "accept all exact" may settle (all of the conflict's problems must be here)
EXACT_SAFE_PROBLEMS = frozenset({"near_match", "archived_twin"})
#: problems under which creating the record under its Xero name is valid without a person
CREATE_SAFE_PROBLEMS = frozenset({"near_match", "ambiguous", "archived_twin"})


def _emails_compatible(conflict: Conflict, cand: Candidate) -> bool:
    codes = set(cand.reason_code.split("+"))
    if codes & {"other_email", "same_name_other_email"}:
        return False
    details = conflict.details or {}
    # matching's employee conflicts carry the Xero e-mail as "email"; the people-safety
    # conflicts as "xero_email".
    xero_email = str(details.get("xero_email") or details.get("email") or "").strip().casefold()
    qbt_email = (getattr(cand, "email", "") or "").strip().casefold()
    return not xero_email or not qbt_email or xero_email == qbt_email


def is_exact_safe(conflict: Conflict) -> bool:
    """Is this conflict in the "accept all exact" set? All of:

    * every problem of the conflict is ``near_match`` or ``archived_twin`` (an archived
      QB Time twin is linked and the plan restores it). Ambiguous names, duplicates inside
      Xero, names too long or invalid, and capacity problems always need a person;
    * exactly ONE candidate, with score 100, not linked to another Xero record;
    * the candidate's name and the Xero name are equal after ``names.look_alike_key`` (they differ
      at most by case, spaces or invisible characters);
    * for employees: the e-mails are equal (ignoring case) or one of them is missing.
    """
    if not set(_problems(conflict)) <= EXACT_SAFE_PROBLEMS or len(conflict.candidates) != 1:
        return False
    cand = conflict.candidates[0]
    if cand.score < 100 or getattr(cand, "linked_xero_id", None) not in (None, conflict.xero_id):
        return False
    if cand.archived:
        return False  # restoring an archived record is a choice a person makes, one by one
    xero_key = look_alike_key(conflict.xero_name)
    if not conflict.xero_name.strip() or look_alike_key(cand.name) != xero_key:
        return False
    return conflict.kind != "employee" or _emails_compatible(conflict, cand)


def is_create_safe(conflict: Conflict) -> bool:
    """Is this conflict in the "create all with no candidate" set? All of:

    * no candidate at all (nothing in QB Time it could be);
    * every problem is one where creating under the Xero name is valid and creates no
      duplicate (:data:`CREATE_SAFE_PROBLEMS`): never ``duplicate_in_xero`` (two Xero records
      would become two look-alike QB Time records), ``name_too_long`` / ``invalid_name``
      (need a new name) or ``too_many_custom_fields`` (no room);
    * the Xero name is not blank and fits in 64 characters.

    Records with no candidate and no problem are not conflicts (``MatchResult.unmatched_xero``):
    the plan creates those without a decision.
    """
    name = conflict.xero_name.strip()
    return (
        not conflict.candidates
        and set(_problems(conflict)) <= CREATE_SAFE_PROBLEMS
        and bool(name)
        and fits_qbtime(name)
    )


def _bulk(
    cid: int,
    label: str,
    conflicts: Sequence[Conflict],
    choose: Callable[[Conflict], tuple[str, int | None] | None],
) -> int:
    rows = [r for r in review_rows(cid, conflicts) if not r.decided]
    changes: list[tuple[str, str, Mapping[str, Any] | None]] = []
    claimed: dict[tuple[str, int], str] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if row.key in seen:
            continue
        seen.add(row.key)
        picked = choose(row.conflict)
        if picked is None:
            continue
        action, target = picked
        try:
            fields = prepare(cid, row.conflict, action, target, None, "", claimed=claimed)
        except ReviewError:
            continue  # e.g. the target is taken: leave it to a person
        if target is not None:
            claimed[(row.conflict.kind, target)] = row.conflict.xero_id
        changes.append((row.conflict.kind, row.conflict.xero_id, fields_for_new(fields)))
    if not changes:
        return 0
    with saving():
        record_step(cid, label, changes)
    return len(changes)


def accept_all_exact(conn: Connection | int, conflicts: Sequence[Conflict]) -> int:
    """Link every undecided conflict of the :func:`is_exact_safe` set to its one candidate.

    Decided rows are left alone ("later" and re-opened rows count as undecided); when two
    safe conflicts want the same QB Time record, both are left to a person; a record already
    linked or chosen for another Xero record is skipped. ONE undo step. Returns how many were
    linked.
    """

    def choose(c: Conflict) -> tuple[str, int] | None:
        return ("link", c.candidates[0].qbt_id) if is_exact_safe(c) else None

    safe = [c for c in conflicts if is_exact_safe(c)]
    wanted: dict[tuple[str, int], int] = defaultdict(int)
    for c in safe:
        wanted[(c.kind, c.candidates[0].qbt_id)] += 1
    unique = [c for c in safe if wanted[(c.kind, c.candidates[0].qbt_id)] == 1]
    return _bulk(conn_id(conn), "accept_all_exact", unique, choose)


def create_all_unmatched(conn: Connection | int, conflicts: Sequence[Conflict]) -> int:
    """Answer ``create`` for every undecided conflict of the :func:`is_create_safe` set.

    ONE undo step. Returns how many were answered.
    """

    def choose(c: Conflict) -> tuple[str, None] | None:
        return ("create", None) if is_create_safe(c) else None

    return _bulk(conn_id(conn), "create_all_unmatched", conflicts, choose)


def accept_suggestions(conn: Connection | int, conflicts: Sequence[Conflict]) -> int:
    """Save the suggested action (:func:`~core.engine.review.suggestions.suggestion`) of
    every undecided conflict that has one: link or create. ONE undo step.

    "Later" and re-opened rows count as undecided; when two conflicts are suggested the same
    QuickBooks Time record, both are left to a person; a record already linked or chosen for
    another Xero record, or an answer that would be refused, is left too. Returns how many
    were answered.
    """
    suggested = {(c.kind, c.xero_id): suggestion(c) for c in conflicts}
    wanted: dict[tuple[str, int], int] = defaultdict(int)
    for (kind, _xero_id), s in suggested.items():
        if s is not None and s.target_qbt_id is not None:
            wanted[(kind, s.target_qbt_id)] += 1

    def choose(c: Conflict) -> tuple[str, int | None] | None:
        s = suggested.get((c.kind, c.xero_id))
        if s is None:
            return None
        if s.target_qbt_id is not None and wanted[(c.kind, s.target_qbt_id)] != 1:
            return None
        return (s.action, s.target_qbt_id)

    return _bulk(conn_id(conn), "accept_suggestions", conflicts, choose)


def suggestions_waiting(
    rows: Sequence[ReviewRow],
    known: Mapping[tuple[str, str], Suggestion | None] | None = None,
) -> int:
    """How many of ``rows`` :func:`accept_suggestions` would answer now (the count on the
    button): undecided, with a suggestion, whose suggested record no other row wants or
    holds. Reads nothing from the database (the screen asks after every decision).
    ``known``: each conflict's :func:`suggestion` by row key, worked out already (by the
    worker that loaded the review: the names compared are not the window's work)."""
    known = known or {}
    suggested = {r.key: known[r.key] if r.key in known else suggestion(r.conflict) for r in rows}
    wanted: dict[tuple[str, int], int] = defaultdict(int)
    for (kind, _xero_id), s in suggested.items():
        if s is not None and s.target_qbt_id is not None:
            wanted[(kind, s.target_qbt_id)] += 1
    for r in rows:
        d = r.decision
        if r.decided and d is not None and d.action in LINK_ACTIONS and d.target_qbt_id:
            wanted[(r.conflict.kind, int(d.target_qbt_id))] += 1
    count = 0
    for r in rows:
        s = suggested.get(r.key)
        if r.decided or s is None:
            continue
        if s.target_qbt_id is not None and wanted[(r.conflict.kind, s.target_qbt_id)] != 1:
            continue
        count += 1
    return count
