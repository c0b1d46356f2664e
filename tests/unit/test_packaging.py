"""Installers: the PyInstaller spec, the Linux desktop entry and metadata, the icons, and the
``--self-test`` that proves a bundle complete (run here in-process, offscreen)."""

from __future__ import annotations

import ast
import configparser
import io
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core.version import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "xqb.spec"
APP_ID = "com.xeroqbtimebridge.XeroQBTimeBridge"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"


def _spec_constant(name: str):
    """A literal assigned at the top level of the spec (the spec itself needs PyInstaller)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {SPEC}")


# ------------------------------------------------------------------------------ the spec


def test_spec_lists_every_data_folder_of_resources():
    data = dict(_spec_constant("DATA"))
    folders = {p.name for p in (ROOT / "resources").iterdir() if p.is_dir()}
    assert set(data) == folders, "every folder of resources/ is bundled, and only those"
    for folder, patterns in data.items():
        for pattern in patterns:
            assert list((ROOT / "resources" / folder).glob(pattern)), (
                f"resources/{folder}/{pattern}"
            )


def test_spec_bundles_every_file_the_app_reads():
    data = dict(_spec_constant("DATA"))

    def bundled(path: Path) -> bool:
        rel = path.relative_to(ROOT / "resources")
        return any(rel.match(f"{rel.parts[0]}/{pattern}") for pattern in data.get(rel.parts[0], ()))

    needed = [
        ROOT / "resources" / "demo" / "company.json",
        ROOT / "resources" / "demo" / "offscreen_screen.json",  # (the screenshots' screen)
        *sorted((ROOT / "resources" / "oauth").glob("*.html")),
        ROOT / "resources" / "i18n" / "core.fr.json",
        ROOT / "resources" / "i18n" / "wizard_fr.qm",
        ROOT / "resources" / "icons" / "app.svg",
    ]
    assert [p.name for p in needed if not bundled(p)] == []


def test_spec_keeps_the_keyring_backends_and_excludes_no_qt_module_the_app_imports():
    text = SPEC.read_text(encoding="utf-8")
    assert 'collect_submodules("keyring.backends")' in text
    assert 'copy_metadata("keyring")' in text  # keyring finds its backends via entry points
    excluded = set(_spec_constant("QT_EXCLUDES"))
    used = set()
    for path in [
        ROOT / "main.py",
        *(ROOT / "core").rglob("*.py"),
        *(ROOT / "wizard").rglob("*.py"),
    ]:
        used |= set(re.findall(r"\bPySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert {f"PySide6.{m}" for m in used} & excluded == set()
    assert {"PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork"} <= excluded


def test_the_keyring_modules_the_self_test_requires_exist_here():
    import importlib

    from wizard import selftest

    if sys.platform.startswith("linux"):
        for name in selftest.KEYRING_MODULES["linux"]:
            importlib.import_module(name)


# ------------------------------------------------------------------------------ Linux files


def _desktop_entry() -> dict[str, str]:
    parser = configparser.RawConfigParser(
        delimiters=("=",), comment_prefixes=("#",), strict=True, interpolation=None
    )
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


KNOWN_KEYS = {
    "Type",
    "Version",
    "Name",
    "GenericName",
    "NoDisplay",
    "Comment",
    "Icon",
    "Hidden",
    "OnlyShowIn",
    "NotShowIn",
    "DBusActivatable",
    "TryExec",
    "Exec",
    "Path",
    "Terminal",
    "Actions",
    "MimeType",
    "Categories",
    "Implements",
    "Keywords",
    "StartupNotify",
    "StartupWMClass",
    "URL",
    "PrefersNonDefaultGPU",
    "SingleMainWindow",
}
LOCALISABLE = {"Name", "GenericName", "Comment", "Keywords", "Icon"}
REGISTERED_CATEGORIES = {
    "AudioVideo",
    "Audio",
    "Video",
    "Development",
    "Education",
    "Game",
    "Graphics",
    "Network",
    "Office",
    "Science",
    "Settings",
    "System",
    "Utility",
    "Finance",
}


def test_desktop_entry_keys_are_valid():
    entry = _desktop_entry()
    for key, value in entry.items():
        base, _, locale = key.partition("[")
        assert base in KNOWN_KEYS or base.startswith("X-"), f"unknown key {key}"
        if locale:
            assert base in LOCALISABLE and re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?\]", locale), key
        assert value == value.strip() and value, f"{key} is empty or padded"
    assert entry["Type"] == "Application"
    assert entry["Version"] in {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}
    assert entry["Exec"].split()[0] == entry["TryExec"] == "xero-qbtime-bridge"
    assert entry["Icon"] == APP_ID and "/" not in entry["Icon"]  # a theme icon name
    assert entry["Terminal"] == "false" and entry["StartupNotify"] == "true"
    for key in ("Categories", "Keywords", "Keywords[fr]"):
        assert entry[key].endswith(";"), f"{key} is a list: it ends with ;"
    assert set(entry["Categories"].rstrip(";").split(";")) <= REGISTERED_CATEGORIES
    assert "Name[fr]" in entry and "Comment[fr]" in entry


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate not installed (make package installs it)",
)
def test_desktop_entry_passes_desktop_file_validate():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_metainfo_names_the_app_its_icon_and_this_version():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    icon = root.find("icon")
    assert icon is not None and icon.get("type") == "stock" and icon.text == APP_ID
    assert __version__ in [r.get("version") for r in root.iter("release")]
    assert root.findtext("provides/binary") == "xero-qbtime-bridge"


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli not installed")
def test_metainfo_passes_appstreamcli():
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_script_and_inno_setup_script_are_consistent():
    install = (PACKAGING / "linux" / "install.sh").read_text(encoding="utf-8")
    assert f"APP_ID={APP_ID}" in install
    iss = (PACKAGING / "windows" / "installer.iss").read_bytes()
    assert iss.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, or Inno Setup garbles the French"
    text = iss.decode("utf-8-sig")
    assert "PrivilegesRequired=lowest" in text
    assert 'MessagesFile: "compiler:Languages\\French.isl"' in text
    assert 'MessagesFile: "compiler:Default.isl"' in text
    assert "{autoprograms}" in text


# ------------------------------------------------------------------------------ icons


def test_icon_containers_hold_png_entries():
    sys.path.insert(0, str(PACKAGING))
    try:
        import render_icons
    finally:
        sys.path.remove(str(PACKAGING))
    fake = {size: b"\x89PNG" + bytes([size % 256]) * 10 for size in (16, 32, 48, 256)}
    ico = render_icons.ico(fake)
    assert struct.unpack("<HHH", ico[:6]) == (0, 1, 4)
    width, _, _, _, planes, bits, length, offset = struct.unpack(
        "<BBBBHHII", ico[6 + 3 * 16 : 6 + 4 * 16]
    )
    assert (width, planes, bits) == (0, 1, 32)  # 256 px is written as 0
    assert ico[offset : offset + length] == fake[256]
    pngs = {size: b"\x89PNG" + b"x" * size for size in (32, 64, 128, 256, 512, 1024)}
    icns = render_icons.icns(pngs)
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_the_svg_icon_renders_to_png(qapp, tmp_path):
    sys.path.insert(0, str(PACKAGING))
    try:
        import render_icons
    finally:
        sys.path.remove(str(PACKAGING))
    png = render_icons.render_png(ROOT / "resources" / "icons" / "app.svg", 48)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (48, 48)


# ------------------------------------------------------------------------------ resources


def test_resources_are_found_beside_a_frozen_app(monkeypatch, tmp_path):
    from core import resources

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"
    assert resources.resource("demo", "company.json") == tmp_path / "resources/demo/company.json"
    monkeypatch.delattr(sys, "_MEIPASS")
    assert resources.resources_dir() == ROOT / "resources"


def test_every_module_finds_its_files_through_the_resources_helper():
    from core import i18n
    from core.resources import resources_dir
    from core.sandbox import server
    from core.services.auth import loopback

    assert server.DEMO_COMPANY_FILE == resources_dir() / "demo" / "company.json"
    assert loopback.PAGES_DIR == resources_dir() / "oauth"
    assert i18n.CATALOG_DIR == resources_dir() / "i18n"
    offenders = [
        str(p.relative_to(ROOT))
        for p in [*(ROOT / "core").rglob("*.py"), *(ROOT / "wizard").rglob("*.py")]
        if re.search(r"__file__[^\n]*[\"']resources", p.read_text(encoding="utf-8"))
        and p.name != "resources.py"
    ]
    assert offenders == [], "find resources with core.resources, not from __file__"


# ------------------------------------------------------------------------------ self-test


def test_self_test_passes_in_process_offscreen(qapp):
    from wizard import selftest

    out = io.StringIO()
    code = selftest.run(out=out)
    report = out.getvalue()
    assert code == 0, report
    for name, _ in selftest.CHECKS:
        assert re.search(rf"^{re.escape(name)}\s+ok \(", report, re.M), report
    assert "self-test passed" in report
    assert "keyring (live)" in report  # the live keyring is reported, whatever it is


def test_self_test_reports_a_failure_with_its_reason(qapp, monkeypatch):
    from wizard import selftest

    def broken(report):
        raise selftest.CheckFailed("wizard_fr.qm is missing")

    def crashing(report):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        selftest,
        "CHECKS",
        (
            ("translations", broken),
            ("wizard", crashing),
            ("locale data", selftest.check_locale_data),
        ),
    )
    out = io.StringIO()
    assert selftest.run(out=out) == 1
    report = out.getvalue()
    assert "translations       FAILED: wizard_fr.qm is missing" in report
    assert "wizard             FAILED: RuntimeError: boom" in report
    assert re.search(r"^locale data\s+ok", report, re.M)
    assert "self-test FAILED (2 of 3 checks: translations, wizard" in report


def test_self_test_runs_in_a_temporary_home_and_puts_it_back(qapp, monkeypatch, tmp_path):
    import os

    from wizard import selftest

    monkeypatch.setenv("XQB_HOME", str(tmp_path / "mine"))
    seen = []
    monkeypatch.setattr(
        selftest, "CHECKS", (("home", lambda r: seen.append(os.environ["XQB_HOME"]) or ""),)
    )
    assert selftest.run(out=io.StringIO()) == 0
    assert seen and seen[0] != str(tmp_path / "mine") and not Path(seen[0]).exists()
    assert os.environ["XQB_HOME"] == str(tmp_path / "mine")
    assert not (tmp_path / "mine").exists()


def test_main_runs_the_self_test_before_anything_else(monkeypatch, tmp_path):
    import main
    from wizard import selftest

    monkeypatch.setenv("XQB_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(selftest, "run", lambda: 7)
    assert main.main(["--self-test"]) == 7
    assert not (tmp_path / "home").exists(), "no app folder is created for the self-test"
    assert "--self-test" in main.build_parser().format_help()
