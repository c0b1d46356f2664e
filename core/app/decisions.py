"""What still waits for the user, counted by the rule every page uses (core.engine.report).

The home page calls :func:`records_needing_decision` in a worker (it plans from the local
snapshots: a database read and the planner, no network) and says "20 records need your
decision" with the button to the review; the done page counts the same thing on the plan it
imported (:func:`core.engine.report.records_waiting`).
"""

from __future__ import annotations

from core.app.sync import current_plan, load_options
from core.engine.report import records_waiting
from core.store.models import Connection


def records_needing_decision(connection: Connection | int) -> int:
    """How many look-alike records wait for a decision in the review, with the saved options
    and decisions: the number the preview and the done page show for the same plan."""
    conn = connection if isinstance(connection, Connection) else Connection.get_by_id(connection)
    _snapshot, plan = current_plan(conn, load_options(conn))
    return records_waiting(plan)
