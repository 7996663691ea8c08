"""The pieces of ingestion: URLs, the feed list, the fetcher's manners, identity, durations."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.cli.ingest import duration
from search.errors import IngestError
from search.ingest import CorpusStore, FeedList, Fetcher, canonical_url, extract_page, fingerprint

from .ingest_site import DATA, NewsSite, page


def test_canonical_url_drops_tracking_and_noise() -> None:
    noisy = "HTTPS://WWW.Example.FR:443/a/b?utm_source=rss&id=7&fbclid=x&gclid=y&xtor=RSS-1#top"
    assert canonical_url(noisy) == "https://www.example.fr/a/b?id=7"
    assert canonical_url("http://example.fr") == "http://example.fr/"
    assert canonical_url("/article?page=2&UTM_medium=m", "https://ex.fr/rubrique/") == "https://ex.fr/article?page=2"
    assert canonical_url("http://ex.fr:8080/x?mc_cid=1&at_medium=2") == "http://ex.fr:8080/x"


def test_duration() -> None:
    texts = ("30m", "1h30m", "90s", "2h", "1d", "45")
    assert [duration(t) for t in texts] == [1800, 5400, 90, 7200, 86400, 45]
    for bad in ("", "0m", "m", "10x", "1h x", "-5m"):
        with pytest.raises(Exception, match="not a duration"):
            duration(bad)


def test_feed_list_round_trip(tmp_path: Path) -> None:
    feeds = FeedList(tmp_path)
    feeds.add("https://ex.fr/rss", name='Le "Réveil" \\ Est')
    feeds.add("https://www.ex2.fr/flux.xml")
    feeds.add("https://www.ex2.fr/autre.xml")
    assert [(f.name, f.url) for f in FeedList(tmp_path).load()] == [
        ('Le "Réveil" \\ Est', "https://ex.fr/rss"), ("www.ex2.fr", "https://www.ex2.fr/flux.xml"),
        ("www.ex2.fr-2", "https://www.ex2.fr/autre.xml")]
    assert feeds.remove("https://www.ex2.fr/flux.xml?utm_source=a").name == "www.ex2.fr"
    (tmp_path / "feeds.toml").write_text("[[feed]]\nname = 3\n")
    with pytest.raises(IngestError, match="feed 1 needs a name and a url"):
        feeds.load()


def test_fetcher_waits_between_requests_to_one_host(news_site: NewsSite) -> None:
    with Fetcher(delay=0.3) as fetcher:
        for _ in range(3):
            fetcher.get(news_site.base + "/vosges/cooperative-munster-moselotte")
    times = [r.at for r in news_site.requests]
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:], strict=False)), times


def test_fetcher_sends_validators_and_reads_304(news_site: NewsSite) -> None:
    with Fetcher(delay=0) as fetcher:
        first = fetcher.get(news_site.base + "/rss.xml", accept=())
        again = fetcher.get(news_site.base + "/rss.xml", etag=first.etag,
                            last_modified=first.last_modified, accept=())
    assert first.status == 200 and first.etag and first.last_modified
    assert again.not_modified and again.content == b""
    assert news_site.hits("/rss.xml")[1].headers["If-None-Match"] == first.etag
    assert news_site.hits("/rss.xml")[1].headers["If-Modified-Since"] == first.last_modified


def test_fetcher_size_cap_without_content_length(news_site: NewsSite) -> None:
    news_site.routes["/enorme"].send_length = False
    with Fetcher(delay=0, max_bytes=1000) as fetcher:
        with pytest.raises(IngestError, match="too large"):
            fetcher.get(news_site.base + "/enorme")


def test_identity_by_url_keys_and_by_fingerprint(tmp_path: Path) -> None:
    html = page("gazette_layout.html", "gazette_eolien.html", "https://g.example")
    ex = extract_page(html.encode())
    rec = {"title": ex.title, "lead": ex.lead, "body": ex.body, "date": "2024-03-12", "source": "G",
           "author": "M", "url": ex.canonical, "tags": list(ex.tags)}
    store = CorpusStore(tmp_path / "corpus")
    with store.locked():
        store.load()
        outcome, ident = store.put(rec, ["guid:31840"])
        assert outcome == "added" and ident.startswith("web-")
        assert store.put(dict(rec), []) == ("unchanged", ident)
        assert store.put({**rec, "url": "https://g.example/amp/x"}, []) == ("duplicate", ident)
        assert store.put({**rec, "url": "", "body": rec["body"] + " Mise à jour."}, ["guid:31840"]) \
            == ("updated", ident)
        store.flush()
    again = CorpusStore(tmp_path / "corpus")
    again.load()
    found = again.lookup(["https://g.example/amp/x"])
    assert found is not None and found.id == ident and found.record["body"].endswith("Mise à jour.")
    assert fingerprint("L’Élysée,  a dit…") == fingerprint("l'elysee a DIT")


def test_importing_search_or_its_cli_stays_light() -> None:
    code = ("import sys, search, search.cli, search.export, search.alerts; "
            "print(sorted(m for m in ('httpx', 'trafilatura', 'feedparser', 'warcio', 'watchfiles', "
            "'lxml', 'search.ingest') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_extraction_takes_the_article_and_leaves_the_page(tmp_path: Path) -> None:
    started = time.perf_counter()
    ex = extract_page(page("reveil_layout.html", "reveil_munster.html", "https://r.example").encode())
    assert time.perf_counter() - started < 5
    assert ex.lead.startswith("Six éleveurs ont uni leurs troupeaux")
    assert ex.body.startswith("Dans l’ancienne fromagerie de Saulxures")
    assert ex.body.endswith("donnant sur la salle de fabrication.")
    for boilerplate in ("cookies", "Cuisinella", "Hautes-Vosges", "Réactions", "Tous droits", "Mots-clés"):
        assert boilerplate not in ex.body
    assert ex.canonical == "https://r.example/vosges/cooperative-munster-moselotte"
    assert ex.author == ("Claire Vautrin", "Julien Gérardin") and ex.sitename == "Le Réveil de l’Est"
    with pytest.raises(IngestError, match="not an article"):
        extract_page((DATA / "rubrique.html").read_bytes(), where="r.html")
