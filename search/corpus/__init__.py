"""Articles and the readers that stream them from corpus files (no engine type here)."""

from __future__ import annotations

from .article import (
    RECORD_SUFFIXES,
    TEXT_SUFFIXES,
    Article,
    CorpusReport,
    Problem,
    Record,
    article_from_record,
    clean_line,
    clean_text,
    content_hash,
    parse_date,
)
from .identity import DuplicateKeys, connected, duplicate_keys
from .readers import corpus_files, corpus_signature, iter_articles, parse_text_article, read_corpus, text_path

__all__ = [
    "RECORD_SUFFIXES",
    "TEXT_SUFFIXES",
    "Article",
    "CorpusReport",
    "DuplicateKeys",
    "Problem",
    "Record",
    "article_from_record",
    "clean_line",
    "clean_text",
    "connected",
    "content_hash",
    "corpus_files",
    "corpus_signature",
    "duplicate_keys",
    "iter_articles",
    "parse_date",
    "parse_text_article",
    "read_corpus",
    "text_path",
]
