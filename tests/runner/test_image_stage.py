"""The image stage on the fake engine: guard calls, credentials for pulls, one pull per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from conveyor.engine.contract import ImageInfo
from conveyor.engine.fake import FakeEngine
from conveyor.errors import ImageAccessDeniedError
from conveyor.images.credentials import Credential
from conveyor.images.policy import PullPolicy
from conveyor.images.reference import Reference
from conveyor.plan.model import StepPlan
from conveyor.registry.settings import RegistrySources
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import (
    ImageCached,
    PullFinished,
    PullProgressed,
    Recorder,
    RunFinished,
)
from conveyor.runner.executor import Executor
from tests.runner.builders import CACHED, IMAGE, job, plan, serial, step

PRIVATE = "127.0.0.1:5001/ci-test/remote-only:1"
LOGIN = Credential(
    registry="127.0.0.1:5001", username="u", password="s3cret-pw", source="secret cfg"
)


class Guard:
    def __init__(self, *, force: bool = False, deny: bool = False) -> None:
        self.force = force
        self.deny = deny
        self.calls: list[tuple[str, str]] = []
        self.cached_ids: list[str | None] = []

    def forces_pull(self) -> bool:
        return self.force

    def before_use(
        self,
        *,
        reference: Reference,
        image_id: str,
        repo_digests: Sequence[str],
        candidates: Sequence[Credential],
    ) -> None:
        self.calls.append(("before_use", reference.string()))
        if self.deny:
            raise ImageAccessDeniedError(f"this pipeline may not use {reference.familiar()}")

    def after_pull(
        self,
        *,
        reference: Reference,
        digest: str | None,
        image_id: str,
        credential: Credential | None,
        candidates: Sequence[Credential],
        cached_id: str | None,
    ) -> None:
        source = credential.source if credential else "anonymous"
        self.calls.append(("after_pull", f"{reference.string()} {source}"))
        self.cached_ids.append(cached_id)


class Creds:
    problems: list[str] = []

    def __init__(
        self,
        configs: Sequence[tuple[str, str]],
        sources: RegistrySources,
        build: Mapping[str, str],
    ) -> None:
        pass

    def candidates_for(self, reference: Reference) -> list[Credential]:
        return [LOGIN] if reference.domain == LOGIN.registry else []


def run(engine: FakeEngine, guard: Guard, *steps: StepPlan) -> tuple[Recorder, RunFinished]:
    recorder = Recorder()
    executor = Executor(engine, sink=recorder, guard=guard, credentials=Creds)
    return recorder, executor.run(job(plan(*serial(*steps))))


def test_cached_image_is_checked_once_per_run() -> None:
    guard = Guard()
    recorder, _ = run(FakeEngine(images=CACHED), guard, step("a"), step("b"))
    assert guard.calls == [("before_use", IMAGE)]
    assert sum(isinstance(e, ImageCached) for e in recorder.events) == 2


def test_denied_cached_image_is_an_error_status() -> None:
    guard = Guard(deny=True)
    engine = FakeEngine(images=CACHED)
    _, result = run(engine, guard, step("a"))
    assert result.status is RunStatus.FAILURE
    first = result.results[0]
    assert first.status is StepStatus.ERROR
    assert "may not use" in (first.message or "")
    assert engine.names("create") == []


def test_always_pull_mode_pulls_cached_images() -> None:
    guard = Guard(force=True)
    engine = FakeEngine(images=CACHED)
    run(engine, guard, step("a"))
    assert engine.names("pull") == [IMAGE]
    assert guard.calls == [("after_pull", f"{IMAGE} anonymous")]


def test_pull_uses_the_candidates_and_reports_the_source() -> None:
    guard = Guard()
    engine = FakeEngine(images=CACHED)
    recorder, _ = run(engine, guard, step("a", image=PRIVATE, pull=PullPolicy.ALWAYS))
    assert engine.pulled_with[PRIVATE] == [LOGIN]
    assert guard.calls == [("after_pull", f"{PRIVATE} secret cfg")]
    finished = [e for e in recorder.events if isinstance(e, PullFinished)]
    assert finished[0].credential_source == "secret cfg"
    assert any(isinstance(e, PullProgressed) for e in recorder.events)
    assert "s3cret-pw" not in repr(recorder.events)


@pytest.mark.parametrize("policy", [PullPolicy.ALWAYS, PullPolicy.DEFAULT])
def test_one_pull_per_image_per_run(policy: PullPolicy) -> None:
    latest = "docker.io/ci-test/busybox:latest"
    engine = FakeEngine(images=CACHED)
    run(engine, Guard(), *(step(n, image=latest, pull=policy) for n in "abc"))
    assert engine.names("pull") == [latest]


class RecordingGuard(Guard):
    def __init__(self) -> None:
        super().__init__()
        self.candidates: list[Credential] = []

    def before_use(
        self,
        *,
        reference: Reference,
        image_id: str,
        repo_digests: Sequence[str],
        candidates: Sequence[Credential],
    ) -> None:
        self.candidates = list(candidates)
        super().before_use(
            reference=reference,
            image_id=image_id,
            repo_digests=repo_digests,
            candidates=candidates,
        )


def test_a_copy_retagged_from_another_registry_is_checked_with_that_registry_logins() -> None:
    served = f"{PRIVATE.rsplit(':', 1)[0]}@sha256:" + "2" * 64
    retagged = "docker.io/innocent/name:1"
    engine = FakeEngine(
        images={retagged: ImageInfo(image_id="sha256:" + "2" * 64, repo_digests=(served,))}
    )
    guard = RecordingGuard()
    run(engine, guard, step("a", image=retagged))
    assert guard.candidates == [LOGIN]


def test_an_image_served_under_its_own_name_gets_only_its_own_logins() -> None:
    served = "docker.io/ci-test/busybox@sha256:" + "3" * 64
    engine = FakeEngine(
        images={IMAGE: ImageInfo(image_id="sha256:" + "3" * 64, repo_digests=(served,))}
    )
    guard = RecordingGuard()
    run(engine, guard, step("a"))
    assert guard.candidates == []


def test_the_guard_learns_what_the_engine_held_before_a_pull() -> None:
    guard = Guard(force=True)
    engine = FakeEngine(images=CACHED)
    run(engine, guard, step("a"), step("b", image=PRIVATE, pull=PullPolicy.ALWAYS))
    assert guard.cached_ids == [CACHED[IMAGE].image_id, None]


def test_the_cached_image_is_looked_up_again_right_before_a_pull() -> None:
    """Another run may pull the image between this run's first look and its own pull."""
    guard = Guard()
    engine = FakeEngine()
    latest = "docker.io/ci-test/busybox:latest"
    engine.images[latest] = ImageInfo(image_id="sha256:" + "4" * 64)
    run(engine, guard, step("a", image=latest))
    assert engine.names("inspect").count(latest) == 2
    assert guard.cached_ids == ["sha256:" + "4" * 64]


def test_a_digest_pull_is_judged_without_a_second_look() -> None:
    guard = Guard()
    engine = FakeEngine()
    pinned = "127.0.0.1:5001/ci-test/remote-only@sha256:" + "5" * 64
    run(engine, guard, step("a", image=pinned, pull=PullPolicy.ALWAYS))
    assert engine.names("pull") == [pinned]
    assert guard.cached_ids == [None]
