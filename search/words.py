"""Words as a reader types them: folded words, exact field values, questions (no engine type)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .french import fold

__all__ = ["QUESTION_WORDS", "WORD_RE", "ValueIndex", "folded_words", "is_question"]

WORD_RE = re.compile(r"[\w\u0300-\u036f]+(?:['\u2019\u02bc][\w\u0300-\u036f]+)*")

#: Words that only make a question (and "est", of "qu'est-ce que", "est-il"): in a query
#: that is a question they carry nothing to match, and their rarity would skew ranking.
QUESTION_WORDS = frozenset(
    "combien comment pourquoi quand quoi lequel laquelle lesquels lesquelles est".split())
_INTERROGATIVES = (QUESTION_WORDS - {"est"}) | {"quel", "quelle", "quels", "quelles", "qui", "que", "ou"}
_QUESTION_START = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:qu['\u2019]|est-ce)", re.IGNORECASE)


def folded_words(text: str) -> tuple[str, ...]:
    """The folded whole words of a text (no stems, stop words kept): for exact values."""
    out = []
    for m in WORD_RE.finditer(text):
        word = fold(m.group())
        if word:
            out.append(word)
    return tuple(out)


class ValueIndex:
    """The exact values of a field (sources, authors, tags), matchable by folded words."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = [(v, folded_words(v)) for v in values]
        self.by_folded: dict[str, list[str]] = {}
        for value, words in self.values:
            self.by_folded.setdefault(" ".join(words), []).append(value)

    def exact(self, text: str) -> list[str]:
        """Values equal to `text` once folded (case and accents ignored)."""
        return self.by_folded.get(" ".join(folded_words(text)), [])

    def matching(self, text: str, prefix: bool = False) -> list[str]:
        """Values containing the folded words of `text` in a row (the last one as a
        prefix when `prefix`)."""
        wanted = folded_words(text)
        if not wanted:
            return []
        n = len(wanted)
        out = []
        for value, words in self.values:
            for i in range(len(words) - n + 1):
                window = words[i:i + n]
                if window[:-1] == wanted[:-1] and (
                    window[-1] == wanted[-1] or (prefix and window[-1].startswith(wanted[-1]))
                ):
                    out.append(value)
                    break
        return out


def is_question(text: str) -> bool:
    """A query written as a question: ends with "?", or has an interrogative word among
    its first three words (Combien…, En quelle année…, Qu'est-ce que…)."""
    stripped = text.strip()
    if stripped.endswith("?"):
        return True
    return bool(_QUESTION_START.match(stripped)) or any(
        w in _INTERROGATIVES for w in folded_words(stripped)[:3])
