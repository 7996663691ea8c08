"""Corpus readers: every format, text hygiene, ids, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from search.corpus import Article, CorpusReport, content_hash, read_corpus
from search.errors import CorpusError

GOOD = {"id": "a1", "title": "Un titre", "body": "Un corps de texte."}


def write_jsonl(path: Path, lines: list[object | str | bytes]) -> Path:
    with path.open("wb") as fh:
        for line in lines:
            if isinstance(line, bytes):
                fh.write(line + b"\n")
            elif isinstance(line, str):
                fh.write(line.encode() + b"\n")
            else:
                fh.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
    return path


def read(path: Path, strict: bool = False) -> tuple[list[Article], CorpusReport]:
    report = CorpusReport(strict=strict)
    articles = [r.article for r in read_corpus(path, report)]
    return articles, report


def problems(report: CorpusReport) -> list[str]:
    return [str(p) for p in report.problems]


def test_jsonl_fields_are_read_and_normalised(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{
        "id": "x1", "title": "  Grève\u00a0: la  SNCF\n répond ", "body": "L’été &amp; « l’or »\r\nfin",
        "date": "2024-03-15T08:30:00+01:00", "source": "AFP", "author": ["Anne", "Bruno"],
        "url": "https://exemple.fr/x", "tags": "politique, société , politique", "lead": "Chapeau",
        "extra": {"ignored": True},
    }])
    (art,), report = read(path)
    assert report.problems == [] and report.records == 1
    assert art.id == "x1"
    assert art.title == "Grève\u00a0: la SNCF répond"
    assert art.body == "L’été & « l’or »\nfin"
    assert art.date == datetime(2024, 3, 15, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert art.author == "Anne, Bruno" and art.authors == ("Anne", "Bruno")
    assert art.tags == ("politique", "société")
    assert art.lead == "Chapeau" and art.url == "https://exemple.fr/x"


def test_nfc_and_control_characters(tmp_path: Path) -> None:
    decomposed = "e\u0301te\u0301"  # été with combining accents
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"title": "T\x00i\x07tre", "body": f"{decomposed}\x1b fin\x85"}])
    (art,), _ = read(path)
    assert art.title == "Titre"
    assert art.body == "été fin"


@pytest.mark.parametrize("value, expected", [
    ("2024-03-15", datetime(2024, 3, 15)),
    ("2024-03-15T08:30:00", datetime(2024, 3, 15, 8, 30)),
    ("2024-03-15T08:30:00Z", datetime(2024, 3, 15, 8, 30, tzinfo=UTC)),
    ("2024-03-15 08:30:00+02:00", datetime(2024, 3, 15, 8, 30, tzinfo=timezone(timedelta(hours=2)))),
])
def test_dates(tmp_path: Path, value: str, expected: datetime) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [dict(GOOD, date=value)])
    (art,), _ = read(path)
    assert art.date == expected


def test_bad_date_keeps_the_article_without_date_and_says_so(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [dict(GOOD, date="15 mars 2024")])
    (art,), report = read(path)
    assert art.date is None
    assert problems(report) == [
        f"{path}:1: invalid date '15 mars 2024' (expected ISO 8601 such as 2024-03-15 or "
        "2024-03-15T08:30:00+01:00); indexed without a date"]
    assert report.skipped == 0 and report.repaired == 1


def test_ids_derived_from_url_else_content(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"title": "A", "body": "x", "url": "https://exemple.fr/a"},
        {"title": "A", "body": "x", "url": "https://exemple.fr/a"},
        {"title": "B", "body": "y"},
        {"title": "B", "body": "y"},
        {"id": 42, "title": "C", "body": "z"},
    ])
    arts, _ = read(path)
    assert arts[0].id == arts[1].id and arts[0].id.startswith("u") and len(arts[0].id) == 13
    assert arts[2].id == arts[3].id and arts[2].id.startswith("h")
    assert arts[4].id == "42"


def test_bad_records_are_reported_with_path_line_and_reason(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [
        GOOD,
        "{not json",
        {"body": "sans titre"},
        {"title": "sans corps"},
        {"title": "   ", "body": "x"},
        {"title": 3, "body": "x"},
        {"title": "t", "body": "x", "tags": 5},
        {"title": "t", "body": "x", "author": ["a", 2]},
        {"title": "t", "body": "x", "id": ["x"]},
        "[1, 2]",
        "",
        dict(GOOD, id="a2"),
    ])
    arts, report = read(path)
    assert [a.id for a in arts] == ["a1", "a2"]
    assert problems(report) == [
        f"{path}:2: invalid JSON at column 2: a field name without double quotes, or a comma before a "
        "closing brace",
        f"{path}:3: missing title",
        f"{path}:4: missing body",
        f"{path}:5: title is empty",
        f"{path}:6: title must be a string, not int",
        f"{path}:7: tags must be a list or a comma-separated string, not int",
        f"{path}:8: author must hold strings, not int",
        f"{path}:9: id must be a string or an integer, not list",
        f"{path}:10: not a JSON object (got list)",
    ]
    assert report.skipped == 9 and report.records == 2


def test_strict_mode_fails_on_the_first_bad_record(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [GOOD, {"title": "x"}])
    with pytest.raises(CorpusError, match=r"bad\.jsonl:2: missing body$") as info:
        read(path, strict=True)
    assert info.value.line == 2 and info.value.path == path


def test_undecodable_bytes_are_replaced_and_reported(tmp_path: Path) -> None:
    raw = b'{"title": "Caf\xe9", "body": "ok"}'
    path = write_jsonl(tmp_path / "latin1.jsonl", [raw])
    (art,), report = read(path)
    assert art.title == "Caf\ufffd"
    assert problems(report) == [f"{path}:1: invalid UTF-8 at byte 14, replaced with U+FFFD"]


def test_lone_surrogate_escapes_are_kept_as_replacement(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "s.jsonl", ['{"title": "a\\ud800b", "body": "x"}'])
    (art,), report = read(path)
    assert art.title == "a\ufffdb" and report.problems == []


def test_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\r\n\r\n"
                     + json.dumps(dict(GOOD, id="a2")).encode() + b"\r\n")
    arts, report = read(path)
    assert [a.id for a in arts] == ["a1", "a2"] and report.problems == []


def test_deep_nesting_is_a_reported_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "deep.jsonl", ["[" * 5000 + "]" * 5000, GOOD])
    arts, report = read(path)
    assert [a.id for a in arts] == ["a1"]
    assert len(report.problems) == 1 and report.problems[0].line == 1


def test_gzip_and_truncated_gzip(tmp_path: Path) -> None:
    lines = b"".join(json.dumps(dict(GOOD, id=f"g{i}")).encode() + b"\n" for i in range(2000))
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(lines))
    arts, report = read(path)
    assert len(arts) == 2000 and report.problems == []
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    arts, report = read(cut)
    assert 0 < len(arts) < 2000
    assert len(report.problems) == 1
    assert "the compressed file is truncated or damaged from here" in report.problems[0].reason


def test_json_array_is_streamed_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[\n  {"id": "j1", "title": "Un", "body": "x"},\n  {"title": "deux"},\n'
                    '  {"id": "j3", "title": "Trois", "body": "z"}\n]\n', encoding="utf-8")
    arts, report = read(path)
    assert [a.id for a in arts] == ["j1", "j3"]
    assert problems(report) == [f"{path}:3: missing body"]


def test_json_array_larger_than_a_read_chunk(tmp_path: Path) -> None:
    body = "é" * 700_000  # one record spans several 1 MB chunks
    path = tmp_path / "big.json"
    path.write_text(json.dumps([dict(GOOD, id="b1", body=body), dict(GOOD, id="b2")],
                               ensure_ascii=False), encoding="utf-8")
    arts, report = read(path)
    assert [a.id for a in arts] == ["b1", "b2"] and arts[0].body == body
    assert report.problems == []


def test_json_array_with_a_broken_object_resyncs(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n{"id": "k1", "title": "Un", "body": "x"},\n{"id": "k2", "title": oops},\n'
                    '{"id": "k3", "title": "Trois", "body": "z"}\n]\n', encoding="utf-8")
    arts, report = read(path)
    assert [a.id for a in arts] == ["k1", "k3"]
    assert [p.line for p in report.problems] == [3]


def test_directory_with_text_and_markdown_articles(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "README.md").write_text("# Not an article\n\ntext", encoding="utf-8")
    (root / ".hidden.jsonl").write_text(json.dumps(GOOD), encoding="utf-8")
    (root / "notes.csv").write_text("ignored", encoding="utf-8")
    write_jsonl(root / "a.jsonl", [GOOD])
    (root / "sub" / "vendanges.md").write_text(
        "---\ndate: 2024-09-18\nsource: L’Écho des Régions\nauthor: Camille M.\n"
        "tags: régions, économie\nurl: https://exemple.fr/v\n---\n\n# Les vendanges\n\n"
        "Premier paragraphe.\n\nSecond paragraphe.\n", encoding="utf-8")
    (root / "sub" / "orage.txt").write_text("\n\nOrages en Gironde\n\nLa grêle a frappé.\n",
                                            encoding="utf-8")
    (root / "sub" / "vide.txt").write_text("\n \n", encoding="utf-8")
    arts, report = read(root)
    by_id = {a.id: a for a in arts}
    md = next(a for a in arts if a.url == "https://exemple.fr/v")
    assert md.id.startswith("u") and sorted(by_id) == sorted(["a1", "sub/orage", md.id])
    assert md.title == "Les vendanges"
    assert md.body == "Premier paragraphe.\n\nSecond paragraphe."
    assert md.date == datetime(2024, 9, 18) and md.tags == ("régions", "économie")
    assert md.source == "L’Écho des Régions" and md.author == "Camille M."
    assert by_id["sub/orage"].title == "Orages en Gironde"
    assert by_id["sub/orage"].body == "La grêle a frappé."
    assert problems(report) == [f"{root / 'sub' / 'vide.txt'}:1: empty file: no title line"]


def test_unreadable_files_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    write_jsonl(root / "a.jsonl", [GOOD])
    (root / "gone.jsonl").symlink_to(tmp_path / "missing.jsonl")
    arts, report = read(root)
    assert [a.id for a in arts] == ["a1"]
    assert problems(report) == [f"{root / 'gone.jsonl'}: cannot read: No such file or directory"]


def test_files_without_read_permission_are_reported(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    write_jsonl(root / "a.jsonl", [GOOD])
    locked = write_jsonl(root / "locked.jsonl", [dict(GOOD, id="z")])
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        pytest.skip("running as root: file permissions are not enforced here")
    arts, report = read(root)
    assert [a.id for a in arts] == ["a1"]
    assert problems(report) == [f"{locked}: cannot read: Permission denied"]


def test_symlink_loop_is_read_once(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    write_jsonl(root / "a.jsonl", [GOOD])
    (root / "loop").symlink_to(root)
    arts, report = read(root)
    assert [a.id for a in arts] == ["a1"] and report.problems == []


def test_missing_and_unsupported_paths(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file or directory"):
        list(read_corpus(tmp_path / "nope"))
    odd = tmp_path / "x.csv"
    odd.write_text("a,b")
    with pytest.raises(CorpusError, match=r"unsupported file type \(use .jsonl"):
        list(read_corpus(odd))


def test_content_hash_changes_with_any_field() -> None:
    base = Article(id="a", title="T", body="B")
    assert content_hash(base) == content_hash(Article(id="other", title="T", body="B"))
    for changed in (Article(id="a", title="T2", body="B"), Article(id="a", title="T", body="B2"),
                    Article(id="a", title="T", body="B", tags=("x",)),
                    Article(id="a", title="T", body="B", date=datetime(2024, 1, 1))):
        assert content_hash(changed) != content_hash(base)


def test_reading_streams_without_holding_the_corpus(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", [dict(GOOD, id=f"m{i}") for i in range(5000)])
    stream = read_corpus(path)
    first = next(stream)
    assert first.article.id == "m0" and first.line == 1
    # a generator: nothing past the first record has been built yet
    assert stream.gi_frame is not None  # type: ignore[attr-defined]
