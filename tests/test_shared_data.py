"""Runs over the real data sets in ../shared (skipped, with the reason, when absent)."""

from __future__ import annotations

import pytest

from search import Index

from .conftest import shared_file

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def wikinews(tmp_path_factory: pytest.TempPathFactory) -> Index:
    corpus = shared_file("corpora/wikinews_fr_100.jsonl")
    return Index.rebuild(corpus, tmp_path_factory.mktemp("wk") / "index", procs=1)


def test_wikinews_builds_completely(wikinews: Index) -> None:
    report = wikinews.last_report
    assert report is not None
    assert (report.added, report.skipped, report.duplicates) == (100, 0, 0)
    st = wikinews.stats()
    assert st.articles == 100 and st.oldest is not None and st.oldest.year == 2012


@pytest.mark.parametrize("q, first", [
    ("SpaceX Dragon", "frwikinews-43971"),
    ("fusée falcon", "frwikinews-43971"),
    ('"station spatiale internationale"', "frwikinews-43971"),
    ("Mohamed Morsi élu président", "frwikinews-44355"),
])
def test_wikinews_known_items_come_first(wikinews: Index, q: str, first: str) -> None:
    assert wikinews.search(q).hits[0].id == first


def test_wikinews_highlights_are_slices_of_the_original(wikinews: Index) -> None:
    for q in ("élection présidentielle", "gouvernemant~", "syr*", "Égypte OR Syrie"):
        res = wikinews.search(q, limit=10)
        assert res.hits, q
        for hit in res.hits:
            art = wikinews.get(hit.id)
            for h in hit.highlights:
                span = getattr(art, h.field)[h.start:h.end]
                assert span and span == span.strip(), (q, span)
            for s, e in hit.snippet_spans:
                assert hit.snippet[s:e].strip() == hit.snippet[s:e]


def test_wikinews_correction_and_suggestion(wikinews: Index) -> None:
    res = wikinews.search("Egpyte")
    assert res.notices[0].code == "corrected" and res.notices[0].params["query"] == "Égypte"
    assert res.total == wikinews.search("Égypte").total > 0
    assert wikinews.search('"Egpyte"').suggestion == '"Égypte"'
