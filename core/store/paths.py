"""Where the app keeps its files: platformdirs by default, one root when XQB_HOME is set.

XQB_HOME exists so tests (and a portable install) get a fully isolated set of folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "XeroQBTimeBridge"
APP_AUTHOR = "XeroQBTimeBridge"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    logs: Path
    state: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("XQB_HOME")
        if home:
            root = Path(home)
            return cls(root / "data", root / "config", root / "logs", root / "state")
        return cls(
            Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
            Path(platformdirs.user_state_dir(APP_NAME, APP_AUTHOR)),
        )

    def ensure(self) -> AppPaths:
        """Make the app's folders. One that cannot be a folder (a file by its name or on the
        way to it) is said plainly: AppFolderUnusable (a read-only one is said when the
        database is opened: DatabaseReadOnly)."""
        from core.errors import AppFolderUnusable
        from core.files import not_a_folder

        for p in (self.data, self.config, self.logs, self.state):
            unusable = not_a_folder(p, writable=False)
            if unusable:
                reason, params = unusable
                raise AppFolderUnusable(str(reason), folder=str(p), reason=reason, **params)
            p.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    @property
    def log_file(self) -> Path:
        return self.logs / "xero-qbtime-bridge.log"

    @property
    def demo_state(self) -> Path:
        """The Demo Company's simulators persist here (apart from the product's own data)."""
        return self.state / "demo-company"
