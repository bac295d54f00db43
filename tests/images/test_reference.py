"""Table and property tests of the image reference grammar (distribution/reference rules)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.errors import InvalidReferenceError
from conveyor.images import reference as ref_module
from conveyor.images.reference import Reference, parse_reference

D64 = "a" * 64
D128 = "0123456789abcdef" * 8

# input, domain, path, tag, digest, string(), familiar(), is_latest
# fmt: off
VALID = [
    # every example of the seed page (shared/seed/images.md)
    ("golang", "docker.io", "library/golang", None, None,
     "docker.io/library/golang:latest", "golang", True),
    ("golang:1.7", "docker.io", "library/golang", "1.7", None,
     "docker.io/library/golang:1.7", "golang:1.7", False),
    ("library/golang:1.7", "docker.io", "library/golang", "1.7", None,
     "docker.io/library/golang:1.7", "golang:1.7", False),
    ("index.docker.io/library/golang", "docker.io", "library/golang", None, None,
     "docker.io/library/golang:latest", "golang", True),
    ("index.docker.io/library/golang:1.7", "docker.io", "library/golang", "1.7", None,
     "docker.io/library/golang:1.7", "golang:1.7", False),
    ("docker.company.com/golang", "docker.company.com", "golang", None, None,
     "docker.company.com/golang:latest", "docker.company.com/golang", True),
    ("golang:1.12", "docker.io", "library/golang", "1.12", None,
     "docker.io/library/golang:1.12", "golang:1.12", False),
    ("registry.internal.company.com/golang:1.12", "registry.internal.company.com", "golang",
     "1.12", None, "registry.internal.company.com/golang:1.12",
     "registry.internal.company.com/golang:1.12", False),
    # Docker Hub normalisation
    ("docker.io/ubuntu", "docker.io", "library/ubuntu", None, None,
     "docker.io/library/ubuntu:latest", "ubuntu", True),
    ("docker.io/library/ubuntu:latest", "docker.io", "library/ubuntu", "latest", None,
     "docker.io/library/ubuntu:latest", "ubuntu:latest", True),
    ("index.docker.io/ubuntu", "docker.io", "library/ubuntu", None, None,
     "docker.io/library/ubuntu:latest", "ubuntu", True),
    ("dmcgowan/myapp", "docker.io", "dmcgowan/myapp", None, None,
     "docker.io/dmcgowan/myapp:latest", "dmcgowan/myapp", True),
    ("library/foo/bar", "docker.io", "library/foo/bar", None, None,
     "docker.io/library/foo/bar:latest", "library/foo/bar", True),
    ("registry-1.docker.io/library/x", "registry-1.docker.io", "library/x", None, None,
     "registry-1.docker.io/library/x:latest", "registry-1.docker.io/library/x", True),
    # domain detection: '.', ':', localhost, upper case
    ("localhost/foo", "localhost", "foo", None, None,
     "localhost/foo:latest", "localhost/foo", True),
    ("localhost:5000/foo:1", "localhost:5000", "foo", "1", None,
     "localhost:5000/foo:1", "localhost:5000/foo:1", False),
    ("localhost:5000", "docker.io", "library/localhost", "5000", None,
     "docker.io/library/localhost:5000", "localhost:5000", False),
    ("myhost:5000/a/b", "myhost:5000", "a/b", None, None,
     "myhost:5000/a/b:latest", "myhost:5000/a/b", True),
    ("Foo/bar", "Foo", "bar", None, None, "Foo/bar:latest", "Foo/bar", True),
    ("foo/bar", "docker.io", "foo/bar", None, None, "docker.io/foo/bar:latest", "foo/bar", True),
    ("127.0.0.1:5001/ci-test/remote-only:1", "127.0.0.1:5001", "ci-test/remote-only", "1", None,
     "127.0.0.1:5001/ci-test/remote-only:1", "127.0.0.1:5001/ci-test/remote-only:1", False),
    ("[::1]:5000/foo", "[::1]:5000", "foo", None, None,
     "[::1]:5000/foo:latest", "[::1]:5000/foo", True),
    ("[2001:db8::1]/foo:v1", "[2001:db8::1]", "foo", "v1", None,
     "[2001:db8::1]/foo:v1", "[2001:db8::1]/foo:v1", False),
    ("gcr.io/project/image", "gcr.io", "project/image", None, None,
     "gcr.io/project/image:latest", "gcr.io/project/image", True),
    # separators in path components
    ("a__b/c-d--e/f.g_h", "docker.io", "a__b/c-d--e/f.g_h", None, None,
     "docker.io/a__b/c-d--e/f.g_h:latest", "a__b/c-d--e/f.g_h", True),
    # tags
    ("golang:Latest", "docker.io", "library/golang", "Latest", None,
     "docker.io/library/golang:Latest", "golang:Latest", False),
    ("golang:_x.Y-z", "docker.io", "library/golang", "_x.Y-z", None,
     "docker.io/library/golang:_x.Y-z", "golang:_x.Y-z", False),
    ("golang:" + "t" * 128, "docker.io", "library/golang", "t" * 128, None,
     "docker.io/library/golang:" + "t" * 128, "golang:" + "t" * 128, False),
    # digests
    (f"golang@sha256:{D64}", "docker.io", "library/golang", None, f"sha256:{D64}",
     f"docker.io/library/golang@sha256:{D64}", f"golang@sha256:{D64}", False),
    (f"golang:latest@sha256:{D64}", "docker.io", "library/golang", "latest", f"sha256:{D64}",
     f"docker.io/library/golang:latest@sha256:{D64}", f"golang:latest@sha256:{D64}", False),
    (f"q.io/a@sha512:{D128}", "q.io", "a", None, f"sha512:{D128}",
     f"q.io/a@sha512:{D128}", f"q.io/a@sha512:{D128}", False),
    (f"q.io/a@sha384:{'b' * 96}", "q.io", "a", None, f"sha384:{'b' * 96}",
     f"q.io/a@sha384:{'b' * 96}", f"q.io/a@sha384:{'b' * 96}", False),
]
# fmt: on


@pytest.mark.parametrize(
    ("text", "domain", "path", "tag", "digest", "string", "familiar", "latest"),
    VALID,
    ids=[row[0][:50] for row in VALID],
)
def test_valid_references(
    text: str,
    domain: str,
    path: str,
    tag: str | None,
    digest: str | None,
    string: str,
    familiar: str,
    latest: bool,
) -> None:
    ref = parse_reference(text)
    assert ref == Reference(domain=domain, path=path, tag=tag, digest=digest)
    assert ref.name == f"{domain}/{path}"
    assert ref.string() == string
    assert ref.familiar() == familiar
    assert ref.is_latest() is latest


# input, fragment of the message
INVALID = [
    ("", "empty"),
    ("Golang", "must be lowercase"),
    ("golang/Sub", "must be lowercase"),
    ("docker.io/Foo", "must be lowercase"),
    ("a//b", "empty path component"),
    ("a/", "empty path component"),
    ("/a", "empty path component"),
    (":tag", "repository name is missing"),
    (f"@sha256:{D64}", "repository name is missing"),
    ("-a", "path component '-a'"),
    ("a-", "path component 'a-'"),
    ("a...b", "path component"),
    ("a___b", "path component"),
    ("golang:", "tag ''"),
    ("golang:.1", "tag '.1'"),
    ("golang:-1", "tag '-1'"),
    ("golang:" + "t" * 129, "1 to 128"),
    ("golang:a+b", "tag 'a+b'"),
    ("golang@sha256:abc", "must look like 'sha256:'"),
    (f"golang@sha256:{D64.upper()}", "exactly 64 lower-case hex"),
    (f"golang@sha256:{D64}0", "exactly 64"),
    (f"golang@sha512:{D64}", "exactly 128"),
    (f"golang@md5:{'a' * 32}", "'md5' is not supported"),
    (f"golang@sha256:{D64}@sha256:{D64}", "must look like"),
    (D64, "image ID"),
    ("foo_bar.com/x", "registry host 'foo_bar.com'"),
    ("-foo.com/x", "registry host"),
    ("foo.com:port/x", "registry host"),
    ("[fe80::1%eth0]:5000/x", "registry host"),
    ("a/" + "b" * 254, "255 characters"),
    # the Python traps of semantics.md: `$` matches before a final newline; \w is Unicode
    ("golang\n", "spaces or line breaks"),
    ("golang:1.7\n", "spaces or line breaks"),
    ("go lang", "spaces or line breaks"),
    ("gölang", "ASCII"),
    ("golang:\uff11", "ASCII"),
    ("golang:é", "ASCII"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID, ids=[row[0][:40] for row in INVALID])
def test_invalid_references(text: str, fragment: str) -> None:
    with pytest.raises(InvalidReferenceError) as caught:
        parse_reference(text)
    message = caught.value.message
    assert fragment in message
    assert "\n" not in message.rstrip()
    assert message.count(". ") == 0  # one sentence


def test_path_of_exactly_255_characters_is_accepted() -> None:
    path = "a/" + "b" * 253
    assert len(path) == 255
    assert parse_reference(f"example.com/{path}").path == path


@pytest.mark.parametrize("sample", ["x\n", "é", "\uff11"])
def test_patterns_are_ascii_and_fullmatch(sample: str) -> None:
    """The compiled patterns alone reject the traps, independently of the pre-checks."""
    assert ref_module.TAG_RE.fullmatch(sample) is None
    assert ref_module.PATH_COMPONENT_RE.fullmatch(sample) is None
    assert ref_module.DOMAIN_RE.fullmatch(sample) is None


@pytest.mark.parametrize(
    ("text", "pull_tag"),
    [("golang", "latest"), ("golang:1.7", "1.7"), (f"golang:1@sha256:{D64}", f"sha256:{D64}")],
)
def test_pull_tag(text: str, pull_tag: str) -> None:
    assert parse_reference(text).pull_tag() == pull_tag


# ---- properties -------------------------------------------------------------------------

PROPERTY = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=150)

_alnum = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)
_sep = st.sampled_from([".", "_", "__", "-", "--"])


@st.composite
def path_components(draw: st.DrawFn) -> str:
    parts = [draw(_alnum)]
    for _ in range(draw(st.integers(0, 2))):
        parts += [draw(_sep), draw(_alnum)]
    return "".join(parts)


_label_chars = "abcdefghijklmnopqrstuvwxyz0123456789"
_domain_label = st.builds(
    lambda head, mid, tail: head + mid + tail if mid else head,
    st.sampled_from(_label_chars),
    st.text(alphabet=_label_chars + "-", max_size=4),
    st.sampled_from(_label_chars),
)
_domains = st.one_of(
    st.builds(lambda a, b: f"{a}.{b}", _domain_label, _domain_label),
    st.builds(lambda h, p: f"{h}:{p}", _domain_label, st.integers(1, 65535)),
    st.just("localhost"),
    st.just("[::1]:5000"),
    st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", *[st.integers(0, 255)] * 4),
)
_tag_start = "abcXYZ019_"
_tags = st.builds(
    lambda head, rest: head + rest,
    st.sampled_from(_tag_start),
    st.text(alphabet=_tag_start + ".-", max_size=12),
)
_digests = st.builds(
    lambda h: f"sha256:{h}", st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
)


@st.composite
def references(draw: st.DrawFn) -> str:
    path = "/".join(draw(st.lists(path_components(), min_size=1, max_size=3)))
    text = path
    if draw(st.booleans()):
        text = f"{draw(_domains)}/{text}"
    elif "." in path.split("/")[0] and "/" in path:
        text = f"example.com/{text}"  # a first component with '.' would be read as a host
    if draw(st.booleans()):
        text += f":{draw(_tags)}"
    if draw(st.booleans()):
        text += f"@{draw(_digests)}"
    return text


@PROPERTY
@given(references())
def test_normalised_string_round_trips(text: str) -> None:
    ref = parse_reference(text)
    again = parse_reference(ref.string())
    assert again.string() == ref.string()
    assert again.domain == ref.domain
    assert again.path == ref.path
    assert again.digest == ref.digest


@PROPERTY
@given(references())
def test_familiar_form_round_trips_exactly(text: str) -> None:
    ref = parse_reference(text)
    assert parse_reference(ref.familiar()) == ref


@PROPERTY
@given(references())
def test_is_latest_matches_its_definition(text: str) -> None:
    ref = parse_reference(text)
    assert ref.is_latest() == (ref.digest is None and ref.tag in (None, "latest"))
    assert ref.string().startswith(ref.name)


_ANY = st.text(alphabet="aZ0:/@._-[]é\n ", max_size=20)


@PROPERTY
@given(_ANY)
def test_any_text_parses_or_raises_the_one_error(text: str) -> None:
    try:
        ref = parse_reference(text)
    except InvalidReferenceError as exc:
        message = exc.message
        ref = None
    if ref is None:
        assert message.startswith(("invalid image reference", "image reference is empty"))
    else:
        assert parse_reference(ref.string()).string() == ref.string()
        assert re.fullmatch(r"[\x21-\x7e]+", ref.string(), re.ASCII)


def test_parse_repo_digests_keeps_the_good_entries_in_order() -> None:
    from conveyor.images.reference import parse_repo_digests

    digest = "sha256:" + "a" * 64
    found = parse_repo_digests([f"127.0.0.1:5001/x/y@{digest}", "Not A Reference", f"z@{digest}"])
    assert [r.name for r in found] == ["127.0.0.1:5001/x/y", "docker.io/library/z"]
    assert all(r.digest == digest for r in found)
