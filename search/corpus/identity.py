"""What makes two articles the same one for a reader: the keys that find duplicates."""

from __future__ import annotations

import hashlib

from .article import Article
from .urls import canonical_url

__all__ = ["DuplicateKeys", "duplicate_keys"]

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
