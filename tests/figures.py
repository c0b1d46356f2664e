"""Outcomes of the tests that stand for one attack or bad input each (``@pytest.mark.safety``).

A test marked ``@pytest.mark.safety("group")`` is one case of that group: it passes when the
product held (refused clearly, or did the right thing). ``make soak`` turns the outcomes into
figures "n of N held" in soak-results.json, and the README's Reliability table is generated
from that file (tools/readme_tables.py) — no count is written by hand.
"""

from __future__ import annotations

#: group -> {nodeid: passed}
SAFETY: dict[str, dict[str, bool]] = {}
#: nodeid -> group, filled at collection
_GROUP_OF: dict[str, str] = {}


def collect(items) -> None:
    for item in items:
        marker = item.get_closest_marker("safety")
        if marker is not None:
            if not marker.args or not isinstance(marker.args[0], str):
                raise ValueError(f"{item.nodeid}: @pytest.mark.safety needs a group name")
            _GROUP_OF[item.nodeid] = marker.args[0]


def record(report) -> None:
    group = _GROUP_OF.get(report.nodeid)
    if group is None or report.skipped:
        return
    cases = SAFETY.setdefault(group, {})
    if report.when == "call":
        cases[report.nodeid] = report.passed
    elif report.failed:  # a failure in set-up or tear-down is a case that did not hold
        cases[report.nodeid] = False


def safety_figures() -> list[dict]:
    figures = []
    for group, cases in sorted(SAFETY.items()):
        held, total = sum(cases.values()), len(cases)
        figures.append(
            {
                "name": group,
                "value": f"{held}/{total}",
                "unit": "cases",
                "target": f"{total}/{total}",
                "meets": held == total,
            }
        )
    return figures
