"""A payroll export in a process of its own, for the crash/resume tests (test-only).

    python -m tests.reliability.payroll_crash_worker HOME STATE KEYRING ORG PERIOD
        --kill-at N --when before|after

Opens the Demo Company persisted in STATE and the app database under HOME (connected and
imported beforehand by the test), then sends the hours of the pay period holding PERIOD.
The process SIGKILLs itself at its N-th Xero payroll write (POST/PUT/DELETE): ``before``
Xero handles it, or ``after`` it was applied and saved but before the answer leaves.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import date
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
    parser.add_argument("period")
    parser.add_argument("--kill-at", type=int, default=1)
    parser.add_argument("--when", choices=("before", "after"), default="after")
    args = parser.parse_args(argv)

    from core.app.payroll import export_hours
    from tests.reliability.support import FileKeyring, open_demo

    ctx, conn = open_demo(args.org, args.home, args.state, FileKeyring(args.keyring), connect=False)
    count = 0
    lock = threading.Lock()
    api = ctx.sandbox.xero.api
    handle = api.handle

    def counting(request):  # the simulator's request handler, with a kill switch
        nonlocal count
        if request.method not in ("POST", "PUT", "DELETE") or "payroll.xro" not in request.path:
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

    api.handle = counting
    print("ready", flush=True)
    try:
        result = export_hours(ctx, conn, period=date.fromisoformat(args.period))
        print("finished", result.run.id if result.run else None, flush=True)
    finally:
        ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
