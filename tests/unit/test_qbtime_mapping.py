"""QB Time raw objects -> typed records, tolerating every quirk of the official examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.engine.records import Address
from core.services.qbtime import mapping
from tests.conftest import SPECS_DIR

EXAMPLES = SPECS_DIR / "qbtime" / "api_docs_examples"


def example(rel: str) -> dict:
    path = EXAMPLES / rel
    if not path.exists():
        pytest.skip(f"{rel} not available")
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ scalars
@pytest.mark.parametrize(
    "value,expected",
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (" Yes ", True),
        ("", False),
        (2, True),
        (0.0, False),
    ],
)
def test_as_bool_spellings(value, expected):
    assert mapping.as_bool(value) is expected


def test_as_bool_default_for_none_and_unknown_text():
    assert mapping.as_bool(None) is False
    assert mapping.as_bool(None, True) is True
    assert mapping.as_bool("maybe", True) is True
    assert mapping.as_bool([], True) is True


@pytest.mark.parametrize(
    "value,expected",
    [
        (3_100_000_001, 3_100_000_001),  # > 2**31: no 32-bit truncation
        ("9223372036854775807", 2**63 - 1),  # 64-bit max as a string
        ("1234", 1234),
        (" 42 ", 42),
        (7.0, 7),
        ("7.0", 7),
        ("-1", -1),
    ],
)
def test_as_int_64_bit_and_strings(value, expected):
    assert mapping.as_int(value) == expected


@pytest.mark.parametrize("value", [None, "", "abc", 1.5, True, [], {}])
def test_as_int_unreadable_gives_default(value):
    assert mapping.as_int(value) == 0
    assert mapping.as_int(value, -9) == -9
    assert mapping.as_opt_int(value) is None


def test_as_str_and_as_map():
    assert mapping.as_str(None) == ""
    assert mapping.as_str(83616) == "83616"
    assert mapping.as_str(83616.0) == "83616"
    assert mapping.as_map("") == {}
    assert mapping.as_map([]) == {}
    assert mapping.as_map(None) == {}
    assert mapping.as_map({"a": 1}) == {"a": 1}


@pytest.mark.parametrize(
    "value,expected",
    [
        ("0000-00-00", ""),
        ("", ""),
        (None, ""),
        ("2024-02-30", ""),
        ("2020-01-31", "2020-01-31"),
        ("2020-01-31T00:00:00+00:00", "2020-01-31"),
    ],
)
def test_as_date(value, expected):
    assert mapping.as_date(value) == expected


def test_as_id_list():
    assert mapping.as_id_list("") == ()
    assert mapping.as_id_list(None) == ()
    assert mapping.as_id_list([1, "2", "x", 2, 3_500_000_000]) == (1, 2, 3_500_000_000)
    assert mapping.as_id_list("5,6") == (5, 6)


@pytest.mark.parametrize(
    "text",
    [
        "2018-03-28T17:24:20+00:00",
        "2018-03-28T17:24:20+0000",
        "2018-03-28T17:24:20Z",
        "2018-03-28 17:24:20",
        "2018-03-28T11:24:20-06:00",
        "2018-03-28T17:24:20.000+00:00",
    ],
)
def test_parse_timestamp_offsets(text):
    expected = datetime(2018, 3, 28, 17, 24, 20, tzinfo=UTC).timestamp()
    assert mapping.parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["", None, "0000-00-00 00:00:00", "yesterday"])
def test_parse_timestamp_empty(text):
    assert mapping.parse_timestamp(text) is None


def test_format_timestamp_round_trip():
    ts = datetime(2018, 1, 1, 6, 0, tzinfo=UTC).timestamp()
    assert mapping.format_timestamp(ts) == "2018-01-01T06:00:00+00:00"
    assert mapping.parse_timestamp(mapping.format_timestamp(ts)) == ts


# ------------------------------------------------------------------ envelopes
def test_results_of_object_list_and_empty_quirks():
    assert mapping.results_of(
        {"results": {"users": {"1": {"id": 1}, "2": {"id": 2}}}}, "users"
    ) == [{"id": 1}, {"id": 2}]
    assert mapping.results_of({"results": {"users": []}}, "users") == []
    assert mapping.results_of({"results": []}, "users") == []
    assert mapping.results_of({"results": {"users": ""}}, "users") == []
    assert mapping.results_of({"results": {"users": [{"id": 3}, "junk"]}}, "users") == [{"id": 3}]
    assert mapping.results_of(None, "users") == []


def test_strip_status():
    assert mapping.strip_status({"_status_code": 200, "_status_message": "Created", "id": 4}) == {
        "id": 4
    }


def test_strip_status_keeps_every_other_key_and_the_answer_untouched():
    """Only ``_status_*`` keys go (other keys starting with "_" stay, a non-text key too),
    in the answer's order, and the answer itself is not changed."""
    answer = {"_status_extra": "", "id": 4, "_links": {"a": 1}, "_status_warning": "w", 7: "x"}
    assert list(mapping.strip_status(answer).items()) == [("id", 4), ("_links", {"a": 1}), (7, "x")]
    assert len(answer) == 5


def test_parse_timestamp_same_text_same_answer():
    """The parse of a text is kept (a batch's answers share their last_modified): the kept
    answer is the parse's, for a text read first, again, and after other texts."""
    text = "2021-07-01T09:30:00-04:00"
    first = mapping.parse_timestamp(text)
    for other in ("2021-07-01T13:30:00+00:00", "garbage", ""):
        mapping.parse_timestamp(other)
    assert (
        mapping.parse_timestamp(text)
        == first
        == datetime(2021, 7, 1, 13, 30, tzinfo=UTC).timestamp()
    )
    assert mapping.parse_timestamp(" " + text + " ") == first
    assert mapping.parse_timestamp("2021-02-30T00:00:00+00:00") is None  # (no such day, twice)
    assert mapping.parse_timestamp("2021-02-30T00:00:00+00:00") is None


def test_outbound_cleans_only_text_fields_and_keeps_the_row():
    row = {"name": "A\u202eB", "notes": "x\ty", "id": 5, "custom": "C\u202eD"}
    out = mapping.outbound(row)
    assert out == {"name": "AB", "notes": "x y", "id": 5, "custom": "C\u202eD"}
    assert row["name"] == "A\u202eB"


# ------------------------------------------------------------------ records from the official examples
def test_user_from_official_example():
    raw = example("Users/object.json")
    u = mapping.user(raw)
    assert (u.id, u.first_name, u.last_name, u.username) == (933849, "Mary", "Samsonite", "admin")
    assert u.email == "admin@example.com" and u.active is True and u.payroll_id == ""
    assert u.raw == raw


def test_current_user_permissions_and_admin():
    raw = example("Users/object.json")
    cu = mapping.current_user(raw)
    assert cu.is_admin is True
    assert cu.company_name == "API Sample Output Company" and cu.client_url == "api_sample_output"
    assert cu.permissions["manage_jobcodes"] is False
    assert cu.can("manage_jobcodes") is True  # admins can do everything
    assert cu.name == "Mary Samsonite"


def test_current_user_quirky_permissions():
    cu = mapping.current_user(
        {
            "id": "3000000001",
            "first_name": None,
            "last_name": "",
            "username": "boss",
            "permissions": {"admin": "0", "manage_users": "yes", "manage_jobcodes": ""},
        }
    )
    assert cu.id == 3_000_000_001 and cu.is_admin is False
    assert cu.permissions == {"admin": False, "manage_users": True, "manage_jobcodes": False}
    assert cu.name == "boss"
    assert mapping.current_user({"id": 1, "permissions": ""}).permissions == {}


def test_jobcode_from_official_example_and_quirks():
    jc = mapping.jobcode(example("Jobcodes/object.json"))
    assert (jc.id, jc.parent_id, jc.name, jc.type, jc.active) == (
        17288279,
        0,
        "Assembly Line",
        "regular",
        True,
    )
    assert jc.short_code == "asm" and jc.locations == () and jc.assigned_to_all is False

    quirky = mapping.jobcode(
        {
            "id": "3100000450",
            "parent_id": "",
            "name": "Acme",
            "type": "PTO",
            "active": 1,
            "assigned_to_all": "",
            "has_children": "1",
            "filtered_customfielditems": "",
            "locations": ["3500000001"],
        }
    )
    assert quirky.id == 3_100_000_450 and quirky.parent_id == 0 and quirky.type == "pto"
    assert quirky.active is True and quirky.assigned_to_all is False and quirky.has_children is True
    assert quirky.locations == (3_500_000_001,)
    assert mapping.jobcode({"id": 1, "name": "x", "active": "0"}).active is False
    assert mapping.jobcode({"id": 1, "name": "x"}).type == "regular"


def test_customfield_and_item():
    cf = mapping.customfield(example("CustomFields/object.json"))
    assert (cf.id, cf.name, cf.required, cf.applies_to, cf.type) == (
        134913,
        "Experience",
        True,
        "timesheet",
        "managed-list",
    )
    assert mapping.customfield({"id": 1, "applies_to": "job_code"}).applies_to == "jobcode"
    item = mapping.customfielditem(example("CustomFieldItems/object.json"))
    assert (item.id, item.customfield_id, item.name, item.short_code) == (
        3875655,
        143369,
        "Jungle Safari",
        "JS",
    )


def test_location_and_link():
    loc = mapping.location(example("Locations/object.json"))
    assert loc.address == Address("235 E Colchester Dr", "101", "Eagle", "ID", "83616", "US")
    assert loc.jobcode_ids == (2589531,) and loc.active is True
    assert mapping.location({"id": 5, "linked_objects": "", "zip": 83616}).jobcode_ids == ()
    assert mapping.location({"id": 5, "zip": 83616}).address.postal_code == "83616"
    link = mapping.location_link(example("LocationsMaps/object.json"))
    assert (link.id, link.location_id, link.jobcode_id) == (102839, 237053, 2597003)


def test_assignment_with_string_ids_and_empty_timestamps():
    a = mapping.assignment(
        {
            "id": 106063,
            "user_id": "1234",
            "jobcode_id": "37",
            "active": 1,
            "last_modified": "",
            "created": "",
        }
    )
    assert (a.id, a.user_id, a.jobcode_id, a.active) == (106063, 1234, 37, True)
    assert (
        mapping.assignment({"id": 1, "user_id": 0, "jobcode_id": 2, "active": False}).active
        is False
    )


def test_location_fields_for_writes():
    addr = Address("1 Main St", "", "Wellington", "WGN", "6011", "NZ")
    assert mapping.location_fields(addr, jobcode_ids=[3_100_000_001]) == {
        "addr1": "1 Main St",
        "addr2": "",
        "city": "Wellington",
        "state": "WGN",
        "zip": "6011",
        "country": "NZ",
        "linked_objects": {"jobcodes": [3_100_000_001]},
    }
    assert "linked_objects" not in mapping.location_fields(addr)
    assert mapping.location_fields(addr, jobcode_ids=[])["linked_objects"] == {"jobcodes": []}
