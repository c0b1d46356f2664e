"""Page 5 — Import options, and its two dialogs (Manage Xero customers, Link leave types)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizardPage

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
from core.app.sync import current_plan, load_options, save_options
from core.engine.records import Address, XeroContact
from core.services.auth.xero_oauth import demo_consent_opener
from core.services.fetch import load_snapshot
from core.store.models import LeaveLink
from wizard.dialogs.manage_customers import ManageCustomersDialog
from wizard.pages.options import OptionsPage
from wizard.state import PageId, WizardState

# AU Demo Company: contacts never invoiced, leave types and time-off codes
NEWTOWN = "30e3fb26-b948-4925-b9bb-2e949f2eee0f"  # Newtown Bowling Club
PADDINGTON = "9858791c-713e-4700-a99d-823479dc8ce9"  # Paddington Bowling Club
ANNUAL, LONG_SERVICE = (
    "e8febdcf-e5c8-4ea7-bbc0-d572826d3dde",
    "6bb692ed-0fd2-4434-966f-3063e9e0a2fc",
)
UNPAID, PARENTAL = "ecc03a15-73c0-4088-a28f-14109e8cd289", "2f2772da-9bb8-430c-828a-a4970cb3d4b5"
CODE_ANNUAL, CODE_LONG_SERVICE, CODE_HOLIDAY, CODE_UNPAID = 17300018, 17300117, 17300076, 17300182


class NextPage(QWizardPage):
    """Stands for the review page, so Next has somewhere to go."""

    def __init__(self, state):
        super().__init__()


def open_page(host, qtbot, state, *, wait=True):
    wiz = host(state, {PageId.OPTIONS: OptionsPage, PageId.REVIEW: NextPage})
    page = wiz.pages[PageId.OPTIONS]
    wiz.activateWindow()
    qtbot.waitUntil(wiz.isActiveWindow, timeout=5000)
    if wait:
        qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    return wiz, page


def state_for(ctx, conn, *, fetched=True):
    state = WizardState(ctx, country=conn.xero_country_code or None)
    state.connection_id = conn.id
    state.fetched = fetched
    return state


def press_space(qtbot, widget):
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def tab_to(qtbot, page, target, limit=40):
    """Move the focus with Tab until ``target`` has it (fails if Tab never reaches it)."""
    for _ in range(limit):
        if QApplication.focusWidget() is target:
            return
        qtbot.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is target, f"Tab never reaches {target.text()!r}"


# ---------------------------------------------------------------------------- page
def test_entering_fetches_then_options_round_trip_with_the_keyboard(connected_env, host, qtbot):
    ctx, box, _t, conn = connected_env
    save_options(
        conn,
        load_options(conn).with_values(
            archive_unmatched=True, import_items=False, extra_customers=[NEWTOWN]
        ),
    )
    state = state_for(ctx, conn, fetched=False)
    # Slow enough that the page is seen reading (reads run in parallel now: a fast machine
    # finished them before the first look).
    box.qbtime_faults.latency_s = 0.1
    wiz, page = open_page(host, qtbot, state, wait=False)
    assert page.busy and not page.isComplete()  # reading Xero and QuickBooks Time
    box.qbtime_faults.latency_s = 0.0
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    assert state.fetched and state.fetch_error is None and page.isComplete()

    boxes = page.boxes
    assert boxes["archive_unmatched"].isChecked() and not boxes["import_items"].isChecked()
    assert boxes["import_customers"].isChecked() and boxes["assign_all"].isChecked()
    assert "1 contact" in page.extra_note.text()
    # AU has payroll: employees and leave are offered
    assert boxes["import_employees"].isVisibleTo(page) and page.leave_button.isVisibleTo(page)

    # Keyboard only: Tab to each box, Space to toggle
    boxes["import_customers"].setFocus()
    for name in ("archive_unmatched", "import_items", "import_tracking", "link_leave"):
        tab_to(qtbot, page, boxes[name])
        qtbot.keyClick(boxes[name], Qt.Key.Key_Space)
    assert not boxes["archive_unmatched"].isChecked() and boxes["import_items"].isChecked()
    # Enter: the default button (Next) saves and moves on
    qtbot.keyClick(boxes["link_leave"], Qt.Key.Key_Return)
    assert wiz.currentId() == int(PageId.REVIEW)

    saved = load_options(conn)
    assert state.options == saved
    assert (
        saved.archive_unmatched,
        saved.import_items,
        saved.import_tracking,
        saved.link_leave,
    ) == (False, True, False, False)
    assert saved.extra_customers == frozenset({NEWTOWN})  # kept through the page


def test_require_item_only_with_items_and_archive_only_with_customers(connected_env, host, qtbot):
    ctx, _box, _t, conn = connected_env
    _wiz, page = open_page(host, qtbot, state_for(ctx, conn))
    boxes = page.boxes
    assert boxes["import_items"].isChecked() and boxes["require_item"].isEnabled()
    press_space(qtbot, boxes["import_items"])
    assert not boxes["import_items"].isChecked() and not boxes["require_item"].isEnabled()
    qtbot.keyClick(boxes["import_tracking"], Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(boxes["import_items"].isChecked, timeout=2000)  # Alt+I: "&items"
    assert QApplication.focusWidget() is boxes["import_items"]
    press_space(qtbot, boxes["import_items"])
    press_space(qtbot, boxes["import_items"])
    assert boxes["require_item"].isEnabled()
    press_space(qtbot, boxes["require_item"])
    assert page.options().require_item
    press_space(qtbot, boxes["import_customers"])
    assert not boxes["archive_unmatched"].isEnabled() and not boxes["assign_all"].isEnabled()
    assert not page.manage_button.isEnabled()
    press_space(qtbot, boxes["link_leave"])
    assert not page.leave_button.isEnabled()


def test_canadian_organisation_has_no_payroll_options(demo_env, host, qtbot):
    ctx, box, tenants = demo_env
    out = Output(as_json=True, stream=open("/dev/null", "w"))
    cmd_connect_qbtime(ctx, out, box.qbtime_token)
    ctx.opener = demo_consent_opener([tenants["CA"]])
    cmd_connect_xero(ctx, out, None, None)
    conn = pick_connection(None)
    assert conn.xero_tenant_id == tenants["CA"]
    state = state_for(ctx, conn, fetched=False)
    _wiz, page = open_page(host, qtbot, state)
    assert state.fetched and page.isComplete()
    assert not page.payroll_group.isVisibleTo(page)
    assert not page.boxes["import_employees"].isVisibleTo(page)
    assert not page.leave_button.isVisibleTo(page)
    assert page.customers_group.isVisibleTo(page) and page.items_group.isVisibleTo(page)


def test_fetch_failure_shows_a_banner_and_still_allows_offline(connected_env, host, qtbot):
    ctx, box, _t, conn = connected_env
    ctx.sleep = lambda _s: None  # retries without waiting
    box.qbtime_faults.force("503", times=50)
    state = state_for(ctx, conn, fetched=False)
    _wiz, page = open_page(host, qtbot, state)
    assert not state.fetched and state.fetch_error
    assert page.banner.isVisible() and state.fetch_error in page.banner.label.text()
    assert "read earlier" in page.banner.label.text()
    assert "Traceback" not in page.banner.label.text()
    assert page.banner.button.isVisible() and page.banner.button.text() == "Try again"
    assert page.isComplete()  # the snapshot from the fixture's fetch lets the user go on

    box.qbtime_faults.clear()
    qtbot.mouseClick(page.banner.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    assert state.fetched and state.fetch_error is None and not page.banner.isVisible()


def test_fetch_failure_with_nothing_read_before_blocks_next(demo_env, host, qtbot):
    ctx, box, _tenants = demo_env
    out = Output(as_json=True, stream=open("/dev/null", "w"))
    cmd_connect_qbtime(ctx, out, box.qbtime_token)
    cmd_connect_xero(ctx, out, None, None)
    conn = pick_connection(None)
    ctx.sleep = lambda _s: None
    box.xero_faults.force("503", times=50)
    state = state_for(ctx, conn, fetched=False)
    _wiz, page = open_page(host, qtbot, state)
    assert state.fetch_error and not page.isComplete()
    assert "cannot go on" in page.banner.label.text()


# ---------------------------------------------------------------------------- customers dialog
def open_customers_dialog(qtbot, page):
    page.window().activateWindow()  # the offscreen platform does not reactivate it by itself
    qtbot.waitUntil(page.window().isActiveWindow, timeout=5000)
    tab_to(qtbot, page, page.manage_button)
    qtbot.keyClick(page.manage_button, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: page.customers_dialog is not None and page.customers_dialog.isVisible(),
        timeout=10000,
    )
    return page.customers_dialog


def test_manage_customers_filters_ticks_and_the_plan_creates_the_contact(
    connected_env, host, qtbot
):
    ctx, _box, _t, conn = connected_env
    state = state_for(ctx, conn)
    _wiz, page = open_page(host, qtbot, state)
    page.boxes["import_customers"].setFocus()
    dialog = open_customers_dialog(qtbot, page)
    snap = load_snapshot(conn)
    addable = [c for c in snap.contacts if not c.is_customer and not c.archived]
    assert dialog.proxy.rowCount() == len(addable) > 10
    assert QApplication.focusWidget() is dialog.search

    qtbot.keyClicks(dialog.search, "bowling")
    names = {dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())}
    assert names == {"Newtown Bowling Club", "Paddington Bowling Club"}
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # to the list, not "Save"
    assert dialog.isVisible() and QApplication.focusWidget() is dialog.table
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # ticks Newtown (first by name)
    assert dialog.model.checked == {NEWTOWN}
    assert "1 contact ticked" in dialog.count.text()
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "MANLY")  # city, any case
    assert dialog.proxy.rowCount() >= 1
    assert dialog.proxy.index(0, 0).data() == "Newtown Bowling Club"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter in the list: Save
    qtbot.waitUntil(lambda: not page.busy and page.customers_dialog is None, timeout=10000)

    assert page.options().extra_customers == frozenset({NEWTOWN})
    assert load_options(conn).extra_customers == frozenset({NEWTOWN})  # saved at once
    assert "1 contact" in page.extra_note.text()
    assert page.validatePage()
    _snap, plan = current_plan(conn, state.options)
    created = [a for a in plan.actions if a.op == "create" and a.entity == "jobcode"]
    assert any(a.xero_id == NEWTOWN and a.after["name"] == "Newtown Bowling Club" for a in created)
    assert not any(a.xero_id == PADDINGTON for a in plan.actions)


def test_manage_customers_untick_removes_and_cancel_changes_nothing(connected_env, host, qtbot):
    ctx, _box, _t, conn = connected_env
    save_options(conn, load_options(conn).with_values(extra_customers=[NEWTOWN, PADDINGTON]))
    _wiz, page = open_page(host, qtbot, state_for(ctx, conn))
    dialog = open_customers_dialog(qtbot, page)
    assert dialog.model.checked == {NEWTOWN, PADDINGTON}
    press_space(qtbot, dialog.only_checked)
    assert dialog.proxy.rowCount() == 2
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.proxy.index(0, 2))  # Space works from any column
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.model.checked == {PADDINGTON}
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel
    qtbot.waitUntil(lambda: page.customers_dialog is None, timeout=5000)
    assert page.options().extra_customers == frozenset({NEWTOWN, PADDINGTON})
    assert page.window().focusWidget() is page.manage_button  # focus back where it was

    dialog = open_customers_dialog(qtbot, page)
    row = dialog.proxy.mapFromSource(dialog.model.index(dialog.model.row_of(NEWTOWN), 0))
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(row)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not page.busy and page.customers_dialog is None, timeout=10000)
    assert load_options(conn).extra_customers == frozenset({PADDINGTON})


def test_manage_customers_filters_and_sorts_10000_contacts(qtbot):
    contacts = [
        XeroContact(
            f"id-{i}",
            f"Contact {i:05d} {'Québec' if i % 7 == 0 else 'Sydney'}",
            "ACTIVE",
            False,
            False,
            email=f"c{i}@example.com",
            street=Address(city="Montréal" if i % 3 == 0 else "Perth"),
        )
        for i in range(10_000)
    ]
    dialog = ManageCustomersDialog(contacts, ["id-1"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.proxy.rowCount() == 10_000
    qtbot.keyClicks(dialog.search, "quebec")  # accents ignored: one filter per key
    assert dialog.proxy.rowCount() == len([i for i in range(10_000) if i % 7 == 0])
    qtbot.keyClicks(dialog.search, " montreal")
    assert dialog.proxy.rowCount() == len([i for i in range(10_000) if i % 21 == 0])
    dialog.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # a header click
    assert dialog.proxy.index(0, 0).data() == "Contact 09996 Québec"
    dialog.search.clear()
    dialog.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert dialog.proxy.index(0, 2).data() == "Montréal"
    assert dialog.chosen_ids() == frozenset({"id-1"})
    first = dialog.proxy.mapToSource(dialog.proxy.index(0, 0)).row()
    assert (
        dialog.model.data(dialog.model.index(first, 0), Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Unchecked
    )
    tick = dialog.model.row_of("id-1")
    assert (
        dialog.model.data(dialog.model.index(tick, 0), Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Checked
    )  # ticks follow the rows


# ---------------------------------------------------------------------------- leave dialog
def test_leave_links_dialog_saves_rows_and_unpaid_is_never_exported(connected_env, host, qtbot):
    ctx, _box, _t, conn = connected_env
    state = state_for(ctx, conn)
    _wiz, page = open_page(host, qtbot, state)
    page.boxes["link_leave"].setFocus()
    qtbot.keyClick(page.boxes["link_leave"], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.leave_button
    qtbot.keyClick(page.leave_button, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: page.leave_dialog is not None and page.leave_dialog.isVisible(), timeout=10000
    )
    dialog = page.leave_dialog
    ids = [r.leave_type_id for r in dialog.rows]
    combo = {lid: c for lid, c in zip(ids, dialog.combos, strict=True)}
    export = {lid: e.text() for lid, e in zip(ids, dialog.exports, strict=True)}
    assert len(ids) == 8
    assert combo[ANNUAL].currentData() == CODE_ANNUAL  # same name
    assert combo[LONG_SERVICE].currentData() == CODE_LONG_SERVICE  # "Long service leave"
    assert combo[UNPAID].currentData() == CODE_UNPAID
    assert combo[PARENTAL].currentData() == 0  # not linked
    assert export[UNPAID] == export[PARENTAL] == "Unpaid: never sent to Xero"
    assert export[ANNUAL].startswith("Paid")
    assert QApplication.focusWidget() is dialog.combos[0]

    # Keyboard: Annual Leave -> Holiday, Parental leave -> the unpaid code
    holiday = combo[ANNUAL].findData(CODE_HOLIDAY)
    while combo[ANNUAL].currentIndex() != holiday:
        qtbot.keyClick(
            combo[ANNUAL],
            Qt.Key.Key_Down if combo[ANNUAL].currentIndex() < holiday else Qt.Key.Key_Up,
        )
    combo[PARENTAL].setFocus()
    while combo[PARENTAL].currentData() != CODE_UNPAID:
        qtbot.keyClick(combo[PARENTAL], Qt.Key.Key_Down)
    qtbot.keyClick(combo[PARENTAL], Qt.Key.Key_Return)  # Save links
    qtbot.waitUntil(lambda: not page.busy and page.leave_dialog is None, timeout=10000)
    # Said beside the button that opened the dialog, not in a banner at the foot of the page.
    assert page.leave_note.isVisible() and "saved" in page.leave_note.text()
    assert page.leave_note.parent() is page.leave_button.parent()
    assert abs(page.leave_note.y() - page.leave_button.y()) < page.leave_button.height()

    rows = {r.xero_leave_type_id: r for r in LeaveLink.select().where(LeaveLink.connection == conn)}
    assert len(rows) == 8
    assert rows[ANNUAL].qbt_jobcode_id == CODE_HOLIDAY and rows[ANNUAL].export_to_xero
    assert rows[PARENTAL].qbt_jobcode_id == CODE_UNPAID
    assert not rows[PARENTAL].is_paid and not rows[PARENTAL].export_to_xero
    assert not rows[UNPAID].export_to_xero
    assert all(r.export_to_xero == r.is_paid for r in rows.values())

    # Reopening shows the saved choice, not the same-name one
    page.open_leave_links()
    qtbot.waitUntil(
        lambda: page.leave_dialog is not None and page.leave_dialog.isVisible(), timeout=10000
    )
    again = page.leave_dialog
    assert again.combos[ids.index(ANNUAL)].currentData() == CODE_HOLIDAY
    again.reject()
    qtbot.waitUntil(lambda: page.leave_dialog is None, timeout=5000)
    assert LeaveLink.get(LeaveLink.xero_leave_type_id == ANNUAL).qbt_jobcode_id == CODE_HOLIDAY


@pytest.mark.parametrize("language", ["en", "fr"])
def test_nothing_is_cut_at_800_by_600(connected_env, host, qtbot, language):
    from wizard.i18n import install_language

    ctx, _box, _t, conn = connected_env
    install_language(language)
    wiz, page = open_page(host, qtbot, state_for(ctx, conn))
    wiz.resize(800, 600)
    qtbot.wait(50)
    for name, box in page.boxes.items():
        assert page.notes[name].wordWrap()
        # every check box shows its whole text (the scroll area never cuts it sideways)
        assert box.width() >= box.sizeHint().width(), name
    assert page.scroll_area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_an_item_field_name_another_active_field_has_disables_next(connected_env, host, qtbot):
    """Issue 11: the items' field may not take the name of another active custom field
    (compared as QuickBooks Time does); the reason is shown under the field and Next stays
    disabled until the name is free. Nothing is saved meanwhile."""
    ctx, _box, _t, conn = connected_env
    state = state_for(ctx, conn, fetched=False)
    wiz, page = open_page(host, qtbot, state)
    assert page.isComplete() and not page.field_name_error.isVisible()
    edit = page.field_name_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, " region")
    assert not page.isComplete()
    assert page.field_name_error.isVisibleTo(page) and "Region" in page.field_name_error.text()
    assert not wiz.button(wiz.WizardButton.NextButton).isEnabled()
    edit.selectAll()
    qtbot.keyClicks(edit, "Crew items")
    assert page.isComplete() and not page.field_name_error.isVisibleTo(page)
    wiz.next()
    assert load_options(conn).item_field_name == "Crew items"
