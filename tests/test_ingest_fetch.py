"""`search feeds` and `search fetch` against a local news site: what gets in, what does not."""

from __future__ import annotations

import json
from pathlib import Path

from .ingest_site import Dirs, NewsSite, data_file, page

FAST = ("--delay", "0", "--timeout", "1")



def add_feeds(news_site: NewsSite, dirs: Dirs) -> None:
    assert dirs.cli("feeds", "add", news_site.base + "/rss.xml", "--name", "gazette")[0] == 0
    assert dirs.cli("feeds", "add", news_site.base + "/vosges/atom.xml", "--name", "reveil")[0] == 0


def test_feeds_add_list_remove(news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    add_feeds(news_site, dirs)
    status, out, err = dirs.cli("feeds", "list")
    assert (status, err) == (0, "")
    assert out == f"gazette\t{news_site.base}/rss.xml\nreveil\t{news_site.base}/vosges/atom.xml\n"
    status, _, err = dirs.cli("feeds", "add", news_site.base + "/rss.xml?utm_source=x")
    assert status == 1 and "already in the feed list as 'gazette'" in err and err.count("\n") == 1
    assert dirs.cli("feeds", "remove", "gazette")[0] == 0
    status, out, _ = dirs.cli("feeds", "list", "--json")
    assert json.loads(out) == [{"name": "reveil", "url": f"{news_site.base}/vosges/atom.xml"}]
    status, _, err = dirs.cli("feeds", "remove", "nope")
    assert status == 1 and err.startswith("search: error: nope: no such feed")
    status, _, err = dirs.cli("feeds", "add", "ftp://example.org/feed")
    assert status == 1 and "not an http(s) URL" in err


def test_fetch_indexes_the_article_text_and_not_the_boilerplate(news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    add_feeds(news_site, dirs)
    status, out, err = dirs.cli("fetch", *FAST)
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "fetch: 4 added, 0 updated, 0 unchanged, 0 duplicates"
    assert dirs.titles("phoques") == ["Éolien en mer : le chantier de Port-Joubert prend six mois de retard"]
    assert len(dirs.titles("munster")) == 1
    # in the cookie banners, menus, ads, "most read", newsletter, comments and footers only
    for word in ("traceurs", "Dormiflex", "catamaran", "Quéméneur", "Cuisinella", "jonquilles",
                 "newsletter", "inscrivez", "abonné", "confidentialité", "Nuagerie"):
        assert dirs.titles(word) == [], word
    # the feed's summary is not the text
    assert dirs.titles('"résumé du flux"') == []
    by_title = {r["title"]: r for r in dirs.records()}
    eolien = by_title["Éolien en mer : le chantier de Port-Joubert prend six mois de retard"]
    assert eolien["url"] == f"{news_site.base}/economie/eolien-port-joubert-retard"  # no utm_*, fbclid
    assert eolien["lead"].startswith("La préfecture maritime a suspendu la pose des fondations")
    assert eolien["body"].startswith("Les barges devaient quitter le quai numéro trois")
    assert eolien["author"] == "Maëlle Le Goff"
    assert eolien["date"] == "2024-03-12T07:45:00+01:00"
    assert eolien["source"] == "La Gazette du Littoral"
    assert eolien["tags"] == ["éolien", "environnement", "Économie"]
    munster = next(r for t, r in by_title.items() if "munster" in t)
    assert munster["author"] == ["Claire Vautrin", "Julien Gérardin"]
    assert munster["tags"] == ["Agriculture", "Fromage"]
    halles = by_title["Remiremont : le conseil municipal vote la rénovation des halles"]
    assert halles["tags"] == ["Politique locale"]  # the page has none: the feed's category fills in
    assert halles["url"] == f"{news_site.base}/vosges/remiremont-renovation-halles"  # no gclid
    # the corpus is the source of truth: a rebuild from it gives the same index
    assert dirs.cli("rebuild")[0] == 0
    assert len(dirs.titles("phoques")) == 1 and dirs.titles("traceurs") == []


def test_second_fetch_adds_nothing_and_sends_the_validators(news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    add_feeds(news_site, dirs)
    assert dirs.cli("fetch", *FAST)[0] == 0
    pages_before = len(news_site.requests)
    status, out, _ = dirs.cli("fetch", *FAST)
    assert status == 0
    assert out == "fetch: 0 added, 0 updated, 0 unchanged, 0 duplicates; not modified: gazette, reveil\n"
    second = news_site.hits("/rss.xml")[1].headers
    assert second["If-None-Match"].startswith('"') and second["If-Modified-Since"].endswith("GMT")
    assert news_site.hits("/rss.xml")[0].headers.get("If-None-Match") is None
    assert second["User-Agent"].startswith("search-fr/")
    assert len(news_site.requests) == pages_before + 2  # the two feeds, no page
    # a feed that changed but whose entries are known: nothing fetched again, nothing added
    news_site.set_feed("/rss.xml", data_file("gazette_rss.xml", news_site.base).replace(
        "<lastBuildDate>Wed", "<lastBuildDate>Thu"), "application/rss+xml")
    status, out, _ = dirs.cli("fetch", *FAST)
    assert out.startswith("fetch: 0 added, 0 updated, 2 unchanged, 0 duplicates")
    assert len(dirs.records()) == 4
    assert len(news_site.requests) == pages_before + 4  # the two feeds again, still no page


def test_new_feed_item_is_added(news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    add_feeds(news_site, dirs)
    assert dirs.cli("fetch", *FAST)[0] == 0
    item = f"""<item><title>À la criée de Port-Joubert, la coquille atteint des prix records</title>
    <link>{news_site.base}/mer/criee-coquilles-prix-records?utm_source=rss</link><guid>gazette-31901</guid>
    <pubDate>Fri, 15 Mar 2024 06:30:00 +0100</pubDate></item>"""
    xml = data_file("gazette_rss.xml", news_site.base).replace("<item>", item + "\n  <item>", 1)
    news_site.set_feed("/rss.xml", xml, "application/rss+xml")
    status, out, _ = dirs.cli("fetch", "gazette", *FAST)
    assert status == 0
    assert out.splitlines() == ["fetch: 1 added, 0 updated, 2 unchanged, 0 duplicates",
                                f"index {dirs.index}: 1 added, 0 updated, 0 deleted; 5 articles"]
    assert len(dirs.titles("coquille")) == 1 and len(dirs.records()) == 5


def test_changed_article_is_updated_not_duplicated(news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    add_feeds(news_site, dirs)
    assert dirs.cli("fetch", *FAST)[0] == 0
    path = "/actualite/greve-tramway-littoralis"
    changed = page("gazette_layout.html", "gazette_greve.html", news_site.base).replace(
        "Les rames resteront au dépôt", "Mise à jour : le préavis est levé, un accord salarial ayant été "
        "signé dans la nuit. Les rames ne resteront finalement pas au dépôt")
    news_site.set_page(path, changed)
    news_site.set_feed("/rss.xml", data_file("gazette_rss.xml", news_site.base).replace(
        "aucun tramway ne circulera jeudi</title>", "le préavis est levé</title>", 1), "application/rss+xml")
    status, out, _ = dirs.cli("fetch", *FAST)
    assert status == 0 and out.startswith("fetch: 0 added, 1 updated, 1 unchanged, 0 duplicates")
    assert dirs.titles("préavis accord salarial") == [
        "Grève au réseau Littoralis : aucun tramway ne circulera jeudi"]
    assert len(dirs.titles("Kerbriant")) == 1  # one article, not two
    assert len(dirs.records()) == 4
    # --refresh fetches the known pages again, and finds nothing new
    status, out, _ = dirs.cli("fetch", "--refresh", *FAST)
    assert out.startswith("fetch: 0 added, 0 updated, 4 unchanged, 0 duplicates")


FAILING = {
    "/lent": "timed out after 1 s",
    "/absent": "HTTP 404 Not Found",
    "/image.png": "not HTML (image/png)",
    "/enorme": "too large (0.3 MB, limit 0.1 MB)",
    "/boucle": "redirect loop or too many redirects",
    "/sports/": "not an article (no main text found: 6 characters)",
}


def test_failing_feeds_and_pages_are_reported_and_the_others_go_on(
        news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    items = "".join(f"<item><title>p{n}</title><link>{news_site.base}{path}</link></item>"
                    for n, path in enumerate(FAILING))
    xml = data_file("gazette_rss.xml", news_site.base).replace("<item>", items + "\n  <item>", 1)
    news_site.set_feed("/rss.xml", xml, "application/rss+xml")
    add_feeds(news_site, dirs)
    for name, path in (("disparu", "/disparu.xml"), ("pas-un-flux", "/economie/eolien-port-joubert-retard")):
        assert dirs.cli("feeds", "add", news_site.base + path, "--name", name)[0] == 0
    status, out, err = dirs.cli("fetch", "--delay", "0", "--timeout", "1", "--max-size", "0.1")
    assert status == 1
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(FAILING) + 2
    for path, reason in FAILING.items():
        assert f"{news_site.base}{path}: {reason} (feed gazette)" in lines
    assert f"{news_site.base}/disparu.xml: HTTP 404 Not Found (feed disparu)" in lines
    not_feed = f"{news_site.base}/economie/eolien-port-joubert-retard: not an RSS or Atom feed"
    assert any(line.startswith(not_feed)
               for line in lines)
    summary = out.splitlines()[0]
    assert summary.startswith("fetch: 4 added, 0 updated, 0 unchanged, 0 duplicates; 8 failed (")
    assert summary.endswith("(disparu, gazette, pas-un-flux)")
    assert len(dirs.titles("phoques")) == 1  # the good ones are in
