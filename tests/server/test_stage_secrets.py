"""Only the secrets a stage names leave the server, after the pull-request rule; repository
secrets win over organisation ones; registry secrets are checked again when a stage uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from conveyor.server.secret_store import SecretValueError
from conveyor.server.stage_secrets import secrets_for_stage
from conveyor.server.store.models import Build, Stage

from .builds_support import make_project
from .conftest import Api

CONFIG = '{"auths": {"127.0.0.1:5001": {"auth": "dXNlcjpwYXNz"}}}'


def _secret(api: Api, path: str, name: str, data: str, **flags: bool) -> None:
    answer = api.client.post(path, json={"name": name, "data": data, **flags}, headers=api.admin)
    assert answer.status_code == 201, answer.text


def _first_stage_secrets(api: Api, event: str | None = None) -> dict[str, str]:
    with api.state.sessions.begin() as session:
        stage = session.scalar(select(Stage).order_by(Stage.id))
        assert stage is not None
        if event is not None:
            build = session.get(Build, stage.build_id)
            assert build is not None
            build.event = event
        return secrets_for_stage(session, api.state.cipher, stage)


def test_only_named_secrets_after_the_pull_request_rule(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    repo_path = "/api/repos/octo/app/secrets"
    _secret(api, repo_path, "token", "repo-token")
    _secret(api, repo_path, "dockerconfig", CONFIG, pull_request=True)
    _secret(api, repo_path, "unrelated", "never-sent")
    _secret(api, "/api/secrets/octo", "token", "org-token")
    _secret(api, "/api/secrets/other", "dockerconfig", "other-org")
    project.build()
    assert _first_stage_secrets(api) == {"token": "repo-token", "dockerconfig": CONFIG}
    assert _first_stage_secrets(api, "pull_request") == {"dockerconfig": CONFIG}


def test_org_secret_is_used_when_the_repo_has_none(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    _secret(api, "/api/secrets/octo", "token", "org-token")
    project.build()
    assert _first_stage_secrets(api) == {"token": "org-token"}


def test_registry_secret_is_checked_when_used(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    _secret(api, "/api/repos/octo/app/secrets", "dockerconfig", "user:password")
    project.build()
    with pytest.raises(SecretValueError, match="secret dockerconfig is not valid JSON"):
        _first_stage_secrets(api)
    # Now the server knows the name is an image_pull_secret: saving it is checked too.
    answer = api.client.patch(
        "/api/repos/octo/app/secrets/dockerconfig",
        json={"data": "still-not-json"},
        headers=api.admin,
    )
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("field data: secret dockerconfig")


def test_a_stage_without_names_gets_nothing(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    _secret(api, "/api/repos/octo/app/secrets", "token", "repo-token")
    project.build()
    with api.state.sessions.begin() as session:
        stage = session.scalar(select(Stage).order_by(Stage.id.desc()))
        assert stage is not None
        assert json.loads(stage.secret_names) == []
        assert secrets_for_stage(session, api.state.cipher, stage) == {}
