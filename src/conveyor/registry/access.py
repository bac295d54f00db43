"""Ask a registry whether one credential context may read one manifest (a HEAD request, no pull).

The answer is allowed, denied or unreachable; this module never raises for a refusal, a network
error or a 5xx, and never puts a credential or a token in a result, a log or an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import requests

from conveyor.images.access import AccessVerdict
from conveyor.images.credentials import Credential
from conveyor.registry.auth import (
    AuthDanceError,
    Challenge,
    RegistrySession,
    basic_header,
    fetch_token,
    is_loopback_host,
    keep_headers,
    parse_challenge,
)

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)
DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
USER_AGENT = "conveyor-image-guard"
DENIED_CODES = frozenset({401, 403, 404})

Scheme = Literal["http", "https"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessCheck:
    """The registry's answer: verdict, a short secret-free reason, and the manifest digest."""

    verdict: AccessVerdict
    reason: str
    digest: str | None = None
    not_found: bool = False
    """The registry let the request in but has no such manifest (HTTP 404)."""


def api_host(registry: str) -> str:
    """The host that serves the v2 API for a normalised registry name (Docker Hub is special)."""
    return DOCKER_HUB_API if registry == DOCKER_HUB else registry


def default_scheme(registry: str) -> Scheme:
    """http for loopback registries (insecure by default in Docker), https otherwise."""
    return "http" if is_loopback_host(registry) else "https"


def manifest_url(
    registry: str, repository: str, reference: str, scheme: Scheme | None = None
) -> str:
    """`<scheme>://<host>/v2/<repository>/manifests/<tag or digest>`."""
    chosen = scheme or default_scheme(registry)
    return f"{chosen}://{api_host(registry)}/v2/{repository}/manifests/{reference}"


def check_access(
    *,
    registry: str,
    repository: str,
    reference: str,
    credential: Credential | None,
    scheme: Scheme | None = None,
    timeout: float = 5.0,
    session: requests.Session | None = None,
) -> AccessCheck:
    """May `credential` (None: anonymous) read `repository` at `reference` (tag or digest)?

    Flow: HEAD the manifest; on 401 follow the challenge (Basic: retry with the credential;
    Bearer: get a pull-scoped token, with the credential when there is one) and HEAD again.
    """
    url = manifest_url(registry, repository, reference, scheme)
    own = session is None
    http = session or RegistrySession()
    try:
        first = _head(http, url, None, timeout)
        if isinstance(first, AccessCheck) or first.status_code != 401:
            return _judge(first)
        challenge = parse_challenge(first.headers.get("WWW-Authenticate", ""))
        if challenge is None:
            return AccessCheck(
                verdict=AccessVerdict.DENIED, reason="the registry refused the request (HTTP 401)"
            )
        try:
            authorization = _authorization(
                http,
                challenge,
                repository=repository,
                credential=credential,
                timeout=timeout,
                url=url,
            )
        except AuthDanceError as failure:
            return AccessCheck(verdict=failure.verdict, reason=failure.reason)
        if authorization is None:
            return AccessCheck(
                verdict=AccessVerdict.DENIED, reason="the registry wants credentials (HTTP 401)"
            )
        return _judge(_head(http, url, authorization, timeout))
    finally:
        if own:
            http.close()


def _authorization(
    http: requests.Session,
    challenge: Challenge,
    *,
    repository: str,
    credential: Credential | None,
    timeout: float,
    url: str,
) -> str | None:
    if challenge.scheme == "basic":
        if credential is None:
            return None
        if credential.identity_token and not credential.password:
            raise AuthDanceError(
                AccessVerdict.DENIED, "an identity token cannot answer a Basic challenge"
            )
        return basic_header(credential)
    if challenge.scheme == "bearer":
        token = fetch_token(
            http,
            challenge,
            repository=repository,
            credential=credential,
            timeout=timeout,
            allow_plain_http=url.startswith("http://"),
        )
        return f"Bearer {token}"
    raise AuthDanceError(
        AccessVerdict.UNREACHABLE, f"the registry asks for unsupported auth {challenge.scheme!r}"
    )


def _head(
    http: requests.Session, url: str, authorization: str | None, timeout: float
) -> requests.Response | AccessCheck:
    headers = {"Accept": ", ".join(MANIFEST_TYPES), "User-Agent": USER_AGENT}
    if authorization:
        headers["Authorization"] = authorization
    try:
        return http.head(
            url, headers=headers, timeout=timeout, allow_redirects=True, auth=keep_headers
        )
    except requests.Timeout:
        return AccessCheck(verdict=AccessVerdict.UNREACHABLE, reason="the registry timed out")
    except requests.ConnectionError:
        return AccessCheck(
            verdict=AccessVerdict.UNREACHABLE,
            reason="the registry refused the connection or could not be reached",
        )
    except requests.RequestException as exc:
        return AccessCheck(
            verdict=AccessVerdict.UNREACHABLE, reason=f"the request failed ({type(exc).__name__})"
        )


def _judge(reply: requests.Response | AccessCheck) -> AccessCheck:
    if isinstance(reply, AccessCheck):
        return reply
    code = reply.status_code
    if code == 200:
        return AccessCheck(
            verdict=AccessVerdict.ALLOWED,
            reason="the registry serves the manifest (HTTP 200)",
            digest=reply.headers.get("Docker-Content-Digest") or None,
        )
    if code == 429 or code >= 500:
        return AccessCheck(
            verdict=AccessVerdict.UNREACHABLE, reason=f"the registry answered HTTP {code}"
        )
    if code in DENIED_CODES:
        return AccessCheck(
            verdict=AccessVerdict.DENIED,
            reason=f"the registry refused the manifest (HTTP {code})",
            not_found=code == 404,
        )
    return AccessCheck(verdict=AccessVerdict.DENIED, reason=f"the registry answered HTTP {code}")
