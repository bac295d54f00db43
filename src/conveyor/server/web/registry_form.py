"""The registry credential form's pure core: registry host, user name and password or token in,
the Docker config.json text of that login out (`{"auths": {HOST: {"auth": base64(user:pass)}}}`),
with the host written as `docker login` writes it. Errors name the field, never a value."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from conveyor.images.matching import DOCKER_HUB_ALIASES, DOCKER_HUB_STORE_KEY
from conveyor.server.web.form_errors import FormError

T = TypeVar("T")
DOCKER_HUB_KEY = DOCKER_HUB_STORE_KEY
"""The key `docker login` writes for Docker Hub."""
HOST_MAX = 253
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_PORT = re.compile(r"[0-9]{1,5}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HUB_PATHS = ("", "/v1", "/v2")


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryConfig:
    """A registry login as a Docker config.json document (`text` holds the password)."""

    key: str
    """The `auths` key: `host[:port]`, or Docker Hub's URL."""
    text: str = field(repr=False)
    default_name: str
    """A secret name derived from the host, e.g. `docker_config_registry_example_com`."""


def normalise_host(entered: str) -> str:
    """The `auths` key for what the user typed: Docker Hub's aliases become its URL; otherwise
    the scheme and a trailing `/` (or `/v1`, `/v2`) are dropped and the host lower-cased.
    ValueError with one sentence when it is not a registry host."""
    text = entered.strip().lower()
    if not text:
        raise ValueError("enter the registry host, e.g. registry.example.com:5000")
    scheme = _SCHEME.match(text)
    if scheme:
        if scheme.group(1) not in {"http", "https"}:
            raise ValueError("a registry address starts with https:// or with the host itself")
        text = text[scheme.end() :]
    host, slash, path = text.partition("/")
    if slash and f"/{path}".rstrip("/") not in _HUB_PATHS:
        raise ValueError("give the registry host only, without a path (the path names the image)")
    if "@" in host:
        raise ValueError("give the host without a user name (the user name has its own field)")
    _check_host(host)
    return DOCKER_HUB_KEY if host in DOCKER_HUB_ALIASES else host


def _check_host(host: str) -> None:
    name, port = _split_port(host)
    if port is not None and not (_PORT.fullmatch(port) and 0 < int(port) < 65536):
        raise ValueError("the port after ':' must be a number from 1 to 65535")
    if name.startswith("[") and name.endswith("]"):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            raise ValueError("the address in [ ] is not an IPv6 address") from None
        return
    labels = name.split(".")
    if len(name) > HOST_MAX or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(
            "a registry host is a name like registry.example.com or an IP address, "
            "optionally with :PORT"
        )


def _split_port(host: str) -> tuple[str, str | None]:
    if host.startswith("["):
        end = host.find("]")
        rest = host[end + 1 :] if end != -1 else ""
        if rest.startswith(":"):
            return host[: end + 1], rest[1:]
        return host, None
    name, colon, port = host.rpartition(":")
    return (name, port) if colon else (host, None)


def check_username(username: str) -> None:
    """ValueError when `username` cannot be put into a config.json `auth`."""
    if not username:
        raise ValueError("enter the user name")
    if ":" in username:
        raise ValueError("a user name cannot contain ':' (the auth value is user:password)")
    if _CONTROL.search(username) or username != username.strip():
        raise ValueError("a user name cannot hold spaces at its ends, line breaks or tabs")


def check_password(password: str) -> None:
    """ValueError when `password` is empty or holds line breaks (never quoting it)."""
    if not password:
        raise ValueError("enter the password or access token")
    if _CONTROL.search(password):
        raise ValueError("the password or token cannot hold line breaks or control characters")


def default_secret_name(key: str) -> str:
    """`docker_config_` and the host with every other character an underscore."""
    host = "docker.io" if key == DOCKER_HUB_KEY else key
    return "docker_config_" + re.sub(r"[^a-z0-9]+", "_", host).strip("_")


def build_config(*, host: str, username: str, password: str) -> RegistryConfig:
    """The config.json of one login; FormError listing every field that is wrong."""
    errors: dict[str, str] = {}
    key = _checked(errors, "host", normalise_host, host)
    _checked(errors, "username", check_username, username)
    _checked(errors, "password", check_password, password)
    if errors or key is None:
        raise FormError(errors)
    auth = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    text = json.dumps({"auths": {key: {"auth": auth}}}, indent=2) + "\n"
    return RegistryConfig(key=key, text=text, default_name=default_secret_name(key))


def _checked(errors: dict[str, str], name: str, check: Callable[[str], T], value: str) -> T | None:
    """`check(value)`, or None with its sentence recorded under `name`."""
    try:
        return check(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def pull_secrets_snippet(name: str) -> str:
    """How a pipeline names the saved secret."""
    return f"image_pull_secrets:\n- {name}\n"
