"""A billing's or a sending's undo that left invoices or timesheets as they are in Xero (approved
since, changed there) is not said as done whole: History said "its draft invoices are deleted"."""

from __future__ import annotations

from types import SimpleNamespace

from wizard.dialogs.history import undo_message


def _run(counts: dict, kind: str = "invoicing", run_id: int = 7):
    return SimpleNamespace(counts=counts, kind=kind, id=run_id)


def test_a_billing_undo_that_left_invoices_alone_is_partly_done():
    left = [{"who": "Hornsby Shire Council", "what": "approved in Xero since: left as it is"}]
    message = undo_message([_run({"left_alone": left}, "undo")], _run({}, "invoicing"))
    assert message.key == "partly"


def test_a_whole_billing_undo_is_undone_and_an_import_s_kept_records_stay_undone():
    assert undo_message([_run({}, "undo")], _run({}, "invoicing")).key == "undone"
    left = [{"who": "Zeta Gardens", "what": "jobs were added under it"}]
    message = undo_message([_run({"left_alone": left}, "undo")], _run({}, "import"))
    assert message.key == "undone" and message.left_alone == (
        "Zeta Gardens: jobs were added under it",
    )
