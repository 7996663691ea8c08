"""How many matching articles each month or year holds, as periods to draw (the CLI's
`--timeline`, the TUI's timeline), from the engine's "month" facet (else "year")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .results import FacetCount

__all__ = ["Period", "periods"]


@dataclass(frozen=True)
class Period:
    """A month (`2023-03`) or a year (`2023`) and its count; `value` is also the date bound
    that filters it (`date_from` = `date_to` = value)."""

    value: str
    count: int

    @property
    def is_month(self) -> bool:
        """Whether the period is a month."""
        return len(self.value) == 7


def periods(facets: Mapping[str, Sequence[FacetCount]], most: int) -> list[Period]:
    """The periods oldest first, every one between the first and the last (empty ones too):
    months when there are at most `most` of them, else years; [] without dated matches."""
    months = sorted((c for c in facets.get("month", ()) if c.count), key=lambda c: c.value)
    if months:
        y0, m0 = int(months[0].value[:4]), int(months[0].value[5:7])
        y1, m1 = int(months[-1].value[:4]), int(months[-1].value[5:7])
        span = (y1 - y0) * 12 + m1 - m0 + 1
        if span <= most:
            counts = {c.value: c.count for c in months}
            out = []
            for k in range(span):
                y, m = divmod(y0 * 12 + m0 - 1 + k, 12)
                value = f"{y:04d}-{m + 1:02d}"
                out.append(Period(value, counts.get(value, 0)))
            return out
        years: dict[str, int] = {}
        for c in months:
            years[c.value[:4]] = years.get(c.value[:4], 0) + c.count
    else:
        years = {c.value: c.count for c in facets.get("year", ()) if c.count}
    if not years:
        return []
    first, last = int(min(years)), int(max(years))
    return [Period(str(y), years.get(str(y), 0)) for y in range(first, last + 1)]
