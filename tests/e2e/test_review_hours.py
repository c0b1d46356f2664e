"""The hours tracked in QuickBooks Time against the record of a look-alike pair, read for the
pair shown (core.app.review_screen.tracked_hours), against the Demo Company's timesheets."""

from __future__ import annotations

from datetime import date

from core.app.review_screen import tracked_hours
from core.engine.review.hours import TrackedHours, tracked_window


def _subtree(jobcodes: list[dict], top: int) -> set[int]:
    out, todo = {top}, [top]
    while todo:
        parent = todo.pop()
        for j in jobcodes:
            if j.get("parent_id") == parent and j["id"] not in out:
                out.add(j["id"])
                todo.append(j["id"])
    return out


def test_tracked_hours_of_the_demo_look_alikes(demo_ctx):
    ctx, conn = demo_ctx("AU")
    qb = ctx.sandbox.qbtime.qb
    users = {f"{u['first_name']} {u['last_name']}": u["id"] for u in qb["users"]}
    jobs = {j["name"]: j for j in qb["jobcodes"] if j.get("parent_id") == 0}
    today = max(date.fromisoformat(t["date"]) for t in qb["timesheets"])
    start, _end = tracked_window(today)

    def expected(ids: set[int], field: str) -> int:
        return sum(
            t["duration"]
            for t in qb["timesheets"]
            if t[field] in ids
            and start.isoformat() <= t["date"] <= today.isoformat()
            and not t.get("on_the_clock")
            and next(j for j in qb["jobcodes"] if j["id"] == t["jobcode_id"])["type"] == "regular"
        )

    # the customer "Chippy Davis Real Estate" has weeks of hours (its jobs included)
    chippy = jobs["Chippy Davis Real Estate"]
    got = tracked_hours(ctx, conn, "customer", chippy["id"], today)
    want = expected(_subtree(qb["jobcodes"], chippy["id"]), "jobcode_id")
    assert got == TrackedHours(want, start, today)
    assert got.seconds > 20 * 3600
    # the user "Chippy DAVIS" (a stale namesake of Chip Davis) has none
    assert tracked_hours(ctx, conn, "employee", users["Chippy DAVIS"], today).seconds == 0
    # someone who works has hours, read by user
    olivia = users["Olivia Brown"]
    got = tracked_hours(ctx, conn, "employee", olivia, today)
    assert got.seconds == expected({olivia}, "user_id") > 0
    # a kind without hours reads nothing
    assert tracked_hours(ctx, conn, "location", 1, today) is None
