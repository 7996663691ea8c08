"""Duplicate articles of one open reader: groups read from the `dupurl` and `dupbody`
columns (`search.corpus.duplicate_keys`), and matches collapsed to one article a group."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import numpy as np

from ..backend import Match

__all__ = ["DuplicateGroups"]

#: The columns holding the duplicate keys of each document.
KEY_COLUMNS = ("dupurl", "dupbody")


class DuplicateGroups:
    """Which documents are the same article: those sharing a canonical URL or a body,
    directly or through another (the groups are the connected ones)."""

    def __init__(self, size: int, groups: Iterable[Collection[int]]) -> None:
        self.group = np.full(max(size, 1), -1, dtype=np.int32)  # -1: a document alone
        self.members: list[tuple[int, ...]] = []
        for docs in groups:
            if len(docs) > 1:
                self.group[list(docs)] = len(self.members)
                self.members.append(tuple(sorted(docs)))
        #: every document that has a duplicate, to its group
        self.of: dict[int, int] = {d: g for g, m in enumerate(self.members) for d in m}
        self.docs: frozenset[int] = frozenset(self.of)
        #: the documents after the first (lowest number) of their group, to that first
        self.first_of: dict[int, int] = {d: m[0] for m in self.members for d in m[1:]}
        self._later: frozenset[int] = frozenset(self.first_of)

    @classmethod
    def read(cls, reader: Any) -> DuplicateGroups:
        """The groups of the live documents of a whoosh reader."""
        by_key: dict[str, list[int]] = {}
        for sub, offset in reader.leaf_readers():
            deleted = sub.has_deletions()
            for name in KEY_COLUMNS:
                if name not in sub.schema or not sub.has_column(name):
                    continue
                for i, value in enumerate(sub.column_reader(name)):
                    if value and not (deleted and sub.is_deleted(i)):
                        by_key.setdefault(name[3] + value, []).append(offset + i)
        parent: dict[int, int] = {}

        def root(d: int) -> int:
            while parent[d] != d:
                d = parent[d]
            return d

        for docs in by_key.values():
            if len(docs) > 1:
                for d in docs:
                    parent.setdefault(d, d)
                first = root(docs[0])
                for d in docs[1:]:
                    top = root(d)
                    if top != first:
                        parent[top] = first
        groups: dict[int, list[int]] = {}
        for d in parent:
            groups.setdefault(root(d), []).append(d)
        return cls(reader.doc_count_all(), groups.values())

    def once(self, docs: set[int]) -> set[int]:
        """`docs` with one document for each group of duplicates among them (its first, or
        the first of it that is in `docs`): what totals and facets count."""
        later = self._later.intersection(docs) if self._later else None
        if not later:
            return docs
        once = docs - later
        back: dict[int, int] = {}
        for d in sorted(later):  # a group whose first is not in docs keeps one of the others
            first = self.first_of[d]
            if first not in docs:
                back.setdefault(first, d)
        once.update(back.values())
        return once

    def redundant(self, docs: Collection[int]) -> int:
        """How many of `docs` are duplicates of another of them (not counted in a total)."""
        if not self.members:
            return 0
        of = self.of
        dupped = self.docs.intersection(docs) if len(docs) > len(of) else [d for d in docs if d in of]
        return len(dupped) - len(set(map(of.__getitem__, dupped)))

    def collapse(self, ranked: Iterable[Match], matched: Collection[int], want: int) -> list[Match]:
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
            others = tuple(d for d in self.members[g] if d != m.key and d in matched)
            out.append(Match(m.key, m.score, m.all_words, others))
        return out
