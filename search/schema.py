"""What an index holds, whatever the engine: its version, its searched and faceted fields."""

from __future__ import annotations

__all__ = ["FACET_FIELDS", "FILTER_FIELDS", "SCHEMA_VERSION", "TEXT_FIELDS"]

#: Bump on any change to the fields, their format or the analysis chain: older indexes
#: must be rebuilt (opening one says so). 4: the whoosh classes moved to `search._whoosh`.
#: 5: the lead is a searched field; stop words without the news words (avions, pas…);
#: the keys that find duplicates. 6: those keys as 64-bit digests in columns.
SCHEMA_VERSION = 6

#: The stemmed text fields searched by default (the title's words come first in the
#: vocabulary: a word's written form is taken from the title first).
TEXT_FIELDS = ("title", "lead", "body")

#: Fields whose exact values are counted as facets.
FACET_FIELDS = ("source", "tags", "year")

#: Fields whose exact values filter a search (`Index.search(filters=...)`).
FILTER_FIELDS = ("source", "tags", "author", "year")
