"""French as readers type it (issue 15): a golden table of queries -> exact hits, ranks,
suggestions and notices, on the sample corpus plus `tests/data/golden.jsonl` (homographs of
stop words, duplicates); and "similar" finding each story's siblings first."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from search import FacetCount, Index, Results

from .conftest import DATA, REPO


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The sample corpus (`corpus/`) and the golden articles, indexed."""
    root = tmp_path_factory.mktemp("golden")
    shutil.copytree(REPO / "corpus", root / "corpus")
    shutil.copy(DATA / "golden.jsonl", root / "corpus" / "golden.jsonl")
    ix = Index.rebuild(root / "corpus", root / "index", procs=1)
    yield ix
    ix.close()


def ids(res: Results) -> list[str]:
    return [h.id for h in res.hits]


@dataclass(frozen=True)
class Row:
    """A query and what it must give: the first hits in this order, or exactly these hits
    (in any order), the suggestion, the notices' codes."""

    q: str
    first: tuple[str, ...] = ()
    exactly: frozenset[str] | None = None
    suggestion: str | None = None
    notices: tuple[str, ...] = ()


CANICULE = "2019-canicule-records"
INCENDIES = "2022-incendies-gironde-canicule"

GOLDEN = [
    # 1. stop-word homographs are news words: planes, sums, a launch pad, east, tone, barrel, corn
    Row("avions", exactly=frozenset({INCENDIES, "2019-presse-locale-journaux"})),
    Row("l'avion", exactly=frozenset({INCENDIES, "2019-presse-locale-journaux"})),
    Row("avions bombardiers", first=(INCENDIES,), notices=("relaxed",)),
    Row("des sommes", first=("golden-loto-sommes",)),
    Row("pas de tir", first=("golden-kourou-pas-de-tir", "golden-biathlon-tirs"), notices=("relaxed",)),
    Row('"pas de tir"', exactly=frozenset({"golden-kourou-pas-de-tir"})),
    # a phrase matches stems: "la vente est" too
    Row('"vent d’est"', exactly=frozenset({"golden-vent-est", "2021-deauville-yearlings"})),
    Row("le ton monte", first=("golden-brexit-ton",), notices=("relaxed",)),
    Row("fût", exactly=frozenset({"golden-cognac-fut"})),
    Row("maïs", exactly=frozenset({"2022-secheresse-restrictions-eau"})),
    Row("mais", exactly=frozenset(), notices=("only_stopwords",)),
    Row("il fut", exactly=frozenset(), notices=("only_stopwords",)),
    Row("les des", exactly=frozenset(), notices=("only_stopwords",)),
    # 2. the lead is searched: thermomètre is only in leads
    Row("thermomètre", exactly=frozenset({CANICULE, INCENDIES})),
    Row("chapo:thermomètre", exactly=frozenset({CANICULE, INCENDIES})),
    Row("titre:thermomètre", exactly=frozenset()),
    # 3. typos: a word the index lacks is corrected; `~` ranks exact words first
    Row("gouvernemant", first=("2023-retraites-49-3", "2021-electricite-bouclier-tarifaire"),
        notices=("corrected",)),
    Row("Gouvernemnt", first=("2023-retraites-49-3",), notices=("corrected",)),
    Row("gouvernemant~", first=("2023-retraites-49-3", "2021-electricite-bouclier-tarifaire")),
    Row("retraitte", first=("2023-retraites-manifestation",), notices=("corrected",)),
    Row("électricté", first=("2025-electricite-baisse-tarif",), notices=("corrected",)),
    # 4. "did you mean" only for words searched as typed (in quotes), never for known words
    Row('"gouvernemant"', exactly=frozenset(), suggestion='"gouvernement"'),
    Row('"Électricté"', exactly=frozenset(), suggestion='"Électricité"'),
    Row('"ÉLECTRICTÉ"', exactly=frozenset(), suggestion='"ÉLECTRICITÉ"'),
    Row('prix de "l’électricté"', suggestion='prix de "l’électricité"', notices=("relaxed",)),
    Row("macron^2 retraites", first=("2023-retraites-manifestation",), notices=("relaxed",)),
    Row("id:orangesum-35447", exactly=frozenset(), notices=("unknown_field",)),
    Row('source:"Radio Litoral"', exactly=frozenset(), notices=("no_such_value",)),
    Row("retraite", first=("2023-retraites-manifestation",)),
    # 5. duplicates: one hit for a page filed twice, or a dispatch published twice
    Row("+procès +assistants", exactly=frozenset({"golden-depeche-afp-1"})),
    Row("+fusion +constructeurs", exactly=frozenset({"golden-url-economie"})),
    # hyphenated words rank as the same words with a space
    Row("Sud-Ouest", first=("2020-municipales-second-tour-sud-ouest",)),
    Row("Saint-Brieuc coquilles", first=("2021-bretagne-coquilles",), notices=("relaxed",)),
]


@pytest.mark.parametrize("row", GOLDEN, ids=lambda r: r.q)
def test_golden_queries(golden: Index, row: Row) -> None:
    res = golden.search(row.q, limit=20)
    got = ids(res)
    assert got[:len(row.first)] == list(row.first), got
    if row.exactly is not None:
        assert set(got) == row.exactly and res.total == len(row.exactly), got
    assert res.suggestion == row.suggestion
    assert [n.code for n in res.notices] == list(row.notices), res.notices


def test_a_corrected_query_gives_the_correct_words_results_and_says_so(golden: Index) -> None:
    typed = golden.search("gouvernemant", limit=20)
    right = golden.search("gouvernement", limit=20)
    assert ids(typed) == ids(right) and typed.total == right.total == 20
    notice = typed.notices[0]
    assert notice.code == "corrected"
    assert notice.params == {"query": "gouvernement", "as_typed": '"gouvernemant"'}
    assert golden.search(notice.params["as_typed"]).total == 0  # searched as typed
    assert golden.search("retraites gouvernemant").notices[0].params["query"] == "retraites gouvernement"


def test_a_word_of_an_or_is_not_corrected_only_suggested(golden: Index) -> None:
    res = golden.search("gouvernemant OU retraites", limit=50)  # the other word may be the one meant
    assert res.notices == () and res.suggestion == "gouvernement OU retraites"
    assert ids(res) == ids(golden.search("retraites", limit=50))


@pytest.mark.parametrize("typo, word", [("gouvernemant~", "gouvernement"), ("confinemnet~", "confinement"),
                                        ("retraitte~", "retraite"), ("elecrticité~", "électricité")])
def test_a_typo_search_finds_what_the_word_finds(golden: Index, typo: str, word: str) -> None:
    exact = ids(golden.search(word, limit=10))
    assert ids(golden.search(typo, limit=10))[:len(exact)] == exact


def test_an_exact_word_ranks_before_its_typos(golden: Index) -> None:
    res = golden.search("journal~", limit=50)  # journal, journaux (1 typo: jounal…)
    exact = set(ids(golden.search("journal", limit=50)))
    got = ids(res)
    assert set(got[:len(exact)]) == exact


def test_the_lead_is_highlighted(golden: Index) -> None:
    hit = golden.search("thermomètre").hits[0]
    article = golden.get(hit.id)
    leads = [article.lead[h.start:h.end] for h in hit.highlights if h.field == "lead"]
    assert hit.id == CANICULE and leads == ["thermomètre"] and hit.lead == article.lead
    assert hit.lead_spans() == [(3, 14)]


def test_duplicates_are_one_hit_counted_once_with_where_else_they_are(golden: Index) -> None:
    res = golden.search("+automobiles +fusion")
    assert ids(res) == ["golden-url-economie"] and res.total == 1
    hit = res.hits[0]
    assert hit.duplicates == ("golden-url-regions",) and hit.also_in == ("régions",)
    assert res.facets["tags"] == (FacetCount("économie", 1),)  # counted once, as one of them
    dispatch = golden.search("assistants parlementaires").hits[0]
    assert dispatch.duplicates == ("golden-depeche-afp-2",) and dispatch.also_in == ("justice",)
    every = golden.search("+automobiles +fusion", duplicates=True)
    assert sorted(ids(every)) == ["golden-url-economie", "golden-url-regions"] and every.total == 2
    assert all(h.duplicates == () for h in every.hits)


#: Articles of one story (and those of the story that may come between them).
STORIES = [
    (["2023-retraites-manifestation", "2023-retraites-49-3", "2025-retraites-concertation"],
     ["2023-sncf-greve-week-end"]),  # the strike against the reform is part of the story
    (["2019-canicule-records", "2025-canicule-ecoles-fermees"], [INCENDIES]),
    (["2019-sncf-greve-week-end", "2023-sncf-greve-week-end"], []),
    (["2020-municipales-premier-tour", "2020-municipales-second-tour-sud-ouest"], []),
    (["2022-ukraine-onu-resolution", "2025-ukraine-discussions-geneve"], []),
    (["2022-inflation-prix-alimentaires", "2024-inflation-ralentissement"], []),
    (["2021-electricite-bouclier-tarifaire", "2025-electricite-baisse-tarif"], []),
    (["2020-spatial-satellite-toulouse", "2024-spatial-nanosatellite-etudiants"],
     ["golden-kourou-pas-de-tir"]),
    (["2020-jeux-video-confinement", "2025-jeu-video-studio-montpellier"], []),
    (["2019-tour-de-france-superbagneres", "2024-tour-de-france-saint-etienne"], []),
    (["golden-depeche-afp-1", "golden-vent-est"], []),  # nothing alike: no copy of itself
]


@pytest.mark.parametrize("story, also", STORIES[:-1], ids=[s[0][0] for s in STORIES[:-1]])
def test_similar_finds_the_story_first(golden: Index, story: list[str], also: list[str]) -> None:
    for article in story:
        got = [i for i in ids(golden.similar(article, limit=len(story) + len(also) + 2)) if i not in also]
        assert set(got[:len(story) - 1]) == set(story) - {article}, (article, got)


def test_similar_never_lists_a_copy_of_the_article(golden: Index) -> None:
    got = ids(golden.similar("golden-depeche-afp-1", limit=10))
    assert "golden-depeche-afp-2" not in got and "golden-depeche-afp-1" not in got
    assert ids(golden.similar("2023-retraites-49-3", limit=3))[:2] == [
        "2023-sncf-greve-week-end", "2023-retraites-manifestation"]
