"""What an index holds, whatever the engine: its version, its searched and faceted fields."""

from __future__ import annotations

__all__ = ["FACET_FIELDS", "FILTER_FIELDS", "OPENING_CHARS", "SCHEMA_VERSION", "TEXT_FIELDS", "opening"]

#: Bump on any change to the fields, their format or the analysis chain: older indexes
#: must be rebuilt (opening one says so). 4: the whoosh classes moved to `search._whoosh`.
#: 5: the lead is a searched field; stop words without the news words (avions, pas…);
#: the keys that find duplicates.
SCHEMA_VERSION = 5

#: The stemmed text fields searched by default (the title's words come first in the
#: vocabulary: a word's written form is taken from the title first).
TEXT_FIELDS = ("title", "lead", "body")

#: The opening of a body, indexed again as the field "opening" (weighted by
#: `RankingConfig.opening_boost`): about this many characters, cut at a word's end.
OPENING_CHARS = 400


def opening(body: str) -> str:
    """The first `OPENING_CHARS` characters of a body, cut after the last whole word."""
    if len(body) <= OPENING_CHARS:
        return body
    cut = body.rfind(" ", 0, OPENING_CHARS + 1)
    return body[:cut if cut > 0 else OPENING_CHARS]


#: Fields whose exact values are counted as facets.
FACET_FIELDS = ("source", "tags", "year")

#: Fields whose exact values filter a search (`Index.search(filters=...)`).
FILTER_FIELDS = ("source", "tags", "author", "year")
