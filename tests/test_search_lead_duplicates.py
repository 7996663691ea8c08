"""The lead (chapeau) searched and weighted, and duplicates collapsed, on both backends (the
`both` fixture: the same small corpus on the local index and on a 2-node cluster); updates
that make and break groups of duplicates; what the cluster does otherwise, marked per
backend (docs/cluster.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from search import FacetCount, Index, Results
from search.corpus import Article

from .conftest import BACKENDS, on_cluster, run_cli

FILLER = ("Les services de la préfecture ont publié un bilan détaillé de la semaine, commune par "
          "commune, avec les chiffres des hôpitaux, des écoles et des transports. ") * 4


def article(id: str, title: str, body: str, *, lead: str = "Ce qu’il faut retenir de cette journée, en "
            "quelques lignes.", url: str = "", tags: tuple[str, ...] = (), day: int = 1,
            source: str = "Le Courrier du Matin") -> Article:
    return Article(id=id, title=title, body=body, lead=lead, url=url, tags=tags, source=source,
                   date=datetime(2024, 6, day, 8, 0))


#: Articles holding "thermomètre" in one field each (on one shard of the test cluster: the
#: same IDF); pairs of copies (the same page filed
#: under two rubriques, a dispatch published twice); a chain (volcan-1 and volcan-3 are the
#: same story through volcan-2, which holds neither's word); articles alone. The first
#: article of each group comes first here (the local engine counts it in the facets) and has
#: the lowest id hash (the cluster counts that one).
CORPUS = [
    article("dans-le-titre", "Le thermomètre de la gare est réparé", "Les voyageurs sauront l’heure et la "
            "température en attendant leur train.", tags=("régions",), day=1),
    article("dans-le-chapeau", "Un été brûlant dans le Sud", "Les pompiers sont en alerte et les arrosages "
            "interdits jusqu’à nouvel ordre.", lead="Le thermomètre a dépassé 40 degrés à Nîmes.",
            tags=("météo",), day=2),
    article("dans-le-corps", "Chaleur : le point de la semaine", FILLER + "Le thermomètre a encore grimpé "
            "samedi.", tags=("météo",), day=3),
    article("fusion-eco", "Automobile : deux constructeurs annoncent leur fusion", "Les deux groupes "
            "ont confirmé lundi leur projet de fusion, une fusion qui créera le quatrième "
            "constructeur mondial.", url="https://exemple.fr/articles/fusion", tags=("économie",), day=4),
    article("fusion-regions", "Automobile : deux constructeurs annoncent leur fusion", "Les deux "
            "groupes ont confirmé lundi leur projet de fusion. L’usine de Sochaux n’est pas menacée, "
            "assure la direction.", url="https://exemple.fr/articles/fusion?utm_source=rss",
            tags=("régions",), day=5),
    article("depeche-1", "Affaire des assistants : le procès renvoyé", "Le tribunal a renvoyé mardi "
            "le procès de l’affaire des assistants parlementaires.\n\nLes prévenus contestent.",
            url="https://exemple.fr/politique/depeche-1", tags=("politique",), day=6,
            source="Dépêche Hexagone"),
    article("depeche-2", "Affaire des assistants : le procès renvoyé", "Le tribunal a renvoyé  mardi "
            "le procès de l’affaire des assistants parlementaires.\nLes prévenus contestent.",
            url="https://exemple.fr/justice/depeche-2", tags=("justice",), day=7,
            source="Dépêche Hexagone"),
    article("volcan-1", "Islande : le volcan se réveille, un volcan sous surveillance", "Une "
            "éruption a commencé dans la nuit près de Grindavik.", url="https://exemple.fr/v/1",
            tags=("international",), day=8),
    article("volcan-2", "Islande : éruption près de Grindavik", "Une éruption a commencé dans la "
            "nuit près de Grindavik.", url="https://exemple.fr/v/2", tags=("sciences",), day=9),
    article("volcan-3", "Islande : le volcan de Grindavik", "La lave a atteint les premières "
            "maisons, les habitants sont évacués.", url="https://exemple.fr/v/2?utm_medium=feed",
            tags=("sciences",), day=10),
    article("seul", "Fusion nucléaire : un record de durée", "Le réacteur expérimental a tenu "
            "six minutes.", tags=("sciences",), day=11),
    article("recolte", "Sécheresse : la récolte menacée", "Dans les Landes, le maïs souffre du manque "
            "d’eau.", tags=("économie",), day=12),
]


@pytest.fixture(scope="module", params=BACKENDS)
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """`CORPUS` indexed on each backend (read only but for the update test, which restores it)."""
    if request.param == "local":
        location = str(tmp_path_factory.mktemp("lead-dups") / "index")
    else:
        location = request.getfixturevalue("sphinx_cluster").url
    ix = Index.rebuild(CORPUS, location, procs=1)
    yield ix
    ix.close()


def ids(res: Results) -> list[str]:
    return [h.id for h in res.hits]


# -- the lead ---------------------------------------------------------------------------------


def test_a_word_only_in_the_lead_is_found_and_weighs_between_title_and_body(both: Index) -> None:
    res = both.search("thermomètre")
    assert ids(res) == ["dans-le-titre", "dans-le-chapeau", "dans-le-corps"] and res.total == 3
    hit = res.hits[1]
    assert [hit.lead[h.start:h.end] for h in hit.highlights if h.field == "lead"] == ["thermomètre"]


@pytest.mark.parametrize("q, expected", [
    ("chapo:thermomètre", ["dans-le-chapeau"]),
    ("chapeau:thermomètre", ["dans-le-chapeau"]),
    ("lead:thermomètre", ["dans-le-chapeau"]),
    ("lead:pompiers", []),  # in that article's body only
    ("titre:thermomètre", ["dans-le-titre"]),
    ("corps:thermomètre", ["dans-le-corps"]),
    ("thermomètre -chapo:degrés", ["dans-le-titre", "dans-le-corps"]),
    ('lead:"dépassé 40 degrés"', ["dans-le-chapeau"]),
])
def test_lead_field_queries(both: Index, q: str, expected: list[str]) -> None:
    res = both.search(q)
    assert ids(res) == expected and res.total == len(expected)


def test_the_lead_words_are_in_the_vocabulary(both: Index) -> None:
    res = both.search("Nîmmes")  # a typo of a word only in a lead: corrected
    assert ids(res) == ["dans-le-chapeau"] and [n.code for n in res.notices] == ["corrected"]
    assert ids(both.search("nîm*")) == ["dans-le-chapeau"]


def test_a_stop_word_with_an_accent_is_a_word(both: Index, request: pytest.FixtureRequest) -> None:
    if on_cluster(both):
        request.applymarker(pytest.mark.xfail(strict=True, reason="the cluster drops the folded stop "
                                              "word (mais) the engine is sent (docs/cluster.md)"))
    assert ids(both.search("maïs")) == ["recolte"]


# -- duplicates -------------------------------------------------------------------------------


def test_the_same_page_filed_twice_is_one_hit_counted_once(both: Index) -> None:
    res = both.search("+fusion +constructeurs")
    assert ids(res) == ["fusion-eco"] and res.total == 1
    assert res.hits[0].duplicates == ("fusion-regions",) and res.hits[0].also_in == ("régions",)
    assert res.facets["tags"] == (FacetCount("économie", 1),)  # once, as one of them
    assert res.facets["source"] == (FacetCount("Le Courrier du Matin", 1),)
    assert res.facets["year"] == (FacetCount("2024", 1),)
    assert res.facets["month"] == (FacetCount("2024-06", 1),)


def test_a_dispatch_published_twice_is_one_hit(both: Index) -> None:
    res = both.search("assistants parlementaires")
    assert ids(res) == ["depeche-1"] and res.total == 1
    assert res.hits[0].duplicates == ("depeche-2",) and res.hits[0].also_in == ("justice",)


def test_groups_are_connected_and_list_only_the_matching_copies(both: Index) -> None:
    res = both.search("volcan")  # volcan-2 holds the body of 1 and the page of 3
    assert ids(res) == ["volcan-1"] and res.total == 1 and res.hits[0].duplicates == ("volcan-3",)
    assert res.facets["tags"] == (FacetCount("international", 1),)
    res = both.search("islande")  # all three: one hit, the best, with the other two
    assert res.total == 1 and len(res.hits) == 1
    assert {res.hits[0].id, *res.hits[0].duplicates} == {"volcan-1", "volcan-2", "volcan-3"}


def test_duplicates_true_lists_every_copy(both: Index) -> None:
    res = both.search("fusion", duplicates=True)
    assert set(ids(res)) == {"fusion-eco", "fusion-regions", "seul"} and res.total == 3
    assert all(h.duplicates == () for h in res.hits)
    assert res.facets["tags"] == (
        FacetCount("régions", 1), FacetCount("sciences", 1), FacetCount("économie", 1))
    collapsed = both.search("fusion")
    assert ids(collapsed) == ["fusion-eco", "seul"] and collapsed.total == 2
    assert collapsed.facets["tags"] == (FacetCount("sciences", 1), FacetCount("économie", 1))


def test_a_search_without_words_collapses_too(both: Index) -> None:
    res = both.search("", filters={"source": "Dépêche Hexagone"})
    assert ids(res) == ["depeche-2"] and res.total == 1  # newest first
    assert res.hits[0].duplicates == ("depeche-1",)
    every = both.search("", date_from="2024-01-01", limit=50)
    assert every.total == len(CORPUS) - 4 and len(every.hits) == every.total
    assert sum(c.count for c in every.facets["source"]) == every.total


@pytest.mark.parametrize("sort, shown, other", [("date", "volcan-1", "volcan-3"),
                                                ("-date", "volcan-3", "volcan-1")])
def test_the_hit_of_a_group_is_its_first_in_the_order_asked(both: Index, sort: str, shown: str,
                                                            other: str) -> None:
    res = both.search("volcan", sort=sort)
    assert ids(res) == [shown] and res.hits[0].duplicates == (other,) and res.total == 1


def test_a_relaxed_query_collapses_its_pool(both: Index) -> None:
    res = both.search("volcan fusion", limit=20)
    assert [n.code for n in res.notices] == ["relaxed"]
    assert set(ids(res)) == {"volcan-1", "fusion-eco", "seul"} and res.total == 3
    by_id = {h.id: h.duplicates for h in res.hits}
    assert by_id["volcan-1"] == ("volcan-3",) and by_id["fusion-eco"] == ("fusion-regions",)
    assert sum(c.count for c in res.facets["month"]) == 3


def test_paging_counts_groups(both: Index) -> None:
    first = both.search("islande OR fusion OR assistants", limit=2)
    second = both.search("islande OR fusion OR assistants", limit=2, offset=2)
    assert first.total == second.total == 4
    assert len(set(ids(first) + ids(second))) == 4


def test_similar_never_lists_copies_of_the_article_nor_two_of_one_group(both: Index) -> None:
    groups = [{"fusion-eco", "fusion-regions"}, {"depeche-1", "depeche-2"},
              {"volcan-1", "volcan-2", "volcan-3"}]
    listed = 0
    for one in CORPUS:
        got = set(ids(both.similar(one.id, limit=20)))
        own = next((g for g in groups if one.id in g), {one.id})
        assert not own & got and all(len(g & got) <= 1 for g in groups), (one.id, got)
        listed += len(got)
    assert listed > len(CORPUS)


def test_past_the_copies_a_cluster_reads_the_page_still_lists_its_own(both: Index,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not on_cluster(both):
        pytest.skip("the cluster reads the matching copies up to COPY_ROWS; the local engine all")
    from search._sphinx.collapse import GROUP, Copies

    def first_group_only(cls: type[Copies], answer: Any) -> Copies:  # as past COPY_ROWS rows
        copies = cls(complete=False)
        copies.add(r for r in answer.rows if r[GROUP] == answer.rows[0][GROUP])
        return copies

    q = "islande OR fusion OR assistants"
    whole = both.search(q)
    monkeypatch.setattr(Copies, "read", classmethod(first_group_only))
    res = both.search(q)  # the copies of the page's groups are read again
    assert [(h.id, h.duplicates) for h in res.hits] == [(h.id, h.duplicates) for h in whole.hits]
    assert res.total == whole.total == 4 and res.facets == whole.facets
    first = both.search(q, limit=1)  # a group neither read nor on the page: its copies counted
    assert 4 < first.total <= 4 + sum(len(h.duplicates) for h in whole.hits)  # (docs/cluster.md)


def test_updates_make_and_break_groups(both: Index) -> None:
    without_bridge = [a for a in CORPUS if a.id != "volcan-2"]
    copy = article("volcan-4", "Islande : le volcan gronde encore", "La lave a atteint les premières "
                   "maisons, les habitants sont évacués.", url="https://exemple.fr/v/4", tags=("monde",),
                   day=12)
    try:
        both.update(without_bridge)  # volcan-1 and volcan-3 are no longer linked
        res = both.search("volcan")
        assert ids(res) == ["volcan-1", "volcan-3"] and res.total == 2
        assert all(h.duplicates == () for h in res.hits)
        both.update([*without_bridge, copy])  # the same body as volcan-3
        res = both.search("volcan")
        assert ids(res) == ["volcan-1", "volcan-3"] and res.total == 2
        assert res.hits[1].duplicates == ("volcan-4",)
        both.update(CORPUS + [copy])  # the bridge again: one group of four
        res = both.search("volcan")
        assert ids(res) == ["volcan-1"] and res.hits[0].duplicates == ("volcan-3", "volcan-4")
        changed = article("volcan-3", "Islande : le volcan de Grindavik", "Un autre texte, sans rapport.",
                          url="https://exemple.fr/v/3", tags=("sciences",), day=10)
        both.update([a for a in CORPUS if a.id != "volcan-3"] + [changed, copy])  # out of the group
        res = both.search("volcan")
        assert ids(res) == ["volcan-1", "volcan-3", "volcan-4"] and res.total == 3
    finally:
        both.update(CORPUS)
    assert ids(both.search("volcan")) == ["volcan-1"]


def test_the_command_line_collapses_unless_duplicates(both: Index) -> None:
    code, out, err = run_cli("query", "+fusion +constructeurs", "--index", both.location, "--json")
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert [(h["id"], h["duplicates"]) for h in hits] == [("fusion-eco", ["fusion-regions"])]
    code, out, err = run_cli("query", "+fusion +constructeurs", "--index", both.location, "--json",
                             "--duplicates")
    assert code == 0, err
    assert sorted(h["id"] for h in json.loads(out)["hits"]) == ["fusion-eco", "fusion-regions"]
    assert on_cluster(both) == both.location.startswith("sphinx://")
