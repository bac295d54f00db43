"""The errors a step gets when the image guard refuses a cached image: what was asked, as whom
(by source, never a value) and what to do. Pure: builds messages only.
"""

from __future__ import annotations

from collections.abc import Sequence

from conveyor import errors
from conveyor.cache.ledger import ImageKey
from conveyor.images.credentials import Credential
from conveyor.images.matching import display_key
from conveyor.images.reference import Reference
from conveyor.registry.access import AccessCheck


def denied_error(
    reference: Reference,
    candidates: Sequence[Credential],
    checks: Sequence[AccessCheck],
    *,
    served: ImageKey,
) -> errors.ImageAccessDeniedError:
    """The step's error when every context was refused; names sources, never values.

    `served` is the registry and repository that were asked (another one than the step's
    name says for a retagged image).
    """
    registry, repository = served.registry, served.repository
    image = reference.familiar() + _copy_of(reference, served)
    if candidates:
        sources = sorted(
            {c.source or display_key(c.key) or "an unnamed source" for c in candidates}
        )
        who = (
            f"the registry refused the {len(candidates)} credential(s) this pipeline has for "
            f"{registry} (from {', '.join(sources)}) and anonymous access"
        )
    else:
        who = f"this pipeline has no credential for {registry} and anonymous access was refused"
    tag_only = served.digest is None
    what = "at that tag" if tag_only else "at that digest"
    if candidates and any(check.not_found for check in checks[: len(candidates)]):
        return errors.ImageAccessDeniedError(
            f"Cached image {image} cannot be verified: registry {registry} accepted "
            f"this pipeline's login but does not serve {repository} {what}, so nothing "
            "shows that this pipeline may read the cached copy.",
            hint=(
                "push the image to that registry, or give it a name in a registry this "
                "pipeline can read (see docs/security.md)"
            ),
        )
    hint = (
        f"put a Docker config.json with a login for {registry} that may pull {repository} "
        "in a secret and list that secret under `image_pull_secrets` (see docs/security.md)"
    )
    if tag_only:
        hint += (
            "; an image built or tagged on this host that no registry serves cannot be "
            "verified: push it, or give it a name in a registry this pipeline can read"
        )
    return errors.ImageAccessDeniedError(
        f"Cached image {image} is private and this pipeline may not read it "
        f"{what}: {who} ({checks[0].reason}).",
        hint=hint,
    )


def unreachable_error(
    reference: Reference, reason: str, *, served: ImageKey
) -> errors.ImageAccessDeniedError:
    """The step's error when the registry cannot be asked and nothing vouches for this context."""
    return errors.ImageAccessDeniedError(
        f"Cannot check that this pipeline may use cached image {reference.familiar()}"
        f"{_copy_of(reference, served)}: registry {served.registry} cannot be asked ({reason}) "
        "and this pipeline's credentials were never verified for that repository, so the step "
        "fails closed.",
        hint=(
            "retry when the registry answers; a runner may skip this check with "
            "--image-cache-mode off (see docs/security.md)"
        ),
    )


def _copy_of(reference: Reference, served: ImageKey) -> str:
    """` (a copy of REGISTRY/REPOSITORY)` for a retagged image, else nothing."""
    if (served.registry, served.repository) == (reference.domain, reference.path):
        return ""
    return f" (a copy of {served.registry}/{served.repository})"
