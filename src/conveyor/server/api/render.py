"""Drone's JSON shapes for users, repositories, collaborators, secrets, builds, stages, steps.

A secret's rendering has no `data` key, ever; a user's has no token (except the one answer that
creates it, in api/users.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from conveyor.server.auth import Permission
from conveyor.server.store.models import Build, Perm, Repo, Secret, Stage, Step, User

JSON = dict[str, Any]


def user_json(user: User) -> JSON:
    """Drone's User."""
    return {
        "id": user.id,
        "login": user.login,
        "email": user.email,
        "machine": user.machine,
        "admin": user.admin,
        "active": user.active,
        "avatar": user.avatar,
        "created": user.created,
        "updated": user.updated,
        "last_login": user.last_login,
    }


def repo_json(repo: Repo, perm: Permission | None = None) -> JSON:
    """Drone's Repo, plus Conveyor's image_cache_mode."""
    out: JSON = {
        "id": repo.id,
        "user_id": repo.user_id or 0,
        "namespace": repo.namespace,
        "name": repo.name,
        "slug": repo.slug,
        "scm": "git",
        "git_http_url": repo.git_http_url,
        "default_branch": repo.default_branch,
        "private": repo.visibility != "public",
        "visibility": repo.visibility,
        "active": repo.active,
        "config_path": repo.config_path,
        "trusted": repo.trusted,
        "protected": repo.protected,
        "timeout": repo.timeout,
        "counter": repo.counter,
        "image_cache_mode": repo.image_cache_mode,
        "created": repo.created,
        "updated": repo.updated,
        "version": repo.version,
    }
    if perm is not None:
        out["permissions"] = {"read": perm.read, "write": perm.write, "admin": perm.admin}
    return out


def collaborator_json(perm: Perm, user: User) -> JSON:
    """Drone's Collaborator."""
    return {
        "user_id": perm.user_id,
        "repo_id": perm.repo_id,
        "login": user.login,
        "avatar": user.avatar,
        "read": perm.read,
        "write": perm.write,
        "admin": perm.admin,
        "created": perm.created,
        "updated": perm.updated,
    }


def secret_json(secret: Secret) -> JSON:
    """Drone's Secret without `data`: a value is written, never read back."""
    out: JSON = {
        "id": secret.id,
        "name": secret.name,
        "pull_request": secret.pull_request,
        "pull_request_push": secret.pull_request_push,
    }
    if secret.repo_id is not None:
        out["repo_id"] = secret.repo_id
    if secret.namespace is not None:
        out["namespace"] = secret.namespace
    return out


BUILD_FIELDS = (
    "id",
    "repo_id",
    "trigger",
    "number",
    "parent",
    "status",
    "error",
    "event",
    "action",
    "link",
    "timestamp",
    "title",
    "message",
    "before",
    "after",
    "ref",
    "source_repo",
    "source",
    "target",
    "author_login",
    "author_name",
    "author_email",
    "author_avatar",
    "sender",
    "started",
    "finished",
    "created",
    "updated",
    "version",
)
"""Drone's Build keys taken as they are from the `builds` columns of the same names, in order;
`params` (decoded) and `stages` follow."""

STAGE_FIELDS = (
    "id",
    "repo_id",
    "build_id",
    "number",
    "name",
    "kind",
    "type",
    "status",
    "error",
    "errignore",
    "exit_code",
    "machine",
    "os",
    "arch",
    "variant",
    "kernel",
    "limit",
    "started",
    "stopped",
    "created",
    "updated",
    "version",
    "on_success",
    "on_failure",
)
"""Drone's Stage keys from the `stages` columns of the same names; `depends_on`, `labels`
(decoded) and `steps` follow."""

STEP_COLUMNS = (
    ("id", "id"),
    ("step_id", "stage_id"),
    ("number", "number"),
    ("name", "name"),
    ("status", "status"),
    ("error", "error"),
    ("errignore", "errignore"),
    ("exit_code", "exit_code"),
    ("started", "started"),
    ("stopped", "stopped"),
    ("version", "version"),
    ("depends_on", "depends_on"),
    ("image", "image"),
    ("detached", "detached"),
)
"""Drone's Step keys and the `steps` columns they come from (its stage is `step_id`, as in
Drone); `depends_on` is decoded."""


def build_json(build: Build, stages: Sequence[JSON] | None = None) -> JSON:
    """Drone's Build; `stages` when the answer is one build."""
    out: JSON = {name: getattr(build, name) for name in BUILD_FIELDS}
    out["params"] = json.loads(build.params or "{}")
    if stages is not None:
        out["stages"] = list(stages)
    return out


def stage_json(stage: Stage, steps: Sequence[Step]) -> JSON:
    """Drone's Stage with its steps."""
    out: JSON = {name: getattr(stage, name) for name in STAGE_FIELDS}
    out["depends_on"] = json.loads(stage.depends_on or "[]")
    out["labels"] = json.loads(stage.labels or "{}")
    out["steps"] = [step_json(step) for step in steps]
    return out


def step_json(step: Step) -> JSON:
    """Drone's Step; its stage id is `step_id`, as in Drone."""
    out: JSON = {key: getattr(step, column) for key, column in STEP_COLUMNS}
    out["depends_on"] = json.loads(step.depends_on or "[]")
    return out
