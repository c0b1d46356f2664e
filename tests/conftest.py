"""Test-wide set-up: headless Qt, a fresh data dir and an in-memory keyring for every test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Must happen before anything imports Qt: without a display Qt aborts the process. The screen
# is a common desktop's (1920×1080), not the platform's 800×800: the window fits its screen.
# The screenshots are taken on the same one (wizard/screenshots.py, SCREEN_FILE).
os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + str(
    Path(__file__).resolve().parents[1] / "resources" / "demo" / "offscreen_screen.json"
)
os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false")
# The suite reads the app in English unless a test picks French: the window and the commands
# both follow the system's language (LANG...), which a French machine must not switch.
os.environ.pop("LC_ALL", None)
os.environ.pop("LC_MESSAGES", None)
os.environ.pop("LANGUAGE", None)
os.environ["LANG"] = "C.UTF-8"

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import figures  # noqa: E402  (after the path is set)


def pytest_collection_modifyitems(items):
    figures.collect(items)


#: XQB_REQUIRE_SPECS=1 (set by .ci/run when ../shared/specs is there): a test skipped for
#: want of the official specs is a failure, so the contract tests cannot silently not run.
REQUIRE_SPECS = os.environ.get("XQB_REQUIRE_SPECS") == "1"
_SKIPPED_FOR_SPECS: list[str] = []


def _skipped_for_specs(report) -> bool:
    if not report.skipped or not isinstance(report.longrepr, tuple):
        return False
    reason = str(report.longrepr[2]).lower()
    return "spec" in reason and any(w in reason for w in ("not found", "not available", "absent"))


def pytest_runtest_logreport(report):
    figures.record(report)
    if REQUIRE_SPECS and _skipped_for_specs(report):
        _SKIPPED_FOR_SPECS.append(report.nodeid)


def pytest_collectreport(report):
    if REQUIRE_SPECS and _skipped_for_specs(report):
        _SKIPPED_FOR_SPECS.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _SKIPPED_FOR_SPECS:
        print(
            f"\n{len(_SKIPPED_FOR_SPECS)} test(s) skipped for want of the specs while "
            f"XQB_REQUIRE_SPECS=1 (first: {_SKIPPED_FOR_SPECS[0]})",
            flush=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def shared_dir() -> Path:
    """Where the team's shared folder (specs, references) lives: beside the project root."""
    env = os.environ.get("XQB_SHARED_DIR")
    return Path(env) if env else ROOT.parent / "shared"


SPECS_DIR = shared_dir() / "specs"
DEMO_COMPANY_FILE = ROOT / "resources" / "demo" / "company.json"


@pytest.fixture(autouse=True)
def _fresh_app_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own data/config/log/state dirs (the app reads XQB_HOME)."""
    home = tmp_path_factory.mktemp("xqb-home")
    monkeypatch.setenv("XQB_HOME", str(home))
    yield home


class MemoryKeyring:
    """An in-memory keyring backend for tests (never a real user's keyring)."""

    def __new__(cls):
        import keyring.backend

        class _Memory(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self):
                super().__init__()
                self.store: dict[tuple[str, str], str] = {}

            def get_password(self, service, username):
                return self.store.get((service, username))

            def set_password(self, service, username, password):
                self.store[(service, username)] = password

            def delete_password(self, service, username):
                import keyring.errors

                if (service, username) not in self.store:
                    raise keyring.errors.PasswordDeleteError("not found")
                del self.store[(service, username)]

        _Memory.__name__ = "MemoryKeyring"
        _Memory.__module__ = "tests.conftest"
        return _Memory()


@pytest.fixture(autouse=True)
def memory_keyring(request):
    """Every test gets an empty in-memory keyring, except the real Secret Service tests."""
    import keyring

    if request.node.get_closest_marker("keyring_integration"):
        yield None
        return
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def secret_service():
    """The real Secret Service backend, or skip/fail when none is running.

    `make test` runs the suite under a throwaway gnome-keyring and sets
    XQB_REQUIRE_SECRET_SERVICE=1: there, a missing service is a failure, not a skip.
    """
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    try:
        usable = backend.priority > 0
        backend.get_password("xqb-probe", "probe")
    except Exception as exc:  # no D-Bus, no service, locked collection…
        usable, reason = False, f"{type(exc).__name__}: {exc}"
    else:
        reason = "Secret Service backend reports no priority"
    if not usable:
        msg = f"no usable Secret Service ({reason}); run the suite with `make test`"
        if os.environ.get("XQB_REQUIRE_SECRET_SERVICE") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return backend
