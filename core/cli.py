"""Headless commands (no Qt): connect, status, fetch, disconnect — for scripts and scheduled runs.

Each command gets an :class:`~core.context.AppContext` and returns an exit code. Messages are
the same translated sentences the wizard shows; nothing printed contains a secret.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any

from .auth.xero_oauth import missing_scopes
from .connections import active_connections, bind, connect_qbtime, pending_qbtime
from .errors import BridgeError
from .i18n import tr
from .models import Connection, Setting

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class Output:
    """Where commands speak: plain sentences, or one JSON object with ``--json``."""

    def __init__(self, as_json: bool = False, stream: IO[str] | None = None) -> None:
        self.as_json = as_json
        self.stream = stream or sys.stdout

    def say(self, text: str) -> None:
        if not self.as_json:
            print(text, file=self.stream, flush=True)

    def result(self, payload: dict[str, Any]) -> None:
        if self.as_json:
            print(json.dumps(payload, ensure_ascii=False, sort_keys=True), file=self.stream, flush=True)

    def error(self, exc: BridgeError) -> int:
        message = exc.user_message()
        if self.as_json:
            self.result({"error": type(exc).__name__, "message": message})
        else:
            print(message, file=sys.stderr, flush=True)
        return EXIT_ERROR


def pick_connection(org: str | None) -> Connection | None:
    """The connection named by ``org`` (tenant id or organisation name), or the only one."""
    conns = active_connections()
    if org:
        wanted = org.strip().casefold()
        for conn in conns:
            if wanted in (conn.xero_tenant_id.casefold(), conn.xero_tenant_name.casefold()):
                return conn
        return None
    return conns[0] if len(conns) == 1 else None


def _no_connection(out: Output, org: str | None) -> int:
    conns = active_connections()
    if org or not conns:
        text = (tr("No connected organisation is named \"{org}\".", org=org) if org
                else tr("Nothing is connected yet. Run connect-qbtime, then connect-xero."))
    else:
        names = ", ".join(c.xero_tenant_name for c in conns)
        text = tr("Several organisations are connected ({names}): choose one with --org.", names=names)
    if out.as_json:
        out.result({"error": "NoConnection", "message": text})
    else:
        print(text, file=sys.stderr)
    return EXIT_USAGE


# ---------------------------------------------------------------------------- commands
def cmd_connect_qbtime(ctx: Any, out: Output, token: str) -> int:
    company = connect_qbtime(ctx, token)
    out.say(tr("Connected to QuickBooks Time: {company}.", company=company.company_name))
    out.result({"qbtime_company": company.company_name, "qbtime_company_id": company.company_id})
    return EXIT_OK


def cmd_connect_xero(ctx: Any, out: Output, org: str | None, country_version: str | None,
                     on_url: Callable[[str], None] | None = None) -> int:
    """Sign in to Xero in the browser, then bind the chosen organisation to the pending
    QuickBooks Time company."""
    company = pending_qbtime()
    sign_in = ctx.xero_sign_in()
    tokens = sign_in.run(country_version, on_url=on_url)
    ctx.xero_tokens().save(tokens)
    connections = ctx.xero_connections()
    orgs = [{"tenant_id": c["tenantId"], "tenant_name": c.get("tenantName", "")}
            for c in connections if c.get("tenantType", "ORGANISATION") == "ORGANISATION"]
    out.say(tr("Signed in to Xero. Organisations you allowed: {names}.",
               names=", ".join(o["tenant_name"] for o in orgs) or "—"))
    chosen = None
    if org:
        wanted = org.strip().casefold()
        chosen = next((o for o in orgs if wanted in (o["tenant_id"].casefold(),
                                                       o["tenant_name"].casefold())), None)
        if chosen is None:
            out.say(tr("No organisation you allowed is named \"{org}\".", org=org))
            out.result({"organisations": orgs, "bound": None})
            return EXIT_USAGE
    elif len(orgs) == 1:
        chosen = orgs[0]
    if chosen is None or company is None:
        if company is None:
            out.say(tr("Connect QuickBooks Time (connect-qbtime) to choose which organisation goes with it."))
        else:
            out.say(tr("Choose the organisation to connect with --org."))
        out.result({"organisations": orgs, "bound": None})
        return EXIT_OK
    client = ctx.xero_client(chosen["tenant_id"])
    with client.session:
        organisation = client.organisation()
    missing = missing_scopes(tokens.scopes, organisation.version)
    if missing:
        # Payroll scopes are asked only where Xero has payroll; consent is additive, so one
        # more consent adds them without losing anything.
        out.say(tr("\"{org}\" has Xero Payroll: Xero will ask once more for access to its "
                   "employees and leave.", org=organisation.name))
        ctx.xero_tokens().save(sign_in.run(organisation.version, on_url=on_url))
    conn = bind(ctx, {"tenant_id": chosen["tenant_id"], "tenant_name": organisation.name,
                      "country_code": organisation.country_code, "version": organisation.version},
                company)
    out.say(tr("Connected \"{org}\" to QuickBooks Time \"{company}\".",
               org=conn.xero_tenant_name, company=conn.qbtime_company_name))
    out.result({"organisations": orgs, "bound": {"tenant_id": conn.xero_tenant_id,
                                                  "organisation": conn.xero_tenant_name,
                                                  "qbtime_company": conn.qbtime_company_name}})
    return EXIT_OK


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def cmd_status(ctx: Any, out: Output) -> int:
    manager = ctx.xero_tokens()
    sign_in = manager.status()
    token_set = manager.token_set() if sign_in == "connected" else None
    rows = []
    for conn in active_connections():
        remaining = Setting.get_value(f"xero_day_remaining:{conn.xero_tenant_id}")
        qbt_key_present = bool(conn.qbtime_token_key and ctx.tokens.get(conn.qbtime_token_key))
        rows.append({
            "organisation": conn.xero_tenant_name, "tenant_id": conn.xero_tenant_id,
            "country": conn.xero_country_code, "edition": conn.xero_version,
            "qbtime_company": conn.qbtime_company_name,
            "qbtime_access_key": "present" if qbt_key_present else "missing",
            "xero_calls_left_today": remaining,
        })
    pending = pending_qbtime()
    payload = {"xero_sign_in": sign_in,
               "xero_access_expires": _iso(token_set.expires_at) if token_set else None,
               "connections": rows,
               "pending_qbtime_company": pending.company_name if pending else None}
    sign_in_text = {"connected": tr("signed in"), "needs_reauth": tr("needs you to sign in again"),
                    "absent": tr("not signed in")}[sign_in]
    out.say(tr("Xero: {state}.", state=sign_in_text)
            + (" " + tr("Access renews automatically (current one valid until {when}).",
                         when=payload["xero_access_expires"]) if token_set else ""))
    if not rows:
        out.say(tr("No organisation is connected yet."))
    for row in rows:
        left = row["xero_calls_left_today"]
        out.say(tr("{org} ({country}) ↔ QuickBooks Time \"{company}\" — access key {key}; "
                   "Xero requests left today: {left}.",
                   org=row["organisation"], country=row["country"], company=row["qbtime_company"],
                   key=tr("present") if row["qbtime_access_key"] == "present" else tr("missing"),
                   left=left if left is not None else tr("unknown")))
    out.result(payload)
    return EXIT_OK


def cmd_fetch(ctx: Any, out: Output, org: str | None, full: bool) -> int:
    from .fetch import fetch

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    report = fetch(ctx, conn, full=full)
    remember_day_remaining(ctx, conn)
    summary = report.summary()
    out.say(tr("Read {org} and QuickBooks Time \"{company}\".", org=conn.xero_tenant_name,
               company=conn.qbtime_company_name))
    for side, kinds in summary.items():
        for kind, counts in kinds.items():
            if any(counts.values()):
                out.say(f"  {side} {kind}: +{counts['added']} ~{counts['changed']} -{counts['removed']}")
    out.result({"changes": summary, "api_calls": api_calls(ctx)})
    return EXIT_OK


def cmd_disconnect(ctx: Any, out: Output, org: str | None) -> int:
    from .connections import disconnect

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    problems = disconnect(ctx, conn)
    out.say(tr("Disconnected \"{org}\". Its import history is kept.", org=conn.xero_tenant_name))
    for problem in problems:
        out.say(problem)
    out.result({"disconnected": conn.xero_tenant_id, "problems": problems})
    return EXIT_OK


def remember_day_remaining(ctx: Any, conn: Connection) -> None:
    remaining = ctx.xero_day_remaining(conn.xero_tenant_id)
    if remaining is not None:
        Setting.set_value(f"xero_day_remaining:{conn.xero_tenant_id}", remaining)


def api_calls(ctx: Any) -> dict[str, int]:
    snap = ctx.counter.snapshot()
    services = snap.get("services", {})

    def total(name: str) -> int:
        block = services.get(name, {})
        return int(sum(block.get("by_method", {}).values())) if block else 0

    return {"xero": total("Xero"), "qbtime": total("QuickBooks Time")}
