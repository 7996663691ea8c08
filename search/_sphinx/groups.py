"""Groups of duplicates on a cluster, as the writer keeps them: what the keys connect, and
the rows an update must group again.

Articles with the same canonical URL or the same body (`search.corpus.duplicate_keys`) are
one article to a reader, and the groups are connected over both keys (a copy of A's page
with B's body joins A and B), as on the local engine. Each row holds its group in two
attributes: `grp`, the smallest id of the group's articles (its own id when alone), and
`dups`, how many they are (1: alone); searches group by `grp` (`search._sphinx.collapse`).

A rebuild writes every row alone and keeps each article's keys (`KeyLog`: 24 bytes an
article); at commit it finds the groups (a sort of each key) and sets `grp` and `dups` of
their rows: one UPDATE per group and copy of a shard holding some of it. An update looks up
the rows sharing a key with what it changes (the keys of its new articles, and of those it
replaces or deletes), then the rows sharing a key with those, until no new key (`lookup`:
the keys are words of the `facts` field, `u<url>` and `b<body>`, found by the engine's index);
those rows, less the ones it replaces or deletes, plus its new ones, are grouped again
(`regroup`), and the rows whose group changed are updated.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from ..corpus import connected
from .documents import KEY_FACTS, Group
from .nodes import quote
from .reads import Query, Site

__all__ = ["Found", "KeyLog", "components", "lookup", "regroup"]

#: Keys looked up in one statement, and rows read at once.
LOOKUP_KEYS = 200
LOOKUP_ROWS = 5000
#: A row found by `lookup`: its keys (url, body) and its group (grp, dups).
Found = tuple[int, int, int, int]


def components(ids: Sequence[int] | np.ndarray, urls: Sequence[int] | np.ndarray,
               bodies: Sequence[int] | np.ndarray) -> dict[int, Group]:
    """The group of each article that has copies: the articles connected by a shared key
    (a key of 0 or less is none), as (smallest id, count)."""
    ids = np.asarray(ids, dtype=np.int64)
    columns = []
    for column in (urls, bodies):
        keys = np.asarray(column, dtype=np.int64)
        held = keys > 0
        columns.append((ids[held], keys[held]))
    return {i: (min(group), len(group)) for group in connected(columns) for i in group}


class KeyLog:
    """The duplicate keys of the articles a rebuild writes, in order: the last entry of an
    id is the one kept (an id written twice), a deleted id's entry has no keys."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.urls = array("q")
        self.bodies = array("q")

    def add(self, key: int, keys: tuple[int, int]) -> None:
        """An article written, with its keys (`documents.dup_keys`)."""
        self.ids.append(key)
        self.urls.append(keys[0])
        self.bodies.append(keys[1])

    def delete(self, key: int) -> None:
        """An article deleted."""
        self.add(key, (-1, -1))

    def groups(self) -> dict[int, Group]:
        """The group of each article written that has copies."""
        if not self.ids:
            return {}
        ids, urls, bodies = (np.frombuffer(a, dtype=np.int64) for a in (self.ids, self.urls, self.bodies))
        _, first = np.unique(ids[::-1], return_index=True)
        last = len(ids) - 1 - first  # each id's last entry
        last = last[bodies[last] >= 0]
        return components(ids[last], urls[last], bodies[last])


def _facts(keys: Iterable[tuple[int, int]]) -> set[str]:
    return {f"{prefix}{key}" for pair in keys for prefix, key in zip(KEY_FACTS, pair, strict=True) if key > 0}


def _rows(table: str, facts: Sequence[str], after: int) -> list[Query]:
    match = "@facts (" + " | ".join(f"={fact}" for fact in facts) + ")"
    return [Query(f"SELECT id, dupurl, dupbody, grp, dups FROM {table} WHERE MATCH({quote(match)}) "
                  f"AND id > {after} ORDER BY id ASC LIMIT {LOOKUP_ROWS} "
                  f"OPTION max_matches={LOOKUP_ROWS}, ranker=none")]


def lookup(site: Site, gen: str, keys: Iterable[tuple[int, int]]) -> dict[int, Found]:
    """The rows of generation `gen` connected to these keys (url, body), directly or through
    other rows: by id, their keys and group."""
    found: dict[int, Found] = {}
    seen: set[str] = set()
    todo = _facts(keys)
    while todo:
        seen |= todo
        batch = sorted(todo)
        rows: list[tuple[Any, ...]] = []
        for at in range(0, len(batch), LOOKUP_KEYS):
            after = 0
            while True:
                page = site.read(gen, partial(_rows, facts=batch[at:at + LOOKUP_KEYS], after=after))[0].rows
                rows += page
                if len(page) < LOOKUP_ROWS:
                    break
                after = int(page[-1][0])
        new = {int(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
        found.update(new)
        todo = _facts((url, body) for url, body, _grp, _dups in new.values()) - seen
    return found


def regroup(found: Mapping[int, Found], written: Mapping[int, tuple[int, int]], removed: Iterable[int],
            ) -> tuple[dict[int, Group], dict[int, Group]]:
    """The groups after an update: of the rows it writes (`written`: id -> keys), and of the
    rows `lookup` found that it keeps but whose group changes.

    Args:
        found: the rows connected to every key the update adds or takes away.
        written: the rows the update writes, with their keys.
        removed: the ids it replaces or deletes.
    """
    gone = set(removed) | set(written)
    keys = {i: (url, body) for i, (url, body, _grp, _dups) in found.items() if i not in gone}
    keys.update(written)
    ids = list(keys)
    groups = components(ids, [keys[i][0] for i in ids], [keys[i][1] for i in ids])
    new = {i: groups.get(i, (i, 1)) for i in written}
    changed = {i: group for i in keys if i not in written
               and (group := groups.get(i, (i, 1))) != (found[i][2], found[i][3])}
    return new, changed
