"""``main.py screenshots --out DIR --lang en,fr``: walk the Demo Company flow offscreen and save
one PNG per page and dialog, per language (the README shows some of them).

Everything happens in a throwaway folder with an in-memory keyring: no secret is kept, and
the screenshots show the Demo Company only.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.resources import resource

if TYPE_CHECKING:
    from .wizard import BridgeWizard

SMALL = (800, 600)

#: The screen the window is drawn on offscreen: a common desktop's (1920×1080 at 100 %), as in
#: the tests (tests/conftest.py). Qt's offscreen platform alone has an 800×800 screen, which the
#: window fits (BridgeWizard.fit_to_screen): 796 px wide, the list of steps without names.
SCREEN_FILE = resource("demo", "offscreen_screen.json")


def use_desktop_screen() -> None:
    """Draw offscreen (unless another platform is asked for: QT_QPA_PLATFORM=xcb draws on
    the desktop) on ``SCREEN_FILE``'s screen, unless a screen file is given already. Before
    the QApplication is made: Qt reads the platform once."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").strip() or "offscreen"
    name, _, arguments = platform.partition(":")
    if name.strip().lower() != "offscreen" or "configfile=" in arguments:
        os.environ["QT_QPA_PLATFORM"] = platform
        return
    if not SCREEN_FILE.is_file():
        raise RuntimeError(
            f"{SCREEN_FILE} is missing: take the screenshots from a source checkout "
            "(make screenshots)"
        )
    path = str(SCREEN_FILE)
    if ":" in path:  # Qt splits the platform's arguments at each ":" (a Windows drive)
        try:
            path = os.path.relpath(path)
        except ValueError:  # on another drive than the current folder
            pass
    if ":" in path:
        raise RuntimeError(
            f"Qt cannot be given {SCREEN_FILE} from here: run the screenshots from a folder "
            "on the same drive"
        )
    os.environ["QT_QPA_PLATFORM"] = ":".join(filter(None, ("offscreen", arguments))) + (
        f":configfile={path}"
    )


class Driver:
    def __init__(self, out: Path, language: str) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is None:
            raise RuntimeError("make the QApplication first (ensure_app)")
        self.app = app
        self.out = out
        self.language = language
        self.saved: list[Path] = []

    def pump(self, until: Callable[[], bool] | None = None, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.app.processEvents()
            if until is None or until():
                if until is None:
                    time.sleep(0.05)
                    self.app.processEvents()
                return
            time.sleep(0.02)
        raise TimeoutError("the wizard did not get there in time")

    def shot(self, widget, name: str, *, small: bool = True) -> None:
        for label, size in (("", None), ("-small", SMALL)) if small else (("", None),):
            if size is not None:
                old = widget.size()
                widget.resize(*size)
            self.pump()
            path = self.out / f"{name}{label}.{self.language}.png"
            widget.grab().save(str(path))
            self.saved.append(path)
            if size is not None:
                widget.resize(old)
                self.pump()


def _dispose(driver: Driver, wizard: BridgeWizard) -> None:
    """Close and really delete a wizard now: Qt objects left for the interpreter's final
    garbage collection have crashed PySide6 at exit."""
    from PySide6.QtCore import QCoreApplication, QEvent

    wizard.stop_background_work()
    wizard.close()
    wizard.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    driver.pump()


def _run_language(out: Path, language: str) -> list[Path]:
    from core.app.context import AppContext
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.store.paths import AppPaths
    from core.store.secrets import demo_memory_store

    from .app import ensure_app
    from .i18n import install_language
    from .pages.home import HomePage
    from .state import PageId, WizardState
    from .wizard import BridgeWizard

    ensure_app()
    home = Path(tempfile.mkdtemp(prefix="xqb-shots-"))
    os.environ["XQB_HOME"] = str(home)
    paths = AppPaths.default().ensure()
    box = Sandbox.open(DEMO_COMPANY_FILE, home / "demo-state")
    au = next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"].endswith("Australia"))
    # A throwaway in-memory keyring, but the pages drawn as on a computer that has secure
    # password storage (most have): the first page's warning about its absence is not what
    # the README should show every reader.
    tokens = demo_memory_store()
    tokens.in_memory = False
    ctx = AppContext.create(
        demo=True,
        paths=paths,
        tokens=tokens,
        opener=demo_consent_opener([au]),
        sandbox=box,
    )
    ctx.open_db()
    install_language(language)
    driver = Driver(out, language)
    try:
        state = WizardState(ctx, language=language)
        wizard = BridgeWizard(state)
        wizard.show()

        def page(page_id: PageId):
            return wizard.pages[page_id]

        def idle(page_id: PageId) -> Callable[[], bool]:
            return lambda: not page(page_id).busy

        def next_page(expected: PageId) -> None:
            wizard.next()
            driver.pump(lambda: wizard.currentId() == int(expected))

        # 1. welcome
        welcome = page(PageId.WELCOME)
        welcome._select("AU")
        driver.pump()
        driver.shot(wizard, "01-welcome")
        next_page(PageId.QBTIME)
        # 2. QuickBooks Time
        qbt = page(PageId.QBTIME)
        qbt.key_edit.setText(box.qbtime_token)
        qbt.check_button.click()
        driver.pump(lambda: not qbt.busy and qbt.isComplete())
        driver.shot(wizard, "02-qbtime")
        next_page(PageId.XERO_CONNECT)
        # 3. Xero
        xero = page(PageId.XERO_CONNECT)
        driver.shot(wizard, "03-xero-before", small=False)
        xero.connect_button.click()
        driver.pump(lambda: not xero.busy and xero.isComplete())
        driver.shot(wizard, "03-xero")
        next_page(PageId.ORGANISATION)
        # 4. organisation
        org = page(PageId.ORGANISATION)
        driver.pump(lambda: org.isComplete() or "payroll" in org.banner.label.text().lower(), 20)
        driver.pump(lambda: not org.busy)
        if not org.isComplete():  # a payroll organisation asks once more for payroll access
            for button in org.findChildren(type(xero.connect_button)):
                if button.isVisible() and button.isEnabled() and "payroll" in button.text().lower():
                    button.click()
                    break
            driver.pump(lambda: org.isComplete(), 30)
        driver.shot(wizard, "04-organisation")
        next_page(PageId.OPTIONS)
        # 5. options (+ dialogs)
        options = page(PageId.OPTIONS)
        driver.pump(idle(PageId.OPTIONS), 30)
        driver.shot(wizard, "05-options")
        options.open_customers()
        driver.pump(
            lambda: (
                getattr(options, "customers_dialog", None) is not None
                and options.customers_dialog.isVisible()
            ),
            20,
        )
        driver.shot(options.customers_dialog, "05a-manage-customers", small=False)
        options.customers_dialog.reject()
        driver.pump(idle(PageId.OPTIONS))
        options.open_leave_links()
        driver.pump(
            lambda: (
                getattr(options, "leave_dialog", None) is not None
                and options.leave_dialog.isVisible()
            ),
            20,
        )
        driver.shot(options.leave_dialog, "05b-leave-links", small=False)
        options.leave_dialog.reject()
        driver.pump(idle(PageId.OPTIONS))
        next_page(PageId.REVIEW)
        # 6. review
        review = page(PageId.REVIEW)
        driver.pump(idle(PageId.REVIEW), 30)
        if review.table.model().rowCount():
            review.table.selectRow(0)
        driver.shot(wizard, "06-review")
        next_page(PageId.PREVIEW)
        # 7. preview
        driver.pump(idle(PageId.PREVIEW), 30)
        driver.shot(wizard, "07-preview")
        next_page(PageId.IMPORT)
        # 8. import
        run = page(PageId.IMPORT)
        driver.pump(lambda: not run.running, 120)
        driver.shot(wizard, "08-import")
        next_page(PageId.DONE)
        # 9. done
        driver.pump(idle(PageId.DONE))
        driver.shot(wizard, "09-done")
        _dispose(driver, wizard)
        # 0. home (the app opened again once set up) + history
        state = WizardState(
            ctx, language=language, connection_id=state.connection_id, country=state.country
        )
        wizard = BridgeWizard(state, already_set_up=True)
        wizard.show()
        home_page = wizard.pages[PageId.HOME]
        if not isinstance(home_page, HomePage):
            raise TypeError(f"the home page is a {type(home_page).__name__}")
        driver.pump(lambda: not home_page.busy, 30)
        driver.shot(wizard, "00-home")
        home_page.show_history()
        driver.pump(lambda: home_page.history is not None and home_page.history.isVisible())
        driver.pump(lambda: not getattr(home_page.history, "busy", False))
        driver.shot(home_page.history, "00a-history", small=False)
        home_page.history.reject()
        _send_hours(driver, wizard, home_page)
        _bill_time(driver, wizard, home_page)
        _several_businesses(driver, wizard, home_page, ctx, box)
        _leave_changed(driver, wizard, home_page, ctx, box)
        _bill_update(driver, wizard, home_page, box)
        _dispose(driver, wizard)
    finally:
        ctx.close()
        install_language("en")
    return driver.saved


def _bill_time(driver: Driver, wizard: BridgeWizard, home_page) -> None:
    """ "Bill time in Xero" from the home page: the days, the preview, the result; then the
    home page and the history with the invoices' status."""
    from .state import PageId

    driver.pump(lambda: home_page._statuses is not None or home_page._statuses_failed, 30)
    home_page.bill_button.click()
    driver.pump(lambda: wizard.currentId() == int(PageId.BILL_RANGE))
    driver.shot(wizard, "10-bill-range")
    bill_range = wizard.pages[PageId.BILL_RANGE]
    wizard.next()
    driver.pump(
        lambda: (
            wizard.currentId() == int(PageId.BILL_PREVIEW)
            or (bill_range.banner.isVisible() and not bill_range.busy)
        ),
        60,
    )
    if wizard.currentId() != int(PageId.BILL_PREVIEW):  # signed in before invoicing was on
        driver.shot(wizard, "10a-bill-sign-in-again")
        bill_range.banner.button.click()
        driver.pump(lambda: wizard.currentId() == int(PageId.BILL_PREVIEW), 60)
    driver.shot(wizard, "11-bill-preview")
    wizard.next()
    from .pages.billing_send import BillingSendPage

    send = wizard.pages[PageId.BILL_SEND]
    if not isinstance(send, BillingSendPage):
        raise TypeError(f"the send page is a {type(send).__name__}")
    driver.pump(lambda: wizard.currentId() == int(PageId.BILL_SEND))
    driver.pump(lambda: not send.running and not send.busy, 120)
    driver.shot(wizard, "12-bill-result")
    wizard.restart()  # back to the home page, as the app opens next time
    driver.pump(lambda: wizard.currentId() == int(PageId.HOME))
    driver.pump(lambda: not home_page.busy and home_page._statuses is not None, 30)
    driver.shot(wizard, "00b-home-invoices")
    home_page.show_history()
    history = home_page.history
    driver.pump(lambda: history.isVisible() and not history.busy)
    for row, run in enumerate(history._rows):
        if run.kind == "invoicing":
            history.table.selectRow(row)
            break
    driver.pump(lambda: bool(history._invoice_rows) or history._invoices_failed, 30)
    driver.shot(history, "00c-history-billing", small=False)
    history.reject()


def _bill_update(driver: Driver, wizard: BridgeWizard, home_page, box) -> None:
    """Billing again after a bookkeeper worked on one of our drafts in Xero (a line added,
    the price of one of our lines lowered) and new hours of that line's kind were logged (and
    the hours of another of its lines corrected, when it has one) in QuickBooks Time: the
    preview shows each line's fate. Nothing is sent."""
    from core.app.invoicing import ENTITY
    from core.store.models import JournalEntry, SentHours

    from .state import PageId

    entries = list(
        JournalEntry.select().where(
            (JournalEntry.entity_kind == ENTITY) & (JournalEntry.state == "done")
        )
    )
    entry = max(entries, key=lambda e: len((e.after or {}).get("lines") or []))
    ours = entry.after["lines"]
    org = next(
        o
        for o in box.store.xero_orgs
        if any(i["InvoiceID"] == entry.xero_id for i in o.get("Invoices", []))
    )
    draft = next(i for i in org["Invoices"] if i["InvoiceID"] == entry.xero_id)
    lines = [dict(x) for x in draft["LineItems"]]
    for x in lines:
        if x["LineItemID"] == ours[0]["LineItemID"]:
            x["UnitAmount"] = round(x["UnitAmount"] * 0.9, 2)
    extra = {"Description": "Materials", "Quantity": 1, "UnitAmount": 45.0}
    box.xero.api.demo_user_edits_lines(org["tenantId"], entry.xero_id, [*lines, extra])

    def sheet_of(line: dict) -> dict:
        sent = (
            SentHours.select()
            .where((SentHours.xero_id == entry.xero_id) & (SentHours.line_key == line["key"]))
            .first()
        )
        return next(t for t in box.store.qbtime["timesheets"] if t["id"] == sent.qbt_timesheet_id)

    with box.store.lock:
        sheets = box.store.qbtime["timesheets"]
        new = {**sheet_of(ours[0]), "id": max(t["id"] for t in sheets) + 1, "duration": 5400}
        new["last_modified"] = new["created"] = "2026-12-04T00:00:00+00:00"
        sheets.append(new)
        if len(ours) >= 2:
            row = sheet_of(ours[1])
            row["duration"] += 3600
            row["last_modified"] = "2026-12-04T00:00:00+00:00"
    wizard.restart()
    driver.pump(lambda: wizard.currentId() == int(PageId.HOME))
    driver.pump(lambda: not home_page.busy, 30)
    home_page.bill_button.click()
    driver.pump(lambda: wizard.currentId() == int(PageId.BILL_RANGE))
    bill_range = wizard.pages[PageId.BILL_RANGE]
    driver.pump(lambda: bool(getattr(bill_range, "_defaults_set", True)), 30)
    wizard.next()
    driver.pump(lambda: wizard.currentId() == int(PageId.BILL_PREVIEW), 60)
    driver.shot(wizard, "11b-bill-preview-update")


def _several_businesses(driver: Driver, wizard: BridgeWizard, home_page, ctx, box) -> None:
    """A second business (a bookkeeper's second client): the UK organisation with the Demo
    Company's second QuickBooks Time account, connected as the headless commands do, read
    once; then the home page that lists both, showing the first."""
    from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero
    from core.app.connections import demo_qbtime_key
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.services.fetch import fetch
    from core.store.models import Connection

    from .state import PageId

    first = wizard.state.connection_id
    uk = next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"].endswith(" UK"))
    ctx.opener = demo_consent_opener([uk])
    with open(os.devnull, "w") as quiet:
        out = Output(as_json=True, stream=quiet)
        cmd_connect_qbtime(ctx, out, demo_qbtime_key(ctx))
        cmd_connect_xero(ctx, out, uk, None)
    fetch(ctx, Connection.get(Connection.xero_tenant_id == uk))
    wizard.state.connection_id = first
    wizard.restart()
    driver.pump(lambda: wizard.currentId() == int(PageId.HOME))
    driver.pump(lambda: len(home_page._businesses) == 2 and not home_page.busy, 30)
    driver.pump(lambda: home_page._statuses is not None or home_page._statuses_failed, 30)
    driver.shot(wizard, "00e-home-businesses")


def _leave_changed(driver: Driver, wizard: BridgeWizard, home_page, ctx, box) -> None:
    """Time off changed in QuickBooks Time after its leave was sent to Xero: the preview shows
    the update with what Xero holds now. Olivia Brown's leave week is sent first (her approved
    timesheet of that week deleted in Xero, as a payroll officer would to send it again), then
    her second day off becomes a half day."""
    from datetime import date

    from core.app.payroll import export_hours
    from core.store.models import Connection

    from .state import PageId

    conn = Connection.get_by_id(wizard.state.connection_id)
    org = next(o for o in box.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)
    qbt = box.store.qbtime
    user = next(u for u in qbt["users"] if (u["first_name"], u["last_name"]) == ("Olivia", "Brown"))
    pto = {j["id"] for j in qbt["jobcodes"] if j["type"] == "pto"}
    off = sorted(
        (t for t in qbt["timesheets"] if t["user_id"] == user["id"] and t["jobcode_id"] in pto),
        key=lambda t: t["date"],
    )
    emp = next(
        e["EmployeeID"]
        for e in org["payroll"]["Employees"]
        if (e["FirstName"], e["LastName"]) == ("Olivia", "Brown")
    )
    day = date.fromisoformat(off[0]["date"])
    with box.store.lock:
        org["payroll"]["Timesheets"] = [
            t for t in org["payroll"]["Timesheets"] if t["EmployeeID"] != emp
        ]
    export_hours(ctx, conn, period=day)
    with box.store.lock:
        off[-1]["duration"] = off[-1]["duration"] // 2
        off[-1]["last_modified"] = "2026-12-03T00:00:00+00:00"
    wizard.restart()
    driver.pump(lambda: wizard.currentId() == int(PageId.HOME))
    driver.pump(lambda: home_page.payroll_box.isVisible() and not home_page.busy, 30)
    home_page.send_hours_button.click()
    period: Any = wizard.pages[PageId.PAYROLL_PERIOD]
    driver.pump(lambda: wizard.currentId() == int(PageId.PAYROLL_PERIOD) and not period.busy, 30)
    row = next(i for i, p in enumerate(period._periods) if p.start <= day <= p.end)
    period.periods.setCurrentRow(row)
    wizard.next()
    driver.pump(lambda: wizard.currentId() != int(PageId.PAYROLL_PERIOD), 60)
    if wizard.currentId() == int(PageId.PAYROLL_PROBLEMS):
        wizard.next()
    driver.pump(lambda: wizard.currentId() == int(PageId.PAYROLL_PREVIEW))
    driver.shot(wizard, "22a-payroll-preview-leave-changed")


def _send_hours(driver: Driver, wizard: BridgeWizard, home_page) -> None:
    """ "Send hours to Xero" from the home page: the period, the problems, the preview, the
    result (then Undo, so Xero Payroll is as it was); back to the home page."""
    from .state import PageId

    driver.pump(lambda: home_page.payroll_box.isVisible() and not home_page.busy, 30)
    driver.shot(wizard, "00d-home-payroll")
    home_page.send_hours_button.click()
    period = wizard.pages[PageId.PAYROLL_PERIOD]
    driver.pump(lambda: wizard.currentId() == int(PageId.PAYROLL_PERIOD) and not period.busy, 30)
    driver.shot(wizard, "20-payroll-period")
    wizard.next()
    driver.pump(lambda: wizard.currentId() != int(PageId.PAYROLL_PERIOD), 60)
    if wizard.currentId() == int(PageId.PAYROLL_PROBLEMS):
        driver.shot(wizard, "21-payroll-problems")
        wizard.next()
    driver.pump(lambda: wizard.currentId() == int(PageId.PAYROLL_PREVIEW))
    driver.shot(wizard, "22-payroll-preview")
    wizard.next()
    done: Any = wizard.pages[PageId.PAYROLL_DONE]
    driver.pump(lambda: wizard.currentId() == int(PageId.PAYROLL_DONE), 120)
    driver.shot(wizard, "24-payroll-result")
    done.undo()  # the screenshots leave Xero Payroll as it was
    driver.pump(lambda: not done.busy and done._undone is not None, 60)
    driver.shot(wizard, "24a-payroll-undone", small=False)
    wizard.restart()
    driver.pump(lambda: wizard.currentId() == int(PageId.HOME))
    driver.pump(lambda: not home_page.busy, 30)


def take_screenshots(out: Path, languages: list[str]) -> int:
    use_desktop_screen()
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for language in languages:
        saved += _run_language(out, language)
    for path in saved:
        print(path)
    print(f"{len(saved)} screenshots in {out}")
    return 0
