"""A team member linked to no Xero employee is told so first, with what to do, whatever the
approval of their hours: approving them alone would send nothing (Demo Company AU: Dave
Kowalski, a subcontractor tracked in QuickBooks Time only)."""

from __future__ import annotations

from datetime import timedelta

from core.app.payroll import export_hours
from core.app.sync import sync
from core.engine import payroll
from core.i18n import tr
from tests.e2e.test_payroll_export import AU_WEEK1, shifted, user_named


def dave_reasons(result) -> list[str]:
    return [p["reason"] for p in result.as_json()["problems"] if p["who"] == "Dave Kowalski"]


def setup(demo_ctx, approved_to: str, submitted_to: str):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    dave = user_named(store, "Dave Kowalski")
    dave["approved_to"], dave["submitted_to"] = approved_to, submitted_to
    sync(ctx, conn)
    return ctx, conn, shifted(store, AU_WEEK1)


def test_unapproved_hours_of_an_unlinked_person_say_first_that_they_are_not_linked(demo_ctx):
    # submitted, not approved: the whole week waits for approval
    ctx, conn, start = setup(demo_ctx, "2000-01-01", "2100-01-01")
    result = export_hours(ctx, conn, period=start, dry_run=True)
    reasons = dave_reasons(result)
    assert reasons, "Dave has hours in the period"
    assert reasons[0] == tr(payroll.NOT_LINKED_WAITING)
    assert "not linked to a Xero employee" in reasons[0] and "import again" in reasons[0]
    # (the approval is still said, after: it is needed too once they are linked)
    assert any("not approved yet" in r for r in reasons[1:])


def test_hours_not_submitted_of_an_unlinked_person_say_first_that_they_are_not_linked(demo_ctx):
    ctx, conn, start = setup(demo_ctx, "2000-01-01", "2000-01-01")
    reasons = dave_reasons(export_hours(ctx, conn, period=start, dry_run=True))
    assert reasons[0] == tr(payroll.NOT_LINKED_WAITING)
    assert any("not submitted yet" in r for r in reasons[1:])


def test_some_hours_approved_the_others_not_the_link_is_said_first(demo_ctx):
    ctx, conn, start = setup(demo_ctx, "2000-01-01", "2100-01-01")
    dave = user_named(ctx.sandbox.store, "Dave Kowalski")
    dave["approved_to"] = (start + timedelta(days=1)).isoformat()  # two days approved
    reasons = dave_reasons(export_hours(ctx, conn, period=start, dry_run=True))
    assert reasons[0] == tr(payroll.NOT_LINKED)
    assert any("not approved yet" in r for r in reasons[1:])
