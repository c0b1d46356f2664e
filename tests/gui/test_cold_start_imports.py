"""The way to the first page painted imports no network code, no keyring and no engine: they
load when first used (on worker threads, or in the engine's process), not while the window
opens; the log file's module (logging.handlers) loads once the page is painted. Checked in a
fresh process started as the desktop shortcut starts the app, for a first run (the welcome
page) and for a returning user (the home page, whose reads start once it is painted). Neither
opens the database before its first page is painted: a worker does, once it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: imported before the first page is painted, the start would pay for them (issue 16)
HEAVY = (
    "requests",
    "urllib3",
    "requests_oauthlib",
    "keyring",
    "playhouse.migrate",
    "core.services.http",
    "core.services.auth.xero_oauth",
    "core.services.fetch",
    "core.app.sync",
    "core.engine.plan",
    "core.engine.matching",
    "core.engine.report",
    "logging.handlers",
    "hmac",
    "webbrowser",
    # the limits, counters and timeouts of the network calls (and datetime with them): made
    # at their first use (core.app.context._MadeAtFirstRead); "Bill time in Xero"'s dates
    "core.services.limits",
    "datetime",
    "wizard.billing_dates",
    # the country search's and babel's folding of accents (a 1.2 MB extension module)
    "unicodedata",
)

#: the database is opened (a first run: created) once the first page is painted, on a worker
#: (wizard.app.open_wizard): none of these is loaded before (peewee imports decimal, which
#: core.i18n no longer does)
DATABASE = ("peewee", "sqlite3", "core.store.models", "core.store.db", "decimal")

SCRIPT = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

# the modules PySide's import hook reads the source of (wizard/pyside_hook.py)
feature = sys.modules["shibokensupport.feature"]
reads_source, read = feature._mod_uses_pyside, []
def reading(module):
    read.append(module.__name__)
    return reads_source(module)
feature._mod_uses_pyside = reading
loaded_before = set(sys.modules)

import main, wizard.app
from pathlib import Path

home = Path(os.environ["XQB_HOME"])

seen = {}
heavy, database = %r, %r

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "page" not in seen:
            seen["page"] = type(obj).__name__
            seen["loaded"] = [m for m in heavy if m in sys.modules]
            seen["database"] = [m for m in database if m in sys.modules]
            # Qt's namespace (its ~120 enums) is made at its first use: then it is here
            seen["qt_namespace"] = "Qt" in vars(sys.modules["PySide6.QtCore"])
            seen["files"] = sorted(p.name for p in (home / "data").glob("*"))
            seen["held"] = wizards[0].tasks.held()
            seen["pending"] = wizards[0].state.ctx.db_pending
            seen["busy"] = wizards[0].currentPage().busy
            seen["title"] = wizards[0].currentPage().title()
            # an item view's Python types are made when Python first meets one (a list view
            # and its scroll bars: ~10 ms), as Qt's namespace is
            seen["view_types"] = [
                name
                for name in ("QAbstractItemView", "QListView", "QScrollBar")
                if name in vars(sys.modules["PySide6.QtWidgets"])
            ]
            from PySide6.QtWidgets import QAbstractItemView  # after the checks above
            seen["item_views"] = len(wizards[0].currentPage().findChildren(QAbstractItemView))
            seen["countries_data"] = "wizard.countries_data" in sys.modules
            model = getattr(wizards[0].currentPage(), "model", None)
            seen["rows_at_paint"] = model.rowCount() if model is not None else None
            search = getattr(wizards[0].currentPage(), "search", None)
            seen["search_text"] = search.text() if search is not None else None
            # the window's icon (an SVG: Qt's SVG icon engine) is set once the page is
            # painted; QIcon's Python class is not made before (checked before asking)
            seen["qicon_made"] = "QIcon" in vars(sys.modules["PySide6.QtGui"])
            seen["icon_at_paint"] = not wizards[0].windowIcon().isNull()
            standard = sys.stdlib_module_names
            seen["stdlib_read"] = sorted(
                n for n in read if n.partition(".")[0] in standard and n in loaded_before
            )
            seen["app_read"] = sorted(n for n in read if n.partition(".")[0] in ("core", "wizard"))
            QTimer.singleShot(100, later)
        return False

def later():
    # what the first page made once it was painted (the welcome page: its list of countries)
    # the standard library's modules in PySide's table: as its hook would have marked them
    standard = sys.stdlib_module_names
    table = feature.pyside_feature_dict
    marked = [n for n in table if n.partition(".")[0] in standard and n in sys.modules]
    seen["stdlib_marked"] = len(marked)
    seen["stdlib_disagree"] = [
        n for n in marked if table[n] != (0 if reads_source(sys.modules[n]) else -1)
    ]
    page = wizards[0].currentPage()
    model = getattr(page, "model", None)
    seen["rows_later"] = model.rowCount() if model is not None else None
    seen["icon_later"] = not wizards[0].windowIcon().isNull()
    QApplication.instance().quit()

painted = Painted()
wizards = []
build = wizard.app.build_wizard

def build_and_watch(*args, **kwargs):
    if os.environ.get("XQB_TEST_ALSO_IMPORT"):  # the check's own control
        __import__(os.environ["XQB_TEST_ALSO_IMPORT"])
    if os.environ.get("XQB_TEST_TOUCH_QT"):  # the namespace check's own control
        from PySide6.QtCore import Qt
    built = build(*args, **kwargs)
    built.page(built.startId()).installEventFilter(painted)
    QTimer.singleShot(20000, QApplication.instance().quit)
    wizards.append(built)
    return built

wizard.app.build_wizard = build_and_watch
code = main.main([])
print(json.dumps({"code": code, **seen}), flush=True)
os._exit(0)
"""


def _first_paint(
    home: Path, also_import: str = "", touch_qt: bool = False, locale: str = ""
) -> dict:
    env = {
        **os.environ,
        **({"LC_ALL": locale, "LANG": locale, "LANGUAGE": ""} if locale else {}),
        "XQB_TEST_ALSO_IMPORT": also_import,
        "XQB_TEST_TOUCH_QT": "1" if touch_qt else "",
        "XQB_HOME": str(home),
        "XQB_XERO_CLIENT_ID": "import-check",
        "QT_QPA_PLATFORM": "offscreen",
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT % (HEAVY, DATABASE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[-1])


def test_the_first_page_is_painted_before_any_network_keyring_or_engine_code_loads(tmp_path):
    seen = _first_paint(tmp_path / "home")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    assert seen["loaded"] == []


def test_a_first_run_paints_its_first_page_before_the_database_is_made(tmp_path):
    """No database yet: the welcome page is painted with the instance lock taken but with
    neither peewee nor sqlite3 loaded and no database file made (a worker creates it next:
    tests/gui/test_first_run_database.py)."""
    seen = _first_paint(tmp_path / "home")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    assert seen["database"] == []
    assert seen["files"] == ["app.lock"]


def test_a_first_run_paints_its_first_page_before_qt_s_namespace_is_made(tmp_path):
    """Qt's namespace (``PySide6.QtCore.Qt``: ~120 enum classes, ~17 ms, all made at its
    first use) is not used on the way to the welcome page: its widgets set enum properties
    by their key (wizard.widgets.set_enum), the rest import ``Qt`` where they use it."""
    seen = _first_paint(tmp_path / "home")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    assert seen["qt_namespace"] is False


def test_a_first_run_paints_its_welcome_page_before_making_the_list_of_countries(tmp_path):
    """The welcome page's searchable list of countries shows only its search box at the
    first paint (the country proposed, or what to type), as it looks with its list
    (tests/gui/test_welcome.py compares the pixels): the ~250 names and the search's
    completer are made one turn after the paint. With no country proposed (a locale
    without one), the names' module is not even imported before."""
    seen = _first_paint(tmp_path / "home", locale="C")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    assert seen["countries_data"] is False and seen["search_text"] == ""
    assert seen["rows_at_paint"] == 0
    assert seen["rows_later"] > 200  # then the list is there
    # a country proposed: its name is shown at the first paint, the list made after
    seen = _first_paint(tmp_path / "home-au", locale="en_AU.UTF-8")
    assert seen["page"] == "WelcomePage" and seen["search_text"] == "Australia"
    assert seen["rows_at_paint"] == 0 and seen["rows_later"] > 200


def test_a_first_run_paints_its_welcome_page_before_python_meets_an_item_view(tmp_path):
    """An item view's Python types (QAbstractItemView, QListView and their scroll bars:
    ~10 ms) are made when Python first meets one. Qt makes the combo boxes' list views while
    the window is first shown; the wizard's look for its page title walked the whole window
    (findChildren meets every object) and so met them: it now walks only the wizard's own
    widgets (BridgeWizard._own_labels), and the title is still enlarged
    (tests/gui/test_way_forward.py)."""
    seen = _first_paint(tmp_path / "home", locale="C")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    assert seen["view_types"] == []


def test_the_window_s_icon_is_set_once_the_first_page_is_painted(tmp_path):
    """No page shows the window's icon: it is set once the first page is painted
    (wizard.widgets.AfterFirstPaint), not before (an SVG icon loads Qt's SVG icon engine and
    its library, and QIcon's Python class: ~3 ms). A tenth of a second later it is there."""
    seen = _first_paint(tmp_path / "home")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    assert seen["qicon_made"] is False and seen["icon_at_paint"] is False
    assert seen["icon_later"] is True


def test_pyside_s_import_hook_does_not_read_the_standard_library(tmp_path):
    """Once PySide6 is loaded, its import hook reads the source of each module an import
    statement names, the first time (to find whether it names PySide6). The standard
    library's modules loaded before the app started (typing, argparse, logging…: ~4 ms) are
    not read: their answer is written in its table first (wizard/pyside_hook.py), the one
    the hook would have found. The app's own modules are still read (its check stays
    active: the control)."""
    seen = _first_paint(tmp_path / "home")
    assert seen["code"] == 0 and seen["page"] == "WelcomePage"
    # but main.py's first line (its ``from __future__``, read with io and sys, which the
    # hook imports to read it), before main.py can mark anything
    assert set(seen["stdlib_read"]) <= {"__future__", "io", "sys"}
    assert "wizard.pages.welcome" in seen["app_read"]
    assert seen["stdlib_marked"] > 50 and seen["stdlib_disagree"] == []


def test_the_namespace_check_itself_sees_qt_used(tmp_path):
    seen = _first_paint(tmp_path / "home", touch_qt=True)
    assert seen["qt_namespace"] is True


def test_a_returning_user_s_home_page_is_painted_before_its_reads_load_anything(tmp_path):
    """A business connected (the Demo Company, as a first run leaves it): the app opens on
    the home page, painted before the database is opened (peewee and sqlite3 not even
    loaded), the keyring read and Qt's namespace made; the page says it is reading. Its
    reads (the database, then the connection, the last import, invoices, the check for
    changes: engine, network) start once it is painted, on worker threads."""
    home = tmp_path / "home"
    prepared = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.workers",
            "cold_start_prepare",
            str(home),
            str(tmp_path / "keyring.json"),
            str(tmp_path / "demo"),
        ],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    seen = _first_paint(home)
    assert seen["code"] == 0 and seen["page"] == "HomePage"
    assert seen["title"] == "Import again" and seen["busy"]  # the home page, reading
    assert seen["pending"]  # the database is opened once the page is painted
    assert seen["database"] == []
    assert seen["loaded"] == []
    assert seen["qt_namespace"] is False
    # nor an item view (a first one costs ~10 ms): the list of businesses, made when the
    # database says there are several
    assert seen["item_views"] == 0


def test_the_check_itself_sees_a_heavy_import(tmp_path):
    """The same check, with ``requests`` imported while the wizard is built: it is seen."""
    seen = _first_paint(tmp_path / "home", also_import="requests")
    assert "requests" in seen["loaded"]
