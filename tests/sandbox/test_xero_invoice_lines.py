"""The Demo Company's Xero keeps invoice lines by LineItemID as Xero does: an update that sends
LineItems updates the lines it names by LineItemID (their ids kept, the fields not given kept),
adds the others with ids Xero makes, and deletes the lines it leaves out; an update without
LineItems recreates the lines with new ids; a create never takes an id from the request."""

from __future__ import annotations

import uuid

from tests.sandbox.test_xero_api import AU, env  # noqa: F401  (the fixture)

PATH = "/api.xro/2.0/Invoices"


def write(env, method, invoice):  # noqa: F811
    resp = env.call(method, PATH, json={"Invoices": [invoice]})
    assert resp.status_code == 200, resp.json
    out = resp.json["Invoices"][0]
    assert not out.get("ValidationErrors"), out
    return out


def held(env, invoice_id):  # noqa: F811
    return next(i for i in env.org(AU)["Invoices"] if i["InvoiceID"] == invoice_id)


def first_draft(env):  # noqa: F811
    made_up = str(uuid.uuid4())
    out = write(
        env,
        "PUT",
        {
            "Type": "ACCREC",
            "Contact": {"Name": "Acme Pty"},
            "Status": "DRAFT",
            "LineItems": [
                {"Description": "Design", "Quantity": 2, "UnitAmount": 50, "LineItemID": made_up},
                {"Description": "Travel", "Quantity": 1, "UnitAmount": 30},
            ],
        },
    )
    return out, made_up


def test_a_create_makes_its_own_line_ids(env):  # noqa: F811
    out, made_up = first_draft(env)
    ids = [line["LineItemID"] for line in out["LineItems"]]
    assert len(set(ids)) == 2 and made_up not in ids
    for lid in ids:
        uuid.UUID(lid)
    assert [line["LineItemID"] for line in held(env, out["InvoiceID"])["LineItems"]] == ids


def test_an_update_keeps_named_lines_adds_new_ones_and_deletes_the_others(env):  # noqa: F811
    out, _ = first_draft(env)
    design, travel = out["LineItems"]
    unknown = str(uuid.uuid4())
    after = write(
        env,
        "POST",
        {
            "InvoiceID": out["InvoiceID"],
            "LineItems": [
                # only the quantity: the description and the price are kept
                {"LineItemID": design["LineItemID"], "Quantity": 3},
                {"Description": "Printing", "Quantity": 1, "UnitAmount": 12.5},
                {"LineItemID": unknown, "Description": "Parking", "Quantity": 1, "UnitAmount": 8},
            ],
        },
    )
    lines = after["LineItems"]
    # Xero puts the new lines before the kept one (Xero-NetStandard#374, xero-python#111)
    assert [line["Description"] for line in lines] == ["Printing", "Parking", "Design"]
    assert lines[2]["LineItemID"] == design["LineItemID"]
    assert (lines[2]["Quantity"], lines[2]["UnitAmount"], lines[2]["LineAmount"]) == (3, 50, 150)
    new_ids = {lines[0]["LineItemID"], lines[1]["LineItemID"]}
    assert design["LineItemID"] not in new_ids and travel["LineItemID"] not in new_ids
    assert unknown not in new_ids and len(new_ids) == 2
    # Travel was left out: deleted
    assert travel["LineItemID"] not in {line["LineItemID"] for line in lines}
    assert after["Total"] == 150 + 12.5 + 8
    assert held(env, out["InvoiceID"])["LineItems"] == lines


def test_one_id_names_one_line(env):  # noqa: F811
    out, _ = first_draft(env)
    design = out["LineItems"][0]
    after = write(
        env,
        "POST",
        {
            "InvoiceID": out["InvoiceID"],
            "LineItems": [
                {"LineItemID": design["LineItemID"], "Quantity": 1},
                {"LineItemID": design["LineItemID"], "Description": "Again", "UnitAmount": 5},
            ],
        },
    )
    ids = [line["LineItemID"] for line in after["LineItems"]]
    # the second is a new line: Xero puts it before the kept one
    assert ids[1] == design["LineItemID"] and ids[0] != design["LineItemID"]


def test_an_update_without_lines_recreates_them_with_new_ids(env):  # noqa: F811
    out, _ = first_draft(env)
    after = write(env, "POST", {"InvoiceID": out["InvoiceID"], "Reference": "Changed"})
    assert [(x["Description"], x["Quantity"], x["UnitAmount"]) for x in after["LineItems"]] == [
        (x["Description"], x["Quantity"], x["UnitAmount"]) for x in out["LineItems"]
    ]
    before = {x["LineItemID"] for x in out["LineItems"]}
    assert not before & {x["LineItemID"] for x in after["LineItems"]}
