"""core.jsontext gives the standard library's answers (issue 16: JSON was the largest cost)."""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import jsontext


def reference(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


plain_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: "e" not in repr(x))
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | plain_floats
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_canonical_text_is_the_standard_librarys(value):
    text = jsontext.dumps_canonical(value)
    assert text == reference(value)
    assert jsontext.loads(text) == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_the_same(x):
    assert jsontext.loads(jsontext.dumps_canonical({"x": x}))["x"] == x


@pytest.mark.parametrize(
    "value",
    [
        {"k": "\ud800"},  # a lone surrogate
        {1: "int key"},
        2**70,
        {"é": '\u2028\x00\x1f"\\', "a": [1.5, None, True]},
    ],
)
def test_what_orjson_refuses_is_written_by_the_standard_library(value):
    assert jsontext.dumps_canonical(value) == reference(value)


@dataclass
class Point:
    x: int


@pytest.mark.parametrize("value", [datetime.datetime(2026, 1, 1), Point(1), object()])
def test_what_json_cannot_write_still_raises(value):
    with pytest.raises(TypeError):
        jsontext.dumps_canonical({"v": value})


def test_integers_beyond_64_bits_stay_integers():
    for n in (2**64, -(2**63) - 1, 10**30):
        assert jsontext.loads(str(n)) == n and type(jsontext.loads(str(n))) is int
        assert jsontext.loads(f'{{"a": [{n}]}}'.encode()) == {"a": [n]}


def test_text_only_the_standard_library_reads():
    assert math.isnan(jsontext.loads("NaN"))
    assert jsontext.loads('{"a": Infinity}') == {"a": math.inf}
    assert jsontext.loads(b'[1, "\\ud800"]') == [1, "\ud800"]
    with pytest.raises(ValueError):
        jsontext.loads("{not json")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(min_value=-(10**25), max_value=10**25),
            st.text(alphabet="0123456789é٣\u00a0 ", max_size=30),
            st.floats(allow_nan=False, allow_infinity=False),
        ),
        max_size=6,
    )
)
def test_digit_runs_are_read_as_the_standard_library_reads_them(value):
    # Long runs of digits, in numbers and in strings, next to non-ASCII text (the check
    # for integers beyond 64 bits looks at the UTF-8 text's digits)
    text = json.dumps(value, ensure_ascii=False)
    assert jsontext.loads(text) == json.loads(text)
    assert jsontext.loads(text.encode()) == json.loads(text)
    assert [type(v) for v in jsontext.loads(text)] == [type(v) for v in json.loads(text)]
