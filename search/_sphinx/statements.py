"""SphinxQL statements of a search: filters, MATCH, order, ranking, facets, in clause order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from ..ranking import RankingConfig as Ranking
from ..ranking import text_fields
from .documents import date_micros, value_id
from .lexicon import Lexicon
from .nodes import quote

__all__ = [
    "COPY_ROWS",
    "FACET_ATTRS",
    "MAX_MATCHES",
    "RANKED_COLUMNS",
    "SCALE",
    "copies_sql",
    "count_sql",
    "facet_sql",
    "field_weights",
    "filters_sql",
    "ranked_sql",
]

#: The most matches a search ranks (searchd's default `max_matches`): paging stops there.
MAX_MATCHES = 1000
#: WEIGHT() is an integer: the BM25F score times this (plus the 0.5 searchd adds).
SCALE = 1_000_000
#: The attribute counted for each facet.
#: Facets counted by the engine ("year" is counted from the months, as the local engine does).
FACET_ATTRS = {"source": "source_id", "tags": "tag_ids", "month": "month"}
#: The columns of a ranked row: what ordering, relaxing, counting facets and collapsing
#: duplicates need.
RANKED_COLUMNS = "id, WEIGHT() AS w, date, has_date, source_id, tag_ids, year, month, grp"
#: The most matches with copies read by a collapsed search (`search._sphinx.collapse`).
COPY_ROWS = 10_000
#: Multipliers tried, smallest first, to make the BM25F field weights whole numbers (the
#: engine's are integers); past the last, the weights are rounded at its scale.
_WEIGHT_SCALES = (1, 2, 3, 4, 5, 10, 100)
_ATTRS = {"source": "source_id", "author": "author_ids", "tags": "tag_ids", "year": "year"}
_ORDER = {
    "relevance": "w DESC, id ASC",
    "date": "has_date DESC, date ASC, id ASC",
    "-date": "has_date DESC, date DESC, id ASC",
}


def filters_sql(lexicon: Lexicon, filters: Mapping[str, Sequence[str]], date_from: datetime | None,
                date_to: datetime | None, missing: list[tuple[str, str]]) -> list[str] | None:
    """The WHERE conditions of a request's filters (None: no article can pass); the wanted
    values that no article holds are added to `missing` as (field, value)."""
    where: list[str] = []
    for name, wanted in filters.items():
        items = [wanted] if isinstance(wanted, str) else list(wanted)
        if not items or items == [""]:
            continue
        values: list[str] = []
        for item in items:
            found = lexicon.value_index(name).exact(str(item))
            if not found:
                missing.append((name, str(item)))
            values += found
        if not values:
            return None
        numbers = sorted({int(v) if name == "year" else value_id(name, v) for v in values})
        where.append(f"{_ATTRS[name]} IN ({', '.join(map(str, numbers))})")
    if date_from is not None or date_to is not None:
        where.append("has_date = 1")
    if date_from is not None:
        where.append(f"date >= {date_micros(date_from)}")
    if date_to is not None:
        where.append(f"date <= {date_micros(date_to)}")
    return where


def _where(match: str | None, where: Sequence[str], extra: Sequence[str] = ()) -> str:
    conditions = ([f"MATCH({quote(match)})"] if match else []) + list(where) + list(extra)
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def field_weights(ranking: Ranking) -> tuple[dict[str, int], int]:
    """The BM25F weights of the text fields as the engine's whole numbers, and the scale
    they were multiplied by (title 2, lead 1.5, body 1 -> 4, 3, 2 at scale 2)."""
    fields = text_fields(ranking)
    scale = next((s for s in _WEIGHT_SCALES if all(abs(w * s - round(w * s)) < 1e-9 for _, w in fields)),
                 _WEIGHT_SCALES[-1])
    return {name: round(weight * scale) for name, weight in fields}, scale


def _ranker(ranking: Ranking) -> str:
    """BM25F with the local field weights and k1, both multiplied by the scale that makes the
    weights whole (`field_weights`; the engine's score of a word, sum(w * tf) / (sum(w * tf)
    + k1) without length normalisation, stays the same), and without length normalisation
    (the ranking's `b` is not used): Sphinx 2.2.11's real-time tables get the average length wrong (a fraction
    of a word while the RAM chunk holds the articles: any b > 0 ranks by length; MRR@10 on
    piaf's quick set 0.65, 0.80 without), and in a chunk written to disk (past
    `rt_mem_limit`) it is 0, which makes `bm25f()` NaN: there the engine's own BM25 (`bm25`,
    k1 1.2, no length either, the fields unweighted, in thousandths) stands in, on the same
    scale."""
    weights, scale = field_weights(ranking)
    fields = ",".join(f"{name}={weight}" for name, weight in weights.items())
    bm25f = f"bm25f({ranking.k1 * scale:g},0,{{{fields},facts=0}})"
    return (f"ranker=expr('if({bm25f}>=0,{SCALE}*{bm25f},{SCALE // 1000}*bm25)'), "
            "idf='plain,tfidf_unnormalized'")


def ranked_sql(table: str, match: str | None, where: Sequence[str], sort: str, limit: int,
               ranking: Ranking, extra: Sequence[str] = (), *, collapse: bool = False) -> str:
    """The best `limit` matches in `sort` order (`RANKED_COLUMNS`); collapsed, the best
    `limit` groups of duplicates, each as its first match in that order."""
    option = f"max_matches={MAX_MATCHES}" + (f", {_ranker(ranking)}" if match else "")
    group = f" GROUP BY grp WITHIN GROUP ORDER BY {_ORDER[sort]}" if collapse else ""
    return (f"SELECT {RANKED_COLUMNS} FROM {table}{_where(match, where, extra)}{group} "
            f"ORDER BY {_ORDER[sort]} LIMIT {max(1, min(limit, MAX_MATCHES))} OPTION {option}")


def count_sql(table: str, match: str | None, where: Sequence[str], extra: Sequence[str] = ()) -> str:
    """One match, for its `SHOW META` (`total_found`: every match; that of a GROUP BY query
    counts groups only while they fit in `max_matches`)."""
    option = "max_matches=1" + (", ranker=none" if match else "")
    return f"SELECT id FROM {table}{_where(match, where, extra)} LIMIT 1 OPTION {option}"


def copies_sql(table: str, match: str | None, where: Sequence[str], ranking: Ranking,
               extra: Sequence[str] = (), groups: Sequence[int] = ()) -> str:
    """The matches that have copies (`RANKED_COLUMNS`; of these `groups` only, if given), by
    group then id, the first `COPY_ROWS`."""
    conditions = [*extra, "dups > 1"] + ([f"grp IN ({', '.join(map(str, groups))})"] if groups else [])
    option = f"max_matches={COPY_ROWS}" + (f", {_ranker(ranking)}" if match else "")
    return (f"SELECT {RANKED_COLUMNS} FROM {table}{_where(match, where, conditions)} "
            f"ORDER BY grp ASC, id ASC LIMIT {COPY_ROWS} OPTION {option}")


def facet_sql(table: str, match: str | None, where: Sequence[str], attr: str) -> str:
    """The count of matches by value of one attribute (GROUP BY: FACET fails on the
    expressions of a distributed table)."""
    option = f"max_matches={MAX_MATCHES}" + (", ranker=none" if match else "")
    return (f"SELECT GROUPBY() AS g, COUNT(*) AS c FROM {table}{_where(match, where)} "
            f"GROUP BY {attr} ORDER BY c DESC LIMIT {MAX_MATCHES} OPTION {option}")
