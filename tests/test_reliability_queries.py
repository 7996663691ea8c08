"""Anything typed in the search box: `search()` returns `Results` in bounded time and never raises
(on both backends: the local index and a 2-node cluster, the `index` fixture).

Generated queries cover the whole query language (operators in both languages, groups, phrases with
slop and boost, prefixes, typos, every field, dates and ranges) and random text; hostile ones the
edges (unbalanced syntax, huge numbers, thousands of terms, 100 KB, pathological expansions).
"""

from __future__ import annotations

import gzip
import itertools
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import Index, Results
from search._whoosh.postings import PostingCache

from .conftest import NEWS, run_cli, shared_file

#: Generous wall-clock ceiling for one query on the small fixture index (CI machines are slow).
CEILING_SMALL = 5.0
#: Ceiling for one pathological query on a realistic index (the engine stops itself well before).
CEILING_LARGE = 15.0


def check(ix: Index, q: str, ceiling: float = CEILING_SMALL, **options: object) -> Results:
    """Search; check the result is well formed and came in bounded time."""
    started = time.monotonic()
    res = ix.search(q, **options)  # type: ignore[arg-type]
    took = time.monotonic() - started
    assert isinstance(res, Results)
    assert took < ceiling, f"{q[:80]!r} took {took:.1f} s"
    limit = options.get("limit", 10)
    assert isinstance(limit, int) and res.total >= len(res.hits) and len(res.hits) <= limit
    assert len({h.id for h in res.hits}) == len(res.hits)
    for warning in res.notices:
        assert isinstance(warning, str) and warning.code and "\n" not in warning  # type: ignore[attr-defined]
    for hit in res.hits:
        for h in hit.highlights:
            text = hit.title if h.field == "title" else None
            if text is not None:
                assert 0 <= h.start < h.end <= len(text)
        for start, end in hit.snippet_spans:
            assert 0 <= start < end <= len(hit.snippet)
    return res


# -- the query language, generated ---------------------------------------------------------------------

WORDS = ["retraite", "réforme", "électricité", "ÉLECTRICITÉ", "chevaux", "l'Élysée", "aujourd’hui",
         "Saint-Étienne", "porte-parole", "COVID-19", "I.A.", "7,5", "œuvre", "les", "des", "zzzz", "a",
         "été", "grève", "gouvernemant", "x" * 300, "Ωμέγα", "中文", "\U0001f600", "e\u0301", "\u202e",
         "\u0000", "NaN", "1e999", "-1", "*", "?", "~", "^", ":", "\\", "''", "’"]
FIELDS = ["titre", "title", "corps", "body", "texte", "source", "auteur", "author", "rubrique", "tag",
          "tags", "date", "TITRE", "unknown", "http", "a"]
DATES = ["2024", "2024-03", "2024-03-15", "2024-13", "2024-02-30", "0000", "9999-12-31", "99999", "x",
         ">=2024-01", "<2023", ">2020", "<=2021-06", "[2024-01-01 TO 2024-06-30]", "[2024-01 À 2024-06]",
         "[* TO 2020]", "[2020 TO *]", "[* TO *]", "[2024 TO]", "[TO]", "[2024-01-01 TO", "{2020 TO 2021}",
         "[2021 a 2020]", ""]
NUMBER = st.one_of(st.integers(0, 12), st.integers(0, 10**30), st.just(-1)).map(str)


@st.composite
def term(draw: st.DrawFn) -> str:
    word = draw(st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8)))
    suffix = draw(st.sampled_from(["", "*", "**", "~", "~1", "~2", "~9", "~999999999999", "^2", "^0",
                                   "^1e9", "^-3", "~2^3", "*~", "?"]))
    prefix = draw(st.sampled_from(["", "", "-", "+", "*", "--", "+-"]))
    return prefix + word + suffix


@st.composite
def phrase(draw: st.DrawFn) -> str:
    words = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=5)))
    slop = draw(st.sampled_from(["", "~", f"~{draw(NUMBER)}"]))
    boost = draw(st.sampled_from(["", "^2", "^99999"]))
    close = draw(st.sampled_from(['"', '"', '"', ""]))
    return f'{draw(st.sampled_from(["", "-", "+"]))}"{words}{close}{slop}{boost}'


def fielded(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(FIELDS), st.one_of(inner, st.sampled_from(DATES), st.just(""))).map(
        lambda fv: f"{fv[0]}:{fv[1]}")


ATOM = st.one_of(term(), phrase(), fielded(term()), fielded(phrase()))
OPERATOR = st.sampled_from(["OR", "OU", "AND", "ET", "NOT", "SAUF", "||", "&&", "or", "-", "+", "(", ")",
                            "[", "]", "{", "}", '"', ":", "^", "~"])


def expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        ATOM,
        lambda inner: st.one_of(
            st.lists(st.one_of(inner, OPERATOR), min_size=1, max_size=6).map(" ".join),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"({e}"),
            st.tuples(st.sampled_from(FIELDS), inner).map(lambda fe: f"{fe[0]}:({fe[1]})"),
        ),
        max_leaves=12,
    )


QUERIES = st.one_of(expressions(), st.text(max_size=60),
                    st.text(alphabet=st.sampled_from('()"[]{}:*~^-+ aAéÉ’\'\\\x00\u202e'), max_size=40))
OPTIONS = st.fixed_dictionaries({}, optional={
    "limit": st.integers(0, 30), "offset": st.integers(0, 40),
    "sort": st.sampled_from(["relevance", "date", "-date"]),
    "filters": st.fixed_dictionaries({}, optional={
        "source": st.sampled_from(["AFP", "Le Courrier du Matin", "", "é", "zzz"]),
        "tags": st.lists(st.sampled_from(["politique", "culture", "économie", "x"]), max_size=3),
        "year": st.sampled_from(["2023", "2024", "1900"]),
        "author": st.text(max_size=5)}),
    "date_from": st.sampled_from(["2020", "2023-03", "2024-02-29", None]),
    "date_to": st.sampled_from(["2024", "2023-03-31", None]),
    "facets": st.booleans(), "snippets": st.booleans()})


@settings(max_examples=600, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(q=QUERIES, options=OPTIONS)
def test_any_query_gives_results(index: Index, q: str, options: dict[str, object]) -> None:
    check(index, q, **options)


@pytest.mark.slow
@settings(max_examples=4000, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(q=QUERIES, options=OPTIONS)
def test_many_more_queries_give_results(index: Index, q: str, options: dict[str, object]) -> None:
    check(index, q, **options)


# -- hostile queries ---------------------------------------------------------------------------------

HOSTILE = {
    "unbalanced quote": ('"bouclier tarifaire', "unclosed_quote"),
    "only quotes": ('"' * 1001, "unclosed_quote"),
    "unbalanced parentheses": ("((retraite OR grève", "unbalanced"),
    "closing parentheses": ("retraite))))", "unbalanced"),
    "deep parentheses": ("(" * 5000 + "retraite" + ")" * 5000, "too_long"),
    "unclosed range": ("date:[2024-01 TO 2024", "unclosed_range"),
    "stray operators": ("OR AND NOT ET OU SAUF", "dangling_operator"),
    "operator at the end": ("retraite OR", "dangling_operator"),
    "empty field": ("titre:", "empty_field"),
    "empty field then word": ("titre:  retraite", "empty_field"),
    "unknown field": ("couleur:rouge", "unknown_field"),
    "bad date": ("date:2024-13-45", "bad_date"),
    "bad range": ("date:[demain TO hier]", "bad_date"),
    "huge fuzzy": ("gouvernemant~999999999999999999999", "fuzzy_capped"),
    "fuzzy 9": ("électricité~9", "fuzzy_capped"),
    "huge slop": ('"prix électricité"~99999999999999', ""),
    "huge boost": ("retraite^1e308", ""),
    "leading wildcard": ("*traite", "wildcard"),
    "both wildcards": ("*a*", "wildcard"),
    "many wildcards": ("a*b*c*d*", "wildcard"),
    "question marks": ("r?traite", "wildcard"),
    "lone star": ("*", ""),
    "thousands of terms": (" ".join(f"mot{i}" for i in range(5000)), "too_long"),
    "thousands of short terms": (" ".join(itertools.islice(itertools.cycle(WORDS[:12]), 3000)), "too_long"),
    "100 KB": ("électricité " * 9000, "too_long"),
    "100 KB of one word": ("x" * 100_000, "too_long"),
    "only stop words": ("les des du de la", "only_stopwords"),
    "NUL and controls": ("retr\x00aite \x1b[31m \x7f", ""),
    "lone surrogate": ("retraite \ud800", ""),
    "right to left": ("\u202eetiarter\u202c", ""),
    "emoji": ("\U0001f600 retraite \U0001f468\u200d\U0001f469\u200d\U0001f467", ""),
    "combining marks only": ("\u0301\u0301\u0301", ""),
    "whitespace": (" \t\n\r\u00a0\u2028", ""),
    "empty": ("", ""),
    "path": ("../../../../etc/passwd", ""),
    "field with path": ("source:../../etc", "no_such_value"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_queries_give_results_and_say_what_was_done(index: Index, name: str) -> None:
    q, code = HOSTILE[name]
    res = check(index, q)
    if code:
        assert code in {w.code for w in res.notices}, res.notices  # type: ignore[attr-defined]


def test_a_query_that_runs_out_of_time_stops_with_a_notice(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ix = Index.rebuild(NEWS, tmp_path / "index", procs=1)
    queries = ("retraite", "a* b* c*", "électricité~2 retraite~", '"réforme retraites"~5 OR grève')
    ix.time_limit = 0.0
    for q in queries:  # set algebra and ranking check the clock too (tests/test_data_safety.py)
        res = check(ix, q, limit=5)
        assert "time_limit" in {w.code for w in res.notices}, (q, res.notices)  # type: ignore[attr-defined]
    # and so do whoosh's matchers, for the query kinds the set algebra does not know
    monkeypatch.setattr(PostingCache, "of",
                        lambda self, q, fallback=None, clock=None: fallback(q) if fallback else None)
    for q in queries:
        res = check(ix, q, limit=5)
        assert "time_limit" in {w.code for w in res.notices}, (q, res.notices)  # type: ignore[attr-defined]
    ix.time_limit = None
    for q in queries:
        assert "time_limit" not in {w.code for w in check(ix, q).notices}  # type: ignore[attr-defined]


def test_the_cli_takes_any_query(index: Index) -> None:
    for q in ("((", "titre:", "\u202e", "-n", "--json"):
        code, out, err = run_cli("query", "--index", index.location, "--", q)
        assert code == 0 and out.startswith(("0 results", "1 result")), (q, out, err)
        assert all(line.startswith("note: ") for line in err.splitlines()), (q, err)  # notices on stderr


# -- pathological cost on a realistic index -----------------------------------------------------------

#: Articles of OrangeSum indexed for the cost checks.
REALISTIC = 2000


@pytest.fixture(scope="module")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> Index:
    source = shared_file("corpora/orangesum_fr.jsonl.gz")
    root = tmp_path_factory.mktemp("realistic")
    corpus = root / "orangesum.jsonl"
    with gzip.open(source, "rb") as src, corpus.open("wb") as dst:
        dst.writelines(itertools.islice(src, REALISTIC))
    return Index.rebuild(corpus, root / "index", procs=1)


LETTERS = "abcdefghijlmnoprstv"
PATHOLOGICAL = {
    "every letter as a prefix": " ".join(f"{c}*" for c in LETTERS),
    "every letter as a prefix, OR": " OR ".join(f"{c}*" for c in LETTERS),
    "the same prefix 64 times": " ".join(["a*"] * 64),
    "both-side wildcards": " ".join(f"*{c}*" for c in LETTERS),
    "64 fuzzy words": " ".join(f"{w}~2" for w in itertools.islice(itertools.cycle(
        ["gouvernement", "président", "ministre", "élection", "économie", "entreprise", "politique",
         "commune", "national", "sécurité", "personne", "semaine"]), 64)),
    "fuzzy 9 on short words": " ".join(f"{c}{c}~9" for c in LETTERS),
    "64 sloppy phrases": " ".join(f'"{w} {w}"~50' for w in itertools.islice(itertools.cycle(
        ["le", "gouvernement", "france", "président", "année", "paris"]), 64)),
    "a phrase of 500 words": '"' + " ".join(["macron"] * 500) + '"~50',
    "negated prefixes": " ".join(f"-{c}*" for c in LETTERS),
    "prefixes in every field": " ".join(f"{f}:{c}*" for f in ("titre", "corps") for c in LETTERS[:10]),
}


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_queries_are_bounded(realistic: Index, name: str) -> None:
    q = PATHOLOGICAL[name]
    res = check(realistic, q, ceiling=CEILING_LARGE)
    assert res.took_ms < CEILING_LARGE * 1000
    assert res.total > 0 or res.notices


@pytest.mark.slow
@pytest.mark.shared
def test_ordinary_queries_are_not_cut_on_a_realistic_index(realistic: Index) -> None:
    for q in ("réforme des retraites", "macron", "électri*", "gouvernemant~", '"premier ministre"'):
        res = check(realistic, q, ceiling=CEILING_LARGE)
        assert res.total > 0 and "time_limit" not in {w.code for w in res.notices}, q  # type: ignore[attr-defined]
