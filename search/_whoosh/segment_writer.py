"""Whoosh's segment writer with a faster posting path (`FastSegmentWriter`).

Whoosh's `SegmentWriter` sends every posting through its `PostingPool` as a tuple (sorted
at the end, spilled to disk and merged when large), then through `add_postings` one posting
at a time. About half the CPU of a rebuild went there. `FastSegmentWriter` keeps each
document's title and body postings as a few numpy arrays instead, sorts them all by term
once at the end, hands each term's blocks to whoosh's postings writer whole, and counts
the vocabulary words from the same analysis pass as the terms. The segment files are
whoosh's own (same codec, same blocks), and `tests/test_writer.py` checks that they hold
what whoosh's own writer writes.

Both writers depend on whoosh-reloaded 2.7.5 internals (the pool, the postings writer's
block buffer); the version is pinned in `pyproject.toml`.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.writing import SegmentWriter

from ..schema import TEXT_FIELDS
from ..vocabulary import VocabularyBuilder
from .fields import Codec

__all__ = ["FastSegmentWriter", "TermPool"]

# One term's postings, ready to write: document numbers, weights, encoded values.
_Postings = tuple[list[int], list[float], list[bytes]]
# A run record: field name, term bytes, postings.
_Record = tuple[str, bytes, list[int], list[float], list[bytes]]

_TERM_COST = 250  # bytes of memory per term in the pool (dict entries, the term, its bytes)
_DOC_COST = 400  # bytes per document and positional field (three small numpy arrays)
_BATCH_POSTINGS = 65536  # postings encoded at a time when writing


class _TermNumbers(dict[str, int]):
    """Term -> number, numbered as they come."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class _PositionalField:
    """The postings of one positional field (title, body), as the documents come: per
    document its distinct term numbers, their counts, and their positions grouped by term
    (numpy arrays: a handful of numpy calls per document instead of Python work per token).
    """

    def __init__(self) -> None:
        self.numbers = _TermNumbers()
        self.docs: list[int] = []
        self.sizes: list[int] = []
        self.terms: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self.positions: list[np.ndarray] = []

    def add(self, docnum: int, terms: list[str], joined: list[tuple[str, int]]) -> tuple[int, int]:
        """Add a document's terms (position = index) and joined compounds; return its
        length in terms and its number of distinct terms."""
        count = len(terms)
        numbers = np.fromiter(map(self.numbers.__getitem__, terms), np.int32, count)
        if joined:
            numbers = np.concatenate((numbers, np.fromiter(
                (self.numbers[term] for term, _ in joined), np.int32, len(joined))))
            where = np.concatenate((np.arange(count, dtype=np.int32),
                                    np.fromiter((at for _, at in joined), np.int32, len(joined))))
            order = np.lexsort((where, numbers))
            positions = where[order]
        else:
            order = np.argsort(numbers, kind="stable")
            positions = order.astype(np.int32)
        if not len(order):
            return 0, 0
        grouped = numbers[order]
        starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
        self.docs.append(docnum)
        self.sizes.append(len(starts))
        self.terms.append(grouped[starts])
        self.counts.append(np.diff(starts, append=len(grouped)).astype(np.int32))
        self.positions.append(positions)
        return len(grouped), len(starts)

    def records(self, fmt: Any) -> Iterator[tuple[bytes, list[int], list[float], list[bytes]]]:
        """Every term's postings, sorted by term bytes, documents in order."""
        if not self.docs:
            return
        words = [term.encode("utf-8") for term in self.numbers]  # by number
        by_bytes = sorted(range(len(words)), key=words.__getitem__)
        rank = np.empty(len(words), np.int32)
        rank[by_bytes] = np.arange(len(words), dtype=np.int32)
        keys = rank[np.concatenate(self.terms)]
        counts = np.concatenate(self.counts)
        docs = np.repeat(np.array(self.docs, np.int32), self.sizes)
        positions = np.concatenate(self.positions)
        starts = np.cumsum(counts) - counts  # where each posting's positions start
        self.terms, self.counts, self.positions = [], [], []
        order = np.argsort(keys, kind="stable")  # by term, then document (added in order)
        keys, counts, docs, starts = keys[order], counts[order], docs[order], starts[order]
        del order
        firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))).tolist()
        firsts.append(len(keys))
        boost = fmt.field_boost
        term = 0
        while term < len(firsts) - 1:  # a batch of terms of about _BATCH_POSTINGS postings
            last = term + 1
            while last < len(firsts) - 1 and firsts[last] - firsts[term] < _BATCH_POSTINGS:
                last += 1
            a, b = firsts[term], firsts[last]
            batch_counts = counts[a:b]
            gather = (np.repeat(starts[a:b] - (np.cumsum(batch_counts) - batch_counts), batch_counts)
                      + np.arange(int(batch_counts.sum())))
            values = fmt.encode_many(batch_counts, positions[gather])
            weights = batch_counts.astype(np.float64)
            if boost != 1:
                weights *= boost
            doc_list, weight_list = docs[a:b].tolist(), weights.tolist()
            for i in range(term, last):
                x, y = firsts[i] - a, firsts[i + 1] - a
                yield (words[by_bytes[keys[firsts[i]]]], doc_list[x:y], weight_list[x:y],
                       values[x:y])
            term = last


class TermPool:
    """The postings of one segment, grouped by term.

    Positional fields (title, body) come a document at a time as the analyzer's term
    sequence (`add_sequence`); every other posting comes as whoosh's pool tuple (field,
    term bytes, document, weight, value). When the estimated memory passes `limitmb`, the
    pool writes what it holds to a sorted run file in the temporary storage and starts
    afresh; `records()` merges the runs.
    """

    def __init__(self, tempstorage: Any, formats: dict[str, Any], limitmb: int = 128) -> None:
        self.tempstorage = tempstorage
        self.formats = formats  # positional field -> its format (ArrayPositions)
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.positional: dict[str, _PositionalField] = {}
        self.raw: dict[tuple[str, bytes], tuple[array[int], array[float], list[bytes]]] = {}
        self.runs: list[str] = []

    def add_sequence(self, fieldname: str, docnum: int, terms: list[str],
                     joined: list[tuple[str, int]]) -> int:
        """Add one document's terms of a positional field, as `index_sequence` gives them;
        return its length in terms."""
        field = self.positional.get(fieldname)
        if field is None:
            field = self.positional[fieldname] = _PositionalField()
        known = len(field.numbers)
        length, distinct = field.add(docnum, terms, joined)
        # what the writing needs at the end too (sorting, gathering): 24 bytes a posting
        self.size += (24 * distinct + 8 * length + _DOC_COST
                      + _TERM_COST * (len(field.numbers) - known))
        if self.size > self.limit:
            self.spill()
        return length

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Add one posting as whoosh's pool takes it (field, term bytes, document, weight, value)."""
        fieldname, btext, docnum, weight, value = item
        key = (fieldname, btext)
        entry = self.raw.get(key)
        if entry is None:
            entry = self.raw[key] = (array("I"), array("f"), [])
            self.size += _TERM_COST
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(value or b"")
        self.size += 48 + (len(value) if value else 0)
        if self.size > self.limit:
            self.spill()

    def _raw_records(self, fieldname: str, btexts: list[bytes],
                     ) -> Iterator[tuple[bytes, list[int], list[float], list[bytes]]]:
        for btext in sorted(btexts):
            ids, weights, values = self.raw[(fieldname, btext)]
            yield btext, ids.tolist(), weights.tolist(), values

    def _memory_records(self) -> Iterator[_Record]:
        """What the pool holds, sorted by field then term bytes."""
        raw_fields: dict[str, list[bytes]] = {}
        for fieldname, btext in self.raw:
            raw_fields.setdefault(fieldname, []).append(btext)
        for fieldname in sorted(raw_fields.keys() | self.positional.keys()):
            streams = []
            if fieldname in self.positional:
                streams.append(self.positional[fieldname].records(self.formats[fieldname]))
            if fieldname in raw_fields:  # in `update`, postings of merged segments
                streams.append(self._raw_records(fieldname, raw_fields[fieldname]))
            merged = heapq.merge(*streams, key=lambda r: r[0])
            for btext, group in itertools.groupby(merged, key=lambda r: r[0]):
                yield (fieldname, btext, *_joined([(r[1], r[2], r[3]) for r in group]))

    def spill(self) -> None:
        """Write what the pool holds to a run file and empty it."""
        name = f"run{len(self.runs)}.pool"
        with self.tempstorage.create_file(name).raw_file() as out:
            for record in self._memory_records():
                pickle.dump(record, out, pickle.HIGHEST_PROTOCOL)
        self.runs.append(name)
        self.positional = {}
        self.raw = {}
        self.size = 0

    def _read_run(self, name: str) -> Iterator[_Record]:
        with self.tempstorage.open_file(name).raw_file() as fh:
            while True:
                try:
                    yield pickle.load(fh)
                except EOFError:
                    return

    def records(self) -> Iterator[_Record]:
        """Every term's postings, sorted by field then term bytes, runs merged."""
        if not self.runs:
            yield from self._memory_records()
            return
        streams = [self._read_run(name) for name in self.runs] + [self._memory_records()]
        merged = heapq.merge(*streams, key=lambda r: (r[0], r[1]))  # stable: runs in order
        for (fieldname, btext), group in itertools.groupby(merged, key=lambda r: (r[0], r[1])):
            yield (fieldname, btext, *_joined([(r[2], r[3], r[4]) for r in group]))

    def cleanup(self) -> None:
        """Delete the run files."""
        for name in self.runs:
            try:
                self.tempstorage.delete_file(name)
            except OSError:
                pass
        self.runs = []


def _joined(parts: list[_Postings]) -> _Postings:
    """One term's postings from several parts, in document order."""
    if len(parts) == 1:
        return parts[0]
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    for part in parts:
        ids += part[0]
        weights += part[1]
        values += part[2]
    if any(b <= a for a, b in itertools.pairwise(ids)):  # parts that interleave (merges)
        order = sorted(range(len(ids)), key=ids.__getitem__)
        ids = [ids[i] for i in order]
        weights = [weights[i] for i in order]
        values = [values[i] for i in order]
    return ids, weights, values


def _write_term(postwriter: Any, ids: list[int], weights: list[float], values: list[bytes]) -> None:
    """Hand a whole term's postings to whoosh's postings writer, a block at a time (the
    writer's own `add_posting` loop, without the per-posting calls). The last block stays
    buffered: `finish_term` writes it (or inlines it)."""
    limit = postwriter._blocklimit
    count = len(ids)
    for start in range(0, count, limit):
        end = min(start + limit, count)
        postwriter._ids = ids[start:end]
        postwriter._weights = weights[start:end]
        postwriter._values = values[start:end]
        postwriter._maxweight = max(postwriter._weights)
        postwriter._minlength = None
        postwriter._maxlength = 0
        if end < count:
            postwriter._write_block()


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer, with its postings gathered by `TermPool`.

    Args:
        ix: the whoosh index.
        vocabulary: if given, counts each document's vocabulary words (title and body).
        limitmb: memory for the postings before they go to a run file.
        kwargs: as whoosh's `SegmentWriter` (`_lk`, `codec`...).
    """

    def __init__(self, ix: Any, vocabulary: VocabularyBuilder | None = None, limitmb: int = 128,
                 **kwargs: Any) -> None:
        kwargs.setdefault("codec", Codec())
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self._tempstorage: Any
        if self.codec.length_stats:
            raise ValueError("FastSegmentWriter writes no per-block length statistics")
        self.vocabulary = vocabulary
        # whoosh's temporary folder is `<index>.tmp` for every writer, and each writer empties
        # it when it finishes: the runs of writers side by side each go to their own folder.
        # Whoosh's per-document writer keeps using the shared one, which the last writer
        # to finish removes.
        self._shared_tmp: str = self._tempstorage.folder
        self._tempstorage = self.storage.temp_storage(
            f"{self.indexname}.{self.newsegment.segment_id()}.tmp")
        # the positional fields, each with its analyzer; fields with equal analyzers share
        # one (and its token cache)
        self.analyzers: dict[str, Any] = {}
        for name in self.schema.names():
            field = self.schema[name]
            if field.indexed and hasattr(field.analyzer, "index_sequence") \
                    and hasattr(field.format, "encode_many"):
                self.analyzers[name] = next(
                    (a for a in self.analyzers.values() if a == field.analyzer), field.analyzer)
        self.pool = TermPool(self._tempstorage,
                             {name: self.schema[name].format for name in self.analyzers}, limitmb)

    def add_document(self, **fields: Any) -> None:
        """Add a document (whoosh's `add_document`, without boosts: no field is boosted)."""
        self._check_state()
        schema, pdw, docnum, pool, analyzers = (self.schema, self.perdocwriter, self.docnum,
                                                self.pool, self.analyzers)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        tokens: dict[str, list[str]] = {}
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in analyzers and isinstance(value, str):
                    terms, joined, tokens[name] = analyzers[name].index_sequence(value)
                    length = pool.add_sequence(name, docnum, terms, joined)
                elif field.indexed:
                    for btext, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        pool.add((name, btext, docnum, weight, vbytes))
                stored = fields.get(f"_stored_{name}", value)
                pdw.add_field(name, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    pdw.add_column_value(name, column, field.to_column_value(stored))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        if self.vocabulary is not None and TEXT_FIELDS[0] in analyzers:
            # the title's words first: a word's form is taken from the title first
            self.vocabulary.add(analyzers[TEXT_FIELDS[0]].vocabulary_words(
                list(itertools.chain.from_iterable(tokens.get(name, ()) for name in TEXT_FIELDS))))
        self._added = True
        self.docnum += 1

    def _finish(self) -> None:
        super()._finish()
        try:
            os.rmdir(self._shared_tmp)
        except OSError:  # another writer still uses it
            pass

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for fieldname, records in itertools.groupby(self.pool.records(), key=lambda r: r[0]):
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            for _, btext, ids, weights, values in records:
                fieldwriter.start_term(btext)
                _write_term(fieldwriter._postwriter, ids, weights, values)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
