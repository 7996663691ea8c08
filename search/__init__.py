"""Search French news: `from search import Index`.

    ix = Index.rebuild("corpus/", "index/")
    res = ix.search("réforme des retraites", limit=10)
    for hit in res.hits:
        print(hit.title, hit.snippet)
"""

from .corpus import Article, CorpusReport, Problem
from .errors import (
    CorpusError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    QueryError,
    SearchError,
    UnknownArticleError,
)
from .indexer import IndexReport
from .matching import Ranking
from .results import FacetCount, Highlight, Hit, IndexStats, Notice, Results, mark
from .schema import SCHEMA_VERSION
from .searcher import Index

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "CorpusError",
    "CorpusReport",
    "FacetCount",
    "Highlight",
    "Hit",
    "Index",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStats",
    "IndexVersionError",
    "Notice",
    "Problem",
    "QueryError",
    "Ranking",
    "Results",
    "SearchError",
    "UnknownArticleError",
    "mark",
]

__version__ = "0.1.0"
