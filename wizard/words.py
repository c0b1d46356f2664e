"""The wizard's one vocabulary: how each kind of record, outcome and run is named on every
screen (pages and dialogs alike)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale

if TYPE_CHECKING:  # (datetime: not on the way to a returning user's first page, issue 16)
    from datetime import datetime

# core.engine.plan and core.engine.report are imported where they are used: the home page,
# the first page a returning user sees, imports this module, and the engine is not on the
# way to it (issue 16: cold start).

VERBS = ("created", "updated", "archived", "linked", "unlinked", "failed")
#: The summary table's columns (an import never unlinks; empty columns are hidden).
COLUMNS = ("created", "updated", "archived", "linked", "failed")
#: What an undo of hours sent or of billing records (core.app.payroll / core.app.invoicing).
UNDO_VERBS = ("reverted", "deleted", "restored")


def kind_name(kind: str) -> str:
    """A summary kind (core.engine.plan.SUMMARY_KINDS) in plain words."""
    names = {
        "customers": QCoreApplication.translate("Outcome", "Customers"),
        "locations": QCoreApplication.translate("Outcome", "Job locations"),
        "employees": QCoreApplication.translate("Outcome", "Team members"),
        "items": QCoreApplication.translate("Outcome", "Items"),
        "custom_field_items": QCoreApplication.translate("Outcome", "Custom field choices"),
        "custom_fields": QCoreApplication.translate("Outcome", "Custom fields"),
        "assignments": QCoreApplication.translate("Outcome", "Customers open to all team members"),
        "leave": QCoreApplication.translate("Outcome", "Time off"),
        "invoices": QCoreApplication.translate("Outcome", "Draft invoices in Xero"),
        "timesheets": QCoreApplication.translate("Outcome", "Draft timesheets in Xero Payroll"),
    }
    return names.get(kind, kind)


def kind_one(kind: str) -> str:
    """One record of a summary kind, as a row of a list names it (the singular of
    :func:`kind_name`: the same words on every screen)."""
    names = {
        "customers": QCoreApplication.translate("Outcome", "Customer"),
        "locations": QCoreApplication.translate("Outcome", "Job location"),
        "employees": QCoreApplication.translate("Outcome", "Team member"),
        "items": QCoreApplication.translate("Outcome", "Item"),
        "custom_field_items": QCoreApplication.translate("Outcome", "Custom field choice"),
        "custom_fields": QCoreApplication.translate("Outcome", "Custom field"),
        "assignments": QCoreApplication.translate("Outcome", "Customer open to all team members"),
        "leave": QCoreApplication.translate("Outcome", "Time off"),
    }
    return names.get(kind, kind)


def list_separator() -> str:
    """What separates the parts of a list on one line: "; " in English, " ; " (a non-breaking
    space before the semicolon) in French."""
    return QCoreApplication.translate(
        "Outcome",
        "; ",
        "between the parts of a list on one line (French: a non-breaking space first)",
    )


def list_join(parts: Iterable[str]) -> str:
    """Parts of a list on one line, as the user's language separates them (see
    :func:`list_separator`); empty parts left out."""
    return list_separator().join(part for part in parts if part)


def verb_title(verb: str) -> str:
    """A column title for an outcome verb."""
    titles = {
        "created": QCoreApplication.translate("Outcome", "Created"),
        "updated": QCoreApplication.translate("Outcome", "Updated"),
        "archived": QCoreApplication.translate("Outcome", "Archived"),
        "linked": QCoreApplication.translate("Outcome", "Linked"),
        "unlinked": QCoreApplication.translate("Outcome", "Unlinked"),
        "failed": QCoreApplication.translate("Outcome", "Not done"),
    }
    return titles.get(verb, verb)


def count_text(n: int, one: str, many: str) -> str:
    """``one`` (already translated, for exactly 1) or ``many`` with ``{n}`` filled.

    Plain strings rather than Qt's %n numerus forms: the English source needs no .qm, and
    every form is an ordinary message in the .ts (French: 0 and 1 take the singular, but
    "0" is never shown with these words).
    """
    return (one if n == 1 else many).format(n=n)


#: kinds whose French name is feminine (factures, feuilles de temps): their participles agree
_FEMININE = ("invoices", "timesheets")


def verb_count(verb: str, n: int, kind: str = "") -> str:
    """``n`` with its outcome verb: "17 created" (``kind``: the summary kind counted, for
    languages whose participle agrees with it: "3 factures créées")."""
    if kind in _FEMININE and verb in (
        "created",
        "updated",
        "archived",
        "linked",
        "unlinked",
        *UNDO_VERBS,
    ):
        return _feminine_count(verb, n)
    if verb == "created":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 created"),
            QCoreApplication.translate("Outcome", "{n} created"),
        )
    if verb == "updated":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 updated"),
            QCoreApplication.translate("Outcome", "{n} updated"),
        )
    if verb == "archived":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 archived"),
            QCoreApplication.translate("Outcome", "{n} archived"),
        )
    if verb == "linked":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 linked"),
            QCoreApplication.translate("Outcome", "{n} linked"),
        )
    if verb == "unlinked":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 unlinked"),
            QCoreApplication.translate("Outcome", "{n} unlinked"),
        )
    if verb == "failed":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 not done"),
            QCoreApplication.translate("Outcome", "{n} not done"),
        )
    if verb == "reverted":  # an undo of hours sent: taken back from Xero Payroll
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 taken back"),
            QCoreApplication.translate("Outcome", "{n} taken back"),
        )
    if verb == "deleted":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 deleted"),
            QCoreApplication.translate("Outcome", "{n} deleted"),
        )
    if verb == "restored":
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 restored"),
            QCoreApplication.translate("Outcome", "{n} restored"),
        )
    if verb == "withdrawn":  # leave taken back from Xero Payroll: its time off is gone
        return count_text(
            n,
            QCoreApplication.translate("Outcome", "1 withdrawn"),
            QCoreApplication.translate("Outcome", "{n} withdrawn"),
        )
    return f"{n} {verb}"


def _feminine_count(verb: str, n: int) -> str:
    """:func:`verb_count` for a kind named by a feminine noun in French (same English)."""
    forms = {
        "created": (
            QCoreApplication.translate("Outcome", "1 created", "feminine"),
            QCoreApplication.translate("Outcome", "{n} created", "feminine"),
        ),
        "updated": (
            QCoreApplication.translate("Outcome", "1 updated", "feminine"),
            QCoreApplication.translate("Outcome", "{n} updated", "feminine"),
        ),
        "archived": (
            QCoreApplication.translate("Outcome", "1 archived", "feminine"),
            QCoreApplication.translate("Outcome", "{n} archived", "feminine"),
        ),
        "linked": (
            QCoreApplication.translate("Outcome", "1 linked", "feminine"),
            QCoreApplication.translate("Outcome", "{n} linked", "feminine"),
        ),
        "unlinked": (
            QCoreApplication.translate("Outcome", "1 unlinked", "feminine"),
            QCoreApplication.translate("Outcome", "{n} unlinked", "feminine"),
        ),
        "reverted": (
            QCoreApplication.translate("Outcome", "1 taken back", "feminine"),
            QCoreApplication.translate("Outcome", "{n} taken back", "feminine"),
        ),
        "deleted": (
            QCoreApplication.translate("Outcome", "1 deleted", "feminine"),
            QCoreApplication.translate("Outcome", "{n} deleted", "feminine"),
        ),
        "restored": (
            QCoreApplication.translate("Outcome", "1 restored", "feminine"),
            QCoreApplication.translate("Outcome", "{n} restored", "feminine"),
        ),
    }
    one, many = forms[verb]
    return count_text(n, one, many)


def changes_text(n: int) -> str:
    """ "1 change" / "17 changes"."""
    return count_text(
        n,
        QCoreApplication.translate("Outcome", "1 change"),
        QCoreApplication.translate("Outcome", "{n} changes"),
    )


def records_text(n: int) -> str:
    return count_text(
        n,
        QCoreApplication.translate("Outcome", "1 record"),
        QCoreApplication.translate("Outcome", "{n} records"),
    )


def decisions_text(n: int) -> str:
    """ "1 record needs your decision" / "20 records need your decision": the look-alike
    records waiting in the review (core.engine.report.records_waiting), on every page."""
    return count_text(
        n,
        QCoreApplication.translate("Outcome", "1 record needs your decision"),
        QCoreApplication.translate("Outcome", "{n} records need your decision"),
    )


def rows_text(n: int) -> str:
    return count_text(
        n,
        QCoreApplication.translate("Outcome", "1 row"),
        QCoreApplication.translate("Outcome", "{n} rows"),
    )


def outcome_lines(outcomes: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One line per kind: "Customers: 17 created, 9 linked" (kinds in the usual order),
    counted by the one rule (core.engine.report.outcome_changes)."""
    from core.engine.plan import SUMMARY_KINDS
    from core.engine.report import outcome_changes

    outcomes = outcome_changes(outcomes)
    known = (*VERBS, *UNDO_VERBS)
    verbs = (*known, *sorted(set(outcomes) - set(known)))  # never a kind with no count
    kinds = [k for k in SUMMARY_KINDS if any(outcomes.get(v, {}).get(k) for v in verbs)]
    kinds += sorted({k for v in outcomes.values() for k in v} - set(kinds) - set(SUMMARY_KINDS))
    lines = []
    for kind in kinds:
        if kind == "assignments":
            # Opening a customer to everyone is a setting, not a record: one plain count.
            opened = sum(outcomes.get(v, {}).get(kind, 0) for v in ("created", "updated"))
            if opened:
                lines.append(
                    QCoreApplication.translate(
                        "Outcome", "Customers open to all team members: {count}"
                    ).format(count=opened)
                )
            continue
        parts = [
            verb_count(v, outcomes[v][kind], kind) for v in verbs if outcomes.get(v, {}).get(kind)
        ]
        lines.append(
            QCoreApplication.translate("Outcome", "{kind}: {changes}").format(
                kind=kind_name(kind), changes=", ".join(parts)
            )
        )
    return lines


def total_changes(outcomes: Mapping[str, Mapping[str, int]]) -> int:
    """Changes made, each counted once, as the preview counts them
    (core.engine.report.changes_made)."""
    from core.engine.report import changes_made

    return changes_made(outcomes)


def action_words(op: str) -> str:
    """What an action or journal entry set out to do, as a verb."""
    words = {
        "create": QCoreApplication.translate("Outcome", "Create"),
        "update": QCoreApplication.translate("Outcome", "Update"),
        "restore": QCoreApplication.translate("Outcome", "Restore"),
        "archive": QCoreApplication.translate("Outcome", "Archive"),
        "link": QCoreApplication.translate("Outcome", "Link"),
        "assign": QCoreApplication.translate("Outcome", "Give a team member access"),
        "unassign": QCoreApplication.translate("Outcome", "Remove a team member's access"),
    }
    return words.get(op, op)


def entity_words(entity: str) -> str:
    """The kind of one record, singular: a QuickBooks Time object kind (journal
    ``entity_kind``, action ``entity``) or a Xero kind (skipped records)."""
    words = {
        "jobcode": QCoreApplication.translate("Outcome", "Customer"),
        "customer": QCoreApplication.translate("Outcome", "Customer"),
        "location": QCoreApplication.translate("Outcome", "Job location"),
        "user": QCoreApplication.translate("Outcome", "Team member"),
        "employee": QCoreApplication.translate("Outcome", "Team member"),
        "customfield": QCoreApplication.translate("Outcome", "Custom field"),
        "tracking_category": QCoreApplication.translate("Outcome", "Custom field"),
        "customfielditem": QCoreApplication.translate("Outcome", "Item"),
        "item": QCoreApplication.translate("Outcome", "Item"),
        "tracking_option": QCoreApplication.translate("Outcome", "Custom field choice"),
        "leave_link": QCoreApplication.translate("Outcome", "Time off"),
        "leave_type": QCoreApplication.translate("Outcome", "Time off"),
        "assignment": QCoreApplication.translate("Outcome", "Team member's access to a customer"),
    }
    return words.get(entity, entity)


def state_words(state: str) -> str:
    words = {
        "done": QCoreApplication.translate("Outcome", "Done"),
        "failed": QCoreApplication.translate("Outcome", "Not done"),
        "intent": QCoreApplication.translate("Outcome", "Not answered"),
        "unknown": QCoreApplication.translate("Outcome", "Not answered"),
    }
    return words.get(state, state)


def run_status_words(status: str, kind: str = "import") -> str:
    """An import run's status in plain words."""
    words = {
        "done": QCoreApplication.translate("Outcome", "Finished"),
        "cancelled": QCoreApplication.translate("Outcome", "Stopped"),
        "failed": QCoreApplication.translate("Outcome", "Did not finish"),
        "undone": QCoreApplication.translate("Outcome", "Undone"),
        "running": QCoreApplication.translate("Outcome", "Interrupted"),
        "planned": QCoreApplication.translate("Outcome", "Not started"),
    }
    if kind == "undo" and status == "done":
        return QCoreApplication.translate("Outcome", "Finished")
    return words.get(status, status)


def run_kind_words(kind: str) -> str:
    words = {
        "undo": QCoreApplication.translate("Outcome", "Undo"),
        "invoicing": QCoreApplication.translate("Outcome", "Bill time in Xero"),
        "payroll_export": QCoreApplication.translate("Outcome", "Hours sent to Xero Payroll"),
    }
    return words.get(kind, QCoreApplication.translate("Outcome", "Import"))


def when_text(moment: datetime | None) -> str:
    """A date and time in the user's language and time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        from datetime import UTC  # (loaded already: moment is a datetime)

        moment = moment.replace(tzinfo=UTC)
    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)


# -- the review of look-alike records: the two ways to put a record aside -------------------------


def never_import() -> str:
    """The review's "skip": the record is left out of every import."""
    return QCoreApplication.translate("Review", "Never import")


def ask_next_time() -> str:
    """The review's "later": the record waits for a decision, left out until then."""
    return QCoreApplication.translate("Review", "Ask me next time")


def records_waiting(n: int) -> str:
    """How many records of the review still wait for a decision."""
    return count_text(
        n,
        QCoreApplication.translate("Review", "1 record will wait for your decision"),
        QCoreApplication.translate("Review", "{n} records will wait for your decision"),
    )
