"""Docker credential helpers (`credHelpers` / `credsStore`): the `get` call of the helper
protocol, each call under a time limit (registry/helper_process.py).

Only runner-wide config files may name helpers: the caller (registry.sources) never passes a
rule from a repository's secret here. Helper names are checked so that a name cannot point
outside `PATH` (`docker-credential-../../bin/sh`). Failures raise CredentialError naming the
source, the helper and the host, never a value.
"""

from __future__ import annotations

import json
import re
import shutil

from conveyor.errors import CredentialError
from conveyor.images.credentials import Credential
from conveyor.images.dockerconfig import HelperRule
from conveyor.images.matching import store_server
from conveyor.registry.helper_process import HelperTimedOutError, run_helper

HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*", re.ASCII)
"""What may follow `docker-credential-`: no path separators, no leading dot."""
IDENTITY_TOKEN_USER = "<token>"  # noqa: S105 (a marker, not a password)
"""The user name with which helpers mark the secret as an identity token."""
HELPER_TIMEOUT = 20.0
"""Seconds a helper may take to answer (cloud helpers may fetch a token over the network)."""
NOT_FOUND = b"credentials not found in native keychain"
"""What helpers print (exit code 1) when they hold no login for the server."""


def helper_credential(
    rule: HelperRule, host: str, *, source: str, timeout: float | None = None
) -> Credential | None:
    """Ask `docker-credential-<helper> get` for `host`; None when it has no login for it.

    The helper is stopped (with its process group) after `timeout` seconds, by default
    HELPER_TIMEOUT, and that is a CredentialError naming it.
    """
    program = f"docker-credential-{rule.helper}"
    where = f"{source}: credential helper {program} for {host}"
    if not HELPER_NAME.fullmatch(rule.helper) or ".." in rule.helper:
        raise CredentialError(f"{source}: {rule.helper!r} is not a valid credential helper name")
    executable = shutil.which(program)
    if executable is None:
        raise CredentialError(f"{where} failed: {program} not installed or not available in PATH")
    limit = HELPER_TIMEOUT if timeout is None else timeout
    try:
        answer = run_helper([executable, "get"], store_server(host).encode("utf-8"), timeout=limit)
    except HelperTimedOutError:
        raise CredentialError(
            f"{where} did not answer within {limit:g}s and was stopped, with every process it "
            f"started; check that `echo {store_server(host)} | {program} get` answers"
        ) from None
    except OSError as exc:
        raise CredentialError(
            f"{where} cannot be started ({exc.strerror or type(exc).__name__})"
        ) from None
    if answer.code != 0:
        if NOT_FOUND in answer.output:
            return None
        text = answer.output.decode("utf-8", "replace")
        raise CredentialError(
            f"{where} failed: Credentials store {program} exited with code {answer.code} "
            f'("{_first_line(text)}")'
        )
    try:
        parsed = json.loads(answer.output.decode("utf-8"))
    except ValueError:
        raise CredentialError(f"{where} returned an answer that is not helper JSON") from None
    if isinstance(parsed, dict) and parsed.get("Username") == "" and parsed.get("Secret") == "":
        return None  # docker-credential-pass answers this way for a server it does not know
    return _credential(parsed, rule=rule, host=host, source=f"{source} ({program})", where=where)


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
