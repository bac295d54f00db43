"""Pass `image`: every image reference normalised the way Docker does (`golang` ->
`docker.io/library/golang:latest`), so the runner, the pull policy and the credential
matching all see one spelling. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from conveyor.compiler.passes import StepSource
from conveyor.errors import ConfigError, InvalidReferenceError
from conveyor.images.reference import parse_reference
from conveyor.plan.model import StepPlan


def resolve_image(plan: StepPlan, source: StepSource) -> StepPlan:
    """The step's `image:` as a normalised reference; ConfigError if absent or invalid."""
    step = source.step
    if not step.image:
        raise ConfigError(
            f"{source.label} has no image; add `image:` with the image to run.",
            span=step.span,
        )
    try:
        reference = parse_reference(step.image)
    except InvalidReferenceError as exc:
        raise ConfigError(
            f"{source.label}: {exc.message}", span=step.span_of("image"), hint=exc.hint
        ) from None
    return replace(plan, image=reference.string())
