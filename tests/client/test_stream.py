"""`conveyor build logs --follow`: SSE framing, resume with Last-Event-ID, the end at `eof`.

The server's stream is played by a stub (pure protocol handling): the first connection breaks
after two lines, the second must ask for what came after the last id it saw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conveyor.cli.main import main
from conveyor.client.stream import StreamEvent, read_events
from tests.local_http import QuietHandler, serve_handler


def test_events_are_framed() -> None:
    text = ': ping\n\nid: 1\ndata: {"pos": 0}\n\nevent: eof\ndata:\n\nid: 2\ndata: a\ndata: b\n\n'
    assert list(read_events(text.split("\n"))) == [
        StreamEvent(id="1", event="message", data='{"pos": 0}'),
        StreamEvent(id="1", event="eof", data=""),
        StreamEvent(id="2", event="message", data="a\nb"),
    ]


def _line(pos: int) -> str:
    data = json.dumps({"pos": pos, "out": f"line {pos}" + "\n", "time": 0})
    return f"id: {pos}\ndata: {data}\n\n"


@pytest.fixture
def stream_server() -> Iterator[tuple[str, list[str | None]]]:
    """A server whose step stream breaks once, then resumes after Last-Event-ID."""
    asked: list[str | None] = []

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            assert self.path == "/api/stream/acme/app/4/1/2"
            last = self.headers.get("Last-Event-ID")
            asked.append(last)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            if last is None:
                self.wfile.write((_line(0) + _line(1)).encode())
                return  # the connection drops before eof
            start = int(last) + 1
            body = "".join(_line(pos) for pos in range(start, 4)) + "event: eof\ndata:\n\n"
            self.wfile.write(body.encode())

    with serve_handler(Handler) as url:
        yield url, asked


def test_follow_resumes_and_ends_at_eof(
    stream_server: tuple[str, list[str | None]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, asked = stream_server
    code = main(["build", "logs", "acme/app", "4", "1", "2", "--follow", "--server", url,
                 "--token", "t"])  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == "line 0\nline 1\nline 2\nline 3\n"
    assert asked == [None, "1"]
