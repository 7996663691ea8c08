"""Duplicate articles of one open reader: groups read from the `dupurl` and `dupbody`
columns (64-bit digests of `search.corpus.duplicate_keys`), and matches collapsed to one
article a group."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..backend import Match
from ..corpus import connected
from .postings import Mask, numeric_column

__all__ = ["KEY_COLUMNS", "DuplicateGroups", "key_digest"]

#: The columns holding the duplicate keys of each document (0: none).
KEY_COLUMNS = ("dupurl", "dupbody")


def key_digest(key: str) -> int:
    """A duplicate key as a 64-bit number for its column (0 means no key)."""
    if not key:
        return 0
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()) or 1


class DuplicateGroups:
    """Which documents are the same article: those sharing a canonical URL or a body,
    directly or through another (the groups are the connected ones)."""

    def __init__(self, size: int, groups: Iterable[list[int]]) -> None:
        self.group = np.full(max(size, 1), -1, dtype=np.int32)  # -1: a document alone
        self.members: list[tuple[int, ...]] = []
        for docs in groups:
            if len(docs) > 1:
                self.group[docs] = len(self.members)
                self.members.append(tuple(sorted(docs)))
        self.grouped = self.group >= 0
        #: the documents after the first (lowest number) of their group
        self.later = np.zeros(len(self.group), dtype=bool)
        for members in self.members:
            self.later[list(members[1:])] = True

    @classmethod
    def read(cls, reader: Any, live: np.ndarray) -> DuplicateGroups:
        """The groups of the live documents of a whoosh reader (`live`: its live mask)."""
        size = reader.doc_count_all()
        columns = []
        for name in KEY_COLUMNS:
            keys = np.zeros(size, dtype=np.uint64)
            for sub, offset in reader.leaf_readers():
                if name in sub.schema and sub.has_column(name):
                    keys[offset:offset + sub.doc_count_all()] = numeric_column(
                        sub.column_reader(name, translate=False), sub.doc_count_all())
            docs = np.flatnonzero((keys != 0) & live)
            columns.append((docs, keys[docs]))
        return cls(size, connected(columns))

    def once(self, docs: Mask) -> Mask:
        """`docs` with one document for each group of duplicates among them (its first, or
        the first of it that is in `docs`): what totals and facets count."""
        later = docs & self.later
        if not self.members or not later.any():
            return docs
        once = docs & ~self.later
        for d in np.flatnonzero(later).tolist():  # a group whose first is not in docs keeps one other
            first = self.members[int(self.group[d])][0]
            if not docs[first] and not once[list(self.members[int(self.group[d])])].any():
                once[d] = True
        return once

    def redundant(self, docs: Mask) -> int:
        """How many of `docs` are duplicates of another of them (not counted in a total)."""
        if not self.members:
            return 0
        groups = np.sort(self.group[docs & self.grouped])  # (not np.unique: it imports numpy.ma, 15 ms)
        return int(np.count_nonzero(groups[1:] == groups[:-1]))

    def collapse(self, ranked: Iterable[Match], matched: Mask, want: int) -> list[Match]:
        """The first `want` of `ranked`, one a group (the best ranked), each with the
        other matching articles of its group as its `duplicates`."""
        out: list[Match] = []
        seen: set[int] = set()
        for m in ranked:
            if len(out) == want:
                break
            g = int(self.group[m.key]) if self.members else -1  # type: ignore[call-overload]
            if g < 0:
                out.append(m)
                continue
            if g in seen:
                continue
            seen.add(g)
            others = tuple(d for d in self.members[g] if d != m.key and matched[d])
            out.append(Match(m.key, m.score, m.all_words, others))
        return out
