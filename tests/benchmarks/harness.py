"""Shared by the benchmarks and their worker subprocesses: the large organisation, a
connected AppContext over simulators (in-process or in a subprocess), results.

Nothing here runs under `make test` (tests/benchmarks is in norecursedirs).
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS_FILE = ROOT / "bench-results.json"

# The shape issue #7 asks for.
LARGE = {
    "contacts": 10_000,
    "customers": 6_000,
    "employees": 300,
    "items": 500,
    "tracking_categories": 2,
    "tracking_options": 50,
    "qbt_customers": 3_000,
    "qbt_users": 150,
}

# Documented page sizes / batch size (references §3.1, §4; QB Time docs).
XERO_CONTACTS_PAGE = 1000
XERO_PAYROLL_PAGE = 100
QBT_PAGE = 200
QBT_BATCH = 50


# ---------------------------------------------------------------------------- results
@dataclass
class Row:
    name: str
    value: float
    unit: str
    target: str
    meets: bool | None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        data = {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "meets": self.meets,
        }
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)

    def add(
        self, name: str, value: float, unit: str, target: str, meets: bool | None, note: str = ""
    ) -> Row:
        row = Row(name, round(float(value), 4), unit, target, meets, note)
        self.rows = [r for r in self.rows if r.name != name] + [row]
        verdict = "n/a" if meets is None else ("meets" if meets else "MISSES")
        print(
            f"\n[bench] {name}: {row.value:g} {unit} (target {target}) -> {verdict}"
            + (f"  [{note}]" if note else ""),
            flush=True,
        )
        return row

    def table(self) -> str:
        head = ("benchmark", "value", "unit", "target", "meets")
        lines = [
            (
                r.name,
                f"{r.value:g}",
                r.unit,
                r.target,
                "n/a" if r.meets is None else ("yes" if r.meets else "MISS"),
            )
            for r in self.rows
        ]
        widths = [
            max(len(h), *(len(line[i]) for line in lines)) if lines else len(h)
            for i, h in enumerate(head)
        ]
        fmt = "  ".join(f"{{:{w}}}" for w in widths)
        out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*line) for line in lines]
        return "\n".join(out)

    def write(self, path: Path = RESULTS_FILE) -> None:
        path.write_text(
            json.dumps([r.as_json() for r in self.rows], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# ---------------------------------------------------------------------------- the large org
def build_large_company(seed: int = 1, size: dict[str, int] | None = None) -> dict[str, Any]:
    """generate_large(), post-processed to the issue's shape (see LARGE; ``size``: another
    shape with the same keys, e.g. the growth benchmark's 1,000 and 100,000 contacts)."""
    want_shape = size or LARGE
    from core.sandbox.demo_data import generate_large

    data = generate_large(
        contacts=want_shape["contacts"],
        employees=want_shape["employees"],
        items=want_shape["items"],
        region="AU",
        seed=seed,
    )
    rng = random.Random(f"bench-shape:{seed}")
    tenant = data["xero"]["organisations"][0]
    contacts = tenant["Contacts"]
    # Exactly 6,000 customers.
    customers = [c for c in contacts if c["IsCustomer"]]
    others = [c for c in contacts if not c["IsCustomer"]]
    want = want_shape["customers"]
    if len(customers) < want:
        for c in rng.sample(others, want - len(customers)):
            c["IsCustomer"] = True
    elif len(customers) > want:
        for c in rng.sample(customers, len(customers) - want):
            c["IsCustomer"] = False
    # 2 tracking categories x 50 options.
    for cat in tenant["TrackingCategories"][: want_shape["tracking_categories"]]:
        options = cat["Options"][: want_shape["tracking_options"]]
        n = len(options)
        while len(options) < want_shape["tracking_options"]:
            n += 1
            options.append(
                {
                    "TrackingOptionID": str(uuid.UUID(int=rng.getrandbits(128))),
                    "Name": f"{cat['Name']} {n:02d}",
                    "Status": "ACTIVE",
                }
            )
        cat["Options"] = options
    # QB Time: ~3,000 customers (top-level regular jobcodes), ~150 users.
    qbt = data["qbtime"]
    jobcodes = qbt["jobcodes"]
    top = [j for j in jobcodes if j["type"] == "regular" and j["parent_id"] == 0]
    taken = {j["name"].casefold() for j in jobcodes}
    template = top[0]
    next_id = max(j["id"] for j in jobcodes) + 1
    pool = [c for c in contacts if c["IsCustomer"] and c["Name"].casefold() not in taken]
    rng.shuffle(pool)
    for contact in pool[: max(0, want_shape["qbt_customers"] - len(top))]:
        jobcodes.append(
            {
                **template,
                "id": next_id,
                "name": contact["Name"][:64],
                "active": True,
                "locations": [],
                "required_customfields": [],
            }
        )
        taken.add(contact["Name"].casefold())
        next_id += 1
    users = qbt["users"]
    utemplate = users[-1]
    uid = max(u["id"] for u in users) + 1
    while len(users) < want_shape["qbt_users"]:
        users.append(
            {
                **utemplate,
                "id": uid,
                "first_name": "Casual",
                "last_name": f"Worker {uid}",
                "username": f"casual{uid}",
                "email": f"casual{uid}@example.net",
                "payroll_id": "",
                "pto_balances": {},
            }
        )
        uid += 1
    return data


def shape(data: dict[str, Any]) -> dict[str, int]:
    tenant = data["xero"]["organisations"][0]
    payroll = tenant.get("payroll") or {}
    employees = payroll.get("Employees") or payroll.get("employees") or []
    return {
        "contacts": len(tenant["Contacts"]),
        "customers": sum(1 for c in tenant["Contacts"] if c["IsCustomer"]),
        "employees": len(employees),
        "items": len(tenant["Items"]),
        "tracking_categories": len(tenant["TrackingCategories"]),
        "tracking_options": sum(len(t["Options"]) for t in tenant["TrackingCategories"]),
        "qbt_jobcodes": len(data["qbtime"]["jobcodes"]),
        "qbt_customers": sum(
            1 for j in data["qbtime"]["jobcodes"] if j["type"] == "regular" and j["parent_id"] == 0
        ),
        "qbt_users": len(data["qbtime"]["users"]),
    }


def write_large_company(path: Path, seed: int = 1) -> Path:
    from core.sandbox.common import atomic_write_json

    if not path.exists():
        atomic_write_json(path, build_large_company(seed))
    return path


# ---------------------------------------------------------------------------- a connected ctx
class MemoryKeyring:
    def __new__(cls):
        from tests.conftest import MemoryKeyring as _M

        return _M()


@dataclass
class Endpoints:
    xero_base: str
    qbtime_base: str
    qbtime_token: str
    tenant_id: str


def tenant_of(data_file: Path) -> str:
    data = json.loads(Path(data_file).read_text(encoding="utf-8"))
    return data["xero"]["organisations"][0]["tenantId"]


def connect(
    endpoints: Endpoints,
    *,
    sandbox: Any = None,
    home: Path | None = None,
    keyring_backend: Any = None,
) -> tuple[Any, Any]:
    """An AppContext connected to the simulators at ``endpoints`` (QB Time + the one org).

    ``ctx.sleep`` is a real sleep (a stub would turn every limiter wait into a busy loop).
    """
    import keyring

    from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
    from core.app.context import AppContext
    from core.sandbox.xero_config import demo_xero_settings
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore

    if home is not None:
        os.environ["XQB_HOME"] = str(home)
    backend = keyring_backend or MemoryKeyring()
    keyring.set_keyring(backend)
    paths = AppPaths.default().ensure()
    ctx = AppContext(
        paths,
        TokenStore(backend, trust_backend=True),
        demo_xero_settings(endpoints.xero_base),
        qbtime_base=endpoints.qbtime_base,
        sandbox=sandbox,
        opener=demo_consent_opener([endpoints.tenant_id]),
    )
    ctx.open_db()
    out = Output(as_json=True, stream=open(os.devnull, "w"))
    cmd_connect_qbtime(ctx, out, endpoints.qbtime_token)
    cmd_connect_xero(ctx, out, None, None)
    conn = pick_connection(None)
    assert conn is not None and conn.xero_tenant_id == endpoints.tenant_id
    return ctx, conn


def reset_counter(ctx: Any) -> None:
    from core.services.http import RequestCounter

    ctx.counter = RequestCounter()


def calls(ctx: Any) -> dict[str, Any]:
    snap = ctx.counter.snapshot()
    services = snap.get("services", {})

    def of(name: str) -> dict[str, Any]:
        svc = services.get(name, {})
        return {
            "requests": int(svc.get("requests", 0)),
            "by_method": dict(svc.get("by_method", {})),
            "by_status": dict(svc.get("by_status", {})),
            "rate_limited": int(svc.get("rate_limited", 0)),
            "retries": int(svc.get("retries", 0)),
            "waited_s": float(svc.get("waited_s", 0.0)),
        }

    return {"xero": of("Xero"), "qbtime": of("QuickBooks Time")}


# ---------------------------------------------------------------------------- simulators in a subprocess
class SandboxProcess:
    """``python -m core.sandbox --data FILE --state DIR``: simulators outside this process."""

    def __init__(
        self, data_file: Path, state_dir: Path, *, latency: float = 0.0, unlimited: bool = True
    ) -> None:
        # unlimited: the same simulators with their rate limits scaled far up (workers.sandbox)
        cmd = (
            [
                sys.executable,
                "-m",
                "tests.benchmarks.workers",
                "sandbox",
                str(data_file),
                str(state_dir),
                str(latency),
            ]
            if unlimited
            else [
                sys.executable,
                "-m",
                "core.sandbox",
                "--data",
                str(data_file),
                "--state",
                str(state_dir),
                "--latency",
                str(latency),
            ]
        )
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(5)
            raise RuntimeError("the sandbox subprocess did not start")
        info = json.loads(line)
        self.endpoints = Endpoints(
            info["xero_base"], info["qbtime_base"], info["qbtime_token"], tenant_of(data_file)
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_worker(
    args: Sequence[str],
    *,
    timeout: float = 600,
    env: dict[str, str] | None = None,
    module: str = "tests.benchmarks.workers",
) -> dict[str, Any]:
    """Run ``python -m MODULE ARGS``; its last stdout line is JSON."""
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------- minimum calls
def pages(n: int, size: int) -> int:
    return max(1, math.ceil(n / size))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value
