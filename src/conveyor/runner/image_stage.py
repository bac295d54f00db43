"""Getting each step's image ready: the pull decision, the pull, and the image-guard calls.

An image is looked up once per run and pulled at most once per run (a second step with the same
image and a pulling policy reuses this run's fresh pull). It never creates containers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from conveyor.engine.contract import Engine, ImageInfo, PullProgress
from conveyor.errors import PullError
from conveyor.images.credentials import Credential
from conveyor.images.decision import PullAction, decide, missing_image_message
from conveyor.images.reference import Reference, parse_reference, parse_repo_digests
from conveyor.plan.model import StepPlan
from conveyor.runner.events import (
    Event,
    ImageCached,
    Notice,
    PullFinished,
    PullProgressed,
    PullStarted,
)
from conveyor.runner.image_guard import ImageGuard


class Candidates(Protocol):
    """The credential set of a run (registry.sources.CredentialSet)."""

    problems: list[str]
    """Problems met so far; a credential helper asked for an image may add one."""

    def candidates_for(self, reference: Reference) -> list[Credential]:
        """Credentials to try for `reference`, in order."""
        ...


class ImageStage:
    """Makes images ready for steps; safe to call from several step threads."""

    def __init__(
        self,
        engine: Engine,
        *,
        credentials: Candidates,
        guard: ImageGuard,
        emit: Callable[[Event], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._credentials = credentials
        self._guard = guard
        self._emit = emit
        self._clock = clock
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._info: dict[str, ImageInfo | None] = {}
        self._pulled: set[str] = set()
        self._verified: set[str] = set()
        self._reported = len(credentials.problems)  # the executor reported these already

    def preflight(self, steps: Iterable[StepPlan]) -> dict[str, str]:
        """Steps whose image may not be pulled and is absent (`pull: never`) -> the error."""
        problems: dict[str, str] = {}
        for step in steps:
            reference = parse_reference(step.image)
            action = decide(step.pull, reference, self._lookup(step.image) is not None)
            if action is PullAction.FAIL:
                problems[step.name] = missing_image_message(reference, step.pull)
        return problems

    def ensure(self, step: StepPlan) -> None:
        """Pull or verify the image of `step`; raises PullError or ImageAccessDeniedError."""
        reference = parse_reference(step.image)
        with self._image_lock(step.image):
            if step.image in self._pulled:
                return
            info = self._lookup(step.image)
            action = decide(step.pull, reference, info is not None)
            if action is PullAction.FAIL:
                raise PullError(missing_image_message(reference, step.pull))
            candidates = self._candidates_for(reference)
            if (
                info is not None
                and action is PullAction.USE_CACHE
                and not self._guard.forces_pull()
            ):
                self._use_cached(step, reference, info, candidates)
            else:
                self._pull(step, reference, candidates)

    def _use_cached(
        self,
        step: StepPlan,
        reference: Reference,
        info: ImageInfo,
        candidates: Sequence[Credential],
    ) -> None:
        if step.image not in self._verified:
            self._guard.before_use(
                reference=reference,
                image_id=info.image_id,
                repo_digests=info.repo_digests,
                candidates=self._with_provenance(reference, info, candidates),
            )
            self._verified.add(step.image)
        self._emit(ImageCached(step=step.name, image=step.image, policy=step.pull))

    def _with_provenance(
        self, reference: Reference, info: ImageInfo, candidates: Sequence[Credential]
    ) -> list[Credential]:
        """The step's logins, then this run's logins for every other registry that served the
        image (a copy retagged under another registry's name is judged where it came from)."""
        found = list(candidates)
        for served in parse_repo_digests(info.repo_digests):
            if served.domain != reference.domain:
                found.extend(c for c in self._candidates_for(served) if c not in found)
        return found

    def _candidates_for(self, reference: Reference) -> list[Credential]:
        """The run's logins for `reference`; problems this brings up (a credential helper that
        failed or hung) are reported now, once, instead of silently meaning "no login"."""
        found = self._credentials.candidates_for(reference)
        with self._lock:
            fresh = self._credentials.problems[self._reported :]
            self._reported += len(fresh)
        for problem in fresh:
            self._emit(Notice(message=problem))
        return found

    def _pull(self, step: StepPlan, reference: Reference, candidates: Sequence[Credential]) -> None:
        # What the engine holds right now (not at preflight): the guard compares it with what
        # the pull leaves, and a digest pull is judged the same whatever was there.
        cached = None if reference.digest else self._engine.image_info(step.image)
        self._emit(PullStarted(step=step.name, image=step.image))
        began = self._clock()

        def progress(update: PullProgress) -> None:
            self._emit(PullProgressed(step=step.name, image=step.image, progress=update))

        result = self._engine.pull(reference, candidates, progress)
        self._guard.after_pull(
            reference=reference,
            digest=result.digest,
            image_id=result.image_id,
            credential=result.credential,
            candidates=candidates,
            cached_id=cached.image_id if cached is not None else None,
        )
        self._pulled.add(step.image)
        self._info[step.image] = ImageInfo(image_id=result.image_id)
        self._emit(
            PullFinished(
                step=step.name,
                image=step.image,
                digest=result.digest,
                seconds=self._clock() - began,
                credential_source=result.credential.source if result.credential else None,
            )
        )

    def _lookup(self, image: str) -> ImageInfo | None:
        if image not in self._info:
            self._info[image] = self._engine.image_info(image)
        return self._info[image]

    def _image_lock(self, image: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(image, threading.Lock())
