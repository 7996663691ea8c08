"""Saved searches ("alerts") and what is new for each since its last run."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .corpus import text_path
from .errors import QueryError, SearchError
from .index import Index, is_cluster_url
from .results import Hit
from .userfiles import write_atomic

__all__ = ["Alert", "AlertBook", "AlertRun"]

_NAME = re.compile(r"^[\w][\w .-]{0,63}$")
FILTER_KEYS = ("source", "tags", "author")


@dataclass(frozen=True, slots=True)
class Alert:
    """A saved search: a query of the query language and optional filters."""

    name: str
    query: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertRun:
    """One alert's run: the matching articles new since its last run (best first).

    `first_run` is true when the alert had never run on this index: what matched was
    recorded and, unless asked for all, nothing is reported as new.
    """

    alert: Alert
    new: tuple[Hit, ...]
    total: int
    first_run: bool
    last_run: str | None


class AlertBook:
    """The alerts (`alerts.toml` in the config folder) and what each has seen per index
    (`alerts-seen.json` in the state folder)."""

    def __init__(self, config_dir: Path, state_dir: Path) -> None:
        """Args:
            config_dir: where `alerts.toml` is kept (`search.userdirs.config_dir()`).
            state_dir: where `alerts-seen.json` is kept (`search.userdirs.state_dir()`).
        """
        self.path = Path(config_dir) / "alerts.toml"
        self.seen_path = Path(state_dir) / "alerts-seen.json"

    def alerts(self) -> list[Alert]:
        """The alerts, in the order they were added.

        Raises:
            SearchError: the file cannot be read or is not valid.
        """
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise SearchError(f"{self.path}: cannot read the alerts ({err})") from err
        alerts = []
        for item in data.get("alert", []):
            if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                    and isinstance(item.get("query"), str)):
                raise SearchError(f"{self.path}: each [[alert]] needs a name and a query (strings)")
            filters = {k: tuple(str(v) for v in item[k]) for k in FILTER_KEYS
                       if isinstance(item.get(k), list) and item[k]}
            alerts.append(Alert(item["name"], item["query"], filters))
        return alerts

    def _save(self, alerts: list[Alert]) -> None:
        lines = ["# Saved searches, run by `search alerts run`; written by `search alerts add|remove`.\n"]
        for alert in alerts:  # a JSON string is a valid TOML basic string
            lines.append(f"\n[[alert]]\nname = {json.dumps(alert.name, ensure_ascii=False)}\n"
                         f"query = {json.dumps(alert.query, ensure_ascii=False)}\n")
            for key, values in alert.filters.items():
                lines.append(f"{key} = {json.dumps(list(values), ensure_ascii=False)}\n")
        write_atomic(self.path, "".join(lines))

    def add(self, name: str, query: str, filters: dict[str, Sequence[str]] | None = None) -> Alert:
        """Save a search under a name.

        Raises:
            QueryError: a bad or taken name, an empty query, an unknown filter.
        """
        name = name.strip()
        if not _NAME.match(name):
            raise QueryError(f"bad alert name {name!r}: letters, digits, spaces, . _ - (64 at most)")
        if not query.strip():
            raise QueryError("the alert's query is empty")
        unknown = set(filters or {}) - set(FILTER_KEYS)
        if unknown:
            raise QueryError(f"unknown alert filter {sorted(unknown)[0]!r} (use {', '.join(FILTER_KEYS)})")
        alerts = self.alerts()
        if any(a.name == name for a in alerts):
            raise QueryError(f"an alert named {name!r} exists: remove it first (`search alerts remove`)")
        alert = Alert(name, query.strip(), {k: tuple(v) for k, v in (filters or {}).items() if v})
        self._save([*alerts, alert])
        return alert

    def remove(self, name: str) -> Alert:
        """Remove an alert (and what it has seen).

        Raises:
            QueryError: no such alert.
        """
        alerts = self.alerts()
        for alert in alerts:
            if alert.name == name:
                self._save([a for a in alerts if a is not alert])
                seen = self._load_seen()
                for per_index in seen.values():
                    per_index.pop(name, None)
                write_atomic(self.seen_path, json.dumps(seen, ensure_ascii=False))
                return alert
        raise QueryError(f"no alert named {name!r} (see `search alerts list`)")

    def _load_seen(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.seen_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def run(self, ix: Index, names: Sequence[str] = (), *, report_all: bool = False,
            limit: int = 50) -> list[AlertRun]:
        """Run alerts against an index: for each, the matching articles it had not seen.

        Args:
            ix: the index.
            names: the alerts to run (all when empty).
            report_all: report every match as new, even on a first run.
            limit: at most this many new articles reported per alert (all are recorded).

        Raises:
            QueryError: an unknown alert name.
        """
        alerts = self.alerts()
        for name in names:
            if not any(a.name == name for a in alerts):
                raise QueryError(f"no alert named {name!r} (see `search alerts list`)")
        seen_all = self._load_seen()
        key = ix.location if is_cluster_url(ix.location) else text_path(Path(ix.location).resolve())
        seen_here = seen_all.setdefault(key, {})
        runs = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for alert in alerts:
            if names and alert.name not in names:
                continue
            before = seen_here.get(alert.name)
            first = not isinstance(before, dict) or before.get("query") != alert.query
            old = set() if first or report_all else set(before.get("seen", []))  # type: ignore[union-attr]
            ids, new = _matches(ix, alert, old, limit if (report_all or not first) else 0)
            runs.append(AlertRun(alert, new, len(ids), first,
                                 None if first else before.get("last_run")))  # type: ignore[union-attr]
            seen_here[alert.name] = {"query": alert.query, "last_run": now, "seen": sorted(ids)}
        write_atomic(self.seen_path, json.dumps(seen_all, ensure_ascii=False))
        return runs


def _matches(ix: Index, alert: Alert, old: set[str], limit: int) -> tuple[list[str], tuple[Hit, ...]]:
    """Every matching id (newest first), and up to `limit` hits with snippets not in `old`."""
    filters = {k: list(v) for k, v in alert.filters.items()}
    probe = ix.search(alert.query, limit=1, sort="-date", filters=filters, facets=False, snippets=False)
    if not probe.total:
        return [], ()
    every = ix.search(alert.query, limit=probe.total, sort="-date", filters=filters, facets=False,
                      snippets=False)
    ids = [hit.id for hit in every.hits if hit.all_words]  # not the relaxed "most words" ones
    fresh = [n for n, ident in enumerate(ids) if ident not in old][:limit]
    if not fresh:
        return ids, ()
    shown = ix.search(alert.query, limit=fresh[-1] + 1, sort="-date", filters=filters, facets=False)
    return ids, tuple(hit for hit in shown.hits if hit.all_words and hit.id not in old)[:limit]

