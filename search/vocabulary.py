"""The vocabulary: every real (unstemmed, folded) word of an index, with its document
frequency and the form it is written in — for prefix and fuzzy expansion and spelling."""

from __future__ import annotations

import operator
import os
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson

from .clock import Clock
from .errors import IndexCorruptError

__all__ = ["VOCAB_NAME", "Vocabulary", "VocabularyBuilder"]

VOCAB_NAME = "vocab.json"


class Vocabulary:
    """A sorted word list with document frequencies and written forms."""

    def __init__(self, words: Sequence[str], df: Sequence[int], forms: Sequence[str]) -> None:
        # tuples: the garbage collector skips tuples of strings and numbers, and it would
        # otherwise walk these hundreds of thousands of items at each full collection
        self.words = tuple(words)
        self.df = tuple(df)
        self.forms = tuple(forms)  # "" where the form is the word itself

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def load(cls, index: Path) -> Vocabulary:
        """Read the vocabulary of an index (empty if the file is missing)."""
        try:
            data = orjson.loads((index / VOCAB_NAME).read_bytes())
        except FileNotFoundError:
            return cls([], [], [])
        except (OSError, orjson.JSONDecodeError) as err:
            raise IndexCorruptError(index, f"{VOCAB_NAME} is unreadable") from err
        try:
            vocab = cls(data["words"], data["df"], data["forms"])
        except (KeyError, TypeError) as err:
            raise IndexCorruptError(index, f"{VOCAB_NAME} is not a vocabulary") from err
        if not len(vocab.words) == len(vocab.df) == len(vocab.forms):
            raise IndexCorruptError(index, f"{VOCAB_NAME} is not a vocabulary")
        return vocab

    def doc_frequency(self, word: str) -> int:
        """How many articles hold `word` (0 if none)."""
        i = bisect_left(self.words, word)
        if i < len(self.words) and self.words[i] == word:
            return self.df[i]
        return 0

    def form(self, word: str) -> str:
        """The word as it is written in the articles (accents), lower case."""
        i = bisect_left(self.words, word)
        if i < len(self.words) and self.words[i] == word:
            return self.forms[i] or word
        return word

    def with_prefix(self, prefix: str) -> list[tuple[str, int]]:
        """All (word, df) starting with `prefix`."""
        start = bisect_left(self.words, prefix)
        end = bisect_left(self.words, prefix + "\uffff", start)
        return list(zip(self.words[start:end], self.df[start:end], strict=True))

    def within(self, word: str, maxdist: int, prefix: int = 1,
               clock: Clock | None = None) -> list[tuple[str, int]]:
        """All (word, df) within `maxdist` edits of `word`, sharing its first `prefix`
        letters (a Levenshtein automaton walked over the sorted list; `clock` is checked
        at each step of the walk)."""
        if not word or not self.words:
            return []
        from whoosh.automata import lev  # whoosh is only imported once an engine is opened
        from whoosh.automata.fsa import find_all_matches

        dfa = lev.levenshtein_automaton(word, maxdist, prefix=min(prefix, len(word))).to_dfa()
        words = self.words

        def lookup(key: str) -> str | None:
            if clock is not None:
                clock.check()
            i = bisect_left(words, key)
            return words[i] if i < len(words) else None

        return [(w, self.doc_frequency(w)) for w in find_all_matches(dfa, lookup)]


class VocabularyBuilder:
    """Counts words per article while indexing; writes the vocabulary file."""

    def __init__(self, base: Vocabulary | None = None) -> None:
        self.counts: dict[str, int] = {}
        self.forms: dict[str, str] = {}
        # Where each form was first seen: the number of the batch of articles being
        # counted (`batch`), so that counts made apart (one per indexing process, each
        # over some of the batches) merge into the forms that one count in order gives.
        self.batch = 0
        self.form_batch: dict[str, int] = {}
        if base is not None:
            self.counts = dict(zip(base.words, base.df, strict=True))
            self.forms = {w: f for w, f in zip(base.words, base.forms, strict=True) if f}

    def add(self, words: Mapping[str, str]) -> None:
        """Count one article's words (word -> form): the first form written with accents
        (or otherwise not as the folded word) is kept."""
        counts, forms = self.counts, self.forms
        # counts[word] += 1 for each word, in C
        counts.update(zip(words, map(operator.add, map(counts.get, words, repeat(0)), repeat(1)),
                          strict=True))
        for word, form in words.items():
            if form != word and word not in forms:
                forms[word] = form
                self.form_batch[word] = self.batch

    def merge(self, other: VocabularyBuilder) -> None:
        """Add the counts of `other`, made over other batches; of two forms of a word, the
        one seen in the earlier batch is kept."""
        counts, forms, form_batch = self.counts, self.forms, self.form_batch
        for word, count in other.counts.items():
            counts[word] = counts.get(word, 0) + count
        for word, form in other.forms.items():
            seen = other.form_batch.get(word, 0)
            if word not in forms or seen < form_batch.get(word, 0):
                forms[word] = form
                form_batch[word] = seen

    def save_part(self, path: Path) -> None:
        """Write the counts for a later `merge` (from another process)."""
        path.write_bytes(orjson.dumps([self.counts, self.forms, self.form_batch]))

    @classmethod
    def load_part(cls, path: Path) -> VocabularyBuilder:
        """Read counts written by `save_part`."""
        part = cls()
        part.counts, part.forms, part.form_batch = orjson.loads(path.read_bytes())
        return part

    def remove(self, words: Iterable[str]) -> None:
        """Uncount one removed article's words."""
        counts = self.counts
        for word in words:
            left = counts.get(word, 0) - 1
            if left > 0:
                counts[word] = left
            else:
                counts.pop(word, None)
                self.forms.pop(word, None)
                self.form_batch.pop(word, None)

    def vocabulary(self) -> Vocabulary:
        """The vocabulary counted so far."""
        words = sorted(self.counts)
        return Vocabulary(words, [self.counts[w] for w in words], [self.forms.get(w, "") for w in words])

    def save(self, index: Path) -> None:
        """Write `vocab.json` into the index directory atomically."""
        vocab = self.vocabulary()
        data: dict[str, Any] = {"words": vocab.words, "df": vocab.df, "forms": vocab.forms}
        tmp = index / (VOCAB_NAME + ".tmp")
        tmp.write_bytes(orjson.dumps(data))
        os.replace(tmp, index / VOCAB_NAME)
