"""Shared benchmark pieces: data loaders, query splits, sampling, metrics, the System protocol."""

from __future__ import annotations

import gzip
import importlib
import math
import os
import random
import re
import resource
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import orjson
from rich.console import Console

SHARED_ENV = "SEARCH_SHARED"
SPLIT_SEED = 13
SAMPLE_SEED = 2718  # must differ from SPLIT_SEED: the same stream would pick one half only

#: A document as every system sees it: (id, title, body).
Doc = tuple[str, str, str]
#: A query: (id, text).
Query = tuple[str, str]
#: Judgments: query id -> {doc id: graded relevance}.
Qrels = dict[str, dict[str, int]]
#: An article record as in the corpora: id, title, body, date, tags...
Record = dict[str, Any]

#: Short set names -> directory under ``shared/relevance``.
SETS: dict[str, str] = {
    "piaf": "piaf_v1.0",
    "spf": "spf_questions",
    "orangesum": "orangesum_title_known_item",
}
ORANGESUM_CORPUS = Path("corpora") / "orangesum_fr.jsonl.gz"
_WORD = re.compile(r"\w+(?:\.\w+)*")


def shared_dir() -> Path:
    """Return the shared data directory (``$SEARCH_SHARED`` or ``../shared`` next to the repo).

    Returns:
        The path; it may not exist (callers check and skip).
    """
    env = os.environ.get(SHARED_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def open_text(path: Path) -> IO[str]:
    """Open a UTF-8 text file for reading, transparently gunzipping ``*.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_jsonl(path: Path) -> Iterator[dict]:
    """Yield one dict per non-blank line of a JSON-lines file (``.jsonl`` or ``.jsonl.gz``)."""
    with open_text(path) as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def read_qrels(path: Path) -> Qrels:
    """Read a BEIR ``qrels.tsv`` (header line, then ``query-id<TAB>corpus-id<TAB>score``)."""
    qrels: Qrels = {}
    with path.open(encoding="utf-8") as fh:
        next(fh, None)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


@dataclass(frozen=True)
class RelevanceSet:
    """A loaded relevance set: documents, queries and judgments."""

    name: str
    docs: list[Doc]
    queries: list[Query]
    qrels: Qrels


def load_set(name: str, shared: Path) -> RelevanceSet:
    """Load one relevance set by short name (``piaf``, ``spf`` or ``orangesum``).

    For ``orangesum`` the corpus is the OrangeSum file, body only (title set to ""), and records
    carrying ``duplicate_of`` are skipped, as the set's README asks.

    Args:
        name: A key of `SETS`.
        shared: The shared data directory.

    Returns:
        The loaded set.
    """
    root = shared / "relevance" / SETS[name]
    docs: list[Doc]
    if name == "orangesum":
        records = read_jsonl(shared / ORANGESUM_CORPUS)
        docs = [(r["id"], "", r.get("body") or "") for r in records if not r.get("duplicate_of")]
    else:
        corpus = next(p for p in (root / "corpus.jsonl", root / "corpus.jsonl.gz") if p.exists())
        docs = [(r["id"], r.get("title") or "", r.get("body") or "") for r in read_jsonl(corpus)]
    queries = [(r["id"], r["text"]) for r in read_jsonl(root / "queries.jsonl")]
    return RelevanceSet(name, docs, queries, read_qrels(root / "qrels.tsv"))


def split_queries(query_ids: Iterable[str], seed: int = SPLIT_SEED) -> tuple[list[str], list[str]]:
    """Split query ids deterministically into a "tune" half and a "report" half.

    Args:
        query_ids: The ids to split (order does not matter; they are sorted first).
        seed: Shuffle seed.

    Returns:
        ``(tune, report)``, each sorted; disjoint, together covering the input. The tune half gets
        the smaller half when the count is odd.
    """
    ids = sorted(set(query_ids))
    random.Random(seed).shuffle(ids)
    half = len(ids) // 2
    return sorted(ids[:half]), sorted(ids[half:])


def quick_sample(
    rs: RelevanceSet, *, n_queries: int = 150, max_docs: int = 4000, seed: int = SAMPLE_SEED
) -> RelevanceSet:
    """Return a small, fixed sub-sample of a set for CI runs.

    Keeps ``n_queries`` queries; when the corpus has more than ``max_docs`` documents, keeps the
    documents judged for the kept queries plus a fixed random sample of the others, up to
    ``max_docs``.

    Args:
        rs: The full set.
        n_queries: Queries to keep.
        max_docs: Corpus size cap.
        seed: Sampling seed.

    Returns:
        The sampled set (documents in their original order).
    """
    rng = random.Random(seed)
    ids = sorted(qid for qid, _ in rs.queries)
    kept = set(rng.sample(ids, min(n_queries, len(ids))))
    queries = [q for q in rs.queries if q[0] in kept]
    qrels = {qid: rels for qid, rels in rs.qrels.items() if qid in kept}
    docs = rs.docs
    if len(docs) > max_docs:
        judged = {doc_id for rels in qrels.values() for doc_id in rels}
        others = sorted(d[0] for d in docs if d[0] not in judged)
        room = max(0, max_docs - len(judged))
        keep_docs = judged | set(rng.sample(others, min(room, len(others))))
        docs = [d for d in docs if d[0] in keep_docs]
    return RelevanceSet(rs.name, docs, queries, qrels)


# --- metrics: rankings are lists of doc ids, best first; judgments map doc id -> grade -----------


def mrr_at_k(ranking: Sequence[str], rels: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top ``k`` (0 if none)."""
    for rank, doc_id in enumerate(ranking[:k], start=1):
        if rels.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain, log2 discount: the sum of ``gain_i / log2(i + 1)``, i from 1."""
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], rels: Mapping[str, int], k: int = 10) -> float:
    """Graded nDCG@k (linear gain, log2 discount, ideal ranking taken from the judgments)."""
    ideal = dcg(sorted((g for g in rels.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(max(rels.get(doc_id, 0), 0) for doc_id in ranking[:k]) / ideal


def recall_at_k(ranking: Sequence[str], rels: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the top ``k`` (0 if nothing is relevant)."""
    relevant = {doc_id for doc_id, g in rels.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


METRICS = {
    "MRR@10": lambda r, q: mrr_at_k(r, q, 10),
    "nDCG@10": lambda r, q: ndcg_at_k(r, q, 10),
    "R@10": lambda r, q: recall_at_k(r, q, 10),
    "R@100": lambda r, q: recall_at_k(r, q, 100),
}


def evaluate(
    runs: Mapping[str, Sequence[str]], qrels: Qrels, query_ids: Iterable[str]
) -> dict[str, float]:
    """Average every metric of `METRICS` over the given queries.

    Queries without any judged relevant document are skipped; a query missing from ``runs`` (or
    that returned nothing) scores 0.

    Args:
        runs: Query id -> ranking (doc ids, best first).
        qrels: The judgments.
        query_ids: The queries to average over (e.g. one half of the split).

    Returns:
        Metric name -> mean, plus ``"queries"``: the number of queries averaged.
    """
    judged = [q for q in query_ids if any(g > 0 for g in qrels.get(q, {}).values())]
    out: dict[str, float] = {"queries": float(len(judged))}
    for name, fn in METRICS.items():
        scores = [fn(runs.get(q, []), qrels[q]) for q in judged]
        out[name] = sum(scores) / len(scores) if scores else 0.0
    return out


def reciprocal_ranks(
    runs: Mapping[str, Sequence[str]], qrels: Qrels, query_ids: Iterable[str], k: int = 10
) -> dict[str, float]:
    """RR@k of each judged query (the terms of MRR@k), for paired comparisons of systems."""
    return {q: mrr_at_k(runs.get(q, []), qrels[q], k) for q in query_ids
            if any(g > 0 for g in qrels.get(q, {}).values())}


def bootstrap_difference(
    a: Mapping[str, float], b: Mapping[str, float], *, samples: int = 2000, seed: int = 7
) -> tuple[float, float, float]:
    """Mean of a - b over the queries both hold, with its paired bootstrap 95 % interval.

    Args:
        a: Per-query values of one system (e.g. `reciprocal_ranks`).
        b: The same queries' values for the other system.
        samples: Bootstrap resamples of the queries.
        seed: Resampling seed (fixed: the interval replays).

    Returns:
        ``(mean difference, 2.5th percentile, 97.5th percentile)``.
    """
    common = sorted(set(a) & set(b))
    if not common:
        return 0.0, 0.0, 0.0
    diffs = [a[q] - b[q] for q in common]
    n = len(diffs)
    rng = random.Random(seed)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(samples))
    return sum(diffs) / n, means[int(0.025 * samples)], means[min(samples - 1, int(0.975 * samples))]


class PeerUnavailable(Exception):
    """A peer cannot run here (its package is missing); the message says why."""


def require(module: str) -> Any:
    """Import ``module`` or raise `PeerUnavailable` naming the missing package."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise PeerUnavailable(f"{module} is not installed ({err})") from err


def query_words(text: str) -> list[str]:
    """Lower-cased words of a free-text query, with every query-syntax character removed."""
    return _WORD.findall(text.lower())


class System(Protocol):
    """What a benchmarked search system offers: build an index, answer queries, release it."""

    name: str

    def index(self, docs: list[Doc], workdir: Path) -> None:
        """Index ``docs`` (id, title, body); files go under ``workdir``."""
        ...

    def search(self, query: str, k: int) -> list[str]:
        """Return up to ``k`` doc ids for a free-text query, best first."""
        ...

    def close(self) -> None:
        """Release files and handles."""
        ...


def peak_rss_mb() -> dict[str, float]:
    """Peak resident set size of this process and of its waited-for children, in MiB (Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"self": own / 1024, "children": children / 1024}


def console(*, stderr: bool = False) -> Console:
    """A rich console, wide enough for the result tables when output is not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 140)


def dir_size(path: Path) -> int:
    """Total size in bytes of the regular files under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
