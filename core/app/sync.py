"""One pass of the engine for a connection: fetch → match → plan → import, and undo.

The wizard and the headless ``sync`` command both go through here, so a scheduled
re-import does exactly what the wizard does with the saved options.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from core.app.heap import bulk_work
from core.engine.importer import (
    ImportCancelled,
    Importer,
    ImportRun,
    ProgressCallback,
    ProgressEvent,
    close_interrupted,
    undo_run,
)
from core.engine.plan import DecisionView, ImportOptions, ImportPlan, plan_import
from core.engine.snapshots import (
    plan_inputs_fingerprint,
    quiet_days,
    quiet_plan,
    remember_lookalikes,
    remember_quiet_plan,
    remembered_lookalikes,
)
from core.errors import BridgeError
from core.i18n import N_, tr
from core.services.fetch import (
    FetchReport,
    Snapshot,
    fetch,
    fetch_qbtime,
    forget_parsed,
    load_snapshot,
)
from core.services.written import WrittenSnapshot
from core.services.xero.timezones import organisation_today
from core.store.models import (
    Connection,
    Decision,
    LeaveLink,
    Link,
    Setting,
    db,
    later_imports_touching,
)

if TYPE_CHECKING:
    from core.app.context import AppContext
    from core.services.qbtime.client import QBTimeClient

log = logging.getLogger(__name__)


class RunNotFound(BridgeError):
    message = 'There is no run number {run} for this organisation (see "history").'


class NothingToUndo(BridgeError):
    message = "Run {run} cannot be undone: {reason}."


def run_when(run: ImportRun) -> str:
    """When ``run`` started, in local time, as the history shows it (``2026-12-06 19:50``)."""
    moment = run.started_at or run.created_at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "—"


class LaterImportsFirst(BridgeError):
    """Undo of an import that later imports changed records of: they go first.

    The subclasses say the same of a sending of hours (:class:`LaterExportsFirst`) and of a
    billing run (:class:`LaterBillingFirst`): ``kind`` is the kind of run refused."""

    message = (
        "Import {run} cannot be undone on its own: later imports changed the same "
        "records ({later}). Undo them first, newest first."
    )
    #: how the message names each later run
    later_words = N_("import {number} of {date}")
    #: what to run instead: the later runs undone, newest first, then ``run``
    cascade_words = N_(
        "To undo them and then import {run}, newest first, run: undo {run} --cascade"
    )
    #: the kind of the run refused (``ImportRun.kind``)
    kind = "import"

    def __init__(self, run: int, later: list[ImportRun]) -> None:
        self.run_id = run
        self.later = [(r.id, run_when(r)) for r in later]
        super().__init__(run=run, later="")

    def user_message(self, language: str | None = None) -> str:
        parts = [tr(self.later_words, language, number=n, date=d) for n, d in self.later]
        listed = (
            parts[0]
            if len(parts) == 1
            else tr("{first} and {last}", language, first=", ".join(parts[:-1]), last=parts[-1])
        )
        return tr(self.message, language, run=self.run_id, later=listed)

    def hint(self, language: str | None = None) -> str:
        """The command that undoes the later runs, newest first, then the one asked for."""
        return tr(self.cascade_words, language, run=self.run_id)

    @property
    def later_ids(self) -> list[int]:
        return [number for number, _when in self.later]


class LaterExportsFirst(LaterImportsFirst):
    """Undo of a sending of hours whose drafts (timesheets, leave) a later sending wrote."""

    message = (
        "Sending of hours {run} cannot be undone on its own: later sendings of hours changed "
        "the same drafts in Xero Payroll ({later}). Undo them first, newest first."
    )
    later_words = N_("sending of hours {number} of {date}")
    cascade_words = N_(
        "To undo them, newest first, and then this sending of hours, run: undo {run} --cascade"
    )
    kind = "payroll_export"


class LaterBillingFirst(LaterImportsFirst):
    """Undo of a billing run whose draft invoices a later billing run wrote."""

    message = (
        "Billing run {run} cannot be undone on its own: later billing runs changed the same "
        "draft invoices ({later}). Undo them first, newest first."
    )
    later_words = N_("billing run {number} of {date}")
    cascade_words = N_(
        "To undo them, newest first, and then this billing run, run: undo {run} --cascade"
    )
    kind = "invoicing"


# ---------------------------------------------------------------------------- state in the db
def options_key(conn: Connection) -> str:
    return f"options:{conn.xero_tenant_id}"


def load_options(conn: Connection) -> ImportOptions:
    return ImportOptions.from_dict(Setting.get_value(options_key(conn)))


def save_options(conn: Connection, options: ImportOptions) -> None:
    Setting.set_value(options_key(conn), options.to_dict())


def load_links(conn: Connection) -> dict[str, dict[str, int]]:
    links: dict[str, dict[str, int]] = {}
    # The rows as SQLite gives them: a model object per link cost a fifth of a re-import's
    # CPU at 10,000 contacts, and peewee's tuples still ~0.03 s (no column needs converting)
    sql, params = (
        Link.select(Link.kind, Link.xero_id, Link.qbt_id).where(Link.connection == conn).sql()
    )
    for kind, xero_id, qbt_id in db.execute_sql(sql, params).fetchall():
        links.setdefault(kind, {})[xero_id] = int(qbt_id)
    return links


def load_decisions(conn: Connection) -> dict[tuple[str, str], DecisionView]:
    return {
        (d.kind, d.xero_id): DecisionView(d.action, d.target_qbt_id, d.new_name, d.depends_on)
        for d in Decision.select().where(Decision.connection == conn)
    }


def load_leave_links(conn: Connection) -> dict[str, int | None]:
    return {
        row.xero_leave_type_id: row.qbt_jobcode_id
        for row in LeaveLink.select().where(LeaveLink.connection == conn)
    }


def current_plan(
    conn: Connection, options: ImportOptions | None = None, snapshot: Snapshot | None = None
) -> tuple[Snapshot, ImportPlan]:
    """Plan from the local snapshots (no network): what the preview shows. The look-alikes
    it offers are kept for the next plan to offer again (core.engine.snapshots)."""
    snap = snapshot or load_snapshot(conn, today=_today(conn))
    remembered = remembered_lookalikes(conn)
    plan = plan_import(
        snap,
        load_links(conn),
        load_decisions(conn),
        options or load_options(conn),
        load_leave_links(conn),
        remembered,
    )
    remember_lookalikes(conn, plan, remembered)
    return snap, plan


# ---------------------------------------------------------------------------- sync
@dataclass
class SyncResult:
    run: ImportRun | None
    plan: ImportPlan
    fetch: FetchReport | None
    dry_run: bool
    api_calls: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        counts = self.plan.counts()
        if not self.dry_run and self.run is not None:
            outcomes = self.outcomes
            counts = {
                "created": outcomes.get("created", {}),
                "updated": outcomes.get("updated", {}),
                "archived": outcomes.get("archived", {}),
                "linked": outcomes.get("linked", {}),
                "skipped": counts.get("skipped", {}),
            }
            if outcomes.get("failed"):
                counts["failed"] = outcomes["failed"]
        return {
            "run_id": self.run.id if self.run is not None else None,
            "dry_run": self.dry_run,
            **{
                k: counts.get(k, {})
                for k in ("created", "updated", "archived", "linked", "skipped")
            },
            **({"failed": counts["failed"]} if "failed" in counts else {}),
            "conflicts": len(self.plan.conflicts),
            "problems": [
                {
                    "kind": p.kind,
                    "xero_id": p.xero_id,
                    "name": p.name,
                    "reason": p.describe(),
                    **({"other_name": p.params["kept"]} if "kept" in p.params else {}),
                }
                for p in self.plan.skipped
                if p.bad_record
            ],
            "api_calls": self.api_calls,
            "duration_s": round(self.duration_s, 3),
        }


def qbtime_client_for(ctx: AppContext, conn: Connection) -> QBTimeClient:
    """The QuickBooks Time client of ``conn``; a missing access key is said plainly."""
    return ctx.qbtime_client(ctx.qbtime_token_for(conn), conn.id)


def _calls(ctx: AppContext) -> dict[str, int]:
    services = ctx.counter.snapshot().get("services", {})

    def total(name: str) -> int:
        return int(sum(services.get(name, {}).get("by_method", {}).values()))

    return {"xero": total("Xero"), "qbtime": total("QuickBooks Time")}


def sync(
    ctx: AppContext,
    conn: Connection,
    *,
    dry_run: bool = False,
    options: ImportOptions | None = None,
    full: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> SyncResult:
    """Fetch both sides, plan with the saved options and decisions, then import.

    Conflicts without a decision are left out (listed in the result); everything else is
    imported. A dry run fetches and plans but writes nothing to QuickBooks Time.
    """
    with bulk_work():  # core.app.heap: no full collection again and again over the snapshot
        return _sync(ctx, conn, dry_run, options, full, progress, cancel)


def _sync(
    ctx: AppContext,
    conn: Connection,
    dry_run: bool,
    options: ImportOptions | None,
    full: bool,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> SyncResult:
    started = time.monotonic()
    report_progress = progress or (lambda _e: None)
    report = fetch(
        ctx,
        conn,
        full=full,
        progress=lambda phase, done, total: report_progress(
            ProgressEvent(f"fetch_{phase}", done, total, None)
        ),
    )
    plan = _plan_unless_quiet(conn, options)
    if not dry_run:
        # Also when there is nothing to write: a run killed after its last write must not
        # stay "running" in the history.
        close_interrupted(conn)
    run = None
    outcomes: dict[str, dict[str, int]] = {}
    if not dry_run and plan.actions:  # nothing to write: no run in the history
        run, importer = import_plan(
            ctx, conn, plan, options=options, progress=progress, cancel=cancel, just_read=True
        )
        outcomes = importer.outcomes
    result = SyncResult(
        run, plan, report, dry_run, _calls(ctx), time.monotonic() - started, outcomes
    )
    log.info("Sync of %s: %s", conn.xero_tenant_name, result.as_json())
    return result


def _today(conn: Connection) -> date:
    """Today in the organisation's own time zone (Xero's ``Organisation.Timezone``; until it
    is known, its country's main one): a leaver is archived after their last day is over
    there, not on the computer's clock."""
    return organisation_today(conn)


def _plan_unless_quiet(conn: Connection, options: ImportOptions | None) -> ImportPlan:
    """The plan, or the one kept from the last run when nothing it is made from changed
    since (nothing to write then either): a scheduled re-import with nothing changed neither
    loads the snapshot nor plans (core.engine.snapshots)."""
    chosen = options or load_options(conn)
    today = _today(conn)
    fingerprint = plan_inputs_fingerprint(conn, chosen.to_dict())
    plan = quiet_plan(conn, fingerprint, today)
    if plan is None:
        snap, plan = current_plan(conn, chosen, load_snapshot(conn, today=today, raw=False))
        days = quiet_days(snap.employees, today)
        del snap  # (not needed to keep the plan: gone before its copies are made)
        remember_quiet_plan(conn, fingerprint, plan, days)
    else:
        forget_parsed(conn)  # what the fetch kept for a snapshot load that is not needed
    return plan


def import_plan(
    ctx: AppContext,
    conn: Connection,
    plan: ImportPlan,
    *,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    just_read: bool = False,
) -> tuple[ImportRun, Importer]:
    """Run an already-previewed plan (the wizard's "Start import").

    The QuickBooks Time snapshot is kept from the write answers (each is the whole object:
    :mod:`core.services.written`), so a clean import reads nothing back; only lists it
    could not keep current (changed by someone else meanwhile, a lost answer, a cascade, a
    stop) are read again, incrementally. ``just_read``: the snapshot was fetched by this
    same run a moment ago (``sync``), so no call checks it before the first write."""
    client = qbtime_client_for(ctx, conn)
    kept = WrittenSnapshot(conn, client)
    importer = Importer(
        conn,
        client,
        plan,
        options=(options or load_options(conn)).to_dict(),
        progress=progress,
        cancel=cancel,
        on_written=kept.written,
    )
    try:
        with client.session:
            if any(a.writes for a in plan.actions):
                kept.begin(just_read=just_read)
            run = importer.execute()
    finally:
        if importer.run is not None and importer.outcomes:
            clean = importer.run.status == "done" and not importer.answers_lost
            with client.session:
                again = kept.finish(clean=clean, sleep=ctx.sleep)
            if again:
                fetch_qbtime(ctx, conn)
    return run, importer


def history(conn: Connection) -> list[ImportRun]:
    return list(
        ImportRun.select().where(ImportRun.connection == conn).order_by(ImportRun.id.desc())
    )


def undo(
    ctx: AppContext,
    conn: Connection,
    run_id: int,
    *,
    cascade: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ImportRun:
    """Undo import ``run_id``; returns the undo run.

    Later imports that changed records of that import (``later_imports_touching``) must be
    undone first: without ``cascade`` the undo is refused with :class:`LaterImportsFirst`
    (naming them); with ``cascade`` they are undone first, newest first, then ``run_id``.
    The same holds for a sending of hours or a billing run: the later ones that wrote to the
    same drafts (``later_runs_writing``) go first (:class:`LaterExportsFirst`,
    :class:`LaterBillingFirst`).
    """
    done = undo_cascade(ctx, conn, run_id, cascade=cascade, progress=progress, cancel=cancel)
    return done[-1][1]


def undo_cascade(
    ctx: AppContext,
    conn: Connection,
    run_id: int,
    *,
    cascade: bool = True,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[tuple[int, ImportRun]]:
    """(import number, its undo run) for each import undone, in the order undone.

    ``cancel`` (an import's undo): set, the undo stops between two batches, or between two
    imports of a cascade, with :class:`ImportCancelled`. What was reverted stays reverted and
    the import stays undoable: undoing it again plans from its journal again and finishes
    the job (what is already back as it was is written back the same)."""
    run = ImportRun.get_or_none((ImportRun.id == run_id) & (ImportRun.connection == conn))
    if run is None:
        raise RunNotFound(run=run_id)
    if run.kind in ("payroll_export", "invoicing"):
        return _undo_xero_runs(ctx, conn, run, cascade=cascade, progress=progress)
    if run.kind == "undo":
        raise NothingToUndo(
            run=run_id,
            reason=N_(
                "it is itself an undo; only imports, sendings of hours and billing runs can "
                "be undone"
            ),
        )
    if run.kind != "import" or run.dry_run:
        raise NothingToUndo(run=run_id, reason=N_("it was a dry run, which wrote nothing"))
    if run.status == "undone":
        raise NothingToUndo(run=run_id, reason=N_("it was already undone"))
    close_interrupted(conn)  # a killed later run counts with what its journal says it wrote
    later = later_imports_touching(run)
    if later and not cascade:
        raise LaterImportsFirst(run_id, later)
    client = qbtime_client_for(ctx, conn)
    done: list[tuple[int, ImportRun]] = []
    stopped = False
    try:
        for target in [*later, run]:
            if cancel is not None and cancel.is_set():
                raise ImportCancelled()
            try:
                with client.session:
                    result = undo_run(conn, client, target, progress=progress, cancel=cancel)
            except ImportCancelled:
                stopped = True  # part of it may be reverted: the snapshot is read again
                raise
            done.append((target.id, result))
            if ImportRun.get_by_id(target.id).status != "undone" and target is not run:
                # Part of a later import could not be reverted: the older one stays as it is.
                raise UndoStopped(run=target.id, older=run_id)
    finally:
        if done or stopped:
            fetch_qbtime(ctx, conn)
    return done


class UndoStopped(BridgeError):
    message = (
        "Part of import {run} could not be undone, so import {older} was left as it "
        "is. See the history, then try the undo again."
    )


class ExportUndoStopped(UndoStopped):
    message = (
        "Part of sending of hours {run} could not be undone in Xero Payroll, so sending of "
        "hours {older} was left as it is. See the history, then try the undo again."
    )


class BillingUndoStopped(UndoStopped):
    message = (
        "Part of billing run {run} could not be undone in Xero, so billing run {older} was "
        "left as it is. See the history, then try the undo again."
    )


def later_runs_writing(run: ImportRun, written: Callable[[ImportRun], set[str]]) -> list[ImportRun]:
    """The runs of ``run``'s kind after it (same connection, not undone) that wrote one of
    the Xero drafts ``run`` wrote (``written``: the drafts a run wrote), directly or through
    another such run: newest first. Undoing ``run`` before them would put back what it
    replaced over what they wrote since; they are undone first, newest first."""
    later = ImportRun.select().where(
        (ImportRun.connection == run.connection_id)
        & (ImportRun.id > run.id)
        & (ImportRun.kind == run.kind)
        & (ImportRun.dry_run == False)  # noqa: E712 (SQL)
        & (ImportRun.status.in_(("done", "cancelled", "failed", "running")))
    )
    watched = written(run)
    blocking: list[ImportRun] = []
    for other in later.order_by(ImportRun.id):  # oldest first: a blocker's drafts count too
        theirs = written(other)
        if theirs & watched:
            blocking.append(other)
            watched |= theirs
    return sorted(blocking, key=lambda r: r.id, reverse=True)


def _undo_xero_runs(
    ctx: AppContext,
    conn: Connection,
    run: ImportRun,
    *,
    cascade: bool,
    progress: ProgressCallback | None,
) -> list[tuple[int, ImportRun]]:
    """Undo a sending of hours or a billing run, after the later runs of its kind that wrote
    to the same drafts (refused without ``cascade``, naming them)."""
    from core.app.invoicing import undo_invoicing, written_invoices
    from core.app.payroll import undo_export, written_drafts

    undo_one: Callable[..., ImportRun]
    written: Callable[[ImportRun], set[str]]
    refused: type[LaterImportsFirst]
    stopped: type[UndoStopped]
    if run.kind == "payroll_export":
        undo_one, written, refused, stopped = (
            undo_export,
            written_drafts,
            LaterExportsFirst,
            ExportUndoStopped,
        )
    else:
        undo_one, written, refused, stopped = (
            undo_invoicing,
            written_invoices,
            LaterBillingFirst,
            BillingUndoStopped,
        )
    later: list[ImportRun] = []
    if not run.dry_run and run.status != "undone":  # else undo_one says why not
        close_interrupted(conn)  # a killed later run counts with what its journal says
        later = later_runs_writing(run, written)
    if later and not cascade:
        raise refused(run.id, later)
    done: list[tuple[int, ImportRun]] = []
    for target in [*later, run]:
        done.append((target.id, undo_one(ctx, conn, target, progress=progress)))
        if target is not run and ImportRun.get_by_id(target.id).status != "undone":
            # Part of a later run could not be reverted: the older one stays as it is.
            raise stopped(run=target.id, older=run.id)
    return done


# ---------------------------------------------------------------------------- import options
def item_field_name_problem(
    conn: Connection, name: str, options: ImportOptions | None = None, language: str | None = None
) -> str | None:
    """Why ``name`` cannot name the items' custom field of ``conn`` (a translated sentence),
    or None. Reads the saved snapshot and links only (no network): the ``options`` command
    and the wizard's options page both ask this before saving; the plan applies the same
    rule again at every import (a field renamed in QuickBooks Time later)."""
    from core.engine.plan import item_field_name_problem as rule
    from core.services.fetch import load_fields

    customfields, tracking = load_fields(conn)
    return rule(
        name,
        customfields,
        tracking,
        load_links(conn),
        options if options is not None else load_options(conn),
        language,
    )
