"""The whoosh fields of an index: the French text field, its positions format and codec.

Whoosh pickles the schema into the index's table of contents, so the classes here are
named in every index: moving or renaming one is a format change (bump
`search.schema.SCHEMA_VERSION`).
"""

from __future__ import annotations

import operator
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh import columns, fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte

from ..analysis import FrenchAnalyzer

__all__ = [
    "ArrayPositions",
    "BlockWriter",
    "Codec",
    "FrenchText",
    "FrenchTokenizer",
    "make_schema",
]

_COUNT = struct.Struct(">I")  # whoosh's pack_uint


class FrenchTokenizer(FrenchAnalyzer, Tokenizer):  # type: ignore[misc]
    """The French chain (`search.analysis.FrenchAnalyzer`) as a whoosh tokenizer."""

    def __call__(  # type: ignore[override]
        self, value: str, positions: bool = False, chars: bool = False,
        keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
        start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term, pos, start, end in self.terms(value, mode, removestops):
            t.text = term if term is not None else ""
            t.stopped = term is None
            t.boost = 1.0
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class ArrayPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's positions format, with positions stored as a plain array (whoosh pickles
    them: slower both ways), and our analyzer's fast path: one pass straight to term
    positions, without whoosh's token stream.

    Encoded value: the count (4 bytes, as whoosh expects), the array type code (1 byte),
    then the positions.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if not (isinstance(value, str) and hasattr(analyzer, "index_terms")):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        encode = self.encode
        for term, poslist in analyzer.index_terms(value).items():
            yield term, len(poslist), len(poslist) * fb, encode(poslist)

    def encode(self, poslist: list[int]) -> bytes:
        code = "H" if poslist[-1] < 65536 else "I"
        return _COUNT.pack(len(poslist)) + code.encode() + array(code, poslist).tobytes()

    def encode_many(self, counts: np.ndarray, positions: np.ndarray) -> list[bytes]:
        """Encode many postings at once (the indexing fast path): posting i has `counts[i]`
        positions, which follow those of posting i - 1 in `positions`. Gives the same bytes
        as `encode` of each posting's list, cut from one buffer built with numpy."""
        total = len(positions)
        if total and int(positions.max()) >= 65536:  # some text of over 65,536 words: rare
            out, at = [], 0
            for count in counts.tolist():
                out.append(self.encode(positions[at:at + count].tolist()))
                at += count
            return out
        n = len(counts)
        ends = np.cumsum(counts, dtype=np.int64) * 2 + np.arange(1, n + 1) * 5
        heads = ends - counts * 2 - 5  # where each posting starts: 4-byte count, "H", positions
        buf = np.empty(int(ends[-1]) if n else 0, np.uint8)
        for k, shift in enumerate((24, 16, 8, 0)):  # the count, big-endian (whoosh's pack_uint)
            buf[heads + k] = (counts >> shift) & 0xFF
        buf[heads + 4] = ord("H")
        # each position's two bytes go after the heads of its posting and of those before it
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        at = np.repeat(heads + 5, counts) + 2 * within
        pairs = positions.astype(np.uint16).view(np.uint8)
        buf[at] = pairs[0::2]
        buf[at + 1] = pairs[1::2]
        data = buf.tobytes()
        return list(map(data.__getitem__, map(slice, heads.tolist(), ends.tolist())))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return self.decode_array(valuestring).tolist()

    def decode_array(self, valuestring: bytes) -> array[int]:
        """The positions as an array (what the posting cache keeps)."""
        return array(chr(valuestring[4]), valuestring[5:])


# Whoosh pickles its blocks with protocol 2, where each bytes value goes through a
# `codecs.encode` call; its reader takes any protocol. Protocol 3 stores bytes as they
# are, without the frame header of protocols 4 and 5 (9 bytes a block).
_PROTOCOL = 3

#: Blocks whose pickled data is shorter than this are written uncompressed: zlib gains
#: little on them, and most terms have a single small block.
COMPRESS_FROM = 64


class Codec(W3Codec):  # type: ignore[misc]
    """Whoosh's codec, without the per-block length statistics (they only serve whoosh's
    own scorer, this project ranks with `search.ranker`, and gathering them reads a length
    from disk for every posting written), and with `BlockWriter` for the postings."""

    length_stats = False

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> BlockWriter:
        return BlockWriter(dbfile, byteids=byteids, blocklimit=self._blocklimit,
                           compression=self._compression, inlinelimit=self._inlinelimit)


class BlockWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh 3's postings writer, writing the same blocks with less work per posting:
    the block is written in one call, and small blocks are left uncompressed (each
    block's header says whether it is compressed; whoosh's reader reads both)."""

    def _write_block(self, last: bool = False) -> None:
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        if not self._byteids:  # whoosh's delta_encode
            ids = (ids[0], *map(operator.sub, ids[1:], ids))
        count = len(weights)
        if weights.count(1.0) == count:
            mini: Any = None
        elif weights.count(weights[0]) == count:
            mini = weights[0]
        else:
            mini = tuple(weights)
        data = pickle.dumps((tuple(ids), mini, self._mini_values()), _PROTOCOL)
        comp = self._compression if len(data) >= COMPRESS_FROM else 0
        if comp:
            data = zlib.compress(data, comp)
        info = pickle.dumps((count, self._ids[-1], self._maxweight, comp,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        length = len(info) + len(data)
        postfile.write(pack_int(-length if last else length) + info + data)
        self._blockcount += 1
        self._new_block()


class FrenchText(fields.TEXT):  # type: ignore[misc]
    """A stored French text field: the stemmed chain, positions as arrays."""

    def __init__(self) -> None:
        super().__init__(analyzer=FrenchTokenizer(stem=True, stops=True, compounds=True), stored=True)
        self.format = ArrayPositions(field_boost=1.0)



def make_schema() -> fields.Schema:
    """Build the schema.

    - `title`, `lead`, `body`: the French stemmed chain with positions (phrases), stored for
      snippets and highlights. The real words behind spelling suggestions, fuzzy and
      prefix expansion are not here but in the index's vocabulary file (`search.vocab`).
    - `source`, `author`, `tags`, `year`: exact values, for facets and filters.
    - `date`: sortable, for ranges and sorting; `date_iso` keeps the original text.
    - `hash`: a content digest, so `update` re-indexes only changed articles.
    - `dupurl`, `dupbody`: 64-bit digests of the keys that find duplicates
      (`search.corpus.duplicate_keys`), columns only (read whole with numpy).
    """
    schema = fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True),
        title=FrenchText(),
        body=FrenchText(),
        lead=FrenchText(),
        date=fields.DATETIME(sortable=True),
        date_iso=fields.STORED(),
        year=fields.ID(),
        source=fields.ID(stored=True),
        author=fields.KEYWORD(stored=True, commas=True),
        tags=fields.KEYWORD(stored=True, commas=True),
        url=fields.STORED(),
        hash=fields.ID(sortable=True),
        dupurl=fields.COLUMN(columns.NumericColumn("Q", default=0)),
        dupbody=fields.COLUMN(columns.NumericColumn("Q", default=0)),
    )
    # Whoosh's writer asks every posting for its field length, and for a field without a
    # length column it looks for the missing column file on disk each time (one stat per
    # posting). A length byte per document is cheaper.
    for name in ("id", "year", "source", "author", "tags", "hash"):
        schema[name].scorable = True
    return schema
