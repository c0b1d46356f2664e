""" "Link leave types": each Xero leave type → a QuickBooks Time time-off code (or none).

One row per Xero leave type with a combo of the time-off codes, preselected from the saved
links or a code with the same name (``core.engine.leave.leave_link_rows``). Each row says what
the export does with its time off, as ``core.engine.payroll`` does it: sent only for paid leave,
active in Xero, counted in hours, from a paid time-off code; otherwise why not ("Counted in
days in Xero: not sent"…). A time-off code is sent as one leave type only: the dialog refuses a
code chosen for two leave types (one of them paid), naming them, until one is changed. The dialog writes nothing:
``choices()`` goes to ``core.engine.leave.save_leave_links`` in a worker, run by the options page.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.engine.leave import LeaveRow, TimeOffCode

#: combo data meaning "not linked" (no QuickBooks Time jobcode has id 0)
NOT_LINKED = 0


class LeaveLinksDialog(QDialog):
    def __init__(
        self, rows: Sequence[LeaveRow], codes: Sequence[TimeOffCode], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rows = list(rows)
        self.codes = list(codes)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.no_codes = QLabel(self)
        self.no_codes.setWordWrap(True)
        self.no_codes.setStyleSheet("color:#663c00;")
        self.no_codes.setVisible(not any(c.active for c in self.codes) and bool(self.rows))
        self.no_rows = QLabel(self)
        self.no_rows.setWordWrap(True)
        self.no_rows.setVisible(not self.rows)
        #: a code chosen for more than one leave type (Save is refused while it says so)
        self.clash = QLabel(self)
        self.clash.setWordWrap(True)
        self.clash.setTextFormat(Qt.TextFormat.PlainText)
        self.clash.setStyleSheet("color:#a40000;")
        self.clash.setVisible(False)

        grid_host = QWidget(self)
        grid = QGridLayout(grid_host)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        grid.setHorizontalSpacing(12)
        self.head_leave = self._header(grid_host)
        self.head_code = self._header(grid_host)
        self.head_export = self._header(grid_host)
        grid.addWidget(self.head_leave, 0, 0)
        grid.addWidget(self.head_code, 0, 1)
        grid.addWidget(self.head_export, 0, 2)
        self.names: list[QLabel] = []
        self.combos: list[QComboBox] = []
        self.exports: list[QLabel] = []
        for i in range(1, len(self.rows) + 1):
            name = QLabel(grid_host)
            name.setWordWrap(True)
            name.setTextFormat(Qt.TextFormat.PlainText)
            combo = QComboBox(grid_host)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            name.setBuddy(combo)
            export = QLabel(grid_host)
            export.setWordWrap(True)
            grid.addWidget(name, i, 0)
            grid.addWidget(combo, i, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(export, i, 2)
            self.names.append(name)
            self.combos.append(combo)
            self.exports.append(export)
        grid.setRowStretch(len(self.rows) + 1, 1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(grid_host)
        self.scroll_area = scroll

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(bool(self.rows))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.no_rows)
        layout.addWidget(self.no_codes)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.clash)
        layout.addWidget(self.buttons)

        chain = [*self.combos, self.ok_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)
        if self.combos:
            self.combos[0].setFocus()
        self.resize(680, 460)
        self.setSizeGripEnabled(True)
        self.retranslate()
        for combo in self.combos:
            combo.currentIndexChanged.connect(self._show_choices)

    @staticmethod
    def _header(parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setWordWrap(True)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    # -- result
    def choices(self) -> dict[str, int | None]:
        """``{xero leave type id: time-off code id, or None for "not linked"}``. The dialog
        is accepted only when no code is chosen for two leave types (:meth:`clashes`)."""
        out: dict[str, int | None] = {}
        for row, combo in zip(self.rows, self.combos, strict=True):
            value = combo.currentData()
            out[row.leave_type_id] = None if not value else int(value)
        return out

    def clashes(self) -> list[tuple[str, list[str]]]:
        """(code name, the names of its leave types) of each time-off code chosen for more
        than one leave type, one of them paid: its time off can be sent as one leave type
        only. (Unpaid leave types may share a code: their time off is never sent.)"""
        chosen: dict[int, list[LeaveRow]] = {}
        for row, combo in zip(self.rows, self.combos, strict=True):
            value = combo.currentData()
            if value:
                chosen.setdefault(int(value), []).append(row)
        names = {c.id: c.name for c in self.codes}
        return [
            (names.get(code, f"#{code}"), [r.name for r in rows])
            for code, rows in chosen.items()
            if len(rows) > 1 and any(r.is_paid for r in rows)
        ]

    def accept(self) -> None:
        if self.clashes():  # (Save is off then; Enter or a direct call is refused too)
            self._show_choices()
            return
        super().accept()

    # -- texts
    def _fill(self, combo: QComboBox, row: LeaveRow) -> None:
        current = combo.currentData() if combo.count() else row.qbt_jobcode_id
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("— not linked —"), NOT_LINKED)
        for code in self.codes:
            if not code.active and code.id != current:
                continue  # an archived code is offered only when it is the saved choice
            text = (
                code.name
                if code.active
                else self.tr("%1 (archived in QuickBooks Time)").replace("%1", code.name)
            )
            combo.addItem(text, code.id)
            combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        found = combo.findData(current if current else NOT_LINKED)
        combo.setCurrentIndex(max(0, found))
        combo.blockSignals(False)

    def _export_words(self, row: LeaveRow, code_id: int | None) -> tuple[str, bool]:
        """What sending hours does with time off on ``code_id`` linked to ``row``'s leave type
        (the export's rules, core.engine.payroll), and whether it is sent."""
        code = next((c for c in self.codes if c.id == code_id), None)
        units = row.units.strip().casefold()
        if not row.is_paid:
            return self.tr("Unpaid: never sent to Xero"), False
        if not row.active:
            return self.tr("No longer active in Xero: not sent"), False
        if units in ("days", "day"):
            return self.tr("Counted in days in Xero: not sent"), False
        if units in ("weeks", "week"):
            return self.tr("Counted in weeks in Xero: not sent"), False
        if units not in ("", "hours", "hour"):
            return self.tr("Not counted in hours in Xero: not sent"), False
        if code is not None and code.type == "unpaid_time_off":
            return self.tr("Unpaid time-off code: not sent"), False
        return self.tr("Paid: sent to Xero Payroll"), True

    def _show_choices(self) -> None:
        """Each row's "When you send hours" for its chosen code, and the codes chosen twice."""
        for row, combo, export in zip(self.rows, self.combos, self.exports, strict=True):
            value = combo.currentData()
            words, sent = self._export_words(row, int(value) if value else None)
            export.setText(words)
            export.setStyleSheet("" if sent else "color:#663c00;")
            combo.setAccessibleDescription(words)
        lines = [
            self.tr(
                "The time-off code %1 is chosen for more than one leave type: %2. Its time off "
                "can be sent as one leave type only: choose it for one of them."
            )
            .replace("%1", self._quoted(code))
            .replace("%2", ", ".join(self._quoted(name) for name in names))
            for code, names in self.clashes()
        ]
        self.clash.setText("\n".join(lines))
        self.clash.setVisible(bool(lines))
        self.ok_button.setEnabled(bool(self.rows) and not lines)

    def _quoted(self, name: str) -> str:
        return self.tr('"%1"').replace("%1", name)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Link leave types"))
        self.intro.setText(
            self.tr(
                "Choose the QuickBooks Time time-off code for each Xero leave type. Time off "
                "recorded on a linked code is sent to Xero Payroll as that leave when you send "
                "hours. Codes with the same name are chosen for you: check them. Unpaid leave "
                "is never sent to Xero."
            )
        )
        self.no_codes.setText(
            self.tr(
                "QuickBooks Time has no time-off codes yet. Add them in QuickBooks Time first, "
                "then come back here."
            )
        )
        self.no_rows.setText(
            self.tr(
                "No leave types were read from Xero for this organisation: there is nothing to link."
            )
        )
        self.head_leave.setText(self.tr("Xero leave type"))
        self.head_code.setText(self.tr("QuickBooks Time time-off code"))
        self.head_export.setText(self.tr("When you send hours"))
        for row, name, combo in zip(self.rows, self.names, self.combos, strict=True):
            name.setText(
                row.name
                if row.active
                else self.tr("%1 (no longer used in Xero)").replace("%1", row.name)
            )
            self._fill(combo, row)
            combo.setAccessibleName(self.tr("Time-off code for %1").replace("%1", row.name))
            if row.source == "same_name":
                combo.setToolTip(self.tr("Chosen for you: same name. Check it."))
        self._show_choices()
        self.ok_button.setText(self.tr("&Save links"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
