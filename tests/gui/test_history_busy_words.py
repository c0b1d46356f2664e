"""The history's busy line ("Reading the history…", "Undoing import 12…") is worded again when
the language changes while it shows, its number kept, as the pages' busy lines are."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

import wizard.dialogs.history as history
from core.store.models import ImportRun
from wizard.dialogs.history import HistoryDialog
from wizard.i18n import install_language
from wizard.state import WizardState
from wizard.workers import TaskRunner

WAIT = 20000


def _held(monkeypatch, name: str, then: Any = None) -> tuple[threading.Event, threading.Event]:
    """The dialog's worker function ``name`` held until ``release``: (holding, release).
    ``then``: what it does once released (the real function when None)."""
    real = getattr(history, name)
    holding, release = threading.Event(), threading.Event()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        holding.set()
        release.wait(WAIT / 1000)
        return (then or real)(*args, **kwargs)

    monkeypatch.setattr(history, name, waiting)
    return holding, release


def _words(source: str, **names: Any) -> str:
    return QCoreApplication.translate("HistoryDialog", source).format(**names)


@pytest.mark.parametrize(("first", "then"), [("en", "fr"), ("fr", "en")])
def test_the_history_busy_line_follows_a_language_switch(
    connected_env, qtbot, monkeypatch, first, then
):
    ctx, _box, _tenants, conn = connected_env
    run = ImportRun.create(connection=conn, kind="import", status="done", counts={})
    holding, release = _held(monkeypatch, "load_history")
    install_language(first)
    try:
        dialog = HistoryDialog(WizardState(ctx, country="AU", connection_id=conn.id), TaskRunner())
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(holding.is_set, timeout=WAIT)
        before = dialog.busy_label.text()
        assert dialog.busy and before == _words("Reading the history…")
        install_language(then)
        qtbot.wait(10)
        after = dialog.busy_label.text()
        assert after == _words("Reading the history…") and after != before
        release.set()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
        assert dialog.busy_label.text() == "" and not dialog.busy_label.isVisible()

        # An undo's line keeps its number (the worker held, then stopped by an error).
        def refused(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError("stopped by the test")

        holding, release = _held(monkeypatch, "undo_task", refused)
        install_language(first)
        dialog.undo(run.id)
        qtbot.waitUntil(holding.is_set, timeout=WAIT)
        before = dialog.busy_label.text()
        assert before == _words("Undoing import {number}…", number=run.id)
        install_language(then)
        qtbot.wait(10)
        after = dialog.busy_label.text()
        assert after == _words("Undoing import {number}…", number=run.id) and after != before
        assert str(run.id) in after
        dialog.resize(780, 440)  # in a window of 800×600: the line drawn whole
        qtbot.wait(20)
        label = dialog.busy_label
        assert label.height() >= label.heightForWidth(label.width())
    finally:
        release.set()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)  # before the database closes
        install_language("en")
