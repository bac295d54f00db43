"""The run summary for logs (no colour, ASCII borders) drawn without rich, for speed.

Importing rich and drawing one table costs a `conveyor exec` 30 to 50 ms of CPU, a tenth of a
short run, while a log's table is plain text. This draws the very characters rich would (a
test compares the two) in the case that needs none of rich's work: printable ASCII cells that
fit their columns and the page. Anything else returns None, and rich draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """One column: its header, alignment and width bounds (rich's add_column settings)."""

    header: str
    right: bool = False
    min_width: int | None = None
    max_width: int | None = None


def plain_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> str | None:
    """The table as rich draws it with `box.ASCII`, no outer edge and no edge padding.

    None when a cell holds anything but printable ASCII, is wider than its column may be,
    or the table is wider than `width`: those need rich's measuring, cutting or squeezing.
    """
    cells = [[column.header for column in columns], *rows]
    if any(not _printable(text) for row in cells for text in row):
        return None
    widths = [max(len(row[index]) for row in cells) for index in range(len(columns))]
    for index, column in enumerate(columns):
        if column.max_width is not None and widths[index] > column.max_width:
            return None
        widths[index] = max(widths[index], column.min_width or 0)
    if sum(widths) + 3 * (len(columns) - 1) > width:
        return None
    lines = [_line(columns, widths, cells[0])]
    lines.append("+".join("-" * (size + 2) for size in widths)[1:-1])
    lines.extend(_line(columns, widths, row) for row in rows)
    return "".join(line + "\n" for line in lines)


def _line(columns: Sequence[Column], widths: Sequence[int], row: Sequence[str]) -> str:
    parts = [
        text.rjust(size) if column.right else text.ljust(size)
        for column, size, text in zip(columns, widths, row, strict=True)
    ]
    return " | ".join(parts)


def _printable(text: str) -> bool:
    return text.isascii() and text.isprintable()
