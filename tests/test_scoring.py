"""BM25F as `search._whoosh.scoring` computes it, checked against a hand computation on a
tiny corpus: idf, one saturation over the weighted fields, length normalisation per field,
field weights; and typo tiers that rank an exact word first whatever the scores."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import Article, Index, RankingConfig
from search._whoosh.compiler import QueryPart

# title / lead / body, and their terms once analysed (stop words out, stems), by hand
DOCS = [
    Article(id="a", title="Chat noir", lead="", body="Le chat dort."),        # chat noir | chat dort
    Article(id="b", title="Chien", lead="Un chat passe.", body="Chat, chat, chien court."),
    Article(id="c", title="Oiseau", lead="", body="L'oiseau vole et chante."),  # oiseau | oiseau vol chant
]
K1, B = 1.2, 0.6
WEIGHTS = {"title": 2.0, "lead": 1.5, "body": 1.0}
#: field lengths in terms, by document: title, lead, body
LENGTHS = {"a": (2, 0, 2), "b": (1, 2, 4), "c": (1, 0, 3)}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    path: Path = tmp_path_factory.mktemp("tiny") / "index"
    ranking = RankingConfig(k1=K1, b=B, title_boost=2.0, lead_boost=1.5, proximity_weight=0.0)
    ix = Index.rebuild(DOCS, path, procs=1, ranking=ranking)
    yield ix
    ix.close()


def by_hand(tf: dict[str, tuple[int, int, int]], df: int, n: int = 3) -> dict[str, float]:
    """BM25F of one term: tf by document as (title, lead, body)."""
    avg = [sum(LENGTHS[d][f] for d in LENGTHS) / n for f in range(3)]
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    out = {}
    for doc, counts in tf.items():
        x = 0.0
        for f, name in enumerate(("title", "lead", "body")):
            norm = 1 - B + B * LENGTHS[doc][f] / avg[f] if avg[f] > 0 else 1.0
            x += WEIGHTS[name] * counts[f] / norm
        out[doc] = idf * x * (K1 + 1) / (x + K1)
    return out


def scores(ix: Index, stem: str) -> dict[str, float]:
    fields = tuple(WEIGHTS.items())
    with ix.backend.snapshot() as snap:
        ids, values = snap.scorer.stem(stem, fields)
        keys = {int(snap.key_of(a.id)): a.id for a in DOCS}  # type: ignore[arg-type]
    return {keys[d]: v for d, v in zip(ids, values, strict=True)}


def test_bm25f_of_a_term_in_two_fields_equals_the_hand_computation(tiny: Index) -> None:
    expected = by_hand({"a": (1, 0, 1), "b": (0, 1, 2)}, df=2)
    got = scores(tiny, "chat")
    assert got == pytest.approx(expected, rel=1e-9)
    # the numbers themselves, so that a formula changed on both sides still fails
    assert got == pytest.approx({"a": 0.722908, "b": 0.684335}, abs=1e-6)


def test_bm25f_idf_and_length_normalisation(tiny: Index) -> None:
    assert scores(tiny, "oiseau") == pytest.approx(by_hand({"c": (1, 0, 1)}, df=1), rel=1e-9)
    assert scores(tiny, "chien") == pytest.approx(by_hand({"b": (1, 0, 1)}, df=1), rel=1e-9)
    assert scores(tiny, "dort") == pytest.approx(by_hand({"a": (0, 0, 1)}, df=1), rel=1e-9)


def test_a_query_adds_its_parts_and_ranks_by_the_sum(tiny: Index) -> None:
    res = tiny.search("chat chien", limit=3, snippets=False)
    chat, chien = scores(tiny, "chat"), scores(tiny, "chien")
    # b holds both words; the opening boost multiplies by 1 + lead_weight * share of words in its opening
    assert [h.id for h in res.hits] == ["b", "a"]  # a, with one of the words, follows
    boost = 1 + tiny.backend.ranking.lead_weight  # type: ignore[attr-defined]
    assert res.hits[0].score == pytest.approx(round((chat["b"] + chien["b"]) * boost, 4), abs=1e-4)


def test_typo_tiers_rank_an_exact_word_before_a_typo_whatever_the_scores(tiny: Index) -> None:
    fields = tuple(WEIGHTS.items())
    exact_low = QueryPart(("dort", "oiseau"), fields, 1.0, "any", (0, 8))
    with tiny.backend.snapshot() as snap:
        scorer = snap.scorer
        everyone = snap.postings.live()
        total, scored = scorer.scores([exact_low], everyone)
        typos = scorer.typos([exact_low])
        assert typos is not None
        a, c = int(snap.key_of("a")), int(snap.key_of("c"))  # type: ignore[arg-type]
        assert total[c] > total[a]  # the typo's article scores more…
        assert [d for d, _ in scorer.top((total, scored), 2, typos=typos)] == [a, c]  # …and ranks after
        assert [d for d, _ in scorer.top((total, scored), 2)] == [c, a]
