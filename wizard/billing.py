"""What the "Bill time in Xero" pages and the history dialog share: the invoices of a billing
run with their status in Xero (read in a worker), their words, amounts and links."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QLocale, QUrl
from PySide6.QtGui import QDesktopServices

if TYPE_CHECKING:
    from core.app.context import AppContext


def money(amount: Any, currency: str) -> str:
    """An amount with its currency, in the user's language: "AUD 1,234.50"."""
    value = float(amount or 0)
    return f"{currency} {QLocale().toString(value, 'f', 2)}".strip()


def amount_words(amount: Any, currency: str, line_amount_types: str) -> str:
    """An amount with what it is: before tax, tax included or no tax (Xero's
    ``LineAmountTypes`` of its invoice; Xero works out the tax, this app never does)."""
    value = money(amount, currency)
    if line_amount_types == "Inclusive":
        return QCoreApplication.translate("TaxWords", "{amount} incl. tax").format(amount=value)
    if line_amount_types == "NoTax":
        return QCoreApplication.translate("TaxWords", "{amount}, no tax").format(amount=value)
    return QCoreApplication.translate("TaxWords", "{amount} excl. tax").format(amount=value)


def hours_text(hours: Any) -> str:
    return QLocale().toString(float(hours or 0), "f", 2)


@dataclass(frozen=True)
class SentInvoice:
    """One invoice of a billing run, as the result page and the history show it."""

    contact: str
    number: str
    total: Decimal
    currency: str
    status: str  # Xero's Status: DRAFT, SUBMITTED, AUTHORISED, PAID, DELETED, VOIDED
    url: str


def run_invoices(ctx: AppContext, connection_id: int, run_id: int) -> list[SentInvoice]:
    """The invoices a billing run created or added hours to, with their status in Xero now
    (network: one call for those that changed)."""
    from core.app.invoicing import ENTITY, invoice_statuses
    from core.store.models import Connection, JournalEntry

    conn = Connection.get_by_id(connection_id)
    ids = {
        str(row.xero_id)
        for row in JournalEntry.select(JournalEntry.xero_id).where(
            (JournalEntry.run == run_id)
            & (JournalEntry.entity_kind == ENTITY)
            & (JournalEntry.state == "done")
            & JournalEntry.xero_id.is_null(False)
        )
    }
    return [
        SentInvoice(s.contact, s.number, Decimal(str(s.total)), s.currency, s.xero_status, s.url)
        for s in invoice_statuses(ctx, conn)
        if s.invoice_id in ids
    ]


def status_words(status: str) -> str:
    """An invoice's status in Xero, in plain words (Xero's own names)."""
    words = {
        "DRAFT": QCoreApplication.translate("InvoiceStatus", "Draft"),
        "SUBMITTED": QCoreApplication.translate("InvoiceStatus", "Awaiting approval"),
        "AUTHORISED": QCoreApplication.translate("InvoiceStatus", "Approved"),
        "PAID": QCoreApplication.translate("InvoiceStatus", "Paid"),
        "DELETED": QCoreApplication.translate("InvoiceStatus", "Deleted"),
        "VOIDED": QCoreApplication.translate("InvoiceStatus", "Voided"),
        "": QCoreApplication.translate("InvoiceStatus", "Not known"),
    }
    return words.get(status.upper(), status)


def open_in_xero(url: str) -> bool:
    return bool(url) and QDesktopServices.openUrl(QUrl(url))


def name_open_button(button: Any, invoice: SentInvoice) -> None:
    """An invoice's "Open in Xero" button says to a screen reader which invoice it opens
    (every row's button shows the same words)."""
    if invoice.number:
        name = QCoreApplication.translate(
            "OpenInvoice", "Open invoice {number} of {customer} in Xero"
        ).format(number=invoice.number, customer=invoice.contact)
    else:
        name = QCoreApplication.translate(
            "OpenInvoice", "Open the invoice of {customer} in Xero"
        ).format(customer=invoice.contact)
    button.setAccessibleName(name)
    button.setAccessibleDescription(
        QCoreApplication.translate("OpenInvoice", "Opens the invoice in Xero, in your web browser.")
    )
    button.setToolTip(name)
