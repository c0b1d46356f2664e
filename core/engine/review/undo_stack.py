"""The undo stack of decisions: every change of decisions is one step.

The steps live in ``Setting`` ``review_undo:<connection id>`` (and ``review_redo:…``), at most
:data:`UNDO_LIMIT` each; a bulk action or a CSV import is ONE step. :func:`undo_last` reverts
the last step, :func:`redo_last` re-applies an undone one (any new decision clears the redo
stack).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import peewee as pw

from core.engine.review.errors import ReviewSaveFailed
from core.engine.review.rows import conn_id
from core.store.models import Connection, Decision, Setting, db, utcnow

#: at most this many undo (and redo) steps are kept per connection
UNDO_LIMIT = 200


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


def same(d: Decision | None, fields: Mapping[str, Any]) -> bool:
    return d is not None and all(getattr(d, f) == fields[f] for f in _FIELDS)


def _set(cid: int, kind: str, xero_id: str, state: Mapping[str, Any] | None) -> Decision | None:
    """Make the saved decision of (kind, xero_id) exactly ``state`` (None: no decision)."""
    current = Decision.get_or_none(
        Decision.connection == cid, Decision.kind == kind, Decision.xero_id == xero_id
    )
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
    row.decided_at = (
        datetime.fromisoformat(stamp) if isinstance(stamp, str) else (stamp or utcnow())
    )
    row.save()
    return row


def _stack(key: str) -> list[dict[str, Any]]:
    value = Setting.get_value(key, [])
    return list(value) if isinstance(value, list) else []


def _store(key: str, steps: list[dict[str, Any]]) -> None:
    Setting.set_value(key, steps[-UNDO_LIMIT:])


def _apply_step(
    cid: int, label: str, changes: Sequence[tuple[str, str, Mapping[str, Any] | None]]
) -> dict[str, Any]:
    """Write ``changes`` [(kind, xero_id, new state)]; the step that reverts them."""
    undo = []
    for kind, xero_id, state in changes:
        current = Decision.get_or_none(
            Decision.connection == cid, Decision.kind == kind, Decision.xero_id == xero_id
        )
        undo.append({"kind": kind, "xero_id": xero_id, "previous": _state(current)})
        _set(cid, kind, xero_id, state)
    return {"label": label, "changes": undo}


@contextlib.contextmanager
def saving() -> Iterator[None]:
    """One transaction; a database failure becomes ReviewSaveFailed (and nothing is written)."""
    try:
        with db.atomic():
            yield
    except (pw.PeeweeException, sqlite3.Error) as exc:
        raise ReviewSaveFailed(detail=f"{type(exc).__name__}: {exc}") from exc


def record_step(
    cid: int, label: str, changes: Sequence[tuple[str, str, Mapping[str, Any] | None]]
) -> None:
    """Apply ``changes`` as one undoable step (caller holds the transaction)."""
    step = _apply_step(cid, label, changes)
    _store(_undo_key(cid), [*_stack(_undo_key(cid)), step])
    _store(_redo_key(cid), [])


def fields_for_new(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {**fields, "decided_at": utcnow().isoformat()}


def _revert(cid: int, source: str, target: str) -> bool:
    with saving():
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
    cid = conn_id(conn)
    return _revert(cid, _undo_key(cid), _redo_key(cid))


def redo_last(conn: Connection | int) -> bool:
    """Re-apply the last undone step. False: nothing to redo (or a new decision came since)."""
    cid = conn_id(conn)
    return _revert(cid, _redo_key(cid), _undo_key(cid))


def can_undo(conn: Connection | int) -> bool:
    return bool(_stack(_undo_key(conn_id(conn))))


def can_redo(conn: Connection | int) -> bool:
    return bool(_stack(_redo_key(conn_id(conn))))
