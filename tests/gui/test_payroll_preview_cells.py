"""The send-hours preview's cells are read whole, never cut off (the total row, long reasons
in French), at the window's default size, at 800x600 and at its minimum size; and a person
whose timesheet is not sent never reads "nothing left out" ("—"): what is not sent says so.
On the Demo Company's AU preview (wizard/pages/payroll_preview.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle

from wizard.i18n import install_language
from wizard.pages.payroll_preview import action_text, person_line
from wizard.state import PageId
from wizard.wizard import BridgeWizard

from .test_payroll_pages import WAIT, _click_next, _imported, _page, _window

SIZES = (
    (BridgeWizard.DEFAULT_SIZE.width(), BridgeWizard.DEFAULT_SIZE.height()),
    (800, 600),
    (760, 560),  # the minimum size (BridgeWizard)
)


def _cut_cells(table) -> list[tuple[int, int, str, int, int]]:
    """(row, column, text, height it needs, height it has) of every cell whose wrapped text
    is taller than its row."""
    style = table.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    cut = []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is None or not item.text():
                continue
            width = table.columnWidth(column) - 2 * margin
            metrics = QFontMetrics(item.font())
            need = metrics.boundingRect(
                QRect(0, 0, width, 100000), int(Qt.TextFlag.TextWordWrap), item.text()
            ).height()
            has = table.rowHeight(row)
            if need > has:
                cut.append((row, column, item.text(), need, has))
    return cut


def _preview(ctx, conn, qtbot):
    wiz, home = _window(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
    qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
    _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
    _click_next(wiz, qtbot)
    qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD), timeout=WAIT)
    if wiz.currentId() == int(PageId.PAYROLL_PROBLEMS):
        _click_next(wiz, qtbot)
    return wiz, _page(wiz, qtbot, PageId.PAYROLL_PREVIEW)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_cell_is_read_whole(connected_env, qtbot, language):
    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    assert install_language(language)
    try:
        wiz, page = _preview(ctx, conn, qtbot)
        assert page.table.rowCount() > 1  # people, and the total row
        for size in SIZES:
            wiz.resize(*size)
            qtbot.waitUntil(lambda size=size: (wiz.width(), wiz.height()) == size, timeout=WAIT)
            qtbot.wait(50)  # laid out
            assert _cut_cells(page.table) == [], (language, size)
    finally:
        install_language("en")


def test_a_timesheet_not_sent_says_what_is_left_out(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    _wiz, page = _preview(ctx, conn, qtbot)
    table = page.table
    not_sent = action_text("skip")
    rows = {
        table.item(r, 0).text(): (table.item(r, 3).text(), table.item(r, 4).text())
        for r in range(table.rowCount() - 1)
    }
    skipped = {name: left for name, (in_xero, left) in rows.items() if in_xero == not_sent}
    assert skipped, rows
    assert all(left and left != "—" for left in skipped.values()), skipped
    # people with approved hours of work, none of them sent: their hours are said first
    for name in ("Dave Kowalski", "Oliver Hughes", "Jack Wilson"):
        first = skipped[name].splitlines()[0]
        assert first.endswith(" h of work — not sent: see the problems"), (name, first)
    # Jack Wilson's time off on a code not linked stays said, after his hours of work
    assert "not linked to a Xero leave type" in skipped["Jack Wilson"].splitlines()[1]


def test_time_off_held_back_with_a_timesheet_is_said():
    """Paid time off is not sent when the timesheet is not (the plan's problem): said too."""
    from core.engine.payroll import LEAVE_PROBLEM, NO_CALENDAR, LeaveBlock, PersonPlan, Problem

    person = PersonPlan("Ann Lee", 7, days={"2026-12-01": 7.5})
    person.leave = [LeaveBlock("lt", "Annual Leave", {"2026-12-02": 7.6}, [], "skip")]
    person.problems = [
        Problem("Ann Lee", NO_CALENDAR),
        Problem("Ann Lee", LEAVE_PROBLEM, {"hours": 7.6}),
    ]
    line = person_line(person)
    assert line.left_out == [
        "7.50 h of work — not sent: see the problems",
        "7.60 h of time off — not sent: see the problems",
    ]
    assert line.hours == 0.0
    # a timesheet not sent with nothing else to say still says it is not sent
    alone = PersonPlan("Bo Ng", 8)
    assert person_line(alone).left_out == ["Not sent: see the problems"]
