"""Changing a repository's settings: who may set which field (only a system admin sets
`trusted` and `timeout`), which git URLs are accepted, and applying a change. Called by the
REST API and the web settings page alike."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from conveyor.server.auth import Caller
from conveyor.server.store.models import Repo

GIT_URL_SCHEMES = ("http://", "https://", "git://", "file://", "/")
ADMIN_FIELDS = ("trusted", "timeout")
"""Fields only a system admin may set."""


class RepoFieldError(ValueError):
    """A field that cannot be set: `field` names it, `forbidden` when the caller lacks the
    right (rather than the value being wrong); str() is `field NAME: reason`."""

    def __init__(self, field: str, reason: str, *, forbidden: bool = False) -> None:
        super().__init__(f"field {field}: {reason}")
        self.field = field
        self.reason = reason
        self.forbidden = forbidden


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoChanges:
    """The settings to change; None leaves a field as it is."""

    git_http_url: str | None = None
    default_branch: str | None = None
    visibility: str | None = None
    config_path: str | None = None
    protected: bool | None = None
    active: bool | None = None
    trusted: bool | None = None
    timeout: int | None = None
    image_cache_mode: str | None = None


def check_admin_fields(caller: Caller, trusted: bool | None, timeout: int | None) -> None:
    """RepoFieldError (forbidden) when a non-admin sets `trusted` or `timeout`."""
    for field, value in zip(ADMIN_FIELDS, (trusted, timeout), strict=True):
        if value is not None and not caller.admin:
            raise RepoFieldError(field, "only a system admin may set it", forbidden=True)


def check_git_url(url: str) -> None:
    """RepoFieldError unless `url` is a local path or a file, http(s) or git URL."""
    if not url.startswith(GIT_URL_SCHEMES) or any(ch in url for ch in "\n\r\0"):
        raise RepoFieldError("git_http_url", "use a local path, file://, http(s):// or git:// URL")


def apply_changes(caller: Caller, repo: Repo, changes: RepoChanges) -> None:
    """Check `changes` for `caller` and write them to `repo` (RepoFieldError: nothing written)."""
    check_admin_fields(caller, changes.trusted, changes.timeout)
    if changes.git_http_url is not None:
        check_git_url(changes.git_http_url)
    for field in fields(changes):
        value = getattr(changes, field.name)
        if value is not None:
            setattr(repo, field.name, value)
    repo.updated = int(time.time())
    repo.version += 1
