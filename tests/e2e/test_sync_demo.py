"""The engine against the Demo Company: first import, idempotent re-import, Xero changes
flowing through, conflicts instead of duplicates, undo."""

from __future__ import annotations

from collections import Counter

from core.app.sync import current_plan, load_options, save_options, sync, undo
from core.engine import review
from core.store.models import Link, QBTRecord


def active_state(store):
    """What a QuickBooks Time user sees: active customers, users, fields and items."""
    qbt = store.qbtime
    return {
        "jobcodes": sorted(
            (j["parent_id"], j["name"], j["type"], bool(j.get("assigned_to_all")))
            for j in qbt["jobcodes"]
            if j["active"]
        ),
        "users": sorted(
            (u["first_name"], u["last_name"], u.get("email", ""))
            for u in qbt["users"]
            if u["active"]
        ),
        "fields": sorted(
            (f["name"], f.get("required")) for f in qbt["customfields"] if f["active"]
        ),
        "items": sorted(
            (i["customfield_id"], i["name"]) for i in qbt["customfielditems"] if i["active"]
        ),
        "locations": sorted(
            (tuple(sorted(loc.get("linked_objects", {}).get("jobcodes", []))), loc["addr1"])
            for loc in qbt["locations"]
            if loc["active"]
        ),
    }


def test_first_sync_then_nothing_then_a_rename(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    before_names = Counter(j["name"] for j in store.qbtime["jobcodes"])

    first = sync(ctx, conn)
    out = first.as_json()
    assert out["created"]["customers"] > 5 and out["created"]["employees"] >= 1
    assert out["created"]["items"] > 5 and out["linked"]["customers"] > 0
    assert first.plan.conflicts, "near matches must wait for a decision"
    # No near match became a duplicate: every conflict's Xero name was not created.
    created = Counter(j["name"] for j in store.qbtime["jobcodes"]) - before_names
    for conflict in first.plan.conflicts:
        assert created[conflict.xero_name.strip()] == 0, conflict.xero_name
    assert all(n == 1 for n in created.values())
    # Skipped items carry their reason.
    reasons = {s.describe() for s in first.plan.skipped if s.kind == "item"}
    assert any("inventory" in r for r in reasons) and any("not sold" in r for r in reasons)

    second = sync(ctx, conn)
    assert second.plan.is_empty and second.run is None
    assert second.as_json()["created"] == {}
    # A re-import with nothing changed reads each Xero kind once (6 kinds for AU payroll),
    # plus the sales invoices changed since (contacts invoiced for the first time).
    assert second.api_calls["xero"] - first.api_calls["xero"] <= 7  # + recent sales invoices

    # A rename in Xero renames the linked jobcode; it is not a new customer.
    link = Link.select().where((Link.connection == conn) & (Link.kind == "customer")).first()
    org = store.xero_orgs[0]
    contact = next(c for c in org["Contacts"] if c["ContactID"] == link.xero_id)
    old_name = contact["Name"]
    contact["Name"] = old_name + " (renamed)"
    contact["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    third = sync(ctx, conn)
    assert third.as_json()["updated"] == {"customers": 1}
    job = next(j for j in store.qbtime["jobcodes"] if j["id"] == link.qbt_id)
    assert job["name"] == old_name + " (renamed)"
    assert sum(1 for j in store.qbtime["jobcodes"] if j["name"].startswith(old_name)) == 1


def test_undo_restores_the_state_before_the_run(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    save_options(conn, load_options(conn).with_values(archive_unmatched=True, require_item=True))
    before = active_state(store)
    result = sync(ctx, conn)
    assert result.as_json()["archived"].get("customers", 0) > 0
    after_import = active_state(store)
    assert after_import != before
    undo(ctx, conn, result.run.id)
    now = active_state(store)
    for key in before:
        assert now[key] == before[key], (key, sorted(set(now[key]) ^ set(before[key]))[:10])
    # The links the run made are gone, yet importing again creates no duplicate: the
    # customers the undo archived are offered as "archived in QuickBooks Time" conflicts.
    count = len(store.qbtime["jobcodes"])
    again = sync(ctx, conn)
    assert again.as_json()["created"].get("customers", 0) == 0
    assert len(store.qbtime["jobcodes"]) == count
    twins = {c.xero_name for c in again.plan.conflicts if c.problem == "archived_twin"}
    assert len(twins) >= result.as_json()["created"]["customers"]


def test_decisions_flow_into_the_import(demo_ctx):
    ctx, conn = demo_ctx("AU")
    _snap, plan = current_plan(conn)
    assert not plan.actions  # nothing fetched yet: the plan needs snapshots
    first = sync(ctx, conn, dry_run=True)
    assert first.run is None and first.as_json()["dry_run"] is True
    conflicts = {c.xero_name: c for c in first.plan.conflicts}
    accents = conflicts["Pâtisserie Éclair Bondi"]
    review.decide(conn, accents, "link", target_qbt_id=accents.candidates[0].qbt_id)
    long_name = next(c for c in first.plan.conflicts if c.problem == "name_too_long")
    review.decide(conn, long_name, "rename", new_name="Parks and Wildlife Group (Sydney)")
    result = sync(ctx, conn)
    names = {j["name"] for j in ctx.sandbox.store.qbtime["jobcodes"]}
    assert "Parks and Wildlife Group (Sydney)" in names
    assert "Pâtisserie Éclair Bondi" in names  # the linked jobcode took the Xero name
    assert "Patisserie Eclair Bondi" not in names
    assert len(result.plan.conflicts) == len(first.plan.conflicts) - 2
    assert sync(ctx, conn).plan.is_empty


def test_canadian_organisation_has_no_payroll(demo_ctx):
    ctx, conn = demo_ctx("CA")
    result = sync(ctx, conn)
    out = result.as_json()
    assert "employees" not in out["created"] and "leave" not in out["linked"]
    assert out["created"]["customers"] > 0
    assert sync(ctx, conn).plan.is_empty


def test_au_employees_are_read_incrementally_and_changes_still_flow(demo_ctx, monkeypatch):
    """Between whole reads, AU payroll employees are read with If-Modified-Since (one call on
    a re-import), QuickBooks Time assignments with modified_since; an employee changed in
    Xero still reaches QuickBooks Time."""
    import core.services.http as http
    from core.services.fetch import FULL_CONTACTS_EVERY_S, WHOLE_READ_EVERY_S

    ctx, conn = demo_ctx("AU")
    sent: list[tuple[str, dict]] = []
    params_of: dict[str, list[dict]] = {}
    original = http.ServiceSession._send

    def spy(self, method, url, shown, params, json, data, headers, *rest):
        sent.append((url, dict(headers or {})))
        params_of.setdefault(url.rsplit("/", 1)[-1], []).append(dict(params or {}))
        return original(self, method, url, shown, params, json, data, headers, *rest)

    monkeypatch.setattr(http.ServiceSession, "_send", spy)
    sync(ctx, conn)
    employee_reads = [h for url, h in sent if url.endswith("/payroll.xro/1.0/Employees")]
    assert employee_reads and all("If-Modified-Since" not in h for h in employee_reads)

    assert "modified_since" not in params_of["jobcode_assignments"][0]  # the first read: whole
    sent.clear()
    params_of.clear()
    second = sync(ctx, conn)
    employee_reads = [h for url, h in sent if url.endswith("/payroll.xro/1.0/Employees")]
    assert len(employee_reads) == 1 and "If-Modified-Since" in employee_reads[0]
    # read incrementally, or not at all when nothing changed since (last_modified_timestamps)
    assert all("modified_since" in p for p in params_of.get("jobcode_assignments", []))
    assert second.plan.is_empty

    # A change in Xero payroll is seen by the incremental read.
    link = Link.get((Link.connection == conn) & (Link.kind == "employee"))
    org = ctx.sandbox.store.xero_orgs[0]
    employee = next(e for e in org["payroll"]["Employees"] if e["EmployeeID"] == link.xero_id)
    employee["LastName"] += "-Martin"
    employee["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    third = sync(ctx, conn)
    assert third.as_json()["updated"] == {"employees": 1}
    user = next(u for u in ctx.sandbox.store.qbtime["users"] if u["id"] == link.qbt_id)
    assert user["last_name"].endswith("-Martin")

    assert all("modified_since" in p for p in params_of.get("jobcodes", []))

    # A day after the last whole read, Xero contacts are read whole again (a first invoice
    # does not bump UpdatedDateUTC); payroll employees and QuickBooks Time stay incremental
    # (issue 16: a scheduled run reads what changed) until a week has passed.
    sent.clear()
    params_of.clear()
    start = ctx.clock()
    day_later = start + FULL_CONTACTS_EVERY_S + 60
    ctx.clock = lambda: day_later
    sync(ctx, conn)
    contact_reads = [h for url, h in sent if url.endswith("/api.xro/2.0/Contacts")]
    assert contact_reads and all("If-Modified-Since" not in h for h in contact_reads)
    employee_reads = [h for url, h in sent if url.endswith("/payroll.xro/1.0/Employees")]
    assert len(employee_reads) == 1 and "If-Modified-Since" in employee_reads[0]
    assert all("modified_since" in p for p in params_of.get("jobcodes", []))

    # A week later, the next read is whole again (QuickBooks Time and employees too).
    sent.clear()
    params_of.clear()
    week_later = start + WHOLE_READ_EVERY_S + 60
    ctx.clock = lambda: week_later
    sync(ctx, conn)
    employee_reads = [h for url, h in sent if url.endswith("/payroll.xro/1.0/Employees")]
    assert employee_reads and all("If-Modified-Since" not in h for h in employee_reads)
    assert params_of["jobcodes"] and all("modified_since" not in p for p in params_of["jobcodes"])


def test_a_rename_frees_a_name_for_a_create_in_one_import_and_undo_gives_it_back(
    demo_ctx, tmp_path
):
    """Found by the property tests: a linked jobcode renamed by the import frees a name
    that a "rename" decision of another customer asks for. One import does both (the
    re-import has nothing left to do), the rename is sent before the create (else QuickBooks
    Time would answer the create with the old jobcode), and undo gives the name back."""
    contacts, (physio_job, _vet_job) = _add_to_demo(
        tmp_path,
        ("Randwick Physiotherapy Pty Ltd", "Randwick Veterinary Hospital"),
        ("Randwick  Physiotherapy Pty Ltd", "randwick veterinary hospital"),
    )
    data_file = tmp_path / "company.json"

    ctx, conn = demo_ctx("AU", data_file=data_file)
    store = ctx.sandbox.store
    preview = sync(ctx, conn, dry_run=True)
    by_xero = {c.xero_id: c for c in preview.plan.conflicts}
    physio = by_xero[contacts["Randwick Physiotherapy Pty Ltd"]]
    vet = by_xero[contacts["Randwick Veterinary Hospital"]]
    review.decide(conn, physio, "link", target_qbt_id=physio_job)
    review.decide(conn, vet, "rename", new_name="RANDWICK  PHYSIOTHERAPY PTY LTD")
    before = active_state(store)

    first = sync(ctx, conn)
    names = {j["id"]: j["name"] for j in store.qbtime["jobcodes"]}
    assert names[physio_job] == "Randwick Physiotherapy Pty Ltd"
    created = Link.get((Link.connection == conn) & (Link.xero_id == vet.xero_id)).qbt_id
    assert created != physio_job and names[created] == "RANDWICK  PHYSIOTHERAPY PTY LTD"
    assert sync(ctx, conn).plan.is_empty

    undo(ctx, conn, first.run.id)
    names = {j["id"]: (j["name"], j["active"]) for j in store.qbtime["jobcodes"]}
    assert names[physio_job] == ("Randwick  Physiotherapy Pty Ltd", True)
    assert names[created] == ("RANDWICK  PHYSIOTHERAPY PTY LTD (undone)", False)
    assert active_state(store) == before


def test_quickbooks_time_lists_that_did_not_change_are_not_read_again(demo_ctx, monkeypatch):
    """last_modified_timestamps (one call) tells which lists changed since they were read;
    stamps are whole seconds, so a list read in the same second as its newest change is
    read again once. A change made in QuickBooks Time is still read."""
    import time as _time

    import core.services.http as http
    from core.services.qbtime import mapping as qmap

    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    endpoints: list[str] = []
    original = http.ServiceSession._send

    def spy(self, method, url, *rest):
        if "/api/v1/" in url:
            endpoints.append(url.rsplit("/", 1)[-1])
        return original(self, method, url, *rest)

    monkeypatch.setattr(http.ServiceSession, "_send", spy)
    sync(ctx, conn)
    _time.sleep(1.1)
    sync(ctx, conn)  # reads what changed in the import's last second, once
    endpoints.clear()
    assert sync(ctx, conn).plan.is_empty
    assert endpoints == ["last_modified_timestamps"]

    job = next(
        j
        for j in store.qbtime["jobcodes"]
        if j["parent_id"] == 0 and j["active"] and j["type"] == "regular"
    )
    job["name"] += " (edited in QuickBooks Time)"
    job["last_modified"] = qmap.format_timestamp(_time.time() + 1)
    endpoints.clear()
    sync(ctx, conn, dry_run=True)
    assert "jobcodes" in endpoints and "users" not in endpoints
    assert (
        QBTRecord.get(
            (QBTRecord.connection == conn)
            & (QBTRecord.qbt_id == job["id"])
            & (QBTRecord.kind == "jobcode")
        ).name
        == job["name"]
    )


def _add_to_demo(tmp_path, contact_names, jobcode_names):
    """The Demo Company plus AU customer contacts and top-level QuickBooks Time customers,
    written to tmp_path/company.json. Returns ({contact name: ContactID}, jobcode ids)."""
    import copy
    import json as _json
    import uuid

    from core.sandbox.server import DEMO_COMPANY_FILE

    data = _json.loads(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))
    org = next(
        o for o in data["xero"]["organisations"] if o["tenantName"] == "Maison Verdure Australia"
    )
    template = next(
        c for c in org["Contacts"] if c["IsCustomer"] and c["ContactStatus"] == "ACTIVE"
    )
    contacts = {}
    for name in contact_names:
        contact = copy.deepcopy(template)
        contact.update(ContactID=str(uuid.uuid4()), Name=name, EmailAddress="")
        org["Contacts"].append(contact)
        contacts[name] = contact["ContactID"]
    jobcodes = data["qbtime"]["jobcodes"]
    jtemplate = next(j for j in jobcodes if j["parent_id"] == 0 and j["type"] == "regular")
    first = max(j["id"] for j in jobcodes) + 1
    for offset, name in enumerate(jobcode_names):
        jobcodes.append(
            {
                **copy.deepcopy(jtemplate),
                "id": first + offset,
                "name": name,
                "active": True,
                "locations": [],
                "assigned_to_all": False,
            }
        )
    (tmp_path / "company.json").write_text(_json.dumps(data), encoding="utf-8")
    return contacts, list(range(first, first + len(jobcode_names)))


def test_archive_unmatched_reaches_its_fixed_point_when_a_conflict_is_settled(demo_ctx, tmp_path):
    """Found by the property tests: a QuickBooks Time customer offered as the candidate of a
    conflict is spared by "archive unmatched" while the conflict waits; once a decision
    settles the conflict another way (here: a new customer under another name), the same
    import archives it, not the next one."""
    long_name = (
        "Lewis & Walker Estate Agents Northern Beaches Community Gardens Owners Corporation and Mai"
    )
    contacts, (candidate,) = _add_to_demo(tmp_path, (long_name,), ("LEWIS & WALKER ESTATE AGENTS",))
    ctx, conn = demo_ctx("AU", data_file=tmp_path / "company.json")
    save_options(conn, load_options(conn).with_values(archive_unmatched=True))
    preview = sync(ctx, conn, dry_run=True)
    conflict = next(c for c in preview.plan.conflicts if c.xero_id == contacts[long_name])
    assert candidate in [c.qbt_id for c in conflict.candidates]
    assert not any(a.qbt_id == candidate for a in preview.plan.actions)  # spared while open
    review.decide(conn, conflict, "rename", new_name="Lewis & Walker (Northern Beaches)")
    first = sync(ctx, conn)
    assert f"archive:unmatched:{candidate}" in {a.ref for a in first.plan.actions}
    assert sync(ctx, conn).plan.is_empty


def test_a_new_contact_takes_the_name_a_linked_customer_leaves_in_one_import(demo_ctx):
    """Found by the property tests: customer A is renamed in Xero and a new contact B takes
    A's old name. B was matched against A's jobcode under its old name ("ambiguous": linked
    to A), the import renamed that jobcode, and only the next import created B."""
    import copy
    import uuid

    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    sync(ctx, conn)
    link = Link.select().where((Link.connection == conn) & (Link.kind == "customer")).first()
    contacts = store.xero_orgs[0]["Contacts"]
    a = next(c for c in contacts if c["ContactID"] == link.xero_id)
    old_name = a["Name"]
    stamp = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    a.update(Name=old_name + " (new name)", UpdatedDateUTC=stamp)
    contacts.append(
        {
            **copy.deepcopy(a),
            "ContactID": str(uuid.uuid4()),
            "Name": old_name,
            "EmailAddress": "",
            "UpdatedDateUTC": stamp,
        }
    )
    second = sync(ctx, conn)
    assert second.as_json()["updated"].get("customers") == 1
    assert second.as_json()["created"].get("customers") == 1
    assert not second.plan.conflicts or all(c.xero_name != old_name for c in second.plan.conflicts)
    assert sync(ctx, conn).plan.is_empty
    names = Counter(j["name"] for j in store.qbtime["jobcodes"] if j["parent_id"] == 0)
    assert names[old_name] == 1 and names[old_name + " (new name)"] == 1
