"""Request bodies: pydantic models that refuse unknown fields and wrong types (400 naming the
field, see api/errors.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

NAME_PATTERN = r"^[A-Za-z0-9._-]+$"
URL_TEXT = Annotated[str, Strict(), Field(min_length=1, max_length=2000)]
BRANCH = Annotated[str, Strict(), Field(min_length=1, max_length=250)]
Bool = Annotated[bool, Strict()]
"""true or false only: "yes" or 1 are refused, not guessed."""


class Input(BaseModel):
    """Base of every body: unknown fields are refused; booleans and numbers are not guessed."""

    model_config = ConfigDict(extra="forbid")


class Visibility(StrEnum):
    """Who may read a repository besides its collaborators."""

    PRIVATE = "private"
    INTERNAL = "internal"
    PUBLIC = "public"


class CacheMode(StrEnum):
    """The private image cache mode the repository's builds use (docs/security.md)."""

    VERIFY = "verify"
    ALWAYS_PULL = "always-pull"
    OFF = "off"


class UserCreateBody(Input):
    """POST /api/users."""

    login: Annotated[str, Strict(), Field(min_length=1, max_length=250)]
    email: Annotated[str, Strict(), Field(max_length=500)] = ""
    admin: Bool = False
    machine: Bool = False
    active: Bool = True
    token: Annotated[str, Strict(), Field(min_length=16, max_length=500)] | None = None


class UserPatchBody(Input):
    """PATCH /api/users/{login}."""

    email: Annotated[str, Strict(), Field(max_length=500)] | None = None
    admin: Bool | None = None
    machine: Bool | None = None
    active: Bool | None = None


class RepoCreateBody(Input):
    """POST /api/repos/{owner}/{name}."""

    git_http_url: URL_TEXT
    default_branch: BRANCH = "main"
    visibility: Visibility = Visibility.PRIVATE
    config_path: Annotated[str, Strict(), Field(min_length=1, max_length=500)] = ".drone.yml"
    protected: Bool = False
    trusted: Bool | None = None
    timeout: Annotated[int, Strict(), Field(ge=1, le=1440)] | None = None
    image_cache_mode: CacheMode = CacheMode.VERIFY


class RepoPatchBody(Input):
    """PATCH /api/repos/{owner}/{name}."""

    git_http_url: URL_TEXT | None = None
    default_branch: BRANCH | None = None
    visibility: Visibility | None = None
    config_path: Annotated[str, Strict(), Field(min_length=1, max_length=500)] | None = None
    protected: Bool | None = None
    active: Bool | None = None
    trusted: Bool | None = None
    timeout: Annotated[int, Strict(), Field(ge=1, le=1440)] | None = None
    image_cache_mode: CacheMode | None = None


class CollaboratorBody(Input):
    """PUT /api/repos/{owner}/{name}/collaborators/{login}."""

    read: Bool = True
    write: Bool = False
    admin: Bool = False


class SecretCreateBody(Input):
    """POST .../secrets (repository or organisation)."""

    name: Annotated[str, Strict(), Field(min_length=1, max_length=500, pattern=NAME_PATTERN)]
    data: Annotated[str, Strict(), Field(min_length=1, max_length=65536)]
    pull_request: Bool = False
    pull_request_push: Bool = False


class SecretPatchBody(Input):
    """PATCH .../secrets/{name}: the value can be replaced, never read."""

    data: Annotated[str, Strict(), Field(min_length=1, max_length=65536)] | None = None
    pull_request: Bool | None = None
    pull_request_push: Bool | None = None
