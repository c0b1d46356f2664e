"""What the review suggests for each record, in plain words, and how two names differ.

* :func:`suggestion` — the action the review proposes for one conflict: **link** when the
  Xero name and exactly one QuickBooks Time record's name differ only by case, spaces,
  accents, punctuation, "&"/"and" or a legal suffix (Pty Ltd, Inc., LLC, SARL…) and nothing
  else disagrees (for people: the e-mails are equal, or one side has none); **create** when
  nothing in QuickBooks Time is similar; otherwise ``None``: a person decides.
* :func:`likeness` — how a candidate resembles the Xero record, as a stable code the screen
  turns into plain words ("Same name", "Similar name"…) instead of a score.
* :func:`name_diff` — the two names cut into runs of equal and differing characters
  (:mod:`difflib`), so the screen can mark what differs.

No Qt here: the wizard only renders what these functions return.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from core.engine.matching import Candidate, Conflict
from core.engine.names import FOLD_ALL, FOLD_NO_SPACES, FOLD_PERSON, fits_qbtime, fold

__all__ = [
    "LIKENESS",
    "SUGGESTIBLE_PROBLEMS",
    "Suggestion",
    "likeness",
    "name_diff",
    "same_name",
    "suggestion",
]

#: a suggestion is only made when every problem of the conflict is one of these; ambiguous
#: names, duplicates inside Xero, archived twins (restoring is a choice), names too long or
#: invalid, capacity problems and changes to people (account owner, administrators, e-mails)
#: always wait for a person
SUGGESTIBLE_PROBLEMS = frozenset({"near_match"})

#: every code :func:`likeness` returns
LIKENESS = (
    "same_name",  # differs at most by case, spaces, accents, punctuation, "&", legal suffix
    "same_name_no_email",  # the same, and only one of the two people has an e-mail
    "same_name_other_email",  # the same name, but the two people have different e-mails
    "same_email",  # the same e-mail, another name
    "cut_short",  # one name is the other cut to QuickBooks Time's limit
    "numbered_copy",  # "Greenfield Homes-1"
    "similar_name",  # anything else matching found close
)

_PEOPLE = frozenset({"employee"})


@dataclass(frozen=True)
class Suggestion:
    """The action the review proposes for a conflict (nothing is saved until accepted)."""

    action: str  # "link" | "create"
    target_qbt_id: int | None = None
    #: why: "same_name", "same_name_no_email" (link) or "nothing_similar" (create)
    reason: str = "same_name"


def _codes(cand: Candidate) -> set[str]:
    return set(cand.reason_code.split("+"))


def same_name(a: str, b: str, *, person: bool = False) -> bool:
    """Do ``a`` and ``b`` differ only by case, spaces, accents, invisible characters,
    punctuation, "&"/"and" or (for organisations) a legal suffix?"""
    flags = FOLD_PERSON if person else FOLD_ALL
    fa, fb = fold(a, flags), fold(b, flags)
    if not fa or not fb:
        return False
    return fa == fb or fold(a, flags | FOLD_NO_SPACES) == fold(b, flags | FOLD_NO_SPACES)


def _xero_email(conflict: Conflict) -> str:
    details = conflict.details or {}
    return str(details.get("xero_email") or details.get("email") or "").strip().casefold()


def _email_state(conflict: Conflict, cand: Candidate) -> str:
    """``same``, ``one_missing`` or ``different`` (people only)."""
    codes = _codes(cand)
    if codes & {"other_email", "same_name_other_email"}:
        return "different"
    xero, qbt = _xero_email(conflict), (cand.email or "").strip().casefold()
    if not xero or not qbt:
        return "one_missing"
    return "same" if xero == qbt else "different"


def likeness(conflict: Conflict, cand: Candidate) -> str:
    """How ``cand`` resembles the Xero record: one of :data:`LIKENESS`."""
    person = conflict.kind in _PEOPLE
    codes = _codes(cand)
    if same_name(conflict.xero_name, cand.name, person=person):
        if person:
            state = _email_state(conflict, cand)
            if state == "different":
                return "same_name_other_email"
            if state == "one_missing":
                return "same_name_no_email"
        elif "other_email" in codes or "same_name_other_email" in codes:
            return "same_name_other_email"
        return "same_name"
    if "same_email_other_name" in codes:
        return "same_email"
    if "truncated" in codes:
        return "cut_short"
    if "numbered_copy" in codes:
        return "numbered_copy"
    return "similar_name"


def _problems(conflict: Conflict) -> set[str]:
    listed = set((conflict.details or {}).get("problems") or ())
    return listed | {conflict.problem}


def suggestion(conflict: Conflict) -> Suggestion | None:
    """The action to propose for ``conflict``, or None when a person must decide.

    * link: every problem is a near match; exactly one candidate has the same name
      (:func:`same_name`), it is active and not linked to another Xero record, and nothing
      else disagrees: for people the e-mails are equal or one side has none
      (``same_name_no_email``); another candidate only "similar" does not prevent it;
    * create: no candidate at all, and the Xero name can be used as it is;
    * otherwise None.
    """
    name = conflict.xero_name.strip()
    if not name or not _problems(conflict) <= SUGGESTIBLE_PROBLEMS:
        return None
    if not conflict.candidates:
        return Suggestion("create", None, "nothing_similar") if fits_qbtime(name) else None
    same = [
        c
        for c in conflict.candidates
        if likeness(conflict, c) in ("same_name", "same_name_no_email")
    ]
    clashing = [c for c in conflict.candidates if likeness(conflict, c) == "same_name_other_email"]
    if len(same) != 1 or clashing:
        return None
    cand = same[0]
    if cand.archived or cand.linked_xero_id not in (None, conflict.xero_id):
        return None
    return Suggestion("link", cand.qbt_id, likeness(conflict, cand))


def name_diff(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """``a`` and ``b`` as runs of ``(text, differs)``: the characters one has and the other
    has not (or has otherwise) are marked True. Case counts ("Smith" / "smith" marks "S"/"s")."""
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        differs = op != "equal"
        if i2 > i1:
            _append(left, a[i1:i2], differs)
        if j2 > j1:
            _append(right, b[j1:j2], differs)
    return left, right


def _append(runs: list[tuple[str, bool]], text: str, differs: bool) -> None:
    if runs and runs[-1][1] == differs:
        runs[-1] = (runs[-1][0] + text, differs)
    else:
        runs.append((text, differs))
