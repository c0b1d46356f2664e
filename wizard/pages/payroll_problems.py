"""Send hours to Xero, page 2 — what cannot be sent, each with its plain reason and what to do.

Shown only when the preview found problems (``WizardState.next_page``). Nothing here stops
the others' hours: the people listed are left out of this sending, and sending again once
the problem is fixed sends theirs (never twice).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHeaderView, QLabel, QWizard

from ..widgets import cell, fit_rows, paragraph, read_only_table
from .base import BasePage
from .payroll_period import period_text
from .payroll_preview import preview_period, sentence


def problem_rows(preview: Any) -> list[tuple[str, str]]:
    """(who, reason) per problem of the preview."""
    return [
        (str(getattr(p, "who", "") or "—"), sentence(getattr(p, "reason", "")))
        for p in (getattr(preview, "problems", None) or [])
    ]


class PayrollProblemsPage(BasePage):
    def build(self) -> None:
        self.intro = paragraph(parent=self)
        self.body.addWidget(self.intro)
        self.table_label = QLabel(self)
        self.table = read_only_table(self, 2)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 200)
        self.table_label.setBuddy(self.table)
        self.body.addWidget(self.table_label)
        self.body.addWidget(self.table, 1)
        self.after = paragraph(parent=self)
        self.body.addWidget(self.after)
        self._rows: list[tuple[str, str]] = []

    def initializePage(self) -> None:
        self._rows = problem_rows(self.state.payroll_preview)
        self.table.setRowCount(len(self._rows))
        for row, (who, reason) in enumerate(self._rows):
            self.table.setItem(row, 0, cell(who))
            self.table.setItem(row, 1, cell(reason))
        fit_rows(self.table)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Send hours to Xero: what cannot be sent"))
        preview = self.state.payroll_preview
        period = preview_period(preview)
        if period is not None:
            self.setSubTitle(self.tr("Pay period {period}.").format(period=period_text(*period)))
        n = len(self._rows)
        self.intro.setText(
            self.tr("1 problem was found. It is left out of this sending:")
            if n == 1
            else self.tr("{n} problems were found. They are left out of this sending:").format(n=n)
        )
        self.table_label.setText(self.tr("&Problems, and what to do:"))
        self.table.setHorizontalHeaderLabels([self.tr("Who"), self.tr("Why, and what to do")])
        self.table.setAccessibleName(self.tr("Problems, and what to do"))
        self.after.setText(
            self.tr(
                "The other hours can still be sent. Once a problem is fixed, send hours for "
                "the same period again: only what was not sent yet goes to Xero."
            )
        )
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next: the preview"))
