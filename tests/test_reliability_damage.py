"""A damaged index: a precise error that says to rebuild, in one line, and `rebuild` recovers it."""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import (
    SCHEMA_VERSION,
    Index,
    IndexCorruptError,
    IndexNotFoundError,
    IndexVersionError,
    SearchError,
)
from search.storage import META_NAME

from .conftest import NEWS, run_cli

pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),  # whoosh leaks a file when it fails
              pytest.mark.usefixtures("collect_leaked_files")]

#: Queries that read every part of an index: terms, phrases, prefixes, typos, dates, values.
PROBES = ("retraite", "électri*", "gouvernemant~", '"bouclier tarifaire"', "cheval -grève",
          "date:2023", "source:AFP", "")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good index of the news fixture, copied by each test before it breaks the copy."""
    path = tmp_path_factory.mktemp("pristine") / "index"
    Index.rebuild(NEWS, path, procs=1).close()
    return path


def copy_of(pristine: Path, tmp_path: Path) -> Path:
    index = tmp_path / "index"
    shutil.copytree(pristine, index)
    return index


def one(index: Path, pattern: str) -> Path:
    found = sorted(index.glob(pattern))
    assert found, f"no {pattern} in {index}"
    return found[0]


def truncate(path: Path, keep: float | int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)] if isinstance(keep, float) else data[:-keep])


def scramble(path: Path) -> None:
    path.write_bytes(os.urandom(max(path.stat().st_size, 64)))


def set_meta(index: Path, **changes: object) -> None:
    meta = json.loads((index / META_NAME).read_text())
    meta.update(changes)
    (index / META_NAME).write_text(json.dumps(meta))


#: How to break an index, and the error `Index.open` must raise.
DAMAGE: dict[str, tuple[Callable[[Path], object], type[SearchError]]] = {
    "segment truncated to half": (lambda ix: truncate(one(ix, "*.seg"), 0.5), IndexCorruptError),
    "segment truncated by 10 bytes": (lambda ix: truncate(one(ix, "*.seg"), 10), IndexCorruptError),
    "segment truncated to 10%": (lambda ix: truncate(one(ix, "*.seg"), 0.1), IndexCorruptError),
    "segment emptied": (lambda ix: one(ix, "*.seg").write_bytes(b""), IndexCorruptError),
    "segment deleted": (lambda ix: one(ix, "*.seg").unlink(), IndexCorruptError),
    "segment replaced by garbage": (lambda ix: scramble(one(ix, "*.seg")), IndexCorruptError),
    "TOC replaced by garbage": (lambda ix: scramble(one(ix, "*.toc")), IndexCorruptError),
    "TOC truncated": (lambda ix: truncate(one(ix, "*.toc"), 0.5), IndexCorruptError),
    "TOC emptied": (lambda ix: one(ix, "*.toc").write_bytes(b""), IndexCorruptError),
    "TOC deleted": (lambda ix: one(ix, "*.toc").unlink(), IndexCorruptError),
    "metadata garbage": (lambda ix: (ix / META_NAME).write_bytes(b"\x00{garbage"), IndexCorruptError),
    "metadata not an object": (lambda ix: (ix / META_NAME).write_text("[1, 2]"), IndexCorruptError),
    "metadata deleted": (lambda ix: (ix / META_NAME).unlink(), IndexVersionError),
    "older schema version": (lambda ix: set_meta(ix, schema_version=SCHEMA_VERSION - 1), IndexVersionError),
    "newer schema version": (lambda ix: set_meta(ix, schema_version=SCHEMA_VERSION + 1), IndexVersionError),
    "schema version not a number": (lambda ix: set_meta(ix, schema_version="1"), IndexVersionError),
}


def rebuild_hint(index: Path) -> str:
    return f"run `search rebuild --index {index}`"


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_open_raises_a_precise_error_that_says_to_rebuild(pristine: Path, tmp_path: Path, kind: str) -> None:
    index = copy_of(pristine, tmp_path)
    damage, expected = DAMAGE[kind]
    damage(index)
    with pytest.raises(expected) as info:
        Index.open(index)
    message = str(info.value)
    assert message.endswith(rebuild_hint(index)), message
    assert "\n" not in message
    # and the rebuild that the message asks for recovers the index
    Index.rebuild(NEWS, index, procs=1).close()
    with Index.open(index) as ix:
        assert ix.search("retraite").total == 2 and ix.stats().articles == 12


@pytest.mark.parametrize("kind", ["TOC replaced by garbage", "segment deleted", "older schema version"])
def test_the_cli_says_so_in_one_line_and_rebuild_recovers(pristine: Path, tmp_path: Path, kind: str) -> None:
    index = copy_of(pristine, tmp_path)
    DAMAGE[kind][0](index)
    for command in (["query", "retraite"], ["show", "cheval"], ["similar", "cheval"], ["stats"]):
        code, out, err = run_cli(*command, "--index", str(index))
        assert (code, out) == (1, ""), (command, err)
        assert err.count("\n") == 1 and err.startswith("search: error: index at "), err
        assert err.rstrip("\n").endswith(f"`search rebuild --index {index}`"), err
        assert "Traceback" not in err and "internal error" not in err
    code, out, err = run_cli("rebuild", "-q", "--corpus", str(NEWS), "--index", str(index))
    assert code == 0, err
    code, out, err = run_cli("query", "--index", str(index), "--json", "retraite")
    assert code == 0 and json.loads(out)["total"] == 2


def test_update_of_a_damaged_index_says_to_rebuild(pristine: Path, tmp_path: Path) -> None:
    index = copy_of(pristine, tmp_path)
    DAMAGE["TOC replaced by garbage"][0](index)
    code, out, err = run_cli("update", "-q", "--corpus", str(NEWS), "--index", str(index))
    assert code == 1 and err.count("\n") == 1, err
    assert err.rstrip("\n").endswith(f"`search rebuild --corpus {NEWS} --index {index}`"), err


def test_an_empty_or_missing_directory_is_no_index(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(IndexNotFoundError, match="build it with `search rebuild"):
            Index.open(path)


def exercise(index: Path) -> None:
    """Every reading entry point of the library, as a user would call them."""
    with Index.open(index) as ix:
        for q in PROBES:
            ix.search(q, limit=20)
        ix.search("retraite", sort="-date", filters={"source": "AFP"})
        ix.get("cheval")
        ix.similar("retraites-1")
        ix.stats()


def test_the_pristine_copy_reads_fine(pristine: Path, tmp_path: Path) -> None:
    exercise(copy_of(pristine, tmp_path))


def damage_and_read(index: Path, where: float, length: int, seed: int, target: str) -> None:
    """Overwrite `length` bytes of one file, then read: it works, or raises a `SearchError`
    that says to rebuild (whoosh keeps no checksums, so some damage goes unseen)."""
    victims = sorted(index.glob(target))
    if not victims:
        return  # this engine version keeps no such file
    path = victims[0]
    data = bytearray(path.read_bytes())
    start = int(where * len(data))
    noise = random.Random(seed).randbytes(length) if seed % 2 else bytes(length)
    data[start:start + length] = noise[:len(data) - start]
    path.write_bytes(bytes(data))
    try:
        exercise(index)
    except SearchError as err:
        assert str(err).endswith(rebuild_hint(index)) or "no article with id" in str(err), err
    finally:
        shutil.rmtree(index, ignore_errors=True)


BYTE_DAMAGE = {"where": st.floats(0.0, 1.0, exclude_max=True), "length": st.sampled_from([1, 8, 64, 512]),
               "seed": st.integers(0, 2**32 - 1), "target": st.sampled_from(["*.seg", "*.toc", "vocab.json"])}


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(**BYTE_DAMAGE)
def test_random_byte_damage_is_read_fine_or_reported_as_damage(
        pristine: Path, tmp_path_factory: pytest.TempPathFactory, where: float, length: int, seed: int,
        target: str) -> None:
    damage_and_read(copy_of(pristine, tmp_path_factory.mktemp("bytes")), where, length, seed, target)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(**BYTE_DAMAGE)
def test_much_more_random_byte_damage(pristine: Path, tmp_path_factory: pytest.TempPathFactory,
                                      where: float, length: int, seed: int, target: str) -> None:
    damage_and_read(copy_of(pristine, tmp_path_factory.mktemp("bytes")), where, length, seed, target)


@pytest.mark.parametrize("content", [b"\x00garbage", b"[1, 2]", b'{"words": ["a", "b"], "df": [1]}', b""])
def test_a_damaged_vocabulary_is_reported_at_the_first_search(pristine: Path, tmp_path: Path,
                                                              content: bytes) -> None:
    index = copy_of(pristine, tmp_path)
    vocab = index / "vocab.json"
    if not vocab.exists():
        pytest.skip("this engine version keeps no vocabulary file")
    vocab.write_bytes(content)
    with pytest.raises(IndexCorruptError) as info:
        Index.open(index).search("électri*")
    assert str(info.value).endswith(rebuild_hint(index))
    code, out, err = run_cli("query", "--index", str(index), "retraite")
    assert code == 1 and err.count("\n") == 1 and err.rstrip().endswith(f"`search rebuild --index {index}`")
    changed = tmp_path / "changed.jsonl"
    changed.write_text(NEWS.read_text(encoding="utf-8")
                       + json.dumps({"id": "neuf", "title": "Neuf", "body": "Une girafe."}) + "\n")
    code, out, err = run_cli("update", "-q", "--corpus", str(changed), "--index", str(index))
    assert code == 1 and err.count("\n") == 1
    assert err.rstrip().endswith(f"`search rebuild --corpus {changed} --index {index}`")  # a hint that works
