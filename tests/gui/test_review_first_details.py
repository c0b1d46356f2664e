"""The review page shows its list in one turn of the window's event loop and the first
record's details (they read the database) at the next (issue 16, UI gaps at 10k): the page
stays busy, Next disabled, until they are shown."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from core.engine import review
from tests.gui.test_review_preview import open_review


def test_list_first_details_at_the_next_turn(connected_env, host, qtbot, monkeypatch):
    _state, _wiz, page, _conn = open_review(connected_env, host, qtbot)
    data = page.data
    assert data is not None and data.conflicts
    first = page.problem_label.text()
    assert first  # the first record's details, shown at load
    reads: list[object] = []
    real = review.link_targets

    passes: list[int] = []  # turns of the event loop (a timer fired at each)

    def counted(*args, **kwargs):
        reads.append(len(passes))
        return real(*args, **kwargs)

    monkeypatch.setattr(review, "link_targets", counted)
    page.model.set_rows([])  # as before the first load: the answer's list resets the model
    page.problem_label.clear()
    reads.clear()

    beat = QTimer()
    beat.setInterval(0)
    beat.timeout.connect(lambda: passes.append(1))
    beat.start()
    page._loaded(data)  # the review's answer arrives
    # this turn: the list, not the details
    assert page.proxy.rowCount() == len(data.rows)
    assert reads == [] and page.problem_label.text() == ""
    assert page.busy and not page.isComplete()
    # the next turn: the first record's details, then Next
    qtbot.waitUntil(lambda: not page.busy, timeout=5000)
    beat.stop()
    assert len(reads) == 1 and page.problem_label.text() == first
    assert reads[0] >= 1  # a turn of the event loop came between (not a 0 ms posted call)
    assert page.table.currentIndex().row() == 0
    assert page.isComplete()


def test_a_new_load_drops_the_pending_details(connected_env, host, qtbot):
    _state, _wiz, page, _conn = open_review(connected_env, host, qtbot)
    data = page.data
    page._loaded(data)
    page.load()  # loaded again before the details came: they wait for the new answer
    qtbot.waitUntil(lambda: not page.busy and page.loaded, timeout=10000)
    assert page.data is not data and page.problem_label.text()
    assert page.isComplete()
