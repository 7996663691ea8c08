"""Highlight offsets are exact slices of the original text, whatever the text; and every
highlighted span of a search is a match of one of the query's terms."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import Index
from search.analysis import analyze
from search.highlight import best_passage, match_spans

from .conftest import NEWS, REPO

FRENCH_WORDS = ["l’œuvre", "cœur", "Élysée", "aujourd’hui", "qu’il", "porte-parole",
                "Saint‑Étienne", "électricité", "7,5", "%", "«", "»", "…", "COVID-19", "I.A.",
                "e\u0301te\u0301", "naïve", "Noël", "ÇA", "l'avion", "jusqu’à", "été", "son",
                "\u00a0", "\u202f", "\n\n", "—", "retraites", "Œdipe", "æ", "ß", "🙂", "x" * 70]

french_text = st.lists(st.sampled_from(FRENCH_WORDS) | st.text(max_size=8), max_size=60).map(
    lambda parts: " ".join(parts))


@settings(max_examples=300, deadline=None)
@given(text=french_text, data=st.data())
def test_spans_are_exact_slices_whose_analysis_is_the_term(text: str, data: st.DataObject) -> None:
    tokens = analyze(text, mode="index")
    if not tokens:
        assert match_spans(text, {"retrait"}) == []
        return
    wanted = set(data.draw(st.lists(st.sampled_from([t.text for t in tokens]), min_size=1)))
    spans = match_spans(text, wanted)
    assert spans, (text, wanted)
    last_end = -1
    for start, end, term in spans:
        assert 0 <= start < end <= len(text)
        assert start >= last_end, "spans are sorted and do not overlap"
        last_end = end
        piece = text[start:end]
        assert piece == piece.strip()
        assert term in wanted
        assert {t.text for t in analyze(piece, mode="index")} & wanted, (piece, term)


@settings(max_examples=300, deadline=None)
@given(text=french_text, data=st.data())
def test_snippet_spans_show_the_same_words(text: str, data: st.DataObject) -> None:
    tokens = analyze(text, mode="index")
    wanted = {t.text for t in tokens[: data.draw(st.integers(0, 3))]}
    spans = match_spans(text, wanted)
    passage, inner = best_passage(text, spans, size=80)
    originals = [text[s:e] for s, e, _ in spans]
    shown = [passage[s:e] for s, e in inner]
    assert all(piece in originals for piece in shown)
    if spans and text.strip():
        assert shown, "the passage holds at least one match"
    assert "\n" not in passage


TRICKY_TOKENS = ("yeux", "a-t-il", "n'a-t-il", "d'à-coups", "C_Two", "ex-PS", "PS", "l'e-prix", "I.A.", "7,5",
                 "Œuvre", "aujourd’hui", "porte-parole", "week-end", "Saint-Étienne", "ﬁn", "Ærø", "北京",
                 "jusqu’au", "travaux", "cieux", "S.N.C.F.", "1.000.000", "e\u0301te\u0301")


def _all_tokens() -> list[str]:
    from search.analysis import _TOKEN
    from search.corpus import iter_articles

    texts = [f"{r.article.title} {r.article.lead} {r.article.body}" for source in (NEWS, REPO / "corpus")
             for r in iter_articles(source)]
    return sorted({t for text in texts for t in _TOKEN.findall(text)} | set(TRICKY_TOKENS))


def test_the_quick_test_never_skips_a_token_that_gives_a_wanted_term() -> None:
    """`spans` skips the analysis of tokens that cannot give a wanted term: it must never
    skip one that does (every term begins like one of its token's folded parts)."""
    from search.analysis import FrenchAnalyzer
    from search.quick_test import may_give

    analyzer = FrenchAnalyzer()
    checked = 0
    for token in _all_tokens():
        parsed = analyzer._parsed(token)
        for term in {*parsed[3], *([parsed[1]] if parsed[1] else [])}:
            assert may_give(token, {term[:2]}), (token, term)
            checked += 1
    assert checked > 3000
    assert not may_give("maison", {"ch", "re"}) and may_give("l’avion", {"av"})


def test_spans_with_a_cold_cache_equal_spans_with_every_token_analysed() -> None:
    from search.analysis import FrenchAnalyzer
    from search.corpus import iter_articles

    for record in iter_articles(REPO / "corpus"):
        body = record.article.body
        warm = FrenchAnalyzer()
        every = set(warm.index_terms(body))  # every token analysed, cached
        wanted = set(sorted(every)[::7])
        assert FrenchAnalyzer().spans(body, wanted) == warm.spans(body, wanted)


def _news_words() -> list[str]:
    import orjson

    from search.words import WORD_RE

    words: set[str] = set()
    for line in (Path(__file__).parent / "data" / "news.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        for name in ("title", "lead", "body"):
            words.update(WORD_RE.findall(record.get(name) or ""))
    return sorted(words)


NEWS_WORDS = _news_words()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(NEWS_WORDS), min_size=1, max_size=3))
def test_every_highlight_is_a_match_of_a_query_term(news_index: Index, words: list[str]) -> None:
    q = " ".join(words)
    wanted = {t.text for t in analyze(q, mode="index")}
    res = news_index.search(q, limit=20)
    for hit in res.hits:
        article = news_index.get(hit.id)
        for h in hit.highlights:
            piece = getattr(article, h.field)[h.start:h.end]
            assert piece and piece == piece.strip(), (q, h)
            assert {t.text for t in analyze(piece, mode="index")} & wanted, (q, h.field, piece)
        for (s, e) in hit.snippet_spans:
            assert {t.text for t in analyze(hit.snippet[s:e], mode="index")} & wanted, (q, hit.snippet[s:e])


def _every_token(text: str, wanted: set[str]) -> list[tuple[int, int, str]]:
    """The spans of `wanted` with every token of `text` analysed (no shortcut)."""
    from search.analysis import FrenchAnalyzer

    terms = FrenchAnalyzer().terms(text, "index")
    return [(s, e, t) for t, _, s, e in terms if t is not None and t in wanted]


def test_spans_look_only_at_candidate_words_and_find_every_span() -> None:
    """`spans` skips to the words that may give a wanted term: on every text of the test
    corpora, and the tricky tokens, it finds exactly what analysing every token finds."""
    from search.analysis import FrenchAnalyzer
    from search.corpus import iter_articles

    texts = [f"{r.article.title}\n{r.article.lead} {r.article.body}" for source in (NEWS, REPO / "corpus")
             for r in iter_articles(source)]
    texts.append(" ".join(TRICKY_TOKENS) + " des yeux, l’œil, (jeux)-vidéo, 7,5 %, _x, ², un e-mail, "
                                           "l'e-sport")
    checked = 0
    for i, text in enumerate(texts):
        terms = sorted({t for t, _, _, _ in FrenchAnalyzer().terms(text, "index") if t})
        few = [{*terms[j::41][:2]} for j in range(min(41, len(terms)))]  # skipping to candidates
        for wanted in (*few, {*terms[i % 5::5]}, {"oeil", "jeu", "7.5", "travail"}, {"email", "esport"}):
            expected = _every_token(text, wanted)
            assert FrenchAnalyzer().spans(text, wanted) == expected, (text[:80], sorted(wanted)[:5])
            checked += len(expected)
    assert checked > 5000


@settings(max_examples=300, deadline=None)
@given(text=french_text, data=st.data())
def test_spans_equal_the_spans_of_every_token(text: str, data: st.DataObject) -> None:
    terms = sorted({t.text for t in analyze(text, mode="index")} | {"oeil", "ia", "7.5"})
    wanted = set(data.draw(st.lists(st.sampled_from(terms), min_size=1)))
    from search.analysis import FrenchAnalyzer

    assert FrenchAnalyzer().spans(text, wanted) == _every_token(text, wanted)
