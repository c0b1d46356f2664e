"""JSON text, fast: orjson where it gives the same answer as the standard library, the
standard library where it does not.

Reading and writing JSON was the largest single cost of an import (every record read from
Xero and QuickBooks Time is parsed, and kept as canonical text): ``orjson`` does it several
times faster. Its answers are the standard library's for everything an API sends, with
these differences, each sent back to :mod:`json` so behaviour is unchanged:

- ``loads``: orjson refuses ``NaN``/``Infinity`` and lone surrogates, which :func:`json.loads`
  reads, and reads an integer beyond 64 bits as a float: such text (any run of 19 digits or
  more) is read by :mod:`json`.
- ``dumps_canonical``: orjson refuses integers beyond 64 bits, non-string keys and lone
  surrogates (written by :mod:`json`, as before); it would write datetimes, dataclasses and
  UUIDs where :mod:`json` raises ``TypeError`` (datetimes and dataclasses are passed
  through, so :mod:`json` still raises; a UUID or an Enum is written as its value). Two differences are kept, neither changes a value read back: a float that needs
  an exponent is written ``1e20`` (not ``1e+20``), and a float that is not finite (which no
  JSON can hold) as ``null``. Otherwise the text is the same as
  ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


#: a number orjson could read as a float where json reads an int (beyond 64 bits) has a run
#: of 19 digits or more: found as 19 zeros once every digit is made a zero (one translate
#: and one substring search of the UTF-8 text; a regular expression scanning for it cost
#: more than orjson's whole parse)
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """:func:`json.loads`, faster."""
    if isinstance(text, memoryview):
        text = bytes(text)
    try:
        data = text.encode() if isinstance(text, str) else text
    except UnicodeEncodeError:  # a lone surrogate: only json reads it
        return json.loads(text)
    if _LONG_RUN not in data.translate(_DIGITS_TO_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def dumps_canonical(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``,
    faster, same text."""
    try:
        return orjson.dumps(value, option=_OPTIONS, default=_refuse).decode()
    except TypeError:  # (orjson.JSONEncodeError is a TypeError)
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
