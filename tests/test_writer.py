"""The index writers: they write what whoosh's own writer writes, in one process or
several, with or without run files, and an update gives what a rebuild gives."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

import search._whoosh.parallel_writer
import search.analysis
from search import Index
from search._whoosh.fields import ArrayPositions, make_schema
from search._whoosh.segment_writer import FastSegmentWriter
from search._whoosh.transaction import Documents
from search.analysis import index_analyzer
from search.corpus import CorpusReport, content_hash, iter_articles
from search.vocabulary import VocabularyBuilder

from .conftest import NEWS, REPO

SAMPLE = REPO / "corpus"


def documents(source: Path) -> list[dict[str, Any]]:
    docs = Documents()
    return [docs(r.article, content_hash(r.article)) for r in iter_articles(source, CorpusReport())]


def dump(path: Path) -> dict[str, Any]:
    """Everything an index holds, by article id (document numbers and segments aside)."""
    ix = whoosh_index.open_dir(str(path))
    with ix.reader() as reader:
        ids = reader.column_reader("id")
        postings: dict[tuple[str, bytes], list[Any]] = {}
        for fieldname in reader.indexed_field_names():
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                found = []
                while matcher.is_active():
                    found.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                    matcher.next()
                if found:  # a term of deleted articles only stays in whoosh's lexicon
                    postings[(fieldname, term)] = sorted(found)
        stored = {ids[d]: fields for d, fields in reader.iter_docs()}
        lengths = {(ids[d], f): reader.doc_field_length(d, f)
                   for d in reader.all_doc_ids() for f in ("title", "body", "tags", "author")}
    vocab = path / "vocab.json"
    return {"postings": postings, "stored": stored, "lengths": lengths,
            "vocab": json.loads(vocab.read_text()) if vocab.exists() else None}


def build_with(tmp: Path, name: str, writer_of: Any, docs: list[dict[str, Any]]) -> Path:
    path = tmp / name
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema())
    writer = writer_of(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return path


def test_the_fast_writer_writes_what_whoosh_writes(tmp_path: Path) -> None:
    docs = documents(SAMPLE) + documents(NEWS)
    ours = dump(build_with(tmp_path, "ours", FastSegmentWriter, docs))
    theirs = dump(build_with(tmp_path, "whoosh", SegmentWriter, docs))
    assert len(ours["stored"]) == len(docs)
    assert len(ours["postings"]) > 3000
    assert ours == theirs


def test_a_small_memory_limit_writes_runs_and_merges_them(tmp_path: Path) -> None:
    docs = documents(SAMPLE)
    runs: list[int] = []

    def small(ix: Any) -> FastSegmentWriter:
        writer = FastSegmentWriter(ix)
        writer.pool.limit = 40_000  # bytes: a run every few articles
        flush = writer._flush_segment

        def counted() -> None:
            runs.append(len(writer.pool.runs))
            flush()
        writer._flush_segment = counted
        return writer

    spilled = build_with(tmp_path, "spilled", small, docs)
    assert runs and runs[0] >= 5
    assert not list(spilled.glob("*.tmp"))  # the runs are deleted
    assert dump(spilled) == dump(build_with(tmp_path, "memory", FastSegmentWriter, docs))


def test_helper_processes_write_the_index_one_process_writes(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # 235 articles in 118 batches: both helpers work
    monkeypatch.setattr(search._whoosh.parallel_writer, "_BATCH", 2)
    sample = [r.article for r in iter_articles(SAMPLE, CorpusReport())]
    articles = [replace(a, id=f"{a.id}-{k}") for k in range(5) for a in sample]
    Index.rebuild(articles, tmp_path / "one", procs=1).close()
    Index.rebuild(articles, tmp_path / "two", procs=2).close()
    segments = whoosh_index.open_dir(str(tmp_path / "two"))._segments()
    assert len(segments) == 2 and sum(s.doc_count() for s in segments) == len(articles) == 235
    assert sorted(p.name for p in (tmp_path / "two").iterdir() if not p.name.endswith(".seg")) == [
        "_MAIN_1.toc", "search-meta.json", "vocab.json"]
    assert dump(tmp_path / "two") == dump(tmp_path / "one")


def test_an_update_gives_the_index_a_rebuild_gives(tmp_path: Path) -> None:
    """Updates write a segment each; merged into one, they still hold what a rebuild holds."""
    lines = (SAMPLE / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines[:20]) + "\n", encoding="utf-8")
    Index.rebuild(corpus, tmp_path / "updated", procs=1).close()
    records = [json.loads(line) for line in lines[10:]]
    for round_ in range(3):
        records[0]["body"] += f" Le porte-parole de l'Élysée, {round_} fois."
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                          encoding="utf-8")
        Index.open(tmp_path / "updated").update(corpus)
    Index.rebuild(corpus, tmp_path / "rebuilt", procs=1).close()
    rebuilt = dump(tmp_path / "rebuilt")
    # the written form of a word stays when the article it was taken from goes
    del rebuilt["vocab"]["forms"]
    ix = whoosh_index.open_dir(str(tmp_path / "updated"))
    assert len(ix._segments()) == 4
    updated = dump(tmp_path / "updated")
    del updated["vocab"]["forms"]
    assert updated == rebuilt
    FastSegmentWriter(ix).commit(optimize=True)  # whoosh's merge: postings through `TermPool.add`
    assert len(whoosh_index.open_dir(str(tmp_path / "updated"))._segments()) == 1
    updated = dump(tmp_path / "updated")
    del updated["vocab"]["forms"]
    assert updated == rebuilt


def test_encode_many_gives_the_bytes_of_encode() -> None:
    fmt = ArrayPositions()
    rng = random.Random(5)
    for top in (300, 65535, 70000):
        lists = [sorted(rng.sample(range(top + 1), rng.randint(1, 6))) for _ in range(50)]
        lists.append([top])
        counts = np.array([len(p) for p in lists], np.int32)
        positions = np.array([x for p in lists for x in p], np.int32)
        assert fmt.encode_many(counts, positions) == [fmt.encode(p) for p in lists]
    assert fmt.encode_many(np.array([], np.int32), np.array([], np.int32)) == []


TRICKY = ("Le porte-parole de l’Élysée a parlé aujourd'hui, c'est-à-dire le week-end du "
          "7,5 %. L'I.A. et les jeux vidéo : porte-parole, porteparole ; Jean-Marc Ayrault "
          "est-il là ? Travaux, vœux, l'État, d’État.")


@pytest.mark.parametrize("text", [TRICKY, "", "le la les", "Porte-Parole porte-parole"])
def test_the_bulk_analysis_gives_the_terms_and_words_of_the_plain_one(text: str) -> None:
    plain, bulk = index_analyzer(), index_analyzer()
    terms, joined, tokens = bulk.index_sequence(text)
    again = bulk.index_sequence(text)  # from the caches this time
    assert again == (terms, joined, tokens)
    positions: dict[str, list[int]] = {}
    for at, term in enumerate(terms):
        positions.setdefault(term, []).append(at)
    for term, at in joined:
        positions.setdefault(term, []).append(at)
    assert {t: sorted(p) for t, p in positions.items()} == plain.index_terms(text)
    assert bulk.vocabulary_words(tokens) == plain.words(text)


def test_the_bulk_analysis_stays_right_when_its_cache_is_emptied(monkeypatch: pytest.MonkeyPatch,
                                                                   ) -> None:
    want, words = index_analyzer().index_sequence(TRICKY), index_analyzer().words(TRICKY)
    monkeypatch.setattr(search.analysis, "CACHE_TOKENS", 5)
    bulk = index_analyzer()
    assert bulk.index_sequence(TRICKY) == want  # the cache emptied several times meanwhile
    assert len(bulk._cache) <= 6 and len(bulk._seq) <= 6
    assert bulk.vocabulary_words(want[2]) == words  # most tokens no longer cached


def test_the_bulk_analysis_of_a_tricky_text() -> None:
    terms, joined, _ = index_analyzer().index_sequence("Le porte-parole de l’Élysée, aujourd'hui.")
    assert terms == ["port", "parol", "elyse", "aujourdhui"]
    assert joined == [("porteparol", 0)]


def test_counts_made_apart_merge_into_the_counts_made_in_order() -> None:
    texts = [{"eleve": "eleve"}, {"eleve": "élevé", "cafe": "café"}, {"eleve": "élève", "cafe": "cafe"}]
    in_order = VocabularyBuilder()
    for batch, words in enumerate(texts):
        in_order.batch = batch
        in_order.add(words)
    late, early = VocabularyBuilder(), VocabularyBuilder()
    late.batch = 2
    late.add(texts[2])
    for batch in (0, 1):
        early.batch = batch
        early.add(texts[batch])
    merged = VocabularyBuilder()
    for part in (late, early):  # the later batches first: the earlier forms still win
        merged.merge(part)
    assert merged.counts == in_order.counts == {"eleve": 3, "cafe": 2}
    assert merged.forms == in_order.forms == {"eleve": "élevé", "cafe": "café"}
