"""How server answers are shown: plain aligned tables off a terminal, safe cells, JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conveyor.cli.cmd_secret import read_data
from conveyor.cli.output.records import Column, cell, write_fields, write_json, write_table
from conveyor.errors import UsageError


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("trusted", True, "yes"),
        ("trusted", False, "no"),
        ("error", None, "-"),
        ("error", "", "-"),
        ("created", 1796032800, "2026-11-30 10:00:00"),
        ("started", 0, "-"),
        ("message", "fix\x1b[31m\nred", "fix?[31m?red"),
        ("labels", {"disk": "ssd"}, '{"disk":"ssd"}'),
        ("counter", 12, "12"),
    ],
)
def test_cells(name: str, value: object, shown: str) -> None:
    assert cell(name, value) == shown


def test_plain_table_off_a_terminal() -> None:
    out = io.StringIO()
    columns = [Column(heading="repository", field="slug"), Column(heading="trusted", field="t")]
    write_table([{"slug": "acme/app", "t": True}, {"slug": "a/b", "t": False}], columns, out)
    assert out.getvalue() == "REPOSITORY  TRUSTED\nacme/app    yes\na/b         no\n"


def test_fields_and_json() -> None:
    out = io.StringIO()
    write_fields({"slug": "acme/app", "timeout": 60}, ["slug", "timeout", "missing"], out)
    assert out.getvalue() == "slug:    acme/app\ntimeout: 60\nmissing: -\n"
    out = io.StringIO()
    write_json([{"a": "é"}], out)
    assert json.loads(out.getvalue()) == [{"a": "é"}]


def test_secret_data_from_a_value_a_file_or_missing_file(tmp_path: Path) -> None:
    assert read_data("plain") == "plain"
    value = tmp_path / "v.json"
    value.write_text('{"auths": {}}\n')
    assert read_data(f"@{value}") == '{"auths": {}}\n'
    with pytest.raises(UsageError, match=r"cannot read .*nope \(No such file or directory\)"):
        read_data(f"@{tmp_path}/nope")
    (tmp_path / "bin").write_bytes(b"\xff\x00")
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        read_data(f"@{tmp_path}/bin")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rich_table_on_a_terminal_honours_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    columns = [Column(heading="status", field="status")]
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = _Terminal()
    write_table([{"status": "success"}], columns, coloured)
    assert "status" in coloured.getvalue()
    assert "\x1b[32msuccess" in coloured.getvalue()
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    write_table([{"status": "success"}], columns, plain)
    assert "success" in plain.getvalue()
    assert "32m" not in plain.getvalue()  # NO_COLOR: no colour (bold headings stay)
