"""The real-git fixtures work: HTTP through git http-backend, and the forge-like push hook."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conveyor.server.hooks import HookEvent, identify, parse, verify
from conveyor.server.intake import read_file_at, resolve_commit
from tests.local_http import QuietHandler, serve_handler
from tests.server.git_hook import install_push_hook
from tests.server.git_http import serve_git
from tests.server.git_support import git, make_repo

PIPELINE = "kind: pipeline\nsteps:\n- name: a\n  image: alpine\n  commands: [true]\n"


def test_clone_fetch_and_push_over_http(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {".drone.yml": PIPELINE})
    with serve_git(tmp_path) as base:
        url = f"{base}/{repo.bare.name}"
        clone = tmp_path / "clone"
        git("clone", "-q", url, str(clone), cwd=tmp_path)
        (clone / "new.txt").write_text("over http\n")
        git("add", "new.txt", cwd=clone)
        git("commit", "-q", "-m", "pushed over http", cwd=clone)
        git("push", "-q", "origin", "main", cwd=clone)
        sha = git("rev-parse", "HEAD", cwd=clone).strip()
        assert git("rev-parse", "main", cwd=repo.bare).strip() == sha
        cache = tmp_path / "cache"
        assert resolve_commit(url, "main", cache) == sha
        assert read_file_at(url, sha, "new.txt", cache) == b"over http\n"


@contextmanager
def _receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    seen: list[tuple[dict[str, str], bytes]] = []

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

    with serve_handler(Handler) as base:
        yield f"{base}/hook", seen


def test_push_hook_posts_a_signed_gitea_webhook(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {".drone.yml": PIPELINE})
    before = repo.head()
    with _receiver() as (url, seen):
        install_push_hook(repo.bare, url, "hook-secret", "Acme/Widgets")
        sha = repo.commit({"a.txt": "1\n"}, "second [ci skip]")
        output = repo.push()
        repo.tag("v1")
        repo.push("v1")
    assert "conveyor webhook refs/heads/main 200" in output
    assert len(seen) == 2
    (headers, body), (tag_headers, tag_body) = seen
    assert identify(headers) == "gitea"
    assert verify("gitea", headers, body, "hook-secret")
    assert not verify("gitea", headers, body, "other")
    event = parse("gitea", headers, body)
    assert isinstance(event, HookEvent)
    assert (event.repo, event.event, event.before, event.after) == (
        "acme/widgets",
        "push",
        before,
        sha,
    )
    assert event.skip_ci
    assert event.author_email == "alice@example.test"
    tag = parse("gitea", tag_headers, tag_body)
    assert isinstance(tag, HookEvent)
    assert (tag.event, tag.ref, tag.after) == ("tag", "refs/tags/v1", sha)
    assert headers["X-Gitea-Delivery"] != tag_headers["X-Gitea-Delivery"]
