"""Search French news: `from search import Index`.

    ix = Index.rebuild("corpus/", "index/")
    res = ix.search("réforme des retraites", limit=10)
    for hit in res.hits:
        print(hit.title, hit.snippet)
"""

from .clock import CancelToken
from .corpus import Article, CorpusReport, Problem
from .errors import (
    ClusterError,
    ClusterUnavailableError,
    CorpusError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    IndexWriteError,
    IngestError,
    NotAnIndexError,
    QueryError,
    SearchCancelledError,
    SearchError,
    UnknownArticleError,
)
from .index import Index
from .indexer import IndexReport
from .ranking import Ranking, RankingConfig
from .results import FacetCount, Highlight, Hit, IndexStats, Notice, Results, mark
from .schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "CancelToken",
    "ClusterError",
    "ClusterUnavailableError",
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
    "IndexWriteError",
    "IngestError",
    "NotAnIndexError",
    "Notice",
    "Problem",
    "QueryError",
    "Ranking",
    "RankingConfig",
    "Results",
    "SearchCancelledError",
    "SearchError",
    "UnknownArticleError",
    "mark",
]

__version__ = "0.1.0"
