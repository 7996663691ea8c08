"""What whoosh raises on damaged files, translated into `IndexCorruptError` at the boundary."""

from __future__ import annotations

import functools
import os
import pickle
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError
from whoosh.reading import TermNotFound

from ..errors import IndexCorruptError, SearchError

__all__ = ["damage", "reads_index"]

# what a damaged index raises from inside whoosh
_DAMAGE = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, EmptyIndexError,
           ValueError, KeyError, IndexError, AttributeError, ImportError, TypeError,
           whoosh_index.IndexError, TermNotFound)

_F = TypeVar("_F", bound=Callable[..., Any])


def reads_index(method: _F) -> _F:
    """Translate what whoosh raises when it meets damaged files into `IndexCorruptError`
    (for a method of an object with a `path`).

    Misuse (`ValueError`, `TypeError` from the arguments) and `SearchError` pass through.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except SearchError:
            raise
        except Exception as err:
            translated = damage(self.path, err)
            if translated is err:
                raise
            raise translated from err

    return cast(_F, wrapper)


def damage(path: Path, err: Exception) -> Exception:
    """The error to raise for `err` met while reading the index at `path`: an
    `IndexCorruptError` when whoosh raised it on bad bytes, else `err` itself."""
    # whoosh raises many kinds on bad bytes, bare Exceptions on bad blocks among them
    if _is_misuse(err) or not (isinstance(err, _DAMAGE) or _in_whoosh(err) or type(err) is Exception):
        return err
    return IndexCorruptError(path, f"{type(err).__name__}: {err}"[:160])


def _is_misuse(err: BaseException) -> bool:
    """A `ValueError` or `TypeError` raised by our own checks of the arguments."""
    return (isinstance(err, ValueError | TypeError) and not _in_whoosh(err)
            and not isinstance(err, UnicodeDecodeError | pickle.UnpicklingError))


def _in_whoosh(err: BaseException) -> bool:
    """Whether the error was raised inside whoosh (reading damaged files), not by our own checks."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"{os.sep}whoosh{os.sep}" in tb.tb_frame.f_code.co_filename
