"""The pure core of verified reuse (semantics.md section 5): may a pipeline run a cached image
without asking, whom to ask the registry as, and what the answers mean.

No I/O, no clock, no environment: facts come in as arguments, verdicts go out as enums.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from enum import StrEnum
from typing import TypeVar

from conveyor.cache.fingerprint import ANONYMOUS
from conveyor.images.access import AccessVerdict

C = TypeVar("C")


class ImageCacheMode(StrEnum):
    """How the runner treats cached images (`--image-cache-mode`)."""

    VERIFY = "verify"
    ALWAYS_PULL = "always-pull"
    OFF = "off"


class Reuse(StrEnum):
    """The ledger's answer before any network call."""

    PUBLIC = "public"
    """Pulled (or verified) anonymously: anyone may read it."""
    SHARED_CREDENTIAL = "shared-credential"
    """Pulled (or verified) with a credential this pipeline holds too."""
    ASK_REGISTRY = "ask-registry"


class PullEvidence(StrEnum):
    """What a successful pull proves about the credential context that pulled."""

    FETCHED = "fetched"
    """The engine had to ask the registry for this image with that context: a proof."""
    UNPROVEN = "unproven"
    """The engine may have answered from its own store without asking anyone: no proof."""


class Outcome(StrEnum):
    """The final word on one use of a cached image."""

    RUN_VERIFIED = "run-verified"
    """The registry let one of this pipeline's contexts read it now."""
    RUN_PREVIOUSLY_VERIFIED = "run-previously-verified"
    """The registry could not be asked, but this context was verified for the repository before."""
    DENY = "deny"
    """Every context was refused."""
    FAIL_UNREACHABLE = "fail-unreachable"
    """The registry could not be asked and this context was never verified: fail closed."""


def reuse_without_asking(known_readers: Collection[str], pipeline: Collection[str]) -> Reuse:
    """RUN without a registry call when the image is public or the pipeline shares a reader."""
    if ANONYMOUS in known_readers:
        return Reuse.PUBLIC
    if any(fingerprint in known_readers for fingerprint in pipeline if fingerprint != ANONYMOUS):
        return Reuse.SHARED_CREDENTIAL
    return Reuse.ASK_REGISTRY


def pull_evidence(*, by_digest: bool, id_before: str | None, id_after: str) -> PullEvidence:
    """Does a pull prove that its context may read the image (docs/security.md, "Pulls")?

    A digest names content the engine may hold already, and it then answers "up to date"
    without requesting the manifest. A tag the engine did not hold under this name can only be
    resolved by the registry. A tag whose image is unchanged proves nothing on its own: the
    engine may have resolved it, but nothing here depends on that.
    """
    if by_digest:
        return PullEvidence.UNPROVEN
    if id_before is not None and (not id_after or id_after == id_before):
        return PullEvidence.UNPROVEN
    return PullEvidence.FETCHED


def contexts_to_ask(candidates: Sequence[C]) -> list[C | None]:
    """The pipeline's candidates in order, then anonymous (None): a public image needs no login."""
    return [*candidates, None]


def ask_in_order(
    contexts: Sequence[C], ask: Callable[[C], AccessVerdict]
) -> tuple[C | None, tuple[AccessVerdict, ...]]:
    """Ask with each context until one is allowed or the registry is unreachable.

    Returns the allowed context (None if none) and every verdict received, in order. A denial
    moves on to the next context; an unreachable registry stops (the next try would only wait
    for the same timeout).
    """
    verdicts: list[AccessVerdict] = []
    for context in contexts:
        verdict = ask(context)
        verdicts.append(verdict)
        if verdict is AccessVerdict.ALLOWED:
            return context, tuple(verdicts)
        if verdict is AccessVerdict.UNREACHABLE:
            break
    return None, tuple(verdicts)


def fallback_contexts(pipeline: Iterable[str]) -> list[str]:
    """The contexts whose earlier success may stand in for an unreachable registry.

    Only the pipeline's own logins: an anonymous record vouches for everyone, so counting it
    would let a pipeline without credentials run any digest of a repository once read
    anonymously (it may have turned private since, or the record may be about another digest).
    """
    return [fingerprint for fingerprint in pipeline if fingerprint != ANONYMOUS]


def judge(verdicts: Sequence[AccessVerdict], *, verified_before: bool) -> Outcome:
    """Turn the registry's verdicts into an outcome; unreachable fails closed unless known."""
    if AccessVerdict.ALLOWED in verdicts:
        return Outcome.RUN_VERIFIED
    if verdicts and all(v is AccessVerdict.DENIED for v in verdicts):
        return Outcome.DENY
    return Outcome.RUN_PREVIOUSLY_VERIFIED if verified_before else Outcome.FAIL_UNREACHABLE
