"""The Sphinx/Manticore cluster backend (the only code that imports pymysql)."""

from .backend import SphinxBackend
from .nodes import SCHEMES, is_cluster_url

__all__ = ["SCHEMES", "SphinxBackend", "is_cluster_url"]
