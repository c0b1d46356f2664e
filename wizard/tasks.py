"""Work the result page and the history dialog run on a worker thread (no Qt), and the
engine's child process the window runs fetch, plan and import in."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.app.context import AppContext

log = logging.getLogger(__name__)


def start_engine_process(ctx: AppContext) -> None:
    """From now on the pages' fetch, review, plan and import run in the engine's child
    process (core.app.worker_process): the window's heap never holds the snapshot, and the
    engine's garbage collections never stop the window. The child starts in the background
    (on a plain thread: starting a process is not the window's work) and ends with ``ctx``."""
    from core.app.worker_process import EngineProcess

    if ctx.engine is None:
        ctx.engine = EngineProcess.for_context(ctx)
    threading.Thread(target=ctx.engine.warm, name="engine-start", daemon=True).start()


def undo_task(
    ctx: Any,
    connection_id: int,
    run_id: int,
    *,
    progress: Any = None,
    cancel: threading.Event | None = None,
) -> tuple[Any, Any]:
    """Undo ``run_id``; returns (the undo run, the import run as it is now). ``cancel`` set
    stops it between two batches (ImportCancelled): undoing again later finishes it."""
    from core.app.sync import undo
    from core.store.models import Connection, ImportRun

    conn = Connection.get_by_id(connection_id)
    result = undo(ctx, conn, run_id, progress=progress, cancel=cancel)
    return result, ImportRun.get_by_id(run_id)


def export_task(
    run_id: int, path: str, header: list[str], words: dict[str, str], language: str = ""
) -> tuple[int, str]:
    """Write the CSV report (columns separated as ``language`` reads them); (rows, "") or
    (-1, why) when the file cannot be written."""
    from core.engine.report import export_run_report
    from core.store.models import ImportRun

    try:
        run = ImportRun.get_by_id(run_id)
        return export_run_report(run, path, header=header, words=words, language=language), ""
    except OSError as exc:
        log.warning("Could not write the report %s: %s", path, exc)
        return -1, exc.strerror or type(exc).__name__


def problems_task(run_id: int) -> list[Any]:
    from core.engine.report import run_problems
    from core.store.models import ImportRun

    return run_problems(ImportRun.get_by_id(run_id))


# ============================================================================ the page
