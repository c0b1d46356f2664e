"""Pages 6 (review conflicts) and 7 (preview), against the AU Demo Company, fetched."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWizard, QWizardPage

from core.app.sync import current_plan, load_options
from core.engine.plan import ImportOptions
from core.store.models import Decision
from wizard.i18n import install_language
from wizard.models.conflicts import DECISION, KIND, REASON
from wizard.models.preview import WHAT
from wizard.pages.preview import PreviewPage
from wizard.pages.review import ReviewPage
from wizard.state import PageId, WizardState

BONDI = "Bondi Beach Cafe Pty Ltd"  # near match: differs by a legal suffix
LONG_NAME = "Department of Planning and Environment"


class StubImportPage(QWizardPage):
    """Stands for the import page (another module) so Next has somewhere to go."""

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state


def open_review(
    connected_env, host, qtbot, *, options: ImportOptions | None = None, pages: dict | None = None
):
    ctx, _box, _tenants, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id, options=options)
    wiz = host(state, pages or {PageId.REVIEW: ReviewPage})
    page = wiz.pages[PageId.REVIEW]
    qtbot.waitUntil(lambda: not page.busy and (page.loaded or page.load_failed), timeout=10000)
    return state, wiz, page, conn


def open_preview(connected_env, host, qtbot, options: ImportOptions):
    ctx, _box, _tenants, conn = connected_env
    state = WizardState(ctx, country="AU", connection_id=conn.id, options=options)
    wiz = host(state, {PageId.PREVIEW: PreviewPage, PageId.IMPORT: StubImportPage})
    page = wiz.pages[PageId.PREVIEW]
    qtbot.waitUntil(lambda: not page.busy and (page.loaded or page.failed), timeout=10000)
    return state, wiz, page, conn


def key_of(page, name: str) -> tuple[str, str]:
    return next(r.key for r in page.rows() if r.conflict.xero_name.startswith(name))


def decision(conn, key: tuple[str, str]) -> Decision | None:
    return Decision.get_or_none(
        Decision.connection == conn.id, Decision.kind == key[0], Decision.xero_id == key[1]
    )


def search_and_enter(page, qtbot, text: str) -> None:
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClicks(page.search, text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # the list takes the focus
    assert page.table.hasFocus()


# ---------------------------------------------------------------------------- review


def test_conflicts_are_listed_with_kinds_reasons_and_details(connected_env, host, qtbot):
    _state, wiz, page, _conn = open_review(connected_env, host, qtbot)
    rows = page.model.rowCount()
    assert rows > 10
    assert page.progress_label.text() == f"0 of {rows} decided"
    kinds = {page.cell(r, KIND) for r in range(page.proxy.rowCount())}
    assert kinds == {"Customer", "Team member"}
    assert all(page.cell(r, REASON) for r in range(rows))
    reasons = [page.cell(r, REASON) for r in range(rows)]
    assert "differs only by accents" in reasons and "& instead of and" in reasons
    # nothing is decided yet: each row shows the suggested action, or says it is the person's
    assert all(
        page.cell(r, DECISION).startswith("Suggested: ") or page.cell(r, DECISION) == "Your choice"
        for r in range(rows)
    )
    # details of the selected record: Xero vs QuickBooks Time, field by field
    search_and_enter(page, qtbot, "bondi beach")
    assert page.current_row().conflict.xero_name == BONDI
    assert "A similar record already exists" in page.problem_label.text()
    assert page.compare.item(0, 0).text() == BONDI  # in Xero
    assert page.compare.item(0, 1).text() == "Bondi Beach Cafe"  # QB Time now, kept visible
    assert page.compare.item(0, 2).text() == "→ " + BONDI  # after linking
    assert page.compare.item(0, 2).font().bold()
    assert page.isComplete()  # what is not decided waits for the next time
    assert wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    # accessible names on the inputs and the table
    for widget in (page.search, page.kind_combo, page.table, page.candidates, page.compare):
        assert widget.accessibleName()
    # reasons come from core in the user's language
    page.search.clear()
    try:
        install_language("fr")
        reasons = [page.cell(r, REASON) for r in range(page.proxy.rowCount())]
        assert any(reason.startswith("ne diffère que par") for reason in reasons)
    finally:
        install_language("en")
    assert "differs only by accents" in [page.cell(r, REASON) for r in range(rows)]


def test_keyboard_link_is_saved_survives_a_new_page_and_undo_redo(connected_env, host, qtbot):
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    key = key_of(page, BONDI)
    search_and_enter(page, qtbot, "bondi beach")
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # to the candidate chooser
    assert page.candidates.hasFocus()
    qtbot.keyClick(page.candidates, Qt.Key.Key_Return)  # accept the chosen candidate
    saved = decision(conn, key)
    assert saved is not None and saved.action == "link"
    assert (
        saved.target_qbt_id
        == page.model.row_at(page.model.row_of(key)).conflict.candidates[0].qbt_id
    )
    # the Link button itself, pressed with the keyboard, on another record
    key2 = key_of(page, "Pâtisserie")
    search_and_enter(page, qtbot, "eclair")  # accents do not matter when searching
    page.link_button.setFocus()
    qtbot.keyClick(page.link_button, Qt.Key.Key_Space)
    assert decision(conn, key2).action == "link"
    assert page.progress_label.text().startswith("2 of ")

    # undo restores the previous state (no decision), redo brings it back
    assert page.undo_button.isEnabled()
    page.undo_button.setFocus()
    qtbot.keyClick(page.undo_button, Qt.Key.Key_Space)
    assert decision(conn, key2) is None and decision(conn, key) is not None
    assert page.progress_label.text().startswith("1 of ")
    qtbot.keyClick(page.redo_button, Qt.Key.Key_Space)
    assert decision(conn, key2).action == "link"

    # a new page (the app closed and opened again) shows the saved decisions
    _state2, _wiz2, page2, _ = open_review(connected_env, host, qtbot)
    row = page2.model.row_at(page2.model.row_of(key))
    assert row.decided
    assert page2.model.text(row, DECISION) == "Link to “Bondi Beach Cafe”"
    assert page2.progress_label.text().startswith("2 of ")


def test_accept_suggestions_hide_decided_and_kind_filter(connected_env, host, qtbot):
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    from core.engine.review import is_exact_safe

    exact = [r.conflict for r in page.rows() if is_exact_safe(r.conflict)]
    assert len(exact) >= 3
    assert page.accept_button.isEnabled()
    page.accept_button.setFocus()
    qtbot.keyClick(page.accept_button, Qt.Key.Key_Space)
    # the names that differ only by capitals or spaces are among the suggestions
    for conflict in exact:
        saved = decision(conn, (conflict.kind, conflict.xero_id))
        assert saved.action == "link" and saved.target_qbt_id == conflict.candidates[0].qbt_id
    safe = list(Decision.select().where(Decision.connection == conn.id))
    assert len(safe) > len(exact)
    assert page.banner.isVisible()
    assert f"Suggestions accepted: {len(safe)}." in page.banner.label.text()
    assert not page.accept_button.isEnabled()
    # one undo step for the whole bulk action
    page.undo()
    assert Decision.select().where(Decision.connection == conn.id).count() == 0
    page.redo()
    assert Decision.select().where(Decision.connection == conn.id).count() == len(safe)

    total = page.model.rowCount()
    page.hide_decided.setFocus()
    qtbot.keyClick(page.hide_decided, Qt.Key.Key_Space)
    assert page.hide_decided.isChecked()
    assert page.proxy.rowCount() == total - len(safe)
    decided_keys = {(c.kind, c.xero_id) for c in safe}
    assert not decided_keys & set(page.visible_keys())
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("employee"))
    assert page.visible_keys() and all(k[0] == "employee" for k in page.visible_keys())
    page.hide_decided.setChecked(False)
    page.kind_combo.setCurrentIndex(0)
    assert page.proxy.rowCount() == total


def test_rename_dialog_and_refused_create_explain_themselves(connected_env, host, qtbot):
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    key = key_of(page, LONG_NAME)
    search_and_enter(page, qtbot, "department of planning")
    assert not page.link_button.isEnabled()  # no candidate to link to
    # "Create new" is refused (too long for QuickBooks Time): a sentence, nothing saved
    page.create_button.click()
    assert page.banner.isVisible() and "Rename" in page.banner.label.text()
    assert decision(conn, key) is None
    page.rename_button.click()
    dialog = page.rename_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.textValue() == "Department of Planning and Environment – Parks and Wildlife"
    from PySide6.QtWidgets import QLineEdit

    edit = dialog.findChild(QLineEdit)
    assert edit.maxLength() == 64
    # an empty name is refused with a sentence, and the dialog comes back
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert decision(conn, key) is None
    assert "Type the new name" in page.banner.label.text()
    dialog = page.rename_dialog
    assert dialog.isVisible()
    edit = dialog.findChild(QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, "Parks and Wildlife Group (Sydney)")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    saved = decision(conn, key)
    assert saved.action == "rename" and saved.new_name == "Parks and Wildlife Group (Sydney)"
    row = page.model.row_at(page.model.row_of(key))
    assert page.model.text(row, DECISION) == "Create as “Parks and Wildlife Group (Sydney)”"


def test_csv_export_then_import_updates_decisions_and_reports_bad_lines(
    connected_env, host, qtbot, tmp_path, monkeypatch
):
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    out = tmp_path / "review.csv"
    monkeypatch.setattr(page, "choose_export_path", lambda: str(out))
    page.export_action.trigger()
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    assert out.exists() and "Saved in" in page.banner.label.text()
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    conflict_lines = [line for line in lines if line["state"]]
    assert len(conflict_lines) == page.model.rowCount()
    assert any(line["problem"] == "no_match" for line in lines)  # records created as new

    skip_key = key_of(page, "Chip Davis Real Estate")
    create_key = key_of(page, "North-Shore Aged Care")
    bad_key = key_of(page, "Greenway Developments")
    bad_line = None
    for number, line in enumerate(lines, start=2):  # line 1 is the header
        if (line["kind"], line["xero_id"]) == skip_key:
            line["decision"] = "skip"
        elif (line["kind"], line["xero_id"]) == create_key:
            line["decision"] = "créer"  # French words are understood
        elif (line["kind"], line["xero_id"]) == bad_key:
            line["decision"] = "maybe"
            bad_line = number
    edited = tmp_path / "answers.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0].keys()))
        writer.writeheader()
        writer.writerows(lines)
    monkeypatch.setattr(page, "choose_import_path", lambda: str(edited))
    page.import_action.trigger()
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    assert decision(conn, skip_key).action == "skip"
    assert decision(conn, create_key).action == "create"
    assert decision(conn, bad_key) is None
    text = page.banner.label.text()
    assert "Decisions applied: 2." in text
    assert f"Line {bad_line}:" in text and '"maybe" is not a decision' in text
    skip_row = page.model.row_at(page.model.row_of(skip_key))
    assert page.model.text(skip_row, DECISION) == "Never import"
    # one undo step for the whole file
    page.undo()
    assert decision(conn, skip_key) is None and decision(conn, create_key) is None


def test_next_is_always_enabled_and_says_how_many_records_wait(connected_env, host, qtbot):
    pages = {PageId.REVIEW: ReviewPage, PageId.PREVIEW: PreviewPage, PageId.IMPORT: StubImportPage}
    state, wiz, page, _conn = open_review(connected_env, host, qtbot, pages=pages)
    next_button = wiz.button(QWizard.WizardButton.NextButton)
    total = page.model.rowCount()
    assert page.isComplete() and next_button.isEnabled()
    assert page.waiting_label.text() == f"{total} records will wait for your decision"

    # decide everything with the keyboard: "Ask me next time" still waits, Never import does not
    page.table.setFocus()
    page.later_button.setFocus()
    qtbot.keyClick(page.later_button, Qt.Key.Key_Space)
    assert page.isComplete()
    assert "1 for later" in page.progress_label.text()
    assert page.waiting_label.text() == f"{total} records will wait for your decision"
    for _ in range(total):
        if page.waiting_label.text() == "":
            break
        page.skip_button.setFocus()
        qtbot.keyClick(page.skip_button, Qt.Key.Key_Space)  # moves on to the next one
    assert page.isComplete() and next_button.isEnabled()
    assert page.progress_label.text() == f"{total} of {total} decided"
    assert page.waiting_label.text() == ""

    # Return on a control that has no use for it presses the default button: Next
    qtbot.keyClick(page.hide_decided, Qt.Key.Key_Return)
    assert wiz.currentId() == int(PageId.PREVIEW)
    preview = wiz.pages[PageId.PREVIEW]
    qtbot.waitUntil(lambda: not preview.busy and preview.loaded, timeout=10000)
    assert state.plan is not None and not state.plan.conflicts  # all decided: none left


def test_review_without_a_connection_shows_a_sentence(demo_env, host, qtbot):
    ctx, _box, _t = demo_env
    wiz = host(WizardState(ctx), {PageId.REVIEW: ReviewPage})
    page = wiz.pages[PageId.REVIEW]
    assert page.banner.isVisible() and "connect to Xero" in page.banner.label.text()
    assert not page.isComplete()


# ---------------------------------------------------------------------------- preview


def test_preview_counts_highlights_archives_and_keeps_the_plan(connected_env, host, qtbot):
    _ctx, _box, _t, conn = connected_env
    options = load_options(conn).with_values(archive_unmatched=True)
    state, wiz, page, conn = open_preview(connected_env, host, qtbot, options)
    _snap, expected = current_plan(conn, options)
    # the plan shown is the plan kept for the import
    assert [a.ref for a in state.plan.actions] == [a.ref for a in expected.actions]
    counts = expected.counts()
    archived = counts["archived"]["customers"]
    assert archived > 0
    assert page.counts_model.count("customers", "archive") == archived
    assert page.counts_model.count("customers", "create") == counts["created"]["customers"]
    assert page.counts_model.count("items", "skip") == counts["skipped"]["items"]
    assert page.notice.text() == "Nothing is written until you click Start import."
    archived_names = [a.label for a in expected.actions if a.op == "archive"]
    assert f"To be archived in QuickBooks Time: {len(archived_names)} record" in (
        page.banner.label.text()
    )
    assert f'"{archived_names[0]}"' in page.banner.label.text()  # named, not by colour alone
    # every change and every skipped record is listed
    assert page.model.rowCount() == len(expected.actions) + len(expected.skipped)
    archive_rows = [
        r for r in range(page.model.rowCount()) if page.model.change_at(r).op == "archive"
    ]
    assert archive_rows
    index = page.model.index(archive_rows[0], WHAT)
    assert index.data() == "Archive"
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    font = index.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    create_row = next(
        r for r in range(page.model.rowCount()) if page.model.change_at(r).op == "create"
    )
    assert page.model.index(create_row, WHAT).data(Qt.ItemDataRole.BackgroundRole) is None
    skipped = [
        page.model.change_at(r)
        for r in range(page.model.rowCount())
        if page.model.change_at(r).op == "skip"
    ]
    assert any("tracked as inventory" in c.reason for c in skipped)
    why = page.model.index(create_row, 5)
    try:
        install_language("fr")  # reasons follow the language
        assert any("suivi en stock" in c.reason for c in skipped)
        assert why.data() == "nouveau dans Xero" or why.data().startswith("nouveau")
    finally:
        install_language("en")
    # filter by operation
    page.filter_combo.setCurrentIndex(page.filter_combo.findData("archive"))
    assert set(page.visible_ops()) == {"archive"}
    assert page.proxy.rowCount() == sum(1 for a in expected.actions if a.op == "archive")
    page.filter_combo.setCurrentIndex(0)
    # a commit page whose button says what it does; Return in the search box never starts
    assert page.isCommitPage() and page.isComplete()
    assert page.buttonText(QWizard.WizardButton.CommitButton) == "&Start import"
    assert wiz.button(QWizard.WizardButton.CommitButton).isEnabled()
    page.search.setFocus()
    qtbot.keyClicks(page.search, "bondi")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert wiz.currentId() == int(PageId.PREVIEW)
    assert page.proxy.rowCount() and all(
        "bondi" in " ".join(page.proxy.index(r, c).data().lower() for c in range(6))
        for r in range(page.proxy.rowCount())
    )
    # keyboard: Tab to "Start import" and press Space: the import page follows
    button = wiz.button(QWizard.WizardButton.CommitButton)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert wiz.currentId() == int(PageId.IMPORT)


def test_nothing_to_review_then_nothing_to_import(connected_env, host, qtbot):
    """No conflicts: the review says so and allows Next; an empty plan: "up to date", and
    the preview becomes the last page (Close) instead of starting an import of nothing."""
    options = ImportOptions(
        import_customers=False,
        import_items=False,
        import_tracking=False,
        import_employees=False,
        link_leave=False,
    )
    pages = {PageId.REVIEW: ReviewPage, PageId.PREVIEW: PreviewPage, PageId.IMPORT: StubImportPage}
    state, wiz, page, _conn = open_review(connected_env, host, qtbot, options=options, pages=pages)
    assert page.stack.currentWidget() is page.empty
    assert page.empty_heading.text() == "Nothing to review"
    assert "matched exactly or is new" in page.empty_text.text()
    assert page.isComplete()
    next_button = wiz.button(QWizard.WizardButton.NextButton)
    next_button.setFocus()
    qtbot.keyClick(next_button, Qt.Key.Key_Space)
    preview = wiz.pages[PageId.PREVIEW]
    assert wiz.currentPage() is preview
    qtbot.waitUntil(lambda: not preview.busy and preview.loaded, timeout=10000)
    assert state.plan is not None and state.plan.is_empty
    assert preview.stack.currentWidget() is preview.empty
    assert preview.empty_heading.text() == "Everything is already up to date"
    assert preview.nextId() == -1 and preview.isComplete()
    finish = wiz.button(QWizard.WizardButton.FinishButton)
    assert finish.isVisible() and finish.isEnabled() and finish.text() == "&Close"
    assert not wiz.button(QWizard.WizardButton.CommitButton).isVisible()


def test_a_person_cannot_be_renamed_a_customer_can(connected_env, host, qtbot):
    """A person's QuickBooks Time name is their first and last name from Xero: "Rename" (add
    it under another name) is off for a team member, and refused with a sentence if asked;
    it stays on for a customer."""
    _state, _wiz, page, conn = open_review(connected_env, host, qtbot)
    person = next(r for r in page.rows() if r.conflict.kind == "employee")
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("employee"))
    search_and_enter(page, qtbot, person.conflict.xero_name)
    assert page.current_row() is not None and page.current_row().conflict.kind == "employee"
    assert page.create_button.isEnabled() and not page.rename_button.isEnabled()
    page.decide_current("rename", new_name="Someone Else")  # e.g. a keyboard shortcut
    assert decision(conn, person.key) is None
    assert "is a person" in page.banner.label.text()
    page.kind_combo.setCurrentIndex(0)
    search_and_enter(page, qtbot, "department of planning")
    assert page.current_row().conflict.kind == "customer" and page.rename_button.isEnabled()
