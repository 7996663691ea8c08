"""The quick test of the highlights: which tokens may give a term beginning with given
letters, told without analysing them.

A term begins with the first letters of the folded word (or joined compound) it comes
from: `quick_keys` gives those of a token (None when it cannot tell: digits, dots,
letters it does not fold, irregular plurals), and `candidate_starts` finds, with regular
expressions that skip at C speed, where in a text the tokens worth looking at are.
`FrenchAnalyzer.spans` analyses only those (the same spans as analysing every token:
`tests/test_highlight.py`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set as AbstractSet

from unidecode import unidecode

from .french import APOSTROPHES, HYPHENS, IRREGULAR_PLURALS

__all__ = ["TOKEN_CHAR", "candidate_starts", "may_give", "quick_keys"]

#: Letters folded as unidecode folds them (Latin letters with accents, ligatures), for the
#: quick test of `may_give`; a token with any other non-ASCII letter is analysed.
_QUICK_FOLD = str.maketrans({c: unidecode(c).lower() for c in map(chr, [*range(0xC0, 0x250), 0x152, 0x153])
                             if unidecode(c).isascii() and unidecode(c).isalpha()})
_QUICK_FOLD_CHARS = {chr(c): folded for c, folded in _QUICK_FOLD.items()}
_QUICK_SPLIT = re.compile(rf"[{APOSTROPHES}{HYPHENS}]")
_IRREGULAR_FORMS = frozenset(IRREGULAR_PLURALS)


_DIGIT_OR_DOT = re.compile(r"[.,0-9]")


def quick_keys(token: str) -> frozenset[str] | None:
    """What the terms of `token` may begin with: the first two letters (and the first one)
    of each of its folded parts, and of its joined compound with or without an elision.
    None when the quick test cannot tell (digits, dots, letters it does not fold,
    irregular plurals): the token must be analysed."""
    low = token.lower().translate(_QUICK_FOLD).replace("_", "")
    if not low.isascii() or _DIGIT_OR_DOT.search(low):
        return None
    parts = [p for p in _QUICK_SPLIT.split(low) if p]
    if any(p in _IRREGULAR_FORMS for p in parts):
        return None
    keys = set()
    for part in [*parts, "".join(parts), "".join(parts[1:])]:  # compounds, elided or not
        keys.add(part[:2])
        keys.add(part[:1])
    return frozenset(keys)


def may_give(token: str, starts: AbstractSet[str]) -> bool:
    """Whether `token` may give a term beginning with one of `starts` (two letters, or one
    for a one-letter term); True whenever the quick test cannot tell."""
    keys = quick_keys(token)
    return keys is None or not keys.isdisjoint(starts)


#: A character a token may hold (word characters, accents, apostrophes, hyphens, dots, commas).
TOKEN_CHAR = re.compile(rf"[\w\u0300-\u036f{APOSTROPHES}{HYPHENS}.,]")


@functools.lru_cache(maxsize=256)
def _candidates(letters: frozenset[str]) -> re.Pattern[str] | None:
    """Where a token that may give a term beginning with one of `letters` starts: a word
    (or a part after an apostrophe or a hyphen) whose first letter folds to one of them, or
    to the first letter of an irregular plural of one (*yeux* for *oeil*). The pattern
    begins with a character set, so that the engine skips to those letters at C speed.
    None when no letter can begin a word (a wanted term of digits only)."""
    first = set(letters)
    first |= {form[0] for form, singular in IRREGULAR_PLURALS.items() if singular[:1] in letters}
    chars = {c for c in first if c.isascii() and c.isalpha()}
    chars |= {c.upper() for c in chars}
    chars |= {c for c, folded in _QUICK_FOLD_CHARS.items() if folded[:1] in first}
    if not chars:
        return None
    return re.compile(rf"[{re.escape(''.join(sorted(chars)))}](?<![\w\u0300-\u036f].)")


#: Where a token the quick test cannot tell is: a digit, an underscore, a combining accent,
#: a letter it does not fold, a dot or comma inside a token.
_UNTOLD = (re.compile(rf"[^\W\x00-\x2f\x3a-\x5e\x60-\x7f{re.escape(''.join(sorted(_QUICK_FOLD_CHARS)))}]+"),
           re.compile(r"[\u0300-\u036f]+"),
           re.compile(r"[.,](?<=[\w\u0300-\u036f].)(?=[\w\u0300-\u036f])"))


def candidate_starts(text: str, letters: frozenset[str]) -> list[int]:
    """The offsets of `text` where a token that may give a term beginning with one of
    `letters` is, in order (see `_candidates` and `_UNTOLD`)."""
    words = _candidates(letters)
    found = [m.start() for p in (*_UNTOLD, *([words] if words else [])) for m in p.finditer(text)]
    found.sort()
    return found
