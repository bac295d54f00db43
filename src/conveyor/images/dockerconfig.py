"""Parse Docker `config.json` documents (image_pull_secrets, runner config files) into credentials.

Pure: text in, `DockerConfig` out. A document that is not a JSON object raises
`errors.CredentialError`; a malformed entry becomes a CredentialError in `DockerConfig.errors`
naming the source and the key, so the other entries stay usable. No message ever holds a
value. Credential helpers are only described here (`HelperRule`); running them is the
registry room's job, and only for runner-wide files.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conveyor.errors import CredentialError
from conveyor.images.credentials import Credential
from conveyor.images.matching import display_key, registry_host


@dataclass(frozen=True, slots=True, kw_only=True)
class HelperRule:
    """`credHelpers` entry (`host` set) or `credsStore` (`host` None: every host)."""

    helper: str
    host: str | None
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DockerConfig:
    """What one config.json offers: logins in file order, helper rules, and broken entries."""

    source: str
    credentials: tuple[Credential, ...] = ()
    helpers: tuple[HelperRule, ...] = ()
    errors: tuple[CredentialError, ...] = ()


class _Object(dict[str, Any]):
    """A JSON object that also keeps every (key, value) pair in order, repeated keys included:
    a plain dict keeps only the last of two equal keys, silently dropping a login."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def parse_docker_config(text: str, *, source: str) -> DockerConfig:
    """Read a config.json document; `source` names it in messages (`secret dockerconfig`)."""
    try:
        document = json.loads(text, object_pairs_hook=_Object)
    except json.JSONDecodeError as exc:
        raise CredentialError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno})",
            hint="the value must be a Docker config.json document",
        ) from None
    if not isinstance(document, dict):
        raise CredentialError(f'{source} must be a JSON object with an "auths" key')
    auths = _field(document, "auths")
    if auths is None and _looks_legacy(document):
        raise CredentialError(
            f'{source} uses the legacy .dockercfg layout; put its entries under "auths"'
        )
    if auths is not None and not isinstance(auths, dict):
        raise CredentialError(f'{source}: "auths" must be a JSON object')
    helpers = _helper_rules(document, source)
    credentials: list[Credential] = []
    errors: list[CredentialError] = []
    entries = auths.pairs if isinstance(auths, _Object) else list((auths or {}).items())
    for key, entry in entries:
        try:
            found = parse_auth_entry(key, entry, source=source)
        except CredentialError as exc:
            errors.append(exc)
            continue
        if found is not None:
            credentials.append(found)
        elif not helpers:  # without helpers, an entry with no login is a mistake
            errors.append(
                CredentialError(
                    f"{source}, auths entry {display_key(key)!r}: the entry has no auth, "
                    "username/password "
                    "or identitytoken"
                )
            )
    return DockerConfig(
        source=source, credentials=tuple(credentials), helpers=helpers, errors=tuple(errors)
    )


def parse_auth_entry(key: str, entry: object, *, source: str) -> Credential | None:
    """One `auths` entry -> Credential; None for an empty placeholder (`{}`)."""
    where = f"{source}, auths entry {display_key(key)!r}"
    host = registry_host(key)
    if not host:
        raise CredentialError(f"{where}: the key does not name a registry host")
    if not isinstance(entry, dict):
        raise CredentialError(f"{where}: the entry must be a JSON object")
    fields = {name: _string_field(entry, name, where) for name in _ENTRY_FIELDS}
    auth, token = fields["auth"], fields["identitytoken"]
    if auth:
        username, password = decode_auth(auth, where=where)
    else:
        username, password = fields["username"], fields["password"]
    if not (username or password or token):
        return None
    return Credential(
        registry=host,
        username=username,
        password=password,
        identity_token=token or None,
        source=source,
        key=key,
    )


def decode_auth(value: str, *, where: str) -> tuple[str, str]:
    """Strict base64 of `user:password`, split at the first `:`; line breaks tolerated, trailing
    NUL bytes trimmed. Errors name `where`, never the value."""
    compact = value.replace("\r", "").replace("\n", "")
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise CredentialError(f'{where}: "auth" is not valid base64') from None
    try:
        decoded = raw.decode("utf-8").rstrip("\x00")
    except UnicodeDecodeError:
        raise CredentialError(f'{where}: "auth" does not decode to UTF-8 text') from None
    username, colon, password = decoded.partition(":")
    if not colon:
        raise CredentialError(f"{where}: \"auth\" must encode user:password (no ':' found)")
    if not username:
        raise CredentialError(f'{where}: "auth" encodes an empty user name')
    return username, password


_ENTRY_FIELDS = ("auth", "username", "password", "identitytoken")


def _field(mapping: Mapping[str, Any], name: str) -> Any:
    """Go's encoding/json matches keys case-insensitively; an exact match wins."""
    if name in mapping:
        return mapping[name]
    for key, value in mapping.items():
        if key.lower() == name.lower():
            return value
    return None


def _string_field(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = _field(entry, name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CredentialError(f"{where}: {name!r} must be a string")
    return value


def _helper_rules(document: Mapping[str, Any], source: str) -> tuple[HelperRule, ...]:
    rules: list[HelperRule] = []
    helpers = _field(document, "credHelpers")
    if helpers is not None:
        if not isinstance(helpers, dict):
            raise CredentialError(f'{source}: "credHelpers" must be a JSON object')
        for key, helper in helpers.items():
            if not isinstance(helper, str) or not helper.strip():
                raise CredentialError(
                    f"{source}, credHelpers entry {display_key(key)!r}: the helper must be a "
                    "non-empty name"
                )
            rules.append(HelperRule(helper=helper.strip(), host=registry_host(key), key=key))
    store = _field(document, "credsStore")
    if store is not None and store != "":
        if not isinstance(store, str):
            raise CredentialError(f'{source}: "credsStore" must be a string')
        rules.append(HelperRule(helper=store.strip(), host=None, key="credsStore"))
    return tuple(rules)


def _looks_legacy(document: Mapping[str, Any]) -> bool:
    return bool(document) and all(
        isinstance(value, dict) and _field(value, "auth") is not None for value in document.values()
    )


def login_values(text: str) -> list[str]:
    """Every secret string of a config.json document: passwords, identity tokens and the raw
    `auth` values, so that output masking covers each of them on its own. Never raises."""
    try:
        config = parse_docker_config(text, source="masking")
        document = json.loads(text)
    except (CredentialError, ValueError, RecursionError):
        return []
    values = [v for c in config.credentials for v in (c.password, c.identity_token) if v]
    auths = document.get("auths") if isinstance(document, dict) else None
    if isinstance(auths, dict):
        values.extend(
            entry["auth"]
            for entry in auths.values()
            if isinstance(entry, dict) and isinstance(entry.get("auth"), str) and entry["auth"]
        )
    return values
