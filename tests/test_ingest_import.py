"""`search import`: saved pages, folders, feed files, WARC archives and URLs into the corpus."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

from .ingest_site import PAGES, Dirs, NewsSite, data_file, page

OFFLINE = "http://127.0.0.1:9"  # the discard port: nothing answers there



def saved_pages(folder: Path, base: str = OFFLINE) -> list[Path]:
    """The five article pages saved as files, as a browser would."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path, (layout, fragment) in PAGES.items():
        target = folder / (path.strip("/").replace("/", "_") + ".html")
        target.write_text(page(layout, fragment, base), encoding="utf-8")
        out.append(target)
    return out


def make_warc(path: Path, base: str) -> None:
    """A WARC archive as a crawler writes it: two articles, an image, a 404, a request."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=path.name.endswith(".gz"))

        def response(url: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            write(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))

        def write(record: Any) -> None:
            writer.write_record(record)
            record.raw_stream.close()  # warcio's temporary buffer

        write(writer.create_warc_record(f"{base}/", "request", payload=io.BytesIO(b"GET /")))
        for path_on_site in ("/economie/eolien-port-joubert-retard", "/vosges/cooperative-munster-moselotte"):
            layout, fragment = PAGES[path_on_site]
            response(base + path_on_site, page(layout, fragment, base).encode(), "text/html; charset=utf-8")
        response(f"{base}/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
        response(f"{base}/absent", b"<html>introuvable</html>", "text/html", "404 Not Found")


def test_import_saved_pages_and_folders(tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    files = saved_pages(tmp_path / "saved")
    status, out, err = dirs.cli("import", str(files[0]))
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "import: 1 added, 0 updated, 0 unchanged, 0 duplicates"
    status, out, err = dirs.cli("import", str(tmp_path / "saved"))
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "import: 4 added, 0 updated, 1 unchanged, 0 duplicates"
    assert len(dirs.titles("phoques")) == 1 and dirs.titles("Dormiflex") == []
    # the canonical link names the article; tracking parameters never do
    urls = sorted(r["url"] for r in dirs.records())
    assert urls == sorted(OFFLINE + path for path in PAGES)
    # the same text saved under another name and without its canonical link: a duplicate
    copy = tmp_path / "copie.html"
    copy.write_text(files[0].read_text(encoding="utf-8").replace('<link rel="canonical"', "<link rel=x"),
                    encoding="utf-8")
    status, out, _ = dirs.cli("import", str(copy))
    assert out.splitlines()[0] == "import: 0 added, 0 updated, 0 unchanged, 1 duplicates"
    assert len(dirs.records()) == 5


def test_import_warc_made_with_warcio(tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    for name in ("crawl.warc.gz", "crawl.warc"):
        make_warc(tmp_path / name, "https://www.gazette-littoral.example")
    status, out, err = dirs.cli("import", str(tmp_path / "crawl.warc.gz"))
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "import: 2 added, 0 updated, 0 unchanged, 0 duplicates"
    assert sorted(r["url"] for r in dirs.records()) == [
        "https://www.gazette-littoral.example/economie/eolien-port-joubert-retard",
        "https://www.gazette-littoral.example/vosges/cooperative-munster-moselotte"]
    assert len(dirs.titles("munster")) == 1
    assert (dirs.corpus / "web" / "www.gazette-littoral.example" / "2024-03.jsonl").is_file()
    status, out, _ = dirs.cli("import", str(tmp_path / "crawl.warc"))
    assert out.splitlines()[0] == "import: 0 added, 0 updated, 2 unchanged, 0 duplicates"


def test_bad_sources_fail_in_one_line_each_and_the_others_go_on(tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    good = saved_pages(tmp_path / "saved")[2]  # the criée
    make_warc(tmp_path / "ok.warc.gz", "https://x.example")
    damaged = tmp_path / "abime.warc.gz"
    data = (tmp_path / "ok.warc.gz").read_bytes()
    damaged.write_bytes(data[: len(data) // 2] + b"\0garbage" * 50)
    not_warc = tmp_path / "faux.warc"
    not_warc.write_text("ceci n’est pas une archive\n")
    bad_gzip = tmp_path / "vide.warc.gz"
    bad_gzip.write_bytes(b"\x1f\x8b\x08\x00 pas du gzip")
    odd = tmp_path / "notes.pdf"
    odd.write_bytes(b"%PDF-1.4")
    bad_feed = tmp_path / "flux.xml"
    bad_feed.write_text("<html><body>pas un flux</body></html>")
    status, out, err = dirs.cli("import", str(tmp_path / "absent.html"), "http://127.0.0.1:9/page",
                           str(damaged), str(not_warc), str(odd), str(bad_feed), str(bad_gzip), str(good),
                           "--timeout", "2")
    assert status == 1
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 7, err
    assert lines[0] == f"{tmp_path}/absent.html: no such file, folder or URL"
    assert lines[1].startswith("http://127.0.0.1:9/page: network error (ConnectError")
    assert lines[2].startswith(f"{damaged}: not a WARC archive, or damaged after ")
    assert lines[3].startswith(f"{not_warc}: not a WARC archive, or damaged after 0 pages")
    assert lines[4] == f"{odd}: unsupported file type (use .html, .xml, .warc, .warc.gz, a folder or a URL)"
    assert lines[5] == f"{bad_feed}: not an RSS or Atom feed"
    assert lines[6] == f"{bad_gzip}: not a WARC archive, or damaged after 0 pages (no WARC record in it)"
    # the damaged archive's first page, and the good page
    assert out.splitlines()[0].startswith("import: 2 added, 0 updated, 0 unchanged, 0 duplicates; 7 failed (")
    assert len(dirs.titles("phoques")) == 1 and len(dirs.titles("coquille")) == 1


def test_import_urls_of_a_page_and_of_a_feed(news_site: NewsSite, tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    status, out, err = dirs.cli("import", news_site.base + "/mer/criee-coquilles-prix-records?utm_medium=x",
                           news_site.base + "/vosges/atom.xml", "--delay", "0")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "import: 3 added, 0 updated, 0 unchanged, 0 duplicates"
    assert len(dirs.titles("coquille")) == 1 and len(dirs.titles("Remiremont")) == 1
    # a feed file: its entries' pages are fetched
    feed = tmp_path / "gazette.xml"
    feed.write_text(data_file("gazette_rss.xml", news_site.base), encoding="utf-8")
    status, out, _ = dirs.cli("import", str(feed), "--delay", "0")
    assert out.splitlines()[0] == "import: 2 added, 0 updated, 0 unchanged, 0 duplicates"
    assert len(dirs.titles("phoques")) == 1


def test_articles_already_in_the_users_files_are_not_added_again(tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    corpus = dirs.corpus
    corpus.mkdir()
    own = corpus / "mes-articles.jsonl"
    line = ('{"id": "eolien", "title": "Éolien", "body": "texte", '
            f'"url": "{OFFLINE}/economie/eolien-port-joubert-retard"}}\n')
    own.write_text(line, encoding="utf-8")
    files = saved_pages(tmp_path / "saved")
    status, out, _ = dirs.cli("import", str(files[0]))
    assert out.splitlines()[0] == "import: 0 added, 0 updated, 0 unchanged, 1 duplicates"
    assert own.read_text(encoding="utf-8") == line  # never rewritten
    # a corpus that is a file cannot take new articles
    status, _, err = dirs.cli("import", str(files[0]), corpus=own)
    assert status == 1 and "give --corpus a folder, not a file" in err


def test_gzip_corpus_records_are_read_for_identity(tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    corpus = dirs.corpus
    corpus.mkdir()
    with gzip.open(corpus / "archives.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write('{"id": "a1", "title": "Halles", "body": "x", '
                  f'"url": "{OFFLINE}/vosges/remiremont-renovation-halles"}}\n')
    files = saved_pages(tmp_path / "saved")
    status, out, _ = dirs.cli("import", str(tmp_path / "saved"))
    assert out.splitlines()[0] == "import: 4 added, 0 updated, 0 unchanged, 1 duplicates"
    assert len(files) == 5
