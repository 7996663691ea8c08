"""An article, as read from a corpus: its fields, their cleaning, and what a read reports."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from ..errors import CorpusError

__all__ = [
    "NEWLINES",
    "RECORD_SUFFIXES",
    "TEXT_SUFFIXES",
    "Article",
    "CorpusReport",
    "Problem",
    "Record",
    "article_from_record",
    "clean_line",
    "clean_text",
    "content_hash",
    "parse_date",
]

#: File name endings read from a corpus directory, and as a single corpus file.
RECORD_SUFFIXES = (".jsonl.gz", ".jsonl", ".json")
TEXT_SUFFIXES = (".txt", ".md")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # NBSP and narrow NBSP are kept
NEWLINES = re.compile(r"\r\n?")


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
        text = NEWLINES.sub("\n", text)
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
