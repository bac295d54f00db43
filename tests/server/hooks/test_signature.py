"""Forge identification and constant-time HMAC-SHA256 signatures of Gitea and GitHub."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from conveyor.server.hooks import identify, sign, verify

BODY = b'{"ref": "refs/heads/main"}'
SECRET = "s3cr3t-hook"
GOOD = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("headers", "provider"),
    [
        ({"X-Gitea-Event": "push", "X-GitHub-Event": "push"}, "gitea"),
        ({"x-gitea-event": "push"}, "gitea"),
        ({"X-Gogs-Event": "push"}, "gitea"),
        ({"X-GitHub-Event": "pull_request"}, "github"),
        ({"X-Gitea-Event": "  "}, None),
        ({"Content-Type": "application/json"}, None),
        ({}, None),
    ],
)
def test_identify(headers: dict[str, str], provider: str | None) -> None:
    assert identify(headers) == provider


def test_sign_is_hex_hmac_sha256() -> None:
    assert sign(BODY, SECRET) == GOOD


@pytest.mark.parametrize(
    ("provider", "headers", "ok"),
    [
        ("gitea", {"X-Gitea-Signature": GOOD}, True),
        ("gitea", {"X-Gitea-Signature": GOOD.upper()}, True),
        ("gitea", {"X-Gogs-Signature": GOOD}, True),
        ("gitea", {"X-Gitea-Signature": "0" * 64}, False),
        ("gitea", {"X-Gitea-Signature": GOOD[:-1]}, False),
        ("gitea", {"X-Gitea-Signature": "é" * 64}, False),
        ("gitea", {"X-Hub-Signature-256": f"sha256={GOOD}"}, False),
        ("gitea", {}, False),
        ("github", {"X-Hub-Signature-256": f"sha256={GOOD}"}, True),
        ("github", {"x-hub-signature-256": f"SHA256={GOOD}"}, True),
        ("github", {"X-Hub-Signature-256": GOOD}, False),
        ("github", {"X-Hub-Signature-256": f"sha1={GOOD}"}, False),
        ("github", {"X-Gitea-Signature": GOOD}, False),
        ("github", {}, False),
        ("gitlab", {"X-Gitea-Signature": GOOD}, False),
    ],
)
def test_verify(provider: str, headers: dict[str, str], ok: bool) -> None:
    assert verify(provider, headers, BODY, SECRET) is ok


def test_another_body_or_secret_fails() -> None:
    headers = {"X-Gitea-Signature": GOOD}
    assert not verify("gitea", headers, BODY + b" ", SECRET)
    assert not verify("gitea", headers, BODY, SECRET + "x")


def test_empty_secret_never_verifies() -> None:
    empty = hmac.new(b"", BODY, hashlib.sha256).hexdigest()
    assert not verify("gitea", {"X-Gitea-Signature": empty}, BODY, "")
