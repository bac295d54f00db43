"""The secrets that may leave the server for one stage: only those its plan names, after the
pull-request rule (`pull_request: false` secrets never reach a `pull_request` build).
Repository secrets win over organisation secrets of the same name; registry secrets are
checked as Docker config.json again here, since a stage may use a name saved before."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.crypto import Cipher
from conveyor.server.secret_store import (
    check_docker_config,
    decrypt_value,
    org_scope,
    repo_scope,
)
from conveyor.server.store.models import Build, Repo, Secret, Stage


def secrets_for_stage(session: Session, cipher: Cipher, stage: Stage) -> dict[str, str]:
    """Name -> decrypted value of every secret `stage` may receive; SecretValueError when a
    registry secret is not a valid Docker config.json."""
    names = set(json.loads(stage.secret_names or "[]"))
    if not names:
        return {}
    build = session.get(Build, stage.build_id)
    repo = session.get(Repo, stage.repo_id)
    assert build is not None
    assert repo is not None
    scopes = [org_scope(repo.namespace), repo_scope(repo.slug)]  # later scopes win
    rows = session.scalars(
        select(Secret).where(Secret.scope.in_(scopes), Secret.name.in_(sorted(names)))
    )
    chosen: dict[str, Secret] = {}
    for secret in sorted(rows, key=lambda s: scopes.index(s.scope)):
        chosen[secret.name] = secret
    registry = set(json.loads(stage.registry_secrets or "[]"))
    out: dict[str, str] = {}
    for name, secret in sorted(chosen.items()):
        if build.event == "pull_request" and not secret.pull_request:
            continue
        value = decrypt_value(cipher, secret)
        if name in registry:
            check_docker_config(name, value)
        out[name] = value
    return out
