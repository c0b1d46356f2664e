"""Add or replace French translations of core/ messages: python tools/add_fr.py FILE.json

FILE.json holds {"English source": "French text", ...}. The catalog keeps its one format
(sorted keys, indent 1), and a lock file keeps two writers from losing each other's entries.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parents[1] / "resources" / "i18n" / "core.fr.json"


def main(argv: list[str]) -> int:
    new = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    with open(CATALOG.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(CATALOG.read_text(encoding="utf-8"))
        data.update(new)
        CATALOG.write_text(
            json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    print(f"{len(new)} entries written to {CATALOG.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
