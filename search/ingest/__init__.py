"""Feeds, article pages and web archives into the corpus (feedparser, trafilatura, warcio, httpx).

    from search.ingest import FeedList, Fetcher, FetchState, Ingester, import_source, update_index

    state = FetchState(search.userdirs.state_dir() / "feeds.json", Path("corpus"))
    with Ingester(Path("corpus"), Fetcher(), state=state) as ing:
        ing.fetch_feeds(FeedList(Path("corpus")).load())
        import_source(ing, "archive.warc.gz")
    print(ing.report.added, ing.report.failures)
    update_index(Path("corpus"), Path("index"))

Nothing here is imported by `import search`: this package pulls in httpx, lxml and
trafilatura, which a search does not need.
"""

from .extract import Extracted, extract_page
from .feeds import FEEDS_FILE, Feed, FeedEntry, FeedList, ParsedFeed, parse_feed
from .fetch import USER_AGENT, Fetcher, Response
from .pipeline import Failure, FetchState, Ingester, IngestReport, PageJob, update_index
from .sources import import_source
from .store import WEB_FOLDER, CorpusStore, fingerprint
from .urls import canonical_url, is_web_url

__all__ = [
    "FEEDS_FILE",
    "USER_AGENT",
    "WEB_FOLDER",
    "CorpusStore",
    "Extracted",
    "Failure",
    "Feed",
    "FeedEntry",
    "FeedList",
    "FetchState",
    "Fetcher",
    "IngestReport",
    "Ingester",
    "PageJob",
    "ParsedFeed",
    "Response",
    "canonical_url",
    "extract_page",
    "fingerprint",
    "import_source",
    "is_web_url",
    "parse_feed",
    "update_index",
]
