"""The billing run knows which of Xero's answered lines is which of ours whatever order Xero
answers them in: Xero puts an update's new lines (no LineItemID) before the lines it keeps
(Xero-NetStandard#374, xero-python#111), so a line kept by its LineItemID is found by that id
and a new line by what it says, never by its place in the answer."""

from __future__ import annotations

from core.app.invoicing import _lines_answered


def _ids(out):
    return {x["key"]: x.get("LineItemID") for x in out}


KEPT = {
    "LineItemID": "1d0c0000-0000-4000-8000-00000000000a",
    "Description": "Mon",
    "Quantity": 2.0,
    "UnitAmount": 50.0,
}
THEIRS = {
    "LineItemID": "1d0c0000-0000-4000-8000-00000000000b",
    "Description": "Materials",
    "Quantity": 1.0,
    "UnitAmount": 9.0,
}
NEW_1 = {
    "Description": "Tue",
    "Quantity": 3.0,
    "UnitAmount": 50.0,
    "Tracking": [{"Name": "Region", "Option": "North"}],
}
NEW_2 = {"Description": "Tue", "Quantity": 3.0, "UnitAmount": 55.0}


def _answered(line, lid, **extra):
    out = {k: v for k, v in line.items() if k != "LineItemID"}
    return {**out, "LineItemID": lid, "LineAmount": out["Quantity"] * out["UnitAmount"], **extra}


def test_new_lines_answered_first_are_matched_by_what_they_say():
    body = {"InvoiceID": "inv", "LineItems": [KEPT, THEIRS, NEW_1, NEW_2]}
    keys = ["k-mon", None, "k-tue", "k-tue-2"]
    tracked = [
        {
            "Name": "Region",
            "Option": "North",
            "TrackingCategoryID": "7c000000-0000-4000-8000-000000000001",
            "TrackingOptionID": "7c000000-0000-4000-8000-000000000002",
        }
    ]
    answer = {  # Xero's order: the new lines first (the second before the first), then the kept
        "LineItems": [
            _answered(NEW_2, "n2"),
            _answered(NEW_1, "n1", Tracking=tracked),
            _answered(KEPT, KEPT["LineItemID"]),
            _answered(THEIRS, THEIRS["LineItemID"]),
        ]
    }
    out = _lines_answered(body, keys, answer)
    assert [x["key"] for x in out] == ["k-mon", "k-tue", "k-tue-2"]
    assert _ids(out) == {"k-mon": KEPT["LineItemID"], "k-tue": "n1", "k-tue-2": "n2"}
    assert next(x for x in out if x["key"] == "k-tue-2")["UnitAmount"] == 55.0


def test_a_kept_line_is_found_by_its_id_even_when_it_now_says_something_else():
    changed = {**KEPT, "Description": "Mon (edited)", "Quantity": 4.0}
    answer = {"LineItems": [_answered(NEW_1, "n1"), _answered(changed, KEPT["LineItemID"])]}
    out = _lines_answered({"LineItems": [changed, NEW_1]}, ["k-mon", "k-tue"], answer)
    assert _ids(out) == {"k-mon": KEPT["LineItemID"], "k-tue": "n1"}


def test_a_line_found_in_no_way_is_kept_without_an_id():
    answer = {"LineItems": [_answered({**NEW_1, "Description": "Other"}, "x")]}
    out = _lines_answered({"LineItems": [NEW_1]}, ["k-tue"], answer)
    assert out == [{"key": "k-tue", **NEW_1, "LineItemID": ""}]


def test_two_identical_new_lines_each_take_one_answer():
    answer = {"LineItems": [_answered(NEW_2, "a"), _answered(NEW_2, "b")]}
    out = _lines_answered({"LineItems": [NEW_2, dict(NEW_2)]}, ["k1", "k2"], answer)
    assert _ids(out) == {"k1": "a", "k2": "b"}
