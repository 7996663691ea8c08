"""The index folder on disk: what it may hold, its metadata, the writer lock, temporary
builds and the atomic swap (nothing of the engine that reads it)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    NotAnIndexError,
)
from .schema import SCHEMA_VERSION

__all__ = [
    "META_NAME",
    "LockInfo",
    "check_index",
    "check_replaceable",
    "dir_size",
    "foreign_entries",
    "has_toc",
    "lock_path",
    "new_build_id",
    "now_iso",
    "process_alive",
    "read_meta",
    "remove_leftovers",
    "swap_in",
    "temp_dir",
    "write_meta",
    "writer_lock",
]

META_NAME = "search-meta.json"
_TMP_TAG = ".tmp-"
_OLD_TAG = ".old-"


def now_iso() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def read_meta(path: Path) -> dict[str, Any] | None:
    """The index metadata, or None when the file is missing or unreadable."""
    try:
        data = orjson.loads((path / META_NAME).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_meta(path: Path, meta: dict[str, Any]) -> None:
    """Write the metadata atomically (temp file, fsync, rename)."""
    tmp = path / (META_NAME + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path / META_NAME)


def new_build_id() -> str:
    """A fresh identifier for one built index."""
    return uuid.uuid4().hex


def dir_size(path: Path) -> int:
    """Total size in bytes of the regular files directly in `path`."""
    total = 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    except OSError:
        pass
    return total


def lock_path(index: Path) -> Path:
    """The lock file that one writer holds: beside the index, `<name>.lock`."""
    return index.parent / (index.name + ".lock")


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or last held) the writer lock."""

    pid: int | None
    host: str
    command: str
    since: str

    def __str__(self) -> str:
        who = f"pid {self.pid}" if self.pid else "another process"
        if self.host and self.host != socket.gethostname():
            who += f" on {self.host}"
        if self.command:
            who += f" ({self.command}, since {self.since})"
        return who

    @classmethod
    def read(cls, fh: Any) -> LockInfo:
        fh.seek(0)
        try:
            data = orjson.loads(fh.read() or b"{}")
        except orjson.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        pid = data.get("pid")
        return cls(
            pid=pid if isinstance(pid, int) else None,
            host=str(data.get("host", "")),
            command=str(data.get("command", "")),
            since=str(data.get("since", "")),
        )


def process_alive(pid: int) -> bool:
    """Whether a process of this machine runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except OSError:  # no /proc: trust kill()
        return True


@contextmanager
def writer_lock(index: Path, *, command: str, timeout: float = 10.0,
                notes: list[str] | None = None) -> Iterator[None]:
    """Hold the one-writer lock of an index for the duration of the block.

    The lock is an advisory `flock` on `<index>.lock`: the kernel releases it when the
    holder dies, so a crashed writer never blocks the next one. Its file records who
    holds it, for the error message and for the note about a writer that died.

    Args:
        index: the index directory (it need not exist yet).
        command: what this writer does ("rebuild", "update"), recorded in the lock.
        timeout: seconds to wait for another writer before giving up.
        notes: if given, receives a line when a dead writer's lock is taken over.

    Raises:
        IndexLockedError: another writer still held the lock after `timeout` seconds.
    """
    path = lock_path(index)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    fh = os.fdopen(fd, "r+b")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise IndexLockedError(path, str(LockInfo.read(fh)), timeout)
            time.sleep(0.05)
        previous = LockInfo.read(fh)
        if previous.pid and previous.pid != os.getpid() and notes is not None:
            same_host = previous.host in ("", socket.gethostname())
            if same_host and not process_alive(previous.pid):
                notes.append(
                    f"the previous writer (pid {previous.pid}, {previous.command}) did not "
                    "finish; its lock was taken over and its leftovers removed"
                )
        record = {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                  "since": now_iso()}
        fh.seek(0)
        fh.truncate()
        fh.write(orjson.dumps(record))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.write(orjson.dumps({"pid": None, "last": record}))
            fh.flush()
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        fh.close()


#: The names of the entries a project index folder holds, and nothing else: whoosh's table
#: of contents (and its temporary file), segment files (`MAIN_` and 16 letters or digits;
#: the vocabulary parts of the parallel writer too), its write lock, our metadata and
#: vocabulary (and their temporary files).
_OUR_FILES = re.compile(r"""(?x)
    _MAIN_\d+\.toc(?:\.\d+(?:\.\d+)?)?
  | MAIN_[0-9a-z]{16}\.[A-Za-z0-9_.]+
  | MAIN_WRITELOCK
  | (?:search-meta|vocab)\.json(?:\.tmp)?
""")
#: The folders whoosh's writers make inside the index for their temporary runs.
_OUR_DIRS = re.compile(r"MAIN(?:\.MAIN_[0-9a-z]{16})?\.tmp")


def foreign_entries(index: Path) -> list[str]:
    """The entries of the folder `index` that this project never writes, sorted (empty:
    the folder holds only index files, or nothing).

    A `search-meta.json` that is JSON but not our metadata, in a folder without whoosh's
    table of contents, counts as foreign too (beside a table of contents, it is damage
    to an index of ours, which a rebuild repairs).
    """
    foreign: list[str] = []
    toc = False
    with os.scandir(index) as entries:
        for entry in entries:
            name = entry.name
            toc = toc or name.startswith("_MAIN_")
            if entry.is_dir(follow_symlinks=False):
                ours = bool(_OUR_DIRS.fullmatch(name))
            else:
                ours = entry.is_file(follow_symlinks=False) and bool(_OUR_FILES.fullmatch(name))
            if not ours:
                foreign.append(name)
    meta = index / META_NAME
    if not toc and META_NAME not in foreign and meta.is_file():
        try:
            data = orjson.loads(meta.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            data = None  # damaged: an index of ours that a rebuild repairs
        else:
            if not (isinstance(data, dict) and "schema_version" in data):
                foreign.append(META_NAME)
    return sorted(foreign)


def check_replaceable(index: Path) -> None:
    """Refuse to write an index in place of anything but an index of this project or an
    empty folder.

    A rebuild swaps the folder at `index` out and deletes it, and whoosh deletes files
    whose names look like its own when an update commits: a folder that holds anything
    this project does not write (`--index ~/Documents` by mistake, a note dropped into the
    index) must be left alone, whatever its file names look like.

    Raises:
        NotAnIndexError: `index` is a file, or a folder holding other files.
    """
    if not os.path.lexists(index):
        return
    if index.is_symlink() or not index.is_dir():
        raise NotAnIndexError(index, [])
    foreign = foreign_entries(index)
    if foreign:
        raise NotAnIndexError(index, foreign)


def remove_leftovers(index: Path) -> int:
    """Delete the temporary and old folders that an interrupted writer left beside the index.

    Only folders named as this project names them and holding only index files are
    deleted. Call only while holding the writer lock. Returns how many were removed.
    """
    removed = 0
    pattern = re.compile(re.escape("." + index.name) + r"\.(?:tmp|old)-\d+-[0-9a-f]{8}")
    try:
        entries = list(index.parent.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if not pattern.fullmatch(entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            if foreign_entries(entry):
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def has_toc(path: Path) -> bool:
    """Whether `path` holds a whoosh table of contents (an index, perhaps without our metadata)."""
    try:
        return any(p.name.startswith("_MAIN_") and p.suffix == ".toc" for p in path.iterdir())
    except OSError:
        return False


def check_index(path: Path) -> dict[str, Any]:
    """Check that `path` holds an index of this schema version; return its metadata.

    Raises:
        IndexNotFoundError: nothing (or no index) at `path`.
        IndexVersionError: built by another schema version.
    """
    if not path.is_dir():
        if path.exists():
            raise NotAnIndexError(path, [])
        raise IndexNotFoundError(path)
    meta = read_meta(path)
    toc = has_toc(path)
    if meta is None or not toc:  # not a whole index: is it one of ours at all?
        foreign = foreign_entries(path)
        if foreign:
            raise NotAnIndexError(path, foreign)
    if meta is None:
        if toc:
            if (path / META_NAME).exists():
                raise IndexCorruptError(path, f"{META_NAME} is unreadable")
            raise IndexVersionError(path, None, SCHEMA_VERSION)
        raise IndexNotFoundError(path)
    found = meta.get("schema_version")
    if found != SCHEMA_VERSION:
        raise IndexVersionError(path, found if isinstance(found, int) else None, SCHEMA_VERSION)
    return meta


def temp_dir(index: Path) -> Path:
    """Create a fresh temporary build directory beside the index."""
    index.parent.mkdir(parents=True, exist_ok=True)
    path = index.parent / f".{index.name}{_TMP_TAG}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    import ctypes.util  # here: ctypes (and the subprocess it imports) only when a rebuild swaps

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def swap_in(built: Path, index: Path) -> None:
    """Make the directory `built` the index at `index`, atomically where the OS allows.

    On Linux the two directories are exchanged in one step (renameat2), so a reader
    opening the index sees either the old or the new one, never neither. Elsewhere the
    old one is moved aside first. The old index is deleted afterwards: processes that
    already opened it keep reading their open files.
    """
    if index.exists() and not index.is_dir():
        raise NotAnIndexError(index, [])
    old = index.parent / f".{index.name}{_OLD_TAG}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if not index.exists():
        os.rename(built, index)
    elif _renameat2_exchange(built, index):
        os.rename(built, old)  # `built` now holds the previous index
    else:
        os.rename(index, old)
        os.rename(built, index)
    _fsync_dir(index.parent)
    shutil.rmtree(old, ignore_errors=True)
