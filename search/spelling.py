"""Typos, as a reader makes them: words a few edits away in the index's vocabulary, the
correction of a word the index does not hold, and the words never proposed (engine-neutral).

Distances are Damerau-Levenshtein (optimal string alignment): a deleted, added or changed
letter, or two neighbour letters swapped (`gouvernemnet`), is one edit. How many a word may
hold follows Meilisearch: none under 5 letters, one from 5, two from 9.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from string import ascii_lowercase

from .clock import Clock
from .french import STOP_WORDS, fold, stem_word
from .vocabulary import Vocabulary

__all__ = [
    "FUNCTION_WORDS",
    "correction",
    "edit_distance",
    "is_known",
    "near_words",
    "typo_budget",
]

#: Words never proposed as a correction and never corrected: the stop words and the other
#: French function words (adverbs, prepositions, conjunctions) a typo easily lands on
#: (`avion` is not `afin`).
FUNCTION_WORDS: frozenset[str] = STOP_WORDS | frozenset(fold(w) for w in """
afin ainsi alors apres après assez aucun aucune aupres auprès aussi autant autour autre autres
avant beaucoup bien car certes chacun chaque chez comme comment contre dans dedans dehors depuis
derriere derrière dessous dessus devant donc dont durant elles encore enfin entre envers environ
hors jamais jusque lequel laquelle lesquels lesquelles lors lorsque malgre malgré moins mais
neanmoins néanmoins non parce parmi pendant peu peut plupart plus plusieurs pour pourquoi pourtant
pres près puis puisque quand quant quasi quelque quelques quoi quoique sans selon sinon sitot
sitôt sous souvent suivant surtout tandis tant tard tel telle telles tels tot tôt toujours tout
toute toutes tous tres très trop vers via voici voila voilà vraiment
""".split())

_LETTERS = ascii_lowercase


def typo_budget(word: str) -> int:
    """How many typos a word of this length may hold: 0 under 5 letters, 1 from 5, 2 from 9."""
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of two neighbour
    letters is one edit), or `limit` + 1 when it is over `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return min(prev[-1], limit + 1)


def _one_edit(word: str) -> set[str]:
    """Every string one edit away from `word` (letters a-z: the vocabulary's words are folded)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    out.discard(word)
    return out


def _present(vocab: Vocabulary, words: Iterable[str], clock: Clock | None) -> list[str]:
    found = []
    table = vocab.words
    for n, w in enumerate(words):
        if clock is not None and not n & 255:
            clock.check()
        i = bisect_left(table, w)
        if i < len(table) and table[i] == w:
            found.append(w)
    return found


def near_words(vocab: Vocabulary, word: str, maxdist: int,
               clock: Clock | None = None) -> list[tuple[str, int, int]]:
    """The vocabulary words at most `maxdist` (1 or 2) edits from `word`, `word` itself
    included when it is there: (word, document frequency, distance), the likeliest first:
    the closest, then those `word` would be with a letter missing or two letters swapped
    (the commonest typing errors) before a wrong or extra letter, then the most frequent.
    Words two edits away are looked for only when none is closer (they would rank after
    them anyway, and the search for them costs the most)."""
    if not word or maxdist < 0:
        return []
    found: dict[str, int] = {}
    if vocab.doc_frequency(word):
        found[word] = 0
    if maxdist >= 1:
        for w in _present(vocab, _one_edit(word), clock):
            found[w] = 1
    if maxdist >= 2 and not found:  # two edits: Levenshtein's automaton (same first letter), checked again
        for w, _df in vocab.within(word, 2, prefix=1, clock=clock):
            if w not in found and edit_distance(word, w, 2) <= 2:
                found[w] = 2
    out = [(w, vocab.doc_frequency(w), d) for w, d in found.items()]
    out.sort(key=lambda x: (x[2], _unlikely(word, x[0]), -x[1], x[0]))
    return out


def _unlikely(typed: str, word: str) -> int:
    """0 when `typed` is `word` with a letter missing or two neighbour letters swapped (the
    commonest typing errors), else 1 (a wrong or an extra letter, or more edits)."""
    if len(word) == len(typed) + 1:
        return 0
    if len(word) == len(typed):
        diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == word[diff[1]]:
            return 0
    return 1


def is_known(vocab: Vocabulary, word: str) -> bool:
    """Whether the index holds `word` (folded, unstemmed) or another word of its stem
    (`tir` is known when `tirer` is there: a search for it finds articles)."""
    if vocab.doc_frequency(word):
        return True
    stem = stem_word(word)
    if not stem:
        return False
    for n, (w, _df) in enumerate(vocab.with_prefix(stem[:max(len(stem) - 1, 1)])):
        if n > 200:
            break
        if stem_word(w) == stem:
            return True
    return False


def correction(vocab: Vocabulary, word: str, clock: Clock | None = None) -> str | None:
    """The word the index holds that `word` (folded, not in the index) was most likely
    meant to be: the closest within its typo budget, then the most frequent; never a
    function word, and nothing for a function word or a word under 5 letters."""
    budget = typo_budget(word)
    if not budget or word in FUNCTION_WORDS:
        return None
    for w, df, dist in near_words(vocab, word, budget, clock):
        if dist and df and w not in FUNCTION_WORDS:
            return w
    return None
