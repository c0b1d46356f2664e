"""Bill time in Xero on the Demo Company (AU, UK and Québec): draft invoices from the
billable approved hours, never twice, new hours onto our draft, undo, paid invoices left
alone and reported as paid."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from datetime import date, timedelta

import pytest
import requests

import main
from core.app.cli import Output, cmd_connect_xero
from core.app.invoicing import bill_time, invoice_statuses, turn_invoicing_on
from core.app.sync import sync, undo
from core.engine.invoice_wording import range_text
from core.services.auth.xero_oauth import InvoicingScopesMissing
from core.store.models import ImportRun, Link, QBTRecord

QUIET = Output(as_json=True, stream=open("/dev/null", "w"))


def ready(demo_ctx, org, sandbox_kwargs=None):
    """Imported, invoicing turned on and signed in again (the scope to write invoices)."""
    ctx, conn = demo_ctx(org, sandbox_kwargs=sandbox_kwargs)
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)
    return ctx, conn


def qbt_write(ctx, method, rows):
    resp = requests.request(
        method,
        f"{ctx.sandbox.qbtime_base}/timesheets",
        json={"data": rows},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    out = list(resp.json()["results"]["timesheets"].values())
    assert all(r["_status_code"] == 200 for r in out), out
    return out


def add_hours(ctx, user_id, jobcode_id, day, hours, fields=None):
    row = {
        "user_id": user_id,
        "jobcode_id": jobcode_id,
        "type": "manual",
        "date": day.isoformat(),
        "duration": round(hours * 3600),
    }
    if fields:
        row["customfields"] = fields
    return qbt_write(ctx, "POST", [row])[0]


def item_field(conn):
    """The import's items field and its value -> Xero item (from the links)."""
    links = {
        int(lk.qbt_id): lk.xero_id
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "item"))
    }
    rows = list(
        QBTRecord.select().where(
            (QBTRecord.connection == conn)
            & (QBTRecord.kind == "customfielditem")
            & (QBTRecord.qbt_id.in_(list(links)))
        )
    )
    field = str(rows[0].parent_id)
    return field, {r.name: links[int(r.qbt_id)] for r in rows if str(r.parent_id) == field}


def org_of(ctx, conn):
    return next(o for o in ctx.sandbox.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)


def lines_amount(inv):
    """What an invoice's lines come to as Xero holds it - the amount the product previews
    and reports, Xero's tax aside: its SubTotal (before tax) when the line amounts exclude
    tax or bear none, its Total when they include it (Xero works the tax out of them)."""
    assert inv["LineAmountTypes"] in ("Exclusive", "Inclusive", "NoTax")
    assert inv["Total"] == pytest.approx(inv["SubTotal"] + inv["TotalTax"])
    return inv["Total"] if inv["LineAmountTypes"] == "Inclusive" else inv["SubTotal"]


def expected(ctx, conn, start, end):
    """The oracle, from QuickBooks Time's and Xero's own data: billable approved hours per
    (contact, item code or "" for a job line, unit price)."""
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    users = {u["id"]: u for u in qbt["users"]}
    customers = {
        int(lk.qbt_id): lk.xero_id
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    org = org_of(ctx, conn)
    contacts = {c["ContactID"]: c for c in org["Contacts"]}
    items = {i["ItemID"]: i for i in org["Items"]}
    field, values = item_field(conn)
    out = defaultdict(float)
    for ts in qbt["timesheets"]:
        day = ts["date"]
        if not (start.isoformat() <= day <= end.isoformat()) or ts.get("on_the_clock"):
            continue
        job = jobs.get(ts["jobcode_id"])
        if job is None or job.get("type") != "regular" or not job.get("billable"):
            continue
        top = job
        while top["parent_id"]:
            top = jobs[top["parent_id"]]
        contact = customers.get(top["id"])
        if contact is None or contacts[contact].get("ContactStatus") == "ARCHIVED":
            continue
        if day > users[ts["user_id"]]["approved_to"]:
            continue
        value = (ts.get("customfields") or {}).get(field, "")
        if value:
            item = items[values[value]]
            price = (item.get("SalesDetails") or {}).get("UnitPrice")
            code = item["Code"]
        else:
            price, code = None, ""
        if price is None:
            price = job.get("billable_rate") or top.get("billable_rate")
        out[(contact, code, round(float(price), 4))] += ts["duration"] / 3600
    return out


def billed(ctx, conn, statuses=("DRAFT",)):
    out = defaultdict(float)
    for inv in org_of(ctx, conn).get("Invoices", []):
        if inv["Status"] not in statuses:
            continue
        for line in inv["LineItems"]:
            key = (inv["Contact"]["ContactID"], line.get("ItemCode", ""), line["UnitAmount"])
            out[key] += line["Quantity"]
    return out


def hours_range(ctx):
    days = sorted(t["date"] for t in ctx.sandbox.store.qbtime["timesheets"])
    return date.fromisoformat(days[0]), date.fromisoformat(days[-1])


def put_items_on_hours(ctx, conn, count=6):
    """As a person would in QuickBooks Time: pick a Xero item on some billable timesheets."""
    field, values = item_field(conn)
    org = org_of(ctx, conn)
    items = {i["ItemID"]: i for i in org["Items"]}
    priced = [
        name
        for name, xid in sorted(values.items())
        if (items[xid].get("SalesDetails") or {}).get("UnitPrice") is not None
    ]
    customers = {
        int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    chosen = [
        t
        for t in qbt["timesheets"]
        if not t.get("on_the_clock")
        and jobs[t["jobcode_id"]].get("billable")
        and (jobs[t["jobcode_id"]]["parent_id"] or t["jobcode_id"]) in customers
    ][:count]
    rows = [
        {"id": t["id"], "customfields": {field: priced[n % len(priced)]}}
        for n, t in enumerate(chosen)
    ]
    if rows:
        qbt_write(ctx, "PUT", rows)
    return len(rows)


def add_quebec_hours(ctx, conn):
    """The Québec organisation has no hours in the file: a team member logs some on its
    linked billable customers, approved, as in QuickBooks Time."""
    qbt = ctx.sandbox.store.qbtime
    customers = [
        int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    ]
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    # The customers linked on import (Dépanneur Chez Ginette, Ville de Laval's jobs) are not
    # billable in the file: the owner makes them billable in QuickBooks Time, with a rate.
    targets = sorted(
        j["id"]
        for j in jobs.values()
        if j["active"]
        and not j.get("has_children")
        and (j["id"] in customers or j["parent_id"] in customers)
    )[:3]
    assert targets
    rows = [
        {"id": j, "billable": True, "billable_rate": 60.0 + 5 * n, "assigned_to_all": True}
        for n, j in enumerate(targets)
    ]
    resp = requests.put(
        f"{ctx.sandbox.qbtime_base}/jobcodes",
        json={"data": rows},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    user = next(
        u for u in qbt["users"] if u["active"] and u["approved_to"] > "2026-01-01" and u["id"] != 1
    )
    first = date.fromisoformat(user["approved_to"]) - timedelta(days=6)
    for n, job in enumerate(targets):
        add_hours(ctx, user["id"], job, first + timedelta(days=n), 3.25 + n)
    # and one day nobody approved yet: left out
    add_hours(
        ctx, user["id"], targets[0], date.fromisoformat(user["approved_to"]) + timedelta(1), 2
    )
    return first, date.fromisoformat(user["approved_to"]) + timedelta(1)


def close(a, b):
    assert set(a) == set(b), (sorted(a), sorted(b))
    for key in a:
        assert abs(a[key] - b[key]) <= 0.011 * 3, (key, a[key], b[key])


@pytest.mark.parametrize("org", ["AU", "UK", "CA"])
def test_invoice_lines_equal_billable_approved_hours_times_price(demo_ctx, org):
    ctx, conn = ready(demo_ctx, org)
    if org == "CA":
        start, end = add_quebec_hours(ctx, conn)
    else:
        start, end = hours_range(ctx)
    assert put_items_on_hours(ctx, conn, count=2 if org == "CA" else 6) > 0
    want = expected(ctx, conn, start, end)
    assert want, "the organisation must have billable hours to bill"

    result = bill_time(ctx, conn, start=start, end=end)
    out = result.as_json()
    assert out["run_id"] is not None and out["invoices"]["created"] == len({k[0] for k in want})
    close(billed(ctx, conn), want)
    # items priced from Xero, jobs from their billable rate: both kinds appear
    assert any(code for _c, code, _p in want) and any(not code for _c, code, _p in want)
    currency = org_of(ctx, conn)["Organisation"]["BaseCurrency"]
    total = sum(lines_amount(i) for i in org_of(ctx, conn)["Invoices"])
    assert out["amount_by_currency"] == {currency: pytest.approx(total)}
    for inv in org_of(ctx, conn)["Invoices"]:
        assert inv["Type"] == "ACCREC" and inv["Status"] == "DRAFT"
        # the range in the invoice's language (Québec: French, its business's default)
        reference = (
            f"QB Time {start} to {end}"
            if org != "CA"
            else "QB Time " + range_text(start, end, "fr")
        )
        assert inv["Reference"] == reference
        assert inv["Url"] == f"https://{conn.qbtime_company_id}.tsheets.com/"

    # A second run of the same range writes nothing.
    before = copy.deepcopy(org_of(ctx, conn)["Invoices"])
    again = bill_time(ctx, conn, start=start, end=end).as_json()
    assert again["run_id"] is None and again["invoices"]["created"] == 0
    assert again["invoices"]["updated"] == 0 and again["lines"] == 0
    assert org_of(ctx, conn)["Invoices"] == before


def test_new_hours_go_on_our_draft_and_undo_deletes_our_drafts(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    first = bill_time(ctx, conn, start=start, end=end)
    invoices = org_of(ctx, conn)["Invoices"]
    count = len(invoices)
    target = invoices[0]
    contact = target["Contact"]["ContactID"]
    job = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "customer") & (Link.xero_id == contact)
        )
    )
    user = next(
        u for u in ctx.sandbox.store.qbtime["users"] if u["approved_to"] >= start.isoformat()
    )
    jobs = {j["id"]: j for j in ctx.sandbox.store.qbtime["jobcodes"]}
    if jobs[job].get("has_children"):
        job = next(j["id"] for j in jobs.values() if j["parent_id"] == job and j["billable"])
    add_hours(ctx, user["id"], job, start, 2.5)
    old_total = lines_amount(target)

    second = bill_time(ctx, conn, start=start, end=end).as_json()
    assert second["invoices"] == {"created": 0, "updated": 1, "unchanged": count - 1, "skipped": 0}
    invoices = org_of(ctx, conn)["Invoices"]
    assert len(invoices) == count  # no new invoice
    now = next(i for i in invoices if i["InvoiceID"] == target["InvoiceID"])
    rate = jobs[job].get("billable_rate") or jobs[jobs[job]["parent_id"] or job]["billable_rate"]
    assert lines_amount(now) == pytest.approx(old_total + 2.5 * rate, abs=0.05)
    close(billed(ctx, conn), expected(ctx, conn, start, end))

    # Undo the update: the draft's lines come back; undo the first run: drafts deleted.
    undo(ctx, conn, second["run_id"])
    now = next(i for i in org_of(ctx, conn)["Invoices"] if i["InvoiceID"] == target["InvoiceID"])
    assert lines_amount(now) == pytest.approx(old_total)
    undo(ctx, conn, first.run.id)
    assert {i["Status"] for i in org_of(ctx, conn)["Invoices"]} == {"DELETED"}
    assert ImportRun.get_by_id(first.run.id).status == "undone"
    assert {s.status for s in invoice_statuses(ctx, conn)} == {"deleted"}
    # Their hours are free again: billing the range makes new drafts.
    third = bill_time(ctx, conn, start=start, end=end).as_json()
    assert third["invoices"]["created"] == count


def test_a_paid_invoice_is_reported_as_paid_and_never_changed(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    first = bill_time(ctx, conn, start=start, end=end)
    api = ctx.sandbox.xero.api
    paid, approved, *rest = org_of(ctx, conn)["Invoices"]
    api.demo_user_changes_invoice(conn.xero_tenant_id, paid["InvoiceID"], "approve")
    api.demo_user_changes_invoice(
        conn.xero_tenant_id, paid["InvoiceID"], "pay", paid_on=date(2026, 12, 3)
    )
    api.demo_user_changes_invoice(conn.xero_tenant_id, approved["InvoiceID"], "approve")
    frozen = {
        i["InvoiceID"]: copy.deepcopy(i)
        for i in org_of(ctx, conn)["Invoices"]
        if i["InvoiceID"] in (paid["InvoiceID"], approved["InvoiceID"])
    }
    statuses = {s.invoice_id: s for s in invoice_statuses(ctx, conn)}
    assert statuses[paid["InvoiceID"]].status == "paid"
    assert statuses[paid["InvoiceID"]].amount_due == 0
    assert statuses[paid["InvoiceID"]].paid_on == "2026-12-03"
    assert statuses[approved["InvoiceID"]].status == "approved"
    assert {statuses[i["InvoiceID"]].status for i in rest} == {"draft"}

    # Hours of the paid invoice edited in QuickBooks Time, and new hours for its customer.
    contact = paid["Contact"]["ContactID"]
    top = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "customer") & (Link.xero_id == contact)
        )
    )
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    on_it = [
        t
        for t in qbt["timesheets"]
        if (jobs[t["jobcode_id"]]["parent_id"] or t["jobcode_id"]) == top
        and start.isoformat() <= t["date"] <= end.isoformat()
        and t["date"] <= next(u for u in qbt["users"] if u["id"] == t["user_id"])["approved_to"]
        and jobs[t["jobcode_id"]].get("billable")
    ]
    qbt_write(ctx, "PUT", [{"id": on_it[0]["id"], "notes": "edited after billing"}])
    add_hours(ctx, on_it[0]["user_id"], on_it[0]["jobcode_id"], start, 1.5)

    second = bill_time(ctx, conn, start=start, end=end).as_json()
    for inv in org_of(ctx, conn)["Invoices"]:
        if inv["InvoiceID"] in frozen:
            assert inv == frozen[inv["InvoiceID"]]  # never touched
    assert second["invoices"]["created"] == 1  # the new hours: a new draft
    new = [
        i
        for i in org_of(ctx, conn)["Invoices"]
        if i["Contact"]["ContactID"] == contact and i["InvoiceID"] != paid["InvoiceID"]
    ]
    assert len(new) == 1 and new[0]["Status"] == "DRAFT"
    assert new[0]["Reference"] == f"QB Time {start} to {end} (2)"
    assert sum(line["Quantity"] for line in new[0]["LineItems"]) == pytest.approx(1.5)
    assert any(
        p["who"] == paid["Contact"]["Name"] and "changed in QuickBooks Time" in p["reason"]
        for p in second["problems"]
    )

    # Undo of the first run deletes the drafts and lists the approved and paid ones.
    result = undo(ctx, conn, first.run.id)
    left = {i["invoice_id"]: i["status"] for i in result.counts["left_alone"]}
    assert left == {paid["InvoiceID"]: "paid", approved["InvoiceID"]: "approved"}
    assert any("is paid in Xero" in i["what"] for i in result.counts["left_alone"])
    for inv in org_of(ctx, conn)["Invoices"]:
        if inv["InvoiceID"] in frozen:
            assert inv == frozen[inv["InvoiceID"]]
        elif inv["InvoiceID"] in {i["InvoiceID"] for i in rest}:
            assert inv["Status"] == "DELETED"


def test_a_connection_without_invoice_scope_is_asked_to_sign_in_again(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    start, end = hours_range(ctx)
    with pytest.raises(InvoicingScopesMissing) as info:
        bill_time(ctx, conn, start=start, end=end)
    assert "has not yet allowed this app to create draft invoices" in info.value.user_message()
    assert not org_of(ctx, conn).get("Invoices")
    # the next sign-in asks for it, and billing works
    cmd_connect_xero(ctx, QUIET, None, None)
    assert bill_time(ctx, conn, start=start, end=end).as_json()["invoices"]["created"] > 0


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    from core.store.secrets import TokenStore

    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv):
        code = main.main([*argv, "--demo-state", str(state), "--json"], tokens=store)
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out else None)

    return invoke


def test_bill_time_and_invoices_commands(run):
    assert run("connect-qbtime")[0] == 0
    assert run("connect-xero", "--org", "Maison Verdure Australia")[0] == 0
    assert run("sync")[0] == 0
    code, out = run("bill-time", "--from", "2026-11-16", "--to", "2026-13-01")
    assert (code == 2 and out is None) or "error" in (out or {})
    code, dry = run("bill-time", "--from", "2000-01-01", "--to", "2100-01-01", "--dry-run")
    assert code == 0, dry
    assert set(dry) == {
        "run_id",
        "dry_run",
        "range",
        "invoices",
        "lines",
        "hours",
        "amount_by_currency",
        "amounts",
        "problems",
        "api_calls",
        "invoice_language",
        "estimate",  # (the Xero calls billing needs, and how far today's calls go)
    }
    assert dry["invoice_language"] == "en"  # Australia, the app in English
    assert dry["dry_run"] is True and dry["run_id"] is None and dry["invoices"]["created"] > 0
    assert set(dry["invoices"]) == {"created", "updated", "unchanged", "skipped"}
    assert set(dry["api_calls"]) == {"xero", "qbtime"}
    assert all(set(p) == {"who", "reason"} for p in dry["problems"])
    assert list(dry["amount_by_currency"]) == ["AUD"]
    code, out = run("invoices")
    assert code == 0 and out == {"invoices": [], "invoice_language": None}
    # the first real run turns invoicing on and asks for a new sign-in
    code, out = run("bill-time", "--from", "2000-01-01", "--to", "2100-01-01")
    assert code != 0
    assert run("connect-xero", "--org", "Maison Verdure Australia")[0] == 0
    code, out = run("bill-time", "--from", "2000-01-01", "--to", "2100-01-01")
    assert code == 0 and out["run_id"] and out["invoices"]["created"] == dry["invoices"]["created"]
    assert out["hours"] == pytest.approx(dry["hours"]) and out["lines"] == dry["lines"]
    code, listed = run("invoices")
    assert len(listed["invoices"]) == out["invoices"]["created"]
    assert {i["status"] for i in listed["invoices"]} == {"draft"}
    code, hist = run("history")
    assert hist["runs"][0]["kind"] == "invoicing"
    code, undone = run("undo", str(out["run_id"]))
    assert code == 0 and undone["outcomes"] == {"deleted": {"invoices": len(listed["invoices"])}}
    code, listed = run("invoices")
    assert {i["status"] for i in listed["invoices"]} == {"deleted"}


def test_an_app_registered_before_march_2026_asks_for_accounting_transactions(demo_ctx):
    import dataclasses

    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    ctx.xero_settings = dataclasses.replace(ctx.xero_settings, scopes_legacy=True)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)
    granted = ctx.xero_tokens_for(conn).token_set().scopes  # signed in again: its own
    assert "accounting.transactions" in granted and "accounting.invoices" not in granted
    start, end = hours_range(ctx)
    assert bill_time(ctx, conn, start=start, end=end).as_json()["invoices"]["created"] > 0


def test_legacy_scopes_setting_is_read_from_the_settings_file(tmp_path):
    from core.errors import SettingsFileInvalid
    from core.store.settings import load_xero_settings

    (tmp_path / "settings.json").write_text('{"xero_client_id": "ABC", "xero_scopes_legacy": true}')
    assert load_xero_settings(tmp_path, environ={}).scopes_legacy is True
    (tmp_path / "settings.json").write_text('{"xero_client_id": "ABC"}')
    assert load_xero_settings(tmp_path, environ={}).scopes_legacy is False
    (tmp_path / "settings.json").write_text(
        '{"xero_client_id": "ABC", "xero_scopes_legacy": "yes"}'
    )
    with pytest.raises(SettingsFileInvalid):
        load_xero_settings(tmp_path, environ={})


def test_an_archived_customer_and_a_no_longer_sold_item_are_reported_not_billed(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    assert put_items_on_hours(ctx, conn) > 0
    org = org_of(ctx, conn)
    want = expected(ctx, conn, start, end)
    contact_id = sorted({k[0] for k in want})[0]
    item_code = next(code for _c, code, _p in sorted(want) if code)
    # What a user does in Xero: archive the contact, stop selling the item.
    now = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    contact = next(c for c in org["Contacts"] if c["ContactID"] == contact_id)
    contact["ContactStatus"] = "ARCHIVED"
    contact["UpdatedDateUTC"] = now
    item = next(i for i in org["Items"] if i["Code"] == item_code)
    item["IsSold"] = False
    item["UpdatedDateUTC"] = now

    out = bill_time(ctx, conn, start=start, end=end).as_json()
    made = {i["Contact"]["ContactID"] for i in org_of(ctx, conn)["Invoices"]}
    assert contact_id not in made and made
    for inv in org_of(ctx, conn)["Invoices"]:
        assert all(line.get("ItemCode") != item_code for line in inv["LineItems"])
    reasons = " ".join(p["reason"] for p in out["problems"])
    assert "archived in Xero" in reasons and "no longer sold in Xero" in reasons


def test_tracking_options_chosen_on_the_hours_go_on_the_lines(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    org = org_of(ctx, conn)
    cats = {c["TrackingCategoryID"]: c for c in org["TrackingCategories"]}
    linked = [
        (lk.xero_id, str(lk.qbt_id))
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "tracking_category")
        )
        if cats.get(lk.xero_id, {}).get("Status") == "ACTIVE"
    ]
    assert linked, "the import links Xero's tracking categories to custom fields"
    cat_id, field = linked[0]
    options = {
        lk.xero_id: int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "tracking_option"))
    }
    items = {
        int(r.qbt_id): r.name
        for r in QBTRecord.select().where(
            (QBTRecord.connection == conn) & (QBTRecord.kind == "customfielditem")
        )
    }
    option = next(
        o
        for o in cats[cat_id]["Options"]
        if o["TrackingOptionID"] in options and o["Status"] == "ACTIVE"
    )
    value = items[options[option["TrackingOptionID"]]]
    customers = {
        int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    users = {u["id"]: u for u in qbt["users"]}
    chosen = next(
        t
        for t in qbt["timesheets"]
        if not t.get("on_the_clock")
        and jobs[t["jobcode_id"]].get("billable")
        and (jobs[t["jobcode_id"]]["parent_id"] or t["jobcode_id"]) in customers
        and t["date"] <= users[t["user_id"]]["approved_to"]
    )
    qbt_write(ctx, "PUT", [{"id": chosen["id"], "customfields": {field: value}}])

    bill_time(ctx, conn, start=start, end=end)
    tracked = [
        (line["Tracking"], line["Quantity"])
        for inv in org_of(ctx, conn)["Invoices"]
        for line in inv["LineItems"]
        if line["Tracking"]
    ]
    assert len(tracked) == 1
    [(tracking, quantity)] = tracked
    assert [(t["Name"], t["Option"]) for t in tracking] == [(cats[cat_id]["Name"], option["Name"])]
    assert quantity == round(chosen["duration"] / 3600, 2)


def test_billing_reads_only_the_contacts_of_customers_with_hours(demo_ctx, monkeypatch):
    """Xero's contacts are read for the linked customers that have billable hours in the
    range only, by IDs, 50 a call (issue 16): not every linked customer's contact."""
    from urllib.parse import parse_qs, urlsplit

    import requests.adapters

    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    links = Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    linked = {int(lk.qbt_id): lk.xero_id for lk in links}

    def with_hours(first, last):
        """The contacts of the linked customers with billable hours (approved or not) in
        the range, from QuickBooks Time's own data."""
        out = set()
        for ts in qbt["timesheets"]:
            job = jobs.get(ts["jobcode_id"])
            if not first.isoformat() <= ts["date"] <= last.isoformat() or ts["duration"] <= 0:
                continue
            if job is None or not job.get("billable") or ts.get("on_the_clock"):
                continue
            while job["parent_id"]:
                job = jobs[job["parent_id"]]
            if job["id"] in linked:
                out.add(linked[job["id"]])
        return out

    days = sorted({ts["date"] for ts in qbt["timesheets"]})
    day = date.fromisoformat(days[len(days) // 2])
    want = with_hours(day, day)
    assert want and len(want) < len(linked), "a day's customers must be fewer than all"

    asked: list[set[str]] = []
    original = requests.adapters.HTTPAdapter.send

    def send(adapter, request, *args, **kwargs):
        parts = urlsplit(request.url)
        if request.method == "GET" and parts.path.endswith("/Contacts"):
            asked.append(set(",".join(parse_qs(parts.query).get("IDs", [""])).split(",")))
        return original(adapter, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    out = bill_time(ctx, conn, start=day, end=day).as_json()
    assert out["invoices"]["created"] == len({k[0] for k in expected(ctx, conn, day, day)})
    # one call (fewer than 50 contacts), and only the contacts with hours that day
    assert len(asked) == 1 and asked[0] == want
    close(billed(ctx, conn), expected(ctx, conn, day, day))

    asked.clear()
    bill_time(ctx, conn, start=start, end=end)
    every = with_hours(start, end)
    assert set().union(*asked) == every and len(asked) == -(-len(every) // 50)
