"""How the wizard goes on when something went wrong, without Qt.

- An import that stopped midway (the user's stop, a fault, a crash) is finished by importing
  again: what it wrote is read back from QuickBooks Time and what is left is planned afresh,
  so nothing is created twice (:func:`resume_plan`, :func:`run_import`).
- A refresh of the snapshots that fails does not end the session when an earlier refresh
  left a snapshot: the options, the review and the preview go on offline with it
  (:func:`refresh_snapshots`).

Neither raises: a stopped or failed step is an outcome the page words for the user.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.app.sync import current_plan, import_plan
from core.engine.importer import interrupted_runs
from core.engine.report import import_run_after, last_run_id
from core.engine.snapshots import has_snapshot
from core.errors import BridgeError
from core.services.fetch import FetchReport, fetch, fetch_qbtime

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.engine.importer import Importer, ImportRun
    from core.engine.plan import ImportOptions, ImportPlan
    from core.store.models import Connection

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- import
@dataclass(frozen=True)
class Interrupted:
    """Sent through progress before the import starts: earlier runs it will finish."""

    count: int


@dataclass(frozen=True)
class Planned:
    """Sent through progress when the import starts: the plan that runs (fresh when resuming)."""

    plan: ImportPlan


@dataclass
class ImportOutcome:
    run: ImportRun | None  # None when it failed before creating a run
    importer: Importer | None  # when the import ran to its end
    #: why it stopped: a BridgeError, or any other exception (logged here; the caller words it)
    error: Exception | None
    plan: ImportPlan | None  # the plan that ran (a fresh one when resuming)


def resume_plan(ctx: AppContext, conn: Connection, options: ImportOptions | None) -> ImportPlan:
    """What is left to import after a stopped run: QuickBooks Time read back, then planned."""
    fetch_qbtime(ctx, conn)
    _snap, plan = current_plan(conn, options)
    return plan


def run_import(
    ctx: AppContext,
    connection_id: int,
    plan: ImportPlan | None,
    options: ImportOptions | None,
    *,
    replan: bool = False,
    progress: Callable[[object], None],
    cancel: threading.Event,
) -> ImportOutcome:
    """Import ``plan`` (``replan``: a plan made afresh by :func:`resume_plan`).

    A stopped or failed import is an outcome, not an error: the run it created is returned
    with the reason, so the page can show what was done.
    """
    from core.store.models import Connection

    conn = Connection.get_by_id(connection_id)
    before = last_run_id(conn)
    try:
        if replan:
            plan = resume_plan(ctx, conn, options)
        if plan is None:
            raise ValueError("run_import needs a plan, or replan=True")
        waiting = len(interrupted_runs(conn))
        if waiting:
            progress(Interrupted(waiting))
        progress(Planned(plan))
        run, importer = import_plan(
            ctx, conn, plan, options=options, progress=progress, cancel=cancel
        )
        return ImportOutcome(run, importer, None, plan)
    except BridgeError as exc:
        return ImportOutcome(import_run_after(conn, before), None, exc, plan)
    except Exception as exc:  # the trace for the log; the caller says it in words
        log.exception("The import failed unexpectedly")
        return ImportOutcome(import_run_after(conn, before), None, exc, plan)


# ---------------------------------------------------------------------------- refresh
@dataclass(frozen=True)
class Refresh:
    report: FetchReport | None
    #: why the refresh failed: a BridgeError, or any other exception (logged here)
    error: Exception | None
    #: the pages may go on with what was read earlier (always True when it worked)
    usable: bool


def refresh_snapshots(
    ctx: AppContext,
    conn: Connection,
    progress: Callable[[tuple[str, int, int]], None] | None = None,
) -> Refresh:
    """Fetch both sides; on failure, whether an earlier snapshot lets the user go on offline.

    ``progress`` receives ``(side, step, steps)``.
    """

    def step(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress((phase, done, total))

    try:
        return Refresh(fetch(ctx, conn, progress=step if progress else None), None, True)
    except BridgeError as exc:
        error: Exception = exc
    except Exception as exc:  # the trace for the log; the caller says it in words
        log.exception("Reading Xero and QuickBooks Time failed")
        error = exc
    try:
        usable = has_snapshot(conn)
    except Exception:
        log.exception("Could not check the saved snapshot")
        usable = False
    return Refresh(None, error, usable)
