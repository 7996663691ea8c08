"""The local engine reads segment files in place: `MemoryFile` reads like `io.BytesIO` without
copying, only the project's own indexes use it, and whoosh itself is left as it is."""

from __future__ import annotations

import io
import pickle
import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.structfile import BufferFile

from search import Index
from search._whoosh.reads import MappedPart, MemoryFile, ZeroCopyStorage, open_whoosh

from .conftest import NEWS


def test_random_reads_equal_bytesio() -> None:
    rng = random.Random(3)
    data = bytes(rng.choice(b"ab\n\x00\xff") for _ in range(5000))
    ours, ref = MemoryFile(memoryview(data)), io.BytesIO(data)
    for _ in range(3000):
        op = rng.randrange(5)
        if op == 0:
            n = rng.choice([-1, 0, 1, 7, 300, 6000])
            assert ours.read(n) == ref.read(n)
        elif op == 1:
            n = rng.choice([-1, 1, 5, 1000])
            assert ours.readline(n) == ref.readline(n)
        elif op == 2:
            args = rng.choice([(rng.randrange(6000), 0), (rng.randrange(-50, 50), 1),
                               (-rng.randrange(100), 2)])
            if ref.tell() + args[0] < 0 and args[1] == 1:
                continue
            assert ours.seek(*args) == ref.seek(*args)
        elif op == 3:
            into_a = bytearray(rng.randrange(40))
            into_b = bytearray(len(into_a))
            assert ours.readinto(into_a) == ref.readinto(into_b)
            assert into_a == into_b
        assert ours.tell() == ref.tell()


def test_pickles_load_from_it() -> None:
    objects = [{"a": 1}, ("x", 2.5), list(range(100))]
    data = b"".join(pickle.dumps(o, protocol=p) for o, p in zip(objects, (0, 2, 5), strict=True))
    f = MemoryFile(memoryview(data))
    assert [pickle.load(f) for _ in objects] == objects


def test_our_indexes_read_segments_in_place_and_whoosh_is_left_alone(tmp_path: Path) -> None:
    Index.rebuild(NEWS, tmp_path / "index", procs=1).close()
    ix = open_whoosh(tmp_path / "index")
    assert isinstance(ix.storage, ZeroCopyStorage)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        files = [reader._terms._dbfile, reader._terms._postfile]  # a part of the .seg each
        assert all(isinstance(f, MappedPart) and isinstance(f.file, MemoryFile) for f in files)
        assert searcher.document(id="retraites-1")["title"]
    plain = whoosh_index.open_dir(str(tmp_path / "index"))  # whoosh's own storage: its own reads
    assert not isinstance(plain.storage, ZeroCopyStorage)
    with plain.searcher() as searcher:
        assert searcher.document(id="retraites-1")["title"]
    data = bytearray(b"0123456789")
    f = BufferFile(memoryview(data), name="x")
    assert isinstance(f.file, io.BytesIO)  # not patched for the whole process
    f.close()


def test_a_mapped_part_reads_the_map_in_place() -> None:
    data = bytearray(b"0123456789")
    f = MappedPart(memoryview(data), name="x")
    data[0:1] = b"9"  # the same memory, not a copy
    assert f.read(3) == b"912"
    assert f.get(8, 2) == b"89"
    assert f.subset(2, 3).read() == b"234"
    f.close()


def test_pages_read_are_let_go_and_read_back(tmp_path: Path) -> None:
    """The mapped segment pages a search touched stop counting in the process's memory
    when released (they stay in the system's file cache), and reading works on."""
    from search import Article
    from search._whoosh.local import mapped_bytes

    words = ("grève retraite budget élection climat énergie santé école transport culture "
             "justice police armée sport marché banque").split()
    articles = [Article(id=f"a{i}", title=f"{words[i % 16]} {i}",
                        body=f"n{i} " + " ".join(f"{words[(i * 7 + k) % 16]}{k % 50}" for k in range(400)))
                for i in range(3000)]
    Index.rebuild(articles, tmp_path / "index", procs=1).close()
    size = sum(p.stat().st_size for p in (tmp_path / "index").glob("*.seg"))
    assert size > 4 << 20
    with Index.open(tmp_path / "index") as ix, ix.backend.snapshot() as snap:
        snap.release_pages()
        start = mapped_bytes()
        for docnum in range(3000):  # every stored article: many pages of the file
            snap.searcher.stored_fields(docnum)
        read = mapped_bytes() - start
        snap.release_pages()
        released = start + read - mapped_bytes()
        assert read > 2 << 20 and released > read * 0.9, (read, released, size)
        assert ix.get("a2999").title == "école 2999" and ix.search("école").total > 100


def test_searches_let_the_pages_go_past_a_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import search._whoosh.local as local
    from search._whoosh.snapshot import WhooshSnapshot

    released: list[int] = []
    monkeypatch.setattr(WhooshSnapshot, "release_pages", lambda self: released.append(1))
    Index.rebuild(NEWS, tmp_path / "index", procs=1).close()
    with Index.open(tmp_path / "index") as ix:
        for _ in range(64):
            ix.search("retraite")
        assert released == []  # under the limit: the pages are kept
        monkeypatch.setattr(local, "MAPPED_PAGES_KEPT", 0)
        for _ in range(64):
            ix.search("retraite")
        assert len(released) == 64 // local.RSS_CHECK_EVERY
