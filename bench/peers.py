"""Peer search systems (Whoosh, tantivy, SQLite FTS5, bm25s), each fairly configured for French.

Every peer indexes the same documents and answers the same free-text queries. Free text is first
reduced to its words by `query_words`, so that characters a peer's query language would read as
syntax (``?`` is a Whoosh wildcard, ``Japon:`` a field prefix, ``-`` a negation in tantivy, upper
case ``OR`` an operator) are neutral for every peer alike.

The registry of systems by name is `bench.systems`. Peers that also take part in the speed
benchmark implement, besides `bench.common.System`: ``build(corpus, workdir)`` (full article
records: title, body, date, source, tags), ``open(workdir)``, ``translate(mix_query)`` to their
own query syntax (``None`` when the kind is not supported) and ``run(native_query, k)`` returning
hits with snippets/highlights computed, as a user would see them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import Doc, PeerUnavailable, Record, query_words, read_jsonl, require
from bench.querymix import MixQuery, lucene_syntax, month_bounds


def doc_records(docs: Iterable[Doc]) -> Iterator[Record]:
    """Turn (id, title, body) triples into article records."""
    for doc_id, title, body in docs:
        yield {"id": doc_id, "title": title, "body": body}


def record_date(record: Record) -> datetime | None:
    """The record's local date and time (time zone dropped), or None."""
    value = record.get("date")
    return datetime.fromisoformat(value[:19]) if value else None


class _RecordIndexer:
    """`index` and `build` for a peer that indexes article records with `_add_all`."""

    def _add_all(self, records: Iterable[Record], workdir: Path) -> None:
        raise NotImplementedError

    def open(self, workdir: Path) -> None:
        raise NotImplementedError

    def index(self, docs: list[Doc], workdir: Path) -> None:
        """Index (id, title, body) documents and open them for searching."""
        self._add_all(doc_records(docs), workdir)
        self.open(workdir)

    def build(self, corpus: Path, workdir: Path) -> None:
        """Index every article record of a corpus file."""
        self._add_all(read_jsonl(corpus), workdir)


class PlainWhoosh(_RecordIndexer):
    """Whoosh as most people use it: LanguageAnalyzer("fr") plus accent folding, BM25F default.

    The parser joins terms with OR: AND over a whole question rarely matches any document (the
    ``plain-whoosh-and`` variant keeps Whoosh's default AND to show it). The writer is the default
    single-process ``ix.writer()``, as a typical user writes it, unless ``writer`` names options
    (``procs=2, limitmb=256``: ``plain-whoosh-procs2``).
    """

    def __init__(
        self, *, conjunctive: bool = False, writer: dict[str, int] | None = None, name: str | None = None
    ) -> None:
        self.name = name or ("plain-whoosh-and" if conjunctive else "plain-whoosh")
        self._conjunctive = conjunctive
        self._writer_options = writer or {}
        self._w = require("whoosh")
        self._ix: Any = None
        self._searcher: Any = None
        self._parser: Any = None

    def _schema(self) -> Any:
        from whoosh.analysis import CharsetFilter, LanguageAnalyzer
        from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
        from whoosh.support.charset import accent_map

        # LanguageAnalyzer returns a CompositeAnalyzer; `|` appends a filter to its chain.
        analyzer = LanguageAnalyzer("fr") | CharsetFilter(accent_map)
        return Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(analyzer=analyzer, stored=True),
            body=TEXT(analyzer=analyzer, stored=True),
            date=DATETIME(stored=True),
            source=ID(stored=True),
            tags=KEYWORD(stored=True, commas=True, lowercase=True),
        )

    @staticmethod
    def _fields(record: Record) -> dict[str, Any]:
        fields = {"id": record["id"], "title": record.get("title") or "", "body": record["body"]}
        if date := record_date(record):
            fields["date"] = date
        if record.get("source"):
            fields["source"] = record["source"]
        if record.get("tags"):
            fields["tags"] = ",".join(record["tags"])
        return fields

    def _add_all(self, records: Iterable[Record], workdir: Path) -> None:
        from whoosh import index

        workdir.mkdir(parents=True, exist_ok=True)
        writer = index.create_in(str(workdir), self._schema()).writer(**self._writer_options)
        for record in records:
            writer.add_document(**self._fields(record))
        writer.commit()

    def open(self, workdir: Path) -> None:
        """Open an existing index and a searcher on it."""
        from whoosh import index
        from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser, OrGroup

        self._ix = index.open_dir(str(workdir))
        self._searcher = self._ix.searcher()
        group = AndGroup if self._conjunctive else OrGroup
        self._parser = MultifieldParser(["title", "body"], self._ix.schema, group=group)
        self._parser.add_plugin(FuzzyTermPlugin())

    def update(self, corpus: Path, changed: list[Record]) -> dict[str, Any]:
        """Apply changed and new records with ``update_document`` (the caller knows which)."""
        writer = self._ix.writer()
        for record in changed:
            writer.update_document(**self._fields(record))
        writer.commit()
        self._searcher = self._searcher.refresh()
        return {"updated": len(changed)}

    def search(self, query: str, k: int) -> list[str]:
        """Return up to ``k`` ids for a free-text query."""
        parsed = self._parser.parse(" ".join(query_words(query)))
        return [hit["id"] for hit in self._searcher.search(parsed, limit=k)]

    def translate(self, q: MixQuery) -> str | None:
        """The Whoosh query syntax for a mix query."""
        if q.kind == "date" and q.month:
            first, last = (d.replace("-", "") for d in month_bounds(q.month))
            return f"{q.terms[0]} AND date:[{first} to {last}]"
        return lucene_syntax(q, field="title", fuzzy="~")

    def run(self, native: str, k: int) -> int:
        """Search, then build the body highlights of every hit, as a result page would."""
        results = self._searcher.search(self._parser.parse(native), limit=k)
        for hit in results:
            hit.highlights("body")
        return results.scored_length()  # len(results) would be the total number of matches

    def close(self) -> None:
        """Close the searcher."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


class Tantivy(_RecordIndexer):
    """tantivy-py: simple tokenizer, lower case, French stop words, ASCII folding, French stemmer.

    Queries are parsed with OR as the default over title and body (tantivy's own default). The
    writer is ``ix.writer()`` (128 MB heap, threads chosen by tantivy) unless ``writer`` names
    options (``heap_size``, ``num_threads``).
    """

    def __init__(self, *, writer: dict[str, int] | None = None, name: str = "tantivy") -> None:
        self.name = name
        self._writer_options = writer or {}
        self._t = require("tantivy")
        self._ix: Any = None
        self._searcher: Any = None

    def _analyzer(self) -> Any:
        t = self._t
        return (
            t.TextAnalyzerBuilder(t.Tokenizer.simple())
            .filter(t.Filter.remove_long(40))
            .filter(t.Filter.lowercase())
            .filter(t.Filter.stopword("french"))
            .filter(t.Filter.ascii_fold())
            .filter(t.Filter.stemmer("french"))
            .build()
        )

    def _schema(self) -> Any:
        sb = self._t.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="fr")
        sb.add_text_field("body", stored=True, tokenizer_name="fr")
        sb.add_date_field("date", stored=True, indexed=True, fast=True)
        sb.add_text_field("source", stored=True, tokenizer_name="raw")
        sb.add_text_field("tags", stored=True, tokenizer_name="raw")
        return sb.build()

    def _add_all(self, records: Iterable[Record], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        ix = self._t.Index(self._schema(), path=str(workdir), reuse=False)
        ix.register_tokenizer("fr", self._analyzer())
        writer = ix.writer(**self._writer_options)
        for record in records:
            doc = self._t.Document(
                id=record["id"], title=record.get("title") or "", body=record["body"]
            )
            if date := record_date(record):
                doc.add_date("date", date)
            if record.get("source"):
                doc.add_text("source", record["source"])
            for tag in record.get("tags") or ():
                doc.add_text("tags", tag)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()

    def open(self, workdir: Path) -> None:
        """Open an existing index (tokenizers are not persisted: register it again)."""
        self._ix = self._t.Index.open(str(workdir))
        self._ix.register_tokenizer("fr", self._analyzer())
        self._searcher = self._ix.searcher()

    def _parse(self, text: str, **options: Any) -> Any:
        return self._ix.parse_query(text, ["title", "body"], **options)

    def search(self, query: str, k: int) -> list[str]:
        """Return up to ``k`` ids for a free-text query."""
        text = " ".join(query_words(query))
        if not text:
            return []
        hits = self._searcher.search(self._parse(text), k).hits
        return [self._searcher.doc(address)["id"][0] for _, address in hits]

    def translate(self, q: MixQuery) -> Any:
        """A tantivy Query object for a mix query."""
        t = self._t
        word = q.terms[0]
        if q.kind == "prefix":
            # tantivy's parser only knows phrase prefixes ("a b"*): build the term prefix query.
            pattern = re.escape(_fold(word)) + ".*"
            subs = [
                (t.Occur.Should, t.Query.regex_query(self._ix.schema, f, pattern))
                for f in ("title", "body")
            ]
            return t.Query.boolean_query(subs)
        if q.kind == "fuzzy":
            fuzzy = {f: (False, 1, True) for f in ("title", "body")}
            return self._parse(word, fuzzy_fields=fuzzy)
        if q.kind == "date" and q.month:
            first, last = month_bounds(q.month)
            return self._parse(f"{word} AND date:[{first}T00:00:00Z TO {last}T23:59:59Z]")
        return self._parse(lucene_syntax(q, field="title", fuzzy=""))

    def run(self, native: Any, k: int) -> int:
        """Search, then build a body snippet for every hit."""
        hits = self._searcher.search(native, k).hits
        snippets = self._t.SnippetGenerator.create(self._searcher, native, self._ix.schema, "body")
        for _, address in hits:
            snippets.snippet_from_doc(self._searcher.doc(address)).to_html()
        return len(hits)

    def close(self) -> None:
        """Drop the searcher and index handles."""
        self._searcher = self._ix = None


def _fold(word: str) -> str:
    from unidecode import unidecode

    return unidecode(word.lower())


class SqliteFts5(_RecordIndexer):
    """SQLite FTS5, ``unicode61 remove_diacritics 2`` (no stemmer, no stop list), ranked by bm25().

    Free text becomes an OR of quoted, lower-cased tokens.
    """

    name = "sqlite-fts5"
    _DDL = (
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tags, date UNINDEXED,"
        " source UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
    )

    def __init__(self) -> None:
        try:
            sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlite3.OperationalError as err:
            raise PeerUnavailable(f"this sqlite3 has no FTS5 ({err})") from err
        self._db: sqlite3.Connection | None = None

    def _add_all(self, records: Iterable[Record], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(workdir / "fts.db")
        rows = (
            (
                r["id"],
                r.get("title") or "",
                r["body"],
                " ".join(r.get("tags") or ()),
                (r.get("date") or "")[:19],
                r.get("source") or "",
            )
            for r in records
        )
        with db:
            db.execute(self._DDL)
            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        db.close()

    def open(self, workdir: Path) -> None:
        """Open the database."""
        self._db = sqlite3.connect(workdir / "fts.db")

    def _select(self, match: str, k: int, month: str | None = None, snippet: bool = False) -> list:
        assert self._db is not None, "open() first"
        cols = "id, snippet(docs, 2, '<b>', '</b>', '…', 12)" if snippet else "id"
        sql, args = f"SELECT {cols} FROM docs WHERE docs MATCH ?", [match]
        if month:
            first, last = month_bounds(month)
            sql += " AND date >= ? AND date <= ?"
            args += [first, last + "T23:59:59"]
        return self._db.execute(sql + " ORDER BY bm25(docs) LIMIT ?", [*args, k]).fetchall()

    def search(self, query: str, k: int) -> list[str]:
        """Return up to ``k`` ids for a free-text query."""
        words = query_words(query)
        return [row[0] for row in self._select(_or_quoted(words), k)] if words else []

    def translate(self, q: MixQuery) -> tuple[str, str | None] | None:
        """An FTS5 MATCH expression (and month filter) for a mix query; no fuzzy matching."""
        word = _quote(q.terms[0])
        if q.kind == "fuzzy":
            return None
        if q.kind == "phrase":
            return _quote(" ".join(q.terms)), None
        if q.kind == "prefix":
            return word + "*", None
        if q.kind == "field":
            return "title : " + word, None
        if q.kind == "long":
            return _or_quoted(query_words(q.terms[0])), None
        return _or_quoted(q.terms), q.month

    def run(self, native: tuple[str, str | None], k: int) -> int:
        """Search with a body snippet per hit."""
        return len(self._select(native[0], k, native[1], snippet=True))

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _or_quoted(words: Iterable[str]) -> str:
    return " OR ".join(_quote(w) for w in words)


class Bm25s:
    """bm25s (Lucene BM25 variant): unidecode folding, French stop words, PyStemmer French stemmer.

    Title and body are concatenated. Relevance only: it has no query syntax nor snippets.
    """

    name = "bm25s"

    def __init__(self) -> None:
        self._bm25s = require("bm25s")
        self._stemmer = require("Stemmer").Stemmer("french")
        self._fold = require("unidecode").unidecode
        stops = require("bm25s.stopwords").STOPWORDS_FRENCH
        # Text is folded before tokenizing, so the stop words must be folded too ("à" -> "a").
        self._stops = sorted({self._fold(w) for w in stops})
        self._retriever: Any = None
        self._ids: list[str] = []

    def _tokenize(self, texts: list[str], **options: Any) -> Any:
        return self._bm25s.tokenize(
            [self._fold(t) for t in texts],
            stopwords=self._stops,
            stemmer=self._stemmer.stemWords,
            show_progress=False,
            **options,
        )

    def index(self, docs: list[Doc], workdir: Path) -> None:
        """Index (id, title, body) documents in memory."""
        self._ids = [d[0] for d in docs]
        self._retriever = self._bm25s.BM25()
        tokens = self._tokenize([f"{title}\n{body}" for _, title, body in docs])
        self._retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[str]:
        """Return up to ``k`` ids for a free-text query (documents with a positive score only)."""
        tokens = self._tokenize([query], return_ids=False)
        if not tokens[0]:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._retriever.retrieve(tokens, k=k, show_progress=False)
        return [self._ids[d] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def close(self) -> None:
        """Drop the in-memory index."""
        self._retriever = None
