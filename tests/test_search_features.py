"""Every feature of the README's query language on both backends (the `index` fixture: the
local index and a 2-node cluster holding the same articles), and what the cluster does
otherwise, on purpose: per-backend answers, or an expected failure with its reason."""

from __future__ import annotations

import pytest

from search import CancelToken, Index, SearchCancelledError
from search.corpus import iter_articles

from .conftest import NEWS, on_cluster

EVERY_ID = {r.article.id for r in iter_articles(NEWS)}

#: Every part of the query language (the README's table): the articles it finds and the codes
#: of its notices, the same on both backends unless `ON_CLUSTER` says otherwise.
FEATURES: list[tuple[str, set[str], list[str]]] = [
    ("réforme des retraites", {"retraites-1", "retraites-2"}, ["relaxed"]),
    ("ÉLECTRICITÉ", {"electricite"}, []),
    ("chevaux", {"cheval"}, []),
    ("travaux", {"travaux"}, []),
    ("jeux", {"jeux"}, []),
    ("aujourd’hui", {"journaux"}, []),
    ("l'Élysée", {"election"}, []),
    ("œuvre", {"oeuvre"}, []),
    ("7,5 %", {"electricite"}, []),
    ("covid19", {"ia"}, []),
    ("I.A.", {"ia"}, []),
    ("été", {"cheval", "travaux"}, []),
    ("français", {"jeux", "travaux"}, []),
    ("française", {"jeux", "travaux"}, []),
    ("Saint-Étienne", {"retraites-2"}, []),
    ('"saint étienne"', {"retraites-2"}, []),
    ("weekend", {"concert"}, []),
    ("porteparole", {"retraites-1"}, []),
    ("grève OU manifestation", {"retraites-1", "retraites-2"}, []),
    ("retraites -SNCF", {"retraites-1"}, []),
    ("retraites SAUF SNCF", {"retraites-1"}, []),
    ("retraite ET (SNCF OR RATP)", {"retraites-2"}, []),
    ('"bouclier tarifaire"', {"electricite"}, []),
    ('"bouclier tarifaire"^2', {"electricite"}, []),
    ('"prix électricité"~3', {"electricite"}, []),
    ('"électricité prix"~3', set(), []),
    ('"acquisition conservatrice"~1', set(), []),
    ("électri*", {"electricite"}, []),
    ("e*", {"election", "electricite", "oeuvre", "travaux", "retraites-2", "ia", "concert", "cheval",
            "retraites-1"}, []),
    ("gouvernemant~", {"retraites-1"}, []),
    ("titre:retraites", {"retraites-1", "retraites-2"}, []),
    ("chapo:retraites", set(), []),  # no article of the sample has a lead
    ("lead:retraites OR corps:SNCF", {"retraites-2", "travaux"}, []),
    ("source:courrier", {"retraites-2", "oeuvre"}, []),
    ("auteur:Dubois", {"election", "retraites-1"}, []),
    ("rubrique:économie", {"ia", "electricite", "cheval"}, []),
    ("tag:eco*", {"ia", "electricite", "cheval"}, []),
    ("date:2023-03", {"retraites-1", "retraites-2"}, []),
    ("date:[2023-01-01 TO 2023-06-30]", {"retraites-1", "retraites-2"}, []),
    ("date:<2020", {"oeuvre", "journaux"}, []),
    ("date:(retraite)", {"retraites-1", "retraites-2"}, []),  # a word under another field: title, body
    ("macron^2 retraites", {"retraites-1", "retraites-2"}, ["relaxed"]),
    ("+retraite réforme", {"retraites-1"}, []),
    ("-retraites", EVERY_ID - {"retraites-1", "retraites-2"}, []),
    ("les des", set(), ["only_stopwords"]),
]
#: What the cluster answers otherwise, on purpose (docs/cluster.md, the README's table):
#: query -> (its articles and notice codes on the cluster, why).
ON_CLUSTER: dict[str, tuple[set[str], list[str], str]] = {
    '"électricité prix"~3': ({"electricite"}, [], "near: each pair of words within 3, in any order"),
    '"acquisition conservatrice"~1': ({"oeuvre"}, [], "near: each pair of words within 1, in any order"),
    "française": (set(), [], "Debian's libstemmer stems -aise(s) as francais, not as français (franc)"),
    '"bouclier tarifaire"^2': ({"electricite"}, ["phrase_boost"], "a phrase's boost is ignored, said"),
}


def test_every_difference_is_a_feature() -> None:
    assert set(ON_CLUSTER) <= {q for q, _, _ in FEATURES}


@pytest.mark.parametrize("q, expected, codes", FEATURES, ids=[q for q, _, _ in FEATURES])
def test_each_feature_finds_these_articles(index: Index, q: str, expected: set[str], codes: list[str],
                                           ) -> None:
    if on_cluster(index) and q in ON_CLUSTER:
        expected, codes, _why = ON_CLUSTER[q]
    res = index.search(q, limit=50)
    assert set([h.id for h in res.hits]) == expected and res.total == len(expected)
    assert [n.code for n in res.notices] == codes


def test_a_prefix_ranks_each_article_by_its_best_word(index: Index, request: pytest.FixtureRequest,
                                                      ) -> None:
    if on_cluster(index):
        request.applymarker(pytest.mark.xfail(strict=True, reason="the cluster adds up the scores of "
                                              "the words found (docs/cluster.md)"))
    assert [h.id for h in index.search("e*", limit=20).hits] == [
        "election", "electricite", "oeuvre", "travaux", "retraites-2", "ia", "concert", "cheval",
        "retraites-1"]


def test_pages_beyond_the_cluster_s_cap_are_empty_with_a_notice(index: Index) -> None:
    res = index.search("-retraites", offset=1000)
    assert res.total == 10 and res.hits == ()
    assert [n.code for n in res.notices] == (["page_capped"] if on_cluster(index) else [])


def test_a_cancelled_search_raises(index: Index) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(SearchCancelledError):
        index.search("retraite", cancel=token)
