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


__all__ = ["words", "terms", "repeated", "shared_themes", "phrase_themes", "contains_phrase", "shared_phrases"]


# --- phrases people would recognise ---------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
MAX_PHRASE_WORDS = 8


def _spans(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as ``(lower-case word, start, end)``."""
    return [(m.group().casefold(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _significant(word: str) -> bool:
    return len(word) >= 4 and word not in STOPWORDS


def _candidates(text: str) -> dict[str, str]:
    """Every phrase of 2 to 8 words of ``text`` that starts and ends on a non-stop word and has a significant
    word, keyed by its lower-case, space-normalised form, valued by its text exactly as written."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        offset = text.find(line)
        spans = _spans(line)
        for i, (first, start, _) in enumerate(spans):
            if first in STOPWORDS:
                continue
            for j in range(i + 1, min(i + MAX_PHRASE_WORDS, len(spans))):
                last, _, end = spans[j]
                words_in = [w for w, _, _ in spans[i:j + 1]]
                if last in STOPWORDS or not any(_significant(w) for w in words_in):
                    continue
                surface = line[start:end]
                found.setdefault(" ".join(surface.casefold().split()), text[offset + start:offset + end])
    return found


def contains_phrase(answer: str, phrase: str) -> bool:
    """Whether ``answer`` contains ``phrase`` word for word (capitals and runs of spaces aside)."""
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)"
    return re.search(pattern, answer, flags=re.IGNORECASE) is not None


def phrase_themes(answers: Iterable[str], *, minimum: int = 2, limit: int = 6,
                  examples: int = 2) -> list[dict[str, object]]:
    """Themes: phrases that at least ``minimum`` answers share word for word, quoted as one of them wrote it.

    ``[{"theme", "count", "examples"}]``, most shared first. A phrase inside a longer one that as many
    answers share is dropped (the longer one is the theme); a phrase overlapping a theme already kept is
    skipped, so one repeated sentence is one theme. Single words are never themes. An empty list means no
    honest theme: show the answers grouped instead.
    """
    texts = [a.strip() for a in answers if a and a.strip()]
    surfaces: dict[str, Counter[str]] = {}
    support: Counter[str] = Counter()
    for text in texts:
        for key, surface in _candidates(text).items():
            support[key] += 1
            surfaces.setdefault(key, Counter())[surface] += 1
    shared = {k: n for k, n in support.items() if n >= minimum}
    maximal = [k for k, n in shared.items()
               if not any(k != other and f" {k} " in f" {other} " and shared[other] == n for other in shared)]
    maximal.sort(key=lambda k: (-shared[k], -len(k.split()), k))
    chosen: list[str] = []
    for key in maximal:
        if any(f" {key} " in f" {c} " or f" {c} " in f" {key} " for c in chosen):
            continue
        chosen.append(key)
        if len(chosen) == limit:
            break
    out: list[dict[str, object]] = []
    for key in chosen:
        surface = surfaces[key].most_common(1)[0][0]
        having = [t for t in texts if contains_phrase(t, key)]
        out.append({"theme": surface, "count": len(having), "examples": having[:examples]})
    return out


def shared_phrases(current: Iterable[str], previous: Iterable[str], *, limit: int = 8) -> list[tuple[str, int, int]]:
    """Phrase themes found both now and before: ``[(theme, answers now, answers before)]``."""
    now, before = [a for a in current if a and a.strip()], [a for a in previous if a and a.strip()]
    out = []
    for theme in phrase_themes(now + before, limit=50, examples=0):
        text = str(theme["theme"])
        n_now = sum(1 for a in now if contains_phrase(a, text))
        n_before = sum(1 for a in before if contains_phrase(a, text))
        if n_now and n_before:
            out.append((text, n_now, n_before))
    return out[:limit]
