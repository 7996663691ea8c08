"""The posting lists of one reader, cached, and the set algebra that matches queries with them.

Counting every match (for the total and the facets) through whoosh's matchers costs a few
microseconds a posting in Python: 100 ms for a word in half of 36,000 articles. Here each
term's document numbers are read once, block by block, kept as numpy arrays (within a
budget), and queries are answered on boolean masks indexed by document number (AND is
`&`, OR is `|`): the cost of a query grows with the corpus in C, not in Python objects.
Query kinds this module does not know fall back to whoosh.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from ..clock import Clock

__all__ = ["MISSING_DATE", "Mask", "PostingCache", "Postings", "numeric_column"]

#: The cache's budget, in postings of an array (12 bytes each; a document in a set or in a
#: positions map costs about 8 times that): about 100 MB. The 360 varied queries of the speed
#: benchmark on 36,000 articles use 2 million; with too small a cache, the frequent words of
#: long queries are read from disk again and again (p95 300 ms instead of 30).
CACHE_IDS = 8_000_000
_OBJECT = 8  # what a document costs in a set or a dict, in postings of an array
_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)
#: The date number of an article without a date (whoosh's default for the column).
MISSING_DATE = np.uint64(2**64 - 1)


#: A posting list: document numbers (int32, ascending) and the term's weight (its frequency,
#: float64). Arrays, not lists: the garbage collector does not walk them (a cache of lists
#: of millions of numbers made each full collection cost about 80 ms, mid-search).
Postings = tuple[np.ndarray, np.ndarray]
#: A set of documents: a boolean array indexed by document number.
Mask = np.ndarray


def _leaf_postings(matcher: Any, clock: Clock | None) -> tuple[np.ndarray, np.ndarray]:
    """Every (document number, weight) of a segment's posting list, a block at a time, each
    block decoded with numpy (whoosh decodes its delta-encoded numbers one by one)."""
    if not (hasattr(matcher, "_read_data") and hasattr(matcher, "_data")) or matcher._byteids:
        return _leaf_postings_slowly(matcher, clock)  # not whoosh 3's leaf matcher
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    while matcher.is_active():
        if clock is not None:
            clock.check()
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, _values = matcher._data
        count = matcher._blocklength
        ids = np.cumsum(np.array(deltas, dtype=np.int64))
        if weights is None:
            block_weights = np.ones(count)
        elif isinstance(weights, float):
            block_weights = np.full(count, weights)
        else:
            block_weights = np.array(weights, dtype=np.float64)
        start = matcher._i
        id_blocks.append(ids[start:])
        weight_blocks.append(block_weights[start:])
        matcher._next_block()
    if not id_blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _leaf_postings_slowly(matcher: Any, clock: Clock | None) -> tuple[np.ndarray, np.ndarray]:
    """The same through the matcher's own interface, one posting at a time."""
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
        if clock is not None and not len(ids) & 127:
            clock.check()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


class PostingCache:
    """The posting lists and document sets of one open reader (valid until the index
    changes); safe to use from several threads (the cache is locked, the reads are not)."""

    def __init__(self, reader: Any, dates: Callable[[], np.ndarray]) -> None:
        self.reader = reader
        self._dates = dates
        self._cache: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lengths: dict[str, np.ndarray] = {}
        self._live: np.ndarray | None = None
        self._cached_ids = 0
        self._sizes: dict[tuple[str, str, str], int] = {}
        self._by_date: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()  # held only to read or change the caches, never to compute

    def live(self) -> np.ndarray:
        """Which documents are live (not deleted), as a boolean array by document number:
        from each segment's deletions, without a call per document."""
        if self._live is None:
            live = np.ones(self.reader.doc_count_all(), dtype=bool)
            for leaf, offset in self.reader.leaf_readers():
                if leaf.has_deletions():
                    deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                    live[offset + deleted] = False
            self._live = live
        return self._live

    def _cached(self, key: tuple[str, str, str]) -> Any:
        """The cached value of `key` (None: not cached), now the most recently used."""
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _remember(self, key: tuple[str, str, str], value: Any, size: int) -> None:
        size += 1  # an empty set costs something too
        with self._lock:
            self._cached_ids += size - self._sizes.get(key, 0)
            self._cache[key] = value
            self._sizes[key] = size
            while self._cached_ids > CACHE_IDS and len(self._cache) > 1:
                dropped, _ = self._cache.popitem(last=False)
                self._cached_ids -= self._sizes.pop(dropped)

    def _matchers(self, field: str, text: str) -> Iterator[tuple[Any, int, Any, frozenset[int] | set[int]]]:
        """For each segment holding the term: the segment, its first document number, its
        leaf matcher (unwrapped from whoosh's deletion filter) and its deleted documents."""
        for leaf, offset in self.reader.leaf_readers():
            if (field, text) not in leaf:
                continue
            matcher = leaf.postings(field, text)
            deleted: frozenset[int] | set[int] = frozenset()
            if isinstance(matcher, FilterMatcher):
                deleted = leaf.deleted_docs_set
                matcher = matcher.child
            yield leaf, offset, matcher, deleted

    def postings(self, field: str, text: str, clock: Clock | None = None) -> Postings:
        """The documents holding `text` in `field`, with the term's frequency in each
        (`clock` is checked between blocks)."""
        key = ("p", field, text)
        found = self._cached(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for _leaf, offset, matcher, deleted in self._matchers(field, text):
            ids, weights = _leaf_postings(matcher, clock)
            ids = ids.astype(np.int32)
            if deleted:
                keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int32, count=len(deleted)))
                ids, weights = ids[keep], weights[keep]
            id_parts.append(ids + offset if offset else ids)
            weight_parts.append(weights)
        result = ((np.concatenate(id_parts), np.concatenate(weight_parts)) if len(id_parts) > 1 else
                  (id_parts[0], weight_parts[0]) if id_parts else
                  (np.zeros(0, dtype=np.int32), np.zeros(0)))
        self._remember(key, result, len(result[0]))
        return result

    def term(self, field: str, text: str, clock: Clock | None = None) -> np.ndarray:
        """The documents holding `text` in `field` (their numbers, ascending)."""
        return self.postings(field, text, clock)[0]

    def size(self) -> int:
        """Document numbers are below this."""
        return int(self.reader.doc_count_all())

    def mask(self, docs: Any) -> Mask:
        """Documents (numbers, a set or an array of them) as a mask."""
        out = np.zeros(self.size(), dtype=bool)
        if isinstance(docs, set | frozenset):
            docs = np.fromiter(docs, dtype=np.int64, count=len(docs))
        if len(docs):
            out[docs] = True
        return out

    def lengths(self, field: str) -> np.ndarray:
        """The length (in terms) of `field` in every document, as whoosh stores it (one byte
        a document, decoded through whoosh's table), read whole from each segment's column."""
        found = self._lengths.get(field)
        if found is None:
            found = np.zeros(self.reader.doc_count_all(), dtype=np.int64)
            for leaf, offset in self.reader.leaf_readers():
                perdoc = getattr(leaf, "_perdoc", None)
                column = f"_{field}_len"
                if perdoc is None or not perdoc.has_column(column):
                    continue
                found[offset:offset + leaf.doc_count_all()] = _LENGTH[numeric_column(
                    perdoc.column_reader(column, LENGTHS_COLUMN), leaf.doc_count_all())]
            self._lengths[field] = found
        return found

    def phrase(self, field: str, terms: list[str], slop: int, clock: Clock | None = None) -> Mask:
        """Documents with `terms` in this order in `field`, each at most `slop` positions
        after the one before (1: adjacent), as whoosh's `Phrase` matches them."""
        key = ("f", field, "\x00".join(terms) + f"~{slop}")
        found = self._cached(key)
        if found is None:
            found = np.array(sorted(self._phrase(field, terms, slop, clock)), dtype=np.int32)
            self._remember(key, found, len(found))
        return self.mask(found)

    def _phrase(self, field: str, terms: list[str], slop: int, clock: Clock | None) -> set[int]:
        lists = sorted((self.term(field, t, clock) for t in terms), key=len)
        common = lists[0]
        for ids in lists[1:]:
            common = np.intersect1d(common, ids, assume_unique=True)
        candidates = set(common.tolist())
        if not candidates:
            return candidates
        chains: dict[int, set[int]] | None = None
        for term in terms:
            found = self._positions(field, term, candidates, clock)
            if chains is None:
                chains = {d: set(p) for d, p in found.items()}
                continue
            nxt: dict[int, set[int]] = {}
            if clock is not None:
                clock.check()
            for d, ends in chains.items():
                if slop == 1:
                    reach = {p for p in found.get(d, ()) if p - 1 in ends}
                else:
                    reach = {p for p in found.get(d, ()) if any(0 < p - e <= slop for e in ends)}
                if reach:
                    nxt[d] = reach
            chains = nxt
        return set(chains or ())

    def _positions(self, field: str, term: str, docs: set[int], clock: Clock | None,
                   ) -> dict[int, Sequence[int]]:
        """The positions of `term` in `field` of each of `docs` that holds it. A term's
        positions in every document are cached; for a few documents among many, only
        theirs are decoded (a phrase with a frequent word: `"ce n'est pas"`)."""
        key = ("w", field, term)
        every = self._cached(key)
        if every is None:
            if len(docs) * 4 < len(self.term(field, term, clock)):
                return self._read_positions(field, term, docs, clock)
            every = self._read_positions(field, term, None, clock)
            self._remember(key, every, _OBJECT * len(every))
        if len(docs) * 4 < len(every):
            return {d: every[d] for d in docs if d in every}
        return every  # type: ignore[no-any-return]

    def _read_positions(self, field: str, term: str, only: set[int] | None, clock: Clock | None,
                        ) -> dict[int, Sequence[int]]:
        """The positions of `term` in `field` of every document holding it (or of `only`)."""
        fmt = self.reader.schema[field].format
        decode = getattr(fmt, "decode_array", fmt.decode_positions)  # arrays: see `Postings`
        out: dict[int, Sequence[int]] = {}
        for leaf, offset, matcher, deleted in self._matchers(field, term):
            wanted = None if only is None else {
                d - offset for d in only if offset <= d < offset + leaf.doc_count_all()}
            if wanted is not None and not wanted:
                continue
            todo = sorted(wanted) if wanted is not None else []
            j = 0  # the first wanted document not yet reached
            while matcher.is_active():
                if clock is not None:
                    clock.check()
                if not hasattr(matcher, "_read_values"):
                    d = matcher.id()
                    if d not in deleted and (wanted is None or d in wanted):
                        out[d + offset] = decode(matcher.value())
                    matcher.next()
                    continue
                if wanted is not None:  # skip the blocks that end before the next wanted one
                    if j == len(todo):
                        break
                    last = matcher._maxid
                    if todo[j] > last:
                        matcher._next_block()
                        continue
                    j = bisect_right(todo, last, j)
                if matcher._ids is None:
                    matcher._read_ids()
                if matcher._values is None:
                    matcher._read_values()
                start = matcher._i
                for d, value in zip(matcher._ids[start:], matcher._values[start:], strict=True):
                    if d not in deleted and (wanted is None or d in wanted):
                        out[d + offset] = decode(value)
                matcher._next_block()
        return out

    def dated(self, start: Any, end: Any) -> Mask:
        """Live documents dated between two whoosh date numbers (None: open)."""
        if self._by_date is None:
            dates = self._dates()
            docs = np.flatnonzero(dates != MISSING_DATE)
            order = np.argsort(dates[docs], kind="stable")
            self._by_date = (dates[docs][order], docs[order])
        keys, docs = self._by_date
        lo = 0 if start is None else int(np.searchsorted(keys, start, side="left"))
        hi = len(keys) if end is None else int(np.searchsorted(keys, end, side="right"))
        return self.mask(docs[lo:hi]) & self.live()

    def of(self, q: Any, fallback: Callable[[Any], set[int]] | None = None,
           clock: Clock | None = None) -> Mask | None:
        """The documents `q` matches, as a mask. Kinds this module cannot compute are asked
        of `fallback` (whoosh); without one, the answer is None. `clock` is checked as
        posting lists are read."""
        if clock is not None:
            clock.check()
        if isinstance(q, wq.Term):
            return self.mask(self.term(q.fieldname, q.text, clock))
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(self.size(), dtype=bool)
        if isinstance(q, wq.Every):
            return self.live().copy()
        if isinstance(q, wq.DateRange | wq.NumericRange) and q.fieldname == "date":
            start, end = _range_bounds(q)
            return self.dated(start, end)
        if isinstance(q, wq.Not):
            inner = self.of(q.query, fallback, clock)
            return None if inner is None else self.live() & ~inner
        if isinstance(q, wq.Or):
            out = np.zeros(self.size(), dtype=bool)
            for sub in q.subqueries:
                part = self.of(sub, fallback, clock)
                if part is None:
                    return None
                out |= part
            return out
        if isinstance(q, wq.And):
            return self._and(q.subqueries, fallback, clock)
        if isinstance(q, wq.Phrase) and q.words:
            return self.phrase(q.fieldname, list(q.words), q.slop, clock)
        if fallback is not None:
            return self.mask(fallback(q))
        return None

    def _and(self, subqueries: Iterable[Any], fallback: Callable[[Any], set[int]] | None,
             clock: Clock | None) -> Mask | None:
        out = self.live().copy()
        for sub in subqueries:
            negated = isinstance(sub, wq.Not)
            part = self.of(sub.query if negated else sub, fallback, clock)
            if part is None:
                return None
            if negated:
                out &= ~part
            else:
                out &= part
        return out


def numeric_column(column: Any, count: int, default: int = 0) -> np.ndarray:
    """The values of a segment's numeric column (whoosh's `NumericColumn`: big-endian,
    fixed width) for its `count` documents, read at once for whoosh-reloaded 2.7.5's reader,
    else one document at a time; documents past the column's end get `default`."""
    typecode = getattr(column, "_typecode", None)
    raw = getattr(column, "_dbfile", None)
    if raw is not None and typecode is not None and hasattr(column, "_count"):
        dtype = np.dtype(">" + typecode.replace("I", "u4").replace("Q", "u8").replace("B", "u1")
                         .replace("i", "i4").replace("q", "i8"))
        stored = np.frombuffer(raw.get(column._basepos, column._count * dtype.itemsize), dtype=dtype)
        out = np.full(count, getattr(column, "_default", default), dtype=dtype.newbyteorder("="))
        out[:min(len(stored), count)] = stored[:count]
        return out
    return np.array([column[i] for i in range(count)])  # pragma: no cover - another whoosh


def _range_bounds(q: Any) -> tuple[int | None, int | None]:
    """A whoosh date range as inclusive bounds on the sortable date numbers."""
    lo, hi = q.start, q.end  # DateRange keeps them as whoosh's date longs
    if lo is not None and q.startexcl:
        lo += 1
    if hi is not None and q.endexcl:
        hi -= 1
    return lo, hi
