"""registry.access against the real local registries (open, basic, token, ACL front), plus
challenge parsing and the failure modes that need a misbehaving server (a stdlib stand-in)."""

from __future__ import annotations

import base64
import http.server
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from conveyor.images.access import AccessVerdict
from conveyor.images.credentials import Credential
from conveyor.registry.access import check_access, manifest_url
from conveyor.registry.auth import (
    AuthDanceError,
    Challenge,
    fetch_token,
    is_loopback_host,
    parse_challenge,
)
from tests.conftest import LocalEnv

A, D, U = AccessVerdict.ALLOWED, AccessVerdict.DENIED, AccessVerdict.UNREACHABLE
REMOTE = "ci-test/remote-only"
OTHER = "other/busybox"


def _login(env: LocalEnv, registry: str, who: str) -> Credential | None:
    users = {
        "user": (env.user, env.password),
        "wrong": (env.user, "wrong-password"),
        "other": (env.other_user, env.other_password),
    }
    if who == "anonymous":
        return None
    name, password = users[who]
    return Credential(registry=registry, username=name, password=password, source="test")


@pytest.mark.docker
@pytest.mark.parametrize(
    ("registry_attr", "repository", "who", "expected"),
    [
        ("registry", REMOTE, "anonymous", A),
        ("registry", REMOTE, "wrong", A),  # an open registry asks nothing
        ("auth_registry", REMOTE, "user", A),
        ("auth_registry", REMOTE, "wrong", D),
        ("auth_registry", REMOTE, "anonymous", D),
        ("token_registry", REMOTE, "user", A),
        ("token_registry", REMOTE, "wrong", D),
        ("token_registry", REMOTE, "anonymous", D),
        ("token_registry", REMOTE, "other", D),  # valid login, no access to ci-test/*
        ("token_registry", OTHER, "other", A),
        ("acl_registry", REMOTE, "user", A),
        ("acl_registry", REMOTE, "other", D),
        ("acl_registry", REMOTE, "anonymous", D),
        ("acl_registry", OTHER, "other", A),
    ],
)
def test_access_matrix(
    testenv: LocalEnv, registry_attr: str, repository: str, who: str, expected: AccessVerdict
) -> None:
    registry = getattr(testenv, registry_attr)
    credential = _login(testenv, registry, who)
    by_tag = check_access(
        registry=registry, repository=repository, reference="1", credential=credential
    )
    assert by_tag.verdict is expected, by_tag.reason
    assert testenv.password not in by_tag.reason
    if expected is A:
        assert by_tag.digest is not None
        assert by_tag.digest.startswith("sha256:")
        by_digest = check_access(
            registry=registry, repository=repository, reference=by_tag.digest, credential=credential
        )
        assert by_digest.verdict is A
        assert by_digest.digest == by_tag.digest


@pytest.mark.docker
@pytest.mark.parametrize("registry_attr", ["auth_registry", "token_registry"])
def test_unknown_digest_is_denied(testenv: LocalEnv, registry_attr: str) -> None:
    registry = getattr(testenv, registry_attr)
    answer = check_access(
        registry=registry,
        repository=REMOTE,
        reference="sha256:" + "0" * 64,
        credential=_login(testenv, registry, "user"),
    )
    assert answer.verdict is D
    assert "404" in answer.reason


@pytest.mark.docker
def test_netrc_does_not_turn_anonymous_into_a_login(
    testenv: LocalEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {testenv.user} password {testenv.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    answer = check_access(
        registry=testenv.auth_registry, repository=REMOTE, reference="1", credential=None
    )
    assert answer.verdict is D


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_closed_port_is_unreachable() -> None:
    answer = check_access(
        registry=f"127.0.0.1:{_closed_port()}", repository=REMOTE, reference="1", credential=None
    )
    assert answer.verdict is U


def test_silent_server_is_unreachable_after_the_timeout() -> None:
    with socket.socket() as sock:  # listens, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        answer = check_access(
            registry=f"127.0.0.1:{port}",
            repository=REMOTE,
            reference="1",
            credential=None,
            timeout=0.3,
        )
    assert answer.verdict is U
    assert "timed out" in answer.reason


Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@pytest.fixture
def stand_in() -> Iterator[Callable[[Handler], str]]:
    """A throwaway HTTP server on 127.0.0.1 whose every request is handled by `handle`."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handle: Handler) -> str:
        class H(http.server.BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                handle(self)

            do_GET = do_POST = do_HEAD  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _reply(handler: http.server.BaseHTTPRequestHandler, code: int, headers: dict[str, str]) -> None:
    handler.send_response(code)
    for key, value in {"Content-Length": "0", **headers}.items():
        handler.send_header(key, value)
    handler.end_headers()


@pytest.mark.parametrize(("code", "expected"), [(500, U), (503, U), (429, U), (403, D), (404, D)])
def test_status_codes(
    stand_in: Callable[[Handler], str], code: int, expected: AccessVerdict
) -> None:
    host = stand_in(lambda h: _reply(h, code, {}))
    answer = check_access(registry=host, repository=REMOTE, reference="1", credential=None)
    assert answer.verdict is expected
    assert str(code) in answer.reason


NETRC_AUTH = "Basic " + base64.b64encode(b"admin:netrc-password").decode()


@pytest.fixture
def host_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner user's ~/.netrc with a login for 127.0.0.1 (requests reads $NETRC)."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login admin password netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))


@pytest.mark.usefixtures("host_netrc")
def test_netrc_is_not_read_after_a_manifest_redirect(stand_in: Callable[[Handler], str]) -> None:
    """A registry that redirects must not make an anonymous check use the host's .netrc."""
    sent: list[str | None] = []

    def registry(h: http.server.BaseHTTPRequestHandler) -> None:
        sent.append(h.headers.get("Authorization"))
        if h.path.endswith("/manifests/1"):
            return _reply(h, 307, {"Location": "/v2/moved/manifests/1x"})
        if h.headers.get("Authorization") == NETRC_AUTH:
            return _reply(h, 200, {"Docker-Content-Digest": "sha256:" + "d" * 64})
        return _reply(h, 401, {"WWW-Authenticate": 'Basic realm="stand-in"'})

    host = stand_in(registry)
    answer = check_access(registry=host, repository=REMOTE, reference="1", credential=None)
    assert answer.verdict is D
    assert NETRC_AUTH not in sent


@pytest.mark.usefixtures("host_netrc")
def test_netrc_is_not_read_after_a_token_service_redirect(
    stand_in: Callable[[Handler], str],
) -> None:
    sent: list[str | None] = []

    def token(h: http.server.BaseHTTPRequestHandler) -> None:
        sent.append(h.headers.get("Authorization"))
        if h.path.startswith("/token?"):
            return _reply(h, 302, {"Location": "/token2"})
        if h.headers.get("Authorization") == NETRC_AUTH:
            body = b'{"token": "netrc-token"}'
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return None
        return _reply(h, 401, {})

    token_host = stand_in(token)

    def registry(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("Authorization") == "Bearer netrc-token":
            return _reply(h, 200, {"Docker-Content-Digest": "sha256:" + "d" * 64})
        realm = f'Bearer realm="http://{token_host}/token",service="stand-in"'
        return _reply(h, 401, {"WWW-Authenticate": realm})

    host = stand_in(registry)
    answer = check_access(registry=host, repository=REMOTE, reference="1", credential=None)
    assert answer.verdict is D
    assert NETRC_AUTH not in sent


def test_a_redirect_to_another_host_never_carries_the_login(
    stand_in: Callable[[Handler], str],
) -> None:
    elsewhere: list[str | None] = []

    def other(h: http.server.BaseHTTPRequestHandler) -> None:
        elsewhere.append(h.headers.get("Authorization"))
        return _reply(h, 200, {"Docker-Content-Digest": "sha256:" + "e" * 64})

    other_host = stand_in(other).replace("127.0.0.1", "localhost")

    def registry(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("Authorization"):
            return _reply(h, 307, {"Location": f"http://{other_host}/v2/x/manifests/1"})
        return _reply(h, 401, {"WWW-Authenticate": 'Basic realm="stand-in"'})

    host = stand_in(registry)
    login = Credential(registry=host, username="u", password="pw-never-elsewhere", source="t")
    answer = check_access(registry=host, repository=REMOTE, reference="1", credential=login)
    assert answer.verdict is A
    assert elsewhere == [None]


def test_identity_token_uses_the_oauth2_refresh_grant(stand_in: Callable[[Handler], str]) -> None:
    seen: list[dict[str, list[str]]] = []
    token_host = ""

    def registry(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("Authorization") == "Bearer granted-token":
            return _reply(h, 200, {"Docker-Content-Digest": "sha256:" + "c" * 64})
        realm = f'Bearer realm="http://{token_host}/token",service="stand-in"'
        return _reply(h, 401, {"WWW-Authenticate": realm})

    def token(h: http.server.BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(h.rfile.read(length).decode())
        seen.append(form)
        ok = h.command == "POST" and form.get("refresh_token") == ["refresh-me"]
        body = b'{"access_token": "granted-token"}' if ok else b"{}"
        h.send_response(200 if ok else 401)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    token_host = stand_in(token)
    host = stand_in(registry)
    good = Credential(registry=host, username="<token>", identity_token="refresh-me")
    answer = check_access(registry=host, repository="team/app", reference="1", credential=good)
    assert answer.verdict is A
    assert seen[0]["grant_type"] == ["refresh_token"]
    assert seen[0]["scope"] == ["repository:team/app:pull"]
    assert seen[0]["service"] == ["stand-in"]
    bad = Credential(registry=host, username="<token>", identity_token="expired")
    assert (
        check_access(registry=host, repository="team/app", reference="1", credential=bad).verdict
        is D
    )


class _NoNetwork(requests.Session):
    def request(self, *args: object, **kwargs: object) -> requests.Response:
        raise AssertionError("no request may be sent")


def test_password_is_never_sent_to_a_plain_http_third_party_realm() -> None:
    challenge = parse_challenge('Bearer realm="http://auth.example.com/token",service="x"')
    assert challenge is not None
    with pytest.raises(AuthDanceError) as caught:
        fetch_token(
            _NoNetwork(),
            challenge,
            repository="team/app",
            credential=Credential(registry="r.example.com", username="u", password="p"),
            timeout=1,
            allow_plain_http=False,
        )
    assert caught.value.verdict is U


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        (
            'Basic realm="testenv-basic-realm"',
            Challenge(scheme="basic", params={"realm": "testenv-basic-realm"}),
        ),
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:samalba/my-app:pull,push"',
            Challenge(
                scheme="bearer",
                params={
                    "realm": "https://auth.docker.io/token",
                    "service": "registry.docker.io",
                    "scope": "repository:samalba/my-app:pull,push",
                },
            ),
        ),
        (
            "BEARER Realm=http://x/token",
            Challenge(scheme="bearer", params={"realm": "http://x/token"}),
        ),
        ("Negotiate", Challenge(scheme="negotiate", params={})),
    ],
)
def test_parse_challenge(header: str, expected: Challenge | None) -> None:
    assert parse_challenge(header) == expected


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        ("docker.io", "https://registry-1.docker.io/v2/library/busybox/manifests/1"),
        ("127.0.0.1:5001", "http://127.0.0.1:5001/v2/library/busybox/manifests/1"),
        ("localhost:5000", "http://localhost:5000/v2/library/busybox/manifests/1"),
        ("[::1]:5000", "http://[::1]:5000/v2/library/busybox/manifests/1"),
        ("gcr.io", "https://gcr.io/v2/library/busybox/manifests/1"),
    ],
)
def test_manifest_url(registry: str, expected: str) -> None:
    assert manifest_url(registry, "library/busybox", "1") == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1:5000", True),
        ("127.3.4.5", True),
        ("localhost", True),
        ("[::1]:80", True),
        ("10.0.0.1:5000", False),
        ("example.com", False),
        ("[2001:db8::1]:5000", False),
    ],
)
def test_is_loopback_host(host: str, expected: bool) -> None:
    assert is_loopback_host(host) is expected
