"""What QuickBooks Time can answer to a write, as the importer reads it.

The client (core/services/qbtime) builds these; the engine only reads them, so the engine
needs no network code to understand a write's outcome.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import QBTIME, BridgeError

_INT = re.compile(r"^[+-]?\d+$")


def as_opt_int(value: Any) -> int | None:
    """An integer (ids are 64-bit; JSON numbers or digit strings), else None."""
    if type(value) is int:  # the usual answer (a JSON number): one type check
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INT.match(text):
            return int(text)
        try:
            num = float(text)
        except ValueError:
            return None
        return int(num) if num.is_integer() else None
    return None


@dataclass(frozen=True)
class WriteResult:
    """What QB Time answered for one input row.

    * ``input``: the caller's row object itself (identity kept), so results map back even
      when rows are not hashable.
    * ``ok``: the row is in QB Time as asked (``_status_code`` < 300, including a 202
      duplicate jobcode). ``status`` is the per-item ``_status_code`` (0 when QB Time's
      answer had no element for this row: treat as unknown, see ``message``).
    * ``record``: the stored object as returned (no ``_status_*`` keys); for a failure, the
      few echoed input fields QB Time sends back, or None.
    * ``message``: ``_status_extra`` (the human reason) for failures, else the status
      message (or ``_status_warning`` when present).
    * ``duplicate``: 202 on a jobcode create: "a jobcode with the same parent_id, name and
      type already exists"; ``record`` is that existing jobcode (resolved by a GET when the
      answer carried no id).
    * ``resent``: the row's batch was sent again after a lost answer (``reconcile=True``);
      a ``duplicate`` may then be the row our own first attempt created.
    """

    input: Mapping[str, Any]
    ok: bool
    status: int
    record: dict[str, Any] | None
    message: str = ""
    duplicate: bool = False
    resent: bool = False

    @property
    def id(self) -> int | None:
        return as_opt_int(self.record.get("id")) if self.record else None


class WriteOutcomeUnknown(BridgeError):
    """A write batch was sent but its answer was lost (read timeout, dropped connection,
    cut-short body, or a 5xx to a POST): QB Time may or may not have applied it.

    ``rows`` is that batch (the caller's objects), ``completed`` the results of the batches
    answered before it, ``not_sent`` the rows after it that were never sent.
    ``safe_to_resend`` is True for PUT/DELETE (same values again change nothing) and for
    jobcode creates (a re-sent create answers 202 "already exists"); otherwise the importer
    must look the rows up (e.g. users by username, locations by ``modified_since``) before
    sending them again. No user text reveals a token or a body.
    """

    message = (
        "QuickBooks Time may or may not have saved the last {count} change(s): the "
        "connection broke before it answered. They will be checked before anything is "
        "sent again."
    )

    def __init__(
        self,
        *,
        method: str,
        endpoint: str,
        rows: Sequence[Mapping[str, Any]],
        completed: Sequence[WriteResult] = (),
        not_sent: Sequence[Mapping[str, Any]] = (),
        safe_to_resend: bool = False,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(f"{method} {endpoint}", count=len(rows))
        self.method = method
        self.endpoint = endpoint
        self.rows = list(rows)
        self.completed = list(completed)
        self.not_sent = list(not_sent)
        self.safe_to_resend = safe_to_resend
        self.service = QBTIME
        self.status = getattr(cause, "status", None)
        self.maybe_applied = True
