"""Links between Xero leave types and QuickBooks Time time-off codes, as the user chooses them.

"Link leave types…" in the wizard shows :func:`leave_link_rows` and writes the user's
choices with :func:`save_leave_links`. The import plan (``core/engine/plan.py``) respects the
saved rows: a linked leave type is not matched again, and ``None`` means "deliberately not
linked". Unpaid leave is never exported to Xero (``export_to_xero`` is ``is_paid``; the
database refuses anything else). UK statutory leave types (``isStatutoryLeave``: statutory
sick, maternity…) are not offered: Xero takes them only through ``/StatutoryLeaves`` with a
work pattern and notice, entered in Xero Payroll, never as leave in hours from time off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.engine import matching
from core.engine.names import normalise_name
from core.engine.records import TIME_OFF_TYPES, Snapshot, XeroLeaveType
from core.store.models import Connection, LeaveLink, db


@dataclass(frozen=True)
class TimeOffCode:
    id: int
    name: str
    type: str  # pto | unpaid_time_off
    active: bool


@dataclass(frozen=True)
class LeaveRow:
    """One Xero leave type and the time-off code it is (or would be) linked to."""

    leave_type_id: str
    name: str
    is_paid: bool
    active: bool
    #: the code chosen so far (None = not linked)
    qbt_jobcode_id: int | None
    #: where that choice comes from: "saved" (a LeaveLink row), "same_name", or "" (nothing)
    source: str
    #: what Xero counts its leave in ("Hours", "Days"…; "" when it does not say: UK)
    units: str = ""

    @property
    def export_to_xero(self) -> bool:
        """Hours on this leave go to Xero only when it is paid leave."""
        return self.is_paid


def is_statutory(leave_type: XeroLeaveType) -> bool:
    """A UK statutory leave type (``isStatutoryLeave``): Xero Payroll takes its leave only
    through ``POST /StatutoryLeaves/...`` (a work pattern, notice…), never as employee leave
    in hours, so no time-off code is linked to it."""
    return leave_type.raw.get("isStatutoryLeave") is True


def time_off_codes(snapshot: Snapshot) -> list[TimeOffCode]:
    """The top-level time-off codes of QuickBooks Time, archived ones included, by name."""
    codes = [
        TimeOffCode(j.id, j.name, j.type, j.active)
        for j in snapshot.jobcodes
        if j.type in TIME_OFF_TYPES and j.parent_id == 0
    ]
    return sorted(codes, key=lambda c: (not c.active, c.name.casefold(), c.id))


def _same_name_code(leave_type: XeroLeaveType, codes: list[TimeOffCode]) -> int | None:
    """The active code with the same name: exactly (the plan's rule), else the only one whose
    name differs just by case, accents or punctuation (a suggestion the user confirms)."""
    active = [c for c in codes if c.active]
    result = matching.match_named(
        "leave_type",
        [(leave_type.leave_type_id, leave_type.name)],
        [(c.id, c.name, c.active) for c in codes],
        {},
    )
    target = result.links.get(leave_type.leave_type_id)
    if target is not None and any(c.id == target for c in active):
        return target
    key = normalise_name(leave_type.name)
    same = [c.id for c in active if key and normalise_name(c.name) == key]
    return same[0] if len(same) == 1 else None


def leave_link_rows(conn: Connection, snapshot: Snapshot) -> list[LeaveRow]:
    """One row per Xero leave type of ``snapshot``: the saved link, else a same-name code."""
    codes = time_off_codes(snapshot)
    known = {c.id for c in codes}
    saved = {
        row.xero_leave_type_id: row.qbt_jobcode_id
        for row in LeaveLink.select().where(LeaveLink.connection == conn)
    }
    rows: list[LeaveRow] = []
    for leave_type in snapshot.leave_types:
        if is_statutory(leave_type):
            continue  # (entered in Xero Payroll: time off is never sent as it)
        lid = leave_type.leave_type_id
        if lid in saved and (saved[lid] is None or saved[lid] in known):
            chosen, source = saved[lid], "saved"
        else:
            chosen = _same_name_code(leave_type, codes)
            source = "same_name" if chosen is not None else ""
        rows.append(
            LeaveRow(
                lid,
                leave_type.name,
                bool(leave_type.is_paid),
                bool(leave_type.active),
                chosen,
                source,
                leave_type.units,
            )
        )
    return rows


def save_leave_links(
    conn: Connection, choices: Mapping[str, int | None], leave_types: Iterable[XeroLeaveType]
) -> int:
    """Write one LeaveLink row per leave type in ``choices`` (``None`` = deliberately not
    linked). Leave types not in ``choices`` keep their row. Returns the rows written."""
    by_id = {lt.leave_type_id: lt for lt in leave_types}
    written = 0
    with db.atomic():
        for lid, qbt_id in choices.items():
            leave_type = by_id.get(lid)
            if leave_type is None:
                continue
            paid = bool(leave_type.is_paid)
            (
                LeaveLink.insert(
                    connection=conn,
                    xero_leave_type_id=lid,
                    qbt_jobcode_id=None if qbt_id is None else int(qbt_id),
                    is_paid=paid,
                    export_to_xero=paid,
                )
                .on_conflict(
                    conflict_target=[LeaveLink.connection, LeaveLink.xero_leave_type_id],
                    update={
                        LeaveLink.qbt_jobcode_id: None if qbt_id is None else int(qbt_id),
                        LeaveLink.is_paid: paid,
                        LeaveLink.export_to_xero: paid,
                    },
                )
                .execute()
            )
            written += 1
    return written
