"""Writing a whoosh index: a rebuild in a temporary folder swapped in at commit, or an update
in place; the vocabulary and the metadata kept in step with the segments."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..analysis import index_analyzer
from ..backend import WriteResult
from ..corpus import Article, duplicate_keys
from ..errors import IndexWriteError
from ..schema import SCHEMA_VERSION, TEXT_FIELDS
from ..storage import (
    check_index,
    dir_size,
    new_build_id,
    now_iso,
    swap_in,
    temp_dir,
    write_meta,
)
from ..vocabulary import Vocabulary, VocabularyBuilder
from .duplicates import key_digest
from .fields import make_schema
from .parallel_writer import ParallelWriter
from .reads import create_whoosh, open_whoosh
from .segment_writer import FastSegmentWriter

__all__ = ["Documents", "RebuildWriter", "UpdateWriter"]


def _naive(when: datetime) -> datetime:
    # dates are kept as written (local time of the article): filters by day mean that day
    return when.replace(tzinfo=None)


class Documents:
    """Turn articles into whoosh documents.

    The writer analyses title, lead and body and counts their vocabulary words (in its own
    processes when there are several); `words` gives the words of a stored article again,
    to uncount them when it is replaced or removed.
    """

    def __init__(self) -> None:
        self.analyzer = index_analyzer()

    def words(self, stored: Mapping[str, Any]) -> dict[str, str]:
        """The vocabulary words of a stored article's title, lead and body (word -> form)."""
        words: dict[str, str] = {}
        for name in TEXT_FIELDS:
            self.analyzer.words(stored.get(name, ""), words)
        return words

    def __call__(self, article: Article, digest: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": article.id,
            "title": article.title,
            "body": article.body,
            "hash": digest,
        }
        url, body = duplicate_keys(article)
        doc["dupbody"] = key_digest(body)
        if url:
            doc["dupurl"] = key_digest(url)
        if article.lead:
            doc["lead"] = article.lead
        if article.url:
            doc["url"] = article.url
        if article.date is not None:
            doc["date"] = _naive(article.date)
            doc["date_iso"] = article.date.isoformat()
            doc["year"] = str(article.date.year)
        if article.source:
            doc["source"] = article.source
        if article.author:
            doc["author"] = ",".join(article.authors)
            doc["_stored_author"] = article.author
        if article.tags:
            doc["tags"] = ",".join(article.tags)
            doc["_stored_tags"] = list(article.tags)
        return doc


class RebuildWriter:
    """A new index written in a temporary folder beside `path`, swapped in at `commit`.

    If anything stops the build before (an error, Ctrl-C, a kill), the previous index
    stays as it was and `cancel` removes the temporary folder.
    """

    def __init__(self, path: Path, *, procs: int = 1, limitmb: int = 128) -> None:
        self.path = path
        self.tmp = temp_dir(path)
        self.vocabulary = VocabularyBuilder()
        self.documents = Documents()
        self.ix = create_whoosh(self.tmp, make_schema())
        self.writer: FastSegmentWriter | ParallelWriter = (
            ParallelWriter(self.ix, self.tmp, self.vocabulary, procs=procs, limitmb=limitmb)
            if procs > 1 else FastSegmentWriter(self.ix, vocabulary=self.vocabulary, limitmb=limitmb))
        self.last: dict[str, str] = {}  # id -> hash of its last version
        self.repeated: set[str] = set()  # ids written more than once
        self.committed = False

    def indexed(self) -> Mapping[str, str]:
        return {}

    def unchanged(self, signature: object) -> WriteResult | None:
        return None

    def add(self, article: Article, digest: str) -> None:
        if article.id in self.last:
            self.repeated.add(article.id)
        self.last[article.id] = digest
        self.writer.add_document(**self.documents(article, digest))

    def delete(self, article_id: str) -> None:
        raise ValueError("a rebuild writes a new index: there is nothing to delete")

    def commit(self, signature: object) -> WriteResult:
        self.writer.commit()
        if self.repeated:
            self._drop_superseded()
        self.vocabulary.save(self.tmp)
        written = self.ix.doc_count()
        if written != len(self.last):  # whoosh drops the work of a helper that died
            raise IndexWriteError(self.path, f"only {written:,} of {len(self.last):,} "
                                  "articles were written: an indexing process died")
        write_meta(self.tmp, {
            "schema_version": SCHEMA_VERSION,
            "build_id": new_build_id(),
            "built_at": now_iso(),
            "updated_at": now_iso(),
            "signature": signature,
            "generation": self.ix.latest_generation(),
            "articles": len(self.last),
        })
        size = dir_size(self.tmp)
        swap_in(self.tmp, self.path)
        self.committed = True
        return WriteResult(len(self.last), size)

    def _drop_superseded(self) -> None:
        """Keep only the last version of each id written twice (the one with its last hash),
        and uncount the words of the versions dropped."""
        with self.ix.searcher() as searcher:
            hashes = searcher.reader().column_reader("hash")
            doomed: list[int] = []
            for art_id in self.repeated:
                kept = False
                for docnum in searcher.document_numbers(id=art_id):
                    if not kept and hashes[docnum] == self.last[art_id]:
                        kept = True
                    else:
                        doomed.append(docnum)
            dropped = [searcher.stored_fields(d) for d in doomed]
        writer = FastSegmentWriter(self.ix)
        for docnum in doomed:
            writer.delete_document(docnum)
        writer.commit()
        for stored in dropped:
            self.vocabulary.remove(self.documents.words(stored))

    def cancel(self) -> None:
        _cancel(self.writer)
        shutil.rmtree(self.tmp, ignore_errors=True)


class UpdateWriter:
    """Changes to the index at `path`, written in place at `commit` (whoosh writes new
    segments and a new table of contents: readers see the old index until then)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta = check_index(path)
        self.ix = open_whoosh(path)
        self.documents = Documents()
        self._indexed: dict[str, str] | None = None
        self._writer: FastSegmentWriter | None = None
        self._vocabulary: VocabularyBuilder | None = None
        self.committed = False
        if self.meta.get("generation") != self.ix.latest_generation():
            self._recount_vocabulary()  # the last writer died between its commit and its metadata

    def indexed(self) -> Mapping[str, str]:
        if self._indexed is None:
            with self.ix.searcher() as searcher:
                reader = searcher.reader()
                ids = reader.column_reader("id")
                hashes = reader.column_reader("hash")
                self._indexed = {ids[n]: hashes[n] for n in reader.all_doc_ids()}
        return self._indexed

    def unchanged(self, signature: object) -> WriteResult | None:
        if (signature is not None and signature == self.meta.get("signature")
                and self.meta.get("generation") == self.ix.latest_generation()):
            return WriteResult(int(self.ix.doc_count()), dir_size(self.path))
        return None

    def _started(self) -> FastSegmentWriter:
        if self._writer is None:
            self._vocabulary = VocabularyBuilder(Vocabulary.load(self.path))
            self._writer = FastSegmentWriter(self.ix, vocabulary=self._vocabulary, limitmb=128)
        return self._writer

    def _uncount(self, ids: Iterable[str]) -> None:
        """Uncount the words of the stored articles with these ids (replaced or removed)."""
        assert self._vocabulary is not None
        with self.ix.searcher() as searcher:
            for art_id in ids:
                docnum = searcher.document_number(id=art_id)
                if docnum is not None:
                    self._vocabulary.remove(self.documents.words(searcher.stored_fields(docnum)))

    def add(self, article: Article, digest: str) -> None:
        writer = self._started()
        if article.id in self.indexed():
            self._uncount([article.id])
            writer.delete_by_term("id", article.id)
        writer.add_document(**self.documents(article, digest))

    def delete(self, article_id: str) -> None:
        writer = self._started()
        self._uncount([article_id])
        writer.delete_by_term("id", article_id)

    def commit(self, signature: object) -> WriteResult:
        if self._writer is not None:
            assert self._vocabulary is not None
            self._writer.commit()
            self._vocabulary.save(self.path)
        count = int(self.ix.doc_count())
        self.meta.update({
            "updated_at": now_iso(),
            "signature": signature,
            "generation": self.ix.latest_generation(),
            "articles": count,
        })
        write_meta(self.path, self.meta)
        self.committed = True
        return WriteResult(count, dir_size(self.path))

    def cancel(self) -> None:
        if self._writer is not None:
            _cancel(self._writer)

    def _recount_vocabulary(self) -> None:
        """Count the vocabulary again from the stored articles."""
        vocabulary = VocabularyBuilder()
        with self.ix.searcher() as searcher:
            for _docnum, stored in searcher.reader().iter_docs():
                vocabulary.add(self.documents.words(stored))
        vocabulary.save(self.path)


def _cancel(writer: Any) -> None:
    try:
        writer.cancel()  # the parallel writer's helpers would wait for work forever
    except Exception:  # noqa: BLE001 - the original error matters, not this one
        pass
