"""The verify guard on the real Docker engine and the local registries (semantics.md section 5).

A first "pipeline" pulls a private image with valid credentials (recorded by `after_pull`);
then other credential contexts ask to run the cached copy. Same credentials must make no
registry request (counted in the registries' access logs); a valid user without access, a
wrong password and no credentials are refused; an image tagged locally under a private
registry's name is checked too. Every image name holds a uuid, so concurrent runs don't mix.
"""

from __future__ import annotations

import contextlib
import io
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import pytest

from conveyor import errors
from conveyor.cache.guard import OpenGuard, VerifyingGuard, make_guard
from conveyor.images.credentials import Credential
from conveyor.images.reference import parse_reference
from conveyor.registry.access import AccessCheck, check_access
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker

RUN = uuid.uuid4().hex[:10]
REPO = f"conveyor-cache-it/private-{RUN}"
"""A repository only this test module uses: its log lines are ours alone."""


@dataclass(frozen=True)
class Pulled:
    registry: str
    image: str
    image_id: str
    repo_digests: tuple[str, ...]


def _login(env: LocalEnv, registry: str, who: str) -> list[Credential]:
    logins = {
        "same": (env.user, env.password),
        "other-user": (env.other_user, env.other_password),
        "wrong-password": (env.user, "not-the-password"),
    }
    if who == "none":
        return []
    user, password = logins[who]
    return [Credential(registry=registry, username=user, password=password, source=f"secret {who}")]


def _inspect(client: docker.DockerClient, image: str) -> dict[str, Any]:
    attrs: dict[str, Any] = client.api.inspect_image(image)  # type: ignore[no-untyped-call]
    return attrs


def _log_hits(env: LocalEnv, needle: str) -> int:
    """Lines that mention `needle` in every registry and token-service log."""
    hits = 0
    for log in sorted(env.state_dir.glob("logs/*.log")):
        with log.open(errors="replace") as lines:
            hits += sum(needle in line for line in lines)
    return hits


def _settled_hits(env: LocalEnv, needle: str) -> int:
    env.settle_logs()  # a registry writes its access line just after the response
    return _log_hits(env, needle)


def _pull(client: docker.DockerClient, image: str, credential: Credential) -> None:
    repository, _, tag = image.rpartition(":")
    for event in client.api.pull(
        repository, tag=tag, auth_config=credential.auth_config(), stream=True, decode=True
    ):
        if "error" in event:
            raise AssertionError(f"pull of {image} failed: {event['error']}")


@pytest.fixture(scope="module")
def client(testenv: LocalEnv) -> Iterator[docker.DockerClient]:
    engine = docker.from_env()
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def private_images(testenv: LocalEnv, client: docker.DockerClient) -> Iterator[dict[str, Pulled]]:
    """REPO:1 pushed to the basic and token registries (the ACL front serves the basic one's
    storage), removed locally, then pulled back with the full user's credentials."""
    dockerfile = f"FROM {testenv.image}\nLABEL conveyor.test.run={RUN}\n"
    built, _ = client.images.build(fileobj=io.BytesIO(dockerfile.encode()), pull=False, rm=True)
    assert built.id is not None
    for registry in (testenv.auth_registry, testenv.token_registry):
        built.tag(f"{registry}/{REPO}", "1")
        credential = _login(testenv, registry, "same")[0]
        for event in client.images.push(
            f"{registry}/{REPO}",
            "1",
            auth_config=credential.auth_config(),
            stream=True,
            decode=True,
        ):
            assert "error" not in event, event
    client.images.remove(built.id, force=True)  # ours alone (a fresh label): nothing else uses it
    pulled: dict[str, Pulled] = {}
    for registry in (testenv.auth_registry, testenv.token_registry, testenv.acl_registry):
        image = f"{registry}/{REPO}:1"
        _pull(client, image, _login(testenv, registry, "same")[0])
        attrs = _inspect(client, image)
        pulled[registry] = Pulled(
            registry=registry,
            image=image,
            image_id=attrs["Id"],
            repo_digests=tuple(attrs["RepoDigests"]),
        )
    yield pulled
    for item in pulled.values():
        with contextlib.suppress(docker.errors.NotFound):
            client.images.remove(item.image_id, force=True)


def _first_pipeline(
    env: LocalEnv, state_dir: Path, item: Pulled
) -> tuple[VerifyingGuard, list[str]]:
    """A guard whose ledger says: `item` was pulled with the full user's credentials."""
    lines: list[str] = []
    guard = make_guard("verify", state_dir, report=lines.append)
    assert isinstance(guard, VerifyingGuard)
    digest = next(d.partition("@")[2] for d in item.repo_digests if d.startswith(item.registry))
    guard.after_pull(
        reference=parse_reference(item.image),
        digest=digest,
        image_id=item.image_id,
        credential=_login(env, item.registry, "same")[0],
        candidates=(),
        cached_id=None,
    )
    return guard, lines


def _use(guard: VerifyingGuard | OpenGuard, item: Pulled, candidates: list[Credential]) -> None:
    guard.before_use(
        reference=parse_reference(item.image),
        image_id=item.image_id,
        repo_digests=item.repo_digests,
        candidates=candidates,
    )


REGISTRIES = ["auth_registry", "token_registry", "acl_registry"]


@pytest.mark.parametrize("registry_attr", REGISTRIES)
def test_same_credentials_run_without_a_registry_request(
    testenv: LocalEnv, private_images: dict[str, Pulled], tmp_path: Path, registry_attr: str
) -> None:
    item = private_images[getattr(testenv, registry_attr)]
    guard, _ = _first_pipeline(testenv, tmp_path, item)
    before = _settled_hits(testenv, REPO)
    _use(guard, item, _login(testenv, item.registry, "same"))
    assert _settled_hits(testenv, REPO) == before
    # the count does move when the guard does ask: the silence above is real
    with pytest.raises(errors.ImageAccessDeniedError):
        _use(guard, item, [])
    assert _settled_hits(testenv, REPO) > before


@pytest.mark.parametrize("registry_attr", REGISTRIES)
@pytest.mark.parametrize("who", ["other-user", "wrong-password", "none"])
def test_other_contexts_are_refused(
    testenv: LocalEnv,
    private_images: dict[str, Pulled],
    tmp_path: Path,
    registry_attr: str,
    who: str,
) -> None:
    item = private_images[getattr(testenv, registry_attr)]
    guard, _ = _first_pipeline(testenv, tmp_path, item)
    candidates = _login(testenv, item.registry, who)
    with pytest.raises(errors.ImageAccessDeniedError) as caught:
        _use(guard, item, candidates)
    text = caught.value.render()
    assert "is private" in text
    assert "image_pull_secrets" in text
    assert testenv.password not in text
    assert testenv.other_password not in text


@pytest.mark.parametrize("registry_attr", REGISTRIES)
def test_another_login_with_access_is_verified_once(
    testenv: LocalEnv, private_images: dict[str, Pulled], tmp_path: Path, registry_attr: str
) -> None:
    """An image this ledger never saw pulled (unknown provenance) and a pipeline whose first
    candidate is refused: the registry is asked in order, and the answer is remembered."""
    item = private_images[getattr(testenv, registry_attr)]
    lines: list[str] = []
    unknown = make_guard("verify", tmp_path, report=lines.append)
    candidates = _login(testenv, item.registry, "wrong-password") + _login(
        testenv, item.registry, "same"
    )
    _use(unknown, item, candidates)  # never pulled through this ledger: unknown provenance
    assert "confirmed" in lines[-1]
    before = _settled_hits(testenv, REPO)
    _use(unknown, item, candidates)
    assert _settled_hits(testenv, REPO) == before


def test_image_tagged_locally_under_a_private_name(
    testenv: LocalEnv, client: docker.DockerClient, tmp_path: Path
) -> None:
    """No RepoDigests: the guard can only ask for the tag, and the registry has no such tag."""
    name = f"{testenv.auth_registry}/{REPO}-local"
    # A committed copy has an image id of its own: no pull or push of the shared test image
    # (by another test, or another checkout on this engine) can have given it RepoDigests.
    container = client.containers.create(testenv.image, command="true")
    try:
        container.commit(repository=name, tag=RUN, changes=[f"LABEL conveyor-test={RUN}"])
    finally:
        container.remove(force=True)
    try:
        attrs = _inspect(client, f"{name}:{RUN}")
        assert attrs["RepoDigests"] == []
        guard = make_guard("verify", tmp_path)
        for candidates, expected in (
            ([], "may not read it at that tag"),
            (_login(testenv, testenv.auth_registry, "same"), "does not serve .* at that tag"),
        ):
            with pytest.raises(errors.ImageAccessDeniedError, match=expected):
                guard.before_use(
                    reference=parse_reference(f"{name}:{RUN}"),
                    image_id=attrs["Id"],
                    repo_digests=attrs["RepoDigests"],
                    candidates=candidates,
                )
    finally:
        client.api.remove_image(f"{name}:{RUN}")  # the committed copy; ci-test/busybox stays


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_registry_fails_closed_unless_verified_before(
    testenv: LocalEnv, private_images: dict[str, Pulled], tmp_path: Path
) -> None:
    item = private_images[testenv.auth_registry]
    same = _login(testenv, item.registry, "same")
    dead = _closed_port()

    def registry_down(
        *, registry: str, repository: str, reference: str, credential: Credential | None
    ) -> AccessCheck:
        return check_access(
            registry=f"127.0.0.1:{dead}",
            repository=repository,
            reference=reference,
            credential=credential,
        )

    offline = make_guard("verify", tmp_path, checker=registry_down)
    with pytest.raises(errors.ImageAccessDeniedError, match="fails closed"):
        _use(offline, item, same)  # unknown provenance, never verified: no blind run
    online = make_guard("verify", tmp_path)
    _use(online, item, same)  # the real registry confirms; the ledger remembers
    # a newer image of the same repository while the registry is down: the credential
    # context was verified for that repository before, so it runs
    newer = Pulled(
        registry=item.registry,
        image=item.image,
        image_id="sha256:" + "7" * 64,
        repo_digests=(f"{item.registry}/{REPO}@sha256:" + "8" * 64,),
    )
    _use(offline, newer, same)
    with pytest.raises(errors.ImageAccessDeniedError, match="fails closed"):
        _use(offline, newer, _login(testenv, item.registry, "other-user"))


def test_unreachable_registry_never_falls_back_on_an_anonymous_record(
    testenv: LocalEnv, private_images: dict[str, Pulled], tmp_path: Path
) -> None:
    """Issue 8: an anonymous record of the repository (a public past, or a pull an older
    Conveyor recorded without proof) and a dead registry: a pipeline without credentials
    fails closed, and nothing says "credentials were verified"."""
    item = private_images[testenv.auth_registry]
    dead = _closed_port()
    lines: list[str] = []

    def registry_down(
        *, registry: str, repository: str, reference: str, credential: Credential | None
    ) -> AccessCheck:
        return check_access(
            registry=f"127.0.0.1:{dead}",
            repository=repository,
            reference=reference,
            credential=credential,
        )

    offline = make_guard("verify", tmp_path, checker=registry_down, report=lines.append)
    assert isinstance(offline, VerifyingGuard)
    digest = next(d.partition("@")[2] for d in item.repo_digests if d.startswith(item.registry))
    offline.after_pull(
        reference=parse_reference(item.image),
        digest=digest,
        image_id=item.image_id,
        credential=None,
        candidates=(),
        cached_id=None,
    )
    newer = Pulled(
        registry=item.registry,
        image=item.image,
        image_id="sha256:" + "9" * 64,
        repo_digests=(f"{item.registry}/{REPO}@sha256:" + "a" * 64,),
    )
    with pytest.raises(errors.ImageAccessDeniedError, match="fails closed"):
        _use(offline, newer, [])
    assert not any("verified" in line for line in lines), lines


@pytest.mark.parametrize("registry_attr", ["auth_registry", "token_registry"])
def test_engine_pull_then_reuse_with_the_login_that_worked(
    testenv: LocalEnv,
    client: docker.DockerClient,
    private_images: dict[str, Pulled],
    tmp_path: Path,
    registry_attr: str,
) -> None:
    """engine.pull tries a wrong login first; the guard records the one that worked, and a
    later step of a pipeline holding that login runs with no registry request."""
    from conveyor.engine.docker.pull import pull_image

    registry = getattr(testenv, registry_attr)
    reference = parse_reference(f"{registry}/{REPO}:1")
    candidates = _login(testenv, registry, "wrong-password") + _login(testenv, registry, "same")
    result = pull_image(client, reference, candidates)
    assert result.credential == candidates[1]
    guard = make_guard("verify", tmp_path)
    guard.after_pull(
        reference=reference,
        digest=result.digest,
        image_id=result.image_id,
        credential=result.credential,
        candidates=(),
        cached_id=None,
    )
    attrs = _inspect(client, reference.string())
    before = _settled_hits(testenv, REPO)
    guard.before_use(
        reference=reference,
        image_id=attrs["Id"],
        repo_digests=attrs["RepoDigests"],
        candidates=_login(testenv, registry, "same"),
    )
    assert _settled_hits(testenv, REPO) == before
