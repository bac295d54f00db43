"""Docker image references: the grammar and normalisation of distribution/reference.

`parse_reference("golang")` is `docker.io/library/golang` with no tag (its `string()` adds
`:latest`). Pure: no I/O, no registry lookups; an invalid reference raises
`errors.InvalidReferenceError` with one sentence saying what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from conveyor.errors import InvalidReferenceError

DEFAULT_DOMAIN = "docker.io"
"""The canonical name of Docker Hub in references."""
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
"""Docker Hub's legacy name, rewritten to DEFAULT_DOMAIN when written as a reference's domain."""
OFFICIAL_PREFIX = "library/"
"""Namespace of Docker Hub's official images (`golang` is `library/golang`)."""
DEFAULT_TAG = "latest"
MAX_PATH_LENGTH = 255
"""Longest repository path (domain excluded) that distribution/reference accepts."""

DIGEST_LENGTHS: dict[str, int] = {"sha256": 64, "sha384": 96, "sha512": 128}
"""Digest algorithms the Docker engine accepts, with their hex length (lower case only)."""

_FLAGS = re.ASCII
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_IPV6 = r"\[[a-fA-F0-9:]+\]"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|{_IPV6})"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"

PATH_COMPONENT_RE = re.compile(_PATH_COMPONENT, _FLAGS)
DOMAIN_RE = re.compile(_DOMAIN, _FLAGS)
TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", _FLAGS)
DIGEST_SYNTAX_RE = re.compile(
    r"(?P<algorithm>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):(?P<hex>[0-9a-fA-F]{32,})",
    _FLAGS,
)
IDENTIFIER_RE = re.compile(r"[a-f0-9]{64}", _FLAGS)
LOWER_HEX_RE = re.compile(r"[a-f0-9]+", _FLAGS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A parsed, normalised image reference: registry domain, repository path, tag, digest."""

    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The repository with its registry: `docker.io/library/golang`."""
        return f"{self.domain}/{self.path}"

    def string(self) -> str:
        """The normalised reference; `:latest` is added only when there is no tag and no digest."""
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        if self.tag is None and self.digest is None:
            text += f":{DEFAULT_TAG}"
        return text

    def familiar(self) -> str:
        """The short form people write: `golang:1.7`, `docker.company.com/golang`."""
        text = familiar_name(self.domain, self.path)
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text

    def is_latest(self) -> bool:
        """True when there is no digest and the tag is absent or exactly `latest`."""
        return self.digest is None and self.tag in (None, DEFAULT_TAG)

    def pull_tag(self) -> str:
        """What the Engine API's pull takes as `tag`: the digest, else the tag, else `latest`."""
        return self.digest or self.tag or DEFAULT_TAG


def familiar_name(domain: str, path: str) -> str:
    """`docker.io/library/x` -> `x`, `docker.io/a/b` -> `a/b`; other registries unchanged."""
    if domain != DEFAULT_DOMAIN:
        return f"{domain}/{path}"
    rest = path.removeprefix(OFFICIAL_PREFIX)
    if rest != path and "/" not in rest:
        return rest
    return path


def parse_reference(text: str) -> Reference:
    """Parse and normalise `text` as Docker does; raises InvalidReferenceError if it is invalid."""
    _check_whole(text)
    rest, digest = _split_digest(text)
    name, tag = _split_tag(rest)
    if not name:
        raise _fail(text, "the repository name is missing before ':' or '@'")
    domain, path = split_domain(name)
    _check_path(text, path)
    _check_domain(text, domain)
    if tag is not None:
        _check_tag(text, tag)
    if digest is not None:
        _check_digest(text, digest)
    return Reference(domain=domain, path=path, tag=tag, digest=digest)


def parse_repo_digests(texts: Iterable[str]) -> list[Reference]:
    """The `RepoDigests` entries of an image that parse, in order (Docker writes them; an odd
    one is skipped rather than failing whoever inspects the image)."""
    found: list[Reference] = []
    for text in texts:
        try:
            found.append(parse_reference(text))
        except InvalidReferenceError:
            continue
    return found


def split_domain(name: str) -> tuple[str, str]:
    """Split a repository name into (domain, path) with Docker's rules for the first component."""
    first, slash, remainder = name.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, OFFICIAL_PREFIX + name
    if first == LEGACY_DEFAULT_DOMAIN:
        domain, path = DEFAULT_DOMAIN, remainder
    elif first == "localhost" or "." in first or ":" in first or first.lower() != first:
        domain, path = first, remainder
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    return domain, path


def _fail(text: str, problem: str) -> InvalidReferenceError:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return InvalidReferenceError(f"invalid image reference {shown!r}: {problem}")


def _check_whole(text: str) -> None:
    if not text:
        raise InvalidReferenceError("image reference is empty: give a name such as 'golang:1.12'")
    if any(ch.isspace() for ch in text):
        raise _fail(text, "an image reference must not contain spaces or line breaks")
    if not text.isascii():
        raise _fail(text, "an image reference may only contain ASCII characters")
    if IDENTIFIER_RE.fullmatch(text):
        raise _fail(text, "a 64-character hex string is an image ID, not a repository name")


def _split_digest(text: str) -> tuple[str, str | None]:
    rest, at, digest = text.partition("@")
    return rest, (digest if at else None)


def _split_tag(rest: str) -> tuple[str, str | None]:
    colon = rest.find(":", rest.rfind("/") + 1)
    if colon < 0:
        return rest, None
    return rest[:colon], rest[colon + 1 :]


def _check_path(text: str, path: str) -> None:
    if path.lower() != path:
        raise _fail(text, "repository name must be lowercase")
    components = path.split("/")
    if "" in components:
        raise _fail(text, "repository name has an empty path component ('//' or a '/' at an end)")
    for component in components:
        if not PATH_COMPONENT_RE.fullmatch(component):
            raise _fail(
                text,
                f"path component {component!r} may only hold lower-case letters and digits "
                "joined by '.', '_', '__' or dashes",
            )
    if len(path) > MAX_PATH_LENGTH:
        raise _fail(text, f"repository name must not be more than {MAX_PATH_LENGTH} characters")


def _check_domain(text: str, domain: str) -> None:
    if not DOMAIN_RE.fullmatch(domain):
        raise _fail(
            text,
            f"registry host {domain!r} is not a valid host name, IPv4 or [IPv6] address "
            "with an optional numeric port",
        )


def _check_tag(text: str, tag: str) -> None:
    if not TAG_RE.fullmatch(tag):
        raise _fail(
            text,
            f"tag {tag!r} must be 1 to 128 letters, digits, '_', '.' or '-' "
            "and must not start with '.' or '-'",
        )


def _check_digest(text: str, digest: str) -> None:
    match = DIGEST_SYNTAX_RE.fullmatch(digest)
    if match is None:
        raise _fail(text, f"digest {digest!r} must look like 'sha256:' followed by 64 hex digits")
    algorithm, hex_part = match["algorithm"], match["hex"]
    expected = DIGEST_LENGTHS.get(algorithm)
    if expected is None:
        known = ", ".join(DIGEST_LENGTHS)
        raise _fail(text, f"digest algorithm {algorithm!r} is not supported (use one of {known})")
    if len(hex_part) != expected or not LOWER_HEX_RE.fullmatch(hex_part):
        raise _fail(
            text, f"a {algorithm} digest must have exactly {expected} lower-case hex digits"
        )
