"""Page 9 — Done: what the import did, what it could not do and why, and the way back (undo).

Also home of the plain words the run, done and home pages and the history dialog share
(kinds, outcomes, run statuses, dates), so each is translated once (context "Outcome").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.plan import SUMMARY_KINDS

from .base import BasePage, paragraph

log = logging.getLogger(__name__)

VERBS = ("created", "updated", "archived", "linked", "unlinked", "failed")
#: The summary table's columns (an import never unlinks; empty columns are hidden).
COLUMNS = ("created", "updated", "archived", "linked", "failed")


# ============================================================================ shared words
def kind_name(kind: str) -> str:
    """A summary kind (core.plan.SUMMARY_KINDS) in plain words."""
    names = {
        "customers": QCoreApplication.translate("Outcome", "Customers"),
        "locations": QCoreApplication.translate("Outcome", "Job locations"),
        "employees": QCoreApplication.translate("Outcome", "Team members"),
        "items": QCoreApplication.translate("Outcome", "Items"),
        "custom_fields": QCoreApplication.translate("Outcome", "Custom fields"),
        "assignments": QCoreApplication.translate("Outcome", "Customers open to all team members"),
        "leave": QCoreApplication.translate("Outcome", "Time off"),
    }
    return names.get(kind, kind)


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


def verb_count(verb: str, n: int) -> str:
    """``n`` with its outcome verb: "17 created"."""
    if verb == "created":
        return count_text(n, QCoreApplication.translate("Outcome", "1 created"), QCoreApplication.translate("Outcome", "{n} created"))
    if verb == "updated":
        return count_text(n, QCoreApplication.translate("Outcome", "1 updated"), QCoreApplication.translate("Outcome", "{n} updated"))
    if verb == "archived":
        return count_text(n, QCoreApplication.translate("Outcome", "1 archived"), QCoreApplication.translate("Outcome", "{n} archived"))
    if verb == "linked":
        return count_text(n, QCoreApplication.translate("Outcome", "1 linked"), QCoreApplication.translate("Outcome", "{n} linked"))
    if verb == "unlinked":
        return count_text(n, QCoreApplication.translate("Outcome", "1 unlinked"), QCoreApplication.translate("Outcome", "{n} unlinked"))
    if verb == "failed":
        return count_text(n, QCoreApplication.translate("Outcome", "1 not done"), QCoreApplication.translate("Outcome", "{n} not done"))
    return f"{n} {verb}"


def changes_text(n: int) -> str:
    """"1 change" / "17 changes"."""
    return count_text(n, QCoreApplication.translate("Outcome", "1 change"), QCoreApplication.translate("Outcome", "{n} changes"))


def records_text(n: int) -> str:
    return count_text(n, QCoreApplication.translate("Outcome", "1 record"), QCoreApplication.translate("Outcome", "{n} records"))


def rows_text(n: int) -> str:
    return count_text(n, QCoreApplication.translate("Outcome", "1 row"), QCoreApplication.translate("Outcome", "{n} rows"))


def outcome_lines(outcomes: Mapping[str, Mapping[str, int]]) -> list[str]:
    """One line per kind: "Customers: 17 created, 9 linked" (kinds in the usual order)."""
    kinds = [k for k in SUMMARY_KINDS if any(outcomes.get(v, {}).get(k) for v in VERBS)]
    kinds += sorted({k for v in outcomes.values() for k in v} - set(kinds) - set(SUMMARY_KINDS))
    lines = []
    for kind in kinds:
        if kind == "assignments":
            # Opening a customer to everyone is a setting, not a record: one plain count.
            opened = sum(outcomes.get(v, {}).get(kind, 0) for v in ("created", "updated"))
            if opened:
                lines.append(QCoreApplication.translate(
                    "Outcome", "Customers open to all team members: {count}").format(count=opened))
            continue
        parts = [verb_count(v, outcomes[v][kind]) for v in VERBS if outcomes.get(v, {}).get(kind)]
        lines.append(QCoreApplication.translate("Outcome", "{kind}: {changes}").format(
            kind=kind_name(kind), changes=", ".join(parts)))
    return lines


def total_changes(outcomes: Mapping[str, Mapping[str, int]]) -> int:
    """Changes made, each counted once (opening a new customer to everyone is part of
    creating it, not a change of its own)."""
    return sum(n for verb, kinds in outcomes.items() if verb != "failed"
               for kind, n in kinds.items() if not (verb == "created" and kind == "assignments"))


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
        "tracking_option": QCoreApplication.translate("Outcome", "Item"),
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
    return QCoreApplication.translate("Outcome", "Undo") if kind == "undo" else QCoreApplication.translate("Outcome", "Import")


def when_text(moment: datetime | None) -> str:
    """A date and time in the user's language and time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)


def ask(parent: QWidget, title: str, text: str, yes_text: str, no_text: str,
        on_yes: Callable[[], None], *, informative: str = "") -> QMessageBox:
    """A confirmation that does not block: ``on_yes`` runs if the user agrees.

    The default (Enter) is the safe answer; the box is returned (tests press its buttons).
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

    def answered(button: Any) -> None:
        if button is yes:
            on_yes()

    box.buttonClicked.connect(answered)
    box.open()
    return box


def read_only_table(parent: QWidget, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)          # Tab leaves the table; arrows move inside
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    return table


#: Up to this many rows, rows grow to show wrapped text; beyond, one line each (elided, with
#: the whole text in a tooltip), so a large organisation's list stays fast.
WRAP_ROWS = 300


def fit_rows(table: QTableWidget) -> None:
    """Rows as tall as their wrapped text, also when the columns change width later."""
    wrap = table.rowCount() <= WRAP_ROWS
    table.setWordWrap(wrap)
    table.verticalHeader().setSectionResizeMode(
        QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed)


def cell(text: str, *, tooltip: bool = True, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if tooltip and text:
        item.setToolTip(text)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


# ============================================================================ workers
def undo_task(ctx: Any, connection_id: int, run_id: int, *, progress: Any = None) -> tuple[Any, Any]:
    """Undo ``run_id``; returns (the undo run, the import run as it is now)."""
    from core.models import Connection, ImportRun
    from core.sync import undo

    conn = Connection.get_by_id(connection_id)
    result = undo(ctx, conn, run_id, progress=progress)
    return result, ImportRun.get_by_id(run_id)


def export_task(run_id: int, path: str, header: list[str], words: dict[str, str]) -> tuple[int, str]:
    """Write the CSV report; (rows, "") or (-1, why) when the file cannot be written."""
    from core.models import ImportRun
    from core.report import export_run_report

    try:
        return export_run_report(ImportRun.get_by_id(run_id), path, header=header, words=words), ""
    except OSError as exc:
        log.warning("Could not write the report %s: %s", path, exc)
        return -1, exc.strerror or type(exc).__name__


def problems_task(run_id: int) -> list[Any]:
    from core.models import ImportRun
    from core.report import run_problems

    return run_problems(ImportRun.get_by_id(run_id))


# ============================================================================ the page
class DonePage(BasePage):
    def build(self) -> None:
        self.status = paragraph(parent=self)
        self.body.addWidget(self.status)
        self.tabs = QTabWidget(self)
        # Summary: one row per kind, one column per outcome.
        self.summary = read_only_table(self, len(COLUMNS) + 1)
        self.summary.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS) + 1):
            self.summary.horizontalHeader().setSectionResizeMode(
                col, QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(self.summary, "")
        # Problems: what could not be done, why, and what to do.
        problems = QWidget(self)
        box = QVBoxLayout(problems)
        self.problems_hint = paragraph(parent=problems)
        self.problems = read_only_table(problems, 4)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.problems.setColumnWidth(0, 180)
        box.addWidget(self.problems_hint)
        box.addWidget(self.problems, 1)
        self.tabs.addTab(problems, "")
        # Left for later: skipped records and conflicts waiting for a decision.
        later = QWidget(self)
        box = QVBoxLayout(later)
        self.later_hint = paragraph(parent=later)
        self.later = read_only_table(later, 3)
        header = self.later.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.later.setColumnWidth(0, 200)
        box.addWidget(self.later_hint)
        box.addWidget(self.later, 1)
        self.tabs.addTab(later, "")
        self.body.addWidget(self.tabs, 1)

        row = QHBoxLayout()
        self.undo_button = QPushButton(self)
        self.logs_button = QPushButton(self)
        self.export_button = QPushButton(self)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        row.addWidget(self.logs_button)
        row.addWidget(self.export_button)
        self.body.addLayout(row)
        self.undo_button.clicked.connect(self._confirm_undo)
        self.logs_button.clicked.connect(self.open_logs)
        self.export_button.clicked.connect(self.export_report)
        chain = (self.tabs, self.summary, self.problems, self.later, self.undo_button,
                 self.logs_button, self.export_button)      # hidden tabs are skipped
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

        self._question: QMessageBox | None = None
        #: name, kind, action, reason, name of the record it waited for (worded when shown)
        self._problems: list[tuple[str, str, str, str, str | None]] = []
        self._undone: Any = None           # the undo run, once undone here
        self._undo_failed = 0
        self._message: tuple[str, str] | None = None  # the banner, kept across retranslation

    # ---------------------------------------------------------------- data
    def _run(self) -> Any:
        return self.state.last_run

    def _outcomes(self) -> dict[str, dict[str, int]]:
        importer = getattr(self.state, "last_importer", None)
        if importer is not None:
            return importer.outcomes
        run = self._run()
        return dict((run.counts or {}).get("outcomes", {})) if run is not None else {}

    def initializePage(self) -> None:
        self._undone = None
        self._undo_failed = 0
        self._message = None
        self.banner.clear()
        run = self._run()
        importer = getattr(self.state, "last_importer", None)
        if importer is not None and importer.run is run:
            self._problems = [(a.label, a.entity, a.op, reason, self._waited_for(a, importer))
                              for a, reason in importer.problems]
            self._refresh()
        elif run is not None:
            self._problems = []
            self._refresh()
            self.run_task(problems_task, run.id, message=self.tr("Reading the journal…"),
                          on_done=self._journal_problems)
        else:
            self._problems = []
            self._refresh()

    @staticmethod
    def _waited_for(action: Any, importer: Any) -> str | None:
        """The name of the record ``action`` needed and that failed (None otherwise)."""
        if action.needs and action.needs in importer.failed_refs:
            return next((a.label for a in importer.plan.actions if a.ref == action.needs), None)
        return None

    def _reason(self, reason: str, waited_for: str | None) -> str:
        if waited_for:
            return self.tr("Not written because \"{name}\" could not be written first "
                           "(see its reason).").format(name=waited_for)
        return reason

    def _journal_problems(self, problems: list[Any]) -> None:
        self._problems = [(p.name, p.kind, p.action, p.reason, None) for p in problems]
        self._refresh()

    # ---------------------------------------------------------------- showing
    def _refresh(self) -> None:
        self._fill_status()
        self._fill_summary()
        self._fill_problems()
        self._fill_later()
        self._update_buttons()

    def _fill_status(self) -> None:
        run = self._run()
        outcomes = self._outcomes()
        changes = total_changes(outcomes)
        failed = len(self._problems)
        if run is None:
            text = self.tr("Nothing was imported: QuickBooks Time was already up to date.")
        elif self._undone is not None or run.status == "undone":
            text = self.tr("This import was undone: QuickBooks Time is back as it was before it.")
        elif run.status == "cancelled":
            text = self.tr("The import was stopped after {changes}. Import again from the start "
                           "page to finish the job: nothing is created twice.").format(
                changes=changes_text(changes))
        elif run.status != "done":
            text = self.tr("The import did not finish ({changes} made). Import again from the "
                           "start page to finish the job: nothing is created twice.").format(
                changes=changes_text(changes))
        elif failed:
            text = self.tr("The import is finished: {changes} made in QuickBooks Time. "
                           "Not written: {records} (see Problems).").format(
                changes=changes_text(changes), records=records_text(failed))
        else:
            text = self.tr("The import is finished: {changes} made in QuickBooks Time. "
                           "Nothing went wrong.").format(changes=changes_text(changes))
        self.status.setText(text)

    def _fill_summary(self) -> None:
        outcomes = dict(self._outcomes())
        if self._problems and not outcomes.get("failed"):
            failed: dict[str, int] = {}
            for _name, kind, *_rest in self._problems:
                key = _summary_kind(kind)
                failed[key] = failed.get(key, 0) + 1
            outcomes["failed"] = failed
        kinds = [k for k in SUMMARY_KINDS if any(outcomes.get(v, {}).get(k) for v in COLUMNS)]
        self.summary.setRowCount(len(kinds))
        for col, verb in enumerate(COLUMNS, start=1):
            self.summary.setColumnHidden(col, not any(outcomes.get(verb, {}).values()))
        for row, kind in enumerate(kinds):
            self.summary.setItem(row, 0, cell(kind_name(kind)))
            for col, verb in enumerate(COLUMNS, start=1):
                n = outcomes.get(verb, {}).get(kind, 0)
                self.summary.setItem(row, col, cell(str(n) if n else "–", tooltip=False,
                                                    align_right=True))
        fit_rows(self.summary)

    def _fill_problems(self) -> None:
        self.problems.setRowCount(len(self._problems))
        for row, (name, kind, op, reason, waited_for) in enumerate(self._problems):
            self.problems.setItem(row, 0, cell(name))
            self.problems.setItem(row, 1, cell(entity_words(kind)))
            self.problems.setItem(row, 2, cell(action_words(op)))
            self.problems.setItem(row, 3, cell(self._reason(reason, waited_for)))
        fit_rows(self.problems)
        self.tabs.setTabText(1, self.tr("&Problems ({n})").format(n=len(self._problems)))

    def _fill_later(self) -> None:
        plan = self.state.plan
        skipped = list(plan.skipped) if plan is not None else []
        self.later.setRowCount(len(skipped))
        for row, item in enumerate(skipped):
            self.later.setItem(row, 0, cell(item.name))
            self.later.setItem(row, 1, cell(entity_words(item.kind)))
            self.later.setItem(row, 2, cell(item.describe()))
        fit_rows(self.later)
        self.tabs.setTabText(2, self.tr("Lef&t for later ({n})").format(n=len(skipped)))

    def _update_buttons(self) -> None:
        from core.report import can_undo

        run = self._run()
        undoable = can_undo(run) and self._undone is None and not self.busy
        self.undo_button.setEnabled(undoable)
        self.export_button.setEnabled(run is not None and not self.busy)

    def set_busy(self, busy: bool, message: str = "") -> None:
        super().set_busy(busy, message)
        self._update_buttons()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Done"))
        self.setSubTitle(self.tr("What the import did, what it could not do, and how to undo it."))
        self.tabs.setTabText(0, self.tr("&Summary"))
        self.summary.setHorizontalHeaderLabels([self.tr("What")] + [verb_title(v) for v in COLUMNS])
        self.summary.setAccessibleName(self.tr("Summary of the changes"))
        self.problems_hint.setText(self.tr(
            "These records were not written. Correct them in Xero or QuickBooks Time (the reason "
            "says what is wrong), then click \"Import again\" on the start page: what was done "
            "is not repeated."))
        self.problems.setHorizontalHeaderLabels([self.tr("Record"), self.tr("Kind"),
                                                 self.tr("Change"), self.tr("Reason")])
        self.problems.setAccessibleName(self.tr("Problems"))
        self.later_hint.setText(self.tr(
            "These records were not imported this time. Conflicts waiting for a decision can be "
            "settled in \"Review conflicts\" on the start page; the others say why."))
        self.later.setHorizontalHeaderLabels([self.tr("Record"), self.tr("Kind"),
                                              self.tr("Why")])
        self.later.setAccessibleName(self.tr("Records left for later"))
        self.undo_button.setText(self.tr("&Undo this import"))
        self.undo_button.setToolTip(self.tr("Put QuickBooks Time back as it was before this import"))
        self.logs_button.setText(self.tr("Open &log folder"))
        self.export_button.setText(self.tr("&Export report (CSV)…"))
        self.export_button.setToolTip(self.tr("One row per change, for your records or your accountant"))
        self._refresh()
        if self._message is not None:
            self._show_message(*self._message)

    def _show_message(self, key: str, kind: str, **params: Any) -> None:
        """Banners that must survive a language change are keyed, not stored as text."""
        self._message = (key, kind)
        texts = {
            "undone": self.tr("The import was undone. What it created is archived (QuickBooks "
                              "Time never deletes anything), what it changed is changed back, "
                              "and what it archived is active again."),
            "undo_partly": self.tr("Part of the import could not be undone ({changes}). "
                                   "Click \"Undo this import\" again to retry.").format(
                changes=changes_text(self._undo_failed)),
        }
        if key in texts:
            self.banner.show_message(texts[key], kind)

    # ---------------------------------------------------------------- undo
    def _confirm_undo(self) -> None:
        run = self._run()
        if run is None:
            return
        self._question = ask(
            self, self.tr("Undo this import?"),
            self.tr("Undo this import?"),
            self.tr("&Undo the import"), self.tr("&Keep it"), self.undo,
            informative=self.tr(
                "What the import created is archived in QuickBooks Time, what it changed is "
                "changed back, and what it archived is made active again. Time already "
                "tracked is kept."))

    def undo(self) -> None:
        """Undo the run shown (after the confirmation)."""
        run = self._run()
        if run is None or self.busy:
            return
        self.run_task(undo_task, self.state.ctx, self.state.connection_id, run.id,
                      message=self.tr("Undoing the import… QuickBooks Time is being put back "
                                      "as it was."),
                      on_done=self._undo_done, on_error=self._undo_error, on_progress=lambda _e: None)

    def _undo_done(self, value: tuple[Any, Any]) -> None:
        undo_run, original = value
        self.state.last_run = original
        failed = int((undo_run.counts or {}).get("failed", 0))
        if failed:
            self._undo_failed = failed
            self._show_message("undo_partly", "warning")
        else:
            self._undone = undo_run
            self._show_message("undone", "success")
        self._fill_status()
        self._update_buttons()

    def _undo_error(self, exc: Any) -> None:
        self._message = None
        self.show_error(exc, retry=self.undo)
        self._update_buttons()

    # ---------------------------------------------------------------- log folder, report
    def open_logs(self) -> None:
        folder = Path(self.state.ctx.paths.logs)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._message = None
            self.banner.show_message(self.tr("The log folder could not be opened here. You will "
                                             "find it at: {path}").format(path=folder), "warning")

    def report_words(self) -> dict[str, str]:
        """The codes of the report, in the user's language."""
        words = {op: action_words(op) for op in ("create", "update", "restore", "archive",
                                                 "link", "assign", "unassign")}
        words.update({e: entity_words(e) for e in ("jobcode", "location", "user", "customfield",
                                                   "customfielditem", "leave_link", "assignment")})
        words.update({s: state_words(s) for s in ("done", "failed", "intent", "unknown")})
        return words

    def report_header(self) -> list[str]:
        return [self.tr("Change"), self.tr("Kind"), self.tr("Name"), self.tr("Before"),
                self.tr("After"), self.tr("Result"), self.tr("Reason")]

    def ask_report_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export report"), suggested, self.tr("CSV files (*.csv)"))
        return path

    def export_report(self) -> None:
        run = self._run()
        if run is None or self.busy:
            return
        folder = (QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                  or str(Path.home()))
        stamp = (run.started_at or datetime.now(UTC)).astimezone().strftime("%Y-%m-%d")
        suggested = str(Path(folder) / self.tr("import-{number}-{date}.csv").format(
            number=run.id, date=stamp))
        path = self.ask_report_path(suggested)
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        self.run_task(export_task, run.id, path, self.report_header(), self.report_words(),
                      message=self.tr("Saving the report…"),
                      on_done=lambda value: self._exported(path, value))

    def _exported(self, path: str, value: tuple[int, str]) -> None:
        rows, why = value
        self._message = None
        if rows < 0:
            self.banner.show_message(self.tr("The report could not be saved in {path} ({why}). "
                                             "Choose another folder and try again.").format(
                path=path, why=why), "error", action_text=self.tr("Try again"),
                action=self.export_report)
        else:
            self.banner.show_message(self.tr("Report saved: {path} ({rows}).").format(
                path=path, rows=rows_text(rows)), "success")


def _summary_kind(kind: str) -> str:
    """A Xero or QuickBooks Time kind → the summary kind it is counted under."""
    return {"customer": "customers", "contact": "customers", "jobcode": "customers",
            "location": "locations", "employee": "employees", "user": "employees",
            "item": "items", "customfielditem": "items", "tracking_option": "items",
            "tracking_category": "custom_fields", "customfield": "custom_fields",
            "leave_type": "leave", "leave_link": "leave"}.get(kind, kind)
