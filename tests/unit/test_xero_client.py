"""core/services/xero/client.py against the Demo Company's Xero simulator (in-process, over HTTP).

Each test runs its own simulator (SimServer on 127.0.0.1) on a ManualClock. The session's
sleeps advance that clock instead of sleeping, so rate-limit waits cost no real time. Tokens
come from the simulator's consent form + code exchange (no browser). Call counts are read
from the session's RequestCounter, i.e. what actually went over the wire, retries included.
"""

from __future__ import annotations

import copy
import json
import random
import secrets
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from core.engine.regions import PayrollApi
from core.errors import ApiError, DailyLimitReached, ReauthorizationRequired
from core.sandbox.common import CompanyStore, FaultPlan, ManualClock, SimServer, ms_date
from core.sandbox.demo_data import build_demo_company, generate_large
from core.sandbox.xero import XeroSimulator
from core.sandbox.xero_config import XeroConfig
from core.sandbox.xero_identity import pkce_challenge
from core.services.http import XERO, RequestCounter, RetryPolicy, ServiceSession, xero_limiter
from core.services.xero.client import (
    CONTACTS_PAGE_SIZE,
    SINCE_SKEW_S,
    XeroClient,
    XeroOrganisationDisconnected,
    XeroPayrollAccessDenied,
    XeroRequestRejected,
    http_date,
)
from core.services.xero.mapping import xero_date
from tests.conftest import DEMO_COMPANY_FILE

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z, after every demo record's UpdatedDateUTC
TODAY = date(2026, 1, 1)
ALL_SCOPES = (
    "openid profile email offline_access accounting.contacts.read "
    "accounting.settings.read payroll.employees.read payroll.settings.read"
)
ACCOUNTING_SCOPES = (
    "openid profile email offline_access accounting.contacts.read accounting.settings.read"
)


# =========================================================================== harness
class Sim:
    """One Xero simulator + a signed-in session for the tests."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        config: XeroConfig | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        self.clock = ManualClock(START)
        self.store = CompanyStore.from_dict(data)
        self.config = config or XeroConfig()
        self.faults = faults or FaultPlan()
        self.sim = XeroSimulator(self.store, self.clock, self.faults, self.config)
        self.server = SimServer(self.sim.app).start()
        self.base = self.server.base_url
        self.http = requests.Session()
        self.counter = RequestCounter()
        self.slept: list[float] = []
        self.access_token = ""
        self.refresh_token = ""

    def close(self) -> None:
        self.http.close()
        self.server.stop()

    # -- sign-in without a browser: post the consent form, exchange the code
    def sign_in(self, tenants: list[str], scope: str = ALL_SCOPES) -> None:
        verifier = secrets.token_urlsafe(48)
        redirect = self.config.redirect_uris[0]
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": redirect,
                "scope": scope,
                "state": "st-1",
                "code_challenge": pkce_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        resp = self.http.post(
            f"{self.base}/identity/connect/authorize?{query}",
            data={"tenant": tenants, "action": "allow"},
            allow_redirects=False,
        )
        assert resp.status_code in (302, 303), resp.text[:300]
        code = parse_qs(urlsplit(resp.headers["Location"]).query)["code"][0]
        tok = self.http.post(
            f"{self.base}/identity/connect/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.config.client_id,
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
        )
        assert tok.status_code == 200, tok.text
        self.access_token = tok.json()["access_token"]
        self.refresh_token = tok.json()["refresh_token"]

    def refresh(self) -> bool:
        tok = self.http.post(
            f"{self.base}/identity/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": self.config.client_id,
                "refresh_token": self.refresh_token,
            },
        )
        if tok.status_code != 200:
            return False
        self.access_token = tok.json()["access_token"]
        self.refresh_token = tok.json()["refresh_token"]
        return True

    def revoke(self) -> None:
        resp = self.http.post(
            f"{self.base}/identity/connect/revocation",
            data={
                "token": self.refresh_token,
                "token_type_hint": "refresh_token",
                "client_id": self.config.client_id,
            },
        )
        assert resp.status_code == 200

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def session(self, *, refresh: bool = False) -> ServiceSession:
        return ServiceSession(
            XERO,
            self.base,
            limiter=xero_limiter(clock=self.clock.now, sleep=self._sleep),
            retry=RetryPolicy.xero(),
            auth=lambda: {"Authorization": f"Bearer {self.access_token}"},
            on_unauthorized=self.refresh if refresh else None,
            clock=self.clock.now,
            sleep=self._sleep,
            counter=self.counter,
            rng=random.Random(7),
        )

    def client(self, tenant: str, **kw: Any) -> XeroClient:
        return XeroClient(self.session(**kw), tenant, today=lambda: TODAY)

    # -- counter helpers
    def requests_sent(self) -> int:
        return int(self.counter.snapshot()["requests"])

    def org(self, tenant: str) -> dict[str, Any]:
        org = self.store.xero_org(tenant)
        assert org is not None
        return org


@pytest.fixture
def make_sim():
    sims: list[Sim] = []

    def make(
        data: dict[str, Any],
        tenants: list[str] | None = None,
        *,
        scope: str = ALL_SCOPES,
        **kw: Any,
    ) -> Sim:
        sim = Sim(data, **kw)
        sims.append(sim)
        sim.sign_in(tenants or [o["tenantId"] for o in data["xero"]["organisations"]], scope)
        return sim

    yield make
    for sim in sims:
        sim.close()


def demo_company() -> dict[str, Any]:
    if DEMO_COMPANY_FILE.exists():
        return json.loads(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))
    return build_demo_company()


def tenant_of(data: dict[str, Any], version: str) -> str:
    for org in data["xero"]["organisations"]:
        if org["Organisation"]["Version"] == version:
            return str(org["tenantId"])
    raise AssertionError(f"no {version} organisation")


def large(contacts: int, region: str = "AU", employees: int = 0, seed: int = 1) -> dict[str, Any]:
    return generate_large(
        contacts=contacts, employees=employees, items=20, region=region, seed=seed
    )


def only_tenant(data: dict[str, Any]) -> str:
    return str(data["xero"]["organisations"][0]["tenantId"])


# =========================================================================== connections
def test_connections_lists_the_connected_organisations(make_sim):
    data = demo_company()
    sim = make_sim(data)
    conns = XeroClient.connections(sim.session())
    assert {c["tenantId"] for c in conns} == {o["tenantId"] for o in data["xero"]["organisations"]}
    assert all(c["tenantType"] == "ORGANISATION" and c["tenantName"] for c in conns)
    assert sim.requests_sent() == 1


# =========================================================================== regions
def test_au_organisation_fetches_everything(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    raw = sim.org(tenant)

    org = client.organisation()
    assert (org.tenant_id, org.country_code, org.version) == (tenant, "AU", "AU")
    assert org.name == raw["Organisation"]["Name"]
    assert client.organisation_raw == raw["Organisation"]

    contacts = client.contacts()
    assert {c.contact_id for c in contacts} == {c["ContactID"] for c in raw["Contacts"]}
    archived = {c["ContactID"] for c in raw["Contacts"] if c["ContactStatus"] == "ARCHIVED"}
    assert archived and {c.contact_id for c in contacts if c.archived} == archived
    customers = {c["ContactID"] for c in raw["Contacts"] if c["IsCustomer"]}
    assert {c.contact_id for c in contacts if c.is_customer} == customers
    # Full contacts: addresses are there (summaryOnly would have dropped them).
    assert sum(1 for c in contacts if c.best_address is not None) > len(contacts) // 2
    assert all(c.raw.get("Addresses") is not None for c in contacts)

    items = client.items()
    assert {i.item_id for i in items} == {i["ItemID"] for i in raw["Items"]}
    importable = {
        i["ItemID"] for i in raw["Items"] if i["IsSold"] and not i["IsTrackedAsInventory"]
    }
    assert {i.item_id for i in items if i.importable} == importable
    assert importable != {i.item_id for i in items}  # some are not importable

    cats = client.tracking_categories()
    assert {c.category_id for c in cats} == {
        c["TrackingCategoryID"] for c in raw["TrackingCategories"]
    }
    assert any(c.status == "ARCHIVED" for c in cats)
    assert any(o.status == "ARCHIVED" for c in cats for o in c.options)

    employees = client.employees(org.version)
    stored = raw["payroll"]["Employees"]
    assert {e.employee_id for e in employees} == {e["EmployeeID"] for e in stored}
    # TERMINATED: gone once the termination date (their last day) is before today; one
    # still ahead is a notice period (still active)
    gone = {
        e["EmployeeID"]
        for e in stored
        if e["Status"] == "TERMINATED"
        and not (e.get("TerminationDate") and xero_date(e["TerminationDate"]) >= str(TODAY))
    }
    assert {e.employee_id for e in employees if not e.active} == gone
    assert any(not e.active for e in employees)  # terminated ones are included
    assert all(len(e.start_date) == 10 for e in employees)

    leave = client.leave_types(org.version)
    assert {x.name for x in leave} == {x["Name"] for x in raw["payroll"]["LeaveTypes"]}
    assert {x.name for x in leave if not x.is_paid} >= {"Unpaid Leave"}
    assert {x.name for x in leave if not x.active} == {
        x["Name"] for x in raw["payroll"]["LeaveTypes"] if not x["CurrentRecord"]
    }

    # One call per kind for a small organisation: 6 in all, no retries.
    assert sim.requests_sent() == 6 == client.calls_made
    assert {k: v.calls for k, v in client.last_fetch.items()} == {
        "organisation": 1,
        "contacts": 1,
        "items": 1,
        "tracking_categories": 1,
        "employees": 1,
        "leave_types": 1,
    }
    assert client.last_fetch["contacts"].server_time == pytest.approx(START, abs=1)


def test_uk_organisation_uses_payroll_2(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "UK")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    raw = sim.org(tenant)
    org = client.organisation()
    assert (org.country_code, org.version) == ("GB", "UK")
    assert len(client.contacts()) == len(raw["Contacts"])
    employees = client.employees(org.version)
    stored = raw["payroll"]["Employees"]
    assert {e.employee_id for e in employees} == {e["employeeID"] for e in stored}
    leavers = {
        e["employeeID"] for e in stored if e.get("endDate") and e["endDate"][:10] <= "2026-01-01"
    }
    assert leavers and {e.employee_id for e in employees if not e.active} == leavers
    leave = client.leave_types(org.version)
    assert {(x.name, x.is_paid, x.active) for x in leave} == {
        (x["name"], x["isPaidLeave"], x["isActive"]) for x in raw["payroll"]["LeaveTypes"]
    }
    # Dropping leavers locally costs no extra call.
    before = sim.requests_sent()
    assert all(e.active for e in client.employees("UK", include_terminated=False))
    assert sim.requests_sent() == before + 1


def test_nz_organisation_pages_payroll_2_by_pagination_block(make_sim):
    data = large(30, region="NZ", employees=150)
    tenant = only_tenant(data)
    sim = make_sim(data)
    client = sim.client(tenant)
    org = client.organisation()
    assert org.version == "NZ"
    employees = client.employees(org.version)
    assert len(employees) == 150
    assert client.last_fetch["employees"].calls == 2  # 100 + 50
    leave = client.leave_types(PayrollApi.V2)
    assert {x.name for x in leave} >= {"Annual Leave", "Unpaid Leave"}
    assert client.last_fetch["leave_types"].calls == 1
    assert sim.requests_sent() == 1 + 2 + 1


def test_au_employees_page_by_100_until_a_short_page(make_sim):
    data = large(10, region="AU", employees=230)
    tenant = only_tenant(data)
    sim = make_sim(data)
    client = sim.client(tenant)
    employees = client.employees("AU")
    assert len(employees) == 230  # active and terminated
    assert client.last_fetch["employees"].calls == 3  # 100, 100, 30
    active_only = client.employees("AU", include_terminated=False)
    stored = sim.org(tenant)["payroll"]["Employees"]
    assert len(active_only) == sum(1 for e in stored if e["Status"] == "ACTIVE") < 230


def test_global_organisation_makes_no_payroll_call(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "GLOBAL")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    org = client.organisation()
    assert (org.country_code, org.version) == ("CA", "GLOBAL")
    contacts = client.contacts()
    assert any("é" in c.name or "è" in c.name for c in contacts)  # accents survive
    assert client.items() and client.tracking_categories()
    sent = sim.requests_sent()
    assert client.employees(org.version) == []
    assert client.leave_types(org.version) == []
    assert client.employees("US") == [] and client.leave_types(None) == []
    assert sim.requests_sent() == sent == 4


# =========================================================================== contacts paging
@pytest.mark.parametrize("count, calls", [(0, 1), (999, 1), (1000, 1), (2000, 2), (2500, 3)])
def test_contacts_use_the_minimum_number_of_calls(make_sim, count, calls):
    data = large(count)
    tenant = only_tenant(data)
    sim = make_sim(data)
    client = sim.client(tenant)
    contacts = client.contacts()
    assert len(contacts) == count
    assert len({c.contact_id for c in contacts}) == count
    assert sim.requests_sent() == calls == client.last_fetch["contacts"].calls
    assert sim.counter.snapshot()["retries"] == 0


def test_high_volume_organisation_fetches_without_high_volume_exception(make_sim):
    data = large(2500)
    tenant = only_tenant(data)
    sim = make_sim(data, config=XeroConfig(high_volume_threshold=1000))
    client = sim.client(tenant)
    contacts = client.contacts()
    assert len(contacts) == 2500
    assert sim.requests_sent() == 3
    customers = [c for c in contacts if c.is_customer]  # filtered locally
    assert 0 < len(customers) < 2500
    assert sum(1 for c in contacts if c.best_address is not None) > 1000
    # What the client avoids: an unindexed filter on this organisation.
    with pytest.raises(XeroRequestRejected) as info:
        client.get_json("api.xro/2.0/Contacts", params={"where": "IsCustomer==true", "page": 1})
    err = info.value
    assert err.xero_type == "HighVolumeException" and err.status == 400
    assert "not filtering Contacts efficiently" in str(err)
    assert sim.access_token not in str(err)


def test_summary_only_contacts_same_calls_no_addresses(make_sim):
    data = large(1500)
    sim = make_sim(data)
    client = sim.client(only_tenant(data))
    contacts = client.contacts(summary_only=True)
    assert len(contacts) == 1500 and sim.requests_sent() == 2
    assert all(c.best_address is None and "Addresses" not in c.raw for c in contacts)


def test_contacts_by_ids_in_chunks_of_50(make_sim):
    data = large(2500)
    tenant = only_tenant(data)
    sim = make_sim(data, config=XeroConfig(high_volume_threshold=1000))
    stored = sim.org(tenant)["Contacts"]
    wanted = [c["ContactID"] for c in stored[:120]]
    archived = next(c["ContactID"] for c in stored[120:] if c["ContactStatus"] == "ARCHIVED")
    unknown = "00000000-0000-4000-8000-000000000000"
    client = sim.client(tenant)
    got = client.contacts_by_ids([*wanted, archived, unknown, wanted[0]])
    assert {c.contact_id for c in got} == {*wanted, archived}
    assert sim.requests_sent() == 3  # 50 + 50 + 22 ids
    assert any(c.archived for c in got)
    assert client.contacts_by_ids([]) == [] and sim.requests_sent() == 3


def test_if_modified_since_returns_only_changed_contacts(make_sim):
    data = large(2500)
    tenant = only_tenant(data)
    sim = make_sim(data)
    client = sim.client(tenant, refresh=True)  # the clock moves past the token's 30 min
    full = client.contacts()
    assert len(full) == 2500
    cursor = client.last_fetch["contacts"].server_time
    assert cursor is not None

    sim.clock.advance(3600)
    stored = sim.org(tenant)["Contacts"]
    with sim.store.lock:
        renamed, archived, created = stored[10], stored[2000], copy.deepcopy(stored[5])
        renamed["Name"] += " (renamed)"
        renamed["UpdatedDateUTC"] = ms_date(sim.clock.now())
        archived["ContactStatus"] = "ARCHIVED"
        archived["UpdatedDateUTC"] = ms_date(sim.clock.now())
        created["ContactID"] = "ffffffff-0000-4000-8000-000000000001"
        created["Name"] = "Brand New Customer"
        created["UpdatedDateUTC"] = ms_date(sim.clock.now() + 1)
        stored.append(created)
        # A change within the skew window before the cursor is re-read, not lost.
        stored[20]["UpdatedDateUTC"] = ms_date(cursor - SINCE_SKEW_S / 2)
    sim.clock.advance(2 * SINCE_SKEW_S)

    changed = client.contacts(modified_since=cursor)
    assert client.last_fetch["contacts"].calls == 1  # (+ one 401 and a token refresh)
    by_id = {c.contact_id: c for c in changed}
    assert set(by_id) == {
        renamed["ContactID"],
        archived["ContactID"],
        created["ContactID"],
        stored[20]["ContactID"],
    }
    assert by_id[renamed["ContactID"]].name.endswith("(renamed)")
    assert by_id[archived["ContactID"]].archived

    # Nothing changed since the new cursor: one call, nothing back.
    cursor2 = client.last_fetch["contacts"].server_time
    sim.clock.advance(3600)
    assert client.contacts(modified_since=cursor2) == []
    assert client.last_fetch["contacts"].calls == 1


def test_if_modified_since_on_items(make_sim):
    data = large(5)
    tenant = only_tenant(data)
    sim = make_sim(data)
    client = sim.client(tenant)
    assert len(client.items()) == 20
    cursor = client.last_fetch["items"].server_time
    sim.clock.advance(600)
    item = sim.org(tenant)["Items"][3]
    item["Name"] = "Changed"
    item["UpdatedDateUTC"] = ms_date(sim.clock.now())
    changed = client.items(modified_since=cursor)
    assert [i.item_id for i in changed] == [item["ItemID"]]


def test_http_date_is_rfc1123_utc():
    assert http_date(1_767_225_600.0) == "Thu, 01 Jan 2026 00:00:00 GMT"


# =========================================================================== faults and limits
def test_429_and_5xx_are_retried_transparently_and_counted(make_sim):
    data = large(2500)
    tenant = only_tenant(data)
    sim = make_sim(data)
    sim.faults.force("429", times=2, path_contains="/Contacts")
    sim.faults.force("500", times=1, path_contains="/Contacts")
    sim.faults.force("503", times=1, path_contains="/Contacts")
    client = sim.client(tenant)
    contacts = client.contacts()
    assert len(contacts) == 2500
    snap = sim.counter.snapshot()
    assert snap["requests"] == 3 + 4
    assert snap["retries"] == 4 and snap["rate_limited"] == 2
    assert snap["services"][XERO]["by_status"] == {"200": 3, "429": 2, "500": 1, "503": 1}
    assert client.last_fetch["contacts"].calls == 3  # logical calls, retries apart
    assert sum(sim.slept) >= 2.0  # Retry-After: 1, twice


def test_daily_limit_stops_cleanly(make_sim):
    data = large(2500)
    tenant = only_tenant(data)
    sim = make_sim(data, config=XeroConfig(day_limit=3))
    client = sim.client(tenant)
    client.organisation()
    client.items()
    with pytest.raises(DailyLimitReached) as info:
        client.contacts()  # page 1 fits the day, page 2 is refused
    assert info.value.retry_after > 0
    sent = sim.requests_sent()
    with pytest.raises(DailyLimitReached):
        client.tracking_categories()  # refused locally: no call goes out
    assert sim.requests_sent() == sent


def test_expired_token_without_refresh_needs_reauthorization(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    client.organisation()
    sim.clock.advance(1801)
    with pytest.raises(ReauthorizationRequired) as info:
        client.contacts()
    assert info.value.status == 401
    assert sim.access_token not in str(info.value)


def test_expired_token_is_refreshed_once_and_the_call_succeeds(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant, refresh=True)
    sim.clock.advance(1801)
    assert client.organisation().version == "AU"
    assert sim.counter.snapshot()["services"][XERO]["by_status"] == {"401": 1, "200": 1}


def test_revoked_sign_in_needs_reauthorization(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant, refresh=True)
    client.organisation()
    sim.revoke()
    with pytest.raises(ReauthorizationRequired):
        client.items()
    with pytest.raises(ReauthorizationRequired):
        XeroClient.connections(sim.session())


def test_disconnected_organisation_gives_a_clear_error(make_sim):
    data = demo_company()
    au, uk = tenant_of(data, "AU"), tenant_of(data, "UK")
    sim = make_sim(data, [au, uk])
    session = sim.session()
    conn = next(c for c in XeroClient.connections(session) if c["tenantId"] == au)
    resp = sim.http.delete(
        f"{sim.base}/connections/{conn['id']}",
        headers={"Authorization": f"Bearer {sim.access_token}"},
    )
    assert resp.status_code == 204
    client = XeroClient(session, au)
    with pytest.raises(XeroOrganisationDisconnected) as info:
        client.contacts()
    err = info.value
    assert isinstance(err, ApiError) and err.status == 403
    assert "no longer connected" in err.user_message("en")
    assert sim.access_token not in str(err)
    # The other organisation of the same sign-in still works.
    assert XeroClient(session, uk).organisation().version == "UK"


def test_payroll_refused_for_a_connected_organisation_says_payroll_admin(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    del next(o for o in data["xero"]["organisations"] if o["tenantId"] == tenant)["payroll"]
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    with pytest.raises(XeroPayrollAccessDenied) as info:
        client.employees("AU")
    msg = info.value.user_message("en")
    assert "payroll admin" in msg and "no longer connected" not in msg
    assert info.value.status == 403


def test_payroll_without_payroll_scopes_needs_reauthorization(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "UK")
    sim = make_sim(data, [tenant], scope=ACCOUNTING_SCOPES)
    client = sim.client(tenant)
    assert client.organisation().version == "UK"
    with pytest.raises(ReauthorizationRequired):
        client.leave_types("UK")


def test_query_parse_exception_carries_xeros_message(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    with pytest.raises(XeroRequestRejected) as info:
        client.get_json("payroll.xro/1.0/Employees", params={"where": "hi==1"})
    assert info.value.xero_type == "QueryParseException"
    assert "No property or field 'hi'" in str(info.value)


def test_unknown_single_resource_is_none_when_allowed(make_sim):
    data = demo_company()
    tenant = tenant_of(data, "AU")
    sim = make_sim(data, [tenant])
    client = sim.client(tenant)
    missing = "api.xro/2.0/Contacts/00000000-0000-4000-8000-000000000000"
    assert client.get_json(missing, allow_404=True) is None
    with pytest.raises(ApiError) as info:
        client.get_json(missing)
    assert info.value.status == 404


def test_contacts_page_size_is_the_largest_xero_accepts():
    assert CONTACTS_PAGE_SIZE == XeroConfig().max_page_size == 1000


# =========================================================================== odd servers
def _fake_server(handler):
    from werkzeug.wrappers import Request, Response

    def app(environ, start_response):
        req = Request(environ)
        status, body = handler(req)
        return Response(json.dumps(body), status=status, content_type="application/json")(
            environ, start_response
        )

    return SimServer(app).start()


def _contacts_page(ids):
    return [
        {
            "ContactID": f"00000000-0000-4000-8000-{i:012d}",
            "Name": f"C{i}",
            "ContactStatus": "ACTIVE",
        }
        for i in ids
    ]


def test_without_pagination_block_a_short_page_ends_the_fetch():
    seen: list[dict[str, str]] = []

    def handler(req):
        seen.append(
            dict(req.args)
            | {
                "tenant": req.headers.get("xero-tenant-id", ""),
                "accept": req.headers.get("Accept", ""),
            }
        )
        page = int(req.args["page"])
        ids = range((page - 1) * 1000, min(page * 1000, 1200))
        return 200, {"Contacts": _contacts_page(ids)}

    server = _fake_server(handler)
    try:
        counter = RequestCounter()
        session = ServiceSession(XERO, server.base_url, counter=counter)
        contacts = XeroClient(session, "t-1").contacts()
    finally:
        server.stop()
    assert len(contacts) == 1200 and counter.snapshot()["requests"] == 2
    assert [s["page"] for s in seen] == ["1", "2"]
    assert all(s["tenant"] == "t-1" and s["accept"] == "application/json" for s in seen)
    assert all(s["pageSize"] == "1000" and s["includeArchived"] == "true" for s in seen)
    assert all("where" not in s and "summaryOnly" not in s for s in seen)


def test_a_server_ignoring_page_cannot_loop_forever():
    def handler(req):
        return 200, {"Contacts": _contacts_page(range(1000))}  # always the same page

    server = _fake_server(handler)
    try:
        counter = RequestCounter()
        session = ServiceSession(XERO, server.base_url, counter=counter)
        contacts = XeroClient(session, "t-1").contacts()
    finally:
        server.stop()
    assert len(contacts) == 1000 and counter.snapshot()["requests"] == 2


def test_contacts_keep_each_page_as_text_and_let_its_rows_go_before_the_next():
    """10,000 contacts held as dicts took 45 MB at once (the peer benchmark's figure above
    xero-python's): each page is made records holding their raw contact as its canonical
    text, and no row of page 1 is alive while page 2 is read. A row pushed across the
    boundary (same text) is read once; one id with two different rows gives both."""
    import gc

    from core.jsontext import dumps_canonical

    page1 = _contacts_page(range(1000))
    for row in page1:
        row["Phones"] = [{"PhoneType": "MOBILE", "PhoneNumber": "1"}]  # (gc-tracked rows)
        row["Addresses"] = [{"AddressType": "STREET", "City": "Page one"}]
    page2 = [copy.deepcopy(page1[-1]), {**page1[0], "Name": "Renamed"}]
    page2 += _contacts_page(range(1000, 1003))
    alive_at_page_2: list[int] = []

    def handler(req):
        if req.args["page"] == "1":
            return 200, {"Contacts": page1}
        gc.collect()
        ours = {id(r) for r in page1 + page2}  # (this test's own rows, which it keeps)
        alive_at_page_2.append(
            sum(
                1
                for o in gc.get_objects()
                if type(o) is dict
                and "Phones" in o
                and str(o.get("ContactID")).startswith("00000000-0000-4000-8000-")
                and id(o) not in ours
            )
        )
        return 200, {"Contacts": page2}

    server = _fake_server(handler)
    try:
        session = ServiceSession(XERO, server.base_url, counter=RequestCounter())
        client = XeroClient(session, "t-1")
        contacts = client.contacts()
    finally:
        server.stop()
    assert alive_at_page_2 == [0]
    assert [c.contact_id for c in contacts] == [
        *(r["ContactID"] for r in page1),
        *(r["ContactID"] for r in page2[2:]),
        page1[0]["ContactID"],
    ]
    assert contacts[-1].name == "Renamed" and client.last_fetch["contacts"].records == 1004
    assert all(type(c._raw) is str for c in contacts)  # type: ignore[attr-defined]
    assert contacts[0]._raw == dumps_canonical(page1[0])  # type: ignore[attr-defined]
    assert [c.raw for c in contacts[:1000]] == page1
    assert contacts[0].best_address is not None and contacts[0].best_address.city == "Page one"


def test_payroll_2_problem_in_a_200_envelope_is_an_error():
    def handler(req):
        return 200, {
            "pagination": None,
            "employees": [],
            "problem": {
                "type": "application/problem+json",
                "title": "BadRequest",
                "detail": "Payroll is not set up",
            },
        }

    server = _fake_server(handler)
    try:
        session = ServiceSession(XERO, server.base_url)
        with pytest.raises(XeroRequestRejected) as info:
            XeroClient(session, "t-1").employees("NZ")
    finally:
        server.stop()
    assert "Payroll is not set up" in str(info.value)


def test_timesheet_tracking_category_from_the_payroll_settings():
    """AU ``GET /Settings`` and NZ/UK ``GET /Settings/trackingCategories`` (the specs'
    examples); none set, or another shape, gives ""."""
    from core.services.xero import mapping

    au = {
        "Settings": {
            "TrackingCategories": {
                "EmployeeGroups": {"TrackingCategoryID": "A28F419F-6EC3-4DCF-9BE0-7959EA983630"},
                "TimesheetCategories": {
                    "TrackingCategoryID": "89375AED-ED51-4624-9E5D-92DB6BFA8974",
                    "TrackingCategoryName": "Foo32551",
                },
            }
        }
    }
    assert mapping.payroll_timesheet_category(au) == "89375aed-ed51-4624-9e5d-92db6bfa8974"
    v2 = {
        "trackingCategories": {
            "employeeGroupsTrackingCategoryID": "9d8ad8f6-0d0f-41e0-8851-ef47e8b54ae6",
            "timesheetTrackingCategoryID": "1d7d2015-10e7-4ecb-8b44-f331c8b63e2d",
        }
    }
    assert mapping.payroll_timesheet_category(v2) == "1d7d2015-10e7-4ecb-8b44-f331c8b63e2d"
    for none in ({"Settings": {"TrackingCategories": {}}}, {"trackingCategories": {}}, [], None):
        assert mapping.payroll_timesheet_category(none) == ""


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Holiday", "Holiday"),
        ("  Annual \t  Leave ", "Annual Leave"),
        ("", "Leave"),
        ("   ", "Leave"),
        ("x" * 50, "x" * 50),
        ("x" * 51, "x" * 49 + "\u2026"),
        ("Long service leave " + "y" * 40, ("Long service leave " + "y" * 40)[:49] + "\u2026"),
        ("a" * 48 + " bcd", "a" * 48 + "\u2026"),  # no space left before the ellipsis
    ],
)
def test_leave_title_is_never_blank_nor_over_50(name, title):
    from core.services.xero.client import LEAVE_TITLE_MAX, XeroClient

    assert XeroClient.leave_title(name) == title
    assert 0 < len(XeroClient.leave_title(name)) <= LEAVE_TITLE_MAX
