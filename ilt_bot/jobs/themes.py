"""Repeated themes in people's answers: simple, explainable word and phrase counts (no model, no magic).

A *term* is a significant word (4+ letters, not a common English word) or a two-word phrase of such
words. A theme is a term that several answers share: :func:`repeated` counts in how many answers each
term appears (once per answer), and :func:`shared_themes` keeps the terms found in two sets of answers
(this cycle and the last one). A phrase hides the single words it is made of when it is as frequent, so
"guided reading" is shown instead of "guided" and "reading" separately.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_STOP_TEXT = """
a about above after again against all also always am an and any are around as at be because been before being
below between both but by can cannot could did do does doing done down during each else even ever every few
for from further get gets getting give given go goes going got had has have having he her here hers herself him
himself his how however i if in into is it its itself just keep know let like lot lots made make makes many me
more most much must my myself need needs never no nor not now of off often on once one only or other our ours
ourselves out over own please really same she should so some still such take than that the their theirs them
themselves then there these they thing things think this those through to too under until up upon us
very want was way we well went were what when where which while who whom why will with within without would yes
yet you your yours yourself yourselves more less better good great thanks thank nothing none sure also
kept keeps item items stayed
"""
STOPWORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[a-zA-Z][a-zA-Z'\-]*[a-zA-Z]|[a-zA-Z]")


def words(text: str) -> list[str]:
    """The significant words of ``text``, lower case, in order."""
    out = []
    for raw in _WORD.findall(text.casefold()):
        word = raw.strip("'-").removesuffix("'s")
        if len(word) >= 4 and word not in STOPWORDS:
            out.append(word)
    return out


def terms(text: str) -> set[str]:
    """The significant words and two-word phrases of one answer (each counted once)."""
    found: set[str] = set()
    for line in text.splitlines():
        seq = words(line)
        found.update(seq)
        found.update(f"{a} {b}" for a, b in zip(seq, seq[1:], strict=False))
    return found


def repeated(answers: Iterable[str], *, minimum: int = 2, limit: int = 8) -> list[tuple[str, int]]:
    """Terms found in at least ``minimum`` answers, most shared first: ``[(term, answers with it)]``.

    Overlapping phrases that the same answers share are joined ("student work" + "work protocol" ->
    "student work protocol"), so one repeated sentence shows as one theme.
    """
    texts = [a for a in answers if a and a.strip()]
    counts: Counter[str] = Counter()
    for answer in texts:
        counts.update(terms(answer))
    kept = {t: n for t, n in counts.items() if n >= minimum}
    return _prune(_join(kept, texts))[:limit]


def _sequences(text: str) -> list[str]:
    """Each line's significant words joined by spaces (to look a joined phrase up in)."""
    return [" " + " ".join(words(line)) + " " for line in text.splitlines()]


def _join(counts: dict[str, int], texts: list[str]) -> dict[str, int]:
    """Join phrases ``a b`` and ``b c`` into ``a b c`` while exactly as many answers contain the longer one."""
    lines = [_sequences(t) for t in texts]

    def support(phrase: str) -> int:
        return sum(1 for seqs in lines if any(f" {phrase} " in seq for seq in seqs))

    counts = dict(counts)
    changed = True
    while changed:
        changed = False
        phrases = sorted(t for t in counts if " " in t)
        for left in phrases:
            for right in phrases:
                if left == right or left not in counts or right not in counts or counts[left] != counts[right]:
                    continue
                lw, rw = left.split(), right.split()
                overlap = next((k for k in range(min(len(lw), len(rw)) - 1, 0, -1) if lw[-k:] == rw[:k]), 0)
                if not overlap:
                    continue
                joined = " ".join(lw + rw[overlap:])
                if support(joined) == counts[left]:
                    counts[joined] = counts.pop(left)
                    counts.pop(right)
                    changed = True
    return counts


def shared_themes(current: Iterable[str], previous: Iterable[str], *, limit: int = 8) -> list[tuple[str, int, int]]:
    """Terms present in both sets of answers: ``[(term, answers now, answers before)]``, most frequent first."""
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for answer in current:
        now.update(terms(answer or ""))
    for answer in previous:
        before.update(terms(answer or ""))
    both = {t: now[t] + before[t] for t in now if t in before}
    return [(t, now[t], before[t]) for t, _ in _prune(both)[:limit]]


def _prune(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Most frequent first (phrases before words on ties); words covered by an as-frequent phrase dropped."""
    phrases = [t for t in counts if " " in t]
    hidden = {w for p in phrases for w in p.split() if counts.get(w, 0) <= counts[p]}
    kept = [(t, n) for t, n in counts.items() if t not in hidden]
    return sorted(kept, key=lambda tn: (-tn[1], " " not in tn[0], tn[0]))


__all__ = ["words", "terms", "repeated", "shared_themes"]
