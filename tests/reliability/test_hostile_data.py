"""Hostile data: ≥ 60 awkward Xero records in the Demo Company's AU organisation.

The corpus (contacts, items, employees) holds NFC and NFD accents, emoji, right-to-left
text, zero-width and control characters, 300-character names, empty and blank names,
case-only duplicates, HTML/SQL-looking text, odd ``/Date()`` offsets and negative
milliseconds, nulls and missing optional fields, items without a Name, contacts without
Addresses. One sync must not crash; EACH hostile record must end as this corpus expects it
to (:data:`EXPECTED_REPORTED`): imported (a link in the database), or reported with the
expected problem (``plan.conflicts``) or skipped with a reason — a run that skipped every
record fails; a second sync writes nothing. Malformed JSON answers from Xero (cut short) are retried or
end in a clear :class:`BridgeError` sentence, never a traceback.
"""

from __future__ import annotations

import json
import unicodedata
import uuid

import pytest

from core.errors import BridgeError
from tests.reliability.support import (
    MemoryBackend,
    duplicates,
    open_demo,
    raw_state,
    record_figure,
)

AU = "Maison Verdure Australia"
_NS = uuid.UUID("6f1c0d1e-5a0b-4c7e-9a55-000000000007")


def _id(tag: str) -> str:
    return str(uuid.uuid5(_NS, tag))


def _date(ms: str) -> str:
    return f"/Date({ms})/"


# (tag, name) — the names every kind of record gets.
NAMES: list[tuple[str, str | None]] = [
    ("nfc", "Café Crème Pty Ltd"),
    ("nfd", "Cafe\u0301 Cre\u0300me Gardens"),  # NFD spelling of a near-identical name
    ("emoji", "🌿 Green Thumbs 🌱 & Co"),
    ("zwj-emoji", "Family 👨‍👩‍👧‍👦 Landscaping"),
    ("rtl", "حدائق الشرق"),
    ("rtl-mixed", "Shalom שלום Gardens"),
    ("rtl-override", "Evil \u202eenilemit\u202c Trees"),
    ("zero-width", "Zero\u200bWidth\u200c Lawns\u200d"),
    ("bom", "\ufeffBOM Mowing"),
    ("control", "Tab\tand\x07bell\x1b Co"),
    ("newline", "Line one\nLine two"),
    ("nul", "Nul\x00Byte Pty"),
    ("long", "L" * 300),
    ("long-words", ("Very Long Garden Name " * 14)[:300]),
    ("empty", ""),
    ("blank", "   "),
    ("nbsp-only", "\u00a0\u2003"),
    ("case-a", "Harbour View Strata"),
    ("case-b", "HARBOUR VIEW STRATA"),
    ("case-c", "harbour view strata"),
    ("html", "<script>alert('x')</script>"),
    ("sql", "Robert'); DROP TABLE link;--"),
    ("quotes", "\"Quoted\" & 'Apostrophes' \\ Backslash"),
    ("percent", "100% %s %(name)s {0} {name}"),
    ("cjk", "東京ガーデン株式会社"),
    ("surrogate-math", "𝓜𝓪𝓽𝓱 𝓖𝓪𝓻𝓭𝓮𝓷𝓼"),
]

# Names that must never reach QuickBooks Time as they are (control characters, escape
# sequences, bidi overrides and isolates): (tag, Xero name, what QuickBooks Time receives —
# None: nothing is left after cleaning, so a customer is reported, never sent, and an item
# takes its Xero code, as any item without a name).
UNSAFE_NAMES: list[tuple[str, str, str | None]] = [
    ("osc8-link", "Evil\x1b]8;;http://x\x07link\x1b]8;;\x07", "Evil]8;;http://xlink]8;;"),
    ("csi-colour", "Red \x1b[31mRoses\x1b[0m", "Red [31mRoses[0m"),
    ("c1-csi", "Blue\x9b34m Gums", "Blue34m Gums"),
    ("carriage-return", "Honest Co\rEvil Co", "Honest Co Evil Co"),
    ("bidi-isolates", "\u2066Olive\u2069 \u202aGrove\u202c \u202dLtd\u202e", "Olive Grove Ltd"),
    ("bidi-marks", "Cedar\u200f \u200eand\u061c Pine", "Cedar and Pine"),
    ("nul-inside", "Wattle\x00 \x00Hill", "Wattle Hill"),
    ("line-separator", "First\u2028Second\u2029Third", "First Second Third"),
    ("tab-runs", "Tabbed\t\t\tTrees", "Tabbed Trees"),
    ("controls-only", "\x00\x07\x1b\u202e", None),
]


def hostile_contacts() -> list[dict]:
    out = []
    for tag, name in NAMES:
        out.append(
            {
                "ContactID": _id("contact:" + tag),
                "ContactStatus": "ACTIVE",
                "Name": name,
                "IsCustomer": True,
                "IsSupplier": False,
                "UpdatedDateUTC": _date("1451988985943+1300"),
                "Addresses": [
                    {
                        "AddressType": "STREET",
                        "AddressLine1": name or "",
                        "City": "Sydney",
                        "PostalCode": "2000",
                        "Country": "Australia",
                    }
                ],
            }
        )
    for tag, name, _sent in UNSAFE_NAMES:
        out.append(
            {
                "ContactID": _id("contact:" + tag),
                "ContactStatus": "ACTIVE",
                "Name": name,
                "IsCustomer": True,
                "IsSupplier": False,
                "UpdatedDateUTC": _date("1451988985943+1300"),
                "Addresses": [
                    {
                        "AddressType": "STREET",
                        "AddressLine1": name,
                        "City": "Sydney\x1b[2J",
                        "PostalCode": "2000",
                        "Country": "Australia",
                    }
                ],
            }
        )
    # Structural oddities: no Addresses, nulls everywhere, negative / odd dates.
    out += [
        {
            "ContactID": _id("contact:no-addresses"),
            "ContactStatus": "ACTIVE",
            "Name": "No Addresses Pty",
            "IsCustomer": True,
        },
        {
            "ContactID": _id("contact:null-addresses"),
            "ContactStatus": "ACTIVE",
            "Name": "Null Addresses Pty",
            "IsCustomer": True,
            "Addresses": None,
            "Phones": None,
            "EmailAddress": None,
            "FirstName": None,
            "LastName": None,
            "UpdatedDateUTC": None,
        },
        {
            "ContactID": _id("contact:negative-date"),
            "ContactStatus": "ACTIVE",
            "Name": "Before 1970 Nursery",
            "IsCustomer": True,
            "UpdatedDateUTC": _date("-62135596800000+0000"),
        },
        {
            "ContactID": _id("contact:odd-offset"),
            "ContactStatus": "ACTIVE",
            "Name": "Odd Offset Orchard",
            "IsCustomer": True,
            "UpdatedDateUTC": _date("1451988985943-0930"),
        },
        {
            "ContactID": _id("contact:no-offset"),
            "ContactStatus": "ACTIVE",
            "Name": "No Offset Orchard",
            "IsCustomer": True,
            "UpdatedDateUTC": _date("1439434356790"),
        },
        {
            "ContactID": _id("contact:address-nulls"),
            "ContactStatus": "ACTIVE",
            "Name": "Address Nulls Pty",
            "IsCustomer": True,
            "Addresses": [
                {
                    "AddressType": "STREET",
                    "AddressLine1": None,
                    "City": None,
                    "PostalCode": None,
                    "Country": None,
                },
                {"AddressType": "POBOX"},
            ],
        },
        {"ContactID": _id("contact:no-name-key"), "ContactStatus": "ACTIVE", "IsCustomer": True},
        {
            "ContactID": _id("contact:null-name"),
            "ContactStatus": "ACTIVE",
            "IsCustomer": True,
            "Name": None,
        },
    ]
    return out


def hostile_items() -> list[dict]:
    out = []
    for tag, name in NAMES[:20]:
        out.append(
            {
                "ItemID": _id("item:" + tag),
                "Code": f"H-{tag}"[:30],
                "Name": name,
                "Description": name,
                "IsSold": True,
                "IsPurchased": False,
                "UpdatedDateUTC": _date("1451988985943+1300"),
            }
        )
    for tag, name, _sent in UNSAFE_NAMES:
        out.append(
            {
                "ItemID": _id("item:" + tag),
                "Code": f"U-{tag}"[:30],
                "Name": name,
                "Description": name,
                "IsSold": True,
                "IsPurchased": False,
                "UpdatedDateUTC": _date("1451988985943+1300"),
            }
        )
    out += [
        {"ItemID": _id("item:no-name"), "Code": "NO-NAME", "IsSold": True},
        {
            "ItemID": _id("item:null-name"),
            "Code": "NULL-NAME",
            "Name": None,
            "IsSold": True,
            "Description": None,
            "SalesDetails": None,
            "PurchaseDetails": None,
        },
        {"ItemID": _id("item:no-code-no-name"), "IsSold": True},
        {
            "ItemID": _id("item:negative-date"),
            "Code": "NEG-DATE",
            "Name": "Negative date item",
            "IsSold": True,
            "UpdatedDateUTC": _date("-1000+0000"),
        },
    ]
    return out


def hostile_employees() -> list[dict]:
    people = [
        ("nfc", "Zoë", "Beaulieu-Côté", "zoe.nfc@example.com.au"),
        ("nfd", "Zoe\u0308", "Beaulieu-Co\u0302te\u0301", "zoe.nfd@example.com.au"),
        ("emoji", "Sunny ☀️", "Day 🌻", "sunny@example.com.au"),
        ("rtl", "محمد", "العلي", "m.alali@example.com.au"),
        ("zero-width", "Ann\u200b", "Lee\u200d", "ann.lee@example.com.au"),
        ("control", "Bob\x07", "Ctrl\x1b", None),
        ("long", "F" * 300, "L" * 300, "long.person@example.com.au"),
        ("empty", "", "", None),
        ("blank", "  ", "\t", None),
        ("case-a", "Jamie", "Nguyen", "jamie.nguyen@example.com.au"),
        ("case-b", "JAMIE", "NGUYEN", "JAMIE.NGUYEN@example.com.au"),
        ("html", "<b>Bold</b>", "<img src=x onerror=alert(1)>", "html@example.com.au"),
        ("sql", "Robert'); DROP TABLE users;--", "Tables", "bobby@example.com.au"),
        ("nulls", None, None, None),
        ("bad-email", "Bad", "Email", "not an e-mail <x@y>"),
        ("osc8-link", "Evil\x1b]8;;http://x\x07", "Link\u202e", "osc8@example.com.au"),
        ("nul-inside", "Wat\x00tle", "Hill\r\n", "wattle.hill@example.com.au"),
    ]
    out = []
    for tag, first, last, email in people:
        emp = {
            "EmployeeID": _id("employee:" + tag),
            "Status": "ACTIVE",
            "UpdatedDateUTC": _date("1451988985943+1300"),
            "StartDate": _date("-86400000+0000"),
            "DateOfBirth": _date("-315619200000+1000"),
        }
        if first is not None:
            emp["FirstName"] = first
        if last is not None:
            emp["LastName"] = last
        if email is not None:
            emp["Email"] = email
        if tag == "nulls":
            emp.update(
                {
                    "FirstName": None,
                    "LastName": None,
                    "Email": None,
                    "HomeAddress": None,
                    "StartDate": None,
                }
            )
        out.append(emp)
    return out


def hostile_company() -> tuple[dict, dict[str, list[str]]]:
    from core.sandbox.demo_data import build_demo_company

    data = build_demo_company()
    org = next(o for o in data["xero"]["organisations"] if o["tenantName"] == AU)
    corpus = {
        "customer": hostile_contacts(),
        "item": hostile_items(),
        "employee": hostile_employees(),
    }
    org["Contacts"].extend(corpus["customer"])
    org["Items"].extend(corpus["item"])
    org["payroll"]["Employees"].extend(corpus["employee"])
    ids = {
        "customer": [c["ContactID"] for c in corpus["customer"]],
        "item": [i["ItemID"] for i in corpus["item"]],
        "employee": [e["EmployeeID"] for e in corpus["employee"]],
    }
    return data, ids


def unsafe(text: str) -> bool:
    """A character no name sent to QuickBooks Time may carry."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI or ch in "\u2028\u2029"
        for ch in text or ""
    )


BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

#: What must become of each hostile record (every other one is imported): the conflict
#: problem it is reported with in the review, or "skipped" (reported, not importable).
#: Names with nothing visible left are invalid; names over QuickBooks Time's 64 characters
#: need a shorter one; names equal but for case (or NFC/NFD) are the same name twice in
#: Xero; an item with a blank name falls back to its code and is imported.
EXPECTED_REPORTED: dict[tuple[str, str], str] = {
    **{
        ("customer", tag): "invalid_name"
        for tag in ("empty", "blank", "nbsp-only", "controls-only", "no-name-key", "null-name")
    },
    **{("customer", tag): "name_too_long" for tag in ("long", "long-words")},
    **{("customer", tag): "duplicate_in_xero" for tag in ("case-a", "case-b", "case-c")},
    ("item", "no-code-no-name"): "invalid_name",
    **{("item", tag): "name_too_long" for tag in ("long", "long-words")},
    **{("item", tag): "duplicate_in_xero" for tag in ("case-a", "case-b", "case-c")},
    **{("employee", tag): "invalid_name" for tag in ("empty", "blank", "nulls")},
    ("employee", "long"): "skipped",
    **{("employee", tag): "duplicate_in_xero" for tag in ("nfc", "nfd", "case-a", "case-b")},
}


def _tags(ids: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """(kind, xero id) -> the record's tag in the corpus."""
    prefix = {"customer": "contact", "item": "item", "employee": "employee"}
    tags = (
        [t for t, _n in NAMES]
        + [t for t, _n, _s in UNSAFE_NAMES]
        + [
            "no-addresses",
            "null-addresses",
            "negative-date",
            "odd-offset",
            "no-offset",
            "address-nulls",
            "no-name-key",
            "null-name",
            "no-name",
            "no-code-no-name",
            "nulls",
            "bad-email",
            "case-a",
            "case-b",
            "long",
            "empty",
            "blank",
            "nfc",
            "nfd",
            "emoji",
            "rtl",
            "zero-width",
            "control",
            "html",
            "sql",
            "osc8-link",
            "nul-inside",
        ]
    )
    by_id = {(kind, _id(f"{prefix[kind]}:{tag}")): tag for kind in prefix for tag in tags}
    return {(kind, xid): by_id[(kind, xid)] for kind, xs in ids.items() for xid in xs}


def test_every_hostile_record_has_a_known_tag_and_expectation():
    _data, ids = hostile_company()
    tags = _tags(ids)
    assert len(tags) == sum(map(len, ids.values()))
    assert set(EXPECTED_REPORTED) <= {(kind, tag) for (kind, _x), tag in tags.items()}


def test_corpus_is_big_enough():
    _data, ids = hostile_company()
    assert sum(map(len, ids.values())) >= 60


@pytest.mark.timeout(120)
def test_hostile_records_imported_or_reported(tmp_path):
    from core.app.sync import sync
    from core.store.models import Link

    data, ids = hostile_company()
    company = tmp_path / "hostile-company.json"
    company.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ctx, conn = open_demo(
        "AU", tmp_path / "home", tmp_path / "state", MemoryBackend(), data_file=company
    )
    try:
        first = sync(ctx, conn)  # must not raise
        assert not first.outcomes.get("failed"), first.outcomes
        linked = {
            (link.kind, link.xero_id) for link in Link.select().where(Link.connection == conn)
        }
        reported = {(s.kind, s.xero_id): s.reason for s in first.plan.skipped}
        reported.update({(c.kind, c.xero_id): c.problem for c in first.plan.conflicts})
        outcome = {
            (s.kind, s.xero_id): "skipped" for s in first.plan.skipped if str(s.reason).strip()
        }
        outcome.update({(c.kind, c.xero_id): c.problem for c in first.plan.conflicts})
        tags = _tags(ids)
        wrong = []
        counts = {"imported": [0, 0], "reported": [0, 0]}  # [as expected, expected]
        for key, tag in tags.items():
            expected = EXPECTED_REPORTED.get((key[0], tag), "imported")
            got = "imported" if key in linked else outcome.get(key, "neither")
            side = counts["imported" if expected == "imported" else "reported"]
            side[1] += 1
            if got == expected:
                side[0] += 1
            else:
                wrong.append((key[0], tag, expected, got))
        total = len(tags)
        good = total - len(wrong)
        record_figure(
            "hostile records with their expected outcome (imported or reported)",
            f"{good}/{total}",
            "records",
            f"{total}/{total}",
            good == total,
            note=(
                f"imported {counts['imported'][0]} of {counts['imported'][1]} expected, "
                f"reported {counts['reported'][0]} of {counts['reported'][1]} expected"
            ),
        )
        assert wrong == [], f"not the expected outcome (kind, tag, expected, got): {wrong}"
        assert duplicates(ctx.sandbox.store) == []

        # Names that reach QuickBooks Time carry no control character, escape sequence or
        # bidi control; each unsafe name arrives cleaned exactly as expected, or is reported.
        qbt = ctx.sandbox.store.qbtime
        sent = (
            [j["name"] for j in qbt["jobcodes"]]
            + [i["name"] for i in qbt["customfielditems"]]
            + [u[k] for u in qbt["users"] for k in ("first_name", "last_name")]
            + [loc[k] for loc in qbt["locations"] for k in ("addr1", "city")]
        )
        assert [n for n in sent if unsafe(n)] == []
        links = {
            (link.kind, link.xero_id): int(link.qbt_id)
            for link in Link.select().where(Link.connection == conn)
        }
        jobs = {j["id"]: j["name"] for j in qbt["jobcodes"]}
        items = {i["id"]: i["name"] for i in qbt["customfielditems"]}
        for tag, _name, expected in UNSAFE_NAMES:
            for kind, table in (("customer", jobs), ("item", items)):
                key = (kind, _id(f"{'contact' if kind == 'customer' else 'item'}:{tag}"))
                if expected is None and kind == "item":  # an item falls back to its code
                    assert table[links[key]] == f"U-{tag}", (tag, kind)
                elif expected is None:
                    assert key not in links and reported.get(key), (tag, kind)
                else:
                    assert table[links[key]] == expected, (tag, kind, table.get(links.get(key)))
        users = {u["id"]: (u["first_name"], u["last_name"]) for u in qbt["users"]}
        assert users[links[("employee", _id("employee:osc8-link"))]] == ("Evil]8;;http://x", "Link")
        assert users[links[("employee", _id("employee:nul-inside"))]] == ("Wattle", "Hill")

        before = raw_state(ctx.sandbox.store)
        second = sync(ctx, conn)
        assert second.run is None and second.plan.is_empty, [a.ref for a in second.plan.actions]
        assert raw_state(ctx.sandbox.store) == before
    finally:
        ctx.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("times", [1, 50])
def test_truncated_json_from_xero(tmp_path, times):
    """Cut-short JSON on Xero GETs: one is retried; a lasting one is a clear sentence."""
    from core.app.sync import sync
    from core.sandbox.common import FaultPlan

    faults = FaultPlan(seed=7)
    ctx, conn = open_demo(
        "AU",
        tmp_path / "home",
        tmp_path / "state",
        MemoryBackend(),
        sandbox_kwargs={"xero_faults": faults},
    )
    try:
        faults.force("truncated", times, method="GET", path_contains="Contacts")
        try:
            result = sync(ctx, conn)
        except BridgeError as exc:
            text = str(exc)
            assert times > 1, f"a single cut-short answer should be retried: {text}"
            assert text.strip() and "Traceback" not in text and "\n  File " not in text
            assert text.rstrip().endswith((".", "!", "?", ")")), text
            print(f"truncated x{times}: {text}")
        else:
            assert not result.outcomes.get("failed"), result.outcomes
            assert duplicates(ctx.sandbox.store) == []
    finally:
        faults.clear()
        ctx.close()
