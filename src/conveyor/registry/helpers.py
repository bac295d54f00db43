"""Docker credential helpers (`credHelpers` / `credsStore`) through the Docker SDK's `Store`.

Only runner-wide config files may name helpers: the caller (registry.sources) never passes a
rule from a repository's secret here. Helper names are checked so that a name cannot point
outside `PATH` (`docker-credential-../../bin/sh`). Failures raise CredentialError naming the
source, the helper and the host, never a value.
"""

from __future__ import annotations

import re
import warnings

from docker.credentials import Store
from docker.credentials.errors import CredentialsNotFound, StoreError

from conveyor.errors import CredentialError
from conveyor.images.credentials import Credential
from conveyor.images.dockerconfig import HelperRule
from conveyor.images.matching import store_server

HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*", re.ASCII)
"""What may follow `docker-credential-`: no path separators, no leading dot."""
IDENTITY_TOKEN_USER = "<token>"  # noqa: S105 (a marker, not a password)
"""The user name with which helpers mark the secret as an identity token."""


def helper_credential(rule: HelperRule, host: str, *, source: str) -> Credential | None:
    """Ask `docker-credential-<helper> get` for `host`; None when it has no login for it."""
    program = f"docker-credential-{rule.helper}"
    where = f"{source}: credential helper {program} for {host}"
    if not HELPER_NAME.fullmatch(rule.helper) or ".." in rule.helper:
        raise CredentialError(f"{source}: {rule.helper!r} is not a valid credential helper name")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Store warns on its own when the program is missing
        store = Store(rule.helper)
    try:
        answer = store.get(store_server(host))  # type: ignore[no-untyped-call]
    except CredentialsNotFound:
        return None
    except StoreError as exc:
        raise CredentialError(f"{where} failed: {_first_line(str(exc))}") from None
    except (ValueError, KeyError, TypeError):
        raise CredentialError(f"{where} returned an answer that is not helper JSON") from None
    return _credential(answer, rule=rule, host=host, source=f"{source} ({program})", where=where)


def _credential(
    answer: object, *, rule: HelperRule, host: str, source: str, where: str
) -> Credential:
    if not isinstance(answer, dict):
        raise CredentialError(f"{where} returned an answer that is not a JSON object")
    username, secret = answer.get("Username"), answer.get("Secret")
    if not isinstance(username, str) or not isinstance(secret, str):
        raise CredentialError(f"{where} returned no Username/Secret strings")
    if username == IDENTITY_TOKEN_USER:
        return Credential(
            registry=host, username="", identity_token=secret, source=source, key=rule.key
        )
    return Credential(
        registry=host, username=username, password=secret, source=source, key=rule.key
    )


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "no output"
    return line if len(line) <= limit else line[: limit - 3] + "..."
