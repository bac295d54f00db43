"""ServerClient's one-sentence errors for answers a healthy server does not give (500, HTML,
silence). Real-server behaviour (401, 403, 404, data) is tested in tests/client/test_live.py."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from conveyor.client.connection import Connection
from conveyor.client.http import ServerClient, ServerRefusedError, UnreachableError
from tests.local_http import QuietHandler, serve_handler

ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "/api/boom": (500, "application/json", b'{"message": "database\\nis locked"}'),
    "/api/html": (200, "text/html", b"<html>welcome to nginx</html>"),
    "/api/teapot": (418, "text/plain", b"short and stout"),
    "/api/empty": (204, "application/json", b""),
    "/api/echo": (200, "application/json", b""),
}


@contextmanager
def _server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers.items()))
            status, kind, body = ANSWERS[self.path.split("?")[0]]
            if self.path.startswith("/api/echo"):
                body = json.dumps({"path": self.path}).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serve_handler(Handler) as url:
        yield url, seen


def _client(url: str, timeout: float = 10) -> ServerClient:
    return ServerClient(Connection(server=url, token="tok-123"), timeout=timeout)


def test_server_errors_carry_the_message_on_one_line() -> None:
    with _server() as (url, _seen), pytest.raises(ServerRefusedError) as caught:
        _client(url).call("GET", "/boom", what="x")
    assert caught.value.message == "the server refused the request (500): database is locked"
    assert caught.value.exit_code == 1


def test_an_answer_without_json_message() -> None:
    with _server() as (url, _seen), pytest.raises(ServerRefusedError, match=r"\(418\)$"):
        _client(url).call("GET", "/teapot", what="x")


def test_not_a_conveyor_server() -> None:
    with _server() as (url, _seen), pytest.raises(UnreachableError, match="not JSON") as caught:
        _client(url).call("GET", "/html", what="x")
    assert caught.value.exit_code == 2


def test_empty_answers_and_query_parameters_and_the_token_header() -> None:
    with _server() as (url, seen):
        client = _client(url)
        assert client.call("GET", "/empty", what="x") is None
        got = client.call("GET", "/echo", what="x", params={"branch": "a b&c"})
    assert got == {"path": "/api/echo?branch=a+b%26c"}
    assert seen[0]["Authorization"] == "Bearer tok-123"


def test_unreachable_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UnreachableError) as caught:
        _client(f"http://127.0.0.1:{port}").call("GET", "/user", what="x")
    assert caught.value.message == (
        f"cannot reach the server at http://127.0.0.1:{port} (connection error); "
        "check --server or CONVEYOR_SERVER"
    )
    assert "tok-123" not in caught.value.message


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        with pytest.raises(UnreachableError, match=r"did not answer within 0\.5 s"):
            _client(f"http://127.0.0.1:{port}", timeout=0.5).call("GET", "/user", what="x")
