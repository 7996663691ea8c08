"""Plain result types returned by the library: frozen dataclasses, never whoosh objects."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["FacetCount", "Highlight", "Hit", "IndexStats", "Notice", "Results", "as_datetime", "mark",
           "years_of"]


class Notice(str):
    """A warning about a query: a readable English sentence, with a stable `code` and
    the `params` it was made from, so a UI can word it in its own language.

    It is a `str`: print it, compare it, serialise it as text.
    """

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, message: str, **params: Any) -> Notice:
        obj = super().__new__(cls, message)
        obj.code = code
        obj.params = params
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_make_notice, (self.code, str(self), self.params))


def _make_notice(code: str, message: str, params: dict[str, Any]) -> Notice:
    return Notice(code, message, **params)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A matched span: `text[start:end]` of the original `field` ("title", "lead" or "body")."""

    field: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result.

    `snippet` is a passage of the body (about 300 characters, "…" where cut) and
    `snippet_spans` the matched spans in it; `highlights` are every match in the
    original title, lead (the chapeau, "" when the article has none) and body.
    `duplicates` are the ids of the matching copies of this article that it stands for
    (the same canonical URL or body), and `also_in` the rubriques they are filed under
    that this one is not ("aussi dans : …").
    """

    id: str
    title: str
    date: datetime | None
    source: str
    author: str
    url: str
    tags: tuple[str, ...]
    score: float
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...] = ()
    highlights: tuple[Highlight, ...] = ()
    all_words: bool = True
    #: The individual author names (`author` joins them with ", ").
    authors: tuple[str, ...] = ()
    lead: str = ""
    duplicates: tuple[str, ...] = ()
    also_in: tuple[str, ...] = ()

    def title_spans(self) -> list[tuple[int, int]]:
        """The highlighted spans of the title."""
        return [(h.start, h.end) for h in self.highlights if h.field == "title"]

    def lead_spans(self) -> list[tuple[int, int]]:
        """The highlighted spans of the lead."""
        return [(h.start, h.end) for h in self.highlights if h.field == "lead"]

    def body_spans(self) -> list[tuple[int, int]]:
        """The highlighted spans of the body."""
        return [(h.start, h.end) for h in self.highlights if h.field == "body"]


@dataclass(frozen=True, slots=True)
class FacetCount:
    """How many matching articles have this value."""

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Results:
    """A page of results and what is known about the whole result set.

    `total` counts every matching article (not only this page); `facets` maps
    "source", "tags" and "year" to counts over all of them, and "month" (`YYYY-MM`, newest
    first, for a timeline) when the engine counts months.
    """

    query: str
    total: int
    hits: tuple[Hit, ...]
    took_ms: float
    suggestion: str | None = None
    notices: tuple[Notice, ...] = ()
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    offset: int = 0
    limit: int = 10
    sort: str = "relevance"

    @property
    def warnings(self) -> tuple[Notice, ...]:
        """Deprecated name of `notices`."""
        warnings.warn("Results.warnings is deprecated: use Results.notices", DeprecationWarning, stacklevel=2)
        return self.notices

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Any:
        return iter(self.hits)

    def __bool__(self) -> bool:
        return bool(self.hits)


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What an index holds.

    `path` is its folder, or the URL of a cluster's table. `oldest` and `newest` are the
    dates of its oldest and newest articles as the articles give them (with their time
    zone, like `Hit.date`); `built_at` and `updated_at` when it was built and last written
    (in UTC). ISO text given for a date is parsed.
    """

    path: Path | str
    articles: int
    size_bytes: int
    oldest: datetime | None
    newest: datetime | None
    schema_version: int
    built_at: datetime | None
    updated_at: datetime | None
    segments: int
    deleted: int
    sources: int
    words: int

    def __post_init__(self) -> None:
        for name in ("oldest", "newest", "built_at", "updated_at"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, as_datetime(value))


def as_datetime(text: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as a `datetime` (None for empty or unreadable text)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def years_of(months: tuple[FacetCount, ...] | list[FacetCount]) -> tuple[FacetCount, ...]:
    """Year counts (newest first) from month counts (`YYYY-MM` values)."""
    years: dict[str, int] = {}
    for count in months:
        year = count.value[:4]
        years[year] = years.get(year, 0) + count.count
    return tuple(FacetCount(y, n) for y, n in sorted(years.items(), reverse=True))


def mark(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...],
         before: str = "[", after: str = "]") -> str:
    """Return `text` with each span wrapped in `before` … `after`."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(before + text[start:end] + after)
        pos = end
    out.append(text[pos:])
    return "".join(out)
