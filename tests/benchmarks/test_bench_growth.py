"""Growth: the first import at 1,000 / 10,000 / 100,000 contacts (issue 16).

Each size is the large organisation's shape scaled (60 % customers, 3 employees and 5 items
per 100 contacts, QuickBooks Time already holding 30 % of the customers and 1.5 users per
100 contacts). Each run: the simulators in another process (their own limits scaled up),
a fresh state, a fresh process of ours (tests/benchmarks/growth_worker.py) importing with
the product's real rate limiters on a virtual clock, so the wall time is the one the real
limits would impose (QuickBooks Time 300 calls per 5 minutes, Xero 60 per minute and 5,000
per day) without waiting it out.

Figures: calls, modelled wall time, our CPU (total and per phase), peak RSS, database size;
at 10,000 the median of 5 runs with their spread; from 10,000 to 100,000 the CPU per
contact (linear: 1.0); the estimate the preview shows against what the run made.

``XQB_BENCH_SKIP_100K=1`` leaves the 100,000-contact run out (it runs by default).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.sandbox.common import atomic_write_json
from tests.benchmarks.harness import ROOT, SandboxProcess, build_large_company

pytestmark = pytest.mark.benchmark

SIZES = (1_000, 10_000, 100_000)
RUNS = {1_000: 1, 10_000: 5, 100_000: 1}
SKIP_100K = os.environ.get("XQB_BENCH_SKIP_100K", "") not in ("", "0")


def scaled(contacts: int) -> dict[str, int]:
    return {
        "contacts": contacts,
        "customers": contacts * 6 // 10,
        "employees": contacts * 3 // 100,
        "items": contacts // 20,
        "tracking_categories": 2,
        "tracking_options": 50,
        "qbt_customers": contacts * 3 // 10,
        "qbt_users": contacts * 15 // 1000,
    }


def write_company(size: int, path: Path) -> None:
    atomic_write_json(path, build_large_company(1, scaled(size)))


@pytest.fixture(scope="module")
def growth_files(tmp_path_factory) -> dict[int, Path]:
    """The organisations, each written by a process of its own: the 100k one takes ~1 GB to
    build, which this process would keep (and every benchmark process forked from it would
    report as its own peak RSS)."""
    folder = tmp_path_factory.mktemp("growth")
    files = {}
    for size in SIZES:
        if size == 100_000 and SKIP_100K:
            continue
        path = folder / f"org-{size}.json"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from tests.benchmarks.test_bench_growth import write_company; "
                "write_company(int(sys.argv[1]), __import__('pathlib').Path(sys.argv[2]))",
                str(size),
                str(path),
            ],
            cwd=ROOT,
            check=True,
            timeout=600,
        )
        files[size] = path
    return files


def _one_run(data: Path, state: Path, *extra: str) -> dict[str, Any]:
    with SandboxProcess(data, state) as box:
        ep = box.endpoints
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.growth_worker",
                ep.xero_base,
                ep.qbtime_base,
                ep.qbtime_token,
                ep.tenant_id,
                *extra,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    if proc.returncode != 0:
        raise RuntimeError(f"the growth worker failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])


_MEASURED: dict[int, list[dict[str, Any]]] = {}
#: the 100,000-contact first import's simulator state and installation, for the re-imports
_KEPT: dict[int, tuple[Path, Path]] = {}


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose CPU is nearest the median: its other figures (phases, calls) are shown."""
    mid = statistics.median(r["cpu_s"] for r in runs)
    return min(runs, key=lambda r: abs(r["cpu_s"] - mid))


def _requests(calls: dict[str, Any], service: str) -> int:
    return int(calls[service]["requests"])


@pytest.mark.parametrize("size", SIZES, ids=[f"{s // 1000}k" for s in SIZES])
def test_growth(size, growth_files, tmp_path, results):
    if size == 100_000 and SKIP_100K:
        pytest.skip("XQB_BENCH_SKIP_100K is set")
    if size == 100_000:  # its installation is kept for the re-imports (test_reimport_100k)
        state, home = tmp_path / "state-0", tmp_path / "home-0"
        runs = [_one_run(growth_files[size], state, "--home", str(home))]
        _KEPT[size] = (state, home)
    else:
        runs = [_one_run(growth_files[size], tmp_path / f"state-{i}") for i in range(RUNS[size])]
    _MEASURED[size] = runs
    cpu = [r["cpu_s"] for r in runs]
    mid = statistics.median(cpu)
    run = _median_run(runs)
    k = f"{size // 1000}k"
    spread = (
        f"median of {len(runs)}: {min(cpu):.2f}-{max(cpu):.2f} s" if len(runs) > 1 else "one run"
    )
    phases = ", ".join(f"{name} {sec:.2f}" for name, sec in sorted(run["phases"].items()))
    print(f"\n[growth {k}]", {key: v for key, v in run.items() if key != "estimate"})
    print(f"[growth {k}] estimate:", run["estimate"])

    target_cpu = {10_000: ("<= 3", mid <= 3.0)}.get(size, ("n/a", None))
    results.add(
        f"growth {k}: our CPU, first import",
        mid,
        "s",
        target_cpu[0],
        target_cpu[1],
        f"{spread}; by phase: {phases}; full garbage collections "
        f"{run['full_collections']} ({run['full_collections_cpu_s']:.2f} s)",
    )
    rss = max(r["peak_rss_mb"] for r in runs)
    target_rss = {10_000: ("<= 300", rss <= 300), 100_000: ("<= 1000", rss <= 1000)}.get(
        size, ("n/a", None)
    )
    results.add(f"growth {k}: peak RSS of our process", rss, "MB", target_rss[0], target_rss[1])
    results.add(
        f"growth {k}: database size",
        run["db_mb"] + run["wal_mb"],
        "MB",
        "n/a",
        None,
        f"database {run['db_mb']:.1f} MB + write-ahead log {run['wal_mb']:.1f} MB",
    )
    xero, qbt = _requests(run["calls"], "xero"), _requests(run["calls"], "qbtime")
    results.add(
        f"growth {k}: calls (Xero + QuickBooks Time)",
        xero + qbt,
        "calls",
        "n/a",
        None,
        f"Xero {xero}, QuickBooks Time {qbt} "
        f"({sum(n for m, n in run['calls']['qbtime']['by_method'].items() if m != 'GET')} writes)",
    )
    results.add(
        f"growth {k}: wall time under the real rate limits (modelled)",
        run["modelled_wall_s"] / 60,
        "min",
        "n/a",
        None,
        f"{run['waited_s'] / 60:.1f} min waiting on the limits (virtual clock) + "
        f"{run['wall_s']:.0f} s of real time (both processes on this machine)",
    )
    # The estimate the preview would show, made before the import from the same plan.
    est = run["estimate"]
    fetched = run["calls_fetch"]
    qbt_import = qbt - _requests(fetched, "qbtime")
    xero_fetch = _requests(fetched, "xero")
    qbt_writes = sum(n for m, n in run["calls"]["qbtime"]["by_method"].items() if m != "GET")
    # writes and the Xero read exactly; the upkeep's last check may be skipped (1 call)
    off = est["qbtime_calls"] - qbt_import
    exact = (
        sum(est["qbtime_writes"].values()) == qbt_writes
        and est["xero_reads"] == xero_fetch
        and 0 <= off <= 1
    )
    results.add(
        f"growth {k}: estimate vs calls made",
        abs(off) + abs(est["xero_reads"] - xero_fetch),
        "calls",
        "<= 1 (writes exact)",
        exact,
        f"QuickBooks Time import: estimated {est['qbtime_calls']} "
        f"({sum(est['qbtime_writes'].values())} writes), made {qbt_import} ({qbt_writes} "
        f"writes); Xero read: estimated {est['xero_reads']}, made {xero_fetch}; estimated "
        f"wait {est['qbtime_wait_s'] / 60:.1f} min",
    )
    if size == 100_000:
        within = xero <= 5000 and not est["xero_daily_limit_hit"]
        results.add(
            "growth 100k: Xero calls / daily limit (5,000)",
            xero,
            "calls",
            "<= 5000, announced",
            within and exact,
            "the estimate said in advance whether the day's limit would stop the run",
        )


def test_reimport_100k_nothing_changed(growth_files, results):
    """Issue 16: at 100,000 contacts, the scheduled re-import with nothing changed runs in a
    few seconds and well under 1 GB (no whole snapshot parsed again). New processes on the
    first import's installation, as the scheduler starts them: the first after the import
    (QuickBooks Time changed by it: it plans once), a steady one (same inputs), and one the
    next day (the product's clock and day a day on: the daily whole read of the contacts,
    and the plan kept from the day before)."""
    if 100_000 not in _KEPT:
        pytest.skip("needs the 100k first import")
    state, home = _KEPT[100_000]
    for kind, extra in (
        ("first after the import", ()),
        ("steady", ()),
        ("the next day", ("--days-later", "1")),
    ):
        run = _one_run(
            growth_files[100_000], state, "--home", str(home), "--again", "--no-estimate", *extra
        )
        print(
            f"\n[growth 100k re-import, {kind}]", {k: v for k, v in run.items() if k != "estimate"}
        )
        made = run["calls"]
        label = f"growth 100k: re-import, nothing changed ({kind}, new process)"
        calls_note = (
            f"calls: Xero {_requests(made, 'xero')}, QuickBooks Time "
            f"{_requests(made, 'qbtime')}; import outcomes {run['outcomes'] or 'none'}"
        )
        results.add(
            f"{label}: our CPU",
            run["cpu_s"],
            "s",
            "<= 5 (a few seconds)",
            run["cpu_s"] <= 5.0,
            f"wall {run['wall_s']:.2f} s; {calls_note}; one run",
        )
        # Nothing changed in QuickBooks Time since the import, which proved its own writes
        # current: one last_modified_timestamps call says so for every list (the floor).
        qbt_calls = _requests(made, "qbtime")
        results.add(
            f"{label}: QuickBooks Time calls",
            qbt_calls,
            "calls",
            "<= 1 (one last_modified_timestamps)",
            qbt_calls <= 1,
            f"Xero {_requests(made, 'xero')}",
        )
        results.add(
            f"{label}: peak RSS",
            run["peak_rss_mb"],
            "MB",
            "<= 500 (well under 1 GB)",
            run["peak_rss_mb"] <= 500.0,
            "the whole process: interpreter, libraries and the app's modules included",
        )


def test_growth_is_linear_from_10k_to_100k(results):
    if 10_000 not in _MEASURED or 100_000 not in _MEASURED:
        pytest.skip("needs the 10k and 100k runs")
    per_10k = statistics.median(r["cpu_s"] for r in _MEASURED[10_000]) / 10_000
    per_100k = statistics.median(r["cpu_s"] for r in _MEASURED[100_000]) / 100_000
    ratio = per_100k / per_10k
    phases_10k = _median_run(_MEASURED[10_000])["phases"]  # (the first run is no median)
    phases_100k = _median_run(_MEASURED[100_000])["phases"]
    growth = ", ".join(
        f"{name} x{phases_100k[name] / phases_10k[name]:.1f}"
        for name in sorted(phases_100k)
        if phases_10k.get(name)
    )
    # What the data asks of the matcher and the plan: the look-alikes found (each a conflict
    # waiting for a decision, with its candidates), shown beside the CPU so a phase growing
    # with them reads as what it is (the generated names come from a fixed vocabulary).
    looks = [statistics.median(r["conflicts"] for r in _MEASURED[s]) for s in (10_000, 100_000)]
    results.add(
        "growth: CPU per contact, 100k / 10k",
        ratio,
        "ratio",
        "<= 1.0 (linear)",
        ratio <= 1.0,
        f"10x the contacts: CPU by phase {growth}; look-alikes to review "
        f"{looks[0]:.0f} -> {looks[1]:.0f} (x{looks[1] / max(looks[0], 1):.1f})",
    )
