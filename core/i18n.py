"""Translations for messages produced by core/ (errors, headless commands).

core/ must not import Qt, so it keeps its own tiny catalog: English source strings are the
keys, the French text lives in resources/i18n/core.fr.json. The wizard calls set_language()
with the user's choice; Qt's own .ts/.qm files translate the pages.
"""

from __future__ import annotations

import json
import locale
import os
import sys
from functools import cache

from core.resources import resource

CATALOG_DIR = resource("i18n")
SUPPORTED = ("en", "fr")
#: languages that write a decimal comma: a number placed in their sentences is written so
_DECIMAL_COMMA = ("fr",)
_default_language = "en"


def system_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            code = value.split(":")[0][:2].lower()
            return code if code in SUPPORTED else "en"
    try:
        code = (locale.getlocale()[0] or "en")[:2].lower()
    except ValueError:
        code = "en"
    return code if code in SUPPORTED else "en"


def set_language(language: str) -> None:
    global _default_language
    _default_language = language if language in SUPPORTED else "en"


def current_language() -> str:
    return _default_language


@cache
def _catalog(language: str) -> dict[str, str]:
    path = CATALOG_DIR / f"core.{language}.json"
    if not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Msg(str):
    """An English message kept for translation at display time (see :func:`N_`)."""


class MsgList(tuple):
    """Messages shown as one phrase: "a, b and c", each part translated."""


def N_(text: str) -> Msg:
    """Mark ``text`` for translation later: a parameter given as ``N_(...)`` is translated
    into the language of the sentence it is placed in."""
    return Msg(text)


def _is_decimal(value: object) -> bool:
    """A Decimal, without importing decimal on the way to the first page: there is none
    until something imported it."""
    decimal = sys.modules.get("decimal")
    return decimal is not None and isinstance(value, decimal.Decimal)


def _render(value: object, lang: str) -> object:
    if isinstance(value, Msg):
        return tr(str(value), lang)
    if isinstance(value, MsgList):
        parts = [str(_render(v, lang)) for v in value]
        if len(parts) <= 1:
            return "".join(parts)
        return tr("{first} and {last}", lang, first=", ".join(parts[:-1]), last=parts[-1])
    if (isinstance(value, float) or _is_decimal(value)) and lang in _DECIMAL_COMMA:
        return str(value).replace(".", ",")  # "37,5 h", "4,50 heures"
    return value


def tr(text: str, language: str | None = None, **params: object) -> str:
    """Translate ``text`` (English source) and fill ``{name}`` placeholders.

    Parameters made with :func:`N_` (or a :class:`MsgList` of them) are translated too.
    """
    lang = language or current_language()
    translated = text if lang == "en" else _catalog(lang).get(text, text)
    if not params:
        return translated
    return translated.format(**{k: _render(v, lang) for k, v in params.items()})
