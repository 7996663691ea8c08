"""The scale benchmark's corpus generator: deterministic, the sizes asked, realistic records (no timing)."""

from __future__ import annotations

import gzip
import itertools
from datetime import date
from pathlib import Path

import orjson
import pytest

from bench.scale_corpus import (
    DAYS,
    EXACT,
    FIRST_DAY,
    ArchiveGenerator,
    Generated,
    Perturbation,
    SourceArchive,
    generate_corpora,
    load_source,
    paragraphs,
    parse_size,
)

from .conftest import shared_file

pytestmark = pytest.mark.shared

ORANGESUM = "corpora/orangesum_fr.jsonl.gz"


@pytest.fixture(scope="module")
def source() -> SourceArchive:
    return load_source(shared_file(ORANGESUM))


def first(
    source: SourceArchive, n: int, seed: int = 7, perturbation: Perturbation | None = None
) -> list[Generated]:
    return list(itertools.islice(ArchiveGenerator(source, seed, perturbation or Perturbation()), n))


def test_the_same_seed_gives_the_same_archive_and_another_seed_another(source: SourceArchive) -> None:
    a, b, c = first(source, 300), first(source, 300), first(source, 300, seed=8)
    assert a == b
    assert [g.record["body"] for g in a] != [g.record["body"] for g in c]


def test_ids_are_new_and_unique_and_dates_span_twenty_years(source: SourceArchive) -> None:
    records = [g.record for g in first(source, 3000)]
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & {t.id for t in source.templates}
    days = sorted((date.fromisoformat(r["date"][:10]) - FIRST_DAY).days for r in records)
    assert 0 <= days[0] and days[-1] < DAYS == 7305  # 2005-01-01 to 2024-12-31
    assert days[len(days) // 10] < DAYS // 3 and days[-len(days) // 10] > 2 * DAYS // 3  # spread out
    assert all(r["title"] and r["body"] and r["tags"] for r in records)


def test_bodies_are_paragraphs_of_different_articles_of_the_same_rubrique(source: SourceArchive) -> None:
    by_id = {t.id: t for t in source.templates}
    paragraphs_of: dict[str, set[str]] = {}
    for index, text in itertools.chain.from_iterable(source.pool.values()):
        paragraphs_of.setdefault(source.templates[index].id, set()).add(text)
    for g in first(source, 1500, perturbation=EXACT):  # no name, number, year or sentence changes
        parts = paragraphs(g.record["body"])
        assert len(parts) == len(g.sources) == by_id[g.sources[0]].paragraphs
        assert parts[0] == by_id[g.sources[0]].first  # the template's own opening
        assert all(parts[i] in paragraphs_of[g.sources[i]] for i in range(1, len(parts)))
        assert len(set(g.sources)) == len(g.sources)
        assert {by_id[s].tags for s in g.sources} == {tuple(g.record["tags"])}
    for g in first(source, 1500):  # with the changes, the sources still share the rubrique
        assert {by_id[s].tags for s in g.sources} == {tuple(g.record["tags"])}


def test_the_sizes_asked_are_written_once_and_reused(tmp_path: Path) -> None:
    corpus = shared_file(ORANGESUM)
    infos = generate_corpora([120, 50], source=corpus, seed=3, cache=tmp_path)
    lines = {n: gzip.open(info.path).read().splitlines() for n, info in infos.items()}
    assert {n: len(v) for n, v in lines.items()} == {50: 50, 120: 120}
    assert lines[120][:50] == lines[50]  # the archive is a stream: a smaller one is its beginning
    assert infos[120].stats["articles"] == 120 and infos[120].stats["stems"] > infos[50].stats["stems"]
    assert all(orjson.loads(line)["id"].startswith("scale-3-") for line in lines[50])
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    generate_corpora([50, 120], source=corpus, seed=3, cache=tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(
    ("text", "size"), [("36k", 36_000), ("360K", 360_000), ("1.5m", 1_500_000), ("36152", 36_152)]
)
def test_sizes_are_read_with_k_and_m(text: str, size: int) -> None:
    assert parse_size(text) == size
