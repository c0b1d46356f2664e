"""The review's rows: each conflict with its saved decision, and whether that went stale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.engine.matching import Conflict
from core.i18n import N_, tr
from core.store.models import Connection, Decision, QBTRecord


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


#: kinds whose QuickBooks Time name is unique among its siblings archived ones included (a
#: create of a name an archived jobcode holds answers 202 with that jobcode: nothing is made)
NAME_KEPT_KINDS = frozenset({"customer"})


def name_kept_by_archived_twin(conflict: Conflict) -> bool:
    """Is the conflict's exact name held by an archived QuickBooks Time record that keeps it,
    so that "create new" under that name cannot be done (restore and link, or rename)?"""
    if conflict.kind not in NAME_KEPT_KINDS:
        return False
    problems = (conflict.details or {}).get("problems") or ()
    return conflict.problem == "archived_twin" or "archived_twin" in problems


def conn_id(conn: Connection | int) -> int:
    """The connection's database id (the review's functions take either)."""
    return conn if isinstance(conn, int) else int(conn.get_id())


def review_rows(conn: Connection | int, conflicts: Sequence[Conflict]) -> list[ReviewRow]:
    """The conflicts, in the given order, each with its saved decision and staleness."""
    cid = conn_id(conn)
    kinds = {c.kind for c in conflicts}
    saved: dict[tuple[str, str], Decision] = {}
    if kinds:
        query = Decision.select().where(Decision.connection == cid, Decision.kind.in_(kinds))
        saved = {(d.kind, d.xero_id): d for d in query}
    rows = []
    for conflict in conflicts:
        decision = saved.get((conflict.kind, conflict.xero_id))
        stale = decision is not None and (
            decision.is_stale(conflict.fingerprint)
            # saved before "create new" was refused here: the import asks it again
            or (decision.action == "create" and name_kept_by_archived_twin(conflict))
        )
        rows.append(ReviewRow(conflict, decision, stale))
    return rows


def progress(rows: Sequence[ReviewRow]) -> tuple[int, int]:
    """(decided, total): "12 of 31 decided". "Later" and re-opened rows are not decided."""
    return sum(1 for r in rows if r.decided), len(rows)


def visible_rows(rows: Sequence[ReviewRow], *, hide_decided: bool) -> list[ReviewRow]:
    """The filter that hides what is decided (re-opened and "later" rows stay visible)."""
    return [r for r in rows if not (hide_decided and r.decided)]


def decision_words(row: ReviewRow, language: str | None = None) -> str:
    """What a decided row's saved answer does, in words, naming the record a link goes to
    (found among the candidates, else in the local copy of QuickBooks Time): what a person
    checks, headless, before the next import applies it. "" for a row not decided."""
    d = row.decision
    if not row.decided or d is None:
        return ""
    if d.action in ("link", "restore_link"):
        name = next((c.name for c in row.conflict.candidates if c.qbt_id == d.target_qbt_id), None)
        if name is None and d.target_qbt_id is not None:
            found = (
                QBTRecord.select(QBTRecord.name, QBTRecord.first_name, QBTRecord.last_name)
                .where(
                    (QBTRecord.connection == d.connection_id)
                    & (QBTRecord.qbt_id == d.target_qbt_id)
                )
                .first()
            )
            if found is not None:
                name = found.name or f"{found.first_name or ''} {found.last_name or ''}".strip()
        message = (
            N_('link to "{name}" (QuickBooks Time record {number})')
            if d.action == "link"
            else N_('restore and link to "{name}" (QuickBooks Time record {number})')
        )
        return tr(message, language, name=name or "?", number=d.target_qbt_id)
    if d.action == "create":
        return tr(N_("create new"), language)
    if d.action == "rename":
        return tr(N_('create as "{name}"'), language, name=d.new_name or "")
    if d.action == "skip":
        return tr(N_("never import"), language)
    return ""
