"""``xero-qbtime-bridge --self-test``: prove that an installed (frozen) app is complete.

It runs every part of the app that depends on a file, a library or a plugin being in the
bundle, in a throwaway home folder (``XQB_HOME``), offscreen, without a window and without
touching the user's data, sign-ins or keyring:

* resources: the Demo Company, the OAuth result pages, the translation catalogs, the icons;
* database: created in the temp folder at the current schema version, then reopened;
* translations: English, French (our .qm, Qt's own qtbase_fr.qm and core's catalog);
* locale data: babel's country names (the welcome page lists them);
* icon: the SVG icon renders (Qt's SVG icon engine plugin is there);
* platform plugins: the plugins a desktop needs (xcb and wayland on Linux) load;
* keyring backends: the OS keyring modules are importable and registered. Whether a keyring
  service is *running* depends on the machine, not the bundle: it is reported, not checked;
* Demo Company: both simulators start in a child process as the wizard starts them (in a
  frozen build: the app itself, ``--run-demo-company``), answer one request each, and stop;
* wizard: every page of the wizard is built (with an in-memory keyring: nothing is stored).

It prints one line per check ("ok" or "FAILED: reason") and returns 0 when all passed.
Works from a source checkout too (``python main.py --self-test``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from core.resources import is_frozen, resource, resources_dir
from core.version import __version__

#: Icon sizes rendered at build time (packaging/render_icons.py) and shipped in the bundle.
ICON_SIZES = (256, 128, 64, 48)

#: Strings of ours that the French .qm must translate (at least one of them).
FRENCH_PROBES = (
    ("BridgeWizard", "Xero to QuickBooks Time"),
    ("BasePage", "Try again"),
    ("WelcomePage", "Welcome"),
)

#: A string of Qt's own (qtbase_fr.qm) and one of core's catalog (core.fr.json), with their
#: French. Kept in constants: lupdate extracts only literal strings, and these are not ours.
QT_PROBE = ("QWizard", "&Next >", "&Suivant >")
CORE_PROBE = ("{first} and {last}", "{first} et {last}")

#: Modules that must be importable for the OS keyring to work, per platform. keyring itself
#: imports its backends inside try/except, so a module missing from the bundle would only
#: show as "no secure storage" on the user's machine: here it is a failure.
KEYRING_MODULES = {
    "linux": (
        "keyring.backends.SecretService",
        "keyring.backends.kwallet",
        "keyring.backends.libsecret",
        "keyring.backends.chainer",
        "keyring.backends.fail",
        "secretstorage",
        "secretstorage.dhcrypto",
        "jeepney",
        "jeepney.io.blocking",
    ),
    "win32": (
        "keyring.backends.Windows",
        "keyring.backends.chainer",
        "keyring.backends.fail",
        "win32ctypes.pywin32.win32cred",
    ),
    "darwin": (
        "keyring.backends.macOS",
        "keyring.backends.macOS.api",
        "keyring.backends.chainer",
        "keyring.backends.fail",
    ),
}
#: The entry point keyring discovers the platform's backend through (needs the metadata).
KEYRING_ENTRY_POINT = {"linux": "SecretService", "win32": "Windows", "darwin": "macOS"}

#: Qt platform plugins a desktop needs, per platform (file name stems): each must be in the
#: bundle and load. The xcb plugin needs the xcb libraries that are bundled at build time.
PLATFORM_PLUGINS = {
    "linux": ("libqxcb", "libqoffscreen"),
    "win32": ("qwindows", "qoffscreen"),
    "darwin": ("libqcocoa", "libqoffscreen"),
}
#: Plugins that must be in the bundle but need the desktop's own libraries to load (PyInstaller
#: never bundles libwayland-client: a Wayland session has it): their loading is reported.
SYSTEM_LINKED_PLUGINS = {"linux": ("libqwayland",)}


class CheckFailed(Exception):
    """A check's reason for failing, in one sentence."""


def _platform() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform.startswith("win"):
        return "win32"
    return "darwin" if sys.platform == "darwin" else sys.platform


class Report:
    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.lines: list[str] = []
        self.failures: list[str] = []

    def _write(self, line: str) -> None:
        self.lines.append(line)
        if self.out is not None:
            print(line, file=self.out, flush=True)

    def ok(self, name: str, detail: str, seconds: float) -> None:
        self._write(
            f"{name:<18} ok ({detail}; {seconds:.2f} s)"
            if detail
            else f"{name:<18} ok ({seconds:.2f} s)"
        )

    def failed(self, name: str, reason: str) -> None:
        self.failures.append(name)
        self._write(f"{name:<18} FAILED: {reason}")

    def info(self, name: str, detail: str) -> None:
        self._write(f"{name:<18} info: {detail}")


# ----------------------------------------------------------------------------- the checks


def check_resources(report: Report) -> str:
    need = [
        "demo/company.json",
        "oauth/success.en.html",
        "oauth/success.fr.html",
        "oauth/error.en.html",
        "oauth/error.fr.html",
        "i18n/core.fr.json",
        "i18n/wizard_fr.qm",
        "icons/app.svg",
    ]
    if is_frozen():  # rendered at build time; a source checkout may not have them
        need += [f"icons/app-{size}.png" for size in ICON_SIZES]
    missing = [name for name in need if not resource(*name.split("/")).is_file()]
    if missing:
        raise CheckFailed(f"missing from {resources_dir()}: {', '.join(missing)}")
    company = json.loads(resource("demo", "company.json").read_text(encoding="utf-8"))
    if not isinstance(company, dict) or not company:
        raise CheckFailed("demo/company.json is empty")
    from core.sandbox import server
    from core.services.auth import loopback

    for name, path in (
        ("Demo Company file", server.DEMO_COMPANY_FILE),
        ("OAuth pages", loopback.PAGES_DIR / "success.en.html"),
    ):
        if not Path(path).exists():
            raise CheckFailed(f"the app looks for its {name} at {path}, which does not exist")
    return f"{len(need)} files in {resources_dir()}"


def check_database(report: Report) -> str:
    from core.store.db import DATABASE_FILE, SCHEMA_VERSION, close_database, open_database
    from core.store.paths import AppPaths

    path = AppPaths.default().ensure().data / DATABASE_FILE
    database = open_database(path)  # creates it
    try:
        version = database.execute_sql("PRAGMA user_version").fetchone()[0]
        tables = database.get_tables()
    finally:
        close_database()
    if version != SCHEMA_VERSION:
        raise CheckFailed(f"created at schema version {version}, expected {SCHEMA_VERSION}")
    if not tables:
        raise CheckFailed("the new database has no table")
    database = open_database(path)  # reopens (the check every start makes)
    close_database()
    return f"schema version {version}, {len(tables)} tables"


def check_translations(report: Report) -> str:
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

    from core import i18n as core_i18n

    from .i18n import install_language, qm_path

    try:
        if not install_language("en"):
            raise CheckFailed("English could not be installed")
        qt_context, qt_source, qt_french = QT_PROBE
        if QCoreApplication.translate(qt_context, qt_source) != qt_source:
            raise CheckFailed("English shows translated Qt strings")
        if not install_language("fr"):
            raise CheckFailed(f"French translation not loaded from {qm_path('fr')}")
        ours = QTranslator()
        if not ours.load(str(qm_path("fr"))):
            raise CheckFailed(f"{qm_path('fr')} is not a valid .qm file")
        translated = [
            text for ctx, src in FRENCH_PROBES if (text := ours.translate(ctx, src)) and text != src
        ]
        if not translated:
            raise CheckFailed(
                "wizard_fr.qm translates none of: "
                + "; ".join(f"{ctx}: {src!r}" for ctx, src in FRENCH_PROBES)
                + " (translate resources/i18n/wizard_fr.ts, then make translations)"
            )
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_next = QCoreApplication.translate(qt_context, qt_source)
        if qt_next != qt_french:
            raise CheckFailed(f"Qt's own French (qtbase_fr.qm) is missing from {qt_dir}")
        core_source, core_french = CORE_PROBE
        core_text = core_i18n.tr(core_source, "fr")
        if core_text != core_french:
            raise CheckFailed(f"core's French catalog is missing ({core_i18n.CATALOG_DIR})")
        return f"en, fr: \u201c{translated[0]}\u201d, Qt \u201c{qt_next}\u201d, core \u201c{core_text}\u201d"
    finally:
        install_language("en")


def check_locale_data(report: Report) -> str:
    from babel import Locale

    names = Locale.parse("fr").territories
    if names.get("AU") != "Australie":
        raise CheckFailed(f"babel has no French country names (AU is {names.get('AU')!r})")
    return f"{len(names)} French territory names"


def check_icon(report: Report) -> str:
    from PySide6.QtGui import QIcon, QImage

    svg = resource("icons", "app.svg")
    image = QIcon(str(svg)).pixmap(64, 64).toImage()
    if image.isNull() or image.width() < 64:
        raise CheckFailed(f"{svg} does not render (the SVG icon engine plugin may be missing)")
    if image.pixelColor(56, 56).alpha() == 0 and image.pixelColor(20, 20).alpha() == 0:
        raise CheckFailed(f"{svg} renders empty")
    sizes = []
    for size in ICON_SIZES:
        png = resource("icons", f"app-{size}.png")
        if png.exists():
            loaded = QImage(str(png))
            if loaded.isNull() or loaded.width() != size:
                raise CheckFailed(f"{png} is not a {size} px PNG")
            sizes.append(str(size))
    return "app.svg renders" + (f", PNG {'/'.join(sizes)} px" if sizes else "")


def check_platform_plugins(report: Report) -> str:
    from PySide6.QtCore import QLibraryInfo, QPluginLoader
    from PySide6.QtGui import QGuiApplication

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    wanted = PLATFORM_PLUGINS.get(_platform(), ())
    system_linked = SYSTEM_LINKED_PLUGINS.get(_platform(), ())
    found = {p.name.split(".")[0]: p for p in folder.glob("*")} if folder.is_dir() else {}
    missing = [stem for stem in (*wanted, *system_linked) if stem not in found]
    if missing:
        raise CheckFailed(f"Qt platform plugins missing from {folder}: {', '.join(missing)}")
    loaded = []
    for stem in (*wanted, *system_linked):
        loader = QPluginLoader(str(found[stem]))
        short = stem.removeprefix("lib").removeprefix("q")
        if loader.load():
            loaded.append(short)
        elif stem in wanted and is_frozen():  # the bundle lacks a library it needs (xcb…)
            raise CheckFailed(f"{found[stem].name} does not load: {loader.errorString()}")
        elif stem in wanted:  # from source, Qt uses this machine's libraries: not ours to fix
            report.info(
                "platform plugins",
                f"{short} does not load from this checkout (install "
                f"the libraries it needs to use it here): {loader.errorString()}",
            )
        else:
            report.info(
                "platform plugins",
                f"{short} is bundled but does not load here "
                f"(this machine lacks a Wayland library): {loader.errorString()}",
            )
    return f"{', '.join(loaded)} load; running on {QGuiApplication.platformName()}"


def check_keyring(report: Report) -> str:
    from importlib.metadata import entry_points

    plat = _platform()
    modules = KEYRING_MODULES.get(plat, ())
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing.append(f"{name} ({exc})")
    if missing:
        raise CheckFailed("keyring modules missing: " + ", ".join(missing))
    names = {ep.name for ep in entry_points(group="keyring.backends")}
    wanted = KEYRING_ENTRY_POINT.get(plat)
    if wanted and wanted not in names:
        raise CheckFailed(
            f"keyring's entry points (its metadata) are missing: found {sorted(names)}"
        )
    report_keyring_live(report)
    return f"{len(modules)} modules, entry points: {', '.join(sorted(names))}"


def report_keyring_live(report: Report) -> None:
    """Which keyring this machine offers right now, and whether core.store.secrets accepts it."""
    import keyring

    from core.errors import BridgeError
    from core.store.secrets import TokenStore

    try:
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    except Exception as exc:
        report.info("keyring (live)", f"keyring failed to start: {type(exc).__name__}")
        return
    try:
        store = TokenStore(backend)
    except BridgeError as exc:
        report.info(
            "keyring (live)",
            f"{name}: not usable on this machine ({exc.user_message()}) - not a bundle problem",
        )
        return
    report.info("keyring (live)", f"{name}: accepted by core.store.secrets ({store.backend_name})")


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    import requests

    response = requests.get(url, headers=headers or {}, timeout=10)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body


def check_demo_company(report: Report) -> str:
    """The Demo Company as the wizard runs it: a child process started by this very app (in a
    frozen build, the app itself with its hidden argument), which answers and then stops."""
    from core.sandbox.process import DemoCompanyProcess, demo_company_command
    from core.store.paths import AppPaths

    box = DemoCompanyProcess.start(None, AppPaths.default().demo_state / "check")
    try:
        xero_url = box.xero_base + "/connections"
        status, _ = _get(xero_url)  # no token: Xero answers 401, as the real one does
        if status != 401:
            raise CheckFailed(f"the Xero simulator answered {status} to {xero_url}, expected 401")
        status, body = _get(
            box.qbtime_base + "/current_user", {"Authorization": f"Bearer {box.qbtime_token}"}
        )
        if status != 200 or not isinstance(body, dict) or "results" not in body:
            raise CheckFailed(f"the QuickBooks Time simulator answered {status}")
        ports = [
            int(url.rsplit(":", 1)[1].split("/")[0]) for url in (box.xero_base, box.qbtime_base)
        ]
    finally:
        box.stop()
    if box.proc.returncode != 0:
        raise CheckFailed(f"the Demo Company's process ended with code {box.proc.returncode}")
    for port in ports:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                raise CheckFailed(f"a simulator still listens on port {port} after stop()")
    how = " ".join(
        Path(part).name if i == 0 else part for i, part in enumerate(demo_company_command())
    )
    return (
        f"`{how}` answered on ports {ports[0]} (Xero) and {ports[1]} (QuickBooks Time), "
        "then stopped"
    )


@contextlib.contextmanager
def _qt_errors() -> Iterator[list[str]]:
    """Exceptions raised inside Qt callbacks are printed, not raised: collect them."""
    errors: list[str] = []
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        errors.append("".join(traceback.format_exception_only(kind, exc)).strip())

    sys.excepthook = hook
    try:
        yield errors
    finally:
        sys.excepthook = previous


def check_wizard(report: Report) -> str:
    from PySide6.QtWidgets import QApplication

    from core.app.context import AppContext
    from core.sandbox.process import DemoCompanyProcess
    from core.store.paths import AppPaths
    from core.store.secrets import demo_memory_store

    from .i18n import install_language
    from .state import WizardState
    from .wizard import BridgeWizard, page_classes

    try:
        classes = page_classes()
    except ImportError as exc:
        raise CheckFailed(f"a wizard page is missing: {exc}") from None
    paths = AppPaths.default().ensure()
    box = DemoCompanyProcess.start(None, paths.demo_state / "wizard")
    try:
        ctx = AppContext.create(
            demo=True, paths=paths, sandbox=box, opener=lambda url: True, tokens=demo_memory_store()
        )
    except BaseException:
        box.stop()
        raise
    try:
        ctx.open_db()
        install_language("en")
        with _qt_errors() as errors:
            wizard = BridgeWizard(WizardState(ctx, language="en"))
            try:
                built = [type(page).__name__ for page in wizard.pages.values()]
                wizard.show()
                for _ in range(5):
                    QApplication.processEvents()
                start = type(wizard.currentPage()).__name__
            finally:
                wizard.close()
                wizard.tasks.wait(15000)
                wizard.deleteLater()
                QApplication.processEvents()
        if errors:
            raise CheckFailed("errors while showing the wizard: " + " | ".join(errors[:3]))
        if len(built) != len(classes):
            raise CheckFailed(f"built {len(built)} of {len(classes)} pages")
    finally:
        ctx.close()
    return f"{len(built)} pages built ({', '.join(built)}), opened on {start}"


CHECKS: tuple[tuple[str, Callable[[Report], str]], ...] = (
    ("resources", check_resources),
    ("database", check_database),
    ("translations", check_translations),
    ("locale data", check_locale_data),
    ("icon", check_icon),
    ("platform plugins", check_platform_plugins),
    ("keyring backends", check_keyring),
    ("demo company", check_demo_company),
    ("wizard", check_wizard),
)


# ----------------------------------------------------------------------------- running


@contextlib.contextmanager
def _temporary_home() -> Iterator[Path]:
    previous = os.environ.get("XQB_HOME")
    with tempfile.TemporaryDirectory(prefix="xqb-selftest-") as home:
        os.environ["XQB_HOME"] = home
        try:
            yield Path(home)
        finally:
            if previous is None:
                os.environ.pop("XQB_HOME", None)
            else:
                os.environ["XQB_HOME"] = previous


def _output() -> TextIO | None:
    if sys.stdout is not None:
        return sys.stdout
    # A windowed Windows/macOS app has no console: keep the report in a file.
    path = Path(tempfile.gettempdir()) / "xero-qbtime-bridge-selftest.txt"
    return open(path, "w", encoding="utf-8")  # closed by run()


def run(out: TextIO | None = None) -> int:
    """Run every check; 0 when all passed, 1 otherwise (the failed ones are named)."""
    started = time.perf_counter()
    stream = out if out is not None else _output()
    report = Report(stream)
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is None:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no window, no display needed
        from .app import ensure_app

        ensure_app()
        report.info(
            "self-test",
            f"xero-qbtime-bridge {__version__}, "
            f"{'frozen bundle' if is_frozen() else 'source checkout'}, Python "
            f"{platform.python_version()}, PySide6 {pyside_version}, {platform.platform()}",
        )
        with _temporary_home():
            for name, check in CHECKS:
                t0 = time.perf_counter()
                try:
                    detail = check(report)
                except CheckFailed as exc:
                    report.failed(name, str(exc))
                except Exception as exc:
                    report.failed(name, f"{type(exc).__name__}: {exc}")
                else:
                    report.ok(name, detail, time.perf_counter() - t0)
        total = time.perf_counter() - started
        if report.failures:
            report._write(
                f"self-test FAILED ({len(report.failures)} of {len(CHECKS)} checks: "
                f"{', '.join(report.failures)}; {total:.1f} s)"
            )
            return 1
        report._write(f"self-test passed ({len(CHECKS)} checks, {total:.1f} s)")
        return 0
    finally:
        if out is None and stream is not None and stream is not sys.stdout:
            stream.close()
