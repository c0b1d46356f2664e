"""Follow-ups of the keyboard and window review: the window fits its screen again when it goes
to another one (a smaller screen, one at 200 %) or its screen's usable area changes, and gets
back the size a smaller screen took from it; the screenshots are taken on a common desktop's
screen (1920×1080, the tests' one: resources/demo/offscreen_screen.json), not on Qt's
offscreen 800×800 one the window would fit; Enter on a page does what the button drawn as the
default says, not what a focused action button of the page does (Space presses that one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QWizard

from wizard import screenshots
from wizard import wizard as wizard_module
from wizard.state import PageId, WizardState
from wizard.wizard import BridgeWizard

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20000


def _child(tmp_path: Path, script: str, platform: str) -> dict:
    """Run ``script`` in a Python of its own on the Qt platform ``platform``; its last line
    of output is a JSON object, returned."""
    env = {
        **os.environ,
        "XQB_HOME": str(tmp_path / "home"),
        "QT_QPA_PLATFORM": platform,
        "LANG": "C.UTF-8",
    }
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: a Demo Company window (its first page) in a process of its own, shown as ``wiz``
_WINDOW = """
    import json, os, time
    from pathlib import Path
    from core.app.context import AppContext
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
    from core.store.paths import AppPaths
    from core.store.secrets import demo_memory_store
    from wizard.app import ensure_app
    from wizard.i18n import install_language
    from wizard.state import WizardState
    from wizard.wizard import BridgeWizard

    def window():
        app = ensure_app()
        paths = AppPaths.default().ensure()
        box = Sandbox.open(DEMO_COMPANY_FILE, Path(os.environ["XQB_HOME"]) / "demo")
        ctx = AppContext.create(demo=True, paths=paths, tokens=demo_memory_store(), sandbox=box)
        ctx.open_db()
        install_language("en")
        wiz = BridgeWizard(WizardState(ctx, language="en"))
        wiz.show()
        pump(app)
        return app, wiz

    def pump(app, seconds=0.3):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def size(qsize):
        return [qsize.width(), qsize.height()]

    def rect(r):
        return [r.x(), r.y(), r.width(), r.height()]
"""


# ---------------------------------------------------------------------------- other screens
SCREENS = {
    "screens": [
        {"name": "big", "x": 0, "y": 0, "width": 1920, "height": 1080},
        # a 1920×1080 screen at 200 %: 960×540 logical pixels
        {"name": "small", "x": 1920, "y": 0, "width": 960, "height": 540},
        {"name": "large", "x": 2880, "y": 0, "width": 2560, "height": 1440},
    ]
}
for _screen in SCREENS["screens"]:
    _screen.update({"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1})


def test_the_window_fits_each_screen_it_is_moved_to_and_gets_its_size_back(tmp_path):
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS), encoding="utf-8")
    seen = _child(
        tmp_path,
        _WINDOW
        + """
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QWizard

    app, wiz = window()
    seen = {}

    def look(name):
        pump(app)
        buttons = {}
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                      QWizard.WizardButton.CancelButton):
            button = wiz.button(which)
            corner = button.mapTo(wiz, QPoint(button.width() - 1, button.height() - 1))
            buttons[button.text()] = wiz.rect().contains(corner)
        seen[name] = {
            "screen": wiz.screen().name(),
            "area": rect(wiz.screen().availableGeometry()),
            "frame": rect(wiz.frameGeometry()),
            "size": size(wiz.size()),
            "min": size(wiz.minimumSize()),
            "buttons": buttons,
        }

    look("big")
    wiz.move(1920 + 100, 40)  # dragged onto the small screen
    look("small")
    wiz.move(100, 100)  # back to the big screen: the size it had there
    look("back")
    wiz.resize(1200, 900)  # made larger by the user
    look("larger")
    wiz.move(2880 + 100, 100)  # onto a larger screen: as it is
    look("large")
    wiz.move(1920 + 10, 10)  # onto the small screen and back: the user's size again
    look("small again")
    wiz.move(100, 100)
    look("big again")
    wiz.move(1920 + 10, 10)  # made as small as it goes on the small screen: that size stays
    wiz.resize(100, 100)
    look("small, smallest")
    wiz.move(100, 100)
    look("big after resized on small")
    print(json.dumps(seen), flush=True)
    os._exit(0)
    """,
        f"offscreen:configfile={config}",
    )

    def fits(name):
        look = seen[name]
        x, y, w, h = look["area"]
        fx, fy, fw, fh = look["frame"]
        assert x <= fx and y <= fy and fx + fw <= x + w and fy + fh <= y + h, (name, look)
        assert all(look["buttons"].values()), (name, look)  # Back, Next, Cancel in sight

    assert seen["big"]["screen"] == "big"
    assert seen["big"]["size"] == [880, 640] and seen["big"]["min"] == [760, 560]
    for name in ("small", "small again", "small, smallest"):
        assert seen[name]["screen"] == "small", (name, seen[name])
        fits(name)
    assert seen["small"]["size"][1] < 540 and seen["small"]["min"][1] < 540
    assert seen["small, smallest"]["size"] == seen["small, smallest"]["min"]
    assert seen["back"]["screen"] == "big"
    assert seen["back"]["size"] == [880, 640] and seen["back"]["min"] == [760, 560]
    assert seen["larger"]["size"] == [1200, 900]
    assert seen["large"]["screen"] == "large" and seen["large"]["size"] == [1200, 900]
    assert seen["big again"]["size"] == [1200, 900]
    last = seen["big after resized on small"]
    assert last["size"] == [760, 560] and last["min"] == [760, 560]


def test_the_window_fits_again_when_its_screen_has_less_room(demo_env, qtbot, monkeypatch):
    """Another resolution or scale, a task bar made larger: the screen's usable area changes
    under the window."""
    ctx, _box, _t = demo_env
    wiz = BridgeWizard(WizardState(ctx))
    qtbot.addWidget(wiz, before_close_func=lambda w: w.stop_background_work())
    wiz.show()
    qtbot.waitExposed(wiz)
    assert wiz.size() == BridgeWizard.DEFAULT_SIZE
    screen = wiz.screen()
    area = QRect(0, 0, 960, 540)
    monkeypatch.setattr(wizard_module, "available_geometry", lambda widget: QRect(area))
    screen.availableGeometryChanged.emit(area)
    assert wiz.width() <= 960 and wiz.height() <= 540
    assert wiz.minimumHeight() <= 540
    assert area.contains(wiz.frameGeometry())
    area = QRect(0, 0, 1920, 1040)
    screen.availableGeometryChanged.emit(area)
    assert wiz.size() == BridgeWizard.DEFAULT_SIZE  # the room is back: so is its size
    assert wiz.minimumSize() == BridgeWizard.MINIMUM_SIZE


# ---------------------------------------------------------------------------- screenshots
def test_the_tests_and_the_screenshots_draw_on_the_same_desktop_screen():
    assert screenshots.SCREEN_FILE == ROOT / "resources" / "demo" / "offscreen_screen.json"
    assert os.environ["QT_QPA_PLATFORM"] == f"offscreen:configfile={screenshots.SCREEN_FILE}"
    (screen,) = json.loads(screenshots.SCREEN_FILE.read_text(encoding="utf-8"))["screens"]
    assert (screen["width"], screen["height"], screen["dpr"]) == (1920, 1080, 1)
    assert QGuiApplication.primaryScreen().size() == QSize(1920, 1080)
    assert not (ROOT / "tests" / "fixtures" / "offscreen_screen.json").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "offscreen:configfile={file}"),
        ("", "offscreen:configfile={file}"),
        ("offscreen", "offscreen:configfile={file}"),  # make screenshots
        ("offscreen:fontengine=freetype", "offscreen:fontengine=freetype:configfile={file}"),
        ("offscreen:configfile=/tmp/other.json", "offscreen:configfile=/tmp/other.json"),
        ("xcb", "xcb"),  # drawn on the desktop: its own screen
    ],
)
def test_the_screenshots_screen_unless_another_is_given(monkeypatch, given, expected):
    if given is None:
        monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    else:
        monkeypatch.setenv("QT_QPA_PLATFORM", given)
    screenshots.use_desktop_screen()
    assert os.environ["QT_QPA_PLATFORM"] == expected.format(file=screenshots.SCREEN_FILE)


def test_the_screenshots_are_taken_on_a_desktop_screen(tmp_path):
    """As `make screenshots` runs the command (QT_QPA_PLATFORM=offscreen): the window is
    drawn at its usual size (880×640, as the README's images), the steps with their names."""
    seen = _child(
        tmp_path,
        _WINDOW
        + """
    import wizard.screenshots as shots

    seen = {}

    def first_shot(out, language):
        app, wiz = window()
        seen["screen"] = size(app.primaryScreen().size())
        seen["image"] = size(wiz.grab().size())
        seen["compact steps"] = wiz.step_list.compact
        wiz.stop_background_work()
        return []

    shots._run_language = first_shot
    shots.take_screenshots(Path(os.environ["XQB_HOME"]) / "shots", ["en"])
    print(json.dumps(seen), flush=True)
    os._exit(0)
    """,
        "offscreen",
    )
    assert seen == {"screen": [1920, 1080], "image": [880, 640], "compact steps": False}


# ---------------------------------------------------------------------------- Enter
def _window(ctx, conn, qtbot) -> BridgeWizard:
    wiz = BridgeWizard(WizardState(ctx, country="AU", connection_id=conn.id), already_set_up=True)
    qtbot.addWidget(wiz, before_close_func=lambda w: w.stop_background_work())
    wiz.show()
    wiz.activateWindow()
    qtbot.waitUntil(wiz.isActiveWindow, timeout=WAIT)
    return wiz


def _defaults(wiz) -> list[QPushButton]:
    return [b for b in wiz.findChildren(QPushButton) if b.isDefault() and b.isVisible()]


def _page_buttons_enter_presses(wiz) -> list[str]:
    """The shown page's buttons that Enter presses with the focus on them, or that take the
    default from the button drawn as such as they take the focus: each is given the focus."""
    page = wiz.currentPage()
    drawn = _defaults(wiz)
    found = []
    for button in page.findChildren(QPushButton):
        if button.window() is not wiz or not button.isVisible() or not button.isEnabled():
            continue
        if button in drawn:
            continue
        button.setFocus()
        assert QApplication.focusWidget() is button
        if button.autoDefault() or button.isDefault() or _defaults(wiz) != drawn:
            found.append(button.text())
    return found


def test_enter_on_the_home_page_does_what_the_default_button_says(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    wiz = _window(ctx, conn, qtbot)
    home = wiz.pages[PageId.HOME]
    qtbot.waitUntil(
        lambda: not home.busy and home._info is not None and home.payroll_box.isVisible(),
        timeout=WAIT,
    )
    qtbot.wait(20)
    focus = QApplication.focusWidget()
    assert focus is home.review_button  # the first action, said by a screen reader
    next_button = wiz.button(QWizard.WizardButton.NextButton)
    assert next_button.text().replace("&", "") == "Import again"
    assert _defaults(wiz) == [next_button]  # drawn as the default, with the focus elsewhere
    assert _page_buttons_enter_presses(wiz) == []  # the page's other actions neither
    focus.setFocus()
    # Enter: "Import again", not "Review look-alike records"
    with qtbot.waitSignal(next_button.clicked, timeout=1000):
        qtbot.keyClick(focus, Qt.Key.Key_Return)
    assert wiz.state.detour is None


def test_space_still_presses_the_focused_action_of_the_home_page(connected_env, qtbot):
    ctx, _box, _t, conn = connected_env
    wiz = _window(ctx, conn, qtbot)
    home = wiz.pages[PageId.HOME]
    qtbot.waitUntil(lambda: not home.busy and home._info is not None, timeout=WAIT)
    home.options_button.setFocus()
    assert _defaults(wiz) == [wiz.button(QWizard.WizardButton.NextButton)]
    qtbot.keyClick(home.options_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.OPTIONS), timeout=WAIT)

    # The options page: Enter on "Manage…" saves (the default), it does not open the list
    options = wiz.pages[PageId.OPTIONS]
    qtbot.waitUntil(lambda: not options.busy, timeout=WAIT)
    qtbot.wait(20)
    assert _page_buttons_enter_presses(wiz) == []
    options.manage_button.setFocus()
    default = _defaults(wiz)
    assert default and default[0] is not options.manage_button
    qtbot.keyClick(options.manage_button, Qt.Key.Key_Return)
    qtbot.wait(50)
    dialog = getattr(options, "customers_dialog", None)
    assert dialog is None or not dialog.isVisible()


def test_enter_on_the_import_pages_does_what_the_default_button_says(connected_env, qtbot):
    """The review's and the result's own actions ("Undo this import", "Export…") neither."""
    ctx, _box, _t, conn = connected_env
    wiz = _window(ctx, conn, qtbot)
    home = wiz.pages[PageId.HOME]
    qtbot.waitUntil(lambda: not home.busy and home._info is not None, timeout=WAIT)
    next_button = wiz.button(QWizard.WizardButton.NextButton)
    qtbot.waitUntil(next_button.isEnabled, timeout=WAIT)
    next_button.click()
    qtbot.waitUntil(lambda: wiz.currentId() in (PageId.REVIEW, PageId.PREVIEW), timeout=WAIT)
    if wiz.currentId() == int(PageId.REVIEW):
        review = wiz.pages[PageId.REVIEW]
        qtbot.waitUntil(lambda: not review.busy, timeout=WAIT)
        qtbot.wait(20)
        assert _page_buttons_enter_presses(wiz) == []
        wiz.next()
    preview = wiz.pages[PageId.PREVIEW]
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.PREVIEW) and preview.loaded, timeout=WAIT)
    wiz.button(QWizard.WizardButton.CommitButton).click()
    run = wiz.pages[PageId.IMPORT]
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.IMPORT) and not run.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: run.isComplete(), timeout=WAIT)
    wiz.button(QWizard.WizardButton.CommitButton).click()
    done = wiz.pages[PageId.DONE]
    qtbot.waitUntil(lambda: wiz.currentId() == int(PageId.DONE) and not done.busy, timeout=WAIT)
    qtbot.wait(20)
    assert done.undo_button.isVisible()
    drawn = _defaults(wiz)
    assert _page_buttons_enter_presses(wiz) == []
    done.undo_button.setFocus()
    assert _defaults(wiz) == drawn
    qtbot.keyClick(done.undo_button, Qt.Key.Key_Return)
    qtbot.wait(100)
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if w is not wiz)
