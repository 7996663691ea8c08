"""The French analyzer: tokens, elision, hyphenated compounds, folding, stop words, stems.

The chain, applied to index and query text alike:

1. tokenise the original text (dotted acronyms `I.A.`, decimal numbers `7,5`, words with
   inner apostrophes, hyphenated compounds split on `-`, U+2010 and U+2011; other dots
   and commas split words);
2. strip French elisions (`l’`, `d'`, `qu’`, `jusqu’`, `lorsqu’` … with ' ’ or ʼ);
3. fold case, accents and ligatures per token with unidecode (`Œuvre` -> `oeuvre`), so
   offsets still point into the original text;
4. drop stop words: French function words as written (accents matter: *maïs* stays,
   *mais* goes), without the verb forms that are also news words (avions, sommes, pas,
   ton, son, est, été, fût, as);
5. map a few irregular plurals Snowball misses (jeux -> jeu, travaux -> travail), then
   stem with Snowball 3 (PyStemmer).

Folding comes before stemming so that `electricite` and `électricité` give the same term.
The per-token work is cached: a token seen once costs one dict lookup afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from itertools import accumulate, chain, compress
from typing import Any, NamedTuple

from .french import APOSTROPHES, DECIMAL_NUMBER, HYPHENS, fold, is_stop_word, stem_word
from .quick_test import TOKEN_CHAR, candidate_starts, quick_keys

__all__ = [
    "FrenchAnalyzer",
    "Term",
    "analyze",
    "compound",
    "index_analyzer",
    "shared_analyzer",
    "vocab_analyzer",
]

_W = r"[\w\u0300-\u036f]"  # word characters, combining accents included
# A chunk: word characters joined by apostrophes, hyphens, dots or commas. One simple
# pattern keeps the scan fast; the (cached) parse of each chunk does the rest.
_TOKEN = re.compile(rf"{_W}+(?:[{APOSTROPHES}{HYPHENS}.,]{_W}+)*")
_PART = re.compile(rf"[^{HYPHENS}]+")
_ELISION = re.compile(rf"(?i:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)[{APOSTROPHES}](?=\w)")
_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # I.A  S.N.C.F
_DOTTED = re.compile(r"[^.,]+")

#: Tokens kept in an analyzer's cache (about 800 bytes each with their analysis) before
#: it is emptied: memory stays bounded whatever the corpus (each indexing process has one).
CACHE_TOKENS = 200_000

#: `spans` skips to the candidate words for up to this many beginnings of wanted terms;
#: with more, most words are candidates and reading every token is faster (measured on
#: OrangeSum: 0.46x the time of reading every token for one word, 0.88x for four, 1.02x
#: for five, 1.3x for eight).
SKIP_UP_TO = 4

#: Longest term kept, in characters; longer tokens are noise (hashes, base64).
MAX_TERM = 60

class Term(NamedTuple):
    """One analysed token: the term, its position, and its span in the original text."""

    text: str
    pos: int
    start: int
    end: int


# A parsed token: its parts as (start, end, term or None for a stop word) relative to the
# token, the joined term of a hyphenated compound (porte-parole -> porteparole), the
# vocabulary words of the token as (folded word, lower-case form as written), and its
# terms alone (stop words out), for the indexing fast path.
_Parsed = tuple[
    tuple[tuple[int, int, str | None], ...], str | None, tuple[tuple[str, str], ...],
    tuple[str, ...]]


class FrenchAnalyzer:
    """The whole French chain in one cached pass (no engine type: `search._whoosh`
    wraps it in a whoosh tokenizer).

    Args:
        stem: stem terms (the `title`/`body` fields); False gives folded words (the
            vocabulary used for spelling, fuzzy and prefix expansion).
        stops: drop stop words.
        compounds: in index mode, also emit a hyphenated compound joined
            (`week-end` -> `weekend`) at the position of its first part.
    """

    def __init__(self, stem: bool = True, stops: bool = True, compounds: bool = True) -> None:
        self.stem = stem
        self.stops = stops
        self.compounds = compounds
        self._clear()

    def __getstate__(self) -> dict[str, Any]:
        # whoosh pickles the schema, analyzers included: never the cache
        return {"stem": self.stem, "stops": self.stops, "compounds": self.compounds}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchAnalyzer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.stem, self.stops, self.compounds))

    def _term(self, word: str) -> str | None:
        folded = fold(word)
        if not folded or len(folded) > MAX_TERM:
            return None
        if self.stops and is_stop_word(word):
            return None
        return stem_word(folded) if self.stem else folded

    def _parse(self, token: str) -> _Parsed:
        parts: list[tuple[int, int, str | None]] = []
        vocab: list[tuple[str, str]] = []
        compound: list[tuple[int, int]] = []
        for m in _PART.finditer(token):
            start, word = m.start(), m.group()
            elided = _ELISION.match(word)
            if elided:
                start += elided.end()
                word = word[elided.end():]
            compound.append((start, m.end()))
            if ("." in word or "," in word) and not (
                    _ACRONYM.fullmatch(word) or DECIMAL_NUMBER.fullmatch(word)):
                pieces = [(start + d.start(), d.group()) for d in _DOTTED.finditer(word)]
            else:
                pieces = [(start, word)]
            for at, piece in pieces:
                term = self._term(piece)
                parts.append((at, at + len(piece), term))
                if term is not None:
                    folded = fold(piece)
                    if folded.isalpha() and len(folded) > 1:
                        vocab.append((folded, piece.lower()))
        joined = None
        if len(compound) > 1:
            text = "".join(fold(token[s:e]) for s, e in compound)
            if text and len(text) <= MAX_TERM:
                joined = stem_word(text) if self.stem else text
        terms = tuple(t for _, _, t in parts if t is not None)
        return tuple(parts), joined, tuple(vocab), terms

    def _parsed(self, token: str) -> _Parsed:
        parsed = self._cache.get(token)
        if parsed is None:
            if len(self._cache) > CACHE_TOKENS:
                self._clear()
            parsed = self._cache[token] = self._parse(token)
            # the same, by part, for the bulk path (`index_sequence`)
            self._seq[token] = parsed[3]
            self._pairs[token] = parsed[2]
            if parsed[1] is not None and len(parsed[3]) > 1:
                self._joins[token] = parsed[1]
        return parsed

    def _clear(self) -> None:
        self._cache: dict[str, _Parsed] = {}
        self._quick: dict[str, frozenset[str] | None] = {}  # `quick_keys` of tokens not analysed
        self._seq: dict[str, tuple[str, ...]] = {}
        self._pairs: dict[str, tuple[tuple[str, str], ...]] = {}
        self._joins: dict[str, str] = {}

    def words(self, text: str, into: dict[str, str] | None = None) -> dict[str, str]:
        """The vocabulary words of a text: folded word -> the first lower-case form it was
        written in (`electricite` -> `électricité`), added to `into` if given."""
        words: dict[str, str] = {} if into is None else into
        cache = self._cache
        for token in dict.fromkeys(_TOKEN.findall(text)):  # in order: the first form wins
            parsed = cache.get(token) or self._parsed(token)
            for word, form in parsed[2]:
                words.setdefault(word, form)
        return words

    def index_terms(self, text: str) -> dict[str, list[int]]:
        """Analyse a text for indexing: the positions of every term (joined compounds
        included, at the position of their first part)."""
        positions: dict[str, list[int]] = {}
        cache = self._cache
        joined_too = self.compounds
        pos = 0
        for token in _TOKEN.findall(text):
            parsed = cache.get(token) or self._parsed(token)
            terms = parsed[3]
            if len(terms) == 1 and parsed[1] is None:  # the common case: one word
                term = terms[0]
                found = positions.get(term)
                if found is None:
                    positions[term] = [pos]
                else:
                    found.append(pos)
                pos += 1
                continue
            first = pos
            for term in terms:
                found = positions.get(term)
                if found is None:
                    positions[term] = [pos]
                else:
                    found.append(pos)
                pos += 1
            joined = parsed[1]
            if joined_too and joined is not None and pos - first > 1:
                positions.setdefault(joined, []).append(first)
        return positions

    def index_sequence(self, text: str) -> tuple[list[str], list[tuple[str, int]], list[str]]:
        """Analyse a text for indexing in bulk (the writer's path; same terms as
        `index_terms`): its terms in order, a term's position being its index; the joined
        compounds as (term, position of their first part); and its tokens, for
        `vocabulary_words`. The per-token work is done by C-level lookups in the caches.
        """
        tokens = _TOKEN.findall(text)
        hits: list[Any]
        for attempt in range(2):
            try:
                per_token = list(map(self._seq.__getitem__, tokens))
                hits = list(map(self._joins.get, tokens))
                break
            except KeyError:
                if attempt == 0:  # parse the new tokens, then look again
                    for token in set(tokens).difference(self._seq):
                        self._parsed(token)
        else:  # the cache was emptied meanwhile: one by one
            parsed = [self._parsed(token) for token in tokens]
            per_token = [p[3] for p in parsed]
            hits = [p[1] if len(p[3]) > 1 else None for p in parsed]
        terms = list(chain.from_iterable(per_token))
        joined: list[tuple[str, int]] = []
        if self.compounds:
            if any(hits):
                starts = list(accumulate(map(len, per_token), initial=0))
                joined = [(hits[i], starts[i]) for i in compress(range(len(hits)), hits)]
        return terms, joined, tokens

    def vocabulary_words(self, tokens: list[str]) -> dict[str, str]:
        """The vocabulary words of the tokens given by `index_sequence` (several texts'
        tokens may be joined), as `words` gives them: word -> its first form."""
        distinct = list(dict.fromkeys(tokens))
        distinct.reverse()  # dict() keeps the last value of a key: the first form wins
        try:
            return dict(chain.from_iterable(map(self._pairs.__getitem__, distinct)))
        except KeyError:  # the cache was emptied meanwhile
            return dict(chain.from_iterable(self._parsed(token)[2] for token in distinct))

    def terms(self, text: str, mode: str = "query", removestops: bool = True,
              ) -> Iterator[tuple[str | None, int, int, int]]:
        """Yield (term, position, start, end); term is None for a kept stop word."""
        cache = self._cache
        joined_too = self.compounds and mode == "index"
        pos = 0
        for m in _TOKEN.finditer(text):
            token = m.group()
            parsed = cache.get(token) or self._parsed(token)
            parts, joined = parsed[0], parsed[1]
            base = m.start()
            first = pos
            for start, end, term in parts:
                if term is None:
                    if not removestops:
                        yield None, pos, base + start, base + end
                    continue
                yield term, pos, base + start, base + end
                pos += 1
            if joined_too and joined is not None and pos - first > 1:
                yield joined, first, base + parts[0][0], base + parts[-1][1]

    def spans(self, text: str, wanted: AbstractSet[str]) -> list[tuple[int, int, str]]:
        """(start, end, term) of every token of `text` whose term is in `wanted`, joined
        compounds included (index mode), in text order.

        Only the tokens that may give a wanted term are looked at: a term begins with the
        first letters of the folded word (or joined compound) it comes from, so regular
        expressions find the words whose first two letters fold to those of a wanted term,
        and the tokens the quick test cannot tell (digits, dots, letters it does not fold:
        `candidate_starts`), when the wanted terms have at most `SKIP_UP_TO` beginnings; a
        token not yet analysed is analysed only if it may give a wanted term (`quick_keys`).
        """
        if not wanted or not text:
            return []
        starts = frozenset(t[:2] for t in wanted) | frozenset(t[:1] for t in wanted if len(t) == 1)
        out: list[tuple[int, int, str]] = []
        if len(starts) > SKIP_UP_TO:  # most words are candidates: reading every token is faster
            for token in _TOKEN.finditer(text):
                self._token_spans(token, wanted, starts, out)
            return out
        done = 0  # tokens ending here or before have been looked at
        token_char = TOKEN_CHAR.match
        for at in candidate_starts(text, starts):
            if at < done:
                continue
            if at and token_char(text, at - 1):  # inside a token: find where it starts
                back = at - 1  # (after a character no token holds: tokens read from there
                while back > done and token_char(text, back - 1):  # are the text's tokens)
                    back -= 1
                m = _TOKEN.search(text, back)
                while m is not None and m.end() <= at:  # tokens before: no candidate in them
                    m = _TOKEN.search(text, m.end())
            else:
                m = _TOKEN.match(text, at)
            if m is not None:
                done = m.end()
                self._token_spans(m, wanted, starts, out)
        return out

    def _token_spans(self, m: re.Match[str], wanted: AbstractSet[str], starts: frozenset[str],
                     out: list[tuple[int, int, str]]) -> None:
        """Add the spans of one token (a match of `_TOKEN`) whose term is in `wanted`."""
        token = m.group()
        parsed = self._cache.get(token)
        if parsed is None:
            quick = self._quick
            keys = quick.get(token, _UNKNOWN)
            if keys is _UNKNOWN:
                if len(quick) > CACHE_TOKENS:
                    quick.clear()
                keys = quick[token] = quick_keys(token)
            if keys is not None and keys.isdisjoint(starts):
                return
            parsed = self._parsed(token)
        parts, joined = parsed[0], parsed[1]
        hit_parts = not wanted.isdisjoint(parsed[3])
        if not hit_parts and (joined is None or joined not in wanted):
            return
        base = m.start()
        if hit_parts:
            for start, end, term in parts:
                if term is not None and term in wanted:
                    out.append((base + start, base + end, term))
        if self.compounds and joined is not None and joined in wanted and len(parsed[3]) > 1:
            out.append((base + parts[0][0], base + parts[-1][1], joined))


_UNKNOWN: frozenset[str] = frozenset({"\x00"})  # not yet in the quick cache


def index_analyzer() -> FrenchAnalyzer:
    """The analyzer of the stemmed text fields (title, body)."""
    return FrenchAnalyzer(stem=True, stops=True, compounds=True)


def vocab_analyzer() -> FrenchAnalyzer:
    """The analyzer of the vocabulary field: folded whole words, no stems, no compounds."""
    return FrenchAnalyzer(stem=False, stops=True, compounds=False)


_default = index_analyzer()


def shared_analyzer() -> FrenchAnalyzer:
    """The process's one instance of the stemmed chain (and its token cache), for the
    readers of the analysis: queries, highlights, the opening boost."""
    return _default


def compound(text: str) -> str | None:
    """The joined term of one hyphenated word (`porte-parole` -> `porteparol`), else None.

    The index holds it beside the parts, so the hyphenated form is one term to look up.
    """
    chunks = _TOKEN.findall(text)
    if len(chunks) != 1:
        return None
    return _default._parsed(chunks[0])[1]


def analyze(text: str, *, mode: str = "query") -> list[Term]:
    """Run the stemmed chain over `text` (as for the title and body fields).

    Args:
        text: original text.
        mode: "query" (default) or "index" (also emits joined compounds).
    """
    return [Term(t, p, s, e) for t, p, s, e in _default.terms(text, mode) if t is not None]
