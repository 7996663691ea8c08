"""One search, whatever the engine: options -> `MatchRequest` -> the backend's matches ->
hits with snippets -> "did you mean" -> `Results`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .backend import Matches, MatchRequest, Snapshot
from .clock import Clock, OutOfTime
from .corpus import Article, parse_date
from .errors import QueryError, UnknownArticleError
from .hits import build_hit, corrected, spelled_words
from .query_syntax import parse, parse_date_bound
from .results import Notice, Results
from .schema import FILTER_FIELDS
from .words import WORD_RE, is_question

__all__ = ["SORT_NAMES", "article", "request_for", "search", "similar"]

#: The names a sort may be given (the CLI's too), to the order they mean.
SORT_NAMES = {"relevance": "relevance", "pertinence": "relevance", "date": "date", "oldest": "date",
              "-date": "-date", "newest": "-date", "recent": "-date"}


def request_for(q: str, *, limit: int, offset: int, sort: str,
                filters: Mapping[str, Any] | None, date_from: Any, date_to: Any,
                facets: bool, duplicates: bool = False) -> tuple[MatchRequest, list[Notice]]:
    """Check and normalise the options of a search; return the request and the query
    parser's notices.

    Raises:
        TypeError, ValueError: misuse (a query that is not a str, a bad sort, limit or filter).
        QueryError: a date bound that is not a date.
    """
    if not isinstance(q, str):
        raise TypeError(f"query must be a str, not {type(q).__name__}")
    if not isinstance(sort, str) or sort not in SORT_NAMES:
        raise ValueError(f"sort must be one of {', '.join(SORT_NAMES)}, not {sort!r}")
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must be >= 0")
    parsed = parse(q)
    request = MatchRequest(
        text=q, tree=parsed.root, filters=_filters(filters),
        date_from=_as_datetime(date_from, end=False), date_to=_as_datetime(date_to, end=True),
        sort=SORT_NAMES[sort], want=offset + limit, facets=facets, collapse=not duplicates)
    return request, list(parsed.notices)


def _filters(filters: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Filters as field -> the values wanted (a str or an int is one value, a list any of them)."""
    out: dict[str, tuple[str, ...]] = {}
    for name, wanted in (filters or {}).items():
        if name not in FILTER_FIELDS:
            raise ValueError(f"unknown filter {name!r}: use one of {', '.join(FILTER_FIELDS)}")
        if wanted is None or wanted == "" or wanted == []:
            continue
        if isinstance(wanted, str | int) and not isinstance(wanted, bool):
            items: Iterable[Any] = [wanted]
        elif isinstance(wanted, Iterable):
            items = wanted
        else:
            raise TypeError(f"filter {name!r} takes a str, an int or a list of them, "
                            f"not {type(wanted).__name__}")
        values = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise TypeError(f"filter {name!r} takes a str, an int or a list of them, "
                                f"not a list holding {type(item).__name__}")
            values.append(str(item))
        if values:
            out[name] = tuple(values)
    return out


def _as_datetime(value: date | datetime | str | None, *, end: bool) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        bound = parse_date_bound(value, end=end)
        if bound is not None:
            return bound
        try:
            value = parse_date(value)
        except ValueError as err:
            raise QueryError(str(err)) from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if not isinstance(value, date):
        raise TypeError(f"a date bound is a date, a datetime or ISO text, not {type(value).__name__}")
    if end:
        return datetime(value.year, value.month, value.day, 23, 59, 59, 999999)
    return datetime(value.year, value.month, value.day)


def search(snap: Snapshot, request: MatchRequest, notices: list[Notice], *, limit: int, offset: int,
           snippets: bool, clock: Clock) -> Results:
    """Run one search on a snapshot (`request_for` made `request`)."""
    if request.tree is None and not request.text.strip() and not request.filters and \
            request.date_from is None and request.date_to is None:
        notices.append(Notice("empty", "empty query"))
        return Results(request.text, 0, (), _ms(clock), None, tuple(notices), {}, offset, limit,
                       request.sort)
    found, suggestion = _match_spelled(snap, request, notices, clock)
    notices.extend(n for n in found.notices if n not in notices)
    page = found.ranked[offset:offset + limit]
    stored = snap.articles([m.key for m in page]) if page else []
    copied = [d for m in page for d in m.duplicates]
    copies = {s.key: s.article for s in snap.articles(copied)} if copied else {}
    hits = tuple(build_hit(s, m, found.terms, snippets and not clock.expired(),
                           [copies[d] for d in m.duplicates])
                 for s, m in zip(stored, page, strict=True))
    if found.out_of_time or clock.out:
        notices.append(_time_notice(clock))
    return Results(request.text, found.total, hits, _ms(clock), suggestion, tuple(notices),
                   found.facets, offset, limit, found.sort)


def _match_spelled(snap: Snapshot, request: MatchRequest, notices: list[Notice],
                   clock: Clock) -> tuple[Matches, str | None]:
    """Match the request, or the request with its misspelled words corrected.

    A plain word the index does not hold (`gouvernemant`) is replaced by its correction
    (`gouvernement`), and the results are those of the corrected query, with a
    `corrected` notice (`query`: the corrected query; `as_typed`: the query that searches
    the words as typed, in quotes). A quoted word is searched as typed, and so is a word
    in an OR (`grève OU manifestation`: the other words may be what the user wants): their
    correction is only the "did you mean" suggestion.
    """
    if request.tree is None:
        return snap.match(request, clock), None
    try:
        vocab = snap.vocabulary()
        spelled = spelled_words(request.tree, question=is_question(request.text), text=request.text)
        fixed = corrected(vocab, request.text, [w for w in spelled if not (w.quoted or w.in_or)], clock)
        suggestion = corrected(vocab, request.text, [w for w in spelled if w.quoted or w.in_or], clock)
    except OutOfTime:
        return snap.match(request, clock), None
    if fixed is not None:
        better = dataclasses.replace(request, text=fixed, tree=parse(fixed).root)
        found = snap.match(better, clock)
        if found.total:
            typed = _corrected_spans(request.text, fixed)
            notices.append(Notice("corrected", f"no article holds {', '.join(w for w, _ in typed)}: "
                                  f"results for {fixed}", query=fixed,
                                  as_typed=_quote_words(request.text, typed)))
            return found, None
    return snap.match(request, clock), suggestion


def _corrected_spans(text: str, fixed: str) -> list[tuple[str, int]]:
    """The words of `text` that `fixed` (its corrected version) changed, with their offsets."""
    out = []
    for m in WORD_RE.finditer(text):
        if m.group() not in WORD_RE.findall(fixed):
            out.append((m.group(), m.start()))
    return out


def _quote_words(text: str, words: list[tuple[str, int]]) -> str:
    """`text` with each of these words (and offsets) in quotes: searched as typed."""
    for word, at in sorted(words, key=lambda w: -w[1]):
        text = f'{text[:at]}"{word}"{text[at + len(word):]}'
    return text


def similar(snap: Snapshot, article_id: str, *, limit: int, clock: Clock) -> Results:
    """The articles closest to one of the snapshot's."""
    key = snap.key_of(article_id)
    if key is None:
        raise UnknownArticleError(article_id)
    found: Matches = snap.similar(key, limit, clock)
    stored = snap.articles([m.key for m in found.ranked])
    hits = tuple(build_hit(s, m, found.terms, True) for s, m in zip(stored, found.ranked, strict=True))
    return Results(f"similar:{article_id}", found.total, hits, _ms(clock), limit=limit)


def article(snap: Snapshot, article_id: str) -> Article:
    """The stored article with this id.

    Raises:
        UnknownArticleError: no article has this id.
    """
    key = snap.key_of(article_id)
    if key is None:
        raise UnknownArticleError(article_id)
    return snap.articles([key])[0].article


def _time_notice(clock: Clock) -> Notice:
    return Notice("time_limit", f"the search was stopped after {clock.limit:g} s: "
                  "these are the results found by then", limit=clock.limit)


def _ms(clock: Clock) -> float:
    return round((time.perf_counter() - clock.started) * 1000, 2)
