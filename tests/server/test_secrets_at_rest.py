"""Secrets at rest: never in an answer, a log line or the database outside the encrypted
column; rows cannot be swapped; config.json values are checked; rotation re-encrypts all."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from conveyor.server.crypto import Cipher, DecryptError
from conveyor.server.rotation import rotate
from conveyor.server.secret_store import decrypt_value
from conveyor.server.store.models import Secret

from .conftest import Api


def _all_answers_and_logs(api: Api, value: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    base = "/api/repos/octo/app/secrets"
    texts.append(
        api.client.post(base, json={"name": "token", "data": value}, headers=api.admin).text
    )
    texts.append(api.client.get(base, headers=api.admin).text)
    texts.append(api.client.get(base + "/token", headers=api.admin).text)
    texts.append(
        api.client.patch(base + "/token", json={"data": value + "2"}, headers=api.admin).text
    )
    texts.append(
        api.client.post(
            "/api/secrets/octo", json={"name": "org_token", "data": value}, headers=api.admin
        ).text
    )
    texts.append(api.client.get("/api/secrets", headers=api.admin).text)
    texts.append(api.client.get("/api/secrets/octo/org_token", headers=api.admin).text)
    texts.append(caplog.text)
    return texts


def _database_text(api: Api) -> bytes:
    url = make_url(str(api.state.engine.url))
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # + -wal
    pg_dump = shutil.which("pg_dump") or next(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    dump = subprocess.run(
        [
            str(pg_dump),
            "-h",
            str(url.host),
            "-p",
            str(url.port),
            "-U",
            str(url.username),
            str(url.database),
        ],
        capture_output=True,
        check=True,
    )
    return dump.stdout


def test_value_is_nowhere_but_the_encrypted_column(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.repo("octo/app")
    value = f"s3cr3t-{uuid.uuid4().hex}"
    for text in _all_answers_and_logs(api, value, caplog):
        assert value not in text
        assert '"data"' not in text
    stored = _database_text(api)
    assert b"org_token" in stored
    assert value.encode() not in stored
    with api.state.sessions() as session:
        rows = {s.name: decrypt_value(api.state.cipher, s) for s in session.scalars(select(Secret))}
    assert rows == {"token": value + "2", "org_token": value}


def test_swapped_ciphertexts_fail_to_decrypt(api: Api) -> None:
    api.repo("octo/app")
    for name in ("one", "two"):
        api.client.post(
            "/api/repos/octo/app/secrets", json={"name": name, "data": name}, headers=api.admin
        )
    with api.state.sessions.begin() as session:
        one = session.scalar(select(Secret).where(Secret.name == "one"))
        two = session.scalar(select(Secret).where(Secret.name == "two"))
        assert one is not None
        assert two is not None
        first, second = one.data, two.data
        session.execute(update(Secret).where(Secret.id == one.id).values(data=second))
        session.execute(update(Secret).where(Secret.id == two.id).values(data=first))
    with api.state.sessions() as session:
        for secret in session.scalars(select(Secret)):
            with pytest.raises(DecryptError):
                decrypt_value(api.state.cipher, secret)


def test_rotation_keeps_values_and_leaves_nothing_under_the_old_key(api: Api) -> None:
    api.repo("octo/app")
    api.client.post(
        "/api/repos/octo/app/secrets", json={"name": "a", "data": "A"}, headers=api.admin
    )
    api.client.post("/api/secrets/octo", json={"name": "b", "data": "B"}, headers=api.admin)
    old = api.state.cipher
    new = Cipher(b"n" * 32)
    with api.state.sessions.begin() as session:
        assert rotate(session, old, new) == 3  # two secrets and one webhook secret
    with api.state.sessions() as session:
        secrets = list(session.scalars(select(Secret)))
        assert sorted(decrypt_value(new, s) for s in secrets) == ["A", "B"]
        for secret in secrets:
            with pytest.raises(DecryptError):
                decrypt_value(old, secret)


DOCKER_CONFIG = '{"auths": {"127.0.0.1:5001": {"auth": "dXNlcjpwYXNz"}}}'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"auths": {"r.example": {"auth": "%%%"}}', "not valid JSON"),
        ('{"auths": {"r.example": {"auth": "%%%"}}}', "r.example"),
        ('{"auths": {}, "credsStore": "desktop"}', "credHelpers and credsStore are not allowed"),
    ],
)
def test_docker_config_values_are_checked(api: Api, value: str, message: str) -> None:
    api.repo("octo/app")
    answer = api.client.post(
        "/api/repos/octo/app/secrets", json={"name": "cfg", "data": value}, headers=api.admin
    )
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("field data: ")
    assert message in answer.json()["message"]
    assert "%%%" not in answer.json()["message"]
    good = api.client.post(
        "/api/repos/octo/app/secrets",
        json={"name": "cfg", "data": DOCKER_CONFIG},
        headers=api.admin,
    )
    assert good.status_code == 201


def test_secret_names_are_checked(api: Api) -> None:
    api.repo("octo/app")
    answer = api.client.post(
        "/api/repos/octo/app/secrets", json={"name": "a b", "data": "x"}, headers=api.admin
    )
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("field name:")


def test_sqlite_file_alone_holds_no_value(tmp_path: Path) -> None:
    """The check above searches the SQLite file; prove the search would find a plain value."""
    path = tmp_path / "probe.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES ('needle-value')")
    assert b"needle-value" in path.read_bytes()
