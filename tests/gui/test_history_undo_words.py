"""The history names what an undo undoes: undoing a billing (or hours sent to Xero Payroll) is
not "Undoing import 12…", in English and French, and stays so when the language changes while
it shows. Nothing the dialog says of a history without imports calls them imports."""

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

#: a run's kind: (the busy line of its undo, its Undo button)
WORDS = {
    "invoicing": ("Undoing billing {number}…", "&Undo this billing"),
    "payroll_export": ("Undoing sending {number}…", "&Undo this sending"),
}


def _words(source: str, **names: Any) -> str:
    return QCoreApplication.translate("HistoryDialog", source).format(**names)


def _held_undo(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The dialog's undo worker held until ``release``, then stopped by an error (nothing is
    undone): (holding, release)."""
    holding, release = threading.Event(), threading.Event()

    def waiting(*_args: Any, **_kwargs: Any) -> Any:
        holding.set()
        release.wait(WAIT / 1000)
        raise RuntimeError("stopped by the test")

    monkeypatch.setattr(history, "undo_task", waiting)
    return holding, release


def _shown(ctx, conn, qtbot) -> HistoryDialog:
    """The history of ``conn``'s business (AU), shown; it reads its runs in the background."""
    dialog = HistoryDialog(WizardState(ctx, country="AU", connection_id=conn.id), TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _texts(dialog: HistoryDialog) -> list[str]:
    """What the dialog says, shown or read aloud, outside the rows of other kinds."""
    return [
        dialog.windowTitle(),
        dialog.intro.text(),
        dialog.table_label.text(),
        dialog.table.accessibleName(),
        dialog.undo_button.text(),
        dialog.busy_label.text(),
    ]


@pytest.mark.parametrize("kind", ["invoicing", "payroll_export"])
@pytest.mark.parametrize(("first", "then"), [("en", "fr"), ("fr", "en")])
def test_undoing_a_billing_or_hours_sent_is_named_so(
    connected_env, qtbot, monkeypatch, kind, first, then
):
    ctx, _box, _tenants, conn = connected_env
    run = ImportRun.create(connection=conn, kind=kind, status="done", counts={})
    busy_words, button = WORDS[kind]
    holding, release = _held_undo(monkeypatch)
    install_language(first)
    try:
        dialog = _shown(ctx, conn, qtbot)
        qtbot.waitUntil(lambda: not dialog.busy and len(dialog._rows) == 1, timeout=WAIT)
        dialog.select_run(run.id)
        assert dialog.undo_button.isEnabled()
        assert dialog.undo_button.text() == _words(button)
        dialog.undo(run.id)
        qtbot.waitUntil(holding.is_set, timeout=WAIT)
        before = dialog.busy_label.text()
        assert before == _words(busy_words, number=run.id) and str(run.id) in before
        for text in _texts(dialog):
            assert "import" not in text.lower(), text
        install_language(then)  # worded again, its kind and number kept
        qtbot.wait(10)
        after = dialog.busy_label.text()
        assert after == _words(busy_words, number=run.id) and after != before
        assert dialog.undo_button.text() == _words(button)
        for text in _texts(dialog):
            assert "import" not in text.lower(), text
    finally:
        release.set()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)  # before the database closes
        install_language("en")


def test_the_busy_line_of_a_billing_undo_in_english_and_french(connected_env, qtbot, monkeypatch):
    """The exact words, as a user reads them."""
    ctx, _box, _tenants, conn = connected_env
    run = ImportRun.create(connection=conn, kind="invoicing", status="done", counts={})
    holding, release = _held_undo(monkeypatch)
    try:
        dialog = _shown(ctx, conn, qtbot)
        qtbot.waitUntil(lambda: not dialog.busy and len(dialog._rows) == 1, timeout=WAIT)
        dialog.undo(run.id)
        qtbot.waitUntil(holding.is_set, timeout=WAIT)
        assert dialog.busy_label.text() == f"Undoing billing {run.id}…"
        install_language("fr")
        qtbot.wait(10)
        assert dialog.busy_label.text() == f"La facturation {run.id} est en train d’être défaite…"
    finally:
        release.set()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
        install_language("en")


def test_hours_sent_are_numbered_as_their_undo_names_them(connected_env, qtbot):
    ctx, _box, _tenants, conn = connected_env
    sent = ImportRun.create(connection=conn, kind="payroll_export", status="undone", counts={})
    ImportRun.create(connection=conn, kind="undo", status="done", undoes_run=sent, counts={})
    dialog = _shown(ctx, conn, qtbot)
    qtbot.waitUntil(lambda: not dialog.busy and len(dialog._rows) == 2, timeout=WAIT)
    what = {run.id: dialog.table.item(row, 1).text() for row, run in enumerate(dialog._rows)}
    assert what[sent.id] == f"Hours sent {sent.id}"
    assert f"Undo of hours sent {sent.id}" in what.values()
    # an undo selected (not undone itself): Undo names no kind
    dialog.select_run(next(run.id for run in dialog._rows if run.kind == "undo"))
    assert dialog.undo_button.text() == "&Undo" and not dialog.undo_button.isEnabled()
