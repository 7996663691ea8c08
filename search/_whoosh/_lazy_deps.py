"""Two of whoosh's imports that a search never uses, made lazy (a cold CLI query is a whole
process: every import counts).

- `cached_property` (a package): whoosh's readers use its `cached_property` for one
  attribute, and the package imports asyncio (about 20 ms) for async properties;
  `functools.cached_property` does the same for that attribute.
- `whoosh.lang.morph_en`: English word variations for whoosh's `Variations` query, a
  module of large regular expressions (about 12 ms) this engine never uses.
- `urllib.request` in `whoosh.compat`, for its `urlretrieve` (which nothing calls): it
  imports http.client, email and ssl (about 25 ms). Only while `whoosh.compat` is imported
  does a stand-in hold that name; whoosh's `urlretrieve` becomes a function that imports the
  real one when called.

Each stands in for the real module until something asks for a name it does not have: then
the real module is loaded, takes its place in `sys.modules`, and answers.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

__all__ = ["install"]


class _StandIn(types.ModuleType):
    """A module that loads the real one (found by path, not through `sys.modules`) the
    first time a name it lacks is asked for."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system's questions (`__path__`…): not a real name
            raise AttributeError(name)
        real = _load_real(self.__name__)
        return getattr(real, name)


def _load_real(name: str) -> types.ModuleType:
    parent, _, _leaf = name.rpartition(".")
    path = importlib.import_module(parent).__path__ if parent else None
    spec = importlib.machinery.PathFinder.find_spec(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    real = importlib.util.module_from_spec(spec)
    sys.modules[name] = real
    spec.loader.exec_module(real)
    return real


def _variations(word: str) -> set[str]:
    return set(_load_real("whoosh.lang.morph_en").variations(word))


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def install() -> None:
    """Put the stand-ins in place, unless the real modules are already loaded."""
    if "cached_property" not in sys.modules:
        stand_in = _StandIn("cached_property")
        stand_in.cached_property = functools.cached_property  # type: ignore[attr-defined]
        sys.modules["cached_property"] = stand_in
    if "whoosh.lang.morph_en" not in sys.modules:
        stand_in = _StandIn("whoosh.lang.morph_en")
        stand_in.variations = _variations  # type: ignore[attr-defined]
        sys.modules["whoosh.lang.morph_en"] = stand_in
    if "whoosh.compat" not in sys.modules and "urllib.request" not in sys.modules:
        request = types.ModuleType("urllib.request")
        request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
        sys.modules["urllib.request"] = request
        try:
            importlib.import_module("whoosh.compat")
        finally:
            if sys.modules.get("urllib.request") is request:
                del sys.modules["urllib.request"]
