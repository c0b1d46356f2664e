"""Pieces of the paged fetch (issue 16): records holding their raw object as text, the id
check over a read that comes in pages, Xero's answers read from their bytes."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import threading

import pytest
import requests

from core.engine.records import (
    NOT_KEPT,
    RawNotKept,
    XeroContact,
    XeroEmployee,
    keep_raw_as_text,
    raw_text,
    without_raw,
)
from core.errors import ApiError
from core.jsontext import dumps_canonical
from core.services.fetch import _PROBLEM_KINDS, SAME_ID, IdCheck, _PageStream, _Unique
from core.services.xero.client import _json
from core.services.xero.mapping import map_contact

RAW = {
    "ContactID": "c-1",
    "Name": "Lune & Fils",
    "Addresses": [{"AddressType": "STREET", "AddressLine1": "1 Rue Verte", "City": "Lyon"}],
    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555 0101"}],
}


def test_a_record_may_hold_its_raw_object_as_its_text():
    contact = map_contact(copy.deepcopy(RAW))
    text = dumps_canonical(contact.raw)
    assert keep_raw_as_text(contact, text) is contact
    assert contact._raw is text  # held as the one string
    assert contact.raw == RAW and contact.raw is contact.raw  # parsed once, when read
    again = map_contact(copy.deepcopy(RAW))
    keep_raw_as_text(again, dumps_canonical(RAW))
    assert pickle.loads(pickle.dumps(again)).raw == RAW
    assert dataclasses.replace(again, name="Autre").raw == RAW
    assert again == map_contact(RAW) and hash(again) == hash(map_contact(RAW))
    assert XeroContact("c-2", "n", "ACTIVE", True, False).raw == {}


def test_a_record_loaded_to_plan_only_says_its_raw_object_was_not_kept():
    contact = without_raw(map_contact(copy.deepcopy(RAW)))
    assert contact.raw is NOT_KEPT and raw_text(contact) is None
    for read in (lambda r: r.get("Phones"), lambda r: r["Name"], list, len, dict):
        with pytest.raises(RawNotKept):
            read(contact.raw)
    # the typed record is the same record; a copy or a pickle carries the mark along
    assert contact == map_contact(RAW) and hash(contact) == hash(map_contact(RAW))
    assert dataclasses.replace(contact, name="Autre").raw is NOT_KEPT
    assert isinstance(pickle.loads(pickle.dumps(contact)).raw, type(NOT_KEPT))
    employee = XeroEmployee("e-1", "Ana", "Lune", "", True, raw={"EmployeeID": "e-1"})
    assert without_raw(employee).raw == {"EmployeeID": "e-1"}  # a kind that keeps its own


def test_a_record_of_another_kind_keeps_its_raw_object():
    employee = XeroEmployee("e-1", "Ana", "Lune", "", True, raw={"EmployeeID": "e-1"})
    keep_raw_as_text(employee, '{"EmployeeID":"other"}')
    assert employee.raw == {"EmployeeID": "e-1"}


def _contact(cid: str, name: str, **more) -> XeroContact:
    return map_contact({"ContactID": cid, "Name": name, **more})


def test_the_id_check_over_pages_drops_a_row_seen_again_and_reports_a_different_one():
    unique = _Unique(IdCheck("contact", lambda c: c.contact_id, lambda c: c.name), again_ok=True)
    first = _contact("A-1", "Alpha")
    kept = unique([first, _contact("B-2", "Beta")])
    keep_raw_as_text(first, dumps_canonical(first.raw))  # as stored: read back when compared
    # next page: Alpha pushed across the boundary (same row), then two different rows
    # under Alpha's id (the second one twice), and a row without an id
    kept += unique(
        [
            _contact("a-1", "Alpha"),
            _contact("A-1", "Alpha"),
            _contact("A-1", "Alpha Two"),
            _contact(" A-1 ", "Alpha Two"),
            _contact("A-1", "Alpha Two"),
            _contact("", "Nobody"),
        ]
    )
    assert [c.name for c in kept] == ["Alpha", "Beta"]
    reported = [(p.xero_id, p.name, p.reason) for p in unique.problems]
    plan_kind = _PROBLEM_KINDS["contact"]
    assert all(p.kind == plan_kind for p in unique.problems)
    # "a-1" differs from "A-1" in its text: a different row under the same id
    assert reported[:3] == [
        ("a-1", "Alpha", SAME_ID),
        ("A-1", "Alpha Two", SAME_ID),
        ("A-1", "Alpha Two", SAME_ID),
    ]
    assert len(reported) == 4 and reported[3][0] == "" and reported[3][1] == "Nobody"
    assert unique.read_ids() == ["A-1", "B-2"]


def test_without_pages_every_further_row_under_an_id_is_reported():
    unique = _Unique(IdCheck("item", lambda c: c.contact_id, lambda c: c.name))
    kept = unique([_contact("I-1", "Item"), _contact("I-1", "Item")])
    assert len(kept) == 1 and len(unique.problems) == 1


def _response(body: bytes, content_type: str) -> requests.Response:
    resp = requests.Response()
    resp.status_code = 200
    resp._content = body
    resp.headers["Content-Type"] = content_type
    resp.encoding = requests.utils.get_encoding_from_headers(resp.headers)
    return resp


def test_xero_answers_are_read_from_their_bytes_and_another_charset_is_honoured():
    text = '{"Contacts":[{"Name":"Lune & Fils é"}],"Big":123456789012345678901234567890}'
    assert _json(_response(text.encode(), "application/json; charset=utf-8")) == {
        "Contacts": [{"Name": "Lune & Fils é"}],
        "Big": 123456789012345678901234567890,
    }
    assert _json(_response(text.encode(), "application/json"))["Big"] == int("1234567890" * 3)
    latin = _response(text.encode("latin-1"), "application/json; charset=ISO-8859-1")
    assert _json(latin)["Contacts"][0]["Name"] == "Lune & Fils é"


def test_a_page_stream_gives_its_pages_then_the_readers_error():
    stream = _PageStream()

    def read():
        yield [1]
        yield [2]
        raise ApiError(service="Xero", reason="page 3 refused")

    reader = threading.Thread(target=stream.run, args=(read,))
    reader.start()
    got = []
    with pytest.raises(ApiError, match="page 3"):
        for page in stream:
            got.append(page)
    reader.join(5)
    assert got == [[1], [2]] and not reader.is_alive()


def test_a_closed_page_stream_stops_its_reader():
    asked: list[int] = []
    ended = threading.Event()

    def read():
        try:
            for n in range(100):
                asked.append(n)
                yield [n]
        finally:
            ended.set()

    closed_first = _PageStream()
    closed_first.close()
    closed_first.run(read)  # stopped before it began (another read failed): no call
    assert asked == [] and not ended.is_set()

    stream = _PageStream(ahead=1)
    reader = threading.Thread(target=stream.run, args=(read,))
    reader.start()
    assert next(iter(stream)) == [0]
    stream.close()
    reader.join(5)
    assert not reader.is_alive() and ended.is_set()  # the read's generator closed too
    assert len(asked) <= 3  # at most the pages in hand and waiting, not the 100
