"""API economy against the true floor (issue 16), for a generated AU and UK organisation
(10,000 contacts, 300 employees, 500 items; QuickBooks Time already in use):

1. the first import, every request our process sends (sign-in refreshes included) against
   the floor derived from the data (tests/benchmarks/api_floor.py), per endpoint;
2. the re-import as the scheduler runs it: a new process, a day later (the product's clock
   moved on 24 h, the sign-in token aged a day), after 1 % of the records changed in Xero
   and in QuickBooks Time; its own calls against its floor, CPU and wall time;
3. the next scheduled run with nothing changed (a new process again).

The simulators run in another process with their limits scaled far up; the product's own
limiters are real (nothing waits at these volumes). Our CPU and RSS are of our process only.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks import api_floor as floor_of
from tests.benchmarks.harness import LARGE, SandboxProcess, run_worker

pytestmark = pytest.mark.benchmark

DAY_LATER_S = 24 * 3600 + 60
RUNS = "tests.benchmarks.import_runs"


# ---------------------------------------------------------------------------- the data
def _company(region: str, path: Path, large_company: Path) -> Path:
    """AU: the benchmarks' large organisation; UK: generate_large's UK organisation of the
    same size (its own payroll API: camelCase, paged, no If-Modified-Since)."""
    if region == "AU":
        return large_company
    if not path.exists():
        from core.sandbox.common import atomic_write_json
        from core.sandbox.demo_data import generate_large

        atomic_write_json(
            path,
            generate_large(
                contacts=LARGE["contacts"],
                employees=LARGE["employees"],
                items=LARGE["items"],
                region="UK",
                seed=1,
            ),
        )
    return path


def _state(state_dir: Path) -> dict[str, Any]:
    """Both services' data as the simulators hold it (their journal of writes replayed)."""
    from core.sandbox.common import Clock, CompanyStore
    from core.sandbox.qbtime import QBTimeSimulator

    store = CompanyStore.load(None, state_dir)
    QBTimeSimulator(store, Clock())  # replays the journal of writes into the data, saves it whole
    return json.loads(json.dumps(store.data))


def _write_state(state_dir: Path, data: dict[str, Any]) -> None:
    from core.sandbox.common import CompanyStore

    store = CompanyStore.load(None, state_dir)
    store.data.update(data)
    store.save()


def change_one_percent(state_dir: Path, seed: int = 7) -> dict[str, int]:
    """1 % of the records changed by people, while the simulators are stopped: in Xero
    contacts renamed, moved, archived and added, items renamed, employees renamed; in
    QuickBooks Time jobcodes and users edited. Each with its change time, as the services
    stamp it. Returns how many of each."""
    from core.services.qbtime import mapping as qmap

    data = _state(state_dir)
    rng = random.Random(seed)
    now = time.time()
    ms = f"/Date({int(now * 1000)}+0000)/"
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    org = floor_of.org_of(data)
    contacts = org["Contacts"]
    customers = [c for c in contacts if c.get("IsCustomer") and c.get("ContactStatus") == "ACTIVE"]
    k = max(4, len(contacts) // 100)
    picked = rng.sample(customers, k)
    counts = {"contacts renamed": 0, "contacts moved": 0, "contacts archived": 0}
    for index, contact in enumerate(picked):
        if index % 20 < 8:
            contact["Name"] = (contact["Name"][:240] + " & Co").strip()
            counts["contacts renamed"] += 1
        elif index % 20 < 14:
            for address in contact.get("Addresses") or []:
                if address.get("AddressLine1"):
                    address["AddressLine1"] = f"{rng.randint(2, 400)} Harbour Street"
            counts["contacts moved"] += 1
        elif index % 20 < 17:
            contact["ContactStatus"] = "ARCHIVED"
            counts["contacts archived"] += 1
        else:
            new = json.loads(json.dumps(contact))
            new["ContactID"] = str(uuid.UUID(int=rng.getrandbits(128)))
            new["Name"] = f"New Customer {index:03d} {rng.randint(1000, 9999)}"
            new["UpdatedDateUTC"] = ms
            contacts.append(new)
            counts["contacts added"] = counts.get("contacts added", 0) + 1
            continue
        contact["UpdatedDateUTC"] = ms
    items = org["Items"]
    for item in rng.sample(items, max(1, len(items) // 100)):
        item["Name"] = (str(item.get("Name") or item.get("Code")) + " (new)")[:50]
        item["UpdatedDateUTC"] = ms
        counts["items renamed"] = counts.get("items renamed", 0) + 1
    payroll = org.get("payroll") or {}
    employees = payroll.get("Employees") or payroll.get("employees") or []
    for employee in rng.sample(employees, max(1, len(employees) // 100)):
        if "LastName" in employee:
            employee["LastName"] += "-Smith"
            employee["UpdatedDateUTC"] = ms
        else:
            employee["lastName"] += "-Smith"
            employee["updatedDateUTC"] = iso
        counts["employees renamed"] = counts.get("employees renamed", 0) + 1
    qbt = data["qbtime"]
    stamp = qmap.format_timestamp(now)
    jobs = [j for j in qbt["jobcodes"] if j["type"] == "regular" and j["active"]]
    for job in rng.sample(jobs, max(1, len(jobs) // 100)):
        job["billable"] = not job.get("billable")
        job["last_modified"] = stamp
        counts["jobcodes edited in QuickBooks Time"] = (
            counts.get("jobcodes edited in QuickBooks Time", 0) + 1
        )
    users = [u for u in qbt["users"] if u.get("active")]
    for user in rng.sample(users, max(1, len(users) // 100)):
        user["mobile_number"] = f"04{rng.randint(10_000_000, 99_999_999)}"
        user["last_modified"] = stamp
        counts["users edited in QuickBooks Time"] = (
            counts.get("users edited in QuickBooks Time", 0) + 1
        )
    _write_state(state_dir, data)
    return counts


# ---------------------------------------------------------------------------- floors
def first_import_floor(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Every list read whole at the documented page sizes, the writes that made the changes
    QuickBooks Time shows, no sign-in refresh (the token is fresh from connecting)."""
    return floor_of.merge(
        floor_of.xero_whole_read(before),
        floor_of.qbt_whole_read(before["qbtime"]),
        floor_of.qbt_writes(before["qbtime"], after["qbtime"]),
    )


def scheduled_floor(
    read_last: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    changed_employees: int,
) -> dict[str, int]:
    """A day later: one sign-in refresh (the access token lasts 30 minutes); Xero contacts
    read whole (the daily read If-Modified-Since cannot replace: a first invoice does not
    bump UpdatedDateUTC), the other Xero lists as the APIs allow (AU employees with
    If-Modified-Since, a page of those changed; UK payroll has no If-Modified-Since: whole);
    QuickBooks Time: which lists changed since they were read (``read_last``), those read
    from there; the writes that made the changes QuickBooks Time shows."""
    xero = floor_of.xero_whole_read(before)
    if "xero GET PayItems" in xero:  # AU payroll: If-Modified-Since
        xero["xero GET Employees"] = floor_of.pages_unpaged(
            changed_employees, floor_of.XERO_PAYROLL_PAGE
        )
    return floor_of.merge(
        {"xero POST token": 1},
        xero,
        floor_of.qbt_changed_since(read_last["qbtime"], before["qbtime"]),
        floor_of.qbt_writes(before["qbtime"], after["qbtime"]),
    )


def quiet_floor(before: dict[str, Any]) -> dict[str, int]:
    """Nothing changed, within a day of the last whole read: one If-Modified-Since page of
    contacts and of the sales invoices since (a first invoice), items, tracking, payroll as
    its API allows (AU: one If-Modified-Since page + pay items; UK: whole), one
    last_modified_timestamps; no write."""
    xero = floor_of.xero_whole_read(before)
    xero["xero GET Contacts"] = 1
    xero["xero GET Invoices"] = 1
    if "xero GET PayItems" in xero:
        xero["xero GET Employees"] = 1
    return floor_of.merge(xero, {"qbt GET last_modified_timestamps": 1})


def _split(counts: dict[str, int]) -> dict[str, int]:
    xero = sum(v for k, v in counts.items() if k.startswith("xero "))
    reads = sum(v for k, v in counts.items() if k.startswith("qbt GET"))
    writes = sum(v for k, v in counts.items() if k.startswith("qbt ") and " GET " not in k)
    return {"xero": xero, "qbt_reads": reads, "qbt_writes": writes, "total": xero + reads + writes}


def _compare(title: str, floor: dict[str, int], ours: dict[str, int]) -> tuple[float, str]:
    print(f"\n{title}\n" + floor_of.render(floor_of.table(floor, ours)), flush=True)
    f, o = _split(floor), _split(ours)
    note = (
        f"{o['total']} calls vs floor {f['total']} (Xero {o['xero']}/{f['xero']}, "
        f"QuickBooks Time reads {o['qbt_reads']}/{f['qbt_reads']}, "
        f"writes {o['qbt_writes']}/{f['qbt_writes']})"
    )
    return o["total"] / f["total"], note


def _endpoints(box: SandboxProcess) -> list[str]:
    ep = box.endpoints
    return [ep.xero_base, ep.qbtime_base, ep.qbtime_token, ep.tenant_id]


# ---------------------------------------------------------------------------- the benchmark
@pytest.mark.parametrize("region", ["AU", "UK"])
def test_api_economy_first_import_and_scheduled_reimport(region, large_company, tmp_path, results):
    company = _company(region, tmp_path / f"large-{region}.json", large_company)
    state, home = tmp_path / "state", tmp_path / "home"
    before = json.loads(company.read_text(encoding="utf-8"))

    with SandboxProcess(company, state) as box:
        first = run_worker(["first", *_endpoints(box), str(home)], timeout=1200, module=RUNS)
    after_first = _state(state)
    ratio, note = _compare(
        f"First import, {region}: calls per endpoint",
        first_import_floor(before, after_first),
        first["calls"],
    )
    results.add(
        f"API economy {region}: first import calls / true floor",
        ratio,
        "ratio",
        "<= 1.10",
        ratio <= 1.10,
        note + "; floor from the data (api_floor.py), every request of our process counted",
    )
    if region == "AU":
        results.add(
            "local overhead: CPU of our process, first import",
            first["cpu_s"],
            "s",
            "<= 3",
            first["cpu_s"] <= 3.0,
            "AU 10,000 contacts, simulators in another process, latency 0; one run",
        )
        results.add(
            "local overhead: peak RSS of our process",
            first["peak_rss_mb"],
            "MB",
            "<= 300",
            first["peak_rss_mb"] <= 300,
        )

    # A day later, 1 % changed, a new process as the scheduler starts it.
    changed = change_one_percent(state)
    from tests.benchmarks.import_runs import age_tokens

    assert age_tokens(home, DAY_LATER_S) >= 1
    before_sched = _state(state)
    with SandboxProcess(company, state) as box:
        sched = run_worker(
            ["scheduled", *_endpoints(box), str(home), str(DAY_LATER_S)],
            timeout=1200,
            module=RUNS,
        )
    after_sched = _state(state)
    print(f"\n{region} changes:", changed, "\noutcome:", sched["summary"], flush=True)
    assert sched["outcomes"], "the changes must reach QuickBooks Time"
    ratio, note = _compare(
        f"Scheduled re-import, {region}, a day later, 1 % changed: calls per endpoint",
        scheduled_floor(
            after_first, before_sched, after_sched, changed.get("employees renamed", 0)
        ),
        sched["calls"],
    )
    label = f"scheduled re-import {region} (new process, 24 h later, 1 % changed)"
    results.add(f"{label}: calls / true floor", ratio, "ratio", "<= 1.10", ratio <= 1.10, note)
    results.add(
        f"{label}: our CPU",
        sched["cpu_s"],
        "s",
        "<= 1.5",
        sched["cpu_s"] <= 1.5,
        f"wall {sched['wall_s']:.2f} s, peak RSS {sched['peak_rss_mb']:.0f} MB; one run",
    )
    results.add(
        f"{label}: wall time",
        sched["wall_s"],
        "s",
        "<= 5",
        sched["wall_s"] <= 5.0,
        "latency 0, limits not reached (no wait); one run",
    )

    # The next scheduled runs: nothing changed since. The first after an import plans once
    # (its inputs are new); the next ones find the same inputs and reuse that plan.
    for kind in ("first after the import", "steady"):
        with SandboxProcess(company, state) as box:
            quiet = run_worker(["scheduled", *_endpoints(box), str(home), "0"], module=RUNS)
        ratio, note = _compare(
            f"Re-import, {region}, nothing changed ({kind}): calls per endpoint",
            quiet_floor(after_sched),
            quiet["calls"],
        )
        writes = _split(quiet["calls"])["qbt_writes"]
        label = f"re-import {region}, nothing changed ({kind}, new process)"
        results.add(
            f"{label}: calls / floor",
            ratio,
            "ratio",
            "<= 1.10",
            ratio <= 1.10 and writes == 0,
            note,
        )
        target = 1.0 if kind == "steady" else 3.0
        results.add(
            f"{label}: our CPU",
            quiet["cpu_s"],
            "s",
            f"<= {target:g}",
            quiet["cpu_s"] <= target,
            f"wall {quiet['wall_s']:.2f} s, peak RSS {quiet['peak_rss_mb']:.0f} MB; one run",
        )


@pytest.mark.parametrize("region", ["AU", "UK", "AU-120"])
def test_payroll_export_calls_per_pay_period(region, tmp_path, results):
    """One pay period's export of hours on the Demo Company (first time), every request
    counted, against the floor derived from the data (api_floor.payroll_floor): AU
    timesheet and leave writes ceil(n / 50) (AU payroll 1.0 takes arrays), reads at the
    documented page sizes. AU-120: the AU organisation with 120 more people with hours in
    the period, where one call per person would show (122 calls against a floor of 3)."""
    out = run_worker(["payroll", region, str(tmp_path / "home")], module=RUNS)
    floor = floor_of.payroll_floor(
        out["org_before"],
        out["org_after"],
        out["qbtime"],
        (out["period"][0], out["period"][1]),
        out["linked_employees"],
        {int(k): v for k, v in out["employee_links"].items()},
    )
    assert out["summary"]["timesheets"]["created"] >= 1, "the period must have hours to send"
    ratio, note = _compare(
        f"Payroll export, {region}, one pay period: calls per endpoint", floor, out["calls"]
    )
    results.add(
        f"payroll export {region}: calls per pay period / floor",
        ratio,
        "ratio",
        "<= 1.10",
        ratio <= 1.10,
        note + f"; Demo Company, period {out['period'][0]}..{out['period'][1]}",
    )


@pytest.mark.parametrize("region", ["AU", "UK"])
def test_billing_run_calls_against_its_floor(region, tmp_path, results):
    """One billing run (Bill time in Xero) over every day the Demo Company has hours for,
    first time, as a later run makes it (a new context), every request counted, against
    the floor derived from the data (api_floor.invoicing_floor)."""
    out = run_worker(["invoicing", region, str(tmp_path / "home")], module=RUNS)
    floor = floor_of.invoicing_floor(
        out["org_before"],
        out["org_after"],
        out["qbtime"],
        (out["range"][0], out["range"][1]),
        out["customer_links"],
    )
    assert out["summary"]["invoices"]["created"] >= 1, "the range must have hours to bill"
    ratio, note = _compare(f"Billing run, {region}: calls per endpoint", floor, out["calls"])
    results.add(
        f"billing run {region}: calls / floor",
        ratio,
        "ratio",
        "<= 1.10",
        ratio <= 1.10,
        note + f"; Demo Company, {out['range'][0]}..{out['range'][1]}",
    )


def add_billable_hours(state_dir: Path, customers: int, day: str, seed: int = 11) -> int:
    """Hours on ``customers`` of the customers the import made in QuickBooks Time (their
    jobcodes made billable at a rate), while the simulators are stopped, as people log them.
    Returns how many timesheets were added."""
    from core.services.qbtime import mapping as qmap

    data = _state(state_dir)
    qbt = data["qbtime"]
    rng = random.Random(seed)
    stamp = qmap.format_timestamp(time.time())
    tops = [j for j in qbt["jobcodes"] if j["type"] == "regular" and not j.get("parent_id")]
    users = [u for u in qbt["users"] if u.get("active")]
    sheets = qbt.setdefault("timesheets", [])
    first_id = next_id = max((int(t["id"]) for t in sheets), default=900_000_000) + 1
    for job in rng.sample(tops, customers):
        job["billable"], job["billable_rate"], job["last_modified"] = True, 95.0, stamp
        for _ in range(rng.randint(1, 3)):
            hours = rng.choice([1.0, 1.5, 2.0, 3.25])
            user = rng.choice(users)
            sheets.append(
                {
                    "id": next_id,
                    "user_id": user["id"],
                    "jobcode_id": job["id"],
                    "start": "",
                    "end": "",
                    "duration": int(hours * 3600),
                    "date": day,
                    "tz": 0,
                    "tz_str": "UTC",
                    "type": "manual",
                    "location": "",
                    "on_the_clock": False,
                    "locked": 0,
                    "notes": "",
                    "customfields": {},
                    "attached_files": [],
                    "last_modified": stamp,
                    "created_by_user_id": user["id"],
                }
            )
            next_id += 1
    _write_state(state_dir, data)
    return next_id - first_id


def test_billing_run_on_the_large_organisation_against_its_floor(large_company, tmp_path, results):
    """Billing on the large organisation (10,000 contacts): after the first import, hours on
    230 of its customers; one billing run reads the contacts of those customers only (50
    ids a call), not every linked customer's, against the floor derived from the data."""
    state, home = tmp_path / "state", tmp_path / "home"
    with SandboxProcess(large_company, state) as box:
        run_worker(["first", *_endpoints(box), str(home)], timeout=1200, module=RUNS)
    imported = _state(state)
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    assert add_billable_hours(state, 230, day) >= 230
    before = _state(state)
    with SandboxProcess(large_company, state) as box:
        out = run_worker(
            ["billing", *_endpoints(box), str(home), day, day], timeout=1200, module=RUNS
        )
    after = _state(state)
    floor = floor_of.invoicing_floor(
        floor_of.org_of(before),
        floor_of.org_of(after),
        after["qbtime"],
        (day, day),
        out["customer_links"],
    )
    # the jobcodes made billable since the import: read once more (modified_since)
    floor.update(floor_of.qbt_changed_since(imported["qbtime"], before["qbtime"]))
    assert out["summary"]["invoices"]["created"] >= 200, out["summary"]
    ratio, note = _compare(
        "Billing run, AU large organisation: calls per endpoint", floor, out["calls"]
    )
    results.add(
        "billing run AU, 10,000 contacts (hours on 230 customers): calls / floor",
        ratio,
        "ratio",
        "<= 1.10",
        ratio <= 1.10,
        note + f"; {len(out['customer_links'])} linked customers; our CPU {out['cpu_s']:.2f} s, "
        f"wall {out['wall_s']:.2f} s; one run",
    )
