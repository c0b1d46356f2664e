"""Country names for the welcome page, in each language of the interface.

They come from babel's CLDR data. Loading that data takes longer than opening the window,
so the names of the interface's own languages are kept ready in ``countries_data.py``, made
by ``python -m wizard.countries`` (a test checks they still match babel); any other
language is read from babel when asked for.
"""

from __future__ import annotations

#: not countries (regions, groupings, unknown, private use)
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"})


def from_babel(language: str) -> list[tuple[str, str]]:
    """Every country (ISO alpha-2) with its name in ``language``, sorted for that language."""
    import unicodedata  # (babel's names only: not on the way to the first page, issue 16)

    from babel import Locale

    def sort_key(item: tuple[str, str]) -> str:
        folded = unicodedata.normalize("NFKD", item[1]).encode("ascii", "ignore").decode()
        return folded.casefold()

    territories = Locale.parse(language).territories
    names = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return sorted(names, key=sort_key)


def country_names(language: str) -> list[tuple[str, str]]:
    """Like :func:`from_babel`, without loading babel for the interface's languages."""
    from .countries_data import NAMES

    ready = NAMES.get(language)
    return list(ready) if ready is not None else from_babel(language)


def country_name(language: str, code: str) -> str | None:
    """One country's name in ``language`` (None: not a country), as :func:`country_names`
    gives it."""
    from .countries_data import NAMES

    ready = NAMES.get(language)
    for known, name in ready if ready is not None else from_babel(language):
        if known == code:
            return name
    return None


def write_data(path: str | None = None) -> None:
    """Make ``countries_data.py`` again from babel (after upgrading babel)."""
    from pathlib import Path

    from .i18n import LANGUAGES

    target = Path(path) if path else Path(__file__).with_name("countries_data.py")
    lines = [
        '"""Made by `python -m wizard.countries` from babel\'s CLDR data: do not edit."""',
        "",
        "NAMES: dict[str, tuple[tuple[str, str], ...]] = {",
    ]
    for language in LANGUAGES:
        lines.append(f"    {language!r}: (")
        lines += [f"        ({code!r}, {name!r})," for code, name in from_babel(language)]
        lines.append("    ),")
    lines.append("}")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_data()
