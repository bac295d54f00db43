"""Request bodies: pydantic models that refuse unknown fields and wrong types (400 naming the
field, see api/errors.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from conveyor.server.secret_edit import NAME_MAX, NAME_PATTERN, VALUE_MAX

URL_TEXT = Annotated[str, Strict(), Field(min_length=1, max_length=2000)]
BRANCH = Annotated[str, Strict(), Field(min_length=1, max_length=250)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""A build, stage or step number in a path: larger ones cannot exist (400, not a database error)."""
Bool = Annotated[bool, Strict()]
"""true or false only: "yes" or 1 are refused, not guessed."""


class Input(BaseModel):
    """Base of every body: unknown fields are refused; booleans and numbers are not guessed."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        # PostgreSQL cannot store NUL in text; refuse it for every backend alike.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


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

    name: Annotated[str, Strict(), Field(min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN)]
    data: Annotated[str, Strict(), Field(min_length=1, max_length=VALUE_MAX)]
    pull_request: Bool = False
    pull_request_push: Bool = False


class SecretPatchBody(Input):
    """PATCH .../secrets/{name}: the value can be replaced, never read."""

    data: Annotated[str, Strict(), Field(min_length=1, max_length=VALUE_MAX)] | None = None
    pull_request: Bool | None = None
    pull_request_push: Bool | None = None
