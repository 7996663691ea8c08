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


#: Each ASCII letter: the characters whose folded form begins with it (both cases).
_FOLDED_TO: dict[str, frozenset[str]] = {
    letter: frozenset({letter, letter.upper()} | {c for c, f in _QUICK_FOLD_CHARS.items() if f[:1] == letter})
    for letter in "abcdefghijklmnopqrstuvwxyz"}


def _chars(letters: set[str]) -> set[str]:
    """The characters whose folded form begins with one of `letters` (both cases)."""
    return set().union(*(_FOLDED_TO.get(letter, ()) for letter in letters))


def _set(chars: set[str]) -> str:
    return re.escape("".join(sorted(chars)))


@functools.lru_cache(maxsize=256)
def _word_starts(chars: frozenset[str]) -> re.Pattern[str]:
    """A word, or a part after an apostrophe or a hyphen, that begins with one of `chars`
    (the pattern begins with a character set: the engine skips to them at C speed)."""
    return re.compile(rf"[{_set(set(chars))}](?<![\w\u0300-\u036f].)")


@functools.lru_cache(maxsize=256)
def _plan(starts: frozenset[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """How to find the tokens that may give a term beginning with one of `starts` (their
    first two letters, or one for a one-letter term): the characters a word begins with
    when it must be followed by one of the second characters (a letter that folds to a
    second letter of `starts`, or an apostrophe or a hyphen: *l’e-sport* gives *esport*),
    and those it may begin with whatever follows (a one-letter term's, the irregular
    plurals' such as *yeux* for *oeil*, the letters folded to two such as *œ*, *ß*)."""
    first = {s[0] for s in starts if s[:1].isalpha()}
    loose = {s for s in starts if len(s) == 1 and s.isalpha()}
    loose |= {form[0] for form, singular in IRREGULAR_PLURALS.items()  # yeux: oeil
              if singular[:2] != form[:2] and (singular[:2] in starts or singular[:1] in starts)}
    double = {c for c in _FOLDED_TO_TWO if _QUICK_FOLD_CHARS[c][0] in first}
    second = _chars({s[1] for s in starts if len(s) > 1}) | _JOINERS
    return frozenset(_chars(first - loose)), frozenset(second), frozenset(_chars(loose) | double)


#: The letters folded to two (œ, æ, ß, ĳ…), and what may join two parts of a word (an
#: apostrophe, a hyphen) or be dropped from it (an underscore, a combining accent).
_FOLDED_TO_TWO = frozenset(c for c, folded in _QUICK_FOLD_CHARS.items() if len(folded) > 1)
_JOINERS = frozenset(APOSTROPHES + "-\u2010\u2011_" + "".join(map(chr, range(0x300, 0x370))))


#: Where a token the quick test cannot tell is: a digit, an underscore, a combining accent,
#: a letter it does not fold, a dot or comma inside a token.
_UNTOLD = (re.compile(rf"[^\W\x00-\x2f\x3a-\x5e\x60-\x7f{re.escape(''.join(sorted(_QUICK_FOLD_CHARS)))}]+"),
           re.compile(r"[\u0300-\u036f]+"),
           re.compile(r"[.,](?<=[\w\u0300-\u036f].)(?=[\w\u0300-\u036f])"))


def candidate_starts(text: str, starts: frozenset[str]) -> list[int]:
    """The offsets of `text` where a token that may give a term beginning with one of
    `starts` (see `_plan`) or that the quick test cannot tell (`_UNTOLD`) is, in order."""
    first, second, loose = _plan(starts)
    found = [m.start() for p in _UNTOLD for m in p.finditer(text)]
    if first:
        found += [m.start() for m in _word_starts(first).finditer(text)
                  if text[m.end():m.end() + 1] in second]
    if loose:
        found += [m.start() for m in _word_starts(loose).finditer(text)]
    found.sort()
    return found
