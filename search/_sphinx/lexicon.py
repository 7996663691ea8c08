"""What the client keeps about a cluster index: its vocabulary and the exact field values."""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field

import orjson

from ..analysis import index_analyzer
from ..corpus import Article
from ..schema import TEXT_FIELDS
from ..vocabulary import Vocabulary, VocabularyBuilder
from ..words import ValueIndex
from .documents import value_id

__all__ = ["VALUE_FIELDS", "Lexicon", "LexiconBuilder"]

#: The fields whose exact values are filters and facets.
VALUE_FIELDS = ("source", "author", "tags", "year")


def _values(article: Article) -> dict[str, tuple[str, ...]]:
    return {
        "source": (article.source,) if article.source else (),
        "author": article.authors,
        "tags": article.tags,
        "year": (str(article.date.year),) if article.date is not None else (),
    }


@dataclass
class Lexicon:
    """The vocabulary (words, document frequencies, forms) and, by field, how many articles
    hold each exact value."""

    vocabulary: Vocabulary
    values: dict[str, dict[str, int]]
    _indexes: dict[str, ValueIndex] = field(default_factory=dict, repr=False)
    _by_id: dict[str, dict[int, str]] = field(default_factory=dict, repr=False)

    def value_index(self, name: str) -> ValueIndex:
        """The values of a field, matchable by folded words."""
        found = self._indexes.get(name)
        if found is None:
            found = self._indexes[name] = ValueIndex(sorted(self.values.get(name, {})))
        return found

    def value_of(self, name: str, number: int) -> str | None:
        """The value of a field that `documents.value_id` numbered `number`."""
        by_id = self._by_id.get(name)
        if by_id is None:
            by_id = self._by_id[name] = {value_id(name, v): v for v in self.values.get(name, {})}
        return by_id.get(number)

    def years(self) -> list[int]:
        """The years the articles are dated."""
        return sorted(int(y) for y in self.values.get("year", {}))

    def to_bytes(self) -> bytes:
        """The lexicon, compressed, for the meta table."""
        v = self.vocabulary
        return zlib.compress(orjson.dumps({
            "words": v.words, "df": v.df, "forms": v.forms, "values": self.values}), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Lexicon:
        """Read `to_bytes`.

        Raises:
            ValueError: the data is not a lexicon.
        """
        try:
            raw = orjson.loads(zlib.decompress(data))
            return cls(Vocabulary(raw["words"], raw["df"], raw["forms"]),
                       {k: dict(v) for k, v in raw["values"].items()})
        except (zlib.error, orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"not a lexicon ({type(err).__name__})") from err

    @classmethod
    def empty(cls) -> Lexicon:
        """The lexicon of an index with no article."""
        return cls(Vocabulary([], [], []), {name: {} for name in VALUE_FIELDS})


class LexiconBuilder:
    """Counts the words and values of the articles written (and uncounts those replaced)."""

    def __init__(self, base: Lexicon | None = None) -> None:
        self.analyzer = index_analyzer()
        self.words = VocabularyBuilder(base.vocabulary if base is not None else None)
        self.values = {name: Counter(base.values.get(name, {}) if base is not None else {})
                       for name in VALUE_FIELDS}

    def _words(self, article: Article) -> dict[str, str]:
        # the title's words first: a word's form is taken from the title first (then the lead)
        words: dict[str, str] = {}
        for name in TEXT_FIELDS:
            self.analyzer.words(getattr(article, name), words)
        return words

    def add(self, article: Article) -> None:
        """Count an article written."""
        self.words.add(self._words(article))
        for name, values in _values(article).items():
            self.values[name].update(set(values))

    def remove(self, article: Article) -> None:
        """Uncount an article replaced or removed."""
        self.words.remove(self._words(article))
        counts = self.values
        for name, values in _values(article).items():
            for value in set(values):
                counts[name][value] -= 1
                if counts[name][value] <= 0:
                    del counts[name][value]

    def build(self) -> Lexicon:
        """The lexicon counted."""
        return Lexicon(self.words.vocabulary(),
                       {name: dict(sorted(c.items())) for name, c in self.values.items()})
