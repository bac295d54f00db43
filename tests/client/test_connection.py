"""Where the client finds its server and token: flags, CONVEYOR_*, then DRONE_*."""

from __future__ import annotations

import pytest

from conveyor.client.api import SecretScope, parse_slug
from conveyor.client.connection import resolve_connection
from conveyor.errors import UsageError


def test_flags_win_over_the_environment() -> None:
    env = {"CONVEYOR_SERVER": "http://env:1", "CONVEYOR_TOKEN": "env-token"}
    found = resolve_connection("https://flag.example/", "flag-token", env)
    assert (found.server, found.token) == ("https://flag.example", "flag-token")


def test_conveyor_variables_win_over_drone_ones() -> None:
    env = {
        "CONVEYOR_SERVER": "http://conveyor:8080",
        "DRONE_SERVER": "http://drone:80",
        "DRONE_TOKEN": "drone-token",
    }
    found = resolve_connection(None, None, env)
    assert (found.server, found.token) == ("http://conveyor:8080", "drone-token")


def test_the_token_is_not_in_the_repr() -> None:
    found = resolve_connection("http://h", "very-secret-token", {})
    assert "very-secret-token" not in repr(found)


@pytest.mark.parametrize(
    ("server", "token", "words"),
    [
        (None, "t", "no server given; pass --server URL or set CONVEYOR_SERVER"),
        ("http://h", None, "no token given; pass --token TOKEN or set CONVEYOR_TOKEN"),
        ("ftp://h", "t", "must start with http:// or https://"),
        ("localhost:8080", "t", "must start with http:// or https://"),
        ("http://", "t", "name a host"),
        ("http://bob:pw@h", "t", "must not hold a user or password"),
    ],
)
def test_missing_or_bad_settings_are_usage_errors(
    server: str | None, token: str | None, words: str
) -> None:
    with pytest.raises(UsageError, match=words.replace("?", r"\?")) as caught:
        resolve_connection(server, token, {})
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("text", ["acme", "acme/", "/app", "a/b/c", "a b/c", ""])
def test_bad_slugs(text: str) -> None:
    with pytest.raises(UsageError, match="write it as OWNER/NAME"):
        parse_slug(text)


def test_paths_are_percent_encoded() -> None:
    slug = parse_slug("ac%me/a..pp")
    assert slug.path == "/repos/ac%25me/a..pp"
    assert SecretScope(org="o?x").path == "/secrets/o%3Fx"
    assert SecretScope(repo=slug).path == "/repos/ac%25me/a..pp/secrets"
