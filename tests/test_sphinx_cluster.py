"""The cluster backend on a 2-node Sphinx cluster, at the protocol level: write, search, update."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pytest

from search import Index
from search.backend import Matches, MatchRequest, WriteResult
from search.clock import Clock
from search.corpus import Article, content_hash, iter_articles
from search.errors import IndexLockedError, IndexNotFoundError, IndexVersionError, IndexWriteError
from search.query_syntax import parse
from search.vocabulary import Vocabulary

from .conftest import NEWS, engine_or_skip, run_cli

ARTICLES = [r.article for r in iter_articles(NEWS)]


def write(backend: Any, articles: Iterable[Article], action: str = "rebuild",
          signature: object = None, deleted: Iterable[str] = ()) -> WriteResult:
    notes: list[str] = []
    with backend.writer(action, lock_timeout=5, notes=notes) as writer:
        for article in articles:
            writer.add(article, content_hash(article))
        for article_id in deleted:
            writer.delete(article_id)
        result: WriteResult = writer.commit(signature)
    return result


@pytest.fixture(scope="module")
def backend(sphinx_cluster: Any) -> Iterator[Any]:
    """The sample news written to the cluster."""
    from search._sphinx import SphinxBackend

    backend = SphinxBackend(sphinx_cluster.url)
    with pytest.raises(IndexNotFoundError, match="search rebuild --index sphinx://"):
        with backend.snapshot():
            pass
    assert not backend.exists()
    assert write(backend, ARTICLES).articles == len(ARTICLES)
    yield backend
    backend.close()


def match(backend: Any, q: str, **options: Any) -> Matches:
    with backend.snapshot() as snapshot:
        return snapshot.match(MatchRequest(q, parse(q).root, **{"want": 50, **options}),  # type: ignore[no-any-return]
                              Clock(None))


def ids(backend: Any, found: Matches) -> list[str]:
    with backend.snapshot() as snapshot:
        return [s.article.id for s in snapshot.articles([m.key for m in found.ranked])]


def test_the_terms_to_highlight_are_the_project_analysis(backend: Any) -> None:
    assert match(backend, "Électricité chevaux électri*").terms == {"electricit", "cheval"}
    assert match(backend, "retraites -grève").terms == {"retrait"}
    assert match(backend, "date:2023").terms == frozenset() and match(backend, "date:2023").sort == "-date"


def test_relaxed_when_too_few_articles_hold_every_word(backend: Any) -> None:
    found = match(backend, "retraites cheval")
    assert [n.code for n in found.notices] == ["relaxed"] and found.notices[0].params == {"exact": 0}
    assert set(ids(backend, found)) == {"retraites-1", "retraites-2", "cheval"}
    assert not any(m.all_words for m in found.ranked)
    both = match(backend, "retraites gouvernement")
    assert both.ranked[0].all_words and ids(backend, both)[0] == "retraites-1"


def test_scores_survive_the_ram_chunks_written_to_disk(backend: Any) -> None:
    before = match(backend, "retraite OR prix OR chevaux")
    site = backend.site
    with backend.snapshot() as snapshot:
        gen = snapshot.state.gen
    for shard, copies in enumerate(site.topology.shards):  # as searchd does past rt_mem_limit
        for node in copies:
            with site.pool.session(node) as session:
                session.execute(f"FLUSH RAMCHUNK {site.tables.shard(gen, shard)}")
    after = match(backend, "retraite OR prix OR chevaux")
    assert {m.key for m in after.ranked} == {m.key for m in before.ranked} and len(after.ranked) == 4
    assert all(m.score > 0 for m in before.ranked + after.ranked)  # bm25f(), then the engine's bm25


def test_articles_come_back_as_written(backend: Any) -> None:
    with backend.snapshot() as snapshot:
        keys = [snapshot.key_of(a.id) for a in ARTICLES]
        stored = snapshot.articles(list(reversed(keys)) + [12345])
        assert snapshot.key_of("no-such-id") is None
    assert [s.article for s in stored] == list(reversed(ARTICLES))


def test_facets_count_every_match_as_the_local_engine(backend: Any, news_index: Index) -> None:
    for q in ("retraite", "date:>=2019", "retraites cheval"):
        assert match(backend, q).facets == news_index.search(q).facets
    assert match(backend, "retraite", facets=False).facets == {}


def test_sort_and_paging(backend: Any, news_index: Index) -> None:
    for sort in ("date", "-date"):
        assert ids(backend, match(backend, "-retraites", sort=sort)) == [
            h.id for h in news_index.search("-retraites", sort=sort, limit=50).hits]
    assert match(backend, "date:>=2019").sort == "-date"
    full = ids(backend, match(backend, "-retraites", sort="date"))
    assert ids(backend, match(backend, "-retraites", sort="date", want=4)) == full[:4]
    far = match(backend, "-retraites", want=5000)
    assert [n.code for n in far.notices] == ["page_capped"] and far.total == 10


def test_filters_and_dates(backend: Any, news_index: Index) -> None:
    options: list[dict[str, Any]] = [
        {"filters": {"source": ("le courrier du matin",)}},
        {"filters": {"tags": ("economie", "societe")}},
        {"filters": {"author": ("Marc Lefèvre",), "year": ("2023",)}},
        {"date_from": datetime(2023, 1, 1), "date_to": datetime(2023, 12, 31, 23, 59)},
    ]
    for option in options:
        local = news_index.search("", limit=50, **option)
        assert set(ids(backend, match(backend, "", **option))) == {h.id for h in local.hits} != set()
    found = match(backend, "retraite", filters={"source": ("Nulle Part",)})
    assert found.total == 0 and [n.code for n in found.notices] == ["no_such_value"]


def test_similar_and_stats(backend: Any, news_index: Index, tmp_path: Any) -> None:
    with backend.snapshot() as snapshot:
        key = snapshot.key_of("retraites-1")
        similar = snapshot.similar(key, 3, Clock(None))
        stats = snapshot.stats()
        vocabulary = snapshot.vocabulary()
    assert ids(backend, similar)[0] == "retraites-2" and key not in {m.key for m in similar.ranked}
    assert "retrait" in similar.terms
    local = news_index.stats()
    assert (stats.articles, stats.oldest, stats.newest, stats.sources) == (
        local.articles, local.oldest, local.newest, local.sources)
    assert stats.size_bytes > 0 and stats.segments == 2
    assert vocabulary.words == Vocabulary.load(news_index.path).words


def test_update_changes_the_index_in_place(backend: Any) -> None:
    with backend.writer("update", lock_timeout=5, notes=[]) as writer:
        indexed = dict(writer.indexed())
        assert indexed == {a.id: content_hash(a) for a in ARTICLES}
        assert not writer.unchanged(["corpus", 1])
    changed = Article(id="cheval", title="Deauville : les poneys vendus", body="Des poneys.")
    new = Article(id="nouveau", title="Tempête sur la Bretagne", body="Vents violents.",
                  date=datetime(2025, 1, 5), source="Ouest Matin", tags=("météo",))
    try:
        result = write(backend, [changed, new], "update", ["corpus", 1], deleted=["jeux"])
        assert result.articles == len(ARTICLES)
        assert ids(backend, match(backend, "poneys tempête")) and not match(backend, "chevaux").total
        assert not match(backend, "jeux").total
        assert match(backend, "source:ouest date:2025").total == 1
        with backend.snapshot() as snapshot:
            assert snapshot.vocabulary().doc_frequency("poneys") == 1
            assert snapshot.vocabulary().doc_frequency("chevaux") == 0
        with backend.writer("update", lock_timeout=5, notes=[]) as writer:
            assert writer.unchanged(["corpus", 1])
    finally:
        write(backend, ARTICLES)
    assert match(backend, "chevaux").total == 1 and not match(backend, "poneys").total


def test_an_index_of_an_older_schema_asks_for_a_rebuild(backend: Any) -> None:
    from search._sphinx.meta import SCHEMA, write_state

    with backend.snapshot() as snapshot:
        state = snapshot.state
    site = backend.site
    with site.sessions(site.topology.nodes) as sessions:  # as an older version left it
        write_state(sessions, site.tables, dataclasses.replace(state, schema=SCHEMA - 1))
    try:
        rebuild = f"built by an older version (schema {SCHEMA - 1}, this is {SCHEMA}): " \
                  f"run `search rebuild --index {site.url}`"
        with pytest.raises(IndexVersionError) as info:
            Index.open(site.url)
        assert str(info.value).endswith(rebuild)
        with pytest.raises(IndexVersionError):
            write(backend, ARTICLES[:1], "update")
        code, out, err = run_cli("query", "retraites", "--index", site.url)
        assert code != 0 and out == "" and err.count("\n") == 1 and rebuild in err
    finally:
        write(backend, ARTICLES)  # a rebuild writes this version
    assert match(backend, "retraites").total == 2


def test_one_writer_at_a_time_and_a_failed_rebuild_changes_nothing(backend: Any) -> None:
    with backend.writer("rebuild", lock_timeout=5, notes=[]):
        with pytest.raises(IndexLockedError, match="pid"):
            with backend.writer("update", lock_timeout=0.3, notes=[]):
                pass
    with pytest.raises(RuntimeError, match="stop"):
        with backend.writer("rebuild", lock_timeout=5, notes=[]) as writer:
            writer.add(Article(id="x", title="Intrus", body="intrus"), "h")
            writer.commit(None)  # committed: now searched
            raise RuntimeError("stop")
    assert match(backend, "intrus").total == 1
    with pytest.raises(RuntimeError, match="stop"):
        with backend.writer("rebuild", lock_timeout=5, notes=[]) as writer:
            for article in ARTICLES:
                writer.add(article, content_hash(article))
            raise RuntimeError("stop")  # before commit: the previous index stays
    assert match(backend, "intrus").total == 1 and not match(backend, "retraites").total
    write(backend, ARTICLES)
    assert not match(backend, "intrus").total and match(backend, "retraites").total == 2


def test_an_id_written_twice_in_a_rebuild_is_the_last_one(backend: Any, monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    from search._sphinx import documents, writer

    again = Article(id="cheval", title="Deauville : les poneys vendus", body="Des poneys.")
    try:
        assert write(backend, [*ARTICLES, again]).articles == len(ARTICLES)
        assert not match(backend, "chevaux").total and match(backend, "poneys").total == 1
        with backend.snapshot() as snapshot:
            assert snapshot.vocabulary().doc_frequency("chevaux") == 0
            assert snapshot.vocabulary().doc_frequency("poneys") == 1
        for module in (writer, documents):  # two ids, one hash
            monkeypatch.setattr(module, "doc_id", lambda article_id: 42)
        with pytest.raises(IndexWriteError, match="same hash"):
            write(backend, ARTICLES[:2])
    finally:
        monkeypatch.undo()
        write(backend, ARTICLES)


def test_the_lexicon_is_stored_in_pieces(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from search._sphinx import meta

    with backend.snapshot() as snapshot:
        words = snapshot.vocabulary().words
    monkeypatch.setattr(meta, "PIECE_BYTES", 500)
    write(backend, ARTICLES)
    with backend.snapshot() as snapshot:
        assert snapshot.state.lexicon_pieces > 3 and snapshot.vocabulary().words == words


def test_a_large_article_is_stored_whole(backend: Any) -> None:
    body = ("Un très long texte d’archive, avec des accents. " * 120_000)[:6_000_000]
    big = Article(id="grand", title="Archive", body=body)
    try:
        write(backend, [*ARTICLES, big])
        with backend.snapshot() as snapshot:
            assert snapshot.articles([snapshot.key_of("grand")])[0].article == big
    finally:
        write(backend, ARTICLES)


def test_cluster_start_and_stop_commands(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    engine_or_skip()
    from search._sphinx.cluster import LocalCluster
    from search.cli import main
    from search.cli.cluster import main as cluster_main  # python -m search.cli.cluster

    assert main(["cluster", "start", "--local", "1", "--dir", str(tmp_path)]) == 0
    cluster = LocalCluster.read(tmp_path)
    assert cluster is not None and capsys.readouterr().out.strip() == cluster.url
    (node,) = cluster.topology.nodes
    pid = cluster.pid(node)
    assert pid is not None and node.host == "127.0.0.1"
    assert cluster_main(["start", "--local", "1", "--dir", str(tmp_path)]) == 0  # running: the same node
    assert cluster.pid(node) == pid
    assert main(["cluster", "stop", "--dir", str(tmp_path)]) == 0
    assert cluster.pid(node) is None and f"stopped node {node}" in capsys.readouterr().err

