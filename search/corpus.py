"""Articles and the readers that stream them from corpus files; no whoosh here."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from .errors import CorpusError

__all__ = [
    "Article",
    "CorpusReport",
    "Problem",
    "Record",
    "content_hash",
    "iter_articles",
    "read_corpus",
    "text_path",
]

#: File name endings read from a corpus directory, and as a single corpus file.
RECORD_SUFFIXES = (".jsonl.gz", ".jsonl", ".json")
TEXT_SUFFIXES = (".txt", ".md")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # NBSP and narrow NBSP are kept
_NEWLINES = re.compile(r"\r\n?")


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as read from a corpus and as returned by `Index.get`.

    `title` and `body` are the original text (NFC, entities decoded): highlight offsets
    point into them.
    """

    id: str
    title: str
    body: str
    date: datetime | None = None
    source: str = ""
    author: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    lead: str = ""

    @property
    def authors(self) -> tuple[str, ...]:
        """The individual author names (`author` joins them with ", ")."""
        return tuple(a.strip() for a in self.author.split(",") if a.strip())


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that was skipped, or kept with a repair, with where it was."""

    path: str
    line: int | None
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class Record(NamedTuple):
    """An article with the place it was read from."""

    article: Article
    path: str
    line: int


@dataclass
class CorpusReport:
    """What a corpus read found: records read, problems met.

    With `strict=True`, the first problem raises `CorpusError` instead of being kept.
    """

    strict: bool = False
    records: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Records that were not indexed."""
        return sum(1 for p in self.problems if p.skipped)

    @property
    def repaired(self) -> int:
        """Records indexed with a repair (bad date dropped, bad bytes replaced)."""
        return sum(1 for p in self.problems if not p.skipped)

    def add(self, path: str, line: int | None, reason: str, *, skipped: bool = True) -> None:
        """Record a problem, or raise `CorpusError` in strict mode."""
        if self.strict:
            raise CorpusError(path, line, reason)
        self.problems.append(Problem(path, line, reason, skipped))


def clean_text(text: str) -> str:
    """Normalise stored text: entities decoded, NFC, newlines unified, controls dropped."""
    if "&" in text:
        text = html.unescape(text)
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub("", text)
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
        text = unicodedata.normalize("NFC", text)
    return text.strip()


def clean_line(text: str) -> str:
    """Like `clean_text`, with every run of white space (newlines too) made one space."""
    return _SPACES.sub(" ", clean_text(text))


def content_hash(article: Article) -> str:
    """A short digest of everything indexed about an article, to spot changed ones."""
    parts = (
        article.title,
        article.body,
        article.date.isoformat() if article.date else "",
        article.source,
        article.author,
        article.url,
        "\x1f".join(article.tags),
        article.lead,
    )
    data = "\x1e".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def parse_date(value: Any) -> datetime:
    """Parse an ISO 8601 date or datetime (with or without time zone).

    Raises:
        ValueError: with a message fit for a problem report.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise ValueError(f"date must be a string, not {type(value).__name__}")
    text = value.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"invalid date {text[:40]!r} (expected ISO 8601 such as 2024-03-15 "
            "or 2024-03-15T08:30:00+01:00)"
        ) from None


def _optional_str(rec: dict[str, Any], key: str) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_line(value)
    raise ValueError(f"{key} must be a string, not {type(value).__name__}")


def _str_list(rec: dict[str, Any], key: str) -> tuple[str, ...]:
    value = rec.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        items: Iterable[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(f"{key} must be a list or a comma-separated string, not {type(value).__name__}")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{key} must hold strings, not {type(item).__name__}")
        text = clean_line(item).replace(",", " ")
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _required_text(rec: dict[str, Any], key: str) -> str:
    if key not in rec or rec[key] is None:
        raise ValueError(f"missing {key}")
    value = rec[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, not {type(value).__name__}")
    text = clean_line(value) if key == "title" else clean_text(value)
    if not text:
        raise ValueError(f"{key} is empty")
    return text


def article_from_record(
    rec: Any, *, fallback_id: str | None = None, repairs: list[str] | None = None
) -> Article:
    """Build an `Article` from a decoded JSON object (or front-matter dict).

    Args:
        rec: the decoded record.
        fallback_id: the id to use when the record has neither `id` nor `url`
            (a file path for one-article files); a content hash otherwise.
        repairs: if given, non-fatal repairs are appended here (a bad date is dropped).

    Raises:
        ValueError: the record cannot be indexed; the message says why.
    """
    if not isinstance(rec, dict):
        raise ValueError(f"not a JSON object (got {type(rec).__name__})")
    title = _required_text(rec, "title")
    body = _required_text(rec, "body")
    raw_id = rec.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | None):
        raise ValueError(f"id must be a string or an integer, not {type(raw_id).__name__}")
    art_id = clean_line(str(raw_id)) if raw_id is not None else ""
    url = _optional_str(rec, "url")
    author_value = rec.get("author")
    if isinstance(author_value, list):
        author = ", ".join(_str_list(rec, "author"))
    else:
        author = _optional_str(rec, "author")
    tags = _str_list(rec, "tags")
    when: datetime | None = None
    if rec.get("date") not in (None, ""):
        try:
            when = parse_date(rec["date"])
        except ValueError as err:
            if repairs is None:
                raise
            repairs.append(f"{err}; indexed without a date")
    if not art_id:
        if url:
            art_id = "u" + _short_hash(url)
        elif fallback_id:
            art_id = fallback_id
        else:
            art_id = "h" + _short_hash(title + "\x1e" + body)
    return Article(
        id=art_id,
        title=title,
        body=body,
        date=when,
        source=_optional_str(rec, "source"),
        author=author,
        url=url,
        tags=tags,
        lead=clean_text(rec["lead"]) if isinstance(rec.get("lead"), str) else "",
    )


def _decode_json(raw: bytes) -> tuple[Any, str | None]:
    """Decode one JSON document; return (value, repair note or None).

    orjson is tried first; the standard library takes what orjson refuses but JSON
    allows (lone surrogates in escapes); invalid UTF-8 is replaced, with a note.
    """
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as err:
        first_error = err
    note = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        text = raw.decode("utf-8", "replace")
        note = f"invalid UTF-8 at byte {err.start}, replaced with U+FFFD"
    try:
        return json.loads(text), note
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from first_error
    except json.JSONDecodeError as err:
        raise ValueError(_json_reason(err)) from first_error


def _json_reason(err: json.JSONDecodeError) -> str:
    return f"invalid JSON: {err.msg[:1].lower()}{err.msg[1:]} (column {err.colno})"


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
        report.add(path, lineno + 1, f"truncated or corrupt gzip data ({err}); the rest is lost")


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
    text = _NEWLINES.sub("\n", text)
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
    raw = path.read_bytes()
    note = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        text = raw.decode("utf-8", "replace")
        note = f"invalid UTF-8 at byte {err.start}, replaced with U+FFFD"
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


OnRecord = Callable[[Record], None]
