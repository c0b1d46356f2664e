"""``python -m core.sandbox --data FILE --state DIR [--xero-port N] [--qbtime-port M]``.

Runs both simulators until interrupted and prints one JSON line saying how to reach them
(``--stop-with-parent``: until standard input closes, for a program that runs them).
"""

from __future__ import annotations

import sys

from core.sandbox.server import serve


def main(argv: list[str] | None = None) -> int:
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
