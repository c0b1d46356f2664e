"""The organisation's "today" is read in its own time zone (Xero's ``Organisation.Timezone``),
not in its region's main one (an auditor's finding).

Before, every AU organisation's day was Sydney's: a Perth business (``WAUSTRALIASTANDARDTIME``)
at 22:30 on the last day of a pay period was told that period had ended (01:30 the next day in
Sydney) and got it as the default. Now the zone Xero gives is kept when the organisation is
read (connecting, each fetch, a billing preview) and the day is read there; an organisation
whose zone is not known yet is read once; a value missing from the table falls back to the
region's main zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.app.payroll import org_today, pay_periods, preview_hours
from core.services.fetch import fetch
from core.services.xero import timezones
from core.services.xero.client import XeroClient
from core.services.xero.timezones import XERO_ZONES, stored_timezone, zone_name
from core.store.models import Setting
from tests.contract.xero_spec import load_spec, require_specs

PERTH = "WAUSTRALIASTANDARDTIME"


def _at(monkeypatch, instant: datetime) -> None:
    """The clock the organisation's day is read on."""
    monkeypatch.setattr(timezones, "_now", lambda: instant)


def _zone_in_simulator(ctx, conn, value: str) -> None:
    org = ctx.sandbox.store.xero_org(conn.xero_tenant_id)
    org["Organisation"]["Timezone"] = value


def _count_organisation_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = XeroClient.organisation

    def counted(self):
        reads.append(self.tenant_id)
        return real(self)

    monkeypatch.setattr(XeroClient, "organisation", counted)
    return reads


# ---------------------------------------------------------------------------- the table
def test_every_time_zone_of_the_spec_has_its_iana_zone():
    require_specs("accounting")
    enum = load_spec("accounting")["components"]["schemas"]["TimeZone"]["enum"]
    assert set(XERO_ZONES) == set(enum)
    for name in enum:
        ZoneInfo(XERO_ZONES[name])  # a zone this computer knows
    # the ones Australian, New Zealand and UK organisations have
    assert XERO_ZONES["WAUSTRALIASTANDARDTIME"] == "Australia/Perth"
    assert XERO_ZONES["CENAUSTRALIASTANDARDTIME"] == "Australia/Adelaide"
    assert XERO_ZONES["EAUSTRALIASTANDARDTIME"] == "Australia/Brisbane"
    assert XERO_ZONES["AUSCENTRALSTANDARDTIME"] == "Australia/Darwin"
    assert XERO_ZONES["TASMANIASTANDARDTIME"] == "Australia/Hobart"
    assert XERO_ZONES["NEWZEALANDSTANDARDTIME"] == "Pacific/Auckland"
    assert XERO_ZONES["GMTSTANDARDTIME"] == "Europe/London"
    # the Etc zones' signs are POSIX's: UTC+12 is Etc/GMT-12
    noon = datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert noon.astimezone(ZoneInfo(XERO_ZONES["UTC+12"])).utcoffset() == timedelta(hours=12)
    assert noon.astimezone(ZoneInfo(XERO_ZONES["UTC02"])).utcoffset() == timedelta(hours=-2)


def test_an_unknown_time_zone_falls_back_to_the_region_s_main_one():
    assert zone_name("MARSSTANDARDTIME", "AU") == "Australia/Sydney"
    assert zone_name("MARSSTANDARDTIME", "AUONRAMP") == "Australia/Sydney"
    assert zone_name("MARSSTANDARDTIME", "NZ") == "Pacific/Auckland"
    assert zone_name("MARSSTANDARDTIME", "UK") == "Europe/London"
    assert zone_name("MARSSTANDARDTIME", "GLOBAL") is None  # (the computer's clock)
    assert zone_name(None, "AU") == "Australia/Sydney"  # never read
    assert zone_name("", "NZ") == "Pacific/Auckland"  # Xero gave none
    # Windows' display form of a name in the table is the same zone
    assert zone_name("W. Australia Standard Time", "AU") == "Australia/Perth"
    assert zone_name("UTC-02", "GLOBAL") == "Etc/GMT+2"


def test_an_unknown_time_zone_reads_the_day_in_the_region_s_zone(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    _zone_in_simulator(ctx, conn, "MARSSTANDARDTIME")
    fetch(ctx, conn)
    assert stored_timezone(conn.xero_tenant_id) == "MARSSTANDARDTIME"
    _at(monkeypatch, datetime(2026, 12, 6, 14, 30, tzinfo=UTC))  # 01:30 on the 7th in Sydney
    assert org_today(conn) == date(2026, 12, 7)


# ---------------------------------------------------------------------------- the day
def test_a_perth_organisation_s_period_has_not_ended_at_night_in_perth(demo_ctx, monkeypatch):
    """The auditor's case: 22:30 in Perth on a period's last day (01:30 the next day in
    Sydney): that period has not ended, the default is the one before."""
    ctx, conn = demo_ctx("AU")
    _zone_in_simulator(ctx, conn, PERTH)
    fetch(ctx, conn)  # each fetch reads the organisation: its zone is kept
    assert stored_timezone(conn.xero_tenant_id) == PERTH

    _at(monkeypatch, datetime(2026, 12, 1, 3, tzinfo=UTC))
    last_day = pay_periods(ctx, conn)[0].end  # the newest period's last day
    night = datetime.combine(last_day, time(22, 30), ZoneInfo("Australia/Perth"))
    assert night.astimezone(ZoneInfo("Australia/Sydney")).date() == last_day + timedelta(days=1)
    _at(monkeypatch, night.astimezone(UTC))

    assert org_today(conn) == last_day
    periods = pay_periods(ctx, conn)
    default = next(p for p in periods if p.end < org_today(conn))
    assert any(p.end == last_day for p in periods)  # listed, but not ended: not the default
    assert default.end < last_day
    # the headless export's default period is one that has ended in Perth too
    assert preview_hours(ctx, conn).period.end < last_day

    # an hour later it is the next day in Perth too: that period has ended
    _at(monkeypatch, night.astimezone(UTC) + timedelta(hours=2))
    assert org_today(conn) == last_day + timedelta(days=1)


def test_the_zone_is_kept_when_connecting_and_read_once_for_an_older_connection(
    demo_ctx, monkeypatch
):
    ctx, conn = demo_ctx("AU")
    # connecting read the organisation (the Demo Company's: Sydney): the day needs no call
    assert stored_timezone(conn.xero_tenant_id) == "AUSEASTERNSTANDARDTIME"
    reads = _count_organisation_reads(monkeypatch)
    pay_periods(ctx, conn)
    assert reads == []

    # a connection made before the zone was kept: the periods read it, once
    Setting.delete().where(Setting.key == f"xero_timezone:{conn.xero_tenant_id}").execute()
    _zone_in_simulator(ctx, conn, PERTH)
    _at(monkeypatch, datetime(2026, 12, 6, 14, 30, tzinfo=UTC))
    pay_periods(ctx, conn)
    assert reads == [conn.xero_tenant_id]
    assert stored_timezone(conn.xero_tenant_id) == PERTH
    assert org_today(conn) == date(2026, 12, 6)
    pay_periods(ctx, conn)
    assert reads == [conn.xero_tenant_id]


def test_a_uk_organisation_reads_london_s_day(demo_ctx, monkeypatch):
    _ctx, conn = demo_ctx("UK")
    assert stored_timezone(conn.xero_tenant_id) == "GMTSTANDARDTIME"
    _at(monkeypatch, datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    assert org_today(conn) == date(2026, 12, 6)  # London; Sydney is on the 7th


def test_an_organisation_without_payroll_reads_its_own_day(demo_ctx, monkeypatch):
    """Québec (GLOBAL: no region zone, the computer's clock before): Montréal's day."""
    _ctx, conn = demo_ctx("CA")
    assert stored_timezone(conn.xero_tenant_id) == "EASTERNSTANDARDTIME"
    _at(monkeypatch, datetime(2026, 12, 7, 3, tzinfo=UTC))  # 22:00 on the 6th in Montréal
    assert timezones.organisation_today(conn) == date(2026, 12, 6)
    _at(monkeypatch, datetime(2026, 12, 7, 5, 30, tzinfo=UTC))  # 00:30 on the 7th
    assert timezones.organisation_today(conn) == date(2026, 12, 7)


@pytest.mark.parametrize("zone", ["AUSEASTERNSTANDARDTIME", PERTH])
def test_a_billing_preview_keeps_the_zone_it_reads(demo_ctx, zone):
    from core.app.invoicing import billing_today, preview_invoices

    ctx, conn = demo_ctx("AU")
    Setting.delete().where(Setting.key == f"xero_timezone:{conn.xero_tenant_id}").execute()
    _zone_in_simulator(ctx, conn, zone)
    day = billing_today(conn)
    preview_invoices(ctx, conn, day - timedelta(days=7), day - timedelta(days=1))
    assert stored_timezone(conn.xero_tenant_id) == zone
