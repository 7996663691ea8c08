"""The query's syntax tree as a SphinxQL MATCH expression, and the terms to highlight.

Every word sent is the project's folded word (the engine stems it, `libstemmer_fr`);
prefixes and typos are expanded with the index's own vocabulary, as the local engine does,
and sent as OR terms; exact values and dates are facts of the `facts` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .._whoosh.compiler import Compiler
from ..analysis import compound
from ..clock import Clock
from ..french import fold, stem_word
from ..query_syntax import DateRange, Group, Negation, Node, Phrase, Word
from ..ranking import RankingConfig as Ranking
from ..results import Notice
from ..schema import TEXT_FIELDS
from ..words import QUESTION_WORDS
from .documents import FACT_ALL, FACT_NONE, date_tokens, folded_words, value_id
from .lexicon import Lexicon

__all__ = ["Translation", "Translator"]

#: The fields a word is searched in: those of its `field:`, else every text field.
_LIMITS: dict[str | None, str] = {None: f"@({','.join(TEXT_FIELDS)})",
                                  **{name: f"@{name}" for name in TEXT_FIELDS}}
_FACT_PREFIX = {"source": "s", "author": "a", "tags": "t"}
_ALL = f"(@facts ={FACT_ALL})"
_NONE = f"(@facts ={FACT_NONE})"


@dataclass(frozen=True)
class Translation:
    """A query as MATCH expressions.

    Attributes:
        strict: every part required (None: nothing to match).
        relaxed: any of the relaxable words, the other parts required (None: no relaxing).
        relaxable: how many parts can be relaxed.
        terms: the analysed terms to highlight (empty: nothing to rank by).
        notices: what was done with the query.
    """

    strict: str | None
    relaxed: str | None
    relaxable: int
    terms: frozenset[str]
    notices: list[Notice]


@dataclass(frozen=True)
class _Part:
    text: str  # a parenthesised expression
    negative: bool = False


def _limit(fieldname: str | None) -> str:
    """The fields searched: title, lead or body, else all three (as the local engine: a group
    under another field, `date:(retraite)`, gives its words those three)."""
    return _LIMITS.get(fieldname, _LIMITS[None])


def _and(parts: list[_Part]) -> str:
    positive = [p.text for p in parts if not p.negative] or [_ALL]
    return "(" + " ".join(positive + [f"-{p.text}" for p in parts if p.negative]) + ")"


def _or(parts: list[_Part]) -> str:
    return "(" + " | ".join(f"({_ALL} -{p.text})" if p.negative else p.text for p in parts) + ")"


def _boost(value: float) -> str:
    return "" if value == 1.0 else f"^{max(value, 0.001):g}"


def _first_day(moment: datetime) -> date:
    return moment.date() if moment.time() == time.min else moment.date() + timedelta(days=1)


def _last_day(moment: datetime) -> date:
    return moment.date() if moment.time() == time.max else moment.date() - timedelta(days=1)


class Translator:
    """Translate syntax trees against one index's lexicon (its vocabulary and values)."""

    def __init__(self, lexicon: Lexicon, ranking: Ranking, *, question: bool, clock: Clock) -> None:
        self.lexicon = lexicon
        self.question = question
        # the local engine's expansions: most frequent words first, capped, with notices
        self.expander = Compiler(lexicon.vocabulary, lexicon.value_index, ranking, question=question,
                                 clock=clock)
        self.terms: set[str] = set()
        self._negated = 0

    def notice(self, code: str, message: str, **params: object) -> None:
        """Note what was done with the query (once per code and parameters)."""
        self.expander.notice(code, message, **params)

    def run(self, root: Node | None) -> Translation:
        """Translate a query's tree (its top-level implicit AND can be relaxed)."""
        implicit = isinstance(root, Group) and root.op == "and" and not root.explicit
        children = root.children if isinstance(root, Group) and root.op == "and" else (
            [root] if root is not None else [])
        relaxable: list[_Part] = []
        required: list[_Part] = []
        for child in children:
            part = self.node(child)
            if part is None:
                continue
            if (implicit and isinstance(child, Word | Phrase) and child.field is None
                    and not child.required):
                relaxable.append(part)
            else:
                required.append(part)
        parts = relaxable + required
        strict = _and(parts) if parts else None
        relaxed = _and([_Part(_or(relaxable))] + required) if len(relaxable) > 1 else None
        return Translation(strict, relaxed, len(relaxable), frozenset(self.terms),
                           list(self.expander.notices))

    def node(self, node: Node) -> _Part | None:
        """One node of the tree (None: it holds nothing to match)."""
        if isinstance(node, Word):
            text = self.word(node)
        elif isinstance(node, Phrase):
            text = self.phrase(node)
        elif isinstance(node, DateRange):
            text = self.dates(node)
        elif isinstance(node, Negation):
            self._negated += 1
            try:
                inner = self.node(node.child)
            finally:
                self._negated -= 1
            return None if inner is None else _Part(inner.text, not inner.negative)
        else:
            parts = [p for p in (self.node(c) for c in node.children) if p is not None]
            if len(parts) <= 1:
                return parts[0] if parts else None
            return _Part(_and(parts) if node.op == "and" else _or(parts))
        return None if text is None else _Part(text)

    def _highlight(self, words: list[str]) -> None:
        if not self._negated:
            self.terms.update(stem_word(w) for w in words)

    def _any(self, words: list[str], fieldname: str | None, boost: float) -> str:
        """Any of these words (one per stem) in the field."""
        by_stem: dict[str, str] = {}
        for word in words:
            by_stem.setdefault(stem_word(word), word)
        kept = list(by_stem.values())
        if not kept:
            return _NONE
        self._highlight(kept)
        alternatives = " | ".join(w + _boost(boost) for w in kept)
        return f"({_limit(fieldname)} {alternatives if len(kept) == 1 else f'({alternatives})'})"

    def word(self, node: Word) -> str | None:
        """A word: a value, a prefix, a word and its typos, a compound, or a phrase."""
        if node.field in _FACT_PREFIX:
            return self.values(node.field, node.text, node.prefix)
        if node.prefix or node.fuzzy is not None:
            word = fold(node.text)
            if not word:
                return None
            if node.prefix:
                return self._any(self.expander.expand_prefix(word), node.field, node.boost)
            assert node.fuzzy is not None
            dist = node.fuzzy if node.fuzzy >= 0 else (1 if len(word) < 6 else 2)
            typos = self.expander.expand_fuzzy(word, dist) if dist > 0 else []
            return self._any([word, *typos], node.field, node.boost)
        if self.question and node.field is None and fold(node.text) in QUESTION_WORDS:
            return None  # "combien", "comment"… in a question: like a stop word
        words, joined = folded_words(node.text)
        if len(words) <= 1:
            return self._any(words, node.field, node.boost) if words else None
        if len(joined) == 1 and compound(node.text) is not None:  # porte-parole: one word too
            return self._any(joined, node.field, node.boost)
        return self._phrase(words, node.field, 0)

    def _phrase(self, words: list[str], fieldname: str | None, slop: int) -> str:
        self._highlight(words)
        if not slop:
            return f'({_limit(fieldname)} "{" ".join(words)}")'
        # at most `slop` words between each pair (the local engine keeps their order)
        return f"({_limit(fieldname)} {f' NEAR/{slop + 1} '.join(words)})"

    def phrase(self, node: Phrase) -> str | None:
        """A phrase, with its slop."""
        if node.field in _FACT_PREFIX:
            return self.values(node.field, node.text, False)
        words, _joined = folded_words(node.text)
        if len(words) <= 1:
            return self._any(words, node.field, node.boost) if words else None
        if node.boost != 1.0:
            self.notice("phrase_boost", "the cluster cannot weigh a phrase: its ^ was ignored")
        return self._phrase(words, node.field, node.slop)

    def values(self, name: str, text: str, prefix: bool) -> str:
        """Articles with a value of `name` containing these words (as the local engine)."""
        matches = self.lexicon.value_index(name).matching(text, prefix)
        if not matches:
            label = {"tags": "rubrique", "author": "author", "source": "source"}[name]
            self.notice("no_such_value", f"no {label} matches {text!r}", field=name, value=text)
            return _NONE
        facts = " | ".join(f"={_FACT_PREFIX[name]}{value_id(name, v)}" for v in matches)
        return f"(@facts ({facts}))"

    def dates(self, node: DateRange) -> str:
        """Articles dated in the range: the facts of its years, months and days."""
        years = self.lexicon.years()
        if not years:
            return _NONE
        low, high = date(years[0], 1, 1), date(years[-1], 12, 31)
        try:
            first = low if node.start is None else max(low, _first_day(node.start))
            last = high if node.end is None else min(high, _last_day(node.end))
        except OverflowError:  # a bound at the ends of the calendar
            return _NONE
        tokens = date_tokens(first, last, years) if first <= last else []
        if not tokens:
            return _NONE
        return "(@facts (" + " | ".join(f"={t}" for t in tokens) + "))"
