"""Issue 11, "Protect the people and the account": the Demo Company driven as a user would
(the engine the wizard and the ``sync``/``undo`` commands use).

* The QuickBooks Time user behind the access key is never archived, renamed or re-mailed by
  an import or an undo, whatever Xero says and whatever was decided.
* A change to an administrator is a conflict that names them; only a decision applies it.
* Employees link automatically only on identical first name, last name AND e-mail; an
  e-mail on one side only is a look-alike, and no e-mail is written onto an existing user
  unless the user decided the link.
"""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from core.app.sync import load_options, save_options, sync, undo
from core.engine import review
from core.sandbox.server import DEMO_COMPANY_FILE
from core.store.models import Link

#: each test is one attack or bad input: counted "n of N held" by make soak (tests/figures.py)
pytestmark = pytest.mark.safety(
    "The key's owner and administrators never changed by an import; employees linked only on name and e-mail"
)

OWNER_ID = 1  # Camille Tremblay: administrator, the demo key's owner
OWNER_EMAIL = "camille.tremblay@maisonverdure.com"
SANDRINE_ID = 1204033  # Sandrine Côté: made an administrator below
SANDRINE_EMAIL = "sandrine.cote@maisonverdure.com"
HARPER_ID = 1204145  # Harper Singh: no e-mail in QuickBooks Time, one in Xero (AU)
TERMINATED = {"Status": "TERMINATED", "TerminationDate": "/Date(1553212800000+0000)/"}


def _demo(tmp_path, employees=(), admins=()):
    """The Demo Company with more AU payroll employees (dicts of Xero fields) and more
    QuickBooks Time administrators; returns {"First Last": EmployeeID} of those added."""
    data = json.loads(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))
    org = next(
        o for o in data["xero"]["organisations"] if o["tenantName"] == "Maison Verdure Australia"
    )
    people = org["payroll"]["Employees"]
    template = next(e for e in people if e["Status"] == "ACTIVE" and e.get("Email"))
    added = {}
    for fields in employees:
        employee = copy.deepcopy(template)
        employee.pop("TerminationDate", None)
        employee.update(EmployeeID=str(uuid.uuid4()), **fields)
        if not fields.get("Email"):
            employee.pop("Email", None)
        people.append(employee)
        added[f"{fields['FirstName']} {fields['LastName']}"] = employee["EmployeeID"]
    for user in data["qbtime"]["users"]:
        if user["id"] in admins:
            user["permissions"]["admin"] = True
    (tmp_path / "company.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path / "company.json", added


def _user(store, user_id):
    return next(u for u in store.qbtime["users"] if u["id"] == user_id)


def _who(user):
    return (user["first_name"], user["last_name"], user.get("email", ""), user["active"])


def _conflict(result, xero_id):
    return next((c for c in result.plan.conflicts if c.xero_id == xero_id), None)


def test_a_terminated_employee_with_the_owners_email_never_archives_the_owner(demo_ctx, tmp_path):
    """The reported attack: the owner, once on payroll, terminated in Xero with the
    administrator's name and e-mail; a default sync with "archive unmatched" on."""
    data_file, added = _demo(
        tmp_path, [dict(FirstName="Camille", LastName="Tremblay", Email=OWNER_EMAIL, **TERMINATED)]
    )
    ctx, conn = demo_ctx("AU", data_file=data_file)
    store = ctx.sandbox.store
    save_options(conn, load_options(conn).with_values(archive_unmatched=True))
    owner_before = _who(_user(store, OWNER_ID))
    assert owner_before[3] is True

    result = sync(ctx, conn)
    assert _who(_user(store, OWNER_ID)) == owner_before, "the key's owner was changed"
    eid = added["Camille Tremblay"]
    conflict = _conflict(result, eid)
    assert conflict is not None and conflict.problem == "key_owner"
    assert [c.qbt_id for c in conflict.candidates] == [OWNER_ID]
    text = conflict.describe("en")
    assert "Camille Tremblay" in text and OWNER_EMAIL in text
    assert "the QuickBooks Time user whose access key this app uses" in text
    assert "archive" in text
    assert "clé d’accès" in conflict.describe("fr")
    assert not any(a.qbt_id == OWNER_ID and a.op != "link" for a in result.plan.actions)

    # Whatever is decided, the owner is never changed; the conflict is then settled.
    review.decide(conn, conflict, "skip")
    again = sync(ctx, conn)
    assert _who(_user(store, OWNER_ID)) == owner_before
    assert _conflict(again, eid) is None
    assert any(s.xero_id == eid for s in again.plan.skipped)


def test_a_change_to_an_administrator_waits_for_a_decision_that_names_them(demo_ctx, tmp_path):
    data_file, added = _demo(
        tmp_path,
        [dict(FirstName="Sandrine", LastName="Côté", Email=SANDRINE_EMAIL, **TERMINATED)],
        admins={SANDRINE_ID},
    )
    ctx, conn = demo_ctx("AU", data_file=data_file)
    store = ctx.sandbox.store
    save_options(conn, load_options(conn).with_values(archive_unmatched=True))

    result = sync(ctx, conn)
    assert _user(store, SANDRINE_ID)["active"] is True, "an administrator was archived"
    conflict = _conflict(result, added["Sandrine Côté"])
    assert conflict is not None and conflict.problem == "administrator"
    text = conflict.describe("en")
    assert "Sandrine Côté" in text and SANDRINE_EMAIL in text and "administrator" in text
    assert "administrateur" in conflict.describe("fr")

    # The user's decision, and only it, applies the change.
    review.decide(conn, conflict, "link", target_qbt_id=SANDRINE_ID)
    decided = sync(ctx, conn)
    assert _user(store, SANDRINE_ID)["active"] is False
    assert _conflict(decided, added["Sandrine Côté"]) is None


def test_a_namesake_of_an_administrator_with_other_data_renames_or_remails_nobody(
    demo_ctx, tmp_path
):
    """Same name as an administrator, another e-mail: even a link the user decided does not
    re-mail an administrator without a decision on that very change."""
    data_file, added = _demo(
        tmp_path,
        [
            dict(
                FirstName="Sandrine",
                LastName="Côté",
                Email="sandrine.cote@gmail.com",
                Status="ACTIVE",
            )
        ],
        admins={SANDRINE_ID},
    )
    ctx, conn = demo_ctx("AU", data_file=data_file)
    store = ctx.sandbox.store
    sandrine_before = _who(_user(store, SANDRINE_ID))
    eid = added["Sandrine Côté"]

    first = sync(ctx, conn)
    assert _who(_user(store, SANDRINE_ID)) == sandrine_before
    near = _conflict(first, eid)
    assert near is not None and near.candidates[0].qbt_id == SANDRINE_ID
    review.decide(conn, near, "link", target_qbt_id=SANDRINE_ID)  # "it is her"

    second = sync(ctx, conn)
    assert _who(_user(store, SANDRINE_ID)) == sandrine_before, "an administrator was re-mailed"
    guarded = _conflict(second, eid)
    assert guarded is not None and guarded.problem == "administrator"
    assert "sandrine.cote@gmail.com" in guarded.describe("en")
    review.decide(conn, guarded, "skip")
    third = sync(ctx, conn)
    assert _who(_user(store, SANDRINE_ID)) == sandrine_before and _conflict(third, eid) is None


def test_a_link_to_the_owner_never_renames_or_remails_them(demo_ctx, tmp_path):
    """A link to the owner (made by an earlier version, or a hostile review file) with
    another name and e-mail in Xero: the owner stays as they are."""
    data_file, added = _demo(
        tmp_path,
        [dict(FirstName="Chip", LastName="Davis", Email="chip@attacker.example", Status="ACTIVE")],
    )
    ctx, conn = demo_ctx("AU", data_file=data_file)
    store = ctx.sandbox.store
    owner_before = _who(_user(store, OWNER_ID))
    Link.create(connection=conn, kind="employee", xero_id=added["Chip Davis"], qbt_id=OWNER_ID)

    result = sync(ctx, conn)
    assert _who(_user(store, OWNER_ID)) == owner_before, "the key's owner was renamed/re-mailed"
    conflict = _conflict(result, added["Chip Davis"])
    assert conflict is not None and conflict.problem == "key_owner"
    assert "Camille Tremblay" in conflict.describe("en")


def test_an_email_on_one_side_only_is_a_look_alike_and_is_not_written(demo_ctx):
    """Harper Singh: e-mail in Xero, none in QuickBooks Time. Ava Thompson: none on either
    side (the same e-mail: linked)."""
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    harper = _user(store, HARPER_ID)
    assert (harper["first_name"], harper["last_name"], harper.get("email", "")) == (
        "Harper",
        "Singh",
        "",
    )

    first = sync(ctx, conn)
    assert _user(store, HARPER_ID).get("email", "") == "", "an e-mail was written unasked"
    links = {
        row.xero_id: row.qbt_id
        for row in Link.select().where((Link.connection == conn) & (Link.kind == "employee"))
    }
    assert HARPER_ID not in links.values()
    conflict = next(
        c for c in first.plan.conflicts if c.kind == "employee" and c.xero_name == "Harper Singh"
    )
    best = conflict.candidates[0]
    assert (best.qbt_id, best.reason_code) == (HARPER_ID, "same_name_no_email")
    assert "only one of the two has an e-mail" in best.describe("en")
    ava = next(u["id"] for u in store.qbtime["users"] if u["first_name"] == "Ava")
    assert ava in links.values()

    # The user decides the link: now, and only now, Xero's e-mail reaches QuickBooks Time.
    review.decide(conn, conflict, "link", target_qbt_id=HARPER_ID)
    sync(ctx, conn)
    assert _user(store, HARPER_ID)["email"] == "harper.singh@maisonverdure.com.au"


def test_undo_never_archives_the_user_behind_the_key(demo_ctx):
    """An import created a user who later became the administrator whose access key the app
    uses: undoing that import archives the others it created, never them."""
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    result = sync(ctx, conn)
    created = [
        e
        for e in Link.select().where(
            (Link.connection == conn)
            & (Link.kind == "employee")
            & (Link.created_by_run == result.run.id)
        )
    ]
    created_ids = [
        row.qbt_id
        for row in created
        if row.qbt_id
        not in {
            u["id"]
            for u in json.loads(DEMO_COMPANY_FILE.read_text(encoding="utf-8"))["qbtime"]["users"]
        }
    ]
    assert len(created_ids) >= 2
    new_owner, *others = created_ids
    _user(store, new_owner)["permissions"]["admin"] = True
    store.qbtime["current_user_id"] = new_owner  # the app's key is now theirs

    undo(ctx, conn, result.run.id)
    assert _user(store, new_owner)["active"] is True, "undo archived the key's owner"
    assert all(_user(store, uid)["active"] is False for uid in others)


def test_the_owner_attack_through_the_headless_commands(tmp_path, memory_keyring, capsys):
    """The same attack as a scheduled run meets it: `connect-qbtime`, `connect-xero`,
    `options archive_unmatched=true`, `sync` on a Demo Company whose Xero has the owner,
    terminated. The owner stays active, named in the output as a conflict to decide."""
    import main
    from core.store.secrets import TokenStore

    data_file, _added = _demo(
        tmp_path, [dict(FirstName="Camille", LastName="Tremblay", Email=OWNER_EMAIL, **TERMINATED)]
    )
    tokens = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"
    demo = ["--demo-data", str(data_file), "--demo-state", str(state)]

    def run(*argv):
        code = main.main([*argv, *demo, "--json"], tokens=tokens)
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out else None)

    assert run("connect-qbtime")[0] == 0
    assert run("connect-xero", "--org", "Maison Verdure Australia")[0] == 0
    assert run("options", "archive_unmatched=true")[0] == 0
    code, out = run("sync")
    assert code == 0, out
    assert out["conflicts"] >= 1
    users = json.loads((state / "qbtime.json").read_text(encoding="utf-8"))["users"]
    owner = next(u for u in users if u["id"] == OWNER_ID)
    assert owner["active"] is True and owner["email"] == OWNER_EMAIL
    assert (owner["first_name"], owner["last_name"]) == ("Camille", "Tremblay")
    code = main.main(["review", *demo], tokens=tokens)
    listing = capsys.readouterr().out
    assert code == 0 and "Camille Tremblay" in listing and OWNER_EMAIL in listing


def test_the_review_command_lists_what_sync_waits_on_not_a_former_employee(
    demo_ctx, tmp_path, capsys
):
    """A former employee with a namesake in QuickBooks Time is settled by the plan (left
    out: no longer employed), not asked about. ``review`` listed it anyway ("0 of 23
    decided" where ``sync`` said 22 waited), and a decision on it changed nothing: the
    command lists what the review screen lists (core.app.review_screen.review_conflicts)."""
    from core.app.cli import Output, cmd_review

    data_file, added = _demo(
        tmp_path,
        [dict(FirstName="Sandrine", LastName="Côté", Email="sandrine@example.com", **TERMINATED)],
    )
    ctx, conn = demo_ctx("AU", data_file=data_file)
    result = sync(ctx, conn)
    former = added["Sandrine Côté"]
    assert any(c.xero_id == former for m in result.plan.matches.values() for c in m.conflicts)
    assert _conflict(result, former) is None  # settled, not waiting
    capsys.readouterr()
    assert cmd_review(ctx, Output(as_json=True), None, None, None) == 0
    said = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert said["conflicts"] == len(result.plan.conflicts) > 0
    capsys.readouterr()
    assert cmd_review(ctx, Output(), None, None, None) == 0
    assert "Sandrine" not in capsys.readouterr().out
