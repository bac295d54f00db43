"""Benchmark: what verified reuse of a cached private image costs, against `pull: always` and
the unprotected cache, for a ~50 MB image in the local registries, in one run.

Builds a unique image (ci-test/busybox:1 + one 50 MB layer of random bytes, via `docker
commit`), pushes it to the basic-auth and token-auth registries with the test credentials,
pulls it back (the "first pipeline"), then times, per scenario, what a later step pays before
its container can start: inspect the cached image + the guard's decision, or a pull.
Only local images and 127.0.0.1 registries are used. Results: docs/perf/cache.md.

    source /tmp/testenv/env && .venv/bin/python bench/bench_cache.py [--repeat 7] [--mb 50]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker

from conveyor.cache.guard import make_guard
from conveyor.images.credentials import Credential
from conveyor.images.reference import Reference, parse_reference

BASE_IMAGE = "ci-test/busybox:1"


def _env() -> dict[str, str]:
    state = Path(os.environ.get("TESTENV_STATE_DIR", "/tmp/testenv"))
    values: dict[str, str] = {}
    for line in (state / "env").read_text().splitlines():
        if line.startswith("export "):
            key, _, raw = line[len("export ") :].partition("=")
            values[key] = raw.strip("'\"")
    return values


def _random_layer(client: docker.DockerClient, megabytes: int, tag: str) -> str:
    """ci-test/busybox:1 plus /bench/blob (random bytes), committed as `tag`; returns the id."""
    container = client.containers.create(BASE_IMAGE, command=["true"], name=f"bench-cache-{tag}")
    try:
        blob = os.urandom(megabytes * 1024 * 1024)
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            info = tarfile.TarInfo("bench/blob")
            info.size = len(blob)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(blob))
        container.put_archive("/", archive.getvalue())
        image = container.commit(repository="conveyor-bench/cache-src", tag=tag)
    finally:
        container.remove(force=True)
    assert image.id is not None
    return image.id


def _push(client: docker.DockerClient, image: str, credential: Credential) -> None:
    repository, _, tag = image.rpartition(":")
    for event in client.images.push(
        repository, tag, auth_config=credential.auth_config(), stream=True, decode=True
    ):
        if "error" in event:
            raise SystemExit(f"push of {image} failed: {event['error']}")


def _pull(client: docker.DockerClient, image: str, credential: Credential) -> None:
    repository, _, tag = image.rpartition(":")
    for event in client.api.pull(
        repository, tag=tag, auth_config=credential.auth_config(), stream=True, decode=True
    ):
        if "error" in event:
            raise SystemExit(f"pull of {image} failed: {event['error']}")


def _inspect(client: docker.DockerClient, image: str) -> dict[str, Any]:
    attrs: dict[str, Any] = client.api.inspect_image(image)  # type: ignore[no-untyped-call]
    return attrs


def _timed(
    repeat: int, action: Callable[[], None], setup: Callable[[], None] | None = None
) -> list[float]:
    times: list[float] = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


class Scenarios:
    """The timed paths for one registry: what a step pays before its container starts."""

    def __init__(
        self, client: docker.DockerClient, image: str, owner: Credential, work: Path
    ) -> None:
        self.client = client
        self.image = image
        self.reference: Reference = parse_reference(image)
        self.owner = owner
        self.stranger = Credential(
            registry=owner.registry, username="bench-other", password=uuid.uuid4().hex
        )
        self.work = work
        self.first_pipeline_dir = work / "ledger"
        attrs = _inspect(client, image)
        self.digest = next(
            d.partition("@")[2] for d in attrs["RepoDigests"] if d.startswith(owner.registry)
        )
        make_guard("verify", self.first_pipeline_dir).after_pull(
            reference=self.reference,
            digest=self.digest,
            image_id=attrs["Id"],
            credential=owner,
            candidates=(),
            cached_id=None,
        )
        # guards are made once per run, as `conveyor exec` does; steps only call before_use
        self.off_guard = make_guard("off", self.work)
        self.verify_guard = make_guard("verify", self.first_pipeline_dir)
        self.other_guard = self.verify_guard

    def make_verify_guard(self) -> None:
        make_guard("verify", self.first_pipeline_dir)

    def unprotected(self) -> None:
        self.off_guard.before_use(**self._facts([self.owner]))

    def verify_same(self) -> None:
        self.verify_guard.before_use(**self._facts([self.owner]))

    def fresh_ledger_pulled_by_stranger(self) -> None:
        """A ledger in which someone else pulled the image: the next check must ask."""
        self.fresh = Path(tempfile.mkdtemp(dir=self.work))
        make_guard("verify", self.fresh).after_pull(
            reference=self.reference,
            digest=self.digest,
            image_id=_inspect(self.client, self.image)["Id"],
            credential=self.stranger,
            candidates=(),
            cached_id=None,
        )
        self.other_guard = make_guard("verify", self.fresh)

    def verify_other(self) -> None:
        self.other_guard.before_use(**self._facts([self.owner]))

    def always_pull_warm(self) -> None:
        _pull(self.client, self.image, self.owner)
        _inspect(self.client, self.image)

    def remove_local(self) -> None:
        self.client.images.remove(self.image, force=True)  # our unique image: gone entirely

    def always_pull_cold(self) -> None:
        _pull(self.client, self.image, self.owner)
        _inspect(self.client, self.image)

    def _facts(self, candidates: list[Credential]) -> dict[str, Any]:
        attrs = _inspect(self.client, self.image)  # the runner's image lookup, in every mode
        return {
            "reference": self.reference,
            "image_id": attrs["Id"],
            "repo_digests": attrs["RepoDigests"],
            "candidates": candidates,
        }


def _row(name: str, times: list[float]) -> str:
    median = statistics.median(times) * 1000
    return f"| {name} | {median:,.1f} | {min(times) * 1000:,.1f} | {max(times) * 1000:,.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join((__doc__ or "").split("\n\n")[0].split()))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    env = _env()
    client = docker.from_env()
    run = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    source_id = _random_layer(client, args.mb, run)
    registries = [env["TEST_AUTH_REGISTRY"], env["TEST_TOKEN_REGISTRY"]]
    images = [f"{registry}/conveyor-bench/cache-{run}:1" for registry in registries]
    print(f"image: {BASE_IMAGE} + {args.mb} MB random layer; repeat {args.repeat}; run {run}")
    try:
        for registry, image in zip(registries, images, strict=True):
            owner = Credential(
                registry=registry,
                username=env["TEST_REGISTRY_USER"],
                password=env["TEST_REGISTRY_PASSWORD"],
            )
            client.images.get(source_id).tag(image)
            began = time.perf_counter()
            _push(client, image, owner)
            print(f"{registry}: push {time.perf_counter() - began:.2f} s")
        client.images.remove(source_id, force=True)  # now only the registries hold the layer
        for registry, image in zip(registries, images, strict=True):
            owner = Credential(
                registry=registry,
                username=env["TEST_REGISTRY_USER"],
                password=env["TEST_REGISTRY_PASSWORD"],
            )
            _pull(client, image, owner)  # the first pipeline
            with tempfile.TemporaryDirectory() as work:
                _report(registry, Scenarios(client, image, owner, Path(work)), args.repeat)
            # one registry's copy at a time: the next cold pull must really download
            client.images.remove(image, force=True)
    finally:
        for image in images:
            with contextlib.suppress(docker.errors.ImageNotFound):
                client.images.remove(image, force=True)


def _report(registry: str, s: Scenarios, repeat: int) -> None:
    rows = [
        (
            "(once per run) `make_guard('verify')`: open ledger, read key",
            _timed(repeat, s.make_verify_guard),
        ),
        ("unprotected cache (`off`): inspect", _timed(repeat, s.unprotected)),
        ("verified reuse, same credentials: inspect + ledger", _timed(repeat, s.verify_same)),
        (
            "verified reuse, other credentials: inspect + ledger + registry HEAD",
            _timed(repeat, s.verify_other, setup=s.fresh_ledger_pulled_by_stranger),
        ),
        (
            "`pull: always`, image cached (daemon re-checks manifest)",
            _timed(repeat, s.always_pull_warm),
        ),
        (
            "`pull: always`, image not cached (full 50 MB pull)",
            _timed(repeat, s.always_pull_cold, setup=s.remove_local),
        ),
    ]
    print(f"\n### {registry}\n")
    print("| time to make the cached image usable | median ms | min ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, times in rows:
        print(_row(name, times))


if __name__ == "__main__":
    main()
