"""Errors raised by the search library: one root, a few precise subclasses."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CorpusError",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "NotAnIndexError",
    "QueryError",
    "SearchCancelledError",
    "SearchError",
    "UnknownArticleError",
]


class SearchError(Exception):
    """Root of every error the library raises on purpose.

    The message is one line, meant for a person, and says what to do.
    """


class IndexNotFoundError(SearchError):
    """No index exists at the given path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no index at {path}: build it with `search rebuild --index {path}`")


class NotAnIndexError(IndexNotFoundError):
    """The path holds something else than an index (a file, or a folder of other files),
    which this program will neither read nor replace."""

    def __init__(self, path: Path, foreign: list[str]) -> None:
        self.path = path
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

    def __init__(self, path: Path, found: int | None, expected: int) -> None:
        self.path = path
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

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason = " ".join(reason.split())  # one line, whatever whoosh said
        super().__init__(
            f"index at {path} is damaged ({reason}): run `search rebuild --index {path}`"
        )


class IndexLockedError(SearchError):
    """Another process is writing the index and did not finish in time."""

    def __init__(self, lock_path: Path, holder: str, waited: float) -> None:
        self.lock_path = lock_path
        self.holder = holder
        self.waited = waited
        super().__init__(
            f"index is being written by {holder} (lock {lock_path}); "
            f"gave up after {waited:g} s: try again when it has finished"
        )


class CorpusError(SearchError):
    """A corpus cannot be read, or (in strict mode) holds a bad record."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}")


class UnknownArticleError(SearchError):
    """No article with this id is in the index."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"no article with id {article_id!r} in the index: check the id with `search query`")


class QueryError(SearchError):
    """A query option is invalid (the query text itself never raises)."""


class SearchCancelledError(SearchError):
    """The search was cancelled through its `CancelToken` before it finished."""

    def __init__(self) -> None:
        super().__init__("the search was cancelled")
