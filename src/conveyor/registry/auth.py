"""The registry auth dance: parse a `WWW-Authenticate` challenge, build a Basic header, get a
Bearer token from a token service (Docker token auth spec, and its OAuth2 refresh-token form).

It never puts a credential or a token in an exception, a log or a repr; failures carry a short
reason made of status codes and error kinds only.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.utils import parse_dict_header

from conveyor.images.access import AccessVerdict
from conveyor.images.credentials import Credential

CLIENT_ID = "conveyor"
"""`client_id` sent on OAuth2 token requests, as the Docker client sends `docker`."""


def keep_headers(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """A no-op auth hook: passing it stops requests from adding `~/.netrc` logins on its own,
    which would turn an anonymous check into an authenticated one."""
    return request


class RegistrySession(requests.Session):
    """A session that never adds a login of its own.

    On a redirect, `requests.Session.rebuild_auth` reads `~/.netrc` (`$NETRC`) and logs in with
    what it finds, which would turn an anonymous check into an authenticated one. This keeps
    only its safe half: dropping `Authorization` when the redirect leaves the host.
    """

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        headers = prepared_request.headers
        url = prepared_request.url
        if (
            "Authorization" in headers
            and response.request.url is not None
            and url is not None
            and self.should_strip_auth(response.request.url, url)  # type: ignore[no-untyped-call]
        ):
            del headers["Authorization"]


class AuthDanceError(Exception):
    """Internal to the registry room: the dance ended in a verdict other than a token."""

    def __init__(self, verdict: AccessVerdict, reason: str) -> None:
        super().__init__(reason)
        self.verdict = verdict
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Challenge:
    """One `WWW-Authenticate` challenge: scheme (lower case) and its parameters."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)


def parse_challenge(header: str) -> Challenge | None:
    """`Bearer realm="...",service="..."` -> Challenge; None for an empty or unusable header."""
    text = header.strip()
    if not text:
        return None
    scheme, _, rest = text.partition(" ")
    # requests' RFC 2068 list parser handles quoted strings and commas inside them.
    parsed: dict[str, str | None] = parse_dict_header(rest) if rest else {}  # type: ignore[no-untyped-call]
    params = {key.lower(): value or "" for key, value in parsed.items()}
    return Challenge(scheme=scheme.lower(), params=params)


def basic_header(credential: Credential) -> str:
    """`Basic base64(user:password)` in UTF-8 (requests' own helper would use Latin-1)."""
    raw = f"{credential.username}:{credential.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def is_loopback_host(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1, with or without a port."""
    name = host
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name[1:]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def fetch_token(
    session: requests.Session,
    challenge: Challenge,
    *,
    repository: str,
    credential: Credential | None,
    timeout: float,
    allow_plain_http: bool,
) -> str:
    """A Bearer token for `repository:<repository>:pull`, or AuthDanceError with the verdict."""
    realm = challenge.params.get("realm", "")
    parts = urlsplit(realm)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise AuthDanceError(
            AccessVerdict.UNREACHABLE, "the registry sent a Bearer challenge without a usable realm"
        )
    if (
        credential is not None
        and parts.scheme == "http"
        and not (allow_plain_http or is_loopback_host(parts.netloc))
    ):
        # Sending a password over plain HTTP to a third host would leak it: refuse.
        raise AuthDanceError(
            AccessVerdict.UNREACHABLE,
            "the token service uses plain HTTP; credentials were not sent",
        )
    query = {"scope": f"repository:{repository}:pull"}
    if service := challenge.params.get("service"):
        query["service"] = service
    try:
        if credential is not None and credential.identity_token:
            form = {
                **query,
                "grant_type": "refresh_token",
                "refresh_token": credential.identity_token,
                "client_id": CLIENT_ID,
            }
            reply = session.post(realm, data=form, timeout=timeout, auth=keep_headers)
        else:
            headers = {"Authorization": basic_header(credential)} if credential else {}
            reply = session.get(
                realm, params=query, headers=headers, timeout=timeout, auth=keep_headers
            )
    except requests.Timeout:
        raise AuthDanceError(AccessVerdict.UNREACHABLE, "the token service timed out") from None
    except requests.RequestException as exc:
        raise AuthDanceError(
            AccessVerdict.UNREACHABLE, f"the token service failed ({type(exc).__name__})"
        ) from None
    return _token_from(reply)


def _token_from(reply: requests.Response) -> str:
    code = reply.status_code
    if code in {401, 403}:
        raise AuthDanceError(
            AccessVerdict.DENIED, f"the token service refused the credentials (HTTP {code})"
        )
    if code != 200:
        raise AuthDanceError(AccessVerdict.UNREACHABLE, f"the token service answered HTTP {code}")
    try:
        body = reply.json()
    except (ValueError, json.JSONDecodeError):
        body = None
    token = (body.get("token") or body.get("access_token")) if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise AuthDanceError(AccessVerdict.UNREACHABLE, "the token service sent no token")
    return token
