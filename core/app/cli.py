"""Headless commands (no Qt): connect, status, fetch, disconnect — for scripts and scheduled runs.

Each command gets an :class:`~core.app.context.AppContext` and returns an exit code. Messages are
the same translated sentences the wizard shows; nothing printed contains a secret.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any

from core.app.connections import (
    QBTimeCompany,
    active_connection_for_tenant,
    active_connections,
    bind,
    connect_qbtime,
    copied_from,
    copy_not_marked_yet,
    pending_qbtime,
)
from core.engine.names import BIDI_CONTROLS
from core.errors import BridgeError
from core.i18n import N_, tr
from core.services.auth.xero_oauth import missing_scopes
from core.store.models import Connection

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def terminal_safe(text: str) -> str:
    """``text`` as a terminal shows it without obeying it: control characters (ESC and the
    escape sequences it starts — CSI, OSC 8 hyperlinks —, BEL, ``\\r``, ``\\n``, C1 controls),
    bidirectional overrides and isolates, line separators and lone surrogates are written
    escaped (``\\x1b``, ``\\u202e``). Everything a command prints in plain text goes through
    here, since names from Xero and QuickBooks Time are in it."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escaped(ch) if _unsafe_in_terminal(ch) else ch for ch in text)


def _unsafe_in_terminal(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS


_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(ch: str) -> str:
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class Output:
    """Where commands speak: plain sentences, or one JSON object with ``--json``."""

    def __init__(self, as_json: bool = False, stream: IO[str] | None = None) -> None:
        self.as_json = as_json
        self.stream = stream or sys.stdout
        #: fields every JSON answer carries (a warning said on standard error without --json)
        self.notes: dict[str, Any] = {}
        #: the streams whose reader went away (``history | head``): not written to again
        self._gone: set[int] = set()

    def _print(self, text: str, stream: IO[str]) -> None:
        """Print, unless whoever read ``stream`` has gone (``| head``, ``grep -m1``): the
        command's work goes on, unprinted, instead of ending in "Something unexpected"
        (half done, for a command that writes)."""
        if id(stream) in self._gone:
            return
        try:
            print(text, file=stream, flush=True)
        except BrokenPipeError:
            self._gone.add(id(stream))
            log.info("The output's reader went away: the rest is not printed")
            try:  # the interpreter's last flush at exit must not fail on it again
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError, AttributeError):
                pass

    def say(self, text: str) -> None:
        if not self.as_json:
            self._print(terminal_safe(text), self.stream)

    def warn(self, text: str) -> None:
        """A plain sentence on standard error (nothing with ``--json``)."""
        if not self.as_json:
            self._print(terminal_safe(text), sys.stderr)

    def usage(self, text: str) -> None:
        """A usage mistake (a value the command cannot take): the sentence on standard error,
        or with ``--json`` the one JSON object every command prints."""
        if self.as_json:
            self.result({"error": "UsageError", "message": text})
        else:
            self.warn(text)

    def result(self, payload: dict[str, Any]) -> None:
        if self.as_json:
            text = json.dumps({**self.notes, **payload}, ensure_ascii=False, sort_keys=True)
            if not text.isascii():  # bidi controls, C1 controls: JSON escapes, never raw
                text = "".join(
                    f"\\u{ord(ch):04x}" if _unsafe_in_terminal(ch) else ch for ch in text
                )
            self._print(text, self.stream)

    def error(self, exc: BridgeError) -> int:
        message = exc.command_line_text()  # (a command line has no "Connect to Xero" button)
        if self.as_json:
            self.result({"error": type(exc).__name__, "message": message})
        else:
            self._print(terminal_safe(message), sys.stderr)
        return EXIT_ERROR


def matching_connections(org: str | None) -> list[Connection]:
    """The active pairs ``--org`` names: by tenant id, organisation name or QuickBooks Time
    company name (case and surrounding spaces ignored); all of them without ``--org``."""
    conns = active_connections()
    if not org:
        return conns
    wanted = org.strip().casefold()
    by_id = [c for c in conns if c.xero_tenant_id.casefold() == wanted]
    if by_id:
        return by_id
    return [
        c
        for c in conns
        if wanted
        in (c.xero_tenant_name.strip().casefold(), c.qbtime_company_name.strip().casefold())
    ]


def pick_connection(org: str | None) -> Connection | None:
    """The one pair ``org`` names, or the only one; None when none or several match."""
    conns = matching_connections(org)
    return conns[0] if len(conns) == 1 else None


def pair_line(conn: Connection) -> str:
    """One connected business, as the commands list it: both names and what --org takes."""
    return tr(
        '{org} ↔ QuickBooks Time "{company}" (--org {tenant})',
        org=conn.xero_tenant_name,
        company=conn.qbtime_company_name or "—",
        tenant=conn.xero_tenant_id,
    )


def _no_connection(out: Output, org: str | None) -> int:
    """Say why no single business was chosen (none, unknown, several) and which exist."""
    conns = active_connections()
    matches = matching_connections(org) if org else conns
    error = "NoConnection"
    if not conns:
        text = tr("Nothing is connected yet. Run connect-qbtime, then connect-xero.")
    elif org and not matches:
        text = tr('No connected business is named "{org}". Give --org one of these:', org=org)
    elif org:
        error = "AmbiguousConnection"
        text = tr(
            'Several connected businesses are named "{org}": give --org the tenant id of '
            "one of these:",
            org=org,
        )
    else:
        error = "AmbiguousConnection"
        text = tr(
            "Several businesses are connected: choose one with --org (organisation name, "
            "QuickBooks Time company or tenant id):"
        )
    listed = matches if matches and org else conns
    if out.as_json:
        out.result(
            {
                "error": error,
                "message": text,
                "connections": [
                    {
                        "organisation": c.xero_tenant_name,
                        "tenant_id": c.xero_tenant_id,
                        "qbtime_company": c.qbtime_company_name,
                    }
                    for c in listed
                ],
            }
        )
    else:
        out.warn(text)
        for conn in listed:
            out.warn("  " + pair_line(conn))
    return EXIT_USAGE


# ---------------------------------------------------------------------------- commands
def cmd_connect_qbtime(ctx: Any, out: Output, token: str) -> int:
    company = connect_qbtime(ctx, token)
    out.say(tr("Connected to QuickBooks Time: {company}.", company=company.company_name))
    if company.renewed_for:
        out.say(tr('The business "{org}" now uses this key.', org=company.renewed_for))
    out.result(
        {
            "qbtime_company": company.company_name,
            "qbtime_company_id": company.company_id,
            "renewed_for": company.renewed_for or None,
        }
    )
    return EXIT_OK


def cmd_connect_xero(
    ctx: Any,
    out: Output,
    org: str | None,
    country_version: str | None,
    on_url: Callable[[str], None] | None = None,
) -> int:
    """Sign in to Xero in the browser, then bind the chosen organisation to the pending
    QuickBooks Time company."""
    company = pending_qbtime()
    sign_in = ctx.xero_sign_in()
    tokens = sign_in.run(country_version, on_url=on_url)
    ctx.xero_tokens().save(tokens)
    connections = ctx.xero_connections()
    orgs = [
        {"tenant_id": c["tenantId"], "tenant_name": c.get("tenantName", "")}
        for c in connections
        if c.get("tenantType", "ORGANISATION") == "ORGANISATION"
    ]
    out.say(
        tr(
            "Signed in to Xero. Organisations you allowed: {names}.",
            names=", ".join(o["tenant_name"] for o in orgs) or "—",
        )
    )
    chosen = None
    if org:
        wanted = org.strip().casefold()
        chosen = next(
            (o for o in orgs if wanted in (o["tenant_id"].casefold(), o["tenant_name"].casefold())),
            None,
        )
        if chosen is None:
            out.say(tr('No organisation you allowed is named "{org}".', org=org))
            out.result({"organisations": orgs, "bound": None})
            return EXIT_USAGE
    elif len(orgs) == 1:
        chosen = orgs[0]
    if chosen is not None and company is None:
        existing = active_connection_for_tenant(chosen["tenant_id"])
        if existing is not None:  # signing in again for a business already connected
            company = QBTimeCompany(
                existing.qbtime_company_id,
                existing.qbtime_company_name,
                int(existing.qbtime_user_id or 0),
                existing.qbtime_token_key or "",
            )
    if chosen is None or company is None:
        if company is None:
            out.say(
                tr(
                    "Connect QuickBooks Time (connect-qbtime) to choose which organisation goes with it."
                )
            )
        else:
            out.say(tr("Choose the organisation to connect with --org."))
        out.result({"organisations": orgs, "bound": None})
        return EXIT_OK
    # (with the sign-in just made: a business signing in again has its refused one still)
    client = ctx.xero_client(
        chosen["tenant_id"], grant_key=ctx.xero_key_for_connecting(chosen["tenant_id"])
    )
    with client.session:
        organisation = client.organisation()
    missing = missing_scopes(tokens.scopes, organisation.version)
    if missing:
        # Payroll scopes are asked only where Xero has payroll; consent is additive, so one
        # more consent adds them without losing anything.
        out.say(
            tr(
                '"{org}" has Xero Payroll: Xero will ask once more for access to its '
                "employees and leave.",
                org=organisation.name,
            )
        )
        ctx.xero_tokens().save(sign_in.run(organisation.version, on_url=on_url))
    conn = bind(
        ctx,
        {
            "tenant_id": chosen["tenant_id"],
            "tenant_name": organisation.name,
            "country_code": organisation.country_code,
            "version": organisation.version,
            "timezone": organisation.timezone,
        },
        company,
    )
    out.say(
        tr(
            'Connected "{org}" to QuickBooks Time "{company}".',
            org=conn.xero_tenant_name,
            company=conn.qbtime_company_name,
        )
    )
    out.result(
        {
            "organisations": orgs,
            "bound": {
                "tenant_id": conn.xero_tenant_id,
                "organisation": conn.xero_tenant_name,
                "qbtime_company": conn.qbtime_company_name,
            },
        }
    )
    return EXIT_OK


def _access_text(expires_at: float) -> str:
    """What the status says of the Xero access now: valid until when, or expired (a token
    that expired is renewed at the next use: the sign-in is not lost)."""
    if expires_at > time.time():
        return tr(
            "Access renews automatically (current one valid until {when}).", when=_iso(expires_at)
        )
    return tr(
        "Access renews automatically at the next use (the current one expired at {when}).",
        when=_iso(expires_at),
    )


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def cmd_status(ctx: Any, out: Output) -> int:
    """Each connected business (pair) with its own Xero sign-in and access key."""
    sign_in_text = {
        "connected": tr("signed in"),
        "needs_reauth": tr("needs you to sign in again"),
        "absent": tr("not signed in"),
    }
    rows: list[dict[str, Any]] = []
    states = []
    expiries = []
    connections = active_connections()
    # a copy of another copy's data, not given its own keyring names yet (status only reads):
    # the entries its pairs name are the other copy's, not this one's
    unmarked = copy_not_marked_yet() if connections else None
    for conn in connections:
        manager = ctx.xero_tokens_for(conn)
        state = manager.status() if unmarked is None else "absent"
        token_set = manager.token_set() if state == "connected" else None
        states.append(state)
        if token_set:
            expiries.append(token_set.expires_at)
        remaining = calls_left_today(conn)
        qbt_key_present = unmarked is None and bool(
            conn.qbtime_token_key and ctx.tokens.get(conn.qbtime_token_key)
        )
        rows.append(
            {
                "organisation": conn.xero_tenant_name,
                "tenant_id": conn.xero_tenant_id,
                "country": conn.xero_country_code,
                "edition": conn.xero_version,
                "qbtime_company": conn.qbtime_company_name,
                "qbtime_access_key": "present" if qbt_key_present else "missing",
                "xero_sign_in": state,
                "xero_access_expires": _iso(token_set.expires_at) if token_set else None,
                "xero_calls_left_today": remaining,
                "expires_at": token_set.expires_at if token_set else None,
            }
        )
    if not states:  # nothing connected: the sign-in of a business being connected, if any
        manager = ctx.xero_tokens()
        states.append(manager.status())
        token_set = manager.token_set() if states[0] == "connected" else None
        if token_set:
            expiries.append(token_set.expires_at)
    # One word for all: connected only when every business is.
    sign_in = next((st for st in ("needs_reauth", "absent") if st in states), "connected")
    pending = pending_qbtime()
    copy_of = unmarked if unmarked is not None else copied_from()
    signed_out = any(
        r["qbtime_access_key"] == "missing" or r["xero_sign_in"] != "connected" for r in rows
    )
    copy_text = None
    if copy_of is not None and signed_out:
        copy_text = (
            (
                tr(
                    "This copy of the app's data was made from the one at {place}: the sign-ins "
                    "of that copy stay with it.",
                    place=copy_of,
                )
                if copy_of
                else tr(
                    "This copy of the app's data was made from another one: the sign-ins of that "
                    "copy stay with it."
                )
            )
            + " "
            + tr(
                "Sign in again here for each business: connect-qbtime, then connect-xero --org "
                "with its organisation."
            )
        )
    payload = {
        "xero_sign_in": sign_in,
        "xero_access_expires": _iso(min(expiries)) if expiries else None,
        "connections": rows,
        "pending_qbtime_company": pending.company_name if pending else None,
        "copy_of_other_data": (
            {"copied_from": copy_of or None, "message": copy_text} if copy_text else None
        ),
    }
    if not rows:
        out.say(
            tr("Xero: {state}.", state=sign_in_text[sign_in])
            + (" " + _access_text(min(expiries)) if expiries else "")
        )
        out.say(tr("No organisation is connected yet."))
    for row in rows:
        expires_at = row.pop("expires_at")  # (the text's: the JSON gives it as a date)
        left = row["xero_calls_left_today"]
        out.say(
            tr(
                '{org} ({country}) ↔ QuickBooks Time "{company}" — access key {key}; '
                "Xero requests left today: {left}.",
                org=row["organisation"],
                country=row["country"],
                company=row["qbtime_company"],
                key=tr("present") if row["qbtime_access_key"] == "present" else tr("missing"),
                left=left if left is not None else tr("unknown"),
            )
        )
        out.say(
            "  "
            + tr("Xero: {state}.", state=sign_in_text[row["xero_sign_in"]])
            + (" " + _access_text(expires_at) if expires_at else "")
        )
    if copy_text:
        out.say(copy_text)
    out.result(payload)
    return EXIT_OK


def cmd_fetch(ctx: Any, out: Output, org: str | None, full: bool) -> int:
    from core.services.fetch import fetch

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    report = fetch(ctx, conn, full=full)
    summary = report.summary()
    out.say(
        tr(
            'Read {org} and QuickBooks Time "{company}".',
            org=conn.xero_tenant_name,
            company=conn.qbtime_company_name,
        )
    )
    for side, kinds in summary.items():
        for kind, counts in kinds.items():
            if any(counts.values()):
                out.say(
                    f"  {side} {kind}: +{counts['added']} ~{counts['changed']} -{counts['removed']}"
                )
    out.result({"changes": summary, "api_calls": api_calls(ctx)})
    return EXIT_OK


def cmd_disconnect(ctx: Any, out: Output, org: str | None) -> int:
    from core.app.connections import disconnect, forget_pending, has_pending

    conn = pick_connection(org)
    if conn is None and not active_connections() and not org and has_pending(ctx):
        # a connection begun and not finished: its sign-in and key are forgotten
        problems = forget_pending(ctx)
        out.say(tr("Forgot the Xero sign-in and the access key of the connection not finished."))
        for problem in problems:
            out.say(problem)
        out.result({"disconnected": None, "pending_forgotten": True, "problems": problems})
        return EXIT_OK
    if conn is None:
        return _no_connection(out, org)
    problems = disconnect(ctx, conn)
    out.say(tr('Disconnected "{org}". Its import history is kept.', org=conn.xero_tenant_name))
    for problem in problems:
        out.say(problem)
    out.result({"disconnected": conn.xero_tenant_id, "problems": problems})
    return EXIT_OK


def remember_every_day_remaining(ctx: Any) -> None:
    """After any command: the Xero requests left today of every organisation it called, as
    Xero said them, with when (``status`` shows them: sending hours, billing, undo and
    signing in spend them too, not only imports). A command that made no Xero call keeps
    nothing (core.app.day_limit)."""
    from core.app.day_limit import remember_said_remaining

    remember_said_remaining(ctx)


def calls_left_today(conn: Connection) -> int | None:
    """The Xero requests left in the day's limit, as Xero said at the last call this app made
    for ``conn`` (a command, the window); None when not known (no call in the last 24 hours:
    a count from yesterday is not today's); 0 while Xero's daily stop holds."""
    from core.app.day_limit import calls_left

    return calls_left(conn.xero_tenant_id)


def api_calls(ctx: Any) -> dict[str, int]:
    snap = ctx.counter.snapshot()
    services = snap.get("services", {})

    def total(name: str) -> int:
        block = services.get(name, {})
        return int(sum(block.get("by_method", {}).values())) if block else 0

    return {"xero": total("Xero"), "qbtime": total("QuickBooks Time")}


# ---------------------------------------------------------------------------- engine commands
WORDS = {
    "created": N_("created"),
    "updated": N_("updated"),
    "archived": N_("archived"),
    "linked": N_("linked"),
    "skipped": N_("skipped"),
    "failed": N_("failed"),
    "unlinked": N_("unlinked"),
    "customers": N_("customers"),
    "locations": N_("locations"),
    "employees": N_("team members"),
    "items": N_("items"),
    "custom_field_items": N_("custom field choices"),
    "custom_fields": N_("custom fields"),
    "assignments": N_("assignments"),
    "leave": N_("leave types"),
    "import": N_("import"),
    "undo": N_("undo"),
    "payroll_export": N_("hours sent to Xero Payroll"),
    "invoicing": N_("time billed in Xero"),
    "invoices": N_("invoices"),
    "deleted": N_("deleted"),
    "restored": N_("restored"),
    "withdrawn": N_("withdrawn"),
    "planned": N_("planned"),
    "running": N_("running"),
    "cancelled": N_("cancelled"),
    "done": N_("done"),
    "undone": N_("undone"),
}


def word(key: str) -> str:
    return tr(WORDS[key]) if key in WORDS else key


#: the skipped kinds as the sync's counts name them
_SKIPPED_KINDS = {
    "customer": "customers",
    "item": "items",
    "tracking_option": "custom_field_items",
    "employee": "employees",
}


def _left_out_reasons(skipped: Any) -> list[dict[str, Any]]:
    """The records a plan left out (bad records aside: listed by name), by kind and reason,
    most first: each reason once with its count, so that one needing the user's action (no
    room for a custom field, a name kept by another item) is said, not only counted."""
    counts: dict[tuple[str, str], int] = {}
    for sk in skipped:
        if sk.bad_record:
            continue
        key = (word(_SKIPPED_KINDS.get(sk.kind, sk.kind)), sk.describe())
        counts[key] = counts.get(key, 0) + 1
    return [
        {"what": what, "reason": reason, "count": n}
        for (what, reason), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def cmd_sync(ctx: Any, out: Output, org: str | None, dry_run: bool, full: bool = False) -> int:
    from core.app.sync import sync
    from core.engine.plan.customers import archive_note

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)

    result = sync(ctx, conn, dry_run=dry_run, full=full)
    payload = result.as_json()
    payload["left_out"] = _left_out_reasons(result.plan.skipped)
    if not out.as_json:
        plan = result.plan
        title = (
            tr('Dry run for "{org}": nothing was written.', org=conn.xero_tenant_name)
            if dry_run
            else tr(
                'Imported "{org}" into QuickBooks Time "{company}".',
                org=conn.xero_tenant_name,
                company=conn.qbtime_company_name,
            )
        )
        out.say(title)
        if dry_run:
            for action in plan.actions:
                if action.op == "archive":
                    # what the archive takes with it, in the wizard preview's words
                    change = ", ".join(archive_note(action.before))
                else:
                    change = ", ".join(
                        f"{k}: {action.before.get(k, '—')} → {v}"
                        for k, v in action.after.items()
                        if k not in ("id",)
                    )
                why = action.describe()  # (the wizard preview's "why" column)
                kind = word(action.summary_kind)  # (its plain words: never "jobcode")
                out.say(
                    f"  {action.op:8} {kind:16} {action.label}"
                    + (f"  {change}" if change else "")
                    + (f"  ({why})" if why else "")
                )
        for verb in ("created", "updated", "archived", "linked", "skipped", "failed"):
            counts = payload.get(verb) or {}
            if counts:
                out.say(
                    f"  {word(verb)}: " + ", ".join(f"{word(k)} {n}" for k, n in counts.items())
                )
        if payload["left_out"]:
            out.say(tr("Left out, and why:"))
            for row in payload["left_out"]:
                out.say(f"  - {row['what']} ({row['count']}): {row['reason']}")
        bad = [s for s in plan.skipped if s.bad_record]
        if bad:
            out.say(tr("{n} record(s) from Xero could not be imported as sent:", n=len(bad)))
            for skipped in bad:
                kind = word(_SKIPPED_KINDS.get(skipped.kind, skipped.kind))
                out.say(f"  - {kind}: {skipped.name or '—'} — {skipped.describe()}")
        if plan.conflicts:
            out.say(
                tr(
                    "{n} record(s) wait for your decision: they were left out. Review them in "
                    'the app, or with "review --export FILE.csv".',
                    n=len(plan.conflicts),
                )
            )
            for conflict in plan.conflicts:
                out.say(f"  - {conflict.kind}: {conflict.xero_name} — {conflict.describe()}")
        if result.run is None and not dry_run:
            out.say(tr("Everything was already up to date."))
    if dry_run:  # what the run will need: calls, the limits' waits, Xero's day (issue 16)
        from core.app.estimate import describe, estimate_for

        estimate = estimate_for(ctx, conn, None, result.plan, just_read=True)
        out.say(describe(estimate))
        payload["estimate"] = estimate.as_json()
    out.result(payload)
    return EXIT_OK


def cmd_options(ctx: Any, out: Output, org: str | None, assignments: list[str]) -> int:
    from core.app.sync import load_options, save_options

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    options = load_options(conn)
    current = options.to_dict()
    changes: dict[str, Any] = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in current or key == "extra_customers":
            if key == "extra_customers":
                changes[key] = [v for v in raw.split(",") if v.strip()]
                continue
            text = tr(
                'Unknown option "{key}". Known options: {known}.',
                key=key,
                known=", ".join(sorted(current)),
            )
            out.say(text)
            out.result({"error": "UnknownOption", "message": text})
            return EXIT_USAGE
        if isinstance(current[key], bool):
            value = raw.strip().lower()
            if value not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                text = tr('Option "{key}" takes true or false.', key=key)
                out.say(text)
                out.result({"error": "BadValue", "message": text})
                return EXIT_USAGE
            changes[key] = value in ("true", "yes", "1", "on")
        else:
            changes[key] = raw.strip()
    if changes:
        options = options.with_values(**changes)
        if "item_field_name" in changes:
            from core.app.sync import item_field_name_problem

            problem = item_field_name_problem(conn, options.item_field_name, options)
            if problem is not None:
                out.say(problem)
                out.result({"error": "FieldNameTaken", "message": problem})
                return EXIT_USAGE
        save_options(conn, options)
    for key, value in options.to_dict().items():
        out.say(f"  {key} = {value}")
    out.result({"options": options.to_dict()})
    return EXIT_OK


def cmd_review(
    ctx: Any, out: Output, org: str | None, export: str | None, import_file: str | None
) -> int:
    from core.app.review_screen import review_conflicts
    from core.app.sync import current_plan
    from core.engine import review

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    _snap, plan = current_plan(conn)
    # what the review screen lists: waiting, then decided (not what the plan settles itself)
    conflicts = review_conflicts(conn, plan)
    if import_file:
        report = review.import_csv(conn, conflicts, import_file)
        out.say(
            tr(
                "{applied} decision(s) applied, {unchanged} unchanged, {problems} row(s) "
                "could not be applied.",
                applied=report.applied,
                unchanged=report.unchanged,
                problems=len(report.problems),
            )
        )
        for problem in report.problems:
            out.say(f"  {tr('line')} {problem.line}: {problem.reason}")
        out.result(
            {
                "applied": report.applied,
                "unchanged": report.unchanged,
                "problems": [
                    {"line": p.line, "xero_id": p.xero_id, "reason": p.reason}
                    for p in report.problems
                ],
            }
        )
        return EXIT_OK
    rows = review.review_rows(conn, conflicts)
    decided, total = review.progress(rows)
    if export:
        review.export_csv(conn, rows, export)
        out.say(
            tr(
                "{total} conflict(s) written to {path} ({decided} already decided).",
                total=total,
                path=export,
                decided=decided,
            )
        )
    else:
        out.say(tr("{decided} of {total} conflict(s) decided.", decided=decided, total=total))
        for row in rows:
            c = row.conflict
            answer = review.decision_words(row)
            if answer:  # what the next import does with it, and to which record
                out.say(f"  [{row.state}] {c.kind}: {c.xero_name} → {answer}")
                continue
            best = c.candidates[0].name if c.candidates else "—"
            out.say(f"  [{row.state}] {c.kind}: {c.xero_name} ↔ {best} — {c.describe()}")
    out.result(
        {
            "conflicts": total,
            "decided": decided,
            "exported": export,
            "rows": [
                {
                    "kind": row.conflict.kind,
                    "xero_id": row.conflict.xero_id,
                    "xero_name": row.conflict.xero_name,
                    "state": row.state,
                    "decision": row.decision.action if row.decided and row.decision else None,
                    "target_qbt_id": row.decision.target_qbt_id
                    if row.decided and row.decision
                    else None,
                    "decision_words": review.decision_words(row),
                }
                for row in rows
            ],
        }
    )
    return EXIT_OK


def journal_progress(run: Any) -> dict[str, int]:
    """What a run's journal says reached QuickBooks Time: ``sent`` (answered), ``unconfirmed``
    (sent, the answer never recorded), ``failed``, and ``planned`` writes (local links are not
    writes)."""
    from core.store.models import JournalEntry

    counts = {"sent": 0, "unconfirmed": 0, "failed": 0, "journaled": 0}
    rows: Any = (
        JournalEntry.select(JournalEntry.state, JournalEntry.action)
        .where(JournalEntry.run == run)
        .tuples()
    )
    for state, action in rows:
        if action == "link":
            continue
        counts["journaled"] += 1
        key = {"done": "sent", "failed": "failed"}.get(state, "unconfirmed")
        counts[key] += 1
    planned = (run.counts or {}).get("planned_writes")
    counts["planned"] = int(planned) if planned is not None else counts["journaled"]
    return counts


def _interrupted(run: Any) -> bool:
    """A run a killed process left (the instance lock rules out a live one while a command
    runs), or one the next run already marked so."""
    return run.status == "running" or bool((run.counts or {}).get("interrupted"))


def cmd_history(ctx: Any, out: Output, org: str | None, run_id: int | None = None) -> int:
    from core.app.sync import RunNotFound, history

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    runs: list[Any] = list(history(conn))
    if run_id is not None:
        runs = [run for run in runs if run.id == run_id]
        if not runs:
            raise RunNotFound(run=run_id)
    rows = []
    for run in runs:
        outcomes = (run.counts or {}).get("outcomes", {})
        row: dict[str, Any] = {
            "run_id": run.id,
            "kind": run.kind,
            "status": run.status,
            "started": run.started_at.isoformat(timespec="seconds") if run.started_at else None,
            "outcomes": outcomes,
            "undoes": run.undoes_run_id,
        }
        rows.append(row)
        if _interrupted(run):
            progress = journal_progress(run)
            row["interrupted"] = True
            row["journal"] = progress
            status = tr("interrupted")
            totals = tr(
                "{sent} of {planned} planned change(s) reached QuickBooks Time "
                "({unconfirmed} sent without a recorded answer, {failed} refused); the "
                "next sync finishes it.",
                sent=progress["sent"],
                planned=progress["planned"],
                unconfirmed=progress["unconfirmed"],
                failed=progress["failed"],
            )
        else:
            status = word(run.status)
            totals = ", ".join(
                f"{word(verb)} {sum(kinds.values())}" for verb, kinds in outcomes.items()
            )
        out.say(f"  #{run.id}  {row['started']}  {word(run.kind)}  {status}  {totals}")
    if not runs:
        out.say(tr("Nothing has run yet: no import, sending of hours or billing run."))
    out.result({"runs": rows})
    return EXIT_OK


def cmd_restore_backup(paths: Any, out: Output, backup: str | None, start_afresh: bool) -> int:
    """Put the newest good backup copy (or ``backup``) back as the app's data, keeping the
    current file aside; or, with ``start_afresh``, keep it aside and start with no history."""
    from pathlib import Path

    from core.store.db import LOCK_FILE, InstanceLock, app_database_files, restore_backup
    from core.store.db import start_afresh as begin_afresh

    db_path = app_database_files(paths)[0]
    with InstanceLock(Path(paths.data) / LOCK_FILE):
        if start_afresh:
            aside = begin_afresh(paths)
            out.say(
                tr("The app will start afresh with no history.")
                + (
                    " "
                    + tr("The previous file is kept at {path}.", path=", ".join(map(str, aside)))
                    if aside
                    else ""
                )
            )
            out.result({"started_afresh": True, "kept_aside": [str(p) for p in aside]})
            return EXIT_OK
        used, aside = restore_backup(paths, Path(backup) if backup else None)
    out.say(
        tr("Your data was restored from the backup copy {backup}.", backup=str(used))
        + (
            " " + tr("The previous file is kept at {path}.", path=", ".join(map(str, aside)))
            if aside
            else ""
        )
    )
    out.result(
        {
            "restored_from": str(used),
            "database": str(db_path),
            "kept_aside": [str(p) for p in aside],
        }
    )
    return EXIT_OK


#: what `undo` says of each kind of run it undid: (all undone, partly undone)
_UNDONE_WORDS = {
    "import": (
        N_("Import #{run} was undone (undo #{undo})."),
        N_(
            "Import #{run} was partly undone: {failed} change(s) could not be reverted "
            "(see history)."
        ),
    ),
    "payroll_export": (
        N_("Sending of hours #{run} to Xero Payroll was undone (undo #{undo})."),
        N_(
            "Sending of hours #{run} was partly undone: {failed} change(s) could not be "
            "reverted in Xero (see history)."
        ),
    ),
    "invoicing": (
        N_("Billing run #{run} was undone (undo #{undo})."),
        N_(
            "Billing run #{run} was partly undone: {failed} change(s) could not be reverted "
            "in Xero (see history)."
        ),
    ),
}


def cmd_undo(ctx: Any, out: Output, org: str | None, run_id: int, cascade: bool = False) -> int:
    from core.app.sync import LaterImportsFirst, undo_cascade

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    try:
        undone = undo_cascade(ctx, conn, run_id, cascade=cascade)
    except LaterImportsFirst as exc:  # or the same of a sending of hours, a billing run
        hint = exc.hint()
        if out.as_json:
            out.result(
                {
                    "error": type(exc).__name__,
                    "message": exc.command_line_text(),
                    "later_run_ids": exc.later_ids,
                    "hint": hint,
                }
            )
        else:
            out.warn(exc.command_line_text())
            out.warn(hint)
        return EXIT_ERROR
    failed_total = 0
    rows = []
    for original, result in undone:
        outcomes = (result.counts or {}).get("outcomes", {})
        failed = (result.counts or {}).get("failed", 0)
        failed_total += failed
        kind = getattr(result.undoes_run, "kind", "import")
        done_text, partly_text = _UNDONE_WORDS.get(kind, _UNDONE_WORDS["import"])
        out.say(
            tr(done_text, run=original, undo=result.id)
            if not failed
            else tr(partly_text, run=original, failed=failed)
        )
        left_alone = (result.counts or {}).get("left_alone", [])
        # what Xero did not let a sending's undo revert; what QuickBooks Time users changed
        # or built on since an import, left as it is
        for item in left_alone:
            out.say(f"  - {item.get('who', '')}: {item.get('what', '')}")
        # what an earlier undo sent without an answer, found done in Xero by this one
        for item in (result.counts or {}).get("checked", []):
            out.say(f"  - {item.get('who', '')}: {item.get('what', '')}")
        reopened = int((result.counts or {}).get("decisions_reopened", 0) or 0)
        if reopened:
            out.say(
                tr(
                    "{count} review decision(s) this import applied are open again: review "
                    "them before the next import.",
                    count=reopened,
                )
            )
        rows.append(
            {
                "undo_run_id": result.id,
                "undone_run_id": original,
                "outcomes": outcomes,
                "failed": failed,
                **({"left_alone": left_alone} if left_alone else {}),
                **({"decisions_reopened": reopened} if reopened else {}),
            }
        )
    last = rows[-1]
    out.result({**last, "undone": rows})
    return EXIT_OK if not failed_total else EXIT_ERROR


# ---------------------------------------------------------------------------- payroll export
def cmd_export_hours(
    ctx: Any,
    out: Output,
    org: str | None,
    period: str | None,
    dry_run: bool,
    calendar: str | None = None,
) -> int:
    """Send the approved hours and paid time off of one pay period to Xero Payroll: each
    person's own pay calendar's (``calendar``: name the calendar ``period`` is a period of)."""
    from datetime import date as _date

    from core.app.payroll import export_hours
    from core.engine.payroll import own_period

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    day = None
    if period:
        try:
            day = _date.fromisoformat(period)
        except ValueError:
            out.usage(
                tr(
                    'The period "{value}" is not a date. Give any day of the pay period as '
                    "YYYY-MM-DD, for example --period 2026-11-20.",
                    value=period,
                )
            )
            return EXIT_USAGE
    result = export_hours(ctx, conn, period=day, calendar=calendar, dry_run=dry_run)
    payload = result.as_json()
    if not out.as_json:
        preview = result.preview
        title = (
            N_('Dry run for "{org}", pay period {start} to {end}: nothing was sent.')
            if dry_run
            else N_('Hours of the pay period {start} to {end} for Xero "{org}":')
        )
        out.say(
            tr(
                title,
                org=conn.xero_tenant_name,
                start=preview.period.start.isoformat(),
                end=preview.period.end.isoformat(),
            )
        )
        actions = {
            "create": tr("new draft timesheet"),
            "update": tr("update of our draft timesheet"),
            "unchanged": tr("already in Xero, unchanged"),
            "skip": tr("not sent"),
            "none": tr("no regular hours"),
        }
        for person in preview.people:
            action = actions.get(person.action, "")
            if person.action == "update":  # what our draft holds now, beside the new hours
                action += " (" + tr("in Xero now: {hours} h", hours=f"{person.held_hours:g}") + ")"
            if person.kept and person.action in ("update", "unchanged"):
                action += (
                    " ("
                    + tr("{hours} h on lines added in Xero, kept", hours=f"{person.kept_hours:g}")
                    + ")"
                )
            who = person.name
            if (own := own_period(person, (preview.period.start, preview.period.end))) is not None:
                # (paid on another Xero calendar: their own pay period, said beside them)
                when = tr(
                    "{calendar}: {start} to {end}",
                    calendar=own[0],
                    start=own[1].isoformat(),
                    end=own[2].isoformat(),
                )
                who += f" ({when})"
            out.say(f"  {who}: {person.regular_hours:g} h — {action}")
            if person.days:
                out.say("    " + ", ".join(f"{d} {h:g}" for d, h in sorted(person.days.items())))
            for block in person.leave:
                if block.action == "skip":
                    continue
                line = tr(
                    "leave {name}: {hours} h, {start} to {end}",
                    name=block.name,
                    hours=f"{block.hours:g}",
                    start=block.start,
                    end=block.end,
                )
                if block.before is not None and block.action in ("update", "withdraw", "locked"):
                    was = tr(
                        "in Xero now: {hours} h, {start} to {end}",
                        hours=f"{block.before[2]:g}",
                        start=block.before[0],
                        end=block.before[1],
                    )
                    how = {
                        "update": tr("updated in Xero"),
                        "withdraw": tr("withdrawn from Xero"),
                        "locked": tr("in a pay run Xero has posted: left as it is"),
                    }[block.action]
                    line = f"{line} ({was}; {how})"
                out.say("    " + line)
            for left in person.left_out:
                out.say(f"    - {left.day}: {left.hours:g} h, {left.reason()}")
        sheets, leave = payload["timesheets"], payload["leave"]
        out.say(
            tr(
                "Timesheets: {created} created, {updated} updated, {unchanged} unchanged, "
                "{skipped} not sent. Leave: {leave_created} sent, {leave_updated} updated, "
                "{leave_withdrawn} withdrawn, {leave_skipped} not sent.",
                created=sheets["created"],
                updated=sheets["updated"],
                unchanged=sheets["unchanged"],
                skipped=sheets["skipped"],
                leave_created=leave["created"],
                leave_updated=leave["updated"],
                leave_withdrawn=leave["withdrawn"],
                leave_skipped=leave["skipped"] + leave["locked"],
            )
        )
        hours = payload["hours"]
        if hours["not_sent_regular"] or hours["not_sent_leave"]:  # (counted, with why below)
            out.say(
                tr(
                    "Xero did not take {regular} h of work and {leave} h of time off: see why "
                    'under "To look at".',
                    regular=f"{hours['not_sent_regular']:g}",
                    leave=f"{hours['not_sent_leave']:g}",
                )
            )
        if payload["problems"]:
            out.say(tr("To look at:"))
            for problem in payload["problems"]:
                out.say(f"  - {problem['who']}: {problem['reason']}")
        sent = sum(sheets[k] for k in ("created", "updated")) + sum(
            leave[k] for k in ("created", "updated", "withdrawn")
        )
        if result.run is not None and sent:
            out.say(tr("To take it back: undo {run}", run=result.run.id))
        elif not dry_run:  # (Xero may have refused all it was sent: nothing to take back)
            out.say(tr(_nothing_sent_words(result)))
    if dry_run and not result.preview.is_empty:
        # the Xero calls the sending needs, its time under Xero's limits, and how far
        # today's calls go (as the import's preview says its own)
        from core.app.estimate import describe_xero_run
        from core.app.payroll import estimate_sending

        estimate = estimate_sending(ctx, conn, result.preview)
        out.say(describe_xero_run(estimate))
        payload["estimate"] = estimate.as_json()
    out.result(payload)
    return EXIT_OK if not result.failed else EXIT_ERROR


def _nothing_sent_words(result: Any) -> str:
    """Why an ``export-hours`` that sent nothing sent nothing, as it is: Xero already has the
    hours only when a draft of ours holds them unchanged; else the problems listed kept them
    back, or the period has nothing to send."""
    people = result.preview.people
    already = any(p.action == "unchanged" for p in people) or any(
        b.action == "unchanged" for p in people for b in p.leave
    )
    problems = bool(result.preview.problems or result.failed)
    if already and not problems:
        return N_("Nothing new to send: Xero already has these hours.")
    if already:
        return N_(
            "Nothing new to send: Xero already has the hours that could be sent; the others "
            'are not sent, for the reasons under "To look at" above.'
        )
    if problems:
        return N_('Nothing was sent: see what to do under "To look at" above.')
    return N_(
        "There are no approved hours or paid time off in QuickBooks Time for this pay "
        "period: nothing was sent."
    )


# ---------------------------------------------------------------------------- bill time (invoicing)
#: the language of invoice lines, as a sentence names it ("worded in French")
_WORDING = {"en": N_("English"), "fr": N_("French")}


def _day_arg(out: Output, value: str, option: str) -> Any:
    from datetime import date as _date

    try:
        return _date.fromisoformat(value)
    except ValueError:
        out.usage(
            tr(
                'The date "{value}" given to {option} is not a date: write it as YYYY-MM-DD, '
                "for example {option} 2026-11-16.",
                value=value,
                option=option,
            )
        )
        return None


def cmd_bill_time(
    ctx: Any,
    out: Output,
    org: str | None,
    start: str,
    end: str,
    dry_run: bool,
    include_unapproved: bool = False,
    name_people: bool = False,
    invoice_language: str | None = None,
) -> int:
    """Billable QuickBooks Time hours of a date range -> draft sales invoices in Xero (the
    lines worded in ``invoice_language``, else the business's choice, else the one proposed)."""
    from core.app.invoicing import bill_time

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    first, last = _day_arg(out, start, "--from"), _day_arg(out, end, "--to")
    if first is None or last is None:
        return EXIT_USAGE
    if first > last:
        out.usage(
            tr(
                "The range starts after it ends ({start} to {end}): give --from a day on or "
                "before --to.",
                start=start,
                end=end,
            )
        )
        return EXIT_USAGE
    result = bill_time(
        ctx,
        conn,
        start=first,
        end=last,
        dry_run=dry_run,
        include_unapproved=include_unapproved,
        name_people=name_people,
        language=invoice_language,
    )
    payload = result.as_json()
    if not out.as_json:
        title = (
            N_('Dry run for "{org}", hours of {start} to {end}: nothing was sent.')
            if dry_run
            else N_('Billable hours of {start} to {end} for Xero "{org}":')
        )
        out.say(tr(title, org=conn.xero_tenant_name, start=start, end=end))
        out.say(
            tr(
                "Invoice lines worded in {wording} (--invoice-language to choose).",
                wording=_WORDING.get(result.preview.language, N_("English")),
            )
        )
        actions = {
            "create": tr("new draft invoice"),
            "update": tr("update of our draft invoice"),
            "unchanged": tr("already in Xero, unchanged"),
            "skip": tr("not sent"),
        }
        sources = {"item": tr("item's sales price"), "job": tr("job's billable rate")}
        for inv in result.preview.invoices:
            out.say(
                f"  {inv.contact_name}: {inv.hours:g} h, {inv.total:.2f} {inv.currency} "
                f"({tr(inv.tax_words)}) — {actions.get(inv.action, inv.action)}"
            )
            for line in inv.lines:
                out.say(
                    f"    {line.item_name or line.job_name}: {line.hours:g} h × "
                    f"{line.unit_price:g} ({sources[line.price_source]}) = {line.amount:.2f}"
                    + (f" [{tr('not approved yet')}]" if line.unapproved else "")
                )
        counts = payload["invoices"]
        out.say(
            tr(
                "Invoices: {created} created, {updated} updated, {unchanged} unchanged, "
                "{skipped} not sent.",
                **counts,
            )
        )
        if payload["problems"]:
            out.say(tr("To look at:"))
            for problem in payload["problems"]:
                out.say(f"  - {problem['who']}: {problem['reason']}")
        if result.run is not None:
            out.say(tr("To take it back: undo {run}", run=result.run.id))
        elif not dry_run:
            out.say(tr(_nothing_billed_words(result), start=start, end=end))
    if dry_run and result.preview.plan.to_write:
        # the Xero calls billing needs, its time under Xero's limits, and how far today's
        # calls go (as the import's preview says its own)
        from core.app.estimate import describe_xero_run
        from core.app.invoicing import estimate_billing

        estimate = estimate_billing(ctx, conn, result.preview)
        out.say(describe_xero_run(estimate))
        payload["estimate"] = estimate.as_json()
    out.result(payload)
    return EXIT_OK


def _billed_before(preview: Any) -> bool:
    """Whether hours of the range are on an invoice of ours that Xero still holds (draft,
    approved or paid: billed before, never billed twice)."""
    from core.engine.invoicing import GONE

    source = preview.source
    if source is None:
        return False
    first, last = preview.start.isoformat(), preview.end.isoformat()
    in_range = {t.id for t in source.timesheets if first <= t.day <= last}
    for row in source.billed:
        invoice = source.invoices.get(row.invoice_id)
        if invoice is not None and invoice.status in GONE:
            continue  # deleted or voided in Xero: those hours are not billed any more
        if (first <= row.day <= last) if row.day else row.timesheet_id in in_range:
            return True
    return False


def _nothing_billed_words(result: Any) -> str:
    """Why a ``bill-time`` that sent nothing sent nothing, as it is (placeholders ``start``,
    ``end``): Xero already has the hours only when they were billed before; else the problems
    listed kept them back, or the range has no billable hours."""
    already = result.counts.get("unchanged", 0) > 0 or _billed_before(result.preview)
    problems = bool(result.problems) or result.counts.get("skipped", 0) > 0
    if already and not problems:
        return N_("Nothing new to bill: Xero already has these hours.")
    if already:
        return N_(
            "Nothing new to bill: Xero already has the hours that could be billed; the others "
            'are not billed, for the reasons under "To look at" above.'
        )
    if problems:
        return N_('Nothing was billed: see what to do under "To look at" above.')
    return N_(
        "There are no billable hours in QuickBooks Time from {start} to {end}: nothing was billed."
    )


def cmd_invoices(ctx: Any, out: Output, org: str | None) -> int:
    """The invoices the product made, with their status in Xero (draft, approved, paid…)."""
    from core.app.invoicing import invoice_statuses

    conn = pick_connection(org)
    if conn is None:
        return _no_connection(out, org)
    rows = invoice_statuses(ctx, conn)
    for inv in rows:
        paid = f" ({tr('paid on {day}', day=inv.paid_on)})" if inv.paid_on else ""
        out.say(
            f"  {inv.number or '—'}  {inv.contact}  {inv.total:.2f} {inv.currency}  "
            f"{tr(inv.status)}{paid}  {inv.url}"
        )
    if not rows:
        out.say(tr("The app has not made any invoice in Xero yet (see bill-time)."))
    from core.app.invoicing import chosen_wording

    language = chosen_wording(conn)
    if language is not None:
        out.say(
            tr(
                "Invoice lines are worded in {wording} for this business "
                "(bill-time --invoice-language to change it).",
                wording=_WORDING[language],
            )
        )
    out.result({"invoices": [inv.as_json() for inv in rows], "invoice_language": language})
    return EXIT_OK
