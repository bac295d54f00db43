"""Hostile webhook bodies: parse and repo_of give an event, Ignored or HookError, nothing else."""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.server.hooks import HookError, HookEvent, Ignored, parse, repo_of
from tests.server.hooks.payloads import gitea_push, github_push, pull_request

FUZZ = settings(
    max_examples=int(os.environ.get("CONVEYOR_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
EVENTS = st.sampled_from(["push", "pull_request", "ping", "create", "", "x" * 300])
PROVIDERS = st.sampled_from(["gitea", "github"])
TEMPLATES = [gitea_push(), github_push(), pull_request("opened"), pull_request("synchronize")]


def _check(provider: str, event: str, body: bytes) -> None:
    headers = {"X-Gitea-Event": event} if provider == "gitea" else {"X-GitHub-Event": event}
    problem = ""
    try:
        found = parse(provider, headers, body)
    except HookError as exc:
        problem = exc.message
    else:
        assert isinstance(found, HookEvent | Ignored)
    assert problem == "" or problem.startswith("the webhook")
    name = repo_of(provider, body)
    assert name is None or name.count("/") == 1


@FUZZ
@given(provider=PROVIDERS, event=EVENTS, body=st.binary(max_size=200))
def test_random_bytes(provider: str, event: str, body: bytes) -> None:
    _check(provider, event, body)


@FUZZ
@given(provider=PROVIDERS, event=EVENTS, data=JSON)
def test_random_json(provider: str, event: str, data: Any) -> None:
    _check(provider, event, json.dumps(data).encode())


@FUZZ
@given(
    provider=PROVIDERS,
    event=EVENTS,
    template=st.sampled_from(TEMPLATES),
    path=st.lists(st.text(max_size=12), min_size=1, max_size=3),
    value=JSON,
)
def test_real_payloads_with_one_field_replaced(
    provider: str, event: str, template: dict[str, Any], path: list[str], value: Any
) -> None:
    body = json.loads(json.dumps(template))
    target = body
    keys = ["repository", "pull_request", "head_commit", "sender", "ref", "after", "head", *path]
    for key in keys[:-1][: len(path)]:
        nested = target.get(key) if isinstance(target, dict) else None
        if not isinstance(nested, dict):
            break
        target = nested
    if isinstance(target, dict):
        target[path[-1] if path[-1] else "ref"] = value
    _check(provider, event, json.dumps(body).encode())


@FUZZ
@given(provider=PROVIDERS, template=st.sampled_from(TEMPLATES), cut=st.integers(0, 2000))
def test_truncated_payloads(provider: str, template: dict[str, Any], cut: int) -> None:
    body = json.dumps(template).encode()
    _check(provider, "push", body[:cut])
    _check(provider, "pull_request", body[:cut])
