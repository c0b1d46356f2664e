"""Small questions about the local snapshots: whether there is one (the wizard's options
page asks), which contacts can be added, and whether the inputs of a plan changed since the
last plan with nothing to write (a scheduled re-import with nothing changed then skips
loading the snapshot and planning: issue 16), and the look-alikes the last plan offered,
which the next plan offers again while they still score."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from core.engine.records import XeroContact, XeroEmployee
from core.jsontext import dumps_canonical, loads
from core.store.models import Connection, QBTRecord, XeroRecord

if TYPE_CHECKING:
    from core.engine.plan import ImportPlan


def has_snapshot(conn: Connection) -> bool:
    """True when an earlier fetch stored records from Xero and from QuickBooks Time, so the
    options, the review and the preview can go on without a network."""
    xero = XeroRecord.select().where(XeroRecord.connection == conn).limit(1).exists()
    qbt = QBTRecord.select().where(QBTRecord.connection == conn).limit(1).exists()
    return bool(xero and qbt)


def addable_contacts(contacts: Iterable[XeroContact]) -> list[XeroContact]:
    """Contacts that "Manage Xero customers" offers: active, and not customers yet (never
    invoiced), so the import leaves them out unless the user adds them by hand."""
    return [c for c in contacts if not c.archived and not c.is_customer]


# ---------------------------------------------------------------------------- quiet re-imports
#: bumped when the saved form of a plan changes
_QUIET_FORMAT = 3


def _quiet_key(conn: Connection) -> str:
    return f"quiet_plan:{conn.xero_tenant_id}"


def plan_inputs_fingerprint(conn: Connection, options: Mapping[str, Any]) -> str:
    """A digest of everything a plan of ``conn`` is made from, read without parsing a single
    stored record: per snapshot kind its row count, ids and newest store time (every stored
    change sets ``fetched_at``), the links, decisions and leave links, the options, the
    problems and key owner the last read recorded, the payroll version and the app's
    version. Not the day: a kept plan says itself until which day it holds
    (:func:`quiet_days`)."""
    import hashlib

    from core.store.models import Decision, LeaveLink, Setting, db
    from core.version import __version__

    digest = hashlib.sha256()

    def add(value: Any) -> None:
        digest.update(json.dumps(value, sort_keys=True, default=str).encode())
        digest.update(b"\0")

    add([_QUIET_FORMAT, __version__, conn.xero_version])
    add(dict(options))
    for table, key in (("xero_record", "xero_id"), ("qbt_record", "qbt_id")):
        rows = db.execute_sql(
            f'SELECT "kind", COUNT(*), SUM("id"), MAX("fetched_at"), '  # noqa: S608 (names fixed)
            f'TOTAL(LENGTH("{key}")) FROM "{table}" WHERE "connection_id" = ? GROUP BY "kind" '
            'ORDER BY "kind"',
            (conn.id,),
        ).fetchall()
        add([list(r) for r in rows])
    add(
        db.execute_sql(
            'SELECT COUNT(*), SUM("id"), SUM("qbt_id"), MAX("id") FROM "link" '
            'WHERE "connection_id" = ?',
            (conn.id,),
        ).fetchone()
    )
    add(
        sorted(
            (d.kind, d.xero_id, d.action, d.target_qbt_id, d.new_name, d.depends_on)
            for d in Decision.select().where(Decision.connection == conn)
        )
    )
    add(
        sorted(
            (r.xero_leave_type_id, r.qbt_jobcode_id, r.is_paid, r.export_to_xero)
            for r in LeaveLink.select().where(LeaveLink.connection == conn)
        )
    )
    for name in ("xero_problems", "qbtime_key_owner"):
        add(Setting.get_value(f"{name}:{conn.xero_tenant_id}"))
    add(conn.qbtime_user_id)
    return digest.hexdigest()


def quiet_days(employees: Iterable[XeroEmployee], today: date) -> tuple[str, str]:
    """The days a plan made ``today`` holds for, as far as the day goes: the one thing in a
    plan that depends on it is whether an employee still works here (they do through their
    end date, their last day; from the day after it, no longer). Between the days after
    two end dates: from the latest such day on or before ``today`` (or "") to the earliest
    one after it (or ""): (from, until), ISO dates, until excluded. A daily scheduled run
    with nothing changed then takes the kept plan."""
    day = today.isoformat()
    gone_from = {_day_after(e.end_date) for e in employees if e.end_date}
    since = max((d for d in gone_from if d <= day), default="")
    until = min((d for d in gone_from if d > day), default="")
    return since, until


def _day_after(iso_day: str) -> str:
    last = date.fromisoformat(iso_day)
    return (last + timedelta(days=1)).isoformat() if last < date.max else iso_day


def remember_quiet_plan(
    conn: Connection, fingerprint: str, plan: ImportPlan, days: tuple[str, str]
) -> bool:
    """After planning: a plan with nothing to write is kept with the fingerprint of its
    inputs and the days it holds for (:func:`quiet_days`), so that the next run whose inputs
    are the same (a scheduled re-import with nothing changed) need not load the snapshot and
    plan again. Returns whether it was kept."""
    from core.store.models import Setting, Stored

    if plan.actions:
        Setting.delete().where(Setting.key == _quiet_key(conn)).execute()
        return False
    # Each record saved from its fields as they are (dataclasses.asdict copies every value
    # deeply: at 100,000 contacts, 19,686 conflicts and 21,452 skipped records, 1.2 s of a
    # re-import), read back at once and compressed, one record at a time: never a second
    # plan in memory nor its whole text (16 MB at 100,000 contacts, 1.5 MB compressed).
    body = zlib.compressobj(1)
    chunks: list[bytes] = []
    try:
        for head, records, fields, back in (
            ('{"conflicts":[', plan.conflicts, _conflict_fields, _conflict_of),
            (
                '],"key_owner_id":' + dumps_canonical(plan.key_owner_id) + ',"skipped":[',
                plan.skipped,
                _skipped_fields,
                _skipped_of,
            ),
        ):
            chunks.append(body.compress(head.encode()))
            for n, record in enumerate(records):
                text = _saved(fields(record), back, record)
                chunks.append(body.compress((("," if n else "") + text).encode()))
    except _NotSaved:
        return False  # something in it does not survive being saved: plan again next time
    chunks.append(body.compress(b"]}"))
    chunks.append(body.flush())
    saved = {
        "format": _QUIET_FORMAT,
        "fingerprint": fingerprint,
        "days": list(days),
        # the canonical text (keys sorted, no spaces) of the plan's conflicts, key owner
        # and skipped records, deflated
        "plan": base64.b64encode(b"".join(chunks)).decode("ascii"),
    }
    Setting.set_value(_quiet_key(conn), Stored(dumps_canonical(saved)))
    return True


def _kept_body(saved: Mapping[str, Any]) -> dict[str, Any]:
    """The plan a kept plan's setting holds (``plan``: its canonical text, deflated)."""
    return dict(loads(zlib.decompress(base64.b64decode(saved["plan"], validate=True))))


class _NotSaved(Exception):
    """A record of a plan does not survive being saved as JSON."""


def _saved(fields: dict[str, Any], back: Callable[[Mapping[str, Any]], Any], record: Any) -> str:
    """``fields`` (of ``record``) as canonical JSON, checked to read back (``back``) as the
    record; raises _NotSaved when it cannot be saved or does not read back the same."""
    try:
        text = dumps_canonical(fields)
        same = back(loads(text)) == record
    except (TypeError, ValueError, KeyError) as exc:
        raise _NotSaved from exc
    if not same:
        raise _NotSaved
    return text


def _conflict_fields(c: Any) -> dict[str, Any]:
    return {
        **vars(c),
        "candidates": [vars(cand) for cand in c.candidates],
        "details": dict(c.details),
    }


def _skipped_fields(s: Any) -> dict[str, Any]:
    return {**vars(s), "params": dict(s.params)}


def quiet_plan(conn: Connection, fingerprint: str, today: date) -> ImportPlan | None:
    """The plan kept by :func:`remember_quiet_plan` when its inputs' fingerprint is still
    ``fingerprint`` (nothing to write, the same conflicts and skipped records) and it holds
    on ``today`` (no employee's end date passed since, the clock not set back past one),
    else None."""
    from core.engine.plan import ImportPlan
    from core.store.models import Setting

    saved = Setting.get_value(_quiet_key(conn))
    if not isinstance(saved, dict) or saved.get("fingerprint") != fingerprint:
        return None
    days = saved.get("days")
    if not (isinstance(days, list) and len(days) == 2 and all(type(d) is str for d in days)):
        return None
    day = today.isoformat()
    since, until = days
    if day < since or (until and day >= until):
        return None
    if saved.get("format") != _QUIET_FORMAT:
        return None
    try:
        conflicts, skipped, owner = _plan_of(_kept_body(saved))
    except (KeyError, TypeError, ValueError, zlib.error):
        return None
    return ImportPlan(actions=[], conflicts=conflicts, skipped=skipped, key_owner_id=owner)


def _plan_of(saved: Mapping[str, Any]) -> tuple[list[Any], list[Any], int | None]:
    conflicts = [_conflict_of(c) for c in saved["conflicts"]]
    skipped = [_skipped_of(s) for s in saved["skipped"]]
    owner = saved.get("key_owner_id")
    return conflicts, skipped, int(owner) if owner is not None else None


def _conflict_of(c: Mapping[str, Any]) -> Any:
    from core.engine.matching import Candidate, Conflict

    return Conflict(
        **{
            **c,
            "candidates": tuple(Candidate(**x) for x in c["candidates"]),
            # (saved as JSON: a tuple comes back a list)
            "details": {
                k: tuple(v) if isinstance(v, list) else v
                for k, v in (c.get("details") or {}).items()
            },
        }
    )


def _skipped_of(s: Mapping[str, Any]) -> Any:
    from core.engine.plan import Skipped

    return Skipped(**{**s, "params": dict(s.get("params") or {})})


# ---------------------------------------------------------------------------- look-alikes
def _lookalikes_key(conn: Connection) -> str:
    return f"lookalikes:{conn.xero_tenant_id}"


def remembered_lookalikes(conn: Connection) -> dict[str, dict[str, list[int]]]:
    """What :func:`remember_lookalikes` kept for ``conn`` (nothing yet: empty)."""
    from core.store.models import Setting

    saved = Setting.get_value(_lookalikes_key(conn))
    if not isinstance(saved, dict):
        return {}
    return {
        kind: {
            xero_id: [i for i in ids if type(i) is int]
            for xero_id, ids in by_xero.items()
            if isinstance(ids, list)
        }
        for kind, by_xero in saved.items()
        if isinstance(by_xero, dict)
    }


def remember_lookalikes(
    conn: Connection, plan: ImportPlan, before: Mapping[str, Mapping[str, list[int]]]
) -> None:
    """After planning with ``before`` remembered: keep the look-alikes ``plan`` offered, by
    kind (a kind this plan did not match keeps what it had), for the next plan to offer
    again. Written only when it changed."""
    from core.store.models import Setting

    after = {**before, **plan.lookalikes()}
    if after != before:
        Setting.set_value(_lookalikes_key(conn), after)
