"""The feed list kept in the corpus folder (`feeds.toml`), and feeds parsed into entries."""

from __future__ import annotations

import hashlib
import json
import tomllib
from calendar import timegm
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..corpus import clean_line
from ..errors import IngestError
from ..userfiles import write_atomic
from .urls import canonical_url, is_web_url

__all__ = ["FEEDS_FILE", "Feed", "FeedEntry", "FeedList", "ParsedFeed", "looks_like_feed", "parse_feed"]

#: The feed list's file name, at the top of the corpus folder (not read as articles).
FEEDS_FILE = "feeds.toml"
_HEADER = """\
# The feeds that `search fetch` reads: written by `search feeds add|remove`; you may edit it.
# Each [[feed]] has a `name` (used by `search fetch NAME` and as the articles' source when the
# page names none) and the `url` of an RSS or Atom feed.
"""


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed of the list."""

    name: str
    url: str


class FeedList:
    """The feeds of a corpus folder, read from and written to `<corpus>/feeds.toml`."""

    def __init__(self, corpus: Path) -> None:
        self.path = Path(corpus) / FEEDS_FILE

    def load(self) -> list[Feed]:
        """The feeds, in the order they were added.

        Raises:
            IngestError: the file is not valid TOML or a feed lacks its name or url.
        """
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise IngestError(str(self.path), f"cannot read the feed list ({err})") from err
        feeds = []
        for n, item in enumerate(data.get("feed", []), 1):
            if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                    and isinstance(item.get("url"), str)):
                raise IngestError(str(self.path), f"feed {n} needs a name and a url (strings)")
            feeds.append(Feed(item["name"], item["url"]))
        return feeds

    def save(self, feeds: list[Feed]) -> None:
        """Write the list (atomically: a temporary file renamed over the old one)."""
        lines = [_HEADER]
        for feed in feeds:  # a JSON string is a valid TOML basic string
            lines.append(f"\n[[feed]]\nname = {json.dumps(feed.name, ensure_ascii=False)}\n"
                         f"url = {json.dumps(feed.url, ensure_ascii=False)}\n")
        write_atomic(self.path, "".join(lines))

    def add(self, url: str, name: str | None = None) -> Feed:
        """Add a feed; its name defaults to the URL's host (made unique).

        Raises:
            IngestError: not an http(s) URL, or the name or URL is already listed.
        """
        if not is_web_url(url):
            raise IngestError(url, "not an http(s) URL")
        feeds = self.load()
        key = canonical_url(url)
        for feed in feeds:
            if canonical_url(feed.url) == key:
                raise IngestError(url, f"already in the feed list as {feed.name!r}")
        if name is not None:
            name = name.strip()
            if not name:
                raise IngestError(url, "the feed name is empty")
            if any(feed.name == name for feed in feeds):
                raise IngestError(name, "a feed of this name is already listed (choose another --name)")
        else:
            base = key.split("//", 1)[1].split("/", 1)[0]
            name, n = base, 2
            while any(feed.name == name for feed in feeds):
                name, n = f"{base}-{n}", n + 1
        feed = Feed(name, url.strip())
        self.save([*feeds, feed])
        return feed

    def remove(self, name_or_url: str) -> Feed:
        """Remove the feed with this name or URL and return it.

        Raises:
            IngestError: no such feed.
        """
        feeds = self.load()
        for feed in feeds:
            if feed.name == name_or_url or (is_web_url(name_or_url) and
                                            canonical_url(feed.url) == canonical_url(name_or_url)):
                self.save([f for f in feeds if f is not feed])
                return feed
        raise IngestError(name_or_url, "no such feed (see `search feeds list`)")

    def select(self, names: list[str]) -> list[Feed]:
        """The feeds named (all when `names` is empty), in the list's order.

        Raises:
            IngestError: a name is not in the list.
        """
        feeds = self.load()
        for name in names:
            if not any(name in (f.name, f.url) for f in feeds):
                raise IngestError(name, "no such feed (see `search feeds list`)")
        return [f for f in feeds if not names or f.name in names or f.url in names]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    link: str
    guid: str
    title: str
    summary: str
    date: datetime | None
    author: tuple[str, ...]
    tags: tuple[str, ...]
    signature: str  # changes when the feed says the item changed


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title and entries."""

    title: str
    entries: tuple[FeedEntry, ...]


def looks_like_feed(data: bytes) -> bool:
    """Whether these bytes start like an RSS, RDF or Atom document."""
    head = data[:2048].lstrip().lower()
    return head.startswith(b"<?xml") and any(tag in head for tag in (b"<rss", b"<feed", b"<rdf")) \
        or head.startswith((b"<rss", b"<feed", b"<rdf"))


def _when(entry: Any, key: str) -> datetime | None:
    parsed = dict.get(entry, key)  # feedparser's own get() warns about a fallback
    if not parsed:
        return None
    return datetime.fromtimestamp(timegm(parsed), UTC)


def _entry(raw: Any, base: str) -> FeedEntry | None:
    from .extract import html_to_text

    link = dict.get(raw, "link") or ""
    guid = dict.get(raw, "id") or ""
    if not link and is_web_url(guid):
        link = guid
    if not link:
        return None
    link = urljoin(base, link.strip()) if base else link.strip()
    summary = html_to_text(dict.get(raw, "summary") or "")
    authors = [a.get("name", "") for a in dict.get(raw, "authors") or [] if isinstance(a, dict)]
    if not any(authors) and dict.get(raw, "author"):
        authors = [dict.get(raw, "author")]
    tags = [t.get("term") or "" for t in dict.get(raw, "tags") or []]
    title = clean_line(dict.get(raw, "title") or "")
    updated = dict.get(raw, "updated") or dict.get(raw, "published") or ""
    signature = hashlib.blake2b("\x1e".join((title, summary, updated)).encode(), digest_size=8).hexdigest()
    return FeedEntry(
        link=link, guid=guid.strip(), title=title, summary=summary,
        date=_when(raw, "published_parsed") or _when(raw, "updated_parsed"),
        author=tuple(clean_line(a) for a in authors if a and clean_line(a)),
        tags=tuple(clean_line(t) for t in tags if t and clean_line(t)), signature=signature,
    )


def parse_feed(data: bytes, where: str, base: str = "") -> ParsedFeed:
    """Parse an RSS or Atom document with feedparser.

    Args:
        data: the document's bytes.
        where: its URL or path, for error messages.
        base: the URL it came from, to resolve relative links.

    Raises:
        IngestError: not a feed.
    """
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": base} if base else None)
    if not parsed.get("version") and not parsed.entries:
        reason = "not an RSS or Atom feed"
        if parsed.get("bozo_exception") is not None:
            reason += f" ({str(parsed.bozo_exception)[:120]})"
        raise IngestError(where, reason)
    entries = [e for e in (_entry(raw, base) for raw in parsed.entries) if e is not None]
    return ParsedFeed(clean_line(dict.get(parsed.feed, "title") or ""), tuple(entries))

