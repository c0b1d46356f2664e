"""Every AU payroll list comes 100 a page, PayrollCalendars and each list of PayItems too
(xero-payroll-au.yaml: "page=1 – Up to 100 objects will be returned in a single API call"):
the client read one page of each, so an organisation with more pay calendars, earnings rates
or leave types than that lost the rest (an employee's calendar or ordinary rate then looked
missing)."""

from __future__ import annotations

import copy
import uuid

from core.app.sync import sync


def test_calendars_and_pay_items_past_the_first_page(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    payroll = ctx.sandbox.store.xero_orgs[0]["payroll"]
    calendar = payroll["PayrollCalendars"][0]
    for n in range(130):
        extra = copy.deepcopy(calendar)
        extra.update(PayrollCalendarID=str(uuid.uuid4()), Name=f"Extra calendar {n:03}")
        payroll["PayrollCalendars"].append(extra)
    items = payroll["PayItems"] if "PayItems" in payroll else payroll
    rates = items["EarningsRates"]
    rate = rates[0]
    for n in range(230):
        extra = copy.deepcopy(rate)
        extra.update(EarningsRateID=str(uuid.uuid4()), Name=f"Extra rate {n:03}")
        rates.append(extra)
    client = ctx.xero_client(conn.xero_tenant_id)
    with client.session:
        calendars = client.payroll_calendars("AU")
        earnings = client.earnings_rates("AU")
    assert len(calendars) == len(payroll["PayrollCalendars"])
    assert len(earnings) == len(rates)
    assert {c["name"] for c in calendars} >= {"Extra calendar 129"}
    assert {r["name"] for r in earnings} >= {"Extra rate 229"}
