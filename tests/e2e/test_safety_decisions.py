"""Issue 11: a review decision may only link what makes sense, and the review CSV is read
strictly.

Each test drives the product as a user (or an attacker editing the file sent to an
accountant) would: ``review --export`` on the Demo Company, the CSV edited, ``review --import``
through the same entry point as ``main.py review --import FILE --json``, then a sync; the
QuickBooks Time simulator's state is checked.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

import main
from core.app.sync import sync
from core.store.models import Decision

pytestmark = pytest.mark.safety(
    "Review decisions and CSV files: a link only to a record of the same kind and level, never to the key's owner; cut files refused whole"
)

CHIP = "Chip Davis"  # Xero employee, look-alike of user "Chippy DAVIS"
MANLY = "Manly Wharf Hotel"  # Xero contact; its QB Time twin is archived
PATISSERIE = "Pâtisserie Éclair Bondi"  # Xero contact, near match of an active customer


def run(ctx: Any, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    """``main.py <argv> --json`` in process: (exit code, the JSON object printed)."""
    capsys.readouterr()
    code = main.run_command(main.build_parser().parse_args([*argv, "--json"]), ctx)
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


@pytest.fixture
def au(demo_ctx, capsys, tmp_path):
    """The Australian Demo Company after a first sync, and its review exported to CSV."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    path = tmp_path / "review.csv"
    code, _ = run(ctx, capsys, "review", "--export", str(path))
    assert code == 0
    return ctx, conn, path


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def row_of(rows: list[dict[str, str]], kind: str, name: str) -> dict[str, str]:
    return next(r for r in rows if r["kind"] == kind and r["xero_name"] == name)


def qbt(ctx: Any, kind: str, qbt_id: int) -> dict[str, Any]:
    return next(r for r in ctx.sandbox.store.qbtime[kind] if r["id"] == qbt_id)


def jobcode_named(ctx: Any, name: str, **where: Any) -> dict[str, Any]:
    return next(
        j
        for j in ctx.sandbox.store.qbtime["jobcodes"]
        if j["name"] == name and all(j[k] == v for k, v in where.items())
    )


def import_refused(ctx, conn, capsys, path, rows, edited_line: int) -> dict[str, Any]:
    """Import ``rows``; exactly the edited line is refused, nothing is saved; its problem."""
    path = path.with_name("edited.csv")  # the export stays as it was
    write(path, rows)
    code, result = run(ctx, capsys, "review", "--import", str(path))
    assert code == 0
    assert result["applied"] == 0
    assert [p["line"] for p in result["problems"]] == [edited_line], result["problems"]
    assert Decision.select().where(Decision.connection == conn.id).count() == 0
    return result["problems"][0]


def sync_changes_nothing_on(ctx, conn, kind: str, qbt_id: int) -> None:
    before = copy.deepcopy(qbt(ctx, kind, qbt_id))
    sync(ctx, conn)
    assert qbt(ctx, kind, qbt_id) == before


# -- what a decision may link to ------------------------------------------------------------------


def test_csv_linking_an_employee_to_the_key_owner_is_refused(au, capsys):
    """The reported attack: Chip Davis linked to user 1, the administrator behind the key."""
    ctx, conn, path = au
    owner = int(conn.qbtime_user_id)
    admin_before = copy.deepcopy(qbt(ctx, "users", owner))
    rows = read(path)
    chip = row_of(rows, "employee", CHIP)
    chip.update(decision="link", target_qbt_id=str(owner))
    line = rows.index(chip) + 2
    problem = import_refused(ctx, conn, capsys, path, rows, line)
    assert problem["reason"] == (
        f'QuickBooks Time user number {owner} ("Camille Tremblay") is the administrator whose '
        "access key this app uses: it is never linked to a Xero employee. Choose another user, "
        f'or Create new or Never import for "{CHIP}".'
    )
    sync(ctx, conn)
    assert qbt(ctx, "users", owner) == admin_before  # not renamed, not re-mailed


def test_csv_plain_link_to_an_archived_customer_is_refused(au, capsys):
    ctx, conn, path = au
    archived = jobcode_named(ctx, MANLY)
    assert archived["active"] is False
    rows = read(path)
    # an attacker points another customer at the archived one, with a plain "link"
    pat = row_of(rows, "customer", PATISSERIE)
    pat.update(decision="link", target_qbt_id=str(archived["id"]))
    line = rows.index(pat) + 2
    problem = import_refused(ctx, conn, capsys, path, rows, line)
    assert problem["reason"].startswith(
        f'QuickBooks Time record number {archived["id"]} ("{MANLY}") is archived. To use it, '
        'choose "Restore and link" (it will be restored in QuickBooks Time)'
    )
    sync_changes_nothing_on(ctx, conn, "jobcodes", archived["id"])
    # and the same on its own twin: a plain link is not a restore
    rows = read(path)
    twin = row_of(rows, "customer", MANLY)
    twin.update(decision="lier", target_qbt_id=str(archived["id"]))
    problem = import_refused(ctx, conn, capsys, path, rows, rows.index(twin) + 2)
    assert "is archived" in problem["reason"]
    sync_changes_nothing_on(ctx, conn, "jobcodes", archived["id"])


def test_restore_and_link_is_the_explicit_way_to_an_archived_customer(au, capsys):
    ctx, conn, path = au
    archived = jobcode_named(ctx, MANLY)
    rows = read(path)
    twin = row_of(rows, "customer", MANLY)
    twin.update(decision="Restore and link", target_qbt_id=str(archived["id"]))
    write(path, rows)
    code, result = run(ctx, capsys, "review", "--import", str(path))
    assert (code, result["applied"], result["problems"]) == (0, 1, [])
    preview = sync(ctx, conn, dry_run=True)
    restores = [a for a in preview.plan.actions if a.qbt_id == archived["id"]]
    assert "restore" in [a.op for a in restores]  # the preview says it will be restored
    sync(ctx, conn)
    assert qbt(ctx, "jobcodes", archived["id"])["active"] is True
    # "restore and link" on a record that is not archived is refused: nothing to restore
    assert run(ctx, capsys, "review", "--export", str(path))[0] == 0
    rows = read(path)
    pat = row_of(rows, "customer", PATISSERIE)
    target = int(pat["candidate_1_id"])
    pat.update(decision="restaurer et lier", target_qbt_id=str(target))
    write(path, rows)
    code, result = run(ctx, capsys, "review", "--import", str(path))
    assert [(p["line"], p["reason"]) for p in result["problems"]] == [
        (
            rows.index(pat) + 2,
            f'QuickBooks Time record number {target} ("Patisserie Eclair '
            'Bondi") is not archived, so there is nothing to restore: choose Link.',
        )
    ]


def test_csv_linking_a_customer_to_a_time_off_code_is_refused(au, capsys):
    ctx, conn, path = au
    pto = jobcode_named(ctx, "Annual Leave", type="pto")
    rows = read(path)
    pat = row_of(rows, "customer", PATISSERIE)
    pat.update(decision="link", target_qbt_id=str(pto["id"]))
    problem = import_refused(ctx, conn, capsys, path, rows, rows.index(pat) + 2)
    assert problem["reason"] == (
        f'QuickBooks Time record number {pto["id"]} ("Annual Leave") is a time-off code, not a '
        f'customer. Link "{PATISSERIE}" to a customer, or choose Create new or Never import.'
    )
    sync_changes_nothing_on(ctx, conn, "jobcodes", pto["id"])


def test_csv_linking_a_customer_to_a_child_job_is_refused(au, capsys):
    ctx, conn, path = au
    child = jobcode_named(ctx, "Dee Why Reserve")
    assert child["parent_id"] != 0
    rows = read(path)
    pat = row_of(rows, "customer", PATISSERIE)
    pat.update(decision="link", target_qbt_id=str(child["id"]))
    problem = import_refused(ctx, conn, capsys, path, rows, rows.index(pat) + 2)
    assert problem["reason"] == (
        f'QuickBooks Time record number {child["id"]} ("Dee Why Reserve") is a job inside '
        f'another customer, not a customer. Link "{PATISSERIE}" to a top-level customer, or '
        "choose Create new or Never import."
    )
    sync_changes_nothing_on(ctx, conn, "jobcodes", child["id"])


def test_csv_linking_a_customer_to_a_user_or_an_employee_to_a_jobcode_is_refused(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    chip = row_of(rows, "employee", CHIP)
    pat_job = jobcode_named(ctx, "Patisserie Eclair Bondi")
    chip.update(decision="link", target_qbt_id=str(pat_job["id"]))
    problem = import_refused(ctx, conn, capsys, path, rows, rows.index(chip) + 2)
    assert problem["reason"].startswith(f"No QuickBooks Time record number {pat_job['id']}")


def test_csv_link_to_a_record_linked_to_another_xero_record_is_refused(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    # "Hornsby Shire Council" is linked (same name) to its Xero contact by the first sync
    linked = jobcode_named(ctx, "Hornsby Shire Council")
    pat = row_of(rows, "customer", PATISSERIE)
    pat.update(decision="link", target_qbt_id=str(linked["id"]))
    problem = import_refused(ctx, conn, capsys, path, rows, rows.index(pat) + 2)
    assert problem["reason"].startswith(
        'That QuickBooks Time record is already linked to "Hornsby Shire Council"'
    )
    sync_changes_nothing_on(ctx, conn, "jobcodes", linked["id"])


def test_csv_rename_onto_an_existing_name_is_refused_when_read(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    long_name = next(
        r
        for r in rows
        if r["kind"] == "customer" and r["problem"] == "name_too_long" and not r["candidate_1_id"]
    )
    long_name.update(decision="rename", new_name="  mosman rowing CLUB ")
    taken = jobcode_named(ctx, "Mosman Rowing Club")
    problem = import_refused(ctx, conn, capsys, path, rows, rows.index(long_name) + 2)
    assert problem["reason"] == (
        f'"mosman rowing CLUB" is already the name of a record in QuickBooks Time (number '
        f"{taken['id']}). Choose another name, or choose Link to use that record."
    )
    count = len(ctx.sandbox.store.qbtime["jobcodes"])
    sync(ctx, conn)
    assert len(ctx.sandbox.store.qbtime["jobcodes"]) == count


def test_two_rows_renaming_to_the_same_new_name_second_is_refused(au, capsys):
    ctx, _conn, path = au
    rows = read(path)
    longs = [r for r in rows if r["kind"] == "customer" and r["problem"] == "name_too_long"]
    assert len(longs) == 2
    longs[0].update(decision="rename", new_name="Parks and Trust")
    longs[1].update(decision="rename", new_name="PARKS AND TRUST")
    write(path, rows)
    _code, result = run(ctx, capsys, "review", "--import", str(path))
    assert result["applied"] == 1
    assert [p["line"] for p in result["problems"]] == [rows.index(longs[1]) + 2]
    assert result["problems"][0]["reason"].startswith(
        '"PARKS AND TRUST" is already the new name chosen for '
    )


# -- a truncated file is refused as a whole -------------------------------------------------------


def _valid_first_edit(rows: list[dict[str, str]]) -> None:
    row_of(rows, "customer", PATISSERIE).update(decision="skip")


def _text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _assert_truncated(ctx, conn, capsys, path: Path, line: int, reason: str) -> None:
    code, result = run(ctx, capsys, "review", "--import", str(path))
    assert code != 0 and result["error"] == "ReviewFileTruncated"
    assert result["message"] == (
        f"The file {path} is incomplete or damaged at line {line}: {reason}. Nothing was "
        "changed. Export the review again, or save the whole file again from your spreadsheet "
        "program."
    )
    assert Decision.select().where(Decision.connection == conn.id).count() == 0


def test_truncated_csv_unterminated_quote_applies_nothing(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    _valid_first_edit(rows)
    chip = row_of(rows, "employee", CHIP)
    chip.update(decision="skip", note="checked, see the e-mail")
    text = _text(rows)
    cut = text.index("checked, see") + len("checked")  # the file ends inside a quoted note
    assert text[:cut].endswith('"checked')
    path.write_text(text[:cut], encoding="utf-8-sig", newline="")
    _assert_truncated(
        ctx,
        conn,
        capsys,
        path,
        rows.index(chip) + 2,
        "a quoted cell is never closed (the file may have been cut short)",
    )


def test_truncated_csv_cut_row_applies_nothing(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    _valid_first_edit(rows)
    text = _text(rows[:-1])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(list(rows[-1].values())[:3])
    path.write_text(text + buffer.getvalue(), encoding="utf-8-sig", newline="")
    _assert_truncated(
        ctx,
        conn,
        capsys,
        path,
        len(rows) + 1,
        f"the line has 3 of the {len(rows[0])} columns of the header (the file "
        "may have been cut short)",
    )


def test_truncated_csv_cut_inside_the_last_fingerprint_applies_nothing(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    _valid_first_edit(rows)
    rows[-1].update(decision="skip")
    text = _text(rows).rstrip("\r\n")
    path.write_text(text[:-5], encoding="utf-8-sig", newline="")
    _assert_truncated(ctx, conn, capsys, path, len(rows) + 1, "the line is cut short")


def test_csv_missing_columns_applies_nothing(au, capsys):
    ctx, conn, path = au
    rows = read(path)
    _valid_first_edit(rows)
    for row in rows:
        del row["fingerprint"]
    write(path, rows)
    code, result = run(ctx, capsys, "review", "--import", str(path))
    assert code != 0 and result["error"] == "ReviewFileUnreadable"
    assert "the columns fingerprint are missing" in result["message"]
    assert Decision.select().where(Decision.connection == conn.id).count() == 0


def test_a_saved_plain_link_to_an_archived_customer_does_not_restore_it(au):
    """A "link" decision saved before this rule (or by any other way in) is asked again by
    the plan; only "restore and link" restores."""
    ctx, conn, path = au
    archived = jobcode_named(ctx, MANLY)
    twin = row_of(read(path), "customer", MANLY)
    Decision.create(
        connection=conn,
        kind="customer",
        xero_id=twin["xero_id"],
        action="link",
        target_qbt_id=archived["id"],
        depends_on=twin["fingerprint"],
    )
    result = sync(ctx, conn)
    assert MANLY in {c.xero_name for c in result.plan.conflicts}
    assert qbt(ctx, "jobcodes", archived["id"])["active"] is False
    Decision.update(action="restore_link").where(Decision.xero_id == twin["xero_id"]).execute()
    sync(ctx, conn)
    assert qbt(ctx, "jobcodes", archived["id"])["active"] is True
