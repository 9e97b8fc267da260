"""Lines that fold to the terminal's width (80 columns, say) between words, never inside
one, each continuation under a hanging indent, so a record's title or a ledger line reads
as one block instead of running back to the left edge or being cut with an ellipsis.

A no-break space (NBSP, U+00A0) keeps a phrase together, such as a count and its label
("not applicable 2") or the date and time of a change; it prints as a plain space. Only a
word wider than the whole line is broken, where it must be.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.text import Text

NBSP = "\u00a0"
_WORDS = re.compile(r"[^ ]+")


def folding(console: Console) -> bool:
    """Whether `console` is read at its width: a terminal, or one that wraps anyway
    (stdout). Otherwise (stderr into cron mail, a pipe, the journal) a message stays one
    line, so it can be grepped."""
    return console.is_terminal or not console.soft_wrap


class Folded:
    """`text` folded to the width it is printed at; continuation lines start `hang`
    columns in (the first line starts where the text does)."""

    def __init__(self, text: Text, hang: int = 2) -> None:
        self.text = text
        self.hang = hang

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in fold(self.text, options.max_width, self.hang):
            yield from line.render(console)
            yield Segment.line()


def fold(text: Text, width: int, hang: int = 2) -> list[Text]:
    """The lines of `text` (its own newlines kept), none wider than `width` cells."""
    width = max(width, 1)
    hang = min(hang, width // 2)  # a very narrow terminal still gets most of each line
    lines: list[Text] = []
    offset = 0
    for paragraph in text.plain.split("\n"):
        ranges = _breaks(paragraph, width if not lines else width - hang, width - hang)
        for start, end in ranges:
            line = text[offset + start : offset + end]
            if lines:
                line = Text(" " * hang, style=text.style) + line
            lines.append(line)
        offset += len(paragraph) + 1
    for line in lines:
        if NBSP in line.plain:
            line.plain = line.plain.replace(NBSP, " ")  # same length: the styles stay put
    return lines


def _breaks(plain: str, first: int, rest: int) -> list[tuple[int, int]]:
    """(start, end) of each line of one paragraph: `first` cells for its first line, `rest`
    for the others; the spaces at a break are dropped."""
    if cell_len(plain) <= first:
        return [(0, len(plain))]
    ranges: list[tuple[int, int]] = []
    room = first
    start = end = used = -1  # the current line: where it starts, its last word's end, its cells
    for word in _WORDS.finditer(plain):
        size = cell_len(word.group())
        if start >= 0:
            gap = word.start() - end  # spaces are one cell each
            if used + gap + size <= room:
                end, used = word.end(), used + gap + size
                continue
            ranges.append((start, end))
            room = rest
        # the paragraph's first line keeps its leading spaces (an indent)
        start = word.start() if ranges or start >= 0 else 0
        end, used = word.end(), cell_len(plain[start : word.end()])
        while used > room:  # a word wider than a line: the only break inside a word
            cut = _cut(plain, start, room)
            ranges.append((start, cut))
            room = rest
            start, used = cut, cell_len(plain[cut:end])
    if start >= 0:
        ranges.append((start, end))
    return ranges or [(0, 0)]


def _cut(plain: str, start: int, room: int) -> int:
    """The offset after the most characters from `start` that fit `room` cells (at least one)."""
    used, index = 0, start
    while index < len(plain):
        used += cell_len(plain[index])
        if used > room and index > start:
            break
        index += 1
    return index
