"""Feeds and pages into the corpus: fetch, extract, identify, write; then the index."""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ..corpus import text_path
from ..errors import IngestError
from ..indexer import IndexReport
from ..userfiles import write_atomic
from .extract import Extracted, extract_page
from .feeds import Feed, FeedEntry, ParsedFeed, parse_feed
from .fetch import Fetcher
from .store import CorpusStore
from .urls import canonical_url, host_of, is_web_url

__all__ = [
    "Failure",
    "FetchState",
    "IngestReport",
    "Ingester",
    "PageJob",
    "make_record",
    "update_index",
]


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that could not be brought in: where (URL, path or `path:N`) and why."""

    where: str
    reason: str
    feed: str = ""  # the feed's name, when it came from one

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class IngestReport:
    """What a fetch or an import did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    duplicates: int = 0
    not_modified: list[str] = field(default_factory=list)  # feeds that answered 304
    failures: list[Failure] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # corpus files written

    @property
    def ok(self) -> bool:
        """Whether everything succeeded."""
        return not self.failures

    @property
    def changed(self) -> bool:
        """Whether the corpus changed."""
        return bool(self.written)


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page to bring in: fetched from `url`, or already at hand (`html`)."""

    url: str
    where: str
    entry: FeedEntry | None = None
    feed: str = ""  # feed name
    feed_title: str = ""
    html: bytes | None = None


class FetchState:
    """Per-feed validators (ETag, Last-Modified) for conditional GETs, in the state folder.

    One JSON file (`feeds.json`) maps each corpus folder to its feeds' validators: they
    belong to this machine, not to the corpus.
    """

    def __init__(self, path: Path, corpus: Path) -> None:
        self.path = path
        self.key = text_path(Path(corpus).resolve())
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self._data: dict[str, Any] = data if isinstance(data, dict) else {}

    def get(self, url: str) -> dict[str, str]:
        """The validators kept for a feed URL."""
        value = self._data.get(self.key, {}).get(url, {})
        return value if isinstance(value, dict) else {}

    def set(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a feed's validators."""
        mine = self._data.setdefault(self.key, {})
        mine[url] = {k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v}

    def save(self) -> None:
        """Write the file (atomically)."""
        write_atomic(self.path, json.dumps(self._data, ensure_ascii=False, indent=1))


def _entry_keys(entry: FeedEntry) -> list[str]:
    keys = [canonical_url(entry.link)]
    if entry.guid:
        keys.append(canonical_url(entry.guid) if is_web_url(entry.guid) else "guid:" + entry.guid)
    return keys


def make_record(ex: Extracted, job: PageJob, final_url: str) -> tuple[dict[str, Any], list[str]]:
    """The corpus record of an extracted page, its gaps filled from the feed entry; and
    every key it is known by."""
    entry = job.entry
    url = ex.canonical or (canonical_url(final_url) if is_web_url(final_url) else "")
    keys = [url, canonical_url(final_url) if is_web_url(final_url) else ""]
    if entry is not None:
        keys += _entry_keys(entry)
        url = url or canonical_url(entry.link)
    date = ex.date or (entry.date if entry else None)
    authors = ex.author or (entry.author if entry else ())
    tags = list(ex.tags)
    for tag in entry.tags if entry else ():
        if tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    record = {
        "title": ex.title or (entry.title if entry else ""),
        "lead": ex.lead or (entry.summary if entry else ""),
        "body": ex.body,
        "date": date.isoformat() if date else "",
        "source": ex.sitename or job.feed_title or host_of(url),
        "author": authors[0] if len(authors) == 1 else list(authors),
        "url": url,
        "tags": tags,
    }
    return record, [k for k in keys if k]


class Ingester:
    """Brings feeds and pages into a corpus folder; use as a context manager (it holds the
    corpus's writer lock and writes the changed files on exit).

        with Ingester(corpus, Fetcher(), state=FetchState(path, corpus)) as ing:
            ing.fetch_feeds(feeds)
        ing.report
    """

    def __init__(self, corpus: Path, fetcher: Fetcher | None = None, *, state: FetchState | None = None,
                 refresh: bool = False, workers: int = 4, lock_timeout: float = 30.0) -> None:
        """Args:
            corpus: the corpus folder (created if missing).
            fetcher: the HTTP client (one with the default politeness if None).
            state: where feed validators are kept (none kept if None).
            refresh: read every feed whole (no conditional GET) and fetch again the pages
                of known entries even when the feed does not say they changed.
            workers: pages fetched and extracted at once (one at a time per host).
            lock_timeout: seconds to wait for another writer of the corpus.
        """
        self.store = CorpusStore(corpus)
        self.fetcher = fetcher
        self.state = state
        self.refresh = refresh
        self.workers = workers
        self.lock_timeout = lock_timeout
        self.report = IngestReport()
        self._own_fetcher = fetcher is None
        self._lock: Any = None

    def __enter__(self) -> Ingester:
        self._lock = self.store.locked(self.lock_timeout)
        self._lock.__enter__()
        self.store.load()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None or kind is KeyboardInterrupt:
                self.report.written += [str(p) for p in self.store.flush()]
                if self.state is not None:
                    self.state.save()
        finally:
            self._lock.__exit__(kind, value, tb)
            if self._own_fetcher and self.fetcher is not None:
                self.fetcher.close()

    def client(self) -> Fetcher:
        """The HTTP client (made on first use)."""
        if self.fetcher is None:
            self.fetcher = Fetcher()
        return self.fetcher

    def fail(self, where: str, reason: str, feed: str = "") -> None:
        """Record a failure."""
        self.report.failures.append(Failure(where, reason, feed))

    # -- feeds ---------------------------------------------------------------

    def fetch_feeds(self, feeds: Iterable[Feed]) -> None:
        """Read each feed (conditionally), then bring in its new or changed entries."""
        jobs: list[PageJob] = []
        for feed in feeds:
            validators = self.state.get(feed.url) if self.state and not self.refresh else {}
            try:
                resp = self.client().get(feed.url, etag=validators.get("etag"),
                                         last_modified=validators.get("last_modified"), accept=())
                if resp.not_modified:
                    self.report.not_modified.append(feed.name)
                    continue
                parsed = parse_feed(resp.content, feed.url, base=resp.url)
            except IngestError as err:
                self.fail(err.where, err.reason, feed.name)
                continue
            if self.state is not None:
                self.state.set(feed.url, resp.etag, resp.last_modified)
            jobs += self.entry_jobs(parsed, feed.name, feed.url)
        self.run(jobs)

    def entry_jobs(self, parsed: ParsedFeed, name: str, where: str) -> list[PageJob]:
        """The pages to fetch for a feed's entries: new ones, and known ones the feed says
        changed (or all of them with `refresh`)."""
        jobs = []
        for entry in parsed.entries:
            known = self.store.lookup(_entry_keys(entry))
            if known is not None and (known.path is None or (
                    not self.refresh and known.record.get("entry") == entry.signature)):
                self.report.unchanged += 1
                continue
            jobs.append(PageJob(entry.link, entry.link, entry, name, parsed.title or name))
        return jobs

    # -- pages ---------------------------------------------------------------

    def run(self, jobs: list[PageJob]) -> None:
        """Fetch (when needed) and extract the pages, several hosts at once, and store them
        in order."""
        if not jobs:
            return
        workers = min(self.workers, len({host_of(j.url) for j in jobs})) or 1
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
            for job, outcome in zip(jobs, pool.map(self._extract, jobs), strict=True):
                if isinstance(outcome, IngestError):
                    self.fail(outcome.where, outcome.reason, job.feed)
                else:
                    self.keep(job, *outcome)

    def _extract(self, job: PageJob) -> tuple[Extracted, str] | IngestError:
        try:
            html, url = job.html, job.url
            if html is None:
                resp = self.client().get(job.url)
                html, url = resp.content, resp.url
            return extract_page(html, url=url if is_web_url(url) else None, where=job.where), url
        except IngestError as err:
            return err

    def keep(self, job: PageJob, ex: Extracted, final_url: str) -> None:
        """Store one extracted page (added, updated, unchanged or a duplicate)."""
        record, keys = make_record(ex, job, final_url)
        extra: dict[str, Any] = {"fetched_at": datetime.now(UTC).isoformat(timespec="seconds")}
        if job.entry is not None:
            extra["entry"] = job.entry.signature
        outcome, ident = self.store.put(record, keys, extra=extra)
        if outcome == "added":
            self.report.added.append(ident)
        elif outcome == "updated":
            self.report.updated.append(ident)
        elif outcome == "duplicate":
            self.report.duplicates += 1
        else:
            self.report.unchanged += 1


def update_index(corpus: Path, index: Path | str, *, lock_timeout: float = 10.0) -> IndexReport:
    """Bring the index (a folder, or a cluster's URL) up to date with the corpus (building
    it when there is none).

    Raises:
        SearchError: the index cannot be written (locked, damaged, not an index…).
    """
    from ..index import Index

    with Index.open(index, missing_ok=True) as ix:
        return ix.update(corpus, lock_timeout=lock_timeout, build_if_missing=True)

