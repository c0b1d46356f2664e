"""Shared helpers for the engine's reliability tests (faults, crashes, properties).

* :func:`canonical_state` — what a QuickBooks Time user sees, with every id replaced by a
  name, so two Demo Companies imported along different paths (retries, crashes, another
  order of ids) can be compared for equality.
* :func:`duplicates` — every kind of duplicate the import must never create.
* :func:`converge` — sync until nothing is left to do (at most N times).
* :class:`FileKeyring` — a throwaway keyring in a JSON file, so a subprocess and the test
  share the QuickBooks Time token (test-only: never a real user's keyring).
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keyring.backend
import keyring.errors

SOAK = os.environ.get("XQB_SOAK") == "1"


def _nfc(text: Any) -> str:
    """A name as a person sees it: NFC ("Café" typed on a Mac, NFD, is the same name)."""
    return unicodedata.normalize("NFC", str(text or "")).strip()


def _norm(name: Any) -> str:
    """Names as QuickBooks Time compares them: outer blanks and case ignored, NFC and NFD
    spellings alike. (Names that differ only inside — "A  B" / "A B" — are near matches a
    person may keep apart.)"""
    return _nfc(name).casefold()


# ---------------------------------------------------------------------------- state
def canonical_state(store_or_qbt: Any) -> dict[str, list[Any]]:
    """The ACTIVE QuickBooks Time state, ids replaced by names (comparable across companies).

    Jobcodes are named by their path of names from the top; items by their field's name;
    locations by the names of the jobcodes they are linked to.
    """
    qbt = store_or_qbt.qbtime if hasattr(store_or_qbt, "qbtime") else store_or_qbt
    jobs = {j["id"]: j for j in qbt.get("jobcodes", [])}

    def path(jid: Any) -> tuple[str, ...]:
        out: list[str] = []
        seen: set[Any] = set()
        while jid and jid in jobs and jid not in seen:
            seen.add(jid)
            out.append(jobs[jid]["name"])
            jid = jobs[jid].get("parent_id")
        return tuple(reversed(out))

    fields = {f["id"]: f["name"] for f in qbt.get("customfields", [])}
    usernames = {u["id"]: u["username"] for u in qbt.get("users", [])}
    return {
        "assignments": sorted(
            (usernames.get(a["user_id"], str(a["user_id"])), path(a["jobcode_id"]))
            for a in qbt.get("jobcode_assignments", [])
            if a.get("active")
        ),
        "jobcodes": sorted(
            (path(j["id"]), j["type"], bool(j.get("assigned_to_all")))
            for j in qbt.get("jobcodes", [])
            if j.get("active")
        ),
        "users": sorted(
            (
                u["first_name"],
                u["last_name"],
                u.get("email") or "",
                u["username"],
                bool((u.get("permissions") or {}).get("time_tracking")),
            )
            for u in qbt.get("users", [])
            if u.get("active")
        ),
        "fields": sorted(
            (f["name"], bool(f.get("required")), f.get("type"))
            for f in qbt.get("customfields", [])
            if f.get("active")
        ),
        "items": sorted(
            (fields.get(i["customfield_id"], "?"), i["name"])
            for i in qbt.get("customfielditems", [])
            if i.get("active")
        ),
        "locations": sorted(
            (
                tuple(
                    sorted(path(j) for j in (loc.get("linked_objects") or {}).get("jobcodes") or [])
                ),
                loc.get("addr1", ""),
                loc.get("city", ""),
                loc.get("zip", ""),
            )
            for loc in qbt.get("locations", [])
            if loc.get("active")
        ),
    }


def raw_state(store: Any) -> str:
    """The whole QuickBooks Time side, byte for byte (for "nothing was written")."""
    return json.dumps(store.qbtime, sort_keys=True, ensure_ascii=False)


def _twice(keys: list[tuple[Any, bool]]) -> dict[Any, tuple[int, int]]:
    """key -> (records, active records) for every key held by two records or more."""
    total: Counter[Any] = Counter()
    active: Counter[Any] = Counter()
    for key, is_active in keys:
        total[key] += 1
        active[key] += int(is_active)
    return {k: (n, active[k]) for k, n in total.items() if n > 1}


def _which(n: int, active: int) -> str:
    return "two active" if active > 1 else f"an active and {n - active} archived"


def duplicates(store_or_qbt: Any, chosen: Mapping[int, int] | None = None) -> list[str]:
    """Every duplicate the import must never create; empty when there is none.

    Names are compared NFC (an NFD spelling is the same name) and archived records count:
    an active record beside an archived one of the same name is a duplicate too (the
    import must restore or ask, never create a second). Two archived ones are history.

    ``chosen``: QuickBooks Time user id -> the archived user it was created beside because a
    person chose "Create new" on that "archived twin" conflict (the review offers "restore
    and link it, or create a new one"). Such a person is no duplicate when that user is the
    only active one of the name and the archived twin is the other; nothing wider.
    """
    qbt = store_or_qbt.qbtime if hasattr(store_or_qbt, "qbtime") else store_or_qbt
    problems: list[str] = []
    top = _twice(
        [
            ((_norm(j["name"]), j["type"]), bool(j.get("active")))
            for j in qbt.get("jobcodes", [])
            if not j.get("parent_id")
        ]
    )
    problems += [f"{_which(n, a)} top-level jobcodes named {k!r}" for k, (n, a) in top.items() if a]
    users = Counter(_norm(u["username"]) for u in qbt.get("users", []))
    problems += [f"two users with username {k!r}" for k, n in users.items() if n > 1]

    # The same person twice: names equal once NFC (a case variant is a near match a person
    # may have chosen to create), e-mails equal ignoring case — what matching links.
    def person(u: Mapping[str, Any]) -> tuple[str, str, str]:
        return (_nfc(u["first_name"]), _nfc(u["last_name"]), _norm(u.get("email")))

    people = _twice([(person(u), bool(u.get("active"))) for u in qbt.get("users", [])])
    by_id = {u["id"]: u for u in qbt.get("users", [])}
    for uid, twin_id in (chosen or {}).items():
        user, twin = by_id.get(uid), by_id.get(twin_id)
        if user is None or twin is None or not user.get("active") or twin.get("active"):
            continue
        key = person(user)
        if person(twin) == key and people.get(key) == (2, 1):
            del people[key]  # exactly the new one beside its archived twin: as chosen
    problems += [f"{_which(n, a)} users for {k!r}" for k, (n, a) in people.items() if a]
    fields = _twice(
        [(_norm(f["name"]), bool(f.get("active"))) for f in qbt.get("customfields", [])]
    )
    problems += [f"{_which(n, a)} custom fields named {k!r}" for k, (n, a) in fields.items() if a]
    items = _twice(
        [
            ((i["customfield_id"], _norm(i["name"])), bool(i.get("active")))
            for i in qbt.get("customfielditems", [])
        ]
    )
    problems += [f"{_which(n, a)} items {k!r}" for k, (n, a) in items.items() if a]
    per_job: Counter[Any] = Counter()
    for loc in qbt.get("locations", []):
        if loc.get("active"):
            for jid in (loc.get("linked_objects") or {}).get("jobcodes") or []:
                per_job[jid] += 1
    problems += [f"{n} active locations linked to jobcode {k}" for k, n in per_job.items() if n > 1]
    return problems


def diff(a: dict[str, list[Any]], b: dict[str, list[Any]], limit: int = 8) -> dict[str, Any]:
    """What differs between two canonical states (for assertion messages)."""
    out: dict[str, Any] = {}
    for key in sorted(set(a) | set(b)):
        ca, cb = Counter(map(repr, a.get(key, []))), Counter(map(repr, b.get(key, [])))
        only_a, only_b = list((ca - cb).elements())[:limit], list((cb - ca).elements())[:limit]
        if only_a or only_b:
            out[key] = {"only_left": only_a, "only_right": only_b}
    return out


# ---------------------------------------------------------------------------- running
def converge(
    ctx: Any,
    conn: Any,
    *,
    max_runs: int = 3,
    tolerate: tuple[type[BaseException], ...] = (),
    **kwargs: Any,
) -> list[Any]:
    """Sync until a sync reports nothing to do; at most ``max_runs`` syncs.

    ``tolerate``: errors a sync may end with under injected faults (the user would retry);
    each counts as one of the runs. Returns the results (an exception stands for a run that
    raised). Fails when the last sync still had something to do.
    """
    from core.app.sync import sync

    results: list[Any] = []
    for _ in range(max_runs):
        try:
            result = sync(ctx, conn, **kwargs)
        except tolerate as exc:
            results.append(exc)
            continue
        results.append(result)
        if result.plan.is_empty:
            return results
    raise AssertionError(
        f"no convergence after {max_runs} syncs: {[_describe(r) for r in results]}"
    )


def _describe(result: Any) -> Any:
    if isinstance(result, BaseException):
        return f"{type(result).__name__}: {result}"
    return {
        "actions": len(result.plan.actions),
        "first": [a.ref for a in result.plan.actions[:5]],
        "outcomes": result.outcomes,
    }


# ---------------------------------------------------------------------------- keyring
class FileKeyring(keyring.backend.KeyringBackend):
    """A keyring in a JSON file (tests only): shared by a subprocess and the test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = Path(path)

    def _load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _save(self, data: dict[str, str]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self._save(data)


# ---------------------------------------------------------------------------- demo contexts
ORGS = {"AU": "Maison Verdure Australia", "UK": "Maison Verdure UK", "CA": "Maison Verdure Québec"}


class MemoryBackend(keyring.backend.KeyringBackend):
    """A private in-memory keyring (tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class VirtualTime:
    """Real time plus the waits the engine asked for: back-offs and rate-limit waits pass
    at once, yet the client-side limiters still see the time they waited for.

    (``ctx.sleep = lambda s: None`` alone makes a limiter busy-wait in real time: the
    AppContext builds its limiters with the real clock.)
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self.waits: list[float] = []

    def now(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.waits.append(seconds)
            self.offset += seconds


def install_virtual_time(ctx: Any) -> VirtualTime:
    """Make ``ctx``'s waits virtual (see :class:`VirtualTime`); before any API call."""
    from core.services.http import LimiterRegistry, qbtime_limiter, xero_limiter

    vt = VirtualTime()

    class Registry(LimiterRegistry):
        def for_key(self, key: str, factory: Any) -> Any:
            def make() -> Any:
                if key.startswith("xero:"):
                    return xero_limiter(name=key[5:], clock=vt.now, sleep=vt.sleep)
                return qbtime_limiter(name="qbtime", clock=vt.now, sleep=vt.sleep)

            return super().for_key(key, make)

    ctx.limiters = Registry()
    ctx.sleep = vt.sleep
    return vt


def app_paths(home: Path) -> Any:
    from core.store.paths import AppPaths

    home = Path(home)
    return AppPaths(home / "data", home / "config", home / "logs", home / "state").ensure()


def open_demo(
    org: str,
    home: Path,
    state_dir: Path,
    backend: Any,
    *,
    connect: bool = True,
    sandbox_kwargs: dict[str, Any] | None = None,
    data_file: Any = None,
    timeout: tuple[float, float] | None = None,
) -> tuple[Any, Any]:
    """An AppContext over the Demo Company in ``state_dir`` (persisted there), its database
    under ``home``; connected to ``org`` when ``connect`` (else the existing connection).
    ``org`` "*" takes the first organisation of ``data_file`` (a generated company)."""
    from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
    from core.app.context import AppContext
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.store.secrets import TokenStore

    box = Sandbox.open(data_file or DEMO_COMPANY_FILE, state_dir, **(sandbox_kwargs or {}))
    tenant = next(
        o["tenantId"] for o in box.store.xero_orgs if org == "*" or o["tenantName"] == ORGS[org]
    )
    ctx = AppContext.create(
        demo=True,
        paths=app_paths(home),
        tokens=TokenStore(backend, trust_backend=True),
        opener=demo_consent_opener([tenant]),
        sandbox=box,
    )
    ctx.vtime = install_virtual_time(ctx)
    if timeout is not None:
        ctx.timeout = timeout
    ctx.open_db()
    if connect:
        with open(os.devnull, "w") as devnull:
            out = Output(as_json=True, stream=devnull)
            cmd_connect_qbtime(ctx, out, box.qbtime_token)
            cmd_connect_xero(ctx, out, None, None)
    conn = pick_connection(None)
    assert conn is not None and (org == "*" or conn.xero_tenant_name == ORGS[org])
    return ctx, conn


_CLEAN: dict[str, dict[str, list[Any]]] = {}


def clean_state(org: str, workdir: Path) -> dict[str, list[Any]]:
    """The canonical QuickBooks Time state after a fault-free import of a fresh Demo Company
    (computed once per process and organisation). Call it before opening another context:
    the database is process-wide."""
    if org not in _CLEAN:
        ctx, conn = open_demo(
            org, workdir / f"clean-home-{org}", workdir / f"clean-state-{org}", MemoryBackend()
        )
        try:
            converge(ctx, conn, max_runs=2)
            assert not duplicates(ctx.sandbox.store)
            _CLEAN[org] = canonical_state(ctx.sandbox.store)
        finally:
            ctx.close()
    return _CLEAN[org]


# ---------------------------------------------------------------------------- soak figures
#: figures recorded by the reliability tests during this session; ``make soak`` merges them
#: into soak-results.json (see conftest.py and tests/figures.py).
FIGURES: list[dict[str, Any]] = []
#: duplicates counted by a soak run (node id -> count), stored before it asserts
DUPLICATES: dict[str, int] = {}
#: faults injected by the fault soak: (service, kind, method) -> count
FAULTS: Counter[tuple[str, str, str]] = Counter()
#: the fault kinds each service was asked to inject (every one must have happened)
FAULT_KINDS: dict[str, tuple[str, ...]] = {}


def record_figure(
    name: str, value: Any, unit: str, target: Any, meets: bool, note: str = "", source: str = ""
) -> None:
    """A figure of the test running now (its ``source``, unless given: a parametrized test
    counting n of N gives its id without parameters); record it before asserting, so a miss
    is written as a miss."""
    from tests.figures import current_test

    row = {
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "meets": bool(meets),
        "source": source or current_test(),
    }
    if note:
        row["note"] = note
    FIGURES[:] = [f for f in FIGURES if f["name"] != name] + [row]


def record_duplicates(count: int) -> None:
    from tests.figures import current_test

    DUPLICATES[current_test()] = count


def count_faults(plan: Any, service: str) -> None:
    """Count every fault ``plan`` injects, by kind and HTTP method (wraps ``plan.pick``)."""
    pick = plan.pick

    def counting(method: str, path: str) -> str | None:
        kind = pick(method, path)
        if kind is not None:
            FAULTS[(service, kind, method.upper())] += 1
        return kind

    plan.pick = counting


def fault_figures() -> list[dict[str, Any]]:
    """One figure per service and fault kind: how many were injected, by method. A kind
    asked for and never injected is a miss (the soak would not have tested it)."""
    out: list[dict[str, Any]] = []
    for service, kinds in FAULT_KINDS.items():
        for kind in kinds:
            by_method = {
                m: n for (s, k, m), n in sorted(FAULTS.items()) if s == service and k == kind
            }
            total = sum(by_method.values())
            out.append(
                {
                    "name": f"fault soak: {service} faults injected, {kind}",
                    "value": total,
                    "unit": "faults",
                    "target": ">= 1",
                    "meets": total >= 1,
                    "note": ", ".join(f"{m} {n}" for m, n in by_method.items()) or "none",
                    "source": "tests/reliability/test_fault_soak.py::test_fault_soak",
                }
            )
    return out
