"""The ImageGuard implementations the runner calls (runner/image_guard.py protocol) and
`make_guard`, the one place a mode becomes a guard.

`verify` checks a cached image's provenance in the ledger and, when needed, with the registry
(semantics.md section 5); `always-pull` makes every step pull; `off` is Drone's behaviour.
Decisions live in cache/decision.py; this module only gathers facts and acts on verdicts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from conveyor import errors
from conveyor.cache.decision import (
    ImageCacheMode,
    Outcome,
    PullEvidence,
    Reuse,
    ask_in_order,
    contexts_to_ask,
    fallback_contexts,
    judge,
    pull_evidence,
    reuse_without_asking,
)
from conveyor.cache.fingerprint import ANONYMOUS, KEY_FILE, Fingerprinter
from conveyor.cache.ledger import LEDGER_FILE, ImageKey, Ledger
from conveyor.cache.refusals import denied_error, unreachable_error
from conveyor.cache.state_dir import prepare_state_dir
from conveyor.images.access import AccessVerdict
from conveyor.images.credentials import Credential
from conveyor.images.matching import registry_host
from conveyor.images.reference import (
    DEFAULT_DOMAIN,
    DEFAULT_TAG,
    Reference,
    parse_repo_digests,
)
from conveyor.registry.access import AccessCheck, Scheme, check_access, default_scheme

OFF_NOTICE = (
    "image cache mode is off: any pipeline may run an image that another pipeline pulled with "
    "private credentials (Drone's behaviour; see docs/security.md)"
)


class AccessChecker(Protocol):
    """registry.access.check_access, or a stand-in with the same keywords."""

    def __call__(
        self, *, registry: str, repository: str, reference: str, credential: Credential | None
    ) -> AccessCheck: ...


class VerifyingGuard:
    """`verify` mode: run a cached image only when this pipeline may read it."""

    __slots__ = ("_check", "_clock", "_fingerprints", "_ledger", "_max_age", "_report")

    def __init__(
        self,
        *,
        ledger: Ledger,
        fingerprinter: Fingerprinter,
        checker: AccessChecker,
        clock: Callable[[], float] = time.time,
        max_age: float | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        self._ledger = ledger
        self._fingerprints = fingerprinter
        self._check = checker
        self._clock = clock
        self._max_age = max_age
        self._report = report

    @property
    def notice(self) -> str | None:
        """A line for the run log when the mode weakens security (None here)."""
        return None

    def forces_pull(self) -> bool:
        return False

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
        """Record who pulled what when the pull proves it; otherwise ask the registry.

        `cached_id` is the image the engine held under this name before the pull (None:
        none). A pull the engine may have answered from its own store (`pull_evidence`) is
        judged like a cached image, with this pipeline's `candidates`; it is never recorded
        as a pull, and a refusal raises ImageAccessDeniedError.
        """
        evidence = pull_evidence(
            by_digest=reference.digest is not None, id_before=cached_id, id_after=image_id
        )
        key = ImageKey(
            registry=reference.domain,
            repository=reference.path,
            digest=digest or reference.digest,
            image_id=image_id,
        )
        if evidence is PullEvidence.UNPROVEN:
            self._vouch(reference, [key], candidates)
            return
        if not digest and not image_id:
            return  # the image vanished right after its pull: nothing to vouch for
        self._ledger.record_pull(key, self._fingerprints.of(credential))

    def before_use(
        self,
        *,
        reference: Reference,
        image_id: str,
        repo_digests: Sequence[str],
        candidates: Sequence[Credential],
    ) -> None:
        """Return if this pipeline may run the cached image; raise ImageAccessDeniedError if not.

        The image is judged by where it came from: its digests under the name the step uses;
        else (retagged) every repository that served it, in order, the first that lets this
        pipeline read it sufficing; else (never pulled, no RepoDigests) the registry its name
        claims, except a Docker Hub name, which no registry served with anyone's credentials:
        a local build, run without a check.
        """
        keys = provenance_keys(reference, image_id, repo_digests)
        if not keys:
            return  # built or imported on this host: no registry served it to anyone
        self._vouch(reference, keys, candidates)

    def _vouch(
        self, reference: Reference, keys: Sequence[ImageKey], candidates: Sequence[Credential]
    ) -> None:
        """Return if the ledger or the registry lets this pipeline read one of `keys`."""
        pipeline = [ANONYMOUS, *(self._fingerprints.of(c) for c in candidates)]
        floor = self._floor()
        readers: set[str] = set()
        for key in keys:
            readers |= self._ledger.known_readers(key, since=floor)
        if reuse_without_asking(readers, pipeline) is not Reuse.ASK_REGISTRY:
            return
        refusals: list[errors.ImageAccessDeniedError] = []
        for key in _one_per_repository(keys):
            usable = [c for c in candidates if c.registry == registry_host(key.registry)]
            try:
                self._verify_with_registry(reference, key, usable, floor)
            except errors.ImageAccessDeniedError as refusal:
                refusals.append(refusal)
                continue
            return
        raise refusals[0]

    def _verify_with_registry(
        self,
        reference: Reference,
        key: ImageKey,
        candidates: Sequence[Credential],
        floor: float | None,
    ) -> None:
        target = key.digest or reference.tag or DEFAULT_TAG
        checks: list[AccessCheck] = []

        def ask(credential: Credential | None) -> AccessVerdict:
            answer = self._check(
                registry=key.registry,
                repository=key.repository,
                reference=target,
                credential=credential,
            )
            checks.append(answer)
            return answer.verdict

        allowed, verdicts = ask_in_order(contexts_to_ask(candidates), ask)
        verified_before = (
            AccessVerdict.UNREACHABLE in verdicts
            and self._ledger.verified_repository(
                key.registry,
                key.repository,
                fallback_contexts(self._fingerprints.of(c) for c in candidates),
                since=floor,
            )
        )
        outcome = judge(verdicts, verified_before=verified_before)
        name = reference.familiar()
        if outcome is Outcome.RUN_VERIFIED:
            self._ledger.record_verification(key, self._fingerprints.of(allowed))
            self._say(f"{name}: the registry confirmed that this pipeline may read it")
        elif outcome is Outcome.RUN_PREVIOUSLY_VERIFIED:
            self._say(
                f"{name}: registry {key.registry} is unreachable ({checks[-1].reason}); "
                "running because this pipeline's own login was verified for that repository "
                "before"
            )
        elif outcome is Outcome.DENY:
            raise denied_error(reference, candidates, checks, served=key)
        else:
            raise unreachable_error(reference, checks[-1].reason, served=key)

    def _floor(self) -> float | None:
        return None if self._max_age is None else self._clock() - self._max_age

    def _say(self, line: str) -> None:
        if self._report is not None:
            self._report(line)


class AlwaysPullGuard(VerifyingGuard):
    """`always-pull` mode: every step pulls (a failed pull fails the step).

    If the runner still asks before using a cached image, the `verify` rules apply.
    """

    __slots__ = ()

    def forces_pull(self) -> bool:
        return True


class OpenGuard:
    """`off` mode: Drone's behaviour, no ledger, no check; the caller prints `notice`.

    The one null guard: tests and benchmarks that need no check use it too.
    """

    __slots__ = ()

    @property
    def notice(self) -> str | None:
        return OFF_NOTICE

    def forces_pull(self) -> bool:
        return False

    def before_use(
        self,
        *,
        reference: Reference,
        image_id: str,
        repo_digests: Sequence[str],
        candidates: Sequence[Credential],
    ) -> None:
        return None

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
        return None


def default_state_dir(environ: Mapping[str, str], home: Path) -> Path:
    """`$CONVEYOR_STATE_DIR`, else `$XDG_STATE_HOME/conveyor`, else `~/.local/state/conveyor`.

    The caller passes the environment (`os.environ`) and home directory; nothing is read here.
    """
    if explicit := environ.get("CONVEYOR_STATE_DIR"):
        return Path(explicit)
    if xdg := environ.get("XDG_STATE_HOME"):
        return Path(xdg) / "conveyor"
    return home / ".local" / "state" / "conveyor"


def make_guard(
    mode: ImageCacheMode | str,
    state_dir: Path,
    *,
    timeout: float = 5.0,
    insecure_registries: Collection[str] = (),
    checker: AccessChecker | None = None,
    clock: Callable[[], float] = time.time,
    max_age: float | None = None,
    report: Callable[[str], None] | None = None,
) -> VerifyingGuard | OpenGuard:
    """The guard for `mode` (`verify`, `always-pull`, `off`), keeping its ledger in `state_dir`.

    `insecure_registries` are spoken to over plain HTTP besides loopback ones; `max_age`
    (seconds) makes older ledger entries count as unknown; `report` receives status lines.
    """
    try:
        chosen = ImageCacheMode(mode)
    except ValueError:
        valid = ", ".join(m.value for m in ImageCacheMode)
        raise errors.UsageError(
            f"Image cache mode {mode!r} is not known: use one of {valid}."
        ) from None
    if chosen is ImageCacheMode.OFF:
        return OpenGuard()
    guard_class = AlwaysPullGuard if chosen is ImageCacheMode.ALWAYS_PULL else VerifyingGuard
    prepare_state_dir(state_dir, (LEDGER_FILE, KEY_FILE))
    return guard_class(
        ledger=Ledger.in_state_dir(state_dir, clock=clock),
        fingerprinter=Fingerprinter.for_state_dir(state_dir),
        checker=checker or _registry_checker(timeout, frozenset(insecure_registries)),
        clock=clock,
        max_age=max_age,
        report=report,
    )


def _registry_checker(timeout: float, insecure: frozenset[str]) -> AccessChecker:
    def check(
        *, registry: str, repository: str, reference: str, credential: Credential | None
    ) -> AccessCheck:
        scheme: Scheme = "http" if registry in insecure else default_scheme(registry)
        return check_access(
            registry=registry,
            repository=repository,
            reference=reference,
            credential=credential,
            scheme=scheme,
            timeout=timeout,
        )

    return check


def provenance_keys(
    reference: Reference, image_id: str, repo_digests: Sequence[str]
) -> list[ImageKey]:
    """The ledger keys a cached image is judged by (see VerifyingGuard.before_use); [] = local."""
    digests = matching_digests(reference, repo_digests)
    if digests:
        return [
            ImageKey(
                registry=reference.domain, repository=reference.path, digest=d, image_id=image_id
            )
            for d in digests
        ]
    served = [
        ImageKey(registry=r.domain, repository=r.path, digest=r.digest, image_id=image_id)
        for r in parse_repo_digests(repo_digests)
        if r.digest
    ]
    if served:
        return served
    if reference.domain == DEFAULT_DOMAIN:
        return []
    return [
        ImageKey(
            registry=reference.domain, repository=reference.path, digest=None, image_id=image_id
        )
    ]


def matching_digests(reference: Reference, repo_digests: Sequence[str]) -> list[str]:
    """The digests of `repo_digests` that belong to the reference's repository, in order."""
    found: list[str] = [reference.digest] if reference.digest else []
    for parsed in parse_repo_digests(repo_digests):
        if parsed.name == reference.name and parsed.digest and parsed.digest not in found:
            found.append(parsed.digest)
    return found


def _one_per_repository(keys: Sequence[ImageKey]) -> list[ImageKey]:
    """The first key of each (registry, repository), in order: one registry check each."""
    seen: set[tuple[str, str]] = set()
    firsts: list[ImageKey] = []
    for key in keys:
        if (key.registry, key.repository) not in seen:
            seen.add((key.registry, key.repository))
            firsts.append(key)
    return firsts
