"""Composition root: parse arguments, set up logging, then run the wizard or a headless command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading

from core.logsetup import setup_logging
from core.paths import AppPaths
from core.version import __version__

log = logging.getLogger("main")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xero-qbtime-bridge",
        description="Import a Xero organisation into QuickBooks Time.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="use the built-in Demo Company (local simulators, no account needed)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug details")
    return parser


def run_demo_company(paths: AppPaths) -> int:
    """Runs the Demo Company simulators in the foreground and says how to reach them."""
    from core.sandbox.server import Sandbox

    sandbox = Sandbox.open(state_dir=paths.demo_state)
    info = sandbox.describe()
    log.info("Demo Company running: Xero at %s, QuickBooks Time at %s",
             info["xero_base"], info["qbtime_base"])
    print("The Demo Company is running on this computer (press Ctrl+C to stop).")
    print(f"  Xero (sign-in, accounting, payroll): {info['xero_base']}")
    print(f"  QuickBooks Time API:                  {info['qbtime_base']}")
    print(f"  Its state is kept in:                 {paths.demo_state}")
    print(json.dumps(info), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopping the Demo Company.")
    finally:
        sandbox.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = AppPaths.default().ensure()
    setup_logging(paths.log_file, logging.DEBUG if args.verbose else logging.INFO)
    log.info("xero-qbtime-bridge %s starting", __version__)
    if args.demo:
        return run_demo_company(paths)
    print("Nothing to do yet: run with --demo to start the Demo Company.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
