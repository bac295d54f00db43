"""Webhooks mapped to builds as Drone maps them: push, tag, pull_request, and what is ignored."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.server.hooks import HookError, HookEvent, Ignored, parse, repo_of
from tests.server.hooks.payloads import (
    BASE,
    BEFORE,
    HEAD,
    encode,
    gitea_headers,
    gitea_push,
    github_headers,
    github_push,
    pull_request,
)


def _headers(provider: str, event: str = "push") -> dict[str, str]:
    return gitea_headers(event) if provider == "gitea" else github_headers(event)


def _event(provider: str, headers: dict[str, str], body: dict[str, Any]) -> HookEvent:
    found = parse(provider, headers, encode(body))
    assert isinstance(found, HookEvent), found
    return found


def test_gitea_push_maps_like_drone() -> None:
    event = _event("gitea", gitea_headers("push", "abc-123"), gitea_push())
    assert event.provider == "gitea"
    assert event.delivery == "abc-123"
    assert event.repo == "acme/widgets"
    assert (event.event, event.action) == ("push", None)
    assert (event.ref, event.before, event.after) == ("refs/heads/main", BEFORE, HEAD)
    assert (event.source, event.target) == ("main", "main")
    assert event.author == "alice"
    assert (event.author_name, event.author_email) == ("Alice Liddell", "alice@example.test")
    assert event.author_avatar == "http://forge.test/avatars/carol"
    assert event.message == "fix the widget\n"
    assert event.link.endswith(f"/compare/{BEFORE}...{HEAD}")
    assert event.sender == "carol"
    assert event.skip_ci is False


def test_gitea_head_is_the_commit_named_after_whatever_the_order() -> None:
    body = gitea_push()
    body["commits"].reverse()
    assert _event("gitea", gitea_headers(), body).message == "fix the widget\n"


def test_gitea_push_without_commits_uses_the_pusher() -> None:
    body = gitea_push()
    body["commits"] = []
    event = _event("gitea", gitea_headers(), body)
    assert (event.author, event.author_name, event.message) == ("carol", "Carol C", "")


def test_github_push_maps_like_drone() -> None:
    event = _event("github", github_headers("push", "g-9"), github_push())
    assert (event.provider, event.delivery, event.repo) == ("github", "g-9", "acme/widgets")
    assert (event.event, event.ref, event.after, event.target) == (
        "push",
        "refs/heads/main",
        HEAD,
        "main",
    )
    assert (event.author, event.author_email) == ("alice", "alice@example.test")
    assert event.author_avatar == "https://avatars.test/u/2"
    assert event.link.startswith("https://github.test/Acme/Widgets/compare/")
    assert event.sender == "alice"


@pytest.mark.parametrize("provider", ["gitea", "github"])
def test_tag_push_is_a_tag_build(provider: str) -> None:
    make = gitea_push if provider == "gitea" else github_push
    event = _event(provider, _headers(provider), make("refs/tags/v1.2.0"))
    assert (event.event, event.action, event.ref) == ("tag", "created", "refs/tags/v1.2.0")
    assert (event.source, event.target, event.after) == ("v1.2.0", "v1.2.0", HEAD)


def test_github_tag_push_takes_its_branch_from_base_ref() -> None:
    body = github_push("refs/tags/v2")
    body["base_ref"] = "refs/heads/release"
    assert _event("github", github_headers(), body).target == "release"


@pytest.mark.parametrize(
    ("message", "skip"),
    [
        ("update docs [ci skip]", True),
        ("[SKIP CI] typo", True),
        ("quiet ***NO_CI***", True),
        ("skip ci please", False),
        ("[ci-skip]", False),
    ],
)
def test_skip_markers_in_the_message(message: str, skip: bool) -> None:
    assert _event("gitea", gitea_headers(), gitea_push(message=message)).skip_ci is skip
    assert _event("github", github_headers(), github_push(message=message)).skip_ci is skip


def test_tag_builds_are_never_skipped_by_the_message() -> None:
    body = gitea_push("refs/tags/v1", message="[ci skip]")
    assert _event("gitea", gitea_headers(), body).skip_ci is False


@pytest.mark.parametrize(
    ("provider", "action", "drone_action"),
    [
        ("gitea", "opened", "opened"),
        ("gitea", "synchronized", "synchronized"),
        ("github", "opened", "opened"),
        ("github", "synchronize", "synchronized"),
    ],
)
def test_pull_request_maps_like_drone(provider: str, action: str, drone_action: str) -> None:
    event = _event(provider, _headers(provider, "pull_request"), pull_request(action))
    assert (event.event, event.action, event.pull_request) == ("pull_request", drone_action, 12)
    assert (event.ref, event.before, event.after) == ("refs/pull/12/head", BASE, HEAD)
    assert (event.source, event.target) == ("feature/x", "main")
    assert (event.author, event.author_name) == ("dave", "Dave D")
    assert event.title == event.message == "Add a widget"
    assert event.link == "http://forge.test/Acme/Widgets/pulls/12"
    assert event.sender == "dave"


def test_pull_request_title_can_skip() -> None:
    body = pull_request("opened", title="WIP [skip ci]")
    assert _event("github", github_headers("pull_request"), body).skip_ci is True


@pytest.mark.parametrize("action", ["closed", "edited", "labeled", "reopened", "assigned", ""])
def test_other_pull_request_actions_are_ignored(action: str) -> None:
    found = parse("github", github_headers("pull_request"), encode(pull_request(action)))
    assert isinstance(found, Ignored)
    assert "does not build" in found.reason


@pytest.mark.parametrize(
    ("provider", "headers"),
    [
        ("github", github_headers("ping")),
        ("github", github_headers("create")),
        ("github", github_headers("issues")),
        ("gitea", gitea_headers("create")),
        ("gitea", gitea_headers("delete")),
        ("gitea", gitea_headers("")),
    ],
)
def test_events_that_do_not_build_are_ignored(provider: str, headers: dict[str, str]) -> None:
    assert isinstance(parse(provider, headers, b"not even json"), Ignored)


@pytest.mark.parametrize("provider", ["gitea", "github"])
def test_a_deleted_branch_is_ignored(provider: str) -> None:
    body = gitea_push() if provider == "gitea" else github_push()
    body["after"] = "0" * 40
    headers = gitea_headers() if provider == "gitea" else github_headers()
    found = parse(provider, headers, encode(body))
    assert isinstance(found, Ignored)
    assert "deleted" in found.reason


def test_github_deleted_flag_is_ignored_too() -> None:
    body = github_push()
    body["deleted"] = True
    assert isinstance(parse("github", github_headers(), encode(body)), Ignored)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
        (encode({"ref": "refs/heads/main", "after": HEAD}), "repository.full_name"),
        (encode({**gitea_push(), "ref": 7}), "ref must be a string"),
        (encode({**gitea_push(), "commits": "x"}), "commits must be a list"),
        (encode({**gitea_push(), "repository": {"full_name": "noslash"}}), "OWNER/NAME"),
        (encode({**gitea_push(), "sender": []}), "sender must be an object"),
    ],
)
def test_malformed_bodies_are_hook_errors(body: bytes, words: str) -> None:
    with pytest.raises(HookError, match=words):
        parse("gitea", gitea_headers(), body)


def test_pull_request_without_a_head_sha_is_an_error() -> None:
    body = pull_request("opened")
    del body["pull_request"]["head"]["sha"]
    with pytest.raises(HookError, match=r"pull_request\.head\.sha"):
        parse("gitea", gitea_headers("pull_request"), encode(body))


def test_unknown_provider_is_an_error() -> None:
    with pytest.raises(HookError, match="not a known forge"):
        parse("gitlab", {}, b"{}")


def test_repo_of_reads_the_name_before_verification() -> None:
    assert repo_of("gitea", encode(gitea_push())) == "acme/widgets"
    assert repo_of("github", encode(github_push())) == "acme/widgets"
    assert repo_of("gitea", b"{") is None
    assert repo_of("gitea", encode({"repository": {"full_name": 3}})) is None
    assert repo_of("gitea", encode({"repository": {"full_name": "a/b/c"}})) is None
    assert repo_of("bitbucket", encode(gitea_push())) is None
