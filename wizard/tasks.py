"""Work the result page and the history dialog run on a worker thread (no Qt)."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def undo_task(
    ctx: Any, connection_id: int, run_id: int, *, progress: Any = None
) -> tuple[Any, Any]:
    """Undo ``run_id``; returns (the undo run, the import run as it is now)."""
    from core.app.sync import undo
    from core.store.models import Connection, ImportRun

    conn = Connection.get_by_id(connection_id)
    result = undo(ctx, conn, run_id, progress=progress)
    return result, ImportRun.get_by_id(run_id)


def export_task(
    run_id: int, path: str, header: list[str], words: dict[str, str]
) -> tuple[int, str]:
    """Write the CSV report; (rows, "") or (-1, why) when the file cannot be written."""
    from core.engine.report import export_run_report
    from core.store.models import ImportRun

    try:
        return export_run_report(ImportRun.get_by_id(run_id), path, header=header, words=words), ""
    except OSError as exc:
        log.warning("Could not write the report %s: %s", path, exc)
        return -1, exc.strerror or type(exc).__name__


def problems_task(run_id: int) -> list[Any]:
    from core.engine.report import run_problems
    from core.store.models import ImportRun

    return run_problems(ImportRun.get_by_id(run_id))


# ============================================================================ the page
