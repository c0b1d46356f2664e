"""The write path's per-row answer handling (issue 16, 10k first-import CPU): ``strip_status``
and ``QBTimeClient._result`` give the same answers as the previous code, pinned here as
copies, on varied elements: created, 202 duplicates, per-row 417s with ``_status_extra``,
warnings, a status as text, missing codes, undocumented ``_status_*`` keys, keys that are
not text, a NUL in a key, Mapping types that are not dicts, and no element at all."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from core.engine.writes import WriteResult
from core.services.qbtime import mapping
from core.services.qbtime.client import QBTimeClient


# ---------------------------------------------------------------------- the previous code
def old_strip_status(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(obj)
    for key in [k for k in out if (k[:1] if type(k) is str else str(k)[:1]) == "_"]:
        if str(key).startswith("_status_"):
            del out[key]
    return out


def old_result(
    method: str, endpoint: str, row: Mapping[str, Any], elem: Any, resent: bool
) -> WriteResult:
    if not isinstance(elem, Mapping):
        return WriteResult(
            row,
            False,
            0,
            None,
            "QuickBooks Time's answer said nothing about this row",
            False,
            resent,
        )
    status = mapping.as_int(elem.get("_status_code"), 0)
    record = old_strip_status(elem) or None
    if 0 < status < 300:
        duplicate = status == 202 and method == "POST" and endpoint == "jobcodes"
        message = mapping.as_str(elem.get("_status_warning")) or mapping.as_str(
            elem.get("_status_message")
        )
        return WriteResult(row, True, status, record, message, duplicate, resent)
    reason = (
        mapping.as_str(elem.get("_status_extra"))
        or mapping.as_str(elem.get("_status_message"))
        or f"status {status}"
    )
    return WriteResult(row, False, status, record, reason, False, resent)


# ---------------------------------------------------------------------- varied answers
JOBCODE = {
    "id": 3100000001,
    "parent_id": 0,
    "assigned_to_all": False,
    "active": True,
    "type": "regular",
    "name": "Coastal Body Ltd",
    "last_modified": "2026-12-07T05:49:02+00:00",
    "filtered_customfielditems": "",
    "required_customfields": [],
    "locations": [],
}


class Key:
    """A key that is not text whose str() starts with "_status_"."""

    def __str__(self) -> str:
        return "_status_odd"

    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key)


def elements() -> list[Any]:
    created = {"_status_code": 200, "_status_message": "Created", **JOBCODE}
    out: list[Any] = [
        created,
        {**JOBCODE, "_status_code": 200, "_status_message": "Created"},  # status keys last
        {"_status_code": 202, "_status_message": "Accepted", **JOBCODE},
        {"_status_code": 202, "_status_message": "Accepted", "name": "No id"},
        {"_status_code": 200, "_status_message": "OK", "_status_warning": "geocoding", **JOBCODE},
        {
            "_status_code": 417,
            "_status_message": "Expectation Failed",
            "_status_extra": "name is required",
            "name": "",
            "parent_id": 0,
        },
        {"_status_code": 417, "_status_message": "Expectation Failed", "_status_extra": ""},
        {"_status_code": 409, "_status_extra": "Conflict with id 5", "id": 5},
        {"_status_code": "200", "_status_message": "Created", "id": "12"},  # code as text
        {"_status_code": None, "id": 1},
        {"_status_code": True, "id": 1},
        {"_status_code": 500},
        {"id": 4, "name": "no status at all"},
        {},
        {"_status_code": 200, "_status_extra_info": "undocumented", "_status_": "x", "id": 9},
        {"_status_code": 200, "_statusx": "kept", "_other": 1, "__status_code": 2, "id": 9},
        {"_status_code": 200, "id": 9, "a\x00_status_b": "a NUL in a key"},
        {"_status_code": 200, 7: "an int key", "id": 9},
        {"_status_code": 200, Key(): "an object key", "id": 9},
        {"_status_code": 200, b"_status_bytes": "a bytes key", "id": 9},
        {"_status_code": 200, "_status_message": 12, "_status_warning": 0.0, "id": 9},
        {"_status_code": 417, "_status_message": None, "_status_extra": False},
        OrderedDict([("_status_code", 200), ("id", 3), ("_status_message", "Created")]),
        MappingProxyType({"_status_code": 417, "_status_extra": "read only", "id": 3}),
        None,
        "not an object",
        [1, 2],
        17,
    ]
    return out


def test_strip_status_same_as_before() -> None:
    for elem in elements():
        if not isinstance(elem, Mapping):
            continue
        new, old = mapping.strip_status(elem), old_strip_status(elem)
        assert new == old, elem
        assert list(new) == list(old), elem  # the same keys in the same order
        assert new is not elem  # a copy: the answer is never changed
    # the element itself is left as it was
    elem = {"_status_code": 200, "_status_message": "Created", **JOBCODE}
    before = dict(elem)
    mapping.strip_status(elem)
    assert elem == before


def test_result_same_as_before_on_varied_answers() -> None:
    row = {"name": "Coastal Body Ltd", "parent_id": 0, "type": "regular"}
    calls = [("POST", "jobcodes"), ("PUT", "jobcodes"), ("POST", "locations"), ("DELETE", "x")]
    for elem, (method, endpoint), resent in itertools.product(elements(), calls, (False, True)):
        new = QBTimeClient._result(method, endpoint, row, elem, resent)
        old = old_result(method, endpoint, row, elem, resent)
        assert new == old, (elem, method, endpoint)
        assert new.input is row
        assert type(new.message) is type(old.message)
        assert (new.record is None) == (old.record is None)
        if new.record is not None:
            assert list(new.record) == list(old.record)  # type: ignore[arg-type]


class CountedKey(str):
    """A text key that counts how often it is turned into text one key at a time."""

    calls = 0

    def __str__(self) -> str:
        CountedKey.calls += 1
        return str.__str__(self)

    __hash__ = str.__hash__


def test_strip_status_does_not_look_at_every_key_one_by_one() -> None:
    # The previous code turned each key into text (str()[:1]) in a Python loop, ~20 keys a
    # row on 10,000 rows; now a row without undocumented _status_* keys takes no such step.
    elem: dict[str, Any] = {CountedKey(k): v for k, v in {"_status_code": 200, **JOBCODE}.items()}
    CountedKey.calls = 0
    old_strip_status(elem)
    assert CountedKey.calls >= len(elem)  # (what the test would catch)
    CountedKey.calls = 0
    out = mapping.strip_status(elem)
    assert CountedKey.calls == 0
    assert out == JOBCODE
