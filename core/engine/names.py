"""Every rule about names in one place: what may be sent, how long it may be, and the keys.

QuickBooks Time and Xero hold the same things under names that people typed. Each question
about a name has one answer here, and one function:

* **Clean** (:func:`clean_name`, :func:`is_clean`): a Xero name can hold anything (a pasted
  NUL, a tab or newline, a bell, an ESC, a right-to-left override that shows "Trees" as
  "seerT"). QuickBooks Time shows names to every team member on their phone and in reports,
  so such characters never leave for it. Every name sent goes through :func:`clean_name`
  (:func:`sent_name` shapes it, ``core.services.qbtime.mapping.outbound`` checks every row
  before it leaves). A name that cleaning leaves empty is not sent: matching reports it as a
  conflict (``invalid_name``: nothing but invisible or control characters, :func:`is_blank`).
* **Length** (:data:`NAME_LIMIT`, :func:`fits_qbtime`): the most characters a QuickBooks Time
  name may have.
* **Keys**, from the strictest to the loosest; two names with the same key are "the same" for
  the question the key answers:

  - :func:`exact_key`: the same name typed twice (the article's rule for automatic links).
  - :func:`qbt_name_key`: the same name for QuickBooks Time, which tells sibling names apart
    ignoring case and outer spaces (uniqueness checks of the plan, the review and undo).
  - :func:`look_alike_key`: names nobody could tell apart on screen (a review may accept them
    as the same without asking).
  - :func:`normalise_name` / :func:`normalise_person`: names a person would call the same
    (near matches: case, accents, punctuation, "&", legal suffixes...). :func:`fold` applies
    any subset of its stages; matching uses that to explain a difference.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = [
    "BIDI_CONTROLS",
    "FOLD_ACCENTS",
    "FOLD_ALL",
    "FOLD_AMPERSAND",
    "FOLD_CASE",
    "FOLD_INVISIBLE",
    "FOLD_LEGAL",
    "FOLD_NO_SPACES",
    "FOLD_PERSON",
    "FOLD_PUNCTUATION",
    "FOLD_SPACES",
    "NAME_LIMIT",
    "clean_name",
    "exact_key",
    "fits_qbtime",
    "fold",
    "fold_cached",
    "is_blank",
    "is_clean",
    "look_alike_key",
    "normalise_name",
    "normalise_person",
    "qbt_name_key",
    "sent_name",
]

#: QuickBooks Time's limit for jobcode names; custom field and custom field item names are
#: held to it too.
NAME_LIMIT = 64


def fits_qbtime(name: str, limit: int = NAME_LIMIT) -> bool:
    """Whether ``name`` (as it will be sent) fits in a QuickBooks Time name."""
    return len(name) <= limit


#: bidirectional formatting characters: embeddings and overrides (U+202A–U+202E), isolates
#: (U+2066–U+2069), and the implicit marks (LRM, RLM, ALM)
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)

#: invisible characters removed as well: zero-width space, word joiner, byte order mark
_INVISIBLE_CHARS = frozenset("\u200b\u2060\ufeff")


def _removed(ch: str) -> bool:
    if ch in BIDI_CONTROLS or ch in _INVISIBLE_CHARS:
        return True
    # Cc: C0/C1 controls (NUL, BEL, ESC, DEL, CSI…); Cs: a lone surrogate (not text at all)
    return unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace()


def _to_space(ch: str) -> bool:
    """Controls that separate words (tab, newline, carriage return…) and line/paragraph
    separators: each becomes a plain space."""
    return (ch.isspace() and unicodedata.category(ch) == "Cc") or ch in "\u2028\u2029"


def is_clean(name: str) -> bool:
    """Whether ``name`` may be sent as it is (nothing :func:`clean_name` would change)."""
    if name.isascii():
        return name.isprintable()
    return not any(_removed(ch) or _to_space(ch) for ch in name)


def clean_name(name: str | None) -> str:
    """``name`` without control characters or bidi controls.

    Control characters, bidi embeddings/overrides/isolates/marks, zero-width spaces and byte
    order marks are removed; tabs, newlines and line/paragraph separators become spaces; then,
    when anything was removed or replaced, runs of spaces are collapsed and the outer ones
    trimmed. A name without such characters is returned unchanged, so exact-name matching
    keeps its meaning. The zero-width joiner and non-joiner stay (emoji sequences, Persian
    and Indic scripts need them). The result may be empty: the caller reports that.
    """
    text = name or ""
    if is_clean(text):
        return text
    kept = "".join(" " if _to_space(ch) else ch for ch in text if not _removed(ch))
    return " ".join(part for part in kept.split(" ") if part).strip()


# -- keys ----------------------------------------------------------------------------------------


def exact_key(name: str) -> str:
    """The name as typed, minus what nobody can see: Unicode NFC and outer whitespace trimmed.

    "Café" typed on a Mac (NFD) and on Windows (NFC) are one name; case, accents, inner
    spaces and invisible characters inside the name still count (matching's exact rule).
    """
    return name.strip() if name.isascii() else unicodedata.normalize("NFC", name).strip()


def sent_name(name: str | None) -> str:
    """The name as it is sent to QuickBooks Time: NFC, cleaned (:func:`clean_name`), trimmed."""
    return clean_name(unicodedata.normalize("NFC", name or "")).strip()


def qbt_name_key(name: str | None) -> str:
    """How QuickBooks Time tells sibling names apart: the name as sent, ignoring case (outer
    spaces are trimmed, inner spaces count)."""
    return sent_name(name).casefold()


def look_alike_key(name: str) -> str:
    """The name as nobody could tell it apart: NFKC, invisible characters dropped, every run of
    whitespace one space, outer spaces trimmed, casefolded. Accents, punctuation, "&"/"and"
    and legal suffixes are NOT folded (unlike :func:`normalise_name`)."""
    kept = []
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cf", "Cc"):
            kept.append(ch)
    return " ".join("".join(kept).split()).casefold()


def is_blank(name: str) -> bool:
    """Whether nothing visible is left of ``name`` (only spaces, invisible or control characters)."""
    return not fold(name, FOLD_INVISIBLE)


# -- folding: the stages of normalise_name ---------------------------------------------------------

(
    FOLD_INVISIBLE,
    FOLD_CASE,
    FOLD_ACCENTS,
    FOLD_AMPERSAND,
    FOLD_PUNCTUATION,
    FOLD_SPACES,
    FOLD_LEGAL,
) = (1 << i for i in range(7))
FOLD_ALL = (
    FOLD_INVISIBLE
    | FOLD_CASE
    | FOLD_ACCENTS
    | FOLD_AMPERSAND
    | FOLD_PUNCTUATION
    | FOLD_SPACES
    | FOLD_LEGAL
)
#: explanations only: "Coastal Body" vs "CoastalBody" differ by spaces too
FOLD_NO_SPACES = 1 << 7
FOLD_PERSON = FOLD_ALL & ~FOLD_LEGAL

_APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02bb`\u00b4\u2032"
_WHITESPACE_CONTROLS = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85"
_MARK = "\x1f"  # stands for a punctuation run until spaces are tidied (removed as invisible)


class _LazyTable(dict[int, Any]):
    """A str.translate table filled on first sight of each character."""

    def __init__(self, rule: Callable[[str], str | int | None]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, key: int) -> Any:
        value = self._rule(chr(key))
        if value is _KEEP:
            value = key
        self[key] = value
        return value


_KEEP = -1


def _invisible_rule(ch: str) -> Any:
    if ch in _WHITESPACE_CONTROLS:
        return " "
    cat = unicodedata.category(ch)
    if cat in ("Zs", "Zl", "Zp"):
        return " "
    if cat[0] == "C":  # Cc, Cf (zero-width, bidi marks, BOM, soft hyphen), Co, Cn
        return None
    return _KEEP


_SPECIAL_LETTERS = {
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
    "ß": "ss",
}


def _accent_rule(ch: str) -> Any:
    if ch in _SPECIAL_LETTERS:
        return _SPECIAL_LETTERS[ch]
    if unicodedata.category(ch) in ("Mn", "Me"):
        return None
    return _KEEP


def _punct_rule(ch: str) -> Any:
    if ch in _APOSTROPHES:
        return None  # "St George's" ~ "St Georges", "O'Brien" ~ "OBrien"
    if unicodedata.category(ch)[0] in ("P", "S"):
        return _MARK
    return _KEEP


_INVISIBLE_TABLE = _LazyTable(_invisible_rule)
_ACCENT_TABLE = _LazyTable(_accent_rule)
_PUNCT_TABLE = _LazyTable(_punct_rule)

_AMP_RE = re.compile(r"\s*&\s*|\s+\+\s+")
_ET_RE = re.compile(r"(?<!\w)et(?!\w)", re.IGNORECASE)
_MARK_RE = re.compile(r" *\x1f[\x1f ]*")
_SINGLE_LETTER = re.compile(r"^[^\W\d_]$")
_INITIAL_RE = re.compile(r"(?<!\S)[^\W\d_]\s+[^\W\d_](?!\S)")  # two initials in a row

# Legal-form words stripped from the end of organisation names (repeatedly: "Pty. Ltd.").
_LEGAL_WORDS = (
    "incorporated",
    "inc",
    "limited",
    "ltd",
    "proprietary",
    "pty",
    "llc",
    "llp",
    "lp",
    "plc",
    "corporation",
    "corp",
    "company",
    "co",
    "compagnie",
    "cie",
    "sarl",
    "sasu",
    "sas",
    "sa",
    "eurl",
    "snc",
    "sencrl",
    "senc",
    "limitée",
    "limitee",
    "ltée",
    "ltee",
    "enr",
    "enrg",
    "gmbh",
    "pte",
    "pvt",
)
_COMPANY_WORDS = frozenset(("company", "co", "compagnie", "cie"))
_LEGAL_RE = re.compile(
    r"(?:^|[\s.,/&(\-]+)(" + "|".join(_LEGAL_WORDS) + r")\.?[\s.,)]*$", re.IGNORECASE
)
_CONNECTOR_RE = re.compile(r"(?:^|[\s,]+)(?:and|et|&)[\s,]*$", re.IGNORECASE)


def _merge_initials(tokens: list[str]) -> list[str]:
    """'a b c plumbing' -> 'abc plumbing': initials written with or without dots/spaces."""
    out: list[str] = []
    run: list[str] = []
    for tok in tokens:
        if len(tok) == 1 and _SINGLE_LETTER.match(tok):
            run.append(tok)
            continue
        if run:
            out.append("".join(run)) if len(run) > 1 else out.append(run[0])
            run = []
        out.append(tok)
    if run:
        out.append("".join(run)) if len(run) > 1 else out.append(run[0])
    return out


_LEGAL_SET = frozenset(_LEGAL_WORDS)
_TAIL_JUNK = " \t.,)"
_WORD_SEPARATORS = " \t./,&(-"


def _last_word(s: str, plain: bool) -> str:
    if plain:  # punctuation already gone: words are separated by spaces
        return s[s.rfind(" ") + 1 :]
    s = s.rstrip(_TAIL_JUNK)
    cut = max([s.rfind(sep) for sep in _WORD_SEPARATORS])
    return s[cut + 1 :].casefold()


def _strip_legal(s: str, plain: bool = False) -> str:
    while True:
        if _last_word(s, plain) not in _LEGAL_SET:
            return s  # the cheap test first: most names end with no legal form
        m = _LEGAL_RE.search(s)
        if not m or m.start() == 0:
            return s  # no suffix, or the suffix is the whole name: keep it
        rest = s[: m.start()].rstrip(" ,.-/&(")
        if m.group(1).casefold() in _COMPANY_WORDS:
            rest = _CONNECTOR_RE.sub("", rest).rstrip(" ,.-/&(")  # "Smith & Co" -> "Smith"
        if not rest.strip():
            return s
        s = rest


def fold(s: str, flags: int) -> str:
    """Apply the chosen normalisation stages, always in the same order."""
    ascii_only = s.isascii()
    s = s.strip() if ascii_only else unicodedata.normalize("NFC", s).strip()
    if flags & FOLD_INVISIBLE and not (ascii_only and s.isprintable()):
        if not ascii_only:
            s = unicodedata.normalize("NFKC", s)
        s = s.translate(_INVISIBLE_TABLE).strip()
        ascii_only = s.isascii()
    if flags & FOLD_CASE:
        s = s.casefold()
    if flags & FOLD_ACCENTS and not ascii_only:
        s = unicodedata.normalize("NFD", s).translate(_ACCENT_TABLE)
        s = unicodedata.normalize("NFC", s)
    if flags & FOLD_AMPERSAND:
        if "&" in s or "+" in s:
            s = _AMP_RE.sub(" and ", s)
        if "et" in s or "ET" in s or "Et" in s or "eT" in s:
            s = _ET_RE.sub("and", s)
        s = s.strip()
    if flags & FOLD_PUNCTUATION:
        s = s.translate(_PUNCT_TABLE)
        if _MARK in s:
            s = _MARK_RE.sub(" ", s)
        s = s.strip()
    if flags & FOLD_SPACES:
        tokens = s.split()
        merged = bool(_INITIAL_RE.search(s))
        if merged:
            tokens = _merge_initials(tokens)
        # An "et" made by the stages above ("E/T" -> "e t" -> "et", "e't" -> "et") is read as
        # the others are: otherwise normalising twice would differ from normalising once.
        if flags & FOLD_AMPERSAND and (merged or "et" in s or "ET" in s or "Et" in s or "eT" in s):
            tokens = ["and" if t.casefold() == "et" else t for t in tokens]
        s = " ".join(tokens)
    if flags & FOLD_LEGAL:
        s = _strip_legal(s, plain=bool(flags & FOLD_PUNCTUATION and flags & FOLD_CASE)).strip()
    if flags & FOLD_NO_SPACES:
        s = s.replace(" ", "")
    return s


def normalise_name(s: str) -> str:
    """The key two organisation names share when a person would call them "the same".

    NFKC; invisible characters (zero-width, bidi marks, controls) dropped and every kind of
    space made a plain space; casefold; accents stripped (NFD, combining marks dropped; œ, æ,
    ø, ł, ß... spelled out); "&", "+" and French "et" read as "and"; apostrophes dropped;
    other punctuation and symbols become a space; spaces collapsed; initials joined ("A.B.C."
    -> "abc"); legal suffixes stripped from the end, repeatedly (Ltd, Pty Ltd, Inc., LLC, PLC,
    Corp, & Co, SARL, SAS, SA, SNC, Ltée, Limitée, Enr, Inc/Ltée...), never when the suffix is
    the whole name.
    """
    return fold(s, FOLD_ALL)


def normalise_person(first: str, last: str = "") -> str:
    """The same normalisation for a person's name, without legal suffixes ("Linh Sa")."""
    return fold(f"{first} {last}", FOLD_PERSON)


@lru_cache(maxsize=8192)
def fold_cached(s: str, flags: int) -> str:
    return fold(s, flags)
