"""Benchmark 6: fetching 10,000 contacts from the simulator, our client vs xero-python."""

from __future__ import annotations

import pytest

from tests.benchmarks.harness import SandboxProcess, median, run_worker

pytestmark = pytest.mark.benchmark

REPEATS = 3  # wall time: median of 3 per client; memory: one traced run each


def test_peer_contacts(large_company, tmp_path, results):
    pytest.importorskip("xero_python", reason="pip install -e '.[benchmarks]'")
    with SandboxProcess(large_company, tmp_path / "state") as box:
        e = box.endpoints
        base = [e.xero_base, e.qbtime_base, e.qbtime_token, e.tenant_id]
        ours, sdk = [], []
        for _ in range(REPEATS):  # interleaved, so drift hits both alike
            ours.append(run_worker(["ours_contacts", *base]))
            sdk.append(run_worker(["sdk_contacts", *base]))
        ours_mem = run_worker(["ours_contacts", *base, "trace"])
        sdk_mem = run_worker(["sdk_contacts", *base, "trace"])
    assert all(r["count"] == 10_000 for r in ours + sdk)
    t_ours, t_sdk = median([r["wall_s"] for r in ours]), median([r["wall_s"] for r in sdk])
    results.add(
        "peer: contacts fetch wall time, ours / xero-python",
        t_ours / t_sdk,
        "ratio",
        "<= 1 (not slower)",
        t_ours <= t_sdk,
        f"{t_ours:.2f} s vs {t_sdk:.2f} s, median of {REPEATS}, interleaved",
    )
    m_ours, m_sdk = ours_mem["peak_bytes"], sdk_mem["peak_bytes"]
    results.add(
        "peer: contacts fetch peak memory, ours / xero-python",
        m_ours / m_sdk,
        "ratio",
        "<= 1 (not larger)",
        m_ours <= m_sdk,
        f"tracemalloc peak {m_ours / 2**20:.1f} MB vs {m_sdk / 2**20:.1f} MB",
    )
