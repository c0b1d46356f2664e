"""The language of the text the product writes on invoice lines (what the customer reads).

The wording is a choice of the business, not of the person at the screen: a Québec
organisation bills French-speaking clients in French even when its bookkeeper runs the app in
English. :func:`default_language` proposes one (French for an organisation in Québec or an
app that runs in French, English otherwise); the app remembers the business's choice.

English keeps the ISO dates it always wrote ("8 days, 2026-11-03 to 2026-11-10"): English
speaking Xero regions disagree on day/month order and ISO is read the same in all of them.
French follows French rules: "8 jours, du 3 au 10 novembre 2026", "1er", an unbreakable
space before the colon. No number with decimals appears in the text (the hours are the
line's quantity), so no decimal separator is needed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date

#: the languages an invoice can be worded in, with their own names (shown as such)
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}

_FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_NBSP = "\u00a0"
#: a region of a Canadian address that is Québec (accents and case folded)
_QUEBEC = frozenset({"QC", "QUEBEC", "PQ", "QUE"})


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else "en"


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().upper()


def in_quebec(country_code: str, regions: Iterable[str]) -> bool:
    """Whether an organisation's addresses put it in Québec (country CA, region QC)."""
    return (country_code or "").upper() == "CA" and any(
        _folded(r or "") in _QUEBEC for r in regions
    )


def default_language(country_code: str, regions: Iterable[str], app_language: str) -> str:
    """The wording proposed before the business chooses: French for an organisation in
    Québec (its clients read French) or an app that runs in French, else English."""
    if in_quebec(country_code, regions) or app_language == "fr":
        return "fr"
    return "en"


def _fr_day(day: date, month: bool = True, year: bool = True) -> str:
    text = "1er" if day.day == 1 else str(day.day)
    if month:
        text += f" {_FR_MONTHS[day.month - 1]}"
    if year:
        text += f" {day.year}"
    return text


def _fr_days(days: list[date]) -> list[str]:
    """Each day, its month and year said once for the days that share them: "3, 5 et 7
    novembre 2026", "30 octobre et 2 novembre 2026"."""
    out = []
    for n, day in enumerate(days):
        nxt = days[n + 1] if n + 1 < len(days) else None
        new_year = nxt is None or nxt.year != day.year
        new_month = new_year or (nxt is not None and nxt.month != day.month)
        out.append(_fr_day(day, new_month, new_year))
    return out


def dates_text(days: Iterable[str], language: str) -> str:
    """The days a line's hours were worked on (YYYY-MM-DD), as the line says them."""
    ordered = sorted(set(days))
    if not ordered:
        return ""
    if language != "fr":
        if len(ordered) == 1:
            return ordered[0]
        if len(ordered) <= 3:
            return f"{', '.join(ordered[:-1])} and {ordered[-1]}"
        return f"{len(ordered)} days, {ordered[0]} to {ordered[-1]}"
    parsed = [date.fromisoformat(d) for d in ordered]
    if len(parsed) <= 3:
        parts = _fr_days(parsed)
        return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"
    first, last = parsed[0], parsed[-1]
    same_year = first.year == last.year
    head = _fr_day(first, not (same_year and first.month == last.month), not same_year)
    return f"{len(parsed)} jours, du {head} au {_fr_day(last)}"


def range_text(start: date, end: date, language: str) -> str:
    """A billing range as an invoice's Reference names it ("2026-11-03 to 2026-11-10", "du 3
    au 10 novembre 2026")."""
    if language != "fr":
        return f"{start.isoformat()} to {end.isoformat()}"
    if start == end:
        return f"le {_fr_day(start)}"
    same_year = start.year == end.year
    head = _fr_day(start, not (same_year and start.month == end.month), not same_year)
    return f"du {head} au {_fr_day(end)}"


def line_text(
    label: str,
    days: Iterable[str],
    language: str,
    *,
    job_name: str = "",
    people: Iterable[str] = (),
    unapproved: bool = False,
) -> str:
    """A line's description: what was done (the item, and its job when it differs), on which
    days, by whom (when asked) and whether the hours are approved yet."""
    text = label
    if job_name and job_name != label:
        text = f"{label} ({job_name})"
    colon = f"{_NBSP}: " if language == "fr" else ": "
    text += colon + dates_text(days, language)
    names = sorted(set(people))
    if names:
        text += " - " + ", ".join(names)
    if unapproved:
        text += " (pas encore approuvées)" if language == "fr" else " (not approved yet)"
    return text


__all__ = [
    "LANGUAGES",
    "dates_text",
    "default_language",
    "in_quebec",
    "language_or_default",
    "line_text",
    "range_text",
]
