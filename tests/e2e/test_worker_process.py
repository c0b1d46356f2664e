"""The engine's child process (core/app/worker_process.py): the wizard's fetch, plan and import
run there, the window's process receives only what its pages show.

Over the Demo Company (its simulators in this process, the engine in a child that reaches
them over HTTP as it would reach Xero): the work happens in another process, the child reads
the sign-ins through the pipe (never from its command line or environment), a cancel stops
the import between batches, an error keeps its sentence, a child that dies is said and
replaced.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from pathlib import Path

import pytest

from core.app import worker_process
from core.app.resume import Planned, Refresh
from core.app.review_screen import ReviewData, load_review
from core.app.sync import current_plan, load_options
from core.app.worker_process import EngineProcess, EngineStopped, ImporterView
from core.engine.importer import ImportCancelled, ProgressEvent
from core.errors import BridgeError, QBTimeTokenInvalid
from core.store.models import ImportRun


@pytest.fixture
def engine_ctx(demo_ctx):
    ctx, conn = demo_ctx("AU")
    ctx.engine = EngineProcess.for_context(ctx)
    yield ctx, conn
    ctx.engine.stop()


def _secrets_of(ctx) -> list[str]:
    return [v for v in ctx.tokens.backend.store.values() if len(v) >= 16]


def test_the_fetch_runs_in_another_process_which_asks_this_one_for_the_sign_ins(engine_ctx):
    ctx, conn = engine_ctx
    reads: list[str] = []
    backend = ctx.tokens.backend
    real_get = backend.get_password

    def counting_get(service, username):
        reads.append(username)
        return real_get(service, username)

    backend.get_password = counting_get
    steps: list[tuple[str, int, int]] = []
    result = worker_process.refresh(ctx, conn.id, steps.append)
    assert isinstance(result, Refresh) and result.error is None and result.report is not None
    assert result.report.first_time and steps  # progress streamed back
    pid = ctx.engine.pid
    assert pid is not None and pid != os.getpid()
    # The child has no keyring of its own: each sign-in it used was read here, on request.
    assert any(key.startswith("qbtime:") for key in reads)
    assert any(key.startswith("xero:") for key in reads)
    if sys.platform.startswith("linux"):  # nothing secret on its command line or environment
        proc = Path(f"/proc/{pid}")
        seen = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
        for secret in _secrets_of(ctx):
            assert secret.encode() not in seen


def test_plan_review_and_import_in_the_child_are_the_ones_made_here(engine_ctx):
    ctx, conn = engine_ctx
    assert worker_process.refresh(ctx, conn.id).error is None
    options = load_options(conn)
    _snap, here = current_plan(conn, options)
    got_options, plan = worker_process.plan(ctx, conn.id, None)
    assert got_options == options
    assert [(a.op, a.entity, a.label) for a in plan.actions] == [
        (a.op, a.entity, a.label) for a in here.actions
    ]
    review = worker_process.review(ctx, conn.id, options)
    assert isinstance(review, ReviewData)
    local = load_review(conn, options)
    assert [(c.kind, c.xero_id) for c in review.conflicts] == [
        (c.kind, c.xero_id) for c in local.conflicts
    ]
    assert [r.key for r in review.rows] == [r.key for r in local.rows]
    assert review.unmatched == local.unmatched
    assert review.suggestions == local.suggestions and len(review.suggestions) == len(local.rows)
    # The facts the page compares (each conflict's record and its candidates), as made here.
    compared = {(c.kind, c.xero_id) for c in local.conflicts}
    assert review.xero_facts == {k: v for k, v in local.xero_facts.items() if k in compared}
    candidates = {(c.kind, cand.qbt_id) for c in local.conflicts for cand in c.candidates}
    assert review.qbt_facts == {k: v for k, v in local.qbt_facts.items() if k in candidates}
    assert review.xero_facts and len(review.xero_facts) < len(local.xero_facts)
    # What the review page does not show stays in the child: the plan's actions, matches and
    # skipped records, the facts of the records no conflict compares.
    assert local.plan.actions and review.plan.actions == []
    assert local.plan.matches and review.plan.matches == {} and review.plan.skipped == []
    assert review.plan.conflicts and len(review.plan.conflicts) == len(local.plan.conflicts)
    assert len(worker_process._dumps(review)) < len(worker_process._dumps(local)) / 2
    events: list[object] = []
    outcome = worker_process.run_import(
        ctx, conn.id, plan, options, progress=events.append, cancel=threading.Event()
    )
    assert outcome.error is None and outcome.run is not None and outcome.run.status == "done"
    assert ImportRun.get_by_id(outcome.run.id).status == "done"  # written by the child
    # The window keeps its own plan: "Planned" names it, not a copy.
    assert [e for e in events if isinstance(e, Planned)] == [Planned(plan)]
    assert events and isinstance(events[-1], ProgressEvent)
    assert outcome.plan is plan
    view = outcome.importer
    assert isinstance(view, ImporterView) and view.plan is plan and view.run is outcome.run
    assert sum(sum(kinds.values()) for kinds in view.outcomes.values()) > 0


def test_cancel_stops_the_import_in_the_child_between_batches(engine_ctx):
    ctx, conn = engine_ctx
    assert worker_process.refresh(ctx, conn.id).error is None
    options, plan = worker_process.plan(ctx, conn.id, None)
    assert len(plan.actions) > 50  # more than one batch
    cancel = threading.Event()

    def stop_after_first_batch(event: object) -> None:
        if isinstance(event, ProgressEvent) and event.done > 0:
            cancel.set()

    outcome = worker_process.run_import(
        ctx, conn.id, plan, options, progress=stop_after_first_batch, cancel=cancel
    )
    assert isinstance(outcome.error, ImportCancelled)
    assert outcome.run is not None and outcome.run.status == "cancelled"
    done = sum(sum(k.values()) for k in (outcome.run.counts or {}).get("outcomes", {}).values())
    assert 0 < done < len(plan.actions)
    # The same child goes on with the next call (resume: plan again what is left).
    resumed = worker_process.run_import(
        ctx, conn.id, None, options, replan=True, progress=lambda e: None, cancel=threading.Event()
    )
    assert resumed.error is None and resumed.run is not None and resumed.run.status == "done"
    assert resumed.plan is not None and 0 < len(resumed.plan.actions) < len(plan.actions)


def test_an_error_in_the_child_keeps_its_sentence(engine_ctx):
    ctx, conn = engine_ctx
    ctx.tokens.delete(conn.qbtime_token_key)  # the QuickBooks Time key is gone
    result = worker_process.refresh(ctx, conn.id)
    assert isinstance(result.error, QBTimeTokenInvalid)
    here = QBTimeTokenInvalid(detail="x")
    assert result.error.user_message() == here.user_message()
    assert result.error.user_message("fr") == here.user_message("fr")
    assert not result.usable  # nothing was ever read


def test_a_child_that_dies_is_said_and_the_next_call_starts_another(engine_ctx):
    ctx, conn = engine_ctx
    engine = ctx.engine
    engine.warm()
    first = engine.pid

    def kill_it(_step: object) -> None:
        engine.proc.kill()

    with pytest.raises(EngineStopped):
        worker_process.refresh(ctx, conn.id, kill_it)
    again = worker_process.refresh(ctx, conn.id)
    assert again.error is None and engine.pid not in (None, first)


def test_without_an_engine_the_work_stays_in_this_process(demo_ctx):
    ctx, conn = demo_ctx("AU")
    assert ctx.engine is None
    result = worker_process.refresh(ctx, conn.id)
    assert result.error is None
    options, plan = worker_process.plan(ctx, conn.id, None)
    assert plan.actions and options == load_options(conn)


def test_exceptions_travel_with_their_attributes():
    import pickle

    from core.app.worker_process import _dumps

    exc = QBTimeTokenInvalid(detail="why")
    back = pickle.loads(_dumps(exc))
    assert type(back) is QBTimeTokenInvalid and back.detail == "why"
    assert back.user_message() == exc.user_message()

    class Holder(Exception):
        def __init__(self) -> None:
            super().__init__("held")
            self.lock = threading.Lock()  # cannot travel

    foreign = pickle.loads(_dumps(Holder()))
    assert type(foreign).__name__ == "Holder" and not isinstance(foreign, BridgeError)


# ---------------------------------------------------------------------------- the kept plan
def _spy_sent(engine) -> list[tuple]:
    """Every message this process sends to the child, as sent."""
    sent: list[tuple] = []
    real = engine._send

    def spy(proc, message):
        sent.append(message)
        return real(proc, message)

    engine._send = spy
    return sent


def _spy_received(monkeypatch) -> list[int]:
    """The size of every message this process reads from the child (bytes of its pickle)."""
    sizes: list[int] = []
    real = worker_process._read_exact

    def spy(stream, n):
        data = real(stream, n)
        if n != worker_process._HEADER.size:
            sizes.append(n)
        return data

    monkeypatch.setattr(worker_process, "_read_exact", spy)
    return sizes


def test_the_plan_arrives_in_pieces_and_start_import_names_it_by_its_id(engine_ctx, monkeypatch):
    ctx, conn = engine_ctx
    assert worker_process.refresh(ctx, conn.id).error is None
    options = load_options(conn)
    _snap, here = current_plan(conn, options)
    sizes = _spy_received(monkeypatch)
    ctx.engine.plan_piece = 10
    _options, plan = worker_process.plan(ctx, conn.id, options)
    # The same plan as one made here, minus the matches (the review's business, in the child).
    assert [(a.ref, a.op, a.label, dict(a.after)) for a in plan.actions] == [
        (a.ref, a.op, a.label, dict(a.after)) for a in here.actions
    ]
    assert plan.skipped == here.skipped and len(plan.conflicts) == len(here.conflicts)
    assert here.matches and plan.matches == {}
    # Each piece holds at most plan_piece actions: no message is the whole plan.
    pieces = -(-len(plan.actions) // 10) + -(-len(plan.skipped) // 10)
    assert len(plan.actions) > 30 and len(sizes) == pieces + 1
    whole = len(pickle.dumps(plan.actions, protocol=pickle.HIGHEST_PROTOCOL))
    assert max(sizes) < whole / 3
    plan_id = ctx.engine.plan_id(plan)
    assert plan_id is not None and ctx.engine.plan_id(here) is None
    sent = _spy_sent(ctx.engine)
    events: list[object] = []
    outcome = worker_process.run_import(
        ctx, conn.id, plan, options, progress=events.append, cancel=threading.Event()
    )
    assert outcome.error is None and outcome.run.status == "done"
    (call,) = [m for m in sent if m[0] == "call"]
    _kind, _id, task, args, _kwargs, _lang = call
    # The plan is not sent back: the child imports the plan it kept, by its id.
    assert task == "import" and args[1] is None and args[4] == plan_id
    assert len(worker_process._dumps(call)) < 2000
    # ... and it is the plan the preview showed: "Planned" names the window's copy.
    assert [e for e in events if isinstance(e, Planned)] == [Planned(plan)]
    assert outcome.plan is plan and outcome.importer.plan is plan
    wanted = {verb: kinds for verb, kinds in plan.counts().items() if kinds and verb != "skipped"}
    assert {verb: kinds for verb, kinds in outcome.importer.outcomes.items() if kinds} == wanted
    # The child still keeps that plan, but what it was made from changed (it was imported):
    # "Start import" with it again plans again, and nothing is written twice.
    again: list[object] = []
    second = worker_process.run_import(
        ctx, conn.id, plan, options, progress=again.append, cancel=threading.Event()
    )
    (fresh,) = [e for e in again if isinstance(e, Planned)]
    assert fresh.plan is not plan and not any(a.op == "create" for a in fresh.plan.actions)
    assert second.error is None and second.plan is fresh.plan


def test_a_plan_the_child_no_longer_has_is_planned_again_never_imported_stale(engine_ctx):
    ctx, conn = engine_ctx
    assert worker_process.refresh(ctx, conn.id).error is None
    options, plan = worker_process.plan(ctx, conn.id, None)
    assert plan.actions
    # The child dies between the preview and "Start import": a new one does not know the id.
    ctx.engine.proc.kill()
    ctx.engine.proc.wait()
    events: list[object] = []
    outcome = worker_process.run_import(
        ctx, conn.id, plan, options, progress=events.append, cancel=threading.Event()
    )
    assert outcome.error is None and outcome.run.status == "done"
    (planned,) = [e for e in events if isinstance(e, Planned)]
    # Planned again in the (new) child, and the page is told which plan runs.
    assert planned.plan is not plan and outcome.plan is planned.plan
    assert [a.ref for a in planned.plan.actions] == [a.ref for a in plan.actions]
    # Now everything is imported: the old preview's plan is stale, it is not run again.
    again: list[object] = []
    second = worker_process.run_import(
        ctx, conn.id, plan, options, progress=again.append, cancel=threading.Event()
    )
    (fresh,) = [e for e in again if isinstance(e, Planned)]
    assert fresh.plan is not plan and fresh.plan.actions == []
    assert second.error is None


def test_a_kept_plan_made_with_other_options_is_planned_again(engine_ctx):
    ctx, conn = engine_ctx
    assert worker_process.refresh(ctx, conn.id).error is None
    options, plan = worker_process.plan(ctx, conn.id, None)
    other = options.with_values(import_employees=False)
    events: list[object] = []
    outcome = worker_process.run_import(
        ctx, conn.id, plan, other, progress=events.append, cancel=threading.Event()
    )
    (planned,) = [e for e in events if isinstance(e, Planned)]
    assert planned.plan is not plan and outcome.error is None
    assert {a.summary_kind for a in plan.actions} - {a.summary_kind for a in planned.plan.actions}


def test_a_plans_records_travel_as_their_fields_one_object_each():
    """Thousands of actions reach the window for a large preview: each is made again by its
    class (no ``__dict__`` object beside it), half the objects its garbage collector walks."""
    import gc

    from core.app.worker_process import _dumps
    from core.engine.matching import Candidate, Conflict
    from core.engine.plan.model import Action, Skipped

    actions = [
        Action(
            f"customer:{i}", "customers", "create", "jobcode", "customers", f"Customer {i}",
            xero_id=f"x{i}", after={"name": f"Customer {i}", "assigned_to_all": True},
            reason="new in Xero",
        )
        for i in range(500)
    ]  # fmt: skip
    skipped = Skipped("customer", "x1", "Bad", "Left out {why}", {"why": "here"}, True)
    candidate = Candidate(7, "Kettle Ltd", 91.0, "legal_suffix", "same name but for 'Ltd'")
    conflict = Conflict("customer", "x2", "Kettle", "near", (candidate,), "f1", {"why": [1]})
    data = _dumps([actions, skipped, conflict])
    gc.collect()
    before = len(gc.get_objects())
    back = pickle.loads(data)
    made = len(gc.get_objects()) - before
    assert back == [actions, skipped, conflict]
    assert made < 1.2 * len(actions)  # the default pickling: two per action


def test_a_plans_messages_arrive_once_each_not_once_per_record():
    """Each action of a plan carries its reason as a message kept for translation
    (core.i18n.N_: a ``str`` subclass with a ``__dict__``, one object for the window's garbage
    collector each). The 10,000-contact plan's 12,000 actions hold a few dozen sentences: each
    arrives once, shared by its records, still a message, still translated (issue 16)."""
    from core.app.worker_process import _dumps
    from core.engine.plan.model import Action, Skipped
    from core.i18n import N_, Msg, tr

    actions = [
        Action(
            f"customer:{i}", "customers", "create", "jobcode", "customers", f"Customer {i}",
            reason=N_("A new customer in Xero"),  # a new message each, as the planner makes them
        )
        for i in range(500)
    ]  # fmt: skip
    skipped = Skipped("customer", "x1", "Bad", "Left out: {why}", {"why": N_("Archived")})
    pieces = [pickle.loads(_dumps(actions[i : i + 100])) for i in range(0, 500, 100)]
    back = [a for piece in pieces for a in piece]
    assert back == actions
    assert all(type(a.reason) is Msg for a in back)
    assert len({id(a.reason) for a in back}) == 1  # one object, in every piece
    again = pickle.loads(_dumps(skipped))
    assert type(again.params["why"]) is Msg
    assert tr(again.reason, "fr", **again.params) == tr(skipped.reason, "fr", **skipped.params)


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX priorities")
def test_the_engine_gives_way_to_the_window(engine_ctx):
    """Issue 16 (UI gaps at 10k): when the window and the engine both want a CPU, the window
    gets it first: the child runs ENGINE_NICENESS above this process (the window's)."""
    ctx, _conn = engine_ctx
    ctx.engine.decisions_waiting()  # started, its hello read
    pid = ctx.engine.proc.pid
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    theirs = os.getpriority(os.PRIO_PROCESS, pid)
    assert theirs == min(19, mine + worker_process.ENGINE_NICENESS) > mine
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine  # this process keeps its own
