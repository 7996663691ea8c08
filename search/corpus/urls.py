"""Canonical URLs: the identity of a web article, without tracking parameters (used by
the ingest to know an article again, and by the index to find duplicates)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMETERS", "TRACKING_PREFIXES", "canonical_url", "host_of", "is_web_url"]

#: Query parameters that only say where a click came from; dropped from identities.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid",
    "mc_cid", "mc_eid", "xtor", "xtref", "ocid", "cmpid", "_ga", "_gl", "ns_source", "ns_mchannel",
    "ns_campaign", "ito", "sr_share",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_web_url(text: str) -> bool:
    """Whether `text` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(text.strip())
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


def canonical_url(url: str, base: str | None = None) -> str:
    """The identity of a web page: absolute, scheme and host in lower case, no default
    port, no fragment, no tracking parameters (`utm_*`, `fbclid`, `gclid`, `xtor`…).

    Other query parameters are kept in their order: they may choose the article.

    Args:
        url: the URL as found (a feed link, a `<link rel=canonical>`, a redirect target).
        base: the page it was found on, for relative URLs.
    """
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError:  # not a URL that can be split: kept as it is
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in TRACKING_PARAMETERS
                       and not k.lower().startswith(TRACKING_PREFIXES)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def host_of(url: str) -> str:
    """The host name of a URL in lower case ("" for none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
