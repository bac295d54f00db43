"""The Drone registry-extension client against a real HTTP server on 127.0.0.1.

The server checks requests the way drone-go's plugin handler does: an HTTP Signature
(hmac-sha256 keyed with the shared secret, over the listed headers, `date` required) and a
`Digest` header matching the body. It is written from the spec here, not with our signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conveyor.errors import CredentialError
from conveyor.registry.plugin import fetch_plugin_credentials, request_body, signed_headers
from conveyor.registry.settings import PluginSettings, safe_endpoint

SECRET = "bea26a2221fd8090ea38720fc445eca6"
BUILD = {"repo": "octocat/hello-world", "branch": "main", "event": "push", "build_number": "7"}


@dataclass
class Behaviour:
    """What the fake plugin answers, and what it saw."""

    status: int = 200
    body: bytes = b"[]"
    headers: dict[str, str] = field(default_factory=dict)
    seen: list[dict[str, Any]] = field(default_factory=list)


def verify(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """drone-go handler semantics: parse `Signature`, require date, recompute the HMAC."""
    raw = headers.get("signature", "")
    params = dict(re.findall(r'(\w+)="([^"]*)"', raw))
    names = params.get("headers", "").lower().split(" ")
    if "date" not in names or params.get("algorithm") != "hmac-sha256":
        return False
    signing = "\n".join(f"{name}: {headers.get(name, '')}" for name in names)
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    return hmac.compare_digest(base64.b64encode(mac).decode(), params.get("signature", "")) and (
        headers.get("digest") == digest
    )


@pytest.fixture
def plugin_server() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            behaviour.seen.append({"headers": headers, "body": body, "path": self.path})
            if not verify(headers, body, SECRET):
                self._reply(400, b"Invalid Signature")
                return
            self._reply(behaviour.status, behaviour.body, behaviour.headers)

        def _reply(self, status: int, body: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/registry", behaviour
    finally:
        server.shutdown()
        server.server_close()


def settings(endpoint: str, secret: str = SECRET) -> PluginSettings:
    return PluginSettings(endpoint=endpoint, secret=secret, timeout=5)


def test_signed_request_returns_credentials(plugin_server: tuple[str, Behaviour]) -> None:
    endpoint, behaviour = plugin_server
    behaviour.body = json.dumps(
        [
            {"address": "https://index.docker.io/v1/", "username": "hub", "password": "pw1"},
            {"address": "123.dkr.ecr.us-east-1.amazonaws.com", "username": "AWS", "password": "t"},
        ]
    ).encode()
    found, errors = fetch_plugin_credentials(settings(endpoint), BUILD)
    assert errors == []
    assert [(c.registry, c.username, c.key) for c in found] == [
        ("docker.io", "hub", "https://index.docker.io/v1/"),
        ("123.dkr.ecr.us-east-1.amazonaws.com", "AWS", "123.dkr.ecr.us-east-1.amazonaws.com"),
    ]
    assert found[0].source == f"registry plugin {endpoint}"
    (request,) = behaviour.seen
    assert request["headers"]["accept"] == "application/vnd.drone.registry.v1+json"
    assert request["headers"]["accept-encoding"] == "identity"
    sent = json.loads(request["body"])
    assert sent["repo"]["slug"] == "octocat/hello-world"
    assert sent["repo"]["namespace"] == "octocat"
    assert sent["build"]["number"] == 7
    assert sent["build"]["event"] == "push"


def test_wrong_secret_is_refused_and_reported(plugin_server: tuple[str, Behaviour]) -> None:
    endpoint, _ = plugin_server
    with pytest.raises(CredentialError) as caught:
        fetch_plugin_credentials(settings(endpoint, secret="not-the-secret"), BUILD)
    assert "answered HTTP 400: Invalid Signature" in caught.value.message
    assert "not-the-secret" not in caught.value.message


@pytest.mark.parametrize(
    ("status", "body", "fragment"),
    [
        (404, b"no registries for this repo\nsecond line", "HTTP 404: no registries for this repo"),
        (500, b"", "HTTP 500: Internal Server Error"),
        (302, b"", "HTTP 302"),
        (200, b"{not json", "not JSON"),
        (200, b'{"address": "x"}', "JSON list"),
    ],
)
def test_plugin_errors_are_one_line(
    plugin_server: tuple[str, Behaviour], status: int, body: bytes, fragment: str
) -> None:
    endpoint, behaviour = plugin_server
    behaviour.status, behaviour.body = status, body
    with pytest.raises(CredentialError) as caught:
        fetch_plugin_credentials(settings(endpoint), BUILD)
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message


def test_no_content_and_null_are_empty(plugin_server: tuple[str, Behaviour]) -> None:
    endpoint, behaviour = plugin_server
    behaviour.status, behaviour.body = 204, b""
    assert fetch_plugin_credentials(settings(endpoint), BUILD) == ([], [])
    behaviour.status, behaviour.body = 200, b"null"
    assert fetch_plugin_credentials(settings(endpoint), BUILD) == ([], [])


def test_malformed_entries_are_reported_and_the_rest_kept(
    plugin_server: tuple[str, Behaviour],
) -> None:
    endpoint, behaviour = plugin_server
    behaviour.body = json.dumps(
        [
            {"address": "", "username": "u", "password": "hidden-1"},
            {"address": "quay.io", "username": 5, "password": "hidden-2"},
            "nope",
            {"address": "gcr.io", "username": "ok", "password": "pw"},
        ]
    ).encode()
    found, errors = fetch_plugin_credentials(settings(endpoint), BUILD)
    assert [c.registry for c in found] == ["gcr.io"]
    messages = [e.message for e in errors]
    assert len(messages) == 3
    assert "entry 0: 'address' must name a registry host" in messages[0]
    assert "entry 'quay.io': 'username' and 'password' must be strings" in messages[1]
    assert "entry 2: must be a JSON object" in messages[2]
    assert not any("hidden" in m for m in messages)


def test_malformed_entry_never_shows_user_info_of_its_address(
    plugin_server: tuple[str, Behaviour],
) -> None:
    endpoint, behaviour = plugin_server
    behaviour.body = json.dumps(
        [{"address": "https://bot:hidden-3@quay.io", "username": 5, "password": "hidden-4"}]
    ).encode()
    _, errors = fetch_plugin_credentials(settings(endpoint), BUILD)
    (error,) = errors
    assert "entry 'https://quay.io': 'username' and 'password' must be strings" in error.message
    assert "hidden" not in error.message


def test_unreachable_plugin_is_a_credential_error() -> None:
    with pytest.raises(CredentialError, match="cannot be reached"):
        fetch_plugin_credentials(settings("http://127.0.0.1:9/x"), BUILD)


def test_signed_headers_match_drone_go_layout() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    headers = signed_headers(b"{}", "k", now=when)
    assert headers["Date"] == "Tue, 02 Jan 2024 03:04:05 GMT"
    assert headers["Digest"] == "SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
    assert headers["Signature"].startswith('keyId="hmac-key",algorithm="hmac-sha256",signature="')
    assert headers["Signature"].endswith(
        'headers="accept accept-encoding content-type date digest"'
    )
    assert verify({k.lower(): v for k, v in headers.items()}, b"{}", "k")
    assert not verify({k.lower(): v for k, v in headers.items()}, b"{}", "other")


def test_secret_and_userinfo_never_shown() -> None:
    plugin = PluginSettings(endpoint="http://user:pw@plugin.local:3000/r", secret="topsecret")
    assert "topsecret" not in repr(plugin)
    assert plugin.display() == "http://plugin.local:3000/r"
    assert safe_endpoint("https://a:b@h/p?q=1") == "https://h/p"


def test_request_body_puts_unknown_keys_in_params() -> None:
    body = request_body({"repo": "a/b", "custom": "x", "build_number": "nan"})
    assert body["build"]["params"] == {"custom": "x"}
    assert body["build"]["number"] == 0
