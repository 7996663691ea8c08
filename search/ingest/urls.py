"""Canonical URLs (now in `search.corpus.urls`, where the index finds duplicates with them)."""

from __future__ import annotations

from ..corpus.urls import TRACKING_PARAMETERS, TRACKING_PREFIXES, canonical_url, host_of, is_web_url

__all__ = ["TRACKING_PARAMETERS", "TRACKING_PREFIXES", "canonical_url", "host_of", "is_web_url"]
