"""The ingested articles in the corpus folder: `web/<host>/<YYYY-MM>.jsonl`, one writer."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..corpus import corpus_files, read_corpus
from ..errors import IngestError

__all__ = ["CONTENT_KEYS", "WEB_FOLDER", "CorpusStore", "Stored", "fingerprint"]

#: The folder of the corpus where ingested articles are written.
WEB_FOLDER = "web"
#: The fields of a record that make an article; other keys are bookkeeping.
CONTENT_KEYS = ("title", "lead", "body", "date", "source", "author", "url", "tags")
_NOT_WORD = re.compile(r"\W+")
_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def fingerprint(body: str) -> str:
    """A digest of an article's text that ignores case, accents, punctuation and spacing."""
    text = unicodedata.normalize("NFKD", body.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = _NOT_WORD.sub(" ", text).strip()
    return hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


@dataclass
class Stored:
    """An article already in the corpus: its record, and the file it lives in (None when
    it is in a file of the user's, which is never rewritten)."""

    id: str
    record: dict[str, Any]
    path: Path | None


class CorpusStore:
    """Reads what the corpus holds, and writes new or changed web articles into it.

    Use as `with store.locked(): store.load(); … store.put(…); store.flush()`.
    Identity: any of an article's keys (canonical URL, URLs it was reached by, feed guid),
    else the fingerprint of its body.
    """

    def __init__(self, corpus: Path) -> None:
        """Raises:
            IngestError: the corpus path is a file, not a folder.
        """
        self.root = Path(corpus)
        if self.root.exists() and not self.root.is_dir():
            raise IngestError(str(self.root), "articles are written into a corpus folder: "
                              "give --corpus a folder, not a file")
        self.web = self.root / WEB_FOLDER
        self._by_key: dict[str, Stored] = {}
        self._by_print: dict[str, Stored] = {}
        self._files: dict[Path, list[dict[str, Any] | bytes]] = {}
        self._dirty: set[Path] = set()
        self._ids: set[str] = set()

    @contextmanager
    def locked(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the corpus's writer lock (`web/.lock`), waiting up to `timeout` seconds.

        Raises:
            IngestError: another process kept it longer.
        """
        self.web.mkdir(parents=True, exist_ok=True)
        with open(self.web / ".lock", "a+b") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IngestError(str(self.web), f"another process is writing articles here; "
                                          f"gave up after {timeout:g} s") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load(self) -> None:
        """Read the whole corpus: the web folder's records, and the URLs and texts of the rest."""
        if not self.root.is_dir():
            return
        for path in corpus_files(self.root):
            if path.parent.is_relative_to(self.web) and path.name.endswith(".jsonl"):
                self._load_own(path)
                continue
            for rec in read_corpus(path):
                art = rec.article
                stored = Stored(art.id, {"url": art.url, "title": art.title}, None)
                self._ids.add(art.id)
                if art.url:
                    self._by_key.setdefault(art.url, stored)
                self._by_print.setdefault(fingerprint(art.body), stored)

    def _load_own(self, path: Path) -> None:
        lines: list[dict[str, Any] | bytes] = []
        with path.open("rb") as handle:
            for raw in handle:
                try:
                    rec = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    rec = None
                if not (isinstance(rec, dict) and isinstance(rec.get("id"), str)
                        and isinstance(rec.get("body"), str)):
                    lines.append(raw)  # kept as it is: another reader reports it
                    continue
                lines.append(rec)
                self._remember(Stored(rec["id"], rec, path))
        self._files[path] = lines

    def _remember(self, stored: Stored) -> None:
        self._ids.add(stored.id)
        rec = stored.record
        for key in [rec.get("url") or "", *rec.get("aliases", ())]:
            if isinstance(key, str) and key:
                self._by_key[key] = stored
        self._by_print.setdefault(rec.get("fingerprint") or fingerprint(rec["body"]), stored)

    def lookup(self, keys: Iterable[str]) -> Stored | None:
        """The article known by any of these keys, if any."""
        for key in keys:
            if key and key in self._by_key:
                return self._by_key[key]
        return None

    def put(self, record: dict[str, Any], keys: Iterable[str], *, extra: dict[str, Any] | None = None,
            ) -> tuple[str, str]:
        """Add an article, or update the one it is; return (outcome, id).

        Args:
            record: the article's `CONTENT_KEYS` (`url` may be "").
            keys: every name the article is known by (URLs, `guid:…`).
            extra: bookkeeping kept in the record (e.g. the feed entry's signature).

        Returns:
            ("added" | "updated" | "unchanged" | "duplicate", the article id); a duplicate
            is the same text as an article known under another name.
        """
        keys = [k for k in dict.fromkeys([record.get("url") or "", *keys]) if k]
        body_print = fingerprint(record["body"])
        found = self.lookup(keys)
        outcome = "updated"
        if found is None:
            found = self._by_print.get(body_print)
            outcome = "duplicate"
        if found is not None and found.path is None:
            return "duplicate", found.id  # in the user's own files: never rewritten
        if found is None:
            return "added", self._add(record, keys, body_print, extra or {})
        rec = found.record
        changed = any(rec.get(k) != record.get(k) for k in CONTENT_KEYS)
        if outcome == "duplicate" or not changed:
            outcome = "duplicate" if outcome == "duplicate" else "unchanged"
            new = dict(rec)
        else:
            new = {**rec, **record, "fingerprint": body_print}
        aliases = [k for k in dict.fromkeys([*rec.get("aliases", ()), *keys]) if k != new.get("url")]
        new.update(extra or {})
        new["aliases"] = aliases
        if new != rec:
            self._replace(found, new)
        return outcome, found.id

    def _add(self, record: dict[str, Any], keys: list[str], body_print: str, extra: dict[str, Any]) -> str:
        basis = (record.get("url") or body_print).encode()
        ident = "web-" + hashlib.blake2b(basis, digest_size=8).hexdigest()
        while ident in self._ids:  # an id taken by a user's record
            ident += "x"
        rec = {"id": ident, **{k: record[k] for k in CONTENT_KEYS if record.get(k) not in (None, "", [], ())},
               "fingerprint": body_print,
               "aliases": [k for k in keys if k != record.get("url")], **extra}
        host = _UNSAFE.sub("-", (record.get("url") or "").split("//", 1)[-1].split("/", 1)[0].lower())
        month = str(record.get("date") or time.strftime("%Y-%m"))[:7]
        path = self.web / (host.strip("-.") or "local") / f"{month}.jsonl"
        self._files.setdefault(path, []).append(rec)
        self._dirty.add(path)
        self._remember(Stored(ident, rec, path))
        return ident

    def _replace(self, found: Stored, new: dict[str, Any]) -> None:
        assert found.path is not None
        lines = self._files[found.path]
        lines[next(i for i, r in enumerate(lines) if r is found.record)] = new
        found.record = new
        self._remember(found)
        self._dirty.add(found.path)

    def flush(self) -> list[Path]:
        """Write the files that changed (each atomically); return them."""
        written = sorted(self._dirty)
        for path in written:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden: never read as corpus
            with tmp.open("wb") as handle:
                for rec in self._files[path]:
                    handle.write(rec if isinstance(rec, bytes) else orjson.dumps(rec) + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        self._dirty.clear()
        return written

