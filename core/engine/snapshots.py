"""Small questions about the local snapshots that the wizard's options page asks."""

from __future__ import annotations

from collections.abc import Iterable

from core.engine.records import XeroContact
from core.store.models import Connection, QBTRecord, XeroRecord


def has_snapshot(conn: Connection) -> bool:
    """True when an earlier fetch stored records from Xero and from QuickBooks Time, so the
    options, the review and the preview can go on without a network."""
    xero = XeroRecord.select().where(XeroRecord.connection == conn).limit(1).exists()
    qbt = QBTRecord.select().where(QBTRecord.connection == conn).limit(1).exists()
    return bool(xero and qbt)


def addable_contacts(contacts: Iterable[XeroContact]) -> list[XeroContact]:
    """Contacts that "Manage Xero customers" offers: active, and not customers yet (never
    invoiced), so the import leaves them out unless the user adds them by hand."""
    return [c for c in contacts if not c.archived and not c.is_customer]
