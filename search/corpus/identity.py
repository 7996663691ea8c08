"""What makes two articles the same one for a reader: the keys that find duplicates."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from .article import Article
from .urls import canonical_url

__all__ = ["DuplicateKeys", "connected", "duplicate_keys"]

#: An article's duplicate keys: its canonical URL ("" without one), and a digest of its
#: body with case and spacing ignored.
DuplicateKeys = tuple[str, str]


def duplicate_keys(article: Article) -> DuplicateKeys:
    """The keys that make two articles duplicates: the same canonical URL (the same page
    filed under two rubriques), or the same body once case and spacing are ignored (an
    agency dispatch published twice). Cheap: computed for every article indexed."""
    url = canonical_url(article.url) if article.url else ""
    words = " ".join(article.body.casefold().split())
    body = hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
    return url, body


def connected(columns: Iterable[tuple[Sequence[int] | Any, Sequence[int] | Any]]) -> list[list[int]]:
    """The groups of items connected by a shared key, directly or through other items
    (the groups of duplicates, whatever engine holds the keys): each column is the items
    that hold a key in it and their keys, side by side. Groups of two or more."""
    import numpy as np  # the engines group; `import search` stays light

    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = i = parent[parent[i]]
        return i

    for items, keys in columns:
        order = np.argsort(np.asarray(keys), kind="stable")
        items, keys = np.asarray(items)[order], np.asarray(keys)[order]
        same = np.flatnonzero(keys[1:] == keys[:-1])  # item i+1 repeats item i's key
        for a, b in zip(items[same].tolist(), items[same + 1].tolist(), strict=True):
            parent.setdefault(a, a)
            parent.setdefault(b, b)
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in parent:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())
