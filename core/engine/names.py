"""Names as QuickBooks Time may receive them: no control characters, no bidi overrides.

A Xero name can hold anything (a pasted NUL, a tab or newline, a bell, an ESC, a
right-to-left override that shows "Trees" as "seerT"). QuickBooks Time shows names to every
team member on their phone and in reports, so such characters never leave for it.

:func:`clean_name` is the one rule: every name sent to QuickBooks Time goes through it
(``core.engine.plan`` shapes names with it, ``core.services.qbtime.mapping.outbound`` checks every row
before it leaves). A name that cleaning leaves empty is not sent: matching reports it as a
conflict (``invalid_name``: nothing but invisible or control characters).
"""

from __future__ import annotations

import unicodedata

#: bidirectional formatting characters: embeddings and overrides (U+202A–U+202E), isolates
#: (U+2066–U+2069), and the implicit marks (LRM, RLM, ALM)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")

#: invisible characters removed as well: zero-width space, word joiner, byte order mark
_INVISIBLE = frozenset("\u200b\u2060\ufeff")


def _removed(ch: str) -> bool:
    if ch in BIDI_CONTROLS or ch in _INVISIBLE:
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
