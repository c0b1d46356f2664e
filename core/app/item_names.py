"""The names a QuickBooks Time custom field item has had, for reading hours tagged with it.

A timesheet's custom field holds the name its item had when it was picked, not the item's id
(references/qbtime-api.md §6). When a Xero item or tracking option is renamed in Xero, the
next import renames the linked QuickBooks Time item in place, and an undo of that import
names it back: hours tagged before either still hold the other name. The journal of those
writes keeps each name (``before`` and ``after`` of every write to the item), so hours
holding a name the item had still count as that item, and so as its Xero item or option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from core.store.models import Connection, ImportRun, JournalEntry

T = TypeVar("T")

#: writes whose names the item really had or was given (a refused one never named it)
_HELD = ("done", "unknown")


def names_had(conn: Connection, qbt_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each item of ``qbt_ids`` -> the names the product's imports and undos wrote on it or
    found on it (oldest first; the current name may be among them)."""
    ids = sorted({int(i) for i in qbt_ids})
    if not ids:
        return {}
    rows: Any = (
        JournalEntry.select(JournalEntry.qbt_id, JournalEntry.before, JournalEntry.after)
        .join(ImportRun)
        .where(
            (ImportRun.connection == conn)
            & (ImportRun.dry_run == False)  # noqa: E712
            & (JournalEntry.entity_kind == "customfielditem")
            & (JournalEntry.qbt_id.in_(ids))
            & (JournalEntry.state.in_(_HELD))
        )
        .order_by(JournalEntry.run, JournalEntry.seq)
        .tuples()
    )
    out: dict[int, list[str]] = {}
    for qbt_id, before, after in rows:
        for side in (before, after):
            name = side.get("name") if isinstance(side, dict) else None
            if isinstance(name, str) and name.strip():
                names = out.setdefault(int(qbt_id), [])
                if name not in names:
                    names.append(name)
    return out


def values_of(
    conn: Connection,
    field_items: Iterable[tuple[int, str]],
    linked: Mapping[int, T],
    key: Callable[[str], str],
) -> dict[str, T]:
    """What a timesheet's value of one custom field stands for: value (``key``-normalised)
    -> the ``linked`` target (a Xero item, an option) of the item holding that name now or
    holding it before. ``field_items``: every item of the field, (id, name now), linked or
    not. A name an item of the field holds now is that item's only; an earlier name two
    items linked to different targets had is nobody's (the hours could be either's)."""
    items = list(field_items)
    out: dict[str, T] = {}
    now = {key(name) for _id, name in items if key(name)}
    for qbt_id, name in items:
        if qbt_id in linked and key(name):
            out[key(name)] = linked[qbt_id]
    earlier: dict[str, list[T]] = {}
    for qbt_id, names in names_had(conn, (i for i, _n in items if i in linked)).items():
        for name in names:
            k = key(name)
            if k and k not in now:
                targets = earlier.setdefault(k, [])
                if linked[qbt_id] not in targets:
                    targets.append(linked[qbt_id])
    for k, targets in earlier.items():
        if len(targets) == 1:
            out[k] = targets[0]
    return out
