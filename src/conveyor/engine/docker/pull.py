"""Pull one image through the Docker engine, trying credential candidates in order.

A 401/403 (or a message saying unauthorized/denied) moves to the next candidate; transient
failures (connection, timeout, 429, 5xx) are retried with backoff; an `error` event in the
progress stream is a failure; the whole pull has a time limit. It never falls back to a cached
image and never puts a credential value in a message: PullError names the image, the
registry, how many credentials were tried and where they came from.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any

import docker
import requests

from conveyor.engine.contract import PullProgress, PullResult
from conveyor.errors import PullError
from conveyor.images.credentials import Credential
from conveyor.images.matching import display_key, reference_host
from conveyor.images.reference import Reference

BACKOFF_BASE = 1.0
BACKOFF_CAP = 8.0
MESSAGE_LIMIT = 300


class FailureKind(StrEnum):
    """How a failed attempt is handled."""

    AUTH = "auth"  # try the next candidate
    NOT_FOUND = "not-found"  # give up
    TRANSIENT = "transient"  # retry the same candidate after a pause
    FATAL = "fatal"  # give up


_AUTH_WORDS = re.compile(
    r"unauthori[sz]ed|denied|forbidden|authentication required|no basic auth credentials"
    r"|invalid username or password|may require 'docker login'|incorrect username or password",
    re.IGNORECASE,
)
_NOT_FOUND_WORDS = re.compile(r"manifest unknown|not found|name unknown", re.IGNORECASE)
_TRANSIENT_WORDS = re.compile(
    r"connection refused|connection reset|i/o timeout|timeout|timed out|temporary failure"
    r"|toomanyrequests|too many requests|service unavailable|bad gateway|gateway time-?out"
    r"|unexpected eof|\beof\b|no such host|tls handshake|proxyconnect|broken pipe",
    re.IGNORECASE,
)


def classify(status: int | None, message: str, reference: Reference | None = None) -> FailureKind:
    """Sort a failure by HTTP status and, since the daemon wraps most in a 500, by its text.

    The image's own name is taken out of the text first: `team/denied-app` is not a refusal.
    """
    text = _without_name(message, reference) if reference is not None else message
    if status in (401, 403) or _AUTH_WORDS.search(text):
        return FailureKind.AUTH
    if _NOT_FOUND_WORDS.search(text) or status == 404:
        return FailureKind.NOT_FOUND
    if status == 429 or (status is not None and status >= 500) or _TRANSIENT_WORDS.search(text):
        return FailureKind.TRANSIENT
    return FailureKind.FATAL


def _without_name(message: str, reference: Reference) -> str:
    """`message` with the registry host, the repository path and `:tag` replaced by `IMAGE`."""
    parts = {reference.domain, reference.path, reference.path.removeprefix("library/")}
    if reference.tag:
        parts.add(":" + reference.tag)
    for part in sorted(parts, key=len, reverse=True):
        message = message.replace(part, "IMAGE")
    return message


class _AttemptError(Exception):
    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def pull_image(
    client: docker.DockerClient,
    reference: Reference,
    candidates: Sequence[Credential],
    *,
    on_progress: Callable[[PullProgress], None] | None = None,
    timeout: float = 600.0,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> PullResult:
    """Pull `reference`; no candidates means an anonymous pull. Raises PullError."""
    deadline = time.monotonic() + timeout
    attempts = 0
    tried: list[Credential] = []
    last: _AttemptError | None = None
    order: list[Credential | None] = [*candidates] or [None]
    for credential in order:
        if credential is not None:
            tried.append(credential)
        for retry in range(retries + 1):
            attempts += 1
            try:
                digest = _attempt(client, reference, credential, on_progress, deadline)
            except _AttemptError as failure:
                last = failure
                if failure.kind is not FailureKind.TRANSIENT or retry == retries:
                    break
                pause = min(BACKOFF_CAP, BACKOFF_BASE * 2**retry)
                if time.monotonic() + pause >= deadline:
                    raise _error(reference, failure, tried, timed_out=True) from None
                sleep(pause)
                continue
            image_id = _image_id(client, reference, digest)
            return PullResult(
                reference=reference.string(),
                digest=digest,
                image_id=image_id,
                credential=credential,
                attempts=attempts,
            )
        assert last is not None
        if last.kind is not FailureKind.AUTH:
            raise _error(reference, last, tried, timed_out=False)
    assert last is not None
    raise _error(reference, last, tried, timed_out=False)


def _attempt(
    client: docker.DockerClient,
    reference: Reference,
    credential: Credential | None,
    on_progress: Callable[[PullProgress], None] | None,
    deadline: float,
) -> str | None:
    """One pull through the engine; returns the digest it reported, or raises _AttemptError."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    auth = credential.auth_config() if credential is not None else {}  # {}: really anonymous
    worker = threading.Thread(
        target=_stream,
        args=(client, reference, auth, events),
        name=f"conveyor-pull-{reference.familiar()}",
        daemon=True,
    )
    worker.start()
    digest: str | None = None
    while True:
        remaining = deadline - time.monotonic()
        try:
            kind, payload = events.get(timeout=max(remaining, 0.0))
        except queue.Empty:
            raise _AttemptError(FailureKind.FATAL, "the time limit of the pull ran out") from None
        if kind == "done":
            return digest
        if kind == "failed":
            raise payload
        digest = _handle_event(payload, reference, on_progress) or digest


def _stream(
    client: docker.DockerClient,
    reference: Reference,
    auth: Mapping[str, str],
    events: queue.Queue[tuple[str, Any]],
) -> None:
    """Worker thread: run the engine's pull and forward every event (or the failure)."""
    try:
        stream: Iterator[dict[str, Any]] = client.api.pull(
            reference.name,
            tag=reference.pull_tag(),
            stream=True,
            decode=True,
            auth_config=dict(auth),
        )
        for event in stream:
            events.put(("event", event))
        events.put(("done", None))
    except docker.errors.APIError as exc:
        text = str(exc.explanation or exc)
        kind = classify(exc.status_code, text, reference)
        events.put(("failed", _AttemptError(kind, text)))
    except (requests.RequestException, docker.errors.DockerException, OSError) as exc:
        text = f"the Docker engine connection failed ({type(exc).__name__})"
        events.put(("failed", _AttemptError(FailureKind.TRANSIENT, text)))


def _handle_event(
    event: Mapping[str, Any],
    reference: Reference,
    on_progress: Callable[[PullProgress], None] | None,
) -> str | None:
    """Raise for an `error` event; report progress; return the digest if this event names it."""
    if event.get("error") or event.get("errorDetail"):
        detail = event.get("errorDetail") or {}
        text = str(event.get("error") or detail.get("message") or "unknown error")
        code = detail.get("code") if isinstance(detail.get("code"), int) else None
        raise _AttemptError(classify(code, text, reference), text)
    status = str(event.get("status", ""))
    if on_progress is not None and status:
        detail = event.get("progressDetail") or {}
        on_progress(
            PullProgress(
                layer=str(event.get("id", "")),
                status=status,
                current=_int_or_none(detail.get("current")),
                total=_int_or_none(detail.get("total")),
            )
        )
    if status.startswith("Digest: "):
        return status.removeprefix("Digest: ").strip()
    return None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _image_id(client: docker.DockerClient, reference: Reference, digest: str | None) -> str:
    """The pulled image's id, looked up by what was pulled, then by the reported digest."""
    pulled = reference.digest and f"{reference.name}@{reference.digest}"
    names = [pulled or f"{reference.name}:{reference.tag or 'latest'}"]
    if digest:
        names.append(f"{reference.name}@{digest}")
    for name in names:
        try:
            info = client.api.inspect_image(name)  # type: ignore[no-untyped-call]
        except docker.errors.NotFound:
            continue
        return str(info.get("Id", ""))
    return ""


def _error(
    reference: Reference, failure: _AttemptError, tried: Sequence[Credential], *, timed_out: bool
) -> PullError:
    host = reference_host(reference)
    reason = failure.message.strip().replace("\n", " ")
    if len(reason) > MESSAGE_LIMIT:
        reason = reason[: MESSAGE_LIMIT - 3] + "..."
    if timed_out:
        reason = f"gave up before the time limit ran out; last error: {reason}"
    message = f"cannot pull {reference.familiar()} from {host} ({_used(tried)}): {reason}"
    return PullError(message, hint=_hint(failure.kind, host, tried))


def _used(tried: Sequence[Credential]) -> str:
    if not tried:
        return "no credentials were used"
    where = ", ".join(
        f"{c.source or 'unknown source'} key {display_key(c.key) or c.registry!r}" for c in tried
    )
    count = "1 credential" if len(tried) == 1 else f"{len(tried)} credentials"
    return f"{count} tried: {where}"


def _hint(kind: FailureKind, host: str, tried: Sequence[Credential]) -> str | None:
    if kind is FailureKind.AUTH and not tried:
        return (
            f"the registry wants credentials: list a secret holding a Docker config.json with "
            f"an auths entry for {host} under image_pull_secrets"
        )
    if kind is FailureKind.AUTH:
        return f"the registry refused every credential for {host}: check them or their scope"
    if kind is FailureKind.NOT_FOUND:
        return "check the image name and tag; private images may also answer 'not found'"
    if kind is FailureKind.TRANSIENT:
        return "the registry or the network failed repeatedly; try again later"
    return None
