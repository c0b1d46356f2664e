"""A Demo Company file (--demo-data) that cannot be used is refused with a sentence naming it
and what is wrong, in English and French, before anything is written to the state folder;
every valid company file (the built-in one, with a byte order mark, a generated large
organisation) still loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import core.company_file as company_file
from core.errors import CompanyFileInvalid, DemoStateFolderUnusable, DemoStateInvalid
from core.sandbox.common import COMPANY_FILE, CompanyStore
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox

GOOD = '{"xero":{"organisations":[]},"qbtime":{}}'


def _org(**extra):
    return {"tenantId": "t-1", "tenantName": "One", **extra}


def _company(orgs=(), qbtime=None):
    return json.dumps({"xero": {"organisations": list(orgs)}, "qbtime": qbtime or {}})


#: name -> (file content as bytes, a directory, or None for a missing file; English reason part)
BAD = {
    "missing": (None, "there is no such file"),
    "directory": ("DIR", "it is a folder, not a file"),
    "empty": (b"  \n", "it is empty"),
    "not json": (b"hello", "not valid JSON (the first mistake is at line 1, column 1)"),
    "bad json on line 2": (b'{"xero": {},\n  oops}', "at line 2, column 3"),
    "utf-16": (GOOD.encode("utf-16"), "UTF-16"),
    "latin-1": ('{"xero":{"organisations":[]},"qbtime":{"x":"é"}}'.encode("latin-1"), "not UTF-8"),
    "truncated": (b'{"xero":{"organisations":[]},"qbt', "cut short"),
    "truncated after comma": (b'{"xero":{"organisations":[]},', "cut short"),
    "deep nesting": (b"[" * 200_000 + b"]" * 200_000, "nested more than 100 levels"),
    "deep but loadable": (
        ('{"xero":{"organisations":[]},"qbtime":{"x":' + "[" * 500 + "]" * 500 + "}}").encode(),
        "nested more than 100 levels",
    ),
    "5000-digit number": (
        ('{"xero":{"organisations":[]},"qbtime":{},"n":' + "9" * 5000 + "}").encode(),
        "more than 4300 digits",
    ),
    "NaN": (b'{"xero":{"organisations":[]},"qbtime":{"n":NaN}}', "holds NaN"),
    "list at top": (b"[]", "its top level is a list"),
    "text at top": (b'"company"', "its top level is text"),
    "xero a list": (b'{"xero":[],"qbtime":{}}', "xero is a list, where a JSON object is needed"),
    "organisations an object": (
        b'{"xero":{"organisations":{}},"qbtime":{}}',
        "xero.organisations is an object, where a list is needed",
    ),
    "organisation not an object": (
        _company(["t-1"]).encode(),
        "xero.organisations[0] is text, where a JSON object is needed",
    ),
    "no tenantId": (_company([{}]).encode(), "xero.organisations[0] has no tenantId"),
    "tenantId a number": (_company([{"tenantId": 7}]).encode(), "has no tenantId"),
    "duplicate tenantId": (
        _company([_org(), _org(tenantName="Two")]).encode(),
        "two organisations have the tenantId t-1",
    ),
    "tenantName a number": (
        _company([_org(tenantName=3)]).encode(),
        "xero.organisations[0].tenantName is a number, where text is needed",
    ),
    "payroll a list": (
        _company([_org(payroll=[])]).encode(),
        "xero.organisations[0].payroll is a list",
    ),
    "contact not an object": (
        _company([_org(Contacts=[{"ContactID": "c"}, 5])]).encode(),
        "xero.organisations[0].Contacts[1] is a number",
    ),
    "qbtime a list": (b'{"xero":{"organisations":[]},"qbtime":[]}', "qbtime is a list"),
    "qbtime row not an object": (
        _company(qbtime={"jobcodes": [None]}).encode(),
        "qbtime.jobcodes[0] is null",
    ),
    # passes the shape checks; the QuickBooks Time simulator needs every jobcode's id
    "jobcode without id": (
        _company(qbtime={"jobcodes": [{"assigned_to_all": True, "name": "x"}]}).encode(),
        "its records are not what the Demo Company reads (KeyError",
    ),
}


def _write(tmp_path: Path, content) -> Path:
    path = tmp_path / "bad company.json"
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_company_file_is_refused_clearly_and_writes_nothing(tmp_path, case):
    content, reason = BAD[case]
    path = _write(tmp_path, content)
    state = tmp_path / "state"
    with pytest.raises(CompanyFileInvalid) as refused:
        Sandbox.open(path, state)
    english = refused.value.user_message("en")
    assert f"The Demo Company file {path.absolute()} cannot be used: " in english
    assert reason in english
    assert "--demo-data" in english and "Nothing was saved" in english
    french = refused.value.user_message("fr")
    assert f"Le fichier de Demo Company {path.absolute()} ne peut pas être utilisé" in french
    french_reason = french.split("utilisé\u00a0: ", 1)[1].split(". Rien", 1)[0]
    assert french_reason and french_reason not in english  # the reason is French too
    assert _files(state) == []  # nothing written: no half state to trip a later start
    # the same state folder then starts the built-in Demo Company
    box = Sandbox.open(DEMO_COMPANY_FILE, state)
    try:
        assert len(box.store.xero_orgs) == 3
        assert (state / COMPANY_FILE).exists()
    finally:
        box.stop()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(company_file, "MAX_COMPANY_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.json"
    path.write_text(GOOD + " " * (1024 * 1024), encoding="utf-8")
    with pytest.raises(CompanyFileInvalid) as refused:
        CompanyStore.load(path, tmp_path / "state")
    assert "it is 2 MB, more than the 1 MB a company file may hold" in refused.value.user_message(
        "en"
    )
    assert "il fait 2\u00a0Mo" in refused.value.user_message("fr") or "il fait 2 Mo" in (
        refused.value.user_message("fr")
    )
    assert not (tmp_path / "state").exists()


def test_the_size_limit_lets_the_largest_benchmark_organisation_through():
    """The growth benchmark's 100,000-contact organisation is ~16 MB per 10,000 contacts."""
    assert company_file.MAX_COMPANY_FILE_BYTES >= 3 * 160 * 1024 * 1024 // 2


def test_the_built_in_demo_company_loads_and_keeps_its_state(tmp_path):
    state = tmp_path / "state"
    box = Sandbox.open(DEMO_COMPANY_FILE, state)
    try:
        tenants = [o["tenantId"] for o in box.store.xero_orgs]
        assert len(tenants) == 3 and (state / COMPANY_FILE).exists()
    finally:
        box.stop()
    # an existing state wins over the company file named (as before)
    other = tmp_path / "other.json"
    other.write_text(_company([_org()]), encoding="utf-8")
    box = Sandbox.open(other, state)
    try:
        assert [o["tenantId"] for o in box.store.xero_orgs] == tenants
    finally:
        box.stop()


def test_a_company_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + DEMO_COMPANY_FILE.read_bytes())
    box = Sandbox.open(path, tmp_path / "state")
    try:
        assert len(box.store.xero_orgs) == 3
    finally:
        box.stop()


def test_minimal_company_files_load(tmp_path):
    for i, text in enumerate(["{}", GOOD, _company([{"tenantId": "x"}])]):
        path = tmp_path / f"min{i}.json"
        path.write_text(text, encoding="utf-8")
        box = Sandbox.open(path, tmp_path / f"state{i}")
        box.stop()


def test_a_generated_large_organisation_loads(tmp_path):
    from core.sandbox.common import atomic_write_json
    from tests.benchmarks.harness import build_large_company
    from tests.benchmarks.test_bench_growth import scaled

    path = tmp_path / "org.json"
    atomic_write_json(path, build_large_company(1, scaled(400)))
    box = Sandbox.open(path, tmp_path / "state")
    try:
        assert len(box.store.xero_orgs[0]["Contacts"]) == 400
        assert (tmp_path / "state" / COMPANY_FILE).exists()
    finally:
        box.stop()


def test_a_spoilt_saved_state_is_said_with_its_folder(tmp_path):
    """A state folder spoilt before this fix (a bad file saved into it) is named, with the
    remedy, and left as it was."""
    state = tmp_path / "state"
    state.mkdir()
    (state / COMPANY_FILE).write_text('{"xero": {"organisations": [{}]}, "qbtime": {}}')
    before = (state / COMPANY_FILE).read_bytes()
    with pytest.raises(DemoStateInvalid) as refused:
        Sandbox.open(DEMO_COMPANY_FILE, state)
    english = refused.value.user_message("en")
    assert str(state) in english and "company.json" in english and "Delete that folder" in english
    assert "n’a pas de tenantId" in refused.value.user_message("fr")
    assert (state / COMPANY_FILE).read_bytes() == before
    assert _files(state) == [state / COMPANY_FILE]


def test_the_cli_says_what_is_wrong_and_a_later_demo_start_works(tmp_path, capsys, memory_keyring):
    import main
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore

    tokens = TokenStore(memory_keyring, trust_backend=True)
    bad = tmp_path / "bad.json"
    bad.write_text('{"xero": {"organisations": [{}]}, "qbtime": {}}', encoding="utf-8")
    code = main.main(["--demo-data", str(bad), "status"], tokens=tokens)
    out = capsys.readouterr()
    said = out.out + out.err
    assert code != 0
    assert f"The Demo Company file {bad} cannot be used" in said and "tenantId" in said
    assert "unexpected" not in said
    assert _files(AppPaths.default().demo_state) == []  # the default state is not spoilt
    assert main.main(["--demo", "status"], tokens=tokens) == 0
    assert "unexpected" not in capsys.readouterr().out


def test_the_wizard_child_process_says_the_same(tmp_path):
    """The wizard runs the Demo Company in a child process: its refusal comes back as the
    same error (not "did not start"), translatable."""
    from core.sandbox.process import DemoCompanyProcess

    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"xero":{"organisations":[]},"qbt')
    state = tmp_path / "state"
    with pytest.raises(CompanyFileInvalid) as refused:
        DemoCompanyProcess.start(bad, state, log_file=tmp_path / "demo.log", timeout=60)
    assert f"{bad.absolute()} cannot be used: it is cut short" in refused.value.user_message("en")
    assert "il est tronqué" in refused.value.user_message("fr")
    assert _files(state) == []


def test_the_wizard_shows_the_sentence_in_the_users_language(tmp_path, monkeypatch):
    """The window's start: the child's refusal is shown in the start-up dialog (not "Something
    unexpected"), in the language the user reads."""
    from PySide6.QtWidgets import QMessageBox

    import core.i18n
    import main
    from wizard.i18n import install_language

    monkeypatch.setattr(core.i18n, "_default_language", "en")  # (put back after the test)
    monkeypatch.setenv("LC_ALL", "fr_CA.UTF-8")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _p, _t, m: shown.append(m)))
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    try:
        code = main.main(["--demo-data", str(bad), "--demo-state", str(tmp_path / "state")])
    finally:
        install_language("en")  # the window's language back to English for later tests
    assert code == 1
    assert len(shown) == 1
    assert f"Le fichier de Demo Company {bad} ne peut pas être utilisé" in shown[0]
    assert "son niveau supérieur est une liste" in shown[0]
    assert not (tmp_path / "state").exists()


def test_a_state_folder_that_is_a_file_is_refused_and_left_alone(tmp_path):
    """``--demo-state`` naming a file (or a path through one) is said as such, with what to
    do, and the file is not touched (it was "Something unexpected (NotADirectoryError)")."""
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    with pytest.raises(DemoStateFolderUnusable) as refused:
        Sandbox.open(DEMO_COMPANY_FILE, afile)
    english = refused.value.user_message("en")
    assert f"keep its state in {afile}: it is a file, not a folder" in english
    assert "Give --demo-state a folder" in english
    assert "c’est un fichier, pas un dossier" in refused.value.user_message("fr")
    with pytest.raises(DemoStateFolderUnusable) as refused:
        Sandbox.open(DEMO_COMPANY_FILE, afile / "state")
    assert f"{afile} is a file, not a folder" in refused.value.user_message("en")
    assert afile.read_text() == "mine"


def test_a_state_folder_the_app_may_not_write_in_is_refused(tmp_path, monkeypatch):
    import core.files

    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(core.files.os, "access", lambda path, mode: Path(path) != locked)
    for state in (locked, locked / "new"):
        with pytest.raises(DemoStateFolderUnusable) as refused:
            Sandbox.open(DEMO_COMPANY_FILE, state)
        assert f"does not let the app save files in {locked}" in refused.value.user_message("en")
    assert _files(locked) == []


def test_the_cli_and_the_wizard_child_say_a_state_file_plainly(tmp_path, capsys, memory_keyring):
    import main
    from core.sandbox.process import DemoCompanyProcess
    from core.store.secrets import TokenStore

    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    tokens = TokenStore(memory_keyring, trust_backend=True)
    assert main.main(["--demo-state", str(afile), "status"], tokens=tokens) != 0
    out = capsys.readouterr()
    said = out.out + out.err
    assert f"keep its state in {afile}: it is a file, not a folder" in said
    assert "unexpected" not in said
    with pytest.raises(DemoStateFolderUnusable) as refused:
        DemoCompanyProcess.start(None, afile, log_file=tmp_path / "demo.log", timeout=60)
    assert "il est créé s’il manque" in refused.value.user_message("fr")
    assert afile.read_text() == "mine"
