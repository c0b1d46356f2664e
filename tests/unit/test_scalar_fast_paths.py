"""The scalar readers' fast paths (a value already of the answer's type returned after one
type check) answer exactly as the isinstance chains they skip: pinned against copies of
those chains as they were, on the API's quirks and the inputs a type check could confuse
(bools are ints to isinstance, subclasses of int and str, non-ASCII, whitespace)."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from core.engine.writes import as_opt_int
from core.services.qbtime import mapping

_INT = re.compile(r"^[+-]?\d+$")


def _ref_as_opt_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INT.match(text):
            return int(text)
        try:
            num = float(text)
        except ValueError:
            return None
        return int(num) if num.is_integer() else None
    return None


def _ref_as_int(value: Any, default: int = 0) -> int:
    out = _ref_as_opt_int(value)
    return default if out is None else out


def _ref_as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _ref_parse_timestamp(value: Any) -> float | None:
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return dt.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return mapping._parse_timestamp_text(_ref_as_str(value).strip())


class _Kind(enum.IntEnum):
    ONE = 1


class _Text(str):
    pass


class _Whole(int):
    pass


_INPUTS: list[Any] = [
    None,
    "",
    " ",
    "\t\n",
    "0",
    "1",
    " 42 ",
    "-7",
    "+7",
    "7.0",
    "7.5",
    "1e3",
    "9223372036854775807",
    "abc",
    "Zoë Ünïcödé",
    "١٢٣",  # Arabic-Indic digits: int() reads them, as before
    "true",
    "false",
    True,
    False,
    0,
    1,
    -1,
    3_100_000_001,
    2**63 - 1,
    7.0,
    7.5,
    -0.0,
    float("nan"),
    float("inf"),
    [],
    {},
    (1,),
    _Kind.ONE,
    _Text("5"),
    _Whole(9),
]


def _same(a: Any, b: Any) -> bool:
    """Same value and same type (an IntEnum stays itself, a bool is not an int)."""
    if isinstance(a, float) and a != a:  # nan
        return isinstance(b, float) and b != b
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("value", _INPUTS, ids=repr)
def test_as_opt_int_and_as_int_answer_as_before(value):
    assert _same(as_opt_int(value), _ref_as_opt_int(value))
    assert _same(mapping.as_opt_int(value), _ref_as_opt_int(value))
    assert _same(mapping.as_int(value), _ref_as_int(value))
    assert _same(mapping.as_int(value, -9), _ref_as_int(value, -9))


@pytest.mark.parametrize("value", _INPUTS, ids=repr)
def test_as_str_answers_as_before(value):
    assert _same(mapping.as_str(value), _ref_as_str(value))


def test_fast_paths_return_the_value_itself():
    text, big = "Zoë", 3_100_000_001
    assert mapping.as_str(text) is text
    assert as_opt_int(big) is big
    assert mapping.as_int(big) is big
    # a subclass takes the long way and is still returned as itself, as before
    sub = _Text("x")
    assert mapping.as_str(sub) is sub
    assert mapping.as_int(_Kind.ONE) is _Kind.ONE
    assert mapping.as_int(True) == 0 and mapping.as_int(False, 5) == 5


_STAMPS: list[Any] = [
    *_INPUTS,
    "2018-03-28T17:24:20+00:00",
    " 2018-03-28T17:24:20+0000 ",
    "2018-03-28T17:24:20Z",
    "2018-03-28t17:24:20.123456z",
    "2018-03-28 17:24:20",
    "2018-03-28T17:24:20-05:30",
    "\u00a02018-03-28T17:24:20+00:00\u2003",  # Unicode spaces: strip() takes them too
    "２０１８-03-28T17:24:20+00:00",  # fullwidth digits: \d and int() read them
    "0000-00-00",
    "0000-00-00 00:00:00",
    "2018-02-30T00:00:00+00:00",  # no such day
    _Text("2018-03-28T17:24:20+00:00"),
    datetime(2018, 3, 28, 17, 24, 20),
    datetime(2018, 3, 28, 17, 24, 20, tzinfo=timezone(timedelta(hours=10))),
]


@pytest.mark.parametrize("value", _STAMPS, ids=repr)
def test_parse_timestamp_answers_as_before(value):
    assert _same(mapping.parse_timestamp(value), _ref_parse_timestamp(value))
