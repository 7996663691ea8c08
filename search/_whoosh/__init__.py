"""The local engine: everything that knows Whoosh's internals (private: use `search.Index`).

    local.py            WhooshBackend: the index folder behind the `search.backend` protocol
    snapshot.py         one open reader and its caches (a `Snapshot`)
    matching.py         one search on a snapshot: filters, strict/relaxed, rank, boost, facets
    compiler.py         a syntax tree to whoosh queries, with how each part scores
    postings.py         posting lists cached as arrays, and set algebra over them
    scoring.py          BM25F over whole posting lists (numpy)
    transaction.py      a rebuild (temporary folder, swapped in) or an update (in place)
    segment_writer.py   whoosh's segment writer with a faster posting path
    parallel_writer.py  several segment writers in helper processes
    fields.py           the schema, the French tokenizer and positions format, the codec
    reads.py            segment files read in place (no private copy per reader)
    damage.py           whoosh's errors on damaged files -> IndexCorruptError
    _lazy_deps.py       two of whoosh's imports a search never uses, loaded on demand
"""

from __future__ import annotations

from . import _lazy_deps

_lazy_deps.install()  # before whoosh's modules are imported  # noqa: E402

from .local import WhooshBackend  # noqa: E402

__all__ = ["WhooshBackend"]
