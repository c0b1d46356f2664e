"""Several businesses in one install (a bookkeeper's clients), through the headless commands
against the Demo Company: two pairs, each with its own keyring entries; `--org` chooses one,
and without it (or with a name that matches none) the command says which ones exist, exit 2."""

from __future__ import annotations

import json

import pytest

import main
from core.i18n import set_language
from core.store.secrets import TokenStore
from tests.e2e.keyring_entries import pair_entry

AU, UK = "Maison Verdure Australia", "Maison Verdure UK"
GROUP = "Maison Verdure Group"  # the Demo Company's first QuickBooks Time account


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv, as_json=True):
        code = main.main(
            [*argv, "--demo-state", str(state), *(["--json"] if as_json else [])], tokens=store
        )
        captured = capsys.readouterr()
        if not as_json:
            return code, captured.out, captured.err
        lines = captured.out.strip().splitlines()
        return code, (json.loads(lines[-1]) if lines else None)

    invoke.store = store
    invoke.keyring = memory_keyring
    return invoke


@pytest.fixture
def two_businesses(run):
    """AU with the first QuickBooks Time account, UK with the second (a new sign-up)."""
    assert run("connect-qbtime")[1]["qbtime_company"] == GROUP
    assert run("connect-xero", "--org", AU)[0] == 0
    code, out = run("connect-qbtime")  # the Demo Company's key of an account not used yet
    assert code == 0 and out["qbtime_company"] == UK
    code, out = run("connect-xero", "--org", UK)
    assert code == 0 and out["bound"]["organisation"] == UK, out
    return run


def test_each_business_has_its_own_keyring_entries(two_businesses):
    run = two_businesses
    names = {user for (_service, user) in run.keyring.store}
    marked = {pair_entry(run.keyring, k, n) for k in ("xero", "qbtime") for n in (1, 2)}
    assert "" not in marked and marked <= names
    # Nothing waits under the "being connected" keys any more, and the two pairs share no
    # secret: each has its own Xero refresh token (Xero rotates it at each use).
    assert not any(n in names for n in ("xero:signin", "qbtime:maisonverdure"))
    first, second = (json.loads(run.store.get(pair_entry(run.keyring, "xero", n))) for n in (1, 2))
    assert first["refresh_token"] != second["refresh_token"]
    assert run.store.get(pair_entry(run.keyring, "qbtime", 1)) != run.store.get(
        pair_entry(run.keyring, "qbtime", 2)
    )

    code, out = run("status")
    assert code == 0 and out["xero_sign_in"] == "connected"
    rows = {r["organisation"]: r for r in out["connections"]}
    assert set(rows) == {AU, UK}
    assert rows[AU]["qbtime_company"] == GROUP and rows[UK]["qbtime_company"] == UK
    assert all(r["xero_sign_in"] == "connected" for r in rows.values())
    assert all(r["qbtime_access_key"] == "present" for r in rows.values())


def test_without_org_the_command_lists_the_businesses_and_exits_2(two_businesses):
    run = two_businesses
    code, out = run("fetch")
    assert code == 2 and out["error"] == "AmbiguousConnection"
    assert "--org" in out["message"]
    assert [c["organisation"] for c in out["connections"]] == [AU, UK]
    assert [c["qbtime_company"] for c in out["connections"]] == [GROUP, UK]

    code, stdout, stderr = run("sync", "--dry-run", as_json=False)
    assert code == 2 and stdout == ""
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("Several businesses are connected: choose one with --org")
    assert any(AU in line and GROUP in line for line in lines[1:])
    assert any(UK in line and "--org" in line for line in lines[1:])


def test_the_list_is_said_in_french(two_businesses, monkeypatch):
    run = two_businesses
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")  # the commands speak the system's language
    try:
        code, _stdout, stderr = run("history", as_json=False)
    finally:
        set_language("en")
    assert code == 2
    first = stderr.strip().splitlines()[0]
    assert first.startswith("Plusieurs entreprises sont connectées\u00a0: choisissez")
    assert "--org" in first and "\u00a0:" in first


def test_an_unknown_org_is_refused_with_the_ones_that_exist(two_businesses):
    run = two_businesses
    code, out = run("fetch", "--org", "Maison Verdure Canada")
    assert code == 2 and out["error"] == "NoConnection"
    assert 'named "Maison Verdure Canada"' in out["message"]
    assert {c["organisation"] for c in out["connections"]} == {AU, UK}


def test_the_right_org_reads_that_business_only(two_businesses):
    run = two_businesses
    code, stdout, _err = run("fetch", "--org", UK, as_json=False)
    assert code == 0 and f'Read {UK} and QuickBooks Time "{UK}".' in stdout
    # A business can also be named by its QuickBooks Time company, or its tenant id.
    code, stdout, _err = run("fetch", "--org", GROUP.upper(), as_json=False)
    assert code == 0 and f'Read {AU} and QuickBooks Time "{GROUP}".' in stdout
    tenant = run("status")[1]["connections"][1]["tenant_id"]
    code, out = run("history", "--org", tenant)
    assert code == 0 and out["runs"] == []


def test_disconnecting_one_business_leaves_the_other_working(two_businesses):
    run = two_businesses
    code, out = run("disconnect", "--org", UK)
    assert code == 0 and out["problems"] == []
    assert pair_entry(run.keyring, "xero", 2) == pair_entry(run.keyring, "qbtime", 2) == ""
    # Xero revokes a whole grant when one of its refresh tokens is revoked: the other
    # business's sign-in must not be, so AU still reads without --org (the only one left).
    assert run.store.get(pair_entry(run.keyring, "xero", 1)) is not None
    code, out = run("fetch")
    assert code == 0, out
    code, out = run("status")
    assert [c["organisation"] for c in out["connections"]] == [AU]


def test_signing_in_again_for_one_business_replaces_only_its_sign_in(two_businesses):
    run = two_businesses
    before = {
        n: json.loads(run.store.get(pair_entry(run.keyring, "xero", n)))["refresh_token"]
        for n in (1, 2)
    }
    code, out = run("connect-xero", "--org", UK)
    assert code == 0 and out["bound"]["organisation"] == UK
    after = {
        n: json.loads(run.store.get(pair_entry(run.keyring, "xero", n)))["refresh_token"]
        for n in (1, 2)
    }
    assert after[1] == before[1] and after[2] != before[2]
    assert ("XeroQBTimeBridge", "xero:signin") not in run.keyring.store
    assert run("fetch", "--org", UK)[0] == 0 and run("fetch", "--org", AU)[0] == 0


def test_the_records_waiting_are_counted_in_the_engine_process(demo_ctx):
    """The home page's counts plan every business: the wizard's engine process does it (the
    window's process only receives the numbers), the same numbers as here."""
    import os

    from core.app import worker_process
    from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero
    from core.app.connections import demo_qbtime_key
    from core.app.decisions import records_needing_decision
    from core.app.worker_process import EngineProcess
    from core.services.auth.xero_oauth import demo_consent_opener
    from core.services.fetch import fetch
    from core.store.models import Connection

    ctx, au = demo_ctx("AU")
    fetch(ctx, au)
    with open(os.devnull, "w") as quiet:
        out = Output(as_json=True, stream=quiet)
        cmd_connect_qbtime(ctx, out, demo_qbtime_key(ctx))
        uk_tenant = next(
            o["tenantId"] for o in ctx.sandbox.store.xero_orgs if o["tenantName"] == UK
        )
        ctx.opener = demo_consent_opener([uk_tenant])
        assert cmd_connect_xero(ctx, out, UK, None) == 0
    uk = Connection.get(Connection.xero_tenant_name == UK)
    here = worker_process.decisions_waiting(ctx)  # no engine: in this process
    assert here == {au.id: records_needing_decision(au), uk.id: None}  # UK: nothing read yet
    assert here[au.id] > 0
    ctx.engine = EngineProcess.for_context(ctx)
    try:
        assert worker_process.decisions_waiting(ctx) == here
        assert ctx.engine.pid is not None and ctx.engine.pid != os.getpid()
    finally:
        ctx.engine.stop()
