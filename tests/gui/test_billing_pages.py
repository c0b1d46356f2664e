"""Bill time in Xero in the wizard, on the Demo Company (AU): the home page's button, the days,
the hours left out, the preview with amounts, sending (stop asks first), the result with its
links and Undo; the status of the invoices on the home page and in the history; French."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWizard

from core.app.cli import Output, cmd_connect_xero
from core.app.invoicing import invoice_statuses, turn_invoicing_on
from core.app.sync import sync
from core.store.models import ImportRun, JournalEntry
from wizard.i18n import install_language
from wizard.pages.billing_preview import BillingPreviewPage
from wizard.pages.billing_range import BillingRangePage, from_qdate, to_qdate
from wizard.pages.billing_send import BillingSendPage
from wizard.pages.home import HomePage
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

WAIT = 20000
QUIET = Output(as_json=True, stream=open("/dev/null", "w"))


def hours_range(box) -> tuple[date, date]:
    days = sorted(t["date"] for t in box.store.qbtime["timesheets"])
    return date.fromisoformat(days[0]), date.fromisoformat(days[-1])


def org_invoices(box, conn):
    org = next(o for o in box.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)
    return [i for i in org.get("Invoices", []) if i.get("Type") == "ACCREC"]


@pytest.fixture
def imported(connected_env):
    """The AU organisation imported (customers linked to Xero contacts)."""
    ctx, box, _tenants, conn = connected_env
    ctx.sleep = lambda s: None
    sync(ctx, conn)
    return ctx, box, conn


def signed_in_for_invoicing(ctx):
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)


@pytest.fixture
def wizard(imported, qtbot):
    made = []

    def make(language: str = "en") -> BridgeWizard:
        ctx, _box, conn = imported
        install_language(language)
        state = WizardState(ctx, language=language, country="AU", connection_id=conn.id)
        wiz = BridgeWizard(state, already_set_up=True)
        qtbot.addWidget(wiz)
        wiz.show()
        made.append(wiz)
        home = wiz.pages[PageId.HOME]
        qtbot.waitUntil(
            lambda: (
                not home.busy and (home._statuses is not None or home._statuses_failed is not None)
            ),
            timeout=WAIT,
        )
        return wiz

    yield make
    for wiz in made:
        wiz.tasks.wait(WAIT)


def go_to_range(wiz, qtbot) -> BillingRangePage:
    home = wiz.pages[PageId.HOME]
    assert isinstance(home, HomePage) and home.bill_button.isVisible()
    home.bill_button.click()
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_RANGE), timeout=WAIT)
    page = wiz.currentPage()
    assert isinstance(page, BillingRangePage)
    qtbot.waitUntil(lambda: page._defaults_set, timeout=WAIT)
    return page


def preview(wiz, qtbot, page: BillingRangePage, start: date, end: date) -> BillingPreviewPage:
    page.start_edit.setDate(to_qdate(start))
    page.end_edit.setDate(to_qdate(end))
    assert page.isComplete()
    wiz.next()
    qtbot.waitUntil(
        lambda: wiz.currentId() == int(PageId.BILL_PREVIEW) or page.banner.isVisible(),
        timeout=WAIT,
    )
    if wiz.currentId() != int(PageId.BILL_PREVIEW):
        raise AssertionError(page.banner.label.text())
    result = wiz.currentPage()
    assert isinstance(result, BillingPreviewPage)
    return result


def send(wiz, qtbot) -> BillingSendPage:
    wiz.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_SEND), timeout=WAIT)
    page = wiz.currentPage()
    assert isinstance(page, BillingSendPage)
    qtbot.waitUntil(lambda: page.isComplete() and not page.busy, timeout=WAIT)
    return page


def preview_numbers(page: BillingPreviewPage) -> dict:
    sent = [i for i in page.preview.invoices if i.action in ("create", "update")]
    amounts: dict[str, Decimal] = {}
    for inv in sent:
        for line in inv.lines:
            amounts[inv.currency] = amounts.get(inv.currency, Decimal(0)) + Decimal(
                str(line.amount)
            )
    return {
        "invoices": len(sent),
        "lines": sum(len(i.lines) for i in sent),
        "hours": round(sum(Decimal(str(line.hours)) for i in sent for line in i.lines), 2),
        "amounts": {c: round(v, 2) for c, v in amounts.items()},
    }


# ============================================================================ the whole path
def test_bill_time_from_home_to_the_result_then_undo(wizard, imported, qtbot, monkeypatch):
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    wiz = wizard()
    home = wiz.pages[PageId.HOME]
    assert "No invoice made here yet" in home.invoices_label.text()

    page = go_to_range(wiz, qtbot)
    # never billed: the last full month is proposed
    start, end = from_qdate(page.start_edit.date()), from_qdate(page.end_edit.date())
    assert start.day == 1 and end.month == start.month and (end + timedelta(days=1)).day == 1
    assert end < date.today() <= end + timedelta(days=31)
    # a range the wrong way round says what to do, and Next waits
    page.start_edit.setDate(to_qdate(date(2026, 11, 30)))
    page.end_edit.setDate(to_qdate(date(2026, 11, 1)))
    assert not page.isComplete() and page.error_label.isVisible()
    assert "Choose a first day on or before the last day" in page.error_label.text()

    first, last = hours_range(box)
    prev = preview(wiz, qtbot, page, first, last)
    numbers = preview_numbers(prev)
    assert numbers["invoices"] > 0 and numbers["lines"] > 0
    assert not org_invoices(box, conn)  # nothing sent by the preview
    # the headline states the same numbers as the tree
    headline = prev.headline.text()
    assert f"{numbers['invoices']} draft invoice" in headline
    assert f"{numbers['lines']} line" in headline
    assert f"{numbers['hours']:.2f}" in headline.replace(",", "")
    # every invoice with its lines: hours, unit price, where the price comes from, amount
    tree = prev.tree
    assert tree.topLevelItemCount() == len(prev.preview.invoices)
    top = tree.topLevelItem(0)
    inv = prev.preview.invoices[0]
    assert top.text(0).startswith(inv.contact_name) and top.childCount() == len(inv.lines)
    line = top.child(0)
    assert line.text(3) in ("Item price in Xero", "Job rate in QuickBooks Time")
    assert line.text(4).startswith(inv.currency)
    # the hours left out, each with its reason
    problems = prev.preview.problems
    assert prev.problems.rowCount() == len(problems)
    if problems:
        assert prev.problems_box.isVisible()
        assert prev.problems.item(0, 1).text() == problems[0][1]

    done = send(wiz, qtbot)
    result = done._result
    data = result.as_json()
    # the preview's numbers are the result's
    assert data["invoices"]["created"] + data["invoices"]["updated"] == numbers["invoices"]
    assert data["lines"] == numbers["lines"]
    assert Decimal(str(data["hours"])) == numbers["hours"]
    assert {c: Decimal(str(v)) for c, v in data["amount_by_currency"].items()} == numbers["amounts"]
    assert f"{numbers['invoices']} draft invoice" in done.status.text()
    assert done.problems.rowCount() == len(problems)
    assert done.problems_label.text().startswith(f"Hours not billed ({len(problems)})")
    sent = org_invoices(box, conn)
    assert len(sent) == numbers["invoices"] and {i["Status"] for i in sent} == {"DRAFT"}
    # each invoice with its number, status and a link that opens it in Xero
    qtbot.waitUntil(lambda: done.table.rowCount() == numbers["invoices"], timeout=WAIT)
    numbers_shown = {done.table.item(r, 1).text() for r in range(done.table.rowCount())}
    assert numbers_shown == {i["InvoiceNumber"] for i in sent}
    assert {done.table.item(r, 3).text() for r in range(done.table.rowCount())} == {"Draft"}
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    button = done.table.cellWidget(0, 4)
    assert isinstance(button, QPushButton) and button.text() == "Open in Xero"
    button.click()
    statuses = {s.url for s in invoice_statuses(ctx, conn)}
    assert len(opened) == 1 and opened[0].toString() in statuses

    # Undo asks first, then deletes the drafts
    assert done.undo_button.isEnabled()
    done.undo_button.click()
    box_ = done._question
    assert isinstance(box_, QMessageBox) and "draft invoices" in box_.text()
    yes = next(b for b in box_.buttons() if "Delete the drafts" in b.text())
    yes.click()
    qtbot.waitUntil(lambda: done._undone is not None and not done.busy, timeout=WAIT)
    assert {i["Status"] for i in org_invoices(box, conn)} == {"DELETED"}, [
        (j.state, j.error, j.action)
        for j in JournalEntry.select().where(JournalEntry.run == done._undone.id)
    ]
    assert "Undone" in done.status.text()
    assert not done.undo_button.isEnabled()
    qtbot.waitUntil(
        lambda: {done.table.item(r, 3).text() for r in range(done.table.rowCount())} == {"Deleted"},
        timeout=WAIT,
    )


def test_a_sign_in_without_invoices_is_asked_again_then_previews(wizard, imported, qtbot):
    _ctx, box, conn = imported
    wiz = wizard()
    page = go_to_range(wiz, qtbot)
    first, last = hours_range(box)
    page.start_edit.setDate(to_qdate(first))
    page.end_edit.setDate(to_qdate(last))
    wiz.next()
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.busy, timeout=WAIT)
    assert wiz.currentId() == int(PageId.BILL_RANGE)
    assert "Sign in to Xero again" in page.banner.label.text()
    assert page.banner.button.isVisible() and "Connect to Xero" in page.banner.button.text()
    # its button is the page's main action (Enter), not "Preview invoices", which would only
    # fail again until the new sign-in
    assert wiz.primary_button() is page.banner.button and page.banner.button.isDefault()
    assert not wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    assert not org_invoices(box, conn)
    page.banner.button.click()  # the Demo Company's consent page says yes
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_PREVIEW), timeout=WAIT)
    assert wiz.currentPage().preview is not None


def test_stopping_asks_first_and_leads_to_the_result(wizard, imported, qtbot):
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    wiz = wizard()
    page = go_to_range(wiz, qtbot)
    prev = preview(wiz, qtbot, page, *hours_range(box))
    box.xero_faults.latency_s = 0.3  # slow enough to press Cancel while it sends
    wiz.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_SEND), timeout=WAIT)
    send_page = wiz.currentPage()
    assert isinstance(send_page, BillingSendPage) and send_page.running
    wiz.reject()  # the window's Cancel (or Escape): asks, and the window stays
    question = send_page._question
    assert isinstance(question, QMessageBox) and question.isVisible()
    assert wiz.isVisible()
    stop = next(b for b in question.buttons() if "Stop" in b.text() and "Keep" not in b.text())
    stop.click()
    qtbot.waitUntil(lambda: send_page.isComplete() and not send_page.busy, timeout=WAIT)
    box.xero_faults.latency_s = 0
    assert wiz.isVisible() and wiz.currentId() == int(PageId.BILL_SEND)
    assert send_page.status.text()  # the result: what was sent
    sent = len(org_invoices(box, conn))
    data = send_page._result.as_json() if send_page._result is not None else None
    if data is not None:
        assert data["invoices"]["created"] == sent
    assert prev.preview is not None
    assert not shiboken6.isValid(question) or not question.isVisible()


# ============================================================================ status back
def test_the_home_page_and_the_history_show_the_invoices_status(wizard, imported, qtbot):
    from core.app.invoicing import bill_time

    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    first, last = hours_range(box)
    result = bill_time(ctx, conn, start=first, end=last)
    made = result.as_json()["invoices"]["created"]
    assert made >= 2
    wiz = wizard()
    home = wiz.pages[PageId.HOME]
    assert home._statuses["draft"] == made and home._statuses["paid"] == 0
    assert f"{made} draft, 0 approved, 0 paid, 0 deleted" in home.invoices_label.text()

    paid = org_invoices(box, conn)[0]
    api = box.xero.api
    api.demo_user_changes_invoice(conn.xero_tenant_id, paid["InvoiceID"], "approve")
    api.demo_user_changes_invoice(conn.xero_tenant_id, paid["InvoiceID"], "pay")
    home.read_invoice_statuses()
    assert "Reading" in home.invoices_label.text() and not home.busy  # never blocks the page
    qtbot.waitUntil(lambda: home._statuses is not None, timeout=WAIT)
    assert home._statuses["paid"] == 1 and home._statuses["draft"] == made - 1
    assert f"{made - 1} draft, 0 approved, 1 paid, 0 deleted" in home.invoices_label.text()

    # the history: the billing run, and its invoices with their status
    home.show_history()
    history = home.history
    qtbot.waitUntil(lambda: history.isVisible() and not history.busy, timeout=WAIT)
    row = next(r for r, run in enumerate(history._rows) if run.kind == "invoicing")
    assert history.table.item(row, 1).text() == f"Billing {result.run.id}"
    history.table.selectRow(row)
    qtbot.waitUntil(lambda: len(history._invoice_rows) == made, timeout=WAIT)
    assert history.invoices.isVisible()
    words = sorted(history.invoices.item(r, 3).text() for r in range(made))
    assert words == sorted(["Paid"] + ["Draft"] * (made - 1))
    assert history.undo_button.text() == "&Undo this billing" and history.undo_button.isEnabled()
    assert history.table.item(row, 3).text() == f"Draft invoices in Xero: {made} created"

    # Undo from the history: the drafts are deleted, the paid invoice is left alone
    history.undo_button.click()
    question = history._question
    assert isinstance(question, QMessageBox) and f"billing {result.run.id}" in question.text()
    next(b for b in question.buttons() if "Delete the drafts" in b.text()).click()
    # (the paid one left as it is: said as part of the billing, never "deleted")
    qtbot.waitUntil(
        lambda: (
            not history.busy
            and f"Part of billing {result.run.id} could not be undone"
            in history.banner.label.text()
        ),
        timeout=WAIT,
    )
    statuses = sorted(i["Status"] for i in org_invoices(box, conn))
    assert statuses == sorted(["PAID"] + ["DELETED"] * (made - 1))
    history.reject()
    home.read_invoice_statuses()
    qtbot.waitUntil(lambda: home._statuses is not None, timeout=WAIT)
    assert f"0 draft, 0 approved, 1 paid, {made - 1} deleted" in home.invoices_label.text()


def test_offline_the_home_page_says_the_status_is_not_known(wizard, imported, qtbot):
    from core.app.invoicing import bill_time

    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    bill_time(ctx, conn, start=hours_range(box)[0], end=hours_range(box)[1])
    box.xero_faults.force("reset", times=100, path_contains="Invoices")  # Xero cannot answer
    try:
        wiz = wizard()
    finally:
        box.xero_faults.clear()
    home = wiz.pages[PageId.HOME]
    assert home._statuses_failed is not None
    assert "not known: Xero could not be reached" in home.invoices_label.text()


# ============================================================================ French
def test_the_billing_pages_in_french(wizard, imported, qtbot):
    ctx, box, _conn = imported
    signed_in_for_invoicing(ctx)
    wiz = wizard("fr")
    home = wiz.pages[PageId.HOME]
    assert home.bill_button.text() == "&Facturer le temps dans Xero…"
    page = go_to_range(wiz, qtbot)
    assert page.title() == "Facturer le temps dans Xero"
    assert page.unapproved_box.text() == "&Inclure les heures pas encore approuvées"
    assert wiz.button(QWizard.WizardButton.NextButton).text() == "&Aperçu des factures"
    prev = preview(wiz, qtbot, page, *hours_range(box))
    assert prev.title() == "Aperçu des factures"
    assert wiz.button(QWizard.WizardButton.CommitButton).text() == "&Envoyer à Xero"
    assert "brouillon" in prev.headline.text()
    done = send(wiz, qtbot)
    assert done.undo_button.text() == "&Défaire\u00a0: supprimer ces brouillons…"
    qtbot.waitUntil(lambda: done.table.rowCount() > 0, timeout=WAIT)
    assert done.table.item(0, 3).text() == "Brouillon"
    assert done.table.cellWidget(0, 4).text() == "Ouvrir dans Xero"
    install_language("en")


def test_billing_runs_are_named_in_the_history_words():
    from wizard.words import run_kind_words

    assert run_kind_words("invoicing") == "Bill time in Xero"
    assert run_kind_words("import") == "Import"


def test_range_page_remembers_the_range_of_the_last_billing(imported, qtbot, host):
    from core.app.invoicing import bill_time

    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    first, last = hours_range(box)
    bill_time(ctx, conn, start=first, end=last)
    run = ImportRun.select().where(ImportRun.kind == "invoicing").get()
    assert run.options["to"] == last.isoformat()
    state = WizardState(ctx, country="AU", connection_id=conn.id)
    wiz = host(state, {PageId.BILL_RANGE: BillingRangePage})
    page = wiz.pages[PageId.BILL_RANGE]
    qtbot.waitUntil(lambda: page._defaults_set, timeout=WAIT)
    if last < date.today() - timedelta(days=1):  # from the day after, up to yesterday
        assert from_qdate(page.start_edit.date()) == last + timedelta(days=1)
        assert from_qdate(page.end_edit.date()) == date.today() - timedelta(days=1)


def test_bill_time_works_while_the_home_page_still_checks_xero(imported, qtbot):
    ctx, box, conn = imported
    box.xero_faults.latency_s = 0.2  # the home page's check for changes takes a while
    state = WizardState(ctx, language="en", country="AU", connection_id=conn.id)
    wiz = BridgeWizard(state, already_set_up=True)
    qtbot.addWidget(wiz)
    wiz.show()
    home = wiz.pages[PageId.HOME]
    qtbot.waitUntil(lambda: home.busy, timeout=WAIT)
    home.bill_button.click()
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.BILL_RANGE), timeout=WAIT)
    box.xero_faults.latency_s = 0
    wiz.tasks.wait(WAIT)
