"""The command line with bad arguments, missing files and unwritable paths: one line, the right exit code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search import Index, SearchError

from .conftest import NEWS, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    return index


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "internal error" not in err, err
    return err.rstrip("\n")


USAGE = {
    "negative limit": (["query", "-n", "-1", "retraite"], "argument --limit: must be 0 or more, not -1"),
    "negative offset": (["query", "--offset", "-3", "retraite"], "argument --offset: must be 0 or more"),
    "negative similar limit": (["similar", "-n", "-4", "cheval"], "argument --limit: must be 0 or more"),
    "limit not a number": (["query", "-n", "dix", "retraite"], "invalid int value: 'dix'"),
    "unknown sort": (["query", "--sort", "hasard", "retraite"], "argument --sort: invalid choice"),
    "no words": (["query"], "the following arguments are required: query"),
    "no id": (["show"], "the following arguments are required: id"),
    "json and jsonl": (["query", "--json", "--jsonl", "x"], "not allowed with argument"),
    "unknown option": (["query", "--couleur", "x"], "unrecognized arguments: --couleur"),
    "index without a value": (["query", "x", "--index"], "argument --index: expected one argument"),
}


@pytest.mark.parametrize("name", list(USAGE))
def test_usage_errors_exit_2_in_one_line(built: Path, name: str) -> None:
    args, expected = USAGE[name]
    code, out, err = run_cli(*args, *(["--index", str(built)] if "--index" not in args else []))
    assert (code, out) == (2, ""), (name, err)
    assert expected in one_line(err), err
    assert err.startswith("search") and "error:" in err


@pytest.mark.parametrize("args", [["rebuild", "--wait", "-1"], ["update", "--wait", "nan"],
                                  ["rebuild", "--wait", "soon"]])
def test_bad_waits_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    code, out, err = run_cli(*args, "--corpus", str(NEWS), "--index", str(tmp_path / "ix"))
    assert code == 2 and "--wait" in one_line(err)
    assert not (tmp_path / "ix").exists()


def test_runtime_errors_exit_1_in_one_line(built: Path, tmp_path: Path) -> None:
    cases = [
        (["query", "--index", str(tmp_path / "none"), "x"], f"no index at {tmp_path / 'none'}"),
        (["stats", "--index", str(tmp_path / "none")], "build it with `search rebuild"),
        (["show", "--index", str(built), "nope"], "no article with id 'nope' in the index"),
        (["similar", "--index", str(built), "nope"], "no article with id 'nope' in the index"),
        (["show", "--index", str(built), ""], "no article with id '' in the index"),
        (["query", "--index", str(built), "--since", "hier", "x"], "invalid date 'hier'"),
        (["query", "--index", str(built), "--until", "2024-02-30", "x"], "invalid date '2024-02-30'"),
        (["rebuild", "--corpus", str(tmp_path / "none.jsonl"), "--index", str(tmp_path / "ix")],
         "no such file or directory"),
        (["update", "--corpus", str(tmp_path / "none"), "--index", str(tmp_path / "ix")],
         "no such file or directory"),
        (["rebuild", "--corpus", "/dev/null", "--index", str(tmp_path / "ix")], "not a regular file"),
        (["rebuild", "--corpus", str(tmp_path), "--index", str(tmp_path / "ix")], "holds no article"),
    ]
    for args, expected in cases:
        code, out, err = run_cli(*args)
        assert (code, out) == (1, ""), (args, out, err)
        assert expected in one_line(err), (args, err)
        assert err.startswith("search: error: ")
    assert not (tmp_path / "ix").exists() and not any(p.name.startswith(".ix.") for p in tmp_path.iterdir())


def test_unwritable_index_paths_exit_1_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [
        (str(a_file / "index"), "cannot write the index at"),
        (str(a_file), "exists and is not a directory"),
        ("/proc/index", "cannot write the index at /proc/index"),
    ]
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases.append((str(locked / "index"), "Permission denied"))
    for index, expected in cases:
        for command in ("rebuild", "update"):
            code, out, err = run_cli(command, "-q", "--corpus", str(NEWS), "--index", index)
            assert (code, out) == (1, ""), (command, index, err)
            assert expected in one_line(err), (command, err)
    assert a_file.read_text() == "x"


def test_a_folder_that_is_not_an_index_is_never_replaced(tmp_path: Path) -> None:
    """`--index ~/Documents` by mistake must not delete the documents."""
    docs = tmp_path / "Documents"
    (docs / "sub").mkdir(parents=True)
    (docs / "thesis.tex").write_text("précieux")
    (docs / "thesis.toc").write_text("table")
    (docs / "sub" / "notes.md").write_text("notes")
    for command in ("rebuild", "update"):
        code, out, err = run_cli(command, "-q", "--corpus", str(NEWS), "--index", str(docs))
        assert code == 1, err
        assert one_line(err) == (f"search: error: {docs} is not an index (it holds sub, thesis.tex, "
                                 "thesis.toc): it is left untouched; choose another index path (--index)")
    with pytest.raises(SearchError, match="is not an index"):
        Index.rebuild(NEWS, docs)
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*")) == [
        "sub", "sub/notes.md", "thesis.tex", "thesis.toc"]
    assert (docs / "thesis.tex").read_text() == "précieux"
    code, out, err = run_cli("rebuild", "-q", "--corpus", str(NEWS), "--index", ".", cwd=docs)
    assert code == 1 and "is not an index" in one_line(err)
    assert (docs / "thesis.tex").exists()


def test_an_empty_folder_or_a_damaged_index_may_be_replaced(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    Index.rebuild(NEWS, empty, procs=1).close()
    damaged = tmp_path / "damaged"
    Index.rebuild(NEWS, damaged, procs=1).close()
    for path in damaged.iterdir():
        if not path.name.endswith(".seg"):
            path.unlink()
    code, out, err = run_cli("rebuild", "-q", "--corpus", str(NEWS), "--index", str(damaged))
    assert code == 0, err
    assert Index.open(damaged).stats().articles == 12


def test_a_broken_pipe_is_quiet(built: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(f"{sys.executable} -m search query --index {built} --jsonl retraite | head -c 10",
                          shell=True, capture_output=True, text=True, timeout=120)
    assert proc.stderr == "" and len(proc.stdout) == 10


def test_the_index_follows_the_umask(tmp_path: Path) -> None:
    for umask, expected in ((0o077, 0o700), (0o022, 0o755)):
        old = os.umask(umask)
        try:
            index = tmp_path / f"index-{umask:o}"
            Index.rebuild(NEWS, index, procs=1).close()
            Index.open(index).update(NEWS)
        finally:
            os.umask(old)
        assert index.stat().st_mode & 0o777 == expected
        for path in [*index.iterdir(), tmp_path / f"index-{umask:o}.lock"]:
            assert path.stat().st_mode & umask == 0, (path, oct(path.stat().st_mode))
