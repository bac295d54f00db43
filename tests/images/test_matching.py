"""Key-to-host reduction and deterministic candidate order (semantics.md section 4)."""

from __future__ import annotations

import pytest

from conveyor.images.credentials import Credential
from conveyor.images.matching import (
    display_key,
    is_exact_key,
    order_candidates,
    reference_host,
    registry_host,
    store_server,
)
from conveyor.images.reference import parse_reference

# key, host
KEYS = [
    ("gcr.io", "gcr.io"),
    ("https://gcr.io", "gcr.io"),
    ("HTTPS://GCR.IO", "gcr.io"),
    ("HtTp://Registry.Example.com:5000/", "registry.example.com:5000"),
    ("quay.io/v1/", "quay.io"),
    ("http://localhost:5000", "localhost:5000"),
    ("https://user:pw@registry.example.com/v2/", "registry.example.com"),
    ("https://registry.example.com?x=1", "registry.example.com"),
    ("127.0.0.1:5001", "127.0.0.1:5001"),
    ("http://[::1]:5000/v2", "[::1]:5000"),
    ("  gcr.io  ", "gcr.io"),
    ("gcr.io:", "gcr.io"),
    # Docker Hub aliases
    ("docker.io", "docker.io"),
    ("index.docker.io", "docker.io"),
    ("registry-1.docker.io", "docker.io"),
    ("https://index.docker.io/v1/", "docker.io"),
    ("https://registry-1.docker.io/v2/", "docker.io"),
    ("INDEX.DOCKER.IO", "docker.io"),
    # nothing usable
    ("", ""),
    ("https://", ""),
]


@pytest.mark.parametrize(("key", "host"), KEYS)
def test_registry_host(key: str, host: str) -> None:
    assert registry_host(key) == host


# key, the same key fit for messages: user info (which may hold a password) is dropped
DISPLAY = [
    ("gcr.io", "gcr.io"),
    ("https://gcr.io", "https://gcr.io"),
    ("https://user:pw-secret@registry.example.com/v2/", "https://registry.example.com/v2/"),
    ("HTTPS://u:p@GCR.io", "HTTPS://GCR.io"),
    ("user:pw-secret@gcr.io", "gcr.io"),
    ("user@gcr.io/v1/", "gcr.io/v1/"),
    ("https://a@b:pw-secret@quay.io/x@y", "https://quay.io/x@y"),
    ("http://[::1]:5000/v2", "http://[::1]:5000/v2"),
    ("quay.io/v1/?q=a@b", "quay.io/v1/?q=a@b"),
]


@pytest.mark.parametrize(("key", "shown"), DISPLAY)
def test_display_key_drops_user_info(key: str, shown: str) -> None:
    assert display_key(key) == shown
    assert "pw-secret" not in display_key(key)


# image, host its credentials are looked up under
# fmt: off
IMAGES = [
    ("golang", "docker.io"),
    ("index.docker.io/library/golang", "docker.io"),
    ("registry-1.docker.io/library/golang", "docker.io"),
    ("GCR.io/project/image", "gcr.io"),
    ("127.0.0.1:5001/ci-test/remote-only:1", "127.0.0.1:5001"),
    ("[::1]:5000/x", "[::1]:5000"),
]
# fmt: on


@pytest.mark.parametrize(("image", "host"), IMAGES)
def test_reference_host(image: str, host: str) -> None:
    assert reference_host(parse_reference(image)) == host


@pytest.mark.parametrize(
    ("key", "host", "exact"),
    [
        ("gcr.io", "gcr.io", True),
        ("GCR.IO", "gcr.io", True),
        ("https://gcr.io", "gcr.io", False),
        ("gcr.io/", "gcr.io", False),
        ("docker.io", "docker.io", True),
        ("https://index.docker.io/v1/", "docker.io", False),
    ],
)
def test_is_exact_key(key: str, host: str, exact: bool) -> None:
    assert is_exact_key(key, host) is exact


def test_store_server_uses_docker_hub_legacy_url() -> None:
    assert store_server("docker.io") == "https://index.docker.io/v1/"
    assert store_server("gcr.io") == "gcr.io"


def _cred(key: str, user: str, source: str = "s", password: str = "p") -> Credential:
    return Credential(
        registry=registry_host(key), username=user, password=password, source=source, key=key
    )


def test_gcr_duplicate_keys_exact_key_first_whatever_the_file_order() -> None:
    """The seed's gcr.io + https://gcr.io case: the order is fixed, never map-order luck."""
    prefixed, exact = _cred("https://gcr.io", "old"), _cred("gcr.io", "new")
    for given in ([prefixed, exact], [exact, prefixed]):
        assert [c.username for c in order_candidates(given, "gcr.io")] == ["new", "old"]


def test_order_is_source_then_file_order_among_non_exact_keys() -> None:
    creds = [
        _cred("https://gcr.io", "a", "secret one"),
        _cred("https://gcr.io/v1/", "b", "secret one"),
        _cred("HTTPS://gcr.io", "c", "secret two"),
        _cred("quay.io", "other"),
        _cred("gcr.io", "d", "plugin"),
    ]
    assert [c.username for c in order_candidates(creds, "gcr.io")] == ["d", "a", "b", "c"]


def test_identical_logins_are_tried_once() -> None:
    creds = [_cred("https://gcr.io", "u"), _cred("gcr.io", "u"), _cred("gcr.io", "u", password="x")]
    got = order_candidates(creds, "gcr.io")
    assert [(c.key, c.password) for c in got] == [("gcr.io", "p"), ("gcr.io", "x")]


def test_no_candidates_for_other_hosts() -> None:
    assert order_candidates([_cred("gcr.io", "u")], "docker.io") == []


# every spelling of one host that a config may hold, and spellings of other hosts
# fmt: off
SPELLINGS = [
    ("https://gcr.io", "gcr.io"), ("GCR.IO", "gcr.io"), ("gcr.io/v1/", "gcr.io"),
    ("user@gcr.io", "gcr.io"), ("gcr.io", "gcr.io"), ("gcr.io:443", "gcr.io:443"),
    ("https://index.docker.io/v1/", "docker.io"), ("docker.io", "docker.io"),
    ("registry-1.docker.io", "docker.io"), ("INDEX.DOCKER.IO", "docker.io"),
    ("http://localhost:5000", "localhost:5000"), ("localhost", "localhost"),
]
# fmt: on


@pytest.mark.parametrize("host", sorted({host for _, host in SPELLINGS}))
def test_every_spelling_gives_one_order_exact_keys_first_then_file_order(host: str) -> None:
    creds = [_cred(key, f"user{i}") for i, (key, _) in enumerate(SPELLINGS)]
    got = [c.key for c in order_candidates(creds, host)]
    expected_exact = [k for k, h in SPELLINGS if h == host and k.lower() == host]
    expected_rest = [k for k, h in SPELLINGS if h == host and k.lower() != host]
    assert got == expected_exact + expected_rest
    assert got == [c.key for c in order_candidates(creds, host)]  # the same every time
