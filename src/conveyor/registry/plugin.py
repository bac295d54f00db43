"""Client of a Drone registry credential extension (`DRONE_REGISTRY_PLUGIN_ENDPOINT`).

One HTTP POST per build, signed like drone-go's plugin clients (HTTP Signatures draft-cavage,
hmac-sha256 over accept, accept-encoding, content-type, date and digest, keyed with the shared
secret). The answer is a JSON list of `{address, username, password}`. Failures raise
CredentialError with a secret-free reason; neither the shared secret nor a password ever
appears in a message or a repr.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import requests

from conveyor.errors import CredentialError
from conveyor.images.credentials import Credential
from conveyor.images.matching import display_key, registry_host
from conveyor.registry.auth import keep_headers
from conveyor.registry.settings import PluginSettings, TlsMode

MEDIA_TYPE = "application/vnd.drone.registry.v1+json"
"""`Accept` of drone-go's registry plugin client (registry.V1)."""
KEY_ID = "hmac-key"
SIGNED_HEADERS = ("accept", "accept-encoding", "content-type", "date", "digest")


def request_body(build: Mapping[str, str]) -> dict[str, Any]:
    """Drone's registry.Request (`{"repo": ..., "build": ...}`) from a flat build mapping.

    Known keys: repo (`owner/name`), branch, event, action, ref, commit, build_number, target,
    source, cron, sender, trusted, created. Other keys go to `build.params`.
    """
    known = {
        "repo", "branch", "event", "action", "ref", "commit", "build_number",
        "target", "source", "cron", "sender", "trusted", "created",
    }  # fmt: skip
    slug = build.get("repo", "")
    namespace, _, name = slug.rpartition("/")
    repo = {
        "namespace": namespace,
        "name": name,
        "slug": slug,
        "default_branch": build.get("branch", ""),
        "trusted": build.get("trusted", "").lower() in {"1", "true", "yes"},
    }
    run = {
        "number": _int(build.get("build_number", "0")),
        "event": build.get("event", ""),
        "action": build.get("action", ""),
        "ref": build.get("ref", ""),
        "after": build.get("commit", ""),
        "source": build.get("source", build.get("branch", "")),
        "target": build.get("target", build.get("branch", "")),
        "cron": build.get("cron", ""),
        "sender": build.get("sender", ""),
        "trigger": build.get("sender", ""),
        "created": _int(build.get("created", "0")),
        "params": {k: v for k, v in build.items() if k not in known},
    }
    return {"repo": repo, "build": run}


def signed_headers(body: bytes, secret: str, *, now: datetime | None = None) -> dict[str, str]:
    """The headers drone-go sends, with the `Signature` header computed over them."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    headers = {
        "Accept": MEDIA_TYPE,
        "Accept-Encoding": "identity",
        "Content-Type": "application/json",
        "Date": format_datetime(when, usegmt=True),
        "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
    }
    lowered = {name.lower(): value for name, value in headers.items()}
    signing = "\n".join(f"{name}: {lowered[name]}" for name in SIGNED_HEADERS)
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    headers["Signature"] = (
        f'keyId="{KEY_ID}",algorithm="hmac-sha256",'
        f'signature="{base64.b64encode(mac).decode()}",headers="{" ".join(SIGNED_HEADERS)}"'
    )
    return headers


def fetch_plugin_credentials(
    settings: PluginSettings, build: Mapping[str, str]
) -> tuple[list[Credential], list[CredentialError]]:
    """POST the build to the plugin; the logins it returns and its malformed entries.

    Raises CredentialError when the plugin cannot be reached or answers with an error.
    """
    where = f"registry plugin {settings.display()}"
    body = json.dumps(request_body(build), separators=(",", ":")).encode()
    try:
        reply = requests.post(
            settings.endpoint,
            data=body,
            headers=signed_headers(body, settings.secret),
            timeout=settings.timeout,
            allow_redirects=False,
            verify=settings.tls is TlsMode.VERIFY,
            auth=keep_headers,
        )
    except requests.Timeout:
        raise CredentialError(f"{where} did not answer within {settings.timeout:g}s") from None
    except requests.RequestException as exc:
        raise CredentialError(f"{where} cannot be reached ({type(exc).__name__})") from None
    return _read_reply(reply, where=where)


def _read_reply(
    reply: requests.Response, *, where: str
) -> tuple[list[Credential], list[CredentialError]]:
    if reply.status_code == 204:
        return [], []
    if reply.status_code > 299:
        reason = _first_line(reply.text) or reply.reason or "no reason given"
        raise CredentialError(f"{where} answered HTTP {reply.status_code}: {reason}")
    if reply.headers.get("Content-Encoding", "").lower() == "aesgcm":
        raise CredentialError(f"{where} sent an encrypted answer, which was not requested")
    try:
        entries = reply.json()
    except ValueError:
        raise CredentialError(f"{where} answered with something that is not JSON") from None
    if entries is None:
        return [], []
    if not isinstance(entries, list):
        raise CredentialError(f"{where} must answer with a JSON list of registries")
    found: list[Credential] = []
    errors: list[CredentialError] = []
    for index, entry in enumerate(entries):
        try:
            found.append(_entry(entry, index=index, where=where))
        except CredentialError as exc:
            errors.append(exc)
    return found, errors


def _entry(entry: object, *, index: int, where: str) -> Credential:
    if not isinstance(entry, dict):
        raise CredentialError(f"{where}, entry {index}: must be a JSON object")
    address, username, password = (entry.get(k) for k in ("address", "username", "password"))
    label = f"{where}, entry {index}"
    if not isinstance(address, str) or not registry_host(address):
        raise CredentialError(f"{label}: 'address' must name a registry host")
    label = f"{where}, entry {display_key(address)!r}"
    if not isinstance(username, str) or not isinstance(password or "", str):
        raise CredentialError(f"{label}: 'username' and 'password' must be strings")
    return Credential(
        registry=registry_host(address),
        username=username,
        password=str(password or ""),
        source=where,
        key=address,
    )


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."
