"""What the user asked for: query, filters, date range and sort, as one comparable value."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["DATE_RE", "Request", "valid_date"]

#: A year, a month or a day, as the engine's date bounds accept them.
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def valid_date(text: str) -> bool:
    """Whether `text` is empty or looks like 2024, 2024-03 or 2024-03-15 (a real month and day)."""
    text = text.strip()
    if not text:
        return True
    if not DATE_RE.match(text):
        return False
    parts = [int(p) for p in text.split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return False
    return not (len(parts) > 2 and not 1 <= parts[2] <= 31)


@dataclass(frozen=True)
class Request:
    """One search as the UI asks it; two equal requests give the same results.

    `filters` are (field, value) pairs in the order they were added: "source", "tags", "year".
    """

    query: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    sort: str = "relevance"
    date_from: str = ""
    date_to: str = ""

    @property
    def blank(self) -> bool:
        """No words and no filter: nothing to search."""
        return not self.query.strip() and not self.filters and not self.date_from and not self.date_to

    def has_filter(self, field: str, value: str) -> bool:
        """Whether this filter is active."""
        return (field, value) in self.filters

    def toggled(self, field: str, value: str) -> Request:
        """This request with the filter added, or removed if it was there."""
        if self.has_filter(field, value):
            return replace(self, filters=tuple(f for f in self.filters if f != (field, value)))
        return replace(self, filters=(*self.filters, (field, value)))

    def filter_map(self, *, without: str | None = None) -> dict[str, list[str]]:
        """The filters as `Index.search(filters=...)` takes them (optionally without one field)."""
        out: dict[str, list[str]] = {}
        for field, value in self.filters:
            if field != without:
                out.setdefault(field, []).append(value)
        return out

    def search_kwargs(self, *, without: str | None = None) -> dict[str, Any]:
        """Keyword arguments for `Index.search` (the query apart)."""
        return {
            "sort": self.sort,
            "filters": self.filter_map(without=without),
            "date_from": self.date_from or None,
            "date_to": self.date_to or None,
        }
