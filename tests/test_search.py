"""The query language, ranking rules, highlights, facets, suggestions: exact hits, on both
backends (the local index and a 2-node cluster holding the same articles: the `index`
fixture), the cluster's documented differences marked where they show."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from search import SCHEMA_VERSION, FacetCount, Highlight, Index, QueryError, Results, UnknownArticleError
from search.analysis import analyze

from .conftest import on_cluster


def ids(res: Results) -> list[str]:
    return [h.id for h in res.hits]


def hit_set(ix: Index, q: str, **kw: object) -> set[str]:
    res = ix.search(q, limit=50, **kw)  # type: ignore[arg-type]
    assert res.total == len(res.hits)
    return set(ids(res))


@pytest.mark.parametrize("q, expected", [
    ("retraite", {"retraites-1", "retraites-2"}),
    ("RETRAITES", {"retraites-1", "retraites-2"}),
    ("electricite", {"electricite"}),
    ("Électricité", {"electricite"}),
    ("chevaux", {"cheval"}),
    ("journal", {"journaux"}),
    ("jeu", {"jeux"}),
    ("travail", {"travaux"}),
    ("oeuvre", {"oeuvre"}),
    ("coeur", {"oeuvre"}),
    ("I.A.", {"ia"}),
    ("xai", {"ia"}),
    ("COVID-19", {"ia"}),
    ("covid19", {"ia"}),
    ("7,5 %", {"electricite"}),
    ("aujourd'hui", {"journaux"}),
    ("aujourd’hui", {"journaux"}),
    ("été", {"cheval", "travaux"}),
    ("son", {"concert"}),
    ("or", {"cheval"}),
    ("l'Élysée", {"election"}),
    ("porte-parole", {"retraites-1"}),
    ("porteparole", {"retraites-1"}),
    ("Saint-Étienne", {"retraites-2"}),
    ("saint etienne", {"retraites-2"}),
    ('"saint etienne"', {"retraites-2"}),
    ("Sud-Ouest", {"concert", "sans-date"}),
    ("sud ouest", {"concert", "sans-date"}),
    ("week-end", {"concert"}),
    ("weekend", {"concert"}),
])
def test_words_find_exactly_these_articles(index: Index, q: str, expected: set[str]) -> None:
    assert hit_set(index, q) == expected


@pytest.mark.parametrize("q, expected", [
    ("chevaux OR journaux", {"cheval", "journaux"}),
    ("chevaux OU journaux", {"cheval", "journaux"}),
    ("retraite -Saint-Étienne", {"retraites-1"}),
    ("retraite SAUF cortège", {"retraites-1"}),
    ("retraite NOT cortège", {"retraites-1"}),
    ("(chevaux OR journaux) abonnés", {"journaux"}),
    ("retraite AND cortège", {"retraites-2"}),
    ("retraite +cortège", {"retraites-2"}),
    ("retraite ET cortège", {"retraites-2"}),
    ('"bouclier tarifaire"', {"electricite"}),
    ('"tarifaire bouclier"', set()),
    ('"conservatrice acquisition"', set()),
    ('"conservatrice acquisition"~1', {"oeuvre"}),
    ("électri*", {"electricite"}),
    ("manif*", {"retraites-1", "retraites-2"}),
    ("gouvernemant~", {"retraites-1"}),
    ("chevaus~1", {"cheval"}),
    ("titre:retraite", {"retraites-1", "retraites-2"}),
    ("titre:gouvernement", {"retraites-1"}),
    ("title:électricité", {"electricite"}),
    ('titre:"bouclier tarifaire"', {"electricite"}),
    ("corps:manifester", {"retraites-1", "retraites-2"}),  # manifestants: same stem
    ("source:Radio", {"jeux", "concert", "sans-date"}),
    ('source:"radio littoral"', {"jeux", "concert", "sans-date"}),
    ("auteur:Dubois", {"retraites-1", "election"}),
    ("author:lefevre", {"retraites-1", "retraites-2"}),
    ("rubrique:culture", {"jeux", "oeuvre", "concert"}),
    ("tag:economie", {"electricite", "cheval", "ia"}),
    ("tag:eco*", {"electricite", "cheval", "ia"}),
    ("date:2023", {"retraites-1", "retraites-2", "travaux"}),
    ("date:2023-03", {"retraites-1", "retraites-2"}),
    ("date:2023-03-16", {"retraites-1"}),
    ("date:[2021-01-01 TO 2021-12-31]", {"electricite", "cheval"}),
    ("date:[2021-08-22 À 2023-03-07]", {"cheval", "electricite", "concert", "retraites-2"}),
    ("date:>=2024", {"ia", "election"}),
    ("date:<2020", {"journaux", "oeuvre"}),
    ("retraite date:2023-03-16", {"retraites-1"}),
    ("-date:2023 SNCF", set()),
    ("SNCF -date:2023", set()),
])
def test_query_language(index: Index, q: str, expected: set[str]) -> None:
    assert hit_set(index, q) == expected


def test_boost_changes_the_order(index: Index) -> None:
    plain = ids(index.search("chevaux OR journaux"))
    assert ids(index.search("chevaux OR journaux^9"))[0] == "journaux"
    assert ids(index.search("chevaux^9 OR journaux"))[0] == "cheval"
    assert set(plain) == {"cheval", "journaux"}


def test_all_words_first_then_most_words_with_a_notice(index: Index) -> None:
    res = index.search("réforme des retraites")
    assert ids(res) == ["retraites-1", "retraites-2"]
    assert [h.all_words for h in res.hits] == [True, False]
    assert [w.code for w in res.notices] == ["relaxed"]
    assert res.notices[0] == ("only 1 article contains all the words: the best articles with some "
                               "of them follow")
    assert res.total == 2


def test_no_relaxation_when_enough_match_or_one_word(index: Index) -> None:
    res = index.search("retraite")
    assert res.notices == () and all(h.all_words for h in res.hits)


def test_a_long_query_with_a_missing_word_still_finds(index: Index) -> None:
    res = index.search("bouclier tarifaire électricité prolongé licorne")
    assert ids(res)[0] == "electricite"
    assert not res.hits[0].all_words


def test_only_stop_words_is_empty_with_a_message(index: Index) -> None:
    res = index.search("les des du")
    assert res.total == 0 and res.hits == ()
    assert [w.code for w in res.notices] == ["only_stopwords"]


@pytest.mark.parametrize("q, code, expected", [
    ("(retraite", "unbalanced", {"retraites-1", "retraites-2"}),
    ("retraite)", "unbalanced", {"retraites-1", "retraites-2"}),
    ('"réforme', "unclosed_quote", {"retraites-1"}),
    ("retraite AND", "dangling_operator", {"retraites-1", "retraites-2"}),
    ("OR retraite", "dangling_operator", {"retraites-1", "retraites-2"}),
    ("retraite NOT", "dangling_operator", {"retraites-1", "retraites-2"}),
    ("retraite titre:", "empty_field", {"retraites-1", "retraites-2"}),
    ("foo:retraite", "unknown_field", set()),
    ("date:hier retraite", "bad_date", {"retraites-1", "retraites-2"}),
    ("*etraite", "wildcard", set()),
    ("retraite~7", "fuzzy_capped", {"retraites-1", "retraites-2"}),
    ("source:Inconnu", "no_such_value", set()),
])
def test_bad_syntax_degrades_with_a_notice(index: Index, q: str, code: str,
                                           expected: set[str]) -> None:
    res = index.search(q, limit=50)
    assert code in [w.code for w in res.notices], res.notices
    assert set(ids(res)) == expected


def test_misspelled_words_are_corrected_with_real_accented_words(index: Index) -> None:
    for typed, fixed in [("électricté", "électricité"), ("prix de l’électricté", "prix de l’électricité"),
                         ("retraitte", "retraite"), ("Gouvernemnt", "Gouvernement")]:
        res = index.search(typed)
        assert res.suggestion is None and res.total
        assert (res.notices[0].code, res.notices[0].params["query"]) == ("corrected", fixed)


def test_did_you_mean_for_words_searched_as_typed(index: Index) -> None:
    assert index.search('"électricté"').suggestion == '"électricité"'
    assert index.search('prix de "l’électricté"').suggestion == 'prix de "l’électricité"'


def test_no_suggestion_when_the_query_is_fine(index: Index) -> None:
    for q in ("retraite", "chevaux OR journaux", "xyzzyq", "électri*"):
        assert index.search(q).suggestion is None, q


def test_facets_count_every_match(index: Index) -> None:
    res = index.search("retraite", limit=1)
    assert res.total == 2 and len(res.hits) == 1
    assert res.facets == {
        "source": (FacetCount("Dépêche Hexagone", 1), FacetCount("Le Courrier du Matin", 1)),
        "tags": (FacetCount("société", 2), FacetCount("politique", 1), FacetCount("régions", 1)),
        "year": (FacetCount("2023", 2),),
        "month": (FacetCount("2023-03", 2),),
    }


def test_filters_match_exact_values_ignoring_case_and_accents(index: Index) -> None:
    assert hit_set(index, "", filters={"source": "radio littoral"}) == {
        "jeux", "concert", "sans-date"}
    assert hit_set(index, "", filters={"tags": ["culture", "politique"]}) == {
        "jeux", "oeuvre", "concert", "retraites-1", "election"}
    assert hit_set(index, "retraite", filters={"author": "Marc Lefèvre", "tags": "régions"}) == {
        "retraites-2"}
    assert hit_set(index, "", filters={"year": "2021"}) == {"electricite", "cheval"}
    res = index.search("retraite", filters={"source": "Le Monde"})
    assert res.total == 0 and [w.code for w in res.notices] == ["no_such_value"]


def test_date_bounds(index: Index) -> None:
    assert hit_set(index, "", date_from="2024") == {"ia", "election"}
    assert hit_set(index, "", date_to=date(2019, 12, 31)) == {"journaux", "oeuvre"}
    assert hit_set(index, "", date_from=datetime(2023, 3, 7), date_to="2023-03-07") == {
        "retraites-2"}
    with pytest.raises(QueryError, match="invalid date 'hier'"):
        index.search("x", date_from="hier")


def test_sorting_by_date_puts_undated_last(index: Index) -> None:
    radio = {"source": "Radio Littoral"}
    assert ids(index.search("", filters=radio, sort="-date")) == ["concert", "jeux", "sans-date"]
    assert ids(index.search("", filters=radio, sort="date")) == ["jeux", "concert", "sans-date"]
    assert ids(index.search("", filters=radio)) == ["concert", "jeux", "sans-date"]


def test_paging(index: Index) -> None:
    every = ids(index.search("", filters={"year": ["2019", "2020", "2021", "2022", "2023",
                                                        "2024"]}, sort="date", limit=20))
    assert len(every) == 11
    page2 = index.search("", filters={"year": ["2019", "2020", "2021", "2022", "2023",
                                                    "2024"]}, sort="date", limit=4, offset=4)
    assert ids(page2) == every[4:8] and page2.total == 11


def test_sorts_and_filters_take_the_names_and_values_of_the_cli(index: Index) -> None:
    aliases = (("newest", "-date"), ("recent", "-date"), ("oldest", "date"), ("pertinence", "relevance"))
    for alias, sort in aliases:
        res = index.search("prix", sort=alias)
        assert res.sort == sort and ids(res) == ids(index.search("prix", sort=sort))
    by_int = index.search("", filters={"year": 2023}, limit=50)
    assert by_int.total > 0 and ids(by_int) == ids(index.search("", filters={"year": "2023"}, limit=50))
    both = index.search("", filters={"year": [2023, "2024"]}, limit=50)
    assert both.total == by_int.total + index.search("", filters={"year": 2024}).total
    with pytest.raises(TypeError, match="filter 'year' takes a str, an int or a list of them, not float"):
        index.search("", filters={"year": 2023.0})


def test_bad_arguments_raise_value_errors(index: Index) -> None:
    with pytest.raises(ValueError, match="sort must be one of relevance, pertinence, date, oldest, -date, "
                                         "newest, recent, not 'latest'"):
        index.search("x", sort="latest")
    with pytest.raises(ValueError, match="unknown filter 'rubrique'"):
        index.search("x", filters={"rubrique": "culture"})
    with pytest.raises(ValueError, match="limit and offset must be >= 0"):
        index.search("x", limit=-1)
    with pytest.raises(TypeError):
        index.search(None)  # type: ignore[arg-type]


def test_highlights_are_exact_slices_of_the_original_text(index: Index) -> None:
    res = index.search("réforme des retraites porte-parole")
    hit = res.hits[0]
    article = index.get(hit.id)
    assert hit.id == "retraites-1"
    got = [(h.field, getattr(article, h.field)[h.start:h.end]) for h in hit.highlights]
    assert got == [("title", "Réforme"), ("title", "retraites"), ("body", "réforme"),
                   ("body", "retraites"), ("body", "porte‑parole")]
    assert hit.highlights[0] == Highlight("title", 0, 7)


def test_snippet_spans_mark_the_matched_words(index: Index) -> None:
    hit = index.search("syndicats manifester").hits[0]
    assert hit.id == "retraites-1"
    assert [hit.snippet[s:e] for s, e in hit.snippet_spans] == ["syndicats", "manifester"]
    assert "\n" not in hit.snippet and len(hit.snippet) <= 330


@pytest.mark.parametrize("q", ["œuvre cœur", "l’électricité EDF", "Saint-Étienne cheminots",
                               "aujourd'hui journal", "gouvernemant~", "manif*", "été or"])
def test_every_highlight_is_a_match_of_the_query(index: Index, q: str) -> None:
    res = index.search(q, limit=20)
    assert res.hits
    for hit in res.hits:
        article = index.get(hit.id)
        for h in hit.highlights:
            text = getattr(article, h.field)[h.start:h.end]
            assert analyze(text), (q, text)
            assert text == text.strip() and text


def test_similar_articles(index: Index) -> None:
    res = index.similar("retraites-1", limit=3)
    assert ids(res)[0] == "retraites-2"
    assert "retraites-1" not in ids(res)
    with pytest.raises(UnknownArticleError, match="no article with id 'nope' in the index"):
        index.similar("nope")


def test_get_returns_the_original_article(index: Index) -> None:
    art = index.get("retraites-1")
    assert art.title == "Réforme des retraites : le gouvernement passe en force"
    assert art.author == "Claire Dubois, Marc Lefèvre"
    assert art.tags == ("politique", "société")
    assert art.date is not None and art.date.isoformat() == "2023-03-16T17:20:00+01:00"
    assert "porte‑parole" in art.body  # the non-breaking hyphen is kept


def test_stats(index: Index) -> None:
    st = index.stats()
    assert st.articles == 12 and st.deleted == 0 and st.sources == 5
    # with their time zone, as the articles give them (like hits' dates)
    assert st.oldest is not None and st.oldest.isoformat() == "2019-02-18T08:30:00+00:00"
    assert st.newest is not None and st.newest.isoformat() == "2024-09-19T08:00:00+02:00"
    assert st.built_at is not None and st.built_at.tzinfo is not None and st.updated_at is not None
    assert st.size_bytes > 0 and st.words > 100 and str(st.path) == index.location
    if on_cluster(index):  # the version of the cluster's tables; its shards as segments
        from search._sphinx.meta import SCHEMA

        assert (st.schema_version, st.segments) == (SCHEMA, 2)
    else:
        assert st.schema_version == SCHEMA_VERSION


def test_results_are_plain_frozen_objects(index: Index) -> None:
    import dataclasses

    res = index.search("retraite")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.total = 3  # type: ignore[misc]
    assert type(res.hits) is tuple and res.took_ms >= 0


def test_warnings_is_a_deprecated_name_of_notices(index: Index) -> None:
    res = index.search("les des")
    assert [n.code for n in res.notices] == ["only_stopwords"]  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="use Results.notices"):
        assert res.warnings == res.notices

