"""Issue 5's matrix through the real `conveyor exec`, the real engine and the private registries.

Per registry (basic auth with per-user rules on :5004, token auth on :5002) a first pipeline
pulls `ci-test/remote-only:1` with testuser's login into a fresh ledger; then every
{policy that uses the cache} x {testuser, otheruser (valid, no access), no login} runs it
from the cache. Authorized uses run without a registry request (counted in the access log),
unauthorized ones fail before any container starts. Also: `--image-cache-mode off` and
`always-pull`, and an image tagged on this host under a private registry's name.
"""

from __future__ import annotations

import contextlib
import io
import time
import uuid
from collections.abc import Iterator

import docker
import pytest

from tests.cli.cache_matrix_support import (
    IMAGE_OUTPUT,
    PRIVATE_REPOSITORY,
    Lab,
    Outcome,
    Policy,
    Who,
)
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker

REGISTRIES = ("acl", "token")
CACHE_POLICIES = (Policy.DEFAULT, Policy.IF_NOT_EXISTS, Policy.NEVER)
RUN = uuid.uuid4().hex[:10]
LOCAL_REPOSITORY = f"ci-test/unique-{RUN}"
"""A repository no registry serves: this module tags a local image under it."""


class Labs:
    """One Lab per registry, made on first use; `pulled` also runs the first pipeline once."""

    def __init__(
        self, env: LocalEnv, client: docker.DockerClient, factory: pytest.TempPathFactory
    ) -> None:
        self._env = env
        self._client = client
        self._factory = factory
        self._labs: dict[str, Lab] = {}
        self.first: dict[str, tuple[Outcome, int]] = {}

    def get(self, name: str) -> Lab:
        if name not in self._labs:
            logs = {
                "acl": (self._env.registry_log("acl"),),
                "token": (
                    self._env.registry_log("token"),
                    self._env.state_dir / "logs" / "token-server.log",
                ),
            }[name]
            host = {"acl": self._env.acl_registry, "token": self._env.token_registry}[name]
            root = self._factory.mktemp(f"matrix-{name}")
            self._labs[name] = Lab(self._env, self._client, host, logs, root)
        return self._labs[name]

    def pulled(self, name: str) -> Lab:
        """The lab whose ledger says: testuser pulled the private image (and it is cached)."""
        lab = self.get(name)
        if name not in self.first:
            mark = lab.mark()
            outcome = lab.first_pull()
            self.first[name] = (outcome, lab.awaited_new_lines(mark))
            assert outcome.code == 0, outcome
        lab.ensure_cached()
        return lab


@pytest.fixture(scope="module")
def client(testenv: LocalEnv) -> Iterator[docker.DockerClient]:
    engine = docker.from_env()
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def labs(
    testenv: LocalEnv, client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory
) -> Labs:
    return Labs(testenv, client, tmp_path_factory)


@pytest.fixture(scope="module")
def local_only(testenv: LocalEnv, client: docker.DockerClient) -> Iterator[str]:
    """An image built here (never pulled, no RepoDigests) tagged LOCAL_REPOSITORY:1 under each
    private registry; yields its id. Its label is unique, so removing it touches nothing else."""
    dockerfile = f"FROM {testenv.image}\nLABEL conveyor.test.matrix={RUN}\n"
    built, _ = client.images.build(fileobj=io.BytesIO(dockerfile.encode()), pull=False, rm=True)
    assert built.id is not None
    names = [
        f"{host}/{LOCAL_REPOSITORY}" for host in (testenv.acl_registry, testenv.token_registry)
    ]
    for name in names:
        assert built.tag(name, "1")
    try:
        yield built.id
    finally:
        for name in names:
            with contextlib.suppress(docker.errors.ImageNotFound):
                client.images.remove(f"{name}:1")
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(built.id, force=True)


def assert_ran(outcome: Outcome) -> None:
    assert outcome.code == 0, outcome
    assert outcome.output_of() == ["+ cat /etc/ci-test-image", IMAGE_OUTPUT], outcome


def assert_never_started(outcome: Outcome) -> None:
    assert outcome.code == 1, outcome
    assert not outcome.started(), outcome
    assert IMAGE_OUTPUT not in outcome.output_of(), outcome
    assert "private | -- error" in outcome.out, outcome


def assert_no_secret_shown(env: LocalEnv, outcome: Outcome) -> None:
    for value in (env.password, env.other_password):
        assert value not in outcome.out + outcome.err


def assert_refused_as_private(lab: Lab, outcome: Outcome, image: str) -> None:
    assert_never_started(outcome)
    assert f"Cached image {image} is private and this pipeline may not read it" in outcome.out
    assert "image_pull_secrets" in outcome.out
    assert_no_secret_shown(lab.env, outcome)


@pytest.mark.parametrize("registry", REGISTRIES)
def test_first_pipeline_pulls_the_private_image_into_a_fresh_ledger(
    labs: Labs, registry: str
) -> None:
    lab = labs.pulled(registry)
    outcome, requests = labs.first[registry]
    assert_ran(outcome)
    assert f"pulling {lab.image} ... done" in outcome.out
    assert "credentials from secret dockerconfig" in outcome.out
    assert requests > 0, "the pull must show in the registry's access log (positive control)"
    # (registry, repository, fingerprint) of each row: a pull when the engine fetched the
    # image, a registry check when it was already cached (other suites share the engine)
    rows = [(r[1], r[2], r[5]) if r[0] == "pull" else (r[2], r[3], r[1]) for r in lab.ledger_rows()]
    assert [row[:2] for row in rows] == [(lab.registry, PRIVATE_REPOSITORY)], rows
    assert str(rows[0][2]).startswith("hmac-sha256:"), "testuser's fingerprint, not anonymous"
    for path in lab.state_dir.iterdir():  # the ledger, its WAL and the key
        assert lab.env.password.encode() not in path.read_bytes()


@pytest.mark.parametrize("who", list(Who))
@pytest.mark.parametrize("policy", CACHE_POLICIES)
@pytest.mark.parametrize("registry", REGISTRIES)
def test_cached_private_image(labs: Labs, registry: str, policy: Policy, who: Who) -> None:
    lab = labs.pulled(registry)
    if who is Who.TESTUSER:
        outcome, requests = lab.quietest(lambda: lab.use_cached(policy, who))
        assert_ran(outcome)
        assert f"private | -- using cached {lab.image}" in outcome.out
        assert requests == 0, f"a reuse with the pulling login asked the registry: {outcome}"
        return
    mark = lab.mark()
    outcome = lab.use_cached(policy, who)
    assert_refused_as_private(lab, outcome, lab.image)
    if who is Who.OTHERUSER:
        assert "the registry refused the 1 credential(s)" in outcome.out
        assert "(from secret dockerconfig)" in outcome.out
    else:
        assert f"this pipeline has no credential for {lab.registry}" in outcome.out
    assert lab.awaited_new_lines(mark) > 0, "the refusal comes from the registry itself"


@pytest.mark.parametrize("registry", REGISTRIES)
def test_cache_mode_off_runs_an_unauthorized_use_with_a_warning(labs: Labs, registry: str) -> None:
    lab = labs.pulled(registry)
    outcome, requests = lab.quietest(
        lambda: lab.use_cached(Policy.IF_NOT_EXISTS, Who.NOBODY, "--image-cache-mode", "off")
    )
    assert_ran(outcome)
    assert "conveyor: warning: image cache mode is off" in outcome.err
    assert "Drone's behaviour" in outcome.err
    assert requests == 0, f"mode off asked the registry: {outcome}"


@pytest.mark.parametrize("who", list(Who))
@pytest.mark.parametrize("registry", REGISTRIES)
def test_cache_mode_always_pull_pulls_even_a_cached_image(
    labs: Labs, registry: str, who: Who
) -> None:
    lab = labs.pulled(registry)
    mark = lab.mark()
    outcome = lab.use(Policy.IF_NOT_EXISTS, who, "--image-cache-mode", "always-pull")
    assert "using cached" not in outcome.out
    if who is not Who.NOBODY:  # without a login, Docker stops at basic auth's /v2/ challenge
        assert lab.awaited_new_lines(mark) > 0, "every step pulls: the registry sees it"
    if who is Who.TESTUSER:
        assert_ran(outcome)
        assert f"pulling {lab.image} ... done" in outcome.out
        return
    assert_never_started(outcome)
    assert f"cannot pull {lab.image} from {lab.registry}" in outcome.out
    assert_no_secret_shown(lab.env, outcome)
    if who is Who.NOBODY:
        assert "image_pull_secrets" in outcome.out
    else:
        assert f"the registry refused every credential for {lab.registry}" in outcome.out


@pytest.mark.parametrize("who", list(Who))
@pytest.mark.parametrize("registry", REGISTRIES)
def test_image_tagged_locally_under_a_private_name_is_refused(
    labs: Labs, local_only: str, registry: str, who: Who
) -> None:
    """No registry serves that tag, so no login (not even testuser's) can vouch for it."""
    lab = labs.get(registry)
    image = f"{lab.registry}/{LOCAL_REPOSITORY}:1"
    mark = lab.mark()
    outcome = lab.use(Policy.DEFAULT, who, image=image)
    assert_never_started(outcome)
    assert_no_secret_shown(lab.env, outcome)
    if who is Who.TESTUSER:
        # the login is good: the registry has no such tag, and the message says so
        assert f"Cached image {image} cannot be verified" in outcome.out
        assert f"accepted this pipeline's login but does not serve {LOCAL_REPOSITORY}" in (
            outcome.out
        )
        assert "push the image to that registry" in outcome.out
    else:
        assert_refused_as_private(lab, outcome, image)
        assert "may not read it at that tag" in outcome.out
        assert "an image built or tagged on this host that no registry serves" in outcome.out
        assert "push it, or give it a name in a registry this pipeline can read" in outcome.out
    asked = lab.awaited_new_lines(mark, LOCAL_REPOSITORY)
    assert asked > 0, "the registry that the name claims is asked for the tag"


@pytest.mark.parametrize("who", list(Who))
@pytest.mark.parametrize("registry", REGISTRIES)
def test_a_private_image_retagged_under_a_docker_hub_name_is_judged_where_it_came_from(
    labs: Labs, client: docker.DockerClient, registry: str, who: Who
) -> None:
    """`docker tag <private image> innocent/name:1`: renaming does not make it public."""
    lab = labs.pulled(registry)
    alias = f"innocent/retagged-{RUN}-{registry}"
    assert client.images.get(lab.image).tag(alias, "1")
    try:
        outcome = lab.use(Policy.IF_NOT_EXISTS, who, image=f"{alias}:1")
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(f"{alias}:1")
    if who is Who.TESTUSER:
        assert_ran(outcome)
    else:
        assert_never_started(outcome)
        # the same content may have been served by several test registries: any is named
        assert "(a copy of 127.0.0.1:" in outcome.out
        assert f"/{PRIVATE_REPOSITORY}) is private" in outcome.out
        assert_no_secret_shown(lab.env, outcome)


def test_a_max_age_makes_an_old_reuse_ask_the_registry_again(labs: Labs) -> None:
    """`--image-cache-max-age`: after it, even the login that pulled the image is re-checked."""
    lab = labs.pulled("acl")
    time.sleep(1.2)
    mark = lab.mark()
    outcome = lab.use(Policy.IF_NOT_EXISTS, Who.TESTUSER, "--image-cache-max-age", "1s")
    assert_ran(outcome)
    assert lab.awaited_new_lines(mark) > 0, "the old ledger entry must not vouch for the image"
    assert "the registry confirmed that this pipeline may read it" in outcome.err
