"""The dotenv secret file and `--secret NAME=VALUE`."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.errors import SecretError
from conveyor.secrets.model import Secret
from conveyor.secrets.secretfile import (
    DotenvKind,
    load_secret_file,
    parse_secret_assignment,
    parse_secret_text,
)

DOCKER_CONFIG = '{"auths": {"127.0.0.1:5001": {"auth": "dGVzdHVzZXI6dGVzdHBhc3N3b3Jk"}}}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\n", {"A": "1"}),
        ("A=1", {"A": "1"}),
        ("# comment\n\nA=1\n  # indented comment\nB=2\n", {"A": "1", "B": "2"}),
        ("export A=1\n", {"A": "1"}),
        ("A = spaced  \n", {"A": "spaced"}),
        ("A=\n", {"A": ""}),
        ("A=abc#def\n", {"A": "abc#def"}),
        ("A=abc # comment\n", {"A": "abc"}),
        ("A= # only a comment\nB=#not-a-comment\n", {"A": "", "B": "#not-a-comment"}),
        ("A='lit $X \\n \"q\"'\n", {"A": 'lit $X \\n "q"'}),
        ('A="tab\\tnl\\nq\\"bs\\\\d\\$"\n', {"A": 'tab\tnl\nq"bs\\d$'}),
        ('A="keep \\x as is"\n', {"A": "keep \\x as is"}),
        ('A="two\nlines"\n', {"A": "two\nlines"}),
        (
            "A='-----BEGIN-----\nxyz\n-----END-----'\nB=2\n",
            {"A": "-----BEGIN-----\nxyz\n-----END-----", "B": "2"},
        ),
        ('A="x" # after\n', {"A": "x"}),
        ('A=""\n', {"A": ""}),
        (f"dockerconfig={DOCKER_CONFIG}\n", {"dockerconfig": DOCKER_CONFIG}),
        ('J={"a": "b # not a comment"}\n', {"J": '{"a": "b # not a comment"}'}),
        ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
        ("docker.config-2=x\n", {"docker.config-2": "x"}),
        ("", {}),
    ],
)
def test_parse(text: str, expected: dict[str, str]) -> None:
    assert parse_secret_text(text, "s.env") == expected


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("A=1\nhunter2\n", "s.env:2:1", "NAME=VALUE"),
        ("A=1\n=hunter2\n", "s.env:2:1", "missing"),
        ("A=1\n  1A=hunter2\n", "s.env:2:3", "not a valid secret name"),
        ("A=1\nB='hunter2\nmore\n", "s.env:2:3", "never closed"),
        ('A=1\nB="hunter2\\"\n', "s.env:2:3", "never closed"),
        ("A='x' hunter2\n", "s.env:1:7", "after the closing quote"),
        ("A=1\nB=2\nA=hunter2\n", "s.env:3:1", "already defined on line 1"),
    ],
)
def test_errors_point_at_the_place_and_never_show_the_value(
    text: str, where: str, words: str
) -> None:
    with pytest.raises(SecretError) as caught:
        parse_secret_text(text, "s.env")
    rendered = caught.value.render()
    assert rendered.startswith(f"{where}: ")
    assert words in rendered
    assert "hunter2" not in rendered


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    body = b"TOKEN=abc\nexport dockerconfig=" + DOCKER_CONFIG.encode() + b"\n"
    path.write_bytes(b"\xef\xbb\xbf" + body)  # with a UTF-8 byte order mark
    assert load_secret_file(path) == {"TOKEN": "abc", "dockerconfig": DOCKER_CONFIG}


def test_missing_file_is_a_secret_error(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match=r"cannot read secret file .*nope"):
        load_secret_file(tmp_path / "nope")


def test_non_utf8_file_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.env"
    path.write_bytes(b"A=1\nB=caf\xe9\n")
    with pytest.raises(SecretError) as caught:
        load_secret_file(path)
    assert caught.value.span is not None
    assert (caught.value.span.line, caught.value.span.column) == (2, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NAME=VALUE", ("NAME", "VALUE")),
        ("NAME=", ("NAME", "")),
        ("N=a=b", ("N", "a=b")),
        ('J={"a": 1}', ("J", '{"a": 1}')),
        ("N='quoted'", ("N", "'quoted'")),  # literal: the shell already removed quotes
    ],
)
def test_parse_secret_assignment(text: str, expected: tuple[str, str]) -> None:
    assert parse_secret_assignment(text) == expected


@pytest.mark.parametrize("text", ["hunter2", "=hunter2", "bad name=hunter2", "1X=hunter2"])
def test_bad_secret_assignment(text: str) -> None:
    with pytest.raises(SecretError) as caught:
        parse_secret_assignment(text)
    assert "hunter2" not in caught.value.render()


def test_secret_repr_hides_the_value() -> None:
    secret = Secret(name="token", value="hunter2")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "token" in repr(secret)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_a_secret_error(text: str) -> None:
    try:
        parse_secret_text(text, "fuzz.env")
    except SecretError as exc:
        span = exc.span
    else:
        return
    assert span is not None


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
values = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30
)
"""Any text but a NUL byte, which a secret may not hold (test_a_nul_byte_is_refused...)."""


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(names, values, max_size=5))
def test_double_quoted_values_round_trip(secrets: dict[str, str]) -> None:
    def quote(value: str) -> str:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
        return f'"{escaped}"'

    text = "".join(f"{name}={quote(value)}\n" for name, value in secrets.items())
    assert parse_secret_text(text, "rt.env") == secrets


def test_a_nul_byte_is_refused_where_it_stands(tmp_path: Path) -> None:
    path = tmp_path / "nul.env"
    path.write_bytes(b"A=fine\nTOKEN=abc\x00def-secret\n")
    with pytest.raises(SecretError) as caught:
        load_secret_file(path)
    error = caught.value
    assert error.message == (
        "the value of secret TOKEN holds a NUL byte, which no environment variable can "
        "carry; remove it."
    )
    assert error.span is not None
    assert (error.span.line, error.span.column) == (2, 10)
    assert "def-secret" not in error.render()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("A=1\nA=2\n", "variable A is already defined on line 1"),
        ("=1\n", "a variable name is missing"),
        ("1A=x\n", "not a valid variable name"),
        ("A=\x00\n", "the value of variable A holds a NUL byte"),
    ],
)
def test_environment_files_speak_of_variables(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "extra.env"
    path.write_text(text)
    with pytest.raises(SecretError) as caught:
        load_secret_file(path, kind=DotenvKind.ENVIRONMENT)
    assert fragment in caught.value.message
    assert "secret" not in caught.value.message


def test_environment_file_read_errors_name_the_environment_file(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="cannot read environment file"):
        load_secret_file(tmp_path / "absent.env", kind=DotenvKind.ENVIRONMENT)
    (tmp_path / "latin1.env").write_bytes(b"A=\xe9\n")
    with pytest.raises(SecretError, match="the environment file is not UTF-8"):
        load_secret_file(tmp_path / "latin1.env", kind=DotenvKind.ENVIRONMENT)


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"TOKEN=from-stdin\nBAD LINE\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(SecretError) as caught:
        load_secret_file(Path("-"))
    assert caught.value.span is not None
    assert (caught.value.span.file, caught.value.span.line) == ("<stdin>", 2)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"TOKEN=from-stdin\n")))
    assert load_secret_file(Path("-")) == {"TOKEN": "from-stdin"}
