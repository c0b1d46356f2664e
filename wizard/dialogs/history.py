"""History: every import, billing and sending of hours of the connection, and every undo, with
"Undo" for each of them.

Opened with ``open()`` (window-modal, never blocking): loading and undoing run in workers
through the wizard's task runner; the dialog shows them busy and reports in a banner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..roomy import readable_columns
from ..widgets import Banner, ask, cell, paragraph, read_only_table
from ..words import (
    outcome_lines,
    run_kind_words,
    run_status_words,
    verb_count,
    when_text,
)
from ..workers import TaskRunner, error_text

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.importer import ImportRun, ProgressCallback


@dataclass(frozen=True)
class RunRow:
    """What the dialog shows of one run (plain data, read in a worker)."""

    id: int
    kind: str
    status: str
    started_at: Any
    outcomes: dict[str, dict[str, int]]
    failed: int
    undoes: int | None
    #: the kind of run an undo undid (import, payroll_export, invoicing)
    undoes_kind: str | None
    undoable: bool


def load_history(connection_id: int) -> list[RunRow]:
    from core.app.sync import history
    from core.engine.report import can_undo
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    rows = []
    for run in history(conn):
        counts = run.counts or {}
        rows.append(
            RunRow(
                run.id,
                run.kind,
                run.status,
                run.started_at or run.created_at,
                dict(counts.get("outcomes", {})),
                int(counts.get("failed", 0) or 0),
                run.undoes_run_id,
                run.undoes_run.kind if run.undoes_run_id else None,
                can_undo(run) or _billing_undoable(run) or _payroll_undoable(run),
            )
        )
    return rows


def _billing_undoable(run: Any) -> bool:
    """A billing run that sent something and is not undone (its Undo deletes our drafts)."""
    return (
        run.kind == "invoicing"
        and not run.dry_run
        and run.status in ("done", "cancelled", "failed")
    )


def _payroll_undoable(run: Any) -> bool:
    """Hours sent to Xero Payroll, not undone (its Undo takes our drafts and leave back)."""
    return (
        run.kind == "payroll_export"
        and not run.dry_run
        and run.status in ("done", "cancelled", "failed")
    )


def undo_task(
    ctx: AppContext, connection_id: int, run_id: int, *, progress: ProgressCallback | None = None
) -> tuple[list[ImportRun], ImportRun]:
    """Undo ``run_id``: ([its undo run], ``run_id``'s run as it is now)."""
    return _undo_runs(ctx, connection_id, run_id, cascade=False, progress=progress)


def cascade_undo_task(
    ctx: AppContext, connection_id: int, run_id: int, *, progress: ProgressCallback | None = None
) -> tuple[list[ImportRun], ImportRun]:
    """Undo the later imports that touched ``run_id`` (newest first), then ``run_id``: (their
    undo runs in that order, ``run_id``'s run as it is now)."""
    return _undo_runs(ctx, connection_id, run_id, cascade=True, progress=progress)


def _undo_runs(
    ctx: AppContext,
    connection_id: int,
    run_id: int,
    *,
    cascade: bool,
    progress: ProgressCallback | None,
) -> tuple[list[ImportRun], ImportRun]:
    """Every undo run is kept, not only the last: the banner says what each one left alone
    and the decisions each one opened again."""
    from core.app.sync import undo_cascade
    from core.store.models import Connection, ImportRun

    conn = Connection.get_by_id(connection_id)
    done = undo_cascade(ctx, conn, run_id, cascade=cascade, progress=progress)
    return [result for _number, result in done], ImportRun.get_by_id(run_id)


@dataclass(frozen=True)
class UndoMessage:
    """The banner of an undo done here, kept as data to be worded again at a language
    change."""

    #: "undone", or "partly" when part of it could not be undone
    key: str
    number: int
    #: the kind of run undone (import, payroll_export, invoicing)
    kind: str
    #: an import's undo (or a cascade's): "who: what" it left as QuickBooks Time users
    #: changed or built on it since (in the language of the undo, as the Done page's)
    left_alone: tuple[str, ...] = ()
    #: the review decisions the undone imports applied, open again
    reopened: int = 0


def undo_message(undo_runs: list[Any], original: Any) -> UndoMessage:
    """What the banner says of ``undo_runs`` (an undo, or a cascade's, ``original``'s
    last)."""
    counts = (undo_runs[-1].counts or {}) if undo_runs else {}
    failed = int(counts.get("failed", 0) or 0)
    left: list[str] = []
    reopened = 0
    if original.kind == "import":  # (a billing's or a sending's undo words its own)
        for run in undo_runs:
            run_counts = run.counts or {}
            left += [
                f"{item.get('who', '')}: {item.get('what', '')}"
                for item in run_counts.get("left_alone", [])
            ]
            reopened += int(run_counts.get("decisions_reopened", 0) or 0)
    # a billing's or a sending's undo that left records as they are in Xero (approved since,
    # changed there) did not undo all of it: said as "part of it", never "deleted"
    kept_in_xero = original.kind != "import" and bool(counts.get("left_alone"))
    return UndoMessage(
        "partly" if failed or kept_in_xero else "undone",
        int(original.id),
        original.kind,
        tuple(left),
        reopened,
    )


class HistoryDialog(QDialog):
    #: an undo finished here (the home page refreshes its "last import")
    changed = Signal()

    def __init__(self, state: Any, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.tasks = tasks
        self._rows: list[RunRow] = []
        self._busy = False
        # the busy line, worded again in the current language at each language change
        self._busy_words: Callable[[], str] | None = None
        self._question: Any = None
        self._message: UndoMessage | None = None
        self.setModal(True)
        self.resize(720, 440)
        layout = QVBoxLayout(self)
        self.intro = paragraph(parent=self)
        layout.addWidget(self.intro)
        self.table_label = QLabel(self)
        self.table = read_only_table(self, 4)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # the changes wrap (one kind a line) rather than be cut off in a narrow window
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table_label.setBuddy(self.table)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table_label)
        layout.addWidget(self.table, 1)
        self._build_invoices(layout)
        busy = QHBoxLayout()
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel(self)
        self.busy_label.setWordWrap(True)
        busy.addWidget(self.busy_bar)
        busy.addWidget(self.busy_label, 1)
        layout.addLayout(busy)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox(self)
        self.undo_button = QPushButton(self)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.undo_button.clicked.connect(self._confirm_undo)
        layout.addWidget(buttons)
        self.setTabOrder(self.table, self.invoices)
        self.setTabOrder(self.invoices, self.undo_button)
        self.setTabOrder(self.undo_button, self.close_button)
        self._set_busy(False)
        self.retranslate()
        self.reload()

    # ---------------------------------------------------------------- loading
    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool, words: Callable[[], str] | None = None) -> None:
        """Busy (or not), the busy line worded by ``words`` (``lambda: self.tr(...)``): worded
        again, numbers kept, when the language changes while it shows."""
        self._busy = busy
        self._busy_words = words if busy else None
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)
        self._word_busy()
        self._update_buttons()

    def _word_busy(self) -> None:
        self.busy_label.setText(self._busy_words() if self._busy_words is not None else "")

    def reload(self) -> None:
        if self.state.connection_id is None:
            return
        self._set_busy(True, lambda: self.tr("Reading the history…"))
        self.tasks.start(
            load_history, self.state.connection_id, on_done=self._loaded, on_error=self._failed
        )

    def _loaded(self, rows: list[RunRow]) -> None:
        selected = self.selected()
        self._rows = rows
        self._fill()
        self._set_busy(False)
        if selected is not None:
            self.select_run(selected.id)
        elif rows:
            self.table.selectRow(0)

    def _failed(self, exc: Any) -> None:
        from core.app.sync import LaterImportsFirst

        self._set_busy(False)
        self._message = None
        if isinstance(exc, LaterImportsFirst):
            # The same sentence as the headless "undo": the later imports go first. One
            # confirmation undoes them, newest first, then the one asked for.
            # (a sending of hours or a billing run: the later ones of its kind, exc.kind)
            sentence = error_text(exc)
            self.banner.show_message(sentence, "warning")
            numbers = ", ".join(str(n) for n in [*exc.later_ids, exc.run_id])
            question, order = {
                "payroll_export": (
                    self.tr("Undo the later sendings of hours first?"),
                    self.tr("Sendings of hours {numbers} will be undone in this order."),
                ),
                "invoicing": (
                    self.tr("Undo the later billings first?"),
                    self.tr("Billings {numbers} will be undone in this order."),
                ),
            }.get(
                exc.kind,
                (
                    self.tr("Undo the later imports first?"),
                    self.tr("Imports {numbers} will be undone in this order."),
                ),
            )
            self._question = ask(
                self,
                question,
                sentence,
                self.tr("&Undo them all"),
                self.tr("&Keep them"),
                lambda: self.undo(exc.run_id, cascade=True),
                informative=order.format(numbers=numbers),
            )
            return
        self.banner.show_message(error_text(exc), "error")

    def _fill(self) -> None:
        self.table.setRowCount(len(self._rows))
        for row, run in enumerate(self._rows):
            what = run_kind_words(run.kind)
            if run.kind == "undo" and run.undoes and run.undoes_kind == "payroll_export":
                what = self.tr("Undo of hours sent {number}").format(number=run.undoes)
            elif run.kind == "undo" and run.undoes and run.undoes_kind == "invoicing":
                what = self.tr("Undo of billing {number}").format(number=run.undoes)
            elif run.kind == "undo" and run.undoes:
                what = self.tr("Undo of import {number}").format(number=run.undoes)
            elif run.kind == "import":
                what = self.tr("Import {number}").format(number=run.id)
            elif run.kind == "invoicing":
                what = self.tr("Billing {number}").format(number=run.id)
            elif run.kind == "payroll_export":
                # numbered, as its undo's row and the result lines call it
                what = self.tr("Hours sent {number}").format(number=run.id)
            lines = outcome_lines(run.outcomes)
            if run.failed:
                lines.insert(0, verb_count("failed", run.failed))
            changes = "\n".join(lines) or self.tr("No change")
            when = cell(when_text(run.started_at))
            when.setData(Qt.ItemDataRole.UserRole, run.id)
            self.table.setItem(row, 0, when)
            self.table.setItem(row, 1, cell(what))
            self.table.setItem(row, 2, cell(run_status_words(run.status, run.kind)))
            self.table.setItem(row, 3, cell(changes))

    def selected(self) -> RunRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        index = rows[0].row()
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def select_run(self, run_id: int) -> None:
        for row, run in enumerate(self._rows):
            if run.id == run_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        run = self.selected()
        self._show_invoices_of(run)
        self.undo_button.setEnabled(not self._busy and run is not None and run.undoable)

    # ---------------------------------------------------------------- undo
    def _confirm_undo(self) -> None:
        run = self.selected()
        if run is None or not run.undoable:
            return
        if run.kind == "invoicing":
            self._confirm_undo_billing(run)
            return
        if run.kind == "payroll_export":
            self._confirm_undo_payroll(run)
            return
        self._question = ask(
            self,
            self.tr("Undo import {number}?").format(number=run.id),
            self.tr("Undo import {number} of {when}?").format(
                number=run.id, when=when_text(run.started_at)
            ),
            self.tr("&Undo the import"),
            self.tr("&Keep it"),
            lambda: self.undo(run.id),
            informative=self.tr(
                "What that import created is archived in QuickBooks Time, what it changed is "
                "changed back, and what it archived is made active again. Time already "
                "tracked is kept."
            ),
        )

    def undo(self, run_id: int, cascade: bool = False) -> None:
        if self._busy or self.state.connection_id is None:
            return
        self.banner.clear()
        self._message = None
        # the kind as the history read it (the later imports of a cascade are imports too)
        kind = next((run.kind for run in self._rows if run.id == run_id), "import")
        self._set_busy(True, lambda: self._undoing_words(kind, run_id))
        self.tasks.start(
            cascade_undo_task if cascade else undo_task,
            self.state.ctx,
            self.state.connection_id,
            run_id,
            on_done=self._undone,
            on_error=self._failed,
            on_progress=lambda _e: None,
        )

    def _undoing_words(self, kind: str, number: int) -> str:
        """The busy line of an undo, naming what is undone as its row does."""
        if kind == "invoicing":
            return self.tr("Undoing billing {number}…").format(number=number)
        if kind == "payroll_export":
            return self.tr("Undoing sending {number}…").format(number=number)
        return self.tr("Undoing import {number}…").format(number=number)

    def _undone(self, value: tuple[list[Any], Any]) -> None:
        undo_runs, original = value
        self._set_busy(False)
        last = self.state.last_run
        if last is not None and last.id == original.id:
            self.state.last_run = original
        self._message = undo_message(undo_runs, original)
        self._show_message()
        self.changed.emit()
        self.reload()

    def _show_message(self) -> None:
        if self._message is None:
            return
        message = self._message
        key, number, kind = message.key, message.number, message.kind
        if key == "undone":
            done = {
                "payroll_export": self.tr("Hours sent {number} were taken back from Xero Payroll."),
                "invoicing": self.tr(
                    "Billing {number} was undone: its draft invoices are deleted."
                ),
            }.get(kind, self.tr("Import {number} was undone."))
            self.banner.show_message(
                done.format(number=number) + self._kept_words(message),
                "warning" if message.left_alone else "success",
            )
        elif kind in ("payroll_export", "invoicing"):
            partly = {
                "payroll_export": self.tr(
                    "Part of hours sent {number} could not be taken back from Xero: the history "
                    "lists what was left as it is."
                ),
                "invoicing": self.tr(
                    "Part of billing {number} could not be undone in Xero: the history lists what "
                    "was left as it is."
                ),
            }[kind]
            self.banner.show_message(partly.format(number=number), "warning")
        else:
            self.banner.show_message(
                self.tr(
                    'Part of import {number} could not be undone. Select it and click "Undo this '
                    'import" again to retry.'
                ).format(number=number)
                + self._kept_words(message),
                "warning",
            )

    def _kept_words(self, message: UndoMessage) -> str:
        """The lines of an import's undo that the Done page says too: what QuickBooks Time
        users changed or built on since, left as it is, and the decisions open again."""
        text = ""
        if message.left_alone:
            text += "\n" + self.tr(
                "Except what was changed or built on in QuickBooks Time after the import, "
                "left as it is:"
            )
            text += "".join(f"\n• {line}" for line in message.left_alone)
        if message.reopened:
            text += "\n" + self.tr(
                "{count} review decision(s) this import applied are open again: review "
                "them before the next import."
            ).format(count=message.reopened)
        return text

    # ---------------------------------------------------------------- words
    def changeEvent(self, event: Any) -> None:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("History"))
        self.intro.setText(
            self.tr(
                "Everything this app sent to QuickBooks Time or Xero, and every undo, newest "
                "first. Select a line to undo it: you are told what will change before anything "
                "does."
            )
        )
        self.table_label.setText(self.tr("&What was done:"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("What"), self.tr("Result"), self.tr("Changes")]
        )
        self.table.setAccessibleName(self.tr("What was done, and its undos"))
        self.close_button.setText(self.tr("Close"))
        self._word_busy()
        self._retranslate_invoices()
        self._fill()
        self._update_buttons()  # the Undo button names the run selected
        self._show_message()

    # ---------------------------------------------------------------- a billing's invoices
    def _build_invoices(self, layout: QVBoxLayout) -> None:
        """Below the runs: the invoices of the billing selected, with their status in Xero."""
        self.invoices_label = QLabel(self)
        self.invoices_label.setWordWrap(True)
        self.invoices = read_only_table(self, 5)
        header = self.invoices.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.invoices.setMaximumHeight(160)
        readable_columns(self.invoices)
        self.invoices_label.setBuddy(self.invoices)
        layout.addWidget(self.invoices_label)
        layout.addWidget(self.invoices)
        self._invoices_of: int | None = None  # the billing run shown
        self._invoice_rows: list[Any] = []
        self._invoices_failed = False
        self.invoices_label.hide()
        self.invoices.hide()

    def _show_invoices_of(self, run: RunRow | None) -> None:
        billing = run is not None and run.kind == "invoicing"
        if billing:
            self.undo_button.setText(self.tr("&Undo this billing"))
        elif run is not None and run.kind == "payroll_export":
            self.undo_button.setText(self.tr("&Undo this sending"))
        elif run is not None and run.kind == "import":
            self.undo_button.setText(self.tr("&Undo this import"))
        else:  # nothing selected, or an undo (not undone itself)
            self.undo_button.setText(self.tr("&Undo"))
        self.invoices_label.setVisible(billing)
        self.invoices.setVisible(billing)
        if run is None or not billing or run.id == self._invoices_of:
            return
        from ..billing import run_invoices

        self._invoices_of = run.id
        self._invoice_rows = []
        self._invoices_failed = False
        self._fill_invoices()
        run_id = run.id
        self.tasks.start(
            run_invoices,
            self.state.ctx,
            self.state.connection_id,
            run_id,
            on_done=lambda rows: self._invoices_read(run_id, rows),
            on_error=lambda _exc: self._invoices_read(run_id, None),
        )

    def _invoices_read(self, run_id: int, rows: list[Any] | None) -> None:
        if run_id != self._invoices_of:
            return  # another run was selected meanwhile
        self._invoices_failed = rows is None
        self._invoice_rows = list(rows or [])
        self._fill_invoices()

    def _fill_invoices(self) -> None:
        from ..billing import money, name_open_button, open_in_xero, status_words

        buttons: list[QPushButton] = []
        self.invoices.setRowCount(len(self._invoice_rows))
        for row, invoice in enumerate(self._invoice_rows):
            self.invoices.setItem(row, 0, cell(invoice.contact))
            self.invoices.setItem(row, 1, cell(invoice.number or "—"))
            self.invoices.setItem(row, 2, cell(money(invoice.total, invoice.currency)))
            self.invoices.setItem(row, 3, cell(status_words(invoice.status)))
            button = QPushButton(self.tr("Open in Xero"), self.invoices)
            name_open_button(button, invoice)
            button.setEnabled(bool(invoice.url))
            button.clicked.connect(lambda _c=False, url=invoice.url: open_in_xero(url))
            self.invoices.setCellWidget(row, 4, button)
            buttons.append(button)
        self._retranslate_invoices()
        # Tab: the runs, the billing's invoices and each one's "Open in Xero", then Undo
        chain = [self.table, self.invoices, *buttons, self.undo_button]
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

    def _retranslate_invoices(self) -> None:
        if self._invoices_failed:
            text = self.tr(
                "The invoices of billing {number} could not be read: Xero could not be reached."
            ).format(number=self._invoices_of)
        else:
            text = self.tr("Invoices of billing {number}, as Xero has them now:").format(
                number=self._invoices_of
            )
        self.invoices_label.setText(text)
        self.invoices.setHorizontalHeaderLabels(
            [self.tr("Customer"), self.tr("Number"), self.tr("Amount"), self.tr("Status"), ""]
        )
        self.invoices.setAccessibleName(self.tr("Invoices of the billing selected"))

    def _confirm_undo_billing(self, run: RunRow) -> None:
        self._question = ask(
            self,
            self.tr("Undo billing {number}?").format(number=run.id),
            self.tr("Delete the draft invoices of billing {number} in Xero?").format(number=run.id),
            self.tr("&Delete the drafts"),
            self.tr("&Keep them"),
            lambda: self.undo(run.id),
            informative=self.tr(
                "Drafts are deleted in Xero. An invoice approved or paid since is left as it "
                "is. The hours can be billed again later."
            ),
        )

    def _confirm_undo_payroll(self, run: RunRow) -> None:
        """Hours sent to Xero Payroll: the same words as the result page's Undo."""
        self._question = ask(
            self,
            self.tr("Undo sending {number}?").format(number=run.id),
            self.tr("Take the hours of sending {number} back out of Xero Payroll?").format(
                number=run.id
            ),
            self.tr("&Undo the sending"),
            self.tr("&Keep them"),
            lambda: self.undo(run.id),
            informative=self.tr(
                "The draft timesheets and leave this sending made are removed from Xero, and "
                "the drafts it changed are put back as they were. A timesheet already approved "
                "in Xero is left alone and listed. QuickBooks Time is not changed."
            ),
        )
