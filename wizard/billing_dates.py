"""What the first page of "Bill time in Xero" chooses, and the dates it proposes: plain
Python, no Qt. Apart from wizard.state, which the window needs to open: the dates (datetime)
and this choice are made when that way is first taken (issue 16)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class BillingChoice:
    """What the user chose on the first page of "Bill time in Xero"."""

    start: date
    end: date
    include_unapproved: bool = False
    name_people: bool = False


def default_billing_range(today: date, last_end: date | None = None) -> tuple[date, date]:
    """The range "Bill time in Xero" proposes: from the day after the last billing run's range
    up to yesterday when there was one, else the last full month. ``today`` is the
    organisation's (its own time zone: core.app.invoicing.billing_today)."""
    yesterday = today - timedelta(days=1)
    if last_end is not None and last_end < yesterday:
        return last_end + timedelta(days=1), yesterday
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return last_month_end.replace(day=1), last_month_end
