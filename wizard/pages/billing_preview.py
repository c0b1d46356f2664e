"""Bill time in Xero, page 2 — the hours left out (each with its reason) and every invoice with
its lines and amounts, before anything is sent.

The preview shown here is the one sent (``state.billing_preview``): "Send to Xero" is a commit
page's button. An empty preview makes this the last page ("Close").
"""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from ..billing import amount_words, hours_text, money
from ..roomy import at_least_rows, readable_columns, scrolled
from ..widgets import cell, fit_rows, heading, paragraph, read_only_table
from ..words import count_text
from .base import BasePage

# The columns of the invoices' tree.
CUSTOMER, HOURS, PRICE, SOURCE, AMOUNT = range(5)
#: a fill's slice: rows added until this long has passed (the window answers between two),
#: at least FILL_AT_LEAST of them (a preview of a few customers fills at once)
FILL_SLICE_S = 0.04
FILL_AT_LEAST = 50


def totals_by_currency_and_tax(
    invoices: list[Any], amount: str = "total"
) -> dict[tuple[str, str], Decimal]:
    """The sum per currency and tax mode (Xero's ``LineAmountTypes``: amounts before tax,
    tax included or no tax, never added together) of the invoices' ``amount``: "total" (each
    invoice's amount in Xero once sent, the lines kept in Xero included: the tree and the
    total), "lines_total" (what the lines billed here come to: the headline) or "change"
    (what this run adds)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        key = (invoice.currency, getattr(invoice, "line_amount_types", "Exclusive"))
        totals[key] += Decimal(str(getattr(invoice, amount)))
    return dict(totals)


def billed(invoices: list[Any]) -> list[Any]:
    """The invoices the send will create or update (the others are shown, greyed)."""
    return [i for i in invoices if i.action in ("create", "update")]


def reword_task(connection_id: int, preview: Any, language: str) -> Any:
    """The worker: the same preview with its lines worded in ``language``, remembered as the
    business's choice (nothing is read from or sent to Xero)."""
    from core.app.invoicing import reword_preview
    from core.store.models import Connection

    return reword_preview(Connection.get_by_id(connection_id), preview, language)


def billing_estimate(state: Any, preview: Any) -> Any:
    """The Xero calls billing ``preview`` needs, its time under Xero's limits and how far
    today's calls go (core.app.estimate.XeroRunEstimate); None when it writes nothing, or
    without the business."""
    from core.app.invoicing import InvoicePreview, estimate_billing

    if not isinstance(preview, InvoicePreview) or not preview.plan.to_write:
        return None
    conn = state.connection()
    return estimate_billing(state.ctx, conn, preview) if conn is not None else None


class BillingPreviewPage(BasePage):
    def build(self) -> None:
        self.setCommitPage(True)
        # in a scroll area: with a large font the invoices' tree and the hours left out keep
        # a few rows each (the page scrolls) instead of shrinking to nothing
        body = scrolled(self, self.body)
        self.headline = heading(parent=self)
        body.addWidget(self.headline)
        self.notice = paragraph(parent=self)
        body.addWidget(self.notice)
        # the Xero calls billing needs, how long, and how far today's calls go
        self.estimate_label = paragraph(parent=self)
        body.addWidget(self.estimate_label)
        self.estimate_label.setVisible(False)
        self._estimate: Any = None
        # the language of the lines' text: the business's choice, what its customers read
        from core.engine.invoice_wording import LANGUAGES

        row = QHBoxLayout()
        self.wording_label = QLabel(self)
        self.wording = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.wording.addItem(name, code)  # each language in its own name
        self.wording_label.setBuddy(self.wording)
        self.wording.activated.connect(self._wording_chosen)
        row.addWidget(self.wording_label)
        row.addWidget(self.wording)
        self.wording_note = QLabel(self)
        self.wording_note.setWordWrap(True)
        row.addWidget(self.wording_note, 1)
        body.addLayout(row)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setChildrenCollapsible(False)
        # hours left out, with their reason and what to do
        problems = QWidget(split)
        box = QVBoxLayout(problems)
        box.setContentsMargins(0, 0, 0, 0)
        self.problems_label = QLabel(problems)
        self.problems_label.setWordWrap(True)
        self.problems = read_only_table(problems, 2)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.problems.setColumnWidth(0, 200)
        self.problems_label.setBuddy(self.problems)
        at_least_rows(self.problems, 2)
        box.addWidget(self.problems_label)
        box.addWidget(self.problems, 1)
        self.problems_box = problems
        # the invoices, each with its lines
        invoices = QWidget(split)
        box = QVBoxLayout(invoices)
        box.setContentsMargins(0, 0, 0, 0)
        self.tree_label = QLabel(invoices)
        self.tree = QTreeWidget(invoices)
        self.tree.setColumnCount(5)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(CUSTOMER, QHeaderView.ResizeMode.Stretch)
        for column in (HOURS, PRICE, AMOUNT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # where a price comes from is read once: it gives its room to the customers' names
        # (elided, whole in its tooltip), the amount keeps its tax words
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(SOURCE, self.tree.fontMetrics().averageCharWidth() * 18)
        self.tree_label.setBuddy(self.tree)
        at_least_rows(self.tree, 4)
        readable_columns(self.tree, 16)
        box.addWidget(self.tree_label)
        box.addWidget(self.tree, 1)
        self.totals_label = QLabel(invoices)
        self.totals_label.setWordWrap(True)
        self.totals_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.addWidget(self.totals_label)
        split.addWidget(problems)
        split.addWidget(invoices)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        body.addWidget(split, 1)
        self.split = split
        self.setTabOrder(self.wording, self.problems)
        self.setTabOrder(self.problems, self.tree)
        self.preview: Any = None
        self._filling = 0  # which fill the slices to come belong to

    # ---------------------------------------------------------------- entering
    def initializePage(self) -> None:
        self.preview = self.state.billing_preview
        self._estimate = billing_estimate(self.state, self.preview)
        self._show_estimate()
        self._fill()
        self.setFinalPage(self.preview is None or self._is_empty())

    def _show_estimate(self) -> None:
        """The Xero calls billing needs, how long, and how far today's calls go (in the
        language chosen now)."""
        from core.app.estimate import describe_xero_run

        estimate = getattr(self, "_estimate", None)
        self.estimate_label.setText(describe_xero_run(estimate) if estimate is not None else "")
        self.estimate_label.setVisible(bool(self.estimate_label.text()))

    def _is_empty(self) -> bool:
        return self.preview is not None and not billed(list(self.preview.invoices))

    def ready(self) -> bool:
        return self.preview is not None

    def nextId(self) -> int:
        if self.preview is None or self._is_empty():
            return -1
        return super().nextId()

    # ---------------------------------------------------------------- showing
    def _wording_chosen(self, _index: int = 0) -> None:
        language = self.wording.currentData()
        preview = self.preview
        if preview is None or self.busy or language == getattr(preview, "language", None):
            return
        self.wording.setEnabled(False)
        self.run_task(
            reword_task,
            self.state.connection_id,
            preview,
            language,
            message=lambda: self.tr("Wording the invoice lines again…"),
            on_done=self._reworded,
            on_error=self._reword_failed,
        )

    def _reworded(self, preview: Any) -> None:
        self.state.billing_preview = preview
        self.preview = preview
        self.wording.setEnabled(True)
        self._fill()

    def _reword_failed(self, exc: Any) -> None:
        self.wording.setEnabled(True)
        self._show_wording()
        self.show_error(exc)

    def _show_wording(self) -> None:
        language = getattr(self.preview, "language", None)
        index = self.wording.findData(language) if language else -1
        if index >= 0:
            self.wording.setCurrentIndex(index)
        self.wording.setEnabled(self.preview is not None and index >= 0)

    def _fill(self) -> None:
        """The problems and the invoices, in slices from the event loop (thousands of
        customers never hold the window still): the first slice now, the rest after."""
        preview = self.preview
        self._show_wording()
        invoices = list(preview.invoices) if preview is not None else []
        problems = list(preview.problems) if preview is not None else []
        self._filling += 1  # a slice of an earlier fill left to come stops
        self.problems.setRowCount(len(problems))
        fit_rows(self.problems)  # (rows fitted to their text only if few: before any is laid out)
        self.problems_box.setVisible(bool(problems))
        self.tree.clear()
        self._retranslate_counts()
        self._fill_slice(self._filling, problems, invoices, 0, 0)

    def _fill_slice(
        self, filling: int, problems: list[Any], invoices: list[Any], row: int, done: int
    ) -> None:
        if filling != self._filling:
            return
        started = time.perf_counter()

        def more(n: int) -> bool:  # (at least a few a slice: a small preview fills at once)
            return n < FILL_AT_LEAST or time.perf_counter() - started < FILL_SLICE_S

        n = 0
        while row < len(problems) and more(n):
            who, reason = problems[row]
            self.problems.setItem(row, 0, cell(who))
            self.problems.setItem(row, 1, cell(reason))
            row, n = row + 1, n + 1
        tops = []
        while row == len(problems) and done < len(invoices) and more(n):
            tops.append(self._invoice_item(invoices[done]))
            done, n = done + 1, n + 1
        if tops:
            self.tree.addTopLevelItems(tops)
            for top in tops:
                top.setExpanded(True)
        if row < len(problems) or done < len(invoices):
            QTimer.singleShot(  # (never called once the page is gone)
                0, self, lambda: self._fill_slice(filling, problems, invoices, row, done)
            )

    def _invoice_item(self, invoice: Any) -> QTreeWidgetItem:
        top = QTreeWidgetItem()
        top.setText(CUSTOMER, f"{invoice.contact_name} — {self.invoice_words(invoice)}")
        top.setText(HOURS, hours_text(invoice.hours))
        top.setText(
            AMOUNT,
            amount_words(invoice.total, invoice.currency, invoice.line_amount_types),
        )
        top.setToolTip(CUSTOMER, top.text(CUSTOMER))
        top.setToolTip(AMOUNT, self.amount_tip(invoice))
        font = top.font(CUSTOMER)
        font.setBold(True)
        for column in range(5):
            top.setFont(column, font)
            if column != CUSTOMER:
                top.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        if invoice.action not in ("create", "update"):
            for column in range(5):
                top.setForeground(column, self.palette().placeholderText())
        updating = invoice.action == "update"
        for line in invoice.lines:
            child = QTreeWidgetItem(top)
            text = line.description
            if updating:  # what the update does to each line of our draft
                text = f"{self.line_change_words(line)} — {text}"
            child.setText(CUSTOMER, text)
            child.setToolTip(CUSTOMER, text)
            if line.unapproved:  # shown as such: italic, and said in the tooltip
                italic = child.font(CUSTOMER)
                italic.setItalic(True)
                for column in range(5):
                    child.setFont(column, italic)
                child.setToolTip(
                    CUSTOMER,
                    self.tr("Not approved yet in QuickBooks Time: {line}").format(
                        line=line.description
                    ),
                )
            child.setText(HOURS, hours_text(line.hours))
            child.setText(PRICE, money(line.unit_price, invoice.currency))
            child.setText(SOURCE, self.price_source_words(line.price_source))
            child.setToolTip(SOURCE, child.text(SOURCE))
            child.setText(AMOUNT, money(line.amount, invoice.currency))
            for column in (HOURS, PRICE, AMOUNT):
                child.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        if updating:
            self._add_xero_lines(top, invoice)
        return top

    def _add_xero_lines(self, top: QTreeWidgetItem, invoice: Any) -> None:
        """The draft's lines the update does not change (kept as they are in Xero, with
        why) and our lines it deletes, greyed under the invoice's own lines."""
        rows = [(k.line, self.kept_words(k.why), self.kept_reason(k.why)) for k in invoice.kept]
        rows += [
            (
                x,
                self.tr("removed"),
                self.tr("This line was made by this app and has no hours left on it."),
            )
            for x in invoice.removed
        ]
        grey = self.palette().placeholderText()
        for line, word, reason in rows:
            child = QTreeWidgetItem(top)
            text = f"{word} — {line.description}"
            child.setText(CUSTOMER, text)
            child.setToolTip(CUSTOMER, f"{text}\n{reason}")
            child.setText(HOURS, hours_text(line.quantity))
            child.setText(PRICE, money(line.unit_amount, invoice.currency))
            child.setText(SOURCE, self.tr("In Xero"))
            amount = line.amount or round(line.quantity * line.unit_amount, 2)
            child.setText(AMOUNT, money(amount, invoice.currency))
            for column in range(5):
                child.setForeground(column, grey)
                if column in (HOURS, PRICE, AMOUNT):
                    child.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)

    def _retranslate_counts(self) -> None:
        preview = self.preview
        invoices = list(preview.invoices) if preview is not None else []
        problems = list(preview.problems) if preview is not None else []
        sent = billed(invoices)
        lines = sum(len(i.lines) for i in sent)
        hours = sum((Decimal(str(i.hours)) for i in sent), Decimal(0))
        unapproved = sum(
            (Decimal(str(line.hours)) for i in sent for line in i.lines if line.unapproved),
            Decimal(0),
        )
        totals = totals_by_currency_and_tax(sent)
        lines_totals = totals_by_currency_and_tax(sent, "lines_total")
        added = totals_by_currency_and_tax(sent, "change")
        self.problems_label.setText(
            self.tr(
                "To look at ({count}). Each says why and what to do; hours left out can be "
                "billed later, once corrected."
            ).format(count=len(problems))
        )
        if preview is None:
            self.headline.setText(self.tr("No preview yet. Go back and choose the days to bill."))
            self.notice.setText("")
        elif not sent:
            self.headline.setText(self.tr("Nothing to bill in these days"))
            self.notice.setText(
                self.tr(
                    "Every billable hour of these days is already on an invoice, or is left out "
                    "for a reason shown below. Click Close, or go back to choose other days."
                )
                if problems or invoices
                else self.tr(
                    "No billable hours were tracked for customers linked to Xero in these days. "
                    "Go back to choose other days, or click Close."
                )
            )
        else:
            self.headline.setText(
                self.tr("{invoices}: {lines}, {hours} hours, {amount}.").format(
                    invoices=count_text(
                        len(sent),
                        self.tr("1 draft invoice"),
                        self.tr("{n} draft invoices"),
                    ),
                    lines=count_text(lines, self.tr("1 line"), self.tr("{n} lines")),
                    hours=hours_text(hours),
                    amount=" + ".join(
                        amount_words(v, c, t) for (c, t), v in sorted(lines_totals.items())
                    ),
                )
            )
            kept = sum(len(i.kept) for i in sent)
            if kept:
                self.headline.setText(
                    self.headline.text()
                    + " "
                    + count_text(
                        kept,
                        self.tr("1 line added or changed in Xero is kept as it is."),
                        self.tr("{n} lines added or changed in Xero are kept as they are."),
                    )
                    + " "
                    + self.tr("With them, the drafts will come to {amount} in Xero.").format(
                        amount=" + ".join(
                            amount_words(v, c, t) for (c, t), v in sorted(totals.items())
                        )
                    )
                )
            if unapproved:
                self.headline.setText(
                    self.headline.text()
                    + " "
                    + self.tr("Of these, {hours} hours are not approved yet (in italics).").format(
                        hours=hours_text(unapproved)
                    )
                )
            self.notice.setText(
                self.tr(
                    "Nothing is sent to Xero until you click Send to Xero. The invoices stay "
                    "drafts there. Xero works out the tax from each line's tax rate: it adds it "
                    "to amounts before tax; amounts with tax included already hold it."
                )
            )
        self.totals_label.setText(
            "  ".join(
                self.tr("Total: {amount}").format(amount=amount_words(v, c, t))
                if added.get((c, t), v) == v
                else self.tr("Total: {amount}, of which this billing adds {added}").format(
                    amount=amount_words(v, c, t), added=money(added[(c, t)], c)
                )
                for (c, t), v in sorted(totals.items())
            )
        )
        self.tree_label.setText(
            self.tr("&Invoices ({count}), each with its lines:").format(count=len(invoices))
        )

    # ---------------------------------------------------------------- words
    def action_words(self, action: str) -> str:
        words = {
            "create": self.tr("new draft"),
            "update": self.tr("our draft, hours added"),
            "unchanged": self.tr("already billed, nothing to add"),
            "skip": self.tr("not sent (see the hours left out)"),
        }
        return words.get(action, action)

    def invoice_words(self, invoice: Any) -> str:
        """What happens to the invoice; on an update of our draft, by how much its amount in
        Xero changes (the row's amount is the invoice's, the lines kept in Xero included)."""
        change = Decimal(str(getattr(invoice, "change", 0)))
        if invoice.action != "update" or not change:
            return self.action_words(invoice.action)
        if change > 0:
            return self.tr("our draft, {amount} added").format(
                amount=money(change, invoice.currency)
            )
        return self.tr("our draft, {amount} taken off").format(
            amount=money(-change, invoice.currency)
        )

    def amount_tip(self, invoice: Any) -> str:
        kind = invoice.line_amount_types
        if invoice.action != "update":
            if kind == "Inclusive":
                return self.tr(
                    "The invoice's amount, tax included: its prices include tax, which Xero "
                    "works out from each line's tax rate."
                )
            if kind == "NoTax":
                return self.tr("The invoice's amount: its lines bear no tax.")
            return self.tr(
                "The invoice's amount before tax: Xero adds the tax of each line's tax rate."
            )
        return self.tr(
            "The invoice's amount in Xero once sent: {amount}, the lines kept as they are in "
            "Xero included (it is {now} now)."
        ).format(
            amount=amount_words(invoice.total, invoice.currency, kind),
            now=money(invoice.total_now, invoice.currency),
        )

    def line_change_words(self, line: Any) -> str:
        before = getattr(line, "before", None)
        if line.change == "new":
            return self.tr("new line")
        if line.change == "updated" and before is not None and before.quantity != line.hours:
            return self.tr("updated (was {hours} hours)").format(hours=hours_text(before.quantity))
        if line.change == "updated":
            return self.tr("updated")
        return self.tr("unchanged")

    def kept_words(self, why: str) -> str:
        if why == "edited":
            return self.tr("kept as changed in Xero")
        return self.tr("kept, added in Xero")

    def kept_reason(self, why: str) -> str:
        if why == "edited":
            return self.tr(
                "This app made this line, then someone changed it in Xero: it is kept as they "
                "left it, never overwritten. New hours of the same kind go on a new line."
            )
        return self.tr("Someone added this line in Xero: it is sent back as it is.")

    def price_source_words(self, source: str) -> str:
        words = {
            "item": self.tr("Item price in Xero"),
            "job": self.tr("Job rate in QuickBooks Time"),
        }
        return words.get(source, source)

    def retranslate(self) -> None:
        self.wording_label.setText(self.tr("Invoice &wording:"))
        self.wording.setAccessibleName(self.tr("Language of the invoice lines"))
        self.wording_note.setText(
            self.tr(
                "The language your customers read on the lines, dates included. Remembered for "
                "this business. Drafts already in Xero keep theirs unless they are sent again."
            )
        )
        self.setTitle(self.tr("Preview the invoices"))
        self.setSubTitle(
            self.tr("Check each invoice, its lines and its amount before they are sent to Xero.")
        )
        self.problems.setHorizontalHeaderLabels([self.tr("Who"), self.tr("Why, and what to do")])
        self.problems.setAccessibleName(self.tr("To look at"))
        self.tree.setHeaderLabels(
            [
                self.tr("Customer, then each line"),
                self.tr("Hours"),
                self.tr("Unit price"),
                self.tr("Price from"),
                self.tr("Amount"),
            ]
        )
        self.tree.setAccessibleName(self.tr("Invoices and their lines"))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Send to Xero"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Close"))
        self._show_estimate()
        if getattr(self, "preview", None) is not None:
            self._fill()
        else:
            self._retranslate_counts()
