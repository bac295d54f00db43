"""pull_image through the real Docker engine against the local auth registries.

The credential is the one the resolver chose from a config.json like TEST_DOCKER_AUTH_CONFIG.
Before each pull only the registry-prefixed tag that the test pulls is removed; other tests
may pull the same image at the same time, so a missing image or an "in use" conflict on
removal is fine.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import docker
import pytest

from conveyor.engine.contract import PullProgress
from conveyor.engine.docker.pull import pull_image
from conveyor.errors import PullError
from conveyor.images.reference import Reference, parse_reference
from conveyor.registry.sources import collect_credentials
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def client(testenv: LocalEnv) -> Iterator[docker.DockerClient]:
    engine = docker.from_env()
    try:
        yield engine
    finally:
        engine.close()


def remove_local(client: docker.DockerClient, reference: Reference) -> None:
    try:
        client.images.remove(reference.familiar())
    except docker.errors.ImageNotFound:
        pass
    except docker.errors.APIError as exc:
        if exc.status_code != 409:  # in use by another test's container: fine
            raise


@pytest.fixture
def cleanup(client: docker.DockerClient) -> Iterator[list[Reference]]:
    """References listed here lose their local tag when the test ends (what we pulled)."""
    pulled: list[Reference] = []
    yield pulled
    for ref in pulled:
        remove_local(client, ref)


def remote(env: LocalEnv, registry: str) -> Reference:
    return parse_reference(f"{registry}/{env.image_remote}")


def config(*entries: tuple[str, str, str]) -> str:
    auths = {
        key: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
        for key, user, password in entries
    }
    return json.dumps({"auths": auths})


@pytest.mark.parametrize("which", ["auth_registry", "token_registry"])
def test_pull_with_the_credential_the_resolver_chose(
    testenv: LocalEnv, client: docker.DockerClient, cleanup: list[Reference], which: str
) -> None:
    registry = getattr(testenv, which)
    ref = remote(testenv, registry)
    cleanup.append(ref)
    creds = collect_credentials(secret_configs=[("dockerconfig", testenv.docker_auth_config)])
    assert creds.problems == []
    candidates = creds.candidates_for(ref)
    assert [c.key for c in candidates] == [registry]
    remove_local(client, ref)
    progress: list[PullProgress] = []
    result = pull_image(client, ref, candidates, on_progress=progress.append, timeout=120)
    assert result.credential == candidates[0]
    assert result.attempts == 1
    assert result.digest is not None
    assert result.digest.startswith("sha256:")
    assert result.reference == f"{registry}/ci-test/remote-only:1"
    assert progress
    assert progress[0].status.startswith("Pulling from")


@pytest.mark.parametrize("which", ["auth_registry", "token_registry"])
def test_wrong_password_fails_cleanly(
    testenv: LocalEnv, client: docker.DockerClient, which: str
) -> None:
    registry = getattr(testenv, which)
    ref = remote(testenv, registry)
    text = config((registry, testenv.user, "wrong-password-123"))
    creds = collect_credentials(secret_configs=[("badconfig", text)]).candidates_for(ref)
    remove_local(client, ref)
    with pytest.raises(PullError) as caught:
        pull_image(client, ref, creds, timeout=60, sleep=lambda _: None)
    message = caught.value.message
    assert message.startswith(f"cannot pull {registry}/ci-test/remote-only:1 from {registry} ")
    assert f"1 credential tried: secret badconfig key '{registry}'" in message
    assert "wrong-password-123" not in caught.value.render()


@pytest.mark.parametrize("which", ["auth_registry", "token_registry"])
def test_first_candidate_wrong_second_right_succeeds_every_time(
    testenv: LocalEnv, client: docker.DockerClient, cleanup: list[Reference], which: str
) -> None:
    """The seed's gcr.io + https://gcr.io case on a real registry: no intermittent failure."""
    registry = getattr(testenv, which)
    ref = remote(testenv, registry)
    cleanup.append(ref)
    text = config(
        (f"http://{registry}/", testenv.user, testenv.password),  # right, but not the exact key
        (registry, testenv.user, "stale-password"),  # exact key: tried first, refused
    )
    candidates = collect_credentials(secret_configs=[("dockerconfig", text)]).candidates_for(ref)
    assert [c.key for c in candidates] == [registry, f"http://{registry}/"]
    for _ in range(2):
        remove_local(client, ref)
        result = pull_image(client, ref, candidates, timeout=120, sleep=lambda _: None)
        assert result.credential == candidates[1]
        assert result.attempts == 2


@pytest.mark.parametrize("which", ["auth_registry", "token_registry"])
def test_anonymous_pull_of_private_image_suggests_image_pull_secrets(
    testenv: LocalEnv, client: docker.DockerClient, which: str
) -> None:
    registry = getattr(testenv, which)
    ref = remote(testenv, registry)
    remove_local(client, ref)
    with pytest.raises(PullError) as caught:
        pull_image(client, ref, [], timeout=60, sleep=lambda _: None)
    assert "no credentials were used" in caught.value.message
    assert caught.value.hint is not None
    assert "image_pull_secrets" in caught.value.hint


def test_missing_tag_is_not_found_without_retries(
    testenv: LocalEnv, client: docker.DockerClient
) -> None:
    ref = parse_reference(f"{testenv.auth_registry}/ci-test/remote-only:no-such-tag")
    creds = collect_credentials(secret_configs=[("dockerconfig", testenv.docker_auth_config)])
    pauses: list[float] = []
    with pytest.raises(PullError, match="manifest unknown"):
        pull_image(client, ref, creds.candidates_for(ref), timeout=60, sleep=pauses.append)
    assert pauses == []
