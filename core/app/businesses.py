"""Several businesses in one install (a bookkeeper's clients): each is one pair, a Xero
organisation ↔ a QuickBooks Time company (:class:`~core.store.models.Connection`).

The home page lists them with their state (:func:`business_states`, read in a worker) and
shows one at a time: the one chosen last is remembered (:func:`remember_current`) so the app
opens on it next time (:func:`current_connection`). Nothing here knows about Qt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.app.connections import CURRENT_SETTING, active_connections, remember_current
from core.services.qbtime.keycheck import WEB_APP_URL
from core.store.models import Connection, Setting, XeroRecord

__all__ = [
    "BusinessState",
    "business_state",
    "business_states",
    "current_connection",
    "decisions_waiting",
    "decisions_waiting_by_business",
    "qbtime_address",
    "remember_current",
]

log = logging.getLogger(__name__)
#: QuickBooks Time's sign-in page, when the account's own address is not known
QBTIME_SIGN_IN_URL = WEB_APP_URL


@dataclass(frozen=True)
class BusinessState:
    """One business as the home page's list shows it."""

    connection_id: int
    organisation: str
    company: str
    country: str
    #: the last import: its status ("" when none yet) and when it ended (or started)
    last_status: str
    last_when: datetime | None
    #: whether anything was read from Xero for it yet (snapshots exist)
    read: bool
    #: records that wait for a decision in the review; None: not counted (yet), or nothing
    #: read (:func:`decisions_waiting_by_business` counts them, planning each business)
    waiting: int | None
    #: where "Open QuickBooks Time" goes (:func:`qbtime_address`)
    qbtime_url: str


def decisions_waiting(conn: Connection) -> int | None:
    """How many records of ``conn`` need a decision in the review (look-alike records), by
    the rule every page counts with (core.app.decisions), from the local snapshots (no
    network); None when nothing was read from Xero yet."""
    from core.app.decisions import records_needing_decision

    if not _was_read(conn):
        return None
    return records_needing_decision(conn)


def _was_read(conn: Connection) -> bool:
    return bool(XeroRecord.select().where(XeroRecord.connection == conn).exists())


def business_state(conn: Connection, *, counted: bool = True) -> BusinessState:
    """One business's state; ``counted=False`` leaves the records waiting uncounted (the
    count plans the business: the home page asks for it apart, in the engine's process)."""
    from core.engine.report import last_import

    run = last_import(conn)
    return BusinessState(
        connection_id=int(conn.id),
        organisation=conn.xero_tenant_name,
        company=conn.qbtime_company_name,
        country=conn.xero_country_code or "",
        last_status=run.status if run is not None else "",
        last_when=(run.finished_at or run.started_at) if run is not None else None,
        read=_was_read(conn),
        waiting=decisions_waiting(conn) if counted else None,
        qbtime_url=qbtime_address(conn),
    )


def business_states(*, counted: bool = True) -> list[BusinessState]:
    """Every connected business, oldest first, with its state (reads the database and, when
    ``counted``, plans each one from its snapshots: run it in a worker)."""
    return [business_state(conn, counted=counted) for conn in active_connections()]


def decisions_waiting_by_business() -> dict[int, int | None]:
    """``{connection id: records that need a decision}`` for every connected business (None:
    nothing read yet). Plans each business: in the engine's process when the window has one
    (core.app.worker_process.decisions_waiting)."""
    return {int(conn.id): decisions_waiting(conn) for conn in active_connections()}


def current_connection() -> Connection | None:
    """The business to open on: the one shown last if it is still connected, else the
    oldest connected one; None when nothing is connected."""
    conns = active_connections()
    remembered = Setting.get_value(CURRENT_SETTING)
    for conn in conns:
        if conn.id == remembered:
            return conn
    return conns[0] if conns else None


def qbtime_address(conn: Any) -> str:
    """Where "Open QuickBooks Time" goes: the account's own address when its name is known
    (``https://<account>.tsheets.com/``), else QuickBooks Time's sign-in page."""
    from core.app.invoicing import hours_url

    return hours_url(conn) or QBTIME_SIGN_IN_URL
