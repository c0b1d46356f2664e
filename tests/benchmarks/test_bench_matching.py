"""Benchmark 4: near-match detection, 10,000 x 10,000 names, our matcher vs exhaustive cdist."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from rapidfuzz import process

from core.engine.matching import (
    FUZZY_LIMIT,
    FUZZY_SCORER,
    FUZZY_THRESHOLD,
    fuzzy_candidates,
)
from core.engine.names import normalise_name

pytestmark = pytest.mark.benchmark

N = 10_000
NEAR = 3_000  # choices that are a hand-typed variant of one of the names
REPEATS = 3  # our matcher: median of 3 (cdist, the slow reference, runs once)


def _typo(name: str, rng: random.Random) -> str:
    """One or two of the edits people make when typing a name again."""
    words = name.split()
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.random()
        letters = list(" ".join(words))
        if len(letters) < 3:
            break
        if kind < 0.25 and len(letters) > 4:  # a letter dropped
            del letters[rng.randrange(1, len(letters))]
        elif kind < 0.45 and len(letters) > 4:  # two letters swapped
            i = rng.randrange(1, len(letters) - 1)
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        elif kind < 0.65:  # a letter doubled / inserted
            i = rng.randrange(0, len(letters))
            letters.insert(i, rng.choice("aeinorst"))
        elif kind < 0.8 and len(words) > 2:  # a word dropped
            words = [w for j, w in enumerate(words) if j != rng.randrange(len(words))]
            letters = list(" ".join(words))
        elif kind < 0.9 and len(words) > 1:  # words in another order
            words = words[1:] + words[:1]
            letters = list(" ".join(words))
        else:  # a letter replaced
            i = rng.randrange(0, len(letters))
            letters[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        words = "".join(letters).split()
    return " ".join(words)


def _names() -> tuple[list[str], list[str]]:
    from core.sandbox.demo_data import _LOCALES, _REGION_LOCALE, _NameMaker

    rng = random.Random("bench-matching")
    loc = _LOCALES[_REGION_LOCALE["AU"]]
    maker = _NameMaker(loc, rng)
    names = [maker.make()[0] for _ in range(N)]
    other = _NameMaker(loc, random.Random("bench-matching-others"), reserved=names)
    near = [_typo(n, rng) for n in rng.sample(names, NEAR)]
    choices = near + [other.make()[0] for _ in range(N - NEAR)]
    rng.shuffle(choices)
    return [normalise_name(n) for n in names], [normalise_name(c) for c in choices]


def _truth(names: list[str], choices: list[str]) -> tuple[float, list[dict[int, float]]]:
    """Every pair at or above the threshold, exhaustively (rapidfuzz cdist, both cores)."""
    out: list[dict[int, float]] = []
    start = time.perf_counter()
    for lo in range(0, len(names), 1000):
        scores = process.cdist(
            names[lo : lo + 1000],
            choices,
            scorer=FUZZY_SCORER,
            score_cutoff=FUZZY_THRESHOLD,
            dtype=np.float32,
            workers=-1,
        )
        rows, cols = np.nonzero(scores)
        per: list[dict[int, float]] = [{} for _ in range(min(1000, len(names) - lo))]
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            per[r][c] = float(scores[r, c])
        out.extend(per)
    return time.perf_counter() - start, out


def test_near_match_detection(results):
    names, choices = _names()
    ours_times = []
    found: list[list[tuple[int, float]]] = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        found = fuzzy_candidates(names, choices, FUZZY_THRESHOLD, FUZZY_LIMIT)
        ours_times.append(time.perf_counter() - start)
    ours = sorted(ours_times)[len(ours_times) // 2]
    cdist_s, truth = _truth(names, choices)
    # Recall over what the matcher is asked for: each name's best FUZZY_LIMIT pairs (a pair
    # tied with the limit-th best score counts as found when any tied pair is found).
    wanted = hit = 0
    for i, row in enumerate(truth):
        if not row:
            continue
        best = sorted(row.values(), reverse=True)[:FUZZY_LIMIT]
        got = {j for j, _s in found[i]}
        got_scores = sorted((row[j] for j in got if j in row), reverse=True)
        wanted += len(best)
        hit += sum(1 for a, b in zip(best, got_scores, strict=False) if abs(a - b) < 1e-3)
    recall = hit / wanted if wanted else 1.0
    pairs = sum(len(r) for r in truth)
    note = (
        f"{N}x{N}, threshold {FUZZY_THRESHOLD:g}, limit {FUZZY_LIMIT}; {pairs} pairs >= threshold; "
        f"cdist (2 workers) {cdist_s:.1f} s; ours median of {REPEATS}"
    )
    results.add("near-match: our matcher time", ours, "s", "<= 1", ours <= 1.0, note)
    results.add(
        "near-match: time vs exhaustive cdist",
        ours / cdist_s,
        "ratio",
        "< 1 (faster)",
        ours < cdist_s,
        note,
    )
    results.add(
        "near-match: recall vs exhaustive cdist",
        recall,
        "ratio",
        ">= 0.98",
        recall >= 0.98,
        f"{hit}/{wanted} best pairs found",
    )
