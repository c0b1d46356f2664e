"""The import page shows the engine's progress reports at most once a tick (issue 16, UI gaps
at 10k): reports arriving faster are kept, only the latest one is shown, and the last counts
are always shown before the result."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from core.app.resume import ImportOutcome
from core.app.sync import current_plan, load_options
from core.engine.importer import ImportCancelled, ProgressEvent
from wizard.pages.run import PROGRESS_EVERY_MS, RunPage
from wizard.state import PageId, WizardState

WAIT = 10000


def _page(ctx, conn, host):
    """A shown import page with the Demo Company's plan on its bars, no import running."""
    options = load_options(conn)
    state = WizardState(ctx, country="AU", connection_id=conn.id, options=options)
    wiz = host(state, {PageId.IMPORT: RunPage})  # no plan yet: nothing starts
    page = wiz.pages[PageId.IMPORT]
    assert not page.running
    state.plan = current_plan(conn, options)[1]
    page._set_plan(state.plan)
    page._running = True
    assert len(page._batches) > len(page._bars) > 1  # more reports than bars
    changes: list[str] = []
    for kind, (_label, bar) in page._bars.items():
        bar.valueChanged.connect(lambda _v, kind=kind: changes.append(kind))
    return page, state, changes


def _report(page, upto: int) -> None:
    """One report per batch, as the importer sends them, up to batch ``upto`` (excluded)."""
    total = page._total
    for i in range(upto):
        batch = page._batches[i]
        page._progress(ProgressEvent(batch[0].phase, page._batch_ends[i], total, 30.0))


def test_reports_shown_once_a_tick_the_last_counts_shown(connected_env, host, qtbot):
    ctx, _box, _t, conn = connected_env
    page, _state, changes = _page(ctx, conn, host)
    batches = len(page._batches)
    _report(page, batches)
    assert changes == [] and page._done == 0  # nothing painted per report
    qtbot.waitUntil(lambda: page._done == page._total, timeout=WAIT)
    # each bar moved once (one per report before: one per batch holding its kind)
    assert sorted(changes) == sorted(page._bars)
    for kind, (_label, bar) in page._bars.items():
        assert bar.value() == page._kind_totals[kind]
    assert f"{page._total} of {page._total}" in page.overall.text().replace("changes ", "")
    # every batch logged once, in order
    assert len(page.log.toPlainText().splitlines()) == batches
    assert not page._progress_timer.isActive()


def test_last_counts_shown_before_the_result(connected_env, host, qtbot):
    ctx, _box, _t, conn = connected_env
    page, state, changes = _page(ctx, conn, host)
    half = len(page._batches) // 2
    _report(page, half)
    assert page._done == 0  # not shown yet: the tick has not come
    page._ended(ImportOutcome(None, None, ImportCancelled(), state.plan))  # stopped there
    # shown at once, before the result's line
    assert page._done == page._batch_ends[half - 1]
    shown = {kind: bar.value() for kind, (_l, bar) in page._bars.items()}
    expected = dict.fromkeys(page._bars, 0)
    for batch in page._batches[:half]:
        for action in batch:
            expected[action.summary_kind] += 1
    assert shown == expected
    assert len(changes) == len(set(changes))  # each bar moved once at most
    lines = page.log.toPlainText().splitlines()
    assert lines[-1].startswith("Stopped.")
    assert len(lines) == half + 1  # a line per batch, then the result
    assert not page._progress_timer.isActive()
    qtbot.wait(2 * PROGRESS_EVERY_MS)
    assert page.log.toPlainText().splitlines() == lines  # nothing shown after the result


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_bar_is_painted_with_the_window_not_as_it_moves(connected_env, host, qtbot):
    """QProgressBar.setValue repaints the bar at once; the page lets the window paint it
    at its next frame (one paint for everything that moved in between)."""
    ctx, _box, _t, conn = connected_env
    page, _state, _changes = _page(ctx, conn, host)
    qtbot.wait(50)  # the first paint done
    first = page._batches[0]
    kind = first[0].summary_kind
    bar = page._bars[kind][1]
    paints = _Paints()
    bar.installEventFilter(paints)
    page._progress(ProgressEvent(first[0].phase, page._batch_ends[0], page._total, 30.0))
    page._show_progress()  # the tick
    assert bar.value() == len(first) and paints.count == 0  # not painted in the call
    qtbot.waitUntil(lambda: paints.count > 0, timeout=WAIT)  # painted with the window
    assert bar.text() == f"{len(first)} of {page._kind_totals[kind]}"
