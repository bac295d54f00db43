"""Server answers for people: tables of records and `key: value` lists; JSON for scripts.

On a terminal, tables are drawn with rich (colour unless NO_COLOR); elsewhere they are plain
aligned columns, easy to `grep` and `awk`. Control characters in values are shown as `?` so a
commit message cannot drive the terminal. Times are Unix seconds shown in UTC.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from conveyor.cli.console import is_terminal, use_color

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TIME_FIELDS = frozenset({"created", "updated", "started", "finished", "last_contact"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """A table column: its heading and the record field it shows."""

    heading: str
    field: str


def cell(name: str, value: Any) -> str:
    """One value as text: times in UTC, booleans as yes/no, nothing as `-`."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in TIME_FIELDS and isinstance(value, int):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(value)) if value > 0 else "-"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _CONTROL.sub("?", str(value).strip())


def write_json(data: Any, out: TextIO) -> None:
    """`data` as indented JSON (what the server answered)."""
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_table(
    records: Sequence[Mapping[str, Any]], columns: Sequence[Column], out: TextIO
) -> None:
    """One row per record; rich on a terminal, plain aligned text elsewhere."""
    rows = [[cell(c.field, record.get(c.field)) for c in columns] for record in records]
    if is_terminal(out):
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in columns:
            table.add_column(column.heading, overflow="fold")
        for row in rows:
            table.add_row(*(_styled(c.field, value) for c, value in zip(columns, row, strict=True)))
        Console(file=out, no_color=not use_color(out), highlight=False).print(table)
        return
    headings = [c.heading.upper() for c in columns]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    for line in [headings, *rows]:
        out.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")


def _styled(field: str, value: str) -> Any:
    """Statuses in their colour (green success, red failure...), other cells as plain text."""
    from rich.text import Text

    from conveyor.cli.output.style import STATUS_STYLE

    return Text(value, style=STATUS_STYLE.get(value, "") if field == "status" else "")


def write_fields(record: Mapping[str, Any], fields: Sequence[str], out: TextIO) -> None:
    """`field: value` lines for one record, in the order given."""
    width = max((len(f) for f in fields), default=0)
    for name in fields:
        out.write(f"{name + ':':<{width + 1}} {cell(name, record.get(name))}\n")
