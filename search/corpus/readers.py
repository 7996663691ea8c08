"""The corpus readers: JSONL (plain or gzipped), JSON arrays, .txt/.md articles, folders of them.

They stream: memory does not grow with the corpus. Bad input never stops a read: each
bad record is reported (`CorpusReport`) and skipped, or raises in strict mode.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ..errors import CorpusError
from .article import (
    NEWLINES,
    RECORD_SUFFIXES,
    TEXT_SUFFIXES,
    Article,
    CorpusReport,
    Record,
    article_from_record,
)

__all__ = [
    "corpus_files",
    "corpus_signature",
    "iter_articles",
    "parse_text_article",
    "read_corpus",
    "text_path",
]


def _decode_json(raw: bytes) -> tuple[Any, str | None]:
    """Decode one JSON document; return (value, repair note or None).

    orjson is tried first; the standard library takes what orjson refuses but JSON
    allows (lone surrogates in escapes); invalid UTF-8 is replaced, with a note.
    """
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as err:
        first_error = err
    text, note = _decode_utf8(raw)
    try:
        return json.loads(text), note
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from first_error
    except json.JSONDecodeError as err:
        raise ValueError(_json_reason(err)) from first_error


def _decode_utf8(raw: bytes) -> tuple[str, str | None]:
    """The text of UTF-8 bytes, and a repair note when bad bytes were replaced."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return raw.decode("utf-8", "replace"), f"invalid UTF-8 at byte {err.start}, replaced with U+FFFD"


#: What json's messages mean, in a user's words (the first that the message starts with).
_JSON_WORDS = (
    ("Invalid control character", "a raw tab, line break or control character inside a text: "
     "write it as \\t or \\n"),
    ("Extra data", "text after the end of the record (two records on one line?)"),
    ("Expecting property name enclosed in double quotes", "a field name without double quotes, "
     "or a comma before a closing brace"),
    ("Invalid \\escape", "a backslash that starts no escape (write \\\\ for a backslash)"),
    ("Invalid \\uXXXX escape", "a \\u escape without its four hexadecimal digits"),
    ("Unterminated string", "a text whose closing quote is missing"),
    ("Expecting value", "not a JSON record"),
    ("Expecting ',' delimiter", "a comma is missing between two fields"),
    ("Expecting ':' delimiter", "a colon is missing after a field name"),
)


def _json_reason(err: json.JSONDecodeError) -> str:
    """What is wrong with a record, in a user's words: a line that stops before its record
    ends is a truncated record; otherwise what json found, and where."""
    if not err.doc[err.pos:].strip() or err.msg.startswith("Unterminated string"):
        return "truncated record: the line ends before the record does (a cut or unfinished line)"
    for start, words in _JSON_WORDS:
        if err.msg.startswith(start):
            return f"invalid JSON at column {err.colno}: {words}"
    return f"invalid JSON at column {err.colno}: {err.msg[:1].lower()}{err.msg[1:]}"


def _emit(
    report: CorpusReport, path: str, line: int, rec: Any, fallback_id: str | None = None,
    note: str | None = None,
) -> Record | None:
    repairs: list[str] = [note] if note else []
    try:
        article = article_from_record(rec, fallback_id=fallback_id, repairs=repairs)
    except ValueError as err:
        report.add(path, line, str(err))
        return None
    for repair in repairs:
        report.add(path, line, repair, skipped=False)
    report.records += 1
    return Record(article, path, line)


def _read_jsonl(stream: Iterable[bytes], path: str, report: CorpusReport) -> Iterator[Record]:
    lineno = 0
    try:
        for lineno, raw in enumerate(stream, 1):  # noqa: B007 - lineno used after the loop
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                rec, note = _decode_json(raw)
            except ValueError as err:
                report.add(path, lineno, str(err))
                continue
            out = _emit(report, path, lineno, rec, note=note)
            if out is not None:
                yield out
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        report.add(path, lineno + 1, f"the compressed file is truncated or damaged from here ({err}): "
                   "the rest of it is lost")


def _read_json_array(stream: IO[bytes], path: str, report: CorpusReport) -> Iterator[Record]:
    """Stream the objects of a top-level JSON array without loading the whole file."""
    decoder = json.JSONDecoder()
    reader = _TextChunks(stream)
    buf = reader.read()
    pos = _skip_ws(buf, 0)
    if buf.startswith("\ufeff"):
        pos = _skip_ws(buf, 1)
    if pos >= len(buf) or buf[pos] != "[":
        if buf[pos:pos + 1] == "{":
            yield from _single_object(buf, reader, path, report)
            return
        report.add(path, 1, "not a JSON array of articles")
        return
    pos += 1
    line_base = 1  # line number of buf[0]
    while True:
        pos = _skip_ws(buf, pos, commas=True)
        if pos >= len(buf) and not reader.eof:
            line_base += buf.count("\n")
            buf, pos = reader.read(), 0
            continue
        if pos >= len(buf):
            report.add(path, line_base + buf.count("\n"), "invalid JSON: the array is not closed")
            return
        if buf[pos] == "]":
            return
        lineno = line_base + buf.count("\n", 0, pos)
        try:
            rec, end = decoder.raw_decode(buf, pos)
        except (json.JSONDecodeError, RecursionError) as err:
            if not reader.eof:
                buf = buf + reader.read(len(buf))
                continue
            if isinstance(err, RecursionError):
                report.add(path, lineno, "invalid JSON: nested too deeply")
            else:
                report.add(path, lineno, _json_reason(err))
            nxt = buf.find("\n{", pos + 1)
            if nxt < 0:
                nxt = buf.find("{", pos + 1)
            if nxt < 0:
                return
            pos = nxt + 1 if buf[nxt] == "\n" else nxt
            continue
        out = _emit(report, path, lineno, rec)
        if out is not None:
            yield out
        pos = end
        if pos > 1 << 20:
            line_base += buf.count("\n", 0, pos)
            buf, pos = buf[pos:], 0


def _single_object(
    buf: str, reader: _TextChunks, path: str, report: CorpusReport
) -> Iterator[Record]:
    while not reader.eof:
        buf += reader.read()
    try:
        rec = json.loads(buf)
    except RecursionError:
        report.add(path, 1, "invalid JSON: nested too deeply")
        return
    except json.JSONDecodeError as err:
        report.add(path, 1, _json_reason(err))
        return
    out = _emit(report, path, 1, rec)
    if out is not None:
        yield out


class _TextChunks:
    """Decode a byte stream to text in growing chunks, remembering bad bytes."""

    def __init__(self, stream: IO[bytes], size: int = 1 << 20) -> None:
        self.stream = stream
        self.size = size
        self.eof = False
        self.pending = b""

    def read(self, size: int | None = None) -> str:
        data = self.pending + self.stream.read(max(size or 0, self.size))
        if len(data) < self.size:
            self.eof = True
        # keep an incomplete UTF-8 sequence for the next chunk
        cut = len(data)
        if not self.eof:
            for back in range(1, 4):
                if cut - back >= 0 and data[cut - back] & 0xC0 == 0xC0:
                    cut -= back
                    break
        self.pending = data[cut:]
        return data[:cut].decode("utf-8", "replace")


def _skip_ws(buf: str, pos: int, commas: bool = False) -> int:
    n = len(buf)
    while pos < n and (buf[pos].isspace() or (commas and buf[pos] == ",")):
        pos += 1
    return pos


_FRONT_KEYS = {"id", "date", "source", "author", "tags", "url", "lead"}


def parse_text_article(text: str, *, suffix: str) -> dict[str, Any]:
    """Split a .txt/.md article into a record: optional front matter, title line, body.

    Front matter is a block between two `---` lines at the top, with `key: value` lines.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = NEWLINES.sub("\n", text)
    rec: dict[str, Any] = {}
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                for meta in lines[1:i]:
                    key, sep, value = meta.partition(":")
                    key = key.strip().lower()
                    if sep and key in _FRONT_KEYS and value.strip():
                        rec[key] = value.strip()
                start = i + 1
                break
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines):
        title = lines[start].strip()
        if suffix == ".md":
            title = title.lstrip("#").strip()
        rec["title"] = title
        rec["body"] = "\n".join(lines[start + 1:]).strip()
    return rec


def _read_text_file(path: Path, shown: str, article_id: str, report: CorpusReport) -> Iterator[Record]:
    text, note = _decode_utf8(path.read_bytes())
    rec = parse_text_article(text, suffix=path.suffix.lower())
    if "title" not in rec:
        report.add(shown, 1, "empty file: no title line")
        return
    out = _emit(report, shown, 1, rec, fallback_id=article_id, note=note)
    if out is not None:
        yield out


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in RECORD_SUFFIXES + TEXT_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return ""


def _read_file(path: Path, shown: str, article_id: str, report: CorpusReport) -> Iterator[Record]:
    suffix = _suffix(path)
    try:
        if suffix in TEXT_SUFFIXES:
            yield from _read_text_file(path, shown, article_id, report)
        elif suffix == ".jsonl.gz":
            with gzip.open(path, "rb") as stream:
                yield from _read_jsonl(stream, shown, report)
        elif suffix == ".jsonl":
            with path.open("rb") as stream:
                yield from _read_jsonl(stream, shown, report)
        elif suffix == ".json":
            with path.open("rb") as stream:
                yield from _read_json_array(stream, shown, report)
        else:
            report.add(shown, None, "unsupported file type (use .jsonl, .jsonl.gz, .json, .txt or .md)")
    except OSError as err:
        report.add(shown, None, f"cannot read: {err.strerror or err}")


def _is_skipped_name(name: str) -> bool:
    lower = name.lower()
    return name.startswith(".") or lower.startswith(("readme", "license", "licence"))


def corpus_files(root: Path, report: CorpusReport | None = None) -> list[Path]:
    """The corpus files under a directory, sorted, following links without looping.

    Hidden files and folders, and README/LICENSE files, are not articles and are skipped.
    """
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=errors.append):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if _is_skipped_name(name) or not _suffix(Path(name)):
                continue
            path = Path(dirpath) / name
            if os.path.exists(path) and not path.is_file():  # a FIFO or a device: would block or never end
                if report is not None:
                    report.add(str(path), None, "not a regular file")
                continue
            found.append(path)
    if report is not None:
        for err in errors:
            shown = err.filename or str(root)
            report.add(str(shown), None, f"cannot read folder: {err.strerror or err}")
    return sorted(found)


def text_path(path: Path | str) -> str:
    """A file name as text that can be stored and printed: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def read_corpus(source: Path | str, report: CorpusReport | None = None) -> Iterator[Record]:
    """Stream the records of a corpus file or directory, with where each was read.

    Bad records are not raised but added to `report` (or raise `CorpusError` when the
    report is strict). Memory does not grow with the corpus size.

    Raises:
        CorpusError: the corpus path does not exist, or a bad record in strict mode.
    """
    report = report if report is not None else CorpusReport()
    root = Path(source)
    if root.is_dir():
        for path in corpus_files(root, report):
            rel = path.relative_to(root)
            article_id = rel.as_posix()
            suffix = _suffix(path)
            article_id = article_id[: -len(suffix)] if suffix else article_id
            yield from _read_file(path, text_path(path), text_path(article_id), report)
    elif root.is_file():
        if not _suffix(root):
            raise CorpusError(root, None, "unsupported file type (use .jsonl, .jsonl.gz, .json, .txt or .md)")
        yield from _read_file(root, text_path(root), text_path(root.stem), report)
    elif not root.exists():
        raise CorpusError(root, None, "no such file or directory: give a .jsonl/.json file or a folder")
    else:
        raise CorpusError(root, None, "not a regular file or directory")


def iter_articles(source: Path | str | Iterable[Article], report: CorpusReport | None = None,
                  ) -> Iterator[Record]:
    """Records from a path (see `read_corpus`) or from an iterable of `Article` objects."""
    if isinstance(source, str | os.PathLike):
        yield from read_corpus(Path(source), report)
        return
    report = report if report is not None else CorpusReport()
    for n, article in enumerate(source, 1):
        if not isinstance(article, Article):
            raise TypeError(f"expected Article objects, got {type(article).__name__}")
        report.records += 1
        yield Record(article, "<articles>", n)


def corpus_signature(source: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every corpus file: equal signatures mean nothing changed."""
    root = Path(source)
    files = corpus_files(root) if root.is_dir() else [root]
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((text_path(path.resolve()), st.st_size, st.st_mtime_ns))
    return out

