"""The user's settings: a flag, else an environment variable, else the config file, else the default.

The config file is `$XDG_CONFIG_HOME/search-fr/config.toml` (`~/.config/search-fr/` on
Linux; platformdirs' folder elsewhere), read with tomllib::

    index = "~/veille/index"        # the index folder
    corpus = "~/veille/corpus"      # the corpus file or folder
    theme = "ansi-dark"             # the terminal UI's theme
    language = "fr"                 # fr or en (default: the locale's)
    limit = 20                      # results per query

`~` is expanded; a relative path is relative to the folder `search` runs in.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SearchError
from .userfiles import config_dir, write_atomic

__all__ = ["CONFIG_NAME", "DEFAULTS", "ENV_NAMES", "Setting", "Settings", "config_path", "save_setting"]

CONFIG_NAME = "config.toml"
#: The settings, their defaults (None: decided elsewhere, e.g. the locale's language).
DEFAULTS: dict[str, Any] = {"index": "index", "corpus": "corpus", "theme": None, "language": None,
                            "limit": 10}
#: The environment variable of each setting.
ENV_NAMES = {"index": "SEARCH_INDEX", "corpus": "SEARCH_CORPUS", "theme": "SEARCH_THEME",
             "language": "SEARCH_LANG", "limit": "SEARCH_LIMIT"}
_TYPES: dict[str, type] = {"index": str, "corpus": str, "theme": str, "language": str, "limit": int}


def config_path() -> Path:
    """Where the config file is (it need not exist)."""
    return config_dir() / CONFIG_NAME


@dataclass(frozen=True)
class Setting:
    """A setting's effective value and where it comes from: "flag", "environment" (with the
    variable's name in `detail`), "config" (the file in `detail`) or "default"."""

    name: str
    value: Any
    source: str
    detail: str = ""


def _check(name: str, value: Any, where: str) -> Any:
    wanted = _TYPES[name]
    if wanted is int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SearchError(f"{where}: {name} must be a whole number, not {value!r}") from None
        if number < 0 or isinstance(value, bool):
            raise SearchError(f"{where}: {name} must be 0 or more, not {value!r}")
        return number
    if not isinstance(value, str) or not value.strip():
        raise SearchError(f"{where}: {name} must be a non-empty string, not {value!r}")
    if name == "index" and "://" in value:  # a cluster's URL: a Path would fold its //
        return value.strip()
    if name in ("index", "corpus"):
        return str(Path(value).expanduser())
    return value.strip()


class Settings:
    """The settings in force, each with its source (see the module's docstring).

    Args:
        flags: values given on the command line (None: not given).
        environ: the environment (default `os.environ`).
        path: the config file (default `config_path()`).

    Raises:
        SearchError: the config file cannot be read, or a value has the wrong type.
    """

    def __init__(self, flags: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None,
                 path: Path | None = None) -> None:
        self.path = path if path is not None else config_path()
        self.file = self._read(self.path)
        env = os.environ if environ is None else environ
        self.settings: dict[str, Setting] = {}
        for name, default in DEFAULTS.items():
            given = (flags or {}).get(name)
            var = ENV_NAMES[name]
            if given is not None:
                setting = Setting(name, given, "flag")
            elif env.get(var):
                setting = Setting(name, _check(name, env[var], f"${var}"), "environment", var)
            elif name in self.file:
                value = _check(name, self.file[name], str(self.path))
                setting = Setting(name, value, "config", str(self.path))
            else:
                setting = Setting(name, default, "default")
            self.settings[name] = setting

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise SearchError(f"{path}: cannot read the config file ({err})") from err
        unknown = sorted(set(data) - set(DEFAULTS))
        if unknown:
            raise SearchError(f"{path}: unknown setting {unknown[0]!r} "
                              f"(known: {', '.join(DEFAULTS)})")
        return data

    def __getitem__(self, name: str) -> Any:
        return self.settings[name].value

    def path_of(self, name: str) -> Path:
        """A path setting ("index" or "corpus") as a `Path`."""
        return Path(self.settings[name].value)

    def index_location(self) -> Path | str:
        """The index setting: a folder's `Path`, or a cluster URL as text."""
        from .index import index_location

        return index_location(self.settings["index"].value)

    def __iter__(self) -> Any:
        return iter(self.settings.values())


_LINE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=")


def save_setting(name: str, value: str, path: Path | None = None) -> Path:
    """Write `name = "value"` into the config file, replacing its line if it has one (the
    other lines and comments are kept as they are); return the file's path."""
    if name not in DEFAULTS:
        raise ValueError(f"unknown setting {name!r}")
    path = path if path is not None else config_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    line = f"{name} = {_toml_string(value)}"
    for i, text in enumerate(lines):
        if text.lstrip().startswith("["):
            lines.insert(i, line)  # before the first table: a top-level key
            break
        found = _LINE.match(text)
        if found and found.group(1) == name:
            lines[i] = line
            break
    else:
        lines.append(line)
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
