"""Adding, replacing and removing repository and organisation secrets: the one copy of the rules
(name syntax, one name per scope, Docker config.json for registry names) that the REST API and
the web pages both call. Errors name the secret and the key, never a value."""

from __future__ import annotations

import re
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.crypto import Cipher
from conveyor.server.secret_store import (
    check_value,
    encrypt_value,
    new_secret,
    org_scope,
    registry_secret_names,
    repo_scope,
)
from conveyor.server.store.models import Repo, Secret

NAME_PATTERN = r"^[A-Za-z0-9._-]+$"
"""What a secret name may hold (the API's body models use the same pattern)."""
NAME_MAX = 500
VALUE_MAX = 65536


class SecretNameError(ValueError):
    """A secret name that cannot be used."""


class SecretExistsError(ValueError):
    """A secret of that name already exists in the scope."""


def check_name(name: str) -> str:
    """`name` when it is a usable secret name; SecretNameError otherwise."""
    if not name:
        raise SecretNameError("a secret name is required")
    if len(name) > NAME_MAX or not re.fullmatch(NAME_PATTERN, name):
        raise SecretNameError(
            f"a secret name is letters, digits, '.', '_' or '-' (at most {NAME_MAX})"
        )
    return name


def list_secrets(session: Session, scope: str) -> list[Secret]:
    """The scope's secrets by name (rows; their values stay encrypted)."""
    return list(session.scalars(select(Secret).where(Secret.scope == scope).order_by(Secret.name)))


def find_secret(session: Session, scope: str, name: str) -> Secret | None:
    """The secret `name` of `scope`, or None (also for a name that cannot exist)."""
    if not re.fullmatch(NAME_PATTERN, name):
        return None
    return session.scalar(select(Secret).where(Secret.scope == scope, Secret.name == name))


def org_secrets_for(session: Session, repo: Repo) -> list[Secret]:
    """The organisation secrets `repo`'s builds may use (its owner's), by name."""
    return list_secrets(session, org_scope(repo.namespace))


def is_registry_name(session: Session, repo: Repo, name: str) -> bool:
    """Whether the repository's pipelines list `name` under `image_pull_secrets`."""
    return name in registry_secret_names(session, repo)


def add_secret(
    session: Session,
    cipher: Cipher,
    *,
    scope: str,
    name: str,
    value: str,
    registry: bool,
    repo_id: int | None = None,
    namespace: str | None = None,
    pull_request: bool = False,
    pull_request_push: bool = False,
) -> Secret:
    """Save a new secret; SecretExistsError if the name is taken, SecretValueError if the value
    must be a Docker config.json and is not one."""
    if session.scalar(select(Secret.id).where(Secret.scope == scope, Secret.name == name)):
        raise SecretExistsError(f"secret {name} already exists")
    check_value(name, value, registry=registry)
    secret = new_secret(
        cipher,
        scope=scope,
        name=name,
        value=value,
        repo_id=repo_id,
        namespace=namespace,
        pull_request=pull_request,
        pull_request_push=pull_request_push,
    )
    session.add(secret)
    session.flush()
    return secret


def add_repo_secret(
    session: Session,
    cipher: Cipher,
    repo: Repo,
    *,
    name: str,
    value: str,
    pull_request: bool = False,
    pull_request_push: bool = False,
    registry: bool = False,
) -> Secret:
    """`add_secret` in the repository's scope; the value is checked as a Docker config.json
    when `registry` is set or the repository's pipelines use the name as a registry login."""
    return add_secret(
        session,
        cipher,
        scope=repo_scope(repo.slug),
        name=name,
        value=value,
        registry=registry or is_registry_name(session, repo, name),
        repo_id=repo.id,
        pull_request=pull_request,
        pull_request_push=pull_request_push,
    )


def change_secret(
    cipher: Cipher,
    secret: Secret,
    *,
    registry: bool,
    value: str | None = None,
    pull_request: bool | None = None,
    pull_request_push: bool | None = None,
) -> None:
    """Replace the value and/or flags that are given; SecretValueError for a value that must
    be a Docker config.json and is not one (nothing is changed then)."""
    if value is not None:
        check_value(secret.name, value, registry=registry)
        secret.data = encrypt_value(cipher, secret.scope, secret.name, value)
    if pull_request is not None:
        secret.pull_request = pull_request
    if pull_request_push is not None:
        secret.pull_request_push = pull_request_push
    secret.updated = int(time.time())
