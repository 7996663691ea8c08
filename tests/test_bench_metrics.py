"""Exact-value tests of the benchmark metrics, the query split and the quick sample."""

import math

import pytest

from bench.common import (
    RelevanceSet,
    evaluate,
    mrr_at_k,
    ndcg_at_k,
    quick_sample,
    recall_at_k,
    split_queries,
)


def test_mrr_first_relevant_rank() -> None:
    assert mrr_at_k(["a", "b", "c"], {"b": 1}) == 0.5
    assert mrr_at_k(["b", "a"], {"b": 1}) == 1.0
    assert mrr_at_k(["a", "c", "b"], {"b": 1, "c": 2}) == 0.5


def test_mrr_cutoff_and_empty() -> None:
    ranking = [f"d{i}" for i in range(20)]
    assert mrr_at_k(ranking, {"d10": 1}, k=10) == 0.0
    assert mrr_at_k(ranking, {"d9": 1}, k=10) == 0.1
    assert mrr_at_k([], {"a": 1}) == 0.0
    assert mrr_at_k(["a"], {"a": 0}) == 0.0


def test_ndcg_two_graded_documents_by_hand() -> None:
    rels = {"a": 2, "b": 1}
    # Ranking x, b, a: DCG = 1/log2(3) + 2/log2(4); ideal a, b: 2/log2(2) + 1/log2(3).
    expected = (1 / math.log2(3) + 2 / 2) / (2 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "b", "a"], rels) == pytest.approx(expected, abs=1e-12)
    assert ndcg_at_k(["a", "b", "x"], rels) == 1.0
    assert ndcg_at_k(["x", "y"], rels) == 0.0


def test_ndcg_single_relevant_at_rank_two() -> None:
    assert ndcg_at_k(["x", "a"], {"a": 1}) == pytest.approx(1 / math.log2(3), abs=1e-12)


def test_ndcg_cutoff_and_ideal_from_judgments() -> None:
    assert ndcg_at_k(["x", "a"], {"a": 1}, k=1) == 0.0
    # The ideal ranking uses all judged documents, even those the system never returned.
    assert ndcg_at_k(["a"], {"a": 1, "b": 1}) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall_at_k() -> None:
    rels = {"a": 1, "b": 1, "c": 0}
    assert recall_at_k(["a", "x", "b"], rels, 2) == 0.5
    assert recall_at_k(["a", "x", "b"], rels, 3) == 1.0
    assert recall_at_k(["c"], rels, 10) == 0.0
    assert recall_at_k(["a"], {}, 10) == 0.0


def test_evaluate_skips_unjudged_and_scores_missing_as_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    runs = {"q1": ["x", "a"], "q3": ["c"]}  # q2 returned nothing; q3 has no relevant doc
    got = evaluate(runs, qrels, ["q1", "q2", "q3", "q4"])
    assert got["queries"] == 2
    assert got["MRR@10"] == 0.25
    assert got["R@10"] == 0.5
    assert got["R@100"] == 0.5
    assert got["nDCG@10"] == pytest.approx(0.5 / math.log2(3))


def test_split_is_deterministic_disjoint_and_covering() -> None:
    ids = [f"q{i}" for i in range(101)]
    tune, report = split_queries(ids)
    assert (tune, report) == split_queries(reversed(ids))
    assert not set(tune) & set(report)
    assert set(tune) | set(report) == set(ids)
    assert (len(tune), len(report)) == (50, 51)
    assert split_queries(ids, seed=14) != (tune, report)


def test_quick_sample_keeps_judged_docs_and_caps_corpus() -> None:
    docs = [(f"d{i}", "", f"texte {i}") for i in range(50)]
    queries = [(f"q{i}", f"question {i}") for i in range(30)]
    qrels = {f"q{i}": {f"d{i}": 1} for i in range(30)}
    rs = RelevanceSet("toy", docs, queries, qrels)
    small = quick_sample(rs, n_queries=10, max_docs=20)
    assert small == quick_sample(rs, n_queries=10, max_docs=20)
    assert len(small.queries) == 10 and set(small.qrels) == {q for q, _ in small.queries}
    assert len(small.docs) == 20
    kept = {d[0] for d in small.docs}
    assert all(doc in kept for rels in small.qrels.values() for doc in rels)


def test_the_margin_is_over_the_best_peer_not_over_the_project_on_a_cluster() -> None:
    from bench.relevance import margins

    def system(mrr: float, rr: dict[str, float]) -> dict[str, object]:
        return {"tune": {"MRR@10": mrr}, "rr": rr}

    results = {
        "project": system(0.9, {"q1": 1.0, "q2": 0.8}),
        "cluster": system(0.85, {"q1": 1.0, "q2": 0.7}),  # the project's own engine: no peer
        "plain-whoosh-and": system(0.88, {"q1": 1.0, "q2": 0.76}),
        "tantivy": system(0.6, {"q1": 0.5, "q2": 0.7}),
    }
    found = margins(results, {"tune": ["q1", "q2"]})
    assert found["tune"]["best_peer"] == "tantivy"
    assert found["tune"]["diff"] == pytest.approx(0.3)
