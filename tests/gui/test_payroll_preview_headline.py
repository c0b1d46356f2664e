"""The hours preview's headline when nothing is to be sent: held back by problems (everyone
paid a salary, a pay calendar changed…) is not "Xero already has these hours"."""

from __future__ import annotations

from types import SimpleNamespace

from wizard.pages.payroll_preview import PayrollPreviewPage


def _headline(preview) -> str:
    page = SimpleNamespace(
        state=SimpleNamespace(payroll_preview=preview),
        counts=lambda: {"create": 0, "update": 0},
        totals=lambda: (0.0, 0.0),
        tr=lambda text: text,
    )
    return PayrollPreviewPage.headline_text(page)  # type: ignore[arg-type]


def test_nothing_to_send_because_of_problems_says_so(qapp):
    held = SimpleNamespace(is_empty=True, problems=[("Sophie Turner", "Is paid a salary…")])
    assert _headline(held) == "Nothing to send: see the problems for why, and what to do."


def test_nothing_to_send_and_no_problem_keeps_its_words(qapp):
    done = SimpleNamespace(is_empty=True, problems=[])
    assert _headline(done) == (
        "Nothing to send: Xero already has these hours, or none are approved yet."
    )
