"""The one place that defines the index fields and `SCHEMA_VERSION`."""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh import fields, formats
from whoosh.codec.whoosh3 import W3Codec

from . import whooshfix  # noqa: F401 - reads compound segment files in place
from .analysis import index_analyzer

__all__ = ["FACET_FIELDS", "SCHEMA_VERSION", "TEXT_FIELDS", "FrenchText", "Codec", "make_schema"]

#: Bump on any change to the fields or the analysis chain: older indexes must be rebuilt.
SCHEMA_VERSION = 3

_COUNT = struct.Struct(">I")  # whoosh's pack_uint


class ArrayPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's positions format, with positions stored as a plain array (whoosh pickles
    them: slower both ways), and our analyzer's fast path: one pass straight to term
    positions, without whoosh's token stream.

    Encoded value: the count (4 bytes, as whoosh expects), the array type code (1 byte),
    then the positions.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if not (isinstance(value, str) and hasattr(analyzer, "index_terms")):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        encode = self.encode
        for term, poslist in analyzer.index_terms(value).items():
            yield term, len(poslist), len(poslist) * fb, encode(poslist)

    def encode(self, poslist: list[int]) -> bytes:
        code = "H" if poslist[-1] < 65536 else "I"
        return _COUNT.pack(len(poslist)) + code.encode() + array(code, poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return self.decode_array(valuestring).tolist()

    def decode_array(self, valuestring: bytes) -> array[int]:
        """The positions as an array (what `search.docsets` caches)."""
        return array(chr(valuestring[4]), valuestring[5:])


class Codec(W3Codec):  # type: ignore[misc]
    """Whoosh's codec, without the per-block length statistics: they only serve
    whoosh's own scorer (this project ranks with `search.ranker`), and gathering them
    reads a length from disk for every posting written."""

    length_stats = False


class FrenchText(fields.TEXT):  # type: ignore[misc]
    """A stored French text field: the stemmed chain, positions as arrays."""

    def __init__(self) -> None:
        super().__init__(analyzer=index_analyzer(), stored=True)
        self.format = ArrayPositions(field_boost=1.0)

#: The stemmed text fields searched by default.
TEXT_FIELDS = ("title", "body")

#: Fields whose exact values are counted as facets and used as filters.
FACET_FIELDS = ("source", "tags", "year")


def make_schema() -> fields.Schema:
    """Build the schema.

    - `title`, `body`: the French stemmed chain with positions (phrases), stored for
      snippets and highlights. The real words behind spelling suggestions, fuzzy and
      prefix expansion are not here but in the index's vocabulary file (`search.vocab`).
    - `source`, `author`, `tags`, `year`: exact values, for facets and filters.
    - `date`: sortable, for ranges and sorting; `date_iso` keeps the original text.
    - `hash`: a content digest, so `update` re-indexes only changed articles.
    """
    schema = fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True),
        title=FrenchText(),
        body=FrenchText(),
        lead=fields.STORED(),
        date=fields.DATETIME(sortable=True),
        date_iso=fields.STORED(),
        year=fields.ID(),
        source=fields.ID(stored=True),
        author=fields.KEYWORD(stored=True, commas=True),
        tags=fields.KEYWORD(stored=True, commas=True),
        url=fields.STORED(),
        hash=fields.ID(sortable=True),
    )
    # Whoosh's writer asks every posting for its field length, and for a field without a
    # length column it looks for the missing column file on disk each time (one stat per
    # posting). A length byte per document is cheaper.
    for name in ("id", "year", "source", "author", "tags", "hash"):
        schema[name].scorable = True
    return schema
