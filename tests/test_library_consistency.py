"""The library's answers agree with each other: dates with their time zone, authors as a list,
what an update changed by id, the writing phase of a progress callback, months and years."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from search import FacetCount, Index
from search.export import json_bytes, to_csv, to_json, to_jsonl
from search.results import IndexStats, years_of

from .conftest import NEWS

TWO_AUTHORS = {"id": "duo", "title": "Un article à deux mains", "body": "Deux auteurs écrivent ensemble.",
               "author": ["Claire Dubois", "Marc Lefèvre"], "date": "2024-02-03T10:00:00+01:00"}


def test_stats_dates_are_datetimes_with_their_time_zone(news_index: Index) -> None:
    st = news_index.stats()
    assert isinstance(st.built_at, datetime) and st.built_at.utcoffset() is not None
    assert isinstance(st.updated_at, datetime) and st.updated_at >= st.built_at
    assert st.newest is not None and st.newest.utcoffset() is not None
    hit = news_index.search("date:2024-09").hits[0]
    assert hit.date == st.newest and hit.date is not None and hit.date.tzinfo == st.newest.tzinfo
    data = orjson.loads(json_bytes(st))
    assert data["built_at"].endswith("+00:00") and data["newest"] == "2024-09-19T08:00:00+02:00"
    # another engine may hand ISO text: it is parsed
    other = IndexStats(Path("x"), 1, 1, None, None, 4, "2026-01-02T03:04:05+00:00", None, 1, 0, 0, 0)
    assert other.built_at == datetime.fromisoformat("2026-01-02T03:04:05+00:00")


def test_author_stays_a_list_in_json(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    solo = {"id": "solo", "title": "Un article seul", "body": "Un auteur écrit seul.", "author": "Léa Martin"}
    corpus.write_text(json.dumps(TWO_AUTHORS) + "\n" + json.dumps(solo) + "\n", encoding="utf-8")
    with Index.rebuild(corpus, tmp_path / "ix", procs=1) as ix:
        res = ix.search("auteur OR auteurs")
        by_id = {h.id: h for h in res.hits}
        assert by_id["duo"].author == "Claire Dubois, Marc Lefèvre"  # the library's str, as before
        assert by_id["duo"].authors == ("Claire Dubois", "Marc Lefèvre")
        hits = {h["id"]: h for h in orjson.loads(to_json(res))["hits"]}
        assert hits["duo"]["author"] == ["Claire Dubois", "Marc Lefèvre"]
        assert hits["duo"]["authors"] == ["Claire Dubois", "Marc Lefèvre"]
        assert hits["solo"]["author"] == "Léa Martin" and hits["solo"]["authors"] == ["Léa Martin"]
        lines = {d["id"]: d for d in map(orjson.loads, to_jsonl(res).splitlines())}
        assert lines["duo"]["author"] == ["Claire Dubois", "Marc Lefèvre"]
        assert orjson.loads(json_bytes(ix.get("duo")))["author"] == ["Claire Dubois", "Marc Lefèvre"]
        assert "Claire Dubois, Marc Lefèvre" in to_csv(res)


def test_an_update_reports_the_ids_it_added_changed_and_deleted(tmp_path: Path) -> None:
    records = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Index.rebuild(corpus, tmp_path / "ix", procs=1) as ix:
        assert ix.last_report is not None and ix.last_report.added_ids == []  # a rebuild: all new
        records[0]["title"] += " (corrigé)"
        gone = records.pop(1)["id"]
        records.append(TWO_AUTHORS)
        corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        report = ix.update(corpus)
    assert (report.added_ids, report.updated_ids, report.deleted_ids) == (["duo"], [records[0]["id"]], [gone])


def test_progress_is_told_when_the_writing_starts(tmp_path: Path) -> None:
    phased: list[tuple[int, Any, str]] = []
    plain: list[tuple[int, Any]] = []
    Index.rebuild(NEWS, tmp_path / "a", procs=1,
                  progress=lambda done, total, phase="index": phased.append((done, total, phase))).close()
    assert phased[-2:] == [(12, 12, "index"), (12, 12, "write")]
    # a callback of two arguments (the API before phases) is called as before
    Index.rebuild(NEWS, tmp_path / "b", procs=1,
                  progress=lambda done, total: plain.append((done, total))).close()
    assert plain[-1] == (12, 12)
    with Index.open(tmp_path / "a") as ix:
        corpus = tmp_path / "c.jsonl"
        corpus.write_text(NEWS.read_text(encoding="utf-8") + json.dumps(TWO_AUTHORS) + "\n", encoding="utf-8")
        updated: list[str] = []
        ix.update(corpus, progress=lambda done, total, **kw: updated.append(kw["phase"]))
    assert updated[-2:] == ["index", "write"]


def test_months_and_years_are_one_count(news_index: Index) -> None:
    res = news_index.search("date:>=2000")
    months = res.facets["month"]
    assert [m.value for m in months] == sorted((m.value for m in months), reverse=True)  # newest first
    assert sum(m.count for m in months) == res.total == 11
    assert res.facets["year"] == years_of(months)
    assert months[:2] == (FacetCount("2024-09", 1), FacetCount("2024-06", 1))
    filtered = news_index.search("date:>=2000", filters={"year": 2023})
    assert sum(m.count for m in filtered.facets["month"]) == filtered.total == 3
    assert {m.value[:4] for m in filtered.facets["month"]} == {"2023"}
