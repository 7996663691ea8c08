"""One search on a whoosh snapshot: filters -> compile -> strict, else relaxed -> rank ->
opening boost -> facets.

Each stage checks the clock. When the time is out, the stages left do only what costs
nothing (no ranking, no facets) with what was found by then, and `Matches.out_of_time`
says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as wq

from ..analysis import shared_analyzer
from ..backend import Match, Matches, MatchRequest
from ..clock import Clock, OutOfTime
from ..results import FacetCount, Notice, years_of
from ..schema import FACET_FIELDS
from ..words import is_question
from .compiler import Compiled, Compiler, QueryPart
from .postings import MISSING_DATE, Mask

if TYPE_CHECKING:
    from .snapshot import WhooshSnapshot

__all__ = ["by_date", "date_keys", "match", "rank"]

#: Values listed per facet (years are all listed).
FACET_TOP = 50
#: Words side by side are looked for in the best articles only, and among the words held by
#: fewer than this share of the articles.
PROXIMITY_HEAD = 20
PROXIMITY_SHARE = 0.2


def match(snap: WhooshSnapshot, request: MatchRequest, clock: Clock) -> Matches:
    """Match `request` on `snap` (see the module's docstring)."""
    found = Matches(sort=request.sort)
    extra = _filters(snap, request, found.notices)
    compiler = Compiler(snap.vocabulary(), snap.values,
                        snap.ranking, question=is_question(request.text), clock=clock)
    try:
        compiled = compiler.run(request.tree, extra)
    except OutOfTime:
        found.out_of_time = True
        return found
    found.notices.extend(n for n in compiled.notices if n not in found.notices)
    if compiled.strict is None:
        if request.tree is not None:
            found.notices.append(Notice("only_stopwords", "the query holds only stop words "
                                        "(le, de, des…): type a more specific word"))
        if not extra:
            return found
        compiled.strict = wq.And(extra) if len(extra) > 1 else extra[0]
    found.terms = frozenset(compiled.highlight)
    if request.sort == "relevance" and not compiled.highlight:
        found.sort = "-date"  # nothing to rank by: newest first
    try:
        matched = _matching(snap, compiled.strict, clock)
    except OutOfTime:
        matched = np.zeros(snap.postings.size(), dtype=bool)
    exact = int(np.count_nonzero(matched))
    groups = snap.duplicates() if request.collapse else None
    # ranked beyond `want`, for the copies that collapsing drops (capped: a few more)
    want = request.want + (min(groups.redundant(matched), 3 * request.want + 30) if groups is not None else 0)
    try:
        first: set[int] = set()  # articles kept ahead whatever their score
        head = request.want  # how many of the best the opening boost re-ranks
        if compiled.relaxed is not None and exact < snap.ranking.relax_below:
            head = max(snap.ranking.rerank, request.want)
            found.ranked, matched, first = _relaxed(snap, compiled, matched, want, found.sort, clock)
            if int(np.count_nonzero(matched)) > exact:
                some = "no article contains" if not exact else (
                    "only 1 article contains" if exact == 1 else f"only {exact} articles contain")
                found.notices.append(Notice(
                    "relaxed", f"{some} all the words: the best articles with some of them follow",
                    exact=exact))
        else:
            found.ranked = rank(snap, compiled.parts(), want, found.sort, matched, clock)
        if found.sort == "relevance":
            found.ranked = _opening_boost(snap, found.ranked, compiled.parts(), head, first, clock,
                                          snap.scorer.typos(compiled.parts(), clock))
    except OutOfTime:
        if not found.ranked:
            found.ranked = [Match(d, 0.0) for d in np.flatnonzero(matched)[:want].tolist()]
    if groups is not None:  # a group of duplicates: one hit, counted once
        found.ranked = groups.collapse(found.ranked, matched, request.want)
        matched = groups.once(matched)
    found.total = int(np.count_nonzero(matched))
    if request.facets:
        found.facets = _facets(snap, matched, clock)
    found.out_of_time = clock.out
    return found


def rank(snap: WhooshSnapshot, parts: list[QueryPart], want: int, sort: str, matched: Mask,
         clock: Clock | None = None) -> list[Match]:
    """The first `want` of `matched`, by BM25F (or by date)."""
    if want == 0:
        return []
    if sort == "relevance":
        scorer = snap.scorer
        best = scorer.top(scorer.scores(parts, matched, clock), want, matched, scorer.typos(parts, clock))
        return [Match(d, score) for d, score in best]
    return [Match(d, 0.0) for d in by_date(snap.date_array(), np.flatnonzero(matched), sort, want)]


def date_keys(dates: np.ndarray, docs: np.ndarray, sort: str) -> np.ndarray:
    """Sort keys of documents by date ("date": oldest first, "-date": newest first); the
    articles without a date (`MISSING_DATE`) come last either way."""
    values = dates[docs]
    if sort == "-date":
        return np.where(values == MISSING_DATE, MISSING_DATE, MISSING_DATE - 1 - values)
    return values


def by_date(dates: np.ndarray, docs: np.ndarray, sort: str, want: int) -> list[int]:
    """The first `want` of `docs` by date, ties by document number."""
    keys = date_keys(dates, docs, sort)
    if len(keys) > want > 0:  # the want-th key, then every document that reaches it
        kth = np.partition(keys, want - 1)[want - 1]
        keep = keys <= kth
        keys, docs = keys[keep], docs[keep]
    return docs[np.lexsort((docs, keys))][:want].tolist()


def _filters(snap: WhooshSnapshot, request: MatchRequest, notices: list[Notice]) -> list[wq.Query]:
    """The whoosh queries of the request's filters and date range."""
    extra: list[wq.Query] = []
    for name, wanted in request.filters.items():
        values: list[str] = []
        for item in wanted:
            found = snap.values(name).exact(item)
            if not found:
                notices.append(Notice("no_such_value", f"no {name} is {item!r}", field=name, value=item))
            values.extend(found)
        extra.append(wq.Or([wq.Term(name, v) for v in values]) if values else wq.NullQuery)
    if request.date_from is not None or request.date_to is not None:
        extra.append(wq.DateRange("date", request.date_from, request.date_to))
    return extra


def _matching(snap: WhooshSnapshot, query: wq.Query, clock: Clock) -> Mask:
    """Every document `query` matches, as a mask: set algebra, whoosh for the kinds it does
    not know."""
    found: Any = snap.postings.of(query, lambda q: _whoosh_docs(snap.searcher, q, clock), clock)
    if found is None:
        found = _whoosh_docs(snap.searcher, query, clock)
    if isinstance(found, np.ndarray) and found.dtype == bool:
        return found
    return snap.postings.mask(found)


def _whoosh_docs(searcher: Any, query: wq.Query, clock: Clock) -> set[int]:
    """The documents matching `query` through whoosh's matchers, as many as time allows."""
    found: set[int] = set()
    if clock.expired():
        return found
    for n, docnum in enumerate(searcher.docs_for_query(query)):
        found.add(docnum)
        if n & 63 == 63 and clock.expired():
            break
    return found


def _opening_boost(snap: WhooshSnapshot, ranked: list[Match], parts: list[QueryPart], head_size: int,
                   first: set[int], clock: Clock, typos: np.ndarray | None = None) -> list[Match]:
    """Re-rank the best `head_size` articles favouring those whose opening (the lead, in
    news' inverted pyramid) holds the words: score * (1 + lead_weight * share of the query's
    parts found in the first `lead_chars` characters of the body + proximity_weight *
    share of its neighbour words found side by side). Articles in `first` stay ahead, and
    those with fewer `typos` before those with more."""
    ranking = snap.ranking
    head = ranked[:head_size]
    if not parts or ranking.lead_weight <= 0 or len(head) < 2:
        return ranked
    groups = [set(p.stems) for p in parts]
    stems = frozenset().union(*groups)
    pairs = _pairs(snap, parts) if ranking.proximity_weight > 0 else []
    near: dict[Any, float] = _side_by_side(snap, pairs, {m.key for m in head[:PROXIMITY_HEAD]},  # type: ignore[misc]
                                           clock) if pairs else {}
    analyzer = shared_analyzer()
    rescored = []
    for m in head:
        clock.check()
        body = snap.stored(m.key).get("body", "")
        opening = {term for _, _, term in analyzer.spans(body[:ranking.lead_chars], stems)}
        share = sum(1 for g in groups if not g.isdisjoint(opening)) / len(groups)
        factor = 1.0 + ranking.lead_weight * share + ranking.proximity_weight * near.get(m.key, 0.0)
        rescored.append(Match(m.key, m.score * factor, m.all_words))
    if typos is None:
        rescored.sort(key=lambda m: (m.key not in first, -m.score, m.key))
    else:
        rescored.sort(key=lambda m: (m.key not in first, int(typos[m.key]), -m.score, m.key))  # type: ignore[call-overload]
    return rescored + ranked[len(head):]


def _pairs(snap: WhooshSnapshot, parts: list[QueryPart]) -> list[tuple[set[str], set[str]]]:
    """The query's neighbour words (their stems) whose being side by side says something:
    those of words held by fewer than `PROXIMITY_SHARE` of the articles (the positions of
    the others are the longest to read, and their neighbours the least telling)."""
    limit = int(np.count_nonzero(snap.postings.live())) * PROXIMITY_SHARE
    rare = [{s for s in p.stems if len(snap.postings.term("body", s)) < limit} for p in parts]
    return [(a, b) for a, b in zip(rare, rare[1:], strict=False) if a and b]


def _side_by_side(snap: WhooshSnapshot, pairs: list[tuple[set[str], set[str]]], docs: set[int],
                  clock: Clock) -> dict[int, float]:
    """For each of `docs`, the share of the query's neighbour words (`pairs` of their stems)
    found side by side, in this order, in its body (read from the postings' positions)."""
    positions: dict[str, dict[int, Sequence[int]]] = {}
    for stem in {t for pair in pairs for side in pair for t in side}:
        positions[stem] = snap.postings._positions("body", stem, docs, clock)
    out: dict[int, float] = {}
    for d in docs:
        found = 0
        for left, right in pairs:
            after = {p + 1 for t in left for p in positions[t].get(d, ())}
            if after and any(p in after for t in right for p in positions[t].get(d, ())):
                found += 1
        if found:
            out[d] = found / len(pairs)
    return out


def _relaxed(snap: WhooshSnapshot, compiled: Compiled, exact: Mask, want: int, sort: str,
             clock: Clock) -> tuple[list[Match], Mask, set[int]]:
    """Articles with all the words first (for queries of up to `exact_first_words`
    words), then the best of those with some of them: the top `relax_pool` articles of
    the OR of the words, by BM25F times the share of the words they hold ** `coord`."""
    assert compiled.relaxed is not None
    ranking = snap.ranking
    candidates = _matching(snap, compiled.relaxed, clock)
    clauses = [c for c in compiled.clauses if c.relaxable]
    scorer = snap.scorer
    total, scored = scorer.scores(compiled.parts(), candidates, clock)
    typos = scorer.typos(compiled.parts(), clock)
    if ranking.coord > 0 and clauses:
        held = np.zeros(scorer.size, dtype=np.int32)  # how many clauses each document holds
        for clause in clauses:
            holds = np.zeros(scorer.size, dtype=bool)
            for part in clause.parts:
                holds[scorer.ids(part, clock)] = True
            held += holds
        some = scored & ~exact
        total[some] *= (held[some] / len(clauses)) ** ranking.coord
    pool = dict(scorer.top((total, scored), max(ranking.relax_pool, want), typos=typos))
    with_all = set(np.flatnonzero(exact).tolist())  # fewer than `relax_below`
    for docnum in with_all:  # all the words: always in
        pool.setdefault(docnum, float(total[docnum]) if scored[docnum] else 0.0)
    first = with_all if len(clauses) <= ranking.exact_first_words else set()
    if sort == "relevance":
        tier = typos if typos is not None else np.zeros(scorer.size, dtype=np.int32)
        order = sorted(pool, key=lambda d: (d not in first, tier[d], -pool[d], d))
    else:
        docs = np.array(sorted(pool), dtype=np.int64)
        keys = dict(zip(docs.tolist(), date_keys(snap.date_array(), docs, sort).tolist(), strict=True))
        order = sorted(pool, key=lambda d: (d not in first, keys[d], d))
    return [Match(d, pool[d], d in with_all) for d in order], snap.postings.mask(list(pool)), first


def _facets(snap: WhooshSnapshot, matched: Mask, clock: Clock) -> dict[str, tuple[FacetCount, ...]]:
    """Counts of the values of each facet field among `matched` (the fields counted before
    the time ran out): each value's documents looked up in the mask, in C."""
    out: dict[str, tuple[FacetCount, ...]] = {}
    try:
        out.update(_dated_facets(snap, matched, clock))
    except OutOfTime:
        return out
    for fname in FACET_FIELDS:
        if fname == "year":
            continue  # counted from the months
        counts = []
        try:
            for i, (value, docs) in enumerate(snap.value_docs(fname, clock).items()):
                if not i & 63:
                    clock.check()
                n = int(np.count_nonzero(matched[docs]))
                if n:
                    counts.append(FacetCount(value, n))
        except OutOfTime:
            break
        counts.sort(key=lambda c: (-c.count, c.value))
        out[fname] = tuple(counts[:FACET_TOP])
    return out


def _dated_facets(snap: WhooshSnapshot, matched: Mask, clock: Clock) -> dict[str, tuple[FacetCount, ...]]:
    """The "month" counts of `matched` (`YYYY-MM`), from the date column, and the "year"
    counts from them: the timeline and the year facet are one count. Newest first."""
    clock.check()
    months = snap.month_column()[matched]
    months = months[months >= 0]
    if not len(months):
        return {"month": (), "year": ()}
    base = int(months.min())
    counts = np.bincount(months - base)
    found = [(base + int(i), int(counts[i])) for i in np.flatnonzero(counts)]
    by_month = tuple(FacetCount(f"{m // 12:04d}-{m % 12 + 1:02d}", n) for m, n in reversed(found))
    return {"month": by_month, "year": years_of(by_month)}
