"""Codes are unique, well formed, and docs/lint.md lists each with its severity."""

from __future__ import annotations

import re
from pathlib import Path

from conveyor.lint.codes import ALL, RETIRED

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint.md"


def test_codes_are_unique_and_well_formed() -> None:
    names = [c.code for c in ALL]
    assert len(names) == len(set(names))
    for code in ALL:
        assert re.fullmatch(r"[EWN]\d{3}", code.code)
        assert code.code[0] == str(code.severity)[0].upper()
    assert not set(names) & set(RETIRED), "a retired code is never reused"


def test_docs_table_matches_the_catalogue() -> None:
    rows = dict(re.findall(r"^\| ([EWN]\d{3}) \| (error|warning|note) \|", DOCS.read_text(), re.M))
    assert rows == {c.code: str(c.severity) for c in ALL}
