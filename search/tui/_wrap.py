"""Word wrapping that remembers where each line starts in the original text (no textual import)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len

__all__ = ["line_of", "wrap_offsets"]

#: A word, glued to the punctuation French sets apart with a space: an opening « or “ before
#: it, a closing » ” : ; ! ? after it (so that none of them is left alone at a line's end or start).
_WORD = re.compile(r"(?:[«“]\s+)?\S+(?:\s+[»”:;!?]+(?=\s|$))*")
#: Where a word wider than the line (a URL) may be cut: after these characters.
_CUT_AFTER = "/?&=-_.#,;"


def _cut(text: str, start: int, end: int, width: int) -> int:
    """Where to cut the over-wide word `text[start:end]`: after the last `_CUT_AFTER` character
    that fits in `width` cells (past the first third of the line), else at the width."""
    cut = start
    cells = 0
    while cut < end and cells + cell_len(text[cut]) <= width:
        cells += cell_len(text[cut])
        cut += 1
    cut = max(cut, start + 1)
    for at in range(cut, start + max(width // 3, 1), -1):
        if text[at - 1] in _CUT_AFTER:
            return at
    return cut


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of one line of `text` (no newline) to `width` cells.

    Returns:
        `(start, end)` offsets into `text` of each line (trailing spaces left out);
        a word wider than `width` is cut, a URL after a `/`, `?`, `&`, `-`… when one fits.
        An empty text gives one empty line.
    """
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    used = 0
    for match in _WORD.finditer(text):
        w_start, w_end = match.span()
        word_cells = cell_len(match.group())
        gap = cell_len(text[end:w_start]) if start is not None else 0
        if start is not None and used + gap + word_cells <= width:
            used += gap + word_cells
            end = w_end
            continue
        if start is not None:
            lines.append((start, end))
        # start a new line with this word, cutting it if it is too wide
        while word_cells > width:
            cut = _cut(text, w_start, w_end, width)
            lines.append((w_start, cut))
            w_start = cut
            word_cells = cell_len(text[w_start:w_end])
        start, end, used = w_start, w_end, word_cells
    if start is not None:
        lines.append((start, end))
    return lines or [(0, 0)]


def line_of(offset: int, starts: Sequence[int]) -> int:
    """Index of the line holding `offset`, given the sorted start offset of each line."""
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return max(lo - 1, 0)
