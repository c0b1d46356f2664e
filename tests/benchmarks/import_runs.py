"""Subprocesses of the API-economy benchmark (issue 16): ``python -m
tests.benchmarks.import_runs KIND XERO_BASE QBT_BASE QBT_TOKEN TENANT HOME [OFFSET_S]``.

* ``first``: connect (fresh installation under HOME), then the first import (``sync``).
* ``scheduled``: a new process on the same installation, as the scheduler starts it: no
  connecting, the saved options and tokens; ``OFFSET_S`` moves the product's clock on (the
  whole-read intervals count from it; the sign-in token's expiry is moved by the caller).

Each prints one JSON line last: every HTTP request this process sent by endpoint
(api_floor.Tally), our CPU and wall time, peak RSS, the outcome.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.api_floor import Tally
from tests.benchmarks.harness import ROOT, Endpoints, connect, reset_counter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class FileKeyring:
    """A keyring kept in a JSON file under the benchmark's HOME, so that a second process
    (the scheduled run) finds the tokens the first one stored. Benchmarks only."""

    def __new__(cls, path: Path) -> Any:
        import keyring.backend
        import keyring.errors

        lock = threading.Lock()

        class _File(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def _load(self) -> dict[str, str]:
                return json.loads(path.read_text()) if path.exists() else {}

            def get_password(self, service: str, username: str) -> str | None:
                with lock:
                    return self._load().get(f"{service}\0{username}")

            def set_password(self, service: str, username: str, password: str) -> None:
                with lock:
                    data = self._load()
                    data[f"{service}\0{username}"] = password
                    path.write_text(json.dumps(data))

            def delete_password(self, service: str, username: str) -> None:
                with lock:
                    data = self._load()
                    if data.pop(f"{service}\0{username}", None) is None:
                        raise keyring.errors.PasswordDeleteError("not found")
                    path.write_text(json.dumps(data))

        return _File()


def age_tokens(home: Path, seconds: float) -> int:
    """Move every stored sign-in token's expiry ``seconds`` into the past (a day passing for
    the tokens: the access token has expired, the refresh token has not). Returns how many."""
    path = home / "keyring.json"
    data = json.loads(path.read_text())
    moved = 0
    for key, value in data.items():
        try:
            token = json.loads(value)
        except ValueError:
            continue
        if isinstance(token, dict) and "expires_at" in token:
            token["expires_at"] = float(token["expires_at"]) - seconds
            data[key] = json.dumps(token, sort_keys=True, separators=(",", ":"))
            moved += 1
    path.write_text(json.dumps(data))
    return moved


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: the latter
    keeps the peak of the process image before exec, i.e. of the benchmark that forked
    it (hundreds of MB of test data), not ours."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def open_installation(ep: Endpoints, home: Path) -> tuple[Any, Any]:
    """The installation under ``home``, as a new process of the app opens it."""
    import keyring

    from core.app.cli import pick_connection
    from core.app.context import AppContext
    from core.sandbox.xero_config import demo_xero_settings
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore

    os.environ["XQB_HOME"] = str(home)
    backend = FileKeyring(home / "keyring.json")
    keyring.set_keyring(backend)
    ctx = AppContext(
        AppPaths.default().ensure(),
        TokenStore(backend, trust_backend=True),
        demo_xero_settings(ep.xero_base),
        qbtime_base=ep.qbtime_base,
    )
    ctx.open_db()
    conn = pick_connection(None)
    assert conn is not None and conn.xero_tenant_id == ep.tenant_id
    return ctx, conn


def _measure(ctx: Any, conn: Any) -> dict[str, Any]:
    from core.app.sync import sync

    reset_counter(ctx)
    profile_to = os.environ.get("XQB_BENCH_PROFILE")  # a file: where the time went (pstats)
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
    with Tally() as tally:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = sync(ctx, conn)
        if profiler is not None:
            profiler.disable()
        cpu1, wall1 = time.process_time(), time.perf_counter()
    if profiler is not None and profile_to:
        profiler.dump_stats(profile_to)
    return {
        "calls": dict(tally.counts),
        "sent": tally.sent,
        "cpu_s": cpu1 - cpu0,
        "wall_s": wall1 - wall0,
        "peak_rss_mb": _peak_rss_mb(),
        "outcomes": result.outcomes,
        "summary": result.as_json(),
        "fetch": result.fetch.summary() if result.fetch else None,
        "waited_s": {
            name: svc.get("waited_s", 0.0)
            for name, svc in ctx.counter.snapshot().get("services", {}).items()
        },
    }


def first(args: list[str]) -> None:
    from core.services.http import LimiterRegistry

    ep, home = Endpoints(*args[:4]), Path(args[4])
    home.mkdir(parents=True, exist_ok=True)
    ctx, conn = connect(ep, home=home, keyring_backend=FileKeyring(home / "keyring.json"))
    ctx.limiters = LimiterRegistry()  # connecting's few calls are not the import's
    out = _measure(ctx, conn)
    ctx.close()
    print(json.dumps(out), flush=True)


def scheduled(args: list[str]) -> None:
    ep, home = Endpoints(*args[:4]), Path(args[4])
    offset = float(args[5]) if len(args) > 5 else 0.0
    ctx, conn = open_installation(ep, home)
    ctx.clock = lambda: time.time() + offset
    out = _measure(ctx, conn)
    ctx.close()
    print(json.dumps(out), flush=True)


#: "AU-120": the Demo Company with 120 more AU employees with hours in the same pay period
#: (tests/scaled_payroll.py): AU payroll 1.0 takes 50 timesheets a call, which the Demo
#: Company's one or two people a period never tell from one call per person
SCALED_AU_PEOPLE = 120


def payroll(args: list[str]) -> None:
    """The Demo Company's organisation ``args[0]`` (AU, UK, or AU-120: the AU one with
    :data:`SCALED_AU_PEOPLE` more employees), in-process simulators: the first import
    (people link), then one pay period's export of hours (the default period: the last one
    ended), every request of the export counted; the data its floor is derived from
    (api_floor.payroll_floor)."""
    from core.app.payroll import export_hours
    from core.app.sync import sync
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
    from core.store.models import Link
    from tests.scaled_payroll import write_scaled_au_company

    names = {
        "AU": "Maison Verdure Australia",
        "AU-120": "Maison Verdure Australia",
        "UK": "Maison Verdure UK",
    }
    home = Path(args[1])
    home.mkdir(parents=True, exist_ok=True)
    data_file = Path(DEMO_COMPANY_FILE)
    if args[0] == "AU-120":
        data_file = write_scaled_au_company(home / "company.json", SCALED_AU_PEOPLE)
    box = Sandbox.open(data_file, home / "state")
    try:
        org = next(o for o in box.store.xero_orgs if o["tenantName"] == names[args[0]])
        ep = Endpoints(box.xero_base, box.qbtime_base, box.qbtime_token, org["tenantId"])
        ctx, conn = connect(ep, home=home, keyring_backend=FileKeyring(home / "keyring.json"))
        sync(ctx, conn)
        before = json.loads(json.dumps(org))
        reset_counter(ctx)
        with Tally() as tally:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            result = export_hours(ctx, conn)
            cpu1, wall1 = time.process_time(), time.perf_counter()
        period = result.preview.period
        linked = Link.select().where((Link.connection == conn) & (Link.kind == "employee"))
        out = {
            "calls": dict(tally.counts),
            "cpu_s": cpu1 - cpu0,
            "wall_s": wall1 - wall0,
            "period": [period.start.isoformat(), period.end.isoformat()],
            "summary": result.as_json(),
            "org_before": before,
            "org_after": json.loads(json.dumps(org)),
            "qbtime": json.loads(json.dumps(box.store.qbtime)),
            "linked_employees": linked.count(),
            "employee_links": {int(x.qbt_id): x.xero_id for x in linked},
        }
        ctx.close()
    finally:
        box.stop()
    print(json.dumps(out, default=str), flush=True)


def invoicing(args: list[str]) -> None:
    """The Demo Company's organisation ``args[0]``, in-process simulators: the first import,
    invoicing turned on (signed in again for its scope), then one billing run over every
    day the file has hours for, every request of the run counted; the data its floor is
    derived from (api_floor.invoicing_floor)."""
    from datetime import date

    from core.app.cli import Output, cmd_connect_xero
    from core.app.invoicing import bill_time, turn_invoicing_on
    from core.app.sync import sync
    from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
    from core.store.models import Link

    names = {"AU": "Maison Verdure Australia", "UK": "Maison Verdure UK"}
    home = Path(args[1])
    home.mkdir(parents=True, exist_ok=True)
    box = Sandbox.open(DEMO_COMPANY_FILE, home / "state")
    try:
        org = next(o for o in box.store.xero_orgs if o["tenantName"] == names[args[0]])
        ep = Endpoints(box.xero_base, box.qbtime_base, box.qbtime_token, org["tenantId"])
        ctx, conn = connect(ep, home=home, keyring_backend=FileKeyring(home / "keyring.json"))
        sync(ctx, conn)
        turn_invoicing_on()
        cmd_connect_xero(ctx, Output(as_json=True, stream=open(os.devnull, "w")), None, None)
        # Billing as a later run does it (the bill-time command, a new context): in this
        # context the first write would go out with the token held from before signing in
        # again (a 401, then the new one): a call a later run does not make.
        ctx.close()
        ctx, conn = open_installation(ep, home)
        days = sorted(t["date"] for t in box.store.qbtime["timesheets"])
        start, end = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        before = json.loads(json.dumps(org))
        reset_counter(ctx)
        with Tally() as tally:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            result = bill_time(ctx, conn, start=start, end=end)
            cpu1, wall1 = time.process_time(), time.perf_counter()
        out = {
            "calls": dict(tally.counts),
            "sent": tally.sent,
            "cpu_s": cpu1 - cpu0,
            "wall_s": wall1 - wall0,
            "range": [start.isoformat(), end.isoformat()],
            "summary": result.as_json(),
            "org_before": before,
            "org_after": json.loads(json.dumps(org)),
            "qbtime": json.loads(json.dumps(box.store.qbtime)),
            "customer_links": {
                lk.xero_id: int(lk.qbt_id)
                for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
            },
        }
        ctx.close()
    finally:
        box.stop()
    print(json.dumps(out, default=str), flush=True)


def billing(args: list[str]) -> None:
    """An installation already imported (``HOME``, simulators in another process): invoicing
    turned on (signed in again for its scope), then, as a later run does it (a new
    context), one billing run over ``args[5]``..``args[6]``, every request counted."""
    from datetime import date

    from core.app.cli import Output, cmd_connect_xero
    from core.app.invoicing import bill_time, turn_invoicing_on
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.store.models import Link

    ep, home = Endpoints(*args[:4]), Path(args[4])
    start, end = date.fromisoformat(args[5]), date.fromisoformat(args[6])
    ctx, conn = open_installation(ep, home)
    ctx.opener = demo_consent_opener([ep.tenant_id])  # the Demo Company's consent, no browser
    turn_invoicing_on()
    cmd_connect_xero(ctx, Output(as_json=True, stream=open(os.devnull, "w")), None, None)
    ctx.close()
    ctx, conn = open_installation(ep, home)
    reset_counter(ctx)
    with Tally() as tally:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = bill_time(ctx, conn, start=start, end=end, include_unapproved=True)
        cpu1, wall1 = time.process_time(), time.perf_counter()
    out = {
        "calls": dict(tally.counts),
        "cpu_s": cpu1 - cpu0,
        "wall_s": wall1 - wall0,
        "summary": result.as_json(),
        "customer_links": {
            lk.xero_id: int(lk.qbt_id)
            for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
        },
    }
    ctx.close()
    print(json.dumps(out, default=str), flush=True)


KINDS = {
    "first": first,
    "scheduled": scheduled,
    "payroll": payroll,
    "invoicing": invoicing,
    "billing": billing,
}

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    KINDS[sys.argv[1]](sys.argv[2:])
