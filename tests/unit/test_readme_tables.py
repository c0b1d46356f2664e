"""The README's figure tables are generated from the results files, never typed."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tools import readme_tables


def test_table_is_rendered_from_the_results_file(tmp_path):
    (tmp_path / "soak-results.json").write_text(
        json.dumps(
            [
                {
                    "name": "attacks held",
                    "value": "3/4",
                    "unit": "cases",
                    "target": "4/4",
                    "meets": False,
                },
                {
                    "name": "duplicates | created",
                    "value": 0,
                    "unit": "duplicates",
                    "target": 0,
                    "meets": True,
                },
            ]
        ),
        encoding="utf-8",
    )
    readme = "intro\n<!-- table: soak-results.json -->\nold typed row\n<!-- /table -->\nend\n"
    out = readme_tables.render(readme, tmp_path)
    assert "old typed row" not in out
    assert "| attacks held | 3/4 | 4/4 | **no** |" in out  # a miss is shown as a miss
    assert "| duplicates \\| created | 0 duplicates | 0 | yes |" in out
    assert out.startswith("intro\n") and out.endswith("<!-- /table -->\nend\n")


def test_the_table_says_when_where_and_on_which_commit_and_shows_a_miss(tmp_path):
    machine = {"cores": 2, "cpu": "Test CPU", "ram_gb": 8.0, "python": "3.11.7", "os": "Linux"}
    stamp = {"commit": "abc123", "date": "2026-12-06 22:00 UTC", "machine": "m"}
    (tmp_path / "bench-results.json").write_text(
        json.dumps(
            {
                "machines": {"m": machine},
                "figures": [
                    {
                        "name": "fast",
                        "value": 0.5,
                        "unit": "s",
                        "target": "<= 1",
                        "meets": True,
                        "note": "median of 3",
                        **stamp,
                    },
                    {
                        "name": "failed",
                        "value": None,
                        "unit": "s",
                        "target": "<= 1",
                        "meets": False,
                        "note": "not measured: call failed: boom",
                        **stamp,
                    },
                    {
                        "name": "slow",
                        "value": 2,
                        "unit": "s",
                        "target": "<= 1",
                        "meets": False,
                        **stamp,
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    readme = "<!-- table: bench-results.json -->\n<!-- /table -->\n"
    out = readme_tables.render(readme, tmp_path)
    lines = out.splitlines()
    assert lines[1] == "| Figure | Value | Target | Meets | How | Measured |"
    assert (
        lines[3] == "| fast | 0.5 s | <= 1 | yes | median of 3 | `abc123`, 2026-12-06 22:00 UTC |"
    )
    assert lines[4].startswith("| failed | not measured | <= 1 | **no** | not measured: call")
    assert lines[5].startswith("| slow | 2 s | <= 1 | **no** |")  # the order of the file
    assert "Machine: 2 cores, Test CPU, 8.0 GB RAM, Python 3.11.7, Linux." in out


def test_a_missing_results_file_keeps_the_last_table(tmp_path):
    readme = "<!-- table: bench-results.json -->\nlast run\n<!-- /table -->\n"
    assert readme_tables.render(readme, tmp_path) == readme


def test_the_committed_readme_matches_the_committed_results():
    done = subprocess.run(
        [sys.executable, "tools/readme_tables.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
