"""`search.whooshfix.MemoryFile` reads like `io.BytesIO`, without copying the buffer."""

from __future__ import annotations

import io
import pickle
import random

from whoosh.filedb.structfile import BufferFile

import search  # noqa: F401 - applies the work-around
from search.whooshfix import MemoryFile


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


def test_whoosh_buffer_files_read_in_place() -> None:
    data = bytearray(b"0123456789")
    f = BufferFile(memoryview(data), name="x")
    assert isinstance(f.file, MemoryFile)
    data[0:1] = b"9"  # the same memory, not a copy
    assert f.read(3) == b"912"
    assert f.get(8, 2) == b"89"
    f.close()
