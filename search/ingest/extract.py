"""Article extraction from an HTML page with trafilatura: the text, not the boilerplate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..corpus import clean_line, clean_text
from ..errors import IngestError
from .urls import canonical_url, is_web_url

__all__ = ["MIN_BODY_CHARS", "Extracted", "extract_page", "html_to_text"]

#: A page whose main text is shorter than this is not an article (a section front, a form).
MIN_BODY_CHARS = 200
_LEAD_CLASSES = re.compile(r"(?:^|[\s_-])(chapo|chapeau|lead|standfirst|intro|introduction|article-lead|"
                           r"summary|resume|accroche)(?:$|[\s_-])", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\bet\b|\band\b|&)\s*")
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a page says about its article ("" or () where it says nothing)."""

    title: str
    lead: str
    body: str
    author: tuple[str, ...]
    date: datetime | None
    tags: tuple[str, ...]
    canonical: str  # <link rel=canonical> or og:url, made absolute; "" if none
    sitename: str


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed summary), one line."""
    if "<" not in fragment and "&" not in fragment:
        return clean_line(fragment)
    import lxml.html

    try:
        return clean_line(lxml.html.fromstring(f"<div>{fragment}</div>").text_content())
    except Exception:  # lxml refuses some inputs (only blanks, bad encodings): keep the raw text
        return clean_line(re.sub(r"<[^>]*>", " ", fragment))


def _canonical(tree: Any, url: str | None) -> str:
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for value in tree.xpath(xpath):
            value = str(value).strip()
            if value and (is_web_url(value) or url):
                joined = canonical_url(value, url)
                if is_web_url(joined):
                    return joined
    return ""


def _lead(tree: Any) -> str:
    """The standfirst (chapô) of the article, when the page marks it with a usual class."""
    for node in tree.xpath("//body//*[@class or @itemprop]"):
        if node.tag in ("script", "style", "meta"):
            continue
        marks = f"{node.get('class', '')} {node.get('itemprop', '')}"
        if not _LEAD_CLASSES.search(marks) and "description" not in node.get("itemprop", ""):
            continue
        text = clean_line(node.text_content())
        if 40 <= len(text) <= 1200:
            return text
    return ""


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None and (when.hour, when.minute, when.second) == (0, 0, 0):
        return when  # a day only: no time is known
    return when


def extract_page(html: bytes | str, *, url: str | None = None, where: str | None = None) -> Extracted:
    """Extract the article of a page: title, lead, body, author, date, tags.

    The body is trafilatura's main text with `favor_precision` (menus, cookie banners,
    ads, "read also" boxes and footers left out); the lead is the page's chapô (an
    element classed `chapo`, `lead`, `standfirst`…) or its meta description.

    Args:
        html: the page (bytes: the encoding is detected).
        url: where it was fetched from (resolves a relative canonical link).
        where: how to name the page in errors (default: `url`).

    Raises:
        IngestError: not HTML, or no article text on the page.
    """
    import trafilatura
    from trafilatura.utils import load_html

    name = where or url or "page"
    tree = load_html(html)
    if tree is None:
        raise IngestError(name, "not an HTML page")
    canonical = _canonical(tree, url)
    lead = _lead(tree)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, favor_precision=True, include_comments=False,
        include_tables=True, deduplicate=False, date_extraction_params=_DATE_PARAMS,
    )
    meta: Any = doc  # a trafilatura Document (a dict only with as_dict=True)
    body = clean_text(meta.text or "") if meta is not None else ""
    if len(body) < MIN_BODY_CHARS:
        raise IngestError(name, f"not an article (no main text found: {len(body)} characters)")
    lead = lead or clean_line(meta.description or "")
    if lead and body.startswith(lead):
        body = body[len(lead):].lstrip()
    authors = tuple(a for a in (clean_line(x) for x in _AUTHOR_SPLIT.split(meta.author or "")) if a)
    tags: list[str] = []
    for tag in [*(meta.tags or []), *(meta.categories or [])]:
        tag = clean_line(tag)
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return Extracted(
        title=clean_line(meta.title or ""), lead=lead, body=body, author=authors,
        date=_date(meta.date), tags=tuple(tags), canonical=canonical,
        sitename=clean_line(meta.sitename or ""),
    )
