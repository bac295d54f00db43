"""The hook through which the private-image-cache check (semantics.md section 5) joins a run.

The runner calls `before_use` before a step runs a cached image and `after_pull` after each
pull; the cache room implements the checks (cache/guard.py, whose `OpenGuard` is Drone's
behaviour, mode `off`). The caller always chooses the guard: the runner has no default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conveyor.images.credentials import Credential
from conveyor.images.reference import Reference


class ImageGuard(Protocol):
    """Decides whether a pipeline may run an image it did not pull itself."""

    def forces_pull(self) -> bool:
        """True in `always-pull` mode: every step pulls its image."""
        ...

    def before_use(
        self,
        *,
        reference: Reference,
        image_id: str,
        repo_digests: Sequence[str],
        candidates: Sequence[Credential],
    ) -> None:
        """Called before a step runs a cached image; may raise errors.ImageAccessDeniedError."""
        ...

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
        """Called after a successful pull, with the credential that succeeded, the pipeline's
        candidates and the id of the image cached under that name before the pull (None:
        absent); may raise errors.ImageAccessDeniedError when the pull proves nothing."""
        ...
