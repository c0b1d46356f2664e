"""History: undo of a billing run a later billing run wrote over asks once, in the words of
billing runs, then undoes the later one first (the same rule as the headless ``undo``)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.app.cli import Output, cmd_connect_xero
from core.app.invoicing import turn_invoicing_on
from core.app.sync import sync
from core.store.models import ImportRun
from tests.e2e.test_undo_later_runs_first import bill_three_times, invoices
from tests.gui.test_run_done_home import WAIT, _answer, _home, _state
from wizard.dialogs.history import HistoryDialog


def test_history_asks_to_undo_the_later_billing_first_then_cascades(connected_env, host, qtbot):
    ctx, _box, _tenants, conn = connected_env
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, Output(as_json=True, stream=open("/dev/null", "w")), None, None)
    _range, _draft, (r1, r2, r3), after_r1, _after_r2 = bill_three_times(ctx, conn)
    state = _state(ctx, conn, plan=False)
    wiz = _home(host, state)
    dialog = HistoryDialog(state, wiz.tasks, wiz)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.rowCount() == 4, timeout=WAIT)
    dialog.select_run(r2)
    dialog.undo(r2)
    qtbot.waitUntil(
        lambda: not dialog.busy and dialog._question is not None and dialog._question.isVisible(),
        timeout=WAIT,
    )
    question = dialog._question
    assert question.windowTitle() == "Undo the later billings first?"
    assert f"Billing run {r2} cannot be undone on its own" in question.text()
    assert question.informativeText() == f"Billings {r3}, {r2} will be undone in this order."
    assert dialog.banner.label.text() == question.text()
    assert ImportRun.get_by_id(r2).status == "done"
    _answer(question, qtbot, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.rowCount() == 6, timeout=WAIT)
    assert ImportRun.get_by_id(r3).status == "undone"
    assert ImportRun.get_by_id(r2).status == "undone"
    assert ImportRun.get_by_id(r1).status == "done"
    assert invoices(ctx, conn) == after_r1
