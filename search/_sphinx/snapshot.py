"""A search view of a cluster index (the `Snapshot` protocol): match, articles, similar, stats."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from functools import partial
from typing import Any

from ..analysis import analyze, index_analyzer
from ..backend import Match, Matches, MatchRequest, StoredArticle
from ..clock import Clock, OutOfTime
from ..corpus import Article
from ..french import stem_word
from ..ranking import RankingConfig as Ranking
from ..results import FacetCount, IndexStats, Notice, as_datetime, years_of
from ..schema import TEXT_FIELDS
from ..vocabulary import Vocabulary
from ..words import is_question
from .collapse import GROUP, Copies, collapse_pool
from .documents import STORED, article_from, doc_id
from .lexicon import Lexicon
from .meta import SCHEMA, State
from .nodes import Session, quote
from .reads import Answer, Query, Site
from .statements import (
    FACET_ATTRS,
    MAX_MATCHES,
    SCALE,
    copies_sql,
    count_sql,
    facet_sql,
    filters_sql,
    ranked_sql,
)
from .translate import Translation, Translator

__all__ = ["SphinxSnapshot", "fetch_articles", "stored_size"]

#: Values listed per facet (years are all listed), as the local engine.
FACET_TOP = 50
#: Articles fetched in one query by `articles()`.
FETCH_BATCH = 200

#: A row of `RANKED_COLUMNS`: id, weight, date, has_date, source_id, tag_ids, year, month, grp.
Row = tuple[Any, ...]


def _score(weight: Any) -> float:
    return round(int(weight) / SCALE - 0.5, 6)  # searchd adds 0.5 to BM25F


def _date_key(row: Row, sort: str) -> tuple[bool, int]:
    return (not int(row[3]), int(row[2]) if sort == "date" else -int(row[2]))


def _mva(value: Any) -> list[int]:
    return [int(v) for v in str(value or "").split(",") if v]


def _facet_values(row: Row) -> dict[str, list[int]]:
    """The values a ranked row holds of each facet (`FACET_ATTRS`)."""
    return {"source": [int(row[4])], "tags": sorted(set(_mva(row[5]))), "month": [int(row[7])]}


class SphinxSnapshot:
    """The index as one state of its meta table names it (generation and lexicon)."""

    def __init__(self, site: Site, state: State, lexicon: Lexicon, ranking: Ranking) -> None:
        self.site = site
        self.state = state
        self.lexicon = lexicon
        self.ranking = ranking

    def _read(self, build: Any, clock: Clock | None = None) -> list[Answer]:
        return self.site.read(self.state.gen, build, clock)

    # -- matching -----------------------------------------------------------------

    def match(self, request: MatchRequest, clock: Clock) -> Matches:
        """Match, count, rank (and relax a query that too few articles hold entirely)."""
        missing: list[tuple[str, str]] = []
        where = filters_sql(self.lexicon, request.filters, request.date_from, request.date_to, missing)
        notices = [Notice("no_such_value", f"no {name} is {value!r}", field=name, value=value)
                   for name, value in missing]
        if where is None:
            return Matches(notices=notices, sort=request.sort)
        try:
            translation = Translator(self.lexicon, self.ranking, question=is_question(request.text),
                                     clock=clock).run(request.tree)
        except OutOfTime:
            return Matches(notices=notices, sort=request.sort, out_of_time=True)
        notices += translation.notices
        if translation.strict is None:
            if request.tree is not None:
                notices.append(Notice("only_stopwords", "the query holds only stop words "
                                      "(le, de, des…): type a more specific word"))
            if not where:
                return Matches(notices=notices, sort=request.sort)
        sort = request.sort if translation.terms or request.sort != "relevance" else "-date"
        want = request.want
        if want > MAX_MATCHES:
            notices.append(Notice("page_capped", f"a cluster ranks the first {MAX_MATCHES} "
                                  "matches only: pages beyond them are empty", limit=MAX_MATCHES))
            want = MAX_MATCHES
        try:
            return self._match(request, translation, where, sort, want, notices, clock)
        except OutOfTime:
            return Matches(notices=notices, sort=sort, terms=translation.terms, out_of_time=True)

    def _ranked(self, table: str, match: str | None, where: list[str], sort: str, limit: int,
                collapse: bool, extra: Sequence[str] = ()) -> list[Query]:
        """The statements of a ranked page: the page, then, collapsed, the count of every
        match and the matches that have copies (`search._sphinx.collapse`)."""
        page = Query(ranked_sql(table, match, where, sort, limit, self.ranking, extra, collapse=collapse),
                     meta=not collapse)
        if not collapse:
            return [page]
        return [page, Query(count_sql(table, match, where, extra), meta=True),
                Query(copies_sql(table, match, where, self.ranking, extra), meta=True)]

    def _page(self, answers: list[Answer], collapse: bool, match: str | None, where: list[str],
              want: int, clock: Clock, extra: Sequence[str] = ()) -> tuple[int, list[Row], Copies | None]:
        """What `_ranked` read: the count of every match, the rows of the page, and the
        copies that match (None: not collapsed), those of the page's groups all read."""
        if not collapse:
            return int(answers[0].meta.get("total_found", 0)), answers[0].rows, None
        copies = Copies.read(answers[2])
        missing = sorted({int(row[GROUP]) for row in answers[0].rows[:want]
                          if not copies.known(int(row[GROUP]))})
        if missing:  # past COPY_ROWS matching copies: those of the page's groups
            copies.add(self._read(lambda table: [Query(copies_sql(
                table, match, where, self.ranking, extra, missing))], clock)[0].rows)
        return int(answers[1].meta.get("total_found", 0)), answers[0].rows, copies

    def _match(self, request: MatchRequest, tr: Translation, where: list[str], sort: str,
               want: int, notices: list[Notice], clock: Clock) -> Matches:
        relax = tr.relaxed is not None
        limit = max(want, self.ranking.relax_below) if relax else want
        collapse = request.collapse

        def build(table: str) -> list[Query]:
            queries = self._ranked(table, tr.strict, where, sort, limit, collapse)
            if request.facets:
                queries += [Query(facet_sql(table, tr.strict, where, attr))
                            for attr in FACET_ATTRS.values()]
            return queries

        answers = self._read(build, clock)
        count, rows, copies = self._page(answers, collapse, tr.strict, where, want, clock)
        if relax and count < self.ranking.relax_below:  # every match, not every group
            exact = rows + (copies.rows() if copies is not None else [])
            return self._relaxed(request, tr, where, sort, want, exact, notices, clock)
        ranked = [Match(row[0], _score(row[1]) if sort == "relevance" else 0.0, True,
                        copies.duplicates(int(row[0]), int(row[GROUP])) if copies is not None else ())
                  for row in rows[:want]]
        total = count - copies.redundant() if copies is not None else count
        facets = {}
        if request.facets:
            facets = self._grouped(answers[3 if collapse else 1:], copies.uncounted() if copies else [])
        return Matches(total, ranked, tr.terms, facets, notices, sort)

    def _relaxed(self, request: MatchRequest, tr: Translation, where: list[str], sort: str,
                 want: int, exact_rows: list[Row], notices: list[Notice], clock: Clock) -> Matches:
        """Articles with all the words first (for queries of up to `exact_first_words`
        words), then the best of those with some of them (the local engine's rule)."""
        size = max(self.ranking.relax_pool, want)
        answers = self._read(lambda table: [Query(ranked_sql(
            table, tr.relaxed, where, "relevance", size, self.ranking))], clock)
        pool: dict[int, Row] = {row[0]: row for row in answers[0].rows}
        exact = {row[0]: row for row in exact_rows}
        for key, row in exact.items():
            pool.setdefault(key, row)
        first = set(exact) if tr.relaxable <= self.ranking.exact_first_words else set()
        if sort == "relevance":
            order = sorted(pool, key=lambda k: (k not in first, -int(pool[k][1]), k))
        else:
            order = sorted(pool, key=lambda k: (k not in first, *_date_key(pool[k], sort), k))
        if len(pool) > len(exact):
            n = len(exact)
            some = "no article contains" if not n else (
                "only 1 article contains" if n == 1 else f"only {n} articles contain")
            notices.append(Notice("relaxed", f"{some} all the words: the best articles with "
                                  "some of them follow", exact=n))
        if request.collapse:  # a group of duplicates: one hit, counted once
            collapsed, counted = collapse_pool(order, pool, want)
        else:
            collapsed, counted = [(k, ()) for k in order[:want]], list(pool.values())
        ranked = [Match(k, _score(pool[k][1]), k in exact, copies) for k, copies in collapsed]
        facets = self._counted(counted) if request.facets else {}
        return Matches(len(counted), ranked, tr.terms, facets, notices, sort)

    # -- facets -------------------------------------------------------------------

    def _facet(self, name: str, counts: Iterable[tuple[int, int]]) -> tuple[FacetCount, ...]:
        out: list[FacetCount] = []
        for number, count in counts:
            value = (f"{number // 100:04d}-{number % 100:02d}" if name == "month"
                     else self.lexicon.value_of(name, number))
            if value is not None and number and count > 0:
                out.append(FacetCount(value, count))
        if name == "month":
            return tuple(sorted(out, key=lambda c: c.value, reverse=True))
        return tuple(sorted(out, key=lambda c: (-c.count, c.value))[:FACET_TOP])

    def _with_years(self, facets: dict[str, tuple[FacetCount, ...]]) -> dict[str, tuple[FacetCount, ...]]:
        """The "year" counts from the "month" ones: the timeline and the year facet are one count."""
        facets["year"] = years_of(facets["month"])
        return facets

    def _grouped(self, answers: Sequence[Answer], uncounted: Iterable[Row] = (),
                 ) -> dict[str, tuple[FacetCount, ...]]:
        """The facets the engine counted (`facet_sql`), less the `uncounted` rows' values."""
        counts = {name: Counter({int(g): int(c) for g, c in answer.rows})
                  for name, answer in zip(FACET_ATTRS, answers, strict=True)}
        for row in uncounted:
            for name, values in _facet_values(row).items():
                counts[name].subtract(values)
        return self._with_years({name: self._facet(name, c.items()) for name, c in counts.items()})

    def _counted(self, rows: Iterable[Row]) -> dict[str, tuple[FacetCount, ...]]:
        counts: dict[str, Counter[int]] = {name: Counter() for name in FACET_ATTRS}
        for row in rows:
            for name, values in _facet_values(row).items():
                counts[name].update(values)
        return self._with_years({name: self._facet(name, c.items()) for name, c in counts.items()})

    # -- articles -----------------------------------------------------------------

    def articles(self, keys: Sequence[Hashable]) -> list[StoredArticle]:
        """The stored articles with these keys, in the same order (unknown keys left out)."""
        found = fetch_articles(self.site, self.state.gen, [k for k in keys if isinstance(k, int)])
        return [StoredArticle(k, found[k]) for k in keys if isinstance(k, int) and k in found]

    def key_of(self, article_id: str) -> Hashable | None:
        """The key of the article with this id (None: not in the index)."""
        key = doc_id(article_id)
        answers = self._read(lambda table: [Query(f"SELECT id, aid FROM {table} WHERE id = {key}")])
        return key if any(row[1] == article_id for row in answers[0].rows) else None

    def similar(self, key: Hashable, limit: int, clock: Clock) -> Matches:
        """The articles sharing this one's most distinctive words (tf-idf); never its own
        copies, and one article a group of the others' (as the local engine)."""
        stored = self.articles([key])
        if not stored or limit <= 0:
            return Matches()
        article = stored[0].article
        text = "\n".join(getattr(article, name) for name in TEXT_FIELDS)
        words = list(index_analyzer().words(text))
        df = self._frequencies(words)
        best: dict[str, tuple[int, str]] = {}  # stem -> (articles holding it, a word of it)
        for word in words:
            stem = stem_word(word)
            if df.get(word, 0) > best.get(stem, (0, ""))[0]:
                best[stem] = (df[word], word)
        articles = max(self.state.articles, 1)
        tf = Counter(t.text for t in analyze(text))
        weights = sorted(((1 + math.log(count)) * math.log(articles / best[term][0]), term)
                         for term, count in tf.items()
                         if len(term) >= 3 and not term.isdigit() and best.get(term, (0, ""))[0] >= 2)
        top = [(w, t) for w, t in reversed(weights) if w > 0][:25]
        if not top:
            return Matches()
        peak = top[0][0]
        alternatives = " | ".join(f"{best[t][1]}^{max(w / peak, 0.001):.3f}" for w, t in top)
        match = f"@({','.join(TEXT_FIELDS)}) ({alternatives})"
        own = self._read(lambda table: [Query(f"SELECT grp FROM {table} WHERE id = {key}")])[0].rows
        extra = [f"grp != {int(own[0][0]) if own else key}", f"id != {key}"]
        answers = self._read(lambda table: self._ranked(table, match, [], "relevance", limit, True, extra),
                             clock)
        count, rows, copies = self._page(answers, True, match, [], limit, clock, extra)
        assert copies is not None
        ranked = [Match(row[0], _score(row[1]), True, copies.duplicates(int(row[0]), int(row[GROUP])))
                  for row in rows[:limit]]
        return Matches(count - copies.redundant(), ranked, frozenset(t for _, t in top[:10]))

    def _frequencies(self, words: list[str]) -> dict[str, int]:
        """How many articles hold each word's stem (the engine's count, over every shard)."""
        text = quote(" ".join(words))

        def keywords(session: Session, table: str) -> list[tuple[Any, ...]]:
            return session.execute(f"CALL KEYWORDS({text}, {quote(table)}, 1)")

        counts: Counter[str] = Counter()
        for rows in self.site.each_shard(self.state.gen, keywords):
            for _qpos, word, _normalized, docs, *_hits in rows:
                counts[str(word)] += int(docs)
        return dict(counts)

    # -- the rest -----------------------------------------------------------------

    def vocabulary(self) -> Vocabulary:
        """The real words of the index, with their document frequencies."""
        return self.lexicon.vocabulary

    def stats(self) -> IndexStats:
        """Counts, size, date range and versions."""
        answers = self._read(lambda table: [
            Query(f"SELECT COUNT(*) AS n FROM {table}"),
            Query(f"SELECT id FROM {table} WHERE has_date = 1 ORDER BY date ASC, id ASC LIMIT 1"),
            Query(f"SELECT id FROM {table} WHERE has_date = 1 ORDER BY date DESC, id ASC LIMIT 1")])
        count = int(answers[0].rows[0][0]) if answers[0].rows else 0
        # the oldest and newest dates as their articles give them (with their time zone)
        ends = [int(a.rows[0][0]) if a.rows else None for a in answers[1:3]]
        dates = {s.key: s.article.date for s in self.articles([k for k in ends if k is not None])}
        return IndexStats(
            path=self.site.url, articles=count, size_bytes=stored_size(self.site, self.state.gen),
            oldest=dates.get(ends[0]) if ends[0] is not None else None,
            newest=dates.get(ends[1]) if ends[1] is not None else None,
            schema_version=SCHEMA, built_at=as_datetime(self.state.built_at),
            updated_at=as_datetime(self.state.updated_at),
            segments=len(self.site.topology.shards), deleted=0,
            sources=len(self.lexicon.values.get("source", {})), words=len(self.lexicon.vocabulary))


def _by_ids(table: str, ids: Sequence[int]) -> list[Query]:
    columns = ", ".join(("id", "aid", *STORED))
    return [Query(f"SELECT {columns} FROM {table} WHERE id IN ({', '.join(map(str, ids))}) "
                  f"LIMIT {len(ids)} OPTION max_matches={len(ids)}")]


def fetch_articles(site: Site, gen: str, keys: Sequence[int]) -> dict[int, Article]:
    """The stored articles of generation `gen` with these keys, by key."""
    ids = list(dict.fromkeys(keys))
    found: dict[int, Article] = {}
    for at in range(0, len(ids), FETCH_BATCH):
        answers = site.read(gen, partial(_by_ids, ids=ids[at:at + FETCH_BATCH]))
        for row in answers[0].rows:
            found[int(row[0])] = article_from(row[1], row[2:])
    return found


def stored_size(site: Site, gen: str) -> int:
    """Bytes of one copy of each shard of generation `gen` (RAM and disk chunks)."""

    def size(session: Session, table: str) -> int:
        status = dict(session.execute(f"SHOW INDEX {table} STATUS"))
        return int(status.get("ram_bytes", 0)) + int(status.get("disk_bytes", 0))

    return sum(site.each_shard(gen, size))
