"""The send-hours preview's column titles are read whole, never cut off: at the window's
default size and at 800x600, in English and in French, on the Demo Company's AU preview
(wizard/pages/payroll_preview.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle

from wizard.i18n import install_language
from wizard.state import PageId
from wizard.wizard import BridgeWizard

from .test_payroll_pages import WAIT, _click_next, _imported, _page, _window

SIZES = ((BridgeWizard.DEFAULT_SIZE.width(), BridgeWizard.DEFAULT_SIZE.height()), (800, 600))

TIPS = {
    "en": "Approved hours of work per day, then each time off and what happens to it in Xero",
    "fr": "Heures de travail approuvées par jour, puis chaque congé et ce qu’il devient dans Xero",
}


def _cut_titles(table) -> list[tuple[str, int, int]]:
    """(title, width it needs, room it has) of every column title wider than its section."""
    header = table.horizontalHeader()
    metrics = QFontMetrics(header.font())
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    cut = []
    for column in range(table.columnCount()):
        title = table.horizontalHeaderItem(column).text()
        need = max(metrics.horizontalAdvance(line) for line in title.splitlines())
        room = header.sectionSize(column) - 2 * margin
        if need > room:
            cut.append((title, need, room))
    return cut


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_column_title_is_read_whole(connected_env, qtbot, language):
    ctx, _box, _t, conn = connected_env
    _imported(ctx, conn)
    assert install_language(language)
    try:
        wiz, home = _window(ctx, conn, qtbot)
        qtbot.waitUntil(lambda: home.payroll_box.isVisible() and not home.busy, timeout=WAIT)
        qtbot.mouseClick(home.send_hours_button, Qt.MouseButton.LeftButton)
        _page(wiz, qtbot, PageId.PAYROLL_PERIOD)
        _click_next(wiz, qtbot)
        qtbot.waitUntil(lambda: wiz.currentId() != int(PageId.PAYROLL_PERIOD), timeout=WAIT)
        if wiz.currentId() == int(PageId.PAYROLL_PROBLEMS):
            _click_next(wiz, qtbot)
        page = _page(wiz, qtbot, PageId.PAYROLL_PREVIEW)
        assert page.table.rowCount() > 1  # people, and the total row
        for size in SIZES:
            wiz.resize(*size)
            qtbot.waitUntil(lambda size=size: (wiz.width(), wiz.height()) == size, timeout=WAIT)
            qtbot.wait(50)  # laid out
            assert page.table.isVisible()
            assert _cut_titles(page.table) == [], (language, size)
        # what the short title leaves out is said when the pointer rests on it
        tip = page.table.model().headerData(
            1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
        )
        assert tip == TIPS[language]
    finally:
        install_language("en")
