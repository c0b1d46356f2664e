"""The layers hold (`lint-imports`, contracts in pyproject.toml) and a forbidden import breaks
the build: each contract is shown failing on a copy of the code with one bad import added."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _copy(tmp_path: Path) -> Path:
    top = tmp_path / "project"
    top.mkdir()
    for name in ("core", "wizard"):
        shutil.copytree(
            ROOT / name, top / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", top / "pyproject.toml")
    return top


def _lint(top: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=top, capture_output=True, text=True, timeout=120
    )


def _add_import(top: Path, module: str, line: str) -> None:
    path = top / (module.replace(".", "/") + ".py")
    if not path.exists():  # a package
        path = top / module.replace(".", "/") / "__init__.py"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "\n" + rest, encoding="utf-8")


def test_the_project_keeps_every_contract():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core.engine.plan", "import PySide6.QtCore", "core is plain Python"),
        ("core.engine.plan", "import requests", "the engine needs no network code"),
        ("core.engine.matching", "import core.services.fetch", "layers"),
        ("core.store.models", "import core.engine.plan", "layers"),
        ("core.services.fetch", "import core.sandbox.server", "only the demo wiring"),
        ("wizard.pages.options", "import core.sandbox.qbtime", "only the demo wiring"),
        ("core.sandbox.qbtime", "import core.engine.plan", "the simulators are apart"),
        ("core.engine.names", "import core.engine.plan", "no import cycles"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    top = _copy(tmp_path)
    _add_import(top, module, line)
    done = _lint(top)
    assert done.returncode != 0, f"{line} in {module} was accepted"
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, done.stdout
