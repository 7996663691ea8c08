"""The query compiler: a syntax tree to whoosh queries over one index (expansions, fields,
boosts), with how each part of the query scores."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from ..analysis import analyze, compound
from ..clock import Clock
from ..french import fold, stem_word
from ..query_syntax import DateRange, Group, Negation, Node, Phrase, Word
from ..ranking import RankingConfig, text_fields
from ..results import Notice
from ..schema import TEXT_FIELDS
from ..spelling import near_words
from ..vocabulary import Vocabulary
from ..words import QUESTION_WORDS, ValueIndex

__all__ = ["Clause", "Compiled", "Compiler", "QueryPart"]

#: Most vocabulary words one query expands to, its prefixes and typos together.
EXPANSION_BUDGET = 256
#: A typo's expansion keeps the words at least 1/FUZZY_SHARE as frequent as the most
#: frequent word at the same distance.
FUZZY_SHARE = 10
#: Words of one number of typos are ranked by frequency (`QueryPart.typos`), up to this many.
TYPO_RANKS = 8


@dataclass(frozen=True)
class QueryPart:
    """How one part of a query scores: BM25F of its stems over `fields` (name, weight),
    the best stem counting (`any`: expansions of a prefix or a typo) or all (`all`:
    the words of a phrase), times `boost`. `typos` (for `any`), when given, ranks each
    stem as a typo (0: the word as typed; then by number of typos, and among as many, the
    most frequent word first): an article counts only its best ranked stems, and comes
    after every article with better ranked ones (an exact word before a typo of it)."""

    stems: tuple[str, ...]
    fields: tuple[tuple[str, float], ...]
    boost: float
    combine: str
    typos: tuple[int, ...] = ()


@dataclass
class Clause:
    """One top-level part of a query, compiled, with the terms it can match."""

    query: wq.Query
    terms: set[tuple[str, str]] = field(default_factory=set)
    relaxable: bool = False
    parts: list[QueryPart] = field(default_factory=list)


@dataclass
class Compiled:
    """The whoosh query for a parsed query, and what the searcher needs around it."""

    strict: wq.Query | None
    relaxed: wq.Query | None
    clauses: list[Clause]
    highlight: set[str]
    notices: list[Notice]

    def parts(self) -> list[QueryPart]:
        """Every scoring part of the query."""
        return [part for clause in self.clauses for part in clause.parts]


class Compiler:
    """Compile syntax trees against one reader (expansions read its vocabulary)."""

    def __init__(self, vocabulary: Vocabulary, values: Callable[[str], ValueIndex],
                 ranking: RankingConfig, *, question: bool = False, clock: Clock | None = None) -> None:
        self.vocabulary = vocabulary
        self.clock = clock
        self.question = question
        self.values = values
        self.ranking = ranking
        self.notices: list[Notice] = []
        self.highlight: set[str] = set()
        self._negated = 0
        self._expanded = 0  # words added by expansions so far (EXPANSION_BUDGET)

    def notice(self, code: str, message: str, **params: Any) -> None:
        if all(n.code != code or n.params != params for n in self.notices):
            self.notices.append(Notice(code, message, **params))

    # -- fields -------------------------------------------------------------

    def _fields(self, name: str | None) -> list[tuple[str, float]]:
        if name in TEXT_FIELDS:
            return [(name, 1.0)]
        return text_fields(self.ranking)

    def _score(self, clause: Clause, stems: Iterable[str], fname: str | None, boost: float,
               combine: str, typos: tuple[int, ...] = ()) -> None:
        if not self._negated:
            clause.parts.append(QueryPart(tuple(stems), tuple(self._fields(fname)), boost, combine, typos))

    def _terms_query(self, stems: Iterable[str], fname: str | None, boost: float,
                     clause: Clause, typos: tuple[int, ...] = ()) -> wq.Query:
        stems = list(stems)
        self._score(clause, stems, fname, boost, "any", typos if any(typos) else ())
        subs: list[wq.Query] = []
        for stem in stems:
            for fld, weight in self._fields(fname):
                subs.append(wq.Term(fld, stem, boost=weight * boost))
                clause.terms.add((fld, stem))
            if not self._negated:
                self.highlight.add(stem)
        if not subs:
            return wq.NullQuery
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    # -- expansions ---------------------------------------------------------

    def _vocab_top(self, words: Iterable[tuple[str, int]], cap: int) -> tuple[list[str], int]:
        """The most frequent words, at most `cap` and at most `expansion_postings`
        documents in all (at least one word): what a search can score in a few ms."""
        ranked = sorted(words, key=lambda w: (-w[1], w[0]))
        top: list[str] = []
        postings = 0
        for word, df in ranked[:cap]:
            if top and postings + df > self.ranking.expansion_postings:
                break
            top.append(word)
            postings += df
        return top, len(ranked)

    def expand_prefix(self, prefix: str) -> list[str]:
        """Vocabulary words starting with `prefix`, most frequent first, capped."""
        left = EXPANSION_BUDGET - self._expanded
        if self.clock is not None:
            self.clock.check()
        top, total = self._vocab_top(self.vocabulary.with_prefix(prefix),
                                     max(1, min(self.ranking.prefix_max_terms, left)))
        self._expanded += len(top)
        if len(top) < min(total, self.ranking.prefix_max_terms):
            self._budget_notice()
        if total > len(top):
            self.notice("prefix_capped", f"{prefix}* matches {total} words: searched the "
                        f"{len(top)} most frequent", prefix=prefix, total=total, kept=len(top))
        return top

    def expand_fuzzy(self, word: str, dist: int) -> dict[str, int]:
        """The vocabulary words really close to `word`, with their rank as typos (the
        number of typos times `TYPO_RANKS`, plus the word's rank among the words as close,
        the likeliest first: `search.spelling.near_words`): the
        word itself and those one edit away (two when none is closer, and `dist` allows);
        of the words at one distance, those at least a tenth as frequent as the most
        frequent (`gouvernemant~` is not also `gouvernant`), the most frequent first, capped."""
        left = EXPANSION_BUDGET - self._expanded
        if left <= 0:
            self._budget_notice()
            return {}
        near = near_words(self.vocabulary, word, dist, self.clock)
        best: dict[int, int] = {}
        for _w, df, d in near:
            best.setdefault(d, df)
        close = [(w, df) for w, df, d in near if df * FUZZY_SHARE >= best[d]]
        typos = {w: d for w, _df, d in near}
        top, total = self._vocab_top(close, min(self.ranking.fuzzy_max_terms, left))
        self._expanded += max(len(top), 8)  # the walk over the vocabulary costs too
        if len(top) < min(total, self.ranking.fuzzy_max_terms):
            self._budget_notice()
        if total > len(top):
            self.notice("fuzzy_capped_terms", f"{word}~ matches {total} words: searched the "
                        f"{len(top)} most frequent", word=word, total=total, kept=len(top))
        ranks: dict[str, int] = {}
        seen: dict[int, int] = {}
        kept = set(top)
        for w in (w for w, _df, _d in near if w in kept):  # the likeliest first (`near_words`)
            d = typos[w]
            ranks[w] = d * TYPO_RANKS + min(seen.get(d, 0), TYPO_RANKS - 1)
            seen[d] = seen.get(d, 0) + 1
        return ranks

    def _budget_notice(self) -> None:
        self.notice("expansion_capped", f"the query's prefixes and typos match too many words: "
                    f"{EXPANSION_BUDGET} were searched", limit=EXPANSION_BUDGET)

    # -- nodes --------------------------------------------------------------

    def compile_word(self, node: Word, clause: Clause) -> wq.Query | None:
        if node.field in ("source", "author", "tags"):
            return self._value_query(node.field, node.text, node.prefix)
        if node.prefix:
            prefix = fold(node.text)
            if not prefix:
                return None
            stems = {stem_word(w) for w in self.expand_prefix(prefix)}
            return self._terms_query(sorted(stems), node.field, node.boost, clause)
        if node.fuzzy is not None:
            word = fold(node.text)
            if not word:
                return None
            dist = node.fuzzy if node.fuzzy >= 0 else (1 if len(word) < 6 else 2)
            words = self.expand_fuzzy(word, dist) if dist > 0 else {}
            typos: dict[str, int] = {}
            if not words or self.vocabulary.doc_frequency(word):
                typos[stem_word(word)] = 0  # the word as typed, when the index holds it
            for w, d in sorted(words.items(), key=lambda x: x[1]):
                typos.setdefault(stem_word(w), d)
            ordered = sorted(typos)
            return self._terms_query(ordered, node.field, node.boost, clause,
                                     tuple(typos[t] for t in ordered))
        if self.question and node.field is None and fold(node.text) in QUESTION_WORDS:
            return None  # "combien", "comment"… in a question: like a stop word
        terms = analyze(node.text)
        if not terms:
            return None
        if len(terms) == 1:
            return self._terms_query([terms[0].text], node.field, node.boost, clause)
        joined = compound(node.text)
        if joined is not None:  # porte-parole: the index holds the joined word too
            return self._compound(joined, [t.text for t in terms], node.field, node.boost, clause)
        return self._phrase([t.text for t in terms], node.field, 0, node.boost, clause)

    def _compound(self, joined: str, parts: list[str], fname: str | None, boost: float,
                  clause: Clause) -> wq.Query:
        """A hyphenated word (`PSA-FCA`): articles with the joined word or its parts in a
        row (`PSA FCA`, `PSA/FCA`), scored as its parts plus the joined word, so that it
        ranks as the same words typed with a space do."""
        self._score(clause, parts, fname, boost, "all")
        subs: list[wq.Query] = []
        for fld, weight in self._fields(fname):
            subs.append(wq.Term(fld, joined, boost=weight * boost))
            clause.terms.add((fld, joined))
        if not self._negated:
            self.highlight.add(joined)
        return wq.Or([*subs, self._phrase(parts, fname, 0, boost, clause, scored=False)])

    def _phrase(self, words: list[str], fname: str | None, slop: int, boost: float,
                clause: Clause, *, scored: bool = True) -> wq.Query:
        if scored:
            self._score(clause, words, fname, boost, "all")
        subs: list[wq.Query] = []
        for fld, weight in self._fields(fname):
            subs.append(wq.Phrase(fld, words, slop=1 + slop, boost=weight * boost))
            clause.terms.update((fld, w) for w in words)
        if not self._negated:
            self.highlight.update(words)
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def compile_phrase(self, node: Phrase, clause: Clause) -> wq.Query | None:
        if node.field in ("source", "author", "tags"):
            return self._value_query(node.field, node.text, False)
        terms = [t.text for t in analyze(node.text)]
        if not terms:
            return None
        if len(terms) == 1:
            return self._terms_query(terms, node.field, node.boost, clause)
        return self._phrase(terms, node.field, node.slop, node.boost, clause)

    def _value_query(self, fname: str, text: str, prefix: bool) -> wq.Query:
        matches = self.values(fname).matching(text, prefix)
        if not matches:
            label = {"tags": "rubrique", "author": "author", "source": "source"}[fname]
            self.notice("no_such_value", f"no {label} matches {text!r}", field=fname, value=text)
            return wq.NullQuery
        subs = [wq.Term(fname, v) for v in matches]
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def compile(self, node: Node, clause: Clause) -> wq.Query | None:
        if isinstance(node, Word):
            return self.compile_word(node, clause)
        if isinstance(node, Phrase):
            return self.compile_phrase(node, clause)
        if isinstance(node, DateRange):
            return wq.DateRange("date", node.start, node.end)
        if isinstance(node, Negation):
            self._negated += 1
            try:
                inner = self.compile(node.child, clause)
            finally:
                self._negated -= 1
            return wq.Not(inner) if inner is not None else None
        subs = [q for q in (self.compile(c, clause) for c in node.children) if q is not None]
        if not subs:
            return None
        if len(subs) == 1:
            return subs[0]
        return wq.And(subs) if node.op == "and" else wq.Or(subs)

    def run(self, root: Node | None, extra: list[wq.Query]) -> Compiled:
        """Compile the tree; `extra` are filters every result must pass."""
        implicit = isinstance(root, Group) and root.op == "and" and not root.explicit
        children = root.children if isinstance(root, Group) and root.op == "and" else (
            [root] if root is not None else [])
        clauses: list[Clause] = []
        for child in children:
            clause = Clause(wq.NullQuery)
            compiled = self.compile(child, clause)
            if compiled is None:
                continue
            clause.query = compiled
            clause.relaxable = (implicit and isinstance(child, Word | Phrase)
                                and child.field is None and not child.required)
            clauses.append(clause)
        constraints = [c.query for c in clauses if not c.relaxable] + extra
        relaxable = [c.query for c in clauses if c.relaxable]
        parts = relaxable + constraints
        strict = _all_of(parts) if parts else None
        relaxed = None
        if len(relaxable) > 1:
            relaxed = _all_of([wq.Or(relaxable)] + constraints)
        return Compiled(strict, relaxed, clauses, self.highlight, self.notices)


def _all_of(parts: list[wq.Query]) -> wq.Query:
    positive = [p for p in parts if not isinstance(p, wq.Not)]
    if not positive:
        parts = [wq.Every()] + parts
    return parts[0] if len(parts) == 1 else wq.And(parts)
