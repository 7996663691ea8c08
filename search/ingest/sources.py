"""What `search import` reads: saved pages, folders of them, feed files, WARC archives, URLs."""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..corpus import text_path
from ..errors import IngestError
from .feeds import looks_like_feed, parse_feed
from .fetch import FEED_TYPES, HTML_TYPES
from .pipeline import Ingester, PageJob
from .urls import is_web_url

__all__ = ["HTML_SUFFIXES", "import_source", "warc_jobs"]

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
WARC_SUFFIXES = (".warc", ".warc.gz")


def import_source(ing: Ingester, source: str) -> None:
    """Bring one source into the corpus; its problems go to `ing.report.failures`.

    Args:
        ing: an entered `Ingester`.
        source: an http(s) URL (a page or a feed), a saved page (`.html`), a folder of
            them (read recursively), a feed file (`.xml`: its entries' pages are fetched)
            or a WARC archive (`.warc`, `.warc.gz`: its HTML responses).
    """
    if is_web_url(source):
        _import_url(ing, source)
        return
    path = Path(source)
    name = path.name.lower()
    shown = source if "://" in source else text_path(path)
    if path.is_dir():
        pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in HTML_SUFFIXES and p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not pages:
            ing.fail(shown, "no .html page in this folder")
        ing.run([job for job in (_file_job(ing, p) for p in pages) if job is not None])
    elif not path.exists():
        ing.fail(shown, "no such file, folder or URL")
    elif not path.is_file():
        ing.fail(shown, "not a regular file")
    elif name.endswith(HTML_SUFFIXES):
        job = _file_job(ing, path)
        if job is not None:
            ing.run([job])
    elif name.endswith(FEED_SUFFIXES):
        data = _read(ing, path)
        if data is not None:
            try:
                parsed = parse_feed(data, shown)
            except IngestError as err:
                ing.fail(err.where, err.reason)
                return
            ing.run(ing.entry_jobs(parsed, path.stem, shown))
    elif name.endswith(WARC_SUFFIXES):
        jobs: list[PageJob] = []
        try:
            jobs.extend(warc_jobs(path))
        except IngestError as err:
            ing.fail(err.where, err.reason)  # the pages read before the damage are kept
        ing.run(jobs)
    else:
        ing.fail(shown, "unsupported file type (use .html, .xml, .warc, .warc.gz, a folder or a URL)")


def _read(ing: Ingester, path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as err:
        ing.fail(text_path(path), f"cannot read: {err.strerror or err}")
        return None


def _file_job(ing: Ingester, path: Path) -> PageJob | None:
    data = _read(ing, path)
    return None if data is None else PageJob("", text_path(path), html=data)


def _import_url(ing: Ingester, url: str) -> None:
    try:
        resp = ing.client().get(url, accept=())
    except IngestError as err:
        ing.fail(err.where, err.reason)
        return
    if resp.content_type.startswith(FEED_TYPES) or looks_like_feed(resp.content):
        try:
            parsed = parse_feed(resp.content, url, base=resp.url)
        except IngestError as err:
            ing.fail(err.where, err.reason)
            return
        ing.run(ing.entry_jobs(parsed, parsed.title or url, url))
    elif resp.content_type.startswith(HTML_TYPES) or not resp.content_type:
        ing.run([PageJob(resp.url, url, html=resp.content)])
    else:
        ing.fail(url, f"not HTML nor a feed ({resp.content_type})")


def warc_jobs(path: Path) -> Iterator[PageJob]:
    """The HTML pages archived in a WARC file (responses with status 200), as jobs.

    Raises:
        IngestError: the file is not a WARC archive, or is damaged (after the pages
            before the damage were yielded).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    shown = text_path(path)
    pages = 0
    complaints = io.StringIO()  # warcio writes its own warnings to stderr: one line of ours instead
    try:
        with path.open("rb") as stream, contextlib.redirect_stderr(complaints):
            records = ArchiveIterator(stream)
            n = 0
            for n, record in enumerate(records, 1):
                if record.format != "warc":
                    raise ValueError(f"record {n} is not a WARC record")
                job = _warc_page(record, f"{shown}:{n}")
                if job is not None:
                    pages += 1
                    yield job
            if records.err_count:
                raise ValueError(f"{records.err_count} records of a wrong length")
            if n == 0:
                raise ValueError("no WARC record in it")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as err:
        raise IngestError(shown, f"not a WARC archive, or damaged after {pages} pages "
                          f"({' '.join(str(err).split())[:160]})") from err


def _warc_page(record: Any, where: str) -> PageJob | None:
    """A job for an archived HTML page with status 200; None for anything else."""
    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return None
        ctype = http.get_header("Content-Type") or ""
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    if not ctype.lower().startswith(HTML_TYPES):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    return PageJob(url, where, html=record.content_stream().read())
