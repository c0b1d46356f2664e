"""The history's undo of an import says what the Done page's does: what QuickBooks Time users
changed or built on since, left as it is (a warning), and the review decisions it opened
again; a cascade says it of every import it undid; in French too."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.app.review_screen import review_conflicts
from core.app.sync import current_plan, sync
from core.engine import review
from core.store.models import ImportRun
from tests.e2e.test_undo_after_qbt_changes import _by_id, _contact, _job, _org, _qbt, _touch
from tests.gui.test_run_done_home import WAIT, _answer, _home, _state
from wizard.dialogs.history import HistoryDialog
from wizard.i18n import install_language

LIAM_LINKED_TO = 1204270  # Dave's user: the wrong person for Liam


def _new_customer(ctx, name: str, n: int) -> None:
    """A contact added in Xero (the next import creates its customer in QuickBooks Time)."""
    contact = dict(_contact(ctx, "Newcastle RSL Club"))
    contact.pop("MergedToContactID", None)
    contact.update(ContactID=f"00000000-0000-4000-8000-0000000000b{n}", Name=name)
    contact["ContactStatus"] = "ACTIVE"
    _touch(ctx, contact)
    _org(ctx)["Contacts"].append(contact)


def _history(host, qtbot, state) -> HistoryDialog:
    wiz = _home(host, state)
    dialog = HistoryDialog(state, wiz.tasks, wiz)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.rowCount() > 0, timeout=WAIT)
    return dialog


def test_the_history_undo_lists_what_it_left_alone_and_the_decisions_open_again(
    connected_env, host, qtbot
):
    ctx, _box, _tenants, conn = connected_env
    sync(ctx, conn)
    _snap, plan = current_plan(conn)
    (conflict,) = [
        c for c in review_conflicts(conn, plan) if c.kind == "employee" and "Liam" in c.xero_name
    ]
    review.decide(conn, conflict, "link", target_qbt_id=LIAM_LINKED_TO)
    _new_customer(ctx, "Zeta Landscapes", 1)
    run = sync(ctx, conn).run
    zeta = _job(ctx, "Zeta Landscapes")
    _qbt(ctx, "POST", "jobcodes", [{"name": "Stage 1 works", "parent_id": zeta["id"]}])
    dialog = _history(host, qtbot, _state(ctx, conn, plan=False))
    dialog.select_run(run.id)

    dialog.undo(run.id)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.banner.isVisible(), timeout=WAIT)

    assert ImportRun.get_by_id(run.id).status == "undone"
    assert _by_id(ctx, "jobcodes", zeta["id"])["active"] is True
    assert dialog.banner.label.text() == (
        f"Import {run.id} was undone.\n"
        "Except what was changed or built on in QuickBooks Time after the import, left as it "
        "is:\n"
        "• Zeta Landscapes: jobs were added under it in QuickBooks Time after the import: "
        "kept, still linked to Xero (archive it in QuickBooks Time if it must go)\n"
        "1 review decision(s) this import applied are open again: review them before the "
        "next import."
    )
    assert dialog.banner._kind == "warning", "something was left as it is: not a success"
    try:
        install_language("fr")
        qtbot.wait(10)
        text = dialog.banner.label.text()
        assert text.startswith(f"L’importation {run.id} a été défaite.\n")
        assert (
            "\nSauf ce qui a été modifié ou complété dans QuickBooks Time après l’importation, "
            "laissé tel quel\u00a0:\n• Zeta Landscapes: " in text
        )
        assert text.endswith(
            "\n1 décision(s) de vérification appliquée(s) par cette importation sont de "
            "nouveau ouvertes\u00a0: vérifiez-les avant la prochaine importation."
        )
    finally:
        install_language("en")


def test_a_cascade_says_what_the_undo_of_a_later_import_left_alone(connected_env, host, qtbot):
    ctx, _box, _tenants, conn = connected_env
    sync(ctx, conn)
    _new_customer(ctx, "Zeta Landscapes", 2)
    first = sync(ctx, conn).run
    contact = _contact(ctx, "Zeta Landscapes")
    contact["Name"] = "Zeta Landscapes Pty"
    _touch(ctx, contact)
    later = sync(ctx, conn).run  # renames the customer the first import created
    zeta = _job(ctx, "Zeta Landscapes Pty")
    _qbt(ctx, "PUT", "jobcodes", [{"id": zeta["id"], "name": "Zeta Landscapes - Manly"}])
    dialog = _history(host, qtbot, _state(ctx, conn, plan=False))
    dialog.select_run(first.id)

    dialog.undo(first.id)
    qtbot.waitUntil(
        lambda: not dialog.busy and dialog._question is not None and dialog._question.isVisible(),
        timeout=WAIT,
    )
    _answer(dialog._question, qtbot, Qt.Key.Key_U)  # "Undo them all"
    qtbot.waitUntil(
        lambda: not dialog.busy and ImportRun.get_by_id(first.id).status == "undone",
        timeout=WAIT,
    )

    assert ImportRun.get_by_id(later.id).status == "undone"
    text = dialog.banner.label.text()
    assert text.startswith(f"Import {first.id} was undone.\n")
    # said by the undo of the later import, undone first
    assert (
        "\n• Zeta Landscapes - Manly: changed in QuickBooks Time after the import (name): "
        "left as it is" in text
    )
    assert dialog.banner._kind == "warning"
