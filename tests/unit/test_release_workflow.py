"""The release workflow (.github/workflows/release.yml) can only run on GitHub: here it is linted
by actionlint and held to its promises (three OSes, the scripts of packaging/, a self-test of
each installer, the artefacts uploaded and attached to a release on a tag)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
EXACT_VERSION = re.compile(r"^[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+$")


def _actionlint() -> str:
    beside_python = Path(sys.executable).with_name("actionlint")
    found = str(beside_python) if beside_python.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: pip install -e '.[test]' (make venv) installs it")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_actionlint(), "-no-color", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    return _workflow()["jobs"]["installers"]["steps"]


def _runs_on(step: dict, os_name: str) -> bool:
    condition = step.get("if", "")
    return not condition or f"runner.os == '{os_name}'" in condition


def test_actionlint_passes() -> None:
    result = _lint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_checks_the_actions_inputs(tmp_path: Path) -> None:
    # actionlint knows the inputs and runtimes of popular actions by major tag only (@v6):
    # lint a copy with the exact pins cut back to their major tag so those checks apply too.
    text = WORKFLOW.read_text(encoding="utf-8")
    major = re.sub(r"(uses: [\w.-]+/[\w.-]+@v\d+)(?:\.\d+)+", r"\1", text)
    assert major != text
    copy = tmp_path / "release.yml"
    copy.write_text(major, encoding="utf-8")
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_mistake(tmp_path: Path) -> None:
    # The lint is real: an unknown runner label and an undefined input fail it.
    broken = WORKFLOW.read_text(encoding="utf-8").replace("windows-2022", "windows-2009")
    broken = broken.replace("python-version:", "pyhton-version:")
    copy = tmp_path / "release.yml"
    copy.write_text(re.sub(r"@v(\d+)(?:\.\d+)+", r"@v\1", broken), encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert "windows-2009" in result.stdout
    assert "pyhton-version" in result.stdout


def test_a_matrix_of_windows_macos_and_linux() -> None:
    oses = [
        entry["os"] for entry in _workflow()["jobs"]["installers"]["strategy"]["matrix"]["include"]
    ]
    assert any(os.startswith("windows-") for os in oses)
    assert any(os.startswith("macos-") for os in oses)
    assert any(os.startswith("ubuntu-") for os in oses)
    assert "latest" not in " ".join(oses), "runner images pinned, not -latest"


def test_each_os_builds_with_the_existing_scripts() -> None:
    runs = {
        os_name: "\n".join(s.get("run", "") for s in _steps() if _runs_on(s, os_name))
        for os_name in ("Windows", "macOS", "Linux")
    }
    assert "packaging\\windows\\build.ps1" in runs["Windows"]
    assert "packaging/macos/build_dmg.sh" in runs["macOS"]
    assert "make package" in runs["Linux"]
    for script in (
        "windows/build.ps1",
        "windows/installer.iss",
        "macos/build_dmg.sh",
        "build_linux.sh",
    ):
        assert (ROOT / "packaging" / script).is_file(), script
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^package:", makefile, re.M)
    assert "packaging/build_linux.sh" in makefile
    # The Linux runner installs the Makefile's own package lists (it is not root).
    assert "APT_PACKAGES" in runs["Linux"] and "PACKAGE_APT" in runs["Linux"]
    assert re.search(r"^APT_PACKAGES :=", makefile, re.M)
    assert re.search(r"^PACKAGE_APT :=", makefile, re.M)


@pytest.mark.parametrize("os_name", ["Windows", "macOS", "Linux"])
def test_each_os_runs_the_self_test_of_what_users_get(os_name: str) -> None:
    self_tests = [
        s
        for s in _steps()
        if s.get("if") and _runs_on(s, os_name) and "--self-test" in s.get("run", "")
    ]
    assert self_tests, f"no --self-test step on {os_name}"
    run = self_tests[0]["run"]
    if os_name == "Windows":
        assert "/VERYSILENT" in run and "xero-qbtime-bridge-selftest.txt" in run
        assert "ExitCode -ne 0" in run
    if os_name == "macOS":
        assert "hdiutil attach" in run
    if os_name != "Windows":
        assert "QT_QPA_PLATFORM=offscreen" in run
    if os_name == "Linux":
        assert "tar -C" in run


def test_the_installers_are_uploaded_and_released_on_a_tag() -> None:
    workflow = _workflow()
    # PyYAML reads the key "on" as True.
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["push"]["tags"] == ["v*"]
    upload = [s for s in _steps() if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0]["with"]["if-no-files-found"] == "error"
    for entry in workflow["jobs"]["installers"]["strategy"]["matrix"]["include"]:
        assert entry["installer"].startswith("dist/")
    release = workflow["jobs"]["release"]
    assert release["needs"] == "installers"
    assert "refs/tags/v" in release["if"]
    assert release["permissions"] == {"contents": "write"}
    assert "gh release create" in release["steps"][-1]["run"]
    assert workflow["permissions"] == {"contents": "read"}


def test_actions_are_pinned_by_exact_version() -> None:
    uses = re.findall(r"uses: (\S+)", WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for action in uses:
        assert EXACT_VERSION.match(action), f"{action}: pin an exact version (vX.Y.Z)"


def test_make_lint_runs_actionlint() -> None:
    lint = (
        (ROOT / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    )
    assert "actionlint" in lint
