"""Issue 11 on the review page: only valid link targets are offered, a refused one says why,
and an archived record is linked only with the explicit "Restore and link"."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_review_preview import decision, key_of, open_review, search_and_enter
from wizard.models.conflicts import DECISION

SMITH = "Smith Family Trust"  # two Xero contacts, one QB Time customer "smith family trust"
MANLY = "Manly Wharf Hotel"  # its QB Time twin is archived


def test_a_record_taken_by_another_decision_is_not_offered_and_the_page_says_why(
    connected_env, host, qtbot
):
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    twins = [r for r in page.rows() if r.conflict.xero_name.strip().casefold() == SMITH.casefold()]
    assert len(twins) == 2
    first, second = twins
    target = first.conflict.candidates[0]
    assert page.select_key(first.key)
    assert page.candidates.count() == 1 and page.link_button.isEnabled()
    page.link_button.setFocus()
    qtbot.keyClick(page.link_button, Qt.Key.Key_Space)
    assert decision(conn, first.key).target_qbt_id == target.qbt_id

    # the other Xero contact may no longer take it: not offered, the reason is on the page
    assert page.select_key(second.key)
    assert page.candidates.count() == 0
    assert not page.link_button.isEnabled()
    assert page.no_candidate.isVisible()
    text = page.no_candidate.text()
    assert text.startswith("It cannot be linked to a similar record in QuickBooks Time:")
    assert (
        f"• {target.name}: That QuickBooks Time record is already linked to "
        f'"{first.conflict.xero_name}"'
    ) in text
    assert text.endswith("Choose Create new, Rename or Never import.")
    assert decision(conn, second.key) is None


def test_an_archived_twin_is_linked_only_with_restore_and_link(connected_env, host, qtbot):
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    key = key_of(page, MANLY)
    search_and_enter(page, qtbot, MANLY)
    assert page.current_row().key == key
    assert page.link_button.text() == "Restore and &link"
    assert "archived: restored if you link it" in page.candidates.currentText()
    # the comparison says the record will be restored
    status = next(
        r
        for r in range(page.compare.rowCount())
        if page.compare.verticalHeaderItem(r).text() == "Status"
    )
    assert page.compare.item(status, 1).text() == "Archived"
    assert page.compare.item(status, 2).text() == "→ Active"
    page.link_button.setFocus()
    qtbot.keyClick(page.link_button, Qt.Key.Key_Space)
    saved = decision(conn, key)
    assert saved is not None and saved.action == "restore_link"
    row = page.model.row_at(page.model.row_of(key))
    assert page.model.text(row, DECISION) == f"Restore and link to “{MANLY}”"
