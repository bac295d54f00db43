"""A pull by digest proves nothing (issue 8): the engine answers "Image is up to date" for a
digest it holds without asking the registry for the manifest, so Conveyor asks the registry
itself with the pipeline's own logins, and never records such a pull as a proof.

Through the real `conveyor exec`, the real engine and the private registries (basic auth on
:5001, token auth on :5002): a first pipeline pulls `ci-test/remote-only:1` with testuser's
login; then a pipeline without credentials asks for the same image by digest.
"""

from __future__ import annotations

from collections.abc import Iterator

import docker
import pytest

from tests.cli.cache_matrix_support import PRIVATE_REPOSITORY, Lab, Policy, Who, pipeline
from tests.cli.test_cache_matrix_docker import assert_never_started, assert_no_secret_shown
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def client(testenv: LocalEnv) -> Iterator[docker.DockerClient]:
    engine = docker.from_env()
    yield engine
    engine.close()


def _lab(
    env: LocalEnv, client: docker.DockerClient, factory: pytest.TempPathFactory, name: str
) -> Lab:
    host = env.auth_registry if name == "auth" else env.token_registry
    logs = [env.registry_log(name)]
    if name == "token":
        logs.append(env.state_dir / "logs" / "token-server.log")
    return Lab(env, client, host, tuple(logs), factory.mktemp(f"digest-{name}"))


def _digest(lab: Lab) -> str:
    """The digest under which the lab's registry served the private image."""
    digests: list[str] = lab.client.images.get(lab.image).attrs["RepoDigests"]
    prefix = f"{lab.registry}/{PRIVATE_REPOSITORY}@"
    return next(d.removeprefix(prefix) for d in digests if d.startswith(prefix))


def _anonymous_rows(lab: Lab) -> list[tuple[object, ...]]:
    return [row for row in lab.ledger_rows() if "anonymous" in row]


@pytest.mark.parametrize("mode", ["verify", "always-pull"])
@pytest.mark.parametrize("registry", ["auth", "token"])
def test_a_digest_pull_without_credentials_cannot_run_a_cached_private_image(
    testenv: LocalEnv,
    client: docker.DockerClient,
    tmp_path_factory: pytest.TempPathFactory,
    registry: str,
    mode: str,
) -> None:
    lab = _lab(testenv, client, tmp_path_factory, registry)
    first = lab.first_pull()
    assert first.code == 0, first
    pinned = f"{lab.registry}/{PRIVATE_REPOSITORY}@{_digest(lab)}"
    lab.ensure_cached()

    by_digest = lab.exec(
        pipeline(pinned, policy=Policy.ALWAYS, login=False), "--image-cache-mode", mode
    )
    assert_never_started(by_digest)
    assert "this pipeline has no credential for" in by_digest.out
    assert _anonymous_rows(lab) == [], "an unverified pull was recorded as a proof"

    by_tag = lab.use_cached(Policy.NEVER, Who.NOBODY)
    assert_never_started(by_tag)
    assert_no_secret_shown(testenv, by_digest)


@pytest.mark.parametrize("registry", ["auth", "token"])
def test_a_digest_pull_with_the_pulling_login_runs(
    testenv: LocalEnv,
    client: docker.DockerClient,
    tmp_path_factory: pytest.TempPathFactory,
    registry: str,
) -> None:
    lab = _lab(testenv, client, tmp_path_factory, registry)
    assert lab.first_pull().code == 0
    pinned = f"{lab.registry}/{PRIVATE_REPOSITORY}@{_digest(lab)}"
    outcome = lab.exec(pipeline(pinned, policy=Policy.ALWAYS, login=True), who=Who.TESTUSER)
    assert outcome.code == 0, outcome
    assert outcome.output_of() == ["+ cat /etc/ci-test-image", "remote-only"], outcome
    assert _anonymous_rows(lab) == []
