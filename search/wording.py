"""The engine's errors, notices and reports worded for a person, in the language in use
(`search.i18n`); shared by the command line and the terminal UI (no textual import).

The library speaks in types, codes and fields (`SearchError.fields`, `Notice.code`); this
is where they become sentences. Each error says what to do, with the fix that works where
it is shown: a command in the CLI, a key in the TUI (`Fix`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import (
    ClusterError,
    ClusterUnavailableError,
    CorpusError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    IndexWriteError,
    NotAnIndexError,
    QueryError,
    SearchError,
    UnknownArticleError,
)
from .i18n import N_, _, decimal, ngettext, number

__all__ = [
    "FIELD_NAMES",
    "SORT_LABELS",
    "Fix",
    "error_message",
    "field_name",
    "notice_message",
    "report_summary",
    "seconds",
    "sort_label",
]

#: The names of the sort orders and of the filter fields, translated where shown.
SORT_LABELS = {"relevance": N_("relevance"), "-date": N_("newest first"), "date": N_("oldest first")}
FIELD_NAMES = {"source": N_("source"), "tags": N_("rubrique"), "year": N_("year"), "author": N_("author"),
               "month": N_("month")}


def sort_label(sort: str) -> str:
    """The name of a sort order ("relevance", "-date", "date")."""
    return _(SORT_LABELS.get(sort, sort))


def field_name(field: str) -> str:
    """The name of a filter field."""
    return _(FIELD_NAMES.get(field, field))


def seconds(s: float) -> str:
    """`1.25` -> `1.2 s` (`1,2 s` in French); under ten seconds one decimal, else none."""
    return decimal(s, 1 if s < 10 else 0) + " s"


@dataclass(frozen=True)
class Fix:
    """How to rebuild or update the index where the message is shown: a command line
    (`search rebuild --corpus …`) or keys (Ctrl+R), and how to choose another index."""

    rebuild: str
    update: str
    other_index: str = "--index"
    #: The rebuild command alone (no quotes, no alternatives).
    command: str = ""


def error_message(error: BaseException, fix: Fix) -> str:
    """A sentence for an engine error that says what to do (`fix`: the commands or keys)."""
    if isinstance(error, NotAnIndexError):
        if not error.foreign:
            return _("{path} is not a folder: choose another index path ({option}).").format(
                path=error.path, option=fix.other_index)
        shown = ", ".join(error.foreign[:3])
        more = len(error.foreign) - 3
        if more > 0:
            shown = ngettext("{files} and {n} other file", "{files} and {n} other files", more).format(
                files=shown, n=number(more))
        return _("{path} is not an index (it holds {files}): it is left untouched; choose another "
                 "index folder ({option}).").format(path=error.path, files=shown, option=fix.other_index)
    if isinstance(error, IndexNotFoundError):
        return _("No index in {path}: build it with {fix}.").format(path=error.path, fix=fix.rebuild)
    if isinstance(error, IndexVersionError):
        newer = (error.found or 0) > error.expected
        text = (_("The index {path} was built by a newer version of the engine (schema {found}, this one "
                  "reads {expected}): rebuild it with {fix}.") if newer else
                _("The index {path} was built by an older version of the engine (schema {found}, this one "
                  "reads {expected}): rebuild it with {fix}."))
        return text.format(path=error.path, found=error.found if error.found is not None else "?",
                           expected=error.expected, fix=fix.rebuild)
    if isinstance(error, IndexCorruptError):
        return _("The index {path} is damaged ({reason}): rebuild it with {fix}.").format(
            path=error.path, reason=error.reason, fix=fix.rebuild)
    if isinstance(error, IndexLockedError):
        return _("The index is being written by {holder} (waited {seconds}): try again when it has "
                 "finished.").format(holder=error.holder, seconds=seconds(error.waited))
    if isinstance(error, IndexWriteError):
        if error.kept:
            text = _("Cannot write the index in {path} ({reason}): the previous index is kept. Free some "
                     "space or check the folder's permissions, then try again.")
        else:
            text = _("Cannot write the index in {path} ({reason}): the update did not complete. Free some "
                     "space or check the folder's permissions, then run it again ({update}) or rebuild "
                     "the index ({rebuild}).")
        return text.format(path=error.path, reason=error.reason, update=fix.update, rebuild=fix.rebuild)
    if isinstance(error, CorpusError):
        where = f"{error.path}:{error.line}" if error.line is not None else str(error.path)
        return _("Cannot read the corpus ({where}: {reason}): check the file or the --corpus option.").format(
            where=where, reason=error.reason)
    if isinstance(error, UnknownArticleError):
        return _("No article with id “{id}” in the index: check the id with `search query`.").format(
            id=error.article_id)
    if isinstance(error, QueryError):
        return _("Invalid search option ({error}): dates are written 2024, 2024-03 or 2024-03-15.").format(
            error=error)
    if isinstance(error, ClusterUnavailableError):
        return _("The cluster {location} does not answer ({reason}): is searchd running? "
                 "(search cluster start --local 2)").format(location=error.location, reason=error.reason)
    if isinstance(error, ClusterError):
        return _("The cluster {location} cannot serve this index: {reason}.").format(
            location=error.location, reason=error.reason)
    if isinstance(error, SearchError):
        return str(error)
    if isinstance(error, OSError):
        return _("System error: {error} ({file}).").format(error=error.strerror or error,
                                                          file=getattr(error, "filename", "") or "")
    return _("Internal error: {kind}: {error} (please report it).").format(kind=type(error).__name__,
                                                                         error=error)


def report_summary(report: Mapping[str, Any]) -> str:
    """One sentence for a rebuild's or an update's report (`IndexReport`, or its JSON)."""
    secs = seconds(float(report.get("seconds") or 0.0))
    if report.get("action") == "rebuild":
        added = int(report.get("added", 0))
        text = ngettext("Index rebuilt: {n} article in {seconds}", "Index rebuilt: {n} articles in {seconds}",
                        added).format(n=number(added), seconds=secs)
    else:
        n = {k: int(report.get(k, 0)) for k in ("added", "updated", "deleted", "unchanged")}
        parts = [ngettext("{n} added", "{n} added", n["added"]),
                 ngettext("{n} updated", "{n} updated", n["updated"]),
                 ngettext("{n} deleted", "{n} deleted", n["deleted"]),
                 ngettext("({n} unchanged)", "({n} unchanged)", n["unchanged"])]
        counts = [part.format(n=number(n[k])) for part, k in zip(parts, n, strict=True)]
        text = _("Index updated in {seconds}: {counts}").format(
            seconds=secs, counts=", ".join(counts[:3]) + " " + counts[3])
    skipped = int(report.get("skipped", 0))
    if skipped:
        text += ngettext("; {n} bad record skipped", "; {n} bad records skipped", skipped).format(
            n=number(skipped))
    total = int(report.get("articles", 0))
    return text + ngettext("; {n} article in all.", "; {n} articles in all.", total).format(n=number(total))


_NOTICES: dict[str, str] = {
    "relaxed": N_("Only {exact} articles hold all the words: those with the most of them follow."),
    "only_stopwords": N_("The query holds only stop words (le, de, des…): type a more specific word."),
    "unclosed_quote": N_("Unclosed quote: the words are searched one by one."),
    "unclosed_range": N_("Date range not closed by “]”: read to the end."),
    "unknown_field": N_("Unknown field “{field}:”: searched as words."),
    "unbalanced": N_("Unbalanced parentheses: they were ignored."),
    "dangling_operator": N_("An operator with nothing on one side (OR, AND, NOT): ignored."),
    "empty_field": N_("The field “{field}:” has no value: ignored."),
    "bad_date": N_("Invalid date “{value}”: ignored (e.g. date:2024, date:2024-03, "
                   "date:[2024-01 TO 2024-06])."),
    "too_many_terms": N_("More than {limit} words: the next ones were ignored."),
    "too_long": N_("Query longer than {limit} characters: the end was ignored."),
    "fuzzy_capped": N_("Typo tolerance ~{asked} brought down to ~{limit}."),
    "wildcard": N_("Only a final * is supported (prefix*): the other wildcards were ignored."),
    "prefix_capped": N_("{prefix}* matches {total} words: the {kept} most frequent were searched."),
    "fuzzy_capped_terms": N_("{word}~ matches {total} words: the {kept} most frequent were searched."),
    "expansion_capped": N_("Prefixes and typos matched too many words: the most frequent were searched."),
    "no_such_value": N_("No {field} “{value}” in the index."),
    "time_limit": N_("The search was stopped after {limit} s: these are the results found by then."),
    "corrected": N_("Results for “{query}”. To search the words as typed: {as_typed}"),
}


def notice_message(notice: str) -> str:
    """An engine `Notice` in the language in use (its English text for an unknown code)."""
    code = getattr(notice, "code", None)
    params: dict[str, Any] = dict(getattr(notice, "params", None) or {})
    exact = params.get("exact")
    if code == "relaxed" and exact in (0, 1):
        return (_("No article holds all the words: here are those with the most of them.") if exact == 0 else
                _("Only one article holds all the words: those with the most of them follow."))
    template = _NOTICES.get(code or "")
    if template is None:
        return str(notice)
    if "field" in params:
        params["field"] = field_name(str(params["field"]))
    for key in ("exact", "total", "kept"):
        if isinstance(params.get(key), int):
            params[key] = number(params[key])
    if isinstance(params.get("limit"), float):
        params["limit"] = decimal(params["limit"], 1).rstrip("0").rstrip(".,")
    try:
        return _(template).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(notice)
