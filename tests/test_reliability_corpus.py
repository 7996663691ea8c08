"""Messy and hostile corpora: generated records, odd files and folders. Nothing crashes, every good
record is indexed and found by its id, every bad one is reported with path:line and a reason."""

from __future__ import annotations

import builtins
import gzip
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import CorpusReport, Index
from search.corpus import clean_line, read_corpus

from .conftest import NEWS, REPO, run_cli

# -- generated records -------------------------------------------------------------------------------

#: Characters that break naive code: right-to-left and bidi controls, emoji and joiners, combining
#: marks, NUL and C0/C1 controls, odd spaces and line separators, lone surrogates (escaped in JSON).
NASTY = ("\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u202e", "\u200f", "\u2066",
         "\U0001f600", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\ufe0f", "e\u0301", "\u0301",
         "\u0000", "\u0001", "\u001b[31m", "\u007f", "\u0085", "\u009c", "\u00a0", "\u202f", "\u2028",
         "\u2029", "\ufeff", "\ufffd", "\ud800", "\udfff", "\udbff", "&amp;", "&#0;", "<b>", "\\", '"',
         "\t", "\r\n", "\r", "l’", "œ", "ǅ", "ﬁ", "İ", "ß")
TEXT = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(NASTY)), max_size=8).map("".join)
BLANK = st.lists(st.sampled_from([" ", "\t", "\n", "\r\n", "\u0000", "\u0001", "\u000b", "\u007f"]),
                 max_size=6).map("".join)
NOT_TEXT = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.just([1, "a"]),
                     st.just({"a": 1}), st.just([]))


BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe9t\xe9", b"\x80\x80"]


def nested(depth: int) -> Any:
    value: Any = "fond"
    for _ in range(depth):
        value = [value]
    return value


@dataclass
class Line:
    """One generated line of a .jsonl file, and whether it must be indexed."""

    data: bytes
    good: bool
    article_id: str = ""
    title_mark: str = ""
    body_mark: str = ""


@st.composite
def good_record(draw: st.DrawFn, n: int) -> Line:
    """A record that must be indexed: its title and body start with marks that survive cleaning."""
    rec: dict[str, Any] = {
        "id": f"r{n}-" + draw(TEXT),
        "title": f"T{n} " + draw(TEXT),
        "body": f"B{n} " + draw(TEXT),
    }
    if draw(st.booleans()):
        rec["date"] = draw(st.one_of(st.just("2024-03-15T08:30:00+01:00"), st.just("2021-12-31"),
                                     TEXT, st.integers()))
    for key in ("source", "author", "lead", "url"):
        if draw(st.integers(0, 3)) == 0:
            rec[key] = draw(st.one_of(TEXT, BLANK, st.none()))
    if draw(st.booleans()):
        rec["tags"] = draw(st.one_of(st.lists(TEXT, max_size=4), TEXT, st.none()))
    if draw(st.integers(0, 5)) == 0:
        rec["extra"] = nested(draw(st.integers(1, 200)))  # unknown fields are ignored
    if draw(st.integers(0, 5)) == 0:
        rec["author"] = draw(st.lists(TEXT, max_size=3))
    ascii_only = draw(st.booleans())
    data = json.dumps(rec, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:  # bytes that are not UTF-8, inside the body
        at = data.index(b'"body": "') + 9 + len(f"B{n} ")
        data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    # raw lone surrogates are bytes that are not UTF-8: each byte is replaced
    raw_id = rec["id"] if ascii_only else rec["id"].encode("utf-8", "surrogatepass").decode("utf-8",
                                                                                           "replace")
    return Line(data, True, clean_line(raw_id), f"T{n}", f"B{n}")


@st.composite
def bad_record(draw: st.DrawFn) -> Line:
    """A line that must be skipped and reported."""
    base: dict[str, Any] = {"title": "Titre", "body": "Corps"}
    kind = draw(st.sampled_from(["no title", "no body", "title type", "body type", "blank title",
                                 "blank body", "not an object", "id type", "deep", "broken", "bytes"]))
    if kind == "no title":
        del base["title"]
    elif kind == "no body":
        del base["body"]
    elif kind in ("title type", "body type"):
        base[kind.split()[0]] = draw(st.one_of(NOT_TEXT, st.none()))
    elif kind in ("blank title", "blank body"):
        base[kind.split()[1]] = draw(BLANK)
    elif kind == "id type":
        base["id"] = draw(st.one_of(st.floats(allow_nan=False), st.booleans(), st.just([1]), st.just({})))
    if kind == "deep":  # too deep for the JSON parsers: written by hand
        depth = draw(st.integers(5000, 20000))
        data = b'{"title": "Titre", "body": "Corps", "extra": ' + b"[" * depth + b"1" + b"]" * depth + b"}"
    elif kind == "not an object":
        data = json.dumps(draw(st.one_of(NOT_TEXT, st.text(max_size=5), st.just(None)))).encode()
    elif kind == "broken":
        whole = json.dumps(base).encode()
        data = whole[:draw(st.integers(1, len(whole) - 1))]
    elif kind == "bytes":
        data = draw(st.binary(min_size=1, max_size=40).filter(lambda b: b.strip() and b"\n" not in b
                                                              and not b.strip().startswith(b"{")))
    else:
        data = json.dumps(base).encode()
    return Line(data, False)


@st.composite
def corpus_file(draw: st.DrawFn) -> tuple[list[Line], dict[str, Any]]:
    n = draw(st.integers(1, 12))
    lines = [draw(st.one_of(good_record(i), bad_record())) for i in range(n)]
    form = {"bom": draw(st.booleans()), "crlf": draw(st.booleans()), "gzip": draw(st.booleans()),
            "blank lines": draw(st.booleans())}
    return lines, form


def write(path: Path, lines: list[Line], form: dict[str, Any]) -> tuple[Path, dict[int, Line]]:
    """Write the lines; return the file and each line by its number."""
    eol = b"\r\n" if form["crlf"] else b"\n"
    out, numbered, number = [], {}, 0
    for line in lines:
        if form["blank lines"]:
            out.append(b"  ")
            number += 1
        out.append(line.data)
        number += 1
        numbered[number] = line
    data = (b"\xef\xbb\xbf" if form["bom"] else b"") + eol.join(out) + eol
    if form["gzip"]:
        path = path.with_suffix(".jsonl.gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path, numbered


def check_reading(path: Path, numbered: dict[int, Line]) -> list[str]:
    """Read the file: good lines give their article, bad ones a problem at path:line."""
    report = CorpusReport()
    records = {r.line: r for r in read_corpus(path, report)}
    skipped = {p.line: p for p in report.problems if p.skipped}
    for number, line in numbered.items():
        if line.good:
            assert number in records, (number, line, report.problems)
            art = records[number].article
            assert art.id == line.article_id
            assert art.title.startswith(line.title_mark) and art.body.startswith(line.body_mark)
            assert number not in skipped
        else:
            assert number not in records, (number, line)
            problem = skipped[number]
            assert problem.path == str(path) and problem.reason, problem
            assert str(problem).startswith(f"{path}:{number}: ")
    assert set(skipped) == {n for n, line in numbered.items() if not line.good}
    assert report.records == len(records)
    return [line.article_id for line in numbered.values() if line.good]


@settings(max_examples=300, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=corpus_file())
def test_generated_records_are_read_or_reported(tmp_path_factory: pytest.TempPathFactory,
                                                case: tuple[list[Line], dict[str, Any]]) -> None:
    path, numbered = write(tmp_path_factory.mktemp("read") / "c.jsonl", *case)
    check_reading(path, numbered)


def check_indexing(tmp: Path, case: tuple[list[Line], dict[str, Any]]) -> None:
    path, numbered = write(tmp / "c.jsonl", *case)
    good = check_reading(path, numbered)
    if not good:
        return
    with Index.rebuild(path, tmp / "index", procs=1) as ix:
        report = ix.last_report
        assert report is not None and report.articles == len(good)
        assert report.skipped == sum(1 for line in numbered.values() if not line.good)
        assert ix.stats().articles == len(good)
        for line in numbered.values():
            if line.good:
                art = ix.get(line.article_id)
                assert art.title.startswith(line.title_mark) and art.body.startswith(line.body_mark)
                assert line.article_id in {h.id for h in ix.search(line.title_mark, limit=50).hits}


@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=corpus_file())
def test_generated_corpora_are_indexed_and_found_by_id(tmp_path_factory: pytest.TempPathFactory,
                                                       case: tuple[list[Line], dict[str, Any]]) -> None:
    check_indexing(tmp_path_factory.mktemp("ix"), case)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=corpus_file())
def test_many_generated_corpora_are_indexed_and_found_by_id(tmp_path_factory: pytest.TempPathFactory,
                                                            case: tuple[list[Line], dict[str, Any]]) -> None:
    check_indexing(tmp_path_factory.mktemp("ix"), case)


# -- large and odd inputs ----------------------------------------------------------------------------

@pytest.mark.slow
def test_a_10_mb_body_is_indexed_whole(tmp_path: Path) -> None:
    words = ("gouvernement réforme retraite élection électricité marché grève train hôpital école " * 12000)
    body = (words + "girafe ") * 10
    assert len(body.encode()) > 10_000_000
    corpus = tmp_path / "big.jsonl"
    corpus.write_text(json.dumps({"id": "big", "title": "Très long", "body": body}, ensure_ascii=False)
                      + "\n" + NEWS.read_text(encoding="utf-8"), encoding="utf-8")
    with Index.rebuild(corpus, tmp_path / "index", procs=1) as ix:
        assert ix.stats().articles == 13
        assert ix.get("big").body == body.strip()
        res = ix.search("girafe")
        assert [h.id for h in res.hits] == ["big"] and res.hits[0].snippet


def test_a_truncated_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    data = gzip.compress(NEWS.read_bytes() * 1)
    corpus = tmp_path / "c.jsonl.gz"
    corpus.write_bytes(data[: len(data) * 2 // 3])
    with Index.rebuild(corpus, tmp_path / "index", procs=1) as ix:
        report = ix.last_report
        assert report is not None and 0 < report.articles < 12
        last = report.problems[-1]
        assert last.reason.startswith("the compressed file is truncated or damaged")
        assert last.line == report.articles + 1


def test_a_hostile_folder_is_read_without_hanging(tmp_path: Path) -> None:
    """FIFOs and devices (which would block or never end), loops, broken links, odd names."""
    corpus = tmp_path / "corpus"
    (corpus / "sub" / "deeper").mkdir(parents=True)
    (corpus / "news.jsonl").write_bytes(NEWS.read_bytes())
    (corpus / "sub" / "deeper" / "loop").symlink_to(corpus)
    (corpus / "sub" / "self").symlink_to(corpus / "sub")
    (corpus / "broken.jsonl").symlink_to(tmp_path / "nowhere")
    (corpus / "zero.jsonl").symlink_to("/dev/zero")
    (corpus / "null.json").symlink_to("/dev/null")
    os.mkfifo(corpus / "pipe.jsonl")
    (corpus / "folder.jsonl").mkdir()
    (corpus / "empty.jsonl").write_bytes(b"")
    (corpus / "empty.json").write_bytes(b"")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.json").write_bytes(b"\x00\x01garbage[{")
    (corpus / "bom.md").write_bytes("\ufeff---\nid: bom\n---\n# Titre avec BOM\r\nCorps girafe.\r\n".encode())
    (corpus / "sub" / "girafe.txt").write_text("La girafe\nUne girafe au zoo.\n", encoding="utf-8")
    os.makedirs(os.fsencode(corpus / "sub") + b"/caf\xe9", exist_ok=True)
    with open(os.fsencode(corpus / "sub") + b"/caf\xe9/\xff.txt", "wb") as fh:
        fh.write(b"Titre latin-1 caf\xe9\nCorps en latin-1 : \xe9t\xe9 girafe.\n")
    code, out, err = subprocess_cli(["rebuild", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert code == 0, err
    assert "Traceback" not in err
    with Index.open(tmp_path / "ix") as ix:
        assert ix.stats().articles == 12 + 3
        found = {h.id for h in ix.search("girafe", limit=50).hits}
        assert found == {"bom", "sub/girafe", "sub/caf\ufffd/\ufffd"}
        report_lines = err.splitlines()  # problems go to stderr, one line each
    for name, reason in (("broken.jsonl", "cannot read: No such file or directory"),
                         ("zero.jsonl", "not a regular file"), ("pipe.jsonl", "not a regular file"),
                         ("null.json", "not a regular file")):
        assert f"{corpus / name}: {reason}" in report_lines, (name, err)
    assert any(line.startswith(f"{corpus / 'junk.json'}:1: ") for line in report_lines), err


def subprocess_cli(args: list[str], timeout: float = 120) -> tuple[int, str, str]:
    """The CLI with a timeout that fails the test instead of hanging it."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="300")
    proc = subprocess.run([sys.executable, "-m", "search", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def test_a_fifo_as_the_corpus_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jsonl")
    code, out, err = subprocess_cli(["rebuild", "--corpus", str(tmp_path / "pipe.jsonl"), "--index",
                                     str(tmp_path / "ix")], timeout=60)
    assert code == 1 and err == (f"search: error: {tmp_path / 'pipe.jsonl'}: not a regular file or "
                                 "directory\n")


def test_unreadable_files_and_folders_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions refused at the OS boundary (root reads everything, so they are simulated)."""
    corpus = tmp_path / "corpus"
    (corpus / "closed").mkdir(parents=True)
    (corpus / "news.jsonl").write_bytes(NEWS.read_bytes())
    (corpus / "secret.jsonl").write_bytes(NEWS.read_bytes())
    (corpus / "secret.jsonl.gz").write_bytes(gzip.compress(NEWS.read_bytes()))
    (corpus / "secret.txt").write_text("Titre\nCorps\n", encoding="utf-8")
    (corpus / "closed" / "inside.jsonl").write_bytes(NEWS.read_bytes())
    refused = {str(corpus / n) for n in ("secret.jsonl", "secret.jsonl.gz", "secret.txt", "closed")}

    def guard(real: Any) -> Any:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, str | os.PathLike) and os.fspath(path) in refused:
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(os, "scandir", guard(os.scandir))
    with Index.rebuild(corpus, tmp_path / "ix", procs=1) as ix:
        assert ix.stats().articles == 12
        report = ix.last_report
        assert report is not None
        problems = [str(p) for p in report.problems]
    assert problems == [f"{corpus / 'closed'}: cannot read folder: Permission denied",
                        f"{corpus / 'secret.jsonl'}: cannot read: Permission denied",
                        f"{corpus / 'secret.jsonl.gz'}: cannot read: Permission denied",
                        f"{corpus / 'secret.txt'}: cannot read: Permission denied"], problems


def test_paths_in_the_corpus_never_leave_the_index_directory(tmp_path: Path) -> None:
    """Ids and file names that look like paths are text: nothing is written outside the index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [{"id": i, "title": "Titre", "body": f"Corps {n}", "url": i}
               for n, i in enumerate(["../../evil", "/etc/passwd", "..", ".", "a/../../b", "~root",
                                      "C:\\Windows", "\u0000", "$(touch pwned)"])]
    (corpus / "c.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    (corpus / "..weird.txt").write_text("x\ny\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, out, err = run_cli("rebuild", "--corpus", str(corpus), "--index", "index", cwd=work)
    assert code == 0, err
    for article_id in ("../../evil", "/etc/passwd", "..", "$(touch pwned)"):
        code, out, err = run_cli("show", "--index", "index", article_id, cwd=work)
        assert code == 0 and out.startswith("Titre"), err
        code, out, err = run_cli("similar", "--index", "index", article_id, cwd=work)
        assert code == 0, err
    code, out, err = run_cli("show", "--index", "index", "../../nope", cwd=work)
    assert (code, err) == (1, "search: error: no article with id '../../nope' in the index: "
                              "check the id with `search query`\n")
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    new = [p for p in after if p not in before]
    assert all(p.parts[:2] in (("work", "index"), ("work", "index.lock")) for p in new), new
