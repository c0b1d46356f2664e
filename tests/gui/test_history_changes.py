"""The history's "Changes" of an undo of hours sent (or of billing) say what was taken back,
readable whole in French at 800×600: one kind a line, the row as tall as its lines."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from core.store.models import ImportRun
from wizard.dialogs.history import HistoryDialog
from wizard.i18n import install_language
from wizard.state import WizardState
from wizard.workers import TaskRunner


def _runs(conn) -> tuple[ImportRun, ImportRun, ImportRun]:
    sent = ImportRun.create(
        connection=conn,
        kind="payroll_export",
        status="undone",
        counts={"outcomes": {"created": {"timesheets": 12, "leave": 2}}},
    )
    undo = ImportRun.create(
        connection=conn,
        kind="undo",
        status="done",
        undoes_run=sent,
        counts={"outcomes": {"reverted": {"timesheets": 12, "leave": 2}}},
    )
    billed = ImportRun.create(
        connection=conn, kind="invoicing", status="undone", counts={"outcomes": {}}
    )
    unbilled = ImportRun.create(
        connection=conn,
        kind="undo",
        status="done",
        undoes_run=billed,
        counts={"outcomes": {"deleted": {"invoices": 3}}},
    )
    return sent, undo, unbilled


def _shows_whole(table, row: int, column: int) -> bool:
    """Does the cell's text fit, wrapped, in its cell (nothing cut off)?"""
    text = table.item(row, column).text()
    width = table.columnWidth(column) - 8  # the item's margins
    bound = QFontMetrics(table.font()).boundingRect(
        QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text
    )
    return bound.height() <= table.rowHeight(row) and bound.width() <= width


def test_an_undo_of_hours_sent_says_what_was_taken_back_in_french(connected_env, qtbot):
    ctx, _box, _tenants, conn = connected_env
    _sent, undo, unbilled = _runs(conn)
    install_language("fr")
    try:
        state = WizardState(ctx, country="AU", connection_id=conn.id)
        dialog = HistoryDialog(state, TaskRunner())
        qtbot.addWidget(dialog)
        dialog.resize(780, 440)  # in a window of 800×600
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy and len(dialog._rows) == 4, timeout=10000)
        table = dialog.table
        rows = {table.item(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(4)}
        row = rows[undo.id]
        assert str(_sent.id) in table.item(row, 1).text()
        changes = table.item(row, 3).text()
        assert changes.split("\n") == [
            "Congés\u00a0: 2 retirés",
            "Feuilles de temps brouillons dans Xero Payroll\u00a0: 12 retirées",
        ]
        for line in changes.split("\n"):
            assert not line.rstrip().endswith(":"), line  # never a kind with nothing after it
        assert table.item(row, 3).toolTip() == changes
        qtbot.waitUntil(lambda: _shows_whole(table, row, 3), timeout=2000)
        billing = table.item(rows[unbilled.id], 3).text()
        assert billing == "Factures brouillons dans Xero\u00a0: 3 supprimées"
        assert _shows_whole(table, rows[unbilled.id], 3)
    finally:
        install_language("en")


def test_the_same_in_english(connected_env, qtbot):
    ctx, _box, _tenants, conn = connected_env
    _sent, undo, unbilled = _runs(conn)
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    dialog = HistoryDialog(state, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and len(dialog._rows) == 4, timeout=10000)
    table = dialog.table
    rows = {table.item(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(4)}
    assert table.item(rows[undo.id], 3).text().split("\n") == [
        "Time off: 2 taken back",
        "Draft timesheets in Xero Payroll: 12 taken back",
    ]
    assert table.item(rows[unbilled.id], 3).text() == "Draft invoices in Xero: 3 deleted"
