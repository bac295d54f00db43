"""YAML 1.1 scalar conversions and Docker byte sizes."""

from __future__ import annotations

import pytest

from conveyor.config.nodes import BOOL, FLOAT, INT, NULL, STR, YScalar
from conveyor.config.scalars import parse_size, to_bool, to_float, to_int, to_value


def _scalar(value: str, tag: str) -> YScalar:
    return YScalar(value=value, tag=tag, line=1, column=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1024", 1024),
        ("1b", 1),
        ("512k", 512 * 1024),
        ("512m", 512 * 1024**2),
        ("512M", 512 * 1024**2),
        ("1g", 1024**3),
        ("1GB", 1024**3),
        ("1gib", 1024**3),
        ("1.5g", int(1.5 * 1024**3)),
        ("2 m", 2 * 1024**2),
        ("1t", 1024**4),
        ("1p", 1024**5),
        ("", None),
        ("lots", None),
        ("-1m", None),
        ("1x", None),
        ("1.2.3m", None),
        ("m", None),
    ],
)
def test_parse_size(text: str, expected: int | None) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("value", "tag", "expected"),
    [
        ("yes", BOOL, True),
        ("On", BOOL, True),
        ("TRUE", BOOL, True),
        ("no", BOOL, False),
        ("off", BOOL, False),
        ("yes", STR, None),
    ],
)
def test_to_bool(value: str, tag: str, expected: bool | None) -> None:
    assert to_bool(_scalar(value, tag)) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10", 10), ("0x1f", 31), ("0b101", 5), ("017", 15), ("1_000", 1000), ("-3", -3)],
)
def test_to_int(value: str, expected: int) -> None:
    assert to_int(_scalar(value, INT)) == expected


def test_conversions_refuse_other_tags() -> None:
    assert to_int(_scalar("10", STR)) is None
    assert to_float(_scalar("1.5", STR)) is None
    assert to_float(_scalar("3", INT)) == 3.0
    assert to_float(_scalar("1.5e3", FLOAT)) == 1500.0


@pytest.mark.parametrize(
    ("value", "tag", "expected"),
    [
        ("x", STR, "x"),
        ("~", NULL, None),
        ("yes", BOOL, True),
        ("12", INT, 12),
        ("1.5", FLOAT, 1.5),
        ("2001-12-14", "tag:yaml.org,2002:timestamp", "2001-12-14"),
    ],
)
def test_to_value(value: str, tag: str, expected: object) -> None:
    assert to_value(_scalar(value, tag)) == expected
