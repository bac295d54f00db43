"""Masking: every secret value replaced, whole texts and chunked streams alike."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.secrets.masking import MIN_LENGTH, SHORT_TEXT, Masker, escaped_forms

STARS = "********"


@pytest.mark.parametrize(
    ("values", "text", "expected"),
    [
        (["hunter2"], "password is hunter2.", f"password is {STARS}."),
        (["hunter2"], "hunter2hunter2", STARS * 2),
        (["hunter2"], "nothing here", "nothing here"),
        ([], "hunter2", "hunter2"),
        ([""], "anything", "anything"),
        (["x"], "x marks the spot", "x marks the spot"),  # too short to mask usefully
        (["ab"], "cab", f"c{STARS}"),
        (["abc", "abcdef"], "abcdef abc", f"{STARS} {STARS}"),  # longest first
        (["  padded\n"], "[padded]", f"[{STARS}]"),  # surrounding whitespace ignored
        (["a.b*c"], "a.b*c axbbc", f"{STARS} axbbc"),  # values are literal, not regexes
        (["s3cr\\et"], "s3cr\\et", STARS),
        (["first line\nsecond line"], "first line\nsecond line", STARS),
        (["first line\nsecond line"], "log: second line", f"log: {STARS}"),
        (["first line\r\nsecond line\r\n"], "x first line\r\n", f"x {STARS}\r\n"),
        (['{\n  "auth": "dXNlcg=="\n}'], '"auth": "dXNlcg=="', STARS),
    ],
)
def test_mask(values: list[str], text: str, expected: str) -> None:
    assert Masker(values).mask(text) == expected


def test_long_text_takes_the_find_path_with_the_same_result() -> None:
    masker = Masker(["abc", "abcdef", "cdefgh"])
    unit = "xx abcdefgh abc cdefgh ab "
    text = unit * (SHORT_TEXT // len(unit) + 2)
    assert len(text) >= SHORT_TEXT
    expected = f"xx {STARS}gh {STARS} {STARS} ab " * (SHORT_TEXT // len(unit) + 2)
    assert masker.mask(text) == expected
    assert masker.mask(unit) == f"xx {STARS}gh {STARS} {STARS} ab "


def test_custom_replacement_is_literal() -> None:
    assert Masker(["token"], replacement=r"[\1]").mask("a token") == r"a [\1]"


def test_repr_never_shows_a_value() -> None:
    masker = Masker(["hunter2", "line one\nline two"])
    stream = masker.stream()
    stream.feed("hunt")
    for text in (repr(masker), str(masker), repr(stream)):
        assert "hunt" not in text
        assert "line" not in text


def test_masker_is_falsy_without_usable_values() -> None:
    assert not Masker(["", " ", "x"])
    assert Masker(["xy"])
    assert MIN_LENGTH == 2


def test_stream_masks_a_value_split_across_chunks() -> None:
    stream = Masker(["hunter2"]).stream()
    out = [stream.feed("the password is hun"), stream.feed("ter2 ok\n"), stream.flush()]
    assert out[0] == "the password is "  # "hun" is held back
    assert "".join(out) == f"the password is {STARS} ok\n"


def test_stream_releases_a_held_tail_that_turned_out_harmless() -> None:
    stream = Masker(["hunter2"]).stream()
    assert stream.feed("a hunt") == "a "
    assert stream.feed("ing trip") == "hunting trip"
    assert stream.flush() == ""


def test_stream_masks_a_multiline_value_split_between_lines() -> None:
    stream = Masker(["-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----"]).stream()
    pieces = ["key: -----BEGIN KEY-----\n", "AAAABBBB\n", "-----END KEY-----\n", "done\n"]
    out = "".join(stream.feed(p) for p in pieces) + stream.flush()
    assert out == f"key: {STARS}\ndone\n"


def test_stream_flush_masks_what_is_held() -> None:
    stream = Masker(["abcdef", "abc"]).stream()
    assert stream.feed("xabc") == "x"  # might still become abcdef
    assert stream.flush() == STARS


def test_stream_without_secrets_passes_text_through() -> None:
    stream = Masker([]).stream()
    assert stream.feed("abc") == "abc"
    assert stream.flush() == ""


def test_a_line_of_a_multiline_secret_is_masked_in_a_stream() -> None:
    stream = Masker(["user: admin\npassword: s3cret-value"]).stream()
    out = stream.feed("echo password: s3cr") + stream.feed("et-value\n") + stream.flush()
    assert out == f"echo {STARS}\n"


secret_text = st.text(alphabet="abcd\n", min_size=1, max_size=8)
log_text = st.text(alphabet="abcd\n xy", max_size=80)


@settings(max_examples=400, deadline=None)
@given(
    values=st.lists(secret_text, max_size=4),
    text=log_text,
    cuts=st.lists(st.integers(min_value=0, max_value=80), max_size=6),
)
def test_stream_output_equals_whole_text_masking(
    values: list[str], text: str, cuts: list[int]
) -> None:
    masker = Masker(values)
    stream = masker.stream()
    bounds = [0, *sorted(c for c in cuts if c <= len(text)), len(text)]
    out = "".join(stream.feed(text[a:b]) for a, b in itertools.pairwise(bounds))
    out += stream.flush()
    assert out == masker.mask(text)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(secret_text, min_size=1, max_size=4),
    text=log_text,
    cuts=st.lists(st.integers(min_value=0, max_value=80), max_size=4),
)
def test_no_maskable_value_survives(values: list[str], text: str, cuts: list[int]) -> None:
    # every value is written into the log at least once, so a leak is always there to find
    for value, cut in zip(values, [*cuts, *[len(text)] * len(values)], strict=False):
        text = f"{text[:cut]}{value}{text[cut:]}"
    masked = Masker(values).mask(text)
    for value in values:
        for piece in [value.strip(), *(line.strip() for line in value.split("\n"))]:
            if len(piece) >= MIN_LENGTH:
                assert piece not in masked


@settings(max_examples=200, deadline=None)
@given(values=st.lists(secret_text, min_size=1, max_size=4), unit=log_text)
def test_long_and_short_paths_agree(values: list[str], unit: str) -> None:
    masker = Masker(values)
    text = (unit + "|") * (SHORT_TEXT // (len(unit) + 1) + 1)
    assert len(text) >= SHORT_TEXT
    assert masker.mask(text) == "|".join(masker.mask(unit) for _ in text.split("|")[:-1]) + "|"


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(secret_text, min_size=1, max_size=4),
    text=st.text(alphabet="abcd\n xy", min_size=SHORT_TEXT, max_size=3 * SHORT_TEXT),
    cuts=st.lists(st.integers(min_value=0, max_value=3 * SHORT_TEXT), max_size=4),
)
def test_stream_equals_whole_text_on_long_chunks(
    values: list[str], text: str, cuts: list[int]
) -> None:
    masker = Masker(values)
    stream = masker.stream()
    bounds = [0, *sorted(c for c in cuts if c <= len(text)), len(text)]
    out = "".join(stream.feed(text[a:b]) for a, b in itertools.pairwise(bounds))
    assert out + stream.flush() == masker.mask(text)


def test_a_flood_of_occurrences_falls_back_to_the_regex() -> None:
    assert Masker(["aa"]).mask("a" * 10_001) == STARS * 5000 + "a"


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("topsecret\x00value", '"T=topsecret\\x00value": unknown'),  # runc's %q
        ("tab\tsecret", "tab\\tsecret"),
        ('pa"ss\\word', 'pa\\"ss\\\\word'),
        ("nul\x00json", "nul\\u0000json"),
    ],
)
def test_values_are_masked_in_their_quoted_forms(value: str, quoted: str) -> None:
    masked = Masker([value]).mask(f"error: {quoted}")
    assert "********" in masked
    for part in ("topsecret", "secret", "ss\\", "json"):
        if part in value:
            assert part not in masked, masked


def test_a_plain_value_has_no_extra_forms() -> None:
    assert escaped_forms("plain-value") == set()
    assert escaped_forms("héllo wörld") == set()
