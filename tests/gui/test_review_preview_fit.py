"""The review and preview pages are readable at every size from the window's minimum
(760×560) up, in English and in French:

- the preview: nothing drawn over anything else ("The import makes 9 calls…" was drawn over
  the summary's Total row at 760×560); the page scrolls when the window is too short;
- the review: every column title whole (French "QuickBooks Time" and "Similitude" ran into
  each other; "In QuickBooks Time now" read "h QuickBooks Time nov"), the comparison's names
  whole ("Village" was cut at the bottom) and an e-mail wrapped, not cut.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from core.app.sync import load_options
from wizard.i18n import install_language
from wizard.models.conflicts import XERO
from wizard.pages.review import COLUMN_SHARES
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

SIZES = [(880, 640), (800, 600), (760, 560)]
WAIT = 20000


@pytest.fixture
def wizard_at(connected_env, qtbot):
    """``wizard_at(page_id, language)``: the whole window, opened on that page, loaded."""
    made = []

    def make(page_id: PageId, language: str):
        ctx, _box, _t, conn = connected_env
        install_language(language)
        state = WizardState(ctx, language=language, country="AU", connection_id=conn.id)
        # archives too: the preview's banner is as tall as it gets
        state.options = load_options(conn).with_values(archive_unmatched=True)
        wiz = BridgeWizard(state, already_set_up=True)
        qtbot.addWidget(wiz)
        made.append(wiz)
        wiz.show()
        wiz.setStartId(int(page_id))
        wiz.restart()
        page = wiz.currentPage()
        qtbot.waitUntil(lambda: not page.busy and page.loaded, timeout=WAIT)
        return wiz, page

    yield make
    # back to English while the database is open: the pages retranslate (and read it)
    install_language("en")
    QApplication.processEvents()
    for wiz in made:
        wiz.tasks.wait(WAIT)
    QApplication.processEvents()


def settle(qtbot, wiz, size) -> None:
    wiz.resize(*size)
    for _ in range(5):  # the layout passes and the timers they start
        QApplication.processEvents()
        qtbot.wait(10)
    assert (wiz.width(), wiz.height()) == size


def shown_rect(widget: QWidget, page: QWidget) -> QRect:
    """Where ``widget`` is drawn on ``page``: its rectangle clipped by its parents."""
    rect = widget.visibleRegion().boundingRect()
    return rect.translated(widget.mapTo(page, QPoint(0, 0)))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_nothing_overlaps_on_the_preview(wizard_at, qtbot, language):
    wiz, page = wizard_at(PageId.PREVIEW, language)
    assert page.estimate_label.text() and page.banner.isVisible()
    parts = {
        "summary": page.counts_label,
        "counts": page.counts,
        "estimate": page.estimate_label,
        "filter": page.filter_combo,
        "search": page.search,
        "changes": page.table,
        "banner": page.banner,
        "notice": page.notice,
    }
    for size in SIZES:
        settle(qtbot, wiz, size)
        shown = {name: shown_rect(w, page) for name, w in parts.items()}
        names = list(shown)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                common = shown[first].intersected(shown[second])
                assert common.isEmpty(), (size, first, second, shown[first], shown[second])
        # every part keeps its own height (scrolled into view if need be)
        rows = sum(page.counts.rowHeight(r) for r in range(page.counts_model.rowCount()))
        assert page.counts.height() >= rows + page.counts.horizontalHeader().height()
        assert page.table.height() >= page.table.minimumHeight()
        assert page.estimate_label.height() >= page.estimate_label.heightForWidth(
            page.estimate_label.width()
        )


def title_fits(header, column: int) -> bool:
    """The column's title, wrapped at its width, fits in its section: every word as wide as
    the section at most, the lines as tall as the header at most."""
    model = header.model()
    text = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    font = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole)
    metrics = QFontMetrics(font if isinstance(font, QFont) else header.font())
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    width = header.sectionSize(column) - 2 * margin
    flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
    rect = metrics.boundingRect(QRect(0, 0, width, 10000), flags, text)
    words = max(metrics.horizontalAdvance(word) for word in text.split())
    return words <= width and rect.height() + 2 * margin <= header.height()


def select(page, qtbot, name: str) -> None:
    row = next(r for r in range(page.proxy.rowCount()) if page.cell(r, XERO).startswith(name))
    page.table.selectRow(row)
    qtbot.waitUntil(
        lambda: (
            page.current_row().conflict.xero_name.startswith(name) and page.compare.rowCount() > 2
        ),
        timeout=WAIT,
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_review_titles_names_and_emails_are_whole(wizard_at, qtbot, language):
    wiz, page = wizard_at(PageId.REVIEW, language)
    for name in ("Bella Vista", "The Trustee for the Hendricks"):  # an e-mail; a long name
        select(page, qtbot, name)
        for size in SIZES:
            settle(qtbot, wiz, size)
            check_review(page, size)


def check_review(page, size) -> None:
    # the list: each title at least as wide as its text (and the sort arrow)
    header = page.table.horizontalHeader()
    for column in COLUMN_SHARES:
        hint = header.sectionSizeHint(column)
        assert header.sectionSize(column) >= hint, (size, column, header.sectionSize(column))
    # the comparison: its titles wrap and the header is as tall as they need
    compare_header = page.compare.horizontalHeader()
    for column in range(page.compare.columnCount()):
        assert title_fits(compare_header, column), (size, column)
    # the names (labels over the items, the differences marked): the row holds them, the
    # last line's descenders clear of the grid ("Village" was cut at the bottom)
    for column in (0, 1):
        label = page.name_cell(column)
        assert label is not None
        assert label.height() >= label.heightForWidth(label.width()), (size, column)
        image = label.grab().toImage()
        bottom = [image.pixelColor(x, image.height() - 1).lightness() for x in range(image.width())]
        assert min(bottom) > 128, (size, column, "text on the cell's bottom edge")
    # an e-mail wraps: no piece of it is wider than its column
    for row in range(page.compare.rowCount()):
        item = page.compare.item(row, 0)
        if item is None or "@" not in item.text():
            continue
        metrics = QFontMetrics(item.font())
        room = page.compare.columnWidth(0) - 8  # the cell's margins
        pieces = item.text().replace("\u200b", " ").split()
        assert max(metrics.horizontalAdvance(p) for p in pieces) <= room, (size, pieces)
        assert page.compare.rowHeight(row) >= page.compare.sizeHintForRow(row)


def test_the_control_tab_reaches_is_scrolled_into_view(wizard_at, qtbot):
    """At 760×560 the preview scrolls: Shift+Tab from "Start import" to the list of changes
    brings the whole list into view (the page scrolled to its top showed only its head)."""
    wiz, page = wizard_at(PageId.PREVIEW, "en")
    settle(qtbot, wiz, (760, 560))
    bar = page.main_area.verticalScrollBar()
    assert bar.maximum() > 0  # the window is too short: the page scrolls
    bar.setValue(0)
    assert shown_rect(page.table, page).height() < page.table.height()
    start = wiz.button(wiz.WizardButton.CommitButton)
    start.setFocus()
    qtbot.keyClick(start, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert page.table.hasFocus()
    assert shown_rect(page.table, page).height() == page.table.height()
