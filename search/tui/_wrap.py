"""Word wrapping that remembers where each line starts in the original text (no textual import)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len

__all__ = ["line_of", "wrap_offsets"]

_WORD = re.compile(r"\S+")


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of one line of `text` (no newline) to `width` cells.

    Returns:
        `(start, end)` offsets into `text` of each line (trailing spaces left out);
        a word wider than `width` is cut. An empty text gives one empty line.
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
            cut = w_start
            cells = 0
            while cut < w_end and cells + cell_len(text[cut]) <= width:
                cells += cell_len(text[cut])
                cut += 1
            cut = max(cut, w_start + 1)
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
