"""Matches collapsed to one a group of duplicates, on a cluster (`MatchRequest.collapse`).

A collapsed search sends, in the round trip of its page, three statements
(`search._sphinx.statements`): the page grouped by `grp` (each group standing as its first
match in the order asked: `GROUP BY grp WITHIN GROUP ORDER BY …`), a count of every match
(`count_sql`; searchd counts the groups of a GROUP BY only while they fit in `max_matches`),
and the matches that have copies (`copies_sql`: rows with `dups` > 1, by group then id, the
first `COPY_ROWS`), read here as `Copies`. From those: the total (every match less the
copies beyond one a group), the matching copies each hit stands for, and the rows the facets
leave out (all but the first of a group by id: a group counts once, as one of its articles).
A relaxed search collapses its pool of matches here too (`collapse_pool`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .reads import Answer

__all__ = ["GROUP", "Copies", "collapse_pool"]

#: The position of `grp` in a row of `RANKED_COLUMNS`.
GROUP = 8

Row = tuple[Any, ...]


@dataclass
class Copies:
    """The matches that have copies, by group (each group's rows by id).

    Attributes:
        groups: the rows read, by group.
        complete: every matching copy was read (else the first `COPY_ROWS`, by group:
            the total counts some copies, and the facets some values, more than once).
    """

    groups: dict[int, list[Row]] = field(default_factory=dict)
    complete: bool = True

    @classmethod
    def read(cls, answer: Answer) -> Copies:
        """The answer of `copies_sql`."""
        copies = cls(complete=int(answer.meta.get("total_found", 0)) <= len(answer.rows))
        copies.add(answer.rows)
        return copies

    def add(self, rows: Iterable[Row]) -> None:
        """Rows of whole groups read (those of a page, when `complete` is not)."""
        for row in rows:
            members = self.groups.setdefault(int(row[GROUP]), [])
            if all(int(r[0]) != int(row[0]) for r in members):
                members.append(row)
                members.sort(key=lambda r: int(r[0]))

    def known(self, group: int) -> bool:
        """Whether every matching article of this group was read (the last group read may
        be cut short)."""
        return self.complete or (bool(self.groups) and group < max(self.groups))

    def rows(self) -> list[Row]:
        """Every row read."""
        return [row for rows in self.groups.values() for row in rows]

    def redundant(self) -> int:
        """How many matches are copies beyond the first of their group (not counted)."""
        return sum(len(rows) - 1 for rows in self.groups.values())

    def duplicates(self, key: int, group: int) -> tuple[int, ...]:
        """The other matching articles of the group of the match `key`, by id."""
        return tuple(int(r[0]) for r in self.groups.get(group, ()) if int(r[0]) != key)

    def uncounted(self) -> list[Row]:
        """The rows the facets do not count: all but the first of each group, by id."""
        return [row for rows in self.groups.values() for row in rows[1:]]


def collapse_pool(order: Sequence[int], pool: dict[int, Row], want: int,
                  ) -> tuple[list[tuple[int, tuple[int, ...]]], list[Row]]:
    """A relaxed search's pool collapsed: the first `want` of `order`, one a group, each
    with the other articles of its group in the pool (by id); and the rows counted in its
    total and facets (the first of each group by id, and the articles alone)."""
    members: dict[int, list[int]] = {}
    for key in sorted(pool):
        members.setdefault(int(pool[key][GROUP]), []).append(key)
    ranked: list[tuple[int, tuple[int, ...]]] = []
    seen: set[int] = set()
    for key in order:
        if len(ranked) == want:
            break
        group = int(pool[key][GROUP])
        if group not in seen:
            seen.add(group)
            ranked.append((key, tuple(k for k in members[group] if k != key)))
    return ranked, [pool[keys[0]] for keys in members.values()]
