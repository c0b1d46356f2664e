"""Who is who between Xero and QuickBooks Time: links, conflicts, and what is left over.

Pure functions over the typed records of ``core.engine.records``: no I/O, no database, no clock.

The article's rules stay the safe default for *automatic* links (customers: exactly the same
name; employees: the same first name, last name and e-mail). Everything else that looks
alike becomes a :class:`Conflict` for a person to decide, with ranked candidates, a score and
a reason. Nothing near is ever linked automatically.

Decisions taken here, and why:

* **Exact means exact, minus what nobody can see.** Both names are put in Unicode NFC and
  their outer whitespace is trimmed before the byte comparison. "Café" typed on a Mac (NFD)
  and on Windows (NFC) look identical and no user could tell them apart; the same holds for a
  trailing space. Case, accents, inner spaces, punctuation and invisible characters *inside*
  the name (a no-break space, a zero-width space) are not ignored: they are near matches.
* **E-mails are compared case-insensitively** (after trimming). The local part of an address
  is case-sensitive in theory only; no mail provider treats it so, and people type
  ``Jane.Doe@`` and ``jane.doe@`` for the same mailbox.
* **An existing link wins** (xero id -> QB Time id, from earlier imports) even when the names
  now differ: the planner renames the QB Time object. It is dropped (reported in
  ``MatchResult.dropped_links``) only when either side no longer exists.
* **Matching is identity, not selection.** Pass every record you want *recognised* (for
  customers: also contacts that are not customers yet and archived ones, so their QB Time
  twins are not offered for archiving). The planner decides what to create or archive.
* **Scores** are the similarity (0-100) of the *normalised* names: 100 for names equal after
  normalisation, :func:`name_similarity` otherwise (the better of the Indel ratio of the names
  as written and of their words sorted). Candidates are ranked by tier (identical,
  normalised, same e-mail, cut/numbered, fuzzy), then score, then QB Time id.
  Why both orders: sorting the words alone (``token_sort_ratio``) lets "Harbour Gardens" ~
  "Gardens Harbour" through, but one typo in a word's first letter ("aartin Constructions")
  or two words run together ("MarshLawyers") moves a word elsewhere in the sorted order and
  drops the score of an obvious typo far below the threshold (a fifth of planted typos were
  lost so; see tests/benchmarks/test_bench_matching.py). The ratio of the names as written
  keeps those; the sorted one keeps reordered words.
* **Fuzzy candidates** (:func:`name_similarity` >= 90 on normalised names, top 3) are computed
  only for names with no identical or normalised candidate. They are exhaustive for small
  inputs and blocked (length window + word keys, pairs of keys for common ones) for large
  ones, so their cost grows linearly; see
  :func:`fuzzy_candidates`. Normalised names are also compared with their spaces removed
  ("CoastalBody" ~ "Coastal Body"), and cut names (> 64 characters in Xero, the first part
  in QB Time) and numbered copies ("Greenfield Homes-1") are looked up too.
* **One conflict per Xero record.** Its ``problem`` is the first that applies in
  :data:`PROBLEMS` order; ``details["problems"]`` lists them all (a name can be too long *and*
  have a near twin). Candidates already linked to another Xero record are still shown, with
  ``linked_xero_id`` set: they usually mean a duplicate in Xero.
* **Archive candidates** (``unmatched_qbt``) are active QB Time records that are not linked
  and are nobody's candidate: a record someone may still pick is never offered for archiving.

Reasons are stored as a stable ``reason_code`` plus English text; show them with
:func:`describe_reason` (and problems with :func:`describe_problem`) in the user's language.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from core.engine.names import (
    FOLD_ACCENTS,
    FOLD_ALL,
    FOLD_AMPERSAND,
    FOLD_CASE,
    FOLD_INVISIBLE,
    FOLD_LEGAL,
    FOLD_NO_SPACES,
    FOLD_PERSON,
    FOLD_PUNCTUATION,
    FOLD_SPACES,
    NAME_LIMIT,
    exact_key,
    fits_qbtime,
    fold,
    fold_cached,
    is_blank,
    normalise_name,
    normalise_person,
)
from core.engine.records import QBTJobcode, QBTUser, XeroContact, XeroEmployee
from core.i18n import tr

__all__ = [
    "FUZZY_LIMIT",
    "FUZZY_SCORER",
    "FUZZY_THRESHOLD",
    "MAX_ACTIVE_CUSTOM_FIELDS",
    "PROBLEMS",
    "Candidate",
    "Conflict",
    "MatchResult",
    "check_custom_field_capacity",
    "describe_problem",
    "describe_reason",
    "explain_difference",
    "fingerprint",
    "fuzzy_candidates",
    "match_customers",
    "match_employees",
    "match_named",
    "name_similarity",
    "suggest_short_name",
]

#: QB Time allows at most this many *active* custom fields per account.
MAX_ACTIVE_CUSTOM_FIELDS = 6
#: rapidfuzz score (0-100) from which a name is offered as a fuzzy candidate. 90 with
#: :func:`name_similarity`: on the planted look-alikes of tests/benchmarks/test_bench_matching.py
#: it finds more of them AND offers fewer unrelated names than token_sort_ratio at 88 did.
FUZZY_THRESHOLD = 90.0
#: at most this many fuzzy candidates per name.
FUZZY_LIMIT = 3


def _sort_tokens(s: str) -> str:
    return " ".join(sorted(s.split()))


def name_similarity(a: str, b: str, *, processor: Any = None, score_cutoff: float = 0) -> float:
    """The similarity (0-100) of two normalised names: the better of ``fuzz.ratio`` of the
    names as written (runs of spaces as one) and of their words sorted (``token_sort_ratio``).
    Accepts rapidfuzz's scorer keywords, so it can be passed where a scorer is expected."""
    del processor
    written = fuzz.ratio(" ".join(a.split()), " ".join(b.split()))
    best = max(written, fuzz.ratio(_sort_tokens(a), _sort_tokens(b)))
    return best if best >= score_cutoff else 0.0


#: the scorer behind every fuzzy score (a benchmark compares against ``cdist`` with it).
FUZZY_SCORER = name_similarity
#: below this many pairs, :func:`fuzzy_candidates` compares every pair (no blocking).
EXHAUSTIVE_PAIR_BUDGET = 2_000_000
#: blocking: a key (or pair of keys) whose length window holds more choices than this is
#: too common to compare a name with all of them (see :func:`fuzzy_candidates`).
BLOCK_CAP = 50
#: blocking: a name is compared with every choice sharing a key of its two rarest words
#: while that makes at most this many comparisons (else keys in pairs, see _BlockedIndex).
SCAN_BUDGET = 1_000

#: conflict problems, most important first (a conflict's ``problem`` is the first that applies).
PROBLEMS = (
    "key_owner",
    "administrator",
    "email_change",
    "invalid_name",
    "ambiguous",
    "archived_twin",
    "duplicate_in_xero",
    "name_too_long",
    "near_match",
    "too_many_custom_fields",
)

# candidate tiers: the rank of the evidence, before the score
_TIER_IDENTICAL, _TIER_NORMALISED, _TIER_EMAIL, _TIER_SHAPE, _TIER_FUZZY = range(5)


# -- data types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A QB Time record that may be the same thing as a Xero record."""

    qbt_id: int
    name: str
    score: float  # 0-100, similarity of the normalised names
    reason_code: str  # stable: "case", "accents+spaces", "similar", ...
    reason: str  # English text; show describe_reason(reason_code, score=...)
    archived: bool = False
    email: str = ""  # users only
    linked_xero_id: str | None = None  # already linked (or linked now) to another Xero record

    def describe(self, language: str | None = None) -> str:
        return describe_reason(self.reason_code, score=self.score, language=language)


@dataclass(frozen=True)
class Conflict:
    """A Xero record a person has to decide about (link / create / skip / rename)."""

    kind: str
    xero_id: str
    xero_name: str
    problem: str
    candidates: tuple[Candidate, ...]
    fingerprint: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def describe(self, language: str | None = None) -> str:
        return describe_problem(self, language)


@dataclass(frozen=True)
class MatchResult:
    kind: str
    links: dict[str, int]  # every valid link after matching: kept + new exact
    new_links: dict[str, int]  # the new exact ones only
    conflicts: list[Conflict]
    unmatched_xero: list[str]  # no candidate at all: create
    unmatched_qbt: list[int]  # active, unlinked, nobody's candidate: archive candidates
    #: links given in that could not be kept (the Xero or QB Time side is gone)
    dropped_links: dict[str, int] = field(default_factory=dict)

    def bucket_of(self, xero_id: str) -> str | None:
        if xero_id in self.links:
            return "link"
        if xero_id in self._conflicts_by_xero:
            return "conflict"
        if xero_id in self.unmatched_xero:
            return "create"
        return None

    def conflict_for(self, xero_id: str) -> Conflict | None:
        return self._conflicts_by_xero.get(xero_id)

    @cached_property
    def _conflicts_by_xero(self) -> dict[str, Conflict]:
        """The conflicts by Xero id (the first of an id), made at the first look: a plan
        looks a conflict up per name it finds taken (thousands at 100,000 contacts)."""
        by_xero: dict[str, Conflict] = {}
        for c in self.conflicts:
            by_xero.setdefault(c.xero_id, c)
        return by_xero


# -- normalisation -------------------------------------------------------------------------------

#: difference classes, in the order explanations prefer them (most specific first)
_CLASSES: tuple[tuple[str, int], ...] = (
    ("invisible", FOLD_INVISIBLE),
    ("case", FOLD_CASE),
    ("accents", FOLD_ACCENTS),
    ("spaces", FOLD_SPACES),
    ("punctuation", FOLD_PUNCTUATION),
    ("ampersand", FOLD_AMPERSAND),
    ("legal_suffix", FOLD_LEGAL),
)
_CLASS_CODES = tuple(code for code, _ in _CLASSES)


def _email_key(s: str) -> str:
    return s.strip().casefold()


_NUMBER_SUFFIX = re.compile(r"^(.*\S) \d{1,3}$")


def _without_number(nkey: str) -> str | None:
    """'greenfield homes 1' -> 'greenfield homes' (a copy an earlier import numbered)."""
    if not nkey[-1:].isdigit():  # most names end in a letter (isdigit is true for any \d)
        return None
    m = _NUMBER_SUFFIX.match(nkey)
    return m.group(1) if m else None


_MIN_CUT = 24  # a cut name keeps at least this many characters of the normalised name


def _is_cut_of(long_nkey: str, short_nkey: str, short_raw: str, limit: int) -> bool:
    """Is ``short`` the ``long`` name cut short to fit QB Time's limit?"""
    if len(short_nkey) < _MIN_CUT or len(short_nkey) >= len(long_nkey):
        return False
    if not long_nkey.startswith(short_nkey):
        return False
    raw = short_raw.strip()
    at_word_end = long_nkey[len(short_nkey)] == " "
    return len(raw) >= limit - 8 or raw.endswith(("…", "...")) or at_word_end


def _fuzzy_score(a_nkey: str, b_nkey: str) -> float:
    return float(FUZZY_SCORER(a_nkey, b_nkey))


def _compact(nkey: str) -> str:
    """The normalised key without spaces: "coastal body" ~ "coastalbody"."""
    return nkey.replace(" ", "")


def _explain_equal(a: str, b: str, flags: int) -> str:
    """The smallest set of difference classes whose stages make ``a`` and ``b`` equal."""
    nospace = flags & FOLD_NO_SPACES
    classes = [
        (code, bit | nospace if bit == FOLD_SPACES else bit)
        for code, bit in _CLASSES
        if flags & bit
    ]
    for code, bit in classes:  # most differences are a single one: try them first
        if fold_cached(a, bit) == fold_cached(b, bit):
            return code
    base_a, base_b = fold_cached(a, 0), fold_cached(b, 0)

    def matters(bit: int) -> bool:
        """Does this stage change either name, on its own or on top of all the others?"""
        if fold_cached(a, bit) != base_a or fold_cached(b, bit) != base_b:
            return True
        rest = flags & ~bit
        return fold_cached(a, rest) != fold_cached(b, rest)

    relevant = [(code, bit) for code, bit in classes if matters(bit)]
    for size in range(2, len(relevant) + 1):
        for subset in combinations(relevant, size):
            mask = 0
            for _, bit in subset:
                mask |= bit
            if fold_cached(a, mask) == fold_cached(b, mask):
                return "+".join(code for code, _ in subset)
    return "+".join(code for code, _ in relevant) or "invisible"


def _difference(
    a: str, b: str, flags: int = FOLD_ALL, limit: int = NAME_LIMIT
) -> tuple[str, float]:
    """The reason code for how ``a`` and ``b`` differ, and the similarity score."""
    exact_a, exact_b = exact_key(a), exact_key(b)
    if exact_a == exact_b:
        return "identical", 100.0
    return _difference_of(
        a, b, exact_a, exact_b, fold_cached(a, flags), fold_cached(b, flags), flags, limit
    )


def _difference_of(
    a: str, b: str, exact_a: str, exact_b: str, full_a: str, full_b: str, flags: int, limit: int
) -> tuple[str, float]:
    """:func:`_difference` given the names' keys, worked out already: :func:`exact_key` of
    each and their :func:`fold` by ``flags``."""
    if exact_a == exact_b:
        return "identical", 100.0
    if full_a and full_a == full_b:
        return _explain_equal(a, b, flags), 100.0
    if full_a and _compact(full_a) == _compact(full_b):
        return _explain_equal(a, b, flags | FOLD_NO_SPACES), 100.0
    score = round(_fuzzy_score(full_a, full_b), 1)
    if full_a and full_b:
        if (len(exact_a) > limit and _is_cut_of(full_a, full_b, b, limit)) or (
            len(exact_b) > limit and _is_cut_of(full_b, full_a, a, limit)
        ):
            return "truncated", score
        if _without_number(full_a) == full_b or _without_number(full_b) == full_a:
            return "numbered_copy", score
    return "similar", score


def explain_difference(a: str, b: str, language: str | None = None) -> tuple[str, str]:
    """(reason_code, reason text) for two names, the most specific reason first.

    Codes: ``identical``; one or more of ``invisible``, ``case``, ``accents``, ``spaces``,
    ``punctuation``, ``ampersand``, ``legal_suffix`` joined by "+" (the smallest set of
    differences that explains everything, e.g. ``case+spaces``); ``truncated`` (one is the
    other cut to 64 characters); ``numbered_copy`` ("Greenfield Homes-1"); ``similar``.
    """
    code, score = _difference(a, b)
    return code, describe_reason(code, score=score, language=language)


# -- reasons and problems in words ---------------------------------------------------------------


def _single_difference(code: str, language: str | None) -> str:
    if code == "case":
        return tr("differs only by case", language)
    if code == "accents":
        return tr("differs only by accents", language)
    if code == "spaces":
        return tr("differs only by spaces", language)
    if code == "invisible":
        return tr("differs only by invisible characters (such as a no-break space)", language)
    if code == "punctuation":
        return tr("differs only by punctuation", language)
    if code == "ampersand":
        return tr("& instead of and", language)
    return tr("differs only by a legal suffix (Ltd, Inc…)", language)


def _difference_label(code: str, language: str | None) -> str:
    if code == "case":
        return tr("case", language)
    if code == "accents":
        return tr("accents", language)
    if code == "spaces":
        return tr("spaces", language)
    if code == "invisible":
        return tr("invisible characters", language)
    if code == "punctuation":
        return tr("punctuation", language)
    if code == "ampersand":
        return tr("“&” instead of “and”", language)
    return tr("a legal suffix (Ltd, Inc…)", language)


def describe_reason(
    reason_code: str, *, score: float | None = None, language: str | None = None
) -> str:
    """The words for a candidate's ``reason_code``, in ``language`` (default: the current one)."""
    codes = reason_code.split("+")
    other_email = "other_email" in codes
    codes = [c for c in codes if c != "other_email"]
    differences = [c for c in codes if c in _CLASS_CODES]
    if differences and len(differences) == len(codes):
        if len(differences) == 1:
            text = _single_difference(differences[0], language)
        else:
            labels = [_difference_label(c, language) for c in differences]
            joined = tr(
                "{items} and {last}", language, items=", ".join(labels[:-1]), last=labels[-1]
            )
            text = tr("differs only by {differences}", language, differences=joined)
    elif codes == ["identical"]:
        text = tr("identical name", language)
    elif codes == ["same_name_other_email"]:
        text = tr("same name, different email", language)
    elif codes == ["linked"]:
        text = tr("already linked to this Xero employee", language)
    elif codes == ["same_name_no_email"]:
        text = tr(
            "same name, but only one of the two has an e-mail: link them if they are "
            "the same person",
            language,
        )
    elif codes == ["same_email_other_name"]:
        text = tr("same email, different name", language)
    elif codes == ["truncated"]:
        text = tr("same name, cut to {limit} characters", language, limit=NAME_LIMIT)
    elif codes == ["numbered_copy"]:
        text = tr("same name with a number added (an earlier duplicate?)", language)
    else:
        shown = math.floor((score or 0.0) + 0.5)
        text = tr("similar name (score {score})", language, score=shown)
    if other_email:
        text = tr("{reason}, different email", language, reason=text)
    return text


def describe_problem(conflict: Conflict, language: str | None = None) -> str:
    """One plain sentence saying why a person has to look at this record."""
    problem = conflict.problem
    if problem in ("key_owner", "administrator", "email_change"):
        return _describe_user_change(conflict, language)
    if problem == "invalid_name":
        return tr("This record has no name in Xero.", language)
    if problem == "ambiguous":
        return tr(
            "More than one record has exactly this name, so it cannot be linked automatically.",
            language,
        )
    if problem == "archived_twin" and conflict.kind == "customer":
        return tr(
            "A customer with exactly this name exists in QuickBooks Time but is archived, and "
            "QuickBooks Time keeps its name: restore and link it, or create a new one under "
            "another name.",
            language,
        )
    if problem == "archived_twin":
        return tr(
            "A record with exactly this name exists in QuickBooks Time but is archived: "
            "restore and link it, or create a new one.",
            language,
        )
    if problem == "duplicate_in_xero":
        return tr("Another Xero record has nearly the same name.", language)
    if problem == "name_too_long":
        return tr(
            "The name is longer than QuickBooks Time allows ({limit} characters).",
            language,
            limit=conflict.details.get("limit", NAME_LIMIT),
        )
    if problem == "too_many_custom_fields":
        return tr(
            "QuickBooks Time allows at most {limit} active custom fields: {active} are "
            "active and this import needs {needed} more.",
            language,
            limit=conflict.details.get("limit", MAX_ACTIVE_CUSTOM_FIELDS),
            active=conflict.details.get("active", 0),
            needed=conflict.details.get("needed", 0),
        )
    return tr("A similar record already exists in QuickBooks Time.", language)


def _describe_change(change: Mapping[str, Any], language: str | None) -> str:
    """What the import would do to a QuickBooks Time user, in words."""
    after = change.get("after") or {}
    if change.get("op") == "archive":
        return tr("archive them", language)
    parts = []
    if after.get("active") is True:
        parts.append(tr("restore them", language))
    if "first_name" in after or "last_name" in after:
        before = change.get("before") or {}
        first = after.get("first_name", before.get("first_name", ""))
        last = after.get("last_name", before.get("last_name", ""))
        parts.append(tr("rename them \u201c{name}\u201d", language, name=f"{first} {last}".strip()))
    if "email" in after:
        parts.append(tr("change their e-mail to {email}", language, email=after["email"]))
    if not parts:
        return tr("change them", language)
    if len(parts) == 1:
        return parts[0]
    return tr("{items} and {last}", language, items=", ".join(parts[:-1]), last=parts[-1])


def _describe_user_change(conflict: Conflict, language: str | None) -> str:
    details = conflict.details
    who = str(details.get("qbt_name") or conflict.xero_name)
    email = str(details.get("qbt_email") or "") or tr("no e-mail", language)
    change = _describe_change(details.get("change") or {}, language)
    if conflict.problem == "key_owner":
        return tr(
            "{name} ({email}) is the QuickBooks Time user whose access key this app uses: "
            "an import never changes them. Xero's employee \u201c{xero}\u201d would {change}. "
            "Make the change in QuickBooks Time yourself if it is right, then choose Never import.",
            language,
            name=who,
            email=email,
            xero=conflict.xero_name,
            change=change,
        )
    if conflict.problem == "administrator":
        return tr(
            "{name} ({email}) is a QuickBooks Time administrator: nothing changes an "
            "administrator automatically. Xero's employee \u201c{xero}\u201d would {change}. "
            "Choose link to apply it, or skip to leave them as they are.",
            language,
            name=who,
            email=email,
            xero=conflict.xero_name,
            change=change,
        )
    return tr(
        "Xero has another e-mail for {name} ({email}): the import would {change}. An "
        "e-mail is changed only for a link you confirm: choose link to use Xero's "
        "e-mail, or skip to keep this one.",
        language,
        name=who,
        email=email,
        change=change,
    )


# -- fingerprints --------------------------------------------------------------------------------


def fingerprint(
    kind: str,
    xero_name: str,
    problem: str,
    candidates: Iterable[Candidate],
    *,
    xero_email: str = "",
    extra: Mapping[str, Any] | None = None,
) -> str:
    """A stable hash of exactly what a decision about a conflict depends on.

    The Xero name (and e-mail), the problem, and each candidate's id, name, e-mail, archived
    state and whom it is linked to. Scores and reason texts are left out on purpose: a better
    scorer must not re-open decisions. ``extra`` holds kind-specific inputs (the names of the
    other Xero duplicates, the counts of a capacity problem...).
    """
    payload = {
        "kind": kind,
        "name": xero_name,
        "email": _email_key(xero_email),
        "problem": problem,
        "candidates": sorted(
            [c.qbt_id, c.name, _email_key(c.email), c.archived, c.linked_xero_id or ""]
            for c in candidates
        ),
        "extra": dict(sorted((extra or {}).items())),
    }
    text = json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=list
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# -- fuzzy candidates ----------------------------------------------------------------------------


def _length_window(length: int, threshold: float) -> tuple[int, int]:
    """Lengths a string can have and still reach ``threshold`` with an Indel ratio.

    ratio = 200 * LCS / (la + lb) <= 200 * min / (la + lb), so min/max >= T / (200 - T).
    """
    r = threshold / (200.0 - threshold)
    return math.ceil(length * r - 1e-9), math.floor(length / r + 1e-9)


def _token_keys(token: str) -> tuple[str, ...]:
    if len(token) < 4:
        return ("=" + token,)
    return ("<" + token[:3], ">" + token[-3:])


#: a choice as the fuzzy step reads it: (length, index, as written with runs of spaces as
#: one, its words sorted); tuples of these sort by length, then index
_Entry = tuple[int, int, str, str]


class _Bucket:
    """Choice strings sorted by length, as written and with their words sorted (the same
    length), with their indexes, for sliced scans."""

    __slots__ = ("ids", "lengths", "sorted_strings", "strings")

    def __init__(self, entries: list[_Entry]) -> None:
        entries.sort()  # by length, then index (indexes are unique: strings never compared)
        self.lengths = [e[0] for e in entries]
        self.ids = [e[1] for e in entries]
        self.strings = [e[2] for e in entries]
        self.sorted_strings = [e[3] for e in entries]

    def scan(
        self, query: str, sorted_query: str, threshold: float, found: dict[int, float]
    ) -> None:
        self.scan_window(
            query, sorted_query, threshold, found, *_length_window(len(query), threshold)
        )

    def scan_window(
        self,
        query: str,
        sorted_query: str,
        threshold: float,
        found: dict[int, float],
        lo_len: int,
        hi_len: int,
    ) -> None:
        """:meth:`scan` given the query's length window."""
        lo = bisect.bisect_left(self.lengths, lo_len)
        hi = bisect.bisect_right(self.lengths, hi_len)
        if lo >= hi:
            return
        for q, strings in ((query, self.strings), (sorted_query, self.sorted_strings)):
            for _, score, pos in process.extract(
                q,
                strings[lo:hi],
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=threshold,
                limit=None,
            ):
                idx = self.ids[lo + pos]
                if score > found.get(idx, -1.0):
                    found[idx] = float(score)


class _Postings:
    """The choices holding a pair of keys and their lengths, sorted by length: a length
    window is a slice."""

    __slots__ = ("ks", "lengths")

    def __init__(self, ks: list[int], lengths: list[int]) -> None:
        self.ks = ks
        self.lengths = lengths


class _Rarity(dict[str, tuple[int, str]]):
    """A word's rarity as blocking reads it, worked out once per word: (how many choices
    hold each of its keys, added up; the word)."""

    __slots__ = ("members",)

    def __init__(self, members: Mapping[str, list[_Entry]]) -> None:
        super().__init__()
        self.members = members

    def __missing__(self, token: str) -> tuple[int, str]:
        members = self.members
        rarity = self[token] = (
            sum(len(members[k]) for k in _token_keys(token) if k in members),
            token,
        )
        return rarity


#: a pair of keys whose postings were not made yet (None: made, no choice holds both)
_UNREAD: Any = object()


class _BlockedIndex:
    """Choices by key (:func:`_token_keys` of their words) and, for keys held by more than
    ``BLOCK_CAP`` choices, by pairs of keys, so that each name is compared with a bounded
    number of choices however many there are (linear growth).

    A name is first compared with the choices sharing a key of its two rarest words, when
    those keys' length windows hold at most ``SCAN_BUDGET`` choices together (small and
    medium organisations: what blocking always did). Otherwise, with the choices sharing
    one of its keys whose window holds at most ``BLOCK_CAP`` choices, and for commoner
    keys, with those sharing that key and another of its keys (pairs whose window still
    holds more are left out, unless nothing else is left: then the smallest).

    Everything is made when a name first needs it, and kept for the next names (the names
    share words): a key's bucket, a word's bucket (the choices holding any key of that
    word, each once: its keys' buckets overlap, "<smi" and ">ith" both hold every
    "smith", and a choice was compared once per bucket), a pair of keys' postings (the
    choices holding both keys), a word's rarity."""

    def __init__(self, entries: Sequence[_Entry], size: int) -> None:
        strings = self.strings = [""] * size  # by choice index
        sorted_strings = self.sorted_strings = [""] * size
        lengths = self.lengths = [0] * size
        #: the choices holding each key; sorted into a _Bucket when a name first reads that
        #: key (:meth:`_single`): most keys are never read (issue 16: making every key's
        #: bucket was a tenth of a 10,000-contact plan)
        members: dict[str, list[_Entry]] = defaultdict(list)
        keys_of: dict[str, tuple[str, ...]] = {}  # a word's keys
        for e in entries:
            length, i, written, strings_sorted = e
            strings[i], sorted_strings[i], lengths[i] = written, strings_sorted, length
            keys: set[str] = set()
            for word in written.split():
                word_keys = keys_of.get(word)
                if word_keys is None:
                    word_keys = keys_of[word] = _token_keys(word)
                keys.update(word_keys)
            for key in keys:
                members[key].append(e)
        self.members = dict(members)  # read only from here: a missing key stays missing
        self.word_keys = keys_of  # the choices' words' keys (a query's other words: made)
        self.single: dict[str, _Bucket] = {}
        #: the lengths of the choices holding a key, sorted (what a name's budget reads)
        self.key_lengths: dict[str, list[int]] = {}
        #: a word's bucket: the choices holding any of its keys (:meth:`_word`)
        self.words: dict[str, _Bucket | None] = {}
        #: choices by pair of keys (both held), made when a name first reads the pair
        self.paired: dict[tuple[str, str], _Postings | None] = {}
        self._ids: dict[str, set[int]] = {}  # the choices holding a key, as a set
        self._rarity = _Rarity(self.members)

    def _single(self, key: str) -> _Bucket:
        """The choices holding ``key`` (a key some choice holds), as a bucket."""
        bucket = self.single.get(key)
        if bucket is None:
            bucket = self.single[key] = _Bucket(self.members[key])
        return bucket

    def _lengths(self, key: str) -> list[int]:
        """The lengths of the choices holding ``key`` (a key some choice holds), sorted."""
        lengths = self.key_lengths.get(key)
        if lengths is None:
            lengths = self.key_lengths[key] = sorted([e[0] for e in self.members[key]])
        return lengths

    def _word(self, token: str) -> _Bucket | None:
        """The choices holding any key of ``token``, each once, as a bucket (none: None)."""
        if token in self.words:
            return self.words[token]
        members = self.members
        union = {e[1]: e for k in _token_keys(token) if k in members for e in members[k]}
        bucket = self.words[token] = _Bucket(list(union.values())) if union else None
        return bucket

    def _pair(self, pair: tuple[str, str]) -> _Postings | None:
        """The choices holding both keys, by length (none: None), made and kept in
        ``paired`` (its caller reads a pair already made there itself)."""
        postings = None
        a, b = pair
        if a in self.members and b in self.members:
            # both keys' sets intersected (Python goes through the smaller), sorted by length
            # (the order within a length is never read: a window takes every choice of it)
            ks = sorted(self._id_set(a) & self._id_set(b), key=self.lengths.__getitem__)
            if ks:
                postings = _Postings(ks, list(map(self.lengths.__getitem__, ks)))
        self.paired[pair] = postings
        return postings

    def _id_set(self, key: str) -> set[int]:
        ids = self._ids.get(key)
        if ids is None:
            ids = self._ids[key] = {e[1] for e in self.members[key]}
        return ids

    def scan(
        self,
        query: str,
        sorted_query: str,
        threshold: float,
        found: dict[int, float],
    ) -> None:
        lo_len, hi_len = _length_window(len(query), threshold)
        rare_words = sorted(set(query.split()), key=self._rarity.__getitem__)[:2]
        word_keys, members, key_lengths = self.word_keys, self.members, self.key_lengths
        rare = {k for w in rare_words for k in (word_keys.get(w) or _token_keys(w))}
        total = 0
        for k in rare:
            if k in members:
                lengths = key_lengths.get(k) or self._lengths(k)
                total += bisect.bisect_right(lengths, hi_len) - bisect.bisect_left(lengths, lo_len)
        if total <= SCAN_BUDGET:
            words = self.words
            for word in rare_words:
                bucket = words[word] if word in words else self._word(word)
                if bucket is not None:
                    bucket.scan_window(query, sorted_query, threshold, found, lo_len, hi_len)
            return
        ids = self._candidates(query, lo_len, hi_len)
        if not ids:
            return
        pick = itemgetter(*ids)
        for q, strings in ((query, self.strings), (sorted_query, self.sorted_strings)):
            picked = pick(strings)
            for _, score, pos in process.extract(
                q,
                picked if len(ids) > 1 else (picked,),
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=threshold,
                limit=None,
            ):
                idx = ids[pos]
                if score > found.get(idx, -1.0):
                    found[idx] = float(score)

    def _candidates(self, query: str, lo_len: int, hi_len: int) -> list[int]:
        """The choices ``query`` is compared with when its rarest words are common."""
        keys = _name_keys_for_blocking(query)
        found: set[int] = set()
        wide: set[str] = set()
        for key in keys:
            if key not in self.members:
                continue
            bucket = self._single(key)
            lo = bisect.bisect_left(bucket.lengths, lo_len)
            hi = bisect.bisect_right(bucket.lengths, hi_len)
            if hi - lo <= BLOCK_CAP:
                found.update(bucket.ids[lo:hi])
            else:
                wide.add(key)
        fallback: tuple[int, _Postings, int, int] | None = None
        # a pair of a wide key and one held by at most BLOCK_CAP choices in the window adds
        # nothing: the choices holding both are among the latter's, in already (and too few
        # to be the fallback); only pairs of two wide keys are read
        if len(wide) > 1:
            paired = self.paired
            for pair in combinations(sorted(wide), 2):
                postings = paired.get(pair, _UNREAD)
                if postings is _UNREAD:
                    postings = self._pair(pair)
                if postings is None:
                    continue
                lo = bisect.bisect_left(postings.lengths, lo_len)
                hi = bisect.bisect_right(postings.lengths, hi_len)
                if hi - lo <= BLOCK_CAP:
                    found.update(postings.ks[lo:hi])
                elif fallback is None or hi - lo < fallback[0]:
                    fallback = (hi - lo, postings, lo, hi)
        if not found and fallback is not None:
            _, postings, lo, hi = fallback
            found.update(postings.ks[lo:hi])
        return list(found)


def _name_keys_for_blocking(name: str) -> list[str]:
    """The blocking keys of a name's words, sorted, each once."""
    return sorted({key for token in name.split() for key in _token_keys(token)})


def fuzzy_candidates(
    names: Sequence[str],
    choices: Sequence[str],
    threshold: float = FUZZY_THRESHOLD,
    limit: int = FUZZY_LIMIT,
    *,
    exhaustive: bool | None = None,
) -> list[list[tuple[int, float]]]:
    """For each name, the best ``limit`` choices scoring >= ``threshold``: (index, score).

    Scores are ``FUZZY_SCORER`` (:func:`name_similarity`) of the strings as given (normalise
    them first; inner runs of spaces count as one), best first, ties by choice index. Empty
    names and choices never match.

    Exhaustive mode compares every pair inside the length window an Indel ratio allows, so it
    returns exactly what ``process.cdist`` of ``fuzz.ratio`` on the strings as written and on
    their words sorted would, keeping the better of the two. It is used when ``exhaustive``
    is true, or when it is None and there are at most ``EXHAUSTIVE_PAIR_BUDGET`` pairs.
    Otherwise (blocking) each name is compared, inside its length window, with the choices
    sharing a key (the first or last three letters; words under four letters: the whole
    word) of its two rarest words while they are at most ``SCAN_BUDGET``; when its words
    are commoner than that, with the choices sharing one of its keys held by at most
    ``BLOCK_CAP`` choices in the window, or two of its keys (:class:`_BlockedIndex`). The
    comparisons per name stay bounded as the choices grow (the time grows linearly), with
    near-exact recall on typos, reordered, run-together and dropped words.
    """
    if not 0 < threshold <= 100:
        raise ValueError("threshold must be in (0, 100]")
    results: list[list[tuple[int, float]]] = [[] for _ in names]
    if limit <= 0 or not names or not choices:
        return results
    entries: list[_Entry] = []
    for i, choice in enumerate(choices):
        words = choice.split()
        if words:
            written = " ".join(words)
            entries.append((len(written), i, written, " ".join(sorted(words))))
    if exhaustive is None:
        exhaustive = len(names) * len(entries) <= EXHAUSTIVE_PAIR_BUDGET
    index: _Bucket | _BlockedIndex = (
        _Bucket(list(entries)) if exhaustive else _BlockedIndex(entries, len(choices))
    )
    for n, name in enumerate(names):
        query = " ".join(name.split())
        if not query:
            continue
        found: dict[int, float] = {}
        index.scan(query, _sort_tokens(query), threshold, found)
        results[n] = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return results


# -- the matching engine -------------------------------------------------------------------------


#: what two records must share to be "exactly the same": a name's :func:`exact_key`, or a
#: person's (first name, last name) each through it
ExactKey = str | tuple[str, str]


@dataclass(slots=True)
class _XeroSide:
    """A Xero record as matching sees it: its keys, computed once."""

    xero_id: str
    name: str  # display name ("First Last" for people)
    exact: ExactKey
    exact_name: str  # the exact key as one name: what the length rule and suggestions read
    normal: str  # normalise_name / normalise_person
    compact: str  # ``normal`` without spaces
    email: str = ""
    valid: bool = True  # something visible is left of the name
    details: Mapping[str, Any] = field(default_factory=dict)  # copied into the conflict
    fp_extra: Mapping[str, Any] = field(default_factory=dict)  # more the decision depends on


@dataclass(slots=True)
class _QbtSide:
    """A QuickBooks Time record as matching sees it."""

    qbt_id: int
    name: str
    active: bool
    exact: ExactKey
    exact_name: str
    normal: str
    compact: str
    email: str = ""


class _Reason(NamedTuple):
    code: str  # reason_code of the candidate
    score: float  # 0-100
    tier: int  # _TIER_*: the rank of the evidence, before the score


@dataclass
class _Profile:
    """What differs between customers/named things and people."""

    kind: str
    exact: Callable[[_XeroSide, _QbtSide], bool]
    reason: Callable[[_XeroSide, _QbtSide], _Reason]
    name_limit: int | None
    by_email: bool = False


def _name_reason(x: _XeroSide, q: _QbtSide, limit: int = NAME_LIMIT) -> _Reason:
    # a named record's exact_name is exact_key(name) and its normal fold(name, FOLD_ALL)
    # (_named_x, _named_q): _difference of the names without working them out again
    code, score = _difference_of(
        x.name, q.name, x.exact_name, q.exact_name, x.normal, q.normal, FOLD_ALL, limit
    )
    if code == "identical":
        return _Reason(code, 100.0, _TIER_IDENTICAL)
    if code in ("truncated", "numbered_copy"):
        return _Reason(code, score, _TIER_SHAPE)
    if code == "similar":
        return _Reason(code, score, _TIER_FUZZY)
    return _Reason(code, score, _TIER_NORMALISED)


def _person_reason(x: _XeroSide, q: _QbtSide) -> _Reason:
    xe, qe = _email_key(x.email), _email_key(q.email)
    emails_differ = bool(xe and qe and xe != qe)
    same_email = bool(xe and xe == qe)
    if x.exact == q.exact:
        if emails_differ:
            return _Reason("same_name_other_email", 100.0, _TIER_IDENTICAL)
        if bool(xe) != bool(qe):
            return _Reason("same_name_no_email", 100.0, _TIER_IDENTICAL)
        return _Reason("identical", 100.0, _TIER_IDENTICAL)
    suffix = "+other_email" if emails_differ else ""
    if x.compact and x.compact == q.compact:
        code, score = _difference(x.name, q.name, FOLD_PERSON)
        if code == "identical":  # same words, split differently between first and last
            code = "spaces"
        return _Reason(code + suffix, score, _TIER_NORMALISED)
    score = round(_fuzzy_score(x.normal, q.normal), 1)
    if same_email:
        return _Reason("same_email_other_name", score, _TIER_EMAIL)
    return _Reason("similar" + suffix, score, _TIER_FUZZY)


def _taken_names(qs: Iterable[_QbtSide], xs: Iterable[_XeroSide], limit: int) -> set[str]:
    taken: set[str] = set()
    for q in qs:
        taken.update((q.exact_name.casefold(), q.normal))
    for x in xs:
        if x.valid and fits_qbtime(x.exact_name, limit):
            taken.update((x.exact_name.casefold(), x.normal))
    return taken


_CUT_TRAILERS = " \t-–—,.;:/&+(["


def _name_keys(name: str) -> tuple[str, str]:
    return name.casefold(), normalise_name(name)


def suggest_short_name(name: str, taken: Iterable[str] = (), limit: int = NAME_LIMIT) -> str:
    """``name`` cut to ``limit`` characters, at a word if it can, not colliding with ``taken``.

    ``taken`` holds names already in use; a suggestion collides with one when they are equal
    ignoring case, or equal after :func:`normalise_name`. A collision gets " (2)", " (3)"...
    """
    keys: set[str] = set()
    for t in taken:
        keys.update(_name_keys(exact_key(t)))
    return _suggest(name, keys, limit)


def _suggest(name: str, taken_keys: set[str], limit: int) -> str:
    base = " ".join(fold(name, FOLD_INVISIBLE).split())

    def cut(text: str, room: int) -> str:
        if len(text) <= room:
            return text
        head = text[:room]
        if text[room] != " ":
            space = head.rfind(" ")
            if space >= room * 0.6:
                head = head[:space]
        opening = head.rfind("(")
        if opening > head.rfind(")") and opening >= room * 0.5:
            head = head[:opening]  # never leave "(Sydney" dangling
        return head.rstrip(_CUT_TRAILERS) or text[:room]

    def free(candidate: str) -> bool:
        return not taken_keys.intersection(_name_keys(candidate))

    first = cut(base, limit)
    if free(first):
        return first
    n = 2
    while True:
        tag = f" ({n})"
        candidate = cut(base, limit - len(tag)) + tag
        if free(candidate):
            return candidate
        n += 1


def _sort_candidates(cands: Iterable[tuple[int, Candidate]]) -> tuple[Candidate, ...]:
    return tuple(c for _, c in sorted(cands, key=lambda tc: (tc[0], -tc[1].score, tc[1].qbt_id)))


@dataclass
class _Sides:
    """Both sides, one record per id (the first seen for a Xero id, QB Time sorted by id)."""

    xero: dict[str, _XeroSide]
    qbt: dict[int, _QbtSide]


@dataclass
class _Links:
    """Who is linked to whom: the links kept from earlier imports and the new exact ones."""

    kept: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)  # given, but a side is gone
    new: dict[str, int] = field(default_factory=dict)
    owner: dict[int, str] = field(default_factory=dict)  # QB Time id -> the Xero id linked to it

    def linked(self) -> dict[str, int]:
        return {**self.kept, **self.new}


@dataclass
class _ExactTwins:
    """Every valid Xero record's exact twins in QuickBooks Time, and the reverse."""

    of_xero: dict[str, tuple[_QbtSide, ...]]
    of_qbt: dict[int, tuple[str, ...]]  # QB Time id -> the Xero ids it is an exact twin of

    def unique_pair(self, xero_id: str, q: _QbtSide) -> bool:
        """``q`` is ``xero_id``'s only twin, and ``xero_id`` is ``q``'s only one."""
        return len(self.of_xero.get(xero_id, ())) == 1 and self.of_qbt[q.qbt_id] == (xero_id,)


class _ByKey:
    """QB Time records by one key, in the order added. A key held by one record (most are)
    holds that record, not a list of one: at 10,000 customers the lists were a full garbage
    collection of the plan's heap (issue 16)."""

    __slots__ = ("_many", "_one")

    def __init__(self) -> None:
        self._one: dict[Any, _QbtSide] = {}
        self._many: dict[Any, list[_QbtSide]] = {}

    def add(self, key: Any, q: _QbtSide) -> None:
        many = self._many.get(key)
        if many is not None:
            many.append(q)
            return
        first = self._one.pop(key, None)
        if first is None:
            self._one[key] = q
        else:
            self._many[key] = [first, q]

    def get(self, key: Any) -> Sequence[_QbtSide]:
        """The records holding ``key``, in the order added (none: empty)."""
        q = self._one.get(key)
        if q is not None:
            return (q,)
        return self._many.get(key, ())


@dataclass
class _QbtIndex:
    """QB Time records by every key a candidate is looked up with."""

    by_compact: _ByKey
    by_unnumbered: _ByKey  # "greenfield homes 1" under "greenfield homes"
    by_normal: _ByKey
    by_email: _ByKey
    by_long_normal: _ByKey  # long enough to be a cut name


def _sides(xs_in: Sequence[_XeroSide], qs_in: Sequence[_QbtSide]) -> _Sides:
    xero: dict[str, _XeroSide] = {}
    for x in xs_in:
        xero.setdefault(x.xero_id, x)
    qbt: dict[int, _QbtSide] = {}
    for q in sorted(qs_in, key=lambda q: q.qbt_id):
        qbt.setdefault(q.qbt_id, q)
    return _Sides(xero, qbt)


def _keep_links(sides: _Sides, links: Mapping[str, int]) -> _Links:
    """Existing links win while both sides exist (one Xero record per QB Time record)."""
    out = _Links()
    for xid, qid in sorted(links.items()):
        if xid in sides.xero and qid in sides.qbt and qid not in out.owner:
            out.kept[xid] = qid
            out.owner[qid] = xid
        else:
            out.dropped[xid] = qid
    return out


def _exact_twins(profile: _Profile, sides: _Sides) -> _ExactTwins:
    by_exact = _ByKey()
    for q in sides.qbt.values():
        by_exact.add(q.exact, q)
    twins = _ExactTwins({}, defaultdict(tuple))
    of_qbt = twins.of_qbt
    for x in sides.xero.values():
        if not x.valid:
            continue
        found = tuple(q for q in by_exact.get(x.exact) if profile.exact(x, q))
        twins.of_xero[x.xero_id] = found
        for q in found:
            of_qbt[q.qbt_id] = (*of_qbt[q.qbt_id], x.xero_id)
    return twins


def _link_exact(twins: _ExactTwins, links: _Links) -> None:
    """The exact rule: unique on both sides, active, and nobody else's."""
    for xid in sorted(twins.of_xero):
        if xid in links.kept or len(twins.of_xero[xid]) != 1:
            continue
        q = twins.of_xero[xid][0]
        if q.active and q.qbt_id not in links.owner and twins.of_qbt[q.qbt_id] == (xid,):
            links.new[xid] = q.qbt_id
    for xid, qid in links.new.items():
        links.owner[qid] = xid


def _qbt_index(profile: _Profile, qs: Iterable[_QbtSide]) -> _QbtIndex:
    index = _QbtIndex(_ByKey(), _ByKey(), _ByKey(), _ByKey(), _ByKey())
    for q in qs:
        if q.normal:
            index.by_normal.add(q.normal, q)
            index.by_compact.add(q.compact, q)
            base = _without_number(q.normal)
            if base:
                index.by_unnumbered.add(base, q)
            if profile.name_limit and len(q.normal) >= _MIN_CUT:
                index.by_long_normal.add(q.normal, q)
        if profile.by_email and _email_key(q.email):
            index.by_email.add(_email_key(q.email), q)
    return index


def _lookalikes(
    profile: _Profile, x: _XeroSide, twins: _ExactTwins, index: _QbtIndex
) -> tuple[dict[int, _QbtSide], bool]:
    """``x``'s candidates found by key (no fuzzy score), and whether any is strong evidence
    (an exact twin or the same name without spaces): then fuzzy candidates are not sought."""
    found: dict[int, _QbtSide] = {q.qbt_id: q for q in twins.of_xero.get(x.xero_id, ())}
    for q in index.by_compact.get(x.compact) if x.compact else ():
        found.setdefault(q.qbt_id, q)
    strong = bool(found)
    if profile.by_email and _email_key(x.email):
        for q in index.by_email.get(_email_key(x.email)):
            found.setdefault(q.qbt_id, q)
    if x.normal:
        for q in index.by_unnumbered.get(x.normal):
            found.setdefault(q.qbt_id, q)
        base = _without_number(x.normal)
        for q in index.by_normal.get(base) if base else ():
            found.setdefault(q.qbt_id, q)
    limit = profile.name_limit
    if limit and len(x.exact_name) > limit and x.normal:
        for end in range(_MIN_CUT, len(x.normal)):
            for q in index.by_long_normal.get(x.normal[:end]):
                if _is_cut_of(x.normal, q.normal, q.name, limit):
                    found.setdefault(q.qbt_id, q)
    return found, strong


def _candidates_by_xero(
    profile: _Profile,
    open_xs: Sequence[_XeroSide],
    sides: _Sides,
    twins: _ExactTwins,
    remembered: Mapping[str, Iterable[int]],
) -> dict[str, dict[int, _QbtSide]]:
    """Every open Xero record's possible QB Time twins (by key, then fuzzy when none is
    strong). ``remembered``: the candidates an earlier match offered, by Xero id; each is
    offered again while it still scores (see :func:`match_named`)."""
    index = _qbt_index(profile, sides.qbt.values())
    found_by_x: dict[str, dict[int, _QbtSide]] = {}
    need_fuzzy: list[_XeroSide] = []
    for x in open_xs:
        if not x.valid:
            found_by_x[x.xero_id] = {}
            continue
        found, strong = _lookalikes(profile, x, twins, index)
        found_by_x[x.xero_id] = found
        if not strong and x.normal:
            need_fuzzy.append(x)
    if need_fuzzy:
        pool = [q for q in sides.qbt.values() if q.normal]
        hits = fuzzy_candidates([x.normal for x in need_fuzzy], [q.normal for q in pool])
        for x, row in zip(need_fuzzy, hits, strict=True):
            found = found_by_x[x.xero_id]
            for idx, _score in row:
                found.setdefault(pool[idx].qbt_id, pool[idx])
            # Blocking reads fewer choices of a common word when QuickBooks Time holds more
            # of them (the import's own creates, at 100,000 contacts): a look-alike the
            # user was asked about must not be lost, and the record created, on a later
            # run. What blocking found no longer is scored as it would have been.
            for qbt_id in remembered.get(x.xero_id, ()):
                q = sides.qbt.get(qbt_id)
                if (
                    q is not None
                    and q.normal
                    and qbt_id not in found
                    and _fuzzy_score(x.normal, q.normal) >= FUZZY_THRESHOLD
                ):
                    found[qbt_id] = q
    return found_by_x


def _ranked_candidates(
    profile: _Profile,
    x: _XeroSide,
    found: Mapping[int, _QbtSide],
    owner: Mapping[int, str],
    reasons: dict[tuple[str, float], str] | None = None,
) -> tuple[Candidate, ...]:
    """The candidates, best first, at most FUZZY_LIMIT of them fuzzy. ``reasons``: the
    English reasons worked out so far, by (code, score) (shared by a match's records)."""
    reasons = {} if reasons is None else reasons
    tiered: list[tuple[int, Candidate]] = []
    fuzzy_seen = 0
    scored = sorted(
        ((profile.reason(x, q), q) for q in found.values()),
        key=lambda rq: (rq[0].tier, -rq[0].score, rq[1].qbt_id),
    )
    for (code, score, tier), q in scored:
        if tier == _TIER_FUZZY:
            if fuzzy_seen >= FUZZY_LIMIT:
                continue
            fuzzy_seen += 1
        holder = owner.get(q.qbt_id)
        reason = reasons.get((code, score))
        if reason is None:
            reason = reasons[code, score] = describe_reason(code, score=score, language="en")
        tiered.append(
            (
                tier,
                Candidate(
                    qbt_id=q.qbt_id,
                    name=q.name,
                    score=score,
                    reason_code=code,
                    reason=reason,
                    archived=not q.active,
                    email=q.email,
                    linked_xero_id=holder if holder != x.xero_id else None,
                ),
            )
        )
    return _sort_candidates(tiered)


@dataclass
class _ConflictFinder:
    """Turns each open Xero record into a conflict, or says it is free to create."""

    profile: _Profile
    sides: _Sides
    links: _Links
    twins: _ExactTwins
    xero_by_compact: dict[str, list[str]] = field(init=False)  # Xero ids by compact name
    taken_names: set[str] | None = field(default=None, init=False)  # for suggestions, built once

    def __post_init__(self) -> None:
        by_compact: dict[str, list[str]] = defaultdict(list)
        for x in self.sides.xero.values():
            if x.valid and x.compact:
                by_compact[x.compact].append(x.xero_id)
        self.xero_by_compact = by_compact

    def conflict(self, x: _XeroSide, candidates: tuple[Candidate, ...]) -> Conflict | None:
        problems: list[str] = []
        details: dict[str, Any] = dict(x.details)
        extra: dict[str, Any] = {}
        if not x.valid:
            problems.append("invalid_name")
        self._exact_problem(x, problems, details)
        self._duplicate_problem(x, problems, details, extra)
        self._length_problem(x, problems, details)
        if candidates:
            problems.append("near_match")
        if not problems:
            return None
        problems.sort(key=PROBLEMS.index)
        details["problems"] = tuple(problems)
        kind = self.profile.kind
        return Conflict(
            kind=kind,
            xero_id=x.xero_id,
            xero_name=x.name,
            problem=problems[0],
            candidates=candidates,
            fingerprint=fingerprint(
                kind,
                x.name,
                problems[0],
                candidates,
                xero_email=x.email,
                extra={**extra, **x.fp_extra},
            ),
            details=details,
        )

    def _exact_problem(self, x: _XeroSide, problems: list[str], details: dict[str, Any]) -> None:
        """An exact twin that was not linked: archived (restore it?) or not unique."""
        exact = self.twins.of_xero.get(x.xero_id, ())
        if not exact:
            return
        twin = exact[0]
        if (
            not twin.active
            and twin.qbt_id not in self.links.owner
            and self.twins.unique_pair(x.xero_id, twin)
        ):
            problems.append("archived_twin")
            return
        problems.append("ambiguous")
        details["exact_twins"] = tuple(q.qbt_id for q in exact)
        details["other_xero_twins"] = tuple(
            sorted({xid for q in exact for xid in self.twins.of_qbt[q.qbt_id] if xid != x.xero_id})
        )

    def _duplicate_problem(
        self, x: _XeroSide, problems: list[str], details: dict[str, Any], extra: dict[str, Any]
    ) -> None:
        """Another Xero record with the same name once spaces are gone."""
        if not x.valid:
            return
        dupes = [xid for xid in self.xero_by_compact.get(x.compact, ()) if xid != x.xero_id]
        if dupes:
            problems.append("duplicate_in_xero")
            details["duplicates"] = tuple(sorted(dupes))
            extra["duplicates"] = sorted(self.sides.xero[xid].name for xid in dupes)

    def _length_problem(self, x: _XeroSide, problems: list[str], details: dict[str, Any]) -> None:
        """Too long for QuickBooks Time: suggest a short name nobody else has."""
        limit = self.profile.name_limit
        if not (limit and x.valid and not fits_qbtime(x.exact_name, limit)):
            return
        problems.append("name_too_long")
        if self.taken_names is None:
            self.taken_names = _taken_names(
                self.sides.qbt.values(), self.sides.xero.values(), limit
            )
        suggestion = _suggest(x.exact_name, self.taken_names, limit)
        self.taken_names.update(_name_keys(suggestion))
        details["suggested_name"] = suggestion
        details["limit"] = limit


def _match(
    profile: _Profile,
    xs_in: Sequence[_XeroSide],
    qs_in: Sequence[_QbtSide],
    links_in: Mapping[str, int],
    remembered: Mapping[str, Iterable[int]] | None = None,
) -> MatchResult:
    sides = _sides(xs_in, qs_in)
    links = _keep_links(sides, links_in)
    twins = _exact_twins(profile, sides)
    _link_exact(twins, links)
    linked = links.linked()

    open_xs = [x for x in sides.xero.values() if x.xero_id not in linked]
    found_by_x = _candidates_by_xero(profile, open_xs, sides, twins, remembered or {})
    finder = _ConflictFinder(profile, sides, links, twins)
    conflicts: list[Conflict] = []
    unmatched_xero: list[str] = []
    candidate_ids: set[int] = set()
    reasons: dict[tuple[str, float], str] = {}  # English reasons by (code, score)
    for x in sorted(open_xs, key=lambda x: (x.normal, x.name, x.xero_id)):
        candidates = _ranked_candidates(profile, x, found_by_x[x.xero_id], links.owner, reasons)
        conflict = finder.conflict(x, candidates)
        if conflict is None:
            unmatched_xero.append(x.xero_id)
            continue
        candidate_ids.update(c.qbt_id for c in candidates)
        conflicts.append(conflict)

    # archive candidates: active, unlinked, and nobody's candidate
    unmatched_qbt = sorted(
        q.qbt_id
        for q in sides.qbt.values()
        if q.active and q.qbt_id not in links.owner and q.qbt_id not in candidate_ids
    )
    return MatchResult(
        kind=profile.kind,
        links=dict(sorted(linked.items())),
        new_links=dict(sorted(links.new.items())),
        conflicts=conflicts,
        unmatched_xero=unmatched_xero,
        unmatched_qbt=unmatched_qbt,
        dropped_links=links.dropped,
    )


class NameMemo(dict[str, tuple[str, str, str, bool]]):
    """A name's keys as matching reads them, worked out once: name -> (:func:`exact_key`,
    :func:`normalise_name`, that without spaces, :func:`is_blank`). A linked customer and
    its jobcode have the same name, and the planner reads the normalised names again: one
    memo per plan (issue 16: normalising was an eighth of a 10,000-contact plan)."""

    def __missing__(self, name: str) -> tuple[str, str, str, bool]:
        normal = normalise_name(name)
        # a name something is left of once normalised is not blank (normalising starts with
        # what is_blank reads, and no later stage makes something of nothing)
        blank = False if normal else is_blank(name)
        keys = self[name] = (exact_key(name), normal, _compact(normal), blank)
        return keys

    def normal(self, name: str) -> str:
        """:func:`normalise_name` of ``name``."""
        return self[name][1]


#: a named record's details and fingerprint extras: none (read only, shared)
_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


def _named_x(xero_id: str, name: str, memo: NameMemo) -> _XeroSide:
    name = name or ""
    exact, normal, compact, blank = memo[name]
    return _XeroSide(
        xero_id=xero_id,
        name=name,
        exact=exact,
        exact_name=exact,
        normal=normal,
        compact=compact,
        valid=not blank,
        details=_NO_DETAILS,
        fp_extra=_NO_DETAILS,
    )


def _named_q(qbt_id: int, name: str, active: bool, memo: NameMemo) -> _QbtSide:
    name = name or ""
    exact, normal, compact, _blank = memo[name]
    return _QbtSide(
        qbt_id=qbt_id,
        name=name,
        active=active,
        exact=exact,
        exact_name=exact,
        normal=normal,
        compact=compact,
    )


def _same_name(x: _XeroSide, q: _QbtSide) -> bool:
    return x.exact == q.exact


def match_named(
    kind: str,
    xero_items: Sequence[tuple[str, str]],
    qbt_items: Sequence[tuple[int, str, bool]],
    links: Mapping[str, int] | None = None,
    *,
    name_limit: int | None = NAME_LIMIT,
    memo: NameMemo | None = None,
    remembered: Mapping[str, Iterable[int]] | None = None,
) -> MatchResult:
    """Match named things: items -> custom field items, tracking categories -> custom fields,
    tracking options -> custom field items, leave types -> time-off (pto) codes.

    ``xero_items`` are (xero_id, name); ``qbt_items`` are (qbt_id, name, active), archived ones
    included (an archived exact twin is a conflict, not a link). Same rules as customers.
    ``memo``: the names' keys worked out so far (the planner's, shared by its parts).
    ``remembered``: by Xero id, the candidates an earlier match offered (the last plan's
    conflicts): each is offered again while both records exist and it still scores as a
    look-alike, however many more records QuickBooks Time holds now (blocking alone may no
    longer read it: a record the user was asked about would be created without asking).
    """
    profile = _Profile(
        kind=kind,
        exact=_same_name,
        reason=lambda x, q: _name_reason(x, q, name_limit or NAME_LIMIT),
        name_limit=name_limit,
    )
    memo = NameMemo() if memo is None else memo
    xs = [_named_x(xid, name, memo) for xid, name in xero_items]
    qs = [_named_q(qid, name, active, memo) for qid, name, active in qbt_items]
    return _match(profile, xs, qs, links or {}, remembered)


def match_customers(
    contacts: Sequence[XeroContact],
    jobcodes: Sequence[QBTJobcode],
    links: Mapping[str, int] | None = None,
    *,
    memo: NameMemo | None = None,
    remembered: Mapping[str, Iterable[int]] | None = None,
) -> MatchResult:
    """Xero contacts <-> QB Time customers (top-level ``regular`` jobcodes, archived included).

    Automatic link only for exactly the same name (NFC, outer spaces trimmed), unique on both
    sides, with an active jobcode nobody else is linked to. See the module docstring.
    """
    return match_named(
        "customer",
        [(c.contact_id, c.name) for c in contacts],
        [(j.id, j.name, j.active) for j in jobcodes if j.parent_id == 0 and j.type == "regular"],
        links,
        memo=memo,
        remembered=remembered,
    )


def _person_x(e: XeroEmployee) -> _XeroSide:
    first, last = exact_key(e.first_name or ""), exact_key(e.last_name or "")
    name = f"{first} {last}".strip()
    normal = normalise_person(first, last)
    email = (e.email or "").strip()
    return _XeroSide(
        xero_id=e.employee_id,
        name=name,
        exact=(first, last),
        exact_name=name,
        normal=normal,
        compact=_compact(normal),
        email=email,
        valid=not is_blank(name),
        details={"first_name": first, "last_name": last, "email": email, "active": e.active},
        fp_extra={"first_name": first, "last_name": last},
    )


def _person_q(u: QBTUser) -> _QbtSide:
    first, last = exact_key(u.first_name or ""), exact_key(u.last_name or "")
    name = f"{first} {last}".strip()
    normal = normalise_person(first, last)
    return _QbtSide(
        qbt_id=u.id,
        name=name,
        active=u.active,
        exact=(first, last),
        exact_name=name,
        normal=normal,
        compact=_compact(normal),
        email=(u.email or "").strip(),
    )


def _same_person(x: _XeroSide, q: _QbtSide) -> bool:
    """The article's rule: the same first name, last name and e-mail (e-mails ignoring case
    and outer spaces; two records without an e-mail have the same one). An e-mail on one
    side only is a look-alike, never an automatic link: the import would write the Xero
    e-mail onto a QuickBooks Time user nobody confirmed."""
    return x.exact == q.exact and _email_key(x.email) == _email_key(q.email)


def match_employees(
    employees: Sequence[XeroEmployee],
    users: Sequence[QBTUser],
    links: Mapping[str, int] | None = None,
    *,
    remembered: Mapping[str, Iterable[int]] | None = None,
) -> MatchResult:
    """Xero payroll employees <-> QB Time users (archived users included).

    Automatic link only when first and last names are identical (NFC, outer spaces trimmed)
    and the e-mails are equal ignoring case (both missing counts as equal); unique on both
    sides. The same name with an e-mail on one side only is a conflict whose candidate's
    reason is ``same_name_no_email`` (the suggested link). Terminated employees are matched
    like the others (the plan archives their user). ``remembered``: as for
    :func:`match_named`.
    """
    profile = _Profile(
        kind="employee", exact=_same_person, reason=_person_reason, name_limit=None, by_email=True
    )
    return _match(
        profile,
        [_person_x(e) for e in employees],
        [_person_q(u) for u in users],
        links or {},
        remembered,
    )


def check_custom_field_capacity(
    active_field_count: int, fields_needed: int, *, kind: str = "tracking_category"
) -> Conflict | None:
    """A conflict when the import would need more active custom fields than QB Time allows."""
    if active_field_count + fields_needed <= MAX_ACTIVE_CUSTOM_FIELDS:
        return None
    details = {
        "active": active_field_count,
        "needed": fields_needed,
        "limit": MAX_ACTIVE_CUSTOM_FIELDS,
        "over_by": active_field_count + fields_needed - MAX_ACTIVE_CUSTOM_FIELDS,
        "problems": ("too_many_custom_fields",),
    }
    return Conflict(
        kind=kind,
        xero_id="",
        xero_name="",
        problem="too_many_custom_fields",
        candidates=(),
        fingerprint=fingerprint(
            kind,
            "",
            "too_many_custom_fields",
            (),
            extra={"active": active_field_count, "needed": fields_needed},
        ),
        details=details,
    )
