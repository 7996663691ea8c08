"""Results as CSV, a Markdown digest, JSON lines or JSON: pure functions, text out."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import orjson

from .corpus import Article
from .results import Hit, Results

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "json_bytes",
    "markdown_section",
    "results_json",
    "to_csv",
    "to_json",
    "to_jsonl",
    "to_markdown",
]

#: The columns of the CSV export, in order (its header row).
CSV_COLUMNS = ("id", "title", "date", "source", "author", "url", "tags", "score", "snippet")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _plain(obj: Any) -> Any:
    """JSON-ready data for what orjson does not write as wanted: an article or a hit with
    several authors gives `author` as a list (as the corpus had it) and `authors` always a
    list; other dataclasses their fields; paths as text."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        data = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        if isinstance(obj, Hit | Article):
            authors = list(obj.authors)
            data["author"] = authors if len(authors) > 1 else obj.author
            data["authors"] = authors
        return data
    if isinstance(obj, PurePath):
        return str(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def json_bytes(obj: Any) -> bytes:
    """`obj` as JSON (results, hits, articles, reports…), authors kept as a list (`_plain`)."""
    return orjson.dumps(obj, default=_plain,
                        option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS)


_json = json_bytes


def results_json(results: Results) -> dict[str, Any]:
    """Results as JSON-ready data: its fields, with each notice an object (`code`,
    `message`, `params`) under `notices` (and under `warnings`, its former name)."""
    data = {f.name: getattr(results, f.name) for f in dataclasses.fields(results)}
    notices = [{"code": getattr(n, "code", ""), "message": str(n), "params": getattr(n, "params", {})}
               for n in results.notices]
    data["notices"] = data["warnings"] = notices
    return data


def to_json(results: Results) -> str:
    """One JSON object: the query, totals, notices, facets and hits (as `search query --json`)."""
    return _json(results_json(results)).decode() + "\n"


def to_jsonl(results: Results | Sequence[Hit]) -> str:
    """One JSON object per hit, one a line (as `search query --jsonl`)."""
    return "".join(_json(hit).decode() + "\n" for hit in results)


def to_csv(results: Results | Sequence[Hit]) -> str:
    """CSV with a header row (`CSV_COLUMNS`); tags joined with "; ", dates in ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for hit in results:
        writer.writerow([hit.id, hit.title, hit.date.isoformat() if hit.date else "", hit.source,
                         hit.author, hit.url, "; ".join(hit.tags), f"{hit.score:.4f}", hit.snippet])
    return out.getvalue()


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def markdown_section(heading: str, hits: Sequence[Hit], *, note: str = "") -> str:
    """A Markdown section: `## heading`, an optional note, then a numbered list of hits,
    each a link to its article with its date, source and snippet."""
    lines = [f"## {_md(heading)}", ""]
    if note:
        lines += [_md(note), ""]
    for n, hit in enumerate(hits, 1):
        title = _md(hit.title)
        if hit.url:
            title = f"[{title}](<{quote(hit.url, safe=':/?&=#%+,;@!$~')}>)"
        meta = " · ".join(x for x in (hit.date.date().isoformat() if hit.date else "", _md(hit.source)) if x)
        lines.append(f"{n}. **{title}**" + (f" — {meta}" if meta else ""))
        if hit.snippet:
            lines.append(f"   > {_md(hit.snippet)}")
    if not hits:
        lines.append("_Nothing._")
    return "\n".join(lines) + "\n"


def to_markdown(results: Results) -> str:
    """A Markdown digest: the query as the heading, how many matched, each hit linked."""
    shown = len(results.hits)
    note = f"{results.total} result{'s' if results.total != 1 else ''}"
    if shown < results.total:
        first = results.offset + 1
        note += f", the first {shown}" if first == 1 else f", {first}–{first + shown - 1}"
    return markdown_section(results.query, results.hits, note=note)


#: The formats of `search query --format`, by name.
FORMATS: dict[str, Callable[[Results], str]] = {
    "csv": to_csv, "md": to_markdown, "jsonl": to_jsonl, "json": to_json,
}
