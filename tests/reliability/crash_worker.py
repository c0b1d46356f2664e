"""A sync in a process of its own, for the crash/resume tests (test-only).

    python -m tests.reliability.crash_worker HOME STATE KEYRING ORG
        [--kill-at N [--writes-only] --when before|after] [--latency S]

Opens the Demo Company persisted in STATE and the app database under HOME (connected
beforehand by the test, the tokens in the file keyring KEYRING), then runs one sync.

``--kill-at N``: the process SIGKILLs itself at its N-th QuickBooks Time request (1-based;
every method, or writes only with ``--writes-only``): ``before`` QuickBooks Time handles it, or ``after`` it was applied (and
saved) but before the answer leaves — the harshest moment for the journal.
Without it, the test kills the process from outside after a random delay.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path)
    parser.add_argument("state", type=Path)
    parser.add_argument("keyring", type=Path)
    parser.add_argument("org")
    parser.add_argument("--kill-at", type=int, default=0)
    parser.add_argument("--when", choices=("before", "after"), default="after")
    parser.add_argument(
        "--writes-only",
        action="store_true",
        help="count only POST/PUT/DELETE requests for --kill-at",
    )
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)

    from core.app.sync import sync
    from core.sandbox.common import FaultPlan
    from tests.reliability.support import FileKeyring, open_demo

    faults = FaultPlan(latency_s=args.latency)
    ctx, conn = open_demo(
        args.org,
        args.home,
        args.state,
        FileKeyring(args.keyring),
        connect=False,
        sandbox_kwargs={"qbtime_faults": faults},
    )
    if args.kill_at:
        count = 0
        lock = threading.Lock()
        handle = ctx.sandbox.qbtime.handle

        def counting(request):  # the simulator's request handler, with a kill switch
            nonlocal count
            if args.writes_only and request.method not in ("POST", "PUT", "DELETE"):
                return handle(request)
            with lock:
                count += 1
                mine = count
            if mine == args.kill_at and args.when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            response = handle(request)
            if mine == args.kill_at and args.when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return response

        ctx.sandbox.qbtime.handle = counting
    print("ready", flush=True)
    try:
        result = sync(ctx, conn)
        print("finished", result.run.id if result.run else None, flush=True)
    finally:
        ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
