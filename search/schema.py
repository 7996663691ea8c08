"""The one place that defines the index fields and `SCHEMA_VERSION`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import fields, formats

from .analysis import index_analyzer

__all__ = ["FACET_FIELDS", "SCHEMA_VERSION", "TEXT_FIELDS", "AnalyzedText", "make_schema"]

#: Bump on any change to the fields or the analysis chain: older indexes must be rebuilt.
SCHEMA_VERSION = 2


class PreAnalyzedPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's positions format, also taking a text the indexer already analysed.

    The value is then a tuple of (term, [positions]) pairs: the indexer analyses each
    article once, in the process that reads the corpus, and the writer processes only
    store postings. Plain strings still go through the field's analyzer.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(value, tuple):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        encode = self.encode
        for term, poslist in value:
            yield term, len(poslist), len(poslist) * fb, encode(poslist)


class AnalyzedText(fields.TEXT):  # type: ignore[misc]
    """A stemmed French text field with positions, stored, fed pre-analysed values."""

    def __init__(self) -> None:
        super().__init__(analyzer=index_analyzer(), stored=True)
        self.format = PreAnalyzedPositions(field_boost=1.0)

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
        title=AnalyzedText(),
        body=AnalyzedText(),
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
