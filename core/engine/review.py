"""The conflict review, offline: decisions, undo/redo, safe bulk actions, CSV for an accountant.

Everything here reads and writes the local database only (no network): a person can review
matching conflicts on a plane, export them for their accountant, and import the answers back.

* A :class:`~core.store.models.Decision` answers one conflict (``link``, ``create``, ``skip``,
  ``rename`` or ``later``) and remembers the conflict's fingerprint in ``depends_on``. When the
  conflict's fingerprint changes (a field the answer depended on changed on either side) the
  decision *re-opens*; when only unrelated fields change the fingerprint does not, and the
  decision stands.
* Every change of decisions is one step on a per-connection undo stack (``Setting``
  ``review_undo:<connection id>``, at most :data:`UNDO_LIMIT` steps); a bulk action or a CSV
  import is ONE step. :func:`undo_last` reverts the last step, :func:`redo_last` re-applies an
  undone one (any new decision clears the redo stack).
* Validation errors are :class:`ReviewError` (a :class:`~core.errors.BridgeError`) whose
  ``user_message()`` is translated.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sqlite3
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import peewee as pw

from core.engine.matching import NAME_LIMIT, Candidate, Conflict, describe_problem, describe_reason
from core.errors import BridgeError
from core.i18n import N_, tr
from core.store.models import (
    DECISION_ACTIONS,
    Connection,
    Decision,
    Link,
    QBTRecord,
    Setting,
    XeroRecord,
    db,
    utcnow,
)

__all__ = [
    "CREATE_SAFE_PROBLEMS",
    "CSV_COLUMNS",
    "EXACT_SAFE_PROBLEMS",
    "LINK_ACTIONS",
    "RESTORE_LINK",
    "UNDO_LIMIT",
    "ImportReport",
    "ReviewError",
    "ReviewRow",
    "RowProblem",
    "accept_all_exact",
    "can_redo",
    "can_undo",
    "clear_decision",
    "create_all_unmatched",
    "decide",
    "export_csv",
    "import_csv",
    "is_create_safe",
    "is_exact_safe",
    "link_action",
    "link_targets",
    "progress",
    "redo_last",
    "review_rows",
    "safe_key",
    "undo_last",
    "visible_rows",
]

#: at most this many undo (and redo) steps are kept per connection
UNDO_LIMIT = 200
#: how many candidates the CSV shows per conflict
CSV_CANDIDATES = 3

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


# -- errors --------------------------------------------------------------------------------------


class ReviewError(BridgeError):
    """A decision (or a review file) that cannot be taken as is; the message says why."""

    message = "This decision could not be saved."
    code = "invalid"


class UnknownDecision(ReviewError):
    message = ("\"{word}\" is not a decision. Use link, create, skip, rename or later "
               "(in French: lier, créer, ignorer, renommer, plus tard).")
    code = "unknown_decision"


class LinkTargetMissing(ReviewError):
    message = "Choose the QuickBooks Time record to link \"{name}\" to."
    code = "target_missing"


class LinkTargetUnknown(ReviewError):
    message = ("No QuickBooks Time record number {target} is known for this kind of record. "
               "Choose one of the suggested matches, or fetch the data from QuickBooks Time again.")
    code = "target_unknown"


class LinkTargetTaken(ReviewError):
    message = ("That QuickBooks Time record is already linked to \"{other}\". Change that "
               "decision first, or choose Create new or Skip for \"{name}\".")
    code = "target_taken"


class TargetIsTimeOff(ReviewError):
    message = ("QuickBooks Time record number {target} (\"{qname}\") is a time-off code, not a "
               "customer. Link \"{name}\" to a customer, or choose Create new or Skip.")
    code = "target_time_off"


class TargetIsChildJob(ReviewError):
    message = ("QuickBooks Time record number {target} (\"{qname}\") is a job inside another "
               "customer, not a customer. Link \"{name}\" to a top-level customer, or choose "
               "Create new or Skip.")
    code = "target_child_job"


class TargetWrongKind(ReviewError):
    message = ("QuickBooks Time record number {target} (\"{qname}\") is not {expected}, so "
               "\"{name}\" cannot be linked to it. Choose one of the suggested matches, or "
               "Create new or Skip.")
    code = "target_wrong_kind"


class TargetIsAccountOwner(ReviewError):
    message = ("QuickBooks Time user number {target} (\"{qname}\") is the administrator whose "
               "access key this app uses: it is never linked to a Xero employee. Choose another "
               "user, or Create new or Skip for \"{name}\".")
    code = "target_owner"


class TargetArchived(ReviewError):
    message = ("QuickBooks Time record number {target} (\"{qname}\") is archived. To use it, "
               "choose \"Restore and link\" (it will be restored in QuickBooks Time), or choose "
               "another record for \"{name}\".")
    code = "target_archived"


class TargetNotArchived(ReviewError):
    message = ("QuickBooks Time record number {target} (\"{qname}\") is not archived, so there "
               "is nothing to restore: choose Link.")
    code = "target_not_archived"


class NewNameTaken(ReviewError):
    message = ("\"{new}\" is already the name of a record in QuickBooks Time (number "
               "{target}). Choose another name, or choose Link to use that record.")
    code = "name_taken"


class NewNameChosenTwice(ReviewError):
    message = ("\"{new}\" is already the new name chosen for \"{other}\". Choose another name.")
    code = "name_taken"


class NewNameMissing(ReviewError):
    message = "Type the new name for \"{name}\"."
    code = "name_missing"


class NewNameTooLong(ReviewError):
    message = ("The new name has {length} characters; QuickBooks Time allows at most {limit}. "
               "Shorten it.")
    code = "name_too_long"


class NewNameInvalid(ReviewError):
    message = "The new name cannot contain line breaks or tabs."
    code = "name_invalid"


class CreateNeedsRename(ReviewError):
    message = ("\"{name}\" is longer than QuickBooks Time allows ({limit} characters), so it "
               "cannot be created as is. Choose Rename and give it a shorter name.")
    code = "create_refused"


class CreateNeedsName(ReviewError):
    message = ("This record has no usable name in Xero, so it cannot be created as is. "
               "Choose Rename and give it a name, or link or skip it.")
    code = "create_refused"


class NoRoomForCustomFields(ReviewError):
    message = ("QuickBooks Time has no room for more custom fields. Choose Skip, or archive "
               "custom fields you no longer use in QuickBooks Time and fetch the data again.")
    code = "no_room"


class ReviewFileUnreadable(ReviewError):
    message = ("The file {path} could not be read as a review spreadsheet: {reason}. "
               "Nothing was changed.")
    code = "unreadable"


class ReviewFileTruncated(ReviewFileUnreadable):
    message = ("The file {path} is incomplete or damaged at line {line}: {reason}. Nothing was "
               "changed. Export the review again, or save the whole file again from your "
               "spreadsheet program.")
    code = "truncated"


class ReviewFileNotWritten(ReviewError):
    message = ("The file {path} could not be saved ({reason}). If it is open in another "
               "program, close it, or choose another folder; then try again.")
    code = "not_written"


class ReviewSaveFailed(ReviewError):
    message = ("Your decisions could not be saved, so nothing was changed. Try again; if it "
               "keeps failing, restart the app.")
    code = "save_failed"


# -- rows, progress ------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    """One conflict on the review screen, with the saved decision (if any)."""

    conflict: Conflict
    decision: Decision | None
    #: a decision exists but was taken on other data (its fingerprint differs)
    stale: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.conflict.kind, self.conflict.xero_id)

    @property
    def decided(self) -> bool:
        """A current (not stale) answer other than "decide later"."""
        return self.decision is not None and not self.stale and self.decision.action != "later"

    @property
    def deferred(self) -> bool:
        """The person chose "decide later" (and nothing changed since)."""
        return self.decision is not None and not self.stale and self.decision.action == "later"

    @property
    def state(self) -> str:
        """``undecided``, ``decided`` or ``reopened`` (answered before, but the data changed).

        "Decide later" counts as undecided (see :attr:`deferred`); a stale "later" too, since
        there is no answer to re-open.
        """
        if self.decided:
            return "decided"
        if self.decision is not None and self.stale and self.decision.action != "later":
            return "reopened"
        return "undecided"


def _conn_id(conn: Connection | int) -> int:
    return conn if isinstance(conn, int) else int(conn.get_id())


def review_rows(conn: Connection | int, conflicts: Sequence[Conflict]) -> list[ReviewRow]:
    """The conflicts, in the given order, each with its saved decision and staleness."""
    cid = _conn_id(conn)
    kinds = {c.kind for c in conflicts}
    saved: dict[tuple[str, str], Decision] = {}
    if kinds:
        query = Decision.select().where(Decision.connection == cid, Decision.kind.in_(kinds))
        saved = {(d.kind, d.xero_id): d for d in query}
    rows = []
    for conflict in conflicts:
        decision = saved.get((conflict.kind, conflict.xero_id))
        stale = decision is not None and decision.is_stale(conflict.fingerprint)
        rows.append(ReviewRow(conflict, decision, stale))
    return rows


def progress(rows: Sequence[ReviewRow]) -> tuple[int, int]:
    """(decided, total): "12 of 31 decided". "Later" and re-opened rows are not decided."""
    return sum(1 for r in rows if r.decided), len(rows)


def visible_rows(rows: Sequence[ReviewRow], *, hide_decided: bool) -> list[ReviewRow]:
    """The filter that hides what is decided (re-opened and "later" rows stay visible)."""
    return [r for r in rows if not (hide_decided and r.decided)]


# -- validation ----------------------------------------------------------------------------------


def _problems(conflict: Conflict) -> tuple[str, ...]:
    """Every problem of the conflict (matching lists them in ``details["problems"]``)."""
    listed = tuple((conflict.details or {}).get("problems") or ())
    return listed if conflict.problem in listed else (conflict.problem, *listed)


def _label(conflict: Conflict) -> str:
    return conflict.xero_name.strip() or conflict.xero_id


def _xero_name(cid: int, kind: str, xero_id: str) -> str:
    row = XeroRecord.get_or_none(
        XeroRecord.connection == cid, XeroRecord.kind == _XERO_KIND.get(kind, kind),
        XeroRecord.xero_id == xero_id,
    )
    if row is not None:
        full = " ".join(p for p in (row.first_name, row.last_name) if p)
        return row.name or full or xero_id
    return xero_id


def _owner_of(cid: int, conflict: Conflict, target: int, *, exclude: Iterable[str] = (),
              claimed: Mapping[tuple[str, int], str] | None = None) -> str | None:
    """The other Xero record already holding ``target`` (a link, or a decision to link)."""
    kind, xero_id = conflict.kind, conflict.xero_id
    if claimed and (holder := claimed.get((kind, target))) not in (None, xero_id):
        return holder
    for cand in conflict.candidates:
        if cand.qbt_id == target and cand.linked_xero_id not in (None, xero_id):
            return cand.linked_xero_id
    link = Link.get_or_none(Link.connection == cid, Link.kind == kind, Link.qbt_id == target,
                            Link.xero_id != xero_id)
    if link is not None:
        return str(link.xero_id)
    skip = {xero_id, *exclude}
    for d in Decision.select(Decision.xero_id).where(
        Decision.connection == cid, Decision.kind == kind,
        Decision.action.in_(sorted(LINK_ACTIONS)), Decision.target_qbt_id == target,
    ):
        if d.xero_id not in skip:
            return str(d.xero_id)
    return None


_NAME_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]")

#: the decision that links to an ARCHIVED QuickBooks Time record, which the import restores
RESTORE_LINK = "restore_link"
#: decisions that link a Xero record to an existing QuickBooks Time record
LINK_ACTIONS = frozenset({"link", RESTORE_LINK})
#: jobcode types of time-off codes (core.engine.plan.PTO_TYPES; not imported: plan imports review)
_PTO_TYPES = ("pto", "unpaid_time_off")
#: the Xero id under which the items' custom field is linked (core.engine.plan.ITEMS_FIELD_XERO_ID)
_ITEMS_FIELD = "xero-items"

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
    kind: str | None = None           # QBTRecord kind; None: only known as a candidate
    parent_id: int | None = None
    type: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


def _record_name(rec: QBTRecord) -> str:
    full = " ".join(p for p in (rec.first_name, rec.last_name) if p)
    return rec.name or full or str(rec.qbt_id)


def _find_target(cid: int, conflict: Conflict, target: int) -> _Target | None:
    rec = QBTRecord.get_or_none(QBTRecord.connection == cid,
                                QBTRecord.kind == _QBT_KIND.get(conflict.kind, conflict.kind),
                                QBTRecord.qbt_id == target)
    if rec is not None:
        return _Target(target, _record_name(rec), bool(rec.active), str(rec.kind),
                       rec.parent_id, rec.type, rec.raw if isinstance(rec.raw, dict) else {})
    cand = next((c for c in conflict.candidates if c.qbt_id == target), None)
    if cand is not None:  # offered by matching, which only offers records of the right level
        return _Target(target, cand.name, not cand.archived)
    return None


def _field_of(cid: int, xero_category: str) -> int | None:
    link = Link.get_or_none(Link.connection == cid, Link.kind == "tracking_category",
                            Link.xero_id == xero_category)
    return None if link is None else int(link.qbt_id)


def _allowed_fields(cid: int, conflict: Conflict) -> set[int]:
    """The custom fields whose items an item / tracking option may be linked to: the field
    linked to its category (or to the Xero items), and the field matching offered from."""
    if conflict.kind == "item":
        category: str | None = _ITEMS_FIELD
    else:
        row = XeroRecord.get_or_none(XeroRecord.connection == cid,
                                     XeroRecord.kind == "tracking_option",
                                     XeroRecord.xero_id == conflict.xero_id)
        category = row.parent_xero_id if row is not None else None
    fields: set[int] = set()
    if category and (linked := _field_of(cid, category)) is not None:
        fields.add(linked)
    ids = [c.qbt_id for c in conflict.candidates]
    if ids:
        for rec in QBTRecord.select(QBTRecord.parent_id).where(
                QBTRecord.connection == cid, QBTRecord.kind == "customfielditem",
                QBTRecord.qbt_id.in_(ids)):
            if rec.parent_id is not None:
                fields.add(int(rec.parent_id))
    return fields


def _owner_user(cid: int) -> int | None:
    owner = (Connection.select(Connection.qbtime_user_id)
             .where(Connection._meta.primary_key == cid).scalar())
    return None if owner is None else int(owner)


def _check_target(cid: int, conflict: Conflict, action: str, tgt: _Target, name: str) -> None:
    """Refuse a link to a record of another kind or level, the key's owner, or an archived
    record without "restore and link" (ReviewError)."""
    kind = conflict.kind
    params: dict[str, Any] = {"target": tgt.qbt_id, "qname": tgt.name, "name": name}
    wrong = TargetWrongKind(detail=f"{kind} -> {tgt.kind}/{tgt.type}/{tgt.parent_id}",
                            expected=_EXPECTED.get(kind, N_("a record of the same kind")),
                            **params)
    if tgt.kind is not None:
        if kind == "customer":
            if tgt.type in _PTO_TYPES:
                raise TargetIsTimeOff(**params)
            if tgt.parent_id not in (0, None):
                raise TargetIsChildJob(**params)
            if tgt.type != "regular":
                raise wrong
        elif kind == "leave_type":
            if tgt.type not in _PTO_TYPES or tgt.parent_id not in (0, None):
                raise wrong
        elif kind in ("item", "tracking_option"):
            if tgt.parent_id is None or int(tgt.parent_id) not in _allowed_fields(cid, conflict):
                raise wrong
        elif kind == "tracking_category":
            applies = str(tgt.raw.get("applies_to") or "timesheet")
            if applies != "timesheet":
                raise wrong
            if _field_of(cid, _ITEMS_FIELD) == tgt.qbt_id:
                raise wrong  # the custom field of the Xero items
    if kind == "employee" and tgt.qbt_id == _owner_user(cid):
        raise TargetIsAccountOwner(**params)
    if action == "link" and not tgt.active:
        raise TargetArchived(**params)
    if action == RESTORE_LINK and tgt.active:
        raise TargetNotArchived(**params)


def _service_key(name: str) -> str:
    """How QuickBooks Time tells names apart: ignoring case and outer spaces (core.engine.plan's
    ``name_key``; inner spaces count)."""
    return unicodedata.normalize("NFC", name or "").strip().casefold()


def _renamed_away(cid: int, conflict: Conflict, rec: QBTRecord, key: str,
                  claimed: Mapping[tuple[str, int], str] | None) -> bool:
    """Is ``rec`` linked (or chosen) for another Xero record whose name it takes at the next
    import, so that its current name is free by then?"""
    kind = conflict.kind
    holder = (claimed or {}).get((kind, int(rec.qbt_id)))
    if holder is None:
        link = Link.get_or_none(Link.connection == cid, Link.kind == kind,
                                Link.qbt_id == rec.qbt_id, Link.xero_id != conflict.xero_id)
        holder = str(link.xero_id) if link is not None else None
    if holder is None:
        chosen = Decision.get_or_none(Decision.connection == cid, Decision.kind == kind,
                                      Decision.action.in_(sorted(LINK_ACTIONS)),
                                      Decision.target_qbt_id == rec.qbt_id,
                                      Decision.xero_id != conflict.xero_id)
        holder = str(chosen.xero_id) if chosen is not None else None
    if holder is None or holder == conflict.xero_id:
        return False
    row = XeroRecord.get_or_none(XeroRecord.connection == cid,
                                 XeroRecord.kind == _XERO_KIND.get(kind, kind),
                                 XeroRecord.xero_id == holder)
    if row is None:
        return False
    future = row.name or " ".join(p for p in (row.first_name, row.last_name) if p)
    return bool(future.strip()) and _service_key(future) != key


def _new_name_taken(cid: int, conflict: Conflict, text: str,
                    renamed: Mapping[tuple[str, str], str] | None, exclude: Iterable[str],
                    claimed: Mapping[tuple[str, int], str] | None = None) -> None:
    """Refuse a new name another record of the same kind and level already has in QuickBooks
    Time (unless the import renames that record away: it is linked to a Xero record of
    another name), or that another decision already chose (ReviewError)."""
    kind, key = conflict.kind, _service_key(text)
    query: Any = QBTRecord.select().where(QBTRecord.connection == cid,
                                          QBTRecord.kind == _QBT_KIND.get(kind, kind))
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
        if _service_key(_record_name(rec)) == key and not _renamed_away(cid, conflict, rec, key,
                                                                         claimed):
            raise NewNameTaken(detail=f"qbt {rec.qbt_id}", new=text, target=rec.qbt_id)
    if kind == "tracking_option":
        return  # options of different categories may share a name
    others: dict[str, str] = {}
    replaced = set(exclude)  # records whose saved answer is being replaced (CSV import)
    for d in Decision.select(Decision.xero_id, Decision.new_name).where(
            Decision.connection == cid, Decision.kind == kind, Decision.action == "rename",
            Decision.xero_id != conflict.xero_id):
        if d.new_name and d.xero_id not in replaced:
            others[_service_key(d.new_name)] = str(d.xero_id)
    for (k, xero_id), new_name in (renamed or {}).items():
        if k == kind and xero_id != conflict.xero_id:
            others[_service_key(new_name)] = xero_id
    if (other := others.get(key)) is not None:
        raise NewNameChosenTwice(detail=f"xero {other}", new=text,
                                 other=_xero_name(cid, kind, other))


def _prepare(cid: int, conflict: Conflict, action: str, target_qbt_id: Any, new_name: Any,
             note: Any, *, exclude: Iterable[str] = (),
             claimed: Mapping[tuple[str, int], str] | None = None,
             renamed: Mapping[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Check one answer against the conflict; the Decision fields to save, or ReviewError."""
    if action not in DECISION_ACTIONS:
        raise UnknownDecision(detail=repr(action), word=str(action))
    problems = _problems(conflict)
    name = _label(conflict)
    fields: dict[str, Any] = {
        "action": action, "target_qbt_id": None, "new_name": None,
        "note": (note or "").strip(), "depends_on": conflict.fingerprint,
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
        known = _find_target(cid, conflict, target)
        if known is None:
            raise LinkTargetUnknown(detail="not in snapshot", target=target)
        _check_target(cid, conflict, action, known, name)
        owner = _owner_of(cid, conflict, target, exclude=exclude, claimed=claimed)
        if owner is not None:
            raise LinkTargetTaken(detail=f"owner {owner}", other=_xero_name(cid, conflict.kind, owner),
                                  name=name)
        fields["target_qbt_id"] = target
    elif action == "rename":
        text = "" if new_name is None else str(new_name).strip()
        if not text:
            raise NewNameMissing(name=name)
        if _NAME_BREAKS.search(text):
            raise NewNameInvalid()
        if len(text) > NAME_LIMIT:
            raise NewNameTooLong(length=len(text), limit=NAME_LIMIT)
        _new_name_taken(cid, conflict, text, renamed, exclude, claimed)
        fields["new_name"] = text
    elif action == "create":
        if "invalid_name" in problems or not conflict.xero_name.strip():
            raise CreateNeedsName()
        if "name_too_long" in problems or len(conflict.xero_name.strip()) > NAME_LIMIT:
            raise CreateNeedsRename(name=name[:NAME_LIMIT] + "…", limit=NAME_LIMIT)
    return fields


def link_action(conn: Connection | int, conflict: Conflict, target_qbt_id: int) -> str:
    """The decision that links ``conflict`` to ``target_qbt_id``: ``link``, or
    :data:`RESTORE_LINK` when the record is archived (the import restores it). Raises the
    :class:`ReviewError` that says why when it may not be linked at all."""
    cid = _conn_id(conn)
    try:
        _prepare(cid, conflict, "link", target_qbt_id, None, "")
    except TargetArchived:
        _prepare(cid, conflict, RESTORE_LINK, target_qbt_id, None, "")
        return RESTORE_LINK
    return "link"


def link_targets(conn: Connection | int, conflict: Conflict
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


# -- storage, undo/redo --------------------------------------------------------------------------

_FIELDS = ("action", "target_qbt_id", "new_name", "depends_on", "note")


def _undo_key(cid: int) -> str:
    return f"review_undo:{cid}"


def _redo_key(cid: int) -> str:
    return f"review_redo:{cid}"


def _state(d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    state = {f: getattr(d, f) for f in _FIELDS}
    state["decided_at"] = d.decided_at.isoformat() if d.decided_at else None
    return state


def _same(d: Decision | None, fields: Mapping[str, Any]) -> bool:
    return d is not None and all(getattr(d, f) == fields[f] for f in _FIELDS)


def _set(cid: int, kind: str, xero_id: str, state: Mapping[str, Any] | None) -> Decision | None:
    """Make the saved decision of (kind, xero_id) exactly ``state`` (None: no decision)."""
    current = Decision.get_or_none(Decision.connection == cid, Decision.kind == kind,
                                   Decision.xero_id == xero_id)
    if state is None:
        if current is not None:
            current.delete_instance()
        return None
    row = current or Decision(connection=cid, kind=kind, xero_id=xero_id)
    for f in _FIELDS:
        setattr(row, f, state.get(f))
    row.depends_on = row.depends_on or ""
    row.note = row.note or ""
    stamp = state.get("decided_at")
    row.decided_at = datetime.fromisoformat(stamp) if isinstance(stamp, str) else (stamp or utcnow())
    row.save()
    return row


def _stack(key: str) -> list[dict[str, Any]]:
    value = Setting.get_value(key, [])
    return list(value) if isinstance(value, list) else []


def _store(key: str, steps: list[dict[str, Any]]) -> None:
    Setting.set_value(key, steps[-UNDO_LIMIT:])


def _apply_step(cid: int, label: str,
                changes: Sequence[tuple[str, str, Mapping[str, Any] | None]]) -> dict[str, Any]:
    """Write ``changes`` [(kind, xero_id, new state)]; the step that reverts them."""
    undo = []
    for kind, xero_id, state in changes:
        current = Decision.get_or_none(Decision.connection == cid, Decision.kind == kind,
                                       Decision.xero_id == xero_id)
        undo.append({"kind": kind, "xero_id": xero_id, "previous": _state(current)})
        _set(cid, kind, xero_id, state)
    return {"label": label, "changes": undo}


@contextlib.contextmanager
def _saving() -> Iterator[None]:
    """One transaction; a database failure becomes ReviewSaveFailed (and nothing is written)."""
    try:
        with db.atomic():
            yield
    except (pw.PeeweeException, sqlite3.Error) as exc:
        raise ReviewSaveFailed(detail=f"{type(exc).__name__}: {exc}") from exc


def _record(cid: int, label: str,
            changes: Sequence[tuple[str, str, Mapping[str, Any] | None]]) -> None:
    """Apply ``changes`` as one undoable step (caller holds the transaction)."""
    step = _apply_step(cid, label, changes)
    _store(_undo_key(cid), [*_stack(_undo_key(cid)), step])
    _store(_redo_key(cid), [])


def _fields_for_new(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {**fields, "decided_at": utcnow().isoformat()}


def decide(conn: Connection | int, conflict: Conflict, action: str, *,
           target_qbt_id: int | None = None, new_name: str | None = None,
           note: str = "") -> Decision:
    """Save the answer to one conflict (one undo step). Raises ReviewError when invalid.

    * ``link`` needs ``target_qbt_id``: one of the conflict's candidates, or any QB Time record
      of the right kind known to the local data (a manual search). A record already linked,
      or chosen for another Xero record, is refused.
    * ``rename`` (= create under another name) needs a new name: not empty, at most 64
      characters after trimming, no line breaks.
    * ``create`` is refused when the Xero name cannot be used (too long, or no name): rename.
    * A capacity problem (too many custom fields) only accepts ``skip`` or ``later``.
    """
    cid = _conn_id(conn)
    fields = _prepare(cid, conflict, action, target_qbt_id, new_name, note)
    with _saving():
        current = Decision.get_or_none(Decision.connection == cid, Decision.kind == conflict.kind,
                                       Decision.xero_id == conflict.xero_id)
        if _same(current, fields):
            return current  # type: ignore[return-value]  # nothing changed: no undo step
        _record(cid, action, [(conflict.kind, conflict.xero_id, _fields_for_new(fields))])
    return Decision.get(Decision.connection == cid, Decision.kind == conflict.kind,
                        Decision.xero_id == conflict.xero_id)


def clear_decision(conn: Connection | int, kind: str, xero_id: str) -> bool:
    """Forget the answer for one record (one undo step); False when there was none."""
    cid = _conn_id(conn)
    with _saving():
        current = Decision.get_or_none(Decision.connection == cid, Decision.kind == kind,
                                       Decision.xero_id == xero_id)
        if current is None:
            return False
        _record(cid, "clear", [(kind, xero_id, None)])
    return True


def _revert(cid: int, source: str, target: str) -> bool:
    with _saving():
        steps = _stack(source)
        if not steps:
            return False
        step = steps.pop()
        changes = [(c["kind"], c["xero_id"], c["previous"]) for c in reversed(step["changes"])]
        inverse = _apply_step(cid, step.get("label", ""), changes)
        _store(source, steps)
        _store(target, [*_stack(target), inverse])
    return True


def undo_last(conn: Connection | int) -> bool:
    """Revert the last step (a decision, a bulk action, an import). False: nothing to undo."""
    cid = _conn_id(conn)
    return _revert(cid, _undo_key(cid), _redo_key(cid))


def redo_last(conn: Connection | int) -> bool:
    """Re-apply the last undone step. False: nothing to redo (or a new decision came since)."""
    cid = _conn_id(conn)
    return _revert(cid, _redo_key(cid), _undo_key(cid))


def can_undo(conn: Connection | int) -> bool:
    return bool(_stack(_undo_key(_conn_id(conn))))


def can_redo(conn: Connection | int) -> bool:
    return bool(_stack(_redo_key(_conn_id(conn))))


# -- safe bulk actions ---------------------------------------------------------------------------

#: problems a bulk "accept all exact" may settle (all of the conflict's problems must be here)
EXACT_SAFE_PROBLEMS = frozenset({"near_match", "archived_twin"})
#: problems under which creating the record under its Xero name is valid without a person
CREATE_SAFE_PROBLEMS = frozenset({"near_match", "ambiguous", "archived_twin"})


def safe_key(name: str) -> str:
    """The name as nobody could tell it apart: NFKC, invisible characters dropped, every run of
    whitespace one space, outer spaces trimmed, casefolded. Accents, punctuation, "&"/"and"
    and legal suffixes are NOT folded (unlike ``matching.normalise_name``)."""
    kept = []
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cf", "Cc"):
            kept.append(ch)
    return " ".join("".join(kept).split()).casefold()


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
    * the candidate's name and the Xero name are equal after :func:`safe_key` (they differ
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
    if not conflict.xero_name.strip() or safe_key(cand.name) != safe_key(conflict.xero_name):
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
    return (not conflict.candidates and set(_problems(conflict)) <= CREATE_SAFE_PROBLEMS
            and bool(name) and len(name) <= NAME_LIMIT)


def _bulk(cid: int, label: str, conflicts: Sequence[Conflict],
          choose: Any) -> int:
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
            fields = _prepare(cid, row.conflict, action, target, None, "", claimed=claimed)
        except ReviewError:
            continue  # e.g. the target is taken: leave it to a person
        if target is not None:
            claimed[(row.conflict.kind, target)] = row.conflict.xero_id
        changes.append((row.conflict.kind, row.conflict.xero_id, _fields_for_new(fields)))
    if not changes:
        return 0
    with _saving():
        _record(cid, label, changes)
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
    return _bulk(_conn_id(conn), "accept_all_exact", unique, choose)


def create_all_unmatched(conn: Connection | int, conflicts: Sequence[Conflict]) -> int:
    """Answer ``create`` for every undecided conflict of the :func:`is_create_safe` set.

    ONE undo step. Returns how many were answered.
    """
    def choose(c: Conflict) -> tuple[str, None] | None:
        return ("create", None) if is_create_safe(c) else None

    return _bulk(_conn_id(conn), "create_all_unmatched", conflicts, choose)


# -- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "kind", "xero_id", "xero_name", "problem", "reason",
    *(f"candidate_{n}_{part}" for n in range(1, CSV_CANDIDATES + 1)
      for part in ("id", "name", "score", "reason")),
    "decision", "target_qbt_id", "new_name", "note", "state", "fingerprint",
)
_REQUIRED = ("kind", "xero_id", "decision", "fingerprint")
#: characters that make a spreadsheet read a cell as a formula (OWASP), and our own escape
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

_DECISION_WORDS = {
    "link": "link", "lier": "link", "associer": "link",
    "restore and link": RESTORE_LINK, "restore link": RESTORE_LINK, "restore": RESTORE_LINK,
    "restaurer et lier": RESTORE_LINK, "restaurer": RESTORE_LINK,
    "create": "create", "create new": "create", "new": "create", "keep separate": "create",
    "creer": "create", "creer nouveau": "create", "nouveau": "create",
    "skip": "skip", "ignore": "skip", "ignorer": "skip",
    "rename": "rename", "renommer": "rename",
    "later": "later", "decide later": "later", "plus tard": "later",
    "decider plus tard": "later",
}


def _guard(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unguard(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def _decision_word(cell: str) -> str | None:
    text = unicodedata.normalize("NFKD", cell.strip().casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(re.sub(r"[_\-]+", " ", text).split())
    return _DECISION_WORDS.get(text)


def _candidate_cells(cand: Candidate | None) -> list[Any]:
    if cand is None:
        return ["", "", "", ""]
    return [cand.qbt_id, _guard(cand.name), round(cand.score),
            _guard(describe_reason(cand.reason_code, score=cand.score))]


def _conflict_line(row: ReviewRow) -> list[Any]:
    c = row.conflict
    cands: list[Candidate | None] = list(c.candidates[:CSV_CANDIDATES])
    cands += [None] * (CSV_CANDIDATES - len(cands))
    d = row.decision
    current = d is not None and not row.stale
    return [
        _guard(c.kind), _guard(c.xero_id), _guard(c.xero_name), c.problem,
        _guard(describe_problem(c)),
        *(cell for cand in cands for cell in _candidate_cells(cand)),
        d.action if current and d else "",
        d.target_qbt_id if current and d and d.target_qbt_id is not None else "",
        _guard(d.new_name) if current and d and d.new_name else "",
        _guard(d.note) if d else "",
        row.state, c.fingerprint,
    ]


def _unmatched_line(kind: str, xero_id: str, name: str) -> list[Any]:
    blanks = [""] * (4 * CSV_CANDIDATES)
    return [_guard(kind), _guard(xero_id), _guard(name), "no_match",
            _guard(tr("No matching record in QuickBooks Time: it will be created.")),
            *blanks, "", "", "", "", "", ""]


def export_csv(conn: Connection | int, rows: Sequence[ReviewRow], path: str | os.PathLike[str],
               *, unmatched: Sequence[tuple[str, str, str]] = (), delimiter: str = ",") -> Path:
    """Write the review as CSV for an accountant (UTF-8 with BOM, so Excel shows accents).

    One line per conflict (then one per unmatched record), columns :data:`CSV_COLUMNS`
    (English machine names); ``reason`` texts are in the current language. A re-opened
    decision is exported with an empty ``decision`` (state ``reopened``): it must be answered
    again. Cells a spreadsheet would run as a formula get a leading apostrophe. The file is
    written to a temporary name first, then moved in place: never half written.
    """
    del conn  # rows carry everything; kept for a uniform interface
    if delimiter not in (",", ";", "\t"):
        raise ValueError(f"unsupported delimiter {delimiter!r}")
    target = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(_conflict_line(row))
    for kind, xero_id, name in unmatched:
        writer.writerow(_unmatched_line(kind, xero_id, name))
    data = buffer.getvalue().encode("utf-8-sig")
    # The file is moved into place, which would replace a device or a pipe (e.g. /dev/full,
    # run as root) with a plain file: only a plain file, or a new one, may be the target.
    if (target.exists() or target.is_symlink()) and not target.is_file():
        raise ReviewFileNotWritten(detail="not a regular file", path=str(target),
                                   reason=tr("it is not a regular file"))
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".review-", suffix=".csv.tmp",
                                        dir=target.parent if str(target.parent) else ".")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise ReviewFileNotWritten(detail=str(exc), path=str(target),
                                   reason=exc.strerror or type(exc).__name__) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return target


@dataclass(frozen=True)
class RowProblem:
    """A line of an imported file that was not applied, and why (in the current language)."""

    line: int
    xero_id: str
    reason: str
    #: stable machine code: not_a_conflict, duplicate, changed, unknown_decision, bad_target,
    #: target_missing, target_unknown, target_taken, name_missing, name_too_long, ...
    code: str = ""


@dataclass
class ImportReport:
    """What an import did: ``applied`` lines changed a decision; ``unchanged`` lines had no
    decision or the one already saved; ``problems`` lines were not applied (by line number)."""

    applied: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def _unreadable(path: Path, reason: str, detail: str = "") -> ReviewFileUnreadable:
    return ReviewFileUnreadable(detail=detail, path=str(path), reason=reason)


def _truncated(path: Path, line: int, reason: str, detail: str = "") -> ReviewFileTruncated:
    return ReviewFileTruncated(detail=detail, path=str(path), line=line, reason=reason)


_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_SEP_HINT = re.compile(r"^\s*sep=([,;\t|])\s*$", re.IGNORECASE)


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)          # Excel's "Unicode text"
    else:
        encodings = ("utf-8", "cp1252")  # Excel on Windows saves "CSV" in the ANSI code page
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable(path, tr("its text encoding is not recognised"), "decode")


def _read_table(path: Path) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, tr("it cannot be opened"), str(exc)) from exc
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _unreadable(path, tr("it is a spreadsheet workbook, not a CSV file (in your "
                                   "spreadsheet program, save it as \"CSV UTF-8\")"), "workbook")
    text = _decode(path, data)
    if not text.strip():
        raise _unreadable(path, tr("it is empty"))
    if "\x00" in text:
        raise _unreadable(path, tr("it is not a valid CSV file"), "NUL character")
    text = text.lstrip("\ufeff")
    first = next(line for line in text.splitlines() if line.strip())
    hint = _SEP_HINT.match(first)  # Excel's "sep=;" first line
    delimiter = hint.group(1) if hint else max((",", ";", "\t"), key=first.count)
    # strict: a quote left open (a file cut short) is an error, never the rest of the file
    # swallowed into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    width = 0
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if hint is not None:
                hint = None  # the "sep=" line itself
                continue
            if header is None:
                header = cells
                width = max((i + 1 for i, name in enumerate(cells) if name.strip()), default=0)
                continue
            if len(cells) < width:
                raise _truncated(path, start, tr(
                    "the line has {got} of the {want} columns of the header (the file may have "
                    "been cut short)", got=len(cells), want=width), "short row")
            if any(cell.strip() for cell in cells[len(header):]):
                raise _truncated(path, start, tr(
                    "the line has more cells than the header has columns ({got} instead of "
                    "{want}); a cell may contain an unquoted separator", got=len(cells),
                    want=len(header)), "long row")
            lines.append((start, cells))
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message:
            raise _truncated(path, previous + 1, tr(
                "a quoted cell is never closed (the file may have been cut short)"),
                message) from exc
        if "expected after" in message:
            raise _truncated(path, previous + 1, tr(
                "a quoted cell is followed by other text"), message) from exc
        raise _unreadable(path, tr("it is not a valid CSV file"), message) from exc
    if lines and header and not text.endswith(("\n", "\r")):
        # the last line has no line break: if its last cell is a fingerprint, it must be whole
        last_name = header[width - 1].strip().casefold() if width else ""
        start, cells = lines[-1]
        if last_name == "fingerprint" and not _FINGERPRINT.match(cells[width - 1].strip()):
            raise _truncated(path, start, tr("the line is cut short"), "cut fingerprint")
    columns: dict[str, int] = {}
    for index, name in enumerate(header or []):
        columns.setdefault(name.strip().strip("\ufeff").casefold().replace(" ", "_"), index)
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise _unreadable(path, tr("the columns {columns} are missing",
                                   columns=", ".join(missing)), "header")
    return columns, lines


_NUMBER = re.compile(r"^\d+(?:[.,]0+)?$")


def _resolve_target(conflict: Conflict, cell: str) -> int | str | None:
    """The link target a cell names: an id, a candidate's name, or "" (best candidate when
    there is only one). A str result is the cell that could not be understood."""
    text = cell.strip()
    if not text:
        return conflict.candidates[0].qbt_id if len(conflict.candidates) == 1 else None
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    if _NUMBER.match(compact):
        return int(re.split(r"[.,]", compact)[0])
    by_name = [c.qbt_id for c in conflict.candidates if safe_key(c.name) == safe_key(text)]
    if len(by_name) == 1:
        return by_name[0]
    return text


def import_csv(conn: Connection | int, conflicts: Sequence[Conflict],
               path: str | os.PathLike[str]) -> ImportReport:
    """Apply the decisions of an (edited) export. Valid lines: ONE transaction, ONE undo step.

    Reads UTF-8 with or without BOM, UTF-16 and cp1252 ("ANSI"), with ``,``, ``;`` or tab
    between cells (guessed from the header line). Lines are matched to the current conflicts
    by (kind, xero_id); decision words may be English or French. A line with an empty
    decision changes nothing. Lines that cannot be applied are reported with their line number
    and why; an unreadable file raises ReviewFileUnreadable and changes nothing.
    """
    cid = _conn_id(conn)
    source = Path(path)
    columns, lines = _read_table(source)

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return _unguard(cells[index].strip()) if index is not None and index < len(cells) else ""

    by_key = {(c.kind, c.xero_id): c for c in conflicts}
    saved = {(r.conflict.kind, r.conflict.xero_id): r for r in review_rows(cid, conflicts)}
    report = ImportReport()

    answered: dict[tuple[str, str], list[int]] = defaultdict(list)
    for line, cells in lines:
        if cell(cells, "decision"):
            answered[(cell(cells, "kind"), cell(cells, "xero_id"))].append(line)
    # records whose saved answer this file replaces: their old links do not block new ones
    rewritten = {key for key in answered if key in by_key}

    changes: list[tuple[str, str, Mapping[str, Any] | None]] = []
    claimed: dict[tuple[str, int], str] = {}
    renamed: dict[tuple[str, str], str] = {}
    for line, cells in lines:
        kind, xero_id = cell(cells, "kind"), cell(cells, "xero_id")
        word = cell(cells, "decision")

        def problem(reason: str, code: str, _line: int = line, _id: str = xero_id) -> None:
            report.problems.append(RowProblem(_line, _id, reason, code))

        if not word:
            report.unchanged += 1
            continue
        conflict = by_key.get((kind, xero_id))
        if conflict is None:
            problem(tr("This record is not waiting for a decision (it is not, or no longer, a "
                       "conflict); the line was ignored."), "not_a_conflict")
            continue
        if len(answered[(kind, xero_id)]) > 1:
            problem(tr("This record has a decision on several lines ({lines}); keep only one "
                       "of them.", lines=", ".join(map(str, answered[(kind, xero_id)]))),
                    "duplicate")
            continue
        action = _decision_word(word)
        if action is None:
            problem(UnknownDecision(word=word).user_message(), UnknownDecision.code)
            continue
        if cell(cells, "fingerprint") != conflict.fingerprint:
            problem(tr("This record changed in Xero or QuickBooks Time since the export; decide "
                       "it again on the review screen, or export a new file."), "changed")
            continue
        target: Any = None
        if action in LINK_ACTIONS:
            target = _resolve_target(conflict, cell(cells, "target_qbt_id"))
            if isinstance(target, str):
                problem(tr("\"{target}\" is neither one of the suggested matches nor a "
                           "QuickBooks Time record number.", target=target), "bad_target")
                continue
        try:
            fields = _prepare(cid, conflict, action, target, cell(cells, "new_name"),
                              cell(cells, "note"),
                              exclude={x for k, x in rewritten if k == kind}, claimed=claimed,
                              renamed=renamed)
        except ReviewError as exc:
            problem(exc.user_message(), exc.code)
            continue
        if fields["target_qbt_id"] is not None:
            claimed[(kind, fields["target_qbt_id"])] = xero_id
        if fields["new_name"]:
            renamed[(kind, xero_id)] = fields["new_name"]
        row = saved.get((kind, xero_id))
        if row is not None and not row.stale and _same(row.decision, fields):
            report.unchanged += 1
            continue
        changes.append((kind, xero_id, _fields_for_new(fields)))

    if changes:
        with _saving():
            _record(cid, "import", changes)
    report.applied = len(changes)
    report.problems.sort(key=lambda p: p.line)
    return report

