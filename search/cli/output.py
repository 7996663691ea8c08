"""What the `search` command prints: results and summaries on stdout, notices and problems on
stderr, one line each; in a pipe no colour (unless `--color always`), no wrapping, no
trailing spaces."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from ..corpus import Article, Problem
from ..export import json_bytes
from ..i18n import _, decimal, ngettext, number
from ..indexer import IndexReport
from ..results import FacetCount, Hit, IndexStats, Results
from ..timeline import periods
from ..wording import notice_message

__all__ = ["Out", "dump", "size_text", "summary_line"]

#: Problems listed without --verbose.
PROBLEMS_SHOWN = 20
#: The widest bar of a timeline.
BAR_WIDTH = 40
#: Line breaks and tabs made spaces (offsets kept: the highlights stay in place).
_ONE_LINE = {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}


class Out:
    """The two streams of the command: `out` (stdout: results, summaries) and `err` (stderr:
    notices, problems, progress), each a rich console that colours only when asked or on a
    terminal, and wraps only on a terminal.

    Args:
        color: "auto" (on a terminal, unless `NO_COLOR`), "always" or "never".
    """

    def __init__(self, color: str = "auto", *, stdout: IO[str] | None = None, stderr: IO[str] | None = None):
        self.color = color
        self.out = self._console(stdout or sys.stdout)
        self.err = self._console(stderr or sys.stderr)

    def _console(self, stream: IO[str]) -> Console:
        tty = stream.isatty()
        colour = self.color == "always" or (self.color == "auto" and tty and not os.environ.get("NO_COLOR"))
        return Console(file=stream, highlight=False, soft_wrap=not tty, force_terminal=colour or None,
                       no_color=not colour, color_system="auto" if colour else None, emoji=False)

    # -- lines --------------------------------------------------------------------

    def line(self, text: str | Text = "", *, style: str = "") -> None:
        """A line on stdout."""
        self.out.print(Text(text, style=style) if isinstance(text, str) else text, crop=False)

    def note(self, text: str, *, style: str = "yellow") -> None:
        """A line on stderr (a notice, a problem, a note)."""
        self.err.print(Text(" ".join(text.split("\n")), style=style), crop=False)

    def dump(self, obj: Any) -> None:
        """One JSON document on stdout."""
        dump(obj)

    # -- reports --------------------------------------------------------------------

    def report(self, report: IndexReport, index: Path | str, *, verbose: bool) -> None:
        """A rebuild's or an update's problems and notes (stderr), its ids with `verbose`, then
        its summary (stdout)."""
        for note in report.notes:
            self.note(_("note: {note}").format(note=note), style="")
        shown: Sequence[Problem] = report.problems if verbose else report.problems[:PROBLEMS_SHOWN]
        for problem in shown:
            self.note(str(problem))
        more = len(report.problems) - len(shown)
        if more:
            self.note(ngettext("… and {n} more problem (--verbose lists them all)",
                               "… and {n} more problems (--verbose lists them all)", more).format(
                                   n=number(more)))
        if verbose:
            for label, ids in ((_("added"), report.added_ids), (_("updated"), report.updated_ids),
                               (_("deleted"), report.deleted_ids)):
                for art_id in ids:
                    self.out.file.write(f"{label}\t{art_id}\n")  # a tab, for cut and awk
        self.line(summary_line(report, index))

    def stats(self, st: IndexStats) -> None:
        """What the index holds, one `name  value` line each."""
        def when(value: Any) -> str:
            return value.isoformat(sep=" ") if value is not None else "-"

        rows = [
            (_("index"), str(st.path)), (_("articles"), number(st.articles)),
            (_("size"), size_text(st.size_bytes)),
            (_("dates"), _("{first} to {last}").format(first=st.oldest.date() if st.oldest else "-",
                                                        last=st.newest.date() if st.newest else "-")),
            (_("sources"), number(st.sources)), (_("words"), number(st.words)),
            (_("segments"), str(st.segments)), (_("deleted, not yet merged"), number(st.deleted)),
            (_("schema version"), str(st.schema_version)), (_("built"), when(st.built_at)),
            (_("updated"), when(st.updated_at)),
        ]
        width = max(len(k) for k, _v in rows)
        for key, value in rows:
            self.line(f"{key:>{width}}  {value}")

    # -- results ----------------------------------------------------------------------

    def results(self, res: Results, *, timeline: bool = False) -> None:
        """Notices and "did you mean" (stderr); the count, the timeline and the hits (stdout)."""
        for notice in res.notices:
            if notice.code != "empty":
                self.note(_("note: {notice}").format(notice=notice_message(notice)))
        if res.suggestion:
            self.note(_("did you mean: {suggestion}").format(suggestion=res.suggestion), style="bold")
        first = res.offset + 1 if res.hits else 0
        count = ngettext("{n} result", "{n} results", res.total).format(n=number(res.total))
        count += f" ({decimal(res.took_ms, 0)} ms)"
        if res.hits:
            count += _(", showing {first}-{last}").format(first=first, last=res.offset + len(res.hits))
        self.line(count, style="dim")
        if timeline:
            self.timeline(res.facets)
        for n, hit in enumerate(res.hits, start=first):
            self.line()
            self.hit(n, hit)

    def hit(self, n: int, hit: Hit) -> None:
        """One hit: number and title, date · source · tags, snippet, id · url."""
        also = _("also in: {rubriques}").format(rubriques=", ".join(hit.also_in)) if hit.also_in else ""
        meta = " · ".join(x for x in (hit.date.date().isoformat() if hit.date else "", hit.source,
                                      ", ".join(hit.tags), also) if x)
        line = Text(f"{n:>3}. ", style="bold")
        line.append_text(_styled(hit.title, hit.title_spans(), "bold yellow"))
        line.stylize("bold", 5)
        self.line(line)
        if meta:
            self.line("     " + meta, style="dim")
        if hit.snippet:
            snippet = Text("     ")
            snippet.append_text(_styled(hit.snippet.translate(_ONE_LINE), hit.snippet_spans))
            self.line(snippet)
        self.line(f"     {hit.id}" + (f" · {hit.url}" if hit.url else ""), style="dim cyan")

    def timeline(self, facets: dict[str, tuple[FacetCount, ...]]) -> None:
        """Matching articles per month (per year over more than 3 years, or without months),
        oldest first: one line each, `2023-03  ██████ 12` (`search.timeline`)."""
        rows = [(p.value, p.count) for p in periods(facets, 36)]
        if not rows:
            self.line(_("timeline: no dated article"), style="dim")
            return
        peak = max(n for _p, n in rows)
        self.line()
        for period, n in rows:
            cells = n * BAR_WIDTH / peak
            bar = "█" * int(cells) + (" ▏▎▍▌▋▊▉"[int((cells % 1) * 8)] if cells % 1 >= 0.125 else "")
            line = Text(f"{period:<7}  ")
            line.append(bar or "▏", style="cyan")
            line.append(f" {number(n)}")
            self.line(line)

    def article(self, art: Article) -> None:
        """A whole article: title, date · source · authors · tags, url, lead, body."""
        self.line(art.title, style="bold")
        meta = " · ".join(x for x in (art.date.isoformat() if art.date else "", art.source, art.author,
                                      ", ".join(art.tags)) if x)
        if meta:
            self.line(meta, style="dim")
        if art.url:
            self.line(art.url, style="cyan")
        lead = art.lead.strip()
        if lead and not art.body.lstrip().startswith(lead[:40]):
            self.line()
            self.line(lead, style="italic")
        self.line()
        for paragraph in art.body.split("\n"):
            self.line(paragraph.rstrip())


def dump(obj: Any) -> None:
    """One JSON document on stdout (authors kept as a list: `search.export.json_bytes`)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(json_bytes(obj) + b"\n")
    sys.stdout.flush()


def _styled(text: str, spans: Sequence[tuple[int, int]], style: str = "bold yellow") -> Text:
    out = Text(text)
    for start, end in spans:
        out.stylize(style, start, end)
    return out


def size_text(n: float) -> str:
    """A size in bytes as `152.3 MB`."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{decimal(n, 1)} {unit}"
        n /= 1024
    return str(n)


def summary_line(report: IndexReport, index: Path | str) -> str:
    """The one summary line of a rebuild or an update."""
    if report.action == "rebuild":
        line = ngettext("indexed {n} article", "indexed {n} articles", report.added).format(
            n=number(report.added))
    else:
        line = _("added {added}, updated {updated}, deleted {deleted}, unchanged {unchanged}").format(
            added=number(report.added), updated=number(report.updated), deleted=number(report.deleted),
            unchanged=number(report.unchanged))
    line += ngettext("; skipped {n} bad record", "; skipped {n} bad records", report.skipped).format(
        n=number(report.skipped))
    if report.duplicates:
        line += ngettext("; {n} duplicate id (the last one kept)", "; {n} duplicate ids (the last one kept)",
                         report.duplicates).format(n=number(report.duplicates))
    line += _(" in {seconds} s").format(seconds=decimal(report.seconds, 1))
    if report.indexed and report.seconds:
        line += _(" ({rate} articles/s)").format(rate=number(round(report.indexed / report.seconds)))
    line += ngettext("; index {index}: {n} article, {size}", "; index {index}: {n} articles, {size}",
                     report.articles).format(index=index, n=number(report.articles),
                                             size=size_text(report.size_bytes))
    return line
