"""The one place that defines the index fields and `SCHEMA_VERSION`."""

from __future__ import annotations

from whoosh import fields, formats

from .analysis import index_analyzer, vocab_analyzer

__all__ = ["FACET_FIELDS", "SCHEMA_VERSION", "TEXT_FIELDS", "make_schema"]

#: Bump on any change to the fields or the analysis chain: older indexes must be rebuilt.
SCHEMA_VERSION = 1

#: The stemmed text fields searched by default.
TEXT_FIELDS = ("title", "body")

#: Fields whose exact values are counted as facets and used as filters.
FACET_FIELDS = ("source", "tags", "year")


def make_schema() -> fields.Schema:
    """Build the schema.

    - `title`, `body`: the French stemmed chain with positions (phrases), stored for
      snippets and highlights.
    - `vocab`: the folded, unstemmed words of title and body (doc ids only): the real
      words behind spelling suggestions, fuzzy and prefix expansion.
    - `source`, `author`, `tags`, `year`: exact values, for facets and filters.
    - `date`: sortable, for ranges and sorting; `date_iso` keeps the original text.
    - `hash`: a content digest, so `update` re-indexes only changed articles.
    """
    return fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True),
        title=fields.TEXT(analyzer=index_analyzer(), stored=True),
        body=fields.TEXT(analyzer=index_analyzer(), stored=True),
        vocab=fields.FieldType(formats.Existence(), vocab_analyzer()),
        lead=fields.STORED(),
        date=fields.DATETIME(sortable=True),
        date_iso=fields.STORED(),
        year=fields.ID(),
        source=fields.ID(stored=True),
        author=fields.KEYWORD(stored=True, commas=True, scorable=False),
        tags=fields.KEYWORD(stored=True, commas=True, scorable=False),
        url=fields.STORED(),
        hash=fields.ID(sortable=True),
    )
