"""Saving and reading secrets at rest: values are encrypted with scope and name as associated
data; a value that is (or must be) a Docker config.json is checked with the same parser as
`conveyor exec`. Errors name the field and the key, never a value."""

from __future__ import annotations

import json
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.errors import CredentialError
from conveyor.images.dockerconfig import parse_docker_config
from conveyor.server.crypto import Cipher, secret_aad
from conveyor.server.store.models import Repo, Secret, Stage


class SecretValueError(ValueError):
    """A value that cannot be saved; the message names the secret and the key."""


def repo_scope(slug: str) -> str:
    """The scope of a repository's secrets."""
    return f"repo:{slug}"


def org_scope(org: str) -> str:
    """The scope of an organisation's secrets."""
    return f"org:{org}"


def registry_secret_names(session: Session, repo: Repo) -> set[str]:
    """Names the repository's pipelines list under `image_pull_secrets` (from its latest
    stages): their values must be Docker config.json documents."""
    rows = session.scalars(
        select(Stage.registry_secrets)
        .where(Stage.repo_id == repo.id)
        .order_by(Stage.id.desc())
        .limit(20)
    )
    names: set[str] = set()
    for text in rows:
        names.update(json.loads(text or "[]"))
    return names


def looks_like_docker_config(value: str) -> bool:
    """A JSON object that mentions `auths`: meant as a Docker config.json, so checked as one."""
    stripped = value.lstrip()
    return stripped.startswith("{") and '"auths"' in stripped


def check_docker_config(name: str, value: str) -> None:
    """SecretValueError naming the key when `value` is not a usable Docker config.json."""
    source = f"secret {name}"
    try:
        config = parse_docker_config(value, source=source)
    except CredentialError as exc:
        raise SecretValueError(exc.message) from None
    if config.errors:
        raise SecretValueError(config.errors[0].message)
    if config.helpers:
        raise SecretValueError(
            f"{source}: credHelpers and credsStore are not allowed in a secret "
            "(a secret never makes the runner execute a program)"
        )


def check_value(name: str, value: str, *, registry: bool) -> None:
    """Refuse a value that must be (or claims to be) a Docker config.json and is not one."""
    if registry or looks_like_docker_config(value):
        check_docker_config(name, value)


def encrypt_value(cipher: Cipher, scope: str, name: str, value: str) -> bytes:
    """The stored form of a secret value."""
    return cipher.encrypt(value.encode(), aad=secret_aad(scope, name))


def decrypt_value(cipher: Cipher, secret: Secret) -> str:
    """The plaintext of a stored secret (DecryptError if the row was tampered with)."""
    return cipher.decrypt(secret.data, aad=secret_aad(secret.scope, secret.name)).decode()


def new_secret(
    cipher: Cipher,
    *,
    scope: str,
    name: str,
    value: str,
    repo_id: int | None = None,
    namespace: str | None = None,
    pull_request: bool = False,
    pull_request_push: bool = False,
) -> Secret:
    """A secret row with its value encrypted."""
    now = int(time.time())
    return Secret(
        scope=scope,
        repo_id=repo_id,
        namespace=namespace,
        name=name,
        data=encrypt_value(cipher, scope, name, value),
        pull_request=pull_request,
        pull_request_push=pull_request_push,
        created=now,
        updated=now,
    )
