"""The user's settings and state: platformdirs' folders for "search-fr", written atomically."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["APP_NAME", "config_dir", "state_dir", "write_atomic"]

APP_NAME = "search-fr"


def config_dir() -> Path:
    """The settings folder (saved alerts): `$XDG_CONFIG_HOME/search-fr` on Linux,
    else `~/.config/search-fr` (platformdirs' `user_config_dir`)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    """The state folder (feed validators, what each alert has seen): `$XDG_STATE_HOME/search-fr`
    on Linux, else `~/.local/state/search-fr` (platformdirs' `user_state_dir`)."""
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP_NAME, appauthor=False))


def write_atomic(path: Path, text: str) -> None:
    """Write a small text file whole: a hidden temporary file beside it, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
