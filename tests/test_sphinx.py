"""The cluster backend without an engine: addresses, layout, rows, translation, configs."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pymysql", reason="the cluster backend needs pymysql (pip install -e '.[cluster]')")

from search._sphinx import layout  # noqa: E402
from search._sphinx.backend import check_analysis, check_columns  # noqa: E402
from search._sphinx.cluster import node_config, write_configs  # noqa: E402
from search._sphinx.documents import (  # noqa: E402
    COLUMNS,
    article_from,
    date_tokens,
    doc_id,
    dup_keys,
    fold_text,
    row_sql,
    stored_pieces,
    value_id,
)
from search._sphinx.groups import KeyLog, components, regroup  # noqa: E402
from search._sphinx.layout import Router, Tables, Topology, failed_agents  # noqa: E402
from search._sphinx.lexicon import Lexicon, LexiconBuilder  # noqa: E402
from search._sphinx.nodes import Location, Node, quote  # noqa: E402
from search._sphinx.statements import field_weights, ranked_sql  # noqa: E402
from search._sphinx.translate import Translator  # noqa: E402
from search.clock import Clock  # noqa: E402
from search.corpus import Article, duplicate_keys  # noqa: E402
from search.errors import ClusterError  # noqa: E402
from search.query_syntax import parse  # noqa: E402
from search.ranking import RankingConfig as Ranking  # noqa: E402
from search.vocabulary import Vocabulary  # noqa: E402

from .conftest import engine_or_skip  # noqa: E402

N1, N2, N3 = Node("127.0.0.1", 9306), Node("127.0.0.1", 9406), Node("10.0.0.3", 9306)


def test_a_missing_engine_skips_the_cluster_tests_but_fails_them_in_ci(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="apt-get install sphinxsearch"):
        engine_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        engine_or_skip()


class _Keywords:
    """A session answering CALL KEYWORDS as an engine set up with `analysis`."""

    def __init__(self, analysis: dict[str, str | None]) -> None:
        self.analysis = analysis

    def execute(self, sql: str) -> list[tuple[Any, ...]]:
        words = sql.split("'")[1].split()
        return [(str(i), w, self.analysis.get(w, w)) for i, w in enumerate(words, 1)
                if self.analysis.get(w, w) is not None]


def test_the_engine_analysis_is_checked_against_the_project() -> None:
    from search.french import IRREGULAR_PLURALS, STOP_WORDS, stem_word

    right: dict[str, str | None] = {w: None for w in STOP_WORDS}
    right |= {w: stem_word(w) for w in [*IRREGULAR_PLURALS, "electricite", "gouvernement", "retraites",
                                         "chevaux"]}
    check_analysis(_Keywords(right), "t", "x")  # type: ignore[arg-type]
    for word, wrong in (("les", "les"), ("travaux", "travau"), ("chevaux", "chevaux")):
        with pytest.raises(ClusterError, match=f"analyses '{word}' as '{wrong}'.*search cluster config"):
            check_analysis(_Keywords(right | {word: wrong}), "t", "x")  # type: ignore[arg-type]


class _Describe:
    """A session whose DESCRIBE lists these columns."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns

    def execute(self, sql: str) -> list[tuple[str, str]]:
        assert sql == "DESCRIBE t"
        return [(name, "field") for name in self.columns]


def test_the_tables_columns_are_checked_against_this_version() -> None:
    check_columns(_Describe(list(COLUMNS)), "t", "x")  # type: ignore[arg-type]
    older = [c for c in COLUMNS if c != "lead"]  # schema 2's config
    with pytest.raises(ClusterError, match="t has no column lead .*delete.*search cluster config.*rebuild"):
        check_columns(_Describe(older), "t", "x")  # type: ignore[arg-type]


def test_field_weights_are_whole_numbers_with_k1_scaled_alike() -> None:
    assert field_weights(Ranking()) == ({"title": 4, "lead": 3, "body": 2}, 2)
    sql = ranked_sql("t", "x", [], "relevance", 10, Ranking())
    assert "bm25f(2.4,0,{title=4,lead=3,body=2,facts=0})" in sql  # the same scores as 2, 1.5, 1 and 1.2
    assert field_weights(Ranking(title_boost=3, lead_boost=1)) == ({"title": 3, "lead": 1, "body": 1}, 1)
    assert field_weights(Ranking(title_boost=2.2, lead_boost=1.5)) == (
        {"title": 22, "lead": 15, "body": 10}, 10)
    assert field_weights(Ranking(title_boost=2.25, lead_boost=1.3)) == (
        {"title": 225, "lead": 130, "body": 100}, 100)


def test_addresses() -> None:
    where = Location.parse("sphinx://127.0.0.1:9306/articles")
    assert (where.scheme, where.node, where.table) == ("sphinx", N1, "articles")
    assert str(Location.parse("manticore://db:9306/news_fr/")) == "manticore://db:9306/news_fr"
    assert N1.api_port == 9312 and Node.parse(" 10.0.0.3:9306 ") == N3
    for bad in ("sphinx://h/articles", "http://h:9306/a", "sphinx://h:9306/1a", "sphinx://h:0/a",
                "sphinx://h:9306/a-b"):
        with pytest.raises(ClusterError, match="not a cluster address"):
            Location.parse(bad)
    with pytest.raises(ValueError):
        Node.parse("h:65533")  # its agent port would be past 65535


def test_topology_plan_spreads_copies_over_nodes() -> None:
    t = Topology.plan([N1, N2, N3], 3, 2)
    assert t.shards == ((N1, N2), (N2, N3), (N3, N1))
    assert t.nodes == (N1, N2, N3) and t.copies == 2 and t.held_by(N2) == [0, 1]
    assert t.pinned(0) == (N1, N2, N3) and t.pinned(1) == (N2, N3, N1)
    assert [t.shard_of(i) for i in range(4)] == [0, 1, 2, 0]
    with pytest.raises(ValueError, match="3 replicas need at least 3 nodes"):
        Topology.plan([N1, N2], 2, 3)
    with pytest.raises(ValueError, match="twice"):
        Topology.plan([N1, N1], 2, 1)


def test_topology_is_read_from_describe() -> None:
    rows = [("127.0.0.1:9312:articles_a_s0", "remote_1"),
            ("127.0.0.1:9312:articles_a_s1", "remote_2_mirror_1"),
            ("127.0.0.1:9412:articles_a_s1", "remote_2_mirror_2")]
    t = Topology.described(rows, Tables("articles"), "a", "sphinx://x:1/articles")
    assert t.shards == ((N1,), (N1, N2))
    with pytest.raises(ClusterError, match="search cluster config"):
        Topology.described([("127.0.0.1:9312:other", "remote_1")], Tables("articles"), "a", "x")


def test_router_avoids_a_failed_node_then_trusts_the_engine_again(monkeypatch: pytest.MonkeyPatch) -> None:
    t = Topology(((N1,), (N1, N2)))
    router = Router(t, Tables("articles"), "sphinx://x:1/articles")
    assert router.table("a") == "articles_a"
    warning = "index articles_a: agent 127.0.0.1:9412: connect() failed: errno=111"
    assert failed_agents([warning]) == {("127.0.0.1", 9412)}
    router.mark_down(failed_agents([warning]))
    assert router.table("b") == "articles_b_r0"  # copy 0 of each shard: all on N1
    monkeypatch.setattr(layout.time, "monotonic", lambda: 1e12)  # DOWN_SECONDS later
    assert router.table("a") == "articles_a"
    router.mark_down({("127.0.0.1", 9312)})  # the only copy of shard 0: no table avoids it
    assert router.table("a") == "articles_a"


def test_rows_keep_the_original_text_and_fold_the_indexed_text() -> None:
    article = Article(id="x'1", title="L’Œuvre « juste »", body="Porte-parole\nd'EDF : 7,5 %\\n 🙂",
                      date=datetime.fromisoformat("2024-03-15T08:30:00+01:00"), source="Le Monde",
                      author="A. B, C D", url="https://e.fr/x", tags=("économie", "société"), lead="Lead")
    assert fold_text(article.title) == "oeuvre juste"
    assert fold_text(article.body) == "porte parole edf 7.5 n porteparole"
    row = row_sql(article, "abc")
    assert row.startswith(f"({doc_id(article.id)}, 'oeuvre juste', 'lead', ")
    url, body = dup_keys(article)
    assert url == value_id("dupurl", "https://e.fr/x")
    assert body == value_id("dupbody", duplicate_keys(article)[1])
    assert f"'xall u{url} b{body} y2024 m202403 d20240315 s{value_id('source', 'Le Monde')} " in row
    assert f"), {url}, {body}, {doc_id(article.id)}, 1, '" in row  # alone: its own group
    assert f"), {url}, {body}, 42, 3, '" in row_sql(article, "abc", (42, 3))  # in a group of three
    assert quote("it's \\ \n") == "'it\\'s \\\\ \\n'"
    pieces = stored_pieces(article)
    assert quote(pieces[0]) in row and pieces[1:] == ["", "", ""]
    assert article_from("x'1", pieces) == article
    assert 0 < doc_id("a") < 2**62 and doc_id("a") != doc_id("b")
    with pytest.raises(ValueError, match="larger than the 16 MB"):
        row_sql(Article(id="big", title="t", body="é" * 9_000_000), "d")


def test_groups_of_duplicates_are_connected_over_both_keys() -> None:
    # 5 and 9 share a page, 9 and 3 a body; 7 shares nothing (0: no page); 4 and 8 a body
    ids, urls, bodies = [5, 9, 3, 7, 4, 8], [11, 11, 0, 0, 12, 13], [21, 22, 22, 23, 24, 24]
    assert components(ids, urls, bodies) == {5: (3, 3), 9: (3, 3), 3: (3, 3), 4: (4, 2), 8: (4, 2)}
    log = KeyLog()
    for i, u, b in zip(ids, urls, bodies, strict=True):
        log.add(i, (u, b))
    log.delete(3)  # the bridge between 5 and 9 goes
    log.add(8, (0, 25))  # 8 written again, with another body
    log.add(6, (11, 26))  # a new copy of 5's page
    assert log.groups() == {5: (5, 3), 9: (5, 3), 6: (5, 3)}
    assert KeyLog().groups() == {}


def test_an_update_groups_again_what_its_keys_reach() -> None:
    found = {5: (11, 21, 3, 3), 9: (11, 22, 3, 3), 3: (0, 22, 3, 3)}  # (url, body, grp, dups)
    # 3 deleted, 9 rewritten with another page and body, 10 added with 5's body
    written, moved = regroup(found, {9: (14, 27), 10: (0, 21)}, [3])
    assert written == {9: (9, 1), 10: (5, 2)} and moved == {5: (5, 2)}
    assert regroup(found, {}, []) == ({}, {})  # nothing changes


def test_date_facts_cover_a_range_with_years_months_and_days() -> None:
    assert date_tokens(date(2023, 12, 30), date(2024, 3, 2), [2023, 2024]) == [
        "d20231230", "d20231231", "m202401", "m202402", "d20240301", "d20240302"]
    assert date_tokens(date(2020, 1, 1), date(2024, 12, 31), [2021, 2024]) == ["y2021", "y2024"]


def _lexicon() -> Lexicon:
    builder = LexiconBuilder()
    builder.add(Article(id="1", title="Électricité", body="électrique électricien gouvernement",
                        date=datetime(2023, 5, 1), source="Le Courrier du Matin", tags=("économie",)))
    builder.add(Article(id="2", title="Réforme", body="gouvernements", date=datetime(2024, 1, 2),
                        source="AFP", author="Claire Dubois, Marc Lefèvre"))
    return builder.build()


def translate(q: str, lexicon: Lexicon | None = None) -> tuple[str | None, str | None, list[str]]:
    tr = Translator(lexicon or _lexicon(), Ranking(), question=False, clock=Clock(None)).run(parse(q).root)
    return tr.strict, tr.relaxed, sorted(tr.terms)


def test_translation_of_each_part_of_the_query_language() -> None:
    s = value_id("source", "Le Courrier du Matin")
    assert translate("réforme des retraites") == (
        "((@(title,lead,body) reforme) (@(title,lead,body) retraites))",
        "(((@(title,lead,body) reforme) | (@(title,lead,body) retraites)))", ["reform", "retrait"])
    assert translate("grève OR manifestation -SNCF")[0] == (  # OR binds less than the implicit AND
        "(((@(title,lead,body) greve) | ((@(title,lead,body) manifestation) -(@(title,lead,body) sncf))))")
    assert translate("-grève")[0] == "((@facts =xall) -(@(title,lead,body) greve))"
    assert translate("retraite OR NOT grève")[0] == (
        "(((@(title,lead,body) retraite) | ((@facts =xall) -(@(title,lead,body) greve))))")
    assert translate('"prix électricité"~3 titre:"bouclier tarifaire"')[0] == (
        '((@(title,lead,body) prix NEAR/4 electricite) (@title "bouclier tarifaire"))')
    assert translate("électri*") == ("((@(title,lead,body) (electricien | electricite | electrique)))",
                                     None, ["electr", "electricien", "electricit"])
    assert translate("gouvernemant~")[0] == "((@(title,lead,body) (gouvernemant | gouvernement)))"
    assert translate("macron^2 +retraite")[0] == (
        "((@(title,lead,body) macron^2) (@(title,lead,body) retraite))")
    assert translate("Saint-Étienne l'avion")[0] == (
        "((@(title,lead,body) saintetienne) (@(title,lead,body) avion))")
    assert translate("source:courrier date:2023")[0] == f"((@facts (=s{s})) (@facts (=y2023)))"
    assert translate("date:[2023-04-30 TO 2024-01]")[0] == "((@facts (=d20230430 | =m202305 | "\
        "=m202306 | =m202307 | =m202308 | =m202309 | =m202310 | =m202311 | =m202312 | =m202401)))"
    assert translate("source:Inconnu")[0] == "((@facts =xnone))"
    assert translate("les des") == (None, None, [])
    assert translate("chapo:électricité lead:réforme titre:x corps:grève")[0] == (
        "((@lead electricite) (@lead reforme) (@title x) (@body greve))")


def test_configs_declare_the_tables_of_each_node(tmp_path: Path) -> None:
    t = Topology(((N1,), (N1, N2)))
    paths = write_configs(t, tmp_path / "c", "news")
    assert [p.name for p in paths] == ["node-127.0.0.1-9306.conf", "node-127.0.0.1-9406.conf"]
    first, second = (p.read_text() for p in paths)
    assert "index news_a_s0\n" in first and "index news_a_s0\n" not in second
    assert "index news_b_s1\n" in second and "index news_meta\n" in second
    assert "agent = 127.0.0.1:9312:news_a_s1|127.0.0.1:9412:news_a_s1\n" in second
    assert "index news_a_r1\n{\n    type = distributed\n    agent = 127.0.0.1:9312:news_a_s0\n" \
        "    agent = 127.0.0.1:9412:news_a_s1\n" in first
    assert "listen = 127.0.0.1:9406:mysql41" in second and "watchdog = 1" in second
    assert "morphology = libstemmer_fr" in first and "stopwords_unstemmed = 1" in first
    assert "U+152" not in first  # œ is folded by the project, not by the engine
    words = (tmp_path / "c" / "stopwords-fr.txt").read_text().split()
    assert "les" in words and "ete" not in words
    assert "travaux > travail" in (tmp_path / "c" / "wordforms-fr.txt").read_text()
    assert node_config(t, N2, tmp_path / "c", "news", watchdog=False).count("watchdog = 0") == 1


def test_lexicon_counts_and_uncounts() -> None:
    lexicon = _lexicon()
    assert lexicon.vocabulary.doc_frequency("gouvernement") == 1
    assert lexicon.values["author"] == {"Claire Dubois": 1, "Marc Lefèvre": 1}
    assert lexicon.value_of("source", value_id("source", "AFP")) == "AFP" and lexicon.years() == [2023, 2024]
    again = Lexicon.from_bytes(lexicon.to_bytes())
    assert again.vocabulary.words == lexicon.vocabulary.words and again.values == lexicon.values
    builder = LexiconBuilder(again)
    builder.remove(Article(id="2", title="Réforme", body="gouvernements", date=datetime(2024, 1, 2),
                           source="AFP", author="Claire Dubois, Marc Lefèvre"))
    left = builder.build()
    assert "reforme" not in left.vocabulary.words and left.values["source"] == {"Le Courrier du Matin": 1}
    assert isinstance(Lexicon.empty().vocabulary, Vocabulary)
    with pytest.raises(ValueError, match="not a lexicon"):
        Lexicon.from_bytes(b"nope")


def test_cluster_config_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from search.cli.cluster import main

    assert main(["config", "--shards", "3", "--replicas", "2", "--nodes", "10.0.0.1:9306,10.0.0.2:9306",
                 "--dir", str(tmp_path), "--table", "news"]) == 0
    out, err = capsys.readouterr()
    assert out.split() == [str(tmp_path / f"node-10.0.0.{n}-9306.conf") for n in (1, 2)]
    assert "sphinx://10.0.0.1:9306/news" in err
    config = Path(out.split()[0]).read_text()
    assert "agent = 10.0.0.1:9312:news_b_s2|10.0.0.2:9312:news_b_s2\n" in config  # shard 2: (2 + r) mod 2
    assert "listen = 10.0.0.1:9306:mysql41" in config
    assert main(["config", "--shards", "2", "--replicas", "3", "--nodes", "10.0.0.1:9306"]) == 2
    assert "3 replicas need at least 3 nodes" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["config", "--shards", "2", "--nodes", "10.0.0.1"])
    assert exit_.value.code == 2 and "expected host:port" in capsys.readouterr().err

