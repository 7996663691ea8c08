"""Errors raised by the search library: one root, a few precise subclasses.

    SearchError                  every error raised on purpose; one line that says what to do
    ├── IndexNotFoundError       no index at this path
    │   └── NotAnIndexError      the path holds something else, never read nor replaced
    ├── IndexVersionError        built by another schema version: rebuild
    ├── IndexCorruptError        damaged or incomplete files: rebuild
    ├── IndexLockedError         another process is writing the index
    ├── IndexWriteError          the system refused a write (disk full, read-only…)
    ├── CorpusError              the corpus cannot be read (with path and line)
    ├── IngestError              a feed, page, file or archive cannot be brought in (with where)
    ├── UnknownArticleError      no article with this id
    ├── QueryError               a bad search option (the query text itself never raises)
    ├── SearchCancelledError     a search stopped by its CancelToken
    └── ClusterError             a search cluster is not set up for this index (with location)
        └── ClusterUnavailableError  a node or a shard of the cluster does not answer

An error crosses a process boundary as JSON (`to_dict()`, then `error_from_dict()`):
its type and fields, so that the other side words it in its own language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

__all__ = [
    "ClusterError",
    "ClusterUnavailableError",
    "CorpusError",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexWriteError",
    "IngestError",
    "NotAnIndexError",
    "QueryError",
    "SearchCancelledError",
    "SearchError",
    "UnknownArticleError",
    "error_from_dict",
]


def _location(where: Path | str) -> Path | str:
    """An index's location as errors keep it: a `Path` for a folder, the text itself for an
    engine URL (`sphinx://host:9306/articles`: a `Path` would mangle its `//`)."""
    text = str(where)
    return text if "://" in text else Path(where)


class SearchError(Exception):
    """Root of every error the library raises on purpose.

    The message is one line, meant for a person, and says what to do.
    """

    #: The attributes that describe the error, as its constructor takes them.
    fields: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data: `type`, `message` and its `fields`."""
        values = {name: getattr(self, name) for name in self.fields}
        return {"type": type(self).__name__, "message": str(self),
                "fields": {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}}


class IndexNotFoundError(SearchError):
    """No index exists at the given path."""

    fields: ClassVar[tuple[str, ...]] = ("path", "command")

    def __init__(self, path: Path | str, command: str | None = None) -> None:
        self.path = _location(path)
        self.command = command or f"search rebuild --index {path}"
        super().__init__(f"no index at {path}: build it with `{self.command}`")


class NotAnIndexError(IndexNotFoundError):
    """The path holds something else than an index (a file, or a folder of other files),
    which this program will neither read nor replace."""

    fields = ("path", "foreign")

    def __init__(self, path: Path | str, foreign: list[str]) -> None:
        self.path = _location(path)
        self.foreign = list(foreign)
        if not foreign:
            message = f"{path} exists and is not a directory: choose another index path (--index)"
        else:
            shown = ", ".join(foreign[:3])
            more = len(foreign) - 3
            if more > 0:
                shown += f" and {more} other file{'s' if more > 1 else ''}"
            message = (f"{path} is not an index (it holds {shown}): it is left untouched; "
                       "choose another index path (--index)")
        SearchError.__init__(self, message)


class IndexVersionError(SearchError):
    """The index was built by another version of the schema."""

    fields = ("path", "found", "expected")

    def __init__(self, path: Path | str, found: int | None, expected: int) -> None:
        self.path = _location(path)
        self.found = found
        self.expected = expected
        if found is not None and found > expected:
            age = "a newer"
        else:
            age = "an older"
        super().__init__(
            f"index at {path} built by {age} version (schema {found}, this is {expected}): "
            f"run `search rebuild --index {path}`"
        )


class IndexCorruptError(SearchError):
    """The index files are damaged or incomplete."""

    fields = ("path", "reason")

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = _location(path)
        self.reason = reason = " ".join(reason.split())  # one line, whatever whoosh said
        super().__init__(
            f"index at {path} is damaged ({reason}): run `search rebuild --index {path}`"
        )


class IndexLockedError(SearchError):
    """Another process is writing the index and did not finish in time."""

    fields = ("lock_path", "holder", "waited")

    def __init__(self, lock_path: Path | str, holder: str, waited: float) -> None:
        self.lock_path = Path(lock_path)
        self.holder = holder
        self.waited = waited
        super().__init__(
            f"index is being written by {holder} (lock {lock_path}); "
            f"gave up after {waited:g} s: try again when it has finished"
        )


class IndexWriteError(SearchError):
    """The system refused to write the index (a full disk, a read-only or missing folder),
    or a helper process died; nothing was changed (`kept`: the previous index is kept)."""

    fields = ("path", "reason", "kept")

    def __init__(self, path: Path | str, reason: str, kept: bool = True) -> None:
        self.path = _location(path)
        self.reason = reason
        self.kept = kept
        outcome = "the previous index is kept" if kept else "the update did not complete"
        super().__init__(f"cannot write the index at {path} ({reason}); {outcome}")


class CorpusError(SearchError):
    """A corpus cannot be read, or (in strict mode) holds a bad record."""

    fields = ("path", "line", "reason")

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}")


class IngestError(SearchError):
    """A feed, a page, a file or an archive record cannot be brought into the corpus.

    `where` is a URL, a path, or `path:N` (the Nth record of a file).
    """

    fields = ("where", "reason")

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason = " ".join(reason.split())
        super().__init__(f"{where}: {reason}")


class UnknownArticleError(SearchError):
    """No article with this id is in the index."""

    fields = ("article_id",)

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"no article with id {article_id!r} in the index: check the id with `search query`")


class QueryError(SearchError):
    """A query option is invalid (the query text itself never raises)."""

    fields = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class SearchCancelledError(SearchError):
    """The search was cancelled through its `CancelToken` before it finished."""

    def __init__(self) -> None:
        super().__init__("the search was cancelled")


class ClusterError(SearchError):
    """A search cluster (Sphinx, Manticore) cannot serve this index: a bad address, a
    table its configuration lacks, an analysis set up by another version."""

    fields = ("location", "reason")

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason = " ".join(reason.split())
        super().__init__(f"the cluster at {location}: {reason}")


class ClusterUnavailableError(ClusterError):
    """A node of the cluster, or every copy of one of its shards, does not answer."""

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason = " ".join(reason.split())
        SearchError.__init__(
            self, f"cannot reach the cluster at {location} ({reason}): is searchd running? "
            "(search cluster start --local 2)")


def error_from_dict(data: Any) -> SearchError:
    """Rebuild an error sent as `SearchError.to_dict()` (by another process).

    An unknown type, or fields that do not fit, give a plain `SearchError` with the message.
    """
    if not isinstance(data, dict):
        return SearchError(str(data))
    message = str(data.get("message") or "unknown error")
    cls = globals().get(str(data.get("type")))
    fields = data.get("fields")
    if not (isinstance(cls, type) and issubclass(cls, SearchError) and isinstance(fields, dict)):
        return SearchError(message)
    if cls is SearchError:
        return SearchError(message)
    try:
        return cls(**{name: fields[name] for name in cls.fields})
    except (KeyError, TypeError, ValueError):
        return SearchError(message)
