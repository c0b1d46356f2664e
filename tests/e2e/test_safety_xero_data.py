"""Issue 11, safety against what Xero and the user send: a field name another active field
has, contacts that became customers by their first invoice, duplicate or empty ids, and
impossible dates. Driven as a user would: the headless CLI and the engine it uses, on the
Demo Company."""

from __future__ import annotations

import io
import json
import time

import pytest

import main
from core.app.cli import Output, cmd_options
from core.app.sync import load_options, sync
from core.services.qbtime import mapping as qmap
from core.store.models import QBTRecord
from core.store.secrets import TokenStore

pytestmark = pytest.mark.safety(
    "Clashing field names refused; newly invoiced contacts imported at the next sync"
)

AU = "Maison Verdure Australia"


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv):
        code = main.main([*argv, "--demo-state", str(state), "--json"], tokens=store)
        captured = capsys.readouterr()
        lines = captured.out.strip().splitlines()
        assert "Traceback" not in captured.out + captured.err
        return code, (json.loads(lines[-1]) if lines else None)

    return invoke


def _options(ctx, conn, *assignments):
    stream = io.StringIO()
    code = cmd_options(ctx, Output(as_json=True, stream=stream), None, list(assignments))
    return code, json.loads(stream.getvalue().strip().splitlines()[-1])


# ---------------------------------------------------------------------------- field names
def test_options_refuses_an_item_field_name_another_active_field_has(run):
    assert run("connect-qbtime")[0] == 0
    assert run("connect-xero", "--org", AU)[0] == 0
    assert run("sync")[0] == 0
    before = run("options")[1]["options"]

    for name in ("Region", "  region ", "EQUIPMENT"):
        code, out = run("options", f"item_field_name={name}")
        assert code == 2, out
        assert out["error"] == "FieldNameTaken"
        assert name.strip().casefold() in out["message"].casefold()
        assert run("options")[1]["options"] == before  # nothing saved

    # The field already linked to the items keeps its own name, and a free name is taken.
    assert run("options", "item_field_name=Xero items")[0] == 0
    code, out = run("options", "item_field_name=Crew items")
    assert code == 0 and out["options"]["item_field_name"] == "Crew items"


def test_a_tracking_category_name_is_refused_before_any_field_exists(demo_ctx):
    """Before the first import the field for Xero's "Service Line" category does not exist
    in QuickBooks Time yet: the items' field may not take that name either."""
    ctx, conn = demo_ctx("AU")
    from core.services.fetch import fetch

    fetch(ctx, conn)
    code, out = _options(ctx, conn, "item_field_name=service line")
    assert code == 2 and "Service Line" in out["message"]
    assert load_options(conn).item_field_name == "Xero items"


def test_the_plan_refuses_a_clash_that_appears_after_the_option_was_saved(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    sync(ctx, conn)
    assert _options(ctx, conn, "item_field_name=Crew items")[0] == 0
    # Meanwhile, someone renames another field in QuickBooks Time to that very name.
    equipment = next(f for f in store.qbtime["customfields"] if f["name"] == "Equipment")
    equipment["name"] = "crew ITEMS"
    equipment["last_modified"] = qmap.format_timestamp(time.time() + 1)
    store.save("qbtime")

    result = sync(ctx, conn)
    active = [f["name"] for f in store.qbtime["customfields"] if f["active"]]
    assert "Crew items" not in active and active.count("crew ITEMS") == 1
    assert "Xero items" in active  # the items' field was not renamed
    reasons = [s.describe() for s in result.plan.skipped if s.xero_id == "xero-items"]
    assert reasons and "crew ITEMS" in reasons[0]
    assert QBTRecord.select().where(QBTRecord.name == "Crew items").count() == 0


def test_items_never_go_into_a_tracking_field_of_the_same_name(demo_ctx):
    """The reported bug: a saved item field name equal to a tracking category's (saved
    before the rule existed, or by an older version) poured every item into that field."""
    from core.app.sync import save_options

    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    save_options(conn, load_options(conn).with_values(item_field_name="Region"))
    result = sync(ctx, conn)
    region = [f for f in store.qbtime["customfields"] if f["active"] and f["name"] == "Region"]
    assert len(region) == 1
    items = {
        i["name"]
        for i in store.qbtime["customfielditems"]
        if i["customfield_id"] == region[0]["id"] and i["active"]
    }
    xero_org = next(o for o in store.xero_orgs if o["tenantName"] == AU)
    assert not items & {i["Name"] for i in xero_org["Items"]}
    assert any(s.xero_id == "xero-items" and "Region" in s.describe() for s in result.plan.skipped)


# ---------------------------------------------------------------------------- first invoice
def _xero_writer(box):
    """A client of the Demo Company's Xero API with invoice-writing access (the app itself
    only reads): another app of the same organisation, sharing its data and clock."""
    from werkzeug.test import Client
    from werkzeug.wrappers import Request, Response

    from core.sandbox.xero_api import XeroApi
    from core.sandbox.xero_identity import AccessResult

    tenants = frozenset(o["tenantId"] for o in box.store.xero_orgs)
    api = XeroApi(
        box.store,
        box.xero.clock,
        box.xero.config,
        lambda _r: AccessResult(
            True, None, "writer", tenants, frozenset({"accounting.transactions"})
        ),
    )

    def app(environ, start_response):
        return (api.handle(Request(environ)) or Response("", 404))(environ, start_response)

    return Client(app)


def test_a_contact_invoiced_since_the_last_run_is_imported_by_the_next_sync(demo_ctx):
    """A contact becomes a customer with its first sales invoice, and Xero does not move its
    UpdatedDateUTC then: the next re-import (within 24 h of the whole read) still creates
    the customer, for at most two more Xero calls."""
    ctx, conn = demo_ctx("AU")
    box = ctx.sandbox
    first = sync(ctx, conn)
    quiet = sync(ctx, conn)
    assert quiet.plan.is_empty
    quiet_cost = quiet.api_calls["xero"] - first.api_calls["xero"]

    org = box.store.xero_org(conn.xero_tenant_id)
    taken = {j["name"].casefold() for j in box.store.qbtime["jobcodes"]}
    contact = next(
        c
        for c in org["Contacts"]
        if not c["IsCustomer"]
        and not c.get("IsSupplier")
        and c["ContactStatus"] == "ACTIVE"
        and c["Name"].casefold() not in taken
        and len(c["Name"]) < 60
    )
    stamp = contact["UpdatedDateUTC"]
    # The invoice is created through the simulator's own API (as the bookkeeper's own
    # invoicing app would, with its own write scope).
    resp = _xero_writer(box).put(
        "/api.xro/2.0/Invoices",
        headers={
            "Authorization": "Bearer writer",
            "xero-tenant-id": conn.xero_tenant_id,
            "Accept": "application/json",
        },
        json={
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "Date": "2026-01-05",
                    "DueDate": "2026-02-05",
                    "LineItems": [
                        {
                            "Description": "Lawn care",
                            "Quantity": 1,
                            "UnitAmount": 90,
                            "AccountCode": "200",
                        }
                    ],
                }
            ]
        },
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert contact["IsCustomer"] is True and contact["UpdatedDateUTC"] == stamp

    result = sync(ctx, conn)
    created = [a for a in result.plan.actions if a.op == "create" and a.entity == "jobcode"]
    assert [a.xero_id for a in created] == [contact["ContactID"]]
    assert any(
        j["name"] == contact["Name"].strip() and j["active"] for j in box.store.qbtime["jobcodes"]
    )
    # the same re-import with nothing invoiced cost quiet_cost (the invoices read included)
    assert result.api_calls["xero"] - quiet.api_calls["xero"] <= quiet_cost + 1
    assert quiet_cost <= 7  # the six kinds an AU organisation has, plus the invoices
