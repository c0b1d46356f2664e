"""The preview's counts grid is sized once per plan (issue 16: the move to the preview cost
35-46 ms of the window's thread). Sized at every layout pass, each pass asked every cell
for every role again: five passes for one plan."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from core.app.sync import load_options
from wizard.models.preview import CountsModel

from .test_review_preview import open_preview


def counting(monkeypatch) -> list[int]:
    calls = [0]
    data = CountsModel.data

    def counted(self, index, role=0):
        calls[0] += 1
        return data(self, index, role)

    monkeypatch.setattr(CountsModel, "data", counted)
    return calls


def test_the_counts_are_sized_once_per_plan(connected_env, host, qtbot, monkeypatch):
    _ctx, _box, _t, conn = connected_env
    options = load_options(conn).with_values(archive_unmatched=True)
    calls = counting(monkeypatch)  # before the view exists: Qt looks the override up once
    _state, wiz, page, _conn = open_preview(connected_env, host, qtbot, options)
    qtbot.wait(50)
    heights = [page.counts.rowHeight(r) for r in range(page.counts_model.rowCount())]
    table_height = page.counts.height()
    calls[0] = 0
    page.counts.resizeRowsToContents()
    one_pass = calls[0]
    assert one_pass > 0
    page.counts.viewport().repaint()  # what painting the grid asks
    paint = calls[0] - one_pass

    calls[0] = 0
    page.load()  # the same plan again, as entering the page does
    qtbot.waitUntil(lambda: not page.busy and page.loaded, timeout=10000)
    for _ in range(5):  # the layout passes and the paint that follow
        QApplication.processEvents()
        qtbot.wait(20)
    # one sizing pass and the paints (here 320 + 2 x 280 = 880 calls); before, four more
    # sizing passes followed at the layout passes (2,160 calls)
    assert calls[0] <= 2 * one_pass + 2 * paint, (calls[0], one_pass, paint)
    # and the grid looks the same: every row as tall as its contents, the table fits them
    assert [page.counts.rowHeight(r) for r in range(page.counts_model.rowCount())] == heights
    assert page.counts.height() == table_height
    assert wiz.currentPage() is page
