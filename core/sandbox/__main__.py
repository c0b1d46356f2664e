"""``python -m core.sandbox --data FILE --state DIR [--xero-port N] [--qbtime-port M]``.

Runs both simulators until interrupted and prints one JSON line saying how to reach them.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from core.sandbox.common import FaultPlan
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.sandbox",
                                     description="Run the Demo Company simulators of Xero and QuickBooks Time.")
    parser.add_argument("--data", default=str(DEMO_COMPANY_FILE), help="company file to start from")
    parser.add_argument("--state", required=True, help="directory where the company's state is kept")
    parser.add_argument("--xero-port", type=int, default=0)
    parser.add_argument("--qbtime-port", type=int, default=0)
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="probability of a 500/503/429/reset on each API call (default 0)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    args = parser.parse_args(argv)

    def faults(seed: int) -> FaultPlan:
        r = args.fault_rate / 4
        return FaultPlan(seed=seed, p_429=r, p_500=r, p_503=r, p_reset=r, latency_s=args.latency)

    sandbox = Sandbox.open(args.data, args.state, xero_port=args.xero_port, qbtime_port=args.qbtime_port,
                           xero_faults=faults(args.fault_seed), qbtime_faults=faults(args.fault_seed + 1))
    print(json.dumps(sandbox.describe()), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
