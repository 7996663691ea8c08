"""The fast paths of the local engine's posting cache and scorer agree with whoosh and with each other.

The index is generated: 600 articles over a small vocabulary, in two segments with deletions, so
that posting lists span several blocks and the partial reads (a few candidates among many
postings, blocks skipped) are exercised.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from whoosh import query as wq

from search import Index
from search._whoosh.compiler import QueryPart
from search.analysis import analyze
from search.corpus import Article

WORDS = ("maison jardin rivière montagne village marché école hôpital usine forêt route gare port "
         "théâtre musée stade piscine mairie église château pont quai plage falaise colline vallée "
         "prairie verger moulin ferme grange atelier boutique librairie boulangerie pharmacie banque "
         "poste caserne tribunal prison lycée collège université bibliothèque cinéma opéra parc "
         "jardinier fleuve canal étang lac source glacier volcan désert île cap golfe baie").split()
COMMON = "conseil"  # in every article: its posting lists span several blocks


def _articles(rng: random.Random, start: int, n: int) -> list[Article]:
    out = []
    for i in range(start, start + n):
        body = " ".join([COMMON] + [rng.choice(WORDS) for _ in range(rng.randint(5, 40))])
        out.append(Article(id=f"a{i}", title=f"{COMMON} {rng.choice(WORDS)}", body=body))
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Index:
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("docsets") / "index"
    first = _articles(rng, 0, 600)
    Index.rebuild(first, path, procs=1).close()
    # a second segment, and deletions in the first: document numbers get an offset and holes
    changed = first[:550] + _articles(rng, 1000, 120)
    ix = Index.open(path)
    report = ix.update(changed)
    assert (report.added, report.deleted) == (120, 50)
    yield ix
    ix.close()


def _stems(words: str) -> list[str]:
    return [t.text for t in analyze(words)]


def test_the_index_has_two_segments_with_deletions(generated: Index) -> None:
    stats = generated.stats()
    assert (stats.articles, stats.segments, stats.deleted) == (670, 2, 50)
    assert len({_stems(w)[0] for w in WORDS}) == len(WORDS)


@pytest.mark.parametrize("slop", [1, 3])
def test_phrases_match_exactly_what_whoosh_matches(generated: Index, slop: int) -> None:
    rng = random.Random(slop)
    with generated.backend.snapshot() as snap:
        checked = 0
        for _ in range(60):
            words = [rng.choice(WORDS[:8] + [COMMON]) for _ in range(rng.randint(2, 3))]
            stems = _stems(" ".join(words))
            expected = set(snap.searcher.docs_for_query(wq.Phrase("body", stems, slop=slop)))
            assert set(np.flatnonzero(snap.postings.phrase("body", stems, slop)).tolist()) == expected, words
            cached = snap.postings.phrase("body", stems, slop)
            assert set(np.flatnonzero(cached).tolist()) == expected, words  # the cached answer
            checked += bool(expected)
    assert checked > 20  # most phrases match something: the comparison is not vacuous


def test_positions_of_a_few_documents_equal_those_of_all(generated: Index) -> None:
    with generated.backend.snapshot() as snap:
        sets = snap.postings
    stem = _stems(COMMON)[0]
    every = sets._read_positions("body", stem, None, None)
    assert len(every) == 670
    few = {d for d in every if d % 97 == 0} | {max(every)}
    assert sets._read_positions("body", stem, few, None) == {d: every[d] for d in few}
    assert sets._read_positions("body", stem, {10_000}, None) == {}


def test_scores_added_with_numpy_equal_a_plain_sum(generated: Index) -> None:
    with generated.backend.snapshot() as snap:
        ranker, sets = snap.scorer, snap.postings
    fields = (("title", snap.ranking.title_boost), ("body", 1.0))
    parts = [QueryPart((_stems(COMMON)[0],), fields, 1.0, "all"),
             QueryPart(tuple(_stems("maison jardin")), fields, 2.0, "any")]
    expected: dict[int, float] = {}
    for part in parts:  # the reference: a plain Python sum, part after part
        ids, values = ranker.part(part)
        for d, v in zip(ids, values, strict=True):
            expected[d] = expected.get(d, 0.0) + part.boost * v
    everyone = set(np.flatnonzero(sets.live()).tolist())
    total, scored = ranker.scores(parts, everyone)
    assert len(expected) == 670 and int(scored.sum()) == 670
    assert {int(d): float(total[d]) for d in scored.nonzero()[0]} == expected  # bit for bit
    few = set(sorted(everyone)[::50])
    total, scored = ranker.scores(parts, few)
    assert {int(d) for d in scored.nonzero()[0]} == few & set(expected)
    best = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert ranker.top(ranker.scores(parts, everyone), 10) == best


def test_soft_coordination_scales_articles_by_the_share_of_words_they_hold(generated: Index) -> None:
    words = ["volcan", "glacier", "falaise", "colline", "verger", "moulin", "quai"]  # few hold all
    settings = replace(generated.backend.ranking, lead_weight=0.0, exact_first_words=0)
    plain = Index.open(generated.path, ranking=settings)
    coord = Index.open(generated.path, ranking=replace(settings, coord=1.0))
    try:
        before = {h.id: h for h in plain.search(" ".join(words), limit=200, snippets=False).hits}
        after = {h.id: h for h in coord.search(" ".join(words), limit=200, snippets=False).hits}
    finally:
        plain.close()
        coord.close()
    assert len(before) == len(after) == 200  # relaxed: the best 200 with some of the words
    compared = 0
    for article_id, hit in after.items():
        if article_id not in before:
            continue
        stored = generated.get(article_id)
        assert stored is not None
        held = sum(1 for w in words if w in f"{stored.title} {stored.body}".split())
        assert hit.score == pytest.approx(before[article_id].score * held / len(words), abs=2e-4)
        compared += 1
    assert compared > 100
