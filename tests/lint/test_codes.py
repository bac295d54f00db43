"""Codes are unique, well formed, and docs/lint.md lists each with its severity."""

from __future__ import annotations

import re
from pathlib import Path

from conveyor.lint.codes import ALL

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint.md"


def test_codes_are_unique_and_well_formed() -> None:
    names = [c.code for c in ALL]
    assert len(names) == len(set(names))
    for code in ALL:
        assert re.fullmatch(r"[EW]\d{3}", code.code)
        assert code.code[0] == ("E" if code.severity == "error" else "W")


def test_docs_table_matches_the_catalogue() -> None:
    rows = dict(re.findall(r"^\| ([EW]\d{3}) \| (error|warning) \|", DOCS.read_text(), re.M))
    assert rows == {c.code: str(c.severity) for c in ALL}
